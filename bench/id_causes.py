"""Session 47 (issue 21): every ID miss of bench stores put in ONE cause, finer than bench/id_misses.py's classes
where the row and column were found, and what the recognizer's stored texts hold for it.

    PYTHONPATH=. python bench/id_causes.py [--no-remap] FAMILY_DIR [FAMILY_DIR ...]

Each FAMILY_DIR is what bench/bench_families.py keeps (remapped in place unless --no-remap: work on a copy).
Structure first, as id_misses.classify: `row_lost`, `row_misplaced`, `column_*`, `cell_illegible`. Then, from the
cell's stored text (its lines), its second reading and the truth as written (15 or 18 characters):

- `read_right`: a reading (a line, the text, the second) is the truth, the value is not (held blank or replaced);
- `two_lines`: the cell holds two lines with digits and no line alone is the number (the ID split over two lines);
- `ruling_one`: the reading is the truth with a 1 (or l, |, I) more at either end (a ruling stroke read as 1);
- `x_check`: the truth ends in X and the reading differs at the last character only (X read x, K, Y, 4, dropped);
- `valid_wrong`: the reading passes GB 11643 (check digit, birth date) and is not the truth;
- `one_digit`, `two_digits`, `more_digits`: the truth's length, that many digits confused;
- `dropped`, `added`: shorter / longer than the truth (an edit alignment: 1 or 2 digits), `garbled`: more apart;
- `nothing`: no digit read.

For each: whether a value was given (wrong) or left blank, whether the truth is among the stored scored texts
(RawCell.alternatives: what the constrained CTC search and near_valid_ids found; mapping.idfix.choose_decoded /
propose weigh them), its drop below the reading, whether the row AS READ allows it (idfix._allowed) and whether
the row's facts were read right (sex, age, death: a misread age rules the truth out). Counts only, masked
shapes; no number is printed. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fields_wrong import run_store  # noqa: E402
from id_misses import REPAIRS, _iso, _positions  # noqa: E402

from mapping.idfix import DECODE_MARGIN, RowFacts, _allowed, choose_decoded  # noqa: E402
from mapping.normalize import convert_15_to_18, is_valid_id  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.quality.evaluate import _illegible, page_view, scored_value, truth_pages  # noqa: E402

_MARKS = re.compile(r"[\s.,:;'`*·、，。：\-]")


def _clean(s: str) -> str:
    return _MARKS.sub("", s or "").upper()


def _edits(a: str, b: str) -> tuple[int, int, int]:
    """(substitutions, insertions in a, deletions from a) of a minimal alignment of a to b (Levenshtein)."""
    n, m = len(a), len(b)
    d = [[(0, 0, 0, 0)] * (m + 1) for _ in range(n + 1)]  # (cost, sub, ins, dele)
    for i in range(1, n + 1):
        d[i][0] = (i, 0, i, 0)
    for j in range(1, m + 1):
        d[0][j] = (j, 0, 0, j)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            s = d[i - 1][j - 1]
            c = (s[0] + (a[i - 1] != b[j - 1]), s[1] + (a[i - 1] != b[j - 1]), s[2], s[3])
            x = d[i - 1][j]
            c = min(c, (x[0] + 1, x[1], x[2] + 1, x[3]))
            y = d[i][j - 1]
            c = min(c, (y[0] + 1, y[1], y[2], y[3] + 1))
            d[i][j] = c
    return d[n][m][1:]


def cause(lines: list[str], second: str, truth: str) -> str:
    """The one cause of a reading's miss (module docstring), from the cell's lines, its second reading and
    the truth as written."""
    reads = [_clean(x) for x in lines if _clean(x)]
    whole = _clean("".join(lines))
    sec = _clean(second)
    if truth in reads or truth in (whole, sec):
        return "read_right"
    digit_lines = [r for r in reads if re.search(r"[0-9]", r)]
    if len(digit_lines) >= 2 and not any(14 <= len(r) <= 19 for r in digit_lines):
        return "two_lines"
    main = max(reads, key=len) if reads else ""
    if not re.search(r"[0-9]", main):
        return "nothing"
    ones = "1LI|"
    if len(main) == len(truth) + 1 and ((main[0] in ones and main[1:] == truth) or (main[-1] in ones and main[:-1] == truth)):
        return "ruling_one"
    if truth.endswith("X") and main[:-1] == truth[:-1] or truth.endswith("X") and main == truth[:-1]:
        return "x_check"
    if len(main) == 18 and is_valid_id(main):
        return "valid_wrong"
    sub, ins, dele = _edits(main, truth)
    if ins == dele == 0:
        return {1: "one_digit", 2: "two_digits"}.get(sub, "more_digits")
    if sub + ins + dele > 3:
        return "garbled"
    return "added" if ins > dele else "dropped"


def _full(t: str) -> str:
    return convert_15_to_18(t) if len(t) == 15 else t


def _facts(rec: Any) -> RowFacts:
    vals = {n: (rec.fields.get(n) or {}).get("value") for n in ("sex_code", "age_years", "death_date")}
    sex = str(vals.get("sex_code") or "") or None
    age = vals.get("age_years")
    return RowFacts(
        sex if sex in ("1", "2") else None,
        int(age) if isinstance(age, (int, float)) or (isinstance(age, str) and str(age).isdigit()) else None,
        _iso(vals.get("death_date")),
    )


def _repairs(rec: Any, cols: list[str], fv: dict, t: str, o: str | None, regions: Any, cnt: Counter) -> None:
    """Every repaired ID value, right or wrong, by repair, with its certainty over 0.5 or not; for a correction
    (id_corrected) whether the recognizer scored another number the row allows within DECODE_MARGIN of it
    (`rival`: it does not single the correction out) or none was scored."""
    if rec is None or o is None:
        return
    flags = fv.get("flags", [])
    rep = next((f for f in REPAIRS if f in flags), "")
    if not rep:
        return
    ok = "right" if o == t else "wrong"
    sure = "sure" if float(fv.get("confidence", 0)) >= 0.5 else "held"
    cnt[f"repair:{rep}:{ok}:{sure}"] += 1
    if rep != "id_corrected" or "id_number" not in cols or cols.index("id_number") >= len(rec.cells):
        return
    alts = rec.cells[cols.index("id_number")].get("alternatives") or []
    allowed = _allowed(alts, _facts(rec), regions) if alts else []
    mine = next((x for x, _t, full in allowed if full == o), None)
    if mine is None:
        tag = "unscored" if not alts else "not_allowed_or_unscored"
    else:
        tag = "rival" if any(full != o and x > mine - DECODE_MARGIN for x, _t, full in allowed) else "alone"
    cnt[f"corrected:{ok}:{tag}"] += 1


def classify(family_dir: Path, settings: Settings, do_remap: bool, cnt: Counter, out: list[str]) -> None:
    store = run_store(family_dir, settings, do_remap)
    regions = load_spec().id_regions
    for _path, gpage, st, cols, recs in truth_pages(store):
        page = page_view(gpage, st, cols, recs, lost=not any(recs.values()))
        for grow in gpage["rows"]:
            if grow.get("struck"):
                continue
            t = scored_value(grow["record"].get("id_number"))
            if t is None:
                continue
            cnt["ids"] += 1
            rec = recs[grow["row"]]
            fv = (rec.fields.get("id_number") or {}) if rec is not None else {}
            o = scored_value(fv.get("value"))
            _repairs(rec, cols, fv, t, o, regions, cnt)
            wlen = len(_clean(str(grow["record"].get("id_number_raw") or t)))
            cnt[f"written{wlen}"] += 1
            cnt[f"written{wlen}:exact"] += t == o
            if t == o:
                cnt["exact"] += 1
                continue
            state = page.field_state("id_number")
            if rec is None:
                k = "row_lost"
            elif grow["row"] in page.misplaced:
                k = "row_misplaced"
            elif state in ("not_identified", "misassigned"):
                k = "column_" + state
            elif _illegible(grow, rec, page, "id_number"):
                k = "cell_illegible"
            else:
                k = ""
            if k:
                cnt["miss:" + k] += 1
                continue
            cell: dict[str, Any] = {}
            if "id_number" in cols and cols.index("id_number") < len(rec.cells):
                cell = rec.cells[cols.index("id_number")]
            written = _clean(str(grow["record"].get("id_number_raw") or t))
            k = cause(str(cell.get("text") or fv.get("raw") or "").split("\n"), str(cell.get("second") or ""), written)
            given = "wrong" if o is not None else "blank"
            cnt[f"miss:{k}"] += 1
            cnt[f"miss:{k}:{given}"] += 1
            alts = cell.get("alternatives") or []
            vals = {n: (rec.fields.get(n) or {}).get("value") for n in ("sex_code", "age_years", "death_date")}
            sex = str(vals.get("sex_code") or "") or None
            age = vals.get("age_years")
            facts = RowFacts(
                sex if sex in ("1", "2") else None,
                int(age) if isinstance(age, (int, float)) or (isinstance(age, str) and str(age).isdigit()) else None,
                _iso(vals.get("death_date")),
            )
            allowed = _allowed(alts, facts, regions) if alts else []
            full = {(convert_15_to_18(a[0]) if len(a[0]) == 15 else a[0]): a[1] for a in alts[1:] if a[0]}
            in_alts = t in full
            drop = alts[0][1] - full[t] if in_alts else None
            allowed_rank = next((i for i, a in enumerate(allowed) if a[2] == t), -1)
            true_row = grow["record"]
            row_right = "".join(
                "y" if scored_value(true_row.get(n)) == scored_value(vals.get(n)) else "n"
                for n in ("sex_code", "age_years", "death_date")
            )
            if alts:
                tf = RowFacts(
                    str(true_row.get("sex_code") or "") or None,
                    int(true_row["age_years"]) if str(true_row.get("age_years") or "").isdigit() else None,
                    _iso(true_row.get("death_date")),
                )
                got = choose_decoded(alts, facts, regions)
                got_true = choose_decoded(alts, tf, regions)
                for tag, g in (("row_as_read", got), ("row_true", got_true)):
                    res = "none" if g is None else "right" if _full(g[0]) == t else "wrong"
                    cnt[f"choose_decoded_{tag}:{res}"] += 1
            if in_alts:
                cnt[f"truth_scored:{k}"] += 1
                if allowed_rank == 0:
                    cnt[f"truth_first_allowed:{k}"] += 1
            out.append(
                f"{family_dir.parent.parent.name[:8]}/{family_dir.name[:6]} {k:12s} {given} conf={float(fv.get('confidence', 0)):.2f} "
                f"written={len(written)} read={len(_clean(str(cell.get('text') or '')))} lines={len([x for x in str(cell.get('text') or '').split(chr(10)) if x.strip()])} "
                f"alts={len(alts)} truth_scored={in_alts} drop={'-' if drop is None else f'{drop:.1f}'} "
                f"allowed={len(allowed)} truth_allowed_rank={allowed_rank} "
                f"gap={(allowed[0][0] - allowed[1][0]) if len(allowed) > 1 else 99:.1f} row_sex_age_death_right={row_right} "
                f"raw_wrong={_positions(_clean(str(cell.get('text') or '')), t, written)} out_wrong={_positions(o, t, written)} "
                f"repaired={any(f in fv.get('flags', []) for f in REPAIRS)} flags={','.join(fv.get('flags', []))}"
            )
    store.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--no-remap", action="store_true")
    args = ap.parse_args()
    settings = Settings.load(None)
    total: Counter = Counter()
    for d in args.dirs:
        cnt: Counter = Counter()
        lines: list[str] = []
        classify(Path(d), settings, not args.no_remap, cnt, lines)
        total.update(cnt)
        print(f"{d}: IDs exact {cnt['exact']}/{cnt['ids']}")
        for line in lines:
            print("   ", line)
    print(f"all: IDs exact {total['exact']}/{total['ids']} ({total['exact'] / max(total['ids'], 1):.2%})")
    for k, v in sorted(total.items()):
        if k not in ("ids", "exact"):
            print(f"  {k}: {v}")


if __name__ == "__main__":
    main()
