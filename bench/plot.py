"""A reliability plot (confidence bucket vs observed accuracy) drawn with OpenCV: no plotting library."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

COLOURS = [
    (0, 0, 0),
    (200, 90, 30),
    (40, 140, 40),
    (30, 30, 200),
    (160, 40, 160),
    (20, 150, 200),
    (120, 120, 0),
    (90, 90, 90),
    (0, 100, 255),
]  # BGR


def reliability_png(path: Path, series: dict[str, Sequence[dict]], title: str, lo: float = 0.0, min_n: int = 5) -> None:
    """series: name -> pipeline.quality.calibration.reliability() rows. x: mean confidence of a bucket,
    y: share right in it, from `lo` to 1 on both axes; the diagonal is perfect calibration.
    Marker area grows with the bucket's size (log); buckets with fewer than `min_n` fields are not drawn."""
    W, H, L, R, T, B = 1000, 800, 90, 250, 60, 80
    img = np.full((H, W, 3), 255, np.uint8)
    pw, ph = W - L - R, H - T - B

    def xy(x: float, y: float) -> tuple[int, int]:
        x = min(1.0, max(lo, x))
        y = min(1.0, max(lo, y))
        return int(L + (x - lo) / (1 - lo) * pw), int(T + ph - (y - lo) / (1 - lo) * ph)

    font = cv2.FONT_HERSHEY_SIMPLEX
    for i in range(6):
        v = lo + (1 - lo) * i / 5
        cv2.line(img, xy(v, lo), xy(v, 1), (230, 230, 230), 1)
        cv2.line(img, xy(lo, v), xy(1, v), (230, 230, 230), 1)
        cv2.putText(img, f"{v:.1f}", (xy(v, lo)[0] - 15, T + ph + 25), font, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        cv2.putText(img, f"{v:.1f}", (L - 45, xy(lo, v)[1] + 5), font, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.rectangle(img, (L, T), (L + pw, T + ph), (0, 0, 0), 1)
    cv2.line(img, xy(lo, lo), xy(1, 1), (150, 150, 150), 1, cv2.LINE_AA)
    cv2.putText(img, title, (L, 35), font, 0.7, (0, 0, 0), 2, cv2.LINE_AA)
    cv2.putText(img, "field confidence (bucket mean)", (L + pw // 2 - 150, H - 25), font, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(img, "observed", (10, T + ph // 2 - 10), font, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(img, "accuracy", (10, T + ph // 2 + 12), font, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    for k, (name, rows) in enumerate(series.items()):
        col = COLOURS[k % len(COLOURS)]
        rows = [r for r in rows if r["n"] >= min_n]
        pts = [xy(r["mean_confidence"], r["accuracy"]) for r in rows]
        for a, b in zip(pts, pts[1:]):
            cv2.line(img, a, b, col, 2, cv2.LINE_AA)
        for p, r in zip(pts, rows):
            cv2.circle(img, p, int(3 + 2 * np.log10(max(1, r["n"]))), col, -1, cv2.LINE_AA)
        y = T + 20 + 28 * k
        cv2.circle(img, (L + pw + 25, y - 5), 7, col, -1, cv2.LINE_AA)
        cv2.putText(img, name, (L + pw + 40, y), font, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(img, "marker size ~ log(n)", (L + pw + 20, T + ph), font, 0.45, (90, 90, 90), 1, cv2.LINE_AA)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), img)
