"""Payloads of the regional schema shared by the schema, search, form and bad-input tests, and
the module-scoped fixtures of the tests that only read (``tests/conftest.py`` serves them to
every test module)."""

from __future__ import annotations

from typing import Any

import ckan.plugins
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

EU = "http://publications.europa.eu/resource/authority/"

STRASBOURG = "67482"
EMS = "246700488"  # Eurométropole de Strasbourg (EPCI)
BAS_RHIN = "67"
METZ = "57463"
MOSELLE = "57"
REGION = "44"


def sysadmin_context() -> dict[str, Any]:
    return {"user": factories.Sysadmin()["name"], "ignore_auth": False}


def region_org(**extra: Any) -> dict[str, Any]:
    data = {
        "name": "region-grand-est",
        "title": "Région Grand Est",
        "body_kind": "region",
        "siren": "200052264",
        "website": "https://www.grandest.fr/",
        "email": "contact@grandest.fr",
        "territories": [REGION],
    }
    data.update(extra)
    return call_action("organization_create", sysadmin_context(), **data)


def full_dataset(owner_org: str, **extra: Any) -> dict[str, Any]:
    """Every field of the schema filled, as the API takes it."""
    data: dict[str, Any] = {
        "name": "pistes-cyclables-strasbourg",
        "title": "Pistes cyclables de Strasbourg",
        "notes": "Aménagements cyclables, **mis à jour** chaque mois.",
        "owner_org": owner_org,
        "tag_string": "mobilité,vélo",
        "territories": [STRASBOURG, EMS],
        "granularity": "commune",
        "theme": ["TRAN", EU + "data-theme/ENVI"],
        "license_id": "odc-odbl",
        "contact": [
            {
                "name": "Service mobilité",
                "email": "mobilite@strasbourg.eu",
                "url": "https://www.strasbourg.eu/",
            }
        ],
        "temporal_coverage": [{"start": "2020-01-01", "end": "2024-12-31"}],
        "frequency": "MONTHLY",
        "issued": "2021-03-01",
        "modified": "2024-06-15",
        "identifier": "ems-pistes-cyclables",
        "version": "2.1",
        "language": ["FRA", "DEU"],
        "access_rights": "PUBLIC",
        "conforms_to": ["https://schema.data.gouv.fr/etalab/schema-amenagements-cyclables/"],
        "url": "https://data.strasbourg.eu/pistes",
        "spatial_coverage": [
            {
                "uri": "https://www.insee.fr/fr/metadonnees/cog/commune/COM67482-strasbourg",
                "text": "Strasbourg",
                "geom": {"type": "Point", "coordinates": [7.75, 48.58]},
                "bbox": {
                    "type": "Polygon",
                    "coordinates": [
                        [[7.68, 48.49], [7.84, 48.49], [7.84, 48.65], [7.68, 48.65], [7.68, 48.49]]
                    ],
                },
                "centroid": {"type": "Point", "coordinates": [7.75, 48.57]},
            }
        ],
        "resources": [
            {
                "url": "https://data.strasbourg.eu/pistes.geojson",
                "name": "Pistes (GeoJSON)",
                "description": "Tracés des pistes.",
                "format": "GeoJSON",
                "size": 123456,
                "license": "odc-odbl",
                "access_url": "https://data.strasbourg.eu/pistes",
                "download_url": "https://data.strasbourg.eu/pistes.geojson",
                "hash": "d41d8cd98f00b204e9800998ecf8427e",
                "hash_algorithm": "md5",
                "is_api": "false",
            },
            {
                "url": "https://data.strasbourg.eu/wfs",
                "name": "Service WFS",
                "format": "WFS_SRVC",
                "is_api": True,
            },
        ],
    }
    data.update(extra)
    return data


def small_dataset(
    name: str, org: dict[str, Any], fmt: str = "CSV", **fields: Any
) -> dict[str, Any]:
    """A dataset with only what a test needs, created by a sysadmin: a title made from the
    name, a test note, the Etalab licence and one ``fmt`` file; ``fields`` add or replace."""
    data: dict[str, Any] = {
        "name": name,
        "title": name.replace("-", " ").capitalize(),
        "notes": "Jeu de test.",
        "owner_org": org["id"],
        "license_id": "etalab-2.0",
        "resources": [{"url": f"https://exemple.fr/{name}", "format": fmt}],
        **fields,
    }
    return call_action("package_create", sysadmin_context(), **data)


def load_plugins() -> None:
    """For module-scoped fixtures: the previous test's ``with_plugins`` unloaded them."""
    ckan.plugins.load_all()


@pytest.fixture(scope="module")
def fresh_site(reset_db, reset_index, migrate_db_for):
    """A clean database and index once per module, for tests that only read.

    Module-scoped fixtures run before the function-scoped ``with_plugins``, so the plugins
    (and their migrations) are loaded here too.
    """
    ckan.plugins.load_all()
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("harvest")
    reset_index()
    yield
    ckan.plugins.unload_non_system_plugins()


@pytest.fixture(scope="module")
def module_app(fresh_site):
    """One web app for a whole module: building one per test (the ``app`` fixture) costs ~1 s."""
    from ckan.tests.helpers import _get_test_app

    return _get_test_app()


# Module-scoped fixtures run before the function-scoped ``with_plugins``, hence
# ``load_plugins``. They are named ``module_*`` so that a test asking for ``org`` or
# ``sysadmin`` never gets, by accident, one that outlives a ``clean_db``.


@pytest.fixture(scope="module")
def module_org(fresh_site: None) -> dict[str, Any]:
    """The Région's organisation, created once for the module."""
    load_plugins()
    return region_org()


@pytest.fixture(scope="module")
def module_sysadmin(fresh_site: None) -> dict[str, Any]:
    """A sysadmin with an API token, created once for the module."""
    load_plugins()
    return dict(factories.SysadminWithToken())
