"""A digit string whose glyphs run together along their middle (a carbon copy's pressure spread) stays one
line: the dense middle row is not a ruling that parts it in two (pipeline.page.layout.join_across_ruled)."""

from __future__ import annotations

import numpy as np

from pipeline.page.extract import line_crops
from pipeline.page.layout import Grid, text_line_bands


def _digit_line(h: int = 68, w: int = 240) -> np.ndarray:
    """A cell: a row of 18 'digits' (two vertical bars each) 24-60 px, joined by a solid bar along rows 41-43."""
    cell = np.full((h, w), 235, np.uint8)
    for i in range(18):
        x = 6 + i * 12
        cell[24:61, x : x + 3] = 30
        cell[24:61, x + 7 : x + 10] = 30
    cell[41:44, 6:232] = 30  # the middle bars run together: over 80 % ink in one run
    return cell


def test_a_digit_line_with_a_dense_middle_row_is_one_band() -> None:
    cell = _digit_line()
    assert len(text_line_bands(cell)) == 2  # as a ruling remnant, the bar cut the line in two
    bands = text_line_bands(cell, one_line=True)
    assert len(bands) == 1
    assert bands[0][0] <= 24 and bands[0][1] >= 60


def test_a_ruling_between_two_lines_with_paper_around_it_still_parts_them() -> None:
    cell = np.full((90, 240), 235, np.uint8)
    cell[8:30, 10:200:6] = 30  # first line
    cell[42:44, 2:238] = 30  # a ruling remnant, paper above and below it
    cell[56:80, 10:200:6] = 30  # second line
    assert len(text_line_bands(cell, one_line=True)) == 2


def test_line_crops_cut_a_digit_column_cell_as_one_line() -> None:
    page = np.full((100, 250), 235, np.uint8)
    page[0:2, :] = 0
    page[98:100, :] = 0
    page[:, 0:2] = 0
    page[:, 248:250] = 0
    page[16:84, 5:245] = _digit_line()
    grid = Grid(rows=[1, 99], cols=[1, 249])
    crops, owners, _faint = line_crops(page, grid, [(0, 0)], {0})
    assert len(crops) == 1 and owners == [(0, 0)]
    crops, _owners, _faint = line_crops(page, grid, [(0, 0)])  # not a digit column: as before
    assert len(crops) == 2
