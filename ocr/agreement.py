"""Agreement between two readings of the same text (two engines, or two passes of one engine on
differently prepared crops), and what it does to a cell's confidence."""

from __future__ import annotations

import unicodedata
from typing import Callable

from rapidfuzz.distance import Levenshtein


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width letters, digits, punctuation) and drop all whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def agree(a: str, b: str) -> float:
    """Normalized similarity 0..1 of two readings; 1.0 when identical after normalizing.

    1 - Levenshtein distance / length of the longer one: one wrong digit in an 18-digit ID
    number gives 0.944. Two empty readings agree (1.0); one empty and one not, 0.0.
    """
    na, nb = normalize_text(a), normalize_text(b)
    if na == nb:
        return 1.0
    return float(Levenshtein.normalized_similarity(na, nb))


# ---- a second reading where the first is unsure -------------------------------------------------
SECOND_READ_BELOW = 0.99  # the default of Settings.second_read_below
"""A text line whose least certain character is below this is read a second time, from a crop
prepared differently (ocr.agreement.second_crop); sure lines are not (it costs time)."""

DISAGREE_FACTOR = 0.5
"""Two readings that disagree: the more confident one is kept, at half the lower confidence."""


def second_crop(crop, stretched: bool):
    """The same text line prepared otherwise for the second reading: another horizontal scale
    (x1.6 for a digit column already widened x1.3, else x1.2) and a white margin, so the
    recognizer sees other pixel columns and another 48-px scaling."""
    import cv2

    fx = 1.6 / 1.3 if stretched else 1.2
    wide = cv2.resize(crop, None, fx=fx, fy=1.0, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(wide, 6, 6, 10, 10, cv2.BORDER_CONSTANT, value=255)


SPEC_CHOSE_FACTOR = 0.9
"""Two readings that disagree where exactly one is a valid value for its field (a code-table wording,
a list entry, an ID whose check digit holds, a real date): that one, at 0.9 x its own confidence."""


MARK_CHARS = 3
"""The most characters the recognizer reads off a mark that is no writing (a speck, a stamp's or a
ruling line's remains, a shadow's edge): it reads any blob as its likeliest one to three glyphs. A
property of the recognizer, measured on the design photos (camera_capture seeds 4401, 4402: every
reading of an empty ruled row was 1-3 characters); pipeline.page.extract.NOISE_CHARS is this."""


def mark_against_blank(first: str | None, second: str | None) -> bool:
    """Whether of two readings of a cell one is blank and the other no longer than a mark's reading
    (MARK_CHARS): the two disagree on whether the cell holds writing at all, not on which text it
    holds. The spec cannot arbitrate that (ocr.agreement.resolve): a blank is a valid state of a
    cell, and what a mark reads as is often a valid short value (a digit of a code table whose codes
    are 01-09, 男, 子), so its validity is no evidence of writing. Seen on a design store drawn by
    another hand (seed 3305, severity 1.5): a speck in a blank cause-of-death cell read "2" at 0.87,
    blank from the second crop, chosen by the spec as code 02 and auto-accepted at 0.78. A longer
    valid reading against a blank (a whole date, an ID whose check digit holds) is no mark's reading:
    the spec still chooses it."""
    a, b = normalize_text(first or ""), normalize_text(second or "")
    return (not a) != (not b) and len(a or b) <= MARK_CHARS


def resolve(cell, below: float = SECOND_READ_BELOW, valid: Callable[[str], bool] | None = None, first_value: float | None = None):
    """The reading mapping uses for a stored cell (pipeline.kernel.models.RawCell).

    No second reading, or a first one at least `below` sure: the first reading as it is
    (`agreed` None). Both readings the same after normalizing: the text, with the confidence that
    both were wrong the same way removed: 1 - (1 - c1)(1 - c2), `agreed` True. They differ: the
    more confident one, at DISAGREE_FACTOR x the lower confidence, `agreed` False, and the other
    reading kept in `second` so a reviewer sees both (the kept one's own confidence and character
    probabilities in `own_confidence` / `own_chars`, for mapping to weigh two readings that differ as
    text but give the same value; where they agree, `own_confidence` is the first reading's alone, for
    a value two readings of one crop cannot confirm). `valid` (the field's spec: does a text
    normalize cleanly?) arbitrates a disagreement where exactly one reading is valid: that one, at
    SPEC_CHOSE_FACTOR x its own confidence (`arbitrated` True). Not where one reading is blank and the
    other a mark's length (at most MARK_CHARS characters: mark_against_blank): whether the cell holds
    writing at all is in doubt there, which the spec cannot tell; an ordinary disagreement. A `decoded`
    second reading (the valid text the recognizer finds likeliest, made only when the first is invalid)
    is weighed however sure the first reading was.

    `first_value`: how sure the recognizer is of the value the first reading gives, where that is more
    than of its text (a name read in one of a character's two forms, both the same name:
    mapping.normalize.name_form_probability). It stands for the first reading's confidence where that
    reading is kept as it is or both readings agree, and where two disagree as the first reading's
    confidence that mapping weighs where both give the same value (`own_confidence` where it is kept,
    `second_confidence` where the spec chose the other); never in the test whether a second reading
    is weighed at all (`below`) nor in choosing between two that disagree."""
    from dataclasses import replace

    if cell.second is None or (cell.confidence >= below and not getattr(cell, "decoded", False)):
        sure = max(float(cell.confidence), first_value) if first_value is not None else cell.confidence
        return replace(cell, confidence=sure, agreed=None, second=None, second_confidence=None, second_chars=None)
    c1, c2 = float(cell.confidence), float(cell.second_confidence or 0.0)
    own1 = max(c1, first_value) if first_value is not None else c1  # the first reading's value, as sure as it is
    if normalize_text(cell.text) == normalize_text(cell.second):
        c1 = own1
        a, b = cell.chars, cell.second_chars  # character by character where both line up
        chars = (
            tuple(1 - (1 - x) * (1 - y) for x, y in zip(a, b)) if a is not None and b is not None and len(a) == len(b) else None
        )
        # own_confidence: the kept reading's confidence alone, for a value whose readings of one crop
        # are no independent witnesses (mapping.record._agreement_unweighed)
        return replace(cell, confidence=1 - (1 - c1) * (1 - c2), agreed=True, chars=chars, own_confidence=c1)
    if valid is not None and not mark_against_blank(cell.text, cell.second):
        ok1, ok2 = valid(cell.text), valid(cell.second)
        if ok1 and not ok2:
            return replace(
                cell, confidence=SPEC_CHOSE_FACTOR * c1, agreed=False, arbitrated=True, own_confidence=own1, own_chars=cell.chars
            )
        if ok2 and not ok1:
            return replace(
                cell,
                text=cell.second,
                confidence=SPEC_CHOSE_FACTOR * c2,
                agreed=False,
                arbitrated=True,
                own_confidence=c2,
                own_chars=cell.second_chars,
                second=cell.text,
                second_confidence=own1,
                chars=cell.second_chars,
                second_chars=cell.chars,
            )
    if c2 > c1 and normalize_text(cell.second):
        return replace(
            cell,
            text=cell.second,
            confidence=DISAGREE_FACTOR * c1,
            agreed=False,
            own_confidence=c2,
            own_chars=cell.second_chars,
            second=cell.text,
            second_confidence=c1,
            chars=None,
            second_chars=cell.chars,
        )
    # two readings that differ: no character is vouched for by its own probability
    return replace(
        cell, confidence=DISAGREE_FACTOR * min(c1, c2), agreed=False, chars=None, own_confidence=own1, own_chars=cell.chars
    )
