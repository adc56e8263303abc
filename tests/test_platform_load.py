"""The platform end of the pipeline on realistic seeded records: migrations, batches with receipts on
both sides, corrections after load with history, a batch refused midway, reconcile, exchange package."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import create_engine, inspect, select, text, update

from pipeline.cli import main
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ExitCode
from pipeline.kernel.store import LoadedRecord, PlatformReceipt, Record, Store
from pipeline.page.routing import LOADABLE
from pipeline.platform.load import LoadError, load
from pipeline.platform.package import PackageError, export_package, import_package
from pipeline.platform.reconcile import reconcile
from pipeline.platform.schema import head_revision, platform_metadata
from pipeline.review.corrections import confirm, correct_record, reopen
from pipeline.review.users import add_user, list_users
from samples.seed import seed_store


def _engine(url: str):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


def _q(url: str, sql: str, **params):
    eng = _engine(url)
    with eng.connect() as c:
        out = c.execute(text(sql), params).all()
    eng.dispose()
    return out


def _seeded(tmp_path, platform_url: str | None = None, pages: int = 2):
    settings = Settings(
        data_dir=str(tmp_path / "d"), platform_url=platform_url, auto_accept_threshold=0.5, thresholds_file=""
    )  # one plain threshold: the seeded records load whatever calibration says
    store = Store.open(settings)
    seed_store(store, settings, seed=1, pages=pages)
    return settings, store


def _loadable_ids(store: Store, kind: str) -> list[int]:
    with store.session() as s:
        return list(
            s.scalars(select(Record.id).where(Record.status.in_(LOADABLE), Record.ledger_kind == kind).order_by(Record.id))
        )


def _correct_after_load(store: Store, settings: Settings, rid: int, typed: dict, why: str) -> None:
    """A correction after load: an administrator reopens the record, a reviewer corrects and approves it."""
    if not list_users(store):
        add_user(store, "boss", "administrator", "password-boss")
    reopen(store, rid, user="boss", reason=why)
    correct_record(store, rid, typed, user="rev1", settings=settings, reason=why)
    assert confirm(store, rid, [], user="rev1", settings=settings, approve=True).approved


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def platform(request, tmp_path):
    if request.param == "sqlite":
        return None
    return request.getfixturevalue("pg_url")


def test_migrations_build_the_schema_the_loader_uses(tmp_path, platform):
    """The versioned migration creates exactly the tables and columns of platform_metadata, and
    the platform carries the spec version."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    settings = Settings(data_dir=str(tmp_path / "d"), platform_url=platform)
    assert main(["migrate", "--data-dir", settings.data_dir] + (["--platform", platform] if platform else [])) == 0
    eng = _engine(settings.platform_db_url)
    with eng.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), platform_metadata(settings.spec_version))
        tables = set(inspect(c).get_table_names())
        assert c.scalar(text("select value from platform_meta where key = 'spec_version'")) == "mzt141-draft-0"
        assert c.scalar(text("select version_num from alembic_version")) == head_revision()
    eng.dispose()
    assert diff == []
    assert {
        "dead_information",
        "sea_burial_registration",
        "contact_information",
        "institution_data",
        "load_receipts",
        "record_history",
        "platform_meta",
    } <= tables


def test_platform_of_another_spec_version_is_refused(tmp_path):
    settings, store = _seeded(tmp_path, pages=1)
    load(store, settings)
    eng = _engine(settings.platform_db_url)
    with eng.begin() as c:
        c.execute(text("update platform_meta set value = 'mzt141-draft-9' where key = 'spec_version'"))
    eng.dispose()
    assert main(["load", "--data-dir", settings.data_dir]) == ExitCode.config
    store.dispose()


def test_load_reload_correct_with_receipts_history_and_reconcile(tmp_path, platform):
    settings, store = _seeded(tmp_path, platform)
    url = settings.platform_db_url
    first = load(store, settings, batch_size=10)
    n_dead = _q(url, "select count(*) from dead_information")[0][0]
    n_sea = _q(url, "select count(*) from sea_burial_registration")[0][0]
    assert first.inserted == n_dead + n_sea == 62 and first.updated == 0
    assert _q(url, "select count(*) from contact_information")[0][0] == 62  # each person row has its agent / registrant
    assert _q(url, "select count(*) from institution_data")[0][0] == 4
    # every batch has one receipt on the platform and the same one in the store
    plat = {r[0]: r[1:] for r in _q(url, "select batch_id, sha256, inserted, updated, unchanged from load_receipts")}
    with store.session() as s:
        kept = {r.batch_id: (r.sha256, r.inserted, r.updated, r.unchanged) for r in s.scalars(select(PlatformReceipt))}
        assert (
            s.scalar(
                select(Record.id)
                .outerjoin(LoadedRecord, LoadedRecord.record_id == Record.id)
                .where(Record.status.in_(LOADABLE), LoadedRecord.record_id.is_(None))
            )
            is None
        )
    assert kept == plat and len(plat) == 1 + -(-n_dead // 10) + -(-n_sea // 10)  # institutions + batches of 10
    assert sum(v[1] for v in plat.values()) == 62 + 4

    again = load(store, settings, batch_size=10)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 62)
    assert _q(url, "select count(*) from dead_information")[0][0] == n_dead
    assert reconcile(store, settings).ok

    rid = _loadable_ids(store, "cremation")[3]
    with store.session() as s:
        rec = s.get(Record, rid)
        old_agent = rec.fields["agent_name"]["value"]
        old_hash = s.get(LoadedRecord, rid).row_hash
    _correct_after_load(store, settings, rid, {"agent_name": "欧阳修", "remarks": "家属更正"}, "phone call")
    rep = reconcile(store, settings)
    assert not rep.ok and sum(len(v.mismatched) for v in rep.volumes) == 1  # corrected, not yet loaded
    upd = load(store, settings, batch_size=10)
    assert (upd.inserted, upd.updated, upd.unchanged) == (0, 1, 61)
    person = _q(
        url,
        "select d.natural_key, d.remarks, c.name from dead_information d join contact_information c "
        "on c.dead_key = d.natural_key where d.remarks like '家属更正%'",
    )
    assert len(person) == 1 and person[0][2] == "欧阳修"
    hist = _q(url, "select entity_set, old_row_hash, old_values from record_history order by entity_set")
    assert [h[0] for h in hist] == ["contact_information", "dead_information"]
    old_contact = hist[0][2] if isinstance(hist[0][2], dict) else json.loads(hist[0][2])
    old_person = hist[1][2] if isinstance(hist[1][2], dict) else json.loads(hist[1][2])
    assert old_contact["name"] == old_agent and old_person["row_hash"] == old_hash == hist[1][1]
    with store.session() as s:
        assert s.get(LoadedRecord, rid).row_hash != old_hash
    assert reconcile(store, settings).ok
    store.dispose()


def test_new_and_changed_rows_in_one_batch_land_typed(tmp_path, platform):
    """One batch holding a row the platform lacks (written by COPY straight into the tables on
    PostgreSQL) and a row it holds with other values (through staging and an upsert): both land,
    dates and numbers typed as the schema says, the same on SQLite and PostgreSQL."""
    settings, store = _seeded(tmp_path, platform)
    url = settings.platform_db_url
    ids = _loadable_ids(store, "cremation")
    held, changed = ids[5], ids[6]
    with store.session() as s, s.begin():
        s.execute(update(Record).where(Record.id == held).values(status="needs_review"))
    first = load(store, settings, batch_size=100)
    assert first.inserted == 61
    with store.session() as s, s.begin():
        s.execute(update(Record).where(Record.id == held).values(status="approved"))
    _correct_after_load(store, settings, changed, {"remarks": "复核更正"}, "re-read")
    res = load(store, settings, batch_size=100)
    assert (res.inserted, res.updated, res.unchanged) == (1, 1, 60)
    with store.session() as s:
        rec = s.get(Record, held)
        want = {f: rec.fields[f]["value"] for f in ("cremation_date", "death_date", "age_years", "deceased_name")}
        key = s.get(LoadedRecord, held).natural_key
    got = _q(
        url,
        "select cremation_date, death_date, age_years, deceased_name, batch_id from dead_information where natural_key = :k",
        k=key,
    )
    assert len(got) == 1
    cremation, death, age, name, batch = got[0]
    assert (str(cremation), str(death), age, name) == (
        str(want["cremation_date"]),
        str(want["death_date"]),
        want["age_years"],
        want["deceased_name"],
    )
    assert isinstance(age, int)
    assert _q(url, "select count(*) from contact_information where dead_key = :k and batch_id = :b", k=key, b=batch)[0][0] == 1
    assert _q(url, "select count(*) from dead_information where remarks like '复核更正%'")[0][0] == 1
    assert reconcile(store, settings).ok
    store.dispose()


def test_reconcile_lists_differences_without_personal_data(tmp_path, capsys):
    settings, store = _seeded(tmp_path)
    load(store, settings)
    url = settings.platform_db_url
    assert main(["reconcile", "--data-dir", settings.data_dir]) == 0
    keys = [r[0] for r in _q(url, "select natural_key from dead_information order by source_page, source_row")]
    eng = _engine(url)
    with eng.begin() as c:
        c.execute(text("delete from dead_information where natural_key = :k"), {"k": keys[0]})
        c.execute(text("update dead_information set row_hash = 'x' where natural_key = :k"), {"k": keys[1]})
        c.execute(
            text(
                "insert into dead_information (natural_key, funeral_home_code, source_file, source_page, source_row,"
                " row_hash) values ('370600100001|cert|209999999', '370600100001', 'other.pdf', 9, 9, 'y')"
            )
        )
        c.execute(text("delete from load_receipts where entity_set = 'sea_burial_registration'"))
    eng.dispose()
    capsys.readouterr()
    assert main(["reconcile", "--data-dir", settings.data_dir]) == ExitCode.differences
    out = capsys.readouterr().out
    assert "missing on the platform: p1 r" in out and "different on the platform: p1 r" in out
    assert "other.pdf [dead_information] on the platform only: p9 r9" in out
    assert "receipts only in the store" in out
    rep = reconcile(store, settings)
    assert rep.differences == 4
    with store.session() as s:  # no name, ID number or phone of any record in the output
        for rec in s.scalars(select(Record)):
            for f in ("deceased_name", "id_number", "agent_name", "registrant_name", "agent_phone", "registrant_phone"):
                v = rec.fields.get(f, {}).get("value")
                assert not v or str(v) not in out
    store.dispose()


@pytest.mark.postgres
def test_batch_refused_midway_leaves_nothing_of_it(tmp_path, pg_url):
    settings, store = _seeded(tmp_path, pg_url)
    ids = _loadable_ids(store, "cremation")
    bad = ids[15]  # in the middle of the second batch of 10
    with store.session() as s, s.begin():
        rec = s.get(Record, bad)
        fields = dict(rec.fields)
        fields["remarks"] = dict(fields["remarks"], value="备" * 600)  # longer than the platform takes (500)
        rec.fields = fields
    with pytest.raises(LoadError) as err:
        load(store, settings, batch_size=10)
    assert "not loaded" in str(err.value) and "column remarks" in str(err.value)
    with store.session() as s:
        rec = s.get(Record, bad)
        assert f"page {rec.page.page_no} row {rec.row_no}" in str(err.value)
    assert _q(pg_url, "select count(*) from dead_information")[0][0] == 10  # only the first batch
    assert _q(pg_url, "select count(*) from contact_information")[0][0] == 10
    assert _q(pg_url, "select count(*) from load_receipts where entity_set = 'dead_information'")[0][0] == 1
    with store.session() as s:
        loaded = set(s.scalars(select(LoadedRecord.record_id)))
        assert len(s.scalars(select(PlatformReceipt).where(PlatformReceipt.entity_set == "dead_information")).all()) == 1
    assert bad not in loaded and not (set(ids[10:20]) & loaded) and set(ids[:10]) <= loaded
    with store.session() as s, s.begin():  # fixed in review: the next load finishes the job
        rec = s.get(Record, bad)
        rec.fields = dict(rec.fields, remarks=dict(rec.fields["remarks"], value="备注"))
    res = load(store, settings, batch_size=10)
    assert res.inserted == 52 and res.unchanged == 10
    assert reconcile(store, settings).ok
    store.dispose()


def test_a_later_batch_failing_first_still_lets_the_earlier_batches_commit():
    """Two senders: the second batch may be refused before the first reaches its turn to commit
    (CI saw it: the load then kept nothing). The batches before the refused one still commit, in
    order; the ones after it roll back."""
    import threading

    from pipeline.platform.load import _Cancelled, _Turns

    turns = _Turns()
    turns.done(1, False)  # batch 1 refused while batch 0 is still writing
    turns.wait(0)  # batch 0's turn: it commits
    turns.done(0, True)
    with pytest.raises(_Cancelled):
        turns.wait(2)  # built after the refused batch: rolled back
    waiting = _Turns()  # a batch waiting for its turn is released, cancelled, when an earlier one fails
    out: list[str] = []

    def later() -> None:
        try:
            waiting.wait(3)
            out.append("committed")
        except _Cancelled:
            out.append("cancelled")

    t = threading.Thread(target=later)
    t.start()
    waiting.done(0, True)
    waiting.done(1, False)
    t.join(timeout=120)  # returns as soon as the thread ends: the bound only stops a hang, never times a slow runner
    assert not t.is_alive() and out == ["cancelled"]


def _second_db(pg_server) -> str:
    import psycopg
    from psycopg import sql

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return pg_server.rsplit("/", 1)[0] + "/" + name


def _table_rows(url: str, table: str, cols: str) -> list:
    return _q(url, f"select {cols} from {table} order by 1")


@pytest.mark.postgres
def test_exchange_package_round_trip_and_tampering(tmp_path, pg_url, pg_server, capsys):
    settings, store = _seeded(tmp_path, pg_url)
    load(store, settings)
    pkg = tmp_path / "pkg"
    assert main(["export-package", "--data-dir", settings.data_dir, "--platform", pg_url, "--out", str(pkg)]) == 0
    manifest = json.loads((pkg / "manifest.json").read_text())
    assert manifest["spec_version"] == "mzt141-draft-0"
    n_dead = _q(pg_url, "select count(*) from dead_information")[0][0]
    n_sea = _q(pg_url, "select count(*) from sea_burial_registration")[0][0]
    assert n_dead + n_sea == 62 and min(n_dead, n_sea) > 0
    rows = {"institution_data": 4, "dead_information": n_dead, "sea_burial_registration": n_sea, "contact_information": 62}
    assert {t: e["rows"] for t, e in manifest["entity_sets"].items()} == rows
    assert sorted(p.name for p in pkg.iterdir()) == sorted(
        ["manifest.json"] + [f"{t}.{x}" for t in manifest["entity_sets"] for x in ("jsonl", "csv")]
    )

    national = _second_db(pg_server)
    nat = Settings(data_dir=str(tmp_path / "n"), platform_url=national)
    first = import_package(pkg, nat)
    assert first.inserted == rows
    for table, cols in (
        ("dead_information", "natural_key, row_hash, deceased_name, cremation_date, source_row"),
        ("contact_information", "natural_key, dead_key, name, phone, row_hash"),
    ):
        assert _table_rows(national, table, cols) == _table_rows(pg_url, table, cols)
    capsys.readouterr()
    assert main(["import-package", str(pkg), "--data-dir", nat.data_dir, "--platform", national]) == 0
    assert (
        f"dead_information：新增 0，更新 0，未变 {n_dead} / 0 inserted, 0 updated, {n_dead} unchanged" in capsys.readouterr().out
    )

    # one changed character in one file: refused before anything is written
    lines = (pkg / "dead_information.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = (
        lines[5].replace('"remarks":null', '"remarks":"x"', 1) if '"remarks":null' in lines[5] else lines[5].replace('"', "'", 1)
    )
    (pkg / "dead_information.jsonl").write_text("".join(lines), encoding="utf-8")
    empty = _second_db(pg_server)
    with pytest.raises(PackageError, match="dead_information.jsonl: sha256 does not match"):
        import_package(pkg, Settings(data_dir=str(tmp_path / "e"), platform_url=empty))
    assert main(["import-package", str(pkg), "--data-dir", nat.data_dir, "--platform", empty]) == ExitCode.package
    err = capsys.readouterr().err
    assert "refused, nothing imported" in err and "dead_information.jsonl" in err
    tables = _q(empty, "select count(*) from information_schema.tables where table_name = 'dead_information'")[0][0]
    assert tables == 0 or _q(empty, "select count(*) from dead_information")[0][0] == 0
    store.dispose()


def test_package_checks_catch_missing_and_unlisted_files(tmp_path):
    settings, store = _seeded(tmp_path, pages=1)
    load(store, settings)
    pkg = tmp_path / "pkg"
    export_package(settings, pkg)
    target = Settings(data_dir=str(tmp_path / "t"))
    (pkg / "contact_information.csv").unlink()
    (pkg / "extra.csv").write_text("a\n1\n")
    with pytest.raises(PackageError) as err:
        import_package(pkg, target)
    assert "contact_information.csv: listed in the manifest but not in the package" in str(err.value)
    assert "extra.csv: in the package but not listed" in str(err.value)
    assert not (tmp_path / "t" / "platform.sqlite").exists()  # nothing written, not even a schema
    store.dispose()
