"""/ckan-admin/config as a browser uses it: a sysadmin logs in, changes the home page's texts
through the form (with its CSRF token), the home shows them; a bad value gives the form back
with a readable error; anyone else is refused."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

from ckanext.datagrandest import home

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "fresh_home")

PASSWORD = "Motdepasse-de-test-1"
INTRO = "ckanext.datagrandest.home.intro_fr"
TITLE = "ckanext.datagrandest.home.title_fr"


@pytest.fixture
def fresh_home() -> None:
    home.catalogue_changed()
    home.clear_process_cache()


def _text(response: Any) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _log_in(app: Any, user: dict[str, Any]) -> None:
    page = BeautifulSoup(app.get("/user/login").body, "html.parser")
    token = page.select_one("input[name=_csrf_token], input[name=csrf_token]")
    fields = {"login": user["name"], "password": PASSWORD}
    if token is not None:
        fields[token["name"]] = token["value"]
    response = app.post("/user/login", data=fields, follow_redirects=False)
    assert response.status_code in (302, 303), response.status_code
    assert "/user/login" not in response.headers["Location"], response.headers["Location"]


def _form_fields(app: Any) -> dict[str, str]:
    """What a browser sends when the config form is submitted unchanged."""
    response = app.get("/ckan-admin/config")
    assert response.status_code == 200
    form = BeautifulSoup(response.body, "html.parser").select_one("form#admin-config-form")
    assert form is not None
    fields: dict[str, str] = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        kind = field.get("type", "")
        if kind in ("file", "submit", "button") or (
            kind == "checkbox" and not field.has_attr("checked")
        ):
            continue
        if field.name == "textarea":
            fields[field["name"]] = field.text
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            fields[field["name"]] = chosen.get("value", chosen.text) if chosen else ""
        else:
            fields[field["name"]] = field.get("value", "")
    return fields


def _submit(app: Any, fields: dict[str, str], **changes: str) -> Any:
    data = {**fields, **changes, "save": ""}
    return app.post("/ckan-admin/config", data=data, follow_redirects=False)


def test_a_sysadmin_changes_the_home_intro_through_the_form(app):
    app = app.test_client()  # one browser: keeps the session cookie
    admin = factories.Sysadmin(password=PASSWORD)
    _log_in(app, admin)
    fields = _form_fields(app)
    assert "Les données publiques du Grand Est" in fields[TITLE]  # the shipped default
    assert any(re.search(r"csrf", name) for name in fields), "the form carries its CSRF token"
    response = _submit(app, fields, **{INTRO: "Bienvenue sur le portail **de test** du Grand Est."})
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith("/ckan-admin/config")
    page = _text(app.get("/"))
    assert "Bienvenue sur le portail <strong>de test</strong> du Grand Est." in page
    # the other texts were sent unchanged, and stay
    assert "Les données publiques du Grand Est" in page
    # the form shows the saved text
    assert _form_fields(app)[INTRO] == "Bienvenue sur le portail **de test** du Grand Est."


def test_the_form_refuses_a_post_without_its_csrf_token(app):
    app = app.test_client()
    admin = factories.Sysadmin(password=PASSWORD)
    _log_in(app, admin)
    fields = {k: v for k, v in _form_fields(app).items() if "csrf" not in k}
    response = _submit(app, fields, **{INTRO: "Sans jeton."})
    assert response.status_code == 400
    assert "Sans jeton." not in _text(app.get("/"))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            TITLE,
            "Un titre\nsur deux lignes",
            "Un titre tient sur une ligne de 200 caractères au plus.",
        ),
        (TITLE, "T" * 201, "Un titre tient sur une ligne de 200 caractères au plus."),
        (INTRO, "x" * 20001, "Ce texte est trop long : 20000 caractères au plus."),
    ],
    ids=["title-on-two-lines", "title-too-long", "intro-too-long"],
)
def test_a_bad_value_gives_the_form_back_with_a_readable_error(app, key, value, message):
    app = app.test_client()
    admin = factories.Sysadmin(password=PASSWORD)
    _log_in(app, admin)
    fields = _form_fields(app)
    response = _submit(app, fields, **{key: value})
    assert response.status_code == 200  # the form again, not a 500
    page = BeautifulSoup(response.body, "html.parser")
    assert message in page.text
    field = page.select_one(f'[name="{key}"]')
    assert field is not None
    assert (field.text if field.name == "textarea" else field.get("value")) == value  # kept
    # nothing was saved
    assert "Les données publiques du Grand Est" in _text(app.get("/"))


def test_someone_else_is_refused(app):
    app = app.test_client()
    user = factories.User(password=PASSWORD)
    _log_in(app, user)
    assert app.get("/ckan-admin/config").status_code == 403
    # with a valid CSRF token of the user's session (from their own profile form)
    profile = BeautifulSoup(app.get(f"/user/edit/{user['name']}").body, "html.parser")
    token = profile.select_one("input[name=_csrf_token], input[name=csrf_token]")
    assert token is not None
    data = {token["name"]: token["value"], INTRO: "Pirate.", "save": ""}
    assert app.post("/ckan-admin/config", data=data).status_code == 403
    assert "Pirate." not in _text(app.get("/"))
    # and a visitor who is not logged in
    app.get("/user/_logout")
    anonymous = app.post("/ckan-admin/config", data={INTRO: "Anonyme.", "save": ""})
    assert anonymous.status_code in (400, 403)
    assert "Anonyme." not in _text(app.get("/"))
