"""The score in DCAT (DQV measurements) and the cached DCAT-AP validation of each dataset."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from ckanext.datagrandest.quality import compliance

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

DQV = Namespace("http://www.w3.org/ns/dqv#")
QUALITY = Namespace("https://www.datagrandest.fr/ns/qualite#")
SHAPES = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "shacl"
DCAT_AP_301 = SHAPES / "dcat-ap-3.0.1"

# A shape of our own for the failing case: every dataset must state a period.
NEEDS_TEMPORAL = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<urn:test:shape> a sh:NodeShape ; sh:targetClass dcat:Dataset ;
  sh:property [ sh:path dct:temporal ; sh:minCount 1 ;
                sh:message "Période obligatoire pour ce test" ] .
"""


def make_dataset(**fields: Any) -> dict[str, Any]:
    org = factories.Organization(
        name="ville-de-nancy", title="Ville de Nancy", body_kind="commune", territories=["54395"]
    )
    data = {
        "name": "jeu-dqv",
        "title": "Jeu DQV",
        "notes": "Un jeu de données pour la mesure de qualité.",
        "owner_org": org["id"],
        "license_id": "etalab-2.0",
        "tag_string": "test",
        "resources": [{"url": "https://example.org/a.csv", "format": "CSV"}],
        **fields,
    }
    return call_action("package_create", {"user": factories.Sysadmin()["name"]}, **data)


def measurements(turtle: str, dataset_uri: str) -> dict[str, Any]:
    g = Graph().parse(data=turtle, format="turtle")
    found = {}
    for node in g.objects(URIRef(dataset_uri), DQV.hasQualityMeasurement):
        assert (node, RDF.type, DQV.QualityMeasurement) in g
        metric = g.value(node, DQV.isMeasurementOf)
        assert (metric, RDF.type, DQV.Metric) in g
        value = g.value(node, DQV.value)
        assert isinstance(value, Literal)
        found[str(metric).rsplit("#", 1)[1]] = value
    return found


def test_the_dataset_export_carries_its_score_as_dqv_measurements(app):
    dataset = make_dataset()
    shown = call_action("package_show", id=dataset["id"])["datagrandest_quality"]
    turtle = app.get(f"/dataset/{dataset['name']}.ttl").body
    found = measurements(turtle, f"http://test.ckan.net/dataset/{dataset['id']}")
    assert set(found) == {
        "score",
        "grade",
        "findability",
        "accessibility",
        "interoperability",
        "reusability",
        "contextuality",
    }
    assert found["score"].datatype == XSD.integer
    assert int(found["score"]) == shown["score"]
    assert str(found["grade"]) == shown["grade_label"]
    dimensions = ("findability", "accessibility", "interoperability", "reusability")
    assert sum(int(found[k]) for k in (*dimensions, "contextuality")) == shown["score"]
    # A catalogue page carries none (scoring 100 datasets a page cost 1.5x the stock profile),
    # but it still lists the dataset.
    catalogue = app.get("/catalog.ttl").body
    dataset_uri = f"http://test.ckan.net/dataset/{dataset['id']}"
    assert dataset_uri in catalogue
    assert measurements(catalogue, dataset_uri) == {}


@pytest.fixture
def own_shape(tmp_path: Path, ckan_config: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "needs-temporal.ttl"
    path.write_text(NEEDS_TEMPORAL, encoding="utf-8")
    monkeypatch.setitem(ckan_config, "ckanext.datagrandest.quality.shacl_shapes", str(path))


@pytest.mark.usefixtures("own_shape")
def test_a_violation_costs_the_30_points_until_the_dataset_is_fixed():
    dataset = make_dataset()
    assert call_action("package_show", id=dataset["id"])["datagrandest_quality"]["dcat_ap"] is None
    result = compliance.refresh(dataset["id"])
    assert result is not None and not result.conforms
    assert result.violations == ["temporal : Période obligatoire pour ce test"]
    quality = call_action("package_show", id=dataset["id"])["datagrandest_quality"]
    assert quality["dcat_ap"] == {
        "conforms": False,
        "violations": ["temporal : Période obligatoire pour ce test"],
        "current": True,
    }
    by_key = {i["key"]: i for i in quality["indicators"]}
    assert by_key["dcat_ap_compliance"]["earned"] == 0
    assert by_key["dcat_ap_compliance"]["fix"].startswith("Corrigez")
    # The editor adds the period: the stored result is stale until revalidated.
    call_action(
        "package_patch",
        {"user": factories.Sysadmin()["name"]},
        id=dataset["id"],
        temporal_coverage=[{"start": "2020-01-01", "end": "2020-12-31"}],
    )
    stale = call_action("package_show", id=dataset["id"])["datagrandest_quality"]["dcat_ap"]
    assert stale["current"] is False and stale["conforms"] is False
    assert compliance.refresh(dataset["id"]).conforms  # what the queued job runs
    quality = call_action("package_show", id=dataset["id"])["datagrandest_quality"]
    assert quality["dcat_ap"]["current"] and quality["dcat_ap"]["conforms"]
    assert {i["key"]: i["earned"] for i in quality["indicators"]}["dcat_ap_compliance"] == 30
    indexed = call_action("package_search", fq=f"id:{dataset['id']}")["results"]
    assert indexed, "refresh reindexes the dataset"


@pytest.mark.usefixtures("own_shape")
def test_each_write_queues_a_revalidation():
    from ckan.lib import jobs

    jobs.get_queue().empty()
    dataset = make_dataset()
    titles = [job.meta.get("title") or "" for job in jobs.get_queue().jobs]
    assert any(dataset["id"] in t and "validation DCAT-AP" in t for t in titles)


def test_the_official_dcat_ap_shapes_find_our_export_compliant(ckan_config, monkeypatch):
    if not DCAT_AP_301.is_dir():
        reason = f"DCAT-AP 3.0.1 shapes not found in {DCAT_AP_301.resolve()}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    files = " ".join(
        str(DCAT_AP_301 / name)
        for name in ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")
    )
    monkeypatch.setitem(ckan_config, "ckanext.datagrandest.quality.shacl_shapes", files)
    dataset = make_dataset(
        theme=["http://publications.europa.eu/resource/authority/data-theme/ENVI"]
    )
    result = compliance.refresh(dataset["id"])
    assert result is not None
    assert result.conforms, result.violations


def test_quality_validate_cli_says_what_is_wrong(cli, ckan_config, monkeypatch, tmp_path):
    from ckan.cli.cli import ckan

    dataset = make_dataset()
    off = cli.invoke(ckan, ["datagrandest", "quality", "validate", "--dataset", dataset["name"]])
    assert off.exit_code != 0 and "Validation DCAT-AP désactivée" in off.output
    missing = tmp_path / "absent.ttl"
    monkeypatch.setitem(ckan_config, "ckanext.datagrandest.quality.shacl_shapes", str(missing))
    broken = cli.invoke(ckan, ["datagrandest", "quality", "validate", "--dataset", dataset["id"]])
    assert broken.exit_code != 0
    assert f"Formes SHACL illisibles ({missing})" in broken.output
    assert "Traceback" not in broken.output
    good = tmp_path / "needs-temporal.ttl"
    good.write_text(NEEDS_TEMPORAL, encoding="utf-8")
    monkeypatch.setitem(ckan_config, "ckanext.datagrandest.quality.shacl_shapes", str(good))
    ran = cli.invoke(ckan, ["datagrandest", "quality", "validate", "--dataset", dataset["id"]])
    assert ran.exit_code == 0, ran.output
    assert f"{dataset['id']} : non conforme" in ran.output
    unknown = cli.invoke(ckan, ["datagrandest", "quality", "validate", "--dataset", "inconnu"])
    assert unknown.exit_code != 0 and "Jeu de données introuvable : inconnu" in unknown.output
