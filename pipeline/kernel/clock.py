"""When something happened, as the archive's people read it: the archive's local time, its zone named.

Every time is stored in UTC (pipeline.kernel.store.utcnow; SQLite gives it back without its zone). The
province's archivists, reviewers and administrators read China Standard Time (北京时间, Asia/Shanghai,
UTC+8: one zone for the whole country, without daylight saving since 1991), so every screen and every
CLI line shows a time through `local_time`: "2026-12-04 05:18:00 UTC+8". The offset names the zone in
words that read the same in Chinese and English, and a time copied out of a table keeps its zone.

One place: the review app (runs, intake, history, thresholds, lexicon, cross-checks) and the CLI
(`backfill calibrate --list`, `lexicon versions`, `crosscheck-list`) call it; the review app's
day-by-day charts count the archive's days with `local_date`, in the database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date

ARCHIVE_TIME_ZONE = ZoneInfo("Asia/Shanghai")
"""The zone of the archive's readers: 北京时间, China's one time zone. No setting names another."""


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)  # stored without its zone: UTC


def _parsed(t: datetime | str | None) -> datetime | None:
    if t is None or isinstance(t, datetime):
        return t
    try:
        return datetime.fromisoformat(str(t).strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def zone_label(offset: timedelta | None) -> str:
    """UTC+8, UTC-3:30, UTC."""
    minutes = int((offset or timedelta(0)).total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def local_time(t: datetime | str | None, *, seconds: bool = True, empty: str = "—") -> str:
    """A stored time (aware, naive UTC, or ISO text) in the archive's zone, with the zone:
    "2026-12-04 05:18:00 UTC+8" (`seconds=False`: "2026-12-04 05:18 UTC+8"). None: `empty`; text that
    is no time: itself."""
    when = _parsed(t)
    if when is None:
        return empty if t is None or not str(t).strip() else str(t)
    local = _aware(when).astimezone(ARCHIVE_TIME_ZONE)
    return f"{local:%Y-%m-%d %H:%M{':%S' if seconds else ''}} {zone_label(local.utcoffset())}"


class local_date(FunctionElement):  # noqa: N801 (named as the SQL functions it stands beside: func.date)
    """The archive's calendar day of a stored time, computed by the database (the review app's
    day-by-day charts): a page read at 23:30 UTC belongs to the next day in Yantai. SQLite keeps times
    as UTC text: shifted by the zone's offset (Asia/Shanghai has had no daylight saving since 1991);
    PostgreSQL converts with the zone itself."""

    type = Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date)
def _local_date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    offset = ARCHIVE_TIME_ZONE.utcoffset(datetime.now()) or timedelta(0)
    return f"date({compiler.process(element.clauses, **kw)}, '{int(offset.total_seconds() // 60):+d} minutes')"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE '{ARCHIVE_TIME_ZONE.key}' AS DATE)"
