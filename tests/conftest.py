"""Shared fixtures: the committed samples, one whole run on them, a real PostgreSQL server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
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


# the PostgreSQL end-to-end test (tests/test_end_to_end.py): its first run of the samples is started beside
# the DEBUG run below when both are to run, so that the two reads of the samples overlap
PG_END_TO_END = "tests/test_end_to_end.py::test_cli_end_to_end_postgres"


def e2e_env() -> dict[str, str]:
    """The environment of the end-to-end runs' `backfill` (a user's: none of our PREFECT_/BACKFILL_ settings),
    as tests/test_end_to_end.py's backfill() gives it."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "BACKFILL_"))}


@dataclass
class StartedRun:
    """`backfill run samples/ --json --db DB` started in `work` against a fresh working store `db` on the real
    PostgreSQL server, with a fresh database `platform` beside it for the loads."""

    work: Path
    db: str
    platform: str
    proc: subprocess.Popen
    _done: subprocess.CompletedProcess | None = None

    def result(self, timeout: float = 1800) -> subprocess.CompletedProcess:
        """Wait for the run and return it as subprocess.run would have."""
        if self._done is None:
            out, err = self.proc.communicate(timeout=timeout)
            self._done = subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)
        return self._done


@pytest.fixture(scope="session")
def samples_pg_first_run(pg_server, tmp_path_factory):
    """The PostgreSQL end-to-end test's first `backfill run` of the samples (real OCR, the Prefect flow, the
    working store on PostgreSQL), started in the background: the samples' OCR is the suite's dearest step,
    and this run and the DEBUG run (samples_debug_run) each leave a core idle part of the time, so
    samples_debug_run starts this one before its own when both are to run. Its databases are dropped at the end."""
    import psycopg
    from psycopg import sql

    work = tmp_path_factory.mktemp("samples-pg-run")
    base, name = pg_server.rsplit("/", 1)[0], "t_" + uuid.uuid4().hex[:12]
    names = [name, name + "_platform"]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        for n in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(n)))
    db = f"{base}/{name}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "run", str(SAMPLES), "--json", "--db", db],
        cwd=work,
        env=e2e_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal starts it: stopped whole below if need be
    )
    started = StartedRun(work, db, f"{base}/{names[1]}", proc)
    try:
        yield started
    finally:
        if proc.poll() is None:  # the test did not get to wait for it (the session stopped early: -x, Ctrl-C)
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the run stops its Prefect server and workers too
            try:
                proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
        with psycopg.connect(pg_server, autocommit=True) as conn:
            for n in names:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(n)))


def _start_pg_end_to_end_too(request) -> None:
    """Start samples_pg_first_run now where the PostgreSQL end-to-end test is among the tests to run and a
    PostgreSQL server can be had (else that test starts it itself, or is skipped or fails as it would)."""
    if not any(item.nodeid.endswith(PG_END_TO_END) for item in request.session.items):
        return
    if not (os.environ.get("BACKFILL_TEST_PG_URL") or server_binaries() is not None):
        return
    try:
        request.getfixturevalue("samples_pg_first_run")
    except (Exception, pytest.skip.Exception, pytest.fail.Exception):
        pass  # the PostgreSQL test meets the same error (pytest keeps it) and reports it; the DEBUG run goes on


@pytest.fixture(scope="session")
def samples_debug_run(request, tmp_path_factory):
    """One whole `backfill -v run samples/ --json` as a user starts it (real OCR, the Prefect flow, SQLite
    store in ./backfill-data) with every logger at DEBUG, then `backfill export --out export.csv`: (work
    folder, run, export). Shared by the privacy tests (what it printed and wrote) and the SQLite end-to-end
    test (which goes on from it on a copy of the folder): the OCR of the samples is the suite's dearest
    step, and one run serves both. The PostgreSQL end-to-end test's first run is started beside it."""
    _start_pg_end_to_end_too(request)
    work = tmp_path_factory.mktemp("samples-run")
    env = e2e_env()
    env.update(PREFECT_LOGGING_LEVEL="DEBUG", PYTHONPATH=str(ROOT))

    def backfill(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", DEBUG_MAIN, *args], cwd=work, env=env, capture_output=True, text=True, timeout=1800
        )

    run = backfill("-v", "run", str(SAMPLES), "--json")
    export = backfill("export", "--out", str(work / "export.csv"))
    return work, run, export
