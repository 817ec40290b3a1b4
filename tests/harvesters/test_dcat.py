"""DCAT catalogues harvested with ckanext-dcat's parser and our profile, hydra paging included."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.datagrandest.harvesters import dedup
from ckanext.datagrandest.harvesters.dcat import rdf_format
from demo.replay import ReplayServer, Reply

from . import csw_server
from .conftest import create_source, harvest, source_datasets

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dcat"
EU = "http://publications.europa.eu/resource/authority/"
TURTLE = "text/turtle; charset=utf-8"


@dataclass
class Catalogue:
    """Pages by their ?page= number: (fixture, media type)."""

    pages: dict[str, tuple[str | bytes, str]]
    url: str = ""
    requests: list[str] = field(default_factory=list)

    def __call__(self, query: Mapping[str, str], path: str) -> Reply:
        self.requests.append(path)
        found = self.pages.get(query.get("page", "1"))
        if found is None:
            return Reply(404, b"")
        page, media_type = found
        if isinstance(page, bytes):
            return Reply(200, page, {"Content-Type": media_type})
        base = self.url.rsplit("/catalog", 1)[0]
        body = (FIXTURES / page).read_text(encoding="utf-8").replace("{base}", base)
        return Reply(200, body.encode("utf-8"), {"Content-Type": media_type})


@contextmanager
def serve(pages: dict[str, tuple[str | bytes, str]]) -> Iterator[Catalogue]:
    catalogue = Catalogue(pages)
    with ReplayServer({"/catalog": catalogue}) as server:
        catalogue.url = f"{server.url}/catalog"
        yield catalogue


@pytest.fixture
def org():
    return factories.Organization(name="eurometropole", title="Eurométropole", territories=["67"])


TWO_PAGES = {"1": ("page1.ttl", TURTLE), "2": ("page2.ttl", TURTLE)}


def test_hydra_pages_are_followed_and_mapped_into_our_schema(org):
    with serve(TWO_PAGES) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "ems-dcat")
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert result["gather_errors"] == [] and result["object_errors"] == {}
    assert len(catalogue.requests) == 2
    datasets = {d["title"]: d for d in source_datasets(source["id"]).values()}
    assert len(datasets) == 3
    velo = datasets["Stations de vélos en libre-service de la ville de Strasbourg"]
    assert velo["identifier"] == "https://eurometropole.test/id/velo-stations"
    assert velo["frequency"] == EU + "frequency/DAILY"
    assert velo["theme"] == [EU + "data-theme/TRAN"]
    assert velo["territories"] == ["67482"]  # "de la ville de Strasbourg" in the title
    assert velo["contact"][0]["email"] == "mobilite@eurometropole.test"
    assert velo["resources"][0]["format"] == "CSV"
    assert "extras" not in velo or all(e["key"] != "uri" for e in velo["extras"])
    parkings = datasets["Parkings relais"]
    assert parkings["license_id"] == "other"
    assert parkings["notes"] == "Description non fournie par le catalogue source."
    assert parkings["territories"] == ["67"]  # the publisher's, by default


def test_a_hydra_next_page_looping_back_ends_the_gather_without_losing_or_deleting(org):
    loop = {"1": ("page1.ttl", TURTLE), "2": ("page2_loops.ttl", TURTLE)}
    with serve(TWO_PAGES) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "ems-dcat")
        harvest(source["id"])
        catalogue.pages = loop
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    errors = " ".join(result["gather_errors"])
    assert "boucle" in errors
    assert "aucun jeu de données n'a été retiré" in errors
    # "?page=1" is page 1 under another address: read once more, recognised, not followed.
    assert catalogue.requests[2:] == ["/catalog", "/catalog?page=2", "/catalog?page=1"]
    assert len(source_datasets(source["id"])) == 3


def test_an_xxe_catalogue_is_refused(org):
    with serve({"1": ("xxe.rdf", "application/rdf+xml")}) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "ems-dcat")
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert "DOCTYPE" in " ".join(result["gather_errors"])
    assert source_datasets(source["id"]) == {}


def test_a_json_ld_page_with_a_remote_context_is_refused(org):
    # rdflib would download the context from wherever the page says.
    page = json.dumps([{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "x"}]).encode()
    with serve({"1": (page, "application/ld+json")}) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "src-2")
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert "contexte JSON-LD « http://127.0.0.1:9/context.jsonld » refusé" in " ".join(
        result["gather_errors"]
    )


def test_garbage_is_reported_not_crashed_on(org):
    with serve({"1": ("page1.ttl", "application/rdf+xml")}) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "src-2")
        result = harvest(source["id"])
    assert result["status"] == "Finished"
    assert "XML mal formé" in " ".join(result["gather_errors"])


def test_the_same_dataset_from_a_geocatalogue_and_a_dcat_catalogue_is_one(org):
    with csw_server.serve(csw_server.THREE_PAGES) as csw, serve(TWO_PAGES) as catalogue:
        geo = create_source(csw.url, "datagrandest_csw", {}, org["id"], "geo")
        dcat = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "ems-dcat")
        harvest(geo["id"])
        result = harvest(dcat["id"])
    assert result["object_errors"] == {}
    plu = call_action("package_search", q='identifier:"https://data.test/id/plu-67462"')
    assert plu["count"] == 1
    shown = call_action("package_show", id=plu["results"][0]["id"])
    assert shown["title"] == "Plan local d'urbanisme de la commune de Sélestat"
    assert {s["source_id"] for s in shown[dedup.SOURCES_KEY]} == {geo["id"], dcat["id"]}


@pytest.mark.parametrize(
    ("url", "content_type", "configured", "expected"),
    [
        ("https://x.test/catalog", "text/turtle", None, "turtle"),
        ("https://x.test/catalog.rdf", "", None, "xml"),
        ("https://x.test/catalog.jsonld", "application/octet-stream", None, "json-ld"),
        ("https://x.test/catalog", "text/turtle", "xml", "xml"),
    ],
)
def test_rdf_format(url, content_type, configured, expected):
    assert rdf_format(url, content_type, configured) == expected


def test_a_bad_format_is_refused_in_french(org):
    with pytest.raises(tk.ValidationError) as error:
        create_source(
            "https://x.test/catalog",
            "datagrandest_dcat",
            {"rdf_format": "csv"},
            org["id"],
            "src-2",
        )
    assert "rdf_format" in json.dumps(error.value.error_dict, ensure_ascii=False)


def test_datasets_in_the_wild_are_named_by_their_uri_and_keep_their_publisher(org):
    with serve({"1": ("wild.ttl", TURTLE)}) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "metz")
        result = harvest(source["id"])
        again = harvest(source["id"])
    # The refused blank node counts as one error of the job.
    assert result["stats"] == {"added": 2, "errored": 1}
    # A blank-node dataset without dct:identifier cannot be told apart between two runs.
    (refused,) = result["gather_errors"][:1]
    assert "nœud anonyme sans dct:identifier" in refused and "Jeu sans adresse" in refused
    datasets = source_datasets(source["id"])
    assert set(datasets) == {
        "https://metz.test/dataset/arbres",
        "https://metz.test/dataset/parkings",
    }
    arbres = datasets["https://metz.test/dataset/arbres"]
    assert arbres["identifier"] == "https://metz.test/dataset/arbres"
    assert arbres["url"] == "https://metz.test/pages/arbres"
    assert arbres["publisher"] == [
        {"name": "Metz Métropole", "email": "opendata@metz.test", "identifier": "200039865"}
    ]
    assert arbres["territories"] == ["57463"]  # "Commune de Metz", its dct:spatial label
    assert len(arbres["resources"]) == 2
    parkings = datasets["https://metz.test/dataset/parkings"]
    assert parkings["publisher"] == [
        {"name": "Metz Métropole", "uri": "https://metz.test/org/metz-metropole"}
    ]
    # Blank nodes get new labels at every parse: an unchanged catalogue is "not modified".
    # (The refused node and "nothing withdrawn after an incomplete gather" are the errors.)
    assert again["stats"] == {"not modified": 2, "errored": 2}


def test_blank_node_labels_do_not_reach_the_content_hash():
    from ckanext.datagrandest.harvesters.dcat import without_labels

    first = {"resources": [{"distribution_ref": "Nab12", "url": "u"}], "uri": "Nab13"}
    second = {"resources": [{"distribution_ref": "Nff99", "url": "u"}], "uri": "Nff98"}
    assert without_labels(first, {"Nab12", "Nab13"}) == without_labels(second, {"Nff99", "Nff98"})
    assert without_labels({"title": "Nab12"}, set()) == {"title": "Nab12"}
    # adms:identifier as a blank adms:Identifier: a JSON-encoded list in the extras.
    extra = [{"key": "alternate_identifier", "value": '["Nab12", "ID-7"]'}]
    assert without_labels({"extras": extra}, {"Nab12"}) == {
        "extras": [{"key": "alternate_identifier", "value": '["ID-7"]'}]
    }
    assert without_labels({"notes": "[" * 5000 + "]" * 5000}, {"Nab12"})["notes"][0] == "["


def test_licences_stated_as_words_or_foreign_uris_are_read(org):
    with serve({"1": ("licence_words.ttl", TURTLE)}) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "words")
        result = harvest(source["id"])
    assert result["object_errors"] == {}
    datasets = {d["title"]: d for d in source_datasets(source["id"]).values()}
    assert datasets["Licence en littéral"]["license_id"] == "etalab-2.0"
    assert datasets["Licence dans les droits du jeu"]["license_id"] == "etalab-2.0"
    assert datasets["CC0 par son adresse"]["license_id"] == "cc-zero-1.0"
    assert datasets["Licence décrite par un nœud titré"]["license_id"] == "odc-odbl"
    foreign = datasets["Licence propre à la source"]
    assert (foreign["license_id"], foreign["license_other"]) == (
        "other",
        "https://datos.example.test/egob/catalogo/aviso-legal",
    )
    # The readings are settled into license_id: the rights text is not stored as such.
    assert "rights" not in foreign


# An ArcGIS Hub data.json (DCAT-US 1.1, read with the shipped context): the publisher's
# "name" is skos:prefLabel there, the licence an HTML text naming Etalab's.
HUB_PAGE = {
    "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
    "@type": "dcat:Catalog",
    "dataset": [
        {
            "@type": "dcat:Dataset",
            "identifier": "https://www.arcgis.com/home/item.html?id=abc&sublayer=5",
            "landingPage": "https://hub.example.test/maps/abc_5",
            "title": "Stationnement vélos",
            "description": "<P><SPAN>Emplacements</SPAN></P>",
            "publisher": {"name": "Ville d'Évian-les-Bains"},
            "license": "<DIV><P><SPAN>Soumis à la licence Etalab : "
            "https://www.etalab.gouv.fr/licence-ouverte-open-licence/</SPAN></P></DIV>",
            "distribution": [
                {
                    "@type": "dcat:Distribution",
                    "title": "CSV",
                    "format": "CSV",
                    "mediaType": "text/csv",
                    "accessURL": "https://hub.example.test/api/download/abc/csv",
                }
            ],
        }
    ],
}


def test_a_dcat_us_data_json_keeps_its_publisher_and_licence(org):
    page = json.dumps(HUB_PAGE).encode()
    with serve({"1": (page, "application/json")}) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "hub")
        result = harvest(source["id"])
    assert result["object_errors"] == {} and result["gather_errors"] == []
    (dataset,) = source_datasets(source["id"]).values()
    assert dataset["publisher"] == [{"name": "Ville d'Évian-les-Bains"}]
    assert dataset["license_id"] == "etalab-2.0"


def test_periods_and_places_as_older_profiles_and_data_json_state_them(org):
    with serve({"1": ("periods_places.ttl", TURTLE)}) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "when")
        result = harvest(source["id"])
    assert result["object_errors"] == {}
    datasets = {d["title"]: d for d in source_datasets(source["id"]).values()}
    periods = {title: d.get("temporal_coverage") for title, d in datasets.items()}
    assert periods == {
        "Période schema.org": [{"start": "2016-01-01", "end": "2016-12-05"}],
        "Période OWL-Time": [{"start": "2010-01-01", "end": "2012-06-30"}],
        "Période et lieux en littéraux": [{"start": "2009-09-01", "end": "2010-05-31"}],
    }
    # A theme of the portal's own scheme is read by its label.
    assert datasets["Période schema.org"]["theme"] == [EU + "data-theme/GOVE"]
    places = datasets["Période et lieux en littéraux"]["spatial_coverage"]
    box = [p for p in places if p.get("bbox")]
    assert len(box) == 1 and json.loads(box[0]["bbox"])["coordinates"][0][2] == [6.6069, 46.4028]
    # The name is kept; the unfilled template is no place.
    assert [p["text"] for p in places if p.get("text")] == ["Évian-les-Bains"]


def test_the_licence_is_read_wherever_the_catalogue_states_it(org):
    with serve({"1": ("licences.ttl", TURTLE)}) as catalogue:
        source = create_source(catalogue.url, "datagrandest_dcat", {}, org["id"], "licences")
        result = harvest(source["id"])
    assert result["object_errors"] == {}
    datasets = {d["title"]: d for d in source_datasets(source["id"]).values()}
    assert datasets["Licence sur les distributions"]["license_id"] == "etalab-2.0"
    assert datasets["Licence dans dct:rights"]["license_id"] == "etalab-2.0"
    disagreeing = datasets["Licences contradictoires"]
    assert disagreeing["license_id"] == "other"
    assert "ODbL" in disagreeing["license_other"] or "odbl" in disagreeing["license_other"]
    none = datasets["Sans licence"]
    assert none["license_id"] == "other"
    assert none["license_other"] == "Licence non précisée par le catalogue source."
