"""Shared fixtures: the committed samples, one whole run on them, a real PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from pgcluster import Cluster, server_binaries

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def pg_server():
    """Base URL of a real PostgreSQL: $BACKFILL_TEST_PG_URL, or a throwaway cluster on loopback."""
    url = os.environ.get("BACKFILL_TEST_PG_URL")
    if url:
        yield url
        return
    if server_binaries() is None:
        if os.environ.get("BACKFILL_REQUIRE_PG"):
            pytest.fail("PostgreSQL server binaries not found (apt-get install postgresql)")
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    cluster = Cluster(prefix="backfill-test-pg-")
    try:
        yield cluster.url()
    finally:
        cluster.remove()


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database on the real server for one test."""
    import psycopg
    from psycopg import sql

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = pg_server.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def backfill_cli():
    """Run `backfill ARGS...` in this process; returns what it printed (asserting exit code 0)."""
    import io
    from contextlib import redirect_stdout

    from pipeline.cli import main

    def run(*argv: str) -> str:
        out = io.StringIO()
        with redirect_stdout(out):
            code = main(list(argv))
        assert code == 0, out.getvalue()
        return out.getvalue()

    return run


DEBUG_MAIN = (
    "import logging, sys; logging.basicConfig(level=logging.DEBUG, format='%(levelname)s %(name)s: %(message)s');"
    "from pipeline.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.fixture(scope="session")
def samples_debug_run(tmp_path_factory):
    """One whole `backfill -v run samples/ --json` as a user starts it (real OCR, the Prefect flow, SQLite
    store in ./backfill-data) with every logger at DEBUG, then `backfill export --out export.csv`: (work
    folder, run, export). Shared by the privacy tests (what it printed and wrote) and the SQLite end-to-end
    test (which goes on from it on a copy of the folder): the OCR of the samples is the suite's dearest
    step, and one run serves both."""
    work = tmp_path_factory.mktemp("samples-run")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "BACKFILL_"))}
    env.update(PREFECT_LOGGING_LEVEL="DEBUG", PYTHONPATH=str(ROOT))

    def backfill(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", DEBUG_MAIN, *args], cwd=work, env=env, capture_output=True, text=True, timeout=1800
        )

    run = backfill("-v", "run", str(SAMPLES), "--json")
    export = backfill("export", "--out", str(work / "export.csv"))
    return work, run, export
