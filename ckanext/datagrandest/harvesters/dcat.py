"""Harvester of DCAT catalogues (RDF/XML, Turtle, JSON-LD), parsed by ckanext-dcat and our profile.

ckanext-dcat's own ``dcat_rdf`` harvester has no guard against an empty or shrinking
catalogue and follows hydra pages without remembering them (its issue #260). This one reads
the pages on our shared base (identity, unchanged skip, deletion safety, page guard) and
parses them with ckanext-dcat's ``RDFParser``, so the site's profiles (``euro_dcat_ap_3``
then ours) do the mapping into the regional schema.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import quote, urljoin, urlsplit

from rdflib import BNode

from ckanext.datagrandest.harvesters import (
    dedup,
    iso19139,
    jsonld,
    mapping,
    places,
    publishers,
    safexml,
    turtle_budget,
)
from ckanext.datagrandest.harvesters.base import (
    DataGrandEstHarvester,
    Record,
    RecordError,
    Source,
    SourceError,
    canonical_json,
)
from ckanext.datagrandest.harvesters.harvest_warnings import Untitled
from ckanext.dcat.processors import RDFParser, RDFParserException

__all__ = ["DCATHarvester", "dataset_uri", "rdf_format", "to_schema", "without_labels"]

FORMATS: Final = ("xml", "turtle", "json-ld", "nt", "n3", "trig")
_BY_MEDIA_TYPE: Final = {
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
    "text/n3": "n3",
    "application/trig": "trig",
}
_BY_EXTENSION: Final = {
    "rdf": "xml",
    "xml": "xml",
    "ttl": "turtle",
    "jsonld": "json-ld",
    "json": "json-ld",
    "nt": "nt",
    "n3": "n3",
    "trig": "trig",
}
# What the profiles leave that our schema has no field for.
_NOT_OURS: Final = (
    "extras",
    "uri",
    "publisher",
    "creator",
    "dcat_type",
    "provenance",
    # Licence readings our profile leaves for _licence (settled into license_id).
    "license_title",
    "license_url",
    "rights",
)
_NO_DESCRIPTION: Final = "Description non fournie par le catalogue source."


def rdf_format(url: str, content_type: str, configured: str | None) -> str:
    """The rdflib format of a page: the config's, else the media type's, else the extension's."""
    if configured:
        return configured
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in _BY_MEDIA_TYPE:
        return _BY_MEDIA_TYPE[media_type]
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return _BY_EXTENSION.get(last.rsplit(".", 1)[-1].lower() if "." in last else "", "xml")


class DCATHarvester(DataGrandEstHarvester):
    name = "datagrandest_dcat"
    title = "Catalogue DCAT (RDF)"
    description = (
        "Jeux de données d'un catalogue DCAT / DCAT-AP (RDF/XML, Turtle, JSON-LD), "
        "pages hydra comprises."
    )

    def check_config(self, config: dict[str, Any]) -> dict[str, Any]:
        fmt = config.get("rdf_format")
        if fmt is not None and fmt not in FORMATS:
            raise ValueError(f"« rdf_format » doit valoir l'un de : {', '.join(FORMATS)}")
        return config

    def list_records(self, source: Source) -> Iterator[list[Record]]:
        url: str | None = source.url
        seen_pages: set[str] = set()
        while url:
            # The guard refuses a page read before: a hydra next link looping back ends
            # the gather there, as incomplete (nothing gets withdrawn).
            source.pages.visit(url)
            response = source.http.get(url)
            digest = hashlib.sha256(response.body).hexdigest()
            if digest in seen_pages:
                raise SourceError(
                    f"La page {url} répète une page déjà lue : pagination en boucle, "
                    "collecte arrêtée"
                )
            seen_pages.add(digest)
            parser = self._parse(response.body, url, response.content_type, source)
            records = []
            try:
                datasets = list(parser.datasets())
            except Exception as error:  # a profile failing on odd data must not hang the job
                raise SourceError(f"Catalogue DCAT illisible ({url}) : {error!r}") from error
            blank = {str(node) for node in parser.g.all_nodes() if isinstance(node, BNode)}
            for dataset in datasets:
                # The URI names the dataset; dct:identifier only when it has none (a
                # blank node): many catalogues give a URI and no dct:identifier.
                guid = dataset_uri(dataset) or str(dataset.get("identifier") or "").strip()
                if not guid:
                    source.skip(
                        "Jeu de données DCAT refusé : nœud anonyme sans dct:identifier, "
                        f"impossible de le reconnaître d'un moissonnage à l'autre "
                        f"({dataset.get('title') or 'sans titre'})"
                    )
                    continue
                # rdflib names blank nodes anew at each parse: their labels must not
                # reach the content hash, or an unchanged catalogue looks changed.
                records.append(Record(guid, canonical_json(without_labels(dataset, blank))))
            yield records
            following = parser.next_page()
            url = urljoin(url, following) if following else None

    def _parse(self, body: bytes, url: str, content_type: str, source: Source) -> RDFParser:
        fmt = rdf_format(url, content_type, source.config.get("rdf_format"))
        data: bytes | str = body
        if fmt == "xml":
            # rdflib's XML reader is not ours to configure: refuse DOCTYPEs (XXE, entity
            # bombs) and pages over the parse budgets before it sees the page.
            try:
                data = safexml.for_rdflib(body, base=url)
            except safexml.XMLRefused as error:
                raise SourceError(f"{url} : {error}") from error
        elif fmt == "json-ld":
            data = _json_ld(body, url)
        else:
            # rdflib's Turtle-family readers are quadratic on long multi-line literals too.
            try:
                turtle_budget.check(body)
            except turtle_budget.TurtleRefused as error:
                raise SourceError(f"{url} : {error}") from error
            if fmt != "nt":  # N-Triples has no @base (and no relative IRIs)
                data = _with_turtle_base(body, url)
        parser = RDFParser()
        try:
            parser.parse(data, _format=fmt)
        except (RDFParserException, jsonld.JSONLDContextError) as error:
            raise SourceError(f"RDF illisible ({url}, format {fmt}) : {error}") from error
        except (ValueError, KeyError, AttributeError, RecursionError) as error:
            # rdflib's JSON-LD and Turtle readers raise these on odd but well-formed input.
            raise SourceError(f"RDF illisible ({url}, format {fmt}) : {error!r}") from error
        return parser

    def map_record(self, record: Any, source: Source) -> dict[str, Any]:
        if not isinstance(record, dict):
            raise RecordError("un jeu de données DCAT analysé doit être un objet JSON")
        if not isinstance(record.get("title"), str) or not record["title"].strip():
            raise Untitled
        data = to_schema(record)
        uri = dataset_uri(record)
        keys = [v for v in (uri, record.get("identifier")) if isinstance(v, str) and v]
        data[dedup.KEYS_FIELD] = keys
        if not data.get("identifier") and uri:
            data["identifier"] = uri
        data["name"] = record.get("name") or record["title"]
        return data


def to_schema(record: dict[str, Any]) -> dict[str, Any]:
    """A dataset as ckanext-dcat's profiles parsed it, fitted to the regional schema.

    The profiles already use our field names; this drops what has no field here (raw
    extras, agents, the URI), settles the licence and fills what the schema requires.
    """
    title = str(record.get("title") or "")
    fields, resource_fields = _schema_fields()
    # Profiles parse more than our schema holds (qualified_attribution, qualified_relation,
    # has_version...): the schema would refuse the record for any of them.
    data = {k: v for k, v in record.items() if k not in _NOT_OURS and (not fields or k in fields)}
    data["notes"] = record.get("notes") or _NO_DESCRIPTION
    data.pop("license_other", None)
    data.update(_licence(record))
    if not data.get("territories"):
        spatial = [p for p in data.get("spatial_coverage") or [] if isinstance(p, dict)]
        inferred = places.from_codes_or_names(
            [p.get(k) for p in spatial for k in ("uri", "text")]
        ) or iso19139.infer_territories(title, [])
        if inferred:
            data["territories"] = inferred
    if not publishers.web_address(data.get("url")):
        data.pop("url", None)
    publisher = _publisher(record)
    if publisher:
        data["publisher"] = [publisher]
    data["resources"] = [
        {k: v for k, v in _resource(r).items() if not resource_fields or k in resource_fields}
        for r in record.get("resources") or []
        if _usable(r)
    ]
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def _licence(record: dict[str, Any]) -> dict[str, str]:
    """The dataset's licence from every reading: its own, its distributions', dct:rights.

    Catalogues often state the licence on the distributions only, or as text in
    ``dct:rights``; readings that disagree are kept as "other" with their texts.
    """
    resources = [r for r in record.get("resources") or [] if isinstance(r, dict)]
    own = record.get("license_id")
    if own == "other":
        own = record.get("license_other")
    readings = [own, record.get("license_title"), record.get("license_url")]
    # "other" alone is our profile's mark for a licence described by a blank node.
    readings += [r.get("license") for r in resources if r.get("license") != "other"]
    rights = [record.get("rights"), *(r.get("rights") for r in resources)]
    found = mapping.license_dict(mapping.settle_license(readings, rights))
    return found or {
        "license_id": "other",
        "license_other": "Licence non précisée par le catalogue source.",
    }


def _schema_fields() -> tuple[frozenset[str], frozenset[str]]:
    """Field names of our dataset schema and of its resources (plus CKAN's own lists);
    empty when scheming is not loaded."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema("dataset")
    if not schema:
        return frozenset(), frozenset()  # no schema to check against: keep everything
    fields = {f["field_name"] for f in schema.get("dataset_fields", [])}
    resource_fields = {f["field_name"] for f in schema.get("resource_fields", [])}
    return frozenset(fields | {"tags", "resources"}), frozenset(resource_fields)


def dataset_uri(dataset: dict[str, Any]) -> str:
    """The dataset's URI as the parser gave it (root or ``uri`` extra); "" for a blank node."""
    uri = dataset.get("uri")
    if not uri:
        uri = next(
            (
                e.get("value")
                for e in dataset.get("extras") or []
                if isinstance(e, dict) and e.get("key") == "uri"
            ),
            "",
        )
    return str(uri or "").strip()


def without_labels(value: Any, blank: set[str]) -> Any:
    """``value`` with every blank-node label (a value equal to one) left out.

    Lists the profiles could not place in a schema field reach the extras JSON-encoded
    (``adms:identifier`` as a blank ``adms:Identifier`` gives ``'["N2ca1…"]'``): their
    labels are left out too.
    """
    if isinstance(value, dict):
        return {
            k: without_labels(v, blank)
            for k, v in value.items()
            if not (isinstance(v, str) and v in blank)
        }
    if isinstance(value, list):
        return [without_labels(v, blank) for v in value if not (isinstance(v, str) and v in blank)]
    if isinstance(value, str) and value.startswith("[") and value.endswith("]") and blank:
        try:
            items = json.loads(value)
        except (ValueError, RecursionError):
            return value
        if isinstance(items, list):
            return json.dumps(without_labels(items, blank), ensure_ascii=False)
    return value


def _publisher(record: dict[str, Any]) -> dict[str, str] | None:
    """dct:publisher as the profiles parsed it (name, URI, email, page, type, identifier)."""
    agent = publishers.first(record.get("publisher"))
    if agent is None:
        # Profiles without the scheming field leave publisher_* extras.
        extras = {
            e.get("key"): e.get("value")
            for e in record.get("extras") or []
            if isinstance(e, dict) and str(e.get("key", "")).startswith("publisher_")
        }
        agent = {str(k)[len("publisher_") :]: v for k, v in extras.items()}
    name = agent.get("name")
    translated = agent.get("name_translated")
    if not name and isinstance(translated, dict):
        name = translated.get("fr") or next(iter(translated.values()), None)
    return publishers.agent(
        name,
        uri=agent.get("uri"),
        email=agent.get("email"),
        url=agent.get("url"),
        identifier=agent.get("identifier"),
        kind=agent.get("type"),
    )


def _json_ld(body: bytes, url: str) -> str:
    """A JSON-LD page with its contexts taken from the shipped copies (never fetched)."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise SourceError(f"JSON-LD illisible ({url}) : {str(error)[:200]}") from error
    try:
        document = jsonld.inline_contexts(document)
    except jsonld.JSONLDContextError as error:
        raise SourceError(f"{url} : {error}") from error
    return json.dumps(jsonld.with_base(document, url), ensure_ascii=False)


def _with_turtle_base(body: bytes, url: str) -> bytes:
    """Relative IRIs resolved against the page's URL, not the worker's current directory."""
    iri = quote(url, safe=":/?#[]@!$&'()*+,;=%~")
    return b"@base <" + iri.encode("ascii") + b"> .\n" + body.removeprefix(codecs.BOM_UTF8)


def _usable(resource: Any) -> bool:
    return isinstance(resource, dict) and isinstance(resource.get("url"), str)


def _resource(resource: dict[str, Any]) -> dict[str, Any]:
    kept = {
        k: v
        for k, v in resource.items()
        if k not in ("uri", "distribution_ref", "rights", "status", "availability")
    }
    # A format outside our vocabulary stays as the source wrote it: the base maps it, or
    # keeps it with a warning (harvest_warnings.py).
    if kept.get("license"):
        # A licence URI or name the profiles left as given: ours, or the dataset's.
        found = mapping.map_license(kept["license"])
        if found.recognised and found.value and found.value != "other":
            kept["license"] = found.value
        else:
            kept.pop("license")
    return kept
