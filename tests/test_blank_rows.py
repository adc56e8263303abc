"""The empty ruled rows at the end of a photographed page are no records (issue 21).

A photo's specks, shadow edges and ruling fragments in the unused rows below a page's last entry
read as one to three glyphs the recognizer is unsure of (seen on the design photos: 1-3 characters,
confidence 0.02-0.41). Those rows are blank; a row with any writing, a row between entries, a struck
row and a reviewer's row stay records."""

from __future__ import annotations

import pytest

from pipeline.kernel.config import Settings
from pipeline.kernel.models import RawCell
from pipeline.page.extract import GRID_DOUBTS, PAGE_ASSIGNMENT_DOUBT, map_rows, rows_in_doubt
from pipeline.page.routing import NEEDS_REVIEW, route
from pipeline.page.structure import STRUCK, Structure
from pipeline.review.queue import record_reason
from review_app.i18n import t

TITLE = "烟台市殡仪馆火化登记簿（2016年）"
COLUMNS = ["row_no", "deceased_name", "sex_code", "id_number", "death_date", "agent_name", "household_address"]
WIDTH = len(COLUMNS)


def blank() -> RawCell:
    return RawCell("", 1.0, None)


def entry(n: int) -> tuple[int, list[RawCell]]:
    """A written row, read surely (no personal data: a made-up person with a valid ID)."""
    return (
        n,
        [
            RawCell(str(n), 0.99, None),
            RawCell("刘建国", 0.98, None),
            RawCell("男", 0.99, None),
            RawCell("37068219520315001X", 0.97, None),
            RawCell("2016-03-02", 0.98, None),
            RawCell("刘明", 0.97, None),
            RawCell("龙口市东莱街道", 0.95, None),
        ],
    )


def marks(n: int, *readings: tuple[int, RawCell]) -> tuple[int, list[RawCell]]:
    """A ruled row with its printed serial and, in the given columns, these readings."""
    cells = [RawCell(str(n), 0.99, None)] + [blank() for _ in range(WIDTH - 1)]
    for c, cell in readings:
        cells[c] = cell
    return n, cells


def noise(text: str, conf: float, second: str | None = None, second_conf: float | None = None) -> RawCell:
    return RawCell(text, conf, None, agreed=None if second is None else False, second=second, second_confidence=second_conf)


# what the recognizer read in the empty rows of the design photos (a speck, a shadow's edge, a fragment)
PHOTO_NOISE = [
    marks(4, (2, noise("D", 0.28, "D", 0.15))),
    marks(5, (3, noise(",e", 0.28, ",e", 0.2))),
    marks(6, (1, noise("礼", 0.03, "礼", 0.26)), (2, noise("不今", 0.09)), (4, noise("四", 0.08)), (5, noise("2", 0.23))),
    marks(7, (3, noise("2S分", 0.34, "2S", 0.26)), (6, noise("沙", 0.09))),
    marks(8, (5, noise("M2", 0.16, "M2NE0O4Z0", 0.1))),
]


def numbers(rows, structure=None, overrides=None):
    return [r.row_no for r in map_rows("cremation", TITLE, COLUMNS, rows, Settings(), overrides, structure)]


def test_the_empty_rows_below_the_last_entry_of_a_photo_give_no_records():
    rows = [entry(1), entry(2), entry(3), *PHOTO_NOISE]
    assert numbers(rows) == [1, 2, 3]


def test_a_row_below_the_last_entry_with_any_writing_is_a_record():
    faint_id = marks(4, (3, RawCell("3706821952031500", 0.31, None)))  # faint writing: long, however unsure
    sure_name = marks(5, (1, RawCell("王芳", 0.72, None)))  # faint, yet read surely
    out = map_rows("cremation", TITLE, COLUMNS, [entry(1), entry(2), faint_id, sure_name, *PHOTO_NOISE[2:]], Settings())
    assert [r.row_no for r in out] == [1, 2, 4, 5]
    assert all(route(r.record, Settings())[0] == NEEDS_REVIEW for r in out[2:])


def test_marks_between_entries_stay_a_record_a_faint_or_unfinished_entry():
    rows = [entry(1), (2, PHOTO_NOISE[2][1]), (3, PHOTO_NOISE[3][1]), entry(4), entry(5)]
    out = map_rows("cremation", TITLE, COLUMNS, rows, Settings())
    assert [r.row_no for r in out] == [1, 2, 3, 4, 5]
    assert all(route(r.record, Settings())[0] == NEEDS_REVIEW for r in out[1:3])


def test_a_struck_row_a_reviewers_row_and_a_doubted_page_keep_their_marks():
    rows = [entry(1), entry(2), *PHOTO_NOISE]
    struck = Structure()
    struck.doubt_row(6, STRUCK)
    assert numbers(rows, struck) == [1, 2, 6]
    assert numbers(rows, overrides={7: {"deceased_name": "张三"}}) == [1, 2, 7]
    # a row mapped again on its own for a reviewer's correction is mapped whatever it holds
    alone = map_rows("cremation", TITLE, COLUMNS, [PHOTO_NOISE[0]], Settings(), {4: {}}, page_rows=rows)
    assert [r.row_no for r in alone] == [4]
    doubted = Structure()
    doubted.doubt_page("grid from text lines")
    assert numbers(rows, doubted) == [1, 2, 4, 5, 6, 7, 8]


def test_a_page_with_no_entry_read_surely_keeps_every_row():
    # a faint page: all its readings unsure and short; nothing is set aside as blank
    assert numbers(PHOTO_NOISE) == [4, 5, 6, 7, 8]


def name_columns_in_doubt() -> Structure:
    """A page doubted only for which name column is the deceased's and which the agent's (what
    assign_columns says of two name columns it cannot tell apart): nothing about its rows."""
    s = Structure()
    s.doubt_column(1, "its header and cells fit deceased_name hardly better than agent_name")
    s.doubt_column(5, "another column fits agent_name about as well")
    s.doubt_page(
        PAGE_ASSIGNMENT_DOUBT.format(
            field="deceased_name", why="its header and cells fit deceased_name hardly better than agent_name"
        )
    )
    return s


def test_a_doubt_only_about_which_column_is_which_still_sets_the_blank_tail_aside():
    # the marks below the last entry read as marks whatever field their column holds (failed before:
    # any page doubt kept every row, so each unused row with a speck in it became a record)
    rows = [entry(1), entry(2), entry(3), *PHOTO_NOISE]
    assert numbers(rows, name_columns_in_doubt()) == [1, 2, 3]
    # a row below the last entry with any writing stays a record there as well
    faint_id = marks(4, (3, RawCell("3706821952031500", 0.31, None)))
    assert numbers([entry(1), entry(2), faint_id, *PHOTO_NOISE[1:]], name_columns_in_doubt()) == [1, 2, 4]
    # and so does a row the page's structure doubts (struck through)
    struck = name_columns_in_doubt()
    struck.doubt_row(6, STRUCK)
    assert numbers(rows, struck) == [1, 2, 3, 6]


@pytest.mark.parametrize("grid", sorted(GRID_DOUBTS))
def test_a_page_whose_rows_were_placed_by_its_text_keeps_every_row_whatever_else_is_doubted(grid):
    rows = [entry(1), entry(2), *PHOTO_NOISE]
    s = name_columns_in_doubt()
    s.doubt_page(GRID_DOUBTS[grid])
    assert rows_in_doubt(s)
    assert numbers(rows, s) == [1, 2, 4, 5, 6, 7, 8]


# a page where the columns of the name, sex and ID were not identified (a blurred photograph's header)
PARTLY = ["row_no", None, None, None, "death_date", "agent_name", None]


def test_an_entry_written_only_in_unidentified_columns_stays_a_record_held():
    # the row's identified cells read blank (its date and agent faint), its other cells hold writing:
    # it was dropped as an empty ruled row (no record at all); now a record held for review
    only_there = (
        3,
        [
            RawCell("3", 0.99, None),
            RawCell("刘建国", 0.9, None),
            RawCell("男", 0.95, None),
            RawCell("37068219520315001X", 0.8, None),
            blank(),
            blank(),
            RawCell("龙口市", 0.7, None),
        ],
    )
    rows = [entry(1), entry(2), only_there, entry(4)]
    out = map_rows("cremation", TITLE, PARTLY, rows, Settings())
    assert [r.row_no for r in out] == [1, 2, 3, 4]
    held = out[2].record
    assert route(held, Settings())[0] == NEEDS_REVIEW
    assert record_reason(held.problems[0]) == ("unidentified_row", {})
    assert "栏目" in t("record.unidentified_row", lang="zh") and t("record.unidentified_row.short", lang="en")


def test_marks_in_unidentified_columns_keep_no_row():
    # one mark, or one cell of writing, in the unidentified columns of an empty row is no entry
    one_mark = marks(3, (1, noise("礼", 0.03)), (3, noise("2", 0.23)))
    one_cell = marks(4, (6, RawCell("龙口市", 0.9, None)))
    out = map_rows("cremation", TITLE, PARTLY, [entry(1), entry(2), one_mark, one_cell], Settings())
    assert [r.row_no for r in out] == [1, 2]
    # nor does a reviewer's word that the columns hold no field of ours count them
    two = marks(3, (1, RawCell("刘建国", 0.9, None)), (3, RawCell("37068219520315001X", 0.8, None)))
    kept = map_rows("cremation", TITLE, PARTLY, [entry(1), entry(2), two], Settings())
    decided = map_rows("cremation", TITLE, PARTLY, [entry(1), entry(2), two], Settings(), no_field={1, 3})
    assert [r.row_no for r in kept] == [1, 2, 3]
    assert [r.row_no for r in decided] == [1, 2]
