"""Validators of the regional schema, called directly on values."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest

from ckanext.datagrandest.logic import validators as v


@pytest.mark.parametrize(
    "siren",
    ["200052264", "246700488", "130007669"],
)
def test_real_sirens_pass_the_luhn_key(siren):
    assert v.siren_is_valid(siren)


@pytest.mark.parametrize("siren", ["200052265", "246700489", "12345678", "2000522640", "20005226A"])
def test_wrong_sirens_fail(siren):
    assert not v.siren_is_valid(siren)


def test_text_caps_length_and_refuses_html():
    assert v.check_text("  court  ", 10) == "court"
    assert v.check_text("a < b > c", 10) == "a < b > c"  # comparisons are not tags
    with pytest.raises(tk.Invalid, match="11"):
        v.check_text("x" * 11, 10)
    for html in ["<b>gras</b>", "<script>x</script>", "<img src=x/>", "<!-- c -->"]:
        with pytest.raises(tk.Invalid, match="HTML"):
            v.check_text(html, 100)
    with pytest.raises(tk.Invalid, match="text"):
        v.check_text(["liste"], 10)


def test_text_validator_stops_the_other_validators_of_the_field():
    key = ("tag_string",)
    errors = {key: []}
    with pytest.raises(tk.StopOnError):
        v.datagrandest_text(10)(key, {key: 42}, errors, {})
    assert errors[key] == ["Must be text"]
    data = {key: "  ok "}
    assert _run(v.datagrandest_text(10), key, data) == []
    assert data[key] == "ok"


@pytest.mark.parametrize("email", ["a@b.fr", "prenom.nom+tag@region-grandest.fr"])
def test_good_emails(email):
    assert _check(v.datagrandest_email, email) == (email, [])


@pytest.mark.parametrize("email", ["a@b", "sans-arobase.fr", "a @b.fr", "a@b..fr", 42])
def test_bad_emails(email):
    assert _check(v.datagrandest_email, email)[1]


@pytest.mark.parametrize("url", ["https://www.grandest.fr/", "http://127.0.0.1:5000/x?y=1"])
def test_good_urls(url):
    assert _check(v.datagrandest_url, url) == (url, [])


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://a.fr/x", "www.a.fr", "https://"])
def test_bad_urls(url):
    assert _check(v.datagrandest_url, url)[1]


def test_geojson_accepts_geometries_features_and_collections():
    polygon = {"type": "Polygon", "coordinates": [[[7, 48], [8, 48], [8, 49], [7, 48]]]}
    value, errors = _check(v.datagrandest_geojson, json.dumps(polygon))
    assert errors == []
    assert json.loads(value) == polygon
    feature = {"type": "Feature", "properties": {}, "geometry": polygon}
    collection = {"type": "FeatureCollection", "features": [feature]}
    value, errors = _check(v.datagrandest_geojson, collection)
    assert errors == []
    assert json.loads(value) == collection


@pytest.mark.parametrize(
    "bad",
    [
        "{cassé",
        "[1, 2]",
        {"type": "Point"},
        {"type": "Point", "coordinates": [7]},
        {"type": "Point", "coordinates": [7, 95]},
        {"type": "Point", "coordinates": [True, 48]},
        {"type": "Polygon", "coordinates": [7, 48]},
        {"type": "FeatureCollection", "features": "non"},
        {"type": "Feature", "geometry": {"type": "Cercle"}},
    ],
)
def test_geojson_rejects_broken_values(bad):
    assert _check(v.datagrandest_geojson, bad)[1]


def _run(validator, key, data):
    errors = {key: []}
    validator(key, data, errors, {})
    return errors[key]


def _check(validator, value):
    """A value through a field validator as a user's request meets it: (value, errors)."""
    key = ("field",)
    data = {key: value}
    errors = _run(validator, key, data)
    return data.get(key), errors


def test_end_after_start_compares_whole_periods():
    key = ("temporal_coverage", 0, "end")
    start = ("temporal_coverage", 0, "start")
    assert _run(v.datagrandest_end_after_start, key, {start: "2020-06", key: "2020"}) == []
    assert _run(v.datagrandest_end_after_start, key, {start: "2020-06-01", key: "2020-06-01"}) == []
    assert _run(v.datagrandest_end_after_start, key, {start: "2021", key: "2020-12-31"}) == [
        "The end date comes before the start date"
    ]


def test_territories_are_deduplicated_and_unknown_codes_named():
    key = ("territories",)
    data = {key: "67482, 67482,57463"}
    assert _run(v.datagrandest_territories, key, data) == []
    assert json.loads(data[key]) == ["67482", "57463"]
    errors = _run(v.datagrandest_territories, key, {key: ["67482", "00000"]})
    assert errors == ["Unknown territory code: 00000 (not a Grand Est territory)"]
    assert _run(v.datagrandest_territories, key, {key: 67}) == [
        "Expecting a list of territory codes"
    ]


def test_vocabulary_lists_take_codes_uris_and_commas():
    key = ("theme",)
    data = {key: "envi,http://publications.europa.eu/resource/authority/data-theme/TRAN"}
    assert _run(v.datagrandest_vocabulary_list("data-theme"), key, data) == []
    assert json.loads(data[key]) == [
        "http://publications.europa.eu/resource/authority/data-theme/ENVI",
        "http://publications.europa.eu/resource/authority/data-theme/TRAN",
    ]


def test_resource_format_normalises_spellings_and_guesses_from_the_url():
    data = {("resources", 0, "format"): "geojson", ("resources", 0, "url"): "x"}
    assert _run(v.datagrandest_resource_format, ("resources", 0, "format"), data) == []
    assert data[("resources", 0, "format")] == "GEOJSON"
    assert data[("resources", 0, "mimetype")] == "application/geo+json"
    data = {("resources", 0, "format"): "", ("resources", 0, "url"): "https://a.fr/b.xlsx"}
    assert _run(v.datagrandest_resource_format, ("resources", 0, "format"), data) == []
    assert data[("resources", 0, "format")] == "XLSX"


def test_boolean_strings():
    assert _check(v.datagrandest_boolean_string, True) == ("true", [])
    assert _check(v.datagrandest_boolean_string, "oui") == ("true", [])
    assert _check(v.datagrandest_boolean_string, tk.missing) == ("false", [])
    assert _check(v.datagrandest_boolean_string, "peut-être")[1]


def test_size_is_a_non_negative_whole_number():
    assert _check(v.datagrandest_non_negative_int, "42") == (42, [])
    for bad in ["-1", "1.5", "beaucoup", True]:
        assert _check(v.datagrandest_non_negative_int, bad)[1], bad


@pytest.mark.parametrize(
    "text",
    [
        "<img/src=x onerror=alert(1)>",
        "&lt;img/src=x onerror=alert(1)&gt;",
        "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
        "<svg/onload=alert(1)>",
        "<svg onload=alert(1) sans fin",
    ],
)
def test_text_refuses_html_however_written(text):
    # Read by an HTML parser (nh3), entities decoded: the regular expression missed these.
    with pytest.raises(tk.Invalid, match="HTML"):
        v.check_text(f"Description {text}", 500)


@pytest.mark.parametrize(
    "text", ["[clic](javascript:alert(1))", "![x](data:image/png;base64,AA)", "[1]: vbscript:x"]
)
def test_text_refuses_markdown_links_to_unsafe_addresses(text):
    with pytest.raises(tk.Invalid, match="Links must be web or email addresses"):
        v.check_text(f"Voir :\n\n{text}", 500)
    assert v.check_text("[site](https://www.grandest.fr/)", 500)
