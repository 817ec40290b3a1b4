"""Harvested text cleaned by a real HTML sanitiser: no tag, event handler or unsafe link survives.

The probes are the ones of the security review (issue 14, item 8) and the usual XSS
spellings. Every output is also checked the way a careless renderer downstream would read it:
no "<" followed by a letter, "/", "!" or "?" may remain, whatever the input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from ckan.tests import factories

from ckanext.datagrandest.harvesters.sanitize import (
    clean_dataset,
    clean_markup,
    clean_plain,
    clean_url,
    has_unsafe_link,
    holds_html,
)
from demo.replay import ReplayServer, Reply

from .conftest import create_source, harvest, source_datasets

TAG_START = re.compile(r"<[A-Za-z/!?]")
HANDLER = re.compile(r"\bon[a-z]+\s*=", re.IGNORECASE)
# Safe Markdown autolinks are the one "<" + letter we keep.
AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^\s<>]+>|<[^\s<>@/:]+@[^\s<>@]+>")


def _inert(text: str) -> bool:
    return not TAG_START.search(AUTOLINK.sub("", text))


HOSTILE = {
    "img with slash, no quotes": "<img/src=x onerror=alert(1)>",
    "entity-encoded img": "&lt;img/src=x onerror=alert(1)&gt;",
    "double-encoded img": "&amp;lt;img/src=x onerror=alert(1)&amp;gt;",
    "numeric entities": "&#60;img src=x onerror=alert(1)&#62;",
    "hex entities without semicolons": "&#x3c;img src=x onerror=alert(1)&#x3e",
    "svg onload": "<svg/onload=alert(1)>",
    "upper-case handler": '<A HREF="https://ok.fr" ONCLICK="alert(1)">x</A>',
    "handler after a slash": "<div/onmouseover='alert(1)'>x</div>",
    "handler with spaces": "<p onclick = alert(1) >x</p>",
    "body onload": "<body onload=alert(1)>x",
    "details ontoggle": "<details open ontoggle=alert(1)>",
    "style with expression": "<p style=\"background:url('javascript:alert(1)')\">x</p>",
    "javascript href": '<a href="javascript:alert(1)">x</a>',
    "tab in the scheme": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "vbscript href": '<a href="vbscript:msgbox(1)">x</a>',
    "data href": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "script split by a tag": "<scr<script>ipt>alert(1)</script>",
    "nested script": "<<script>script>alert(1)<</script>/script>",
    "iframe srcdoc": '<iframe srcdoc="<script>alert(1)</script>">',
    "object data": '<object data="javascript:alert(1)">',
    "math href": '<math href="javascript:alert(1)">x</math>',
    "comment trick": "<!--><img src=x onerror=alert(1)>-->",
    "CDATA": "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "unclosed svg": "<svg onload=alert(1) x",
    "unclosed script": "<script>alert(1)",
}


@pytest.mark.parametrize("probe", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("clean", [clean_markup, clean_plain], ids=["markdown", "plain"])
def test_no_tag_or_event_handler_survives(probe, clean):
    cleaned = clean(f"avant {probe} après")
    assert _inert(cleaned), cleaned
    assert "avant" in cleaned and "après" in cleaned  # the text around stays
    if clean is clean_markup:
        assert "javascript:" not in cleaned.lower() or "](" not in cleaned


@pytest.mark.parametrize("handler", ["onerror", "ONERROR", "OnErRoR", "onpointerenter"])
def test_event_handlers_go_however_spelled(handler):
    cleaned = clean_markup(f"<img src=x {handler}=alert(1)><b {handler}='x'>gras</b>")
    assert cleaned == "**gras**"
    assert not HANDLER.search(cleaned)


@pytest.mark.parametrize(
    ("opened", "kept"),
    [
        ("<svg onload=alert(1)>", "suite du texte"),
        ("<svg onload=alert(1) ", "suite du texte"),
        ("<iframe src=https://evil.example>", "suite du texte"),
        ("<iframe ", "suite du texte"),
        ("<script>", "suite du texte"),
        ("<style>", "suite du texte"),
        ("<!-- ", "suite du texte"),
        ("<math>", "suite du texte"),
    ],
)
def test_an_unclosed_element_never_swallows_the_rest(opened, kept):
    for clean in (clean_markup, clean_plain):
        cleaned = clean(f"Début. {opened}{kept}.")
        assert cleaned.startswith("Début.")
        assert kept in cleaned
        assert _inert(cleaned)


MARKDOWN_LINKS = {
    "inline javascript": ("[clic](javascript:alert(1))", "clic"),
    "inline upper-case, spaced": ("[clic]( JaVaScRiPt:alert(1) )", "clic"),
    "entity in the scheme": ("[clic](javascript&#58;alert(1))", "clic"),
    "angle-bracket destination": ("[clic](<javascript:alert(1)>)", "clic"),
    "with a title": ('[clic](javascript:alert(1) "titre")', "clic"),
    "vbscript": ("[clic](vbscript:msgbox(1))", "clic"),
    "data": ("[clic](data:text/html,<script>alert(1)</script>)", "clic"),
    "image with data": ("![logo](data:image/svg+xml;base64,PHN2Zz4=)", "logo"),
    "nested brackets": ("[a [b] c](javascript:alert(1))", "a [b] c"),
    "encoded brackets": ("&#91;clic&#93;&#40;javascript:alert(1)&#41;", "clic"),
}


@pytest.mark.parametrize(("markdown", "label"), MARKDOWN_LINKS.values(), ids=MARKDOWN_LINKS.keys())
def test_markdown_links_to_unsafe_addresses_keep_only_their_label(markdown, label):
    cleaned = clean_markup(f"Voir {markdown} ici.")
    assert cleaned == f"Voir {label} ici."


def test_markdown_reference_links_and_autolinks_to_unsafe_addresses_go():
    text = (
        "[un][1], [deux][2] et <javascript:alert(1)> puis <https://ok.fr/a?b=1&c=2>.\n\n"
        '[1]: javascript:alert(1)\n[2]: https://ok.fr/doc "Doc"\n[3]:\n  data:text/html,x\n'
    )
    cleaned = clean_markup(text)
    assert "javascript" not in cleaned and "data:" not in cleaned
    assert "[2]: https://ok.fr/doc" in cleaned
    assert "<https://ok.fr/a?b=1&c=2>" in cleaned


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[site](https://www.grandest.fr/) et [écrire](mailto:contact@grandest.fr)", None),
        ("Voir <https://www.datagrandest.fr> ou <contact@grandest.fr>.", None),
        ("[relatif](/dataset/x) et [ancre](#section)", None),
        ("Températures < 5 °C & vent > 3 m/s", None),
        ("**gras**, *italique*, `code`\n\n- un\n- deux", None),
        ("<p>Un <b>texte</b></p><p>Deux</p>", "Un **texte**\n\nDeux"),
        ('<a href="https://ex.org/x">lien</a>', "[lien](https://ex.org/x)"),
        ("<h2>Titre</h2><ul><li>un</li></ul>", "## Titre\n\n- un"),
    ],
)
def test_safe_markdown_and_formatting_are_kept(text, expected):
    assert clean_markup(text) == (text if expected is None else expected)


# Every URL field of docs/field-contract.md, and the ones other portals name so.
URL_FIELDS = {
    "url": "javascript:alert(1)",
    "landing_page": "JavaScript:alert(1)",
    "uri": "vbscript:x",
    "documentation": [" javascript:alert(1)", "https://doc.example/x"],
    "conforms_to": ["data:text/html,x"],
    "website": "javascript:alert(1)",
    "image_url": "data:image/png;base64,AAAA",
    "publisher_url": "javascript:alert(1)",
    "publisher_uri": "javascript:alert(1)",
    "contact": [{"name": "<b>Service</b>", "email": "a@b.fr", "url": "javascript:alert(1)"}],
    "spatial_coverage": [{"uri": "javascript:alert(1)", "text": "Metz"}],
    "resources": [
        {
            "url": "https://ok.example/f.csv",
            "access_url": "javascript:alert(1)",
            "download_url": "data:text/csv,a",
            "name": "<i>f</i>",
        }
    ],
}


def test_every_url_field_keeps_only_web_addresses():
    cleaned = clean_dataset(URL_FIELDS)
    assert cleaned["url"] == cleaned["landing_page"] == cleaned["uri"] == ""
    assert cleaned["documentation"] == ["", "https://doc.example/x"]
    assert cleaned["conforms_to"] == [""]
    assert cleaned["website"] == cleaned["image_url"] == ""
    assert cleaned["publisher_url"] == cleaned["publisher_uri"] == ""
    assert cleaned["contact"] == [{"name": "Service", "email": "a@b.fr", "url": ""}]
    assert cleaned["spatial_coverage"] == [{"uri": "", "text": "Metz"}]
    assert cleaned["resources"] == [
        {"url": "https://ok.example/f.csv", "access_url": "", "download_url": "", "name": "f"}
    ]
    assert clean_url(" https://ok.example/x ") == "https://ok.example/x"


# --- The schema's check of hand-entered text ---------------------------------------------


@pytest.mark.parametrize("probe", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_schema_check_finds_every_hostile_probe(probe):
    assert holds_html(f"texte {probe}") or has_unsafe_link(f"texte {probe}")


@pytest.mark.parametrize(
    "text",
    ["a < b > c", "R&D, T&amp;C", "<https://x.fr> <a@b.fr>", "**gras**", "x\r\ny", "5<6"],
)
def test_the_schema_check_leaves_plain_text_and_markdown_alone(text):
    assert not holds_html(text)
    assert not has_unsafe_link(text)


@pytest.mark.parametrize("markdown", [m for m, _ in MARKDOWN_LINKS.values()][:7])
def test_the_schema_check_finds_unsafe_markdown_links(markdown):
    assert has_unsafe_link(markdown) or holds_html(markdown)


# --- Through a harvest -------------------------------------------------------------------

PAGE = '''@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://ems.example/id/eau> a dcat:Dataset ;
    dct:identifier "eau" ;
    dct:title "Qualité <img/src=x onerror=alert(1)>de l'eau" ;
    dct:description """Mesures &lt;img src=x onerror=alert(1)&gt;. [clic](javascript:alert(1)).
 <svg onload=alert(1)>Suite du texte.""" ;
    dcat:landingPage <javascript:alert(1)> ;
    dcat:distribution [ a dcat:Distribution ;
        dct:title "Fichier <script>alert(1)</script>CSV" ;
        dcat:accessURL <data:text/html,x> ;
        dcat:downloadURL <https://ems.example/eau.csv> ] .
'''


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_a_harvested_record_is_stored_clean():
    org = factories.Organization(name="ems", title="Eurométropole", territories=["67"])

    def page(query: Mapping[str, str], path: str) -> Reply:
        return Reply(200, PAGE.encode(), {"Content-Type": "text/turtle"})

    with ReplayServer({"/catalog": page}) as server:
        url = f"{server.url}/catalog"
        source = create_source(url, "datagrandest_dcat", {}, org["id"], "ems-dcat")
        result = harvest(source["id"])
    assert result["status"] == "Finished", result
    (dataset,) = source_datasets(source["id"]).values()
    assert dataset["title"] == "Qualité de l'eau"
    assert dataset["notes"] == "Mesures . clic.\n Suite du texte."
    assert not dataset.get("url")
    (resource,) = dataset["resources"]
    assert resource["name"] == "Fichier CSV"
    assert resource["url"] == "https://ems.example/eau.csv"
    assert resource.get("download_url") == "https://ems.example/eau.csv"
    assert not resource.get("access_url")


@pytest.mark.parametrize(
    "crafted",
    ["](" * 200_000, "](<" * 150_000 + ">)", "<!--" * 100_000, "<script>" * 50_000, "<" * 300_000],
    ids=["link openers", "bracketed destinations", "comments", "scripts", "lone brackets"],
)
def test_crafted_text_is_cleaned_whole_and_inert(crafted):
    # Each scan is linear (no rescanning per opener) and the input is cut at four times the
    # length kept; speed itself is not asserted here.
    cleaned = clean_markup(crafted + " fin", 20_000)
    assert _inert(cleaned)
    assert len(cleaned) <= 20_000
