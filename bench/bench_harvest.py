"""Benchmark: udata harvest speed against a plain package_create loop, re-harvest, gather memory.

Runs on its own database and search-index site id (never the demo's or the tests'), which it
empties first. A local udata-style replay server (a separate process, so its memory does not
count) serves N generated datasets; the run then measures, all in one go:

1. the ceiling: the same N datasets (mapped exactly as the harvester maps them) created by a
   plain ``package_create`` loop;
2. a first harvest of the source (gather, fetch, import, synchronously): datasets/second and
   its ratio to the ceiling (target >= 0.8);
3. a second harvest of the unchanged source, which reads and compares every record (our
   harvesters have no incremental mode: every re-harvest is a forced one): its time as a
   fraction of the first (target: at least 10x faster);
4. the time of a full rebuild of the search index of the catalogue then held (about 3N
   datasets), per dataset: the index path's cost, without a target;
5. the peak Python memory of the gather of a source of BIG datasets (target < 300 MB).

Wall times depend on what else the machine runs; the CPU time of this process is printed
beside them (the ratio of CPU times leaves out a busy PostgreSQL or Solr, not our own work).

    .venv/bin/python -m bench harvest [--n 2000] [--big 50000] [--no-solr-commit]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from bench import common

ORGANIZATION = "banc-essai"
REPLAY = "demo.replay"


def _mapped(n: int, base_url: str) -> Iterator[dict[str, Any]]:
    from ckanext.datagrandest.harvesters.udata import UdataHarvester
    from demo.replay import synthetic_udata_dataset

    harvester = UdataHarvester()
    for index in range(n):
        record = synthetic_udata_dataset(index, ORGANIZATION, base_url)
        yield harvester.map_record(record, None)  # type: ignore[arg-type]


SPEC = common.HarvestBench(
    name="udata",
    database="ckan_bench_harvest",
    site_id="dge_bench_harvest",
    redis_db=8,
    harvester_type="datagrandest_udata",
    body_kind="departement",
    noun="datasets",
    source_noun="source",
    replay_command=lambda n: [REPLAY, "--synthetic-udata", str(n)],
    mapped=_mapped,
    source_config={"organizations": [ORGANIZATION], "page_size": 100},
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.harvest_arguments(parser, "datasets")
    return common.run_harvest_bench(SPEC, parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
