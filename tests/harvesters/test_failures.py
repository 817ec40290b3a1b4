"""Every failure finishes the job, shows its error in the job report and loses nothing."""

from __future__ import annotations

import json
import socket
import time

import pytest
from ckan.tests import factories

from ckanext.datagrandest.harvesters.http import HarvestHttpError, check_address
from demo.replay import ReplayServer, Reply, json_reply, udata_routes

from .conftest import create_source, harvest, load_fixture, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ORG = "strasbourg-eurometropole"
PATH = f"/api/1/organizations/{ORG}/datasets/"


def _status(code: int):
    return lambda server: {PATH: lambda q, p: json_reply({"message": "erreur"}, code)}


def _raw(body: bytes, content_type: str):
    return lambda server: {PATH: lambda q, p: Reply(200, body, {"Content-Type": content_type})}


def _self_pointing(server):
    def handler(query, path):
        return json_reply(
            {
                "data": load_fixture("udata/strasbourg-eurometropole.json")[:2],
                "next_page": server.url + path,  # the page announces itself as the next one
                "page": 1,
                "page_size": 2,
                "total": 3,
            }
        )

    return {PATH: handler}


def _redirect_loop(server):
    return {
        PATH: lambda q, p: Reply(302, b"", {"Location": "/ailleurs/"}),
        "/ailleurs/": lambda q, p: Reply(302, b"", {"Location": PATH}),
    }


def _oversized(server):
    body = json.dumps({"data": ["x" * 1000] * 50}).encode()
    return {PATH: lambda q, p: Reply(200, body, {"Content-Type": "application/json"})}


def _slow(server):
    def handler(query, path):
        time.sleep(3)
        return json_reply({"data": []})

    return {PATH: handler}


def _not_an_envelope(server):
    return {PATH: lambda q, p: json_reply({"erreur": "inattendu"})}


FAILURES = [
    pytest.param(_status(404), "Erreur HTTP 404", {}, id="http-404"),
    pytest.param(_status(500), "Erreur HTTP 500", {}, id="http-500"),
    pytest.param(_status(503), "erreur du serveur distant", {}, id="http-503"),
    pytest.param(_raw(b'{"data": [', "application/json"), "JSON invalide", {}, id="invalid-json"),
    pytest.param(
        _raw(b"<html><body>Maintenance</body></html>", "text/html; charset=utf-8"),
        "Type de contenu inattendu",
        {},
        id="wrong-content-type",
    ),
    pytest.param(_self_pointing, "Pagination en boucle", {}, id="page-points-to-itself"),
    pytest.param(_redirect_loop, "redirections", {}, id="redirect-loop"),
    pytest.param(
        _oversized,
        "Réponse trop volumineuse",
        {"ckanext.datagrandest.harvest.max_response_bytes": "2000"},
        id="oversized",
    ),
    pytest.param(
        _slow,
        "Délai dépassé",
        {"ckanext.datagrandest.harvest.timeout": "1"},
        id="timeout",
    ),
    pytest.param(_not_an_envelope, "Réponse inattendue", {}, id="unexpected-shape"),
]


@pytest.mark.parametrize(("failure", "message", "settings"), FAILURES)
def test_failure_finishes_the_job_with_its_error_and_loses_nothing(
    org, ckan_config, monkeypatch, failure, message, settings
):
    catalogue = {ORG: load_fixture("udata/strasbourg-eurometropole.json")}
    with ReplayServer() as server:
        server.routes.update(udata_routes(lambda: server.url, catalogue))
        source = create_source(
            server.url,
            "datagrandest_udata",
            {"organizations": [ORG], "page_size": 2},
            org["id"],
            "ems",
        )
        assert harvest(source["id"])["stats"] == {"added": 3}

        server.routes.update(failure(server))
        for key, value in settings.items():
            monkeypatch.setitem(ckan_config, key, value)
        result = harvest(source["id"])

    assert result["status"] == "Finished"
    assert any(message in error for error in result["gather_errors"]), result["gather_errors"]
    assert any("aucun jeu de données n'a été retiré" in e for e in result["gather_errors"])
    assert len(source_datasets(source["id"])) == 3


def test_connection_refused_finishes_the_job_with_its_error(org):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = create_source(
        f"http://127.0.0.1:{port}",
        "datagrandest_udata",
        {"organizations": [ORG]},
        org["id"],
        "injoignable",
    )

    result = harvest(source["id"])

    assert result["status"] == "Finished"
    assert any("Connexion impossible" in e for e in result["gather_errors"])


def test_private_address_is_refused_unless_allowed(org, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.datagrandest.harvest.allow_private_addresses", False)
    catalogue = {ORG: load_fixture("udata/strasbourg-eurometropole.json")}
    with ReplayServer() as server:
        server.routes.update(udata_routes(lambda: server.url, catalogue))
        source = create_source(
            server.url, "datagrandest_udata", {"organizations": [ORG]}, org["id"], "local"
        )
        result = harvest(source["id"])
        assert server.requests == []  # refused before any request

    assert result["status"] == "Finished"
    assert any("Adresse refusée" in e and "127.0.0.1" in e for e in result["gather_errors"])
    assert source_datasets(source["id"]) == {}


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata endpoint
        "http://127.0.0.1:8080/",
        "http://[::1]/",
        "http://10.0.0.8/",
        "http://192.168.1.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_internal_addresses_are_refused(url):
    with pytest.raises(HarvestHttpError, match="Adresse refusée"):
        check_address(url, allow_private=False)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/"])
def test_only_http_urls_are_accepted(url):
    with pytest.raises(HarvestHttpError, match="http ou https"):
        check_address(url, allow_private=True)


def test_error_is_shown_to_the_admin_on_the_source_job_page(app, org):
    catalogue = {ORG: load_fixture("udata/strasbourg-eurometropole.json")}
    with ReplayServer() as server:
        server.routes.update(udata_routes(lambda: server.url, catalogue))
        server.routes.update(_status(500)(server))
        source = create_source(
            server.url, "datagrandest_udata", {"organizations": [ORG]}, org["id"], "en-panne"
        )
        harvest(source["id"])

    admin = factories.Sysadmin()
    page = app.get(
        "/harvest/en-panne/job/last",
        headers={"Authorization": factories.APIToken(user=admin["name"])["token"]},
    )
    assert page.status_code == 200
    assert "Erreur HTTP 500" in page.body
