"""ISO 19139 (gmd:MD_Metadata) records: safe XML parsing and mapping into our dataset dict.

Pure functions, no CKAN and no network: the CSW harvester feeds them bytes and gets back
dicts that follow ``docs/field-contract.md``. Every error raised here is an
``ISO19139Error`` whose message, in French, is meant for the harvest source's admin.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from ckanext.datagrandest import territories, vocabularies
from ckanext.datagrandest.harvesters import mapping, safexml

NS: Final = {
    "csw": "http://www.opengis.net/cat/csw/2.0.2",
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "gml": "http://www.opengis.net/gml",
    "gml32": "http://www.opengis.net/gml/3.2",
    "srv": "http://www.isotc211.org/2005/srv",
    "xlink": "http://www.w3.org/1999/xlink",
    "ows": "http://www.opengis.net/ows",
}
MD_METADATA: Final = f"{{{NS['gmd']}}}MD_Metadata"


class ISO19139Error(ValueError):
    """A document or record we refuse; the message is shown to the source's admin."""


# --- Safe parsing ---------------------------------------------------------------------


def parse_xml(content: bytes) -> etree._Element:
    """Parse a remote XML document safely; ``ISO19139Error`` if it is malformed or unsafe.

    ``safexml`` reads it: DOCTYPE refused, entities never resolved, nothing fetched, and
    budgets on elements, depth and text length.
    """
    try:
        return safexml.parse(content, remove_blank_text=True)
    except safexml.XMLRefused as error:
        raise ISO19139Error(str(error)) from None


def records(root: etree._Element) -> list[etree._Element]:
    """The gmd:MD_Metadata records of a GetRecords/GetRecordById answer, or the record itself."""
    if root.tag == MD_METADATA:
        return [root]
    return list(root.iter(MD_METADATA))


def record_xml(record: etree._Element) -> str:
    """One record as a standalone XML string (what a harvest object stores)."""
    return etree.tostring(record, encoding="unicode")


def file_identifier(record: etree._Element) -> str | None:
    return _text(record, "gmd:fileIdentifier")


def record_title(record: etree._Element) -> str | None:
    return _text(record, "gmd:identificationInfo/*/gmd:citation/gmd:CI_Citation/gmd:title")


# --- Small XPath helpers ---------------------------------------------------------------


@cache
def _compiled(path: str) -> etree.XPath:
    return etree.XPath(path, namespaces=NS)


def _xpath(node: etree._Element, path: str) -> Any:
    """``node.xpath(path)`` in our namespaces, each path compiled once per process.

    Mapping one record evaluates about sixty paths: compiling them at every call was most
    of the time the mapping took.
    """
    return _compiled(path)(node)


def _texts(node: etree._Element, path: str) -> list[str]:
    """Text of every match of ``path`` whose value is a CharacterString, Anchor, Date...

    ISO 19139 wraps values in gco:CharacterString, gmx:Anchor, gco:Date, gco:DateTime,
    gco:Decimal or a code list element; any of them will do.
    """
    found: list[str] = []
    for element in _xpath(node, path):
        value = _value(element)
        if value:
            found.append(value)
    return found


def _value(element: etree._Element) -> str | None:
    if not isinstance(element.tag, str):
        return None
    children = [child for child in element if isinstance(child.tag, str)]
    if children:
        child = children[0]
        text = child.get("codeListValue") or "".join(child.itertext())
    else:
        text = element.get("codeListValue") or "".join(element.itertext())
    text = " ".join(text.split())
    return text or None


def _text(node: etree._Element, path: str) -> str | None:
    values = _texts(node, path)
    return values[0] if values else None


def _href(element: etree._Element) -> str | None:
    for anchor in element.iter(f"{{{NS['gmx']}}}Anchor"):
        href = anchor.get(f"{{{NS['xlink']}}}href")
        if href:
            return href.strip()
    return None


# --- Constants ------------------------------------------------------------------------

# The words of the record (themes, languages, frequency, licence, keywords) are turned
# into ours by harvesters/mapping.py, the one mapping module all harvesters share.

_NO_PUBLIC_RESTRICTION: Final = re.compile(
    r"pas de restriction d.acc[eè]s public|aucune restriction d.acc[eè]s public|"
    r"no limitations? (?:to|on) public access|nolimitations|"
    r"ne peut .tre invoqu. pour justifier d.une restriction d.acc[eè]s public",
    re.I,
)

# Online resources served only on the State's intranet (RIE): unreachable for citizens.
_INTRANET_HOSTS: Final = re.compile(r"(?:^|\.)rie\.gouv\.fr$", re.I)

# The schema's limit on license_other (datagrandest_text(500)).
LICENSE_OTHER_MAX: Final = mapping.LICENSE_OTHER_MAX


# --- Mapping ----------------------------------------------------------------------------


def to_dataset(record: etree._Element) -> dict[str, Any]:
    """Map one gmd:MD_Metadata record into a dataset dict of the regional schema.

    Raises ``ISO19139Error`` when the record lacks what identifies or names it
    (fileIdentifier, title); every other field is optional and simply left out.
    """
    if record.tag != MD_METADATA:
        raise ISO19139Error("Ce document n'est pas une fiche ISO 19139 (gmd:MD_Metadata).")
    guid = file_identifier(record)
    if not guid:
        raise ISO19139Error("Fiche ISO 19139 sans identifiant (gmd:fileIdentifier).")
    ident = _identification(record)
    if ident is None:
        raise ISO19139Error(f"Fiche {guid} : aucune section d'identification.")
    title = _text(ident, "gmd:citation/gmd:CI_Citation/gmd:title")
    if not title:
        raise ISO19139Error(f"Fiche {guid} : titre manquant (gmd:title).")

    keywords = _keywords(ident)
    inspire = _inspire_themes(keywords)
    free = [
        word
        for word, _, thesaurus in keywords
        if not mapping.inspire_theme_code(word, None, thesaurus)
    ]
    extent_texts = _texts(ident, ".//gmd:EX_Extent/gmd:description")
    places = [word for word, kind, _ in keywords if kind == "place"] + extent_texts

    dataset: dict[str, Any] = {
        "guid": guid,
        "title": title,
        "notes": _text(ident, "gmd:abstract") or "",
        "tags": mapping.tag_list(free),
        "identifier": _resource_identifier(ident) or guid,
        "resources": _resources(record, guid),
    }
    themes = mapping.iso_themes(inspire, _texts(ident, "gmd:topicCategory"))
    _put(dataset, "theme", themes)
    _put(dataset, "language", _languages(record, ident))
    dates = _dates(ident)
    _put(dataset, "issued", dates.get("publication") or dates.get("creation"))
    _put(dataset, "modified", dates.get("revision"))
    _put(dataset, "frequency", _frequency(ident))
    _put(dataset, "temporal_coverage", _temporal(ident))
    _put(dataset, "spatial_coverage", _spatial(ident, extent_texts))
    _put(dataset, "territories", infer_territories(title, places))
    _put(dataset, "contact", _contacts(ident, record))
    _put(dataset, "publisher", _publisher(ident, record))
    dataset.update(_licence(ident))
    _put(dataset, "access_rights", _access_rights(ident))
    _put(dataset, "url", _landing_page(record, guid))
    _put(dataset, "version", _text(ident, "gmd:citation/gmd:CI_Citation/gmd:edition"))
    return dataset


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value:
        target[key] = value


def _identification(record: etree._Element) -> etree._Element | None:
    found = _xpath(
        record,
        "gmd:identificationInfo/*[self::gmd:MD_DataIdentification or "
        "self::srv:SV_ServiceIdentification][1]",
    )
    return found[0] if found else None


def _resource_identifier(ident: etree._Element) -> str | None:
    # The citation identifier is the one data.gouv.fr and other harvesters repeat,
    # which makes it the key cross-source deduplication needs.
    return _text(ident, "gmd:citation/gmd:CI_Citation/gmd:identifier/*/gmd:code")


Keyword = tuple[str, str | None, str]  # (word, keyword type, thesaurus title)


def _keywords(ident: etree._Element) -> list[Keyword]:
    found: list[Keyword] = []
    for block in _xpath(ident, "gmd:descriptiveKeywords/gmd:MD_Keywords"):
        kind = _text(block, "gmd:type/gmd:MD_KeywordTypeCode")
        thesaurus = _text(block, "gmd:thesaurusName/gmd:CI_Citation/gmd:title") or ""
        for element in _xpath(block, "gmd:keyword"):
            word = _value(element)
            if not word:
                continue
            href = _href(element)
            if href and mapping.inspire_theme_code(word, href, thesaurus):
                found.append((href, kind, thesaurus))
            found.append((word, kind, thesaurus))
    return found


def _inspire_themes(keywords: list[Keyword]) -> list[str]:
    codes: dict[str, None] = {}
    for word, _, thesaurus in keywords:
        code = mapping.inspire_theme_code(word, None, thesaurus)
        if code:
            codes.setdefault(code)
    return list(codes)


def _languages(record: etree._Element, ident: etree._Element) -> list[str]:
    codes = _texts(ident, "gmd:language/*") or _texts(record, "gmd:language/*")
    result: dict[str, None] = {}
    for code in codes:
        uri = mapping.map_language(code).value
        if uri:
            result.setdefault(uri)
    return list(result)


def _dates(ident: etree._Element) -> dict[str, str]:
    dates: dict[str, str] = {}
    for node in _xpath(ident, "gmd:citation/gmd:CI_Citation/gmd:date/gmd:CI_Date"):
        kind = _text(node, "gmd:dateType/gmd:CI_DateTypeCode")
        value = _iso_date(_text(node, "gmd:date"))
        if kind and value:
            # Several revisions: keep the latest; several creations: the earliest.
            current = dates.get(kind)
            if current is None or (value > current if kind == "revision" else value < current):
                dates[kind] = value
    return dates


_DATE: Final = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


def _iso_date(value: str | None) -> str | None:
    """An ISO date or datetime as written, or None when it is not one (e.g. "inconnue")."""
    if not value:
        return None
    match = _DATE.match(value.strip())
    if not match:
        return None
    year, month, day, time = match.groups()
    if month and not 1 <= int(month) <= 12 or day and not 1 <= int(day) <= 31:
        return None
    return value.strip()


def _frequency(ident: etree._Element) -> str | None:
    code = _text(
        ident,
        "gmd:resourceMaintenance/gmd:MD_MaintenanceInformation/"
        "gmd:maintenanceAndUpdateFrequency/gmd:MD_MaintenanceFrequencyCode",
    )
    return mapping.frequency_uri(code)


def _temporal(ident: etree._Element) -> list[dict[str, str]]:
    periods = []
    for period in _xpath(ident, ".//gmd:EX_TemporalExtent/gmd:extent/*[local-name()='TimePeriod']"):
        begin = _iso_date(_own_text(period, "beginPosition"))
        end = _iso_date(_own_text(period, "endPosition"))
        if begin or end:
            periods.append({k: v for k, v in (("start", begin), ("end", end)) if v})
    return periods


def _own_text(node: etree._Element, local_name: str) -> str | None:
    found = _xpath(node, f"*[local-name()='{local_name}']")
    if not found:
        return None
    return " ".join("".join(found[0].itertext()).split()) or None


def _spatial(ident: etree._Element, extent_texts: list[str]) -> list[dict[str, str]]:
    coverage = []
    for box in _xpath(ident, ".//gmd:EX_Extent/gmd:geographicElement/gmd:EX_GeographicBoundingBox"):
        bounds = bbox(box)
        if bounds is None:
            continue
        west, south, east, north = bounds
        polygon = json.dumps(
            {
                "type": "Polygon",
                "coordinates": [
                    [[west, south], [east, south], [east, north], [west, north], [west, south]]
                ],
            }
        )
        entry = {"geom": polygon, "bbox": polygon}
        entry["centroid"] = json.dumps(
            {"type": "Point", "coordinates": [(west + east) / 2, (south + north) / 2]}
        )
        coverage.append(entry)
    if coverage and extent_texts:
        coverage[0]["text"] = extent_texts[0]
    elif extent_texts:
        coverage.append({"text": extent_texts[0]})
    return coverage


def bbox(box: etree._Element) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) in WGS 84 degrees, or None for an unusable box."""
    try:
        west, east, south, north = (
            float(_text(box, f"gmd:{name}") or "nan")
            for name in (
                "westBoundLongitude",
                "eastBoundLongitude",
                "southBoundLatitude",
                "northBoundLatitude",
            )
        )
    except ValueError:
        return None
    values = (west, east, south, north)
    if any(v != v for v in values):  # NaN: a bound is missing
        return None
    if not (
        -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90
    ):
        return None
    # Catalogues do swap bounds (Géo-IDE records put west east of east); no regional
    # dataset crosses the antimeridian, so a swapped pair is a mistake, not a wrap.
    west, east = min(west, east), max(west, east)
    south, north = min(south, north), max(south, north)
    return west, south, east, north


# --- Territories -----------------------------------------------------------------------

# Conservative rule: a territory is inferred only from a name the record states, never
# from the bounding box (a box around Metz also covers dozens of communes). A name
# counts when it is a whole place keyword or the extent description ("Bas-Rhin",
# "Commune de Sélestat"), or follows "commune de", "département de"... in the title;
# names shared by several Grand Est territories are ignored.
_TITLE_PLACE: Final = re.compile(
    r"\b(?:commune|ville|d[ée]partement|r[ée]gion|m[ée]tropole|communaut[ée] "
    r"(?:de communes|d.agglom[ée]ration|urbaine))\s+(?:de la |de l.|du |des |de |d.)"
    r"([^,;:()\[\]]+)",
    re.I,
)
_PREFIX: Final = re.compile(
    r"^(?:la |le |les |l )?(?:commune|ville|departement|region)\s+(?:de la |de l |du |des |de |d )",
)


@cache
def _territory_names() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for territory in territories.territories():
        for name in (territory.name, *territory.alt_names):
            index.setdefault(territories.normalise(name), []).append(territory.code)
    index.setdefault("grand est", []).append("44")
    return {name: tuple(dict.fromkeys(codes)) for name, codes in index.items()}


def _lookup(name: str) -> str | None:
    key = _PREFIX.sub("", territories.normalise(name))
    codes = _territory_names().get(key, ())
    return codes[0] if len(codes) == 1 else None


def infer_territories(title: str, places: Iterable[str]) -> list[str]:
    """Territory codes the record names explicitly (see the rule above); [] when unsure."""
    found: dict[str, None] = {}
    for place in places:
        for part in re.split(r"[,;/]", place):
            code = _lookup(part)
            if code:
                found.setdefault(code)
    for match in _TITLE_PLACE.finditer(title):
        # "Plan local d'urbanisme de la commune de Sélestat (67)": the name ends at the
        # first bracket or punctuation; try it whole, then without trailing words.
        words = match.group(1).split()
        for end in range(len(words), 0, -1):
            code = _lookup(" ".join(words[:end]))
            if code:
                found.setdefault(code)
                break
    return list(found)


# --- Parties -----------------------------------------------------------------------------

# Who publishes the data, most telling role first (ISO CI_RoleCode).
_PUBLISHER_ROLES: Final = ("publisher", "owner", "custodian", "originator", "distributor")


def _parties(ident: etree._Element, record: etree._Element) -> list[dict[str, str]]:
    parties = []
    nodes = _xpath(ident, "gmd:pointOfContact/gmd:CI_ResponsibleParty")
    nodes += _xpath(record, "gmd:contact/gmd:CI_ResponsibleParty")
    for node in nodes:
        party = {
            "role": _text(node, "gmd:role/gmd:CI_RoleCode") or "",
            "organisation": _text(node, "gmd:organisationName") or "",
            "name": _text(node, "gmd:organisationName") or _text(node, "gmd:individualName") or "",
            "email": _text(node, ".//gmd:electronicMailAddress") or "",
            "url": _text(node, ".//gmd:onlineResource/gmd:CI_OnlineResource/gmd:linkage") or "",
            "metadata_contact": "1" if node.getparent().tag == f"{{{NS['gmd']}}}contact" else "",
        }
        if party["name"] or party["email"]:
            parties.append(party)
    return parties


def _contacts(ident: etree._Element, record: etree._Element) -> list[dict[str, str]]:
    parties = _parties(ident, record)
    # The data's point of contact first; the metadata contact only when nothing else.
    chosen = [p for p in parties if p["role"] == "pointOfContact" and not p["metadata_contact"]]
    chosen = chosen or [p for p in parties if not p["metadata_contact"]] or parties
    contacts, seen = [], set()
    for party in chosen:
        key = (party["name"].casefold(), party["email"].casefold())
        if key in seen:
            continue
        seen.add(key)
        contacts.append({k: party[k] for k in ("name", "email", "url") if party[k]})
    return contacts[:3]


def _publisher(ident: etree._Element, record: etree._Element) -> list[dict[str, str]]:
    """The organisation responsible for the data, as a hint for the harvester.

    ``owner_org`` is decided by the harvest source, not by the record; this tells who
    the record says publishes the data (``dct:publisher``), in dcat_ap_full's shape.
    """
    # An organisation only: a person named as point of contact is no publisher.
    parties = [
        p for p in _parties(ident, record) if not p["metadata_contact"] and p["organisation"]
    ]
    ranked = sorted(
        parties,
        key=lambda p: (_PUBLISHER_ROLES.index(p["role"]) if p["role"] in _PUBLISHER_ROLES else 99),
    )
    for party in ranked[:1]:
        found = {"name": party["organisation"], "email": party["email"], "url": party["url"]}
        return [{k: v for k, v in found.items() if v}]
    return []


def geographic_identifiers(record: etree._Element) -> list[str]:
    """Codes or names of ``gmd:geographicIdentifier`` (e.g. an INSEE code, "Moselle")."""
    ident = _identification(record)
    if ident is None:
        return []
    return _texts(
        ident,
        ".//gmd:EX_Extent/gmd:geographicElement/gmd:EX_GeographicDescription/"
        "gmd:geographicIdentifier/*/gmd:code",
    )


# --- Licence and constraints ---------------------------------------------------------


def _constraint_texts(ident: etree._Element) -> tuple[list[str], list[str]]:
    use = _texts(ident, "gmd:resourceConstraints/*/gmd:useLimitation")
    other = _texts(ident, "gmd:resourceConstraints/*/gmd:otherConstraints")
    return use, other


def _licence(ident: etree._Element) -> dict[str, str]:
    use, other = _constraint_texts(ident)
    # Anchors often carry the licence URI while the text says only "Licence".
    hrefs = [
        _href(node)
        for node in _xpath(
            ident,
            "gmd:resourceConstraints/*/gmd:otherConstraints|"
            "gmd:resourceConstraints/*/gmd:useLimitation",
        )
    ]
    # Each text is a reading: one naming a licence counts, the others are conditions.
    found = mapping.settle_license([], rights=[*other, *use, *(h for h in hrefs if h)])
    if found.values and (found.recognised or found.note):
        return mapping.license_dict(found)
    conditions = "\n\n".join(dict.fromkeys(t for t in [*use, *other] if t))
    return {
        "license_id": "other",
        "license_other": conditions[:LICENSE_OTHER_MAX]
        or "Licence non précisée par la fiche source : voir les conditions du producteur.",
    }


def _access_rights(ident: etree._Element) -> str | None:
    use, other = _constraint_texts(ident)
    codes = _texts(ident, "gmd:resourceConstraints/*/gmd:accessConstraints/*")
    if any(_NO_PUBLIC_RESTRICTION.search(t) for t in [*other, *use]):
        return vocabularies.access_right_uri("PUBLIC")
    if not codes and not other:
        return None
    if any(code in ("restricted", "confidential", "secret", "topSecret") for code in codes):
        return vocabularies.access_right_uri("RESTRICTED")
    return None


# --- Online resources ------------------------------------------------------------------


def service_kind(url: str, protocol: str) -> str | None:
    protocol = protocol.upper()
    for kind in ("WMS", "WFS"):
        if f"OGC:{kind}" in protocol or f"OGC-{kind}" in protocol:
            return kind
    query = {k.upper(): v for k, v in parse_qs(urlsplit(url).query).items()}
    services = [v.upper() for v in query.get("SERVICE", [])]
    for kind in ("WMS", "WFS"):
        if kind in services:
            return kind
    return None


def _is_metadata_view(url: str, guid: str) -> bool:
    lowered = url.lower()
    return "getrecordbyid" in lowered or (
        guid.lower() in lowered and ("catalog.search" in lowered or "/api/records/" in lowered)
    )


def _landing_page(record: etree._Element, guid: str) -> str | None:
    for url in _texts(record, ".//gmd:CI_OnlineResource/gmd:linkage"):
        lowered = url.lower()
        if guid.lower() in lowered and "catalog.search" in lowered and _reachable(url):
            return url
    return None


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not _INTRANET_HOSTS.search(parts.hostname or "")
    )


def _is_download(online: etree._Element) -> bool:
    """A link to the data itself: a download protocol (WWW:DOWNLOAD-1.0-http--download...)
    or the ``download`` online function code."""
    protocol = (_text(online, "gmd:protocol") or "").upper()
    return "DOWNLOAD" in protocol or _text(online, "gmd:function") == "download"


def _file_name(url: str) -> str:
    parts = urlsplit(url)
    return parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.hostname or url


def format_from_url(url: str) -> str | None:
    """File-type code the URL's extension gives (``mapping.format_from_url``)."""
    return mapping.format_from_url(url)


def distribution_formats(record: etree._Element) -> list[str]:
    """Format names the record states for its distribution (``gmd:distributionFormat``,
    ``gmd:distributorFormat``), e.g. "MapInfo TAB", "ESRI Shapefile", without repeats."""
    names = _texts(
        record,
        "gmd:distributionInfo/gmd:MD_Distribution/gmd:distributionFormat/gmd:MD_Format/gmd:name|"
        "gmd:distributionInfo/gmd:MD_Distribution/gmd:distributor/gmd:MD_Distributor/"
        "gmd:distributorFormat/gmd:MD_Format/gmd:name",
    )
    return list(dict.fromkeys(name for name in names if name))


def _file_formats(record: etree._Element) -> list[str]:
    """The formats a record's files come in (our codes, else the names as stated), in the
    record's order."""
    found = (mapping.map_format(name) for name in distribution_formats(record))
    # Services (WMS, WFS, WMTS) listed among the formats are the record's services, not
    # the format of its files: GPKG + WMS + WFS still says the download is GeoPackage.
    return list(dict.fromkeys(m.value for m in found if m.value and not m.value.endswith("_SRVC")))


def _distribution_format(record: etree._Element) -> str | None:
    """The one format a record's files come in, or None when it states several: then which
    file is which cannot be told."""
    formats = _file_formats(record)
    return formats[0] if len(formats) == 1 else None


def _resources(record: etree._Element, guid: str) -> list[dict[str, Any]]:
    default_format = _distribution_format(record)
    file_formats = _file_formats(record)
    downloads = [
        online
        for online in _xpath(record, "gmd:distributionInfo//gmd:onLine/gmd:CI_OnlineResource")
        if _is_download(online)
    ]
    resources: list[dict[str, Any]] = []
    seen: set[str] = set()
    for online in _xpath(record, "gmd:distributionInfo//gmd:onLine/gmd:CI_OnlineResource"):
        url = _text(online, "gmd:linkage")
        if not url or url in seen or not _reachable(url) or _is_metadata_view(url, guid):
            continue
        seen.add(url)
        protocol = _text(online, "gmd:protocol") or ""
        name = _text(online, "gmd:name")
        description = _text(online, "gmd:description")
        service = service_kind(url, protocol)
        resource: dict[str, Any] = {"url": url, "name": name or _file_name(url)}
        if description:
            resource["description"] = description
        if service:
            resource.update(format=f"{service}_SRVC", is_api=True, access_url=url)
            if name and name != url and not name.startswith(("http://", "https://")):
                # The layer name the service publishes, which GIS users need.
                resource["name"] = f"{name} ({service})"
        else:
            download = _is_download(online)
            # The record's distribution format names the files it links to; a link to a
            # web page (WWW:LINK) is no such file.
            is_page = "LINK" in protocol.upper() and not download
            fmt = format_from_url(url) or (None if is_page else default_format)
            if not fmt and download and len(downloads) == 1 and len(file_formats) > 1:
                # The record's one download link for several stated formats: which one it
                # serves cannot be told (none is guessed); the description names them all.
                offered = f"Formats proposés : {', '.join(distribution_formats(record))}"
                resource["description"] = f"{description}\n\n{offered}" if description else offered
            resource.update(is_api=False, access_url=url)
            if download:
                resource["download_url"] = url
            if fmt:
                resource["format"] = fmt
        resources.append(resource)
    return resources


# --- ISO 19119 service records -------------------------------------------------------------
# A service record (hierarchyLevel "service", srv:SV_ServiceIdentification) describes a WMS,
# WFS... that serves datasets named by srv:operatesOn: the CSW harvester makes it an API
# resource of each of those datasets rather than a dataset of its own.


def is_service(record: etree._Element) -> bool:
    """Whether a record describes a service (ISO 19119) rather than a dataset."""
    levels = _xpath(record, "gmd:hierarchyLevel/gmd:MD_ScopeCode/@codeListValue")
    return "service" in levels or bool(
        _xpath(record, "gmd:identificationInfo/srv:SV_ServiceIdentification")
    )


def operates_on(record: etree._Element) -> list[str]:
    """The identifiers of the datasets a service serves (``srv:operatesOn``): its ``uuidref``,
    else the ``id`` of the GetRecordById address in ``xlink:href``."""
    found: list[str] = []
    for element in _xpath(
        record, "gmd:identificationInfo/srv:SV_ServiceIdentification/srv:operatesOn"
    ):
        ref = (element.get("uuidref") or "").strip()
        href = (element.get(f"{{{NS['xlink']}}}href") or "").strip()
        if not ref and href:
            query = {k.lower(): v for k, v in parse_qs(urlsplit(href).query).items()}
            ids = query.get("id") or []
            ref = ids[0].strip() if ids else ""
        if ref:
            found.append(ref)
    return list(dict.fromkeys(found))


def dataset_keys(record: etree._Element) -> list[str]:
    """What a service's ``operatesOn`` may name a dataset record by: its fileIdentifier and
    its resource identifier."""
    ident = _identification(record)
    keys = [file_identifier(record), _resource_identifier(ident) if ident is not None else None]
    return [key for key in dict.fromkeys(keys) if key]


def service_resources(record: etree._Element, documentation: str | None) -> list[dict[str, Any]]:
    """The API resources a service record gives the datasets it serves: its OGC addresses
    (online resources, then operation connect points), named after the service, with the
    service record's page as documentation."""
    guid = file_identifier(record) or ""
    title = record_title(record) or ""
    abstract = _text(record, "gmd:identificationInfo/*/gmd:abstract")
    links = [r for r in _resources(record, guid) if r.get("is_api")]
    if not links:
        for url in _texts(
            record,
            "gmd:identificationInfo/srv:SV_ServiceIdentification/srv:containsOperations/"
            "srv:SV_OperationMetadata/srv:connectPoint/gmd:CI_OnlineResource/gmd:linkage",
        ):
            kind = service_kind(url, _text(record, ".//srv:serviceType") or "")
            if kind and _reachable(url):
                links.append(
                    {"url": url, "format": f"{kind}_SRVC", "is_api": True, "access_url": url}
                )
    found: dict[str, dict[str, Any]] = {}
    for link in links:
        kind = str(link.get("format", "")).removesuffix("_SRVC")
        resource = {**link, "name": f"{title} ({kind})" if title and kind else title or link["url"]}
        if abstract:
            resource["description"] = abstract
        if documentation:
            resource["documentation"] = [documentation]
        found.setdefault(resource["url"], resource)
    return list(found.values())
