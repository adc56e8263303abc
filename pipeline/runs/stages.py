"""The stages of a run as plain functions. flows/ wraps each in a Prefect task; tests and
benchmarks call them directly (the core runs without Prefect)."""

from __future__ import annotations

import logging
import queue
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, or_, select

from ocr.registry import get_engine, worker_engine
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.store import AuditSample, Page, PageRead, Record, ReviewHold, Run, SourceFile, Store, get_row, utcnow
from pipeline.page.extract import PageOutcome, agree_volumes, page_reason, process_page, remap_page, unnamed_pages
from pipeline.page.intake import IntakeResult, register_folder
from pipeline.platform.linkage import link_store
from pipeline.quality.refit import thresholds_versions
from pipeline.runs.completion import held_for_capture

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    run_id: int
    scans_dir: str
    files: int = 0  # scan files found (accepted + quarantined)
    files_new: int = 0
    files_known: int = 0  # already ingested earlier: nothing added
    pages: int = 0
    pages_done: int = 0
    pages_problem: list[dict[str, str]] = field(default_factory=list)  # no table, unknown ledger, failed
    pages_turned: list[dict[str, str]] = field(default_factory=list)  # scanned on their side or upside down, read turned
    records: int = 0
    auto_accepted: int = 0
    # records routing auto-accepted: auto_accepted, plus those the blind audit drew or a failed audit sent back to
    # review since (they were accepted by the thresholds); its share of `records` is what auto_accept_target aims at
    auto_routed: int = 0
    needs_review: int = 0
    held_unfitted_capture: int = 0  # in review: photographed pages, thresholds fitted on scans only
    approved: int = 0
    rejected: int = 0
    clusters_merged: int = 0
    quarantined: list[dict[str, str]] = field(default_factory=list)
    skipped: int = 0  # non-scan files (ground truth, notes)
    not_read: list[dict[str, str]] = field(default_factory=list)  # folders/paths the system refused, with the reason
    passed_over: list[dict[str, str]] = field(default_factory=list)  # hidden entries and symbolic links skipped, with the reason
    pages_read: int = 0  # pages this run read itself (page_reads); another run at once reads the others
    read_seconds: float = 0.0  # wall seconds of those pages
    read_cpu_seconds: float = 0.0  # this process's CPU seconds spent on them
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def start_run(store: Store, scans_dir: Path, settings: Settings) -> int:
    with store.session() as s, s.begin():
        run = Run(scans_dir=str(scans_dir), settings={k: v for k, v in settings.to_dict().items() if not k.endswith("url")})
        s.add(run)
        s.flush()
        return run.id


def intake(store: Store, run_id: int, scans_dir: Path, settings: Settings) -> IntakeResult:
    return register_folder(store, scans_dir, run_id, settings)


def process_pages(
    store: Store, page_ids: list[int], settings: Settings, on_page: Callable[[PageOutcome], None] | None = None
) -> list[PageOutcome]:
    """Read a batch of pages (a page already read is skipped), then mark the files whose pages are all read.

    With several page workers (settings.workers; 2 on a 2-core machine) the pages are read that many
    at a time, a thread each with its own engine whose networks run on one thread: one page's
    recognition overlaps the other's cleanup, layout and mapping (measured against one page at a
    time on two inference threads in docs/ocr.md). At most `workers` pages are in memory."""
    workers = min(settings.workers, len(page_ids))
    out: list[PageOutcome] = []
    if workers <= 1:
        engine = get_engine(settings.engine, **settings.engine_settings)
        for pid in page_ids:
            o = process_page(store, pid, settings, engine)
            out.append(o)
            if on_page:
                on_page(o)
    else:
        slots: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for k in range(workers):
            slots.put(k)

        def one(pid: int) -> PageOutcome:
            k = slots.get()
            try:
                return process_page(store, pid, settings, worker_engine(settings.engine, k, **settings.engine_settings))
            finally:
                slots.put(k)

        with ThreadPoolExecutor(workers, thread_name_prefix="page") as pool:
            for o in pool.map(one, page_ids):
                out.append(o)
                if on_page:
                    on_page(o)
    with store.session() as s:
        fids = set(s.scalars(select(Page.file_id).where(Page.id.in_(page_ids))))
    mark_files_processed(store, sorted(fids))
    return out


def mark_files_processed(store: Store, file_ids: list[int]) -> None:
    if not file_ids:
        return
    with store.session() as s, s.begin():
        pending = set(
            s.scalars(select(Page.file_id).where(Page.file_id.in_(file_ids), Page.status == "pending").group_by(Page.file_id))
        )
        for fid in file_ids:
            if fid not in pending:
                sf = get_row(s, SourceFile, fid)
                if sf.status != "processed":
                    sf.status = "processed"


def process_file(
    store: Store, file_id: int, settings: Settings, on_page: Callable[[PageOutcome], None] | None = None
) -> list[PageOutcome]:
    """Every page of one file not yet processed (resume skips the done ones)."""
    with store.session() as s:
        page_ids = list(s.scalars(select(Page.id).where(Page.file_id == file_id).order_by(Page.page_no)))
    return process_pages(store, page_ids, settings, on_page)


def read_unnamed(
    store: Store,
    settings: Settings,
    file_ids: list[int] | None = None,
    on_page: Callable[[PageOutcome], None] | None = None,
    *,
    take: Callable[[int], bool] | None = None,
    give_back: Callable[[int], None] | None = None,
) -> list[PageOutcome]:
    """Read again, with their volume's kind, the pages whose misread header named no kind and that were read
    before enough of their siblings were (pipeline.page.extract.unnamed_pages): after every page of the run is
    read, before the volume's pages tell each other's columns (agree_volumes). One engine, one page at a time:
    such pages are few.

    `take(page)`/`give_back(page)`: a run's page claim (pipeline.runs.manage.read_unnamed), as every other
    page read of a run takes it: a page another run holds is left to it, and a page taken is read only when it
    still waits for its kind (the other run may have just read it), so two runs at once read it once."""
    page_ids = unnamed_pages(store, file_ids)
    if not page_ids:
        return []
    engine = None
    out = []
    for pid in page_ids:
        if take is not None and not take(pid):
            continue  # another run is reading it
        try:
            if take is not None and pid not in unnamed_pages(store, _file_of(store, pid)):
                continue  # read again meanwhile by the run that held it
            if engine is None:
                engine = get_engine(settings.engine, **settings.engine_settings)
            o = process_page(store, pid, settings, engine, force=True)
        finally:
            if give_back is not None:
                give_back(pid)
        out.append(o)
        if on_page:
            on_page(o)
    return out


def _file_of(store: Store, page_id: int) -> list[int]:
    with store.session() as s:
        return list(s.scalars(select(Page.file_id).where(Page.id == page_id)))


def link(store: Store, settings: Settings | None = None) -> int:
    """De-duplicate every record in the store (this run's and earlier ones', and against the platform
    when settings are given); returns the pairs this run merged automatically that no earlier run had
    merged (a second run over the same store re-links it and merges nothing new). See
    pipeline.platform.linkage."""
    return link_store(store, settings).auto_merged_new


def audit_stage(store: Store, settings: Settings) -> dict[str, int]:
    """Draw the blind audit samples the volumes lack, then act on what the audit measured so far
    (pipeline.quality.audit): after dedupe, before any load."""
    from pipeline.quality.audit import draw, enforce

    drawn = draw(store, settings)
    actions = enforce(store, settings)
    return {"audit_drawn": drawn.drawn, "audit_sent_back": sum(a.sent_back for a in actions)}


def summarize(store: Store, run_id: int, scans_dir: Path, intake_result: IntakeResult, merged: int, seconds: float) -> RunSummary:
    file_ids = intake_result.file_ids
    sm = RunSummary(
        run_id=run_id,
        scans_dir=str(scans_dir),
        files_new=len(intake_result.new_files),
        files_known=len(intake_result.known_files),
        skipped=len(intake_result.skipped),
        clusters_merged=merged,
        seconds=round(seconds, 2),
    )
    sm.quarantined = [{"file": q.rel_path, "reason": q.reason, "message": q.message} for q in intake_result.quarantined]
    sm.not_read = [{"path": q.rel_path, "reason": q.reason, "message": q.message} for q in intake_result.refused]
    sm.passed_over = [{"path": q.rel_path, "reason": q.reason, "message": q.message} for q in intake_result.passed_over]
    # a partly recovered file is registered (its pages are processed) and listed under quarantine too
    sm.files = len(file_ids) + sum(1 for q in sm.quarantined if q["reason"] != "partly_recovered")
    with store.session() as s:
        pages = s.execute(select(Page, SourceFile.rel_path).join(SourceFile).where(Page.file_id.in_(file_ids))).all()
        sm.pages = len(pages)
        for page, rel in pages:
            deg = next(
                (
                    st.get("result", {}).get("turned_deg", 0)
                    for st in page.steps or []
                    if isinstance(st, dict) and st.get("name") == "orientation"
                ),
                0,
            )
            if deg and page.status == "done":
                sm.pages_turned.append({"file": rel, "page": str(page.page_no), "degrees": str(deg)})
            if page.status == "done":
                sm.pages_done += 1
            elif page.status != "pending":
                sm.pages_problem.append(
                    {
                        "file": rel,
                        "page": str(page.page_no),
                        "status": page.status,
                        "reason": page_reason(page.status, page.steps or []),  # pipeline.kernel.reasons
                        "message": page.error or "",
                    }
                )
        counts = dict(
            s.execute(
                select(Record.status, func.count(Record.id)).join(Page).where(Page.file_id.in_(file_ids)).group_by(Record.status)
            ).all()
        )
        read = s.execute(
            select(func.count(PageRead.id), func.sum(PageRead.seconds), func.sum(PageRead.cpu_seconds)).where(
                PageRead.run_id == run_id
            )
        ).one()
    sm.pages_read, sm.read_seconds, sm.read_cpu_seconds = int(read[0]), round(read[1] or 0.0, 2), round(read[2] or 0.0, 2)
    sm.records = sum(counts.values())
    sm.auto_accepted = counts.get("auto_accepted", 0)
    with store.session() as s:
        sm.auto_routed = sm.auto_accepted + int(
            s.scalar(
                select(func.count(Record.id))
                .join(Page)
                .where(
                    Page.file_id.in_(file_ids),
                    Record.status != "auto_accepted",
                    or_(
                        Record.id.in_(select(AuditSample.record_id)),
                        Record.id.in_(select(ReviewHold.record_id).where(ReviewHold.kind == "volume")),
                    ),
                )
            )
            or 0
        )
    sm.needs_review = counts.get("needs_review", 0)
    sm.approved = counts.get("approved", 0)
    sm.rejected = counts.get("rejected", 0)
    sm.held_unfitted_capture = held_for_capture(store, file_ids) if sm.needs_review else 0
    return sm


def finish_run(store: Store, run_id: int, summary: RunSummary, status: str = "completed") -> None:
    with store.session() as s, s.begin():
        run = get_row(s, Run, run_id)
        run.finished_at, run.status, run.summary = utcnow(), status, summary.to_dict()


def run_folder(scans_dir: Path, settings: Settings, on_page: Callable[[PageOutcome], None] | None = None) -> RunSummary:
    """The whole run in this process, without Prefect (tests, benchmarks, embedding)."""
    t0 = time.perf_counter()
    with Store.open(settings) as store:
        run_id = start_run(store, scans_dir, settings)
        got = intake(store, run_id, scans_dir, settings)
        for fid in got.file_ids:
            process_file(store, fid, settings, on_page)
        read_unnamed(store, settings, got.file_ids, on_page)  # pages read before their volume could name their kind
        agree_volumes(store, settings, got.file_ids)  # a volume's pages tell each other's columns
        merged = link(store, settings)
        summary = summarize(store, run_id, scans_dir, got, merged, time.perf_counter() - t0)
        finish_run(store, run_id, summary)
        return summary


def remap(store: Store, settings: Settings) -> tuple[int, int]:
    """Map every processed page again from its stored cells (after a spec, lexicon or threshold
    change), without OCR, then de-duplicate. Pages with reviewed records are left alone.
    Returns (pages remapped, records)."""
    with store.session() as s:
        page_ids = list(s.scalars(select(Page.id).where(Page.status == "done").order_by(Page.id)))
    pages = records = 0
    for pid in page_ids:
        n = remap_page(store, pid, settings)
        if n:
            pages += 1
            records += n
    agree_volumes(store, settings)  # after every page is mapped on its own
    link(store, settings)
    from pipeline.quality.audit import refresh_pending

    refresh_pending(store)  # a pending audit sample is checked against what mapping now gives
    return pages, records


def apply_version(
    store: Store, settings: Settings, ref: str | None, *, user: str, rollback: bool = False
) -> tuple[str, str, int, int]:
    """Make a thresholds version the one routing uses (or roll back to the one before), then map every
    processed page again from its stored cells (no OCR). Returns (before, now, pages, records)."""
    if settings.thresholds_file is not None:
        raise BackfillError(
            f"the settings name thresholds_file = {settings.thresholds_file!r}, which wins over an applied version",
            hint="要使用 data_dir/thresholds 中的版本，请从设置中删去 thresholds_file / remove thresholds_file from the "
            "settings to use the versions of data_dir/thresholds",
        )
    versions = thresholds_versions(settings)
    before, now = versions.rollback(user=user) if rollback else versions.apply(ref or "", user=user)
    fresh = settings.with_()  # resolves the version now in use
    pages, records = remap(store, fresh)
    return before, now, pages, records
