"""The backfill run as a Prefect flow: intake -> page batches (cleanup, layout, OCR, mapping, routing)
-> de-duplication -> optional load -> summary.

Tasks are chunky (a batch of pages each; at most pipeline.runs.manage.MAX_TASKS batches per flow run) and
retry, with backoff, only on I/O errors. The business logic lives in pipeline.runs.manage / pipeline.runs.stages;
resume comes from the store's keys, so a killed flow run started again re-does only what is left.

The same flow runs on Prefect's default task runner (threads, `max_workers` 1 by default: OCR already
uses both cores) or, unchanged, on a Dask cluster: `backfill_flow.with_options(task_runner=dask_runner(address))`.
"""

from __future__ import annotations

import fcntl
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, TypedDict

from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner
from sqlalchemy.exc import OperationalError

from pipeline.kernel.config import Settings
from pipeline.kernel.store import Store
from pipeline.page.extract import agree_volumes
from pipeline.page.intake import IntakeResult
from pipeline.runs import manage as runs
from pipeline.runs import stages


def _io_error_only(task, task_run, state) -> bool:
    """Retry condition: transient I/O (disk, database connection), never a logic error."""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, (OSError, OperationalError))


@lru_cache(maxsize=4)
def _store(url: str, data_dir: str) -> Store:
    return Store(url, Path(data_dir) / "images")


def _open(settings: dict[str, Any] | None) -> tuple[Store, Settings]:
    """The store and settings; None: the serving process's own settings (env, ./backfill.toml), so a
    deployment never carries connection strings in its parameters."""
    s = Settings.load() if settings is None else Settings.from_public(settings)
    return _store(s.store_url, s.data_dir), s


class _Retries(TypedDict):
    retries: int
    retry_delay_seconds: list[float]
    retry_jitter_factor: float
    retry_condition_fn: Callable[..., bool]


IO_RETRIES: _Retries = dict(
    retries=3, retry_delay_seconds=[2, 10, 30], retry_jitter_factor=0.5, retry_condition_fn=_io_error_only
)


@task(name="intake", **IO_RETRIES)
def intake_task(run_id: int, scans_dir: str, settings: dict[str, Any]) -> IntakeResult:
    store, s = _open(settings)
    return stages.intake(store, run_id, Path(scans_dir), s)


def _batch_name() -> str:
    from prefect.runtime import task_run

    ids = task_run.parameters.get("page_ids") or [0]
    return f"pages {ids[0]}-{ids[-1]}"


@task(name="process-pages", task_run_name=_batch_name, **IO_RETRIES)
def process_pages_task(run_id: int, page_ids: list[int], settings: dict[str, Any]) -> int:
    """One batch of pages: cleanup, layout, OCR, mapping and routing of each (pages already read, or
    held by another run on the store at the same time, are skipped)."""
    store, s = _open(settings)
    return sum(o.records for o in runs.read_claimed(store, run_id, page_ids, s))


@task(name="dedupe", **IO_RETRIES)
def link_task(run_id: int, settings: dict[str, Any]) -> int:
    store, s = _open(settings)
    return runs.link(store, run_id, s)


@task(name="audit", **IO_RETRIES)
def audit_task(settings: dict[str, Any]) -> dict[str, int]:
    """Draw the blind audit samples the volumes lack and act on what the audit measured (pipeline.quality.audit)."""
    store, s = _open(settings)
    return stages.audit_stage(store, s)


@task(name="load", **IO_RETRIES)
def load_task(run_id: int, settings: dict[str, Any]) -> dict[str, int]:
    store, s = _open(settings)
    return runs.load_records(store, s, run_id)


def _batch_runner(run_id: int, settings: dict[str, Any], batch_pages: int):
    def run_batches(page_ids: list[int]) -> None:
        futures = [process_pages_task.submit(run_id, b, settings) for b in runs.batches(page_ids, batch_pages)]
        for f in futures:
            f.result()  # raises the first failure after its retries

    return run_batches


# ignored: Prefect types a flow's task_runner so that no ThreadPoolTaskRunner fits (PrefectHQ/prefect#16938)
@flow(name="backfill-run", task_runner=ThreadPoolTaskRunner(max_workers=1))  # type: ignore[arg-type]
def backfill_flow(
    scans_dir: str, settings: dict[str, Any] | None = None, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A migration run over `scans_dir`; `options`: homes, years, volumes (a selection from the
    inventory), batch_pages, load (see pipeline.runs.manage.RunOptions)."""
    t0 = time.perf_counter()
    opts = runs.RunOptions.from_dict(options)
    store, s = _open(settings)
    settings = s.public_dict()  # tasks (threads or Dask workers) get the resolved settings, never a password
    folder = Path(scans_dir)
    run_id = runs.begin_run(store, folder, s, opts)
    run_batches = _batch_runner(run_id, settings, opts.batch_pages)
    here = not _on_dask()  # pages read on this machine: runs take turns here (pipeline.runs.manage.reading_turn)
    got = intake_task(run_id, scans_dir, settings)
    plan = runs.plan_files(store, s, got.file_ids, opts.selection)
    if plan.unidentified:  # read the first page of files nothing names yet, then decide
        runs.read_selection(store, run_id, plan.unidentified, run_batches, first_only=True, one_per_machine=here)
        again = runs.plan_files(store, s, plan.unidentified, opts.selection)
        plan.selected += again.selected
        plan.excluded += again.excluded + len(again.unidentified)
    # pages in batches; pages another run on the store holds are waited for (or taken if it stops)
    runs.read_selection(store, run_id, plan.selected, run_batches, one_per_machine=here)
    runs.mark_files_processed(store, plan.selected)
    runs.read_unnamed(store, run_id, s, plan.selected)  # pages read before their volume could name their kind (few: here)
    agree_volumes(store, s, plan.selected)  # a volume's pages tell each other's columns
    merged = link_task(run_id, settings)
    audit = audit_task(settings)
    loaded = load_task(run_id, settings) if opts.load else None
    return runs.finish(store, run_id, folder, got, plan, merged, loaded, t0, audit)


def _on_dask() -> bool:
    """Whether this flow run's tasks go to a Dask cluster (pages read on other machines)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return ctx is not None and "Dask" in type(ctx.task_runner).__name__


def dask_runner(address: str):
    """Prefect's Dask task runner on an existing Dask cluster (scheduler address, e.g. tcp://10.0.0.5:8786)."""
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=address)


def start_temporary_server() -> None:
    """Without PREFECT_API_URL every `backfill run` starts a temporary Prefect server of its own, over
    Prefect's database in PREFECT_HOME (inside the data folder). Two runs started at once on one data
    folder would both migrate a new database and one server would crash ("duplicate column"): the
    server is started here, before the flow, holding an exclusive lock on PREFECT_HOME; the flow then
    uses it (Prefect keeps one temporary server per process)."""
    if os.environ.get("PREFECT_API_URL"):
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_HOME

    home = Path(PREFECT_HOME.value())
    lock = home / "temporary-server.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    quiet_pool = "PREFECT_LOGGING_SETTINGS_PATH" not in os.environ
    if quiet_pool:  # the server process only (it inherits the environment at start); ours is configured already
        os.environ["PREFECT_LOGGING_SETTINGS_PATH"] = str(_server_logging_file(home))
    with open(lock, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            SubprocessASGIServer().start()
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
            if quiet_pool:
                os.environ.pop("PREFECT_LOGGING_SETTINGS_PATH", None)


def _server_logging_file(home: Path) -> Path:
    """Prefect's own logging configuration for its temporary server, with SQLAlchemy's connection-pool
    logger raised to CRITICAL. When the server stops while a request is open, the pool of Prefect's
    own database logs "Exception during reset or similar" with a CancelledError traceback from aiosqlite
    (seen with two runs started at once on one data folder): noise about Prefect's state database, not
    ours, and a traceback the administrator must not see. Everything else is Prefect's packaged file,
    read at each start (a Prefect upgrade's changes are kept)."""
    import yaml
    from prefect.logging.configuration import DEFAULT_LOGGING_SETTINGS_PATH

    config = yaml.safe_load(DEFAULT_LOGGING_SETTINGS_PATH.read_text(encoding="utf-8"))
    config.setdefault("loggers", {})["sqlalchemy.pool"] = {"level": "CRITICAL"}
    path = home / "server-logging.yml"
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


def run_flow(
    scans_dir: str,
    settings: dict[str, Any],
    options: dict[str, Any] | None = None,
    dask_address: str | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Run the flow on the default runner (`workers` threads), or on the Dask cluster at `dask_address`."""
    start_temporary_server()
    f = backfill_flow
    if dask_address:
        f = backfill_flow.with_options(task_runner=dask_runner(dask_address))
    elif workers and workers > 1:
        # ignored: PrefectHQ/prefect#16938, as at backfill_flow
        f = backfill_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=workers))  # type: ignore[arg-type]
    return f(scans_dir, settings, options)
