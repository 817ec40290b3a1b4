"""The service scripts fail clearly and leave nothing half-started (run on spare ports)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"


@pytest.fixture
def occupied_port() -> Iterator[int]:
    """A port on which another program already listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def stack_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a throw-away stack: own state dir, own free ports."""
    env = {
        **os.environ,
        "DGE_STATE_DIR": str(tmp_path / "state"),
        "DGE_PG_PORT": str(free_port()),
        "DGE_REDIS_PORT": str(free_port()),
        "DGE_SOLR_PORT": str(free_port()),
    }
    yield env
    subprocess.run([SCRIPTS / "services.sh", "stop"], env=env, capture_output=True, timeout=120)
    pg = tmp_path / "state" / "pg"
    if pg.is_symlink():  # the cluster was placed outside an untraversable tmp dir
        shutil.rmtree(pg.resolve(), ignore_errors=True)


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPTS / script, *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("service", "port_variable"),
    [("redis", "DGE_REDIS_PORT"), ("solr", "DGE_SOLR_PORT"), ("postgres", "DGE_PG_PORT")],
)
def test_start_refuses_a_port_in_use(stack_env, occupied_port, service, port_variable):
    stack_env[port_variable] = str(occupied_port)
    result = run(f"services/{service}.sh", "start", env=stack_env)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{service}: ")
    assert str(occupied_port) in result.stderr
    assert "already in use" in result.stderr
    assert run(f"services/{service}.sh", "status", env=stack_env).returncode == 3


def test_missing_postgresql_is_named(stack_env):
    stack_env["DGE_PG_BIN"] = "/nonexistent/postgresql/bin"
    result = run("services/postgres.sh", "start", env=stack_env)
    assert result.returncode == 1
    assert "postgres: PostgreSQL 15 is not installed" in result.stderr


def test_failed_start_stops_what_was_started(stack_env, occupied_port):
    """Solr cannot start: PostgreSQL and Redis, started by the same call, are stopped again."""
    stack_env["DGE_SOLR_PORT"] = str(occupied_port)
    result = run("services.sh", "start", env=stack_env)
    assert result.returncode == 1
    assert "redis: started" in result.stdout
    assert "postgres: started" in result.stdout
    assert "solr failed to start" in result.stderr
    for service in ("postgres", "redis", "solr"):
        assert run(f"services/{service}.sh", "status", env=stack_env).returncode == 3, service


def test_stop_twice_is_fine(stack_env):
    for _ in range(2):
        result = run("services.sh", "stop", env=stack_env)
        assert result.returncode == 0
        assert "redis: not running" in result.stdout
