"""A page scanned in 1-bit has its address lines read softened (pipeline.page.extract.soften_bilevel_line):
2 x 2 pixels averaged, so the recognizer (trained on grey, anti-aliased strokes) gets grey-edged strokes
instead of the scanner's stair-stepped black and white ones. Other columns, and grey scans, as cut."""

from __future__ import annotations

import numpy as np

from mapping.spec import load_spec
from pipeline.page.extract import line_crops, read_cells, read_options, soften_bilevel_line
from pipeline.page.layout import Grid
from tests.recording import RecordingEngine, ruled_page


def _bilevel_strokes(w: int = 120, h: int = 40) -> np.ndarray:
    """Black and white only: strokes 3 px wide with a one-pixel stair step in each, as a 1-bit threshold leaves them."""
    img = np.full((h, w), 255, np.uint8)
    for x in range(20, w - 20, 7):
        img[10:20, x : x + 3] = 0
        img[20:30, x + 1 : x + 4] = 0
    return img


def test_a_1bit_line_comes_out_with_grey_edges_and_white_paper() -> None:
    line = _bilevel_strokes()
    soft = soften_bilevel_line(line)
    assert soft.shape == line.shape and soft.dtype == np.uint8
    assert not ((line > 0) & (line < 255)).any()
    assert ((soft > 40) & (soft < 215)).mean() > 0.05  # the strokes' edges are grey now
    assert soft[:6].min() >= 250 and soft[-6:].min() >= 250  # the paper stays paper
    assert soft[12:18, 21].max() < 128  # a stroke stays dark
    assert soften_bilevel_line(np.full((5, 50), 255, np.uint8)).shape == (5, 50)


def _page() -> tuple[np.ndarray, Grid]:
    return ruled_page(_bilevel_strokes(), paper=255, ink=0)


def test_only_a_1bit_pages_address_column_is_read_softened() -> None:
    gray, grid = _page()
    as_cut, owners, _faint = line_crops(gray, grid, [(0, 0), (0, 1)])
    assert [o[1] for o in owners] == [0, 1]
    one_bit = RecordingEngine()
    read_cells(gray, grid, one_bit, [(0, 0), (0, 1)], bilevel=True, addresses={1})  # type: ignore[arg-type]
    assert np.array_equal(one_bit.crops[0], as_cut[0])  # another column's line as cut
    assert np.array_equal(one_bit.crops[1], soften_bilevel_line(as_cut[1]))  # the address line softened
    grey = RecordingEngine()
    read_cells(gray, grid, grey, [(0, 0), (0, 1)], addresses={1})  # type: ignore[arg-type]
    assert np.array_equal(grey.crops[1], as_cut[1])  # a grey scan's address line as cut


def test_the_address_column_is_told_by_its_fields_normalizer() -> None:
    opts = read_options("cremation", ["deceased_name", "household_address", None], load_spec())
    assert opts.addresses == {1}
    assert opts.of(1) != opts.of(2)
