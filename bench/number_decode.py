"""Session 39: number cells decoded under their field's written forms (pipeline.page.extract.number_decoders),
measured cell by cell on stored pages: each written cell of a certificate-number, date, age or count column
(the truth's columns, on pages whose stored grid has them: bench/photo_crops.pages_of) is read as
production reads it (read_cells with the page's photo / enlargement, second readings below
Settings.second_read_below), once without and once with the number decoders, the two readings weighed as
mapping weighs them (ocr.agreement.resolve with mapping.record.reads_cleanly, the ledger's year known), and
the value normalized. Counts per field: values right without / with, put right, made wrong, decoded cells.

    PYTHONPATH=. python bench/number_decode.py ROOT [ROOT ...] [--limit N]

Only certificate numbers, dates, ages and counts are printed (no personal data). Never part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from photo_crops import pages_of  # noqa: E402

from mapping.numberforms import FORMS, NORMALIZERS  # noqa: E402
from mapping.record import RecordContext, reads_cleanly  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from ocr.agreement import resolve  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.extract import STRETCH_FIELDS, number_decoders, read_cells  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--limit", type=int, default=None, help="pages per store")
    ap.add_argument("--show", action="store_true", help="print each changed cell (numbers and dates only)")
    args = ap.parse_args()
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    sp = load_spec()
    below = Settings.load(None).second_read_below
    decoders = number_decoders(sp)
    t: dict[str, Counter] = defaultdict(Counter)
    t0 = time.perf_counter()
    n_pages = 0
    for page in pages_of([Path(r) for r in args.roots], args.limit):
        gt = page["gt"]
        kind = gt["ledger_kind"]
        ks = sp.kind(kind)
        norm_of = {f.name: f.normalizer for f in ks.fields}
        cols = {c: f for c, f in enumerate(gt["columns"]) if f in decoders and norm_of.get(f) in FORMS}
        if not cols:
            continue
        n_pages += 1
        ctx = RecordContext(ledger_year=gt.get("year"))
        cells = [(r, c) for r in range(1, len(gt["rows"]) + 1) for c in cols if str(gt["rows"][r - 1]["cells"][c] or "").strip()]
        stretch = {c for c, f in cols.items() if f in STRETCH_FIELDS}
        kw = dict(photo=page["photo"], enlarged=page["upsample"], second_below=below, stretch_cols=stretch)
        plain = read_cells(page["gray"], page["grid"], engine, cells, **kw)
        decoded = read_cells(page["gray"], page["grid"], engine, cells, decode={c: decoders[f] for c, f in cols.items()}, **kw)
        for r, c in cells:
            f = cols[c]
            truth = gt["rows"][r - 1]["record"].get(f)
            if truth in (None, ""):
                continue
            norm = NORMALIZERS[norm_of[f]]
            valid = partial(reads_cleanly, kind, f, context=ctx)
            vals = []
            for cell in (plain[(r, c)], decoded[(r, c)]):
                kept = resolve(cell, below or 0.0, valid)
                n = norm("".join((kept.text or "").split()))
                vals.append(str(n.value) if n.value is not None else "")
            tt = t[f]
            tt["cells"] += 1
            tt["before"] += vals[0] == str(truth)
            tt["after"] += vals[1] == str(truth)
            tt["decoded"] += decoded[(r, c)].decoded
            tt["put_right"] += vals[0] != str(truth) and vals[1] == str(truth)
            tt["made_wrong"] += vals[0] == str(truth) and vals[1] != str(truth)
            tt["wrong_to_wrong"] += vals[0] != vals[1] and vals[0] != str(truth) and vals[1] != str(truth)
            if args.show and vals[1] != str(truth):
                dc = decoded[(r, c)]
                print(f"  . {f}: written {gt['rows'][r - 1]['cells'][c]!r} read {dc.text!r}/{dc.second!r} decoded {dc.decoded}")
            if args.show and vals[0] != vals[1]:
                print(
                    f"  {f}: written {gt['rows'][r - 1]['cells'][c]!r} read {plain[(r, c)].text!r} -> {vals[0]!r} / {vals[1]!r}"
                )
    total: Counter = Counter()
    for f, tt in sorted(t.items()):
        total.update(tt)
        print(
            f"{f:17s} cells {tt['cells']}: right {tt['before']} -> {tt['after']} (put right {tt['put_right']}, "
            f"made wrong {tt['made_wrong']}, wrong to other wrong {tt['wrong_to_wrong']}); decoded {tt['decoded']}"
        )
    print(
        f"all: right {total['before']} -> {total['after']} of {total['cells']} (put right {total['put_right']}, made wrong "
        f"{total['made_wrong']}); {n_pages} pages, {time.perf_counter() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
