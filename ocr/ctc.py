"""How likely a CTC recognizer finds a given reading: the probability of a text under the per-frame
class probabilities of a line image, summed over every alignment (the CTC forward algorithm).

Greedy decoding takes the likeliest class of each frame; the likeliest *text* may differ, and a text
the spec requires (an ID number whose check digit holds) may be a close second. Scoring a few such
texts on the recognizer's own output tells how far each is from what it saw (ocr.ppocr)."""
from __future__ import annotations

from typing import Sequence, Tuple, Union

import numpy as np

FLOOR = 1e-30


ANY = -1
"""A label standing for a character the model cannot output and has no stand-in for: any class but
the blank (an upper bound of its likelihood)."""

Label = Union[int, Tuple[int, ...]]
"""One character of a text: its class, or the classes that may stand for it (summed)."""


def ctc_log_likelihood(probs: np.ndarray, labels: Sequence[Label], blank: int = 0) -> float:
    """log p(labels | probs): `probs` is frames x classes (softmax output), `labels` the class of
    each character of the text (no blanks): an int, a tuple of classes any of which may stand for
    it (a character outside the model's dictionary: the look-alikes it writes instead), or ANY.
    -inf when the text cannot be aligned in so few frames."""
    probs = np.asarray(probs, dtype=np.float64)
    frames = probs.shape[0]
    if frames == 0:
        return float("-inf")
    columns = [probs[:, blank]]
    keys: list[object] = [blank]
    for lab in labels:
        if isinstance(lab, tuple):
            columns.append(probs[:, list(lab)].sum(axis=1) if lab else np.zeros(frames))
        elif lab == ANY:
            columns.append(1.0 - probs[:, blank])
        else:
            columns.append(probs[:, lab])
        keys.append(lab)
        columns.append(probs[:, blank])
        keys.append(blank)
    lp = np.log(np.maximum(np.stack(columns, axis=1), FLOOR))
    states = len(keys)
    # a label may follow the label before the blank before it, unless the two are the same (two
    # unknown characters in a row are taken as the same: they then need a blank between)
    skip = np.zeros(states, dtype=bool)
    for i in range(2, states):
        skip[i] = keys[i] != blank and keys[i] != keys[i - 2]
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
