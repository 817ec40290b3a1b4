"""Remote themes, frequencies and licences mapped onto our vocabularies (harvesters/mapping.py)."""

from __future__ import annotations

import pytest

from ckanext.datagrandest import vocabularies
from ckanext.datagrandest.harvesters import mapping

THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"

# Every frequency value udata documents (udata/core/dataset/constants.py UPDATE_FREQUENCIES).
UDATA_FREQUENCIES = (
    "punctual continuous hourly fourTimesADay threeTimesADay semidaily daily fourTimesAWeek "
    "threeTimesAWeek semiweekly weekly biweekly threeTimesAMonth semimonthly monthly bimonthly "
    "quarterly threeTimesAYear semiannual annual biennial triennial quinquennial irregular unknown"
).split()


@pytest.mark.parametrize(
    ("labels", "codes"),
    [
        ("Transports", ["TRAN"]),
        ("Mobilité - Transport", ["TRAN"]),
        ("Culture, Sports", ["EDUC"]),
        ("Éducation, culture et sport", ["EDUC"]),
        ("Economy and finance", ["ECON"]),
        (["Agriculture", "Énergies"], ["AGRI", "ENER"]),
        ("Administration, Gouvernement, Finances publiques, Citoyenneté", ["GOVE", "ECON"]),
        # Whole words only: these merely start like a theme word.
        ("Climatisation des bâtiments publics", []),
        ("Socialisme municipal", []),
        ("Équipements sportifs", ["EDUC"]),
    ],
)
def test_themes_match_whole_words_or_whole_eu_labels(labels, codes):
    assert mapping.theme_uris(labels) == [THEME + code for code in codes]


def test_every_udata_frequency_maps_to_our_vocabulary_or_nothing():
    for value in UDATA_FREQUENCIES:
        uri = mapping.frequency_uri(value)
        assert uri is None or vocabularies.concept("frequency", uri), value
    assert mapping.frequency_uri("continuous") == FREQUENCY + "CONT"
    assert mapping.frequency_uri("semiannual") == FREQUENCY + "ANNUAL_2"
    assert mapping.frequency_uri("punctual") == FREQUENCY + "NEVER"
    assert mapping.frequency_uri("unknown") == FREQUENCY + "UNKNOWN"
    # Finer than our table offers: "other", not a wrong neighbour.
    assert mapping.frequency_uri("fourTimesADay") == FREQUENCY + "OTHER"
    assert mapping.frequency_uri("MONTHLY") == FREQUENCY + "MONTHLY"
    assert mapping.frequency_uri("tous les mardis") is None
    assert mapping.frequency_uri(None) is None


def test_licences_are_recognised_by_our_ids_uris_and_labels():
    for item in vocabularies.licenses():
        if item.id == "other":
            continue
        assert mapping.license_fields(item.id) == {"license_id": item.id}
        assert mapping.license_fields(item.uri) == {"license_id": item.id}, item.uri
        for text in item.labels.values():
            assert mapping.license_fields(text) == {"license_id": item.id}, text


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("fr-lo", "etalab-2.0"),
        ("lov2", "etalab-2.0"),
        ("ODbL", "odc-odbl"),
        ("CC-BY-SA 4.0", "cc-by-sa-4.0"),
        ("cc-by", "cc-by-4.0"),
        ("http://creativecommons.org/licenses/by/4.0", "cc-by-4.0"),
    ],
)
def test_remote_licence_synonyms(remote, expected):
    assert mapping.license_fields(remote) == {"license_id": expected}


def test_unknown_licence_keeps_its_text():
    assert mapping.license_fields("notspecified") == {
        "license_id": "other",
        "license_other": "Licence non précisée par la source (notspecified).",
    }
    assert mapping.license_fields("  ") == {}
