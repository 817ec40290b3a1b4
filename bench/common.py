"""What the benchmarks share: their own database, the CKAN app, timers, memory, harvest runs."""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "test.ini"


def environment(database: str, site_id: str, redis_db: int) -> dict[str, str]:
    """The variables that point CKAN at a benchmark's own database, index and Redis."""
    return {
        "CKAN_SQLALCHEMY_URL": f"postgresql://ckan:ckan@127.0.0.1:55432/{database}",
        "CKAN_SITE_ID": site_id,
        "CKAN_REDIS_URL": f"redis://127.0.0.1:56379/{redis_db}",
    }


def count(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum`, refused with a message otherwise
    (before anything is created or emptied)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is below {minimum}")
        return value

    parse.__name__ = "count"  # argparse names the type in its message
    return parse


positive = count(1)
non_negative = count(0)

_RUN_LOCKS: dict[str, Any] = {}


def hold_database(database: str) -> None:
    """Refuse to go on while another benchmark run uses `database`; held until this one exits.

    A second run would empty, or reindex, the database of the first under it (a run without
    ``--keep`` drops its tables while the other reads them).
    """
    import fcntl

    if database in _RUN_LOCKS:
        return
    locks = ROOT / ".state" / "run"
    locks.mkdir(parents=True, exist_ok=True)
    handle = open(locks / f"bench-{database}.lock", "a+", encoding="ascii")  # noqa: SIM115
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        sys.exit(
            f"bench: another run (pid {holder}) is using the database {database}; "
            "wait for it to end, or stop it"
        )
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    _RUN_LOCKS[database] = handle


def setup_database(database: str, env: Mapping[str, str], *, empty: bool) -> None:
    """The bench database with every table (emptied with its search index when `empty`).

    Through the project's own tools, in subprocesses, so that this process loads CKAN once,
    afterwards, on the database they prepared. Only one run a database (``hold_database``).
    """
    hold_database(database)
    subprocess.run(
        [str(ROOT / "scripts/services/postgres.sh"), "createdb", database],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    commands = [["db", "init"], ["db", "pending-migrations", "--apply"]]
    if empty:
        commands = [["db", "clean", "--yes"], *commands, ["search-index", "clear"]]
    for command in commands:
        subprocess.run(
            [str(ROOT / ".venv/bin/ckan"), "-c", str(CONFIG), *command],
            check=True,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def clear_index(env: Mapping[str, str]) -> None:
    """Empty the search index of the bench's site id (``ckan search-index clear``)."""
    subprocess.run(
        [str(ROOT / ".venv/bin/ckan"), "-c", str(CONFIG), "search-index", "clear"],
        check=True,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def load_app(env: Mapping[str, str], *, solr_commit: bool = True) -> Any:
    """The Flask app of test.ini on the bench's own database (set up first)."""
    os.environ.update(env)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(CONFIG)))._wsgi_app
    if not solr_commit:
        import ckan.plugins.toolkit as tk

        tk.config["ckan.search.solr_commit"] = False
    return app


def context() -> dict[str, Any]:
    """An action context as the site user."""
    import ckan.plugins.toolkit as tk

    # A fresh context per call: CKAN records auth checks in the one it is given.
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"ignore_auth": True, "user": user}


def organization(name: str, body_kind: str) -> str:
    """Id of a new organization of our schema."""
    import ckan.plugins.toolkit as tk

    org = tk.get_action("organization_create")(
        context(), {"name": name, "title": name, "body_kind": body_kind, "territories": ["67"]}
    )
    return str(org["id"])


@dataclass
class Timing:
    """Wall and CPU seconds of a `timed()` block (CPU: this process only)."""

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timed() -> Iterator[Timing]:
    """Time the block; the CPU time leaves out what other processes take from a busy machine."""
    timing = Timing()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield timing
    finally:
        timing.wall = time.perf_counter() - wall
        timing.cpu = time.process_time() - cpu


@dataclass
class Memory:
    """Peak traced Python memory of a `traced_memory()` block, and the process's max RSS."""

    peak_mb: float = 0.0
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0


@contextmanager
def traced_memory() -> Iterator[Memory]:
    memory = Memory(rss_before_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    tracemalloc.start()
    try:
        yield memory
    finally:
        memory.peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        memory.rss_after_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_checks(checks: Mapping[str, bool]) -> int:
    """One line per target, and the exit status: 0 when every target is met."""
    for name, ok in checks.items():
        print(f"  {'OK ' if ok else 'NO '} {name}")
    return 0 if all(checks.values()) else 1


@contextmanager
def replay(command: list[str]) -> Iterator[str]:
    """A replay server run as `python -m <command> --port-file F`, in its own process.

    Its own process so that its memory does not count in ours; yields the URL it writes.
    """
    with tempfile.TemporaryDirectory() as tmp:
        url_file = Path(tmp) / "url"
        process = subprocess.Popen(
            [sys.executable, "-m", *command, "--port-file", str(url_file)], cwd=ROOT
        )
        try:
            for _ in range(400):
                if url_file.exists() and url_file.read_text().strip():
                    break
                if process.poll() is not None:
                    raise RuntimeError(f"replay server {command} exited with {process.returncode}")
                time.sleep(0.05)
            else:
                raise RuntimeError(f"replay server {command} gave no URL within 20 s")
            yield url_file.read_text().strip()
        finally:
            process.terminate()
            process.wait(timeout=10)


def serve(routes: Mapping[str, Any], path: str, port_file: Path) -> None:
    """Serve `routes` until SIGTERM, writing the URL of `path` to `port_file` (see `replay`)."""
    from demo.replay import ReplayServer

    server = ReplayServer(dict(routes)).start()
    port_file.write_text(server.url + path + "\n", encoding="utf-8")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()


# Harvest benchmarks ------------------------------------------------------------------------


@dataclass
class HarvestBench:
    """What one harvester's benchmark measures; `run_harvest_bench` does the rest."""

    name: str  # "udata", "csw": names the harvest sources
    database: str
    site_id: str
    redis_db: int
    harvester_type: str
    body_kind: str
    noun: str  # "datasets", "records"
    source_noun: str  # "source", "catalogue"
    # `python -m` command (without --port-file) of a replay server of N generated records.
    replay_command: Callable[[int], list[str]]
    # The N records as the harvester maps them (mapping done before the timing starts).
    mapped: Callable[[int, str], Iterable[dict[str, Any]]]
    source_config: dict[str, Any] = field(default_factory=dict)


def harvest_arguments(parser: argparse.ArgumentParser, noun: str) -> None:
    parser.add_argument("--n", type=positive, default=2000, help=f"{noun} harvested (2000)")
    parser.add_argument("--big", type=positive, default=50000, help=f"{noun} gathered (50000)")
    parser.add_argument(
        "--no-solr-commit",
        action="store_true",
        help="ckan.search.solr_commit = false for the whole run (Solr's own autocommit)",
    )


def ceiling(spec: HarvestBench, n: int, url: str, label: str) -> Timing:
    """Time of a plain package_create loop over the harvester's own mapping of N records."""
    import ckan.plugins.toolkit as tk

    from ckanext.datagrandest.harvesters.dedup import KEYS_FIELD
    from ckanext.datagrandest.harvesters.sanitize import clean_dataset

    org_id = organization(label, spec.body_kind)
    datasets: list[dict[str, Any]] = []
    for data in spec.mapped(n, url):
        data = clean_dataset(data)
        data.pop(KEYS_FIELD, None)
        # Other names, identifiers and landing pages: the harvest later must neither collide
        # with these nor merge into them (deduplication matches on identifier and page).
        data.update(
            name=f"{label}-{len(datasets)}",
            owner_org=org_id,
            identifier=f"{data['identifier']}#{label}",
        )
        if data.get("url"):
            data["url"] = f"{data['url']}#{label}"
        datasets.append(data)
    with timed() as timing:
        for data in datasets:
            tk.get_action("package_create")({**context(), "return_id_only": True}, data)
    return timing


def harvest_source(spec: HarvestBench, url: str, name: str) -> str:
    import json

    import ckan.plugins.toolkit as tk

    source = tk.get_action("harvest_source_create")(
        context(),
        {
            "name": name,
            "title": name,
            "url": url,
            "source_type": spec.harvester_type,
            "config": json.dumps(spec.source_config),
            "owner_org": organization(f"{name}-org", spec.body_kind),
        },
    )
    return str(source["id"])


def active_datasets() -> int:
    """Active datasets in the database (a harvest merging into existing ones adds none)."""
    import ckan.model as model

    query = model.Session.query(model.Package)
    return query.filter(model.Package.type == "dataset", model.Package.state == "active").count()


def _running_job(source_id: str) -> Any:
    import ckan.plugins.toolkit as tk

    from ckanext.harvest.model import HarvestJob

    job = tk.get_action("harvest_job_create")(context(), {"source_id": source_id, "run": False})
    job_obj = HarvestJob.get(job["id"])
    job_obj.status = "Running"
    job_obj.save()
    return job_obj


def harvest(harvester_type: str, source_id: str) -> tuple[Timing, dict[str, int]]:
    """One whole job as the queues would run it (gather, fetch+import each, finish)."""
    import ckan.plugins.toolkit as tk

    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject

    job = _running_job(source_id)
    harvester = queue.get_harvester(harvester_type)
    with timed() as timing:
        for object_id in queue.gather_stage(harvester, job) or []:
            queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
        tk.get_action("harvest_jobs_run")(context(), {"source_id": source_id})
    stats = tk.get_action("harvest_job_show")(context(), {"id": job.id})["stats"]
    return timing, {k: v for k, v in stats.items() if v}


def reindex() -> tuple[Timing, int]:
    """A full rebuild of the search index (``ckan search-index rebuild``), and its size."""
    from ckan.lib.search import rebuild

    datasets = active_datasets()
    with timed() as timing:
        rebuild(force=True)
    return timing, datasets


def gather_memory(harvester_type: str, source_id: str) -> tuple[Memory, int, float]:
    """Memory of one gather, harvest objects it created, and its seconds."""
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject, Session

    job = _running_job(source_id)
    harvester = queue.get_harvester(harvester_type)
    with traced_memory() as memory, timed() as timing:
        queue.gather_stage(harvester, job)
    created = Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job.id).count()
    return memory, created, timing.wall


def run_harvest_bench(spec: HarvestBench, args: argparse.Namespace) -> int:
    """Ceiling, first harvest, ceiling again, re-harvest, reindex, big gather; prints ratios."""
    env = environment(spec.database, spec.site_id, spec.redis_db)
    setup_database(spec.database, env, empty=True)
    app = load_app(env, solr_commit=not args.no_solr_commit)
    noun, n = spec.noun, args.n
    with app.test_request_context("/"), replay(spec.replay_command(n)) as url:
        # The ceiling runs before and after the harvest, and the two are averaged, so a
        # catalogue growing or Solr slowing down during the run does not favour either side.
        print(f"bench: {n} {noun} from {url}; ceiling (package_create loop)...", flush=True)
        ceiling_before = ceiling(spec, n, url, "plafond-avant")
        source_id = harvest_source(spec, url, f"banc-essai-{spec.name}")
        print("bench: first harvest...", flush=True)
        before = active_datasets()
        first, first_stats = harvest(spec.harvester_type, source_id)
        new_datasets = active_datasets() - before
        print("bench: ceiling again...", flush=True)
        ceiling_after = ceiling(spec, n, url, "plafond-apres")
        print(f"bench: second harvest of the unchanged {spec.source_noun}...", flush=True)
        second, second_stats = harvest(spec.harvester_type, source_id)
        print("bench: full reindex of the catalogue...", flush=True)
        rebuilt, indexed = reindex()
    with app.test_request_context("/"), replay(spec.replay_command(args.big)) as url:
        print(f"bench: gather of {args.big} {noun}...", flush=True)
        big_source = harvest_source(spec, url, f"banc-essai-{spec.name}-gros")
        memory, created, gather_time = gather_memory(spec.harvester_type, big_source)

    average = (ceiling_before.wall + ceiling_after.wall) / 2
    average_cpu = (ceiling_before.cpu + ceiling_after.cpu) / 2
    ceiling_rate, first_rate = n / average, n / first.wall
    ratio, speedup = first_rate / ceiling_rate, first.wall / second.wall
    print(
        f"package_create loop (ceiling): {average:8.1f} s  {ceiling_rate:6.1f} datasets/s"
        f"  (before {ceiling_before.wall:.1f} s, after {ceiling_after.wall:.1f} s;"
        f" CPU of this process {average_cpu:.1f} s)"
    )
    print(
        f"first harvest:                 {first.wall:8.1f} s  {first_rate:6.1f} datasets/s"
        f"  {first_stats}, {new_datasets} new datasets (CPU {first.cpu:.1f} s)"
    )
    print(
        f"ratio first harvest / ceiling: {ratio:8.2f}  (target >= 0.8; "
        f"CPU ratio {average_cpu / first.cpu:.2f})"
    )
    print(f"unchanged re-harvest:          {second.wall:8.1f} s  {second_stats}")
    print(f"re-harvest speed-up:           {speedup:8.1f}x (target >= 10x)")
    print(
        f"full reindex:                  {rebuilt.wall:8.1f} s  {indexed} datasets, "
        f"{1000 * rebuilt.wall / max(indexed, 1):.1f} ms per dataset "
        f"(CPU {1000 * rebuilt.cpu / max(indexed, 1):.1f} ms)"
    )
    print(
        f"gather of {args.big}: {gather_time:.1f} s, {created} objects, "
        f"peak traced memory {memory.peak_mb:.1f} MB (target < 300), "
        f"process max RSS {memory.rss_before_mb:.0f} -> {memory.rss_after_mb:.0f} MB"
    )
    return print_checks(
        {
            "first harvest >= 0.8 x ceiling": ratio >= 0.8,
            "unchanged re-harvest >= 10x faster": speedup >= 10,
            "gather peak < 300 MB": memory.peak_mb < 300,
            f"every {noun[:-1]} added then not modified": first_stats == {"added": n}
            and second_stats == {"not modified": n},
            # Otherwise the harvest merged into the ceiling's datasets and timed no creation.
            f"the first harvest created {n} datasets": new_datasets == n,
            f"every {noun[:-1]} gathered": created == args.big,
        }
    )
