"""Would reading a doubted name cell again from other crops choose its name better? Measured, no product change.

    PYTHONPATH=. python bench/name_variants.py ROOT... --out FILE.pkl      (OCR of the searched name cells)
    PYTHONPATH=. python bench/name_variants.py --load FILE.pkl             (the counts again, no OCR)

Each ROOT holds family folders `<family>/scans` + `<family>/run-*/data` (bench/hold_reasons.py's layout),
already re-mapped with the code under test. For every one-line name cell that kept alternatives
(pipeline.page.extract.name_alternatives: read below 0.99, searched on its first crop), the first crop is
cut again from the stored clean page and grid (bench/name_witness.StoredCrops) and the crops the ID
re-read uses are made of it (pipeline.page.extract.reread_variants: `wide`, twice as many frames per glyph;
`contrast`, the darkest 1 % black and the paper white) with the second crop (ocr.agreement.second_crop).
Each variant is read, searched in the name alphabet (NAME_BEAM), and every listed text is scored on every
crop. Then, per set of crops, the name is chosen as mapping.normalize.rescore_name chooses (texts of the
reading's length, log-probability plus NAME_PRIOR_WEIGHT x name_log_prior) with the mean log-probability
over the crops: names put right / made wrong against the choice on the first crop alone. And agreement
as evidence: the value against the two variants' own readings (traditional forms folded), for right and
wrong names, auto-accepted or not.

The pickle (unmasked names and truth) is written owner-only (pipeline.kernel.safety.private_file): keep
it outside the repository. Only counts are printed.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hold_reasons import family_stores  # noqa: E402
from name_witness import StoredCrops, records_with_truth  # noqa: E402

import mapping.normalize as N  # noqa: E402
import pipeline.quality.evaluate as E  # noqa: E402
from mapping.spec import field_types  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.safety import private_file  # noqa: E402
from pipeline.page.extract import NAME_BEAM, reread_variants  # noqa: E402

CROP_SETS = {
    "first": ("first",),
    "first+second": ("first", "second"),
    "first+wide": ("first", "wide"),
    "first+contrast": ("first", "contrast"),
    "first+wide+contrast": ("first", "wide", "contrast"),
    "all four": ("first", "second", "wide", "contrast"),
    "wide alone": ("wide",),
    "contrast alone": ("contrast",),
}


def gather(label: str, scans: Path, data: Path, settings: Settings, engine: Any) -> list[dict[str, Any]]:
    from ocr.agreement import second_crop

    truths, rows = records_with_truth(scans, data, settings)
    name_fields = [f for f, t in field_types().items() if t == "name"]
    stored = StoredCrops(data)
    alphabet = N.name_alphabet()
    out = []
    for r in rows:
        rid = r["id"]
        if rid not in truths:
            continue
        for f in name_fields:
            fv = r["fields"].get(f) or {}
            cell = next((c for c in r["cells"] if fv.get("box") and c.get("box") == fv.get("box")), None)
            if cell is None or not cell.get("alternatives"):
                continue
            crop = stored.crop(r["page_id"], cell["box"])
            if crop is None:
                continue
            wide, contrast = reread_variants(crop, crop, False)[:2]
            crops = {"first": crop, "second": second_crop(crop, False), "wide": wide, "contrast": contrast}
            alts = [(str(t), float(x)) for t, x in cell["alternatives"]]
            union = [t for t, _x in alts]
            for name in ("wide", "contrast"):
                union += [t for t, _x in engine.likeliest_texts(crops[name], alphabet, beam=NAME_BEAM) or []]
            union = list(dict.fromkeys(union))
            reads = engine.recognize_crops([wide, contrast])
            out.append(
                {
                    "store": label,
                    "field": f,
                    "status": r["status"],
                    "truth": E.scored_value(truths[rid].get(f)) or "",
                    "value": E.scored_value(fv.get("value")) or "",
                    "text": cell.get("text") or "",
                    "alts": alts,
                    "union": union,
                    "scores": {name: list(engine.score_readings(c, union)) for name, c in crops.items()},
                    "reads": {"wide": reads[0].text, "contrast": reads[1].text},
                }
            )
    print(label, len(out), flush=True)
    return out


def choose(read: str, texts: list[str], heard: list[float]) -> str:
    """rescore_name's choice among the texts of the reading's length (the reading itself where none)."""
    same = [(t, h) for t, h in zip(texts, heard) if len(t) == len(read) and np.isfinite(h)]
    if not same:
        return read
    weighed = [h + N.NAME_PRIOR_WEIGHT * N.name_log_prior(t) for t, h in same]
    return same[int(np.argmax(weighed))][0]


def report(rows: list[dict[str, Any]]) -> None:
    fold = N.fold_traditional
    for key, names in CROP_SETS.items():
        c: Counter[tuple[str, str]] = Counter()
        for r in rows:
            store = r["store"].split("/")[0]
            read = "".join(r["text"].split())
            heard = np.array([r["scores"][n] for n in names], dtype=float).mean(axis=0)
            new = choose(read, r["union"], list(heard))
            base = choose(read, [t for t, _x in r["alts"]], [x for _t, x in r["alts"]])
            ok_new, ok_base = fold(new) == r["truth"], fold(base) == r["truth"]
            c[(store, "cells")] += 1
            c[(store, "right first crop")] += ok_base
            c[(store, "right")] += ok_new
            c[(store, "put right")] += ok_new and not ok_base
            c[(store, "made wrong")] += ok_base and not ok_new
        stores = sorted({s for s, _k in c})
        print(f"{key}: " + "; ".join(f"{s} " + ", ".join(f"{k} {c[(s, k)]}" for s0, k in c if s0 == s) for s in stores))
    agree: Counter[tuple[str, str, int]] = Counter()
    for r in rows:
        v = fold(r["value"])
        n = sum(fold("".join(r["reads"][k].split())) == v for k in ("wide", "contrast"))
        agree[("right" if r["value"] == r["truth"] else "wrong", "auto" if r["status"] == "auto_accepted" else "held", n)] += 1
    print("value read again by 0 / 1 / 2 variants:")
    for ok in ("right", "wrong"):
        for st in ("auto", "held"):
            print(f"  {ok} {st}: " + " / ".join(str(agree[(ok, st, n)]) for n in (0, 1, 2)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="*")
    ap.add_argument("--out", help="write the gathered evidence here (unmasked: outside the repository)")
    ap.add_argument("--load", help="report on evidence gathered before, no OCR")
    args = ap.parse_args()
    if args.load:
        rows = pickle.loads(Path(args.load).read_bytes())
    else:
        if not args.out:
            ap.error("--out is required to gather")
        from ocr.ppocr import PpOcrEngine

        engine = PpOcrEngine()
        settings = Settings.load(None)
        rows = []
        for label, scans, data in family_stores([Path(r) for r in args.roots]):
            rows += gather(label, scans, data, settings, engine)
        with private_file(args.out, "wb") as fh:  # names and their truth: owner-only before a byte is written
            fh.write(pickle.dumps(rows))
    report(rows)


if __name__ == "__main__":
    main()
