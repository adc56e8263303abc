"""Paths the program builds from outside input (file names, image ids from the database, symlinks in a
scan folder) stay inside the folder they belong to. One place for these checks.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote_to_bytes

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


# --- names from the file system: decoded for people, kept exact for reading -------------------------
_FS_PREFIX = "fsbytes:"


def fs_name(name: "str | Path") -> str:
    """How a file name found on disk is stored and shown: UTF-8 as it is; else GB18030 (the superset of
    GBK, what Windows shares of Chinese archives write, e.g. b'vol\\xb6\\xe0.jpg' -> 'vol多.jpg') where the
    bytes are valid in it; else the undecodable bytes escaped as \\xNN. Never a surrogate: the result can
    be written to any database and printed on any terminal."""
    raw = os.fsencode(name)
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="backslashreplace")


def path_for_db(path: "str | Path") -> str:
    """A file system path as text a database can hold and `path_from_db` turns back into the same
    bytes: itself when it is valid Unicode, else `fsbytes:` and the path's bytes percent-encoded."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _FS_PREFIX + quote_from_bytes(os.fsencode(text), safe="/")


def path_from_db(text: str) -> Path:
    if text.startswith(_FS_PREFIX):
        return Path(os.fsdecode(unquote_to_bytes(text[len(_FS_PREFIX) :])))
    return Path(text)


_PLAIN_NAME = re.compile(r'[^\\"\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]*')


def shown(name: str) -> str:
    """A name (file, folder) as printed in a summary, a log line or an error: as it is when plain;
    quoted, with control and invisible-direction characters escaped (\\n, \\x1b, \\u202e), when it holds
    any of those, a quote, a backslash, ': ' or spaces at its ends. So a name can never write a line
    of its own into a summary, nor pass for a field separator."""
    if _PLAIN_NAME.fullmatch(name) and ": " not in name and name == name.strip():
        return name
    out = []
    for ch in name:
        if ch in '\\"':
            out.append("\\" + ch)
        elif _PLAIN_NAME.fullmatch(ch):
            out.append(ch)
        else:
            out.append(
                {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch)
                or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
            )
    return '"' + "".join(out) + '"'


def display_width(text: str) -> int:
    """Terminal columns a text takes: a wide or full-width character (Chinese) takes two. For tables
    (`backfill status`) and help text (pipeline.cli.words) that line up in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def padded(text: str, width: int, right: bool = False) -> str:
    """`text` padded with spaces to `width` terminal columns (display_width), on the left where `right`
    (a figure); a text already as wide or wider is left as it is. The one padding of the CLI's tables."""
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


# --- files that hold personal data: readable by their owner only ---------------------------------------
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: "str | Path") -> Path:
    """Make a folder that holds personal data (the data folder, an exchange package), owner-only (0700):
    created so, or narrowed when this process created it just now. Parents are made as usual."""
    p = Path(path)
    if not p.is_dir():
        p.parent.mkdir(parents=True, exist_ok=True)
        try:
            p.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            return p
        os.chmod(p, PRIVATE_DIR)  # mkdir's mode is cut by the umask; say it exactly
    return p


def private_file(path: "str | Path", mode: str = "w", **kwargs):
    """Open a file that will hold personal data (an export, a package file) for writing, created
    owner-only (0600) before a byte is written; an existing file is narrowed to 0600 too."""
    p = Path(path)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def shown_text(text: str) -> str:
    """A message for one line: control characters escaped (\\n, \\x1b), the rest as it is."""
    return "".join(
        ch
        if _PLAIN_NAME.fullmatch(ch) or ch in '\\"'
        else {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        for ch in str(text)
    )


def require_scan_folder(path: Path) -> None:
    """The scans folder given to `backfill run` or to a run launched from the review app: a mistyped
    path says "no such folder", a single file "a file, not a folder", each with a Chinese-first hint.
    The one wording of both (review_app.i18n ERRORS words them in the reader's language)."""
    from pipeline.kernel.errors import BackfillError

    if not path.exists():
        raise BackfillError(
            f"{shown(fs_name(path))}: no such folder",
            hint="找不到该文件夹，请检查路径 / check the path: give the folder that holds the scanned ledgers",
        )
    if not path.is_dir():
        raise BackfillError(
            f"{shown(fs_name(path))}: a file, not a folder",
            hint="请给出存放扫描件的文件夹，而不是单个文件 / give the folder that holds the scans, not one file",
        )
