"""Malformed input through the API and the web forms: field errors in French, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from schema_support import REGION, full_dataset

# No per-test ``with_plugins``: fresh_site (under module_app) loads the plugins for the whole
# module, so one app serves every request.


def _set(payload: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = payload
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _error_at(errors: Any, path: tuple[Any, ...]) -> str:
    found = errors
    for step in path:
        found = found[step]
    assert isinstance(found, list), found
    return " | ".join(map(str, found))


OVERSIZED = "x" * 301
LIST_OF_ENTRIES = "Une liste d'éléments, chacun avec ses champs nommés, est attendue"
# (case, path of the bad value, the value, the French message[, path of the error when it
# is not the value's own])
BAD_DATASETS = [
    # Wrong types, which CKAN alone answers with a 500 or an English 400.
    ("contacts as text", ("contact",), "Service", LIST_OF_ENTRIES),
    ("a period as an object", ("temporal_coverage",), {"start": "2020"}, LIST_OF_ENTRIES),
    ("extents as strings", ("spatial_coverage",), ["Strasbourg"], LIST_OF_ENTRIES),
    ("resources as text", ("resources",), "https://exemple.fr/a.csv", LIST_OF_ENTRIES),
    ("tags as text", ("tags",), "vélo", LIST_OF_ENTRIES),
    ("keywords as a number", ("tag_string",), 42, "Doit être du texte"),
    ("publisher as a list", ("owner_org",), ["region"], "Doit être du texte"),
    ("themes as a number", ("theme",), 42, "Une liste de valeurs est attendue"),
    ("description as an object", ("notes",), {"fr": "x"}, "Doit être du texte"),
    ("date as a number", ("issued",), 2020, "Les dates doivent être du texte"),
    (
        "unknown territory",
        ("territories",),
        ["67482", "99999"],
        "Code de territoire inconnu : 99999",
    ),
    (
        "territories of the wrong type",
        ("territories",),
        {"code": "67"},
        "Une liste de codes de territoires est attendue",
    ),
    ("unknown theme", ("theme",), ["TRAN", "MAGIE"], "Valeur inconnue : MAGIE"),
    (
        "end before start",
        ("temporal_coverage", 0, "end"),
        "2019-12-31",
        "La date de fin précède la date de début",
    ),
    (
        "impossible date",
        ("temporal_coverage", 0, "start"),
        "2020-13-45",
        "Format de date incorrect",
    ),
    (
        "bad email",
        ("contact", 0, "email"),
        "pas-un-courriel",
        "Adresse électronique invalide : pas-un-courriel",
    ),
    ("oversized title", ("title",), OVERSIZED, "Trop long : 301 caractères, 300 au maximum"),
    (
        "HTML in the description",
        ("notes",),
        "Voir <script>alert(1)</script>",
        "Le HTML n'est pas accepté",
    ),
    (
        "HTML in a contact name",
        ("contact", 0, "name"),
        '<a href="x">Service</a>',
        "Le HTML n'est pas accepté",
    ),
    ("version of the wrong type", ("version",), ["2", "3"], "Doit être du texte"),
    ("unknown licence", ("license_id",), "gpl-3.0", "Licence inconnue : gpl-3.0"),
    (
        "other licence without its name",
        ("license_id",),
        "other",
        "Précisez la licence",
        ("license_other",),
    ),
    ("unknown frequency", ("frequency",), "PARFOIS", "Valeur inconnue : PARFOIS"),
    ("unknown language", ("language",), ["KLINGON"], "Valeur inconnue : KLINGON"),
    ("script URL", ("url",), "javascript:alert(1)", "Adresse web invalide"),
    (
        "non-web schema address",
        ("conforms_to",),
        ["ftp://exemple.fr/schema"],
        "Adresse web invalide",
    ),
    ("broken GeoJSON", ("spatial_coverage", 0, "geom"), "{pas du json", "JSON invalide"),
    (
        "coordinates off the globe",
        ("spatial_coverage", 0, "geom"),
        {"type": "Point", "coordinates": [500, 100]},
        "coordonnées incorrectes pour un Point",
    ),
    (
        "GeoJSON of an unknown type",
        ("spatial_coverage", 0, "bbox"),
        {"type": "Cercle", "coordinates": [7, 48]},
        "type inconnu Cercle",
    ),
    (
        "unknown granularity",
        ("granularity",),
        "canton",
        "Valeur inconnue : canton (attendu : commune, epci",
    ),
    ("negative size", ("resources", 0, "size"), -5, "Doit être positif ou nul"),
    (
        "size that is not a number",
        ("resources", 0, "size"),
        "beaucoup",
        "Doit être un nombre entier d'octets",
    ),
    (
        "unknown format",
        ("resources", 0, "format"),
        "FORMAT-MAISON",
        "Format de fichier inconnu : FORMAT-MAISON",
    ),
    ("unknown resource licence", ("resources", 0, "license"), "wtfpl", "Licence inconnue : wtfpl"),
    (
        "API flag that is not a yes/no",
        ("resources", 1, "is_api"),
        "peut-être",
        "Oui ou non attendu",
    ),
    (
        "bad download URL",
        ("resources", 0, "download_url"),
        "pas une adresse",
        "Adresse web invalide",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "message", "error_path"),
    [
        (path, value, message, elsewhere[0] if elsewhere else path)
        for _, path, value, message, *elsewhere in BAD_DATASETS
    ],
    ids=[case[0] for case in BAD_DATASETS],
)
def test_bad_dataset_through_the_api_is_a_409_naming_the_field(
    module_app, module_org, module_sysadmin, path, value, message, error_path
):
    payload = full_dataset(module_org["id"], name="mauvais", identifier="mauvais")
    _set(payload, path, value)
    response = module_app.post(
        "/api/3/action/package_create",
        json=payload,
        headers={"Authorization": module_sysadmin["token"]},
    )
    assert response.status_code == 409, response.body
    error = response.json["error"]
    assert error["__type"] == "Validation Error"
    assert message in _error_at(error, error_path)


BAD_ORGANIZATIONS = [
    ("SIREN as a list", "siren", ["200052264"], "Un numéro SIREN compte 9 chiffres"),
    (
        "territories as an object",
        "territories",
        {"44": True},
        "Une liste de codes de territoires est attendue",
    ),
    ("SIREN too short", "siren", "12345678", "Un numéro SIREN compte 9 chiffres"),
    ("SIREN with letters", "siren", "20005226A", "Un numéro SIREN compte 9 chiffres"),
    ("SIREN with a wrong key", "siren", "200052265", "clé de contrôle fausse"),
    ("SIREN of another body", "siren", "200052264", "déjà celui de Région Grand Est"),
    (
        "unknown kind",
        "body_kind",
        "ministere",
        "Valeur inconnue : ministere (attendu : state_service",
    ),
    ("bad website", "website", "www sans schéma", "Adresse web invalide"),
    ("bad email", "email", "a@b", "Adresse électronique invalide"),
    ("territory outside Grand Est", "territories", ["75056"], "Code de territoire inconnu : 75056"),
    ("HTML in the description", "description", "<b>gras</b>", "Le HTML n'est pas accepté"),
]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [case[1:] for case in BAD_ORGANIZATIONS],
    ids=[case[0] for case in BAD_ORGANIZATIONS],
)
def test_bad_organization_through_the_api_is_a_409_naming_the_field(
    module_app, module_org, module_sysadmin, field, value, message
):
    payload = {"name": "mauvais-organisme", "title": "Mauvais", "territories": [REGION]}
    payload[field] = value
    response = module_app.post(
        "/api/3/action/organization_create",
        json=payload,
        headers={"Authorization": module_sysadmin["token"]},
    )
    assert response.status_code == 409, response.body
    assert message in _error_at(response.json["error"], (field,))


def test_a_batch_of_bad_values_in_the_dataset_form_gives_french_errors(
    module_app, module_org, module_sysadmin
):
    response = module_app.post(
        "/dataset/new",
        data={
            "name": "formulaire-mauvais",
            "title": "Formulaire mauvais",
            "notes": "Description <em>en HTML</em>",
            "owner_org": module_org["id"],
            "territories": "67482, 99999",
            "license_id": "other",
            "contact-0-name": "Service",
            "contact-0-email": "pas-un-courriel",
            "temporal_coverage-0-start": "2022-01-01",
            "temporal_coverage-0-end": "2021-01-01",
            "spatial_coverage-0-geom": "{cassé",
            "save": "continue",
        },
        headers={"Authorization": module_sysadmin["token"]},
    )
    assert response.status_code == 200
    body = response.body
    for message in [
        "Code de territoire inconnu : 99999",
        "Le HTML n&#39;est pas accepté",
        "Précisez la licence quand vous choisissez « Autre licence »",
        "Adresse électronique invalide : pas-un-courriel",
        "La date de fin précède la date de début",
        "JSON invalide, donc GeoJSON invalide",
    ]:
        assert message in body, message
    # What the publisher typed is kept in the form for correction.
    assert "99999" in body


def test_a_bad_siren_in_the_organization_form_gives_a_french_error(
    module_app, module_org, module_sysadmin
):
    response = module_app.post(
        "/organization/new",
        data={
            "name": "commune-mauvaise",
            "title": "Commune mauvaise",
            "siren": "200052265",
            "body_kind": "commune",
            "save": "save",
        },
        headers={"Authorization": module_sysadmin["token"]},
    )
    assert response.status_code == 200
    assert (
        "Le numéro SIREN 200052265 n&#39;est pas valide (clé de contrôle fausse)" in response.body
    )
