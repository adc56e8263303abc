"""A phone number read off China's numbering plan, decoded where the recognizer's confusions leave one.

The plan (MIIT 电信网编号计划, as SPEC takes it: mapping.normalize.phone_in_plan) rules numbers out:
an 11-digit number beginning 10, 11 or 12, or a Yantai local number beginning 0 or 1, is no phone.
Such a reading, or one of a phone's length the plan has no place for at all (7 for the 1 of a mobile),
is most often a digit misread. Where exactly ONE number of the plan lies one recognizer confusion away
(one digit swapped for a digit it is read for: mapping.idfix.CONFUSABLE, the same table the ID repair
uses, counted on the design stores' ID cells), pooled over both readings of the cell, that number is
taken, flagged `phone_decoded`, below every threshold (PHONE_DECODED_CERTAINTY): a phone has no check
digit, so nothing but the plan confirms it. With several, or none, nothing is taken (flag `bad_phone`
stays, the reading kept in raw). The area code of a reading that begins with 0 is never changed: 0536
is Weifang's code, a number of the plan SPEC does not take, not a misread 0535.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from .idfix import CONFUSABLE
from .normalize import normalize_phone, phone_digits, phone_in_plan

PHONE_DECODED_CERTAINTY = 0.45
"""The most a phone number decoded by the plan is sure of: below every threshold (their floor is 0.5),
so it is always reviewed (as mapping.idfix.ROW_DECODED_CERTAINTY for an ID)."""

YANTAI_AREA = "0535"
PHONE_LENGTHS = (7, 8, 11, 12)
"""The lengths of a phone of the plan SPEC takes: a bare local number (7, 8), a mobile number or a
Yantai landline with its area code (11, 12)."""


def _full(number: str) -> str:
    """The number as stored: a bare local number with its area code."""
    return number if len(number) >= 11 else YANTAI_AREA + number


def plan_candidates(digits: str) -> list[str]:
    """Every number of the plan (stored form) one recognizer confusion from `digits`, a reading of a
    phone's length that is no number of the plan; empty for a number of the plan or another length.
    Sorted, no duplicates."""
    if len(digits) not in PHONE_LENGTHS or not digits.isdigit() or phone_in_plan(digits):
        return []
    first = 0
    if digits.startswith("0"):
        if not digits.startswith(YANTAI_AREA):
            return []  # another area code, or none read right: not ours to change
        first = len(YANTAI_AREA)
    out: set[str] = set()
    for i in range(first, len(digits)):
        for a in CONFUSABLE.get(digits[i], ""):
            cand = digits[:i] + a + digits[i + 1 :]
            if phone_in_plan(cand):
                out.add(_full(cand))
    return sorted(out)


def decode_phone(reads: Iterable[str | None]) -> tuple[str | None, list[str]]:
    """(the one number of the plan the readings of a cell leave, or None; every candidate): the
    candidates of all readings pooled (plan_candidates), a number only where the pool holds one. A
    reading that holds other characters than a number's gives none."""
    pool: set[str] = set()
    for read in dict.fromkeys(r for r in reads if r):
        digits = phone_digits(read)
        if digits is not None:
            pool.update(plan_candidates(digits))
    c = sorted(pool)
    return (c[0] if len(c) == 1 else None), c


_WRITTEN_NUMBER = re.compile(r"[0-9 \-()（）]+")
"""The characters of a phone number as written: digits, the gaps and the dashes or brackets of its
groups (0535-6212345, 138 1234 5678, (0535)6212345). A letter or a Han character is no part of one."""


def one_plan_number(text: str) -> bool:
    """Whether a cell's reading is exactly one number of the numbering plan (MIIT 电信网编号计划, as SPEC
    takes it: mapping.normalize.phone_in_plan) and nothing beside it: a mobile number (11 digits, 13-19)
    or a landline with its area code (0535 and 7 or 8 digits), read as written: digits and the number's
    own separators only (_WRITTEN_NUMBER), normalize_phone taking it whole without a flag (no area code
    added, no second number, no label, no glyph read as a digit, no stray mark dropped), and no group of it
    apart at a gap being a full number of the plan by itself (0535-6212345 2: a landline and a digit
    beside it; 13812345678 45). Rule source: the numbering plan; a number written as one run of digits."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not s or not _WRITTEN_NUMBER.fullmatch(s):
        return False
    n = normalize_phone(s)
    if n.value is None or n.flags:
        return False
    groups = s.split()
    for k in range(1, len(groups)):
        for part in (groups[:k], groups[k:]):
            digits = phone_digits("".join(part))
            if digits is not None and len(digits) >= 11 and phone_in_plan(digits):
                return False
    return True


PHONE_RIVAL_MARGIN = 2.0
"""How much likelier (natural log of the recognizer's CTC probability on the cell's own crop) a phone's
reading must be than every other number of the plan one recognizer digit confusion from it
(mapping.idfix.CONFUSABLE) for the reading to stand as read: e**2, about 7 times. A recognizer property,
measured (bench/digit_views.py, session 40) on the phone cells of design photographs (camera_capture 3316
and its s38 copy): of 19 phones read wrong in a digit or more (the blurred 9, 6 and 3 read 0 most often), 15
had a rival within e**2, the written number itself for 10; of 193 read right, 10. A second crop of the same
ink does not tell them apart: the line at the frame's own resolution and as the cleanup enlarged it read
the same wrong digits in 14 of the 19 (and disagreed on none of the 4 read wrong at or above the 0.5
threshold). On grey scans the recognizer is sure of its digits (clean d3316: 1 of 271 phone cells has
a rival within e**2), so only a photograph's phones are scored (pipeline.page.extract.read_cells)."""

PHONE_RIVAL_CERTAINTY = 0.45
"""The most a phone number with a rival within PHONE_RIVAL_MARGIN is sure of: below every threshold (their
floor is 0.5), so it is reviewed, however surely its characters were read one by one (as
PHONE_DECODED_CERTAINTY)."""


def confusion_texts(reading: str) -> list[str]:
    """Every text one recognizer digit confusion from a reading (mapping.idfix.CONFUSABLE: a digit read
    for another it may have been written as), the reading's other characters (dashes, gaps, brackets) as
    they are; in order, no duplicates."""
    out: dict[str, None] = {}
    for i, ch in enumerate(reading):
        for a in CONFUSABLE.get(ch, ""):
            out[reading[:i] + a + reading[i + 1 :]] = None
    return list(out)


def rival_number(value: str, scored: Iterable[tuple[str, float]], margin: float = PHONE_RIVAL_MARGIN) -> str | None:
    """The number of the plan (stored form) other than `value` that the recognizer scored within `margin`
    of the reading, or None. `scored`: the reading first, then texts one digit confusion from it, each with
    its log-probability on the cell's crop (pipeline.page.extract.phone_rivals). Only a reading that gives
    `value` is weighed: where the value came from another reading, its rivals were not scored."""
    items = list(scored)
    if len(items) < 2:
        return None
    reading, own = items[0]
    if normalize_phone(reading).value != value:
        return None
    for text, score in items[1:]:
        if score < own - margin:
            continue
        other = normalize_phone(text).value
        if isinstance(other, str) and other != value:
            return other
    return None
