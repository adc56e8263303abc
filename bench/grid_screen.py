"""Whether the cleanup and the grid find every drawn row and column of a page, without reading it.

For every page with a table in the given scan folders (a families bench's ``scans``; its ground truth
beside each file), the page is cleaned (pipeline.page.cleanup.clean_page) and its grid looked for
(pipeline.page.layout.find_grid_or_text) as a run does, and the grid's rows and columns are compared with
the drawn ones (the truth's ``grid``). The grid is looked for as the run reads it: after the orientation
step (pipeline.page.orientation.orient, from the ruling and the text's direction; no recognizer to judge
upside down, which does not change the grid's shape) has turned a page that lay on its side. Before it
a page turned a quarter is found with its rows and columns swapped, and a wide column read as a row
could be split (an inferred line) that the upright page never shows. No recognizer runs: a 12-page photograph family is screened in a
minute instead of the OCR stage's 5-15, so that many hard draws (``bench_families.py --stage generate``
at a high ``--severity``) can be searched for the pages and rows a photograph loses before any is read.
Only counts and the cleanup's own step results are printed (no cell text: no personal data).

    python bench/grid_screen.py DIR [DIR ...] [--all]

A line per page whose grid is not the drawn one (``--all``: per page; ``source``: the finder that gave its
grid -- "ruling", "faint ruling" (pipeline.page.layout.faint_ruling), "ruling by column", "text" ...),
then the totals and how many grids each finder gave.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_capture import _pages  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.errors import NoTableError  # noqa: E402
from pipeline.page.cleanup import clean_page  # noqa: E402
from pipeline.page.intake import load_page  # noqa: E402
from pipeline.page.layout import find_grid_or_text  # noqa: E402
from pipeline.page.orientation import orient, turn  # noqa: E402


def drawn(page: dict[str, Any]) -> tuple[int, int] | None:
    """(rows, columns) of the page's drawn grid, header row included, from its truth; None: not known."""
    grid = page.get("grid") or {}
    ys, xs = grid.get("y"), grid.get("x")
    if not ys or not xs:
        return None
    return len(ys) - 1, len(xs) - 1


def screen(scan: Path, media: str, page_no: int, page: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The grid found on one page against the drawn one, and the cleanup steps that say why."""
    clean = clean_page(load_page(scan, media, page_no, settings))
    steps = {st.name: st.result for st in clean.steps}
    want = drawn(page)
    gray, box, how = orient(clean.image, clean.table_box, None)
    ruling = None if clean.ruling is None else turn(clean.ruling, None, how.quarters)[0]
    turned = (int(page.get("orientation") or 0) // 90 + how.quarters) % 2 == 1  # still on its side after the step
    if want is not None and turned:
        want = (want[1], want[0])
    out: dict[str, Any] = {
        "page": f"{scan.parent.name}/{scan.name}#{page_no}",
        "drawn": want,
        "page_found": bool(steps.get("capture", {}).get("page_found")),
        "rectify": {
            k: v for k, v in steps.get("rectify", {}).items() if k in ("table_found", "fallback", "keystone", "slanted_lines")
        },
        "turned_quarters": how.quarters,
    }
    try:
        grid = find_grid_or_text(gray, box, ruling)
    except NoTableError as e:
        out.update(found=None, source=None, error=str(e), ok=False)
        return out
    found = (grid.n_rows, grid.n_cols)
    out["lines"] = [list(grid.rows), list(grid.cols)]
    out.update(
        found=found, source=grid.source, inferred_rows=len(grid.inferred_rows), ok=found == want and grid.source == "ruling"
    )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--all", action="store_true", help="a line for every page, not only those whose grid is not the drawn one")
    args = ap.parse_args()
    settings = Settings.load(None)
    n = bad = 0
    sources: dict[str, int] = {}
    for root in args.dirs:
        for scan, media, page_no, page in _pages(root):
            if not page.get("has_table", True):
                continue
            r = screen(scan, media, page_no, page, settings)
            n += 1
            bad += int(not r["ok"])
            sources[str(r["source"])] = sources.get(str(r["source"]), 0) + 1
            if args.all or not r["ok"]:
                print(("ok   " if r["ok"] else "DIFF ") + json.dumps(r, ensure_ascii=False), flush=True)
    print(f"{n} pages with a table screened; grid not the drawn one on {bad}")
    print("grids by finder: " + ", ".join(f"{k}: {v}" for k, v in sorted(sources.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
