"""Foundation benchmark: accuracy and speed of the whole pipeline on a freshly generated set,
beside raw whole-page PP-OCR on the same pages in the same run.

    python bench/bench_foundation.py --pages 40 --seed 4242

Writes bench/out/foundation-<seed>/report.json and report.md. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocr.registry import get_engine  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Store  # noqa: E402
from pipeline.page.intake import load_page, probe  # noqa: E402
from pipeline.quality.evaluate import evaluate, truth_path  # noqa: E402
from pipeline.runs.stages import run_folder  # noqa: E402
from samples.generator import generate_set  # noqa: E402


def raw_whole_page(scans: list[Path], settings: Settings) -> dict:
    """PP-OCR detection + recognition on each raw page image, text in the engine's own box order."""
    engine = get_engine("ppocr")
    pages, seconds, chars, errors = 0, 0.0, 0, 0
    for scan in scans:
        media, n = probe(scan, settings)
        gt = json.loads(truth_path(scan).read_text(encoding="utf-8"))
        for page_no in range(1, n + 1):
            img = load_page(scan, media, page_no, settings)
            t0 = time.perf_counter()
            pieces = engine.recognize(img)
            seconds += time.perf_counter() - t0
            pages += 1
            gpage = next(p for p in gt["pages"] if p["page"] == page_no)
            truth = "".join(gpage["header"]) + "".join("".join(r["cells"]) for r in gpage["rows"])
            truth = "".join(truth.split())
            got = "".join("".join(p.text.split()) for p in pieces)
            # the title and page number are not in the truth string: drop them from the OCR text
            title = "".join(gpage["title"].split())
            got = got.replace(title, "", 1)
            chars += len(truth)
            errors += Levenshtein.distance(truth, got)
    return {
        "pages": pages,
        "seconds": round(seconds, 2),
        "pages_per_minute": round(60 * pages / seconds, 2),
        "cer_engine_order": round(errors / chars, 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--seed", type=int, default=4242)
    ap.add_argument("--severity", type=float, default=1.0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"))
    ap.add_argument("--skip-raw", action="store_true")
    args = ap.parse_args()

    out = Path(args.out) / f"foundation-{args.seed}"
    if out.exists():
        shutil.rmtree(out)
    scans_dir = out / "scans"
    t0 = time.perf_counter()
    scans = generate_set(scans_dir, pages=args.pages, seed=args.seed, severity=args.severity)
    gen_s = time.perf_counter() - t0
    print(f"generated {len(scans)} files in {gen_s:.0f} s", flush=True)

    settings = Settings(data_dir=str(out / "data"))
    t0 = time.perf_counter()
    summary = run_folder(scans_dir, settings)
    run_s = time.perf_counter() - t0
    store = Store.open(settings)
    ev = evaluate(store)
    store.dispose()
    pipeline = {
        "pages": summary.pages,
        "seconds": round(run_s, 2),
        "pages_per_minute": round(60 * summary.pages / run_s, 2),
        "records": summary.records,
        "auto_accepted": summary.auto_accepted,
        "needs_review": summary.needs_review,
        "pages_problem": summary.pages_problem,
    }
    print(f"pipeline: {pipeline['pages']} pages in {run_s:.0f} s", flush=True)
    raw = None if args.skip_raw else raw_whole_page(sorted(scans), settings)
    report = {
        "set": {"pages": summary.pages, "files": len(scans), "seed": args.seed, "severity": args.severity},
        "pipeline": pipeline,
        "accuracy": ev.to_dict(),
        "raw_whole_page_ppocr": raw,
    }
    if raw:
        report["speed_ratio_pipeline_vs_raw"] = round(pipeline["pages_per_minute"] / raw["pages_per_minute"], 3)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    a = report["accuracy"]
    lines = [
        f"# Foundation benchmark (seed {args.seed}, {summary.pages} pages, severity {args.severity})",
        "",
        "| measure | value |",
        "|---|---|",
        f"| character error rate (cells) | {a['cer']:.2%} |",
        f"| field exact accuracy before review | {a['field_accuracy']:.2%} |",
        f"| ID numbers exact | {a['id_accuracy']:.2%} ({a['ids']}) |",
        f"| records auto-accepted | {a['auto_share']:.1%} ({a['auto_accepted']} of {a['records']}) |",
        f"| wrong among auto-accepted fields | {a['auto_error_rate']:.2%} ({a['auto_fields_wrong']} of {a['auto_fields']}) |",
        f"| rows found / in truth / extra | {a['rows_found']} / {a['rows_truth']} / {a['rows_extra']} |",
        f"| pipeline pages per minute (end to end) | {pipeline['pages_per_minute']} |",
    ]
    if raw:
        lines += [
            f"| raw whole-page PP-OCR pages per minute | {raw['pages_per_minute']} |",
            f"| raw whole-page PP-OCR CER, engine box order | {raw['cer_engine_order']:.2%} |",
            f"| speed ratio pipeline / raw | {report['speed_ratio_pipeline_vs_raw']} |",
        ]
    lines += ["", "| field | exact | n |", "|---|---|---|"]
    lines += [f"| {k} | {v['accuracy']:.2%} | {v['n']} |" for k, v in a["per_field"].items()]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
