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


def e2e_env() -> dict[str, str]:
    """The environment of the end-to-end runs' `backfill` (a user's: none of our PREFECT_/BACKFILL_ settings),
    as tests/test_end_to_end.py's backfill() gives it."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "BACKFILL_"))}


class BackgroundRun:
    """A `backfill` command started in the background at the session's start (niced, so that the tests
    beside it keep a core), its output going to files (a pipe nobody reads would fill and stop it)."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str], logs: Path):
        self.out_path, self.err_path = logs / "stdout.txt", logs / "stderr.txt"
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                ["nice", "-n", str(BACKGROUND_NICE), *args],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group, as a terminal starts it: stopped whole below
            )
        self._done: subprocess.CompletedProcess | None = None

    def result(self, timeout: float = 1800) -> subprocess.CompletedProcess:
        """Wait for the run and return it as subprocess.run(capture_output=True, text=True) would have."""
        if self._done is None:
            self.proc.wait(timeout=timeout)
            out, err = (p.read_text(encoding="utf-8", errors="replace") for p in (self.out_path, self.err_path))
            self._done = subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)
        return self._done

    def stop(self) -> None:
        """Where the session ended before a test waited for it (-x, Ctrl-C): Ctrl-C to the whole group, as a
        user stops it (the run stops its Prefect server and workers too), then kill."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


BACKGROUND_NICE = 10


def debug_env() -> dict[str, str]:
    """e2e_env with every logger of the run at DEBUG (Prefect's too) and this checkout's code first."""
    return {**e2e_env(), "PREFECT_LOGGING_LEVEL": "DEBUG", "PYTHONPATH": str(ROOT)}


@dataclass
class StartedRun:
    """`backfill run samples/ --json --db DB` started in `work` against a fresh working store `db` on the real
    PostgreSQL server, with a fresh database `platform` beside it for the loads."""

    work: Path
    db: str
    platform: str
    run: BackgroundRun

    def result(self, timeout: float = 1800) -> subprocess.CompletedProcess:
        """Wait for the run and return it as subprocess.run would have."""
        return self.run.result(timeout)


@pytest.fixture(scope="session")
def samples_pg_first_run(pg_server, tmp_path_factory):
    """The PostgreSQL end-to-end test's first `backfill run` of the samples (real OCR, the Prefect flow, the
    working store on PostgreSQL), started in the background at the session's start where that test is to
    run (_sample_runs_start_first): the samples' OCR is the suite's dearest step, and run beside the tests
    before it, it costs them a core they mostly leave idle. Its databases are dropped at the end."""
    import psycopg
    from psycopg import sql

    work = tmp_path_factory.mktemp("samples-pg-run")
    base, name = pg_server.rsplit("/", 1)[0], "t_" + uuid.uuid4().hex[:12]
    names = [name, name + "_platform"]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        for n in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(n)))
    db = f"{base}/{name}"
    run = BackgroundRun(
        [sys.executable, "-m", "pipeline.cli", "run", str(SAMPLES), "--json", "--db", db],
        work,
        e2e_env(),
        tmp_path_factory.mktemp("samples-pg-run-output"),
    )
    try:
        yield StartedRun(work, db, f"{base}/{names[1]}", run)
    finally:
        run.stop()
        with psycopg.connect(pg_server, autocommit=True) as conn:
            for n in names:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(n)))


@pytest.fixture(scope="session")
def samples_debug_started(tmp_path_factory):
    """One whole `backfill -v run samples/ --json` as a user starts it (real OCR, the Prefect flow, SQLite
    store in ./backfill-data) with every logger at DEBUG, started in the background: (work folder, run)."""
    work = tmp_path_factory.mktemp("samples-run")
    env = debug_env()
    run = BackgroundRun(
        [sys.executable, "-c", DEBUG_MAIN, "-v", "run", str(SAMPLES), "--json"],
        work,
        env,
        tmp_path_factory.mktemp("samples-run-output"),  # outside the work folder, whose files the privacy tests read
    )
    try:
        yield work, run
    finally:
        run.stop()


SAMPLE_RUNS = ("samples_debug_started", "samples_pg_first_run")
# the test modules whose tests consume SAMPLE_RUNS: under pytest-xdist one worker runs them all (below)
SAMPLE_RUN_MODULES = ("test_end_to_end.py", "test_hostile_inputs.py", "test_page_columns.py", "test_privacy_logs.py")
CURRENT_ITEM = pytest.StashKey[pytest.Item]()


def _xdist_worker(config: pytest.Config) -> bool:
    """Whether this process is a pytest-xdist worker (`pytest -n N`), one of several running the tests."""
    return hasattr(config, "workerinput")


def _consumes_sample_runs(item: pytest.Item) -> bool:
    return any(name in SAMPLE_RUNS for name in getattr(item, "fixturenames", ()))


def _work_unit(nodeid: str) -> str:
    """The unit of work of a test under pytest-xdist: its module, or "samples-runs" for SAMPLE_RUN_MODULES."""
    module = nodeid.split("::")[0]
    return "samples-runs" if module.rsplit("/", 1)[-1] in SAMPLE_RUN_MODULES else module


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under pytest-xdist (`pytest -n N`, scripts/test.sh: `-n 2`) each test module is one unit of work, run
    whole by one worker, so that a module's module-scoped fixtures (stores read by real OCR) are made once,
    not once per worker; SAMPLE_RUN_MODULES are one unit together, handed out first, so that one worker
    starts the background runs of the samples with the session and all their consumers wait on it (two
    workers would each read the samples: the suite's dearest step twice). The other units go out in the
    collection's order. (xdist's own `--dist loadgroup` cannot do this under pytest 9: it renames a test by
    an attribute pytest 9 no longer reads, so its groups are ignored.) Other `--dist` modes are left as
    asked."""
    if config.getvalue("dist") not in ("load", "loadscope"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _work_unit(nodeid)

    config.option.loadscopereorder = False  # keep the order of pytest_collection_modifyitems (read only here)
    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist: SAMPLE_RUN_MODULES first (the workers' common order, see
    pytest_xdist_make_scheduler), and a test elsewhere that consumes the sample runs is an error to fix by
    naming its module there (else a second worker would read the samples again). Without xdist nothing
    changes."""
    if not _xdist_worker(config):
        return
    stray = sorted(
        {item.nodeid.split("::")[0] for item in items if _consumes_sample_runs(item)}
        - {item.nodeid.split("::")[0] for item in items if _work_unit(item.nodeid) == "samples-runs"}
    )
    if stray:
        raise pytest.UsageError(f"tests/conftest.py: add {', '.join(stray)} to SAMPLE_RUN_MODULES (it consumes {SAMPLE_RUNS})")
    items.sort(key=lambda item: _work_unit(item.nodeid) != "samples-runs")  # stable: each module's order kept


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.config.stash[CURRENT_ITEM] = item  # the item whose setup makes the session fixtures (below)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Under pytest-xdist a test marked `alone` (it asserts a duration: Ctrl-C answered within 10 s, a claim
    that must not lapse) runs with no test of another worker beside it: every test holds a shared lock on a
    file in the workers' common temporary folder from its setup to its teardown (module fixtures made or
    ended there included), an `alone` test an exclusive one. A turnstile lock taken first stops new shared
    holders while an exclusive one waits, so that it is not starved. Without xdist nothing is locked."""
    if not _xdist_worker(item.config) or item.config.option.basetemp is None:
        return (yield)
    import fcntl

    folder = Path(item.config.option.basetemp).parent  # xdist gives each worker <session basetemp>/<worker id>
    mode = fcntl.LOCK_EX if item.get_closest_marker("alone") else fcntl.LOCK_SH
    with (folder / "alone.turnstile").open("a") as turn, (folder / "alone.lock").open("a") as lock:
        fcntl.flock(turn, fcntl.LOCK_EX)
        try:
            fcntl.flock(lock, mode)
        finally:
            fcntl.flock(turn, fcntl.LOCK_UN)
        try:
            return (yield)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session", autouse=True)
def _sample_runs_start_first(request):
    """Starts the runs of the samples that the selected tests consume (samples_debug_started,
    samples_pg_first_run) before the first test, so that they go on beside the tests before their
    consumers. A run that cannot start (no PostgreSQL, say) is left to the test that needs it, which meets
    the same error (pytest keeps it) and reports it; the other tests go on. Under pytest-xdist only the
    worker whose first test is one of their modules starts them (the consumers are one unit of work, handed out
    first: pytest_xdist_make_scheduler): any other worker would read the samples for nothing; where the unit
    comes later (`--dist` asked otherwise), its tests start each run as they need it."""
    if _xdist_worker(request.config):
        first = request.config.stash.get(CURRENT_ITEM, None)
        if first is None or _work_unit(first.nodeid) != "samples-runs":
            return
    wanted = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    for fixture in SAMPLE_RUNS:
        if fixture not in wanted:
            continue
        if fixture == "samples_pg_first_run" and not (os.environ.get("BACKFILL_TEST_PG_URL") or server_binaries() is not None):
            continue
        try:
            request.getfixturevalue(fixture)
        except (Exception, pytest.skip.Exception, pytest.fail.Exception):
            pass


@pytest.fixture(scope="session")
def samples_debug_run(samples_debug_started):
    """The session's DEBUG run of the samples (samples_debug_started), waited for, then `backfill export --out
    export.csv`: (work folder, run, export). Shared by the privacy tests (what it printed and wrote) and the
    SQLite end-to-end test (which goes on from it on a copy of the folder): the OCR of the samples is the
    suite's dearest step, and one run serves both."""
    work, started = samples_debug_started
    run = started.result()
    env = debug_env()
    export = subprocess.run(
        [sys.executable, "-c", DEBUG_MAIN, "export", "--out", str(work / "export.csv")],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return work, run, export


@pytest.fixture(scope="session", autouse=True)
def _streamlit_components_scanned_once():
    """Streamlit's AppTest scans every installed distribution's metadata for v2 components at each new
    AppTest's first run (streamlit.components.v2.manifest_scanner, about 1.4 s here: 90 % of a screen's
    test run), though nothing is installed or removed while the suite runs: the scan's answer is kept for
    the session. Only where a test module imported AppTest (the others never start Streamlit)."""
    if "streamlit.testing.v1" not in sys.modules:
        yield
        return
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    kept: dict[int | None, list] = {}

    def scanned_once(max_workers: int | None = None) -> list:
        if max_workers not in kept:
            kept[max_workers] = scan(max_workers)
        return list(kept[max_workers])

    manifest_scanner.scan_component_manifests = scanned_once
    try:
        yield
    finally:
        manifest_scanner.scan_component_manifests = scan
