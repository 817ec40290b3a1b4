"""Benchmark: CSW (ISO 19139) harvest speed against a plain package_create loop, re-harvest, memory.

The same figures as ``bench_harvest`` (udata), for a geocatalogue: on its own database and
search-index site id, emptied first, with a local CSW replay server (a separate process, so
its memory does not count) serving N generated ISO 19139 records, it measures

1. the ceiling: the same N records, mapped exactly as the harvester maps them, created by a
   plain ``package_create`` loop (run before and after the harvest, averaged);
2. a first harvest (gather, fetch, import, synchronously): records/second and its ratio to
   the ceiling (target >= 0.8);
3. a second harvest of the unchanged catalogue: its speed-up over the first (target >= 10x);
4. the peak Python memory of the gather of a catalogue of BIG records (target < 300 MB).

    .venv/bin/python -m bench.bench_csw [--n 2000] [--big 50000] [--page-size 50]
        [--no-solr-commit]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "ckan_bench_csw"
ENVIRONMENT = {
    "CKAN_SQLALCHEMY_URL": f"postgresql://ckan:ckan@127.0.0.1:55432/{DATABASE}",
    "CKAN_SITE_ID": "dge_bench_csw",
    "CKAN_REDIS_URL": "redis://127.0.0.1:56379/8",
}
CSW_PATH = "/geonetwork/srv/fre/csw"
GMD = 'xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco"'

# One realistic record (identification, keywords, licence, extent, three online resources).
RECORD = """<gmd:MD_Metadata {ns} xmlns:gmx="http://www.isotc211.org/2005/gmx" \
xmlns:xlink="http://www.w3.org/1999/xlink">
<gmd:fileIdentifier><gco:CharacterString>bench-{i:06d}</gco:CharacterString></gmd:fileIdentifier>
<gmd:language><gmd:LanguageCode codeList="x" codeListValue="fre">fre</gmd:LanguageCode>
</gmd:language>
<gmd:identificationInfo><gmd:MD_DataIdentification>
<gmd:citation><gmd:CI_Citation>
<gmd:title><gco:CharacterString>Plan local d'urbanisme n°{i} de la commune de Sélestat\
</gco:CharacterString></gmd:title>
<gmd:date><gmd:CI_Date><gmd:date><gco:Date>2024-02-20</gco:Date></gmd:date><gmd:dateType>\
<gmd:CI_DateTypeCode codeList="x" codeListValue="revision">revision</gmd:CI_DateTypeCode>\
</gmd:dateType></gmd:CI_Date></gmd:date>
</gmd:CI_Citation></gmd:citation>
<gmd:abstract><gco:CharacterString>Zonage et prescriptions du PLU, lot {i}.\
</gco:CharacterString></gmd:abstract>
<gmd:pointOfContact><gmd:CI_ResponsibleParty><gmd:organisationName><gco:CharacterString>\
DDT du Bas-Rhin</gco:CharacterString></gmd:organisationName><gmd:contactInfo><gmd:CI_Contact>\
<gmd:address><gmd:CI_Address><gmd:electronicMailAddress><gco:CharacterString>sig@ddt67.test\
</gco:CharacterString></gmd:electronicMailAddress></gmd:CI_Address></gmd:address>\
</gmd:CI_Contact></gmd:contactInfo><gmd:role><gmd:CI_RoleCode codeList="x" \
codeListValue="pointOfContact">pointOfContact</gmd:CI_RoleCode></gmd:role>\
</gmd:CI_ResponsibleParty></gmd:pointOfContact>
<gmd:resourceMaintenance><gmd:MD_MaintenanceInformation><gmd:maintenanceAndUpdateFrequency>\
<gmd:MD_MaintenanceFrequencyCode codeList="x" codeListValue="annually"/>\
</gmd:maintenanceAndUpdateFrequency></gmd:MD_MaintenanceInformation></gmd:resourceMaintenance>
<gmd:descriptiveKeywords><gmd:MD_Keywords><gmd:keyword><gmx:Anchor \
xlink:href="http://inspire.ec.europa.eu/theme/lu">Usage des sols</gmx:Anchor></gmd:keyword>\
</gmd:MD_Keywords></gmd:descriptiveKeywords>
<gmd:descriptiveKeywords><gmd:MD_Keywords><gmd:keyword><gco:CharacterString>urbanisme\
</gco:CharacterString></gmd:keyword><gmd:keyword><gco:CharacterString>lot {lot}\
</gco:CharacterString></gmd:keyword></gmd:MD_Keywords></gmd:descriptiveKeywords>
<gmd:resourceConstraints><gmd:MD_LegalConstraints><gmd:otherConstraints>\
<gco:CharacterString>Licence Ouverte 2.0</gco:CharacterString></gmd:otherConstraints>\
</gmd:MD_LegalConstraints></gmd:resourceConstraints>
<gmd:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>\
<gmd:westBoundLongitude><gco:Decimal>7.39</gco:Decimal></gmd:westBoundLongitude>\
<gmd:eastBoundLongitude><gco:Decimal>7.54</gco:Decimal></gmd:eastBoundLongitude>\
<gmd:southBoundLatitude><gco:Decimal>48.22</gco:Decimal></gmd:southBoundLatitude>\
<gmd:northBoundLatitude><gco:Decimal>48.30</gco:Decimal></gmd:northBoundLatitude>\
</gmd:EX_GeographicBoundingBox></gmd:geographicElement></gmd:EX_Extent></gmd:extent>
</gmd:MD_DataIdentification></gmd:identificationInfo>
<gmd:distributionInfo><gmd:MD_Distribution><gmd:transferOptions><gmd:MD_DigitalTransferOptions>
<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>https://geo.test/plu/{i}.zip</gmd:URL>\
</gmd:linkage><gmd:protocol><gco:CharacterString>WWW:DOWNLOAD-1.0-http--download\
</gco:CharacterString></gmd:protocol></gmd:CI_OnlineResource></gmd:onLine>
<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>https://geo.test/ows</gmd:URL>\
</gmd:linkage><gmd:protocol><gco:CharacterString>OGC:WMS</gco:CharacterString></gmd:protocol>\
<gmd:name><gco:CharacterString>plu_{i}</gco:CharacterString></gmd:name>\
</gmd:CI_OnlineResource></gmd:onLine>
<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>https://geo.test/wfs</gmd:URL>\
</gmd:linkage><gmd:protocol><gco:CharacterString>OGC:WFS</gco:CharacterString></gmd:protocol>\
<gmd:name><gco:CharacterString>plu_{i}</gco:CharacterString></gmd:name>\
</gmd:CI_OnlineResource></gmd:onLine>
</gmd:MD_DigitalTransferOptions></gmd:transferOptions></gmd:MD_Distribution></gmd:distributionInfo>
</gmd:MD_Metadata>"""


def csw_page(start: int, size: int, total: int) -> bytes:
    """A GetRecords answer for records start..start+size-1 (1-based) of a generated catalogue."""
    last = min(start + size - 1, total)
    records = "".join(RECORD.format(ns=GMD, i=i, lot=i % 50) for i in range(start, last + 1))
    following = last + 1 if last < total else 0
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
        f'<csw:SearchResults numberOfRecordsMatched="{total}" '
        f'numberOfRecordsReturned="{max(0, last - start + 1)}" nextRecord="{following}">'
        f"{records}</csw:SearchResults></csw:GetRecordsResponse>"
    ).encode()


def csw_route(total: int) -> Any:
    from ckanext.datagrandest.harvesters.replay import Reply

    def handler(query: Mapping[str, str], path: str) -> Reply:
        lowered = {k.lower(): v for k, v in query.items()}
        start = int(lowered.get("startposition", "1"))
        size = int(lowered.get("maxrecords", "10"))
        body = csw_page(start, size, total)
        return Reply(200, body, {"Content-Type": "application/xml; charset=UTF-8"})

    return handler


def _serve(total: int, port_file: Path) -> None:
    """Run the CSW replay server until SIGTERM (the bench starts it as a separate process)."""
    from ckanext.datagrandest.harvesters.replay import ReplayServer

    server = ReplayServer({CSW_PATH: csw_route(total)}).start()
    port_file.write_text(server.url + CSW_PATH + "\n", encoding="utf-8")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()


@contextmanager
def _replay(total: int) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        url_file = Path(tmp) / "url"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.bench_csw",
                "--serve",
                str(total),
                "--port-file",
                str(url_file),
            ],
            cwd=ROOT,
        )
        try:
            for _ in range(200):
                if url_file.exists() and url_file.read_text().strip():
                    break
                time.sleep(0.05)
            yield url_file.read_text().strip()
        finally:
            process.terminate()
            process.wait(timeout=10)


def _setup_database() -> None:
    """An empty bench database with every table, and an empty search index."""
    subprocess.run(
        [str(ROOT / "scripts/services/postgres.sh"), "createdb", DATABASE],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    ckan = str(ROOT / ".venv/bin/ckan")
    env = {**os.environ, **ENVIRONMENT}
    for command in (
        ["db", "clean", "--yes"],
        ["db", "init"],
        ["db", "pending-migrations", "--apply"],
        ["search-index", "clear"],
    ):
        subprocess.run(
            [ckan, "-c", str(ROOT / "test.ini"), *command],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def _context() -> dict[str, Any]:
    import ckan.plugins.toolkit as tk

    # A fresh context per call: CKAN records auth checks in the one it is given.
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {"ignore_auth": True, "user": user}


def _organization(name: str) -> str:
    import ckan.plugins.toolkit as tk

    org = tk.get_action("organization_create")(
        _context(),
        {"name": name, "title": name, "body_kind": "state_service", "territories": ["67"]},
    )
    return str(org["id"])


def _ceiling(n: int, url: str, page_size: int, label: str) -> float:
    """Seconds for package_create of the harvester's own mapping of the N records."""
    import ckan.plugins.toolkit as tk

    from ckanext.datagrandest.harvesters import iso19139
    from ckanext.datagrandest.harvesters.base import Source
    from ckanext.datagrandest.harvesters.csw import CSWHarvester
    from ckanext.datagrandest.harvesters.dedup import KEYS_FIELD
    from ckanext.datagrandest.harvesters.sanitize import clean_dataset

    org_id = _organization(label)
    harvester = CSWHarvester()
    source = Source(id="", url=url, config={"page_size": page_size}, http=None, pages=None)  # type: ignore[arg-type]
    # Mapping is done up front: the ceiling is package_create alone.
    datasets = []
    for start in range(1, n + 1, page_size):
        for record in iso19139.records(iso19139.parse_xml(csw_page(start, page_size, n))):
            data = clean_dataset(harvester.map_record(record, source))
            data.pop(KEYS_FIELD, None)
            # Other identifiers and pages, so the harvest later does not merge with these.
            data.update(
                name=f"{label}-{len(datasets)}",
                owner_org=org_id,
                identifier=f"{data['identifier']}#{label}",
                url=f"{data['url']}#{label}",
            )
            datasets.append(data)
    start_time = time.perf_counter()
    for data in datasets:
        tk.get_action("package_create")({**_context(), "return_id_only": True}, data)
    return time.perf_counter() - start_time


def _source(url: str, name: str, page_size: int) -> str:
    import ckan.plugins.toolkit as tk

    source = tk.get_action("harvest_source_create")(
        _context(),
        {
            "name": name,
            "title": name,
            "url": url,
            "source_type": "datagrandest_csw",
            "config": json.dumps({"page_size": page_size}),
            "owner_org": _organization(f"{name}-org"),
        },
    )
    return str(source["id"])


def _job(source_id: str) -> Any:
    import ckan.plugins.toolkit as tk

    from ckanext.harvest.model import HarvestJob

    job = tk.get_action("harvest_job_create")(_context(), {"source_id": source_id, "run": False})
    job_obj = HarvestJob.get(job["id"])
    job_obj.status = "Running"
    job_obj.save()
    return job_obj


def _harvest(source_id: str) -> tuple[float, dict[str, int]]:
    """One whole job as the queues would run it (gather, fetch+import each, finish)."""
    import ckan.plugins.toolkit as tk

    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject

    job = _job(source_id)
    harvester = queue.get_harvester("datagrandest_csw")
    start = time.perf_counter()
    for object_id in queue.gather_stage(harvester, job) or []:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    tk.get_action("harvest_jobs_run")(_context(), {"source_id": source_id})
    elapsed = time.perf_counter() - start
    stats = tk.get_action("harvest_job_show")(_context(), {"id": job.id})["stats"]
    return elapsed, {k: v for k, v in stats.items() if v}


def _gather_memory(source_id: str) -> tuple[float, int, float]:
    """Peak traced Python memory (MB) of one gather, objects created, and its seconds."""
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject, Session

    job = _job(source_id)
    harvester = queue.get_harvester("datagrandest_csw")
    tracemalloc.start()
    start = time.perf_counter()
    queue.gather_stage(harvester, job)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    created = Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job.id).count()
    return peak / 1e6, created, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="records harvested (2000)")
    parser.add_argument("--big", type=int, default=50000, help="records gathered (50000)")
    parser.add_argument("--page-size", type=int, default=50, help="GetRecords page (50)")
    parser.add_argument(
        "--no-solr-commit",
        action="store_true",
        help="ckan.search.solr_commit = false for the whole run (Solr's own autocommit)",
    )
    parser.add_argument("--serve", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--port-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _serve(args.serve, args.port_file)
        return 0

    os.environ.update(ENVIRONMENT)
    _setup_database()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ROOT / "test.ini")))._wsgi_app
    if args.no_solr_commit:
        import ckan.plugins.toolkit as tk

        tk.config["ckan.search.solr_commit"] = False
    size = args.page_size
    with app.test_request_context("/"), _replay(args.n) as url:
        print(f"bench: {args.n} ISO 19139 records from {url}; ceiling...", flush=True)
        ceiling_before = _ceiling(args.n, url, size, "plafond-avant")
        source_id = _source(url, "banc-essai-csw", size)
        print("bench: first harvest...", flush=True)
        first, first_stats = _harvest(source_id)
        print("bench: ceiling again...", flush=True)
        ceiling_after = _ceiling(args.n, url, size, "plafond-apres")
        ceiling = (ceiling_before + ceiling_after) / 2
        print("bench: second harvest of the unchanged catalogue...", flush=True)
        second, second_stats = _harvest(source_id)
    with app.test_request_context("/"), _replay(args.big) as url:
        print(f"bench: gather of {args.big} records...", flush=True)
        peak, created, gather_time = _gather_memory(_source(url, "banc-essai-csw-gros", size))

    ceiling_rate, first_rate = args.n / ceiling, args.n / first
    ratio, speedup = first_rate / ceiling_rate, first / second
    checks = {
        "first harvest >= 0.8 x ceiling": ratio >= 0.8,
        "unchanged re-harvest >= 10x faster": speedup >= 10,
        "gather peak < 300 MB": peak < 300,
        "every record added then not modified": first_stats == {"added": args.n}
        and second_stats == {"not modified": args.n},
        "every record gathered": created == args.big,
    }
    print(
        f"package_create loop (ceiling): {ceiling:8.1f} s  {ceiling_rate:6.1f} datasets/s"
        f"  (before {ceiling_before:.1f} s, after {ceiling_after:.1f} s)"
    )
    print(f"first harvest:    {first:8.1f} s  {first_rate:6.1f} datasets/s  {first_stats}")
    print(f"ratio first harvest / ceiling: {ratio:8.2f}  (target >= 0.8)")
    print(f"unchanged re-harvest:          {second:8.1f} s  {second_stats}")
    print(f"re-harvest speed-up:           {speedup:8.1f}x (target >= 10x)")
    print(
        f"gather of {args.big}: {gather_time:.1f} s, {created} objects, "
        f"peak traced memory {peak:.1f} MB (target < 300)"
    )
    for name, ok in checks.items():
        print(f"  {'OK ' if ok else 'NO '} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
