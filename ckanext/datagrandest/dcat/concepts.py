"""Concepts of controlled vocabularies described inside the RDF we export, once per graph.

A harvester or validator that reads one of our pages has no copy of the EU tables: a
``dcat:theme`` it cannot see typed ``skos:Concept``, or a file type with no ``skos:inScheme``,
breaks the DCAT-AP 3.0.1 range and vocabulary shapes.  So every concept the page names is
described on the page itself::

    <concept> a skos:Concept [, <range class>] ;
        skos:inScheme <scheme> ;
        skos:prefLabel "…"@fr, "…"@en .
    <scheme> a skos:ConceptScheme ;
        dct:title "…"@fr, "…"@en .

Public API (what the DCAT profile and its helpers call):

``describe(graph, concept) -> bool``
    Describe ``concept`` (a URI, str or ``URIRef``, http or https as found in our tables) and
    its scheme in ``graph``; True when the concept belongs to a table we know, False (and
    nothing added) otherwise.  Idempotent and cheap: each graph remembers the URIs it already
    described, so a catalogue page of 100 datasets describes ``ENVI`` once, not 100 times.
    The concept also gets the class DCAT-AP's range shapes give it where it is used
    (``dct:LinguisticSystem`` for a language, ``dct:MediaTypeOrExtent`` for a file type,
    ``dct:Frequency``, ``dct:RightsStatement``, ``dct:LicenseDocument``), because each of our
    tables serves one property.
``describe_scheme(graph, scheme) -> bool``
    Only the scheme (e.g. the catalogue's ``dcat:themeTaxonomy``).
``first_time(graph, key) -> bool``
    True the first time ``key`` is seen for ``graph``, then False: for callers describing
    their own nodes once per page (a licence, a territory, a publisher).
``scheme_of(concept) -> str | None``
    The scheme URI of a known concept, None otherwise.
``SCHEMES``
    The schemes we describe: name -> ``Scheme`` (URI, fr/en titles, range class).

Tables: the EU Publications Office's ``data-theme``, ``frequency``, ``file-type``,
``language``, ``access-right``, ``licence``, the HVD categories (``hvd-category``, scheme
``http://data.europa.eu/bna/asd487ae75``) and the ADMS publisher types (``publisher-type``,
scheme ``http://purl.org/adms/publishertype/1.0``), all from ``vocabularies.py`` (our copy
``data/eu_vocabularies.json``; labels in French and English), plus the ADMS licence types,
whose few labels are kept here.  The lookup table is built once per process on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ckanext.datagrandest import vocabularies

__all__ = [
    "LICENCE_TYPE",
    "SCHEMES",
    "Scheme",
    "describe",
    "describe_scheme",
    "first_time",
    "scheme_of",
]

_EU: Final = vocabularies.EU_AUTHORITY


@dataclass(frozen=True, slots=True)
class Scheme:
    """One concept scheme: its URI, titles, and the DCAT-AP range class of its concepts."""

    uri: str
    title_fr: str
    title_en: str
    range_class: URIRef | None = None


SCHEMES: Final[Mapping[str, Scheme]] = {
    "data-theme": Scheme(_EU + "data-theme", "Thèmes des données", "Data theme"),
    "frequency": Scheme(_EU + "frequency", "Fréquences", "Frequency", DCTERMS.Frequency),
    "file-type": Scheme(
        _EU + "file-type", "Types de fichiers", "File type", DCTERMS.MediaTypeOrExtent
    ),
    "language": Scheme(_EU + "language", "Langues", "Language", DCTERMS.LinguisticSystem),
    "access-right": Scheme(
        _EU + "access-right", "Droits d'accès", "Access right", DCTERMS.RightsStatement
    ),
    "licence": Scheme(_EU + "licence", "Licences", "Licence", DCTERMS.LicenseDocument),
    "hvd-category": Scheme(
        "http://data.europa.eu/bna/asd487ae75",
        "Catégories de données de forte valeur",
        "High-value dataset categories",
    ),
    "publisher-type": Scheme(
        "http://purl.org/adms/publishertype/1.0", "Types d'éditeurs", "Publisher type"
    ),
    "licence-type": Scheme(
        "http://purl.org/adms/licencetype/1.0", "Types de licences", "Licence type"
    ),
}

# ADMS licence types (http://purl.org/adms/licencetype/): the ones a licence of ours can have.
_LICENCE_TYPES: Final = {
    "Attribution": ("Attribution", "Attribution"),
    "ViralEffect-ShareAlike": (
        "Effet viral (partage dans les mêmes conditions)",
        "Viral effect (a.k.a. Share-alike)",
    ),
    "PublicDomain": ("Domaine public", "Public domain"),
    "UnknownIPR": ("Droits inconnus", "Unknown IPR"),
}
LICENCE_TYPE: Final = "http://purl.org/adms/licencetype/"

_TABLES: Final = frozenset(vocabularies.VOCABULARIES)
# Set of URIs already described, kept on the graph object itself (one per page).
_DESCRIBED: Final = "_datagrandest_described"


@dataclass(frozen=True, slots=True)
class _Entry:
    scheme: Scheme
    fr: str
    en: str


@cache
def _index() -> dict[str, _Entry]:
    # The five EU tables of vocabularies.py are looked up there (deprecated concepts too);
    # this index holds the other tables.
    index: dict[str, _Entry] = {}
    for licence in vocabularies.eu_licences():
        index[licence.uri] = _Entry(SCHEMES["licence"], licence.labels["fr"], licence.labels["en"])
    for item in vocabularies.hvd_categories():
        index[item.uri] = _Entry(SCHEMES["hvd-category"], item.labels["fr"], item.labels["en"])
    for item in vocabularies.publisher_types():
        index[item.uri] = _Entry(SCHEMES["publisher-type"], item.labels["fr"], item.labels["en"])
    for code, (fr, en) in _LICENCE_TYPES.items():
        index[LICENCE_TYPE + code] = _Entry(SCHEMES["licence-type"], fr, en)
    return index


def _entry(concept: str) -> _Entry | None:
    uri = concept
    if uri.startswith("https://"):
        uri = "http://" + uri[len("https://") :]
    if uri.startswith(_EU):
        name, _, code = uri[len(_EU) :].partition("/")
        if name in _TABLES and code:
            item = vocabularies.concept(name, uri)  # type: ignore[arg-type]
            if item is None:
                return None
            return _Entry(SCHEMES[name], item.labels["fr"], item.labels["en"])
    return _index().get(uri)


def scheme_of(concept: object) -> str | None:
    """The URI of the scheme ``concept`` belongs to, or None for a concept we do not know."""
    if not isinstance(concept, str):
        return None
    found = _entry(concept)
    return found.scheme.uri if found else None


def _described(graph: Any) -> set[str]:
    done: set[str] | None = getattr(graph, _DESCRIBED, None)
    if done is None:
        done = set()
        setattr(graph, _DESCRIBED, done)
    return done


def first_time(graph: Any, key: str) -> bool:
    """True the first time ``key`` is seen for ``graph`` (then remembered), else False."""
    done = _described(graph)
    if key in done:
        return False
    done.add(key)
    return True


def _add_scheme(graph: Any, scheme: Scheme, done: set[str]) -> None:
    if scheme.uri in done:
        return
    done.add(scheme.uri)
    node = URIRef(scheme.uri)
    graph.add((node, RDF.type, SKOS.ConceptScheme))
    graph.add((node, DCTERMS.title, Literal(scheme.title_fr, lang="fr")))
    graph.add((node, DCTERMS.title, Literal(scheme.title_en, lang="en")))


def describe_scheme(graph: Any, scheme: object) -> bool:
    """Describe a scheme of ``SCHEMES`` (by name or URI) once in ``graph``; False if unknown."""
    if not isinstance(scheme, str):
        return False
    found = SCHEMES.get(scheme) or next((s for s in SCHEMES.values() if s.uri == scheme), None)
    if found is None:
        return False
    _add_scheme(graph, found, _described(graph))
    return True


def describe(graph: Any, concept: object) -> bool:
    """Describe ``concept`` and its scheme once in ``graph``; False (nothing added) if unknown.

    The concept node is the URI as given (an https form found in harvested data stays
    https: the graph already uses it), its labels and scheme those of the table.
    """
    if not isinstance(concept, str):
        return False
    key = str(concept)
    done = _described(graph)
    if key in done:
        return True
    found = _entry(key)
    if found is None:
        return False
    done.add(key)
    node = URIRef(key)
    graph.add((node, RDF.type, SKOS.Concept))
    if found.scheme.range_class is not None:
        graph.add((node, RDF.type, found.scheme.range_class))
    graph.add((node, SKOS.inScheme, URIRef(found.scheme.uri)))
    graph.add((node, SKOS.prefLabel, Literal(found.fr, lang="fr")))
    graph.add((node, SKOS.prefLabel, Literal(found.en, lang="en")))
    _add_scheme(graph, found.scheme, done)
    return True
