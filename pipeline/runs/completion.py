"""Completion tracking: per funeral home, ledger kind, year and volume, what should exist (the
inventory), what was scanned, read, extracted, reviewed and loaded. The one place that counts:
`backfill status`, the administrator page and the tests all call `completion()`.

Columns (pages and records):
  expected_pages  pages the inventory says the volume has (0 for scans not in the inventory)
  scanned         pages of scanned files in the store
  processed       pages read (OCR and mapping done)
  problem_pages   pages that could not be read into records (no table, unknown ledger, failed)
  records         records extracted
  auto_accepted / in_review / approved / rejected   records by routing / review status
  loaded          records loaded into the platform (a row in loaded_records)
  quarantined     scan FILES refused at intake (matched by path pattern only; others "unidentified")
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any, Iterable, Sequence

from sqlalchemy import func, select

from pipeline.archive.inventory import KIND_LABELS, UNIDENTIFIED, home_names, identify_files, match_path, volumes
from pipeline.kernel import csvsafe
from pipeline.kernel.clock import local_date
from pipeline.kernel.config import Settings
from pipeline.kernel.safety import padded
from pipeline.kernel.store import LoadedRecord, Page, Quarantine, Record, RecordChange, Store

PROBLEM_PAGE = ("no_table", "unknown_ledger", "failed")
COUNTS = (
    "expected_pages",
    "scanned",
    "processed",
    "problem_pages",
    "records",
    "auto_accepted",
    "in_review",
    "approved",
    "rejected",
    "loaded",
    "quarantined",
    "done_of_expected",
)
LEVELS = {
    "volume": ("funeral_home", "ledger_kind", "year", "volume"),
    "year": ("funeral_home", "ledger_kind", "year"),
    "ledger": ("funeral_home", "ledger_kind"),
    "home": ("funeral_home",),
    "total": (),
}


@dataclass
class CompletionRow:
    funeral_home: str
    funeral_home_name: str = ""
    ledger_kind: str = ""
    year: int | None = None
    volume: str | None = None  # None: scans not matched to one inventory volume
    in_inventory: bool = False
    expected_pages: int = 0
    scanned: int = 0
    processed: int = 0
    problem_pages: int = 0
    records: int = 0
    auto_accepted: int = 0
    in_review: int = 0
    approved: int = 0
    rejected: int = 0
    loaded: int = 0
    quarantined: int = 0
    done_of_expected: int = 0  # pages read of inventory volumes, at most their expected pages

    @property
    def pages_done_pct(self) -> float | None:
        """Pages read against the inventory (None where nothing is expected)."""
        return round(100.0 * self.done_of_expected / self.expected_pages, 1) if self.expected_pages else None

    @property
    def missing_pages(self) -> int:
        return max(0, self.expected_pages - self.scanned)

    def key(self, level: str) -> tuple:
        return tuple(getattr(self, k) for k in LEVELS[level])

    def to_dict(self) -> dict:
        d = asdict(self)
        d["pages_done_pct"] = self.pages_done_pct
        d["missing_pages"] = self.missing_pages
        return d


def completion(store: Store, settings: Settings, level: str = "year") -> list[CompletionRow]:
    """The completion table at `level` (volume / year / ledger / home / total), sorted."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    rows = _volume_rows(store, settings)
    return rows if level == "volume" else rollup(rows, level)


def _volume_rows(store: Store, settings: Settings) -> list[CompletionRow]:
    vols = volumes(store)
    matches = identify_files(store, settings, vols)
    names = home_names()
    by_id = {v.id: v for v in vols}
    table: dict[tuple, CompletionRow] = {}

    def row(home: str, kind: str, year: int | None, volume_id: int | None) -> CompletionRow:
        v = by_id.get(volume_id) if volume_id is not None else None
        label = v.volume if v else None
        key = (home, kind, year, label)
        if key not in table:
            table[key] = CompletionRow(home, names.get(home, ""), kind, year, label, in_inventory=v is not None)
        return table[key]

    for v in vols:
        row(v.funeral_home_code, v.ledger_kind, v.year, v.id).expected_pages += v.expected_pages
    with store.session() as s:
        pages = s.execute(select(Page.file_id, Page.status, func.count(Page.id)).group_by(Page.file_id, Page.status)).all()
        recs = s.execute(
            select(Page.file_id, Record.status, func.count(Record.id), func.count(LoadedRecord.record_id))
            .join(Page, Record.page_id == Page.id)
            .outerjoin(LoadedRecord, LoadedRecord.record_id == Record.id)
            .group_by(Page.file_id, Record.status)
        ).all()
        quarantined = s.execute(select(Quarantine.rel_path)).scalars().all()
    for fid, status, n in pages:
        m = matches[fid]
        r = row(m.funeral_home_code, m.ledger_kind, m.year, m.volume_id)
        r.scanned += n
        if status == "done":
            r.processed += n
        elif status in PROBLEM_PAGE:
            r.problem_pages += n
    for fid, status, n, loaded in recs:
        m = matches[fid]
        r = row(m.funeral_home_code, m.ledger_kind, m.year, m.volume_id)
        r.records += n
        r.loaded += loaded
        attr = {
            "auto_accepted": "auto_accepted",
            "needs_review": "in_review",
            "approved": "approved",
            "rejected": "rejected",
        }.get(status)
        if attr:
            setattr(r, attr, getattr(r, attr) + n)
    for rel in quarantined:
        vol = match_path(vols, rel)
        r = row(vol.funeral_home_code, vol.ledger_kind, vol.year, vol.id) if vol else row(UNIDENTIFIED, UNIDENTIFIED, None, None)
        r.quarantined += 1
    for r in table.values():
        r.done_of_expected = min(r.processed, r.expected_pages)
    return sorted(table.values(), key=_sort_key)


def _sort_key(r: CompletionRow) -> tuple:
    return (r.funeral_home == UNIDENTIFIED, r.funeral_home, r.ledger_kind, r.year or 0, r.volume is None, r.volume or "")


def rollup(rows: Iterable[CompletionRow], level: str) -> list[CompletionRow]:
    keys = LEVELS[level]
    out: dict[tuple, CompletionRow] = {}
    for r in rows:
        k = r.key(level)
        agg = out.get(k)
        if agg is None:
            agg = out[k] = CompletionRow(
                funeral_home=r.funeral_home if "funeral_home" in keys else "all",
                funeral_home_name=r.funeral_home_name if "funeral_home" in keys else "",
                ledger_kind=r.ledger_kind if "ledger_kind" in keys else "",
                year=r.year if "year" in keys else None,
                volume=r.volume if "volume" in keys else None,
            )
        agg.in_inventory = agg.in_inventory or r.in_inventory
        for c in COUNTS:
            setattr(agg, c, getattr(agg, c) + getattr(r, c))
    return sorted(out.values(), key=_sort_key)


def totals(rows: Iterable[CompletionRow]) -> CompletionRow:
    got = rollup(rows, "total")
    return got[0] if got else CompletionRow("all")


TABLE_COLUMNS = (
    "funeral_home",
    "funeral_home_name",
    "ledger_kind",
    "year",
    "volume",
    "expected_pages",
    "scanned",
    "processed",
    "pages_done_pct",
    "missing_pages",
    "problem_pages",
    "records",
    "auto_accepted",
    "in_review",
    "approved",
    "rejected",
    "loaded",
    "quarantined",
)


def to_csv(rows: Sequence[CompletionRow]) -> str:
    buf = io.StringIO()
    w = csvsafe.writer(buf, lineterminator="\n")
    w.writerow(TABLE_COLUMNS)
    for r in rows:
        d = r.to_dict()
        w.writerow([d[c] for c in TABLE_COLUMNS])
    return buf.getvalue()


COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "funeral_home": ("殡仪馆代码", "funeral home"),
    "funeral_home_name": ("殡仪馆", "name"),
    "ledger_kind": ("登记簿", "ledger"),
    "year": ("年份", "year"),
    "volume": ("册", "volume"),
    "expected_pages": ("应有页数", "expected pages"),
    "scanned": ("已扫描", "scanned"),
    "processed": ("已识别", "processed"),
    "pages_done_pct": ("完成率 %", "% done"),
    "missing_pages": ("未扫描", "not scanned"),
    "problem_pages": ("问题页", "problem pages"),
    "records": ("记录", "records"),
    "auto_accepted": ("自动通过", "auto-accepted"),
    "in_review": ("待审核", "in review"),
    "approved": ("已通过", "approved"),
    "rejected": ("已驳回", "rejected"),
    "loaded": ("已入库", "loaded"),
    "quarantined": ("隔离文件", "quarantined files"),
}
"""The completion table's columns, Chinese first: one table for `backfill status` and the review app's
completion page (review_app.i18n takes its done.col.* words from here)."""

TOTAL_LABEL = ("合计", "TOTAL")


_STATUS_COLUMNS = (
    ("expected_pages", "expected", 8),
    ("scanned", "scanned", 8),
    ("processed", "read", 8),
    ("pages_done_pct", "done%", 8),
    ("problem_pages", "problem", 8),
    ("records", "records", 8),
    ("auto_accepted", "auto", 8),
    ("in_review", "review", 8),
    ("approved", "approved", 8),
    ("rejected", "rejected", 8),
    ("loaded", "loaded", 8),
    ("quarantined", "quar.", 8),
)
"""`backfill status`'s number columns: (CompletionRow attribute, short English heading, width)."""


def format_table(rows: Sequence[CompletionRow], level: str = "year") -> str:
    """A fixed-width text table (the CLI's `backfill status`), with a total line: two heading lines,
    Chinese first (COLUMN_LABELS), then the short English ones; ledger kinds Chinese first
    (KIND_LABELS); columns aligned by display width, so Chinese lines up with digits."""
    first = [("funeral_home", "home", 14), ("ledger_kind", "kind", 10), ("year", "year", 6)]
    if level == "volume":
        first.append(("volume", "vol", 6))
    heads = first + list(_STATUS_COLUMNS)
    n_left = len(first)

    def line(values: Sequence[str]) -> str:
        return "  ".join(padded(v, w, i >= n_left) for i, (v, (_k, _en, w)) in enumerate(zip(values, heads))).rstrip()

    def kind(k: str | None) -> str:
        return KIND_LABELS.get(k or "", (k or "", ""))[0]

    def cells(r: CompletionRow, label: str | None = None) -> list[str]:
        out = [label or r.funeral_home, kind(r.ledger_kind), "" if r.year is None else str(r.year)]
        if level == "volume":
            out.append(r.volume if r.volume is not None else ("—" if label is None else ""))
        pct = r.pages_done_pct
        for attr, _en, _w in _STATUS_COLUMNS:
            v = getattr(r, attr)
            out.append(("" if pct is None else f"{pct:.0f}") if attr == "pages_done_pct" else str(v))
        return out

    lines = [
        line([COLUMN_LABELS[k][0] for k, _en, _w in heads]),
        line([en for _k, en, _w in heads]),
    ]
    lines += [line(cells(r)) for r in rows]
    lines.append(line(cells(totals(rows), f"{TOTAL_LABEL[0]} {TOTAL_LABEL[1]}")))
    return "\n".join(lines)


# --- charts: completion over time, by year, review backlog ------------------------------------------
@dataclass
class DayPoint:
    day: date
    pages_processed: int  # cumulative
    records_loaded: int  # cumulative
    pct_of_expected: float | None
    review_backlog: int  # records waiting for a reviewer at the end of the day


def over_time(store: Store, expected_pages: int, time_zone: str) -> list[DayPoint]:
    """Per day of the archive's calendar in `time_zone` (the setting; pipeline.kernel.clock): cumulative
    pages read and records loaded, and the review backlog (records that went to review, less
    approve/reject decisions, plus reopenings)."""

    def day(column: Any) -> local_date:
        return local_date(column, time_zone)

    with store.session() as s:
        pages: dict[Any, int] = dict(
            s.execute(
                select(day(Page.processed_at), func.count(Page.id)).where(Page.status == "done").group_by(day(Page.processed_at))
            ).all()
        )
        loaded: dict[Any, int] = dict(
            s.execute(
                select(day(LoadedRecord.loaded_at), func.count(LoadedRecord.record_id)).group_by(day(LoadedRecord.loaded_at))
            ).all()
        )
        entered: dict[Any, int] = dict(
            s.execute(
                select(day(Record.created_at), func.count(Record.id))
                .where(Record.status.in_(("needs_review", "approved", "rejected")))
                .group_by(day(Record.created_at))
            ).all()
        )
        decided = s.execute(
            select(day(RecordChange.at), RecordChange.action, func.count(RecordChange.id))
            .where(RecordChange.action.in_(("approve", "reject", "reopen")))
            .group_by(day(RecordChange.at), RecordChange.action)
        ).all()
    delta: dict = defaultdict(int)
    for d, n in entered.items():
        delta[d] += n
    for d, action, n in decided:
        delta[d] += n if action == "reopen" else -n
    days = sorted({_as_date(d) for d in (*pages, *loaded, *delta) if d is not None})
    norm = lambda m: {_as_date(k): v for k, v in m.items() if k is not None}  # noqa: E731
    pages, loaded, delta = norm(pages), norm(loaded), norm(delta)
    out: list[DayPoint] = []
    p = done = b = 0
    for d in days:
        p += pages.get(d, 0)
        done += loaded.get(d, 0)
        b += delta.get(d, 0)
        pct = round(100.0 * min(p, expected_pages) / expected_pages, 1) if expected_pages else None
        out.append(DayPoint(d, p, done, pct, max(0, b)))
    return out


def _as_date(v) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v)[:10])


def by_year(rows: Iterable[CompletionRow], years: Sequence[int] = tuple(range(2010, 2018))) -> list[CompletionRow]:
    """Rows rolled up per year, one per year of `years` (2010–2017 by default), zeros where nothing is known."""
    got: dict[Any, Any] = {}
    for r in rows:
        got.setdefault(r.year, []).append(r)
    out = []
    for y in years:
        agg = rollup(got.get(y, []), "total")
        row = agg[0] if agg else CompletionRow("all")
        row.year = y
        out.append(row)
    return out


def held_for_capture(store: Store, file_ids: Sequence[int] | None = None) -> int:
    """Records in review because their page is of a capture kind the thresholds in use were not fitted
    on (pipeline.page.routing.unfitted_capture_reason), in these files (all where None)."""
    from sqlalchemy import Text, cast

    from pipeline.page.routing import NEEDS_REVIEW, UNFITTED_CAPTURE_MARK

    q = (
        select(func.count(Record.id))
        .join(Page, Record.page_id == Page.id)
        .where(Record.status == NEEDS_REVIEW, cast(Record.route_reasons, Text).contains(UNFITTED_CAPTURE_MARK))
    )
    if file_ids is not None:
        q = q.where(Page.file_id.in_(list(file_ids)))
    with store.session() as s:
        return int(s.scalar(q) or 0)


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(CompletionRow))
