"""Do a 1-bit page's cells read better given grey edges before recognition? Measured, no product change.

    PYTHONPATH=. python bench/bilevel_edges.py ROOT... [--variants first,g05,g08,g10,area48,cubic2x]
                                                      [--pages bilevel|grey] [--out FILE.json]

Each ROOT holds family folders `<family>/scans` + `<family>/run-*/data` (bench/hold_reasons.py's layout).
Only the pages the cleanup found scanned in 1-bit (their `denoise` step `bilevel_specks`,
pipeline.page.cleanup.is_bilevel) are used (`--pages grey`: the others). For every field of a record
paired with a truth row whose cell has a box and ink, the cell's line crops are cut again from the stored
clean page on its stored grid as read_cells cuts them (pipeline.page.extract.line_crops, digit columns
widened by STRETCH), each crop made into each variant, read by the recognizer (first reading only, no
second crop, decoding or name search), the lines' texts joined and normalized as mapping normalizes the
field (mapping.record._plain_normalizer, traditional forms folded), and the value compared with the truth.

Variants (the property tested: PP-OCR's recognizer was trained on grey-level text lines whose strokes
have anti-aliased edges; a 1-bit crop has staircase edges and broken thin strokes):
  first    the crop as read_cells gives it
  g05/g08/g10  a Gaussian blur of sigma 0.5 / 0.8 / 1.0 px
  cubic2x  up-sampled 2x (cubic), back to its size with INTER_AREA
  area48   up-sampled 2x (linear), then to the recognizer's 48 px height with INTER_AREA
  area     a crop taller than 48 px (a 300 dpi page's) taken down to 48 px with INTER_AREA (area-averaged),
           not by the recognizer's bilinear resize; crops at most 48 px high left as they are

Printed: per store and field kind (names, IDs, dates, addresses, codes, other), cells, right on the first
crop, and per variant right, put right, made wrong. Counts only (no names, no IDs).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hold_reasons import family_stores  # noqa: E402
from name_witness import records_with_truth  # noqa: E402

import pipeline.quality.evaluate as E  # noqa: E402
from bench.bench_families import rebase_scan_paths  # noqa: E402
from mapping.record import _normalize_folded, _plain_normalizer  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Store  # noqa: E402
from pipeline.page.extract import STRETCH_FIELDS, cell_from_pieces, ledger_year, line_crops  # noqa: E402
from pipeline.page.layout import Grid  # noqa: E402

GROUPS = {
    "name": "names",
    "id_number": "IDs",
    "date": "dates",
    "address": "addresses",
    "division": "addresses",
    "code": "codes",
    "sex": "codes",
    "sea_area": "codes",
}


def variant(crop: np.ndarray, name: str) -> np.ndarray:
    if name == "first":
        return crop
    if name.startswith("g"):
        return cv2.GaussianBlur(crop, (0, 0), int(name[1:]) / 10.0)
    h, w = crop.shape[:2]
    if name == "cubic2x":
        up = cv2.resize(crop, (2 * w, 2 * h), interpolation=cv2.INTER_CUBIC)
        return cv2.resize(up, (w, h), interpolation=cv2.INTER_AREA)
    if name == "area":
        # a crop taller than the recognizer's 48 px (a 300 dpi page) taken down to it area-averaged, each
        # output pixel the mean of the 1-bit pixels it covers, instead of the recognizer's bilinear resize
        # (ocr.ppocr._norm), which samples two of them; a crop at most 48 px high is left as it is
        if h <= 48:
            return crop
        return cv2.resize(crop, (max(1, round(w * 48 / h)), 48), interpolation=cv2.INTER_AREA)
    if name == "area48":
        up = cv2.resize(crop, (2 * w, 2 * h), interpolation=cv2.INTER_LINEAR)
        return cv2.resize(up, (max(1, round(w * 48 / h)), 48), interpolation=cv2.INTER_AREA)
    raise ValueError(name)


def cell_lines(image: np.ndarray, grid: Grid, box: list[int], field: str) -> list[np.ndarray]:
    """The line crops of the grid cell holding a field's box, as read_cells cuts them (extract.line_crops;
    a digit field's columns widened, STRETCH_FIELDS)."""
    x0, y0, x1, y1 = box
    cy, cx = (y0 + y1) / 2, (x0 + x1) / 2
    ri = max(i for i in range(grid.n_rows) if grid.rows[i] <= cy)
    ci = max(i for i in range(grid.n_cols) if grid.cols[i] <= cx)
    got, _owners, _faint = line_crops(image, grid, [(ri, ci)], {ci} if field in STRETCH_FIELDS else frozenset())
    return got


def mark_right(cells: list[dict[str, Any]], reads: list[Any], name: str, specs: dict[str, Any], sp: Any) -> None:
    """Each cell's reading by variant `name` (its lines' `reads` joined as read_cells joins them, normalized as
    its field is) marked right or not against its truth, in cell["right"][name]."""
    for cell in cells:
        raw = cell_from_pieces([reads[i] for i in cell["lines"]], cell["box"], 0.3).text
        norm = _plain_normalizer(specs[cell["field"]], sp, cell["year"], None)
        value = _normalize_folded(norm, raw)[0].value if raw else None
        cell.setdefault("right", {})[name] = E.scored_value(value) == cell["truth"]


def tally(sel: list[dict[str, Any]], variants: list[str]) -> str:
    """A report row's counts: right as first read, then per other variant right / put right / made wrong."""
    k: Counter[str] = Counter()
    for c in sel:
        base = c["right"]["first"]
        k["first"] += base
        for v in variants[1:]:
            k[v] += c["right"][v]
            k[v + "+"] += c["right"][v] and not base
            k[v + "-"] += base and not c["right"][v]
    return f"{k['first']} | " + " | ".join(f"{k[v]} / +{k[v + '+']} / -{k[v + '-']}" for v in variants[1:])


def page_info(data: Path) -> dict[int, tuple[str, Any, bool, int | None]]:
    db = sqlite3.connect(data / "store.sqlite")
    out = {}
    for pid, sha, layout, steps, title in db.execute("select id, clean_image, layout, steps, title from pages"):
        st = json.loads(steps or "[]")
        bilevel = any(s.get("name") == "denoise" and s.get("settings", {}).get("method") == "bilevel_specks" for s in st)
        out[pid] = (sha, json.loads(layout) if layout else None, bilevel, ledger_year(title or ""))
    db.close()
    return out


def gather(
    label: str,
    scans: Path,
    data: Path,
    settings: Settings,
    engine: Any,
    variants: list[str],
    want_bilevel: bool,
    min_height: int = 0,
) -> list[dict[str, Any]]:
    s = settings.with_(data_dir=str(data))
    store = Store.open(s)
    rebase_scan_paths(store, scans)
    store.dispose()
    truths, rows = records_with_truth(scans, data, settings)
    sp = load_spec(settings.spec_version)
    specs = {f.name: f for kind in ("cremation", "sea_burial") for f in sp.kind(kind).fields}
    pages = page_info(data)
    cells: list[dict[str, Any]] = []
    crops: list[np.ndarray] = []
    image: tuple[str | None, Any] = (None, None)
    for r in sorted(rows, key=lambda r: r["page_id"]):
        if r["id"] not in truths or r["page_id"] not in pages:
            continue
        sha, layout, bilevel, year = pages[r["page_id"]]
        if bilevel != want_bilevel or not layout:
            continue
        if image[0] != sha:
            path = next((data / "images").rglob(f"{sha}*"))
            image = (sha, cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
        grid = Grid.from_dict(layout["grid"])
        for f, fv in r["fields"].items():
            spec = specs.get(f)
            if spec is None or spec.source in ("context", "derived") or f in E.NOT_SCORED or not (fv or {}).get("box"):
                continue
            got = cell_lines(image[1], grid, fv["box"], f)
            if not got or max(c.shape[0] for c in got) < min_height:
                continue
            cells.append(
                {
                    "store": label,
                    "field": f,
                    "group": GROUPS.get(spec.normalizer or "text", "other"),
                    "truth": E.scored_value(truths[r["id"]].get(f)),
                    "year": year,
                    "lines": list(range(len(crops), len(crops) + len(got))),
                    "box": list(fv["box"]),
                }
            )
            crops += got
    for name in variants:
        mark_right(cells, engine.recognize_crops([variant(c, name) for c in crops]), name, specs, sp)
    heights = [c.shape[0] for c in crops]
    print(
        f"{label}: {len(cells)} cells, {len(crops)} crops, crop height median {np.median(heights) if heights else 0:.0f} px",
        flush=True,
    )
    return cells


def report(cells: list[dict[str, Any]], variants: list[str]) -> list[str]:
    lines = []
    stores = sorted({c["store"].split("/")[0] for c in cells})
    groups = ["names", "IDs", "dates", "addresses", "codes", "other", "all"]
    for st in stores + ["all stores"]:
        lines.append(f"## {st}")
        lines.append(
            "| kind | cells | right first | " + " | ".join(f"{v} right / +put right / -made wrong" for v in variants[1:]) + " |"
        )
        lines.append("|---" * (3 + len(variants) - 1) + "|")
        for g in groups:
            sel = [c for c in cells if (st == "all stores" or c["store"].split("/")[0] == st) and (g == "all" or c["group"] == g)]
            if not sel:
                continue
            lines.append(f"| {g} | {len(sel)} | {tally(sel, variants)} |")
        lines.append("")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--variants", default="first,g05,g08,g10,cubic2x,area48")
    ap.add_argument("--pages", choices=("bilevel", "grey"), default="bilevel")
    ap.add_argument("--min-height", type=int, default=0, help="only cells with a line crop at least this many px high")
    ap.add_argument("--out", help="write the per-cell right/wrong (no text) here as JSON")
    args = ap.parse_args()
    variants = args.variants.split(",")
    if variants[0] != "first":
        variants = ["first"] + [v for v in variants if v != "first"]
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    settings = Settings.load(None)
    cells: list[dict[str, Any]] = []
    for label, scans, data in family_stores([Path(r) for r in args.roots]):
        cells += gather(label, scans, data, settings, engine, variants, args.pages == "bilevel", args.min_height)
    for c in cells:
        c.pop("truth", None)
    if args.out:
        Path(args.out).write_text(json.dumps(cells))
    print("\n".join(report(cells, variants)))


if __name__ == "__main__":
    main()
