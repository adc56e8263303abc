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


def _header_words(gray: np.ndarray, cols: list[int], top: int) -> None:
    """A printed header line (two glyphs, 20 px tall) in every column, from `top`."""
    for a in cols[:-1]:
        for k in range(2):
            gray[top : top + 20, a + 30 + 26 * k : a + 50 + 26 * k] = 40


def test_the_line_under_the_header_lost_on_a_1bit_scan_is_put_back_and_the_page_doubted():
    """Design case: typed_sheets seed 3334 as a 1-bit copy (bench/stress_scans.py, row lines broken and
    missing in places), page 3 of 02_sea_burial_longkou_2015: the line under the 60 px header was lost, so
    the grid's first row held the header and the first entry; every record held the next row's writing
    and the last entry was lost, on a grid read from its ruling (nothing doubted). The line is put back one
    pitch above the first row line found, where the writing leaves a gap, and the page's grid is
    "ruling+text" (its fields in doubt, extract.GRID_DOUBTS)."""
    cols = list(range(50, 1251, 120))
    drawn = [100, 160, 240, 320, 400, 480, 560, 640]
    gray = _register(drawn, [(r + 30, r + 50) for r in drawn[1:-1]], cols, [y for y in drawn if y != 160])
    _header_words(gray, cols, 120)
    grid = rows_from_text(gray, Grid(tuple(y for y in drawn if y != 160), tuple(cols)), None)
    assert len(grid.rows) == len(drawn)
    assert abs(grid.rows[1] - 160) <= 10
    assert 1 in grid.inferred_rows and grid.source == "ruling+text"


def test_a_tall_header_is_not_cut_into_a_header_and_an_entry():
    """A header drawn 1.6 pitches tall (HEADER_ROW_SHARE allows up to 2.5) whose one line of words is
    centred in it, or whose two lines of words stand across the place a lost line would lie: no entry's
    writing under a header's words there, so the grid stays as ruled."""
    cols = list(range(50, 1251, 120))
    rows = [100, 230, 310, 390, 470, 550]
    for header_lines in ((155,), (140, 163)):
        gray = _register(rows, [(r + 30, r + 50) for r in rows[1:-1]], cols, rows)
        for top in header_lines:
            _header_words(gray, cols, top)
        grid = Grid(tuple(rows), tuple(cols))
        assert rows_from_text(gray, grid, None) == grid


def test_rows_whose_lines_were_lost_in_most_rows_are_put_back_at_one_rows_pitch():
    """Design case: county_editions seed 3316 as a carbon copy (bench/stress_scans.py --mode carbon), page 3
    of 03_cremation_longkou_2015: the lines found left data rows of 1, 2, 1, 1, 2 and 3 pitches, their
    median 1.5 pitches. Taken for a row, it put no line back in the rows two pitches tall and one in the
    middle of the row three pitches tall: the count of rows came out right, but records 3-7 held other
    rows' writing. Every ruled row is a whole number of the smallest, so that is the pitch: each lost line
    is put back where it was drawn."""
    cols = list(range(50, 1251, 120))
    drawn = [20, *range(70, 900, 80)]  # a 50 px header, rows 80 px
    lost = (230, 550, 710, 790)
    kept = [y for y in drawn if y not in lost]  # data rows 80, 160, 80, 80, 160, 240 px: median 120
    gray = _register(drawn, [(r + 30, r + 50) for r in drawn[1:-1]], cols, kept)
    grid = find_grid(gray)
    assert len(grid.rows) == len(drawn)
    assert all(abs(a - b) <= 4 for a, b in zip(grid.rows, drawn))
    assert set(grid.inferred_rows) == {drawn.index(y) for y in lost}


def test_a_strike_kept_as_a_line_does_not_halve_every_row():
    """A strike through an entry (half a row down) whose row lost the line under it is kept as a line
    (_lines_inside_rows: no line a row below it): the smallest row found is then half a pitch, a whole
    divisor of every row, but seen once. It is no pitch: the rows are not cut in halves."""
    cols = list(range(50, 1251, 120))
    drawn = [20, *range(70, 900, 80)]
    kept = sorted([y for y in drawn if y != 310] + [270])  # a strike at 270 in the row 230-310, 310 lost
    gray = _register(drawn, [(r + 30, r + 50) for r in drawn[1:-1]], cols, kept)
    grid = find_grid(gray)
    assert len(grid.rows) <= len(drawn) and not grid.inferred_rows


def test_a_top_rule_broken_into_dashes_is_put_back_where_the_column_lines_end():
    """Design case: typed_sheets seed 3334 as a 1-bit copy (bench/stress_scans.py, row lines broken in most
    places), page 1 of 01_cremation_longkou_2015: the table's top rule came out as dashes, so the grid began
    at the line under the header, read the first entry as the header and every record held the next
    row's writing (16 rows for 17, from the ruling: nothing doubted). The column lines still run up
    through the header row: the rule is put back where they end, and the page is in doubt."""
    cols = list(range(50, 1251, 120))
    drawn = [20, *range(70, 900, 80)]  # a 50 px header, rows 80 px
    gray = _register(drawn, [(r + 30, r + 50) for r in drawn[1:-1]], cols, drawn[1:])
    for x in range(cols[0], cols[-1], 90):  # the top rule in dashes, too short for a line
        cv2.line(gray, (x, 20), (x + 25, 20), 60, 2)
    _header_words(gray, cols, 35)
    grid = rows_from_text(gray, Grid(tuple(drawn[1:]), tuple(cols)), (cols[0], drawn[1], cols[-1], drawn[-1]))
    assert len(grid.rows) == len(drawn) and abs(grid.rows[0] - 20) <= 4
    assert 0 in grid.inferred_rows and grid.source == "ruling+text"
    ruled = Grid(tuple(drawn), tuple(cols))  # the rule found: the column lines end at it, nothing is added
    clean = _register(drawn, [(r + 30, r + 50) for r in drawn[1:-1]], cols, drawn)
    assert rows_from_text(clean, ruled, (cols[0], drawn[0], cols[-1], drawn[-1])) == ruled


def _wrapped_register(tall: int) -> tuple[np.ndarray, list[int], list[int]]:
    """A ruled register (pitch 80) whose fourth entry's row is drawn `tall` px high, its entry written
    on one line in every column and its address (the fourth column) wrapped onto a second line below the
    first, that line written in the row's lower part; every row written."""
    cols = list(range(50, 1251, 120))
    rows = [100, 160, 240, 320, 400]
    rows += [rows[-1] + tall] + [rows[-1] + tall + 80 * k for k in (1, 2, 3)]
    written = [(r + 30, r + 50) for r in rows[1:-1]]
    gray = _register(rows, written, cols, rows)
    second = 400 + tall - 40  # the wrapped line, just above the row's bottom line
    gray[second : second + 20, cols[3] + 15 : cols[3] + 90] = 40
    return gray, rows, cols


def test_a_row_drawn_taller_for_a_wrapped_entry_is_one_row():
    """Session 34, 1-bit copies of design seed 3334 with wrapped entries in taller rows (bench/stress_scans.py
    --wrap 0.4 --wrap-tall 0.5): a row 1.6 pitches tall was cut one pitch below its top line (the text put
    back a row boundary above the wrapped line), an extra row, and every record below held the writing of
    the row above it. A register grows a row to hold a wrapped entry: the row is one entry, the ruling as
    found, and the page is not in doubt for it."""
    gray, rows, _cols = _wrapped_register(128)
    grid = find_grid_or_text(gray)
    assert len(grid.rows) == len(rows) and all(abs(a - b) <= 3 for a, b in zip(grid.rows, rows))
    assert grid.source == "ruling" and not grid.inferred_rows


def test_a_row_two_pitches_tall_holding_one_wrapped_entry_is_not_halved():
    """The same, the row two pitches tall: _fill_missing_rows took it for a row whose line was lost and put
    a line in its middle, the wrapped line below it read as a row of its own. Its lower half holds writing
    only in a column the entry above it is written in: the wrapped line of that entry."""
    gray, rows, _cols = _wrapped_register(160)
    grid = find_grid_or_text(gray)
    assert len(grid.rows) == len(rows) and all(abs(a - b) <= 3 for a, b in zip(grid.rows, rows))


def test_a_row_two_pitches_tall_holding_two_entries_is_still_cut():
    """Two entries in a row two pitches tall (its middle line lost) are two rows, as before."""
    cols = list(range(50, 1251, 120))
    rows = [100, 160, 240, 320, 400, 560, 640, 720]
    written = [(r + 30, r + 50) for r in (160, 240, 320, 400, 480, 560, 640)]
    gray = _register(rows, written, cols, rows)
    grid = find_grid_or_text(gray)
    assert len(grid.rows) == len(rows) + 1 and 470 <= grid.rows[5] <= 490


def test_a_tall_row_whose_top_holds_only_the_foot_of_the_entry_above_is_one_row():
    """Session 36, a 1-bit copy of design county_editions seed 3316 with wrapped entries in taller rows and
    entries written low (bench/stress_scans.py --wrap 0.5 --wrap-tall 0.5 --low 0.2,0.4): a row two
    pitches tall got a line put back in its middle, and its upper half held only the foot of the entry
    above, written low across the printed line in a few columns: an extra row, the records below it
    numbered one too far. The row is one entry; the foot belongs to the entry it hangs from."""
    cols = list(range(50, 1251, 120))
    rows = [100, 160, 240, 320, 400, 560, 640, 720]
    written = [(r + 30, r + 50) for r in (160, 240, 400 + 100, 560, 640)]
    gray = _register(rows, written, cols, rows)
    for a in (cols[1], cols[3], cols[6]):  # the entry of row 320-400 written low: its foot crosses the line at 400
        for k in range(3):
            gray[385:412, a + 15 + 26 * k : a + 35 + 26 * k] = 40
    grid = find_grid_or_text(gray)
    assert len(grid.rows) == len(rows) and all(abs(a - b) <= 3 for a, b in zip(grid.rows, rows))
