"""Issue 21 analysis (session 42): would an INDEPENDENT second recognizer reading a held name or address
exactly as the stored value be evidence enough to accept it? No product change. Counts only on stdout
(values stay in the JSON under the caller's data folder, owner-only, never printed).

    PYTHONPATH=. python bench/agree_held.py OUT.json FAMILY_DIR...   # remap, cut, read, write OUT, print
    PYTHONPATH=. python bench/agree_held.py OUT.json --report        # the tables again from OUT

Each FAMILY_DIR is what bench_families.py keeps (scans/ with the truth beside them, run-*/data the store);
its store is RE-MAPPED in place by this checkout (bench/fields_wrong.run_store: no OCR), so pass a copy, and
scored (pipeline.quality.evaluate: which fields of which record are right).

Held fields measured: every name (deceased_name, agent_name, registrant_name) and household_address that a
route reason holds below its threshold (routing.LOW_CONFIDENCE), on pages not processed as photographs. Its
cell's lines are cut again from the stored clean page as read_cells cuts them (bench/bilevel_edges.cell_lines)
and read, recognition only, by two readers of other training than the first (PP-OCRv6 small):

- `v4`: PP-OCRv4 mobile (ocr.ppocr model "v4", ONNX Runtime), another PaddleOCR generation;
- `tess`: Tesseract 5 chi_sim LSTM (ocr.tesseract, psm 7), another model family altogether;
- `v6` (--readers v6, a check of the cut): the first recognizer again on the same crops.

A reader *agrees* where its text (lines joined, whitespace removed) equals the stored value. Rules simulated:
a held field is accepted where v4 agrees / Tesseract agrees / both agree; a record held ONLY by such fields
(every route reason a name or address below its threshold) becomes auto-accepted where every one of them is
accepted. Per store: fields accepted right / wrong, records released (entirely right / with a wrong field,
the wrong field anywhere in the record), and the store's wrong among auto-accepted fields before -> after.
Seconds per page of the second readings (recognition of the held cells' line crops only) are printed too.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bilevel_edges import cell_lines  # noqa: E402
from fields_wrong import run_store  # noqa: E402

from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.safety import private_file  # noqa: E402
from pipeline.kernel.store import Record  # noqa: E402
from pipeline.page.extract import lighten_scan_line, prepare_scanned_name, scanned_bilevel, soften_bilevel_line  # noqa: E402
from pipeline.page.layout import Grid  # noqa: E402
from pipeline.page.routing import AUTO_ACCEPTED, LOW_CONFIDENCE, processed_as_photograph  # noqa: E402
from pipeline.quality.evaluate import evaluate  # noqa: E402

FIELDS = ("deceased_name", "agent_name", "registrant_name", "household_address")
RULES = ("v4", "tess", "both", "either")


def _plain(t: Any) -> str:
    return "".join(str(t or "").split())


def _pages(data: Path) -> dict[int, tuple[str | None, dict[str, Any] | None, bool]]:
    """page id -> (clean image sha, layout, scanned in 1-bit); photographs left out (sha None)."""
    db = sqlite3.connect(data / "store.sqlite")
    out: dict[int, tuple[str | None, dict[str, Any] | None, bool]] = {}
    for pid, sha, layout, steps in db.execute("select id, clean_image, layout, steps from pages"):
        st = json.loads(steps or "[]")
        photo = processed_as_photograph(st)
        out[pid] = (None, None, False) if photo else (sha, json.loads(layout) if layout else None, scanned_bilevel(st))
    db.close()
    return out


def prepared(lines: list[np.ndarray], field: str, bilevel: bool) -> list[np.ndarray]:
    """The lines as read_cells prepares them for the recognizer on a scan: a grey scan's names lightened and
    deblurred (prepare_scanned_name), its addresses lightened (lighten_scan_line); a 1-bit scan's addresses
    softened (soften_bilevel_line), its names as cut."""
    if field == "household_address":
        return [soften_bilevel_line(x) if bilevel else lighten_scan_line(x) for x in lines]
    return lines if bilevel else [prepare_scanned_name(x) for x in lines]


def collect(family_dir: Path, settings: Settings, engines: dict[str, Any], raw: bool = False) -> dict[str, Any]:
    store = run_store(family_dir, settings)
    try:
        ev = evaluate(store, processed_only=False, truth_dir=family_dir / "scans")
        with store.session() as ss:
            recs = [
                (r.id, r.page_id, r.status, list(r.route_reasons or []), dict(r.fields or {}), list(r.cells or []))
                for r in ss.query(Record)
            ]
    finally:
        store.dispose()
    data = next(family_dir.glob("run-*")) / "data"
    pages = _pages(data)
    obs: dict[int, dict[str, bool]] = defaultdict(dict)
    for o in ev.observations:
        obs[o.record][o.field] = o.right
    records: list[dict[str, Any]] = []
    fields: list[dict[str, Any]] = []
    cache: dict[str, np.ndarray] = {}
    secs: Counter[str] = Counter()
    read_pages: set[int] = set()
    for rid, pid, status, reasons, fvs, cells in recs:
        if rid not in obs:
            continue
        low = [m.group(1) for m in (LOW_CONFIDENCE.match(x) for x in reasons) if m]
        only = bool(reasons) and len(low) == len(reasons) and all(f in FIELDS for f in low)
        rec = {
            "id": rid,
            "auto": status == AUTO_ACCEPTED,
            "only": only,
            "n": len(obs[rid]),
            "wrong": sum(not r for r in obs[rid].values()),
            "held": [f for f in low if f in FIELDS],
        }
        records.append(rec)
        sha, layout, bilevel = pages.get(pid, (None, None, False))
        cols = list((layout or {}).get("columns") or [])
        for f in rec["held"]:
            fv = fvs.get(f) or {}
            row: dict[str, Any] = {
                "rec": rid,
                "field": f,
                "value": _plain(fv.get("value")),
                "right": obs[rid].get(f, True),
                "conf": float(fv.get("confidence", 0.0)),
                "flags": list(fv.get("flags") or []),
                "only": only,
                "cut": False,
            }
            if f in cols and cols.index(f) < len(cells):
                row["first"] = _plain((cells[cols.index(f)] or {}).get("text"))
            fields.append(row)
            box = fv.get("box")
            if not sha or not layout or not box:
                continue
            if sha not in cache:
                cache.clear()
                cache[sha] = cv2.imread(str(next((data / "images").rglob(f"{sha}*"))), cv2.IMREAD_GRAYSCALE)
            lines = cell_lines(cache[sha], Grid.from_dict(layout["grid"]), box, f)
            if not lines:
                continue
            if not raw:
                lines = prepared(lines, f, bilevel)
            row["cut"] = True
            row["n_lines"] = len(lines)
            read_pages.add(pid)
            for name, eng in engines.items():
                t0 = time.perf_counter()
                got = eng.recognize_crops(lines)
                row[name] = "".join(_plain(p.text) for p in got)
                row[name + "_conf"] = min((float(p.confidence) for p in got), default=0.0)
                secs[name] += time.perf_counter() - t0
    return {
        "set": f"{family_dir.parents[1].name}/{family_dir.parent.name}/{family_dir.name}",
        "pages": len(pages),
        "pages_read": len(read_pages),
        "auto_fields": ev.auto_fields,
        "auto_wrong": ev.auto_fields_wrong,
        "records": ev.records,
        "auto": ev.auto_accepted,
        "secs": dict(secs),
        "recs": records,
        "fields": fields,
    }


def accepted(row: dict[str, Any], rule: str) -> bool:
    if not row.get("cut") or not row["value"]:
        return False
    v4 = row.get("v4") == row["value"]
    ts = row.get("tess") == row["value"]
    return {"v4": v4, "tess": ts, "both": v4 and ts, "either": v4 or ts}[rule]


def report(sets: list[dict[str, Any]]) -> None:
    print("## Held names / addresses (below threshold), second reader agreeing exactly with the stored value\n")
    print("| set | pages | held fields (cut) | right among held | " + " | ".join(f"{r} agree r/w" for r in RULES) + " |")
    print("|---|---|---|---|" + "---|" * len(RULES))
    tot: Counter[Any] = Counter()
    for s in [*sets, None]:
        sel = [r for x in sets for r in x["fields"]] if s is None else s["fields"]
        cut = [r for r in sel if r.get("cut")]
        cells = []
        for rule in RULES:
            a = [r for r in cut if accepted(r, rule)]
            cells.append(f"{sum(r['right'] for r in a)}/{sum(not r['right'] for r in a)}")
        name = "all" if s is None else s["set"]
        pages = sum(x["pages"] for x in sets) if s is None else s["pages"]
        print(f"| {name} | {pages} | {len(sel)} ({len(cut)}) | {sum(r['right'] for r in cut)} | " + " | ".join(cells) + " |")
    print("\nBy field (all sets): held (cut) / right / v4 agree r/w / tess agree r/w / both agree r/w")
    allf = [r for x in sets for r in x["fields"] if r.get("cut")]
    for f in FIELDS:
        sel = [r for r in allf if r["field"] == f]
        parts = []
        for rule in ("v4", "tess", "both"):
            a = [r for r in sel if accepted(r, rule)]
            parts.append(f"{rule} {sum(r['right'] for r in a)}/{sum(not r['right'] for r in a)}")
        print(f"- {f}: {len(sel)} / {sum(r['right'] for r in sel)} / " + " / ".join(parts))
    print("\nWrong held values a reader does not read as stored (whether it reads the truth is not counted):")
    for rule in ("v4", "tess"):
        wr = [r for r in allf if not r["right"]]
        print(f"- {rule}: disagrees on {sum(r.get(rule) != r['value'] for r in wr)} of {len(wr)} wrong held values")
    if any("v6" in r for r in allf):
        v6 = [r for r in allf if "v6" in r]
        print(
            f"- v6 (the first recognizer) on the same crops reads the stored value in {sum(r['v6'] == r['value'] for r in v6)} of {len(v6)}"
        )
        v6f = [r for r in v6 if "first" in r]
        print(f"- v6 on the same crops reads the stored first reading in {sum(r['v6'] == r['first'] for r in v6f)} of {len(v6f)}")
    fr = [r for r in allf if "first" in r]
    print(f"- stored value equal to the stored first reading: {sum(r['value'] == r['first'] for r in fr)} of {len(fr)}")
    print("\n## Records held only by names / addresses below threshold, released where every such field is accepted\n")
    print(
        "| set | records | auto before | held only by name/address | "
        + " | ".join(f"{r}: released right/wrong; auto after; wrong among auto" for r in RULES)
        + " |"
    )
    print("|---|---|---|---|" + "---|" * len(RULES))
    for s in sets:
        fmap: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in s["fields"]:
            fmap[r["rec"]].append(r)
        only = [r for r in s["recs"] if r["only"] and not r["auto"]]
        cells = []
        for rule in RULES:
            rel = [r for r in only if fmap[r["id"]] and all(accepted(x, rule) for x in fmap[r["id"]])]
            bad = [r for r in rel if r["wrong"]]
            nf = s["auto_fields"] + sum(r["n"] for r in rel)
            nw = s["auto_wrong"] + sum(r["wrong"] for r in rel)
            auto = s["auto"] + len(rel)
            tot[(rule, "rel")] += len(rel)
            tot[(rule, "bad")] += len(bad)
            tot[(rule, "nf")] += nf
            tot[(rule, "nw")] += nw
            tot[(rule, "auto")] += auto
            cells.append(
                f"{len(rel) - len(bad)}/{len(bad)}; {100 * auto / max(1, s['records']):.1f} %; {nw}/{nf} ({100 * nw / max(1, nf):.2f} %)"
            )
        tot["records"] += s["records"]
        tot["auto"] += s["auto"]
        tot["only"] += len(only)
        tot["nf0"] += s["auto_fields"]
        tot["nw0"] += s["auto_wrong"]
        print(
            f"| {s['set']} | {s['records']} | {100 * s['auto'] / max(1, s['records']):.1f} % ({s['auto_wrong']}/{s['auto_fields']}) | {len(only)} | "
            + " | ".join(cells)
            + " |"
        )
    cells = []
    for rule in RULES:
        nf, nw = tot[(rule, "nf")], tot[(rule, "nw")]
        cells.append(
            f"{tot[(rule, 'rel')] - tot[(rule, 'bad')]}/{tot[(rule, 'bad')]}; {100 * tot[(rule, 'auto')] / max(1, tot['records']):.1f} %; "
            f"{nw}/{nf} ({100 * nw / max(1, nf):.2f} %)"
        )
    print(
        f"| all | {tot['records']} | {100 * tot['auto'] / max(1, tot['records']):.1f} % ({tot['nw0']}/{tot['nf0']}) | {tot['only']} | "
        + " | ".join(cells)
        + " |"
    )
    print("\n## Cost of the second readings (recognition of held cells' line crops only)\n")
    for s in sets:
        pr = max(1, s["pages_read"])
        cost = ", ".join(f"{k} {v:.1f} s ({v / pr:.2f} s a page with a held cell)" for k, v in s["secs"].items())
        print(f"- {s['set']}: {s['pages_read']} pages with a held cell read; {cost}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("dirs", nargs="*")
    ap.add_argument("--report", action="store_true")
    ap.add_argument("--readers", default="v4,tess")
    ap.add_argument("--raw", action="store_true", help="read the lines as cut, not prepared as read_cells prepares them")
    args = ap.parse_args()
    out = Path(args.out)
    if args.dirs:
        settings = Settings.load(None)
        engines: dict[str, Any] = {}
        for name in args.readers.split(","):
            if name == "v4":
                from ocr.ppocr import PpOcrEngine

                engines["v4"] = PpOcrEngine(model="v4", threads=1)
            elif name == "v6":  # the first recognizer again: do the crops give back the stored reading?
                from ocr.ppocr import PpOcrEngine

                engines["v6"] = PpOcrEngine(threads=1)
            elif name == "tess":
                from ocr.tesseract import TesseractEngine

                engines["tess"] = TesseractEngine(lang="chi_sim")
        sets = json.loads(out.read_text()) if out.exists() else []
        done = {s["set"] for s in sets}
        for d in [Path(x) for x in args.dirs]:
            s = collect(d, settings, engines, args.raw)
            if s["set"] in done:
                sets = [x for x in sets if x["set"] != s["set"]]
            sets.append(s)
            print(f"{s['set']}: held {len(s['fields'])}, secs {s['secs']}", flush=True)
            with private_file(out, encoding="utf-8") as f:  # values: owner-only (0600)
                f.write(json.dumps(sets, ensure_ascii=False))
        report(sets)
    elif args.report:
        report(json.loads(out.read_text()))


if __name__ == "__main__":
    main()
