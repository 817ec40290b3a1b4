"""JSON-LD contexts for harvested pages: the copies the project ships, never a download or a file.

A JSON-LD page names its vocabulary in ``@context``, often by URL (ArcGIS Hub's DCAT-US 1.1
``data.json``, schema.org). rdflib would fetch such a URL itself, outside the harvesters'
address guard and time limit, and would read ``file:`` URLs or relative names from the
worker's disk. So, before rdflib sees a page, every context reference in it (``@context``
strings and arrays, ``@import``, scoped contexts inside term definitions, at any depth) is
replaced by the copy shipped in ``data/jsonld/`` (see the README there for sources, versions
and licences); any other reference refuses the page with a French message. And in case
something slips through, rdflib's context loader is replaced, process-wide, by one that
serves the same copies and refuses everything else.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Final

from rdflib.plugins.shared.jsonld import context as rdflib_context

__all__ = ["CONTEXTS", "JSONLDContextError", "inline_contexts", "shipped_context", "with_base"]

_DATA: Final = Path(__file__).resolve().parent.parent / "data" / "jsonld"
_DCAT_US: Final = "dcat-us-1.1.json"
_SCHEMA_ORG: Final = "schema.org-29.4.json"

# Every spelling under which a publisher may name a context we ship.
CONTEXTS: Final[dict[str, str]] = {
    "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld": _DCAT_US,
    "http://project-open-data.cio.gov/v1.1/schema/catalog.jsonld": _DCAT_US,
    **{
        f"{scheme}://schema.org{path}": _SCHEMA_ORG
        for scheme in ("http", "https")
        for path in ("", "/", "/docs/jsonldcontext.jsonld", "/docs/jsonldcontext.json")
    },
    "https://semiceu.github.io/DCAT-AP/releases/3.0.0/context/dcat-ap.jsonld": "dcat-ap-3.0.0.json",
    "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld": "dcat-ap-3.0.1.json",
}

# Deeper than any real catalogue; keeps the walk (and rdflib's own recursion) bounded.
MAX_DEPTH: Final = 200
_CONTEXT: Final = "@context"
_IMPORT: Final = "@import"


class JSONLDContextError(ValueError):
    """A context the project does not ship; the message is meant for the source's admin."""


@cache
def _shipped_text(filename: str) -> str:
    return (_DATA / filename).read_text(encoding="utf-8")


def shipped_context(url: str) -> dict[str, Any] | None:
    """A fresh copy of the ``@context`` value of a shipped context, or None if not shipped."""
    filename = CONTEXTS.get(url.strip())
    if filename is None:
        return None
    # A fresh copy each time: rdflib updates imported context dicts in place.
    document = json.loads(_shipped_text(filename))
    value = document[_CONTEXT]
    return value if isinstance(value, dict) else {}


def _refused(reference: Any) -> JSONLDContextError:
    shown = str(reference)[:200]
    return JSONLDContextError(
        f"contexte JSON-LD « {shown} » refusé : seuls les contextes connus livrés avec le "
        "portail sont lus (DCAT-US 1.1, schema.org, DCAT-AP 3), aucun n'est téléchargé ; "
        "publiez une page JSON-LD à contexte intégré"
    )


def _known(reference: str) -> dict[str, Any]:
    found = shipped_context(reference)
    if found is None:
        raise _refused(reference)
    return found


def _context_value(value: Any, depth: int) -> Any:
    """A context (string, array or object) with every reference replaced by its shipped copy."""
    if isinstance(value, str):
        return _known(value)
    if isinstance(value, list):
        return [_context_value(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return _walk(value, depth + 1, is_context=True)
    return value


def _walk(node: Any, depth: int, is_context: bool = False) -> Any:
    if depth > MAX_DEPTH:
        raise JSONLDContextError(
            f"document JSON-LD refusé : plus de {MAX_DEPTH} niveaux d'imbrication"
        )
    if isinstance(node, list):
        return [_walk(item, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    if _IMPORT in node:
        # JSON-LD 1.1: a context object may import another context's terms, overridden by
        # its own. Anywhere else "@import" means nothing and is refused rather than guessed.
        imported = node[_IMPORT]
        if not is_context or not isinstance(imported, str):
            raise _refused(imported)
        result.update(_known(imported))
    for key, value in node.items():
        if key == _IMPORT:
            continue
        if key == _CONTEXT:
            result[key] = _context_value(value, depth)
        else:
            result[key] = _walk(value, depth + 1)
    return result


def inline_contexts(document: Any) -> Any:
    """The document with every context reference replaced by the shipped copy.

    Raises ``JSONLDContextError`` for a reference to anything else (another URL, a relative
    name, a ``file:`` URL) or for a document nested deeper than ``MAX_DEPTH``.
    """
    return _walk(document, 0)


def with_base(document: Any, base: str) -> Any:
    """The document with relative IRIs resolved against ``base`` (the page's URL).

    Without it rdflib resolves them against the worker's current directory (``file:///…``),
    which would then show in dataset URIs. A base the document sets itself still wins.
    """
    if isinstance(document, dict):
        context = document.get(_CONTEXT)
        own = context if isinstance(context, list) else [] if context is None else [context]
        return {**document, _CONTEXT: [{"@base": base}, *own]}
    return {_CONTEXT: {"@base": base}, "@graph": document}


def _guarded_source_to_json(source: Any, *args: Any, **kwargs: Any) -> tuple[Any, None]:
    # rdflib calls this for every context it cannot find in the document: serve our copy
    # of a known one, refuse the rest (no download, no file read), whoever parses.
    if isinstance(source, str):
        found = shipped_context(source)
        if found is not None:
            return {_CONTEXT: found}, None
    raise _refused(source)


rdflib_context.source_to_json = _guarded_source_to_json
