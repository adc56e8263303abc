"""Issue 21: the number fields (phones, certificate numbers, IDs) on bench stores, field by field.

    python bench/number_fields.py DIR [DIR ...]     # family dirs kept by bench_families.py

Each family dir's stored cells are re-mapped with today's mapping code (bench/fields_wrong.py's
`cases`: exactly `backfill remap`, the packaged thresholds); then for registrant_phone, agent_phone,
cremation_cert_no and id_number, over the rows whose page, row and column were right: how many truth
values there are, how many were read exactly, how many wrong (a value other than the truth's, or none),
how many of the wrong ones were auto-accepted, and how often each flag the number checks put
(phone_off_plan, phone_decoded, cert_no_out_of_run, cert_no_decoded_by_run, id_decoded_by_row) sits on
a right and on a wrong value. Only counts are printed: no number is shown. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fields_wrong import cases  # noqa: E402

from pipeline.kernel.config import Settings  # noqa: E402

FIELDS = ("registrant_phone", "agent_phone", "cremation_cert_no", "id_number")
FLAGS = ("phone_off_plan", "phone_decoded", "cert_no_out_of_run", "cert_no_decoded_by_run", "id_decoded_by_row")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    settings = Settings.load(None)
    totals: dict[str, Counter] = defaultdict(Counter)
    for d in args.dirs:
        for c in cases(Path(d), settings, every=True):
            if c["field"] not in FIELDS or not c["truth"]:
                continue
            t = totals[c["field"]]
            right = c["truth"] == c["value"]
            t["truth"] += 1
            t["exact" if right else "wrong"] += 1
            t["auto"] += c["auto"]
            t["wrong_auto"] += c["auto"] and not right
            for fl in FLAGS:
                if fl in c["flags"]:
                    t[f"{fl}:{'right' if right else 'wrong'}"] += 1
    for name in FIELDS:
        t = totals[name]
        flags = ", ".join(f"{k} {n}" for k, n in sorted(t.items()) if ":" in k) or "-"
        print(
            f"{name:18s} exact {t['exact']}/{t['truth']} ({t['exact'] / max(t['truth'], 1):.2%}), wrong {t['wrong']}, "
            f"auto-accepted {t['auto']} (wrong among them {t['wrong_auto']}); flags: {flags}"
        )


if __name__ == "__main__":
    main()
