"""The backfill run as a Prefect flow: intake -> one task per file (cleanup, layout, OCR, mapping,
routing of its pages) -> de-duplication -> summary. Tasks are chunky (a file each), and retry
only on I/O errors."""
from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect import flow, task
from sqlalchemy.exc import OperationalError

from pipeline import run as stages
from pipeline.config import Settings
from pipeline.intake import IntakeResult
from pipeline.store import Store


def _io_error_only(task, task_run, state) -> bool:
    """Retry condition: transient I/O (disk, database connection), never a logic error."""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, (OSError, OperationalError))


@lru_cache(maxsize=4)
def _store(url: str, data_dir: str) -> Store:
    return Store(url, Path(data_dir) / "images")


def _open(settings: dict[str, Any]) -> tuple[Store, Settings]:
    s = Settings.from_dict(settings)
    return _store(s.store_url, s.data_dir), s


@task(name="intake", retries=2, retry_delay_seconds=[2, 10], retry_condition_fn=_io_error_only)
def intake_task(run_id: int, scans_dir: str, settings: dict[str, Any]) -> IntakeResult:
    store, s = _open(settings)
    return stages.intake(store, run_id, Path(scans_dir), s)


@task(name="process-file", retries=1, retry_delay_seconds=5, retry_condition_fn=_io_error_only)
def process_file_task(file_id: int, settings: dict[str, Any]) -> int:
    store, s = _open(settings)
    return len(stages.process_file(store, file_id, s))


@task(name="dedupe", retries=1, retry_delay_seconds=5, retry_condition_fn=_io_error_only)
def link_task(settings: dict[str, Any]) -> int:
    store, s = _open(settings)
    return stages.link(store, s)


@flow(name="backfill-run")
def backfill_flow(scans_dir: str, settings: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    store, s = _open(settings)
    run_id = stages.start_run(store, Path(scans_dir), s)
    got = intake_task(run_id, scans_dir, settings)
    for fid in got.file_ids:
        process_file_task(fid, settings)
    merged = link_task(settings)
    summary = stages.summarize(store, run_id, Path(scans_dir), got, merged, time.perf_counter() - t0)
    stages.finish_run(store, run_id, summary)
    return summary.to_dict()
