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
    "ckan.datastore.write_url",
    "ckan.datastore.read_url",
}
# CKAN's own environment overrides (ckan/config/environment.py CONFIG_FROM_ENV_VARS).
CKAN_ENV_NAMES = {
    "CKAN_SITE_URL": "ckan.site_url",
    "CKAN_SITE_ID": "ckan.site_id",
    "CKAN_SQLALCHEMY_URL": "sqlalchemy.url",
    "CKAN_SOLR_URL": "solr_url",
    "CKAN_REDIS_URL": "ckan.redis.url",
    "CKAN_STORAGE_PATH": "ckan.storage_path",
    "CKAN_DATASTORE_WRITE_URL": "ckan.datastore.write_url",
    "CKAN_DATASTORE_READ_URL": "ckan.datastore.read_url",
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


# The setting that lets harvesters read loopback and private addresses: the demo's sample
# harvest needs it (a replay server on 127.0.0.1), the served portal must never have it.
PRIVATE = "ckanext.datagrandest.harvest.allow_private_addresses"


def _stack(tmp_path: Path) -> dict[str, str]:
    """A copy of the project's config files under tmp_path, and the scripts' environment."""
    import os
    import shutil

    (tmp_path / "config").mkdir()
    for name in ("portal.ini", "logging.ini"):
        shutil.copy(ROOT / "config" / name, tmp_path / "config" / name)
    return {
        **os.environ,
        "ROOT": str(tmp_path),
        "DGE_VENV": str(ROOT / ".venv"),
        "DGE_STATE_DIR": str(tmp_path / ".state"),
    }


def _run(script: str, env: dict[str, str]) -> str:
    import subprocess

    done = subprocess.run(
        [str(ROOT / "scripts" / script)], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _loaded(path: Path) -> dict[str, str]:
    """The settings as CKAN reads them (``use = config:`` chains followed)."""
    from ckan.cli import CKANConfigLoader

    return dict(CKANConfigLoader(str(path)).get_config())


def test_the_served_config_refuses_private_addresses_even_after_an_older_demo(tmp_path):
    env = _stack(tmp_path)
    # What an older `make demo` left: the option written into ckan.ini.
    (tmp_path / "ckan.ini").write_text(
        f"[app:main]\nuse = config:config/portal.ini\nSECRET_KEY = kept\n{PRIVATE} = true\n",
        encoding="utf-8",
    )

    _run("write-config.sh", env)

    text = (tmp_path / "ckan.ini").read_text(encoding="utf-8")
    assert PRIVATE not in text
    assert "SECRET_KEY = kept" in text
    served = _loaded(tmp_path / "ckan.ini")
    assert served.get(PRIVATE, "false").lower() == "false"


def test_only_the_demo_harvest_config_allows_private_addresses(tmp_path):
    env = _stack(tmp_path)
    _run("write-config.sh", env)

    harvest_ini = Path(_run("write-demo-harvest-config.sh", env).strip())

    assert harvest_ini.parent == tmp_path / ".state"
    harvest = _loaded(harvest_ini)
    served = _loaded(tmp_path / "ckan.ini")
    assert harvest[PRIVATE] == "true"
    assert PRIVATE not in served
    # Everything else is the served portal's: same database, index and site.
    for key in ("sqlalchemy.url", "solr_url", "ckan.site_url", "SECRET_KEY", "ckan.plugins"):
        assert harvest[key] == served[key], key


def test_serving_removes_the_option_an_older_demo_left(tmp_path):
    env = _stack(tmp_path)
    _run("write-config.sh", env)
    ini = tmp_path / "ckan.ini"
    ini.write_text(ini.read_text(encoding="utf-8") + f"{PRIVATE} = true\n", encoding="utf-8")
    # serve.sh ends by exec-ing `ckan run`: a stand-in records how it was called.
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    ckan = venv / "bin" / "ckan"
    ckan.write_text('#!/bin/sh\necho "ckan $*"\n', encoding="utf-8")
    ckan.chmod(0o755)
    env.update(DGE_VENV=str(venv), DGE_CKAN_PORT="1")  # port 1: nothing listens there

    output = _run("serve.sh", env)

    assert f"ckan -c {ini} run" in output
    assert PRIVATE not in ini.read_text(encoding="utf-8")
