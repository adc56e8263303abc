"""Throughput of the run flow on Prefect's Dask task runner (local 2-worker cluster) beside the default
task runner, on the same generated pages, in the same session.

    PYTHONPATH=$PWD python bench/bench_dask.py --pages 4

Both runs use the real CLI (`backfill run --batch-pages 1`) against one dedicated Prefect server on
loopback, each into its own empty data folder. Figures: wall time of the command, pages/min over the
whole command and over the pages phase (run start -> last page read). Output: bench/results/dask.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from flows.server import prefect_server, server_env  # noqa: E402
from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.store import Page, Run, Store  # noqa: E402
from samples.generator import generate_set  # noqa: E402


def pages_phase(data: Path) -> float:
    st = Store.open(Settings(data_dir=str(data)))
    with st.session() as s:
        start = s.scalar(select(func.min(Run.started_at)))
        end = s.scalar(select(func.max(Page.processed_at)))
    st.dispose()
    return (end - start).total_seconds()


def run(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600, cwd=ROOT)
    if res.returncode != 0:
        raise SystemExit(res.stderr[-3000:])
    json.loads(res.stdout)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=4)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "dask")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "dask.md")
    a = ap.parse_args(argv)
    if a.out.exists():
        shutil.rmtree(a.out)
    scans = a.out / "scans"
    generate_set(scans, a.pages, a.seed, formats=("jpeg",))  # one file per page: the batches spread freely
    base = [sys.executable, "-m", "pipeline.cli", "run", str(scans), "--batch-pages", "1", "--json"]
    figures = {}
    with prefect_server(a.out / "prefect-server", timeout=180) as api:
        env = {**os.environ, **server_env(a.out / "prefect-client", api), "PYTHONPATH": str(ROOT)}
        env.pop("BACKFILL_DB_URL", None)
        figures["default"] = (run(base + ["--data-dir", str(a.out / "default")], env), pages_phase(a.out / "default"))
        os.environ.update({k: v for k, v in env.items() if k.startswith(("PREFECT", "DO_NOT", "PYTHONPATH"))})
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1") as cl:
            figures["dask"] = (
                run(base + ["--data-dir", str(a.out / "dask"), "--dask", cl.scheduler_address], env),
                pages_phase(a.out / "dask"),
            )
    ppm = {k: (60 * a.pages / w, 60 * a.pages / p) for k, (w, p) in figures.items()}
    lines = [
        "# Dask task runner (local 2-worker cluster) beside the default task runner",
        "",
        f"`PYTHONPATH=$PWD python bench/bench_dask.py --pages {a.pages} --seed {a.seed}`",
        "",
        f"{a.pages} generated pages (one JPEG file each), `backfill run --batch-pages 1` with Prefect against one "
        "dedicated `prefect server start` on loopback; default runner = Prefect's thread pool with 1 worker "
        "(the CLI's default: OCR already uses both cores); Dask = `--dask` on LocalCluster(n_workers=2, "
        "threads_per_worker=1, processes=True). Same pages, same session, each into an empty data folder. "
        "Shared 2-core machine with other engineers' work running: absolute figures are noisy; small page "
        "counts because OCR costs ~6 s/page here at best.",
        "",
        "| runner | command wall time (s) | pages/min (command) | pages phase (s) | pages/min (pages phase) |",
        "|---|---|---|---|---|",
        *[f"| {k} | {w:.1f} | {ppm[k][0]:.2f} | {p:.1f} | {ppm[k][1]:.2f} |" for k, (w, p) in figures.items()],
        "",
        f"Ratio Dask / default, pages/min over the pages phase: **{ppm['dask'][1] / ppm['default'][1]:.2f}** "
        f"(whole command: {ppm['dask'][0] / ppm['default'][0]:.2f}).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    a.results.parent.mkdir(parents=True, exist_ok=True)
    a.results.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
