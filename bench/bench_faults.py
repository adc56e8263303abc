"""Faults bench (issue 25): two runs at once on one store, Ctrl-C, and what orientation checks cost.

    PYTHONPATH=$PWD python bench/bench_faults.py [--only two_runs,ctrl_c,orientation] [--trials 3]

1. **Two runs at once** (`backfill run` twice, started together on one folder and one store), through
   Prefect (each with its temporary server) and with `--no-prefect`, against one run alone on a fresh
   store: the pages each read (page_reads), the CPU seconds spent reading them (sum of page_reads.cpu_seconds:
   this process's CPU time over each page batch), the wall time, and whether the records are the same
   ((file sha256, page, row) -> field values) as the single run's.
2. **Ctrl-C** to the process group of a real `backfill run` (Prefect, temporary server) once its first
   page is read: seconds from SIGINT to exit, the exit code, the lines printed, processes left; then
   `--no-prefect` again: pages read twice, records against the truth.
3. **Orientation**: the cost of `pipeline.page.orientation.orient` per page on upright pages (the ruling check
   alone) and on pages turned 90/180/270 (ruling + text), and whether it turned each right, on the
   committed ledger pages.

Workload: the committed samples (samples/ledgers: 10 pages). Results: stdout and bench/results/faults.md.
Run it on a quiet machine (`/work/bin/quiet`): the ratios compare runs made in the same session.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import psutil
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LEDGERS = ROOT / "samples" / "ledgers"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
for _v in ("BACKFILL_DB_URL", "BACKFILL_PLATFORM_URL", "BACKFILL_DATA_DIR", "PREFECT_API_URL"):
    ENV.pop(_v, None)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", *args]


def scans_in(work: Path) -> Path:
    scans = work / "scans"
    shutil.copytree(LEDGERS, scans)
    return scans


def store_facts(data: Path) -> dict:
    eng = create_engine(f"sqlite:///{data / 'store.sqlite'}")
    with eng.connect() as c:
        reads = c.execute(text("SELECT page_id, run_id, cpu_seconds, seconds FROM page_reads WHERE status != 'failed'")).all()
        failed_reads = c.execute(text("SELECT count(*) FROM page_reads WHERE status = 'failed'")).scalar()
        recs = c.execute(
            text(
                "SELECT f.sha256, p.page_no, r.row_no, r.fields FROM records r JOIN pages p ON r.page_id = p.id "
                "JOIN source_files f ON p.file_id = f.id"
            )
        ).all()
        pages = c.execute(text("SELECT count(*) FROM pages")).scalar()
    eng.dispose()
    per_page = Counter(r[0] for r in reads)
    return {
        "pages": pages,
        "reads": len(reads),
        "failed_reads": failed_reads,
        "pages_read_twice": sum(1 for n in per_page.values() if n > 1),
        "reads_per_run": dict(Counter(r[1] for r in reads)),
        "cpu": sum(r[2] for r in reads),
        "page_wall": sum(r[3] for r in reads),
        "records": {(sha, pg, row): {k: v.get("value") for k, v in json.loads(f).items()} for sha, pg, row, f in recs},
        "record_keys": Counter((sha, pg, row) for sha, pg, row, _f in recs),
    }


def tree_cpu(proc: psutil.Process) -> float:
    """user + system CPU seconds of a process and its children so far."""
    total = 0.0
    for p in [proc] + proc.children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


def runs_at_once(n: int, mode: str) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    try:
        scans_in(work)
        args = ["run", "scans", "--batch-pages", "1"] + (["--no-prefect"] if mode == "no-prefect" else [])
        t0 = time.perf_counter()
        procs = [
            subprocess.Popen(cli(*args), cwd=work, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(n)
        ]
        outs = [p.communicate(timeout=3600) for p in procs]
        wall = time.perf_counter() - t0
        codes = [p.returncode for p in procs]
        facts = store_facts(work / "backfill-data")
        facts.update(wall=wall, codes=codes, errors=[e[-500:] for (_o, e), c in zip(outs, codes) if c != 0])
        return facts
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_two_runs(lines: list[str]) -> None:
    lines += [
        "## Two runs at once on one store",
        "",
        "| mode | runs | exit codes | pages | page reads | pages read twice | reads per run | CPU s reading | "
        "ratio to one run | wall s | records same as one run |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode in ("prefect", "no-prefect"):
        one = runs_at_once(1, mode)
        two = runs_at_once(2, mode)
        same = two["records"] == one["records"] and max(two["record_keys"].values()) == 1
        for label, f in (("one run", one), ("two at once", two)):
            ratio = f["cpu"] / one["cpu"] if one["cpu"] else float("nan")
            lines.append(
                f"| {mode} | {label} | {f['codes']} | {f['pages']} | {f['reads']} | {f['pages_read_twice']} | "
                f"{sorted(f['reads_per_run'].values())} | {f['cpu']:.1f} | {ratio:.3f} | {f['wall']:.1f} | "
                f"{'—' if f is one else ('yes' if same else 'NO')} |"
            )
            print(lines[-1], flush=True)
            if f["errors"]:
                lines.append(f"|  | errors | {' / '.join(e.replace('|', '/').replace(chr(10), ' ') for e in f['errors'])} |")
    lines.append("")


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def bench_ctrl_c(lines: list[str], trials: int) -> None:
    lines += [
        "## Ctrl-C to the process group of `backfill run` (Prefect, temporary server)",
        "",
        "| trial | SIGINT after s | pages read before | exit code | s to exit | lines on stderr | traceback | "
        "processes left | resumed: exit | pages read twice | reads cut short, read again | records (truth rows) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    from pipeline.kernel.config import Settings
    from pipeline.kernel.store import Store
    from pipeline.quality.evaluate import evaluate

    for trial in range(1, trials + 1):
        work = Path(tempfile.mkdtemp(prefix="bench-ctrlc-"))
        try:
            scans_in(work)
            data = work / "backfill-data"
            t0 = time.perf_counter()
            p = subprocess.Popen(
                cli("run", "scans", "--batch-pages", "1"),
                cwd=work,
                env=ENV,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            read = 0
            while p.poll() is None:
                time.sleep(0.5)
                try:
                    eng = create_engine(f"sqlite:///{data / 'store.sqlite'}", connect_args={"timeout": 1})
                    with eng.connect() as c:
                        read = c.execute(text("SELECT count(*) FROM page_reads")).scalar() or 0
                    eng.dispose()
                except Exception:  # noqa: BLE001 - not made yet
                    read = 0
                if read >= trial:  # trial k: after k pages
                    break
            group = [q for q in psutil.process_iter() if _pgid(q.pid) == p.pid]
            at = time.perf_counter() - t0
            t1 = time.perf_counter()
            os.killpg(p.pid, signal.SIGINT)
            out, err = p.communicate(timeout=300)
            took = time.perf_counter() - t1
            time.sleep(1)
            left = sum(1 for q in group if q.is_running() and q.status() != psutil.STATUS_ZOMBIE)
            res = subprocess.run(cli("run", "scans", "--no-prefect"), cwd=work, env=ENV, capture_output=True, text=True)
            facts = store_facts(data)
            with Store.open(Settings(data_dir=str(data))) as store:
                ev = evaluate(store)
            n_lines = len([ln for ln in err.splitlines() if ln.strip()])
            lines.append(
                f"| {trial} | {at:.1f} | {read} | {p.returncode} | {took:.2f} | {n_lines} | "
                f"{'yes' if 'Traceback' in err + out else 'no'} | {left} | {res.returncode} | "
                f"{facts['pages_read_twice']} | {facts['failed_reads']} | {ev.rows_found} ({ev.rows_truth}), "
                f"extra {ev.rows_extra} |"
            )
            print(lines[-1], flush=True)
            if trial == 1:
                said = err.strip().splitlines()[-1] if err.strip() else ""
        finally:
            shutil.rmtree(work, ignore_errors=True)
    lines += ["", f"The line printed (trial 1): `{said}`", ""]


def bench_orientation(lines: list[str]) -> None:
    from pipeline.kernel.config import Settings
    from pipeline.page.cleanup import clean_page
    from pipeline.page.intake import load_page, probe
    from pipeline.page.orientation import default_judge, orient

    settings = Settings(data_dir=tempfile.mkdtemp(prefix="bench-orient-"))
    judge = default_judge()
    pages = []
    for f in sorted(LEDGERS.rglob("*")):
        if f.suffix.lower() in (".pdf", ".tiff", ".jpg"):
            media, n = probe(f, settings)
            pages += [(f, media, i) for i in range(1, n + 1)]
    cost: dict[int, list[float]] = {0: [], 90: [], 180: [], 270: []}
    right: Counter = Counter()
    clean_s: list[float] = []
    for f, media, i in pages:
        img = load_page(f, media, i, settings)
        for deg in (0, 90, 180, 270):
            turned = np.ascontiguousarray(np.rot90(img, -deg // 90))  # scanned turned `deg` clockwise
            t = time.perf_counter()
            cp = clean_page(turned)
            if deg == 0:
                clean_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            _g, _b, o = orient(cp.image, cp.table_box, judge)
            cost[deg].append(time.perf_counter() - t)
            right[deg] += o.degrees == deg
    lines += [
        "## Orientation check per page",
        "",
        f"Committed ledger pages: {len(pages)}, each as scanned and turned 90/180/270° clockwise; judge: "
        f"{getattr(judge, 'name', None)}. Cleanup of an upright page for scale: {np.median(clean_s) * 1000:.0f} ms (median).",
        "",
        "| scanned | median ms | max ms | turned right |",
        "|---|---|---|---|",
    ]
    for deg, xs in cost.items():
        lines.append(f"| {deg}° | {np.median(xs) * 1000:.1f} | {max(xs) * 1000:.1f} | {right[deg]} of {len(xs)} |")
        print(lines[-1], flush=True)
    lines.append("")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="two_runs,ctrl_c,orientation")
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "faults.md")
    args = ap.parse_args()
    which = set(args.only.split(","))
    lines = [
        f"# Faults bench ({date.today().isoformat()})",
        "",
        f"`PYTHONPATH=$PWD python bench/bench_faults.py --only {args.only} --trials {args.trials}`; "
        f"{os.cpu_count()} cores; workload: samples/ledgers (committed pages).",
        "",
    ]
    if "orientation" in which:
        bench_orientation(lines)
    if "two_runs" in which:
        bench_two_runs(lines)
    if "ctrl_c" in which:
        bench_ctrl_c(lines, args.trials)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
