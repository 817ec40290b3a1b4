"""Fixtures of the DCAT tests: the official DCAT-AP 3.0.1 shapes."""

from __future__ import annotations

import os

import pytest
from rdflib import Graph

from .support import DCAT_AP_301, SHAPE_FILES


@pytest.fixture(scope="session")
def shapes() -> Graph:
    if not DCAT_AP_301.is_dir():
        reason = f"DCAT-AP 3.0.1 shapes not found in {DCAT_AP_301.resolve()}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    g = Graph()
    for name in SHAPE_FILES:
        g.parse(DCAT_AP_301 / name, format="turtle")
    return g
