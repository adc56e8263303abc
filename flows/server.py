"""A dedicated Prefect server on loopback, for tests and benchmarks (and a model of how to run one):
`prefect server start` in its own process group, analytics off, its state in `home`; stopped (the
whole group) on exit, so nothing is left behind. Production: see README (PostgreSQL as Prefect's
database through PREFECT_SERVER_DATABASE_CONNECTION_URL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pipeline.kernel.localhttp import free_port, wait_until_healthy


def server_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    """Environment for clients and workers of the server at api_url (offline, no analytics)."""
    env = {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


@contextmanager
def prefect_server(home: Path, port: int | None = None, timeout: float = 120.0) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1 and yield its API URL; stop it (process group) on exit."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, **server_env(home)}
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "ab")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--analytics-off",
            "--no-ui",
            "--no-scheduler",
            "--no-late-runs",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        try:
            wait_until_healthy(url + "/health", proc, timeout, name="prefect server")
        except (RuntimeError, TimeoutError) as e:
            raise type(e)(f"{e}; see {home / 'server.log'}") from e
        yield url
    finally:
        _stop_group(proc)
        log.close()


def _stop_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
