"""Bulk load of auto-accepted and approved records into the provincial platform database.

Tables are named after the MZ/T 141 entity sets. A record's natural key (SPEC.md) decides
insert or update: certificate number, else ID number + event date, else the source key.
Each batch is one transaction; on PostgreSQL the batch goes through COPY into a temporary
staging table and one INSERT ... ON CONFLICT upsert.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, Text, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from mapping.spec import load_spec
from pipeline.config import Settings, mask_url
from pipeline.errors import DatabaseError
from pipeline.routing import LOADABLE
from pipeline.store import Record, Store, make_engine, utcnow

log = logging.getLogger(__name__)

ENTITY_TABLES = {"cremation": "dead_information", "sea_burial": "sea_burial_registration"}
EVENT_DATE = {"cremation": "cremation_date", "sea_burial": "scattering_date"}
PROVENANCE = ("source_file_sha256", "source_file", "source_page", "source_row")


def _sql_type(ftype: str):
    return {"int": Integer, "date": Date}.get(ftype, Text)


def platform_metadata(spec_version: str) -> MetaData:
    spec = load_spec(spec_version)
    md = MetaData()
    for kind, table_name in ENTITY_TABLES.items():
        cols = [
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("natural_key", String(200), nullable=False, unique=True),
        ]
        cols += [Column(f.name, _sql_type(f.type)) for f in spec.kinds[kind].fields]
        cols += [
            Column("source_file_sha256", String(64)), Column("source_file", Text),
            Column("source_page", Integer), Column("source_row", Integer),
            Column("spec_version", String(40)), Column("row_hash", String(64), nullable=False),
            Column("loaded_at", DateTime(timezone=True)), Column("updated_at", DateTime(timezone=True)),
        ]
        Table(table_name, md, *cols)
    return md


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
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass
class LoadResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    by_table: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


def open_platform(url: str, spec_version: str) -> tuple[Engine, MetaData]:
    engine = make_engine(url)
    md = platform_metadata(spec_version)
    try:
        md.create_all(engine)
    except OperationalError as e:
        raise DatabaseError(f"cannot open the platform database at {mask_url(url)}: {e.orig}",
                            hint="check --platform / BACKFILL_PLATFORM_URL") from e
    return engine, md


def _coerce(value: Any, col: Column) -> Any:
    if value is None:
        return None
    if isinstance(col.type, Date):
        return date.fromisoformat(str(value))
    if isinstance(col.type, Integer):
        return int(value)
    return str(value)


def load(store: Store, settings: Settings, *, batch_size: int = 5000) -> LoadResult:
    """Load every loadable record that is new or changed since its last load. Idempotent."""
    engine, md = open_platform(settings.platform_db_url, settings.spec_version)
    result = LoadResult()
    pending: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in ENTITY_TABLES.values()}
    loaded: list[tuple[int, str]] = []  # (record id, row hash) of every record this load covers
    for rec, page, sf in store.iter_records(LOADABLE):
        table = md.tables[ENTITY_TABLES[rec.ledger_kind]]
        values = {name: fv.get("value") for name, fv in rec.fields.items() if name in table.c}
        row = {c.name: _coerce(values.get(c.name), c) for c in table.c if c.name in values}
        key = natural_key(rec.ledger_kind, values, (sf.sha256, page.page_no, rec.row_no))
        h = row_hash(values)
        row.update(natural_key=key, row_hash=h, source_file_sha256=sf.sha256, source_file=sf.rel_path,
                   source_page=page.page_no, source_row=rec.row_no, spec_version=settings.spec_version)
        pending[table.name][key] = row  # the same person twice in one ledger: one platform row
        loaded.append((rec.id, h))
    try:
        for tname, rows in pending.items():
            items = list(rows.values())
            for i in range(0, len(items), batch_size):
                batch = items[i : i + batch_size]
                with engine.begin() as conn:
                    ins, upd, same = _upsert_batch(conn, md.tables[tname], batch)
                result.inserted += ins
                result.updated += upd
                result.unchanged += same
                result.by_table[tname] = result.by_table.get(tname, 0) + len(batch)
    finally:
        engine.dispose()
    _mark_loaded(store, loaded)
    return result


def _upsert_batch(conn: Connection, table: Table, batch: list[dict[str, Any]]) -> tuple[int, int, int]:
    keys = [r["natural_key"] for r in batch]
    existing: dict[str, str] = {}
    for i in range(0, len(keys), 900):
        existing.update(conn.execute(select(table.c.natural_key, table.c.row_hash).where(table.c.natural_key.in_(keys[i : i + 900]))).all())
    now = utcnow()
    new = [dict(r, loaded_at=now, updated_at=now) for r in batch if r["natural_key"] not in existing]
    changed = [dict(r, updated_at=now) for r in batch if r["natural_key"] in existing and existing[r["natural_key"]] != r["row_hash"]]
    unchanged = len(batch) - len(new) - len(changed)
    if conn.dialect.name == "postgresql":
        _pg_copy_upsert(conn, table, new + changed)
    else:
        for rows in (new, changed):
            if rows:
                stmt = sqlite_insert(table)
                cols = [k for k in rows[0] if k not in ("natural_key", "loaded_at")]
                stmt = stmt.on_conflict_do_update(index_elements=["natural_key"], set_={c: stmt.excluded[c] for c in cols})
                conn.execute(stmt, rows)
    return len(new), len(changed), unchanged


def _pg_copy_upsert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY the batch into a temporary staging table, then one upsert; identifiers composed by psycopg."""
    if not rows:
        return
    from psycopg import sql

    cols = [c.name for c in table.c if c.name != "id"]
    raw = conn.connection.driver_connection  # psycopg 3 connection, same transaction
    target, stage = sql.Identifier(table.name), sql.Identifier(f"stage_{table.name}")
    col_list = sql.SQL(", ").join(map(sql.Identifier, cols))
    updates = sql.SQL(", ").join(
        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in cols if c not in ("natural_key", "loaded_at")
    )
    with raw.cursor() as cur:
        cur.execute(sql.SQL("CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS").format(stage, target))
        with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(stage, col_list)) as cp:
            for r in rows:
                cp.write_row([r.get(c) for c in cols])
        cur.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT (natural_key) DO UPDATE SET {}").format(
            target, col_list, col_list, stage, updates))


def _mark_loaded(store: Store, done: Iterable[tuple[int, str]]) -> None:
    now = utcnow()
    with store.session() as s, s.begin():
        for rid, h in done:
            s.execute(update(Record).where(Record.id == rid).values(loaded_at=now, loaded_hash=h))
