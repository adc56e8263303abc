"""A printed column whose outer border was lost (faded, cut off by the scan) is still read: the grid
is extended to the text standing in line with the table's rows beyond its outermost ruling
(pipeline.page.layout.columns_beyond_ruling). Synthetic pages, no OCR."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.page.layout import Grid, columns_beyond_ruling, find_grid_or_text

COLS = [100, 300, 500, 700, 900, 1100]  # 5 printed columns; the last line (1100) is the right border
ROWS = [100, 170, 250, 330, 410, 490, 570]


def _page(border: bool, remarks: bool) -> np.ndarray:
    """A ruled register page, every cell written; `border`: the right border drawn; `remarks`: the last
    column's header title and two entries written (its cells otherwise blank)."""
    img = np.full((700, 1300), 235, np.uint8)
    for y in ROWS:
        cv2.line(img, (COLS[0], y), (COLS[-1], y), 20, 2)
    for x in COLS if border else COLS[:-1]:
        cv2.line(img, (x, ROWS[0]), (x, ROWS[-1]), 20, 2)
    for r in range(len(ROWS) - 1):
        for c in range(len(COLS) - 2):
            cv2.putText(img, "AB12", (COLS[c] + 30, ROWS[r + 1] - 22), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 2)
    if remarks:
        for r in (0, 2, 4):
            cv2.putText(img, "NOTE", (COLS[-2] + 40, ROWS[r + 1] - 22), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 2)
    return img


def test_a_column_past_a_lost_border_is_read() -> None:
    # the right border lost: the grid's ruling ends one column short, the remarks standing past it
    grid = find_grid_or_text(_page(border=False, remarks=True), (80, 80, 1200, 600))
    assert grid.n_cols == 5
    assert grid.edge_cols == (5,)
    assert 1000 < grid.cols[-1] < 1200  # past the written text, not the page's edge
    assert Grid.from_dict(grid.to_dict()) == grid


def test_a_ruled_page_keeps_its_grid() -> None:
    grid = find_grid_or_text(_page(border=True, remarks=True), (80, 80, 1200, 600))
    assert grid.n_cols == 5 and grid.edge_cols == ()
    grid = find_grid_or_text(_page(border=False, remarks=False), (80, 80, 1200, 600))
    assert grid.n_cols == 4 and grid.edge_cols == ()  # no text past the last line: no column


def test_data_rows_alone_past_the_table_add_nothing() -> None:
    # writing in rows past the table but no printed title in the header row: a margin's note
    img = _page(border=True, remarks=False)
    for r in (1, 2, 3):
        cv2.putText(img, "NOTE", (1130, ROWS[r + 1] - 22), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 2)
    grid = Grid(tuple(ROWS), tuple(COLS))
    assert columns_beyond_ruling(img, grid) == grid


def test_a_column_before_a_lost_left_border_is_read() -> None:
    # the left border lost: the first column's title and entries stand before the first line found
    img = np.full((700, 1300), 235, np.uint8)
    cols = [100, 300, 500, 700, 900, 1100]
    for y in ROWS:
        cv2.line(img, (cols[0], y), (cols[-1], y), 20, 2)
    for x in cols[1:]:
        cv2.line(img, (x, ROWS[0]), (x, ROWS[-1]), 20, 2)
    for r in range(len(ROWS) - 1):
        for c in range(len(cols) - 1):
            cv2.putText(img, "AB12", (cols[c] + 30, ROWS[r + 1] - 22), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 30, 2)
    grid = find_grid_or_text(img, (80, 80, 1200, 600))
    assert grid.n_cols == 5 and grid.edge_cols == (0,)
    assert 30 < grid.cols[0] < 130  # before the written text, not at the page's edge
