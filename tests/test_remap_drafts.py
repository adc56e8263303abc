"""A re-map drops the review drafts of the records it drops, and no other (pipeline.page.extract.save_records,
pipeline.review.drafts). What a reviewer sees (drafts.of_user, the app's "unsaved typing put back"): after a
re-map in which a row is no longer read as a record, its unsaved typing no longer appears, for every
reviewer and form; the typing of every record the re-map keeps, of a record a reviewer already decided
(left as it is), and of another page, is all still there. No OCR: the page's cells are a generated
register's text."""

from __future__ import annotations

from sqlalchemy import select

from pipeline.kernel.config import Settings
from pipeline.kernel.models import RawCell
from pipeline.kernel.store import Page, Record, ReviewDraft, SourceFile, Store
from pipeline.page.extract import map_rows, remap_page, save_records
from pipeline.review import drafts as D
from samples import generator as g


def _page(store: Store, settings: Settings, sha: str, reg, columns: list[str]) -> int:
    rows = reg.page_rows(1)[:5]
    cells = [(i, [RawCell(text, 1.0, None) for text in r.cells]) for i, r in enumerate(rows, start=1)]
    with store.session() as s, s.begin():
        sf = SourceFile(
            sha256=sha, rel_path=f"{sha[:4]}.pdf", abs_path="/nowhere/b.pdf", size_bytes=9, media_type="pdf", page_count=1
        )
        s.add(sf)
        s.flush()
        page = Page(
            file_id=sf.id,
            page_no=1,
            status="done",
            ledger_kind="cremation",
            title=reg.title,
            steps=[{"name": "capture", "settings": {}, "result": {"page_found": False}}],
            layout={"columns": columns, "header": []},
        )
        s.add(page)
        s.flush()
        page_id = page.id
    save_records(store, page_id, "cremation", map_rows("cremation", reg.title, columns, cells, settings), settings)
    return page_id


def _blank_rows(store: Store, page_id: int, row_nos: set[int]) -> None:
    """The stored cells of these rows made empty: a re-map reads them as no record."""
    with store.session() as s, s.begin():
        for rec in s.scalars(select(Record).where(Record.page_id == page_id, Record.row_no.in_(row_nos))):
            rec.cells = [RawCell("", 1.0, None).to_dict() for _ in rec.cells]


def test_a_remap_drops_the_drafts_of_the_records_it_drops_and_keeps_every_other_draft(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"))
    store = Store.open(settings)
    reg = g.get_register(1, "haiyang", 2013, "cremation")
    columns = list(reg.columns)
    page_id = _page(store, settings, "1" * 64, reg, columns)
    other_page = _page(store, settings, "2" * 64, reg, columns)
    with store.session() as s:
        rid = {r.row_no: r.id for r in s.scalars(select(Record).where(Record.page_id == page_id))}
        other = {r.row_no: r.id for r in s.scalars(select(Record).where(Record.page_id == other_page))}
        rec4 = s.get(Record, rid[4])
    assert sorted(rid) == [1, 2, 3, 4, 5]
    with store.session() as s, s.begin():
        s.get(Record, rid[4]).status = "approved"  # a decided record is left as it is by a re-map
    field = next(iter(rec4.fields))
    typed = {  # (user, record, form): the unsaved typing
        ("li", rid[5], D.EDIT),
        ("wang", rid[5], D.BLIND),
        ("li", rid[2], D.EDIT),
        ("wang", rid[3], D.EDIT),
        ("li", rid[4], D.EDIT),
        ("li", other[5], D.EDIT),
    }
    for user, record_id, form in typed:
        D.keep(store, user, record_id, field, "张三丰", False, "张三", form=form)

    _blank_rows(store, page_id, {4, 5})
    remap_page(store, page_id, settings)

    with store.session() as s:
        left = {r.row_no: r.id for r in s.scalars(select(Record).where(Record.page_id == page_id))}
        stored = {(d.username, d.record_id, d.form) for d in s.scalars(select(ReviewDraft))}
    assert 5 not in left and left[4] == rid[4]  # row 5 is no longer a record; the approved row 4 stays
    assert stored == typed - {("li", rid[5], D.EDIT), ("wang", rid[5], D.BLIND)}
    # what each reviewer is shown: no draft of the dropped record, every other one with its text
    assert D.of_user(store, "li") == {
        rid[2]: {field: D.Draft("张三丰", False, "张三")},
        rid[4]: {field: D.Draft("张三丰", False, "张三")},
        other[5]: {field: D.Draft("张三丰", False, "张三")},
    }
    assert D.of_user(store, "wang") == {rid[3]: {field: D.Draft("张三丰", False, "张三")}}
    assert D.of_user(store, "wang", form=D.BLIND) == {}
    store.dispose()
