"""Where photo accuracy goes: the crops the recognizer read for wrong name and address fields, classed.

    python bench/photo_cells.py --out /tmp/cells FAMILY_DIR [FAMILY_DIR ...]
    python bench/photo_cells.py --out /tmp/cells --fields deceased_name FAMILY_DIR

Each family dir is what bench_families.py keeps (scans/ with the truth beside them, run-*/data the
store). Read-only: the store's records are compared as stored (no re-mapping, no OCR), so a lead's store
can be read in place. For every wrong field of the given columns (names and the address by default) it
writes, under --out/<family>/, the cell with 40 px of its neighbours around it on the stored clean page
(its box drawn), each text line as pipeline.page.layout.text_line_bands cuts it for the recognizer, and
one line of index.jsonl with the truth, the value and the raw reading beside the file names: personal
data, kept on disk for a person to look at, never printed.

Each wrong field gets a first-pass class from what its crop shows (to be checked by eye on a sample:
the classes are indicators, not proof):

- `read right, mapping chose another`: the raw reading equals the truth;
- `seal/stamp over cell`: the field is flagged as under a seal or stamp;
- `two lines read as one band`: a long truth (12+ characters) read to under 0.7 of its length from one
  band taller than two lines of text (55 px);
- `line split into pieces`: a one-line value (a name) cut into more than one band;
- `shadow (dark paper)`: the cell's paper (its median) darker than 170;
- `ink at crop edge`: stroke ink (specks out, pipeline.page.layout.stroke_ink) on the crop's outer two
  pixels: clipped by a misplaced boundary, a neighbour's text, a stamp's edge, or text written up to the
  ruling;
- `faint / low contrast`: paper minus the darkest 2 % of the cell under 100 grey levels;
- `blur or confusion`: whole text of fair contrast read wrong.

Also printed: the share of name and address cells read right by the height of their text line (px, no
padding), by the cell's contrast and by its paper's grain (pipeline.page.layout.paper_noise, grey levels),
for every scored cell, to tell low resolution from faint, grainy or blurred ink. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.page.layout import INK_CONTRAST, cell_inner, paper_noise, stroke_ink, text_line_bands  # noqa: E402

FIELDS = ("household_address", "deceased_name", "registrant_name", "agent_name")
CONTEXT = 40
HEIGHTS = (0, 16, 20, 24, 28, 32, 999)
CONTRASTS = (0, 60, 90, 120, 150, 999)
GRAIN = (0, 6, 12, 18, 999)


def scored_cells(family: Path, fields: tuple[str, ...]) -> Iterator[tuple[str, str, int, dict[str, Any], Any, np.ndarray]]:
    """(page key, field, row, stored field, truth value, clean page) of every cell of `fields` with a
    truth value and a stored box, page by page."""
    run = sorted(family.glob("run-*"))[0] / "data"
    db = sqlite3.connect(f"file:{run / 'store.sqlite'}?mode=ro", uri=True)
    files = dict(db.execute("select id, abs_path from source_files"))
    for pid, fid, pno, img in db.execute("select id, file_id, page_no, clean_image from pages where status = 'done'"):
        scan = Path(files[fid])
        gt = scan.with_name(scan.stem + ".gt.json")
        if not gt.is_file() or not img:
            continue
        gpage = next((p for p in json.loads(gt.read_text(encoding="utf-8"))["pages"] if p["page"] == pno), None)
        if gpage is None:
            continue
        key = f"{scan.parent.name[:18]}-{scan.stem[-3:]}" if scan.stem.startswith("page") else scan.stem[:24]
        key = f"{key}_p{pno}"
        gray = None
        recs = {r: json.loads(f) for r, f in db.execute("select row_no, fields from records where page_id = ?", (pid,))}
        for grow in gpage["rows"]:
            if grow.get("struck") or grow["row"] not in recs:
                continue
            for name in fields:
                truth, fv = grow["record"].get(name), recs[grow["row"]].get(name) or {}
                if not truth or not fv.get("box"):
                    continue
                if gray is None:
                    gray = cv2.imread(str(run / "images" / img[:2] / (img + ".png")), cv2.IMREAD_GRAYSCALE)
                    assert gray is not None, "a stored clean page is missing"
                yield key, name, grow["row"], fv, truth, gray


def _plain(text: Any) -> str:
    return "".join(str(text or "").split())


def classify(fv: dict[str, Any], truth: Any, inner: np.ndarray, bands: list[tuple[int, int]], field: str) -> str:
    """The first-pass class of a wrong field (module docstring), from its stored field and its crop."""
    med = float(np.median(inner))
    ink = stroke_ink((inner.astype(np.int16) < med - INK_CONTRAST).astype(np.uint8))
    edge = int(ink[:2].sum() + ink[-2:].sum() + ink[:, :2].sum() + ink[:, -2:].sum())
    contrast = med - float(np.percentile(inner, 2))
    raw, t = _plain(fv.get("raw")), _plain(truth)
    tallest = max((b1 - b0 for b0, b1 in bands), default=0)
    if raw == t:
        return "read right, mapping chose another"
    if any("seal" in f or "stamp" in f for f in fv.get("flags") or []):
        return "seal/stamp over cell"
    if len(bands) == 1 and len(t) >= 12 and len(raw) < 0.7 * len(t) and tallest > 55:
        return "two lines read as one band"
    if len(bands) > 1 and field != "household_address":
        return "line split into pieces"
    if med < 170:
        return "shadow (dark paper)"
    if edge > 12:
        return "ink at crop edge"
    if contrast < 100:
        return "faint / low contrast"
    return "blur or confusion"


def _bucket(edges: tuple[int, ...], v: float) -> str:
    lo = max(e for e in edges if e <= v)
    return f"[{lo},{edges[edges.index(lo) + 1]})"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("families", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--fields", default=",".join(FIELDS))
    a = ap.parse_args(argv)
    fields = tuple(a.fields.split(","))
    total: Counter[str] = Counter()
    for family in a.families:
        out = a.out / f"{family.parent.name}-{family.name}"
        out.mkdir(parents=True, exist_ok=True)
        classes: Counter[str] = Counter()
        by_height: dict[str, list[int]] = {}
        by_contrast: dict[str, list[int]] = {}
        by_grain: dict[str, list[int]] = {}
        with open(out / "index.jsonl", "w", encoding="utf-8") as index:
            for key, name, row, fv, truth, gray in scored_cells(family, fields):
                inner = cell_inner(gray, tuple(fv["box"]))
                right = _plain(truth) == _plain(fv.get("value"))
                core = text_line_bands(inner, pad=0)
                if core:
                    h = max(b1 - b0 for b0, b1 in core)
                    c = float(np.median(inner)) - float(np.percentile(inner, 2))
                    by_height.setdefault(_bucket(HEIGHTS, h), [0, 0])[int(right)] += 1
                    by_contrast.setdefault(_bucket(CONTRASTS, c), [0, 0])[int(right)] += 1
                    by_grain.setdefault(_bucket(GRAIN, paper_noise(inner)), [0, 0])[int(right)] += 1
                if right:
                    continue
                bands = text_line_bands(inner)
                cls = classify(fv, truth, inner, bands, name)
                classes[cls] += 1
                stem = f"{key}_r{row}_{name}"
                x0, y0, x1, y1 = fv["box"]
                ox, oy = min(CONTEXT, x0), min(CONTEXT, y0)
                ctx = gray[y0 - oy : y1 + CONTEXT, x0 - ox : x1 + CONTEXT].copy()
                cv2.rectangle(ctx, (ox, oy), (ox + x1 - x0, oy + y1 - y0), 0, 1)
                cv2.imwrite(str(out / f"{stem}_ctx.png"), ctx)
                for i, (b0, b1) in enumerate(bands):
                    cv2.imwrite(str(out / f"{stem}_line{i}.png"), inner[b0:b1])
                line = dict(file=stem, field=name, cls=cls, truth=truth, value=fv.get("value"), raw=fv.get("raw"))
                line.update(confidence=fv.get("confidence"), box=fv["box"], bands=bands, flags=fv.get("flags"))
                index.write(json.dumps(line, ensure_ascii=False) + "\n")
        total.update(classes)
        print(f"{family.parent.name}/{family.name}: {sum(classes.values())} wrong fields of {', '.join(fields)}")
        for cls, n in classes.most_common():
            print(f"  {n:5d}  {cls}")
        for label, table in (("text height px", by_height), ("contrast", by_contrast), ("paper grain", by_grain)):
            cells = " | ".join(
                f"{k} n={w + r} right={r / (w + r):.2f}"
                for k, (w, r) in sorted(table.items(), key=lambda kv: int(kv[0][1:].split(",")[0]))
            )
            print(f"  by {label}: {cells}")
    print(f"all: {sum(total.values())} wrong fields: " + ", ".join(f"{cls} {n}" for cls, n in total.most_common()))
    print(f"crops and index.jsonl (personal data: look, do not share) under {a.out}")


if __name__ == "__main__":
    main()
