"""Link health and quality end to end: checks recorded, score in the API, index, pages, CLI."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from ckan.cli.cli import ckan
from ckan.tests import factories
from ckan.tests.helpers import call_action
from linkcheck.link_server import LinkServer

from ckanext.datagrandest.linkcheck import jobs
from ckanext.datagrandest.linkcheck import model as links_model

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "local_links")

EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def local_links(ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test servers run on 127.0.0.1, which the link checker refuses by default."""
    monkeypatch.setitem(ckan_config, "ckanext.datagrandest.linkcheck.allow_private_addresses", True)
    monkeypatch.setitem(ckan_config, "ckanext.datagrandest.linkcheck.timeout", 2)


@pytest.fixture
def server() -> Iterator[LinkServer]:
    with LinkServer() as running:
        yield running


@pytest.fixture
def org() -> dict[str, Any]:
    return factories.Organization(
        name="ville-de-metz", title="Ville de Metz", body_kind="commune", territories=["57463"]
    )


def make_dataset(org: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    data = {
        "name": name,
        "title": name.replace("-", " ").capitalize(),
        "notes": "Jeu de données de test.",
        "owner_org": org["id"],
        "license_id": "etalab-2.0",
        **fields,
    }
    return call_action("package_create", {"user": factories.Sysadmin()["name"]}, **data)


def rich(server: LinkServer, **extra: Any) -> dict[str, Any]:
    return {
        "notes": "Les arrêts de bus du réseau de la ville, avec leur position, leur nom, "
        "les lignes qui les desservent et leur accessibilité.",
        "tag_string": "transport,bus",
        "theme": [EU + "data-theme/TRAN"],
        "temporal_coverage": [{"start": "2020-01-01", "end": "2024-12-31"}],
        "access_rights": EU + "access-right/PUBLIC",
        "contact": [{"name": "Service SIG", "email": "sig@metz.fr"}],
        "issued": "2020-01-01",
        "modified": "2024-06-30",
        "url": f"{server.url}/hop/1",
        "resources": [
            {
                "url": f"{server.url}/ok.csv",
                "download_url": f"{server.url}/no-head.csv",
                "format": "CSV",
                "mimetype": "text/csv",
                "size": 800,
                "name": "Arrêts",
            }
        ],
        **extra,
    }


def test_a_check_records_each_link_with_history_and_feeds_the_score(server, org):
    good = make_dataset(org, "arrets-de-bus", **rich(server))
    before = call_action("package_show", id=good["id"])["datagrandest_quality"]
    assert before["links_checked"] == 0
    found = jobs.check_datasets([good["id"]])
    assert {r.url: r.ok for r in found[good["id"]]} == {
        f"{server.url}/hop/1": True,
        f"{server.url}/ok.csv": True,
        f"{server.url}/no-head.csv": True,
    }
    quality = call_action("package_show", id=good["id"])["datagrandest_quality"]
    assert quality["links_checked"] == 3 and quality["broken_links"] == []
    by_key = {i["key"]: i for i in quality["indicators"]}
    assert by_key["access_url_reachable"]["earned"] == 50
    assert by_key["download_url_reachable"]["earned"] == 30
    assert quality["score"] - before["score"] == 80
    jobs.check_datasets([good["id"]])
    history = links_model.history(good["id"])
    assert len(history) == 6  # two checks of three links, all kept
    landing = [h for h in history if h["resource_id"] is None]
    assert landing[0]["final_url"] == f"{server.url}/ok.csv" and landing[0]["redirects"] == 2
    assert landing[0]["status"] == 200 and landing[0]["content_type"] == "text/csv"


def test_broken_links_show_in_the_api_and_lower_the_score(server, org):
    dataset = make_dataset(
        org,
        "arrets-casses",
        **rich(server, url=f"{server.url}/missing"),
    )
    dataset["resources"][0]["url"] = f"{server.url}/broken"
    call_action("package_update", {"user": factories.Sysadmin()["name"]}, **dataset)
    jobs.check_datasets([dataset["id"]])
    quality = call_action("package_show", id=dataset["id"])["datagrandest_quality"]
    broken = {b["url"]: b for b in quality["broken_links"]}
    assert set(broken) == {f"{server.url}/missing", f"{server.url}/broken"}
    assert broken[f"{server.url}/broken"]["status"] == 500
    assert {i["key"]: i["earned"] for i in quality["indicators"]}["access_url_reachable"] == 0
    criteria = {c["key"]: c for c in quality["datagouv"]}
    assert not criteria["resources_available"]["met"]
    assert criteria["description"]["met"]


def search(**params: Any) -> dict[str, Any]:
    return call_action("package_search", **params)


def test_grade_facet_and_sort_by_score(server, org):
    good = make_dataset(org, "bon-jeu", **rich(server))
    poor = make_dataset(org, "jeu-pauvre")
    jobs.check_datasets([good["id"], poor["id"]])
    good_q = call_action("package_show", id=good["id"])["datagrandest_quality"]
    poor_q = call_action("package_show", id=poor["id"])["datagrandest_quality"]
    assert poor_q["grade"] == "faible"
    assert good_q["score"] > poor_q["score"]
    found = search(fq="vocab_quality_grade:faible")
    assert [r["name"] for r in found["results"]] == ["jeu-pauvre"]
    facets = search(**{"facet.field": '["vocab_quality_grade"]'})["search_facets"]
    counts = {i["name"]: i["count"] for i in facets["vocab_quality_grade"]["items"]}
    assert counts[poor_q["grade"]] >= 1 and counts[good_q["grade"]] >= 1
    labels = {i["name"]: i["display_name"] for i in facets["vocab_quality_grade"]["items"]}
    assert labels["faible"] == "Faible"
    best = search(sort="datagrandest_quality_score desc")["results"]
    worst = search(sort="datagrandest_quality_score asc")["results"]
    assert [r["name"] for r in best] == ["bon-jeu", "jeu-pauvre"]
    assert [r["name"] for r in worst] == ["jeu-pauvre", "bon-jeu"]


def test_the_dataset_page_shows_the_grade_and_editors_see_what_to_fix(app, server, org):
    dataset = make_dataset(org, "page-qualite")
    public = app.get(f"/dataset/{dataset['name']}").body
    assert "datagrandest-quality-grade" in public
    assert "Faible" in public
    assert "Ajoutez des mots-clés" not in public  # advice is for editors
    sysadmin = factories.SysadminWithToken()
    editor_page = app.get(
        f"/dataset/{dataset['name']}", headers={"Authorization": sysadmin["token"]}
    ).body
    assert "Ajoutez des mots-clés décrivant le contenu des données." in editor_page
    assert "Description d&#39;au moins 100 caractères" in editor_page


def test_the_search_page_offers_the_grade_facet_and_sort(app, server, org):
    make_dataset(org, "jeu-recherche")
    page = app.get("/dataset/").body
    assert "vocab_quality_grade" in page
    assert "datagrandest_quality_score desc" in page
    filtered = app.get("/dataset/?vocab_quality_grade=faible").body
    assert "jeu-recherche" in filtered


def test_the_publisher_page_lists_broken_links_and_what_to_fix(app, server, org):
    dataset = make_dataset(org, "jeu-casse", **rich(server, url=f"{server.url}/missing"))
    jobs.check_datasets([dataset["id"]])
    editor = factories.UserWithToken()
    call_action(
        "organization_member_create",
        id=org["id"],
        username=editor["name"],
        role="editor",
    )
    page = app.get(
        f"/organization/{org['name']}/qualite", headers={"Authorization": editor["token"]}
    ).body
    assert f"{server.url}/missing" in page
    assert "Erreur HTTP 404" in page
    assert "datagrandest-quality-average" in page
    assert "Jeu casse" in page
    stranger = factories.UserWithToken()
    app.get(
        f"/organization/{org['name']}/qualite",
        headers={"Authorization": stranger["token"]},
        status=403,
    )
    app.get("/organization/inconnue/qualite", status=404)


def test_the_portal_page_is_for_sysadmins(app, server, org):
    make_dataset(org, "jeu-portail")
    sysadmin = factories.SysadminWithToken()
    page = app.get("/ckan-admin/qualite", headers={"Authorization": sysadmin["token"]}).body
    assert "ville-de-metz" in page
    user = factories.UserWithToken()
    app.get("/ckan-admin/qualite", headers={"Authorization": user["token"]}, status=403)


@pytest.fixture
def run(cli: Any) -> Any:
    def invoke(*args: str) -> Any:
        return cli.invoke(ckan, ["datagrandest", *args])

    return invoke


def test_links_check_cli_runs_now_or_queues(run, server, org):
    dataset = make_dataset(org, "jeu-cli", **rich(server))
    now = run("links", "check", "--dataset", dataset["name"], "--now")
    assert now.exit_code == 0, now.output
    assert "3 lien(s) vérifié(s), 0 en échec" in now.output
    queued = run("links", "check", "--publisher", org["name"])
    assert queued.exit_code == 0, queued.output
    assert "1 jeu(x) de données mis en file (1 tâche(s))" in queued.output
    stale = run("links", "check", "--stale", "7")
    assert "Aucun jeu de données à vérifier." in stale.output  # just checked


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Indiquez exactement une option"),
        (("--dataset", "a", "--publisher", "b"), "Indiquez exactement une option"),
        (("--dataset", "inconnu"), "Jeu de données introuvable : inconnu"),
        (("--publisher", "inconnu"), "Producteur introuvable : inconnu"),
        (("--stale", "-1"), "-1"),
        (("--stale", "abc"), "abc"),
    ],
)
def test_links_check_cli_refuses_bad_arguments(run, args, message):
    result = run("links", "check", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_quality_report_cli_text_and_csv(run, server, org):
    dataset = make_dataset(org, "jeu-rapport", **rich(server, url=f"{server.url}/missing"))
    make_dataset(org, "jeu-maigre")
    jobs.check_datasets([dataset["id"]])
    text = run("quality", "report", "--publisher", org["name"])
    assert text.exit_code == 0, text.output
    assert "Qualité des métadonnées : Ville de Metz" in text.output
    assert "Jeux de données : 2" in text.output
    assert f"jeu-rapport : {server.url}/missing (Erreur HTTP 404)" in text.output
    assert "À corriger en priorité :" in text.output
    out = run("quality", "report", "--publisher", org["name"], "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [r["jeu_de_donnees"] for r in rows] == ["jeu-maigre", "jeu-rapport"]
    assert rows[1]["liens_en_echec"] == "1"
    assert int(rows[1]["score"]) > int(rows[0]["score"])
    portal = run("quality", "report")
    assert "tout le portail" in portal.output
    unknown = run("quality", "report", "--publisher", "inconnu")
    assert unknown.exit_code != 0 and "Producteur introuvable : inconnu" in unknown.output
    bad = run("quality", "report", "--format", "xml")
    assert bad.exit_code != 0 and "xml" in bad.output
