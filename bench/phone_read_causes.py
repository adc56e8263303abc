"""Photographed names, addresses and phones read wrong, by a property of their crop (s47-phoneread, issue 21).

    PYTHONPATH=. python bench/phone_read_causes.py ROOT[,ROOT...] [--versus ROOT2[,...]] [--kinds name,address,phone]

Each ROOT holds `<family>/scans` (+ truth) and `<family>/run-*/data` (bench/photo_crops.pages_of: only pages whose
stored grid has the truth's columns and rows). Every written name / address / phone cell is cut as read_cells cuts
it (bench/photo_line_preps.production_crops: line_crops with the page's photo / enlarged, names lightened on an
enlarged photograph) and read once (first reading: no second crop, decoding or mapping). Each cell is put in
one outcome (exact; one edit off; far: similarity under 0.5 or nothing read, what the evaluation calls
`cell_illegible`; other) and profiled by what the brief's candidate causes would show on its crop:

- `height`: the line's glyph height as the engine trims it (ocr.base.trim_to_ink), px, at the resolution it is
  given (the frame's own on an enlarged photograph): PP-OCR scales it to 48 px;
- `tilt`: its residual tilt (bench/phone_cells.line_tilt, degrees);
- `bow`: the line's baseline bent inside the cell: the ink's centre row in four slices, the largest departure
  from their straight fit, as a share of the glyph height;
- `shade`: paper level difference between the crop's left and right quarters (p90, grey levels): a shadow's
  edge or uneven light across the line;
- `contrast`: paper p90 - ink p2 (grey levels);
- `edge`: ink (Otsu) on the crop's top or bottom row over a tenth of its width: a stroke cut by the band or the
  cell's ruling;
- `nocrop`: a written cell that gave no line at all (read as blank).

`--versus`: the same photographs at another capture (e.g. `stress_scans.py --mode phone --seed S --quality 98`,
the same frame with less JPEG loss): cells of the same page (same truth) and position compared, put right / made
wrong. Counts only are printed (no personal data). Never part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from phone_cells import line_tilt  # noqa: E402
from photo_crops import STRETCH_FIELDS, kind_of, pages_of, similarity  # noqa: E402

import pipeline.page.extract as X  # noqa: E402
from ocr.agreement import normalize_text  # noqa: E402
from ocr.base import trim_to_ink  # noqa: E402
from ocr.ppocr import PpOcrEngine  # noqa: E402


def bow(line: np.ndarray) -> float:
    """The largest departure of the ink's centre row in four vertical slices from their straight fit, as a share
    of the trimmed line's height (0 where there is too little ink)."""
    t, _b = trim_to_ink(line)
    if t.shape[0] < 6 or t.shape[1] < 24:
        return 0.0
    ink = cv2.threshold(t, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1].astype(np.float64)
    xs, ys = [], []
    for k in range(4):
        s = ink[:, k * t.shape[1] // 4 : (k + 1) * t.shape[1] // 4]
        m = s.sum()
        if m < 20 * 255:
            continue
        xs.append(k)
        ys.append(float((s.sum(axis=1) * np.arange(s.shape[0])).sum() / m))
    if len(xs) < 3:
        return 0.0
    fit = np.polyval(np.polyfit(xs, ys, 1), xs)
    return float(np.abs(np.asarray(ys) - fit).max() / t.shape[0])


def shade(line: np.ndarray) -> float:
    w = line.shape[1]
    if w < 16:
        return 0.0
    return abs(float(np.percentile(line[:, : w // 4], 90)) - float(np.percentile(line[:, -w // 4 :], 90)))


def edge_ink(line: np.ndarray) -> bool:
    if line.shape[0] < 6 or int(line.max()) - int(line.min()) < 40:
        return False
    ink = cv2.threshold(line, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1] > 0
    return bool(max(ink[0].mean(), ink[-1].mean()) > 0.1)


def outcome(got: str, truth: str) -> str:
    if got == truth:
        return "exact"
    s = similarity(got, truth)
    if not got or s < 0.5:
        return "far"
    if round((1 - s) * max(len(got), len(truth))) <= 1:
        return "one_off"
    return "other"


def cells_of(pages: list[dict[str, Any]], kinds: tuple[str, ...], engine: PpOcrEngine) -> dict[tuple, dict[str, Any]]:
    out: dict[tuple, dict[str, Any]] = {}
    for page in pages:
        gt = page["gt"]
        cols = gt["columns"]
        pkey = hashlib.sha1(json.dumps(gt, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]
        stretch = {c for c, f in enumerate(cols) if f in STRETCH_FIELDS}
        cells = [
            (r, c)
            for r in range(1, len(gt["rows"]) + 1)
            for c in range(min(page["grid"].n_cols, len(cols)))
            if kind_of(cols[c], r) in kinds and normalize_text(gt["rows"][r - 1]["cells"][c] or "")
        ]
        crops, owners, _faint = X.line_crops(page["gray"], page["grid"], cells, stretch, page["photo"], page["upsample"])
        if page["photo"] and page["upsample"] > 1.0:
            crops = [X.lighten_midtones(cr) if kind_of(cols[c], r) == "name" else cr for cr, (r, c) in zip(crops, owners)]
        pieces = engine.recognize_crops(crops) if crops else []
        got: dict[tuple[int, int], str] = defaultdict(str)
        first: dict[tuple[int, int], np.ndarray] = {}
        for o, cr, p in zip(owners, crops, pieces):
            got[o] += p.text
            first.setdefault(o, cr)
        for r, c in cells:
            truth = normalize_text(gt["rows"][r - 1]["cells"][c] or "")
            g = normalize_text(got.get((r, c), ""))
            cr = first.get((r, c))
            prof: dict[str, Any] = {"kind": kind_of(cols[c], r), "family": page["family"], "out": outcome(g, truth)}
            if cr is None:
                prof["nocrop"] = True
            else:
                t, _b = trim_to_ink(cr)
                prof |= {
                    "height": t.shape[0],
                    "tilt": abs(line_tilt(cr)),
                    "bow": bow(cr),
                    "shade": shade(cr),
                    "contrast": float(np.percentile(cr, 90) - np.percentile(cr, 2)),
                    "edge": edge_ink(cr),
                    "lines": sum(1 for o in owners if o == (r, c)),
                }
            out[(page["family"], pkey, r, c)] = prof
    return out


BINS = {
    "height": (0, 12, 16, 20, 25, 32, 999),
    "tilt": (0, 0.5, 1.0, 2.0, 99),
    "bow": (0, 0.05, 0.1, 0.2, 9),
    "shade": (0, 10, 20, 40, 255),
    "contrast": (0, 60, 100, 140, 255),
}


def table(cells: dict[tuple, dict[str, Any]], kinds: tuple[str, ...]) -> None:
    outs = ("exact", "one_off", "other", "far")
    for k in kinds:
        sel = [p for p in cells.values() if p["kind"] == k]
        if not sel:
            continue
        n = Counter(p["out"] for p in sel)
        print(f"\n## {k}: {len(sel)} written cells; " + ", ".join(f"{o} {n[o]}" for o in outs))
        print(f"  no crop (written, read as blank): {sum(1 for p in sel if p.get('nocrop'))}")
        e = [p for p in sel if p.get("edge")]
        print(f"  ink on the crop's top/bottom row: {len(e)} ({sum(p['out'] == 'exact' for p in e)} exact)")
        print(f"  more than one line cut: {sum(1 for p in sel if p.get('lines', 1) > 1)}")
        for prop, edges in BINS.items():
            row = []
            for lo, hi in zip(edges, edges[1:]):
                b = [p for p in sel if prop in p and lo <= p[prop] < hi]
                if b:
                    c = Counter(p["out"] for p in b)
                    row.append(f"[{lo},{hi}) {len(b)}: ex {c['exact']} far {c['far']}")
            print(f"  {prop}: " + " | ".join(row))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("roots")
    ap.add_argument("--versus", default="")
    ap.add_argument("--kinds", default="name,address,phone")
    a = ap.parse_args()
    kinds = tuple(a.kinds.split(","))
    engine = PpOcrEngine()
    pages = pages_of([Path(r) for r in a.roots.split(",")], None)
    print("pages", len(pages), "families", dict(Counter(p["family"] for p in pages)))
    base = cells_of(pages, kinds, engine)
    table(base, kinds)
    if a.versus:
        other_pages = pages_of([Path(r) for r in a.versus.split(",")], None)
        other = cells_of(other_pages, kinds, engine)
        common = [k for k in base if k in other]
        print(f"\n## versus {a.versus}: {len(other_pages)} pages, {len(common)} cells in common")
        for k in kinds:
            ks = [c for c in common if base[c]["kind"] == k]
            b = sum(base[c]["out"] == "exact" for c in ks)
            o = sum(other[c]["out"] == "exact" for c in ks)
            up = sum(other[c]["out"] == "exact" and base[c]["out"] != "exact" for c in ks)
            dn = sum(other[c]["out"] != "exact" and base[c]["out"] == "exact" for c in ks)
            fb = sum(base[c]["out"] == "far" for c in ks)
            fo = sum(other[c]["out"] == "far" for c in ks)
            print(f"  {k}: exact {b} -> {o} / {len(ks)} (+{up} -{dn}); far {fb} -> {fo}")


if __name__ == "__main__":
    main()
