"""Lexicons that learn (issue 23): a place reviewers type that no list holds becomes a suggestion with
its count and scans; accepted by an administrator it goes into a versioned local lexicon that mapping
uses, and `backfill remap` re-reads stored cells with it; confusion pairs are counted and, accepted,
doubt such readings without rewriting them."""

from __future__ import annotations

import json

import pytest

from mapping.spec import load_spec, with_local_lexicon
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError, ConfigError
from pipeline.kernel.store import Record, Store
from pipeline.page import lexicon as L
from pipeline.review.corrections import correct_record, reopen
from pipeline.review.users import add_user
from samples.seed import seed_store

UNLISTED = "山东省烟台市福山区高疃镇后夼村3号"  # 后夼村 is in no list of 高疃镇's villages
READ_AS = "山东省烟台市福山区高疃镇后乔村12号"  # 夼 misread 乔 (PP-OCRv4 could not output 夼)


@pytest.fixture()
def store_with_cell(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    rows = seed_store(store, settings, kinds=("cremation",), pages=1)
    a = rows[0].record_id
    add_user(store, "boss", "administrator", "password-boss")
    for r in rows[1:]:  # reviewers correct records in review: an auto-accepted one is reopened first (issue 22)
        with store.session() as s:
            status = s.get(Record, r.record_id).status
        if status != "needs_review":
            reopen(store, r.record_id, user="boss", reason="the village is not on any list: check it")
    with store.session() as s, s.begin():  # the stored OCR cell of record a reads the village as 后乔村
        rec = s.get(Record, a)
        i = rec.page.layout["columns"].index("household_address")
        cells = [dict(c) for c in rec.cells]
        cells[i]["text"] = READ_AS
        rec.cells = cells
    yield store, settings, [r.record_id for r in rows]
    store.dispose()


def _address(store: Store, rid: int) -> dict:
    with store.session() as s:
        return s.get(Record, rid).fields["household_address"]


def test_an_accepted_suggestion_changes_a_stored_cells_mapping_after_remap(store_with_cell, backfill_cli):
    store, settings, ids = store_with_cell
    data = ["--data-dir", settings.data_dir]
    backfill_cli("remap", *data)
    before = _address(store, ids[0])
    assert before["value"] == READ_AS and "village_not_in_list" in before["flags"]
    # two reviewers type the village for two other records
    correct_record(store, ids[1], {"household_address": UNLISTED}, user="ann", settings=settings)
    correct_record(store, ids[2], {"household_address": UNLISTED.replace("3号", "7号")}, user="bob", settings=settings)
    listed = json.loads(backfill_cli("lexicon", "list", "--json", *data))
    sug = next(x for x in listed if x["kind"] == "village")
    assert (sug["name"], sug["parent"], sug["count"], sug["status"]) == ("后夼村", "高疃镇", 2, "open")
    assert sorted(sug["records"]) == sorted(ids[1:3]) and all(scan[1] == 1 and scan[0].endswith(".pdf") for scan in sug["scans"])
    text = backfill_cli("lexicon", "accept", sug["id"], "--user", "boss", *data)
    assert "lexicon-v0001.json in use" in text
    doc = json.loads((settings.data_path / "lexicon" / "lexicon-v0001.json").read_text(encoding="utf-8"))
    assert doc["entries"] == [{"kind": "village", "name": "后夼村", "town": "高疃镇"}]
    assert doc["version"]["created_by"] == "boss" and doc["decisions"][0]["by"] == "boss"
    assert _address(store, ids[0]) == before  # nothing changes until the stored cells are mapped again
    backfill_cli("remap", *data)
    after = _address(store, ids[0])
    assert after["value"] == "山东省烟台市福山区高疃镇后夼村12号" and after["raw"] == READ_AS
    assert (
        "village_corrected" in after["flags"] and "local_lexicon" in after["flags"] and after["confidence"] > before["confidence"]
    )
    listed = json.loads(backfill_cli("lexicon", "list", "--json", *data))
    assert next(x for x in listed if x["kind"] == "village")["status"] == "accepted"
    # back to the official lists only: the stored cell maps as before
    backfill_cli("lexicon", "use", "default", *data)
    backfill_cli("remap", *data)
    assert _address(store, ids[0])["value"] == READ_AS


def test_a_refused_suggestion_changes_nothing(store_with_cell):
    store, settings, ids = store_with_cell
    correct_record(store, ids[1], {"household_address": UNLISTED}, user="ann", settings=settings)
    sug = next(s for s in L.suggestions(store, settings) if s.kind == "village")
    path = L.decide(store, settings, sug.id, "refused", user="boss", reason="a typo")
    assert json.loads(path.read_text(encoding="utf-8"))["entries"] == []
    assert next(s for s in L.suggestions(store, settings) if s.kind == "village").status == "refused"
    with pytest.raises(BackfillError, match="no lexicon suggestion"):
        L.decide(store, settings, "nope", "accepted", user="boss")


def test_a_sea_area_needs_its_district_and_a_bad_local_entry_is_refused_whole(store_with_cell):
    store, settings, ids = store_with_cell
    spec = load_spec()
    assert L.place_candidates("sea_area", "养马岛东侧海域", spec) == [("sea_area", "养马岛东侧海域", "370612")]
    assert L.place_candidates("sea_area", "远海海域", spec) == [("sea_area", "远海海域", "")]
    with pytest.raises(ConfigError) as e:
        with_local_lexicon(
            spec,
            {
                "entries": [
                    {"kind": "village", "name": "后夼", "town": "高疃镇"},
                    {"kind": "sea_area", "name": "东海域", "district": "999999"},
                ],
                "confusions": [["果"]],
            },
        )
    assert "entries[0]" in str(e.value) and "entries[1]" in str(e.value) and "confusions[0]" in str(e.value)


def test_confusions_are_counted_and_an_accepted_one_doubts_never_rewrites(store_with_cell):
    store, settings, ids = store_with_cell
    # reviewers twice put 波 right to 渡 in a listed village of 高疃镇 (渡口村)
    for rid, n in ((ids[1], 1), (ids[2], 2)):
        with store.session() as s, s.begin():
            rec = s.get(Record, rid)
            f = dict(rec.fields)
            f["household_address"] = {**f["household_address"], "value": f"山东省烟台市福山区高疃镇波口村{n}号"}
            rec.fields = f
        correct_record(store, rid, {"household_address": f"山东省烟台市福山区高疃镇渡口村{n}号"}, user="ann", settings=settings)
    pair = next(s for s in L.suggestions(store, settings) if s.kind == "confusion")
    assert (pair.name, pair.parent, pair.count) == ("波", "渡", 2)
    spec = load_spec()
    from mapping.normalize import normalize_address

    reading = "山东省烟台市福山区高疃镇波口村5号"
    plain = normalize_address(reading, spec)
    L.decide(store, settings, pair.id, "accepted", user="boss")
    learnt = L.spec_for(Settings(data_dir=settings.data_dir))
    doubted = normalize_address(reading, learnt)
    assert doubted.value == plain.value == reading  # never rewritten
    assert "reviewer_confusion" in doubted.flags and doubted.certainty == pytest.approx(plain.certainty * 0.5)
    # a reading where 渡 would make no listed name is not doubted
    assert "reviewer_confusion" not in normalize_address("山东省烟台市福山区高疃镇波家庄村", learnt).flags
