"""One platform row per person (issue 4 at the loader): records of one dedupe cluster load as one
merged row with every source listed; a record matching a row already on the platform updates that
row; two people who only look alike stay two rows. SQLite and real PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select, text

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import DatabaseError
from pipeline.kernel.store import FieldReview, Page, PlatformLink, Record, RecordLink, SourceFile, Store, make_engine
from pipeline.platform.linkage import link_store
from pipeline.platform.load import load
from pipeline.platform.reconcile import loaded_records, reconcile
from pipeline.platform.schema import head_revision, migrate_platform, upgrade
from pipeline.review.corrections import approval_gaps, confirm, decide_link


def _crem(
    cert, idn, name="王秀英", birth="1935-04-07", death="2013-04-07", date="2013-04-09", conf=0.99, agent="李明", cert_raw=None
):
    v = {
        "funeral_home_code": "370600100001",
        "cremation_cert_no": cert,
        "deceased_name": name,
        "sex_code": "2",
        "id_type": "0" if idn else "3",
        "id_number": idn,
        "birth_date": birth,
        "age_years": 78,
        "household_division_code": "370602",
        "death_date": death,
        "cremation_date": date,
        "ashes_destination_code": "6",
        "agent_name": agent,
    }
    f = {k: {"value": val, "raw": str(val or ""), "confidence": conf, "box": None, "flags": []} for k, val in v.items()}
    if cert_raw:  # read, but not a certificate number
        f["cremation_cert_no"].update(raw=cert_raw, confidence=0.3)
    return f


def _ledger(store: Store, sha: str, rows: list[dict]) -> list[int]:
    with store.session() as s, s.begin():
        f = SourceFile(sha256=sha, rel_path=f"{sha[:4]}.pdf", abs_path="/x", size_bytes=1, media_type="pdf", page_count=1)
        s.add(f)
        s.flush()
        p = Page(file_id=f.id, page_no=1, status="done")
        s.add(p)
        s.flush()
        recs = [
            Record(page_id=p.id, row_no=i, ledger_kind="cremation", status="auto_accepted", fields=fields)
            for i, fields in enumerate(rows, 1)
        ]
        s.add_all(recs)
        s.flush()
        for r in recs:  # a row without a certificate number: a reviewer said the paper has none
            if r.fields["cremation_cert_no"]["value"] is None:
                s.add(
                    FieldReview(
                        record_id=r.id,
                        field="cremation_cert_no",
                        action="not_on_scan",
                        user="rev1",
                        reason="no certificate number on the paper",
                    )
                )
        return [r.id for r in recs]


def _q(url: str, sql: str):
    eng = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with eng.connect() as c:
        out = c.execute(text(sql)).all()
    eng.dispose()
    return out


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def platform(request, tmp_path):
    return None if request.param == "sqlite" else request.getfixturevalue("pg_url")


def test_a_person_twice_in_one_register_is_one_platform_row(tmp_path, platform):
    settings = Settings(data_dir=str(tmp_path / "d"), platform_url=platform)
    store = Store.open(settings)
    ids = _ledger(
        store,
        "a" * 64,
        [
            _crem("201300514", "370602193504071228"),
            _crem(None, "370602194001011234", name="李强", birth="1940-01-01", date="2013-04-10"),
            _crem(None, None, conf=0.6, cert_raw="2O13OO5l4"),  # the same person again: ID blank, certificate misread
        ],
    )
    link_store(store, settings)  # an uncertain pair: a reviewer decides it is one person, and approves the row
    with store.session() as s:
        pair = s.scalars(select(RecordLink).where(RecordLink.b_id == ids[2])).one()
    assert pair.status == "uncertain" and pair.a_id == ids[0]
    decide_link(store, pair.id, "merged", user="rev1", reason="same person, certificate misread")
    for rid in (ids[0], ids[2]):  # an uncertain pair sent both records to review: a reviewer checks every flagged value
        with store.session() as s:
            gaps = approval_gaps(s.get(Record, rid), {}, settings)
        assert confirm(
            store, rid, [g.field for g in gaps if g.code == "unreviewed"], user="rev1", settings=settings, approve=True
        ).approved
    link_store(store, settings)
    with store.session() as s:
        cluster = dict(s.execute(select(Record.id, Record.cluster_id)).all())
    assert cluster[ids[0]] == cluster[ids[2]] != cluster[ids[1]]
    url = settings.platform_db_url
    first = load(store, settings)
    assert (first.inserted, first.updated) == (2, 0)
    rows = _q(url, "select natural_key, cremation_cert_no, id_number, source_records from dead_information order by id")
    assert len(rows) == 2 and _q(url, "select count(*) from contact_information")[0][0] == 2
    merged = next(r for r in rows if r[3])
    # the merged row: the more reliable values (the confident record's certificate, the ID from the record that had one)
    assert merged[0] == "370600100001|cert|201300514" and merged[1:3] == ("201300514", "370602193504071228")
    assert sorted(s["record"] for s in json.loads(merged[3])) == [ids[0], ids[2]]
    marks = loaded_records(store)
    assert marks[ids[0]][0] == marks[ids[2]][0] == merged[0]  # both records are that row
    rep = reconcile(store, settings)
    assert rep.ok, rep.format()  # the merged-away record is not "missing on the platform"
    again = load(store, settings)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    store.dispose()


def test_a_person_loaded_twice_before_linking_becomes_one_row(tmp_path, platform):
    """Loaded before dedupe ran: two rows. Linked and loaded again: one row, the other removed with its history."""
    settings = Settings(data_dir=str(tmp_path / "d"), platform_url=platform)
    store = Store.open(settings)
    _ledger(store, "a" * 64, [_crem("201300514", "370602193504071228"), _crem(None, None, conf=0.6)])  # ID, cert blank
    url = settings.platform_db_url
    assert load(store, settings).inserted == 2
    link_store(store, settings)
    res = load(store, settings)
    assert res.removed == 1
    assert [r[0] for r in _q(url, "select natural_key from dead_information")] == ["370600100001|cert|201300514"]
    assert _q(url, "select count(*) from contact_information")[0][0] == 1
    gone = _q(url, "select natural_key from record_history where new_row_hash is null and entity_set = 'dead_information'")
    assert [g[0] for g in gone] == [f"src|{'a' * 64}|1|2"]
    assert reconcile(store, settings).ok
    store.dispose()


def test_a_rescan_from_another_store_updates_the_row_already_on_the_platform(tmp_path, platform):
    first = Settings(data_dir=str(tmp_path / "first"), platform_url=platform or f"sqlite:///{tmp_path / 'platform.sqlite'}")
    url = first.platform_db_url
    migrate_platform(url)  # a named platform is made by `backfill migrate`
    with Store.open(first) as store:
        _ledger(
            store,
            "a" * 64,
            [_crem("201300514", "370602193504071228"), _crem("201300515", "370602194001011234", name="李强", birth="1940-01-01")],
        )
        assert load(store, first).inserted == 2
    again = Settings(data_dir=str(tmp_path / "again"), platform_url=url)  # another working store, a new scan
    with Store.open(again) as store:
        ids = _ledger(
            store,
            "b" * 64,
            [
                _crem(None, "370602193504071228", agent="李明明"),  # certificate unreadable this time
                _crem("201300515", "370602194001011234", name="李强", birth="1940-01-01"),
            ],
        )
        link_store(store, again)
        with store.session() as s:
            linked = {pl.record_id: pl.natural_key for pl in s.scalars(select(PlatformLink))}
        assert linked.get(ids[0]) == "370600100001|cert|201300514"
        res = load(store, again)
        assert res.inserted == 0 and res.updated == 1
        rows = _q(url, "select natural_key, cremation_cert_no from dead_information order by natural_key")
        assert [r[0] for r in rows] == ["370600100001|cert|201300514", "370600100001|cert|201300515"]
        assert (
            _q(url, "select c.name from contact_information c where c.dead_key = '370600100001|cert|201300514'")[0][0] == "李明明"
        )
        assert _q(url, "select count(*) from record_history where natural_key = '370600100001|cert|201300514'")[0][0] >= 1
        assert load(store, again).total == 2 and load(store, again).updated == 0


def test_two_people_with_the_same_name_and_birth_date_stay_two_rows(tmp_path, platform):
    settings = Settings(data_dir=str(tmp_path / "d"), platform_url=platform)
    store = Store.open(settings)
    _ledger(
        store,
        "a" * 64,
        [
            _crem("201300514", "370602193504071228", death="2013-04-07", date="2013-04-09"),
            _crem("201400212", "370683193504075521", death="2014-02-01", date="2014-02-03", agent="王刚"),
        ],
    )
    link_store(store, settings)
    with store.session() as s:
        assert len(set(s.scalars(select(Record.cluster_id)))) == 2
    load(store, settings)
    assert _q(settings.platform_db_url, "select count(*) from dead_information")[0][0] == 2
    assert reconcile(store, settings).ok
    store.dispose()


def test_a_platform_made_before_migrations_is_refused_clearly_or_adopted(tmp_path):
    old = tmp_path / "old.sqlite"
    eng = make_engine(f"sqlite:///{old}")
    with eng.begin() as c:  # the loader before migrations: person tables with every spec field, no alembic_version
        c.execute(
            text(
                "create table dead_information (id integer primary key, natural_key varchar(200) not null unique, "
                "agent_name text, row_hash varchar(64) not null)"
            )
        )
    with pytest.raises(DatabaseError, match="made without migrations") as err:
        upgrade(eng)
    assert "table already exists" not in str(err.value) and err.value.hint
    eng.dispose()

    same = tmp_path / "same.sqlite"  # the tables of revision 0001 without its alembic_version: stamped and upgraded
    eng = make_engine(f"sqlite:///{same}")
    upgrade(eng, "0001")
    with eng.begin() as c:
        c.execute(text("drop table alembic_version"))
    assert upgrade(eng) == head_revision()
    assert "source_records" in {r[1] for r in _q(f"sqlite:///{same}", "pragma table_info(dead_information)")}
    eng.dispose()
