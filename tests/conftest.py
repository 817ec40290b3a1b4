"""Shared fixtures: CKAN's own pytest plugin does the heavy lifting; we add plugin migrations."""

from __future__ import annotations

import pytest


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """An empty database with the tables of the plugins that have migrations."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("harvest")
    migrate_db_for("datagrandest")
