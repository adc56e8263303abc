"""OCR engines behind one small interface (``OcrEngine``), found by name through the registry.

    from ocr import get_engine
    engine = get_engine("ppocr")
    pieces = engine.recognize(page_bgr)      # detection + recognition
    piece = engine.recognize_crop(cell_bgr)  # recognition only

Engines: ``ppocr`` (the default: PP-OCRv6 small models inside the rapidocr wheel, PP-OCRv4 mobile
for comparison; see ``ocr.ppocr``),
``tesseract`` (chi_sim+eng), ``paddleocr`` (optional extra, local model folders only).
"""

from ocr.agreement import agree, normalize_text
from ocr.base import OcrEngine
from ocr.registry import available_engines, clear_cache, engine_names, get_engine, register

DEFAULT_ENGINE = "ppocr"

__all__ = [
    "DEFAULT_ENGINE",
    "OcrEngine",
    "agree",
    "available_engines",
    "clear_cache",
    "engine_names",
    "get_engine",
    "normalize_text",
    "register",
]
