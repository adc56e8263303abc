"""Would a doubted name's search find its truth among look-alikes of the kept text? Measured on stored crops.

    PYTHONPATH=. python bench/name_lookalikes.py ROOT... --out FILE.pkl      (OCR: one recognizer pass a searched cell)
    PYTHONPATH=. python bench/name_lookalikes.py --load FILE.pkl             (the counts again, no OCR)

Each ROOT holds family folders `<family>/scans` + `<family>/run-*/data` (bench/hold_reasons.py's layout),
already re-mapped with the code under test. For every one-line name cell that kept alternatives
(pipeline.page.extract.name_alternatives), the first crop is cut again from the stored clean page
(bench/name_witness.StoredCrops) and every text one character from the kept value, that character
replaced by one of the name alphabet's characters in the recognizer's dictionary that look like it (mapping.glyphs.looks_alike, the
shape measure the recognizer's confusions are judged by), is scored on the crop (engine.score_readings,
ocr.ctc). Then the name is chosen as mapping.normalize.rescore_name chooses (pooled sexes), over the
listed texts alone and over the listed texts plus the look-alikes: names put right / made wrong, by
the chosen text's weighed margin. The pickle (unmasked names and truth) is owner-only; counts only are printed.

Measured (session 44, s43-faded's design stores x93, c51v, f50, fr39v, c91, f91, g16): the truth is among the
look-alike texts in 25 of the 60 wrong names whose truth the search listed nowhere, but weighing them all with the
listed texts puts right 5 names and makes 4 wrong: not built as such. A read-time search restricted to glyphs the
official tables doubt was built, measured (+1 name, 2 of 3 texts taken wrong, 14-36 s a process) and dropped
(docs/evaluation.md "Session 44"); lookalikes_among lives here now.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter
from functools import lru_cache
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
from mapping.glyphs import LOOKALIKE, _bitmap  # noqa: E402
from mapping.spec import field_types  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.safety import private_file  # noqa: E402


@lru_cache(maxsize=2)
def _bitmaps_of(alphabet: str) -> tuple[str, np.ndarray]:
    """The characters of `alphabet` that can be drawn and their bitmaps as rows of one matrix."""
    chars, rows = [], []
    for ch in dict.fromkeys(alphabet):
        b = _bitmap(ch)
        if b is not None:
            chars.append(ch)
            rows.append(b.ravel())
    return "".join(chars), (np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32))


def lookalikes_among(ch: str, alphabet: str) -> str:
    """The characters of `alphabet` other than `ch` that look like it (similarity >= LOOKALIKE, as
    mapping.glyphs.looks_alike measures), most alike first."""
    own = _bitmap(ch)
    chars, mat = _bitmaps_of(alphabet)
    if own is None or not chars:
        return ""
    sims = mat @ own.ravel()
    return "".join(chars[i] for i in np.argsort(-sims, kind="stable") if sims[i] >= LOOKALIKE and chars[i] != ch)


def variants(value: str, alphabet: str) -> list[str]:
    out = []
    for i, ch in enumerate(value):
        for c in lookalikes_among(ch, alphabet):
            out.append(value[:i] + c + value[i + 1 :])
    return out


def gather(label: str, scans: Path, data: Path, settings: Settings, engine: Any) -> list[dict[str, Any]]:
    truths, rows = records_with_truth(scans, data, settings)
    name_fields = [f for f, t in field_types().items() if t == "name"]
    stored = StoredCrops(data)
    alphabet = "".join(ch for ch in N.name_alphabet() if ch in engine.dictionary())
    out = []
    for r in rows:
        if r["id"] not in truths:
            continue
        for f in name_fields:
            fv = r["fields"].get(f) or {}
            cell = next((c for c in r["cells"] if fv.get("box") and c.get("box") == fv.get("box")), None)
            if cell is None or not cell.get("alternatives"):
                continue
            value = E.scored_value(fv.get("value")) or ""
            if not value or "·" in value:
                continue
            crop = stored.crop(r["page_id"], cell["box"])
            if crop is None:
                continue
            alts = [(str(t), float(x)) for t, x in cell["alternatives"]]
            listed = {t for t, _x in alts}
            new = [v for v in dict.fromkeys(variants(value, alphabet)) if v not in listed]
            again = engine.score_readings(crop, [value] + new) or []
            out.append(
                {
                    "store": label,
                    "field": f,
                    "status": r["status"],
                    "truth": E.scored_value(truths[r["id"]].get(f)) or "",
                    "value": value,
                    "flags": list(fv.get("flags") or []),
                    "alts": alts,
                    "value_again": again[0] if again else None,
                    "new": list(zip(new, again[1:])),
                }
            )
    return out


def choose(alts: list[tuple[str, float]], value: str) -> N.NameWeighing | None:
    return N.rescore_name(value, alts)


def report(rows: list[dict[str, Any]]) -> None:
    c: Counter = Counter()
    margins: list[tuple[float, bool]] = []
    for r in rows:
        v, t = r["value"], r["truth"]
        c["cells"] += 1
        c["right" if v == t else "wrong"] += 1
        listed = {x for x, _s in r["alts"]}
        if v != t and t not in listed:
            c["wrong_truth_unlisted"] += 1
            if t in {x for x, _s in r["new"]}:
                c["wrong_truth_among_lookalikes"] += 1
        base = choose(r["alts"], v)
        # the look-alikes' scores on the recut crop, moved onto the stored scale by the value's own shift
        own = dict(r["alts"]).get(v)
        shift = (own - r["value_again"]) if own is not None and r["value_again"] is not None else 0.0
        wide = choose(r["alts"] + [(x, s + shift) for x, s in r["new"] if s > -1e9], v)
        if base is None or wide is None:
            continue
        if wide.text != base.text:
            ok = wide.text == t
            was = base.text == t
            c["changed"] += 1
            c["put_right" if ok and not was else "made_wrong" if was else "wrong_to_wrong"] += 1
            margins.append((wide.share, ok))
    print(dict(c))
    for lo in (0.0, 0.5, 0.7, 0.8, 0.9):
        sel = [ok for s, ok in margins if s >= lo]
        print(f"share>={lo}: changed {len(sel)}, right {sum(sel)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="*")
    ap.add_argument("--out")
    ap.add_argument("--load")
    args = ap.parse_args()
    if args.load:
        report(pickle.loads(Path(args.load).read_bytes()))
        return
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    settings = Settings.load(None)
    rows: list[dict[str, Any]] = []
    for label, scans, data in family_stores([Path(r) for r in args.roots]):
        rows += gather(label, scans, data, settings, engine)
        print(label, len(rows), flush=True)
    with private_file(args.out, "wb") as fh:
        fh.write(pickle.dumps(rows))
    report(rows)


if __name__ == "__main__":
    main()
