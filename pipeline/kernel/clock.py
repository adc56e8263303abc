"""When something happened, as the archive's people read it: the archive's local time, its zone named.

Every time is stored in UTC (pipeline.kernel.store.utcnow; SQLite gives it back without its zone). The
archive's readers read it in one zone, the setting `time_zone` of backfill.toml (pipeline.kernel.config):
an IANA zone name, default "Asia/Shanghai" (China Standard Time, 北京时间, UTC+8: one zone for the whole
country, without daylight saving since 1991), or a fixed offset "+08:00". Every screen and every CLI
line shows a time through `local_time`: "2026-12-04 05:18:00 UTC+8". The offset names the zone in words
that read the same in Chinese and English, and a time copied out of a table keeps its zone.

One place: the review app (runs, intake, history, thresholds, lexicon, cross-checks) and the CLI
(`backfill calibrate --list`, `lexicon versions`, `crosscheck-list`) call it with `Settings.zone`; the
review app's day-by-day charts count the archive's days with `local_date`, in the database.

The zone database: `zoneinfo` reads the system's (/usr/share/zoneinfo, Debian's `tzdata` package),
else the `tzdata` Python package (a dependency of ours, so a machine without the system's has it). Where
neither holds the zone, `zone_of` says so (ZoneError: which zone, that the database lacks it, how to
install it, or to give the offset "+08:00" instead), and the settings check reports it naming
backfill.toml and the key."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date

DEFAULT_TIME_ZONE = "Asia/Shanghai"
"""The zone of the archive's readers where backfill.toml names none: 北京时间, China's one time zone."""

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


class ZoneError(ValueError):
    """A `time_zone` that names no zone: `en` and `zh` say why (the settings check reports both)."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.zh = zh


@lru_cache(maxsize=64)
def zone_of(name: str) -> tzinfo:
    """The zone a `time_zone` setting names: an IANA name ("Asia/Shanghai", "Asia/Urumqi") through
    zoneinfo, or a fixed offset "±HH:MM" (at most ±14:00, as the world's zones are). ZoneError otherwise,
    telling a misspelt name from a machine whose zone database is missing."""
    text = str(name).strip()
    m = _OFFSET.match(text)
    if m:
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3))
        if minutes >= 60 or hours * 60 + minutes > 14 * 60:
            raise ZoneError(
                f"the offset {text!r} is out of range (-14:00..+14:00)", f"时差 {text!r} 超出范围（-14:00 到 +14:00）"
            )
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if sign == "-" else delta)
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass  # ValueError: not a zone key at all ("../x", ""); OSError: an unreadable zone file
    if not zoneinfo.available_timezones():
        raise ZoneError(
            f"time zone {text!r}: this machine has no time zone database (neither the system's /usr/share/zoneinfo "
            "nor the tzdata Python package); install one (apt-get install tzdata, or pip install tzdata) or give "
            'the offset, e.g. "+08:00"',
            f"时区 {text!r}：本机没有时区数据库（系统的 /usr/share/zoneinfo 和 Python 的 tzdata 包都没有）；"
            '请安装（apt-get install tzdata 或 pip install tzdata），或改写为时差，如 "+08:00"',
        )
    raise ZoneError(
        f"{text!r} is no IANA time zone name (e.g. Asia/Shanghai) nor an offset ±HH:MM (e.g. +08:00)",
        f"{text!r} 不是 IANA 时区名（如 Asia/Shanghai），也不是 ±HH:MM 形式的时差（如 +08:00）",
    )


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


def local_time(t: datetime | str | None, zone: tzinfo, *, seconds: bool = True, empty: str = "—") -> str:
    """A stored time (aware, naive UTC, or ISO text) in the archive's zone (`Settings.zone`), with the
    zone's offset at that moment: "2026-12-04 05:18:00 UTC+8" (`seconds=False`: "2026-12-04 05:18 UTC+8").
    None: `empty`; text that is no time: itself."""
    when = _parsed(t)
    if when is None:
        return empty if t is None or not str(t).strip() else str(t)
    local = _aware(when).astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M{':%S' if seconds else ''}} {zone_label(local.utcoffset())}"


def local_day(t: datetime | str | None, zone_name: str) -> str | None:
    """The archive's calendar day ("2026-12-04") of a stored time in the zone `zone_name`: what
    `local_date` computes on SQLite (registered as its SQL function `backfill_local_date` by
    pipeline.kernel.store), exact for every zone, daylight saving included."""
    when = _parsed(t)
    return None if when is None else _aware(when).astimezone(zone_of(zone_name)).date().isoformat()


class local_date(FunctionElement):  # noqa: N801 (named as the SQL functions it stands beside: func.date)
    """The archive's calendar day of a stored time in a zone (`local_date(column, settings.time_zone)`),
    computed by the database (the review app's day-by-day charts): a page read at 23:30 UTC belongs to
    the next day in Yantai. SQLite keeps times as UTC text: `local_day`, a Python function registered on
    each connection; PostgreSQL converts with the zone itself (a fixed offset: by its minutes). The zone,
    checked by `zone_of` first, is written into the statement (not cached across zones)."""

    type = Date()
    inherit_cache = False
    name = "local_date"

    def __init__(self, column: Any, zone_name: str):
        zone_of(zone_name)  # a zone that is none fails here, not in the database
        super().__init__(column)
        self.zone_name = zone_name


def _quoted(zone_name: str) -> str:
    """A zone name checked by `zone_of` (IANA keys and offsets hold no quote) as an SQL string."""
    return "'" + zone_name.replace("'", "''") + "'"


@compiles(local_date)
def _local_date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    return f"backfill_local_date({compiler.process(element.clauses, **kw)}, {_quoted(element.zone_name)})"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    zone = zone_of(element.zone_name)
    if isinstance(zone, timezone):  # "+05:30": PostgreSQL reads a bare offset the POSIX way (sign inverted)
        minutes = int((zone.utcoffset(None) or timedelta(0)).total_seconds() // 60)
        return f"CAST((({column}) AT TIME ZONE 'UTC') + make_interval(mins => {minutes}) AS DATE)"
    return f"CAST(({column}) AT TIME ZONE {_quoted(element.zone_name)} AS DATE)"
