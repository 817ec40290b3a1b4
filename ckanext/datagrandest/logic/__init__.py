"""Actions, auth functions and validators of the datagrandest plugin."""
