"""Build ``ckanext/datagrandest/data/eu_vocabularies.json`` from the EU authority tables.

Regenerate with (from the repository root):

    make vocabularies        # or: python scripts/vocabularies/build_vocabularies.py

It reads the reference copies of the EU Publications Office authority tables and of the
GeoDCAT-AP alignments in ``../shared/reference/vocabularies/`` (``--source`` to read them
elsewhere; see ``SOURCES.md`` there for where each file comes from) with rdflib, and writes one
JSON file the portal reads at run time, without rdflib and without network access.
``--check`` exits with status 1 when the committed file differs from what would be generated.

Output layout (sorted, no timestamp: the same sources give the same bytes)::

    {"about": ..., "command": ..., "rights": ..., "sources": [{file, table, version, ...}],
     "counts": {table: n},
     "data-theme" | "frequency" | "file-type" | "language" | "access-right": [concept, ...],
     "licence": [...], "hvd-category": [...], "publisher-type": [...],
     "mappings": {"inspire-theme": {code: [data-theme codes]},
                  "topic-category": {topic: [inspire codes]},
                  "maintenance-frequency": {iso code: frequency code},
                  "cld-frequency": {term: frequency code},
                  "media-type": {media type: file-type code},
                  "extension": {extension: file-type code}}}

A concept is ``{"code", "fr", "en"}`` plus, when they apply, ``"deprecated": true``,
``"media_types"``/``"extensions"``/``"alt"`` (file types), ``"iso"`` (languages:
``[639-1, 639-2/B, 639-2/T, 639-3]``, "" where none), ``"short"``/``"urls"`` (licences),
``"uri"``/``"broader"``/``"order"`` (HVD categories).  French labels the OP tables lack (file
types have none; the frequencies added after 2022 have no labels in the copies we read) come
from ``LABELS`` below, written for this portal.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DC, OWL, SKOS

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "reference" / "vocabularies"
DEFAULT_OUTPUT = REPO_ROOT / "ckanext" / "datagrandest" / "data" / "eu_vocabularies.json"
COMMAND = "make vocabularies (python scripts/vocabularies/build_vocabularies.py)"
FORMAT_VERSION = 2

AT = Namespace("http://publications.europa.eu/ontology/authority/")
EUVOC = Namespace("http://publications.europa.eu/ontology/euvoc#")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
INSPIRE_THEME = "http://inspire.ec.europa.eu/theme/"
TOPIC_CATEGORY = "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/"
CLD_FREQ = "http://purl.org/cld/freq/"
PUBLISHER_TYPES = URIRef("http://purl.org/adms/publishertype/1.0")
HVD_SCHEME = URIRef("http://data.europa.eu/bna/asd487ae75")
OP_LICENCE = (
    "EU Publications Office authority tables: re-use under the Commission's re-use policy "
    "(Decision 2011/833/EU, CC BY 4.0); the files state no licence of their own. "
    "ADMS publisher types: ISA Open Metadata Licence v1.1 (stated in the file). "
    "GeoDCAT-AP alignments (SEMICeu/iso-19139-to-dcat-ap): EUPL 1.2 (repository licence)."
)

FILES = {
    "file-type": "eu-file-type_20250319-0_skos.rdf",
    "file-type-members": "eu-file-type_20260318-0_scheme-members.rdf",
    "language": "eu-language_20220928-0.ttl",
    "frequency": "eu-frequency_20220615-0_skos.rdf",
    "frequency-members": "eu-frequency_20260617-0_scheme-members.rdf",
    "data-theme": "eu-data-theme_20241211-0_skos.rdf",
    "access-right": "eu-access-right_20260617-0_skos.rdf",
    "licence": "eu-licence_20220928-0_skos.rdf",
    "hvd-category": "eu-hvd-category_v2.1_skos-xl.rdf",
    "publisher-type": "adms-skos_v1.00_publisher-type.rdf",
    "inspire-theme": "mapping_inspire-themes_to_eu-data-theme.rdf",
    "topic-category": "mapping_iso-topic-categories_to_inspire-themes.rdf",
    "media-type": "mapping_inspire-media-types_to_eu-file-type.rdf",
    "maintenance-frequency": "mapping_iso19115-maintenance-frequency_to_eu-frequency.csv",
}

# The OP's "provisional data" concept sits in every table; it is no theme, format or language.
SKIPPED_CODES = frozenset({"OP_DATPRO"})

# Labels written for this portal where the OP tables give none in French (file types) or none
# at all (frequencies of the 20260617-0 member list), and capitalised French labels for
# display where the OP's are lower case. Keys are codes; values (fr, en).
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "file-type": {
        "CSV": ("CSV", "CSV"),
        "GEOJSON": ("GeoJSON", "GeoJSON"),
        "SHP": ("Shapefile (SHP)", "Shapefile (SHP)"),
        "XLSX": ("Excel (XLSX)", "Excel (XLSX)"),
        "XLS": ("Excel 97-2003 (XLS)", "Excel 97-2003 (XLS)"),
        "ODS": ("Tableur OpenDocument (ODS)", "OpenDocument spreadsheet (ODS)"),
        "ODT": ("Texte OpenDocument (ODT)", "OpenDocument text (ODT)"),
        "DOCX": ("Word (DOCX)", "Word (DOCX)"),
        "DOC": ("Word 97-2003 (DOC)", "Word 97-2003 (DOC)"),
        "TXT": ("Texte brut", "Plain text"),
        "HTML": ("Page web (HTML)", "Web page (HTML)"),
        "ZIP": ("Archive ZIP", "ZIP archive"),
        "JPEG": ("Image JPEG", "JPEG image"),
        "PNG": ("Image PNG", "PNG image"),
        "TIFF": ("Image TIFF", "TIFF image"),
        "GEOTIFF": ("GeoTIFF", "GeoTIFF"),
        "WMS_SRVC": ("Service de visualisation WMS", "WMS map service"),
        "WFS_SRVC": ("Service de téléchargement WFS", "WFS feature service"),
        "WMTS_SRVC": ("Service de tuiles WMTS", "WMTS tile service"),
        "WCS_SRVC": ("Service de couvertures WCS", "WCS coverage service"),
        "RDF_XML": ("RDF/XML", "RDF/XML"),
        "TAB": ("MapInfo TAB", "MapInfo TAB"),
        "MIF_MID": ("MapInfo MIF/MID", "MapInfo MIF/MID"),
        "GTFS": ("GTFS (horaires de transport)", "GTFS (transit timetables)"),
        "GDB": ("Géodatabase fichier Esri", "Esri File Geodatabase"),
        "PPTX": ("PowerPoint (PPTX)", "PowerPoint (PPTX)"),
        "PPT": ("PowerPoint 97-2003 (PPT)", "PowerPoint 97-2003 (PPT)"),
        "MDB": ("Base Microsoft Access (MDB)", "Microsoft Access database (MDB)"),
        "GZIP": ("Archive GZIP", "GZIP archive"),
        "TAR_GZ": ("Archive TAR GZ", "TAR GZ archive"),
        "7Z": ("Archive 7z", "7z archive"),
        "RAR": ("Archive RAR", "RAR archive"),
        "BIN": ("Données binaires", "Binary data"),
        "REST": ("Service REST Esri", "Esri REST service"),
        "MAP_SRVC": ("Service de carte ArcGIS", "ArcGIS map service"),
        "MAP_PRVW": ("Aperçu de carte ArcGIS", "ArcGIS map preview"),
        "GRID_ASCII": ("Grille ASCII Esri", "Esri ASCII grid"),
        "GRID": ("Grille binaire Esri", "Esri binary grid"),
        "WORLD": ("Fichier de géoréférencement (world file)", "World file"),
        "BMP": ("Image BMP", "Bitmap image"),
        "GIF": ("Image GIF", "GIF image"),
        "SVG": ("Image SVG", "SVG image"),
        "WEBP": ("Image WebP", "WebP image"),
        "MP3": ("Audio MP3", "MP3 audio"),
        "MPEG4": ("Vidéo MPEG-4", "MPEG-4 video"),
        "MARKDOWN": ("Markdown", "Markdown"),
        "RSS": ("Flux RSS", "RSS feed"),
        "ATOM": ("Flux Atom", "Atom feed"),
        "SQL": ("SQL", "SQL"),
        "DBF": ("dBase (DBF)", "dBase (DBF)"),
        "RTF": ("Texte enrichi (RTF)", "Rich Text Format (RTF)"),
        "ICS": ("Calendrier iCalendar", "iCalendar"),
        "LAS": ("Nuage de points LAS", "LAS point cloud"),
        "LAZ": ("Nuage de points LAZ", "LAZ point cloud"),
        "ECW": ("Image ECW", "ECW image"),
        "JPEG2000": ("Image JPEG 2000", "JPEG 2000 image"),
        "DWG": ("Dessin AutoCAD (DWG)", "AutoCAD drawing (DWG)"),
        "DXF": ("Dessin DXF", "DXF drawing"),
        "PARQUET": ("Parquet", "Parquet"),
    },
    "frequency": {
        "1MIN": ("Toutes les minutes", "Every minute"),
        "5MIN": ("Toutes les cinq minutes", "Every five minutes"),
        "10MIN": ("Toutes les dix minutes", "Every ten minutes"),
        "15MIN": ("Toutes les quinze minutes", "Every fifteen minutes"),
        "30MIN": ("Toutes les trente minutes", "Every thirty minutes"),
        "12HRS": ("Toutes les douze heures", "Every twelve hours"),
        "AS_NEEDED": ("Selon les besoins", "As needed"),
        "NOT_PLANNED": ("Non planifiée", "Not planned"),
        "SEXENNIAL": ("Tous les six ans", "Sexennial"),
        "WEEKLY_5": ("Cinq fois par semaine", "Five times a week"),
        "NEVER": ("Jamais (données figées)", "Never"),
        "UPDATE_CONT": ("Mise à jour continue", "Continuously updated"),
        "CONT": ("En continu (temps réel)", "Continuous (real time)"),
        # Feminine, as "fréquence" they qualify; unambiguous where the OP's word is not.
        "DAILY": ("Quotidienne", "Daily"),
        "WEEKLY": ("Hebdomadaire", "Weekly"),
        "WEEKLY_2": ("Deux fois par semaine", "Semiweekly"),
        "BIWEEKLY": ("Toutes les deux semaines", "Biweekly"),
        "MONTHLY_2": ("Deux fois par mois", "Semimonthly"),
        "MONTHLY": ("Mensuelle", "Monthly"),
        "BIMONTHLY": ("Tous les deux mois", "Bimonthly"),
        "QUARTERLY": ("Trimestrielle", "Quarterly"),
        "ANNUAL_2": ("Semestrielle", "Semiannual"),
        "ANNUAL": ("Annuelle", "Annual"),
        "BIENNIAL": ("Tous les deux ans", "Biennial"),
        "TRIENNIAL": ("Tous les trois ans", "Triennial"),
        "IRREG": ("Irrégulière", "Irregular"),
        "UNKNOWN": ("Inconnue", "Unknown"),
    },
    "language": {
        "GSW": ("Alsacien, alémanique", "Alsatian, Alemannic"),
    },
    "publisher-type": {
        "Academia-ScientificOrganisation": ("Université ou organisme scientifique", ""),
        "Company": ("Entreprise", ""),
        "IndustryConsortium": ("Consortium industriel", ""),
        "LocalAuthority": ("Collectivité locale", ""),
        "NationalAuthority": ("Autorité nationale", ""),
        "NonGovernmentalOrganisation": ("Organisation non gouvernementale", ""),
        "NonProfitOrganisation": ("Organisation à but non lucratif", ""),
        "PrivateIndividual(s)": ("Particulier(s)", ""),
        "RegionalAuthority": ("Autorité régionale", ""),
        "StandardisationBody": ("Organisme de normalisation", ""),
        "SupraNationalAuthority": ("Autorité supranationale", ""),
    },
}

# Display order of the frequencies (finest first), codes missing here come last.
FREQUENCY_ORDER = (
    "CONT UPDATE_CONT 1MIN 5MIN 10MIN 15MIN 30MIN HOURLY BIHOURLY TRIHOURLY 12HRS DAILY_2 DAILY "
    "WEEKLY_5 WEEKLY_3 WEEKLY_2 WEEKLY BIWEEKLY MONTHLY_3 MONTHLY_2 MONTHLY BIMONTHLY QUARTERLY "
    "ANNUAL_3 ANNUAL_2 ANNUAL BIENNIAL TRIENNIAL QUADRENNIAL QUINQUENNIAL SEXENNIAL DECENNIAL "
    "BIDECENNIAL TRIDECENNIAL AS_NEEDED IRREG NOT_PLANNED NEVER UNKNOWN OTHER"
).split()
DATA_THEME_ORDER = "AGRI ECON EDUC ENER ENVI GOVE HEAL INTR JUST REGI SOCI TECH TRAN".split()
ACCESS_RIGHT_ORDER = "PUBLIC RESTRICTED NON_PUBLIC CONFIDENTIAL SENSITIVE NORMAL".split()

# Media types and extensions several file types share: the one a file with it usually is.
# Keys missing here and shared by several types are left out (the generator lists them).
PREFERRED: dict[str, str] = {
    "application/xml": "XML",
    "text/xml": "XML",
    "application/zip": "ZIP",
    "application/gzip": "GZIP",
    "text/html": "HTML",
    "application/xhtml+xml": "XHTML",
    "application/pdf": "PDF",
    "image/tiff": "TIFF",
    "application/rdf+xml": "RDF_XML",
    "text/plain": "TXT",
    "application/vnd.android.package-archive": "APK",
    "application/java-archive": "JAR",
    "application/postscript": "PS",
    "audio/mpeg": "MP3",
    "video/mp4": "MPEG4",
    "audio/mp4": "MPEG4",
    "application/mp4": "MPEG4",
    "application/x-ms-wim": "WIM",
    "application/vnd.ms-powerpoint": "PPT",
    "audio/vnd.wave": "WAV",
    "text/sgml": "SGML",
    "application/gml+xml": "GML",
    "multipart/mixed": "",
    "application/octet-stream": "",
    "application/x-7z-compressed": "7Z",
    ".json": "JSON",
    ".xml": "XML",
    ".zip": "ZIP",
    ".pdf": "PDF",
    ".rdf": "RDF_XML",
    ".html": "HTML",
    ".htm": "HTML",
    ".apk": "APK",
    ".xapk": "APK",
    ".tab": "TAB",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".wav": "WAV",
    ".dbf": "DBF",
    ".tar.gz": "TAR_GZ",
    ".mpeg": "MPEG2",
    ".mp3": "MP3",
    ".mpg": "MPEG2",
    ".mp4": "MPEG4",
    ".xhtml": "XHTML",
    ".xht": "XHTML",
    ".swm": "SWM",
    ".dtd": "DTD_XML",
}

MEDIA_TYPE = re.compile(r"^(application|audio|font|image|message|model|multipart|text|video)/\S+$")


class BuildError(Exception):
    """A source file is missing or does not look like what we expect."""


def _label(graph: Graph, concept: URIRef, lang: str) -> str:
    for label in graph.objects(concept, SKOS.prefLabel):
        if isinstance(label, Literal) and label.language == lang:
            return " ".join(str(label).split())
    return ""


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _members(graph: Graph, scheme: URIRef) -> list[URIRef]:
    return sorted(c for c in set(graph.subjects(SKOS.inScheme, scheme)) if isinstance(c, URIRef))


def _deprecated(graph: Graph, concept: URIRef) -> bool:
    return str(graph.value(concept, AT.deprecated)) == "true"


def _mapped(graph: Graph, concept: URIRef) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = defaultdict(list)
    for node in graph.objects(concept, AT["op-mapped-code"]):
        source, code = graph.value(node, DC.source), graph.value(node, AT["legacy-code"])
        if source is not None and code is not None:
            codes[str(source)].append(str(code))
    return codes


def _version(graph: Graph, scheme: URIRef) -> str:
    return str(graph.value(scheme, OWL.versionInfo) or "")


def _row(code: str, fr: str, en: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"code": code, "fr": fr or en or code, "en": en or fr or code}
    row.update({k: v for k, v in extra.items() if v})
    return row


def _ordered(rows: list[dict[str, Any]], order: list[str]) -> list[dict[str, Any]]:
    rank = {code: i for i, code in enumerate(order)}
    return sorted(rows, key=lambda r: (rank.get(r["code"], len(rank)), r["code"]))


def simple_table(graph: Graph, name: str, overrides: dict[str, tuple[str, str]]) -> list[dict]:
    rows = []
    for concept in _members(graph, URIRef(AUTHORITY + name)):
        code = str(graph.value(concept, DC.identifier) or concept.rsplit("/", 1)[-1])
        if code in SKIPPED_CODES:
            continue
        fr, en = overrides.get(code, ("", ""))
        rows.append(
            _row(
                code,
                fr or _capitalised(_label(graph, concept, "fr")),
                en or _capitalised(_label(graph, concept, "en")),
                deprecated=_deprecated(graph, concept),
            )
        )
    return rows


def file_types(graph: Graph, members: Graph) -> tuple[list[dict], dict[str, list[str]]]:
    """File types with their media types and extensions; candidates for each key."""
    rows, candidates = [], defaultdict(list)
    scheme = URIRef(AUTHORITY + "file-type")
    overrides = LABELS["file-type"]
    for concept in _members(graph, scheme):
        code = str(graph.value(concept, DC.identifier))
        if code in SKIPPED_CODES:
            continue
        media = [
            str(n) for n in graph.objects(concept, SKOS.notation) if n.datatype == EUVOC.IANA_MT
        ]
        media = sorted(dict.fromkeys(m.strip().lower() for m in media if MEDIA_TYPE.match(m)))
        extensions = []
        for value in _mapped(graph, concept).get("file-extension", []):
            for ext in value.split():
                ext = "." + ext.strip().lstrip(".").lower()
                if len(ext) > 1:
                    extensions.append(ext)
        extensions = sorted(dict.fromkeys(extensions))
        alt = sorted(
            {" ".join(str(a).split()) for a in graph.objects(concept, SKOS.altLabel)} - {""}
        )
        en = _label(graph, concept, "en")
        fr, en_ours = overrides.get(code, ("", ""))
        deprecated = _deprecated(graph, concept)
        row = _row(
            code,
            fr or en,
            en_ours or en,
            deprecated=deprecated,
            media_types=media,
            extensions=extensions,
            # The OP's own label stays findable when ours replaces it.
            alt=sorted({*alt, en} - {fr or en, en_ours or en}),
        )
        rows.append(row)
        if not deprecated:
            for key in [*media, *extensions]:
                candidates[key].append(code)
    # Members of the newer version (URIs only): the code is the only label we have.
    known = {row["code"] for row in rows}
    for concept in _members(members, scheme):
        code = concept.rsplit("/", 1)[-1]
        if code not in known and code not in SKIPPED_CODES:
            rows.append(_row(code, code, code))
    return sorted(rows, key=lambda r: r["code"]), candidates


def resolve(candidates: dict[str, list[str]], extra: dict[str, str]) -> tuple[dict, list[str]]:
    """One file type per media type or extension; the ambiguous ones are reported."""
    chosen: dict[str, str] = {}
    ambiguous: list[str] = []
    for key, codes in sorted(candidates.items()):
        codes = sorted(set(codes))
        bare = re.sub(r"[^a-z0-9]", "", key.rsplit("/", 1)[-1].lower())
        if key in PREFERRED:
            if PREFERRED[key]:
                chosen[key] = PREFERRED[key]
        elif len(codes) == 1:
            chosen[key] = codes[0]
        elif bare.upper() in codes:
            chosen[key] = bare.upper()
        else:
            ambiguous.append(f"{key}: {' '.join(codes)}")
    for key, code in extra.items():
        chosen.setdefault(key, code)
    return dict(sorted(chosen.items())), ambiguous


def languages(graph: Graph) -> list[dict]:
    rows = []
    for concept in _members(graph, URIRef(AUTHORITY + "language")):
        code = str(graph.value(concept, DC.identifier) or concept.rsplit("/", 1)[-1])
        if code in SKIPPED_CODES:
            continue
        codes = _mapped(graph, concept)
        iso = [
            (codes.get(source) or [""])[0].lower()
            for source in ("iso-639-1", "iso-639-2b", "iso-639-2t", "iso-639-3")
        ]
        fr, en = LABELS["language"].get(code, ("", ""))
        fr = fr or _capitalised(_label(graph, concept, "fr"))
        en = en or _label(graph, concept, "en")
        if not fr and not en:
            # ISO 639-3-only concepts carry an autonym tagged with their own code.
            en = next(
                (" ".join(str(x).split()) for x in graph.objects(concept, SKOS.prefLabel)), ""
            )
        row = _row(code, fr, en, deprecated=_deprecated(graph, concept))
        if any(iso):
            row["iso"] = iso
        rows.append(row)
    return rows


def frequencies(graph: Graph, members: Graph) -> tuple[list[dict], dict[str, str]]:
    scheme = URIRef(AUTHORITY + "frequency")
    rows = simple_table(graph, "frequency", LABELS["frequency"])
    known = {row["code"] for row in rows}
    for concept in _members(members, scheme):
        code = concept.rsplit("/", 1)[-1]
        if code not in known and code not in SKIPPED_CODES:
            fr, en = LABELS["frequency"].get(code, (code, code))
            rows.append(_row(code, fr, en))
    cld: dict[str, str] = {}
    for concept in _members(graph, scheme):
        code = str(graph.value(concept, DC.identifier))
        matches = [
            *graph.objects(concept, SKOS.exactMatch),
            *graph.subjects(SKOS.exactMatch, concept),
        ]
        for match in matches:
            if str(match).startswith(CLD_FREQ):
                cld[str(match)[len(CLD_FREQ) :]] = code
    return _ordered(rows, FREQUENCY_ORDER), dict(sorted(cld.items()))


def licences(graph: Graph) -> list[dict]:
    rows = []
    for concept in _members(graph, URIRef(AUTHORITY + "licence")):
        code = str(graph.value(concept, DC.identifier) or concept.rsplit("/", 1)[-1])
        if code in SKIPPED_CODES:
            continue
        short = sorted({" ".join(str(a).split()) for a in graph.objects(concept, SKOS.altLabel)})
        urls = sorted({str(u) for u in graph.objects(concept, SKOS.exactMatch)})
        rows.append(
            _row(
                code,
                _label(graph, concept, "fr").strip(),
                _label(graph, concept, "en").strip(),
                deprecated=_deprecated(graph, concept),
                short=[s for s in short if s],
                urls=urls,
            )
        )
    return rows


def hvd_categories(graph: Graph) -> list[dict]:
    rows = []
    for concept in _members(graph, HVD_SCHEME):
        broader = graph.value(concept, SKOS.broader)
        rows.append(
            _row(
                str(graph.value(concept, DC.identifier) or concept.rsplit("/", 1)[-1]),
                _label(graph, concept, "fr"),
                _label(graph, concept, "en"),
                uri=str(concept),
                broader=str(broader).rsplit("/", 1)[-1] if broader else "",
                order=str(graph.value(concept, EUVOC.order) or ""),
            )
        )
    return sorted(rows, key=lambda r: (r.get("order", ""), r["code"]))


def publisher_types(graph: Graph) -> list[dict]:
    rows = []
    for concept in _members(graph, PUBLISHER_TYPES):
        code = str(graph.value(concept, SKOS.notation) or concept.rsplit("/", 1)[-1])
        fr = LABELS["publisher-type"].get(code, ("", ""))[0]
        rows.append(_row(code, fr, _label(graph, concept, "en"), uri=str(concept)))
    return rows


def inspire_themes(graph: Graph) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for subject, target in graph.subject_objects(SKOS.broadMatch):
        if str(subject).startswith(INSPIRE_THEME) and str(target).startswith(AUTHORITY):
            found[str(subject)[len(INSPIRE_THEME) :]].append(str(target).rsplit("/", 1)[-1])
    return {k: sorted(set(v)) for k, v in sorted(found.items())}


def topic_categories(graph: Graph) -> dict[str, dict[str, list[str]]]:
    """Topic category -> INSPIRE theme codes, by strength: "match" (exact, close, broad,
    narrow) and "related" (used only when a category has no other match)."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"match": [], "related": []})
    for predicate in (
        SKOS.exactMatch,
        SKOS.closeMatch,
        SKOS.broadMatch,
        SKOS.narrowMatch,
        SKOS.relatedMatch,
    ):
        for subject, target in graph.subject_objects(predicate):
            if str(subject).startswith(TOPIC_CATEGORY) and str(target).startswith(INSPIRE_THEME):
                kind = "related" if predicate == SKOS.relatedMatch else "match"
                topic = str(subject)[len(TOPIC_CATEGORY) :]
                found[topic][kind].append(str(target)[len(INSPIRE_THEME) :])
    return {
        topic: {k: sorted(set(v)) for k, v in kinds.items()}
        for topic, kinds in sorted(found.items())
    }


def media_type_mapping(graph: Graph) -> dict[str, str]:
    found = {}
    for subject, target in graph.subject_objects(SKOS.exactMatch):
        text = str(subject)
        if "/media-types/" in text and str(target).startswith(AUTHORITY + "file-type/"):
            found[text.split("/media-types/", 1)[1].lower()] = str(target).rsplit("/", 1)[-1]
    return found


def maintenance_frequencies(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return {
        row["iso19139_MD_MaintenanceFrequencyCode"].strip(): row["eu_frequency_uri"]
        .strip()
        .rsplit("/", 1)[-1]
        for row in rows
    }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def build(source: Path) -> tuple[dict[str, Any], list[str]]:
    missing = [name for name in FILES.values() if not (source / name).is_file()]
    if missing:
        raise BuildError(f"missing in {source}: {', '.join(missing)}")

    def parse(key: str) -> Graph:
        path = source / FILES[key]
        return Graph().parse(path, format="turtle" if path.suffix == ".ttl" else "xml")

    graphs = {key: parse(key) for key in FILES if not FILES[key].endswith(".csv")}
    types, candidates = file_types(graphs["file-type"], graphs["file-type-members"])
    inspire_media = media_type_mapping(graphs["media-type"])
    media_candidates = {k: v for k, v in candidates.items() if not k.startswith(".")}
    ext_candidates = {k: v for k, v in candidates.items() if k.startswith(".")}
    media, ambiguous_media = resolve(media_candidates, inspire_media)
    extensions, ambiguous_ext = resolve(ext_candidates, {})
    frequency_rows, cld = frequencies(graphs["frequency"], graphs["frequency-members"])
    document: dict[str, Any] = {
        "about": (
            "EU vocabularies of DataGrandEst, generated from the EU Publications Office "
            "authority tables and the GeoDCAT-AP alignments. Concept URIs: "
            f"{AUTHORITY}<table>/<code>. Do not edit: regenerate."
        ),
        "command": COMMAND,
        "format": FORMAT_VERSION,
        "rights": OP_LICENCE,
        "sources": [],
        "counts": {},
        "data-theme": _ordered(
            simple_table(graphs["data-theme"], "data-theme", {}), DATA_THEME_ORDER
        ),
        "frequency": frequency_rows,
        "file-type": types,
        "language": languages(graphs["language"]),
        "access-right": _ordered(
            simple_table(graphs["access-right"], "access-right", {}), ACCESS_RIGHT_ORDER
        ),
        "licence": licences(graphs["licence"]),
        "hvd-category": hvd_categories(graphs["hvd-category"]),
        "publisher-type": publisher_types(graphs["publisher-type"]),
        "mappings": {
            "inspire-theme": inspire_themes(graphs["inspire-theme"]),
            "topic-category": topic_categories(graphs["topic-category"]),
            "maintenance-frequency": maintenance_frequencies(
                source / FILES["maintenance-frequency"]
            ),
            "cld-frequency": cld,
            "media-type": media,
            "extension": extensions,
        },
    }
    schemes = {
        "file-type": URIRef(AUTHORITY + "file-type"),
        "file-type-members": URIRef(AUTHORITY + "file-type"),
        "language": URIRef(AUTHORITY + "language"),
        "frequency": URIRef(AUTHORITY + "frequency"),
        "frequency-members": URIRef(AUTHORITY + "frequency"),
        "data-theme": URIRef(AUTHORITY + "data-theme"),
        "access-right": URIRef(AUTHORITY + "access-right"),
        "licence": URIRef(AUTHORITY + "licence"),
        "hvd-category": HVD_SCHEME,
        "publisher-type": URIRef("http://purl.org/adms/publishertype/1.0"),
    }
    for key, name in FILES.items():
        entry = {"file": name, "sha256": _sha(source / name)}
        if key in schemes:
            entry["version"] = _version(graphs[key], schemes[key]) or "(none stated)"
        document["sources"].append(entry)
    document["counts"] = {
        name: len(document[name])
        for name in (
            "data-theme",
            "frequency",
            "file-type",
            "language",
            "access-right",
            "licence",
            "hvd-category",
            "publisher-type",
        )
    } | {f"mappings.{k}": len(v) for k, v in document["mappings"].items()}
    return document, [*ambiguous_media, *ambiguous_ext]


def dump(document: dict[str, Any]) -> str:
    """Indented at the top, one concept per line: readable diffs, modest size."""
    lines = ["{"]
    items = list(document.items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if isinstance(value, list) and value and isinstance(value[0], dict):
            body = ",\n".join(f"    {json.dumps(v, ensure_ascii=False)}" for v in value)
            lines.append(f"  {json.dumps(key)}: [\n{body}\n  ]{comma}")
        elif isinstance(value, dict) and key == "mappings":
            parts = [
                f"    {json.dumps(k)}: {json.dumps(v, ensure_ascii=False, sort_keys=True)}"
                for k, v in value.items()
            ]
            lines.append(f"  {json.dumps(key)}: {{\n" + ",\n".join(parts) + f"\n  }}{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the output is stale")
    args = parser.parse_args(argv)
    try:
        document, ambiguous = build(args.source)
    except BuildError as error:
        print(f"vocabularies: {error}", file=sys.stderr)
        return 2
    text = dump(document)
    if args.check:
        current = args.output.read_text("utf-8") if args.output.exists() else ""
        if current != text:
            print(f"vocabularies: {args.output} is stale, run 'make vocabularies'", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, "utf-8")
    print(f"wrote {args.output}: {json.dumps(document['counts'])}")
    if ambiguous:
        print("shared by several file types, left out (add to PREFERRED to choose):")
        for line in ambiguous:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
