"""The home page, the About page, the site texts and the publisher pages, as a browser gets them."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.datagrandest import home

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "fresh_home")

EDUC = "http://publications.europa.eu/resource/authority/data-theme/EDUC"

# What CKAN shows when a portal is not configured, in English and in its French catalogue.
PLACEHOLDERS = (
    "Welcome to CKAN",
    "Bienvenue sur CKAN",
    "This is a nice introductory paragraph",
    "Ceci est un paragraphe d",
    "This is a featured section",
    "Ceci est une section sélectionnée",
    "placeholder-420x220",
    "420 x 220",
    "placeholder-organization",
    "CKAN is the world",
    "CKAN est la principale",
    'placeholder="Text on home page"',
    'placeholder="About page text"',
    "CKAN instance",
)


@pytest.fixture
def fresh_home(ckan_config, monkeypatch):
    # Blocks computed right after a change are kept at once: the tests read the index after
    # CKAN's synchronous Solr commit, never during it.
    monkeypatch.setitem(ckan_config, "ckanext.datagrandest.home.cache_settle_seconds", 0)
    # clean_db empties the tables without CKAN's hooks: say the catalogue changed.
    home.catalogue_changed()
    home.clear_process_cache()


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _publisher(**extra):
    return factories.Organization(
        name=extra.pop("name", "eurometropole-de-strasbourg"),
        title=extra.pop("title", "Eurométropole de Strasbourg"),
        body_kind="epci",
        siren="246700488",
        territories=["246700488"],
        **extra,
    )


def _site() -> dict:
    """A context writing as the site user (a sysadmin; CKAN's activity needs a real user)."""
    return {"user": call_action("get_site_user", {"ignore_auth": True})["name"]}


def _dataset(org, name, title, territories, theme=(EDUC,)):
    return call_action(
        "package_create",
        _site(),
        name=name,
        title=title,
        owner_org=org["id"],
        notes="Un jeu de données.",
        license_id="etalab-2.0",
        territories=list(territories),
        theme=list(theme),
    )


def test_the_home_page_shows_the_catalogue(app):
    org = _publisher()
    _dataset(org, "ecoles-strasbourg", "Écoles de Strasbourg", ["67482"])
    _dataset(org, "parcs-metz", "Parcs de Metz", ["57463"], theme=())
    text = _text(app.get("/"))
    assert "Les données publiques du Grand Est" in text
    assert "Écoles de Strasbourg" in text and "Parcs de Metz" in text
    assert "Eurométropole de Strasbourg" in text
    # The numbers: 2 datasets, 1 publisher, 2 communes with local data.
    assert re.search(r'datagrandest-number">2</span> <a href="/dataset/">jeux de données', text)
    assert re.search(r'datagrandest-number">1</span> <a href="/organization/">producteur', text)
    assert re.search(r'datagrandest-number">2</span> <span>communes', text)
    # The EU themes as tiles with counts; only a theme with data is a link.
    assert "Éducation, culture et sport" in text
    theme_links = [
        unquote(link) for link in re.findall(r'href="/dataset/\?vocab_theme=([^"]+)"', text)
    ]
    assert theme_links == [EDUC]
    assert "Énergie" in text and "0 jeu de données" in text
    assert "data-theme/ENER" not in text
    # The ten départements lead to their territory pages.
    for code, name in (("08", "Ardennes"), ("67", "Bas-Rhin"), ("88", "Vosges")):
        assert f'href="/territoire/{code}"' in text and name in text
    # The map of the départements (inline SVG from the territory outlines), each a link.
    departements = text.split('id="datagrandest-departements-title"')[1]
    assert "<svg" in departements and 'href="/territoire/57"' in departements.split("</svg>")[0]
    # The main menu: datasets, publishers, about; no empty "Groups" page.
    menu = text.split('id="main-navigation-toggle"')[1].split("</ul>")[0]
    assert 'href="/dataset/"' in menu and 'href="/organization/"' in menu
    assert 'href="/group/"' not in menu
    # The search box and the territory picker.
    assert 'name="q"' in text and 'name="territory"' in text


def test_the_home_page_is_in_english_at_en(app):
    _dataset(_publisher(), "ecoles-strasbourg", "Écoles de Strasbourg", ["67482"])
    text = _text(app.get("/en/"))
    assert "Open data from the Grand Est region" in text
    assert "Education, culture and sport" in text
    assert 'href="/en/territoire/67"' in text
    assert "Latest datasets" in text and "Publishers" in text


def test_no_placeholder_anywhere_on_the_main_pages(app):
    org = _publisher()
    _dataset(org, "ecoles-strasbourg", "Écoles de Strasbourg", ["67482"])
    factories.Organization(name="sans-logo", title="Sans logo")
    admin = factories.Sysadmin()
    pages = [
        "/",
        "/en/",
        "/about",
        "/en/about",
        "/dataset/",
        "/dataset/ecoles-strasbourg",
        "/organization/",
        "/en/organization/",
        "/organization/eurometropole-de-strasbourg",
        "/organization/about/eurometropole-de-strasbourg",
        "/organization/sans-logo",
    ]
    for url in pages:
        text = _text(app.get(url))
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text, (url, placeholder)
    headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
    for url in ("/ckan-admin/config", "/en/ckan-admin/config", "/ckan-admin"):
        text = _text(app.get(url, headers=headers))
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text, (url, placeholder)


def test_the_about_page_has_our_text_in_both_languages(app):
    assert "Lab'EST" in _text(app.get("/about"))
    assert "public-innovation lab" in _text(app.get("/en/about"))


def test_a_sysadmin_edits_the_texts_without_a_deploy(app):
    admin = factories.Sysadmin()
    headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
    form = _text(app.get("/ckan-admin/config", headers=headers))
    for key in ("home.title_fr", "home.title_en", "home.intro_fr", "about_en"):
        assert f'name="ckanext.datagrandest.{key}"' in form
    # The shipped default is what the form shows before any edit.
    assert "Les données publiques du Grand Est" in form
    call_action(
        "config_option_update",
        {"user": admin["name"]},
        **{
            "ckanext.datagrandest.home.title_fr": "Toutes les données du Grand Est",
            "ckanext.datagrandest.home.intro_en": "Find **everything**.",
            "ckanext.datagrandest.about_fr": "Un portail de la *Région*.",
        },
    )
    assert "Toutes les données du Grand Est" in _text(app.get("/"))
    assert "<strong>everything</strong>" in _text(app.get("/en/"))
    assert "Un portail de la <em>Région</em>" in _text(app.get("/about"))
    # An empty English title falls back to the French one.
    call_action(
        "config_option_update",
        {"user": admin["name"]},
        **{"ckanext.datagrandest.home.title_en": ""},
    )
    assert "Toutes les données du Grand Est" in _text(app.get("/en/"))


def test_a_site_text_is_refused_by_non_sysadmins(app):
    user = factories.User()
    headers = {"Authorization": factories.APIToken(user=user["name"])["token"]}
    assert app.get("/ckan-admin/config", headers=headers, status=403)


def test_the_blocks_come_from_the_cache_until_the_catalogue_changes(app):
    org = _publisher()
    _dataset(org, "ecoles-strasbourg", "Écoles de Strasbourg", ["67482"])
    first = home.blocks()
    assert home.blocks() is first  # nothing changed: served from the cache
    # A new dataset: the hooks mark the change, the next home page shows it.
    _dataset(org, "velos-mulhouse", "Vélos de Mulhouse", ["68224"])
    assert home.blocks() is not first
    assert "Vélos de Mulhouse" in _text(app.get("/"))
    # An update (new title), a deletion and a publisher renamed all show at once too.
    call_action("package_patch", _site(), id="velos-mulhouse", title="Vélos en libre service")
    assert "Vélos en libre service" in _text(app.get("/"))
    call_action("package_delete", _site(), id="velos-mulhouse")
    assert "Vélos en libre service" not in _text(app.get("/"))
    call_action("organization_patch", _site(), id=org["id"], title="EMS")
    assert "EMS" in _text(app.get("/"))


def test_a_private_dataset_never_reaches_the_shared_blocks(app):
    org = _publisher()
    call_action(
        "package_create",
        _site(),
        name="brouillon-interne",
        title="Brouillon interne",
        owner_org=org["id"],
        private=True,
        notes="Privé.",
        license_id="etalab-2.0",
        territories=["67482"],
    )
    admin = factories.Sysadmin()
    headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
    assert "Brouillon interne" not in _text(app.get("/", headers=headers))
    assert "Brouillon interne" not in _text(app.get("/"))


def test_the_publisher_page_shows_kind_siren_territory_and_sources(app):
    org = _publisher()
    _dataset(org, "ecoles-strasbourg", "Écoles de Strasbourg", ["67482"])
    source = call_action(
        "harvest_source_create",
        _site(),
        name="ems-opendatasoft",
        title="Eurométropole — Opendatasoft",
        url="https://data.strasbourg.eu/",
        source_type="datagrandest_ods",
        owner_org=org["id"],
    )
    text = _text(app.get("/organization/eurometropole-de-strasbourg"))
    assert "EPCI (intercommunalité)" in text
    assert "246700488" in text
    assert 'href="/territoire/246700488"' in text
    assert "Écoles de Strasbourg" in text
    assert "Eurométropole — Opendatasoft" in text
    assert "Jamais moissonnée" in text
    # Beside a dataset, the publisher box gives its facts but not its harvest sources.
    beside = _text(app.get("/dataset/ecoles-strasbourg"))
    assert "EPCI (intercommunalité)" in beside and 'href="/territoire/246700488"' in beside
    assert "Eurométropole — Opendatasoft" not in beside
    # A job created and not run yet (run=False: nothing goes to the harvest queues).
    job = call_action("harvest_job_create", _site(), source_id=source["id"], run=False)
    text = _text(app.get("/organization/eurometropole-de-strasbourg"))
    assert "Moissonnage en attente" in text
    english = _text(app.get("/en/organization/eurometropole-de-strasbourg"))
    assert "EPCI (inter-municipality)" in english and "Harvest waiting to start" in english
    call_action("harvest_job_abort", _site(), id=job["id"])
    text = _text(app.get("/organization/eurometropole-de-strasbourg"))
    assert "Dernier moissonnage terminé le" in text


def test_the_home_page_survives_redis_being_unreachable(app, monkeypatch):
    _dataset(_publisher(), "ecoles-strasbourg", "Écoles de Strasbourg", ["67482"])
    # CKAN's own Redis connection pointed at a port where nothing listens.
    from ckan.lib import redis as ckan_redis
    from redis import ConnectionPool

    dead = ConnectionPool.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=1)
    monkeypatch.setattr(ckan_redis, "_connection_pool", dead)
    home.catalogue_changed()  # logged, not raised: a dataset write never fails on it
    text = _text(app.get("/"))
    assert "Écoles de Strasbourg" in text
