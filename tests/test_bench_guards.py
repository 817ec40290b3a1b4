"""The benchmarks' guards: counts refused before anything is touched, one run a database.

A run of ``bench scale`` without ``--keep`` empties its database: started by mistake beside
another run (or with ``--n -5``), it would drop the tables the first one is reading.
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from bench import bench_scale, common

HOLD = (
    "import sys; from bench import common; common.hold_database(sys.argv[1]); "
    "print('held', flush=True); sys.stdin.read()"
)


def _holder(database: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", HOLD, database],
        cwd=common.ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_run_on_the_same_database_is_refused_until_the_first_ends():
    database = f"bench_guard_{uuid.uuid4().hex[:8]}"
    first = _holder(database)
    try:
        assert first.stdout is not None
        assert first.stdout.readline().strip() == "held"
        second = _holder(database)
        _, error = second.communicate(timeout=60)
        assert second.returncode == 1
        assert f"another run (pid {first.pid}) is using the database {database}" in error
        other = _holder(f"{database}_other")  # another database: no wait
        assert other.communicate(input="", timeout=60)[0].strip() == "held"
    finally:
        first.communicate(input="", timeout=60)
    third = _holder(database)
    assert third.communicate(input="", timeout=60)[0].strip() == "held"
    (common.ROOT / ".state" / "run" / f"bench-{database}.lock").unlink()
    (common.ROOT / ".state" / "run" / f"bench-{database}_other.lock").unlink()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--n", "-5"], "argument --n: -5 is below 1"),
        (["--n", "cinq"], "argument --n: 'cinq' is not a whole number"),
        (["--reindex-n", "0"], "argument --reindex-n: 0 is below 1"),
        (["--sample", "-1"], "argument --sample: -1 is below 0"),
    ],
)
def test_bad_counts_are_refused_before_the_database_is_touched(argv, message, capsys, monkeypatch):
    touched = []
    monkeypatch.setattr(common, "setup_database", lambda *a, **k: touched.append(a))
    with pytest.raises(SystemExit) as stop:
        bench_scale.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    assert touched == []
