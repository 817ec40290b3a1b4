"""Sources as code: `ckan datagrandest sources sync` and `sources harvest`, on real files."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from ckan.cli.cli import ckan
from ckan.tests.helpers import call_action

from ckanext.datagrandest import sources
from ckanext.datagrandest.territories import normalise
from demo.replay import ReplayServer, udata_routes

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

UDATA_DATASET = {
    "id": "65a1b2c3d4e5f60718293a4b",
    "slug": "budget-region",
    "title": "Budget de la Région",
    "description": "Budget primitif.",
    "page": "https://www.data.gouv.fr/fr/datasets/budget-region/",
    "license": "lov2",
    "tags": [],
    "resources": [],
    "spatial": {"zones": ["fr:region:44"], "granularity": "fr:region"},
}


def _source_names():
    found = call_action("package_search", fq="dataset_type:harvest", rows=100)
    return {s["name"] for s in found["results"]}


def _write(tmp_path, text):
    path = tmp_path / "sources.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _file(url):
    return f"""
    organizations:
      - name: region-grand-est
        title: Région Grand Est
        body_kind: region
        territories: ["44"]
    sources:
      - name: region-data-gouv
        title: Région Grand Est — data.gouv.fr
        organization: region-grand-est
        type: datagrandest_udata
        url: {url}
        organization_search: Région Grand Est
      - name: region-ods
        organization: region-grand-est
        type: datagrandest_ods
        url: {url}
        config: {{}}
    """


def test_sync_creates_then_changes_nothing_then_updates(cli, tmp_path):
    with ReplayServer() as server:
        server.routes.update(
            udata_routes(lambda: server.url, {"region-grand-est": [UDATA_DATASET]})
        )
        path = _write(tmp_path, _file(server.url))

        first = cli.invoke(ckan, ["datagrandest", "sources", "sync", "--file", str(path)])
        second = cli.invoke(ckan, ["datagrandest", "sources", "sync", "--file", str(path)])
        path.write_text(path.read_text().replace("config: {}", "config: {where: 'x'}"))
        third = cli.invoke(ckan, ["datagrandest", "sources", "sync", "--file", str(path)])
        harvested = cli.invoke(
            ckan, ["datagrandest", "sources", "harvest", "region-data-gouv", "--file", str(path)]
        )

    assert first.exit_code == 0, first.output
    # the search text is resolved and printed for the admin to confirm
    assert "« Région Grand Est » → region-grand-est" in first.output
    assert "à confirmer" in first.output
    assert "[1/3] organisation region-grand-est : créée" in first.output
    assert "source region-data-gouv créée" in first.output
    source = call_action("harvest_source_show", id="region-data-gouv")
    assert json.loads(source["config"])["organizations"] == ["region-grand-est"]
    assert second.exit_code == 0 and "Rien à changer" in second.output
    assert third.exit_code == 0 and "source region-ods mise à jour (config)" in third.output
    assert harvested.exit_code == 0, harvested.output
    assert "region-data-gouv : ajoutés 1" in harvested.output
    assert call_action("package_show", id="budget-region")["title"] == "Budget de la Région"


def test_harvest_of_an_unknown_source_names_it_and_runs_nothing(cli, tmp_path):
    with ReplayServer() as server:
        server.routes.update(
            udata_routes(lambda: server.url, {"region-grand-est": [UDATA_DATASET]})
        )
        path = _write(tmp_path, _file(server.url))
        assert (
            cli.invoke(ckan, ["datagrandest", "sources", "sync", "--file", str(path)]).exit_code
            == 0
        )
        result = cli.invoke(
            ckan, ["datagrandest", "sources", "harvest", "region-data-gouv", "sans-nom"]
        )

    assert result.exit_code == 1
    assert "source de moissonnage inconnue : sans-nom" in result.output
    assert "aucun moissonnage lancé" in result.output
    assert "Traceback" not in result.output
    # the known source named with it was not harvested either
    assert call_action("harvest_source_show", id="region-data-gouv")["status"]["job_count"] == 0


def test_unresolvable_search_skips_that_entry_only(cli, tmp_path):
    with ReplayServer() as server:
        server.routes.update(udata_routes(lambda: server.url, {}))  # no organization matches
        path = _write(tmp_path, _file(server.url))
        result = cli.invoke(ckan, ["datagrandest", "sources", "sync", "--file", str(path)])

    assert result.exit_code == 0, result.output
    assert "impossible de résoudre « Région Grand Est »" in result.output
    assert "entrée ignorée" in result.output
    assert _source_names() == {"region-ods"}


def test_bad_file_names_each_wrong_entry_and_changes_nothing(cli, tmp_path):
    path = _write(
        tmp_path,
        """
        organizations:
          - name: region-grand-est
            title: Région Grand Est
        sources:
          - name: bonne
            organization: region-grand-est
            type: datagrandest_ods
            url: https://data.example.org
          - name: type-inconnu
            organization: region-grand-est
            type: datagrandest_ftp
            url: https://data.example.org
          - name: sans-url
            organization: region-grand-est
            type: datagrandest_ods
          - name: bonne
            organization: region-grand-est
            type: datagrandest_ods
            url: https://autre.example.org
        """,
    )

    result = cli.invoke(ckan, ["datagrandest", "sources", "sync", "--file", str(path)])

    assert result.exit_code != 0
    assert "sources[1] (type-inconnu) : type inconnu « datagrandest_ftp »" in result.output
    assert "sources[2] (sans-url) : « url » manquante" in result.output
    assert "sources[3] (bonne) : nom « bonne » en double" in result.output
    assert "rien n'a été modifié" in result.output
    assert call_action("organization_list") == []
    assert _source_names() == set()


def test_the_real_sources_file_syncs_offline(cli):
    # The network is closed here: the two entries named by search text cannot be resolved
    # and are skipped; every other entry applies.
    result = cli.invoke(ckan, ["datagrandest", "sources", "sync"])

    assert result.exit_code == 0, result.output
    assert result.output.count("entrée ignorée") == 2
    assert _source_names() >= {
        "strasbourg-opendatasoft",
        "strasbourg-data-gouv",
        "mulhouse-opendatasoft",
        "mulhouse-data-gouv",
    }
    strasbourg = call_action("harvest_source_show", id="strasbourg-data-gouv")
    assert strasbourg["url"] == "https://www.data.gouv.fr"
    assert '"strasbourg-eurometropole"' in strasbourg["config"]
    org = call_action("organization_show", id="eurometropole-de-strasbourg")
    assert org["siren"] == "246700488" and org["territories"] == ["246700488"]


def test_the_real_sources_file_is_valid():
    loaded = sources.load(sources.DEFAULT_PATH)
    names = {s["name"] for s in loaded.sources}
    assert names >= {
        "strasbourg-opendatasoft",
        "strasbourg-data-gouv",
        "mulhouse-opendatasoft",
        "mulhouse-data-gouv",
        "region-grand-est-data-gouv",
        "prefecture-grand-est-data-gouv",
    }
    assert {s["type"] for s in loaded.sources} >= {"datagrandest_udata", "datagrandest_ods"}


def _ods_file(entries):
    sources_yaml = "".join(
        f"""
          - name: {name}
            organization: region-grand-est
            type: datagrandest_ods
            url: {url}
            config: {config}"""
        for name, url, config in entries
    )
    return f"""
        organizations:
          - name: region-grand-est
            title: Région Grand Est
        sources:{sources_yaml}
        """


def _sync(cli, tmp_path, entries):
    path = _write(tmp_path, _ods_file(entries))
    return cli.invoke(ckan, ["datagrandest", "sources", "sync", "--file", str(path)])


def test_two_entries_with_the_same_address_and_config_are_refused_up_front(cli, tmp_path):
    # ckanext-harvest refuses the second one ("There already is a Harvest Source for this
    # URL"): before the check, the first entries were created and the command crashed.
    result = _sync(
        cli,
        tmp_path,
        [
            ("premiere", "https://data.example.org/", "{}"),
            ("autre", "https://autre.example.org", "{}"),
            ("doublon", "https://data.example.org:443?x=1", "{}"),
        ],
    )
    assert result.exit_code != 0
    assert (
        "sources[2] (doublon) : même adresse (https://data.example.org) et même configuration "
        "que sources[0] (premiere)"
    ) in result.output
    assert "rien n'a été modifié" in result.output
    assert "Traceback" not in result.output
    assert call_action("organization_list") == []
    assert _source_names() == set()


def test_the_same_address_with_another_config_is_accepted(cli, tmp_path):
    result = _sync(
        cli,
        tmp_path,
        [
            ("ods-region", "https://data.example.org", '{"where": "publisher = \\"Région\\""}'),
            ("ods-ville", "https://data.example.org", '{"where": "publisher = \\"Ville\\""}'),
        ],
    )
    assert result.exit_code == 0, result.output
    assert _source_names() == {"ods-region", "ods-ville"}


def test_an_entry_clashing_with_a_source_already_in_the_database_is_refused(cli, tmp_path):
    first = _sync(cli, tmp_path, [("existante", "https://data.example.org", "{}")])
    assert first.exit_code == 0, first.output
    organizations = call_action("organization_list")

    # A second file that no longer lists "existante" but adds a source at its address.
    result = _sync(
        cli,
        tmp_path,
        [
            ("nouvelle-a", "https://b.example.org", "{}"),
            ("nouvelle", "https://data.example.org/", "{}"),
        ],
    )

    assert result.exit_code != 0
    assert (
        "sources[1] (nouvelle) : la source « existante » déjà enregistrée a la même adresse "
        "(https://data.example.org) et la même configuration"
    ) in result.output
    assert call_action("organization_list") == organizations
    assert _source_names() == {"existante"}


def test_an_entry_may_keep_its_own_address_when_the_file_is_synced_again(cli, tmp_path):
    entries = [("existante", "https://data.example.org", "{}")]
    assert _sync(cli, tmp_path, entries).exit_code == 0
    again = _sync(cli, tmp_path, entries)
    assert again.exit_code == 0, again.output
    assert "Rien à changer" in again.output


# How Géo-IDE names the State's services in Grand Est (issue 9): the Moselle and Bas-Rhin
# DDTs without their number, the others with it and their full name, the DREAL and a variant.
GEO_IDE_NAMES = {
    "DDT 08 (Direction Départementale des Territoires des Ardennes)": "ddt-ardennes",
    "DDT 10 (Direction Départementale des Territoires de l'Aube)": "ddt-aube",
    "DDT 51 (Direction Départementale des Territoires de la Marne)": "ddt-marne",
    "DDT 52 (Direction Départementale des Territoires de la Haute-Marne)": "ddt-haute-marne",
    "DDT 54 (Direction Départementale des Territoires de Meurthe-et-Moselle)": (
        "ddt-meurthe-et-moselle"
    ),
    "DDT 55 (Direction Départementale des Territoires de la Meuse)": "ddt-meuse",
    "DDT de la Moselle": "ddt-moselle",
    "DDT du Bas-Rhin": "ddt-bas-rhin",
    "DDT 68 (Direction Départementale des Territoires du Haut-Rhin)": "ddt-haut-rhin",
    "DDT 88 (Direction Départementale des Territoires des Vosges)": "ddt-vosges",
    "DREAL Grand Est (Direction Régionale de l'Environnement, de l'Aménagement et du "
    "Logement Grand Est)": "dreal-grand-est",
    "DREAL Grand-Est": "dreal-grand-est",
}


def _like(pattern: str, text: str) -> bool:
    """CSW PropertyIsLike as our client sends it: %value% unless the value has a %."""
    pattern = pattern if "%" in pattern else f"%{pattern}%"
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, flags=re.IGNORECASE | re.DOTALL) is not None


def test_geo_ide_filter_and_routing_follow_how_geo_ide_names_the_services():
    loaded = sources.load(sources.DEFAULT_PATH)
    geo_ide = next(s for s in loaded.sources if s["name"] == "geo-ide-etat-grand-est")
    patterns = geo_ide["config"]["organisation_like"]
    assert not {"DDT 57", "DDT 67"} & set(patterns)  # forms Géo-IDE never writes
    titles = {normalise(o["title"]): o["name"] for o in loaded.organizations}
    aliases = {normalise(k): v for k, v in geo_ide["config"]["publisher_aliases"].items()}
    org_names = {o["name"] for o in loaded.organizations}
    assert set(aliases.values()) <= org_names
    for name, org in GEO_IDE_NAMES.items():
        assert any(_like(p, name) for p in patterns), name
        assert (titles.get(normalise(name)) or aliases.get(normalise(name))) == org, name
    # Services of the State elsewhere in France stay out.
    for other in (
        "DDT 21 (Direction Départementale des Territoires de la Côte-d'Or)",
        "DREAL Bretagne",
        "DDT de la Meurthe",
    ):
        assert not any(_like(p, other) for p in patterns), other
