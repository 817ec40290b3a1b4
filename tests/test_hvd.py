"""High-value datasets: the fields, their checks (French errors, form included) and the facet."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from schema_support import STRASBOURG, region_org, sysadmin_context

from ckanext.datagrandest import hvd

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ELI = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
BNA = "http://data.europa.eu/bna/"
GEOSPATIAL, ADDRESSES, MOBILITY = BNA + "c_ac64a52d", BNA + "c_c3de25e4", BNA + "c_b79e35eb"

WMS = {
    "name": "Adresses (WMS)",
    "url": "https://geo.strasbourg.eu/geoserver/wms?SERVICE=WMS&REQUEST=GetCapabilities",
    "format": "WMS_SRVC",
    "is_api": True,
    "documentation": ["https://geo.strasbourg.eu/doc/wms"],
}
CONTACT = [{"name": "Service SIG", "email": "sig@strasbourg.eu"}]


def hvd_dataset(org: dict, **extra) -> dict:
    data = {
        "name": "adresses-strasbourg",
        "title": "Base adresse de Strasbourg",
        "notes": "Les adresses de la ville.",
        "owner_org": org["id"],
        "territories": [STRASBOURG],
        "hvd_category": ["c_c3de25e4"],
        "contact": CONTACT,
        "resources": [
            {"name": "Adresses (CSV)", "url": "https://data.strasbourg.eu/adresses.csv"},
            WMS,
        ],
    }
    data.update(extra)
    return data


def create(data: dict) -> dict:
    return call_action("package_create", sysadmin_context(), **data)


def errors_of(data: dict) -> dict:
    with pytest.raises(tk.ValidationError) as caught:
        create(data)
    return caught.value.error_dict


def test_an_hvd_dataset_stores_uris_and_gets_the_regulation_from_its_category():
    org = region_org()
    dataset = create(hvd_dataset(org, hvd_category=["Adresses", MOBILITY, "c_ac64a52d"]))
    assert dataset["hvd_category"] == [ADDRESSES, MOBILITY, GEOSPATIAL]
    # A category only exists under the regulation: it is added.
    assert dataset["applicable_legislation"] == [ELI]
    api = dataset["resources"][1]
    assert api["documentation"] == ["https://geo.strasbourg.eu/doc/wms"]


def test_spellings_of_the_regulation_are_stored_as_its_eli():
    org = region_org()
    dataset = create(
        hvd_dataset(
            org,
            applicable_legislation=[
                "https://data.europa.eu/eli/reg_impl/2023/138/oj/fra",
                "http://data.europa.eu/eli/dir/2007/2/oj",
            ],
        )
    )
    assert dataset["applicable_legislation"] == [ELI, "http://data.europa.eu/eli/dir/2007/2/oj"]


def test_resource_fields_for_services():
    org = region_org()
    service = {
        **WMS,
        "hvd_category": [MOBILITY],
        "applicable_legislation": [ELI],
        "endpoint_description": "https://geo.strasbourg.eu/geoserver/wms?request=GetCapabilities",
    }
    dataset = create(hvd_dataset(org, resources=[service]))
    stored = dataset["resources"][0]
    assert stored["hvd_category"] == [MOBILITY]
    assert stored["applicable_legislation"] == [ELI]
    assert stored["endpoint_description"].endswith("request=GetCapabilities")


def test_a_dataset_that_is_not_hvd_needs_none_of_it():
    org = region_org()
    dataset = create(
        {
            "name": "budget",
            "title": "Budget",
            "notes": "Le budget.",
            "owner_org": org["id"],
            "resources": [{"url": "https://example.org/budget.csv"}],
        }
    )
    assert dataset["hvd_category"] == [] and dataset["applicable_legislation"] == []


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"hvd_category": ["c_nothing"]},
            "hvd_category",
            "Unknown high-value dataset category: c_nothing",
        ),
        (
            {"applicable_legislation": ["règlement 2023/138"]},
            "applicable_legislation",
            "Not a web address of a legal act: règlement 2023/138",
        ),
        (
            {"hvd_category": [], "applicable_legislation": [ELI]},
            "hvd_category",
            "A high-value dataset needs its category",
        ),
        (
            {"resources": [{"url": "https://data.strasbourg.eu/adresses.csv"}]},
            "hvd_category",
            "must be available through an API",
        ),
        (
            {"resources": [{**WMS, "documentation": []}]},
            "hvd_category",
            "API needs its documentation",
        ),
        ({"contact": []}, "hvd_category", "needs a contact point"),
        (
            {"contact": [{"name": "Quelqu'un"}]},
            "hvd_category",
            "needs a contact point",
        ),
    ],
)
def test_what_a_person_must_give_is_refused_otherwise(change, field, message):
    org = region_org()
    found = errors_of(hvd_dataset(org, **change))
    assert any(message in text for text in found.get(field, [])), found


def test_a_draft_without_resources_is_let_through_then_checked():
    org = region_org()
    draft = create(hvd_dataset(org, state="draft", resources=[]))
    assert draft["state"] == "draft"
    with pytest.raises(tk.ValidationError) as caught:
        call_action(
            "resource_create",
            sysadmin_context(),
            package_id=draft["id"],
            url="https://data.strasbourg.eu/adresses.csv",
        )
    assert "must be available through an API" in str(caught.value.error_dict)
    call_action("resource_create", sysadmin_context(), package_id=draft["id"], **WMS)
    published = call_action("package_patch", sysadmin_context(), id=draft["id"], state="active")
    assert published["state"] == "active"


def test_the_form_says_what_is_missing_in_french(app):
    sysadmin = factories.SysadminWithToken()
    org = region_org()
    headers = {"Authorization": sysadmin["token"]}
    form = app.get("/dataset/new", headers=headers).body
    assert "Catégorie de données de forte valeur" in form
    assert "— Adresses" in form  # sub-categories under their top category
    assert "Législation applicable" in form
    response = app.post(
        "/dataset/new",
        data={
            "name": "adresses",
            "title": "Adresses",
            "notes": "Les adresses.",
            "owner_org": org["id"],
            "territories": STRASBOURG,
            "hvd_category": "http://data.europa.eu/bna/c_inconnue",
            "save": "continue",
        },
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert "Catégorie de données de forte valeur inconnue" in response.body
    # The form's steps: the dataset (a draft), then its resources; a file first is refused
    # in French on the resource form, the API then goes through and the dataset is published.
    first = app.post(
        "/dataset/new",
        data={
            "_ckan_phase": "dataset_new_1",
            "pkg_name": "",
            "name": "adresses",
            "title": "Adresses",
            "notes": "Les adresses.",
            "owner_org": org["id"],
            "territories": STRASBOURG,
            "hvd_category": ADDRESSES,
            "contact-0-email": "sig@strasbourg.eu",
            "save": "continue",
        },
        headers=headers,
        follow_redirects=False,
    )
    assert first.status_code == 302, first.body
    resource = {"id": "", "url": "https://data.strasbourg.eu/adresses.csv", "format": "CSV"}
    refused = app.post(
        "/dataset/adresses/resource/new",
        data={**resource, "is_api": "false", "save": "go-metadata"},
        headers=headers,
        follow_redirects=False,
    )
    assert refused.status_code == 200
    assert "doit être accessible par une API" in refused.body
    assert call_action("package_show", id="adresses")["state"] == "draft"
    undocumented = app.post(
        "/dataset/adresses/resource/new",
        data={"id": "", "url": WMS["url"], "format": "WMS_SRVC", "is_api": "true", "save": "again"},
        headers=headers,
        follow_redirects=False,
    )
    assert "doit avoir sa documentation" in undocumented.body
    api = {
        "id": "",
        "url": WMS["url"],
        "format": "WMS_SRVC",
        "is_api": "true",
        "documentation": "https://geo.strasbourg.eu/doc/wms",
    }
    done = app.post(
        "/dataset/adresses/resource/new",
        data={**api, "save": "go-metadata"},
        headers=headers,
        follow_redirects=False,
    )
    assert done.status_code == 302, done.body
    dataset = call_action("package_show", id="adresses")
    assert dataset["state"] == "active"
    assert dataset["applicable_legislation"] == [ELI]
    assert dataset["resources"][0]["documentation"] == ["https://geo.strasbourg.eu/doc/wms"]


def test_a_harvested_record_keeps_what_it_can_and_says_the_rest():
    org = region_org()
    user = factories.Sysadmin()
    warnings: list[str] = []
    context = {
        "user": user["name"],
        "datagrandest_harvest": True,
        "datagrandest_harvest_warnings": warnings,
    }
    dataset = call_action(
        "package_create",
        context,
        **hvd_dataset(
            org,
            hvd_category=["c_nothing", "Mobilité"],
            applicable_legislation=["pas une adresse"],
            contact=[],
            resources=[{"url": "https://data.strasbourg.eu/adresses.csv"}],
        ),
    )
    assert dataset["hvd_category"] == [MOBILITY]
    assert dataset["applicable_legislation"] == [ELI]
    assert "catégorie de données de forte valeur non reconnue : c_nothing" in warnings
    assert "législation applicable invalide ignorée : pas une adresse" in warnings
    assert "jeu de données de forte valeur sans API" in warnings
    assert "jeu de données de forte valeur sans point de contact" in warnings


def test_the_facet_lists_hvd_datasets_and_their_categories_by_name(app):
    org = region_org()
    create(hvd_dataset(org))
    create(
        hvd_dataset(
            org,
            name="lignes-bus",
            title="Lignes de bus",
            hvd_category=[MOBILITY],
        )
    )
    create(
        {
            "name": "budget",
            "title": "Budget",
            "notes": "Le budget.",
            "owner_org": org["id"],
            "resources": [{"url": "https://example.org/budget.csv"}],
        }
    )
    result = call_action(
        "package_search", facet="true", **{"facet.field": '["vocab_hvd_category"]'}
    )
    counts = result["facets"]["vocab_hvd_category"]
    # The regulation for every HVD dataset; a sub-category brings its top category.
    assert counts == {ELI: 2, ADDRESSES: 1, GEOSPATIAL: 1, MOBILITY: 1}
    found = call_action("package_search", fq=f'vocab_hvd_category:"{GEOSPATIAL}"')
    assert [d["name"] for d in found["results"]] == ["adresses-strasbourg"]
    page = app.get("/dataset/").body
    assert "Données de forte valeur" in page
    assert "Toutes les données de forte valeur" in page
    assert "Adresses" in page and "Mobilité" in page


def test_vocabulary_helpers():
    assert hvd.category_uri("https://data.europa.eu/bna/c_c3de25e4/") == ADDRESSES
    assert hvd.category_uri("addresses") == ADDRESSES
    assert hvd.category_uri("nothing") is None
    assert hvd.legislation_uri("ftp://x") is None
    assert len(hvd.category_choices()) == 96
    assert hvd.index_values([], []) == []
    assert hvd.index_values([ELI], []) == [ELI]
