"""Linking over the working store: idempotent, a person's decisions kept, platform rows matched,
golden values of a person with provenance."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pipeline.kernel.config import Settings
from pipeline.kernel.store import LoadedRecord, Page, PlatformLink, Record, RecordLink, SourceFile, Store
from pipeline.page.extract import remap_page
from pipeline.platform.linkage import golden_record, link_store, platform_matches
from pipeline.platform.load import build_rows, load
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


def _read_as(store: Store, settings: Settings, at: tuple[int, int], cells: dict[str, str]) -> None:
    """What OCR read in a stored row's cells (column -> text) changed, then its page mapped again: as if
    the scan had read so."""
    with store.session() as s, s.begin():
        rec = s.scalars(select(Record).join(Page).where(Page.page_no == at[0], Record.row_no == at[1])).one()
        columns = s.get(Page, rec.page_id).layout["columns"]
        new = [dict(c) for c in rec.cells]
        for name, text in cells.items():
            new[columns.index(name)].update(text=text, confidence=1.0)
        rec.cells, page_id = new, rec.page_id
    remap_page(store, page_id, settings)


def test_pages_finished_in_another_order_give_the_same_persons_values_and_platform_rows(tmp_path):
    """Page workers side by side finish pages in any order, so the same ledger gets other record ids in
    another run. Which rows are one person, a person's values and the platform rows must not depend on
    it: here one deceased written on three pages (first row of pages 1, 2, 3: A, B, C), B with another
    agent name (a tie: same confidence), and a reviewer's "A and C are two people". B matches A and C
    equally well: it joins the person first in the ledger (A, by file, page and row), and the person's
    agent name is A's, whichever page was saved first."""
    seen = []
    for name, order in (("pages_in_order", (1, 2, 3)), ("last_page_first", (3, 2, 1))):
        settings = Settings(data_dir=str(tmp_path / name))
        with Store.open(settings) as store:
            seed_store(store, settings, kinds=("cremation",), pages=3, page_order=order)
            with store.session() as s:
                page = s.scalars(select(Page).where(Page.page_no == 1)).one()
                cols = page.layout["columns"]
                first = next(r for r in page.records if r.row_no == 1)
                a_cells = {c: first.cells[i]["text"] for i, c in enumerate(cols) if c != "row_no"}
            _read_as(store, settings, (2, 1), {**a_cells, "agent_name": "王建国"})
            _read_as(store, settings, (3, 1), a_cells)
            link_store(store, settings)
            with store.session() as s:
                at = {(p, r): rid for rid, p, r in s.execute(select(Record.id, Page.page_no, Record.row_no).join(Page))}
                a, c = sorted((at[(1, 1)], at[(3, 1)]))
                link = s.scalars(select(RecordLink).where(RecordLink.a_id == a, RecordLink.b_id == c)).one()
            decide_link(store, link.id, "kept_apart", user="rev1", reason="two people")
            link_store(store, settings)
            where = {rid: pr for pr, rid in at.items()}
            with store.session() as s:
                recs = list(s.scalars(select(Record)))
            persons: dict[str, list[tuple[int, int]]] = {}
            for r in recs:
                persons.setdefault(r.cluster_id, []).append(where[r.id])
            golden = {
                tuple(sorted(rows)): {f: v.value for f, v in golden_record(store, cid).values.items()}
                for cid, rows in persons.items()
                if len(rows) > 1
            }
            platform = sorted(
                (b.row.kind, b.row.key, b.row.values_json, b.row.source_page, b.row.source_row, b.row.retired_keys)
                for b in build_rows(store, settings)
            )
            seen.append(
                (
                    sorted(tuple(sorted(rows)) for rows in persons.values()),
                    sorted((where[r.id], r.status) for r in recs),
                    golden,
                    platform,
                )
            )
    assert seen[0][0] == seen[1][0]  # the same persons
    person = next(rows for rows in seen[0][0] if (1, 1) in rows)
    assert (2, 1) in person and (3, 1) not in person  # B joined A, the first in the ledger
    assert seen[0][1] == seen[1][1]  # the same routes
    assert seen[0][2] == seen[1][2]  # the same golden values
    assert seen[0][2][person]["agent_name"] == a_cells["agent_name"]  # the tie goes to the first row in the ledger
    assert seen[0][3] == seen[1][3]  # the same platform rows, under the same keys, from the same source row
