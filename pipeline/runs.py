"""Migration runs over a selection of ledger volumes, resumable, in chunky page batches.

Plain functions: flows/backfill.py wraps them in Prefect tasks (one task per page batch, so a run
keeps its task runs in the hundreds whatever the number of pages), `backfill run --no-prefect`
calls `run_selection` directly.

Resume and idempotency come from the store's own keys, not from Prefect's cache: a file is known by
its sha256 (intake registers a file and all its pages in one transaction), a page by (file, page_no)
and is skipped once read, a record by (page, row_no) and a page's records are written in one
transaction; the loader upserts by natural key. A run killed at any point and started again does
only what is left and writes nothing twice.
"""
from __future__ import annotations

import logging
import math
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select

from pipeline import run as stages
from pipeline.config import Settings
from pipeline.extract import PageOutcome
from pipeline.run import mark_files_processed, process_pages
from pipeline.inventory import Selection, identify_files, volumes
from pipeline.store import Page, Run, Store

log = logging.getLogger(__name__)

MAX_TASKS = 300
"""Most page-batch tasks per flow run: Prefect's SQLite backend stalls after ~1 000 task runs
(DESIGN.md), so batches grow with the number of pages instead of the number of tasks."""


@dataclass(frozen=True)
class RunOptions:
    selection: Selection = Selection()
    batch_pages: int = 4          # pages per task (grows so that a run has at most MAX_TASKS batches)
    load: bool = False            # end with loading auto-accepted and approved records into the platform

    def to_dict(self) -> dict[str, Any]:
        return {"homes": list(self.selection.homes), "years": list(self.selection.years),
                "volumes": list(self.selection.volumes), "batch_pages": self.batch_pages, "load": self.load}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "RunOptions":
        d = d or {}
        return cls(Selection(tuple(d.get("homes") or ()), tuple(int(y) for y in d.get("years") or ()),
                             tuple(str(v) for v in d.get("volumes") or ())),
                   int(d.get("batch_pages") or 4), bool(d.get("load")))


@dataclass
class Plan:
    selected: list[int] = field(default_factory=list)        # file ids of the selection
    unidentified: list[int] = field(default_factory=list)    # files to read a first page of before deciding
    excluded: int = 0                                       # files outside the selection


# --- bookkeeping of runs --------------------------------------------------------------------------
def begin_run(store: Store, scans_dir: Path, settings: Settings, options: RunOptions) -> int:
    """A new Run row (with this process's pid and host, so a killed run can be told apart from a
    running one); runs of this host whose process is gone are marked `interrupted` first."""
    mark_interrupted_runs(store)
    run_id = stages.start_run(store, scans_dir, settings)
    with store.session() as s, s.begin():
        run = s.get(Run, run_id)
        run.settings = {**(run.settings or {}), "options": options.to_dict(),
                        "process": {"pid": os.getpid(), "host": socket.gethostname()}}
    return run_id


def mark_interrupted_runs(store: Store) -> int:
    host = socket.gethostname()
    n = 0
    with store.session() as s, s.begin():
        for run in s.scalars(select(Run).where(Run.status == "running")):
            proc = (run.settings or {}).get("process") or {}
            if proc.get("host") == host and proc.get("pid") and not _alive(int(proc["pid"])):
                run.status = "interrupted"
                n += 1
    return n


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped) is not running
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


# --- planning ---------------------------------------------------------------------------------------
def plan_files(store: Store, settings: Settings, file_ids: list[int], selection: Selection) -> Plan:
    """Which of `file_ids` the selection covers (see pipeline.inventory for how a file is matched)."""
    if selection.everything:
        return Plan(selected=list(file_ids))
    wanted = set(file_ids)
    vols = volumes(store)
    labels = {v.id: v.volume for v in vols}
    plan = Plan()
    for fid, m in sorted(identify_files(store, settings, vols).items()):
        if fid not in wanted:
            continue
        if m.how == "unidentified":
            plan.unidentified.append(fid)
        elif selection.accepts(m.funeral_home_code, m.year, labels.get(m.volume_id) if m.volume_id else None):
            plan.selected.append(fid)
        else:
            plan.excluded += 1
    return plan


def pending_pages(store: Store, file_ids: list[int], first_only: bool = False) -> list[int]:
    if not file_ids:
        return []
    with store.session() as s:
        rows = s.execute(select(Page.id, Page.file_id).where(Page.file_id.in_(file_ids), Page.status == "pending")
                         .order_by(Page.file_id, Page.page_no)).all()
    if first_only:
        seen: set[int] = set()
        rows = [(pid, fid) for pid, fid in rows if not (fid in seen or seen.add(fid))]
    return [pid for pid, _fid in rows]


def batches(page_ids: list[int], batch_pages: int, max_tasks: int = MAX_TASKS) -> list[list[int]]:
    """Page ids in chunks of `batch_pages`, larger where that would make more than `max_tasks` chunks."""
    if not page_ids:
        return []
    size = max(1, batch_pages, math.ceil(len(page_ids) / max_tasks))
    return [page_ids[i:i + size] for i in range(0, len(page_ids), size)]


# --- the work of one task -----------------------------------------------------------------------------
def load_records(store: Store, settings: Settings) -> dict[str, int]:
    """Load auto-accepted and approved records into the platform (pipeline.load: idempotent by natural key)."""
    from pipeline.load import load

    res = load(store, settings)
    return {"inserted": res.inserted, "updated": res.updated, "unchanged": res.unchanged}


def finish(store: Store, run_id: int, scans_dir: Path, got, plan: Plan, merged: int, loaded: dict[str, int] | None,
           t0: float, audit: dict[str, int] | None = None) -> dict[str, Any]:
    summary = stages.summarize(store, run_id, scans_dir, got, merged, time.perf_counter() - t0)
    stages.finish_run(store, run_id, summary)
    out = summary.to_dict()
    out.update(audit or {})
    out["selected_files"] = len(plan.selected)
    out["excluded_files"] = plan.excluded
    out["loaded"] = loaded
    return out


# --- the whole run in this process (no Prefect) -------------------------------------------------------
def run_selection(scans_dir: Path, settings: Settings, options: RunOptions = RunOptions(),
                  on_page: Callable[[PageOutcome], None] | None = None) -> dict[str, Any]:
    """intake -> (identify) -> pages in batches -> dedupe -> (load), in this process."""
    t0 = time.perf_counter()
    with Store.open(settings) as store:
        run_id = begin_run(store, scans_dir, settings, options)
        got = stages.intake(store, run_id, scans_dir, settings)
        plan = plan_files(store, settings, got.file_ids, options.selection)
        if plan.unidentified:
            process_pages(store, pending_pages(store, plan.unidentified, first_only=True), settings, on_page)
            again = plan_files(store, settings, plan.unidentified, options.selection)
            plan.selected += again.selected
            plan.excluded += again.excluded + len(again.unidentified)
        for batch in batches(pending_pages(store, plan.selected), options.batch_pages):
            process_pages(store, batch, settings, on_page)
        mark_files_processed(store, plan.selected)
        merged = stages.link(store, settings)
        audit = stages.audit_stage(store, settings)
        loaded = load_records(store, settings) if options.load else None
        return finish(store, run_id, scans_dir, got, plan, merged, loaded, t0, audit)

