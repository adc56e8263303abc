"""A scans folder copied with each frame's JPEG blocking and ringing smoothed, to measure JPEG loss as a cause (s47-phoneread).

    PYTHONPATH=. python bench/jpeg_deblock_copy.py SRC_SCANS OUT --quality 70 [--step 2]

Measured only, no product change. Every image (PNG, JPEG, TIFF frames) under SRC_SCANS is written under OUT at
the same path (truth files copied): each frame, as grey levels, replaced by the mean of its JPEG re-application at
`--quality` over the 8x8 block grid shifted by (dx, dy), dx, dy in range(0, 8, --step) (Nosratinia, "Enhancement
of JPEG-compressed images by re-application of JPEG", J. VLSI Signal Processing 27, 2001): quantization noise,
which lies on the block grid, averages out where the image itself does not move. The phone copies of
bench/stress_scans.py (--mode phone, --quality 70) hold JPEG-decoded pixels in every container.
"""

from __future__ import annotations

import argparse
import io
import shutil
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence

SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}


def reapplied(gray: np.ndarray, quality: int, step: int) -> np.ndarray:
    """`gray` (uint8, 2-D) averaged over its JPEG re-encodings at `quality` on block grids shifted by `step`."""
    h, w = gray.shape
    acc = np.zeros((h, w), np.float64)
    n = 0
    for dy in range(0, 8, step):
        for dx in range(0, 8, step):
            pad = np.pad(gray, ((dy, 8), (dx, 8)), mode="edge")
            buf = io.BytesIO()
            Image.fromarray(pad).save(buf, format="JPEG", quality=quality)
            dec = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"))
            acc += dec[dy : dy + h, dx : dx + w]
            n += 1
    return np.clip(np.rint(acc / n), 0, 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--quality", type=int, default=70)
    ap.add_argument("--step", type=int, default=2)
    a = ap.parse_args()
    src, out = Path(a.src), Path(a.out)
    for p in sorted(src.rglob("*")):
        if not p.is_file():
            continue
        t = out / p.relative_to(src)
        t.parent.mkdir(parents=True, exist_ok=True)
        if p.suffix.lower() not in SUFFIXES:
            shutil.copy2(p, t)
            continue
        im = Image.open(p)
        frames = [Image.fromarray(reapplied(np.asarray(f.convert("L")), a.quality, a.step)) for f in ImageSequence.Iterator(im)]
        dpi = im.info.get("dpi")
        kw = {"dpi": dpi} if dpi else {}
        if p.suffix.lower() in (".jpg", ".jpeg"):  # the container kept, next to no new loss
            kw |= {"quality": 100, "subsampling": 0}
        frames[0].save(t, save_all=len(frames) > 1, append_images=frames[1:], **kw)
        print(t, len(frames))


if __name__ == "__main__":
    main()
