"""The MQA score of hand-built datasets, indicator by indicator, and data.gouv.fr's criteria."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from ckanext.datagrandest.quality import datagouv, indicators
from ckanext.datagrandest.quality.indicators import Inputs

EU = "http://publications.europa.eu/resource/authority/"
NOTHING = Inputs(reachable={}, dcat_compliant=None)


def full() -> dict[str, Any]:
    """A dataset that earns every point its fields can give."""
    return {
        "id": "x",
        "notes": "Des mesures. " * 10,
        "tags": [{"name": "air"}],
        "theme": [EU + "data-theme/ENVI"],
        "territories": ["67482"],
        "temporal_coverage": [{"start": "2020-01-01", "end": "2024-12-31"}],
        "license_id": "etalab-2.0",
        "access_rights": EU + "access-right/PUBLIC",
        "contact": [{"name": "Service SIG", "email": "sig@example.fr"}],
        "owner_org": "org-id",
        "issued": "2020-01-01",
        "modified": "2024-06-30",
        "frequency": EU + "frequency/IRREG",
        "resources": [
            {
                "url": "https://example.fr/page",
                "download_url": "https://example.fr/a.csv",
                "format": "CSV",
                "mimetype": "text/csv",
                "size": 1200,
                "rights": "Réutilisation libre",
            }
        ],
    }


ALL_UP = Inputs(
    reachable={"https://example.fr/page": True, "https://example.fr/a.csv": True},
    dcat_compliant=True,
)


def earned(pkg: dict[str, Any], inputs: Inputs = ALL_UP) -> dict[str, int]:
    return {r.key: r.earned for r in indicators.score(pkg, inputs)}


def test_the_weights_add_up_to_405_and_the_grades_follow_the_mqa():
    assert indicators.MAX_SCORE == 405
    assert [indicators.grade(n) for n in (405, 351, 350, 221, 220, 121, 120, 0)] == [
        "excellent",
        "excellent",
        "bon",
        "bon",
        "suffisant",
        "suffisant",
        "faible",
        "faible",
    ]


def test_a_complete_reachable_compliant_dataset_scores_405():
    found = earned(full())
    assert sum(found.values()) == 405, found


@pytest.mark.parametrize(
    ("key", "points", "change"),
    [
        ("keywords", 30, {"tags": []}),
        ("themes", 30, {"theme": []}),
        ("spatial", 20, {"territories": [], "spatial_coverage": []}),
        ("temporal", 20, {"temporal_coverage": []}),
        ("licence", 20, {"license_id": "", "_also": "licence_vocabulary"}),
        ("licence_vocabulary", 10, {"license_id": "other"}),
        ("access_rights", 10, {"access_rights": "", "_also": "access_rights_vocabulary"}),
        ("access_rights_vocabulary", 5, {"access_rights": "quand on veut"}),
        ("contact_point", 20, {"contact": []}),
        ("publisher", 10, {"owner_org": None}),
        ("issued", 5, {"issued": ""}),
        ("modified", 5, {"modified": None}),
    ],
)
def test_each_dataset_indicator_gives_its_points_or_none(key, points, change):
    change = dict(change)
    also = change.pop("_also", None)  # an indicator that depends on this one
    before = earned(full())
    after = earned({**full(), **change})
    assert before[key] == points
    assert after[key] == 0
    # nothing else moved
    assert {k: v for k, v in after.items() if k not in (key, also)} == {
        k: v for k, v in before.items() if k not in (key, also)
    }


@pytest.mark.parametrize(
    ("key", "points", "change"),
    [
        ("download_url", 20, {"download_url": ""}),
        ("format", 20, {"format": ""}),
        ("media_type", 10, {"mimetype": ""}),
        ("byte_size", 5, {"size": None}),
        ("rights", 5, {"rights": ""}),
    ],
)
def test_each_distribution_indicator_counts_the_share_of_distributions(key, points, change):
    pkg = full()
    pkg["resources"] = [pkg["resources"][0], {**pkg["resources"][0], **change}]
    found = earned(pkg)
    assert found[key] == round(points / 2)


def test_format_vocabulary_non_proprietary_and_machine_readable():
    pdf = full()
    pdf["resources"][0].update(format="PDF", mimetype="application/pdf")
    found = earned(pdf)
    assert (found["format_vocabulary"], found["non_proprietary"], found["machine_readable"]) == (
        10,
        20,
        0,
    )
    xlsx = full()
    xlsx["resources"][0].update(format="XLSX", mimetype="")
    found = earned(xlsx)
    assert (found["format_vocabulary"], found["non_proprietary"], found["machine_readable"]) == (
        10,
        0,
        20,
    )
    unknown = full()
    unknown["resources"][0].update(format="NeTEx-maison", mimetype="")
    found = earned(unknown)
    assert (found["format_vocabulary"], found["non_proprietary"], found["machine_readable"]) == (
        0,
        0,
        0,
    )


def test_reachability_comes_from_link_health():
    half = Inputs(
        reachable={"https://example.fr/page": True, "https://example.fr/a.csv": False},
        dcat_compliant=True,
    )
    found = earned(full(), half)
    assert (found["access_url_reachable"], found["download_url_reachable"]) == (50, 0)
    never = {r.key: r for r in indicators.score(full(), NOTHING)}
    assert never["access_url_reachable"].earned == 0
    assert never["access_url_reachable"].note == "liens pas encore vérifiés"


def test_dcat_ap_compliance_comes_from_the_validation():
    assert earned(full(), Inputs(ALL_UP.reachable, True))["dcat_ap_compliance"] == 30
    assert earned(full(), Inputs(ALL_UP.reachable, False))["dcat_ap_compliance"] == 0
    unknown = {r.key: r for r in indicators.score(full(), Inputs(ALL_UP.reachable, None))}
    assert unknown["dcat_ap_compliance"].earned == 0
    assert unknown["dcat_ap_compliance"].note == "non évalué"


def test_a_dataset_without_resources_gets_no_distribution_points_and_french_advice():
    bare = {"id": "y", "title": "Vide", "license_id": "etalab-2.0", "owner_org": "o"}
    results = indicators.score(bare, NOTHING)
    assert sum(r.earned for r in results) == 20 + 10 + 10  # licence, its vocabulary, publisher
    advice = {r.key: r.fix for r in results if r.missing}
    assert advice["keywords"] == "Ajoutez des mots-clés décrivant le contenu des données."
    assert "download_url" in advice and "licence" not in advice


def criteria(pkg: dict[str, Any], reachable: dict[str, bool], now: datetime) -> dict[str, Any]:
    return {c.key: c for c in datagouv.criteria(pkg, reachable, now)}


def test_datagouv_description_of_100_characters():
    now = datetime(2024, 7, 1)
    assert criteria({**full(), "notes": "x" * 100}, {}, now)["description"].met
    short = criteria({**full(), "notes": "x" * 99}, {}, now)["description"]
    assert not short.met and short.detail == "99 caractères"


def test_datagouv_update_frequency_respected():
    monthly = {**full(), "frequency": EU + "frequency/MONTHLY", "modified": "2024-06-01"}
    assert criteria(monthly, {}, datetime(2024, 6, 30))["frequency"].met
    late = criteria(monthly, {}, datetime(2024, 9, 1))["frequency"]
    assert not late.met
    assert "n'est pas respectée" in late.fix
    assert criteria({**full(), "frequency": EU + "frequency/IRREG"}, {}, datetime(2030, 1, 1))[
        "frequency"
    ].met
    missing = criteria({**full(), "frequency": ""}, {}, datetime(2024, 1, 1))["frequency"]
    assert not missing.met and "fréquence" in missing.fix


def test_datagouv_all_resources_available_and_documentation():
    now = datetime(2024, 7, 1)
    up = {"https://example.fr/page": True, "https://example.fr/a.csv": True}
    assert criteria(full(), up, now)["resources_available"].met
    down = criteria(full(), {**up, "https://example.fr/a.csv": False}, now)
    assert not down["resources_available"].met
    assert down["resources_available"].detail == "1 lien(s) en échec"
    assert not criteria(full(), {}, now)["resources_available"].met  # never checked
    assert not criteria(full(), up, now)["documentation"].met
    documented = full()
    documented["resources"].append({"url": "https://example.fr/notice.pdf", "format": "PDF"})
    assert criteria(documented, up, now)["documentation"].met
