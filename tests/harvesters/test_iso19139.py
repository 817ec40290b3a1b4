"""ISO 19139 parsing and mapping: safe XML, and each field of our records into the schema."""

from __future__ import annotations

import json

import pytest

from ckanext.datagrandest.harvesters import iso19139

from .csw_server import fixture

EU = "http://publications.europa.eu/resource/authority/"


def _datasets(name: str) -> dict[str, dict]:
    records = iso19139.records(iso19139.parse_xml(fixture(name)))
    return {iso19139.file_identifier(r): r for r in records}


@pytest.fixture(scope="module")
def records():
    found = {}
    for page in ("page1.xml", "page2.xml", "page3.xml"):
        found.update(_datasets(page))
    return found


@pytest.fixture(scope="module")
def plu(records):
    return iso19139.to_dataset(records["dge-plu-selestat-0001"])


# --- Safe parsing ------------------------------------------------------------------------


def test_a_getrecords_page_gives_its_records():
    assert list(_datasets("page1.xml")) == ["dge-plu-selestat-0001", "dge-atmo-stations-0002"]


def test_malformed_xml_is_refused_with_a_clear_message():
    with pytest.raises(iso19139.ISO19139Error, match="XML mal formé"):
        iso19139.parse_xml(fixture("malformed.xml"))


@pytest.mark.parametrize("content", [b"", b"   \n", None])
def test_an_empty_answer_is_refused(content):
    with pytest.raises(iso19139.ISO19139Error, match="vide"):
        iso19139.parse_xml(content)


def test_an_xxe_payload_is_refused_before_any_entity_is_read():
    with pytest.raises(iso19139.ISO19139Error, match="DOCTYPE") as error:
        iso19139.parse_xml(fixture("xxe.xml"))
    assert "root:" not in str(error.value)


def test_an_entity_expansion_bomb_is_refused():
    with pytest.raises(iso19139.ISO19139Error, match="DOCTYPE"):
        iso19139.parse_xml(fixture("entity_bomb.xml"))


def test_an_external_dtd_is_refused():
    content = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>'
    with pytest.raises(iso19139.ISO19139Error, match="DOCTYPE"):
        iso19139.parse_xml(content)


def test_a_record_roundtrips_through_its_stored_text(records):
    record = records["dge-plu-selestat-0001"]
    again = iso19139.records(iso19139.parse_xml(iso19139.record_xml(record).encode()))
    assert iso19139.to_dataset(again[0]) == iso19139.to_dataset(record)


# --- Mapping of a complete record ------------------------------------------------------------


def test_identity_title_and_description(plu):
    assert plu["guid"] == "dge-plu-selestat-0001"
    assert plu["title"] == "Plan local d'urbanisme de la commune de Sélestat"
    assert plu["notes"].startswith("Zonage, prescriptions")
    # The citation identifier, shared with other catalogues, is what deduplication uses.
    assert plu["identifier"] == "https://data.test/id/plu-67462"
    assert plu["version"] == "Modification n°2"


def test_keywords_become_valid_distinct_tags(plu):
    names = [tag["name"] for tag in plu["tags"]]
    # "URBANISME" repeats "urbanisme"; the apostrophe stays (our tag rule, logic/tags.py), the
    # slash CKAN refuses becomes a space; the INSPIRE keyword becomes a theme instead.
    assert names == ["urbanisme", "Plan local d'urbanisme", "Zonage règlement", "Sélestat"]


def test_inspire_theme_by_uri_gives_eu_themes(plu):
    # INSPIRE "lu" (land use), as GeoDCAT-AP aligns it.
    assert plu["theme"] == [EU + "data-theme/ECON", EU + "data-theme/ENVI"]


def test_dates_language_and_frequency(plu):
    assert plu["issued"] == "2019-06-15"  # publication, not creation
    assert plu["modified"] == "2025-09-30"  # the latest of two revisions
    assert plu["language"] == [EU + "language/FRA"]
    assert plu["frequency"] == EU + "frequency/ANNUAL"


def test_bounding_box_becomes_the_spatial_extent(plu):
    (coverage,) = plu["spatial_coverage"]
    geom = json.loads(coverage["geom"])
    assert geom["type"] == "Polygon"
    assert geom["coordinates"][0][0] == [7.3972, 48.2201]
    assert geom["coordinates"][0][2] == [7.5386, 48.3012]
    assert json.loads(coverage["bbox"]) == geom
    assert json.loads(coverage["centroid"])["coordinates"] == pytest.approx([7.4679, 48.26065])


def test_named_commune_becomes_a_territory(plu):
    assert plu["territories"] == ["67462"]


def test_parties_give_contact_and_publisher(plu):
    assert plu["contact"] == [
        {
            "name": "Service urbanisme de Sélestat",
            "email": "plu@selestat.test",
            "url": "https://www.selestat.test/urbanisme",
        }
    ]
    assert plu["publisher"] == [{"name": "Ville de Sélestat", "email": "urbanisme@selestat.test"}]


def test_licence_access_and_landing_page(plu):
    assert plu["license_id"] == "etalab-2.0"
    assert "license_other" not in plu
    assert plu["access_rights"] == EU + "access-right/PUBLIC"
    assert plu["url"].endswith("catalog.search#/metadata/dge-plu-selestat-0001")


def test_online_resources(plu):
    by_url = {r["url"]: r for r in plu["resources"]}
    assert list(by_url) == [
        "https://geo.selestat.test/telechargement/plu_selestat.zip",
        "https://geo.selestat.test/ows?",
        "https://geo.selestat.test/wfs",
    ]  # intranet (RIE) link and the metadata's own XML view left out
    download = by_url["https://geo.selestat.test/telechargement/plu_selestat.zip"]
    assert download["format"] == "ZIP"
    assert download["is_api"] is False
    assert download["download_url"] == download["url"]
    wms = by_url["https://geo.selestat.test/ows?"]
    assert (wms["format"], wms["is_api"], wms["name"]) == ("WMS_SRVC", True, "plu_zonage (WMS)")
    assert wms["description"] == "Zonage du PLU"
    wfs = by_url["https://geo.selestat.test/wfs"]
    assert (wfs["format"], wfs["is_api"]) == ("WFS_SRVC", True)


# --- Other records: other spellings, gaps and oddities -------------------------------------


def test_topic_categories_odbl_and_open_period(records):
    data = iso19139.to_dataset(records["dge-atmo-stations-0002"])
    assert data["theme"] == [EU + "data-theme/ENVI", EU + "data-theme/HEAL"]
    assert data["license_id"] == "odc-odbl"
    assert data["frequency"] == EU + "frequency/CONT"  # "continual", per GeoDCAT-AP
    assert data["temporal_coverage"] == [{"start": "2010-01-01"}]
    assert data["territories"] == ["44"]  # the "Grand Est" place keyword
    assert data["issued"] == "2021-01-04T08:00:00Z"
    assert "access_rights" not in data
    assert [r["format"] for r in data["resources"]] == ["CSV", "GEOJSON"]
    assert data["resources"][1]["name"] == "stations.geojson"


def test_inspire_label_swapped_bbox_and_unknown_licence(records):
    data = iso19139.to_dataset(records["dge-hydro-68-0003"])
    # "Hydrographie" counts within the INSPIRE thesaurus; "Altitude" outside it is a tag.
    assert data["theme"] == [EU + "data-theme/ENVI", EU + "data-theme/TECH"]
    assert "Altitude" in [t["name"] for t in data["tags"]]
    assert "Hydrographie" not in [t["name"] for t in data["tags"]]
    geom = json.loads(data["spatial_coverage"][0]["geom"])
    assert geom["coordinates"][0][0] == [6.8429, 47.421]  # west and east put back in order
    assert data["spatial_coverage"][0]["text"] == "Haut-Rhin"
    assert data["territories"] == ["68"]
    assert data["license_id"] == "other"
    assert data["license_other"] == "Réutilisation soumise à l'accord préalable de la DDT."
    assert data["modified"] == "2023-04-03"
    assert data["resources"][0]["format"] == "GPKG"
    assert data["publisher"] == [{"name": "DDT du Haut-Rhin"}]


def test_service_found_from_its_url_and_closed_period(records):
    data = iso19139.to_dataset(records["dge-inondation-55-0004"])
    assert data["theme"] == [EU + "data-theme/ENVI"]  # theme URI written as a keyword
    assert data["territories"] == ["55"]  # "du département de la Meuse" in the title
    assert data["temporal_coverage"] == [{"start": "1983-05-01", "end": "2016-06-30"}]
    assert data["issued"] == "2018-11"
    assert data["license_id"] == "etalab-2.0"
    (wms,) = data["resources"]
    assert (wms["format"], wms["is_api"]) == ("WMS_SRVC", True)
    assert "language" not in data


def test_unknown_elements_and_values_are_ignored_not_fatal(records):
    data = iso19139.to_dataset(records["dge-transport-scolaire-88413-0005"])
    assert data["title"].startswith("Arrêts de transport scolaire")
    assert data["notes"] == ""
    for absent in ("issued", "frequency", "theme", "spatial_coverage", "contact", "url"):
        assert absent not in data, absent
    assert data["resources"] == []
    assert data["territories"] == ["88413"]
    assert data["license_id"] == "other"
    assert "non précisée" in data["license_other"]


def test_a_record_without_title_is_refused(records):
    with pytest.raises(iso19139.ISO19139Error, match="titre manquant"):
        iso19139.to_dataset(records["dge-sans-titre-0006"])


def test_a_record_without_identifier_is_refused(records):
    from copy import deepcopy

    record = deepcopy(records["dge-atmo-stations-0002"])
    record.remove(record.find(f"{{{iso19139.NS['gmd']}}}fileIdentifier"))
    with pytest.raises(iso19139.ISO19139Error, match="fileIdentifier"):
        iso19139.to_dataset(record)


def test_only_md_metadata_is_mapped():
    root = iso19139.parse_xml(fixture("exception.xml"))
    assert iso19139.records(root) == []
    with pytest.raises(iso19139.ISO19139Error, match="MD_Metadata"):
        iso19139.to_dataset(root)


def test_long_conditions_are_cut_to_the_schema_limit(records):
    from copy import deepcopy

    record = deepcopy(records["dge-hydro-68-0003"])
    (text,) = record.xpath(".//gmd:useLimitation/gco:CharacterString", namespaces=iso19139.NS)
    text.text = "Conditions de réutilisation très détaillées. " * 40
    data = iso19139.to_dataset(record)
    assert len(data["license_other"]) <= iso19139.LICENSE_OTHER_MAX


# --- The rules, one by one ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "places", "expected"),
    [
        ("Plan local d'urbanisme de la commune de Sélestat", [], ["67462"]),
        ("Voirie de la ville de Metz (57)", [], ["57463"]),
        ("Routes du département du Bas-Rhin", [], ["67"]),
        ("Écoles", ["Strasbourg"], ["67482"]),
        ("Écoles", ["Commune de Strasbourg"], ["67482"]),
        ("Écoles", ["Bas-Rhin, Haut-Rhin"], ["67", "68"]),
        # A name merely mentioned, outside "commune de..." or a place keyword: nothing.
        ("Les écoles de Metz", [], []),
        # Not in Grand Est: nothing.
        ("Plan local d'urbanisme de la commune de Cartigny", ["Somme"], []),
        ("Données", ["France"], []),
    ],
)
def test_territories_are_inferred_only_from_explicit_names(title, places, expected):
    assert iso19139.infer_territories(title, places) == expected


def test_a_name_shared_by_several_territories_is_not_guessed():
    from ckanext.datagrandest import territories

    counts: dict[str, int] = {}
    for territory in territories.territories("commune"):
        key = territories.normalise(territory.name)
        counts[key] = counts.get(key, 0) + 1
    shared = next(name for name, count in counts.items() if count > 1)
    assert iso19139.infer_territories(f"Cadastre de la commune de {shared}", [shared]) == []


SEVERAL_FORMATS = """<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"
    xmlns:gco="http://www.isotc211.org/2005/gco">
  <gmd:fileIdentifier><gco:CharacterString>parcs-0001</gco:CharacterString></gmd:fileIdentifier>
  <gmd:identificationInfo><gmd:MD_DataIdentification>
    <gmd:citation><gmd:CI_Citation>
      <gmd:title><gco:CharacterString>Parcs</gco:CharacterString></gmd:title>
    </gmd:CI_Citation></gmd:citation>
    <gmd:abstract><gco:CharacterString>Parcs naturels.</gco:CharacterString></gmd:abstract>
  </gmd:MD_DataIdentification></gmd:identificationInfo>
  <gmd:distributionInfo><gmd:MD_Distribution>
    {formats}
    <gmd:transferOptions><gmd:MD_DigitalTransferOptions>
      {links}
    </gmd:MD_DigitalTransferOptions></gmd:transferOptions>
  </gmd:MD_Distribution></gmd:distributionInfo>
</gmd:MD_Metadata>"""


def _format(name: str) -> str:
    return (
        "<gmd:distributionFormat><gmd:MD_Format><gmd:name><gco:CharacterString>"
        f"{name}</gco:CharacterString></gmd:name></gmd:MD_Format></gmd:distributionFormat>"
    )


def _link(url: str, function: str = "", protocol: str = "") -> str:
    return (
        f"<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>{url}</gmd:URL>"
        "</gmd:linkage>"
        + (
            f"<gmd:protocol><gco:CharacterString>{protocol}</gco:CharacterString></gmd:protocol>"
            if protocol
            else ""
        )
        + (
            f'<gmd:function><gmd:CI_OnLineFunctionCode codeListValue="{function}"/></gmd:function>'
            if function
            else ""
        )
        + "</gmd:CI_OnlineResource></gmd:onLine>"
    )


def _formats_of(formats: list[str], links: list[str]) -> list[dict]:
    page = SEVERAL_FORMATS.format(
        formats="".join(_format(f) for f in formats), links="".join(links)
    )
    return iso19139.to_dataset(iso19139.parse_xml(page.encode()))["resources"]


def test_one_download_link_for_several_stated_formats_names_them_all_and_guesses_none():
    # ckanext-spatial's iso19139 dataset: ESRI Shapefile, KML and GML, one link whose
    # online function is "download" (no protocol).
    (resource,) = _formats_of(
        ["ESRI Shapefile", "KML", "GML"], [_link("https://gw.example.test/f?p=101", "download")]
    )
    assert "format" not in resource
    assert resource["download_url"] == "https://gw.example.test/f?p=101"
    assert resource["description"] == "Formats proposés : ESRI Shapefile, KML, GML"


def test_several_formats_and_several_downloads_are_not_guessed():
    resources = _formats_of(
        ["ESRI Shapefile", "KML"],
        [
            _link("https://gw.example.test/a", protocol="WWW:DOWNLOAD-1.0-http--download"),
            _link("https://gw.example.test/b", protocol="WWW:DOWNLOAD-1.0-http--download"),
        ],
    )
    assert [r.get("format") for r in resources] == [None, None]
    # A web page is no file, whatever the record's formats.
    (page,) = _formats_of(
        ["ESRI Shapefile", "KML"], [_link("https://ex.test/", protocol="WWW:LINK")]
    )
    assert page.get("format") is None and "description" not in page
