"""Every column of every stored page against the truth: the field the pipeline gave it, whether it is
doubted, and the printed column it holds (judged by content, as pipeline.quality.evaluate does).

    python bench/columns_vs_truth.py ROOT...

Each ROOT holds family folders `<family>/scans` (a generated set with its truth) and
`<family>/run-*/data` (a store). The stores are read as they are (re-map them first: bench/hold_reasons.py
or bench/bench_families.py --stage report). Lists, per family, the columns whose field is not the
truth's (misassigned) with whether the column was doubted and whether any record of the page with that
field was auto-accepted; every doubted column that holds its field's printed column (a doubt on a right
column, with its reason); the page doubts naming a mandatory field's column, whether that column is
right; and the pages with a printed column that no column read holds while every
column read has a field (optional blanks then look sure). Ends with a line per field: of the printed
columns of that field with ink, how many a column read was given right (sure / doubted), given another
field (`wrong`), or no field (`none`): on a copy whose headers say nothing (bench/header_stress.py), how
well content alone identifies each field. Counts and field names only: no value of any record. Never
part of the test suite."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Page, SourceFile, Store  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED  # noqa: E402
from pipeline.page.structure import Structure  # noqa: E402
from pipeline.quality.evaluate import columns_held, truth_path  # noqa: E402


def truth_page(scan: Path, page_no: int) -> dict | None:
    """The generator's truth of page `page_no` of `scan`, where it exists and names the page's columns."""
    gt_file = truth_path(scan)
    if not gt_file.is_file():
        return None
    gt = json.loads(gt_file.read_text(encoding="utf-8"))
    gpage = next((g for g in gt["pages"] if g["page"] == page_no), None)
    return gpage if gpage is not None and gpage.get("columns") else None


def main() -> None:
    roots = [Path(r) for r in sys.argv[1:]]
    for root in roots:
        for fam in sorted(p for p in root.iterdir() if p.is_dir() and (p / "scans").is_dir()):
            for data in sorted(fam.glob("run-*/data")):
                report(f"{root.name}/{fam.name}", data)


def report(label: str, data: Path) -> None:
    store = Store.open(Settings.load(None).with_(data_dir=str(data)))
    counts: Counter[str] = Counter()
    by_field: dict[str, Counter[str]] = {}
    lines: list[str] = []
    with store.session() as s:
        pages = s.execute(select(Page, SourceFile.abs_path).join(SourceFile, Page.file_id == SourceFile.id)).all()
        for page, path in pages:
            if page.status != "done" or not page.layout:
                continue
            gpage = truth_page(Path(path), page.page_no)
            if gpage is None:
                continue
            columns = page.layout.get("columns") or []
            st = Structure.from_dict(page.layout.get("structure"))
            held = columns_held(gpage, {r.row_no: r for r in page.records}, len(columns))
            truth_cols = gpage["columns"]
            auto_fields: Counter[str] = Counter()
            for r in page.records:
                if r.status == AUTO_ACCEPTED:
                    for name in r.fields or {}:
                        auto_fields[name] += 1
            counts["pages"] += 1
            counts["columns"] += len(columns)
            for c, f in enumerate(columns):
                t = held.get(c)
                tf = truth_cols[t] if t is not None and t < len(truth_cols) else None
                doubted = bool(st.columns.get(c)) or bool(st.page)
                for reason in st.columns.get(c, []):
                    right = t is not None and tf == f
                    counts[
                        f"doubt {'on a right column' if right else 'on a wrong or unknown column'}: {reason.split(':')[0][:50]}"
                    ] += 1
                    if right:
                        lines.append(f"  p{page.id} col {c + 1} ({f}): right, doubted: {reason[:110]}")
                if f and f != "row_no" and t is not None and tf != f and not doubted:
                    counts["misassigned and not doubted (the count that must stay 0)"] += 1
                if f and f != "row_no" and t is not None and tf != f:
                    counts["misassigned"] += 1
                    counts["misassigned doubted"] += int(doubted)
                    counts["misassigned auto"] += int(auto_fields[f] > 0)
                    lines.append(
                        f"  p{page.id} col {c + 1}: given {f}, holds {tf}; doubted={doubted} ({'; '.join(st.columns.get(c, []))[:90]}) "
                        f"records auto-accepted with it: {auto_fields[f]}"
                    )
            for reason in st.page:
                # a page doubt naming a mandatory field's column (pipeline.page.extract.PAGE_ASSIGNMENT_DOUBT):
                # whether that column is right (its field the truth's) or wrong / not found
                named = reason.split("the column of ", 1)[-1].split(" ", 1)[0] if "the column of " in reason else None
                if named is None:
                    counts[f"page doubt: {reason[:50]}"] += 1
                    continue
                cols = [c for c, f in enumerate(columns) if f == named]
                right = bool(cols) and all(
                    held.get(c) is not None and held[c] < len(truth_cols) and truth_cols[held[c]] == named for c in cols
                )
                counts[f"page doubt, mandatory column {'right' if right else 'wrong or unknown'}: {named}"] += 1
            for j, tf in enumerate(truth_cols):
                if not tf or not any((g["cells"][j] if j < len(g["cells"]) else "").strip() for g in gpage["rows"]):
                    continue
                mine = [c for c in range(len(columns)) if held.get(c) == j]
                right = [c for c in mine if columns[c] == tf]
                tally = by_field.setdefault(tf, Counter())
                if right:
                    tally["right doubted" if any(st.columns.get(c) or st.page for c in right) else "right sure"] += 1
                elif any(columns[c] for c in mine):
                    tally["wrong"] += 1
                else:
                    tally["none"] += 1
            unread = [
                truth_cols[j]
                for j in range(len(truth_cols))
                if truth_cols[j] not in columns
                and any((g["cells"][j] if j < len(g["cells"]) else "").strip() for g in gpage["rows"])
            ]
            if unread and None not in columns:
                counts["pages: a printed column with ink whose field no column read has, every column read given a field"] += 1
                lines.append(f"  p{page.id}: printed {unread} not identified; {len(columns)} read, {len(truth_cols)} printed")
    print(f"## {label}")
    for k, v in counts.items():
        print(f"- {k}: {v}")
    print("\n".join(lines))
    total: Counter[str] = Counter()
    for name in sorted(by_field):
        total.update(by_field[name])
        print(f"- field {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(by_field[name].items())))
    print("- fields, all: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))


if __name__ == "__main__":
    main()
