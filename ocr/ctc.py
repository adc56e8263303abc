"""How likely a CTC recognizer finds a given reading: the probability of a text under the per-frame
class probabilities of a line image, summed over every alignment (the CTC forward algorithm).

Greedy decoding takes the likeliest class of each frame; the likeliest *text* may differ, and a text
the spec requires (an ID number whose check digit holds) may be a close second. Scoring a few such
texts on the recognizer's own output tells how far each is from what it saw (ocr.ppocr)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

FLOOR = 1e-30


def ctc_log_likelihood(probs: np.ndarray, labels: Sequence[int], blank: int = 0) -> float:
    """log p(labels | probs): `probs` is frames x classes (softmax output), `labels` the class
    indices of the text (no blanks). -inf when the text cannot be aligned in so few frames."""
    probs = np.asarray(probs, dtype=np.float64)
    frames = probs.shape[0]
    ext = np.full(2 * len(labels) + 1, blank, dtype=np.int64)
    ext[1::2] = np.asarray(labels, dtype=np.int64)
    if frames == 0:
        return float("-inf")
    lp = np.log(np.maximum(probs[:, ext], FLOOR))
    states = ext.size
    # a label may follow the label before the blank before it, unless the two are the same
    skip = np.zeros(states, dtype=bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    alpha = np.full(states, -np.inf)
    alpha[0] = lp[0, 0]
    if states > 1:
        alpha[1] = lp[0, 1]
    for t in range(1, frames):
        nxt = alpha.copy()
        nxt[1:] = np.logaddexp(nxt[1:], alpha[:-1])
        nxt[2:] = np.where(skip[2:], np.logaddexp(nxt[2:], alpha[:-2]), nxt[2:])
        alpha = nxt + lp[t]
    end = alpha[-1] if states == 1 else np.logaddexp(alpha[-1], alpha[-2])
    return float(end)
