"""Build simplified outlines of the Grand Est territories: région, départements, EPCIs, communes.

Source: the GeoJSON of the public repository gregoiredavid/france-geojson (IGN Admin Express
COG 2018, INSEE codes of 2018, Licence Ouverte), read from a local git mirror of it, because
the build machines reach GitHub only through such a mirror:

    .venv/bin/pip install -e '.[outlines]'        # shapely, used by this script only
    .venv/bin/python scripts/territories/build_outlines.py \\
        --mirror /work/.mirror/gregoiredavid+france-geojson/repo

``--mirror`` is a git directory (bare or not) of that repository; ``--commit`` picks the commit
(default HEAD, recorded in the output).  Territory codes and membership come from the shipped
``data/territories.json`` (``make territories``), so the outlines follow the current geography:

* région and départements: the source's own outlines;
* communes: the source's commune of the same INSEE code, joined with its predecessors when it
  absorbed others since 2018 (a "commune nouvelle" keeps one of their codes): the package's
  former codes (``anciensCodes``) and delegated or associated communes; a commune with none of
  these codes in the source has no outline (counted in the report; none with the 2018 source
  and package 6.0.0, where 14 communes are such unions);
* EPCIs: the union of their member communes' outlines (the members inside Grand Est).

Each outline is simplified with a tolerance proportional to its size (so a commune keeps more
detail than the région), rounded to 1e-5 degree and stored as delta-encoded integers in
``ckanext/datagrandest/data/outlines.json.gz`` with its bbox and centroid (CRS84, lon/lat) and a
coarse version (a few dozen points) for the DCAT export.  The header names the source, its
commit, its licence and the counts.  Output is deterministic for a given source commit.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

try:
    import shapely
    from shapely.geometry import MultiPolygon, Polygon, shape
    from shapely.geometry.base import BaseGeometry
except ImportError:  # pragma: no cover - told to the user below
    shapely = None  # type: ignore[assignment]

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
DATA = REPO_ROOT / "ckanext" / "datagrandest" / "data"
DEFAULT_OUTPUT = DATA / "outlines.json.gz"
PACKAGE_COMMUNES = (
    HERE / "node_modules" / "@etalab" / "decoupage-administratif" / "data" / "communes.json"
)
SOURCE_REPO = "https://github.com/gregoiredavid/france-geojson"
SOURCE_LICENCE = (
    "Licence Ouverte / Open Licence (Etalab), conditions of IGN Admin Express COG; "
    "the repository's README, section 'Licence'"
)
COMMAND = "python scripts/territories/build_outlines.py --mirror <git dir of france-geojson>"
FORMAT_VERSION = 1
SCALE = 100_000  # 1e-5 degree, about 1 m
# Tolerance of the shown outline and of the DCAT one, as a share of the larger side of the bbox.
FINE = 1 / 1500
COARSE = 1 / 60


class BuildError(Exception):
    """The source is missing or does not look like what we expect."""


def git_show(mirror: Path, commit: str, path: str) -> bytes:
    try:
        return subprocess.run(
            ["git", "-C", str(mirror), "show", f"{commit}:{path}"],
            check=True,
            capture_output=True,
        ).stdout
    except subprocess.CalledProcessError as exc:
        raise BuildError(
            f"{path} not found at {commit} in {mirror}: {exc.stderr.decode()}"
        ) from exc


def resolve(mirror: Path, commit: str) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(mirror), "rev-parse", f"{commit}^{{commit}}"],
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BuildError(f"{mirror} is not a git directory with commit {commit}") from exc
    return out.stdout.strip()


def list_paths(mirror: Path, commit: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(mirror), "ls-tree", "-r", "--name-only", commit],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.split()


def features(raw: bytes) -> list[dict[str, Any]]:
    doc = json.loads(raw)
    if doc.get("type") == "Feature":
        return [doc]
    return list(doc["features"])


def clean(geometry: BaseGeometry) -> BaseGeometry:
    # Unions of neighbouring communes leave slivers along shared borders: close them.
    geometry = shapely.make_valid(geometry)
    return geometry.buffer(1e-6).buffer(-1e-6)


def polygons_only(geometry: BaseGeometry) -> MultiPolygon:
    parts: list[Polygon] = []
    stack = [geometry]
    while stack:
        g = stack.pop()
        if isinstance(g, Polygon):
            if not g.is_empty:
                parts.append(g)
        elif hasattr(g, "geoms"):
            stack.extend(g.geoms)
    return MultiPolygon(sorted(parts, key=lambda p: -p.area))


def simplified(geometry: BaseGeometry, share: float) -> MultiPolygon:
    minx, miny, maxx, maxy = geometry.bounds
    tolerance = max(maxx - minx, maxy - miny) * share
    out = shapely.set_precision(geometry.simplify(tolerance, preserve_topology=True), 1 / SCALE)
    out = polygons_only(shapely.make_valid(out))
    # Islands smaller than the tolerance squared would be a dot on any map.
    kept = [p for p in out.geoms if p.area >= tolerance * tolerance]
    return MultiPolygon(kept or list(out.geoms)[:1])


def encode(geometry: MultiPolygon) -> list[list[list[int]]]:
    """Polygons -> rings -> flat [x0, y0, dx1, dy1, ...] in 1e-5 degree, closing point dropped."""
    out: list[list[list[int]]] = []
    for polygon in geometry.geoms:
        rings = []
        for ring in (polygon.exterior, *polygon.interiors):
            coords = list(ring.coords)[:-1]
            flat: list[int] = []
            px = py = 0
            for x, y in coords:
                ix, iy = round(x * SCALE), round(y * SCALE)
                flat += [ix - px, iy - py]
                px, py = ix, iy
            rings.append(flat)
        out.append(rings)
    return out


def entry(geometry: BaseGeometry) -> dict[str, Any]:
    minx, miny, maxx, maxy = geometry.bounds
    centroid = geometry.centroid
    return {
        "b": [round(v, 5) for v in (minx, miny, maxx, maxy)],
        "c": [round(centroid.x, 5), round(centroid.y, 5)],
        "g": encode(simplified(geometry, FINE)),
        "k": encode(simplified(geometry, COARSE)),
    }


def load_territories() -> dict[str, Any]:
    return json.loads((DATA / "territories.json").read_text("utf-8"))


def predecessors() -> dict[str, set[str]]:
    """Current commune code -> every former code it stands for (itself included)."""
    result: dict[str, set[str]] = defaultdict(set)
    if not PACKAGE_COMMUNES.is_file():
        raise BuildError(
            f"{PACKAGE_COMMUNES} is missing: run `npm ci` in scripts/territories "
            "(or `make territories`) first"
        )
    for c in json.loads(PACKAGE_COMMUNES.read_text("utf-8")):
        if c["type"] == "commune-actuelle":
            result[c["code"]].add(c["code"])
            result[c["code"]].update(c.get("anciensCodes", ()))
        elif c["type"] in ("commune-deleguee", "commune-associee") and c.get("chefLieu"):
            result[c["chefLieu"]].add(c["code"])
    return result


def build(mirror: Path, commit: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if shapely is None:
        raise BuildError("shapely is needed: .venv/bin/pip install -e '.[outlines]'")
    sha = resolve(mirror, commit)
    vocabulary = load_territories()
    departements = [row[0] for row in vocabulary["d"]]
    paths = list_paths(mirror, sha)

    source: dict[str, BaseGeometry] = {}
    departement_shapes: dict[str, BaseGeometry] = {}
    for code in departements:
        folder = next(
            (p.split("/")[1] for p in paths if p.startswith(f"departements/{code}-")), None
        )
        if folder is None:
            raise BuildError(f"no folder departements/{code}-* in the source")
        for f in features(
            git_show(mirror, sha, f"departements/{folder}/communes-{folder}.geojson")
        ):
            source[f["properties"]["code"]] = shape(f["geometry"])
        (dep,) = features(
            git_show(mirror, sha, f"departements/{folder}/departement-{folder}.geojson")
        )
        departement_shapes[code] = clean(shape(dep["geometry"]))
    region_path = next(p for p in paths if p.startswith("regions/grand-est/region-"))
    (region,) = features(git_show(mirror, sha, region_path))

    former = predecessors()
    outlines: dict[str, BaseGeometry] = {vocabulary["r"][0][0]: clean(shape(region["geometry"]))}
    outlines.update(departement_shapes)
    merged: list[str] = []
    missing: list[str] = []
    current = {row[0] for row in vocabulary["c"]}
    for row in vocabulary["c"]:
        code = row[0]
        # A former code that is now another commune's own code belongs to that commune.
        parts = sorted(
            c
            for c in former.get(code, {code}) | {code}
            if c in source and (c == code or c not in current)
        )
        if len(parts) > 1:
            merged.append(code)
        if parts:
            outlines[code] = clean(shapely.union_all([source[c] for c in parts]))
        else:
            missing.append(code)
    members: dict[str, list[str]] = defaultdict(list)
    for row in vocabulary["c"]:
        epci = next((p for p in row[2] if len(p) == 9), None)
        if epci:
            members[epci].append(row[0])
    epci_partial: list[str] = []
    for row in vocabulary["e"]:
        shapes = [outlines[c] for c in members[row[0]] if c in outlines]
        if len(shapes) < len(members[row[0]]):
            epci_partial.append(row[0])
        if shapes:
            outlines[row[0]] = clean(shapely.union_all(shapes))

    order = [r[0] for section in ("r", "d", "e", "c") for r in vocabulary[section]]
    items = {code: entry(outlines[code]) for code in order if code in outlines}
    counts = {
        "region": 1,
        "departement": len(departement_shapes),
        "epci": sum(1 for r in vocabulary["e"] if r[0] in items),
        "commune": sum(1 for r in vocabulary["c"] if r[0] in items),
        "commune_merged_since_source": len(merged),
        "commune_without_outline": len(missing),
    }
    header = {
        "source": SOURCE_REPO,
        "commit": sha,
        "data": "IGN Admin Express COG 2018 (simplified by the source with mapshaper), "
        "INSEE codes of 2018",
        "license": SOURCE_LICENCE,
        "territories": {k: vocabulary["h"][k] for k in ("package", "version")},
        "command": COMMAND,
        "format": FORMAT_VERSION,
        "crs": "CRS84 (longitude, latitude)",
        "scale": SCALE,
        "counts": counts,
        "entries": "code -> {b: bbox [w, s, e, n], c: centroid [lon, lat], g: outline, "
        "k: coarse outline}; outline = polygons -> rings -> [x0, y0, dx1, dy1, ...] "
        "in 1/scale degree, the closing point left out",
    }
    report = {
        "counts": counts,
        "merged_since_source": merged,
        "without_outline": missing,
        "epci_with_members_without_outline": epci_partial,
    }
    return {"h": header, "o": items}, report


def serialise(document: dict[str, Any]) -> bytes:
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    # mtime=0 and no file name: the same source gives the same bytes.
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True, help="git dir of france-geojson")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        document, report = build(args.mirror, args.commit)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    data = serialise(document)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes)")
    print(json.dumps(report, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
