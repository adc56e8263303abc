"""Rolls handed over by other departments (低保, pensions, household and marriage registers), read
for the cross-registry check (pipeline.crosscheck.check).

A roll is a CSV file (UTF-8 or GB 18030, the encoding Chinese Excel saves in; comma, tab, semicolon
or bar separated) or an Excel workbook (.xlsx, every worksheet whose header is recognized). Its
columns are recognized from their Chinese headers the way ledger headers are (mapping.headers,
wordings in mapping/data/roll_headers.json); a header that is not recognized can be named on the
command line or in a small TOML file. A title line above the header is skipped; a marriage record
naming both parties (男方… / 女方…) gives two entries.

It is read chunk by chunk (CHUNK_ROWS entries), never whole. Every value is normalized as the
ledgers' values are (mapping.normalize: 15-digit IDs converted, check digits tested), and nothing
is guessed: a value that cannot be read exactly (an ID failing its check digit, an ID Excel kept as
a number and rounded, a date that could mean two days) is left out of the comparison or compared
only as written, and its row is listed by file:line with the reason, never with the value.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import json
import pickle
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from mapping.dedupe import _id_matrix, _raw_id18, date_ints, text_hash
from mapping.hanzi import canonical, pinyin_key
from mapping.headers import best_score, clean_header, pair_columns, wording_scores, wordings_of
from mapping.normalize import (
    ID_CHECK,
    ID_WEIGHTS,
    MAX_YEAR,
    MIN_YEAR,
    normalize_date,
    normalize_id_number,
    normalize_name,
    normalize_year_month,
)
from mapping.spec import DATA_DIR
from pipeline.kernel.errors import ConfigError, InputFileError

KINDS = {
    "dibao": "最低生活保障（低保）名册",
    "pension": "养老金领取名册",
    "hukou": "户籍人口名册",
    "marriage": "婚姻登记名册",
    "other": "其他名册",
}
PAYMENT_KINDS = frozenset({"dibao", "pension"})
FIELDS = ("id_number", "name", "sex", "birth_date", "address", "division", "roll_key", "last_date", "status_date", "status")
SHARED = ("roll_key", "last_date", "status_date", "status")  # a marriage record's fields of the record, not of a party
CHUNK_ROWS = 200_000
HEADER_SEARCH_ROWS = 20  # the header is looked for in this many first rows (titles above it)
MIN_HEADER_SCORE = 0.65  # as for ledger headers (mapping/data/mzt141-draft-0.json rules.min_header_score)
SIDE_NAMES = {0: "", 1: "男方", 2: "女方"}
_NUMBER = "\ufffe数字"  # a worksheet cell holding a non-integral number (no text can contain U+FFFE)


class RollError(InputFileError):
    """A roll that cannot be read at all (unknown format, corrupt workbook, no header found)."""

    reason = "roll"


@lru_cache(maxsize=1)
def roll_headers() -> dict[str, Any]:
    return json.loads((DATA_DIR / "roll_headers.json").read_text(encoding="utf-8"))


def field_label(name: str) -> str:
    return roll_headers()["fields"][name]["label"]


@lru_cache(maxsize=1)
def _wordings() -> tuple[tuple[str, str], ...]:
    return wordings_of({f: v["synonyms"] for f, v in roll_headers()["fields"].items()})


@lru_cache(maxsize=1)
def _ignored() -> tuple[tuple[str, str], ...]:
    return wordings_of({"_": roll_headers()["ignored"]})


def _split_side(h: str) -> tuple[int, str]:
    for prefix, side in roll_headers()["side_prefixes"].items():
        if h.startswith(prefix) and len(h) > len(prefix):
            return int(side), h[len(prefix) :]
    return 0, h


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RollOptions:
    """How to read a roll where its own headers do not say: `columns` maps a field (`name`, or
    `男方.name` for a party of a marriage record) to the header text of its column, "" for "the
    roll has no such column"; `header_row` is the 1-based line (row) of the header."""

    columns: Mapping[str, str] = field(default_factory=dict)
    header_row: int | None = None
    sheet: str | None = None
    encoding: str | None = None

    @classmethod
    def load(
        cls,
        mapping_file: str | Path | None = None,
        column_args: Sequence[str] = (),
        *,
        sheet: str | None = None,
        encoding: str | None = None,
        header_row: int | None = None,
    ) -> "RollOptions":
        """The mapping file (TOML: a [columns] table; header_row, sheet, encoding), then the
        command line's FIELD=HEADER pairs over it. Every problem is reported at once."""
        problems: list[str] = []
        data: dict[str, Any] = {}
        if mapping_file:
            p = Path(mapping_file)
            try:
                data = tomllib.loads(p.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
                raise ConfigError(
                    f"{p}: cannot read the column mapping ({e})",
                    hint='请给出含 [columns] 表的 TOML 文件 / a TOML file with a [columns] table, e.g. name = "对象姓名"',
                ) from e
            unknown = set(data) - {"columns", "header_row", "sheet", "encoding"}
            if unknown:
                problems.append(f"{p}: unknown setting(s) {', '.join(sorted(unknown))}")
        columns = dict(data.get("columns") or {})
        for arg in column_args:
            name, eq, header = arg.partition("=")
            if not eq:
                problems.append(f"--column {arg!r}: write FIELD=HEADER (e.g. name=对象姓名, or last_date= for none)")
                continue
            columns[name.strip()] = header.strip()
        for name, header in columns.items():
            _side, _dot, fname = name.rpartition(".")
            if fname not in FIELDS or (_side and _side not in roll_headers()["side_prefixes"]):
                problems.append(
                    f"column mapping: unknown field {name!r} (fields: {', '.join(FIELDS)}; "
                    "a marriage record's parties: 男方.name, 女方.id_number …)"
                )
            if not isinstance(header, str):
                problems.append(f"column mapping: {name} must name a header as text")
        hr = header_row if header_row is not None else data.get("header_row")
        if hr is not None and (not isinstance(hr, int) or hr < 1):
            problems.append("header_row: a line number from 1")
        if problems:
            raise ConfigError("; ".join(problems), hint="可用的字段 fields：" + ", ".join(FIELDS))
        return cls(columns, hr, sheet or data.get("sheet"), encoding or data.get("encoding"))


@dataclass
class Section:
    """One table of a roll: the CSV file, or one worksheet."""

    sheet: str | None
    header_line: int
    headers: list[str]
    fields: dict[int, dict[str, int]]  # side -> field -> column index
    unrecognized: list[str]  # headers that name no field (kept out of the check)

    def mapping(self) -> dict[str, str]:
        return {
            (f"{SIDE_NAMES[side]}." if side else "") + f: self.headers[c]
            for side, fs in sorted(self.fields.items())
            for f, c in fs.items()
        }


@dataclass
class RollLayout:
    path: Path
    format: str  # csv / xlsx
    encoding: str | None
    delimiter: str | None
    sections: list[Section]
    skipped_sheets: list[str] = field(default_factory=list)

    def missing(self, kind: str) -> list[str]:
        """What the roll lacks for a full check, in words (the check still runs)."""
        out = []
        for sec in self.sections:
            where = f"工作表 {sec.sheet}：" if sec.sheet else ""
            for side, fs in sec.fields.items():
                party = SIDE_NAMES[side]
                if "birth_date" not in fs and "id_number" not in fs:
                    out.append(f"{where}{party}无出生日期列，也无身份证号列：无身份证号的人员无法比对")
                if "address" not in fs and "division" not in fs:
                    out.append(f"{where}{party}无地址列：无身份证号的人员只能按姓名和出生日期比对，地点不详")
            shared = sec.fields.get(0, {}) if 0 in sec.fields else next(iter(sec.fields.values()), {})
            if kind in PAYMENT_KINDS and "last_date" not in shared and "status_date" not in shared:
                out.append(f"{where}无最后发放日期列：只能报告仍在名册中，无法计算死亡后发放的月数")
        return out


@dataclass(frozen=True)
class BadRow:
    where: str  # file:line (file:sheet!row in a workbook), the party of a marriage record after it
    line: int
    reason: str  # in words, never the value
    checked: bool  # the entry was still checked on its other fields


@dataclass
class RollKeys:
    """What blocking reads of a chunk of entries (`cross_keys`, `CrossIndex.pairs`): the columns
    of `roll_table` the keys are made of, computed as `DedupeTable.from_columns` computes them,
    and nothing else. The whole table is built only for the entries that block with a deceased
    (a few in a hundred), not for every entry of the roll. Made where the chunk is read (in the
    reader process, beside the matching)."""

    ids: np.ndarray  # (n, 18) uint8 digits (X = 10)
    has_id: np.ndarray
    id_valid: np.ndarray
    canon_hash: np.ndarray  # int64 hash of the folded name, -1 without a name
    pinyin_hash: np.ndarray  # int64 hash of the name's toneless reading, -1 without a name
    birth: np.ndarray  # int32 yyyymmdd, 0 missing

    def __len__(self) -> int:
        return len(self.has_id)

    @classmethod
    def of(cls, e: Entries) -> "RollKeys":
        n = len(e)
        ids_text = [v if v else _raw_id18(r) for v, r in zip(e.id_number, e.id_raw)] if any(e.id_raw) else e.id_number
        ids, has = _id_matrix(ids_text)
        valid = np.fromiter(map(bool, e.id_number), dtype=bool, count=n) & has
        code, uniq = pd.factorize(pd.Series(e.name, dtype="object"), use_na_sentinel=True)
        canon = np.r_[text_hash([canonical(u) for u in uniq]), -1].astype(np.int64)
        reading = np.r_[text_hash([pinyin_key(u) for u in uniq]), -1].astype(np.int64)
        return cls(ids, has, valid, canon[code], reading[code], date_ints(e.birth_date))


@dataclass
class Entries:
    """A chunk of roll entries, normalized, as columns. Address, division, roll key and status are
    the roll's text as written (stripped when a hit is kept); they are never compared in bulk."""

    layout: RollLayout
    section: np.ndarray  # int16: index into layout.sections
    line: np.ndarray  # int64
    side: np.ndarray  # int8
    name: list[str | None]
    id_number: list[str | None]  # 18 digits, check digit holds (15-digit numbers converted)
    id_raw: list[str | None]  # 18 characters whose check digit fails: compared digit by digit, never corrected
    id_from_15: np.ndarray  # bool: converted from a 15-digit number (which has no check digit)
    id_written: list[Any]  # the number as the roll writes it
    birth_date: list[str | None]  # ISO
    birth_from_id: np.ndarray  # bool: no birth date column value, taken from the ID's digits 7-14
    sex: list[str | None]  # "1" / "2"
    address: list[Any]
    division: list[Any]  # a 6-digit division code, or a place name as written
    roll_key: list[Any]
    last_date: list[str | None]  # YYYY-MM-DD, or YYYY-MM where the roll gives months
    status_date: list[str | None]
    status: list[Any]
    keys: RollKeys | None = None  # blocking keys (read_entries makes them)

    def __len__(self) -> int:
        return len(self.line)

    def where(self, i: int) -> str:
        return _where(self.layout, self.layout.sections[int(self.section[i])], int(self.line[i]), int(self.side[i]))

    def __getstate__(self) -> dict[str, Any]:
        """For the queue from the reader process: each text column as one joined string (pickling
        200 000 separate strings per column cost more than normalizing them)."""
        state = dict(self.__dict__)
        for k in _TEXT_COLUMNS:
            state[k] = _pack(state[k])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k in _TEXT_COLUMNS:
            state[k] = _unpack(state[k])
        self.__dict__.update(state)

    def values(self, i: int) -> dict[str, Any]:
        """One entry as kept with a hit (the roll's own data of that person)."""
        out = {
            "name": self.name[i],
            "id_number": self.id_number[i] or self.id_raw[i],
            "id_written": text_of(self.id_written[i]),
            "birth_date": self.birth_date[i],
            "birth_from_id": bool(self.birth_from_id[i]),
            "sex": self.sex[i],
            "address": text_of(self.address[i]),
            "division": text_of(self.division[i]),
            "roll_key": text_of(self.roll_key[i]),
            "last_date": self.last_date[i],
            "status_date": self.status_date[i],
            "status": text_of(self.status[i]),
        }
        return {k: v for k, v in out.items() if v not in (None, "", False)}


# ---------------------------------------------------------------------------------------------
def detect_encoding(path: Path, sample_bytes: int = 1 << 20) -> str:
    """UTF-8 (with or without BOM) when the first megabyte decodes as UTF-8, else GB 18030 (what
    Chinese Windows and Excel save CSV in; a superset of GBK and GB 2312)."""
    with open(path, "rb") as f:
        head = f.read(sample_bytes)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def _recognize(headers: Sequence[str], columns: Mapping[str, str]) -> tuple[dict[int, dict[str, int]], list[str], int]:
    """side -> field -> column of one header row; the headers left unrecognized; how many fields."""
    cleaned = [clean_header(str(h or "")) for h in headers]
    forced: dict[tuple[int, str], int | None] = {}
    problems = []
    for name, header in columns.items():
        prefix, _dot, fname = name.rpartition(".")
        side = int(roll_headers()["side_prefixes"][prefix]) if prefix else 0
        if header == "":
            forced[(side, fname)] = None
            continue
        want = clean_header(header)
        hits = [i for i, c in enumerate(cleaned) if c == want]
        if len(hits) != 1:
            problems.append((name, header, len(hits)))
            continue
        forced[(side, fname)] = hits[0]
    if problems:
        return {}, [], -len(problems)

    def scores(h: str):
        side, rest = _split_side(h)
        return [(f"{side}:{n}", sc, w) for n, sc, w in _field_scores(rest)]

    taken = {c for c in forced.values() if c is not None}
    names = [h if i not in taken else "" for i, h in enumerate(headers)]
    matches = pair_columns(
        [str(n or "") for n in names], scores, MIN_HEADER_SCORE, ignored=lambda h: best_score(_ignored(), _split_side(h)[1])
    )
    fields: dict[int, dict[str, int]] = {}
    for m in matches:
        if m.field is None:
            continue
        side_s, fname = m.field.split(":")
        if (int(side_s), fname) in forced:
            continue
        fields.setdefault(int(side_s), {})[fname] = m.index
    for (side, fname), col in forced.items():
        if col is not None:
            fields.setdefault(side, {})[fname] = col
        elif fname in fields.get(side, {}):
            del fields[side][fname]
    if len(fields) > 1 and 0 in fields:  # a marriage record: the record's own fields go with both parties
        shared = fields.pop(0)
        for side in fields:
            for fname, col in shared.items():
                fields[side].setdefault(fname, col)
    used = {c for fs in fields.values() for c in fs.values()}
    unrecognized = [
        str(h)
        for i, h in enumerate(headers)
        if i not in used and str(h or "").strip() and best_score(_ignored(), _split_side(cleaned[i])[1]) < 1.0
    ]
    n = sum(len(fs) for fs in fields.values())
    if not any("name" in fs or "id_number" in fs for fs in fields.values()):
        n = 0
    return fields, unrecognized, n


def _field_scores(h: str):
    return wording_scores(_wordings(), h)


def _find_header(rows: list[tuple[int, list[Any]]], options: RollOptions, where: str) -> tuple[int, Section] | None:
    """(line, section) of the header row: the given one, else the row naming the most fields."""
    best: tuple[int, int, dict, list] | None = None
    for i, (line, cells) in enumerate(rows):
        if options.header_row is not None and line != options.header_row:
            continue
        fields, unrec, n = _recognize([_plain(c) for c in cells], options.columns)
        if n > 0 and (best is None or n > best[1]):  # a row lacking a header the mapping names is no header
            best = (i, n, fields, unrec)
    if best is None:
        return None
    i, _n, fields, unrec = best
    line, cells = rows[i]
    return line, Section(None, line, [_plain(c) for c in cells], fields, unrec)


def _no_header(p: Path, options: RollOptions, where: str) -> Exception:
    named = [f"{k}={v}" for k, v in options.columns.items() if v]
    if named:
        return ConfigError(
            f"{p.name}: no row among the first {HEADER_SEARCH_ROWS} of {where} holds every header the "
            f"column mapping names, each once ({', '.join(named)})",
            hint="请按名册上印的样子一字不差地写表头 / write the header exactly as the roll prints it",
        )
    return RollError(
        str(p),
        f"no header naming a name or ID column (姓名, 公民身份号码 / 身份证号 …) in the first "
        f"{HEADER_SEARCH_ROWS} rows of {where}",
        reason="no_header",
        hint="请用 --column 字段=表头 或 --mapping 文件指明各列，或用 --header-row N 给出表头所在行 / name the columns with "
        "--column FIELD=HEADER or a --mapping file, or give --header-row N",
    )


def _plain(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


_TEXT_COLUMNS = (
    "name",
    "id_number",
    "id_raw",
    "id_written",
    "birth_date",
    "sex",
    "address",
    "division",
    "roll_key",
    "last_date",
    "status_date",
    "status",
)
_SEP, _NONE = "\x00", "\x01"


@dataclass(frozen=True)
class _Packed:
    """A column of texts (and Nones) as one string: values joined by NUL, None written as SOH."""

    n: int
    text: str


def _pack(col: list[Any]) -> list[Any] | _Packed:
    """`col` as a _Packed when every value is a text or None and none holds NUL or SOH (then the
    joined string splits back into exactly these values); else `col` itself."""
    nones = col.count(None)
    try:
        text = _SEP.join([_NONE if v is None else v for v in col] if nones else col)
    except TypeError:  # a value that is not a text
        return col
    if text.count(_SEP) != max(len(col) - 1, 0) or text.count(_NONE) != nones:
        return col
    return _Packed(len(col), text)


def _unpack(col: list[Any] | _Packed) -> list[Any]:
    if not isinstance(col, _Packed):
        return col
    if not col.n:
        return []
    vals = col.text.split(_SEP)
    return [None if v == _NONE else v for v in vals] if _NONE in col.text else vals


# ---------------------------------------------------------------------------------------------
@dataclass
class Batch:
    """Data rows of one section, at most CHUNK_ROWS of them: their lines and their cells."""

    section: Section
    lines: list[int]
    rows: list[list[Any]]


def open_roll(
    path: str | Path, options: RollOptions = RollOptions(), *, chunk_rows: int = CHUNK_ROWS
) -> tuple[RollLayout, Iterator[Batch]]:
    """The roll's layout (sections and their columns) and an iterator over its data rows in
    batches of at most `chunk_rows`. Raises RollError when nothing of it can be read."""
    p = Path(path)
    if not p.is_file():
        raise RollError(str(p), "no such file", hint="请给出名册的 CSV 或 .xlsx 文件 / give the roll's CSV or .xlsx file")
    if p.stat().st_size == 0:
        raise RollError(str(p), "the file is empty", reason="empty_file")
    with open(p, "rb") as f:
        magic = f.read(8)
    if magic.startswith(b"PK\x03\x04") or p.suffix.lower() in (".xlsx", ".xlsm"):
        return _open_xlsx(p, options, chunk_rows)
    if magic.startswith(b"\xd0\xcf\x11\xe0") or p.suffix.lower() == ".xls":
        raise RollError(
            str(p),
            "an old Excel 97-2003 workbook (.xls)",
            reason="unsupported",
            hint="请用 Excel 或 WPS 打开并另存为 .xlsx（或 CSV）后再核查 / open it in Excel or WPS and save it as .xlsx (or CSV), "
            "then check that file",
        )
    return _open_csv(p, options, chunk_rows)


@dataclass(frozen=True)
class _Unreadable:
    why: str


_BREAKS = re.compile(r"\r\n|\r|\n")


def _csv_batches(
    reader, section: Section, first: list[tuple[int, list[Any]]], last_line: int, chunk_rows: int
) -> Iterator[Batch]:
    """Batches of a CSV reader's rows with the line each starts on. Rows are taken a batch at a
    time; lines are counted from the reader's own line count, and only where a batch holds a value
    spanning several lines are its rows' lines counted one by one."""
    for k in range(0, len(first), chunk_rows):
        part = first[k : k + chunk_rows]
        yield Batch(section, [ln for ln, _ in part], [r for _, r in part])
    start = last_line + 1
    while True:
        rows: list[list[Any]] = []
        error: str | None = None
        try:
            for r in itertools.islice(reader, chunk_rows):
                rows.append(r)
        except csv.Error as e:
            error = str(e)
        if not rows and error is None:
            return
        end = reader.line_num
        n_lines = end - start + 1 - (1 if error is not None else 0)
        if n_lines == len(rows):
            lines = list(range(start, start + len(rows)))
        else:  # values holding line breaks: each row starts after the breaks of the rows before it
            extra = [sum(len(_BREAKS.findall(v)) for v in r) for r in rows]
            lines = (start + np.arange(len(rows)) + np.r_[0, np.cumsum(extra)[:-1]]).astype(int).tolist() if rows else []
        if error is not None:
            lines.append(end)
            rows.append([_Unreadable(error)])
        yield Batch(section, lines, rows)
        start = end + 1


def _open_csv(p: Path, options: RollOptions, chunk_rows: int):
    encoding = options.encoding or detect_encoding(p)
    try:
        codecs.lookup(encoding)
    except LookupError as e:
        raise ConfigError(f"unknown encoding {encoding!r}", hint="编码应为 utf-8 或 gb18030 / utf-8 or gb18030") from e
    f = open(p, encoding=encoding, errors="replace", newline="")
    sample = f.read(65536)
    f.seek(0)
    delim = _delimiter(sample)
    reader = csv.reader(f, delimiter=delim)
    head: list[tuple[int, list[Any]]] = []
    last = 0
    while len(head) < max(HEADER_SEARCH_ROWS, options.header_row or 0):
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            head.append((last + 1, [_Unreadable(str(e))]))
            last = reader.line_num
            continue
        head.append((last + 1, row))
        last = reader.line_num
    found = _find_header([(ln, r) for ln, r in head if not (r and isinstance(r[0], _Unreadable))], options, p.name)
    if found is None:
        f.close()
        raise _no_header(p, options, "the file")
    header_line, section = found
    layout = RollLayout(p, "csv", encoding, delim, [section])

    def batches() -> Iterator[Batch]:
        try:
            yield from _csv_batches(reader, section, [(ln, r) for ln, r in head if ln > header_line], last, chunk_rows)
        finally:
            f.close()

    return layout, batches()


def _open_xlsx(p: Path, options: RollOptions, chunk_rows: int):
    import zipfile

    try:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError as e:  # pragma: no cover - a dependency of the project
        raise RollError(str(p), "reading .xlsx needs the openpyxl package", reason="unsupported") from e
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
        raise RollError(
            str(p),
            f"not a readable .xlsx workbook ({type(e).__name__})",
            reason="corrupt",
            hint="请用 Excel 或 WPS 打开后重新另存为 .xlsx，或导出为 CSV / open it in Excel or WPS and save it again as .xlsx, "
            "or export it as CSV",
        ) from e
    names = list(wb.sheetnames)
    if options.sheet is not None and options.sheet not in names:
        wb.close()
        raise ConfigError(f"{p.name}: no worksheet {options.sheet!r} (it has: {', '.join(names)})")
    sections: list[tuple[Section, list[tuple[int, list[Any]]], Any, int]] = []
    skipped: list[str] = []
    for name in [options.sheet] if options.sheet else names:
        ws = wb[name]
        it = ws.iter_rows(values_only=True)
        head: list[tuple[int, list[Any]]] = []
        for n, row in enumerate(it, start=1):
            head.append((n, list(row)))
            if n >= max(HEADER_SEARCH_ROWS, options.header_row or 0):
                break
        found = _find_header(head, options, f"{p.name}:{name}")
        if found is None:
            if any(any(_plain(c) for c in cells) for _, cells in head):
                skipped.append(name)
            continue
        header_line, section = found
        section.sheet = name
        sections.append((section, [(ln, r) for ln, r in head if ln > header_line], it, len(head)))
    if not sections:
        wb.close()
        raise _no_header(p, options, "any worksheet")
    layout = RollLayout(p, "xlsx", None, None, [s for s, *_ in sections], skipped)

    def batches() -> Iterator[Batch]:
        try:
            for section, rest, it, n_head in sections:
                numbered = itertools.chain(rest, ((ln, list(r)) for ln, r in enumerate(it, start=n_head + 1)))
                while True:
                    part = list(itertools.islice(numbered, chunk_rows))
                    if not part:
                        break
                    yield Batch(section, [ln for ln, _ in part], [r for _, r in part])
        finally:
            wb.close()

    return layout, batches()


def _xlsx_text(v: Any, kind: str) -> str:
    """A worksheet cell as text for a field of this kind ("id", "date", "text")."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if kind == "date" else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return _NUMBER if kind in ("id", "date") else repr(v)
    return str(v)


_FIELD_KIND = {"id_number": "id", "birth_date": "date", "last_date": "date", "status_date": "date"}


# ---------------------------------------------------------------------------------------------
def read_entries(layout: RollLayout, batches: Iterator[Batch]) -> Iterator[tuple[Entries, list[BadRow], int, int]]:
    """Normalized entries batch by batch: (entries, bad rows, data rows read, blank rows)."""
    for b in batches:
        if layout.format == "xlsx":
            filled = [i for i, r in enumerate(b.rows) if any(c not in (None, "") for c in r)]
        else:  # CSV cells are texts: a row is blank when every one is empty
            filled = np.flatnonzero(np.fromiter(map(any, b.rows), dtype=bool, count=len(b.rows))).tolist()
        blank = len(b.rows) - len(filled)
        if blank:
            b = Batch(b.section, [b.lines[i] for i in filled], [b.rows[i] for i in filled])
        e, bad = _normalize(layout, b)
        e.keys = RollKeys.of(e)
        yield e, bad, len(b.rows), blank


def _where(layout: RollLayout, section: Section, line: int, side: int) -> str:
    base = f"{layout.path.name}:{section.sheet}!{line}" if section.sheet else f"{layout.path.name}:{line}"
    return base + (f"（{SIDE_NAMES[side]}）" if side else "")


def _columns(layout: RollLayout, b: Batch, bad: list[BadRow]) -> tuple[list[int], list[tuple[Any, ...]]]:
    """The rows that fit the header, as (lines, columns); the others become bad rows."""
    section = b.section
    width = len(section.headers)
    xlsx = layout.format == "xlsx"
    if set(map(len, b.rows)) <= {width}:
        lines, keep = b.lines, b.rows
    else:
        lines, keep = [], []
        for line, cells in zip(b.lines, b.rows):
            if len(cells) == 1 and isinstance(cells[0], _Unreadable):
                bad.append(BadRow(_where(layout, section, line, 0), line, f"无法解析的行（{cells[0].why}）", False))
                continue
            if len(cells) != width:
                if xlsx or (len(cells) > width and not any(cells[width:])):
                    cells = (list(cells) + [None] * width)[:width]
                else:
                    bad.append(
                        BadRow(
                            _where(layout, section, line, 0),
                            line,
                            f"列数与表头不符（本行 {len(cells)} 列，表头 {width} 列），无法确定各值所属的列",
                            False,
                        )
                    )
                    continue
            lines.append(line)
            keep.append(cells)
    return lines, (list(zip(*keep)) if keep else [() for _ in range(width)])


def _normalize(layout: RollLayout, b: Batch) -> tuple[Entries, list[BadRow]]:
    """Normalize a batch of data rows into entries, column by column; every problem becomes a BadRow."""
    bad: list[BadRow] = []
    xlsx = layout.format == "xlsx"
    section = b.section
    k_section = next(k for k, sec in enumerate(layout.sections) if sec is section)
    lines, columns = _columns(layout, b, bad)
    m = len(lines)
    cols: dict[str, list[Any]] = {f: [] for f in FIELDS}
    lines_of, sides_of = [], []
    two = len(section.fields) > 1
    for side, fs in section.fields.items():
        values: dict[str, list[Any]] = {}
        for fname in FIELDS:
            c = fs.get(fname)
            if c is None:
                values[fname] = [""] * m
            elif xlsx:
                values[fname] = [_xlsx_text(v, _FIELD_KIND.get(fname, "text")) for v in columns[c]]
            else:
                values[fname] = list(columns[c])
        used = np.arange(m)
        if two:  # a marriage record with a party blank (registered elsewhere): no entry for that party
            has = np.fromiter(
                (bool(str(a).strip() or str(i).strip()) for a, i in zip(values["name"], values["id_number"])), dtype=bool, count=m
            )
            for i in np.flatnonzero(~has).tolist():
                if any(str(values[f][i]).strip() for f in ("birth_date", "sex", "address")):
                    bad.append(BadRow(_where(layout, section, lines[i], side), lines[i], "无姓名和身份证号，无法比对", False))
            used = np.flatnonzero(has)
            values = {f: [v[i] for i in used.tolist()] for f, v in values.items()}
        for fname in FIELDS:
            cols[fname].extend(values[fname])
        lines_of.append(np.asarray(lines, dtype=np.int64)[used])
        sides_of.append(np.full(len(used), side, np.int8))
    line_arr = np.concatenate(lines_of) if lines_of else np.empty(0, np.int64)
    side_arr = np.concatenate(sides_of) if sides_of else np.empty(0, np.int8)
    n = len(line_arr)
    reasons: dict[int, list[str]] = {}

    def note(i: int, text: str) -> None:
        reasons.setdefault(i, []).append(text)

    names = _names(cols["name"], note)
    ids = _ids(cols["id_number"], note)
    birth, birth_blank = _dates(cols["birth_date"], note, "出生日期", months=False)
    sex, sex_blank = _sexes(cols["sex"], note)
    birth_from_id = np.zeros(n, dtype=bool)
    v = np.flatnonzero(ids.valid_mask)
    if len(v):
        d = ids.digits[v].astype(np.int64)
        id_birth = d[:, 6:14] @ (10 ** np.arange(7, -1, -1, dtype=np.int64))
        id_sex = np.where(d[:, 16] % 2 == 1, "1", "2")
        birth_int = date_ints(birth)[v].astype(np.int64)  # each distinct date once
        fill = birth_blank[v]
        for k in np.flatnonzero(fill).tolist():
            b8 = int(id_birth[k])
            birth[int(v[k])] = f"{b8 // 10000:04d}-{b8 // 100 % 100:02d}-{b8 % 100:02d}"
        birth_from_id[v[fill]] = True
        for k in np.flatnonzero(~fill & (birth_int > 0) & (birth_int != id_birth)).tolist():
            note(int(v[k]), "出生日期与身份证号中的出生日期不符（两者都按原样比对）")
        sex_arr = np.asarray(sex, dtype=object)
        for k in np.flatnonzero(sex_blank[v]).tolist():
            sex[int(v[k])] = str(id_sex[k])
        for k in np.flatnonzero(~sex_blank[v] & (sex_arr[v] != None) & (sex_arr[v] != id_sex)).tolist():  # noqa: E711
            note(int(v[k]), "性别与身份证号不符（按原样比对）")
    last, _ = _dates(cols["last_date"], note, "最后发放日期", months=True)
    status_date, _ = _dates(cols["status_date"], note, "状态日期", months=True)
    no_name = np.asarray(names + [None], dtype=object)[:n] == None  # noqa: E711 - elementwise
    for i in np.flatnonzero(no_name & ~ids.valid_mask & ~ids.broken_mask).tolist():
        note(i, "无可用的姓名和身份证号，无法比对")
    e = Entries(
        layout,
        np.full(n, k_section, np.int16),
        line_arr,
        side_arr,
        names,
        ids.valid,
        ids.broken,
        ids.from15,
        cols["id_number"],
        birth,
        birth_from_id,
        sex,
        cols["address"],
        cols["division"],
        cols["roll_key"],
        last,
        status_date,
        cols["status"],
    )
    for i in sorted(reasons):
        checked = names[i] is not None or bool(ids.valid_mask[i] or ids.broken_mask[i])
        bad.append(BadRow(e.where(i), int(line_arr[i]), "；".join(reasons[i]), checked))
    return e, bad


def text_of(v: Any) -> str:
    s = unicodedata.normalize("NFKC", str(v)) if v is not None else ""
    return re.sub(r"\s+", " ", s).strip()


_HAN_NAME = r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]{1,50}"
_HAN_NAME_RE = re.compile(_HAN_NAME)
_SPACES = re.compile(r"\s+")


def _names(raw: list[Any], note) -> list[str | None]:
    """Names as mapping.normalize.normalize_name gives them; a name written in Han characters alone
    (nearly all) is taken as it is, the rest go through the normalizer."""
    codes, uniq = pd.factorize(pd.Series(raw, dtype="object").fillna(""))
    u = [_SPACES.sub("", str(x)) for x in uniq]
    fast = np.fromiter((_HAN_NAME_RE.fullmatch(x) is not None for x in u), dtype=bool, count=len(u))
    vals: list[str | None] = [v if ok else None for v, ok in zip(u, fast.tolist())]
    why: list[str | None] = [None] * len(vals)
    for k in np.flatnonzero(~fast).tolist():
        s = str(uniq[k])
        if not s.strip():
            continue
        if _NUMBER in s or "\ufffd" in s:
            why[k] = "姓名含无法解码的字符（文件编码不对？）" if "\ufffd" in s else "姓名不是文字"
            continue
        r = normalize_name(s)
        vals[k] = r.value if isinstance(r.value, str) else None
        why[k] = None if r.value is not None else "姓名无法识别（只应有汉字和·，不带备注）"
    _note_codes(codes, why, note)
    return np.asarray(vals + [None], dtype=object)[codes].tolist()


def _note_codes(codes: np.ndarray, why: Sequence[str | None], note) -> None:
    """note(row, reason) for every row whose value (by its factorize code) has a reason."""
    has = np.array([bool(w) for w in why] + [False], dtype=bool)
    for i in np.flatnonzero(has[codes]).tolist():
        note(i, why[codes[i]])


_ID_REASONS = {
    "check_digit_failed": "身份证号校验位错误（按原号逐位比对，不作更正）",
    "bad_birth_date": "身份证号中的出生日期不存在（按原号逐位比对，不作更正）",
    "bad_length": "身份证号位数不对（应为 18 位或 15 位）",
    "bad_characters": "身份证号含非法字符",
}
_SCIENTIFIC = re.compile(r"^[0-9.]+[eE]\+?[0-9]+$")
_W = np.array(ID_WEIGHTS, dtype=np.int64)
_CHECK = np.frombuffer(ID_CHECK.encode(), dtype=np.uint8).astype(np.int64)


@dataclass
class _Ids:
    valid: list[str | None]  # 18 characters, check digit and birth date hold
    broken: list[str | None]  # 18 characters that fail: compared digit by digit, never corrected
    from15: np.ndarray  # bool: converted from a legacy 15-digit number
    digits: np.ndarray  # (n, 18) uint8 digits of valid numbers (X = 10), zeros elsewhere
    valid_mask: np.ndarray
    broken_mask: np.ndarray


def _ids(raw: list[Any], note) -> _Ids:
    """The roll's ID numbers. The common case (18 ASCII digits, X last) is checked with numpy; any
    other text goes through mapping.normalize.normalize_id_number (15-digit numbers, full-width
    digits, spaces); nothing is corrected."""
    n = len(raw)
    valid = np.full(n, None, dtype=object)
    broken = np.full(n, None, dtype=object)
    from15 = np.zeros(n, dtype=bool)
    digits = np.zeros((n, 18), dtype=np.uint8)
    texts = np.asarray(raw, dtype=object) if n else np.empty(0, dtype=object)
    lens = np.fromiter(map(len, (t if isinstance(t, str) else "" for t in raw)), dtype=np.int64, count=n)
    cand = np.flatnonzero(lens == 18)
    plain = np.zeros(n, dtype=bool)
    if len(cand):
        u = np.array(texts[cand].tolist(), dtype="U18").view(np.uint32).reshape(-1, 18)
        body_ok = ((u[:, :17] >= 48) & (u[:, :17] <= 57)).all(axis=1)
        last = u[:, 17]
        last_ok = ((last >= 48) & (last <= 57)) | (last == 88) | (last == 120)  # 0-9, X, x
        ok = body_ok & last_ok
        cand, u = cand[ok], u[ok]
        plain[cand] = True
        d = np.where(u >= 88, 10, u - 48).astype(np.uint8)
        check_ok = _CHECK[(d[:, :17].astype(np.int64) @ _W) % 11] == np.where(d[:, 17] == 10, 88, d[:, 17] + 48)
        y = d[:, 6:10].astype(np.int64) @ np.array([1000, 100, 10, 1])
        mo = d[:, 10].astype(np.int64) * 10 + d[:, 11]
        dd = d[:, 12].astype(np.int64) * 10 + d[:, 13]
        birth_ok = (y >= MIN_YEAR) & (y <= MAX_YEAR) & (mo >= 1) & (mo <= 12) & (dd >= 1) & (dd <= 31)
        maybe = np.flatnonzero(birth_ok & (dd > 28))  # the days a month may lack: checked as real dates
        if len(maybe):
            real = pd.to_datetime(pd.DataFrame({"year": y[maybe], "month": mo[maybe], "day": dd[maybe]}), errors="coerce")
            birth_ok[maybe] = real.notna().to_numpy()
        good = check_ok & birth_ok
        upper = [t.upper() for t in texts[cand].tolist()]
        valid[cand[good]] = [upper[k] for k in np.flatnonzero(good).tolist()]
        broken[cand[~good]] = [upper[k] for k in np.flatnonzero(~good).tolist()]
        digits[cand[good]] = d[good]
        for k in np.flatnonzero(~good).tolist():
            note(int(cand[k]), _ID_REASONS["check_digit_failed" if not check_ok[k] else "bad_birth_date"])
    for i in np.flatnonzero(~plain & (lens > 0)).tolist():
        text = re.sub(r"\s+", "", str(texts[i]))
        if not text:
            continue
        if _NUMBER in text or _SCIENTIFIC.match(text):
            note(i, "身份证号以数字格式保存，末几位已丢失（Excel 只保留 15 位有效数字），未使用")
            continue
        r = normalize_id_number(text)
        if (
            r.value is not None
            and set(r.flags) <= {"converted_15_to_18", "punctuation_removed"}
            and "punctuation_removed" not in r.flags
        ):
            valid[i] = str(r.value)
            from15[i] = "converted_15_to_18" in r.flags
            digits[i] = [10 if ch == "X" else int(ch) for ch in str(r.value)]
            continue
        flags = [f for f in r.flags if f in _ID_REASONS]
        if len(text) == 18 and re.fullmatch(r"[0-9]{17}[0-9Xx]", unicodedata.normalize("NFKC", text)):
            broken[i] = unicodedata.normalize("NFKC", text).upper()  # full-width digits failing their check
        if r.value is not None or not flags:
            note(i, "身份证号写法不规范，未使用")
        else:
            note(i, _ID_REASONS[flags[0]])
    valid_mask = (valid != None) if n else np.zeros(0, bool)  # noqa: E711 - elementwise
    broken_mask = (broken != None) if n else np.zeros(0, bool)  # noqa: E711 - elementwise
    return _Ids(valid.tolist(), broken.tolist(), from15, digits, valid_mask.astype(bool), broken_mask.astype(bool))


def _dates(raw: list[Any], note, label: str, *, months: bool) -> tuple[list[str | None], np.ndarray]:
    """(ISO dates, blank mask): YYYY-MM where `months` and the roll gives a month; a value the
    normalizer had to guess at (a lost separator, a two-digit year, an OCR fix) is not used."""
    codes, uniq = pd.factorize(pd.Series(raw, dtype="object").fillna(""))
    got = [_date_value(str(u).strip(), label, months) for u in uniq]
    _note_codes(codes, [g[1] for g in got], note)
    blank = np.array([not str(u).strip() for u in uniq] + [True], dtype=bool)[codes]
    return np.asarray([g[0] for g in got] + [None], dtype=object)[codes].tolist(), blank


@lru_cache(maxsize=1 << 17)
def _date_value(s: str, label: str, months: bool) -> tuple[str | None, str | None]:
    """(value, reason) of one date text."""
    if not s:
        return None, None
    if _NUMBER in s:
        return None, f"{label}以小数保存（如 2015.10 与 2015.1 无法区分），未使用"
    r = normalize_date(s)
    if r.value is not None and not r.flags:
        return str(r.value), None
    if months:
        m = normalize_year_month(s)
        if m.value is not None:
            return str(m.value), None
    if r.value is None:
        return None, f"{label}无法识别或有歧义，未使用"
    return None, f"{label}写法有歧义（{'、'.join(r.flags)}），未使用"


_SEX = {"男": "1", "男性": "1", "1": "1", "m": "1", "male": "1", "女": "2", "女性": "2", "2": "2", "f": "2", "female": "2"}


def _sexes(raw: list[Any], note) -> tuple[list[str | None], np.ndarray]:
    codes, uniq = pd.factorize(pd.Series(raw, dtype="object").fillna(""))
    texts = [text_of(u) for u in uniq]
    vals = [_SEX.get(t.lower()) for t in texts]
    _note_codes(codes, ["性别无法识别（应为 男 / 女），未使用" if v is None and t else None for v, t in zip(vals, texts)], note)
    blank = np.array([not t for t in texts] + [True], dtype=bool)[codes]
    return np.asarray(vals + [None], dtype=object)[codes].tolist(), blank


# ---------------------------------------------------------------------------------------------
class BackgroundEntries:
    """`read_entries` in a second process (forked, so the open roll goes with it), handing the
    caller one normalized chunk at a time through a queue of `depth`: reading and normalizing the
    next chunk runs on the second core while the caller matches this one (or loads the deceased,
    which takes a minute and more for millions), and memory stays bounded: at most `depth` chunks
    wait, each as the bytes of its pickle (about 25 MB for 200 000 rows), not as Python objects.
    Use as a context manager; leaving it stops the reader."""

    def __init__(self, layout: RollLayout, batches: Iterator[Batch], depth: int = 12):
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.path = layout.path
        self.queue = ctx.Queue(maxsize=depth)
        self.proc = ctx.Process(target=_produce, args=(layout, batches, self.queue), daemon=True, name="crosscheck-reader")
        self.proc.start()

    def __iter__(self) -> Iterator[tuple[Entries, list[BadRow], int, int]]:
        import queue as queues

        while True:
            try:
                item = self.queue.get(timeout=2)
            except queues.Empty:
                if not self.proc.is_alive():
                    raise RollError(
                        str(self.path),
                        f"the process reading the roll ended unexpectedly (exit code {self.proc.exitcode})",
                        reason="reader",
                    ) from None
                continue
            if item is None:
                return
            if isinstance(item, _Failed):
                raise RollError(str(self.path), item.message, reason=item.reason)
            yield pickle.loads(item)

    def __enter__(self) -> "BackgroundEntries":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join(timeout=10)
        self.queue.close()


@dataclass(frozen=True)
class _Failed:
    reason: str
    message: str


def _produce(layout: RollLayout, batches: Iterator[Batch], queue) -> None:  # pragma: no cover - runs in the child
    import gc

    gc.disable()
    try:
        for item in read_entries(layout, batches):
            queue.put(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))  # bytes wait in the queue, not objects
        queue.put(None)
    except Exception as e:  # the roll broke off midway (a damaged workbook): the caller names it
        reason = getattr(e, "reason", "unreadable")
        queue.put(_Failed(reason, f"reading stopped: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"))
