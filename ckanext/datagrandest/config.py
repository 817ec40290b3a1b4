"""Typed getters for the ckanext.datagrandest.* options declared in config_declaration.yaml."""

from __future__ import annotations

import ckan.plugins.toolkit as tk


def demo_admin_name() -> str:
    return tk.config.get("ckanext.datagrandest.demo.admin_name")
