"""Issue 21: why ID numbers (GB 11643) are still wrong or missing on bench stores, miss by miss, in classes.

    python bench/id_misses.py [--no-remap] FAMILY_DIR [FAMILY_DIR ...]

Each FAMILY_DIR is what bench/bench_families.py keeps (`scans/` with the truth beside them, `run-*/data` a
store; remapped in place with today's mapping code unless --no-remap: work on a copy). Every truth row
with an ID number is matched to its record (pipeline.quality.evaluate's matching: page, row number) and
each ID that is not exact is put in one class:

- `row_lost` / `row_misplaced`: no record, or the record holds another row's writing;
- `column_misassigned` / `column_not_identified`: the ID column's state (evaluate.PageView);
- `cell_illegible`: no stored reading of the row is like the number (evaluate._illegible);
- `wrong_valid_read`: a value other than the truth whose reading was itself a valid number (or a legacy
  15-digit one converted);
- `wrong_repaired`: a value put in by a repair (id_corrected, id_decoded_by_row, id_marks_dropped, id_broken_four, id_proposed,
  id_date_dropped);
- `blank_ambiguous`: no value, the repair found several candidates (id_correction_ambiguous);
- `blank_unrepaired`: no value, the reading 17-19 characters of digits (X last) failing the check;
- `blank_other`: no value, any other reading (marks, letters, lost digits, two lines run together).

For each miss also: whether the truth is among the repair's candidates (mapping.idfix.correct_readings
over the cell's readings, the row's facts as mapped), how many candidates there are, whether the truth is
among the recognizer's scored alternatives and at which rank. Also how many IDs were exact, and how many
auto-accepted IDs are wrong. Counts and masked shapes only: no number is printed. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fields_wrong import run_store  # noqa: E402

from mapping.idfix import RowFacts, _allowed, candidates, disagreements  # noqa: E402
from mapping.normalize import is_valid_id  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED  # noqa: E402
from pipeline.quality.evaluate import (  # noqa: E402
    _illegible,
    page_view,
    scored_value,
    truth_pages,
)

REPAIRS = (
    "id_corrected",
    "id_decoded_by_row",
    "id_marks_dropped",
    "id_broken_four",
    "id_proposed",
    "id_date_dropped",
)


def _shape(text: str) -> str:
    """A reading's shape, no personal data: every digit 9, every other character but a Latin letter or a
    mark * (the cell of a misassigned or misplaced ID column may hold a name or an address)."""
    return re.sub(r"[^0-9A-Za-z.:\-]", "*", re.sub(r"[0-9]", "9", text))


def _positions(value: str | None, truth: str, written: str) -> str:
    """Which parts of the number `value` has wrong, no digit printed: R region (1-6), B birth date (7-14,
    yymmdd in a 15-digit one), S sequence (15-17, 13-15), C check (18), each with the count of wrong
    characters; compared as written (15 or 18 characters) or as the truth's 18; `len` where the length
    differs from both, `-` where there is no value."""
    if not value:
        return "-"
    value = value.upper()
    if len(value) == 18:
        ref, parts = truth, ((0, 6, "R"), (6, 14, "B"), (14, 17, "S"), (17, 18, "C"))
    elif len(value) == 15 and len(written) == 15:
        ref, parts = written, ((0, 6, "R"), (6, 12, "B"), (12, 15, "S"))
    else:
        return f"len{len(value)}"
    out = "".join(f"{name}{n}" for a, b, name in parts if (n := sum(x != y for x, y in zip(value[a:b], ref[a:b]))))
    return out or "none"


def _iso(v: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(v)) if v else None
    except ValueError:
        return None


def classify(family_dir: Path, settings: Settings, do_remap: bool, cnt: Counter, detail: list[str]) -> None:
    store = run_store(family_dir, settings, do_remap)
    regions = load_spec().id_regions
    for _path, gpage, st, cols, recs in truth_pages(store):
        page = page_view(gpage, st, cols, recs, lost=not any(recs.values()))
        page_regions = Counter(
            str((r.fields.get("id_number") or {}).get("value") or "")[:6]
            for r in recs.values()
            if r is not None and (r.fields.get("id_number") or {}).get("value")
        )
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
            auto = rec is not None and rec.status == AUTO_ACCEPTED
            if auto:
                cnt["auto_ids"] += 1
            if t == o:
                cnt["exact"] += 1
                if any(f in fv.get("flags", []) for f in REPAIRS):
                    cnt["exact_by_repair"] += 1
                continue
            if auto:
                cnt["auto_ids_wrong"] += 1
            flags = list(fv.get("flags", []))
            raw = "".join(str(fv.get("raw") or "").split())
            state = page.field_state("id_number")
            if rec is None:
                k = "row_lost"
            elif grow["row"] in page.misplaced:
                k = "row_misplaced"
            elif state in ("not_identified", "misassigned"):
                k = "column_" + state
            elif _illegible(grow, rec, page, "id_number"):
                k = "cell_illegible"
            elif o is not None and any(f in flags for f in REPAIRS):
                k = "wrong_repaired"
            elif o is not None:
                k = "wrong_valid_read"
            elif "id_correction_ambiguous" in flags:
                k = "blank_ambiguous"
            elif re.fullmatch(r"[0-9]{16,18}[0-9X]?", raw.upper()) and 17 <= len(raw) <= 19:
                k = "blank_unrepaired"
            else:
                k = "blank_other"
            cnt["miss:" + k] += 1
            # the cell's readings and the repair's candidates
            cell: dict[str, Any] = {}
            if rec is not None and "id_number" in cols and cols.index("id_number") < len(rec.cells):
                cell = rec.cells[cols.index("id_number")]
            vals = {n: (rec.fields.get(n) or {}).get("value") for n in ("sex_code", "age_years", "death_date")} if rec else {}
            sex = str(vals.get("sex_code") or "") or None
            age = vals.get("age_years")
            facts = RowFacts(
                sex if sex in ("1", "2") else None,
                int(age) if isinstance(age, (int, float)) or (isinstance(age, str) and age.isdigit()) else None,
                _iso(vals.get("death_date")),
            )
            reads = [r for r in {raw, "".join(str(cell.get("second") or "").split())} if r]
            cands = sorted({c for r in reads for c in candidates(r.upper(), facts, regions)})
            alts = [a[0] for a in (cell.get("alternatives") or []) if a and a[0]]
            rank = alts.index(t) if t in alts else -1
            allowed = _allowed(cell.get("alternatives") or [], facts, regions) if alts else []
            prop = allowed[0][2] if allowed else None
            gap = allowed[0][0] - allowed[1][0] if len(allowed) > 1 else 99.0
            drop = (cell["alternatives"][0][1] - allowed[0][0]) if allowed else 0.0
            if o is None:
                cnt["blank_proposal_" + ("none" if prop is None else "right" if prop == t else "wrong")] += 1
            truth_valid = is_valid_id(t)
            written = str(grow["record"].get("id_number_raw") or t)
            others = page_regions.copy()
            if o:
                others[o[:6]] -= 1
            top = others.most_common(1)
            page_region = "none" if not top or top[0][1] <= 0 else "same" if top[0][0] == t[:6] else "other"
            truth_fits = ",".join(disagreements(t, facts, regions)) or "ok"
            row_known = (
                f"sex={'y' if facts.sex else 'n'} age={'y' if facts.age is not None else 'n'} death={'y' if facts.death else 'n'}"
            )
            detail.append(
                f"{family_dir.parent.name[:9]}/{family_dir.name[:6]} {k:22s} {'AUTO ' if auto else ''}"
                f"conf={float(fv.get('confidence', 0)):.2f} raw={_shape(raw)} second={_shape(str(cell.get('second') or ''))} "
                f"cands={len(cands)} truth_in_cands={t in cands} alts={len(alts)} truth_rank={rank} truth_valid18={truth_valid} "
                f"allowed={len(allowed)} proposal={'-' if prop is None else prop == t} gap={gap:.1f} drop={drop:.1f} "
                f"{row_known} written={len(written)} out_wrong={_positions(o, t, written)} raw_wrong={_positions(raw, t, written)} "
                f"page_region={page_region} truth_vs_row={truth_fits} flags={','.join(flags)}"
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
        detail: list[str] = []
        classify(Path(d), settings, not args.no_remap, cnt, detail)
        total.update(cnt)
        print(
            f"{d}: IDs exact {cnt['exact']}/{cnt['ids']} ({cnt['exact'] / max(cnt['ids'], 1):.2%}), "
            f"auto-accepted IDs wrong {cnt['auto_ids_wrong']}/{cnt['auto_ids']}, "
            + ", ".join(f"{k} {v}" for k, v in sorted(cnt.items()) if k.startswith(("miss:", "blank_proposal")))
        )
        for line in detail:
            print("   ", line)
    print(
        f"all: IDs exact {total['exact']}/{total['ids']} ({total['exact'] / max(total['ids'], 1):.2%}), exact by a repair "
        f"{total['exact_by_repair']}, auto-accepted IDs wrong {total['auto_ids_wrong']}/{total['auto_ids']}; "
        + ", ".join(f"{k} {v}" for k, v in sorted(total.items()) if k.startswith(("miss:", "blank_proposal")))
    )


if __name__ == "__main__":
    main()
