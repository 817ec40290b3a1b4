"""DCAT-AP 3 export and import of DataGrandEst: our ckanext-dcat profile."""
