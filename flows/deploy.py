"""The run flow as a Prefect deployment, served by this process against `prefect server start`.

    export PREFECT_API_URL=http://127.0.0.1:4200/api   # the started server
    export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
    backfill serve --data-dir /srv/backfill               # = serve(Settings.load(...))

Runs are then started from the Prefect UI ("Run" on deployment backfill-run/backfill, parameters
scans_dir and options), from `prefect deployment run 'backfill-run/backfill' -p scans_dir=...`,
or from the administrator page of the review app (`submit_run`). The deployment's parameters never
hold connection strings: the serving process uses its own settings (environment, backfill.toml).
"""

from __future__ import annotations

import os
from typing import Any

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ConfigError

FLOW_NAME = "backfill-run"


def _need_server() -> None:
    if not os.environ.get("PREFECT_API_URL"):
        raise ConfigError(
            "a deployment needs a Prefect server: PREFECT_API_URL is not set",
            hint="请先运行 prefect server start，并设置 PREFECT_API_URL=http://127.0.0.1:4200/api / start `prefect server "
            "start` and export PREFECT_API_URL=http://127.0.0.1:4200/api",
        )


def serve(settings: Settings, *, name: str = "backfill", limit: int = 1) -> None:
    """Register the deployment and run its flow runs in this process until stopped (Ctrl+C)."""
    _need_server()
    os.environ.setdefault("BACKFILL_DATA_DIR", settings.data_dir)
    if settings.db_url:
        os.environ.setdefault("BACKFILL_DB_URL", settings.db_url)
    if settings.platform_url:
        os.environ.setdefault("BACKFILL_PLATFORM_URL", settings.platform_url)
    from flows.backfill import backfill_flow

    backfill_flow.serve(
        name=name,
        limit=limit,
        tags=["backfill"],
        description="Migration run: intake, page batches (OCR, mapping, routing), dedupe, optional load.",
    )


def submit_run(scans_dir: str, options: dict[str, Any] | None = None, *, deployment: str = f"{FLOW_NAME}/backfill") -> str:
    """Ask the Prefect server for a flow run of the deployment; returns the flow run id (does not wait)."""
    _need_server()
    from prefect.client.schemas import FlowRun
    from prefect.deployments import run_deployment

    fr = run_deployment(deployment, parameters={"scans_dir": scans_dir, "options": options or {}}, timeout=0)
    assert isinstance(fr, FlowRun)  # typed FlowRun | Coroutine: called from sync code, it is the FlowRun
    return str(fr.id)
