"""Issue 21 analysis (session 35): is Tesseract (chi_sim, an LSTM of another model family than PP-OCR) an
independent check on a stored name? No product change. Counts only on stdout (texts stay in the JSON under
the caller's data folder, owner-only, never printed).

    PYTHONPATH=. python bench/tess_names.py OUT.json FAMILY_DIR...   # remap, cut, read, write OUT, print table
    PYTHONPATH=. python bench/tess_names.py OUT.json --report        # the table again from OUT

Each FAMILY_DIR is what bench_families.py keeps (scans/ with the truth beside them, run-*/data the store);
its store is RE-MAPPED in place by this checkout (bench/fields_wrong.run_store: no OCR), so pass a copy.
For every name field (deceased_name, agent_name, registrant_name) of a record paired with a truth row
(as bench/carbon_names.cases picks them), the cell's lines are cut again from the stored clean page as
read_cells cuts them (bench/carbon_preps.load_lines -> bench/bilevel_edges.cell_lines; pages processed as
photographs are left out, as there) and each line is read by ocr.tesseract.TesseractEngine(lang="chi_sim")
.recognize_crop (psm 7, one text line); the lines' texts are joined without spaces. `agree`: Tesseract's
text equals the stored value (whitespace removed); `right`: the stored value equals the truth.

Split by the field's state after the remap: `held-low` (the record is held and a route reason names the
field below its threshold: "<field>: confidence X below Y"), `auto` (the record is auto-accepted),
`held-other` (held for other reasons); and by field. The question: would "Tesseract agrees" lift held-low
right names over the threshold without admitting wrong ones, and would "Tesseract disagrees" catch the
wrong auto-accepted ones?
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import carbon_names  # noqa: E402
from carbon_names import NAMES  # noqa: E402
from carbon_preps import load_lines  # noqa: E402
from hold_reasons import LOW  # noqa: E402

from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.safety import private_file  # noqa: E402

STATES = ("held-low", "auto", "held-other")


def cases(family_dir: Path, settings: Settings) -> list[dict[str, Any]]:
    """The name fields of one family's records paired with truth rows (bench/carbon_names.py's cases, the
    store re-mapped), each with its state after the remap: auto-accepted, held with the field below its
    threshold (a route reason of LOW's form), or held for other reasons."""
    out: list[dict[str, Any]] = []
    for c in carbon_names.cases(family_dir, settings, True):
        if c["field"] not in NAMES:
            continue
        low = {m.group(1) for m in (LOW.match(x) for x in c["reasons"]) if m}
        c["state"] = "auto" if c["auto"] else ("held-low" if c["field"] in low else "held-other")
        out.append(c)
    return out


def read(out: Path, dirs: list[Path]) -> list[dict[str, Any]]:
    from ocr.tesseract import TesseractEngine

    settings = Settings.load(None)
    eng = TesseractEngine(lang="chi_sim")
    rows: list[dict[str, Any]] = []
    for d in dirs:
        cs = [c for c in cases(d, settings) if c["box"]]
        load_lines(d, cs, settings)
        n_cut = 0
        for c in cs:
            lines = c.pop("lines")
            if not lines:
                continue
            n_cut += 1
            c["tess"] = "".join("".join(eng.recognize_crop(x).text.split()) for x in lines)
            c["n_lines"] = len(lines)
            c["set"] = f"{d.parent.name}/{d.name}"
            rows.append(c)
        print(f"{d.parent.name}/{d.name}: name cells {len(cs)}, cut and read {n_cut}", flush=True)
    with private_file(out, encoding="utf-8") as f:  # names and their truth: owner-only (0600)
        f.write(json.dumps(rows, ensure_ascii=False))
    return rows


def cell_counts(sel: list[dict[str, Any]]) -> str:
    k = Counter((r["tess"] == r["value"], r["value"] == r["truth"]) for r in sel)
    agree = k[(True, True)] + k[(True, False)]
    pr = f"{100 * k[(True, True)] / agree:.1f}%" if agree else "-"
    dis = k[(False, True)] + k[(False, False)]
    pd = f"{100 * k[(False, True)] / dis:.1f}%" if dis else "-"
    return f"| {len(sel)} | {k[(True, True)]} | {k[(True, False)]} | {k[(False, True)]} | {k[(False, False)]} | {pr} | {pd} |"


def report(rows: list[dict[str, Any]]) -> None:
    print(
        "| set | state | field | cells | agree & right | agree & wrong | disagree & right | disagree & wrong | right when agree | right when disagree |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in sorted({r["set"] for r in rows}) + ["all"]:
        for st in STATES:
            for f in (*NAMES, "all"):
                sel = [r for r in rows if (s == "all" or r["set"] == s) and r["state"] == st and (f == "all" or r["field"] == f)]
                if sel and (s == "all" or f == "all"):
                    print(f"| {s} | {st} | {f} " + cell_counts(sel))
    print()
    print("Tesseract's text equal to the TRUTH (whatever the stored value), by state:")
    for st in STATES:
        sel = [r for r in rows if r["state"] == st]
        print(f"- {st}: {sum(r['tess'] == r['truth'] for r in sel)} of {len(sel)}")
    held = [r for r in rows if r["state"] == "held-low"]
    print(
        "- held-low, stored value wrong, Tesseract reads the truth:",
        sum(r["value"] != r["truth"] and r["tess"] == r["truth"] for r in held),
    )
    print("- one-line cells among all:", sum(r["n_lines"] == 1 for r in rows), "of", len(rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("dirs", nargs="*")
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    if args.dirs:
        report(read(Path(args.out), [Path(x) for x in args.dirs]))
    elif args.report:
        report(json.loads(Path(args.out).read_text()))


if __name__ == "__main__":
    main()
