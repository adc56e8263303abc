"""Image cleanup with OpenCV: stamp suppression, scan-border removal, illumination, denoise,
table rectification (deskew + perspective). The input image is never modified; every step is
recorded with its settings and what it measured.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline.kernel.models import Step
from pipeline.page.gridlines import INK_CONTRAST, LINE_MIN_PX, LINE_SHARE_KEPT, binarize, line_profiles


@dataclass(frozen=True)
class CleanupSettings:
    red_margin: int = 40  # R - max(G, B) above this is stamp ink
    border_dark: int = 70  # scanner background darker than this, touching the edge
    illumination_kernel: int = 41  # px (at 1/4 scale the background is estimated on)
    denoise_h: float = 0.0  # fastNlMeans strength; 0 = median 3 only
    min_table_fraction: float = 0.15  # the table's box must cover this share of the page
    rectify: bool = True
    capture: bool = True  # a photographed page found on its desk, warped, enlarged, its light flattened


@dataclass
class CleanPage:
    image: np.ndarray  # grayscale uint8, rectified, flat background
    steps: list[Step] = field(default_factory=list)
    table_box: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 after rectification
    ruling: np.ndarray | None = None  # the ruling lines whole (find_ruling), on `image` (None: not known)
    seals: np.ndarray | None = None  # bool: the discs of the seals left as ink on `image` (find_seals); None: none
    stamped: np.ndarray | None = None  # bool: where a colour stamp's ink was made paper (stamped_area); None: none


STAMP_MIN_GRAY = 135

RULING_MIN_SPAN = 0.25
"""A ruling line spans at least this share of the page (its width for a horizontal line, its height
for a vertical one) once gaps of a broken line are bridged: a register's ruling runs across the whole
printed form (80-95 % of an A4 page), a stamp's ring (a chord of at most its diameter, 10-15 % of the
page width at any scan resolution), a character or a line of text never does."""
RULING_KERNEL = 60
"""Runs are first found with a kernel this many times shorter than the page side (w // 60 = 39 px at
200 dpi): a line tilted 5 degrees still holds a 4 px thick run that long in one row."""
RULING_BRIDGE = 31
"""Gaps of a broken or faded line up to this many pixels (at 200 dpi, scaled with the page) are
bridged before a line's span is measured."""
CHROMA_INK = 40
"""max(R, G, B) - min(R, G, B) above this is coloured ink (red, green or blue print, a stamp, blue pen);
the paper's tint (a few units) and black ink (< 15) are not."""


def _darkest(bgr: np.ndarray) -> np.ndarray:
    """The darkest channel of each pixel (cv2: numpy's reduction over the colour axis is ~20x slower)."""
    if bgr.ndim == 2:
        return bgr
    b, g, r = cv2.split(bgr)
    return cv2.min(cv2.min(b, g), r)


def _page_scale(shape: tuple[int, ...]) -> float:
    """The page's size relative to an A4 page scanned at 200 dpi (2339 px on its long side)."""
    return max(shape[0], shape[1]) / 2339.0


RULING_GRAY = 60
"""The grey the ruling is drawn in again on the clean page (clean_page): as dark as printed ink after
the illumination step's stretch."""
RULING_ACROSS = 6.0
"""...and in most places along it each of its strokes is at most this many pixels across: a ruling line
is 2-5, the shadow along a paper's edge 8-12."""
RULING_THICKNESS = 12.0
"""A ruling line is at most this many pixels thick on average (at 200 dpi, scaled with the page) once
its gaps are bridged: a printed line is 1-4 px, a thick mimeographed one 5-6, two strokes of a pen
crossing (a strike) 8-10 together; a line of text joined into one long run by the bridging is 20 px
or more."""


@dataclass(frozen=True)
class Ruling:
    """The page's ruling lines: `ink`, the ruling's own ink pixels (widened by one pixel on each side);
    `lines`, the lines whole, their gaps bridged (a thin line broken into dots by a 1-bit threshold, a
    faded line broken in places)."""

    ink: np.ndarray
    lines: np.ndarray
    shaded: np.ndarray | None = None  # bool: lines found only once a photograph's shade is divided out (lift_shade)


SHADE_UNEVEN = 0.8
"""A frame whose paper (its brightness with the ink taken away, FLATTEN_KERNEL_MM) is darker than this
share of its brightest paper over some of it (SHADE_SHARE) lies partly in a shadow or in the light's
fall-off: a property of how photographs are made (a hand's or the phone's shadow, a lamp to one side);
a flatbed's lamp lights a sheet nearly evenly (its paper varies by a few percent; a book's gutter or a
worn lamp's fall-off aside, lifted the same way). Only on such a frame is the shade divided out before
the ruling is binarized (lift_shade)."""
SHADE_SHARE = 0.05
"""...over at least this share of the frame (a page's corner in its penumbra is enough to lose a
column's line; a few dark pixels of desk or of a scanner's lid are not)."""
SHADE_MAX_GAIN = 3.0
"""Paper is lifted at most this many times: paper in a shadow keeps a third of the light at the least
where a phone's exposure still reads it (a phone exposes for the page's lit part); anything darker is
no paper in a shadow but desk, a cover, a scanner's lid or black border: its lift falls off again
(as its square, back to none), so that its grain is not lifted into lines and it counts for no shade."""


def lift_shade(dark: np.ndarray) -> np.ndarray:
    """The darkest channel with a photograph's shade divided out (SHADE_UNEVEN, SHADE_SHARE): each pixel
    multiplied by how much darker its paper is than the frame's brightest paper (at most SHADE_MAX_GAIN,
    falling off for anything darker than paper in a shadow). Light multiplies reflectance, so a line's
    contrast against its paper in a shadow of half the light is half its contrast in full light: a
    threshold in grey levels (find_ruling's adaptive threshold) that finds a thin red line in the light
    loses it in the shadow. Lifted, the contrast is the print's own wherever the page lies. A frame lit
    evenly (a scan, a photograph whose light flatten_light already flattened) is returned as it came."""
    h, w = dark.shape[:2]
    q = 4
    small = cv2.resize(dark, (max(1, w // q), max(1, h // q)), interpolation=cv2.INTER_AREA)
    k = max(5, int(round(FLATTEN_KERNEL_MM / 25.4 * 200 * _page_scale(dark.shape) / q)) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), k / 2).astype(np.float32)
    paper = float(np.percentile(bg, 98))
    shaded = (bg < SHADE_UNEVEN * paper) & (bg * SHADE_MAX_GAIN >= paper)
    if paper <= 0 or float(np.mean(shaded)) < SHADE_SHARE:
        return dark
    lift = paper / np.maximum(bg, 1.0)
    gain = np.clip(np.minimum(lift, SHADE_MAX_GAIN**2 / lift), 1.0, SHADE_MAX_GAIN)
    gain = cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(dark.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def find_ruling(bgr: np.ndarray) -> Ruling:
    """The page's ruling lines, in any ink colour (black, red, green, blue, faded) and state (thin,
    thick, broken, dotted by a 1-bit threshold): long straight thin runs, told from stamps and text by
    shape, not by hue. Measured on the darkest channel, where a red or green line is as dark as a black
    one, and binarized against its local background (faded print included); dots of a broken line are
    joined (a few pixels along it, a pixel across it), runs kept where, gaps bridged (RULING_BRIDGE),
    they span RULING_MIN_SPAN of the page and are at most RULING_THICKNESS thick. On a frame partly in
    a shadow (lift_shade) the same is done once more with the shade divided out, and the table's lines
    found only then (crossing a table's count of lines, running its whole length, between its outer
    lines, not found in the light: _crossed, _full_length, _between, _new_lines) are `shaded`."""
    scale = _page_scale(bgr.shape)
    dark = _darkest(bgr)
    whole, own = _ruling_runs(dark, scale)
    shaded = None
    lifted = lift_shade(dark)
    if lifted is not dark:
        # lines found only once the shade is divided out are kept where they cross or meet a table's
        # count of lines across them (_crossed): a ruling line in a shadow does; the lifted grain of a
        # desk or of the paper's edge in the shadow does not
        more, _own = _ruling_runs(lifted, scale)
        reach = _cross_reach(scale)
        crossed = _crossed(more[0], more[1], reach)
        kept = (
            _new_lines(_full_length(crossed[0], True) & _between(crossed[1], False, reach), whole[0]),
            _new_lines(_full_length(crossed[1], False) & _between(crossed[0], True, reach), whole[1]),
        )
        shaded = (kept[0] | kept[1]).astype(bool)
    ink_of = (own[0] | own[1]).astype(np.uint8)
    lines = (whole[0] | whole[1]).astype(bool)
    return Ruling(cv2.dilate(ink_of, np.ones((3, 3), np.uint8)).astype(bool), lines, shaded)


SHADE_LINE_SPAN = 0.8
"""A line found only once a shadow is divided out (find_ruling) is kept where it runs at least this share
of the length the table's lines of its direction run (their median): a printed form's column and row
lines run its whole height and width, while the grain lifted along a paper's edge in the shadow, or the
edge itself, meets a few of the table's lines over part of its height."""


def _full_length(mask: np.ndarray, horizontal: bool) -> np.ndarray:
    """The lines of `mask` (one direction) at least SHADE_LINE_SPAN as long as their median."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return mask
    span = (stats[1:, cv2.CC_STAT_WIDTH] if horizontal else stats[1:, cv2.CC_STAT_HEIGHT]).astype(np.float64)
    keep = np.concatenate([[False], span >= SHADE_LINE_SPAN * float(np.median(span))])
    return np.where(keep[labels], mask, 0).astype(np.uint8)


def _between(across: np.ndarray, horizontal: bool, reach: int) -> np.ndarray:
    """1 between the outermost of the table's lines `across` (horizontal ones: between its top and
    bottom rows; vertical ones: between its left and right columns), `reach` px beyond them, else 0: a
    form's lines run from one side of its table to the other, and what the lift finds beyond it (the
    paper's edge in the shadow, the desk's grain) would join the table to them and pull its outline off."""
    out = np.zeros_like(across)
    pos = np.flatnonzero(across.any(axis=1 if horizontal else 0))
    if pos.size:
        lo, hi = max(0, int(pos[0]) - reach), int(pos[-1]) + reach + 1
        if horizontal:
            out[lo:hi, :] = 1
        else:
            out[:, lo:hi] = 1
    return out


SHADE_NEW_SHARE = 0.8
"""A line found only once the shade is divided out is kept where the lines found in the light cover
less than this share of it (_new_lines): a line the shade hid, wholly or for most of its length."""


def _new_lines(mask: np.ndarray, light: np.ndarray) -> np.ndarray:
    """The lines of `mask` that the lines found without the shade divided out (`light`) cover for less
    than SHADE_NEW_SHARE of their pixels: lines the shade hid. A line found in the light is kept as
    found there; the lifted grain along it would only lengthen or thicken it."""
    n, labels = cv2.connectedComponents(mask, connectivity=8)
    if n <= 1:
        return mask
    near = (cv2.dilate(light, np.ones((5, 5), np.uint8)) > 0).ravel()
    flat = labels.ravel()
    size = np.bincount(flat, minlength=n).astype(np.float64)
    covered = np.bincount(flat[near], minlength=n).astype(np.float64)
    keep = covered < SHADE_NEW_SHARE * np.maximum(size, 1.0)
    keep[0] = False
    return np.where(keep[labels], mask, 0).astype(np.uint8)


def _ruling_runs(dark: np.ndarray, scale: float) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """find_ruling's lines of one darkest channel: (horizontal, vertical) whole and their own ink (uint8 0/1)."""
    h, w = dark.shape[:2]
    ink = cv2.adaptiveThreshold(dark, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY_INV, 31, 12)
    bridge = max(9, int(round(RULING_BRIDGE * scale)) | 1)
    # pixel-sized gaps of a faded line, or of a thin line a 1-bit threshold broke into dots, are closed
    # along it (the page is level: deskew_page). Joining more (9 px, or across the line too) joined the
    # strokes of typed 1-bit digits into "lines" through the text.
    dots = (5, 1)
    whole: list[np.ndarray] = []
    own: list[np.ndarray] = []
    for horizontal in (True, False):
        side = w if horizontal else h
        k = max(side // RULING_KERNEL, 15)
        kern = (k, 1) if horizontal else (1, k)
        # a thin line broken into dots by a 1-bit threshold or faded print: its dots joined first
        closed = cv2.morphologyEx(
            ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, dots if horizontal else dots[::-1])
        )
        runs = cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kern))
        joined = cv2.morphologyEx(
            runs, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 3) if horizontal else (3, bridge))
        )
        n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        span = (stats[:, cv2.CC_STAT_WIDTH] if horizontal else stats[:, cv2.CC_STAT_HEIGHT]).astype(np.float64)
        thick = stats[:, cv2.CC_STAT_AREA] / np.maximum(span, 1.0)
        keep = (span >= RULING_MIN_SPAN * side) & (thick <= RULING_THICKNESS * scale)
        keep[0] = False
        for i in np.nonzero(keep)[0]:  # thin along its whole length (each stroke of it: a strike's cross
            # is two): not the shadow along a paper's edge
            x, y, bw, bh = (int(v) for v in stats[i, :4])
            part = (labels[y : y + bh, x : x + bw] == i).astype(np.int8)
            axis = 0 if horizontal else 1
            count = part.sum(axis=axis)
            strokes = (np.diff(part, axis=axis, prepend=0) == 1).sum(axis=axis)
            has = count > 0
            if has.any() and float(np.median(count[has] / np.maximum(strokes[has], 1))) > RULING_ACROSS * scale:
                keep[i] = False
        line = keep[labels] & (joined > 0)
        whole.append(line.astype(np.uint8))
        own.append((line & (ink > 0)).astype(np.uint8))
    return (whole[0], whole[1]), (own[0], own[1])


def ruling_mask(bgr: np.ndarray) -> np.ndarray:
    """The ruling's own ink pixels (find_ruling), widened by one pixel on each side."""
    return find_ruling(bgr).ink


STAMP_JOIN = 0.04
"""Stamp ink closer than this share of the page's short side (8 mm) is one blob: a seal's ring, star and
text, speckled or faded to scattered dots (a stamp faded to half its ink on a faded page: dots up to
40 px apart at 200 dpi), are joined into one."""
STAMP_MIN_SIDE = 0.05
"""A stamp (an official seal: a ring of 38-45 mm, an oval, a framed box) spans at least this share of
the page's short side in both directions (0.05 x 210 mm = 10 mm), ..."""
STAMP_MAX_SIDE = 0.45
"""...at most this share (a seal is never half a page), ..."""
STAMP_MAX_ASPECT = 2.2
"""...and is about as tall as it is wide (a seal's ring, an oval): a line of red print (a header row or
a title printed in the form's colour) is many times wider than tall."""


def stamp_regions(candidates: np.ndarray) -> np.ndarray:
    """Where stamps lie: candidate stamp ink (bool mask, ruling already taken out) grouped into blobs
    (STAMP_JOIN), of
    which those shaped like a seal (STAMP_MIN_SIDE, STAMP_MAX_SIDE, STAMP_MAX_ASPECT) are stamps.
    Returns a bool mask of the stamps' filled outlines (their convex hulls, widened a little).
    Worked at a quarter of the resolution (any candidate pixel marks its 4 x 4 block)."""
    h, w = candidates.shape
    f = 4
    small = cv2.resize(candidates.astype(np.uint8) * 255, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA) > 0
    sh, sw = small.shape
    short = min(sh, sw)
    k = max(3, int(round(STAMP_JOIN * short)) | 1)
    blobs = cv2.morphologyEx(small.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    out: np.ndarray = np.zeros((sh, sw), np.uint8)
    for i in range(1, n):
        bw, bh = int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT])
        if min(bw, bh) < STAMP_MIN_SIDE * short or max(bw, bh) > STAMP_MAX_SIDE * short:
            continue
        if max(bw, bh) > STAMP_MAX_ASPECT * min(bw, bh):
            continue
        x, y = int(stats[i, cv2.CC_STAT_LEFT]), int(stats[i, cv2.CC_STAT_TOP])
        ys, xs = np.nonzero(labels[y : y + bh, x : x + bw] == i)
        hull = cv2.convexHull(np.stack([xs + x, ys + y], axis=1).astype(np.int32))
        cv2.fillConvexPoly(out, hull, 1)
    if not out.any():
        return np.zeros((h, w), bool)
    out = cv2.dilate(out, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return cv2.resize(out, (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)


STAMP_FAINT_SHARE = 0.3
"""Inside a stamp's outline (stamp_regions of its clearly red ink) ink whose red excess is at least this
share of the red margin may be the stamp's too, faded: where a stamp fades (less ink pressed, a worn
pad) or its strokes blur into the paper (optics, JPEG's halved colour resolution) its red excess falls
with its darkness; its strokes' edges and a faded seal's whole ring, star and text keep a third to two
thirds of it (design page seed 3305, a seal faded to 58 %: the ink left grey by the red margin alone has
a red excess of 19-38 against a margin of 40, and was read as three rows of writing). The paper's own
tint is a few units (CHROMA_INK)."""
STAMP_HUE_SHARE = 0.7
"""...and it is the stamp's only where it is as red for its darkness as the stamp's clear ink is (at least
this share of the ratio red excess / darkness below the paper that the stamp's clear ink has at its
10th percentile). Property of imaging: one ink blended with the paper in any share keeps its ratio of
red to darkness, while black or blue writing under the seal (or its edges blended with the seal's red)
adds darkness without red: it is kept."""


def faint_stamp_ink(gray: np.ndarray, redness: np.ndarray, clear: np.ndarray, small: np.ndarray, red_margin: int) -> np.ndarray:
    """The faint ink of a stamp (STAMP_FAINT_SHARE, STAMP_HUE_SHARE): reddish pixels as red for their
    darkness as the stamp's clear ink (`clear`, a bool mask) is. `small`: the page's gray at 1/8 scale,
    of which a median is the paper's level (ink covers a small share of any 9 x 9 block of it)."""
    paper = cv2.resize(cv2.medianBlur(small, 9), (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR).astype(np.int16)
    dark = np.maximum(paper - gray.astype(np.int16), 1)
    ratio = float(np.percentile(redness[clear] / dark[clear], 10))
    faint = redness > int(red_margin * STAMP_FAINT_SHARE)
    return faint & (redness >= STAMP_HUE_SHARE * ratio * dark)


def suppress_stamps(
    bgr: np.ndarray, red_margin: int, ruling: np.ndarray | None = None
) -> tuple[np.ndarray, Step, np.ndarray | None]:
    """Grayscale in which red stamp ink becomes paper while the ruling (of any colour) and black/blue
    ink stay dark.

    A stamp is told from the ruling by shape, not by hue alone (a register may be printed in red):
    ruling lines (ruling_mask: long straight thin runs) are never stamp ink, and are drawn from the
    darkest colour channel so that a red, green or faded line is as dark as a black one; stamp ink is
    light red ink (red clearly dominant, not dark: black text under a stamp is kept) lying in a blob
    shaped like a seal (stamp_regions), so red print (a header row, a title) is kept too.
    Returns the page, the step, and the stamps' area where any ink of theirs was made paper (None where
    none was): the cells in it are doubted like cells under a seal left as ink (clean_page's `stamped`)."""
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    b, g, r = cv2.split(bgr)
    ruling = ruling_mask(bgr) if ruling is None else ruling
    darkest = cv2.min(cv2.min(b, g), r)
    coloured = cv2.subtract(cv2.max(cv2.max(b, g), r), darkest) > CHROMA_INK
    recoloured = ruling & coloured
    out = gray.copy()
    out[recoloured] = np.minimum(gray[recoloured], darkest[recoloured])
    redness = r.astype(np.int16) - np.maximum(g, b).astype(np.int16)
    # stamp ink is light (gray ~150-200 on scans); black text under it, and the edges of that
    # text blended with red, stay darker and are kept
    light = gray > STAMP_MIN_GRAY
    red = (redness > red_margin) & light & ~ruling
    stamps = stamp_regions(red) if cv2.countNonZero(red.astype(np.uint8)) else np.zeros_like(red)
    mask = cv2.dilate(red.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & (redness > red_margin // 2) & light
    mask &= stamps & ~ruling
    if mask.any():
        # paper colour around the stamp: the local background, not a constant
        small = cv2.resize(gray, None, fx=0.125, fy=0.125, interpolation=cv2.INTER_AREA)
        paper = cv2.resize(
            cv2.dilate(small, np.ones((5, 5), np.uint8)), (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR
        )
        mask |= faint_stamp_ink(gray, redness, mask, small, red_margin) & light & stamps & ~ruling
        out[mask] = paper[mask]
    n_stamps = cv2.connectedComponents(stamps.astype(np.uint8))[0] - 1 if stamps.any() else 0
    area = stamps if mask.any() else None  # where ink was made paper: the stamps' filled outlines
    return (
        out,
        Step(
            "stamp_suppression",
            {"red_margin": red_margin, "min_gray": STAMP_MIN_GRAY, "by_shape": True},
            {
                "red_pixels": int(np.count_nonzero(mask)),
                "stamps": int(n_stamps),
                "ruling_pixels": int(np.count_nonzero(ruling)),
                "coloured_ruling_pixels": int(np.count_nonzero(recoloured)),
            },
        ),
        area,
    )


SEAL_DIAMETER_MM = (36.0, 50.0)
"""A round official seal (公章) is 36-50 mm across. Source: 国务院关于国家行政机关和企业事业单位社会团体
印章管理的规定 (国发〔1999〕25号): the seals of state organs are round, 4.2-5 cm across (a county's 4.2 cm,
a province's 4.5 cm, a ministry's 5 cm), those of enterprises, institutions (事业单位: a funeral home) and
associations round, at most 4.2 cm, a star in the centre and the name around the rim. The low end allows
a 3.8-4.0 cm seal and a scan reduced a few per cent to fit the page (no rule gives a lower limit). A
handwritten ring around a value (a correction mark) is drawn round one entry of a cell (a row is 8-10 mm
high): far below the range, never taken for a seal."""
SEAL_RING_SHARE = 0.75
"""A seal's ring is an unbroken line of ink: at least this share of its circumference holds ink (the
seals of the design pages, grey and speckled, 0.96-1.0; circles through a dense table's text and ruling
that the circle transform proposes 0.2-0.45)."""
SEAL_BESIDE_MM = 2.0
SEAL_RING_CONTRAST = 0.3
"""...and a ring is a line: a circle SEAL_BESIDE_MM outside it holds ink along at least this share less of
its length (the table's text and ruling under a seal, ~0.1-0.45), where a shadow or a dark smudge of a
photograph holds ink all round."""
SEAL_INK = 200
"""Grey below this is ink (a seal's ring, printed grey on a grayscale scan, is 120-190; the cleaned
page's paper is near 255)."""


def find_seals(gray: np.ndarray) -> list[tuple[int, int, int]]:
    """Round seals left as ink on a cleaned page (a grayscale or 1-bit scan, where suppress_stamps cannot
    tell a seal by its colour; on a colour scan its seal is already paper): circles of a seal's size
    (SEAL_DIAMETER_MM at the page's scale, an A4 page's long side being 297 mm) proposed by the circle
    Hough transform, kept where ink runs along SEAL_RING_SHARE of the circle. A ruling line crosses a
    circle at two points, text at scattered ones, so neither makes a ring. Returns (x, y, radius) in
    pixels of `gray`, surest first."""
    if gray.ndim != 2 or min(gray.shape) < 64:
        return []
    h, w = gray.shape
    mm = max(h, w) / 297.0
    f = 2  # proposed at half resolution (a ring of 140-200 px at 200 dpi stays 70-100 px), checked at full
    small = cv2.GaussianBlur(cv2.resize(gray, (w // f, h // f), interpolation=cv2.INTER_AREA), (5, 5), 1.5)
    rmin = int(SEAL_DIAMETER_MM[0] / 2 * mm / f)
    rmax = int(SEAL_DIAMETER_MM[1] / 2 * mm / f) + 1
    found = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT, dp=1, minDist=rmin, param1=60, param2=25, minRadius=rmin, maxRadius=rmax)
    if found is None:
        return []
    ink = gray < SEAL_INK
    angles = np.linspace(0.0, 2 * np.pi, 720, endpoint=False)
    cos, sin = np.cos(angles), np.sin(angles)
    beside = max(8, int(round(SEAL_BESIDE_MM * mm)))

    def share(x: float, y: float, rr: float) -> float | None:
        """The share of the circle (x, y, rr) on the page whose points hold ink within 2 px across it
        (the ring's stroke, 1-2 mm wide); None where most of it is off the page."""
        rx, ry = x + rr * cos, y + rr * sin
        on_page = (rx >= 0) & (rx < w) & (ry >= 0) & (ry < h)
        if on_page.sum() < angles.size // 2:  # a seal mostly off the page: not told
            return None
        hit = np.zeros(angles.size, bool)
        for d in (-2, 0, 2):
            xs = np.clip((x + (rr + d) * cos).astype(int), 0, w - 1)
            ys = np.clip((y + (rr + d) * sin).astype(int), 0, h - 1)
            hit |= ink[ys, xs]
        return float(hit[on_page].mean())

    seals: list[tuple[float, int, int, int]] = []
    for x, y, r in found[0][:20]:
        x, y, r = float(x) * f, float(y) * f, float(r) * f
        best, at = 0.0, r
        for dr in range(-6, 7, 2):  # the transform's radius is a few pixels off at half resolution
            got = share(x, y, r + dr)
            if got is not None and got > best:
                best, at = got, r + dr
        if best < SEAL_RING_SHARE:
            continue
        outside = share(x, y, at + beside)
        if outside is None or best - outside < SEAL_RING_CONTRAST:  # ink all round (a shadow, a smudge)
            continue
        if all(np.hypot(x - sx, y - sy) > at for _s, sx, sy, _r in seals):
            seals.append((best, int(round(x)), int(round(y)), int(round(at))))
    return [(sx, sy, sr) for _s, sx, sy, sr in sorted(seals, reverse=True)]


def seal_mask(shape: tuple[int, ...], seals: list[tuple[int, int, int]]) -> np.ndarray | None:
    """The seals' discs (ring, star and text: all of a seal is ink over the cells) as a bool mask of a
    page of `shape`, the ring's stroke included; None where there are none."""
    if not seals:
        return None
    out = np.zeros(shape[:2], np.uint8)
    for x, y, r in seals:
        cv2.circle(out, (x, y), r + 4, 1, thickness=-1)
    return out.astype(bool)


BORDER_RIM_PX = 2
"""px beyond a scan's black border (remove_scan_borders) painted with it: the border's edge, turned by the
deskew (its interpolation) or blurred by the scanner's optics, is grey, lighter than the dark test, and
was left as a thin straight line along the border, which the grid's dashed-line test
(pipeline.page.layout._dashed_lines: thin, straight, paper on both sides) took for a column line (design
county 3316 04_sea_burial p3 as a dark 1-bit copy, bench/stress_scans.py --mode bilevel --threshold=0.3,0.5
--gain 0.5,0.8 --seed 4523: lines at x 18 and 2302, 1-2 px of grey 104-227). Source: how a scan's border is
imaged and resampled (an edge is spread over one or two pixels), not a page's content.
Painted only on a page scanned in 1-bit (clean_page: is_bilevel as scanned, a dithered one too), where that
line stood: on a grey scan (a faded or carbon copy among them) a light table rule standing in the rim is
the table's, and painting the rim there took it, the column beside it lost (tests/test_cleanup_layout.py,
a faded ruling beside the border). Session 46 (s46-rim): the held-out faded fold read with the rim painted
on every page lost 13 fields under a column no longer identified (10 without); no design page's grid was
changed by the rim on a grey, faded or carbon copy (1-px shifts of a line only)."""


def remove_scan_borders(gray: np.ndarray, dark: int, rim_px: int = 0) -> tuple[np.ndarray, Step]:
    """Paint dark regions that touch the image edge (scanner lid/background) in paper colour, and their
    rim `rim_px` wide (BORDER_RIM_PX on a page scanned in 1-bit, clean_page)."""
    h, w = gray.shape
    mask = (gray < dark).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = gray.copy()
    paper = int(np.median(gray[::8, ::8]))
    removed = 0
    border = np.zeros((h, w), np.uint8)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        touches = x == 0 or y == 0 or x + bw >= w or y + bh >= h
        if touches and area > 0.002 * h * w:
            border[labels == i] = 1
            removed += int(area)
    if removed and rim_px > 0:  # its rim too: the edge a deskew's interpolation left grey (BORDER_RIM_PX)
        k = 2 * rim_px + 1
        out[cv2.dilate(border, np.ones((k, k), np.uint8)) > 0] = paper
    out[border > 0] = paper
    return out, Step("border_removal", {"dark_below": dark}, {"pixels_removed": removed})


PHOTO_INK_LEVEL = 255 - 2 * 45
"""On a photograph the contrast stretch darkens the darkest ink only down to this level, and only where
it is lighter (twice the contrast the layout counts as ink, pipeline.page.layout.INK_CONTRAST, under
white paper): enough for every step after it to see the ink, never the stretch to black of a scan."""


def normalize_illumination(gray: np.ndarray, kernel: int, photograph: bool = False) -> tuple[np.ndarray, Step]:
    """Divide by a smooth background estimate (text removed by a max filter) -> flat white paper.

    Then a scan's contrast is stretched so its darkest 0.5 % of pixels go to black: faded ink read as
    dark as fresh ink. Not so on a `photograph` (correct_capture found the page on a desk and flattened
    its light): there the darkest pixels are no faded ink but the camera's blur, which mixes every stroke
    (one or two pixels wide at the 100-150 dpi of a phone's capture of a page) with the paper around
    it; stretching that level to black darkens the blur's halo too and thickens every stroke by it, until
    the strokes of a small character run into one blob and the recognizer reads nothing it was trained
    on. A photograph's ink is only darkened to PHOTO_INK_LEVEL where it is fainter.

    Measured on the design family camera_capture (seed 4401, 12 photographs), with sharpen_enlarged:
    cells read exactly (first reading, on the stored grid) 1070 -> 1152 of 2119; through the whole
    pipeline, fields exact 61.1 -> 65.9 %, IDs exact 66.9 -> 79.1 %, cells illegible 262 -> 165."""
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (kernel // 4 * 2 + 1, kernel // 4 * 2 + 1))
    bg = cv2.dilate(small, k)
    bg = cv2.GaussianBlur(bg, (0, 0), kernel / 4)
    bg = cv2.resize(bg, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(gray, np.maximum(bg, 1), scale=255)
    # stretch contrast so faded ink is as dark as fresh ink: the darkest 0.5 % of pixels go to black
    lo = int(np.percentile(flat[::4, ::4], 0.5))
    lo = min(lo, 200)
    to = min(lo, PHOTO_INK_LEVEL) if photograph else 0
    if photograph:  # the level lo goes to `to`, paper (255) stays white
        lut = np.clip(255.0 - (255.0 - np.arange(256)) * (255.0 - to) / max(1, 255 - lo), 0, 255).astype(np.uint8)
    else:
        lut = np.clip((np.arange(256) - lo) * 255.0 / max(1, 255 - lo), 0, 255).astype(np.uint8)
    out = cv2.LUT(flat, lut)
    settings: dict[str, object] = {"kernel": kernel, "scale": 0.25, "stretch_percentile": 0.5}
    if photograph:
        settings["photograph_ink_level"] = PHOTO_INK_LEVEL
    result: dict[str, object] = {"background_min": int(bg.min()), "background_max": int(bg.max()), "ink_level": lo}
    if photograph:
        result["ink_to"] = to
    return out, Step("illumination", settings, result)


BILEVEL_SHARE = 0.995
"""A page whose pixels are this share black or white (within 5 levels) was scanned in 1-bit (bilevel)."""
SPECK_PIXELS = 2
"""On a bilevel page, dots of at most this many pixels are scanner noise (a glyph's stroke is more)."""


def is_bilevel(gray: np.ndarray) -> bool:
    """Whether `gray` was scanned in 1-bit. Judged on the page as it came from the scanner (clean_page):
    a 1-bit page turned level (deskew_page) or warped is interpolated, and its strokes' edges come out
    in grey levels, so that the turned page no longer looks 1-bit, though its strokes are as thin and
    as broken as before."""
    small = gray[::4, ::4]
    if small.ndim == 3:  # a colour page (clean_page judges it as scanned): every 4th pixel converted, not the page
        small = cv2.cvtColor(np.ascontiguousarray(small), cv2.COLOR_BGR2GRAY)
    return float(((small <= 5) | (small >= 250)).mean()) >= BILEVEL_SHARE


HALFTONE_DOT_SHARE = 0.2
"""A 1-bit page at least this share of whose ink stands in isolated dots (a pixel of ink with paper on its
four sides) is a halftone (dithered) scan (halftone). A threshold renders a printed page's ink as strokes
and rules, and a grey level as all paper or all ink, so its lone pixels are noise: the denoise step's specks
(SPECK_PIXELS), a few hundred a page. A halftone renders every grey level as a share of dots, and a level
covering at most half the area (the paper's tint, the strokes' anti-aliased edges) as dots that do not
touch: Bayer's ordered matrix places its first half of thresholds on a checkerboard's alternate cells (Bayer
1973), error diffusion spreads its dots as far apart as it can ("blue noise", Ulichney 1987, "Digital
Halftoning"). A fifth of the ink in lone dots is hundreds of times a threshold's noise and far below what a
halftone of any tinted paper makes. Design s42 copies of d3316 county 01: Bayer and Floyd-Steinberg 0.34-0.94;
Otsu, fax, specked and dark-threshold copies 0.000-0.003."""
HALFTONE_PERIODS = (2, 4, 8, 16)
"""The periods an ordered dither repeats at: Bayer's index matrices are 2^n on a side (Bayer 1973; 8 x 8
is the usual "halftone" setting of a document scanner, 4 x 4 and 16 x 16 the others)."""
HALFTONE_LATTICE_SHARE = 0.5
"""An ordered dither's lone dots stand in a lattice: most of them (more than this share) have another dot one
period along, across the page and down it (halftone_period), as a Bayer matrix puts a grey level's dots at
the same places of every cell. Error diffusion's dots of a grey level covering a share g <= 1/2 of the
page have no period ("blue noise", Ulichney 1987): a dot at a given offset from another with a chance of
about g, at most one half."""
DIFFUSION_WAVELENGTH_PX = (2.0, 8.0)
"""The error-diffused dots' principal wavelength, 1 / sqrt(g) pixels for a grey level covering a share g
<= 1/2 of the page (Ulichney 1987), bounded by the shortest (g = 1/4, every other pixel) and the longest
of an ordered matrix's periods (HALFTONE_PERIODS' 8: the usual halftone cell)."""


def _lone_ink(ink: np.ndarray) -> np.ndarray:
    """The ink pixels with paper on all four sides (a halftone's dots: HALFTONE_DOT_SHARE)."""
    padded = np.pad(ink, 1)
    around = padded[:-2, 1:-1] | padded[2:, 1:-1] | padded[1:-1, :-2] | padded[1:-1, 2:]
    return ink & ~around


def halftone_period(lone: np.ndarray) -> int | None:
    """The period of an ordered dither's lattice from a 1-bit page's `lone` dots (_lone_ink): of
    HALFTONE_PERIODS, the one at which most of them repeat (agreement: the share of dots with a dot that
    many pixels along, the lesser of across and down; the larger period on a tie), where that share is
    above HALFTONE_LATTICE_SHARE. A Bayer 8 x 8 matrix's dots repeat every 8 pixels whatever the grey
    level, and every 4 only for its lightest levels. None: no lattice (error diffusion)."""
    total = float(np.count_nonzero(lone))
    if not total:
        return None
    best, found = HALFTONE_LATTICE_SHARE, None
    for p in HALFTONE_PERIODS:
        agree = min(np.count_nonzero(lone[:, :-p] & lone[:, p:]), np.count_nonzero(lone[:-p] & lone[p:])) / total
        if agree >= best:
            best, found = agree, p
    return found


def halftone(gray: np.ndarray) -> dict[str, object] | None:
    """Whether a 1-bit page (is_bilevel, as it came from the scanner) was dithered, not thresholded: its
    ink's share in lone dots (HALFTONE_DOT_SHARE), `ordered` where they stand in a lattice of a Bayer
    matrix's period (halftone_period), else `diffusion`; with the dots' share of the page outside the
    strokes (`dot_density`). None: not dithered (a threshold's 1-bit scan)."""
    ink = _darkest(gray) < 128
    n_ink = int(np.count_nonzero(ink))
    if not n_ink:
        return None
    lone = _lone_ink(ink)
    n_lone = int(np.count_nonzero(lone))
    share = n_lone / n_ink
    if share < HALFTONE_DOT_SHARE:
        return None
    density = n_lone / max(1, ink.size - (n_ink - n_lone))
    period = halftone_period(lone)
    return {
        "dither": "diffusion" if period is None else "ordered",
        "period_px": period,
        "dot_share": round(share, 3),
        "dot_density": round(density, 4),
    }


def descreen(gray: np.ndarray, found: Mapping[str, object]) -> tuple[np.ndarray, Step]:
    """A dithered 1-bit page (halftone's `found`) made grey again: its dots averaged over the halftone's
    cell, so that each pixel holds the share of ink around it, the grey level the dither drew. An ordered
    dither's cell is its matrix (`period_px` on a side): the mean over a whole Bayer matrix is the grey
    level it rendered, to 1/period^2 (a box filter of the period). Error diffusion keeps a grey level
    over its dots' principal wavelength (DIFFUSION_WAVELENGTH_PX, from the paper's `dot_density`): a
    Gaussian of half that sigma. The page then takes the grey path (its strokes grey at their edges, as the
    recognizer was trained on). Its tones stand one to a cell, not one to a pixel: a low-resolution
    capture (routing.capture_kind)."""
    g = _darkest(gray)
    period = found.get("period_px")
    if isinstance(period, int) and period > 0:
        out = cv2.blur(g, (period, period))
        settings: dict[str, object] = {"method": "box", "period_px": period}
    else:
        lo, hi = DIFFUSION_WAVELENGTH_PX
        density = float(found.get("dot_density") or 0.0)  # type: ignore[arg-type]
        wave = float(np.clip(1.0 / np.sqrt(density), lo, hi)) if density > 0 else hi
        out = cv2.GaussianBlur(g, (0, 0), wave / 2)
        settings = {"method": "gaussian", "sigma_px": round(wave / 2, 2)}
    return out, Step("descreen", settings, dict(found))


def denoise(gray: np.ndarray, h: float, bilevel: bool | None = None) -> tuple[np.ndarray, Step]:
    """Noise removed: a median of 3 x 3 on a grey page; on a bilevel (1-bit) page, whose strokes and lines
    may be one pixel thin (a median would break typed text and erase the ruling), only the isolated dots
    of SPECK_PIXELS or fewer.

    Not called on a photograph (clean_page): its page was enlarged by interpolation (sharpen_enlarged)
    and its light flattened, and the lens blurred its strokes into one another, so that the paper left
    between two strokes of a small character is a pixel or two wide at the working resolution; a
    median of 3 x 3 fills such a gap (any light run narrower than half its window goes) and the
    character becomes a blob, while the sensor's grain, smoothed by the camera and by the enlargement,
    leaves no isolated specks for it to take. Design family camera_capture (seed 4401): cells read
    exactly 1152 -> 1169 of 2119 without it on the photographs (page found, light flattened).

    `bilevel`: whether the page was scanned in 1-bit, as judged before it was turned (is_bilevel);
    None: judged on `gray`."""
    if h > 0:
        out = cv2.fastNlMeansDenoising(gray, None, h=h, templateWindowSize=7, searchWindowSize=21)
        return out, Step("denoise", {"method": "fastNlMeans", "h": h})
    if is_bilevel(gray) if bilevel is None else bilevel:
        dark = (gray < 128).astype(np.uint8)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
        specks = stats[:, cv2.CC_STAT_AREA] <= SPECK_PIXELS
        specks[0] = False
        out = gray.copy()
        out[specks[labels]] = 255
        return out, Step("denoise", {"method": "bilevel_specks", "max_pixels": SPECK_PIXELS}, {"specks": int(specks.sum())})
    return cv2.medianBlur(gray, 3), Step("denoise", {"method": "median", "ksize": 3})


DILATED_LINE_PX = 7
"""How thick a ruling line is once dilated (5 x 5) in find_table_quad: a 1-3 px line."""
TABLE_MIN_OUTLINES = 2
"""A table's ruling holds at least this many outlines' worth of line pixels (a bare outline holds one;
a register's 12 rows and 15 columns about seven): the paper's edge of a page scanned with a black
border (seed 9438, 19_cremation_yantai_2017.pdf page 2: 5.8 px of line per px of half-perimeter,
the table 51) is never taken for the table."""


LINE_PAPER_CONTRAST = 45
"""A ruling line is darker than the paper on each side of it by at least the contrast the layout counts
as ink against its paper (pipeline.page.layout.INK_CONTRAST, 45 grey levels)."""
LINE_STROKE_REACH = 4
"""px (at 200 dpi, scaled with the page) either side of a pixel that its stroke's darkest level is
taken over: half the widest ruling stroke across (RULING_ACROSS, 6 px) and a pixel of blur."""
LINE_SIDE_DEPTH = 9
"""px (at 200 dpi, scaled) beyond the stroke in which the paper on each side is looked for: ..."""
LINE_SIDE_ALONG = 15
"""...over this many px along the line (its lightest pixel taken): wider than a crossing ruling line
(2-6 px) and the gap between a character's strokes, so that a crossing or a character touching the
line leaves paper beside it."""


def step_pixels(gray: np.ndarray, mask: np.ndarray, horizontal: bool) -> np.ndarray:
    """The pixels of a long horizontal (or vertical) run `mask` that are the edge of a step in light,
    not a ruling line (bool). A property of the imaging: a ruling line is a thin dark stroke printed
    on paper, so paper lies on BOTH sides of it, each side lighter than the stroke by
    LINE_PAPER_CONTRAST or more; a hard shadow's edge (a hand or a phone between the lamp and the page)
    is a step in light, the paper in light on one side only, the shadowed paper on the other as dark as
    the band the threshold took for ink (the unsharp mask of an enlarged frame adds a dip of some 25
    levels under it, no paper); so is the paper's edge against a desk or a scanner's lid. Beyond the
    frame's edge there is no paper at all: a run along the frame's edge is no ruling line either.
    A pixel is a step where one side is paper (LINE_PAPER_CONTRAST lighter than the darkest of its
    stroke, LINE_STROKE_REACH) and the other is not; the paper of a side is its lightest pixel within
    LINE_SIDE_DEPTH beyond the stroke over LINE_SIDE_ALONG along it. A faded line (paper on neither
    side by that much) and a line crossed by another or touched by a character (paper beside the
    crossing) are not steps."""
    g = gray if horizontal else np.ascontiguousarray(gray.T)
    m = mask if horizontal else np.ascontiguousarray(mask.T)
    scale = _page_scale(gray.shape)
    reach = max(2, int(round(LINE_STROKE_REACH * scale)))
    depth = max(3, int(round(LINE_SIDE_DEPTH * scale)) // 2 * 2 + 1)
    along = max(5, int(round(LINE_SIDE_ALONG * scale)) // 2 * 2 + 1)
    stroke = cv2.erode(g, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 2 * reach + 1))).astype(np.int16)
    off = reach + depth // 2 + 1  # from the pixel to the middle of a side's window
    pad = cv2.copyMakeBorder(g, off, off, 0, 0, cv2.BORDER_CONSTANT, value=0)  # beyond the frame: no paper
    side = cv2.dilate(pad, cv2.getStructuringElement(cv2.MORPH_RECT, (along, depth)), borderValue=0).astype(np.int16)
    h = g.shape[0]
    above, below = side[:h] - stroke, side[2 * off :] - stroke
    paper_a, paper_b = above >= LINE_PAPER_CONTRAST, below >= LINE_PAPER_CONTRAST
    step = (m > 0) & (paper_a != paper_b)
    return step if horizontal else np.ascontiguousarray(step.T)


FRAME_MARGIN = LINE_STROKE_REACH + LINE_SIDE_DEPTH
"""px (at 200 dpi, scaled) from the frame's edge within which no line can be told a ruling line
(step_pixels looks this far beyond a stroke for paper): where no table is found inside the frame, the
lines are cut back this far from its edge, so that a table whose ruling runs out of the frame is
found by what lies inside it."""


SLANT_STEP_DEG = 2.0
"""The slants a leaning line is looked for at (slanted_lines): every SLANT_STEP_DEG degrees within
MAX_QUAD_TILT_DEG either way. A line between two of them is off the nearer one by one degree at most:
half a pixel at either end of a LINE_MIN_PX segment, under a ruling stroke's width (1-4 px)."""


def _segment(length: int, deg: float) -> np.ndarray:
    """A one-pixel line `length` px long, tilted `deg` degrees from the horizontal (uint8 0/1)."""
    a = np.radians(deg)
    dx, dy, r = np.cos(a), np.sin(a), (length - 1) / 2
    hx, hy = int(np.ceil(abs(dx) * r)), int(np.ceil(abs(dy) * r))
    k = np.zeros((2 * hy + 1, 2 * hx + 1), np.uint8)
    cv2.line(k, (int(round(hx - dx * r)), int(round(hy - dy * r))), (int(round(hx + dx * r)), int(round(hy + dy * r))), 1, 1)
    return k


def slanted_lines(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks (0/255) of the page's horizontal and vertical ruling lines however they lean within
    MAX_QUAD_TILT_DEG, found where their ink is too pale or too noisy to stay one long run of binarized
    pixels (a pale line photographed in a shadow, noise and grain of an enlarged photograph breaking it
    every few pixels), and where they lean a few degrees each its own way (a photograph's keystone fans
    a table's lines out: no one turn sets them all level).

    A property of printed ruling and of the imaging: a ruling line is a long, straight, thin stroke with
    paper on both sides of it. Along a segment of LINE_MIN_PX (longer than any character) at each slant
    (SLANT_STEP_DEG), the page's grey is averaged (the noise of its pixels averages out, a line's
    darkness does not); a pixel lies on a line where that average is darker, by INK_CONTRAST (the
    contrast binarize takes for ink), than the averages on BOTH sides of it, RULING_ACROSS px away
    (beyond the widest ruling stroke): a step in light (a shadow's edge, the paper's edge on a desk) has
    paper on one side only and is no line (as in step_pixels). Of those pixels, runs as long as the
    layout keeps as lines (LINE_MIN_PX, or a LINE_SHARE_KEPT-th of the page side) at one slant are kept.
    Only the page's own evidence: no generated page was fitted."""
    scale = _page_scale(gray.shape)
    along = max(15, int(round(LINE_MIN_PX * scale)))
    side = max(2, int(round(RULING_ACROSS * scale)))
    bridge = max(9, int(round(RULING_BRIDGE * scale)) | 1)
    slants = np.arange(-MAX_QUAD_TILT_DEG, MAX_QUAD_TILT_DEG + 1e-6, SLANT_STEP_DEG)
    out = []
    for horizontal in (True, False):
        g = (gray if horizontal else np.ascontiguousarray(gray.T)).astype(np.float32)
        best = np.full(g.shape, -255.0, np.float32)
        for deg in slants:
            k = _segment(along, float(deg)).astype(np.float32)
            mean = cv2.filter2D(g, -1, k / k.sum(), borderType=cv2.BORDER_REPLICATE)
            above = np.vstack([np.repeat(mean[:1], side, axis=0), mean[:-side]])
            below = np.vstack([mean[side:], np.repeat(mean[-1:], side, axis=0)])
            np.maximum(best, np.minimum(above, below) - mean, out=best)
        ridge = ((best >= INK_CONTRAST) * 255).astype(np.uint8)
        run = max(g.shape[1] // LINE_SHARE_KEPT, along)
        kept = np.zeros_like(ridge)
        for deg in slants:
            np.maximum(kept, cv2.morphologyEx(ridge, cv2.MORPH_OPEN, _segment(run, float(deg))), out=kept)
        # a ruling line runs across the form (RULING_MIN_SPAN of the page, its breaks bridged as
        # find_ruling bridges them); a column of text, a title, a stamp's edge does not
        joined = cv2.morphologyEx(kept, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 3)))
        n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
        long_ = stats[:, cv2.CC_STAT_WIDTH] >= RULING_MIN_SPAN * g.shape[1]
        long_[0] = False
        kept = np.where(long_[labels], kept, 0).astype(np.uint8)
        out.append(kept if horizontal else np.ascontiguousarray(kept.T))
    return out[0], out[1]


def _table_component(hor: np.ndarray, ver: np.ndarray, min_fraction: float) -> tuple[np.ndarray, np.ndarray, int] | None:
    """The table's component of the joined line masks (labels, stats, its label): the largest one
    ruled inside (TABLE_MIN_OUTLINES) that does not touch the image's edge and covers min_fraction of
    the page; None where there is none."""
    h, w = hor.shape
    lines = cv2.dilate(cv2.bitwise_or(hor, ver), np.ones((5, 5), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    if n <= 1:
        return None
    # the table never touches the image edge; the paper's own edge (left by scan borders) does
    x, y, bw_, bh_ = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    inside = (x > 2) & (y > 2) & (x + bw_ < w - 2) & (y + bh_ < h - 2)
    # ...and a table is ruled inside: the paper's edge, lying wholly inside the image where a black
    # border was cut off, is an outline with nothing across it (its line pixels: one outline's worth)
    ruled = stats[:, cv2.CC_STAT_AREA] >= TABLE_MIN_OUTLINES * 2 * (bw_ + bh_) * DILATED_LINE_PX
    area = np.where(inside & ruled, bw_ * bh_, 0)
    area[0] = 0
    best = int(np.argmax(area))
    if best == 0 or stats[best, cv2.CC_STAT_WIDTH] * stats[best, cv2.CC_STAT_HEIGHT] < min_fraction * w * h:
        return None
    return labels, stats, best


def find_table_quad(gray: np.ndarray, min_fraction: float, ruling: np.ndarray | None = None) -> np.ndarray | None:
    """Four corners (tl, tr, br, bl) of the ruled table (_table_quad), None where none is found."""
    return _table_quad(gray, min_fraction, ruling)[0]


def _table_quad(
    gray: np.ndarray, min_fraction: float, ruling: np.ndarray | None = None
) -> tuple[np.ndarray | None, tuple[np.ndarray, np.ndarray] | None]:
    """Four corners (tl, tr, br, bl) of the ruled table: the largest connected line structure
    ruled inside (TABLE_MIN_OUTLINES) that does not touch the image's edge. `ruling`: the ruling lines
    whole (find_ruling), their gaps bridged: a faded line broken in many places still joins the table.
    Where there is none, it is looked for again without the steps in light (step_pixels: a shadow's
    edge joins no table to the frame's edge), then with the lines cut back from the frame's edge
    (FRAME_MARGIN: a table whose ruling runs out of the frame), and at last as its lines lean
    (slanted_lines: a pale or noisy ruling photographed askew). With the quad, the slanted lines'
    masks (horizontal, vertical) where the table was found by them, else None."""
    h, w = gray.shape
    ink = binarize(gray)
    # keep long strokes only (ruling lines), tolerant of a few degrees of tilt
    hor = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 60, 15), 1)))
    ver = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(h // 60, 15))))
    if ruling is not None:
        hor = cv2.bitwise_or(
            hor,
            cv2.morphologyEx(
                ruling.astype(np.uint8) * 255, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 60, 15), 1))
            ),
        )
        ver = cv2.bitwise_or(
            ver,
            cv2.morphologyEx(
                ruling.astype(np.uint8) * 255, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(h // 60, 15)))
            ),
        )
    picked = _table_component(hor, ver, min_fraction)
    if picked is None:
        # none inside: a step in light (a shadow's edge, the paper's edge against a desk, the frame's
        # edge) may have joined the table to the frame's edge. It is no ruling line (step_pixels): taken
        # out of the lines the table is joined from, and the table looked for again. The table's sides
        # are fitted to its lines as they are (a step lies outside them). Only where no table was
        # found: a table found inside the frame (every scan's) is found as it was.
        joined = []
        for mask, horizontal in ((hor, True), (ver, False)):
            kern = (max(w // 60, 15), 1) if horizontal else (1, max(h // 60, 15))
            step = step_pixels(gray, mask, horizontal)
            kept = np.where(step, 0, mask).astype(np.uint8)
            joined.append(cv2.morphologyEx(kept, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kern)))
        picked = _table_component(joined[0], joined[1], min_fraction)
        if picked is None:
            # a table whose ruling runs out of the frame (a photograph cropped close, the page running
            # out of it) touches the frame's edge: the lines are cut back from it (FRAME_MARGIN)
            _cut_frame_edge(joined, gray.shape)
            picked = _table_component(joined[0], joined[1], min_fraction)
            if picked is None:
                # a table ruled pale or photographed in noise, whose lines lean: looked for as they lean
                found = slanted_table(gray, min_fraction)
                return (None, None) if found is None else found
    return _component_quad(picked, hor, ver), None


def _cut_frame_edge(masks: Sequence[np.ndarray], shape: tuple[int, ...]) -> None:
    """Line masks cut back FRAME_MARGIN from the frame's edge, in place: a table whose ruling runs out of
    the frame is found by what lies inside it (_table_component keeps no component touching the edge)."""
    m = max(2, int(round(FRAME_MARGIN * _page_scale(shape))))
    for mask in masks:
        mask[:m], mask[-m:], mask[:, :m], mask[:, -m:] = 0, 0, 0, 0


def _slanted_warped(slanted: tuple[np.ndarray, np.ndarray], st: Step) -> np.ndarray:
    """The lines slanted_lines found (horizontal, vertical masks) as one bool mask, warped with the page
    by the rectify step `st` (_warped_like)."""
    return _warped_like(slanted[0] > 0, st) | _warped_like(slanted[1] > 0, st)


def slanted_table(gray: np.ndarray, min_fraction: float) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]] | None:
    """The table's quad (tl, tr, br, bl) and its lines' masks (horizontal, vertical) found as they lean
    (slanted_lines), cut back from the frame's edge (FRAME_MARGIN), for a table ruled pale or photographed
    in noise, whose lines lean (a photograph's keystone fans them out) and break into pieces no level or
    plumb run holds; its outline fitted to its four outer lines (fit_table_sides). None where no table's
    component is found among them (_table_component)."""
    hor, ver = slanted_lines(gray)
    _cut_frame_edge((hor, ver), gray.shape)
    hor, ver = _crossed(hor, ver, _cross_reach(_page_scale(gray.shape)))
    picked = _table_component(hor, ver, min_fraction)
    if picked is None:
        return None
    # the sides fitted to the outer lines, tilted or not (the judging is clean_page's): the hull's
    # corners lie where the lines' averages end, up to half a segment (LINE_MIN_PX) beyond the corner
    stats = picked[1][picked[2]]
    fitted = fit_table_sides(hor, ver, (int(stats[0]), int(stats[1]), int(stats[2]), int(stats[3])))
    if fitted is not None and _runs_forward(fitted):
        return fitted, (hor, ver)
    return _component_quad(picked, hor, ver), (hor, ver)


def _cross_reach(scale: float) -> int:
    """How far (px) a line may stop short of another and still meet it (_crossed): half the shortest line
    the layout keeps (LINE_MIN_PX at the page's scale), at least 8 px."""
    return max(8, int(round(LINE_MIN_PX * scale)) // 2)


def _crossed(hor: np.ndarray, ver: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray]:
    """The lines of each mask that cross or meet at least GRID_MIN_LINES of the other's (horizontal
    lines as many vertical ones as a ruled table has at the fewest, and the other way round), a line
    meeting another where its end lies within `reach` px of it along its length (slanted_lines' average
    along a segment fades over the last half segment of a line). A property of a ruled table: each of
    its lines crosses or meets the lines across it; the paper's edge seen as a line (a shadow beyond
    it, a scan's border), a line of text or a title's underline cross few or none, and joined to the
    table they would pull its outline off (_fit_side takes the outermost line)."""
    near = np.ones((3, 3), np.uint8)
    nh, lh = cv2.connectedComponents(cv2.dilate(hor, near), connectivity=8)
    nv, lv = cv2.connectedComponents(cv2.dilate(ver, near), connectivity=8)
    along_h = cv2.dilate(lh.astype(np.float32), np.ones((3, 2 * reach + 1), np.uint8)).astype(np.int32)
    along_v = cv2.dilate(lv.astype(np.float32), np.ones((2 * reach + 1, 3), np.uint8)).astype(np.int32)
    both = (along_h > 0) & (along_v > 0)
    pairs = np.unique(np.stack([along_h[both], along_v[both]], axis=1), axis=0) if both.any() else np.zeros((0, 2), np.int32)
    keep_h = np.bincount(pairs[:, 0], minlength=nh) >= GRID_MIN_LINES[1]
    keep_v = np.bincount(pairs[:, 1], minlength=nv) >= GRID_MIN_LINES[0]
    keep_h[0] = keep_v[0] = False
    return np.where(keep_h[lh], hor, 0).astype(np.uint8), np.where(keep_v[lv], ver, 0).astype(np.uint8)


def _component_quad(picked: tuple[np.ndarray, np.ndarray, int], hor: np.ndarray, ver: np.ndarray) -> np.ndarray:
    """The quad of the table's component (_table_component): fitted to its four outer lines
    (fit_table_sides) where that quad can be the table's (quad_problem, _keystone_fit_kept), else the
    corners of the component's convex hull."""
    labels, stats, best = picked
    bw, bh = stats[best, cv2.CC_STAT_WIDTH], stats[best, cv2.CC_STAT_HEIGHT]
    ys, xs = np.nonzero(labels == best)
    pts = np.stack([xs, ys], axis=1).astype(np.float32)
    hull = cv2.convexHull(pts).reshape(-1, 2)
    s = hull.sum(axis=1)
    d = hull[:, 0] - hull[:, 1]
    quad = np.array([hull[np.argmin(s)], hull[np.argmax(d)], hull[np.argmax(s)], hull[np.argmin(d)]], dtype=np.float32)
    box = (int(stats[best, cv2.CC_STAT_LEFT]), int(stats[best, cv2.CC_STAT_TOP]), int(bw), int(bh))
    fitted = fit_table_sides(hor, ver, box)
    if fitted is None:
        return quad
    return fitted if quad_problem(fitted) is None or _keystone_fit_kept(fitted, quad) else quad


def _keystone_fit_kept(fitted: np.ndarray, hull: np.ndarray) -> bool:
    """Whether the quad fitted to the table's four outer lines is kept though its opposite sides differ
    (MAX_QUAD_SIDE_DIFF: a table photographed at a steep slant), rather than the convex hull's corners
    (`hull`): the slanted-table test (keystone_kept, in clean_page) then judges it as it judges any quad
    whose sides differ, and the fitted lines are where the table's outline is. The hull's corner is where
    the outer lines' ink ends: off the corner where a stretch of the outer lines is missing near it (worn,
    faded, a hand-ruled line stopping short), and warped by it the table's side stays slanted (its vertical
    lines fan out and the grid loses them). A fitted quad that is tilted or whose sides run backwards
    (quad_problem) is left out as before, and so is one whose corners all lie within 3 SIDE_TOLERANCE of
    the hull's (both agree on the table: the hull is kept as it was). Source: a property of central projection (a camera
    held at a slant draws the table's far side shorter, keystone_kept) and of the convex hull; design
    family camera_capture seed 4422 (severity 1.6): a page whose hull's bottom-left corner lay 65 px
    inside the table, 3 of 15 columns found."""
    problem = quad_problem(fitted)
    if problem is None or SIDES_DIFFER not in problem or not _runs_forward(fitted):
        return False
    return float(np.abs(np.asarray(fitted, dtype=float) - np.asarray(hull, dtype=float)).max()) > SIDE_TOLERANCE * 3


SIDE_BAND = 0.12
"""The outer line of a table's side is looked for within this share of the table's extent from that side."""
SIDE_INLIERS = 0.5
"""A side's line is fitted when at least this share of its samples lie within SIDE_TOLERANCE of it."""
SIDE_TOLERANCE = 4.0


def _fit_side(mask: np.ndarray, box: tuple[int, int, int, int], side: str) -> tuple[float, float] | None:
    """(a, b) of the outer ruling line on one side of the table's box: y = a x + b for top/bottom,
    x = a y + b for left/right, fitted robustly to the outermost line pixel of each sample across the
    side (a stretch of the line missing, or a stamp over it, gives outliers, left out)."""
    x0, y0, w, h = box
    if side in ("top", "bottom"):
        along = np.arange(x0 + int(0.05 * w), x0 + int(0.95 * w), 4)
        lo, hi = (y0, y0 + int(SIDE_BAND * h)) if side == "top" else (y0 + h - int(SIDE_BAND * h), y0 + h)
        band = mask[lo:hi, :]
        pos = []
        for x in along:
            col = np.nonzero(band[:, x])[0]
            pos.append(np.nan if col.size == 0 else lo + (col[0] if side == "top" else col[-1]))
    else:
        along = np.arange(y0 + int(0.05 * h), y0 + int(0.95 * h), 4)
        lo, hi = (x0, x0 + int(SIDE_BAND * w)) if side == "left" else (x0 + w - int(SIDE_BAND * w), x0 + w)
        band = mask[:, lo:hi]
        pos = []
        for y in along:
            row = np.nonzero(band[y, :])[0]
            pos.append(np.nan if row.size == 0 else lo + (row[0] if side == "left" else row[-1]))
    t = along.astype(np.float64)
    v = np.asarray(pos, dtype=np.float64)
    ok = ~np.isnan(v)
    if ok.sum() < 10:
        return None
    t, v = t[ok], v[ok]
    keep = np.abs(v - np.median(v)) < max(3 * SIDE_TOLERANCE, 0.02 * (w if side in ("left", "right") else h))
    for _ in range(3):
        if keep.sum() < 10:
            return None
        a, b = np.polyfit(t[keep], v[keep], 1)
        keep = np.abs(v - (a * t + b)) < SIDE_TOLERANCE
    if keep.sum() < SIDE_INLIERS * len(along):
        return None
    a, b = np.polyfit(t[keep], v[keep], 1)
    return float(a), float(b)


def fit_table_sides(hor: np.ndarray, ver: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray | None:
    """Corners (tl, tr, br, bl) of the table from its four outer ruling lines, each fitted robustly
    (_fit_side), None where a side has no line to fit (find_table_quad judges the quad: quad_problem,
    _keystone_fit_kept). The convex hull of the ruling's pixels gives corners too, but a stretch of an
    outer line missing near a corner, or a stamp over it, pulls a corner off and the warp then shears
    the table (its vertical lines no longer vertical, so the grid finds none on that side)."""
    top, bottom = _fit_side(hor, box, "top"), _fit_side(hor, box, "bottom")
    left, right = _fit_side(ver, box, "left"), _fit_side(ver, box, "right")
    if top is None or bottom is None or left is None or right is None:
        return None

    def meet(hline: tuple[float, float], vline: tuple[float, float]) -> tuple[float, float]:
        (a, b), (c, d) = hline, vline  # y = a x + b, x = c y + d
        y = (a * d + b) / (1 - a * c)
        return c * y + d, y

    return np.array([meet(top, left), meet(top, right), meet(bottom, right), meet(bottom, left)], dtype=np.float32)


MAX_QUAD_TILT_DEG = 8.0  # a ledger page is scanned at most a few degrees askew (issue: up to ±5°)
MAX_QUAD_SIDE_DIFF = 0.12  # opposite sides of a photographed table differ by a few per cent
SIDES_DIFFER = "sides differ by more than"
SIDE_TILTED = "tilted more than"
"""How quad_problem names a quad whose opposite sides differ in length (MAX_QUAD_SIDE_DIFF): a joined
paper edge, or a table photographed at a slant (keystone_kept tells them apart)."""


def quad_problem(quad: np.ndarray) -> str | None:
    """Why a table quad cannot be the table (None when it can): a side tilted far more than a scan
    ever is, or opposite sides of very different length. That happens when the paper's edge, left
    by a black scan border, joins the ruling lines: warping to such a quad would skew the table."""
    tl, tr, br, bl = (np.asarray(p, dtype=float) for p in quad)
    for name, a, b, axis in (("top", tl, tr, 0), ("bottom", bl, br, 0), ("left", tl, bl, 1), ("right", tr, br, 1)):
        v = b - a
        along, across = (v[0], v[1]) if axis == 0 else (v[1], v[0])
        if along <= 0 or abs(np.degrees(np.arctan2(across, along))) > MAX_QUAD_TILT_DEG:
            return f"{name} side {SIDE_TILTED} {MAX_QUAD_TILT_DEG:.0f} degrees"
    for name, one, other in (
        ("top/bottom", np.linalg.norm(tr - tl), np.linalg.norm(br - bl)),
        ("left/right", np.linalg.norm(bl - tl), np.linalg.norm(br - tr)),
    ):
        if abs(one - other) > MAX_QUAD_SIDE_DIFF * max(one, other):
            return f"{name} {SIDES_DIFFER} {MAX_QUAD_SIDE_DIFF:.0%}"
    return None


GRID_LINE_SPAN = 0.35
"""A ruling line counts where it runs level (or plumb) along this share of the table's width (height):
the share the layout's grid counts a line at (pipeline.page.layout.ruling_lines)."""
GRID_MIN_LINES = (4, 3)
"""The fewest horizontal and vertical lines of a ruled table (pipeline.page.layout.find_grid uses it: a
printed register form rules every row, the empty ones too)."""


def level_lines(
    gray: np.ndarray, box: tuple[int, int, int, int] | None = None, lines: np.ndarray | None = None
) -> tuple[int, int]:
    """How many horizontal and vertical ruling lines run level and plumb across the table `box` (the
    whole page where None), found as the layout's grid finds them (pipeline.page.gridlines.line_profiles:
    long straight runs of ink, a few pixels' breaks bridged), counted where they run along GRID_LINE_SPAN
    of the box. `lines`: the ruling lines whole (find_ruling), added to the ink."""
    prof = line_profiles(gray, box, lines)
    if prof is None:
        return 0, 0
    counts = []
    for profile, along in ((prof.rows, prof.width), (prof.cols, prof.height)):
        at = np.nonzero(profile >= GRID_LINE_SPAN * along)[0]
        n, last = 0, -(10**9)
        for i in at:  # runs of rows over the span, lines closer than 20 px taken as one (ruling_lines)
            if i - last > 20:
                n += 1
            last = int(i)
        counts.append(n)
    return counts[0], counts[1]


def _enough_level_lines(counts: tuple[int, int]) -> bool:
    """Whether a page's ruling runs level and plumb along enough lines for a ruled grid (level_lines
    counts, at least GRID_MIN_LINES of each)."""
    return counts[0] >= GRID_MIN_LINES[0] and counts[1] >= GRID_MIN_LINES[1]


def _runs_forward(quad: np.ndarray) -> bool:
    """Whether each side of a quad (tl, tr, br, bl) runs the way a table's does: top and bottom left to
    right, left and right sides downwards."""
    tl, tr, br, bl = (np.asarray(p, dtype=float) for p in quad)
    return bool(tr[0] > tl[0] and br[0] > bl[0] and bl[1] > tl[1] and br[1] > tr[1])


def keystone_kept(warped: tuple[int, int], deskewed: tuple[int, int]) -> bool:
    """Whether a table quad whose opposite sides differ (MAX_QUAD_SIDE_DIFF) is the table seen at a
    slant after all: warped to a rectangle by it, the table's ruling runs level and plumb (level_lines,
    at least GRID_MIN_LINES) along more lines than on the page deskewed instead (`warped`, `deskewed`:
    level_lines of each). A property of central projection: a camera held at a slant over a flat page
    draws a rectangle as a quadrilateral whose far side is the shorter (by the ratio of the far and the
    near side's distances from the lens, so by more than MAX_QUAD_SIDE_DIFF at a steep slant), and the
    homography that maps the table's outline back to a rectangle maps every straight ruling line inside
    it to a level or plumb line again; deskewed only, those lines fan out and the grid loses them. A
    quad that is not the table (a paper's edge joined to the ruling) skews the lines inside it, which
    the deskewed page keeps level. Design family camera_capture (seed 4402): 4 of 25 photographs whose
    page's outline was not found, their table's far side 14-18 % shorter; two of them gave no rows,
    two a grid from the text's alignment, rows lost or added."""
    return _enough_level_lines(warped) and sum(warped) > sum(deskewed)


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Rotate the page so its long horizontal ruling lines are level (median angle of the line
    segments found by a probabilistic Hough transform); returns (page, angle in degrees)."""
    h, w = gray.shape
    hor = cv2.morphologyEx(binarize(gray), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 60, 15), 1)))
    segs = cv2.HoughLinesP(hor, 1, np.pi / 1800, threshold=100, minLineLength=w // 8, maxLineGap=10)
    if segs is None:
        return gray, 0.0
    angles = [np.degrees(np.arctan2(y1 - y0, x1 - x0)) for x0, y0, x1, y1 in segs.reshape(-1, 4)]
    angles = [a for a in angles if abs(a) <= MAX_QUAD_TILT_DEG]
    if not angles:
        return gray, 0.0
    angle = float(np.median(angles))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255), angle


def _warped_like(mask: np.ndarray, st: Step) -> np.ndarray:
    """A bool mask of the page (the ruling lines, a stamp's area) warped as rectify warped the page (its
    step's matrix)."""
    m = np.asarray(st.result["matrix"], dtype=np.float64)
    h, w = mask.shape[:2]
    return cv2.warpPerspective(mask.astype(np.uint8), m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0).astype(bool)


def _turned_like(mask: np.ndarray | None, angle: float) -> np.ndarray | None:
    """A bool mask of the page turned as deskew turned the page by `angle` degrees."""
    if mask is None or angle == 0.0:
        return mask
    h, w = mask.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(mask.astype(np.uint8), m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0).astype(bool)


def _rectified(
    gray: np.ndarray, quad: np.ndarray, ruling: np.ndarray
) -> tuple[np.ndarray, tuple[int, int, int, int], np.ndarray, Step]:
    """rectify, and the ruling lines whole (find_ruling's `lines`) warped with the page."""
    out, box, st = rectify(gray, quad)
    return out, box, _warped_like(ruling, st), st


def rectify(gray: np.ndarray, quad: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int], Step]:
    """Warp the page so that the table quad becomes an axis-aligned rectangle (deskew + perspective)."""
    tl, tr, br, bl = quad
    width = float((np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2)
    height = float((np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2)
    x0, y0 = float((tl[0] + bl[0]) / 2), float((tl[1] + tr[1]) / 2)
    dst = np.array([[x0, y0], [x0 + width, y0], [x0 + width, y0 + height], [x0, y0 + height]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad, dst)
    h, w = gray.shape
    out = cv2.warpPerspective(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    angle = float(np.degrees(np.arctan2(tr[1] - tl[1], tr[0] - tl[0])))
    box = (int(round(x0)), int(round(y0)), int(round(x0 + width)), int(round(y0 + height)))
    return (
        out,
        box,
        Step(
            "rectify",
            {"method": "table_quad_homography"},
            {"quad": quad.round(1).tolist(), "skew_deg": round(angle, 3), "matrix": m.round(6).tolist()},
        ),
    )


SKEW_MIN_DEG = 0.3
"""A page tilted less than this is left as it is (the table's rectification takes the rest)."""


def estimate_skew(bgr: np.ndarray) -> float | None:
    """The page's tilt in degrees (positive: turned clockwise), from its long straight lines, ruling or
    text baselines: the median angle of the line segments a probabilistic Hough transform finds on the
    darkest channel at half resolution (the darkest of each 2 x 2 pixels, so a one-pixel line stays),
    horizontal ones (within MAX_QUAD_TILT_DEG) first, else vertical ones. None where there are none."""
    dark = _darkest(bgr)
    small = cv2.erode(dark, np.ones((2, 2), np.uint8))[::2, ::2]
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY_INV, 15, 12)
    h, w = small.shape
    segs = cv2.HoughLinesP(ink, 1, np.pi / 720, threshold=100, minLineLength=max(40, w // 8), maxLineGap=4)
    if segs is None:
        return None
    angles = [float(np.degrees(np.arctan2(y1 - y0, x1 - x0))) for x0, y0, x1, y1 in segs.reshape(-1, 4)]
    hor = [a for a in angles if abs(a) <= MAX_QUAD_TILT_DEG]
    ver = [a - 90 if a > 0 else a + 90 for a in angles if abs(abs(a) - 90) <= MAX_QUAD_TILT_DEG]
    if len(hor) >= 3:
        return float(np.median(hor))
    if len(ver) >= 3:
        return float(np.median(ver))
    return None


def deskew_page(bgr: np.ndarray) -> tuple[np.ndarray, Step]:
    """The page turned level by its estimated tilt (estimate_skew), where it is tilted SKEW_MIN_DEG or
    more: the ruling is then found as long straight runs however thin its lines (a one-pixel line
    tilted 1.3 degrees stays in one pixel row for 44 px only)."""
    angle = estimate_skew(bgr)
    if angle is None or abs(angle) < SKEW_MIN_DEG:
        return bgr, Step(
            "deskew",
            {"method": "hough_half_resolution", "min_deg": SKEW_MIN_DEG},
            {"skew_deg": None if angle is None else round(angle, 3), "rotated": False},
        )
    h, w = bgr.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = tuple(int(v) for v in np.median(bgr[::8, ::8].reshape(-1, bgr.shape[2] if bgr.ndim == 3 else 1), axis=0))
    out = cv2.warpAffine(bgr, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    return out, Step(
        "deskew",
        {"method": "hough_half_resolution", "min_deg": SKEW_MIN_DEG},
        {"skew_deg": round(angle, 3), "rotated": True, "matrix": m.round(6).tolist()},
    )


# --------------------------------------------------------------------------- photographed pages
# What a document-scanner app does to a photograph before it is read like a scan: the page found as a
# quadrilateral and warped to a rectangle, uneven light and shadow flattened, a low-resolution capture
# brought to the working resolution. Every rule below comes from how a photograph of a page is made
# (a camera at a slant over paper on a desk, lit by a room's light, a hand or a phone casting a shadow),
# never from our generator; each applies only where the photograph's evidence is clear, so that a flat
# scan (paper filling the frame, or a rectangle on a scanner's lid) is left exactly as it was.

WORK_LONG_SIDE = 2339
"""The working resolution: an A4 page at 200 dpi is 2339 px on its long side, the resolution every
scale of the layout and the cleanup is stated at (_page_scale)."""
CAPTURE_ANALYSIS_PX = 1000
"""The page's outline is looked for on the photograph shrunk to this long side: its edge is still a
sharp step a pixel or two wide, and the text shrinks to strokes that a small closing removes."""
PAGE_EDGE_STEP = 2.5
"""An edge pixel of the page rises by at least this many grey levels a pixel (Sobel / 8 on the shrunk,
text-free image): a white page on a white table (a step of 10-20 levels, a pixel or two wide) still
passes, the sensor's noise and JPEG's blocks smoothed by the closing do not."""
PAGE_EDGE_SHARP = 0.2
"""...and is sharp: its slope is at least this share of the grey range within PAGE_EDGE_WINDOW (a page's
edge is in focus and reaches its full step within 2-3 px; the edge of a shadow is a penumbra tens of
pixels wide, its slope a small share of its range)."""
PAGE_EDGE_WINDOW = 25
"""px (on the shrunk image) the range of the sharpness test is measured over."""
PAGE_EDGE_PIECE = 0.05
"""Pieces of sharp edge at least this share of the frame's long side long are the page's outline in
pieces (its edge is lost in places: under a shadow, where the desk is as light as the paper); shorter
ones (a speck, a corner of a stamp) are left out of its hull."""
CAPTURE_MIN_AREA = 0.5
"""The page's quadrilateral covers at least half the frame (a capture of one page frames it; a
smaller bright shape is something else on the desk), ..."""
CAPTURE_MAX_AREA = 0.985
"""...and at most this share: a page filling the frame to its edges is a scan, with no outline to find."""
CAPTURE_CORNER_DEG = (55.0, 125.0)
"""...its corners are a page's seen at a slant: each angle within these bounds (a camera at up to about
45 degrees from the page's normal), ..."""
CAPTURE_SIDE_SUPPORT = 0.6
"""...and each of its four sides is seen as an edge along at least this share of its length (the page's
edge may be hidden in places, by a finger or where the desk is as light as the paper)."""
CAPTURE_MIN_KEYSTONE = 0.015
"""The page is warped only where its corners lie this share of its short side or more from the nearest
rectangle (a camera's keystone: a 3-10 % of the page at the slant a phone is held at). A page merely
turned on the scanner's lid is a rectangle, left to the deskew; flatbed scans are warped by a few
pixels at most (0.5 %)."""
CAPTURE_MAX_UPSAMPLE = 2.0
"""A capture whose page is smaller than the working resolution is enlarged to it, at most this much
(a 100 dpi capture: enlarging more invents nothing the recognizer can use)."""
CAPTURE_UPSAMPLE_MIN = 1.1
"""...and only where it is smaller by more than this factor (a page at 190 dpi is read as it is)."""
FLATTEN_KERNEL_MM = 7.5
"""Uneven light is estimated by closing the page (the paper's brightness where the ink is taken away)
with a square this many millimetres across: wider than a character (5-6 mm) or a ruling line, narrower
than the penumbra of a shadow (1-3 cm)."""
CAPTURE_BORDER = 0.006
"""Share of the warped page's short side painted paper-white along its edges: the last pixels of desk
a corner a pixel outside the page would leave (no register prints this close to the paper's edge)."""


@dataclass(frozen=True)
class PageQuad:
    """A photographed page's outline: corners (tl, tr, br, bl) in the photograph's pixels, the share of
    the frame it covers, and how far (in px) its corners lie from the nearest rectangle."""

    corners: np.ndarray
    area_share: float
    keystone_px: float


def _order_corners(pts: np.ndarray) -> np.ndarray:
    """Four points as (tl, tr, br, bl): by angle around their centre, starting from the one up-left."""
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    p = pts[np.argsort(ang)]  # clockwise in image coordinates (y down), from the left
    start = int(np.argmin(p.sum(axis=1)))
    return np.roll(p, -start, axis=0).astype(np.float32)


def _corner_angles(q: np.ndarray) -> list[float]:
    out = []
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cosang = float(np.dot(v1, v2) / max(1e-6, np.linalg.norm(v1) * np.linalg.norm(v2)))
        out.append(float(np.degrees(np.arccos(np.clip(cosang, -1, 1)))))
    return out


def _keystone(q: np.ndarray) -> float:
    """How far (px) the quad's corners lie from the nearest rectangle (the rotated box of least area
    around them, corners matched): 0 for a rectangle however it is turned."""
    box = cv2.boxPoints(cv2.minAreaRect(q.astype(np.float32)))
    box = _order_corners(box)
    return float(max(np.min(np.linalg.norm(box - p, axis=1)) for p in q))


def page_edges(gray_small: np.ndarray) -> np.ndarray:
    """The sharp edges of large shapes (bool mask) on a shrunk grey photograph: the ink removed by a
    closing, the slope kept where it rises PAGE_EDGE_STEP or more and is sharp (PAGE_EDGE_SHARP): a
    page's edge, not a shadow's penumbra nor the text."""
    k = max(5, int(round(0.008 * max(gray_small.shape))) | 1)
    smooth = cv2.morphologyEx(gray_small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    smooth = cv2.GaussianBlur(smooth, (0, 0), 1.2).astype(np.float32)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
    mag = cv2.magnitude(gx, gy)
    win = cv2.getStructuringElement(cv2.MORPH_RECT, (PAGE_EDGE_WINDOW, PAGE_EDGE_WINDOW))
    rng = cv2.dilate(smooth, win) - cv2.erode(smooth, win)
    return (mag >= PAGE_EDGE_STEP) & (mag >= PAGE_EDGE_SHARP * rng)


def _side_line(edges: np.ndarray, a: np.ndarray, b: np.ndarray, band: float) -> tuple[np.ndarray, float] | None:
    """The page's side between corners a and b fitted to the edge pixels within `band` px of it (a
    line: point and direction), and the share of its length they support."""
    ys, xs = np.nonzero(edges)
    if xs.size == 0:
        return None
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    d = b - a
    length = float(np.linalg.norm(d))
    if length < 10:
        return None
    u = d / length
    nrm = np.array([-u[1], u[0]])
    rel = pts - a
    t = rel @ u
    off = rel @ nrm
    near = (np.abs(off) <= band) & (t >= 0.04 * length) & (t <= 0.96 * length)
    if near.sum() < 10:
        return None
    support = len(np.unique(np.round(t[near]).astype(np.int64))) / (0.92 * length)
    line = cv2.fitLine(pts[near].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).reshape(-1)
    return line, float(min(1.0, support))


def _meet(l1: np.ndarray, l2: np.ndarray) -> np.ndarray | None:
    (vx1, vy1, x1, y1), (vx2, vy2, x2, y2) = l1, l2
    m = np.array([[vx1, -vx2], [vy1, -vy2]], dtype=np.float64)
    if abs(np.linalg.det(m)) < 1e-6:
        return None
    s, _t = np.linalg.solve(m, np.array([x2 - x1, y2 - y1], dtype=np.float64))
    return np.array([x1 + s * vx1, y1 + s * vy1])


def find_page_quad(image: np.ndarray) -> PageQuad | None:
    """The photographed page's outline, or None where the evidence is not clear: the shape
    bounded by sharp edges (page_edges) whose convex hull simplifies to four corners, covering
    CAPTURE_MIN_AREA..CAPTURE_MAX_AREA of the frame, with corner angles of a page seen at a slant
    (CAPTURE_CORNER_DEG) and each side seen along CAPTURE_SIDE_SUPPORT of its length; each side then
    fitted as a line to its edge pixels and the corners taken where they meet. The outline is the
    convex hull of all long pieces of sharp edge (PAGE_EDGE_PIECE): a page's edge lost in places still
    bounds it."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    f = min(1.0, CAPTURE_ANALYSIS_PX / max(h, w))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    sh, sw = small.shape
    edges = page_edges(small)
    joined = cv2.dilate(edges.astype(np.uint8), np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    long_ = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= PAGE_EDGE_PIECE * max(sh, sw)
    long_[0] = False
    if not long_.any():
        return None
    ys, xs = np.nonzero(long_[labels])
    hull = cv2.convexHull(np.stack([xs, ys], axis=1).astype(np.int32))
    if cv2.contourArea(hull) < CAPTURE_MIN_AREA * sh * sw:
        return None
    peri = cv2.arcLength(hull, True)
    approx = None
    for eps in (0.01, 0.02, 0.03, 0.05):
        a = cv2.approxPolyDP(hull, eps * peri, True)
        if len(a) == 4:
            approx = a.reshape(4, 2).astype(np.float64)
            break
    if approx is None:
        return None
    q = _order_corners(approx).astype(np.float64)
    band = max(3.0, 0.006 * max(sh, sw))
    lines = []
    for i in range(4):
        fit = _side_line(edges, q[i], q[(i + 1) % 4], band)
        if fit is None or fit[1] < CAPTURE_SIDE_SUPPORT:
            return None
        lines.append(fit[0])
    corners = []
    for i in range(4):
        p = _meet(lines[i - 1], lines[i])
        if p is None:
            return None
        corners.append(p)
    q = np.asarray(corners, dtype=np.float64)
    area = float(cv2.contourArea(q.astype(np.float32)))
    if not CAPTURE_MIN_AREA * sh * sw <= area <= CAPTURE_MAX_AREA * sh * sw:
        return None
    lo, hi = CAPTURE_CORNER_DEG
    if not all(lo <= ang <= hi for ang in _corner_angles(q)):
        return None
    if (q[:, 0] < -2).any() or (q[:, 1] < -2).any() or (q[:, 0] > sw + 1).any() or (q[:, 1] > sh + 1).any():
        return None
    full = (q / f).astype(np.float32)
    return PageQuad(full, area / (sh * sw), _keystone(full))


def flatten_light(image: np.ndarray, dpi_scale: float) -> tuple[np.ndarray, dict[str, float]]:
    """Uneven light and shadow divided out of a photograph, each colour channel by its own paper
    brightness (so white paper comes out white, red and green print keep their colour): the background
    is estimated by a morphological closing of FLATTEN_KERNEL_MM (the ink taken away) on a quarter-size
    image, smoothed, and the image divided by it. `dpi_scale`: the page's pixels per 200 dpi pixel."""
    h, w = image.shape[:2]
    q = 4
    small = cv2.resize(image, (max(1, w // q), max(1, h // q)), interpolation=cv2.INTER_AREA)
    k = max(5, int(round(FLATTEN_KERNEL_MM / 25.4 * 200 * dpi_scale / q)) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), k / 2)
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    out = cv2.divide(image, np.maximum(bg, 1), scale=255)
    g = bg if bg.ndim == 2 else bg.max(axis=2)
    lo, hi = float(np.percentile(g, 2)), float(np.percentile(g, 98))
    return out, {"kernel_px": k * q, "background_low": round(lo, 1), "background_high": round(hi, 1)}


SHARPEN_SIGMA_PX = 2.0
"""A frame enlarged to the working resolution is sharpened by an unsharp mask of this radius (px at the
working resolution: one pixel of a capture enlarged 1.1-2x, CAPTURE_MAX_UPSAMPLE). Interpolation
spreads every edge of the enlarged frame over the width of its kernel (cubic: four of the capture's
pixels), on top of the phone's own optical blur, so a stroke's edge rises over several pixels; the
recognizer scales each text line to its 48-px input height and was trained on lines cropped from
sharp prints and scans (PaddleOCR's training data), where a stroke's edge rises over a pixel or two.
The mask restores the edge's slope at a stroke's scale (wider than the grain, narrower than a
character's 15-25 px) and leaves larger areas (paper, light) as they were. Design family
camera_capture: cells read exactly 1070 -> 1120 of 2119 by the mask alone; county_editions (seed 3303)
taken down to 150 dpi, a scan enlarged with no outline found: 1851 -> 1852 of 1940."""
SHARPEN_AMOUNT = 1.0
"""...adding the difference from its blur once (the classic unsharp mask): edges twice as steep,
no ringing beyond one level of overshoot clipped at white and black."""


def sharpen_enlarged(image: np.ndarray) -> np.ndarray:
    """Unsharp mask (SHARPEN_SIGMA_PX, SHARPEN_AMOUNT) of a frame enlarged by interpolation."""
    f = image.astype(np.float32)
    blur = cv2.GaussianBlur(f, (0, 0), SHARPEN_SIGMA_PX)
    return np.clip(f + SHARPEN_AMOUNT * (f - blur), 0, 255).astype(np.uint8)


JPEG_DC_STEP_MIN = 2
"""A frame smaller than the working resolution is taken for a JPEG's decoded pixels (jpeg_dc_step) where its
8 x 8 blocks' DC coefficients stand on multiples of a step of at least this (1: any integer, no quantization
seen). The JPEG standard (ITU-T T.81) quantizes each coefficient of each 8 x 8 block of the luminance to a
multiple of its table's step; the DC of a block is an eighth of its pixels' sum less the level shift, so a
decoded frame's DCs lie within a pixel rounding (about 0.3) of those multiples, on every block, paper as ink."""
JPEG_DC_SHARE = 0.8
"""...on at least this share of the frame's blocks (within JPEG_DC_TOLERANCE of a multiple): the largest step so
held is the frame's. A frame never JPEG-encoded (a scan kept in PNG or TIFF, a synthetic page) has its DCs spread
over the integers. Blocks of one grey level (a synthetic page's white) are left out: they sit on every step."""
JPEG_DC_TOLERANCE = 0.5
"""A DC within this of a multiple counts as on it: a JPEG's pixel rounding moves a DC by about 0.3 (sd); by
chance a step of 2 holds half the blocks, 3 a third."""
JPEG_SHIFT_STEP = 2
"""Re-application (deblock_jpeg) shifts the block grid by 0, 2, 4, 6 px on each axis: 16 re-encodings."""


def jpeg_dc_step(gray: np.ndarray) -> int:
    """The step the 8 x 8 blocks' DC coefficients of a grey frame stand on (JPEG_DC_SHARE, JPEG_DC_TOLERANCE), the
    blocks taken on the frame's own grid from its top-left pixel (a JPEG's); 1 where none above 1 holds."""
    h, w = (gray.shape[0] // 8) * 8, (gray.shape[1] // 8) * 8
    if h < 64 or w < 64:
        return 1
    blocks = gray[:h, :w].astype(np.float64).reshape(h // 8, 8, w // 8, 8)
    flat = (blocks.max(axis=(1, 3)) == blocks.min(axis=(1, 3))).ravel()
    dc = (blocks.sum(axis=(1, 3)) / 8.0 - 8.0 * 128).ravel()[~flat]
    if dc.size < 64:
        return 1
    best = 1
    for step in range(2, 65):
        off = np.abs(dc - step * np.round(dc / step))
        if float(np.mean(off <= JPEG_DC_TOLERANCE)) >= JPEG_DC_SHARE:
            best = step
    return best


def jpeg_quality_of_step(step: int) -> int:
    """The IJG quality (1-100) whose scaled luminance table gives the DC step `step` (the table's DC entry is 16,
    scaled by S = 5000 / quality below 50, 200 - 2 x quality above: libjpeg's jpeg_quality_scaling), the middle of
    the qualities that give it."""
    s = 100.0 * step / 16.0
    q = 5000.0 / s if s > 100 else (200.0 - s) / 2.0
    return int(min(100, max(1, round(q))))


def deblock_jpeg(gray: np.ndarray, quality: int) -> np.ndarray:
    """A JPEG-decoded grey frame with its blocking and ringing averaged out: the mean of its JPEG re-applications
    at `quality` over the 8 x 8 grid shifted by JPEG_SHIFT_STEP (Nosratinia, "Enhancement of JPEG-compressed
    images by re-application of JPEG", J. VLSI Signal Processing 27, 2001). Quantization noise lies on the block
    grid; re-encoded on a shifted grid the image moves little while that noise moves, so the mean keeps the one."""
    h, w = gray.shape
    acc = np.zeros((h, w), np.float64)
    n = 0
    for dy in range(0, 8, JPEG_SHIFT_STEP):
        for dx in range(0, 8, JPEG_SHIFT_STEP):
            pad = np.pad(gray, ((dy, 8), (dx, 8)), mode="edge")
            ok, buf = cv2.imencode(".jpg", pad, [cv2.IMWRITE_JPEG_QUALITY, quality])
            dec = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE) if ok else None
            acc += (pad if dec is None else dec)[dy : dy + h, dx : dx + w]
            n += 1
    return np.clip(np.rint(acc / n), 0, 255).astype(np.uint8)


def deblocked_frame(image: np.ndarray) -> tuple[np.ndarray, dict[str, object]]:
    """A frame the cleanup is about to enlarge, with its JPEG blocking averaged out (deblock_jpeg at the quality
    its DC step says, jpeg_quality_of_step) where its luminance shows a JPEG's quantization (jpeg_dc_step at least
    JPEG_DC_STEP_MIN); else the frame as it came. Colour frames: the luminance (YCrCb's Y, which the grey page is
    made of) only, the colour left for the stamps' redness. Why: a property of the capture and of the cleanup.
    A phone saves its frame as a JPEG; enlarging it to the working resolution and sharpening it
    (sharpen_enlarged) steepens the 8 x 8 blocks' edges and the ringing around strokes as it does the strokes,
    and the recognizer, which takes a line at 48 px, reads them as ink. Design phone copies (bench/stress_scans.py
    --mode phone, quality 70) of d4731 county + typed read again with the same photograph at quality 98: names
    66 -> 88 % exact; re-applied at 70 before reading: 79 % (docs/evaluation.md, Session 47)."""
    y = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2YCrCb)[:, :, 0]
    step = jpeg_dc_step(y)
    if step < JPEG_DC_STEP_MIN:
        return image, {}
    quality = jpeg_quality_of_step(step)
    y2 = deblock_jpeg(np.ascontiguousarray(y), quality)
    info: dict[str, object] = {"jpeg_dc_step": step, "jpeg_deblocked_quality": quality}
    if image.ndim == 2:
        return y2, info
    ycc = cv2.cvtColor(image, cv2.COLOR_BGR2YCrCb)
    ycc[:, :, 0] = y2
    return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2BGR), info


CAPTURE_INK_CONTRAST = 45
"""A frame holds something to read only where at least CAPTURE_INK_SHARE of its pixels are this many
grey levels darker than its median (the paper): the contrast of ink against its paper that the layout
counts as ink (pipeline.page.layout.INK_CONTRAST, faded ink included)."""
CAPTURE_INK_SHARE = 0.005
"""...half a percent of the frame: a register page's ruling alone covers more; a blank sheet (its
darkest pixels a few levels under the paper) none. Enlarging a frame with nothing to read only enlarges
its grain and JPEG blocks into blobs of a character's size."""


def _holds_ink(image: np.ndarray) -> bool:
    """Whether a frame holds ink (CAPTURE_INK_CONTRAST, CAPTURE_INK_SHARE) on its darkest channel."""
    g = _darkest(image)
    return float(np.median(g)) - float(np.percentile(g, 100 * CAPTURE_INK_SHARE)) >= CAPTURE_INK_CONTRAST


CAPTURE_STROKE_MM = 1.5
"""The paper beside a stroke (_ink_in_its_light) is the brightest pixel within this many millimetres of it
(a closing of that width, scaled as the frame's long side is to an A4 page at 200 dpi): wider than a pen's
stroke or a ruling line blurred by a phone's optics (0.3-0.6 mm), narrower than a character's 5-6 mm, so a
stroke is measured against the paper around it, and a step of light (a shadow's or the desk's edge) is no
stroke (a closing keeps a straight step and a convex page's corner where they are)."""
CAPTURE_NOISE_SIGMA_PX = 1.0
"""A sensor's noise is drawn per pixel, a stroke spans several (2-4 px at 150 dpi): the frame is first
averaged over this Gaussian radius (px of the frame), which takes the noise down about 3.5 times and a
stroke's depth by a fraction."""
CAPTURE_INK_RELATIVE = 0.07
"""...and a frame holds ink where at least CAPTURE_INK_SHARE of its pixels stand this share of that paper's
brightness under it, counted only where that paper is at least as bright as the frame's median (the desk
around a page is darker than the paper, and its own noise, relative to its darkness, is no ink). Black ink
reflects a tenth of what paper does; the pages of the design phone copies (bench/stress_scans.py --mode
phone: ph3316, ph3380-fix, and d3316 and f3321 with phone seed 3381) whose outline was not found: 0.10-0.29
of their paper at that share. A blank sheet: samples/invalid/blank_page.jpg 0.013; a blank page on a desk
(tests/test_capture.py's _photograph) in full or half light with sensor noise of sigma 4-6 levels (the
phone model's range), as taken and as JPEG at quality 70: 0.013-0.044."""


def _ink_in_its_light(image: np.ndarray) -> bool:
    """Whether a frame holds ink measured against the paper beside it (CAPTURE_STROKE_MM,
    CAPTURE_NOISE_SIGMA_PX, CAPTURE_INK_RELATIVE, CAPTURE_INK_SHARE) on its darkest channel, not against
    the frame's median (_holds_ink). A property of photographed light: the light falls off across a
    photographed page and a hand's or the phone's shadow lies over part of it, and the desk around the
    page is darker than the paper, so the frame's median is no paper's brightness and its darkest pixels
    are desk or shadow, not ink; and in dim light ink stands fewer grey levels under its paper (in
    proportion to the light) than CAPTURE_INK_CONTRAST asks. Design phone copies (seed 3381 of d3316
    county 03_cremation_longkou_2015 p2 and of f3321 county 04_sea_burial_yantai_2012 p2): pages whose
    outline a shadow hid and whose frame's median stood 22-32 levels above its darkest half percent were
    left at 150 dpi as scans, and their grid lost a column."""
    g = cv2.GaussianBlur(_darkest(image), (0, 0), CAPTURE_NOISE_SIGMA_PX).astype(np.float32)
    k = max(3, int(round(CAPTURE_STROKE_MM / 25.4 * 200 * _page_scale(g.shape))) | 1)
    paper = cv2.morphologyEx(g, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    under = (paper - g) / np.maximum(paper, 1.0)
    under[paper < float(np.median(g))] = 0.0
    return float(np.percentile(under, 100 * (1 - CAPTURE_INK_SHARE))) >= CAPTURE_INK_RELATIVE


DARK_PAGE_LEVEL = 64
"""A frame whose brightest channel is darker than this over half its pixels is nearly all as dark as
ink: black ink and toner reflect under about 5 % of the light (sRGB about 60 at most), paper 60-90 %
(about 200-245 on a scan set right), and coloured paper or a cover one of whose channels is dark (a red
book) still reflects its own colour brightly. A property of imaging (paper, ink, the sRGB curve)."""
DIM_PAGE_LEVEL = 150
"""...and one whose brightest channel is darker than this over half its pixels, with no ink on it
(_holds_ink), is dim grey with nothing to read: its paper reflects under about 30 % of the light (sRGB
150), which no paper does on a scan or photograph exposed for it (grey recycled paper about 50 %, sRGB
about 188; a yellowed page's red channel stays brighter still)."""


def page_light(image: np.ndarray) -> str | None:
    """Why a frame with nothing on it to read is so, where its light says it (a code of
    pipeline.kernel.reasons): "dark_page" (nearly all as dark as ink, DARK_PAGE_LEVEL: exposure or scan
    setting), "dim_page" (dim grey with no ink, DIM_PAGE_LEVEL: under-exposed), or None (paper as light
    as paper: a blank page, a letter or a cover is the question). Read on every fourth pixel."""
    small = image[::4, ::4] if min(image.shape[:2]) >= 400 else image
    v = small if small.ndim == 2 else cv2.max(cv2.max(small[..., 0], small[..., 1]), small[..., 2])
    level = float(np.median(v))
    if level < DARK_PAGE_LEVEL:
        return "dark_page"
    if level < DIM_PAGE_LEVEL and not _holds_ink(small):
        return "dim_page"
    return None


RULING_ANALYSIS_PX = 1200
"""The rulings' directions are measured on the frame shrunk to this long side (a ruling stays a line a
pixel or two wide; a 1200 px line's direction is known to a few hundredths of a degree)."""
RULING_MIN_LENGTH = 0.25
"""A ruling is a straight run of ink at least this share of the frame's short side long (a table's
rules span most of the page; a line of text broken at each character does not make one)."""
RULING_MIN_LINES = 4
"""Directions are fitted on at least this many such runs in each family (across and down the page)."""
RULINGS_CONVERGE_DEG = 3.5
"""Rulings whose directions differ by this many degrees or more across the page (convergence, or a
departure from square) were photographed at a slant (ruling_convergence_deg). A flatbed scanner images
the sheet by an orthographic projection (its sensor travels under the glass at a fixed distance): the
rulings of a flat sheet stay parallel and square up to one rotation however the sheet lies, and a sheet
not quite flat on the glass bends them by a degree or two; a camera held at a slant projects them
through one centre, so that parallel rulings converge towards a vanishing point (a phone held 10-20
degrees off the page's normal: 5-15 degrees from the top rule to the bottom one). Measured (design
sets; s30-photoroute): scans of county_editions and typed_sheets (d3316, f3321; 64 pages) 0.16-2.34;
photographed pages (phone copies ph3316, ph3380, ph3316/ph3321 with phone seed 3381; camera s4482,
c4485) whose outline was found 1.1-15.7 (a camera held nearly square to the page draws its rulings
nearly parallel: such a photograph is not told by this), the 6 phone pages whose outline was not found
at scan resolution 4.4-11.0. The margin below is the scans': 2.34 is what a sheet not quite flat and
the measure's own scatter give."""


def ruling_convergence_deg(image: np.ndarray) -> float | None:
    """How far the page's rulings depart from one rotation of a parallel, square grid, in degrees: the
    largest of (a) the change in direction of the rulings across the page from its top rule to its bottom
    one, (b) the same for the rules down the page from its left rule to its right one (each the slope of
    a least-squares fit of a ruling's direction on its position, weighted by its length, times the span
    of the positions), and (c) the departure of the two families' mean directions from a right angle.
    None where either family has fewer than RULING_MIN_LINES rules (a page without a table: nothing to
    tell). Rulings are straight runs of ink (adaptive threshold on the darkest channel, probabilistic
    Hough transform) at least RULING_MIN_LENGTH of the short side long, within 18 degrees of across or
    down. A property of how the capture was made (the projection: RULINGS_CONVERGE_DEG), measured on the
    frame as captured, before any correction; no OCR."""
    g = _darkest(image)
    f = min(1.0, RULING_ANALYSIS_PX / max(g.shape[:2]))
    if f < 1:
        g = cv2.resize(g, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 21, 12)
    h, w = g.shape
    found = cv2.HoughLinesP(ink, 1, np.pi / 720, threshold=150, minLineLength=int(RULING_MIN_LENGTH * min(h, w)), maxLineGap=6)
    segs = np.zeros((0, 4)) if found is None else found.reshape(-1, 4).astype(np.float64)
    dx, dy = segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]
    across = _ruling_fit(segs[np.abs(dx) > 3 * np.abs(dy)], down=False)
    downs = _ruling_fit(segs[np.abs(dy) > 3 * np.abs(dx)], down=True)
    if across is None or downs is None:
        return None
    return round(max(abs(across[1]), abs(downs[1]), abs(across[0] + downs[0])), 2)


def _ruling_fit(segs: np.ndarray, down: bool) -> tuple[float, float] | None:
    """(mean direction, change of direction across the positions' span) in degrees of one family of
    ruling segments (x1, y1, x2, y2): across the page the direction from the x axis against the mid y,
    down the page from the y axis (positive towards -x, so that a square grid's two sum to 0) against
    the mid x."""
    if len(segs) < RULING_MIN_LINES:
        return None
    x1, y1, x2, y2 = segs.T
    dx, dy = x2 - x1, y2 - y1
    if down:
        sign = np.where(dy < 0, -1.0, 1.0)
        ang, pos = np.degrees(np.arctan2(dx * sign, dy * sign)), (x1 + x2) / 2
    else:
        sign = np.where(dx < 0, -1.0, 1.0)
        ang, pos = np.degrees(np.arctan2(dy * sign, dx * sign)), (y1 + y2) / 2
    span = float(np.ptp(pos))
    if span < 50:
        return None
    wt = np.sqrt(np.hypot(dx, dy))
    a = np.stack([np.ones_like(pos), pos], axis=1) * wt[:, None]
    coef = np.linalg.lstsq(a, ang * wt, rcond=None)[0]
    return float(coef[0] + coef[1] * np.average(pos, weights=wt**2)), float(coef[1] * span)


def correct_capture(image: np.ndarray, bilevel: bool = False) -> tuple[np.ndarray, Step]:
    """A photographed page read like a scan (document-scanner correction), where find_page_quad finds
    the page on a desk: warped to a rectangle where its corners are not one already
    (CAPTURE_MIN_KEYSTONE), enlarged to the working resolution where it is smaller
    (CAPTURE_UPSAMPLE_MIN, CAPTURE_MAX_UPSAMPLE), and then its light flattened (flatten_light). Anything
    else at the working resolution (a flatbed scan, a page filling the frame, a page square on a
    scanner's dark lid at scan resolution) is returned as it came, the step saying why.

    Where no outline is found but the frame itself is smaller than the working resolution (a 150 dpi
    photograph whose page runs out of the frame or lies on a desk as light as the paper, or a 150 dpi
    scan) and holds ink (_holds_ink against the frame's median, or _ink_in_its_light against the paper
    beside it: a photograph in dim or uneven light; a blank sheet is left as it came), the whole frame is
    enlarged to it, within the same bounds: its text is no larger than on a
    capture whose page was found, and the recognizer misread such headers of 8-10 px (design family
    camera_capture, docs/capture.md). A property of the recognizer and of the working resolution
    every scale of the cleanup and the layout is stated at (WORK_LONG_SIDE), not of any page. The
    light is not flattened there: without the page's outline nothing says the frame is a photograph.
    Where no outline is found the step records how far the page's rulings converge
    (ruling_convergence_deg, `rulings_converge_deg`): routing.capture_kind tells a photograph by it.

    A page scanned in 1-bit (`bilevel`: is_bilevel as it came) is never warped: a 1-bit image is made by a
    scanner's threshold (fax mode, CCITT G4) or by a scanning app that flattened the page before it
    thresholded it; no camera frame is 1-bit, so an outline with a keystone found on one is a scanner's
    black border or specks, not a camera's perspective (a nearly wiped 1-bit page of a fresh copy of 3337
    was warped by such an outline and then taken for a photograph: no 1-bit denoise, no 1-bit advice). A
    1-bit page smaller than the working resolution is still enlarged as any other."""
    settings = {
        "method": "page_quad_homography",
        "min_keystone": CAPTURE_MIN_KEYSTONE,
        "work_long_side": WORK_LONG_SIDE,
        "flatten_kernel_mm": FLATTEN_KERNEL_MM,
    }
    quad = find_page_quad(image)
    if quad is None:
        lost: dict[str, object] = {"page_found": False, "rulings_converge_deg": ruling_convergence_deg(image)}
        up = WORK_LONG_SIDE / max(image.shape[:2])
        if up < CAPTURE_UPSAMPLE_MIN or not (_holds_ink(image) or _ink_in_its_light(image)):
            return image, Step("capture", settings, lost)
        up = min(CAPTURE_MAX_UPSAMPLE, up)
        image, blocks = (image, {}) if bilevel else deblocked_frame(image)
        out = sharpen_enlarged(cv2.resize(image, None, fx=up, fy=up, interpolation=cv2.INTER_CUBIC))
        return out, Step(
            "capture", settings, {**lost, "upsample": round(up, 3), "sharpened_sigma_px": SHARPEN_SIGMA_PX, **blocks}
        )
    tl, tr, br, bl = quad.corners.astype(np.float64)
    width = float((np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2)
    height = float((np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2)
    up = WORK_LONG_SIDE / max(width, height)
    up = min(CAPTURE_MAX_UPSAMPLE, up) if up >= CAPTURE_UPSAMPLE_MIN else 1.0
    short = min(width, height)
    warp = quad.keystone_px >= CAPTURE_MIN_KEYSTONE * short and not bilevel
    result: dict[str, object] = {
        "page_found": True,
        "quad": quad.corners.round(1).tolist(),
        "area_share": round(quad.area_share, 3),
        "keystone_px": round(quad.keystone_px, 1),
        "warped": bool(warp),
        "upsample": round(up, 3),
    }
    if bilevel:
        result["bilevel"] = True  # scanned in 1-bit: never warped (above)
    if not warp and up == 1.0:  # a page lying square on a scanner's lid, at scan resolution: a scan
        return image, Step("capture", settings, result)
    if up > 1.0 and not bilevel:  # a frame to be enlarged and sharpened: its JPEG blocks averaged out first
        image, blocks = deblocked_frame(image)
        result.update(blocks)
    out = image
    if warp:
        ow, oh = int(round(width * up)), int(round(height * up))
        dst = np.array([[0, 0], [ow - 1, 0], [ow - 1, oh - 1], [0, oh - 1]], dtype=np.float32)
        m = cv2.getPerspectiveTransform(quad.corners.astype(np.float32), dst)
        out = cv2.warpPerspective(image, m, (ow, oh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
        result["matrix"] = m.round(6).tolist()
    elif up > 1.0:
        out = cv2.resize(image, None, fx=up, fy=up, interpolation=cv2.INTER_CUBIC)
    scale = _page_scale(out.shape) if warp else _page_scale(out.shape) * quad.area_share**0.5
    out, light = flatten_light(out, scale)
    result.update(light)
    if warp:
        b = max(2, int(round(CAPTURE_BORDER * min(out.shape[:2]))))
        out[:b], out[-b:], out[:, :b], out[:, -b:] = 255, 255, 255, 255
    if up > 1.0:
        out = sharpen_enlarged(out)
        result["sharpened_sigma_px"] = SHARPEN_SIGMA_PX
    return out, Step("capture", settings, result)


def clean_page(bgr: np.ndarray, settings: CleanupSettings = CleanupSettings()) -> CleanPage:
    """All cleanup steps in order; the input array is left untouched."""
    steps: list[Step] = []
    photograph = False
    bilevel = is_bilevel(bgr)  # as scanned: a 1-bit page turned level below has grey edges
    rim_px = BORDER_RIM_PX if bilevel else 0  # a 1-bit scan's border rim, a dithered one's too
    dithered = halftone(bgr) if bilevel else None
    if dithered is not None:  # a halftone's dots made grey again: the page is read as a grey scan
        grey, st = descreen(bgr, dithered)
        bgr = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR) if bgr.ndim == 3 else grey
        steps.append(st)
        bilevel = False
    if settings.capture:
        bgr, st = correct_capture(bgr, bilevel)
        steps.append(st)
        photograph = "kernel_px" in st.result  # the page found on a desk and its light flattened
    bgr, st = deskew_page(bgr)
    steps.append(st)
    ruling = find_ruling(bgr)
    gray, st, stamped = suppress_stamps(bgr, settings.red_margin, ruling.ink)
    steps.append(st)
    gray, st = remove_scan_borders(gray, settings.border_dark, rim_px)
    steps.append(st)
    gray, st = normalize_illumination(gray, settings.illumination_kernel, photograph=photograph)
    steps.append(st)
    before = gray
    if photograph:
        steps.append(Step("denoise", {"method": "none", "photograph": True}))
    else:
        gray, st = denoise(gray, settings.denoise_h, bilevel)
        steps.append(st)
    if is_bilevel(before):
        # a 1-bit scan's ruling drawn whole again: a line broken into dots by the threshold is found
        # by the grid only where it is one. Judged after the turn, unlike the noise removal: a 1-bit page
        # turned level is grey at its strokes' edges and keeps its ruling as found there (redrawn after a
        # 4.6 degree turn, the bilevel copy of county 3329, 03_cremation page 1, lost its header's top line)
        gray[ruling.lines] = np.minimum(gray[ruling.lines], RULING_GRAY)
    else:
        # a ruling line one pixel wide (thin print) is no noise: the median filter would weaken it
        gray[ruling.ink] = np.minimum(gray[ruling.ink], before[ruling.ink])
    table_box = None
    # the lines a shadow hid are given to the grid only (the table's outline and the cleanup are found
    # from the ruling as found in the light: a line more changes which way the table is rectified)
    lines: np.ndarray | None = ruling.lines if ruling.shaded is None else ruling.lines | ruling.shaded
    if settings.rectify:
        quad, slanted = _table_quad(gray, settings.min_table_fraction, ruling.lines)
        problem = quad_problem(quad) if quad is not None else None
        if quad is None:
            steps.append(Step("rectify", {"method": "table_quad_homography"}, {"table_found": False}))
        else:
            # a quad whose sides differ, or a side of which is tilted (a table photographed at a slant
            # and turned: its far side both shorter and askew), is warped only where the table's ruling
            # comes out level by it (keystone_kept): the table seen at a slant, not a paper's edge joined
            # to it. A quad one of whose sides runs backwards is no table's outline at all.
            slant = problem is not None and (SIDES_DIFFER in problem or (SIDE_TILTED in problem and _runs_forward(quad)))
            warped = _rectified(gray, quad, ruling.lines) if problem is None or slant else None
            level: dict[str, object] = {}
            if problem is not None:
                deskewed, angle = deskew(gray)
                if warped is not None:
                    on_warp, on_deskew = level_lines(warped[0], warped[1], warped[2]), level_lines(deskewed)
                    level = {"level_lines_warped": list(on_warp), "level_lines_deskewed": list(on_deskew)}
                    if not keystone_kept(on_warp, on_deskew):
                        warped = None
                if warped is None and not _enough_level_lines(level_lines(deskewed)):
                    # the deskewed page keeps no ruled grid either: its lines lean (a photograph's
                    # keystone) or are broken by grain. The table looked for as its lines lean
                    # (slanted_table) is warped where its outline can be a table's (quad_problem)
                    found = slanted_table(gray, settings.min_table_fraction)
                    found_problem = None if found is None else quad_problem(found[0])
                    if found is not None and (found_problem is None or _runs_forward(found[0])):
                        # a quad tilted or whose sides differ is the table seen at a slant where its
                        # lines come out level by it (keystone_kept), as above
                        new = _rectified(gray, found[0], ruling.lines)
                        on_new = level_lines(new[0], new[1], new[2] | _slanted_warped(found[1], new[3]))
                        if found_problem is None or keystone_kept(on_new, level_lines(deskewed)):
                            level = {"quad_rejected": problem, "rejected_quad": quad.round(1).tolist()}
                            quad, slanted, warped = found[0], found[1], new
                            problem = found_problem
                if warped is None:  # deskewed only (rotation from the ruling lines); the grid is searched on the whole page
                    stamped = _turned_like(stamped, angle)
                    gray, lines = deskewed, None
                    result = {
                        "table_found": True,
                        "quad": quad.round(1).tolist(),
                        "quad_rejected": problem,
                        "fallback": "deskew",
                        "skew_deg": round(angle, 3),
                    }
                    steps.append(Step("rectify", {"method": "table_quad_homography"}, {**result, **level}))
            if warped is not None:
                gray, table_box, lines, st = warped
                stamped = None if stamped is None else _warped_like(stamped, st)
                if ruling.shaded is not None and lines is not None:
                    lines = lines | _warped_like(ruling.shaded, st)
                if slanted is not None and lines is not None:
                    # the table found by its leaning lines only (slanted_lines): its ruling as binarized
                    # is broken every few pixels, and the layout finds its grid from the lines found
                    # here, warped level and plumb with the page
                    lines = lines | _slanted_warped(slanted, st)
                    st.result["slanted_lines"] = True
                if problem is not None:  # kept though its sides differ: the table seen at a slant
                    st.result.update(keystone=problem, **level)
                elif slanted is not None:
                    st.result.update(level)
                steps.append(st)
    seals = find_seals(gray)
    steps.append(
        Step(
            "seal_rings",
            {"diameter_mm": list(SEAL_DIAMETER_MM), "ring_share": SEAL_RING_SHARE},
            {"seals": len(seals), "circles": [list(c) for c in seals]},
        )
    )
    return CleanPage(gray, steps, table_box, lines, seal_mask(gray.shape, seals), stamped)
