"""Benchmark: scoring datasets (MQA + data.gouv.fr) and checking links against slow servers.

1. Scoring: N datasets (10,000) in our schema, with two checked links each (two checks in
   their history) and a stored DCAT-AP result, scored as the reports do (``assess_many``,
   500 at a time: one link query and one validation-cache query per batch). Prints
   datasets/s. The SHACL part is cached; a sample of datasets is also validated with pyshacl
   (what the background job does once per change) to show what the cache saves.
2. Links: L links (2,000) over H local hosts (127.0.0.1 to 127.0.0.H, one server each),
   where 10 % answer after 5 s and 5 % never answer, checked with the portal's prober,
   per-host bound and worker count. Prints links/s and the longest check against its
   time budget: no check may run past it.

    .venv/bin/python -m bench quality [--n 10000] [--links 2000] [--hosts 20] [--timeout 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench import common

DATABASE = "ckan_bench_quality"
ENVIRONMENT = common.environment(DATABASE, "dge_bench_quality", 7)
EU = "http://publications.europa.eu/resource/authority/"
SHAPES = common.ROOT.parent / "shared" / "reference" / "shacl" / "dcat-ap-3.0.1"
BATCH = 500
SLOW_SECONDS = 5.0


def _dataset(index: int, org_id: str) -> dict[str, Any]:
    """Datasets of varied completeness, so that every grade occurs."""
    data: dict[str, Any] = {
        "id": f"bench-quality-{index:06d}",
        "name": f"bench-quality-{index:06d}",
        "type": "dataset",
        "title": f"Jeu de données {index}",
        "notes": "Données produites pour mesurer le calcul de la qualité. " * (1 + index % 3),
        "owner_org": org_id,
        "license_id": "etalab-2.0" if index % 7 else "other",
        "territories": ["67482"],
        "metadata_modified": "2026-01-01T00:00:00",
        "resources": [
            {
                "id": f"res-{index:06d}",
                "url": f"https://example.org/data/{index}.csv",
                "format": ["CSV", "PDF", "XLSX", "SHP"][(index // 4) % 4],
                "mimetype": "text/csv"
                if index % 2
                else "",  # wrong for some: the score does not care
                "size": 1000 + index if index % 3 else None,
            }
        ],
    }
    if index % 2:
        data["url"] = f"https://example.org/datasets/{index}"
        data["tags"] = [{"name": "bench"}]
        data["theme"] = [EU + "data-theme/ENVI"]
        data["frequency"] = EU + "frequency/ANNUAL"
        data["access_rights"] = EU + "access-right/PUBLIC"
        data["issued"] = "2023-01-01"
        data["modified"] = "2025-06-01"
    if index % 4 == 1:
        data["contact"] = [{"name": "Service SIG", "email": "sig@example.org"}]
        data["temporal_coverage"] = [{"start": "2020-01-01", "end": "2023-12-31"}]
        data["resources"][0]["download_url"] = f"https://example.org/dl/{index}.csv"
    return data


def _store_history(pkgs: list[dict[str, Any]]) -> None:
    import ckan.model as model

    from ckanext.datagrandest.linkcheck import model as links_model
    from ckanext.datagrandest.quality import compliance

    session = model.Session
    session.execute(links_model.table.delete())
    session.execute(compliance.table.delete())
    now = datetime(2026, 1, 2)
    rows = []
    for number, pkg in enumerate(pkgs):
        links = [(None, pkg.get("url")), ("res", pkg["resources"][0]["url"])]
        for resource_id, url in links:
            if not url:
                continue
            for days in (7, 0):  # an older check and the latest
                rows.append(
                    {
                        "url": url,
                        "package_id": pkg["id"],
                        "resource_id": resource_id,
                        "checked_at": now - timedelta(days=days),
                        "ok": bool(number % 5),
                        "status": 200 if number % 5 else 404,
                        "method": "HEAD",
                        "final_url": url,
                        "content_type": "text/csv",
                        "size": 1000,
                        "redirects": 0,
                        "error": None if number % 5 else "Erreur HTTP 404",
                        "elapsed": 0.05,
                    }
                )
    for start in range(0, len(rows), 5000):
        session.execute(links_model.table.insert(), rows[start : start + 5000])
    session.execute(
        compliance.table.insert(),
        [
            {
                "package_id": pkg["id"],
                "metadata_modified": datetime(2026, 1, 1),
                "conforms": bool(number % 3),
                "violations": "[]",
                "checked_at": now,
            }
            for number, pkg in enumerate(pkgs)
        ],
    )
    session.commit()


def bench_scoring(n: int, sample: int) -> dict[str, bool]:
    import ckan.plugins.toolkit as tk

    from ckanext.datagrandest.quality import assess, compliance

    shapes = [SHAPES / name for name in ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")]
    tk.config["ckanext.datagrandest.quality.shacl_shapes"] = " ".join(map(str, shapes))
    org = tk.get_action("organization_list")({"ignore_auth": True}, {"all_fields": True})
    org_id = org[0]["id"] if org else common.organization("bench-qualite", "region")
    pkgs = [_dataset(i, org_id) for i in range(n)]
    _store_history(pkgs)
    grades: dict[str, int] = {}
    total = 0
    with common.timed() as timing:
        for start in range(0, n, BATCH):
            found = assess.assess_many(pkgs[start : start + BATCH])
            for quality in found.values():
                grades[quality["grade"]] = grades.get(quality["grade"], 0) + 1
                total += quality["score"]
    rate = n / timing.wall
    print(f"scoring: {n} datasets in {timing.wall:.2f} s wall ({timing.cpu:.2f} s CPU)")
    print(
        f"  {rate:,.0f} datasets/s wall, {n / timing.cpu:,.0f} datasets/s of this process's CPU; "
        f"average score {total / n:.1f} / 405, grades {grades}"
    )
    checks = {f"scored {n} datasets, every grade present": len(grades) == 4}
    if all(path.is_file() for path in shapes) and sample:
        compliance.validate(pkgs[0])  # shapes parsed once per process, as in a worker
        with common.timed() as validation:
            for pkg in pkgs[1 : sample + 1]:
                compliance.validate(pkg)
        per = validation.wall / sample
        print(
            f"  uncached DCAT-AP validation (pyshacl, 3.0.1 shapes): {per * 1000:.0f} ms a "
            f"dataset ({1 / per:.1f} datasets/s, {sample} sampled): the cache makes scoring "
            f"{rate * per:,.0f} times faster than validating each time"
        )
    else:
        print(f"  (no SHACL sample: shapes not found in {SHAPES})")
    return checks


class _Servers:
    """One threaded server per loopback address; /ok, /slow (5 s), /never."""

    def __init__(self, hosts: int) -> None:
        self.stop = threading.Event()
        self.servers: list[ThreadingHTTPServer] = []
        stop = self.stop

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                if self.path.startswith("/slow"):
                    stop.wait(SLOW_SECONDS)
                elif self.path.startswith("/never"):
                    stop.wait(3600)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()

            def do_HEAD(self) -> None:  # noqa: N802
                try:
                    self._answer()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_HEAD  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        for number in range(1, hosts + 1):
            server = ThreadingHTTPServer((f"127.0.0.{number}", 0), _Handler)
            server.daemon_threads = True
            server.block_on_close = False  # handlers of silent links are not waited for
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)

    def urls(self, count: int) -> list[str]:
        found = []
        for index in range(count):
            host, port = self.servers[index % len(self.servers)].server_address[:2]
            # Spread over the hosts: each has its share of slow and silent links.
            turn = (index // len(self.servers)) % 20
            kind = "never" if turn == 0 else "slow" if turn in (1, 2) else "ok"
            found.append(f"http://{host}:{port}/{kind}/{index}")
        return found

    def close(self) -> None:
        self.stop.set()
        for server in self.servers:
            server.shutdown()
            server.server_close()


def bench_links(
    count: int, hosts: int, timeout: float, workers: int, per_host: int
) -> dict[str, bool]:
    from ckanext.datagrandest.linkcheck.probe import Prober, check_many

    servers = _Servers(hosts)
    try:
        urls = servers.urls(count)
        prober = Prober(timeout=timeout, max_redirects=5, allow_private=True)
        with common.timed() as timing:
            results = check_many(urls, prober, workers=workers, per_host=per_host)
    finally:
        servers.close()
    elapsed = [r.elapsed for r in results.values()]
    by_kind: dict[str, list[Any]] = {"ok": [], "slow": [], "never": []}
    for url, result in results.items():
        by_kind[url.split("/")[3]].append(result)
    longest = max(elapsed)
    print(
        f"links: {count} links over {hosts} hosts in {timing.wall:.1f} s: "
        f"{count / timing.wall:.1f} links/s (workers {workers}, {per_host} per host, "
        f"budget {timeout:g} s a check)"
    )
    for kind, found in by_kind.items():
        answered = sum(1 for r in found if r.ok)
        times = [r.elapsed for r in found]
        print(
            f"  {kind:5} {len(found):5} links, {answered:5} answered, elapsed median "
            f"{statistics.median(times):.2f} s, max {max(times):.2f} s"
        )
    # A little slack for thread scheduling on a busy machine, never a second check.
    limit = timeout + 0.5
    return {
        f"every link checked once ({len(results)}/{count})": len(results) == count,
        f"no check ran past its budget (longest {longest:.2f} s <= {limit:g} s)": longest <= limit,
        "the fast and the 5 s links answered": all(r.ok for r in by_kind["ok"] + by_kind["slow"])
        if timeout > SLOW_SECONDS
        else True,
        "the silent links were cut as timeouts": all(
            not r.ok and "Délai dépassé" in (r.error or "") for r in by_kind["never"]
        ),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench quality", description=__doc__)
    parser.add_argument("--n", type=common.positive, default=10_000, help="datasets to score")
    parser.add_argument(
        "--sample", type=common.non_negative, default=20, help="datasets validated uncached"
    )
    parser.add_argument("--links", type=common.positive, default=2_000, help="links to check")
    parser.add_argument(
        "--hosts", type=common.positive, default=20, help="local hosts serving them"
    )
    parser.add_argument("--timeout", type=float, default=8.0, help="budget of one check (s)")
    parser.add_argument("--workers", type=common.positive, default=48)
    parser.add_argument("--per-host", type=common.positive, default=4)
    args = parser.parse_args(argv)
    common.setup_database(DATABASE, ENVIRONMENT, empty=True)
    common.load_app(ENVIRONMENT)
    checks = bench_scoring(args.n, args.sample)
    checks.update(bench_links(args.links, args.hosts, args.timeout, args.workers, args.per_host))
    return common.print_checks(checks)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
