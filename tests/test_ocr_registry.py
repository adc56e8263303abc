"""The ocr package without running a real engine: registry, settings, fast-fail paths, agreement."""

from __future__ import annotations

import importlib.util
import re
import sys

import numpy as np
import pytest

from ocr import agree, available_engines, get_engine, normalize_text
from ocr.base import OcrEngine, polygon_to_box
from ocr.registry import _engines, clear_cache, engine_names, register
from pipeline.kernel.errors import ConfigError, MissingDependencyError, ModelMissingError
from pipeline.kernel.models import OcrPiece


class _CountingEngine(OcrEngine):
    name = "_test_counting"
    created = 0

    def __init__(self, *, level: int = 1):
        type(self).created += 1
        self._settings = {"level": level}

    def version(self) -> str:
        return "counting 1"

    def languages(self) -> list[str]:
        return ["xx"]

    def recognize(self, image: np.ndarray) -> list[OcrPiece]:
        return []

    def recognize_crop(self, image: np.ndarray) -> OcrPiece:
        return OcrPiece("", 0.0, (0, 0, image.shape[1], image.shape[0]), self.name)


@pytest.fixture
def counting():
    register(_CountingEngine)
    _CountingEngine.created = 0
    yield _CountingEngine
    _engines.pop(_CountingEngine.name, None)
    clear_cache(_CountingEngine.name)  # its own instances only: the PP-OCR models loaded before stay loaded


def test_builtin_engines_are_registered():
    assert {"ppocr", "tesseract", "paddleocr"} <= set(engine_names())


def test_unknown_engine_lists_known_ones():
    with pytest.raises(ConfigError) as err:
        get_engine("abbyy")
    assert "abbyy" in str(err.value)
    for name in ("ppocr", "tesseract", "paddleocr"):
        assert name in str(err.value)


def test_unknown_setting_is_a_config_error():
    with pytest.raises(ConfigError, match="max_side"):
        get_engine("ppocr", max_side=2000)


def test_engines_are_cached_per_settings(counting):
    a = get_engine(counting.name)
    assert get_engine(counting.name) is a
    b = get_engine(counting.name, level=2)
    assert b is not a and b.settings() == {"level": 2}
    assert get_engine(counting.name, level=2) is b
    assert counting.created == 2


def test_forgetting_one_engines_instances_keeps_the_others_loaded(counting):
    """clear_cache(name) drops that engine's instances alone: a test's own engine goes, the models other
    tests of the process loaded (PP-OCR's take seconds) stay."""
    a = get_engine(counting.name)
    other = get_engine("tesseract")
    clear_cache(counting.name)
    assert get_engine(counting.name) is not a and counting.created == 2
    assert get_engine("tesseract") is other


def test_register_rejects_non_engines():
    with pytest.raises(TypeError):
        register(object)  # type: ignore[arg-type]


def test_available_engines_says_why_not():
    msgs = available_engines()
    assert set(msgs) >= {"ppocr", "tesseract", "paddleocr"}
    assert msgs["ppocr"][0] is True
    for _runs, said in msgs.values():  # Chinese first, then " / " and the English
        assert " / " in said and re.search(r"[\u4e00-\u9fff]", said.split(" / ")[0]), said
    if importlib.util.find_spec("paddleocr") is None:
        assert msgs["paddleocr"][0] is False and "funeral-backfill[paddle]" in msgs["paddleocr"][1]
        assert msgs["paddleocr"][1].startswith("缺少所需的程序或模型 / ")


def test_polygon_to_box_is_clamped():
    assert polygon_to_box([[-3, 5], [50.2, 4], [51, 20.5], [0, 21]], 40, 100) == (0, 4, 40, 21)


# -- ppocr / tesseract fast-fail -------------------------------------------------------------


@pytest.mark.parametrize(
    "model,det,rec",
    [
        ("v6", "PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx"),
        ("v4", "ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx"),
    ],
)
def test_ppocr_missing_models_never_download(tmp_path, model, det, rec):
    (tmp_path / det).write_bytes(b"x")
    with pytest.raises(ModelMissingError) as err:
        get_engine("ppocr", model=model, model_dir=str(tmp_path))
    assert rec in str(err.value)
    assert str(tmp_path) in str(err.value)
    assert "never downloaded" in err.value.hint


def test_ppocr_unknown_model_runtime_or_precision_is_a_config_error():
    from pipeline.kernel.errors import ConfigError

    for bad in ({"model": "v5"}, {"runtime": "tensorrt"}, {"precision": "int4"}):
        with pytest.raises(ConfigError):
            get_engine("ppocr", **bad)


def test_ppocr_reads_at_f32_unless_told_otherwise_whatever_the_cpu():
    """The thresholds were fitted on f32 readings; OpenVINO's own choice ("auto") is bf16 on a CPU with
    AVX-512 BF16 or AMX, where the design scans read worse (docs/ocr.md, "Precision is f32 by default").
    An archive reads the same on every machine unless a site asks for bf16."""
    eng = get_engine("ppocr")
    assert eng.settings()["precision"] == "f32"
    assert "precision f32" in eng.describe()


def test_tesseract_missing_binary_names_apt_packages():
    with pytest.raises(MissingDependencyError) as err:
        get_engine("tesseract", tesseract_cmd="/nonexistent/tesseract")
    assert "tesseract-ocr" in err.value.hint and "tesseract-ocr-chi-sim" in err.value.hint


@pytest.mark.skipif(not importlib.util.find_spec("pytesseract"), reason="pytesseract not installed")
def test_tesseract_missing_traineddata_names_apt_package():
    pytest.importorskip("shutil").which("tesseract") or pytest.skip("no tesseract binary")
    with pytest.raises(MissingDependencyError) as err:
        get_engine("tesseract", lang="chi_sim+xyz_fake")
    assert "xyz_fake" in str(err.value)
    assert "tesseract-ocr-xyz-fake" in err.value.hint


def test_tesseract_joins_words():
    from ocr.tesseract import join_words

    assert join_words(["芝罘", "区", "幸福"]) == "芝罘区幸福"
    assert join_words(["No", "12", "号"]) == "No 12号"
    assert join_words(["3706021935", "04071228"]) == "3706021935 04071228"


# -- paddleocr fast-fail (the package is not installed here; its happy path is untested) -------


def _paddlex_folder(path, model_name: str):
    path.mkdir(parents=True)
    (path / "inference.yml").write_text(f"Global:\n  model_name: {model_name}\n", encoding="utf-8")
    (path / "inference.pdiparams").write_bytes(b"\0")
    (path / "inference.pdmodel").write_bytes(b"\0")
    return path


def test_paddle_without_model_dirs_fails_fast_and_imports_nothing():
    before = set(sys.modules)
    with pytest.raises(ModelMissingError) as err:
        get_engine("paddleocr")
    assert "det_model_dir" in str(err.value)
    assert "det_model_dir=" in err.value.hint and "never downloaded" in err.value.hint
    assert not {m for m in set(sys.modules) - before if m.startswith(("paddle", "paddlex", "paddleocr"))}


def test_paddle_names_the_missing_folder(tmp_path):
    det = _paddlex_folder(tmp_path / "det", "PP-OCRv4_mobile_det")
    with pytest.raises(ModelMissingError) as err:
        get_engine("paddleocr", det_model_dir=str(det), rec_model_dir=str(tmp_path / "nope"))
    assert "rec_model_dir" in str(err.value) and str(tmp_path / "nope") in str(err.value)


def test_paddle_names_the_missing_file(tmp_path):
    det = tmp_path / "det"
    det.mkdir()
    with pytest.raises(ModelMissingError, match="inference.yml"):
        get_engine("paddleocr", det_model_dir=str(det), rec_model_dir=str(det))
    (det / "inference.yml").write_text("Global:\n  model_name: PP-OCRv4_mobile_det\n")
    with pytest.raises(ModelMissingError, match="inference.pdiparams"):
        get_engine("paddleocr", det_model_dir=str(det), rec_model_dir=str(det))


def test_paddle_model_name_must_match(tmp_path):
    det = _paddlex_folder(tmp_path / "det", "PP-OCRv5_mobile_det")
    rec = _paddlex_folder(tmp_path / "rec", "PP-OCRv4_mobile_rec")
    with pytest.raises(ModelMissingError) as err:
        get_engine("paddleocr", det_model_dir=str(det), rec_model_dir=str(rec))
    assert "PP-OCRv5_mobile_det" in str(err.value) and "PP-OCRv4_mobile_det" in str(err.value)
    assert "det_model_name='PP-OCRv5_mobile_det'" in err.value.hint


@pytest.mark.skipif(importlib.util.find_spec("paddleocr") is not None, reason="paddleocr is installed")
def test_paddle_not_installed_says_how_to_install(tmp_path):
    det = _paddlex_folder(tmp_path / "det", "PP-OCRv4_mobile_det")
    rec = _paddlex_folder(tmp_path / "rec", "PP-OCRv4_mobile_rec")
    with pytest.raises(MissingDependencyError) as err:
        get_engine("paddleocr", det_model_dir=str(det), rec_model_dir=str(rec))
    assert not isinstance(err.value, ModelMissingError)
    assert "funeral-backfill[paddle]" in err.value.hint


# -- agreement ---------------------------------------------------------------------------------


def test_agree_normalizes_full_width_and_spaces():
    assert agree("３７０６０２ 1935", "3706021935") == 1.0
    assert agree("芝罘区 幸福街道", "芝罘区幸福街道") == 1.0
    assert agree("", "") == 1.0
    assert agree("", "芝罘区") == 0.0
    assert normalize_text("（ＡＢ　12）") == "(AB12)"


def test_agree_is_graded():
    one_wrong = agree("370602193504071228", "370602193504071223")
    assert one_wrong == pytest.approx(1 - 1 / 18)
    assert agree("芝罘区", "芝区") < one_wrong
    assert 0.0 <= agree("abc", "xyz") < 0.1


def test_trim_to_ink_ignores_rulings_and_keeps_strokes():
    from ocr.base import trim_to_ink

    img = np.full((100, 300), 245, np.uint8)
    img[:, 2:5] = 20  # a ruling left at the crop's left edge
    img[95:98, :] = 20  # and one at the bottom
    img[40:70, 120:123] = 20  # a long vertical stroke (like the 1 of "14" or the stem of 王)
    img[40:43, 110:160] = 20  # a long horizontal stroke
    crop, box = trim_to_ink(img)
    assert box[0] > 90 and box[2] < 175 and box[1] > 30 and box[3] < 80
    assert box[0] <= 110 and box[2] >= 160 and box[1] <= 40 and box[3] >= 70
    blank = np.full((40, 100), 250, np.uint8)
    assert trim_to_ink(blank)[1] == (0, 0, 100, 40)


def test_each_page_worker_has_its_own_single_threaded_engine():
    from ocr.registry import worker_engine

    a, b = worker_engine("ppocr", 0), worker_engine("ppocr", 1)
    assert a is not b and a is worker_engine("ppocr", 0)
    assert a.settings()["threads"] == 1 and b.settings()["threads"] == 1
    assert worker_engine("ppocr", 0, threads=2).settings()["threads"] == 2


def test_page_workers_networks_are_not_pinned_to_one_core():
    """Two page workers, each with its own one-thread engine, must be free to run on both cores. OpenVINO
    pins a network's threads to cores by default on Linux, and it pinned both workers' one-thread networks
    to the same core: reading two pages at once gained nothing (two workers' inference 1.10 x one, 2.13 x
    unpinned; docs/ocr.md "Both cores"). A one-engine run on all cores keeps OpenVINO's pinning."""
    from ocr.registry import worker_engine

    engines = [worker_engine("ppocr", k) for k in range(2)]
    if engines[0]._rec.runtime != "openvino":
        pytest.skip("ONNX Runtime does not pin a one-thread session")
    for e in engines:
        compiled = e._rec._req.get_compiled_model()
        assert compiled.get_property("INFERENCE_NUM_THREADS") == 1
        assert compiled.get_property("ENABLE_CPU_PINNING") is False


def test_page_workers_setting_is_checked():
    from pipeline.kernel.config import Settings
    from pipeline.kernel.errors import ConfigError

    assert Settings(page_workers=1).workers == 1 and Settings().workers >= 1
    with pytest.raises(ConfigError):
        Settings.from_dict({"page_workers": -1})


def test_backfill_engines_says_which_engine_runs_here_and_why_not(capsys, tmp_path, monkeypatch):
    """`backfill engines` (the README's archivist command): each engine with available / unavailable and
    the reason, then the one in use."""
    from pipeline.cli import main

    monkeypatch.chdir(tmp_path)  # no backfill.toml of the checkout
    assert main(["engines"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert set(engine_names()) <= set(lines)
    assert lines["ppocr"].split(None, 1)[1].startswith("可用 available：") and "正在使用 in use：ppocr：" in out
    for n in engine_names():  # 可用 / 不可用 with why, the detail Chinese first, its English after " / "
        said = lines[n].split("：", 1)[1]
        assert lines[n].split(None, 1)[1].startswith(("可用 available：", "不可用 unavailable：")), lines[n]
        assert re.search(r"[\u4e00-\u9fff]", said.split(" / ")[0]) and " / " in said, lines[n]
    in_use = next(x for x in out.splitlines() if x.startswith("正在使用"))
    if "ppocr：PP-OCR" in in_use:  # the model, runtime and precision, Chinese first
        assert "（检测 " in in_use and "，运行于 " in in_use and " / PP-OCR" in in_use, in_use
