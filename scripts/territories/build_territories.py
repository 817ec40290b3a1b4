"""Build the shipped Grand Est territory vocabulary from the Etalab npm package.

Regenerate with (from the repository root, needs Node.js/npm the first time):

    python scripts/territories/build_territories.py

The script installs the pinned ``@etalab/decoupage-administratif`` package with
``npm ci`` when ``scripts/territories/node_modules`` is missing, keeps the
Grand Est région (code 44), its ten départements, the EPCIs with at least one
member commune in them and their current communes, and writes
``ckanext/datagrandest/data/territories.json``.  ``--check`` exits with status 1
when the committed file differs from what would be generated (for CI).

Output layout (compact, sorted, no timestamp so that regenerating from the same
package version is byte-identical):

    {"h": header,
     "r": [row, ...], "d": [row, ...], "e": [row, ...], "c": [row, ...],
     "x": {epci_code: [départements outside Grand Est, ...]},
     "p": {code: population}, "z": {commune_code: [postal codes, ...]}}

where a row is ``[code, name, parents]`` or ``[code, name, parents, alt_names]``
and ``parents`` lists direct parents only: département -> [région];
EPCI -> its member communes' départements, most members first; commune ->
[EPCI, département] (just [département] for a commune outside any EPCI).
Populations (municipal population for communes, total for EPCIs as the package gives them;
the sum of the communes for départements and the région) rank autocomplete answers; postal
codes let people search "67000".
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PACKAGE = "@etalab/decoupage-administratif"
REGION_CODE = "44"
DEPARTEMENT_CODES = ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88")
COMMAND = "python scripts/territories/build_territories.py"
FORMAT_VERSION = 2

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
PACKAGE_DIR = HERE / "node_modules" / PACKAGE
DEFAULT_OUTPUT = REPO_ROOT / "ckanext" / "datagrandest" / "data" / "territories.json"

Row = list[Any]


class BuildError(Exception):
    """The source data is missing or does not look like what we expect."""


def ensure_package() -> None:
    """Install the pinned npm package if it is absent or not the pinned version."""
    pinned = json.loads((HERE / "package.json").read_text("utf-8"))["dependencies"][PACKAGE]
    manifest = PACKAGE_DIR / "package.json"
    if manifest.is_file() and json.loads(manifest.read_text("utf-8"))["version"] == pinned:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(
            f"{PACKAGE}@{pinned} is not installed in {HERE / 'node_modules'} and npm was not "
            "found on PATH: install Node.js/npm, or run `npm ci` in scripts/territories."
        )
    # `npm ci` installs exactly what package-lock.json records; the lock is committed.
    has_lock = (HERE / "package-lock.json").is_file()
    cmd = [npm, "ci" if has_lock else "install", "--no-audit", "--no-fund", "--ignore-scripts"]
    print(f"Running {' '.join(cmd[1:])!r} in {HERE}", file=sys.stderr)
    subprocess.run(cmd, cwd=HERE, check=True)


def load(name: str) -> list[dict[str, Any]]:
    data = json.loads((PACKAGE_DIR / "data" / name).read_text("utf-8"))
    if not isinstance(data, list):
        raise BuildError(f"{name}: expected a JSON array")
    return data


def require(condition: bool, message: str) -> None:
    # Not `assert`: these checks guard the data and must survive `python -O`.
    if not condition:
        raise BuildError(message)


def row(code: str, name: str, parents: Iterable[str], alt_names: Iterable[str] = ()) -> Row:
    alts = sorted(set(alt_names) - {name})
    out: Row = [code, name, list(parents)]
    if alts:
        out.append(alts)
    return out


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the vocabulary document and a report of data quirks for the console."""
    package_meta = json.loads((PACKAGE_DIR / "package.json").read_text("utf-8"))
    regions = load("regions.json")
    departements = load("departements.json")
    communes = load("communes.json")
    epcis = load("epci.json")
    wanted = set(DEPARTEMENT_CODES)

    region = [r for r in regions if r["code"] == REGION_CODE]
    require(len(region) == 1, f"région {REGION_CODE} not found exactly once")
    # Région and département codes overlap nationally (01 is both Ain and Guadeloupe),
    # so départements are selected by their own list and then checked against the région.
    depts = [d for d in departements if d["code"] in wanted]
    require(
        sorted(d["code"] for d in depts) == sorted(wanted),
        f"expected départements {sorted(wanted)}, found {sorted(d['code'] for d in depts)}",
    )
    require(all(d["region"] == REGION_CODE for d in depts), "a département is not in région 44")

    current = {c["code"]: c for c in communes if c["type"] == "commune-actuelle"}
    local = {code: c for code, c in current.items() if c["departement"] in wanted}
    require(all(c["region"] == REGION_CODE for c in local.values()), "commune outside région")

    # Delegated/associated communes reuse old INSEE codes, sometimes equal to a current
    # commune's code, so they only contribute searchable names to their chef-lieu.
    alt_names: dict[str, set[str]] = defaultdict(set)
    for c in communes:
        if c["type"] in ("commune-deleguee", "commune-associee") and c.get("chefLieu") in local:
            alt_names[c["chefLieu"]].add(c["nom"])

    epci_of: dict[str, str] = {}
    population: dict[str, int] = {}
    epci_rows: list[Row] = []
    straddling: dict[str, list[str]] = {}
    multi_departement: list[str] = []
    for epci in epcis:
        members = [m["code"] for m in epci["membres"]]
        if not any(m in local for m in members):
            continue
        code = epci["code"]
        require(len(code) == 9 and code.isdigit(), f"EPCI code {code!r} is not a SIREN")
        unknown = [m for m in members if m not in current]
        require(not unknown, f"EPCI {code} has members that are not current communes: {unknown}")
        per_dept = Counter(current[m]["departement"] for m in members)
        inside = sorted((d for d in per_dept if d in wanted), key=lambda d: (-per_dept[d], d))
        outside = sorted(d for d in per_dept if d not in wanted)
        if outside:
            straddling[code] = outside
        if len(per_dept) > 1:
            multi_departement.append(code)
        for m in members:
            if m in local:
                require(m not in epci_of, f"commune {m} belongs to two EPCIs")
                epci_of[m] = code
        epci_rows.append(row(code, epci["nom"], inside))
        population[code] = int(epci.get("populationTotale") or 0)

    commune_rows: list[Row] = []
    without_epci: list[str] = []
    for code, c in local.items():
        require(len(code) == 5, f"commune code {code!r} is not an INSEE code")
        epci_code = epci_of.get(code)
        if epci_code is None:
            without_epci.append(code)
        parents = [p for p in (epci_code, c["departement"]) if p]
        commune_rows.append(row(code, c["nom"], parents, alt_names.get(code, ())))
        population[code] = int(c.get("population") or 0)
        population[c["departement"]] = population.get(c["departement"], 0) + population[code]
        population[REGION_CODE] = population.get(REGION_CODE, 0) + population[code]

    sections = {
        "r": [row(REGION_CODE, region[0]["nom"], [])],
        "d": [row(d["code"], d["nom"], [REGION_CODE]) for d in depts],
        "e": epci_rows,
        "c": commune_rows,
    }
    for rows in sections.values():
        rows.sort(key=lambda r: r[0])
    all_codes = [r[0] for rows in sections.values() for r in rows]
    require(len(all_codes) == len(set(all_codes)), "a code is used by two territories")

    counts = {kind: len(rows) for kind, rows in sections.items()}
    header = {
        "package": PACKAGE,
        "version": package_meta["version"],
        "license": package_meta.get("license", ""),
        "copyright": "Etalab (see the package's LICENSE)",
        "command": COMMAND,
        "format": FORMAT_VERSION,
        "region": REGION_CODE,
        "counts": counts,
        "rows": "[code, name, parents, alt_names?]; r=région, d=département, e=EPCI, "
        "c=commune; x=EPCI -> its départements outside the région; p=code -> population; "
        "z=commune -> postal codes",
    }
    postal = {code: sorted(set(c.get("codesPostaux", ()))) for code, c in local.items()}
    document: dict[str, Any] = {
        "h": header,
        **sections,
        "x": dict(sorted(straddling.items())),
        "p": dict(sorted(population.items())),
        "z": {code: codes for code, codes in sorted(postal.items()) if codes},
    }
    report = {
        "counts": counts,
        "straddling": straddling,
        "multi_departement": sorted(multi_departement),
        "without_epci": sorted(without_epci),
        "alt_names": sum(len(v) for v in alt_names.values()),
    }
    return document, report


def serialise(document: dict[str, Any]) -> str:
    # Key order is fixed by construction (header first, then région down to communes),
    # which keeps the file deterministic and the header readable at the top.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--check", action="store_true", help="fail if the output file is not up to date"
    )
    args = parser.parse_args(argv)
    try:
        ensure_package()
        document, report = build()
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = serialise(document)
    output: Path = args.output
    if args.check:
        current = output.read_text("utf-8") if output.is_file() else None
        if current != text:
            print(f"{output} is out of date; run: {COMMAND}", file=sys.stderr)
            return 1
        print(f"{output} is up to date")
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, "utf-8")
    print(f"wrote {output} ({len(text.encode())} bytes)")
    print(json.dumps(report, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
