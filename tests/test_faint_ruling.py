"""A ruled table printed in light grey at low contrast (faded or light print, a dim photograph) is still
found as a table with all its rows -- by the faint ruling finder -- and the page is doubted as a whole
(表格线很淡), so that none of its fields is auto-accepted on a structure found from faint lines."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline.kernel.errors import NoTableError
from pipeline.page.extract import GRID_DOUBTS
from pipeline.page.layout import find_grid_or_text, lines_view
from pipeline.review.queue import record_reason
from review_app.i18n import t

ROWS, COLS = 10, 6


def _page(line_grey: int, paper: int = 200, noise: float = 2.0) -> np.ndarray:
    """A 1000 x 1400 page: a ROWS x COLS table ruled `line_grey` on `paper`, dark text in the cells of its
    first two rows only (a register page begun: its empty rows are ruled, and only the ruling shows them)."""
    rng = np.random.default_rng(7)
    img = np.full((1400, 1000), paper, np.uint8)
    ys = [150 + 100 * i for i in range(ROWS + 1)]
    xs = [80 + 140 * j for j in range(COLS + 1)]
    for y in ys:
        cv2.line(img, (xs[0], y), (xs[-1], y), line_grey, 1)
    for x in xs:
        cv2.line(img, (x, ys[0]), (x, ys[-1]), line_grey, 1)
    for i in range(2):
        for j in range(COLS):
            cv2.putText(img, "12-34", (xs[j] + 15, ys[i] + 60), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 40, 2)
    out = img.astype(np.float32) + rng.normal(0, noise, img.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def test_light_grey_ruling_is_found_with_all_rows_and_doubted():
    grid = find_grid_or_text(_page(line_grey=188))
    assert (grid.n_rows, grid.n_cols) == (ROWS, COLS)
    assert grid.source == "faint ruling"
    code, params = record_reason(f"page: {GRID_DOUBTS[grid.source]}")  # the page doubted, said to the reviewer
    assert code == "grid_faint" and "表格线很淡" in t(f"record.{code}", "zh", **params)


def test_dark_ruling_is_still_the_normal_finder():
    grid = find_grid_or_text(_page(line_grey=30))
    assert (grid.n_rows, grid.n_cols) == (ROWS, COLS)
    assert grid.source == "ruling"


def test_photographed_page_grid_is_found_on_it_stretched_at_the_drawn_lines():
    """A photograph is not stretched to black by the cleanup (PHOTO_INK_LEVEL): its darkest ink stays near
    165 and a thin ruling line some 12 levels under its paper, under the grid's ink test. Looked for on the
    page stretched as a scan is (lines_view), the grid is the ruled one, at the drawn lines, not doubted."""
    page = _page(line_grey=238, paper=250, noise=1.0)
    page[page < 100] = 165  # the text's ink as a photograph's cleanup leaves it
    assert find_grid_or_text(page).source != "ruling"  # as it is: found only at the faint contrast, or not at all
    grid = find_grid_or_text(lines_view(page))
    assert (grid.n_rows, grid.n_cols, grid.source) == (ROWS, COLS, "ruling")
    assert all(abs(a - b) <= 1 for a, b in zip(grid.rows, [150 + 100 * i for i in range(ROWS + 1)]))
    assert all(abs(a - b) <= 1 for a, b in zip(grid.cols, [80 + 140 * j for j in range(COLS + 1)]))


def test_lines_view_leaves_a_page_stretched_to_black_as_it_is():
    page = _page(line_grey=30)
    page[page < 100] = 0  # its darkest ink black, as the cleanup's stretch leaves a scan
    assert np.array_equal(lines_view(page), page)


def test_an_empty_image_is_no_table_with_its_reason_not_a_crash():
    empty = np.zeros((0, 0), np.uint8)
    assert lines_view(empty).size == 0
    with pytest.raises(NoTableError, match="no pixels"):
        find_grid_or_text(empty)


DARK_ROWS = (0, 1, 2, 4, 5, 8, 10)  # the other row lines faded under the ink test
DARK_COLS = (0, 1, 3, 4, 6)


def _faded_copy(extra_h: tuple[int, int] | None = None, extra_v: tuple[int, int, int] | None = None) -> np.ndarray:
    """A ROWS x COLS table (as _page) whose ruling faded unevenly, as a carbon copy's does: the lines in
    DARK_ROWS / DARK_COLS dark, the others light grey (188 on 200: found only at the faint contrast).
    `extra_h`: (y, grey) of one more level line across the table; `extra_v`: (x, y0, y1) of one more light
    grey plumb line."""
    rng = np.random.default_rng(7)
    img = np.full((1400, 1000), 200, np.uint8)
    ys = [150 + 100 * i for i in range(ROWS + 1)]
    xs = [80 + 140 * j for j in range(COLS + 1)]
    for i, y in enumerate(ys):
        cv2.line(img, (xs[0], y), (xs[-1], y), 30 if i in DARK_ROWS else 188, 1)
    for j, x in enumerate(xs):
        cv2.line(img, (x, ys[0]), (x, ys[-1]), 30 if j in DARK_COLS else 188, 1)
    if extra_h is not None:
        cv2.line(img, (xs[0], extra_h[0]), (xs[-1], extra_h[0]), extra_h[1], 1)
    if extra_v is not None:
        cv2.line(img, (extra_v[0], extra_v[1]), (extra_v[0], extra_v[2]), 188, 1)
    for i in range(2):
        for j in range(COLS):
            cv2.putText(img, "12-34", (xs[j] + 15, ys[i] + 60), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 40, 2)
    out = img.astype(np.float32) + rng.normal(0, 2.0, img.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


BOX = (80, 150, 920, 1150)  # the table's box as the cleanup finds it: the extent of its ruling


def test_faded_lines_of_a_found_grid_are_added_at_the_rows_pitch_and_doubted():
    """A grid found from the dark half of the ruling gets back the faded rows and columns (no row or
    column merged), its dark lines kept, and the page is in doubt (lines seen only at a faint contrast)."""
    grid = find_grid_or_text(_faded_copy(), BOX)
    assert (grid.n_rows, grid.n_cols) == (ROWS, COLS)
    assert all(abs(a - b) <= 3 for a, b in zip(grid.rows, [150 + 100 * i for i in range(ROWS + 1)]))
    assert grid.source == "faint ruling"


def test_a_faint_line_off_the_rows_pitch_is_not_a_row():
    """A faint level line a third of a row into a data row whose lines are both seen (an underline, a
    pencil stroke) and a faint plumb line over less than half the table's height are left out."""
    grid = find_grid_or_text(_faded_copy(extra_h=(283, 188), extra_v=(290, 150, 600)), BOX)
    assert (grid.n_rows, grid.n_cols) == (ROWS, COLS)
    assert not any(abs(y - 283) < 10 for y in grid.rows)
    assert not any(abs(x - 290) < 10 for x in grid.cols)


def test_the_faint_runs_of_ink_are_found_once_per_page(monkeypatch):
    """faint_lines_added looks for the runs of ink at the faint contrast once: the lines it adds come from
    the same runs it measures their reach on. Failed before: the table's region was binarized and opened
    at that contrast twice on every ruled page (line_masks, then ruling_lines again)."""
    from pipeline.page import gridlines, layout
    from pipeline.page.gridlines import FAINT_RULING_CONTRAST

    calls: list[int] = []
    found = gridlines.line_masks

    def counted(gray, box=None, lines=None, contrast=gridlines.INK_CONTRAST):
        calls.append(contrast)
        return found(gray, box, lines, contrast)

    monkeypatch.setattr(gridlines, "line_masks", counted)
    monkeypatch.setattr(layout, "line_masks", counted)
    grid = find_grid_or_text(_faded_copy(), BOX)
    assert grid.source == "faint ruling" and (grid.n_rows, grid.n_cols) == (ROWS, COLS)
    assert calls.count(FAINT_RULING_CONTRAST) == 1


def test_a_boxless_page_whose_ink_grid_is_its_outer_lines_takes_the_faint_grid_holding_them():
    """A photograph's ruling blurred too pale for the ink test loses the cleanup its table box; the ink test
    still sees a few darker lines (the table's outer rule, one row line), enough for a grid of GRID_MIN_LINES
    (design phone copy ph3803 of d3316 county 04 p2: 3 rows x 2 columns). The faint contrast sees every line
    those hold and the rest: that grid is taken, doubted as every faint grid is (表格线很淡)."""
    page = _page(line_grey=188)
    ys = [150 + 100 * i for i in range(ROWS + 1)]
    xs = [80 + 140 * j for j in range(COLS + 1)]
    for y in (ys[0], ys[1], ys[5], ys[-1]):
        cv2.line(page, (xs[0], y), (xs[-1], y), 40, 2)
    for x in (xs[0], xs[4], xs[-1]):
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 40, 2)
    grid = find_grid_or_text(page)
    assert (grid.n_rows, grid.n_cols, grid.source) == (ROWS, COLS, "faint ruling")
    for y in ys[2:5]:  # more row lines seen at the ink's contrast: that grid is the table's (faint lines added)
        cv2.line(page, (xs[0], y), (xs[-1], y), 40, 2)
    assert find_grid_or_text(page).source == "ruling"
