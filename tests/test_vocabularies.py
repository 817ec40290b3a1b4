"""The vocabulary API shared by the schema, the DCAT profile and the harvesters."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

from ckanext.datagrandest import vocabularies as v

EU = "http://publications.europa.eu/resource/authority/"
ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "scripts" / "vocabularies" / "build_vocabularies.py"
REFERENCE = ROOT.parent / "shared" / "reference" / "vocabularies"


def test_the_thirteen_eu_themes_with_french_and_english_labels():
    themes = v.themes()
    assert [t.code for t in themes] == [
        "AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL",
        "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN",
    ]  # fmt: skip
    assert all(t.uri == f"{EU}data-theme/{t.code}" for t in themes)
    assert all(t.labels["fr"] and t.labels["en"] for t in themes)
    assert v.theme_label(f"{EU}data-theme/ENVI") == "Environnement"
    assert v.theme_label("envi", "en_GB") == "Environment"


def test_codes_uris_and_https_uris_designate_the_same_concept():
    uri = f"{EU}frequency/MONTHLY"
    assert v.frequency_uri("MONTHLY") == uri
    assert v.frequency_uri(uri) == uri
    assert v.frequency_uri(uri.replace("http://", "https://")) == uri
    assert v.frequency_label("monthly") == "Mensuelle"


@pytest.mark.parametrize("code", ["FRA", "DEU", "ENG"])
def test_the_languages_of_the_region_are_there(code):
    assert v.language_uri(code) == f"{EU}language/{code}"


def test_access_rights():
    assert [c.code for c in v.access_rights()] == [
        "PUBLIC", "RESTRICTED", "NON_PUBLIC", "CONFIDENTIAL", "SENSITIVE",
    ]  # fmt: skip
    assert v.access_right_uri("public") == f"{EU}access-right/PUBLIC"


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("CSV", "CSV"),
        ("csv", "CSV"),
        (".csv", "CSV"),
        ("text/csv", "CSV"),
        ("GeoJSON", "GEOJSON"),
        ("application/geo+json", "GEOJSON"),
        ("Shapefile", "SHP"),
        ("ESRI Shapefile", "SHP"),
        ("xlsx", "XLSX"),
        ("WMS", "WMS_SRVC"),
        ("wfs_srvc", "WFS_SRVC"),
        (f"{EU}file-type/PDF", "PDF"),
    ],
)
def test_file_type_spellings(spelling, code):
    assert v.file_type_code(spelling) == code
    assert v.file_type_uri(spelling) == f"{EU}file-type/{code}"


def test_file_type_media_types():
    assert v.file_type_media_type("GEOJSON") == "application/geo+json"
    assert v.file_type_media_type("WMS_SRVC") is None


def test_licences_and_their_uris():
    assert v.license_ids() == [
        "etalab-2.0", "odc-odbl", "cc-by-4.0", "cc-by-sa-4.0", "cc-zero-1.0", "other",
    ]  # fmt: skip
    assert v.license_uri("etalab-2.0") == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert v.license_uri("odc-odbl") == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert v.license_uri("other") is None
    assert v.license_label("other", "en") == "Other licence (stated by the publisher)"


@pytest.mark.parametrize("odd", ["", "MAGIE", None, 42, ["ENVI"]])
def test_unknown_values_give_none_or_themselves(odd):
    assert v.theme_uri(odd) is None
    assert v.file_type_code(odd) is None
    assert v.license_uri(odd) is None
    assert v.theme_label(odd) == (odd if isinstance(odd, str) else str(odd))


def test_scheming_choices_carry_both_languages():
    choices = v.choices("frequency")
    assert choices[0]["value"].startswith(f"{EU}frequency/")
    assert set(choices[0]["label"]) == {"fr", "en"}
    assert v.choices("file-type")[0]["value"] == "CSV"


# --- the complete EU tables ------------------------------------------------------------------


def test_the_complete_tables_are_there():
    document = json.loads(v.VOCABULARIES_PATH.read_text("utf-8"))
    assert document["counts"] == {
        "data-theme": 13,
        "frequency": 40,
        "file-type": 226,
        "language": 8178,
        "access-right": 6,
        "licence": 158,
        "hvd-category": 96,
        "publisher-type": 11,
        "mappings.inspire-theme": 34,
        "mappings.topic-category": 18,
        "mappings.maintenance-frequency": 15,
        "mappings.cld-frequency": 17,
        "mappings.media-type": 162,
        "mappings.extension": 211,
    }
    # Deprecated concepts stay findable (their URIs remain valid) but are not offered.
    assert len(v.file_types()) == 222
    assert len(v.languages()) == 8174
    assert v.concept("access-right", "NORMAL").deprecated
    assert "NORMAL" not in [c.code for c in v.access_rights()]
    assert v.uri("file-type", "FMX2") == f"{EU}file-type/FMX2"
    # The OP's "provisional data" concept is no theme, format or language of ours.
    for name in v.VOCABULARIES:
        assert v.concept(name, "OP_DATPRO") is None


def test_the_generated_file_says_where_it_comes_from():
    document = json.loads(v.VOCABULARIES_PATH.read_text("utf-8"))
    assert document["command"].startswith("make vocabularies")
    assert "2011/833/EU" in document["rights"] and "EUPL 1.2" in document["rights"]
    versions = {source["file"]: source.get("version") for source in document["sources"]}
    assert versions["eu-file-type_20250319-0_skos.rdf"] == "20250319-0"
    assert versions["eu-language_20220928-0.ttl"] == "20220928-0"
    assert versions["eu-hvd-category_v2.1_skos-xl.rdf"] == "2.1"
    assert len(document["sources"]) == 14


def test_the_generated_file_matches_the_reference_tables_it_names():
    if not REFERENCE.is_dir():
        pytest.skip(f"{REFERENCE} is absent: the generated file is checked where it is built")
    document = json.loads(v.VOCABULARIES_PATH.read_text("utf-8"))
    for source in document["sources"]:
        digest = hashlib.sha256((REFERENCE / source["file"]).read_bytes()).hexdigest()
        assert digest[:16] == source["sha256"], source["file"]


def test_languages_carry_their_iso_codes():
    french = v.concept("language", "FRA")
    assert french.iso == ("fr", "fre", "fra", "fra")
    assert french.labels == {"fr": "Français", "en": "French"}
    assert v.concept("language", "DEU").iso == ("de", "ger", "deu", "deu")
    assert v.concept("language", "GSW").label("fr") == "Alsacien, alémanique"
    # ISO 639-3-only languages have a label too (their autonym).
    assert all(c.labels["fr"] and c.labels["en"] for c in v.languages())


def test_frequencies_include_the_newer_codes_of_the_eu_table():
    codes = [c.code for c in v.frequencies()]
    assert codes[:2] == ["CONT", "UPDATE_CONT"]
    assert codes[-2:] == ["UNKNOWN", "OTHER"]
    for code in ("AS_NEEDED", "NOT_PLANNED", "1MIN", "WEEKLY_5", "DAILY_2", "QUINQUENNIAL"):
        assert code in codes
    assert v.frequency_label("AS_NEEDED") == "Selon les besoins"
    assert v.frequency_label("AS_NEEDED", "en") == "As needed"


def test_file_types_know_media_types_and_extensions():
    shp = v.concept("file-type", "SHP")
    assert ".shp" in shp.extensions and "application/x-shapefile" in shp.media_types
    assert v.media_type_file_type("application/vnd.ms-excel") == "XLS"
    assert v.media_type_file_type("https://www.iana.org/assignments/media-types/text/csv") == "CSV"
    assert v.media_type_file_type("application/octet-stream") is None  # says nothing
    assert v.extension_file_type(".json") == "JSON"
    assert v.extension_file_type("tar.gz") == "TAR_GZ"
    assert v.extension_file_type("") is None
    # Services have no file media type; our resource mimetype stays empty for them.
    for code in ("WMS_SRVC", "WFS_SRVC", "WMTS_SRVC", "REST"):
        assert v.file_type_media_type(code) is None, code
    assert v.file_type_label("GTFS") == "GTFS (horaires de transport)"


def test_geodcat_ap_alignments():
    assert v.inspire_theme_data_themes("tn") == ("TRAN",)
    assert v.inspire_theme_data_themes("TN") == ("TRAN",)
    assert v.inspire_theme_data_themes("zz") == ()
    assert v.topic_category_inspire_themes("transportation") == ("tn",)
    # economy has only related matches; they are used when nothing else is there.
    assert v.topic_category_inspire_themes("economy") == ("er", "mr")
    assert v.topic_category_inspire_themes("planningCadastre") == ("cp",)
    assert v.topic_category_inspire_themes("intelligenceMilitary") == ()
    assert v.iso_frequency_code("continual") == "CONT"
    assert v.iso_frequency_code("notPlanned") == "NOT_PLANNED"
    assert v.iso_frequency_code("sometimes") is None


def test_licences_hvd_categories_and_publisher_types():
    assert len(v.eu_licences()) == 158
    etalab = v.eu_licence(f"{EU}licence/ETALAB_2_0")
    assert etalab is not None and etalab.short_names == ("Etalab-2.0",)
    assert (
        v.eu_licence("https://publications.europa.eu/resource/authority/licence/CC0/") is not None
    )
    assert v.eu_licence("NO_SUCH") is None
    categories = v.hvd_categories()
    top = [c for c in categories if not c.broader]
    assert len(categories) == 96 and len(top) == 6
    assert all(c.uri.startswith("http://data.europa.eu/bna/c_") for c in categories)
    kinds = {c.code: c for c in v.publisher_types()}
    assert len(kinds) == 11
    assert kinds["LocalAuthority"].uri == "http://purl.org/adms/publishertype/LocalAuthority"
    assert kinds["LocalAuthority"].label("fr") == "Collectivité locale"


# --- the choices the forms offer -----------------------------------------------------------


def test_file_type_choices_offer_the_common_formats_first_then_the_whole_table():
    choices = v.choices("file-type")
    values = [c["value"] for c in choices]
    assert values[:6] == ["CSV", "XLSX", "XLS", "ODS", "JSON", "GEOJSON"]
    assert len(values) == len(set(values)) == 222
    assert {"GTFS", "KMZ", "NETCDF", "TAB", "WMS_SRVC"} <= set(values)
    assert all(v.concept("file-type", value) for value in values)


def test_language_choices_are_a_human_sized_list_of_valid_uris():
    choices = v.choices("language")
    values = [c["value"] for c in choices]
    assert values[:3] == [f"{EU}language/{code}" for code in ("FRA", "DEU", "ENG")]
    assert len(values) == 31
    assert all(v.concept("language", value) for value in values)
    labels = {c["label"]["fr"] for c in choices}
    assert {"Français", "Allemand", "Luxembourgeois", "Alsacien, alémanique"} <= labels
    # The form offers 31; validation still knows every language of the table.
    assert v.language_uri("TLH") == f"{EU}language/TLH"


def test_every_other_vocabulary_offers_its_current_concepts():
    for name in ("data-theme", "frequency", "access-right"):
        values = [c["value"] for c in v.choices(name)]
        assert values == [c.uri for c in v.concepts(name)], name
    assert len(v.choices("frequency")) == 40


# --- the generator -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("build_vocabularies", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_resolves_shared_media_types_and_extensions(generator):
    chosen, ambiguous = generator.resolve(
        {
            "application/zip": ["GTFS", "ZIP", "DWCA"],  # our preference
            ".tab": ["TAB", "TAB_RSTR", "TSV"],  # the code the extension spells
            ".kmz": ["KMZ"],  # the only one
            ".foo": ["AAA", "BBB"],  # nothing tells: left out and reported
            "application/octet-stream": ["BIN", "EXE"],  # says nothing: left out
        },
        {"text/csv": "CSV"},
    )
    assert chosen == {
        ".kmz": "KMZ",
        ".tab": "TAB",
        "application/zip": "ZIP",
        "text/csv": "CSV",
    }
    assert ambiguous == [".foo: AAA BBB"]


def test_generator_refuses_a_missing_source(generator, tmp_path, capsys):
    assert generator.main(["--source", str(tmp_path), "--output", str(tmp_path / "x.json")]) == 2
    assert "missing in" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_generator_dump_is_stable_and_valid_json(generator):
    document = {"about": "x", "data-theme": [{"code": "A", "fr": "é", "en": "e"}], "mappings": {}}
    text = generator.dump(document)
    assert json.loads(text) == document
    assert generator.dump(document) == text
    assert '"fr": "é"' in text  # UTF-8, not escapes
