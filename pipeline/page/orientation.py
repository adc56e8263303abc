"""Pages scanned turned by 90, 180 or 270 degrees: found and turned upright before the table is read.

Two kinds of evidence, cheapest first:

1. **The table's ruling** (property of a register, any generator: one person per row, so its rows
   are ruled evenly, while its columns are as wide as their contents, a sex column narrow, an ID or
   address column wide). Measured from the long ruling lines of the cleaned page (`ruling`, a few
   tens of ms): evenly spaced horizontal lines and unevenly spaced vertical ones is a page upright
   or upside down; the reverse is a page turned a quarter. A register whose header row is taller
   than its body rows has that tall row at the top when upright; found at the bottom, the page is
   suspected upside down.
2. **The text itself**, only where the ruling says "a quarter turn" or "suspected upside down", or
   where the upright reading of the header matched no ledger kind: a `TextDirection` judge looks at
   the page's text lines and says whether they read upside down. `ClsDirection` is PP-OCR's 0/180
   text-line direction classifier (`ch_ppocr_mobile_v2.0_cls`), shipped inside the rapidocr wheels
   (rapidocr-onnxruntime 1.4 and rapidocr 3.x alike), run here on ONNX Runtime; where no such model is
   installed, `EngineDirection` compares the OCR engine's own confidence on the lines read both ways
   (any engine of ocr/, through its `recognize_crops`).

An upright page pays the ruling check only. Functions are plain and typed; pipeline.page.extract calls
`orient` and `other_way`.
"""

from __future__ import annotations

import importlib.util
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

import cv2
import numpy as np

from pipeline.page.gridlines import binarize

EVEN_MAX = 0.06
"""Ruling lines are 'evenly spaced' when the gaps between them (the first and last left out: a header
row, a footer) spread less than this around their median (median absolute deviation / median).
Ruled register rows measure 0.00-0.01 on every sample and generated set; columns 0.2-0.5."""
UNEVEN_MIN = 0.15
MIN_LINES = 5  # fewer lines one way: the ruling says nothing
HEADER_DIFFERS = 0.2  # a first (or last) row whose height differs this much from the median body row is a header row
BODY_LIKE = 0.1  # ... and one within this of it is a body row
VERTICAL_SHARE = 0.65  # share of elongated text ink running top-down that says "on its side"
UPSIDE_DOWN_SHARE = 0.6  # share of text lines (weighted by confidence) that must read upside down
MAX_LINES = 16  # text lines shown to the judge (the widest ones)


@dataclass(frozen=True)
class Ruling:
    """What the ruling lines of a cleaned page say about its orientation."""

    rows_spread: float | None  # spread of the gaps between horizontal lines (None: too few lines)
    cols_spread: float | None
    first_gap: float | None  # first and last gap between horizontal lines, over the median gap
    last_gap: float | None

    @property
    def quarter_turned(self) -> bool:
        """Rows uneven, columns even: the page lies on its side."""
        return (
            self.rows_spread is not None
            and self.cols_spread is not None
            and self.cols_spread <= EVEN_MAX
            and self.rows_spread >= UNEVEN_MIN
        )

    @property
    def upright_or_upside_down(self) -> bool:
        """Rows even, columns uneven: upright, or turned half a turn."""
        return (
            self.rows_spread is not None
            and self.cols_spread is not None
            and self.rows_spread <= EVEN_MAX
            and self.cols_spread >= UNEVEN_MIN
        )

    @property
    def upside_down_suspect(self) -> bool:
        """A header row (ruled taller or shorter than the body rows) at the bottom, and a body row at the top."""
        return (
            self.first_gap is not None
            and self.last_gap is not None
            and abs(self.last_gap - 1) >= HEADER_DIFFERS
            and abs(self.first_gap - 1) <= BODY_LIKE
        )

    def to_dict(self) -> dict[str, float | None]:
        return {
            k: (None if v is None else round(v, 3))
            for k, v in (
                ("rows_spread", self.rows_spread),
                ("cols_spread", self.cols_spread),
                ("first_gap", self.first_gap),
                ("last_gap", self.last_gap),
            )
        }


def _line_centres(profile: np.ndarray, min_len: float) -> list[float]:
    idx = np.nonzero(profile >= min_len)[0]
    runs: list[list[int]] = []
    for i in idx:
        if runs and i - runs[-1][-1] <= 2:
            runs[-1].append(int(i))
        else:
            runs.append([int(i)])
    centres: list[float] = []
    for r in runs:
        c = (r[0] + r[-1]) / 2
        if centres and c - centres[-1] < 8:
            centres[-1] = (centres[-1] + c) / 2
        else:
            centres.append(c)
    return centres


def _spread(gaps: np.ndarray) -> float | None:
    inner = gaps[1:-1]
    if len(inner) < MIN_LINES - 2:
        return None
    med = float(np.median(inner))
    return float(np.median(np.abs(inner - med)) / med) if med > 0 else None


def ruling(gray: np.ndarray, table_box: tuple[int, int, int, int] | None = None, scale: float = 0.5) -> Ruling:
    """The spacing of the long ruling lines of a cleaned page (at half size: lines survive it)."""
    if table_box is not None:
        x0, y0, x1, y1 = table_box
        gray = gray[max(0, y0 - 8) : y1 + 8, max(0, x0 - 8) : x1 + 8]
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale != 1 else gray
    ink = binarize(small)
    h, w = ink.shape
    hor = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 30, 30), 1)))
    ver = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(h // 30, 30))))
    rows = _line_centres(hor.sum(axis=1) / 255.0, 0.35 * w)
    cols = _line_centres(ver.sum(axis=0) / 255.0, 0.35 * h)
    rg, cg = np.diff(rows), np.diff(cols)
    first = last = None
    if len(rg) >= MIN_LINES - 1:
        med = float(np.median(rg[1:-1]))
        if med > 0:
            first, last = float(rg[0] / med), float(rg[-1] / med)
    return Ruling(_spread(rg) if len(rows) >= MIN_LINES else None, _spread(cg) if len(cols) >= MIN_LINES else None, first, last)


# --- text evidence --------------------------------------------------------------------------------
def _text_ink(gray: np.ndarray) -> np.ndarray:
    """Ink of the text alone: ruling lines (and their dilated edges) and specks taken out."""
    h, w = gray.shape
    ink = binarize(gray)
    hor = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 30, 60), 1)))
    ver = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(h // 30, 60))))
    text = cv2.subtract(ink, cv2.dilate(cv2.bitwise_or(hor, ver), np.ones((5, 5), np.uint8)))
    return cv2.morphologyEx(text, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def vertical_share(gray: np.ndarray, table_box: tuple[int, int, int, int] | None = None, scale: float = 0.5) -> float | None:
    """Of the text ink gathered into elongated runs (characters of a line joined across their small
    gaps), the share that runs top-down: ~0.1 on an upright register, ~0.9 on one lying on its side
    (horizontal writing; the ruling lines are taken out first). None when there is no such ink."""
    if table_box is not None:
        x0, y0, x1, y1 = table_box
        gray = gray[max(0, y0 - 8) : y1 + 8, max(0, x0 - 8) : x1 + 8]
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale != 1 else gray
    text = _text_ink(small)
    length = {}
    for way, k in (("across", (9, 1)), ("down", (1, 9))):
        closed = cv2.morphologyEx(text, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, k))
        _n, _lab, st, _c = cv2.connectedComponentsWithStats(closed, connectivity=8)
        bw, bh = st[1:, 2].astype(float), st[1:, 3].astype(float)
        long = (bw >= 2.5 * bh) if way == "across" else (bh >= 2.5 * bw)
        length[way] = float(np.sum(np.maximum(bw, bh)[long]))
    total = length["across"] + length["down"]
    return length["down"] / total if total > 0 else None


def text_lines(
    gray: np.ndarray, table_box: tuple[int, int, int, int] | None = None, limit: int = MAX_LINES, scale: float = 0.5
) -> list[np.ndarray]:
    """Crops (full size) of the widest text lines of a page, found at half size: ink with the ruling
    removed, closed along the line, components wider than tall and of a text line's height."""
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale != 1 else gray
    text = _text_ink(small)
    closed = cv2.morphologyEx(text, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (13, 3)))
    _n, _lab, st, _c = cv2.connectedComponentsWithStats(closed, connectivity=8)
    lo, hi = 12 * scale, 120 * scale
    boxes = sorted(
        ((int(bw), int(x), int(y), int(bh)) for x, y, bw, bh, _area in st[1:] if lo <= bh <= hi and bw >= 2.5 * bh), reverse=True
    )
    crops = []
    for bw, x, y, bh in boxes[:limit]:
        x, y, bw, bh = (int(round(v / scale)) for v in (x, y, bw, bh))
        m = max(3, bh // 5)
        crops.append(gray[max(0, y - m) : y + bh + m, max(0, x - m) : x + bw + m])
    return crops


class TextDirection(Protocol):
    """Says, for text-line crops, how sure it is that each reads upside down (0..1)."""

    name: str

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]: ...


def _cls_model_path() -> Path | None:
    """PP-OCR's text-line direction classifier inside an installed rapidocr wheel (never downloaded)."""
    for pkg in ("rapidocr_onnxruntime", "rapidocr"):
        try:
            spec = importlib.util.find_spec(pkg)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.origin:
            continue
        models = Path(spec.origin).parent / "models"
        found = sorted(models.glob("*cls*.onnx")) if models.is_dir() else []
        preferred = [p for p in found if "ppocr_mobile_v2.0_cls" in p.name]
        if preferred or found:
            return (preferred or found)[0]
    return None


class ClsDirection:
    """PP-OCR's 0/180 classifier (input 3 x 48 x 192, normalized to -1..1; output p(0), p(180))."""

    name = "ppocr_cls"

    def __init__(self, model: Path):
        self.model = model
        self._session = None  # loaded at the first page that needs it: an upright page never does

    @property
    def session(self):
        if self._session is None:
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1
            self._session = ort.InferenceSession(str(self.model), opts, providers=["CPUExecutionProvider"])
        return self._session

    def _prep(self, crop: np.ndarray) -> np.ndarray:
        img = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR) if crop.ndim == 2 else crop
        h, w = img.shape[:2]
        rw = min(192, int(math.ceil(48 * w / max(1, h))))
        img = cv2.resize(img, (rw, 48)).astype(np.float32).transpose(2, 0, 1) / 255.0
        out = np.zeros((3, 48, 192), np.float32)
        out[:, :, :rw] = (img - 0.5) / 0.5
        return out

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]:
        if not crops:
            return []
        batch = np.stack([self._prep(c) for c in crops])
        session = self.session
        probs = session.run(None, {session.get_inputs()[0].name: batch})[0]
        return [float(p[1]) for p in probs]


class EngineDirection:
    """Any OCR engine as the judge: each line is read as it is and turned; the turned reading's
    share of the two confidences is how sure it is that the line reads upside down."""

    name = "engine_confidence"

    def __init__(self, engine):
        self.engine = engine

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]:
        if not crops:
            return []
        crops = list(crops)
        as_is = self.engine.recognize_crops(crops)
        turned = self.engine.recognize_crops([np.ascontiguousarray(np.rot90(c, 2)) for c in crops])
        out = []
        for a, b in zip(as_is, turned):
            ca, cb = (a.confidence if a.text else 0.0), (b.confidence if b.text else 0.0)
            out.append(cb / (ca + cb) if ca + cb > 0 else 0.5)
        return out


_JUDGE: list[TextDirection | None] = []


def default_judge(engine=None) -> TextDirection | None:
    """The classifier of the installed rapidocr wheel, else the OCR engine's confidence, else None."""
    if not _JUDGE:
        path = _cls_model_path()
        judge: TextDirection | None = None
        if path is not None:
            judge = ClsDirection(path)
        _JUDGE.append(judge)
    return _JUDGE[0] or (EngineDirection(engine) if engine is not None else None)


def upside_down_share(
    gray: np.ndarray, judge: TextDirection | None, table_box: tuple[int, int, int, int] | None = None
) -> tuple[float | None, int]:
    """(confidence-weighted share of the page's text lines that read upside down, lines looked at);
    (None, n) when there is no judge or no text line."""
    crops = text_lines(gray, table_box)
    if judge is None or not crops:
        return None, len(crops)
    probs = judge.upside_down(crops)
    weights = [abs(p - 0.5) * 2 for p in probs]
    if sum(weights) == 0:
        return 0.5, len(crops)
    return sum(w for w, p in zip(weights, probs) if p > 0.5) / sum(weights), len(crops)


# --- turning ---------------------------------------------------------------------------------------
def turn(
    gray: np.ndarray, box: tuple[int, int, int, int] | None, quarters: int
) -> tuple[np.ndarray, tuple[int, int, int, int] | None]:
    """The page turned counter-clockwise by `quarters` x 90 degrees, and the table box with it."""
    q = quarters % 4
    if q == 0:
        return gray, box
    h, w = gray.shape[:2]
    out = np.ascontiguousarray(np.rot90(gray, q))
    if box is None:
        return out, None
    x0, y0, x1, y1 = box
    corners = [(x0, y0), (x1, y1)]
    for _ in range(q):  # one counter-clockwise quarter: (x, y) -> (y, w - x); then the new width is h
        corners = [(y, w - x) for x, y in corners]
        w, h = h, w
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return out, (min(xs), min(ys), max(xs), max(ys))


TURNS = {90: "turned 90° clockwise", 180: "upside down", 270: "turned 90° counter-clockwise"}


TURNS_ZH = {90: "顺时针转了 90°", 180: "上下颠倒", 270: "逆时针转了 90°"}


def scanned_as(degrees: int | str) -> str:
    """How a scan lay, in words, from how far it was turned clockwise."""
    return TURNS.get(int(degrees) % 360, "upright")


def scanned_as_zh(degrees: int | str) -> str:
    """scanned_as in Chinese, for the run summary its administrator reads (Chinese first)."""
    return TURNS_ZH.get(int(degrees) % 360, "方向正常")


@dataclass
class Orientation:
    """How a page was found and what was done: `quarters` counter-clockwise quarter turns applied
    (1: the scan lay turned 90 degrees clockwise; 2: upside down; 3: turned 270)."""

    quarters: int = 0
    checked: list[str] = field(default_factory=list)  # the evidence looked at, cheapest first
    ruling: dict | None = None
    upside_down: dict[str, float | None] = field(default_factory=dict)  # quarters tried -> share upside down
    judge: str | None = None
    seconds: float = 0.0

    @property
    def degrees(self) -> int:
        """How far the scan was turned clockwise (the page is turned back as far counter-clockwise)."""
        return (self.quarters * 90) % 360

    def to_step(self) -> dict:
        return {
            "name": "orientation",
            "settings": {
                "even_max": EVEN_MAX,
                "uneven_min": UNEVEN_MIN,
                "upside_down_share": UPSIDE_DOWN_SHARE,
                "judge": self.judge,
            },
            "result": {
                "turned_deg": self.degrees,
                "checked": self.checked,
                "ruling": self.ruling,
                "upside_down": self.upside_down,
                "seconds": round(self.seconds, 3),
            },
        }


def orient(
    gray: np.ndarray, box: tuple[int, int, int, int] | None, judge: TextDirection | None
) -> tuple[np.ndarray, tuple[int, int, int, int] | None, Orientation]:
    """Turn a cleaned page upright where the evidence says it is not: the ruling first (the direction
    the text runs where the ruling cannot tell); the text's reading direction only when the page lies
    on its side (which side) or is suspected upside down."""
    t0 = time.perf_counter()
    o = Orientation(judge=getattr(judge, "name", None))
    r = ruling(gray, box)
    o.ruling, o.checked = r.to_dict(), ["ruling"]
    sideways = r.quarter_turned
    if not sideways and not r.upright_or_upside_down:  # the ruling cannot tell: which way does the text run?
        v = vertical_share(gray, box)
        o.checked.append("text_direction")
        o.ruling["text_vertical_share"] = None if v is None else round(v, 3)
        sideways = v is not None and v >= VERTICAL_SHARE
    if sideways:
        o.quarters = 1
        g, b = turn(gray, box, 1)
        share, _n = upside_down_share(g, judge, b)
        o.checked.append("text")
        o.upside_down["1"] = share
        if share is not None and share >= UPSIDE_DOWN_SHARE:
            o.quarters = 3
    elif r.upside_down_suspect:
        share, _n = upside_down_share(gray, judge, box)
        o.checked.append("text")
        o.upside_down["0"] = share
        if share is not None and share >= UPSIDE_DOWN_SHARE:
            o.quarters = 2
    o.seconds = time.perf_counter() - t0
    g, b = turn(gray, box, o.quarters)
    return g, b, o


def other_way(
    gray: np.ndarray, box: tuple[int, int, int, int] | None, o: Orientation, judge: TextDirection | None
) -> tuple[np.ndarray, tuple[int, int, int, int] | None] | None:
    """After the header of the page as turned by `o` matched no ledger kind: the page turned half a
    turn more, when the text says it reads upside down as it is (or there is no judge to ask and
    the page was found on its side, so either side is as likely); else None. `o` is updated."""
    t0 = time.perf_counter()
    key = str(o.quarters)
    if key not in o.upside_down:
        o.upside_down[key], _n = upside_down_share(gray, judge, box)
        if "text" not in o.checked:
            o.checked.append("text")
    share = o.upside_down[key]
    o.seconds += time.perf_counter() - t0
    sideways = o.quarters in (1, 3)
    if (share is not None and share >= UPSIDE_DOWN_SHARE) or (share is None and sideways):
        o.quarters = (o.quarters + 2) % 4
        o.checked.append("header_other_way")
        return turn(gray, box, 2)
    return None
