"""Every time shown (review app, CLI) is the archive's local time with its zone: pipeline.kernel.clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

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
