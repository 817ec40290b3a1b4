"""Fixtures of the DCAT tests: the official DCAT-AP 3.0.1 shapes."""

from __future__ import annotations

import pytest
from rdflib import Graph

from .support import DCAT_AP_301, SHAPE_FILES, load_shapes


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return load_shapes(DCAT_AP_301, SHAPE_FILES)
