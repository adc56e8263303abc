"""Engine ``paddleocr``: the ``paddleocr`` package (3.x) itself, strictly offline.

Runs only with local model folders in PaddleX layout, configured explicitly:

    get_engine("paddleocr", det_model_dir="/models/PP-OCRv4_mobile_det",
               rec_model_dir="/models/PP-OCRv4_mobile_rec")

Each folder holds ``inference.yml`` (whose ``Global.model_name`` equals the model name passed)
and the weights: ``inference.pdiparams`` + ``inference.pdmodel`` (or ``inference.json``), or
``inference.onnx``. The folders are checked *before* paddleocr is imported, so a missing
folder fails fast with ``ModelMissingError`` instead of a hang or a download attempt. Before
the import, the environment switches that PaddleX / the hub clients honour are set to offline,
every model dir is passed explicitly and the orientation/unwarping models are switched off, so
nothing is ever looked up on a model hub.

Not installed by default (``pip install 'funeral-backfill[paddle]'``): it pins
opencv-contrib-python, which overwrites the opencv-python our other engines use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ocr.base import OcrEngine, clamp01, polygon_to_box, to_bgr
from ocr.registry import register
from pipeline.kernel.errors import ConfigError, MissingDependencyError, ModelMissingError
from pipeline.kernel.models import OcrPiece

INSTALL_HINT = "请安装 PaddleOCR 引擎 / pip install 'funeral-backfill[paddle]' (paddleocr>=3 and paddlepaddle>=3)"

# Set before paddleocr/paddlex are imported. Values already set by the operator are kept,
# except the ones that would let a hub be reached.
OFFLINE_ENV = {
    "PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK": "True",  # PaddleX: no connectivity probe of model hosters
    "HF_HUB_OFFLINE": "1",  # huggingface_hub: never call the Hub
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "MODELSCOPE_OFFLINE": "1",
}

_WEIGHT_SETS = (("inference.pdiparams", "inference.pdmodel"), ("inference.pdiparams", "inference.json"), ("inference.onnx",))


def _configure_hint(setting: str, model_name: str) -> str:
    return (
        f"请把 {model_name} 推理模型复制到本机文件夹，并在 paddleocr 引擎设置中以 {setting}=<文件夹> 指明；从不下载模型，"
        f"ppocr 引擎无需模型文件夹 / copy the {model_name} inference model (PaddleX layout: inference.yml + inference.pdiparams + "
        f"inference.pdmodel/.json, or inference.onnx) to a local folder and pass {setting}=<folder> in the "
        f"'paddleocr' engine settings (get_engine('paddleocr', det_model_dir=..., rec_model_dir=...)); "
        f"models are never downloaded. The 'ppocr' engine needs no model folders."
    )


def check_model_dir(path: str | os.PathLike[str] | None, model_name: str, setting: str) -> Path:
    """Check one PaddleX model folder without importing paddle; ModelMissingError says what is wrong."""
    hint = _configure_hint(setting, model_name)
    if path is None or str(path).strip() == "":
        raise ModelMissingError(
            f"paddleocr：未设置 {setting}（本机的 {model_name} 模型文件夹） / no {setting} configured (the local {model_name} model folder)",
            hint=hint,
        )
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ModelMissingError(
            f"paddleocr：{setting} {folder} 不是文件夹（不存在？） / {setting} {folder} is not a folder (missing?)", hint=hint
        )
    yml = folder / "inference.yml"
    if not yml.is_file():
        raise ModelMissingError(
            f"paddleocr：缺少 {yml}（{setting} 须是 PaddleX 模型文件夹） / {yml} is missing ({setting} must hold a PaddleX model)",
            hint=hint,
        )
    if not any(all((folder / f).is_file() for f in files) for files in _WEIGHT_SETS):
        expected = " or ".join(" + ".join(files) for files in _WEIGHT_SETS)
        raise ModelMissingError(
            f"paddleocr：{folder} 中没有模型权重（应有 {expected}） / no model weights in {folder} (expected {expected})",
            hint=hint,
        )
    try:
        import yaml

        with open(yml, "rb") as f:
            doc = yaml.safe_load(f) or {}
        found = (doc.get("Global") or {}).get("model_name")
    except Exception as exc:  # noqa: BLE001 - any unreadable yml is the same problem for the user
        raise ModelMissingError(f"paddleocr：无法读取 {yml} / cannot read {yml}: {exc}", hint=hint) from exc
    if found != model_name:
        raise ModelMissingError(
            f"paddleocr：{yml} 写的模型是 {found!r}，应为 {model_name!r} / {yml} names model {found!r}, expected {model_name!r}",
            hint=f"请把 {setting} 指向 {model_name} 模型文件夹，或给出与之相符的模型名 / point {setting} at the {model_name} folder, "
            "or pass the matching model name "
            f"({'det' if setting.startswith('det') else 'rec'}_model_name={found!r})",
        )
    return folder


def check_installed() -> None:
    missing = [mod for mod in ("paddleocr", "paddle") if importlib.util.find_spec(mod) is None]
    if missing:
        names = {"paddleocr": "paddleocr", "paddle": "paddlepaddle"}
        raise MissingDependencyError(
            f"paddleocr 引擎所需的程序包 {', '.join(names[m] for m in missing)} 未安装 / "
            f"the paddleocr engine needs the package(s) {', '.join(names[m] for m in missing)}, not installed",
            hint=INSTALL_HINT,
        )


def set_offline_env() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


def _dist_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def _fingerprint(folder: Path) -> str:
    h = hashlib.sha256()
    for fname in ("inference.yml", "inference.pdiparams", "inference.pdmodel", "inference.json", "inference.onnx"):
        f = folder / fname
        if f.is_file():
            h.update(fname.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


@register
class PaddleOcrEngine(OcrEngine):
    """PaddleOCR 3.x pipeline with local PP-OCR det/rec folders. Untested here (not installed)."""

    name = "paddleocr"

    def __init__(
        self,
        *,
        det_model_dir: str | os.PathLike[str] | None = None,
        rec_model_dir: str | os.PathLike[str] | None = None,
        det_model_name: str = "PP-OCRv4_mobile_det",
        rec_model_name: str = "PP-OCRv4_mobile_rec",
        device: str = "cpu",
        cpu_threads: int = 2,
        enable_mkldnn: bool = False,
        text_det_limit_side_len: int | None = None,
        text_det_limit_type: str | None = None,
        text_rec_score_thresh: float = 0.5,
    ):
        # 1. the folders, before anything of paddle is imported
        self.det_dir = check_model_dir(det_model_dir, det_model_name, "det_model_dir")
        self.rec_dir = check_model_dir(rec_model_dir, rec_model_name, "rec_model_dir")
        # 2. the packages, without importing them
        check_installed()
        if text_det_limit_type not in (None, "min", "max"):
            raise ConfigError(
                f"paddleocr：text_det_limit_type 须为 'min' 或 'max'，不能是 {text_det_limit_type!r} / "
                f"text_det_limit_type must be 'min' or 'max', not {text_det_limit_type!r}"
            )
        self.det_model_name, self.rec_model_name = det_model_name, rec_model_name
        self._settings = {
            "det_model_dir": str(self.det_dir),
            "rec_model_dir": str(self.rec_dir),
            "det_model_name": det_model_name,
            "rec_model_name": rec_model_name,
            "device": device,
            "cpu_threads": int(cpu_threads),
            "enable_mkldnn": bool(enable_mkldnn),
            "text_det_limit_side_len": text_det_limit_side_len,
            "text_det_limit_type": text_det_limit_type,
            "text_rec_score_thresh": float(text_rec_score_thresh),
        }
        self._common = {"device": device, "cpu_threads": int(cpu_threads), "enable_mkldnn": bool(enable_mkldnn)}
        # 3. offline switches, then the import
        set_offline_env()
        try:
            import paddleocr
        except ImportError as exc:
            raise MissingDependencyError(
                f"无法载入 paddleocr 程序包 / cannot import paddleocr: {exc}", hint=INSTALL_HINT
            ) from exc
        self._paddleocr = paddleocr
        kwargs: dict[str, Any] = {
            "text_detection_model_name": det_model_name,
            "text_detection_model_dir": str(self.det_dir),
            "text_recognition_model_name": rec_model_name,
            "text_recognition_model_dir": str(self.rec_dir),
            "use_doc_orientation_classify": False,
            "use_doc_unwarping": False,
            "use_textline_orientation": False,
            "text_rec_score_thresh": float(text_rec_score_thresh),
            **self._common,
        }
        if text_det_limit_side_len is not None:
            kwargs["text_det_limit_side_len"] = int(text_det_limit_side_len)
        if text_det_limit_type is not None:
            kwargs["text_det_limit_type"] = text_det_limit_type
        self._pipeline = paddleocr.PaddleOCR(**kwargs)
        self._rec: Any = None  # recognition-only predictor, created on first recognize_crop
        self._lock = threading.Lock()
        self._version: str | None = None

    @classmethod
    def check_available(cls) -> str:
        check_installed()
        return (
            "已安装 paddleocr；需设置 det_model_dir 和 rec_model_dir（本地 PaddleX 模型文件夹） / "
            "paddleocr installed; needs det_model_dir and rec_model_dir (local PaddleX folders)"
        )

    def version(self) -> str:
        if self._version is None:
            self._version = (
                f"paddleocr {_dist_version('paddleocr')}; paddlepaddle {_dist_version('paddlepaddle')}; "
                f"det {self.det_model_name} sha256:{_fingerprint(self.det_dir)}; "
                f"rec {self.rec_model_name} sha256:{_fingerprint(self.rec_dir)}"
            )
        return self._version

    def languages(self) -> list[str]:
        return ["ch", "en"]

    def recognize(self, image: np.ndarray) -> list[OcrPiece]:
        bgr = to_bgr(image)
        h, w = bgr.shape[:2]
        if h == 0 or w == 0:
            return []
        with self._lock:
            results = list(self._pipeline.predict(bgr))
        pieces: list[OcrPiece] = []
        for res in results:
            for text, score, poly in zip(res["rec_texts"], res["rec_scores"], res["rec_polys"]):
                text = str(text).strip()
                if text:
                    pieces.append(OcrPiece(text, clamp01(score), polygon_to_box(poly, w, h), self.name))
        return pieces

    def recognize_crop(self, image: np.ndarray) -> OcrPiece:
        bgr = to_bgr(image)
        h, w = bgr.shape[:2]
        box = (0, 0, int(w), int(h))
        if h < 2 or w < 2:
            return OcrPiece("", 0.0, box, self.name)
        with self._lock:
            if self._rec is None:
                self._rec = self._paddleocr.TextRecognition(
                    model_name=self.rec_model_name, model_dir=str(self.rec_dir), **self._common
                )
            results = list(self._rec.predict(bgr))
        if not results:
            return OcrPiece("", 0.0, box, self.name)
        text = str(results[0]["rec_text"]).strip()
        return OcrPiece(text, clamp01(results[0]["rec_score"]) if text else 0.0, box, self.name)
