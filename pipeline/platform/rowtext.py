"""A record's platform row made when the record is written, so that the loader only copies text.

The loader's hot path used to build every row at load time: parse the record's values, hash them
twice (person row, contact row), find its natural key, test its mandatory fields, and format some
thirty values a row into COPY's text format. All of it depends only on the record's values and its
ledger kind, which are known when the record is mapped or corrected; the loader runs many times
more records per second than mapping does. So the store's hook (pipeline.kernel.store) calls
`make_load_text` whenever it writes a record's narrow values, and keeps the result in
`records.load_text`:

    <spec version> US <crc32 of field_values' stored text> US <row hash> US <contact hash> US
    <natural key, or empty for the source key> US <funeral home code> US <complete: 1/0>
    LF <person values as COPY text> LF <contact values as COPY text>

(US: the unit separator, U+001F). The loader (pipeline.platform.load.build_rows) uses it only when
the spec version is the load's and the checksum matches the stored values (so a load_text can never
stand for other values than the record's), and only for a single record's row whose mandatory fields
are complete; a merged person, another spec version, an incomplete row, a value of another type
than text or integer, or a key with control characters take the general path, unchanged. The
formats are those of the general path: the same canonical JSON and sha256 (row_hash), the same
natural key (natural_key), the same text as psycopg's COPY writer (its escapes: backslash, \\b \\t
\\n \\v \\f \\r; None as \\N).
"""

from __future__ import annotations

import hashlib
import zlib
from functools import lru_cache
from typing import Any, Callable, NamedTuple

import orjson

from mapping.spec import KindSpec, load_spec
from pipeline.kernel.config import Settings
from pipeline.platform.schema import CONTACT_FIELDS, ENTITY_TABLES, EVENT_DATE, person_fields

SEP = "\x1f"
SPEC_VERSION: str = (
    Settings.spec_version
)  # the version a record's load_text is made for (the default; no settings made at import)
_ESCAPES = str.maketrans({"\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"})
_UNSAFE = frozenset("\\\b\t\n\v\f\r\x1f\x00")


def copy_text(value: Any) -> str:
    """One value in COPY's text format as psycopg's writer makes it (str escaped, int as digits,
    None as \\N). Other types (bool, float, ...) raise TypeError: their rows take the general path."""
    if value is None:
        return "\\N"
    t = type(value)
    if t is str:
        if "\x00" in value:
            raise TypeError("NUL in text")  # psycopg refuses it: the general path reports the row
        return value.translate(_ESCAPES)
    if t is int:
        return str(value)
    raise TypeError(t.__name__)


def row_hash(values: dict[str, Any]) -> str:
    """sha256 of a record's spec values (canonical JSON: sorted keys, UTF-8)."""
    return hashlib.sha256(orjson.dumps(values, option=orjson.OPT_SORT_KEYS)).hexdigest()


def source_key(sha: str, page: int, row: int) -> str:
    """The natural key of a row whose values decide none: its scan, page and row."""
    return f"src|{sha}|{page}|{row}"


def value_key(kind: str, values: dict[str, Any]) -> str:
    """The natural key of pipeline.platform.load.natural_key where the values decide it; "" where it
    falls back to the source key (file, page, row), which the loader adds."""
    home = values.get("funeral_home_code") or "?"
    if values.get("cremation_cert_no") and kind == "cremation":
        return f"{home}|cert|{values['cremation_cert_no']}"
    event = values.get(EVENT_DATE[kind])
    if values.get("id_number") and event:
        return f"{home}|id|{values['id_number']}|{event}"
    if kind == "sea_burial" and values.get("cremation_cert_no"):
        return f"{home}|cert|{values['cremation_cert_no']}|{event}"
    return ""


@lru_cache(maxsize=8)
def spec_names(spec_version: str, kind: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """(person table fields in column order, every spec field a platform row carries)."""
    person = tuple(f.name for f in person_fields(spec_version, kind))
    return person, frozenset(person) | frozenset(CONTACT_FIELDS[kind][1].values())


def complete_probe(ks: KindSpec) -> Callable[[dict[str, Any]], bool]:
    """A quick test, per row, that none of the entity set's mandatory fields is empty: True means
    none is (what pipeline.platform.load.empty_mandatory would find is nothing), False means ask
    empty_mandatory, which names them and applies the excuses. The fields mandatory without
    condition are looked up in one pass (map over the dict's get, no Python call per field)."""
    always = tuple(f.name for f in ks.fields if f.mandatory == "M")
    conditional = tuple(f for f in ks.fields if f.mandatory == "C" and f.condition and "=" in f.condition)

    def complete(values: dict[str, Any]) -> bool:
        got = [*map(values.get, always)]
        if None in got or "" in got:
            return False
        return not any(values.get(f.name) in (None, "") and f.is_mandatory(values) for f in conditional)

    return complete


@lru_cache(maxsize=8)
def _complete_probe(spec_version: str, kind: str) -> Callable[[dict[str, Any]], bool]:
    return complete_probe(load_spec(spec_version).kind(kind))


def row_values(kind: str, narrow: dict[str, Any], spec_version: str) -> dict[str, Any]:
    """The spec values a platform row carries, from a record's narrow values."""
    names = spec_names(spec_version, kind)[1]
    return narrow if names.issuperset(narrow) else {n: v for n, v in narrow.items() if n in names}


def contact_hash(kind: str, values: dict[str, Any]) -> str:
    cf = CONTACT_FIELDS[kind][1]
    get = values.get
    return hashlib.sha256(orjson.dumps((get(cf["name"]), get(cf["phone"]), get(cf["relation_code"])))).hexdigest()


def make_load_text(kind: str, narrow: dict[str, Any], stored: str, spec_version: str = SPEC_VERSION) -> str | None:
    """A record's load_text (module docstring), or None where the general path must build its row."""
    if kind not in ENTITY_TABLES:
        return None
    try:
        values = row_values(kind, narrow, spec_version)
        key = value_key(kind, values)
        home = values.get("funeral_home_code")
        if (key and not _UNSAFE.isdisjoint(key)) or (
            home is not None and (type(home) is not str or not _UNSAFE.isdisjoint(home))
        ):
            return None
        person = "\t".join([copy_text(v) for v in map(values.get, spec_names(spec_version, kind)[0])])
        cf = CONTACT_FIELDS[kind][1]
        contact = "\t".join([copy_text(values.get(cf[k])) for k in ("name", "phone", "relation_code")])
        complete = "1" if _complete_probe(spec_version, kind)(values) else "0"
    except (TypeError, ValueError, KeyError, orjson.JSONEncodeError):
        return None
    head = SEP.join(
        (
            spec_version,
            str(zlib.crc32(stored.encode())),
            row_hash(values),
            contact_hash(kind, values),
            key,
            home or "",
            complete,
        )
    )
    return f"{head}\n{person}\n{contact}"


class LoadText(NamedTuple):
    """A record's load_text read back (make_load_text's layout)."""

    row_hash: str
    contact_hash: str
    value_key: str  # "" where the source key stands
    home: str | None
    text: str
    ctext: str


def read_load_text(load_text: str, stored: str | None, spec_version: str) -> LoadText | None:
    """The parts of a record's load_text, where it stands for the values stored now (`stored`: the
    record's field_values as stored, whose crc32 it carries), for this spec version, and for a row
    with every mandatory field filled; None where the loader must build the row itself."""
    head, text, ctext = load_text.split("\n")
    ver, crc, h, ch, vkey, home, complete = head.split(SEP)
    if ver != spec_version or complete != "1" or stored is None or crc != str(zlib.crc32(stored.encode())):
        return None
    return LoadText(h, ch, vkey, home or None, text, ctext)
