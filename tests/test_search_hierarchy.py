"""The territory filter's edge cases (EPCIs across départements, several places, negation) and
its size: one term for "on or inside", at most three codes for "around", whatever the place."""

from __future__ import annotations

import re

import pytest
from ckan.tests.helpers import call_action
from schema_support import (
    BAS_RHIN,
    METZ,
    MOSELLE,
    REGION,
    STRASBOURG,
    load_plugins,
    region_org,
    small_dataset,
)

from ckanext.datagrandest import territories
from ckanext.datagrandest.search import territory_filter

# CA Sarreguemines Confluences: communes in the Moselle and one in the Bas-Rhin.
SARREGUEMINES_AGGLO = "200070746"
SARREGUEMINES = "57631"  # in the Moselle
SILTZHEIM = "67468"  # in the Bas-Rhin

DATASETS = {
    "agglo": [SARREGUEMINES_AGGLO],
    "sarreguemines": [SARREGUEMINES],
    "siltzheim": [SILTZHEIM],
    "bas-rhin": [BAS_RHIN],
    "moselle": [MOSELLE],
    "region": [REGION],
    "strasbourg-et-metz": [STRASBOURG, METZ],
}


@pytest.fixture(scope="module")
def catalogue(fresh_site):
    load_plugins()
    org = region_org()
    for name, places in DATASETS.items():
        small_dataset(name, org, territories=places)


def _names(fq):
    result = call_action("package_search", rows=100, fq=fq)
    return {d["name"] for d in result["results"]}


@pytest.mark.usefixtures("with_plugins", "catalogue")
@pytest.mark.parametrize(
    ("territory", "expected"),
    [
        # A Bas-Rhin commune of an EPCI mostly in the Moselle: its EPCI, the Bas-Rhin, the
        # région; not the Moselle, where the commune is not.
        (SILTZHEIM, {"siltzheim", "agglo", "bas-rhin", "region"}),
        (SARREGUEMINES, {"sarreguemines", "agglo", "moselle", "region"}),
        # The EPCI: its communes, both its départements, the région.
        (
            SARREGUEMINES_AGGLO,
            {"agglo", "sarreguemines", "siltzheim", "moselle", "bas-rhin", "region"},
        ),
        # Each département finds the EPCI that reaches into it, and only its own commune.
        (MOSELLE, {"moselle", "agglo", "sarreguemines", "strasbourg-et-metz", "region"}),
        (BAS_RHIN, {"bas-rhin", "agglo", "siltzheim", "strasbourg-et-metz", "region"}),
        # A dataset on two communes is found from each, with what contains that one only.
        (STRASBOURG, {"strasbourg-et-metz", "bas-rhin", "region"}),
        (METZ, {"strasbourg-et-metz", "moselle", "region"}),
        (REGION, set(DATASETS)),
        # A commune with no dataset of its own still lists what covers it.
        ("57480", {"moselle", "region"}),  # Montigny-lès-Metz
    ],
)
def test_hierarchy_edge_cases(territory, expected):
    assert _names(f"territory:{territory}") == expected


@pytest.mark.usefixtures("with_plugins", "catalogue")
def test_negated_territory_filter_keeps_its_meaning():
    # Everything unrelated to the Moselle: neither on it, inside it nor around it.
    assert _names(f"-territory:{MOSELLE}") == {"siltzheim", "bas-rhin"}
    assert _names(f"territory:{BAS_RHIN} -territory:{MOSELLE}") == {"siltzheim", "bas-rhin"}


def test_filter_is_one_term_plus_the_ancestors():
    assert territory_filter(REGION) == f'vocab_territories_within:"{REGION}"'
    assert territory_filter(BAS_RHIN) == (
        f'(vocab_territories_within:"{BAS_RHIN}" OR vocab_territories:("{REGION}"))'
    )
    assert territory_filter(f" {SILTZHEIM} ") == (
        f'(vocab_territories_within:"{SILTZHEIM}" OR '
        f'vocab_territories:("{SARREGUEMINES_AGGLO}" OR "{BAS_RHIN}" OR "{REGION}"))'
    )


def test_no_place_costs_more_than_four_codes():
    # The cost of the hierarchy at query time: never a list of descendants, whatever the size
    # of the place (the région holds 5,115 communes).
    sizes = {
        t.code: len(re.findall(r'"[^"]*"', territory_filter(t.code)))
        for t in territories.territories()
    }
    assert max(sizes.values()) == 4
    assert sizes[REGION] == 1
    assert all(1 + len(territories.ancestors(code)) == size for code, size in sizes.items())


@pytest.mark.parametrize("odd", ["", "67 OR 57", '67") OR (*:*', "*", "é" * 3])
def test_odd_codes_match_nothing(odd):
    assert territory_filter(odd) == "vocab_territories_within:__none__"
