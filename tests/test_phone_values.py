"""A straight line across a photographed cell's text (a strike, a ruling remnant left by rectification)
is painted out before the cell's text lines are found and cut (layout.erase_ruling_rows, used by
extract.line_crops on enlarged photographs only)."""

from __future__ import annotations

import cv2
import numpy as np

from mapping.normalize import name_alphabet
from pipeline.kernel.models import OcrPiece
from pipeline.page.extract import line_crops, read_cells
from pipeline.page.layout import Grid, erase_ruling_rows, text_line_bands


def _digits_with_strike() -> tuple[np.ndarray, np.ndarray]:
    img = np.full((40, 200), 230, np.uint8)
    cv2.putText(img, "3706811940", (5, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 40, 2)
    struck = img.copy()
    struck[19:22, :] = 50
    return img, struck


def test_a_struck_line_of_digits_is_one_text_line_again() -> None:
    clean, struck = _digits_with_strike()
    assert len(text_line_bands(clean)) == 1
    assert len(text_line_bands(struck)) == 2  # the strike's rows split the text in two bands
    erased = erase_ruling_rows(struck)
    assert len(text_line_bands(erased)) == 1
    # between the glyphs the line is gone; where a stroke crosses it, the stroke stays
    gaps = (clean[16:25] > 200).all(axis=0)
    assert (erased[19:22][:, gaps] >= 200).mean() > 0.9
    crossed = (clean[17] < 100) & (clean[24] < 100)
    assert (erased[20][crossed] < 100).any()


def test_a_cell_without_a_line_is_given_as_it_is() -> None:
    clean, _struck = _digits_with_strike()
    assert erase_ruling_rows(clean) is clean


def _page_with_struck_cell() -> tuple[np.ndarray, Grid]:
    page = np.full((60, 220), 230, np.uint8)
    page[0:2, :] = 0
    page[58:60, :] = 0
    page[:, 0:2] = 0
    page[:, 218:220] = 0
    _clean, struck = _digits_with_strike()
    page[10:50, 10:210] = struck
    return page, Grid(rows=(0, 59), cols=(0, 219))


def test_enlarged_photograph_reads_the_struck_cell_as_one_line_a_scan_as_before() -> None:
    page, grid = _page_with_struck_cell()
    scan, _o, _f = line_crops(page, grid, [(0, 0)], enlarged=1.0)
    photo, _o, _f = line_crops(page, grid, [(0, 0)], enlarged=1.5)
    assert len(scan) == 2  # a scan's cells are cut as before (no change off photographs)
    assert len(photo) == 1


def _page_with_blurred_bold_strokes() -> tuple[np.ndarray, Grid]:
    """Two bold strokes 3 px apart, blurred as a phone frame blurs them: the gap between them is mid-grey."""
    page = np.full((60, 220), 225, np.uint8)
    page[0:2, :] = 0
    page[58:60, :] = 0
    page[:, 0:2] = 0
    page[:, 218:220] = 0
    for x in range(20, 200, 12):
        page[18:42, x : x + 4] = 30
        page[18:42, x + 7 : x + 11] = 30
    inner = page[4:56, 4:216]
    page[4:56, 4:216] = cv2.GaussianBlur(inner, (0, 0), 1.3)
    return page, Grid(rows=(0, 2, 59), cols=(0, 219))  # row 0: a (thin) header row; row 1 holds the value


class _Recorder:
    """Reads every crop as one character and keeps what it was given."""

    name = "recorder"

    def __init__(self) -> None:
        self.crops: list[np.ndarray] = []

    def recognize_crops(self, images: list[np.ndarray]) -> list[OcrPiece]:
        self.crops += images
        return [OcrPiece("x", 0.99, (0, 0, im.shape[1], im.shape[0]), self.name) for im in images]


def _given(names: dict[int, str], photo: bool, enlarged: float) -> np.ndarray:
    page, grid = _page_with_blurred_bold_strokes()
    eng = _Recorder()
    read_cells(page, grid, eng, [(1, 0)], names=names, photo=photo, enlarged=enlarged)  # type: ignore[arg-type]
    (crop,) = eng.crops
    return crop


def test_an_enlarged_photographs_name_line_has_its_gaps_between_bold_strokes_lightened() -> None:
    plain = _given({}, photo=True, enlarged=1.5)  # not a name column: as before
    name = _given({0: name_alphabet()}, photo=True, enlarged=1.5)
    assert plain.shape == name.shape
    mid_row = plain[plain.shape[0] // 2]
    mid = (mid_row > 90) & (mid_row < 180)  # the mid-grey gaps between the blurred strokes
    assert mid.any()
    # the gaps come to the recognizer lighter; the stroke cores stay the darkest pixels
    assert name[name.shape[0] // 2][mid].mean() >= mid_row[mid].mean() + 15
    assert int(name.min()) <= name[name.shape[0] // 2][mid].mean() - 50


def test_an_unenlarged_photographs_name_line_is_read_as_before() -> None:
    # a page captured at the working resolution (a scan the cleanup flattened): no tone curve
    assert np.array_equal(_given({0: name_alphabet()}, True, 1.0), _given({}, True, 1.0))
