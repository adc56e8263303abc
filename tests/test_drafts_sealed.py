"""Unsaved typing (pipeline.review.drafts) is not kept in clear, nor long: a typed ID number, phone or name
is in no column of `review_drafts` (sealed under the data folder's own key, `drafts.key`, 0600); the reviewer
gets it back as typed; a row that does not open (kept in clear before, or under another key) and a draft
untouched for longer than `MAX_AGE` are dropped."""

from __future__ import annotations

import stat
from datetime import timedelta

from sqlalchemy import select, update

from pipeline.kernel.config import Settings
from pipeline.kernel.models import RawCell
from pipeline.kernel.store import Page, Record, ReviewDraft, SourceFile, Store, sqlite_file, utcnow
from pipeline.page.extract import map_rows, save_records
from pipeline.review import drafts as D
from samples import generator as g

# a GB 11643 number with a valid check digit, made up for the test (not a person's)
TYPED_ID = "11010519491231002X"
TYPED_PHONE = "13800138000"


def _store_with_record(tmp_path) -> tuple[Store, int]:
    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    reg = g.get_register(1, "haiyang", 2013, "cremation")
    rows = reg.page_rows(1)[:1]
    cells = [(i, [RawCell(text, 1.0, None) for text in r.cells]) for i, r in enumerate(rows, start=1)]
    with store.session() as s, s.begin():
        sf = SourceFile(
            sha256="3" * 64, rel_path="a.pdf", abs_path="/nowhere/a.pdf", size_bytes=9, media_type="pdf", page_count=1
        )
        s.add(sf)
        s.flush()
        page = Page(file_id=sf.id, page_no=1, status="done", ledger_kind="cremation", title=reg.title, steps=[], layout={})
        s.add(page)
        s.flush()
        page_id = page.id
    save_records(store, page_id, "cremation", map_rows("cremation", reg.title, list(reg.columns), cells, settings), settings)
    with store.session() as s:
        rid = s.scalars(select(Record.id).where(Record.page_id == page_id)).one()
    return store, rid


def test_typed_personal_data_is_not_in_the_store_in_clear_and_comes_back_as_typed(tmp_path):
    store, rid = _store_with_record(tmp_path)
    D.keep(store, "li", rid, "deceased_id", TYPED_ID, False, "110105194912310021")
    D.leave(store, "li", rid, "registrant_phone", TYPED_PHONE, False, "", "")
    D.rebase(store, "li", rid, {"deceased_id": "110105194912310048"})
    with store.session() as s:
        raw = [(r.text, r.base) for r in s.scalars(select(ReviewDraft))]
    assert len(raw) == 2
    for text, base in raw:
        for clear in (TYPED_ID, TYPED_PHONE, "110105194912310021", "110105194912310048"):
            assert clear not in text and clear not in base
    db = sqlite_file(store.url)
    assert db is not None
    blob = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))  # the file, its WAL and journal
    assert TYPED_ID.encode() not in blob and TYPED_PHONE.encode() not in blob
    key = D.key_path(store)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    got = D.of_user(store, "li")[rid]
    assert got["deceased_id"] == D.Draft(TYPED_ID, False, "110105194912310048")
    assert got["registrant_phone"] == D.Draft(TYPED_PHONE, False, "")
    assert D.of_user(store, "wang") == {}
    store.dispose()


def test_a_draft_kept_in_clear_or_untouched_too_long_is_dropped(tmp_path):
    store, rid = _store_with_record(tmp_path)
    D.keep(store, "li", rid, "deceased_name", "张三丰", False, "张三")
    D.keep(store, "li", rid, "agent_name", "李四", False, "")
    with store.session() as s, s.begin():  # a row written in clear (before drafts were sealed)
        s.add(ReviewDraft(username="li", record_id=rid, form=D.EDIT, field="agent_phone", text=TYPED_PHONE, base=""))
        s.execute(
            update(ReviewDraft)
            .where(ReviewDraft.field == "agent_name")
            .values(updated_at=utcnow() - D.MAX_AGE - timedelta(minutes=1))
        )
    assert set(D.of_user(store, "li")[rid]) == {"deceased_name"}
    with store.session() as s:
        assert set(s.scalars(select(ReviewDraft.field))) == {"deceased_name"}  # the others are gone from the store
    store.dispose()


def test_a_draft_sealed_under_another_data_folder_s_key_is_not_shown_nor_dropped(tmp_path):
    """Two app servers with their own data folders on one PostgreSQL store: a draft sealed by the other one
    does not open here; it is left out, not dropped (its own server still shows it), until it expires."""
    from cryptography.fernet import Fernet

    store, rid = _store_with_record(tmp_path)
    other = Fernet(Fernet.generate_key())
    with store.session() as s, s.begin():
        s.add(
            ReviewDraft(
                username="li",
                record_id=rid,
                form=D.EDIT,
                field="deceased_name",
                text=D.SEALED + other.encrypt("张三丰".encode()).decode(),
                base=D.SEALED + other.encrypt("张三".encode()).decode(),
            )
        )
    assert D.of_user(store, "li") == {}
    with store.session() as s:
        assert list(s.scalars(select(ReviewDraft.field))) == ["deceased_name"]
    store.dispose()
