"""Engine ``ppocr``: the PP-OCRv4 models shipped inside the ``rapidocr-onnxruntime`` wheel (offline).

Nothing is ever downloaded: the three ONNX files (det, rec, cls) are looked up in the wheel's
``models`` folder (or in ``model_dir``) and their absence is a ``ModelMissingError``.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from pipeline.errors import MissingDependencyError, ModelMissingError
from pipeline.models import OcrPiece, chars_fit

from ocr.base import OcrEngine, clamp01, polygon_to_box, to_bgr, trim_to_ink
from ocr.ctc import ANY, Label, ctc_log_likelihood, greedy_decode, likeliest_texts
from ocr.registry import register

DET_MODEL = "ch_PP-OCRv4_det_infer.onnx"
REC_MODEL = "ch_PP-OCRv4_rec_infer.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_infer.onnx"
MODEL_FILES = {"det": DET_MODEL, "rec": REC_MODEL, "cls": CLS_MODEL}
_PACKAGE = "rapidocr_onnxruntime"
_INSTALL_HINT = "pip install 'rapidocr-onnxruntime==1.4.4' (the PP-OCRv4 ONNX models ship inside its wheel)"


def wheel_model_dir() -> Path:
    """The ``models`` folder inside the installed rapidocr-onnxruntime package (without importing it)."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.origin:
        raise MissingDependencyError("the rapidocr-onnxruntime package is not installed", hint=_INSTALL_HINT)
    return Path(spec.origin).parent / "models"


@lru_cache(maxsize=16)
def _sha256_prefix(path: str, size: int, mtime_ns: int, n: int = 12) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:n]


def model_fingerprint(path: Path) -> str:
    st = path.stat()
    return f"{path.name} sha256:{_sha256_prefix(str(path), st.st_size, st.st_mtime_ns)}"


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


@register
class PpOcrEngine(OcrEngine):
    """PP-OCRv4 (mobile det + rec, optional direction classifier) on ONNX Runtime, via RapidOCR.

    Settings:
      max_side_len: RapidOCR first shrinks the page so its longest side is at most this; both
        detection and recognition then work on the shrunk page. RapidOCR's own default is 2000;
        ours is 2400, so a 200-dpi A4 page (2339 px) goes through at full resolution
        (see bench/bench_ocr_engines.py for the measurements).
      det_limit_side_len / det_limit_type: detector input size rule ("min": the short side is
        brought up to at least this; "max": the long side down to at most this).
      use_cls: 180° text-line direction classifier. Off: our pages are upright after deskew.
      intra_op_num_threads: ONNX Runtime threads per session (None: its default, all cores).
        Use 1 when several pages run in parallel processes.
      text_score: pieces recognized below this confidence are dropped (RapidOCR's default 0.5).
      model_dir: folder holding the three ONNX files; default: the wheel's own models folder.
      trim_crops: recognize_crop first trims a crop to its ink (rulings ignored) plus a small
        margin; the recognizer scales every crop to 48 px high, so white space shrinks the text.
      char_confidence: confidence of a crop's reading: "min" (default), the probability of its
        least certain character from the CTC decoder; "mean", RapidOCR's mean over characters.
        One doubtful digit in an 18-digit ID hardly moves the mean: the minimum is what tells a
        wrong reading from a right one (bench/bench_calibration.py).
    """

    name = "ppocr"

    def __init__(
        self,
        *,
        max_side_len: int = 2400,
        det_limit_side_len: int = 736,
        det_limit_type: str = "min",
        use_cls: bool = False,
        intra_op_num_threads: int | None = None,
        text_score: float = 0.5,
        model_dir: str | os.PathLike[str] | None = None,
        trim_crops: bool = True,
        char_confidence: str = "min",
    ):
        if det_limit_type not in ("min", "max"):
            from pipeline.errors import ConfigError

            raise ConfigError(f"ppocr: det_limit_type must be 'min' or 'max', not {det_limit_type!r}")
        if char_confidence not in ("min", "mean"):
            from pipeline.errors import ConfigError

            raise ConfigError(f"ppocr: char_confidence must be 'min' or 'mean', not {char_confidence!r}")
        self.model_paths = self.find_models(model_dir)
        self._settings = {
            "max_side_len": int(max_side_len),
            "det_limit_side_len": int(det_limit_side_len),
            "det_limit_type": det_limit_type,
            "use_cls": bool(use_cls),
            "intra_op_num_threads": intra_op_num_threads,
            "text_score": float(text_score),
            "model_dir": str(self.model_paths["det"].parent),
            "trim_crops": bool(trim_crops),
            "char_confidence": char_confidence,
        }
        self.trim_crops = bool(trim_crops)
        self.char_confidence = char_confidence
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # pragma: no cover - the package is a hard dependency
            raise MissingDependencyError(f"cannot import rapidocr_onnxruntime: {exc}", hint=_INSTALL_HINT) from exc

        kwargs: dict[str, Any] = {
            "max_side_len": int(max_side_len),
            "det_limit_side_len": int(det_limit_side_len),
            "det_limit_type": det_limit_type,
            "use_cls": bool(use_cls),
            "text_score": float(text_score),
            "det_model_path": str(self.model_paths["det"]),
            "rec_model_path": str(self.model_paths["rec"]),
            "cls_model_path": str(self.model_paths["cls"]),
            "print_verbose": False,
        }
        if intra_op_num_threads is not None:
            kwargs["intra_op_num_threads"] = int(intra_op_num_threads)
            kwargs["inter_op_num_threads"] = 1
        self._ocr = RapidOCR(**kwargs)
        self.use_cls = bool(use_cls)
        # ONNX Runtime sessions may be shared between threads, but RapidOCR keeps per-call state
        # (box_thresh etc. on the post-processor): serialise calls on one instance.
        self._call_lock = threading.Lock()
        self._last_probs: tuple[object, np.ndarray] | None = None
        self._version: str | None = None
        self._classes: dict[str, int] | None = None

    # -- models ------------------------------------------------------------------------------
    @staticmethod
    def find_models(model_dir: str | os.PathLike[str] | None = None) -> dict[str, Path]:
        folder = Path(model_dir) if model_dir is not None else wheel_model_dir()
        paths = {kind: folder / fname for kind, fname in MODEL_FILES.items()}
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:
            where = "the rapidocr-onnxruntime wheel" if model_dir is None else "the configured model_dir"
            raise ModelMissingError(
                f"ppocr: model file(s) missing in {where}: {', '.join(missing)}",
                hint=(
                    "reinstall the wheel (" + _INSTALL_HINT + ")" if model_dir is None
                    else f"put {', '.join(MODEL_FILES.values())} in {folder}, or leave model_dir unset "
                    "to use the models inside the rapidocr-onnxruntime wheel"
                ) + "; models are never downloaded",
            )
        return paths

    @classmethod
    def check_available(cls) -> str:
        paths = cls.find_models()
        return f"available: PP-OCRv4 ONNX models in {paths['det'].parent}"

    # -- interface ---------------------------------------------------------------------------
    def version(self) -> str:
        if self._version is None:
            models = "; ".join(f"{k} {model_fingerprint(p)}" for k, p in self.model_paths.items()
                               if k != "cls" or self.use_cls)
            self._version = (
                f"rapidocr-onnxruntime {_dist_version('rapidocr-onnxruntime')}; "
                f"onnxruntime {_dist_version('onnxruntime')}; PP-OCRv4 {models}"
            )
        return self._version

    def languages(self) -> list[str]:
        return ["ch", "en"]  # the PP-OCRv4 "ch" recognizer: simplified Chinese + Latin letters, digits

    def recognize(self, image: np.ndarray) -> list[OcrPiece]:
        bgr = to_bgr(image)
        h, w = bgr.shape[:2]
        if h == 0 or w == 0:
            return []
        with self._call_lock:
            result, _elapsed = self._ocr(bgr, use_det=True, use_cls=self.use_cls, use_rec=True)
        pieces: list[OcrPiece] = []
        for points, text, score in result or []:
            text = str(text).strip()
            if not text:
                continue
            pieces.append(OcrPiece(text, clamp01(score), polygon_to_box(points, w, h), self.name))
        return pieces

    def recognize_crop(self, image: np.ndarray) -> OcrPiece:
        return self.recognize_crops([image])[0]

    def recognize_crops(self, images: list[np.ndarray]) -> list[OcrPiece]:
        out: list[OcrPiece | None] = []
        todo: list[tuple[int, np.ndarray]] = []
        for i, image in enumerate(images):
            bgr = to_bgr(image)
            h, w = bgr.shape[:2]
            out.append(OcrPiece("", 0.0, (0, 0, int(w), int(h)), self.name))
            if h >= 2 and w >= 2:
                todo.append((i, trim_to_ink(bgr)[0] if self.trim_crops else bgr))
        if not todo:
            return out  # type: ignore[return-value]
        with self._call_lock:
            crops = [c for _i, c in todo]
            if self.use_cls:
                crops, _cls, _t = self._ocr.text_cls(crops)
            # batched, sorted by aspect ratio inside; with the per-character probabilities
            rec, _elapsed = self._ocr.text_rec(crops, return_word_box=self.char_confidence == "min")
        for (i, _c), r in zip(todo, rec):
            text, score = str(r[0]).strip(), r[1]
            chars = None
            if self.char_confidence == "min" and len(r) > 2 and r[2][4]:
                score = min(r[2][4])
                chars = tuple(clamp01(c) for c in r[2][4])
            if text:
                out[i] = OcrPiece(text, clamp01(score), out[i].box, self.name,  # type: ignore[union-attr]
                                  chars if chars_fit(text, chars) else None)
        return out  # type: ignore[return-value]

    def dictionary(self) -> frozenset[str]:
        return frozenset(self._class_index())

    def _class_index(self) -> dict[str, int]:
        if self._classes is None:
            self._classes = {ch: i for i, ch in enumerate(self._ocr.text_rec.postprocess_op.character) if i > 0}
        return self._classes

    def _frame_probs(self, image: np.ndarray) -> np.ndarray | None:
        """The recognizer's per-frame class probabilities for one crop, prepared as recognize_crops
        prepares it; None for a crop too small to read."""
        bgr = to_bgr(image)
        if bgr.shape[0] < 2 or bgr.shape[1] < 2:
            return None
        if self.trim_crops:
            bgr = trim_to_ink(bgr)[0]
        rec = self._ocr.text_rec
        _c, height, width = rec.rec_image_shape[:3]
        ratio = max(width / height, bgr.shape[1] / bgr.shape[0])
        key = (bgr.shape, hashlib.blake2b(np.ascontiguousarray(bgr).tobytes(), digest_size=16).digest())
        with self._call_lock:
            if self._last_probs is not None and self._last_probs[0] == key:
                return self._last_probs[1]
            probs = rec.session(rec.resize_norm_img(bgr, ratio)[np.newaxis].astype(np.float32))[0][0]
            self._last_probs = (key, probs)  # the same crop is often searched, then scored (one run)
            return probs

    def char_confidences(self, image: np.ndarray, groups: Sequence[str]) -> tuple[str, tuple[float, ...]] | None:
        probs = self._frame_probs(image)
        if probs is None:
            return None
        classes = self._class_index()
        names = self._ocr.text_rec.postprocess_op.character  # class -> character (0: the blank)
        found, confs = greedy_decode(probs, [tuple(classes[ch] for ch in g if ch in classes) for g in groups])
        return "".join(names[c] for c in found), tuple(clamp01(c) for c in confs)

    def likeliest_texts(self, image: np.ndarray, alphabet: str, beam: int = 32,
                        max_len: int | None = None) -> list[tuple[str, float]] | None:
        probs = self._frame_probs(image)
        if probs is None:
            return []
        classes = self._class_index()
        allowed = {classes[ch]: ch for ch in alphabet if ch in classes}
        found = likeliest_texts(probs, sorted(allowed), beam=beam, max_len=max_len)
        return [("".join(allowed[c] for c in seq), score) for seq, score in found]

    def score_readings(self, image: np.ndarray, readings: list[str],
                       stand_ins: Mapping[str, str] | None = None) -> list[float]:
        """Log-probability of each text under the recognizer's per-frame output for this crop
        (prepared as recognize_crops prepares it): the CTC forward sum over alignments. A character
        the model cannot output (屺, 夼: not in its dictionary) is scored by the characters it
        writes instead (`stand_ins`: 屹 妃 for 屺), else as any character at all (an upper bound,
        ocr.ctc.ANY). Spaces are ignored."""
        probs = self._frame_probs(image)
        if probs is None:
            return [float("-inf")] * len(readings)
        classes = self._class_index()
        out: list[float] = []
        def label(ch: str) -> Label:
            if ch in classes:
                return classes[ch]
            alike = tuple(classes[a] for a in (stand_ins or {}).get(ch, "") if a in classes)
            return alike or ANY

        for text in readings:
            labels = [label(ch) for ch in text if not ch.isspace()]
            out.append(ctc_log_likelihood(probs, labels) if labels else float("-inf"))
        return out
