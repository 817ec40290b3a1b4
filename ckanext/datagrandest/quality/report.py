"""Quality of a publisher's or the whole portal's datasets: average, grades, broken links, to fix.

The same report feeds the publisher page, the sysadmin page and
``ckan datagrandest quality report``.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any, Final

import ckan.plugins.toolkit as tk

from ckanext.datagrandest.quality import assess, indicators

__all__ = ["as_csv", "as_text", "build"]

_PAGE: Final = 500
TO_FIX: Final = 20


def _datasets(org_id: str | None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    start = 0
    while True:
        page = tk.get_action("package_search")(
            {"ignore_auth": True},
            {
                "fq": f'owner_org:"{org_id}"' if org_id else "",
                "include_private": True,
                "rows": _PAGE,
                "start": start,
                "sort": "name asc",
            },
        )
        found.extend(page["results"])
        start += _PAGE
        if start >= page["count"]:
            return found


def build(publisher: str | None = None) -> dict[str, Any]:
    """The report of one publisher (name or id; ObjectNotFound if unknown) or of the portal."""
    org: dict[str, Any] | None = None
    if publisher:
        org = tk.get_action("organization_show")(
            {"ignore_auth": True}, {"id": publisher, "include_datasets": False}
        )
    pkgs = _datasets(org["id"] if org else None)
    scored = assess.assess_many(pkgs)
    rows = []
    broken = []
    for pkg in pkgs:
        found = scored[pkg["id"]]
        missing = sorted(
            (i for i in found["indicators"] if i["earned"] < i["points"]),
            key=lambda i: i["earned"] - i["points"],
        )
        rows.append(
            {
                "name": pkg["name"],
                "title": pkg.get("title") or pkg["name"],
                "organization": (pkg.get("organization") or {}).get("name", ""),
                "score": found["score"],
                "grade": found["grade"],
                "grade_label": found["grade_label"],
                "broken_links": len(found["broken_links"]),
                "links_checked": found["links_checked"],
                "missing": missing,
                "gain": sum(i["points"] - i["earned"] for i in missing),
            }
        )
        for link in found["broken_links"]:
            broken.append({"name": pkg["name"], "title": pkg.get("title"), **link})
    grades = Counter(r["grade"] for r in rows)
    average = sum(r["score"] for r in rows) / len(rows) if rows else 0.0
    # Worst first; among equals, the one with the most broken links.
    to_fix = sorted(rows, key=lambda r: (r["score"], -r["broken_links"], r["name"]))[:TO_FIX]
    return {
        "publisher": org,
        "datasets": len(rows),
        "average": round(average, 1),
        "average_grade": indicators.GRADE_LABELS[indicators.grade(round(average))],
        "max_score": indicators.MAX_SCORE,
        "grades": [
            {"grade": name, "label": indicators.GRADE_LABELS[name], "count": grades.get(name, 0)}
            for name, _ in indicators.GRADES
        ],
        "broken_links": broken,
        "to_fix": to_fix,
        "rows": rows,
    }


def as_text(report: dict[str, Any]) -> str:
    org = report["publisher"]
    lines = [
        f"Qualité des métadonnées : {org['title'] if org else 'tout le portail'}",
        f"Jeux de données : {report['datasets']}",
        f"Score moyen : {report['average']} / {report['max_score']} ({report['average_grade']})",
        "Répartition : " + ", ".join(f"{g['label']} {g['count']}" for g in report["grades"]),
        f"Liens en échec : {len(report['broken_links'])}",
    ]
    for link in report["broken_links"]:
        why = link.get("error") or f"HTTP {link.get('status')}"
        lines.append(f"  - {link['name']} : {link['url']} ({why})")
    lines.append("À corriger en priorité :")
    for row in report["to_fix"]:
        advice = " ".join(i["fix"] for i in row["missing"][:3] if i["fix"])
        lines.append(f"  - {row['name']} : {row['score']} ({row['grade_label']}) — {advice}")
    return "\n".join(lines)


def as_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["jeu_de_donnees", "titre", "producteur", "score", "note", "liens_en_echec", "a_corriger"]
    )
    for row in report["rows"]:
        writer.writerow(
            [
                row["name"],
                row["title"],
                row["organization"],
                row["score"],
                row["grade_label"],
                row["broken_links"],
                " | ".join(i["label"] for i in row["missing"]),
            ]
        )
    return out.getvalue()
