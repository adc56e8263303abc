"""The working store: SQLAlchemy 2 over SQLite (WAL, embedded default) or PostgreSQL.

Page images live on disk, content-addressed by sha256 (see ImageStore).
Natural keys in the store make every stage idempotent: a file is known by its sha256,
a page by (file, page_no), a record by (page, row_no).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar, cast

import cv2
import numpy as np
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from pipeline.kernel.clock import local_day
from pipeline.kernel.config import Settings, driver_error_text, mask_secrets, mask_url, url_secrets
from pipeline.kernel.errors import DatabaseError, data_folder_message
from pipeline.kernel.safety import PRIVATE_FILE, is_sha256, private_dir


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
    status: Mapped[str] = mapped_column(String(20), default="running")  # running / completed / interrupted / failed
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WorkClaim(Base):
    """A run's hold on a piece of work, so that two runs on one store at once never do it twice: a page
    (`page:<id>`, taken before the page is read) or a store-wide step (`step:dedupe`, `step:load`).
    One row per piece (the primary key decides a race); taken by a conditional write, as reviewers
    claim records (pipeline.runs.manage.claim). A claim lapses at `expires_at`, or at once when its run is
    no longer running (a killed run is marked `interrupted` by the next one on its host)."""

    __tablename__ = "work_claims"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PageRead(Base):
    """Every time a run read a page (cleanup, layout, OCR, mapping): which run, how long, the outcome.
    Appended only; the proof that nothing is read twice, and what a run's reading cost."""

    __tablename__ = "page_reads"
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    seconds: Mapped[float] = mapped_column(Float)  # wall time of the page
    cpu_seconds: Mapped[float] = mapped_column(Float)  # this process's CPU time over the page's batch, per page
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SourceFile(Base):
    __tablename__ = "source_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    rel_path: Mapped[str] = mapped_column(Text)  # relative to the scanned folder
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
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)  # field -> FieldValue.to_dict()
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
    # the record's platform row, ready to load (pipeline.platform.rowtext: hashes, key, COPY text), made
    # from field_values by the same hook, with a checksum of field_values' stored text; None where
    # no maker is registered in the process or the values need the loader's general path
    load_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    page: Mapped[Page] = relationship(back_populates="records")


def narrow_values(fields: dict[str, Any] | None) -> dict[str, Any]:
    """field -> value of a record's stored fields (FieldValue dicts)."""
    return {name: fv.get("value") for name, fv in (fields or {}).items() if isinstance(fv, dict)}


LoadTextMaker = Callable[[str, dict[str, Any], str], "str | None"]
_load_text_maker: list[LoadTextMaker] = []


def register_load_text(maker: LoadTextMaker) -> None:
    """Install the function that makes a record's load_text (ledger kind, narrow values, the stored
    text of those values) -> text or None. The platform room registers it when imported (the store
    cannot import it: it sits above); a process without it writes load_text None, which the loader
    reads the general way. Never stale: the hook writes both columns or clears load_text."""
    _load_text_maker[:] = [maker]


def stored_json(values: Any) -> str:
    """The text a JSON column holds for `values` (SQLAlchemy's default serializer, json.dumps)."""
    return json.dumps(values)


@event.listens_for(Record, "before_insert")
@event.listens_for(Record, "before_update")
def _write_narrow_values(_mapper, _connection, target: Record) -> None:
    values = narrow_values(target.fields)
    target.field_values = values
    target.load_text = (
        _load_text_maker[0](target.ledger_kind, values, stored_json(values)) if _load_text_maker and target.ledger_kind else None
    )


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
def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    return None if path in ("", ":memory:") else Path(path)


def make_engine(url: str, *, what: str = "database", create: bool = True, busy_seconds: float = 60) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys.

    A SQLite file is made owner-only (0600; its -wal and -shm files take the same mode) when this
    creates it, and only when `create` is true; its folder is never created here: a folder that is not
    there (a disk or share not mounted) is a DatabaseError naming it, as is a file that cannot be
    written later (read-only) or opened (see `_sqlite_refused`). `what` names the database in messages."""
    path = sqlite_file(url)
    if path is not None:
        _prepare_sqlite_file(url, path, what, create)
    if url.startswith("sqlite:///"):
        engine = create_engine(url, connect_args={"timeout": busy_seconds})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
            # the archive's calendar day of a stored time (pipeline.kernel.clock.local_date)
            dbapi_conn.create_function("backfill_local_date", 2, local_day, deterministic=True)

        if path is not None:
            event.listen(engine, "handle_error", _sqlite_refused(url, path, what))
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if "connect_timeout=" in url:  # the administrator's own choice, in the URL, stands
        return create_engine(url, pool_pre_ping=True)
    return create_engine(
        url, pool_pre_ping=True, connect_args={"connect_timeout": max(1, int(min(busy_seconds, CONNECT_SECONDS)))}
    )


CONNECT_SECONDS = 15
"""How long a PostgreSQL connection attempt waits for the server (libpq's connect_timeout) unless the URL
sets its own: a host that drops packets (a firewall, a wrong address on the network) is said unreachable
(`unreachable_error`, "连接超时") after this, not after the system's TCP retries (about 2 minutes on Linux,
when nothing was said at all). A server that answers takes well under a second to accept a login; 15 s
leaves room for a loaded one (libpq: connect_timeout is the wait per host, 2 s at least)."""


def _prepare_sqlite_file(url: str, path: Path, what: str, create: bool) -> None:
    if path.exists():
        return
    if not path.parent.is_dir():
        raise DatabaseError(
            f"cannot open the {what} at {mask_url(url)}: its folder {path.parent} does not exist "
            "(a disk or network share not mounted?); nothing was created",
            hint="请挂载磁盘或改正路径后重新运行同一命令 / mount the disk or fix the path, then run the same command again",
        )
    if not create:
        raise DatabaseError(
            f"the {what} at {mask_url(url)} does not exist; nothing was created",
            hint="请检查路径；要在那里新建空的平台数据库，运行 backfill migrate --platform URL / check the path; to make a "
            "new, empty platform database there, run `backfill migrate --platform URL`",
        )
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass  # another process made it a moment ago
    except OSError as e:
        raise DatabaseError(
            f"cannot create the {what} at {mask_url(url)}: {e.strerror}; nothing was created",
            hint="请选择有写入权限的文件夹（--db / --data-dir / --platform）/ choose a folder you can write to",
        ) from e


_SQLITE_REFUSALS = {
    "attempt to write a readonly database": "the file is read-only (no write permission on it or its folder)",
    "unable to open database file": "the file cannot be opened (its folder is missing or not writable)",
    "disk i/o error": "the disk reported an input/output error",
    "database or disk is full": "the disk is full",
    "file is not a database": "the file is not a SQLite database",
    "database disk image is malformed": "the file is damaged",
}


def _sqlite_refused(url: str, path: Path, what: str):
    """handle_error hook: SQLite refusing to write or open its file (read-only, folder gone, disk full,
    not a database) becomes one DatabaseError naming the file and the reason. A busy database
    ("database is locked") is left as it is: that one passes."""

    def handler(ctx) -> None:
        orig = ctx.original_exception
        text = str(orig).lower()
        for key, why in _SQLITE_REFUSALS.items():
            if key in text:
                raise DatabaseError(
                    f"the {what} at {path} cannot be used: {why} ({orig}); what was done before is kept",
                    hint="请修正该文件的权限或腾出磁盘空间（或改用别的 --db / --platform）后重新运行同一命令 / fix the file's "
                    "permissions or free space (or use another --db / --platform), then run the same command again",
                ) from orig

    return handler


_CONNECT_FAILURES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("connection refused",), "连接被拒绝（该端口上没有数据库服务器在运行，或端口不对）", "connection refused"),
    (
        (
            "failed to resolve host",
            "could not translate host name",
            "name or service not known",
            "nodename nor servname",
            "temporary failure in name resolution",
        ),
        "找不到该主机名（主机名写错，或域名解析不可用）",
        "host unknown",
    ),
    (("timeout expired", "timed out"), "连接超时（主机不答复：防火墙、网络或地址有误）", "timed out"),
    (("no route to host", "network is unreachable"), "网络不通，到不了该主机", "no route to the host"),
    (
        ("password authentication failed", "no password supplied", "no pg_hba.conf entry"),
        "服务器拒绝登录（用户名或密码不对，或不允许从本机登录）",
        "login refused",
    ),
    (("does not exist",), "服务器上没有这个数据库或用户", "no such database or user on the server"),
)
"""Why a first connection to a PostgreSQL server failed, by the words libpq / psycopg write for it (their
own error texts: getaddrinfo's, the socket's ECONNREFUSED / ETIMEDOUT / EHOSTUNREACH, libpq's
"timeout expired", the server's FATAL answers), in Chinese and English."""


def host_port(url: str) -> str:
    """host:port of a server URL (PostgreSQL's default port 5432 when none is written), read from the URL
    as mask_url writes it: a password holding an unescaped '@' or '/' (which a URL parser takes for part
    of the host) is never part of what is named."""
    rest = mask_url(url).partition("://")[2]
    where = rest[rest.rfind("@") + 1 :].split("/", 1)[0].split("?", 1)[0] or "localhost"
    return where if where.rsplit("]", 1)[-1].count(":") else f"{where}:5432"


def track_reached(engine: Engine) -> list[bool]:
    """A list that holds True once the engine's pool made its first connection (empty until then): a
    failure while it is empty is a server never reached, not one that stopped answering."""
    reached: list[bool] = []

    @event.listens_for(engine, "connect")
    def _reached(_dbapi_conn, _record) -> None:
        if not reached:
            reached.append(True)

    return reached


def unreachable_error(
    url: str, orig: object, what: str = "working store", options: str = "--db 或 BACKFILL_DB_URL"
) -> DatabaseError:
    """A server that never answered (refused, host unknown, timed out, login refused): one DatabaseError,
    Chinese first, naming host:port and the URL with its password masked; unlike `_server_gone`'s "stopped
    answering", nothing was done on it, so nothing is said to be kept."""
    detail = driver_error_text(orig, url)
    low = detail.lower()
    zh, en = next(((z, e) for keys, z, e in _CONNECT_FAILURES if any(k in low for k in keys)), ("无法连接", "cannot connect"))
    where = host_port(url)
    zh_what = {"working store": "工作库", "platform database": "平台数据库"}.get(what, "数据库")
    return DatabaseError(
        f"无法连接{zh_what} {where}：{zh} / could not reach the {what} at {mask_url(url)} ({en}: {detail}); "
        "nothing was read or written",
        hint=f"请检查地址与端口 {where}（{options}）以及数据库服务器是否已启动、网络是否可达 / check the host and port "
        f"({options.replace(' 或 ', ' / ')}), that the database server is running and that the network reaches it",
    )


def _server_gone(url: str, engine: Engine):
    """handle_error hook: a PostgreSQL server that stops answering mid-run (stopped, restarted, network
    gone) becomes one DatabaseError naming the store (password masked) and what to do. Pre-ping
    failures are left to the pool, which reconnects on its own once the server is back. A server this
    engine never reached (refused, host unknown, timed out) is said so instead (`unreachable_error`):
    "stopped answering" and "start it again, it resumes" were wrong words for a wrong address."""
    import psycopg

    answered = track_reached(engine)

    def handler(ctx) -> None:
        if ctx.is_pre_ping:
            return
        orig = ctx.original_exception
        if ctx.is_disconnect or isinstance(orig, (psycopg.OperationalError, psycopg.errors.AdminShutdown)):
            if not answered:
                raise unreachable_error(url, orig) from orig
            first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
            raise DatabaseError(
                f"工作库 {host_port(url)} 停止响应 / the working store at {mask_url(url)} stopped answering "
                f"({mask_secrets(first, url_secrets(url))}); every page finished before this point is saved",
                hint="请重新启动数据库服务器后重新运行同一命令：会从中断处继续 / start the database server again, then run the "
                "same command again: it resumes where it stopped",
            ) from orig

    return handler


_SCHEMA_RACE = ("already exists", "duplicate", "database is locked")
"""What a store opened by two processes at the same moment may answer while both create its tables:
the slower one finds a table made meanwhile, or (SQLite in WAL mode) its read of the schema cannot
become a write because the other wrote since, which SQLite answers "database is locked" at once,
without waiting its busy timeout (sqlite.org/rescode.html#busy_snapshot). Either way: look again."""


def _create_schema(engine: Engine, attempts: int = 8) -> None:
    """create_all, safe when two processes open a new store at the same moment: create_all checks, then
    creates, so the slower one can meet the other's work (_SCHEMA_RACE); it simply looks again."""
    for attempt in range(attempts):
        try:
            Base.metadata.create_all(engine)
            return
        except (OperationalError, ProgrammingError, IntegrityError) as e:
            if attempt == attempts - 1 or not any(w in str(e.orig).lower() for w in _SCHEMA_RACE):
                raise
            time.sleep(0.2 * (attempt + 1))


class Store:
    """Access to the working store. Short-lived sessions; no state beyond the engine."""

    def __init__(self, url: str, image_dir: Path, *, create_folder: bool = False):
        """`create_folder`: the store lives in the data folder, which is made (owner-only) if missing;
        any other SQLite store's folder must exist (see make_engine)."""
        self.url = url
        path = sqlite_file(url)
        if create_folder and path is not None:
            try:
                private_dir(path.parent)
            except OSError as e:
                raise DatabaseError(
                    data_folder_message(path.parent, e),
                    hint="请选择有写入权限的数据文件夹（--data-dir 或 BACKFILL_DATA_DIR）/ choose a data folder you can write to",
                ) from e
        self.engine = make_engine(url, what="working store")
        self.images = ImageStore(image_dir)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "handle_error", _server_gone(url, self.engine))
        try:
            _create_schema(self.engine)
            self._upgrade()
        except OperationalError as e:
            raise DatabaseError(
                f"cannot open the working store at {mask_url(url)}: {driver_error_text(e.orig, url)}",
                hint="请检查工作库地址（--db 或 BACKFILL_DB_URL）以及数据库服务器是否在运行 / check --db / BACKFILL_DB_URL and "
                "that the database server is running",
            ) from e

    def _upgrade(self) -> None:
        """Columns added since a store was made: records.field_values (issue 27), added and filled
        from each record's fields, in batches, once; records.load_text, added empty; reveals.reason,
        added empty (a reveal made before it asked why)."""
        from sqlalchemy import bindparam, inspect, update

        if "reason" not in {c["name"] for c in inspect(self.engine).get_columns("reveals")}:
            with self.engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE reveals ADD COLUMN reason TEXT NOT NULL DEFAULT ''")
        columns = {c["name"] for c in inspect(self.engine).get_columns("records")}
        if "load_text" not in columns:  # issue 27: filled as records are written again; None reads the general way
            with self.engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE records ADD COLUMN load_text TEXT")
        if "field_values" in columns:
            return
        with self.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE records ADD COLUMN field_values JSON")
        t = cast(Table, Record.__table__)
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
        return cls(settings.store_url, settings.data_path / "images", create_folder=settings.db_url is None)

    def session(self) -> Session:
        return self._sessions()

    def state_stamp(self) -> tuple[object, ...] | None:
        """What changes whenever the store is written, cheaply, for caching what is computed from it
        (review_app.trust.quality): a SQLite store's file and write-ahead log, their modification times and
        sizes (every commit appends to the log; a checkpoint writes the file); a PostgreSQL server's current
        WAL insert position (any write anywhere on the server moves it: a cache misses more, it is never
        stale). None where it cannot be told (another database, a server in recovery): compute every time."""
        path = sqlite_file(self.url)
        if path is not None:
            out: list[object] = []
            for p in (path, path.with_name(path.name + "-wal")):
                try:
                    st = p.stat()
                except FileNotFoundError:
                    out.append(None)
                else:
                    out.append((st.st_mtime_ns, st.st_size))
            return tuple(out)
        if self.engine.dialect.name == "postgresql":
            try:
                with self.engine.connect() as conn:
                    return (str(conn.exec_driver_sql("SELECT pg_current_wal_insert_lsn()").scalar()),)
            except Exception:  # noqa: BLE001 - a standby, or a role refused the function: no stamp, no cache
                return None
        return None

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
        ok, buf = cv2.imencode(
            ".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE]
        )
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
    Taken and renewed by conditional writes (see pipeline.review.queue.claim); it expires at `expires_at`."""

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
    typed: Mapped[str] = mapped_column(Text)  # what the keyer typed
    typed_value: Mapped[str | None] = mapped_column(Text)  # JSON of the typed text once normalized
    ocr_value: Mapped[str | None] = mapped_column(Text)  # JSON of the OCR value at keying time
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_by: Mapped[str | None] = mapped_column(String(80))


class PlatformLink(Base):
    """A record of this store matching a row already on the platform (loaded earlier, possibly from
    another store): the same person must not be loaded as a second one. Written by pipeline.platform.linkage.
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
    """A platform's receipt for one loaded batch, kept in the store too (pipeline.platform.receipts):
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
    """The one place that says a record is on the platform, and as what (written by pipeline.platform.load
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
    scan is matched by its ledger title (funeral home + kind + year), see pipeline.archive.inventory."""

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


# --- the review contract and personal data (issue 22) ----------------------------------------------
class FieldReview(Base):
    """A reviewer's word on one field of one record, beside the value itself: `confirmed` (the value
    shown was checked against the scan and is right; `value` holds it, so a later change of the value
    voids the confirmation) or `not_on_scan` (the paper holds no value for it). One row per record and
    field (the latest word); every one is also in the audit trail (record_changes)."""

    __tablename__ = "field_reviews"
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    action: Mapped[str] = mapped_column(String(20))  # confirmed / not_on_scan
    value: Mapped[str | None] = mapped_column(Text)  # JSON of the value confirmed
    user: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerAbsentField(Base):
    """A field a ledger (scanned file) never records - it has no such column, e.g. 民族 on a cremation
    register without one - declared once by an administrator, with why: its blank is then sure and no
    reviewer is asked for it record by record (pipeline.page.extract.map_rows)."""

    __tablename__ = "ledger_absent_fields"
    file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    declared_by: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ColumnDecision(Base):
    """A reviewer's word on which field a printed column of a page holds (or that it holds none of ours:
    `field` None), with who, when and why (pipeline.review.columns.set_column_field). Every decision is
    kept; for a page and column the latest one in force (pipeline.page.extract.decided_columns) - the
    page's own, or one made on another page of its volume with `volume` set where that page is of the
    same printed form (mapping.headers.same_form). Applied whenever the page is mapped again
    (pipeline.page.extract.remap_page), after the volume's word (take_told): a reviewer's word is last."""

    __tablename__ = "column_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id"), index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    column: Mapped[int] = mapped_column(Integer)  # 0-based printed column of the page's grid
    header: Mapped[str] = mapped_column(Text, default="")  # the column's header as read when decided
    field: Mapped[str | None] = mapped_column(String(60), nullable=True)  # None: no field of ours
    volume: Mapped[bool] = mapped_column(Boolean, default=True)  # also the volume's pages of the same form
    user: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(Text)


class Reveal(Base):
    """A full ID or phone number shown on screen: who, when, why, which record and field (rows only added).
    `reason` is empty on rows written before a reveal asked why."""

    __tablename__ = "reveals"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    field: Mapped[str] = mapped_column(String(60))
    user: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")


class UserPref(Base):
    """Per-user preferences of the review app (the language of its screens)."""

    __tablename__ = "user_prefs"
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), default="zh")


class ReviewDraft(Base):
    """Text a reviewer typed (or a "not on the scan" mark) in a record's form and did not save yet, one row
    per reviewer, record, form and field (pipeline.review.drafts): it survives a reload or a dropped
    connection and is put back when its reviewer returns. Only its own reviewer reads it. `base` is the
    stored form text the reviewer typed over: when the stored value moved since (someone else saved), the
    draft is not put back silently. `form`: "edit" (the correction form) or "blind" (two-keyer keying).
    `text` and `base` are sealed under the data folder's own key (pipeline.review.drafts: no typed ID, phone
    or name in clear in the store) and a draft untouched for `drafts.MAX_AGE` is dropped."""

    __tablename__ = "review_drafts"
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    form: Mapped[str] = mapped_column(String(10), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    not_on_scan: Mapped[bool] = mapped_column(default=False)
    base: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginFailure(Base):
    """A refused login (wrong name or password, or a locked account): what slows down and locks
    repeated attempts (pipeline.review.users.login)."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class WebSession(Base):
    """A browser session of the review app. The browser holds a random token in an HttpOnly cookie;
    only its sha256 is kept here. It ends at logout, when the user is disabled, or after
    `review_idle_minutes` without activity."""

    __tablename__ = "web_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    bound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # cookie set in the browser
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- trust measured on the archive (issue 23): blind audit samples, review holds, audit verdicts ------
class AuditSample(Base):
    """An auto-accepted record drawn for the blind audit (pipeline.quality.audit): it waits in the review queue
    like any other record until its review ends; then its outcome is its audit evidence. `snapshot` is
    what auto-acceptance would have sent to the platform (field -> value, confidence), refreshed by a
    re-map while the review is pending; no reviewer ever sees this table."""

    __tablename__ = "audit_samples"
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    volume: Mapped[str] = mapped_column(String(300), index=True)  # the volume key when drawn
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    drawn_by: Mapped[str] = mapped_column(String(80))
    seed: Mapped[int] = mapped_column(Integer)
    share: Mapped[float] = mapped_column(Float)
    min_per_volume: Mapped[int] = mapped_column(Integer)
    rank: Mapped[float] = mapped_column(Float)  # the record's draw number in [0, 1): smallest first
    loaded_when_drawn: Mapped[bool] = mapped_column(default=False)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")  # pending / confirmed / corrected / rejected
    fields_checked: Mapped[int | None] = mapped_column(Integer)
    fields_wrong: Mapped[int | None] = mapped_column(Integer)
    checked_fields: Mapped[list[str]] = mapped_column(JSON, default=list)  # field names only, never values
    wrong_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    reviewed_by: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReviewHold(Base):
    """A record kept in review whatever routing says, until its review ends: a blind audit sample
    (kind "audit": its reason is never shown) or an auto-accepted record of a volume whose audit
    failed (kind "volume": its reason is shown). A re-map never routes a held record past review."""

    __tablename__ = "review_holds"
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    volume: Mapped[str] = mapped_column(String(300), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))


class AuditVerdict(Base):
    """What the audit decided for one volume, and why (pipeline.quality.audit.enforce): sent_back (its
    auto-accepted records not yet loaded went back to review), recheck (records were already loaded:
    listed for re-check), passed (the interval's upper bound is within the target), extended (the
    sample was too small to show the target: `extra` more records drawn)."""

    __tablename__ = "audit_verdicts"
    volume: Mapped[str] = mapped_column(String(300), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(80))
    audited: Mapped[int] = mapped_column(Integer)
    fields: Mapped[int] = mapped_column(Integer)
    wrong: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    sent_back: Mapped[int] = mapped_column(Integer, default=0)
    loaded: Mapped[int] = mapped_column(Integer, default=0)  # auto-accepted records already on the platform
    extra: Mapped[int] = mapped_column(Integer, default=0)  # records audited beyond the share: the audit extended
    reason: Mapped[str] = mapped_column(Text, default="")


class LexiconDecision(Base):
    """An administrator's word on a lexicon suggestion (pipeline.page.lexicon): a place, village or sea
    area reviewers typed that no list holds, or a character confusion they keep correcting.
    status: accepted (into the local lexicon) / refused."""

    __tablename__ = "lexicon_decisions"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # kind|name|parent
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    parent: Mapped[str] = mapped_column(
        String(100), default=""
    )  # town of a village, district of a place, written char of a confusion
    status: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    count_then: Mapped[int] = mapped_column(Integer, default=0)  # how many corrections showed it when decided


# --- cross-registry checks (issue 24): rolls of other departments against the platform's deceased ---
class CrosscheckRun(Base):
    """One check of one roll (a file handed over by another department) against the platform's
    deceased. Nothing of the roll's entries is kept here but the hits (CrosscheckHit): the roll's
    sha256, its size, counts, the column mapping used and where its bad rows are (line numbers and
    reasons, never values). `kept` says, in words, what the check keeps and for how long."""

    __tablename__ = "crosscheck_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    roll_file: Mapped[str] = mapped_column(Text)  # the file name as given (no folder)
    roll_sha256: Mapped[str] = mapped_column(String(64), index=True)
    roll_bytes: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # dibao / pension / hukou / marriage / other
    platform: Mapped[str] = mapped_column(Text)  # platform URL, password masked
    out_dir: Mapped[str | None] = mapped_column(Text)
    columns: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> header used
    status: Mapped[str] = mapped_column(String(20), default="running")  # running / done / failed / interrupted / closed
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[str] = mapped_column(String(80), default="")
    process: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # pid, host (a killed check resumes)
    lines_done: Mapped[int] = mapped_column(Integer, default=0)  # entries up to this line are checked
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    kept: Mapped[list[str]] = mapped_column(JSON, default=list)


class CrosscheckHit(Base):
    """A roll entry that is (or may be) the same person as a deceased on the platform.

    status: auto_confirmed (exact ID, names agree) / to_review / confirmed / not_same.
    `roll_values` is the roll's data of the entry (a living person's, until confirmed): it is
    replaced by its digest when the check is closed unless the hit is confirmed."""

    __tablename__ = "crosscheck_hits"
    __table_args__ = (UniqueConstraint("check_id", "roll_line", "roll_side", "platform_table", "platform_row_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("crosscheck_runs.id"), index=True)
    roll_line: Mapped[int] = mapped_column(Integer)  # line in a CSV, row in a worksheet
    roll_side: Mapped[int] = mapped_column(Integer, default=0)  # 0; 1 男方 / 2 女方 of a marriage record
    roll_where: Mapped[str] = mapped_column(Text)  # file:line (or file:sheet!row)
    tier: Mapped[str] = mapped_column(String(30))  # id_exact / id_name_conflict / id_near / name_birth_place
    status: Mapped[str] = mapped_column(String(20), index=True)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    roll_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    roll_digest: Mapped[str] = mapped_column(String(64))
    platform_table: Mapped[str] = mapped_column(String(60))
    platform_row_id: Mapped[int] = mapped_column(Integer)
    natural_key: Mapped[str | None] = mapped_column(String(200))
    deceased: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the platform row's values shown and exported
    finding: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # months after death, dates, wording
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CrosscheckChange(Base):
    """The audit trail of cross-check hits: decisions, reveals of a full number, purges, exports.
    Rows are only ever added; `hit_id` is None for actions on a whole check (export, close)."""

    __tablename__ = "crosscheck_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("crosscheck_runs.id"), index=True)
    hit_id: Mapped[int | None] = mapped_column(ForeignKey("crosscheck_hits.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))  # confirm / not_same / reveal / export / close
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE matched. (Session.execute is typed as returning a Result; for DML it
    returns a CursorResult, which has rowcount.)"""
    return cast(CursorResult, result).rowcount


_Row = TypeVar("_Row", bound=Base)


def get_row(s: Session, model: type[_Row], key: Any) -> _Row:
    """`s.get` for a row the caller knows is there (its id was just read from the store, or its run
    was started by this same process): a missing one is a fault of the store (removed meanwhile, by
    another process or by hand), raised with the table and the key, never an AttributeError on None."""
    row = s.get(model, key)
    if row is None:
        raise DatabaseError(
            f"{model.__tablename__} {key} is not in the store: removed while this command ran?",
            hint="请重新运行该命令；如反复出现，请检查工作库（备份、其他进程）/ run the command again; if this recurs, check "
            "the store (backup, another process)",
        )
    return row
