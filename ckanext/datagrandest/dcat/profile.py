"""The ``datagrandest`` RDF profile: what euro_dcat_ap_3 leaves out of DCAT-AP 3, both ways.

Enabled after the stock profile (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 datagrandest``):
ckanext-dcat runs every profile in turn on the same graph (and the same parsed dict), so this
one only adds our triples and replaces the few stock ones that break the DCAT-AP 3.0.1 shapes.

Territories (``territories``: INSEE/SIREN codes) become ``dct:spatial`` ``dct:Location``
nodes with a ``skos:prefLabel`` and the code as ``dct:identifier``.  URI scheme: INSEE's
code-based geography URIs, ``http://id.insee.fr/geo/region/44``,
``http://id.insee.fr/geo/departement/67``, ``http://id.insee.fr/geo/commune/67482``, and for
EPCIs (which INSEE identifies by their SIREN) ``http://id.insee.fr/geo/intercommunalite/
246700488``.  INSEE's current COG graph names items by UUID, which change with each
geography revision and cannot be built from a code; the code URIs are stable for as long as
the code is, readable, and the form French portals already exchange.

Publisher: the original publisher a harvested dataset names (``publisher``, filled by the
harvesters) is its ``dct:publisher``; the portal organization that holds the dataset then
becomes its ``dcat:contactPoint`` when the dataset has none (the body that answers for the
record on this portal). Without an original publisher the organization is the
``dct:publisher`` (``foaf:Agent``), with ``dct:type`` from the ADMS publisher-type
vocabulary according to its ``body_kind`` and its SIREN as ``dct:identifier``.  The dataset's
own licence is also stated on the dataset (DCAT-AP only has it on distributions), and the
granularity, which DCAT-AP has no property for, is ``dge:granularity`` in our namespace.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import ckan.plugins.toolkit as tk
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import PROV

from ckanext.datagrandest import config, territories, vocabularies
from ckanext.datagrandest.dcat import concepts, locations, origin, services
from ckanext.datagrandest.dcat import hvd as hvd_rdf
from ckanext.datagrandest.dcat import quality as quality_rdf
from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import (
    DCAT,
    DCATAP,
    DCT,
    FOAF,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    SPDX,
    TIME,
    VCARD,
    CleanedURIRef,
)
from ckanext.dcat.utils import publisher_uri_organization_fallback, resource_uri

INSEE_GEO: Final = "http://id.insee.fr/geo/"
# Path segment of each territory kind under INSEE_GEO.
TERRITORY_PATHS: Final = {
    "region": "region",
    "departement": "departement",
    "epci": "intercommunalite",
    "commune": "commune",
}
PUBLISHER_TYPE: Final = "http://purl.org/adms/publishertype/"
# ADMS has no type for a public establishment or "other": better no type than a wrong one.
BODY_KIND_TYPES: Final = {
    "state_service": "NationalAuthority",
    "region": "RegionalAuthority",
    "departement": "LocalAuthority",
    "epci": "LocalAuthority",
    "commune": "LocalAuthority",
    "syndicate": "LocalAuthority",
    "association": "NonProfitOrganisation",
}
IANA_MEDIA_TYPES: Final = "https://www.iana.org/assignments/media-types/"
# The 3.0.1 vocabulary shapes want checksum algorithms under https://spdx.org/rdf/terms.
SPDX_ALGORITHM: Final = "https://spdx.org/rdf/terms#checksumAlgorithm_"
EU_LANGUAGES: Final = vocabularies.EU_AUTHORITY + "language/"
DATA_THEMES: Final = vocabularies.EU_AUTHORITY + "data-theme"
LOCN_GEOMETRY: Final = URIRef("http://www.w3.org/ns/locn#geometry")
# Our own terms, for the fields DCAT-AP has no property for (the granularity of the data).
DGE: Final = Namespace("https://www.datagrandest.fr/ns/dcat#")

# Properties whose values are concepts of our vocabularies, per kind of node: each value is
# described once per page (concepts.describe). Themes we do not know (a harvested portal's own
# theme page) are still typed skos:Concept, which dcat:theme's range requires.
_DATASET_CONCEPTS: Final = (
    DCAT.theme,
    DCT.language,
    DCT.accrualPeriodicity,
    DCT.accessRights,
    DCATAP.hvdCategory,
)
_DISTRIBUTION_CONCEPTS: Final = (DCT["format"], DCT.language, DCATAP.hvdCategory)
_SERVICE_CONCEPTS: Final = (DCT["format"], DCAT.theme, DCATAP.hvdCategory, DCT.accessRights)

# Harvest sources seldom change; remembering them a few minutes spares one action call per
# harvested dataset on catalogue pages.
_SOURCE_TTL: Final = 300.0
_sources: dict[str, tuple[float, dict[str, Any] | None]] = {}


def territory_code(uri: str) -> str | None:
    """The code of a territory URI as we export it (``INSEE_GEO`` + kind + code), or None."""
    if not uri.startswith(INSEE_GEO):
        return None
    kind_path, _, code = uri[len(INSEE_GEO) :].partition("/")
    territory = territories.get(code)
    if territory is None or TERRITORY_PATHS[territory.kind] != kind_path:
        return None
    return territory.code


_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_BOX: Final = re.compile(r"^\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*$")


def _literal_place(text: str) -> dict[str, Any] | None:
    """A dct:spatial given as a literal: a "west,south,east,north" box (DCAT-US) as a GeoJSON
    bounding box, any other text as the place's name; None for an empty text."""
    if not text.strip():
        return None
    match = _BOX.match(text)
    if match:
        try:
            west, south, east, north = (float(v) for v in match.groups())
        except ValueError:
            return {"text": text.strip()[:200]}
        if -180 <= west <= east <= 180 and -90 <= south <= north <= 90:
            ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
            return {"bbox": json.dumps({"type": "Polygon", "coordinates": [ring]})}
    return {"text": text.strip()[:200]}


def _value(data: dict[str, Any], key: str) -> Any:
    """A field at the root (scheming) or in the extras (no schema), JSON decoded."""
    if key in data:
        value = data[key]
    else:
        value = next((e["value"] for e in data.get("extras", []) if e["key"] == key), None)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _as_list(value: Any) -> list[Any]:
    if value in (None, "", [], {}):
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str) and "," in value:
        return [item.strip() for item in value.split(",") if item.strip()]
    return [value]


@dataclass(frozen=True, slots=True)
class _LicenseInfo:
    """What the export says of one of our licences (``data/licenses.json``)."""

    id: str
    uri: str  # the EU licence concept, else the licence's own URL
    url: str
    title_fr: str
    title_en: str
    common_title: str
    types: tuple[str, ...]


@cache
def _licenses() -> dict[str, _LicenseInfo]:
    with vocabularies.LICENSES_PATH.open(encoding="utf-8") as stream:
        rows = json.load(stream)
    found = {}
    for row in rows:
        uri = row.get("eu_uri") or row.get("url")
        if not uri:
            continue  # "other": its text is per dataset
        found[row["id"]] = _LicenseInfo(
            id=row["id"],
            uri=uri,
            url=row.get("url") or "",
            title_fr=row.get("title_fr") or row["title"],
            title_en=row.get("title_en") or row["title"],
            common_title=row.get("common_title") or "",
            types=tuple(row.get("licence_types") or ()),
        )
    return found


def _license_info(license_id: Any) -> _LicenseInfo | None:
    return _licenses().get(license_id) if isinstance(license_id, str) else None


@cache
def license_ids_by_uri() -> dict[str, str]:
    """Our licence id for each URI that names it: the EU concept and the licence's own URL."""
    found = {item.uri: item.id for item in vocabularies.licenses() if item.uri}
    for info in _licenses().values():
        found[info.uri] = info.id
    return found


def _harvest_source(source_id: str) -> dict[str, Any] | None:
    now = time.monotonic()
    cached = _sources.get(source_id)
    if cached is not None and now - cached[0] < _SOURCE_TTL:
        return cached[1]
    try:
        source = tk.get_action("harvest_source_show")({"ignore_auth": True}, {"id": source_id})
    except (KeyError, tk.ObjectNotFound):
        # KeyError: the harvest plugin is off; the dataset then simply has no provenance.
        source = None
    _sources[source_id] = (now, source)
    return source


class DataGrandEstDCATAP3Profile(RDFProfile):
    """Our fields in DCAT-AP 3, on top of ``euro_dcat_ap_3`` (which must run first)."""

    def __init__(
        self, graph: Any, dataset_type: str = "dataset", compatibility_mode: bool = False
    ) -> None:
        # The stock constructor looks the scheming schema up, once per dataset of a catalogue
        # page; only parsing uses it, so parse_dataset runs the full constructor itself.
        self.g = graph
        self.compatibility_mode = compatibility_mode
        self._dataset_type = dataset_type

    # -- CKAN -> RDF -------------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        super().graph_from_dataset(dataset_dict, dataset_ref)
        # dct:identifier is a literal in DCAT-AP; the stock profile makes URL-like ones IRIs.
        for identifier in list(self.g.objects(dataset_ref, DCT.identifier)):
            if isinstance(identifier, URIRef):
                self.g.remove((dataset_ref, DCT.identifier, identifier))
                self.g.add((dataset_ref, DCT.identifier, Literal(str(identifier))))
        self._territories_to_graph(dataset_dict, dataset_ref)
        self._contacts_to_graph(dataset_ref)
        self._publisher_to_graph(dataset_dict, dataset_ref)
        self._provenance_to_graph(dataset_dict, dataset_ref)
        hvd_rdf.dataset_to_graph(self.g, dataset_dict, dataset_ref)
        quality_rdf.dataset_to_graph(self.g, dataset_dict, dataset_ref)
        # The stock profile has linked each distribution already; finding them by resource id
        # spares resource_uri() and its URI quoting for every resource of a page.
        distributions = {
            str(node).rpartition("/resource/")[2]: node
            for node in self.g.objects(dataset_ref, DCAT.distribution)
        }
        for resource_dict in dataset_dict.get("resources", []):
            distribution = (
                None if resource_dict.get("uri") else distributions.get(resource_dict.get("id", ""))
            )
            if distribution is None:
                distribution = CleanedURIRef(resource_uri(resource_dict))
            self._distribution_to_graph(dataset_dict, resource_dict, distribution)
        # DCAT-AP puts licences on distributions only; the dataset's own licence (the one
        # its distributions default to) is kept on the dataset too, so that a consumer, or
        # our own parser, does not have to guess it from distributions that differ.
        node = self._license_node(
            dataset_dict.get("license_id"), _value(dataset_dict, "license_other")
        )
        if node is not None:
            self.g.add((dataset_ref, DCT.license, node))
        granularity = _value(dataset_dict, "granularity")
        if granularity:
            self.g.add((dataset_ref, DGE.granularity, Literal(str(granularity))))
        self._describe_concepts(dataset_ref)

    def _describe_concepts(self, dataset_ref: URIRef) -> None:
        """Every concept the dataset uses, described once per page (``concepts.py``)."""
        g = self.g
        describe = concepts.describe
        for predicate in _DATASET_CONCEPTS:
            for value in g.objects(dataset_ref, predicate):
                if not describe(g, value) and predicate == DCAT.theme:
                    g.add((value, RDF.type, SKOS.Concept))
        for publisher in g.objects(dataset_ref, DCT.publisher):
            for kind in g.objects(publisher, DCT.type):
                describe(g, kind)
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            for predicate in _DISTRIBUTION_CONCEPTS:
                for value in g.objects(distribution, predicate):
                    describe(g, value)
            for service in g.objects(distribution, DCAT.accessService):
                for predicate in _SERVICE_CONCEPTS:
                    for value in g.objects(service, predicate):
                        if not describe(g, value) and predicate == DCAT.theme:
                            g.add((value, RDF.type, SKOS.Concept))

    def _license_node(self, license_id: Any, other: Any) -> URIRef | BNode | None:
        """Our licence as a dct:LicenseDocument: the EU licence concept (described once per
        page), or for "other" a node with its text; see ``_describe_license``."""
        info = _license_info(license_id)
        if info is not None:
            uri = URIRef(info.uri)
            if concepts.first_time(self.g, "licence " + info.uri):
                self._describe_license(uri, info)
            return uri
        if license_id == "other" and other:
            # One node per dataset, shared by the dataset and its distributions.
            existing = getattr(self, "_other_license", None)
            if existing is not None:
                return existing
            node = self._other_license = BNode()
            self.g.add((node, RDF.type, DCT.LicenseDocument))
            self.g.add((node, RDFS.label, Literal(str(other), lang="fr")))
            return node
        return None

    def _describe_license(self, node: URIRef, info: _LicenseInfo) -> None:
        """A licence as others recognise it.

        The node is the licence's concept in the EU licence table (data.europa.eu's URI,
        ``skos:Concept`` with its French and English labels): self-describing. ``rdfs:label``
        is the name data.gouv.fr's harvester, which prefers the label to the URI, matches
        against its own licence titles (and CKAN's default list uses): "Licence Ouverte /
        Open Licence version 2.0", "Creative Commons Attribution"... ``dct:title`` gives our
        precise titles (version included) and ``foaf:page`` the licence's own text.
        """
        g = self.g
        g.add((node, RDF.type, DCT.LicenseDocument))
        concepts.describe(g, info.uri)
        if info.common_title:
            g.add((node, RDFS.label, Literal(info.common_title, lang="fr")))
        g.add((node, DCT.title, Literal(info.title_fr, lang="fr")))
        g.add((node, DCT.title, Literal(info.title_en, lang="en")))
        if info.url:
            g.add((node, FOAF.page, URIRef(info.url)))
            g.add((URIRef(info.url), RDF.type, FOAF.Document))
        for kind in info.types:
            g.add((node, DCT.type, URIRef(concepts.LICENCE_TYPE + kind)))
            concepts.describe(g, concepts.LICENCE_TYPE + kind)

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: URIRef) -> None:
        super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        # The stock profile writes the CKAN locale ("fr") as a literal language.
        # The stock profile writes the CKAN locale ("fr") as a literal language; the
        # catalogue's languages are those the portal offers.
        for language in list(g.objects(catalog_ref, DCT.language)):
            if isinstance(language, Literal):
                g.remove((catalog_ref, DCT.language, language))
        for locale in _catalog_locales():
            uri = vocabularies.language_uri(_iso639_3(locale))
            if uri:
                g.add((catalog_ref, DCT.language, URIRef(uri)))
                concepts.describe(g, uri)
        self._catalog_record(catalog_ref)
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        g.add((catalog_ref, DCAT.themeTaxonomy, URIRef(DATA_THEMES)))
        concepts.describe_scheme(g, DATA_THEMES)
        # The catalogue is the Région's: a regional authority publishes it.
        publisher = URIRef(config.dcat_catalog_publisher_uri())
        for other in list(g.objects(catalog_ref, DCT.publisher)):
            g.remove((catalog_ref, DCT.publisher, other))
        g.add((catalog_ref, DCT.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        g.add((publisher, FOAF.name, Literal(config.dcat_catalog_publisher_name())))
        g.add((publisher, DCT.type, URIRef(PUBLISHER_TYPE + "RegionalAuthority")))
        concepts.describe(g, PUBLISHER_TYPE + "RegionalAuthority")
        # The licence of the catalogue's metadata.
        node = self._license_node(config.dcat_catalog_license(), None)
        if node is not None:
            for other in list(g.objects(catalog_ref, DCT.license)):
                g.remove((catalog_ref, DCT.license, other))
            g.add((catalog_ref, DCT.license, node))

    def _catalog_record(self, catalog_ref: URIRef) -> None:
        """Title and description of the portal in French and English (the stock profile
        writes the site title and description without a language)."""
        g = self.g
        for predicate, texts in (
            (DCT.title, config.dcat_catalog_titles()),
            (DCT.description, config.dcat_catalog_descriptions()),
        ):
            if not any(texts.values()):
                continue
            for old in list(g.objects(catalog_ref, predicate)):
                g.remove((catalog_ref, predicate, old))
            for lang, text in texts.items():
                if text:
                    g.add((catalog_ref, predicate, Literal(text, lang=lang)))

    def _territories_to_graph(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        for code in _as_list(_value(dataset_dict, "territories")):
            territory = territories.get(str(code))
            if territory is None:
                continue
            node = URIRef(f"{INSEE_GEO}{TERRITORY_PATHS[territory.kind]}/{territory.code}")
            self.g.add((dataset_ref, DCT.spatial, node))
            # Name, code, bbox, centroid and geometry, once per graph (dcat/locations.py).
            locations.describe(self.g, node, territory)

    def _contacts_to_graph(self, dataset_ref: URIRef) -> None:
        # DCAT-AP ranges dcat:contactPoint over vcard:Kind; the stock profile types legacy
        # contacts vcard:Organization only.
        for contact in self.g.objects(dataset_ref, DCAT.contactPoint):
            self.g.add((contact, RDF.type, VCARD.Kind))

    def _organization(self, org_id: str) -> dict[str, Any] | None:
        # The stock profile has already fetched the organization into this shared cache.
        org = self._org_cache.get(org_id)
        if org is None:
            try:
                org = tk.get_action("organization_show")(
                    {"ignore_auth": True}, {"id": org_id, "include_datasets": False}
                )
            except tk.ObjectNotFound:
                return None
            self._org_cache[org_id] = org
        return org

    def _publisher_to_graph(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        organization = dataset_dict.get("organization")
        org = self._organization(organization["id"]) if organization else None
        original = [
            agent
            for agent in _as_list(_value(dataset_dict, "publisher"))
            if isinstance(agent, dict) and agent.get("name")
        ]
        if original:
            # The stock profile wrote the original publisher; DCAT-AP wants dct:type of a
            # publisher from the ADMS publisher types only.
            for publisher in self.g.objects(dataset_ref, DCT.publisher):
                for kind in list(self.g.objects(publisher, DCT.type)):
                    if not str(kind).startswith(PUBLISHER_TYPE):
                        self.g.remove((publisher, DCT.type, kind))
            if org is not None:
                self._organization_as_contact(org, dataset_ref)
            return
        if org is None:
            return
        for nameless in list(self.g.objects(dataset_ref, DCT.publisher)):
            # A publisher row without a name (stock profile wrote it anyway): no agent
            # without foaf:name in DCAT-AP; the organization stands in.
            if (nameless, FOAF.name, None) not in self.g:
                self.g.remove((dataset_ref, DCT.publisher, nameless))
                if isinstance(nameless, BNode):
                    self.g.remove((nameless, None, None))
        if not any(self.g.objects(dataset_ref, DCT.publisher)):
            fallback = CleanedURIRef(publisher_uri_organization_fallback(dataset_dict))
            self.g.add((dataset_ref, DCT.publisher, fallback))
            self.g.add((fallback, RDF.type, FOAF.Agent))
            self.g.add((fallback, FOAF.name, Literal(str(org.get("title") or org["name"]))))
        for publisher in list(self.g.objects(dataset_ref, DCT.publisher)):
            email = _value(org, "email")
            if email:
                # foaf:mbox is an IRI in FOAF; the stock profile writes a bare literal, again
                # for every dataset of the publisher.
                for mbox in list(self.g.objects(publisher, FOAF.mbox)):
                    if isinstance(mbox, Literal):
                        self.g.remove((publisher, FOAF.mbox, mbox))
                self.g.add((publisher, FOAF.mbox, URIRef(self._add_mailto(str(email)))))
            kind = BODY_KIND_TYPES.get(str(_value(org, "body_kind") or ""))
            siren = _value(org, "siren")
            # A catalogue page names the same publishers many times: describe each once.
            if (kind or siren) and (
                (publisher, DCT.type, None) in self.g or (publisher, DCT.identifier, None) in self.g
            ):
                continue
            self.g.add((publisher, RDF.type, FOAF.Agent))
            if kind:
                self.g.add((publisher, DCT.type, URIRef(PUBLISHER_TYPE + kind)))
            if siren:
                self.g.add((publisher, DCT.identifier, Literal(str(siren))))
            website = _value(org, "website")
            if website and not any(self.g.objects(publisher, FOAF.homepage)):
                self.g.add((publisher, FOAF.homepage, CleanedURIRef(website)))

    def _organization_as_contact(self, org: dict[str, Any], dataset_ref: URIRef) -> None:
        """The portal organization as contact point of a dataset that names none."""
        if any(self.g.objects(dataset_ref, DCAT.contactPoint)) or not org.get("title"):
            return
        contact = BNode()
        self.g.add((dataset_ref, DCAT.contactPoint, contact))
        self.g.add((contact, RDF.type, VCARD.Kind))
        self.g.add((contact, RDF.type, VCARD.Organization))
        self.g.add((contact, VCARD.fn, Literal(str(org["title"]))))
        email = _value(org, "email")
        if email:
            self.g.add((contact, VCARD.hasEmail, URIRef(self._add_mailto(str(email)))))
        website = _value(org, "website")
        if website:
            self.g.add((contact, VCARD.hasURL, CleanedURIRef(website)))

    def _provenance_to_graph(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        # package_show carries our harvesters' provenance; search results (catalogue pages)
        # only carry ckanext-harvest's harvest_source_id, so the source is looked up then.
        found = dataset_dict.get("datagrandest_provenance")
        source_id = _value(dataset_dict, "harvest_source_id")
        # A dataset first published here that a harvest merely links to (a duplicate) is
        # ours: no origin elsewhere (dcat/origin.py).
        if not origin.is_harvested(dataset_dict, isinstance(found, dict) or bool(source_id)):
            return
        self._original_to_graph(dataset_dict, dataset_ref)
        if not isinstance(found, dict):
            source = _harvest_source(str(source_id)) or {}
            found = {
                "source_title": source.get("title") or _value(dataset_dict, "harvest_source_title"),
                "source_url": source.get("url"),
            }
        title = found.get("source_title") or ""
        url = found.get("source_url")
        label = f"Moissonné depuis « {title} »" + (f" ({url})" if url else "")
        statement = BNode()
        self.g.add((dataset_ref, DCT.provenance, statement))
        self.g.add((statement, RDF.type, DCT.ProvenanceStatement))
        self.g.add((statement, RDFS.label, Literal(label, lang="fr")))
        activity = BNode()
        self.g.add((dataset_ref, PROV.wasGeneratedBy, activity))
        self.g.add((activity, RDF.type, PROV.Activity))
        self.g.add((activity, RDFS.label, Literal(label, lang="fr")))
        if url:
            self.g.add((activity, RDFS.seeAlso, CleanedURIRef(url)))
        if found.get("last_harvested"):
            self._add_date_triple(activity, PROV.endedAtTime, found["last_harvested"])

    def _original_to_graph(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """A harvested dataset names its original, so that no portal takes it for a new one:
        ``prov:wasDerivedFrom`` its original landing page, and as ``dct:identifier`` the
        original's identifier (harvesters store it as ``identifier``), else that page.

        ``dct:source`` would say the same, but DCAT-AP ranges it over ``dcat:Dataset``,
        which a landing page is not.
        """
        page = dataset_dict.get("url")
        if not isinstance(page, str) or not page.startswith(("http://", "https://")):
            return
        self.g.add((dataset_ref, PROV.wasDerivedFrom, CleanedURIRef(page)))
        if not str(dataset_dict.get("identifier") or "").strip():
            # The stock profile fell back on our own id: not the original's identifier.
            for identifier in list(self.g.objects(dataset_ref, DCT.identifier)):
                self.g.remove((dataset_ref, DCT.identifier, identifier))
            self.g.add((dataset_ref, DCT.identifier, Literal(page)))

    def _distribution_to_graph(
        self, dataset_dict: dict[str, Any], resource_dict: dict[str, Any], distribution: URIRef
    ) -> None:
        g = self.g

        # Formats as EU file-type URIs, media types as IANA URIs: the stock profile leaves
        # literals, which the vocabulary shapes reject.
        # A harvested format outside the EU table (kept as the source wrote it) has no URI
        # to give: no dct:format rather than a literal the shapes refuse.
        file_type = vocabularies.file_type_uri(resource_dict.get("format"))
        for old in list(g.objects(distribution, DCT["format"])):
            if file_type or isinstance(old, Literal):
                g.remove((distribution, DCT["format"], old))
        if file_type:
            g.add((distribution, DCT["format"], URIRef(file_type)))
            g.add((URIRef(file_type), RDF.type, DCT.MediaTypeOrExtent))
        for old in list(g.objects(distribution, DCAT.mediaType)):
            if isinstance(old, Literal):
                g.remove((distribution, DCAT.mediaType, old))
                media_type = URIRef(IANA_MEDIA_TYPES + str(old).strip())
                g.add((distribution, DCAT.mediaType, media_type))
                g.add((media_type, RDF.type, DCT.MediaType))

        # Licence: ours by id, the distribution's own or the dataset's.
        node = self._license_node(
            resource_dict.get("license") or dataset_dict.get("license_id"),
            _value(dataset_dict, "license_other"),
        )
        if node is not None:
            for old in list(g.objects(distribution, DCT.license)):
                g.remove((distribution, DCT.license, old))
                # The stock profile types every licence "UnknownIPR", which is untrue here.
                g.remove((old, DCT.type, URIRef("http://purl.org/adms/licencetype/UnknownIPR")))
            g.add((distribution, DCT.license, node))

        # DCAT-AP 3 requires an access URL; the stock profile skips it when url == download_url.
        if not any(g.objects(distribution, DCAT.accessURL)):
            url = resource_dict.get("access_url") or resource_dict.get("url")
            if url:
                g.add((distribution, DCAT.accessURL, CleanedURIRef(url)))

        for checksum in g.objects(distribution, SPDX.checksum):
            for algorithm in list(g.objects(checksum, SPDX.algorithm)):
                if isinstance(algorithm, Literal):
                    g.remove((checksum, SPDX.algorithm, algorithm))
                    name = str(algorithm).lower().replace("-", "")
                    uri = URIRef(SPDX_ALGORITHM + name)
                    g.add((checksum, SPDX.algorithm, uri))
                    g.add((uri, RDF.type, SPDX.ChecksumAlgorithm))

        # APIs (WMS, WFS, OGC API, REST...) as data services, with the HVD fields.
        hvd_rdf.distribution_to_graph(g, dataset_dict, resource_dict, distribution)
        service = services.service_to_graph(g, resource_dict, distribution)
        if service is not None:
            hvd_rdf.service_to_graph(g, dataset_dict, resource_dict, service)

    # -- RDF -> CKAN -------------------------------------------------------------------

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> dict[str, Any]:
        super().__init__(self.g, self._dataset_type, self.compatibility_mode)
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        extras = dataset_dict.setdefault("extras", [])
        stock = {e["key"]: e["value"] for e in extras}

        def take(key: str) -> Any:
            # Fields of our schema go to the root, as scheming would store them.
            value = dataset_dict.pop(key, None)
            if value is None and key in stock:
                value = stock[key]
            extras[:] = [e for e in extras if e["key"] != key]
            return value

        for key in ("identifier", "issued", "modified", "frequency", "access_rights", "version"):
            value = take(key)
            if value:
                dataset_dict[key] = value
        for key in ("theme", "language", "conforms_to"):
            value = take(key)
            if isinstance(value, str):
                value = json.loads(value)
            if value:
                dataset_dict[key] = value
        if isinstance(dataset_dict.get("theme"), list):
            dataset_dict["theme"] = [self._theme_words(t) for t in dataset_dict["theme"]]

        codes: list[str] = []
        places: list[dict[str, Any]] = []
        for node in self.g.objects(dataset_ref, DCT.spatial):
            code = territory_code(str(node)) if isinstance(node, URIRef) else None
            if code:
                codes.append(code)
            elif (node, RDF.type, DCT.Location) in self.g or isinstance(node, URIRef):
                places.append(self._place(node))
            elif isinstance(node, Literal) and "{{" not in node:
                # DCAT-US data.json: a place name or a "west,south,east,north" box (ArcGIS
                # Hub leaves "{{extent:computeSpatialProperty}}" when it has none).
                place = _literal_place(str(node))
                if place:
                    places.append(place)
        # The stock parser folds every dct:spatial, territories included, into one place.
        for key in ("spatial_uri", "spatial_text", "spatial", "spatial_bbox", "spatial_centroid"):
            take(key)
        dataset_dict.pop("spatial_coverage", None)
        if codes:
            dataset_dict["territories"] = sorted(codes)
        if places:
            dataset_dict["spatial_coverage"] = places

        contacts = self._contact_details(dataset_ref, DCAT.contactPoint)
        for key in ("contact_uri", "contact_name", "contact_email", "contact_identifier"):
            take(key)
        take("contact_url")
        if contacts:
            dataset_dict["contact"] = [
                {k: c[k] for k in ("name", "email", "url") if c.get(k)} for c in contacts
            ]

        periods = [
            {k: v for k, v in (("start", start), ("end", end)) if v}
            for start, end in self._periods(dataset_ref)
        ]
        take("temporal_start")
        take("temporal_end")
        dataset_dict.pop("temporal_coverage", None)
        if periods:
            dataset_dict["temporal_coverage"] = periods

        license_ids = license_ids_by_uri()
        for resource_dict in dataset_dict.get("resources", []):
            self._parse_distribution(resource_dict, license_ids)
        # Project Open Data's early JSON-LD contexts spell dct:license "dct:#license".
        for predicate in (DCT.license, URIRef(f"{DCT}#license")):
            for node in self.g.objects(dataset_ref, predicate):
                if isinstance(node, URIRef) and str(node) in license_ids:
                    dataset_dict["license_id"] = license_ids[str(node)]
                elif isinstance(node, BNode) and self._object_value(node, RDFS.label):
                    dataset_dict["license_id"] = "other"
                    dataset_dict["license_other"] = self._object_value(node, RDFS.label)
                elif self._statement(node):
                    # A licence we do not list, a name as a literal: the harvesters read it
                    # (mapping.settle_license), as "other" with the source's words if need be.
                    dataset_dict["license_title"] = self._statement(node)
        rights = [self._statement(node) for node in self.g.objects(dataset_ref, DCT.rights)]
        if any(rights):
            dataset_dict["rights"] = next(text for text in rights if text)
        self._publisher_names(dataset_dict, dataset_ref)
        granularity = self._object_value(dataset_ref, DGE.granularity)
        if granularity:
            dataset_dict["granularity"] = granularity
        hvd_rdf.parse_dataset(self.g, dataset_dict, dataset_ref)
        return dataset_dict

    def _theme_words(self, theme: Any) -> Any:
        """A theme from another concept scheme (a portal's own theme page, EuroVoc) as the
        label the catalogue gives its concept, which the harvesters can map; EU and INSPIRE
        theme URIs, and concepts without a label, as given."""
        if not isinstance(theme, str) or not theme.startswith(("http://", "https://")):
            return theme
        if vocabularies.theme_uri(theme) or "inspire.ec.europa.eu/theme/" in theme:
            return theme
        labels = {
            label.language: str(label)
            for label in self.g.objects(URIRef(theme), SKOS.prefLabel)
            if isinstance(label, Literal) and str(label).strip()
        }
        return labels.get("fr") or labels.get(None) or labels.get("en") or theme

    def _statement(self, node: Any) -> str:
        """The words of a licence or rights statement: a literal, a URI, a node's label."""
        if isinstance(node, BNode):
            for predicate in (RDFS.label, DCT.title, SKOS.prefLabel, DCT.identifier):
                text = self._object_value(node, predicate)
                if text:
                    return str(text).strip()
            return ""
        return str(node).strip()

    def _publisher_names(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        """A publisher named by another label than foaf:name (DCAT-US 1.1 data.json:
        ``publisher.name`` is ``skos:prefLabel`` in its context) keeps that name."""
        agents = list(self.g.objects(dataset_ref, DCT.publisher))
        parsed = dataset_dict.get("publisher")
        if not isinstance(parsed, list) or len(parsed) != len(agents):
            return
        for agent, node in zip(parsed, agents, strict=True):
            if isinstance(agent, dict) and not agent.get("name"):
                for predicate in (SKOS.prefLabel, RDFS.label, VCARD.fn, VCARD["organization-name"]):
                    name = self._object_value(node, predicate)
                    if name:
                        agent["name"] = name
                        break

    def _place(self, node: Any) -> dict[str, Any]:
        place: dict[str, Any] = {"uri": str(node)} if isinstance(node, URIRef) else {}
        text = self._object_value(node, SKOS.prefLabel) or self._object_value(node, RDFS.label)
        if text:
            place["text"] = text
        for key, predicate in (
            ("geom", LOCN_GEOMETRY),
            ("bbox", DCAT.bbox),
            ("centroid", DCAT.centroid),
        ):
            value = self._parse_geodata(node, predicate, None)
            if value:
                place[key] = value
        return place

    def _periods(self, dataset_ref: URIRef) -> Iterator[tuple[str, str]]:
        for period in self.g.objects(dataset_ref, DCT.temporal):
            if isinstance(period, Literal):
                # DCAT-US data.json: an ISO 8601 interval "2009-09-01T12:00:00Z/2010-05-31".
                start, _, end = str(period).strip().partition("/")
                if _ISO_DATE.match(start) and (not end or _ISO_DATE.match(end)):
                    yield start, end
                continue
            # DCAT-AP 2+ says dcat:startDate; DCAT-AP 1 schema:startDate; OWL-Time instants.
            start = (
                self._object_value(period, DCAT.startDate)
                or self._object_value(period, SCHEMA.startDate)
                or self._instant(period, TIME.hasBeginning)
            )
            end = (
                self._object_value(period, DCAT.endDate)
                or self._object_value(period, SCHEMA.endDate)
                or self._instant(period, TIME.hasEnd)
            )
            if start or end:
                yield start, end

    def _instant(self, period: Any, predicate: URIRef) -> str:
        for instant in self.g.objects(period, predicate):
            for kind in (TIME.inXSDDateTimeStamp, TIME.inXSDDateTime, TIME.inXSDDate):
                value = self._object_value(instant, kind)
                if value:
                    return str(value)
        return ""

    def _parse_distribution(
        self, resource_dict: dict[str, Any], license_ids: dict[str, str]
    ) -> None:
        distribution = URIRef(resource_dict.get("distribution_ref") or resource_dict["uri"])
        for fmt in self.g.objects(distribution, DCT["format"]):
            code = vocabularies.file_type_code(str(fmt))
            if code:
                resource_dict["format"] = code
        for media_type in self.g.objects(distribution, DCAT.mediaType):
            value = str(media_type)
            if value.startswith(IANA_MEDIA_TYPES):
                resource_dict["mimetype"] = value[len(IANA_MEDIA_TYPES) :]
        for license_node in self.g.objects(distribution, DCT.license):
            license_id = license_ids.get(str(license_node))
            if license_id:
                resource_dict["license"] = license_id
            elif isinstance(license_node, BNode):
                resource_dict["license"] = "other"
        # We export the URL as access URL when no other was given; that is no access URL.
        if resource_dict.get("access_url") == resource_dict.get("url"):
            resource_dict.pop("access_url", None)
        if any(self.g.objects(distribution, DCAT.accessService)):
            resource_dict["is_api"] = "true"
            services = resource_dict.pop("access_services", None)
            # Our schema describes a service by is_api and the resource URL; a schema with
            # an access_services field keeps them, in the shape the stock export can write.
            if services and self._schema_resource_field("access_services"):
                if isinstance(services, str):
                    services = json.loads(services)
                resource_dict["access_services"] = fit_access_services(services)
        algorithm = resource_dict.get("hash_algorithm")
        if algorithm and algorithm.startswith(SPDX_ALGORITHM):
            resource_dict["hash_algorithm"] = algorithm[len(SPDX_ALGORITHM) :]


def fit_access_services(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Access services as the stock DCAT-AP serializer can write them: one contact, one
    publisher each.

    ckanext-dcat's parser gives each service lists of contacts and publishers, which its own
    serializer then reads as single dicts: a parsed dataset crashed its own export with
    "'list' object has no attribute 'get'".  DCAT-AP allows one of each per service anyway.
    """
    fitted = []
    for service in services:
        service = dict(service)
        for key in ("contact", "publisher"):
            value = service.get(key)
            if isinstance(value, list):
                if value and isinstance(value[0], dict):
                    service[key] = value[0]
                else:
                    service.pop(key)
        fitted.append(service)
    return fitted


def _catalog_locales() -> list[str]:
    offered = tk.aslist(tk.config.get("ckan.locales_offered") or "")
    default = str(tk.config.get("ckan.locale_default") or "fr")
    return list(dict.fromkeys([default, *offered]))


def _iso639_3(locale: str) -> str:
    # CKAN locales are ISO 639-1 ("fr", "en_GB"); the EU language table uses ISO 639-3.
    base = locale.replace("-", "_").split("_")[0].lower()
    return {"fr": "FRA", "en": "ENG", "de": "DEU"}.get(base, base.upper())
