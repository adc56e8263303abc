"""The real `backfill` CLI in a child process, for tests that check exit codes, printed lines and files
left behind; optionally without root's power to ignore file permissions (read-only files, unreadable
folders are what they are for a user; as root `setpriv` drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.kernel.errors import ERROR_LABELS, ExitCode

ROOT = Path(__file__).resolve().parent.parent


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "OMP_THREAD_LIMIT": "1",
    }
    for var in ("BACKFILL_DB_URL", "BACKFILL_PLATFORM_URL", "BACKFILL_DATA_DIR", "PREFECT_API_URL"):
        env.pop(var, None)
    env.update(extra or {})
    return env


def unprivileged() -> list[str]:
    """A command prefix under which file permissions apply (nothing when not root); skips the test
    where root's override cannot be dropped."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux): file permissions cannot be tested")
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    if subprocess.run(prefix + ["true"], capture_output=True).returncode != 0:
        pytest.skip("cannot drop CAP_DAC_OVERRIDE here (setpriv refused)")
    return prefix


def backfill(
    *args: str, cwd: Path, env: dict[str, str] | None = None, as_user: bool = False, timeout: float = 600
) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pipeline.cli", *args]
    if as_user:
        cmd = unprivileged() + cmd
    return subprocess.run(cmd, cwd=cwd, env=cli_env(env), capture_output=True, text=True, timeout=timeout)


def popen(*args: str, cwd: Path, env: dict[str, str] | None = None, **kw) -> subprocess.Popen:
    """The CLI started in its own session (process group), as a terminal would run it."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=cwd,
        env=cli_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kw,
    )


def one_clear_error(res: subprocess.CompletedProcess, code: int, *words: str) -> str:
    """The run failed with `code`, one `error:` line naming `words`, an optional hint, no traceback."""
    err = res.stderr
    assert res.returncode == code, (res.returncode, res.stdout[-2000:], err[-3000:])
    assert "Traceback" not in err and "Traceback" not in res.stdout, err[-3000:]
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and all(line.startswith(("error: ", "hint: ")) for line in lines), err
    kind = ERROR_LABELS.get(ExitCode(code), ERROR_LABELS[ExitCode.other])
    assert errors[0].startswith(f"error: {kind} / "), errors[0]  # what went wrong, in Chinese first
    for w in words:
        assert w in errors[0], (w, errors[0])
    return errors[0]
