"""Do held names that are right differ from held names that are wrong? Signals measured, no product change.

    PYTHONPATH=. python bench/name_witness.py ROOT... --tag s14 --results DIR [--no-remap]

Each ROOT holds family folders `<family>/scans` + `<family>/run-*/data`, as bench/hold_reasons.py takes
them (re-mapped from their stored cells first unless `--no-remap`: run it on COPIES of the shared stores).
For every name field (mapping.spec type `name`) read below its calibrated threshold, on a one-line
cell, this tool gathers, per field:

- the recognizer's own evidence already stored (first and second crop: ocr.agreement), and the
  frequency-weighed share of the read name among the texts the recognizer listed for the crop
  (`prior share`: mapping.normalize.name_log_prior, NAME_PRIOR_WEIGHT, as rescore_name weighs them);
- a WITNESS reading: the same line crop (pipeline.page.extract.line_crops on the stored clean page and
  grid) read by a second, independently trained recognizer, PP-OCRv4 mobile (ocr.ppocr model `v4`,
  inside the rapidocr-onnxruntime wheel already installed), and again by the pipeline's own PP-OCRv6
  (fidelity: it should repeat the stored first reading).

Then it simulates three candidate rules for a name's confidence (never shipped by this tool):
`witness`: where the witness reads the same name (traditional forms folded) and the name carries no
doubt of its own (normalizer flags), its confidence becomes 1 - (1 - c)(1 - c_witness), two independent
recognizers both wrong the same way; `witness, agreed only`: the same, only where both crops of the
first recognizer agreed; `witness + prior`: the same, only where the prior share is at least 0.9.
For each: names lifted over the threshold and wrong among them; records auto-accepted before -> after
(a held record moves only where low-confidence names were its only cause and every such name is
lifted) and wrong fields among the records moved.

Counts only: no value of any record is printed or written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hold_reasons import STRUCTURE_FLAGS, cause_of, family_stores  # noqa: E402

import mapping.normalize as N  # noqa: E402
import pipeline.quality.evaluate as E  # noqa: E402
from mapping.spec import field_types  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Record, Store  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED  # noqa: E402
from pipeline.runs.stages import remap  # noqa: E402

READING_FLAGS = frozenset({"engines_agree", "engines_disagree", "spec_chose_reading", "readings_same_value"})
"""Flags that say how a cell was read, not a doubt of the name's own (normalize_name's flags,
name_reread_by_frequency, traditional_form_folded, ink_wider_than_text are doubts)."""
PRIOR_SHARE = 0.9
RULES = ("witness", "witness, agreed only", "witness + prior", "ceiling")
"""`ceiling`: every RIGHT name below its threshold lifted, no wrong one (an oracle): what any name signal could
give at most."""


def records_with_truth(
    scans: Path, data: Path, settings: Settings, do_remap: bool = False
) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    """The store's records (id, page_id, status, route_reasons, fields, cells) and, per record id, the truth
    row pipeline.quality.evaluate paired it with; the store first re-mapped where `do_remap`. Shared by the
    name benches (name_witness, name_classes, name_crops)."""
    truths: dict[int, dict[str, Any]] = {}
    score_row = E._score_row

    def keep_truth(ev: Any, grow: dict[str, Any], rec: Any, *a: Any, **k: Any) -> None:
        if rec is not None:
            truths[rec.id] = grow["record"]
        score_row(ev, grow, rec, *a, **k)

    s = settings.with_(data_dir=str(data))
    store = Store.open(s)
    E._score_row = keep_truth
    try:
        if do_remap:
            remap(store, s)
        E.evaluate(store, processed_only=False, truth_dir=scans)
        with store.session() as ss:
            rows = [
                {
                    "id": r.id,
                    "page_id": r.page_id,
                    "status": r.status,
                    "route_reasons": list(r.route_reasons or []),
                    "fields": dict(r.fields or {}),
                    "cells": list(r.cells or []),
                }
                for r in ss.query(Record)
            ]
    finally:
        E._score_row = score_row
        store.dispose()
    return truths, rows


def prior_share(raw: str, alternatives: list[list[Any]] | None) -> float | None:
    """The read name's share of the texts of its length the recognizer listed, each weighed by how
    often real names use its characters (as mapping.normalize.rescore_name weighs them)."""
    same = {t: float(x) for t, x in (alternatives or []) if len(t) == len(raw)}
    if raw not in same:
        return None
    w = {t: x + N.NAME_PRIOR_WEIGHT * N.name_log_prior(t) for t, x in same.items()}
    top = max(w.values())
    return math.exp(w[raw] - top) / sum(math.exp(y - top) for y in w.values())


class StoredCrops:
    """A store's stored cells cut again from its stored clean page images on its stored grids
    (pipeline.page.extract.line_crops), one page image kept in memory at a time. Shared by the name benches."""

    def __init__(self, data: Path) -> None:
        self.data = data
        db = sqlite3.connect(data / "store.sqlite")
        self.pages = {
            pid: (sha, json.loads(layout) if layout else None)
            for pid, sha, layout in db.execute("select id, clean_image, layout from pages")
        }
        db.close()
        self._image: tuple[str | None, Any] = (None, None)

    def crop(self, page_id: int, box: Sequence[int]) -> Any | None:
        """The one-line crop of the stored cell whose box is `box` on page `page_id`; None where the page
        has no stored grid or the cell does not cut to one crop."""
        import cv2

        from pipeline.page.extract import line_crops
        from pipeline.page.layout import Grid

        sha, layout = self.pages.get(page_id, (None, None))
        if not layout:
            return None
        if self._image[0] != sha:
            path = next((self.data / "images").rglob(f"{sha}*"))
            self._image = (sha, cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
        grid = Grid.from_dict(layout["grid"])
        x0, y0, x1, y1 = box
        cy, cx = (y0 + y1) / 2, (x0 + x1) / 2
        r = max(i for i in range(grid.n_rows) if grid.rows[i] <= cy)
        c = max(i for i in range(grid.n_cols) if grid.cols[i] <= cx)
        crops, _owners, _faint = line_crops(self._image[1], grid, [(r, c)])
        return crops[0] if len(crops) == 1 else None


def gather(label: str, scans: Path, data: Path, settings: Settings, do_remap: bool, engines: Any) -> list[dict[str, Any]]:
    truths, rows = records_with_truth(scans, data, settings, do_remap)
    recs = [(r["id"], r["page_id"], r["status"], r["route_reasons"], r["fields"], r["cells"]) for r in rows]
    types = field_types()
    name_fields = [f for f, t in types.items() if t == "name"]
    stored = StoredCrops(data)
    v4, v6 = engines
    out = []
    for rid, page_id, status, reasons, fields, cells in recs:
        if rid not in truths:
            continue
        truth = truths[rid]
        causes: dict[str, set[str]] = {}
        for line in reasons:
            c, d = cause_of(line, types)
            if (
                c.startswith(("low confidence", "check: mandatory"))
                and set((fields.get(d) or {}).get("flags") or ()) & STRUCTURE_FLAGS
            ):
                continue
            causes.setdefault(c, set()).add(d)
        wrong = [
            f
            for f in set(truth) | set(fields)
            if f not in E.NOT_SCORED and E.scored_value(truth.get(f)) != E.scored_value((fields.get(f) or {}).get("value"))
        ]
        for f in name_fields:
            fv = fields.get(f)
            if not fv or not fv.get("value"):
                continue
            conf = float(fv.get("confidence") or 0.0)
            row: dict[str, Any] = {
                "store": label,
                "record": rid,
                "field": f,
                "status": status,
                "conf": conf,
                "right": E.scored_value(truth.get(f)) == E.scored_value(fv.get("value")),
                "flags": list(fv.get("flags") or []),
                "causes": {k: sorted(v) for k, v in causes.items()},
                "wrong_fields": sorted(wrong),
                "threshold": settings.threshold_for(f),
            }
            cell = next((c for c in cells if fv.get("box") and c.get("box") == fv.get("box")), None)
            crop = stored.crop(page_id, cell["box"]) if conf < row["threshold"] and cell is not None else None
            if crop is not None:
                w, again = v4.recognize_crop(crop), v6.recognize_crop(crop)
                row["witness_same"] = N.fold_traditional("".join(w.text.split())) == fv["value"]
                row["witness_conf"] = float(w.confidence)
                row["repeats_first"] = "".join(again.text.split()) == "".join((cell.get("text") or "").split())
                row["prior_share"] = prior_share("".join(str(fv.get("raw") or "").split()), cell.get("alternatives"))
            out.append(row)
    return out


def lifted(row: dict[str, Any], rule: str) -> float:
    """The name's confidence under `rule` (unchanged where it does not apply)."""
    c = float(row["conf"])
    if rule == "ceiling":
        return 1.0 if row["right"] else c
    if not row.get("witness_same") or set(row["flags"]) - READING_FLAGS:
        return c
    if rule == "witness, agreed only" and set(row["flags"]) != {"engines_agree"}:
        return c
    if rule == "witness + prior" and (row.get("prior_share") or 0.0) < PRIOR_SHARE:
        return c
    return 1 - (1 - c) * (1 - float(row["witness_conf"]))


def summarize(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    stores = sorted({r["store"] for r in rows})
    lines += [
        "## Names below their threshold, one-line cells read by the witness",
        "",
        "| store | names below | wrong | witness agrees: names / wrong | witness differs: names / wrong | v6 repeats the stored first reading |",
        "|---|---|---|---|---|---|",
    ]
    for s in stores:
        b = [r for r in rows if r["store"] == s and "witness_same" in r]
        a = [r for r in b if r["witness_same"]]
        d = [r for r in b if not r["witness_same"]]
        lines.append(
            f"| {s} | {len(b)} | {sum(not r['right'] for r in b)} | {len(a)} / {sum(not r['right'] for r in a)} | "
            f"{len(d)} / {sum(not r['right'] for r in d)} | {sum(r['repeats_first'] for r in b)} of {len(b)} |"
        )
    lines += [
        "",
        "## Rules simulated: names lifted over the threshold; records auto-accepted before -> after",
        "",
        "| rule | store | names lifted | wrong among lifted | auto-accepted records before -> after | records moved with a wrong field |",
        "|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        for s in stores:
            mine = [r for r in rows if r["store"] == s]
            up = [r for r in mine if r["conf"] < r["threshold"] <= lifted(r, rule)]
            recs: dict[int, list[dict[str, Any]]] = {}
            for r in mine:
                recs.setdefault(r["record"], []).append(r)
            before = sum(rs[0]["status"] == AUTO_ACCEPTED for rs in recs.values())
            moved = moved_wrong = 0
            for rs in recs.values():
                causes = rs[0]["causes"]
                if rs[0]["status"] == AUTO_ACCEPTED or set(causes) != {"low confidence: name"}:
                    continue
                held = set(causes["low confidence: name"])
                if all(lifted(r, rule) >= r["threshold"] for r in rs if r["field"] in held):
                    moved += 1
                    moved_wrong += bool(rs[0]["wrong_fields"])
            n = len(recs)
            lines.append(
                f"| {rule} | {s} | {len(up)} | {sum(not r['right'] for r in up)} | {before} ({before / n:.1%}) -> "
                f"{before + moved} ({(before + moved) / n:.1%}) | {moved_wrong} |"
            )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--no-remap", action="store_true")
    ap.add_argument("--tag", default="")
    ap.add_argument("--results", default=str(ROOT / "bench" / "results"))
    ap.add_argument(
        "--witness",
        choices=("v4", "tesseract"),
        default="v4",
        help="the second recognizer: PP-OCRv4 mobile (default), or Tesseract chi_sim (LSTM; trained apart from the PP-OCR family)",
    )
    args = ap.parse_args()
    from ocr.ppocr import PpOcrEngine

    if args.witness == "tesseract":
        from ocr.tesseract import TesseractEngine

        witness: Any = TesseractEngine(lang="chi_sim", omp_thread_limit=1)
    else:
        witness = PpOcrEngine(model="v4", runtime="onnxruntime")
    engines = (witness, PpOcrEngine())
    settings = Settings.load(None)
    rows: list[dict[str, Any]] = []
    for label, scans, data in family_stores([Path(r) for r in args.roots]):
        rows += gather(label, scans, data, settings, not args.no_remap, engines)
        print(f"{label}: {Counter(r['store'] for r in rows)[label]} names", flush=True)
    md = "\n".join(
        [
            f"# Name signals: a witness recognizer and the name prior ({dt.date.today().isoformat()})",
            "",
            "`python bench/name_witness.py " + " ".join(sys.argv[1:]) + "`",
            "",
            f"Counts only, no values. Witness: {args.witness}.",
            "",
        ]
        + summarize(rows)
    )
    name = f"name-witness-{dt.date.today().isoformat()}" + (f"-{args.tag}" if args.tag else "")
    Path(args.results).mkdir(parents=True, exist_ok=True)
    (Path(args.results) / f"{name}.md").write_text(md + "\n", encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
