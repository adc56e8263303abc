"""One settings object, validated once; accepted as object, dict or path (TOML or JSON).

Precedence: explicit arguments > environment (BACKFILL_*) > config file > defaults.
Connection strings come from here only, never from code; they are masked when printed.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import tzinfo
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Mapping

from pipeline.kernel.clock import DEFAULT_TIME_ZONE, ZoneError, zone_of
from pipeline.kernel.errors import ConfigError

DEFAULT_DATA_DIR = "backfill-data"
CONFIG_FILE_NAME = "backfill.toml"


@dataclass(frozen=True)
class Settings:
    data_dir: str = DEFAULT_DATA_DIR
    db_url: str | None = None  # working store; default: SQLite file in data_dir
    # provincial platform DB; default: SQLite file in data_dir. Its password: in this URL from
    # BACKFILL_PLATFORM_URL or the config file, or left out of it for libpq (~/.pgpass, PGPASSWORD)
    platform_url: str | None = None
    engine: str = "ppocr"  # main OCR engine
    engine_settings: dict[str, Any] = field(default_factory=dict)
    layout_mode: str = "cells"  # "cells": recognize each cell's crop; "page": whole-page OCR, boxes to cells
    spec_version: str = "mzt141-draft-0"
    funeral_home_code: str | None = None  # used when the ledger title names no known home
    auto_accept_threshold: float = 0.90  # a field below this sends its record to review
    field_thresholds: dict[str, float] = field(default_factory=dict)  # per-field overrides
    # calibrated per-field thresholds (bench/bench_calibration.py): None = the packaged
    # mapping/data/thresholds.json, "" = none (auto_accept_threshold for every field), or a path
    thresholds_file: str | None = None
    # a page whose share of written cells read less sure than 0.99 exceeds this sends all its records
    # to review; None: the calibrated limit of the thresholds file (none if it has none)
    page_unsure_max: float | None = None
    # a text line read less sure than this is read a second time (engine agreement); None: never
    second_read_below: float | None = 0.99
    # the blind audit of auto-accepted records (pipeline.quality.audit): share drawn per ledger volume, at least
    # this many per volume, the seed of the draw, the wrong-field rate a volume must be shown within
    # (the 95 % interval's upper bound), and the interval ("wilson" or "exact"); a volume whose sample
    # is too small to show it (nothing else wrong) is audited further while that stays under
    # audit_max_share of its auto-accepted records (audit_escalate), else sent back to review
    audit_share: float = 0.02
    audit_min_per_volume: int = 20
    audit_seed: int = 23
    audit_target: float = 0.003
    audit_interval: str = "wilson"
    audit_escalate: bool = True
    audit_max_share: float = 0.5
    # the share of records a run should auto-accept (issue 21's floor, 60 %): the administrator's audit quality
    # page shows each volume's share beside it and beside the measured wrong share; nothing is routed by it
    auto_accept_target: float = 0.6
    # the local place lexicon learnt from reviewers (pipeline.page.lexicon): None = the version an
    # administrator made active in data_dir/lexicon (none: the official lists only), "" = none, or a path
    local_lexicon_file: str | None = None
    # pages read at once by one process (a thread each, every OCR network on one thread): 2 uses
    # both cores of a 2-core machine; 0: as many as the machine has cores, at most 4
    page_workers: int = 0
    pdf_dpi: int = 200
    max_image_pixels: int = 80_000_000  # hard pixel limit per page (decompression bombs)
    max_file_bytes: int = 2_000_000_000
    max_pages_per_file: int = 2_000  # a file with more pages is refused (quarantined), not read for hours
    keep_original_images: bool = True
    # the review app: a browser session ends after this many minutes without a click; a user name
    # is locked for login_lock_minutes after login_max_failures refused logins within that time
    review_idle_minutes: float = 30.0
    login_max_failures: int = 5
    login_lock_minutes: float = 15.0
    # the zone every time is shown in (review app, CLI) and the completion chart's days are counted in:
    # an IANA zone name ("Asia/Shanghai", "Asia/Urumqi") or a fixed offset "+08:00" (pipeline.kernel.clock)
    time_zone: str = DEFAULT_TIME_ZONE

    def __post_init__(self) -> None:
        """Every construction (object, dict, file, environment, `with_`) is checked here, once: each
        value's type and range; every problem is reported at once (ConfigError, exit code 5)."""
        problems = _check(self)
        if problems:
            raise settings_error(problems)

    # ---- derived ------------------------------------------------------------------
    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def store_url(self) -> str:
        return self.db_url or f"sqlite:///{(self.data_path / 'store.sqlite').as_posix()}"

    @property
    def platform_db_url(self) -> str:
        return self.platform_url or f"sqlite:///{(self.data_path / 'platform.sqlite').as_posix()}"

    @property
    def platform_is_default(self) -> bool:
        """The platform is the SQLite file in the data folder (ours to create); a platform someone
        named (--platform, BACKFILL_PLATFORM_URL, platform_url) must exist: `backfill migrate` makes it."""
        return self.platform_url is None

    @cached_property
    def active_thresholds_file(self) -> str | None:
        """The thresholds routing uses: `thresholds_file` where set, else the version an administrator
        applied in data_dir/thresholds (`backfill remap --thresholds`), else None (the packaged file)."""
        if self.thresholds_file is not None:
            return self.thresholds_file
        from pipeline.kernel.versions import VersionedFiles

        path = VersionedFiles(self.data_path / "thresholds", "thresholds").active()
        return None if path is None else str(path)

    @cached_property
    def active_lexicon_file(self) -> str | None:
        """The local place lexicon mapping uses beside the official lists: `local_lexicon_file` where
        set ("" none), else the version an administrator made active in data_dir/lexicon, else none."""
        if self.local_lexicon_file is not None:
            return self.local_lexicon_file or None
        from pipeline.kernel.versions import VersionedFiles

        path = VersionedFiles(self.data_path / "lexicon", "lexicon").active()
        return None if path is None else str(path)

    def fitted_on_capture(self, kind: str) -> bool:
        """Whether the thresholds in use were fitted on pages of this capture kind
        (pipeline.kernel.thresholds.fitted_on_capture): routing never auto-accepts a record of a page
        captured otherwise."""
        from pipeline.kernel.thresholds import fitted_on_capture

        return fitted_on_capture(self.active_thresholds_file, kind)

    def threshold_for(self, field_name: str, capture: str | None = None) -> float:
        """This setting's field_thresholds, else the calibrated threshold, else auto_accept_threshold."""
        own = self.own_threshold(field_name, capture)
        return self.auto_accept_threshold if own is None else own

    def own_threshold(self, field_name: str, capture: str | None = None) -> float | None:
        """The field's own threshold: this setting's field_thresholds, else the calibrated one (for a
        record of a page of capture kind `capture`: the file's section fitted on that kind where it has
        one, pipeline.kernel.thresholds.load_thresholds); None where neither names it (threshold_for
        then gives auto_accept_threshold)."""
        if field_name in self.field_thresholds:
            return self.field_thresholds[field_name]
        from pipeline.kernel.thresholds import load_thresholds

        return load_thresholds(self.active_thresholds_file, capture).get(field_name)

    def page_unsure_limit(self, kind: str | None = None) -> float | None:
        """page_unsure_max, else the calibrated one for this ledger kind (pipeline.kernel.thresholds.load_page_limit)."""
        if self.page_unsure_max is not None:
            return float(self.page_unsure_max)
        from pipeline.kernel.thresholds import load_page_limit

        return load_page_limit(self.active_thresholds_file, kind)

    @property
    def zone(self) -> tzinfo:
        """The zone `time_zone` names (checked when the settings were made): what `clock.local_time` shows in."""
        return zone_of(self.time_zone)

    @property
    def workers(self) -> int:
        """Pages read at once (page_workers; 0: one per core, at most 4)."""
        return self.page_workers or max(1, min(4, os.cpu_count() or 1))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    # ---- construction -------------------------------------------------------------
    @classmethod
    def load(cls, source: "Settings | Mapping[str, Any] | str | Path | None" = None, **overrides: Any) -> "Settings":
        """Build settings from an object, a dict, or a file path, then env, then explicit overrides."""
        problems: list[str] = []
        read: Path | None = None  # the settings file read, named where its values are wrong
        if isinstance(source, Settings):
            base: dict[str, Any] = source.to_dict()
        elif source is None:  # BACKFILL_CONFIG (a child process of `backfill ... --config FILE`), else ./backfill.toml
            named = os.environ.get("BACKFILL_CONFIG")
            default_file = Path(named) if named else Path(CONFIG_FILE_NAME)
            if named or default_file.is_file():
                base, read = _read_file(default_file, problems), default_file
            else:
                base = {}
        elif isinstance(source, (str, Path)):
            base, read = _read_file(Path(source), problems), Path(source)
        elif isinstance(source, Mapping):
            base = dict(source)
        else:
            base, problems = (
                {},
                [
                    Problem(
                        f"settings must be a table of names and values, not {_kind(source)}",
                        f"设置应为“名称 = 值”的表，不能是{_kind_zh(source)}",
                    )
                ],
            )
        base.update(_from_env())
        base.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_dict(base, problems, read)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], problems: list[str] | None = None, source: Path | None = None) -> "Settings":
        """Settings from a mapping: unknown names, values of the wrong type or out of range (and
        `problems` found before, such as a settings file that is not a table) are reported together."""
        errors = list(problems or [])
        if not isinstance(d, Mapping):
            errors.append(
                Problem(
                    f"settings must be a table of names and values, not {_kind(d)}",
                    f"设置应为“名称 = 值”的表，不能是{_kind_zh(d)}",
                )
            )
            d = {}
        known = {f.name: f for f in fields(cls)}
        errors += [Problem(f"unknown setting '{k}'", f"没有名为 '{k}' 的设置（拼写有误？）") for k in d if k not in known]
        values: dict[str, Any] = {}
        for k, v in d.items():
            if k in known:
                values[k], problem = _coerce(k, v)
                if problem:
                    errors.append(problem)
        reported = _named(errors)  # a value whose conversion failed is not reported twice
        errors += [p for p in _check_values({**_defaults(), **values}) if _named([p]) - reported]
        if errors:
            raise settings_error(errors, source)
        return cls(**values)

    # ---- crossing a process boundary (Prefect parameters, Dask workers) ----------------
    CONNECTIONS = ("db_url", "platform_url")

    def public_dict(self) -> dict[str, Any]:
        """The settings without connection strings: what may be stored as a flow's parameters.
        The receiving process takes them from its environment (see `connection_env`, `from_public`)."""
        return {k: (None if k in self.CONNECTIONS else v) for k, v in self.to_dict().items()}

    def connection_env(self) -> dict[str, str]:
        """The environment variables that carry this process's connection strings to its children."""
        env = {var: getattr(self, key) for var, key in _ENV.items() if key in self.CONNECTIONS}
        return {var: value for var, value in env.items() if value}

    @classmethod
    def from_public(cls, d: Mapping[str, Any]) -> "Settings":
        """Settings from `public_dict()`, with the connection strings of this process's environment."""
        env = _from_env()
        return cls.from_dict({**d, **{k: env.get(k) for k in cls.CONNECTIONS}})

    def with_(self, **changes: Any) -> "Settings":
        return Settings.from_dict({**self.to_dict(), **changes})


def _read_file(path: Path, problems: list[str]) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}", hint=f"找不到设置文件 {path}，请检查路径 / check the path")
    kind = "JSON" if path.suffix == ".json" else "TOML"
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as e:  # UnicodeDecodeError is a ValueError
        at = re.search(r"line (\d+),? column (\d+)", str(e))  # tomllib's "(at line 3, column 3)", json's "line 3 column 3"
        where = f"第 {at.group(1)} 行第 {at.group(2)} 列附近" if at else ""
        raise ConfigError(
            f"config file {path} is not valid: {e}",
            hint=f"设置文件 {path} 不是有效的 {kind}（UTF-8 编码）：请检查{where}的引号、等号和括号 / "
            "check the quotes, equals signs and brackets at the line and column named",
        ) from e
    except OSError as e:
        raise ConfigError(
            f"config file {path} cannot be read ({e.strerror})",
            hint=f"无法读取设置文件 {path}（权限不足？）/ the file cannot be read (permission?)",
        ) from e
    if not isinstance(data, dict):
        problems.append(
            Problem(
                f"config file {path} must hold a table of settings, not {_kind(data)}",
                f"设置文件 {path} 应为“名称 = 值”的表，不能是{_kind_zh(data)}",
            )
        )
        return {}
    return data


_ENV = {
    "BACKFILL_DATA_DIR": "data_dir",
    "BACKFILL_DB_URL": "db_url",
    "BACKFILL_PLATFORM_URL": "platform_url",
    "BACKFILL_ENGINE": "engine",
    "BACKFILL_FUNERAL_HOME": "funeral_home_code",
    "BACKFILL_AUTO_ACCEPT_THRESHOLD": "auto_accept_threshold",
}


class EnvValue(str):
    """A setting's text as it came from an environment variable (converted to its type, or reported
    naming the variable, by `_coerce`)."""

    var: str

    def __new__(cls, text: str, var: str) -> "EnvValue":
        obj = super().__new__(cls, text)
        obj.var = var
        return obj


def _from_env() -> dict[str, Any]:
    return {key: EnvValue(os.environ[var], var) for var, key in _ENV.items() if os.environ.get(var)}


# --- validation: the one place each setting's type and range is checked --------------------------------
_NUMBER = (int, float)
_UNIT = "a number within 0..1"
# name -> (what it must be, accepts(value) -> bool); ranges are checked after the type
_UNIT_ZH = "0 到 1 之间的数"
# name -> (what it must be, in English and in Chinese, accepts(value) -> bool); ranges are checked after the type
_TYPES: dict[str, tuple[str, str, Callable[[Any], bool]]] = {
    "data_dir": ("a folder path (text)", "文件夹路径（文本）", lambda v: isinstance(v, str) and v != ""),
    "db_url": (
        "a sqlite:/// or postgresql:// URL (text)",
        "sqlite:/// 或 postgresql:// 地址（文本）",
        lambda v: v is None or isinstance(v, str),
    ),
    "platform_url": (
        "a sqlite:/// or postgresql:// URL (text)",
        "sqlite:/// 或 postgresql:// 地址（文本）",
        lambda v: v is None or isinstance(v, str),
    ),
    "engine": ("an engine name (text)", "识别引擎名称（文本）", lambda v: isinstance(v, str) and v != ""),
    "engine_settings": ("a table", "一个表（[engine_settings]）", lambda v: isinstance(v, dict)),
    "layout_mode": ("'cells' or 'page'", "'cells' 或 'page'", lambda v: v in ("cells", "page")),
    "spec_version": ("a spec version (text)", "规范版本（文本）", lambda v: isinstance(v, str) and v != ""),
    "funeral_home_code": ("a funeral home code (text)", "殡仪馆代码（文本）", lambda v: v is None or isinstance(v, str)),
    "auto_accept_threshold": (_UNIT, _UNIT_ZH, lambda v: _is_number(v)),
    "field_thresholds": (
        "a table of field = number within 0..1",
        "字段 = 0 到 1 之间的数 组成的表",
        lambda v: isinstance(v, dict),
    ),
    "thresholds_file": (
        'a file path (text; "" for none)',
        '文件路径（文本；"" 表示不用）',
        lambda v: v is None or isinstance(v, str),
    ),
    "page_unsure_max": (_UNIT, _UNIT_ZH, lambda v: v is None or _is_number(v)),
    "second_read_below": (_UNIT, _UNIT_ZH, lambda v: v is None or _is_number(v)),
    "pdf_dpi": ("a whole number within 72..600", "72 到 600 之间的整数", lambda v: _is_int(v)),
    "max_image_pixels": ("a whole number of at least 1000000", "不小于 1000000 的整数", lambda v: _is_int(v)),
    "max_file_bytes": ("a whole number of at least 1", "不小于 1 的整数", lambda v: _is_int(v)),
    "max_pages_per_file": ("a whole number of at least 1", "不小于 1 的整数", lambda v: _is_int(v)),
    "keep_original_images": ("true or false", "true 或 false", lambda v: isinstance(v, bool)),
    "review_idle_minutes": ("a number of minutes within 1..1440", "1 到 1440 之间的分钟数", lambda v: _is_number(v)),
    "login_max_failures": ("a whole number within 1..100", "1 到 100 之间的整数", lambda v: _is_int(v)),
    "login_lock_minutes": ("a number of minutes within 1..1440", "1 到 1440 之间的分钟数", lambda v: _is_number(v)),
    "audit_share": (_UNIT, _UNIT_ZH, lambda v: _is_number(v)),
    "audit_min_per_volume": ("a whole number of 0 or more", "不小于 0 的整数", lambda v: _is_int(v)),
    "audit_seed": ("a whole number", "整数", lambda v: _is_int(v)),
    "audit_target": (
        "a number between 0 and 1 (both excluded)",
        "大于 0 且小于 1 的数",
        lambda v: _is_number(v) and 0.0 < v < 1.0,
    ),
    "audit_interval": ("'wilson' or 'exact'", "'wilson' 或 'exact'", lambda v: v in ("wilson", "exact")),
    "audit_escalate": ("true or false", "true 或 false", lambda v: isinstance(v, bool)),
    "audit_max_share": (_UNIT, _UNIT_ZH, lambda v: _is_number(v)),
    "auto_accept_target": (_UNIT, _UNIT_ZH, lambda v: _is_number(v)),
    "page_workers": (
        "a whole number within 0..64 (0: one per core, at most 4)",
        "0 到 64 之间的整数（0：每个处理器核一个，最多 4 个）",
        lambda v: _is_int(v),
    ),
    "time_zone": (
        'an IANA time zone name or an offset ±HH:MM (text, e.g. "Asia/Shanghai", "+08:00")',
        'IANA 时区名或 ±HH:MM 形式的时差（文本，如 "Asia/Shanghai"、"+08:00"）',
        lambda v: isinstance(v, str) and v != "",
    ),
    "local_lexicon_file": (
        'a file path (text; "" for none)',
        '文件路径（文本；"" 表示不用）',
        lambda v: v is None or isinstance(v, str),
    ),
}
_RANGES: dict[str, tuple[float, float]] = {
    "auto_accept_threshold": (0.0, 1.0),
    "page_unsure_max": (0.0, 1.0),
    "second_read_below": (0.0, 1.0),
    "pdf_dpi": (72, 600),
    "max_image_pixels": (1_000_000, float("inf")),
    "max_file_bytes": (1, float("inf")),
    "max_pages_per_file": (1, float("inf")),
    "review_idle_minutes": (1, 24 * 60),
    "login_max_failures": (1, 100),
    "login_lock_minutes": (1, 24 * 60),
    "audit_share": (0.0, 1.0),
    "audit_min_per_volume": (0, float("inf")),
    "audit_max_share": (0.0, 1.0),
    "auto_accept_target": (0.0, 1.0),
    "audit_seed": (-float("inf"), float("inf")),
    "page_workers": (0, 64),
}


def _is_number(v: Any) -> bool:
    return isinstance(v, _NUMBER) and not isinstance(v, bool) and v == v  # not NaN


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_KINDS: dict[type, tuple[str, str]] = {
    bool: ("true/false", "true/false"),
    int: ("a number", "数"),
    float: ("a number", "数"),
    str: ("text", "文本"),
    list: ("a list", "列表"),
    dict: ("a table", "表"),
    type(None): ("nothing", "空值"),
}


def _kind(v: Any) -> str:
    return _KINDS.get(type(v), (type(v).__name__,))[0]


def _sp(zh: str) -> str:
    """A Chinese wording set after a Chinese word: a space before it where it starts with a digit or a
    Latin letter (应为 0 到 1 之间的数, 应为整数)."""
    return " " + zh if zh[:1].isascii() else zh


def _kind_zh(v: Any) -> str:
    return _KINDS.get(type(v), ("", type(v).__name__))[1]


class Problem(str):
    """One problem of the settings, in English (the text itself: what logs and tests read) with its
    Chinese wording (`zh`): the CLI's hint says every problem Chinese first (ConfigError's hint)."""

    zh: str

    def __new__(cls, en: str, zh: str) -> "Problem":
        obj = super().__new__(cls, en)
        obj.zh = zh
        return obj


def settings_error(problems: list[str], source: Path | None = None) -> ConfigError:
    """The ConfigError of these problems: the English message, and a Chinese-first hint naming the
    settings file they may come from and each problem in Chinese."""
    where = f"（设置文件 {source}）" if source is not None else ""
    zh = "；".join(getattr(p, "zh", p) for p in problems)
    return ConfigError(
        "invalid settings" + (f" ({source})" if source is not None else "") + ": " + "; ".join(problems),
        hint=f"设置有误{where}：{zh}。每项设置的说明见 README 的 Configuration 一节 / see README, section Configuration",
    )


def _shown(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def _coerce(name: str, value: Any) -> tuple[Any, str | None]:
    """A value from an environment variable converted to the setting's type; (value, problem)."""
    if not isinstance(value, EnvValue):
        return value, None
    text, var = str(value), value.var
    want, want_zh, _ok = _TYPES[name]
    try:
        if name in _RANGES and "whole" in want:
            return int(text), None
        if name in _RANGES:
            return float(text), None
    except ValueError:
        return text, Problem(
            f"{name} must be {want}; {var}={_shown(text)} is not",
            f"{name} 应为{_sp(want_zh)}，环境变量 {var}={_shown(text)} 不是",
        )
    return text, None


def _named(problems: list[str]) -> set[str]:
    """The settings these problems are about (their first word, field_thresholds.x -> field_thresholds)."""
    return {p.split(" ", 1)[0].split(".", 1)[0] for p in problems}


def _defaults() -> dict[str, Any]:
    return {f.name: (f.default_factory() if f.default_factory is not MISSING else f.default) for f in fields(Settings)}


def _check(s: "Settings") -> list[str]:
    return _check_values({f.name: getattr(s, f.name) for f in fields(s)})


def _check_values(v: Mapping[str, Any]) -> list[str]:
    """Every problem of these values (type first; range only for a value of the right type)."""
    p: list[str] = []
    for name, (want, want_zh, ok) in _TYPES.items():
        value = v.get(name)
        if not ok(value):
            p.append(
                Problem(
                    f"{name} must be {want}, not {_kind(value)} {_shown(value)}",
                    f"{name} 应为{_sp(want_zh)}，不能是{_kind_zh(value)} {_shown(value)}",
                )
            )
            continue
        lo, hi = _RANGES.get(name, (None, None))
        if lo is not None and value is not None and not lo <= value <= hi:
            p.append(Problem(f"{name} must be {want}, not {_shown(value)}", f"{name} 应为{_sp(want_zh)}，不能是 {_shown(value)}"))
    zone = v.get("time_zone")
    if isinstance(zone, str) and zone:
        try:
            zone_of(zone)
        except ZoneError as e:
            p.append(Problem(f"time_zone: {e}", f"time_zone：{e.zh}"))
    thresholds = v.get("field_thresholds")
    if isinstance(thresholds, dict):
        for k, t in thresholds.items():
            if not _is_number(t) or not 0.0 <= t <= 1.0:
                p.append(
                    Problem(
                        f"field_thresholds.{k} must be {_UNIT}, not {_kind(t)} {_shown(t)}",
                        f"field_thresholds.{k} 应为{_sp(_UNIT_ZH)}，不能是{_kind_zh(t)} {_shown(t)}",
                    )
                )
    for name in ("db_url", "platform_url"):
        url = v.get(name)
        if isinstance(url, str) and not re.match(r"^(sqlite|postgresql)(\+\w+)?://", url):
            p.append(
                Problem(
                    f"{name} must be a sqlite:/// or postgresql:// URL, not {mask_url(url)!r}",
                    f"{name} 应为 sqlite:/// 或 postgresql:// 地址，不能是 {mask_url(url)!r}",
                )
            )
    return p


_SECRET_PARAM = re.compile(r"(?i)(\b(?:password|passwd|pwd|sslpassword|pass)\s*=\s*)('[^']*'|\"[^\"]*\"|[^&\s]*)")
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s'\"<>]+")


def mask_url(url: str) -> str:
    """A connection URL with every password hidden, whatever its form:
    postgresql://user:secret@host/db -> postgresql://user:***@host/db; an empty user
    (postgresql://:secret@host/db -> postgresql://:***@host/db); a password holding an unescaped '@' or
    '/' (everything up to the last '@' is the user part); a password in the query string
    (?password=secret -> ?password=***), and libpq's other secret keys (sslpassword)."""
    text = str(url)
    scheme, sep, rest = text.partition("://")
    if not sep:
        return _SECRET_PARAM.sub(r"\1***", text)
    at = rest.rfind("@")
    if at >= 0:
        user, colon, _password = rest[:at].partition(":")
        rest = user + (":***" if colon else "") + rest[at:]
    return scheme + sep + _SECRET_PARAM.sub(r"\1***", rest)


def url_secrets(url: str | None) -> list[str]:
    """The secret strings a URL holds (its password, and the pieces a parser that splits it at '@' or
    ':' would show elsewhere: a driver's 'could not resolve host "retPw@db"'), longest first."""
    if not url:
        return []
    _scheme, sep, rest = str(url).partition("://")
    found: list[str] = []
    if sep and "@" in rest:
        _user, colon, password = rest[: rest.rfind("@")].partition(":")
        if colon and password:
            found.append(password)
    found += [m.group(2).strip("'\"") for m in _SECRET_PARAM.finditer(str(url))]
    pieces = {p for secret in found for p in re.split(r"[@:/?&]", secret) if len(p) >= 4}
    return sorted(set(found) | pieces, key=len, reverse=True)


def mask_secrets(text: str, secrets: list[str] | None = None) -> str:
    """Free text (an error from a database driver, a log line) with every URL in it masked (mask_url),
    every `password=...` hidden, and each of `secrets` (url_secrets of the URL in use) replaced."""
    out = _SECRET_PARAM.sub(r"\1***", _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), str(text)))
    for secret in secrets or ():
        if secret:
            out = out.replace(secret, "***")
    return out


def driver_error_text(err: object, url: str | None) -> str:
    """A database driver's error on one line (psycopg writes its hints on lines of their own:
    '...refused\n\tIs the server running...'), every secret of `url` masked (mask_secrets)."""
    return mask_secrets(" ".join(str(err).split()), url_secrets(url))
