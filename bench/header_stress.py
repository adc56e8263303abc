"""A stress copy of bench stores whose column headers say nothing: every stored header reading of every
page is replaced by a wording of no field (甲, 乙, 丙 ... in column order, or nothing), so that a re-map
(bench/hold_reasons.py, bench/bench_families.py --stage report) must identify each column by what its
cells hold alone.

    python bench/header_stress.py SRC_ROOT DEST_ROOT [--wording stems|blank|pairs] [--fields F1,F2]
    python bench/hold_reasons.py DEST_ROOT --tag stress      # re-maps the copy, why records are held
    python bench/columns_vs_truth.py DEST_ROOT               # every column against the truth

SRC_ROOT holds family folders `<family>/scans` and `<family>/run-*/data` (bench/bench_families.py's OCR
stage; a copy of /work/data/design/<seed>). Each family is copied whole to DEST_ROOT (which must not
exist: the source is never written) and in every copied store each page's `layout.header` is replaced;
the page's kind, cells, grid and structure doubts stay as read. The stored `layout.columns` are left
as they were: the re-map assigns them again from the new headers (pipeline.page.extract.remap_page).

`stems` gives each column a character of the heavenly stems and earthly branches (甲乙丁戊己壬癸子丑卯巳午戌亥,
then pairs of them: 甲乙, 甲丁 ...), those that score 0 for every field's wording (mapping.headers: 丙 庚 辛
寅 辰 未 申 酉 are left out, the recognizer's look-alike tables put them near a wording's characters, so a
header 寅 would name 家属 a little); `blank` an empty header (a header cell torn off or stamped over); `pairs` two such characters for every
column (甲乙, 甲丁 ...: a header of several characters worded like no field's wording, as a ledger's own
wording or a header misread whole is, which identification by elimination does not trust as a lost header);
`latin` two Latin letters for every column (AB, AD ...: a header the recognizer read as stand-ins only, a
stamp or a speck over it, as it leaves a glyph it cannot read).
`--fields` replaces only the headers of the columns the (re-mapped) source store gives those fields,
numbering them from the first wording: the rest of the page's headers read as they were, as where a
ledger's own wording names one column and not the others; `text:WORDS` (with `--fields`) gives those
columns a wording of a ledger's own (text:家属关系, text:关系人: a relation header naming its person, or
关系 with a word beside it). Prints counts only. Never part of the test suite."""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
from pathlib import Path

NO_FIELD = "甲乙丁戊己壬癸子丑卯巳午戌亥"
PAIRS = [a + b for a in NO_FIELD for b in NO_FIELD if a != b]
LATIN = "ABDEFGHKMNPRTUWXY"
LATIN_PAIRS = [a + b for a in LATIN for b in LATIN if a != b]


def stress_header(n: int, wording: str) -> list[str]:
    """n header readings of no field: stems (甲, 乙, ... then 甲乙, 甲丁 ...), pairs (甲乙, 甲丁 ...) or empty;
    or, for `text:WORDS`, WORDS for every column (with --fields: a wording of the ledger's own, 家属关系)."""
    if wording.startswith("text:"):
        return [wording[5:]] * n
    if wording == "blank":
        return [""] * n
    if wording == "pairs":
        return [PAIRS[i % len(PAIRS)] for i in range(n)]
    if wording == "latin":
        return [LATIN_PAIRS[i % len(LATIN_PAIRS)] for i in range(n)]
    return [NO_FIELD[i] if i < len(NO_FIELD) else PAIRS[i - len(NO_FIELD)] for i in range(n)]


def stress_store(db: Path, wording: str, fields: frozenset[str] = frozenset()) -> int:
    """Replace every page's stored header readings in one store (with `fields`, only those of the columns
    the store gives one of them, the others kept as read); the number of pages changed."""
    con = sqlite3.connect(db)
    changed = 0
    with con:
        for pid, layout in con.execute("select id, layout from pages where layout is not null").fetchall():
            lay = json.loads(layout)
            header = lay.get("header")
            if not header:
                continue
            stressed = stress_header(len(header), wording)
            if fields:
                columns = lay.get("columns") or []
                given = [c for c in range(len(header)) if c < len(columns) and columns[c] in fields]
                if not given:
                    continue
                for k, c in enumerate(given):
                    header[c] = stressed[k]
                stressed = header
            lay["header"] = stressed
            con.execute("update pages set layout = ? where id = ?", (json.dumps(lay, ensure_ascii=False), pid))
            changed += 1
    con.close()
    return changed


def misread_like(text: str, pool: list[str]) -> str:
    """`text` with its first Han character replaced by the character of `pool` nearest it in shape, other
    than itself (mapping.glyphs.similarity: the recognizer keeps a glyph's shape when it misreads it);
    `text` unchanged where no character of the pool is alike at all (similarity at most glyphs.UNRELATED)."""
    from mapping.glyphs import UNRELATED, similarity

    for i, ch in enumerate(text):
        if "\u4e00" <= ch <= "\u9fff":
            best = max((similarity(ch, o), o) for o in pool if o != ch)
            return text[:i] + best[1] + text[i + 1 :] if best[0] > UNRELATED else text
    return text


def misread_digit(text: str) -> str:
    """`text` (a number) with the digit nearest its middle that the recognizer misreads read as it does
    (mapping.idfix.CONFUSABLE: digit read -> the digits it may have been written as; a written digit is
    read as the first digit whose entry holds it): an ID number read so fails its check (GB 11643: one
    changed digit always changes the check character)."""
    from mapping.idfix import CONFUSABLE

    read_as: dict[str, str] = {}
    for r, written in sorted(CONFUSABLE.items()):
        for w in written:
            read_as.setdefault(w, r)
    mid = len(text) // 2
    for i in sorted(range(len(text)), key=lambda k: abs(k - mid)):
        if text[i] in read_as:
            return text[:i] + read_as[text[i]] + text[i + 1 :]
    return text


def misread_cells(db: Path, fields: frozenset[str], every: int) -> int:
    """Every `every`-th written cell (counted down each page) of the columns the store gives `fields`
    misread by shape (misread_like, the look-alikes drawn from the Han characters of the page's other
    cells; a cell mostly of digits, an ID number's, by one digit's look-alike: misread_digit, its second
    reading alike and its scored alternatives dropped); the number of cells changed. The column's assignment is left to the re-map."""
    con = sqlite3.connect(db)
    changed = 0
    with con:
        for pid, layout in con.execute("select id, layout from pages where layout is not null").fetchall():
            columns = json.loads(layout).get("columns") or []
            cols = [c for c, f in enumerate(columns) if f in fields]
            if not cols:
                continue
            rows = con.execute("select id, cells from records where page_id = ? order by row_no", (pid,)).fetchall()
            pool = sorted(
                {
                    ch
                    for _rid, cj in rows
                    for c, cell in enumerate(json.loads(cj))
                    if c not in cols and cell
                    for ch in (cell.get("text") or "")
                    if "\u4e00" <= ch <= "\u9fff"
                }
            )
            if not pool and "id_number" not in fields:
                continue
            n = 0
            for rid, cj in rows:
                cells = json.loads(cj)
                hit = False
                for c in cols:
                    cell = cells[c] if c < len(cells) else None
                    if not cell or not (cell.get("text") or "").strip():
                        continue
                    n += 1
                    if n % every == 0:
                        digits = sum(ch.isdigit() for ch in cell["text"]) > len(cell["text"]) // 2
                        new = misread_digit(cell["text"]) if digits else misread_like(cell["text"], pool)
                        if new != cell["text"]:
                            cell["text"], hit = new, True
                            cell.pop("alternatives", None)
                            if cell.get("second"):
                                cell["second"] = new
                            changed += 1
                if hit:
                    con.execute("update records set cells = ? where id = ?", (json.dumps(cells, ensure_ascii=False), rid))
    con.close()
    return changed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path)
    ap.add_argument("dest", type=Path)
    ap.add_argument(
        "--wording",
        default="stems",
        help="stems | blank | pairs | latin | text:WORDS (WORDS as every replaced header: a ledger's own wording, with --fields)",
    )
    ap.add_argument(
        "--fields",
        default="",
        help="comma-separated fields: replace only the headers of the columns the store gives them (re-map it first)",
    )
    ap.add_argument(
        "--misread-every",
        type=int,
        default=0,
        help="also misread every N-th written cell of the --fields columns by shape (misread_like; digits: misread_digit); 0: none",
    )
    args = ap.parse_args()
    if args.wording not in ("stems", "blank", "pairs", "latin") and not args.wording.startswith("text:"):
        sys.exit(f"--wording {args.wording}: stems, blank, pairs, latin or text:WORDS")
    if args.dest.exists():
        sys.exit(f"{args.dest} exists: give a new folder (the copy is made whole, then changed)")
    families = sorted(p for p in args.src.iterdir() if p.is_dir() and (p / "scans").is_dir())
    if not families:
        sys.exit(f"no <family>/scans under {args.src}")
    args.dest.mkdir(parents=True)
    for fam in families:
        shutil.copytree(fam, args.dest / fam.name, symlinks=True)
        for db in sorted((args.dest / fam.name).glob("run-*/data/store.sqlite")):
            n = stress_store(db, args.wording, frozenset(f for f in args.fields.split(",") if f))
            print(f"{fam.name}/{db.parent.parent.name}: {n} page headers replaced ({args.wording})")
            if args.misread_every and args.fields:
                m = misread_cells(db, frozenset(f for f in args.fields.split(",") if f), args.misread_every)
                print(f"{fam.name}/{db.parent.parent.name}: {m} cells misread by shape (every {args.misread_every})")


if __name__ == "__main__":
    main()
