"""Tests for the Grand Est territory vocabulary (pure Python: no CKAN, no network)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from ckanext.datagrandest import territories as t

REPO_ROOT = Path(__file__).resolve().parents[1]
DEPARTEMENTS = ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88")

# Computed from @etalab/decoupage-administratif 6.0.0 (COG 2026): current communes of
# the ten départements, and EPCIs with at least one member among them.
EXPECTED_EPCIS = 150
EXPECTED_COMMUNES = 5115
# CC des Savoir-Faire: 60 member communes in Haute-Marne, 3 in Haute-Saône (70).
STRADDLING_EPCI = "200070332"
# CA de Saint-Dié-des-Vosges: mostly Vosges (88), a few communes in Meurthe-et-Moselle.
MULTI_DEPARTEMENT_EPCI = "200071066"


def codes(results: list[t.Suggestion]) -> list[str]:
    return [r["code"] for r in results]


# --- data file and counts -------------------------------------------------------------


def test_header_records_source_package_and_pinned_version() -> None:
    header = json.loads(t.DATA_PATH.read_text("utf-8"))["h"]
    assert header["package"] == "@etalab/decoupage-administratif"
    assert header["version"] == "6.0.0"
    assert header["license"] == "MIT"
    assert header["command"] == "python scripts/territories/build_territories.py"
    assert t.metadata()["version"] == header["version"]
    pinned = json.loads((REPO_ROOT / "scripts/territories/package.json").read_text("utf-8"))
    assert pinned["dependencies"][header["package"]] == header["version"]
    lock = json.loads((REPO_ROOT / "scripts/territories/package-lock.json").read_text("utf-8"))
    locked = lock["packages"]["node_modules/@etalab/decoupage-administratif"]["version"]
    assert locked == header["version"]


def test_data_file_is_compact() -> None:
    text = t.DATA_PATH.read_text("utf-8")
    assert "\n" not in text.rstrip("\n")
    # Postal codes and populations included.
    assert len(text.encode()) < 450_000


def test_counts_per_kind() -> None:
    regions = t.territories("region")
    assert [r.code for r in regions] == ["44"]
    assert regions[0].name == "Grand Est"
    assert sorted(d.code for d in t.territories("departement")) == list(DEPARTEMENTS)
    epcis = t.territories("epci")
    communes = t.territories("commune")
    assert 100 < len(epcis) < 250
    assert 4500 < len(communes) < 5500
    assert len(epcis) == EXPECTED_EPCIS
    assert len(communes) == EXPECTED_COMMUNES
    assert len(t.territories()) == 1 + 10 + EXPECTED_EPCIS + EXPECTED_COMMUNES
    assert t.metadata()["counts"] == {"r": 1, "d": 10, "e": EXPECTED_EPCIS, "c": EXPECTED_COMMUNES}


def test_code_shapes_and_hierarchy_are_consistent() -> None:
    for commune in t.territories("commune"):
        assert len(commune.code) == 5 and commune.code.isdigit()
        assert commune.departement in DEPARTEMENTS
        assert commune.code.startswith(commune.departement)
        assert commune.parents[-1] == commune.departement
        epcis = [t.get(code) for code in commune.parents[:-1]]
        assert [e.kind if e else None for e in epcis] in ([], ["epci"])
    for epci in t.territories("epci"):
        assert len(epci.code) == 9 and epci.code.isdigit()
        assert epci.parents and set(epci.parents) <= set(DEPARTEMENTS)
        assert epci.departement == epci.parents[0]
    for departement in t.territories("departement"):
        assert departement.parents == ("44",)
        assert departement.departement == departement.code


def test_every_epci_has_member_communes() -> None:
    members = {c.parents[0] for c in t.territories("commune") if len(c.parents) == 2}
    assert members == {e.code for e in t.territories("epci")}


# --- lookups --------------------------------------------------------------------------


def test_metz() -> None:
    metz = t.get("57463")
    assert metz is not None
    assert (metz.name, metz.kind, metz.departement) == ("Metz", "commune", "57")
    assert metz.parents == ("200039865", "57")
    epci = t.get("200039865")
    assert epci is not None and epci.name == "Metz Métropole" and epci.kind == "epci"
    assert t.ancestors("57463") == ["200039865", "57", "44"]
    assert t.label("57") == "Moselle (département, 57)"


def test_strasbourg() -> None:
    strasbourg = t.get("67482")
    assert strasbourg is not None and strasbourg.name == "Strasbourg"
    assert strasbourg.parents[0] == "246700488"
    assert t.label("246700488") == "Eurométropole de Strasbourg (EPCI, 67)"
    assert t.ancestors("67482") == ["246700488", "67", "44"]


def test_unknown_codes() -> None:
    for code in ("", "   ", "00000", "75056", "2A004", "01", "999999999", "metz"):
        assert t.get(code) is None
        assert not t.is_known(code)
        assert t.ancestors(code) == []
    assert t.get(None) is None  # type: ignore[arg-type]
    assert t.is_known(" 67482 ")


def test_territory_is_frozen() -> None:
    metz = t.get("57463")
    assert metz is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        metz.name = "Mets"  # type: ignore[misc]


def test_former_communes_are_alt_names_not_codes() -> None:
    parent = t.get("08116")
    assert parent is not None and "Les Alleux" in parent.alt_names
    with_alts = [c for c in t.territories("commune") if c.alt_names]
    assert 250 < sum(len(c.alt_names) for c in with_alts) < 400
    for commune in with_alts:
        assert commune.name not in commune.alt_names


# --- ancestors ------------------------------------------------------------------------


def test_ancestors_per_kind() -> None:
    assert t.ancestors("44") == []
    assert t.ancestors("67") == ["44"]
    assert t.ancestors("246700488") == ["67", "44"]


def test_epci_spanning_departements() -> None:
    epci = t.get(MULTI_DEPARTEMENT_EPCI)
    assert epci is not None and epci.parents == ("88", "54")
    assert t.ancestors(MULTI_DEPARTEMENT_EPCI) == ["88", "54", "44"]
    # A member commune in 54 is not in 88, although its EPCI is.
    in_54 = [c for c in t.territories("commune") if c.parents == (MULTI_DEPARTEMENT_EPCI, "54")]
    assert in_54
    assert t.ancestors(in_54[0].code) == [MULTI_DEPARTEMENT_EPCI, "54", "44"]


def test_epci_straddling_regions_is_recorded() -> None:
    epci = t.get(STRADDLING_EPCI)
    assert epci is not None
    assert epci.parents == ("52",)
    assert epci.outside_departements == ("70",)
    assert t.label(STRADDLING_EPCI) == "CC des Savoir-Faire (EPCI, 52/70)"
    assert not t.is_known("70")
    straddlers = [e.code for e in t.territories("epci") if e.outside_departements]
    assert straddlers == [STRADDLING_EPCI]


def test_with_ancestors_dedupes_in_stable_order() -> None:
    assert t.with_ancestors(["67482", "67", "57463", "67482"]) == [
        "67482",
        "67",
        "57463",
        "246700488",
        "44",
        "200039865",
        "57",
    ]
    assert t.with_ancestors([]) == []
    assert t.with_ancestors(["nope", " ", "", "44"]) == ["nope", "44"]
    assert t.with_ancestors(iter(["88160"])) == ["88160", "200068757", "88", "44"]


def test_geographic_search_in_both_directions() -> None:
    # What the portal does: index each dataset's territories with their ancestors, and
    # expand a searched code with its own ancestors on the plain territories field.
    datasets = {
        "bas-rhin": ["67"],
        "strasbourg": ["67482"],
        "grand-est": ["44"],
        "metz": ["57463"],
        "eurometropole": ["246700488"],
    }
    indexed = {name: set(t.with_ancestors(places)) for name, places in datasets.items()}

    def inside(code: str) -> set[str]:
        return {name for name, values in indexed.items() if code in values}

    def around(code: str) -> set[str]:
        wanted = set(t.with_ancestors([code]))
        return {name for name, places in datasets.items() if wanted & set(places)}

    assert inside("67") == {"bas-rhin", "strasbourg", "eurometropole"}
    assert inside("44") == set(datasets)
    assert around("67482") == {"bas-rhin", "strasbourg", "grand-est", "eurometropole"}
    assert around("57463") == {"metz", "grand-est"}


# --- labels ---------------------------------------------------------------------------


def test_labels() -> None:
    assert t.label("67482") == "Strasbourg (commune, 67)"
    assert t.label("67") == "Bas-Rhin (département, 67)"
    assert t.label("67", "en") == "Bas-Rhin (department, 67)"
    assert t.label("67", "en_GB") == "Bas-Rhin (department, 67)"
    assert t.label("67", "de") == "Bas-Rhin (département, 67)"
    assert t.label("44") == "Grand Est (région)"
    assert t.label("200039865") == "Metz Métropole (EPCI, 57)"
    assert t.label("12345") == "12345"
    assert t.label("") == ""


def test_kinds() -> None:
    assert list(t.KINDS) == ["region", "departement", "epci", "commune"]
    assert t.KINDS["region"] == {"fr": "région", "en": "region"}
    assert t.KINDS["departement"]["fr"] == "département"
    assert t.KINDS["departement"]["en"] == "department"
    assert t.KINDS["epci"]["fr"] == "EPCI"
    assert t.KINDS["commune"]["fr"] == "commune"


# --- autocomplete ---------------------------------------------------------------------


def test_normalise() -> None:
    assert t.normalise("Saint-Dié-des-Vosges") == "saint die des vosges"
    assert t.normalise("  L'Hôpital ") == "l hopital"
    assert t.normalise("Sercœur") == "sercoeur"
    assert t.normalise("--") == ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("metz", "57463"),
        ("Metz", "57463"),
        ("METZ", "57463"),
        ("Épinal", "88160"),
        ("epinal", "88160"),
        ("ÉPINAL", "88160"),
        ("67482", "67482"),
        (" 67482 ", "67482"),
        ("saint die", "88413"),
        ("Saint-Dié", "88413"),
        ("saint-die-des-vosges", "88413"),
        ("saintdie", "88413"),
        ("SAINT   DIÉ", "88413"),
        ("strasbourg", "67482"),
        ("bas rhin", "67"),
        ("grand est", "44"),
        ("44", "44"),
    ],
)
def test_autocomplete_finds_first(query: str, expected: str) -> None:
    results = t.autocomplete(query)
    assert results, query
    assert results[0]["code"] == expected


def test_autocomplete_result_shape() -> None:
    [first, *_] = t.autocomplete("strasbourg")
    assert first == {
        "code": "67482",
        "name": "Strasbourg",
        "kind": "commune",
        "departement": "67",
        "label": "Strasbourg (commune, 67)",
        "matched_alt_name": None,
        "matched_postal_code": None,
    }
    assert "246700488" in codes(t.autocomplete("strasbourg"))
    assert t.autocomplete("bas rhin", lang="en")[0]["label"] == "Bas-Rhin (department, 67)"


def test_autocomplete_prefix_before_substring() -> None:
    results = t.autocomplete("bourg", limit=50)
    starts = [t.normalise(r["name"]).startswith("bourg") for r in results]
    assert any(starts) and not all(starts)
    assert starts == sorted(starts, reverse=True)
    assert "67482" in codes(t.autocomplete("strasbourg"))


def test_autocomplete_bigger_kinds_first_on_ties() -> None:
    results = t.autocomplete("67", limit=5)
    assert [r["kind"] for r in results] == ["departement"] + ["commune"] * 4
    assert all(r["code"].startswith("67") for r in results)
    marne = t.autocomplete("marne", limit=6)
    assert codes(marne)[:2] == ["51", "52"]
    # Among word-start matches after the départements: EPCIs come before communes.
    rest = [r["kind"] for r in marne[2:]]
    assert rest == sorted(rest, key=list(t.KINDS).index)


def test_autocomplete_larger_places_first_among_equal_matches() -> None:
    results = t.autocomplete("saint", limit=200)
    # Saint-Dizier, Saint-Louis and Saint-Dié-des-Vosges, the largest, before villages.
    assert codes(results)[:3] == ["52448", "68297", "88413"]
    prefix = [r for r in results if t.normalise(r["name"]).startswith("saint")]
    populations = [t.population(r["code"]) or 0 for r in prefix]
    assert len(populations) > 20
    assert populations == sorted(populations, reverse=True)
    assert populations[-1] < 100 < 10_000 < populations[3]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("st die", "88413"),
        ("St-Dié", "88413"),
        ("ST DIE DES VOSGES", "88413"),
        ("st louis", "68297"),
        ("ste marie aux mines", "68298"),
        ("ste menehould", "51507"),
        ("67000", "67482"),
        ("88100", "88413"),
        ("57000", "57463"),
    ],
)
def test_autocomplete_abbreviations_and_postal_codes(query: str, expected: str) -> None:
    assert codes(t.autocomplete(query))[0] == expected


def test_autocomplete_postal_code_is_said() -> None:
    [first] = t.autocomplete("67000")
    assert first["code"] == "67482"
    assert first["matched_postal_code"] == "67000"
    # A code that is both a postal code and an INSEE code gives both places.
    assert set(codes(t.autocomplete("67100"))) >= {"67482", "67100"}
    # A prefix of postal codes lists the communes of that area, largest first.
    assert codes(t.autocomplete("6700", limit=3))[0] == "67482"
    assert t.postal_codes("67482") == ["67000", "67100", "67200"]
    assert t.postal_codes("67") == [] and t.postal_codes("nope") == []


def test_autocomplete_st_still_finds_strasbourg_and_ste_whole_words() -> None:
    found = codes(t.autocomplete("st", limit=5))
    assert found[0] == "67482" and "52448" in found
    # "ste" is Sainte, never the "Saint-É..." of "Saint-Étienne".
    for result in t.autocomplete("ste", limit=50):
        assert t.normalise(result["name"]).split()[:1] != ["saint"], result


def test_population_and_children() -> None:
    assert (t.population("44") or 0) > 5_000_000
    assert (t.population("67482") or 0) > 250_000
    assert t.population("nope") is None
    assert [c.code for c in t.children("44")] == sorted(
        DEPARTEMENTS, key=lambda c: t.normalise(t.get(c).name)
    )  # type: ignore[union-attr]
    bas_rhin = t.children("67")
    assert {c.kind for c in bas_rhin} == {"epci", "commune"}
    assert "246700488" in [c.code for c in bas_rhin] and "67482" in [c.code for c in bas_rhin]
    assert all(c.departement == "67" for c in bas_rhin if c.kind == "commune")
    ems = t.children("246700488")
    assert "67482" in [c.code for c in ems] and all(c.kind == "commune" for c in ems)
    assert t.children("67482") == [] and t.children("nope") == []


def test_autocomplete_former_commune_name() -> None:
    [first, *_] = t.autocomplete("les alleux")
    assert first["code"] == "08116"
    assert first["matched_alt_name"] == "Les Alleux"


@pytest.mark.parametrize(
    "query", ["", "   ", "\t\n", "---", "'", "zzqxw", "x" * 10_000, "strasbourg" * 50]
)
def test_autocomplete_no_result(query: str) -> None:
    assert t.autocomplete(query) == []


def test_autocomplete_limit() -> None:
    assert len(t.autocomplete("a", limit=3)) == 3
    assert len(t.autocomplete("a")) == 10
    assert t.autocomplete("a", limit=0) == []
    assert t.autocomplete(None) == []  # type: ignore[arg-type]
