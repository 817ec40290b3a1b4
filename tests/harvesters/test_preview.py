"""Preview of a harvest source: first records read and mapped, nothing written (API, page, CLI)."""

from __future__ import annotations

import copy
import textwrap

import pytest
from ckan.cli.cli import ckan
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.datagrandest.harvesters import preview
from ckanext.harvest.model import HarvestJob, HarvestObject, Session
from demo.replay import ReplayServer, Reply, ods_routes

from .conftest import UDATA_ORG, create_source, load_fixture

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ORG = UDATA_ORG
PISTES = "Pistes cyclables de l'Eurométropole"


@pytest.fixture
def source(server, org):
    return create_source(
        server.url,
        "datagrandest_udata",
        {"organizations": [ORG], "page_size": 1},
        org["id"],
        "ems-udata",
    )


def _nothing_written() -> None:
    Session.remove()
    assert Session.query(HarvestJob).count() == 0
    assert Session.query(HarvestObject).count() == 0
    assert call_action("package_search", q="*:*", include_private=True)["count"] == 0


def test_preview_maps_the_first_records_and_writes_nothing(server, source):
    result = preview.preview_source(source["name"], limit=2)

    assert result.error == ""
    assert len(result.items) == 2
    # page_size 1 and limit 2: two pages read, not the third
    assert sum("/datasets/" in r for r in server.requests) == 2
    pistes = result.items[0]
    assert pistes.refused == ""
    assert pistes.title == PISTES
    assert "ODbL" in pistes.licence
    assert "GEOJSON" in pistes.formats
    assert pistes.landing_page == (
        "https://www.data.gouv.fr/fr/datasets/pistes-cyclables-eurometropole/"
    )
    assert pistes.territories == ["Strasbourg (commune, 67)"]
    assert result.landing == 2
    _nothing_written()


def test_an_unusable_record_is_shown_refused_with_its_reason(server, source, catalogue):
    catalogue[ORG][0]["title"] = ""

    result = preview.preview_source(source["name"], limit=3)

    assert [bool(item.refused) for item in result.items] == [True, False, False]
    assert "sans titre" in result.items[0].refused
    assert result.landing == 2
    _nothing_written()


def test_what_the_harvest_would_say_is_shown_as_warnings(server, source, catalogue):
    record = catalogue[ORG][0]
    record["frequency"] = "tous les jours ou presque"
    record["description"] = ""

    item = preview.preview_source(source["name"], limit=1).items[0]

    assert item.refused == ""
    assert any("fréquence" in w for w in item.warnings), item.warnings
    assert "description absente : le titre en tient lieu" in item.warnings
    _nothing_written()


def test_an_untitled_record_is_refused_in_the_words_of_the_job_report(org):
    catalogue = copy.deepcopy(load_fixture("ods/data-strasbourg-catalog.json"))
    catalogue[0]["metas"]["default"]["title"] = " "
    with ReplayServer(ods_routes(catalogue)) as ods:
        result = preview.preview("datagrandest_ods", ods.url, {}, limit=3)

    assert result.error == ""
    first = result.items[0]
    assert first.refused == f"Enregistrement {first.guid} sans titre : ignoré"
    assert [bool(item.refused) for item in result.items[1:]] == [False, False]
    _nothing_written()


def test_a_failing_source_gives_its_error_message(server, source):
    server.routes[f"/api/1/organizations/{ORG}/datasets/"] = lambda query, body: Reply(
        503, b"<html>maintenance</html>", {"Content-Type": "text/html"}
    )

    result = preview.preview_source(source["name"])

    assert result.items == []
    assert result.error.startswith("Lecture de la source interrompue")
    assert "503" in result.error
    _nothing_written()


def test_bad_config_and_unknown_sources_are_messages():
    bad = preview.preview("datagrandest_udata", "https://www.data.gouv.fr", "{pas du json")
    assert bad.error.startswith("Configuration de la source invalide")
    unknown = preview.preview_source("nulle-part")
    assert unknown.error == "Source de moissonnage inconnue : nulle-part"
    stock = preview.preview("harvest", "https://example.org", None)
    assert "non prévisualisable" in stock.error


def test_the_preview_page_for_editors_only(app, server, source):
    sysadmin = factories.SysadminWithToken()

    page = app.get(
        f"/harvest/{source['name']}/preview", headers={"Authorization": sysadmin["token"]}
    )

    assert page.status_code == 200
    assert "Prévisualisation des premiers enregistrements" in page.body
    assert "Pistes cyclables de l&#39;Eurométropole" in page.body
    assert "3 des 3 enregistrements lus seraient moissonnés." in page.body
    _nothing_written()
    # The source page offers it to its editors, not to visitors.
    read = app.get(f"/harvest/{source['name']}", headers={"Authorization": sysadmin["token"]})
    assert f'href="/harvest/{source["name"]}/preview"' in read.body
    assert "/preview" not in app.get(f"/harvest/{source['name']}").body
    assert app.get(f"/harvest/{source['name']}/preview", status=403).status_code == 403
    assert app.get("/harvest/nulle-part/preview", status=404).status_code == 404


def test_the_preview_page_of_a_failing_source_is_a_message_not_a_500(app, server, source):
    server.routes[f"/api/1/organizations/{ORG}/datasets/"] = lambda query, body: Reply(
        200, b"{not json", {"Content-Type": "application/json"}
    )
    sysadmin = factories.SysadminWithToken()

    page = app.get(
        f"/harvest/{source['name']}/preview", headers={"Authorization": sysadmin["token"]}
    )

    assert page.status_code == 200
    assert "a pas pu être lue</strong> : Lecture de la source interrompue : JSON invalide" in (
        page.body
    )


def test_cli_preview_from_the_database(cli, server, source):
    result = cli.invoke(ckan, ["datagrandest", "sources", "preview", source["name"]])

    assert result.exit_code == 0, result.output
    assert f"✓ {PISTES}" in result.output
    assert "page d'origine : https://www.data.gouv.fr/fr/datasets/" in result.output
    assert "3 enregistrement(s) lu(s), 3 seraient moissonnés ; rien n'a été écrit." in (
        result.output
    )
    _nothing_written()


def test_cli_preview_from_a_file_before_any_sync(cli, server, tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(
        textwrap.dedent(
            f"""
            organizations:
              - name: eurometropole
                title: Eurométropole de Strasbourg
            sources:
              - name: ems-data-gouv
                organization: eurometropole
                type: datagrandest_udata
                url: {server.url}
                config:
                  organizations: [{ORG}]
            """
        ),
        encoding="utf-8",
    )

    result = cli.invoke(
        ckan,
        [
            "datagrandest",
            "sources",
            "preview",
            "ems-data-gouv",
            "--file",
            str(path),
            "--limit",
            "1",
        ],
    )

    assert result.exit_code == 0, result.output
    assert f"✓ {PISTES}" in result.output
    assert "1 enregistrement(s) lu(s), 1 seraient moissonnés" in result.output
    _nothing_written()
    assert call_action("organization_list") == []


def test_cli_preview_of_an_unknown_source_says_only_that(cli):
    result = cli.invoke(ckan, ["datagrandest", "sources", "preview", "nulle-part"])

    assert result.exit_code == 1
    assert result.output.strip() == "Error: Source de moissonnage inconnue : nulle-part"


def test_cli_preview_of_a_failing_source_exits_with_the_message(cli, server, source):
    server.routes[f"/api/1/organizations/{ORG}/datasets/"] = lambda query, body: Reply(404, b"", {})

    result = cli.invoke(ckan, ["datagrandest", "sources", "preview", source["name"]])

    assert result.exit_code == 1
    assert "Lecture de la source interrompue" in result.output
    assert "Traceback" not in result.output
