"""Do a faint page's name, address and number cells read better with their crop's levels or strokes
prepared otherwise before recognition? Measured, no product change.

    PYTHONPATH=. python bench/faded_crops.py ROOT... [--variants first,stretch,gamma2,flat,min2,min3,stmin2] [--groups names]
                                            [--pages-per-store N] [--families county_editions] [--below 120] [--out FILE.json] [--dump DIR --dump-n N]

Each ROOT holds family folders `<family>/scans` + `<family>/run-*/data` (bench/hold_reasons.py's layout);
the store is written to (its scan paths rebased): use a copy. For every name, address and number field
(spec normalizers name / address / id_number / phone / cert_no / count, and the text fields registration_no,
voyage_no, cremation_no) of a record paired with a truth row whose cell has a box, the cell's line crops
are cut again from the stored clean page on its stored grid as read_cells cuts them
(pipeline.page.extract.line_crops, digit columns widened by STRETCH), each crop made into each variant,
read by the recognizer (first reading only: no second crop, decoding or name search), the lines' texts
joined and normalized as mapping normalizes the field (mapping.record._plain_normalizer, traditional forms
folded), and the value compared with the truth (bench/bilevel_edges.py's method).

Each cell's ink contrast is measured on its crops as it is cut: the paper's level (the crop's median) minus
its darkest 1 %, the lowest over its lines (a faint cell has a low one); the report splits cells by it
(--bins), so that a variant can be judged where it would be gated.

Variants (the property tested: PP-OCR's recognizer was trained on text lines of dark, full-contrast strokes
on light paper; a faded carbon copy gives grey, thin, broken strokes on a toned or smudged ground):
  first    the crop as read_cells gives it
  stretch  contrast stretched to the ink's own range: darkest 1 % to black, the paper (median) to white
  mstretch a 3x3 median filter first (the paper's specks a full stretch turns to ink), then stretch
  half     the paper to white and the ink's contrast at most doubled (a gentler stretch)
  gamma2   levels divided by the paper's (paper white), then gamma 2 (grey strokes darker, paper kept)
  flat     background flattened: divided by its grey closing (a kernel of the crop's height), paper white
  min2 / min3  strokes thickened by a grey minimum filter of 2x2 / 3x3 px (hairline carbon strokes)
  stmin2   stretch, then min2
  thin<K>  strokes wider than K px (stroke_width, measured on the crop) thinned back to K by a grey maximum
           filter (a carbon copy's pressure spread undone; bench/stress_scans.py --mode carbon)
  stthin<K> stretch, then thin<K>;  max2 / max3  a 2x2 / 3x3 grey maximum filter whatever the width
  usm<S>x<A>  unsharp mask: the crop plus A/10 x its difference from its Gaussian blur of S/10 px (soft edges)
  nlm      the paper's grain taken out by layout.denoise_grain's non-local means (h = GRAIN_DENOISE x the
           crop's paper_noise, at least 1), whatever the noise
  grainy   the preparation tried end to end in session 30 (clear_grainy_name_line: nlm then usm10x10, only
           on a crop whose paper_noise is at least GRAINY_PAPER)
  area<P>  shrunk by area averaging to P % (grain averaged; the recognizer scales to 48 px anyway)
  pst<P>   stretched between the P-th and the 90th percentile
  pad<P>   trimmed to its ink with a margin of P % of the ink's height (the engine's trim_to_ink: 25)
  a+b      variant a, then b on it (nlm+usm10x10)
  ens:a/b  read greedily from the recognizer's per-frame probabilities averaged (geometric mean) over the
           variants a, b, ... (test-time averaging of views; one input width)
  deepen   the gate tried as a product change (deepen_faint_line, not adopted): a name cell's line on a page
           not processed as a photograph, under FAINT_LINE_CONTRAST levels, its ink's depth doubled (= half there)

Every variant is trimmed to its ink here as the engine trims a crop (ocr.base.trim_to_ink, once; the engine's
own trim off), so `first` is exactly the production reading. `--groups names,addresses`: only those kinds.

Printed: per store and field kind (names, addresses, numbers) and contrast bin, cells, right on the first
crop, and per variant right, put right, made wrong. Counts only (no names, no IDs, no phones).
`--dump DIR`: also writes the first --dump-n name cells' crops of the lowest contrast bin, as cut and
in each variant, as PNG (for looking at; synthetic ledgers only).
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

from bilevel_edges import cell_lines, mark_right, page_info, tally  # noqa: E402
from hold_reasons import family_stores  # noqa: E402
from name_witness import records_with_truth  # noqa: E402

import pipeline.quality.evaluate as E  # noqa: E402
from bench.bench_families import rebase_scan_paths  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from ocr.base import trim_to_ink  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Store  # noqa: E402
from pipeline.page.layout import GRAIN_DENOISE, GRAIN_SEARCH, GRAINY_PAPER, Grid, paper_noise  # noqa: E402
from pipeline.page.routing import processed_as_photograph  # noqa: E402

GROUPS = {
    "name": "names",
    "address": "addresses",
    "id_number": "numbers",
    "phone": "numbers",
    "cert_no": "numbers",
    "count": "numbers",
}
NUMBER_TEXT_FIELDS = {"registration_no", "voyage_no", "cremation_no"}


def crop_contrast(crop: np.ndarray) -> float:
    """The paper's level (median) minus the darkest 1 % of a text line's crop."""
    return float(np.median(crop)) - float(np.percentile(crop, 1))


FAINT_LINE_CONTRAST = 120
"""The gate tried (variant deepen, not adopted): a line whose darkest 1 % lies fewer levels than this under
its paper is faint (the cleanup stretches a page's darkest ink to black; well-inked lines measure 160+)."""


def deepen_faint_line(line: np.ndarray) -> np.ndarray:
    """A faint line (under FAINT_LINE_CONTRAST) with its paper white and its ink's depth doubled; any other
    as it is. The product change measured end to end and not adopted
    (bench/results/faded-crops-2026-12-05-s27.md)."""
    paper = float(np.median(line))
    if paper - float(np.percentile(line, 1)) >= FAINT_LINE_CONTRAST:
        return line
    return np.clip(255.0 - (paper - line.astype(np.float32)) * 2.0, 0, 255).astype(np.uint8)


def stroke_width(crop: np.ndarray) -> float:
    """A line crop's stroke width in px: its ink (Otsu) is strokes of width w and total length L, so its area
    is w L and a 3x3 erosion takes about 2 L off it (a pixel from each side): w = 2 area / (area - eroded).
    0 where there is no ink."""
    _t, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    area = int(ink.sum())
    lost = area - int(cv2.erode(ink, np.ones((3, 3), np.uint8)).sum())
    return 2.0 * area / lost if lost > 0 else 0.0


def thinned_to(crop: np.ndarray, target: float) -> np.ndarray:
    """A crop whose strokes are wider than `target` px (stroke_width) eroded back towards it: a grey maximum
    filter (ink loses a pixel on each side per step, a 2x2 one a pixel in all) of (w - target) px in all,
    rounded; strokes at or under it untouched. A carbon copy's strokes are the pen's track widened by
    the pressure spread through the carbon (bench/stress_scans.py --mode carbon); the recognizer
    learned a pen's width."""
    extra = round(stroke_width(crop) - target)
    if extra < 1:
        return crop
    out = crop
    if extra % 2:
        out = cv2.dilate(out, np.ones((2, 2), np.uint8))
    if extra >= 2:
        out = cv2.dilate(out, np.ones((3, 3), np.uint8), iterations=extra // 2)
    return out


def _stretch(crop: np.ndarray) -> np.ndarray:
    lo, paper = float(np.percentile(crop, 1)), float(np.median(crop))
    if paper - lo < 5:
        return crop
    return np.clip((crop.astype(np.float32) - lo) * 255.0 / (paper - lo), 0, 255).astype(np.uint8)


def variant(crop: np.ndarray, name: str) -> np.ndarray:
    if name == "first":
        return crop
    if "+" in name:
        for part in name.split("+"):
            crop = variant(crop, part)
        return crop
    if name == "stretch":
        return _stretch(crop)
    if name == "mstretch":
        return _stretch(cv2.medianBlur(crop, 3))
    if name == "half":
        lo, paper = float(np.percentile(crop, 1)), float(np.median(crop))
        gain = min(2.0, 255.0 / max(1.0, paper - lo))
        return np.clip(255.0 - (paper - crop.astype(np.float32)) * gain, 0, 255).astype(np.uint8)
    if name.startswith("gamma"):
        paper = max(1.0, float(np.median(crop)))
        x = np.clip(crop.astype(np.float32) / paper, 0, 1)
        return (255.0 * x ** float(name[5:])).astype(np.uint8)
    if name == "flat":
        k = max(3, crop.shape[0] | 1)
        bg = cv2.morphologyEx(crop, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        return np.clip(crop.astype(np.float32) * 255.0 / np.maximum(bg.astype(np.float32), 1.0), 0, 255).astype(np.uint8)
    if name.startswith("thin"):  # thin<K>: strokes wider than K px (stroke_width) thinned to it
        return thinned_to(crop, float(name[4:]))
    if name.startswith("stthin"):
        return thinned_to(_stretch(crop), float(name[6:]))
    if name.startswith("max"):  # strokes thinned by a k x k grey maximum filter, whatever their width
        k = int(name[3:])
        return cv2.dilate(crop, np.ones((k, k), np.uint8))
    if name.startswith("min"):
        k = int(name[3:])
        return cv2.erode(crop, np.ones((k, k), np.uint8))
    if name.startswith("stmin"):
        k = int(name[5:])
        return cv2.erode(_stretch(crop), np.ones((k, k), np.uint8))
    if name.startswith("usm"):  # usm<sigma*10>x<amount*10>: unsharp mask (a carbon's soft stroke edges sharpened)
        sg, am = (float(v) / 10 for v in name[3:].split("x"))
        blur = cv2.GaussianBlur(crop.astype(np.float32), (0, 0), sg)
        return np.clip(crop.astype(np.float32) + am * (crop.astype(np.float32) - blur), 0, 255).astype(np.uint8)
    if name == "grainy":  # the preparation tried end to end (clear_grainy_name_line: gated nlm+usm10x10)
        return clear_grainy_name_line(crop)
    if name == "nlm":  # the grain of the paper taken out whatever its level (layout.denoise_grain's filter)
        sigma = max(1.0, paper_noise(crop))
        return cv2.fastNlMeansDenoising(
            np.ascontiguousarray(crop), None, h=GRAIN_DENOISE * sigma, templateWindowSize=5, searchWindowSize=GRAIN_SEARCH
        )
    if name.startswith("area"):  # area<pct>: shrunk by area averaging to pct % (grain averaged away)
        f = float(name[4:]) / 100
        return cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    if name.startswith("pst"):  # pst<lo>: stretch between the lo-th and the 90th percentile (paper white)
        lo, hi = float(np.percentile(crop, float(name[3:]))), float(np.percentile(crop, 90))
        if hi - lo < 5:
            return crop
        return np.clip((crop.astype(np.float32) - lo) * 255.0 / (hi - lo), 0, 255).astype(np.uint8)
    if name.startswith("pad"):  # pad<pct>: trimmed to its ink with this margin (of the ink's height) instead of 25 %
        return trim_to_ink(crop, float(name[3:]) / 100)[0]
    raise ValueError(name)


def clear_grainy_name_line(line: np.ndarray) -> np.ndarray:
    """The preparation tried end to end as a product change in session 30 and not adopted
    (bench/results/s30-fadedread-2026-12-05.md; the diffs under /work/data/s30-fadedread/res): a scanned
    name line on grainy paper (its own paper_noise at least layout.GRAINY_PAPER) with the grain taken out
    (layout.denoise_grain's non-local means, h = GRAIN_DENOISE x its noise) and its strokes' edges sharpened
    (unsharp mask: the line plus 1.0 x its difference from its 1-px Gaussian blur); any other line as it is.
    The property: PP-OCR's recognizer was trained on sharp strokes on quiet paper; a carbon copy is
    soft-edged strokes on grainy grey paper (its ink is not faint: nearly all its name lines lie 140+
    levels under their paper)."""
    if line.size == 0 or min(line.shape[:2]) < 3:
        return line
    sigma = paper_noise(line)
    if sigma < GRAINY_PAPER:
        return line
    clean = cv2.fastNlMeansDenoising(
        np.ascontiguousarray(line), None, h=GRAIN_DENOISE * sigma, templateWindowSize=5, searchWindowSize=GRAIN_SEARCH
    ).astype(np.float32)
    blur = cv2.GaussianBlur(clean, (0, 0), 1.0)
    return np.clip(clean + (clean - blur), 0, 255).astype(np.uint8)


def photo_info(data: Path) -> dict[int, bool]:
    """Per page id: processed as a photograph (routing.processed_as_photograph), as read_cells is told."""
    db = sqlite3.connect(data / "store.sqlite")
    out = {pid: processed_as_photograph(json.loads(steps or "[]")) for pid, steps in db.execute("select id, steps from pages")}
    db.close()
    return out


def field_group(field: str, normalizer: str | None) -> str | None:
    if field in NUMBER_TEXT_FIELDS:
        return "numbers"
    return GROUPS.get(normalizer or "text")


def gather(
    label: str, scans: Path, data: Path, settings: Settings, pages_per_store: int | None, below: float | None = None
) -> tuple[list[dict[str, Any]], list[np.ndarray]]:
    s = settings.with_(data_dir=str(data))
    store = Store.open(s)
    rebase_scan_paths(store, scans)
    store.dispose()
    truths, rows = records_with_truth(scans, data, settings)
    sp = load_spec(settings.spec_version)
    specs = {f.name: f for kind in ("cremation", "sea_burial") for f in sp.kind(kind).fields}
    pages = page_info(data)
    photo_pages = photo_info(data)
    keep_pages = sorted({r["page_id"] for r in rows if r["id"] in truths and r["page_id"] in pages})
    if pages_per_store:
        keep_pages = keep_pages[:pages_per_store]
    cells: list[dict[str, Any]] = []
    crops: list[np.ndarray] = []
    image: tuple[str | None, Any] = (None, None)
    for r in sorted(rows, key=lambda r: r["page_id"]):
        if r["id"] not in truths or r["page_id"] not in keep_pages:
            continue
        sha, layout, _bilevel, year = pages[r["page_id"]]
        photo = photo_pages.get(r["page_id"], False)
        if not layout:
            continue
        if image[0] != sha:
            path = next((data / "images").rglob(f"{sha}*"))
            image = (sha, cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
        grid = Grid.from_dict(layout["grid"])
        for f, fv in r["fields"].items():
            spec = specs.get(f)
            if spec is None or spec.source in ("context", "derived") or f in E.NOT_SCORED or not (fv or {}).get("box"):
                continue
            group = field_group(f, spec.normalizer)
            if group is None:
                continue
            got = cell_lines(image[1], grid, fv["box"], f)
            if not got or (below is not None and min(crop_contrast(c) for c in got) >= below):
                continue
            cells.append(
                {
                    "store": label,
                    "field": f,
                    "group": group,
                    "truth": E.scored_value(truths[r["id"]].get(f)),
                    "year": year,
                    "contrast": round(min(crop_contrast(c) for c in got), 1),
                    "noise": round(float(np.median([paper_noise(c) for c in got])), 2),
                    "width": round(float(np.median([stroke_width(c) for c in got])), 2),
                    "photo": photo,
                    "lines": list(range(len(crops), len(crops) + len(got))),
                    "box": list(fv["box"]),
                }
            )
            crops += got
    print(f"{label}: {len(keep_pages)} pages, {len(cells)} cells, {len(crops)} crops", flush=True)
    return cells, crops


def ensemble_reads(engine: Any, crops: list[np.ndarray], names: list[str]) -> list[Any]:
    """Each crop read greedily from its frame probabilities averaged over the given variants (each trimmed
    as the engine trims, scaled to the first variant's input width: the same frames)."""
    from ocr.base import OcrPiece

    out = []
    for crop in crops:
        vs = [trim_to_ink(variant(crop, v))[0] for v in names]
        if min(min(v.shape[:2]) for v in vs) < 2:
            out.append(OcrPiece("", 0.0, (0, 0, 1, 1), engine.name))
            continue
        base = cv2.cvtColor(vs[0], cv2.COLOR_GRAY2BGR)
        width = engine._width(base)
        rw = min(width, int(np.ceil(48 * base.shape[1] / base.shape[0])))
        batch = np.stack([engine._norm(cv2.resize(cv2.cvtColor(v, cv2.COLOR_GRAY2BGR), (rw, 48)), width) for v in vs])
        with engine._call_lock:
            probs = engine._rec(batch)
        p = np.exp(np.log(np.maximum(probs, 1e-9)).mean(axis=0))
        p /= p.sum(axis=1, keepdims=True)
        seq = p.argmax(axis=1)
        keep = np.ones(len(seq), dtype=bool)
        keep[1:] = seq[1:] != seq[:-1]
        keep &= seq != 0
        text = "".join(engine._names[c] for c in seq[keep])
        conf = float(p.max(axis=1)[keep].min()) if keep.any() else 0.0
        out.append(OcrPiece(text, conf, (0, 0, crop.shape[1], crop.shape[0]), engine.name))
    return out


def score(cells: list[dict[str, Any]], crops: list[np.ndarray], engine: Any, variants: list[str], settings: Settings) -> None:
    sp = load_spec(settings.spec_version)
    specs = {f.name: f for kind in ("cremation", "sea_burial") for f in sp.kind(kind).fields}
    engine.trim_crops = False  # each variant is trimmed here as the engine trims (pad<pct> otherwise)
    deepened = {i for c in cells if c["group"] == "names" and not c["photo"] for i in c["lines"]}
    for name in variants:
        if name == "deepen":  # as read_cells gives a name column's lines (extract.line_crops, deepen)
            reads = engine.recognize_crops(
                [trim_to_ink(deepen_faint_line(c) if i in deepened else c)[0] for i, c in enumerate(crops)]
            )
        elif name.startswith("ens"):  # ens:<a>/<b>/...: the recognizer's frame probabilities averaged over variants
            reads = ensemble_reads(engine, crops, name[4:].split("/"))
        else:
            prepared = [variant(c, name) for c in crops]
            if not any(p.startswith("pad") for p in name.split("+")):
                prepared = [trim_to_ink(c)[0] for c in prepared]
            reads = engine.recognize_crops(prepared)
        mark_right(cells, reads, name, specs, sp)
        print(f"  {name}: {sum(c['right'][name] for c in cells)} of {len(cells)} right", flush=True)


def contrast_bin(c: float, bins: list[float]) -> str:
    lo = 0.0
    for b in bins:
        if c < b:
            return f"{lo:.0f}-{b:.0f}"
        lo = b
    return f">={lo:.0f}"


def report(cells: list[dict[str, Any]], variants: list[str], bins: list[float]) -> list[str]:
    lines = []
    stores = sorted({c["store"].split("/")[0] for c in cells})
    groups = ["names", "addresses", "numbers", "all"]
    labels = [contrast_bin(b - 0.5, bins) for b in bins] + [contrast_bin(1e9, bins)]
    for st in stores + (["all stores"] if len(stores) > 1 else []):
        lines.append(f"## {st}")
        lines.append(
            "| kind | contrast | cells | right first | "
            + " | ".join(f"{v} right / +put right / -made wrong" for v in variants[1:])
            + " |"
        )
        lines.append("|---" * (4 + len(variants) - 1) + "|")
        for g in groups:
            for cb in labels + ["all"]:
                sel = [
                    c
                    for c in cells
                    if (st == "all stores" or c["store"].split("/")[0] == st)
                    and (g == "all" or c["group"] == g)
                    and (cb == "all" or contrast_bin(c["contrast"], bins) == cb)
                ]
                if not sel:
                    continue
                lines.append(f"| {g} | {cb} | {len(sel)} | {tally(sel, variants)} |")
        lines.append("")
    return lines


def dump(cells: list[dict[str, Any]], crops: list[np.ndarray], variants: list[str], out: Path, n: int) -> None:
    """The lowest-contrast name cells' crops, as cut above each variant, one PNG per cell."""
    out.mkdir(parents=True, exist_ok=True)
    names = sorted((c for c in cells if c["group"] == "names"), key=lambda c: c["contrast"])[:n]
    for i, c in enumerate(names):
        rows = []
        for v in variants:
            parts = [variant(crops[j], v) for j in c["lines"]]
            h = max(p.shape[0] for p in parts)
            line = np.hstack([cv2.copyMakeBorder(p, 0, h - p.shape[0], 0, 4, cv2.BORDER_CONSTANT, value=128) for p in parts])
            rows.append(cv2.copyMakeBorder(line, 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=128))
        w = max(r.shape[1] for r in rows)
        sheet = np.vstack([cv2.copyMakeBorder(r, 0, 0, 0, w - r.shape[1], cv2.BORDER_CONSTANT, value=128) for r in rows])
        sheet = cv2.resize(sheet, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
        cv2.imwrite(str(out / f"name{i:02d}-c{c['contrast']:.0f}.png"), sheet)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--variants", default="first,stretch,gamma2,flat,min2,min3,stmin2")
    ap.add_argument("--pages-per-store", type=int, default=None, help="only the first N pages of each store")
    ap.add_argument("--families", help="only these family folders (comma-separated)")
    ap.add_argument("--below", type=float, help="only cells whose ink contrast is under this (a gate's cells)")
    ap.add_argument("--bins", default="80,140", help="contrast bin edges (grey levels)")
    ap.add_argument("--out", help="write the per-cell right/wrong and contrast (no text) here as JSON")
    ap.add_argument("--dump", help="write the lowest-contrast name cells' crops here as PNG")
    ap.add_argument("--dump-n", type=int, default=12)
    ap.add_argument("--groups", help="only these kinds (names,addresses,numbers)")
    ap.add_argument("--no-read", action="store_true", help="only gather (and --dump); no recognition")
    args = ap.parse_args()
    variants = args.variants.split(",")
    if variants[0] != "first":
        variants = ["first"] + [v for v in variants if v != "first"]
    bins = [float(b) for b in args.bins.split(",")]
    settings = Settings.load(None)
    cells: list[dict[str, Any]] = []
    crops: list[np.ndarray] = []
    for label, scans, data in family_stores([Path(r) for r in args.roots]):
        if args.families and scans.parent.name not in args.families.split(","):
            continue
        got, gcrops = gather(label, scans, data, settings, args.pages_per_store, args.below)
        if args.groups:
            keep = [c for c in got if c["group"] in args.groups.split(",")]
            gcrops = [gcrops[i] for c in keep for i in c["lines"]]
            n = 0
            for c in keep:
                c["lines"] = list(range(n, n + len(c["lines"])))
                n += len(c["lines"])
            got = keep
        for c in got:
            c["lines"] = [i + len(crops) for i in c["lines"]]
        cells += got
        crops += gcrops
    hist = Counter(contrast_bin(c["contrast"], bins) for c in cells)
    print("cells by contrast:", dict(sorted(hist.items())), flush=True)
    for st in sorted({c["store"] for c in cells}):
        for g in ("names", "addresses", "numbers"):
            ws = [c["width"] for c in cells if c["store"] == st and c["group"] == g and c["width"] > 0]
            if ws:
                q = np.percentile(ws, [10, 50, 90])
                print(
                    f"stroke width {st} {g}: {len(ws)} cells, p10/median/p90 {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f} px", flush=True
                )
    if args.dump:
        dump(cells, crops, variants, Path(args.dump), args.dump_n)
    if args.no_read:
        return
    from ocr.ppocr import PpOcrEngine

    score(cells, crops, PpOcrEngine(), variants, settings)
    for c in cells:
        c.pop("truth", None)
    if args.out:
        Path(args.out).write_text(json.dumps(cells))
    print("\n".join(report(cells, variants, bins)))


if __name__ == "__main__":
    main()
