"""The ruling lines of a table as long straight runs of ink: one finder for the cleanup and the layout.

The layout's grid (pipeline.page.layout.ruling_lines) and the cleanup's test of a slanted table
(pipeline.page.cleanup.level_lines, keystone_kept) count the same lines: the page's ink (binarize), the
ruling found whole added to it, within the table's box (12 px around it) or the whole page, breaks of a
pixel or two bridged and only runs far longer than any character kept (line_profiles). Each counts the
lines its own way from these profiles. Here, below both, so that neither imports the other (the
cleanup comes before the layout: tests/test_import_graph.py)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BOX_PAD_PX = 12
"""px around a table's box that its lines are looked for in: a line drawn on the box's edge is whole."""
MIN_REGION_PX = 50
"""A region narrower or lower than this holds no ruled table."""
LINE_MIN_PX = 60
"""The shortest run of ink kept as a line: longer than any character at the working resolution. A
longer region keeps runs of a thirtieth of its length (LINE_SHARE_KEPT) at the least."""
LINE_SHARE_KEPT = 30


INK_CONTRAST = 15
"""Grey levels below its neighbourhood's mean a pixel must lie to be ink (binarize)."""
FAINT_RULING_CONTRAST = 8
"""The same for a second look at a page where no ruled table was found (pipeline.page.layout: the
`faint ruling` grid): ruling printed pale grey or faded, 20-25 levels below the paper before the scan's
blur, falls under INK_CONTRAST once blurred. 8 is nearly three times a flatbed scan's paper noise (σ ≈ 3
levels): noise taken for ink at this contrast stays in specks, and only runs far longer than any
character count as lines (line_profiles). Source: a property of printed ruling (long, straight, thin)
and of scans (their noise); no generated page was fitted."""


def binarize(gray: np.ndarray, contrast: int = INK_CONTRAST) -> np.ndarray:
    """Ink = 255 on 0, adaptive to local contrast (faded ink, uneven light)."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY_INV, 31, contrast)


@dataclass(frozen=True)
class LineProfiles:
    """How many pixels of long horizontal runs of ink each row of the region holds (`rows`), and of
    long vertical runs each column (`cols`); the region's top-left corner on the page and its size."""

    rows: np.ndarray
    cols: np.ndarray
    x0: int
    y0: int
    width: int
    height: int
    plumb_per_row: np.ndarray | None = None  # how many pixels of long vertical runs each row of the region holds


@dataclass(frozen=True)
class LineMasks:
    """The long level (`hor`) and plumb (`ver`) runs of ink of a region (255 on 0), its top-left corner
    on the page, and the region's ink they were found in (`ink`: binarize at that contrast, the ruling
    lines given added; 255 on 0), so that a finder of other lines there need not binarize again."""

    hor: np.ndarray
    ver: np.ndarray
    x0: int
    y0: int
    ink: np.ndarray


def line_masks(
    gray: np.ndarray,
    box: tuple[int, int, int, int] | None = None,
    lines: np.ndarray | None = None,
    contrast: int = INK_CONTRAST,
) -> LineMasks | None:
    """The long level and plumb runs of ink in the table `box` (BOX_PAD_PX around it; the whole page
    where None), `lines` (the ruling lines whole, cleanup.find_ruling) added to the ink; None where the
    region is smaller than MIN_REGION_PX. `contrast`: binarize's."""
    h, w = gray.shape
    ink = binarize(gray, contrast)
    if lines is not None and lines.shape == ink.shape:
        ink = cv2.bitwise_or(ink, lines.astype(np.uint8) * 255)
    if box is not None:
        x0, y0, x1, y1 = box
        x0, y0, x1, y1 = max(0, x0 - BOX_PAD_PX), max(0, y0 - BOX_PAD_PX), min(w, x1 + BOX_PAD_PX), min(h, y1 + BOX_PAD_PX)
    else:
        x0, y0, x1, y1 = 0, 0, w, h
    roi = ink[y0:y1, x0:x1]
    rh, rw = roi.shape
    if rh < MIN_REGION_PX or rw < MIN_REGION_PX:
        return None
    # bridge pixel-sized breaks (faded lines), then keep strokes far longer than any character
    hor = _level_runs(roi, max(rw // LINE_SHARE_KEPT, LINE_MIN_PX))
    ver = cv2.morphologyEx(roi, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    ver = cv2.morphologyEx(
        ver, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(rh // LINE_SHARE_KEPT, LINE_MIN_PX)))
    )
    return LineMasks(hor, ver, x0, y0, roi)


def _level_runs(ink: np.ndarray, keep: int) -> np.ndarray:
    """The level runs of `ink` at least `keep` px long, pixel-sized breaks bridged first (faded lines):
    line_masks' `hor` and level_runs_part's, one computation so that the two stay equal."""
    hor = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    return cv2.morphologyEx(hor, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (keep, 1)))


BINARIZE_REACH_PX = 16
"""px of the page around a pixel that binarize's ink test looks at (its 31 px Gaussian neighbourhood's
half, and one): ink found in a part of the page cut this far inside the cut is the ink found on the
whole page (level_runs_part)."""


def level_runs_part(
    gray: np.ndarray,
    part: tuple[int, int, int, int],
    region_width: int,
    lines: np.ndarray | None = None,
    contrast: int = INK_CONTRAST,
) -> np.ndarray:
    """The long level runs of ink (line_masks' `hor`) over `part` (x0, y0, x1, y1 on the page) as line_masks
    finds them in a region `region_width` px wide that holds the part and reaches the page's sides where the
    part does: ink is tested on the part with binarize's reach around it (BINARIZE_REACH_PX) and the run's
    length around it on both sides (a region's runs are kept at its width over LINE_SHARE_KEPT), so that a
    caller asking whether anything stands beside a table need not find the runs over the page's width."""
    h, w = gray.shape
    x0, y0, x1, y1 = part
    keep = max(region_width // LINE_SHARE_KEPT, LINE_MIN_PX)
    reach = keep + BINARIZE_REACH_PX + 2
    cx0, cx1 = max(0, x0 - reach), min(w, x1 + reach)
    cy0, cy1 = max(0, y0 - BINARIZE_REACH_PX), min(h, y1 + BINARIZE_REACH_PX)
    ink = binarize(np.ascontiguousarray(gray[cy0:cy1, cx0:cx1]), contrast)
    if lines is not None and lines.shape == gray.shape:
        ink = cv2.bitwise_or(ink, lines[cy0:cy1, cx0:cx1].astype(np.uint8) * 255)
    ink = np.ascontiguousarray(ink[y0 - cy0 : y1 - cy0])
    return _level_runs(ink, keep)[:, x0 - cx0 : x1 - cx0]


def line_profiles(
    gray: np.ndarray,
    box: tuple[int, int, int, int] | None = None,
    lines: np.ndarray | None = None,
    contrast: int = INK_CONTRAST,
) -> LineProfiles | None:
    """The profiles of the long level and plumb runs of ink in the table `box` (line_masks: BOX_PAD_PX
    around it; the whole page where None), `lines` added to the ink; None where the region is smaller
    than MIN_REGION_PX. `contrast`: binarize's."""
    masks = line_masks(gray, box, lines, contrast)
    return None if masks is None else masks_profiles(masks)


def masks_profiles(masks: LineMasks) -> LineProfiles:
    """The profiles (line_profiles) of runs of ink already found (line_masks)."""
    hor, ver = masks.hor, masks.ver
    rh, rw = hor.shape
    return LineProfiles(hor.sum(axis=1) / 255.0, ver.sum(axis=0) / 255.0, masks.x0, masks.y0, rw, rh, ver.sum(axis=1) / 255.0)
