"""ckanext-datagrandest: the CKAN extension of DataGrandEst, the Grand Est open-data portal."""
