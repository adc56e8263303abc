"""Issue 21 analysis: can recognizer evidence tell the wrong names that are auto-accepted (or at their
threshold) from the right ones? Counts only: no name is printed. No product change.

    PYTHONPATH=. python bench/name_doubts.py FAMILY_DIR... [--no-remap] [--v4]

Each FAMILY_DIR is what bench_families.py keeps (scans/ with the truth beside them, run-*/data the store;
remapped first with today's code unless --no-remap: use a copy). Over the name fields (deceased, agent,
registrant) of records paired with a truth row (bench/carbon_names.cases), per directory and over all:

- `agreed`: auto-accepted names whose two readings agree (ocr.agreement.resolve lifts them to
  1 - (1 - c1)(1 - c2)), right / wrong by the band both readings lie in: is a confidently wrong name apart
  from the right ones by its readings' confidences (the per-character minimum, ocr.ppocr char_confidence)?
- `lookalike`: auto-accepted names with a character whose look-alike in the name alphabet (mapping.glyphs,
  similarity >= LOOKALIKE) is K times more frequent in real names (mapping/data/given_name_chars.txt, the
  surname list's rank for a first character), right / wrong, K = 2 .. 100: would a shape-confusion doubt
  hold the wrong ones without the right ones?
- `reweighed`: names that mapping.normalize.rescore_name changed (flag name_reread_by_frequency) whose two
  readings agreed: the agreed reading right / the new value right (does the prior override a right reading?).
- `--v4`: PP-OCRv4 mobile (the `v4` model set, a second recognizer) reads the line crop of every name at or
  above its threshold again (cut from the stored clean page, bench/bilevel_edges.cell_lines); right / wrong
  by whether v4 reads the value too, and where it does not, v4's log-probability of its own text minus that
  of the value (engine.score_readings): would v4's disagreement doubt the wrong ones only? Slow (OCR).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from carbon_names import NAMES, cases  # noqa: E402

from mapping import glyphs  # noqa: E402
from mapping.normalize import _given_name_counts, _surname_ranks, fold_traditional, name_alphabet  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402

THRESHOLD = 0.985  # the packaged names' threshold (mapping/data/thresholds.json)


def _ok(c: dict[str, Any]) -> str:
    return "right" if c["value"] == c["truth"] else "WRONG"


def agreed(cs: list[dict[str, Any]], t: Counter) -> None:
    for c in cs:
        if not c["auto"] or c["second"] is None or c["second"] != c["first"]:
            continue
        lo, hi = min(c["c1"], c["c2"]), max(c["c1"], c["c2"])
        band = (
            "both >= 0.99"
            if lo >= 0.99
            else "one >= 0.99"
            if hi >= 0.99
            else "both in [0.95, 0.99)"
            if lo >= 0.95
            else "both in [0.9, 0.95)"
            if lo >= 0.9
            else "lower < 0.9"
        )
        t[f"agreed auto {_ok(c)}: {band}"] += 1


class Lookalikes:
    """Each name-alphabet character's look-alikes (similarity >= glyphs.LOOKALIKE), by one matrix product."""

    def __init__(self) -> None:
        bm = glyphs._bitmap.__wrapped__  # uncached: the alphabet is larger than the cache
        self.chars = [ch for ch in name_alphabet() if bm(ch) is not None]
        self.m = np.stack([bm(ch).ravel() for ch in self.chars]).astype(np.float32)
        self.near: dict[str, list[str]] = {}
        self.counts, _total = _given_name_counts()
        self.ranks = _surname_ranks()

    def of(self, ch: str) -> list[str]:
        if ch not in self.near:
            b = glyphs._bitmap.__wrapped__(ch)
            sims = self.m @ b.ravel().astype(np.float32) if b is not None else np.zeros(len(self.chars))
            self.near[ch] = [self.chars[j] for j in np.nonzero(sims >= glyphs.LOOKALIKE)[0] if self.chars[j] != ch]
        return self.near[ch]

    def ratio(self, name: str) -> float:
        """The largest frequency ratio of a look-alike over the character it looks like, over the name."""
        best = 0.0
        for i, ch in enumerate(name):
            for o in self.of(ch):
                if i == 0:
                    r = (self.ranks.get(ch, 10**4) + 10) / (self.ranks.get(o, 10**4) + 10)
                else:
                    r = (self.counts.get(o, 0) + 1) / (self.counts.get(ch, 0) + 1)
                best = max(best, r)
        return best


def lookalike(cs: list[dict[str, Any]], t: Counter, la: Lookalikes) -> None:
    for c in cs:
        if not c["auto"] or not c["value"]:
            continue
        r = la.ratio(c["value"])
        for k in (2, 10, 30, 100):
            t[f"lookalike ratio >= {k:3d}: auto {_ok(c)} held"] += r >= k
        t[f"lookalike: auto {_ok(c)}"] += 1


def reweighed(cs: list[dict[str, Any]], t: Counter) -> None:
    for c in cs:
        if "name_reread_by_frequency" not in c["flags"] or c["second"] is None:
            continue
        first, second = fold_traditional(c["first"]), fold_traditional(c["second"])
        if first != second:
            continue
        t[f"reweighed, readings agreed: reading {'right' if first == c['truth'] else 'wrong'} -> value {_ok(c)}"] += 1


def v4_witness(d: Path, cs: list[dict[str, Any]], settings: Settings, t: Counter, v4: Any) -> None:
    import cv2
    from bilevel_edges import cell_lines
    from sqlalchemy import select

    from pipeline.kernel.store import Page, SourceFile, Store
    from pipeline.page.layout import Grid

    data = next(d.glob("run-*")) / "data"
    store = Store.open(settings.with_(data_dir=str(data)))
    with store.session() as sess:
        pages = {
            (sf, p.page_no): (p.clean_image, p.layout)
            for p, sf in sess.execute(select(Page, SourceFile.abs_path).join(SourceFile, Page.file_id == SourceFile.id))
        }
    store.dispose()
    for c in cs:
        if not c["value"] or not c["box"] or c["conf"] < THRESHOLD:
            continue
        sha, layout = pages.get((c["path"], c["page"]), (None, None))
        if not sha or not layout:
            continue
        img = cv2.imread(str(next((data / "images").rglob(f"{sha}*"))), cv2.IMREAD_GRAYSCALE)
        lines = cell_lines(img, Grid.from_dict(layout["grid"]), c["box"], c["field"])
        if len(lines) != 1:
            continue
        got = fold_traditional("".join(v4.recognize_crops(lines)[0].text.split()))
        where = "auto" if c["auto"] else "above"
        if got == c["value"]:
            t[f"v4 {where} {_ok(c)}: v4 reads the value"] += 1
            continue
        sc = v4.score_readings(lines[0], [c["value"], got]) or [float("nan")] * 2
        gap = sc[1] - sc[0]
        band = "< 1" if gap < 1 else "1-3" if gap < 3 else ">= 3"
        t[f"v4 {where} {_ok(c)}: v4 reads otherwise, log p(own) - log p(value) {band}"] += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--no-remap", action="store_true")
    ap.add_argument("--v4", action="store_true")
    args = ap.parse_args()
    settings = Settings.load(None)
    la = Lookalikes()
    v4 = None
    if args.v4:
        from ocr.ppocr import PpOcrEngine

        v4 = PpOcrEngine(model="v4")
    total: Counter = Counter()
    for d in map(Path, args.dirs):
        cs = [c for c in cases(d, settings, not args.no_remap) if c["field"] in NAMES]
        t: Counter = Counter()
        t["names"] += len(cs)
        t["names wrong"] += sum(c["value"] != c["truth"] for c in cs)
        agreed(cs, t)
        lookalike(cs, t, la)
        reweighed(cs, t)
        if v4 is not None:
            v4_witness(d, cs, settings, t, v4)
        print(f"== {d}")
        for k in sorted(t):
            print(f"  {k}: {t[k]}")
        total.update(t)
    print("== all")
    for k in sorted(total):
        print(f"  {k}: {total[k]}")


if __name__ == "__main__":
    main()
