#!/usr/bin/env python3
"""Sizing a province from the measured bench figures: workers, hours, storage, reviewer-days.

    python scripts/sizing.py                        # the default province: 250 000 pages, ~3 million records
    python scripts/sizing.py --pages 400000 --deadline-days 60 --markdown docs/sizing.md

The measured inputs are read from the dated reports in bench/results/ (the newest of each kind), so
the answer changes when they do; each is printed with the file it came from. What no bench measures
yet (a reviewer's pace, bytes per page image and per record) is a stated assumption, printed as such
and settable; `--data-dir DIR` measures the storage ones on a finished run's data folder.
"""

from __future__ import annotations

import argparse
import math
import re
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Figure:
    value: float
    source: str  # where it came from: a bench report, or "assumed"


def _newest(pattern: str) -> Path:
    files = sorted(RESULTS.glob(pattern))
    if not files:
        raise SystemExit(f"sizing: no bench report matches bench/results/{pattern}")
    return files[-1]


def _find(path: Path, regex: str, what: str) -> re.Match[str]:
    m = re.search(regex, path.read_text(encoding="utf-8"), re.MULTILINE)
    if m is None:
        raise SystemExit(f"sizing: {what} not found in {path.relative_to(ROOT)} (its format changed? update scripts/sizing.py)")
    return m


def measured() -> dict[str, Figure]:
    """The figures the benches measured: per-page cost, records per page, straight-through rate, load rate."""
    e2e = _newest("e2e-*.md")
    src = str(e2e.relative_to(ROOT))
    # "Set: ... 48 pages, 635 rows" and "| wall time, 48 pages | <base> | <this> |": the last column is the current code
    rows = _find(e2e, r"(\d+) pages,\s+(\d+) rows", "pages and rows of the set")
    pages, records = int(rows.group(1)), int(rows.group(2))
    wall = _find(e2e, r"^\| wall time, \d+ pages \|[^|]*\| (\d+(?:\.\d+)?) s", "wall time")
    auto = _find(e2e, r"^\| records auto-accepted[^|]*\|[^|]*\| (\d+(?:\.\d+)?) %", "records auto-accepted")
    cores = _find(e2e, r"Machine: (\d+)-core", "cores of the machine")
    load = _newest("load.md")
    rate = _find(load, r"^([\d,]+) records/s", "loader records/s")
    return {
        "seconds_per_page": Figure(float(wall.group(1)) / pages, f"{src} (wall time / pages, one {cores.group(1)}-core machine)"),
        "worker_cores": Figure(float(cores.group(1)), src),
        "records_per_page": Figure(records / pages, src),
        "straight_through": Figure(float(auto.group(1)) / 100.0, src + " (records auto-accepted)"),
        "load_records_per_s": Figure(float(rate.group(1).replace(",", "")), str(load.relative_to(ROOT))),
    }


def storage(data_dir: Path | None, args: argparse.Namespace) -> dict[str, Figure]:
    """Bytes per page image, per store record and per platform record: measured on a data folder, else assumed."""
    if data_dir is None:
        return {
            "image_bytes_per_page": Figure(args.image_kb * 1024, "assumed (--image-kb)"),
            "store_bytes_per_record": Figure(args.store_kb * 1024, "assumed (--store-kb)"),
            "platform_bytes_per_record": Figure(args.platform_kb * 1024, "assumed (--platform-kb)"),
        }
    store, platform = data_dir / "store.sqlite", data_dir / "platform.sqlite"
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        n_pages = db.execute("SELECT count(*) FROM pages").fetchone()[0] or 1
        n_records = db.execute("SELECT count(*) FROM records").fetchone()[0] or 1
    images = sum(p.stat().st_size for p in (data_dir / "images").rglob("*") if p.is_file())
    plat = platform.stat().st_size if platform.is_file() else 0
    src = f"measured on {data_dir} ({n_pages} pages, {n_records} records)"
    return {
        "image_bytes_per_page": Figure(images / n_pages, src),
        "store_bytes_per_record": Figure(store.stat().st_size / n_records, src),
        "platform_bytes_per_record": Figure(plat / n_records, src),
    }


def size(args: argparse.Namespace) -> tuple[dict[str, Figure], list[tuple[str, str]]]:
    f = measured() | storage(args.data_dir, args)
    f["reviewer_records_per_hour"] = Figure(
        args.review_per_hour, "assumed (--review-per-hour): no bench measures a person's pace"
    )
    pages = args.pages
    records = pages * f["records_per_page"].value if args.records is None else args.records
    page_hours = pages * f["seconds_per_page"].value / 3600.0
    hours_per_day = args.hours_per_day
    workers = math.ceil(page_hours / (args.deadline_days * hours_per_day))
    review = records * (1.0 - f["straight_through"].value)
    reviewer_days = review / f["reviewer_records_per_hour"].value / args.reviewer_hours
    gib = 1024**3
    out = [
        ("pages", f"{pages:,}"),
        ("records", f"{records:,.0f}"),
        (
            "OCR and mapping, one worker",
            f"{page_hours:,.0f} hours ({page_hours / hours_per_day:,.0f} days of {hours_per_day:g} h) "
            f"on one {f['worker_cores'].value:.0f}-core worker",
        ),
        (
            f"workers for {args.deadline_days:g} days",
            f"{workers} ({f['worker_cores'].value:.0f}-core workers, {hours_per_day:g} h a day)",
        ),
        ("records to review", f"{review:,.0f} ({1 - f['straight_through'].value:.1%} not auto-accepted)"),
        (
            "reviewer-days",
            f"{reviewer_days:,.0f} ({args.reviewer_hours:g} h days); "
            f"{math.ceil(reviewer_days / args.deadline_days)} reviewers for {args.deadline_days:g} days",
        ),
        ("page images", f"{pages * f['image_bytes_per_page'].value / gib:,.0f} GiB"),
        ("working store", f"{records * f['store_bytes_per_record'].value / gib:,.1f} GiB"),
        ("platform rows", f"{records * f['platform_bytes_per_record'].value / gib:,.1f} GiB"),
        ("loading all records", f"{records / f['load_records_per_s'].value / 60:,.0f} minutes"),
    ]
    return f, out


def markdown(f: dict[str, Figure], out: list[tuple[str, str]], argv: list[str]) -> str:
    cmd = "python scripts/sizing.py" + ("" if not argv else " " + " ".join(argv))
    lines = [
        "# Sizing a province",
        "",
        f"Made by `{cmd}` from the bench figures in `bench/results/` (run it again when they change;",
        "a test checks that it runs). Inputs first, then what they give.",
        "",
        "## Inputs",
        "",
        "| input | value | from |",
        "|---|---:|---|",
    ]
    fmt = {
        "seconds_per_page": "{:.1f} s",
        "worker_cores": "{:.0f}",
        "records_per_page": "{:.1f}",
        "straight_through": "{:.1%}",
        "load_records_per_s": "{:,.0f}",
        "image_bytes_per_page": "{:,.0f} B",
        "store_bytes_per_record": "{:,.0f} B",
        "platform_bytes_per_record": "{:,.0f} B",
        "reviewer_records_per_hour": "{:.0f}",
    }
    for k, v in f.items():
        lines.append(f"| {k.replace('_', ' ')} | {fmt[k].format(v.value)} | {v.source} |")
    lines += ["", "## What they give", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in out]
    lines += [
        "",
        "OCR cost grows with the page (cells written, second readings); the bench set is 48 degraded pages of",
        "13 rows. Workers read pages independently (Dask, one PostgreSQL store, see operations.md); de-duplication",
        "and loading run once at the end and are minutes, not days.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=250_000, help="pages of the province's archive (default 250 000)")
    ap.add_argument("--records", type=float, help="records (default: pages x measured records per page)")
    ap.add_argument("--deadline-days", type=float, default=30, help="days to read every page in (default 30)")
    ap.add_argument("--hours-per-day", type=float, default=24, help="hours a day workers run (default 24)")
    ap.add_argument("--review-per-hour", type=float, default=60, help="records a reviewer finishes an hour (assumed, default 60)")
    ap.add_argument("--reviewer-hours", type=float, default=7, help="hours of review in a reviewer's day (default 7)")
    ap.add_argument("--image-kb", type=float, default=400, help="KiB per stored page image (assumed, default 400)")
    ap.add_argument("--store-kb", type=float, default=12, help="KiB of working store per record (assumed, default 12)")
    ap.add_argument("--platform-kb", type=float, default=2, help="KiB of platform per record (assumed, default 2)")
    ap.add_argument("--data-dir", type=Path, help="measure the storage figures on this finished run's data folder")
    ap.add_argument("--markdown", type=Path, help="also write the page as markdown to this file")
    args = ap.parse_args(argv)
    f, out = size(args)
    width = max(len(k) for k, _ in out)
    for k, v in f.items():
        print(f"input  {k:26s} {v.value:,.3f}  ({v.source})")
    for k, v in out:
        print(f"{k:{width}s}  {v}")
    if args.markdown:
        args.markdown.write_text(
            markdown(f, out, [a for a in argv if not a.startswith("--markdown") and a != str(args.markdown)]), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
