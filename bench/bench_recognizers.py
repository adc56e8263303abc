"""Recognizers side by side (issue 27): PP-OCRv4 / PP-OCRv6 x ONNX Runtime / OpenVINO (/ int8), on
the same text-line crops of a generated set no threshold or rule was fitted on, in one run.

    python bench/bench_recognizers.py --scans bench/out/fam27/scans --pages 40 \
        --configs v4:onnxruntime v4:openvino v6:onnxruntime v6:openvino v6:onnxruntime:int8 \
        --out bench/results/recognizers-2026-12-01.md

Each page goes through our own cleanup and grid finding once (pipeline.page.cleanup, pipeline.page.layout);
the cells of pages whose grid has the truth's shape are cut into text-line crops exactly as the
pipeline cuts them (pipeline.page.extract.line_crops), and every recognizer reads the same crops, one
batch per page, first reading only (no second reads, no decoding): CER, fields exact, IDs,
addresses, sea areas, and seconds of recognition per page. `--whole-pages N` also times
detection + recognition over N whole cleaned pages. Run it inside /work/bin/quiet: the times are
comparable only within one run. `:int8` is the recognizer quantized statically with ONNX Runtime
(QDQ, per channel) on crops of the committed samples (never the measured set), made by this script from
the packaged model (needs the `onnx` package, a bench-only dependency; the product never uses it);
`:int8r` the same with reduce_range (7-bit weights, for CPUs without VNNI). Never a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

from ocr.agreement import normalize_text  # noqa: E402
from ocr.ppocr import MODELS, wheel_model_dir  # noqa: E402
from ocr.registry import clear_cache, get_engine  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.cleanup import clean_page  # noqa: E402
from pipeline.page.extract import STRETCH_FIELDS, line_crops  # noqa: E402
from pipeline.page.intake import load_page, probe  # noqa: E402
from pipeline.page.layout import find_grid  # noqa: E402


def gather(scans: Path, pages: int, settings: Settings):
    """[(page label, gray page, [(crop, (r, c))...], truth {(r, c): text}, columns)] for pages whose
    grid has the truth's rows and columns; and how many pages were left out."""
    out, skipped = [], 0
    for scan in sorted(p for p in scans.rglob("*") if p.is_file() and not p.name.endswith(".json")):
        gt_file = scan.with_name(scan.stem + ".gt.json")  # a JPEG folder has one beside each page
        if not gt_file.is_file():
            continue
        gt = json.loads(gt_file.read_text(encoding="utf-8"))
        try:
            media, n = probe(scan, settings)
        except Exception:  # noqa: BLE001
            continue
        for k in range(n):
            if len(out) >= pages:
                return out, skipped
            page_gt = gt["pages"][k]
            clean = clean_page(load_page(scan, media, k + 1, settings))
            grid = find_grid(clean.image, clean.table_box)
            rows = page_gt["rows"]
            if grid.n_cols != len(page_gt["columns"]) or grid.n_rows < len(rows) + 1:
                skipped += 1
                continue
            columns = page_gt["columns"]
            stretch = {c for c, f in enumerate(columns) if f in STRETCH_FIELDS}
            cells = [(r, c) for r in range(1, len(rows) + 1) for c in range(grid.n_cols)]
            crops, owners, _faint = line_crops(clean.image, grid, cells, stretch)
            truth = {(r, c): rows[r - 1]["cells"][c] for r, c in cells}
            out.append((f"{scan.name}#{k + 1}", clean.image, crops, owners, truth, columns))
    return out, skipped


def score(pages, reads) -> dict[str, float]:
    chars = errs = cells = exact = 0
    by = {"id": [0, 0], "address": [0, 0], "sea_area": [0, 0], "name": [0, 0]}
    for (_label, _gray, _crops, owners, truth, columns), pieces in zip(pages, reads):
        got: dict[tuple[int, int], str] = {}
        for owner, p in zip(owners, pieces):
            got[owner] = got.get(owner, "") + p.text
        for rc, t in truth.items():
            t, g = normalize_text(t), normalize_text(got.get(rc, ""))
            if not t and not g:
                continue
            chars += len(t)
            errs += Levenshtein.distance(t, g)
            cells += 1
            exact += t == g
            field = columns[rc[1]] or ""
            kind = (
                "id"
                if field == "id_number"
                else "address"
                if "address" in field
                else "sea_area"
                if field == "sea_area"
                else "name"
                if field.endswith("_name")
                else None
            )
            if kind and t:
                by[kind][0] += t == g
                by[kind][1] += 1
    res = {"cer": errs / max(1, chars), "fields_exact": exact / max(1, cells), "cells": cells}
    for k, (right, n) in by.items():
        res[k] = right / n if n else float("nan")
        res[k + "_n"] = n
    return res


def int8_model_dir(out: Path, calib_pages: int = 6, reduce_range: bool = False) -> Path:
    """v6 with its recognizer quantized statically (ONNX Runtime, QDQ, per channel, int8 weights
    and uint8 activations) on crops of the committed samples. `reduce_range`: 7-bit weights, which
    ONNX Runtime's documentation advises on x86-64 CPUs without VNNI (u8s8 products may saturate)."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    from ocr.ppocr import PpOcrEngine

    folder = out / ("v6-int8r" if reduce_range else "v6-int8")
    target = folder / MODELS["v6"].rec
    if target.is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    src = wheel_model_dir("v6")
    for f in (MODELS["v6"].det, MODELS["v6"].cls):
        shutil.copyfile(src / f, folder / f)
    samples, _ = gather(ROOT / "samples", calib_pages, Settings(data_dir=str(out / "calib-data")))
    crops = [c for page in samples for c in page[2]][::3][:240]

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{"x": PpOcrEngine._norm(_bgr(c), PpOcrEngine._width(_bgr(c)))[None]} for c in crops])

        def get_next(self):
            return next(self.it, None)

    import onnx
    from onnx import version_converter

    model = onnx.load(str(src / MODELS["v6"].rec))
    if model.opset_import[0].version < 13:  # per-channel DequantizeLinear (its axis) needs opset 13
        model = version_converter.convert_version(model, 13)
    f32 = folder / ("f32-" + MODELS["v6"].rec)
    onnx.save(model, str(f32))
    # ONNX Runtime's recommended pre-processing (shape inference, graph optimization) before calibration
    from onnxruntime.quantization.shape_inference import quant_pre_process

    pre = folder / ("pre-" + MODELS["v6"].rec)
    quant_pre_process(str(f32), str(pre), skip_symbolic_shape=True)  # ONNX shape inference (no sympy needed)
    quantize_static(
        str(pre),
        str(target),
        Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        weight_type=QuantType.QInt8,
        activation_type=QuantType.QUInt8,
        reduce_range=reduce_range,
    )
    return folder


def _bgr(crop):
    import cv2

    return cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR) if crop.ndim == 2 else crop


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", required=True)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--configs", nargs="+", default=["v4:onnxruntime", "v6:onnxruntime", "v6:openvino"])
    ap.add_argument("--whole-pages", type=int, default=0)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--out", default=None, help="markdown report (and .json beside it)")
    args = ap.parse_args()
    work = ROOT / "bench" / "out" / "recognizers"
    settings = Settings(data_dir=str(work / "data"))
    t0 = time.perf_counter()
    pages, skipped = gather(Path(args.scans), args.pages, settings)
    n_crops = sum(len(p[2]) for p in pages)
    print(
        f"{len(pages)} pages ({skipped} left out: grid unlike the truth), {n_crops} crops, "
        f"prepared in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    results = []
    for cfg in args.configs:
        model, runtime, *rest = cfg.split(":")
        extra = {"threads": args.threads} if args.threads else {}
        if rest and rest[0] in ("int8", "int8r"):
            extra["model_dir"] = str(int8_model_dir(work, reduce_range=rest[0] == "int8r"))
        elif rest:
            extra["precision"] = rest[0]
        clear_cache()
        eng = get_engine("ppocr", model=model, runtime=runtime, **extra)
        eng.recognize_crops([_bgr(c) for c in pages[0][2][:12]])  # warm-up (shapes compiled, caches)
        reads, secs = [], []
        for page in pages:
            t = time.perf_counter()
            reads.append(eng.recognize_crops(page[2]))
            secs.append(time.perf_counter() - t)
        whole = None
        if args.whole_pages:
            eng.recognize(pages[0][1][:300])
            t = time.perf_counter()
            for page in pages[: args.whole_pages]:
                eng.recognize(page[1])
            whole = (time.perf_counter() - t) / min(args.whole_pages, len(pages))
        s = score(pages, reads)
        s.update(config=cfg, engine=eng.describe(), seconds_per_page=float(np.mean(secs)), whole_page_seconds=whole)
        results.append(s)
        print(json.dumps(s, ensure_ascii=False), flush=True)
    base = results[0]["seconds_per_page"]
    lines = [
        f"# Recognizers side by side: {len(pages)} pages of {args.scans} ({n_crops} text-line crops, "
        f"{results[0]['cells']} cells; {skipped} pages left out: grid unlike the truth)",
        "",
        "Recognition only, first reading, the same crops for every row, one batch per page, one after another "
        "in one process (`bench/bench_recognizers.py`).",
        "",
        "| recognizer | CER | fields exact | IDs exact | addresses exact | sea areas exact | names exact | "
        "s/page (recognition) | ratio | whole page det+rec s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        w = f"{r['whole_page_seconds']:.2f}" if r["whole_page_seconds"] else "–"
        lines.append(
            f"| {r['config']}: {r['engine']} | {r['cer']:.2%} | {r['fields_exact']:.2%} | {r['id']:.1%} ({r['id_n']}) | "
            f"{r['address']:.1%} ({r['address_n']}) | {r['sea_area']:.1%} ({r['sea_area_n']}) | {r['name']:.1%} | "
            f"{r['seconds_per_page']:.2f} | {r['seconds_per_page'] / base:.2f}× | {w} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        Path(args.out).with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
