"""A second recognizer's opinion on name cells (session 11): how often PP-OCRv4 mobile agrees with
PP-OCRv6 on the crops of person-name cells, and how often v6 is wrong when they agree, against
v6 agreeing with itself on the second crop (ocr.agreement.second_crop). Never a test.

    python bench/bench_xmodel.py --scans /work/data/design/seed3301-p20/county_editions/scans \
        /work/data/design/seed3301-p20/typed_sheets/scans --out bench/results/xmodel.md

Crops are cut as the pipeline cuts them (bench/bench_recognizers.py gather: cleanup, grid, line_crops)
on pages whose grid has the truth's shape; only the one-line cells of columns whose field normalizes
as a name (the spec's "name" normalizer). v6 reads as the pipeline's engine does (Settings' engine
settings); v4 on the same crops. A v6 reading holding a character v4 cannot output is "no opinion"
(v4's dictionary has 6 623 characters), never counted as a disagreement.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_recognizers import gather  # noqa: E402
from mapping.spec import load_spec  # noqa: E402
from ocr.agreement import SECOND_READ_BELOW, normalize_text, second_crop  # noqa: E402
from ocr.registry import get_engine  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402


def name_fields(settings: Settings) -> set[str]:
    sp = load_spec(settings.spec_version)
    return {f.name for k in sp.kinds for f in sp.kind(k).fields if f.normalizer == "name"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", nargs="+", required=True)
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--out", default=None, help="markdown report (and .json of the counts beside it)")
    ap.add_argument("--rows", default=None, help="per-crop readings and truth (names: keep out of the repository)")
    args = ap.parse_args()
    settings = Settings(data_dir=str(ROOT / "bench" / "out" / "xmodel" / "data"))
    names = name_fields(settings)
    v6 = get_engine(settings.engine, **settings.engine_settings)
    v4 = get_engine("ppocr", model="v4", runtime="onnxruntime")
    v4_chars = v4.dictionary()
    rows = []
    t_v4 = t_v6 = 0.0
    n_crops = 0
    for scans in args.scans:
        pages, skipped = gather(Path(scans), args.pages, settings)
        print(f"{scans}: {len(pages)} pages, {skipped} left out", flush=True)
        for label, _gray, crops, owners, truth, columns in pages:
            cells: dict[tuple[int, int], list[int]] = {}
            for i, (r, c) in enumerate(owners):
                if columns[c] in names:
                    cells.setdefault((r, c), []).append(i)
            one = {rc: idx[0] for rc, idx in cells.items() if len(idx) == 1}
            if not one:
                continue
            keys = list(one)
            sel = [crops[one[k]] for k in keys]
            t = time.perf_counter()
            first = v6.recognize_crops(sel)
            t_v6 += time.perf_counter() - t
            second = v6.recognize_crops([second_crop(c, False) for c in sel])
            t = time.perf_counter()
            other = v4.recognize_crops(sel)
            t_v4 += time.perf_counter() - t
            n_crops += len(sel)
            for k, p1, p2, p4 in zip(keys, first, second, other):
                rows.append(
                    {
                        "store": scans,
                        "page": label,
                        "rc": k,
                        "truth": normalize_text(truth[k]),
                        "v6": normalize_text(p1.text),
                        "c6": p1.confidence,
                        "v6b": normalize_text(p2.text),
                        "c6b": p2.confidence,
                        "v4": normalize_text(p4.text),
                        "c4": p4.confidence,
                    }
                )
    report = {"v6": v6.describe(), "v4": v4.describe(), "all stores": summarize(rows, v4_chars)}
    for scans in args.scans:
        report[scans] = summarize([r for r in rows if r["store"] == scans], v4_chars)
    report["v4_ms_per_crop"] = 1000 * t_v4 / max(1, n_crops)
    report["v6_ms_per_crop"] = 1000 * t_v6 / max(1, n_crops)
    text = render(report)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        Path(args.out).with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.rows:
        Path(args.rows).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def summarize(rows: list[dict], v4_chars: frozenset[str]) -> dict:
    out: dict = {}
    for scope, keep in (("all", lambda r: True), ("unsure", lambda r: r["c6"] < SECOND_READ_BELOW)):
        rs = [r for r in rows if r["truth"] and r["v6"] and keep(r)]
        d: dict = {"n": len(rs), "v6_wrong": sum(r["v6"] != r["truth"] for r in rs)}
        for who, key in (("v4", "v4"), ("v6b", "v6b")):
            no_op = [r for r in rs if who == "v4" and not set(r["v6"]) <= v4_chars]
            op = [r for r in rs if r not in no_op]
            ag = [r for r in op if r[key] == r["v6"]]
            dis = [r for r in op if r[key] != r["v6"]]
            d[who] = {
                "no_opinion": len(no_op),
                "no_opinion_v6_wrong": sum(r["v6"] != r["truth"] for r in no_op),
                "agree": len(ag),
                "agree_v6_wrong": sum(r["v6"] != r["truth"] for r in ag),
                "disagree": len(dis),
                "disagree_v6_wrong": sum(r["v6"] != r["truth"] for r in dis),
                "disagree_other_right": sum(r[key] == r["truth"] for r in dis),
            }
        # both: v4 and the second crop agree with v6
        both = [r for r in rs if r["v4"] == r["v6"] == r["v6b"]]
        d["both_agree"] = len(both)
        d["both_agree_v6_wrong"] = sum(r["v6"] != r["truth"] for r in both)
        # combined confidence as resolve would give it, and how many would pass the name threshold
        for name, thr in (("0.985", 0.985),):
            comb = [r for r in rs if r["v4"] == r["v6"] and 1 - (1 - r["c6"]) * (1 - r["c4"]) >= thr]
            d[f"v4_combined_ge_{name}"] = len(comb)
            d[f"v4_combined_ge_{name}_wrong"] = sum(r["v6"] != r["truth"] for r in comb)
            comb2 = [r for r in rs if r["v6b"] == r["v6"] and 1 - (1 - r["c6"]) * (1 - r["c6b"]) >= thr]
            d[f"v6b_combined_ge_{name}"] = len(comb2)
            d[f"v6b_combined_ge_{name}_wrong"] = sum(r["v6"] != r["truth"] for r in comb2)
        out[scope] = d
    # a proxy of auto-acceptance at the packaged name threshold (0.985), before mapping (no
    # traditional-form folding, no name rescoring): sure first readings pass; unsure ones as each rule says
    rs = [r for r in rows if r["truth"] and r["v6"]]

    def comb(*cs: float) -> float:
        left = 1.0
        for c in cs:
            left *= 1 - c
        return 1 - left

    def opinion(r: dict) -> bool:
        return set(r["v6"]) <= v4_chars

    sure = SECOND_READ_BELOW
    rules = {
        "today: second crop agrees, combined": lambda r: r["v6b"] == r["v6"] and comb(r["c6"], r["c6b"]) >= NAME_LINE,
        "today + v4 veto (v4 differs: doubted)": lambda r: (
            r["v6b"] == r["v6"] and comb(r["c6"], r["c6b"]) >= NAME_LINE and (not opinion(r) or r["v4"] == r["v6"])
        ),
        "v4 instead of the second crop": lambda r: opinion(r) and r["v4"] == r["v6"] and comb(r["c6"], r["c4"]) >= NAME_LINE,
        "all three agree, three-way combined": lambda r: (
            r["v6b"] == r["v6"] == r["v4"] and comb(r["c6"], r["c6b"], r["c4"]) >= NAME_LINE
        ),
        "first reading alone": lambda r: r["c6"] >= NAME_LINE,
    }
    out["rules"] = {}
    for name, rule in rules.items():
        passed = [r for r in rs if (r["c6"] >= sure and name != "first reading alone") or rule(r)]
        out["rules"][name] = {
            "pass": len(passed),
            "wrong": sum(r["v6"] != r["truth"] for r in passed),
            "right_held": sum(r["v6"] == r["truth"] for r in rs if r not in passed),
            "n": len(rs),
        }
    return out


NAME_LINE = 0.985
"""The packaged name threshold (mapping/data/thresholds.json, v6's fit), for the acceptance proxy."""


def render(rep: dict) -> str:
    lines = ["# Name cells: v4 vs v6 agreement (bench/bench_xmodel.py)", "", f"v6: {rep['v6']}; v4: {rep['v4']}", ""]
    for store, sub in rep.items():
        if isinstance(sub, dict):
            lines.append(f"## {store}")
            lines.append("")
            lines.extend(render_store(sub))
    lines.append(
        f"Recognition cost per name crop (batched per page, one process, same crops): v4 {rep.get('v4_ms_per_crop', 0):.1f} ms, v6 {rep.get('v6_ms_per_crop', 0):.1f} ms"
    )
    return "\n".join(lines) + "\n"


def render_store(rep: dict) -> list[str]:
    lines = []
    for scope, d in rep.items():
        if scope == "rules":
            lines.append(f"### Acceptance proxy at {NAME_LINE} (raw readings, before mapping)")
            lines.append("")
            lines.append("| an unsure name (first reading < 0.99) passes when | pass | v6 wrong among passed | right but held |")
            lines.append("|---|---|---|---|")
            for name, x in d.items():
                lines.append(
                    f"| {name} | {x['pass']} of {x['n']} | {x['wrong']} ({x['wrong'] / max(1, x['pass']):.2%}) | {x['right_held']} |"
                )
            lines.append("")
            continue
        lines.append(f"### {scope} one-line name cells with truth and a v6 reading: {d['n']} (v6 wrong {d['v6_wrong']})")
        lines.append("")
        lines.append(
            "| second opinion | no opinion (v6 wrong) | agree | v6 wrong among agreeing | disagree | v6 wrong among disagreeing | other right |"
        )
        lines.append("|---|---|---|---|---|---|---|")
        for who in ("v4", "v6b"):
            x = d[who]
            pa = x["agree_v6_wrong"] / max(1, x["agree"])
            pd = x["disagree_v6_wrong"] / max(1, x["disagree"])
            lines.append(
                f"| {who} | {x['no_opinion']} ({x['no_opinion_v6_wrong']}) | {x['agree']} | {x['agree_v6_wrong']} ({pa:.2%}) | "
                f"{x['disagree']} | {x['disagree_v6_wrong']} ({pd:.1%}) | {x['disagree_other_right']} |"
            )
        lines.append("")
        lines.append(
            f"v4 and second crop both agree: {d['both_agree']} (v6 wrong {d['both_agree_v6_wrong']}); "
            f"agreed and 1-(1-c1)(1-c2) >= 0.985: v4 {d['v4_combined_ge_0.985']} (wrong {d['v4_combined_ge_0.985_wrong']}), "
            f"second crop {d['v6b_combined_ge_0.985']} (wrong {d['v6b_combined_ge_0.985_wrong']})"
        )
        lines.append("")
    return lines


if __name__ == "__main__":
    main()
