"""Every time shown (review app, CLI) is the archive's local time with its zone: pipeline.kernel.clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipeline.kernel.clock import local_time, zone_label


def test_a_stored_time_reads_as_china_standard_time_with_the_zone_said():
    stored = datetime(2026, 12, 31, 20, 5, 9)  # what SQLite gives back: UTC, without its zone
    assert local_time(stored) == "2027-01-01 04:05:09 UTC+8"  # the reader's day, not UTC's
    assert local_time(stored.replace(tzinfo=timezone.utc), seconds=False) == "2027-01-01 04:05 UTC+8"
    assert local_time("2026-12-31T20:05:09+00:00") == "2027-01-01 04:05:09 UTC+8"  # a version file's ISO text
    assert local_time(datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=-4)))) == "2026-07-02 00:00:00 UTC+8"
    assert local_time(None) == "—" and local_time("") == "—" and local_time("not a time") == "not a time"


def test_zone_labels():
    assert [zone_label(timedelta(hours=h)) for h in (8, 0, -3)] == ["UTC+8", "UTC", "UTC-3"]
    assert zone_label(timedelta(hours=5, minutes=30)) == "UTC+5:30"


def _days(settings):
    from pipeline.kernel.store import Page, SourceFile, Store
    from pipeline.runs.completion import over_time

    store = Store.open(settings)
    with store.session() as s, s.begin():
        f = SourceFile(sha256="0" * 64, rel_path="a.pdf", abs_path="a.pdf", size_bytes=1, media_type="pdf", page_count=3)
        s.add(f)
        s.flush()
        for n, at in enumerate((datetime(2026, 12, 3, 15, 59), datetime(2026, 12, 3, 16, 0), datetime(2026, 12, 3, 21, 18)), 1):
            s.add(Page(file_id=f.id, page_no=n, status="done", processed_at=at.replace(tzinfo=timezone.utc)))
    points = over_time(store, 3)
    store.dispose()
    return [(p.day.isoformat(), p.pages_processed) for p in points]


def test_the_day_by_day_chart_counts_the_archives_days(tmp_path):
    """A page read at 21:18 UTC on 3 December was read on 4 December in Yantai: the completion chart put
    it on the 3rd while the runs table (local time) said the 4th."""
    from pipeline.kernel.config import Settings

    assert _days(Settings(data_dir=str(tmp_path / "data"))) == [("2026-12-03", 1), ("2026-12-04", 3)]


@pytest.mark.postgres
def test_the_day_by_day_chart_counts_the_archives_days_on_postgresql(tmp_path, pg_url):
    from pipeline.kernel.config import Settings

    settings = Settings(data_dir=str(tmp_path / "data"), db_url=pg_url)
    assert _days(settings) == [("2026-12-03", 1), ("2026-12-04", 3)]
