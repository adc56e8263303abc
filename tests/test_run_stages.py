"""The run's stages without Prefect: resume after an interruption, nothing processed twice."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from pipeline.kernel.config import Settings
from pipeline.kernel.store import Page, Record, Store
from pipeline.runs.stages import intake, process_file, run_folder, start_run


@pytest.mark.ocr
def test_an_interrupted_run_resumes_without_duplicates(tmp_path, samples_dir):
    scans = tmp_path / "scans"
    shutil.copytree(samples_dir / "ledgers" / "jpeg_volume", scans / "jpeg_volume")
    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    # a first run registers the files, processes one of three, and "dies"
    run_id = start_run(store, scans, settings)
    got = intake(store, run_id, scans, settings)
    assert len(got.new_files) == 3
    done_first = process_file(store, got.new_files[0], settings)
    assert [o.status for o in done_first] == ["done"]
    with store.session() as s:
        first_ids = set(s.scalars(select(Record.id)))
    # the next run picks up the rest; the finished page is not read again
    summary = run_folder(scans, settings)
    assert (summary.files_new, summary.files_known, summary.pages, summary.pages_done) == (0, 3, 3, 3)
    with store.session() as s:
        assert s.scalar(select(func.count(Page.id)).where(Page.status == "pending")) == 0
        assert first_ids <= set(s.scalars(select(Record.id)))  # records of the finished page untouched
        per_row = s.execute(select(Record.page_id, Record.row_no, func.count()).group_by(Record.page_id, Record.row_no)).all()
    assert per_row and all(n == 1 for _p, _r, n in per_row)
    assert summary.records == len(per_row)

    # a threshold change is applied from the stored cells, without OCR: same rows, new routing
    from pipeline.runs.stages import remap

    lenient = settings.with_(auto_accept_threshold=0.0, thresholds_file="")  # one plain threshold, no calibrated ones
    pages, records = remap(store, lenient)
    assert (pages, records) == (3, summary.records)
    with store.session() as s:
        statuses = dict(s.execute(select(Record.status, func.count()).group_by(Record.status)).all())
        assert sum(statuses.values()) == summary.records
        strict_auto = summary.auto_accepted
        assert statuses.get("auto_accepted", 0) > strict_auto  # rows held back only by confidence now pass
    store.dispose()


def test_settings_collect_every_problem_and_mask_passwords(monkeypatch):
    from pipeline.kernel.config import mask_url
    from pipeline.kernel.errors import ConfigError

    with pytest.raises(ConfigError) as e:
        Settings.from_dict({"auto_accept_threshold": 3, "pdf_dpi": 5, "db_url": "mysql://x", "colour": "red"})
    msg = str(e.value)
    for part in ("auto_accept_threshold", "pdf_dpi", "db_url", "unknown setting 'colour'"):
        assert part in msg
    assert mask_url("postgresql://bf:s3cret@127.0.0.1:5432/db") == "postgresql://bf:***@127.0.0.1:5432/db"
    monkeypatch.setenv("BACKFILL_AUTO_ACCEPT_THRESHOLD", "0.8")
    assert Settings.load({"auto_accept_threshold": 0.95}).auto_accept_threshold == 0.8
    assert Settings.load({}, auto_accept_threshold=0.7).auto_accept_threshold == 0.7


def test_connection_strings_never_travel_as_flow_parameters(monkeypatch):
    s = Settings(
        db_url="postgresql://bf:s3cret@127.0.0.1:5432/work", platform_url="postgresql://bf:s3cret@127.0.0.1/p", engine="tesseract"
    )
    public = s.public_dict()
    assert "s3cret" not in repr(public) and public["engine"] == "tesseract"
    for var, value in s.connection_env().items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("BACKFILL_ENGINE", "ppocr")  # the sender's explicit choice wins over the receiver's env
    again = Settings.from_public(public)
    assert again == s
