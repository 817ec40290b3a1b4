"""`python -m bench`: list the benchmarks, run one (`python -m bench csw --n 200`) or all."""

from __future__ import annotations

import importlib
import subprocess
import sys

from bench.common import ROOT, positive

# name: (module, what it prints, takes --big)
BENCHMARKS = {
    "dcat": (
        "bench.bench_dcat",
        "DCAT catalogue pages: CPU of our profile / stock euro_dcat_ap_3 (target <= 1.25)",
        False,
    ),
    "harvest": (
        "bench.bench_harvest",
        "udata harvest / package_create loop (>= 0.8), re-harvest speed-up (>= 10x), "
        "gather memory (< 300 MB)",
        True,
    ),
    "csw": (
        "bench.bench_csw",
        "the same figures as harvest, for a CSW (ISO 19139) geocatalogue",
        True,
    ),
    "parsers": (
        "bench.bench_parsers",
        "hostile XML answers: peak RSS of a CSW <a/> flood (< 300 MB), time of rdflib's "
        "quadratic RDF/XML case (< 5 s), with --before the old parsers' figures",
        False,
    ),
    "scale": (
        "bench.bench_scale",
        "a catalogue of 50,000 (--n): reindex ours/hooks off (<= 1.3), search p95 (<= 300 ms, "
        "hierarchy <= 1.2x), DCAT page 400/1 (<= 1.5), harvest with 1 and 2 fetch consumers",
        False,
    ),
    "fidelity": (
        "bench.bench_fidelity",
        "the corpus of real answers harvested: records that land, payload fields carried over",
        False,
    ),
    "pages": (
        "bench.bench_pages",
        "server time of home, search, dataset and territory pages: p50/p95 and ratio to stock "
        "CKAN (<= 1.5)",
        True,
    ),
    "quality": (
        "bench.bench_quality",
        "metadata quality: datasets scored a second (SHACL cached), links checked a second "
        "against slow and silent servers, no check past its time budget",
        False,
    ),
}
USAGE = """usage: python -m bench NAME [OPTIONS]            one of those below (--help: options)
       python -m bench all [--n N] [--big N]            each one after the other"""


def _list() -> None:
    print(USAGE)
    print()
    for name, (_, what, _) in BENCHMARKS.items():
        print(f"  {name:8} {what}")


def _all(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench all")
    parser.add_argument("--n", type=positive, help="--n of every benchmark (their defaults)")
    parser.add_argument("--big", type=positive, help="--big of those that take it (50000)")
    args = parser.parse_args(argv)
    results = {}
    for name, (module, _, takes_big) in BENCHMARKS.items():
        options = [] if args.n is None else ["--n", str(args.n)]
        if takes_big and args.big is not None:
            options += ["--big", str(args.big)]
        print(f"=== {name}: python -m {module} {' '.join(options)}", flush=True)
        # One process each: CKAN loads its config and database once per process, and each
        # benchmark has its own database.
        command = [sys.executable, "-m", module, *options]
        results[name] = subprocess.run(command, cwd=ROOT).returncode
    print("=== summary")
    for name, code in results.items():
        print(f"  {name:8} {'every target met' if code == 0 else f'exit status {code}'}")
    return 0 if not any(results.values()) else 1


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "list"):
        _list()
        return 0
    name, rest = argv[0], argv[1:]
    if name == "all":
        return _all(rest)
    if name not in BENCHMARKS:
        print(f"unknown benchmark {name!r}\n", file=sys.stderr)
        _list()
        return 2
    # argparse names the program after argv[0]: show the command actually typed.
    sys.argv[0] = f"python -m bench {name}"
    return int(importlib.import_module(BENCHMARKS[name][0]).main(rest))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
