"""Would a grey scan's name / address line read better judged by two views, as cut and as lightened
(session 38)? Lightening (pipeline.page.extract.lighten_scan_line) removes ink, never adds a stroke: a
dense glyph's faint inner strokes may vanish and it is then read surely as a simpler glyph (燊 -> 桑).

    PYTHONPATH=. python bench/stroke_views.py collect LABEL=ROOT[,LABEL=ROOT...] CACHE
    PYTHONPATH=. python bench/stroke_views.py rules CACHE[,CACHE...]
    PYTHONPATH=. python bench/stroke_views.py cost LABEL=ROOT[,...] PAGES

`collect`: every written name / address cell of the pages (bench/photo_crops.py's pages: stored clean page
and grid, the truth's columns and rows) is cut as production cuts it (line_crops) and each line read twice:
plain (names deblurred, deblur_name_line; addresses as cut) and lightened (production: prepare_scanned_name /
lighten_scan_line). Where the two texts differ, both texts are scored on both crops (the recognizer's CTC
log-probabilities, engine.score_readings). Cached (pickle, in a 0700 folder: it holds names).
`rules`: per rule, cells exact per kind and cells WRONG read at or above the field's auto-accept threshold
(names 0.985, addresses 0.977: mapping/data/thresholds.json) -- these would be auto-accepted -- and right
cells at it (what a cap would cost). Counts only; no text printed."""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from phone_cells import truth_of  # noqa: E402
from photo_crops import kind_of, pages_of  # noqa: E402

from ocr.agreement import normalize_text  # noqa: E402
from pipeline.page.extract import deblur_name_line, lighten_scan_line, line_crops, prepare_scanned_name  # noqa: E402

SURE = {"name": 0.985, "address": 0.977}


def collect(spec: str, cache: str) -> None:
    from ocr.ppocr import PpOcrEngine

    eng = PpOcrEngine()
    out: list[dict[str, Any]] = []
    for label, root in (a.split("=", 1) for a in spec.split(",")):
        pages = pages_of([Path(root)], None)
        t0 = time.time()
        n_lines = n_diff = 0
        for page in pages:
            if page["photo"]:
                continue
            cols = page["gt"]["columns"]
            want = sorted(c for c, f in enumerate(cols) if kind_of(f, 1) in SURE)
            cells = [(r, c) for r in range(1, len(page["gt"]["rows"]) + 1) for c in want]
            crops, owners, _f = line_crops(page["gray"], page["grid"], cells, set(), False, 1.0)
            kinds = [kind_of(cols[c], r) for r, c in owners]
            plain = [deblur_name_line(cr) if k == "name" else cr for cr, k in zip(crops, kinds)]
            light = [prepare_scanned_name(cr) if k == "name" else lighten_scan_line(cr) for cr, k in zip(crops, kinds)]
            rp, rl = eng.recognize_crops(plain), eng.recognize_crops(light)
            by: dict[tuple[int, int], list[dict[str, Any]]] = {}
            for i, o in enumerate(owners):
                ln: dict[str, Any] = {"tp": rp[i].text, "cp": rp[i].confidence, "tl": rl[i].text, "cl": rl[i].confidence}
                n_lines += 1
                if rp[i].text.strip() and rl[i].text.strip() and normalize_text(rp[i].text) != normalize_text(rl[i].text):
                    n_diff += 1
                    ln["on_l"] = eng.score_readings(light[i], [rl[i].text, rp[i].text])
                    ln["on_p"] = eng.score_readings(plain[i], [rl[i].text, rp[i].text])
                by.setdefault(o, []).append(ln)
            for (r, c), lines in by.items():
                t = truth_of(page, r, c)
                if t:
                    out.append({"label": label, "kind": kind_of(cols[c], r), "truth": t, "lines": lines})
        print(f"# {label}: pages {len(pages)} lines {n_lines} differing {n_diff} ({time.time() - t0:.0f} s)", flush=True)
    with open(cache, "wb") as fh:
        pickle.dump(out, fh)


def joint(ln: dict[str, Any]) -> tuple[str, float, str]:
    """The text the two views together find likelier (sum of its log-probabilities on both crops)."""
    if "on_l" not in ln:
        return ln["tl"], ln["cl"], "same"
    sl = ln["on_l"][0] + ln["on_p"][0]
    sp = ln["on_l"][1] + ln["on_p"][1]
    return (ln["tl"], ln["cl"], "l") if sl >= sp else (ln["tp"], ln["cp"], "p")


def rule(name: str, ln: dict[str, Any]) -> tuple[str, float]:
    if name == "light":
        return ln["tl"], ln["cl"]
    if name == "plain":
        return ln["tp"], ln["cp"]
    if "on_l" not in ln:
        return ln["tl"], ln["cl"]
    ll, lp = ln["on_l"]  # tl, tp on the lightened crop
    pl, pp = ln["on_p"]  # tl, tp on the plain crop
    if name == "joint":
        t, c, _w = joint(ln)
        return t, c
    if name == "joint_cap":  # the joint choice, never sure where the views disagree
        t, c, _w = joint(ln)
        return t, min(c, 0.9)
    if name == "cap_all":  # the lightened reading, never sure where the views disagree (s34-like)
        return ln["tl"], min(ln["cl"], 0.9)
    if name == "cap_plainpref":  # lightened kept; capped where the plain crop finds its own text likelier
        return ln["tl"], (min(ln["cl"], 0.9) if pp > pl else ln["cl"])
    if name == "cap_joint":  # lightened kept; capped where the two views together find the plain text likelier
        return ln["tl"], (min(ln["cl"], 0.9) if lp + pp > ll + pl else ln["cl"])
    if name.startswith("joint_capm"):  # joint choice; capped where the loser's joint score is within M nats
        m = float(name[len("joint_capm") :])
        t, c, _w = joint(ln)
        return t, (min(c, 0.9) if abs((ll + pl) - (lp + pp)) < m else c)
    if name.startswith("cap_plainm"):  # lightened kept; capped where the plain crop prefers its text by > M nats
        m = float(name[len("cap_plainm") :])
        return ln["tl"], (min(ln["cl"], 0.9) if pp - pl > m else ln["cl"])
    raise ValueError(name)


RULES = [
    "light",
    "plain",
    "joint",
    "joint_cap",
    "cap_all",
    "cap_plainpref",
    "cap_joint",
    "joint_capm2",
    "joint_capm5",
    "cap_plainm2",
    "cap_plainm5",
]


def rules(caches: str, names: list[str]) -> None:
    items: list[dict[str, Any]] = []
    for c in caches.split(","):
        with open(c, "rb") as fh:
            items += pickle.load(fh)
    labels = sorted({it["label"] for it in items})
    for label in labels + ["ALL"]:
        its = [it for it in items if label in ("ALL", it["label"])]
        diff = sum(1 for it in its if any("on_l" in ln for ln in it["lines"]))
        print(f"# {label}: cells {len(its)} (names {sum(it['kind'] == 'name' for it in its)}) with differing views {diff}")
        base = None
        for name in names:
            got = []
            for it in its:
                reads = [rule(name, ln) for ln in it["lines"]]
                text = normalize_text("".join(t for t, _c in reads))
                conf = min((c for t, c in reads if t.strip()), default=1.0)
                got.append((text == it["truth"], conf >= SURE[it["kind"]], it["kind"]))
            base = base or got
            right = {k: sum(ok for ok, _s, kk in got if kk == k) for k in SURE}
            wrong_sure = {k: sum((not ok) and s for ok, s, kk in got if kk == k) for k in SURE}
            right_sure = sum(ok and s for ok, s, _k in got)
            plus = sum(g[0] and not b[0] for g, b in zip(got, base))
            minus = sum(b[0] and not g[0] for g, b in zip(got, base))
            print(
                f"  {name:14} right {sum(right.values()):4} {right} +{plus} -{minus}  wrong-sure {wrong_sure}  right-sure {right_sure}"
            )


def two_views(eng: Any, light: list[Any], plain: list[Any], pieces: list[Any]) -> list[Any]:
    """The `joint` rule as read_cells ran it in d267277 (two_view_pieces, reverted): the unlightened view read
    in one batch; where the readings differ, both texts scored on both crops, the likelier over both kept."""
    other = eng.recognize_crops(plain)
    out = list(pieces)
    for i, (lp, pp) in enumerate(zip(pieces, other)):
        if lp.text.strip() and pp.text.strip() and normalize_text(lp.text) != normalize_text(pp.text):
            sl = eng.score_readings(light[i], [lp.text, pp.text])
            sp = eng.score_readings(plain[i], [lp.text, pp.text])
            if sl[1] + sp[1] > sl[0] + sp[0]:
                out[i] = pp
    return out


def cost(spec: str, limit: int) -> None:
    """Seconds a page the second view costs: the lightened name / address lines read (production's first
    reading of them), then two_views on them (the unlightened view read, differing lines scored)."""
    from ocr.ppocr import PpOcrEngine

    eng = PpOcrEngine()
    for label, root in (a.split("=", 1) for a in spec.split(",")):
        pages = [p for p in pages_of([Path(root)], None) if not p["photo"]][:limit]
        first = second = 0.0
        for page in pages:
            cols = page["gt"]["columns"]
            want = sorted(c for c, f in enumerate(cols) if kind_of(f, 1) in SURE)
            cells = [(r, c) for r in range(1, len(page["gt"]["rows"]) + 1) for c in want]
            crops, owners, _f = line_crops(page["gray"], page["grid"], cells, set(), False, 1.0)
            names = [kind_of(cols[c], r) == "name" for r, c in owners]
            light = [prepare_scanned_name(cr) if n else lighten_scan_line(cr) for cr, n in zip(crops, names)]
            t0 = time.perf_counter()
            pieces = eng.recognize_crops(light)
            t1 = time.perf_counter()
            two_views(eng, light, [deblur_name_line(cr) if n else cr for cr, n in zip(crops, names)], pieces)
            first, second = first + t1 - t0, second + time.perf_counter() - t1
        n = max(1, len(pages))
        print(
            f"# {label}: {len(pages)} pages, lightened lines read {first / n:.2f} s a page, second view {second / n:.2f} s a page"
        )


if __name__ == "__main__":
    if sys.argv[1] == "cost":
        cost(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "collect":
        collect(sys.argv[2], sys.argv[3])
    else:
        rules(sys.argv[2], sys.argv[3].split(",") if len(sys.argv) > 3 else RULES)
