"""Bulk load of auto-accepted and approved records into the provincial platform database.

Tables are the MZ/T 141 entity sets (pipeline.platform.schema, created by migrations). One platform
row per person and entity set (build_rows): the records of one dedupe cluster are merged into one
row (pipeline.platform.linkage's golden values, every source row listed in source_records), a record linked
to a row already on the platform updates that row, and an unlinked record is its own row under its
natural key (SPEC.md: certificate number, else ID number + event date, else the source key).
A row whose mandatory fields (MZ/T 141: M, or C whose condition holds) are not all filled is refused,
whatever its records' status, and reported (LoadResult.refused: file, page, row, the fields); only a
field mandatory where the paper has it (the certificate number, "whenever one was issued") may be
empty, when a reviewer marked it "not on the scan" or its ledger is declared never to record it.
Records go in batches; each batch is one transaction on the platform that writes the person rows,
their contact rows, the old values of every row it changes (record_history) and its receipt
(load_receipts): a batch lands whole or not at all. After the platform committed, the working store
keeps the same receipt and marks the batch's records loaded (LoadedRecord, a narrow table).

Each record's row is made when the record is written (records.load_text, pipeline.platform.rowtext):
the loader reads it and copies its text; rows it cannot stand for are built here. On PostgreSQL two
batches are in flight at once (SENDERS); a batch asks which of its keys are there with which hash,
COPYs the new rows straight into the person and contact tables, and the
changed ones (values as one JSON text each) into a temporary staging table written with one
INSERT ... ON CONFLICT per table, typed on the server; on SQLite it is one executemany upsert per table.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import queue
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from typing import Any, Iterable, Iterator, Sequence

import orjson
import psycopg
from sqlalchemy import Date, Integer, Table, Text, cast, func, insert, select, type_coerce
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from mapping.spec import KindSpec, load_spec
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import DatabaseError
from pipeline.kernel.privacy import mask_text
from pipeline.kernel.safety import shown
from pipeline.kernel.store import (
    FieldReview,
    LedgerAbsentField,
    LoadedRecord,
    Page,
    PlatformLink,
    Record,
    SourceFile,
    Store,
    narrow_values,
    utcnow,
)
from pipeline.page.routing import LOADABLE
from pipeline.platform.receipts import Receipt, new_batch_id, record_receipt
from pipeline.platform.rowtext import (
    complete_probe,
    contact_hash,
    copy_text,
    read_load_text,
    row_hash,
    row_values,
    source_key,
    spec_names,
    value_key,
)
from pipeline.platform.schema import (
    CONTACT_FIELDS,
    CONTACT_LINK,
    ENTITY_TABLES,
    KEY_COLUMN,
    PROVENANCE,
    institutions,
    open_platform,
)

log = logging.getLogger(__name__)

#: columns written by the batch itself (not carried by a built row)
BATCH_COLUMNS = ("batch_id", "loaded_at", "updated_at")
CONTACT_COLUMNS = ("natural_key", "dead_key", "sea_burial_key", "role", "name", "phone", "relation_code", "row_hash")
INSTITUTION_COLUMNS = ("funeral_home_code", "name", "division_code", "row_hash")


class LoadError(DatabaseError):
    """A batch the platform refused; nothing of it was written, earlier batches stay loaded."""

    def __init__(self, message: str, *, partial: "LoadResult", hint: str | None = None):
        super().__init__(message, hint=hint)
        self.partial = partial


def natural_key(kind: str, values: dict[str, Any], source: tuple[str, int, int]) -> str:
    """SPEC.md's natural key: certificate number, else ID number + event date, else the source key."""
    return value_key(kind, values) or source_key(*source)


def person_columns(kind: str, spec_version: str) -> tuple[str, ...]:
    """Columns of a built person row, in order (the batch adds BATCH_COLUMNS)."""
    return ("natural_key", *spec_names(spec_version, kind)[0], *PROVENANCE, "source_records", "spec_version", "row_hash")


MERGED_LINKS = ("auto_merged", "merged")  # PlatformLink statuses saying "this record is that platform row"


@dataclass(slots=True)
class PlatformRow:
    """One platform person row and its contact row: from one store record, or merged from every
    record of one person (one dedupe cluster) of one entity set. Not changed once built (not frozen:
    a frozen dataclass sets each of its 13 fields through object.__setattr__, five times the cost of
    building it, one row per record on the loader's hot path).

    A row read from a record's load_text (pipeline.platform.rowtext) carries its values as COPY text
    (`text`, `ctext`) and the record's stored values (`raw`): `values` and `values_json` are parsed
    from `raw` only where asked for (an update, the SQLite platform, an error message)."""

    kind: str
    key: str
    row_hash: str
    _values: dict[str, Any] | None  # spec values (person and contact fields); None: parse `raw`
    contact_hash: str
    funeral_home_code: str | None
    source_sha256: str
    source_file: str
    source_page: int
    source_row: int
    source_records: str | None = None  # merged rows: JSON list of every source row; None: the row's own source
    retired_keys: tuple[str, ...] = ()  # this person's rows loaded earlier under other keys: removed by the load
    raw: str | None = None  # the record's stored narrow values (JSON text), when _values is None
    spec: str = ""  # the spec version `text` and `ctext` were made for
    text: str | None = None  # person values, person-column order, as COPY text
    ctext: str | None = None  # contact name, phone, relation code as COPY text
    complete: bool = False  # known to have every mandatory field (else the loader tests it)

    @property
    def values(self) -> dict[str, Any]:
        if self._values is None:
            assert self.raw is not None  # a row is built with values or with the text they are parsed from
            self._values = row_values(self.kind, orjson.loads(self.raw), self.spec)
        return self._values

    @property
    def values_json(self) -> bytes:
        """Their canonical JSON (what row_hash hashes)."""
        return orjson.dumps(self.values, option=orjson.OPT_SORT_KEYS)

    def person(self, spec_version: str) -> tuple:
        """Values in person_columns(kind, spec_version) order."""
        return (
            self.key,
            *map(self.values.get, spec_names(spec_version, self.kind)[0]),
            self.source_sha256,
            self.source_file,
            self.source_page,
            self.source_row,
            self.source_records,
            spec_version,
            self.row_hash,
        )

    @property
    def contact_key(self) -> str:
        return f"{self.key}|{CONTACT_FIELDS[self.kind][0]}"

    @property
    def contact(self) -> tuple:
        """Values in CONTACT_COLUMNS order."""
        role, cf = CONTACT_FIELDS[self.kind]
        get = self.values.get
        link = (self.key, None) if self.kind == "cremation" else (None, self.key)
        return (self.contact_key, *link, role, get(cf["name"]), get(cf["phone"]), get(cf["relation_code"]), self.contact_hash)


@dataclass(slots=True)
class BuiltRecord:
    """A platform row and the store records it stands for: (record id, row hash and key the store
    last loaded it as). `repeat_of`: the row was built already under this key from an earlier record
    (the first one wins); these records are marked loaded with that row's hash, nothing is sent."""

    row: PlatformRow
    records: tuple[tuple[int, str | None, str | None], ...]
    repeat_of: str | None = None


def _platform_row(
    kind: str,
    key: str,
    values: dict[str, Any],
    source: tuple[str, str, int, int],
    source_records: bytes | None = None,
    retired: tuple[str, ...] = (),
) -> PlatformRow:
    vj = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
    # a merged row's hash covers its list of sources too: a person gaining a record is an update
    h = hashlib.sha256(vj + b"\n" + source_records if source_records else vj).hexdigest()
    sha, rel, page_no, row_no = source
    return PlatformRow(
        kind,
        key,
        h,
        values,
        contact_hash(kind, values),
        values.get("funeral_home_code"),
        sha,
        rel,
        page_no,
        row_no,
        source_records.decode() if source_records else None,
        retired,
    )


@dataclass(slots=True)
class _Member:
    record_id: int
    fields: dict[str, Any]
    loaded_hash: str | None
    loaded_key: str | None
    status: str
    source: tuple[str, str, int, int]  # file sha256, file, page, row


def wide_fields(store: Store, record_id: int) -> str:
    with store.engine.connect() as conn:  # not the connection a load streams on
        return conn.execute(select(type_coerce(Record.fields, Text)).where(Record.id == record_id)).scalar_one()


def _persons(conn: Connection, statuses: Sequence[str]) -> tuple[dict[tuple[str, str], int], dict[int, tuple[str, str]]]:
    """Persons with more than one loadable record of one ledger kind ((cluster, kind) -> records),
    and the platform rows records are linked to (record id -> (table, natural key))."""
    multi: dict[tuple[str, str], int] = {
        (cid, kind): n
        for cid, kind, n in conn.execute(
            select(Record.cluster_id, Record.ledger_kind, func.count())
            .where(Record.status.in_(list(statuses)), Record.cluster_id.is_not(None))
            .group_by(Record.cluster_id, Record.ledger_kind)
            .having(func.count() > 1)
        )
        if cid is not None  # so filtered in SQL too
    }
    links: dict[int, tuple[str, str]] = {}
    for rid, table, key in conn.execute(
        select(PlatformLink.record_id, PlatformLink.platform_table, PlatformLink.natural_key)
        .where(PlatformLink.status.in_(MERGED_LINKS), PlatformLink.natural_key.is_not(None))
        .order_by(PlatformLink.score.desc(), PlatformLink.id)
    ):
        if key is not None:  # so filtered in SQL too
            links.setdefault(rid, (table, key))
    return multi, links


def _merged_row(
    kind: str, cluster_id: str, members: list[_Member], links: dict[int, tuple[str, str]], spec_version: str
) -> PlatformRow:
    """One person's row from all its records of one entity set: values by merge_values (the most
    reliable value per field, pipeline.platform.linkage's golden values), under a key that stays put: the
    platform row a record is linked to, else the key the person was loaded under before, else the
    natural key of the merged values (the source key: the person's first record in the ledger, by file
    sha256, page and row; not by record id, which follows the order page workers finished pages in)."""
    from mapping.dedupe import merge_values  # mapping.dedupe is heavy (numpy, pandas): only when persons merge
    from pipeline.platform.linkage import source_values

    names = spec_names(spec_version, kind)[1]
    members.sort(key=lambda m: (m.source[0], m.source[2], m.source[3], m.record_id))
    first = members[0]
    golden = merge_values(cluster_id, source_values((m.record_id, kind, m.fields, m.status, m.source) for m in members))
    plain = golden.plain()
    present = {n for m in members for n in m.fields if n in names}
    values = {n: plain.get(n) for n in present}
    table = ENTITY_TABLES[kind]
    linked = sorted({links[m.record_id][1] for m in members if m.record_id in links and links[m.record_id][0] == table})
    loaded = [m.loaded_key for m in members if m.loaded_key]
    key = linked[0] if linked else loaded[0] if loaded else natural_key(kind, values, (first.source[0], *first.source[2:]))
    sources = None
    if len(members) > 1:
        sources = orjson.dumps(
            [
                {"sha256": m.source[0], "file": m.source[1], "page": m.source[2], "row": m.source[3], "record": m.record_id}
                for m in members
            ]
        )
    return _platform_row(kind, key, values, first.source, sources, tuple(sorted(set(loaded) - {key})))


def build_rows(store: Store, settings: Settings, statuses: Sequence[str] = LOADABLE) -> Iterator[BuiltRecord]:
    """Every loadable record of the store as platform rows, in store order (record id): one row per
    person and entity set. Records of one dedupe cluster (Record.cluster_id) become one
    merged row, yielded when the person's last record is read; a record linked to a row already on
    the platform (PlatformLink) is written under that row's key; records not linked load as they are.

    The one place that turns stored records into platform rows: the loader, reconcile and the
    bench use it."""
    spec_version = settings.spec_version
    q = (
        select(
            Record.id,
            Record.ledger_kind,
            cast(Record.field_values, Text),  # the stored text, on either store (PostgreSQL's json keeps it)
            Record.load_text,
            LoadedRecord.row_hash,
            LoadedRecord.natural_key,
            Record.row_no,
            Page.page_no,
            SourceFile.sha256,
            SourceFile.rel_path,
            Record.cluster_id,
            Record.status,
        )
        .join(Page, Record.page_id == Page.id)
        .join(SourceFile, Page.file_id == SourceFile.id)
        .outerjoin(LoadedRecord, LoadedRecord.record_id == Record.id)
        .where(Record.status.in_(list(statuses)))
        .order_by(Record.id)  # store order: a scan, no sort of the wide rows (ledger order cost a third of the read)
    )
    loads = orjson.loads
    seen: dict[str, dict[str, str]] = {k: {} for k in ENTITY_TABLES}  # key -> row hash, this load
    pending: dict[tuple[str, str], list[_Member]] = {}

    def once(b: BuiltRecord) -> BuiltRecord:
        got = seen[b.row.kind]
        h = got.get(b.row.key)
        if h is None:
            got[b.row.key] = b.row.row_hash
            return b
        return BuiltRecord(b.row, b.records, repeat_of=h)

    with store.engine.connect() as conn:
        multi, links = _persons(conn, statuses)
        # the whole stored fields (confidences) only of records merged into one person's row
        wide = dict(
            conn.execute(
                select(Record.id, type_coerce(Record.fields, Text)).where(
                    Record.status.in_(list(statuses)),
                    Record.id.in_(list(links)) | Record.cluster_id.in_({cid for cid, _k in multi}),
                )
            ).all()
        )
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(q)
        # 5 000 rows per fetch, iterated as a list (iterating the result itself is two Python calls a row)
        for rid, kind, raw, ltext, loaded_hash, loaded_key, row_no, page_no, sha, rel, cid, status in chain.from_iterable(
            result.partitions()
        ):
            if kind not in ENTITY_TABLES:
                continue
            group = (cid, kind) if cid is not None and (cid, kind) in multi else (f"record-{rid}", kind) if rid in links else None
            made = read_load_text(ltext, raw, spec_version) if ltext is not None and group is None else None
            if made is not None:  # the row made when the record was written (rowtext)
                row = PlatformRow(
                    kind,
                    made.value_key or source_key(sha, page_no, row_no),
                    made.row_hash,
                    None,
                    made.contact_hash,
                    made.home,
                    sha,
                    rel,
                    page_no,
                    row_no,
                    raw=raw,
                    spec=spec_version,
                    text=made.text,
                    ctext=made.ctext,
                    complete=True,
                )
                yield once(BuiltRecord(row, ((rid, loaded_hash, loaded_key),)))
                continue
            if group is not None:
                fields = wide[rid]  # read above for every record a group takes
                fields = loads(fields) if isinstance(fields, (str, bytes)) else fields
                members = pending.setdefault(group, [])
                members.append(_Member(rid, fields, loaded_hash, loaded_key, status, (sha, rel, page_no, row_no)))
                if len(members) < multi.get(group, 1):
                    continue
                del pending[group]
                row = _merged_row(kind, group[0], members, links, spec_version)
                yield once(BuiltRecord(row, tuple((m.record_id, m.loaded_hash, m.loaded_key) for m in members)))
                continue
            narrow = loads(raw) if isinstance(raw, (str, bytes)) else raw
            if narrow is None:  # written by a process older than the column, after the store was upgraded
                narrow = narrow_values(loads(wide_fields(store, rid)))
            values = row_values(kind, narrow, spec_version)
            key = natural_key(kind, values, (sha, page_no, row_no))
            yield once(
                BuiltRecord(_platform_row(kind, key, values, (sha, rel, page_no, row_no)), ((rid, loaded_hash, loaded_key),))
            )
        for (cid, kind), members in pending.items():  # the store changed while reading: what was read
            row = _merged_row(kind, cid, members, links, spec_version)
            yield once(BuiltRecord(row, tuple((m.record_id, m.loaded_hash, m.loaded_key) for m in members)))


@dataclass(frozen=True)
class Refused:
    """A platform row the loader refused: a mandatory field of its entity set is empty. Nothing of it
    is sent; its records stay in the store, unloaded (or as loaded before), until they are fixed."""

    records: tuple[int, ...]
    source_file: str
    page: int
    row: int
    fields: tuple[str, ...]
    marked: tuple[str, ...] = ()  # of those, marked "not on the scan" by a reviewer or declared absent by an administrator

    def describe(self) -> str:
        how = f"（已标为纸上没有 / marked not on the paper: {', '.join(self.marked)}）" if self.marked else ""
        return (
            f"{shown(self.source_file)} 第 {self.page} 页第 {self.row} 行 / page {self.page} row {self.row}："
            f"必填字段为空 / empty: {', '.join(self.fields)}{how}"
        )


def empty_mandatory(ks: KindSpec, values: dict[str, Any], excused: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The mandatory fields (spec M, or C whose condition holds) of this entity set left empty. A field
    mandatory only where the paper has it (M with a condition in words, e.g. a cremation certificate
    number "whenever a certificate was issued") is excused when `excused` names it: a reviewer marked
    it "not on the scan", or an administrator declared the ledger never records it."""
    return [
        f.name
        for f in ks.fields
        if values.get(f.name) in (None, "")
        and f.is_mandatory(values)
        and not (f.name in excused and f.condition and "=" not in f.condition)
    ]


@dataclass
class LoadResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # rows of a person loaded earlier under another key, now one row
    by_table: dict[str, int] = field(default_factory=dict)
    receipts: list[Receipt] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)  # rows with an empty mandatory field: not loaded

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


#: (record id, natural key, row hash loaded, hash and key the store had marked before)
Mark = tuple[int, str, str, str | None, str | None]


def load(store: Store, settings: Settings, *, batch_size: int = 5000) -> LoadResult:
    """Load every loadable record into the platform. Idempotent: a second load inserts nothing.

    One platform row per person and entity set (build_rows). Raises LoadError when the platform
    refuses a batch; the batches before it stay loaded, with their receipts, and the failed batch's
    records are not marked loaded.

    Three stages overlap: this thread reads the store, builds rows and makes each batch's COPY text,
    senders (two on PostgreSQL, one on SQLite) send the batches to the platform (one transaction
    each), a third thread keeps each committed batch's receipt in the store and marks its records
    loaded (LoadedRecord)."""
    from pipeline.quality.audit import enforce

    enforce(store, settings)  # a volume whose blind audit failed goes back to review before anything is sent
    url = settings.platform_db_url
    engine, md = open_platform(url, settings.spec_version, create=settings.platform_is_default)
    result = LoadResult()
    todo: queue.Queue[_Batch | None] = queue.Queue(maxsize=2)  # batches built, for the platform
    receipts: queue.Queue = queue.Queue(maxsize=4)  # batches the platform committed, for the store
    failure: list[BaseException] = []

    counting, turns = threading.Lock(), _Turns()

    def send() -> None:
        while (item := todo.get()) is not None:
            if failure:
                turns.done(item.seq, False)
                continue  # drain: a refused batch stops the load
            try:
                receipts.put(_send_batch(engine, md, settings, item, result, counting, turns))
            except _Cancelled:
                pass  # a batch before it failed: that failure is the one reported
            except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
                failure.append(e)

    def keep() -> None:  # every batch the platform committed gets its receipt in the store, failure or not
        while (item := receipts.get()) is not None:
            try:
                record_receipt(store, item[0], url, item[1])
            except BaseException as e:  # noqa: BLE001
                failure.append(e)

    gc_was = gc.isenabled()
    gc.disable()  # rows are acyclic; collecting while 10^5 of them are alive cost a third of the build
    try:
        _sync_institutions(engine, md, store, settings, result)
        # PostgreSQL: two senders, each its own connection and transaction, so the server writes one
        # batch while it parses the next (its COPY of one batch runs on one core); SQLite has one writer
        senders = [
            threading.Thread(target=send, name=f"platform-load-{i}", daemon=True)
            for i in range(SENDERS if engine.dialect.name == "postgresql" else 1)
        ]
        keeper = threading.Thread(target=keep, name="store-receipts", daemon=True)
        for t in senders:
            t.start()
        keeper.start()
        try:
            spec = load_spec(settings.spec_version)
            kinds = {k: spec.kind(k) for k in ENTITY_TABLES}
            complete = {k: complete_probe(ks) for k, ks in kinds.items()}
            excused = _absences(store)
            rows: dict[str, list[PlatformRow]] = {k: [] for k in ENTITY_TABLES}
            marks: dict[str, list[Mark]] = {k: [] for k in ENTITY_TABLES}
            fresh: dict[str, list[PlatformRow]] = {
                k: [] for k in ENTITY_TABLES
            }  # rows with text the store never loaded under their key
            premake = engine.dialect.name == "postgresql"

            built = iter(range(1 << 62))  # batches' order of commit

            def batch(kind: str) -> _Batch:
                b = _Batch(kind, rows[kind], marks[kind], next(built))
                if premake and fresh[kind]:  # their COPY text made here, while the platform writes the batch before
                    b.premade = _premade(kind, fresh[kind], settings.spec_version, b.stamp)
                rows[kind], marks[kind], fresh[kind] = [], [], []
                return b

            for b in build_rows(store, settings):
                if failure:
                    break
                kind, r = b.row.kind, b.row
                if not (r.complete or complete[kind](r.values)):
                    missing = empty_mandatory(
                        kinds[kind], r.values, set().union(*(excused.get(rid, ()) for rid, _h, _k in b.records))
                    )
                    if missing:  # whatever the records' status: the platform never gets an empty mandatory field
                        result.refused.append(
                            Refused(
                                tuple(rid for rid, _h, _k in b.records),
                                r.source_file,
                                r.source_page,
                                r.source_row,
                                tuple(missing),
                            )
                        )
                        continue
                h = b.repeat_of or r.row_hash
                marks[kind].extend((rid, r.key, h, was, was_key) for rid, was, was_key in b.records)
                if b.repeat_of is None:
                    rows[kind].append(r)
                    if r.text is not None and all(was_key != r.key for _rid, _was, was_key in b.records):
                        fresh[kind].append(r)
                    if len(rows[kind]) >= batch_size:
                        todo.put(batch(kind))
            for kind in ENTITY_TABLES:
                if (rows[kind] or marks[kind]) and not failure:
                    todo.put(batch(kind))
        finally:
            for _t in senders:
                todo.put(None)
            for t in senders:
                t.join()
            receipts.put(None)
            keeper.join()
    finally:
        engine.dispose()
        if gc_was:
            gc.enable()
    if failure:
        raise failure[0]
    if result.refused:
        result.refused = _marked(store, result.refused)
        log.warning("%d row(s) not loaded: a mandatory field is empty", len(result.refused))
    return result


def _absences(store: Store) -> dict[int, set[str]]:
    """Record id -> fields a reviewer marked "not on the scan" or its ledger is declared never to record."""
    out: dict[int, set[str]] = {}
    with store.session() as s:
        for rid, f in s.execute(select(FieldReview.record_id, FieldReview.field).where(FieldReview.action == "not_on_scan")):
            out.setdefault(rid, set()).add(f)
        for rid, f in s.execute(
            select(Record.id, LedgerAbsentField.field)
            .join(Page, Record.page_id == Page.id)
            .join(LedgerAbsentField, LedgerAbsentField.file_id == Page.file_id)
        ):
            out.setdefault(rid, set()).add(f)
    return out


def _marked(store: Store, refused: list[Refused]) -> list[Refused]:
    """Say which empty fields a reviewer marked "not on the scan" or an administrator declared absent."""
    ids = [rid for r in refused for rid in r.records]
    marks: dict[int, set[str]] = {}
    with store.session() as s:
        for i in range(0, len(ids), 900):
            chunk = ids[i : i + 900]
            for rid, f in s.execute(
                select(FieldReview.record_id, FieldReview.field).where(
                    FieldReview.record_id.in_(chunk), FieldReview.action == "not_on_scan"
                )
            ):
                marks.setdefault(rid, set()).add(f)
            for rid, f in s.execute(
                select(Record.id, LedgerAbsentField.field)
                .join(Page, Record.page_id == Page.id)
                .join(LedgerAbsentField, LedgerAbsentField.file_id == Page.file_id)
                .where(Record.id.in_(chunk))
            ):
                marks.setdefault(rid, set()).add(f)
    out = []
    for r in refused:
        got = set().union(*(marks.get(rid, set()) for rid in r.records))
        out.append(Refused(r.records, r.source_file, r.page, r.row, r.fields, tuple(f for f in r.fields if f in got)))
    return out


@dataclass(slots=True)
class _Premade:
    """COPY text of a batch's rows, made before the batch is sent: used when exactly these rows turn
    out to be the ones the platform does not have (a first load), else the rows are written as usual."""

    rows: list[PlatformRow]
    person: bytes
    contact: bytes


@dataclass(slots=True)
class _Batch:
    kind: str
    rows: list[PlatformRow]
    marks: list[Mark]
    seq: int  # its place in the order of commits (_Turns)
    batch_id: str = field(default_factory=new_batch_id)
    started: datetime = field(default_factory=utcnow)
    premade: _Premade | None = None

    @property
    def stamp(self) -> tuple[str, str, str]:
        """BATCH_COLUMNS' values (batch id, loaded at, updated at) as the rows' COPY writes them."""
        return (self.batch_id, self.started.isoformat(), self.started.isoformat())


def _premade(kind: str, rows: list[PlatformRow], spec_version: str, stamp: tuple[str, str, str]) -> _Premade:
    return _Premade(rows, _person_text(rows, spec_version, stamp), _contact_text(rows, kind, stamp))


SENDERS = 2
"""Batches in flight on PostgreSQL at once (each on its own connection): the server writes one while
it reads the next. Batches hold disjoint keys (one row per key and load: build_rows), so they never
wait on each other's rows; they commit in order (_Turns)."""


class _Cancelled(Exception):
    """A batch written but not committed because a batch before it failed: rolled back, not reported."""


class _Turns:
    """Batches commit in the order they were built, whichever sender wrote them: a batch waits,
    written, for the batch before it to commit; once one fails, the batches after it roll back and
    the batches before it still commit in their turn. So a failed load leaves exactly the batches
    before the failed one, as with one sender, however the senders' timing falls (a later batch may
    fail before an earlier one reaches its turn)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = 0
        self._failed: int | None = None  # the first batch (in build order) that failed or was drained

    def _cancelled(self, seq: int) -> bool:
        return self._failed is not None and self._failed < seq

    def wait(self, seq: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._next == seq or self._cancelled(seq))
            if self._cancelled(seq):
                raise _Cancelled

    def done(self, seq: int, ok: bool) -> None:
        with self._cond:
            if ok and self._next == seq:
                self._next = seq + 1
            elif not ok:
                self._failed = seq if self._failed is None else min(self._failed, seq)
            self._cond.notify_all()


def _send_batch(
    engine: Engine, md, settings: Settings, item: _Batch, result: LoadResult, counting: threading.Lock, turns: _Turns
):
    """One batch: person rows, contact rows, removed rows and the receipt in one platform
    transaction, committed in its turn (_Turns). Returns the receipt and the batch's record marks,
    for the store (record_receipt)."""
    kind, batch, marks, batch_id, started = item.kind, item.rows, item.marks, item.batch_id, item.started
    tname = ENTITY_TABLES[kind]

    def write(conn: Connection, fast: bool) -> tuple[int, int, int, int, Receipt]:
        if any(r.retired_keys for r in batch):
            # it removes rows loaded before: written only once the batches before it are in, so no
            # batch of this load waits on a row it removes while it waits for that batch's turn
            turns.wait(item.seq)
        if fast:
            ins, upd, same = _pg_load_batch(conn, md, kind, batch, batch_id, started, settings.spec_version, item.premade)
        else:
            ins, upd, same = upsert_batch(
                conn,
                md.tables[tname],
                person_columns(kind, settings.spec_version),
                [r.person(settings.spec_version) for r in batch],
                batch_id,
                started,
            )
            upsert_batch(conn, md.tables["contact_information"], CONTACT_COLUMNS, [r.contact for r in batch], batch_id, started)
        gone = _remove_rows(
            conn, md.tables[tname], sorted({k for r in batch for k in r.retired_keys} - {r.key for r in batch}), batch_id, started
        )
        receipt = Receipt.of(
            batch_id, tname, "load", [(r.key, r.row_hash) for r in batch], ins, upd, same, settings.spec_version, started
        )
        conn.execute(insert(md.tables["load_receipts"]), [receipt.to_row()])
        turns.wait(item.seq)  # commit in turn (the `with` commits on leaving)
        return ins, upd, same, gone, receipt

    fast = engine.dialect.name == "postgresql"
    ok = False
    try:
        try:
            with engine.begin() as conn:
                ins, upd, same, gone, receipt = write(conn, fast)
        except (DBAPIError, psycopg.Error):
            if not fast:
                raise
            # the set-based path says what failed, not where: the typed COPY of the same batch (in a
            # new transaction) names the column and the row, or lands the batch if it was transient
            with engine.begin() as conn:
                ins, upd, same, gone, receipt = write(conn, False)
        ok = True
    except (DBAPIError, psycopg.Error) as e:  # COPY runs on the driver connection: psycopg errors
        raise _batch_error(e, tname, batch, batch_id, result) from e
    finally:
        turns.done(item.seq, ok)
    with counting:  # the senders' threads add to one result
        result.receipts.append(receipt)
        result.inserted += ins
        result.updated += upd
        result.unchanged += same
        result.removed += gone
        result.by_table[tname] = result.by_table.get(tname, 0) + len(batch)
    log.info("batch %s: %s %d rows (%d new, %d updated, %d removed)", batch_id, tname, len(batch), ins, upd, gone)
    return receipt, marks


def _remove_rows(conn: Connection, table: Table, keys: list[str], batch_id: str, now: datetime) -> int:
    """Delete the rows under `keys` (a person's rows from before its records were merged into one),
    their old values kept in record_history; their contact rows go with them (ON DELETE CASCADE)."""
    if not keys:
        return 0
    history = table.metadata.tables["record_history"]
    old = conn.execute(select(table).where(table.c.natural_key.in_(keys))).mappings().all()
    if not old:
        return 0
    contacts = table.metadata.tables["contact_information"]
    link = contacts.c[CONTACT_LINK[next(k for k, t in ENTITY_TABLES.items() if t == table.name)]]
    old_contacts = conn.execute(select(contacts).where(link.in_(keys))).mappings().all()
    conn.execute(
        insert(history),
        [
            {
                "entity_set": t.name,
                "natural_key": o["natural_key"],
                "old_row_hash": o["row_hash"],
                "new_row_hash": None,
                "old_values": {c: (v.isoformat() if isinstance(v, (date, datetime)) else v) for c, v in o.items() if c != "id"},
                "batch_id": batch_id,
                "changed_at": now,
            }
            for t, rows in ((table, old), (contacts, old_contacts))
            for o in rows
        ],
    )
    conn.execute(contacts.delete().where(link.in_(keys)))  # SQLite enforces the cascade only with its pragma
    return conn.execute(table.delete().where(table.c.natural_key.in_(keys))).rowcount


def _sync_institutions(engine: Engine, md, store: Store, settings: Settings, result: LoadResult) -> None:
    """The institution register (InstitutionData) goes to the platform with every load (a few rows)."""
    rows = []
    for code, name in sorted(institutions().items()):
        rows.append((code, name, code[:6], row_hash({"funeral_home_code": code, "name": name})))
    batch_id, started = new_batch_id(), utcnow()
    with engine.begin() as conn:
        ins, upd, same = upsert_batch(conn, md.tables["institution_data"], INSTITUTION_COLUMNS, rows, batch_id, started)
        receipt = Receipt.of(
            batch_id, "institution_data", "load", [(r[0], r[3]) for r in rows], ins, upd, same, settings.spec_version, started
        )
        conn.execute(insert(md.tables["load_receipts"]), [receipt.to_row()])
    record_receipt(store, receipt, settings.platform_db_url, [])
    result.receipts.append(receipt)


def _batch_error(e: Exception, tname: str, batch: list[PlatformRow], batch_id: str, partial: LoadResult) -> LoadError:
    orig = getattr(e, "orig", e)
    diag = getattr(orig, "diag", None)  # psycopg: message without the row's values (CONTEXT holds them)
    reason = (getattr(diag, "message_primary", None) if diag else None) or str(orig).splitlines()[0]
    column = getattr(diag, "column_name", None) if diag else None
    where = ""
    m = re.search(r"line (\d+), column (\w+)", (getattr(diag, "context", None) or "") if diag else "")
    if m and 0 < int(m.group(1)) <= len(batch):  # COPY names the line and column, never shown with its value
        r = batch[int(m.group(1)) - 1]
        column, where = m.group(2), f"; the row of {r.source_file} page {r.source_page} row {r.source_row}"
    files = sorted({r.source_file for r in batch})
    src = f"{files[0]}" + (f" and {len(files) - 1} other file(s)" if len(files) > 1 else "")
    if isinstance(e, OperationalError) or getattr(e, "connection_invalidated", False):
        return LoadError(  # the server went away: not the rows' fault
            f"batch {batch_id} ({len(batch)} {tname} rows from {src}) was not loaded: the platform database stopped "
            f"answering ({mask_text(reason)})",
            partial=partial,
            hint="请重新启动平台数据库后再运行 backfill load；之前的批次已入库 / start the platform database again, "
            "then run `backfill load` again; earlier batches are loaded",
        )
    return LoadError(
        f"batch {batch_id} ({len(batch)} {tname} rows from {src}) was refused by the platform and not loaded: "
        f"{mask_text(reason)}" + (f" (column {column}{where})" if column else ""),
        partial=partial,
        hint="请在审核中改正这些记录（或修正平台）后再运行 backfill load；之前的批次已入库 / fix the records in review "
        "(or the platform), then run `backfill load` again; earlier batches are loaded",
    )


# ---- one batch into one table -------------------------------------------------------------------
def upsert_batch(
    conn: Connection, table: Table, cols: Sequence[str], rows: list[tuple], batch_id: str, now: datetime
) -> tuple[int, int, int]:
    """Upsert `rows` (tuples in `cols` order, unique by the table's natural key, with a row_hash)
    into `table` inside the caller's transaction; a changed row's old values go to record_history.
    Returns (inserted, updated, unchanged)."""
    if not rows:
        return 0, 0, 0
    if conn.dialect.name == "postgresql":
        return _pg_upsert(conn, table, cols, rows, batch_id, now)
    return _sqlite_upsert(conn, table, cols, rows, batch_id, now)


def _pg_upsert(
    conn: Connection, table: Table, cols: Sequence[str], rows: list[tuple], batch_id: str, now: datetime
) -> tuple[int, int, int]:
    """COPY into a temporary staging table, then one INSERT ... ON CONFLICT; identifiers via psycopg.sql."""
    from psycopg import sql

    key = KEY_COLUMN[table.name]
    raw = conn.connection.driver_connection  # psycopg 3 connection, same transaction
    assert raw is not None  # None only once the connection is closed
    target, stage, k = sql.Identifier(table.name), sql.Identifier(f"stage_{table.name}"), sql.Identifier(key)
    col_list = sql.SQL(", ").join(map(sql.Identifier, cols))
    all_cols = sql.SQL(", ").join(map(sql.Identifier, (*cols, *BATCH_COLUMNS)))
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in (*cols, "batch_id", "updated_at") if c != key
    )
    with raw.cursor() as cur:
        cur.execute(
            sql.SQL("CREATE TEMP TABLE IF NOT EXISTS {} ON COMMIT DELETE ROWS AS SELECT {} FROM {} WITH NO DATA").format(
                stage, col_list, target
            )
        )
        with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(stage, col_list)) as cp:
            for r in rows:
                cp.write_row(r)
        cur.execute(
            sql.SQL(
                "SELECT count(t.{k}), count(*) FILTER (WHERE t.row_hash <> s.row_hash) "
                "FROM {s} s LEFT JOIN {t} t ON t.{k} = s.{k}"
            ).format(k=k, s=stage, t=target)
        )
        existing, changed = cur.fetchone()
        if changed:
            cur.execute(
                sql.SQL(
                    "INSERT INTO record_history (entity_set, natural_key, old_row_hash, new_row_hash, old_values, batch_id, "
                    "changed_at) SELECT %s, t.{k}, t.row_hash, s.row_hash, (to_jsonb(t) - 'id')::json, %s, %s "
                    "FROM {s} s JOIN {t} t ON t.{k} = s.{k} WHERE t.row_hash <> s.row_hash"
                ).format(k=k, s=stage, t=target),
                (table.name, batch_id, now),
            )
        if changed or existing < len(rows):
            cur.execute(
                sql.SQL(
                    "INSERT INTO {t} ({all}) SELECT {cols}, %s, %s, %s FROM {s} ON CONFLICT ({k}) DO UPDATE "
                    "SET {upd} WHERE {t}.row_hash IS DISTINCT FROM EXCLUDED.row_hash"
                ).format(t=target, all=all_cols, cols=col_list, s=stage, k=k, upd=updates),
                (batch_id, now, now),
            )
        cur.execute(sql.SQL("TRUNCATE {}").format(stage))
    return len(rows) - existing, changed, existing - changed


_STAGE_COLUMNS = (
    "natural_key",
    "row_hash",
    "source_file_sha256",
    "source_file",
    "source_page",
    "source_row",
    "source_records",
    "contact_hash",
    "contact_name",
    "contact_phone",
    "contact_relation",
    "v",
)


def _copy_rows(cp: Any, rows: Iterable[Sequence[Any]]) -> None:
    """Rows (str, int or None values) into an open COPY, one write_row each: psycopg's C formatter
    (psycopg-binary) escapes and encodes the values into COPY's text format, 2.3 times faster than
    joining each line in Python (measured on the loader's rows), and buffers them into large messages."""
    write = cp.write_row
    for r in rows:
        write(r)


def _person_text(rows: list[PlatformRow], spec_version: str, stamp: tuple[str, str, str]) -> bytes:
    """Person rows made from their records' load_text, as COPY text in person_columns + BATCH_COLUMNS
    order: the row's own text between the key and the provenance (what _copy_rows would write for
    r.person(spec_version) + stamp; a row of its own has no source_records)."""
    spec, tail = copy_text(spec_version), "\t".join(map(copy_text, stamp))
    files: dict[str, str] = {}
    out = []
    for r in rows:
        rel = files.get(r.source_file)
        if rel is None:
            rel = files[r.source_file] = copy_text(r.source_file)
        out.append(
            f"{r.key}\t{r.text}\t{r.source_sha256}\t{rel}\t{r.source_page}\t{r.source_row}\t\\N\t{spec}\t{r.row_hash}\t{tail}\n"
        )
    return "".join(out).encode()


def _contact_text(rows: list[PlatformRow], kind: str, stamp: tuple[str, str, str]) -> bytes:
    """Contact rows of rows made from load_text, as COPY text in CONTACT_COLUMNS + BATCH_COLUMNS order."""
    role = copy_text(CONTACT_FIELDS[kind][0])
    tail = "\t".join(map(copy_text, stamp))
    if kind == "cremation":
        return "".join([f"{r.key}|{role}\t{r.key}\t\\N\t{role}\t{r.ctext}\t{r.contact_hash}\t{tail}\n" for r in rows]).encode()
    return "".join([f"{r.key}|{role}\t\\N\t{r.key}\t{role}\t{r.ctext}\t{r.contact_hash}\t{tail}\n" for r in rows]).encode()


def _pg_load_batch(
    conn: Connection,
    md,
    kind: str,
    rows: list[PlatformRow],
    batch_id: str,
    now: datetime,
    spec_version: str,
    premade: _Premade | None = None,
) -> tuple[int, int, int]:
    """The loader's PostgreSQL path for one batch, set-based. One query asks which of the batch's keys
    are there with which hash (no table lock: the loader's own senders write disjoint keys at once, and
    a row another writer adds between the question and the COPY breaks the natural key's unique index,
    so the batch is written again by the typed path, which decides row by row: _send_batch). Rows the platform does not have are COPYed straight
    into the person and contact tables (typed text, the cheapest way into PostgreSQL); changed rows
    are COPYed into a staging table (values as one JSON text each) and written by one INSERT ... ON
    CONFLICT per table that types them on the server (json_populate_record), their old values kept
    in record_history first. Unchanged rows are not sent. Returns (inserted, updated, unchanged)."""
    from psycopg import sql

    if not rows:
        return 0, 0, 0
    tname = ENTITY_TABLES[kind]
    target, contacts = sql.Identifier(tname), sql.Identifier("contact_information")
    raw = conn.connection.driver_connection  # psycopg 3 connection, same transaction
    assert raw is not None  # None only once the connection is closed
    with raw.cursor() as cur:
        cur.execute(
            # the keys as one JSON text (one C call; psycopg's list dumper quotes 5 000 keys in Python)
            sql.SQL(
                "SELECT t.natural_key, t.row_hash FROM json_array_elements_text(%s::json) k (key) "
                "JOIN {} t ON t.natural_key = k.key"
            ).format(target),
            (orjson.dumps([r.key for r in rows]).decode(),),
        )
        there = dict(cur.fetchall())
        new = [r for r in rows if r.key not in there]
        changed = [r for r in rows if r.key in there and there[r.key] != r.row_hash]
        stamp = (batch_id, now.isoformat(), now.isoformat())
        if new:
            # rows made when their records were written go as their own text (made before the batch was
            # sent where they are exactly the rows found new); the others through psycopg's writer
            utf8 = raw.info.encoding == "utf-8"
            if utf8 and premade is not None and len(premade.rows) == len(new) and all(a is b for a, b in zip(premade.rows, new)):
                person_text, contact_text, other = premade.person, premade.contact, []
            else:
                made = [r for r in new if r.text is not None] if utf8 else []  # text only for this load's spec version
                other = [r for r in new if r.text is None] if made else new
                person_text = _person_text(made, spec_version, stamp) if made else b""
                contact_text = _contact_text(made, kind, stamp) if made else b""
            cols = (*person_columns(kind, spec_version), *BATCH_COLUMNS)
            with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, sql.SQL(", ").join(map(sql.Identifier, cols)))) as cp:
                if person_text:
                    cp.write(person_text)
                _copy_rows(cp, (r.person(spec_version) + stamp for r in other))
            with cur.copy(
                sql.SQL("COPY {} ({}) FROM STDIN").format(
                    contacts, sql.SQL(", ").join(map(sql.Identifier, (*CONTACT_COLUMNS, *BATCH_COLUMNS)))
                )
            ) as cp:
                if contact_text:
                    cp.write(contact_text)
                _copy_rows(cp, (r.contact + stamp for r in other))
        if changed:
            _pg_update_rows(cur, kind, changed, batch_id, now, spec_version)
    return len(new), len(changed), len(rows) - len(new) - len(changed)


def _pg_update_rows(cur, kind: str, rows: list[PlatformRow], batch_id: str, now: datetime, spec_version: str) -> None:
    """Rows the platform holds with another hash: old values to record_history, then the new values
    through a staging table (values as JSON, typed on the server) and INSERT ... ON CONFLICT."""
    from psycopg import sql

    tname = ENTITY_TABLES[kind]
    target, contacts = sql.Identifier(tname), sql.Identifier("contact_information")
    stage = sql.Identifier("load_stage")
    cur.execute(
        sql.SQL(
            "CREATE TEMP TABLE IF NOT EXISTS {} (natural_key text, row_hash text, source_file_sha256 text, source_file text, "
            "source_page integer, source_row integer, source_records text, contact_hash text, contact_name text, "
            "contact_phone text, contact_relation text, v json) ON COMMIT DELETE ROWS"
        ).format(stage)
    )
    role, cf = CONTACT_FIELDS[kind]
    name_f, phone_f, rel_f = cf["name"], cf["phone"], cf["relation_code"]
    with cur.copy(
        sql.SQL("COPY {} ({}) FROM STDIN").format(stage, sql.SQL(", ").join(map(sql.Identifier, _STAGE_COLUMNS)))
    ) as cp:
        _copy_rows(
            cp,
            (
                (
                    r.key,
                    r.row_hash,
                    r.source_sha256,
                    r.source_file,
                    r.source_page,
                    r.source_row,
                    r.source_records,
                    r.contact_hash,
                    r.values.get(name_f),
                    r.values.get(phone_f),
                    r.values.get(rel_f),
                    r.values_json.decode(),
                )
                for r in rows
            ),
        )
    key_link = CONTACT_LINK[kind]
    cur.execute(
        sql.SQL(
            "INSERT INTO record_history (entity_set, natural_key, old_row_hash, new_row_hash, old_values, batch_id, changed_at) "
            "SELECT %s, t.natural_key, t.row_hash, s.row_hash, (to_jsonb(t) - 'id')::json, %s, %s "
            "FROM {s} s JOIN {t} t ON t.natural_key = s.natural_key WHERE t.row_hash <> s.row_hash "
            "UNION ALL SELECT 'contact_information', c.natural_key, c.row_hash, s.contact_hash, (to_jsonb(c) - 'id')::json, %s, %s "
            "FROM {s} s JOIN {c} c ON c.natural_key = s.natural_key || %s WHERE c.row_hash <> s.contact_hash"
        ).format(s=stage, t=target, c=contacts),
        (tname, batch_id, now, batch_id, now, "|" + role),
    )
    fields = spec_names(spec_version, kind)[0]
    cols = (*person_columns(kind, spec_version), *BATCH_COLUMNS)
    values = [
        sql.SQL("s.natural_key"),
        *(sql.SQL("r.{}").format(sql.Identifier(f)) for f in fields),
        *(sql.SQL("s.{}").format(sql.Identifier(c)) for c in (*PROVENANCE, "source_records")),
        sql.Placeholder(),
        sql.SQL("s.row_hash"),
        sql.Placeholder(),
        sql.Placeholder(),
        sql.Placeholder(),
    ]
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in cols if c not in ("natural_key", "loaded_at")
    )
    cur.execute(
        sql.SQL(
            "INSERT INTO {t} ({cols}) SELECT {vals} FROM {s} s CROSS JOIN LATERAL json_populate_record(NULL::{t}, s.v) r "
            "ON CONFLICT (natural_key) DO UPDATE SET {upd} WHERE {t}.row_hash IS DISTINCT FROM EXCLUDED.row_hash"
        ).format(
            t=target, cols=sql.SQL(", ").join(map(sql.Identifier, cols)), vals=sql.SQL(", ").join(values), s=stage, upd=updates
        ),
        (spec_version, batch_id, now, now),
    )
    ccols = ("natural_key", key_link, "role", "name", "phone", "relation_code", "row_hash", *BATCH_COLUMNS)
    cupd = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c))
        for c in (*CONTACT_COLUMNS, "batch_id", "updated_at")
        if c != "natural_key"
    )
    cur.execute(
        sql.SQL(
            "INSERT INTO {c} ({cols}) SELECT s.natural_key || %s, s.natural_key, %s, s.contact_name, s.contact_phone, "
            "s.contact_relation, s.contact_hash, %s, %s, %s FROM {s} s ON CONFLICT (natural_key) DO UPDATE SET {upd} "
            "WHERE {c}.row_hash IS DISTINCT FROM EXCLUDED.row_hash"
        ).format(c=contacts, cols=sql.SQL(", ").join(map(sql.Identifier, ccols)), s=stage, upd=cupd),
        ("|" + role, role, batch_id, now, now),
    )
    cur.execute(sql.SQL("TRUNCATE {}").format(stage))


def _converters(table: Table, cols: Sequence[str]):
    def conv(col):
        t = table.c[col].type
        if isinstance(t, Date):
            return lambda v: v if v is None or isinstance(v, date) else date.fromisoformat(str(v))
        if isinstance(t, Integer):
            return lambda v: v if v is None else int(v)
        return None

    return [conv(c) for c in cols]


def _sqlite_upsert(
    conn: Connection, table: Table, cols: Sequence[str], rows: list[tuple], batch_id: str, now: datetime
) -> tuple[int, int, int]:
    key = KEY_COLUMN[table.name]
    k_idx, h_idx = cols.index(key), cols.index("row_hash")
    existing: dict[str, str] = {}
    keys = [r[k_idx] for r in rows]
    for i in range(0, len(keys), 900):
        existing.update(conn.execute(select(table.c[key], table.c.row_hash).where(table.c[key].in_(keys[i : i + 900]))).all())
    changed = [r for r in rows if r[k_idx] in existing and existing[r[k_idx]] != r[h_idx]]
    new = [r for r in rows if r[k_idx] not in existing]
    if changed:
        history = table.metadata.tables["record_history"]
        changed_keys = [r[k_idx] for r in changed]
        new_hash = {r[k_idx]: r[h_idx] for r in changed}
        old_rows: list[Any] = []
        for i in range(0, len(changed_keys), 900):
            old_rows += conn.execute(select(table).where(table.c[key].in_(changed_keys[i : i + 900]))).mappings().all()
        conn.execute(
            insert(history),
            [
                {
                    "entity_set": table.name,
                    "natural_key": o[key],
                    "old_row_hash": o["row_hash"],
                    "new_row_hash": new_hash[o[key]],
                    "old_values": {
                        c: (v.isoformat() if isinstance(v, (date, datetime)) else v) for c, v in o.items() if c != "id"
                    },
                    "batch_id": batch_id,
                    "changed_at": now,
                }
                for o in old_rows
            ],
        )
    todo = new + changed
    if todo:
        convs = _converters(table, cols)
        dicts = []
        for r in todo:
            d = {c: (f(v) if f else v) for c, f, v in zip(cols, convs, r)}
            d.update(batch_id=batch_id, loaded_at=now, updated_at=now)
            dicts.append(d)
        stmt = sqlite_insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[key], set_={c: stmt.excluded[c] for c in (*cols, "batch_id", "updated_at") if c != key}
        )
        conn.execute(stmt, dicts)
    return len(new), len(changed), len(rows) - len(new) - len(changed)
