"""Fidelity report: the corpus of real answers harvested, what lands and what is carried over.

On its own database and search-index site id (emptied first), every source of
``tests/fixtures/corpus/expectations.yaml`` is served by a local server in its real shape and
harvested by its real harvester type, like ``tests/harvesters/test_corpus.py`` does. Printed
per source kind (udata, ods, ckan, dcat, csw) and in total:

- records offered, landed, refused (with the job's reasons);
- the share of payload fields carried over. The *payload fields* of a record are those of
  this list that its payload fills with something meaningful (an empty string, ``null``, an
  empty list, udata's ``unknown`` frequency or ``notspecified`` licence do not count):
  title, description, keywords, themes, licence, publisher, landing page, spatial coverage,
  temporal coverage, frequency, language, contact, resources, resource formats, resource
  titles, resource descriptions. A field is *carried* when the dataset has it: a non-empty
  value (for the licence: a licence id other than ``other``, or ``other`` with the source's
  text; for the description: not our "not provided" placeholder; for spatial coverage:
  territories other than the organisation's fallback, or a ``spatial_coverage``; for the
  resource fields: at least as many resources with a URL, a format, a name, a description as
  the payload gives, up to the number of resources the dataset has). A record that did not
  land carries none of its fields.

Then the "Done when" checks of issue 9: at least 95 % of records land, at least 90 % of the
payload fields are carried, the licence is recognised wherever a payload states one
unambiguously and the publisher kept wherever a payload names one (the ``license`` and
``publisher`` expectations), a second harvest of every unchanged source updates nothing, and
after ``harvest_source_clear`` no dataset of the corpus is left in search results.

    .venv/bin/python -m bench fidelity [--failures FILE] [--kinds udata,dcat]
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from bench import common

DATABASE = "ckan_bench_fidelity"
ENVIRONMENT = common.environment(DATABASE, "dge_bench_fidelity", 9)
FIELDS = (
    "title",
    "description",
    "keywords",
    "themes",
    "licence",
    "publisher",
    "landing page",
    "spatial",
    "temporal",
    "frequency",
    "language",
    "contact",
    "resources",
    "resource formats",
    "resource titles",
    "resource descriptions",
)
# Resource fields: the number of payload resources that have each one.
RESOURCE_FIELDS = ("resources", "resource formats", "resource titles", "resource descriptions")
NO_DESCRIPTION = "description non fournie"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"

# What a payload holds: field -> True, or for resource fields the count of resources.
Present = dict[str, int]


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping):
        return any(_filled(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_filled(v) for v in value)
    return value is not None and value is not False


def _present(fields: Mapping[str, Any], resources: Iterable[Mapping[str, Any]]) -> Present:
    """Fields as 1 for those filled, plus the resource counts."""
    present = {name: 1 for name, value in fields.items() if _filled(value)}
    resources = [r for r in resources if _filled(r.get("url"))]
    for name, key in zip(RESOURCE_FIELDS, ("url", "format", "title", "description"), strict=True):
        count = sum(1 for r in resources if _filled(r.get(key)))
        if count:
            present[name] = count
    return present


def corpus() -> Any:
    """The corpus helpers of the tests (``tests/harvesters/corpus.py``), imported from their
    folder: once CKAN is loaded, the top-level name ``tests`` is CKAN's own test package."""
    name = "datagrandest_test_harvesters"
    if name not in sys.modules:
        folder = common.ROOT / "tests" / "harvesters"
        spec = importlib.util.spec_from_file_location(
            name, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        assert spec is not None and spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"{name}.corpus")


# Payload readers: (title, fields present) per record of a source's files ----------------------


def _udata(item: Mapping[str, Any]) -> tuple[str, Present]:
    organization = item.get("organization") or {}
    owner = item.get("owner") or {}
    license_id = item.get("license")
    frequency = item.get("frequency")
    return str(item.get("title") or ""), _present(
        {
            "title": item.get("title"),
            "description": item.get("description"),
            "keywords": item.get("tags"),
            "licence": license_id if license_id != "notspecified" else None,
            "publisher": organization.get("name") or owner.get("last_name"),
            "landing page": item.get("page"),
            "spatial": (item.get("spatial") or {}).get("zones")
            or (item.get("spatial") or {}).get("geom"),
            "temporal": item.get("temporal_coverage"),
            "frequency": frequency if frequency not in ("unknown", "punctual") else None,
            "contact": item.get("contact_points") or item.get("contact_point"),
        },
        item.get("resources") or [],
    )


def _ods(item: Mapping[str, Any]) -> tuple[str, Present]:
    metas = (item.get("metas") or {}).get("default") or {}
    territory = metas.get("territory")
    return str(metas.get("title") or ""), _present(
        {
            "title": metas.get("title"),
            "description": metas.get("description"),
            "keywords": metas.get("keyword"),
            "themes": metas.get("theme"),
            "licence": metas.get("license"),
            "publisher": metas.get("publisher"),
            # Every Opendatasoft dataset has its explore page.
            "landing page": item.get("dataset_id"),
            "spatial": territory if territory != ["World"] else None,
            "language": metas.get("language"),
        },
        [{"url": a.get("url"), "title": a.get("title")} for a in item.get("attachments") or []]
        + ([{"url": "export", "format": "csv"}] if item.get("has_records") else []),
    )


def _ckan(item: Mapping[str, Any]) -> tuple[str, Present]:
    organization = item.get("organization") or {}
    extras = {e.get("key"): e.get("value") for e in item.get("extras") or []}
    publisher = item.get("publisher")
    license_id = item.get("license_id")
    return str(item.get("title") or ""), _present(
        {
            "title": item.get("title"),
            "description": item.get("notes"),
            "keywords": item.get("tags"),
            "themes": item.get("groups") or item.get("theme"),
            "licence": license_id if license_id not in (None, "notspecified") else None,
            "publisher": organization.get("title")
            or item.get("author")
            or item.get("maintainer")
            or publisher,
            "landing page": item.get("url"),
            "spatial": extras.get("spatial")
            or extras.get("spatial-text")
            or item.get("spatial_coverage"),
            "temporal": item.get("temporal_coverage") or extras.get("temporal_start"),
            "frequency": item.get("frequency") or extras.get("frequency"),
            "language": item.get("language") or extras.get("language"),
            "contact": item.get("contact")
            or item.get("maintainer_email")
            or item.get("author_email"),
        },
        [
            {
                "url": r.get("url"),
                "format": r.get("format"),
                "title": r.get("name"),
                "description": r.get("description"),
            }
            for r in item.get("resources") or []
        ],
    )


def _dcat_json(item: Mapping[str, Any]) -> tuple[str, Present]:
    """A dataset of a DCAT-US / Project Open Data ``data.json``, read by its keys."""
    publisher = item.get("publisher") or {}
    spatial = item.get("spatial")
    return str(item.get("title") or ""), _present(
        {
            "title": item.get("title"),
            "description": item.get("description"),
            "keywords": item.get("keyword"),
            "themes": item.get("theme"),
            "licence": item.get("license"),
            "publisher": publisher.get("name") if isinstance(publisher, Mapping) else publisher,
            "landing page": item.get("landingPage"),
            # ArcGIS Hub leaves its template placeholder when it has no extent.
            "spatial": spatial if spatial and "{{" not in str(spatial) else None,
            "temporal": item.get("temporal"),
            "frequency": item.get("accrualPeriodicity"),
            "language": item.get("language"),
            "contact": item.get("contactPoint"),
        },
        [
            {
                "url": d.get("downloadURL") or d.get("accessURL"),
                "format": d.get("mediaType") or d.get("format"),
                "title": d.get("title"),
                "description": d.get("description"),
            }
            for d in item.get("distribution") or []
        ],
    )


def _dcat_graph(path: Path) -> Iterator[tuple[str, Present]]:
    import rdflib

    fmt = {".ttl": "turtle", ".jsonld": "json-ld"}.get(path.suffix, "xml")
    graph = rdflib.Graph()
    graph.parse(data=path.read_bytes(), format=fmt)

    def values(subject: Any, predicate: str) -> list[Any]:
        return list(graph.objects(subject, rdflib.URIRef(predicate)))

    for dataset in graph.subjects(rdflib.RDF.type, rdflib.URIRef(DCAT + "Dataset")):
        distributions = values(dataset, DCAT + "distribution")
        licences = values(dataset, DCT + "license") + values(dataset, DCT + "rights")
        for distribution in distributions:
            licences += values(distribution, DCT + "license") + values(distribution, DCT + "rights")
        licences = [lic for lic in licences if "not specified" not in str(lic).lower()]
        names = [n for p in values(dataset, DCT + "publisher") for n in values(p, FOAF + "name")]
        titles = values(dataset, DCT + "title")
        yield (
            str(titles[0]) if titles else "",
            _present(
                {
                    "title": [str(t) for t in titles],
                    "description": [str(d) for d in values(dataset, DCT + "description")],
                    "keywords": [str(k) for k in values(dataset, DCAT + "keyword")],
                    "themes": values(dataset, DCAT + "theme"),
                    "licence": licences,
                    "publisher": [str(n) for n in names],
                    "landing page": values(dataset, DCAT + "landingPage"),
                    "spatial": values(dataset, DCT + "spatial"),
                    "temporal": values(dataset, DCT + "temporal"),
                    "frequency": values(dataset, DCT + "accrualPeriodicity"),
                    "language": values(dataset, DCT + "language"),
                    "contact": values(dataset, DCAT + "contactPoint"),
                },
                [
                    {
                        "url": [
                            str(u)
                            for u in values(d, DCAT + "accessURL") + values(d, DCAT + "downloadURL")
                        ],
                        "format": values(d, DCT + "format") + values(d, DCAT + "mediaType"),
                        "title": [str(t) for t in values(d, DCT + "title")],
                        "description": [str(t) for t in values(d, DCT + "description")],
                    }
                    for d in distributions
                ],
            ),
        )


ISO = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
}
_PUBLISHER_ROLES = ("publisher", "owner", "custodian")
_NOT_RESOURCES = (".rie.gouv.fr", "catalog.search", "GetRecordById")


def _csw(path: Path) -> Iterator[tuple[str, Present]]:
    from lxml import etree

    def texts(node: Any, query: str) -> list[str]:
        return [
            " ".join(e.xpath("string(.)").split())
            for e in node.xpath(query, namespaces=ISO)
            if " ".join(e.xpath("string(.)").split())
        ]

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(path.read_bytes(), parser)
    for record in root.xpath("//gmd:MD_Metadata", namespaces=ISO):
        info = "gmd:identificationInfo/*"
        parties = record.xpath(f"{info}/gmd:pointOfContact/gmd:CI_ResponsibleParty", namespaces=ISO)
        publishers = [
            texts(p, "gmd:organisationName")
            for p in parties
            if p.xpath("string(gmd:role/*/@codeListValue)", namespaces=ISO) in _PUBLISHER_ROLES
        ]
        constraints = texts(
            record, f"{info}/gmd:resourceConstraints//gmd:otherConstraints"
        ) + texts(record, f"{info}/gmd:resourceConstraints//gmd:useLimitation")
        links = [
            link
            for link in record.xpath(
                "gmd:distributionInfo//gmd:transferOptions//gmd:CI_OnlineResource", namespaces=ISO
            )
            if not any(word in " ".join(texts(link, "gmd:linkage")) for word in _NOT_RESOURCES)
        ]
        formats = texts(record, "gmd:distributionInfo//gmd:distributionFormat//gmd:name")
        title = texts(record, f"{info}/gmd:citation/*/gmd:title")
        yield (
            title[0] if title else "",
            _present(
                {
                    "title": title,
                    "description": texts(record, f"{info}/gmd:abstract"),
                    "keywords": texts(record, f"{info}/gmd:descriptiveKeywords//gmd:keyword"),
                    "themes": texts(record, f"{info}/gmd:topicCategory"),
                    "licence": [c for c in constraints if "licen" in c.lower()],
                    "publisher": publishers,
                    "spatial": record.xpath(f"{info}//gmd:EX_GeographicBoundingBox", namespaces=ISO)
                    or texts(record, f"{info}//gmd:EX_GeographicDescription//gmd:code"),
                    "temporal": record.xpath(f"{info}//gmd:EX_TemporalExtent", namespaces=ISO),
                    "frequency": record.xpath(
                        f"{info}//gmd:MD_MaintenanceFrequencyCode/@codeListValue", namespaces=ISO
                    ),
                    "language": texts(record, f"{info}/gmd:language"),
                    "contact": texts(
                        record, f"{info}/gmd:pointOfContact//gmd:electronicMailAddress"
                    ),
                },
                [
                    {
                        "url": texts(link, "gmd:linkage"),
                        # A record's formats apply to its distribution as a whole.
                        "format": formats,
                        "title": texts(link, "gmd:name"),
                        "description": texts(link, "gmd:description"),
                    }
                    for link in links
                ],
            ),
        )


def payload_records(kind: str, path: Path) -> list[tuple[str, Present]]:
    if kind == "csw":
        return list(_csw(path))
    if kind == "dcat" and path.suffix in (".json", ".jsonld"):
        answer = corpus().read_json(path)
        if isinstance(answer, dict) and isinstance(answer.get("dataset"), list):
            return [_dcat_json(item) for item in answer["dataset"]]
    if kind == "dcat":
        return list(_dcat_graph(path))
    answer = corpus().read_json(path)
    if kind == "udata":
        return [_udata(item) for item in (answer if isinstance(answer, list) else [answer])]
    if kind == "ods":
        return [_ods(item) for item in corpus().ods_datasets(answer)]
    return [_ckan(item) for item in corpus().ckan_datasets(answer)]


# What arrived ------------------------------------------------------------------------------


def carried(dataset: Mapping[str, Any] | None, present: Present) -> Present:
    """The payload's fields (counts for resource fields) the dataset holds."""
    if dataset is None:
        return {}
    resources = [r for r in dataset.get("resources") or [] if r.get("url")]
    license_id = dataset.get("license_id")
    license_other = str(dataset.get("license_other") or "")
    has = {
        "title": dataset.get("title"),
        "description": dataset.get("notes")
        if NO_DESCRIPTION not in str(dataset.get("notes") or "").lower()
        else None,
        "keywords": dataset.get("tags"),
        "themes": dataset.get("theme"),
        "licence": license_id
        if license_id not in (None, "", "other")
        or (license_other and corpus().NOT_STATED not in license_other.lower())
        else None,
        "publisher": corpus().publisher_names(dataset),
        "landing page": dataset.get("url"),
        "spatial": dataset.get("spatial_coverage")
        or (
            sorted(dataset.get("territories") or []) != corpus().FALLBACK
            and dataset.get("territories")
        ),
        "temporal": dataset.get("temporal_coverage"),
        "frequency": dataset.get("frequency"),
        "language": dataset.get("language"),
        "contact": dataset.get("contact"),
    }
    counts = {
        "resources": len(resources),
        "resource formats": sum(1 for r in resources if r.get("format")),
        "resource titles": sum(1 for r in resources if r.get("name")),
        "resource descriptions": sum(1 for r in resources if r.get("description")),
    }
    result: Present = {}
    for name, wanted in present.items():
        if name in counts:
            needed = min(wanted, max(len(resources), 1))
            result[name] = min(counts[name], needed)
        elif _filled(has.get(name)):
            result[name] = wanted
    return result


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    - "


def _field_score(present: Present, got: Present) -> float:
    score = 0.0
    for name, wanted in present.items():
        if name in RESOURCE_FIELDS:
            score += min(got.get(name, 0) / wanted, 1.0) if wanted else 0.0
        else:
            score += 1.0 if got.get(name) else 0.0
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", type=Path, help="write the unmet expectations to FILE")
    parser.add_argument("--kinds", default="udata,ods,ckan,dcat,csw", help="source kinds")
    # `python -m bench all --n N` passes --n to every benchmark; the corpus has its own size.
    parser.add_argument("--n", type=common.positive, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())

    common.setup_database(DATABASE, ENVIRONMENT, empty=True)
    # Speed is not measured here: Solr's soft commit instead of a hard commit per dataset.
    app = common.load_app(ENVIRONMENT, solr_commit=False)
    with app.test_request_context("/"):
        return _report(kinds, args.failures)


def _report(kinds: tuple[str, ...], failures_file: Path | None) -> int:
    import ckan.plugins.toolkit as tk

    helpers = corpus()
    create = tk.get_action("organization_create")
    org_id = create(common.context(), dict(helpers.ORGANIZATION))["id"]
    sources = [s for s in helpers.load_sources(kinds) if s.available()]
    skipped = [s.label for s in helpers.load_sources(kinds) if not s.available()]
    totals: Counter[str] = Counter()
    per_field: dict[str, Counter[str]] = {name: Counter() for name in FIELDS}
    # Landed records that lost a field their payload holds (resource fields: in part).
    lost: dict[str, list[str]] = {name: [] for name in FIELDS}
    problems: list[str] = []
    refusals: list[str] = []
    outcomes = []
    print(f"{'kind':6} {'offered':>7} {'landed':>6} {'refused':>7} {'fields':>7} {'carried':>8}")
    for kind in kinds:
        row: Counter[str] = Counter()
        score = 0.0
        for source in (s for s in sources if s.kind == kind):
            outcome = helpers.harvest_source(source, org_id, again=True)
            outcomes.append(outcome)
            for record in source.records:
                problems.extend(helpers.check(outcome, record))
            for path in source.paths():
                for title, present in payload_records(kind, path):
                    wanted = helpers.fold(title)
                    found = [d for d in outcome.datasets if helpers.fold(d["title"]) == wanted]
                    dataset = found[0] if found else None
                    got = carried(dataset, present)
                    row["offered"] += 1
                    row["landed" if dataset else "refused"] += 1
                    if dataset is None:
                        errors = outcome.errors()
                        reasons = [e for e in errors if title[:40] in e] or errors
                        refusals.append(f"{source.label}: {title!r}: {'; '.join(reasons)[:300]}")
                    # A resource field counts as one field, carried in the share of resources.
                    row["fields"] += len(present)
                    score += _field_score(present, got)
                    for name in present:
                        per_field[name]["present"] += 1
                        per_field[name]["carried"] += int(bool(got.get(name)))
                        if dataset is not None and got.get(name, 0) < present[name]:
                            lost[name].append(f"{source.label}: {title[:50]}")
        row["carried"] = round(score)
        totals.update(row)
        totals["score_x100"] += round(score * 100)
        print(
            f"{kind:6} {row['offered']:7} {row['landed']:6} {row['refused']:7} "
            f"{row['fields']:7} {_share(row['carried'], row['fields']):>8}"
        )
    carried_share = totals["score_x100"] / 100 / totals["fields"] if totals["fields"] else 0.0
    landed_share = totals["landed"] / totals["offered"] if totals["offered"] else 0.0
    print(
        f"{'total':6} {totals['offered']:7} {totals['landed']:6} {totals['refused']:7} "
        f"{totals['fields']:7} {100 * carried_share:6.1f} %"
    )
    print("\nper field (records whose payload holds it: share carried)")
    for name, counts in per_field.items():
        print(f"  {name:22} {counts['present']:4}  {_share(counts['carried'], counts['present'])}")
    print("\nlanded records that lost a field their payload holds (first 6 of each)")
    for name, records in lost.items():
        if records:
            print(f"  {name} ({len(records)}): {'; '.join(records[:6])}")
    if skipped:
        print(f"\nnot harvested (shared reference folder missing): {skipped}")
    print(f"\nrefused ({len(refusals)}):")
    for line in refusals:
        print(f"  {line}")

    updated: dict[str, Any] = {}
    for outcome in outcomes:
        stats = outcome.second.get("stats", {})
        if outcome.crash:
            updated[outcome.source.label] = "a harvest crashed"
        elif stats.get("updated") or stats.get("added"):
            updated[outcome.source.label] = stats
    ids = [d["id"] for o in outcomes for d in o.datasets]
    from ckan.tests.helpers import call_action

    for outcome in outcomes:
        call_action("harvest_source_clear", id=outcome.source_id)
    from ckan.lib import search

    search.commit()
    left = (
        call_action("package_search", fq=f"id:({' OR '.join(ids)})", include_private=True)["count"]
        if ids
        else 0
    )
    licence_misses = [p for p in problems if ": licence:" in p]
    publisher_misses = [p for p in problems if ": publisher:" in p]
    print(f"\nunmet expectations ({len(problems)}):")
    for line in problems:
        print(f"  {line}")
    print(f"\nunchanged re-harvest: {updated or 'nothing updated'}")
    print(f"search results left after harvest_source_clear: {left} (of {len(ids)} datasets)")
    if failures_file:
        report = {"problems": problems, "refused": refusals, "reharvest": updated}
        failures_file.write_text(json.dumps(report, indent=1, ensure_ascii=False), "utf-8")
    return common.print_checks(
        {
            f">= 95 % of records land ({100 * landed_share:.1f} %)": landed_share >= 0.95,
            f">= 90 % of payload fields carried ({100 * carried_share:.1f} %)": carried_share
            >= 0.90,
            f"licence recognised wherever unambiguous ({len(licence_misses)} misses)": not (
                licence_misses
            ),
            f"publisher kept wherever named ({len(publisher_misses)} misses)": not (
                publisher_misses
            ),
            "0 updated by an unchanged re-harvest": not updated,
            "0 search results after harvest_source_clear": left == 0,
        }
    )


if __name__ == "__main__":
    sys.exit(main())
