"""Faults injected into real runs: the working store's or the platform's PostgreSQL stopped mid-run
and started again; the disk holding page images full. A clear error, then a run that resumes with
nothing lost and nothing duplicated."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pgcluster import Cluster, server_binaries
from sqlalchemy import create_engine, func, select, text

import pipeline.load as load_mod
from pipeline.config import Settings
from pipeline.errors import DatabaseError
from pipeline.evaluate import evaluate
from pipeline.run import run_folder
from pipeline.store import ImageStore, Page, Record, Store
from samples.seed import seed_store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def cluster():
    if os.environ.get("BACKFILL_TEST_PG_URL") and server_binaries() is None:
        pytest.skip("needs PostgreSQL server binaries to stop and start a server of its own")
    if server_binaries() is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    c = Cluster(prefix="backfill-fault-pg-", password="s3cret-pw")  # of this module alone: it is stopped and started
    yield c
    c.remove()


def _check_error(err: DatabaseError, what: str) -> None:
    msg = str(err)
    assert what in msg and "s3cret-pw" not in msg and "postgres:***@127.0.0.1" in msg, msg
    assert "start the database server again" in err.hint or "run `backfill load` again" in err.hint, err.hint


@pytest.mark.postgres
@pytest.mark.ocr
@pytest.mark.slow
def test_working_store_stopped_mid_run_then_the_run_resumes(tmp_path, cluster):
    scans = tmp_path / "scans"
    scans.mkdir()
    for name in ("page_002", "page_003"):
        for ext in (".jpg", ".gt.json"):
            shutil.copy(SAMPLES / "ledgers" / "jpeg_volume" / (name + ext), scans / (name + ext))
    settings = Settings(data_dir=str(tmp_path / "data"), db_url=cluster.create_db("store_fault"))
    done: list[str] = []

    def stop_after_first_page(outcome) -> None:
        done.append(outcome.status)
        if len(done) == 1:
            cluster.stop()  # the server goes away between page 1 and page 2

    try:
        with pytest.raises(DatabaseError) as err:
            run_folder(scans, settings, on_page=stop_after_first_page)
        _check_error(err.value, "the working store at postgresql://")
        assert done == ["done"]
    finally:
        cluster.start()
    summary = run_folder(scans, settings)  # the same command again: page 1 is skipped, page 2 is done
    assert (summary.files_known, summary.pages, summary.pages_done) == (2, 2, 2)
    with Store.open(settings) as store:
        ev = evaluate(store)
        with store.session() as s:
            n = s.scalar(select(func.count(Record.id)))
            keys = s.scalar(select(func.count()).select_from(select(Record.page_id, Record.row_no).distinct().subquery()))
            done_once = [p.status for p in s.scalars(select(Page).order_by(Page.id))]
    assert ev.rows_truth == ev.rows_found == n == keys and ev.rows_extra == 0, ev.to_dict()  # 0 lost, 0 duplicated
    assert done_once == ["done", "done"]


@pytest.mark.postgres
def test_platform_stopped_mid_load_then_the_load_resumes(tmp_path, cluster, monkeypatch):
    settings = Settings(data_dir=str(tmp_path / "data"), platform_url=cluster.create_db("platform_fault"))
    with Store.open(settings) as store:
        seed_store(store, settings, kinds=("cremation",), pages=4)
        expected = {b.row.key for b in load_mod.build_rows(store, settings)}
        assert len(expected) > 40
        real_send = load_mod._send_batch
        sent: list[int] = []

        def send_then_stop(*args, **kwargs):
            out = real_send(*args, **kwargs)
            sent.append(1)
            if len(sent) == 1:
                cluster.stop()  # the platform goes away after the first batch committed
            return out

        monkeypatch.setattr(load_mod, "_send_batch", send_then_stop)
        try:
            with pytest.raises(DatabaseError) as err:
                load_mod.load(store, settings, batch_size=20)
            assert "not loaded" in str(err.value) and "s3cret-pw" not in str(err.value)
            assert "stopped answering" in str(err.value) and "refused by the platform" not in str(err.value)  # not blamed on the rows
        finally:
            cluster.start()
        monkeypatch.setattr(load_mod, "_send_batch", real_send)
        again = load_mod.load(store, settings, batch_size=20)
        assert again.inserted == len(expected) - 20  # the first batch stayed loaded; the rest came now
        third = load_mod.load(store, settings, batch_size=20)
        assert third.inserted == third.updated == 0
    eng = create_engine(settings.platform_db_url.replace("postgresql://", "postgresql+psycopg://"))
    with eng.connect() as c:
        keys = [r[0] for r in c.execute(text("select natural_key from dead_information"))]
    eng.dispose()
    assert len(keys) == len(set(keys)) and set(keys) == expected  # 0 lost, 0 duplicated


# ---- disk full while writing page images -------------------------------------------------------
def _two_pages(tmp_path: Path) -> Path:
    scans = tmp_path / "scans"
    scans.mkdir()
    for name in ("blank_page.jpg", "letter.jpg"):  # pages that need no OCR to finish (no table)
        shutil.copy(SAMPLES / "invalid" / name, scans / name)
    return scans


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True).returncode == 0


def test_disk_full_fails_the_page_not_the_run_real_enospc(tmp_path):
    """A real ENOSPC: the image folder is a 256 KiB tmpfs (needs root; skipped where mount is refused)."""
    settings = Settings(data_dir=str(tmp_path / "data"))
    images = settings.data_path / "images"
    if not _mount_tmpfs(images, "256k"):
        pytest.skip("cannot mount a small tmpfs here (not root, or no mount permission)")
    try:
        summary = run_folder(_two_pages(tmp_path), settings)
        assert (summary.pages, summary.pages_done) == (2, 0)
        assert [p["status"] for p in summary.pages_problem] == ["failed", "failed"]
        assert all("disk full while writing the page image" in p["message"] for p in summary.pages_problem)
        assert not list(images.rglob("*.tmp"))  # no half-written image left behind
    finally:
        subprocess.run(["umount", str(images)], capture_output=True)
    again = run_folder(Path(summary.scans_dir), settings)  # space is back: the failed pages are retried
    assert sorted(p["status"] for p in again.pages_problem) == ["no_table", "no_table"]


def test_disk_full_at_the_image_store_boundary_fails_the_page(tmp_path, monkeypatch):
    """The same fault injected where the store writes (OSError ENOSPC), for machines without mount."""
    settings = Settings(data_dir=str(tmp_path / "data"))
    scans = _two_pages(tmp_path)
    real_put = ImageStore.put
    calls: list[int] = []

    def full_once(self, image):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_put(self, image)

    monkeypatch.setattr(ImageStore, "put", full_once)
    summary = run_folder(scans, settings)
    statuses = sorted((p["file"], p["status"]) for p in summary.pages_problem)
    assert statuses == [("blank_page.jpg", "failed"), ("letter.jpg", "no_table")]
    assert "disk full" in summary.pages_problem[0]["message"] or "disk full" in summary.pages_problem[1]["message"]
    monkeypatch.setattr(ImageStore, "put", real_put)
    again = run_folder(scans, settings)  # resume: the failed page is retried, the finished one skipped
    assert sorted(p["status"] for p in again.pages_problem) == ["no_table", "no_table"]
