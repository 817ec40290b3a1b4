"""Link health: resource URLs and landing pages checked in the background, with history."""
