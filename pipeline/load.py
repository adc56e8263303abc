"""Bulk load of auto-accepted and approved records into the provincial platform database.

Tables are the MZ/T 141 entity sets (pipeline.platform_schema, created by migrations). A record's
natural key (SPEC.md) decides insert or update: certificate number, else ID number + event date,
else the source key. Records go in batches; each batch is one transaction on the platform that
writes the person rows, their contact rows, the old values of every row it changes
(record_history) and its receipt (load_receipts): a batch lands whole or not at all. After the
platform committed, the working store keeps the same receipt and marks the batch's records loaded.

On PostgreSQL a batch is COPYed into a temporary staging table and written with one
INSERT ... ON CONFLICT per table; on SQLite it is one executemany upsert per table.
"""
from __future__ import annotations

import hashlib
import logging
import queue
import threading
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterator, Sequence

import orjson
import psycopg
from sqlalchemy import Date, Integer, Table, Text, insert, select, type_coerce
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from pipeline.config import Settings, mask_url
from pipeline.errors import DatabaseError
from pipeline.platform_schema import (
    CONTACT_FIELDS,
    CONTACT_LINK,
    ENTITY_TABLES,
    KEY_COLUMN,
    PROVENANCE,
    institutions,
    open_platform,
    person_fields,
)
from pipeline.privacy import mask_text
from pipeline.receipts import Receipt, new_batch_id, record_receipt
from pipeline.routing import LOADABLE
from pipeline.store import Page, Record, SourceFile, Store, utcnow

log = logging.getLogger(__name__)

EVENT_DATE = {"cremation": "cremation_date", "sea_burial": "scattering_date"}
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
    home = values.get("funeral_home_code") or "?"
    if values.get("cremation_cert_no") and kind == "cremation":
        return f"{home}|cert|{values['cremation_cert_no']}"
    event = values.get(EVENT_DATE[kind])
    if values.get("id_number") and event:
        return f"{home}|id|{values['id_number']}|{event}"
    if kind == "sea_burial" and values.get("cremation_cert_no"):
        return f"{home}|cert|{values['cremation_cert_no']}|{event}"
    sha, page, row = source
    return f"src|{sha}|{page}|{row}"


def row_hash(values: dict[str, Any]) -> str:
    """sha256 of a record's spec values (canonical JSON: sorted keys, UTF-8)."""
    return hashlib.sha256(orjson.dumps(values, option=orjson.OPT_SORT_KEYS)).hexdigest()


def person_columns(kind: str, spec_version: str) -> tuple[str, ...]:
    """Columns of a built person row, in order (the batch adds BATCH_COLUMNS)."""
    return ("natural_key", *(f.name for f in person_fields(spec_version, kind)), *PROVENANCE, "spec_version", "row_hash")


@dataclass(frozen=True, slots=True)
class PlatformRow:
    """The platform rows one store record becomes: its person row and its contact row."""

    kind: str
    key: str
    row_hash: str
    person: tuple      # values in person_columns(kind) order
    contact: tuple     # values in CONTACT_COLUMNS order
    funeral_home_code: str | None
    source_file: str
    source_page: int
    source_row: int


@dataclass(frozen=True, slots=True)
class BuiltRecord:
    record_id: int
    loaded_hash: str | None  # what the store says it last loaded
    row: PlatformRow


def build_rows(store: Store, settings: Settings, statuses: Sequence[str] = LOADABLE) -> Iterator[BuiltRecord]:
    """Every loadable record of the store as platform rows, in ledger order (file, page, row).

    The one place that turns a stored record into platform rows: the loader, reconcile and the
    bench use it."""
    spec_version = settings.spec_version
    fields_of = {k: tuple(f.name for f in person_fields(spec_version, k)) for k in ENTITY_TABLES}
    spec_names = {k: frozenset(fields_of[k]) | frozenset(CONTACT_FIELDS[k][1].values()) for k in ENTITY_TABLES}
    q = (
        select(Record.id, Record.ledger_kind, type_coerce(Record.fields, Text), Record.loaded_hash, Record.row_no,
               Page.page_no, SourceFile.sha256, SourceFile.rel_path)
        .join(Page, Record.page_id == Page.id)
        .join(SourceFile, Page.file_id == SourceFile.id)
        .where(Record.status.in_(list(statuses)))
        .order_by(SourceFile.rel_path, Page.page_no, Record.row_no)
    )
    loads = orjson.loads
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(q)
        for rid, kind, raw, loaded_hash, row_no, page_no, sha, rel in result:
            if kind not in ENTITY_TABLES:
                continue
            fields = loads(raw) if isinstance(raw, (str, bytes)) else raw
            names = spec_names[kind]
            values = {name: fv.get("value") for name, fv in fields.items() if name in names}
            key = natural_key(kind, values, (sha, page_no, row_no))
            h = row_hash(values)
            get = values.get
            person = (key, *[get(f) for f in fields_of[kind]], sha, rel, page_no, row_no, spec_version, h)
            role, cf = CONTACT_FIELDS[kind]
            name, phone, rel_code = get(cf["name"]), get(cf["phone"]), get(cf["relation_code"])
            ch = hashlib.sha256(orjson.dumps((name, phone, rel_code))).hexdigest()
            link = (key, None) if kind == "cremation" else (None, key)
            contact = (f"{key}|{role}", *link, role, name, phone, rel_code, ch)
            yield BuiltRecord(rid, loaded_hash, PlatformRow(kind, key, h, person, contact, get("funeral_home_code"),
                                                            rel, page_no, row_no))


@dataclass
class LoadResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    by_table: dict[str, int] = field(default_factory=dict)
    receipts: list[Receipt] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


def load(store: Store, settings: Settings, *, batch_size: int = 5000) -> LoadResult:
    """Load every loadable record into the platform. Idempotent: a second load inserts nothing.

    One platform row per natural key (the same person twice in a ledger is one row; the later
    record wins). Raises LoadError when the platform refuses a batch; the batches before it stay
    loaded, with their receipts, and the failed batch's records are not marked loaded.

    The platform's work on a batch overlaps the store's bookkeeping of the batch before it (two
    threads); batches commit one after another, in order."""
    url = settings.platform_db_url
    engine, md = open_platform(url, settings.spec_version)
    result = LoadResult()
    todo: queue.Queue = queue.Queue(maxsize=2)     # batches built, for the platform
    receipts: queue.Queue = queue.Queue(maxsize=4)  # batches the platform committed, for the store
    failure: list[BaseException] = []

    def send() -> None:
        while (item := todo.get()) is not None:
            if failure:
                continue  # drain: a refused batch stops the load
            try:
                receipts.put(_send_batch(engine, md, settings, *item, result))
            except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
                failure.append(e)

    def keep() -> None:  # every batch the platform committed gets its receipt in the store, failure or not
        while (item := receipts.get()) is not None:
            try:
                record_receipt(store, item[0], url, item[1])
            except BaseException as e:  # noqa: BLE001
                failure.append(e)

    try:
        _sync_institutions(engine, md, store, settings, result)
        sender = threading.Thread(target=send, name="platform-load", daemon=True)
        keeper = threading.Thread(target=keep, name="store-receipts", daemon=True)
        sender.start()
        keeper.start()
        try:
            for kind, batch, recs in _batches(store, settings, batch_size):
                if failure:
                    break
                todo.put((kind, batch, recs))
        finally:
            todo.put(None)
            sender.join()
            receipts.put(None)
            keeper.join()
    finally:
        engine.dispose()
    if failure:
        raise failure[0]
    return result


def _batches(store: Store, settings: Settings, batch_size: int):
    """(kind, rows, records by key) per batch, one row per natural key over the whole load: a key
    seen twice keeps its later record's row, so a load sends each key once and a second load is a
    no-op (sending the rows in ledger order as they come would flip such a row at every load)."""
    pending: dict[str, dict[str, PlatformRow]] = {k: {} for k in ENTITY_TABLES}
    records: dict[str, dict[str, list[tuple[int, str, str | None]]]] = {k: defaultdict(list) for k in ENTITY_TABLES}
    for b in build_rows(store, settings):
        pending[b.row.kind][b.row.key] = b.row
        records[b.row.kind][b.row.key].append((b.record_id, b.row.row_hash, b.loaded_hash))
    for kind, rows in pending.items():
        items = list(rows.values())
        for i in range(0, len(items), batch_size):
            yield kind, items[i : i + batch_size], records[kind]


def _send_batch(engine: Engine, md, settings: Settings, kind: str, batch: list[PlatformRow],
                records: dict[str, list[tuple[int, str, str | None]]], result: LoadResult):
    """One batch: person rows, contact rows and the receipt in one platform transaction. Returns
    the receipt and the batch's records, for the store (see record_receipt)."""
    tname = ENTITY_TABLES[kind]
    table, contacts = md.tables[tname], md.tables["contact_information"]
    batch_id, started = new_batch_id(), utcnow()
    try:
        with engine.begin() as conn:
            ins, upd, same = upsert_batch(conn, table, person_columns(kind, settings.spec_version),
                                          [r.person for r in batch], batch_id, started)
            upsert_batch(conn, contacts, CONTACT_COLUMNS, [r.contact for r in batch], batch_id, started)
            receipt = Receipt.of(batch_id, tname, "load", [(r.key, r.row_hash) for r in batch], ins, upd, same,
                                 settings.spec_version, started)
            conn.execute(insert(md.tables["load_receipts"]), [receipt.to_row()])
    except (DBAPIError, psycopg.Error) as e:  # COPY runs on the driver connection: psycopg errors
        raise _batch_error(e, tname, batch, batch_id, result) from e
    result.receipts.append(receipt)
    result.inserted += ins
    result.updated += upd
    result.unchanged += same
    result.by_table[tname] = result.by_table.get(tname, 0) + len(batch)
    log.info("batch %s: %s %d rows (%d new, %d updated)", batch_id, tname, len(batch), ins, upd)
    return receipt, [rec for r in batch for rec in records[r.key]]


def _sync_institutions(engine: Engine, md, store: Store, settings: Settings, result: LoadResult) -> None:
    """The institution register (InstitutionData) goes to the platform with every load (a few rows)."""
    rows = []
    for code, name in sorted(institutions().items()):
        rows.append((code, name, code[:6], row_hash({"funeral_home_code": code, "name": name})))
    batch_id, started = new_batch_id(), utcnow()
    with engine.begin() as conn:
        ins, upd, same = upsert_batch(conn, md.tables["institution_data"], INSTITUTION_COLUMNS, rows, batch_id, started)
        receipt = Receipt.of(batch_id, "institution_data", "load", [(r[0], r[3]) for r in rows], ins, upd, same,
                             settings.spec_version, started)
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
    return LoadError(
        f"batch {batch_id} ({len(batch)} {tname} rows from {src}) was refused by the platform and not loaded: "
        f"{mask_text(reason)}" + (f" (column {column}{where})" if column else ""),
        partial=partial,
        hint="fix the records in review (or the platform), then run `backfill load` again; earlier batches are loaded",
    )


# ---- one batch into one table -------------------------------------------------------------------
def upsert_batch(conn: Connection, table: Table, cols: Sequence[str], rows: list[tuple], batch_id: str,
                 now: datetime) -> tuple[int, int, int]:
    """Upsert `rows` (tuples in `cols` order, unique by the table's natural key, with a row_hash)
    into `table` inside the caller's transaction; a changed row's old values go to record_history.
    Returns (inserted, updated, unchanged)."""
    if not rows:
        return 0, 0, 0
    if conn.dialect.name == "postgresql":
        return _pg_upsert(conn, table, cols, rows, batch_id, now)
    return _sqlite_upsert(conn, table, cols, rows, batch_id, now)


def _pg_upsert(conn: Connection, table: Table, cols: Sequence[str], rows: list[tuple], batch_id: str,
               now: datetime) -> tuple[int, int, int]:
    """COPY into a temporary staging table, then one INSERT ... ON CONFLICT; identifiers via psycopg.sql."""
    from psycopg import sql

    key = KEY_COLUMN[table.name]
    raw = conn.connection.driver_connection  # psycopg 3 connection, same transaction
    target, stage, k = sql.Identifier(table.name), sql.Identifier(f"stage_{table.name}"), sql.Identifier(key)
    col_list = sql.SQL(", ").join(map(sql.Identifier, cols))
    all_cols = sql.SQL(", ").join(map(sql.Identifier, (*cols, *BATCH_COLUMNS)))
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in (*cols, "batch_id", "updated_at") if c != key)
    with raw.cursor() as cur:
        cur.execute(sql.SQL("CREATE TEMP TABLE IF NOT EXISTS {} ON COMMIT DELETE ROWS AS SELECT {} FROM {} WITH NO DATA")
                    .format(stage, col_list, target))
        with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(stage, col_list)) as cp:
            for r in rows:
                cp.write_row(r)
        cur.execute(sql.SQL("SELECT count(t.{k}), count(*) FILTER (WHERE t.row_hash <> s.row_hash) "
                            "FROM {s} s LEFT JOIN {t} t ON t.{k} = s.{k}").format(k=k, s=stage, t=target))
        existing, changed = cur.fetchone()
        if changed:
            cur.execute(sql.SQL(
                "INSERT INTO record_history (entity_set, natural_key, old_row_hash, new_row_hash, old_values, batch_id, "
                "changed_at) SELECT %s, t.{k}, t.row_hash, s.row_hash, (to_jsonb(t) - 'id')::json, %s, %s "
                "FROM {s} s JOIN {t} t ON t.{k} = s.{k} WHERE t.row_hash <> s.row_hash").format(k=k, s=stage, t=target),
                (table.name, batch_id, now))
        if changed or existing < len(rows):
            cur.execute(sql.SQL("INSERT INTO {t} ({all}) SELECT {cols}, %s, %s, %s FROM {s} ON CONFLICT ({k}) DO UPDATE "
                                "SET {upd} WHERE {t}.row_hash IS DISTINCT FROM EXCLUDED.row_hash").format(
                t=target, all=all_cols, cols=col_list, s=stage, k=k, upd=updates), (batch_id, now, now))
        cur.execute(sql.SQL("TRUNCATE {}").format(stage))
    return len(rows) - existing, changed, existing - changed


def _converters(table: Table, cols: Sequence[str]):
    def conv(col):
        t = table.c[col].type
        if isinstance(t, Date):
            return lambda v: v if v is None or isinstance(v, date) else date.fromisoformat(str(v))
        if isinstance(t, Integer):
            return lambda v: v if v is None else int(v)
        return None

    return [conv(c) for c in cols]


def _sqlite_upsert(conn: Connection, table: Table, cols: Sequence[str], rows: list[tuple], batch_id: str,
                   now: datetime) -> tuple[int, int, int]:
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
        old_rows = []
        for i in range(0, len(changed_keys), 900):
            old_rows += conn.execute(select(table).where(table.c[key].in_(changed_keys[i : i + 900]))).mappings().all()
        conn.execute(insert(history), [
            {"entity_set": table.name, "natural_key": o[key], "old_row_hash": o["row_hash"], "new_row_hash": new_hash[o[key]],
             "old_values": {c: (v.isoformat() if isinstance(v, (date, datetime)) else v) for c, v in o.items() if c != "id"},
             "batch_id": batch_id, "changed_at": now}
            for o in old_rows])
    todo = new + changed
    if todo:
        convs = _converters(table, cols)
        dicts = []
        for r in todo:
            d = {c: (f(v) if f else v) for c, f, v in zip(cols, convs, r)}
            d.update(batch_id=batch_id, loaded_at=now, updated_at=now)
            dicts.append(d)
        stmt = sqlite_insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=[key], set_={c: stmt.excluded[c] for c in (*cols, "batch_id", "updated_at") if c != key})
        conn.execute(stmt, dicts)
    return len(new), len(changed), len(rows) - len(new) - len(changed)

