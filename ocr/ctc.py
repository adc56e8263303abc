"""How likely a CTC recognizer finds a given reading: the probability of a text under the per-frame
class probabilities of a line image, summed over every alignment (the CTC forward algorithm).

Greedy decoding takes the likeliest class of each frame; the likeliest *text* may differ, and a text
the spec requires (an ID number whose check digit holds) may be a close second. Scoring a few such
texts on the recognizer's own output tells how far each is from what it saw (ocr.ppocr)."""

from __future__ import annotations

import math
from typing import Callable, Sequence, Tuple, Union

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
    return ctc_log_likelihoods(probs, [labels], blank)[0]


def ctc_log_likelihoods(probs: np.ndarray, texts: Sequence[Sequence[Label]], blank: int = 0) -> list[float]:
    """ctc_log_likelihood of each of `texts` on the same frames, all in one forward pass (the texts padded
    to the longest, each state of a text a column of one array): the same values, for scoring a closed
    list's hundreds of wordings on a cell at the cost of a few (pipeline.page.extract.decoded_code_shares).
    An empty text gets the likelihood of every frame blank."""
    probs = np.asarray(probs, dtype=np.float64)
    frames = probs.shape[0]
    n = len(texts)
    if n == 0:
        return []
    if frames == 0:
        return [float("-inf")] * n
    width = 2 * max((len(t) for t in texts), default=0) + 1
    lp = np.full((n, frames, width), -np.inf)
    skip = np.zeros((n, width), dtype=bool)
    ends = np.zeros(n, dtype=np.int64)
    logs: dict[object, np.ndarray] = {}

    def column(lab: Label) -> np.ndarray:
        key = lab if not isinstance(lab, tuple) else ("t",) + lab
        if key not in logs:
            if isinstance(lab, tuple):
                col = probs[:, list(lab)].sum(axis=1) if lab else np.zeros(frames)
            elif lab == ANY:
                col = 1.0 - probs[:, blank]
            else:
                col = probs[:, lab]
            logs[key] = np.log(np.maximum(col, FLOOR))
        return logs[key]

    blank_col = column(blank)
    for i, labels in enumerate(texts):
        keys: list[object] = [blank]
        lp[i, :, 0] = blank_col
        for j, lab in enumerate(labels):
            lp[i, :, 2 * j + 1] = column(lab)
            lp[i, :, 2 * j + 2] = blank_col
            keys += [lab, blank]
        # a label may follow the label before the blank before it, unless the two are the same (two
        # unknown characters in a row are taken as the same: they then need a blank between)
        for k in range(2, len(keys)):
            skip[i, k] = keys[k] != blank and keys[k] != keys[k - 2]
        ends[i] = len(keys) - 1
    alpha = np.full((n, width), -np.inf)
    alpha[:, 0] = lp[:, 0, 0]
    if width > 1:
        alpha[:, 1] = lp[:, 0, 1]
    for t in range(1, frames):
        nxt = alpha.copy()
        nxt[:, 1:] = np.logaddexp(nxt[:, 1:], alpha[:, :-1])
        nxt[:, 2:] = np.where(skip[:, 2:], np.logaddexp(nxt[:, 2:], alpha[:, :-2]), nxt[:, 2:])
        alpha = nxt + lp[:, t]
    rows = np.arange(n)
    last = alpha[rows, ends]
    before = np.where(ends > 0, alpha[rows, np.maximum(ends - 1, 0)], -np.inf)
    out = np.logaddexp(last, before)
    return [float(v) for v in out]


def likeliest_texts(
    probs: np.ndarray,
    classes: Sequence[int],
    beam: int = 32,
    max_len: int | None = None,
    blank: int = 0,
    floor: float = 1e-4,
    viable: Callable[[tuple[int, ...]], bool] | None = None,
) -> list[tuple[tuple[int, ...], float]]:
    """The texts written only in `classes` that the recognizer finds likeliest for these frames:
    CTC prefix beam search with every other class taken as impossible (an ID cell is digits and X:
    what the greedy reading made a letter is read as the likeliest digit there). Returns up to
    `beam` (class sequence, log-probability) pairs, likeliest first; `max_len` caps the length.
    Frames where an allowed class is below `floor` do not extend by that class (speed).

    `viable`: whether a prefix can still begin a text the column may hold (an ID number's structure,
    GB 11643: mapping.idfix.IdPrefixes); a prefix it refuses is never extended, so the beam is spent
    on texts that can be valid only, however many invalid ones the recognizer finds likelier. It is asked
    once per prefix (a prefix stays in the beam over many frames), and only of those that rank high enough to
    enter the beam (a refused prefix takes no place in it, and its sums are no other's: asking the rest would
    change nothing).

    The sums are taken in plain floats by _logaddexp, numpy's own formula (the same values as np.logaddexp, a
    few times faster on one pair than a numpy call): the texts and scores are those of the search written with
    np.logaddexp (s40, paired on the same frames on design phone copy ph3803: 131 searches, the same results,
    71.7 s -> 20.3 s for 4 pages: IDs', numbers' and names' searches together)."""
    probs = np.asarray(probs, dtype=np.float64)
    lp = np.log(np.maximum(probs, FLOOR))
    allowed = np.asarray(sorted(set(classes)), dtype=np.int64)
    refused: dict[tuple[int, ...], bool] = {}
    neg = float("-inf")
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, neg)}  # (ends in blank, ends in a class)
    for t in range(probs.shape[0]):
        # the frame's log-probabilities as plain floats, of the classes this frame uses only (a name's alphabet
        # is thousands of classes, the recognizer's dictionary more)
        row = lp[t]
        rb = float(row[blank])
        grown = allowed[probs[t, allowed] >= floor]
        grow = list(zip(grown.tolist(), row[grown].tolist()))
        held_on = list({p[-1] for p in beams if p})
        held = dict(zip(held_on, row[held_on].tolist())) if held_on else {}
        nxt: dict[tuple[int, ...], list[float]] = {}
        for prefix, (pb, pc) in beams.items():
            total = _logaddexp(pb, pc)
            cur = nxt.get(prefix)
            if cur is None:
                nxt[prefix] = cur = [neg, neg]
            cur[0] = _logaddexp(cur[0], total + rb)
            if prefix:
                last = prefix[-1]
                cur[1] = _logaddexp(cur[1], pc + held[last])  # the last class held on
            else:
                last = -1
            if max_len is not None and len(prefix) >= max_len:
                continue
            for c, x in grow:
                ext = prefix + (c,)
                # the same class again needs a blank between
                value = (pb if c == last else total) + x
                cur_e = nxt.get(ext)
                if cur_e is None:
                    nxt[ext] = cur_e = [neg, neg]
                cur_e[1] = _logaddexp(cur_e[1], value)
        ranked = sorted(nxt.items(), key=lambda kv: -_logaddexp(kv[1][0], kv[1][1]))
        if viable is None:
            ranked = ranked[:beam]
        else:
            # a refused beginning is dropped before the beam is cut; asked in rank order only until the beam is full
            kept = []
            for kv in ranked:
                if kv[0]:
                    no = refused.get(kv[0])
                    if no is None:
                        refused[kv[0]] = no = not viable(kv[0])
                    if no:
                        continue
                kept.append(kv)
                if len(kept) == beam:
                    break
            ranked = kept
        beams = {k: (v[0], v[1]) for k, v in ranked}
    out = [(k, _logaddexp(*v)) for k, v in beams.items()]
    return sorted(out, key=lambda kv: -kv[1])


_LOGE2 = math.log(2.0)


def _logaddexp(x: float, y: float) -> float:
    """log(e**x + e**y) on plain floats, by numpy's formula (npy_logaddexp: equal arguments, infinities of one
    sign included, give x + log 2; else the larger plus log1p(exp(-difference)); NaN passed on)."""
    if x == y:
        return x + _LOGE2
    tmp = x - y
    if tmp > 0:
        return x + math.log1p(math.exp(-tmp))
    if tmp <= 0:
        return y + math.log1p(math.exp(tmp))
    return tmp


def greedy_decode(probs: np.ndarray, groups: Sequence[Tuple[int, ...]] = (), blank: int = 0) -> tuple[list[int], list[float]]:
    """Greedy CTC decoding as the recognizer's own decoder does it (the likeliest class of each
    frame; repeats merged, blanks dropped), with each character's probability taken at its first
    frame. A character whose class is in one of `groups` (glyphs that mean the same to the reader
    of the column: 〇 ○ O o 0 in a date) gets the probability of its whole group there: the doubt
    between look-alikes of one meaning is no doubt about the value."""
    probs = np.asarray(probs, dtype=np.float64)
    best = probs.argmax(axis=1)
    group_of = {c: tuple(g) for g in groups for c in g}
    classes: list[int] = []
    confs: list[float] = []
    prev = None
    for t, c in enumerate(best.tolist()):
        if c != prev and c != blank:
            classes.append(c)
            g = group_of.get(c)
            confs.append(float(probs[t, list(g)].sum()) if g else float(probs[t, c]))
        prev = c
    return classes, confs
