"""Benchmark at scale: a catalogue of N datasets (default 50,000): reindex, search, DCAT, harvest.

Own database ``ckan_bench_scale`` and search-index site id ``dge_bench_scale`` (Redis DB 8),
never the demo's or the tests'. One run, in order:

1. **Generator**: 40 publishers (the région, its 10 départements, its 20 most populous EPCIs,
   its 9 biggest communes) and N datasets of our schema, 1 to 6 resources each, territories
   spread as the region's data is: communes drawn by population inside the publisher's area,
   EPCIs, départements, the région. Written by a **bulk path** (``BulkWriter``): each dataset
   validated by the same schema as ``package_create`` (scheming, our validators), the rows
   ``package_dict_save`` and ``package_owner_org_update`` write inserted by batch, in
   ``--workers`` forked processes; a sample made both ways is compared through
   ``package_show``. No activity record, default views or create hooks; nothing indexed (step 2
   builds the index). ``--keep`` reuses a catalogue of the same N left by an earlier run.
2. **Reindex** (CKAN's ``search.rebuild``, what ``ckan search-index rebuild`` runs) of the
   whole catalogue, or of a ``--reindex-n`` sample, in one subprocess, slice by slice: each
   slice without our index hooks (our ``before_dataset_index`` and ``after_dataset_show`` as
   no-ops, every other plugin as configured), then with them, so that both sides meet the same
   load; datasets/s, target ours <= 1.3x the time without them. The index left is ours. With a
   sample, the whole index is first built by ``ckan search-index rebuild-fast`` (timed), unless
   ``--index-sample-only`` (then searches and pages see the sample only).
3. **Searches** through ``package_search`` (what the web pages and the API call), each kind
   ``--rounds`` times on varied terms so Solr's result cache does not answer for it: free text,
   a territory filter on a commune, an EPCI, a département (with the hierarchy, and the same
   codes as an exact filter without it, alternated, ``4 * --rounds`` places, ids only and full
   pages), each facet, sorted by modification date, and all of it together; p50/p95, targets
   p95 <= 300 ms and hierarchy <= 1.2x without (``bench/scale_search.py`` says why ids only).
4. **DCAT catalogue**: ``/catalog.ttl`` pages 1 and 400 of 100 (the last page when the index
   holds fewer than 40,000) through the web app, median of ``--rounds`` / 3 alternated; target
   <= 1.5x apart.
5. **Harvest** of ``--harvest-n`` records from a local udata-style server with production's
   processes: ``ckan harvester gather-consumer`` and 1, then 2, ``fetch-consumer`` on Redis;
   datasets/s and the speed-up of the second consumer.
6. **Memory**: max RSS of this process (the web side: searches and DCAT pages), of each
   consumer, and Solr's heap in use.

    nice .venv/bin/python -m bench scale [--n 50000] [--harvest-n N] [--rounds 30] [--keep]
        [--reindex-n K [--index-sample-only]] [--skip-reindex] [--skip-harvest] [--skip-search]
        [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench import common, scale_search

DATABASE = "ckan_bench_scale"
SITE_ID = "dge_bench_scale"
REDIS_DB = 8
ORG_PREFIX = "echelle"
PAGE_SIZE = 100
FAR_PAGE = 400
BATCH = 500  # datasets a commit of the bulk path
REINDEX_SLICES = 10
THEMES = ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI"]
THEMES += ["SOCI", "TECH", "TRAN"]
FORMATS = ["CSV", "CSV", "CSV", "JSON", "GeoJSON", "SHP", "XLSX", "PDF", "ZIP", "WMS_SRVC"]
LICENCES = ["etalab-2.0", "etalab-2.0", "etalab-2.0", "odc-odbl", "cc-by-4.0", "cc-zero-1.0"]
FREQUENCIES = ["ANNUAL", "MONTHLY", "DAILY", "IRREG", "QUARTERLY", "NEVER"]
SUBJECTS = [
    "comptages routiers",
    "qualité de l'air",
    "budget primitif",
    "arrêts de transport en commun",
    "équipements sportifs",
    "plan local d'urbanisme",
    "consommation d'énergie",
    "collecte des déchets",
    "bornes de recharge",
    "pistes cyclables",
    "effectifs scolaires",
    "zones inondables",
    "marchés publics",
    "subventions aux associations",
    "délibérations du conseil",
    "stationnement",
]
WORDS = ["budget", "air", "transport", "déchets", "urbanisme", "énergie", "vélo", "école"]
FACETS = [
    "organization",
    "vocab_departements",
    "vocab_communes",
    "vocab_body_kind",
    "vocab_theme",
    "res_format",
    "license_id",
]


# 1. The catalogue ----------------------------------------------------------------------------


def _publishers() -> list[tuple[str, str, str, list[str]]]:
    """(name, title, kind, territory codes the publisher draws its datasets from)."""
    from ckanext.datagrandest import territories as t

    def by_population(kind: str, count: int) -> list[Any]:
        found = t.territories(kind)  # type: ignore[arg-type]
        return sorted(found, key=lambda x: -(t.population(x.code) or 0))[:count]

    result = [(f"{ORG_PREFIX}-region", "Région Grand Est", "region", ["44"])]
    for dep in t.territories("departement"):
        result.append((f"{ORG_PREFIX}-dep-{dep.code}", dep.name, "departement", [dep.code]))
    for epci in by_population("epci", 20):
        result.append((f"{ORG_PREFIX}-epci-{epci.code}", epci.name, "epci", [epci.code]))
    for commune in by_population("commune", 9):
        title = f"Ville de {commune.name}"
        result.append((f"{ORG_PREFIX}-com-{commune.code}", title, "commune", [commune.code]))
    return result


class Places:
    """Territories for a publisher's datasets: its own area, or communes inside it by size."""

    def __init__(self) -> None:
        from ckanext.datagrandest import territories as t

        self.t = t
        self.departements = [d.code for d in t.territories("departement")]
        self.epcis = [e.code for e in t.territories("epci")]
        self.communes: dict[str, tuple[list[str], list[int]]] = {}

    def _communes_in(self, code: str) -> tuple[list[str], list[int]]:
        if code not in self.communes:
            area = self.t.get(code)
            every = self.t.territories("commune")
            if area is None or area.kind == "region":
                codes = [c.code for c in every]
            elif area.kind == "departement":
                codes = [c.code for c in every if c.departement == code]
            else:
                codes = [c.code for c in self.t.children(code) if c.kind == "commune"] or [code]
            self.communes[code] = (codes, [max(self.t.population(c) or 1, 1) for c in codes])
        return self.communes[code]

    def pick(self, rng: random.Random, kind: str, area: str) -> list[str]:
        """The publisher's whole area a third of the time, else communes (a few: several)."""
        roll = rng.random()
        if kind == "commune" or roll < 0.35:
            return [area]
        if kind == "region" and roll < 0.55:
            return [rng.choice(self.departements)]
        if kind == "region" and roll < 0.7:
            return [rng.choice(self.epcis)]
        codes, weights = self._communes_in(area)
        return sorted(set(rng.choices(codes, weights=weights, k=1 if roll < 0.9 else 3)))


def _dataset(
    rng: random.Random,
    index: int,
    org: tuple[str, str, str, list[str]],
    places: Places,
    org_id: str,
) -> dict[str, Any]:
    subject = rng.choice(SUBJECTS)
    where = places.pick(rng, org[2], org[3][0])
    from ckanext.datagrandest import territories as t

    place = t.get(where[0])
    place_name = place.name if place else "Grand Est"
    resources = []
    for number in range(rng.randint(1, 6)):
        fmt = rng.choice(FORMATS)
        resources.append(
            {
                "url": f"https://donnees.exemple.fr/{index}/{number}.{fmt.lower()}",
                "name": f"{subject.capitalize()} {2018 + number}",
                "format": fmt,
            }
        )
    year = rng.randint(2015, 2025)
    changed = min(year + rng.randint(0, 3), 2025)
    return {
        "name": f"{ORG_PREFIX}-{index}",
        "title": f"{subject.capitalize()} – {place_name} ({index})",
        "notes": f"Données {subject} pour {place_name}, publiées par {org[1]}. Jeu n° {index}.",
        "owner_org": org_id,
        "territories": where,
        "theme": rng.sample(THEMES, rng.randint(1, 2)),
        "license_id": rng.choice(LICENCES),
        "frequency": rng.choice(FREQUENCIES),
        "tag_string": ",".join(rng.sample(WORDS, 2)),
        "issued": f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "modified": f"{changed}-1{rng.randint(0, 2)}-2{rng.randint(0, 8)}",
        "resources": resources,
    }


@contextmanager
def _no_synchronous_indexing() -> Iterator[None]:
    """CKAN's IDomainObjectModification indexer off: the actions write, nothing is indexed."""
    from ckan.lib.search import SynchronousSearchPlugin

    notify = SynchronousSearchPlugin.notify
    SynchronousSearchPlugin.notify = lambda self, entity, operation: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        SynchronousSearchPlugin.notify = notify  # type: ignore[method-assign]


class BulkWriter:
    """``package_create``'s rows for many datasets, written by batch.

    Each dataset goes through the same schema validation as ``package_create`` (scheming, our
    validators, CKAN's: ``plugin_validate``, one call per dataset); the rows are those
    ``package_dict_save`` and ``package_owner_org_update`` write for a new dataset (package,
    package_extra, resource, tag and package_tag, the organisation's member row), built in
    Python by the same column rules (``DomainObject.from_dict``: a column missing from the
    dict and marked ``remove_if_not_provided`` is blanked; a resource's other keys go to its
    ``extras``) and inserted with one ``executemany`` per table and batch instead of the
    ORM's ten queries and flush per dataset. Left out, as before: the activity record, default
    resource views, the plugins' create hooks. ``sample_identity`` checks the result.
    """

    unknown_tags = "create"  # "refuse" in the workers of `_fill_in_workers`

    def __init__(self) -> None:
        import ckan.lib.plugins as lib_plugins
        import ckan.model as model

        self.model = model
        self.plugin = lib_plugins.lookup_package_plugin("dataset")
        self.context = {**common.context(), "model": model, "session": model.Session}
        user = model.User.by_name(self.context["user"])
        self.user_id = user.id if user else None
        self.tags: dict[tuple[str, str | None], str] = {
            (name, vocabulary): tag_id
            for tag_id, name, vocabulary in model.Session.execute(
                model.tag_table.select().with_only_columns(
                    model.tag_table.c.id, model.tag_table.c.name, model.tag_table.c.vocabulary_id
                )
            )
        }
        self.rows: dict[Any, list[dict[str, Any]]] = {}

    def _row(self, table: Any, data: dict[str, Any]) -> dict[str, Any]:
        """The columns ``from_dict`` sets on a new object from `data`."""
        row = {}
        for column in table.c:
            if column.name in data:
                row[column.name] = data[column.name]
            elif column.doc == "remove_if_not_provided":
                row[column.name] = None if column.nullable else ""
        return row

    def _add(self, table: Any, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def add(self, data: dict[str, Any]) -> str:
        """Validate one dataset as ``package_create`` does and queue its rows; its id."""
        import datetime
        import uuid

        import ckan.lib.plugins as lib_plugins
        import ckan.plugins.toolkit as tk

        model = self.model
        data = {"type": "dataset", **data}  # package_create's default
        valid, errors = lib_plugins.plugin_validate(
            # A new schema each time, as package_create: validation changes the one it is given
            # (a second dataset validated with it lost its extras: territories, themes...).
            self.plugin,
            dict(self.context),
            data,
            self.plugin.create_package_schema(),
            "package_create",
        )
        if errors:
            raise tk.ValidationError(errors)
        if valid.get("groups") or "relationships_as_subject" in valid:
            raise NotImplementedError("the bulk path writes no group or relationship")
        now = datetime.datetime.utcnow()
        package_id = str(uuid.uuid4())
        valid.pop("metadata_created", None)
        valid.pop("metadata_modified", None)
        valid.pop("plugin_data", None)  # kept by package_create for sysadmins' plugin_data only
        package = self._row(model.package_table, valid)
        package.update(id=package_id, creator_user_id=self.user_id)
        for column, default in (("metadata_created", now), ("metadata_modified", now)):
            package.setdefault(column, default)
        package.setdefault("private", False)
        package.setdefault("state", "active")
        package.setdefault("type", "dataset")
        self._add(model.package_table, package)
        columns = {column.name for column in model.resource_table.c}
        for position, given in enumerate(valid.get("resources") or []):
            res = dict(given)
            for ignored in ("extras", "revision_timestamp", "tracking_summary"):
                res.pop(ignored, None)
            if res.get("url") and res.get("url_type") == "upload":
                res["url"] = res["url"].rsplit("/")[-1]
            # Resource.__init__ starts these four at '' (the others at None).
            row: dict[str, Any] = {"url": "", "format": "", "description": "", "hash": ""}
            row.update(self._row(model.resource_table, res))
            row.update(
                id=row.get("id") or str(uuid.uuid4()),
                package_id=package_id,
                position=position,
                state="active",
                extras={k: v for k, v in res.items() if k not in columns},
            )
            row.setdefault("created", now)
            row["metadata_modified"] = now
            self._add(model.resource_table, row)
        seen = set()
        for tag in valid.get("tags") or []:
            key = (tag["name"], tag.get("vocabulary_id"))
            if key in seen:
                continue
            seen.add(key)
            if key not in self.tags:
                if self.unknown_tags == "refuse":
                    raise RuntimeError(f"bench: tag {key} not created before the workers")
                self.tags[key] = str(uuid.uuid4())
                self._add(
                    model.tag_table, {"id": self.tags[key], "name": key[0], "vocabulary_id": key[1]}
                )
            self._add(
                model.package_tag_table,
                {
                    "id": str(uuid.uuid4()),
                    "package_id": package_id,
                    "tag_id": self.tags[key],
                    "state": "active",
                },
            )
        for extra in valid.get("extras") or []:
            if extra.get("deleted") or extra["value"] is None:
                continue
            self._add(
                model.package_extra_table,
                {
                    "id": str(uuid.uuid4()),
                    "package_id": package_id,
                    "key": extra["key"],
                    "value": extra["value"],
                    "state": "active",
                },
            )
        if package.get("owner_org"):
            self._add(
                model.member_table,
                {
                    "id": str(uuid.uuid4()),
                    "table_name": "package",
                    "table_id": package_id,
                    "capacity": "organization",
                    "group_id": package["owner_org"],
                    "state": "active",
                },
            )
        return package_id

    def write(self) -> None:
        """Insert the queued rows (one executemany per table, in foreign-key order); no commit."""
        model = self.model
        for table in (
            model.package_table,
            model.tag_table,
            model.package_tag_table,
            model.package_extra_table,
            model.resource_table,
            model.member_table,
        ):
            # One executemany per set of columns, as the ORM batches: a column left out gets
            # its default (a resource without a size, a dataset without a version).
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row in self.rows.get(table, []):
                by_columns.setdefault(tuple(sorted(row)), []).append(row)
            for rows in by_columns.values():
                model.Session.execute(table.insert(), rows)
        self.rows = {}


def bulk_create(data: dict[str, Any]) -> str:
    """One dataset by the bulk path (``BulkWriter``), not committed: its id."""
    writer = BulkWriter()
    package_id = writer.add(data)
    writer.write()
    return package_id


VARYING = {"id", "name", "metadata_created", "metadata_modified", "package_id", "created"}


def _comparable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k not in VARYING}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _differences(action: Any, bulk: Any, where: str = "") -> Iterator[str]:
    """Where two ``package_show`` results differ: one line per differing value."""
    if isinstance(action, dict) and isinstance(bulk, dict):
        for key in sorted(set(action) | set(bulk)):
            yield from _differences(
                action.get(key, "<absent>"), bulk.get(key, "<absent>"), f"{where}.{key}"
            )
    elif isinstance(action, list) and isinstance(bulk, list) and len(action) == len(bulk):
        for number, (one, other) in enumerate(zip(action, bulk, strict=True)):
            yield from _differences(one, other, f"{where}[{number}]")
    elif action != bulk:
        yield f"{where or '.'}: package_create {action!r}, bulk path {bulk!r}"


def sample_identity(rng: random.Random, publishers: list[Any], ids: list[str], size: int) -> int:
    """Datasets the bulk path and ``package_create`` make of the same payloads that differ
    (besides ids, names and times); the sample is purged afterwards."""
    import copy

    import ckan.model as model
    import ckan.plugins.toolkit as tk

    places, different, made = Places(), 0, []
    for index in range(size):
        which = index % len(publishers)
        data = _dataset(rng, 900000 + index, publishers[which], places, ids[which])
        by_action = tk.get_action("package_create")(
            {**common.context(), "return_id_only": True}, copy.deepcopy(data)
        )
        by_bulk = bulk_create({**copy.deepcopy(data), "name": f"{data['name']}-lot"})
        model.repo.commit()
        made += [by_action, by_bulk]
        shown = [
            tk.get_action("package_show")(common.context(), {"id": i}) for i in (by_action, by_bulk)
        ]
        if _comparable(shown[0]) != _comparable(shown[1]):
            different += 1
            print(f"bench: bulk path differs on {data['name']}:", flush=True)
            for line in _differences(_comparable(shown[0]), _comparable(shown[1])):
                print(f"  {line}", flush=True)
    for made_id in made:
        tk.get_action("dataset_purge")(common.context(), {"id": made_id})
    return different


def _fill(payloads: list[dict[str, Any]], label: str) -> None:
    """Write `payloads` by the bulk path, one commit per ``BATCH``, printing the rate."""
    import ckan.model as model

    writer, start = BulkWriter(), time.perf_counter()
    for done, data in enumerate(payloads, 1):
        writer.add(data)
        if done % BATCH == 0 or done == len(payloads):
            writer.write()
            model.repo.commit()
        if done % 5000 == 0:
            rate = done / (time.perf_counter() - start)
            print(f"bench: {label}{done} datasets written ({rate:.0f}/s)", flush=True)


def _fill_in_workers(payloads: list[dict[str, Any]], workers: int) -> None:
    """`_fill` in `workers` forked processes, each on its slice with its own connections.

    The parent writes the first batch alone, so that every tag the generator uses exists
    before the workers start (two workers must not both create one: no unique index holds a
    tag without vocabulary).
    """
    import multiprocessing

    import ckan.model as model

    _fill(payloads[:BATCH], "")
    rest = payloads[BATCH:]
    if workers <= 1 or not rest:
        _fill(rest, "")
        return
    model.Session.remove()
    fork = multiprocessing.get_context("fork")

    def work(number: int) -> None:
        model.meta.engine.dispose(close=False)  # the parent's connections stay the parent's
        BulkWriter.unknown_tags = "refuse"
        _fill(rest[number::workers], f"worker {number + 1}: ")

    processes = [fork.Process(target=work, args=(number,)) for number in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"bench: a worker of the bulk path failed (exit codes {failed})")


def generate(n: int, seed: int, sample: int, workers: int) -> tuple[float, int]:
    """The publishers and N datasets by the bulk path; its seconds and the sample's differences."""
    import ckan.plugins.toolkit as tk

    rng = random.Random(seed)
    publishers = _publishers()
    ids = []
    for name, title, kind, area in publishers:
        org = tk.get_action("organization_create")(
            common.context(), {"name": name, "title": title, "body_kind": kind, "territories": area}
        )
        ids.append(org["id"])
    with _no_synchronous_indexing():
        different = sample_identity(random.Random(seed + 1), publishers, ids, sample)
        places = Places()
        # A few big publishers hold most datasets, as on the portal.
        weights = [12, *[3] * 10, *[2] * 20, *[1] * 9]
        payloads = []
        for index in range(n):
            which = rng.choices(range(len(publishers)), weights=weights)[0]
            payloads.append(_dataset(rng, index, publishers[which], places, ids[which]))
        with common.timed() as timing:
            _fill_in_workers(payloads, workers)
    return timing.wall, different


# 2. Reindex ----------------------------------------------------------------------------------

LOGS = common.ROOT / ".state" / "log"
REINDEX = textwrap.dedent(
    """
    import json, resource, sys, time
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(sys.argv[1]))._wsgi_app
    ids, rounds = json.loads(sys.stdin.read()), int(sys.argv[2])
    from ckanext.datagrandest.plugin import DataGrandEstPlugin as plugin
    import ckan.lib.search as search
    hooks = {
        "on": {
            "before_dataset_index": plugin.before_dataset_index,
            "after_dataset_show": plugin.after_dataset_show,
        },
        "off": {
            "before_dataset_index": lambda self, pkg_dict: pkg_dict,
            "after_dataset_show": lambda self, context, pkg_dict: pkg_dict,
        },
    }
    totals = {side: [0.0, 0.0] for side in hooks}
    with app.test_request_context("/"):
        for chunk in (ids[number::rounds] for number in range(rounds)):
            for side in ("off", "on"):  # ours last: the index left is ours
                for name, hook in hooks[side].items():
                    setattr(plugin, name, hook)
                wall, cpu = time.perf_counter(), time.process_time()
                search.rebuild(package_ids=chunk, defer_commit=True, quiet=True)
                search.commit()
                totals[side][0] += time.perf_counter() - wall
                totals[side][1] += time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT", json.dumps({"totals": totals, "rss": rss}))
    """
)


def reindex(env: dict[str, str], ids: list[str], rounds: int) -> dict[str, tuple[float, float]]:
    """Wall and CPU s of indexing `ids` with our hooks ("on") and without ("off"), and max RSS.

    One fresh process indexes the datasets in `rounds` slices, each slice without our hooks
    then with them (CKAN's ``search.rebuild`` of those ids, ``defer_commit``, a commit per
    slice): both sides meet the same load of the shared machine, slice after slice. Ours
    always comes second, so it always replaces documents (the conservative side).
    """
    import json

    LOGS.mkdir(parents=True, exist_ok=True)
    with open(LOGS / "bench-scale-reindex.log", "wb") as log:
        done = subprocess.run(
            [sys.executable, "-c", REINDEX, str(common.CONFIG), str(rounds)],
            env={**os.environ, **env},
            check=True,
            input=json.dumps(ids),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=common.ROOT,
        )
    result = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")][-1]
    found = json.loads(result.split(" ", 1)[1])
    sides = {side: (wall, cpu) for side, (wall, cpu) in found["totals"].items()}
    return {**sides, "rss": (found["rss"], 0.0)}


def rebuild_fast(env: dict[str, str]) -> float:
    """Seconds of CKAN's ``ckan search-index rebuild-fast`` (one process a core), our hooks."""
    LOGS.mkdir(parents=True, exist_ok=True)
    with common.timed() as timing, open(LOGS / "bench-scale-rebuild-fast.log", "wb") as log:
        subprocess.run(
            [
                str(common.ROOT / ".venv/bin/ckan"),
                "-c",
                str(common.CONFIG),
                "search-index",
                "rebuild-fast",
            ],
            env={**os.environ, **env},
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=common.ROOT,
        )
    return timing.wall


# 3. Searches ---------------------------------------------------------------------------------


def _ms(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def searches(rounds: int, seed: int) -> scale_search.Searches:
    """See ``bench/scale_search.py``: the searches, and the hierarchy against the exact field."""
    return scale_search.measure(rounds, seed)


# 4. DCAT pages -------------------------------------------------------------------------------


def dcat_pages(app: Any, far: int, rounds: int) -> tuple[dict[int, list[float]], list[str]]:
    """Milliseconds of each page per round, and what a consumer would object to."""
    client = app.test_client()
    times: dict[int, list[float]] = {1: [], far: []}
    problems = []
    for page in (1, far):  # warm-up, and the answer checked once
        answer = client.get(f"/catalog.ttl?page={page}")
        content_type = answer.headers.get("Content-Type", "")
        if answer.status_code != 200 or "charset=utf-8" not in content_type.lower():
            problems.append(f"page {page}: {answer.status_code} {content_type}")
    for index in range(rounds):
        for page in (1, far) if index % 2 == 0 else (far, 1):
            times[page].append(_ms(lambda p=page: client.get(f"/catalog.ttl?page={p}")))
    return times, problems


# 5. Harvest with the consumers -----------------------------------------------------------------


def _consumer(kind: str, label: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    LOGS.mkdir(parents=True, exist_ok=True)
    with open(LOGS / f"bench-scale-{label.replace(' ', '')}.log", "wb") as log:
        return subprocess.Popen(
            [str(common.ROOT / ".venv/bin/ckan"), "-c", str(common.CONFIG), "harvester", kind],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=common.ROOT,
        )


def _max_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _wait_until_loaded(labels: list[str]) -> None:
    """Until each consumer has loaded CKAN (its last start-up line), at most two minutes."""
    deadline = time.monotonic() + 120
    for label in labels:
        log = LOGS / f"bench-scale-{label.replace(' ', '')}.log"
        while time.monotonic() < deadline and "Loading templates" not in log.read_text():
            time.sleep(0.5)
    time.sleep(2)


def harvest_source(url: str) -> str:
    import json

    import ckan.plugins.toolkit as tk

    name = f"{ORG_PREFIX}-moisson"
    try:  # left by an earlier run with --keep: its server's port was another
        found = tk.get_action("harvest_source_show")(common.context(), {"id": name})
    except tk.ObjectNotFound:
        pass
    else:
        if found["url"] != url:
            tk.get_action("harvest_source_patch")(common.context(), {"id": name, "url": url})
        return str(found["id"])
    owner = tk.get_action("organization_create")(
        common.context(),
        {"name": f"{name}-org", "title": name, "body_kind": "departement", "territories": ["67"]},
    )
    source = tk.get_action("harvest_source_create")(
        common.context(),
        {
            "name": name,
            "title": name,
            "url": url,
            "source_type": "datagrandest_udata",
            "config": json.dumps({"organizations": ["banc-essai"], "page_size": 100}),
            "owner_org": owner["id"],
        },
    )
    return str(source["id"])


def harvest(
    source_id: str, env: dict[str, str], n: int, fetchers: int
) -> tuple[float, dict[str, float]]:
    """Seconds from the job's start to its last object imported, and each consumer's max RSS.

    The consumers are started (and have loaded CKAN) before the job; the source is cleared
    afterwards, so that the next run creates every dataset again.
    """
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    from ckanext.harvest.model import HarvestGatherError, HarvestObject

    processes = {"gather": _consumer("gather-consumer", "gather", env)}
    for number in range(fetchers):
        label = f"fetch {number + 1}"
        processes[label] = _consumer("fetch-consumer", label, env)
    rss: dict[str, float] = {}
    try:
        _wait_until_loaded(list(processes))
        # A job an interrupted run left running would refuse the new one: close what is done.
        tk.get_action("harvest_jobs_run")(common.context(), {"source_id": source_id})
        job = tk.get_action("harvest_job_create")(
            common.context(), {"source_id": source_id, "run": True}
        )
        start = time.perf_counter()
        done = 0
        while done < n:
            time.sleep(0.5)
            for label, process in processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"the {label} consumer exited with {process.returncode}")
            model.Session.remove()
            failed = (
                model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job["id"]).first()
            )
            if failed is not None:  # no object will come: say why instead of waiting
                raise RuntimeError(f"the gather failed: {failed.message}")
            done = (
                model.Session.query(HarvestObject)
                .filter(
                    HarvestObject.harvest_job_id == job["id"],
                    # The base marks an object COMPLETE before the stage records its outcome.
                    (HarvestObject.report_status.isnot(None)) | (HarvestObject.state == "ERROR"),
                )
                .count()
            )
        seconds = time.perf_counter() - start
        for label, process in processes.items():
            rss[label] = _max_rss_mb(process.pid)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=30)
    tk.get_action("harvest_jobs_run")(common.context(), {"source_id": source_id})
    stats = tk.get_action("harvest_job_show")(common.context(), {"id": job["id"]})["stats"]
    if stats.get("added") != n:
        raise RuntimeError(f"the harvest with {fetchers} consumer(s) gave {stats}, not {n} added")
    tk.get_action("harvest_source_clear")(common.context(), {"id": source_id})
    model.Session.remove()
    return seconds, rss


# 6. Solr ---------------------------------------------------------------------------------------


def solr_heap_mb() -> float:
    import ckan.plugins.toolkit as tk
    import requests

    base = tk.config["solr_url"].rstrip("/").rsplit("/", 1)[0]
    info = requests.get(f"{base}/admin/info/system", params={"wt": "json"}, timeout=30).json()
    return float(info["jvm"]["memory"]["raw"]["used"]) / 1e6


# The run ---------------------------------------------------------------------------------------


def _catalogue_size() -> int:
    return common.active_datasets()


def _indexed_count() -> int:
    import ckan.plugins.toolkit as tk

    found = tk.get_action("package_search")(common.context(), {"rows": 0})
    return int(found["count"])


def _dataset_ids() -> list[str]:
    import ckan.model as model

    query = model.Session.query(model.Package.id).filter(model.Package.state == "active")
    return sorted(package_id for (package_id,) in query)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=common.positive, default=50000, help="datasets in the catalogue (50000)"
    )
    parser.add_argument(
        "--harvest-n", type=common.positive, help="records harvested (default: --n)"
    )
    parser.add_argument(
        "--rounds", type=common.positive, default=30, help="repetitions of each search (30)"
    )
    parser.add_argument("--keep", action="store_true", help="reuse a catalogue of the same --n")
    parser.add_argument("--skip-harvest", action="store_true", help="no harvest step")
    parser.add_argument(
        "--skip-search", action="store_true", help="no searches nor DCAT pages (steps 3, 4)"
    )
    parser.add_argument("--skip-reindex", action="store_true", help="no reindex (with --keep)")
    parser.add_argument(
        "--reindex-n",
        type=common.positive,
        help="compare the hooks on a sample of this size (default: the whole catalogue); "
        "the index is then built first by ckan search-index rebuild-fast",
    )
    parser.add_argument(
        "--index-sample-only",
        action="store_true",
        help="with --reindex-n: no full index, searches and DCAT pages see the sample only",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--workers",
        type=common.positive,
        default=2,
        help="processes of the bulk path (2: the cores)",
    )
    parser.add_argument(
        "--sample",
        type=common.non_negative,
        default=20,
        help="datasets made both ways and compared (20)",
    )
    args = parser.parse_args(argv)
    harvest_n = args.harvest_n or args.n
    env = common.environment(DATABASE, SITE_ID, REDIS_DB)
    common.setup_database(DATABASE, env, empty=not args.keep)
    app = common.load_app(env, solr_commit=False)
    checks: dict[str, bool] = {}
    with app.test_request_context("/"):
        existing = _catalogue_size()
        if args.keep and existing >= args.n:
            print(f"bench: reusing the {existing} datasets of {DATABASE}", flush=True)
            created = 0.0
        else:
            if existing:
                sys.exit(f"bench: {DATABASE} has {existing} datasets, not {args.n}: drop --keep")
            print(f"bench: creating {args.n} datasets (bulk path)...", flush=True)
            created, different = generate(args.n, args.seed, args.sample, args.workers)
            print(f"bench:   {created:.1f} s", flush=True)
            print(
                f"bench: bulk path vs package_create on {args.sample} datasets: "
                f"{different} differ",
                flush=True,
            )
            checks[f"bulk path = package_create on a sample of {args.sample}"] = different == 0
        n = _catalogue_size()

    compared: dict[str, tuple[float, float]] = {}
    full = sample = 0.0
    if not args.skip_reindex:
        with app.test_request_context("/"):
            ids = _dataset_ids()
        picked = ids
        if args.reindex_n and args.reindex_n < len(ids):
            picked = sorted(random.Random(args.seed).sample(ids, args.reindex_n))
            if not args.index_sample_only:
                print("bench: full reindex, our hooks (search-index rebuild-fast)...", flush=True)
                full = rebuild_fast(env)
                print(f"bench:   {full:.1f} s", flush=True)
        sample = len(picked)
        if args.index_sample_only:  # only the sample in the index, nothing from earlier runs
            common.clear_index(env)
        print(
            f"bench: reindex of {sample} datasets, without then with our hooks, "
            f"{REINDEX_SLICES} slices...",
            flush=True,
        )
        compared = reindex(env, picked, REINDEX_SLICES)

    times: scale_search.Searches | None = None
    dcat: dict[int, list[float]] = {}
    dcat_problems: list[str] = []
    far = indexed = pages = 0
    if not args.skip_search:
        with app.test_request_context("/"):
            print(f"bench: searches ({args.rounds} of each)...", flush=True)
            times = searches(args.rounds, args.seed)
        with app.test_request_context("/"):
            indexed = _indexed_count()
        pages = -(-indexed // PAGE_SIZE)
        far = min(FAR_PAGE, pages)
        print(f"bench: DCAT pages 1 and {far}...", flush=True)
        dcat, dcat_problems = dcat_pages(app, far, max(5, args.rounds // 3))
    web_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    harvests: dict[int, tuple[float, dict[str, float]]] = {}
    if not args.skip_harvest:
        with (
            app.test_request_context("/"),
            common.replay(["demo.replay", "--synthetic-udata", str(harvest_n)]) as url,
        ):
            source_id = harvest_source(url)
            for fetchers in (1, 2):
                print(f"bench: harvest of {harvest_n}, {fetchers} fetch consumer(s)...", flush=True)
                harvests[fetchers] = harvest(source_id, env, harvest_n, fetchers)
                print(f"bench:   {harvests[fetchers][0]:.1f} s", flush=True)
    with app.test_request_context("/"):
        heap = solr_heap_mb()

    print()
    how = f"created in {created:.0f} s ({n / created:.1f}/s, bulk path)" if created else "reused"
    print(f"catalogue: {n} datasets, 40 publishers, {how}")
    if full:
        print(
            f"full reindex, our hooks, ckan search-index rebuild-fast ({os.cpu_count()} "
            f"processes): {full:7.1f} s  {n / full:6.1f} datasets/s"
        )
    if compared:
        which = "the whole catalogue" if sample == n else "a sample"
        print(
            f"reindex of {sample:.0f} datasets ({which}), search.rebuild in {REINDEX_SLICES} "
            f"slices, each without then with our hooks (max RSS {compared['rss'][0]:.0f} MB):"
        )
        for side, label in (("on", "our hooks"), ("off", "hooks off")):
            wall, cpu = compared[side]
            print(
                f"  {label}: {wall:7.1f} s  {sample / wall:6.1f} datasets/s  "
                f"{1000 * wall / sample:5.1f} ms each (CPU {1000 * cpu / sample:.1f} ms)"
            )
        ratio = compared["on"][0] / compared["off"][0]
        cpu_ratio = compared["on"][1] / compared["off"][1]
        print(f"  ours / hooks off: {ratio:.2f}  (target <= 1.3; CPU {cpu_ratio:.2f})")
        checks["reindex with our hooks <= 1.3x without"] = ratio <= 1.3
    if times is not None:
        scale_search.report(times, args.rounds, indexed, checks)
        first, last = statistics.median(dcat[1]), statistics.median(dcat[far])
        print(
            f"DCAT /catalog.ttl page 1: {first:.0f} ms, page {far}: {last:.0f} ms (median), "
            f"ratio {last / first:.2f} (target <= 1.5)"
        )
        checks[f"DCAT page {far} <= 1.5x page 1"] = last / first <= 1.5
        checks["DCAT pages: 200, text/turtle; charset=utf-8"] = not dcat_problems
        for problem in dcat_problems:
            print(f"  DCAT answer a consumer would misread: {problem}")
        if far < FAR_PAGE:
            print(
                f"  (only {pages} pages of {PAGE_SIZE} at this size: "
                f"page {far} stands for {FAR_PAGE})"
            )
    for fetchers, (seconds, rss) in harvests.items():
        memory = ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items())
        print(
            f"harvest of {harvest_n}, {fetchers} fetch consumer(s): {seconds:7.1f} s "
            f"{harvest_n / seconds:6.1f} datasets/s  (max RSS: {memory})"
        )
    if len(harvests) == 2:
        speedup = harvests[1][0] / harvests[2][0]
        print(
            f"second fetch consumer speed-up: {speedup:.2f}x (2 cores shared with Solr, "
            "PostgreSQL and the gather consumer)"
        )
    print(
        f"memory: this process (web side: searches, DCAT pages) max RSS {web_rss:.0f} MB; "
        f"Solr heap in use {heap:.0f} MB (the whole Solr, other site ids included)"
    )
    return common.print_checks(checks)


if __name__ == "__main__":
    sys.exit(main())
