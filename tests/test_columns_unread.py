"""A ruled table whose rows hold writing but none of whose columns is identified (design family
camera_capture, seed 4413 severity 1.8: a faint, grainy photographed page, its grid found whole, its
header and cells unreadable): every row mapped to nothing, and the page ended "done" with no records and
nothing said, 12 rows lost unseen. It now gives no records with its reason told (columns_unread)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.base import OcrEngine
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ColumnsUnreadError, NoTableError
from pipeline.kernel.models import OcrPiece
from pipeline.kernel.reasons import REASONS
from pipeline.page.extract import ADVISED, extract_page, page_advice


class _Unreadable(OcrEngine):
    """Reads the register's kind in its title (read whole: recognize) and nothing a column is known by
    anywhere else (its cells' crops): a header or a cell blurred past reading reads as
    some stray characters."""

    name = "_test_unreadable"

    def version(self):
        return "unreadable 1"

    def languages(self):
        return ["chi_sim"]

    def recognize(self, image):  # the title strip (extract.read_title)
        return [OcrPiece("海葬登记簿", 0.9, (0, 0, image.shape[1], image.shape[0]), self.name)]

    def recognize_crop(self, image):
        return OcrPiece("一二", 0.9, (0, 0, image.shape[1], image.shape[0]), self.name)


def _ruled_page() -> np.ndarray:
    gray = np.full((700, 900), 240, np.uint8)
    gray[20:50, 300:600] = 30  # the title
    rows, cols = list(range(80, 681, 60)), [40, 260, 480, 700, 860]
    for y in rows:
        cv2.line(gray, (cols[0], y), (cols[-1], y), 30, 2)
    for x in cols:
        cv2.line(gray, (x, rows[0]), (x, rows[-1]), 30, 2)
    for y0 in rows[:-1]:
        for x0 in cols[:-1]:
            gray[y0 + 20 : y0 + 40, x0 + 30 : x0 + 90] = 40  # writing in every cell, the header's too
    return gray


def test_a_table_whose_columns_are_all_unread_says_so_instead_of_ending_done_with_nothing():
    with pytest.raises(ColumnsUnreadError) as got:
        extract_page(_ruled_page(), None, _Unreadable(), Settings.load(None))
    assert isinstance(got.value, NoTableError) and got.value.reason == "no_table"  # the status of a page without records
    assert got.value.code == "columns_unread" and "columns_unread" in ADVISED
    zh, en = REASONS["columns_unread"]
    assert zh.startswith("找到了表格") and en in page_advice("columns_unread")
