"""Tests of the DCAT-AP 3 export and import."""
