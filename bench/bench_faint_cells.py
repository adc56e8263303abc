"""Faint writing (brief s24-faint): the text-line crops of a faded copy of a design store
(bench/stress_scans.py --mode faded) read the ways the pipeline could read them, scored per cell against
the truth, for all cells and for the name columns apart.

    python bench/bench_faint_cells.py --scans FADED/county_editions/scans FADED/typed_sheets/scans --pages 3 \
        --out /work/data/s24-faint/res/faint-cells.md

Each crop (extract.line_crops, on the grid the pipeline finds) is read three times: as cut, in the
second reading's preparation (ocr.agreement.second_crop), and so with its levels stretched first
(pipeline.page.layout.stretch_faint). `--only-first`: as cut only (a reference: the same set unfaded). The arms then combine them as read_cells would:
  first            the first reading alone;
  first+second     the second reading (same crop, second preparation) where the first is under 0.99,
                   the more confident of the two kept (ocr.agreement.resolve without the spec);
  first+stretched2 the second reading made of the stretched crop instead, where the cell's contrast is low;
  max3             first, second and stretched-second: the most confident;
A cell's contrast is its lowest crop's paper median minus darkest 1 % (bench_contrast.crop_contrast).
"exact" per cell; "wrong sure" = wrong among cells read at >= 0.99 (must not rise); "sure" = cells at >= 0.99.
Never a test.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_contrast import crop_contrast  # noqa: E402
from bench.bench_recognizers import _bgr, gather  # noqa: E402
from ocr.agreement import normalize_text, second_crop  # noqa: E402
from ocr.registry import get_engine  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.extract import STRETCH_FIELDS  # noqa: E402
from pipeline.page.layout import stretch_faint  # noqa: E402

SURE = 0.99


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", nargs="+", required=True)
    ap.add_argument("--pages", type=int, default=3, help="pages per scans folder")
    ap.add_argument("--low", type=float, nargs="+", default=[120, 160, 256], help="contrast under which the stretch is tried")
    ap.add_argument("--out", default=None)
    ap.add_argument("--only-first", action="store_true", help="read the crops as cut only (a reference, e.g. unfaded)")
    ap.add_argument("--reads", default=None, help="JSON of readings: written, or read back instead of recognizing")
    args = ap.parse_args()
    settings = Settings(data_dir=str(ROOT / "bench" / "out" / "faint" / "data"))
    pages = []
    for s in args.scans:
        got, skipped = gather(Path(s), args.pages, settings)
        print(f"{s}: {len(got)} pages ({skipped} left out)", flush=True)
        pages += got
    reads_path = Path(args.reads) if args.reads else None
    if reads_path and reads_path.is_file():
        reads = json.loads(reads_path.read_text(encoding="utf-8"))
    else:
        eng = get_engine(settings.engine, **settings.engine_settings)
        reads = []
        for _label, _gray, crops, owners, _truth, columns in pages:
            wide = [STRETCH_FIELDS.__contains__(columns[c]) for _r, c in owners]
            st = [stretch_faint(c) for c in crops]
            batches = {
                "cut": [_bgr(c) for c in crops],
                "cut2": [_bgr(second_crop(c, w)) for c, w in zip(crops, wide)],
                "str2": [_bgr(second_crop(c, w)) for c, w in zip(st, wide)],
            }
            page = {"k": [crop_contrast(c) for c in crops]}
            for name, b in batches.items():
                if args.only_first and name != "cut":
                    page[name] = page["cut"]
                    continue
                page[name] = [[p.text, p.confidence] for p in eng.recognize_crops(b)]
            reads.append(page)
            print(f"{_label}: {len(crops)} crops read", flush=True)
        if reads_path:
            reads_path.parent.mkdir(parents=True, exist_ok=True)
            reads_path.write_text(json.dumps(reads, ensure_ascii=False), encoding="utf-8")

    def pick(arm: str, low: float, rd: dict, i: int, k: float) -> tuple[str, float]:
        first = tuple(rd["cut"][i])
        if arm == "first" or first[1] >= SURE and arm != "max3":
            return first
        if arm == "first+second":
            cands = [first, tuple(rd["cut2"][i])]
        elif arm == "first+stretched2":
            cands = [first, tuple(rd["str2"][i] if k < low else rd["cut2"][i])]
        else:  # max3
            cands = [first] + ([tuple(rd["cut2"][i]), tuple(rd["str2"][i])] if k < low and first[1] < SURE else [])
        return max(cands, key=lambda t: t[1])

    arms = [("first", 0.0), ("first+second", 0.0)] + [(a, t) for a in ("first+stretched2", "max3") for t in args.low]
    lines = [
        f"# Faint cells: {len(pages)} pages of {', '.join(args.scans)}",
        "",
        "Per arm: exact / cells, wrong among cells read at >= 0.99 / those cells; names = the *_name columns.",
        "",
        "| arm | low contrast under | all cells: exact | wrong sure / sure | names: exact | names wrong sure / sure |",
        "|---|---|---|---|---|---|",
    ]
    for arm, low in arms:
        tot = {"all": [0, 0, 0, 0], "name": [0, 0, 0, 0]}
        for (_label, _gray, _crops, owners, truth, columns), rd in zip(pages, reads):
            cell: dict[tuple[int, int], list] = {}
            for i, owner in enumerate(owners):
                owner = tuple(owner)
                low_k = min(rd["k"][j] for j, o in enumerate(owners) if tuple(o) == owner)
                text, conf = pick(arm, low, rd, i, low_k)
                t, c = cell.get(owner, ["", 1.0])
                cell[owner] = [t + text, min(c, conf)]
            for rc, t in truth.items():
                got, conf = cell.get(rc, ["", 1.0])
                tt, g = normalize_text(t), normalize_text(got)
                if not tt and not g:
                    continue
                keys = ["all"] + (["name"] if (columns[rc[1]] or "").endswith("name") else [])
                for key in keys:
                    row = tot[key]
                    row[0] += 1
                    row[1] += tt == g
                    row[2] += conf >= SURE
                    row[3] += conf >= SURE and tt != g
        a, n = tot["all"], tot["name"]
        lines.append(
            f"| {arm} | {low:g} | {a[1]}/{a[0]} ({a[1] / max(1, a[0]):.1%}) | {a[3]}/{a[2]} | "
            f"{n[1]}/{n[0]} ({n[1] / max(1, n[0]):.1%}) | {n[3]}/{n[2]} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
