"""Linking over the working store: idempotent, a person's decisions kept, platform rows matched,
golden values of a person with provenance."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pipeline.kernel.config import Settings
from pipeline.kernel.store import LoadedRecord, Page, PlatformLink, Record, RecordLink, SourceFile, Store
from pipeline.platform.linkage import golden_record, link_store, platform_matches
from pipeline.platform.load import load
from pipeline.platform.schema import migrate_platform
from pipeline.review.corrections import decide_link
from samples.seed import seed_store


@pytest.fixture()
def seeded(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    rows = seed_store(store, settings, pages=4)
    yield store, settings, rows
    store.dispose()


def _state(store):
    with store.session() as s:
        links = [
            (lk.id, lk.a_id, lk.b_id, lk.status, lk.score, lk.evidence)
            for lk in s.scalars(select(RecordLink).order_by(RecordLink.id))
        ]
        recs = [(r.id, r.cluster_id, r.status, r.updated_at) for r in s.scalars(select(Record).order_by(Record.id))]
    return links, recs


def test_link_finds_the_true_persons_and_a_second_run_changes_nothing(seeded):
    store, settings, rows = seeded
    first = link_store(store, settings)
    assert first.auto_merged > 0 and first.links_written > 0
    before = _state(store)
    person_of = {r.record_id: r.person_id for r in rows}
    with store.session() as s:
        cluster = dict(s.execute(select(Record.id, Record.cluster_id)).all())
    for a in rows:
        for b in rows:
            if a.record_id < b.record_id:
                assert (cluster[a.record_id] == cluster[b.record_id]) == (a.person_id == b.person_id)
    again = link_store(store, settings)
    assert (again.links_written, again.records_changed) == (0, 0)
    # the run summary's "duplicates merged" is what this run merged: nothing the second time
    assert first.auto_merged_new == first.auto_merged and again.auto_merged_new == 0
    assert again.auto_merged == first.auto_merged  # the store still holds them
    assert _state(store) == before
    assert len({person_of[r.record_id] for r in rows}) == again.persons


def test_a_kept_apart_pair_stays_apart_and_a_merged_pair_stays_merged(seeded):
    store, settings, rows = seeded
    link_store(store, settings)
    with store.session() as s:
        auto = s.scalars(select(RecordLink).where(RecordLink.status == "auto_merged")).first()
    decide_link(store, auto.id, "kept_apart", user="rev1", reason="two people")
    other = [r.record_id for r in rows if r.record_id not in (auto.a_id, auto.b_id)][:2]
    with store.session() as s, s.begin():
        s.add(RecordLink(a_id=min(other), b_id=max(other), score=0.3, status="uncertain", evidence={}))
    with store.session() as s:
        weak = s.scalars(select(RecordLink).where(RecordLink.a_id == min(other), RecordLink.b_id == max(other))).one()
    decide_link(store, weak.id, "merged", user="rev1", reason="same person")
    link_store(store, settings)
    link_store(store, settings)
    with store.session() as s:
        cid = dict(s.execute(select(Record.id, Record.cluster_id)).all())
        statuses = {lk.id: lk.status for lk in s.scalars(select(RecordLink))}
    assert cid[auto.a_id] != cid[auto.b_id]
    assert cid[other[0]] == cid[other[1]]
    assert statuses[auto.id] == "kept_apart" and statuses[weak.id] == "merged"


def test_golden_values_of_a_person_seen_in_two_ledgers(seeded):
    store, settings, _rows = seeded
    link_store(store, settings)
    with store.session() as s:
        crem, sea = s.execute(select(RecordLink.a_id, RecordLink.b_id)).first()
        cluster = s.get(Record, crem).cluster_id
        kinds = {r.id: r.ledger_kind for r in s.scalars(select(Record).where(Record.cluster_id == cluster))}
    g = golden_record(store, cluster)
    assert {src["record_id"] for src in g.sources} == set(kinds)
    assert all(src["source_file"] and src["page"] and src["row"] for src in g.sources)
    by_kind = {k: rid for rid, k in kinds.items()}
    if "sea_burial" in by_kind:
        assert g.values["voyage_no"].record_id == by_kind["sea_burial"]
        assert g.values["cremation_date"].record_id == by_kind["cremation"]
    assert g.values["deceased_name"].value


def test_a_rescanned_ledger_matches_the_rows_already_on_the_platform(tmp_path):
    platform = f"sqlite:///{tmp_path / 'platform.sqlite'}"
    migrate_platform(platform)  # a named platform is made by `backfill migrate`
    first = Settings(data_dir=str(tmp_path / "first"), platform_url=platform)
    with Store.open(first) as store:
        seed_store(store, first, kinds=("cremation",), pages=2)
        assert load(store, first).inserted > 0
        with store.session() as s:
            loaded = {
                (p, r)
                for p, r in s.execute(
                    select(Page.page_no, Record.row_no).join(Page).join(LoadedRecord, LoadedRecord.record_id == Record.id)
                ).all()
            }
    again = Settings(data_dir=str(tmp_path / "again"), platform_url=platform)  # another working store, same ledger
    with Store.open(again) as store:
        rows = seed_store(store, again, kinds=("cremation",), pages=2)
        with store.session() as s, s.begin():  # a new scan of the same paper: another file, same rows
            for sf in s.scalars(select(SourceFile)):
                sf.sha256 = sf.sha256[::-1]
        summary = link_store(store, again)
        assert summary.platform_rows > 0
        with store.session() as s:
            page_no = dict(s.execute(select(Page.id, Page.page_no)).all())
        matched = [platform_matches(store, r.record_id) for r in rows if (page_no[r.page_id], r.row_no) in loaded]
        assert len(matched) >= len(rows) // 2
        assert all(m and m[0].status == "auto_merged" and m[0].platform_table == "dead_information" for m in matched)
        assert all(m[0].evidence["_how"]["cremation_cert_no"] == "same" for m in matched)
        assert link_store(store, again).links_written == 0
        with store.session() as s:
            assert s.query(PlatformLink).count() >= len(matched)
