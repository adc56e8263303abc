"""Gather the recognizer's evidence on both crops of every searched name cell of a bench store (no product change).

    PYTHONPATH=. python bench/name_crops.py ROOT... --out FILE.pkl

Each ROOT holds family folders `<family>/scans` + `<family>/run-*/data` (bench/hold_reasons.py's
layout), already re-mapped. For every one-line name cell that kept alternatives
(pipeline.page.extract.name_alternatives, searched on the first crop), the cell's first crop is cut
again from the stored clean page and grid (pipeline.page.extract.line_crops) and its second crop made
(ocr.agreement.second_crop); the listed texts are scored on both crops, and the second crop is searched
too (likeliest_texts in the name alphabet); `--witness`: the texts are scored by PP-OCRv4 too (a second,
independently trained recognizer in the rapidocr wheel, as bench/name_witness.py uses it). The result, with the truth, goes to FILE (unmasked: keep it
outside the repository, mode 0600); bench/name_classes.py-style counts are printed only.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

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
from pipeline.page.extract import NAME_BEAM  # noqa: E402


def gather(
    label: str, scans: Path, data: Path, settings: Settings, engine: Any, witness: Any = None, wide_beam: int = 0
) -> list[dict[str, Any]]:
    from ocr.agreement import second_crop

    truths, rows = records_with_truth(scans, data, settings)
    recs = [(r["id"], r["page_id"], r["status"], r["fields"], r["cells"]) for r in rows]
    name_fields = [f for f, t in field_types().items() if t == "name"]
    stored = StoredCrops(data)
    alphabet = N.name_alphabet()
    out = []
    for rid, page_id, status, fields, cells in recs:
        if rid not in truths:
            continue
        for f in name_fields:
            fv = fields.get(f) or {}
            cell = next((c for c in cells if fv.get("box") and c.get("box") == fv.get("box")), None)
            if cell is None or not cell.get("alternatives"):
                continue
            crop = stored.crop(page_id, cell["box"])
            if crop is None:
                continue
            other = second_crop(crop, False)
            alts = [(str(t), float(x)) for t, x in cell["alternatives"]]
            texts = [t for t, _x in alts]
            first_again = engine.score_readings(crop, texts)
            found2 = engine.likeliest_texts(other, alphabet, beam=NAME_BEAM) or []
            union = list(dict.fromkeys(texts + [t for t, _x in found2]))
            on_first = engine.score_readings(crop, union)
            on_second = engine.score_readings(other, union)
            on_witness = witness.score_readings(crop, union) if witness is not None else None
            truth = E.scored_value(truths[rid].get(f)) or ""
            deep: list[tuple[str, float]] = []
            truth_scores: list[float] = []
            if wide_beam and truth:  # analysis only: where the truth is, how deep a search would find it
                deep = engine.likeliest_texts(crop, alphabet, beam=wide_beam) or []
                truth_scores = engine.score_readings(crop, [truth])
            out.append(
                {
                    "store": label,
                    "record": rid,
                    "field": f,
                    "status": status,
                    "truth": E.scored_value(truths[rid].get(f)) or "",
                    "value": E.scored_value(fv.get("value")) or "",
                    "conf": float(fv.get("confidence") or 0.0),
                    "flags": list(fv.get("flags") or []),
                    "text": cell.get("text"),
                    "second": cell.get("second"),
                    "alts": alts,
                    "fidelity": max((abs(a - b) for (_t, a), b in zip(alts, first_again)), default=0.0),
                    "union": union,
                    "on_first": on_first,
                    "on_second": on_second,
                    "on_witness": on_witness,
                    "deep": deep,
                    "truth_first": truth_scores[0] if truth_scores else None,
                }
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--beam", type=int, default=0, help="also search the first crop this deep and score the truth (analysis)")
    ap.add_argument(
        "--witness", action="store_true", help="also score the texts with PP-OCRv4 (ocr.ppocr model v4) on the first crop"
    )
    args = ap.parse_args()
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    witness = PpOcrEngine(model="v4", runtime="onnxruntime") if args.witness else None
    settings = Settings.load(None)
    rows: list[dict[str, Any]] = []
    for label, scans, data in family_stores([Path(r) for r in args.roots]):
        rows += gather(label, scans, data, settings, engine, witness, args.beam)
        print(label, len(rows), flush=True)
    with private_file(args.out, "wb") as fh:  # names and their truth: owner-only before a byte is written
        fh.write(pickle.dumps(rows))
    fid = sorted(r["fidelity"] for r in rows)
    print(f"cells {len(rows)}; first-crop fidelity: median {fid[len(fid) // 2]:.3f}, >0.1: {sum(x > 0.1 for x in fid)}")


if __name__ == "__main__":
    main()
