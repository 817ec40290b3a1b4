"""Harvesters of DataGrandEst: a shared base (base.py) and one module per kind of source."""
