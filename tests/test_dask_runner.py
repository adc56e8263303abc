"""The run flow, unchanged, on Prefect's Dask task runner against a local 2-worker Dask cluster and a
dedicated Prefect server on loopback (workers report to it instead of each starting an ephemeral
server). Everything the test starts is stopped at the end; every wait has a timeout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from flows.server import prefect_server, server_env
from pipeline.kernel.config import Settings
from pipeline.kernel.store import Page, Record, Store
from samples.generator import generate_set

ROOT = Path(__file__).resolve().parent.parent


def _post(url: str, body: dict) -> list[dict]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


@pytest.mark.slow
@pytest.mark.ocr
def test_flow_runs_on_a_local_dask_cluster(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    scans, data = tmp_path / "scans", tmp_path / "data"
    generate_set(scans, 2, seed=3, formats=("jpeg",))  # two one-page files: two page batches
    with prefect_server(tmp_path / "prefect-server", timeout=180) as api:
        env = server_env(tmp_path / "prefect-client", api)
        for k, v in env.items():  # the Dask workers are spawned from this process: they inherit these
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
        ) as cluster:
            res = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pipeline.cli",
                    "run",
                    str(scans),
                    "--data-dir",
                    str(data),
                    "--dask",
                    cluster.scheduler_address,
                    "--batch-pages",
                    "1",
                    "--json",
                ],
                capture_output=True,
                text=True,
                timeout=600,
                cwd=ROOT,
            )
            assert res.returncode == 0, res.stderr[-3000:]
            summary = json.loads(res.stdout)
            # the page batches went through the Dask scheduler
            prefixes = set(cluster.scheduler.task_prefixes)
        flows = _post(f"{api}/flow_runs/filter", {})
        # Prefect 3 records task runs from the clients' events, after the run has returned (its task run
        # recorder, server side): wait for both batches' last states instead of reading them at once
        deadline = time.monotonic() + 60
        while True:
            tasks = _post(f"{api}/task_runs/filter", {})
            states = [t["state_type"] for t in tasks if t["name"].startswith("pages ")]
            if (len(states) == 2 and set(states) == {"COMPLETED"}) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert summary["pages"] == 2 and summary["pages_done"] == 2 and summary["records"] > 0
    assert any("process-pages" in p or "process_pages" in p for p in prefixes), prefixes
    assert [f["state_type"] for f in flows] == ["COMPLETED"]
    batches = [t for t in tasks if t["name"].startswith("pages ")]
    assert len(batches) == 2 and {t["state_type"] for t in batches} == {"COMPLETED"}
    store = Store.open(Settings(data_dir=str(data)))
    with store.session() as s:
        assert {p.status for p in s.query(Page)} == {"done"}
        assert s.query(Record).count() == summary["records"]
    store.dispose()
