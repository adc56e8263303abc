"""The provincial platform's schema: MZ/T 141 entity sets as tables, created and upgraded by Alembic.

Tables (entity set → table):
  DeadInformation + cremation data → dead_information
  sea burial registration          → sea_burial_registration
  ContactInformation               → contact_information (the agent / registrant of a person row,
                                      linked to it by the person's natural key)
  InstitutionData                  → institution_data (funeral homes, mapping/data/institutions.json)
and the platform's own bookkeeping: platform_meta (spec version), load_receipts (one per batch),
record_history (a row's old values each time a load or an import changes it).

`platform_metadata()` describes the schema at the newest migration; the migrations in
pipeline/platform/migrations/versions/ are the versioned files that create it. A test checks that the two
agree. Columns come from the spec; the contact fields of a person live in contact_information.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import cast

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    column,
    select,
    table,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from mapping.spec import DATA_DIR, load_spec
from pipeline.kernel.config import driver_error_text, mask_url
from pipeline.kernel.errors import ConfigError, DatabaseError
from pipeline.kernel.safety import private_dir
from pipeline.kernel.store import make_engine, sqlite_file, track_reached, unreachable_error

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

ENTITY_TABLES = {"cremation": "dead_information", "sea_burial": "sea_burial_registration"}
#: entity set name (MZ/T 141) of every table the exchange package carries, in load order
ENTITY_SETS = {
    "institution_data": "InstitutionData",
    "dead_information": "DeadInformation",
    "sea_burial_registration": "SeaBurialRegistration",
    "contact_information": "ContactInformation",
}
#: the natural key column of each entity-set table
KEY_COLUMN = {
    "institution_data": "funeral_home_code",
    "dead_information": "natural_key",
    "sea_burial_registration": "natural_key",
    "contact_information": "natural_key",
}
#: the contact person of each ledger kind: role, and contact column -> spec field
CONTACT_FIELDS = {
    "cremation": ("agent", {"name": "agent_name", "phone": "agent_phone", "relation_code": "agent_relation_code"}),
    "sea_burial": (
        "registrant",
        {"name": "registrant_name", "phone": "registrant_phone", "relation_code": "registrant_relation_code"},
    ),
}
#: contact_information column holding the person's natural key, per ledger kind
CONTACT_LINK = {"cremation": "dead_key", "sea_burial": "sea_burial_key"}
#: the field dating each ledger kind's event (a person's record on the platform)
EVENT_DATE = {"cremation": "cremation_date", "sea_burial": "scattering_date"}
PROVENANCE = ("source_file_sha256", "source_file", "source_page", "source_row")


def _sql_type(ftype: str, max_length: int | None):
    if ftype == "date":
        return Date()
    if ftype == "int":
        return Integer()
    return String(max_length) if max_length else Text()


def person_fields(spec_version: str, kind: str) -> list:
    """The spec fields stored in the kind's person table (its contact fields go to contact_information)."""
    contact = set(CONTACT_FIELDS[kind][1].values())
    return [f for f in load_spec(spec_version).kinds[kind].fields if f.name not in contact]


def _bookkeeping() -> list[Column]:
    return [
        Column("row_hash", String(64), nullable=False),
        Column("batch_id", String(40)),
        Column("loaded_at", DateTime(timezone=True)),
        Column("updated_at", DateTime(timezone=True)),
    ]


@lru_cache(maxsize=4)
def platform_metadata(spec_version: str) -> MetaData:
    md = MetaData()
    spec = load_spec(spec_version)
    Table("platform_meta", md, Column("key", String(40), primary_key=True), Column("value", Text, nullable=False))
    Table(
        "institution_data",
        md,
        Column("funeral_home_code", String(18), primary_key=True),
        Column("name", String(100), nullable=False),
        Column("division_code", String(6)),
        *_bookkeeping(),
    )
    for kind, tname in ENTITY_TABLES.items():
        cols: list[Column] = [
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("natural_key", String(200), nullable=False, unique=True),
        ]
        cols += [Column(f.name, _sql_type(f.type, f.max_length)) for f in person_fields(spec_version, kind)]
        cols += [
            Column("source_file_sha256", String(64)),
            Column("source_file", Text),
            Column("source_page", Integer),
            Column("source_row", Integer),
            Column("spec_version", String(40)),
            Column("source_records", Text),
        ]  # every source row of a merged person (migration 0002)
        cols += _bookkeeping()
        Table(tname, md, *cols, Index(f"ix_{tname}_home_file", "funeral_home_code", "source_file"))
    lengths = {f.name: f.max_length for f in spec.kinds["cremation"].fields}
    Table(
        "contact_information",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("natural_key", String(220), nullable=False, unique=True),  # person key | role
        Column("dead_key", String(200), ForeignKey("dead_information.natural_key", ondelete="CASCADE"), index=True),
        Column("sea_burial_key", String(200), ForeignKey("sea_burial_registration.natural_key", ondelete="CASCADE"), index=True),
        Column("role", String(20), nullable=False),  # agent / registrant
        Column("name", String(lengths["agent_name"] or 50)),
        Column("phone", String(lengths["agent_phone"] or 20)),
        Column("relation_code", String(lengths["agent_relation_code"] or 2)),
        *_bookkeeping(),
    )
    Table(
        "load_receipts",
        md,
        Column("batch_id", String(40), primary_key=True),
        Column("entity_set", String(40), nullable=False),
        Column("origin", String(20), nullable=False),  # load (from a working store) / import (a package)
        Column("records", Integer, nullable=False),
        Column("inserted", Integer, nullable=False),
        Column("updated", Integer, nullable=False),
        Column("unchanged", Integer, nullable=False),
        Column("sha256", String(64), nullable=False),  # over the batch's (natural key, row hash), sorted
        Column("spec_version", String(40), nullable=False),
        Column("started_at", DateTime(timezone=True), nullable=False),
        Column("finished_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "record_history",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("entity_set", String(40), nullable=False),
        Column("natural_key", String(220), nullable=False),
        Column("old_row_hash", String(64)),
        Column("new_row_hash", String(64)),
        Column("old_values", JSON),
        Column("batch_id", String(40), nullable=False),
        Column("changed_at", DateTime(timezone=True), nullable=False),
        Index("ix_record_history_key", "entity_set", "natural_key"),
    )
    return md


def institutions() -> dict[str, str]:
    """Funeral home code -> name, from the institution register shipped as data."""
    data = json.loads((DATA_DIR / "institutions.json").read_text(encoding="utf-8"))
    return {code: name for name, code in data["institutions"].items()}


# ---- migrations -------------------------------------------------------------------------------
def _alembic_config(conn: Connection):
    from alembic.config import Config

    cfg = Config()  # no alembic.ini: the environment ships inside the package
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cast(str, ScriptDirectory.from_config(cfg).get_current_head())  # our migrations have one head


#: what migration 0002 adds to a platform at 0001 (see _adopt_unversioned)
_ADDED_AFTER_0001 = {("dead_information", "source_records"), ("sea_burial_registration", "source_records")}


def _adopt_unversioned(conn: Connection, url: str) -> None:
    """A database with platform tables but no alembic_version (made before the loader had migrations):
    stamped as revision 0001 when its tables are exactly those of 0001, refused with a clear message
    otherwise (its tables would make the first migration fail with "table already exists")."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from sqlalchemy import inspect

    existing = set(inspect(conn).get_table_names()) & set(platform_metadata("mzt141-draft-0").tables)
    if not existing:
        return  # an empty database (or one with other tables only): the migrations create the schema
    diff = compare_metadata(MigrationContext_for(conn), platform_metadata("mzt141-draft-0"))
    rest = [d for d in diff if not (isinstance(d, tuple) and d[0] == "add_column" and (d[2], d[3].name) in _ADDED_AFTER_0001)]
    if rest:
        tables = sorted({t for d in rest if (t := _diff_table(d)) is not None})
        raise DatabaseError(
            f"the platform database at {mask_url(url)} was made without migrations (it has platform tables "
            f"{', '.join(sorted(existing))} but no alembic_version) and its schema differs from revision 0001 "
            f"({len(rest)} difference(s) in {', '.join(tables) or 'its tables'}): it cannot be upgraded in place",
            hint="如有需要先导出其中的数据，再装入新的空平台数据库（--platform 或 BACKFILL_PLATFORM_URL），或把旧文件移开 / "
            "export what it holds if needed, then load into a new, empty platform database, or move the old file aside",
        )
    command.stamp(_alembic_config(conn), "0001")


def MigrationContext_for(conn: Connection):  # noqa: N802 - alembic's own name, bound to a connection
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn)


def _diff_table(d) -> str | None:
    item = d[0] if isinstance(d, list) else d
    for part in item[1:]:
        name = getattr(part, "name", None) if not isinstance(part, str) else part
        table = getattr(part, "table", None)
        if table is not None:
            return table.name
        if isinstance(name, str) and name in platform_metadata("mzt141-draft-0").tables:
            return name
    return None


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the platform schema to `revision` (default the newest); return the revision now there."""
    from alembic import command

    with engine.begin() as conn:
        if current_revision(conn) is None:
            _adopt_unversioned(conn, engine.url.render_as_string(hide_password=True))
        command.upgrade(_alembic_config(conn), revision)
        return current_revision(conn) or ""


_META = table("platform_meta", column("key"), column("value"))


def platform_spec_version(conn: Connection) -> str | None:
    """The spec version the platform's schema was built for (None on a database without one)."""
    try:
        return conn.scalar(select(_META.c.value).where(_META.c.key == "spec_version"))
    except (OperationalError, ProgrammingError):
        return None


def open_platform(url: str, spec_version: str, *, create: bool = False) -> tuple[Engine, MetaData]:
    """Engine on the platform database, its schema upgraded to the newest migration and checked
    to carry `spec_version`. A SQLite platform file that is not there is created only when `create`
    (the default platform inside the data folder): a platform someone named must exist already, made
    by `backfill migrate`, so that a path on a share that is not mounted is never silently created."""
    path = sqlite_file(url)
    if create and path is not None and not path.parent.exists():
        private_dir(path.parent)  # the data folder, whose default platform this is
    engine = make_engine(url, what="platform database", create=create)
    reached = track_reached(engine)
    try:
        with engine.connect() as conn:
            at = current_revision(conn)
        if at != head_revision():
            upgrade(engine)
        with engine.connect() as conn:
            carried = platform_spec_version(conn)
    except OperationalError as e:
        engine.dispose()
        if not reached and engine.dialect.name == "postgresql":
            raise unreachable_error(url, e.orig, "platform database", "--platform 或 BACKFILL_PLATFORM_URL") from e
        raise DatabaseError(
            f"cannot open the platform database at {mask_url(url)}: {driver_error_text(e.orig, url)}",
            hint="请检查平台数据库地址（--platform 或 BACKFILL_PLATFORM_URL）/ check --platform / BACKFILL_PLATFORM_URL",
        ) from e
    if carried != spec_version:
        engine.dispose()
        raise ConfigError(
            f"the platform database at {mask_url(url)} carries spec version {carried!r}, this run uses {spec_version!r}",
            hint="请装入同一规范版本的平台，或先迁移平台 / load into a platform of the same spec version, or migrate it first",
        )
    return engine, platform_metadata(spec_version)


def migrate_platform(url: str, revision: str = "head") -> str:
    """`backfill migrate`: bring the platform at `url` to `revision`; a line saying where it is now."""
    engine = make_engine(url, what="platform database")
    try:
        with engine.connect() as conn:
            before = current_revision(conn)
        after = upgrade(engine, revision)
        with engine.connect() as conn:
            spec = platform_spec_version(conn)
    except OperationalError as e:
        raise DatabaseError(
            f"cannot migrate the platform database at {mask_url(url)}: {driver_error_text(e.orig, url)}",
            hint="请检查平台数据库地址（--platform 或 BACKFILL_PLATFORM_URL）/ check --platform / BACKFILL_PLATFORM_URL",
        ) from e
    finally:
        engine.dispose()
    moved = "already at" if before == after else f"upgraded from {before or 'an empty database'} to"
    return f"platform {mask_url(url)}: {moved} revision {after} (spec {spec})"
