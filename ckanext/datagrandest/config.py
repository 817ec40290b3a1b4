"""Typed getters for the ckanext.datagrandest.* options declared in config_declaration.yaml."""

from __future__ import annotations

import ckan.plugins.toolkit as tk


def demo_admin_name() -> str:
    return tk.config.get("ckanext.datagrandest.demo.admin_name")


def harvest_allow_private_addresses() -> bool:
    return tk.asbool(tk.config.get("ckanext.datagrandest.harvest.allow_private_addresses"))


def harvest_timeout() -> float:
    return float(tk.config.get("ckanext.datagrandest.harvest.timeout"))


def harvest_max_response_bytes() -> int:
    return int(tk.config.get("ckanext.datagrandest.harvest.max_response_bytes"))


def harvest_max_redirects() -> int:
    return int(tk.config.get("ckanext.datagrandest.harvest.max_redirects"))


def harvest_max_pages() -> int:
    return int(tk.config.get("ckanext.datagrandest.harvest.max_pages"))


def dcat_catalog_publisher_name() -> str:
    return tk.config.get("ckanext.datagrandest.dcat.catalog_publisher_name")


def dcat_catalog_publisher_uri() -> str:
    return tk.config.get("ckanext.datagrandest.dcat.catalog_publisher_uri")
