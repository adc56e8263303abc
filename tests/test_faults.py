"""Faults injected into real runs: the working store's or the platform's PostgreSQL stopped mid-run
and started again; the disk holding page images full. A clear error, then a run that resumes with
nothing lost and nothing duplicated."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from pgcluster import Cluster, server_binaries
from sqlalchemy import create_engine, func, select, text

import pipeline.platform.load as load_mod
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import DatabaseError
from pipeline.kernel.store import ImageStore, LoadedRecord, Page, Record, Store
from pipeline.quality.evaluate import evaluate
from pipeline.runs.stages import run_folder
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
    for name, rows in (("page_002.jpg", 4), ("page_003.jpg", 3)):  # the tops of two ledger pages
        _top_of_page(name, rows, scans)
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
        # one sender: with several, the other batches may all commit before the stop (a race that made
        # this test pass or fail by the machine's load); the resume is the same either way
        monkeypatch.setattr(load_mod, "SENDERS", 1)
        try:
            with pytest.raises(DatabaseError) as err:
                load_mod.load(store, settings, batch_size=20)
            assert "not loaded" in str(err.value) and "s3cret-pw" not in str(err.value)
            assert "stopped answering" in str(err.value) and "refused by the platform" not in str(
                err.value
            )  # not blamed on the rows
        finally:
            cluster.start()
        monkeypatch.setattr(load_mod, "_send_batch", real_send)
        eng = create_engine(settings.platform_db_url.replace("postgresql://", "postgresql+psycopg://"))
        with eng.connect() as c:  # the batches the platform committed before it stopped
            first = c.execute(select(func.count()).select_from(text("dead_information"))).scalar_one()
        eng.dispose()
        with store.session() as s:  # ... and the store kept their receipts and marks
            marked = set(s.execute(select(LoadedRecord.natural_key)).scalars())
        assert len(marked) == first and first >= 20 and first % 20 == 0 and first < len(expected)  # whole batches
        again = load_mod.load(store, settings, batch_size=20)
        assert again.inserted == len(expected) - first  # what stayed loaded stays; the rest came now
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
    return (
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True).returncode == 0
    )


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


# ---- issue 25: stores, platforms and exports that cannot be written -----------------------------------
from clirun import backfill, one_clear_error, popen  # noqa: E402

from pipeline.kernel.store import Run  # noqa: E402
from pipeline.runs import manage as runs  # noqa: E402


def test_unwritable_stores_platforms_and_exports_fail_in_one_line_leaving_nothing(tmp_path):
    """Each was a traceback (or a silently created folder): now one line naming the path and the reason,
    the exit code of its kind (README), and nothing left behind."""
    data = tmp_path / "backfill-data"
    settings = Settings(data_dir=str(data))
    with Store.open(settings) as store:
        seed_store(store, settings, kinds=("cremation",), pages=1)
    # an export onto a folder: exit 9 (output), no .part file
    (tmp_path / "exports").mkdir()
    one_clear_error(backfill("export", "--out", "exports", cwd=tmp_path), 9, "exports", "it is a folder")
    assert list(tmp_path.glob("*.part")) == [] and list((tmp_path / "exports").iterdir()) == []
    # a working store under a folder that is not there: exit 6, the folder is not created
    gone = tmp_path / "mnt" / "usb"
    one_clear_error(backfill("status", "--db", f"sqlite:///{gone}/store.sqlite", cwd=tmp_path), 6, str(gone), "does not exist")
    # a platform on a mount that is not there, and one that does not exist yet: never created silently
    one_clear_error(
        backfill("load", "--platform", f"sqlite:///{gone}/platform.sqlite", cwd=tmp_path), 6, str(gone), "does not exist"
    )
    assert not (tmp_path / "mnt").exists()
    named = tmp_path / "platform.sqlite"
    one_clear_error(backfill("load", "--platform", f"sqlite:///{named}", cwd=tmp_path), 6, str(named), "does not exist")
    assert not named.exists()
    res = backfill("migrate", "--platform", f"sqlite:///{named}", cwd=tmp_path)  # migrate makes it
    assert res.returncode == 0 and named.stat().st_mode & 0o777 == 0o600, res.stderr
    # a read-only platform: exit 6 naming the file; the store is untouched (nothing marked loaded)
    named.chmod(0o444)
    res = backfill("load", "--platform", f"sqlite:///{named}", cwd=tmp_path, as_user=True)
    one_clear_error(res, 6, str(named), "read-only")
    with Store.open(settings) as store, store.session() as s:
        assert s.scalar(select(func.count()).select_from(load_mod.LoadedRecord)) == 0


# ---- issue 25: two runs at once on one store -----------------------------------------------------------
def _top_of_page(name: str, rows: int, scans: Path) -> None:
    """The top of a jpeg_volume page (title, header and its first `rows` rows) with its truth trimmed to
    those rows: a real ledger page the recognizer reads, at a third of a full page's OCR. The cut lies a
    little below the ruled line under the last kept row, placed through the page's own homography."""
    import json

    from PIL import Image

    src = SAMPLES / "ledgers" / "jpeg_volume" / name
    truth = json.loads(src.with_suffix(".gt.json").read_text(encoding="utf-8"))
    page = truth["pages"][0]
    (_h0, h1, h2), y = page["degradation"]["homography"], page["grid"]["y"][rows + 1]
    ends = [
        (h1[0] * x + h1[1] * y + h1[2]) / (h2[0] * x + h2[1] * y + h2[2]) for x in (page["grid"]["x"][0], page["grid"]["x"][-1])
    ]
    with Image.open(src) as im:
        im.crop((0, 0, im.width, int(max(ends)) + 40)).save(scans / name, quality=95)
    page["rows"] = page["rows"][:rows]
    (scans / src.with_suffix(".gt.json").name).write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")


def _three_pages(tmp_path: Path) -> Path:
    """Three ledger pages of one volume, each cut to its top rows (page_002 holds 4 rows in all)."""
    scans = tmp_path / "scans"
    scans.mkdir()
    for name, rows in (("page_001.jpg", 3), ("page_002.jpg", 4), ("page_003.jpg", 3)):
        _top_of_page(name, rows, scans)
    return scans


def _read_once_and_exact(data: Path) -> list[int]:
    """Every page read exactly once over all runs, every record of the truth there once; pages read per run."""
    from pipeline.kernel.store import PageRead, WorkClaim

    with Store.open(Settings(data_dir=str(data))) as store:
        ev = evaluate(store)
        with store.session() as s:
            # a page whose reading Ctrl-C cut short (its renderer killed with the process group) may have
            # been logged `failed`: it is read again by the next run; no page is read through twice
            reads = s.execute(
                select(PageRead.page_id, func.count(PageRead.id)).where(PageRead.status != "failed").group_by(PageRead.page_id)
            ).all()
            per_run = s.execute(select(PageRead.run_id, func.count(PageRead.id)).group_by(PageRead.run_id)).all()
            n = s.scalar(select(func.count(Record.id)))
            keys = s.scalar(select(func.count()).select_from(select(Record.page_id, Record.row_no).distinct().subquery()))
            pages = s.scalar(select(func.count(Page.id)))
            claims = s.scalar(select(func.count()).select_from(WorkClaim))
    assert pages == 3 and sorted(c for _p, c in reads) == [1, 1, 1], reads  # nothing read twice
    assert ev.rows_truth > 0 and ev.rows_truth == ev.rows_found == n == keys and ev.rows_extra == 0, ev.to_dict()
    assert claims == 0
    return [c for _r, c in per_run]


@pytest.mark.ocr
@pytest.mark.slow
@pytest.mark.parametrize("mode", ["--no-prefect", "prefect"])
def test_two_runs_at_once_share_the_pages_and_read_each_once(tmp_path, mode):
    """An administrator double-clicks "Start the run": the second run died on a UNIQUE constraint
    (--no-prefect), or both read every page (Prefect). Now each page is read once: claimed by one run;
    on one machine the second run waits for the first to finish reading; both complete; records exact."""
    _three_pages(tmp_path)
    args = ["run", "scans", "--batch-pages", "1"] + ([mode] if mode.startswith("--") else [])
    procs = [popen(*args, cwd=tmp_path) for _ in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0 and "Traceback" not in err, err[-3000:]
        assert re.search(r"页面\u3000* pages +3  \(已处理 3，", out), out
    per_run = _read_once_and_exact(tmp_path / "backfill-data")
    assert sum(per_run) == 3


def test_a_step_claim_renewed_as_the_step_ends_is_released_all_the_same(tmp_path, monkeypatch):
    """The heartbeat renewing a store-wide step claim (exclusive_step) could be inside its claim when the
    step ended: the release deleted the row, then the heartbeat's renewal, finding none, inserted it
    again, and the step stayed held by a run that had left it (another run waited for the whole run).
    Driven here in that order: the renewal goes on only once the release is done (or after 2 s)."""
    import threading

    from pipeline.kernel.store import WorkClaim

    settings = Settings(data_dir=str(tmp_path / "d"))
    real_claim, real_release = runs.claim, runs.release
    in_renewal, released, renewed = threading.Event(), threading.Event(), threading.Event()

    def claim(store, key, run_id, seconds=runs.CLAIM_SECONDS):
        if threading.current_thread() is not threading.main_thread() and not in_renewal.is_set():
            in_renewal.set()
            released.wait(2)
            got = real_claim(store, key, run_id, seconds)
            renewed.set()
            return got
        return real_claim(store, key, run_id, seconds)

    def release(store, run_id, keys=None):
        real_release(store, run_id, keys)
        released.set()

    monkeypatch.setattr(runs, "claim", claim)
    monkeypatch.setattr(runs, "release", release)
    monkeypatch.setattr(runs, "HEARTBEAT_SECONDS", 0.01)
    with Store.open(settings) as store:
        run_id = runs.begin_run(store, tmp_path, settings, runs.RunOptions())
        with runs.exclusive_step(store, run_id, "dedupe"):
            assert in_renewal.wait(10)  # the heartbeat is inside its renewal
        assert renewed.wait(10)  # the renewal is over
        with store.session() as s:
            left = s.execute(select(WorkClaim.key, WorkClaim.run_id)).all()
        runs.ACTIVE_RUNS.clear()
    assert left == []


def test_claims_of_a_killed_run_lapse(tmp_path):
    """A run killed while it held pages: its claims lapse as soon as the next run finds its process gone
    (same host), or when they expire (a run on another host); a live run's claim holds."""
    settings = Settings(data_dir=str(tmp_path / "d"))
    dead = subprocess.Popen(["true"])
    dead.wait()
    with Store.open(settings) as store:
        killed = runs.begin_run(store, tmp_path, settings, runs.RunOptions())
        live = runs.begin_run(store, tmp_path, settings, runs.RunOptions())
        with store.session() as s, s.begin():
            s.get(Run, killed).settings = {
                **s.get(Run, killed).settings,
                "process": {"pid": dead.pid, "host": os.uname().nodename},
            }
        assert runs.claim(store, "page:1", killed) and runs.claim(store, "page:2", live)
        other = runs.begin_run(store, tmp_path, settings, runs.RunOptions())  # marks the killed run interrupted
        with store.session() as s:
            assert s.get(Run, killed).status == "interrupted"
        assert runs.claim(store, "page:1", other)  # the killed run's claim lapsed
        assert not runs.claim(store, "page:2", other)  # the live run's holds
        far = runs.begin_run(store, tmp_path, settings, runs.RunOptions())  # a run of another host: by time only
        with store.session() as s, s.begin():
            s.get(Run, far).settings = {**s.get(Run, far).settings, "process": {"pid": 1, "host": "elsewhere"}}
        assert runs.claim(store, "page:3", far, seconds=0.01)
        time.sleep(0.05)
        assert runs.claim(store, "page:3", other)
        runs.ACTIVE_RUNS.clear()


# ---- issue 25: Ctrl-C to the whole terminal process group of a real run with Prefect ----------------------
@pytest.mark.ocr
@pytest.mark.slow
@pytest.mark.alone  # Ctrl-C answered within 10 s
def test_ctrl_c_to_the_process_group_stops_within_seconds_and_the_next_run_completes(tmp_path):
    """SIGINT to the process group of `backfill run` (Prefect, temporary server): it died slowly (101 s),
    with tracebacks and exit 1. Now exit 130 within 10 s, one line saying what is saved and how to resume,
    no traceback, no process left; the next run reads the rest and nothing twice."""
    import psutil

    _three_pages(tmp_path)
    data = tmp_path / "backfill-data"
    p = popen("run", "scans", "--batch-pages", "1", cwd=tmp_path)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and p.poll() is None:  # wait for the first page read, mid-run
        time.sleep(0.5)
        try:
            eng = create_engine(f"sqlite:///{data / 'store.sqlite'}", connect_args={"timeout": 1})
            with eng.connect() as c:
                if c.execute(text("select count(*) from page_reads")).scalar():
                    break
        except Exception:  # noqa: BLE001 - not created yet
            pass
        finally:
            eng.dispose()
    assert p.poll() is None, p.communicate()[1][-3000:]
    group = [q for q in psutil.process_iter(["pid"]) if _pgid(q.pid) == p.pid]
    t0 = time.monotonic()
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=60)
    took = time.monotonic() - t0
    assert p.returncode == 130 and took <= 10, (p.returncode, took, err[-3000:])
    assert "Traceback" not in err + out, err[-3000:]
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("页面 pages")]
    assert len(lines) == 1 and lines[0].startswith("已中断：运行 "), err[-3000:]
    assert "要继续，请再次运行同一命令" in lines[0] and " / interrupted: run " in lines[0]
    assert "saved" in lines[0] and "To resume, run the same command again (backfill run scans --batch-pages 1)" in lines[0]

    def left() -> list:
        alive = []
        for q in group:
            try:
                if q.is_running() and q.status() != psutil.STATUS_ZOMBIE:
                    alive.append(q)
            except psutil.NoSuchProcess:
                pass
        return alive

    deadline = time.monotonic() + 10  # children end on their own signal: wait for them, not a fixed second
    while left() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left(), "processes left"
    with Store.open(Settings(data_dir=str(data))) as store, store.session() as s:
        assert s.scalars(select(Run.status)).all() == ["interrupted"]
    res = backfill("run", "scans", "--no-prefect", cwd=tmp_path)  # the next run: the rest, nothing twice
    assert res.returncode == 0, res.stderr[-3000:]
    _read_once_and_exact(data)


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


@pytest.mark.alone  # a 3 s claim must not lapse before the run looks at it
def test_pages_held_by_a_run_elsewhere_are_left_to_it_then_taken_when_its_claim_lapses(tmp_path):
    """Runs on two machines (a shared store): the second reads the pages no one holds, waits for the held
    one, and takes it once the holder's claim expires (a machine gone). Blank pages: no OCR needed."""
    from PIL import Image

    from pipeline.kernel.store import PageRead
    from pipeline.page.intake import register_folder

    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(3):
        Image.new("RGB", (500, 400), (230 + i, 230, 230)).save(scans / f"blank_{i}.png")
    settings = Settings(data_dir=str(tmp_path / "d"))
    with Store.open(settings) as store:
        elsewhere = runs.begin_run(store, scans, settings, runs.RunOptions())
        with store.session() as s, s.begin():
            s.get(Run, elsewhere).settings = {"process": {"pid": 1, "host": "another-machine"}}
        got = register_folder(store, scans, elsewhere, settings)
        first_page = runs.pending_pages(store, got.file_ids)[0]
        here = runs.begin_run(store, scans, settings, runs.RunOptions())
        given: list[list[int]] = []

        def run_batches(page_ids: list[int]) -> None:
            given.append(page_ids)
            for batch in runs.batches(page_ids, 1):
                runs.read_claimed(store, here, batch, settings)

        # the claim is taken just before this run starts reading and the wait is timed from it: a slow
        # begin_run between them (a busy CI machine) let the 3 s claim lapse unseen, or shortened `waited`
        t0 = time.monotonic()
        assert runs.claim(store, runs.page_key(first_page), elsewhere, seconds=3)  # it is reading page 1
        runs.read_selection(store, here, got.file_ids, run_batches, one_per_machine=False)
        waited = time.monotonic() - t0
        with store.session() as s:
            reads = s.execute(select(PageRead.page_id, PageRead.run_id)).all()
        runs.ACTIVE_RUNS.clear()
    assert len(reads) == 3 and len({p for p, _r in reads}) == 3 and {r for _p, r in reads} == {here}  # each once
    assert len(given) == 2 and first_page not in given[0] and len(given[0]) == 2  # the free pages first
    assert given[1] == [first_page] and waited >= 2  # then the held one, once its claim lapsed


def test_a_page_that_failed_is_read_again_by_the_next_run(tmp_path):
    """A page left `failed` (disk full, a fault of ours, its renderer killed by the Ctrl-C that stopped
    the run) is read by the next run, as its message promises; within one run it is tried once."""
    from PIL import Image

    from pipeline.kernel.store import PageRead
    from pipeline.page.intake import register_folder

    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(2):
        Image.new("RGB", (500, 400), (230 + i, 230, 230)).save(scans / f"blank_{i}.png")
    settings = Settings(data_dir=str(tmp_path / "d"))
    with Store.open(settings) as store:
        got = register_folder(store, scans, None, settings)
        pages = runs.pending_pages(store, got.file_ids)
        with store.session() as s, s.begin():
            s.get(Page, pages[0]).status = "failed"
            s.get(Page, pages[1]).status = "no_table"  # read: not read again
        run_id = runs.begin_run(store, scans, settings, runs.RunOptions())
        runs.read_selection(
            store, run_id, got.file_ids, lambda ids: [runs.read_claimed(store, run_id, [p], settings) for p in ids]
        )
        with store.session() as s:
            reads = s.execute(select(PageRead.page_id)).scalars().all()
            status = s.get(Page, pages[0]).status
        runs.ACTIVE_RUNS.clear()
    assert reads == [pages[0]] and status == "no_table"


# ---- a server never reached ------------------------------------------------------------------------
def _closed_port() -> int:
    """A local TCP port nothing listens on: bound, then released (connecting there is refused)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("kind", ["connection refused", "host unknown"])
def test_a_server_never_reached_is_said_unreachable_naming_host_and_port(kind, tmp_path, monkeypatch, capsys):
    """`backfill status --db URL` on a PostgreSQL that was never there said it "stopped answering" and to
    start the server again, it would resume: words for a server that answered and then went away."""
    from pipeline.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKFILL_CONFIG", raising=False)
    where = f"127.0.0.1:{_closed_port()}" if kind == "connection refused" else "no-such-host.invalid:5432"  # RFC 6761
    url = f"postgresql://ann:s3cret-pw@{where}/store"
    assert main(["status", "--db", url]) == 6
    err = capsys.readouterr().err
    assert err.startswith(f"error: 数据库无法使用 / 无法连接工作库 {where}："), err
    assert f"could not reach the working store at postgresql://ann:***@{where}/store ({kind}: " in err, err
    assert "stopped answering" not in err and "停止响应" not in err and "s3cret-pw" not in err, err
    assert "Traceback" not in err
    url = f"postgresql://ann:s3cret-pw@{where}/platform"
    assert main(["load", "--data-dir", str(tmp_path / "data"), "--platform", url]) == 6
    err = capsys.readouterr().err
    assert f"无法连接平台数据库 {where}：" in err and "s3cret-pw" not in err and "--platform 或 BACKFILL_PLATFORM_URL" in err, err


def test_a_server_that_never_answers_is_said_timed_out_in_seconds_not_minutes(tmp_path, monkeypatch, capsys):
    """A host that takes the connection and never answers (a firewall, the wrong machine) left
    `backfill status --db URL` waiting on the system's TCP retries, minutes with nothing said: the
    connection attempt now gives up after store.CONNECT_SECONDS (set to 2 here) and says it timed out."""
    import socket
    import time

    from pipeline.cli.main import main
    from pipeline.kernel import store as store_module

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKFILL_CONFIG", raising=False)
    monkeypatch.setattr(store_module, "CONNECT_SECONDS", 2)
    with socket.socket() as mute:  # listens (the kernel completes the handshake) and never says a word
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        where = f"127.0.0.1:{mute.getsockname()[1]}"
        started = time.monotonic()
        assert main(["status", "--db", f"postgresql://ann:s3cret-pw@{where}/store"]) == 6
        took = time.monotonic() - started
    err = capsys.readouterr().err
    assert took < 20, took
    assert f"无法连接工作库 {where}：连接超时" in err and "(timed out: " in err and "s3cret-pw" not in err, err
