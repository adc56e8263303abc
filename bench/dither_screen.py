"""On which pages the cleanup's halftone detector fires (pipeline.page.cleanup.halftone), without reading them.

For every page of the given scan folders (a families bench's ``scans``, a stress copy's, any folder of
scans with their ground truth beside each file), the page is loaded as a run loads it
(pipeline.page.intake.load_page), judged 1-bit or grey (cleanup.is_bilevel, as clean_page judges it), and
on a 1-bit page the halftone detector is run. Prints a line per folder: pages, 1-bit pages, pages found
dithered (ordered / diffusion) and the detector's time per 1-bit page; ``--all``: a line per page with its
measures (lone dots' share of the ink, the lattice's period). Only counts and measures: no page content.

    python bench/dither_screen.py DIR [DIR ...] [--all]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_capture import _pages  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.page.cleanup import halftone, is_bilevel  # noqa: E402
from pipeline.page.intake import load_page  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--all", action="store_true", help="a line per page")
    a = ap.parse_args()
    settings = Settings()
    for d in a.dirs:
        pages = bilevel = 0
        kinds: dict[str, int] = {}
        spent = 0.0
        for scan, media, page_no, _page in _pages(d):
            image = load_page(scan, media, page_no, settings)
            pages += 1
            if not is_bilevel(image):
                continue
            bilevel += 1
            t0 = time.perf_counter()
            found = halftone(image)
            spent += time.perf_counter() - t0
            if found is not None:
                kind = str(found["dither"])
                kinds[kind] = kinds.get(kind, 0) + 1
            if a.all:
                print(f"  {scan.name}#{page_no}: {found}")
        per = spent / bilevel if bilevel else 0.0
        print(f"{d}: {pages} pages, {bilevel} 1-bit, dithered {sum(kinds.values())} {kinds}, detector {per:.3f} s per 1-bit page")


if __name__ == "__main__":
    main()
