"""Bounded XML parsing of harvested documents: no DTD, no entities, and a budget per response.

Every XML answer of a remote catalogue (CSW pages, ISO 19139 records, DCAT RDF/XML) is read
here, fed to lxml in chunks through a pull parser that stops as soon as the element budget is
spent (so a flood never becomes a tree); nesting depth and characters per text node are then
checked on the tree (libxml2's own limits, 256 levels and 10 MB per text, bound them while it
is built). A document declaring a DOCTYPE is refused (XXE, entity bombs), entities are never
resolved, nothing is fetched; XInclude is never processed.

rdflib's RDF/XML reader (used by ckanext-dcat) appends each piece of a text node to the text
read so far, copying it each time: a text made of many short pieces (expat cuts text at every
line break and every escaped character) costs the square of its length, e.g. 0.8 M line
breaks in one literal took minutes. ``for_rdflib`` measures that cost exactly on the document
as rdflib will read it (re-serialised by lxml, so character references are counted too) and
refuses the page before rdflib runs when it is past the budget.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

__all__ = [
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "MAX_RDF_TEXT_WORK",
    "MAX_TEXT",
    "XMLRefused",
    "for_rdflib",
    "parse",
]

# Far above real documents (an ISO 19139 record holds a few hundred elements, about 30 deep;
# a CSW page of 100 records some 60,000 elements), far below what exhausts a worker: 500,000
# lxml elements take about 65 MB.
MAX_ELEMENTS: Final = 500_000
MAX_DEPTH: Final = 100
# Characters in one text node (our longest field keeps 20,000; GML coordinate lists are long).
MAX_TEXT: Final = 1_000_000
# Sum over text nodes of length x pieces, what rdflib's RDF/XML reader copies (measured with
# `python -m bench parsers`: 2e10 took 3 s on a busy 2-core machine): 5e9 stays under a
# second, and a page of 1,000 datasets with 5,000-character, 100-line descriptions costs 5e8.
MAX_RDF_TEXT_WORK: Final = 5_000_000_000
_CHUNK: Final = 64 * 1024
_PROLOG_SCAN: Final = 64 * 1024
_DOCTYPE: Final = b"<!DOCTYPE"
DOCTYPE_REFUSED: Final = (
    "Document XML refusé : il déclare un DOCTYPE (entités ou DTD externe), "
    "ce qu'un catalogue n'envoie jamais."
)


class XMLRefused(ValueError):
    """A document we refuse (malformed, unsafe or over budget); the message is for the admin."""


def _parser(remove_blank_text: bool) -> etree.XMLPullParser:
    # A fresh parser per call: lxml parsers are not thread safe. huge_tree stays off, so
    # libxml2's own limits (256 levels, 10 MB per text) apply on top of ours. Only "start"
    # events: counting them is what lets the read stop early, and costs least.
    return etree.XMLPullParser(
        events=("start",),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_blank_text=remove_blank_text,
    )


# Checked once the tree is built, in libxml2's XPath engine (no Python per element).
_TOO_DEEP: Final = etree.XPath("boolean(/" + "/".join(["*"] * (MAX_DEPTH + 1)) + ")")
_TOO_LONG: Final = etree.XPath(f"(//text()[string-length(.) > {MAX_TEXT}])[1]")


def _check_shape(root: etree._Element) -> None:
    if _TOO_DEEP(root):
        raise XMLRefused(f"Document XML refusé : plus de {MAX_DEPTH} niveaux d'imbrication.")
    found = _TOO_LONG(root)
    if found:
        parent = found[0].getparent()
        name = etree.QName(parent).localname if parent is not None else "?"
        raise XMLRefused(
            f"Document XML refusé : un texte de l'élément « {name} » "
            f"dépasse {MAX_TEXT:,} caractères.".replace(",", " ")
        )


def parse(
    content: bytes | None, *, allow_doctype: bool = False, remove_blank_text: bool = False
) -> etree._Element:
    """The root of a harvested XML document, read within the budgets; ``XMLRefused`` otherwise.

    ``allow_doctype`` keeps a DOCTYPE's document (its entities are still never resolved)
    for callers that only need the text of a record already stored.
    """
    if not content or not content.strip():
        raise XMLRefused("Réponse vide : aucun document XML reçu.")
    if not allow_doctype and _DOCTYPE in content[:_PROLOG_SCAN]:
        raise XMLRefused(DOCTYPE_REFUSED)
    parser = _parser(remove_blank_text)
    elements = 0
    view = memoryview(content)
    try:
        for offset in range(0, len(view), _CHUNK):
            parser.feed(view[offset : offset + _CHUNK].tobytes())
            elements += sum(1 for _ in parser.read_events())
            if elements > MAX_ELEMENTS:
                raise XMLRefused(
                    f"Document XML refusé : plus de {MAX_ELEMENTS:,} éléments dans "
                    "une seule réponse.".replace(",", " ")
                )
        root = parser.close()
    except etree.XMLSyntaxError as error:
        # libxml2 stops an entity bomb on its own; say why rather than "malformed".
        if _DOCTYPE in content[:_PROLOG_SCAN] and not allow_doctype:
            raise XMLRefused(DOCTYPE_REFUSED) from None
        if "depth" in str(error).lower():
            raise XMLRefused(
                f"Document XML refusé : plus de {MAX_DEPTH} niveaux d'imbrication."
            ) from None
        raise XMLRefused(f"XML mal formé : {error}") from None
    if root is None:
        raise XMLRefused("XML mal formé : document sans élément racine.")
    docinfo = root.getroottree().docinfo
    if not allow_doctype and (docinfo.doctype or docinfo.system_url or docinfo.public_id):
        raise XMLRefused(DOCTYPE_REFUSED)
    _check_shape(root)
    return root


def _pieces(text: str) -> int:
    # As lxml writes it and expat then cuts it: at line breaks and escaped characters.
    return 1 + sum(text.count(c) for c in "\n\r&<>")


_PARSE_TYPE: Final = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}parseType"


def rdf_text_work(root: etree._Element) -> int:
    """What rdflib's RDF/XML reader will copy while reading the texts of this document."""
    work = 0
    for element in root.iter():
        for text in (element.text, element.tail):
            if text:
                work += len(text) * _pieces(text)
        if element.get(_PARSE_TYPE) == "Literal":
            # An XML literal is rebuilt as a string, one piece per tag and text piece inside.
            inner = list(element.iterdescendants())
            pieces = 2 * len(inner) + sum(
                _pieces(t) for e in [element, *inner] for t in (e.text, e.tail) if t
            )
            work += len(etree.tostring(element)) * pieces
    return work


_XML_BASE: Final = "{http://www.w3.org/XML/1998/namespace}base"


def for_rdflib(content: bytes, base: str | None = None) -> bytes:
    """The RDF/XML page as rdflib should read it: checked, within budget, re-serialised.

    Re-serialising turns character references and CDATA into what the budget counted, so
    rdflib reads exactly the document that was measured. ``base`` (the page's URL) becomes
    the root's ``xml:base`` unless the page sets one, so relative IRIs resolve against it.
    """
    root = parse(content)
    if base and root.get(_XML_BASE) is None:
        root.set(_XML_BASE, base)
    work = rdf_text_work(root)
    if work > MAX_RDF_TEXT_WORK:
        raise XMLRefused(
            "Document RDF/XML refusé : ses textes sont trop longs et trop morcelés "
            "(lignes, caractères échappés) pour être lus en un temps raisonnable "
            f"({work:.1e} > {MAX_RDF_TEXT_WORK:.0e})."
        )
    return bytes(etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True))
