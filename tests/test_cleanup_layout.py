"""Cleanup and layout on generated degraded pages: the grid found must be the grid drawn."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.kernel.errors import NoTableError
from pipeline.kernel.models import OcrPiece
from pipeline.page.cleanup import clean_page
from pipeline.page.layout import Grid, assign_pieces, find_grid, reading_order, text_line_bands
from samples.generator import render_page


def _bgr(img) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(img.convert("RGB"))[:, :, ::-1])


@pytest.mark.parametrize("kind,seed,severity", [("cremation", 1, 1.0), ("sea_burial", 2, 1.0), ("cremation", 3, 1.6)])
def test_grid_of_a_degraded_page_matches_the_drawn_table(kind, seed, severity):
    img, gt = render_page(kind, seed=seed, severity=severity)
    bgr = _bgr(img)
    before = bgr.copy()
    clean = clean_page(bgr)
    assert np.array_equal(bgr, before), "cleanup must not modify its input"
    assert [s.name for s in clean.steps] == [
        "capture",
        "deskew",
        "stamp_suppression",
        "border_removal",
        "illumination",
        "denoise",
        "rectify",
        "seal_rings",
    ]
    # a flat scan is no photograph: left as it came
    assert not clean.steps[0].result.get("warped") and clean.steps[0].result.get("upsample", 1.0) == 1.0
    # the page turned level by its lines' tilt, the rest by the table's rectification
    skew = (clean.steps[1].result["skew_deg"] if clean.steps[1].result["rotated"] else 0.0) + next(
        s for s in clean.steps if s.name == "rectify"
    ).result["skew_deg"]
    assert abs(skew - gt["degradation"]["rotation_deg"]) < 1.0 or abs(skew + gt["degradation"]["rotation_deg"]) < 1.0
    grid = find_grid(clean.image, clean.table_box)
    assert grid.n_cols == len(gt["grid"]["x"]) - 1
    assert grid.n_rows == len(gt["grid"]["y"]) - 1
    # after rectification the ruling lines are evenly spaced like the drawn ones (scale may differ)
    drawn = np.diff(gt["grid"]["x"]) / (gt["grid"]["x"][-1] - gt["grid"]["x"][0])
    found = np.diff(grid.cols) / (grid.cols[-1] - grid.cols[0])
    assert np.abs(drawn - found).max() < 0.01


def test_a_page_without_a_table_is_reported_not_dropped():
    page = np.full((1200, 1600), 250, np.uint8)
    page[100:140, 200:1400] = 30  # a thick bar of "text", no ruled table
    with pytest.raises(NoTableError):
        find_grid(page, None)


def _p(text, box):
    return OcrPiece(text, 0.9, box, "test")


def test_pieces_go_to_their_cell_and_crossing_pieces_are_flagged():
    grid = Grid(rows=(100, 150, 200, 250), cols=(0, 100, 300, 400))
    a = assign_pieces(
        [
            _p("title", (50, 20, 350, 60)),
            _p("header", (10, 110, 90, 140)),
            _p("芝罘区", (110, 160, 200, 190)),
            _p("幸福街道", (110, 205, 220, 245)),
            _p("merged", (60, 160, 200, 190)),  # over the line between column 0 and 1
            _p("touch", (98, 212, 180, 240)),  # touches the line by 2 px: fine
        ],
        grid,
    )
    assert [p.text for p in a.above] == ["title"]
    assert [p.text for p in a.cells[(0, 0)]] == ["header"]
    assert [p.text for p in a.cells[(1, 1)]] == ["芝罘区"]
    assert {p.text for p in a.cells[(2, 1)]} == {"幸福街道", "touch"}
    assert a.straddling == {(1, 0), (1, 1)}


def test_multi_line_cells_read_top_to_bottom_then_left_to_right():
    ps = [_p("b", (60, 10, 90, 30)), _p("c", (0, 40, 50, 60)), _p("a", (0, 12, 50, 31))]
    assert "".join(p.text for p in reading_order(ps)) == "abc"


def test_text_line_bands_split_a_wrapped_cell():
    crop = np.full((90, 300), 250, np.uint8)
    for x in range(20, 280, 28):  # first line: character-sized blobs
        crop[10:35, x : x + 20] = 20
    for x in range(20, 200, 28):  # second line
        crop[50:75, x : x + 20] = 20
    crop[85:86, 150:152] = 20  # a speck
    bands = text_line_bands(crop)
    assert len(bands) == 2
    assert bands[0][0] <= 10 and 35 <= bands[0][1] <= bands[1][0] <= 50 and bands[1][1] >= 75
    assert text_line_bands(np.full((60, 100), 250, np.uint8)) == []


def test_a_line_of_dense_bold_digits_is_one_band_and_a_ruling_remnant_is_not_text():
    """Bold serif digits cover over 80 % of some rows of an ID cell; those rows were once taken
    for a ruling remnant and blanked, which cut the line in two (an 18-digit ID read as two
    half-height strips of letters)."""
    crop = np.full((92, 246), 248, np.uint8)
    for x in range(4, 240, 13):  # 18 glyphs 11 px wide, 2 px apart: 85 % of the rows' width
        crop[36:76, x : x + 11] = 30
        crop[50:56, x + 3 : x + 8] = 248  # counters: the middle rows are dense anyway
    crop[2:4, :] = 40  # the ruling line above, cut into the crop
    assert text_line_bands(crop) == [(28, 84)]


def test_a_line_of_bold_print_blurred_into_long_runs_is_one_band_not_a_thick_ruling():
    """On a blurred photograph a header's bold glyphs (家属姓名) run together: a dozen consecutive rows
    are over 80 % ink in four runs, as a broken ruling line's row is. A ruling line is at most
    RULING_MAX_ROWS rows thick; those rows were blanked as one and the line read in pieces (11AA)."""
    crop = np.full((47, 89), 212, np.uint8)
    for x in (4, 25, 46, 67):  # four glyphs 19 px wide, 2 px apart: 85 % of the width
        crop[10:41, x + 6 : x + 13] = 60  # their strokes above and below
        crop[17:31, x : x + 19] = 60  # 14 rows where the blur joins each glyph into a block
    crop[0:2, :] = 60  # the ruling line above, cut into the crop: still no text
    assert text_line_bands(crop) == [(2, 47)]
    assert text_line_bands(crop, pad=0) == [(10, 41)]


def test_a_faint_speck_far_from_the_text_does_not_stretch_its_line():
    crop = np.full((93, 246), 248, np.uint8)
    for x in range(20, 230, 12):
        crop[47:67, x : x + 9] = 30
    crop[16:24, 100:104] = 60  # dust half a line and more above the text: left out
    crop[40:42, 60:63] = 60  # a dot right above the line: part of it
    assert text_line_bands(crop) == [(32, 75)]


def test_a_stamp_over_a_cell_does_not_make_the_whole_cell_one_text_line():
    """A stamp's thin arcs join a line of digits to the cell's top and bottom: the band is cut to
    the dense rows of the digits. Text whose own strokes lie apart (王 is three bars and a stem;
    a wrapped second line) keeps its band whole."""
    crop = np.full((100, 278), 248, np.uint8)
    for x in range(10, 270, 14):
        crop[50:72, x : x + 10] = 30
    for y in range(0, 100):  # an arc: two thin strokes through every row
        x = 120 + int(60 * np.sin(y / 30))
        crop[y, x : x + 2] = 150
        crop[y, x + 40 : x + 42] = 150
    ((b0, b1),) = text_line_bands(crop)
    assert 36 <= b0 <= 50 and 72 <= b1 <= 86

    wang = np.full((100, 120), 248, np.uint8)
    for y in (15, 48, 82):
        wang[y : y + 5, 20:100] = 30  # three bars
    wang[15:87, 57:62] = 30  # the stem
    ((b0, b1),) = text_line_bands(wang)
    assert b0 <= 15 and b1 >= 86


def test_a_faded_ruling_line_along_the_edge_of_a_blank_cell_is_no_text_line():
    """A faded ruling line broken into many short dashes (so no ruling row: under 80 % of the width)
    left along a cell crop's top edge was once a text line: the recognizer read it as nothing and the
    blank cell was held as 'ink but unread' (remarks cells of the fitting sets)."""
    blank = np.full((90, 135), 240, np.uint8)
    for x in range(0, 135, 9):
        blank[0:2, x : x + 5] = 170  # dashes: 56 % of the width, two rows
    assert text_line_bands(blank) == []
    bottom = np.flipud(blank).copy()
    assert text_line_bands(bottom) == []

    written = blank.copy()
    for x in range(15, 120, 26):
        written[40:62, x : x + 20] = 30
    ((b0, b1),) = text_line_bands(written)
    assert b0 >= 30 and b1 <= 72  # the line alone, not stretched up to the edge


def _table_leaning(lean: int) -> tuple[np.ndarray, list[int]]:
    """A ruled table 1 000 px tall: 11 row lines, 9 column lines, the inner ones leaning `lean` px each
    way over the table's height (a photograph's keystone left after rectification), the borders upright;
    the x of each column line at the table's middle."""
    img = np.full((1100, 1400), 235, np.uint8)
    top, bottom = 50, 1050
    xs = [50 + 160 * i for i in range(9)]
    for y in np.linspace(top, bottom, 11).astype(int):
        cv2.line(img, (xs[0], int(y)), (xs[-1], int(y)), 60, 2)
    for i, x in enumerate(xs):
        d = 0 if i in (0, len(xs) - 1) else lean
        cv2.line(img, (x - d, top), (x + d, bottom), 60, 2)
    return img, xs


def test_column_lines_leaning_a_few_pixels_are_found_as_upright_ones():
    """On a phone photograph the keystone left after the page is rectified leans the column lines by 13-17 px
    over the table (design phone copy 3380 county p1): each column of pixels holds a third of a line, and
    the grid found 7 of 14 columns. Counted over their slant (layout._leaning_lines) every line is found;
    an upright table's grid is the same as before."""
    upright, xs = _table_leaning(0)
    grid = find_grid(upright, (xs[0], 50, xs[-1], 1050))
    assert [abs(a - b) <= 3 for a, b in zip(grid.cols, xs)] == [True] * len(xs)
    leaning, xs = _table_leaning(7)
    grid = find_grid(leaning, (xs[0], 50, xs[-1], 1050))
    assert grid.n_cols == len(xs) - 1
    assert all(abs(a - b) <= 3 for a, b in zip(grid.cols, xs))


def _table_bowed(bow: int) -> tuple[np.ndarray, list[int]]:
    """A ruled table 1 000 px wide: a header row and 8 data rows, 7 column lines; the header's lower line
    and the first data row's bowed `bow` px and `bow` // 2 px (its middle lower than its ends: a bound page
    lifting at its top edge, photographed), the other lines level; the y of each row line at its ends."""
    img = np.full((1000, 1200), 235, np.uint8)
    left, right = 100, 1100
    ys = [100, 160] + [160 + 100 * i for i in range(1, 9)]
    xs = np.arange(left, right + 1, 10)
    for i, y in enumerate(ys):
        b = bow if i == 1 else bow // 2 if i == 2 else 0
        pts = np.stack([xs, y + b * (1 - ((xs - 600) / 500.0) ** 2)], axis=1).round().astype(np.int32)
        cv2.polylines(img, [pts], False, 60, 2)
    for x in np.linspace(left, right, 7).astype(int):
        cv2.line(img, (int(x), ys[0]), (int(x), ys[-1]), 60, 2)
    return img, ys


def test_row_lines_bowed_a_few_pixels_are_found_as_level_ones():
    """A photographed ledger's page lifts at its bound top edge, and its top row lines bow over the table's
    width (design phone copies ph3802 and s38 ph3878, county 03 p4: the header's lower line 168-187 px
    over the table, its ends 18 px above its middle): no row of pixels holds GRID_LINE_SPAN of such a line, the header row ran into the
    first data row and the page was lost as unknown_ledger. Counted over their bow (layout._bowed_lines)
    every line is found; a level table's grid is the same as before."""
    level, ys = _table_bowed(0)
    grid = find_grid(level, (100, ys[0], 1100, ys[-1]))
    assert [abs(a - b) <= 3 for a, b in zip(grid.rows, ys)] == [True] * len(ys)
    bowed, ys = _table_bowed(20)
    grid = find_grid(bowed, (100, ys[0], 1100, ys[-1]))
    assert grid.n_rows == len(ys) - 1
    assert ys[1] <= grid.rows[1] <= ys[1] + 20
    assert not grid.inferred_rows


def test_the_rows_beside_a_bowed_row_line_are_doubted_and_the_reviewer_told_why():
    """A line found only over its bow may cut its cells a few pixels off where it bows furthest (and a level
    band of blurred writing could pass for it): the rows on either side are doubted (layout.bowed_line_rows,
    structure.BOWED_LINE), the doubt kept with the stored grid, and the reviewer told why in Chinese first;
    a level table's rows are not doubted."""
    from pipeline.page.layout import bowed_line_rows
    from pipeline.page.structure import BOWED_LINE, row_flag
    from pipeline.review.queue import record_reason
    from review_app.i18n import t

    level, ys = _table_bowed(0)
    assert bowed_line_rows(find_grid(level, (100, ys[0], 1100, ys[-1]))) == []
    bowed, ys = _table_bowed(20)
    grid = find_grid(bowed, (100, ys[0], 1100, ys[-1]))
    assert bowed_line_rows(grid) == [1]  # the header's lower line: the first data row under it (the line under
    assert bowed_line_rows(Grid.from_dict(grid.to_dict())) == [1]  # that row bows 10 px: found level, no doubt)
    assert row_flag(BOWED_LINE) == "row_line_bowed"
    code, params = record_reason(f"row: {BOWED_LINE}")
    assert code == "bowed_line" and "弯" in t(f"record.{code}", "zh", **params)


def test_a_faded_tables_outer_line_beside_a_scan_border_is_kept():
    """A grey scan (a faded register) whose table runs to the scanner's black border: the table's right
    line, printed light (lighter than the border test), stands right beside the border. The border goes,
    the table's line stays: the grid keeps its last column (session 46: the border's rim painted on every
    page took the line with it, and the column beside it was lost)."""
    gray = np.full((1654, 2339), 232, np.uint8)
    gray[:, 2302:] = 18  # the scanner's lid beyond the sheet, touching the image's right edge
    xs = (150, 450, 750, 1050, 1350, 1650, 1950, 2300)
    ys = tuple(300 + 80 * i for i in range(13))
    for x in xs:  # the ruling, faded to a light grey (2 px)
        gray[ys[0] : ys[-1] + 2, x : x + 2] = 140
    for y in ys:
        gray[y : y + 2, xs[0] : xs[-1] + 2] = 140
    for y in ys[:-1]:  # a word in every cell, the header row's too
        for x in xs[:-1]:
            for k in range(4):
                gray[y + 30 : y + 50, x + 40 + 30 * k : x + 60 + 30 * k] = 90
    clean = clean_page(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
    assert int(clean.image[:, 2310:].min()) > 200  # the border is gone
    grid = find_grid(clean.image, clean.table_box, clean.ruling)
    assert grid.n_cols == len(xs) - 1
    assert abs(grid.cols[-1] - xs[-1]) <= 3
