"""Territory search follows the hierarchy; every facet counts and names its items."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests.helpers import call_action
from schema_support import (
    BAS_RHIN,
    EMS,
    EU,
    METZ,
    MOSELLE,
    REGION,
    STRASBOURG,
    load_plugins,
    region_org,
    small_dataset,
)
from schema_support import sysadmin_context as admin

pytestmark = pytest.mark.usefixtures("with_plugins")

FACETS = [
    "vocab_departements",
    "vocab_communes",
    "vocab_body_kind",
    "vocab_theme",
    "res_format",
    "license_id",
]


def _dataset(name, org, territories, theme, fmt, licence):
    return small_dataset(name, org, fmt, territories=territories, theme=[theme], license_id=licence)


@pytest.fixture(scope="module")
def catalogue(fresh_site):
    load_plugins()
    region = region_org()
    prefecture = region_org(
        name="prefecture", title="Préfecture", body_kind="state_service", siren="130007669"
    )
    ems = region_org(
        name="ems", title="Eurométropole", body_kind="epci", siren="246700488", territories=[EMS]
    )
    for args in [
        ("region-entiere", region, [REGION], "ECON", "CSV", "etalab-2.0"),
        ("bas-rhin", prefecture, [BAS_RHIN], "ENVI", "GeoJSON", "odc-odbl"),
        ("strasbourg", ems, [STRASBOURG], "TRAN", "SHP", "cc-by-4.0"),
        ("eurometropole", ems, [], "TRAN", "JSON", "cc-by-4.0"),  # the publisher's EPCI
        ("metz", region, [METZ], "EDUC", "CSV", "cc-zero-1.0"),
        ("moselle", prefecture, [MOSELLE], "ENVI", "PDF", "etalab-2.0"),
    ]:
        _dataset(*args)


def _names(**params):
    result = call_action("package_search", rows=100, **params)
    return {d["name"] for d in result["results"]}


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("territory", "expected"),
    [
        # A commune: itself, its EPCI, its département and the région.
        (STRASBOURG, {"strasbourg", "eurometropole", "bas-rhin", "region-entiere"}),
        # An EPCI: itself, its communes, its département and the région.
        (EMS, {"eurometropole", "strasbourg", "bas-rhin", "region-entiere"}),
        # A département: itself, what lies inside it and the région.
        (BAS_RHIN, {"bas-rhin", "strasbourg", "eurometropole", "region-entiere"}),
        (MOSELLE, {"moselle", "metz", "region-entiere"}),
        (METZ, {"metz", "moselle", "region-entiere"}),
        (REGION, {"region-entiere", "bas-rhin", "strasbourg", "eurometropole", "metz", "moselle"}),
    ],
)
def test_territory_search_follows_the_hierarchy(territory, expected):
    assert _names(fq=f"territory:{territory}") == expected
    assert _names(fq=f'territory:"{territory}"') == expected


@pytest.mark.usefixtures("catalogue")
def test_territory_filter_combines_with_other_filters():
    assert _names(fq=f"territory:{STRASBOURG} res_format:SHP") == {"strasbourg"}


@pytest.mark.usefixtures("catalogue")
def test_territory_search_from_the_web_page(app):
    response = app.get("/dataset/", query_string={"territory": METZ})
    assert response.status_code == 200
    assert 'href="/dataset/metz"' in response.body
    assert 'href="/dataset/moselle"' in response.body
    assert 'href="/dataset/strasbourg"' not in response.body


@pytest.mark.usefixtures("catalogue")
def test_active_territory_filter_is_named_not_coded(app):
    body = BeautifulSoup(app.get("/dataset/", query_string={"territory": METZ}).body, "html.parser")
    filters = body.select_one(".filter-list")
    assert filters is not None
    text = " ".join(filters.get_text(" ").split())
    assert "Territoire :" in text or "Territoire:" in text
    assert "Metz" in text
    assert "None" not in text


@pytest.mark.usefixtures("catalogue")
def test_organization_facet_keeps_the_publishers_titles(app):
    body = BeautifulSoup(app.get("/dataset/").body, "html.parser")
    organizations = [a.get_text(" ", strip=True) for a in body.select("a[href*='organization=']")]
    assert any("Région Grand Est" in label for label in organizations), organizations
    assert not any(label.startswith("region-grand-est") for label in organizations), organizations


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("odd", ['67482") OR (*:*', "*", "67 OR 57", "inconnu"])
def test_odd_territory_values_find_nothing_and_do_not_break(app, odd):
    response = app.get("/dataset/", query_string={"territory": odd})
    assert response.status_code == 200
    assert 'href="/dataset/metz"' not in response.body


@pytest.fixture
def facets(catalogue):
    result = call_action("package_search", rows=0, **{"facet.field": FACETS, "facet.limit": 50})
    return {
        name: {item["name"]: (item["count"], item["display_name"]) for item in facet["items"]}
        for name, facet in result["search_facets"].items()
    }


def test_departement_facet_counts_what_lies_in_each(facets):
    assert facets["vocab_departements"] == {
        BAS_RHIN: (3, "Bas-Rhin"),
        MOSELLE: (2, "Moselle"),
    }


def test_commune_facet_lists_the_communes_named_by_datasets(facets):
    assert facets["vocab_communes"] == {STRASBOURG: (1, "Strasbourg"), METZ: (1, "Metz")}


def test_publisher_kind_facet(facets):
    assert facets["vocab_body_kind"] == {
        "region": (2, "Région"),
        "state_service": (2, "Service de l'État / préfecture"),
        "epci": (2, "EPCI (intercommunalité)"),
    }


def test_theme_facet_names_the_themes(facets):
    assert facets["vocab_theme"][EU + "data-theme/TRAN"] == (2, "Transports")
    assert facets["vocab_theme"][EU + "data-theme/ENVI"] == (2, "Environnement")
    assert len(facets["vocab_theme"]) == 4


def test_format_facet_uses_our_codes(facets):
    assert facets["res_format"]["CSV"] == (2, "CSV")
    assert facets["res_format"]["GEOJSON"] == (1, "GeoJSON")
    assert facets["res_format"]["SHP"] == (1, "Shapefile (SHP)")


def test_licence_facet_names_the_licences(facets):
    assert facets["license_id"]["etalab-2.0"] == (
        2,
        "Licence Ouverte / Open Licence 2.0 (Etalab)",
    )
    assert facets["license_id"]["cc-by-4.0"][0] == 2


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("facet", "value", "expected"),
    [
        ("vocab_departements", MOSELLE, {"moselle", "metz"}),
        ("vocab_communes", STRASBOURG, {"strasbourg"}),
        ("vocab_body_kind", "epci", {"strasbourg", "eurometropole"}),
        ("vocab_theme", EU + "data-theme/ENVI", {"bas-rhin", "moselle"}),
        ("res_format", "PDF", {"moselle"}),
        ("license_id", "cc-zero-1.0", {"metz"}),
    ],
)
def test_each_facet_filters_the_search(facet, value, expected):
    assert _names(fq=f'{facet}:"{value}"') == expected


@pytest.mark.usefixtures("catalogue")
def test_search_page_shows_french_facet_titles_and_item_names(app):
    body = app.get("/dataset/").body
    for text in [
        "Département",
        "Commune",
        "Type de producteur",
        "Thème",
        "Licence",
        "Bas-Rhin",
        "Strasbourg",
        "Transports",
        "EPCI (intercommunalité)",
    ]:
        assert text in body, text


@pytest.mark.usefixtures(
    "with_plugins", "clean_db", "clean_index", "clean_queues", "with_test_worker"
)
def test_changing_a_publisher_kind_reindexes_its_datasets(app):
    from ckan.lib import jobs

    org = region_org(name="syndicat", title="Syndicat", body_kind="syndicate", siren="246700488")
    _dataset("eau", org, [BAS_RHIN], "ENVI", "CSV", "etalab-2.0")
    _dataset("assainissement", org, [BAS_RHIN], "ENVI", "CSV", "etalab-2.0")
    call_action("package_patch", admin(), id="eau", private=True)
    assert _names(fq='vocab_body_kind:"syndicate"', include_private=True) == {
        "eau",
        "assainissement",
    }
    call_action("organization_patch", admin(), id="syndicat", body_kind="public_establishment")
    jobs.Worker().work(burst=True)
    assert _names(fq='vocab_body_kind:"syndicate"', include_private=True) == set()
    assert _names(fq='vocab_body_kind:"public_establishment"', include_private=True) == {
        "eau",
        "assainissement",
    }
    # The job kept each dataset's visibility.
    assert call_action("package_show", id="eau")["private"] is True
    assert call_action("package_show", id="assainissement")["private"] is False
