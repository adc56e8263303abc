"""Loading into the platform database: natural keys, idempotency, updates; SQLite and real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from pipeline.kernel.config import Settings
from pipeline.kernel.store import FieldReview, LoadedRecord, Page, Record, SourceFile, Store
from pipeline.platform.load import load, natural_key


def _crem(cert: str | None, idn: str | None, name: str = "王秀英", date: str = "2013-04-09", id_type: str = "0") -> dict:
    v = {
        "funeral_home_code": "370600100001",
        "cremation_cert_no": cert,
        "deceased_name": name,
        "sex_code": "2",
        "id_type": id_type,
        "id_number": idn,
        "birth_date": "1935-04-07",
        "age_years": 78,
        "household_division_code": "370602",
        "death_date": "2013-04-07",
        "cremation_date": date,
        "ashes_destination_code": "6",
        "agent_name": "李明",
    }
    return {k: {"value": val, "raw": str(val or ""), "confidence": 0.99, "box": None, "flags": []} for k, val in v.items()}


def _sea(cert: str | None) -> dict:
    v = {
        "funeral_home_code": "370600100001",
        "deceased_name": "张桂兰",
        "sex_code": "2",
        "cremation_cert_no": cert,
        "scattering_date": "2013-05-02",
        "voyage_no": "13-04",
        "registrant_name": "张伟",
        "onboard_count": 2,
    }
    return {k: {"value": val, "raw": str(val or ""), "confidence": 0.99, "box": None, "flags": []} for k, val in v.items()}


def _fill(store: Store) -> None:
    with store.session() as s, s.begin():
        f = SourceFile(sha256="a" * 64, rel_path="vol1.pdf", abs_path="/x/vol1.pdf", size_bytes=1, media_type="pdf", page_count=1)
        s.add(f)
        s.flush()
        p = Page(file_id=f.id, page_no=1, status="done")
        s.add(p)
        s.flush()
        rows = [
            (1, "cremation", "auto_accepted", _crem("201300514", "370602193504071228")),
            (2, "cremation", "approved", _crem(None, "370602194001011234", name="李强", date="2013-04-10")),
            (3, "cremation", "auto_accepted", _crem(None, None, name="赵敏", id_type="3")),  # another ID paper, not recorded
            (4, "cremation", "needs_review", _crem("201300517", None)),  # not loadable yet
            (5, "cremation", "auto_accepted", _crem("201300514", "370602193504071228")),  # same person again
            (6, "sea_burial", "auto_accepted", _sea("201300514")),
        ]
        for row_no, kind, status, fields in rows:
            s.add(Record(page_id=p.id, row_no=row_no, ledger_kind=kind, status=status, fields=fields))
        s.flush()
        for rid in s.scalars(select(Record.id).where(Record.row_no.in_((2, 3)))):  # no certificate was issued
            s.add(
                FieldReview(
                    record_id=rid,
                    field="cremation_cert_no",
                    action="not_on_scan",
                    user="rev",
                    reason="no certificate number on the paper",
                )
            )


def _counts(url: str) -> tuple[int, int]:
    eng = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with eng.connect() as c:
        out = (
            c.scalar(text("select count(*) from dead_information")),
            c.scalar(text("select count(*) from sea_burial_registration")),
        )
    eng.dispose()
    return out


def test_natural_key_prefers_certificate_then_id_and_date_then_source():
    src = ("f" * 64, 3, 7)
    assert natural_key("cremation", {"funeral_home_code": "H", "cremation_cert_no": "201300514"}, src) == "H|cert|201300514"
    assert (
        natural_key("cremation", {"funeral_home_code": "H", "id_number": "X1", "cremation_date": "2013-04-09"}, src)
        == "H|id|X1|2013-04-09"
    )
    assert natural_key("cremation", {"funeral_home_code": "H"}, src) == f"src|{'f' * 64}|3|7"


def _roundtrip(settings: Settings, platform_url: str) -> None:
    store = Store.open(settings)
    _fill(store)
    first = load(store, settings)
    assert (first.inserted, first.updated, first.unchanged) == (4, 0, 0)  # row 4 waits for review, row 5 = row 1
    assert _counts(platform_url) == (3, 1)

    again = load(store, settings)
    assert (again.inserted, again.updated) == (0, 0) and again.unchanged == 4
    assert _counts(platform_url) == (3, 1)

    with store.session() as s, s.begin():  # a reviewer corrects a loaded record
        rec = s.scalar(select(Record).where(Record.row_no == 2))
        fields = dict(rec.fields)
        fields["agent_name"] = dict(fields["agent_name"], value="李刚")
        rec.fields = fields
    upd = load(store, settings)
    assert (upd.inserted, upd.updated) == (0, 1)
    assert _counts(platform_url) == (3, 1)
    eng = create_engine(platform_url.replace("postgresql://", "postgresql+psycopg://"))
    with eng.connect() as c:
        assert (
            c.scalar(
                text(
                    "select c.name from contact_information c join dead_information d on d.natural_key = c.dead_key "
                    "where d.deceased_name = '李强' and c.role = 'agent'"
                )
            )
            == "李刚"
        )
        assert c.scalar(text("select count(*) from contact_information")) == 4  # one agent / registrant per person row
        assert (
            str(c.scalar(text("select cremation_date from dead_information where cremation_cert_no = '201300514'")))
            == "2013-04-09"
        )
    eng.dispose()
    with store.session() as s:
        assert s.scalar(select(func.count(LoadedRecord.record_id))) == 5
    store.dispose()


def test_load_sqlite_is_idempotent_and_updates_corrections(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "d"))
    _roundtrip(settings, settings.platform_db_url)


@pytest.mark.postgres
def test_load_postgres_copy_upsert(tmp_path, pg_url):
    settings = Settings(data_dir=str(tmp_path / "d"), platform_url=pg_url)
    _roundtrip(settings, pg_url)


def test_a_store_made_before_the_narrow_values_column_is_upgraded_when_opened(tmp_path):
    """records.field_values (issue 27) is written at mapping time; a store made before it gets the
    column, filled from each record's fields, the first time it is opened, and loads the same."""
    settings = Settings(data_dir=str(tmp_path / "d"))
    store = Store.open(settings)
    _fill(store)
    with store.engine.begin() as conn:  # as a store of the day before
        conn.exec_driver_sql("ALTER TABLE records DROP COLUMN field_values")
    store.dispose()
    store = Store.open(settings)
    with store.session() as s:
        rec = s.scalar(select(Record).where(Record.row_no == 2))
        assert rec.field_values == {k: v["value"] for k, v in rec.fields.items()} and rec.field_values["deceased_name"] == "李强"
    first = load(store, settings)
    assert (first.inserted, first.updated, first.unchanged) == (4, 0, 0)
    with store.session() as s, s.begin():  # a reviewer's correction rewrites the narrow values with the fields
        rec = s.scalar(select(Record).where(Record.row_no == 2))
        rec.fields = {**rec.fields, "agent_name": dict(rec.fields["agent_name"], value="李刚")}
    with store.session() as s:
        assert s.scalar(select(Record).where(Record.row_no == 2)).field_values["agent_name"] == "李刚"
    store.dispose()


def test_the_quick_completeness_probe_agrees_with_empty_mandatory_field_by_field():
    """The loader asks empty_mandatory (which names the fields) only for rows the quick probe doubts:
    the probe must never pass a row with an empty mandatory field, nor doubt a complete one."""
    from mapping.spec import load_spec
    from pipeline.platform.load import complete_probe, empty_mandatory

    spec = load_spec(Settings().spec_version)
    for kind in ("cremation", "sea_burial"):
        ks = spec.kind(kind)
        probe = complete_probe(ks)
        full = {f.name: "1" if f.name != "id_type" else "0" for f in ks.fields}
        assert probe(full) and not empty_mandatory(ks, full)
        for f in ks.fields:
            for empty in (None, ""):
                row = dict(full, **{f.name: empty})
                assert probe(row) == (not empty_mandatory(ks, row)), (kind, f.name, empty)
            row = {k: v for k, v in full.items() if k != f.name}  # the field absent altogether
            assert probe(row) == (not empty_mandatory(ks, row)), (kind, f.name)
    crem = spec.kind("cremation")
    other_id = dict({f.name: "1" for f in crem.fields}, id_type="1", id_number=None)  # id_number: C, id_type=0
    assert complete_probe(crem)(other_id) and not empty_mandatory(crem, other_id)
