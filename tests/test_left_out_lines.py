"""A wrapped entry's short last line run into the line above (an address's 号 / 17号 under it, two rows apart) was
cut off its cell's crop with a stamp's margin (layout._line_core): the first line alone was read, surely, and the
address accepted without the end of its house number. Such a cell is doubted: its field held, its reading kept."""

from __future__ import annotations

import re

import numpy as np
from test_structure import FIELDS, ROWS, _map

from mapping.flags import FLAGS
from pipeline.kernel.config import Settings
from pipeline.kernel.models import RawCell
from pipeline.page.extract import doubt_left_out_lines
from pipeline.page.layout import Grid, text_line_bands
from pipeline.page.routing import AUTO_ACCEPTED, NEEDS_REVIEW, route
from pipeline.page.structure import LINE_LEFT_OUT, Structure


def _address(tail: int) -> np.ndarray:
    """The inside of an address cell (95 x 410 px): a full first line of glyphs and, two blank rows under it, a
    last line of `tail` glyphs (0: none)."""
    crop = np.full((95, 410), 245, np.uint8)
    for x in range(6, 400, 22):
        crop[24:43, x : x + 18] = 30
    for x in range(6, 6 + 22 * tail, 22):
        crop[45:69, x : x + 18] = 30
    return crop


def test_a_short_wrapped_last_line_cut_off_the_crop_is_said():
    lost: list[tuple[int, int]] = []
    ((b0, b1),) = text_line_bands(_address(1), left_out=lost)
    assert b1 < 60  # the crop holds the first line only (as before) ...
    assert len(lost) == 1 and lost[0][0] >= 43 and lost[0][1] >= 68  # ... and says which line it left out
    lost.clear()
    assert len(text_line_bands(_address(0), left_out=lost)) == 1 and lost == []


def test_a_stamp_cut_off_a_line_is_no_line_left_out():
    """A seal's arcs run on to the cell's edges: cutting them away leaves no writing out."""
    crop = np.full((100, 278), 248, np.uint8)
    for x in range(10, 270, 14):
        crop[50:72, x : x + 10] = 30
    for y in range(0, 100):
        x = 120 + int(60 * np.sin(y / 30))
        crop[y, x : x + 2] = 150
        crop[y, x + 40 : x + 42] = 150
    lost: list[tuple[int, int]] = []
    assert len(text_line_bands(crop, left_out=lost)) == 1 and lost == []


def test_the_address_missing_its_wrapped_line_is_held_with_a_chinese_reason_and_its_reading_kept():
    page = np.full((310, 600), 245, np.uint8)  # rows 101 px apart: each cell inside 95 px
    grid = Grid(rows=(0, 101, 202, 303), cols=(0, 100, 516, 600))
    page[101 + 3 : 202 - 3, 100 + 3 : 516 - 3] = _address(1)  # row 1, column 1: wrapped
    page[202 + 3 : 303 - 3, 100 + 3 : 516 - 3] = _address(0)  # row 2, column 1: one line
    table = [[RawCell("", 1.0, None)] * 3] + [[RawCell("1", 1.0, None), RawCell("某地", 1.0, None), RawCell("", 1.0, None)]] * 2
    st = Structure()
    doubt_left_out_lines(page, grid, table, ["row_no", "household_address", None], st)
    assert st.cells == {(1, 1): [LINE_LEFT_OUT]}

    address = FIELDS.index("household_address")
    plain = _map(FIELDS, ROWS)
    assert route(plain[1].record, Settings())[0] == AUTO_ACCEPTED
    st = Structure()
    st.doubt_cell(2, address, LINE_LEFT_OUT)
    out = _map(FIELDS, ROWS, st)
    fv = out[1].record.fields["household_address"]
    assert "cell_line_left_out" in fv.flags and "cell_under_seal" not in fv.flags
    assert fv.raw == plain[1].record.fields["household_address"].raw  # the reading kept
    assert fv.confidence < plain[1].record.fields["household_address"].confidence
    assert route(out[1].record, Settings())[0] == NEEDS_REVIEW
    assert f"household_address: {LINE_LEFT_OUT}" in out[1].record.problems
    zh = FLAGS["cell_line_left_out"].zh
    assert "未被识别" in zh and not re.search(r"[A-Za-z]{3,}", zh)
