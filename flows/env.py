"""Prefect environment defaults: offline, no analytics, state kept inside the data folder.
Call before importing prefect."""

from __future__ import annotations

import os
from pathlib import Path


def prepare_prefect_env(data_dir: str | Path, *, quiet: bool = True) -> None:
    home = Path(data_dir).resolve() / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    defaults = {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_UI_ENABLED": "false",
    }
    if quiet:
        defaults["PREFECT_LOGGING_LEVEL"] = "WARNING"
    for k, v in defaults.items():
        os.environ.setdefault(k, v)
