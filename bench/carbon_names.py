"""Issue 21 analysis: why a store's name (and address) fields are read wrong, from what the store kept of
each cell's readings. Counts only (no name, no address is printed). No OCR unless --score.

    PYTHONPATH=. python bench/carbon_names.py FAMILY_DIR... [--no-remap] [--score N]

Each FAMILY_DIR is what bench_families.py keeps (scans/ with the truth beside them, run-*/data the store;
remapped first with today's code unless --no-remap: use a copy). For every name field (deceased, agent,
registrant) and household address of a record paired with a truth row, its column found on the page, the
stored cell (first reading, second reading where the first was below Settings.second_read_below, and for a
one-line name read twice the texts the recognizer listed, pipeline.page.extract.name_alternatives) is
compared with the truth:

- where the value is wrong: which characters (surname = the first, given name = the rest; a length
  change apart), whether the first / second reading / any listed text was the truth, the confidences,
  whether the value's and the truth's first characters are listed surnames (mapping/data/surnames.txt),
  whether the record was auto-accepted;
- over all name cells: how a reading whose first character is no listed surname turns out.

--score N: for up to N wrong one-line name cells, the cell's line is cut again from the stored clean page
(bench/faded_crops.cell_lines) and the recognizer's CTC log-probability of the truth, the value and both
readings is computed on it (engine.score_readings: ocr.ctc), and the likeliest texts in the name alphabet
(NAME_BEAM) searched: is the truth what the recognizer saw but was not chosen, or not seen at all?
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fields_wrong import run_store, scored_rows  # noqa: E402

from mapping.normalize import _surnames  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Store  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED  # noqa: E402
from pipeline.quality.evaluate import scored_value  # noqa: E402

NAMES = ("deceased_name", "agent_name", "registrant_name")
FIELDS = NAMES + ("household_address",)


def _plain(t: Any) -> str:
    return "".join(str(t or "").split())


def where(value: str, truth: str) -> str:
    if not value:
        return "blank"
    if len(value) != len(truth):
        return "length"
    diff = [i for i, (a, b) in enumerate(zip(value, truth)) if a != b]
    if not diff:
        return "same"
    if diff == [0]:
        return "surname"
    if 0 in diff:
        return "surname+given"
    return "given" if len(diff) == 1 else "given x2+"


def bucket(c: float | None) -> str:
    if c is None:
        return "-"
    for b in (0.5, 0.8, 0.9, 0.95, 0.99):
        if c < b:
            return f"<{b}"
    return ">=0.99"


def cases(family_dir: Path, settings: Settings, do_remap: bool) -> list[dict[str, Any]]:
    store = run_store(family_dir, settings, do_remap)
    out: list[dict[str, Any]] = []
    for path, gpage, cols, page, grow, rec in scored_rows(store):
        for name in FIELDS:
            t = scored_value(grow["record"].get(name))
            if t is None or page.field_state(name) in ("not_identified", "misassigned") or name not in cols:
                continue
            ci = cols.index(name)
            cell = rec.cells[ci] if ci < len(rec.cells) else {}
            fv = rec.fields.get(name) or {}
            out.append(
                {
                    "family": family_dir.name,
                    "page": gpage["page"],
                    "path": path,
                    "row": grow["row"],
                    "field": name,
                    "truth": _plain(t),
                    "value": _plain(scored_value(fv.get("value"))),
                    "first": _plain(cell.get("text")),
                    "first_raw": str(cell.get("text") or ""),
                    "c1": cell.get("confidence"),
                    "second": None if cell.get("second") is None else _plain(cell.get("second")),
                    "c2": cell.get("second_confidence"),
                    "alts": cell.get("alternatives"),
                    "box": fv.get("box") or cell.get("box"),
                    "flags": list(fv.get("flags", [])),
                    "conf": float(fv.get("confidence", 0.0)),
                    "auto": rec.status == AUTO_ACCEPTED,
                    "reasons": list(rec.route_reasons or []),
                }
            )
    store.dispose()
    return out


def report(cs: list[dict[str, Any]]) -> None:
    sn = _surnames()
    for group, fields in (("names", NAMES), ("addresses", ("household_address",))):
        g = [c for c in cs if c["field"] in fields]
        wrong = [c for c in g if c["value"] != c["truth"]]
        print(f"== {group}: {len(g)} cells, wrong {len(wrong)} (auto-accepted {sum(c['auto'] for c in wrong)})")
        print("  where:", dict(Counter(where(c["value"], c["truth"]) for c in wrong).most_common()))
        src = Counter()
        for c in wrong:
            f, s2 = c["first"] == c["truth"], c["second"] == c["truth"]
            alts = {_plain(t) for t, _x in (c["alts"] or [])}
            src[
                ("first right" if f else "")
                + (" second right" if s2 else "")
                + ("" if c["second"] is not None else " no second")
                + (
                    ""
                    if c["alts"] is None
                    else (" truth listed" if c["truth"] in alts else " truth not listed")
                    if group == "names"
                    else ""
                )
            ] += 1
        print("  readings:", dict(src.most_common()))
        print("  first conf:", dict(Counter(bucket(c["c1"]) for c in wrong).most_common()))
        print("  second conf:", dict(Counter(bucket(c["c2"]) for c in wrong).most_common()))
        print("  field conf:", dict(Counter(bucket(c["conf"]) for c in wrong).most_common()))
        print("  flags:", dict(Counter(f for c in wrong for f in c["flags"]).most_common(12)))
        if group == "names":
            print(
                "  value surname listed / truth surname listed:",
                dict(Counter(f"{c['value'][:1] in sn}/{c['truth'][:1] in sn}" for c in wrong if c["value"]).most_common()),
            )
            un = [c for c in g if c["value"] and len(c["value"]) >= 2 and c["value"][0] not in sn]
            print(
                f"  all names valued with an unlisted first character: {len(un)}, right {sum(c['value'] == c['truth'] for c in un)}, "
                f"truth listed among alternatives {sum(c['truth'] in {_plain(t) for t, _ in (c['alts'] or [])} for c in un)}, "
                f"alternatives with a listed surname of the value's length {sum(any(len(_plain(t)) == len(c['value']) and _plain(t)[:1] in sn for t, _ in (c['alts'] or [])) for c in un)}"
            )
            two = [c for c in g if c["second"] is not None and c["second"] != c["first"]]
            print(
                f"  names whose two readings differ: {len(two)}; first right {sum(c['first'] == c['truth'] for c in two)}, "
                f"second right {sum(c['second'] == c['truth'] for c in two)}, value right {sum(c['value'] == c['truth'] for c in two)}"
            )


def score(cs: list[dict[str, Any]], dirs: list[Path], settings: Settings, n: int) -> None:
    """The recognizer's view of up to n wrong one-line name cells (re-read from the stored page)."""
    import cv2

    sys.path.insert(0, str(ROOT / "bench"))
    from bilevel_edges import cell_lines

    from mapping.normalize import name_alphabet
    from ocr.ppocr import PpOcrEngine
    from pipeline.kernel.store import Page
    from pipeline.page.layout import Grid

    eng = PpOcrEngine()
    alpha = name_alphabet()
    wrong = [c for c in cs if c["field"] in NAMES and c["value"] and c["value"] != c["truth"] and c["box"]][:n]
    tally = Counter()
    gaps = []
    for d in dirs:
        run = next(d.glob("run-*"))
        data = run / "data"
        s = settings.with_(data_dir=str(data))
        store = Store.open(s)
        with store.session() as sess:
            from sqlalchemy import select

            from pipeline.kernel.store import SourceFile

            pages = {
                (sf, p.page_no): (p.clean_image, p.layout)
                for p, sf in sess.execute(select(Page, SourceFile.abs_path).join(SourceFile, Page.file_id == SourceFile.id))
            }
        store.dispose()
        for c in [c for c in wrong if c["family"] == d.name]:
            sha, layout = pages.get((c["path"], c["page"]), (None, None))
            if not sha or not layout:
                tally["no page"] += 1
                continue
            img = cv2.imread(str(next((data / "images").rglob(f"{sha}*"))), cv2.IMREAD_GRAYSCALE)
            lines = cell_lines(img, Grid.from_dict(layout["grid"]), c["box"], c["field"])
            if len(lines) != 1:
                tally["not one line"] += 1
                continue
            crop = lines[0]
            texts = list(dict.fromkeys([c["truth"], c["value"], c["first"]] + ([c["second"]] if c["second"] else [])))
            sc = dict(zip(texts, eng.score_readings(crop, texts) or []))
            found = eng.likeliest_texts(crop, alpha, beam=32) or []
            ranked = [t for t, _x in found]
            rank = ranked.index(c["truth"]) + 1 if c["truth"] in ranked else 0
            gap = sc.get(c["truth"], -np.inf) - sc.get(c["value"], -np.inf)
            gaps.append(gap)
            tally[
                f"{where(c['value'], c['truth'])}: truth {'beam<=16' if 0 < rank <= 16 else 'beam17-32' if rank else 'not in beam32'}, "
                f"{'truth likelier' if gap > 0 else 'value likelier'}"
            ] += 1
    print("== recognizer's view of wrong names (CTC on the stored clean page's crop):")
    for k, v in sorted(tally.items()):
        print(f"  {k}: {v}")
    if gaps:
        g = np.array(gaps)
        g = g[np.isfinite(g)]
        print(
            "  log p(truth) - log p(value): quartiles "
            + ", ".join(f"{q:.2f}" for q in np.percentile(g, [10, 25, 50, 75, 90]))
            + f" (n={len(g)})"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--no-remap", action="store_true")
    ap.add_argument("--score", type=int, default=0)
    args = ap.parse_args()
    settings = Settings.load(None)
    dirs = [Path(d) for d in args.dirs]
    cs: list[dict[str, Any]] = []
    for d in dirs:
        cs += cases(d, settings, not args.no_remap)
    report(cs)
    if args.score:
        score(cs, dirs, settings, args.score)


if __name__ == "__main__":
    main()
