"""Where a page's time goes (issue 27): the whole run in one process (pipeline.runs.stages.run_folder, no
Prefect, one page worker, the configured engine), under cProfile with the wall clock, on the first N files
of a folder of scans. Run it inside /work/bin/quiet: with one worker and one inference thread on a quiet
machine, wall time is the CPU time of the one core it uses.

    python bench/profile_pages.py --scans bench/out/fam27/scans --files 4 --out bench/results/profile-<date>.md

It reports the process's start (imports of the engine and the pipeline, Prefect not involved), the first
page (the networks compiled) and the warm pages apart, and for the warm pages the share of the time
spent inside inference calls (OpenVINO / ONNX Runtime), and inside each stage of a page. It answers
"how much faster must inference get for N x pages per minute" (Amdahl). Never a test.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (label, module path suffix, function name): cumulative wall time inside these functions
STAGES = [
    ("inference (the networks' calls, OpenVINO or ONNX Runtime)", "ocr/ppocr.py", "__call__"),
    ("cleanup (clean_page)", "pipeline/page/cleanup.py", "clean_page"),
    ("grid (find_grid)", "pipeline/page/layout.py", "find_grid"),
    ("text detection (detect)", "ocr/ppocr.py", "detect"),
    ("recognition (recognize_crops)", "ocr/ppocr.py", "recognize_crops"),
    ("cells read (read_cells)", "pipeline/page/extract.py", "read_cells"),
    ("name alternatives", "pipeline/page/extract.py", "name_alternatives"),
    ("mapping rows (map_rows)", "pipeline/page/extract.py", "map_rows"),
    ("whole page (process_page)", "pipeline/page/extract.py", "process_page"),
]


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> tuple[float, int]:
    total, calls = 0.0, 0
    for (file, _line, func), (_cc, nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func == name and file.replace(os.sep, "/").endswith(suffix):
            total += ct
            calls += nc
    return total, calls


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", required=True)
    ap.add_argument("--files", type=int, default=4, help="the first N scan files (sorted by name)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    t_start = time.perf_counter()
    import pipeline.platform  # noqa: F401  (registers the load-text maker, as the CLI does)
    from pipeline.kernel.config import Settings
    from pipeline.runs.stages import run_folder

    t_imports = time.perf_counter() - t_start
    files = sorted(
        p for p in Path(args.scans).iterdir() if p.suffix.lower() in (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
    )
    with tempfile.TemporaryDirectory() as tmp:
        first, rest = Path(tmp) / "first", Path(tmp) / "rest"
        first.mkdir()
        rest.mkdir()
        shutil.copy(files[0], first / files[0].name)
        for f in files[1 : args.files]:
            shutil.copy(f, rest / f.name)
        settings = Settings(data_dir=str(Path(tmp) / "data"), page_workers=1)
        t0 = time.perf_counter()
        s1 = run_folder(first, settings)
        t_first = time.perf_counter() - t0
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        s2 = run_folder(rest, settings)
        prof.disable()
        t_warm = time.perf_counter() - t0
    stats = pstats.Stats(prof)
    pages = s2.pages_done
    lines = [
        f"# Where a page's time goes ({dt.date.today().isoformat()})",
        "",
        f"Command: `python bench/profile_pages.py --scans {args.scans} --files {args.files}` inside /work/bin/quiet; "
        f"commit {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=ROOT).stdout.strip()}; "
        f"one page worker, no Prefect (run_folder), cProfile with the wall clock (its own overhead included).",
        "",
        f"- imports (pipeline, engine modules): {t_imports:.1f} s",
        f"- first file ({s1.pages_done} pages, networks compiled): {t_first:.1f} s",
        f"- warm: {pages} pages in {t_warm:.1f} s = **{t_warm / max(1, pages):.2f} s per page** (one core)",
        "",
        "| stage (cumulative, warm pages) | seconds | calls | share of warm time |",
        "|---|---|---|---|",
    ]
    for label, suffix, name in STAGES:
        sec, calls = cumulative(stats, suffix, name)
        if calls:
            lines.append(f"| {label} | {sec:.1f} | {calls} | {sec / t_warm:.1%} |")
    infer = cumulative(stats, STAGES[0][1], STAGES[0][2])[0]
    share = infer / t_warm
    lines += [
        "",
        f"Inference is {share:.1%} of the warm time. Amdahl: with inference k x faster, a page takes "
        f"{1 - share:.3f} + {share:.3f}/k of today's time; infinitely fast inference gives at most "
        f"{1 / max(1e-9, 1 - share):.2f} x.",
        "",
        "Top 25 functions by own time:",
        "",
        "```",
    ]
    import io

    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(25)
    lines += [ln for ln in buf.getvalue().splitlines() if ln.strip()][-27:] + ["```", ""]
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
