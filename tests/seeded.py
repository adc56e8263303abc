"""A working store seeded once for a test module and copied for each test: seeding (records, users with
argon2 password hashes) costs seconds a test, copying the folder a few milliseconds, and each test still
works on a store of its own."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from pipeline.kernel.config import Settings
from pipeline.kernel.store import Store

T = TypeVar("T")


def seed_once(tmp_path_factory: pytest.TempPathFactory, name: str, seed: Callable[[Store, Settings], T]) -> tuple[Path, T]:
    """A data folder whose SQLite working store `seed(store, settings)` filled: (the folder, what seed gave)."""
    data = tmp_path_factory.mktemp(name) / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BACKFILL_DATA_DIR", str(data))
        mp.delenv("BACKFILL_DB_URL", raising=False)
        settings = Settings.load()
        store = Store.open(settings)
        try:
            made = seed(store, settings)
        finally:
            store.dispose()
    return data, made


def open_copy(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, Settings]:
    """The seeded folder copied to tmp_path/data and made this test's data folder: (its store, settings)."""
    data = tmp_path / "data"
    shutil.copytree(seeded, data)
    monkeypatch.setenv("BACKFILL_DATA_DIR", str(data))
    monkeypatch.delenv("BACKFILL_DB_URL", raising=False)
    settings = Settings.load()
    return Store.open(settings), settings
