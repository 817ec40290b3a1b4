"""The quality criteria data.gouv.fr shows on a dataset, computed on ours, with French advice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from ckanext.datagrandest import vocabularies

__all__ = ["Criterion", "criteria"]

MIN_DESCRIPTION: Final = 100

# Days a dataset may go without an update for each EU frequency (the period plus a margin:
# a monthly dataset updated 33 days ago is not late). Frequencies without a period
# (as needed, irregular, never, unknown...) are always respected.
_DAY = 1.0
_PERIOD_DAYS: Final = {
    "CONT": _DAY,
    "UPDATE_CONT": _DAY,
    "1MIN": _DAY,
    "5MIN": _DAY,
    "10MIN": _DAY,
    "15MIN": _DAY,
    "30MIN": _DAY,
    "HOURLY": _DAY,
    "BIHOURLY": _DAY,
    "TRIHOURLY": _DAY,
    "12HRS": _DAY,
    "DAILY_2": _DAY,
    "DAILY": 2 * _DAY,
    "WEEKLY_5": 7 * _DAY,
    "WEEKLY_3": 7 * _DAY,
    "WEEKLY_2": 7 * _DAY,
    "WEEKLY": 8 * _DAY,
    "BIWEEKLY": 15 * _DAY,
    "MONTHLY_3": 31 * _DAY,
    "MONTHLY_2": 31 * _DAY,
    "MONTHLY": 33 * _DAY,
    "BIMONTHLY": 63 * _DAY,
    "QUARTERLY": 95 * _DAY,
    "ANNUAL_3": 366 * _DAY,
    "ANNUAL_2": 366 * _DAY,
    "ANNUAL": 380 * _DAY,
    "BIENNIAL": 2 * 380 * _DAY,
    "TRIENNIAL": 3 * 380 * _DAY,
    "QUADRENNIAL": 4 * 380 * _DAY,
    "QUINQUENNIAL": 5 * 380 * _DAY,
    "SEXENNIAL": 6 * 380 * _DAY,
    "DECENNIAL": 10 * 380 * _DAY,
    "BIDECENNIAL": 20 * 380 * _DAY,
    "TRIDECENNIAL": 30 * 380 * _DAY,
}
# A resource in one of these formats, or a documentation link, documents the data.
_DOC_FORMATS: Final = frozenset({"PDF", "PDFA", "HTML", "DOC", "DOCX", "ODT", "TXT", "MARKDOWN"})
_DOC_WORDS: Final = ("documentation", "notice", "dictionnaire", "description des champs")


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    met: bool
    fix: str
    detail: str = ""


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def _frequency(pkg: dict[str, Any], now: datetime) -> Criterion:
    label = "Fréquence de mise à jour respectée"
    uri = vocabularies.frequency_uri(pkg.get("frequency"))
    if uri is None:
        return Criterion(
            "frequency", label, False, "Indiquez la fréquence de mise à jour des données."
        )
    code = uri.rsplit("/", 1)[-1]
    days = _PERIOD_DAYS.get(code)
    if days is None:
        return Criterion("frequency", label, True, "", "pas de période fixe")
    last = _parse_date(pkg.get("modified")) or _parse_date(pkg.get("metadata_modified"))
    if last is None:
        return Criterion(
            "frequency", label, False, "Indiquez la date de dernière mise à jour des données."
        )
    late = now - last > timedelta(days=days)
    return Criterion(
        "frequency",
        label,
        not late,
        "Mettez les données à jour (et la date de mise à jour) : la fréquence annoncée "
        f"({vocabularies.frequency_label(uri)}) n'est pas respectée."
        if late
        else "",
        f"dernière mise à jour le {last.date().isoformat()}",
    )


def _documented(pkg: dict[str, Any]) -> bool:
    for resource in pkg.get("resources") or []:
        if not isinstance(resource, dict):
            continue
        if resource.get("documentation"):
            return True
        if vocabularies.file_type_code(resource.get("format")) in _DOC_FORMATS:
            return True
        words = f"{resource.get('name') or ''} {resource.get('description') or ''}".lower()
        if any(word in words for word in _DOC_WORDS):
            return True
    return False


def criteria(
    pkg: dict[str, Any], reachable: Mapping[str, bool], now: datetime | None = None
) -> list[Criterion]:
    """data.gouv.fr's criteria: description, update frequency, resources available, docs."""
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    notes = (pkg.get("notes") or "").strip()
    urls = [
        url.strip()
        for r in pkg.get("resources") or []
        if isinstance(r, dict)
        for url in (r.get("url"), r.get("download_url"))
        if isinstance(url, str) and url.strip()
    ]
    broken = [url for url in urls if reachable.get(url) is False]
    unchecked = [url for url in urls if url not in reachable]
    if not urls:
        available = Criterion(
            "resources_available",
            "Toutes les ressources sont disponibles",
            False,
            "Ajoutez au moins une ressource (fichier ou service).",
        )
    else:
        available = Criterion(
            "resources_available",
            "Toutes les ressources sont disponibles",
            not broken and not unchecked,
            "Réparez les liens en échec." if broken else "",
            f"{len(broken)} lien(s) en échec"
            if broken
            else "liens pas encore vérifiés"
            if unchecked
            else "",
        )
    return [
        Criterion(
            "description",
            f"Description d'au moins {MIN_DESCRIPTION} caractères",
            len(notes) >= MIN_DESCRIPTION,
            "Décrivez les données plus en détail : contenu, méthode de production, "
            "limites d'usage.",
            f"{len(notes)} caractères",
        ),
        _frequency(pkg, now),
        available,
        Criterion(
            "documentation",
            "Documentation présente",
            _documented(pkg),
            "Ajoutez une ressource de documentation (notice, dictionnaire des champs) "
            "ou un lien « Documentation » sur une ressource.",
        ),
    ]
