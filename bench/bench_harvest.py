"""Benchmark: udata harvest speed against a plain package_create loop, re-harvest, gather memory.

Runs on its own database and search-index site id (never the demo's or the tests'), which it
empties first. A local udata-style replay server (a separate process, so its memory does not
count) serves N generated datasets; the run then measures, all in one go:

1. the ceiling: the same N datasets (mapped exactly as the harvester maps them) created by a
   plain ``package_create`` loop;
2. a first harvest of the source (gather, fetch, import, synchronously): datasets/second and
   its ratio to the ceiling (target >= 0.8);
3. a second harvest of the unchanged source, which reads and compares every record (our
   harvesters have no incremental mode: every re-harvest is a forced one): its time as a
   fraction of the first (target: at least 10x faster);
4. the peak Python memory of the gather of a source of BIG datasets (target < 300 MB).

    .venv/bin/python -m bench.bench_harvest [--n 2000] [--big 50000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "ckan_bench_harvest"
ENVIRONMENT = {
    "CKAN_SQLALCHEMY_URL": f"postgresql://ckan:ckan@127.0.0.1:55432/{DATABASE}",
    "CKAN_SITE_ID": "dge_bench_harvest",
    "CKAN_REDIS_URL": "redis://127.0.0.1:56379/8",
}
ORGANIZATION = "banc-essai"


def _setup_database() -> None:
    """An empty bench database with every table, through the project's tools."""
    subprocess.run(
        [str(ROOT / "scripts/services/postgres.sh"), "createdb", DATABASE],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    ckan = str(ROOT / ".venv/bin/ckan")
    env = {**os.environ, **ENVIRONMENT}
    for command in (
        ["db", "clean", "--yes"],
        ["db", "init"],
        ["db", "pending-migrations", "--apply"],
        ["search-index", "clear"],
    ):
        subprocess.run(
            [ckan, "-c", str(ROOT / "test.ini"), *command],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


@contextmanager
def _replay(count: int):
    """The replay server in its own process, serving `count` generated udata datasets."""
    with tempfile.TemporaryDirectory() as tmp:
        url_file = Path(tmp) / "url"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ckanext.datagrandest.harvesters.replay",
                "--synthetic-udata",
                str(count),
                "--port-file",
                str(url_file),
            ]
        )
        try:
            for _ in range(200):
                if url_file.exists() and url_file.read_text().strip():
                    break
                time.sleep(0.05)
            yield url_file.read_text().strip()
        finally:
            process.terminate()
            process.wait(timeout=10)


def _context() -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    # A fresh context per call: CKAN records auth checks in the one it is given.
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"ignore_auth": True, "user": user}


def _organization(name: str) -> str:
    import ckan.plugins.toolkit as tk

    org = tk.get_action("organization_create")(
        _context(),
        {"name": name, "title": name, "body_kind": "departement", "territories": ["67"]},
    )
    return str(org["id"])


def _ceiling(n: int, base_url: str, label: str) -> float:
    """Seconds for package_create of the harvester's own mapping of the N datasets."""
    import ckan.plugins.toolkit as tk

    from ckanext.datagrandest.harvesters.replay import synthetic_udata_dataset
    from ckanext.datagrandest.harvesters.sanitize import clean_dataset
    from ckanext.datagrandest.harvesters.udata import UdataHarvester

    org_id = _organization(label)
    harvester = UdataHarvester()
    # Mapping is done up front: the ceiling is package_create alone.
    datasets = []
    for index in range(n):
        data = clean_dataset(
            harvester.map_record(synthetic_udata_dataset(index, ORGANIZATION, base_url), None)  # type: ignore[arg-type]
        )
        data.update(
            name=f"{label}-{index}",
            owner_org=org_id,
            identifier=f"{data['identifier']}#{label}",
        )
        datasets.append(data)
    start = time.perf_counter()
    for data in datasets:
        tk.get_action("package_create")({**_context(), "return_id_only": True}, data)
    return time.perf_counter() - start


def _source(base_url: str, name: str) -> str:
    import ckan.plugins.toolkit as tk

    source = tk.get_action("harvest_source_create")(
        _context(),
        {
            "name": name,
            "title": name,
            "url": base_url,
            "source_type": "datagrandest_udata",
            "config": json.dumps({"organizations": [ORGANIZATION], "page_size": 100}),
            "owner_org": _organization(f"{name}-org"),
        },
    )
    return str(source["id"])


def _job(source_id: str) -> Any:
    import ckan.plugins.toolkit as tk

    from ckanext.harvest.model import HarvestJob

    job = tk.get_action("harvest_job_create")(_context(), {"source_id": source_id, "run": False})
    job_obj = HarvestJob.get(job["id"])
    job_obj.status = "Running"
    job_obj.save()
    return job_obj


def _harvest(source_id: str) -> tuple[float, dict[str, int]]:
    """One whole job as the queues would run it (gather, fetch+import each, finish)."""
    import ckan.plugins.toolkit as tk

    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject

    job = _job(source_id)
    harvester = queue.get_harvester("datagrandest_udata")
    start = time.perf_counter()
    for object_id in queue.gather_stage(harvester, job) or []:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    tk.get_action("harvest_jobs_run")(_context(), {"source_id": source_id})
    elapsed = time.perf_counter() - start
    stats = tk.get_action("harvest_job_show")(_context(), {"id": job.id})["stats"]
    return elapsed, {k: v for k, v in stats.items() if v}


def _gather_memory(source_id: str) -> tuple[float, int, float]:
    """Peak traced Python memory (MB) of one gather, objects created, and its seconds."""
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject, Session

    job = _job(source_id)
    harvester = queue.get_harvester("datagrandest_udata")
    tracemalloc.start()
    start = time.perf_counter()
    queue.gather_stage(harvester, job)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    created = Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job.id).count()
    return peak / 1e6, created, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="datasets harvested (2000)")
    parser.add_argument("--big", type=int, default=50000, help="datasets gathered (50000)")
    parser.add_argument(
        "--no-solr-commit",
        action="store_true",
        help="ckan.search.solr_commit = false for the whole run (Solr's own autocommit)",
    )
    args = parser.parse_args(argv)

    os.environ.update(ENVIRONMENT)
    _setup_database()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ROOT / "test.ini")))._wsgi_app
    if args.no_solr_commit:
        import ckan.plugins.toolkit as tk

        tk.config["ckan.search.solr_commit"] = False
    with app.test_request_context("/"), _replay(args.n) as url:
        # The ceiling runs before and after the harvest, and the two are averaged, so a
        # catalogue growing or Solr slowing down during the run does not favour either side.
        print(f"bench: {args.n} datasets from {url}; ceiling (package_create loop)...", flush=True)
        ceiling_before = _ceiling(args.n, url, "plafond-avant")
        source_id = _source(url, "banc-essai-udata")
        print("bench: first harvest...", flush=True)
        first, first_stats = _harvest(source_id)
        print("bench: ceiling again...", flush=True)
        ceiling_after = _ceiling(args.n, url, "plafond-apres")
        ceiling = (ceiling_before + ceiling_after) / 2
        print("bench: second harvest of the unchanged source...", flush=True)
        second, second_stats = _harvest(source_id)
    with app.test_request_context("/"), _replay(args.big) as url:
        print(f"bench: gather of {args.big} datasets...", flush=True)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak, created, gather_time = _gather_memory(_source(url, "banc-essai-gros"))
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ceiling_rate, first_rate = args.n / ceiling, args.n / first
    ratio, speedup = first_rate / ceiling_rate, first / second
    checks = {
        "first harvest >= 0.8 x ceiling": ratio >= 0.8,
        "unchanged re-harvest >= 10x faster": speedup >= 10,
        "gather peak < 300 MB": peak < 300,
        "every dataset added then not modified": first_stats == {"added": args.n}
        and second_stats == {"not modified": args.n},
        "every record gathered": created == args.big,
    }
    print(
        f"package_create loop (ceiling): {ceiling:8.1f} s  {ceiling_rate:6.1f} datasets/s"
        f"  (before {ceiling_before:.1f} s, after {ceiling_after:.1f} s)"
    )
    print(
        f"first harvest:                 {first:8.1f} s  {first_rate:6.1f} datasets/s"
        f"  {first_stats}"
    )
    print(f"ratio first harvest / ceiling: {ratio:8.2f}  (target >= 0.8)")
    print(f"unchanged re-harvest:          {second:8.1f} s  {second_stats}")
    print(f"re-harvest speed-up:           {speedup:8.1f}x (target >= 10x)")
    print(
        f"gather of {args.big}: {gather_time:.1f} s, {created} objects, "
        f"peak traced memory {peak:.1f} MB (target < 300), "
        f"process max RSS {rss_before:.0f} -> {rss_after:.0f} MB"
    )
    for name, ok in checks.items():
        print(f"  {'OK ' if ok else 'NO '} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
