"""The data-exchange package: one file per MZ/T 141 entity set (JSON Lines and CSV) and a manifest.

`export_package` writes, from a platform database, `<table>.jsonl` (the values as they are) and
`<table>.csv` (for spreadsheets: formula-like text neutralized, pipeline.kernel.csvsafe) for every
entity set, then `manifest.json` (format, spec version, row counts, columns, size and sha256 of
every file). `import_package` loads such a package into another platform database (the national
platform aggregating the provinces): it first checks the manifest, every file's size, sha256 and
row count, and refuses the whole package before writing anything if one check fails. Rows are
upserted by natural key in one transaction, so importing twice adds nothing.
"""

from __future__ import annotations

import csv
import errno
import json
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import psycopg
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError

from pipeline.kernel import csvsafe
from pipeline.kernel.config import Settings, mask_url
from pipeline.kernel.errors import BackfillError, DatabaseError, ExitCode, output_error
from pipeline.kernel.privacy import mask_text
from pipeline.kernel.safety import private_dir, private_file
from pipeline.kernel.store import utcnow
from pipeline.page.intake import sha256_file
from pipeline.platform.load import BATCH_COLUMNS, upsert_batch
from pipeline.platform.receipts import Receipt, new_batch_id
from pipeline.platform.schema import ENTITY_SETS, KEY_COLUMN, open_platform

FORMAT = "funeral-backfill/exchange-package"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class PackageError(BackfillError):
    """An exchange package that cannot be imported: missing, incomplete or altered files."""

    exit_code = ExitCode.package


def package_columns(md, table: str) -> list[str]:
    """Columns an entity set carries in a package: all but the platform's own id and batch bookkeeping."""
    return [str(c.name) for c in md.tables[table].c if c.name != "id" and c.name not in BATCH_COLUMNS]


@dataclass
class PackageSummary:
    directory: Path
    spec_version: str
    counts: dict[str, int]
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)


def export_package(settings: Settings, out_dir: Path, *, platform_url: str | None = None) -> PackageSummary:
    """Write the platform's entity sets as a package into `out_dir` (created if needed)."""
    url = platform_url or settings.platform_db_url
    out = Path(out_dir)
    engine, md = open_platform(url, settings.spec_version, create=platform_url is None and settings.platform_is_default)
    try:
        return _write_package(engine, md, settings, out)
    except OSError as e:
        raise output_error(out, e, "package folder") from e
    finally:
        engine.dispose()


def _write_package(engine, md, settings: Settings, out: Path) -> PackageSummary:
    """The package's files, each owner-only (0600) in an owner-only folder (0700): they hold personal data."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(out))
    private_dir(out)
    (out / MANIFEST).unlink(missing_ok=True)  # no manifest until every file is complete
    entity_sets: dict[str, dict] = {}
    with engine.connect() as conn:
        for table, entity in ENTITY_SETS.items():
            t = md.tables[table]
            cols = package_columns(md, table)
            q = select(*(t.c[c] for c in cols)).order_by(t.c[KEY_COLUMN[table]])
            n = 0
            with (
                private_file(out / f"{table}.jsonl", "wb") as jf,
                private_file(out / f"{table}.csv", "w", encoding="utf-8", newline="") as cf,
            ):
                w = csvsafe.writer(cf)  # for people (spreadsheets): formula-like text neutralized
                w.writerow(cols)
                for row in conn.execution_options(stream_results=True, yield_per=5000).execute(q):
                    jf.write(orjson.dumps(dict(zip(cols, row))) + b"\n")
                    w.writerow(["" if v is None else v for v in row])
                    n += 1
            files = {}
            for name in (f"{table}.jsonl", f"{table}.csv"):
                p = out / name
                files[name] = {"sha256": sha256_file(p), "bytes": p.stat().st_size, "rows": n}
            entity_sets[table] = {"entity": entity, "rows": n, "key": KEY_COLUMN[table], "columns": cols, "files": files}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "spec_version": settings.spec_version,
        "created_at": utcnow().isoformat(timespec="seconds"),
        "entity_sets": entity_sets,
    }
    tmp = out / (MANIFEST + ".tmp")
    with private_file(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, ensure_ascii=False, indent=2))
    tmp.replace(out / MANIFEST)
    return PackageSummary(out, settings.spec_version, {t: e["rows"] for t, e in entity_sets.items()})


def _count_rows(path: Path) -> int:
    if path.suffix == ".jsonl":
        with path.open("rb") as f:
            return sum(1 for line in f if line.strip())
    with path.open(encoding="utf-8", newline="") as f:
        return max(sum(1 for _ in csv.reader(f)) - 1, 0)


def verify_package(directory: Path, settings: Settings) -> dict:
    """Check a package completely; return its manifest or raise PackageError naming every problem."""
    d = Path(directory)
    mpath = d / MANIFEST
    if not mpath.is_file():
        raise PackageError(
            f"{d}: no {MANIFEST}; not an exchange package (or an incomplete one)",
            hint="请用 backfill export-package 重新导出 / export it again with `backfill export-package`",
        )
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise PackageError(f"{mpath}: not valid JSON ({e})") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise PackageError(f"{mpath}: not a {FORMAT} version {FORMAT_VERSION} manifest")
    if manifest.get("spec_version") != settings.spec_version:
        raise PackageError(
            f"{d}: package is spec version {manifest.get('spec_version')!r}, the target platform uses {settings.spec_version!r}"
        )
    problems: list[str] = []
    sets = manifest.get("entity_sets") or {}
    listed = set()
    for table in sets:
        if table not in ENTITY_SETS:
            problems.append(f"unknown entity set {table!r}")
    for table in ENTITY_SETS:
        entry = sets.get(table)
        if entry is None:
            problems.append(f"entity set {table} is missing from the manifest")
            continue
        if not {"jsonl", "csv"} <= {Path(n).suffix.lstrip(".") for n in entry.get("files", {})}:
            problems.append(f"{table}: the manifest lists no JSON Lines or no CSV file")
        for name, meta in entry.get("files", {}).items():
            listed.add(name)
            p = d / name
            if Path(name).name != name or not p.is_file():
                problems.append(f"{name}: listed in the manifest but not in the package")
                continue
            if p.stat().st_size != meta.get("bytes"):
                problems.append(f"{name}: {p.stat().st_size} bytes, the manifest says {meta.get('bytes')}")
            if sha256_file(p) != meta.get("sha256"):
                problems.append(f"{name}: sha256 does not match the manifest (the file was changed)")
            elif _count_rows(p) != entry.get("rows"):
                problems.append(f"{name}: {_count_rows(p)} rows, the manifest says {entry.get('rows')}")
    for p in sorted(d.iterdir()):
        if p.suffix in (".jsonl", ".csv") and p.name not in listed:
            problems.append(f"{p.name}: in the package but not listed in the manifest")
    if problems:
        raise PackageError(
            f"package {d} refused, nothing imported: " + "; ".join(problems),
            hint="请向发送方重新索取交换包，切勿手工修改 / ask the sender for the package again; never edit a package by hand",
        )
    return manifest


def import_package(
    directory: Path, settings: Settings, *, platform_url: str | None = None, batch_size: int = 5000
) -> PackageSummary:
    """Verify a package, then upsert its entity sets into the platform in one transaction."""
    d = Path(directory)
    manifest = verify_package(d, settings)
    url = platform_url or settings.platform_db_url
    engine, md = open_platform(url, settings.spec_version, create=platform_url is None and settings.platform_is_default)
    summary = PackageSummary(d, manifest["spec_version"], {t: e["rows"] for t, e in manifest["entity_sets"].items()})
    try:
        for table in ENTITY_SETS:
            cols = manifest["entity_sets"][table]["columns"]
            if cols != package_columns(md, table):
                raise PackageError(f"{table}: the package's columns differ from the platform's at {mask_url(url)}")
        try:
            _import_rows(engine, md, d, manifest, settings, summary, batch_size)
        except (DBAPIError, psycopg.Error) as e:
            orig = getattr(e, "orig", e)
            diag = getattr(orig, "diag", None)
            reason = (getattr(diag, "message_primary", None) if diag else None) or str(orig).splitlines()[0]
            raise DatabaseError(
                f"the platform at {mask_url(url)} refused package {d}; nothing imported: {mask_text(reason)}"
            ) from e
    finally:
        engine.dispose()
    return summary


def _import_rows(engine, md, d: Path, manifest: dict, settings: Settings, summary: PackageSummary, batch_size: int) -> None:
    """Upsert the verified package's rows in one transaction, in load order, a receipt per batch."""
    with engine.begin() as conn:  # the whole package or nothing
        for table in ENTITY_SETS:
            cols = manifest["entity_sets"][table]["columns"]
            key = KEY_COLUMN[table]
            with (d / f"{table}.jsonl").open("rb") as f:
                rows = [tuple(r[c] for c in cols) for r in map(orjson.loads, f) if r]
            totals = [0, 0, 0]
            for i in range(0, len(rows), batch_size):
                batch = rows[i : i + batch_size]
                batch_id, started = new_batch_id(), utcnow()
                counts = upsert_batch(conn, md.tables[table], cols, batch, batch_id, started)
                k, h = cols.index(key), cols.index("row_hash")
                receipt = Receipt.of(
                    batch_id, table, "import", [(r[k], r[h]) for r in batch], *counts, settings.spec_version, started
                )
                conn.execute(insert(md.tables["load_receipts"]), [receipt.to_row()])
                totals = [a + b for a, b in zip(totals, counts)]
            summary.inserted[table], summary.updated[table], summary.unchanged[table] = totals
