"""The page language of helpers and actions: the request's, French outside one."""

from __future__ import annotations

import pytest

from ckanext.datagrandest.language import page_language


def test_outside_a_request_it_is_french():
    # CLI commands and background jobs: no request, and tk.h.lang() raises.
    assert page_language() == "fr"


@pytest.mark.parametrize(("lang", "expected"), [("en", "en"), ("fr", "fr"), (None, "fr")])
def test_in_a_request_it_is_the_language_ckan_chose(app, lang, expected):
    # CKAN's i18n middleware puts the language of /en/... in CKAN_LANG; none: the default.
    environ = {"CKAN_LANG": lang} if lang else {}
    with app.flask_app.test_request_context("/", environ_overrides=environ):
        assert page_language() == expected
