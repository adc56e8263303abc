"""Issue 21 analysis (session 34): digit cells (STRETCH_FIELDS: IDs, certificate and phone numbers) whose line
bands change when rows taken for a ruling but inked right above and below do not part a line
(pipeline.page.layout.join_across_ruled, text_line_bands one_line). No OCR but of the changed cells.

    PYTHONPATH=. python bench/digit_bands.py FAMILY_DIR...

Each FAMILY_DIR is what bench_families.py keeps (read as stored, not remapped). For each digit field of a
record paired with a truth row (bench/carbon_names.cases with the digit fields), its cell's lines are cut as
read_cells cuts them now and as before (one_line off), and where they differ both are read (greedy, lines
joined, spaces dropped): counts of cells changed, read right before / now, and the stored value right.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import carbon_names  # noqa: E402
from carbon_preps import load_lines  # noqa: E402

import pipeline.page.extract as X  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.layout import text_line_bands  # noqa: E402

DIGITS = ("id_number", "cremation_cert_no", "agent_phone", "registrant_phone")


def main() -> None:
    from ocr.ppocr import PpOcrEngine

    carbon_names.FIELDS = DIGITS
    settings = Settings.load(None)
    eng = PpOcrEngine()
    total: Counter[str] = Counter()
    for d in [Path(x) for x in sys.argv[1:]]:
        cs = [c for c in carbon_names.cases(d, settings, False) if c["box"]]
        load_lines(d, cs, settings)
        now = {id(c): c["lines"] for c in cs}
        with mock.patch.object(X, "text_line_bands", lambda crop, *a, **k: text_line_bands(crop, *a)):
            load_lines(d, cs, settings)
        k: Counter[str] = Counter()
        for c in cs:
            a, b = c["lines"], now[id(c)]
            k["cells"] += 1
            if len(a) == len(b) and all(x.shape == y.shape for x, y in zip(a, b)):
                continue
            ra = "".join(X.cell_from_pieces(eng.recognize_crops(a), c["box"], 0.3).text.split()) if a else ""
            rb = "".join(X.cell_from_pieces(eng.recognize_crops(b), c["box"], 0.3).text.split()) if b else ""
            f = c["field"]
            k[f"{f}: changed"] += 1
            k[f"{f}: right before"] += ra == c["truth"]
            k[f"{f}: right now"] += rb == c["truth"]
            k[f"{f}: stored value right"] += c["value"] == c["truth"]
        print(d.parent.parent.name, d.name, dict(sorted(k.items())), flush=True)
        total.update(k)
    print("all", dict(sorted(total.items())))


if __name__ == "__main__":
    main()
