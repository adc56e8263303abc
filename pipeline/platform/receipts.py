"""Receipts for loaded batches, kept on both sides, and `reconcile`: the store against the platform.

A receipt names one batch (its id), the entity set, the counts inserted / updated / unchanged, the
sha256 over the batch's sorted (natural key, row hash) pairs, and when it ran. The platform keeps
it in load_receipts (same transaction as the rows), the working store in platform_receipts (same
transaction as marking the records loaded).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Sequence

import orjson
from sqlalchemy import DateTime
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from pipeline.kernel.config import mask_url
from pipeline.kernel.store import LoadedRecord, PlatformReceipt, Store, utcnow


def new_batch_id() -> str:
    """Sortable and unique: UTC time to the millisecond plus 8 random hex digits."""
    now = utcnow()
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}-" + secrets.token_hex(4)


def batch_sha256(pairs: Sequence[tuple[str, str]]) -> str:
    """sha256 over the batch's rows: 'natural key<TAB>row hash' lines, sorted, joined by newlines."""
    return hashlib.sha256("".join([f"{key}\t{rh}\n" for key, rh in sorted(pairs)]).encode()).hexdigest()


@dataclass(frozen=True)
class Receipt:
    batch_id: str
    entity_set: str
    origin: str  # load / import
    records: int
    inserted: int
    updated: int
    unchanged: int
    sha256: str
    spec_version: str
    started_at: datetime
    finished_at: datetime

    @classmethod
    def of(
        cls,
        batch_id: str,
        entity_set: str,
        origin: str,
        pairs: Sequence[tuple[str, str]],
        inserted: int,
        updated: int,
        unchanged: int,
        spec_version: str,
        started_at: datetime,
    ) -> "Receipt":
        return cls(
            batch_id,
            entity_set,
            origin,
            len(pairs),
            inserted,
            updated,
            unchanged,
            batch_sha256(pairs),
            spec_version,
            started_at,
            utcnow(),
        )

    def to_row(self) -> dict:
        return asdict(self)


def record_receipt(
    store: Store, receipt: Receipt, platform_url: str, done: Sequence[tuple[int, str, str, str | None, str | None]]
) -> None:
    """Keep the platform's receipt in the store and mark the batch's records loaded (LoadedRecord),
    in one transaction.

    `done`: (record id, natural key and row hash it was loaded as, hash and key the store had
    marked before); records already marked the same are not written again."""
    row = {k: v for k, v in receipt.to_row().items() if k != "origin"}
    at = utcnow()
    todo = [d for d in done if (d[3], d[4]) != (d[2], d[1])]
    with store.session() as s, s.begin():
        s.add(PlatformReceipt(platform=mask_url(platform_url), record_ids=[d[0] for d in done], **row))
        if not todo:
            return
        conn = s.connection()  # a narrow table: one small row per record, the wide records rows are never rewritten
        if conn.dialect.name == "sqlite":
            _mark_sqlite(conn, receipt.batch_id, at, todo)
        else:
            ins = pg_insert(LoadedRecord)
            stmt = ins.on_conflict_do_update(index_elements=["record_id"], set_={c: ins.excluded[c] for c in _LOADED_COLUMNS[1:]})
            # the driver's executemany with the statement SQLAlchemy compiled (the fastest path)
            compiled = stmt.compile(dialect=conn.dialect)
            at_db = DateTime(timezone=True).bind_processor(conn.dialect)
            at_value = at_db(at) if at_db else at
            params = [(rid, key, h, receipt.batch_id, at_value) for rid, key, h, _, _ in todo]
            conn.exec_driver_sql(str(compiled), [dict(zip(_LOADED_COLUMNS, p)) for p in params])  # psycopg: named


_LOADED_COLUMNS = ("record_id", "natural_key", "row_hash", "batch_id", "loaded_at")


def _mark_sqlite(conn: Connection, batch_id: str, at: datetime, todo: Sequence[tuple[int, str, str, Any, Any]]) -> None:
    """Mark a batch's records loaded in a SQLite store with one statement: the (record, key, hash)
    triples go as one JSON array that SQLite unpacks itself (json_each), so the upsert of 5 000 rows
    runs inside SQLite, not as 5 000 parameter sets bound from Python (executemany was two thirds of
    the receipt thread's time). `loaded_at` is written as before: sqlite3's own text for a datetime."""
    stamp = at.isoformat(" ")  # what sqlite3's datetime adapter wrote for each row of the executemany
    triples = orjson.dumps([(rid, key, h) for rid, key, h, _, _ in todo]).decode()
    conn.exec_driver_sql(
        "INSERT INTO loaded_records (record_id, natural_key, row_hash, batch_id, loaded_at) "
        "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), ?, ? "
        "FROM json_each(?) WHERE true "  # WHERE: SQLite's upsert after a SELECT needs it to parse
        "ON CONFLICT (record_id) DO UPDATE SET natural_key = excluded.natural_key, row_hash = excluded.row_hash, "
        "batch_id = excluded.batch_id, loaded_at = excluded.loaded_at",
        (batch_id, stamp, triples),
    )
