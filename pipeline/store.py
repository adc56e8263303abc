"""The working store: SQLAlchemy 2 over SQLite (WAL, embedded default) or PostgreSQL.

Page images live on disk, content-addressed by sha256 (see ImageStore).
Natural keys in the store make every stage idempotent: a file is known by its sha256,
a page by (file, page_no), a record by (page, row_no).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import cv2
import numpy as np
from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from pipeline.config import Settings, mask_url
from pipeline.errors import DatabaseError
from pipeline.safety import is_sha256


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class Run(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    scans_dir: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="running")  # running / completed / failed
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SourceFile(Base):
    __tablename__ = "source_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    rel_path: Mapped[str] = mapped_column(Text)          # relative to the scanned folder
    abs_path: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(20))  # pdf / tiff / jpeg / png
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="registered")  # registered / processed
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    pages: Mapped[list["Page"]] = relationship(back_populates="file", order_by="Page.page_no")


class Quarantine(Base):
    """A file we could not use, with the reason a person can act on. The file is copied, never moved."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("rel_path", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    rel_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    copy_path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("file_id", "page_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id"))
    page_no: Mapped[int] = mapped_column(Integer)  # 1-based
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending / done / no_table / failed
    original_image: Mapped[str | None] = mapped_column(String(64))  # sha256 of the stored PNG
    clean_image: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    ledger_kind: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(Text)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    layout: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float | None] = mapped_column(Float)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    file: Mapped[SourceFile] = relationship(back_populates="pages")
    records: Mapped[list["Record"]] = relationship(back_populates="page", order_by="Record.row_no", cascade="all, delete-orphan")


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("page_id", "row_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    row_no: Mapped[int] = mapped_column(Integer)  # 1-based data row, header not counted
    ledger_kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="new")  # new / auto_accepted / needs_review / approved / rejected
    route_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    cluster_id: Mapped[str | None] = mapped_column(String(40))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)       # field -> FieldValue.to_dict()
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    cells: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # raw cells of the row, in column order
    min_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # whether and as what a record is on the platform: LoadedRecord (a narrow table of its own)
    # field -> text typed by a reviewer; applied over the OCR cell whenever the row is mapped again
    overrides: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # the narrow values (field -> value), written with `fields` whenever a record is mapped, corrected
    # or approved (narrow_values, an ORM hook): what the loader reads instead of parsing `fields`
    # (~2.4 KB of JSON a record). A store made before it gets it filled when opened (_upgrade).
    field_values: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    page: Mapped[Page] = relationship(back_populates="records")


def narrow_values(fields: dict[str, Any] | None) -> dict[str, Any]:
    """field -> value of a record's stored fields (FieldValue dicts)."""
    return {name: fv.get("value") for name, fv in (fields or {}).items() if isinstance(fv, dict)}


@event.listens_for(Record, "before_insert")
@event.listens_for(Record, "before_update")
def _write_narrow_values(_mapper, _connection, target: Record) -> None:
    target.field_values = narrow_values(target.fields)


class RecordChange(Base):
    """The audit trail: every change to a record, by whom, when, old and new value, and why.
    Rows are only ever added. `field` is None for record-level actions (approve, reject, merge)."""

    __tablename__ = "record_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))  # edit / approve / reject / merge / keep_apart / ...
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)  # JSON text of the old value
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")


class RecordLink(Base):
    """A scored candidate pair from de-duplication (a_id < b_id), with its explanation.
    status: auto_merged (clear match) / uncertain (a person decides) / merged / kept_apart."""

    __tablename__ = "record_links"
    __table_args__ = (UniqueConstraint("a_id", "b_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    a_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    b_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> how strongly it matched
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# ---------------------------------------------------------------------------------------------
def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) not in ("", ":memory:"):
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def _server_gone(url: str):
    """handle_error hook: a PostgreSQL server that stops answering mid-run (stopped, restarted, network
    gone) becomes one DatabaseError naming the store (password masked) and what to do. Pre-ping
    failures are left to the pool, which reconnects on its own once the server is back."""
    import psycopg

    def handler(ctx) -> None:
        if ctx.is_pre_ping:
            return
        orig = ctx.original_exception
        if ctx.is_disconnect or isinstance(orig, (psycopg.OperationalError, psycopg.errors.AdminShutdown)):
            first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
            raise DatabaseError(
                f"the working store at {mask_url(url)} stopped answering ({mask_url(first)}); "
                "every page finished before this point is saved",
                hint="start the database server again, then run the same command again: it resumes where it stopped",
            ) from orig

    return handler


class Store:
    """Access to the working store. Short-lived sessions; no state beyond the engine."""

    def __init__(self, url: str, image_dir: Path):
        self.url = url
        self.engine = make_engine(url)
        self.images = ImageStore(image_dir)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "handle_error", _server_gone(url))
        try:
            Base.metadata.create_all(self.engine)
            self._upgrade()
        except OperationalError as e:
            raise DatabaseError(
                f"cannot open the working store at {mask_url(url)}: {e.orig}",
                hint="check --db / BACKFILL_DB_URL and that the database server is running",
            ) from e

    def _upgrade(self) -> None:
        """Columns added since a store was made: records.field_values (issue 27), added and filled
        from each record's fields, in batches, once."""
        from sqlalchemy import bindparam, inspect, update

        if "field_values" in {c["name"] for c in inspect(self.engine).get_columns("records")}:
            return
        with self.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE records ADD COLUMN field_values JSON")
        t = Record.__table__
        stmt = update(t).where(t.c.id == bindparam("rid")).values(field_values=bindparam("fv"))
        last = 0
        while True:
            with self.engine.begin() as conn:
                rows = conn.execute(select(t.c.id, t.c.fields).where(t.c.id > last).order_by(t.c.id).limit(5000)).all()
                if not rows:
                    return
                conn.execute(stmt, [{"rid": rid, "fv": narrow_values(f)} for rid, f in rows])
                last = rows[-1][0]

    @classmethod
    def open(cls, settings: Settings) -> "Store":
        return cls(settings.store_url, settings.data_path / "images")

    def session(self) -> Session:
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    # small queries used by several stages -------------------------------------------------
    def count_pages(self, statuses: tuple[str, ...] | None = None) -> int:
        with self.session() as s:
            q = select(func.count(Page.id))
            if statuses:
                q = q.where(Page.status.in_(statuses))
            return int(s.scalar(q) or 0)

    def iter_records(self, statuses: tuple[str, ...] | None = None) -> Iterator[tuple[Record, Page, SourceFile]]:
        with self.session() as s:
            q = (
                select(Record, Page, SourceFile)
                .join(Page, Record.page_id == Page.id)
                .join(SourceFile, Page.file_id == SourceFile.id)
                .order_by(SourceFile.rel_path, Page.page_no, Record.row_no)
            )
            if statuses:
                q = q.where(Record.status.in_(statuses))
            yield from s.execute(q)


class ImageStore:
    """Page images on disk, content-addressed: images/ab/abcdef....png."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        """Where the image `sha` lives; anything but a hex sha256 (from a damaged or tampered row) is
        refused, so no id can name a file outside the image folder."""
        if not is_sha256(sha):
            raise ValueError(f"not a page image id: {str(sha)[:20]!r}")
        return self.root / sha[:2] / f"{sha}.png"

    def put(self, image: np.ndarray) -> str:
        # run-length strategy: a scanned page (paper, ink, rulings) is long runs; measured on a
        # 2339 x 1654 colour page: 0.40 s and 3.9 MB against 0.91 s and 4.4 MB for the default
        # strategy at the same level (lossless either way)
        ok, buf = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE])
        if not ok:
            raise OSError("could not encode page image")
        data = buf.tobytes()
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            try:
                tmp.write_bytes(data)
                tmp.replace(target)  # atomic: a crash never leaves half an image under its name
            except OSError:
                tmp.unlink(missing_ok=True)  # disk full: no half-written file left behind
                raise
        return sha

    def get(self, sha: str) -> np.ndarray:
        if not is_sha256(sha):
            raise FileNotFoundError(f"not a page image id: {str(sha)[:20]!r}")
        img = cv2.imread(str(self.path(sha)), cv2.IMREAD_UNCHANGED)
        if img is None:
            raise FileNotFoundError(f"page image {sha[:12]}… is missing from {self.root}")
        return img


# --- review app (issue 5): users, claims, per-ledger settings, blind keying --------------------
class User(Base):
    """A person who logs into the review app. Only an argon2 hash of the password is kept."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # archivist / reviewer / administrator
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Claim(Base):
    """A reviewer's hold on a record: one row per record, so two people never hold the same one.
    Taken and renewed by conditional writes (see pipeline.review.claim); it expires at `expires_at`."""

    __tablename__ = "claims"
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    user: Mapped[str] = mapped_column(String(80), index=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LedgerSetting(Base):
    """Per-ledger (source file) review settings set by an administrator: two-keyer (blind) mode, queue priority."""

    __tablename__ = "ledger_settings"
    file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id"), primary_key=True)
    two_keyer: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher comes first in the review queue
    set_by: Mapped[str] = mapped_column(String(80))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BlindKey(Base):
    """A field keyed blind (without seeing the OCR value) in two-keyer mode, and its outcome.
    status: agreed (typed = OCR) / disputed (goes to an arbitrator) / resolved (an arbitrator decided)."""

    __tablename__ = "blind_keys"
    __table_args__ = (UniqueConstraint("record_id", "field"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    field: Mapped[str] = mapped_column(String(60))
    user: Mapped[str] = mapped_column(String(80))
    typed: Mapped[str] = mapped_column(Text)            # what the keyer typed
    typed_value: Mapped[str | None] = mapped_column(Text)  # JSON of the typed text once normalized
    ocr_value: Mapped[str | None] = mapped_column(Text)    # JSON of the OCR value at keying time
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_by: Mapped[str | None] = mapped_column(String(80))

class PlatformLink(Base):
    """A record of this store matching a row already on the platform (loaded earlier, possibly from
    another store): the same person must not be loaded as a second one. Written by pipeline.linkage.
    status: auto_merged (clear match) / uncertain; evidence as in RecordLink."""

    __tablename__ = "platform_links"
    __table_args__ = (UniqueConstraint("record_id", "platform_table", "platform_row_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    platform_table: Mapped[str] = mapped_column(String(60))
    platform_row_id: Mapped[int] = mapped_column(Integer)
    natural_key: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlatformReceipt(Base):
    """A platform's receipt for one loaded batch, kept in the store too (pipeline.receipts):
    batch id, counts, sha256 over the batch's (natural key, row hash) pairs, and the records it covered."""

    __tablename__ = "platform_receipts"
    batch_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    platform: Mapped[str] = mapped_column(Text)  # platform URL, password masked
    entity_set: Mapped[str] = mapped_column(String(40))
    records: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    spec_version: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    record_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class LoadedRecord(Base):
    """The one place that says a record is on the platform, and as what (written by pipeline.load
    with each batch's receipt): the platform row it is part of (natural key; several records of one
    person share one row), that row's hash when loaded, the batch and the time. Narrow on purpose:
    marking 100 000 records loaded writes these small rows, never the wide `records` rows."""

    __tablename__ = "loaded_records"
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    natural_key: Mapped[str] = mapped_column(String(220))
    row_hash: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str] = mapped_column(String(40))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- migration runs and completion (issue 6): the ledger inventory -------------------------------
class LedgerVolume(Base):
    """One ledger volume that should exist (the inventory, imported from CSV by an administrator):
    completion is measured against it, not only against what was scanned. `path_pattern` is a glob
    on a scan's path relative to the scans folder (e.g. `yantai/2013/cremation_*`); without one a
    scan is matched by its ledger title (funeral home + kind + year), see pipeline.inventory."""

    __tablename__ = "ledger_volumes"
    __table_args__ = (UniqueConstraint("funeral_home_code", "ledger_kind", "year", "volume"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    funeral_home_code: Mapped[str] = mapped_column(String(40), index=True)
    ledger_kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer, index=True)
    volume: Mapped[str] = mapped_column(String(40))
    expected_pages: Mapped[int] = mapped_column(Integer)
    path_pattern: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
