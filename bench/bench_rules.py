"""Do the rules tuned to PP-OCRv4's errors still pay with the recognizer in use? (issue 27)

    python bench/bench_rules.py --data bench/out/accuracy-27027/data [--out bench/results/rules-....md]

Maps the stored cells again with the current code (no OCR), scores every field against the truth, and
for each flag a recognizer-property rule puts on a field says how often the flagged field is right.
A fix (a character put right, a decoded value) pays where its fields are right; a doubt (confidence
lowered, the field sent to review) pays where its fields are often wrong, and costs review time where
they are right. Run it on a set no rule or threshold was fitted on. Never a test.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Store  # noqa: E402
from pipeline.quality.evaluate import evaluate  # noqa: E402
from pipeline.runs.stages import remap  # noqa: E402

RULES = {  # flag -> (rule, fix or doubt)
    "place_glyph_fixed": ("瞳 → 疃 in addresses (mapping.normalize._PLACE_GLYPHS)", "fix"),
    "glyph_outside_ocr_dictionary": ("乔 / 奋村 / 奇村 doubted as 夼 (mapping.normalize._DOUBTFUL_GLYPHS)", "doubt"),
    "village_corrected": ("village put right against the town's list (UNREADABLE, DROPPED, LOOKALIKES)", "fix"),
    "sea_area_matched_by_shape": ("sea area matched to the list by glyph shape", "fix"),
    "decoded_valid": ("invalid ID / off-list sea area decoded by the recognizer", "fix"),
    "name_glyph_doubtful": ("names with 逢 / 干 / 风 / 字 / 肠 doubted", "doubt"),
    "name_reread_by_frequency": ("doubted name re-weighed by real names' frequency", "fix"),
    "place_glyph_doubtful": ("掖县 misread doubted", "doubt"),
    "engines_agree": ("second reading agrees", "agreement"),
    "engines_disagree": ("second reading disagrees", "agreement"),
    "readings_same_value": ("two readings give the same value", "agreement"),
    "spec_chose_reading": ("spec chose one of two readings", "fix"),
    "ditto_resolved": ("ditto mark: value of the row above", "fix"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out")
    args = ap.parse_args()
    settings = Settings(data_dir=args.data)
    store = Store.open(settings)
    remap(store, settings)
    ev = evaluate(store, processed_only=True)
    store.dispose()
    n, right = Counter(), Counter()
    for o in ev.observations:
        for f in set(o.flags):
            n[f] += 1
            right[f] += o.right
    lines = [
        f"# Recognizer-property rules on {args.data} ({len(ev.observations)} fields, field accuracy {ev.field_accuracy:.2%})",
        "",
        "| flag | rule | kind | fields | right |",
        "|---|---|---|---|---|",
    ]
    for flag, (rule, kind) in RULES.items():
        lines.append(
            f"| {flag} | {rule} | {kind} | {n[flag]} | {right[flag]} ({right[flag] / n[flag]:.0%}) |"
            if n[flag]
            else f"| {flag} | {rule} | {kind} | 0 | – |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
