"""Paths the program builds from outside input (file names, image ids from the database, symlinks in a
scan folder) stay inside the folder they belong to. One place for these checks.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

_SHA256 = re.compile(r"[0-9a-f]{64}")
_UNSAFE = re.compile(r"[^\w.\-]+")


def is_sha256(value: object) -> bool:
    """True for a lowercase hex sha256 (how page images are named on disk)."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def safe_file_name(name: str, max_chars: int = 100) -> str:
    """A file name that is one plain path component: no separators, no leading dots, no shell
    metacharacters, no spaces; letters of any script are kept (烟台殡仪馆 stays readable)."""
    safe = _UNSAFE.sub("_", name).lstrip(".") or "_"
    if len(safe) > max_chars:
        stem, dot, ext = safe.rpartition(".")
        ext = ext[:10] if dot else ""
        safe = (stem if dot else safe)[: max_chars - len(ext) - 1] + ("." + ext if ext else "")
    return safe


def inside(base: Path, path: Path) -> bool:
    """Whether `path`, with every symlink resolved, lies inside `base` (resolved too)."""
    try:
        return Path(path).resolve().is_relative_to(Path(base).resolve())
    except (OSError, RuntimeError):  # a symlink loop, a vanished file
        return False


def private_dir(path: Path) -> Path:
    """A folder for files holding personal data: made if missing, readable by its owner only (0700)."""
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True, mode=0o700)
    p.chmod(0o700)
    return p


def open_private(path: Path, mode: str = "w", **kwargs):
    """Open a file holding personal data for writing, readable by its owner only (0600) from the
    moment it exists (created with that mode; an existing file is narrowed before it is written)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, mode, **kwargs)
