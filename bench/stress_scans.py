"""Issue 21 bench: 1-bit and faded copies of an existing scanned set, to measure robustness on
captures worse than the set's own without a new generator family.

    python bench/stress_scans.py SRC_SCANS OUT --mode bilevel          # Otsu threshold, 1-bit PNG/TIFF
    python bench/stress_scans.py SRC_SCANS OUT --mode faded --fade 0.45  # ink lightened toward the paper

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
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageSequence

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}


def bilevel(gray: np.ndarray) -> np.ndarray:
    """A 1-bit copy (0/255) by Otsu's threshold, as a fax-mode or CCITT G4 scanner writes it."""
    _t, out = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return out


def faded(gray: np.ndarray, fade: float) -> np.ndarray:
    """Ink lightened toward the paper by `fade` (0: as scanned, 1: gone): each pixel moves that share
    of the way from its value to the page's paper tone (its 95th percentile)."""
    paper = float(np.percentile(gray, 95))
    out = gray.astype(np.float32) + fade * (paper - gray.astype(np.float32))
    return np.clip(out, 0, 255).astype(np.uint8)


def stress(img: Image.Image, mode: str, fade: float) -> Image.Image:
    gray = np.asarray(img.convert("L"))
    if mode == "bilevel":
        return Image.fromarray(bilevel(gray)).convert("1")
    return Image.fromarray(faded(gray, fade))


def copy_stressed(src: Path, out: Path, mode: str, fade: float, pdf_dpi: int | None = 200) -> tuple[int, list[str]]:
    """Copy every image under `src` to `out` stressed, truth files as they are: (images, skipped).
    PDFs are rasterized at `pdf_dpi` into a TIFF of the same stem (None: skipped)."""
    images, skipped = 0, []
    for path in sorted(src.rglob("*")):
        if not path.is_file():
            continue
        target = out / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        suffix = path.suffix.lower()
        if path.name.endswith(".gt.json") or suffix == ".json":
            shutil.copy2(path, target)
        elif suffix in IMAGE_SUFFIXES:
            with Image.open(path) as im:
                dpi = im.info.get("dpi")
                frames = [stress(f.copy(), mode, fade) for f in ImageSequence.Iterator(im)]
            kw = {"dpi": dpi} if dpi else {}
            if suffix in (".tif", ".tiff"):
                kw["compression"] = "group4" if mode == "bilevel" else "tiff_lzw"
                frames[0].save(target, save_all=True, append_images=frames[1:], **kw)
            elif suffix in (".jpg", ".jpeg") and mode == "bilevel":
                target = target.with_suffix(".png")  # a 1-bit page is no JPEG
                frames[0].save(target, **kw)
            else:
                frames[0].save(target, **kw)
            images += len(frames)
        elif suffix == ".pdf" and pdf_dpi:
            from pdf2image import convert_from_path

            frames = [stress(f, mode, fade) for f in convert_from_path(str(path), dpi=pdf_dpi, grayscale=True)]
            target = target.with_suffix(".tiff")
            kw = {"dpi": (pdf_dpi, pdf_dpi), "compression": "group4" if mode == "bilevel" else "tiff_lzw"}
            frames[0].save(target, save_all=True, append_images=frames[1:], **kw)
            images += len(frames)
        else:
            skipped.append(str(path.relative_to(src)))
            if target.is_file():  # a stray copy of a skipped file
                target.unlink()
            truth = target.with_name(path.stem + ".gt.json")
            if truth.is_file():  # its truth goes too: the copy's truth covers only the pages it holds
                truth.unlink()
    return images, skipped


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path, help="a generated set's scans folder")
    ap.add_argument("out", type=Path)
    ap.add_argument("--mode", choices=["bilevel", "faded"], default="bilevel")
    ap.add_argument("--fade", type=float, default=0.45, help="faded: share of the way from ink to paper")
    ap.add_argument("--pdf-dpi", type=int, default=200, help="rasterize PDFs at this resolution")
    ap.add_argument("--skip-pdf", action="store_true", help="leave PDFs (and their truth) out")
    a = ap.parse_args()
    images, skipped = copy_stressed(a.src, a.out, a.mode, a.fade, None if a.skip_pdf else a.pdf_dpi)
    print(f"{a.mode}: {images} page images written under {a.out}")
    for s in skipped:
        print(f"skipped (not an image): {s}")


if __name__ == "__main__":
    main()
