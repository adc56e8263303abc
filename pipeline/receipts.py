"""Receipts for loaded batches, kept on both sides, and `reconcile`: the store against the platform.

A receipt names one batch (its id), the entity set, the counts inserted / updated / unchanged, the
sha256 over the batch's sorted (natural key, row hash) pairs, and when it ran. The platform keeps
it in load_receipts (same transaction as the rows), the working store in platform_receipts (same
transaction as marking the records loaded).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Sequence

from sqlalchemy import DateTime
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pipeline.config import Settings, mask_url
from pipeline.store import LoadedRecord, PlatformReceipt, Store, utcnow


def new_batch_id() -> str:
    """Sortable and unique: UTC time to the millisecond plus 8 random hex digits."""
    now = utcnow()
    return now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond // 1000:03d}-" + secrets.token_hex(4)


def batch_sha256(pairs: Sequence[tuple[str, str]]) -> str:
    """sha256 over the batch's rows: 'natural key<TAB>row hash' lines, sorted, joined by newlines."""
    h = hashlib.sha256()
    for key, rh in sorted(pairs):
        h.update(f"{key}\t{rh}\n".encode())
    return h.hexdigest()


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
    def of(cls, batch_id: str, entity_set: str, origin: str, pairs: Sequence[tuple[str, str]], inserted: int,
           updated: int, unchanged: int, spec_version: str, started_at: datetime) -> "Receipt":
        return cls(batch_id, entity_set, origin, len(pairs), inserted, updated, unchanged, batch_sha256(pairs),
                   spec_version, started_at, utcnow())

    def to_row(self) -> dict:
        return asdict(self)


def record_receipt(store: Store, receipt: Receipt, platform_url: str,
                   done: Sequence[tuple[int, str, str, str | None, str | None]]) -> None:
    """Keep the platform's receipt in the store and mark the batch's records loaded (LoadedRecord),
    in one transaction.

    `done`: (record id, natural key and row hash it was loaded as, hash and key the store had
    marked before); records already marked the same are not written again."""
    row = {k: v for k, v in receipt.to_row().items() if k != "origin"}
    at = utcnow()
    todo = [d for d in done if (d[3], d[4]) != (d[2], d[1])]
    with store.session() as s, s.begin():
        s.add(PlatformReceipt(platform=mask_url(platform_url), record_ids=[d[0] for d in done], **row))
        if todo:  # a narrow table: one small row per record, the wide records rows are never rewritten
            conn = s.connection()
            ins = (sqlite_insert if conn.dialect.name == "sqlite" else pg_insert)(LoadedRecord)
            stmt = ins.on_conflict_do_update(index_elements=["record_id"], set_={
                c: ins.excluded[c] for c in _LOADED_COLUMNS[1:]})
            # the driver's executemany with the statement SQLAlchemy compiled (the fastest path)
            compiled = stmt.compile(dialect=conn.dialect)
            at_db = DateTime(timezone=True).bind_processor(conn.dialect)
            at = at_db(at) if at_db else at
            params = [(rid, key, h, receipt.batch_id, at) for rid, key, h, _, _ in todo]
            if compiled.positiontup:  # qmark (SQLite): tuples in the compiled order
                pos = _positions(compiled.positiontup)
                conn.exec_driver_sql(str(compiled), [tuple(p[i] for i in pos) for p in params])
            else:  # named placeholders (psycopg)
                conn.exec_driver_sql(str(compiled), [dict(zip(_LOADED_COLUMNS, p)) for p in params])


_LOADED_COLUMNS = ("record_id", "natural_key", "row_hash", "batch_id", "loaded_at")


def _positions(positiontup: Sequence[str]) -> list[int]:
    """Where each positional parameter of the compiled upsert comes from in a LoadedRecord tuple."""
    return [_LOADED_COLUMNS.index(name) for name in positiontup]


def loaded_records(store: Store) -> dict[int, tuple[str, str]]:
    """record id -> (natural key, row hash) of every record the store marked loaded."""
    from sqlalchemy import select

    with store.session() as s:
        return {rid: (k, h) for rid, k, h in s.execute(select(LoadedRecord.record_id, LoadedRecord.natural_key,
                                                               LoadedRecord.row_hash))}


# ---- reconcile --------------------------------------------------------------------------------
@dataclass
class VolumeDiff:
    """One funeral home's ledger volume (source file) in one entity set: what the store expects on
    the platform and what is there. Differences are named by page and row, never by personal data."""

    entity_set: str
    funeral_home_code: str
    source_file: str
    expected: int = 0
    on_platform: int = 0
    missing: list[str] = field(default_factory=list)     # expected, not on the platform
    extra: list[str] = field(default_factory=list)       # on the platform, not expected from the store
    mismatched: list[str] = field(default_factory=list)  # there, with other values (row hash differs)

    @property
    def differs(self) -> bool:
        return bool(self.missing or self.extra or self.mismatched)


@dataclass
class ReconcileReport:
    volumes: list[VolumeDiff]
    receipts_only_in_store: list[str] = field(default_factory=list)
    receipts_only_on_platform: list[str] = field(default_factory=list)
    receipts_differing: list[str] = field(default_factory=list)

    @property
    def differences(self) -> int:
        return (sum(len(v.missing) + len(v.extra) + len(v.mismatched) for v in self.volumes)
                + len(self.receipts_only_in_store) + len(self.receipts_only_on_platform) + len(self.receipts_differing))

    @property
    def ok(self) -> bool:
        return self.differences == 0

    def format(self, *, limit: int = 20) -> str:
        lines = [f"{'entity set':24} {'home':14} {'expected':>8} {'platform':>8} {'missing':>7} {'extra':>6} {'differ':>6}  volume"]
        for v in self.volumes:
            lines.append(f"{v.entity_set:24} {v.funeral_home_code:14} {v.expected:>8} {v.on_platform:>8} {len(v.missing):>7} "
                         f"{len(v.extra):>6} {len(v.mismatched):>6}  {v.source_file}")
        for v in self.volumes:
            for what, items in (("missing on the platform", v.missing), ("on the platform only", v.extra),
                                ("different on the platform", v.mismatched)):
                if items:
                    shown = ", ".join(items[:limit]) + (f", … ({len(items) - limit} more)" if len(items) > limit else "")
                    lines.append(f"  {v.source_file} [{v.entity_set}] {what}: {shown}")
        for what, ids in (("receipts only in the store", self.receipts_only_in_store),
                          ("receipts only on the platform", self.receipts_only_on_platform),
                          ("receipts that differ", self.receipts_differing)):
            if ids:
                lines.append(f"{what}: {', '.join(ids[:limit])}" + (" …" if len(ids) > limit else ""))
        lines.append("no differences" if self.ok else f"{self.differences} difference(s)")
        return "\n".join(lines)


def reconcile(store: Store, settings: Settings) -> ReconcileReport:
    """Compare what the store's loadable records should be on the platform with what is there,
    per funeral home and ledger volume, and the receipts of both sides."""
    from sqlalchemy import select

    from pipeline.load import build_rows
    from pipeline.platform_schema import ENTITY_TABLES, open_platform

    url = settings.platform_db_url
    engine, md = open_platform(url, settings.spec_version, create=settings.platform_is_default)
    vols: dict[tuple[str, str, str], VolumeDiff] = {}

    def vol(entity: str, home: str | None, source: str | None) -> VolumeDiff:
        k = (entity, home or "?", source or "?")
        if k not in vols:
            vols[k] = VolumeDiff(*k)
        return vols[k]

    expected: dict[str, dict] = {t: {} for t in ENTITY_TABLES.values()}
    for b in build_rows(store, settings):  # one row per person: a merged-away record is its person's row
        if b.repeat_of is None:
            expected[ENTITY_TABLES[b.row.kind]][b.row.key] = b.row
    try:
        with engine.connect() as conn:
            contacts = md.tables["contact_information"]
            on_contacts = dict(conn.execute(select(contacts.c.natural_key, contacts.c.row_hash)).all())
            for tname, exp in expected.items():
                t = md.tables[tname]
                there = {r.natural_key: r for r in conn.execute(select(
                    t.c.natural_key, t.c.row_hash, t.c.funeral_home_code, t.c.source_file, t.c.source_page, t.c.source_row))}
                for key, row in exp.items():
                    v = vol(tname, row.funeral_home_code, row.source_file)
                    v.expected += 1
                    where = f"p{row.source_page} r{row.source_row}"
                    got = there.get(key)
                    if got is None:
                        v.missing.append(where)
                    elif got.row_hash != row.row_hash or on_contacts.get(row.contact_key) != row.contact_hash:
                        v.mismatched.append(where)
                for key, got in there.items():
                    v = vol(tname, got.funeral_home_code, got.source_file)
                    v.on_platform += 1
                    if key not in exp:
                        v.extra.append(f"p{got.source_page} r{got.source_row}")
            lr = md.tables["load_receipts"]
            platform_receipts = {r.batch_id: r.sha256 for r in conn.execute(
                select(lr.c.batch_id, lr.c.sha256).where(lr.c.origin == "load"))}
    finally:
        engine.dispose()
    with store.session() as s:
        store_receipts = dict(s.execute(select(PlatformReceipt.batch_id, PlatformReceipt.sha256)
                                        .where(PlatformReceipt.platform == mask_url(url))).all())
    return ReconcileReport(
        volumes=[vols[k] for k in sorted(vols)],
        receipts_only_in_store=sorted(set(store_receipts) - set(platform_receipts)),
        receipts_only_on_platform=sorted(set(platform_receipts) - set(store_receipts)),
        receipts_differing=sorted(b for b in set(store_receipts) & set(platform_receipts)
                                  if store_receipts[b] != platform_receipts[b]),
    )
