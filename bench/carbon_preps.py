"""Issue 21 analysis (session 33): does preparing a carbon / faded copy's name and address line crops
otherwise before recognition make the recognizer see the TRUTH where the pipeline's value is wrong,
without breaking the cells whose value is right? Counts only: no name or address is printed.

    PYTHONPATH=. python bench/carbon_preps.py FAMILY_DIR... [--variants first,nlm+usm10x10,...] [--no-remap]
                                              [--dump DIR --dump-n N]

Each FAMILY_DIR is what bench_families.py keeps (scans/ + truth, run-*/data: use a copy, it is remapped
unless --no-remap). The cases are bench/carbon_names.cases (name fields and household address of records
paired with a truth row, their column found); each cell's lines are cut again from the stored clean page
on its stored grid (bench/bilevel_edges.cell_lines, as read_cells cuts them), prepared by each variant
(bench/faded_crops.variant, plus those below), trimmed as the engine trims, and read greedily (the first
reading). Pages processed as a photograph are left out (read_cells does not deblur them). Split by whether the store's VALUE is right or wrong:

- `first right`: the greedy reading of the prepared crop (lines joined, spaces dropped) equals the truth;
- for one-line names whose value is wrong, `truth likelier`: the recognizer's CTC log-probability of the
  truth on the prepared crop is above that of the (wrong) value (engine.score_readings): the name search
  and rescore_name pick by this, so only a preparation that turns it can win the name end to end;
- for one-line names whose value is right, `value likelier than first`: whether the right value stays the
  recognizer's likeliest among {value, greedy reading} (a break shows as the greedy reading wrong AND
  likelier than the value).

Variants added here (the recognizer property: PP-OCR rec is fed 48 px high lines, resized bilinearly
from the crop (ocr.ppocr._norm), trained on sharp dark strokes on light paper):
  rl<S>x<N>  Richardson-Lucy deconvolution, Gaussian PSF of S/10 px, N iterations (a carbon's blur undone)
  h48        the trimmed crop taken down to 48 px high by area averaging (the recognizer's own resize is
             bilinear: from a 60-80 px crop it samples the grain instead of averaging it)
  trim       trimmed to its ink first (then h48 etc. act on the trimmed crop, as the engine would feed it)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bilevel_edges import cell_lines  # noqa: E402
from carbon_names import NAMES, cases  # noqa: E402
from faded_crops import variant as fc_variant  # noqa: E402

from ocr.base import trim_to_ink  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.layout import Grid  # noqa: E402
from pipeline.page.routing import processed_as_photograph  # noqa: E402


def richardson_lucy(crop: np.ndarray, sigma: float, iters: int) -> np.ndarray:
    """Richardson-Lucy deconvolution of the ink (255 - level) with a Gaussian PSF of `sigma` px."""
    ink = (255.0 - crop.astype(np.float32)) + 1.0
    est = ink.copy()
    for _ in range(iters):
        conv = cv2.GaussianBlur(est, (0, 0), sigma)
        est = est * cv2.GaussianBlur(ink / np.maximum(conv, 1e-3), (0, 0), sigma)
    return np.clip(256.0 - est, 0, 255).astype(np.uint8)


def variant(crop: np.ndarray, name: str) -> np.ndarray:
    if "+" in name:
        for part in name.split("+"):
            crop = variant(crop, part)
        return crop
    if name.startswith("rl"):
        s, n = name[2:].split("x")
        return richardson_lucy(crop, float(s) / 10, int(n))
    if name == "trim":
        return trim_to_ink(crop)[0]
    if name == "h48":
        h, w = crop.shape[:2]
        if h <= 48:
            return crop
        return cv2.resize(crop, (max(1, round(w * 48 / h)), 48), interpolation=cv2.INTER_AREA)
    if name in ("cu48", "lz48"):  # the trimmed crop brought to 48 px high by cubic / Lanczos interpolation
        h, w = crop.shape[:2]
        interp = cv2.INTER_CUBIC if name == "cu48" else cv2.INTER_LANCZOS4
        return cv2.resize(crop, (max(1, round(w * 48 / h)), 48), interpolation=interp)
    return fc_variant(crop, name)


def load_lines(family_dir: Path, cs: list[dict[str, Any]], settings: Settings) -> None:
    import json
    import sqlite3

    data = next(family_dir.glob("run-*")) / "data"
    db = sqlite3.connect(data / "store.sqlite")
    pages = {}
    for sha, layout, page_no, path, steps in db.execute(
        "select p.clean_image, p.layout, p.page_no, f.abs_path, p.steps from pages p join source_files f on p.file_id = f.id"
    ):
        # a page processed as a photograph is read as it is (read_cells: no deblurring there): left out
        photo = processed_as_photograph(json.loads(steps or "[]"))
        pages[(path, page_no)] = (None, None) if photo else (sha, json.loads(layout) if layout else None)
    db.close()
    cache: dict[str, np.ndarray] = {}
    for c in cs:
        c["lines"] = []
        sha, layout = pages.get((c["path"], c["page"]), (None, None))
        if not sha or not layout or not c["box"]:
            continue
        if sha not in cache:
            cache.clear()
            cache[sha] = cv2.imread(str(next((data / "images").rglob(f"{sha}*"))), cv2.IMREAD_GRAYSCALE)
        c["lines"] = cell_lines(cache[sha], Grid.from_dict(layout["grid"]), c["box"], c["field"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--variants", default="first,nlm+usm10x10,rl10x5,h48")
    ap.add_argument("--no-remap", action="store_true")
    ap.add_argument("--fields", default="names", help="names | address | all")
    ap.add_argument("--dump", help="write the wrong cells' crops (as cut, and each variant) here as PNG")
    ap.add_argument("--dump-n", type=int, default=10)
    args = ap.parse_args()
    variants = args.variants.split(",")
    settings = Settings.load(None)
    from ocr.ppocr import PpOcrEngine

    eng = PpOcrEngine()
    eng.trim_crops = False
    all_t: Counter[str] = Counter()
    for d in [Path(x) for x in args.dirs]:
        cs = cases(d, settings, not args.no_remap)
        want = {"names": NAMES, "address": ("household_address",), "all": NAMES + ("household_address",)}[args.fields]
        cs = [c for c in cs if c["field"] in want and c["box"]]
        load_lines(d, cs, settings)
        cs = [c for c in cs if c["lines"]]
        label = d.parent.parent.name
        t: Counter[str] = Counter()
        if args.dump:
            out = Path(args.dump) / label
            out.mkdir(parents=True, exist_ok=True)
            for i, c in enumerate([c for c in cs if c["value"] != c["truth"]][: args.dump_n]):
                rows = []
                for v in variants:
                    parts = [trim_to_ink(variant(x, v))[0] for x in c["lines"]]
                    parts = [cv2.resize(p, (max(1, round(p.shape[1] * 48 / p.shape[0])), 48)) for p in parts]
                    rows.append(cv2.copyMakeBorder(np.hstack(parts), 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=128))
                w = max(r.shape[1] for r in rows)
                sheet = np.vstack([cv2.copyMakeBorder(r, 0, 0, 0, w - r.shape[1], cv2.BORDER_CONSTANT, value=128) for r in rows])
                cv2.imwrite(
                    str(out / f"{c['field'][:3]}{i:02d}.png"),
                    cv2.resize(sheet, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST),
                )
        for v in variants:
            prepared = [[trim_to_ink(variant(x, v))[0] for x in c["lines"]] for c in cs]
            flat = [p for ps in prepared for p in ps]
            reads = eng.recognize_crops(flat)
            k = 0
            for c, ps in zip(cs, prepared):
                text = "".join("".join(r.text.split()) for r in reads[k : k + len(ps)])
                k += len(ps)
                ok = "right" if c["value"] == c["truth"] else "wrong"
                kind = "names" if c["field"] in NAMES else "addr"
                t[f"{kind} value {ok}: cells"] += v == variants[0]
                t[f"{kind} value {ok}: first right [{v}]"] += text == c["truth"]
                if kind == "names" and len(ps) == 1 and c["value"]:
                    texts = list(dict.fromkeys([c["truth"], c["value"], text]))
                    sc = dict(zip(texts, eng.score_readings(ps[0], texts) or []))
                    if ok == "wrong":
                        t[f"names value wrong, one line: cells [{v}]"] += 1
                        t[f"names value wrong, one line: truth likelier than value [{v}]"] += sc[c["truth"]] > sc[c["value"]]
                    else:
                        t[f"names value right, one line: cells [{v}]"] += 1
                        t[f"names value right, one line: another text likelier [{v}]"] += sc[text] > sc[c["value"]]
        print(f"== {label}", flush=True)
        for key in sorted(t):
            print(f"  {key}: {t[key]}", flush=True)
        all_t.update(t)
    if len(args.dirs) > 1:
        print("== all")
        for key in sorted(all_t):
            print(f"  {key}: {all_t[key]}")


if __name__ == "__main__":
    main()
