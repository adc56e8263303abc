"""The one OCR engine interface (OCRmyPDF style): a small abstract class, found through the registry.

An engine is expensive to create (it loads models); get it through ``ocr.registry.get_engine``,
which caches one instance per (name, settings).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, ClassVar, Mapping, Sequence

import numpy as np

from pipeline.kernel.models import Box, OcrPiece


class OcrEngine(ABC):
    """Detection + recognition over a page, and recognition only over one crop."""

    name: ClassVar[str] = ""

    @abstractmethod
    def version(self) -> str:
        """Engine and model versions (with model file hashes where there are files): goes into provenance."""

    @abstractmethod
    def languages(self) -> list[str]:
        """The languages/scripts this engine instance recognizes, e.g. ``["chi_sim", "eng"]``."""

    @abstractmethod
    def recognize(self, image: np.ndarray) -> list[OcrPiece]:
        """Detect and recognize every text line of a whole image (BGR or grayscale uint8).

        Boxes are axis-aligned, in the pixel coordinates of ``image``; confidences 0..1;
        reading order is NOT guaranteed (group pieces into rows/cells with the layout).
        """

    @abstractmethod
    def recognize_crop(self, image: np.ndarray) -> OcrPiece:
        """Recognize one text-line or cell crop, without detection.

        The box is the whole crop. Nothing readable: empty text with confidence 0.
        """

    def recognize_crops(self, images: list[np.ndarray]) -> list[OcrPiece]:
        """``recognize_crop`` over many crops, same order; engines may batch (ppocr does)."""
        return [self.recognize_crop(image) for image in images]

    def score_readings(
        self, image: np.ndarray, readings: list[str], stand_ins: Mapping[str, str] | None = None
    ) -> list[float] | None:
        """The recognizer's log-probability of each given text for a one-line crop, comparable
        between texts of the same crop; None where the engine cannot tell (no per-frame output).
        `stand_ins`: for a character the engine cannot output, the characters it writes instead."""
        return None

    def likeliest_texts(
        self,
        image: np.ndarray,
        alphabet: str,
        beam: int = 32,
        max_len: int | None = None,
        viable: Callable[[str], bool] | None = None,
    ) -> list[tuple[str, float]] | None:
        """The texts written only in `alphabet` that the recognizer finds likeliest for a one-line
        crop, with their log-probabilities, likeliest first (ocr.ctc.likeliest_texts); None where
        the engine cannot tell (no per-frame output). `viable`: whether a text's beginning can still
        begin a text the column may hold; the search extends only those."""
        return None

    def char_confidences(self, image: np.ndarray, groups: Sequence[str]) -> tuple[str, tuple[float, ...]] | None:
        """The greedy reading of a one-line crop with each character's probability, a character of
        one of `groups` (glyphs of one meaning: "〇○Oo0") counting its whole group
        (ocr.ctc.greedy_decode); None where the engine cannot tell (no per-frame output)."""
        return None

    def dictionary(self) -> frozenset[str] | None:
        """The characters the recognizer can output; None where unknown."""
        return None

    def settings(self) -> dict[str, Any]:
        """The effective settings of this instance (JSON-able), recorded with each OCR step."""
        return dict(getattr(self, "_settings", {}))

    @classmethod
    def check_available(cls) -> str:
        """Raise ``MissingDependencyError`` when the engine cannot run here; else say what it will use,
        Chinese first ("中文 / English", `backfill engines`).

        Cheap: never loads a model.
        """
        return "可以运行 / it can run"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.settings()}>"


# -- helpers shared by engines ---------------------------------------------------------------


def as_uint8_image(image: np.ndarray) -> np.ndarray:
    """Validate an engine input: uint8, 2-D (gray) or 3-D with 1, 3 (BGR) or 4 (BGRA) channels."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f"expected a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise TypeError(f"expected a uint8 image, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"expected a grayscale, BGR or BGRA image, got shape {image.shape}")
    return image


def to_bgr(image: np.ndarray) -> np.ndarray:
    import cv2

    image = as_uint8_image(image)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(image)


def polygon_to_box(points: Any, width: int, height: int) -> Box:
    """Axis-aligned box around a polygon, clamped to the image."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    x0 = int(max(0, min(width, np.floor(pts[:, 0].min()))))
    y0 = int(max(0, min(height, np.floor(pts[:, 1].min()))))
    x1 = int(max(0, min(width, np.ceil(pts[:, 0].max()))))
    y1 = int(max(0, min(height, np.ceil(pts[:, 1].max()))))
    return (x0, y0, x1, y1)


def clamp01(value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return 0.0
    if v != v:  # NaN
        return 0.0
    return min(1.0, max(0.0, v))


def _gray(image: np.ndarray) -> np.ndarray:
    import cv2

    image = as_uint8_image(image)
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)


def ruling_line_mask(gray: np.ndarray, min_fraction: float = 0.05, min_len: int = 15) -> np.ndarray:
    """Mask (uint8 0/255) of dark horizontal/vertical lines at least ``min_fraction`` of the
    image's width/height (and ``min_len`` px) long: table rulings, not text strokes."""
    import cv2

    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    h, w = gray.shape[:2]
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, min_len, int(w * min_fraction)), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, min_len, int(h * min_fraction))))
    lines = cv2.bitwise_or(cv2.morphologyEx(ink, cv2.MORPH_OPEN, hk), cv2.morphologyEx(ink, cv2.MORPH_OPEN, vk))
    return cv2.dilate(lines, np.ones((3, 3), np.uint8))


def erase_ruling_lines(image: np.ndarray, min_fraction: float = 0.05, min_len: int = 60) -> np.ndarray:
    """Grayscale copy of an image with table rulings painted over in the paper's colour.

    A ruling is a straight dark line at least ``min_fraction`` of the width/height and ``min_len``
    px long (longer than a text stroke: 200-dpi glyphs are about 30 px). For a cell crop, pass
    ``min_fraction=0.8, min_len=0``."""
    gray = _gray(image).copy()
    if min(gray.shape[:2]) < 8 or int(gray.max()) - int(gray.min()) < 40:
        return gray
    gray[ruling_line_mask(gray, min_fraction, min_len) > 0] = int(np.median(gray))
    return gray


def trim_to_ink(image: np.ndarray, pad_ratio: float = 0.25) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Crop an image to its ink (dark pixels, rulings and specks ignored), with a small margin.

    Recognition models scale a crop to a fixed height: white space around the text shrinks the
    glyphs and makes repeated digits merge. Returns the crop and its box in ``image``;
    the whole image when no ink is found.
    """
    import cv2

    gray = _gray(image)
    h, w = gray.shape[:2]
    whole = (0, 0, w, h)
    if h < 8 or w < 8:
        return image, whole
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    if int(gray.max()) - int(gray.min()) < 40:  # flat: no text, Otsu would invent some
        return image, whole
    # in a crop, a ruling left at the edge spans (nearly) the whole crop; text strokes do not
    ink[ruling_line_mask(gray, min_fraction=0.8, min_len=0) > 0] = 0
    n, _labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= 4]
    if not keep:
        return image, whole
    x0 = min(stats[i, cv2.CC_STAT_LEFT] for i in keep)
    y0 = min(stats[i, cv2.CC_STAT_TOP] for i in keep)
    x1 = max(stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] for i in keep)
    y1 = max(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT] for i in keep)
    pad = max(2, int(round((y1 - y0) * pad_ratio)))
    box = (max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad))
    return image[box[1] : box[3], box[0] : box[2]], box
