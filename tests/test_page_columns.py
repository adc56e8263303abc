"""A page whose columns are in doubt is reviewed as a page (issue 21): a reviewer says once which field a
printed column holds (pipeline.review.columns.set_column_field), and the page - with its volume's pages of
the same printed form - is mapped again from its stored cells, no OCR. What a user checks: the field's
values come from that column, its doubt is gone and who/why are kept; the volume's page of the same form
follows; a corrected record keeps its correction; a second word supersedes the first; `backfill remap`
keeps the word; a wrong input is refused with a reason. The store is a generated register's text (the
book test_volume_columns stores), each page mapped on its own as process_page maps it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_volume_columns import HEADERS_15, _book

from mapping.headers import is_assignment_doubt
from pipeline.kernel.store import ColumnDecision, Page, Record
from pipeline.page.extract import PAGE_ASSIGNMENT_DOUBT
from pipeline.review.columns import column_history, page_columns, set_column_field
from pipeline.review.corrections import CorrectionError, FieldEntry, review_form
from pipeline.review.queue import record_view
from pipeline.review.users import add_user
from pipeline.runs.stages import remap

NAME_COLUMN = HEADERS_15.index("死者姓名")
PAGE_DOUBT_HEAD = PAGE_ASSIGNMENT_DOUBT.split("{", 1)[0]


def _misread_book(tmp_path, pages_misread=(3,)):
    """Three pages of one book, the name column's header of `pages_misread` read as 某某 (not recognized):
    on its own such a page leaves the column without a field. A reviewer li and an archivist ar."""
    headers = [
        [("某某" if c == NAME_COLUMN and no in pages_misread else h) for c, h in enumerate(HEADERS_15)] for no in (1, 2, 3)
    ]
    settings, store, ids, reg = _book(tmp_path, headers)
    add_user(store, "li", "reviewer", "password-li1")
    add_user(store, "ar", "archivist", "password-ar1")
    return settings, store, ids, reg


def _names(store, page_id) -> dict[int, str | None]:
    with store.session() as s:
        return {
            r.row_no: (r.fields.get("deceased_name") or {}).get("value")
            for r in s.scalars(select(Record).where(Record.page_id == page_id))
        }


def _layout(store, page_id) -> dict:
    with store.session() as s:
        return dict(s.get(Page, page_id).layout)


def test_a_reviewer_sets_a_columns_field_once_and_the_page_is_mapped_again_from_that_column(tmp_path):
    settings, store, ids, reg = _misread_book(tmp_path)
    third = ids[2]
    assert page_columns(store, third, settings).columns[NAME_COLUMN].field is None  # on its own: no field
    assert page_columns(store, third, settings).in_doubt
    assert set(_names(store, third).values()) == {None}

    done = set_column_field(
        store, third, NAME_COLUMN, "deceased_name", "li", "the third column holds the names", volume=False, settings=settings
    )

    assert done == [third]
    assert _names(store, third) == {i: r.record["deceased_name"] for i, r in enumerate(reg.page_rows(3)[:6], start=1)}
    layout = _layout(store, third)
    assert layout["columns"][NAME_COLUMN] == "deceased_name"
    assert str(NAME_COLUMN) not in (layout.get("structure") or {}).get("columns", {})  # no assignment doubt on it
    assert not any(r.startswith(PAGE_DOUBT_HEAD) for r in (layout.get("structure") or {}).get("page", []))
    assert layout["decided"][str(NAME_COLUMN)]["user"] == "li"
    assert layout["decided"][str(NAME_COLUMN)]["why"] == "the third column holds the names"
    col = page_columns(store, third, settings).columns[NAME_COLUMN]
    assert (col.field, col.decided_by, col.doubts) == ("deceased_name", "li", ())
    with store.session() as s:
        for r in s.scalars(select(Record).where(Record.page_id == third)):
            assert not any("deceased_name: no column" in p for p in r.problems)
    (d,) = column_history(store, third)
    assert (d.column, d.header, d.field, d.user, d.volume) == (NAME_COLUMN, "某某", "deceased_name", "li", False)
    store.dispose()


def test_a_column_the_volume_told_in_doubt_loses_its_doubt_and_the_same_form_page_follows(tmp_path):
    settings, store, ids, reg = _misread_book(tmp_path, pages_misread=(2, 3))
    # page 2's names stand beside the deceased's sex, told by its row (mapping.headers._person_name_told):
    # no doubt; page 3 names its name column as its volume tells: in doubt
    remap(store, settings)
    assert _layout(store, ids[1])["columns"][NAME_COLUMN] == "deceased_name"
    assert str(NAME_COLUMN) not in (_layout(store, ids[1]).get("structure") or {}).get("columns", {})
    layout = _layout(store, ids[2])
    assert layout["columns"][NAME_COLUMN] == "deceased_name"
    assert any(is_assignment_doubt(r) for r in layout["structure"]["columns"][str(NAME_COLUMN)])
    assert any(r.startswith(PAGE_DOUBT_HEAD) for r in layout["structure"]["page"])

    done = set_column_field(store, ids[2], NAME_COLUMN, "deceased_name", "li", "names, checked on the scan", settings=settings)

    assert sorted(done) == sorted(ids)  # the book's pages are all of one form
    for pid, no in ((ids[1], 2), (ids[2], 3)):
        layout = _layout(store, pid)
        assert layout["columns"][NAME_COLUMN] == "deceased_name"
        assert str(NAME_COLUMN) not in (layout.get("structure") or {}).get("columns", {})
        assert not any(r.startswith(PAGE_DOUBT_HEAD) for r in (layout.get("structure") or {}).get("page", []))
        assert layout["decided"][str(NAME_COLUMN)] | {"at": None} == {
            "field": "deceased_name",
            "user": "li",
            "at": None,
            "why": "names, checked on the scan",
            "page": ids[2],
        }
        assert _names(store, pid) == {i: r.record["deceased_name"] for i, r in enumerate(reg.page_rows(no)[:6], start=1)}
    store.dispose()


def test_a_corrected_record_keeps_its_correction_and_a_decided_one_is_left_as_it_is(tmp_path):
    settings, store, ids, reg = _misread_book(tmp_path)
    third = ids[2]
    with store.session() as s:
        rid = {r.row_no: r.id for r in s.scalars(select(Record).where(Record.page_id == third))}
    out = review_form(
        store, rid[2], {"deceased_name": FieldEntry("欧阳明")}, user="li", settings=settings, reason="read on the scan"
    )
    assert not out.refused
    with store.session() as s, s.begin():
        s.get(Record, rid[4]).status = "rejected"

    set_column_field(store, third, NAME_COLUMN, "deceased_name", "li", "names", volume=False, settings=settings)

    names = _names(store, third)
    assert names[2] == "欧阳明"  # the reviewer's typing, not the column's cell
    assert names[4] is None  # a rejected record is left as it was
    assert names[1] == reg.page_rows(3)[0].record["deceased_name"]
    store.dispose()


def test_a_second_word_supersedes_the_first_and_a_later_remap_keeps_it(tmp_path):
    settings, store, ids, reg = _misread_book(tmp_path)
    third = ids[2]
    set_column_field(store, third, NAME_COLUMN, "deceased_name", "li", "names", volume=False, settings=settings)
    set_column_field(store, third, NAME_COLUMN, None, "li", "a column of names of someone else", volume=False, settings=settings)
    assert _layout(store, third)["columns"][NAME_COLUMN] is None
    assert set(_names(store, third).values()) == {None}
    with store.session() as s:  # "holds no field of ours": no longer a column the name may be in
        first = s.scalars(select(Record).where(Record.page_id == third, Record.row_no == 1)).one()
        problems, rid = list(first.problems), first.id
    assert "deceased_name: no column of this page holds it: read it from the scan, or from another register" in problems
    assert not any("was recognized as it" in p for p in problems)
    assert [c.column for c in record_view(store, rid, settings).other_cells] == []
    assert [d.field for d in column_history(store, third)] == ["deceased_name", None]  # every word kept

    set_column_field(store, third, NAME_COLUMN, "deceased_name", "li", "names after all", volume=False, settings=settings)
    remap(store, settings)  # `backfill remap`: every page mapped again, then its volume's word
    layout = _layout(store, third)
    assert layout["columns"][NAME_COLUMN] == "deceased_name"
    assert str(NAME_COLUMN) not in (layout.get("structure") or {}).get("columns", {})
    assert layout["decided"][str(NAME_COLUMN)]["why"] == "names after all"
    assert _names(store, third)[1] == reg.page_rows(3)[0].record["deceased_name"]
    store.dispose()


@pytest.mark.parametrize(
    ("column", "field", "user", "why", "said"),
    [
        (NAME_COLUMN, "deceased_name", "li", "  ", "needs a reason"),
        (NAME_COLUMN, "deceased_name", "ar", "names", "only a reviewer or an administrator"),
        (NAME_COLUMN, "sex_code", "li", "sexes", "column 4 of this page holds sex_code"),
        (NAME_COLUMN, "no_such_field", "li", "x", "no field of a cremation register"),
        (99, "deceased_name", "li", "names", "has no column 100"),
    ],
)
def test_a_wrong_word_is_refused_with_its_reason_and_nothing_is_stored(tmp_path, column, field, user, why, said):
    settings, store, ids, _reg = _misread_book(tmp_path)
    with pytest.raises(CorrectionError, match=said):
        set_column_field(store, ids[2], column, field, user, why, settings=settings)
    with store.session() as s:
        assert s.scalars(select(ColumnDecision)).first() is None
    store.dispose()


def test_the_record_view_of_a_page_in_doubt_shows_its_columns_refuses_a_missing_reason_and_maps_again(tmp_path, monkeypatch):
    """The review app (AppTest, as a reviewer): on a record of the page whose name column is not recognized,
    the page's columns are shown with the control; confirming without a reason is refused in words (nothing
    stored, no traceback); with a reason the column is set and the record shows the name read in it."""
    from test_review_app import _app_at, _login, _texts

    from review_app.i18n import t

    monkeypatch.setenv("BACKFILL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BACKFILL_DB_URL", raising=False)
    _settings, store, ids, reg = _misread_book(tmp_path)
    third = ids[2]
    with store.session() as s:
        rid = min(r.id for r in s.scalars(select(Record).where(Record.page_id == third, Record.row_no == 1)))
        assert s.get(Record, rid).status == "needs_review"
    at = _login(_app_at(page="record", record=str(rid)), "li", "password-li1")
    assert at.session_state["current"] == rid
    assert t("cols.title", "zh") in [e.label for e in at.expander]
    assert at.selectbox(key=f"pc_col_{third}").value == NAME_COLUMN  # the column not identified comes first
    at.selectbox(key=f"pc_field_{third}").set_value("deceased_name")
    confirm = next(b for b in at.button if b.label == t("cols.confirm", "zh"))
    confirm.click().run()
    assert not at.exception
    assert t("cols.need_why", "zh") in [e.value for e in at.error]
    assert column_history(store, third) == []

    at.selectbox(key=f"pc_field_{third}").set_value("deceased_name")
    at.text_input(key=f"pc_why_{third}").input("第3栏是死者姓名")
    next(b for b in at.button if b.label == t("cols.confirm", "zh")).click().run()
    assert not at.exception
    assert [d.field for d in column_history(store, third)] == ["deceased_name"]
    assert t("cols.saved", "zh", n=NAME_COLUMN + 1, pages=3) in [e.value for e in at.success]
    assert reg.page_rows(3)[0].record["deceased_name"] in _texts(at)  # the record view shows the value mapped again
    store.dispose()


def test_a_page_read_again_keeps_the_reviewers_word_on_its_columns(tmp_path, monkeypatch, samples_debug_run):
    """A page read again with OCR (`backfill run --force` reads it through process_page) is mapped with the
    reviewers' words in force on its columns, as `backfill remap` maps it: the word is not lost until a
    later re-map. On a copy of the session's run of the samples (real OCR): a column a reviewer said holds
    no field of ours is still without one after the page is read again, and the page says who said so."""
    import shutil

    from ocr.registry import get_engine
    from pipeline.kernel.config import Settings
    from pipeline.kernel.store import Store
    from pipeline.page.extract import process_page

    shared, _run, _export = samples_debug_run
    work = tmp_path / "work"
    shutil.copytree(shared, work)
    monkeypatch.chdir(work)  # where the run was made: its scans' paths are stored as the user gave them
    settings = Settings(data_dir=str(work / "backfill-data"))
    store = Store.open(settings)
    add_user(store, "li", "reviewer", "password-li1")
    with store.session() as s:
        page = next(
            p
            for p in s.scalars(select(Page).where(Page.status == "done").order_by(Page.id))
            if "remarks" in p.layout["columns"] and p.file.rel_path.startswith("ledgers/")
        )
        page_id, column = page.id, page.layout["columns"].index("remarks")
    set_column_field(store, page_id, column, None, "li", "备注栏本册未用", volume=False, settings=settings)
    assert _layout(store, page_id)["columns"][column] is None
    outcome = process_page(store, page_id, settings, get_engine(settings.engine, **settings.engine_settings), force=True)
    assert outcome.status == "done"
    layout = _layout(store, page_id)
    assert layout["columns"][column] is None
    assert layout["decided"][str(column)]["user"] == "li" and layout["decided"][str(column)]["field"] is None
    store.dispose()
