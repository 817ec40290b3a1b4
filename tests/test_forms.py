"""The web forms: a dataset with every field created, edited and shown; the publisher form."""

from __future__ import annotations

import json

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from schema_support import EMS, EU, STRASBOURG, region_org

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

GEOM = '{"type": "Point", "coordinates": [7.75, 48.58]}'


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


def _post(app, url, sysadmin, data, status=302):
    response = app.post(
        url, data=data, headers={"Authorization": sysadmin["token"]}, follow_redirects=False
    )
    assert response.status_code == status, response.body
    return response


def _create_through_the_form(app, sysadmin, org):
    _post(
        app,
        "/dataset/new",
        sysadmin,
        {
            "name": "velos-strasbourg",
            "title": "Vélos de Strasbourg",
            "notes": "Stations *Vélhop* de location.",
            "owner_org": org["id"],
            "territories": f"{STRASBOURG},{EMS}",
            "granularity": "commune",
            "theme": ["TRAN", "ENVI"],
            "tag_string": "vélo,mobilité",
            "license_id": "other",
            "license_other": "Licence de la ville",
            "contact-0-name": "Service mobilité",
            "contact-0-email": "mobilite@strasbourg.eu",
            "contact-0-url": "https://www.strasbourg.eu/",
            "temporal_coverage-0-start": "2023-01-01",
            "temporal_coverage-0-end": "2023-12-31",
            "frequency": EU + "frequency/WEEKLY",
            "issued": "2023-02-01",
            "modified": "2024-01-15",
            "identifier": "ems-velhop",
            "version": "1.0",
            "language": [EU + "language/FRA"],
            "access_rights": EU + "access-right/PUBLIC",
            "conforms_to": "https://schema.data.gouv.fr/etalab/schema-stationnement-cyclable/",
            "url": "https://data.strasbourg.eu/velhop",
            "spatial_coverage-0-uri": "https://www.insee.fr/fr/metadonnees/cog/commune/COM67482",
            "spatial_coverage-0-text": "Strasbourg",
            "spatial_coverage-0-geom": GEOM,
            "save": "continue",
        },
    )
    _post(
        app,
        "/dataset/velos-strasbourg/resource/new",
        sysadmin,
        {
            "id": "",  # the form's hidden field, which CKAN's view requires
            "url": "https://data.strasbourg.eu/velhop.csv",
            "name": "Stations (CSV)",
            "description": "Une ligne par station.",
            "format": "CSV",
            "mimetype": "text/csv",
            "size": "2048",
            "license": "etalab-2.0",
            "access_url": "https://data.strasbourg.eu/velhop",
            "download_url": "https://data.strasbourg.eu/velhop.csv",
            "hash": "abc123",
            "hash_algorithm": "sha256",
            "is_api": "false",
            "save": "go-metadata",
        },
    )
    return call_action("package_show", id="velos-strasbourg")


def test_every_field_goes_through_the_web_form(app, sysadmin):
    org = region_org()
    dataset = _create_through_the_form(app, sysadmin, org)
    assert dataset["state"] == "active"
    assert dataset["territories"] == [STRASBOURG, EMS]
    assert dataset["theme"] == [EU + "data-theme/TRAN", EU + "data-theme/ENVI"]
    assert dataset["license_other"] == "Licence de la ville"
    assert dataset["contact"][0]["email"] == "mobilite@strasbourg.eu"
    assert dataset["temporal_coverage"] == [{"start": "2023-01-01", "end": "2023-12-31"}]
    assert dataset["frequency"] == EU + "frequency/WEEKLY"
    assert dataset["language"] == [EU + "language/FRA"]
    assert dataset["conforms_to"] == [
        "https://schema.data.gouv.fr/etalab/schema-stationnement-cyclable/"
    ]
    assert json.loads(dataset["spatial_coverage"][0]["geom"]) == json.loads(GEOM)
    resource = dataset["resources"][0]
    assert (resource["format"], resource["size"], resource["is_api"]) == ("CSV", 2048, "false")
    assert resource["license"] == "etalab-2.0"


def test_dataset_page_shows_territories_by_name_and_the_other_licence(app, sysadmin):
    _create_through_the_form(app, sysadmin, region_org())
    body = app.get("/dataset/velos-strasbourg").body
    assert "Strasbourg (commune, 67)" in body
    assert "Eurométropole de Strasbourg (EPCI, 67)" in body
    assert f"/dataset/?territory={STRASBOURG}" in body
    assert "Licence de la ville" in body
    assert "Transports" in body
    assert "Hebdomadaire" in body


def test_dataset_page_lists_only_the_fields_a_dataset_fills(app, sysadmin):
    org = region_org()
    call_action(
        "package_create",
        {"user": sysadmin["name"]},
        name="minimal",
        title="Un jeu minimal",
        notes="Rien de plus.",
        owner_org=org["id"],
    )
    body = app.get("/dataset/minimal").body
    assert "Territoires couverts" in body  # filled from the publisher's territory
    for empty in ("Granularité", "Points de contact", "Couverture temporelle", "Version"):
        assert f">{empty}</th>" not in body, empty


def test_edit_form_shows_the_values_and_saves_changes(app, sysadmin):
    _create_through_the_form(app, sysadmin, region_org())
    form = app.get(
        "/dataset/edit/velos-strasbourg", headers={"Authorization": sysadmin["token"]}
    ).body
    assert f'value="{STRASBOURG},{EMS}"' in form
    assert "Strasbourg (commune, 67)" in form  # the picker's labels for the chosen codes
    assert 'data-module="datagrandest-territories"' in form
    assert "Licence de la ville" in form
    dataset = call_action("package_show", id="velos-strasbourg")
    _post(
        app,
        "/dataset/edit/velos-strasbourg",
        sysadmin,
        {
            "name": "velos-strasbourg",
            "title": "Vélos de Strasbourg (2024)",
            "notes": dataset["notes"],
            "owner_org": dataset["owner_org"],
            "territories": "67",
            "theme": ["TRAN"],
            "license_id": "cc-by-4.0",
            "save": "",
        },
    )
    edited = call_action("package_show", id="velos-strasbourg")
    assert edited["title"] == "Vélos de Strasbourg (2024)"
    assert edited["territories"] == ["67"]
    assert edited["license_id"] == "cc-by-4.0"
    assert "license_other" not in edited


def test_new_dataset_form_offers_our_choices_in_french(app, sysadmin):
    region_org()
    body = app.get("/dataset/new", headers={"Authorization": sysadmin["token"]}).body
    assert "Territoires couverts" in body
    assert "Licence Ouverte / Open Licence 2.0 (Etalab)" in body
    assert "Transports" in body and "Mensuelle" in body
    assert 'name="_csrf_token"' in body


def test_publisher_form_saves_the_regional_fields(app, sysadmin):
    _post(
        app,
        "/organization/new",
        sysadmin,
        {
            "name": "eurometropole",
            "title": "Eurométropole de Strasbourg",
            "body_kind": "epci",
            "siren": "246 700 488",
            "website": "https://www.strasbourg.eu/",
            "email": "contact@strasbourg.eu",
            "territories": EMS,
            "save": "save",
        },
    )
    org = call_action("organization_show", id="eurometropole")
    assert (org["body_kind"], org["siren"], org["territories"]) == ("epci", "246700488", [EMS])
    about = app.get("/organization/about/eurometropole").body
    assert "Eurométropole de Strasbourg (EPCI, 67)" in about
    assert "EPCI (intercommunalité)" in about


def test_forms_and_errors_are_in_english_on_the_english_site(app, sysadmin):
    org = region_org()
    body = app.get("/en/dataset/new", headers={"Authorization": sysadmin["token"]}).body
    assert "Territories covered" in body and "Update frequency" in body
    response = _post(
        app,
        "/en/dataset/new",
        sysadmin,
        {
            "name": "anglais",
            "title": "English",
            "notes": "Text.",
            "owner_org": org["id"],
            "territories": "99999",
            "save": "continue",
        },
        status=200,
    )
    assert "Unknown territory code: 99999 (not a Grand Est territory)" in response.body


def test_search_page_offers_the_territory_picker(app):
    body = app.get("/dataset/", query_string={"territory": STRASBOURG}).body
    assert 'name="territory"' in body
    assert f'value="{STRASBOURG}"' in body
    assert "Strasbourg (commune, 67)" in body  # the picker's label for the current choice


def test_territory_search_form_puts_no_csrf_token_in_the_url(app):
    body = app.get("/dataset/").body
    start = body.index("datagrandest-territory-search")
    form = body[start : body.index("</form>", start)]
    assert 'method="get"' in form
    assert "_csrf_token" not in form
