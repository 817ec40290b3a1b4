"""One dataset's quality: MQA score and grade, data.gouv.fr criteria, broken links, advice."""

from __future__ import annotations

import json
from typing import Any, Final

from ckanext.datagrandest.harvesters import provenance
from ckanext.datagrandest.linkcheck import jobs
from ckanext.datagrandest.linkcheck import model as links_model
from ckanext.datagrandest.quality import compliance, datagouv, indicators

__all__ = ["KEY", "add_quality", "assess", "assess_many", "index_fields"]

KEY: Final = "datagrandest_quality"
GRADE_FIELD: Final = "vocab_quality_grade"
# Zero-padded text: the catch-all index field is a string, and "0351" sorts after "0221".
SCORE_FIELD: Final = "datagrandest_quality_score"


def _reachable(pkg: dict[str, Any], states: list[links_model.LinkState]) -> dict[str, bool]:
    # Only the links the dataset has now: a replaced URL's old checks no longer count.
    current = {url for _, url in jobs.links_of(pkg)}
    return {state.url: state.ok for state in states if state.url in current}


def assess(
    pkg: dict[str, Any],
    states: list[links_model.LinkState] | None = None,
    known: compliance.Compliance | None = None,
    *,
    use_cache: bool = True,
) -> dict[str, Any]:
    """The quality of one dataset dict (as ``package_show`` gives it), as a JSON-ready dict."""
    if states is None:
        states = links_model.latest_for_packages([pkg["id"]]).get(pkg["id"], [])
    if known is None and use_cache:
        known = compliance.lookup(pkg)
    reachable = _reachable(pkg, states)
    states = [s for s in states if s.url in reachable]
    inputs = indicators.Inputs(
        reachable=reachable, dcat_compliant=None if known is None else known.conforms
    )
    results = indicators.score(pkg, inputs)
    total = sum(r.earned for r in results)
    grade = indicators.grade(total)
    broken = [s.as_dict() for s in states if not s.ok]
    return {
        "score": total,
        "max_score": indicators.MAX_SCORE,
        "grade": grade,
        "grade_label": indicators.GRADE_LABELS[grade],
        "indicators": [
            {
                "key": r.key,
                "dimension": r.dimension,
                "label": r.label,
                "points": r.points,
                "earned": r.earned,
                "fix": r.fix if r.missing else "",
                "note": r.note,
            }
            for r in results
        ],
        "datagouv": [
            {"key": c.key, "label": c.label, "met": c.met, "fix": c.fix, "detail": c.detail}
            for c in datagouv.criteria(pkg, reachable)
        ],
        "broken_links": broken,
        "links_checked": len(states),
        "last_link_check": max((s.checked_at for s in states), default=None),
        "dcat_ap": None
        if known is None
        else {"conforms": known.conforms, "violations": known.violations, "current": known.current},
    }


def assess_many(pkgs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The quality of several datasets with one link-health query."""
    states = links_model.latest_for_packages([p["id"] for p in pkgs])
    known = compliance.lookup_many(pkgs)
    return {
        p["id"]: assess(p, states.get(p["id"], []), known.get(p["id"]), use_cache=False)
        for p in pkgs
    }


def _jsonable(found: dict[str, Any]) -> dict[str, Any]:
    last = found.get("last_link_check")
    if last is not None and not isinstance(last, str):
        found["last_link_check"] = last.isoformat()
    return found


def add_quality(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.after_dataset_show: the quality, for the API and the pages."""
    if pkg_dict.get("type", "dataset") != "dataset" or not pkg_dict.get("id"):
        return pkg_dict
    pkg_dict[KEY] = _jsonable(assess(pkg_dict))
    return pkg_dict


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """IPackageController.before_dataset_index: the grade (facet) and the score (sort).

    Scored on the validated dict CKAN serialised for the index (lists, not JSON strings).
    """
    provenance.strip_computed(pkg_dict, KEY)
    try:
        validated = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    except ValueError:
        return pkg_dict
    if not isinstance(validated, dict) or not validated.get("id"):
        return pkg_dict
    if validated.get("type", "dataset") != "dataset":
        return pkg_dict
    found = assess(validated)
    pkg_dict[GRADE_FIELD] = [found["grade"]]
    pkg_dict[SCORE_FIELD] = f"{found['score']:04d}"
    return pkg_dict
