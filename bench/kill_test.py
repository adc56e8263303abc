"""Kill test: a migration run SIGKILLed at random points (whole process tree), resumed each time.

    PYTHONPATH=$PWD python bench/kill_test.py --pages 6 --kills 20 --seed 7

1. generates a small set (samples.generator.generate_set) and runs it once, uninterrupted, without
   Prefect (`backfill run --no-prefect --load`) into a reference data folder: the expected records;
2. starts a dedicated Prefect server on loopback (as in production; the server is not the run);
3. runs the real CLI `backfill run SCANS --load --batch-pages 1` with Prefect as its own process
   group, and at a random moment (seeded) SIGKILLs every process of the tree; again and again until
   at least --kills kills happened; then one last run to the end;
4. checks: every expected record (file sha256, page, row) is present exactly once, with the same
   values as the reference; none twice, none extra; the same platform rows (natural keys) loaded
   once; no process of a killed tree left running.
Figures go to stdout and bench/results/kill_test.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
from sqlalchemy import column, create_engine, func, inspect, select, table, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.server import prefect_server, server_env  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import LoadedRecord, Page, Record, Run, SourceFile, Store  # noqa: E402
from samples.generator import generate_set  # noqa: E402

PLATFORM_TABLES = ("dead_information", "sea_burial_registration")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", *args]


def snapshot(data: Path) -> dict:
    """What the store holds now (read while the run may be writing: SQLite WAL)."""
    st = Store.open(Settings(data_dir=str(data)))
    try:
        with st.session() as s:
            return {
                "runs": s.scalar(select(func.count(Run.id))) or 0,
                "files": s.scalar(select(func.count(SourceFile.id))) or 0,
                "pages": s.scalar(select(func.count(Page.id))) or 0,
                "pending": s.scalar(select(func.count(Page.id)).where(Page.status == "pending")) or 0,
                "records": s.scalar(select(func.count(Record.id))) or 0,
                "loaded": s.scalar(select(func.count(LoadedRecord.record_id))) or 0,
                "finished": s.scalar(select(func.count(Run.id)).where(Run.status == "completed")) or 0,
            }
    finally:
        st.dispose()


def stage_of(before: dict, now: dict, n_files: int) -> str:
    if now["runs"] == before["runs"]:
        return "startup (CLI, engine, Prefect client)"
    if now["finished"] > before["finished"]:
        return "summary (run finished)"
    if now["files"] < n_files:
        return "intake"
    if now["pending"] > 0:
        return f"pages ({now['pages'] - now['pending']}/{now['pages']} read)"
    if now["loaded"] > before["loaded"]:
        return "load"
    return "dedupe / load"


def kill_tree(proc: subprocess.Popen) -> int:
    """SIGKILL the process group and every descendant (also any that left the group); returns survivors."""
    try:
        tree = [psutil.Process(proc.pid)] + psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        tree = []
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for p in tree:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    proc.wait(timeout=30)
    gone, alive = psutil.wait_procs(tree, timeout=10)
    return len(alive)


def store_state(data: Path) -> tuple[Counter, dict, int]:
    """((sha, page, row) -> count, (sha, page, row) -> field values, loaded records)."""
    eng = create_engine(f"sqlite:///{data / 'store.sqlite'}")
    with eng.connect() as c:
        rows = c.execute(
            text(
                "SELECT f.sha256, p.page_no, r.row_no, r.fields, l.record_id FROM records r JOIN pages p ON r.page_id = p.id "
                "JOIN source_files f ON p.file_id = f.id LEFT JOIN loaded_records l ON l.record_id = r.id"
            )
        ).all()
    eng.dispose()
    count = Counter((sha, pg, row) for sha, pg, row, _f, _l in rows)
    values = {(sha, pg, row): {k: v.get("value") for k, v in json.loads(f).items()} for sha, pg, row, f, _l in rows}
    return count, values, sum(1 for *_x, loaded_at in rows if loaded_at is not None)


def platform_keys(data: Path) -> Counter:
    eng = create_engine(f"sqlite:///{data / 'platform.sqlite'}")
    out: Counter = Counter()
    names = set(inspect(eng).get_table_names())
    with eng.connect() as c:
        for t in PLATFORM_TABLES:
            if t in names:
                out.update(f"{t}:{k}" for (k,) in c.execute(select(column("natural_key")).select_from(table(t))))
    eng.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=6)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "kill_test")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "kill_test.md")
    ap.add_argument(
        "--window-pages",
        type=float,
        default=3.0,
        help="kills fall within this many pages' time (of the reference run) after the run began its work",
    )
    ap.add_argument(
        "--reuse-reference", action="store_true", help="reuse the reference run of an earlier call (same pages, seed)"
    )
    a = ap.parse_args(argv)
    t_all = time.perf_counter()
    scans, ref, data = a.out / "scans", a.out / "reference", a.out / "data"
    meta = a.out / "reference.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("BACKFILL_DB_URL", None)
    env.pop("BACKFILL_PLATFORM_URL", None)
    reuse = a.reuse_reference and meta.is_file() and json.loads(meta.read_text()).get("key") == [a.pages, a.seed]
    if reuse:  # same set, same reference: only the killed runs are done again
        for d in (data, a.out / "prefect-server", a.out / "prefect-client"):
            shutil.rmtree(d, ignore_errors=True)
        n_files, ref_seconds = json.loads(meta.read_text())["files"], json.loads(meta.read_text())["seconds"]
        print(f"reusing the reference run of {a.pages} pages (seed {a.seed})", flush=True)
    else:
        if a.out.exists():
            shutil.rmtree(a.out)
        n_files = len(generate_set(scans, a.pages, a.seed))
        print(f"reference run (no Prefect, no kills) over {a.pages} pages in {n_files} scan files ...", flush=True)
        t0 = time.perf_counter()
        subprocess.run(
            cli("run", str(scans), "--data-dir", str(ref), "--no-prefect", "--load", "--json"),
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=3600,
        )
        ref_seconds = time.perf_counter() - t0
        meta.write_text(json.dumps({"key": [a.pages, a.seed], "files": n_files, "seconds": ref_seconds}))
    ref_count, ref_values, ref_loaded = store_state(ref)
    ref_platform = platform_keys(ref)
    page_s = ref_seconds / a.pages
    print(
        f"  {sum(ref_count.values())} records, {ref_loaded} loaded, {sum(ref_platform.values())} platform rows, "
        f"{ref_seconds:.0f} s ({page_s:.1f} s/page)",
        flush=True,
    )

    rng = random.Random(a.seed)
    kills: list[dict] = []
    attempts = 0
    survivors = 0
    with prefect_server(a.out / "prefect-server") as api:
        run_env = {**env, **server_env(a.out / "prefect-client", api)}
        while True:
            attempts += 1
            before = snapshot(data) if (data / "store.sqlite").exists() else {"runs": 0, "finished": 0, "loaded": 0}
            last = len(kills) >= a.kills
            # one kill in four at a random moment of the start (CLI, OCR engine, Prefect client); the others
            # at a random moment of the run's own work (after its Run row exists): within --window-pages pages' time
            early = rng.random() < 0.25
            delay = None if last else rng.uniform(0.3, 10.0) if early else rng.uniform(0.0, a.window_pages * page_s)
            log = open(a.out / f"attempt_{attempts:02d}.log", "wb")
            t1 = time.perf_counter()
            proc = subprocess.Popen(
                cli("run", str(scans), "--data-dir", str(data), "--batch-pages", "1", "--load", "--json"),
                env=run_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            if delay is not None and not early:
                while proc.poll() is None and time.perf_counter() - t1 < 300:  # wait for the run to begin its work
                    if (data / "store.sqlite").exists() and snapshot(data)["runs"] > before["runs"]:
                        break
                    time.sleep(0.5)
                delay += time.perf_counter() - t1
            try:
                proc.wait(timeout=max(0.0, delay - (time.perf_counter() - t1)) if delay is not None else 3600)
                finished = True
            except subprocess.TimeoutExpired:
                finished = False
            if finished:
                log.close()
                print(f"attempt {attempts}: finished (exit {proc.returncode}) after {time.perf_counter() - t1:.1f} s", flush=True)
                if proc.returncode != 0:
                    print((a.out / f"attempt_{attempts:02d}.log").read_text(errors="replace")[-3000:])
                    return 1
                if last:
                    break
                continue
            now = snapshot(data) if (data / "store.sqlite").exists() else {**before, "runs": before.get("runs", 0)}
            left = kill_tree(proc)
            log.close()
            survivors += left
            stage = (
                stage_of(before, now, n_files)
                if (data / "store.sqlite").exists() and "pending" in now
                else "startup (CLI, engine, Prefect client)"
            )
            kills.append({"n": len(kills) + 1, "after_s": round(delay, 1), "stage": stage, "survivors": left})
            print(
                f"kill {len(kills):2d} after {delay:5.1f} s: {stage}" + (f"  ({left} process(es) survived!)" if left else ""),
                flush=True,
            )

    count, values, loaded = store_state(data)
    plat = platform_keys(data)
    expected = set(ref_count)
    present = set(count)
    missing = expected - present
    extra = present - expected
    twice = [k for k, n in count.items() if n > 1]
    differing = [k for k in expected & present if values[k] != ref_values[k]]
    plat_twice = [k for k, n in plat.items() if n > 1]
    plat_missing = set(ref_platform) - set(plat)
    plat_extra = set(plat) - set(ref_platform)
    snap = snapshot(data)
    total_s = time.perf_counter() - t_all
    ok = not (missing or extra or twice or differing or plat_twice or plat_missing or plat_extra or survivors)
    stages = Counter(k["stage"].split(" (")[0] for k in kills)

    lines = [
        "# Kill test: a run SIGKILLed at random points, resumed each time",
        "",
        f"`PYTHONPATH=$PWD python bench/kill_test.py --pages {a.pages} --kills {a.kills} --seed {a.seed}`",
        "",
        f"Set: {a.pages} generated pages in {n_files} scan files (PDF, TIFF, JPEG folder; generator seed {a.seed}). "
        "Each attempt is the real CLI `backfill run SCANS --load --batch-pages 1` with Prefect (a dedicated "
        "`prefect server start` on loopback, as in production), started as its own process group and SIGKILLed, "
        "with every descendant, at a random moment (seeded): one kill in four within the first 10 s (start-up), "
        f"the others within {a.window_pages:g} pages' time ({a.window_pages * page_s:.0f} s) after the run began its work (intake, pages, dedupe, load); then "
        "started again. After the kills one last run goes to the end. Shared 2-core machine: other engineers' "
        "work was running at the same time.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| kills (SIGKILL of the whole process tree) | {len(kills)} |",
        f"| runs started | {attempts} (+1 reference run without Prefect) |",
        "| kills by stage | " + ", ".join(f"{s}: {n}" for s, n in stages.most_common()) + " |",
        f"| records expected (reference run, uninterrupted) | {len(expected)} |",
        f"| records present | {len(present)} |",
        f"| records missing | {len(missing)} |",
        f"| records present twice or more | {len(twice)} |",
        f"| records not expected | {len(extra)} |",
        f"| records whose values differ from the reference | {len(differing)} |",
        f"| records loaded (store) | {loaded} (reference {ref_loaded}) |",
        f"| platform rows (natural keys) | {sum(plat.values())} (reference {sum(ref_platform.values())}); twice: {len(plat_twice)}, missing: {len(plat_missing)}, extra: {len(plat_extra)} |",
        f"| pages read / pending | {snap['pages'] - snap['pending']} / {snap['pending']} |",
        f"| processes left running after a kill | {survivors} |",
        f"| runs in the store | {snap['runs']} ({snap['finished']} completed; the killed ones are marked interrupted by the next run) |",
        f"| reference run | {ref_seconds:.0f} s ({page_s:.1f} s/page) |",
        f"| total time | {total_s:.0f} s |",
        f"| result | {'PASS' if ok else 'FAIL'} |",
        "",
        "Kill points:",
        "",
        "| # | after (s) | stage |",
        "|---|---|---|",
        *[f"| {k['n']} | {k['after_s']} | {k['stage']} |" for k in kills],
        "",
    ]
    report = "\n".join(lines)
    print(report)
    a.results.parent.mkdir(parents=True, exist_ok=True)
    a.results.write_text(report, encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
