"""Parse budgets: hostile XML answers are refused before they exhaust a worker, jobs finish.

The figures (time, memory) are in ``python -m bench parsers``; these tests only prove the
refusals and that normal documents still pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
import rdflib
from ckan.tests import factories
from ckan.tests.helpers import call_action
from lxml import etree

from ckanext.datagrandest.harvesters import iso19139, safexml, turtle_budget
from ckanext.datagrandest.harvesters.base import RecordError, parse_xml
from demo.replay import ReplayServer, Reply

from . import csw_server
from .conftest import create_source, harvest, source_datasets

RDF = (
    '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#">'
    '<dcat:Dataset rdf:about="https://example.org/d/1"><dct:identifier>d-1</dct:identifier>'
    "<dct:title>{title}</dct:title>{extra}</dcat:Dataset></rdf:RDF>"
)
FIXTURES_DCAT = Path(__file__).resolve().parent.parent / "fixtures" / "dcat"
CSW = (
    '<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
    '<csw:SearchResults numberOfRecordsMatched="1" numberOfRecordsReturned="1" nextRecord="0">'
    "{body}</csw:SearchResults></csw:GetRecordsResponse>"
)


def rdf(title: str = "Un jeu", extra: str = "") -> bytes:
    return RDF.format(title=title, extra=extra).encode()


# --- Budgets of the XML reader ----------------------------------------------------------


def test_a_normal_document_is_read_whole():
    root = safexml.parse(csw_server.fixture("page1.xml"))
    assert len(iso19139.records(root)) == 2


def test_too_many_elements_are_refused():
    flood = CSW.format(body="<a/>" * (safexml.MAX_ELEMENTS + 1)).encode()
    with pytest.raises(safexml.XMLRefused, match="plus de 500 000 éléments"):
        safexml.parse(flood)
    # Just under the budget passes: the limit is where it says.
    safexml.parse(CSW.format(body="<a/>" * (safexml.MAX_ELEMENTS - 3)).encode())


def test_too_deep_a_document_is_refused():
    deep = "<a>" * (safexml.MAX_DEPTH + 1) + "</a>" * (safexml.MAX_DEPTH + 1)
    with pytest.raises(safexml.XMLRefused, match="niveaux d'imbrication"):
        safexml.parse(deep.encode())
    safexml.parse(("<a>" * safexml.MAX_DEPTH + "</a>" * safexml.MAX_DEPTH).encode())


@pytest.mark.parametrize("where", ["text", "tail"])
def test_too_long_a_text_is_refused(where):
    text = "x" * (safexml.MAX_TEXT + 1)
    body = f"<r><a>{text}</a></r>" if where == "text" else f"<r><a/>{text}</r>"
    with pytest.raises(safexml.XMLRefused, match="dépasse 1 000 000 caractères"):
        safexml.parse(body.encode())


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/hostname">]><r>&e;</r>',
        b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>',
        b"<!-- " + b"x" * 70_000 + b' --><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>',
    ],
    ids=["external entity", "external DTD", "DOCTYPE after a long comment"],
)
def test_doctypes_stay_refused(body):
    with pytest.raises(safexml.XMLRefused, match="DOCTYPE"):
        safexml.parse(body)


def test_xinclude_is_never_processed():
    body = (
        b'<r xmlns:xi="http://www.w3.org/2001/XInclude">'
        b'<xi:include href="file:///etc/hostname" parse="text"/></r>'
    )
    root = safexml.parse(body)
    with open("/etc/hostname", encoding="utf-8") as handle:
        assert handle.read().strip() not in etree.tostring(root, encoding="unicode")
    assert etree.QName(root[0]).localname == "include"


def test_stored_records_keep_tolerating_a_doctype_without_resolving_it():
    root = parse_xml(b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/hostname">]><r>&e;</r>')
    assert root.text is None
    with pytest.raises(RecordError, match="plus de 100 niveaux"):
        parse_xml("<a>" * 101 + "</a>" * 101)


# --- rdflib's quadratic RDF/XML case ------------------------------------------------------


def test_a_literal_of_many_short_lines_is_refused_before_rdflib_runs():
    # 200,000 lines: rdflib took about 12 s on it (quadratic); the budget refuses it at once.
    with pytest.raises(safexml.XMLRefused, match="trop morcelés"):
        safexml.for_rdflib(rdf(title="x\n" * 200_000))


def test_escaped_characters_count_as_pieces_too():
    with pytest.raises(safexml.XMLRefused, match="trop morcelés"):
        safexml.for_rdflib(rdf(title="&amp;" * 100_000))


def test_an_xml_literal_of_many_elements_is_refused():
    literal = '<dct:description rdf:parseType="Literal">' + "<b>x</b>" * 60_000
    with pytest.raises(safexml.XMLRefused, match="trop morcelés"):
        safexml.for_rdflib(rdf(extra=literal + "</dct:description>"))


def test_a_normal_page_reaches_rdflib_unchanged_in_meaning():
    description = "Première ligne\n" * 200 + "&lt;b&gt; &amp; &#233;"
    body = rdf(extra=f"<dct:description>{description}</dct:description>")
    graph = rdflib.Graph().parse(data=safexml.for_rdflib(body), format="xml")
    (text,) = graph.objects(None, rdflib.URIRef("http://purl.org/dc/terms/description"))
    assert str(text) == "Première ligne\n" * 200 + "<b> & é"


def test_character_references_are_measured_as_rdflib_reads_them():
    # Re-serialised, &#120; becomes a plain "x": no piece, nothing to refuse.
    page = safexml.for_rdflib(rdf(title="&#120;" * 100_000))
    assert b"&#120;" not in page
    assert safexml.rdf_text_work(etree.fromstring(page)) < safexml.MAX_RDF_TEXT_WORK


# --- rdflib's quadratic Turtle case ------------------------------------------------------

TURTLE = "@prefix dct: <http://purl.org/dc/terms/> .\n<https://example.org/d/1> dct:title {} .\n"


@pytest.mark.parametrize(
    "literal",
    [
        '"""' + "x\n" * 100_000 + '"""',
        '"' + "x\\n" * 100_000 + '"',
        "'''" + "y\n" * 100_000 + "'''",
    ],
    ids=["long string of lines", "escaped line breaks", "single-quoted long string"],
)
def test_a_turtle_literal_of_many_pieces_is_refused_before_rdflib_runs(literal):
    # 100,000 lines: rdflib took 2.7 s (0.4 M lines: 39 s).
    with pytest.raises(turtle_budget.TurtleRefused, match="trop morcelés"):
        turtle_budget.check(TURTLE.format(literal).encode())


def test_normal_turtle_passes_and_quotes_in_iris_or_comments_are_not_strings():
    turtle_budget.check((FIXTURES_DCAT / "page1.ttl").read_bytes())
    tricky = '# a comment with """ in it\n<https://e.org/a"b> <https://e.org/p> "court" .\n'
    assert turtle_budget.text_work(tricky.encode()) == len('"court"')


def test_an_unterminated_string_does_not_stall_the_lexer():
    # Only the empty '""' that the opening quotes also are is counted.
    assert turtle_budget.text_work(b'<x> <p> """' + b"a" * 1_000_000) == 2


# --- Through the harvesters --------------------------------------------------------------


@pytest.fixture
def org():
    return factories.Organization(name="ems", title="Eurométropole", territories=["67"])


def _dcat_site(body: bytes, media_type: str = "application/rdf+xml") -> ReplayServer:
    def page(query: Mapping[str, str], path: str) -> Reply:
        return Reply(200, body, {"Content-Type": media_type})

    return ReplayServer({"/catalog": page})


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (rdf(title="x\n" * 200_000), "trop morcelés"),
        (rdf(extra="<dct:subject>a</dct:subject>" * safexml.MAX_ELEMENTS), "500 000 éléments"),
        (TURTLE.format('"""' + "x\n" * 100_000 + '"""').encode(), "trop morcelés"),
    ],
    ids=["quadratic literal", "element flood", "quadratic Turtle literal"],
)
def test_a_dcat_page_over_budget_is_refused_and_the_job_finishes(org, body, message):
    media_type = "text/turtle" if body.startswith(b"@prefix") else "application/rdf+xml"
    with _dcat_site(body, media_type) as server:
        url = f"{server.url}/catalog"
        source = create_source(url, "datagrandest_dcat", {}, org["id"], "dcat-src")
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert message in " ".join(result["gather_errors"])
    assert source_datasets(source["id"]) == {}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_a_csw_page_flooded_with_elements_is_refused_and_the_job_finishes(org):
    flood = CSW.format(body="<a/>" * (safexml.MAX_ELEMENTS + 10)).encode()
    with csw_server.serve({1: flood}) as catalogue:
        source = create_source(catalogue.url, "datagrandest_csw", {}, org["id"], "geo")
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert "plus de 500 000 éléments" in " ".join(result["gather_errors"])
    assert call_action("package_search", q="*:*")["count"] == 0
