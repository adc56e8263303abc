"""Calibrated auto-accept thresholds: fitted on generated ledgers with ground truth, per field.

`bench/bench_calibration.py` runs the pipeline on a fitting set, collects one observation per field
(confidence, right or wrong against the truth), and `fit_thresholds` chooses for each field type the
lowest threshold at which the fields above it are wrong no more often than the target; the result
is written to mapping/data/thresholds.json, which routing uses by default (Settings.thresholds_file).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

from pipeline.errors import ConfigError

PACKAGED = "data/thresholds.json"


@dataclass(frozen=True)
class Observation:
    """One field of one record, scored against the truth (no value: no personal data)."""

    field: str
    confidence: float
    right: bool
    flags: tuple[str, ...] = ()
    group: str = ""  # e.g. "handwritten" / "printed"
    record: int = 0  # the record's id in the working store


@lru_cache(maxsize=8)
def _read(path: str | None) -> dict[str, float]:
    return _read_doc(path)[0]


def load_page_limit(path: str | None = None, kind: str | None = None) -> float | None:
    """The calibrated page limit ("page_unsure_max") of a thresholds file for a ledger kind; None if
    it has none. The file holds one number for every kind, or one per kind ({"cremation": 0.3, ...})."""
    return limit_for_kind(_read_doc(path)[1], kind)


def limit_for_kind(limit: float | dict[str, float] | None, kind: str | None) -> float | None:
    """A page limit (one number for every kind, or one per kind) for one ledger kind; None: no limit."""
    if isinstance(limit, dict):
        return limit.get(kind) if kind is not None else None
    return limit


@lru_cache(maxsize=8)
def _read_doc(path: str | None) -> tuple[dict[str, float], float | dict[str, float] | None]:
    if path == "":
        return {}, None
    if path is None:
        res = resources.files("mapping").joinpath(PACKAGED)
        if not res.is_file():
            return {}, None
        text = res.read_text(encoding="utf-8")
        where = f"mapping/{PACKAGED}"
    else:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"thresholds file not found: {p}", hint="run bench/bench_calibration.py or set thresholds_file = \"\"")
        text, where = p.read_text(encoding="utf-8"), str(p)
    try:
        doc = json.loads(text)
        out = {str(k): float(v) for k, v in doc["thresholds"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConfigError(f"thresholds file {where} is not valid: {e}") from e
    bad = [k for k, v in out.items() if not 0.0 <= v <= 1.01]
    if bad:
        raise ConfigError(f"thresholds file {where}: thresholds out of 0..1.01 for {', '.join(bad)}")
    limit = doc.get("page_unsure_max")
    try:
        if isinstance(limit, dict):
            return out, {str(k): float(v) for k, v in limit.items() if v is not None}
        return out, (None if limit is None else float(limit))
    except (ValueError, TypeError) as e:
        raise ConfigError(f"thresholds file {where}: page_unsure_max is not a number or a mapping of numbers: {e}") from e


def load_thresholds(path: str | None = None) -> dict[str, float]:
    """Field name -> auto-accept threshold. None: the packaged file; "": none; else a JSON file
    {"thresholds": {field: threshold}, ...}. A threshold above 1 means: never auto-accept."""
    return dict(_read(path))


def field_types() -> dict[str, str]:
    """Field name -> field type (the spec's normalizer kind; context fields "context")."""
    from mapping.spec import load_spec

    out: dict[str, str] = {}
    sp = load_spec()
    for kind in ("cremation", "sea_burial"):
        for f in sp.kind(kind).fields:
            out[f.name] = "context" if f.source == "context" else ("derived" if f.source == "derived" else (f.normalizer or "text"))
    return out


CERTAIN_TYPES = ("context", "derived")  # not read by OCR: no floor


def fit_thresholds(obs: Sequence[Observation], target: float, types: dict[str, str] | None = None,
                   min_accepted: int = 20, grid: Iterable[float] | None = None, floor: float = 0.0) -> dict[str, dict]:
    """Per field type: the lowest threshold t such that, among its observations with confidence
    >= t, the share wrong is <= target, with at least `min_accepted` of them above t. A type where
    no threshold meets the target gets 1.01 (never auto-accepted). `floor`: the least threshold of a
    type read by OCR; a type never seen wrong on a small fitting set is not thereby trusted blindly.
    Returns type -> {"threshold", "n", "accepted", "wrong_accepted"}. See fit_for_records for the
    record-level target."""
    types = types or field_types()
    grid = sorted(set(grid or [round(x / 1000, 3) for x in range(0, 1001)]))
    by_type: dict[str, list[Observation]] = defaultdict(list)
    for o in obs:
        by_type[types.get(o.field, "text")].append(o)
    out: dict[str, dict] = {}
    for t, items in sorted(by_type.items()):
        n = len(items)
        low = 0.0 if t in CERTAIN_TYPES else floor
        best = None
        for th in (g for g in grid if g >= low):
            above = [o for o in items if o.confidence >= th]
            if len(above) < min(min_accepted, n):
                break
            wrong = sum(not o.right for o in above)
            if wrong <= target * len(above):
                best = {"threshold": th, "n": n, "accepted": len(above), "wrong_accepted": wrong}
                break
        out[t] = best or {"threshold": 1.01, "n": n, "accepted": 0, "wrong_accepted": 0}
    return out


def accepted_records(obs: Sequence[Observation], thresholds: dict[str, float], default: float = 0.9) -> tuple[int, int, int, int]:
    """(records, records auto-accepted, fields of those, wrong among them) with these thresholds."""
    by: dict[int, list[Observation]] = defaultdict(list)
    for o in obs:
        by[o.record].append(o)
    acc = [r for r in by.values() if all(o.confidence >= thresholds.get(o.field, default) for o in r)]
    fields = [o for r in acc for o in r]
    return len(by), len(acc), len(fields), sum(not o.right for o in fields)


def fit_for_records(obs: Sequence[Observation], target: float, types: dict[str, str] | None = None,
                    margin: float = 1.0, floor: float = 0.0) -> tuple[dict[str, dict], float]:
    """Per-type thresholds (fit_thresholds) whose per-type target is tightened (halved, down to
    target/64) until the fields of the records they auto-accept on the fitting set are wrong no
    more often than target, counting one wrong more than seen ((wrong + margin) / fields).
    Returns (per-type fit, the per-type target used)."""
    types = types or field_types()
    t = target
    while True:
        fit = fit_thresholds(obs, t, types, floor=floor)
        th = {name: fit[ty]["threshold"] for name, ty in types.items() if ty in fit}
        _n, _acc, fields, wrong = accepted_records(obs, th)
        if fields == 0 or (wrong + margin) / fields <= target or t < target / 64:
            return fit, t
        t /= 2


def reliability(obs: Sequence[Observation], edges: Sequence[float] = (0, .5, .7, .8, .9, .95, .97, .98, .99, .995, 1.0001)) -> list[dict]:
    """Confidence buckets -> observed accuracy: [{"lo","hi","n","accuracy","mean_confidence"}]."""
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = [o for o in obs if lo <= o.confidence < hi]
        if sel:
            rows.append({"lo": lo, "hi": min(hi, 1.0), "n": len(sel), "accuracy": sum(o.right for o in sel) / len(sel),
                         "mean_confidence": sum(o.confidence for o in sel) / len(sel)})
    return rows


def write_thresholds(path: Path, per_type: dict[str, dict], target: float, meta: dict,
                     page_unsure_max: float | dict[str, float] | None = None) -> dict[str, float]:
    """Expand the per-type thresholds to every field name and write the JSON file routing reads."""
    types = field_types()
    th = {name: per_type[t]["threshold"] for name, t in sorted(types.items()) if t in per_type}
    doc = {"thresholds": th, "page_unsure_max": page_unsure_max, "target_wrong_share": target, "per_type": per_type,
           "fitted_on": meta}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _read.cache_clear()
    _read_doc.cache_clear()
    return th


def fit_with_page_limit(obs: Sequence[Observation], page_share: dict[int, float], target: float,
                        types: dict[str, str] | None = None, floor: float = 0.0,
                        limits: Iterable[float] = tuple(x / 100 for x in range(20, 101, 2)),
                        page_kind: dict[int, str] | None = None
                        ) -> tuple[dict[str, dict], float, float | dict[str, float] | None]:
    """fit_for_records on the records of pages read unsure no more than a limit (the rest go to
    review whole), for each limit; the limit auto-accepting the most records of the whole fitting
    set while meeting the target wins. `page_share`: record -> its page's unsure share.
    `page_kind` (record -> ledger kind): a limit per kind is then searched as well (one kind at a
    time, twice round), since the columns of one register read less surely than another's (a sea
    burial page's rare place names); it wins where it auto-accepts more.
    Returns (per-type fit, per-type target, page limit: one number, one per kind, or None = none)."""
    types = types or field_types()
    limits = [*limits, None]

    def passes(record: int, limit) -> bool:
        limit = limit_for_kind(limit, (page_kind or {}).get(record))
        return limit is None or page_share.get(record, 0.0) <= limit

    def trial(limit):
        kept = [o for o in obs if passes(o.record, limit)]
        if not kept:
            return None
        fit, t = fit_for_records(kept, target, types, floor=floor)
        th = {name: fit[ty]["threshold"] for name, ty in types.items() if ty in fit}
        _n, acc, fields, wrong = accepted_records(kept, th)
        if fields and (wrong + 1) / fields > target:
            return None
        return acc, fit, t, limit

    best = None
    for limit in limits:
        got = trial(limit)
        if got is not None and (best is None or got[0] > best[0]):
            best = got
    if best is None:
        fit, t = fit_for_records(obs, target, types, floor=floor)
        return fit, t, None
    if page_kind:
        kinds = sorted(set(page_kind.values()))
        current = {k: best[3] for k in kinds}
        for _round in range(2):
            for k in kinds:
                for limit in limits:
                    got = trial(dict(current, **{k: limit}))
                    if got is not None and got[0] > best[0]:
                        best, current = got, got[3]
    limit = best[3]
    if isinstance(limit, dict):
        limit = {k: v for k, v in limit.items() if v is not None} or None
    return best[1], best[2], limit
