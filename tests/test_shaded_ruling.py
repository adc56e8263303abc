"""A photographed page half in a shadow (a hand's or the phone's, the page not found on its desk so its
light was not flattened) keeps the ruling lines that run through the shadow: light multiplies the
print's contrast, so a thin faint line in a shadow of a third of the light is too weak for a threshold
in grey levels, unless the shade is divided out first (cleanup.lift_shade). An evenly lit scan is
binarized exactly as before."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.page.cleanup import find_ruling, lift_shade

ROWS, COLS = 12, 10
H, W = 1654, 2339  # A4 landscape at the working resolution (200 dpi)
XS = [180 + 200 * j for j in range(COLS + 1)]
YS = [250 + 100 * i for i in range(ROWS + 1)]


def _page(shade: float | None, seed: int = 3) -> np.ndarray:
    """A BGR page ruled in thin, light red print (as faded or thin stationery print photographs), with
    `shade` of the light taken away from its left 45 % (a soft-edged shadow), grain on top."""
    rng = np.random.default_rng(seed)
    img = np.full((H, W, 3), 232, np.float32)
    rule = np.zeros((H, W), np.uint8)
    for y in YS:
        cv2.line(rule, (XS[0], y), (XS[-1], y), 255, 1)
    for x in XS:
        cv2.line(rule, (x, YS[0]), (x, YS[-1]), 255, 1)
    a = cv2.GaussianBlur(rule.astype(np.float32) / 255.0, (0, 0), 1.0)[..., None]
    line = np.array([175, 175, 225], np.float32)  # BGR: a faded red
    img = (img * (1 - a) + line * a).astype(np.float32)
    if shade is not None:
        flat = np.ones((H, W), np.float32)
        flat[:, : int(0.45 * W)] = 1.0 - shade
        light = np.asarray(cv2.GaussianBlur(flat, (0, 0), 40), np.float32)
        img *= light[..., None]
    img += rng.normal(0, 3.0, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def _columns_found(lines: np.ndarray) -> list[int]:
    """The drawn vertical lines the ruling mask holds along most of their length."""
    return [x for x in XS if lines[YS[0] : YS[-1], x - 3 : x + 4].any(axis=1).mean() > 0.8]


def test_ruling_lines_in_a_shadow_are_found_like_those_in_the_light():
    lit = find_ruling(_page(None))
    assert _columns_found(lit.lines) == XS and lit.shaded is None  # found as it is where the light is even
    ruling = find_ruling(_page(0.6))
    assert ruling.shaded is not None  # before lift_shade: the lines under the shadow were lost
    found = ruling.lines | ruling.shaded
    assert _columns_found(found) == XS
    rows = [y for y in YS if found[y - 3 : y + 4, XS[0] : XS[-1]].any(axis=0).mean() > 0.8]
    assert rows == YS


def test_an_evenly_lit_frame_is_binarized_as_it_came():
    dark = cv2.cvtColor(_page(None), cv2.COLOR_BGR2GRAY)
    assert lift_shade(dark) is dark


def test_a_black_scanner_border_is_no_shade():
    # a flatbed scan's dark lid along one edge: darker than any paper in a shadow, so nothing is lifted
    page = cv2.cvtColor(_page(None), cv2.COLOR_BGR2GRAY)
    page[:, : int(0.15 * W)] = 20
    assert lift_shade(page) is page
