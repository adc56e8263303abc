"""A column line that a photograph's shadow and noise hide from the ink test at every contrast is still
found where it shows in the rows' blank margins averaged (layout.columns_in_row_margins), and the page is
doubted (表格线很淡); a column of writing with no line beside it adds no column."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.page.extract import GRID_DOUBTS
from pipeline.page.layout import find_grid_or_text
from pipeline.review.queue import record_reason
from review_app.i18n import t

ROWS = 12
XS = [80, 260, 440, 620, 800, 980, 1160, 1340]  # 7 printed columns


def _page(hidden: tuple[int, ...], drawn: bool = True) -> np.ndarray:
    """A 1500 x 1450 photograph-like page: a ROWS x 7 table ruled dark, except the column lines at the
    indices `hidden`, printed light (9 grey levels under the paper: a shadow over a thin rule) or not at all (`drawn`
    False); writing in the middle of every cell; a phone's noise (sigma 9) over all."""
    rng = np.random.default_rng(11)
    img = np.full((1500, 1450), 200, np.uint8)
    ys = [150 + 90 * i for i in range(ROWS + 1)]
    for y in ys:
        cv2.line(img, (XS[0], y), (XS[-1], y), 40, 2)
    for j, x in enumerate(XS):
        if j not in hidden:
            cv2.line(img, (x, ys[0]), (x, ys[-1]), 40, 2)
    for i in range(ROWS):
        for j in range(len(XS) - 1):
            cv2.putText(img, "4|7 1", (XS[j] + 30, ys[i] + 58), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 60, 2)
    out = img.astype(np.float32)
    if drawn:
        for j in hidden:
            out[ys[0] : ys[-1], XS[j] - 1 : XS[j] + 1] -= 9
    out += rng.normal(0, 9.0, out.shape)
    img = out
    return np.clip(img, 0, 255).astype(np.uint8)


def test_column_lines_hidden_in_noise_are_found_in_the_rows_margins_and_doubted():
    grid = find_grid_or_text(_page(hidden=(2, 5)))
    assert grid.n_cols == len(XS) - 1
    assert all(min(abs(x - c) for c in grid.cols) <= 4 for x in XS)  # at the drawn lines
    assert grid.source == "faint ruling"  # some lines were not seen as ink: the page is in doubt
    code, params = record_reason(f"page: {GRID_DOUBTS[grid.source]}")
    assert code == "grid_faint" and "表格线很淡" in t(f"record.{code}", "zh", **params)


def test_writing_without_a_line_beside_it_adds_no_column():
    grid = find_grid_or_text(_page(hidden=(2, 5), drawn=False))
    assert grid.n_cols == len(XS) - 3  # the two columns with no rule stay merged with their neighbours
    assert grid.source == "ruling"


def test_a_page_ruled_whole_is_left_as_it_is():
    grid = find_grid_or_text(_page(hidden=()))
    assert (grid.n_rows, grid.n_cols, grid.source) == (ROWS, len(XS) - 1, "ruling")
