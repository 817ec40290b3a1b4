"""The territory autocomplete action: anonymous, side-effect free, validated parameters."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("with_plugins")

URL = "/api/3/action/datagrandest_territory_autocomplete"


def _ask(app, status=200, **params):
    response = app.get(URL, query_string=params)
    assert response.status_code == status, response.body
    return response.json


@pytest.mark.parametrize(
    ("query", "code", "kind", "departement"),
    [
        ("metz", "57463", "commune", "57"),
        ("Épinal", "88160", "commune", "88"),
        ("EPINAL", "88160", "commune", "88"),
        ("67482", "67482", "commune", "67"),
        ("bas-rhin", "67", "departement", "67"),
        ("Grand Est", "44", "region", None),
    ],
)
def test_anonymous_users_find_territories_by_name_or_code(app, query, code, kind, departement):
    first = _ask(app, q=query)["result"][0]
    assert first["code"] == code
    assert first["kind"] == kind
    assert first["departement"] == departement


def test_labels_follow_the_requested_language(app):
    assert _ask(app, q="67482", lang="fr")["result"][0]["label"] == "Strasbourg (commune, 67)"
    assert _ask(app, q="67482", lang="en")["result"][0]["label"] == "Strasbourg (municipality, 67)"


def test_limit_caps_the_answers(app):
    assert len(_ask(app, q="saint", limit=3)["result"]) == 3
    assert len(_ask(app, q="saint")["result"]) == 10


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "Valeur manquante"),
        ({"q": ""}, "q", "Valeur manquante"),
        ({"q": "x" * 101}, "q", "Trop long"),
        ({"q": "metz", "limit": "beaucoup"}, "limit", ""),
        ({"q": "metz", "limit": 0}, "limit", ""),
        ({"q": "metz", "limit": 51}, "limit", "Au plus 50"),
        ({"q": "metz", "lang": "de"}, "lang", ""),
    ],
)
def test_bad_parameters_are_a_409_naming_the_parameter(app, params, field, message):
    error = _ask(app, status=409, **params)["error"]
    assert message in " ".join(error[field])


def test_nothing_found_is_an_empty_list(app):
    assert _ask(app, q="zzzzqqq")["result"] == []


def test_the_action_documents_its_parameters(app):
    # Every test above reaches it with GET, which CKAN allows only for side-effect-free actions.
    response = app.get("/api/3/action/help_show", query_string={"name": URL.rsplit("/", 1)[1]})
    assert response.status_code == 200
    assert ":param limit:" in response.json["result"]
