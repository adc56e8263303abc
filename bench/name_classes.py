"""Why names are read wrong: every wrong name field on a bench store, sorted into classes. Counts only.

    PYTHONPATH=. python bench/name_classes.py ROOT... [--remap]

Each ROOT holds family folders `<family>/scans` + `<family>/run-*/data` (bench/hold_reasons.py's
layout; `--remap` re-maps the stores first: run it on COPIES of the shared stores). Every name field
(mapping.spec type `name`) whose page, row and column were scored is compared with the truth; a wrong
one is put in one class, by what the recognizer's own stored evidence says about it:

- `blank`: nothing mapped; `outside_alphabet`: the true name holds a character outside the name
  alphabet (mapping.normalize.name_alphabet: the constrained search cannot find it);
- `not_searched_*`: the cell kept no alternatives (read once, sure enough, or a multi-line cell):
  `_same_len` / `_len` (the value has the true length or not);
- `searched_truth_top` / `searched_truth_listed` / `searched_truth_unlisted`: the cell was searched
  (name_alternatives): the true name is the best weighed text (yet not chosen: the value is another
  length or a flag), among the listed texts (with its rank), or not among them; `_len` where the
  value's length differs from the truth's.

Also: how far the true name's log-probability is from the value's (where listed), the second
reading equal to the truth, and the same classes for names read right (so a rule's cost can be
judged). No value of any record is printed.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hold_reasons import family_stores  # noqa: E402
from name_witness import records_with_truth  # noqa: E402

import mapping.normalize as N  # noqa: E402
import pipeline.quality.evaluate as E  # noqa: E402
from mapping.spec import field_types  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED  # noqa: E402


def weighed_rank(text: str, alternatives: list[list[Any]]) -> int | None:
    """The text's place (0 = best) among the listed texts of its length, weighed as rescore_name weighs."""
    same = {t: float(x) for t, x in alternatives if len(t) == len(text)}
    if text not in same:
        return None
    w = {t: x + N.NAME_PRIOR_WEIGHT * N.name_log_prior(t) for t, x in same.items()}
    return sorted(w, key=lambda t: -w[t]).index(text)


def classify(truth: str, fv: dict[str, Any], cell: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    value = E.scored_value(fv.get("value")) or ""
    extra: dict[str, Any] = {}
    if not value:
        return "blank", extra
    alphabet = set(N.name_alphabet())
    if any(ch not in alphabet for ch in truth if ch != "·"):
        return "outside_alphabet", extra
    ln = "" if len(value) == len(truth) else "_len"
    alts = (cell or {}).get("alternatives")
    second = "".join(str((cell or {}).get("second") or "").split())
    extra["second_is_truth"] = N.fold_traditional(second) == truth
    first = "".join(str((cell or {}).get("text") or "").split())
    extra["first_is_truth"] = N.fold_traditional(first) == truth
    if not alts:
        return "not_searched" + ("_same_len" if not ln else "_len"), extra
    listed = {N.fold_traditional(t): float(x) for t, x in alts}
    if truth not in listed:
        return "searched_truth_unlisted" + ln, extra
    raw_ranked = sorted(listed, key=lambda t: -listed[t])
    extra["heard_rank"] = raw_ranked.index(truth)
    wr = weighed_rank(truth, [[N.fold_traditional(t), x] for t, x in alts])
    extra["weighed_rank"] = wr
    if value in listed:
        extra["gap"] = listed[value] - listed[truth]
    return ("searched_truth_top" if wr == 0 else "searched_truth_listed") + ln, extra


def gather(label: str, scans: Path, data: Path, settings: Settings, do_remap: bool) -> list[dict[str, Any]]:
    truths, rows = records_with_truth(scans, data, settings, do_remap)
    recs = [(r["id"], r["status"], r["fields"], r["cells"]) for r in rows]
    name_fields = [f for f, t in field_types().items() if t == "name"]
    out = []
    for rid, status, fields, cells in recs:
        if rid not in truths:
            continue
        for f in name_fields:
            truth = E.scored_value(truths[rid].get(f)) or ""
            fv = fields.get(f) or {}
            if not truth:
                continue
            cell = next((c for c in cells if fv.get("box") and c.get("box") == fv.get("box")), None)
            right = truth == (E.scored_value(fv.get("value")) or "")
            cls, extra = classify(truth, fv, cell)
            out.append(
                {
                    "store": label,
                    "field": f,
                    "right": right,
                    "cls": cls,
                    "auto": status == AUTO_ACCEPTED,
                    "conf": float(fv.get("confidence") or 0.0),
                    "flags": list(fv.get("flags") or []),
                    **extra,
                }
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--remap", action="store_true")
    args = ap.parse_args()
    settings = Settings.load(None)
    rows: list[dict[str, Any]] = []
    for label, scans, data in family_stores([Path(r) for r in args.roots]):
        rows += gather(label, scans, data, settings, args.remap)
    wrong = [r for r in rows if not r["right"]]
    print(
        f"names scored {len(rows)}, right {len(rows) - len(wrong)} ({1 - len(wrong) / max(1, len(rows)):.2%}), wrong {len(wrong)}"
    )
    print("wrong by class:", dict(Counter(r["cls"] for r in wrong).most_common()))
    print("wrong by class and auto:", dict(Counter((r["cls"], r["auto"]) for r in wrong).most_common()))
    print("right by class (not blank / outside only):", dict(Counter(r["cls"] for r in rows if r["right"]).most_common()))
    print(
        "wrong, second reading = truth:",
        sum(bool(r.get("second_is_truth")) for r in wrong),
        " first reading = truth:",
        sum(bool(r.get("first_is_truth")) for r in wrong),
    )
    print("wrong listed: heard rank", dict(Counter(r.get("heard_rank") for r in wrong if "heard_rank" in r).most_common()))
    print("wrong listed: weighed rank", dict(Counter(r.get("weighed_rank") for r in wrong if "heard_rank" in r).most_common()))
    gaps = sorted(round(r["gap"], 1) for r in wrong if "gap" in r)
    print("wrong listed: log-prob gap value - truth", gaps)
    print("wrong flags:", dict(Counter(fl for r in wrong for fl in r["flags"]).most_common()))
    print("wrong by field:", dict(Counter(r["field"] for r in wrong).most_common()))
    print("wrong conf buckets:", dict(Counter(round(r["conf"], 1) for r in wrong).most_common()))


if __name__ == "__main__":
    main()
