"""Whether a dataset's own DCAT output passes the DCAT-AP shapes, cached per dataset version.

The validation (pyshacl against the shape files of ``ckanext.datagrandest.quality.shacl_shapes``)
costs far more than the rest of the score, so its result is stored with the dataset's
``metadata_modified`` and recomputed in a background job when the dataset changes. Until
that job has run, the last known result stands.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Final, cast

import ckan.model as ckan_model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, SKOS

from ckanext.datagrandest import config, vocabularies
from ckanext.datagrandest.quality import tables

__all__ = ["Compliance", "ShapesError", "enqueue_refresh", "lookup", "refresh", "validate"]

log = logging.getLogger(__name__)
_MAX_KEPT: Final = 20

metadata = sa.MetaData()
table = sa.Table(
    "datagrandest_dcat_compliance",
    metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("metadata_modified", sa.DateTime, nullable=False),
    sa.Column("conforms", sa.Boolean, nullable=False),
    sa.Column("violations", sa.UnicodeText, nullable=False),
    sa.Column("checked_at", sa.DateTime, nullable=False),
)


class Compliance:
    """A stored validation result; ``current`` is False when the dataset changed since."""

    def __init__(self, conforms: bool, violations: list[str], current: bool) -> None:
        self.conforms = conforms
        self.violations = violations
        self.current = current


def enabled() -> bool:
    return bool(config.quality_shacl_shapes())


class ShapesError(Exception):
    """The configured shape files cannot be read; the message is for the admin."""


@lru_cache(maxsize=4)
def _shapes(paths: tuple[str, ...]) -> Graph:
    graph = Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except Exception as error:  # noqa: BLE001 - missing file, bad Turtle: one message
            raise ShapesError(
                f"Formes SHACL illisibles ({path}) : {error} ; "
                "vérifiez ckanext.datagrandest.quality.shacl_shapes"
            ) from error
    return graph


def _concepts(data: Graph) -> Graph:
    """The EU concepts the data names, typed and in their scheme, as the vocabulary shapes
    expect (the complete tables would be 34,000 triples per validation)."""
    extra = Graph()
    for obj in set(data.objects()):
        if not isinstance(obj, URIRef) or not str(obj).startswith(vocabularies.EU_AUTHORITY):
            continue
        name = str(obj)[len(vocabularies.EU_AUTHORITY) :].split("/", 1)[0]
        if name not in vocabularies.VOCABULARIES:
            continue
        concept = vocabularies.concept(cast(vocabularies.VocabularyName, name), str(obj))
        if concept is None:
            continue
        scheme = URIRef(vocabularies.EU_AUTHORITY + name)
        extra.add((scheme, RDF.type, SKOS.ConceptScheme))
        extra.add((scheme, DCTERMS.title, Literal(name, lang="en")))
        extra.add((obj, RDF.type, SKOS.Concept))
        extra.add((obj, SKOS.inScheme, scheme))
        for lang, text in concept.labels.items():
            extra.add((obj, SKOS.prefLabel, Literal(text, lang=lang)))
    return extra


def dataset_graph(pkg_dict: dict[str, Any]) -> Graph:
    """The dataset as our DCAT endpoints export it (the site's profiles)."""
    from ckanext.dcat.processors import RDFSerializer

    serializer = RDFSerializer()
    serializer.graph_from_dataset(pkg_dict)
    graph: Graph = serializer.g
    return graph


def validate(pkg_dict: dict[str, Any]) -> tuple[bool, list[str]]:
    """Validate the dataset's DCAT output; (conforms, violation messages)."""
    import pyshacl

    data = dataset_graph(pkg_dict)
    data += _concepts(data)
    _, report, _ = pyshacl.validate(
        data, shacl_graph=_shapes(tuple(config.quality_shacl_shapes())), inference="none"
    )
    found = []
    for result in report.objects(None, SH.result):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        found.append(f"{_short(path)} : {message}" if path is not None else str(message))
    found = sorted(set(found))
    return not found, found


def _short(node: Any) -> str:
    text = str(node)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _modified(pkg_dict: dict[str, Any]) -> datetime | None:
    value = pkg_dict.get("metadata_modified")
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def lookup(pkg_dict: dict[str, Any]) -> Compliance | None:
    """The stored result for this dataset, or None if never validated (or validation off)."""
    if not enabled() or not pkg_dict.get("id") or not tables.ready():
        return None
    row = ckan_model.Session.execute(
        sa.select(table.c.conforms, table.c.violations, table.c.metadata_modified).where(
            table.c.package_id == pkg_dict["id"]
        )
    ).first()
    if row is None:
        return None
    return Compliance(
        bool(row.conforms),
        json.loads(row.violations or "[]"),
        row.metadata_modified == _modified(pkg_dict),
    )


def store(pkg_dict: dict[str, Any], conforms: bool, violations: list[str]) -> None:
    modified = _modified(pkg_dict) or datetime.now(timezone.utc).replace(tzinfo=None)
    values = {
        "metadata_modified": modified,
        "conforms": conforms,
        "violations": json.dumps(violations[:_MAX_KEPT], ensure_ascii=False),
        "checked_at": datetime.now(timezone.utc).replace(tzinfo=None),
    }
    session = ckan_model.Session
    updated = session.execute(
        table.update().where(table.c.package_id == pkg_dict["id"]).values(**values)
    )
    if not updated.rowcount:
        session.execute(table.insert().values(package_id=pkg_dict["id"], **values))
    session.commit()


def refresh(package_id: str, reindex: bool = True) -> Compliance | None:
    """Validate a dataset now if its stored result is missing or stale; reindex it if so."""
    if not enabled():
        return None
    try:
        pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
    except tk.ObjectNotFound:
        return None
    known = lookup(pkg)
    if known is not None and known.current:
        return known
    conforms, violations = validate(pkg)
    store(pkg, conforms, violations)
    if reindex:
        from ckan.lib.search import rebuild  # the toolkit has no "reindex one dataset"

        rebuild(package_id)
    return Compliance(conforms, violations, True)


def enqueue_refresh(package_id: str) -> None:
    """After a dataset is written: validate it again in the background (when enabled)."""
    if not enabled():
        return
    try:
        tk.enqueue_job(
            refresh, [package_id], title=f"datagrandest: validation DCAT-AP de {package_id}"
        )
    except Exception:  # noqa: BLE001 - Redis down must not fail the write; the next run catches up
        log.exception("Could not queue the DCAT-AP validation of %s", package_id)


def lookup_many(pkgs: list[dict[str, Any]]) -> dict[str, Compliance]:
    """Stored results of several datasets in one query (absent: never validated)."""
    if not enabled() or not pkgs or not tables.ready():
        return {}
    by_id = {p["id"]: p for p in pkgs if p.get("id")}
    found: dict[str, Compliance] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 1000):
        rows = ckan_model.Session.execute(
            sa.select(
                table.c.package_id,
                table.c.conforms,
                table.c.violations,
                table.c.metadata_modified,
            ).where(table.c.package_id.in_(ids[start : start + 1000]))
        )
        for row in rows:
            found[row.package_id] = Compliance(
                bool(row.conforms),
                json.loads(row.violations or "[]"),
                row.metadata_modified == _modified(by_id[row.package_id]),
            )
    return found
