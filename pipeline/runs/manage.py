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
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from pipeline.archive.inventory import Selection, identify_files, volumes
from pipeline.kernel.config import Settings
from pipeline.kernel.processes import pid_alive
from pipeline.kernel.store import Page, PageRead, Run, Store, WorkClaim, get_row, rowcount, utcnow
from pipeline.kernel.thresholds import check_thresholds
from pipeline.page.extract import PageOutcome, agree_volumes
from pipeline.runs import stages
from pipeline.runs.stages import mark_files_processed, process_pages

log = logging.getLogger(__name__)

MAX_TASKS = 300
"""Most page-batch tasks per flow run: Prefect's SQLite backend stalls after ~1 000 task runs
(DESIGN.md), so batches grow with the number of pages instead of the number of tasks."""


@dataclass(frozen=True)
class RunOptions:
    selection: Selection = Selection()
    batch_pages: int = 4  # pages per task (grows so that a run has at most MAX_TASKS batches)
    load: bool = False  # end with loading auto-accepted and approved records into the platform

    def to_dict(self) -> dict[str, Any]:
        return {
            "homes": list(self.selection.homes),
            "years": list(self.selection.years),
            "volumes": list(self.selection.volumes),
            "batch_pages": self.batch_pages,
            "load": self.load,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "RunOptions":
        d = d or {}
        return cls(
            Selection(
                tuple(d.get("homes") or ()),
                tuple(int(y) for y in d.get("years") or ()),
                tuple(str(v) for v in d.get("volumes") or ()),
            ),
            int(d.get("batch_pages") or 4),
            bool(d.get("load")),
        )


@dataclass
class Plan:
    selected: list[int] = field(default_factory=list)  # file ids of the selection
    unidentified: list[int] = field(default_factory=list)  # files to read a first page of before deciding
    excluded: int = 0  # files outside the selection


# --- bookkeeping of runs --------------------------------------------------------------------------
ACTIVE_RUNS: set[int] = set()
"""Runs begun by this process and not finished: what Ctrl-C marks `interrupted` (pipeline.runs.interrupt)."""


def begin_run(store: Store, scans_dir: Path, settings: Settings, options: RunOptions) -> int:
    """A new Run row (with this process's pid and host, so a killed run can be told apart from a
    running one); runs of this host whose process is gone are marked `interrupted` first. A thresholds
    file that is not valid stops the run here, before any page is read (ConfigError)."""
    check_thresholds(settings.active_thresholds_file)
    mark_interrupted_runs(store)
    run_id = stages.start_run(store, scans_dir, settings)
    with store.session() as s, s.begin():
        run = get_row(s, Run, run_id)
        run.settings = {
            **(run.settings or {}),
            "options": options.to_dict(),
            "process": {"pid": os.getpid(), "host": socket.gethostname()},
        }
    ACTIVE_RUNS.add(run_id)
    return run_id


# --- two runs at once: claims on pages and on store-wide steps ---------------------------------------
CLAIM_SECONDS = 600
"""A page claim lasts 10 minutes plus 2 per page of its batch (a page takes seconds); a claim of a run
that is no longer `running` (finished, or killed and marked `interrupted`) lapses at once."""
CLAIM_SECONDS_PER_PAGE = 120
WAIT_POLL_SECONDS = 2.0


def page_key(page_id: int) -> str:
    return f"page:{page_id}"


def claim(store: Store, key: str, run_id: int, seconds: float = CLAIM_SECONDS) -> bool:
    """Take (or renew) the claim `key` for `run_id`; False when another live run holds it.

    One conditional UPDATE (free, expired, ours, or held by a run that is no longer running) or one
    INSERT guarded by the primary key: of two runs racing for it, exactly one wins."""
    now = utcnow()
    until = now + timedelta(seconds=seconds)
    not_running = select(Run.id).where(Run.status != "running").scalar_subquery()
    with store.session() as s, s.begin():
        res = s.execute(
            update(WorkClaim)
            .where(
                WorkClaim.key == key,
                or_(WorkClaim.run_id == run_id, WorkClaim.expires_at <= now, WorkClaim.run_id.in_(not_running)),
            )
            .values(run_id=run_id, claimed_at=now, expires_at=until)
            .execution_options(synchronize_session=False)
        )
        if rowcount(res) == 1:
            return True
    try:
        with store.session() as s, s.begin():
            s.add(WorkClaim(key=key, run_id=run_id, claimed_at=now, expires_at=until))
        return True
    except IntegrityError:
        return False


def release(store: Store, run_id: int, keys: list[str] | None = None) -> None:
    """Give back this run's claims (`keys`, or all of them)."""
    with store.session() as s, s.begin():
        q = delete(WorkClaim).where(WorkClaim.run_id == run_id)
        if keys is not None:
            q = q.where(WorkClaim.key.in_(keys))
        s.execute(q)


def holders(store: Store, keys: list[str], run_id: int | None = None) -> dict[str, int]:
    """key -> the run holding a live claim on it (other than `run_id`)."""
    if not keys:
        return {}
    now = utcnow()
    with store.session() as s:
        rows = s.execute(
            select(WorkClaim.key, WorkClaim.run_id)
            .join(Run, Run.id == WorkClaim.run_id)
            .where(WorkClaim.key.in_(keys), WorkClaim.expires_at > now, Run.status == "running")
        ).all()
    return {k: r for k, r in rows if r != run_id}


def read_claimed(
    store: Store, run_id: int, page_ids: list[int], settings: Settings, on_page: Callable[[PageOutcome], None] | None = None
) -> list[PageOutcome]:
    """Read the pages of a batch that no other live run holds, under this run's claim; a page another
    run holds is left to it (outcome `held`). Every page read is logged in `page_reads` (run, seconds,
    CPU seconds). THE per-page claim of two runs at once: whatever reads pages in a run goes through here."""
    mine = [
        pid for pid in page_ids if claim(store, page_key(pid), run_id, CLAIM_SECONDS + CLAIM_SECONDS_PER_PAGE * len(page_ids))
    ]
    held = [PageOutcome(pid, "held") for pid in page_ids if pid not in set(mine)]
    if not mine:
        return held
    cpu0 = time.process_time()
    try:
        outcomes = process_pages(store, mine, settings, on_page)
    finally:
        release(store, run_id, [page_key(pid) for pid in mine])
    _log_reads(store, run_id, outcomes, time.process_time() - cpu0)
    return outcomes + held


def _log_reads(store: Store, run_id: int, outcomes: list[PageOutcome], cpu: float) -> None:
    """Each page of `outcomes` this run read (not skipped) logged in `page_reads`, with the CPU seconds of
    the reading shared among them (read_claimed's and read_unnamed's record of what was read)."""
    read = [o for o in outcomes if o.status != "skipped"]
    if not read:
        return
    each = cpu / len(read)
    with store.session() as s, s.begin():
        s.add_all(
            PageRead(page_id=o.page_id, run_id=run_id, status=o.status, seconds=round(o.seconds, 3), cpu_seconds=round(each, 3))
            for o in read
        )


def read_unnamed(
    store: Store, run_id: int, settings: Settings, file_ids: list[int], on_page: Callable[[PageOutcome], None] | None = None
) -> list[PageOutcome]:
    """stages.read_unnamed under this run's page claims (read_claimed's): two runs finishing at once over the
    same volume read each page whose kind comes from its volume once, not each of them (session 43's flow read
    them without a claim). Each page read is logged in `page_reads` like any other."""
    seconds = CLAIM_SECONDS + CLAIM_SECONDS_PER_PAGE

    def take(pid: int) -> bool:
        return claim(store, page_key(pid), run_id, seconds)

    def give_back(pid: int) -> None:
        release(store, run_id, [page_key(pid)])

    cpu0 = time.process_time()
    outcomes = stages.read_unnamed(store, settings, file_ids, on_page, take=take, give_back=give_back)
    _log_reads(store, run_id, outcomes, time.process_time() - cpu0)
    return outcomes


def pages_left(
    store: Store, run_id: int, file_ids: list[int], *, first_only: bool = False, poll: float = WAIT_POLL_SECONDS
) -> list[int]:
    """Pending pages of `file_ids` this run may read now (never one it read already). While every such
    page is held by another live run, waits for them to be read (or for that run to stop: its claims
    then lapse and the pages come back here). Empty when nothing is left."""
    while True:
        with store.session() as s:
            read = set(s.scalars(select(PageRead.page_id).where(PageRead.run_id == run_id)))
        pending = [pid for pid in pending_pages(store, file_ids, first_only=first_only) if pid not in read]
        if not pending:
            return []
        held = holders(store, [page_key(pid) for pid in pending], run_id)
        free = [pid for pid in pending if page_key(pid) not in held]
        if free:
            return free
        log.info("waiting for %d page(s) that run(s) %s are reading", len(pending), sorted(set(held.values())))
        time.sleep(poll)
        mark_interrupted_runs(store)  # a run killed meanwhile on this host: its claims lapse now


STEP_SECONDS = 600
"""A store-wide claim (dedupe, load, a machine's reading turn) lasts 10 minutes and is renewed every
minute while its step runs: a run killed mid-step frees it within 10 minutes at most (at once on its host)."""
HEARTBEAT_SECONDS = 60


@contextmanager
def exclusive_step(
    store: Store, run_id: int, step: str, poll: float = WAIT_POLL_SECONDS, on_wait: Callable[[int], None] | None = None
) -> Iterator[None]:
    """Hold the store-wide claim `step:<step>` while the block runs (renewed in the background); waits
    while another live run holds it (`on_wait(holder)` once). Two runs finishing together de-duplicate
    one after the other, never at once."""
    key = f"step:{step}"
    told = False
    while not claim(store, key, run_id, STEP_SECONDS):
        if on_wait and not told:
            holder = holders(store, [key], run_id).get(key)
            if holder is not None:
                on_wait(holder)
                told = True
        time.sleep(poll)
        mark_interrupted_runs(store)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                claim(store, key, run_id, STEP_SECONDS)
            except Exception:  # noqa: BLE001 - the next beat tries again; the claim lasts 10 minutes
                log.debug("could not renew %s", key)

    beat = threading.Thread(target=renew, name=f"claim {key}", daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()  # a renewal under way ends first: after the release it would insert the claim again
        release(store, run_id, [key])


def reading_turn(store: Store, run_id: int, *, poll: float = WAIT_POLL_SECONDS):
    """One run reads pages at a time on one machine: OCR already keeps every core busy, so a second run
    reading beside it finishes nothing sooner and costs up to a fifth more CPU (bench/results/faults.md). A
    second run on the same machine waits for its turn (saying so), then finds the pages read; runs on
    other machines (a shared PostgreSQL store) read side by side, sharing the pages by their claims."""

    def tell(holder: int) -> None:
        log.warning(
            "waiting: run %d is reading pages on this machine; this run goes on when it is done "
            "(the pages it reads are not read again)",
            holder,
        )

    return exclusive_step(store, run_id, f"reading:{socket.gethostname()}", poll, on_wait=tell)


def read_selection(
    store: Store,
    run_id: int,
    file_ids: list[int],
    run_batches: Callable[[list[int]], None],
    *,
    first_only: bool = False,
    one_per_machine: bool = True,
) -> None:
    """Read every pending page of `file_ids` (or each file's first page), in batches, sharing the work
    with any other run on the store: `run_batches(page_ids)` reads a list of pages in batches (through
    `read_claimed`), then what other runs held is waited for, or taken when they stop. On one machine
    runs take turns (`reading_turn`); `one_per_machine=False` where the pages are read elsewhere (Dask)."""
    if not pending_pages(store, file_ids, first_only=first_only):
        return
    with reading_turn(store, run_id) if one_per_machine else nullcontext():
        while left := pages_left(store, run_id, file_ids, first_only=first_only):
            run_batches(left)


def mark_interrupted_runs(store: Store) -> int:
    host = socket.gethostname()
    n = 0
    with store.session() as s, s.begin():
        for run in s.scalars(select(Run).where(Run.status == "running")):
            proc = (run.settings or {}).get("process") or {}
            if proc.get("host") == host and proc.get("pid") and not pid_alive(int(proc["pid"])):
                run.status = "interrupted"
                n += 1
    return n


# --- planning ---------------------------------------------------------------------------------------
def plan_files(store: Store, settings: Settings, file_ids: list[int], selection: Selection) -> Plan:
    """Which of `file_ids` the selection covers (see pipeline.archive.inventory for how a file is matched)."""
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


TO_READ = ("pending", "failed")
"""Pages a run reads: not read yet, or failed last time (disk full, a fault of ours, a renderer killed by
the Ctrl-C that stopped the run): a failed page is retried by the next run, as its message says."""


def pending_pages(store: Store, file_ids: list[int], first_only: bool = False) -> list[int]:
    """The pages of `file_ids` to read (TO_READ), in file and page order (or each file's first one)."""
    if not file_ids:
        return []
    with store.session() as s:
        rows = s.execute(
            select(Page.id, Page.file_id)
            .where(Page.file_id.in_(file_ids), Page.status.in_(TO_READ))
            .order_by(Page.file_id, Page.page_no)
        ).all()
    if first_only:
        firsts: dict[int, int] = {}
        for pid, fid in rows:
            firsts.setdefault(fid, pid)
        return list(firsts.values())
    return [pid for pid, _fid in rows]


def batches(page_ids: list[int], batch_pages: int, max_tasks: int = MAX_TASKS) -> list[list[int]]:
    """Page ids in chunks of `batch_pages`, larger where that would make more than `max_tasks` chunks."""
    if not page_ids:
        return []
    size = max(1, batch_pages, math.ceil(len(page_ids) / max_tasks))
    return [page_ids[i : i + size] for i in range(0, len(page_ids), size)]


# --- the work of one task -----------------------------------------------------------------------------
def link(store: Store, run_id: int, settings: Settings) -> int:
    """De-duplicate the store (pipeline.runs.stages.link), one run at a time."""
    with exclusive_step(store, run_id, "dedupe"):
        return stages.link(store, settings)


def load_records(store: Store, settings: Settings, run_id: int | None = None) -> dict[str, int]:
    """Load auto-accepted and approved records into the platform (pipeline.platform.load: idempotent by natural
    key), one run at a time."""
    from pipeline.platform.load import load

    if run_id is None:
        res = load(store, settings)
    else:
        with exclusive_step(store, run_id, "load"):
            res = load(store, settings)
    return {"inserted": res.inserted, "updated": res.updated, "unchanged": res.unchanged}


def finish(
    store: Store,
    run_id: int,
    scans_dir: Path,
    got,
    plan: Plan,
    merged: int,
    loaded: dict[str, int] | None,
    t0: float,
    audit: dict[str, int] | None = None,
) -> dict[str, Any]:
    summary = stages.summarize(store, run_id, scans_dir, got, merged, time.perf_counter() - t0)
    stages.finish_run(store, run_id, summary)
    release(store, run_id)
    ACTIVE_RUNS.discard(run_id)
    out = summary.to_dict()
    out.update(audit or {})
    out["selected_files"] = len(plan.selected)
    out["excluded_files"] = plan.excluded
    out["loaded"] = loaded
    return out


# --- the whole run in this process (no Prefect) -------------------------------------------------------
def run_selection(
    scans_dir: Path, settings: Settings, options: RunOptions = RunOptions(), on_page: Callable[[PageOutcome], None] | None = None
) -> dict[str, Any]:
    """intake -> (identify) -> pages in batches -> dedupe -> (load), in this process."""
    t0 = time.perf_counter()
    with Store.open(settings) as store:
        run_id = begin_run(store, scans_dir, settings, options)

        def run_batches(page_ids: list[int]) -> None:
            for batch in batches(page_ids, options.batch_pages):
                read_claimed(store, run_id, batch, settings, on_page)

        got = stages.intake(store, run_id, scans_dir, settings)
        plan = plan_files(store, settings, got.file_ids, options.selection)
        if plan.unidentified:
            read_selection(store, run_id, plan.unidentified, run_batches, first_only=True)
            again = plan_files(store, settings, plan.unidentified, options.selection)
            plan.selected += again.selected
            plan.excluded += again.excluded + len(again.unidentified)
        read_selection(store, run_id, plan.selected, run_batches)
        mark_files_processed(store, plan.selected)
        read_unnamed(store, run_id, settings, plan.selected, on_page)  # pages read before their volume could name their kind
        agree_volumes(store, settings, plan.selected)  # a volume's pages tell each other's columns
        merged = link(store, run_id, settings)
        audit = stages.audit_stage(store, settings)
        loaded = load_records(store, settings, run_id) if options.load else None
        return finish(store, run_id, scans_dir, got, plan, merged, loaded, t0, audit)
