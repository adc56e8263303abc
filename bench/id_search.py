"""ID cells re-read from bench stores: how often the recognizer's search of an invalid ID reading finds the
true number, plain (the likeliest digit texts) and grown on the standard's structure (mapping.idfix.IdPrefixes).

    python bench/id_search.py FAMILY_DIR [FAMILY_DIR ...]

Each FAMILY_DIR is what bench/bench_families.py keeps (`scans/` with the truth beside them, `run-*/data`
a store). For every stored page with an ID column, each ID cell is cut from the stored clean page image
on the stored grid (pipeline.page.extract.line_crops, the photograph flag from the page's capture step:
pipeline.page.routing.processed_as_photograph), read, and where its reading is invalid (a valid number one edit
away, or none: mapping.idfix near_valid_ids / id_needs_decoding) searched as read_cells searches it,
SEARCH_BEAM texts of ID_ALPHABET, once without and once with `viable`. Per store: ID cells read, invalid
ones, in how many the page's true number is among the valid texts found (what mapping.idfix.choose_decoded
can weigh with the row), and how many the recognizer alone chose (choose_scored: DECODE_MARGIN) right and
wrong. Counts only; no number is printed. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mapping.idfix import (  # noqa: E402
    DECODE_MAX_DROP,
    ID_ALPHABET,
    IdPrefixes,
    id_needs_decoding,
    listed_valid_ids,
    near_valid_ids,
)
from mapping.spec import load_spec  # noqa: E402
from ocr.registry import get_engine  # noqa: E402
from pipeline.page.extract import SEARCH_BEAM, choose_scored, line_crops, main_line, score_candidates  # noqa: E402
from pipeline.page.layout import Grid  # noqa: E402
from pipeline.page.routing import processed_as_photograph  # noqa: E402
from pipeline.quality.evaluate import truth_path  # noqa: E402


def _truth_ids(scans: Path, rel: str, page_no: int) -> set[str]:
    gtf = truth_path(scans / rel)
    if not gtf.is_file():
        return set()
    pages = json.loads(gtf.read_text(encoding="utf-8"))["pages"]
    return {
        str(r["record"].get("id_number") or "") for gp in pages if gp["page"] == page_no or len(pages) == 1 for r in gp["rows"]
    } - {""}


def family(fam: Path) -> Counter[str]:
    engine, regions = get_engine("ppocr"), load_spec().id_regions
    viable = IdPrefixes(regions)
    db = next(fam.glob("run-*/data/store.sqlite"))
    st: Counter[str] = Counter()
    con = sqlite3.connect(db)
    files = dict(con.execute("select id, rel_path from source_files").fetchall())
    rows = con.execute("select file_id, page_no, clean_image, layout, steps from pages where layout is not null")
    for fid, page_no, clean, layout, steps in rows.fetchall():
        lay = json.loads(layout)
        cols = lay.get("columns") or []
        if "id_number" not in cols or not clean:
            continue
        ci, grid = cols.index("id_number"), Grid.from_dict(lay["grid"])
        truth = _truth_ids(fam / "scans", files[fid], page_no)
        gray = cv2.imread(str(db.parent / "images" / clean[:2] / f"{clean}.png"), cv2.IMREAD_GRAYSCALE)
        if gray is None or not truth:
            st["pages skipped (no image or truth)"] += 1
            continue
        photo = processed_as_photograph(json.loads(steps or "[]"))
        for r in range(grid.n_rows):
            crops, _owners, _faint = line_crops(gray, grid, [(r, ci)], frozenset({ci}), photo)
            if not crops:
                continue
            pieces = engine.recognize_crops(crops)
            line = main_line([p.text for p in pieces])
            if line is None:
                continue
            reading, crop = pieces[line].text, crops[line]
            st["ID cells read"] += 1
            near = near_valid_ids(reading, regions)
            if not near and not id_needs_decoding(reading):
                continue
            st["invalid"] += 1
            for tag, grow in (("plain", None), ("grown", viable)):
                found = engine.likeliest_texts(crop, ID_ALPHABET, beam=SEARCH_BEAM, viable=grow) or []
                texts = list(dict.fromkeys(near + listed_valid_ids([t for t, _x in found], regions)))
                st[f"{tag}: true number among the valid texts"] += any(t in truth for t in texts)
                scores = score_candidates(engine, crop, reading, texts)
                chosen = None if scores is None else choose_scored(reading, texts, scores, DECODE_MAX_DROP)
                if chosen is not None:
                    st[f"{tag}: recognizer chose, {'right' if chosen[0] in truth else 'wrong'}"] += 1
    con.close()
    return st


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("families", nargs="+", type=Path)
    args = ap.parse_args()
    total: Counter[str] = Counter()
    for fam in args.families:
        st = family(fam)
        total += st
        print(f"{fam.parent.name}/{fam.name}: " + "; ".join(f"{k} {v}" for k, v in sorted(st.items())), flush=True)
    print("all: " + "; ".join(f"{k} {v}" for k, v in sorted(total.items())))


if __name__ == "__main__":
    main()
