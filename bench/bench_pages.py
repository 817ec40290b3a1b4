"""Benchmark: server time of the portal's pages against the same pages of stock CKAN.

Runs on its own database and search-index site id per size (``ckan_bench_pages_<n>``, kept
between runs: filling is the slow part), filled with N datasets of our schema spread over 20
publishers, every département and the 13 EU themes, by the bulk path of ``bench scale``
(``bench_scale.bulk_create``) in ``--workers`` processes, then indexed with our index hooks; a
fill that was interrupted resumes. Then, in the same run, child processes
load CKAN's WSGI app from test.ini either with the portal's plugins (``ours``) or with
``ckan.plugins = activity`` (``stock``: CKAN alone, same database and index), warm each page
up, and time whole requests through the full WSGI stack with werkzeug's test client (no HTTP
socket: server time only). Children alternate (ours, stock, stock, ours...) so that a busy
machine slows both alike; each page is timed ``--rounds`` times per child.

Pages: the home page (ours from its cache, see home.py; stock runs its faceted search on every
visit), a search filtered on Strasbourg (``/dataset/?territory=67482``; stock: its search page
given the same Solr filter as ``q``, so it finds and shows the same datasets), a dataset page,
and a territory page (``/territoire/67``; stock has none, so it is compared with its search
page for the same datasets, its nearest page). Prints p50 and p95 wall time per page and variant,
the ratio of the p50s (target <= 1.5) and the CPU-time ratio.

    .venv/bin/python -m bench pages [--n 1000] [--big 10000] [--rounds 20] [--blocks 2]
        [--workers 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

from bench import common

EU = "http://publications.europa.eu/resource/authority/"
THEMES = [
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "INTR",
    "JUST",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
]
STOCK_PLUGINS = "activity"
TARGET = 1.5


def _stock_search(code: str) -> str:
    """Stock CKAN's search page for the same datasets as our territory filter.

    Stock CKAN does not know ``territory=``; the same Solr filter given as ``q`` makes it
    find and render the same datasets, so both pages show the same results.
    """
    from urllib.parse import quote

    from ckanext.datagrandest.search import territory_filter

    return "/dataset/?q=" + quote(territory_filter(code))


# (label, our URL, stock URL)
PAGES = [
    ("home", "/", "/"),
    ("search ?territory=67482", "/dataset/?territory=67482", _stock_search("67482")),
    ("dataset", "/dataset/bench-page-00007", "/dataset/bench-page-00007"),
    ("territory 67", "/territoire/67", _stock_search("67")),
]


def _database(n: int) -> tuple[str, dict[str, str]]:
    name = f"ckan_bench_pages_{n}"
    return name, common.environment(name, f"dge_bench_pages_{n}", 7)


def _app(stock: bool) -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(str(common.CONFIG))
    if stock:
        conf["ckan.plugins"] = STOCK_PLUGINS
    return make_app(conf)


def _publishers() -> list[tuple[dict[str, Any], Any]]:
    """The 20 bench publishers (EPCIs drawn once), created when missing."""
    import ckan.plugins.toolkit as tk

    from ckanext.datagrandest import territories

    rng = random.Random(11)
    epcis = sorted(territories.territories("epci"), key=lambda t: t.code)
    orgs = []
    for index, epci in enumerate(rng.sample(epcis, 20)):
        name = f"bench-publisher-{index:02d}"
        try:
            org = tk.get_action("organization_show")(common.context(), {"id": name})
        except tk.ObjectNotFound:
            org = tk.get_action("organization_create")(
                common.context(),
                {"name": name, "title": epci.name, "body_kind": "epci", "territories": [epci.code]},
            )
        orgs.append((org, epci))
    return orgs


def _missing(n: int) -> list[int]:
    """Indexes of the datasets ``bench-page-<i>`` (i < n) not in the database yet."""
    import ckan.model as model

    query = model.Session.query(model.Package.name).filter(model.Package.state == "active")
    there = {name for (name,) in query}
    return [i for i in range(n) if f"bench-page-{i:05d}" not in there]


def _fill_part(n: int, part: int, parts: int) -> None:
    """Write the missing datasets whose index is ``part`` modulo ``parts``, then index them.

    Dataset ``bench-page-<i>`` depends on ``i`` alone (an interrupted fill resumes; parts never
    collide). Written by ``bench_scale.bulk_create`` (the validation and ``package_dict_save``
    of ``package_create``, without its activity record and default views; CKAN's synchronous
    indexing off), committed by 200, then indexed with our index hooks (``search.rebuild``).
    """
    import ckan.model as model
    from ckan.lib import search

    from bench import bench_scale
    from ckanext.datagrandest import territories

    orgs = _publishers()
    communes = sorted(territories.territories("commune"), key=lambda t: t.code)
    mine = [i for i in _missing(n) if i % parts == part]
    ids: list[str] = []
    start = time.perf_counter()
    with bench_scale._no_synchronous_indexing():
        for done, index in enumerate(mine, 1):
            rng = random.Random(index)
            org, epci = orgs[index % len(orgs)]
            # Strasbourg gets its share so that the filtered search has results.
            place = "67482" if index % 25 == 0 else rng.choice(communes).code
            data = {
                "name": f"bench-page-{index:05d}",
                "title": f"Jeu de données de mesure {index}",
                "notes": "Données produites pour mesurer les pages du portail.",
                "owner_org": org["id"],
                "license_id": "etalab-2.0",
                "territories": [place] if index % 3 else [epci.code],
                "theme": [EU + "data-theme/" + rng.choice(THEMES)],
                "tag_string": "mesure,bench",
                "resources": [
                    {
                        "url": f"https://example.org/data/{index}.csv",
                        "name": "Données",
                        "format": "CSV",
                    }
                ],
            }
            ids.append(bench_scale.bulk_create(data))
            if done % 200 == 0 or done == len(mine):
                model.repo.commit()
                rate = done / (time.perf_counter() - start)
                print(f"bench: part {part}: {done}/{len(mine)} ({rate:.1f}/s)", flush=True)
    if ids:
        search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
        search.commit()
        print(f"bench: part {part}: {len(ids)} indexed", flush=True)
    model.Session.remove()


def _fill(n: int, workers: int) -> None:
    """N datasets on communes of every département, written and indexed by `workers` processes.

    Then whatever is still missing from the index (an earlier run interrupted while indexing)
    is indexed (CKAN's ``search.rebuild(only_missing=True)``).
    """
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.lib import search

    if tk.get_action("package_search")({"ignore_auth": True}, {"rows": 0})["count"] == n:
        print(f"bench: reusing the {n} datasets already there", flush=True)
        return
    _publishers()  # before the parts start, so that they do not race to create them
    missing = _missing(n)
    print(f"bench: creating {len(missing)} datasets in {workers} processes ...", flush=True)
    with common.timed() as timing:
        others = [
            subprocess.Popen(
                [sys.executable, "-m", "bench.bench_pages", "--fill", str(n), "--part"]
                + [f"{part}/{workers}"],
                cwd=common.ROOT,
            )
            for part in range(1, workers)
        ]
        _fill_part(n, 0, workers)
        if any(other.wait() != 0 for other in others):
            raise SystemExit("bench: a fill process failed")
        search.rebuild(only_missing=True, defer_commit=True, quiet=True)
        search.commit()
    print(f"bench: {len(missing)} datasets written and indexed in {timing.wall:.0f} s", flush=True)
    model.Session.remove()


def _child(variant: str, rounds: int) -> None:
    """Time every page `rounds` times with one plugin list; print the samples as JSON."""
    from werkzeug.test import Client

    stock = variant == "stock"
    client = Client(_app(stock))
    # Samples keyed by label: the URLs are built in each process (the territory filter's code
    # may change between the parent's start and a child's).
    urls = {label: stock_url if stock else ours for label, ours, stock_url in PAGES}
    for label, url in urls.items():  # warm-up: templates compiled, caches (home blocks) filled
        for _ in range(2):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{variant} {label} {url}: HTTP {response.status_code}")
    samples: dict[str, list[tuple[float, float]]] = {label: [] for label in urls}
    for _ in range(rounds):
        for label, url in urls.items():
            with common.timed() as timing:
                response = client.get(url)
                response.get_data()
            samples[label].append((timing.wall, timing.cpu))
    print("SAMPLES " + json.dumps({"variant": variant, "samples": samples}), flush=True)


def _run_child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_pages", *args],
        cwd=common.ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("SAMPLES ")]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"bench child {args} failed")
    return dict(json.loads(lines[-1][len("SAMPLES ") :]))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _measure(n: int, rounds: int, blocks: int, workers: int) -> bool:
    database, env = _database(n)
    common.setup_database(database, env, empty=False)
    fill = subprocess.run(
        [sys.executable, "-m", "bench.bench_pages", "--fill", str(n), "--workers", str(workers)],
        cwd=common.ROOT,
        env={**os.environ, **env},
    )
    if fill.returncode != 0:
        raise SystemExit("bench: filling the database failed")
    merged: dict[str, dict[str, list[tuple[float, float]]]] = {"ours": {}, "stock": {}}
    for block in range(blocks):
        order = ["ours", "stock"] if block % 2 == 0 else ["stock", "ours"]
        for variant in order:
            result = _run_child(["--child", variant, "--rounds", str(rounds)], env)
            for label, samples in result["samples"].items():
                merged[variant].setdefault(label, []).extend(tuple(s) for s in samples)
    print(f"\n{n} datasets ({database}), {rounds * blocks} timed requests per page and variant")
    columns = ("ours p50", "p95", "stock p50", "p95", "ratio", "cpu")
    print(f"{'page':26} " + " ".join(f"{c:>9}" for c in columns))
    ok = True
    for label, _ours_url, _stock_url in PAGES:
        ours = merged["ours"][label]
        stock = merged["stock"][label]
        ours_wall = [w * 1000 for w, _ in ours]
        stock_wall = [w * 1000 for w, _ in stock]
        ratio = statistics.median(ours_wall) / statistics.median(stock_wall)
        cpu_ratio = statistics.median(c for _, c in ours) / statistics.median(c for _, c in stock)
        ok = ok and ratio <= TARGET
        cells = [
            f"{statistics.median(ours_wall):7.1f}ms",
            f"{_percentile(ours_wall, 0.95):7.1f}ms",
            f"{statistics.median(stock_wall):7.1f}ms",
            f"{_percentile(stock_wall, 0.95):7.1f}ms",
            f"{ratio:9.2f}",
            f"{cpu_ratio:9.2f}",
        ]
        print(f"{label:26} " + " ".join(cells))
    print(f"target: every page's p50 ratio <= {TARGET} -> {'OK' if ok else 'TOO SLOW'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=common.positive, default=1000, help="datasets (1000)")
    parser.add_argument(
        "--big", type=common.positive, help="also measure at this size (e.g. 10000)"
    )
    parser.add_argument(
        "--rounds", type=common.positive, default=20, help="timed requests per child (20)"
    )
    parser.add_argument(
        "--blocks", type=common.positive, default=2, help="children per variant (2)"
    )
    parser.add_argument(
        "--workers",
        type=common.positive,
        default=1,
        help="processes writing the datasets of a new size (1)",
    )
    parser.add_argument("--fill", type=common.positive, help=argparse.SUPPRESS)
    parser.add_argument("--part", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["ours", "stock"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.fill is not None:
        app = _app(stock=False)
        with app._wsgi_app.test_request_context("/"):
            if args.part:
                part, parts = (int(x) for x in args.part.split("/"))
                _fill_part(args.fill, part, parts)
            else:
                _fill(args.fill, args.workers)
        return 0
    if args.child:
        _child(args.child, args.rounds)
        return 0
    ok = _measure(args.n, args.rounds, args.blocks, args.workers)
    if args.big:
        ok = _measure(args.big, args.rounds, args.blocks, args.workers) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
