"""Session 40: how phone numbers and IDs of photographs are read wrong, and whether a second look doubts
them. Re-maps stored cells (no page is read again), then, for each one-line phone / ID cell of a scored row
whose value has the truth's length, cuts its line as read_cells does (line_crops: at the frame's own
resolution on an enlarged photograph, the production view) and also as the enlarged page stands
(`enlarged` 1: the cleanup's view), reads both, and scores on the production crop every text one
recognizer digit confusion (mapping.idfix.CONFUSABLE) from the reading (ocr score_readings: CTC
log-probability). Writes one JSON line a cell (masked: only whether each view is right, the positions and
digit pairs that differ, the margin of the reading over its best one-confusion rival and whether that rival
is the truth); prints a summary. Run it on COPIES of family folders kept by bench_families.py (the stores
are re-mapped in place).

    PYTHONPATH=. python bench/digit_views.py OUT.jsonl FAMILY_DIR [FAMILY_DIR ...]
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fields_wrong import run_store, scored_rows  # noqa: E402

from mapping.idfix import CONFUSABLE  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Page  # noqa: E402
from pipeline.page.extract import STRETCH_FIELDS, line_crops  # noqa: E402
from pipeline.page.layout import Grid  # noqa: E402
from pipeline.page.routing import photograph_enlarged, processed_as_photograph  # noqa: E402
from pipeline.quality.evaluate import scored_value  # noqa: E402

FIELDS = ("agent_phone", "registrant_phone", "id_number")


def digits(t: str) -> str:
    return re.sub(r"[^0-9X]", "", t.upper())


def neighbours(reading: str) -> list[str]:
    out = []
    for i, ch in enumerate(reading):
        for a in CONFUSABLE.get(ch, ""):
            out.append(reading[:i] + a + reading[i + 1 :])
    return list(dict.fromkeys(out))


def main() -> None:
    from ocr.ppocr import PpOcrEngine

    engine = PpOcrEngine()
    settings = Settings.load(None)
    out = open(sys.argv[1], "a")
    for d in sys.argv[2:]:
        store = run_store(Path(d), settings)
        t0 = time.perf_counter()
        pages: dict[int, tuple] = {}
        n = 0
        for _path, _g, cols, _page, grow, rec in list(scored_rows(store)):
            for name in FIELDS:
                if name not in cols:
                    continue
                c = cols.index(name)
                tv = scored_value(grow["record"].get(name))
                fv = (rec.fields or {}).get(name) or {}
                v = scored_value(fv.get("value"))
                if not tv or not v or len(tv) != len(v) or c >= len(rec.cells or []):
                    continue
                if rec.page_id not in pages:
                    with store.session() as s:
                        p = s.get(Page, rec.page_id)
                        lay, steps, img = p.layout or {}, p.steps or [], p.clean_image
                    if not lay.get("grid"):
                        pages[rec.page_id] = (None,)
                    else:
                        stretch = {i for i, f in enumerate(lay["columns"]) if f in STRETCH_FIELDS}
                        pages[rec.page_id] = (
                            store.images.get(img),
                            Grid.from_dict(lay["grid"]),
                            stretch,
                            processed_as_photograph(steps),
                            photograph_enlarged(steps),
                        )
                pg = pages[rec.page_id]
                if pg[0] is None or rec.row_no >= pg[1].n_rows:
                    continue
                gray, grid, stretch, photo, enl = pg
                prod, _o, _f = line_crops(gray, grid, [(rec.row_no, c)], stretch, photo, enl)
                big, _o2, _f2 = line_crops(gray, grid, [(rec.row_no, c)], stretch, photo, 1.0)
                if len(prod) != 1 or len(big) != 1:
                    continue
                rp, rb = engine.recognize_crops([prod[0], big[0]])
                dp, db = digits(rp.text), digits(rb.text)
                row = {
                    "dir": Path(d).parent.parent.name,
                    "field": name,
                    "right": v == tv,
                    "conf": float(fv.get("confidence", 0)),
                    "enlarged": enl,
                    "prod_right": dp == tv[-len(dp) :] and len(dp) == len(tv) if dp else False,
                    "big_right": db == tv if db else False,
                    "prod_len": len(dp),
                    "views_agree": dp == db,
                    "value_is_prod": v.endswith(dp) and len(dp) >= 7,
                    "pconf": rp.confidence,
                    "bconf": rb.confidence,
                    "flags": fv.get("flags", []),
                }
                if dp and len(dp) == len(tv):
                    row["diff"] = [f"{a}>{b}@{i}" for i, (a, b) in enumerate(zip(tv, dp)) if a != b]
                    nb = neighbours(dp)
                    sc = engine.score_readings(prod[0], [dp] + nb) if nb else None
                    if sc is not None and len(sc) == len(nb) + 1:
                        best = max(range(len(nb)), key=lambda k: sc[k + 1])
                        row["margin"] = float(sc[0] - sc[best + 1])
                        row["rival_right"] = nb[best] == tv
                        row["truth_margin"] = float(sc[0] - sc[1 + nb.index(tv)]) if tv in nb else None
                    scb = engine.score_readings(big[0], [dp] + nb) if nb else None
                    if scb is not None and len(scb) == len(nb) + 1:
                        bestb = max(range(len(nb)), key=lambda k: scb[k + 1])
                        row["margin_big"] = float(scb[0] - scb[bestb + 1])
                out.write(json.dumps(row) + "\n")
                n += 1
        out.flush()
        store.dispose()
        print(f"{d}: {n} cells, {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
