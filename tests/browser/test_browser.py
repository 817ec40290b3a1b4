"""The portal in a real browser: visitor scenarios and an axe-core audit in headless Chromium.

A real CKAN (`ckan run`) serves the demo content from its own database and search-index site
id, with a `ckan jobs worker` loading the demo's tables into the DataStore; `portal.js`
(playwright-core driving Debian's chromium) walks through it and prints a JSON report that the
tests below judge. Screenshots land in .state/screenshots/ (not committed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo import ogc
from demo.replay import ReplayServer

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
STATE = ROOT / ".state"
SCREENSHOTS = STATE / "screenshots"
CKAN = ROOT / ".venv" / "bin" / "ckan"
CHROMIUM = os.environ.get("DGE_CHROMIUM", "/usr/bin/chromium")
# The demo tables whose preview the scenario opens: they must be in the DataStore first.
TABLES = ("communes-du-bas-rhin", "departements-du-grand-est")
# Bounds on waiting for a server that never comes up or a load that never ends: a failure
# with a message, never a hang. Not a speed check.
START_LIMIT = 180
LOAD_LIMIT = 300

pytestmark = pytest.mark.timeout(1800)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings() -> dict[str, str]:
    """Where the browser portal lives: derived from the suite's own database and site id, so
    that two suites running side by side (each with its CKAN_* overrides) never share it."""
    test_ini = (ROOT / "test.ini").read_text("utf-8")

    def ini(key: str) -> str:
        found = re.search(rf"^{re.escape(key)}\s*=\s*(.+)$", test_ini, re.M)
        return found.group(1).strip() if found else ""

    db_url = os.environ.get("CKAN_SQLALCHEMY_URL") or ini("sqlalchemy.url")
    site_id = os.environ.get("CKAN_SITE_ID") or ini("ckan.site_id")
    solr = os.environ.get("CKAN_SOLR_URL") or ini("solr_url")
    redis = os.environ.get("CKAN_REDIS_URL") or ini("ckan.redis.url")
    base, _, db = db_url.rpartition("/")
    return {
        "db": f"{db}_browser",
        "datastore": f"{db}_browser_ds",
        "db_url": f"{base}/{db}_browser",
        "pg_port": str(urllib.parse.urlsplit(db_url).port or 5432),
        "site_id": f"{site_id}_browser",
        "solr": solr,
        "redis": redis,
    }


def _write_ini(path: Path, settings: dict[str, str], port: int, ogc_url: str) -> None:
    pg = settings["db_url"].rpartition("/")[0].rpartition("@")[2]
    site = f"http://127.0.0.1:{port}"
    path.write_text(
        "\n".join(
            [
                "# Written by tests/browser/test_browser.py for its own portal.",
                "[app:main]",
                f"use = config:{ROOT / 'config' / 'portal.ini'}",
                "SECRET_KEY = browser-tests-only",
                "api_token.jwt.encode.secret = string:browser-tests-only",
                "api_token.jwt.decode.secret = string:browser-tests-only",
                f"sqlalchemy.url = {settings['db_url']}",
                f"ckan.datastore.write_url = postgresql://ckan:ckan@{pg}/{settings['datastore']}",
                f"ckan.datastore.read_url = postgresql://datastore_ro:datastore_ro@{pg}/{settings['datastore']}",
                f"solr_url = {settings['solr']}",
                f"ckan.redis.url = {settings['redis']}",
                f"ckan.site_id = {settings['site_id']}",
                f"ckan.site_url = {site}",
                f"ckanext.dcat.base_uri = {site}",
                f"ckan.storage_path = {STATE / 'browser' / 'storage'}",
                f"extra_public_paths = {ROOT / 'demo' / 'files'}",
                "ckanext.xloader.api_token = NOT_SET",
                f"ckanext.datagrandest.demo.ogc_url = {ogc_url}",
                "",
                (ROOT / "config" / "logging.ini").read_text("utf-8"),
            ]
        ),
        "utf-8",
    )


def _run(args: list[str], env: dict[str, str], log: Path) -> str:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(args)}\n")
        done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        out.write(done.stdout + done.stderr)
    if done.returncode:
        pytest.fail(
            f"{' '.join(args[:4])}… failed ({done.returncode}), see {log}:\n{done.stderr[-2000:]}"
        )
    return done.stdout


def _api(site: str, action: str, token: str, **params: str) -> Any:
    query = urllib.parse.urlencode(params)
    request = urllib.request.Request(
        f"{site}/api/3/action/{action}?{query}", headers={"Authorization": token}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["result"]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the browser-test CKAN exited ({process.returncode}), see {log}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    pytest.fail(f"the browser-test CKAN did not listen on {port} within {START_LIMIT} s, see {log}")


def _api_post(site: str, action: str, token: str, data: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{site}/api/3/action/{action}",
        data=json.dumps(data).encode("utf-8"),
        headers={"Authorization": token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["result"]


@pytest.fixture(scope="module")
def service() -> Iterator[ReplayServer]:
    """The demo's sample WMS/WFS (demo/ogc.py), which the demo's service resources name."""
    with ogc.server() as server:
        yield server


@pytest.fixture(scope="module")
def portal(service: ReplayServer) -> Iterator[str]:
    """A CKAN serving the demo (with its previews loaded) on a free port; its URL."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (Debian package chromium)"
        )
    if not (HERE / "node_modules" / "playwright-core").is_dir():
        pytest.fail(
            "tests/browser/node_modules is missing: run 'npm ci' in tests/browser (make setup does)"
        )
    settings = _settings()
    work = STATE / "browser"
    work.mkdir(parents=True, exist_ok=True)
    log = work / "portal.log"
    log.write_text("", "utf-8")
    port = _free_port()
    ini = work / f"{settings['site_id']}.ini"
    _write_ini(ini, settings, port, service.url)
    # CKAN_* variables of the suite would override the ini's database and site id
    env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
    env["DGE_PG_PORT"] = settings["pg_port"]

    pg = ROOT / "scripts" / "services" / "postgres.sh"
    _run([str(pg), "datastore", settings["db"], settings["datastore"]], env, log)
    ckan = [str(CKAN), "-c", str(ini)]
    _run([*ckan, "db", "clean", "--yes"], env, log)
    _run([*ckan, "db", "init"], env, log)
    _run([*ckan, "db", "pending-migrations", "--apply"], env, log)
    _run([*ckan, "search-index", "clear"], env, log)
    password = work / "admin-password"
    _run([*ckan, "datagrandest", "demo", "load", "--password-file", str(password)], env, log)
    token = _run([*ckan, "user", "token", "add", settings["site_id"], "xloader"], env, log).split()[
        -1
    ]
    text = ini.read_text("utf-8").replace(
        "ckanext.xloader.api_token = NOT_SET", f"ckanext.xloader.api_token = {token}"
    )
    ini.write_text(text, "utf-8")

    processes: list[subprocess.Popen[bytes]] = []
    with log.open("ab") as out:
        for args in (
            [*ckan, "jobs", "worker"],
            [*ckan, "run", "-H", "127.0.0.1", "-p", str(port), "--disable-reloader"],
        ):
            processes.append(
                subprocess.Popen(
                    args,
                    env=env,
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    try:
        _wait_for_port(port, processes[1], log)
        site = f"http://127.0.0.1:{port}"
        for name in TABLES:
            _run([*ckan, "xloader", "submit", name, "-y"], env, log)
        deadline = time.monotonic() + LOAD_LIMIT
        waiting = set(TABLES)
        while waiting and time.monotonic() < deadline:
            for name in sorted(waiting):
                resource = _api(site, "package_show", token, id=name)["resources"][0]
                if resource.get("datastore_active"):
                    waiting.discard(name)
                else:
                    status = _api(site, "xloader_status", token, resource_id=resource["id"])
                    if status.get("status") == "error":
                        pytest.fail(f"xloader could not load {name}: {status.get('error')}")
            time.sleep(1)
        if waiting:
            pytest.fail(f"xloader did not load {sorted(waiting)} within {LOAD_LIMIT} s, see {log}")
        # a service that answers 500: the viewer's bad path
        _api_post(
            site,
            "package_create",
            token,
            {
                "name": "service-hors-service",
                "title": "Service hors service",
                "notes": "Un service WMS qui répond par une erreur.",
                "owner_org": "region-grand-est",
                "territories": ["44"],
                "license_id": "etalab-2.0",
                "resources": [{"url": f"{service.url}/broken/wms", "format": "WMS_SRVC"}],
            },
        )
        yield site
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)


def _node(site: str, mode: str, ogc_url: str) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "node is missing (Debian package nodejs)"
    done = subprocess.run(
        [node, str(HERE / "portal.js"), site, str(SCREENSHOTS), mode],
        cwd=HERE,
        env={**os.environ, "DGE_OGC_URL": ogc_url},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"portal.js {mode} printed no report ({done.returncode}):\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    assert "fatal" not in report, report["fatal"]
    (STATE / "browser" / f"report-{mode}.json").write_text(
        json.dumps(report, indent=1, ensure_ascii=False), "utf-8"
    )
    return report


@pytest.fixture(scope="module")
def scenario(portal: str, service: ReplayServer) -> dict[str, Any]:
    return _node(portal, "scenario", service.url)


@pytest.fixture(scope="module")
def audit(portal: str, service: ReplayServer) -> dict[str, Any]:
    return _node(portal, "audit", service.url)


SCENARIO_STEPS = [
    "home page is DataGrandEst, in French, without CKAN placeholders",
    'search facets read each item with its count, no stray " - " between them',
    "search by territory from the home page, keyboard only",
    "search results list the Bas-Rhin datasets",
    "dataset page shows a map of its coverage",
    "dataset page shows a table preview of the CSV",
    "the table preview is usable with the keyboard alone",
    "a GeoJSON resource previews as a map without a tile server",
    "the map preview is usable with the keyboard alone",
    "a KML resource previews as a map",
    "a WMS service previews as a map the browser asks from the service",
    "a WFS service previews its features as a map",
    "a service that cannot be read says so in French, not a blank map",
    "switch to English",
]


@pytest.mark.parametrize("name", SCENARIO_STEPS)
def test_visitor_scenario(scenario: dict[str, Any], name: str) -> None:
    steps = {step["name"]: step for step in scenario["steps"]}
    assert name in steps, f"step not reached; steps run: {list(steps)}"
    assert steps[name]["ok"], steps[name]["detail"]


def test_no_script_error_in_the_visited_pages(scenario: dict[str, Any]) -> None:
    assert not scenario["console_errors"]


def test_the_service_previews_asked_the_service_from_the_browser(
    scenario: dict[str, Any], service: ReplayServer
) -> None:
    """Capabilities, map images and features were asked by the browser: CKAN has no proxy."""
    asked = [
        f"{urllib.parse.urlsplit(path).path} {urllib.parse.urlsplit(path).query.lower()}"
        for path in service.requests
    ]
    assert any(p.startswith("/wms ") and "request=getcapabilities" in p for p in asked)
    assert any(p.startswith("/wms ") and "request=getmap" in p for p in asked)
    assert any(p.startswith("/wfs ") and "request=getfeature" in p for p in asked)
    assert any(p.startswith("/broken/wms ") for p in asked)


def test_the_pages_and_previews_need_nothing_from_another_site(scenario: dict[str, Any]) -> None:
    """No tile server, CDN or icon host: what the build machines and an offline demo lack."""
    assert not scenario["external_requests"]


AUDITED = [
    (page, lang)
    for lang in ("fr", "en")
    for page in ("home", "search", "dataset", "map-dataset", "territory", "publisher")
]


@pytest.mark.parametrize(("page", "lang"), AUDITED)
def test_no_critical_or_serious_accessibility_violation(
    audit: dict[str, Any], page: str, lang: str
) -> None:
    entry = next(e for e in audit["audits"] if e["page"] == page and e["lang"] == lang)
    assert entry["error"] is None, entry["error"]
    assert entry["status"] == 200, f"{entry['url']} answered {entry['status']}"
    serious = [v for v in entry["violations"] if v["impact"] in ("critical", "serious")]
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)


def test_screenshots_are_kept(scenario: dict[str, Any], audit: dict[str, Any]) -> None:
    taken = [Path(p) for p in scenario["screenshots"] + audit["screenshots"]]
    assert taken
    assert all(p.is_file() and p.stat().st_size > 0 and p.parent == SCREENSHOTS for p in taken)
