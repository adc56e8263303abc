"""Which columns left without a field are a number field's (certificate number, a date, an age) by their
cells' fit to the field's closed patterns? The fits the column identification is given by
mapping.headers.pattern_share (on the readings as stored), measured on stored pages (re-mapped from the
stored cells: no OCR).

    PYTHONPATH=. python bench/number_columns.py ROOT... [--shapes]

Each ROOT holds `<family>/scans` (+ truth) and `<family>/run-*/data` (bench/hold_reasons.py's layout). For every
done page: the columns open_number_columns gives (left without a field on header, cells and code decoding,
on a page where a number field is held by no column), each with the truth's field where the grid has the
truth's columns, and its share of cells that fit each open number field's patterns. `--shapes`: each cell's
reading as a shape (digit 9, Latin letter a, Han H, others as read): no value of any record. Never part of
the test suite."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.columns_vs_truth import truth_page  # noqa: E402
from mapping.headers import PATTERN_DOUBT, PATTERN_NORMALIZERS, assign_columns, pattern_share  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402
from pipeline.kernel.store import Page, SourceFile, Store  # noqa: E402
from pipeline.page.extract import _column_texts, stored_decoded  # noqa: E402
from pipeline.page.structure import Structure  # noqa: E402


def shape(text: str) -> str:
    s = re.sub(r"[0-9]", "9", text)
    s = re.sub(r"[A-Za-z]", "a", s)
    return re.sub(r"[\u3400-\u9fff]", "H", s)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    shapes = "--shapes" in sys.argv
    settings0 = Settings.load(None)
    sp = load_spec()
    tally: Counter[str] = Counter()
    for root in [Path(r) for r in args]:
        for fam in sorted(p for p in root.iterdir() if p.is_dir() and (p / "scans").is_dir()):
            for data in sorted(fam.glob("run-*/data")):
                store = Store.open(settings0.with_(data_dir=str(data)))
                with store.session() as s:
                    for page, path in s.execute(
                        select(Page, SourceFile.abs_path).join(SourceFile, Page.file_id == SourceFile.id)
                    ).all():
                        if page.status != "done" or not page.layout or not page.ledger_kind:
                            continue
                        layout = dict(page.layout)
                        header = list(layout.get("header") or [])
                        if len(header) != len(layout.get("columns") or []):
                            continue
                        rows = [
                            (r.row_no, [RawCell.from_dict(c) for c in r.cells])
                            for r in sorted(page.records, key=lambda r: r.row_no)
                        ]
                        structure = Structure.from_dict(layout.get("structure"))
                        texts = _column_texts(header, rows, structure)
                        assigned = assign_columns(page.ledger_kind, header, texts, sp, stored_decoded(layout))
                        gt = truth_page(Path(path), page.page_no)
                        truth = list(gt["columns"]) if gt and len(gt["columns"]) == len(header) else None
                        told_head = PATTERN_DOUBT.split("{", 1)[0]
                        for a in assigned:
                            t = truth[a.index] if truth else "?"
                            by_form = bool(a.doubt and a.doubt.startswith(told_head))
                            if a.field is not None and not by_form and (truth is None or a.field == t):
                                continue
                            shares = {n: pattern_share(n, texts[a.index]) for n in PATTERN_NORMALIZERS}
                            shown = " ".join(f"{n}={q:.2f}" for n, q in shares.items() if q)
                            what = (
                                f"TOLD {a.field} ({'?' if truth is None else 'right' if a.field == t else 'WRONG'})"
                                if by_form
                                else (f"MISASSIGNED {a.field}" if a.field else "open")
                            )
                            tally[f"{what.split(' (')[0].split(' ')[0]} truth {t}"] += 1
                            print(
                                f"  {fam.name} p{page.page_no} col {a.index} truth {t} {what} head {header[a.index]!r}: {shown or '-'}"
                            )
                            if shapes:
                                print("     ", " | ".join(shape(x) for x in texts[a.index] if x.strip())[:300])
                        tally["pages"] += 1
                store.dispose()
    for k, v in sorted(tally.items()):
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
