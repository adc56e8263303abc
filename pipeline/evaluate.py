"""Accuracy against ground truth: the store's records compared with `*.gt.json` files beside the scans.

Used by the benchmarks and by regression tests on the committed samples; an archive can use it too,
on a sample of pages keyed by hand in the same format (see samples/README.md).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from rapidfuzz.distance import Levenshtein

from pipeline.calibration import Observation
from pipeline.routing import AUTO_ACCEPTED
from pipeline.safety import path_from_db
from pipeline.store import Page, SourceFile, Store

NOT_SCORED = {"id_number_raw"}  # provenance, not a platform value


def truth_path(scan: Path) -> Path:
    return scan.with_name(scan.stem + ".gt.json")


def _norm(v: Any) -> str | None:
    if v is None or v == "":
        return None
    return str(v)


@dataclass
class Evaluation:
    rows_truth: int = 0
    rows_found: int = 0
    rows_extra: int = 0
    chars: int = 0
    char_errors: int = 0  # in the reading the pipeline kept for each cell (kept_reading)
    char_errors_first: int = 0  # in the first reading of each cell
    fields: int = 0
    fields_right: int = 0
    per_field: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # name -> [right, total]
    ids: int = 0
    ids_right: int = 0
    records: int = 0
    auto_accepted: int = 0
    auto_fields: int = 0
    auto_fields_wrong: int = 0
    wrong_examples: list[tuple[str, str]] = field(default_factory=list)  # (field, flags) only: no personal data
    # one per scored field (confidence, right?; no value), for calibration (pipeline.calibration)
    observations: list[Observation] = field(default_factory=list)
    # the same measures per page group: "handwritten" (Kaiti, pen-like) and "printed"
    groups: dict[str, "Evaluation"] = field(default_factory=dict)

    @property
    def cer(self) -> float:
        return self.char_errors / self.chars if self.chars else 0.0

    @property
    def cer_first(self) -> float:
        return self.char_errors_first / self.chars if self.chars else 0.0

    @property
    def field_accuracy(self) -> float:
        return self.fields_right / self.fields if self.fields else 0.0

    @property
    def id_accuracy(self) -> float:
        return self.ids_right / self.ids if self.ids else 0.0

    @property
    def auto_share(self) -> float:
        return self.auto_accepted / self.records if self.records else 0.0

    @property
    def auto_error_rate(self) -> float:
        return self.auto_fields_wrong / self.auto_fields if self.auto_fields else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_truth": self.rows_truth, "rows_found": self.rows_found, "rows_extra": self.rows_extra,
            "cer": round(self.cer, 5), "cer_first_reading": round(self.cer_first, 5), "field_accuracy": round(self.field_accuracy, 5),
            "id_accuracy": round(self.id_accuracy, 5), "ids": self.ids,
            "records": self.records, "auto_accepted": self.auto_accepted, "auto_share": round(self.auto_share, 4),
            "auto_fields": self.auto_fields, "auto_fields_wrong": self.auto_fields_wrong,
            "auto_error_rate": round(self.auto_error_rate, 5),
            "per_field": {k: {"accuracy": round(r / t, 4), "n": t} for k, (r, t) in sorted(self.per_field.items()) if t},
            **({"groups": {k: g.to_dict() for k, g in sorted(self.groups.items())}} if self.groups else {}),
        }


def page_groups(gpage: dict[str, Any]) -> list[str]:
    """The groups a page is reported in: "printed", or "handwritten" and its hand
    ("handwritten/kaiti", "handwritten/ballpoint", "handwritten/felt")."""
    if not gpage.get("handwritten"):
        return ["printed"]
    return ["handwritten", f"handwritten/{gpage.get('pen') or 'kaiti'}"]


def evaluate(store: Store, processed_only: bool = False) -> Evaluation:
    """Compare every record of every scan that has a ground-truth file beside it.
    `processed_only`: pages not processed yet (a run still going, or stopped) are left out
    instead of counting their rows as not found."""
    ev = Evaluation()
    ours: dict[tuple[str, int, int], Any] = {}
    for rec, page, sf in store.iter_records():
        ours[(sf.abs_path, page.page_no, rec.row_no)] = rec
    with store.session() as s:
        files = list(s.query(SourceFile))
        pending = {(sf.abs_path, p.page_no) for p, sf in s.query(Page, SourceFile).join(SourceFile, Page.file_id == SourceFile.id)
                   .filter(Page.status == "pending")} if processed_only else set()
    seen: set[tuple[str, int, int]] = set()
    for sf in files:
        gt_file = truth_path(path_from_db(sf.abs_path))
        if not gt_file.is_file():
            continue
        gt = json.loads(gt_file.read_text(encoding="utf-8"))
        for gpage in gt["pages"]:
            if (sf.abs_path, gpage["page"]) in pending:
                continue
            names = page_groups(gpage)
            subs = [ev.groups.setdefault(g, Evaluation()) for g in names]
            for grow in gpage["rows"]:
                key = (sf.abs_path, gpage["page"], grow["row"])
                rec = ours.get(key)
                seen.add(key)
                for e in (ev, *subs):
                    e.rows_truth += 1
                    _score_row(e, grow, rec, names[0], gpage.get("columns") or [])
    ev.rows_extra = sum(1 for k in ours if k not in seen and truth_path(Path(k[0])).is_file())
    return ev


def kept_reading(rec: Any, column: str | None, first: str) -> str:
    """The text the pipeline kept for a cell of `column`: the reading its field was mapped from (a
    second reading where the two disagreed and it won, a valid text decoded from the recognizer's
    own output; the field's raw text), else the cell's first reading (row numbers, unmapped columns)."""
    fv = rec.fields.get(column) if column and column != "row_no" else None
    return first if fv is None else str(fv.get("raw") or "")


def _score_row(ev: Evaluation, grow: dict[str, Any], rec: Any, group: str = "",
               columns: Sequence[str | None] = ()) -> None:
    truth: dict[str, Any] = grow["record"]
    values = {} if rec is None else {k: (v or {}).get("value") for k, v in rec.fields.items()}
    if rec is not None:
        ev.rows_found += 1
        ev.records += 1
        auto = rec.status == AUTO_ACCEPTED
        ev.auto_accepted += int(auto)
        raw_cells = [c.get("text", "") for c in rec.cells]
    else:
        auto = False
        raw_cells = []
    for i, gtext in enumerate(grow["cells"]):
        got = raw_cells[i] if i < len(raw_cells) else ""
        kept = kept_reading(rec, columns[i] if i < len(columns) else None, got) if rec is not None else got
        g = "".join(str(gtext).split())
        ev.chars += len(g)
        ev.char_errors += Levenshtein.distance(g, "".join(kept.split()))
        ev.char_errors_first += Levenshtein.distance(g, "".join(str(got).split()))
    for name in sorted(set(truth) | set(values)):
        if name in NOT_SCORED:
            continue
        t, o = _norm(truth.get(name)), _norm(values.get(name))
        if t is None and o is None:
            continue
        right = t == o
        if rec is not None:
            fv = rec.fields.get(name) or {}
            ev.observations.append(Observation(name, float(fv.get("confidence", 0.0)), right, tuple(fv.get("flags", [])), group, rec.id))
        ev.fields += 1
        ev.fields_right += int(right)
        pf = ev.per_field[name]
        pf[0] += int(right)
        pf[1] += 1
        if auto:
            ev.auto_fields += 1
            ev.auto_fields_wrong += int(not right)
            if not right and len(ev.wrong_examples) < 50:
                flags = ",".join((rec.fields.get(name) or {}).get("flags", []))
                ev.wrong_examples.append((name, flags))
        if name == "id_number" and t is not None:
            ev.ids += 1
            ev.ids_right += int(right)
