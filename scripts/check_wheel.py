"""Fails when the built wheel lacks a data file the installed portal needs at run time."""

from __future__ import annotations

import sys
import zipfile

REQUIRED = [
    "ckanext/datagrandest/plugin.py",
    "ckanext/datagrandest/config_declaration.yaml",
    "ckanext/datagrandest/data/demo.yaml",
    "ckanext/datagrandest/data/territories.json",
    "ckanext/datagrandest/data/outlines.json.gz",
    "ckanext/datagrandest/data/licenses.json",
    "ckanext/datagrandest/data/eu_vocabularies.json",
    # JSON-LD contexts the DCAT harvester reads instead of fetching them.
    "ckanext/datagrandest/data/jsonld/dcat-us-1.1.json",
    "ckanext/datagrandest/data/jsonld/schema.org-29.4.json",
    "ckanext/datagrandest/data/jsonld/dcat-ap-3.0.0.json",
    "ckanext/datagrandest/data/jsonld/dcat-ap-3.0.1.json",
    "ckanext/datagrandest/schemas/dataset.yaml",
    "ckanext/datagrandest/schemas/organization.yaml",
    "ckanext/datagrandest/schemas/presets.yaml",
    "ckanext/datagrandest/assets/webassets.yml",
    "ckanext/datagrandest/assets/territories.js",
    "ckanext/datagrandest/i18n/fr/LC_MESSAGES/ckanext-datagrandest.mo",
    "ckanext/datagrandest/sources.yaml",
    "ckanext/datagrandest/templates/datagrandest/snippets/harvest_provenance.html",
]
REQUIRED_PREFIXES = [
    "ckanext/datagrandest/public/",
    "ckanext/datagrandest/templates/",
]
# Demo and test tooling (demo/, tests/) never ships.
FORBIDDEN_PARTS = ("replay", "harvest_samples", "demo_sources")
REQUIRED_ENTRY_POINTS = [
    "datagrandest = ckanext.datagrandest.plugin:DataGrandEstPlugin",
    "datagrandest_udata = ckanext.datagrandest.harvesters.udata:UdataHarvester",
    "datagrandest_ods = ckanext.datagrandest.harvesters.ods:OdsHarvester",
]


def main(wheel_path: str) -> int:
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())
        entry_points = next(
            (wheel.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")),
            "",
        )
    problems = [f"missing file {name}" for name in REQUIRED if name not in names]
    problems += [
        f"no file under {prefix}"
        for prefix in REQUIRED_PREFIXES
        if not any(n.startswith(prefix) for n in names)
    ]
    problems += [
        f"missing entry point '{ep}'" for ep in REQUIRED_ENTRY_POINTS if ep not in entry_points
    ]
    problems += [
        f"demo or test tooling shipped: {name}"
        for name in sorted(names)
        if any(part in name for part in FORBIDDEN_PARTS) or name.startswith(("demo/", "tests/"))
    ]
    if problems:
        for problem in problems:
            print(f"package-check: {wheel_path}: {problem}", file=sys.stderr)
        return 1
    wheel_name = wheel_path.rsplit("/", 1)[-1]
    print(f"package-check: {wheel_name} holds {len(names)} files, all required present")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
