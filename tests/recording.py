"""A recognizer stand-in that keeps every crop it is given, and a page of two ruled cells holding one
line each: for tests asserting how read_cells prepares a column's lines (deblurred, softened, as cut)
before the recognizer sees them. Not an engine for measuring: it reads every crop as "x"."""

from __future__ import annotations

import numpy as np

from pipeline.kernel.models import OcrPiece
from pipeline.page.layout import Grid


class RecordingEngine:
    name = "_test_recorder"

    def __init__(self) -> None:
        self.crops: list[np.ndarray] = []

    def recognize_crops(self, crops: list) -> list:
        self.crops += crops
        return [OcrPiece("x", 0.99, (0, 0, c.shape[1], c.shape[0]), self.name) for c in crops]


def two_cell_page(line: np.ndarray, paper: int, ink: int) -> tuple[np.ndarray, Grid]:
    """A 60 x 300 page of `paper` grey ruled in `ink` into one row of two cells, `line` (40 x 120) written
    in each."""
    gray = np.full((60, 300), paper, np.uint8)
    for x0 in (5, 155):
        gray[8:48, x0 + 10 : x0 + 130] = line
    gray[2:4, :] = gray[55:57, :] = ink
    for x in (2, 150, 297):
        gray[:, x : x + 2] = ink
    return gray, Grid(rows=(2, 56), cols=(2, 150, 298))
