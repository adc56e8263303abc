"""One settings object, validated once; accepted as object, dict or path (TOML or JSON).

Precedence: explicit arguments > environment (BACKFILL_*) > config file > defaults.
Connection strings come from here only, never from code; they are masked when printed.
"""
from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from pipeline.errors import ConfigError

DEFAULT_DATA_DIR = "backfill-data"
CONFIG_FILE_NAME = "backfill.toml"


@dataclass(frozen=True)
class Settings:
    data_dir: str = DEFAULT_DATA_DIR
    db_url: str | None = None          # working store; default: SQLite file in data_dir
    # provincial platform DB; default: SQLite file in data_dir. Its password: in this URL from
    # BACKFILL_PLATFORM_URL or the config file, or left out of it for libpq (~/.pgpass, PGPASSWORD)
    platform_url: str | None = None
    engine: str = "ppocr"              # main OCR engine
    engine_settings: dict[str, Any] = field(default_factory=dict)
    layout_mode: str = "cells"         # "cells": recognize each cell's crop; "page": whole-page OCR, boxes to cells
    spec_version: str = "mzt141-draft-0"
    funeral_home_code: str | None = None  # used when the ledger title names no known home
    auto_accept_threshold: float = 0.90   # a field below this sends its record to review
    field_thresholds: dict[str, float] = field(default_factory=dict)  # per-field overrides
    # calibrated per-field thresholds (bench/bench_calibration.py): None = the packaged
    # mapping/data/thresholds.json, "" = none (auto_accept_threshold for every field), or a path
    thresholds_file: str | None = None
    # a page whose share of written cells read less sure than 0.99 exceeds this sends all its records
    # to review; None: the calibrated limit of the thresholds file (none if it has none)
    page_unsure_max: float | None = None
    # a text line read less sure than this is read a second time (engine agreement); None: never
    second_read_below: float | None = 0.99
    # pages read at once by one process (a thread each, every OCR network on one thread): 2 uses
    # both cores of a 2-core machine; 0: as many as the machine has cores, at most 4
    page_workers: int = 0
    pdf_dpi: int = 200
    max_image_pixels: int = 80_000_000    # hard pixel limit per page (decompression bombs)
    max_file_bytes: int = 2_000_000_000
    keep_original_images: bool = True

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

    def threshold_for(self, field_name: str) -> float:
        """This setting's field_thresholds, else the calibrated threshold, else auto_accept_threshold."""
        if field_name in self.field_thresholds:
            return self.field_thresholds[field_name]
        from pipeline.calibration import load_thresholds

        return load_thresholds(self.thresholds_file).get(field_name, self.auto_accept_threshold)

    def page_unsure_limit(self, kind: str | None = None) -> float | None:
        """page_unsure_max, else the calibrated one for this ledger kind (pipeline.calibration.load_page_limit)."""
        if self.page_unsure_max is not None:
            return float(self.page_unsure_max)
        from pipeline.calibration import load_page_limit

        return load_page_limit(self.thresholds_file, kind)

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
        if isinstance(source, Settings):
            base: dict[str, Any] = source.to_dict()
        elif source is None:
            default_file = Path(CONFIG_FILE_NAME)
            base = _read_file(default_file) if default_file.is_file() else {}
        elif isinstance(source, (str, Path)):
            base = _read_file(Path(source))
        else:
            base = dict(source)
        base.update(_from_env())
        base.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_dict(base)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Settings":
        known = {f.name for f in fields(cls)}
        errors = [f"unknown setting '{k}'" for k in d if k not in known]
        values = {k: v for k, v in d.items() if k in known}
        s = cls(**values)
        errors += s._problems()
        if errors:
            raise ConfigError("invalid settings: " + "; ".join(errors), hint="see README, section Configuration")
        return s

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

    def _problems(self) -> list[str]:
        p: list[str] = []
        if not 0.0 <= float(self.auto_accept_threshold) <= 1.0:
            p.append("auto_accept_threshold must be within 0..1")
        for k, v in self.field_thresholds.items():
            if not 0.0 <= float(v) <= 1.0:
                p.append(f"field_thresholds.{k} must be within 0..1")
        if self.second_read_below is not None and not 0.0 <= float(self.second_read_below) <= 1.0:
            p.append("second_read_below must be within 0..1")
        if not 72 <= int(self.pdf_dpi) <= 600:
            p.append("pdf_dpi must be within 72..600")
        if int(self.max_image_pixels) < 1_000_000:
            p.append("max_image_pixels must be at least 1000000")
        for name in ("db_url", "platform_url"):
            url = getattr(self, name)
            if url is not None and not re.match(r"^(sqlite|postgresql)(\+\w+)?://", url):
                p.append(f"{name} must be a sqlite:/// or postgresql:// URL")
        if not isinstance(self.page_workers, int) or not 0 <= self.page_workers <= 64:
            p.append("page_workers must be a whole number within 0..64 (0: one per core, at most 4)")
        if self.layout_mode not in ("cells", "page"):
            p.append("layout_mode must be 'cells' or 'page'")
        if not isinstance(self.engine_settings, dict):
            p.append("engine_settings must be a table")
        return p


def _read_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        if path.suffix == ".json":
            return json.loads(path.read_text(encoding="utf-8"))
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (ValueError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"config file {path} is not valid: {e}") from e


_ENV = {
    "BACKFILL_DATA_DIR": "data_dir",
    "BACKFILL_DB_URL": "db_url",
    "BACKFILL_PLATFORM_URL": "platform_url",
    "BACKFILL_ENGINE": "engine",
    "BACKFILL_FUNERAL_HOME": "funeral_home_code",
    "BACKFILL_AUTO_ACCEPT_THRESHOLD": "auto_accept_threshold",
}


def _from_env() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for var, key in _ENV.items():
        if os.environ.get(var):
            val: Any = os.environ[var]
            if key == "auto_accept_threshold":
                val = float(val)
            out[key] = val
    return out


def mask_url(url: str) -> str:
    """postgresql://user:secret@host/db -> postgresql://user:***@host/db"""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
