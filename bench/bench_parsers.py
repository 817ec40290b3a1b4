"""Parse budgets of harvested XML and Turtle: memory and time of hostile answers, before/after.

Each case runs in a fresh process (peak RSS is per process, ``resource.getrusage``) twice:
"before" with what the harvesters did until the budgets (lxml ``fromstring`` of the whole CSW
answer; rdflib reading the RDF/XML page as given) and "after" with ``safexml`` (chunked pull
parse with budgets; the RDF/XML cost model refusing the page before rdflib runs). No database,
no CKAN: only the parsers.

    python -m bench parsers [--csw-mb 50] [--newlines 100000,200000,400000] [--before]

``--before`` also runs the old code; its figures grow fast (minutes and gigabytes at the
issue's sizes), so it is off by default.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

from bench.common import ROOT, positive, print_checks

CSW_HEAD = (
    b'<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
    b'<csw:SearchResults numberOfRecordsMatched="0">'
)
CSW_TAIL = b"</csw:SearchResults></csw:GetRecordsResponse>"
RDF_HEAD = (
    '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:dct="http://purl.org/dc/terms/" xmlns:dcat="http://www.w3.org/ns/dcat#">'
    '<dcat:Dataset rdf:about="http://example.org/d"><dct:title>'
)
RDF_TAIL = "</dct:title></dcat:Dataset></rdf:RDF>"


TURTLE_HEAD = '@prefix dct: <http://purl.org/dc/terms/> .\n<http://example.org/d> dct:title """'


def turtle_body(newlines: int) -> bytes:
    return (TURTLE_HEAD + "x\n" * newlines + '""" .\n').encode()


def csw_body(megabytes: int) -> bytes:
    return CSW_HEAD + b"<a/>" * (megabytes * 1_000_000 // 4) + CSW_TAIL


def rdf_body(newlines: int) -> bytes:
    return (RDF_HEAD + "x\n" * newlines + RDF_TAIL).encode()


def _child(case: str, size: int, before: bool) -> dict[str, Any]:
    """Runs in the child process: build the body, parse it, report time, RSS and outcome."""
    body = {"csw": csw_body, "rdf": rdf_body, "ttl": turtle_body}[case](size)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    outcome = "read"
    if case == "csw" and before:
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        etree.fromstring(body, parser)
    elif case == "csw":
        from ckanext.datagrandest.harvesters import csw_client, iso19139

        class _Http:
            def get(self, url: str, params: Any = None) -> Any:
                return type("R", (), {"body": body})()

        try:
            csw_client.CSWClient(_Http(), "http://127.0.0.1/csw").get_page(1)
        except iso19139.ISO19139Error as error:
            outcome = f"refused: {error}"
    else:
        from rdflib import Graph

        from ckanext.datagrandest.harvesters import safexml, turtle_budget

        try:
            if case == "ttl":
                if not before:
                    turtle_budget.check(body)
                Graph().parse(data=body, format="turtle")
            else:
                data = body if before else safexml.for_rdflib(body)
                Graph().parse(data=data, format="xml")
        except safexml.XMLRefused as error:
            outcome = f"refused: {str(error)[:90]}"
    return {
        "seconds": time.perf_counter() - start,
        "body_mb": len(body) / 1e6,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_body_mb": base_rss / 1024,
        "outcome": outcome,
    }


def _run(case: str, size: int, before: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.bench_parsers", "--child", case, str(size)]
    if before:
        command.append("--before")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench parsers")
    parser.add_argument("--csw-mb", type=positive, default=50, help="size of the <a/> flood (MB)")
    parser.add_argument("--newlines", default="100000,200000,400000")
    parser.add_argument("--before", action="store_true", help="also run the old code")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    # `python -m bench all --n N` passes --n to every benchmark; sizes here are fixed above.
    parser.add_argument("--n", type=positive, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child[0], int(args.child[1]), args.before)))
        return 0
    checks: dict[str, bool] = {}
    versions = [True, False] if args.before else [False]
    print(f"CSW answer of {args.csw_mb} MB of <a/> elements (peak RSS of the process):")
    for before in versions:
        found = _run("csw", args.csw_mb, before)
        label = "before" if before else "after "
        print(
            f"  {label} {found['seconds']:6.2f} s  peak RSS {found['rss_mb']:7.0f} MB "
            f"(body built: {found['rss_body_mb']:.0f} MB)  {found['outcome'][:90]}"
        )
        if not before:
            checks["CSW flood refused under 300 MB peak RSS"] = found["rss_mb"] < 300 and found[
                "outcome"
            ].startswith("refused")
    for case, title in (("rdf", "RDF/XML"), ("ttl", "Turtle")):
        print(f"{title} literal of N short lines (rdflib's quadratic case):")
        for size in (int(n) for n in args.newlines.split(",")):
            for before in versions:
                found = _run(case, size, before)
                label = "before" if before else "after "
                print(
                    f"  {label} {size:>9,} lines  {found['body_mb']:5.1f} MB  "
                    f"{found['seconds']:7.2f} s  {found['outcome']}"
                )
                if not before:
                    checks[f"{title}, {size:,} lines: done in under 5 s"] = found["seconds"] < 5
    return print_checks(checks)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
