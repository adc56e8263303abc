"""Issue 21 bench: 1-bit and faded copies of an existing scanned set, to measure robustness on
captures worse than the set's own without a new generator family.

    python bench/stress_scans.py SRC_SCANS OUT --mode bilevel          # Otsu threshold, 1-bit PNG/TIFF
    python bench/stress_scans.py SRC_SCANS OUT --mode faded --fade 0.45  # ink lightened toward the paper
    python bench/stress_scans.py SRC_SCANS OUT --mode faded --keep-border  # ... the scanner's black border kept
    python bench/stress_scans.py SRC_SCANS OUT --mode phone --seed 1      # a 150-dpi phone photograph
    python bench/stress_scans.py SRC_SCANS OUT --mode unruled --line right  # one column line painted out
    python bench/stress_scans.py SRC_SCANS OUT --mode carbon --seed 1     # the writing as a carbon copy takes it

SRC_SCANS is a scans folder of a generated set (bench/bench_families.py: <out>/<family>/scans): image
files (PNG, JPEG, TIFF, multi-page TIFF) and folders of them, each with its ground truth (*.gt.json)
beside it. Every image is copied under OUT at the same relative path, stressed; ground-truth files
are copied unchanged (the content did not change, only the capture). A PDF is rasterized first (pdf2image,
at --pdf-dpi, the pipeline's default pdf_dpi 200) and written as a multi-page TIFF of the same stem, so its
truth still pairs with it (pipeline.quality.evaluate pairs by stem); `--skip-pdf` leaves PDFs out (and
their truth with them), as before. The copies are then run like any
folder (`backfill run OUT`), or put in bench_families' shape (OUT = <out>/seed<S>-p<N>/<family>/scans,
the set's manifest.json copied beside it) and run with `bench_families.py --out <out>`, scored against
the same truth. Never part of the test suite.

`--mode phone` is a page as a phone held over a ledger on a desk photographs it (issue 21: "150 dpi phone
photos with strong perspective and shadow"), each a property of that capture, not of a register (a
scan's black border is made paper first: a phone photographs the sheet, not the scanner's lid around it):

- resolution: the frame is the page's size at --phone-dpi (150, a phone photo of a whole A4/A3 page at
  12 MP is 150-200 dpi), and the page fills only --fill of it (0.80-0.90, drawn per page), so the page
  itself is sampled at about 120-135 dpi; the scan is resized from its own dpi (the image's, else
  --src-dpi) with area averaging, as the phone's sensor integrates light;
- perspective: the phone is tilted towards one edge (drawn per page), so that edge's corners draw in by
  --tilt of the page's short side (0.06-0.12) and the edge drops towards the centre by half as much; the
  near edge barely moves; plus a turn of up to --turn degrees and a small shift;
- the desk around the page: darker than the paper (--desk grey levels, 45-110, drawn per page);
- light: a linear fall-off across the page (--gradient, share of the light lost at the far side,
  0.15-0.35) and the soft-edged shadow of a hand or the phone over one side (--shadow, 0.25-0.5 of the
  light, reaching in 15-45 % of the page, its edge blurred over 3-8 % of the page);
- optics and encoding: Gaussian blur (--blur sigma px at the frame's resolution, 0.6-1.1), sensor noise
  (sigma 3-6 grey levels) and JPEG at --quality (70);
- the page's top as a hurried capture frames it (off by default, so a copy made without them is drawn as
  before: framed_top): --cut-top LO,HI the share of the page's top left outside the frame (the title and
  part of the header row cut off), --curl LO,HI the top edge bowed by that share of the page's height (a
  bound ledger's page lifts at its free edge), --upside P the chance a page is photographed upside down,
  --shadow-side 0-3 the hand's shadow over the left, right, top (the header) or bottom side of the page
  as photographed (-1, the default: drawn per page). Session 33: design county seed 3334's sea-burial
  volume so copied (--seed 3403 --cut-top 0.03,0.10 --curl 0.01,0.03 --shadow-side 2 --upside 0.5) read
  登记号 as 0129, 记, men on three pages of four and lost its register numbers' column on them.

Every draw is seeded by --seed and the image's path (and frame number), so a copy is reproducible. The
copy keeps the scan's colours (RGB or grey) and container; a PNG or TIFF page holds the JPEG-decoded
pixels (the artefacts are what matters), a JPEG page is written at --quality once. The truth's geometry
(grid, boxes) no longer matches the image; evaluation pairs rows and fields, not pixels. A copy of a
severity-1.8 design set is degraded twice (its scan's fading and blur, then the phone's): with the
defaults, 10 pages of design seed 3316 (county 02 + 03, typed 04) read 98.1 % of fields exact as scanned
and 64.4 % as phone copies (IDs 100 -> 77.7 %, records auto-accepted 49.6 -> 0 %), near what the issue
reports of phone photographs.

`--mode unruled` paints out (inpaints with the paper around it) one vertical ruling line of the table,
chosen by `--line`: `right` (the table's right border), `left` (its left border) or `inner` (the line
between the two middle columns: the one at the middle index of the lines found). A register's border
fades or is cut off by the scan's edge, an inner rule is printed faint or broken, while the writing beside
it stays. (Fresh county 3331, 03_cremation_laizhou_2014, reads 13 of 14 printed columns, its remarks column
lost: there an inner line is missing, between the phone and the remarks column, which `--line inner`
stands for; the borders are found.) The lines are found on the scan itself (the truth's grid is the generator's, before
the capture's shift and turn): long vertical runs of ink (a vertical opening UNRULE_RUN_SHARE of the
image's height, at the lenient UNRULE_CONTRAST so a line's grey edge goes too), grouped by the x where
each run's slope carries it to the image's middle (a turned or photographed page's lines slant), those
spanning at least half the longest one's height; a line touching the image's edge (a scan's black border)
is none. The truth is copied unchanged: it describes the printed columns, which did not change.
`--line` also names a line by its place or by the printed column beside it, and several lines at once
(comma-separated, all painted out on the same page): `N` the line at index N of the lines found, left to
right (0 the left border); `after:FIELD` the line right of the printed column holding FIELD in the page's
truth, `before:FIELD` the line left of it (issue 21: a red-ruled register's inner line printed faint
beside the ID column, the certificate column or a relation column). A line named by a field is painted
only where the lines found are one more than the truth's printed columns (each printed column then lies
between lines k and k+1); elsewhere, or where the page has no such column, the page is copied as it is.
The pages whose line was painted out are counted.

`--mode carbon` is a page as the carbon copy of a register takes it: the clerk wrote on the top sheet and
the writing arrived on the copy through a sheet of carbon paper; the copy's form (its ruling) was printed
on it, not pressed through. Each property is one of that physics, drawn per page from a range (`Carbon`):

- the printed form is kept as scanned: the ruling (the long straight runs of ink, a horizontal or vertical
  opening of CARBON_RUN_SHARE of the page's width / height), the title and header row (above the first long
  horizontal line below where the table's vertical lines begin), and a scan's black border
  (`printed_form`); the rest is the ink;
- pressure spread: the pen's point presses a wider patch of carbon than its own line, with a soft edge,
  so the ink's strokes are widened (a grey dilation of the ink's darkness by --spread px radius, 0-0.6
  rounded: 1 px at 200 dpi on about one page in six, none on the others) and blurred (--stroke-blur
  sigma px, 0.5-0.8); dense Han strokes run together;
- uneven transfer: the carbon gives up more where the hand pressed harder and where its sheet is fresh,
  so the ink's darkness is multiplied by a low-frequency noise (--blotch: the share it varies by,
  0.1-0.2, a smooth field of cells --blotch-scale px, 10-30, a stroke's length or less; kept within
  0.3-1.6), which leaves parts of a stroke pale;
- the carbon, not the original's ink, gives the copy its tone: the ink's darkness is taken as the pen's
  track (each pixel's darkness over its stroke's core darkness within 15 px, 0-1: a faint original
  stroke arrives as dark as a dark one) times the carbon's depth, --carbon-depth grey levels (a copy is
  lighter than a fresh original: 130-170 below the paper at the stroke's core);
- the copy's paper is thin and greyish (--paper, its tone, 200-225 grey levels) with the grain of the
  carbon on it (a blurred noise, --grain sigma 2-5 levels), specks of carbon (--specks per megapixel,
  20-80, 1-2 px, 40-120 levels deep) and a few soft smears where a hand rested on the carbon (--smears,
  0-2 per page, 80-400 px long, 10-40 px wide, 12-35 levels deep).

The ranges are a stress level, meant to bring a copy of design seed 3316 (county_editions + typed_sheets,
severity 1.8, 98.5 % of fields exact as scanned) to roughly 93-97 % of fields exact; not fitted to any
held-out family's data. With these defaults (--seed 1) it reads 92.7 % (county 86.9, typed 98.9 %), lost
mostly as names and addresses read wrong by one or two characters, no page lost; a stronger level
(--spread 0,0.9 --stroke-blur 0.6,1.0 --blotch 0.15,0.3 --carbon-depth 110,160 --smears 0,2) reads 89.6 %
(bench/results/s28-carbon-2026-12-05.md). The severity-1.8 county pages take it far worse than the typed
ones. The copy is grey (L): a carbon copy is read in grey. The truth is copied unchanged: the content did
not change.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageSequence

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}


def bilevel(gray: np.ndarray) -> np.ndarray:
    """A 1-bit copy (0/255) by Otsu's threshold, as a fax-mode or CCITT G4 scanner writes it."""
    _t, out = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return out


@dataclass(frozen=True)
class Bilevel:
    """The ranges a varied 1-bit scan is drawn from (`--mode bilevel` with any of them set; all zero, the
    default: Otsu's threshold alone, as before). Each is a property of a 1-bit scan of a printed register:

    - threshold: the share of the way Otsu's threshold is moved towards the paper's median level
      (positive: a dark setting, bold strokes filled, grey paper specks kept) or the ink's (negative: a
      light setting, thin strokes and thin row lines broken);
    - dpi: the scanner's resolution (200 or 300 are the usual 1-bit settings), the page resampled (area
      averaging, as the sensor integrates) from its own resolution before the threshold; 0: as it is;
    - gain: dot gain, the ink's spread on the printed sheet and in the scan's optics: a grey blur of this
      sigma (px at the output resolution) before the threshold, so strokes thicken and close together;
    - breaks: the share of each printed row line's length lost in gaps (a thin rule printed light, broken
      by the threshold), the gaps 5-60 px long; `missing`: the chance a row line loses a stretch of
      20-45 % of its length at once (a rule missing in places);
    - skew: the page turned up to this many degrees either way on the scanner's glass.

    How the 1-bit archive was made (session 42, off by default; each a way real 1-bit archives are
    written that a plain Otsu copy is not):

    - dither: `ordered` (a Bayer 8 x 8 matrix, the scanner's "halftone" setting) or `diffusion`
      (Floyd-Steinberg error diffusion, Pillow's conversion to mode "1"): a grey scan made 1-bit by
      dithering instead of a threshold, the paper's grey and the strokes' anti-aliased edges turned into
      dot patterns; `threshold` then moves the grey level (share of the way to the paper's or the ink's
      level, as for the threshold) before dithering;
    - fax_ydpi: the page's vertical resolution, lower than its horizontal one (ITU-T T.4: 1728 pels over
      215 mm, 8.04 pels/mm ~ 204 dpi across, 3.85 lines/mm ~ 98 dpi "standard" or 7.7 ~ 196 dpi "fine"
      down): the page resampled down its height only (area averaging) before the threshold, and the
      file's resolution written as (x dpi, fax_ydpi) (TIFF XResolution / YResolution, PNG pHYs);
    - specks (`--toner`): LO,HI toner specks per page, 1-3 px dots and 2-6 px smudges of black on the paper
      (a laser printer's or copier's stray toner, a fax line's noise);
    - dropout: LO,HI share of the ink's pixels lost in 1-2 px holes (thin typed strokes broken: a worn
      ribbon or a light copy, where the threshold leaves a stroke in pieces).

    What a written register's rows hold (session 34, off by default; `register_rows`, on the 1-bit page,
    its row and column lines found on the page itself, so best without --skew):

    - low: every entry's writing on the page moved down by this share of the row pitch (a clerk writing on
      the row line, a typewriter's platen set low): its lower part crosses the row line below; the ruling
      stays where it is printed, broken stretches of it included (_ruling_pieces);
    - wrap: the chance an entry's text in the page's widest column (address, remark) is wrapped onto a
      second line inside its row (the first line at the row's top, the rest below it, from the cell's
      left); `wrap_tall`: the chance such a row was drawn taller to hold both lines (rows of unequal
      height), else the second line may cross into the row below;
    - tick: the chance per entry of a tick or correction stroke written across its bottom row line;
    - stamp: the chance per page of a seal (an official round seal, 36-48 mm across, its ring 0.8-1.5 mm,
      blobs inside: a red seal a 1-bit scan turns into black ink) centred on a row line, on the blank rows below the entries where
      `tail` left some, else among the entries;
    - tail: LO,HI entries at the page's end erased (writing only, the ruling kept; the last written rows,
      not ruled rows the page had left blank): a page filled part way, blank ruled rows below; its truth
      loses those rows (TAIL_DROPPED).
    """

    threshold: tuple[float, float] = (0.0, 0.0)
    dpi: float = 0.0
    gain: tuple[float, float] = (0.0, 0.0)
    breaks: tuple[float, float] = (0.0, 0.0)
    missing: float = 0.0
    skew: float = 0.0
    seed: int = 1
    low: tuple[float, float] = (0.0, 0.0)
    wrap: float = 0.0
    wrap_tall: float = 0.0
    tick: float = 0.0
    stamp: float = 0.0
    tail: tuple[int, int] = (0, 0)
    dither: str = ""
    fax_ydpi: float = 0.0
    specks: tuple[float, float] = (0.0, 0.0)
    dropout: tuple[float, float] = (0.0, 0.0)


TAIL_DROPPED: dict[str, int] = {}
"""`--tail`: for each page written (`rel:frame`), how many of its last entries were erased (its truth loses them)."""


def _row_lines(ink: np.ndarray) -> np.ndarray:
    """Mask of the long horizontal runs of ink (the printed row lines) on a 1-bit page's ink mask."""
    run = max(40, ink.shape[1] // 12)
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))


def bilevel_varied(
    gray: np.ndarray, bl: Bilevel, key: str, src_dpi: float | None, grid: tuple[float, int, list[float]] | None = None
) -> np.ndarray:
    """One page as a 1-bit scan with the properties `bl` draws (its docstring), 0/255."""
    rng = _phone_rng(Phone(seed=bl.seed), f"bilevel:{key}")
    img = gray
    if bl.dpi and src_dpi and abs(bl.dpi - src_dpi) > 1:
        f = bl.dpi / src_dpi
        img = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
    if bl.fax_ydpi:  # fewer lines down than pels across (T.4 standard / fine resolution)
        ydpi_now = bl.dpi or src_dpi or 200.0
        img = cv2.resize(img, (img.shape[1], max(1, round(img.shape[0] * bl.fax_ydpi / ydpi_now))), interpolation=cv2.INTER_AREA)
    if bl.skew:
        h, w = img.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-bl.skew, bl.skew)), 1.0)
        paper = int(np.percentile(img, 95))
        img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=paper)
    gain = float(rng.uniform(*bl.gain))
    if gain > 0:
        img = cv2.GaussianBlur(img, (0, 0), gain)
    t, _o = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    shift = float(rng.uniform(*bl.threshold))
    otsu = float(t)
    ref = img[img > t] if shift > 0 else img[img <= t]  # the paper's or the ink's typical level
    if ref.size:
        t = float(np.clip(t + shift * abs(float(np.median(ref)) - t), 1, 254))
    if bl.dither:
        out = dithered(img, bl.dither, shift, otsu)
    else:
        out = np.where(img > t, 255, 0).astype(np.uint8)
    drop = float(rng.uniform(*bl.dropout))
    if drop > 0:  # holes of 1-2 px in the ink
        ink = out == 0
        seeds = ink & (rng.random(out.shape) < drop / 2.5)
        holes = cv2.dilate(seeds.astype(np.uint8), np.ones((2, 2), np.uint8)).astype(bool)
        out[holes & ink] = 255
    n_specks = int(round(rng.uniform(*bl.specks)))
    for _s in range(n_specks):
        y, x = int(rng.integers(0, out.shape[0])), int(rng.integers(0, out.shape[1]))
        r = float(rng.uniform(0.5, 1.5)) if rng.random() < 0.7 else float(rng.uniform(1.0, 3.0))
        ax = (max(1, round(r * rng.uniform(0.6, 1.4))), max(1, round(r * rng.uniform(0.6, 1.4))))
        cv2.ellipse(out, (x, y), ax, float(rng.uniform(0, 180)), 0, 360, 0, -1)
    share = float(rng.uniform(*bl.breaks))
    if share > 0 or bl.missing > 0:
        lines = _row_lines((out == 0).astype(np.uint8))
        n, labels, st, _c = cv2.connectedComponentsWithStats(lines, connectivity=8)
        erase = np.zeros_like(lines)
        for i in range(1, n):
            x, y, w, h = st[i, :4]
            if w < out.shape[1] // 6:
                continue
            cut = np.zeros(w, bool)
            while share > 0 and cut.mean() < share:
                a = int(rng.integers(0, w))
                cut[a : a + int(rng.integers(5, 61))] = True
            if rng.random() < bl.missing:
                span = int(w * rng.uniform(0.20, 0.45))
                a = int(rng.integers(0, max(1, w - span)))
                cut[a : a + span] = True
            sub = labels[y : y + h, x : x + w] == i
            erase[y : y + h, x : x + w] |= (sub & cut[None, :]).astype(np.uint8)
        # the line's own pixels only (a run grown a pixel up and down: its threshold-ragged edge)
        erase = cv2.dilate(erase, np.ones((3, 1), np.uint8)) & (out == 0)
        out[erase.astype(bool)] = 255
    if bl.low != (0.0, 0.0) or bl.wrap or bl.tick or bl.stamp or bl.tail != (0, 0):
        out = register_rows(out, bl, rng, key, grid)
    return out


BAYER8 = np.array(
    [
        [0, 32, 8, 40, 2, 34, 10, 42],
        [48, 16, 56, 24, 50, 18, 58, 26],
        [12, 44, 4, 36, 14, 46, 6, 38],
        [60, 28, 52, 20, 62, 30, 54, 22],
        [3, 35, 11, 43, 1, 33, 9, 41],
        [51, 19, 59, 27, 49, 17, 57, 25],
        [15, 47, 7, 39, 13, 45, 5, 37],
        [63, 31, 55, 23, 61, 29, 53, 21],
    ],
    np.float32,
)
"""Bayer's 8 x 8 ordered-dither index matrix (Bayer 1973; the "halftone" mode of document scanners)."""


def dithered(img: np.ndarray, how: str, shift: float, t: float) -> np.ndarray:
    """A grey page made 1-bit by dithering (`Bilevel.dither`: `ordered` or `diffusion`), 0/255. `shift` moves
    the page's grey levels as the threshold's shift moves the threshold (towards the paper: darker), by the
    same share of the distance from Otsu's threshold `t` to the paper's or the ink's median."""
    g = img.astype(np.float32)
    if shift:
        ref = img[img > t] if shift > 0 else img[img <= t]
        if ref.size:
            g = g - shift * abs(float(np.median(ref)) - t)
    g = np.clip(g, 0, 255)
    if how == "ordered":
        h, w = g.shape
        m = np.tile((BAYER8 + 0.5) / 64 * 255, (h // 8 + 1, w // 8 + 1))[:h, :w]
        return np.where(g > m, 255, 0).astype(np.uint8)
    if how == "diffusion":
        return (
            np.asarray(Image.fromarray(g.astype(np.uint8)).convert("1", dither=Image.Dither.FLOYDSTEINBERG)).astype(np.uint8)
            * 255
        )
    raise ValueError(f"dither: {how!r} (ordered | diffusion)")


def _out_dpi(bl: Bilevel | None, dpi: float) -> tuple[float, float]:
    """The copy's (x, y) resolution: a fax copy's lines down are fewer (`Bilevel.fax_ydpi`)."""
    return (dpi, bl.fax_ydpi) if bl is not None and bl.fax_ydpi else (dpi, dpi)


def _line_places(mask: np.ndarray, axis: int, min_len: int) -> list[int]:
    """Centres of the long runs in a line mask, across `axis` (0: rows' y, 1: columns' x), merged within 6 px."""
    n, _l, st, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
    c = sorted(
        float(st[i, 1] + st[i, 3] / 2) if axis == 0 else float(st[i, 0] + st[i, 2] / 2)
        for i in range(1, n)
        if (st[i, 2] if axis == 0 else st[i, 3]) >= min_len
    )
    out: list[list[float]] = []
    for v in c:
        if out and v - out[-1][-1] <= 6:
            out[-1].append(v)
        else:
            out.append([v])
    return [int(round(sum(g) / len(g))) for g in out]


RULING_PIECE_PITCH = 0.5
"""A level run of ink at least this share of a row's pitch long, lying within RULING_PIECE_NEAR of a row
line, is a piece of that line (_ruling_pieces): no glyph stroke is half a row's pitch long (a glyph is a
third of the pitch or less)."""
RULING_PIECE_NEAR = 0.3
"""Share of the pitch either side of a row line's centre within which a broken piece of it lies: a design
scan turned by up to a degree moves a line's ends 15-20 px (a quarter pitch) off its centre over the
table's width (01_cremation_longkou_2013 p2 of d3316: 0.8 degrees, a line's ends 30 px apart); a strike
through an entry lies mid-row, half a pitch away, and moves with the writing."""


def _ruling_pieces(ink: np.ndarray, lat: Sequence[int], pitch: float) -> np.ndarray:
    """The pieces of the row lines (and of the column lines inside the rows) that the long-run masks miss:
    a 1-bit threshold breaks a thin rule into stretches shorter than _row_lines' run, and on a scan turned
    a little a line's ends lie a few px off its centre, inside the band a row's writing is moved in. Before,
    `--low` moved those stretches down with the writing: the page's printed ruling itself drawn a share of
    a pitch lower over most of the width (design county 3316 01_cremation_longkou_2013 p2, copy seed 3801
    --low 0.2,0.5: a second ruled line 30 px under a row line, 18 rows for 17), which no scan of a register
    shows. Level runs of RULING_PIECE_PITCH pitches near a row line, and plumb runs as long, are ruling."""
    run = max(9, int(round(RULING_PIECE_PITCH * pitch)))
    near = np.zeros(ink.shape, bool)
    for y in lat:
        r = int(round(RULING_PIECE_NEAR * pitch))
        near[max(0, y - r) : y + r + 1] = True
    level = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1))).astype(bool) & near
    plumb = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, run))).astype(bool)
    grown = cv2.dilate((level | plumb).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    return grown


TAIL_WRITTEN_PX = 200
"""Ink pixels (not ruling) a row band holds where an entry is written in it (`--tail` erases written rows
only): a few glyphs of 15-25 px; a blank row's specks are a few dozen."""


def register_rows(
    out: np.ndarray, bl: Bilevel, rng: np.random.Generator, key: str, grid: tuple[float, int, list[float]] | None
) -> np.ndarray:
    """The written-register properties of `Bilevel` (low, wrap, wrap_tall, tick, stamp, tail) on a 1-bit
    page (0 ink, 255 paper), its rows and columns found by its own ruling: the row lines a truth's pitch
    apart (`grid`: the drawn pitch in px and the number of rows, `truth_grid`) up from the table's bottom
    line, each the line found nearest (a strike-through is no row line), else where it should be."""
    out = out.copy()
    h, w = out.shape
    ink = (out == 0).astype(np.uint8)
    hl = _row_lines(ink)
    vl = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(40, h // 12))))
    ys = _line_places(hl, 0, w // 3)
    xs = _line_places(vl, 1, h // 4)
    if len(ys) < 4 or len(xs) < 3 or grid is None:
        return out
    pitch, n_rows, widths = grid
    cx = [xs[0]]
    for wd in widths:  # the column lines the truth's widths apart from the left border, each the line found nearest
        want = cx[-1] + wd
        near = min(xs, key=lambda x: abs(x - want))
        cx.append(near if abs(near - want) < 12 else int(round(want)))
    lat = [ys[-1]]
    for _k in range(n_rows):
        want = lat[-1] - pitch
        near = min(ys, key=lambda y: abs(y - want))
        lat.append(near if abs(near - want) < 0.15 * pitch else int(round(want)))
    lat.reverse()
    bands = list(zip(lat[:-1], lat[1:], strict=True))
    x0, x1 = xs[0], xs[-1]
    lines = cv2.dilate(np.maximum(hl, vl), np.ones((5, 5), np.uint8)).astype(bool)
    lines |= _ruling_pieces(ink, lat, pitch)
    text = ink.astype(bool) & ~lines
    text[:, :x0] = False
    text[:, x1:] = False
    inserts: list[tuple[int, int, int]] = []
    n_tail = int(rng.integers(bl.tail[0], bl.tail[1] + 1)) if bl.tail != (0, 0) else 0
    # the last n WRITTEN rows: a page whose last ruled rows were left blank already has those below its
    # entries, and its truth's last rows are its last entries (before, blank bands were "erased" and as
    # many written rows dropped from the truth, read back as extra rows: d3316 01_cremation_longkou_2013 p2)
    written = [i for i, (a, b) in enumerate(bands) if int(text[a + 4 : b - 3].sum()) >= TAIL_WRITTEN_PX]
    n_tail = min(n_tail, max(0, len(written) - 1))
    end = written[-n_tail] if n_tail else len(bands)
    if n_tail:
        keep = cv2.dilate(vl, np.ones((1, 5), np.uint8)).astype(bool)
        for a, b in bands[end:]:
            out[a + 4 : b - 3][~keep[a + 4 : b - 3]] = 255
        TAIL_DROPPED[key] = n_tail
        text[bands[end][0] :] = False
    entries = bands[:end]
    low = float(rng.uniform(*bl.low))
    if low > 0:
        mv = np.zeros_like(text)
        for a, b in entries:
            mv[a + 2 : b - 1] = text[a + 2 : b - 1]
        out[mv] = 255
        d = int(round(low * pitch))
        sh = np.zeros_like(mv)
        sh[d:] = mv[: h - d]
        out[sh] = 0
        text = (out == 0) & ~lines
    cols = list(zip(cx[:-1], cx[1:], strict=True))
    for a, b in entries:
        if bl.wrap and rng.random() < bl.wrap:

            def extent(c: tuple[int, int], a: int = a, b: int = b) -> int:
                xx = np.nonzero(text[a + 2 : b - 1, c[0] + 3 : c[1] - 2].any(axis=0))[0]
                return int(xx.max() - xx.min()) if xx.size else 0

            cw = max(cols, key=extent)
            cell = text[a + 2 : b - 1, cw[0] + 3 : cw[1] - 2]
            yy, xx = np.nonzero(cell)
            if yy.size and xx.max() - xx.min() > 3 * (yy.max() - yy.min() + 1):
                th = int(yy.max() - yy.min() + 1)
                prof = cell.any(axis=0)
                mid = int((xx.min() + xx.max()) / 2)
                blank = [x for x in range(int(xx.min()), int(xx.max())) if not prof[x]]
                cut = min(blank, key=lambda x: abs(x - mid)) if blank else mid
                first = cell[:, :cut].copy()
                second = cell[:, cut:].copy()
                sub = out[a + 2 : b - 1, cw[0] + 3 : cw[1] - 2]
                sub[cell] = 255
                top = int(yy.min())
                up = max(0, top - 3)
                f2 = np.zeros_like(cell)
                f2[: cell.shape[0] - up, :cut] = first[up:, :]
                sub[f2] = 0
                need = (top - up) + 2 * th + 8
                if bl.wrap_tall and rng.random() < bl.wrap_tall and need > cell.shape[0]:
                    inserts.append((a, b, need - cell.shape[0] + 6))
                sx = int(second.any(axis=0).argmax()) if second.any() else 0
                width = second.shape[1] - sx
                big = np.zeros((cell.shape[0] + th + 40, cell.shape[1]), bool)
                move = 3 + th + 4 - top  # the second line's top 4 px below the first line's foot
                src = second[max(0, -move) :, sx:]
                big[max(0, move) : max(0, move) + src.shape[0], 4 : 4 + width] = src
                rows_here = min(big.shape[0], h - (a + 2))
                region = out[a + 2 : a + 2 + rows_here, cw[0] + 3 : cw[1] - 2]
                region[big[:rows_here]] = 0
        if bl.tick and rng.random() < bl.tick:
            c = cols[int(rng.integers(0, len(cols)))]
            cx = int(rng.integers(c[0] + 5, max(c[0] + 6, c[1] - 5)))
            r = int(pitch * rng.uniform(0.25, 0.45))
            cv2.line(out, (cx - r // 2, b - r), (cx + r // 2, b + r // 2), 0, int(rng.integers(2, 4)))
    if bl.stamp and rng.random() < bl.stamp:
        tail_lines = [b for _a, b in bands[end:]][:-1] if len(bands) - end >= 2 else []
        at = tail_lines if tail_lines else [b for _a, b in entries[:-1]]
        if at:
            cy = int(at[int(rng.integers(0, len(at)))])
            cx = int(rng.uniform(x0 + 0.4 * (x1 - x0), x1 - pitch))
            mm = max(h, w) / 297.0  # an A4 page's long side
            r = int(mm * rng.uniform(18.0, 24.0))
            cv2.circle(out, (cx, cy), r, 0, max(2, int(mm * rng.uniform(0.8, 1.5))))
            for _ in range(int(rng.integers(4, 10))):
                ang = rng.uniform(0, 2 * math.pi)
                rr = rng.uniform(0, 0.6 * r)
                axes = (int(rng.uniform(3, 0.25 * r)), int(rng.uniform(3, 0.15 * r)))
                cv2.ellipse(
                    out,
                    (int(cx + rr * math.cos(ang)), int(cy + rr * math.sin(ang))),
                    axes,
                    float(rng.uniform(0, 180)),
                    0,
                    360,
                    0,
                    -1,
                )
    plumb = cv2.dilate(vl, np.ones((1, 5), np.uint8)).astype(bool)  # only the column lines run on through a row drawn taller
    for a, b, n in sorted(inserts, reverse=True):
        free = ((out[a + 4 : b - 3] == 0) & ~plumb[a + 4 : b - 3]).sum(axis=1)
        y = a + 4 + len(free) - 1 - int(np.argmin(free[::-1]))  # the lowest pixel row with least writing
        out = np.concatenate([out[:y], np.repeat(out[y : y + 1], n, axis=0), out[y:]], axis=0)
    return out


def faded(gray: np.ndarray, fade: float, keep_border: bool = False) -> np.ndarray:
    """Ink lightened toward the paper by `fade` (0: as scanned, 1: gone): each pixel moves that share
    of the way from its value to the page's paper tone (its 95th percentile). With `keep_border`
    (`--keep-border`) the scanner's black border (scan_border_mask) stays as scanned: a faded sheet is
    scanned on a lid that is not faded, and a border lightened above the cleanup's border test is never
    removed, so copies without it cannot show what the cleanup does beside a border (session 46, s46-rim:
    the border's rim painted on grey pages took a faded table rule standing in it)."""
    paper = float(np.percentile(gray, 95))
    out = np.clip(gray.astype(np.float32) + fade * (paper - gray.astype(np.float32)), 0, 255).astype(np.uint8)
    if keep_border:
        border = scan_border_mask(gray)
        out[border] = gray[border]
    return out


@dataclass(frozen=True)
class Phone:
    """The ranges a phone capture is drawn from (`--mode phone`; the module docstring says why each)."""

    dpi: float = 150.0
    src_dpi: float = 200.0  # of an image that does not say its own
    fill: tuple[float, float] = (0.80, 0.90)
    tilt: tuple[float, float] = (0.06, 0.12)
    turn: float = 4.0
    desk: tuple[float, float] = (45.0, 110.0)
    gradient: tuple[float, float] = (0.15, 0.35)
    shadow: tuple[float, float] = (0.25, 0.5)
    shadow_reach: tuple[float, float] = (0.15, 0.45)
    blur: tuple[float, float] = (0.6, 1.1)
    noise: tuple[float, float] = (3.0, 6.0)
    quality: int = 70
    seed: int = 1
    upside: float = 0.0
    cut_top: tuple[float, float] = (0.0, 0.0)
    curl: tuple[float, float] = (0.0, 0.0)
    shadow_side: int = -1  # -1: drawn per page; 0-3: left, right, top, bottom of the upright page (2: over the header)


def _phone_rng(ph: Phone, key: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{ph.seed}:{key}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


SCAN_BORDER_DARK = 70
"""A scan's black border (the scanner's lid or background around a sheet smaller than the glass) is
darker than this and touches the image's edge (pipeline.page.cleanup.CleanupSettings.border_dark)."""


def scan_border_mask(gray: np.ndarray) -> np.ndarray:
    """The scanner's black border of a page (2-D): the dark area touching the image's edge
    (SCAN_BORDER_DARK), widened by a few pixels (its blurred edge); all False where there is none."""
    dark = (gray < SCAN_BORDER_DARK).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    h, w = dark.shape
    x, y, bw, bh = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    edge = (x == 0) | (y == 0) | (x + bw >= w) | (y + bh >= h)
    edge &= stats[:, cv2.CC_STAT_AREA] >= 0.002 * h * w  # a band along a side, not a speck of ink at the edge
    edge[0] = False
    if not edge.any():
        return np.zeros(dark.shape, bool)
    return cv2.dilate(edge[labels].astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)


def without_scan_border(arr: np.ndarray) -> np.ndarray:
    """`arr` (float h x w x c) with the scanner's black border (scan_border_mask) made paper: a phone
    photographs the sheet on a desk, not the scanner's lid around it; filled with the paper's median tone."""
    border = scan_border_mask(arr.min(axis=2))
    if not border.any():
        return arr
    out = arr.copy()
    out[border] = np.median(arr[~border], axis=0)
    return out


def framed_top(page: np.ndarray, ph: Phone, rng: np.random.Generator) -> np.ndarray:
    """The page's top as a hurried phone capture frames it (all off by default, so a copy made without
    these options is drawn as before): the top --cut-top share of the page left outside the frame (the
    title and part of the header row cut off), the top edge curled by --curl of the page's height (a bound
    ledger's page lifts at its free edge: the rows near the top bow, most at the middle, fading a quarter of
    the page down), and the page photographed upside down with chance --upside (the phone held from the
    other side of the desk). Draws nothing from `rng` when an option is off."""
    h, w = page.shape[:2]
    if ph.cut_top[1] > 0:
        cut = int(round(float(rng.uniform(*ph.cut_top)) * h))
        page = page[cut:]
        h = page.shape[0]
    if ph.curl[1] > 0:
        amp = float(rng.uniform(*ph.curl)) * h
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        dy = amp * np.sin(np.pi * xx / max(1, w - 1)) * np.exp(-yy / (0.25 * h))
        paper = np.median(page.reshape(-1, page.shape[2]), axis=0)
        page = cv2.remap(
            page,
            xx,
            yy - dy.astype(np.float32),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=tuple(float(v) for v in paper),
        )
        if page.ndim == 2:
            page = page[..., None]
    if ph.upside > 0 and rng.random() < ph.upside:
        page = page[::-1, ::-1].copy()
    return page


def phone(img: Image.Image, ph: Phone, key: str, src_dpi: float | None) -> Image.Image:
    """One page as a phone photographs it (module docstring), before its JPEG encoding: RGB or grey as
    `img` is, at the frame's size (the scan's at `ph.dpi`)."""
    rng = _phone_rng(ph, key)
    colour = img.mode not in ("1", "L", "I;16", "I", "F")
    arr = np.asarray(img.convert("RGB" if colour else "L")).astype(np.float32)
    if arr.ndim == 2:
        arr = arr[..., None]
    arr = without_scan_border(arr)
    k = ph.dpi / float(src_dpi or ph.src_dpi)
    fw, fh = max(1, round(arr.shape[1] * k)), max(1, round(arr.shape[0] * k))  # the frame at the phone's dpi
    fill = float(rng.uniform(*ph.fill))
    pw, ph_ = fw * fill, fh * fill  # the page's size before the tilt
    page = cv2.resize(arr, (max(1, round(pw)), max(1, round(ph_))), interpolation=cv2.INTER_AREA)
    if page.ndim == 2:
        page = page[..., None]
    page = framed_top(page, ph, rng)
    h, w = page.shape[:2]
    m = min(w, h)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = math.radians(float(rng.uniform(0, 360)))  # light falls off across the page
    ramp = ((xx - w / 2) * math.cos(a) + (yy - h / 2) * math.sin(a)) / (0.5 * math.hypot(w, h))
    light = 1.0 - float(rng.uniform(*ph.gradient)) * (ramp + 1) / 2
    side, reach = int(rng.integers(0, 4)), float(rng.uniform(*ph.shadow_reach))  # a hand's shadow over one side
    side = side if ph.shadow_side < 0 else ph.shadow_side
    depth = {0: xx / w, 1: 1 - xx / w, 2: yy / h, 3: 1 - yy / h}[side]
    soft = float(rng.uniform(0.03, 0.08))
    mask = 1.0 / (1.0 + np.exp((depth - reach) / soft))  # 1 inside the shadow, a soft edge
    light = light * (1.0 - float(rng.uniform(*ph.shadow)) * mask)
    page = page * light[..., None]
    inset, drop = float(rng.uniform(*ph.tilt)) * m, 0.5 * float(rng.uniform(*ph.tilt)) * m
    far = int(rng.integers(0, 4))  # the edge farthest from the lens draws in
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    d = {
        0: [[inset, drop], [-inset, drop], [0, 0], [0, 0]],
        1: [[0, 0], [-drop, inset], [-drop, -inset], [0, 0]],
        2: [[0, 0], [0, 0], [-inset, -drop], [inset, -drop]],
        3: [[drop, inset], [0, 0], [0, 0], [drop, -inset]],
    }[far]
    t = math.radians(float(rng.uniform(-ph.turn, ph.turn)))
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    shift = np.array([float(rng.uniform(-0.02, 0.02)) * fw, float(rng.uniform(-0.02, 0.02)) * fh])
    dst = [rot @ (np.array(p) + np.array(dd) - [w / 2, h / 2]) + [fw / 2, fh / 2] + shift for p, dd in zip(src, d)]
    H = cv2.getPerspectiveTransform(src, np.float32(dst))
    desk = float(rng.uniform(*ph.desk))
    border = (desk * 0.95, desk, desk * 1.05) if colour else (desk,)
    out = cv2.warpPerspective(page, H, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    if out.ndim == 2:
        out = out[..., None]
    out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(*ph.blur)))
    if out.ndim == 2:
        out = out[..., None]
    out = out + rng.normal(0, float(rng.uniform(*ph.noise)), size=(fh, fw, 1)).astype(np.float32)
    out8 = np.clip(out, 0, 255).round().astype(np.uint8)
    return Image.fromarray(out8 if colour else out8[..., 0], "RGB" if colour else "L")


@dataclass(frozen=True)
class Carbon:
    """The ranges a carbon copy is drawn from (`--mode carbon`; the module docstring says why each)."""

    spread: tuple[float, float] = (0.0, 0.6)
    stroke_blur: tuple[float, float] = (0.5, 0.8)
    blotch: tuple[float, float] = (0.1, 0.2)
    blotch_scale: tuple[float, float] = (10.0, 30.0)
    depth: tuple[float, float] = (130.0, 170.0)
    paper: tuple[float, float] = (200.0, 225.0)
    grain: tuple[float, float] = (2.0, 5.0)
    specks: tuple[float, float] = (20.0, 80.0)
    smears: tuple[int, int] = (0, 2)
    seed: int = 1


CARBON_RUN_SHARE = 1 / 25
"""A straight run of ink this share of the page's width (horizontal) or height (vertical) is printed ruling,
not writing (a Han character or a digit string is far shorter; the table's lines span it)."""
CARBON_INK = 40
"""Grey levels below the paper (the page's local paper: its median over about 36 px) a pixel must be to be
ink when the ruling is looked for (the anti-aliased edge of a line goes with its core by a dilation)."""

CARBON_HEADER_SHARE = 0.3
"""The title and header row of a register page lie in its top 30 % (design pages: 15-22 %); a line found lower
is no header's bottom line (broken ruling misleads the search) and the page is then carbon throughout."""
CARBON_PAPER_NOISE = 15
"""Grey levels of the scan's own paper texture and compression noise below the local paper (its median over
about 36 px; the design scans' paper lies within +-9 levels of it at the 10th / 90th percentile): taken off
the ink's darkness (blurred 0.7 px first) before it is spread, so the spread widens strokes, not the
original paper's grain."""
CARBON_TRACK_FLOOR = 30
"""A stroke whose core lies less than this many levels (above the paper noise) under the paper is carried
over in proportion (a speck of the scan's paper stays a speck); from it on, its core takes the carbon's full depth."""


def _smooth_field(rng: np.random.Generator, h: int, w: int, cell: float) -> np.ndarray:
    """A smooth noise field, h x w, mean 0, sd about 1, varying over about `cell` px."""
    gh, gw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
    f = cv2.resize(rng.normal(0, 1, (gh, gw)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    return f / max(1e-6, float(f.std()))


def printed_form(horizontal: np.ndarray, vertical: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """Where a carbon copy's own print stands, not the carbon's: the page above the first long horizontal
    line below the table's top (the title and the header row, printed on the copy's form; the table's top
    is where its long vertical lines begin, so a page edge's shadow above it is no line of the table; each
    line fitted y = a x + b, as they slant on a turned page) and the scanner's black border around the sheet
    (scan_border_mask)."""
    h, w = horizontal.shape
    nv, _lv, sv, _cv = cv2.connectedComponentsWithStats(vertical, connectivity=8)
    tops = [int(sv[i, cv2.CC_STAT_TOP]) for i in range(1, nv) if sv[i, cv2.CC_STAT_HEIGHT] >= 0.2 * h]
    table_top = float(np.median(tops)) if tops else None
    n, labels, st, _c = cv2.connectedComponentsWithStats(horizontal, connectivity=8)
    long = [i for i in range(1, n) if st[i, cv2.CC_STAT_WIDTH] >= 0.3 * w]
    fits = []
    for i in long:
        ys, xs = np.nonzero(labels == i)
        a, b = np.polyfit(xs.astype(float), ys.astype(float), 1) if np.ptp(xs) > 0 else (0.0, float(ys.mean()))
        fits.append((float(a) * w / 2 + float(b), float(a), float(b)))
    fits.sort()
    out = np.zeros((h, w), bool)
    below = [f for f in fits if table_top is not None and table_top + 15 < f[0] < CARBON_HEADER_SHARE * h]
    header = below[0] if below else None
    if header is not None:
        _mid, a, b = header
        out = np.arange(h)[:, None] < (a * np.arange(w)[None, :] + b + 3)
    return out | scan_border_mask(gray)


def carbon(gray: np.ndarray, cb: Carbon, key: str) -> np.ndarray:
    """One page (grey) as a carbon copy takes it (module docstring, `--mode carbon`)."""
    rng = _phone_rng(Phone(seed=cb.seed), f"carbon:{key}")
    h, w = gray.shape
    g = gray.astype(np.float32)
    small = cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    paper = cv2.resize(cv2.medianBlur(small, 9), (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    dark = np.clip(paper - g, 0, 255)
    ink = (dark > CARBON_INK).astype(np.uint8)
    hl = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, int(w * CARBON_RUN_SHARE)), 1)))
    vl = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, int(h * CARBON_RUN_SHARE)))))
    faint = (dark > CARBON_INK / 2).astype(np.uint8)  # a worn ruling line: paler, broken; found whole for the header
    hf = cv2.morphologyEx(
        cv2.morphologyEx(faint, cv2.MORPH_CLOSE, np.ones((1, 15), np.uint8)),
        cv2.MORPH_OPEN,
        np.ones((1, max(15, int(w * CARBON_RUN_SHARE))), np.uint8),
    )
    vf = cv2.morphologyEx(
        cv2.morphologyEx(faint, cv2.MORPH_CLOSE, np.ones((15, 1), np.uint8)),
        cv2.MORPH_OPEN,
        np.ones((max(15, int(h * CARBON_RUN_SHARE)), 1), np.uint8),
    )
    ruling = cv2.dilate(hl | vl, np.ones((3, 3), np.uint8)).astype(bool) | printed_form(hf, vf, g)
    rule_dark = np.where(ruling, dark, 0).astype(np.float32)
    soft = cv2.GaussianBlur(dark, (0, 0), 0.7)  # the scan's pixel noise is no stroke
    pen = np.where(ruling, 0, np.clip(soft - CARBON_PAPER_NOISE, 0, None)).astype(np.float32)
    core = cv2.dilate(pen, np.ones((15, 15), np.uint8))  # the darkness of the stroke's core nearby
    pen = np.clip(pen / np.maximum(core, CARBON_TRACK_FLOOR), 0, 1)  # the pen's track (0-1): shape, not the original ink's tone
    r = float(rng.uniform(*cb.spread))
    if r >= 0.5:
        k = 2 * round(r) + 1
        pen = cv2.dilate(pen, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    pen = cv2.GaussianBlur(pen, (0, 0), float(rng.uniform(*cb.stroke_blur)))
    blotch = 1.0 + float(rng.uniform(*cb.blotch)) * _smooth_field(rng, h, w, float(rng.uniform(*cb.blotch_scale)))
    pen = pen * np.clip(blotch, 0.3, 1.6) * float(rng.uniform(*cb.depth))
    tone = float(rng.uniform(*cb.paper))
    grain = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 0.8)
    grain *= float(rng.uniform(*cb.grain)) / max(1e-6, float(grain.std()))
    smudge = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(cb.smears[0], cb.smears[1] + 1))):  # a hand resting on the carbon
        m = np.zeros((h, w), np.float32)
        cx, cy, ang = float(rng.uniform(0, w)), float(rng.uniform(0, h)), float(rng.uniform(0, 180))
        length, width = float(rng.uniform(80, 400)), float(rng.uniform(10, 40))
        cv2.ellipse(m, (round(cx), round(cy)), (round(length / 2), round(width / 2)), ang, 0, 360, 1.0, -1)
        smudge = np.maximum(smudge, cv2.GaussianBlur(m, (0, 0), width / 3) * float(rng.uniform(12, 35)))
    n = int(float(rng.uniform(*cb.specks)) * h * w / 1e6)  # specks of carbon
    ys, xs = rng.integers(0, h, n), rng.integers(0, w, n)
    specks = np.zeros((h, w), np.float32)
    specks[ys, xs] = rng.uniform(40, 120, n).astype(np.float32)
    specks = cv2.dilate(specks, np.ones((2, 2), np.uint8)) if rng.uniform() < 0.5 else specks
    depth = np.maximum(np.maximum(rule_dark, pen), specks) + smudge
    out = tone * (1.0 - np.clip(depth, 0, 255) / 255.0) + grain
    return np.clip(out, 0, 255).round().astype(np.uint8)


def jpeg_decoded(img: Image.Image, quality: int) -> Image.Image:
    """`img` as a JPEG at `quality` decodes it (the phone's encoding, kept in a lossless container)."""
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).copy()


def stress(
    img: Image.Image,
    mode: str,
    fade: float,
    ph: Phone | None = None,
    key: str = "",
    src_dpi: float | None = None,
    line: str = "right",
    columns: Sequence[str | None] | None = None,
    cb: Carbon | None = None,
    bl: Bilevel | None = None,
    grid: tuple[float, int, list[float]] | None = None,
    keep_border: bool = False,
) -> Image.Image:
    """One page stressed (`columns`: the fields of its printed columns in the truth, for `--line after:FIELD`). A phone page is JPEG-decoded, except where `key` ends in "#jpeg" (the caller
    writes it as a JPEG at the phone's quality)."""
    if mode == "phone":
        ph = ph or Phone()
        pic = phone(img, ph, key, src_dpi)
        return pic if key.endswith("#jpeg") else jpeg_decoded(pic, ph.quality)
    if mode == "unruled":
        return unruled(img, line, columns)
    gray = np.asarray(img.convert("L"))
    if mode == "carbon":
        return Image.fromarray(carbon(gray, cb or Carbon(), key))
    if mode == "bilevel":
        if bl is not None and bl != Bilevel(seed=bl.seed):
            return Image.fromarray(bilevel_varied(gray, bl, key, src_dpi, grid)).convert("1")
        return Image.fromarray(bilevel(gray)).convert("1")
    return Image.fromarray(faded(gray, fade, keep_border))


UNRULE_CONTRAST = 20
"""Grey levels below the paper beside it (a closing 15 px wide: light falls off across a photograph) a pixel must be to belong to a ruling line painted out (its anti-aliased edge)."""
UNRULE_RUN_SHARE = 1 / 60
"""A vertical run of ink this share of the image's height or longer is part of a ruling line (short: a page turned 5 degrees
slants a thin line a pixel over 12)."""


def vertical_lines(gray: np.ndarray) -> list[np.ndarray]:
    """Masks of the table's vertical ruling lines on a scan, left to right (`--mode unruled`)."""
    h, w = gray.shape
    paper = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, np.ones((1, 15), np.uint8))  # the paper beside each thin line
    ink = (paper.astype(np.int16) - gray > UNRULE_CONTRAST).astype(np.uint8)
    run = max(15, int(h * UNRULE_RUN_SHARE))
    tall = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, run)))
    n, labels, st, _cen = cv2.connectedComponentsWithStats(tall, connectivity=8)
    ys, xs = np.nonzero(labels)
    lab = labels[ys, xs]
    mid: dict[int, float] = {}  # each run's x where its line crosses the image's middle (a turned page's lines slant)
    for i in range(1, n):
        x, _y, bw, _bh = st[i, :4]
        if x == 0 or x + bw >= w:
            continue
        yi, xi = ys[lab == i].astype(float), xs[lab == i].astype(float)
        slope = float(np.cov(xi, yi)[0, 1] / max(1e-6, yi.var())) if len(yi) > 2 else 0.0
        mid[i] = float(xi.mean() + slope * (h / 2 - yi.mean()))
    groups: list[list[int]] = []
    for i in sorted(mid, key=mid.__getitem__):
        if groups and abs(mid[i] - mid[groups[-1][-1]]) < 12:
            groups[-1].append(i)
        else:
            groups.append([i])
    if not groups:
        return []

    def extent(g: list[int]) -> int:
        return int(max(st[j, 1] + st[j, 3] for j in g) - min(st[j, 1] for j in g))

    longest = max(extent(g) for g in groups)
    return [np.isin(labels, g) for g in groups if extent(g) >= 0.5 * longest]


UNRULED_PAINTED = [0]
"""Pages on which a line `--line` names was painted out: the count printed."""


def line_index(name: str, n_lines: int, columns: Sequence[str | None] | None) -> int | None:
    """The index among `n_lines` lines found of the line `name` names (module docstring), None where it
    names none on this page: `right`, `left`, `inner`; `N`; `after:FIELD` / `before:FIELD` by the truth's
    printed `columns`, only where the lines found are one more than the printed columns."""
    if name in ("right", "left", "inner"):
        return {"right": n_lines - 1, "left": 0}.get(name, n_lines // 2)
    if name.isdigit():
        return int(name) if int(name) < n_lines else None
    side, _, field = name.partition(":")
    if side not in ("after", "before") or not columns or field not in columns or n_lines != len(columns) + 1:
        return None
    k = list(columns).index(field)
    return k + 1 if side == "after" else k


def unruled(img: Image.Image, line: str, columns: Sequence[str | None] | None = None) -> Image.Image:
    """`img` with the vertical ruling lines of its table that `line` names painted out (`--mode unruled`;
    module docstring); `columns`: the fields of the page's printed columns in the truth, left to right."""
    colour = img.mode not in ("1", "L", "I;16", "I", "F")
    arr = np.asarray(img.convert("RGB" if colour else "L"))
    gray = arr if arr.ndim == 2 else cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)
    lines = vertical_lines(gray)
    if len(lines) < 3:
        return img
    picks = {i for name in line.split(",") if (i := line_index(name.strip(), len(lines), columns)) is not None}
    if not picks:
        return img
    UNRULED_PAINTED[0] += 1
    mask = cv2.dilate(np.any([lines[i] for i in sorted(picks)], axis=0).astype(np.uint8), np.ones((3, 5), np.uint8))
    out = cv2.inpaint(arr, mask, 3, cv2.INPAINT_TELEA)
    return Image.fromarray(out, "RGB" if colour else "L")


def _dpi(im: Image.Image) -> float | None:
    d = im.info.get("dpi")
    return float(d[0]) if d and d[0] else None


def copy_stressed(
    src: Path,
    out: Path,
    mode: str,
    fade: float,
    pdf_dpi: int | None = 200,
    ph: Phone | None = None,
    line: str = "right",
    cb: Carbon | None = None,
    bl: Bilevel | None = None,
    keep_border: bool = False,
) -> tuple[int, list[str]]:
    """Copy every image under `src` to `out` stressed, truth files as they are: (images, skipped).
    PDFs are rasterized at `pdf_dpi` into a TIFF of the same stem (None: skipped)."""
    images, skipped = 0, []
    ph = ph or Phone()
    for path in sorted(src.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(src).as_posix()
        target = out / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        suffix = path.suffix.lower()
        if path.name.endswith(".gt.json") or suffix == ".json":
            shutil.copy2(path, target)
        elif suffix in IMAGE_SUFFIXES:
            jpeg = mode == "phone" and suffix in (".jpg", ".jpeg")
            cols = truth_columns(path)
            grids = truth_grid(path)
            with Image.open(path) as im:
                dpi = im.info.get("dpi")
                frames = [
                    stress(
                        f.copy(),
                        mode,
                        fade,
                        ph,
                        f"{rel}:{i}" + ("#jpeg" if jpeg else ""),
                        _dpi(im),
                        line,
                        cols(i),
                        cb,
                        bl,
                        grids(i),
                        keep_border,
                    )
                    for i, f in enumerate(ImageSequence.Iterator(im))
                ]
            if mode == "phone":
                dpi = (ph.dpi, ph.dpi)
            if mode == "bilevel" and bl is not None and (bl.dpi or bl.fax_ydpi):
                dpi = _out_dpi(bl, bl.dpi or (_dpi(im) or 200.0))
            kw: dict = {"dpi": dpi} if dpi else {}
            if suffix in (".tif", ".tiff"):
                kw["compression"] = "group4" if mode == "bilevel" else "tiff_lzw"
                frames[0].save(target, save_all=True, append_images=frames[1:], **kw)
            elif suffix in (".jpg", ".jpeg") and mode == "bilevel":
                target = target.with_suffix(".png")  # a 1-bit page is no JPEG
                frames[0].save(target, **kw)
            elif jpeg:
                frames[0].save(target, quality=ph.quality, **kw)
            else:
                frames[0].save(target, **kw)
            images += len(frames)
        elif suffix == ".pdf" and pdf_dpi:
            from pdf2image import convert_from_path

            pages = convert_from_path(str(path), dpi=pdf_dpi, grayscale=True)
            cols = truth_columns(path)
            grids = truth_grid(path)
            frames = [
                stress(f, mode, fade, ph, f"{rel}:{i}", pdf_dpi, line, cols(i), cb, bl, grids(i), keep_border)
                for i, f in enumerate(pages)
            ]
            target = target.with_suffix(".tiff")
            out_dpi = ph.dpi if mode == "phone" else bl.dpi if mode == "bilevel" and bl is not None and bl.dpi else pdf_dpi
            kw = {
                "dpi": _out_dpi(bl if mode == "bilevel" else None, out_dpi),
                "compression": "group4" if mode == "bilevel" else "tiff_lzw",
            }
            frames[0].save(target, save_all=True, append_images=frames[1:], **kw)
            images += len(frames)
        else:
            skipped.append(rel)
            if target.is_file():  # a stray copy of a skipped file
                target.unlink()
            truth = target.with_name(path.stem + ".gt.json")
            if truth.is_file():  # its truth goes too: the copy's truth covers only the pages it holds
                truth.unlink()
    return images, skipped


def drop_tail_truth(out: Path) -> int:
    """Each page `--tail` erased entries of loses its last rows in the copy's truth (`<stem>.gt.json`, its pages
    in frame order): the number of rows dropped."""
    dropped = 0
    for k, n in sorted(TAIL_DROPPED.items()):
        rel, _, frame = k.rpartition(":")
        gt = (out / rel).with_name(Path(rel).stem + ".gt.json")
        if not gt.is_file():
            continue
        g = json.loads(gt.read_text(encoding="utf-8"))
        page = g["pages"][int(frame)]
        keep = sorted(r["row"] for r in page["rows"])[: max(0, len(page["rows"]) - n)]
        dropped += len(page["rows"]) - len(keep)
        page["rows"] = [r for r in page["rows"] if r["row"] in set(keep)]
        gt.write_text(json.dumps(g, ensure_ascii=False), encoding="utf-8")
    return dropped


def truth_grid(scan: Path) -> Callable[[int], tuple[float, int, list[float]] | None]:
    """Frame i's drawn row pitch (px, the median of its truth grid's row gaps times the capture's scale) and
    its number of rows below the header and its columns' widths (px), None where it has no truth grid or
    was scanned turned."""
    gt = scan.with_name(scan.stem + ".gt.json")
    pages = json.loads(gt.read_text(encoding="utf-8")).get("pages", []) if gt.is_file() else []

    def one(i: int) -> tuple[float, int, list[float]] | None:
        if i >= len(pages) or not (pages[i].get("grid") or {}).get("y") or pages[i].get("orientation"):
            return None  # (a page scanned turned: its rows are not where register_rows looks for them)
        ys = pages[i]["grid"]["y"]
        deg = pages[i].get("degradation") or {}
        scale = float(deg.get("scale") or 1.0) if isinstance(deg, dict) else 1.0
        widths = [float(d) * scale for d in np.diff(pages[i]["grid"]["x"])]
        return float(np.median(np.diff(ys))) * scale, len(ys) - 2, widths

    return one


def truth_columns(scan: Path) -> Callable[[int], list[str | None] | None]:
    """The fields of the printed columns of frame i of `scan` by its truth (`<stem>.gt.json` beside it, its
    pages in order), None where it has no truth or no such page."""
    gt = scan.with_name(scan.stem + ".gt.json")
    pages = json.loads(gt.read_text(encoding="utf-8")).get("pages", []) if gt.is_file() else []
    return lambda i: pages[i].get("columns") if i < len(pages) else None


def _span(text: str) -> tuple[float, float]:
    lo, _, hi = text.partition(",")
    return float(lo), float(hi or lo)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path, help="a generated set's scans folder")
    ap.add_argument("out", type=Path)
    ap.add_argument("--mode", choices=["bilevel", "faded", "phone", "unruled", "carbon"], default="bilevel")
    ap.add_argument("--fade", type=float, default=0.45, help="faded: share of the way from ink to paper")
    ap.add_argument("--keep-border", action="store_true", help="faded: the scanner's black border kept as scanned")
    ap.add_argument(
        "--line",
        default="right",
        help="unruled: right | left | inner | N | after:FIELD | before:FIELD, or several comma-separated",
    )
    ap.add_argument("--pdf-dpi", type=int, default=200, help="rasterize PDFs at this resolution")
    ap.add_argument("--skip-pdf", action="store_true", help="leave PDFs (and their truth) out")
    d = Phone()
    g = ap.add_argument_group("phone", "ranges LO,HI each page's capture is drawn from (module docstring)")
    g.add_argument("--seed", type=int, default=d.seed)
    g.add_argument("--phone-dpi", type=float, default=d.dpi, help="the frame's resolution")
    g.add_argument("--src-dpi", type=float, default=d.src_dpi, help="of a scan that does not say its own")
    for name, span in (("fill", d.fill), ("tilt", d.tilt), ("desk", d.desk), ("gradient", d.gradient)):
        g.add_argument(f"--{name}", type=_span, default=span, metavar="LO,HI")
    for name, span in (("shadow", d.shadow), ("shadow-reach", d.shadow_reach), ("blur", d.blur), ("noise", d.noise)):
        g.add_argument(f"--{name}", type=_span, default=span, metavar="LO,HI")
    g.add_argument("--turn", type=float, default=d.turn, help="degrees, either way")
    g.add_argument("--quality", type=int, default=d.quality, help="JPEG quality")
    g.add_argument(
        "--shadow-side", type=int, choices=(-1, 0, 1, 2, 3), default=d.shadow_side, help="-1 drawn; 0-3 left/right/top/bottom"
    )
    g.add_argument("--upside", type=float, default=d.upside, help="chance a page is photographed upside down")
    g.add_argument("--cut-top", type=_span, default=d.cut_top, metavar="LO,HI", help="share of the page's top cut off")
    g.add_argument("--curl", type=_span, default=d.curl, metavar="LO,HI", help="top edge bowed by this share of the height")
    c = Carbon()
    gc = ap.add_argument_group("carbon", "ranges LO,HI each page's copy is drawn from (module docstring; --seed too)")
    for name, span in (
        ("spread", c.spread),
        ("stroke-blur", c.stroke_blur),
        ("blotch", c.blotch),
        ("blotch-scale", c.blotch_scale),
    ):
        gc.add_argument(f"--{name}", type=_span, default=span, metavar="LO,HI")
    for name, span in (("carbon-depth", c.depth), ("paper", c.paper), ("grain", c.grain), ("specks", c.specks)):
        gc.add_argument(f"--{name}", type=_span, default=span, metavar="LO,HI")
    gc.add_argument("--smears", type=_span, default=c.smears, metavar="LO,HI", help="smears per page")
    b = Bilevel()
    gb = ap.add_argument_group("bilevel", "a varied 1-bit scan (Bilevel's docstring; --seed too; none set: Otsu alone)")
    for name, span in (("threshold", b.threshold), ("gain", b.gain), ("breaks", b.breaks)):
        gb.add_argument(f"--{name}", type=_span, default=span, metavar="LO,HI")
    gb.add_argument("--bilevel-dpi", type=float, default=b.dpi, help="the 1-bit scan's resolution (0: the source's)")
    gb.add_argument("--missing", type=float, default=b.missing, help="chance a row line loses a long stretch")
    gb.add_argument("--skew", type=float, default=b.skew, help="degrees, either way")
    gb.add_argument("--low", type=_span, default=b.low, metavar="LO,HI", help="writing moved down by this share of the pitch")
    gb.add_argument("--wrap", type=float, default=b.wrap, help="chance an entry's widest cell wraps to two lines")
    gb.add_argument("--wrap-tall", type=float, default=b.wrap_tall, help="chance a wrapped row is drawn taller")
    gb.add_argument("--tick", type=float, default=b.tick, help="chance per entry of a stroke across its row line")
    gb.add_argument("--stamp", type=float, default=b.stamp, help="chance per page of a seal across a row line")
    gb.add_argument("--tail", type=_span, default=b.tail, metavar="LO,HI", help="entries erased at the page's end")
    gb.add_argument("--dither", choices=("", "ordered", "diffusion"), default=b.dither, help="dithered, not thresholded")
    gb.add_argument("--fax-ydpi", type=float, default=b.fax_ydpi, help="lines down per inch (T.4: 98 standard, 196 fine)")
    gb.add_argument("--toner", type=_span, default=b.specks, metavar="LO,HI", help="toner specks per page")
    gb.add_argument("--dropout", type=_span, default=b.dropout, metavar="LO,HI", help="share of ink pixels lost in holes")
    a = ap.parse_args()
    bl = Bilevel(
        threshold=a.threshold,
        dpi=a.bilevel_dpi,
        gain=a.gain,
        breaks=a.breaks,
        missing=a.missing,
        skew=a.skew,
        seed=a.seed,
        low=a.low,
        wrap=a.wrap,
        wrap_tall=a.wrap_tall,
        tick=a.tick,
        stamp=a.stamp,
        tail=(int(a.tail[0]), int(a.tail[1])),
        dither=a.dither,
        fax_ydpi=a.fax_ydpi,
        specks=a.toner,
        dropout=a.dropout,
    )
    cb = Carbon(
        spread=a.spread,
        stroke_blur=a.stroke_blur,
        blotch=a.blotch,
        blotch_scale=a.blotch_scale,
        depth=a.carbon_depth,
        paper=a.paper,
        grain=a.grain,
        specks=a.specks,
        smears=(int(a.smears[0]), int(a.smears[1])),
        seed=a.seed,
    )
    ph = Phone(
        dpi=a.phone_dpi,
        src_dpi=a.src_dpi,
        fill=a.fill,
        tilt=a.tilt,
        turn=a.turn,
        desk=a.desk,
        gradient=a.gradient,
        shadow=a.shadow,
        shadow_reach=a.shadow_reach,
        blur=a.blur,
        noise=a.noise,
        quality=a.quality,
        seed=a.seed,
        upside=a.upside,
        cut_top=a.cut_top,
        curl=a.curl,
        shadow_side=a.shadow_side,
    )
    images, skipped = copy_stressed(
        a.src, a.out, a.mode, a.fade, None if a.skip_pdf else a.pdf_dpi, ph, a.line, cb, bl, a.keep_border
    )
    if TAIL_DROPPED:
        print(f"tail: {drop_tail_truth(a.out)} entries erased from the truth of {len(TAIL_DROPPED)} pages")
    print(f"{a.mode}: {images} page images written under {a.out}")
    if a.mode == "unruled" and UNRULED_PAINTED[0]:
        print(f"unruled: line {a.line} painted out on {UNRULED_PAINTED[0]} pages")
    for s in skipped:
        print(f"skipped (not an image): {s}")


if __name__ == "__main__":
    main()
