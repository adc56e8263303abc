"""Every time shown (review app, CLI) is the archive's local time with its zone: pipeline.kernel.clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipeline.kernel.clock import local_time, zone_label
from pipeline.kernel.config import Settings

CST = Settings().zone  # the default: Asia/Shanghai


def test_a_stored_time_reads_as_china_standard_time_with_the_zone_said():
    stored = datetime(2026, 12, 31, 20, 5, 9)  # what SQLite gives back: UTC, without its zone
    assert local_time(stored, CST) == "2027-01-01 04:05:09 UTC+8"  # the reader's day, not UTC's
    assert local_time(stored.replace(tzinfo=timezone.utc), CST, seconds=False) == "2027-01-01 04:05 UTC+8"
    assert local_time("2026-12-31T20:05:09+00:00", CST) == "2027-01-01 04:05:09 UTC+8"  # a version file's ISO text
    assert local_time(datetime(2026, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=-4))), CST) == "2026-07-02 00:00:00 UTC+8"
    assert local_time(None, CST) == "—" and local_time("", CST) == "—" and local_time("not a time", CST) == "not a time"


def test_the_zone_is_a_setting_of_backfill_toml_an_iana_name_or_an_offset(tmp_path, monkeypatch):
    """Times were fixed to Asia/Shanghai with no setting: `time_zone` names another (daylight saving
    included), or a fixed offset; a zone that is none is the settings error naming backfill.toml and the
    key, Chinese first."""
    from pipeline.kernel.errors import ConfigError

    assert Settings().time_zone == "Asia/Shanghai"
    summer, winter = datetime(2026, 7, 1, 12, 0), datetime(2026, 12, 1, 12, 0)
    berlin = Settings(time_zone="Europe/Berlin").zone
    assert local_time(summer, berlin) == "2026-07-01 14:00:00 UTC+2" and local_time(winter, berlin) == "2026-12-01 13:00:00 UTC+1"
    assert local_time(winter, Settings(time_zone="+05:30").zone) == "2026-12-01 17:30:00 UTC+5:30"
    assert local_time(winter, Settings(time_zone="-03:00").zone) == "2026-12-01 09:00:00 UTC-3"
    monkeypatch.chdir(tmp_path)
    for bad in ("Asia/Shangai", "+25:00", "08:00", "../../etc/passwd", 8):
        (tmp_path / "backfill.toml").write_text(f"time_zone = {bad!r}\n".replace("'", '"'), encoding="utf-8")
        with pytest.raises(ConfigError) as e:
            Settings.load()
        assert "backfill.toml" in str(e.value) and "time_zone" in str(e.value), e.value
        assert e.value.hint.startswith("设置有误（设置文件 backfill.toml）：time_zone"), e.value.hint


def test_a_machine_without_a_zone_database_is_told_so_not_a_traceback(tmp_path):
    """zoneinfo reads /usr/share/zoneinfo, else the tzdata package (a dependency). With neither, every
    command died at import with ZoneInfoNotFoundError; now it is the settings error saying what is
    missing and how to fix it, and an offset ("+08:00") works without any database."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    hide = (
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'tzdata': raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Hide())\n"
        "from pipeline.cli.main import main\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONTZPATH": str(tmp_path / "no-zoneinfo")}
    env.pop("BACKFILL_CONFIG", None)
    run = [sys.executable, "-c", hide, "inventory", "list", "--data-dir", str(tmp_path / "d")]
    out = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 5 and "Traceback" not in out.stderr, out.stderr
    assert "本机没有时区数据库" in out.stderr and "apt-get install tzdata" in out.stderr and '"+08:00"' in out.stderr
    (tmp_path / "backfill.toml").write_text('time_zone = "+08:00"\n', encoding="utf-8")
    out = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_zone_labels():
    assert [zone_label(timedelta(hours=h)) for h in (8, 0, -3)] == ["UTC+8", "UTC", "UTC-3"]
    assert zone_label(timedelta(hours=5, minutes=30)) == "UTC+5:30"


def _days(settings):  # pages read at 15:59, 16:00 and 21:18 UTC on 3 December
    from sqlalchemy import delete

    from pipeline.kernel.store import Page, SourceFile, Store
    from pipeline.runs.completion import over_time

    store = Store.open(settings)
    with store.session() as s, s.begin():
        s.execute(delete(Page))  # the same database again, in another zone
        s.execute(delete(SourceFile))
        f = SourceFile(sha256="0" * 64, rel_path="a.pdf", abs_path="a.pdf", size_bytes=1, media_type="pdf", page_count=3)
        s.add(f)
        s.flush()
        for n, at in enumerate((datetime(2026, 12, 3, 15, 59), datetime(2026, 12, 3, 16, 0), datetime(2026, 12, 3, 21, 18)), 1):
            s.add(Page(file_id=f.id, page_no=n, status="done", processed_at=at.replace(tzinfo=timezone.utc)))
    points = over_time(store, 3, settings.time_zone)
    store.dispose()
    return [(p.day.isoformat(), p.pages_processed) for p in points]


def test_the_day_by_day_chart_counts_the_archives_days(tmp_path):
    """A page read at 21:18 UTC on 3 December was read on 4 December in Yantai: the completion chart put
    it on the 3rd while the runs table (local time) said the 4th."""
    from pipeline.kernel.config import Settings

    assert _days(Settings(data_dir=str(tmp_path / "data"))) == [("2026-12-03", 1), ("2026-12-04", 3)]


@pytest.mark.parametrize(
    "zone,days",
    [
        ("Asia/Kolkata", [("2026-12-03", 2), ("2026-12-04", 3)]),  # UTC+5:30: 15:59 -> 21:29, 21:18 -> 02:48
        ("+05:30", [("2026-12-03", 2), ("2026-12-04", 3)]),
        ("America/New_York", [("2026-12-03", 3)]),  # UTC-5 in December: all on the 3rd
        ("UTC", [("2026-12-03", 3)]),
    ],
)
def test_the_chart_counts_the_days_of_the_zone_set(tmp_path, zone, days):
    from pipeline.kernel.config import Settings

    assert _days(Settings(data_dir=str(tmp_path / "data"), time_zone=zone)) == days


@pytest.mark.postgres
def test_the_day_by_day_chart_counts_the_archives_days_on_postgresql(tmp_path, pg_url):
    from pipeline.kernel.config import Settings

    settings = Settings(data_dir=str(tmp_path / "data"), db_url=pg_url)
    assert _days(settings) == [("2026-12-03", 1), ("2026-12-04", 3)]
    for zone in ("Asia/Kolkata", "+05:30"):  # a fixed offset is not read the POSIX way (sign inverted)
        assert _days(settings.with_(time_zone=zone)) == [("2026-12-03", 2), ("2026-12-04", 3)], zone
    assert _days(settings.with_(time_zone="America/New_York")) == [("2026-12-03", 3)]
