"""Scheming schemas of DataGrandEst (dataset, organization, presets), loaded by ckanext-scheming."""
