"""A scanned page's name lines reach the recognizer deblurred (pipeline.page.extract.deblur_name_line):
carbon copies' soft, run-together strokes (bench/results/s33-fadednames-2026-12-06.md)."""

from __future__ import annotations

import numpy as np

from pipeline.page.extract import deblur_name_line, line_crops, read_cells, scanned_bilevel
from pipeline.page.layout import Grid
from tests.recording import RecordingEngine, blurred_strokes, ruled_page


def _blurred_bars() -> np.ndarray:
    """Vertical strokes 2 px wide, 3 px of paper between them, softened as through a carbon (sigma 1 px)."""
    return blurred_strokes(paper=250, ink=30, sigma=1.0)


def test_blurred_strokes_come_out_apart_on_white_paper() -> None:
    line = _blurred_bars()
    sharp = deblur_name_line(line)
    band = slice(15, 25)
    # the paper between two strokes comes back lighter, the strokes darker: the strokes no longer run together
    before = float(line[band, 22:97].max(axis=1).mean()) - float(line[band, 22:97].min(axis=1).mean())
    after = float(sharp[band, 22:97].max(axis=1).mean()) - float(sharp[band, 22:97].min(axis=1).mean())
    assert after > before + 40
    assert float(np.median(sharp[:5])) >= 245  # the paper stays paper
    assert deblur_name_line(np.full((2, 50), 200, np.uint8)).shape == (2, 50)


def _page() -> tuple[np.ndarray, Grid]:
    return ruled_page(_blurred_bars(), paper=250, ink=40)


def test_only_a_scanned_pages_name_column_is_read_deblurred() -> None:
    gray, grid = _page()
    as_cut, owners, _faint = line_crops(gray, grid, [(0, 0), (0, 1)])
    assert [o[1] for o in owners] == [0, 1]
    eng = RecordingEngine()
    read_cells(gray, grid, eng, [(0, 0), (0, 1)], names={0: "abc"})  # type: ignore[arg-type]
    assert not np.array_equal(eng.crops[0], as_cut[0])  # the name column's line deblurred
    assert np.array_equal(eng.crops[1], as_cut[1])  # another column's as cut
    photo = RecordingEngine()
    read_cells(gray, grid, photo, [(0, 0), (0, 1)], names={0: "abc"}, photo=True)  # type: ignore[arg-type]
    assert np.array_equal(photo.crops[0], line_crops(gray, grid, [(0, 0)], photo=True)[0][0])  # a photograph's as it was
    bilevel = RecordingEngine()
    read_cells(gray, grid, bilevel, [(0, 0), (0, 1)], names={0: "abc"}, bilevel=True)  # type: ignore[arg-type]
    assert np.array_equal(bilevel.crops[0], as_cut[0])  # a 1-bit scan's as cut: hard edges, nothing to deblur


def test_a_1bit_scan_is_told_by_its_cleanup_steps() -> None:
    grey = [{"name": "denoise", "settings": {"method": "median", "ksize": 3}, "result": {}}]
    one_bit = [{"name": "denoise", "settings": {"method": "bilevel_specks", "max_pixels": 2}, "result": {"specks": 0}}]
    assert not scanned_bilevel(grey) and scanned_bilevel(one_bit) and not scanned_bilevel([])
