"""Issue 21 analysis: which part of a wrong register number (registration_no, cremation_cert_no ...) was
misread, counted over a bench store; counts and character classes only, never a value.

    python bench/serial_parts.py DIR [DIR ...] [--field registration_no]

Each DIR is a family dir as bench_families.py keeps it (scans/ with the truth, run-*/data the store); its
cells are re-mapped with today's code on the store given (bench/fields_wrong.cases: `backfill remap`'s
mapping, no blind audit drawn), so give a COPY. Every wrong value of the field is split by its truth
into parts: the letter prefix (HZ of HZ2013-017), the digit groups (first: year where it has 4 digits,
last: serial) and the separators. Each edit from the value to the truth (Levenshtein) is counted against
the truth's part it falls in; the misread characters of the prefix by class (a digit, another letter,
other, lost). Then, per family dir, whether the page's column could have told the prefix: how many of the
values read the true prefix, and the capital that the recognizer's glyph similarity (mapping.glyphs
.similarity, summed over the column's readings at that position) names there, against the truth's.
Written for session 30 (carbon copies c5/c6: the whole registration_no column of one document misread
in its prefix). Never part of the test suite.
"""

from __future__ import annotations

import argparse
import re
import string
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fields_wrong import cases  # noqa: E402

from mapping.glyphs import similarity  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402


def parts(truth: str) -> list[str]:
    """The part of each character of a register number: 'prefix', 'year', 'serial', 'digits<i>', 'separator'."""
    m = re.match(r"[A-Za-z]*", truth)
    n = len(m.group(0)) if m else 0
    groups = list(re.finditer(r"[0-9]+", truth))
    out = ["prefix"] * n + ["separator"] * (len(truth) - n)
    for i, g in enumerate(groups):
        name = "serial" if i == len(groups) - 1 else "year" if len(g.group(0)) == 4 else f"digits{i}"
        for p in range(g.start(), g.end()):
            out[p] = name
    return out


def char_class(c: str) -> str:
    return "digit" if c.isdigit() else "letter" if c.isascii() and c.isalpha() else "other"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--field", default="registration_no")
    args = ap.parse_args()
    settings = Settings.load(None)
    for d in args.dirs:
        wrong: list[dict[str, Any]] = [c for c in cases(Path(d), settings) if c["field"] == args.field and c["value"]]
        part_wrong: Counter[str] = Counter()
        prefix_as: Counter[str] = Counter()
        wrong_parts: Counter[str] = Counter()
        for c in wrong:
            t, v = c["truth"], c["value"]
            ps = parts(t)
            hit = set()
            for op in Levenshtein.editops(v, t):
                part = ps[min(op.dest_pos, len(ps) - 1)]
                hit.add(part)
                if part == "prefix":
                    prefix_as["lost" if op.tag == "insert" else "added" if op.tag == "delete" else char_class(v[op.src_pos])] += 1
            for p in hit:
                part_wrong[p] += 1
            wrong_parts["+".join(sorted(hit))] += 1
        print(f"{d}: {args.field} wrong (not blank) {len(wrong)}, auto-accepted {sum(c['auto'] for c in wrong)}")
        print("  values with a misread part:", dict(part_wrong.most_common()))
        print("  parts misread together:", dict(wrong_parts.most_common()))
        print("  prefix characters read as:", dict(prefix_as.most_common()))
        truths = Counter(re.match(r"[A-Za-z]*", c["truth"]).group(0) for c in wrong)  # type: ignore[union-attr]
        for pre, _k in truths.most_common(3):
            if not pre:
                continue
            rows = [c for c in wrong if c["truth"].startswith(pre)]
            same = [c["value"][: len(pre)] for c in rows if len(parts(c["truth"])) == len(c["value"])]
            votes = []
            for i, want in enumerate(pre):
                chars = [s[i] for s in same]
                best = max(string.ascii_uppercase, key=lambda L, chars=chars: sum(similarity(ch, L) for ch in chars))  # type: ignore[misc]
                votes.append(
                    f"pos{i}: truth read {sum(ch == want for ch in chars)}/{len(chars)}, glyph vote {'=' if best == want else '!='} truth"
                )
            print(f"  prefix of {len(pre)} letters ({len(rows)} wrong, {len(same)} read at full length): " + "; ".join(votes))


if __name__ == "__main__":
    main()
