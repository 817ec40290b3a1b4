"""The harvest pages speak French (ckanext-harvest ships no French: our catalogue covers it)."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories

from demo.replay import ReplayServer, udata_routes

from .conftest import create_source, harvest, load_fixture

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ORG = "strasbourg-eurometropole"

# English texts of ckanext-harvest's pages (labels, buttons, titles, tooltips, statuses).
ENGLISH = (
    "Harvest Sources",
    "harvest found",
    "Frequency",
    "datagrandest_udata",
    "Add Harvest Source",
    "harvest source found",
    "harvest sources found",
    "There is no description",
    "There are no datasets associated",
    "Create Harvest Source",
    "Harvest sources allow importing",
    "This should include the http",
    "Source type",
    "Update frequency",
    "No organization",
    "Manual",
    "Reharvest",
    "Clear",
    "View harvest source",
    "Last Harvest Job",
    "View full job report",
    "Dashboard",
    "Jobs",
    "Harvest Jobs",
    "Job:",
    "Started",
    "Finished",
    "Not yet",
    "Job Report",
    "Back to job list",
    "No errors for this job",
    "Error Summary",
    "errors",
    "added",
    "updated",
    "deleted",
    "not modified",
    "Delete all harvest jobs",
    "Start a new harvesting job",
    "Datasets",
    "read more",
    "Skip to main content",
    "Profile settings",
    "Search Datasets",
)


@pytest.fixture
def source(org):
    with ReplayServer() as replay:
        catalogue = {ORG: load_fixture("udata/strasbourg-eurometropole.json")}
        replay.routes.update(udata_routes(lambda: replay.url, catalogue))
        created = create_source(
            replay.url, "datagrandest_udata", {"organizations": [ORG]}, org["id"], "ems-udata"
        )
        result = harvest(created["id"])
        assert result["status"] == "Finished"
        yield created, result


@pytest.fixture
def sysadmin():
    return factories.SysadminWithToken()


def _text(body: str) -> str:
    """What a reader sees: the text of the page, plus its tooltips and button titles."""
    soup = BeautifulSoup(body, "html.parser")
    for hidden in soup(["script", "style", "head"]):
        hidden.decompose()
    titles = " ".join(str(tag["title"]) for tag in soup.find_all(title=True))
    return " ".join(soup.get_text(" ").split()) + " " + titles


def _english_left(text: str) -> list[str]:
    return [phrase for phrase in ENGLISH if re.search(rf"\b{re.escape(phrase)}\b", text)]


def _get(app, url, sysadmin):
    page = app.get(url, headers={"Authorization": sysadmin["token"]})
    assert page.status_code == 200, url
    return _text(page.body)


def test_the_harvest_pages_are_in_french(app, source, sysadmin):
    created, _ = source
    name = created["name"]
    job = app.get(f"/harvest/{name}/job", headers={"Authorization": sysadmin["token"]}).body
    job_id = re.search(rf"/harvest/{name}/job/([0-9a-f-]{{36}})", job).group(1)
    expected = {
        "/harvest/": [
            "Sources de moissonnage",
            "1 source de moissonnage trouvée",
            "Fréquence de moissonnage",
            "data.gouv.fr (udata)",
        ],
        "/harvest/new": [
            "Créer une source de moissonnage",
            "Type de source",
            "Fréquence de moissonnage",
            "Manuelle",
        ],
        f"/harvest/{name}": ["Jeux de données", "Prévisualiser", "Administrateur"],
        f"/harvest/about/{name}": ["À propos"],
        f"/harvest/admin/{name}": [
            "Dernière tâche de moissonnage",
            "Moissonner à nouveau",
            "Vider",
            "Tâches",
            "3 ajoutés",
            "0 inchangés",
        ],
        f"/harvest/{name}/job": ["Tâches de moissonnage", "Commencée :", "Terminée :"],
        f"/harvest/{name}/job/{job_id}": [
            "Rapport de la tâche",
            "Retour à la liste des tâches",
            "Aucune erreur pour cette tâche",
            "Terminée",
        ],
        f"/harvest/edit/{name}": ["Type de source", "Supprimer"],
    }
    for url, french in expected.items():
        text = _get(app, url, sysadmin)
        assert [f for f in french if f not in text] == [], (url, text)
        assert _english_left(text) == [], url


def test_the_source_page_counts_its_datasets_in_french(app, source, sysadmin):
    created, result = source
    assert result["stats"]["added"] == 3

    body = app.get(f"/harvest/{created['name']}", headers={"Authorization": sysadmin["token"]}).body

    assert re.search(r"<dt>Jeux de données</dt>\s*<dd>3</dd>", body)
    for name in ("pistes-cyclables", "qualite-de-l-eau", "lycees"):
        assert f'href="/dataset/{name}' in body
    assert "Aucun jeu de données" not in body


def test_the_english_pages_stay_english(app, source, sysadmin):
    created, _ = source

    text = _get(app, f"/en/harvest/admin/{created['name']}", sysadmin)

    assert "Reharvest" in text and "Last Harvest Job" in text
