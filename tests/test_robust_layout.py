"""Rulings of any colour and state, stamps told from ruling by shape, pages without ruling read from
their text's alignment, missing ruling lines, faint ink (issue 21). Real images: generated register
pages changed as real books differ (tests/robust_pages.py)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from robust_pages import dotted_page, page

from pipeline.kernel.errors import NoTableError
from pipeline.page.cleanup import clean_page, ruling_mask, suppress_stamps
from pipeline.page.layout import cell_inner, column_gap, faint_ink, find_grid, find_grid_or_text, grid_from_text, text_line_bands

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _same_grid(grid, gt, tol=0.01):
    assert grid.n_cols == len(gt["grid"]["x"]) - 1 and grid.n_rows == len(gt["grid"]["y"]) - 1
    drawn = np.diff(gt["grid"]["x"]) / (gt["grid"]["x"][-1] - gt["grid"]["x"][0])
    found = np.diff(grid.cols) / (grid.cols[-1] - grid.cols[0])
    assert np.abs(drawn - found).max() < tol


@pytest.mark.parametrize(
    "rgb",
    [(200, 40, 40), (40, 140, 60), (50, 70, 200), (235, 160, 160), (150, 190, 160)],
    ids=["red", "green", "blue", "faded-red", "faded-green"],
)
def test_a_register_ruled_in_any_colour_keeps_its_grid(rgb):
    """Printed register books are often ruled in red or green: stamp removal painted red to paper and
    the table was lost ("0 horizontal and 0 vertical lines")."""
    bgr, gt = page(seed=11, ruling_rgb=rgb, header_rgb=rgb, stamp_at=(1000, 800))
    clean = clean_page(bgr)
    assert clean.table_box is not None
    _same_grid(find_grid(clean.image, clean.table_box), gt)
    st = next(s for s in clean.steps if s.name == "stamp_suppression").result
    assert st["ruling_pixels"] > 100_000 and st["stamps"] == 1


def test_a_stamp_is_told_from_ruling_and_red_print_by_shape():
    bgr, gt = page(seed=12, ruling_rgb=(200, 40, 40), header_rgb=(200, 40, 40), stamp_at=(1200, 900), tilt_deg=0)
    gray, st, _area = suppress_stamps(bgr, 40)
    ys, xs = gt["grid"]["y"], gt["grid"]["x"]
    # the stamp's ring (radius 160 around its centre), away from the ruling lines, is paper now
    ring = [(1200 + int(160 * np.cos(a)), 900 + int(160 * np.sin(a))) for a in np.linspace(0, 2 * np.pi, 60)]
    on_lines = lambda x, y: min(abs(x - v) for v in xs) < 6 or min(abs(y - v) for v in ys) < 6  # noqa: E731
    off = [(x, y) for x, y in ring if not on_lines(x, y)]
    assert np.median([gray[y - 2 : y + 3, x - 2 : x + 3].min() for x, y in off]) > 200
    # the ruling under and beside the stamp stays dark, and so does the red header text
    y = ys[5]
    assert gray[y - 2 : y + 3, 1100:1300].min(axis=0).max() < 140
    header = gray[ys[0] + 6 : ys[1] - 5, xs[1] + 6 : xs[2] - 5]
    assert (header < 150).sum() > 150
    mask = ruling_mask(bgr)
    assert mask[ys[3], xs[0] + 50 : xs[-1] - 50].mean() > 0.95  # a whole horizontal line
    assert not mask[900, 1200]  # the stamp's star is no ruling


def test_a_page_without_ruling_is_read_from_its_text_alignment():
    bgr, gt = page(seed=13, erase_all=True)
    clean = clean_page(bgr)
    grid = find_grid_or_text(clean.image, clean.table_box)
    assert grid.source == "text"
    assert grid.n_rows == len(gt["rows"]) + 1  # the header and every written row (empty ruled rows hold no text)
    # columns whose texts touch in some rows (a jittered hand) may be read as one: the page is doubted
    # whole for that reason (pipeline.page.extract.GRID_DOUBTS)
    assert grid.n_cols >= 0.75 * len(gt["columns"])
    # the drawn centre of each written row falls in its own row of the grid
    ys = gt["grid"]["y"]
    centres = [(ys[i] + ys[i + 1]) / 2 for i in range(len(gt["rows"]) + 1)]
    rows = [int(np.searchsorted(grid.rows, c)) for c in centres]
    assert rows == sorted(set(rows))


def test_a_page_with_only_its_horizontal_lines_keeps_them_and_takes_columns_from_the_text():
    bgr, gt = page(seed=14, drop_cols=range(1, 15))
    clean = clean_page(bgr)
    grid = find_grid_or_text(clean.image, clean.table_box)
    assert grid.source == "ruling+text"
    assert grid.n_rows == len(gt["grid"]["y"]) - 1


def test_a_letter_and_a_blank_page_are_reported_with_the_true_reason():
    for name, why in (("letter.jpg", "does not stand in rows and columns"), ("blank_page.jpg", "no text on the page")):
        clean = clean_page(cv2.imread(str(SAMPLES / "invalid" / name)))
        with pytest.raises(NoTableError, match=why):
            find_grid_or_text(clean.image, clean.table_box)
    assert grid_from_text(np.full((800, 1200), 250, np.uint8)) is None


def test_a_missing_vertical_line_is_found_at_the_gap_between_its_columns_texts():
    bgr, gt = page(seed=15, drop_cols=(1,), tilt_deg=0)
    clean = clean_page(bgr)
    grid = find_grid(clean.image, clean.table_box)
    assert grid.n_cols == len(gt["grid"]["x"]) - 2  # 序号 and 火化证号 read as one column
    x = column_gap(clean.image, grid, 0)
    xs = gt["grid"]["x"]
    scale = (grid.cols[-1] - grid.cols[0]) / (xs[-1] - xs[0])
    drawn = grid.cols[0] + (xs[1] - xs[0]) * scale
    assert x is not None and abs(x - drawn) < 0.5 * (xs[1] - xs[0]) * scale
    assert column_gap(clean.image, grid, 4) is None  # the ID column: digits across it in every row


def test_faint_pen_strokes_are_not_a_sure_blank():
    """A cell whose ink is 30 levels below the paper escapes the text-line test (45 levels): the
    stricter test sees it; truly blank cells (the remarks column, the empty rows) stay blank."""
    bgr, gt = page(seed=16, faint_cells=[(2, 2), (3, 5), (4, 6)], faint_contrast=30, tilt_deg=0)
    clean = clean_page(bgr)
    grid = find_grid(clean.image, clean.table_box)
    for r, c in [(2, 2), (3, 5), (4, 6)]:
        inner = cell_inner(clean.image, grid.cell_box(r, c))
        assert faint_ink(inner) > 0, (r, c)
    blank = [
        (r, c)
        for r in range(1, grid.n_rows)
        for c in range(grid.n_cols)
        if r > len(gt["rows"]) or not gt["rows"][r - 1]["cells"][c]
    ]
    assert len(blank) > 10
    for r, c in blank:
        inner = cell_inner(clean.image, grid.cell_box(r, c))
        assert not text_line_bands(inner) and faint_ink(inner) == 0, (r, c)


def test_faint_pen_strokes_reach_the_recognizer_as_they_are():
    """A faint cell's lines are found on it stretched but cut from it as it is (extract.FAINT_READ_AS_IS):
    the recognizer reads a compressed range as well as a full one, and the stretch clips paper and ink
    (bench/results/contrast-2026-12-03-s13.md). Before: the crop was the stretched cell, its ink black."""
    from pipeline.page.extract import line_crops

    bgr, _gt = page(seed=16, faint_cells=[(2, 2), (3, 5), (4, 6)], faint_contrast=30, tilt_deg=0)
    clean = clean_page(bgr)
    grid = find_grid(clean.image, clean.table_box)
    cells = [(2, 2), (3, 5), (4, 6)]
    crops, owners, faint = line_crops(clean.image, grid, cells)
    assert faint == set(cells) and set(owners) == set(cells)
    for crop, (r, c) in zip(crops, owners):
        inner = cell_inner(clean.image, grid.cell_box(r, c))
        assert float(np.median(crop)) - float(np.percentile(crop, 1)) < 45, (r, c)  # still faint, not stretched
        found = [y for y in range(inner.shape[0] - crop.shape[0] + 1) if np.array_equal(inner[y : y + crop.shape[0]], crop)]
        assert found, (r, c)  # a band of the cell as it is


def test_a_row_struck_through_is_found_whatever_the_strike_and_no_other_row_is():
    """A wrong entry crossed out by pen (one line, two lines, a cross of two near-horizontal
    diagonals): the lines inside the row are no row boundaries, and the row is marked struck."""
    bgr, gt = page(seed=17, strike_rows=[(3, "line"), (6, "double"), (9, "cross")])
    clean = clean_page(bgr)
    grid = find_grid_or_text(clean.image, clean.table_box, clean.ruling)
    assert grid.n_rows == len(gt["grid"]["y"]) - 1
    assert grid.struck_rows == (3, 6, 9)
    plain, _gt = page(seed=17)
    clean = clean_page(plain)
    assert find_grid_or_text(clean.image, clean.table_box, clean.ruling).struck_rows == ()


def _family_page(family: str, kind: str, seed: int, year: int) -> tuple[np.ndarray, dict]:
    from samples.generator import render_page

    img, gt = render_page(kind, seed=seed, family=family, orientation=0, year=year, register_page=1)
    return np.ascontiguousarray(np.asarray(img.convert("RGB"))[:, :, ::-1]), gt


@pytest.mark.parametrize(
    "family,kind,seed,year",
    [
        ("red_book", "cremation", 1, 2012),  # green: a corner of the hull pulled off (a stamp, a gap): sides fitted
        ("red_book", "cremation", 3, 2012),  # blue ruling, thin, the page tilted 1.3 degrees
        ("bilevel_print", "sea_burial", 1, 2015),  # 1-bit: thin lines broken by the threshold
        ("faded_carbon", "cremation", 1, 2012),  # faded purple, broken, long stretches missing
    ],
)
def test_a_family_page_in_a_hard_ruling_state_gives_its_drawn_grid(family, kind, seed, year):
    """Pages of the variation families (samples/families.py) whose table was lost or read partly:
    found whole once the page is turned level, a 1-bit page is not median-filtered, and the ruling
    lines whole (gaps bridged) reach the table's corners and the grid."""
    bgr, gt = _family_page(family, kind, seed, year)
    clean = clean_page(bgr)
    assert clean.table_box is not None
    grid = find_grid_or_text(clean.image, clean.table_box, clean.ruling)
    assert grid.source == "ruling"
    assert (grid.n_rows, grid.n_cols) == (len(gt["grid"]["y"]) - 1, len(gt["column_names"]))


def test_a_page_is_turned_level_by_its_lines_and_a_bilevel_page_keeps_its_thin_strokes():
    from pipeline.page.cleanup import denoise, estimate_skew, is_bilevel

    bgr, _gt = page(seed=18, tilt_deg=2.0)
    assert abs(abs(estimate_skew(bgr)) - 2.0) < 0.3
    # a 1-bit page: strokes one pixel thin survive the noise removal; isolated dots do not
    bi = np.full((200, 300), 255, np.uint8)
    bi[50, 20:280] = 0  # a one-pixel ruling line
    bi[80:140, 100] = 0  # a one-pixel stroke
    bi[170, 150] = 0  # a dot of scanner noise
    assert is_bilevel(bi)
    out, st = denoise(bi, 0.0)
    assert st.settings["method"] == "bilevel_specks"
    assert (out[50, 20:280] == 0).all() and (out[80:140, 100] == 0).all() and out[170, 150] == 255


def test_a_seal_stamped_across_a_missing_line_does_not_close_the_gap_between_its_columns_texts():
    """A seal stamped over a page across two printed columns whose ruling line is missing (死亡时间 |
    死亡原因 under one header cell): its ring and star cross the gap the two columns' texts leave in the
    rows it covers, more than SPLIT_CROSSING of them, so the column could not be split and both
    printed columns were read as one. The seal's disc (CleanPage.seals) is left out: the gap the other
    rows leave is found (seed3305 typed_sheets 03_cremation_haiyang_2016, 14 of 15 columns read)."""
    from pipeline.page.layout import Grid

    gray = np.full((620, 330), 235, np.uint8)
    rows = tuple(range(10, 611, 60))
    for y in rows[1:-1]:
        gray[y + 20 : y + 40, 30:150] = 30  # a date
        gray[y + 20 : y + 40, 200:280] = 30  # a cause of death
    seal = np.zeros(gray.shape, np.uint8)
    cv2.circle(gray, (175, 330), 110, 60, 4)  # the seal's ring and its star
    cv2.circle(gray, (175, 330), 18, 60, -1)
    cv2.circle(seal, (175, 330), 114, 1, -1)
    grid = Grid(rows, (10, 310))
    assert column_gap(gray, grid, 0, near=0.5) is None  # the ring and star cross the gap in 3 of 9 rows
    x = column_gap(gray, grid, 0, near=0.5, seals=seal.astype(bool))
    assert x is not None and 150 < x < 200


def test_a_struck_row_and_the_specks_of_stained_paper_do_not_close_the_gap_between_two_columns_texts():
    """Two printed columns under one header cell (身份证号码火化证编号: a ruling line missing). The line
    drawn through a voided entry runs across both their cells, and the specks of stained or grainy paper
    fall in the gap in a few rows: together more than SPLIT_CROSSING of the rows, so the column was not
    split and both columns were lost (design family typed_sheets at severity 1.8, seed 3313). The struck
    row (grid.struck_rows) and specks (stroke_ink) are no writing: the gap the texts leave is found."""
    from pipeline.page.layout import Grid

    gray = np.full((620, 330), 235, np.uint8)
    rows = tuple(range(10, 611, 60))
    for y in rows[1:-1]:
        gray[y + 20 : y + 40, 30:150] = 30  # an ID
        gray[y + 20 : y + 40, 200:280] = 30  # a certificate number
    struck = 4
    cv2.line(gray, (20, rows[struck] + 45), (300, rows[struck] + 15), 40, 3)  # the entry voided, by hand
    marked = Grid(rows, (10, 310), struck_rows=(struck,))
    assert column_gap(gray, Grid(rows, (10, 310)), 0, near=0.5) is None  # the strike crosses the gap
    x = column_gap(gray, marked, 0, near=0.5)
    assert x is not None and 150 < x < 200
    for k in range(13):  # specks of stain, 2 px each, strewn over the gap's rows every 4 px
        y = rows[1 + k % 8] + 50
        gray[y : y + 2, 150 + 4 * k : 152 + 4 * k] = 60
    x = column_gap(gray, marked, 0, near=0.5)
    assert x is not None and 150 < x < 200


def _faded_column(fade: float, second: str | None = None) -> tuple[np.ndarray, object]:
    """Ten rows of an 18-digit ID written in dark ink (and `second` beside it, a printed column's value
    past a missing ruling line), blurred as a scan blurs strokes, then faded toward the paper by `fade`
    (bench/stress_scans.py's faded mode, on the cell: a carbon copy's writing under a dark printed form)."""
    from pipeline.page.layout import Grid

    gray = np.full((620, 560), 235, np.uint8)
    rows = tuple(range(10, 611, 60))
    for y in rows[1:-1]:
        cv2.putText(gray, "370684194710317179", (20, y + 42), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2, cv2.LINE_AA)
        if second:
            cv2.putText(gray, second, (400, y + 42), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2, cv2.LINE_AA)
    blurred = cv2.GaussianBlur(gray, (0, 0), 1.2).astype(np.float32)
    return np.clip(blurred + fade * (235 - blurred), 0, 255).astype(np.uint8), Grid(rows, (10, 550))


@pytest.mark.parametrize("fade", [0.0, 0.6, 0.7, 0.75])
def test_a_faded_id_column_is_not_split_at_the_gaps_between_its_digits_cores(fade):
    """An ID column whose header read as a wording beside other words (居民 | 身份证号码) is split only where
    its rows' text leaves a gap. Faded writing (its darkest ink 45-90 levels under the paper) is ink at
    INK_CONTRAST only at its strokes' cores: the gaps between the cores of its digits read as the gap of a
    missing ruling line, and the ID was cut in two (faded copy of design county 3316: IDs 0 of 10 and 0 of 9
    right on two pages, a third page cut too). At half its depth (layout.cell_ink_contrast) each stroke is
    whole and the digits run across the column as they do in dark ink."""
    gray, grid = _faded_column(fade)
    assert column_gap(gray, grid, 0, near=0.5) is None


@pytest.mark.parametrize("fade", [0.0, 0.7])
def test_a_faded_column_is_still_split_where_a_ruling_line_is_missing(fade):
    """The half-depth ink test closes only the gaps inside a value: two printed columns' faded values
    under one header cell still leave the gap of their missing ruling line."""
    gray, grid = _faded_column(fade, second="2013001")
    x = column_gap(gray, grid, 0, near=0.7)
    assert x is not None and 330 < x < 400


def test_the_ink_test_of_a_cell_is_lowered_for_faint_ink_only():
    """cell_ink_contrast: INK_CONTRAST for dark ink and for a blank or grainy cell (no ink the fixed test
    sees: its grain's specks are no writing); half the depth of faint ink, never under FAINT_CONTRAST."""
    from pipeline.page.layout import FAINT_CONTRAST, INK_CONTRAST, cell_ink_contrast

    dark, _g = _faded_column(0.0)
    faint, _g = _faded_column(0.7)
    assert cell_ink_contrast(dark[73:127, 14:546]) == INK_CONTRAST
    depth = float(np.median(faint[73:127, 14:546]) - np.percentile(faint[73:127, 14:546], 1))
    assert INK_CONTRAST <= depth < 2 * INK_CONTRAST
    assert cell_ink_contrast(faint[73:127, 14:546]) == pytest.approx(max(FAINT_CONTRAST, depth / 2))
    grain = np.clip(np.random.default_rng(3).normal(230, 7, (54, 300)), 0, 255).astype(np.uint8)
    assert cell_ink_contrast(grain) == INK_CONTRAST


def test_rows_the_tables_box_cut_off_are_found_at_the_rows_pitch():
    """The cleanup's table box is the extent of the ruling joined as one piece: a faded stretch of the
    vertical lines cut the last rows off it, and the grid found in the box ended 4 rows before the table
    did (design family county_editions at severity 1.8, seed 3313: 11 of 15 rows). Lines below the box
    that go on at the rows' pitch are the table's; a paper's edge two rows further down is not."""
    from pipeline.page.layout import find_grid, rows_beyond_box

    gray = np.full((1654, 2339), 240, np.uint8)
    ys = list(range(200, 1500, 84))  # the header's line, then 15 rows at one pitch
    for y in ys:
        cv2.line(gray, (100, y), (2200, y), 90, 2)
    for x in range(100, 2201, 150):
        cv2.line(gray, (x, ys[0]), (x, ys[-1]), 90, 2)
    cv2.line(gray, (60, ys[-1] + 168), (2280, ys[-1] + 168), 90, 2)  # the paper's edge below the table
    box = (100, ys[0], 2200, ys[11])  # the piece the cleanup joined: the last rows cut off
    inside = find_grid(gray, box)
    assert len(inside.rows) == 12
    grid = rows_beyond_box(gray, inside, box)
    assert len(grid.rows) == len(ys) and all(abs(a - b) <= 3 for a, b in zip(grid.rows, ys))
    assert rows_beyond_box(gray, inside, None) == inside  # no box: the grid is the page's already


def test_rows_the_tables_box_cut_off_above_it_are_found_with_the_header():
    """A faded stretch of the vertical lines under the header cut the table's top off the cleanup's box
    (design county_editions seed 3316 faded 0.7: the box began two lines down and the first data row was
    read as the header). Lines above the box at the rows' pitch are the table's, and above them the
    header row's top at a header's height; a title's rule above the table, which the vertical lines do
    not reach, is not; and a table whose box was whole keeps its grid."""
    from pipeline.page.layout import find_grid, rows_beyond_box

    gray = np.full((1654, 2339), 240, np.uint8)
    ys = [220, 290, *range(410, 1500, 120)]  # the header row (70 px), then 9 data rows at one pitch
    for y in ys:
        cv2.line(gray, (50, y), (2200, y), 150, 2)
    for x in range(50, 2201, 215):
        cv2.line(gray, (x, ys[0]), (x, ys[-1]), 150, 2)
    cv2.line(gray, (300, 80), (1900, 80), 150, 2)  # a title's rule above the table
    gray[300:400, :] = 240  # the vertical lines broken under the first data row's line (faded)
    cv2.line(gray, (50, 290), (2200, 290), 150, 2)
    box = (50, 409, 2200, ys[-1])  # the piece the cleanup joined: the header and first row cut off
    inside = find_grid(gray, box)
    assert len(inside.rows) == len(ys) - 2
    grid = rows_beyond_box(gray, inside, box)
    assert len(grid.rows) == len(ys) and all(abs(a - b) <= 3 for a, b in zip(grid.rows, ys))
    whole = find_grid(gray, (50, 219, 2200, ys[-1]))
    assert rows_beyond_box(gray, whole, (50, 219, 2200, ys[-1])) == whole


def _faded_seal_page() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A ruled colour scan (paper tinted as old paper is) with a red seal faded to 60 % and blurred (a
    worn pad, the scanner's optics), black writing under it; returns the page, the seal's disc and the
    black ink (ruling and writing) as bool masks."""
    h, w = 1654, 2339
    black = np.zeros((h, w), np.uint8)
    for y in range(300, 1500, 110):
        cv2.line(black, (100, y), (2240, y), 1, 3)
    for x in range(100, 2300, 200):
        cv2.line(black, (x, 300), (x, 1400), 1, 3)
    cv2.putText(black, "1958", (1520, 960), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 1, 4)
    bgr = np.full((h, w, 3), (231, 241, 248), np.uint8)  # paper (BGR)
    bgr[black.astype(bool)] = (30, 30, 30)
    ink = np.zeros((h, w), np.uint8)
    cv2.circle(ink, (1600, 900), 150, 255, 9)
    cv2.putText(ink, "SEAL", (1470, 1000), cv2.FONT_HERSHEY_SIMPLEX, 3, 255, 8)
    share = cv2.GaussianBlur(ink, (0, 0), 2.5).astype(np.float32) / 255 * 0.6
    red = np.array((60, 50, 210), np.float32)
    out = bgr.astype(np.float32) * (1 - share[..., None]) + red * share[..., None]
    disc = np.zeros((h, w), np.uint8)
    cv2.circle(disc, (1600, 900), 165, 1, -1)
    return out.clip(0, 255).astype(np.uint8), disc.astype(bool), black.astype(bool)


def test_a_faded_seal_leaves_no_grey_ghost_of_its_ring_and_text():
    """A faded, blurred seal is red only at its strokes' cores: their edges (red excess 12-39) were left
    grey on the page, the ring's and the text's outlines, and read as extra records (design seed 3305,
    a seal over empty rows). All light reddish ink inside the stamp's outline is the stamp's
    (STAMP_FAINT_SHARE); the black writing and ruling under it stay."""
    bgr, disc, black = _faded_seal_page()
    gray, st, _area = suppress_stamps(bgr, 40)
    assert st.result["stamps"] == 1
    near_black = cv2.dilate(black.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    paper = int(np.median(gray))
    ghost = (gray < paper - 15) & disc & ~near_black
    assert ghost.sum() < 100  # 573 pixels of the ring's and text's edges before
    under = black & disc
    assert np.median(gray[under]) < 80  # the writing and ruling under the seal kept dark


def test_faded_writing_under_a_faded_seal_is_kept():
    """Faded grey writing (light enough to pass STAMP_MIN_GRAY) across a faded seal's ring is reddish
    where the two inks meet, but darker for its red than the seal's own ink (STAMP_HUE_SHARE): it stays.
    Taking all light reddish ink in the stamp's outline lost 4 % of it (and digits of dates under seals
    on the design pages of seed 3305)."""
    bgr, disc, _black = _faded_seal_page()
    grey = np.zeros(disc.shape, np.uint8)
    cv2.putText(grey, "2014/3/30", (1380, 790), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 1, 4)
    writing = grey.astype(bool)
    bgr[writing] = (bgr[writing].astype(np.float32) * 0.62).astype(np.uint8)  # grey ink over paper and seal
    gray, _st, _area = suppress_stamps(bgr, 40)
    assert (gray[writing & disc] < np.median(gray) - 40).mean() > 0.99


def test_a_long_edge_below_the_table_that_its_column_lines_do_not_reach_is_no_row():
    """Design family camera_capture seed 4406 (sea burial, page 3): the photograph's perspective warp left
    a brightness step (shaded paper against the fill beyond the frame) a row and a sixth below the
    table's bottom rule; the ruling finder took it for a line and the grid had a row more than drawn, its
    specks a record. A ruled table's column lines run from its top rule to its bottom rule: a line beyond
    their ends is none of its rows'. The table's own bottom rule (the column lines end on it) is kept."""
    gray = np.full((900, 1000), 245, np.uint8)
    rows, cols = list(range(100, 701, 60)), list(range(60, 941, 110))
    for y in rows:
        cv2.line(gray, (cols[0], y), (cols[-1], y), 30, 2)
    for x in cols:
        cv2.line(gray, (x, rows[0]), (x, rows[-1]), 30, 2)
    plain = find_grid(gray, (cols[0], rows[0], cols[-1], rows[-1] + 75))
    assert plain.n_rows == len(rows) - 1  # nothing below: the bottom rule is kept
    cv2.line(gray, (cols[0] - 20, rows[-1] + 70), (cols[-1] + 20, rows[-1] + 70), 30, 2)  # the edge, no column line to it
    grid = find_grid(gray, (cols[0], rows[0], cols[-1], rows[-1] + 75))
    assert (grid.n_rows, grid.n_cols) == (len(rows) - 1, len(cols) - 1)
    assert grid.rows[-1] == plain.rows[-1]


def _slanted_table_with_a_worn_corner() -> tuple[np.ndarray, int, int]:
    """A ruled table of 15 columns and 16 rows photographed at a steep slant (its left side, the near one,
    about 20 % taller than its right: more than MAX_QUAD_SIDE_DIFF), its bottom-left corner worn away (a
    stretch of 180 px of its outer lines and of the rules meeting them there gone): the ink of the lines
    ends inside the table there. The page (BGR), its rows and its columns."""
    h, w = 1654, 2339
    flat = np.full((h, w), 238, np.uint8)
    xs = [150, 210, 330, 420, 480, 540, 760, 1060, 1190, 1300, 1430, 1540, 1630, 1710, 1860, 2150]
    ys = [150, 230] + [230 + 80 * i for i in range(1, 16)]
    for y in ys:
        cv2.line(flat, (xs[0], y), (xs[-1], y), 25, 3)
    for x in xs:
        cv2.line(flat, (x, ys[0]), (x, ys[-1]), 25, 3)
    rng = np.random.default_rng(7)
    for y0, y1 in zip(ys[1:-1], ys[2:]):  # a few strokes of writing in each cell
        for x0, x1 in zip(xs[:-1], xs[1:]):
            for _ in range(2):
                cx, cy = int(rng.integers(x0 + 12, x1 - 12)), int(rng.integers(y0 + 15, y1 - 15))
                cv2.line(flat, (cx - 8, cy), (cx + 8, cy + int(rng.integers(-6, 7))), 40, 3)
    flat[ys[-1] - 180 : ys[-1] + 10, xs[0] - 10 : xs[0] + 180] = 238  # the worn corner
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[120, 60], [w - 160, 260], [w - 140, 1420], [80, 1620]])
    photo = cv2.warpPerspective(flat, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=238)
    return cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR), len(ys) - 1, len(xs) - 1


def test_a_table_photographed_at_a_steep_slant_with_a_worn_corner_keeps_every_column():
    """Design family camera_capture seed 4422 (severity 1.6, Haiyang page 3): the table seen at a slant
    (its sides 13 % apart), the quad fitted to its four outer lines was thrown away for the convex hull's
    corners, and the hull's bottom-left corner, where the outer lines' ink ended, lay 65 px inside the
    table; warped by it the table's left side stayed slanted and the grid found 3 of 15 columns. The
    fitted quad is kept where the hull has a problem too: every column and row is found."""
    bgr, n_rows, n_cols = _slanted_table_with_a_worn_corner()
    clean = clean_page(bgr)
    rect = next(s for s in clean.steps if s.name == "rectify").result
    assert "keystone" in rect  # warped though its sides differ: the table seen at a slant
    grid = find_grid(clean.image, clean.table_box, clean.ruling)
    assert (grid.n_rows, grid.n_cols) == (n_rows, n_cols)


def test_a_hand_ruled_form_whose_row_lines_run_apart_column_by_column_keeps_its_rows():
    """Design family camera_capture seed 4407 (Longkou 2011, page 5): a form ruled by hand, each
    column's stretch of a row line drawn apart from its neighbours', and the table left slanted by a few
    degrees after rectification: no row line ran level across the table, the grid found "2 horizontal
    lines" and the page was lost. Rows tracked column by column: every drawn row, each column's cells
    cut at its own lines, and the page is in doubt (its grid's source is not plain ruling)."""
    rng = np.random.default_rng(3)
    gray = np.full((1400, 2100), 240, np.uint8)
    xs = [100, 180, 340, 450, 530, 600, 880, 1230, 1450, 1580, 1790, 1920, 2000]
    pitch = 90
    ys = [150] + [230 + pitch * i for i in range(12)]
    slope = 0.035  # the row lines rise this much per px to the right (2 degrees)
    own: list[list[int]] = []
    for a, b in zip(xs[:-1], xs[1:]):
        jitter = [0] + [int(rng.integers(-pitch // 8, pitch // 8 + 1)) for _ in ys[1:-1]] + [0]
        mid = (a + b) / 2
        own.append([int(round(y + j + slope * (mid - 1050))) for y, j in zip(ys, jitter)])
        for y, j in zip(ys, jitter):
            cv2.line(gray, (a, int(round(y + j + slope * (a - 1050)))), (b, int(round(y + j + slope * (b - 1050)))), 30, 3)
        for y_top, y_bot in zip(own[-1][1:-1], own[-1][2:]):  # a stroke of writing in each cell
            cv2.line(gray, (a + 12, (y_top + y_bot) // 2), (min(b - 12, a + 50), (y_top + y_bot) // 2 + 4), 40, 3)
    for x in xs:
        cv2.line(gray, (x, 100), (x, 1330), 30, 3)
    box = (xs[0], 110, xs[-1], 1320)
    with pytest.raises(NoTableError):
        find_grid(gray, box)  # no level row line across the table
    grid = find_grid_or_text(gray, box)
    assert (grid.n_rows, grid.n_cols) == (len(ys) - 1, len(xs) - 1)
    assert grid.source != "ruling"
    for c in range(grid.n_cols):  # each column's cells cut at its own lines (within the line's width)
        for r in range(grid.n_rows):
            _x0, top, _x1, bottom = grid.cell_box(r, c)
            assert abs(top - own[c][r]) <= 6 and abs(bottom - own[c][r + 1]) <= 6
    # the reviewer is told why the page is in doubt, in Chinese first
    from pipeline.page.extract import GRID_DOUBTS
    from pipeline.review.queue import record_reason
    from review_app.i18n import t

    code, params = record_reason(f"page: {GRID_DOUBTS[grid.source]}")
    assert code == "grid_by_column" and "逐栏" in t(f"record.{code}", "zh", **params)


def test_a_register_ruled_pale_grey_keeps_its_grid_and_the_page_is_doubted_for_it():
    """Ruling printed pale grey (or faded) some 23 levels below the paper: blurred by the scan it fell under
    the ink test, the cleanup found no table box, and the text's alignment gave 5 rows and 24 columns for
    15 and 15. The lines are looked for again at a lower contrast (layout.faint_ruling): the grid drawn is
    found, and the page is doubted for it, said to the reviewer in Chinese first."""
    from pipeline.page.extract import GRID_DOUBTS
    from pipeline.review.queue import record_reason
    from review_app.i18n import t

    bgr, gt = page(seed=11, ruling_rgb=(230, 230, 230))
    clean = clean_page(bgr)
    with pytest.raises(NoTableError):
        find_grid(clean.image, clean.table_box)  # at the ink's contrast: no ruled table
    grid = find_grid_or_text(clean.image, clean.table_box)
    assert grid.source == "faint ruling"
    _same_grid(grid, gt)
    assert grid.n_rows == len(gt["grid"]["y"]) - 1
    code, params = record_reason(f"page: {GRID_DOUBTS[grid.source]}")
    assert code == "grid_faint" and t(f"record.{code}", "zh", **params).startswith("本页的表格线很淡")
    # ruling at the ink's contrast is found as before, not as faint
    bgr, gt = page(seed=11, ruling_rgb=(200, 200, 200))
    clean = clean_page(bgr)
    assert find_grid_or_text(clean.image, clean.table_box).source == "ruling"


def test_a_1bit_page_whose_writing_came_out_as_dots_is_not_called_blank():
    """A 1-bit scan whose light writing and ruling fell to the threshold's paper side but for their
    darkest pixels (a black border pulled it toward black): dots along the ruling and in the rows, no
    character left whole. It is no blank page, and its error says so (and a blank 1-bit page still is)."""
    blank = np.full((1654, 2339), 255, np.uint8)
    page = dotted_page(blank)
    clean = clean_page(cv2.cvtColor(page, cv2.COLOR_GRAY2BGR))
    with pytest.raises(NoTableError, match="not blank") as e:
        find_grid_or_text(clean.image, clean.table_box, clean.ruling)
    assert "no text on the page" not in str(e.value)
    clean = clean_page(cv2.cvtColor(blank, cv2.COLOR_GRAY2BGR))
    with pytest.raises(NoTableError, match="no text on the page"):
        find_grid_or_text(clean.image, clean.table_box, clean.ruling)


def test_the_lower_line_of_a_strike_drawn_twice_is_no_row_line_and_a_strike_under_a_row_line_moves_none():
    """A strike drawn twice, the second line low in the row (93 px below its top at a 124 px pitch, as on a
    1-bit county page of seed 3977): before, that line was taken for the row's own line, the row was cut in
    two and every record below it numbered one row down. A strike near the top of the next row still leaves
    the row line above it where it is."""
    from pipeline.page.layout import _lines_inside_rows

    ruled = [342, 433, 558, 683, 807, 931, 1055, 1181, 1305, 1429, 1553, 1678, 1802, 1927, 2051, 2176, 2300]
    doubled = sorted([*ruled, 1880, 1895])  # the struck row 12 (1802-1927): two lines through and under its text
    kept, struck = _lines_inside_rows(doubled)
    assert kept == ruled and struck == [12]
    near_top = sorted([*ruled, 1830])  # a strike 28 px below row 12's top line
    kept, struck = _lines_inside_rows(near_top)
    assert kept == ruled and struck == [12]
    assert _lines_inside_rows(ruled) == (ruled, [])


def test_a_column_line_the_grid_lost_but_the_page_still_prints_is_part_of_the_gap_it_stands_in():
    """Two printed columns read as one: the line between them printed and visible, but broken and faint on
    a photograph, so the grid lost it (design phone copy ph3801 of d3316, 03_cremation_longkou_2015 page 2:
    年龄 | 逝者姓名 | 性别 read as one column, 30 fields lost). Its dashes cross every row at one x, so
    neither strip of paper beside it was a gap wide enough (each row's ink then as tall as its cell) and
    the column was not split. A band no wider than half a glyph crossed by most rows, paper on both sides,
    is the lost line (SPLIT_LINE_LEFT): the gap is found there. Failed before: no gap."""
    from pipeline.page.layout import Grid

    gray = np.full((620, 330), 235, np.uint8)
    rows = tuple(range(10, 611, 60))
    for y in rows[1:-1]:
        cv2.putText(gray, "WANG", (150 - 68, y + 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2, cv2.LINE_AA)  # a name
        cv2.putText(gray, "M 87", (168, y + 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 20, 2, cv2.LINE_AA)  # a sex, an age
    for y in range(rows[0], rows[-1], 26):  # the printed line, broken into dashes
        gray[y : y + 20, 158:161] = 90
    grid = Grid(rows, (10, 310))
    x = column_gap(gray, grid, 0)
    assert x is not None and 148 < x < 170
