"""The stack works end to end: PostgreSQL, Solr 9, Redis, CKAN and the plugins we build on."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
import requests
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def dataset():
    org = factories.Organization(name="region-grand-est", title="Région Grand Est")
    return call_action(
        "package_create",
        {"user": factories.Sysadmin()["name"]},
        name="lycees-grand-est",
        title="Lycées publics du Grand Est",
        notes="Liste des lycées publics de la région.",
        owner_org=org["id"],
        territories=["44"],
        resources=[{"url": "https://example.org/lycees.csv", "format": "CSV"}],
    )


def test_solr_is_a_real_solr_9():
    solr_url = tk.config["solr_url"]
    base = solr_url.rsplit("/", 1)[0]
    info = requests.get(f"{base}/admin/info/system", params={"wt": "json"}, timeout=10).json()
    assert info["lucene"]["solr-spec-version"].startswith("9.")
    ping = requests.get(f"{solr_url}/admin/ping", params={"wt": "json"}, timeout=10).json()
    assert ping["status"] == "OK"


def test_dataset_created_through_the_api_is_found_by_solr(dataset):
    result = call_action("package_search", q="lycées", fq="organization:region-grand-est")
    assert result["count"] == 1
    assert result["results"][0]["id"] == dataset["id"]
    assert call_action("package_search", q="inexistant-xyz")["count"] == 0


def test_dataset_is_listed_on_the_search_page(app, dataset):
    response = app.get("/dataset/", query_string={"q": "lycées"})
    assert response.status_code == 200
    assert "Lycées publics du Grand Est" in response.body
    assert f'href="/dataset/{dataset["name"]}"' in response.body


def test_dataset_is_in_the_turtle_catalogue(app, dataset):
    response = app.get("/catalog.ttl")
    assert response.status_code == 200
    assert "text/turtle" in response.headers["Content-Type"]
    assert "Lycées publics du Grand Est" in response.body
    assert "dcat:Dataset" in response.body


def test_harvest_source_can_be_created():
    org = factories.Organization()
    source = call_action(
        "harvest_source_create",
        {"user": factories.Sysadmin()["name"]},
        name="ckan-voisin",
        title="Un CKAN voisin",
        url="https://ckan.example.org",
        source_type="datagrandest_ckan",
        owner_org=org["id"],
    )
    shown = call_action("harvest_source_show", id=source["id"])
    assert shown["url"] == "https://ckan.example.org"
    assert shown["source_type"] == "datagrandest_ckan"


def test_redis_answers_and_takes_jobs():
    redis = connect_to_redis()
    assert redis.ping()
    job = tk.enqueue_job(print, ["bonjour"], queue="datagrandest_stack_test")
    try:
        assert job.get_status() == "queued"
    finally:
        job.delete()
