"""The MQA indicators of data.europa.eu (405 points) computed on one dataset, with French advice.

Dataset-level indicators give all their points or none. Distribution-level ones (access and
download URLs, formats, media types, byte size, rights) give their points in proportion to the
share of distributions that meet them, as a dataset whose half of files is dead is half
reachable; a dataset without any distribution gets none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ckanext.datagrandest import vocabularies

__all__ = [
    "GRADES",
    "INDICATORS",
    "MAX_SCORE",
    "Indicator",
    "Inputs",
    "Result",
    "grade",
    "score",
]

GRADES: Final = (("excellent", 351), ("bon", 221), ("suffisant", 121), ("faible", 0))
GRADE_LABELS: Final = {
    "excellent": "Excellent",
    "bon": "Bon",
    "suffisant": "Suffisant",
    "faible": "Faible",
}

# File types the MQA counts as non-proprietary and as machine-readable (EU file-type codes).
NON_PROPRIETARY: Final = frozenset(
    "CSV TSV JSON JSON_LD GEOJSON XML RDF RDF_XML RDF_TURTLE TTL N3 NT NQUADS TRIG HTML TXT "
    "ODS ODT ODP ODG ODF GML KML KMZ GPKG GPX PNG SVG TIFF GEOTIFF JPEG2000 PDF PDFA ZIP GZIP "
    "TAR 7Z NETCDF PARQUET ATOM RSS WMS_SRVC WFS_SRVC WCS_SRVC WMTS_SRVC SPARQLQ YAML GTFS "
    "MARKDOWN SQL XSD".split()
)
MACHINE_READABLE: Final = frozenset(
    "CSV TSV JSON JSON_LD GEOJSON XML RDF RDF_XML RDF_TURTLE TTL N3 NT NQUADS TRIG XLS XLSX "
    "ODS GML KML KMZ GPKG GPX SHP DBF NETCDF PARQUET ATOM RSS WMS_SRVC WFS_SRVC WCS_SRVC "
    "WMTS_SRVC SPARQLQ YAML MDB ACCDB GTFS XSD SQL".split()
)


@dataclass(frozen=True)
class Inputs:
    """What the score needs besides the dataset: link health and DCAT-AP validation."""

    # URL -> answered (True), failed (False); absent: never checked.
    reachable: Mapping[str, bool]
    # None: not evaluated (no shapes configured or validation not run yet).
    dcat_compliant: bool | None


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    points: int
    label: str  # French, as the MQA names it
    fix: str  # French: what an editor does to earn the points
    measure: Callable[[dict[str, Any], Inputs], float]


@dataclass(frozen=True)
class Result:
    key: str
    dimension: str
    label: str
    points: int
    earned: int
    share: float
    fix: str
    note: str = ""

    @property
    def missing(self) -> bool:
        return self.earned < self.points


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return any(_filled(v) for v in value)
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    return value is not None


def _resources(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in pkg.get("resources") or [] if isinstance(r, dict)]


def _share(pkg: dict[str, Any], test: Callable[[dict[str, Any]], bool]) -> float:
    resources = _resources(pkg)
    if not resources:
        return 0.0
    return sum(1 for r in resources if test(r)) / len(resources)


def _format_code(resource: dict[str, Any]) -> str | None:
    return vocabularies.file_type_code(resource.get("format"))


def _tags(pkg: dict[str, Any], _: Inputs) -> float:
    return float(bool(pkg.get("tags")) or _filled(pkg.get("tag_string")))


def _field(name: str) -> Callable[[dict[str, Any], Inputs], float]:
    return lambda pkg, _: float(_filled(pkg.get(name)))


def _spatial(pkg: dict[str, Any], _: Inputs) -> float:
    return float(_filled(pkg.get("territories")) or _filled(pkg.get("spatial_coverage")))


def _access_reachable(pkg: dict[str, Any], inputs: Inputs) -> float:
    def answered(resource: dict[str, Any]) -> bool:
        url = resource.get("access_url") or resource.get("url")
        return isinstance(url, str) and inputs.reachable.get(url.strip()) is True

    return _share(pkg, answered)


def _download_present(pkg: dict[str, Any], _: Inputs) -> float:
    return _share(pkg, lambda r: _filled(r.get("download_url")))


def _download_reachable(pkg: dict[str, Any], inputs: Inputs) -> float:
    def answered(resource: dict[str, Any]) -> bool:
        url = resource.get("download_url")
        return isinstance(url, str) and inputs.reachable.get(url.strip()) is True

    return _share(pkg, answered)


def _format(pkg: dict[str, Any], _: Inputs) -> float:
    return _share(pkg, lambda r: _filled(r.get("format")))


def _media_type(pkg: dict[str, Any], _: Inputs) -> float:
    return _share(pkg, lambda r: _filled(r.get("mimetype")))


def _format_vocabulary(pkg: dict[str, Any], _: Inputs) -> float:
    return _share(
        pkg,
        lambda r: vocabularies.file_type_uri(r.get("format")) is not None
        or vocabularies.file_type_code(r.get("mimetype")) is not None,
    )


def _non_proprietary(pkg: dict[str, Any], _: Inputs) -> float:
    return _share(pkg, lambda r: _format_code(r) in NON_PROPRIETARY)


def _machine_readable(pkg: dict[str, Any], _: Inputs) -> float:
    return _share(pkg, lambda r: _format_code(r) in MACHINE_READABLE)


def _dcat_compliant(_: dict[str, Any], inputs: Inputs) -> float:
    return float(inputs.dcat_compliant is True)


def _licence_vocabulary(pkg: dict[str, Any], _: Inputs) -> float:
    return float(vocabularies.license_uri(pkg.get("license_id")) is not None)


def _access_rights_vocabulary(pkg: dict[str, Any], _: Inputs) -> float:
    return float(vocabularies.access_right_uri(pkg.get("access_rights")) is not None)


def _publisher(pkg: dict[str, Any], _: Inputs) -> float:
    # The DCAT export names the original publisher, or else the portal organisation.
    return float(_filled(pkg.get("publisher")) or _filled(pkg.get("owner_org")))


INDICATORS: Final = (
    Indicator(
        "keywords",
        "findability",
        30,
        "Mots-clés",
        "Ajoutez des mots-clés décrivant le contenu des données.",
        _tags,
    ),
    Indicator(
        "themes",
        "findability",
        30,
        "Thèmes",
        "Choisissez au moins un thème européen (champ « Thèmes »).",
        _field("theme"),
    ),
    Indicator(
        "spatial",
        "findability",
        20,
        "Couverture géographique",
        "Indiquez les territoires couverts par les données.",
        _spatial,
    ),
    Indicator(
        "temporal",
        "findability",
        20,
        "Couverture temporelle",
        "Indiquez la période couverte (date de début et de fin).",
        _field("temporal_coverage"),
    ),
    Indicator(
        "access_url_reachable",
        "accessibility",
        50,
        "Adresse d'accès joignable",
        "Réparez ou remplacez les adresses des ressources qui ne répondent pas "
        "(voir « Liens en échec »).",
        _access_reachable,
    ),
    Indicator(
        "download_url",
        "accessibility",
        20,
        "Lien de téléchargement renseigné",
        "Renseignez le champ « Lien de téléchargement » de chaque ressource.",
        _download_present,
    ),
    Indicator(
        "download_url_reachable",
        "accessibility",
        30,
        "Lien de téléchargement joignable",
        "Vérifiez que chaque lien de téléchargement donne bien le fichier.",
        _download_reachable,
    ),
    Indicator(
        "format",
        "interoperability",
        20,
        "Format",
        "Indiquez le format de chaque ressource.",
        _format,
    ),
    Indicator(
        "media_type",
        "interoperability",
        10,
        "Type de média",
        "Indiquez le type de média (ex. text/csv) de chaque ressource.",
        _media_type,
    ),
    Indicator(
        "format_vocabulary",
        "interoperability",
        10,
        "Format issu d'un vocabulaire",
        "Choisissez le format dans la liste proposée (table européenne des types de fichiers).",
        _format_vocabulary,
    ),
    Indicator(
        "non_proprietary",
        "interoperability",
        20,
        "Format non propriétaire",
        "Publiez aussi les données dans un format ouvert (CSV, JSON, GeoJSON, ODS…).",
        _non_proprietary,
    ),
    Indicator(
        "machine_readable",
        "interoperability",
        20,
        "Format lisible par une machine",
        "Publiez les données dans un format structuré (CSV, JSON, XML…) plutôt qu'en PDF.",
        _machine_readable,
    ),
    Indicator(
        "dcat_ap_compliance",
        "interoperability",
        30,
        "Conforme à DCAT-AP",
        "Corrigez les champs que la validation DCAT-AP signale.",
        _dcat_compliant,
    ),
    Indicator(
        "licence",
        "reusability",
        20,
        "Licence",
        "Choisissez une licence.",
        _field("license_id"),
    ),
    Indicator(
        "licence_vocabulary",
        "reusability",
        10,
        "Licence issue d'un vocabulaire",
        "Choisissez une licence de la liste (Licence Ouverte, ODbL…) plutôt que « Autre ».",
        _licence_vocabulary,
    ),
    Indicator(
        "access_rights",
        "reusability",
        10,
        "Droits d'accès",
        "Indiquez les droits d'accès (public, restreint…).",
        _field("access_rights"),
    ),
    Indicator(
        "access_rights_vocabulary",
        "reusability",
        5,
        "Droits d'accès issus d'un vocabulaire",
        "Choisissez les droits d'accès dans la liste proposée.",
        _access_rights_vocabulary,
    ),
    Indicator(
        "contact_point",
        "reusability",
        20,
        "Point de contact",
        "Ajoutez un contact (nom et courriel) pour les questions sur les données.",
        _field("contact"),
    ),
    Indicator(
        "publisher",
        "reusability",
        10,
        "Producteur",
        "Indiquez le producteur des données.",
        _publisher,
    ),
    Indicator(
        "rights",
        "contextuality",
        5,
        "Mention de droits",
        "Ajoutez une mention de droits aux ressources (champ absent du formulaire actuel).",
        lambda pkg, _: _share(pkg, lambda r: _filled(r.get("rights"))),
    ),
    Indicator(
        "byte_size",
        "contextuality",
        5,
        "Taille du fichier",
        "Indiquez la taille (en octets) de chaque ressource.",
        lambda pkg, _: _share(pkg, lambda r: _filled(r.get("size"))),
    ),
    Indicator(
        "issued",
        "contextuality",
        5,
        "Date de publication",
        "Indiquez la date de publication des données.",
        _field("issued"),
    ),
    Indicator(
        "modified",
        "contextuality",
        5,
        "Date de mise à jour",
        "Indiquez la date de dernière mise à jour des données.",
        _field("modified"),
    ),
)
MAX_SCORE: Final = sum(i.points for i in INDICATORS)


def grade(points: int) -> str:
    """The MQA grade of a score: excellent, bon, suffisant or faible."""
    return next(name for name, floor in GRADES if points >= floor)


def score(pkg: dict[str, Any], inputs: Inputs) -> list[Result]:
    """Every indicator on one dataset dict (as ``package_show`` gives it)."""
    results = []
    for indicator in INDICATORS:
        share = max(0.0, min(1.0, indicator.measure(pkg, inputs)))
        note = ""
        if indicator.key == "dcat_ap_compliance" and inputs.dcat_compliant is None:
            note = "non évalué"
        elif indicator.key in ("access_url_reachable", "download_url_reachable") and (
            not inputs.reachable
        ):
            note = "liens pas encore vérifiés"
        results.append(
            Result(
                key=indicator.key,
                dimension=indicator.dimension,
                label=indicator.label,
                points=indicator.points,
                earned=round(indicator.points * share),
                share=share,
                fix=indicator.fix,
                note=note,
            )
        )
    return results
