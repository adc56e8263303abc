"""Start `backfill run` as a detached process (the administrator page's "launch a run").

The run is the same CLI an administrator would type; it outlives the web app's process (own session),
writes its output to a log in the data folder, and shows up in the store's runs (and in the Prefect
UI when it runs against a Prefect server). Connection strings go through the environment, never on
the command line (ps would show them)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.kernel.config import Settings
from pipeline.kernel.safety import require_scan_folder
from pipeline.runs.manage import RunOptions


@dataclass(frozen=True)
class Launched:
    pid: int
    log_path: Path
    command: list[str]


def run_command(scans_dir: str, settings: Settings, options: RunOptions, *, no_prefect: bool = False) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "pipeline.cli",
        "run",
        scans_dir,
        "--data-dir",
        settings.data_dir,
        "--batch-pages",
        str(options.batch_pages),
        "--json",
    ]
    for h in options.selection.homes:
        cmd += ["--home", h]
    if options.selection.years:
        cmd += ["--year", ",".join(str(y) for y in options.selection.years)]
    for v in options.selection.volumes:
        cmd += ["--volume", v]
    if options.load:
        cmd.append("--load")
    if no_prefect:
        cmd.append("--no-prefect")
    return cmd


def launch_run(scans_dir: str, settings: Settings, options: RunOptions, *, no_prefect: bool = False) -> Launched:
    folder = Path(scans_dir)
    require_scan_folder(folder)  # the same words as `backfill run`'s
    return launch(run_command(str(folder.resolve()), settings, options, no_prefect=no_prefect), settings, "run")


def launch_remap(settings: Settings, *, user: str, thresholds: str | None = None, rollback: bool = False) -> Launched:
    """`backfill remap` (optionally putting a thresholds version in use, or rolling back) as a detached
    process: on a large store it maps for a long while, no OCR."""
    cmd = [sys.executable, "-m", "pipeline.cli", "remap", "--data-dir", settings.data_dir, "--user", user]
    if thresholds:
        cmd += ["--thresholds", thresholds]
    if rollback:
        cmd.append("--rollback")
    return launch(cmd, settings, "remap")


def launch(cmd: list[str], settings: Settings, name: str) -> Launched:
    """Start a `backfill` command detached, its output in data_dir/run-logs/<name>-<time>.log."""
    logs = settings.data_path / "run-logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / time.strftime(f"{name}-%Y%m%d-%H%M%S.log")
    env = dict(os.environ)
    for var, value in (("BACKFILL_DB_URL", settings.db_url), ("BACKFILL_PLATFORM_URL", settings.platform_url)):
        if value:
            env[var] = value
    root = str(Path(__file__).resolve().parents[2])  # the checkout: pipeline/runs/manage/launch.py
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True, cwd=root
        )
    return Launched(proc.pid, log_path, cmd)
