"""Session 42 (s42-phone-nums): photographed digit-field misses by cause, and what the official checks of
their structure, with the recognizer's own alternatives, would put right or make wrong.

    PYTHONPATH=. python bench/digit_checks.py [--beam] [--no-remap] FAMILY_DIR [FAMILY_DIR ...]

Each FAMILY_DIR is what bench/bench_families.py keeps; its store is re-mapped IN PLACE by this checkout
(bench/fields_wrong.run_store) unless --no-remap: run it on copies. Only pages processed as photographs.

Fields: the phones, the death / cremation / scattering dates, the age and the cremation certificate number.
1. Every miss (a scored row whose value is not the truth's) by cause, comparing the digits of the kept
   reading (raw) with the digits written in the cell: `blank` (no value; `blank_unread` nothing read at
   all), `fused` (the reading holds the written digits and more than two more: two cells in one),
   `chosen_wrong` (the cell's first or second reading or a stored alternative gives the truth, another was
   kept), `raw_right` (the kept reading has the written digits: a rule or normalizer lost it),
   `dropped` / `added` (one digit fewer / more, else `length`), `confused1`/`confused2+` (same length),
   with the digit pairs (written>read).
2. The checks (official structure): a phone of the numbering plan (MIIT 电信网编号计划:
   mapping.normalize.normalize_phone with no bad_phone / phone_off_plan flag); a date on the calendar and in
   the register's order (death <= cremation <= scattering; cremation at most the spec's
   cremation_gap_warn_days after death); an age within the spec's tolerance of the years between the birth
   date (GB 11643 digits 7-14, or the birth-date cell) and the death date; a certificate number whose year
   (SPEC: a 4-digit year and a 5-digit serial) is the cremation date's. For each field whose kept value
   fails its check, right or wrong: the candidates are the cell's stored readings and alternatives and
   (--beam) the recognizer's likeliest texts of the field's written forms on the cell's own crop
   (ocr likeliest_texts under mapping.numberforms, what read_cells' number decoding searches; phones:
   the numbering plan's forms), each with its drop below the best text; a rule proposing the one passing
   candidate (within a drop) is scored: truth proposed (puts right), another value proposed (a right value
   made wrong, or a wrong one left wrong), none.

Counts only: no value is printed. Never part of the test suite.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fields_wrong import read_crop, run_store, scored_rows, stored_pages  # noqa: E402

from mapping import normalize as N  # noqa: E402
from mapping.numberforms import fits_form, form_alphabet, form_prefix, form_value  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402
from pipeline.quality.evaluate import scored_value  # noqa: E402

FIELDS = {
    "registrant_phone": "phone",
    "agent_phone": "phone",
    "death_date": "date",
    "cremation_date": "date",
    "scattering_date": "date",
    "age_years": "age",
    "cremation_cert_no": "cert_no",
}
MARGINS = (1.0, 2.0, 3.0)
ROW_MAX_DROP = 10.0  # mapping.idfix.ROW_DECODE_MAX_DROP
RULES = load_spec().rules


def digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def iso(v: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(v)) if v else None
    except ValueError:
        return None


def cause(cell: str, raw: str, value: Any, readings: list[Any], truth: str) -> str:
    w, r = digits(cell), digits(raw)
    if not value:
        return "blank_unread" if not raw else "blank"
    if truth in readings:
        return "chosen_wrong"
    if len(r) > len(w) + 2 and w and w in r:
        return "fused"
    if r == w:
        return "raw_right"
    if len(r) == len(w):
        return "confused1" if sum(a != b for a, b in zip(w, r)) == 1 else "confused2+"
    if len(r) == len(w) - 1:
        return "dropped"
    if len(r) == len(w) + 1:
        return "added"
    return "length"


def passes(field: str, value: Any, row: dict[str, Any]) -> bool | None:
    """Whether `value` passes its field's check beside the row's other values (None: nothing to check with)."""
    kind = FIELDS[field]
    if value is None:
        return False
    if kind == "phone":
        return True  # a value normalize_phone gave: in the plan (the caller checks the flags)
    if kind == "date":
        d = iso(value)
        if d is None:
            return False
        dates = {f: iso(row.get(f)) for f in ("death_date", "cremation_date", "scattering_date")}
        dates[field] = d
        death, crem, scat = dates["death_date"], dates["cremation_date"], dates["scattering_date"]
        checked = False
        if death and crem:
            checked = True
            if not death <= crem or (crem - death).days > RULES.cremation_gap_warn_days:
                return False
        if crem and scat:
            checked = True
            if scat < crem:
                return False
        if field == "death_date" and row.get("_birth") and isinstance(row.get("age_years"), int):
            b = row["_birth"]
            checked = True
            exact = d.year - b.year - ((d.month, d.day) < (b.month, b.day))
            if abs(exact - row["age_years"]) > RULES.age_tolerance_years:
                return False
        return True if checked else None
    if kind == "age":
        b, death = row.get("_birth"), iso(row.get("death_date"))
        if not b or not death or not isinstance(value, int):
            return None
        exact = death.year - b.year - ((death.month, death.day) < (b.month, b.day))
        return abs(exact - value) <= RULES.age_tolerance_years
    if kind == "cert_no":
        crem = iso(row.get("cremation_date"))
        if not crem or not isinstance(value, str) or len(value) != 9:
            return None
        return value[:4] == str(crem.year)
    return None


def norm(field: str, text: str) -> Any:
    kind = FIELDS[field]
    t = "".join(str(text or "").split())
    if not t:
        return None
    if kind == "phone":
        n = N.normalize_phone(t)
        return None if n.value is None or {"bad_phone", "phone_off_plan"} & set(n.flags) else n.value
    try:
        return form_value(kind, t)
    except Exception:
        return None


def beam_texts(engine: Any, crop: Any, field: str) -> list[tuple[str, float]]:
    kind = FIELDS[field]
    got = engine.likeliest_texts(crop, form_alphabet(kind), beam=32, viable=lambda s: form_prefix(kind, s)) or []
    return [(t, s) for t, s in got if fits_form(kind, t)]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    beam = "--beam" in sys.argv
    settings = Settings.load(None)
    engine = None
    if beam:
        from ocr.ppocr import PpOcrEngine

        engine = PpOcrEngine()
    from pipeline.page.routing import processed_as_photograph

    causes: dict[str, Counter] = defaultdict(Counter)
    pairs: Counter = Counter()
    totals: dict[str, Counter] = defaultdict(Counter)
    rule: dict[tuple[str, str, float], Counter] = defaultdict(Counter)
    for d in args:
        store = run_store(Path(d), settings, do_remap="--no-remap" not in sys.argv)
        pages = stored_pages(Path(d))
        grays: dict[int, Any] = {}
        for path, gpage, cols, _page, grow, rec in scored_rows(store):
            pid, img, layout, steps = pages.get((path, gpage["page"]), (None, None, {}, []))
            if not processed_as_photograph(steps):
                continue
            vals = {n: (fv or {}).get("value") for n, fv in rec.fields.items()}
            idv = vals.get("id_number")
            b = iso(N.birth_date_from_id(idv)) if isinstance(idv, str) and len(idv) == 18 else None
            vals["_birth"] = b or iso(vals.get("birth_date"))
            for field in FIELDS:
                if field not in grow["record"]:
                    continue
                t = scored_value(grow["record"][field])
                if t is None or field not in cols:
                    continue
                c = cols.index(field)
                fv = rec.fields.get(field) or {}
                o = scored_value(fv.get("value"))
                cell = RawCell.from_dict(rec.cells[c]) if c < len(rec.cells) else RawCell("", 0.0, None)
                texts = [cell.text, cell.second] + [a for a, _s in (cell.alternatives or ())]
                readings = [scored_value(norm(field, x)) for x in texts if x]
                written = "".join(str(grow["cells"][c]).split()) if c < len(grow["cells"]) else ""
                tot = totals[field]
                tot["truth"] += 1
                right = o == t
                tot["right" if right else "wrong"] += 1
                if not right:
                    k = cause(written, "".join(str(fv.get("raw") or "").split()), o, readings, t)
                    causes[field][k] += 1
                    w, r = digits(written), digits(str(fv.get("raw") or ""))
                    if len(w) == len(r) and k.startswith("confused"):
                        pairs.update(f"{a}>{x}" for a, x in zip(w, r) if a != x)
                flags = set(fv.get("flags") or [])
                value = fv.get("value")
                ok = passes(field, value, vals)
                if FIELDS[field] == "phone":
                    ok = value is not None and not {"bad_phone", "phone_off_plan", "phone_digit_rival"} & flags
                    if not cell.text:
                        ok = None
                if ok is not False:
                    continue
                tot["fails_right" if right else "fails_wrong"] += 1
                cands: list[tuple[Any, float]] = [(norm(field, x), 0.0) for x in texts if x]
                if engine is not None and pid is not None and layout.get("grid") and cell.text:
                    crop = read_crop(store, grays, (pid, img, layout, steps), rec.row_no, c)
                    if crop is not None:
                        found = beam_texts(engine, crop, field)
                        if found:
                            top = found[0][1]
                            cands += [(norm(field, x), top - s) for x, s in found]
                if t in {scored_value(v) for v, _s in cands}:
                    tot["truth_among_fail_" + ("right" if right else "wrong")] += 1
                state = "right" if right else ("blank" if o is None else "wrong")
                # the row-decoded rule (as mapping.idfix.choose_decoded for an ID): of the candidates within
                # ROW_DECODE_MAX_DROP of the best text, those whose value passes the check (verified: True);
                # the best of them proposed where it stands DECODE_MARGIN-like `margin` above every other
                # passing one of another value
                best_by_value: dict[Any, float] = {}
                orig: dict[Any, Any] = {}
                for v, s in cands:
                    sv = scored_value(v)
                    if v is None or s > ROW_MAX_DROP:
                        continue
                    best_by_value[sv] = min(best_by_value.get(sv, 99.0), s)
                    orig[sv] = v
                passing = sorted((s, v) for v, s in best_by_value.items() if passes(field, orig[v], vals) is True)
                blocked = sorted(best_by_value.values())
                for margin in MARGINS:
                    if not passing or passing[0][1] == o:
                        what = "none" if not passing else "keeps"
                    elif len(passing) > 1 and passing[1][0] - passing[0][0] < margin:
                        what = "several"
                    else:
                        got = passing[0][1]
                        what = "puts_right" if got == t else ("makes_wrong" if right else "wrong_to_wrong")
                        if len(blocked) > 1 and blocked[1] - blocked[0] < margin:
                            what += "(check_decided)"
                    rule[(FIELDS[field], state, margin)][what] += 1
        store.dispose()
        print(f"done {d}", flush=True)
    print("field: truth right wrong | kept value fails its check (right/wrong) | truth among candidates (fail right/wrong)")
    for f in FIELDS:
        t = totals[f]
        print(
            f"  {f:18s} {t['truth']:4d} {t['right']:4d} {t['wrong']:4d} | {t['fails_right']:3d} / {t['fails_wrong']:3d} "
            f"| {t['truth_among_fail_right']:3d} / {t['truth_among_fail_wrong']:3d}"
        )
    print("misses by cause:")
    for f in FIELDS:
        print(f"  {f:18s} " + ", ".join(f"{k} {n}" for k, n in causes[f].most_common()))
    print("digit pairs (written>read), confused:", ", ".join(f"{k} {n}" for k, n in pairs.most_common(20)))
    print(
        "rule: the best passing candidate, margin above the next passing one (kind, kept value right/blank/wrong, margin): outcomes"
    )
    for key in sorted(rule):
        print(f"  {key[0]:8s} {key[1]:5s} {key[2]:5.1f}: " + ", ".join(f"{k} {n}" for k, n in sorted(rule[key].items())))


if __name__ == "__main__":
    main()
