"""Issue 21 analysis (session 34): a grey scan's name line read both as cut and deblurred — can a rule choose
per line between the readings, doubt the cell where they disagree, or set the deblurring's width from the
line's measured blur? No product change. Counts only on stdout (texts stay in the JSON under the caller's
data folder, never printed).

    PYTHONPATH=. python bench/name_pair_reads.py OUT.json FAMILY_DIR... [--sigmas 0.7,1.0,1.4]   # reads, writes OUT
    PYTHONPATH=. python bench/name_pair_reads.py OUT.json --report                              # the tables
    PYTHONPATH=. python bench/name_pair_reads.py OUT.json FAMILY_DIR... --ids                   # ID cells instead

Each FAMILY_DIR is what bench_families.py keeps (read as stored, not remapped). For every one-line name cell of a
record paired with a truth row (bench/carbon_names.cases) the line is cut again from the stored clean page
(bench/bilevel_edges.cell_lines, as read_cells cuts it), read as cut and after Richardson-Lucy deblurring
at each sigma (5 rounds, the method of pipeline.page.extract.deblur_name_line; rl1.0 is what main reads),
each reading with its confidence (per-character minimum); two blur measures of the line as cut:
`edge` (stroke_blur: the Gaussian spread implied by the ink contrast over the steepest slope) and
`spread` (mid_tones: pixels at 25-75 % of the ink contrast per pixel above 75 %: carbon spreads a stroke
into half-tones). `--report`: first readings right per rule (each preparation, the most confident of
several), the disagreement of cut and rl1.0 against the stored value's auto-acceptance (would a hold on
disagreement catch the wrong auto-accepted names?), and first readings right per blur quintile.
`--ids`: the same reads of ID cells, counting exact and GB 11643-valid readings per preparation and the
wrong stored IDs some preparation reads valid.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import carbon_names  # noqa: E402
from carbon_preps import load_lines, richardson_lucy  # noqa: E402

from ocr.base import trim_to_ink  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.safety import private_file  # noqa: E402

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643_valid(s: str) -> bool:
    """GB 11643-1999: 17 digits and the ISO 7064 MOD 11-2 check character."""
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return False
    return "10X98765432"[sum(int(a) * w for a, w in zip(s, _WEIGHTS)) % 11] == s[17]


def stroke_blur(line: np.ndarray) -> float | None:
    """px: a step of contrast C blurred by a Gaussian of sigma s has its steepest slope C / (s sqrt(2 pi))."""
    ink = 255.0 - line.astype(np.float32)
    if ink.size < 50:
        return None
    g = np.hypot(cv2.Sobel(ink, cv2.CV_32F, 1, 0, ksize=3) / 8, cv2.Sobel(ink, cv2.CV_32F, 0, 1, ksize=3) / 8)
    contrast = float(np.percentile(ink, 99) - np.median(ink))
    slope = float(np.percentile(g, 99.5))
    return None if contrast < 20 or slope <= 0 else contrast / (slope * 2.5066)


def mid_tones(line: np.ndarray) -> float | None:
    """Pixels at 25-75 % of the line's ink contrast per pixel above 75 % (on the line trimmed to its ink)."""
    ink = 255.0 - trim_to_ink(line)[0].astype(np.float32)
    paper = float(np.median(ink))
    contrast = float(np.percentile(ink, 99)) - paper
    if contrast < 20:
        return None
    t = (ink - paper) / contrast
    return float(((t > 0.25) & (t < 0.75)).sum() / max(int((t >= 0.75).sum()), 1))


def read(out: Path, dirs: list[Path], sigmas: list[float], ids: bool) -> None:
    from ocr.ppocr import PpOcrEngine

    if ids:
        carbon_names.FIELDS = ("id_number",)
    want = ("id_number",) if ids else carbon_names.NAMES
    settings = Settings.load(None)
    eng = PpOcrEngine()
    rows = []
    for d in dirs:
        cs = [c for c in carbon_names.cases(d, settings, False) if c["field"] in want and c["box"]]
        load_lines(d, cs, settings)
        cs = [c for c in cs if len(c["lines"]) == 1]
        label = d.parent.parent.name
        crops = {"cut": [c["lines"][0] for c in cs]}
        for s in sigmas:
            crops[f"rl{s}"] = [richardson_lucy(x, s, 5) for x in crops["cut"]]
        reads = {k: eng.recognize_crops(v) for k, v in crops.items()}
        for i, c in enumerate(cs):
            row: dict[str, Any] = {k: c[k] for k in ("page", "row", "field", "truth", "value", "auto")}
            row["set"] = label
            row["edge"] = stroke_blur(crops["cut"][i])
            row["spread"] = mid_tones(crops["cut"][i])
            for k, ps in reads.items():
                row[k] = ["".join(ps[i].text.split()), ps[i].confidence]
            rows.append(row)
        got = [r for r in rows if r["set"] == label]
        if ids:
            print(label, len(got), "value right", sum(r["value"] == r["truth"] for r in got), end=" ")
            for k in reads:
                exact = sum(r[k][0] == r["truth"] for r in got)
                valid = sum(gb11643_valid(r[k][0]) for r in got)
                print(f"| {k} exact {exact} valid {valid}", end=" ")
            reach = sum(r["value"] != r["truth"] and any(gb11643_valid(r[k][0]) for k in reads) for r in got)
            print(f"| wrong values a preparation reads valid: {reach}", flush=True)
        else:
            print(label, len(got), {k: sum(r[k][0] == r["truth"] for r in got) for k in reads}, flush=True)
    with private_file(out, encoding="utf-8") as f:  # names, IDs and their truth: owner-only (0600)
        f.write(json.dumps(rows, ensure_ascii=False))


def report(rows: list[dict[str, Any]]) -> None:
    def ok(r: dict[str, Any], k: str) -> bool:
        return bool(r[k][0] == r["truth"])

    def best(r: dict[str, Any], ks: list[str]) -> str:
        return max(ks, key=lambda k: r[k][1])

    preps = [k for k in rows[0] if k == "cut" or k.startswith("rl")]
    print("== first readings right (one-line names)")
    for s in sorted({r["set"] for r in rows}) + ["all"]:
        sel = [r for r in rows if s == "all" or r["set"] == s]
        line = {k: sum(ok(r, k) for r in sel) for k in preps}
        line["most confident of cut, rl1.0"] = sum(ok(r, best(r, ["cut", "rl1.0"])) for r in sel)
        line["most confident of all"] = sum(ok(r, best(r, preps)) for r in sel)
        line["any right"] = sum(any(ok(r, k) for k in preps) for r in sel)
        dis = [r for r in sel if r["cut"][0] != r["rl1.0"][0]]
        line["disagree: n / cut right / rl1.0 right"] = (
            len(dis),
            sum(ok(r, "cut") for r in dis),
            sum(ok(r, "rl1.0") for r in dis),
        )
        print(f"  {s} ({len(sel)}): {line}")
    print("== auto-accepted names (stored value): held by a doubt on disagreement with the stored value")
    auto = [r for r in rows if r["auto"]]
    wrong = [r for r in auto if r["value"] != r["truth"]]
    right = [r for r in auto if r["value"] == r["truth"]]
    for ks in (["cut"], ["rl0.7"], ["rl1.4"], preps):
        ks = [k for k in ks if k in preps]
        held_w = sum(any(r[k][0] != r["value"] for k in ks) for r in wrong)
        held_r = sum(any(r[k][0] != r["value"] for k in ks) for r in right)
        print(f"  {'+'.join(ks)}: wrong {held_w}/{len(wrong)}, right {held_r}/{len(right)}")
    for m in ("edge", "spread"):
        sel = [r for r in rows if r[m] is not None]
        qs = np.percentile([r[m] for r in sel], [0, 20, 40, 60, 80, 100])
        print(
            f"== first readings right by {m} quintile; median by set:",
            {s: round(float(np.median([r[m] for r in sel if r["set"] == s])), 2) for s in sorted({r["set"] for r in sel})},
        )
        for lo, hi in zip(qs[:-1], qs[1:]):
            b = [r for r in sel if lo <= r[m] <= hi]
            print(
                f"  {lo:.2f}-{hi:.2f} ({len(b)}):",
                {k: sum(ok(r, k) for r in b) for k in preps},
                dict(Counter(r["set"] for r in b).most_common(2)),
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("dirs", nargs="*")
    ap.add_argument("--sigmas", default="0.7,1.0,1.4")
    ap.add_argument("--report", action="store_true")
    ap.add_argument("--ids", action="store_true")
    args = ap.parse_args()
    if args.dirs:
        read(Path(args.out), [Path(x) for x in args.dirs], [float(s) for s in args.sigmas.split(",")], args.ids)
    if args.report:
        report(json.loads(Path(args.out).read_text()))


if __name__ == "__main__":
    main()
