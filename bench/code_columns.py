"""Which unidentified columns do their cells decode to a code table? The shares the column identification is
given by pipeline.page.extract.decoded_code_shares, measured on stored pages (the stored clean page, grid and
first readings: no cleanup, layout or full OCR again; only the crops of the open columns' cells are scored).

    PYTHONPATH=. python bench/code_columns.py ROOT... [--write] [--pages=N]

Each ROOT holds `<family>/scans` (+ truth) and `<family>/run-*/data` (bench/hold_reasons.py's layout). For every
done page: the columns open_code_columns gives (left without a field on header and cells alone, on a page
where a code-table field is held by no column), each printed with the truth's field where the grid has the
truth's columns, and the share of its cells decoded to each code table (counts and field names only, no
value of any record). Seconds per page spent. `--write`: the shares are stored in the page's layout
(`decoded`, as process_page stores them), so that a re-map (bench/columns_unidentified.py --remap,
bench/fields_wrong.py, bench/hold_reasons.py) assigns the columns with them: write only into COPIES of stores.
Never part of the test suite."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.bench_families import rebase_scan_paths  # noqa: E402
from bench.columns_vs_truth import truth_page  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from ocr.registry import get_engine  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.models import RawCell  # noqa: E402
from pipeline.kernel.store import Page, SourceFile, Store  # noqa: E402
from pipeline.page.extract import decoded_code_shares, open_code_columns  # noqa: E402
from pipeline.page.layout import Grid  # noqa: E402
from pipeline.page.routing import photograph_enlarged, processed_as_photograph  # noqa: E402
from pipeline.page.structure import Structure  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    write = "--write" in sys.argv
    limit = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--pages=")), None)
    settings0 = Settings.load(None)
    engine = get_engine(settings0.engine, **settings0.engine_settings)
    sp = load_spec()
    tally: Counter[str] = Counter()
    for root in [Path(r) for r in args]:
        for fam in sorted(p for p in root.iterdir() if p.is_dir() and (p / "scans").is_dir()):
            for data in sorted(fam.glob("run-*/data")):
                store = Store.open(settings0.with_(data_dir=str(data)))
                rebase_scan_paths(store, fam / "scans")
                seconds, pages = 0.0, 0
                with store.session() as s, s.begin():
                    for page, path in s.execute(
                        select(Page, SourceFile.abs_path).join(SourceFile, Page.file_id == SourceFile.id)
                    ).all():
                        if page.status != "done" or not page.layout or not page.ledger_kind or not page.clean_image:
                            continue
                        if limit is not None and pages >= limit:
                            break
                        layout = dict(page.layout)
                        header = list(layout.get("header") or [])
                        if len(header) != len(layout.get("columns") or []):
                            continue
                        rows = [
                            (r.row_no, [RawCell.from_dict(c) for c in r.cells])
                            for r in sorted(page.records, key=lambda r: r.row_no)
                        ]
                        structure = Structure.from_dict(layout.get("structure"))
                        steps = page.steps or []
                        t0 = time.perf_counter()
                        open_cols = open_code_columns(page.ledger_kind, header, rows, structure, sp)
                        decoded = {}
                        if open_cols:
                            gray = store.images.get(page.clean_image)
                            grid = Grid.from_dict(layout["grid"])
                            decoded = decoded_code_shares(
                                engine,
                                gray,
                                grid,
                                page.ledger_kind,
                                open_cols,
                                sp,
                                processed_as_photograph(steps),
                                photograph_enlarged(steps),
                            )
                        seconds += time.perf_counter() - t0
                        pages += 1
                        gt = truth_page(Path(path), page.page_no)
                        truth = list(gt["columns"]) if gt and len(gt["columns"]) == len(header) else None
                        for c in sorted(open_cols):
                            got = decoded.get(c, {})
                            shown = " ".join(
                                f"{f}={v.share:.2f}/{v.alone:.2f}"
                                for f, v in sorted(got.items(), key=lambda kv: -kv[1].share)
                                if v.share > 0
                            )
                            t = truth[c] if truth else "?"
                            print(f"  {fam.name} p{page.page_no} col {c} truth {t}: {len(open_cols[c])} cells; {shown or '-'}")
                            tally[f"open columns of {t}"] += 1
                        if write:
                            layout.pop("decoded", None)
                            if decoded:
                                layout["decoded"] = {str(c): {f: list(v) for f, v in d.items()} for c, d in decoded.items()}
                            page.layout = layout
                store.dispose()
                print(f"{root.name}/{fam.name}: {pages} pages, {seconds:.1f} s ({seconds / max(pages, 1):.2f} s per page)")
    for k, v in sorted(tally.items()):
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
