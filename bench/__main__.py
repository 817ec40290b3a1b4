"""`python -m bench`: run every benchmark with its defaults (today the DCAT export one)."""

from __future__ import annotations

import sys

from bench import bench_dcat

if __name__ == "__main__":
    sys.exit(bench_dcat.main(sys.argv[1:]))
