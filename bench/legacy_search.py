"""Session 47 (issue 21): legacy 15-digit ID readings that GB 11643-1989 takes (a real birth date) but whose address
code is no listed division (GB/T 2260, spec.id_regions), searched as read_cells searches an invalid ID, to tell
whether such a search could find the true number. Emulation only: nothing is written.

    PYTHONPATH=. python bench/legacy_search.py FAMILY_DIR [FAMILY_DIR ...]

Today such a reading is a value (mapping.normalize: converted_15_to_18), flagged `legacy_id_region_unlisted` and held
below every threshold; read_cells never searches it (mapping.idfix.id_needs_decoding: it normalizes to a number), so
no scored texts are kept for mapping.idfix.choose_decoded / propose, and only a one-digit region change that fits
the row is proposed (mapping.idfix.legacy_region_candidates). For each such stored cell (the stored first reading;
the cell cut again from the stored clean page on the stored grid, pipeline.page.extract.line_crops, its main line)
the recognizer is searched for SEARCH_BEAM texts of ID_ALPHABET grown on mapping.idfix.IdPrefixes, the listed valid
ones (listed_valid_ids) scored with the reading (score_candidates), and counted: whether the page's true number is
among them, whether the recognizer alone singles one out (choose_scored: DECODE_MARGIN, DECODE_MAX_DROP) right or
wrong, and whether the truth is the likeliest listed one (what a proposal would put before a reviewer). Also every
stored legacy reading, by whether it is the truth. Counts only: no number is printed. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mapping.idfix import DECODE_MAX_DROP, ID_ALPHABET, IdPrefixes, listed_valid_ids  # noqa: E402
from mapping.normalize import convert_15_to_18, normalize_id_number  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from ocr.registry import get_engine  # noqa: E402
from pipeline.page.extract import SEARCH_BEAM, choose_scored, line_crops, main_line, score_candidates  # noqa: E402
from pipeline.page.layout import Grid  # noqa: E402
from pipeline.page.routing import processed_as_photograph  # noqa: E402
from pipeline.quality.evaluate import truth_path  # noqa: E402


def _full(t: str) -> str:
    return convert_15_to_18(t) if len(t) == 15 else t


def _truth_ids(scans: Path, rel: str, page_no: int) -> set[str]:
    gtf = truth_path(scans / rel)
    if not gtf.is_file():
        return set()
    pages = json.loads(gtf.read_text(encoding="utf-8"))["pages"]
    raw = {
        str(r["record"].get("id_number") or "") for gp in pages if gp["page"] == page_no or len(pages) == 1 for r in gp["rows"]
    }
    return {_full(t.upper()) for t in raw if t}


def family(fam: Path) -> Counter[str]:
    engine, regions = get_engine("ppocr"), load_spec().id_regions
    viable = IdPrefixes(regions)
    db = next(fam.glob("run-*/data/store.sqlite"))
    st: Counter[str] = Counter()
    con = sqlite3.connect(db)
    files = dict(con.execute("select id, rel_path from source_files").fetchall())
    pages = con.execute("select id, file_id, page_no, clean_image, layout, steps from pages where layout is not null").fetchall()
    for pid, fid, page_no, clean, layout, steps in pages:
        lay = json.loads(layout)
        cols = lay.get("columns") or []
        if "id_number" not in cols or not clean:
            continue
        ci, grid = cols.index("id_number"), Grid.from_dict(lay["grid"])
        truth = _truth_ids(fam / "scans", files[fid], page_no)
        if not truth:
            continue
        gray = None
        photo = processed_as_photograph(json.loads(steps or "[]"))
        for row_no, cells_json in con.execute("select row_no, cells from records where page_id = ?", (pid,)).fetchall():
            cells = json.loads(cells_json)
            if ci >= len(cells) or row_no >= grid.n_rows:
                continue
            text = re.sub(r"[\s.,:;'`*·\-]", "", str(cells[ci].get("text") or "")).upper()
            if len(text) != 15 or not text.isdigit() or normalize_id_number(text).value is None:
                continue
            right = _full(text) in truth
            st[f"legacy readings {'right' if right else 'wrong'}"] += 1
            if text[:6] in regions:
                continue
            st[f"unlisted region, reading {'right' if right else 'wrong'}"] += 1
            if gray is None:
                gray = cv2.imread(str(db.parent / "images" / clean[:2] / f"{clean}.png"), cv2.IMREAD_GRAYSCALE)
            crops, _owners, _faint = line_crops(gray, grid, [(row_no, ci)], frozenset({ci}), photo)
            if not crops:
                continue
            pieces = engine.recognize_crops(crops)
            line = main_line([p.text for p in pieces])
            if line is None:
                continue
            reading, crop = pieces[line].text, crops[line]
            found = engine.likeliest_texts(crop, ID_ALPHABET, beam=SEARCH_BEAM, viable=viable) or []
            texts = listed_valid_ids([t for t, _x in found], regions)
            st["searched"] += 1
            st["truth among the listed valid texts"] += any(_full(t) in truth for t in texts)
            scores = score_candidates(engine, crop, reading, texts)
            if scores is None:
                st["no listed valid text"] += 1
                continue
            best = max(zip(scores[1:], texts))[1]
            st[f"likeliest listed text {'right' if _full(best) in truth else 'wrong'}"] += 1
            chosen = choose_scored(reading, texts, scores, DECODE_MAX_DROP)
            if chosen is not None:
                st[f"recognizer chose, {'right' if _full(chosen[0]) in truth else 'wrong'}"] += 1
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
        print(f"{fam}: " + "; ".join(f"{k} {v}" for k, v in sorted(st.items())), flush=True)
    print("all: " + "; ".join(f"{k} {v}" for k, v in sorted(total.items())))


if __name__ == "__main__":
    main()
