"""Calibrated auto-accept thresholds: fitted on generated ledgers with ground truth, per field.

`bench/bench_calibration.py` runs the pipeline on a fitting set, collects one observation per field
(confidence, right or wrong against the truth), and `fit_joint` chooses the thresholds of all field
types (and a page limit) together, to auto-accept the most records whose fields are wrong no more
often than the target; the result is written to mapping/data/thresholds.json, which routing uses by default (Settings.thresholds_file).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from sqlalchemy import select

from mapping.spec import CERTAIN_TYPES as CERTAIN_TYPES  # re-exported: the spec's field types
from mapping.spec import field_types as field_types
from pipeline.kernel.stats import ONE_SIDED, clustered_upper
from pipeline.kernel.store import Page, Store
from pipeline.kernel.thresholds import CAPTURE_KINDS, _read, _read_captures, _read_sections
from pipeline.kernel.thresholds import PACKAGED as PACKAGED  # re-exported: reading the file
from pipeline.kernel.thresholds import _read_doc as _read_doc
from pipeline.kernel.thresholds import limit_for_kind as limit_for_kind
from pipeline.kernel.thresholds import load_page_limit as load_page_limit
from pipeline.kernel.thresholds import load_thresholds as load_thresholds
from pipeline.page.routing import capture_kind


@dataclass(frozen=True)
class Observation:
    """One field of one record, scored against the truth (no value: no personal data)."""

    field: str
    confidence: float
    right: bool
    flags: tuple[str, ...] = ()
    group: str = ""  # e.g. "handwritten" / "printed"
    record: int = 0  # the record's id in the working store


FLOOR = 0.5
"""The least threshold of a field type read by OCR: a field its reader gives less than even odds is
never auto-accepted, however rarely such fields were wrong on the fitting sets."""

TYPE_CAP = 0.01
"""The most any one field type may be wrong among the auto-accepted records' fields of that type: the
record-level target could otherwise be met by accepting a poorly read type (names, addresses)
diluted by the many sure ones (codes, dates, context)."""


def accepted_records(obs: Sequence[Observation], thresholds: dict[str, float], default: float = 0.9) -> tuple[int, int, int, int]:
    """(records, records auto-accepted, fields of those, wrong among them) with these thresholds."""
    by: dict[int, list[Observation]] = defaultdict(list)
    for o in obs:
        by[o.record].append(o)
    acc = [r for r in by.values() if all(o.confidence >= thresholds.get(o.field, default) for o in r)]
    fields = [o for r in acc for o in r]
    return len(by), len(acc), len(fields), sum(not o.right for o in fields)


class _Records:
    """The observations as a records x field types table: each record's least confidence per type
    (2.0 where it has no field of the type), its fields and wrong fields per type, its page's unsure
    share and ledger kind. A record is auto-accepted when every least confidence reaches its type's
    threshold and its page's share is within its kind's limit."""

    def __init__(
        self,
        obs: Sequence[Observation],
        page_share: dict[int, float],
        page_kind: dict[int, str] | None,
        type_names: list[str],
        types: dict[str, str],
        weights: dict[int, float] | None = None,
    ):
        records = sorted({o.record for o in obs})
        row = {r: i for i, r in enumerate(records)}
        col = {t: j for j, t in enumerate(type_names)}
        self.kinds = sorted(set((page_kind or {}).values())) or [""]
        shape = (len(records), len(type_names))
        self.least, self.fields, self.wrong = np.full(shape, 2.0), np.zeros(shape), np.zeros(shape)
        for o in obs:
            i, j = row[o.record], col[types.get(o.field, "text")]
            self.least[i, j] = min(self.least[i, j], o.confidence)
            self.fields[i, j] += 1
            self.wrong[i, j] += not o.right
        # a record standing for several (an audited sample of the auto-accepted records, pipeline.quality.refit)
        # counts that many times: its fields, its wrong fields and itself
        self.weight = np.array([float((weights or {}).get(r, 1.0)) for r in records])
        self.raw_fields, self.raw_wrong = self.fields.sum(axis=1), self.wrong.sum(axis=1)  # per record, unweighted
        self.fields *= self.weight[:, None]
        self.wrong *= self.weight[:, None]
        self.share = np.array([page_share.get(r, 0.0) for r in records])
        self.kind = np.array([self.kinds.index((page_kind or {}).get(r, self.kinds[0])) if page_kind else 0 for r in records])
        self.has_wrong = self.wrong.sum(axis=1) > 0

    def accepted(self, th: np.ndarray, limit: np.ndarray) -> np.ndarray:
        return (self.least >= th).all(axis=1) & (self.share <= limit[self.kind])

    def outcome(self, th: np.ndarray, limit: np.ndarray) -> tuple[float, float, float, np.ndarray, np.ndarray, np.ndarray]:
        """(records accepted, their fields, wrong among them, fields and wrong fields per type; weighted;
        and which records are accepted)."""
        a = self.accepted(th, limit)
        per_fields, per_wrong = self.fields[a].sum(axis=0), self.wrong[a].sum(axis=0)
        return float(self.weight[a].sum()), float(per_fields.sum()), float(per_wrong.sum()), per_fields, per_wrong, a

    def upper(self, a: np.ndarray, method: str, confidence: float) -> float:
        """The one-sided upper bound of the wrong-field rate among the records `a` (clustered by record,
        weighted: pipeline.kernel.stats.clustered_upper); 0 where they hold no field."""
        if not self.raw_fields[a].any():
            return 0.0
        return clustered_upper(self.raw_fields[a], self.raw_wrong[a], self.weight[a], method, confidence)


def _search(
    t: _Records,
    ocr: np.ndarray,
    floor: np.ndarray,
    th: np.ndarray,
    limit: np.ndarray,
    feasible: Callable[[tuple], bool],
    breadth: int,
    relax: Callable[[tuple], Callable[[tuple], bool]] | None = None,
    done: dict[bytes, tuple] | None = None,
) -> tuple[np.ndarray, np.ndarray, tuple]:
    """fit_joint's greedy search from (th, limit), weighing `breadth` moves per type and kind; `done`
    keeps what the second stage gave from where the first ended (another breadth ending at the same
    thresholds gives the same fit: it is not searched again).

    `relax` (the bound rule): where raising thresholds removed every wrong field the evidence holds
    and the target is still not shown (too few fields for the bound), it gives the feasibility to go
    on with instead of accepting nothing; and a lower threshold that fails is not the end of the
    scan (a bound is not monotone: more right fields lower it), every lower value is tried."""
    n_types, n_kinds = len(th), len(limit)

    def above(v: float) -> float:  # the least threshold on the 0.001 grid that leaves v out
        return float(np.floor(v * 1000 + 1e-9) + 1) / 1000

    def below(v: float) -> float:  # the greatest limit on the 0.001 grid under v
        return float(np.ceil(v * 1000 - 1e-9) - 1) / 1000

    out = t.outcome(th, limit)
    while not feasible(out):
        a = t.accepted(th, limit)
        moves: list[tuple[np.ndarray, np.ndarray]] = []
        for j in np.nonzero(ocr)[0]:
            for v in np.unique(t.least[a & (t.wrong[:, j] > 0), j])[:breadth]:
                moves.append((np.where(np.arange(n_types) == j, above(v), th), limit))
        for k in range(n_kinds):
            for v in np.unique(t.share[a & t.has_wrong & (t.kind == k)])[::-1][:breadth]:
                moves.append((th, np.where(np.arange(n_kinds) == k, below(v), limit)))
        if not moves:  # nothing accepted holds a wrong field, yet the target is missed: impossible
            break
        tried = [(m, t.outcome(*m)) for m in moves]
        (th, limit), out = max(tried, key=lambda x: (out[2] - x[1][2]) / (out[0] - x[1][0] + 1))
    if not feasible(out) and relax is not None:
        feasible = relax(out)
    if not feasible(out):
        th, limit = np.where(ocr, 1.01, 0.0), np.zeros(n_kinds)
        out = t.outcome(th, limit)
    scan_all = relax is not None
    key = th.tobytes() + limit.tobytes() + (b"relaxed" if scan_all else b"")
    done = {} if done is None else done
    if key not in done:
        done[key] = _improve(t, ocr, floor, th, limit, feasible, out, scan_all)
    return done[key]


def _improve(
    t: _Records,
    ocr: np.ndarray,
    floor: np.ndarray,
    th: np.ndarray,
    limit: np.ndarray,
    feasible: Callable[[tuple], bool],
    out,
    scan_all: bool,
) -> tuple[np.ndarray, np.ndarray, tuple]:
    """_search's second stage: each threshold lowered (to its type's `floor` at the least) and each limit
    raised as far as `feasible` allows."""
    n_types, n_kinds = len(th), len(limit)
    improved = True
    while improved:  # use what the target leaves
        improved = False
        for j in np.nonzero(ocr)[0]:
            for v in np.unique(t.least[(t.least[:, j] < th[j]) & (t.least[:, j] >= floor[j]), j])[::-1]:
                trial = np.where(np.arange(n_types) == j, np.floor(v * 1000 + 1e-9) / 1000, th)
                got = t.outcome(trial, limit)
                if not feasible(got):
                    if scan_all:
                        continue
                    break
                if got[0] > out[0]:
                    th, out, improved = trial, got, True
        for k in range(n_kinds):
            for v in np.unique(t.share[(t.kind == k) & (t.share > limit[k])]):
                trial = np.where(np.arange(n_kinds) == k, v, limit)
                got = t.outcome(th, trial)
                if not feasible(got):
                    if scan_all:
                        continue
                    break
                if got[0] > out[0]:
                    limit, out, improved = trial, got, True
    return th, limit, out


def shown_floors(
    obs: Sequence[Observation],
    types: dict[str, str],
    sure: float | dict[str, float],
    cap: float = TYPE_CAP,
    floor: float = FLOOR,
    method: str = "wilson",
    confidence: float = ONE_SIDED,
) -> dict[str, float]:
    """Field type -> the least threshold its own fitting fields show: the lowest t (0.001 grid, `floor`
    at the least) at which the type's fields read with confidence in [t, `sure`) are wrong no more
    often than `cap` by the one-sided upper confidence bound (`method`, `confidence`; clustered by
    record, the audit's estimator: pipeline.kernel.stats.clustered_upper); `sure` itself where no such
    t exists (no field there, too few, or too many wrong). `sure`: one confidence, or type -> the
    threshold in use (the packaged fit's: what the fit may loosen only on evidence; a type not in it: `floor`).

    Why (a property of the sample and of the recognizer, not of any vocabulary): how often the
    readings a recognizer doubts are wrong depends on the hand and the type (on the design sets, a name
    read between 0.5 and 0.985 on a typed sheet was right 15 times in 16, on a handwritten register
    wrong one time in five). The joint fit's type cap holds a type's wrong share among all its accepted fields, an
    average that the type's many sure readings dilute: a fit on a set with a dozen doubted names, all
    right, takes names down to `floor` (nothing there pushes them up: the winner's curse), and another
    hand then gets its wrong names auto-accepted. So a type goes below `sure` only as far as the fields
    that doing so admits show the cap by themselves, at 95 %: with none wrong that takes about 300 of
    them (the rule of three), which only a fitting set where the type is often doubted and right gives."""

    def level(t: str) -> float:
        return float(sure.get(t, floor)) if isinstance(sure, dict) else float(sure)

    by: dict[str, list[tuple[float, bool, int]]] = defaultdict(list)
    for o in obs:
        t = types.get(o.field, "text")
        if t not in CERTAIN_TYPES and floor <= o.confidence < level(t):
            by[t].append((o.confidence, o.right, o.record))
    out: dict[str, float] = {}
    for t in sorted({types.get(o.field, "text") for o in obs} - set(CERTAIN_TYPES)):
        band = sorted(by.get(t, []), key=lambda x: -x[0])
        best = max(floor, level(t))
        per: dict[int, list[int]] = {}  # record -> [its fields in the band so far, wrong among them]
        for i, (c, right, record) in enumerate(band):
            unit = per.setdefault(record, [0, 0])
            unit[0] += 1
            unit[1] += not right
            if i + 1 < len(band) and band[i + 1][0] == c:
                continue  # all fields of one confidence come in together
            units = list(per.values())
            fields, wrong = [u[0] for u in units], [u[1] for u in units]
            if clustered_upper(fields, wrong, [1.0] * len(units), method, confidence) <= cap:
                best = max(floor, float(np.floor(c * 1000 + 1e-9)) / 1000)
        out[t] = best
    return out


def fit_joint(
    obs: Sequence[Observation],
    page_share: dict[int, float],
    target: float,
    types: dict[str, str] | None = None,
    floor: float = FLOOR,
    type_cap: float = TYPE_CAP,
    page_kind: dict[int, str] | None = None,
    breadths: Sequence[int] = (1, 2, 3, 5, 8),
    weights: dict[int, float] | None = None,
    bound: str | None = None,
    prior: dict[str, float] | None = None,
    prior_limit: float | dict[str, float] | None = None,
    confidence: float = ONE_SIDED,
    sure: float | dict[str, float] | None = None,
) -> tuple[dict[str, dict], float | dict[str, float] | None]:
    """Per-field-type thresholds and a page limit (per ledger kind with `page_kind`) chosen together
    to auto-accept the most records of the fitting set while the fields of those records are wrong no
    more often than `target`, counting one wrong more than seen ((wrong + 1) / fields), and no type's
    fields there more often than `type_cap`.

    Fitting each type on its own to the target (the way this was done before) wastes the target: a
    record goes through only when all its fields do, so what counts is the wrong share among the
    accepted records' fields, not each type's. Search: start with every type read by OCR at `floor`
    and no page limit; while the target is missed, make the one move (a type's threshold raised just
    above an accepted wrong record's confidence in it, or a kind's page limit lowered just below such
    a record's page share) that removes the most wrong fields per record lost; then lower each
    threshold and raise each limit as far as the target allows. The moves weighed are the few
    lowest such thresholds and limits of each type and kind; how many (`breadths`) changes where the
    greedy search ends, so each is tried and the fit auto-accepting the most records is kept.
    `weights` (record -> how many records it stands for, default 1): fitting on reviewed records,
    where only a sample of the auto-accepted ones was reviewed (the blind audit), each audited record
    counts for the auto-accepted records of its volume it was drawn from (pipeline.quality.refit).
    Returns (type -> {"threshold", "n", "accepted", "wrong_accepted"}: the type's fields, and its
    fields in the auto-accepted records and wrong there; page limit: one number, one per kind, or None).

    The bound rule (`bound`: an interval method of pipeline.kernel.stats, "wilson" or "exact"; what the
    refit from reviews uses): the few hundred records an archive's reviews hold cannot show 0.15 %
    by a point estimate. A fit that takes thresholds down to where (wrong + 1) / fields meets the
    target picks, among many candidate thresholds, the ones whose admitted fields happened to be all
    right in the sample (the winner's curse), and misses the target out of sample. With `bound` a fit
    is feasible only where the one-sided upper confidence bound (`confidence`, 95 %) of the wrong
    rate among the auto-accepted records' fields, clustered by record and weighted (the audit's own
    estimator), is within the target; and the records the thresholds in use (`prior`, type ->
    threshold, and `prior_limit`) would not auto-accept are admitted only where their own bound,
    taken apart from the rest, is within the target: a threshold is loosened below the one in use
    only as far as reviewed fields there show it, so a type with few reviewed values below its
    threshold keeps it (the thresholds in use are the prior the fit shrinks to; the bound on the
    pooled records is the pooling). The search starts at the thresholds in use and raises thresholds
    while the bound is missed and an accepted record holds a wrong field; where every such record is
    left out and the bound is still missed (too few fields to show the target), the fit stays there
    and lowers thresholds from there only while the bound gets no worse and no wrong field comes
    back in, rather than accepting nothing (the refit says the reviews do not show the target yet).
    Each type's result then also holds "below": the reviewed records that loosening it alone would
    admit (records, fields, wrong, their bound), which says why it was not loosened.

    `sure` (the type bound; bench/bench_families.py passes the packaged per-type thresholds): no type's
    threshold goes below the least its own fitting fields show (shown_floors: its fields read under
    `sure` wrong no more often than `type_cap` by the one-sided bound), so a fitting set on which a type
    is rarely doubted cannot take it down to `floor` for a hand where it is often doubted and wrong.
    Each type's result then holds "shown_floor"."""
    types = types or field_types()
    names = sorted({types.get(o.field, "text") for o in obs})
    if not names:
        return {}, None
    t = _Records(obs, page_share, page_kind, names, types, weights)
    ocr = np.array([n not in CERTAIN_TYPES for n in names])
    shown = {} if sure is None else shown_floors(obs, types, sure, type_cap, floor, bound or "wilson", confidence)
    floors = np.array([max(floor, shown.get(n, floor)) if o else 0.0 for n, o in zip(names, ocr)])
    th = floors.copy()
    limit = np.ones(len(t.kinds))
    if prior is not None:
        th = np.array([max(f, float(prior.get(n, floor))) if o else 0.0 for n, o, f in zip(names, ocr, floors)])
    if prior_limit is not None:
        limit = np.array([1.0 if (v := limit_for_kind(prior_limit, k or None)) is None else float(v) for k in t.kinds])
    base = t.accepted(th, limit) if (prior is not None or prior_limit is not None) else np.zeros(len(t.weight), bool)

    def capped(out) -> bool:
        return bool((out[4] <= type_cap * out[3]).all())

    def feasible(out) -> bool:
        _n, fields, wrong, per_fields, per_wrong, _a = out
        return fields == 0 or ((wrong + 1) / fields <= target and bool((per_wrong <= type_cap * per_fields).all()))

    method = bound or "wilson"  # within() and relax() are searched with under the bound rule only

    def within(goal: float, most_wrong: float | None = None) -> Callable[[tuple], bool]:
        def ok(out) -> bool:
            a = out[5]
            if out[1] == 0:
                return True
            if most_wrong is not None and out[2] > most_wrong + 1e-9:
                return False
            if not capped(out) or t.upper(a, method, confidence) > goal:
                return False
            new = a & ~base  # what the thresholds in use would not auto-accept: shown on its own
            return not new.any() or t.upper(new, method, confidence) <= target

        return ok

    def relax(out) -> Callable[[tuple], bool]:
        # the target cannot be shown: go on no worse than here (bound, and no wrong field let back in)
        return within(max(target, t.upper(out[5], method, confidence)), out[2])

    best: tuple[np.ndarray, np.ndarray, tuple] | None = None
    done: dict[bytes, tuple] = {}
    for breadth in breadths:
        if bound is None:
            got = _search(t, ocr, floors, th, limit, feasible, breadth, done=done)
        else:
            got = _search(t, ocr, floors, th, limit, within(target), breadth, relax, done=done)
        if best is None or got[2][0] > best[2][0]:
            best = got
    if best is None:
        raise ValueError("fit_joint: `breadths` is empty; give at least one search breadth")
    th, limit, out = best
    per_fields, per_wrong = out[3], out[4]
    fit: dict[str, dict[str, Any]] = {
        n: {
            "threshold": round(float(th[j]), 3),
            "n": int(round(t.fields[:, j].sum())),
            "accepted": int(round(per_fields[j])),
            "wrong_accepted": int(round(per_wrong[j])),
        }
        for j, n in enumerate(names)
    }
    for n, v in shown.items():
        fit[n]["shown_floor"] = v
    if bound is not None:
        a = out[5]
        for j, n in enumerate(names):
            if not ocr[j]:
                continue
            others = np.delete(np.arange(len(names)), j)
            rest = (t.least[:, others] >= th[others]).all(axis=1) & (t.share <= limit[t.kind])
            below = rest & (t.least[:, j] < th[j]) & (t.least[:, j] >= floors[j]) & ~a
            fit[n]["prior"] = round(float(prior.get(n, floor)), 3) if prior is not None else None
            fit[n]["below"] = {
                "records": int(below.sum()),
                "fields": int(t.raw_fields[below].sum()),
                "wrong": int(t.raw_wrong[below].sum()),
                "upper": round(t.upper(below, bound, confidence), 5) if below.any() else None,
            }
    limits = {k: (None if limit[i] >= 1.0 else round(float(limit[i]), 3)) for i, k in enumerate(t.kinds)}
    if not page_kind:
        return fit, limits[""]
    return fit, ({k: v for k, v in limits.items() if v is not None} or None)


def reliability(
    obs: Sequence[Observation], edges: Sequence[float] = (0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 1.0001)
) -> list[dict]:
    """Confidence buckets -> observed accuracy: [{"lo","hi","n","accuracy","mean_confidence"}]."""
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = [o for o in obs if lo <= o.confidence < hi]
        if sel:
            rows.append(
                {
                    "lo": lo,
                    "hi": min(hi, 1.0),
                    "n": len(sel),
                    "accuracy": sum(o.right for o in sel) / len(sel),
                    "mean_confidence": sum(o.confidence for o in sel) / len(sel),
                }
            )
    return rows


def thresholds_doc(
    per_type: dict[str, dict],
    target: float,
    meta: dict,
    page_unsure_max: float | dict[str, float] | None = None,
    capture: dict[str, int] | None = None,
    by_capture: dict[str, dict] | None = None,
) -> dict:
    """The thresholds file's document: the per-type thresholds expanded to every field name.

    `capture` (capture kind -> pages the fit saw, count_captures) is recorded as
    "fitted_on": {"capture_pages": {"scan": n, "photograph": m}}: routing auto-accepts a record only on
    a page of a kind fitted on at least pipeline.kernel.thresholds.MIN_FITTED_PAGES pages. A file
    without that record (written without `capture`, the packaged file before it, older versions in a
    store) counts as fitted on scans only (pipeline.kernel.thresholds.capture_pages).

    `by_capture` (capture kind -> {"thresholds": {field: threshold}, "pages": n, ...}: a fit on pages of
    that kind alone, capture_section) is written as "by_capture": routing uses it for pages of that kind
    (pipeline.kernel.thresholds.load_thresholds with `capture`)."""
    if capture is not None:
        meta = {**meta, "capture_pages": {k: int(capture.get(k, 0)) for k in sorted({*CAPTURE_KINDS, *capture})}}
    types = field_types()
    th = {name: per_type[t]["threshold"] for name, t in sorted(types.items()) if t in per_type}
    return {
        "thresholds": th,
        "page_unsure_max": page_unsure_max,
        "target_wrong_share": target,
        "per_type": per_type,
        "fitted_on": meta,
        **({"by_capture": by_capture} if by_capture else {}),
    }


def capture_section(per_type: dict[str, dict], pages: int, meta: dict) -> dict:
    """One "by_capture" section of a thresholds file: the per-type thresholds of a fit on pages of one
    capture kind alone, expanded to every field name, and how many such pages it saw."""
    types = field_types()
    return {
        "thresholds": {name: per_type[t]["threshold"] for name, t in sorted(types.items()) if t in per_type},
        "pages": int(pages),
        "per_type": per_type,
        "fitted_on": meta,
    }


def write_thresholds(
    path: Path,
    per_type: dict[str, dict],
    target: float,
    meta: dict,
    page_unsure_max: float | dict[str, float] | None = None,
    capture: dict[str, int] | None = None,
) -> dict[str, float]:
    """Expand the per-type thresholds to every field name and write the JSON file routing reads, with
    the pages of each capture kind the fit saw (`capture`; see thresholds_doc: without it the file
    counts as fitted on scans only)."""
    doc = thresholds_doc(per_type, target, meta, page_unsure_max, capture)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _read.cache_clear()
    _read_doc.cache_clear()
    _read_captures.cache_clear()
    _read_sections.cache_clear()
    return doc["thresholds"]


def count_captures(store: Store) -> dict[str, int]:
    """Capture kind -> processed pages with records in `store` (pipeline.page.routing.capture_kind of
    each page's steps): what a fit on this store's records saw, for write_thresholds."""
    out = {k: 0 for k in CAPTURE_KINDS}
    with store.session() as s:
        for steps in s.scalars(select(Page.steps).where(Page.status == "done", Page.records.any())):
            kind = capture_kind(steps or [])
            out[kind] = out.get(kind, 0) + 1
    return out
