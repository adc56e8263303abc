"""Thresholds refitted from what reviewers did on the real archive: `backfill calibrate --from-reviews`.

The thresholds shipped in mapping/data/thresholds.json were fitted on generated ledgers; on the
province's own registers the evidence is what reviewers did. Every reviewed record says, field by
field, whether the value mapping gives from its stored cells (no OCR, the code and lexicon as they
stand) was what the review ended with; where every record of a volume was reviewed that is the whole
story, and where only a blind audit sample of its auto-accepted records was (pipeline.quality.audit), each
audited record stands for the auto-accepted records of its volume it was drawn from (its weight:
auto-accepted records / audited records of the volume; the records held for review likewise). The
thresholds and page limits are then chosen together by the one fitter (pipeline.quality.calibration.fit_joint,
weighted) under its bound rule: the one-sided 95 % upper confidence bound of the wrong rate among
the auto-accepted fields (not its point estimate) within the target (the audit's, 0.3 %), and no
threshold loosened below the one in use where the reviewed records that would admit cannot show
the target by themselves (fit_evidence says why: a few hundred reviewed records make a point-target
fit overshoot out of sample). The result is judged by cross-validation over volumes: each fold of
volumes is scored with thresholds fitted on the other volumes only, so no volume scores its own fit. The result is a new
version in data_dir/thresholds (who, when, from which evidence, the cross-validated figures); an
administrator applies it with `backfill remap --thresholds vN` and goes back with `--rollback`.

Capture kinds (pipeline.page.routing.capture_kind): a photograph's failures are not a scan's, and one fit
over both lets the many scanned fields hide the photographs' wrong ones under one target. So where the
reviews hold pages other than scans, the file's own thresholds are fitted on the scanned pages alone and
each other kind with MIN_FITTED_PAGES reviewed pages gets a "by_capture" section fitted on its own reviewed
fields alone (refit; capture_lines says what was done per kind, Chinese first).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Any

from sqlalchemy import select

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.models import RawCell
from pipeline.kernel.safety import padded, shown
from pipeline.kernel.stats import ONE_SIDED, Rate, clustered_rate, clustered_upper, fields_needed
from pipeline.kernel.store import AuditSample, Page, Record, ReviewHold, Store, get_row
from pipeline.kernel.thresholds import CAPTURE_LABELS, MIN_FITTED_PAGES, NEVER, SCAN, by_capture_doc, capture_pages
from pipeline.kernel.versions import VersionedFiles
from pipeline.page.routing import APPROVED, AUTO_ACCEPTED, REJECTED, capture_kind
from pipeline.quality.audit import NOT_SCORED, _same, collect, volumes_of_files
from pipeline.quality.calibration import (
    CERTAIN_TYPES,
    FLOOR,
    TYPE_CAP,
    Observation,
    capture_section,
    field_types,
    fit_joint,
    limit_for_kind,
    load_page_limit,
    load_thresholds,
    thresholds_doc,
)


def thresholds_versions(settings: Settings) -> VersionedFiles:
    return VersionedFiles(settings.data_path / "thresholds", "thresholds")


@dataclass
class Evidence:
    """Reviewed records as fitting observations (pipeline.quality.calibration.Observation, record = record id)."""

    obs: list[Observation] = field(default_factory=list)
    shares: dict[int, float] = field(default_factory=dict)  # record -> its page's unsure share
    kinds: dict[int, str] = field(default_factory=dict)  # record -> ledger kind
    weights: dict[int, float] = field(default_factory=dict)  # record -> records it stands for
    volume: dict[int, str] = field(default_factory=dict)  # record -> volume key
    held_anyway: set[int] = field(default_factory=set)  # records routing holds for the spec's problems
    audited: int = 0
    reviewed_held: int = 0
    unrepresented: int = 0  # records of a volume's stratum none of which was reviewed: counted as not auto-accepted
    captures: dict[str, int] = field(default_factory=dict)  # capture kind -> pages of reviewed records (routing.capture_kind)
    capture: dict[int, str] = field(default_factory=dict)  # record -> its page's capture kind (SCAN where absent)

    @property
    def records(self) -> set[int]:
        return set(self.volume)


def gather(store: Store, settings: Settings) -> Evidence:
    """The evidence of every review that ended: each approved record, and each audit sample whose review
    ended (one rejected was wrong in every field). Held records rejected in review (rows that are no
    person) say nothing about thresholds and are left out."""
    from pipeline.page.extract import map_rows, page_unsure_share

    collect(store)
    vols = volumes_of_files(store, settings)
    ev = Evidence()
    population: dict[tuple[str, str], int] = defaultdict(int)  # (volume, stratum) -> records
    reviewed: dict[tuple[str, str], list[int]] = defaultdict(list)
    with store.session() as s:
        auto_ids = set(s.scalars(select(AuditSample.record_id))) | set(
            s.scalars(select(ReviewHold.record_id).where(ReviewHold.kind == "volume"))
        )
        rows = s.execute(
            select(Record.id, Record.status, Page.file_id, Record.page_id).join(Page, Record.page_id == Page.id)
        ).all()
        audit_done = dict(
            s.execute(select(AuditSample.record_id, AuditSample.outcome).where(AuditSample.outcome != "pending")).all()
        )
    pages: dict[int, list[int]] = defaultdict(list)
    for rid, status, fid, page_id in rows:
        v = vols.get(fid)
        if v is None:
            continue
        stratum = "auto" if (rid in auto_ids or status == AUTO_ACCEPTED) else "held"
        if stratum == "held" and status == REJECTED:
            continue
        population[(v.key, stratum)] += 1
        if (stratum == "auto" and rid in audit_done) or (stratum == "held" and status == APPROVED):
            reviewed[(v.key, stratum)].append(rid)
            pages[page_id].append(rid)
            ev.volume[rid] = v.key
    ev.unrepresented = sum(n for key, n in population.items() if not reviewed.get(key))
    for key, ids in reviewed.items():
        w = population[key] / len(ids)
        for rid in ids:
            ev.weights[rid] = w
    ev.audited = sum(len(ids) for (_v, st), ids in reviewed.items() if st == "auto")
    ev.reviewed_held = sum(len(ids) for (_v, st), ids in reviewed.items() if st == "held")
    for page_id, ids in pages.items():
        with store.session() as s:
            page = get_row(s, Page, page_id)
            recs = {r.id: r for r in page.records}
            cells = [(r.row_no, [RawCell.from_dict(c) for c in r.cells]) for r in page.records]
            kind, title, columns = page.ledger_kind or "", page.title or "", (page.layout or {}).get("columns") or []
            capture = capture_kind(page.steps or [])
        if not columns:
            continue
        ev.captures[capture] = ev.captures.get(capture, 0) + 1
        for rid in ids:
            ev.capture[rid] = capture
        mapped = {row.row_no: row.record for row in map_rows(kind, title, columns, cells, settings)}  # OCR only
        share = page_unsure_share(cells) or 0.0
        for rid in ids:
            rec = recs[rid]
            ocr = mapped.get(rec.row_no)
            if ocr is None:
                continue
            rejected = rec.status == REJECTED
            ev.shares[rid], ev.kinds[rid] = share, kind
            if [p for p in ocr.problems if not p.startswith("page:")]:
                ev.held_anyway.add(rid)
            for name in sorted(set(ocr.fields) | set(rec.fields or {})):
                if name in NOT_SCORED:
                    continue
                fv = ocr.fields.get(name)
                before = None if fv is None else fv.value
                after = ((rec.fields or {}).get(name) or {}).get("value")
                if before in (None, "") and after in (None, ""):
                    continue
                right = (not rejected) and _same(before, after)
                ev.obs.append(
                    Observation(
                        name,
                        float(fv.confidence) if fv is not None else 0.0,
                        right,
                        tuple(fv.flags) if fv is not None else (),
                        ev.volume[rid],
                        rid,
                    )
                )
    return ev


# --- scoring thresholds on evidence ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Expected:
    """What thresholds do on evidence: straight-through (records auto-accepted) and wrong fields among
    them, each with its 95 % interval (pipeline.kernel.stats.clustered_rate; weighted)."""

    straight_through: Rate
    wrong: Rate

    def to_dict(self) -> dict[str, Any]:
        return {"straight_through": self.straight_through.to_dict(), "wrong_among_auto_accepted": self.wrong.to_dict()}


def accepted(
    ev: Evidence,
    records: set[int],
    thresholds: dict[str, float],
    page_limit: float | dict[str, float] | None,
    default: float = 0.9,
) -> set[int]:
    """The records of `records` these thresholds and page limit auto-accept (the spec's problems hold
    a record whatever its confidences)."""
    ok = {r for r in records if r not in ev.held_anyway}
    for o in ev.obs:
        if o.record in ok and o.confidence < thresholds.get(o.field, default):
            ok.discard(o.record)
    for r in list(ok):
        lim = limit_for_kind(page_limit, ev.kinds.get(r))
        if lim is not None and ev.shares.get(r, 0.0) > lim:
            ok.discard(r)
    return ok


def accepted_fields(ev: Evidence, acc: set[int]) -> tuple[list[int], list[int], list[float]]:
    """The reviewed fields of the records `acc`, as clusters: (fields, wrong fields, weight) per
    record holding any, in record order."""
    fields: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for o in ev.obs:
        if o.record in acc:
            fields[o.record][0] += 1
            fields[o.record][1] += int(not o.right)
    got = sorted(fields)
    return [fields[r][0] for r in got], [fields[r][1] for r in got], [ev.weights.get(r, 1.0) for r in got]


def expected(ev: Evidence, records: set[int], acc: set[int], method: str) -> Expected:
    ids = sorted(records)
    # records of strata nobody reviewed count as not auto-accepted: nothing says how they would fare
    units = [(1, int(r in acc)) for r in ids] + [(1, 0)] * ev.unrepresented
    through = clustered_rate(units, [ev.weights.get(r, 1.0) for r in ids] + [1.0] * ev.unrepresented, method)
    n, bad, w = accepted_fields(ev, acc)
    return Expected(through, clustered_rate(list(zip(n, bad)), w, method))


def folds_of(volumes: list[str], k: int) -> list[list[str]]:
    """Volumes in k folds (leave one volume out with k volumes or fewer), by a hash of their key."""
    order = sorted(volumes, key=lambda v: hashlib.sha256(v.encode()).hexdigest())
    k = max(2, min(k, len(order)))
    return [order[i::k] for i in range(k)]


@dataclass
class Refit:
    per_type: dict[str, dict]
    page_limit: float | dict[str, float] | None
    thresholds: dict[str, float]
    cross_validated: Expected | None
    current: Expected
    current_file: str | None
    target: float
    evidence: dict[str, Any]
    folds: int
    bound: dict[str, Any] = field(default_factory=dict)  # the bound rule: method, confidence, upper, shown
    # capture kind -> what the refit did for pages of that kind (capture_fits: pages, routed_by, per_type, ...)
    captures: dict[str, dict] = field(default_factory=dict)
    # capture kind -> the "by_capture" section fitted on its reviewed fields alone (calibration.capture_section)
    sections: dict[str, dict] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "captures": self.captures,
            "per_type": self.per_type,
            "page_unsure_max": self.page_limit,
            "thresholds": self.thresholds,
            "cross_validated": self.cross_validated.to_dict() if self.cross_validated else None,
            "current": self.current.to_dict(),
            "current_file": self.current_file or "packaged",
            "target": self.target,
            "evidence": self.evidence,
            "folds": self.folds,
            "bound": self.bound,
        }


def prior_per_type(current: dict[str, float]) -> dict[str, float]:
    """The thresholds in use (field name -> threshold) as one per field type: its least (the fit's
    thresholds are per type)."""
    types = field_types()
    out: dict[str, float] = {}
    for name, th in current.items():
        t = types.get(name, "text")
        out[t] = min(out.get(t, th), th)
    return out


def fit_evidence(
    ev: Evidence,
    target: float,
    *,
    current: dict[str, float] | None,
    current_limit: float | dict[str, float] | None,
    method: str = "wilson",
    floor: float = FLOOR,
    type_cap: float = TYPE_CAP,
    leave_out: AbstractSet[str] = frozenset(),
    confidence: float = ONE_SIDED,
    records: AbstractSet[int] | None = None,
    page_limits: bool = True,
) -> tuple[dict[str, dict], Any, dict[str, float]]:
    """Thresholds and page limits fitted on the evidence (weighted, pipeline.quality.calibration.fit_joint
    under its bound rule), the volumes in `leave_out` left out; records the spec's problems hold
    anyway are not fitted on.

    The bound rule, and why: an archive's reviews are a few hundred records; the fit chooses among
    many thresholds, and the ones that meet a point target in the sample are those whose admitted
    fields happened to be right there. So the fit is held to the one-sided 95 % upper confidence
    bound (`method`: Wilson or exact Clopper-Pearson, at the effective number of fields, clustered
    by record and weighted, as the audit estimates) of the wrong rate among the auto-accepted fields,
    not to its point estimate; and the thresholds in use (`current`, field -> threshold;
    `current_limit`) are the prior: a threshold goes below the one in use, or a page limit above,
    only where the records that admits show the target by themselves (their own bound). With few
    reviewed values below a threshold that bound cannot be met, and the threshold in use is kept
    (fit_joint: "below" in each type says what the evidence there was). Thresholds are raised
    where accepted records hold wrong fields and the bound is missed.
    `current` None: no thresholds in use on these records (routing holds them all now): the fit starts at
    the floor and every record it admits must show the target by itself.
    `records` (default: all): fit on these records' fields only (a capture kind's: refit's sections).
    `page_limits` False: fitted without a page limit (a "by_capture" section has none of its own: routing
    applies the file's to every page), the records' page shares taken as nil.
    Returns (per type, page limit, field name -> threshold)."""
    types = field_types()
    obs = [
        o
        for o in ev.obs
        if o.record not in ev.held_anyway
        and ev.volume.get(o.record) not in leave_out
        and (records is None or o.record in records)
    ]
    per_type, limit = fit_joint(
        obs,
        ev.shares if page_limits else {},
        target,
        types,
        floor=floor,
        type_cap=type_cap,
        page_kind=ev.kinds if page_limits else None,
        weights=ev.weights,
        bound=method,
        prior=None if current is None else prior_per_type(current),
        prior_limit=current_limit if page_limits else None,
        confidence=confidence,
    )
    return per_type, limit, {name: per_type[t]["threshold"] for name, t in types.items() if t in per_type}


def upper_on(ev: Evidence, acc: set[int], method: str, confidence: float = ONE_SIDED) -> float | None:
    """The one-sided upper bound of the wrong rate among the fields of the records `acc` (clustered,
    weighted: what the fit holds to the target); None where they hold no field."""
    n, bad, w = accepted_fields(ev, acc)
    return clustered_upper(n, bad, w, method, confidence) if n else None


def in_use(settings: Settings) -> tuple[dict[str, float], float | dict[str, float] | None, str | None]:
    """The thresholds (field name -> threshold), page limit and file routing uses now."""
    cur_file = settings.active_thresholds_file
    cur_th = {name: settings.threshold_for(name) for name in field_types()}
    cur_limit = settings.page_unsure_max if settings.page_unsure_max is not None else _limits(cur_file)
    return cur_th, cur_limit, cur_file


def in_use_on(settings: Settings, kind: str) -> dict[str, float] | None:
    """The thresholds (field name -> threshold) routing uses now for the records of pages of capture
    `kind` (a section fitted on that kind where the file has one); None where it holds them all (the
    thresholds in use were not fitted on that kind: routing.unfitted_capture_reason)."""
    if not settings.fitted_on_capture(kind):
        return None
    return {name: settings.threshold_for(name, kind) for name in field_types()}


def capture_of(ev: Evidence, rid: int) -> str:
    """The capture kind of a reviewed record's page (a scan where the evidence does not say)."""
    return ev.capture.get(rid, SCAN)


def routed(
    ev: Evidence,
    records: set[int],
    thresholds: dict[str, float],
    page_limit: float | dict[str, float] | None,
    on: dict[str, dict[str, float] | None],
) -> set[int]:
    """The records of `records` routing auto-accepts where the records of pages of capture kind k are
    routed by `on[k]` (field -> threshold; None: all held, the thresholds not fitted on k), those of a
    kind `on` does not name by `thresholds`; the page limit holds on every page."""
    groups: dict[str, set[int]] = defaultdict(set)
    for r in records:
        groups[capture_of(ev, r)].add(r)
    out: set[int] = set()
    for kind, recs in groups.items():
        th = on.get(kind, thresholds)
        if th is not None:
            out |= accepted(ev, recs, th, page_limit)
    return out


def apart(ev: Evidence) -> bool:
    """Whether the reviews hold pages of a capture kind other than a scan: then the file's own (joint)
    thresholds are fitted on the scanned pages' fields only and each other kind with enough reviewed
    pages gets a section of its own (capture_fits): one fit over both lets the many scanned fields hide
    the photographs' wrong ones under one target (docs/capture.md)."""
    return any(k != SCAN for k in ev.captures)


def section_kinds(ev: Evidence) -> list[str]:
    """The capture kinds other than a scan whose reviewed pages reach MIN_FITTED_PAGES: the refit
    fits a section on each of them (pipeline.kernel.thresholds.MIN_FITTED_PAGES: a capture's failures
    strike whole pages, so the pages are the draws)."""
    return sorted(k for k, n in ev.captures.items() if k != SCAN and n >= MIN_FITTED_PAGES)


def nothing_to_fit(ev: Evidence) -> BackfillError:
    """Why a refit whose reviews hold no scanned page and too few pages of every other capture kind
    writes nothing: the file's own thresholds stand on scanned pages, a kind's own section on at least
    MIN_FITTED_PAGES of its pages (pipeline.kernel.thresholds.MIN_FITTED_PAGES)."""
    kinds = sorted(k for k in ev.captures if k != SCAN)
    zh = "、".join(f"{CAPTURE_LABELS.get(k, (k, k))[0]} {ev.captures[k]} 页" for k in kinds)
    en = ", ".join(f"{ev.captures[k]} {CAPTURE_LABELS.get(k, (k, k))[1]}s" for k in kinds)
    more = max(MIN_FITTED_PAGES - ev.captures[k] for k in kinds)
    return BackfillError(
        f"已审核的记录都不在扫描页面上（{zh}），每类页面都少于 {MIN_FITTED_PAGES} 页：无法据此拟合阈值，未写入新版本 / "
        f"no scanned page was reviewed and fewer than {MIN_FITTED_PAGES} pages of each other capture kind ({en}): "
        "nothing to fit thresholds on; no version written",
        hint=f"请审核扫描页面的记录，或再审核 {more} 页同类页面后重新校准 / review records of scanned pages, or {more} more "
        "pages of that kind, then calibrate again",
    )


def _kept(per_type_now: dict[str, float]) -> dict[str, dict]:
    """fit_joint's per-type result for the thresholds in use kept as they are (no evidence to fit on)."""
    return {t: {"threshold": v, "n": 0, "accepted": 0, "wrong_accepted": 0} for t, v in sorted(per_type_now.items())}


def refit(
    store: Store,
    settings: Settings,
    *,
    target: float | None = None,
    folds: int = 5,
    floor: float = FLOOR,
    type_cap: float = TYPE_CAP,
    ev: Evidence | None = None,
) -> Refit:
    """Fit thresholds and page limits on the reviews, cross-validated by volume (see the module);
    `target` defaults to the audit's (settings.audit_target): the bound rule is the margin.

    Capture kinds (pipeline.page.routing.capture_kind of each reviewed record's page): where the reviews
    hold pages other than scans, the file's own thresholds and page limit are fitted on the scanned
    pages' fields only, and each other kind whose reviewed pages reach MIN_FITTED_PAGES gets a section
    fitted on its own reviewed fields only (the same fitter, target and bound rule; no page limit of its
    own: routing applies the file's). A section's prior (the thresholds it shrinks to) is what
    routing uses for that kind now where the file in use was fitted on the kind (its section, or its
    thresholds), else the file's own thresholds in use: a field of such a page is trusted no more than a
    scanned one unless that kind's own reviewed fields show the target below it (a threshold goes lower
    only where the records that admits show it by their own bound), and is raised where its reviewed
    fields hold wrong values (above 1: never auto-accepted there, e.g. a wrong value read at 1.0); where
    what the section admits does not show the target by its bound, nothing is admitted on that kind.
    (Starting a section with no prior, at the floor, was tried: on design stores it loosened photographed
    names and addresses below the scans' thresholds, and cross-validated it let 6 wrong fields through
    where the joint fit let 1; bench/results/refit-captures-2026-12-03-s13.md.) A kind with
    fewer reviewed pages gets no section (the thresholds in use's section of it is carried, else its
    records stay held). The current and cross-validated figures count each record as routing would
    (its kind's section; held where the thresholds are not fitted on its kind)."""
    ev = gather(store, settings) if ev is None else ev
    if not ev.obs:
        raise BackfillError(
            "尚无审核完成的记录，无法据此重新拟合阈值 / no review has ended yet: nothing to refit the thresholds from",
            hint="请先审核记录（含盲审抽样），见 `backfill status --quality` / review records (and the blind audit "
            "samples) first; see `backfill status --quality`",
        )
    target = settings.audit_target if target is None else float(target)
    method = settings.audit_interval
    cur_th, cur_limit, cur_file = in_use(settings)
    kinds = sorted(set(ev.captures) | {capture_of(ev, r) for r in ev.records})
    split = apart(ev)
    joint_records = {r for r in ev.records if capture_of(ev, r) == SCAN} if split else None
    sectioned = section_kinds(ev)
    if split and not ev.captures.get(SCAN) and not sectioned:
        raise nothing_to_fit(ev)
    of_kind = {k: {r for r in ev.records if capture_of(ev, r) == k} for k in kinds}
    # the prior a kind's section shrinks to: what routing uses for that kind now, else the file's own thresholds
    # (a photographed field is trusted no more than a scanned one unless that kind's own reviewed fields show it)
    prior_on = {k: in_use_on(settings, k) or dict(cur_th) for k in sectioned}
    never = {name: NEVER for name in field_types()}

    def fit_joint_part(leave_out: AbstractSet[str] = frozenset()) -> tuple[dict[str, dict], Any, dict[str, float]]:
        if joint_records is not None and not any(o.record in joint_records for o in ev.obs):
            kept = _kept(prior_per_type(cur_th))
            return kept, cur_limit, dict(cur_th)  # no scanned page reviewed: the file's own thresholds kept
        return fit_evidence(
            ev,
            target,
            floor=floor,
            type_cap=type_cap,
            current=cur_th,
            current_limit=cur_limit,
            method=method,
            leave_out=leave_out,
            records=joint_records,
        )

    def fit_section(kind: str, leave_out: AbstractSet[str] = frozenset()) -> tuple[dict[str, dict], dict[str, float]]:
        per, lim, th = fit_evidence(
            ev,
            target,
            floor=floor,
            type_cap=type_cap,
            current=prior_on[kind],
            current_limit=None,
            method=method,
            leave_out=leave_out,
            records=of_kind[kind],
            page_limits=False,
        )
        own = {r for r in of_kind[kind] if ev.volume.get(r) not in leave_out}
        up = upper_on(ev, accepted(ev, own, {**never, **th}, None), method)
        if lim is not None or (up is not None and up > target):
            # fitted without page shares, a limit stands for "accept nothing"; and where the reviewed fields
            # of this kind do not show the target for what the fit admits, nothing is admitted on it
            per = {
                t: {**v, "threshold": NEVER, "section_upper": None if up is None else round(up, 5)} if v["threshold"] > 0 else v
                for t, v in per.items()
            }
            th = {n: v for n, v in th.items() if v <= 0}
        return per, {**never, **th}

    per_type, limit, th = fit_joint_part()
    sections_fit = {k: fit_section(k) for k in sectioned}
    prior_pages = capture_pages(cur_file) or {}
    joint_pages = {k: n for k, n in ev.captures.items() if not split or k == SCAN}
    top = {k: prior_pages.get(k, 0) + joint_pages.get(k, 0) for k in {*prior_pages, *joint_pages}}
    old_sections = by_capture_doc(cur_file)
    carried = {
        k: load_thresholds(cur_file, k) if int(old_sections[k].get("pages", 0)) >= MIN_FITTED_PAGES else None
        for k in old_sections
        if k not in sectioned and top.get(k, 0) < MIN_FITTED_PAGES
    }

    def routing_of(sec: dict[str, dict[str, float]]) -> dict[str, dict[str, float] | None]:
        """How the written file routes each kind: its section, a carried one, the joint thresholds, or held."""
        on: dict[str, dict[str, float] | None] = {k: v for k, v in carried.items()}
        on.update(sec)
        for k in kinds:
            if k not in on and top.get(k, 0) < MIN_FITTED_PAGES:  # the written file records its pages
                on[k] = None
        return on

    vols = sorted(set(ev.volume.values()))
    cv: Expected | None = None
    n_folds = 0
    if len(vols) >= 2:
        acc: set[int] = set()
        groups = folds_of(vols, folds)
        n_folds = len(groups)
        for group in groups:
            held_out = {r for r, v in ev.volume.items() if v in group}
            _pt, lim, th_f = fit_joint_part(set(group))
            secs = {k: fit_section(k, set(group))[1] for k in sectioned}
            acc |= routed(ev, held_out, th_f, lim, routing_of(secs))
        cv = expected(ev, ev.records, acc, method)
    now_on = {k: in_use_on(settings, k) for k in kinds}
    current = expected(ev, ev.records, routed(ev, ev.records, cur_th, cur_limit, now_on), method)
    own = joint_records if joint_records is not None else ev.records
    upper = upper_on(ev, accepted(ev, own, th, limit), method)  # the joint fit's bound on all its evidence
    evidence = {
        "records": len(ev.records),
        "audited": ev.audited,
        "reviewed_held": ev.reviewed_held,
        "unrepresented": ev.unrepresented,
        "volumes": len(vols),
        "fields": len(ev.obs),
        "records_sha256": hashlib.sha256(",".join(map(str, sorted(ev.records))).encode()).hexdigest(),
        "weighted_records": round(sum(ev.weights.get(r, 1.0) for r in ev.records), 1),
        "capture_pages": dict(ev.captures),
        "joint_capture_pages": joint_pages,
    }
    rule = {"method": method, "confidence": ONE_SIDED, "upper": upper, "shown": upper is None or upper <= target}
    on = routing_of({k: v[1] for k, v in sections_fit.items()})
    captures: dict[str, dict] = {}
    sections: dict[str, dict] = {}
    for k in sorted({*kinds, *carried}):
        pages = int(ev.captures.get(k, 0))
        row: dict[str, Any] = {"pages": pages, "section": k in sections_fit, "carried": k in carried}
        if k in sections_fit:
            per, th_k = sections_fit[k]
            acc_k = accepted(ev, of_kind[k], th_k, limit)
            up = upper_on(ev, acc_k, method)
            prior = prior_per_type(prior_on[k])
            row.update(
                routed_by="section",
                per_type=per,
                prior=prior,
                auto_accepted=len(acc_k),
                records=len(of_kind[k]),
                upper=up,
                shown=up is None or up <= target,
            )
            sections[k] = capture_section(
                per,
                pages,
                {"source": "reviews", "capture": k, "fields": sum(o.record in of_kind[k] for o in ev.obs), "target": target},
            )
        elif k in carried:
            row["routed_by"] = "carried" if carried[k] is not None else "held"
            row["carried_pages"] = int(old_sections[k].get("pages", 0))
        else:
            row["routed_by"] = "held" if on.get(k, th) is None else "joint"
        captures[k] = row
    return Refit(per_type, limit, th, cv, current, cur_file, target, evidence, n_folds, rule, captures, sections)


def _limits(path: str | None) -> float | dict[str, float] | None:
    from pipeline.quality.calibration import _read_doc

    return _read_doc(path)[1]


def fitted_captures(result: Refit) -> dict[str, int]:
    """Capture kind -> pages the refit stands on: those of the thresholds in use (the prior the fit
    shrinks to; pipeline.kernel.thresholds.capture_pages, a file without the record counting as fitted
    on scans) and those of the reviewed records. A kind the reviews hold too few pages of keeps what the
    thresholds in use say of it: photographed pages count as fitted only once enough were reviewed."""
    out = dict(capture_pages(result.current_file) or {})  # the joint fit's, not its by_capture sections'
    ev = result.evidence
    joint = ev.get("joint_capture_pages", ev.get("capture_pages"))  # the pages the joint fit stood on
    for kind, n in (joint or {}).items():
        out[kind] = out.get(kind, 0) + int(n)
    return out


def carried_sections(result: Refit) -> dict[str, dict]:
    """The thresholds in use's sections fitted on one capture kind alone ("by_capture",
    pipeline.kernel.thresholds.by_capture_pages) that the refit keeps: those of kinds the reviews hold
    too few pages of for the refit itself to count as fitted on them (fitted_captures) and for which it
    fitted no section of its own (Refit.sections). Such a kind's records keep the thresholds fitted on
    its pages; a kind the reviews cover enough is routed by the refit's own section (fitted on the
    store's own pages of that kind) and its old section is dropped."""
    fitted = fitted_captures(result)
    own = result.sections
    return {k: v for k, v in by_capture_doc(result.current_file).items() if k not in own and fitted.get(k, 0) < MIN_FITTED_PAGES}


def write_version(settings: Settings, result: Refit, *, user: str, store_url: str, note: str = "") -> Path:
    """Write the refit as a new thresholds version (not applied: `backfill remap --thresholds vN`)."""
    meta = {
        "source": "reviews",
        "store": store_url,
        "target": result.target,
        "evidence": result.evidence,
        "cross_validated": result.cross_validated.to_dict() if result.cross_validated else None,
        "folds": result.folds,
        "previous_thresholds": result.current_file or "packaged",
        "previous_on_this_evidence": result.current.to_dict(),
        "bound": result.bound,
    }
    doc = thresholds_doc(
        result.per_type,
        result.target,
        meta,
        result.page_limit,
        fitted_captures(result),
        {**carried_sections(result), **result.sections},
    )
    return thresholds_versions(settings).write(doc, user=user, note=note or "refitted from reviews")


def _rate(r: Rate) -> str:
    return f"{100 * r.rate:.2f} % [{100 * r.low:.2f}, {100 * r.high:.2f}]"


def why(v: dict, now: float) -> tuple[str, dict[str, Any]]:
    """Why a type's refit threshold `v` (fit_joint's, with "below") stands where it does against the one
    in use `now`: (code, figures). Codes: loosened, raised, no_lower (no reviewed record read lower),
    wrong_lower (reviewed records read lower hold wrong fields), too_few (not enough reviewed values
    to loosen it: those read lower are all right but too few to show the target), "" (no evidence
    kept: a fit without the bound rule)."""
    below = v.get("below")
    if below is None:
        return "", {}
    if v["threshold"] < now:
        return "loosened", below
    if v["threshold"] > now:
        return "raised", below
    if not below["records"]:
        return "no_lower", below
    if below["wrong"]:
        return "wrong_lower", below
    return "too_few", below


def _why(v: dict, now: float, target: float, needed: int) -> str:
    """Why a type's refit threshold stands where it does, for `format_refit`: Chinese first (`said`)."""
    code, b = why(v, now)
    if code == "":
        return ""
    if code == "loosened":
        text = said("放宽：它所接受的已审核记录达到目标", "loosened: the reviewed records it admits show the target")
    elif code == "raised":
        text = said("提高：自动接受的记录中有读错的值", "raised: auto-accepted records held wrong values")
    elif code == "no_lower":
        text = said("保持：没有读得更低的已审核记录", "kept: no reviewed record read lower")
    elif code == "wrong_lower":
        text = said(
            f"保持：读得更低的 {b.get('records')} 条记录的 {b.get('fields')} 个字段中 {b.get('wrong')} 个错",
            f"kept: {b.get('wrong')} wrong of {b.get('fields')} fields in the {b.get('records')} records read lower",
        )
    else:
        up, goal = f"{100 * (b.get('upper') or 1):.2f} %", f"{100 * target:.2f} %"
        text = said(
            f"保持：已审核的值不足以放宽：读得更低的 {b.get('records')} 条记录的 {b.get('fields')} 个字段全对，"
            f"上界 {up} > {goal}；约需 {needed} 个字段",
            f"kept: not enough reviewed values to loosen: {b.get('records')} records read lower, {b.get('fields')} "
            f"fields all right, bound {up} > {goal}; about {needed} fields needed",
        )
    return f"  （{text}）"


def not_loosened(r: Refit) -> list[str]:
    """The types with too few reviewed values below their threshold in use to loosen it."""
    cur = load_thresholds(r.current_file)
    types = field_types()
    out = []
    for t, v in sorted(r.per_type.items()):
        now = min((cur.get(n, 0.9) for n, tt in types.items() if tt == t), default=0.0)
        if why(v, now)[0] == "too_few":
            out.append(t)
    return out


TYPE_LABELS = {
    "address": ("地址", "address"),
    "age": ("年龄", "age"),
    "cert_no": ("证号", "certificate number"),
    "code": ("代码", "code"),
    "count": ("人数", "count"),
    "date": ("日期", "date"),
    "division": ("行政区划", "division"),
    "id_number": ("身份证号", "ID number"),
    "name": ("姓名", "name"),
    "phone": ("电话", "phone"),
    "sea_area": ("海域", "sea area"),
    "sex": ("性别", "sex"),
    "text": ("文字", "text"),
}
"""How each field type (pipeline.quality.calibration.field_types) is named to the administrator."""


def said(zh: str, en: str, lang: str | None = None) -> str:
    """A line the administrator reads: Chinese first with the English after it in brackets (lang None:
    the CLI), or in the one language a user of the review app chose ("zh", "en")."""
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return f"{zh} ({en})"


def _type_line(t: str, v: dict | None, prior: float | None, target: float, needed: int, lang: str | None = None) -> str:
    """One field type of a capture kind's section: whether it can be auto-accepted there, and if not why
    (why() against the threshold in use on that kind; none in use: nothing auto-accepted there now)."""
    zh, en = TYPE_LABELS.get(t, (t, t))
    if v is None:
        return "  " + said(
            f"{zh}：这类页面上没有已审核的此类型字段，继续人工核对",
            f"{en}: no reviewed field of this type on such pages; held for review",
            lang,
        )
    if v["threshold"] <= 1.0:
        return "  " + said(
            f"{zh}：可自动接受（阈值 {v['threshold']:.3f}）", f"{en}: can be auto-accepted at {v['threshold']:.3f}", lang
        )
    code, b = why(v, NEVER if prior is None else prior)
    if "section_upper" in v:
        up = 100 * (v["section_upper"] if v["section_upper"] is not None else 1.0)
        zh_why = f"这类页面的已审核字段不足以显示目标（所能接受记录的上界 {up:.2f} % > {100 * target:.2f} %）"
        en_why = f"the reviewed fields of such pages do not show the target (bound {up:.2f} % > {100 * target:.2f} % on what it would admit)"
    elif b.get("wrong") or code == "raised":
        zh_why = (
            f"已审核记录中有读错的字段（{b.get('records', 0)} 条记录的 {b.get('fields', 0)} 个字段中 {b.get('wrong', 0)} 个错）"
        )
        en_why = f"reviewed records hold wrong values ({b.get('wrong', 0)} wrong of {b.get('fields', 0)} fields in {b.get('records', 0)} records)"
    elif b.get("records"):
        up = 100 * (b.get("upper") or 1.0)
        zh_why = (
            f"证据不足以达到目标（{b['records']} 条记录的 {b.get('fields', 0)} 个字段全对，上界 {up:.2f} % > "
            f"{100 * target:.2f} %；约需 {needed} 个字段）"
        )
        en_why = (
            f"the reviewed fields cannot show the target ({b['records']} records, {b.get('fields', 0)} fields all right, "
            f"bound {up:.2f} % > {100 * target:.2f} %; about {needed} fields needed)"
        )
    else:
        zh_why = "证据不足以达到目标（没有只因此类型而未通过的已审核记录）"
        en_why = "the reviewed fields cannot show the target (no reviewed record held back by this type alone)"
    return "  " + said(f"{zh}：继续人工核对，{zh_why}", f"{en}: held for review; {en_why}", lang)


def scans_unreviewed(r: Refit) -> bool:
    """Whether the reviews hold pages of other capture kinds but no scanned page: the file's own
    thresholds (those scanned pages are routed by) cannot be refitted and are kept as in use."""
    pages = r.evidence.get("capture_pages") or {}
    return any(k != SCAN for k in pages) and not pages.get(SCAN)


def capture_lines(r: Refit, lang: str | None = None) -> list[str]:
    """What the refit did per capture kind: pages reviewed, whether a section fitted on that kind alone
    was written, and per field type whether it can be auto-accepted there and why not (e.g. "拍照页面：已审核
    23 页，已写入只用这类页面拟合的阈值", "  姓名：继续人工核对，…"). `lang` None: Chinese first, English in
    brackets (the CLI); "zh" or "en": that language alone (the review app, as its user chose)."""
    lines: list[str] = []
    split = any(k != SCAN for k in (r.evidence.get("capture_pages") or {}))
    method = r.bound.get("method", "wilson")
    needed = fields_needed(r.target, 0, method, one_sided=ONE_SIDED)
    if scans_unreviewed(r):
        zh, en = CAPTURE_LABELS[SCAN]
        lines.append(
            said(
                f"{zh}：没有已审核的扫描页面，文件自身的阈值未重新拟合，沿用当前的",
                f"{en}s: none reviewed; the file's own thresholds are not refitted: those in use are kept",
                lang,
            )
        )
    for k, c in sorted(r.captures.items(), key=lambda kv: (kv[0] != SCAN, kv[0])):
        zh, en = CAPTURE_LABELS.get(k, (k, k))
        n = c.get("pages", 0)
        if k == SCAN:
            lines.append(
                said(
                    f"{zh}：已审核 {n} 页" + ("；文件自身的阈值只用扫描页面的字段拟合" if split else ""),
                    f"{en}s: {n} reviewed"
                    + ("; the file's own thresholds are fitted on scanned pages' fields only" if split else ""),
                    lang,
                )
            )
            continue
        if c.get("section"):
            lines.append(
                said(
                    f"{zh}：已审核 {n} 页，已写入只用这类页面拟合的阈值；已审核记录中可自动接受 {c.get('auto_accepted', 0)} / "
                    f"{c.get('records', 0)} 条",
                    f"{en}s: {n} reviewed; thresholds fitted on their fields alone written; "
                    f"{c.get('auto_accepted', 0)} of their {c.get('records', 0)} reviewed records would be auto-accepted",
                    lang,
                )
            )
            per = c.get("per_type") or {}
            prior = c.get("prior") or {}
            for t in sorted(set(per) | set(r.per_type)):
                if t in CERTAIN_TYPES:
                    continue
                lines.append(_type_line(t, per.get(t), prior.get(t), r.target, needed, lang))
            continue
        short = f"{zh}：已审核 {n} 页，少于 {MIN_FITTED_PAGES} 页，未写入这类页面的阈值"
        en_short = f"{en}s: {n} reviewed, fewer than {MIN_FITTED_PAGES}; no thresholds written for them"
        if c.get("routed_by") == "carried":
            lines.append(
                said(
                    f"{short}；沿用当前按这类页面拟合的阈值（{c.get('carried_pages', 0)} 页）",
                    f"{en_short}; the thresholds in use fitted on {c.get('carried_pages', 0)} such pages are kept",
                    lang,
                )
            )
        elif c.get("routed_by") == "joint":
            lines.append(said(f"{short}；沿用文件自身的阈值", f"{en_short}; the file's own thresholds route them, as now", lang))
        else:
            more = max(0, MIN_FITTED_PAGES - n)
            lines.append(
                said(
                    f"{short}；这类页面的记录继续全部人工核对，再审核 {more} 页后重新校准",
                    f"{en_short}; their records stay held for review: review {more} more such pages, then calibrate again",
                    lang,
                )
            )
    return lines


def format_refit(r: Refit, path: Path | None = None) -> str:
    """What `backfill calibrate --from-reviews` found and wrote, each line Chinese first with its English
    in brackets (`said`, as the run summary and the other administrator commands say it)."""
    ev = r.evidence
    conf_pct = f"{100 * r.bound.get('confidence', ONE_SIDED):.0f} %"
    unrepresented = ev.get("unrepresented")
    lines = [
        said(
            f"依据：{ev['volumes']} 册中 {ev['records']} 条已审核记录（盲审抽样 {ev['audited']} 条，待审核 {ev['reviewed_held']} 条），"
            f"{ev['fields']} 个字段，代表 {ev['weighted_records']:.0f} 条记录"
            + (f"；{unrepresented} 条记录所在卷册的待审核（或盲审）记录尚无人审核，按未自动接受计" if unrepresented else ""),
            f"evidence: {ev['records']} reviewed records ({ev['audited']} blind audit samples, {ev['reviewed_held']} held "
            f"for review) from {ev['volumes']} volumes, {ev['fields']} fields; they stand for {ev['weighted_records']:.0f} records"
            + (
                f"; {unrepresented} records of volumes whose held (or audited) records nobody reviewed yet count as "
                "not auto-accepted"
                if unrepresented
                else ""
            ),
        ),
        said(
            f"拟合目标：自动接受记录的字段中读错的不超过 {100 * r.target:.2f} %，以单侧 {conf_pct} 置信上界为准",
            f"fit target: {100 * r.target:.2f} % wrong among the auto-accepted records' fields, held to its one-sided "
            f"{conf_pct} upper confidence bound",
        ),
        *capture_lines(r),
        "",
        *(
            [
                "文件自身的阈值（扫描页面；没有已审核的扫描页面，沿用当前的） / the file's own thresholds (scanned pages; "
                "none reviewed, those in use kept):"
                if scans_unreviewed(r)
                else "文件自身的阈值（扫描页面） / the file's own thresholds (scanned pages):"
            ]
            if r.evidence.get("joint_capture_pages") not in (None, r.evidence.get("capture_pages"))
            else []
        ),
        "字段类型 field type 当前 now  重新拟合 refit",  # columns as wide as the rows below (display width)
    ]
    cur = load_thresholds(r.current_file)
    types = field_types()
    method = r.bound.get("method", "wilson")
    needed = fields_needed(r.target, 0, method, one_sided=ONE_SIDED)
    for t, v in sorted(r.per_type.items()):
        names = [n for n, tt in types.items() if tt == t]
        now = min((cur.get(n, 0.9) for n in names), default=0.0)
        label = padded(f"{TYPE_LABELS.get(t, (t,))[0]} {t}", 19)  # a Chinese character fills two terminal columns
        lines.append(f"{label}{now:9.3f} {v['threshold']:15.3f}{_why(v, now, r.target, needed)}")
    held = not_loosened(r)
    page_now = load_page_limit(r.current_file, "cremation")
    lines.append(
        said(
            f"整页存疑上限：当前 {'无' if page_now is None else page_now}（火化登记簿）；"
            f"重新拟合 {'无' if r.page_limit is None else r.page_limit}",
            f"page limit: now {page_now!s} (cremation); refit {r.page_limit}",
        )
    )
    if r.bound and not scans_unreviewed(r):  # kept as in use: there is nothing of the file's own to bound
        up = r.bound.get("upper")
        if up is None:
            lines.append(said("重新拟合的阈值不会自动接受任何已审核记录", "the refit auto-accepts no reviewed record"))
        elif r.bound.get("shown"):
            lines.append(
                said(
                    f"按已审核记录，重新拟合后自动接受的字段中读错的：单侧 {conf_pct} 上界（{method}）{100 * up:.2f} % ≤ 目标",
                    f"wrong among the refit's auto-accepted fields on the reviews: one-sided {conf_pct} upper bound "
                    f"({method}) {100 * up:.2f} % <= target",
                )
            )
        else:
            lines.append(
                said(
                    f"已审核记录尚不足以显示达到目标：单侧 {conf_pct} 上界（{method}）{100 * up:.2f} % > {100 * r.target:.2f} %；"
                    f"凡含有读错字段的记录均已排除；约需 {needed} 个自动接受记录的已审核字段全对，方能显示",
                    f"the reviews do not show the target yet: one-sided {conf_pct} upper bound ({method}) {100 * up:.2f} % > "
                    f"{100 * r.target:.2f} %; every record holding a wrong field they saw is left out; about {needed} "
                    "reviewed fields of auto-accepted records, all right, show it",
                )
            )
    if held:
        zh_held = "、".join(f"{TYPE_LABELS.get(t, (t,))[0]}（{t}）" for t in held)
        lines.append(
            said(
                f"已审核的值不足以放宽 {zh_held}：保持当前阈值（只有它将接受的已审核记录本身达到目标时才降低阈值，约需 {needed} 个字段）",
                f"not enough reviewed values to loosen {', '.join(held)}: kept at the thresholds in use (a threshold goes "
                f"lower only where the reviewed records it would admit show the target by themselves, about {needed} fields)",
            )
        )
    lines.append("")
    in_use = r.current_file or "packaged"
    if r.cross_validated:
        lines.append(
            said(
                f"重新拟合，按卷册做 {r.folds} 折交叉验证（没有卷册给自己的拟合打分）：",
                f"refit, cross-validated over {r.folds} folds of volumes (no volume scores its own fit):",
            )
        )
        lines.append(
            "  "
            + said(
                f"直通率 {_rate(r.cross_validated.straight_through)}；自动接受字段中读错 {_rate(r.cross_validated.wrong)}",
                f"straight-through {_rate(r.cross_validated.straight_through)}; "
                f"wrong among auto-accepted fields {_rate(r.cross_validated.wrong)}",
            )
        )
    else:
        lines.append(
            said(
                "重新拟合：只有一册有审核结果，无法交叉验证：请先审核更多卷册",
                "refit: only one volume has reviews, so it cannot be cross-validated: gather reviews of more volumes",
            )
        )
    lines.append(
        said(
            f"当前使用的阈值（{'随程序提供' if in_use == 'packaged' else in_use}）在同一依据上：",
            f"thresholds in use ({in_use}) on the same evidence:",
        )
    )
    lines.append(
        "  "
        + said(
            f"直通率 {_rate(r.current.straight_through)}；自动接受字段中读错 {_rate(r.current.wrong)}",
            f"straight-through {_rate(r.current.straight_through)}; wrong among auto-accepted fields {_rate(r.current.wrong)}",
        )
    )
    if path is not None:
        number = int(path.stem.rsplit("v", 1)[1])
        lines += [
            "",
            said(
                f"已写出 {shown(str(path))}（尚未使用）：用 backfill remap --thresholds v{number} 启用，用 backfill remap --rollback 退回",
                f"wrote {shown(str(path))} (not in use yet): apply it with `backfill remap --thresholds v{number}`, "
                "go back with `backfill remap --rollback`",
            ),
        ]
    return "\n".join(lines)
