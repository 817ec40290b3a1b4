"""Turtle-family pages (Turtle, TriG, N3, N-Triples) measured before rdflib reads them.

rdflib's Turtle reader, like its RDF/XML one, rebuilds a string literal piece by piece (one
piece per line and per escape), copying what it has so far each time: 0.1 M lines in one
literal took 2.7 s, 0.4 M lines 39 s. This lexer finds the string literals (skipping IRIs and
comments, where quotes mean nothing) and refuses the page when their length x pieces passes
the same budget as RDF/XML's (``safexml.MAX_RDF_TEXT_WORK``), before rdflib runs.
"""

from __future__ import annotations

import re
from typing import Final

from ckanext.datagrandest.harvesters.safexml import MAX_RDF_TEXT_WORK, XMLRefused

__all__ = ["TurtleRefused", "check", "text_work"]

# Long strings first. Possessive repeats (*+): an unterminated string fails at once instead
# of backtracking over the rest of the page.
_TOKEN: Final = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*+"""'
    rb"|'''(?:[^'\\]|\\.|'(?!''))*+'''"
    rb'|"(?:[^"\\\n]|\\.)*+"'
    rb"|'(?:[^'\\\n]|\\.)*+'"
    rb"|<[^>\s]*>"
    rb"|#[^\n]*",
    re.DOTALL,
)


class TurtleRefused(XMLRefused):
    """A Turtle-family page over budget; the message is for the source's admin."""


def text_work(body: bytes) -> int:
    """What rdflib's Turtle reader will copy while reading the string literals of the page."""
    work = 0
    for match in _TOKEN.finditer(body):
        token = match.group()
        if token[:1] in (b'"', b"'"):
            work += len(token) * (1 + token.count(b"\n") + token.count(b"\\"))
    return work


def check(body: bytes) -> None:
    """``TurtleRefused`` when the page's literals would take rdflib too long to read."""
    work = text_work(body)
    if work > MAX_RDF_TEXT_WORK:
        raise TurtleRefused(
            "Document RDF refusé : ses textes sont trop longs et trop morcelés "
            "(lignes, caractères échappés) pour être lus en un temps raisonnable "
            f"({work:.1e} > {MAX_RDF_TEXT_WORK:.0e})."
        )
