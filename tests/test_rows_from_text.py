"""Rows whose ruling a photograph lost, put back from the writing's own alignment (issue 21: rows found,
row_misplaced on photographs). pipeline.page.layout.rows_from_text."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.page.cleanup import clean_page
from pipeline.page.layout import Grid, find_grid, find_grid_or_text, rows_beyond_box, rows_from_text
from tests.robust_pages import page


def test_rows_below_the_last_ruled_line_are_put_back_from_the_writing():
    """Design case: camera_capture at severity 1.4, seed 4442, page 4 of 06_sea_burial_laizhou_2014. The
    ruling of the lower rows all but vanished in a shadow and under fading (the table's bottom rule too),
    so only the top 4 of its 13 row lines were found and the 8 written rows below were lost. Redrawn here
    from a generated page with those row lines erased (the vertical lines kept: the table's box still
    reaches the bottom): the rows come back at the ruled rows' pitch, from the text's alignment, where the
    drawn lines were; the page's grid is "ruling+text" (its fields doubted, extract.GRID_DOUBTS) and the
    rows put back are inferred lines."""
    _bgr, gt = page("sea_burial", 22)
    ys = gt["grid"]["y"]
    bgr, _gt = page("sea_burial", 22, drop_rows=range(5, len(ys)))
    clean = clean_page(bgr)
    before = rows_beyond_box(clean.image, find_grid(clean.image, clean.table_box, clean.ruling), clean.table_box, clean.ruling)
    assert len(before.rows) == 5  # what the grid found before rows_from_text
    grid = find_grid_or_text(clean.image, clean.table_box, clean.ruling)
    assert len(grid.rows) == len(ys)
    assert all(abs(a - b) <= 12 for a, b in zip(grid.rows, ys))
    assert grid.source == "ruling+text"
    assert set(grid.inferred_rows) == set(range(5, len(ys)))


def test_a_fully_ruled_page_is_left_as_it_is():
    bgr, gt = page("sea_burial", 22)
    clean = clean_page(bgr)
    grid = find_grid_or_text(clean.image, clean.table_box, clean.ruling)
    assert grid.source == "ruling" and len(grid.rows) == len(gt["grid"]["y"]) and not grid.inferred_rows


def _register(rows: list[int], written: list[tuple[int, int]], cols: list[int], line_at: list[int]) -> np.ndarray:
    """A page with ruled lines at `line_at` (the vertical ones at `cols`), and a line of writing (three
    glyphs, 20 px) in every column of each (top, bottom) in `written`."""
    gray = np.full((1000, 1300), 235, np.uint8)
    for y in line_at:
        cv2.line(gray, (cols[0], y), (cols[-1], y), 60, 2)
    for x in cols:
        cv2.line(gray, (x, rows[0]), (x, rows[-1]), 60, 2)
    for top, _bottom in written:
        for a in cols[:-1]:
            for k in range(3):
                gray[top : top + 20, a + 15 + 26 * k : a + 35 + 26 * k] = 40
    return gray


def test_a_row_holding_two_rows_writing_is_cut_at_the_text_gap():
    """A row line missed in the middle of a found row (two pitches tall): the two lines of writing in it
    stand one pitch apart, so the row is cut between them; a row with one line of writing is not cut."""
    cols = list(range(50, 1251, 120))
    rows = [100, 160, 240, 320, 400, 560, 640, 720]
    written = [(r + 30, r + 50) for r in (160, 240, 320, 400, 480, 560, 640)]
    gray = _register(rows, written, cols, [y for y in rows])
    grid = rows_from_text(gray, Grid(tuple(rows), tuple(cols)), None)
    assert len(grid.rows) == len(rows) + 1
    assert 455 <= grid.rows[5] <= 485  # between the two lines of writing, about a pitch below 400
    assert grid.inferred_rows == (5,) and grid.source == "ruling+text"


def test_writing_below_the_table_that_is_no_row_is_not_taken_for_one():
    """Below the last ruled line: a line of a note in two places (a signature, a date) is no row of the
    table (it holds writing in under TABLE_ROW_SHARE of the columns a row does); nor is a shadow's edge
    (ink filling the band from line to line)."""
    cols = list(range(50, 1251, 120))
    rows = [100, 160, 240, 320, 400]
    written = [(r + 30, r + 50) for r in rows[1:-1]]
    gray = _register(rows, written, cols, rows)
    gray[430:450, 80:160] = 40  # a signature below the table
    gray[430:450, 900:980] = 40
    gray[480:900, :] = 90  # a shadow's dark band (the whole width)
    grid = Grid(tuple(rows), tuple(cols))
    assert rows_from_text(gray, grid, None) == grid


def test_rows_whose_lines_were_missed_in_several_places_are_cut_at_one_rows_pitch_on_grainy_paper():
    """A faded photograph of a register (design family camera_capture, seed 4468 at severity 1.6: a page of
    11 rows read as 5): the row lines found are 2 or 3 rows apart, so their median row holds two rows and is
    no pitch at all. One row's pitch is the shortest found row over the least k that makes every found row a
    whole number of it (_unit_pitch); each row is then cut at that pitch where the writing leaves a gap,
    the paper's grain (binarized as specks everywhere) taken for no writing."""
    cols = list(range(50, 1251, 120))
    unit = 80
    rows = [100, 160, 160 + 3 * unit, 160 + 5 * unit, 160 + 7 * unit, 160 + 10 * unit]
    sub = list(range(160, rows[-1], unit))
    gray = _register(rows, [(y + 30, y + 50) for y in sub], cols, rows)
    grain = np.random.default_rng(7).normal(0, 14, gray.shape)
    gray = np.clip(gray.astype(np.float64) + grain, 0, 255).astype(np.uint8)
    grid = rows_from_text(gray, Grid(tuple(rows), tuple(cols)), None)
    assert len(grid.rows) == len(sub) + 2
    assert all(abs(a - b) <= 15 for a, b in zip(grid.rows[1:], [*sub, rows[-1]]))
    assert grid.source == "ruling+text"


def test_a_stored_grid_reads_back_as_it_was_found():
    """What a page's layout stores of its grid (Grid.to_dict) gives the same grid back (Grid.from_dict):
    the rows put back from the writing, the struck rows and a form's per-column rules included, so a
    tool that cuts cells from a stored page cuts the cells the page was read from."""
    g = Grid((10, 60, 110, 160), (5, 80, 200), (2,), "ruling+text", (1,), (0,), ((10, 60, 110, 160), (12, 62, 112, 162)))
    assert Grid.from_dict(g.to_dict()) == g
    plain = Grid((10, 60), (5, 80))
    assert Grid.from_dict(plain.to_dict()) == plain
