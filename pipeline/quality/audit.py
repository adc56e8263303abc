"""The blind audit: the product measures its own error on the real archive.

Every threshold that decides "auto-accepted" was fitted on generated ledgers; a province's archive is
a distribution nobody fitted on. So a share of the auto-accepted records of every ledger volume
(`audit_share`, default 2 %, at least `audit_min_per_volume`, default 20; seeded) goes to the review
queue as any held record does, and its outcome (each field confirmed or corrected) is the evidence
the wrong-field rate among auto-accepted records is measured from, per volume, field type, ledger kind
and funeral home, with a 95 % interval (pipeline.kernel.stats). A volume whose interval does not show the
rate within `audit_target` (default 0.3 %) has its auto-accepted records not yet loaded sent back to
review; records already loaded are listed for re-check. The administrator sees why.

- **Double sampling.** Twenty records hold about 300 fields; with none wrong, the 95 % upper bound is
  still 1.2 %: a first sample can show a volume bad, rarely good (showing 0.3 % takes about 1 300
  fields all right). So a volume whose first sample is inconclusive (upper bound over the target,
  lower bound within it) is audited further, by as many more records as would show the target if
  they were all right, while that stays under `audit_max_share` (default half) of its auto-accepted
  records; past that, reviewing the volume whole costs about as much, and it is sent back
  (`audit_escalate = false`: sent back at once, the literal rule). A lower bound over the target
  sends a volume back at once, its audit complete or not.

- **Blind.** An audit record is a needs-review record like any other: the same fields in the same
  order on the same screens; its reasons are the record's least sure fields, shown to reviewers as
  any confidence reason is ("deceased_name: check the reading", pipeline.review.queue.screen_reason).
  Which records are audit samples is kept in `audit_samples` and `review_holds`, which no reviewer
  screen reads.
- **Seeded and reproducible.** A record's draw number is a hash of the seed and its natural key (the
  scan's sha256, page, row), so the same archive and seed draw the same records in any store, and a
  volume that grows keeps the records it drew and adds those with the next smallest numbers.
- **Nothing accepted is lost, nothing unreviewed is loaded.** A drawn record waits in review (the
  loader sends auto-accepted and approved records only) until its review ends; a re-map keeps it in
  review (pipeline.page.extract.save_records asks `held`). Its values are never changed by the audit.

The volume of a record: the inventory volume its scan is matched to (pipeline.archive.inventory), else its
scan file (a PDF or TIFF is one bound volume), else, for single-page images, their folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from sqlalchemy import func, or_, select

from pipeline.kernel.config import Settings
from pipeline.kernel.stats import Rate, clustered_rate, decisive_low, fields_needed
from pipeline.kernel.store import (
    AuditSample,
    AuditVerdict,
    LoadedRecord,
    Page,
    Record,
    RecordChange,
    ReviewHold,
    SourceFile,
    Store,
    utcnow,
)
from pipeline.page.holds import BLIND_MORE_BELOW as BLIND_MORE_BELOW  # re-exported
from pipeline.page.holds import NOT_SCORED as NOT_SCORED
from pipeline.page.holds import apply_hold as apply_hold
from pipeline.page.holds import blind_reasons
from pipeline.page.holds import forget as forget
from pipeline.page.holds import holds_of as holds_of
from pipeline.page.intake import volume_key
from pipeline.page.routing import APPROVED, AUTO_ACCEPTED, NEEDS_REVIEW, REJECTED

SYSTEM = "system"
LEVELS = ("volume", "field_type", "ledger_kind", "funeral_home")
"""Besides a record's least sure field, up to two more read below this are its reasons in review."""


# --- volumes ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VolumeKey:
    key: str  # stable text key: "inventory:<id>", "file:<path>" or "folder:<path>"
    label: str  # what an administrator reads
    funeral_home: str
    ledger_kind: str
    year: int | None


def volumes_of_files(store: Store, settings: Settings) -> dict[int, VolumeKey]:
    """Source file id -> its volume (see the module's docstring)."""
    from pipeline.archive.inventory import KIND_LABELS, home_names, identify_files, volumes

    vols = volumes(store)
    labels = {v.id: v.volume for v in vols}
    names = home_names()
    matches = identify_files(store, settings, vols)
    with store.session() as s:
        files = s.execute(select(SourceFile.id, SourceFile.rel_path, SourceFile.abs_path, SourceFile.media_type)).all()
    roots = {_scan_folder_name(rel, abs_) for _fid, rel, abs_, media in files if volume_key(rel, media) == ROOT_VOLUME}
    out: dict[int, VolumeKey] = {}
    for fid, rel, _abs, media in files:
        m = matches.get(fid)
        home = m.funeral_home_code if m else ""
        kind = m.ledger_kind if m else ""
        year = m.year if m else None
        if m is not None and m.volume_id is not None:
            label = f"{names.get(home, home)} {KIND_LABELS.get(kind, (kind,))[0]} {year} 第{labels.get(m.volume_id, '?')}册"
            out[fid] = VolumeKey(f"inventory:{m.volume_id}", label, home, kind, year)
        else:
            key = volume_key(rel, media)
            where = key.split(":", 1)[1]
            if key == ROOT_VOLUME:  # images lying in the scan folder itself: "./" says nothing to a reader
                label = ROOT_LABEL if len(roots) != 1 or not next(iter(roots)) else f"{next(iter(roots))}/{ROOT_LABEL}"
            else:
                label = f"{where}/" if key.startswith("folder:") else where
            out[fid] = VolumeKey(key, label, home, kind, year)
    return out


ROOT_VOLUME = "folder:."
"""The volume of the single-page images that lie in the scan folder itself (pipeline.page.intake.volume_key)."""
ROOT_LABEL = "（扫描根目录）"
"""How that volume is named where people read it: after the scan folder's own name ("scans/（扫描根目录）")
when every such image came from folders of one name, else alone."""


def _scan_folder_name(rel_path: str, abs_path: str) -> str:
    """The name of the scan folder a file was found in: its path without the part below that folder."""
    root = abs_path[: -len(rel_path)] if rel_path and abs_path.endswith(rel_path) else ""
    return root.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]


# --- drawing ------------------------------------------------------------------------------------------
def draw_number(seed: int, file_sha: str, page_no: int, row_no: int) -> float:
    """A record's draw number in [0, 1): a hash of the seed and the record's natural key."""
    h = hashlib.sha256(f"{int(seed)}:{file_sha}:{int(page_no)}:{int(row_no)}".encode("ascii")).digest()
    return int.from_bytes(h[:8], "big") / 2.0**64


def sample_size(population: int, share: float, minimum: int) -> int:
    """How many of a volume's `population` auto-accepted records are audited."""
    if population <= 0:
        return 0
    return min(population, max(int(minimum), math.ceil(share * population - 1e-9)))


def _snapshot(fields: Mapping[str, Any]) -> dict[str, list]:
    return {name: [(fv or {}).get("value"), float((fv or {}).get("confidence") or 0.0)] for name, fv in fields.items()}


@dataclass
class DrawResult:
    drawn: int = 0
    by_volume: dict[str, int] = field(default_factory=dict)


def draw(store: Store, settings: Settings, *, user: str = SYSTEM) -> DrawResult:
    """Draw the audit samples every volume still lacks (idempotent: a second call draws nothing new)."""
    out = DrawResult()
    share, minimum, seed = float(settings.audit_share), int(settings.audit_min_per_volume), int(settings.audit_seed)
    if share <= 0 and minimum <= 0:
        return out
    vols = volumes_of_files(store, settings)
    with store.session() as s:
        rows = s.execute(
            select(Record.id, Record.status, Page.file_id, Page.page_no, Record.row_no, SourceFile.sha256, AuditSample.record_id)
            .join(Page, Record.page_id == Page.id)
            .join(SourceFile, Page.file_id == SourceFile.id)
            .outerjoin(AuditSample, AuditSample.record_id == Record.id)
            .where(or_(Record.status == AUTO_ACCEPTED, AuditSample.record_id.is_not(None)))
        ).all()
        failed = set(s.scalars(select(AuditVerdict.volume).where(AuditVerdict.verdict.in_(("sent_back", "recheck")))))
        extra = dict(s.execute(select(AuditVerdict.volume, AuditVerdict.extra)).all())
    groups: dict[str, list[tuple[float, int, bool]]] = defaultdict(list)
    for rid, _status, fid, page_no, row_no, sha, sampled in rows:
        v = vols.get(fid)
        if v is None:
            continue
        groups[v.key].append((draw_number(seed, sha, page_no, row_no), rid, sampled is not None))
    plan: dict[str, list[tuple[float, int]]] = {}
    for key, members in groups.items():
        if key in failed:
            continue  # every auto-accepted record of it is being re-checked: no sample needed
        size = min(len(members), sample_size(len(members), share, minimum) + int(extra.get(key) or 0))
        need = size - sum(1 for _u, _r, was in members if was)
        if need > 0:
            plan[key] = sorted((u, rid) for u, rid, was in members if not was)[:need]
    for key, chosen in sorted(plan.items()):
        n = _hold_for_audit(store, key, chosen, settings, user)
        if n:
            out.by_volume[key] = n
            out.drawn += n
    return out


def _hold_for_audit(store: Store, volume: str, chosen: list[tuple[float, int]], settings: Settings, user: str) -> int:
    n = 0
    with store.session() as s, s.begin():
        ids = [rid for _u, rid in chosen]
        loaded = set(s.scalars(select(LoadedRecord.record_id).where(LoadedRecord.record_id.in_(ids))))
        recs = {r.id: r for r in s.scalars(select(Record).where(Record.id.in_(ids)).with_for_update())}
        for u, rid in chosen:
            rec = recs.get(rid)
            if rec is None or rec.status != AUTO_ACCEPTED:  # decided meanwhile: left as it is
                continue
            s.add(
                AuditSample(
                    record_id=rid,
                    volume=volume,
                    drawn_by=user,
                    seed=int(settings.audit_seed),
                    share=float(settings.audit_share),
                    min_per_volume=int(settings.audit_min_per_volume),
                    rank=u,
                    loaded_when_drawn=rid in loaded,
                    snapshot=_snapshot(rec.fields),
                )
            )
            s.add(ReviewHold(record_id=rid, kind="audit", volume=volume, reason="", created_by=user))
            rec.status = NEEDS_REVIEW
            rec.route_reasons = blind_reasons(rec.fields)
            n += 1
    return n


def refresh_pending(store: Store) -> int:
    """After a re-map: the snapshot of each pending sample becomes what mapping now auto-accepts
    (fields a reviewer already corrected keep the value they had), so the review measures the
    pipeline as it stands. Returns the samples refreshed."""
    n = 0
    with store.session() as s, s.begin():
        for sample, rec in s.execute(
            select(AuditSample, Record).join(Record, Record.id == AuditSample.record_id).where(AuditSample.outcome == "pending")
        ):
            new = _snapshot(rec.fields)
            for name, fv in rec.fields.items():
                if "corrected_by_reviewer" in ((fv or {}).get("flags") or []) and name in (sample.snapshot or {}):
                    new[name] = sample.snapshot[name]
            if new != sample.snapshot:
                sample.snapshot = new
                n += 1
    return n


# --- evidence -----------------------------------------------------------------------------------------------
def _same(a: Any, b: Any) -> bool:
    na = None if a in (None, "") else str(a)
    nb = None if b in (None, "") else str(b)
    return na == nb


def outcome_of(snapshot: Mapping[str, list], fields: Mapping[str, Any], status: str) -> tuple[str, list[str], list[str]]:
    """(outcome, fields checked, fields wrong) of a sample whose review ended: each field auto-acceptance
    would have sent, against the value the review ended with. A record rejected in review (no person,
    a row that is not one) was wrong in every field it had."""
    checked, wrong = [], []
    for name in sorted(set(snapshot) | set(fields)):
        if name in NOT_SCORED:
            continue
        before = (snapshot.get(name) or [None])[0]
        after = (fields.get(name) or {}).get("value")
        if before in (None, "") and after in (None, ""):
            continue
        checked.append(name)
        if status == REJECTED or not _same(before, after):
            wrong.append(name)
    if status == REJECTED:
        return "rejected", checked, wrong
    return ("corrected" if wrong else "confirmed"), checked, wrong


def collect(store: Store) -> int:
    """Store the outcome of every sample whose review ended (again where the record changed since:
    a correction after approval counts), and set a sample whose record was reopened pending again.
    Returns the samples updated."""
    n = 0
    with store.session() as s, s.begin():
        rows = s.execute(
            select(AuditSample, Record)
            .join(Record, Record.id == AuditSample.record_id)
            .where(
                or_(
                    AuditSample.outcome == "pending",
                    Record.status.not_in((APPROVED, REJECTED)),
                    AuditSample.reviewed_at < Record.updated_at,
                )
            )
        ).all()
        for sample, rec in rows:
            if rec.status not in (APPROVED, REJECTED):
                if sample.outcome != "pending":
                    sample.outcome, sample.fields_checked, sample.fields_wrong = "pending", None, None
                    sample.checked_fields, sample.wrong_fields, sample.reviewed_by, sample.reviewed_at = [], [], None, None
                    n += 1
                continue
            outcome, checked, wrong = outcome_of(sample.snapshot or {}, rec.fields or {}, rec.status)
            last = s.execute(
                select(RecordChange.user, RecordChange.at)
                .where(RecordChange.record_id == rec.id, RecordChange.action.in_(("approve", "reject")))
                .order_by(RecordChange.id.desc())
                .limit(1)
            ).first()
            sample.outcome, sample.checked_fields, sample.wrong_fields = outcome, checked, wrong
            sample.fields_checked, sample.fields_wrong = len(checked), len(wrong)
            sample.reviewed_by = last[0] if last else None
            sample.reviewed_at = max(rec.updated_at, last[1]) if last else rec.updated_at
            n += 1
    return n


# --- measuring ------------------------------------------------------------------------------------------------
@dataclass
class QualityRow:
    level: str
    key: str
    label: str
    funeral_home: str = ""
    ledger_kind: str = ""
    year: int | None = None
    population: int = 0  # auto-accepted records (audit samples included)
    drawn: int = 0
    reviewed: int = 0
    pending: int = 0
    rate: Rate | None = None
    loaded: int = 0  # auto-accepted records of it already on the platform
    state: str = ""  # volume: pending / passed / to_extend / to_send_back / sent_back / recheck / no_sample / reviewed_whole
    reason: str = ""
    more_records: int | None = None  # audited records still needed for an upper bound within target, all right
    # what a send-back acts on (volumes): the lower bound (pipeline.kernel.stats.decisive_low) over every record
    # drawn, those still pending counted as right (it holds whatever their review shows), and how many records
    low_bound: float | None = None
    bound_records: int = 0
    records: int = 0  # every record read in it (volumes): `population` of them auto-accepted

    @property
    def auto_share(self) -> float | None:
        """The share of the volume's records auto-accepted (audit samples and records sent back included:
        routing accepted them), against `auto_accept_target`; None where nothing was read."""
        return self.population / self.records if self.records else None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["auto_share"] = self.auto_share
        d.pop("rate")
        rate = self.rate.to_dict() if self.rate else dict.fromkeys(("fields", "wrong", "rate", "low", "high", "n_eff", "method"))
        d.update({k: v for k, v in rate.items() if k != "units"})
        return d


@dataclass
class QualityReport:
    target: float
    method: str
    share: float
    min_per_volume: int
    rows: dict[str, list[QualityRow]]
    total: QualityRow
    auto_accepted: int  # auto-accepted records (audit samples included)
    drawn: int
    reviewed: int
    auto_target: float = 0.6  # settings.auto_accept_target: the share of records auto-accepted aimed at

    @property
    def effort(self) -> float:
        """Share of auto-accepted records put before a reviewer by the audit."""
        return self.drawn / self.auto_accepted if self.auto_accepted else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "interval": self.method,
            "share": self.share,
            "min_per_volume": self.min_per_volume,
            "auto_accepted": self.auto_accepted,
            "audit_drawn": self.drawn,
            "audit_reviewed": self.reviewed,
            "audit_effort": round(self.effort, 5),
            "total": self.total.to_dict(),
            "levels": {k: [r.to_dict() for r in v] for k, v in self.rows.items()},
        }


@dataclass
class _Unit:
    volume: str
    kind: str
    home: str
    checked: list[str]
    wrong: list[str]


def _evidence(store: Store, settings: Settings) -> tuple[dict[int, VolumeKey], dict[str, dict[str, Any]], list[_Unit]]:
    vols = volumes_of_files(store, settings)
    per: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"population": 0, "drawn": 0, "reviewed": 0, "pending": 0, "loaded": 0, "records": 0}
    )
    units: list[_Unit] = []
    pending_fields: dict[str, list[int]] = defaultdict(list)
    with store.session() as s:
        read = s.execute(
            select(Page.file_id, func.count(Record.id)).join(Record, Record.page_id == Page.id).group_by(Page.file_id)
        ).all()
        autos = s.execute(
            select(Page.file_id, func.count(Record.id), func.count(LoadedRecord.record_id))
            .join(Record, Record.page_id == Page.id)
            .outerjoin(LoadedRecord, LoadedRecord.record_id == Record.id)
            .where(Record.status == AUTO_ACCEPTED)
            .group_by(Page.file_id)
        ).all()
        held = s.execute(
            select(Page.file_id, func.count(Record.id))
            .join(Record, Record.page_id == Page.id)
            .join(ReviewHold, ReviewHold.record_id == Record.id)
            .where(ReviewHold.kind == "volume")
            .group_by(Page.file_id)
        ).all()
        samples = s.execute(
            select(
                AuditSample.outcome,
                AuditSample.checked_fields,
                AuditSample.wrong_fields,
                Page.file_id,
                Record.ledger_kind,
                Record.fields["funeral_home_code"]["value"].as_string(),
                AuditSample.snapshot,
            )
            .join(Record, Record.id == AuditSample.record_id)
            .join(Page, Record.page_id == Page.id)
        ).all()
    for fid, n in read:
        if fid in vols:
            per[vols[fid].key]["records"] += n
    for fid, n, loaded in autos:
        if fid in vols:
            per[vols[fid].key]["population"] += n
            per[vols[fid].key]["loaded"] += loaded
    for fid, n in held:  # sent back for re-check: they were auto-accepted
        if fid in vols:
            per[vols[fid].key]["population"] += n
    for outcome, checked, wrong, fid, kind, home, snapshot in samples:
        v = vols.get(fid)
        if v is None:
            continue
        d = per[v.key]
        d["population"] += 1
        d["drawn"] += 1
        if outcome == "pending":
            d["pending"] += 1
            # the fields its review will check (outcome_of's, every value right as it stands)
            pending_fields[v.key].append(len(outcome_of(snapshot or {}, {}, NEEDS_REVIEW)[1]))
            continue
        d["reviewed"] += 1
        units.append(_Unit(v.key, kind or "", home or v.funeral_home, list(checked or []), list(wrong or [])))
    for k, d in per.items():
        d["pending_fields"] = pending_fields.get(k, [])
    return vols, per, units


def _rate(
    units: list[_Unit],
    weight: Mapping[str, float],
    method: str,
    only_type: str | None = None,
    types: Mapping[str, str] | None = None,
) -> Rate:
    pairs, w = [], []
    for u in units:
        if only_type is None:
            m, y = len(u.checked), len(u.wrong)
        else:
            m = sum(1 for f in u.checked if (types or {}).get(f, "text") == only_type)
            y = sum(1 for f in u.wrong if (types or {}).get(f, "text") == only_type)
            if m == 0:
                continue
        pairs.append((m, y))
        w.append(weight.get(u.volume, 1.0))
    return clustered_rate(pairs, w, method)


def quality(store: Store, settings: Settings) -> QualityReport:
    """The wrong-field rate among auto-accepted records, from audit evidence only, per volume, field
    type, ledger kind and funeral home, with 95 % intervals; each volume's state and why. Pooled levels
    weigh each audited record by the auto-accepted records of its volume it stands for."""
    from pipeline.archive.inventory import home_names
    from pipeline.quality.calibration import field_types

    collect(store)
    target, method = float(settings.audit_target), settings.audit_interval
    vols, per, units = _evidence(store, settings)
    with store.session() as s:
        verdicts = {v.volume: v for v in s.scalars(select(AuditVerdict))}
    by_key = {v.key: v for v in vols.values()}
    weight = {k: d["population"] / d["reviewed"] for k, d in per.items() if d["reviewed"]}
    rows: dict[str, list[QualityRow]] = {lv: [] for lv in LEVELS}
    for key in sorted(per, key=lambda k: by_key[k].label if k in by_key else k):
        d, v = per[key], by_key.get(key)
        mine = [u for u in units if u.volume == key]
        rate = _rate(mine, {}, method) if mine else None
        row = QualityRow(
            "volume",
            key,
            v.label if v else key,
            v.funeral_home if v else "",
            v.ledger_kind if v else "",
            v.year if v else None,
            d["population"],
            d["drawn"],
            d["reviewed"],
            d["pending"],
            rate,
            d["loaded"],
            records=d["records"],
        )
        if mine:
            # the reviewed part of a sample arrives in the queue's order, not at random: sending a volume back
            # before its audit is complete rests on a bound that holds whatever the pending records show
            # (counted right), over every record drawn; and a record's fields are not independent trials
            whole = clustered_rate([(len(u.checked), len(u.wrong)) for u in mine] + [(m, 0) for m in d["pending_fields"]])
            row.low_bound, row.bound_records = decisive_low(whole), whole.units
        row.state, row.reason = _state(row, target, verdicts.get(key))
        if rate is not None and rate.high > target and row.drawn < row.population:  # else none is left to draw
            need = fields_needed(target, rate.wrong, method) - rate.fields
            per_record = rate.fields / max(1, rate.units)
            row.more_records = max(0, math.ceil(need / per_record)) if per_record else None
        if row.state == "to_send_back" and rate is not None and not shown_over(row, target) and row.more_records:
            # too few audited to show the target, not shown to miss it: audit further where that is cheaper
            # than reviewing the volume (double sampling); else it goes back to review whole
            after = row.drawn + row.more_records
            if settings.audit_escalate and after <= settings.audit_max_share * row.population:
                row.state = "to_extend"
                row.reason += (
                    f"; {row.more_records} more audited records, all right, would show it: "
                    f"the audit is extended to {after} of {row.population}"
                )
            else:
                row.reason += (
                    f"; showing it would take {row.more_records} more audited records, over "
                    f"{settings.audit_max_share:.0%} of the volume's {row.population}: it is reviewed whole"
                )
        rows["volume"].append(row)
    types = field_types()
    for t in sorted({types.get(f, "text") for u in units for f in u.checked}):
        r = _rate(units, weight, method, t, types)
        rows["field_type"].append(QualityRow("field_type", t, t, rate=r, reviewed=r.units))
    names = home_names()
    for level, attr in (("ledger_kind", "kind"), ("funeral_home", "home")):
        for k in sorted({getattr(u, attr) for u in units}):
            mine = [u for u in units if getattr(u, attr) == k]
            r = _rate(mine, weight, method)
            label = names.get(k, k) if level == "funeral_home" else k
            rows[level].append(QualityRow(level, k, label, rate=r, reviewed=r.units))
    auto = sum(d["population"] for d in per.values())
    drawn = sum(d["drawn"] for d in per.values())
    reviewed = sum(d["reviewed"] for d in per.values())
    total = QualityRow(
        "total",
        "all",
        "all",
        population=auto,
        drawn=drawn,
        reviewed=reviewed,
        pending=drawn - reviewed,
        rate=_rate(units, weight, method) if units else None,
        loaded=sum(d["loaded"] for d in per.values()),
        records=sum(d["records"] for d in per.values()),
    )
    if units:  # the archive over the target on the same bound a volume is sent back on: every record drawn, weighted
        pairs, w = [], []
        for u in units:
            pairs.append((len(u.checked), len(u.wrong)))
            w.append(per[u.volume]["population"] / max(1, per[u.volume]["drawn"]))
        for d in per.values():
            for m in d["pending_fields"]:
                pairs.append((m, 0))
                w.append(d["population"] / max(1, d["drawn"]))
        whole = clustered_rate(pairs, w, method)
        total.low_bound, total.bound_records = decisive_low(whole), whole.units
    return QualityReport(
        target,
        method,
        float(settings.audit_share),
        int(settings.audit_min_per_volume),
        rows,
        total,
        auto,
        drawn,
        reviewed,
        float(settings.auto_accept_target),
    )


def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def shown_over(row: QualityRow, target: float) -> bool:
    """The audit shows the volume over the target: the lower bound a send-back acts on passes it."""
    return row.low_bound is not None and row.low_bound > target


def _state(row: QualityRow, target: float, verdict: AuditVerdict | None) -> tuple[str, str]:
    """A volume's state and the reason an administrator reads (English; the page shows it in Chinese)."""
    r = row.rate
    if verdict is not None and verdict.verdict in ("sent_back", "recheck"):
        return verdict.verdict, verdict.reason
    if r is None:
        return (
            ("pending", f"audit under way: 0 of {row.drawn} audited records reviewed")
            if row.drawn
            else ("no_sample", "no auto-accepted record to audit")
        )
    if row.population and row.reviewed >= row.population and not row.pending:
        # a census (a volume of at most audit_min_per_volume records is drawn whole): every auto-accepted record
        # was reviewed by a person, none is left accepted unseen; sending back, re-checking or drawing more
        # has nothing to act on (the rate, whatever it is, was corrected record by record)
        return "reviewed_whole", (
            f"every auto-accepted record of the volume ({row.reviewed} of {row.population}) was reviewed: "
            f"{r.wrong:.0f} of {r.fields:.0f} fields wrong ({_pct(r.rate)}), each corrected in review"
        )
    seen = f"{r.wrong:.0f} of {r.fields:.0f} fields wrong in {row.reviewed} reviewed audit record{'s' if row.reviewed != 1 else ''} ({_pct(r.rate)})"
    pend = f", the {row.pending} still pending counted right" if row.pending else ""
    low = f"lower bound {_pct(row.low_bound or 0.0)} over the {row.bound_records} records drawn{pend}"
    if shown_over(row, target):
        return "to_send_back", f"{seen}: even the {low} passes the target {_pct(target)}"
    if row.pending:
        more = (
            f" (extended by {verdict.extra} records: the first sample could not show the target)"
            if (verdict is not None and verdict.extra)
            else ""
        )
        why = f"; not sent back: the {low} is within the target {_pct(target)}" if r.wrong else ""
        return "pending", f"audit under way: {row.reviewed} of {row.drawn} audited records reviewed{more}; {seen}{why}"
    if r.high > target:
        return "to_send_back", (
            f"{seen}; the 95 % interval's upper bound {_pct(r.high)} passes the target {_pct(target)}, its {low} does not"
        )
    return "passed", f"{seen}; upper bound {_pct(r.high)} within the target {_pct(target)}"


# --- acting on it ---------------------------------------------------------------------------------------------------
@dataclass
class Action:
    volume: str
    label: str
    verdict: str  # sent_back / recheck / passed / extended
    sent_back: int
    loaded: int
    reason: str


def enforce(store: Store, settings: Settings, *, user: str = SYSTEM, report: QualityReport | None = None) -> list[Action]:
    """Act on the measured rates: a volume whose upper bound passes the target (or whose lower bound
    does, before its audit is complete) has its auto-accepted records not yet loaded sent back to
    review (held there, the reason shown to reviewers), its loaded ones listed for re-check; a volume
    within the target is marked passed. Idempotent; records of such a volume read later are sent
    back by the next call (every load calls it first). Returns what changed. `report`: `quality` of the
    store as it stands now, where the caller has it (the audit quality page's, built once per store
    state): not built again."""
    rep = report if report is not None else quality(store, settings)
    files_of: dict[str, list[int]] = defaultdict(list)
    if any(row.state in ("to_send_back", "sent_back", "recheck") for row in rep.rows["volume"]):
        for fid, v in volumes_of_files(store, settings).items():
            files_of[v.key].append(fid)
    actions: list[Action] = []
    extended = False
    for row in rep.rows["volume"]:
        if row.state == "to_extend":
            _extend(store, row, user, rep.target)
            actions.append(Action(row.key, row.label, "extended", 0, row.loaded, row.reason))
            extended = True
            continue
        if row.state == "passed":
            if _set_verdict(store, row, "passed", 0, row.reason, user, rep.target):
                actions.append(Action(row.key, row.label, "passed", 0, row.loaded, row.reason))
            continue
        if row.state not in ("to_send_back", "sent_back", "recheck"):
            continue
        n = _send_back(store, files_of.get(row.key, []), row.key, _volume_reason(row.reason), user, loaded_too=False)
        verdict = "sent_back" if (n or row.state == "sent_back") else "recheck"
        if _set_verdict(store, row, verdict, n, row.reason, user, rep.target) or n:
            actions.append(Action(row.key, row.label, verdict, n, row.loaded, row.reason))
    if extended:
        draw(store, settings, user=user)
    return actions


def _extend(store: Store, row: QualityRow, user: str, target: float) -> None:
    """Record that a volume's audit goes on with `row.more_records` more records (drawn by `draw`)."""
    r = row.rate
    assert r is not None  # quality() extends a volume only on its measured rate
    with store.session() as s, s.begin():
        v = s.get(AuditVerdict, row.key)
        if v is None:
            v = AuditVerdict(volume=row.key, sent_back=0, extra=0)
            s.add(v)
        v.verdict, v.decided_at, v.decided_by, v.reason = "extended", utcnow(), user, row.reason
        v.audited, v.fields, v.wrong = row.reviewed, int(r.fields), int(r.wrong)
        v.rate, v.low, v.high, v.target, v.loaded = r.rate, r.low, r.high, target, row.loaded
        v.extra = int(v.extra or 0) + int(row.more_records or 0)


def _volume_reason(reason: str) -> str:
    return f"volume: the blind audit of this volume's auto-accepted records failed ({reason}); check every field"


def _send_back(store: Store, file_ids: list[int], volume: str, reason: str, user: str, *, loaded_too: bool) -> int:
    """Hold the auto-accepted records of these files in review (not yet loaded ones only, unless
    `loaded_too`). Returns how many."""
    if not file_ids:
        return 0
    n = 0
    with store.session() as s, s.begin():
        q = (
            select(Record)
            .join(Page, Record.page_id == Page.id)
            .outerjoin(LoadedRecord, LoadedRecord.record_id == Record.id)
            .where(Page.file_id.in_(file_ids), Record.status == AUTO_ACCEPTED)
        )
        if not loaded_too:
            q = q.where(LoadedRecord.record_id.is_(None))
        for rec in s.scalars(q.with_for_update()):
            if s.get(ReviewHold, rec.id) is None:
                s.add(ReviewHold(record_id=rec.id, kind="volume", volume=volume, reason=reason, created_by=user))
            rec.status = NEEDS_REVIEW
            rec.route_reasons = list(rec.route_reasons or []) + ([reason] if reason not in (rec.route_reasons or []) else [])
            n += 1
    return n


def _set_verdict(store: Store, row: QualityRow, verdict: str, sent: int, reason: str, user: str, target: float) -> bool:
    """Write a volume's verdict; True when it is new or changed."""
    r = row.rate
    with store.session() as s, s.begin():
        old = s.get(AuditVerdict, row.key)
        if old is not None and old.verdict == verdict and not sent and old.audited == row.reviewed:
            return False
        if old is None:
            old = AuditVerdict(volume=row.key, sent_back=0, extra=0)
            s.add(old)
        old.verdict, old.decided_at, old.decided_by, old.reason = verdict, utcnow(), user, reason
        old.audited, old.fields, old.wrong = row.reviewed, int(r.fields) if r else 0, int(r.wrong) if r else 0
        old.rate, old.low, old.high, old.target = (r.rate, r.low, r.high, target) if r else (0.0, 0.0, 1.0, target)
        old.sent_back = (old.sent_back or 0) + sent
        old.loaded = row.loaded
        return True


def recheck_loaded(store: Store, settings: Settings, volume: str, *, user: str) -> int:
    """An administrator sends a failed volume's records already loaded to review as well: reviewed,
    they reach the platform again as updates (pipeline.platform.load). Returns how many."""
    with store.session() as s:
        verdict = s.get(AuditVerdict, volume)
    if verdict is None or verdict.verdict not in ("sent_back", "recheck"):
        from pipeline.kernel.errors import BackfillError

        raise BackfillError(
            f"volume {volume!r} has not failed its audit",
            hint="各卷的盲审结果见 backfill status --quality / see `backfill status --quality`",
        )
    files = [fid for fid, v in volumes_of_files(store, settings).items() if v.key == volume]
    return _send_back(store, files, volume, _volume_reason(verdict.reason), user, loaded_too=True)


# --- text, CSV and JSON ----------------------------------------------------------------------------------------------
CSV_COLUMNS = (
    "level",
    "key",
    "label",
    "funeral_home",
    "ledger_kind",
    "year",
    "population",
    "drawn",
    "reviewed",
    "pending",
    "fields",
    "wrong",
    "rate",
    "low",
    "high",
    "n_eff",
    "method",
    "loaded",
    "state",
    "reason",
    "more_records",
    "low_bound",
    "bound_records",
    "records",
    "auto_share",
)


def quality_csv(rep: QualityReport) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for level in LEVELS:
        for r in rep.rows[level]:
            d = r.to_dict()
            w.writerow(["" if d.get(c) is None else d.get(c) for c in CSV_COLUMNS])
    d = rep.total.to_dict()
    w.writerow(["" if d.get(c) is None else d.get(c) for c in CSV_COLUMNS])
    return buf.getvalue()


STATE_LABELS: dict[str, tuple[str, str]] = {
    "pending": ("抽检进行中", "audit under way"),
    "passed": ("达标", "passed"),
    "to_extend": ("待扩大抽检", "audit to extend"),
    "extended": ("已扩大抽检", "audit extended"),
    "to_send_back": ("待退回", "to send back"),
    "sent_back": ("已退回复核", "sent back for review"),
    "recheck": ("已入库，需复核", "loaded, to check again"),
    "no_sample": ("无可抽检记录", "nothing to audit"),
    "reviewed_whole": ("已全部人工审核", "all reviewed by people"),
}
"""A volume's audit state in words, Chinese first: one table for `backfill status --quality` and the
review app's Quality page (review_app.i18n's quality.state.*)."""


def _cell(text: str, width: int, right: bool = False) -> str:
    """`text` cut and padded to `width` terminal columns (a Chinese character takes two)."""
    from pipeline.kernel.safety import display_width, padded

    while display_width(text) > width:
        text = text[:-1]
    return padded(text, width, right)


def format_quality(rep: QualityReport) -> str:
    """The `backfill status --quality` text, Chinese first (the table's header in Chinese, then in English)."""

    def rate_text(r: Rate | None) -> str:
        if r is None:
            return f"{'—':>8} {'':>19}"
        return f"{100 * r.rate:7.2f}% [{100 * r.low:6.2f}%, {100 * r.high:6.2f}%]"

    def row(cells: tuple[str, ...]) -> str:
        widths = (40, 8, 8, 5, 5, 6, 5, 28)
        return " ".join(_cell(c, w, right=i > 0) for i, (c, w) in enumerate(zip(cells, widths))) + "  " + cells[-1]

    lines = [
        f"盲审：已从 {rep.auto_accepted} 条自动接受记录中抽出 {rep.drawn} 条（{100 * rep.effort:.1f} %），已审核 {rep.reviewed} 条；"
        f"目标：字段错误率不超过 {_pct(rep.target)}（95 % 区间，{rep.method}）/ blind audit: {rep.drawn} of "
        f"{rep.auto_accepted} auto-accepted records drawn, {rep.reviewed} reviewed; target {_pct(rep.target)} wrong "
        "fields, 95 % interval",
        "",
        row(("卷册", "自动通过", "自动占比", "抽检", "已审", "字段", "错误", "错误率 [95 % 区间]", "状态")),
        row(("volume", "auto", "share", "drawn", "done", "fields", "wrong", "rate [95 % interval]", "state")),
    ]
    for r in rep.rows["volume"]:
        f, w = (f"{r.rate.fields:.0f}", f"{r.rate.wrong:.0f}") if r.rate else ("", "")
        zh = STATE_LABELS.get(r.state, (r.state,))[0]
        share = r.auto_share
        # the volume's share auto-accepted against auto_accept_target (* under it), as the quality page shows it
        sh = "—" if share is None else f"{100 * share:.1f}%" + ("" if share >= rep.auto_target else "*")
        lines.append(
            row((r.label, str(r.population), sh, str(r.drawn), str(r.reviewed), f, w, rate_text(r.rate), f"{zh} ({r.state})"))
        )
    if any(r.auto_share is not None and r.auto_share < rep.auto_target for r in rep.rows["volume"]):
        lines.append(
            f"* 自动通过占比低于目标 {_pct(rep.auto_target)} / share auto-accepted under the target {_pct(rep.auto_target)}"
        )
    flagged = [r for r in rep.rows["volume"] if r.state in ("to_send_back", "sent_back", "recheck", "to_extend")]
    if flagged:
        lines += ["", "超出目标的卷册 / volumes over the target:"]
        for r in flagged:
            what = {
                "to_extend": "扩大抽检（下次入库或 backfill audit check 时）/ its audit is extended (at the next load or "
                "`backfill audit check`)",
                "to_send_back": "将退回审核（下次入库或 backfill audit check 时）/ to be sent back to review (at the next "
                "load or `backfill audit check`)",
                "sent_back": "尚未入库的自动接受记录已退回审核 / auto-accepted records not yet loaded sent back to review",
                "recheck": "已入库：列入复核 / already loaded: listed for re-check",
            }[r.state]
            extra = (
                f"；{r.loaded} 条已入库，请复核（backfill audit recheck）/ {r.loaded} record(s) already loaded: re-check them"
                if r.loaded
                else ""
            )
            lines.append(f"  {r.label}: {what}{extra}; 原因 why: {r.reason}")
    for level, title in (
        ("field_type", "按字段类型 / by field type"),
        ("ledger_kind", "按登记簿种类 / by ledger kind"),
        ("funeral_home", "按殡仪馆 / by funeral home"),
    ):
        if rep.rows[level]:
            lines += [
                "",
                f"{title}（按每条抽检记录所代表的记录数加权 / weighted by the records each audited record stands for）:",
            ]
            for r in rep.rows[level]:
                assert r.rate is not None  # quality() builds each row of these levels on its rate
                lines.append(
                    f"  {_cell(r.label, 28)} {r.rate.units:>5} 条记录 records {r.rate.fields:>7.0f} 个字段 fields "
                    f"{r.rate.wrong:>4.0f} 错 wrong {rate_text(r.rate)}"
                )
    share = rep.total.auto_share
    if share is not None:  # the other half: how much was spared review, beside how much of it was wrong
        met = "达标 / met" if share >= rep.auto_target else f"未达 / under {_pct(rep.auto_target)}"
        lines += [
            "",
            f"自动通过：{rep.total.records} 条记录中 {rep.auto_accepted} 条（{_pct(share)}，目标不低于 {_pct(rep.auto_target)}，{met}）"
            f" / auto-accepted: {rep.auto_accepted} of {rep.total.records} records ({_pct(share)}, target at least "
            f"{_pct(rep.auto_target)})",
        ]
    lines += ["", _total_line(rep)]  # the text ends with the archive's measured error
    return "\n".join(lines)


def total_verdict(rep: QualityReport) -> str:
    """The archive's measured error read against the target: "none" (no audit record reviewed yet), "met"
    (the whole 95 % interval at or under the target), "over" (all of it over), else "undecided"."""
    r = rep.total.rate
    if r is None:
        return "none"
    if r.high <= rep.target:
        return "met"
    if rep.total.low_bound is not None and rep.total.low_bound > rep.target:  # the bound a volume is sent back on
        return "over"
    return "undecided"


def _total_line(rep: QualityReport) -> str:
    """The archive's own measured error in one sentence, Chinese first: the wrong-field rate of the
    auto-accepted records with its 95 % interval read against the target (met where the whole interval
    is at or under it, missed where all of it is over it, else not decided yet), or, before any audit
    record is reviewed, that nothing is measured yet and what it waits for."""
    r = rep.total.rate
    verdict_code = total_verdict(rep)
    if r is None:
        return (
            f"全部卷册：尚未测得错误率——抽出的 {rep.drawn} 条盲审记录还没有审核过的；审核员在审核应用中审完后再查看 / "
            f"all volumes: no error rate measured yet: none of the {rep.drawn} audit records drawn has been reviewed; "
            "they wait in the review app"
        )
    verdict = {
        "met": ("达到目标", "target met"),
        "over": ("超出目标", "over the target"),
        "undecided": ("尚不能判定，需审核更多抽检记录", "not decided yet: more audit records to review"),
    }[verdict_code]
    return (
        f"全部卷册：自动接受记录的字段错误率 {_pct(r.rate)}（95 % 区间 {_pct(r.low)} 至 {_pct(r.high)}，"
        f"{r.units} 条已审记录），目标不超过 {_pct(rep.target)}：{verdict[0]} / all volumes: wrong fields among "
        f"auto-accepted records {_pct(r.rate)} (95 % interval {_pct(r.low)} to {_pct(r.high)}, {r.units} records "
        f"reviewed), target at most {_pct(rep.target)}: {verdict[1]}"
    )
