"""Photographed pages (issue 21): the cleanup's capture step finds the page on its desk, warps it to a
rectangle, brings it to the working resolution and flattens its light, and leaves flat scans alone.
The photographs are made here from a committed sample page by a perspective warp (a camera at a slant
over a page on a desk) and a shadow: properties of photographs, not of the generator."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.kernel.thresholds import LOW_RESOLUTION, PHOTOGRAPH, SCAN
from pipeline.page.cleanup import (
    RULINGS_CONVERGE_DEG,
    WORK_LONG_SIDE,
    CleanupSettings,
    clean_page,
    correct_capture,
    find_page_quad,
    is_bilevel,
    keystone_kept,
    level_lines,
    quad_problem,
    rectify,
    ruling_convergence_deg,
)
from pipeline.page.layout import find_grid, find_grid_or_text
from pipeline.page.routing import capture_kind

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ledgers" / "cremation_longkou_2016.tiff"


@pytest.fixture(scope="module")
def flat() -> np.ndarray:
    img = cv2.imread(str(SAMPLE), cv2.IMREAD_COLOR)
    assert img is not None
    img.setflags(write=False)  # shared by the module's tests: none may change it
    return img


@pytest.fixture(scope="module")
def cleaned():
    """clean_page of an image, made once per module for each image asked for (known by its bytes): the
    flat scan and the blurred photograph are each looked at by several tests, and the cleanup of a page
    enlarged to the working resolution is a test's dearest step after the recognizer. The arrays of a
    cleaned page are read-only (shared); clean_page is deterministic, so each test sees what its own
    call would give, whatever ran before it."""
    import hashlib

    memo: dict[tuple, object] = {}

    def clean(image: np.ndarray):
        key = (image.shape, hashlib.sha1(np.ascontiguousarray(image)).hexdigest())
        if key not in memo:
            page = clean_page(image)
            page.image.setflags(write=False)
            memo[key] = page
        return memo[key]

    return clean


def _photograph(
    page: np.ndarray, *, keystone: float, turn_deg: float, frame_scale: float = 1.0, shadow: float = 0.0, share: float = 0.86
):
    """The page as a camera frames it on a grey-brown desk: shrunk to `share` of the frame, its top edge
    drawn in by `keystone` of its short side, turned `turn_deg`; the frame then resized by
    `frame_scale` (a lower-resolution camera) and a shadow taking `shadow` of the light off its left
    third. Returns the photograph and the page's true corners in it (tl, tr, br, bl)."""
    h, w = page.shape[:2]
    c = np.array([w / 2, h / 2])
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    dst = (src - c) * share + c
    a = keystone * min(w, h)
    dst[0] += [a, 0.3 * a]
    dst[1] += [-a, 0.3 * a]
    t = np.radians(turn_deg)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    dst = ((dst - c) @ rot.T + c) * frame_scale
    size = (int(round(w * frame_scale)), int(round(h * frame_scale)))
    m = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32))
    out = cv2.warpPerspective(page, m, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=(70, 95, 120))
    if shadow:
        x = np.linspace(0, 1, size[0])[None, :]
        light = 1 - shadow * np.clip((0.33 - x) / 0.08 + 0.5, 0, 1)  # a penumbra 8 % of the frame wide
        out = np.clip(out.astype(np.float32) * light[..., None], 0, 255).astype(np.uint8)
    return out, dst


def test_the_page_of_a_photograph_is_found_and_warped_rectangle_true(flat):
    photo, truth = _photograph(flat, keystone=0.07, turn_deg=4.0, shadow=0.4)
    quad = find_page_quad(photo)
    assert quad is not None
    assert np.abs(quad.corners - truth).max() < 4.0  # px, in a 2339 px frame
    out, step = correct_capture(photo)
    assert step.result["warped"] is True
    assert capture_kind([step.to_dict()]) == PHOTOGRAPH  # what routing reads from the stored steps
    # the true page corners land on the output's corners: the page is a rectangle again
    m = np.asarray(step.result["matrix"], np.float64)
    corners = cv2.perspectiveTransform(truth.reshape(-1, 1, 2), m).reshape(-1, 2)
    oh, ow = out.shape[:2]
    assert np.abs(corners - [[0, 0], [ow - 1, 0], [ow - 1, oh - 1], [0, oh - 1]]).max() < 5.0
    # and the shadow is gone: paper under it as white as paper in the light (within a few levels)
    gray = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)
    paper = gray > 200
    left, right = gray[:, : ow // 5][paper[:, : ow // 5]], gray[:, -ow // 5 :][paper[:, -ow // 5 :]]
    assert abs(float(np.median(left)) - float(np.median(right))) < 8
    before = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    assert float(np.median(before[:, ow // 8 : ow // 5])) < 200  # it was there before


def test_a_low_resolution_capture_is_brought_to_the_working_resolution(flat):
    photo, _truth = _photograph(flat, keystone=0.05, turn_deg=-3.0, frame_scale=0.75)  # a 150 dpi capture
    out, step = correct_capture(photo)
    assert step.result["warped"] is True and step.result["upsample"] > 1.1
    assert abs(max(out.shape[:2]) - WORK_LONG_SIDE) <= 2


def test_a_low_resolution_capture_whose_outline_is_not_found_is_still_brought_to_the_working_resolution(flat):
    """A 150 dpi photograph whose page runs out of the frame (no outline to find): the text is as small
    as on a capture whose page was found, so the frame is enlarged to the working resolution all the
    same (before, it was read at 150 dpi: headers of 8-10 px that the recognizer could not read)."""
    photo, _truth = _photograph(flat, keystone=0.04, turn_deg=3.0, frame_scale=0.75, share=1.04, shadow=0.3)
    assert find_page_quad(photo) is None
    out, step = correct_capture(photo)
    assert step.result["page_found"] is False and step.result["upsample"] > 1.1
    assert abs(max(out.shape[:2]) - WORK_LONG_SIDE) <= 2
    assert capture_kind([step.to_dict()]) == LOW_RESOLUTION
    # at most CAPTURE_MAX_UPSAMPLE: a 100 dpi frame is doubled, not brought all the way
    tiny = cv2.resize(flat, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)
    out, step = correct_capture(tiny)
    assert step.result["upsample"] == 2.0 and max(out.shape[:2]) == 2 * max(tiny.shape[:2])
    # a blank sheet has nothing to read: enlarging it would only grow its grain into character-sized blobs
    blank = np.full_like(photo, 226)
    blank[::7, ::5] = 221  # the paper's grain
    out, step = correct_capture(blank)
    assert out is blank and "upsample" not in step.result


def test_a_photograph_in_dim_uneven_light_whose_outline_is_not_found_is_still_brought_to_the_working_resolution(flat):
    """A 150 dpi photograph whose page runs out of the frame, taken in dim light with a shadow over one side
    and the phone's blur: its ink stands only some 40 grey levels under the frame's median, yet a tenth or
    more under the paper beside it, so it is enlarged as any low-resolution capture (before, it was read at
    150 dpi as a scan, and its grid lost columns). A blank sheet in the same light, with a sensor's noise,
    is still left as it came."""
    photo, _truth = _photograph(flat, keystone=0.04, turn_deg=3.0, frame_scale=0.75, share=1.04, shadow=0.3)
    dim = np.clip(75 + 0.25 * cv2.GaussianBlur(photo.astype(np.float32), (0, 0), 1.5), 0, 255).astype(np.uint8)
    assert find_page_quad(dim) is None
    out, step = correct_capture(dim)
    assert step.result["page_found"] is False and step.result["upsample"] > 1.1
    assert abs(max(out.shape[:2]) - WORK_LONG_SIDE) <= 2
    assert capture_kind([step.to_dict()]) == LOW_RESOLUTION
    paper, _truth = _photograph(np.full_like(flat, 235), keystone=0.04, turn_deg=3.0, frame_scale=0.75, share=1.04, shadow=0.3)
    noise = np.random.default_rng(5).normal(0, 6, paper.shape)
    blank = np.clip(75 + 0.25 * paper.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    out, step = correct_capture(blank)
    assert out is blank and "upsample" not in step.result


def test_a_flat_scan_is_left_as_it_came(flat):
    out, step = correct_capture(flat)
    assert step.result["page_found"] is False
    assert out is flat
    assert capture_kind([step.to_dict()]) == SCAN


def test_a_photograph_whose_outline_is_not_found_is_routed_as_a_photograph_by_its_converging_rulings(flat):
    """A page photographed at a slant and running out of the frame (no outline to find), at scan
    resolution: nothing enlarges it, but its rulings converge as a camera's central projection draws
    them, so it is routed as the photograph it is (its records held or thresholded as photographs), not
    as a scan (design phone copies: 6 of 90 pages were, their misreads open to auto-acceptance). The
    same sheet scanned turned 3 degrees, even not quite square, keeps parallel rulings: a scan."""
    photo, _truth = _photograph(flat, keystone=0.06, turn_deg=2.0, share=1.04)
    assert find_page_quad(photo) is None
    out, step = correct_capture(photo)
    assert out is photo and "upsample" not in step.result  # read as it came
    assert step.result["rulings_converge_deg"] >= RULINGS_CONVERGE_DEG
    assert capture_kind([step.to_dict()]) == PHOTOGRAPH
    for turn in (0.0, 3.0, -3.0):
        scan, _truth = _photograph(flat, keystone=0.0, turn_deg=turn, share=1.04)
        out, step = correct_capture(scan)
        assert step.result["page_found"] is False
        assert step.result["rulings_converge_deg"] < 1.0
        assert capture_kind([step.to_dict()]) == SCAN
    # a page without rulings tells nothing: None, and a scan
    assert ruling_convergence_deg(np.full((1240, 1754, 3), 240, np.uint8)) is None
    assert capture_kind([{"name": "capture", "result": {"page_found": False, "rulings_converge_deg": None}}]) == SCAN


def test_a_page_square_on_a_dark_scanner_lid_is_not_warped(flat):
    """A page turned 2 degrees on a scanner's dark lid, filling 96 % of it: its outline is found but is a
    rectangle (the deskew turns it) at scan resolution: nothing is done."""
    photo, _truth = _photograph(flat, keystone=0.0, turn_deg=2.0, share=0.96)
    out, step = correct_capture(photo)
    assert step.result["page_found"] is True and step.result["warped"] is False
    assert out is photo
    assert capture_kind([step.to_dict()]) == SCAN


def test_a_sheet_askew_on_a_scanner_lid_is_routed_as_a_scan_though_warped(flat):
    """A sheet lying askew and not quite flat on a flatbed's grey lid (its corners 2.5 % of its short
    side off a rectangle, turned 1.5 degrees), at scan resolution, covering 92 % of the glass, evenly
    lit: the cleanup warps it like a photograph, but it is a scan (routing.sheet_on_scanner_glass),
    routed by the thresholds fitted on scans. Before, its records were all held as a photographed
    page's (typed_sheets seed 3313: 12 records held by that reason alone, every field right). The same
    page photographed stays a photograph: shaded, or taken by a lower-resolution camera and enlarged,
    or framed with the desk around it."""
    scan, _truth = _photograph(flat, keystone=0.025, turn_deg=1.5, share=0.95)
    _out, step = correct_capture(scan)
    assert step.result["page_found"] is True and step.result["warped"] is True
    assert step.result["upsample"] == 1.0 and step.result["area_share"] >= 0.85
    assert capture_kind([step.to_dict()]) == SCAN
    shaded, _ = _photograph(flat, keystone=0.025, turn_deg=1.5, share=0.95, shadow=0.4)
    enlarged, _ = _photograph(flat, keystone=0.025, turn_deg=1.5, share=0.95, frame_scale=0.75)
    on_a_desk, _ = _photograph(flat, keystone=0.025, turn_deg=1.5, share=0.8)
    for photo in (shaded, enlarged, on_a_desk):
        _out, step = correct_capture(photo)
        assert step.result["page_found"] is True
        assert capture_kind([step.to_dict()]) == PHOTOGRAPH, step.result


def test_a_page_scanned_in_1bit_is_never_warped_as_a_photograph(flat):
    """A 1-bit page (a scanner's threshold) whose outline shows a keystone against a dark border: no camera
    frame is 1-bit, so it is not warped nor taken for a photograph; it is cleaned as a 1-bit scan (its
    specks removed, routed as a scan). The same frame in grey is still warped."""
    photo, _truth = _photograph(flat, keystone=0.05, turn_deg=1.0, share=0.95)
    gray = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    onebit = cv2.cvtColor(np.where(gray < 150, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    assert is_bilevel(onebit)
    _out, step = correct_capture(onebit, bilevel=True)
    assert step.result["page_found"] is True and step.result["warped"] is False
    assert capture_kind([step.to_dict()]) == SCAN
    steps = {st.name: st for st in clean_page(onebit).steps}
    assert steps["capture"].result["warped"] is False
    assert steps["denoise"].settings["method"] == "bilevel_specks"
    _out, step = correct_capture(photo)
    assert step.result["warped"] is True  # the same frame in grey: warped to a rectangle


def test_the_grid_of_a_photographed_page_is_the_drawn_one(flat):
    """Cleanup and layout as a whole on the photograph of a committed page, keystoned 8 %, turned 5
    degrees, shaded and at 150 dpi: the table's grid has the drawn rows and columns."""
    truth = json.loads(SAMPLE.with_suffix(".gt.json").read_text(encoding="utf-8"))["pages"][0]["grid"]
    photo, _corners = _photograph(flat, keystone=0.08, turn_deg=5.0, frame_scale=0.75, shadow=0.4)
    clean = clean_page(photo)
    assert clean.steps[0].name == "capture" and clean.steps[0].result["warped"] is True
    grid = find_grid(clean.image, clean.table_box)
    assert (grid.n_rows, grid.n_cols) == (len(truth["y"]) - 1, len(truth["x"]) - 1)


def _cells_read_exactly(clean) -> tuple[int, int]:
    """Cells of the committed page read exactly (as a multiset of texts, spaces ignored) from the
    cleaned image `clean` (clean_page's) through the layout and the recognizer, and the cells the page holds."""
    from collections import Counter

    from ocr.registry import get_engine
    from pipeline.page.extract import read_cells

    page = json.loads(SAMPLE.with_suffix(".gt.json").read_text(encoding="utf-8"))["pages"][0]
    truth = Counter(str(t).replace(" ", "") for row in page["rows"] for t in row["cells"] if str(t).strip())
    grid = find_grid(clean.image, clean.table_box)
    cells = [(r, c) for r in range(grid.n_rows) for c in range(grid.n_cols)]
    out = read_cells(clean.image, grid, get_engine("ppocr"), cells)
    read = Counter(v.text.replace(" ", "") for v in out.values() if v.text.strip())
    return sum((read & truth).values()), sum(truth.values())


def _blurred_small_photograph(flat: np.ndarray, frame_scale: float = 0.6, blur: float = 1.0) -> np.ndarray:
    """The committed page photographed at a slant with a phone, small in its frame (about 100 dpi on
    the page at 0.6: enlarged 2x to the working resolution) and out of focus by `blur` px (the lens)."""
    photo, _corners = _photograph(flat, keystone=0.06, turn_deg=3.0, frame_scale=frame_scale, shadow=0.3)
    return cv2.GaussianBlur(photo, (0, 0), blur)


def test_the_strokes_of_a_blurred_photograph_are_not_thickened_to_blobs(flat, cleaned):
    """The scan's contrast stretch (darkest ink to black) is not applied to a photograph: there it would
    darken the lens's blur around every stroke too. The share of ink in the table's cells of the
    cleaned photograph stays near the flat scan's (before: 1.6x it, strokes run together)."""

    def ink_share(image: np.ndarray) -> float:
        from pipeline.page.layout import INK_CONTRAST, cell_inner

        clean = cleaned(image)
        grid = find_grid(clean.image, clean.table_box)
        inner = [
            cell_inner(clean.image, grid.cell_box(r, c), margin=6) for r in range(1, grid.n_rows) for c in range(grid.n_cols)
        ]
        return sum(int((x < 255 - INK_CONTRAST).sum()) for x in inner) / sum(x.size for x in inner)

    photo = _blurred_small_photograph(flat)
    steps = {s.name: s for s in cleaned(photo).steps}
    assert steps["capture"].result["page_found"] is True and steps["illumination"].result["ink_to"] > 0
    assert ink_share(photo) <= 1.25 * ink_share(flat)


@pytest.mark.parametrize(("frame_scale", "blur"), [(0.6, 1.0), (0.5, 0.8)])
def test_a_blurred_photograph_taken_small_is_read(flat, cleaned, frame_scale, blur):
    """A page photographed small and a little out of focus, enlarged to the working resolution: the
    enlargement's blur is taken off (unsharp mask), its strokes are not stretched to black nor their
    gaps filled by a median, so the recognizer reads most of its cells exactly (of 171; before: 128 and
    110, now 150 and 146; a flat scan of it: 166)."""
    photo = _blurred_small_photograph(flat, frame_scale, blur)
    read, cells = _cells_read_exactly(cleaned(photo))
    assert read >= 0.8 * cells
    steps = {s.name: s for s in cleaned(photo).steps}
    assert steps["capture"].result["upsample"] > 1.5 and steps["capture"].result["sharpened_sigma_px"] > 0
    assert steps["denoise"].settings["method"] == "none"


def test_a_scan_at_scan_resolution_is_not_sharpened_nor_stretched_otherwise(flat, cleaned):
    """A flat scan at 200 dpi goes through the cleanup as before: no mask, the stretch to black, the median."""
    clean = cleaned(flat)
    steps = {s.name: s for s in clean.steps}
    assert "sharpened_sigma_px" not in steps["capture"].result
    assert "ink_to" not in steps["illumination"].result and "photograph_ink_level" not in steps["illumination"].settings
    assert steps["denoise"].settings["method"] == "median"


def _slanted_photograph(flat: np.ndarray, keystone: float) -> np.ndarray:
    """A photograph taken with the camera over the page's left side and slanted towards its right: the
    far (right) side of the page drawn in by `keystone` of its long side at each corner, the page running
    out of the frame (its outline is not found), shaded. _photograph draws in the top side: the page is
    photographed on its side and turned back."""
    side, _corners = _photograph(np.ascontiguousarray(np.rot90(flat, 1)), keystone=keystone, turn_deg=3.0, share=1.04, shadow=0.3)
    return np.ascontiguousarray(np.rot90(side, -1))


@pytest.mark.parametrize("keystone", [0.08, 0.12])
def test_a_table_photographed_at_a_slant_keeps_its_drawn_rows_and_columns(flat, keystone):
    """The table's far side 16-24 % shorter than its near side (a phone held at a slant), the page's own
    outline out of the frame: the table's outline was found but rejected for its sides' difference, the
    page was only deskewed, and its horizontal lines, fanning out, were no longer level: before, the grid
    came from the text (rows lost or run together, 8-12 of 13 found). The table's outline is kept where
    the warp makes its ruling level (keystone_kept): every drawn row and column is found."""
    truth = json.loads(SAMPLE.with_suffix(".gt.json").read_text(encoding="utf-8"))["pages"][0]["grid"]
    photo = _slanted_photograph(flat, keystone)
    assert find_page_quad(photo) is None  # nothing but the table's own outline to go by
    clean = clean_page(photo)
    rect = next(s for s in clean.steps if s.name == "rectify").result
    assert "sides differ" in rect["keystone"] and "fallback" not in rect
    grid = find_grid_or_text(clean.image, clean.table_box, clean.ruling)
    assert grid.source == "ruling"
    assert (grid.n_rows, grid.n_cols) == (len(truth["y"]) - 1, len(truth["x"]) - 1)


def test_a_quad_that_skews_the_ruling_is_not_taken_for_a_slanted_table(flat, cleaned):
    """A quad whose sides differ but that is not the table seen at a slant (a paper's edge joined to the
    ruling of a level table): warped by it, the level table's lines run askew, so fewer lines run level
    than on the page left as it is, and the page is deskewed instead (as before)."""
    gray = cleaned(flat).image  # the scan cleaned: its table level
    h, w = gray.shape
    joined = np.array([[60, 150], [w - 60, 150 + 0.1 * h], [w - 60, h - 150 - 0.1 * h], [60, h - 150]], np.float32)
    assert "sides differ" in (quad_problem(joined) or "")
    warped, box, _step = rectify(gray, joined)
    on_warp, as_is = level_lines(warped, box), level_lines(gray)
    assert as_is[0] >= 4 and as_is[1] >= 3
    assert not keystone_kept(on_warp, as_is)


def test_a_page_whose_table_outline_was_found_but_not_its_rows_says_so(tmp_path):
    """A page without rows whose cleanup found a ruled table's outline is a register page lost, not a
    blank page, a letter or a cover: its problem says what was found and what to do (photograph or scan
    it again, or key it in), Chinese first. Before, it was told to check whether it was a cover."""
    from sqlalchemy import select

    from pipeline.cli.main import format_summary
    from pipeline.kernel.config import Settings
    from pipeline.kernel.reasons import reason_zh
    from pipeline.kernel.store import Page, Store
    from pipeline.page.extract import TABLE_WITHOUT_ROWS
    from pipeline.runs.stages import run_folder

    page = np.full((1654, 2339, 3), 250, np.uint8)
    x0, y0, x1, y1 = 200, 300, 2100, 1400  # a ruled outline with one line across and four down: no rows
    cv2.rectangle(page, (x0, y0), (x1, y1), (40, 40, 40), 3)
    cv2.line(page, (x0, 380), (x1, 380), (40, 40, 40), 2)
    for x in (500, 900, 1300, 1700):
        cv2.line(page, (x, y0), (x, y1), (40, 40, 40), 2)
    scans = tmp_path / "scans"
    scans.mkdir()
    cv2.imwrite(str(scans / "page_001.png"), page)
    settings = Settings(data_dir=str(tmp_path / "d"))
    summary = run_folder(scans, settings)
    store = Store.open(settings)
    with store.session() as s:
        (p,) = s.scalars(select(Page)).all()
        status, error = p.status, p.error or ""
    store.dispose()
    assert status == "no_table"
    assert "outline was found but not its rows" in error
    assert "no ruled table found" not in error and "too few ruling lines inside the table's outline (" in error
    assert error.endswith(TABLE_WITHOUT_ROWS) and "a blank page, a letter or a cover" not in error
    # what `backfill run` prints: the Chinese reason first (pipeline.kernel.reasons), the English after
    (problem,) = summary.pages_problem
    assert problem["reason"] == "table_without_rows"
    line = next(x for x in format_summary(summary.to_dict(), settings).splitlines() if "page_001.png" in x)
    said = line.split("] ", 1)[1]
    assert said.startswith(reason_zh("table_without_rows")) and "请将该页放平摆正后重新拍摄或扫描" in said
    assert "空白页、信函还是封面" not in said and TABLE_WITHOUT_ROWS.removeprefix("; ") in said


def _hard_shadow(img: np.ndarray, strength: float, soft: float, angle_deg: float, at: float) -> np.ndarray:
    """A hard shadow (a hand or a phone between the lamp and the page) over the part of the frame above
    a straight edge through (w / 2, `at` of the height), tilted `angle_deg`: `strength` of the light
    taken off, its penumbra `soft` px wide."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = np.radians(angle_deg)
    d = (yy - at * h) * np.cos(t) - (xx - w / 2) * np.sin(t)  # signed distance to the edge
    light = 1 - strength * np.clip(0.5 - d / max(soft, 0.5), 0, 1)
    return np.clip(img.astype(np.float32) * light[..., None], 0, 255).astype(np.uint8)


def _grid_of(photo: np.ndarray):
    clean = clean_page(photo)
    rect = next(s for s in clean.steps if s.name == "rectify").result
    return rect, find_grid_or_text(clean.image, clean.table_box, clean.ruling)


@pytest.mark.parametrize("strength, soft, angle", [(0.6, 2, 1.5), (0.6, 2, 88.0)])
def test_a_hard_shadow_edge_across_the_table_is_no_ruling_line(flat, strength, soft, angle):
    """A 150 dpi photograph whose page's outline is not found (the desk as light as the paper), a hard
    shadow's edge (penumbra 2-6 px) running along the ruling or across it: the edge was binarized into a
    long line that joined the table to the frame's edge, the table's outline was lost and the grid,
    searched on the whole page, gained 2-4 columns (17-19 of 15). A shadow's edge has paper in light on
    one side only (step_pixels): the table's outline is found and its drawn rows and columns are."""
    truth = json.loads(SAMPLE.with_suffix(".gt.json").read_text(encoding="utf-8"))["pages"][0]["grid"]
    base, corners = _photograph(flat, keystone=0.03, turn_deg=2.0, frame_scale=0.75, share=0.95)
    page = np.zeros(base.shape[:2], np.uint8)
    cv2.fillPoly(page, [corners.astype(np.int32)], 1)
    base[page == 0] = (228, 230, 232)  # a desk as light as the paper
    photo = _hard_shadow(base, strength, soft, angle, 0.45 if angle < 45 else 0.5)
    assert find_page_quad(photo) is None
    rect, grid = _grid_of(photo)
    assert rect.get("table_found") is not False and "fallback" not in rect
    assert grid.source == "ruling"
    assert (grid.n_rows, grid.n_cols) == (len(truth["y"]) - 1, len(truth["x"]) - 1)


def test_a_table_whose_ruling_runs_out_of_the_frame_keeps_its_outline(flat):
    """A 150 dpi photograph of a page a little larger than the frame: the page's bottom line runs past
    the table and out of the frame, so the table's lines touched the frame's edge and its outline was
    not taken (the grid, searched on the whole page, found 17 columns of 15). The lines are cut back
    from the frame's edge (FRAME_MARGIN) where no table is found inside it: the outline is found, and
    the drawn rows and columns."""
    truth = json.loads(SAMPLE.with_suffix(".gt.json").read_text(encoding="utf-8"))["pages"][0]["grid"]
    photo, _ = _photograph(flat, keystone=0.03, turn_deg=2.0, frame_scale=0.75, share=1.04)
    rect, grid = _grid_of(photo)
    assert rect.get("table_found") is not False and "fallback" not in rect
    assert grid.source == "ruling"
    assert (grid.n_rows, grid.n_cols) == (len(truth["y"]) - 1, len(truth["x"]) - 1)


def test_a_thin_ruling_line_beside_a_shadow_edge_is_still_a_line():
    """A ruled table (lines 2 px, a grey of printed ink) whose top line runs in a hard shadow 14 px from
    its edge, the edge crossing the whole frame and the table's columns: the shadow's edge is no line
    (before, it joined the table to the frame's edge and no outline was found), the ruling line beside
    it is, and is the table's top side."""
    h, w = 1654, 2339
    page = np.full((h, w), 232, np.uint8)
    top, bottom, left, right = 300, 1500, 150, 2190
    for y in range(top, bottom + 1, 100):
        page[y : y + 2, left : right + 2] = 50
    for x in range(left, right + 1, 170):
        page[top : bottom + 2, x : x + 2] = 50
    page = cv2.GaussianBlur(page, (0, 0), 0.8)
    photo = _hard_shadow(cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), 0.55, 2, 0.0, (top + 14) / h)
    clean = clean_page(photo, CleanupSettings(capture=False))
    rect = next(s for s in clean.steps if s.name == "rectify").result
    assert rect.get("table_found") is not False and "fallback" not in rect
    quad = np.asarray(rect["quad"])
    assert np.abs(quad[:2, 1] - top).max() < 4  # its top side is the ruling line, not the shadow's edge
    assert np.abs(quad[2:, 1] - bottom).max() < 4
    ink = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY) < 128
    assert ink[top, w // 2] and ink[top + 10, w // 2] and not ink[top + 20, w // 2]  # the line in the shadow


def _grainy_cell(seed: int, text: str | None = None) -> np.ndarray:
    """A cell of a photographed page as the recognizer's crop is cut from it: paper with the camera's
    sensor grain (independent per pixel, sigma 12 levels), a few digits printed, the frame enlarged 4/3 to
    the working resolution and sharpened, as correct_capture does with a 150 dpi photograph."""
    from pipeline.page.cleanup import sharpen_enlarged

    rng = np.random.default_rng(seed)
    cap = np.clip(200 + rng.normal(0, 12, (60, 75)), 0, 255).astype(np.uint8)
    if text:
        cv2.putText(cap, text, (12, 38), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 60, 1, cv2.LINE_AA)
    return sharpen_enlarged(cv2.resize(cap, None, fx=4 / 3, fy=4 / 3, interpolation=cv2.INTER_CUBIC))


@pytest.mark.parametrize("seed", range(6))
def test_the_grain_of_a_photograph_is_no_line_of_text(seed):
    """A photograph's grain is specks, not strokes (layout.SPECK_PIXELS): a blank cell gives no text line
    (before: a line of grain in every such cell, read as letters and digits, in the 备注 column of the
    design photos), and a written cell one line around its text, not a taller one or a second line
    of grain (before: split in two on most seeds, the digits cut in half)."""
    from pipeline.page.layout import text_line_bands

    assert text_line_bands(_grainy_cell(seed)) == []
    bands = text_line_bands(_grainy_cell(seed, "1574"))
    assert len(bands) == 1
    (b0, b1) = bands[0]
    assert 20 <= b0 <= 30 and 52 <= b1 <= 64  # the digits are rows 34-50 of the crop, padded by 8


@pytest.mark.parametrize("seed", range(6))
def test_the_grain_of_a_photograph_is_no_faint_ink(seed):
    """Nor is the grain faint ink (layout.FAINT_NOISE_SIGMAS): a blank cell of a grainy photograph is a
    blank, not "faint strokes" stretched and read as letters (before: every such cell, 171 of the 322
    cells without a text line on seed 4403's design photos). Faint strokes on a scan's quiet paper are
    still found (tests/test_robust_layout.py::test_faint_pen_strokes_are_not_a_sure_blank)."""
    from pipeline.page.layout import faint_ink

    assert faint_ink(_grainy_cell(seed)) == 0


def test_a_blank_cell_of_grainy_paper_is_not_read_and_not_a_sure_blank():
    """Where the grain could hide faint pen strokes (layout.faint_counts), a cell that shows none is
    neither read (its grain, stretched, was read as letters) nor a sure blank (the issue: blank at high
    confidence only where the stricter ink test can tell): it is an unsure blank (FAINT_BLANK), held for
    a look. The written cell beside it is read as before."""
    from pipeline.page.cleanup import sharpen_enlarged
    from pipeline.page.extract import line_crops
    from pipeline.page.layout import Grid

    rng = np.random.default_rng(7)
    cap = np.clip(200 + rng.normal(0, 12, (90, 195)), 0, 255).astype(np.uint8)
    cv2.putText(cap, "1574", (110, 55), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 60, 1, cv2.LINE_AA)
    gray = sharpen_enlarged(cv2.resize(cap, None, fx=4 / 3, fy=4 / 3, interpolation=cv2.INTER_CUBIC))
    for y in (5, 114):
        gray[y : y + 2, :] = 40
    for x in (5, 128, 254):
        gray[:, x : x + 2] = 40
    grid = Grid(rows=(5, 114), cols=(5, 128, 254))
    crops, owners, unsure = line_crops(gray, grid, [(0, 0), (0, 1)])
    assert set(owners) == {(0, 1)}  # only the written cell gives a line to read
    assert unsure == {(0, 0)}  # the blank one is an unsure blank


def test_grainy_photo_lines_reach_the_recognizer_denoised():
    """A written cell of a photographed page on grainy paper (a phone's sensor grain, enlarged and sharpened)
    gives the recognizer its line with the grain taken out (layout.denoise_grain, GRAIN_DENOISE), the line
    where it was found on the cell as it is; a scan's cell (photo=False), and a quiet cell even on a photo,
    give exactly the crop they gave before."""
    from pipeline.page.cleanup import sharpen_enlarged
    from pipeline.page.extract import line_crops
    from pipeline.page.layout import GRAINY_PAPER, Grid, paper_noise

    rng = np.random.default_rng(11)
    cap = np.clip(200 + rng.normal(0, 12, (90, 195)), 0, 255).astype(np.uint8)
    cv2.putText(cap, "1574", (110, 55), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 40, 2, cv2.LINE_AA)
    gray = sharpen_enlarged(cv2.resize(cap, None, fx=4 / 3, fy=4 / 3, interpolation=cv2.INTER_CUBIC))
    quiet = np.full((gray.shape[0], 120), 235, np.uint8)  # a scan's paper beside it
    cv2.putText(quiet, "1574", (10, 55), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 40, 2, cv2.LINE_AA)
    gray = np.hstack([gray, quiet])
    grid = Grid(rows=(5, 114), cols=(128, 254, 370))
    as_scan, owners, _u = line_crops(gray, grid, [(0, 0), (0, 1)])
    as_photo, owners_photo, _u2 = line_crops(gray, grid, [(0, 0), (0, 1)], photo=True)
    assert owners == owners_photo == [(0, 0), (0, 1)]
    grainy, quiet_line = as_scan
    assert paper_noise(grainy) >= GRAINY_PAPER
    assert as_photo[0].shape == grainy.shape  # the same line, cut at the same place
    assert paper_noise(as_photo[0]) < 0.5 * paper_noise(grainy)  # its grain taken out
    assert np.array_equal(as_photo[1], quiet_line)  # quiet paper: the crop as it was


class _ThresholdDetector:
    """A text detector with a fixed threshold, like PP-OCR's DBNet (0.3 on its probability map): it sees
    the strip's text only where the text is darker than level 100, and then reads the title."""

    name = "_test_threshold"

    def __init__(self) -> None:
        self.calls = 0

    def recognize(self, image: np.ndarray) -> list:
        from pipeline.kernel.models import OcrPiece

        self.calls += 1
        if float(image.min()) >= 100:
            return []
        return [OcrPiece("龙口市殡仪馆火化登记簿（2011年）", 0.9, (100, 20, 600, 60), self.name)]


def _title_strip(ink: int) -> np.ndarray:
    strip = np.full((120, 800), 248, np.uint8)
    cv2.putText(strip, "TITLE OF THE REGISTER", (100, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, ink, 3)
    return np.vstack([strip, np.full((200, 800), 248, np.uint8)])


def test_a_title_printed_light_grey_that_the_detector_misses_is_read_with_its_ink_made_dark():
    """A photograph's title left light grey (normalize_illumination(photograph=True)) under the
    detector's fixed threshold is read again with its ink made dark (extract.read_title); a title
    detected at once is read once, as before, and a strip of blank paper is not read again.
    (camera_capture seed 4401, longkou 2011 page 3: the title undetected at bf16, the page lost.)"""
    from pipeline.page.extract import read_title
    from pipeline.page.layout import Grid

    grid = Grid(rows=(130, 200, 300), cols=(10, 400, 790))
    light = _ThresholdDetector()
    assert read_title(_title_strip(180), grid, light) == "龙口市殡仪馆火化登记簿（2011年）"
    assert light.calls == 2
    dark = _ThresholdDetector()
    assert read_title(_title_strip(40), grid, dark) == "龙口市殡仪馆火化登记簿（2011年）"
    assert dark.calls == 1
    blank = _ThresholdDetector()
    assert read_title(np.full((320, 800), 248, np.uint8), grid, blank) == ""
    assert blank.calls == 1


class _HeaderReader:
    """A recognizer that reads a header crop by its width (which cell it is) and by whether its paper is
    still grainy (cut as it is) or quiet (denoised): `as_is` and `denoised` give, per crop width, the text."""

    name = "_test_header"

    def __init__(self, as_is: dict[int, str], denoised: dict[int, str]) -> None:
        self.as_is, self.denoised, self.widths = as_is, denoised, []

    def recognize_crops(self, crops: list) -> list:
        from pipeline.kernel.models import OcrPiece
        from pipeline.page.layout import GRAINY_PAPER, paper_noise

        out = []
        for crop in crops:
            w = crop.shape[1]
            self.widths.append(w)
            # the test's grain is 20 levels as it is, under 10 denoised (test_grainy_photo_lines_reach_the_recognizer_denoised)
            table = self.as_is if paper_noise(crop) >= 2 * GRAINY_PAPER else self.denoised
            out.append(OcrPiece(table.get(w, ""), 0.8, (0, 0, w, crop.shape[0]), self.name))
        return out


def _grainy_header(widths: tuple[int, ...], quiet: tuple[int, ...] = ()) -> tuple[np.ndarray, object]:
    """A photographed header row of cells `widths` px wide, each with a bold word on grainy paper (sigma 12,
    enlarged and sharpened), except the cells in `quiet`, on a scan's quiet paper."""
    from pipeline.page.cleanup import sharpen_enlarged
    from pipeline.page.layout import Grid

    rng = np.random.default_rng(5)
    cols = [5]
    for w in widths:
        cols.append(cols[-1] + w)
    h = 120
    cap = np.clip(200 + rng.normal(0, 12, (h * 3 // 4, cols[-1] * 3 // 4 + 10)), 0, 255).astype(np.uint8)
    gray = sharpen_enlarged(cv2.resize(cap, None, fx=4 / 3, fy=4 / 3, interpolation=cv2.INTER_CUBIC))[:h, : cols[-1] + 5]
    for c in quiet:
        gray[:, cols[c] : cols[c + 1]] = 235
    for c in range(len(widths)):
        cv2.putText(gray, "Ab", (cols[c] + 20, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 40, 3, cv2.LINE_AA)
    for y in (5, 114):
        gray[y : y + 2, :] = 40
    for x in cols:
        gray[:, x : x + 2] = 40
    return gray, Grid(rows=(5, 114), cols=tuple(cols))


def test_a_grainy_header_cell_keeps_the_reading_that_names_a_column():
    """On a photographed page a header cell of grainy paper is read as it is and denoised
    (extract.read_header, layout.denoise_grain); the reading that names a column better by the spec's
    wordings (headers.header_naming) is kept, whichever it is: 性刻 as it is / 性别 denoised gives 性别,
    性别 as it is / 性制 denoised keeps 性别. A cell of quiet paper is read once. Before: the header was
    read as it is only (性刻)."""
    from mapping.spec import load_spec
    from pipeline.page.extract import read_header

    gray, grid = _grainy_header((123, 140, 157), quiet=(2,))
    engine = _HeaderReader({117: "性刻", 134: "性别", 151: "姓名"}, {117: "性别", 134: "性制", 151: "姓名"})
    head = read_header(gray, grid, engine, load_spec(), photo=True)  # type: ignore[arg-type]
    assert [head[(0, c)].text for c in range(3)] == ["性别", "性别", "姓名"]
    assert sorted(engine.widths) == [117, 117, 134, 134, 151]  # the quiet cell read once


def test_a_scanned_header_is_read_once_as_it_is():
    """A scan's header (photo=False) is read as before: once, as it is, even where its paper is grainy."""
    from mapping.spec import load_spec
    from pipeline.page.extract import read_header

    gray, grid = _grainy_header((123, 140))
    engine = _HeaderReader({117: "性刻", 134: "性别"}, {117: "性别", 134: "性制"})
    head = read_header(gray, grid, engine, load_spec())  # type: ignore[arg-type]
    assert [head[(0, c)].text for c in range(2)] == ["性刻", "性别"]
    assert sorted(engine.widths) == [117, 134]


def test_a_table_photographed_at_a_slant_and_turned_keeps_its_rows_though_a_side_is_tilted(flat):
    """A page photographed on its side at a steep slant, turned a little, on a desk as light as the paper
    (its outline not found): the table's quad has one side tilted 9-10 degrees (its far side shorter and
    askew), more than MAX_QUAD_TILT_DEG allows a scan. Before, a tilted quad was never tried: the page was
    only deskewed, its ruling fanned out and the table was lost ("no ruled table found (1 horizontal and 0
    vertical lines)"; design family camera_capture seed 4418 severity 2.0, a sea-burial page on its side).
    Like a quad whose sides differ, it is kept where its warp makes the ruling level (keystone_kept)."""
    truth = json.loads(SAMPLE.with_suffix(".gt.json").read_text(encoding="utf-8"))["pages"][0]["grid"]
    side = np.ascontiguousarray(np.rot90(flat, 1))
    h, w = side.shape[:2]
    dst = np.float32([[180, 150], [1400, 190], [1570, 2080], [330, 2300]])  # bottom side tilted about 10 degrees
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), dst)
    photo = cv2.warpPerspective(
        side, m, (w, h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=(226, 229, 231)
    )
    assert find_page_quad(photo) is None
    rect, grid = _grid_of(photo)
    assert "tilted" in rect["keystone"] and "fallback" not in rect
    assert grid.source == "ruling"
    assert (grid.n_rows, grid.n_cols) == (len(truth["x"]) - 1, len(truth["y"]) - 1)  # on its side


def _generated_photograph(kind: str, seed: int, home: str, register_page: int, severity: float) -> tuple[np.ndarray, dict]:
    """A 2015 page of the design family camera_capture as `bench_families.py --families camera_capture
    --seed SEED --severity SEVERITY --stage generate` writes it (a 150 dpi photograph stored as JPEG),
    drawn here again: the generator is deterministic (test_families)."""
    from samples.generator import render_page

    img, gt = render_page(
        kind,
        seed=seed,
        home=home,
        year=2015,
        register_page=register_page,
        severity=severity,
        dpi=150,
        family="camera_capture",
    )
    ok, jpeg = cv2.imencode(
        ".jpg", np.asarray(img.convert("RGB"))[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, gt["degradation"]["jpeg_quality"]]
    )
    assert ok
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR), gt


def _oriented_grid(clean):
    """The grid as a run looks for it: after the orientation step (pipeline.page.orientation) has turned
    a page that lay on its side (bench/grid_screen.py)."""
    from pipeline.page.orientation import orient, turn

    gray, box, how = orient(clean.image, clean.table_box, None)
    return how.quarters, find_grid_or_text(gray, box, turn(clean.ruling, None, how.quarters)[0])


def test_a_pale_ruling_photographed_askew_in_a_shadow_gives_its_drawn_grid():
    """A pale red ruling photographed in a shadow, the page turned 6.5 degrees and drawn in by the
    camera's slant, its corner just out of the frame (so its outline is not found), the enlarged
    photograph's grain breaking the binarized lines every few pixels (camera_capture seed 4432,
    severity 1.8, 01_cremation_haiyang_2015 page 4): no table's outline was found (its line pixels too
    few, the lines leaning 1-3 degrees after the page was turned level), and no grid either ("no ruled
    table found (3 horizontal and 0 vertical lines)"): the page's 12 rows lost. The lines are found as
    they lean (slanted_lines: averaged along a segment at each slant, paper on both sides), the table's
    outline fitted to its four outer lines and warped level: its drawn rows and columns are found by the
    ruling."""
    photo, gt = _generated_photograph("cremation", 4432, "haiyang", 36, 1.8)
    want = (len(gt["grid"]["y"]) - 1, len(gt["grid"]["x"]) - 1)
    assert find_page_quad(photo) is None
    clean = clean_page(photo)
    rect = next(s for s in clean.steps if s.name == "rectify").result
    assert rect.get("slanted_lines") is True and "fallback" not in rect
    quarters, grid = _oriented_grid(clean)
    assert quarters == 0 and grid.source == "ruling"
    assert (grid.n_rows, grid.n_cols) == want


def test_a_table_photographed_at_a_steep_slant_on_its_side_keeps_its_rows():
    """A page on its side photographed at a steep slant (its table's far side tilted 8.5 degrees after
    the page was turned level), its outline not found (camera_capture seed 4453, severity 2.0,
    04_sea_burial_longkou_2015 page 1): the table's quad from its binarized lines had a corner off and
    was rejected, the page was only deskewed, and its lines, fanning out, gave no grid ("no ruled table
    found (0 horizontal and 2 vertical lines)"): its 11 rows lost. The deskewed page keeping no ruled
    grid, the table is looked for as its lines lean (slanted_table), the lines that cross too few others
    (the paper's edge) left out, and warped by the outline fitted to them where its lines come out level
    (keystone_kept): every drawn row is found. A stretch of the table's outer line missing beside its
    first two columns (the generator's missing stretch) still runs them together: 13 of 14 columns."""
    photo, gt = _generated_photograph("sea_burial", 4453, "longkou", 18, 2.0)
    assert find_page_quad(photo) is None
    clean = clean_page(photo)
    rect = next(s for s in clean.steps if s.name == "rectify").result
    assert rect.get("slanted_lines") is True and "fallback" not in rect and "quad_rejected" in rect
    quarters, grid = _oriented_grid(clean)
    assert quarters == 1 and grid.source == "ruling"  # the page lay on its side: turned upright
    assert grid.n_rows == len(gt["grid"]["y"]) - 1
    assert grid.n_cols >= len(gt["grid"]["x"]) - 2


def test_enlarged_photo_lines_reach_the_recognizer_at_the_photographs_resolution():
    """A photograph the cleanup enlarged (its capture step's `upsample`, routing.photograph_enlarged) gives the
    recognizer each text line shrunk by area back to the frame's own pixels (extract.at_captured_resolution):
    the line found where it is on the page as it stands, its size the photographed line's, the sharpening's
    halos above the paper averaged away. A scan, or a photograph not enlarged, gives exactly the crop it gave."""
    from pipeline.page.cleanup import sharpen_enlarged
    from pipeline.page.extract import line_crops
    from pipeline.page.layout import Grid
    from pipeline.page.routing import photograph_enlarged

    photo_steps = [{"name": "capture", "result": {"page_found": True, "warped": True, "kernel_px": 60, "upsample": 1.665}}]
    low_res = [{"name": "capture", "result": {"page_found": False, "upsample": 1.5}}]
    scan = [{"name": "capture", "result": {"page_found": False}}]
    flat = [{"name": "capture", "result": {"page_found": True, "warped": True, "upsample": 1.0}}]
    assert photograph_enlarged(photo_steps) == 1.665 and photograph_enlarged(low_res) == 1.5
    assert photograph_enlarged(scan) == photograph_enlarged(flat) == photograph_enlarged([]) == 1.0

    cap = np.full((60, 120), 235, np.uint8)  # a line as photographed, paper 235
    cv2.putText(cap, "1574", (20, 38), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 60, 1, cv2.LINE_AA)
    up = 5 / 3
    gray = sharpen_enlarged(cv2.resize(cap, None, fx=up, fy=up, interpolation=cv2.INTER_CUBIC))
    h, w = gray.shape
    grid = Grid(rows=(0, h - 1), cols=(0, w - 1))
    as_is, owners, _u = line_crops(gray, grid, [(0, 0)], photo=True)
    native, owners_native, _u2 = line_crops(gray, grid, [(0, 0)], photo=True, enlarged=up)
    assert owners == owners_native == [(0, 0)]
    (line,), (small,) = as_is, native
    assert abs(small.shape[0] - line.shape[0] / up) <= 1 and abs(small.shape[1] - line.shape[1] / up) <= 1
    halo = lambda a: int((a > 240).sum()) / a.size  # noqa: E731 - sharpening's overshoot above the paper
    assert halo(small) < halo(line)
    assert int(small.min()) < 150  # the ink is still ink
    same, _o, _u3 = line_crops(gray, grid, [(0, 0)], photo=True, enlarged=1.0)
    assert np.array_equal(same[0], line)


def test_a_faint_grainy_photographed_line_reaches_the_recognizer_cut_to_its_writing():
    """A faint photographed line (ink 35 grey levels under the paper, the sensor's noise over it): the
    engine's trim (ocr.base.trim_to_ink, Otsu) takes the grain for ink and keeps the whole band, so the
    writing would reach the recognizer's 48 px at a fraction of its height. An enlarged photograph's line
    is cut to its writing found on the line smoothed (extract.trim_grainy_line); a line the engine's trim
    cuts as it should is given as it is, and a scan's line (not enlarged) is not touched."""
    from ocr.base import trim_to_ink
    from pipeline.page.extract import line_crops, trim_grainy_line
    from pipeline.page.layout import Grid

    rng = np.random.default_rng(7)
    line = np.full((60, 300), 235, np.uint8)
    cv2.putText(line, "1574", (120, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 200, 2, cv2.LINE_AA)  # faint writing
    line = cv2.GaussianBlur(line, (0, 0), 1.0)  # the lens
    grainy = np.clip(line + rng.normal(0, 6, line.shape), 0, 255).astype(np.uint8)  # the sensor
    _t, (x0, y0, x1, y1) = trim_to_ink(grainy)
    assert (x1 - x0) * (y1 - y0) >= 0.9 * grainy.size  # the premise: the grain read as ink
    cut = trim_grainy_line(grainy)
    assert cut.shape[0] < 30 and 55 <= cut.shape[1] < 75  # the writing (about 55 x 16 px) and its margin

    clean = np.full((60, 300), 235, np.uint8)
    cv2.putText(clean, "1574", (120, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 40, 2, cv2.LINE_AA)
    assert trim_grainy_line(clean) is clean  # the engine's trim finds this line's ink: left to it

    page = np.full((120, 400), 235, np.uint8)
    cv2.putText(page, "1574", (170, 70), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 200, 2, cv2.LINE_AA)
    page = cv2.GaussianBlur(page, (0, 0), 1.2)
    page = np.clip(page + rng.normal(0, 6, page.shape), 0, 255).astype(np.uint8)
    grid = Grid(rows=(0, 119), cols=(0, 399))
    # photo=False: the grain left on the line (denoise_grain takes out only what paper_noise finds)
    (scan_line,), _o, _u = line_crops(page, grid, [(0, 0)], photo=False, enlarged=1.0)
    (photo_line,), _o2, _u2 = line_crops(page, grid, [(0, 0)], photo=False, enlarged=1.25)
    assert scan_line.shape[1] > 300  # a scan's line: the band across the cell, as it was cut
    assert photo_line.shape[1] < 0.4 * scan_line.shape[1] / 1.25  # a photograph's: cut to the writing


def _jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def test_a_phone_jpeg_is_deblocked_before_it_is_enlarged_and_a_lossless_frame_is_not(flat):
    """A 150 dpi photograph saved as a phone saves it (JPEG, quality 70) is enlarged and sharpened to the working
    resolution: its 8 x 8 blocks and the ringing around strokes are averaged out first (cleanup.deblocked_frame),
    at the quality its blocks' DC steps say, so the frame enlarged is nearer the photograph before its encoding.
    The same photograph kept lossless (PNG, TIFF) shows no quantization and is enlarged as it came."""
    from pipeline.page.cleanup import deblocked_frame, jpeg_dc_step

    photo, _truth = _photograph(flat, keystone=0.05, turn_deg=-3.0, frame_scale=0.75)
    rng = np.random.default_rng(47)
    photo = np.clip(photo.astype(np.float32) + rng.normal(0, 4, photo.shape[:2])[..., None], 0, 255).astype(np.uint8)
    phone = _jpeg(photo, 70)
    grey = cv2.cvtColor(phone, cv2.COLOR_BGR2GRAY)
    assert jpeg_dc_step(grey) == 10  # IJG's luminance DC step at quality 70
    _out, step = correct_capture(phone)
    assert step.result["upsample"] > 1.1 and step.result["jpeg_deblocked_quality"] in range(65, 76)
    smoothed, _info = deblocked_frame(phone)
    truth = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY).astype(np.float32)
    before = float(np.abs(grey.astype(np.float32) - truth).mean())
    after = float(np.abs(cv2.cvtColor(smoothed, cv2.COLOR_BGR2GRAY).astype(np.float32) - truth).mean())
    assert after < before
    # lossless: nothing seen, nothing done
    assert jpeg_dc_step(cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)) == 1
    out, step = correct_capture(photo)
    assert "jpeg_dc_step" not in step.result
    same, info = deblocked_frame(photo)
    assert same is photo and info == {}
