"""Corrections by reviewers: normalized and cross-checked like OCR text, audited, kept across re-maps."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from pipeline.kernel.config import Settings
from pipeline.kernel.store import Page, Record, Store
from pipeline.review.corrections import CorrectionError, correct_record, decide, history
from pipeline.runs.stages import remap
from samples.seed import seed_store


@pytest.fixture()
def seeded(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    rows = seed_store(store, settings, kinds=("cremation",), pages=1)
    with store.session() as s, s.begin():  # records waiting for review (decided ones are read only)
        s.execute(update(Record).values(status="needs_review"))
    yield store, settings, rows
    store.dispose()


def _record(store: Store, rid: int) -> Record:
    with store.session() as s:
        return s.get(Record, rid)


def test_a_typed_date_is_normalized_checked_and_audited(seeded):
    store, settings, rows = seeded
    rid = rows[0].record_id
    before = _record(store, rid)
    old_death = before.fields["death_date"]["value"]
    changes = correct_record(store, rid, {"death_date": "2013年1月2日"}, user="rev1", settings=settings, reason="scan")
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [("death_date", old_death, "2013-01-02")]
    after = _record(store, rid)
    assert after.fields["death_date"]["value"] == "2013-01-02"
    assert "corrected_by_reviewer" in after.fields["death_date"]["flags"]
    assert after.overrides == {"death_date": "2013年1月2日"}
    # the same value again is no change
    assert correct_record(store, rid, {"death_date": "2013-01-02"}, user="rev1", settings=settings) == []
    # a field typed as it was read, beside a real correction, is neither overridden nor audited
    name = after.fields["deceased_name"]["value"]
    changes = correct_record(store, rid, {"deceased_name": name, "age_years": "101"}, user="rev1", settings=settings)
    assert [c.field for c in changes] == ["age_years"]
    again = _record(store, rid)
    assert set(again.overrides) == {"death_date", "age_years"}
    assert "corrected_by_reviewer" not in again.fields["deceased_name"]["flags"]
    h = history(store, rid)[0]
    assert (h.user, h.action, h.field, json.loads(h.old_value), json.loads(h.new_value), h.reason) == (
        "rev1",
        "edit",
        "death_date",
        old_death,
        "2013-01-02",
        "scan",
    )
    assert [x.field for x in history(store, rid)] == ["death_date", "age_years"]


def test_a_record_whose_page_stopped_before_its_layout_is_refused_clearly(seeded):
    """A page's records are saved, then its layout, in two transactions: a run killed in between leaves
    records (in the review queue) whose page has no layout. Correcting one says why, changing nothing
    (it was a TypeError on the missing layout)."""
    store, settings, rows = seeded
    rid = rows[0].record_id
    before = _record(store, rid)
    with store.session() as s, s.begin():
        s.execute(update(Page).where(Page.id == before.page_id).values(layout=None))
    with pytest.raises(CorrectionError, match="not processed to the end"):
        correct_record(store, rid, {"death_date": "2013-01-02"}, user="rev1", settings=settings)
    assert _record(store, rid).fields == before.fields
    assert history(store, rid) == []


def test_a_typed_value_is_cross_checked(seeded):
    store, settings, rows = seeded
    rid = rows[0].record_id
    cremation = _record(store, rid).fields["cremation_date"]["value"]
    year = int(cremation[:4])
    correct_record(store, rid, {"death_date": f"{year + 1}-12-31"}, user="rev1", settings=settings)
    rec = _record(store, rid)
    assert "death_after_cremation" in rec.fields["death_date"]["flags"]
    assert any(p.startswith("death_date:") for p in rec.problems)


def test_corrections_survive_a_remap_and_ids_stay(seeded):
    store, settings, rows = seeded
    ids = sorted(r.record_id for r in rows)
    rid = rows[1].record_id
    correct_record(store, rid, {"deceased_name": "王小明"}, user="rev1", settings=settings)
    decide(store, rows[2].record_id, "approved", user="rev1")
    remap(store, settings.with_(auto_accept_threshold=0.5))
    with store.session() as s:
        assert sorted(s.query(Record.id).all()) == [(i,) for i in ids]
    assert _record(store, rid).fields["deceased_name"]["value"] == "王小明"
    assert _record(store, rows[2].record_id).status == "approved"


def test_decisions_are_audited_and_checked(seeded):
    store, settings, rows = seeded
    rid = rows[0].record_id
    with pytest.raises(CorrectionError, match="reason"):
        decide(store, rid, "rejected", user="rev1")
    decide(store, rid, "rejected", user="rev1", reason="not a cremation row")
    with pytest.raises(CorrectionError, match="rejected"):
        correct_record(store, rid, {"deceased_name": "x"}, user="rev1", settings=settings)
    with pytest.raises(CorrectionError, match="no field"):
        correct_record(store, rows[1].record_id, {"nonsense": "x"}, user="rev1", settings=settings)
    assert [(h.action, h.user, h.reason) for h in history(store, rid)] == [("reject", "rev1", "not a cremation row")]


def test_a_merge_decision_joins_the_clusters_and_is_audited(seeded):
    from pipeline.kernel.store import RecordLink
    from pipeline.review.corrections import decide_link

    store, settings, rows = seeded
    a, b = rows[0].record_id, rows[1].record_id
    with store.session() as s, s.begin():
        s.add(RecordLink(a_id=a, b_id=b, score=0.5, status="uncertain", evidence={"deceased_name": 0.9}))
    with store.session() as s:
        link_id = s.query(RecordLink.id).scalar()
    decide_link(store, link_id, "merged", user="rev2", reason="same person")
    assert _record(store, a).cluster_id == _record(store, b).cluster_id
    for rid in (a, b):
        (h,) = history(store, rid)
        assert (h.action, h.user, h.reason) == ("merge", "rev2", "same person")
    with pytest.raises(CorrectionError):
        decide_link(store, link_id, "maybe", user="rev2")
