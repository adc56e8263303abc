"""A grey scan's name and address lines reach the recognizer with their greys lightened
(pipeline.page.extract.lighten_scan_line; names then deblurred, prepare_scanned_name): on a carbon copy
the grey between run-together strokes is taken for ink by the recognizer."""

from __future__ import annotations

import numpy as np

from mapping.spec import load_spec
from pipeline.page.extract import (
    deblur_name_line,
    lighten_scan_line,
    line_crops,
    prepare_scanned_name,
    read_cells,
    read_options,
    soften_bilevel_line,
)
from pipeline.page.layout import Grid
from tests.recording import RecordingEngine, blurred_strokes, ruled_page


def _carbon_bars() -> np.ndarray:
    """Strokes 2 px wide, 3 px of paper between them, spread as through a carbon (sigma 1.3 px): the gaps grey."""
    return blurred_strokes(paper=235, ink=60, sigma=1.3)


def test_the_grey_between_strokes_moves_towards_the_paper_and_the_strokes_stay_darkest() -> None:
    line = _carbon_bars()
    light = lighten_scan_line(line)
    band = line[15:25, 22:97]
    lband = light[15:25, 22:97]
    gap_before = float(band.max(axis=1).mean())
    gap_after = float(lband.max(axis=1).mean())
    assert gap_after > gap_before + 15  # the gaps lighter
    assert float(lband.min()) < float(np.median(light[:5])) - 40  # the stroke cores still below the paper
    assert np.array_equal(np.argmin(lband, axis=1), np.argmin(band, axis=1))  # and still the darkest pixels
    assert lighten_scan_line(np.array([[0, 255]], np.uint8)).tolist() == [[0, 255]]  # black and white kept
    assert np.array_equal(prepare_scanned_name(line), deblur_name_line(light))


def _page() -> tuple[np.ndarray, Grid]:
    return ruled_page(_carbon_bars(), paper=235, ink=40, cells=3)


def test_a_grey_scans_name_and_address_lines_are_lightened_other_columns_and_pages_as_before() -> None:
    gray, grid = _page()
    cells = [(0, 0), (0, 1), (0, 2)]
    as_cut, owners, _faint = line_crops(gray, grid, cells)
    assert [o[1] for o in owners] == [0, 1, 2]
    eng = RecordingEngine()
    read_cells(gray, grid, eng, cells, names={0: "abc"}, addresses={1})  # type: ignore[arg-type]
    assert np.array_equal(eng.crops[0], prepare_scanned_name(as_cut[0]))  # name: lightened, deblurred
    assert np.array_equal(eng.crops[1], lighten_scan_line(as_cut[1]))  # address: lightened only
    assert np.array_equal(eng.crops[2], as_cut[2])  # any other column as cut
    one_bit = RecordingEngine()
    read_cells(gray, grid, one_bit, cells, names={0: "abc"}, addresses={1}, bilevel=True)  # type: ignore[arg-type]
    assert np.array_equal(one_bit.crops[0], as_cut[0]) and np.array_equal(one_bit.crops[2], as_cut[2])  # a 1-bit scan's as cut
    assert np.array_equal(one_bit.crops[1], soften_bilevel_line(as_cut[1]))  # but its address softened, not lightened
    photo = RecordingEngine()
    read_cells(gray, grid, photo, cells, names={0: "abc"}, addresses={1}, photo=True)  # type: ignore[arg-type]
    assert np.array_equal(photo.crops[1], line_crops(gray, grid, [(0, 1)], photo=True)[0][0])  # a photograph's address as it was


def test_address_columns_are_told_by_their_fields_normalizer() -> None:
    sp = load_spec()
    opts = read_options("cremation", ["deceased_name", "household_address", "age_years"], sp)
    assert opts.addresses == {1} and set(opts.names) == {0}
    assert opts.of(1) != opts.of(2)
