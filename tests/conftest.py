"""Shared fixtures: CKAN's own pytest plugin does the heavy lifting; we add plugin migrations
and, from ``schema_support``, the module-scoped site of the tests that only read."""

from __future__ import annotations

import pytest

# Imported here, they serve every test module without an import of its own.
from schema_support import fresh_site, module_app, module_org, module_sysadmin

__all__ = ["fresh_site", "module_app", "module_org", "module_sysadmin"]


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """An empty database with the tables of the plugins that have migrations."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("harvest")
    migrate_db_for("datagrandest")
