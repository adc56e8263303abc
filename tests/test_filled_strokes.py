"""A 1-bit page whose strokes a dark threshold or dot gain filled (a digit's strokes a quarter of its height, its
counters closed up) has its digit lines read blurred (pipeline.page.extract.filled_strokes, blur_filled_line):
the recognizer was trained on grey anti-aliased text of at most a bold weight. Light and normal 1-bit pages,
grey scans, and other columns are read as cut."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.page.extract import (
    FILLED_MIN_LINES,
    blur_filled_line,
    filled_strokes,
    page_strokes_filled,
    read_cells,
    stroke_share,
)
from pipeline.page.layout import Grid
from tests.recording import RecordingEngine, ruled_page


def _digits(gain: int, w: int = 120, h: int = 40) -> np.ndarray:
    """A 1-bit line of digits about 17 px high drawn 2 px thick, their ink grown by `gain` px on every side
    (a dark threshold's dot gain)."""
    img = np.full((h, w), 255, np.uint8)
    cv2.putText(img, "3706819", (4, 29), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2, cv2.LINE_8)
    if gain:
        img = cv2.erode(img, np.ones((2 * gain + 1, 2 * gain + 1), np.uint8))
    return np.where(img < 128, 0, 255).astype(np.uint8)


def test_a_filled_digit_line_has_strokes_a_larger_share_of_its_height() -> None:
    thin, filled = stroke_share(_digits(0)), stroke_share(_digits(2))
    assert thin is not None and filled is not None
    assert thin < 0.2 < 0.25 < filled
    assert stroke_share(np.full((40, 120), 255, np.uint8)) is None  # no ink: nothing to tell


def test_a_page_is_filled_only_on_enough_filled_lines() -> None:
    assert filled_strokes([_digits(2)] * FILLED_MIN_LINES)
    assert not filled_strokes([_digits(0)] * FILLED_MIN_LINES)
    assert not filled_strokes([_digits(2)] * (FILLED_MIN_LINES - 1))  # too few lines to tell


def _page(gain: int, rows: int = 6) -> tuple[np.ndarray, Grid]:
    """`rows` rows of two cells 150 px wide, each holding the digit line."""
    gray = np.full((50 * rows + 10, 310), 255, np.uint8)
    ys = [4 + 50 * r for r in range(rows + 1)]
    for r in range(rows):
        for x0 in (15, 165):
            gray[ys[r] + 6 : ys[r] + 46, x0 : x0 + 120] = _digits(gain)
    for y in ys:
        gray[y : y + 2, :] = 0
    for x in (2, 150, 306):
        gray[:, x : x + 2] = 0
    return gray, Grid(rows=(*ys[:1], *ys), cols=(2, 150, 306))


def test_the_page_is_told_on_its_digit_columns() -> None:
    gray, grid = _page(2)
    assert page_strokes_filled(gray, grid, {1})
    assert not page_strokes_filled(gray, grid, set())  # no digit column: nothing told
    thin, grid = _page(0)
    assert not page_strokes_filled(thin, grid, {1})


def test_only_a_filled_1bit_pages_digit_lines_are_read_blurred() -> None:
    gray, grid = ruled_page(_digits(2), paper=255, ink=0)
    cells = [(0, 0), (0, 1)]
    as_cut = RecordingEngine()
    read_cells(gray, grid, as_cut, cells, {1}, bilevel=True)  # type: ignore[arg-type]
    filled = RecordingEngine()
    read_cells(gray, grid, filled, cells, {1}, bilevel=True, filled=True)  # type: ignore[arg-type]
    assert np.array_equal(filled.crops[0], as_cut.crops[0])  # another column's line as cut
    assert np.array_equal(filled.crops[1], blur_filled_line(as_cut.crops[1]))  # the digit line blurred
    assert ((filled.crops[1] > 40) & (filled.crops[1] < 215)).mean() > 0.05  # grey edges now
    grey = RecordingEngine()
    read_cells(gray, grid, grey, cells, {1}, filled=True)  # type: ignore[arg-type]
    assert np.array_equal(grey.crops[1], as_cut.crops[1])  # not scanned in 1-bit: as cut
