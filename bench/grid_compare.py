"""The grid of every page with a table under another checkout's layout code and under this one's, on the
same cleaned page: which pages a layout change touches, without OCR (issue 21: measure a row or column
finder's change on fresh sets before reading any of them again).

    python bench/grid_compare.py BASE_CHECKOUT SCANS_DIR [SCANS_DIR ...]

BASE_CHECKOUT is a checkout (a worktree of main, say) whose pipeline/page/layout.py is loaded beside this
one's; every other module is this checkout's. Each page is cleaned and oriented as bench/grid_screen.py
does, then pipeline.page.layout.find_grid_or_text runs under both, on the page as extract_page looks for
its grid (a page the cleanup treated as a photograph stretched by each checkout's layout.lines_view). A line per page: `same` or `DIFF`, the
drawn grid (rows, columns, header row included, from the truth), each grid's finder and shape; for a
changed page both grids' row lines. `--cpu`: also each checkout's CPU seconds a page in find_grid_or_text. `--gaps`: also the text gap (layout.column_gap, where extract splits a
column whose header reads as two fields' headers) of every column of this checkout's grid under both, a
line per column whose gap differs (and this checkout's gap for a column split on its rows' text alone,
column_gap's header_word, where it has one). Counts and positions only (no cell text). Never part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_capture import _pages  # noqa: E402
from bench.grid_screen import drawn  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.errors import NoTableError  # noqa: E402
from pipeline.page import layout  # noqa: E402
from pipeline.page.cleanup import clean_page  # noqa: E402
from pipeline.page.intake import load_page  # noqa: E402
from pipeline.page.orientation import orient, turn  # noqa: E402
from pipeline.page.routing import processed_as_photograph  # noqa: E402


def base_layout(checkout: Path) -> Any:
    """The other checkout's layout module, loaded under its own name."""
    spec = importlib.util.spec_from_file_location("base_layout", checkout / "pipeline" / "page" / "layout.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["base_layout"] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base", type=Path)
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument(
        "--gaps",
        action="store_true",
        help="also the text gap (layout.column_gap) each checkout finds in every column of this checkout's grid"
        " (where extract splits a column whose header reads as two; and, header unread, one split on its rows' text"
        " alone, both checkouts), a line per column that differs",
    )
    ap.add_argument(
        "--cpu",
        action="store_true",
        help="also each checkout's CPU seconds a page in find_grid_or_text (process time, both in this process, in turn)",
    )
    args = ap.parse_args()
    old = base_layout(args.base)
    cpu = {"base": 0.0, "this": 0.0}
    settings = Settings.load(None)
    words = inspect.signature(layout.column_gap).parameters
    old_words = inspect.signature(old.column_gap).parameters
    n = changed = columns = gaps_changed = 0
    for root in args.dirs:
        for scan, media, page_no, page in _pages(root):
            if not page.get("has_table", True):
                continue
            clean = clean_page(load_page(scan, media, page_no, settings))
            gray, box, how = orient(clean.image, clean.table_box, None)
            ruling = None if clean.ruling is None else turn(clean.ruling, None, how.quarters)[0]
            photo = processed_as_photograph([st.to_dict() for st in clean.steps])
            grids: list[tuple[str, list[int], list[int]] | None] = []
            found = None  # this checkout's grid
            for mod in (old, layout):
                started = time.process_time()
                try:
                    g = mod.find_grid_or_text(mod.lines_view(gray) if photo else gray, box, ruling)
                    grids.append((str(g.source), list(g.rows), list(g.cols)))
                    found = g if mod is layout else None
                except NoTableError:
                    grids.append(None)
                cpu["this" if mod is layout else "base"] += time.process_time() - started
            shapes = ["none" if g is None else f"{g[0]}:{(len(g[1]) - 1, len(g[2]) - 1)}" for g in grids]
            n += 1
            same = grids[0] == grids[1]
            changed += int(not same)
            print(
                f"{'same' if same else 'DIFF'} {scan.parent.name}/{scan.name}#{page_no} drawn={drawn(page)} base={shapes[0]} this={shapes[1]}",
                flush=True,
            )
            if not same:
                for name, g in zip(("base", "this"), grids):
                    print(f"   {name} rows {None if g is None else g[1]}")
            if args.gaps and found is not None:
                for c in range(found.n_cols):
                    gaps = [mod.column_gap(gray, found, c) for mod in (old, layout)]
                    # a column split on its rows' text alone (extract.split_unidentified_columns)
                    gaps.append(layout.column_gap(gray, found, c, header_word=True) if "header_word" in words else gaps[1])
                    base_word = old.column_gap(gray, found, c, header_word=True) if "header_word" in old_words else gaps[0]
                    columns += 1
                    if gaps[0] != gaps[1] or base_word != gaps[2]:
                        gaps_changed += 1
                        print(
                            f"   gap of column {c}: base {gaps[0]} this {gaps[1]} (header unread: base {base_word} this {gaps[2]})",
                            flush=True,
                        )
    print(f"pages {n}; grids changed {changed}" + (f"; columns {columns}, gaps changed {gaps_changed}" if args.gaps else ""))
    if args.cpu and n:
        print(f"find_grid_or_text CPU s a page: base {cpu['base'] / n:.3f}, this {cpu['this'] / n:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
