"""The vocabulary API shared by the schema, the DCAT profile and the harvesters."""

from __future__ import annotations

import pytest

from ckanext.datagrandest import vocabularies as v

EU = "http://publications.europa.eu/resource/authority/"


def test_the_thirteen_eu_themes_with_french_and_english_labels():
    themes = v.themes()
    assert [t.code for t in themes] == [
        "AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL",
        "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN",
    ]  # fmt: skip
    assert all(t.uri == f"{EU}data-theme/{t.code}" for t in themes)
    assert all(t.labels["fr"] and t.labels["en"] for t in themes)
    assert v.theme_label(f"{EU}data-theme/ENVI") == "Environnement"
    assert v.theme_label("envi", "en_GB") == "Environment"


def test_codes_uris_and_https_uris_designate_the_same_concept():
    uri = f"{EU}frequency/MONTHLY"
    assert v.frequency_uri("MONTHLY") == uri
    assert v.frequency_uri(uri) == uri
    assert v.frequency_uri(uri.replace("http://", "https://")) == uri
    assert v.frequency_label("monthly") == "Mensuel"


@pytest.mark.parametrize("code", ["FRA", "DEU", "ENG"])
def test_the_languages_of_the_region_are_there(code):
    assert v.language_uri(code) == f"{EU}language/{code}"


def test_access_rights():
    assert [c.code for c in v.access_rights()] == [
        "PUBLIC", "RESTRICTED", "NON_PUBLIC", "CONFIDENTIAL", "SENSITIVE",
    ]  # fmt: skip
    assert v.access_right_uri("public") == f"{EU}access-right/PUBLIC"


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("CSV", "CSV"),
        ("csv", "CSV"),
        (".csv", "CSV"),
        ("text/csv", "CSV"),
        ("GeoJSON", "GEOJSON"),
        ("application/geo+json", "GEOJSON"),
        ("Shapefile", "SHP"),
        ("ESRI Shapefile", "SHP"),
        ("xlsx", "XLSX"),
        ("WMS", "WMS_SRVC"),
        ("wfs_srvc", "WFS_SRVC"),
        (f"{EU}file-type/PDF", "PDF"),
    ],
)
def test_file_type_spellings(spelling, code):
    assert v.file_type_code(spelling) == code
    assert v.file_type_uri(spelling) == f"{EU}file-type/{code}"


def test_file_type_media_types():
    assert v.file_type_media_type("GEOJSON") == "application/geo+json"
    assert v.file_type_media_type("WMS_SRVC") is None


def test_licences_and_their_uris():
    assert v.license_ids() == [
        "etalab-2.0", "odc-odbl", "cc-by-4.0", "cc-by-sa-4.0", "cc-zero-1.0", "other",
    ]  # fmt: skip
    assert v.license_uri("etalab-2.0") == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert v.license_uri("odc-odbl") == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert v.license_uri("other") is None
    assert v.license_label("other", "en") == "Other licence (stated by the publisher)"


@pytest.mark.parametrize("odd", ["", "MAGIE", None, 42, ["ENVI"]])
def test_unknown_values_give_none_or_themselves(odd):
    assert v.theme_uri(odd) is None
    assert v.file_type_code(odd) is None
    assert v.license_uri(odd) is None
    assert v.theme_label(odd) == (odd if isinstance(odd, str) else str(odd))


def test_scheming_choices_carry_both_languages():
    choices = v.choices("frequency")
    assert choices[0]["value"].startswith(f"{EU}frequency/")
    assert set(choices[0]["label"]) == {"fr", "en"}
    assert v.choices("file-type")[0]["value"] == "CSV"
