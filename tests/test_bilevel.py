"""1-bit (bilevel: fax, CCITT G4) scans: what the threshold of such a scanner does to a register page and
how the page is still read, or told why not (issue 21, the bilevel copy of design county 3316)."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.kernel.models import Step
from pipeline.kernel.reasons import REASONS
from pipeline.page.cleanup import BORDER_RIM_PX, CleanupSettings, clean_page, is_bilevel, remove_scan_borders
from pipeline.page.extract import ADVISED, page_reason
from pipeline.page.gridlines import FAINT_RULING_CONTRAST
from pipeline.page.layout import find_grid_or_text, grid_from_text, ruling_lines

COLS = (150, 450, 750, 1050, 1350, 1650, 1950)
"""Left edges of a register's seven written columns, 200 px wide each."""


def _word(gray: np.ndarray, x: int, y: int, chars: int, pitch: int = 25) -> None:
    """A word of `chars` characters 20 px square, `pitch` px apart (their gaps join within a word)."""
    for k in range(chars):
        gray[y : y + 20, x + k * pitch : x + k * pitch + 20] = 0


def _register(title: bool, speck_after: int | None = None) -> tuple[np.ndarray, list[int]]:
    """A white page with a header row and ten entries written in COLS, no ruling; the top of each row."""
    gray = np.full((1654, 2339), 255, np.uint8)
    tops = [300 + 80 * i for i in range(11)]
    for y in tops:
        for x in COLS:
            _word(gray, x, y, 4)
    if title:  # a title centred over the table: twelve characters set wide apart, one cell's width
        for k in range(12):
            gray[150:172, 980 + 34 * k : 1002 + 34 * k] = 0
    if speck_after is not None:  # a dot left between two rows, at the page's left margin
        y = tops[speck_after] + 43
        gray[y : y + 14, 60:66] = 0
    return gray, tops


def test_a_title_above_a_table_read_from_its_text_is_no_header_row():
    """A title line (...殡仪馆遗体火化登记簿) whose characters stand apart, as a 1-bit threshold leaves
    them, counts as many pieces as a row of cells: the text grid took it for the header, and the page was
    lost as "the header row matches no known ledger kind" (bilevel copy of county 3316, 2 of 16 pages).
    It spans one cell's width, not the table's: the grid starts at the header."""
    gray, tops = _register(title=True)
    grid = grid_from_text(gray)
    assert grid is not None
    assert grid.n_rows == 11
    assert tops[0] - 15 <= grid.rows[0] <= tops[0]  # the header's top, not the title's (150)
    assert (grid.n_rows, grid.n_cols) == (11, 7)


def test_a_lone_speck_between_two_rows_does_not_cut_the_table_in_two():
    """A dot a 1-bit threshold kept at the margin between rows 5 and 6 was a text line of its own, cutting
    the run of table rows: only the longer half was read as the table (bilevel copy of county 3316)."""
    gray, tops = _register(title=False, speck_after=5)
    grid = grid_from_text(gray)
    assert grid is not None
    assert grid.n_rows == 11
    assert grid.rows[0] <= tops[0] and grid.rows[-1] >= tops[-1] + 20


def test_a_1bit_page_turned_level_is_still_cleaned_as_1bit():
    """A 1-bit scan fed tilted is turned level by interpolation, which greys its strokes' edges: it was
    then judged a grey page after the turn, median-filtered (thin strokes and dotted lines erased) and its
    ruling not drawn whole again, so that no ruled table was found (bilevel copy of county 3316, two pages
    tilted 2-3 degrees). It is judged 1-bit as scanned."""
    gray = np.full((1654, 2339), 255, np.uint8)
    for y in range(300, 1400, 80):
        gray[y, 150:2150] = 0  # one-pixel ruling
    for x in range(150, 2200, 250):
        gray[300:1381, x] = 0
    for y in range(320, 1300, 80):
        for x in range(200, 2000, 250):
            _word(gray, x, y, 3)
    m = cv2.getRotationMatrix2D((2339 / 2, 1654 / 2), 2.5, 1.0)
    tilted = cv2.warpAffine(gray, m, (2339, 1654), flags=cv2.INTER_NEAREST, borderValue=255)
    assert is_bilevel(tilted)
    clean = clean_page(cv2.cvtColor(tilted, cv2.COLOR_GRAY2BGR))
    steps = {st.name: st for st in clean.steps}
    assert steps["deskew"].result["rotated"]
    assert steps["denoise"].settings["method"] == "bilevel_specks"


def test_a_1bit_page_without_a_table_is_told_so_not_called_blank():
    """A 1-bit scan with a black scanner border whose table the threshold took away is told it is a 1-bit
    scan to be made again in grey; a white page (no black, no border) is still the blank page question."""
    bilevel = [
        Step("border_removal", {"dark_below": 70}, {"pixels_removed": 360953}),
        Step("denoise", {"method": "bilevel_specks", "max_pixels": 2}, {"specks": 2988}),
    ]
    assert page_reason("no_table", bilevel) == "bilevel_no_table"
    assert page_reason("no_table", [st.to_dict() for st in bilevel]) == "bilevel_no_table"
    white = [
        Step("border_removal", {"dark_below": 70}, {"pixels_removed": 0}),
        Step("denoise", {"method": "bilevel_specks", "max_pixels": 2}, {"specks": 0}),
    ]
    assert page_reason("no_table", white) == "no_table"
    grey = [Step("border_removal", {}, {"pixels_removed": 5000}), Step("denoise", {"method": "median", "ksize": 3})]
    assert page_reason("no_table", grey) == "no_table"


def test_a_1bit_page_whose_dots_stand_in_rows_is_told_to_be_scanned_in_grey():
    """A 1-bit scan whose ruling the threshold took away and whose writing is left as dots in rows: its
    rows and columns come from the text's alignment and its header reads as no ledger kind. The person is
    told to scan it again in grey, not that the spec lacks a register kind; a ruled page whose header
    names no kind, or a grey scan, is still told the register kind is unknown."""
    bilevel = [
        Step("border_removal", {"dark_below": 70}, {"pixels_removed": 0}),
        Step("denoise", {"method": "bilevel_specks", "max_pixels": 2}, {"specks": 4120}),
    ]
    assert page_reason("unknown_ledger", bilevel, unruled=True) == "bilevel_no_table"
    assert page_reason("unknown_ledger", bilevel) == "unknown_ledger"
    grey = [Step("border_removal", {}, {"pixels_removed": 5000}), Step("denoise", {"method": "median", "ksize": 3})]
    assert page_reason("unknown_ledger", grey, unruled=True) == "unknown_ledger"


def test_a_stretch_of_broken_ruling_welded_to_a_rows_writing_does_not_split_the_row():
    """On a 1-bit scan the table's bottom rule is left as stretches that are no ruling line, and one welded
    to the last row's writing above it made a piece 2.4 glyph heights tall beside the row's other words: the
    row's run was cut in two overlapping parts, an extra row the page does not have (bilevel copy of typed
    3316, 01_cremation_haiyang_2017 page 2: 17 rows found for 16 drawn). Two rows lie one above the other."""
    gray, tops = _register(title=False)
    y = tops[-1]
    for x in COLS[3:]:  # the last row's words in four columns written 2 px lower, on a stretch of rule
        gray[y : y + 20, x : x + 100] = 255
        _word(gray, x, y + 2, 4)
        gray[y + 2 : y + 49, x : x + 3] = 0
    gray[y + 45 : y + 49, COLS[3] : COLS[-1] + 100] = 0
    grid = grid_from_text(gray)
    assert grid is not None
    assert grid.n_rows == 11  # the header and ten entries, none split
    assert grid.rows[-2] < y < grid.rows[-1]


WIDE_COLS = tuple(100 + 150 * k for k in range(14))
"""Left edges of the fourteen columns of a wide register (a register has 12-16), 150 px apart."""


def _wide_register(header_cols: tuple[int, ...]) -> tuple[np.ndarray, list[int]]:
    """A white page with ten entries written in WIDE_COLS below a header row of which only the words in
    `header_cols` are left (a 1-bit threshold broke the rest away), no ruling; the top of each row."""
    gray = np.full((1654, 2339), 255, np.uint8)
    tops = [300 + 80 * i for i in range(11)]
    for i, y in enumerate(tops):
        for k, x in enumerate(WIDE_COLS):
            if i > 0 or k in header_cols:
                _word(gray, x, y, 3)
    return gray, tops


def test_a_header_row_with_few_words_left_is_still_the_header():
    """A 1-bit threshold that wiped out a page's ruling broke its bold header too: only a few header words
    were kept (5 of 16 columns), too few pieces for a row of the table, and the grid began at the first
    entry, read it as the header, and every record held the next row's writing (bilevel copy of typed
    3333, 03_cremation_laizhou_2017 page 3: 12 records shifted). The line right above the first entry,
    one word inside each of several columns, is the header row."""
    gray, tops = _wide_register(header_cols=(8, 10, 11, 13))
    grid = grid_from_text(gray)
    assert grid is not None
    assert grid.n_rows == 11  # the header and ten entries
    assert tops[0] - 15 <= grid.rows[0] <= tops[0] and tops[0] + 20 <= grid.rows[1] <= tops[1]


def test_a_lone_piece_above_the_rows_is_no_header():
    """A piece of ink a pitch above the rows found (a ruling remnant, an entry the threshold thinned to a
    speck) is no header: a header row names several columns, as any table row has text in several
    (bilevel copy of fresh 3320, 01_cremation_longkou_2013 page 1)."""
    gray, tops = _wide_register(header_cols=(6,))
    grid = grid_from_text(gray)
    assert grid is not None
    assert grid.n_rows == 10
    assert grid.rows[0] > tops[0] + 20


def test_a_line_of_running_text_above_the_header_is_no_header():
    """A line written across the columns just above a header read whole (填报单位 ... at the left, the
    date at the right) is no header row: the grid still starts at the header."""
    gray, tops = _register(title=False)
    _word(gray, COLS[0], tops[0] - 70, 14)  # 14 characters run across the first columns' gaps
    _word(gray, COLS[5], tops[0] - 70, 8)
    grid = grid_from_text(gray)
    assert grid is not None
    assert grid.n_rows == 11
    assert tops[0] - 15 <= grid.rows[0] <= tops[0]


def test_a_long_stretch_of_broken_ruling_does_not_weld_two_rows_into_one():
    """A 1-bit threshold leaves a pale column rule as stretches 10 px wide (the line thickened by the
    threshold and the scan's skew): one reaching from an entry down through the next made their two text
    runs one, too tall to be a row but not cut (the stretch as tall as the run), and two entries were read
    as one row (bilevel copy of typed 3376, 01_cremation_yantai_2018 page 1). A stretch of rule is no text."""
    gray, tops = _register(title=False)
    gray[tops[7] : tops[8] + 20, 60:70] = 0  # a stretch of the table's left rule, 100 px tall, 10 px wide
    grid = grid_from_text(gray)
    assert grid is not None
    assert grid.n_rows == 11  # the header and ten entries: rows 7 and 8 apart
    assert grid.rows[8] < tops[8] < grid.rows[9]


def test_a_cross_left_between_two_rows_does_not_cut_the_table_in_two():
    """Where a pale row rule crossed a column rule a 1-bit threshold kept a cross two glyph heights wide
    between two entries: a text line of one piece, too wide for a speck, it cut the run of table rows and
    every entry below it was lost (bilevel copy of typed 3376, 01_cremation_yantai_2018 page 1: 10 of 14
    entries read). The rows above and below it stand one pitch apart: it is a mark, no row."""
    gray, tops = _register(title=False)
    y = tops[5] + 34
    gray[y + 16 : y + 20, 1280:1316] = 0  # the cross's bars, 36 px, in the gap between rows 5 and 6
    gray[y : y + 36, 1296:1300] = 0
    grid = grid_from_text(gray)
    assert grid is not None
    assert grid.n_rows == 11
    assert grid.rows[0] <= tops[0] and grid.rows[-1] >= tops[-1] + 20


def test_an_entry_struck_through_does_not_cut_the_table_in_two():
    """A clerk strikes a wrong entry with a line across its text; where a 1-bit threshold broke the page's
    pale ruling, the strike welds the row's writing into one piece, a row of one piece: it cut the run of
    rows, the entries on one side were lost, and where the longer part lay below the strike its first entry
    was read as the header, every record holding the next row's writing (fresh typed 3334, a bilevel copy,
    04_sea_burial_laizhou_2018 page 3: 6 of 11 entries). The struck entry is a row of its own, marked struck."""
    gray, tops = _register(title=False)
    cv2.line(gray, (140, tops[2] + 17), (2170, tops[2] + 3), 0, 3)
    grid = grid_from_text(gray)
    assert grid is not None
    assert grid.n_rows == 11  # the header and ten entries
    assert grid.rows[0] <= tops[0] and grid.rows[-1] >= tops[-1] + 20
    assert grid.struck_rows == (2,)


def test_the_same_text_in_every_row_is_not_cut_into_columns():
    """Where every entry of a column holds the same text (a constant sea area, a register number's prefix),
    a 1-bit threshold's gaps inside it stand at one place in every row: a 7 px gap between two characters
    (one piece of text to the word join) and an H's stem standing alone (its bar dropped) were taken for
    column gaps, two and one columns too many (fresh typed 3334 as a bilevel copy, 04_sea_burial_laizhou_2018
    page 3: 17 columns for 13 drawn)."""
    gray, tops = _register(title=False)
    for y in tops[1:]:
        x = COLS[2]
        gray[y : y + 20, x : x + 200] = 255
        _word(gray, x, y, 2)
        _word(gray, x + 52, y, 2)  # the third character 7 px after the second: a gap inside the text
        x = COLS[4]
        gray[y : y + 20, x : x + 200] = 255
        gray[y : y + 20, x : x + 4] = 0  # an H's left stem, its bar dropped
        _word(gray, x + 12, y, 4)
    grid = grid_from_text(gray)
    assert grid is not None
    assert (grid.n_rows, grid.n_cols) == (11, 7)


def test_entries_aligned_left_under_a_centred_header_are_one_column():
    """A column whose entries are written against its left edge and whose header word is centred over it
    left a text gap between the two: one column with entries and no header word, one with the header word
    and no entry (fresh typed 3334 as a bilevel copy, 04_sea_burial_laizhou_2018 page 3, the sea-area
    column). A register names every column in its header: one column."""
    gray, tops = _register(title=False)
    x = COLS[3]
    gray[tops[0] : tops[0] + 20, x : x + 200] = 255
    _word(gray, x + 150, tops[0], 2)  # the header word centred in a wide cell, right of its entries
    grid = grid_from_text(gray)
    assert grid is not None
    assert grid.n_cols == 7
    assert grid.cols[3] < x and grid.cols[4] > x + 200


def test_a_black_scan_border_is_no_ruling_line():
    """A scanner's black border along the image's top and bottom edges (beyond the paper) has a long straight
    inner edge that the ruling finder took for the table's top and bottom rules: with the table's own pale
    rules broken by a 1-bit threshold, the faint-ruling grid was the border's (6 x 5 for 12 x 13 drawn) and the
    page was lost as unknown_ledger (fresh typed 3334 as a bilevel copy, 04_sea_burial_laizhou_2018 page 3).
    A ruling line has paper on both sides."""
    gray = np.full((1654, 2339), 255, np.uint8)
    gray[:36, 200:1800] = 0  # the border's bars, touching the top edge
    gray[1620:, 300:2000] = 0
    for y in (300, 380, 1300):  # the table's rules that the threshold kept
        gray[y : y + 3, 150:2150] = 0
    for x in (150, 2150):
        gray[300:1300, x : x + 3] = 0
    rows, cols = ruling_lines(gray, None, None, FAINT_RULING_CONTRAST)
    assert all(300 <= y <= 1303 for y in rows)
    assert len(rows) == 3


def test_a_date_broken_by_the_threshold_under_one_header_word_is_one_column():
    """A 1-bit threshold that thins a date's strokes breaks it where its separators were (2018 | 5-26), at
    the same place in every row of a column of same-length dates, a gap wider than the word join and a
    column gap's width: the column was cut in two (fresh typed 3334 as the harsher bilevel copy c,
    04_sea_burial_laizhou_2018 page 3: 15 columns for 13 drawn, inside the certificate numbers and the
    scattering dates). The header's one word stands across the gap: one column."""
    gray, tops = _register(title=False)
    x = COLS[2]
    for y in tops:
        gray[y : y + 20, x : x + 200] = 255
    for y in tops[1:]:
        _word(gray, x, y, 3)
        _word(gray, x + 90, y, 3)  # the date's second part, 20 px (a glyph) after the first
    _word(gray, x + 5, tops[0], 6, pitch=27)  # the header word over the date, a gap between its characters in the date's
    grid = grid_from_text(gray)
    assert grid is not None
    assert (grid.n_rows, grid.n_cols) == (11, 7)
    assert grid.cols[2] < x and grid.cols[3] > x + 160


def _two_fields_under_one_header(dashed_rows: tuple[int, ...], edge_stretch: bool) -> tuple[np.ndarray, object]:
    """Ten rows of two printed columns' values (an age of two characters, an ID of six) in one column of
    the grid, their ruling line missing; the row lines' dashes a 1-bit threshold left inside the cells of
    `dashed_rows`, and (`edge_stretch`) a stretch of the next column's line leaning into every cell."""
    from pipeline.page.layout import Grid

    gray = np.full((680, 470), 255, np.uint8)
    rows = tuple(range(10, 671, 60))
    for r, y in enumerate(rows[1:-1], start=1):
        _word(gray, 20, y + 20, 2, pitch=28)  # the age: x 20-68
        _word(gray, 120, y + 20, 6, pitch=28)  # the ID: x 120-288
        if r in dashed_rows:
            for a, b in ((40, 150), (200, 260), (320, 380)):
                gray[y + 8 : y + 11, a:b] = 0  # a row line's dashes, 3 px thick, shifted into the cell
        if edge_stretch:
            gray[y + 15 : y + 45, 440:443] = 0
    return gray, Grid(rows, (10, 460))


def test_a_row_lines_dashes_do_not_close_the_gap_of_a_missing_column_line():
    """The column line between age and ID lost on every 1-bit copy (fresh county 3334,
    01_cremation_haiyang_2011): the header read 年龄身份证号码, but the row lines' dashes the threshold
    left inside 1-3 of 14 cells crossed the gap the two values leave, so the column was not split and
    both fields were doubted as a whole (copies b and c). A run of ink two glyphs long and thinner than a
    glyph is ruling, no writing."""
    from pipeline.page.layout import column_gap

    gray, grid = _two_fields_under_one_header(dashed_rows=(3, 7), edge_stretch=False)
    x = column_gap(gray, grid, 0, near=2 / 7)
    assert x is not None and 68 < x < 120


def test_a_column_lines_stretch_at_a_cells_edge_is_no_text_beside_a_gap():
    """A stretch of the next column's line leaning into every cell (a 1-bit scan, 300 dpi, skewed) counts
    as no text: the paper between the ID and it is no gap of a missing line (fresh county 3334 as 1-bit
    copy b, the agent's-name column); the gap between age and ID is."""
    from pipeline.page.layout import column_gap

    gray, grid = _two_fields_under_one_header(dashed_rows=(), edge_stretch=True)
    x = column_gap(gray, grid, 0)
    assert x is not None and 68 < x < 120


def test_a_column_its_header_does_not_identify_is_not_split_under_one_header_word():
    """A date broken by the threshold where its separators were (2018 | 5-26) leaves a gap down every row;
    with the header misread (岩每日期 for 撒海日期) the column was split there on its rows' text alone and
    the year's half given no field (fresh typed 3334 as the harsher bilevel copy c,
    04_sea_burial_laizhou_2018 page 3). The header's one word stands across the gap: not split. Two
    fields' values under their own header words still are."""
    from pipeline.page.layout import Grid, column_gap

    gray = np.full((680, 330), 255, np.uint8)
    rows = tuple(range(10, 671, 60))
    _word(gray, 40, rows[0] + 20, 6, pitch=27)  # the header word over the whole date
    for y in rows[1:-1]:
        _word(gray, 30, y + 20, 3)  # the year
        _word(gray, 120, y + 20, 3)  # the month and day, a glyph and a half after it
    grid = Grid(rows, (10, 320))
    assert column_gap(gray, grid, 0) is not None  # the gap is there ...
    assert column_gap(gray, grid, 0, header_word=True) is None  # ... under one header word
    gray[rows[0] + 20 : rows[0] + 40, :] = 255
    _word(gray, 30, rows[0] + 20, 2)  # two header words, one over each value
    _word(gray, 130, rows[0] + 20, 2)
    x = column_gap(gray, grid, 0, header_word=True)
    assert x is not None and 100 < x < 120


def _dashed_register(dashed: tuple[int, ...], seed: int = 7) -> tuple[np.ndarray, list[int]]:
    """A white 1-bit page with a ruled table of eight columns (its row lines whole) and writing in its
    cells; the column lines at the indices `dashed` broken as a light 1-bit threshold breaks a thin rule:
    dashes 5-20 px long and gaps 10-50 px (the light 1-bit copy of design county 3316,
    01_cremation_longkou_2013 p6). The x of the column lines."""
    rng = np.random.default_rng(seed)
    gray = np.full((1654, 2339), 255, np.uint8)
    xs = [150 + 250 * i for i in range(9)]
    top, bottom = 300, 300 + 74 * 15
    for y in range(top, bottom + 1, 74):
        gray[y : y + 2, xs[0] : xs[-1] + 2] = 0
    for i, x in enumerate(xs):
        if i not in dashed:
            gray[top:bottom, x : x + 2] = 0
            continue
        y = top + int(rng.integers(0, 20))
        while y < bottom:
            n = int(rng.integers(5, 21))
            gray[y : min(y + n, bottom), x : x + 2] = 0
            y += n + int(rng.integers(10, 51))
    for y in range(top + 74 + 27, bottom, 74):
        for x in xs[:-1]:
            _word(gray, x + 30, y, 4)
    return gray, xs


def test_a_column_line_broken_into_dashes_by_the_threshold_is_found():
    """A thin column rule a light 1-bit threshold broke into dashes shorter than any character lost every
    piece to the opening that keeps long runs only: the grid of design county 3316's light 1-bit copy,
    01_cremation_longkou_2013 p6, was 3 columns wide for 15 drawn, and p2 lost the line between the
    address and the death date (their fields under one column). Its dashes lie at one x down the whole
    table, paper on both sides: a column line."""
    gray, xs = _dashed_register(dashed=(2, 3, 5))
    _rows, cols = ruling_lines(gray, (xs[0], 300, xs[-1] + 2, 300 + 74 * 15 + 2), None)
    assert len(cols) == len(xs)
    assert all(any(abs(c - x) <= 3 for c in cols) for x in xs)


def test_a_typed_row_numbers_leading_one_is_no_dashed_column_line():
    """A typed row number's leading 1 (a plumb stroke at one x in every row) and a column of typed dates
    stand in every row at one x, but the rest of the number or date stands beside them: no column line
    (the design typed copy's 序号 column, 04_sea_burial_haiyang_2013 p3, took one before the flank was
    widened to the next character)."""
    gray, xs = _dashed_register(dashed=())
    for y in range(300 + 74 + 25, 300 + 74 * 15, 74):
        gray[y : y + 22, xs[0] + 30 : xs[0] + 32] = 0  # the "1"
        _word(gray, xs[0] + 40, y + 1, 2, pitch=12)  # "13", its first digit 8 px to the right
    _rows, cols = ruling_lines(gray, (xs[0], 300, xs[-1] + 2, 300 + 74 * 15 + 2), None)
    assert len(cols) == len(xs)


BAYER4 = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32)
BAYER8 = np.block([[4 * BAYER4 + k for k in row] for row in ((0, 2), (3, 1))])
"""Bayer's 8 x 8 ordered-dither matrix (Bayer 1973), built from the 4 x 4 one as he defined it."""


def _tinted_register() -> np.ndarray:
    """A grey scan of a ruled register, 200 dpi: tinted paper (level 215, grain of 8 levels), 12 rows and 7
    columns ruled 2 px, words 20 px high written in the rows, their edges grey as a scanner's optics draw them."""
    rng = np.random.default_rng(7)
    gray = np.full((1654, 2339), 215.0, np.float32)
    rows = list(range(300, 1300, 80))
    for y in rows:
        gray[y : y + 2, 120:2210] = 40
    for x in (120, 420, 720, 1020, 1320, 1620, 1920, 2208):
        gray[rows[0] : rows[-1] + 2, x : x + 2] = 40
    for y in rows[:-1]:
        for x in COLS[:-1]:
            for k in range(4):
                gray[y + 30 : y + 50, x + k * 25 : x + k * 25 + 3] = 40
                gray[y + 30 : y + 33, x + k * 25 : x + k * 25 + 20] = 40
    gray = cv2.GaussianBlur(gray, (0, 0), 0.8) + rng.normal(0, 8, gray.shape).astype(np.float32)
    return np.clip(gray, 0, 255).astype(np.uint8)


def _dithered(gray: np.ndarray, how: str) -> np.ndarray:
    """`gray` made 1-bit by a scanner's halftone: Bayer's ordered matrix or Floyd-Steinberg's diffusion."""
    if how == "ordered":
        h, w = gray.shape
        m = np.tile((BAYER8 + 0.5) / 64 * 255, (h // 8 + 1, w // 8 + 1))[:h, :w]
        return np.where(gray > m, 255, 0).astype(np.uint8)
    from PIL import Image

    return np.asarray(Image.fromarray(gray).convert("1", dither=Image.Dither.FLOYDSTEINBERG)).astype(np.uint8) * 255


def test_a_dithered_1bit_page_is_told_from_a_thresholded_one():
    """A 1-bit scanner's halftone setting draws the paper's tint as a field of lone dots: an ordered (Bayer)
    dither's in a lattice of its matrix's period, error diffusion's without one; a threshold draws it as paper."""
    from pipeline.page.cleanup import halftone

    gray = _tinted_register()
    ordered, diffused = _dithered(gray, "ordered"), _dithered(gray, "diffusion")
    assert is_bilevel(ordered) and is_bilevel(diffused)
    found = halftone(ordered)
    assert found is not None and found["dither"] == "ordered" and found["period_px"] == 8
    found = halftone(diffused)
    assert found is not None and found["dither"] == "diffusion" and found["period_px"] is None
    _t, otsu = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    assert halftone(otsu) is None
    specked = otsu.copy()  # scanner noise: a few hundred lone dots on a thresholded page is no halftone
    rng = np.random.default_rng(3)
    specked[rng.integers(0, 1654, 500), rng.integers(0, 2339, 500)] = 0
    assert halftone(specked) is None


def test_a_dithered_page_is_read_as_grey_its_grid_found_and_held_as_low_resolution():
    """An ordered dither's lattice of dots gave the grid false rules, and no page of a Bayer-dithered copy of
    design county 01 (s42 ord1) was read. A dithered page is made grey again (cleanup.descreen) and takes the
    grey path, its ruled grid found as on the grey scan, and it is told as a low-resolution capture (its
    records held for review); a thresholded page stays a 1-bit scan."""
    from pipeline.kernel.thresholds import LOW_RESOLUTION, SCAN
    from pipeline.page.layout import find_grid_or_text
    from pipeline.page.routing import capture_kind

    gray = _tinted_register()
    for how in ("ordered", "diffusion"):
        clean = clean_page(cv2.cvtColor(_dithered(gray, how), cv2.COLOR_GRAY2BGR))
        steps = {st.name: st for st in clean.steps}
        assert steps["descreen"].result["dither"] == how
        assert steps["denoise"].settings["method"] == "median"  # the grey path, not the 1-bit one
        grid = find_grid_or_text(clean.image, clean.table_box, clean.ruling)
        assert (grid.n_rows, grid.n_cols) == (12, 7)  # 13 row lines, 8 column lines
        assert capture_kind([st.to_dict() for st in clean.steps]) == LOW_RESOLUTION
    _t, otsu = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    clean = clean_page(cv2.cvtColor(otsu, cv2.COLOR_GRAY2BGR))
    assert "descreen" not in {st.name for st in clean.steps}
    assert capture_kind([st.to_dict() for st in clean.steps]) == SCAN


def test_a_dithered_page_without_a_table_is_told_to_be_scanned_without_the_halftone():
    """A 1-bit page the cleanup told dithered and made grey again (its descreen step) that still gave no table,
    or only rows from its text whose header names no kind, tells the archivist to turn the scanner's halftone
    off (or scan in grey), in Chinese first; a dithered page whose ruled header names no kind is still a register
    kind unknown, and a thresholded 1-bit page keeps its own advice."""
    dithered = [
        Step("descreen", {"method": "box", "period_px": 8}, {"dither": "ordered", "period_px": 8}),
        Step("denoise", {"method": "median", "ksize": 3}),
    ]
    assert page_reason("no_table", dithered) == "dithered_no_table"
    assert page_reason("no_table", [st.to_dict() for st in dithered]) == "dithered_no_table"
    assert page_reason("unknown_ledger", dithered, unruled=True) == "dithered_no_table"
    assert page_reason("unknown_ledger", dithered) == "unknown_ledger"
    zh, en = REASONS["dithered_no_table"]
    assert "半色调" in zh and "灰度" in zh and "halftone" in en
    assert "dithered_no_table" in ADVISED
    thresholded = [
        Step("border_removal", {"dark_below": 70}, {"pixels_removed": 360953}),
        Step("denoise", {"method": "bilevel_specks", "max_pixels": 2}, {"specks": 2988}),
    ]
    assert page_reason("no_table", thresholded) == "bilevel_no_table"


def _broken_register(seed: int = 5) -> tuple[np.ndarray, list[int], list[int]]:
    """A white 1-bit page as a dark 1-bit scan of a lightly ruled register comes out (design county 3316
    04_sea_burial p3, bench/stress_scans.py --mode bilevel --threshold=0.3,0.5 --gain 0.5,0.8 --seed 4523):
    the table's frame whole; every row line inside it, the header's line too, in dashes of 15-25 px with
    gaps of 15-25 px; two column lines in dashes of 10-30 px with gaps of 35-70 px, the other five lost
    whole. A header row and eleven entries written in the cells. The y of the row lines, the x of the
    column lines."""
    rng = np.random.default_rng(seed)
    gray = np.full((1654, 2339), 255, np.uint8)
    xs = [150 + 250 * i for i in range(9)]
    ys = [300 + 80 * i for i in range(13)]
    top, bottom = ys[0], ys[-1]
    for y in (top, bottom):
        gray[y : y + 2, xs[0] : xs[-1] + 2] = 0
    for x in (xs[0], xs[-1]):
        gray[top : bottom + 2, x : x + 2] = 0
    for y in ys[1:-1]:
        x = xs[0] + int(rng.integers(0, 20))
        while x < xs[-1]:
            n = int(rng.integers(15, 26))
            gray[y : y + 2, x : min(x + n, xs[-1])] = 0
            x += n + int(rng.integers(15, 26))
    for x in (xs[1], xs[2]):
        y = top + int(rng.integers(0, 20))
        while y < bottom:
            n = int(rng.integers(10, 31))
            gray[y : min(y + n, bottom), x : x + 2] = 0
            y += n + int(rng.integers(35, 71))
    for y in ys[:-1]:
        for x in xs[:-1]:
            _word(gray, x + 30, y + 30, 4)
    return gray, ys, xs


def test_a_register_whose_rules_a_dark_threshold_broke_keeps_its_rows_and_columns():
    """A light ruling scanned 1-bit at a dark setting: its row lines (the header's among them) in dashes,
    its column lines in sparser dashes or lost whole. The text grid that read the page before took the
    first entry for the header row where the header's line was lost (every record a row down) and lost
    columns; the dashed row lines are the table's rows, and the columns the threshold lost are put back
    where the entries' text stands apart row under row, the page told as partly ruled (its records held)."""
    gray, ys, xs = _broken_register()
    grid = find_grid_or_text(gray)
    assert len(grid.rows) == len(ys)
    assert all(abs(r - y) <= 4 for r, y in zip(grid.rows, ys))
    assert grid.n_cols == len(xs) - 1
    assert all(abs(c - x) <= 70 for c, x in zip(grid.cols, xs))
    assert grid.source == "ruling+text"  # its columns partly from the text: the page in doubt, its records held


def test_a_scan_borders_grey_rim_is_painted_with_it():
    """A scan's black border turned by the deskew has a grey rim, lighter than the border test; left on the
    page it stood as a thin straight line along the paper's edge, which the dashed-line test took for a
    column line. The rim goes with the border: no ink is left where the border was."""
    gray = np.full((1654, 2339), 255, np.uint8)
    gray[:, :16] = 0
    gray[:, 16:18] = 170  # the rim, lighter than the border test
    gray[:, 2320:] = 0
    gray[:, 2318:2320] = 150
    out, _step = remove_scan_borders(gray, CleanupSettings().border_dark, BORDER_RIM_PX)  # as on a 1-bit scan
    assert int(out[:, :40].min()) > 200
    assert int(out[:, 2290:].min()) > 200


def test_one_row_line_broken_on_a_ruled_page_adds_no_columns_from_the_text():
    """A ruled register whose every line was found whole but one row line, broken where a photograph's
    shadow edge crossed it (design phone copy of typed 4571 02_sea_burial p1: 1 of 15 row lines found only
    as dashes): no threshold broke its ruling, so no column rule was lost with it. Its sea-area column,
    written in two words row under row, stays one column; the text added three column lines inside it (and
    its address-like cells were lost to columns with no field). The grid is the ruling's, not in doubt."""
    gray = np.full((1654, 2339), 255, np.uint8)
    xs = [150 + 300 * i for i in range(8)]
    ys = [300 + 80 * i for i in range(13)]
    for y in ys:
        if y == ys[4]:  # the one row line broken into dashes
            x = xs[0]
            while x < xs[-1]:
                gray[y : y + 2, x : min(x + 20, xs[-1])] = 0
                x += 40
        else:
            gray[y : y + 2, xs[0] : xs[-1] + 2] = 0
    for x in xs:
        gray[ys[0] : ys[-1] + 2, x : x + 2] = 0
    for y in ys[:-1]:
        for x in xs[:-1]:
            _word(gray, x + 20, y + 30, 3)  # two words in every cell, apart as one column's words stand
            _word(gray, x + 180, y + 30, 3)
    grid = find_grid_or_text(gray)
    assert grid.source == "ruling"
    assert grid.n_cols == len(xs) - 1
    assert len(grid.rows) == len(ys)
