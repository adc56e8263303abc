"""Engine ``ppocr``: PaddleOCR's PP-OCR models as shipped inside registry wheels, run offline on
OpenVINO or ONNX Runtime.

Models (setting ``model``):
  * ``v6`` (default): PP-OCRv6 small det + rec (+ the v2 direction classifier), inside the
    ``rapidocr`` 3.10 wheel (``rapidocr/models``). Dictionary: 18 708 characters, read from the
    recognition model's own metadata (key ``character``).
  * ``v4``: PP-OCRv4 mobile det + rec, inside the ``rapidocr-onnxruntime`` 1.4.4 wheel: kept for
    comparison (6 623 characters).

Runtime (setting ``runtime``): ``openvino``, ``onnxruntime``, or ``auto`` (default): OpenVINO where
it loads, else ONNX Runtime; why it fell back is said in ``version()`` and ``backfill engines``.
Precision (``precision``): ``f32`` (default), ``auto`` (the runtime's own choice: f32 on a CPU
without bf16/AMX, bf16 on one with it, OpenVINO's CPU default), or ``bf16`` (OpenVINO only).
f32 is the default because the shipped thresholds and every measured figure were fitted on f32
readings, and bf16 reads otherwise: on a CPU with AVX-512 BF16 (AMD EPYC, 2026-12-03) the design
scans of seed 3301 read at bf16 gave fields exact 97.52 / 97.06 % and 15.2 / 57.8 % of records
auto-accepted, at f32 97.82 / 98.56 % and 41.8 / 67.9 % (county_editions / typed_sheets, the same
code and pages). Under ``auto`` the same archive would read differently on another machine; bf16 is
for a site that measured it on its own pages and refit its thresholds on it (docs/ocr.md).

We drive the two networks ourselves (rapidocr's pre/post-processing functions, our own sessions):
nothing of rapidocr's model hub is ever touched, and a missing model file is a
``ModelMissingError`` naming the file. Nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ocr.base import OcrEngine, clamp01, polygon_to_box, to_bgr, trim_to_ink
from ocr.ctc import ANY, Label, ctc_log_likelihoods, greedy_decode, likeliest_texts
from ocr.registry import register
from pipeline.kernel.errors import ConfigError, MissingDependencyError, ModelMissingError
from pipeline.kernel.models import OcrPiece, chars_fit


@dataclass(frozen=True)
class ModelSet:
    key: str
    label: str  # what `backfill engines` and the provenance say
    package: str  # import name of the wheel that ships the files
    dist: str  # its distribution name (version in provenance)
    det: str
    rec: str
    cls: str
    install: str  # how to get the wheel back

    def files(self) -> dict[str, str]:
        return {"det": self.det, "rec": self.rec, "cls": self.cls}


MODELS: dict[str, ModelSet] = {
    "v6": ModelSet(
        "v6",
        "PP-OCRv6 small",
        "rapidocr",
        "rapidocr",
        "PP-OCRv6_det_small.onnx",
        "PP-OCRv6_rec_small.onnx",
        "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
        "pip install 'rapidocr==3.10.0' (the PP-OCRv6 ONNX models ship inside its wheel)",
    ),
    "v4": ModelSet(
        "v4",
        "PP-OCRv4 mobile",
        "rapidocr_onnxruntime",
        "rapidocr-onnxruntime",
        "ch_PP-OCRv4_det_infer.onnx",
        "ch_PP-OCRv4_rec_infer.onnx",
        "ch_ppocr_mobile_v2.0_cls_infer.onnx",
        "pip install 'rapidocr-onnxruntime==1.4.4' (the PP-OCRv4 ONNX models ship inside its wheel)",
    ),
}
DEFAULT_MODEL = "v6"
RUNTIMES = ("auto", "openvino", "onnxruntime")
PRECISIONS = ("auto", "f32", "bf16")
REC_HEIGHT = 48
REC_MIN_WIDTH = 64
"""The narrowest recognizer input. PaddleOCR pads every crop to at least 320 px (its training width);
our median text line (a name, a date, a code wording) is ~110 px wide at 48 px high, so that padding
tripled the work. Measured on 468 crops of fitting set 40101 (v6, OpenVINO f32): 320 -> 64 read 3
crops otherwise, CER 0.24 -> 0.21 %, fields exact and IDs unchanged, recognition 1.6x faster."""
REC_BATCH = 8
"""Crops per recognizer call. Crops are batched by their input width (rounded to WIDTH_STEP), so a
batch holds crops of one width and nothing is padded beyond the rounding: a crop read in a batch
is read exactly as it is read alone (_frame_probs)."""

WIDTH_STEP = 64
"""Recognizer input widths are rounded up to a multiple of this (zero padding, as a batch is padded to
its widest crop): a runtime that prepares each new input shape (OpenVINO) then meets few shapes."""

# kept for callers of the v4-era names (tests, benches)
REC_MODEL = MODELS["v4"].rec


def wheel_model_dir(model: str = DEFAULT_MODEL) -> Path:
    """The ``models`` folder inside the installed wheel of a model set (without importing it)."""
    ms = _model_set(model)
    spec = importlib.util.find_spec(ms.package)
    if spec is None or not spec.origin:
        raise MissingDependencyError(
            f"程序包 {ms.dist}（{ms.label} 模型）未安装 / the {ms.dist} package ({ms.label} models) is not installed",
            hint=ms.install,
        )
    return Path(spec.origin).parent / "models"


def _model_set(model: str) -> ModelSet:
    try:
        return MODELS[model]
    except KeyError:
        raise ConfigError(
            f"ppocr：model 须为 {', '.join(MODELS)} 之一，不能是 {model!r} / model must be one of {', '.join(MODELS)}, not {model!r}"
        ) from None


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


# -- the two runtimes -------------------------------------------------------------------------


class _Net:
    """One network on one runtime: ``net(x) -> first output``; ``characters()`` from its metadata."""

    runtime = ""
    precision = ""

    def __call__(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def characters(self) -> list[str]:  # pragma: no cover - interface
        raise NotImplementedError


class _OrtNet(_Net):
    runtime = "onnxruntime"
    precision = "f32"

    def __init__(self, path: Path, threads: int | None):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.log_severity_level = 4
        opts.enable_cpu_mem_arena = False
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            opts.intra_op_num_threads = int(threads)
            opts.inter_op_num_threads = 1
        self._s = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        self._inp = self._s.get_inputs()[0].name

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self._s.run(None, {self._inp: x})[0]

    def characters(self) -> list[str]:
        meta = self._s.get_modelmeta().custom_metadata_map
        if "character" not in meta:
            raise ModelMissingError(
                "ppocr：识别模型中没有字符表（元数据 character） / the recognition model carries no character list (metadata key 'character')"
            )
        return meta["character"].splitlines()


# OpenVINO's Python binding sets up numpy's C API (pybind11's npy_api) on the first tensor it hands to
# or from numpy, in a call_once that gives up the GIL and takes it back. Two page workers making their
# first inference at once deadlock there (one waits for the GIL inside call_once, the other holds the
# GIL waiting for the same static): seen as `backfill run` hanging at 0 % CPU with both workers in
# data_dispatcher.update_inputs. The first inference of the process is therefore made alone.
_OV_FIRST = threading.Lock()
_ov_ready = False


class _OvNet(_Net):
    runtime = "openvino"

    def __init__(self, path: Path, threads: int | None, precision: str):
        import openvino as ov

        core = ov.Core()
        self._model = core.read_model(str(path))
        config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY"}
        if threads:
            config["INFERENCE_NUM_THREADS"] = int(threads)
            # a one-thread network (one of several page workers) runs where the OS puts it: OpenVINO pins
            # a network's threads to cores by default on Linux, and two one-thread networks were pinned to
            # the same core, so two page workers shared one core (docs/ocr.md, "Both cores")
            config["ENABLE_CPU_PINNING"] = False
        if precision == "f32":
            config["INFERENCE_PRECISION_HINT"] = "f32"
        elif precision == "bf16":
            config["INFERENCE_PRECISION_HINT"] = "bf16"
        compiled = core.compile_model(self._model, "CPU", config)
        self.precision = compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name()
        self._req = compiled.create_infer_request()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        global _ov_ready
        if not _ov_ready:  # the process's first inference, alone (see _OV_FIRST)
            with _OV_FIRST:
                out = self._infer(x)
                _ov_ready = True
                return out
        return self._infer(x)

    def _infer(self, x: np.ndarray) -> np.ndarray:
        self._req.infer([x])
        return np.array(self._req.get_output_tensor(0).data, copy=True)

    def characters(self) -> list[str]:
        try:
            return str(self._model.get_rt_info()["framework"]["character"].value).splitlines()
        except Exception as exc:  # noqa: BLE001 - any shape of missing metadata
            raise ModelMissingError(
                f"ppocr：识别模型中没有字符表 / the recognition model carries no character list ({exc})"
            ) from None


def _open_net(path: Path, runtime: str, threads: int | None, precision: str) -> tuple[_Net, str]:
    """The network on the runtime asked for; "auto": OpenVINO, else ONNX Runtime (the reason kept)."""
    if runtime == "onnxruntime":
        if precision == "bf16":
            raise ConfigError(
                "ppocr：精度 bf16 须用 OpenVINO 运行时 / precision 'bf16' needs runtime 'openvino' (ONNX Runtime runs f32 here)"
            )
        return _OrtNet(path, threads), ""
    try:
        return _OvNet(path, threads, precision), ""
    except Exception as exc:  # noqa: BLE001 - no OpenVINO here (not installed, no usable CPU plugin)
        if runtime == "openvino":
            raise MissingDependencyError(
                f"ppocr：OpenVINO 无法运行 {path.name} / OpenVINO cannot run {path.name}: {type(exc).__name__}: {exc}",
                hint="请安装 OpenVINO，或改用 ONNX Runtime / pip install 'openvino>=2026.4', or set runtime = \"onnxruntime\"",
            ) from exc
        why = f"OpenVINO unavailable ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})"
        return _OrtNet(path, threads), why


@register
class PpOcrEngine(OcrEngine):
    """PP-OCR det + rec (v6 by default, v4 for comparison) on OpenVINO or ONNX Runtime.

    Settings:
      model: "v6" (PP-OCRv6 small, the ``rapidocr`` 3.10 wheel) or "v4" (PP-OCRv4 mobile, the
        ``rapidocr-onnxruntime`` 1.4.4 wheel).
      runtime: "auto" (OpenVINO, else ONNX Runtime), "openvino", "onnxruntime".
      precision: "f32" (default: what the thresholds were fitted on), "auto" (the runtime's choice for
        this CPU: bf16 where it has bf16 or AMX), "bf16" (OpenVINO only).
      threads: inference threads per network (None: the runtime's default, all cores). 1 when
        two pages are read in parallel (pipeline.runs.stages page workers).
      max_side_len: the page is first shrunk so its longest side is at most this; ours is 2400,
        so a 200-dpi A4 page (2339 px) goes through at full resolution.
      det_limit_side_len / det_limit_type: detector input size rule ("min": the short side is
        brought up to at least this; "max": the long side down to at most this).
      use_cls: 180° text-line direction classifier. Off: our pages are upright after deskew.
      text_score: pieces recognized below this confidence are dropped (whole-page reading).
      model_dir: folder holding the three ONNX files of the model set; default: its wheel.
      trim_crops: recognize_crop first trims a crop to its ink (rulings ignored) plus a small
        margin; the recognizer scales every crop to 48 px high, so white space shrinks the text.
      char_confidence: confidence of a crop's reading: "min" (default), the probability of its
        least certain character; "mean", the mean over characters. One doubtful digit in an
        18-digit ID hardly moves the mean: the minimum tells a wrong reading from a right one.
    """

    name = "ppocr"

    def __init__(
        self,
        *,
        model: str = DEFAULT_MODEL,
        runtime: str = "auto",
        precision: str = "f32",
        threads: int | None = None,
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
            raise ConfigError(
                f"ppocr：det_limit_type 须为 'min' 或 'max'，不能是 {det_limit_type!r} / "
                f"det_limit_type must be 'min' or 'max', not {det_limit_type!r}"
            )
        if char_confidence not in ("min", "mean"):
            raise ConfigError(
                f"ppocr：char_confidence 须为 'min' 或 'mean'，不能是 {char_confidence!r} / "
                f"char_confidence must be 'min' or 'mean', not {char_confidence!r}"
            )
        if runtime not in RUNTIMES:
            raise ConfigError(
                f"ppocr：runtime 须为 {', '.join(RUNTIMES)} 之一，不能是 {runtime!r} / runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}"
            )
        if precision not in PRECISIONS:
            raise ConfigError(
                f"ppocr：precision 须为 {', '.join(PRECISIONS)} 之一，不能是 {precision!r} / "
                f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}"
            )
        self.models = _model_set(model)
        threads = threads if threads is not None else intra_op_num_threads  # the v4-era name
        self.model_paths = self.find_models(model_dir, model)
        self._rec, self.fallback = _open_net(self.model_paths["rec"], runtime, threads, precision)
        self._det_args = (runtime if not self.fallback else "onnxruntime", threads, precision)
        self._det: _Net | None = None  # loaded on first whole-page use (most pages need only the title strip)
        self._cls: _Net | None = None
        self._settings = {
            "model": model,
            "runtime": self._rec.runtime,
            "precision": self._rec.precision,
            "threads": threads,
            "max_side_len": int(max_side_len),
            "det_limit_side_len": int(det_limit_side_len),
            "det_limit_type": det_limit_type,
            "use_cls": bool(use_cls),
            "text_score": float(text_score),
            "model_dir": str(self.model_paths["det"].parent),
            "trim_crops": bool(trim_crops),
            "char_confidence": char_confidence,
        }
        self.max_side_len = int(max_side_len)
        self.det_limit = (int(det_limit_side_len), det_limit_type)
        self.text_score = float(text_score)
        self.trim_crops = bool(trim_crops)
        self.char_confidence = char_confidence
        self.use_cls = bool(use_cls)
        names = self._rec.characters()
        self._names = ["blank", *names, " "]  # as PaddleOCR's CTC decoder: blank first, space last
        self._classes = {ch: i for i, ch in enumerate(self._names) if i > 0}
        # one inference request per network: calls on one instance are serialised
        self._call_lock = threading.Lock()
        self._last_probs: tuple[object, np.ndarray] | None = None
        self._version: str | None = None

    # -- models ------------------------------------------------------------------------------
    @staticmethod
    def find_models(model_dir: str | os.PathLike[str] | None = None, model: str = DEFAULT_MODEL) -> dict[str, Path]:
        ms = _model_set(model)
        folder = Path(model_dir) if model_dir is not None else wheel_model_dir(model)
        paths = {kind: folder / fname for kind, fname in ms.files().items()}
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:
            where = f"the {ms.dist} wheel" if model_dir is None else "the configured model_dir"
            zh_where = f"软件包 {ms.dist}" if model_dir is None else "所设的 model_dir"
            raise ModelMissingError(
                f"ppocr：{zh_where}中缺少 {ms.label} 模型文件 / {ms.label} model file(s) missing in {where}: {', '.join(missing)}",
                hint=(
                    "请重新安装该软件包 / reinstall the wheel (" + ms.install + ")"
                    if model_dir is None
                    else f"请把 {', '.join(ms.files().values())} 放到 {folder}，或不设 model_dir 以使用软件包自带的模型 / "
                    f"put them in {folder}, or leave model_dir unset to use the models inside the {ms.dist} wheel"
                )
                + "; models are never downloaded",
            )
        return paths

    @classmethod
    def check_available(cls) -> str:
        paths = cls.find_models()
        ov = "OpenVINO " + _dist_version("openvino") if importlib.util.find_spec("openvino") else "no OpenVINO"
        v4 = importlib.util.find_spec(MODELS["v4"].package) is not None
        ov_zh = "OpenVINO " + _dist_version("openvino") if importlib.util.find_spec("openvino") else "无 OpenVINO"
        return (
            f"{MODELS[DEFAULT_MODEL].label} ONNX 模型，位于 {paths['det'].parent}；运行时 {ov_zh}"
            f"（否则 ONNX Runtime {_dist_version('onnxruntime')}）；供对比的 v4 模型：{'已安装' if v4 else '未安装'} / "
            f"{MODELS[DEFAULT_MODEL].label} ONNX models in {paths['det'].parent}; runtime {ov} "
            f"(else ONNX Runtime {_dist_version('onnxruntime')}); model v4 for comparison: "
            + ("installed" if v4 else "not installed")
        )

    def describe(self) -> str:
        """Model, runtime and precision in use (`backfill engines`)."""
        threads = self._settings["threads"]
        runtime = f"{self._rec.runtime} {_dist_version(self._rec.runtime)}"
        zh = (
            f"{self.models.label}（检测 {self.models.det}，识别 {self.models.rec}，{len(self._names) - 2} 个字符），"
            f"运行于 {runtime}，精度 {self._rec.precision}，线程数 {threads or '运行时默认'}"
        )
        en = (
            f"{self.models.label} (det {self.models.det}, rec {self.models.rec}, {len(self._names) - 2} characters) "
            f"on {runtime}, precision {self._rec.precision}, threads {threads or 'runtime default'}"
        )
        if self.fallback:  # the runtime's own error text goes in the English part only (zh_en)
            zh, en = zh + "；已改用 ONNX Runtime", en + f"; fell back to ONNX Runtime: {self.fallback}"
        return f"{zh} / {en}"

    # -- interface ---------------------------------------------------------------------------
    def version(self) -> str:
        if self._version is None:
            models = "; ".join(f"{k} {model_fingerprint(p)}" for k, p in self.model_paths.items() if k != "cls" or self.use_cls)
            self._version = (
                f"{self.models.dist} {_dist_version(self.models.dist)}; {self._rec.runtime} "
                f"{_dist_version(self._rec.runtime)} {self._rec.precision}; {self.models.label} {models}"
            )
        return self._version

    def languages(self) -> list[str]:
        return ["ch", "en"]  # the "ch" recognizers: simplified (and traditional) Chinese + Latin letters, digits

    def _detector(self) -> _Net:
        if self._det is None:
            runtime, threads, precision = self._det_args
            self._det = _open_net(self.model_paths["det"], runtime, threads, precision)[0]
            if self.use_cls:
                self._cls = _open_net(self.model_paths["cls"], runtime, threads, precision)[0]
        return self._det

    def detect(self, bgr: np.ndarray) -> list[np.ndarray]:
        """Text-line quadrilaterals of a whole image (DB detector, PaddleOCR's post-processing), in
        the image's own coordinates, top to bottom then left to right."""
        from rapidocr.ch_ppocr_det.main import TextDetector
        from rapidocr.ch_ppocr_det.utils import DBPostProcess, DetPreProcess
        from rapidocr.utils.process_img import resize_image_within_bounds

        img, ratio_h, ratio_w = resize_image_within_bounds(bgr, 30, self.max_side_len)
        limit, kind = self.det_limit
        h, w = img.shape[:2]
        if kind == "min" and min(h, w) < limit and max(h, w) * limit / min(h, w) > self.max_side_len:
            # a wide strip (the title above a table): bringing its short side up to `limit` would
            # blow its long side far past max_side_len (a 2339 x 200 strip to 8 600 x 736); the
            # text of such a strip is page-sized already, so its long side is capped instead
            limit, kind = self.max_side_len, "max"
        prep = DetPreProcess(limit, kind, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])(img)
        if prep is None:
            return []
        with self._call_lock:
            preds = self._detector()(prep)
        post = DBPostProcess(
            thresh=0.3, box_thresh=0.5, max_candidates=1000, unclip_ratio=1.6, use_dilation=True, score_mode="fast"
        )
        boxes, _scores = post(preds, img.shape[:2])
        if len(boxes) < 1:
            return []
        boxes = TextDetector.sorted_boxes(np.asarray(boxes, dtype=np.float32))
        # rapidocr's ratios are original / resized (rapidocr.utils.process_img.reduce_max_side): boxes found
        # on the resized picture are multiplied by them. (Divided, the boxes of any picture wider than
        # max_side_len, a 300-dpi page or its title strip, landed at half their place and read nothing.)
        scale = np.array([ratio_w, ratio_h], dtype=np.float32)
        return [b * scale for b in boxes]

    def recognize(self, image: np.ndarray) -> list[OcrPiece]:
        from rapidocr.utils.process_img import get_rotate_crop_image

        bgr = to_bgr(image)
        h, w = bgr.shape[:2]
        if h == 0 or w == 0:
            return []
        quads = self.detect(bgr)
        if not quads:
            return []
        crops = [get_rotate_crop_image(bgr, q.astype(np.float32)) for q in quads]
        if self.use_cls:
            crops = self._upright(crops)
        reads = self._read(crops, trim=False)
        pieces: list[OcrPiece] = []
        for quad, (text, score, chars) in zip(quads, reads):
            text = text.strip()
            if not text or score < self.text_score:
                continue
            pieces.append(
                OcrPiece(text, clamp01(score), polygon_to_box(quad, w, h), self.name, chars if chars_fit(text, chars) else None)
            )
        return pieces

    def recognize_crop(self, image: np.ndarray) -> OcrPiece:
        return self.recognize_crops([image])[0]

    def recognize_crops(self, images: list[np.ndarray]) -> list[OcrPiece]:
        out: list[OcrPiece] = []
        todo: list[tuple[int, np.ndarray]] = []
        for i, image in enumerate(images):
            bgr = to_bgr(image)
            h, w = bgr.shape[:2]
            out.append(OcrPiece("", 0.0, (0, 0, int(w), int(h)), self.name))
            if h >= 2 and w >= 2:
                todo.append((i, bgr))
        if not todo:
            return out
        reads = self._read([c for _i, c in todo], trim=self.trim_crops)
        for (i, _c), (text, score, chars) in zip(todo, reads):
            text = text.strip()
            if text:
                out[i] = OcrPiece(text, clamp01(score), out[i].box, self.name, chars if chars_fit(text, chars) else None)
        return out

    def _upright(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """Text lines the direction classifier finds upside down (label 180 at >= 0.9) turned."""
        import cv2

        self._detector()
        assert self._cls is not None  # _detector opens it where use_cls, the one caller's condition
        out = list(crops)
        for i, crop in enumerate(crops):
            h, w = crop.shape[:2]
            rw = min(192, int(math.ceil(48 * w / float(h))))
            x = np.zeros((1, 3, 48, 192), dtype=np.float32)
            x[0, :, :, :rw] = (cv2.resize(crop, (max(1, rw), 48)).astype(np.float32).transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
            with self._call_lock:
                p = self._cls(x)[0]
            if int(np.argmax(p)) == 1 and float(p[1]) >= 0.9:
                out[i] = cv2.rotate(crop, cv2.ROTATE_180)
        return out

    # -- recognition -------------------------------------------------------------------------
    @staticmethod
    def _norm(bgr: np.ndarray, width: int) -> np.ndarray:
        """A crop scaled to 48 px high (aspect kept, at most `width`), normalised to [-1, 1] and
        padded with zeros to `width`: PaddleOCR's recognizer input."""
        import cv2

        h, w = bgr.shape[:2]
        rw = min(width, int(math.ceil(REC_HEIGHT * w / float(h))))
        img = cv2.resize(bgr, (max(1, rw), REC_HEIGHT)).astype(np.float32)
        out = np.zeros((3, REC_HEIGHT, width), dtype=np.float32)
        out[:, :, :rw] = (img.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
        return out

    @staticmethod
    def _width(bgr: np.ndarray) -> int:
        w = int(REC_HEIGHT * max(REC_MIN_WIDTH / REC_HEIGHT, bgr.shape[1] / bgr.shape[0]))
        return -(-w // WIDTH_STEP) * WIDTH_STEP if WIDTH_STEP > 1 else w

    def _read(self, crops: list[np.ndarray], trim: bool) -> list[tuple[str, float, tuple[float, ...] | None]]:
        """Greedy CTC reading of each crop (batched by input width): text, confidence
        (least sure character, or the mean), per-character probabilities."""
        if trim:
            crops = [trim_to_ink(c)[0] for c in crops]
        widths = [self._width(c) for c in crops]
        by_width: dict[int, list[int]] = {}
        for i in np.argsort(widths, kind="stable"):
            by_width.setdefault(widths[int(i)], []).append(int(i))
        batches = [(w, idx[b0 : b0 + REC_BATCH]) for w, idx in by_width.items() for b0 in range(0, len(idx), REC_BATCH)]
        res: list[tuple[str, float, tuple[float, ...] | None]] = [("", 0.0, None)] * len(crops)
        for width, idx in batches:
            batch = np.stack([self._norm(crops[i], width) for i in idx])
            with self._call_lock:
                probs = self._rec(batch)
            best = probs.argmax(axis=2)
            top = probs.max(axis=2)
            for k, i in enumerate(idx):
                seq = best[k]
                keep = np.ones(len(seq), dtype=bool)
                keep[1:] = seq[1:] != seq[:-1]
                keep &= seq != 0
                cls = seq[keep]
                if len(cls) == 0:
                    continue
                confs = tuple(float(c) for c in top[k][keep])
                text = "".join(self._names[c] for c in cls)
                score = min(confs) if self.char_confidence == "min" else float(np.mean(confs))
                res[int(i)] = (text, score, confs)
        return res

    def dictionary(self) -> frozenset[str]:
        return frozenset(self._classes)

    def _class_index(self) -> dict[str, int]:
        return self._classes

    def _frame_probs(self, image: np.ndarray) -> np.ndarray | None:
        """The recognizer's per-frame class probabilities for one crop, prepared as recognize_crops
        prepares it (alone, so unpadded); None for a crop too small to read."""
        bgr = to_bgr(image)
        if bgr.shape[0] < 2 or bgr.shape[1] < 2:
            return None
        if self.trim_crops:
            bgr = trim_to_ink(bgr)[0]
        key = (bgr.shape, hashlib.blake2b(np.ascontiguousarray(bgr).tobytes(), digest_size=16).digest())
        with self._call_lock:
            if self._last_probs is not None and self._last_probs[0] == key:
                return self._last_probs[1]
            probs = self._rec(self._norm(bgr, self._width(bgr))[np.newaxis])[0]
            self._last_probs = (key, probs)  # the same crop is often searched, then scored (one run)
            return probs

    def char_confidences(self, image: np.ndarray, groups: Sequence[str]) -> tuple[str, tuple[float, ...]] | None:
        probs = self._frame_probs(image)
        if probs is None:
            return None
        classes = self._classes
        found, confs = greedy_decode(probs, [tuple(classes[ch] for ch in g if ch in classes) for g in groups])
        return "".join(self._names[c] for c in found), tuple(clamp01(c) for c in confs)

    def likeliest_texts(
        self,
        image: np.ndarray,
        alphabet: str,
        beam: int = 32,
        max_len: int | None = None,
        viable: Callable[[str], bool] | None = None,
    ) -> list[tuple[str, float]] | None:
        probs = self._frame_probs(image)
        if probs is None:
            return []
        allowed = {self._classes[ch]: ch for ch in alphabet if ch in self._classes}
        seen: dict[tuple[int, ...], bool] = {}

        def viable_classes(seq: tuple[int, ...]) -> bool:
            assert viable is not None
            if seq not in seen:
                seen[seq] = viable("".join(allowed[c] for c in seq))
            return seen[seq]

        found = likeliest_texts(
            probs, sorted(allowed), beam=beam, max_len=max_len, viable=viable_classes if viable is not None else None
        )
        return [("".join(allowed[c] for c in seq), score) for seq, score in found]

    def score_readings(self, image: np.ndarray, readings: list[str], stand_ins: Mapping[str, str] | None = None) -> list[float]:
        """Log-probability of each text under the recognizer's per-frame output for this crop
        (prepared as recognize_crops prepares it): the CTC forward sum over alignments. A character
        the model cannot output is scored by the characters it writes instead (`stand_ins`), else
        as any character at all (an upper bound, ocr.ctc.ANY). Spaces are ignored."""
        probs = self._frame_probs(image)
        if probs is None:
            return [float("-inf")] * len(readings)
        classes = self._classes

        def label(ch: str) -> Label:
            if ch in classes:
                return classes[ch]
            alike = tuple(classes[a] for a in (stand_ins or {}).get(ch, "") if a in classes)
            return alike or ANY

        # all texts in one forward pass (ocr.ctc.ctc_log_likelihoods): the frames are converted once, not per text
        texts = [[label(ch) for ch in text if not ch.isspace()] for text in readings]
        return [v if t else float("-inf") for v, t in zip(ctc_log_likelihoods(probs, texts), texts)]
