"""A recognizer stand-in that keeps every crop it is given, and a page of ruled cells holding one
line each: for tests asserting how read_cells prepares a column's lines (deblurred, softened, as cut)
before the recognizer sees them. Not an engine for measuring: it reads every crop as "x"."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.kernel.models import OcrPiece
from pipeline.page.layout import Grid


def blurred_strokes(paper: int, ink: int, sigma: float, w: int = 120, h: int = 40) -> np.ndarray:
    """A line of vertical strokes 2 px wide with 3 px of paper between them, softened by a Gaussian of `sigma`
    px (as through a carbon or a scanner's optics): the gaps between the strokes come out grey."""
    img = np.full((h, w), paper, np.uint8)
    for x in range(20, w - 20, 5):
        img[10:30, x : x + 2] = ink
    return cv2.GaussianBlur(img, (0, 0), sigma)


class RecordingEngine:
    name = "_test_recorder"

    def __init__(self) -> None:
        self.crops: list[np.ndarray] = []

    def recognize_crops(self, crops: list) -> list:
        self.crops += crops
        return [OcrPiece("x", 0.99, (0, 0, c.shape[1], c.shape[0]), self.name) for c in crops]


def ruled_page(line: np.ndarray, paper: int, ink: int, cells: int = 2) -> tuple[np.ndarray, Grid]:
    """A 60-px-high page of `paper` grey ruled in `ink` into one row of `cells` cells 150 px wide, `line`
    (40 x 120) written in each."""
    width = 150 * cells
    gray = np.full((60, width), paper, np.uint8)
    for i in range(cells):
        gray[8:48, 150 * i + 15 : 150 * i + 135] = line
    gray[2:4, :] = gray[55:57, :] = ink
    for x in (2, *range(150, width, 150), width - 3):
        gray[:, x : x + 2] = ink
    return gray, Grid(rows=(2, 56), cols=(2, *range(150, width, 150), width - 2))


def written_table(cols: list[int]) -> np.ndarray:
    """A ruled 700 x 900 page with a title above a table of 10 rows (header included) between the x positions
    `cols`, every cell (the header's too) holding a dark block of writing: pages whose reading an engine's
    texts decide (the header's words, the cells' content)."""
    gray = np.full((700, 900), 240, np.uint8)
    gray[20:50, 300:600] = 30  # the title
    rows = list(range(80, 681, 60))
    for y in rows:
        cv2.line(gray, (cols[0], y), (cols[-1], y), 30, 2)
    for x in cols:
        cv2.line(gray, (x, rows[0]), (x, rows[-1]), 30, 2)
    for y0 in rows[:-1]:
        for x0 in cols[:-1]:
            gray[y0 + 20 : y0 + 40, x0 + 30 : x0 + 90] = 40  # writing in every cell, the header's too
    return gray
