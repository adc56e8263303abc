"""The one OCR engine interface (OCRmyPDF style): a small abstract class, found through the registry.

An engine is expensive to create (it loads models); get it through ``ocr.registry.get_engine``,
which caches one instance per (name, settings).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from pipeline.models import Box, OcrPiece


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

    def settings(self) -> dict[str, Any]:
        """The effective settings of this instance (JSON-able), recorded with each OCR step."""
        return dict(getattr(self, "_settings", {}))

    @classmethod
    def check_available(cls) -> str:
        """Raise ``MissingDependencyError`` when the engine cannot run here; else say what it will use.

        Cheap: never loads a model.
        """
        return "available"

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
