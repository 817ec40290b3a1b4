"""Container settings cannot drift from the local ones: they add only machine-specific values."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Keys whose value differs by design between the local stack and the containers.
MACHINE_SPECIFIC = {
    "ckan.site_url",
    "ckan.site_id",
    "sqlalchemy.url",
    "solr_url",
    "ckan.redis.url",
    "ckan.storage_path",
    "ckan.harvest.mq.hostname",
    "ckan.harvest.mq.port",
    "ckanext.dcat.base_uri",
}
# CKAN's own environment overrides (ckan/config/environment.py CONFIG_FROM_ENV_VARS).
CKAN_ENV_NAMES = {
    "CKAN_SITE_URL": "ckan.site_url",
    "CKAN_SITE_ID": "ckan.site_id",
    "CKAN_SQLALCHEMY_URL": "sqlalchemy.url",
    "CKAN_SOLR_URL": "solr_url",
    "CKAN_REDIS_URL": "ckan.redis.url",
    "CKAN_STORAGE_PATH": "ckan.storage_path",
}


def container_keys() -> list[str]:
    """Config keys set by docker/ckan.env (CKAN__A__B_C means a.b_c, as the images apply it)."""
    keys = []
    for line in (ROOT / "docker" / "ckan.env").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name = line.partition("=")[0]
        if name in CKAN_ENV_NAMES:
            keys.append(CKAN_ENV_NAMES[name])
        else:
            keys.append(name.lower().replace("__", "."))
    return keys


def test_container_env_sets_only_machine_specific_keys():
    extra = sorted(set(container_keys()) - MACHINE_SPECIFIC)
    assert not extra, f"set these in config/portal.ini, not docker/ckan.env: {extra}"


def test_the_image_takes_its_settings_from_portal_ini():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY config/portal.ini" in dockerfile
    assert "config-tool" in dockerfile


def test_portal_ini_is_a_complete_ckan_section():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "config" / "portal.ini", encoding="utf-8")
    settings = parser["app:main"]
    assert settings["use"] == "egg:ckan"
    assert settings["ckan.plugins"].split()[0] == "datagrandest"
    assert settings["ckan.locale_default"] == "fr"
