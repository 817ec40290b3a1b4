"""French keywords keep their apostrophe: through the API, the form, the facet and the tag URL."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import unquote_plus

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action
from schema_support import full_dataset

from ckanext.datagrandest.logic.tags import datagrandest_tag_name

AIR = "Qualité de l'air"


def _create(app: Any, sysadmin: dict[str, Any], payload: dict[str, Any]) -> Any:
    return app.post(
        "/api/3/action/package_create", json=payload, headers={"Authorization": sysadmin["token"]}
    )


@pytest.fixture(scope="module")
def api_dataset(module_app, module_org, module_sysadmin):
    payload = full_dataset(module_org["id"], name="air-api", identifier="air-api")
    payload.pop("tag_string", None)
    payload["tags"] = [{"name": AIR}, {"name": "Santé"}]
    response = _create(module_app, module_sysadmin, payload)
    assert response.status_code == 200, response.body
    return call_action("package_show", id="air-api")


@pytest.fixture(scope="module")
def water_dataset(module_app, module_org, module_sysadmin):
    """Another keyword with an apostrophe: the search for AIR must not find it."""
    payload = full_dataset(module_org["id"], name="eau-api", identifier="eau-api")
    payload["tag_string"] = "Qualité de l'eau"
    response = _create(module_app, module_sysadmin, payload)
    assert response.status_code == 200, response.body
    return call_action("package_show", id="eau-api")


@pytest.fixture(scope="module")
def form_dataset(module_app, module_org, module_sysadmin):
    response = module_app.post(
        "/dataset/new",
        data={
            "name": "air-formulaire",
            "title": "Air (formulaire)",
            "notes": "Mesures.",
            "owner_org": module_org["id"],
            "license_id": "etalab-2.0",
            # The typographic apostrophe is the same keyword.
            "tag_string": "Qualité de l’air, pollution d'origine agricole",
            "save": "continue",
        },
        headers={"Authorization": module_sysadmin["token"]},
        follow_redirects=False,
    )
    assert response.status_code == 302, response.body
    return call_action("package_show", id="air-formulaire")


def test_api_keeps_the_apostrophe(api_dataset):
    assert sorted(t["name"] for t in api_dataset["tags"]) == [AIR, "Santé"]


def test_tag_string_through_the_api_keeps_it(module_app, module_org, module_sysadmin):
    payload = full_dataset(module_org["id"], name="air-chaine", identifier="air-chaine")
    payload["tag_string"] = "Qualité de l’air,vélo"
    response = _create(module_app, module_sysadmin, payload)
    assert response.status_code == 200, response.body
    shown = call_action("package_show", id="air-chaine")
    assert sorted(t["name"] for t in shown["tags"]) == [AIR, "vélo"]


def test_form_keeps_it_and_folds_the_typographic_apostrophe(form_dataset):
    names = sorted(t["name"] for t in form_dataset["tags"])
    assert names == ["Qualité de l'air", "pollution d'origine agricole"]


def test_update_keeps_it(api_dataset, module_sysadmin):
    call_action(
        "package_patch",
        {"user": module_sysadmin["name"], "ignore_auth": True},
        id="air-api",
        notes="Mise à jour.",
    )
    shown = call_action("package_show", id="air-api")
    assert sorted(t["name"] for t in shown["tags"]) == [AIR, "Santé"]


def test_the_facet_and_a_tag_search_find_it(api_dataset, form_dataset):
    found = call_action(
        "package_search", fq=f'tags:"{AIR}"', **{"facet.field": '["tags"]'}, rows=10
    )
    assert {d["name"] for d in found["results"]} >= {"air-api", "air-formulaire"}
    facet = {item["name"]: item["count"] for item in found["search_facets"]["tags"]["items"]}
    assert facet[AIR] >= 2


def test_the_tag_page_url_finds_it(module_app, api_dataset, form_dataset, water_dataset):
    # What a click on the tag or the facet asks for: /dataset/?tags=Qualit%C3%A9+de+l%27air
    page = module_app.get("/dataset/", query_string={"tags": AIR})
    assert page.status_code == 200
    assert "/dataset/air-api" in page.body
    assert "/dataset/air-formulaire" in page.body
    assert "/dataset/eau-api" not in page.body
    # The tag link of the dataset page, followed as a browser does (HTML entities decoded).
    shown = module_app.get("/dataset/air-api")
    links = [html.unescape(h) for h in re.findall(r'href="([^"]*\?tags=[^"]*)"', shown.body)]
    link = next(h for h in links if "Qualit" in h)
    assert unquote_plus(link.split("tags=", 1)[1]) == AIR
    followed = module_app.get(link)
    assert followed.status_code == 200
    assert "/dataset/air-api" in followed.body
    assert "/dataset/air-formulaire" in followed.body
    # The facet on the search page links to the same search.
    facet_links = [html.unescape(h) for h in re.findall(r'href="([^"]*tags=[^"]*)"', page.body)]
    assert any(unquote_plus(h.split("tags=", 1)[1].split("&")[0]) == AIR for h in facet_links)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ([{"name": "<b>gras</b>"}], "ne peut contenir que des lettres"),
        ([{"name": 'des "guillemets"'}], "ne peut contenir que des lettres"),
        ([{"name": "a/b"}], "ne peut contenir que des lettres"),
        ([{"name": "ligne\nsuivante"}], "ne peut contenir que des lettres"),
        ([{"name": "eau, assainissement"}], "contient une virgule"),
        ([{"name": "x"}], "est inférieure au minimum"),
        ([{"name": "x" * 101}], "est supérieure à la longueur maximale"),
    ],
    ids=["html", "double quote", "slash", "control character", "comma", "1 character", "101"],
)
def test_bad_tags_through_the_api_are_refused_in_french(
    module_app, module_org, module_sysadmin, tags, message
):
    payload = full_dataset(module_org["id"], name="mauvais-mot-cle", identifier="mauvais-mot-cle")
    payload.pop("tag_string", None)
    payload["tags"] = tags
    response = _create(module_app, module_sysadmin, payload)
    assert response.status_code == 409, response.body
    errors = response.json["error"]["tags"]
    assert message in str(errors), errors


@pytest.mark.parametrize(
    ("tag_string", "message"),
    [
        ("vélo, 100%", "ne peut contenir que des lettres"),
        ("vélo, <b>gras</b>", "Le HTML n'est pas accepté"),
        (["vélo", "eau, assainissement"], "Doit être du texte"),
        ("vélo, x", "est inférieure au minimum"),
        ("vélo, " + "x" * 101, "est supérieure à la longueur maximale"),
    ],
    ids=["percent", "html", "list", "1 character", "101"],
)
def test_bad_tag_string_is_refused_in_french(
    module_app, module_org, module_sysadmin, tag_string, message
):
    payload = full_dataset(
        module_org["id"], name="mauvais-mots-cles", identifier="mauvais-mots-cles"
    )
    payload["tag_string"] = tag_string
    response = _create(module_app, module_sysadmin, payload)
    assert response.status_code == 409, response.body
    assert message in str(response.json["error"]["tag_string"])


def test_bad_tag_in_the_form_is_a_french_error(module_app, module_org, module_sysadmin):
    response = module_app.post(
        "/dataset/new",
        data={
            "name": "air-mauvais",
            "title": "Air mauvais",
            "notes": "Mesures.",
            "owner_org": module_org["id"],
            "license_id": "etalab-2.0",
            "tag_string": "Qualité de l'air, 100%",
            "save": "continue",
        },
        headers={"Authorization": module_sysadmin["token"]},
    )
    assert response.status_code == 200
    assert "Le mot-clé « 100% » ne peut contenir que des lettres" in response.body


def test_the_validator_alone():
    assert datagrandest_tag_name("l’été dʼeau", {}) == "l'été d'eau"
    assert datagrandest_tag_name("Émissions CO2 - 2024_v1.2", {}) == "Émissions CO2 - 2024_v1.2"
    with pytest.raises(tk.Invalid):
        datagrandest_tag_name(42, {})
