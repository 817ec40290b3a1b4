"""The shared base's building blocks: safe XML, sanitising, page guard, content hashing."""

from __future__ import annotations

import pytest

from ckanext.datagrandest.harvesters.base import (
    PageGuard,
    Record,
    RecordError,
    SourceError,
    canonical_json,
    parse_xml,
)
from ckanext.datagrandest.harvesters.sanitize import clean_dataset, clean_markup, clean_plain

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<r>&secret;</r>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<r>&d;</r>"""


def test_xml_external_entities_are_not_resolved():
    root = parse_xml(XXE)
    with open("/etc/hostname", encoding="utf-8") as handle:
        secret = handle.read().strip()
    assert secret not in "".join(root.itertext())


def test_xml_entity_expansion_is_not_performed():
    root = parse_xml(LAUGHS)
    assert "aaaaaaaaaa" not in "".join(root.itertext())


def test_malformed_xml_is_a_record_error():
    with pytest.raises(RecordError, match="XML invalide"):
        parse_xml(b"<r><unclosed></r>")


def test_page_guard_refuses_a_page_read_twice_and_caps_pages():
    guard = PageGuard(max_pages=2)
    guard.visit("https://a.example/p1")
    with pytest.raises(SourceError, match="déjà été lue"):
        guard.visit("https://a.example/p1")
    guard.visit("https://a.example/p2")
    with pytest.raises(SourceError, match="Plus de 2 pages"):
        guard.visit("https://a.example/p3")


def test_content_hash_ignores_key_order_only():
    first = Record("g", canonical_json({"a": 1, "b": [1, 2]}))
    same = Record("g", canonical_json({"b": [1, 2], "a": 1}))
    other = Record("g", canonical_json({"a": 1, "b": [2, 1]}))
    assert first.content_hash == same.content_hash != other.content_hash


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Un <b>texte</b></p><p>Deux</p>", "Un **texte**\n\nDeux"),
        ('<a href="https://ex.org/x">lien</a>', "[lien](https://ex.org/x)"),
        ('<a href="javascript:alert(1)">lien</a>', "lien"),
        ("<ul><li>un</li><li>deux</li></ul>", "- un\n- deux"),
        ("avant<script>alert('x')</script>après", "avantaprès"),
        ('<img src=x onerror="alert(1)">texte', "texte"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;ok", "ok"),
        ("Données & co, a < b", "Données & co, a < b"),
        ("**Markdown** déjà", "**Markdown** déjà"),
    ],
)
def test_descriptions_become_markdown_without_any_markup(html, expected):
    assert clean_markup(html) == expected


def test_plain_fields_lose_every_tag_and_links_keep_safe_schemes():
    cleaned = clean_dataset(
        {
            "title": "Titre <b onmouseover='x()'>gras</b>",
            "url": "javascript:alert(1)",
            "resources": [{"url": "https://ex.org/f.csv", "name": "<i>f</i>"}],
            "tags": [{"name": "<script>x</script>eau"}],
        }
    )
    assert cleaned["title"] == "Titre gras"
    assert cleaned["url"] == ""
    assert cleaned["resources"] == [{"url": "https://ex.org/f.csv", "name": "f"}]
    assert cleaned["tags"] == [{"name": "eau"}]
    assert clean_plain("x" * 400, 300) == "x" * 300
