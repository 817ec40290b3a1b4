"""Metadata quality: the MQA score of data.europa.eu and data.gouv.fr's criteria, per dataset."""
