"""Session 39: how the number fields of photographed registers are read wrong (certificate and registration
numbers, dates, ages, IDs, phones), field by field and by kind of error. Re-maps stored cells (no OCR).

    PYTHONPATH=. python bench/number_errors.py FAMILY_DIR [FAMILY_DIR ...]    # dirs kept by bench_families.py

The stores are re-mapped IN PLACE (bench/fields_wrong.run_store): run it on copies. For each number field of
a row scored field by field (bench/fields_wrong.cases), the value is compared with the truth; a wrong one is
put in one kind by comparing its raw reading with the text written in the cell (digits only):
blank (no value), raw_right (the reading has the written digits: normalization or a rule lost it),
digit_sub (same number of digits, n differ), dropped / doubled (one digit fewer / more), prefix_lost (the
written digits end with the read ones), far (anything else), and whether the reading has a letter or a
separator the written text lacks. Counts only: no value is printed.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fields_wrong import SUMMARY, cases  # noqa: E402

from pipeline.kernel.config import Settings  # noqa: E402

NUMBER_FIELDS = (
    "cremation_cert_no",
    "registration_no",
    "cremation_no",
    "voyage_no",
    "death_date",
    "cremation_date",
    "scattering_date",
    "birth_date",
    "age_years",
    "onboard_count",
    "id_number",
    "agent_phone",
    "registrant_phone",
)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def kind(cell: str, raw: str, value: str) -> str:
    if not value:
        return "blank"
    w, r = digits(cell), digits(raw)
    if not w:
        return "cell_no_digits"
    if r == w:
        return "raw_right"
    if w.endswith(r) and len(r) < len(w):
        return "prefix_lost"
    d = Levenshtein.distance(w, r)
    if len(r) == len(w):
        return f"digit_sub{min(d, 3)}"
    if len(r) == len(w) - 1 and d == 1:
        return "dropped"
    if len(r) == len(w) + 1 and d == 1:
        return "doubled"
    return "far"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    settings = Settings.load(None)
    totals: dict[str, Counter] = defaultdict(Counter)
    kinds: dict[str, Counter] = defaultdict(Counter)
    subs: Counter = Counter()
    for d in args.dirs:
        for c in cases(Path(d), settings, every=True):
            if c["field"] not in NUMBER_FIELDS or not c["truth"]:
                continue
            t = totals[c["field"]]
            right = c["truth"] == c["value"]
            t["truth"] += 1
            t["exact" if right else "wrong"] += 1
            t["auto_wrong"] += c["auto"] and not right
            if right:
                continue
            k = kind(c["cell"], c["raw"], c["value"])
            kinds[c["field"]][k] += 1
            if re.search(r"[A-Za-z]", c["raw"]) and not re.search(r"[A-Za-z]", c["cell"]):
                kinds[c["field"]]["+letter"] += 1
            if c["flags"]:
                kinds[c["field"]]["+flagged"] += 1
            w, r = digits(c["cell"]), digits(c["raw"])
            if len(w) == len(r):
                for a, b in zip(w, r):
                    if a != b:
                        subs[f"{a}>{b}"] += 1
    for line in SUMMARY:
        print(line)
    for name in NUMBER_FIELDS:
        t = totals.get(name)
        if not t:
            continue
        ks = ", ".join(f"{k} {n}" for k, n in kinds[name].most_common())
        print(f"{name:17s} exact {t['exact']}/{t['truth']}, wrong {t['wrong']} (auto {t['auto_wrong']}): {ks}")
    print("digit confusions (written>read):", ", ".join(f"{k} {n}" for k, n in subs.most_common(20)))


if __name__ == "__main__":
    main()
