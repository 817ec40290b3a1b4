"""Benchmark: CSW (ISO 19139) harvest speed against a plain package_create loop, re-harvest, memory.

The same figures as ``bench_harvest`` (udata), for a geocatalogue: on its own database and
search-index site id, emptied first, with a local CSW replay server (a separate process, so
its memory does not count) serving N generated ISO 19139 records, it measures

1. the ceiling: the same N records, mapped exactly as the harvester maps them, created by a
   plain ``package_create`` loop (run before and after the harvest, averaged);
2. a first harvest (gather, fetch, import, synchronously): records/second and its ratio to
   the ceiling (target >= 0.8);
3. a second harvest of the unchanged catalogue: its speed-up over the first (target >= 10x);
4. the time of a full rebuild of the search index, per dataset (no target);
5. the peak Python memory of the gather of a catalogue of BIG records (target < 300 MB).

    .venv/bin/python -m bench csw [--n 2000] [--big 50000] [--page-size 50] [--no-solr-commit]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from bench import common

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
    from demo.replay import Reply

    def handler(query: Mapping[str, str], path: str) -> Reply:
        lowered = {k.lower(): v for k, v in query.items()}
        start = int(lowered.get("startposition", "1"))
        size = int(lowered.get("maxrecords", "10"))
        body = csw_page(start, size, total)
        return Reply(200, body, {"Content-Type": "application/xml; charset=UTF-8"})

    return handler


def _mapped(n: int, url: str, page_size: int) -> Iterator[dict[str, Any]]:
    from ckanext.datagrandest.harvesters import iso19139
    from ckanext.datagrandest.harvesters.base import Source
    from ckanext.datagrandest.harvesters.csw import CSWHarvester

    harvester = CSWHarvester()
    source = Source(id="", url=url, config={"page_size": page_size}, http=None, pages=None)  # type: ignore[arg-type]
    for start in range(1, n + 1, page_size):
        for record in iso19139.records(iso19139.parse_xml(csw_page(start, page_size, n))):
            yield harvester.map_record(record, source)


def spec(page_size: int) -> common.HarvestBench:
    return common.HarvestBench(
        name="csw",
        database="ckan_bench_csw",
        site_id="dge_bench_csw",
        redis_db=8,
        harvester_type="datagrandest_csw",
        body_kind="state_service",
        noun="records",
        source_noun="catalogue",
        replay_command=lambda n: ["bench.bench_csw", "--serve", str(n)],
        mapped=lambda n, url: _mapped(n, url, page_size),
        source_config={"page_size": page_size},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.harvest_arguments(parser, "records")
    parser.add_argument(
        "--page-size", type=common.positive, default=50, help="GetRecords page (50)"
    )
    # The bench starts this same module as its replay server (a separate process).
    parser.add_argument("--serve", type=common.non_negative, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--port-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        common.serve({CSW_PATH: csw_route(args.serve)}, CSW_PATH, args.port_file)
        return 0
    return common.run_harvest_bench(spec(args.page_size), args)


if __name__ == "__main__":
    sys.exit(main())
