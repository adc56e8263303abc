"""Engine ``tesseract``: Tesseract 5 (LSTM) with ``chi_sim`` (+ ``eng`` for digits) via pytesseract.

The second engine: much weaker than PP-OCR on these ledgers (DESIGN.md), useful for agreement.
Tesseract runs as a subprocess per call; with OpenMP on 2 cores it is 2.2x slower, so the engine
sets ``OMP_THREAD_LIMIT`` (default 1) in this process's environment, which pytesseract hands to
the subprocess. Run pages in parallel processes instead.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from ocr.base import OcrEngine, as_uint8_image, clamp01, erase_ruling_lines
from ocr.registry import register
from pipeline.kernel.errors import ConfigError, MissingDependencyError, PageError
from pipeline.kernel.models import OcrPiece

_APT_BASE = "tesseract-ocr"


def apt_package_for(lang: str) -> str:
    """Debian/Ubuntu package holding a traineddata: chi_sim → tesseract-ocr-chi-sim."""
    return f"{_APT_BASE}-{lang.lower().replace('_', '-')}"


def _apt_hint(langs: list[str]) -> str:
    pkgs = " ".join([_APT_BASE] + [apt_package_for(lang) for lang in langs])
    return f"请安装 tesseract 及其语言包 / apt-get install {pkgs}"


def _run(cmd: list[str]) -> str:
    proc = subprocess.run(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=30, check=False
    )
    return proc.stdout.decode("utf-8", "replace")


def _is_ascii_word(s: str) -> bool:
    return bool(s) and s.isascii() and s[0].isalnum()


def join_words(words: list[str]) -> str:
    """Join Tesseract words into a line: a space only between two Latin/digit words.

    chi_sim splits Chinese text into words at every gap; those spaces mean nothing here.
    """
    out = ""
    prev = ""
    for w in words:
        if out and _is_ascii_word(prev[-1:]) and _is_ascii_word(w[:1]):
            out += " "
        out += w
        prev = w
    return out


@register
class TesseractEngine(OcrEngine):
    """Tesseract via pytesseract.

    Settings:
      lang: traineddata names joined with "+" (default "chi_sim+eng").
      psm: page segmentation mode for whole images (default 11, sparse text: a ruled table
        is not a column of paragraphs); recognize_crop always uses psm 7 (one text line).
      oem: OCR engine mode (1 = LSTM only).
      tesseract_cmd: the binary (default "tesseract" on PATH).
      tessdata_dir: folder of traineddata files (default: Tesseract's own).
      omp_thread_limit: OpenMP threads per tesseract process (None: leave the environment alone).
      timeout: seconds per tesseract call (0: none).
      crop_padding: white border (fraction of the crop height) added around a crop.
      erase_lines: paint table rulings over before OCR. Tesseract's layout analysis takes a
        ruled table for one huge word otherwise (measured: nothing readable on a ledger page).
    """

    name = "tesseract"

    def __init__(
        self,
        *,
        lang: str = "chi_sim+eng",
        psm: int = 11,
        oem: int = 1,
        tesseract_cmd: str = "tesseract",
        tessdata_dir: str | os.PathLike[str] | None = None,
        omp_thread_limit: int | None = 1,
        timeout: float = 120,
        crop_padding: float = 0.3,
        erase_lines: bool = True,
    ):
        self.langs = [x for x in lang.split("+") if x]
        if not self.langs:
            raise ConfigError("tesseract：lang 为空（例如 'chi_sim+eng'） / lang is empty (expected e.g. 'chi_sim+eng')")
        self.psm, self.oem = int(psm), int(oem)
        self.tessdata_dir = None if tessdata_dir is None else str(tessdata_dir)
        self.timeout = float(timeout)
        self.crop_padding = float(crop_padding)
        self.erase_lines = bool(erase_lines)
        self.binary, self._version_line, self._tessdata = self._check(tesseract_cmd, self.langs, self.tessdata_dir)
        try:
            import pytesseract
        except ImportError as exc:
            raise MissingDependencyError(
                "程序包 pytesseract 未安装 / the pytesseract package is not installed", hint="请安装 / pip install pytesseract"
            ) from exc
        self._pt = pytesseract
        # pytesseract reads this module attribute for every call: one engine per process in practice.
        pytesseract.pytesseract.tesseract_cmd = self.binary
        if omp_thread_limit is not None:
            os.environ["OMP_THREAD_LIMIT"] = str(int(omp_thread_limit))
        self._settings = {
            "lang": "+".join(self.langs),
            "psm": self.psm,
            "oem": self.oem,
            "tesseract_cmd": self.binary,
            "tessdata_dir": self.tessdata_dir,
            "omp_thread_limit": omp_thread_limit,
            "timeout": self.timeout,
            "crop_padding": self.crop_padding,
            "erase_lines": self.erase_lines,
        }
        self._version: str | None = None

    # -- checks ------------------------------------------------------------------------------
    @staticmethod
    def _check(cmd: str, langs: list[str], tessdata_dir: str | None) -> tuple[str, str, Path | None]:
        binary = shutil.which(cmd)
        if binary is None:
            raise MissingDependencyError(
                f"找不到 tesseract 程序 {cmd!r} / tesseract binary not found: {cmd!r}", hint=_apt_hint(langs)
            )
        args = [binary, "--list-langs"] + (["--tessdata-dir", tessdata_dir] if tessdata_dir else [])
        listing = _run(args)
        m = re.search(r'languages in "([^"]+)"', listing)
        tessdata = Path(m.group(1)) if m else None
        available = {line.strip() for line in listing.splitlines()[1:] if line.strip()}
        missing = [lang for lang in langs if lang not in available]
        if missing:
            raise MissingDependencyError(
                f"tesseract 缺少语言包 {', '.join(missing)} / tesseract has no traineddata for {', '.join(missing)}"
                + (f" in {tessdata}" if tessdata else "")
                + f" (it has: {', '.join(sorted(available)) or 'none'})",
                hint=f"请安装语言包 / apt-get install {' '.join(apt_package_for(x) for x in missing)}",
            )
        version_line = _run([binary, "--version"]).splitlines()[0].strip() if binary else ""
        return binary, version_line, tessdata

    @classmethod
    def check_available(cls) -> str:
        binary, version, tessdata = cls._check("tesseract", ["chi_sim", "eng"], None)
        return f"{version}，语言包 chi_sim+eng，位于 {tessdata} / {version} with chi_sim+eng in {tessdata}"

    # -- interface ---------------------------------------------------------------------------
    def version(self) -> str:
        if self._version is None:
            parts = [self._version_line, f"pytesseract {getattr(self._pt, '__version__', '?')}"]
            for lang in self.langs:
                f = self._tessdata / f"{lang}.traineddata" if self._tessdata else None
                if f is not None and f.is_file():
                    h = hashlib.sha256(f.read_bytes()).hexdigest()[:12]
                    parts.append(f"{lang}.traineddata sha256:{h}")
                else:
                    parts.append(lang)
            self._version = "; ".join(parts)
        return self._version

    def languages(self) -> list[str]:
        return list(self.langs)

    def _config(self, psm: int) -> str:
        cfg = f"--oem {self.oem} --psm {psm}"
        if self.tessdata_dir:
            cfg += f' --tessdata-dir "{self.tessdata_dir}"'
        return cfg

    def _data(self, image: np.ndarray, psm: int) -> dict[str, list[Any]]:
        from PIL import Image

        img = as_uint8_image(image)
        if img.ndim == 3:  # BGR(A) → RGB for PIL
            img = img[:, :, 2::-1] if img.shape[2] == 3 else img[:, :, [2, 1, 0]]
        pil = Image.fromarray(np.ascontiguousarray(img))
        try:
            return self._pt.image_to_data(
                pil, lang="+".join(self.langs), config=self._config(psm), output_type=self._pt.Output.DICT, timeout=self.timeout
            )
        except self._pt.TesseractNotFoundError as exc:
            raise MissingDependencyError(f"找不到 tesseract 程序 / {exc}", hint=_apt_hint(self.langs)) from exc
        except (self._pt.TesseractError, RuntimeError) as exc:
            raise PageError(f"tesseract 识别失败 / tesseract failed: {exc}", reason="ocr_failed") from exc

    @staticmethod
    def _lines(data: dict[str, list[Any]]) -> list[tuple[list[str], list[float], list[tuple[int, int, int, int]]]]:
        lines: dict[tuple[int, int, int, int], tuple[list[str], list[float], list[tuple[int, int, int, int]]]] = {}
        for i, level in enumerate(data.get("level", [])):
            text = str(data["text"][i]).strip()
            conf = float(data["conf"][i])
            if int(level) != 5 or not text or conf < 0:
                continue
            key = (int(data["page_num"][i]), int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
            words, confs, boxes = lines.setdefault(key, ([], [], []))
            x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
            words.append(text)
            confs.append(conf / 100.0)
            boxes.append((x, y, x + w, y + h))
        return list(lines.values())

    @staticmethod
    def _line_conf(words: list[str], confs: list[float]) -> float:
        weights = [max(1, len(w)) for w in words]
        return clamp01(sum(c * n for c, n in zip(confs, weights)) / sum(weights))

    def recognize(self, image: np.ndarray) -> list[OcrPiece]:
        img = as_uint8_image(image)
        h, w = img.shape[:2]
        if h == 0 or w == 0:
            return []
        pieces = []
        src = erase_ruling_lines(img) if self.erase_lines else img
        for words, confs, boxes in self._lines(self._data(src, self.psm)):
            box = (
                max(0, min(b[0] for b in boxes)),
                max(0, min(b[1] for b in boxes)),
                min(w, max(b[2] for b in boxes)),
                min(h, max(b[3] for b in boxes)),
            )
            pieces.append(OcrPiece(join_words(words), self._line_conf(words, confs), box, self.name))
        return pieces

    def recognize_crop(self, image: np.ndarray) -> OcrPiece:
        import cv2

        img = as_uint8_image(image)
        h, w = img.shape[:2]
        box = (0, 0, int(w), int(h))
        if h < 2 or w < 2:
            return OcrPiece("", 0.0, box, self.name)
        img = (
            erase_ruling_lines(img, min_fraction=0.8, min_len=0)
            if self.erase_lines
            else (cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY if img.shape[2] == 4 else cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img)
        )
        # Tesseract reads text that touches the image edge badly: pad with the paper's colour.
        pad = max(4, int(round(h * self.crop_padding)))
        paper = int(np.median(np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])))
        padded = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=paper)
        words: list[str] = []
        confs: list[float] = []
        for line_words, line_confs, _boxes in self._lines(self._data(padded, 7)):
            words += line_words
            confs += line_confs
        if not words:
            return OcrPiece("", 0.0, box, self.name)
        return OcrPiece(join_words(words), self._line_conf(words, confs), box, self.name)
