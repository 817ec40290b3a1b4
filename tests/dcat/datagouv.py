"""data.gouv.fr's licence matching, as its DCAT harvester applies it, written for our tests.

Our own implementation of the rule udata (data.gouv.fr's software) documents and applies when
it harvests a DCAT catalogue (``udata/core/dataset/rdf.py`` reads the licences,
``udata/core/dataset/models.py`` ``License.guess`` matches them); no code is copied:

* what it reads: the dataset's ``dct:license`` values, then its ``dct:rights``, then its
  distributions' ``dct:license``; a node with an ``rdfs:label`` (the French one when there
  are several languages) or else a ``dct:description`` gives that text, any other node its
  URI, a literal its text;
* each text, in that order, first match wins: a URL found in the text is tried first, then
  the rest of the text; a text matches a licence whose id equals it (case-insensitive), whose
  slug equals its slug, whose URL or an alternate URL equals it; for a URL, a licence whose
  URL contains (or alternate URL equals) the host and path without trailing slash; then the
  only licence whose slug is within 2 edits (Levenshtein) of the text's slug, the only one
  whose lower-cased title is within 2 edits of the lower-cased text, the only one with an
  alternate title whose slug is within 2 edits; no match gives "License Not Specified".

The licences are the snapshot ``../shared/reference/datagouv/licenses.json`` (its README
describes the same rule).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS
from slugify import slugify

SNAPSHOT = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "datagouv"
MAX_DISTANCE = 2
DEFAULT_LANGUAGE = "fr"


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    url: str
    alternate_urls: tuple[str, ...]
    alternate_titles: tuple[str, ...]

    @property
    def slug(self) -> str:
        return slugify(self.title, separator="-", lowercase=True)


@cache
def licences() -> tuple[Licence, ...]:
    rows = json.loads((SNAPSHOT / "licenses.json").read_text(encoding="utf-8"))
    return tuple(
        Licence(
            id=row["id"],
            title=row["title"],
            url=row.get("url") or "",
            alternate_urls=tuple(row.get("alternate_urls") or ()),
            alternate_titles=tuple(row.get("alternate_titles") or ()),
        )
        for row in rows
    )


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def _only(candidates: list[Licence]) -> Licence | None:
    distinct = {licence.id: licence for licence in candidates}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def guess_one(text: str) -> Licence | None:
    text = text.strip().lower()
    if not text:
        return None
    slug = slugify(text, separator="-", lowercase=True)
    for licence in licences():
        if (
            licence.id.lower() == text
            or licence.slug == slug
            or licence.url.lower() == text
            or text in (u.lower() for u in licence.alternate_urls)
        ):
            return licence
    if re.match(r"^https?://[^\s/]+", text):
        parsed = urlparse(text)
        query = parsed.netloc + parsed.path.rstrip("/")
        for licence in licences():
            if query in licence.url.lower() or query in licence.alternate_urls:
                return licence
    found = _only([lic for lic in licences() if levenshtein(lic.slug, slug) <= MAX_DISTANCE])
    if found is None:
        found = _only(
            [lic for lic in licences() if levenshtein(lic.title.lower(), text) <= MAX_DISTANCE]
        )
    if found is None:
        found = _only(
            [
                lic
                for lic in licences()
                for title in lic.alternate_titles
                if levenshtein(slugify(title, separator="-", lowercase=True), slug) <= MAX_DISTANCE
            ]
        )
    return found


def _pieces(text: str) -> tuple[str, ...]:
    """A URL in the text first, then the rest of the text (udata's extract_first_url)."""
    match = re.search(r"(https?://\S+)", text.rstrip("."))
    if match:
        return match.group(1), text.replace(match.group(1), "").strip()
    return (text,)


def guess(*texts: str) -> Licence | None:
    for text in texts:
        for piece in _pieces(text):
            found = guess_one(piece)
            if found is not None:
                return found
    return None


def _text(graph: Graph, node: object) -> str:
    if isinstance(node, Literal):
        return str(node)
    for predicate in (RDFS.label, DCTERMS.description):
        values = list(graph.objects(node, predicate))
        if values:
            chosen = next(
                (v for v in values if isinstance(v, Literal) and v.language == DEFAULT_LANGUAGE),
                values[0],
            )
            if str(chosen):
                return str(chosen)
    return str(node)


def licence_of(graph: Graph, dataset: URIRef) -> Licence | None:
    """The licence data.gouv.fr gives the dataset it reads from ``graph`` (None: "License
    Not Specified")."""
    texts = [_text(graph, node) for node in graph.objects(dataset, DCTERMS.license)]
    texts += [_text(graph, node) for node in graph.objects(dataset, DCTERMS.rights)]
    for distribution in graph.objects(dataset, DCAT.distribution):
        texts += [_text(graph, node) for node in graph.objects(distribution, DCTERMS.license)]
    return guess(*dict.fromkeys(t for t in texts if t))


def datasets(graph: Graph) -> list[URIRef]:
    return [s for s in graph.subjects(RDF.type, DCAT.Dataset) if isinstance(s, URIRef)]
