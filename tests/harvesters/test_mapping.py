"""A source's words mapped onto ours (harvesters/mapping.py), with values real portals send."""

from __future__ import annotations

import pytest
from ckan.logic.validators import tag_length_validator

from ckanext.datagrandest import vocabularies
from ckanext.datagrandest.harvesters import mapping, places
from ckanext.datagrandest.logic.tags import datagrandest_tag_name

EU = "http://publications.europa.eu/resource/authority/"
THEME = EU + "data-theme/"
FREQUENCY = EU + "frequency/"
LANGUAGE = EU + "language/"

# Every frequency value udata documents (udata/core/dataset/constants.py UPDATE_FREQUENCIES).
UDATA_FREQUENCIES = (
    "punctual continuous hourly fourTimesADay threeTimesADay semidaily daily fourTimesAWeek "
    "threeTimesAWeek semiweekly weekly biweekly threeTimesAMonth semimonthly monthly bimonthly "
    "quarterly threeTimesAYear semiannual annual biennial triennial quinquennial irregular unknown"
).split()
# ISO 19115 MD_MaintenanceFrequencyCode, every value of the code list.
ISO_FREQUENCIES = (
    "continual daily weekly fortnightly monthly quarterly biannually annually asNeeded "
    "irregular notPlanned unknown semimonthly biennially periodic"
).split()
# ISO 19115 MD_TopicCategoryCode, every value of the 2003 code list.
TOPIC_CATEGORIES = (
    "farming biota boundaries climatologyMeteorologyAtmosphere economy elevation environment "
    "geoscientificInformation health imageryBaseMapsEarthCover intelligenceMilitary "
    "inlandWaters location oceans planningCadastre society structure transportation "
    "utilitiesCommunication"
).split()


# --- formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "code"),
    [
        # The values of issue 9 that got whole records refused.
        ("GTFS", "GTFS"),
        ("SHP (L93)", "SHP"),
        ("KMZ", "KMZ"),
        ("netcdf4", "NETCDF"),
        ("CSV LonLat", "CSV"),
        # Labels, codes and names of other portals.
        ("csv", "CSV"),
        ("GeoJSON", "GEOJSON"),
        ("geojson", "GEOJSON"),
        ("ESRI Shapefile", "SHP"),
        ("shapefile", "SHP"),
        ("Esri Shape", "SHP"),
        ("MapInfo TAB", "TAB"),
        ("TAB", "TAB"),
        ("MapInfo MIF/MID", "MIF_MID"),
        ("xlsx", "XLSX"),
        ("Excel XLS", "XLS"),
        ("XLS", "XLS"),
        ("ods", "ODS"),
        ("PDF", "PDF"),
        ("ZIP", "ZIP"),
        ("json", "JSON"),
        ("JSON-LD", "JSON_LD"),
        ("RDF/XML", "RDF_XML"),
        ("Turtle", "RDF_TURTLE"),
        ("WMS", "WMS_SRVC"),
        ("OGC:WFS", "WFS_SRVC"),
        ("wmts", "WMTS_SRVC"),
        ("GeoTIFF", "GEOTIFF"),
        ("tif", "TIFF"),
        ("jpg", "JPEG"),
        ("GPKG", "GPKG"),
        ("GML 3.2", "GML"),
        ("KML v2.2", "KML"),
        ("Shapefile zippé", "SHP"),
        ("GeoJSON [WGS84]", "GEOJSON"),
        ("csv (zip)", "CSV"),
        # Media types, with parameters and as IANA URIs.
        ("text/csv", "CSV"),
        ("text/csv; charset=utf-8", "CSV"),
        ("application/vnd.ms-excel", "XLS"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
        ("application/zip", "ZIP"),
        ("application/json", "JSON"),
        ("application/geo+json", "GEOJSON"),
        ("application/vnd.google-earth.kmz", "KMZ"),
        ("application/x-shapefile", "SHP"),
        ("https://www.iana.org/assignments/media-types/text/csv", "CSV"),
        # Extensions and EU URIs.
        (".csv", "CSV"),
        (".geojson", "GEOJSON"),
        (EU + "file-type/PDF", "PDF"),
        ("https://publications.europa.eu/resource/authority/file-type/CSV", "CSV"),
    ],
)
def test_formats_real_portals_send(declared, code):
    result = mapping.map_format(declared)
    assert result.values == (code,), declared
    assert result.recognised
    assert result.original == declared
    assert mapping.warning("format", result) is None


@pytest.mark.parametrize("declared", ["Format maison", "Texte de loi", "XYZW", "données brutes"])
def test_an_unknown_format_is_kept_as_given_and_said(declared):
    result = mapping.map_format(declared)
    assert result.values == (declared,)
    assert not result.recognised
    assert mapping.warning("format", result) == f"format non reconnu : {declared}"


def test_a_declared_format_wins_over_the_url():
    # What the source says stays, even when the address looks like something else.
    assert mapping.map_format("Format maison", url="https://x.test/a.csv").values == (
        "Format maison",
    )
    assert mapping.map_format("XLSX", url="https://x.test/a.csv").value == "XLSX"


@pytest.mark.parametrize(
    ("url", "media_type", "code"),
    [
        ("https://x.test/files/budget.csv", None, "CSV"),
        ("https://x.test/files/Budget%202024.XLSX?download=1", None, "XLSX"),
        ("https://x.test/archive.tar.gz", None, "TAR_GZ"),
        ("https://x.test/export.geojson#map", None, "GEOJSON"),
        ("https://x.test/api/records", "application/json", "JSON"),
        ("https://x.test/api/records", "text/csv; charset=utf-8", "CSV"),
    ],
)
def test_without_a_declared_format_the_media_type_then_the_url_tell(url, media_type, code):
    result = mapping.map_format(None, url=url, media_type=media_type)
    assert result.values == (code,)
    assert result.recognised


@pytest.mark.parametrize("url", ["https://x.test/dataset/42", "not a url", "", None, 42])
def test_no_format_and_no_hint_is_nothing_to_say(url):
    result = mapping.map_format("", url=url)
    assert result.values == ()
    assert result.recognised
    assert mapping.warning("format", result) is None


@pytest.mark.parametrize("declared", ["api", "API", "Web service", "REST API"])
def test_an_api_is_no_file_format(declared):
    assert mapping.is_api_format(declared)
    result = mapping.map_format(declared)
    assert (result.values, result.recognised) == ((), True)


def test_is_api_format_is_false_for_formats():
    assert not mapping.is_api_format("CSV")
    assert not mapping.is_api_format(None)


def test_a_long_unknown_format_is_cut_to_fit_the_field():
    result = mapping.map_format("x" * 300)
    assert len(result.values[0]) == 100
    assert not result.recognised


def test_every_mapped_format_is_a_file_type_of_the_vocabulary():
    for declared in ["GTFS", "SHP (L93)", "KMZ", "netcdf4", "CSV LonLat", "MapInfo TAB"]:
        assert vocabularies.concept("file-type", mapping.map_format(declared).value)


# --- languages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("en", "ENG"),
        ("es", "SPA"),
        ("FRE", "FRA"),
        ("fre", "FRA"),
        ("fra", "FRA"),
        ("fr", "FRA"),
        ("FR", "FRA"),
        ("ger", "DEU"),
        ("deu", "DEU"),
        ("de", "DEU"),
        ("dut", "NLD"),
        ("lb", "LTZ"),
        ("ltz", "LTZ"),
        ("gsw", "GSW"),
        ("chi", "ZHO"),
        ("cmn", "CMN"),
        ("fr-FR", "FRA"),
        ("fr_FR", "FRA"),
        ("de-CH", "DEU"),
        ("http://id.loc.gov/vocabulary/iso639-1/fr", "FRA"),
        ("http://id.loc.gov/vocabulary/iso639-2/fre", "FRA"),
        ("https://id.loc.gov/vocabulary/iso639-2/ger", "DEU"),
        ("http://lexvo.org/id/iso639-3/eng", "ENG"),
        (LANGUAGE + "ITA", "ITA"),
        ("https://publications.europa.eu/resource/authority/language/ITA", "ITA"),
        ("ITA", "ITA"),
        ("français", "FRA"),
        ("Francais", "FRA"),
        ("French", "FRA"),
        ("Anglais", "ENG"),
        ("allemand", "DEU"),
        ("German", "DEU"),
        ("Alsacien", "GSW"),
    ],
)
def test_languages_real_catalogues_send(value, code):
    result = mapping.map_language(value)
    assert result.values == (LANGUAGE + code,), value
    assert result.recognised


@pytest.mark.parametrize("value", ["xx", "elfique", "http://id.loc.gov/vocabulary/iso639-1/zz"])
def test_an_unknown_language_is_dropped_and_said(value):
    result = mapping.map_language(value)
    assert (result.values, result.recognised) == ((), False)
    assert mapping.warning("language", result) == f"langue non reconnue : {value}"


def test_several_languages_in_one_text_or_a_list():
    found = mapping.map_languages("fre; eng")
    assert [m.value for m in found] == [LANGUAGE + "FRA", LANGUAGE + "ENG"]
    found = mapping.map_languages(["fr", "xx", ""])
    assert [m.value for m in found] == [LANGUAGE + "FRA", None]
    assert mapping.warnings("language", found) == ["langue non reconnue : xx"]
    assert mapping.map_languages(None) == []


# --- frequencies ---------------------------------------------------------------------------


def test_every_udata_frequency_maps_to_our_vocabulary():
    for value in UDATA_FREQUENCIES:
        result = mapping.map_frequency(value)
        assert result.recognised, value
        assert vocabularies.concept("frequency", result.value), value
    assert mapping.frequency_uri("continuous") == FREQUENCY + "CONT"
    assert mapping.frequency_uri("semiannual") == FREQUENCY + "ANNUAL_2"
    assert mapping.frequency_uri("punctual") == FREQUENCY + "NEVER"
    assert mapping.frequency_uri("semidaily") == FREQUENCY + "DAILY_2"
    assert mapping.frequency_uri("threeTimesAYear") == FREQUENCY + "ANNUAL_3"
    assert mapping.frequency_uri("quinquennial") == FREQUENCY + "QUINQUENNIAL"
    # Finer than the EU table: "other", not a wrong neighbour.
    assert mapping.frequency_uri("fourTimesADay") == FREQUENCY + "OTHER"


def test_every_iso_maintenance_frequency_maps_as_geodcat_ap_says():
    expected = {
        "continual": "CONT",
        "daily": "DAILY",
        "weekly": "WEEKLY",
        "fortnightly": "BIWEEKLY",
        "monthly": "MONTHLY",
        "quarterly": "QUARTERLY",
        "biannually": "ANNUAL_2",
        "annually": "ANNUAL",
        "asNeeded": "AS_NEEDED",
        "irregular": "IRREG",
        "notPlanned": "NOT_PLANNED",
        "unknown": "UNKNOWN",
        "semimonthly": "MONTHLY_2",
        "biennially": "BIENNIAL",
        "periodic": "OTHER",
    }
    assert set(expected) == set(ISO_FREQUENCIES)
    for code, eu in expected.items():
        assert mapping.frequency_uri(code) == FREQUENCY + eu, code
    inspire = "http://inspire.ec.europa.eu/metadata-codelist/MaintenanceFrequency/annually"
    assert mapping.frequency_uri(inspire) == FREQUENCY + "ANNUAL"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("http://purl.org/cld/freq/irregular", "IRREG"),
        ("http://purl.org/cld/freq/monthly", "MONTHLY"),
        ("https://purl.org/cld/freq/threeTimesAWeek", "WEEKLY_3"),
        ("http://purl.org/cld/freq/continuous", "CONT"),
        (FREQUENCY + "MONTHLY", "MONTHLY"),
        ("https://publications.europa.eu/resource/authority/frequency/ANNUAL", "ANNUAL"),
        ("MONTHLY", "MONTHLY"),
        ("AS_NEEDED", "AS_NEEDED"),
        ("mensuel", "MONTHLY"),
        ("Mensuelle", "MONTHLY"),
        ("annuelle", "ANNUAL"),
        ("Annuel", "ANNUAL"),
        ("tous les jours", "DAILY"),
        ("Quotidienne", "DAILY"),
        ("hebdomadaire", "WEEKLY"),
        ("weekly", "WEEKLY"),
        ("Yearly", "ANNUAL"),
        ("temps réel", "CONT"),
        ("Temps réel", "CONT"),
        ("irrégulière", "IRREG"),
        ("Trimestrielle", "QUARTERLY"),
        ("semestriel", "ANNUAL_2"),
        ("tous les 15 jours", "BIWEEKLY"),
        ("selon les besoins", "AS_NEEDED"),
        ("Mise à jour continue", "UPDATE_CONT"),
        ("aucune", "NEVER"),
        ("Inconnue", "UNKNOWN"),
        ("Tous les cinq ans", "QUINQUENNIAL"),
        # udata's French label of "punctual" (published once); the adverb says "now and then".
        ("Ponctuelle", "NEVER"),
        ("ponctuellement", "IRREG"),
    ],
)
def test_frequencies_in_uris_codes_and_free_text(value, code):
    result = mapping.map_frequency(value)
    assert result.values == (FREQUENCY + code,), value
    assert result.recognised


@pytest.mark.parametrize("value", ["tous les mardis", "http://purl.org/cld/freq/sometimes", "42"])
def test_an_unknown_frequency_is_dropped_and_said(value):
    result = mapping.map_frequency(value)
    assert (result.values, result.recognised) == ((), False)
    assert mapping.warning("frequency", result) == f"fréquence non reconnue : {value}"
    assert mapping.frequency_uri(value) is None


def test_no_frequency_is_nothing_to_say():
    for value in (None, "", "  "):
        result = mapping.map_frequency(value)
        assert (result.values, result.recognised) == ((), True)


# --- themes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "codes"),
    [
        ("Transports", ["TRAN"]),
        ("Mobilité - Transport", ["TRAN"]),
        ("Culture, Sports", ["EDUC"]),
        ("Éducation, culture et sport", ["EDUC"]),
        ("Economy and finance", ["ECON"]),
        (["Agriculture", "Énergies"], ["AGRI", "ENER"]),
        ("Administration, Gouvernement, Finances publiques, Citoyenneté", ["GOVE", "ECON"]),
        # Whole words only: these merely start like a theme word.
        ("Climatisation des bâtiments publics", []),
        ("Socialisme municipal", []),
        ("Équipements sportifs", ["EDUC"]),
        ("ENVI", ["ENVI"]),
        (THEME + "HEAL", ["HEAL"]),
    ],
)
def test_themes_match_whole_words_or_whole_eu_labels(labels, codes):
    assert mapping.theme_uris(labels) == [THEME + code for code in codes]


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        # INSPIRE theme URIs (http or https, with a language suffix), GeoDCAT-AP's alignment.
        ("http://inspire.ec.europa.eu/theme/tn", ["TRAN"]),
        ("https://inspire.ec.europa.eu/theme/tn", ["TRAN"]),
        ("http://inspire.ec.europa.eu/theme/tn/tn.fr", ["TRAN"]),
        ("http://inspire.ec.europa.eu/theme/hy", ["ENVI", "TECH"]),
        ("http://inspire.ec.europa.eu/theme/cp", ["ECON", "REGI"]),
        ("http://inspire.ec.europa.eu/theme/au", ["GOVE"]),
        # INSPIRE theme labels, French and English.
        ("Réseaux de transport", ["TRAN"]),
        ("Hydrography", ["ENVI", "TECH"]),
        ("Usage des sols", ["ECON", "ENVI"]),
        # ISO topic categories, through the INSPIRE alignment.
        ("transportation", ["TRAN"]),
        ("farming", ["AGRI"]),
        ("inlandWaters", ["ENVI", "TECH"]),
        ("structure", ["ECON", "ENVI", "REGI"]),
        # A theme word wins over the topic category of the same spelling.
        ("economy", ["ECON"]),
        ("environment", ["ENVI"]),
    ],
)
def test_inspire_themes_and_topic_categories(value, codes):
    result = mapping.map_theme(value)
    assert sorted(result.values) == sorted(THEME + code for code in codes), value
    assert result.recognised


@pytest.mark.parametrize(
    "value", ["Ma super thématique", "http://inspire.ec.europa.eu/theme/zz", "intelligenceMilitary"]
)
def test_an_unknown_theme_gives_no_theme_and_is_said(value):
    result = mapping.map_theme(value)
    assert (result.values, result.recognised) == ((), False)
    assert mapping.warning("theme", result) == f"thème non reconnu : {value}"


def test_several_themes_flatten_without_repeats():
    found = mapping.map_themes(["Transports", "Mobilité", "Inconnu au bataillon", None])
    assert len(found) == 3
    assert mapping.theme_values(found) == [THEME + "TRAN"]
    assert mapping.warnings("theme", found) == ["thème non reconnu : Inconnu au bataillon"]


def test_keywords_name_a_theme_only_whole():
    words = ["Transports", "Hydrographie", "eau potable", "transportation", "Plan de mobilité"]
    # "eau potable" and "Plan de mobilité" merely contain a theme word; a topic category
    # code is no keyword.
    assert mapping.keyword_themes(words) == [THEME + "TRAN", THEME + "ENVI", THEME + "TECH"]
    assert mapping.keyword_themes("Santé") == [THEME + "HEAL"]
    assert mapping.keyword_themes([None, ""]) == []
    assert mapping.map_theme("eau potable", whole=True).values == ()


def test_every_topic_category_and_inspire_theme_points_at_our_themes():
    mapped = [t for t in TOPIC_CATEGORIES if mapping.map_theme(t).values]
    # intelligenceMilitary has no INSPIRE counterpart in the alignment.
    assert set(TOPIC_CATEGORIES) - set(mapped) == {"intelligenceMilitary"}
    assert len(mapping.INSPIRE_LABELS) == 34
    for code in mapping.INSPIRE_LABELS:
        themes = vocabularies.inspire_theme_data_themes(code)
        assert themes, code
        assert all(vocabularies.theme_uri(theme) for theme in themes)


def test_iso_themes_prefer_inspire_then_topic_categories():
    assert mapping.iso_themes(["tn"], ["health"]) == [THEME + "TRAN"]
    assert mapping.iso_themes([], ["health", "transportation"]) == [THEME + "HEAL", THEME + "TRAN"]
    assert mapping.iso_themes([], ["intelligenceMilitary"]) == []


def test_an_inspire_label_counts_only_within_an_inspire_thesaurus():
    assert mapping.inspire_theme_code("Sols", None, "GEMET - INSPIRE themes, version 1.0") == "so"
    assert mapping.inspire_theme_code("Sols", None, "Mots-clés libres") is None
    assert mapping.inspire_theme_code("x", "http://inspire.ec.europa.eu/theme/hy", "") == "hy"


# --- licences ------------------------------------------------------------------------------


def test_licences_are_recognised_by_our_ids_uris_and_labels():
    for item in vocabularies.licenses():
        if item.id == "other":
            continue
        assert mapping.license_fields(item.id) == {"license_id": item.id}
        assert mapping.license_fields(item.uri) == {"license_id": item.id}, item.uri
        for text in item.labels.values():
            assert mapping.license_fields(text) == {"license_id": item.id}, text


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        # URIs: with or without trailing slash, https or http, deed pages, 1-0 or 1.0.
        ("https://www.etalab.gouv.fr/licence-ouverte-open-licence", "etalab-2.0"),
        ("http://www.etalab.gouv.fr/licence-ouverte-open-licence/", "etalab-2.0"),
        (
            "https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf",
            "etalab-2.0",
        ),
        ("http://opendatacommons.org/licenses/odbl/1.0/", "odc-odbl"),
        ("https://opendatacommons.org/licenses/odbl/1-0/", "odc-odbl"),
        ("https://creativecommons.org/licenses/by/4.0/deed.fr", "cc-by-4.0"),
        ("http://creativecommons.org/licenses/by/4.0", "cc-by-4.0"),
        ("https://creativecommons.org/licenses/by-sa/4.0/legalcode", "cc-by-sa-4.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "cc-zero-1.0"),
        # EU licence authority table.
        (EU + "licence/CC_BY_4_0", "cc-by-4.0"),
        (EU + "licence/ETALAB_2_0", "etalab-2.0"),
        ("https://publications.europa.eu/resource/authority/licence/ODC_BL/", "odc-odbl"),
        ("CC0", "cc-zero-1.0"),
        # SPDX ids.
        ("CC-BY-4.0", "cc-by-4.0"),
        ("CC-BY-SA-4.0", "cc-by-sa-4.0"),
        ("ODbL-1.0", "odc-odbl"),
        ("etalab-2.0", "etalab-2.0"),
        ("Etalab-2.0", "etalab-2.0"),
        ("CC0-1.0", "cc-zero-1.0"),
        # udata and CKAN ids.
        ("fr-lo", "etalab-2.0"),
        ("lov2", "etalab-2.0"),
        ("odc-odbl", "odc-odbl"),
        ("cc-by", "cc-by-4.0"),
        ("cc-by-sa", "cc-by-sa-4.0"),
        ("cc-zero", "cc-zero-1.0"),
        # Titles and free text, French and English.
        ("Licence Ouverte Version 2.0", "etalab-2.0"),
        ("Licence Ouverte v2.0 (Etalab)", "etalab-2.0"),
        ("Licence Ouverte", "etalab-2.0"),
        ("Open Licence 2.0", "etalab-2.0"),
        ("Licence Ouverte 1.0 http://www.data.gouv.fr/Licence-Ouverte-Open-Licence.", "etalab-2.0"),
        # Names Etalab's licence; the compatibility note is no second licence (issue 9).
        ("Licence Ouverte / Open License (compatible ODC-BY, CC-BY 2.0)", "etalab-2.0"),
        ("Open Database License (ODbL)", "odc-odbl"),
        ("ODbL 1.0", "odc-odbl"),
        ("ODbL", "odc-odbl"),
        ("CC-BY-SA 4.0", "cc-by-sa-4.0"),
        ("Creative Commons BY 4.0", "cc-by-4.0"),
        ("Creative Commons Attribution 4.0 International", "cc-by-4.0"),
        ("Creative Commons Attribution - Partage dans les mêmes conditions 4.0", "cc-by-sa-4.0"),
        ("domaine public", "cc-zero-1.0"),
    ],
)
def test_remote_licences(remote, expected):
    result = mapping.map_license(remote)
    assert result.values == (expected,), remote
    assert result.recognised
    assert mapping.license_fields(remote) == {"license_id": expected}


@pytest.mark.parametrize(
    ("remote", "name"),
    [
        ("CC-BY 2.0", "Creative Commons Attribution 2.0 Générique"),
        ("http://creativecommons.org/licenses/by/3.0/", "Creative Commons Attribution 3.0"),
        ("CC BY-SA 3.0", "Partage dans les Mêmes Conditions 3.0"),
        ("odc-by", "Open Data Commons Attribution License v1.0"),
        ("PDDL", "Public Domain Dedication and License"),
        ("CC BY-NC 4.0", "Pas d’Utilisation Commerciale 4.0"),
        (EU + "licence/EUPL_1_2", "Licence publique de l'Union européenne v. 1.2"),
        ("other-at", "Autre licence (attribution)"),
    ],
)
def test_a_licence_we_do_not_list_is_other_with_its_name(remote, name):
    result = mapping.map_license(remote)
    assert result.values == ("other",)
    assert result.recognised
    assert name in result.text
    fields = mapping.license_dict(result)
    assert fields["license_id"] == "other"
    assert name in fields["license_other"]


def test_an_unknown_licence_keeps_its_text_and_is_said():
    result = mapping.map_license("Licence maison de la ville")
    assert (result.values, result.recognised) == (("other",), False)
    assert mapping.license_dict(result) == {
        "license_id": "other",
        "license_other": "Licence maison de la ville",
    }
    assert mapping.warning("license", result) == "licence non reconnue : Licence maison de la ville"


def test_no_licence_stated():
    assert mapping.license_fields("notspecified") == {
        "license_id": "other",
        "license_other": "Licence non précisée par la source (notspecified).",
    }
    assert mapping.map_license("notspecified").values == ()
    assert mapping.license_fields("  ") == {}
    assert mapping.license_fields(None) == {}


def test_a_long_licence_text_is_cut_to_the_field():
    result = mapping.map_license("Conditions particulières. " * 50)
    assert len(mapping.license_dict(result)["license_other"]) == mapping.LICENSE_OTHER_MAX


def test_readings_that_agree_or_are_empty_give_the_licence():
    etalab = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    settled = mapping.settle_license(["", None, "etalab-2.0", etalab, "notspecified"])
    assert (settled.values, settled.recognised) == (("etalab-2.0",), True)
    # A dataset without a licence whose distributions carry one takes it.
    settled = mapping.settle_license([None, "http://opendatacommons.org/licenses/odbl/1.0/"])
    assert settled.value == "odc-odbl"
    # dct:rights naming a licence counts; one naming none does not.
    settled = mapping.settle_license(
        [None], rights=["Pas de restriction d'accès public", "Licence Ouverte Version 2.0"]
    )
    assert settled.value == "etalab-2.0"


def test_readings_that_disagree_give_other_with_their_texts_never_a_guess():
    settled = mapping.settle_license(["odc-odbl", "etalab-2.0"])
    assert settled.values == ("other",)
    assert not settled.recognised
    fields = mapping.license_dict(settled)
    assert fields["license_id"] == "other"
    assert "ODbL" in fields["license_other"] and "Licence Ouverte" in fields["license_other"]
    assert mapping.warning("license", settled).startswith("licences contradictoires")
    # A recognised licence and an unknown text disagree too.
    settled = mapping.settle_license(["etalab-2.0", "Licence maison"])
    assert settled.values == ("other",)
    assert "Licence maison" in settled.text


def test_only_conditions_and_no_licence():
    settled = mapping.settle_license([], rights=["Usage interne uniquement"])
    assert (settled.values, settled.recognised) == (("other",), False)
    assert settled.text == "Usage interne uniquement"
    assert mapping.settle_license([None, ""], rights=[]).values == ()


# --- tags ----------------------------------------------------------------------------------


def test_tags_keep_accents_and_apostrophes_as_our_schema_accepts():
    words = ["Qualité de l'air", "qualité de l’air", "Santé", "Équipements", "dʼeau", "l`été"]
    # Every apostrophe is the ASCII one: the typographic spelling is the same tag.
    assert mapping.clean_tags(words) == [
        "Qualité de l'air",
        "Santé",
        "Équipements",
        "d'eau",
        "l'été",
    ]
    assert mapping.clean_tags(["'Guillemets simples'", "l'"]) == ["Guillemets simples"]
    for tag in mapping.clean_tags(words):
        assert datagrandest_tag_name(tag, {}) == tag
        assert tag_length_validator(tag, {}) == tag


def test_tags_are_cleaned_bounded_and_deduplicated():
    words = ["Eau/Assainissement", "eau assainissement", "x", "https://example.org/k", "a" * 150]
    assert mapping.clean_tags(words) == ["Eau Assainissement", "a" * 100]
    assert mapping.clean_tags("transport, mobilité; vélo") == ["transport", "mobilité", "vélo"]
    assert mapping.clean_tags(["C++ & co", "  -_.  ", None, 42]) == ["C co", "42"]
    assert mapping.tag_list(["Budget", "budget"]) == [{"name": "Budget"}]
    for tag in mapping.clean_tags(['Rés. "écoles" <primaires>', "100%", "a/b\\c", "x" * 101]):
        datagrandest_tag_name(tag, {})
        tag_length_validator(tag, {})


# --- places and dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "code"),
    [
        ("fr:commune:57463", "57463"),
        ("fr:commune:57463@1942-01-01", "57463"),
        ("fr:departement:57", "57"),
        ("fr:region:44", "44"),
        ("fr:departement:44", None),  # Loire-Atlantique, not our région 44
        ("fr:epci:200039865", "200039865"),
        ("fr:commune:75056", None),  # Paris: not in Grand Est
        ("country:fr", None),
        ("", None),
        (None, None),
    ],
)
def test_udata_zones(zone, code):
    assert places.zone_code(zone) == code


def test_date_only():
    assert mapping.date_only("2024-03-01T10:00:00+01:00") == "2024-03-01"
    assert mapping.date_only("mars 2024") is None
    assert mapping.date_only(None) is None
