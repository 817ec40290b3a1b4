"""The regional schema through the action API: every field stored, normalised and shown back."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action
from schema_support import (
    EMS,
    EU,
    REGION,
    STRASBOURG,
    full_dataset,
    load_plugins,
    region_org,
)
from schema_support import sysadmin_context as admin

from ckanext.datagrandest import vocabularies

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture(scope="module")
def org(fresh_site):
    load_plugins()
    return region_org()


@pytest.fixture(scope="module")
def dataset(org):
    load_plugins()
    created = call_action("package_create", admin(), **full_dataset(org["id"]))
    return call_action("package_show", id=created["id"])


def test_every_dataset_field_is_stored_in_its_contract_form(dataset):
    assert dataset["territories"] == [STRASBOURG, EMS]
    assert dataset["granularity"] == "commune"
    # Codes and URIs alike are stored as URIs, in vocabulary order.
    assert dataset["theme"] == [EU + "data-theme/TRAN", EU + "data-theme/ENVI"]
    assert dataset["frequency"] == EU + "frequency/MONTHLY"
    assert dataset["language"] == [EU + "language/FRA", EU + "language/DEU"]
    assert dataset["access_rights"] == EU + "access-right/PUBLIC"
    assert dataset["license_id"] == "odc-odbl"
    assert dataset["license_url"] == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert dataset["contact"] == [
        {
            "name": "Service mobilité",
            "email": "mobilite@strasbourg.eu",
            "url": "https://www.strasbourg.eu/",
        }
    ]
    assert dataset["temporal_coverage"] == [{"start": "2020-01-01", "end": "2024-12-31"}]
    assert dataset["identifier"] == "ems-pistes-cyclables"
    assert dataset["version"] == "2.1"
    assert dataset["conforms_to"] == [
        "https://schema.data.gouv.fr/etalab/schema-amenagements-cyclables/"
    ]
    assert dataset["url"] == "https://data.strasbourg.eu/pistes"
    assert dataset["issued"] == "2021-03-01"
    spatial = dataset["spatial_coverage"][0]
    assert json.loads(spatial["geom"]) == {"type": "Point", "coordinates": [7.75, 48.58]}
    assert spatial["text"] == "Strasbourg"
    assert sorted(t["name"] for t in dataset["tags"]) == ["mobilité", "vélo"]


def test_resource_fields_are_normalised(dataset):
    file_resource, api_resource = dataset["resources"]
    assert file_resource["format"] == "GEOJSON"
    assert file_resource["mimetype"] == "application/geo+json"
    assert file_resource["size"] == 123456
    assert file_resource["license"] == "odc-odbl"
    assert file_resource["download_url"] == "https://data.strasbourg.eu/pistes.geojson"
    assert file_resource["hash_algorithm"] == "md5"
    assert file_resource["is_api"] == "false"
    assert api_resource["format"] == "WFS_SRVC"
    assert api_resource["is_api"] == "true"


def test_format_is_guessed_from_the_url_when_empty(org):
    created = call_action(
        "package_create",
        admin(),
        name="guess-format",
        title="Format deviné",
        notes="Sans format.",
        owner_org=org["id"],
        resources=[
            {"url": "https://example.org/liste.csv"},
            {"url": "https://example.org/sans-extension"},
        ],
    )
    assert created["resources"][0]["format"] == "CSV"
    assert created["resources"][0]["mimetype"] == "text/csv"
    assert created["resources"][1]["format"] == ""


def test_defaults_licence_and_territory_from_the_publisher(org):
    created = call_action(
        "package_create",
        admin(),
        name="minimal",
        title="Jeu minimal",
        notes="Le minimum.",
        owner_org=org["id"],
    )
    assert created["license_id"] == "etalab-2.0"
    assert created["license_url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    # The publisher's territory of competence (the région) stands in for a missing one.
    assert created["territories"] == [REGION]
    assert created["theme"] == []


def test_other_licence_keeps_its_text_and_drops_it_otherwise(org):
    created = call_action(
        "package_create",
        admin(),
        name="autre-licence",
        title="Autre licence",
        notes="Licence particulière.",
        owner_org=org["id"],
        license_id="other",
        license_other="Licence IGN de réutilisation",
    )
    assert created["license_other"] == "Licence IGN de réutilisation"
    patched = call_action("package_patch", admin(), id=created["id"], license_id="cc-by-4.0")
    assert "license_other" not in patched
    assert patched["license_url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_identifier_may_be_kept_on_update_but_not_reused(org, dataset):
    # Patched by name: the dataset is still recognised as the identifier's owner.
    updated = call_action("package_patch", admin(), id=dataset["name"], version="2.2")
    assert updated["identifier"] == "ems-pistes-cyclables"
    with pytest.raises(tk.ValidationError) as error:
        call_action(
            "package_create",
            admin(),
            **full_dataset(org["id"], name="copie", resources=[]),
        )
    assert "pistes-cyclables-strasbourg" in error.value.error_dict["identifier"][0]


def test_organization_fields_are_stored(org):
    shown = call_action("organization_show", id=org["id"])
    assert shown["body_kind"] == "region"
    assert shown["siren"] == "200052264"
    assert shown["website"] == "https://www.grandest.fr/"
    assert shown["email"] == "contact@grandest.fr"
    assert shown["territories"] == [REGION]


def test_siren_is_unique_but_an_organization_keeps_its_own(org):
    call_action("organization_patch", admin(), id=org["id"], description="Conseil régional.")
    with pytest.raises(tk.ValidationError) as error:
        region_org(name="doublon", title="Doublon")
    assert "Région Grand Est" in error.value.error_dict["siren"][0]


def test_spaces_in_a_siren_are_dropped(fresh_site):
    created = region_org(name="ems", title="Eurométropole", siren="246 700 488", territories=[EMS])
    assert created["siren"] == "246700488"


def test_the_licence_list_is_ours_and_carries_the_uris():
    licences = {item["id"]: item for item in call_action("license_list")}
    assert list(licences) == vocabularies.license_ids()
    assert licences["etalab-2.0"]["url"] == (
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    )
    assert licences["cc-zero-1.0"]["url"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert licences["cc-by-sa-4.0"]["url"] == "https://creativecommons.org/licenses/by-sa/4.0/"


def test_the_schema_labels_are_bilingual():
    schema = call_action("scheming_dataset_schema_show", type="dataset")
    for field in schema["dataset_fields"] + schema["resource_fields"]:
        label = field.get("label")
        assert isinstance(label, dict) and label.get("fr") and label.get("en"), field["field_name"]
