"""The closed written forms of a register's number cells (certificate numbers, dates, ages, counts), for
decoding a cell whose reading fits none of them under its field's grammar (pipeline.page.extract
column_decoders: the recognizer's own CTC probabilities searched for the likeliest text of the form).

Source: SPEC.md. A cremation certificate number is "a 4-digit year and a 5-digit serial", written
201000514, No.201000514, 2010-00514 or 10-0514; a date appears as 2013.4.7, 2013-04-07, 2013/4/7,
2013年4月7日 or 13.4.7 (the Chinese-numeral and lunar forms are another alphabet: not searched); an age
and a count are integers (年龄 age_years, 随船人数 onboard_count), written with or without their unit
(78岁, 3人: mapping.normalize.normalize_age / normalize_count). A phone number is one of China's numbering plan
(MIIT 电信网编号计划, as SPEC takes it: mapping.normalize.phone_in_plan): a mobile number 1[3-9] and 9 digits, a
Yantai landline 0535 and 7 or 8 digits (a dash after the area code as written), or its local number alone
(2-9 and 6 or 7 digits; normalize_phone adds the area code). Only the forms are rules here: which of
the texts of a form the cell holds is the recognizer's choice (its probabilities on the crop), and a
value so chosen stays doubted (mapping.record.DECODED_NUMBER_CERTAINTY).
"""

from __future__ import annotations

import math
import re
from typing import Callable, Sequence

from .idfix import DECODE_MARGIN, ROW_DECODE_MAX_DROP
from .normalize import Normalized, normalize_age, normalize_cert_no, normalize_count, normalize_date, normalize_phone

_YEAR = r"(?:19|20)\d\d"

FORMS: dict[str, str] = {
    "cert_no": rf"(?:No\.)?{_YEAR}-?\d{{5}}|\d\d-\d{{4}}",
    "date": (
        rf"(?:{_YEAR}|\d\d)\.\d{{1,2}}\.\d{{1,2}}"
        rf"|{_YEAR}-\d{{1,2}}-\d{{1,2}}"
        rf"|{_YEAR}/\d{{1,2}}/\d{{1,2}}"
        rf"|{_YEAR}年\d{{1,2}}月\d{{1,2}}日"
    ),
    "age": r"\d{1,3}岁?",
    "count": r"\d{1,2}人?",
    "phone": r"1[3-9]\d{9}|0535-?[2-9]\d{6,7}|[2-9]\d{6,7}",
}
"""normalizer -> the written forms SPEC gives its values (a regular expression over the whole cell)."""

NORMALIZERS: dict[str, Callable[[str], Normalized]] = {
    "cert_no": normalize_cert_no,
    "date": normalize_date,
    "age": normalize_age,
    "count": normalize_count,
    "phone": normalize_phone,
}

YEAR_TAKERS: dict[str, Callable[[str, int], Normalized]] = {"cert_no": normalize_cert_no, "date": normalize_date}
"""The normalizers that read a value with the ledger's year (normalize_cert_no: 火字第514号)."""
ANY_LEDGER_YEAR = 2000

WRITTEN_FORM_FLAGS = frozenset({"two_digit_year", "area_code_added"})
"""Flags a normalizer puts on a value written in one of SPEC's forms all the same (10-0514, 13.4.7, a local
number written without its area code)."""

_COMPILED = {k: re.compile(rf"(?:{v})") for k, v in FORMS.items()}

_D = "0123456789"
Slot = tuple[str, int, int]
"""One place of a form: the characters it takes, at least and at most how many."""
SLOTS: dict[str, list[list[Slot]]] = {
    "cert_no": [
        [("N", 0, 1), ("o", 0, 1), (".", 0, 1), ("12", 1, 1), ("90", 1, 1), (_D, 2, 2), ("-", 0, 1), (_D, 5, 5)],
        [(_D, 2, 2), ("-", 1, 1), (_D, 4, 4)],
    ],
    "date": [[(_D, 2, 4), (sep, 1, 1), (_D, 1, 2), (sep, 1, 1), (_D, 1, 2)] for sep in ".-/"]
    + [[(_D, 4, 4), ("年", 1, 1), (_D, 1, 2), ("月", 1, 1), (_D, 1, 2), ("日", 1, 1)]],
    "age": [[(_D, 1, 3), ("岁", 0, 1)]],
    "count": [[(_D, 1, 2), ("人", 0, 1)]],
    "phone": [
        [("1", 1, 1), ("3456789", 1, 1), (_D, 9, 9)],
        [("0", 1, 1), ("5", 1, 1), ("3", 1, 1), ("5", 1, 1), ("-", 0, 1), ("23456789", 1, 1), (_D, 6, 7)],
        [("23456789", 1, 1), (_D, 6, 7)],
    ],
}
"""FORMS as runs of slots, loosely (a year's 19/20 as [12][90]): what form_prefix grows; fits_form then
holds each text found to FORMS exactly."""


def _begins(slots: list[Slot], text: str) -> bool:
    """Whether `text` can begin a text the slots spell (each slot's count within its bounds)."""

    def onward(states: set[tuple[int, int]]) -> set[tuple[int, int]]:
        out, todo = set(states), list(states)
        while todo:
            i, k = todo.pop()
            if i < len(slots) and k >= slots[i][1] and (i + 1, 0) not in out:
                out.add((i + 1, 0))
                todo.append((i + 1, 0))
        return out

    states = onward({(0, 0)})
    for ch in text:
        states = onward({(i, k + 1) for i, k in states if i < len(slots) and ch in slots[i][0] and k < slots[i][2]})
        if not states:
            return False
    return True


def form_alphabet(normalizer: str) -> str:
    """The characters a text of the normalizer's forms is written in (the search's alphabet)."""
    extra = {"cert_no": "No.-", "date": ".-/年月日", "age": "岁", "count": "人", "phone": "-"}[normalizer]
    return "0123456789" + extra


def fits_form(normalizer: str, text: str) -> bool:
    """Whether `text` (whitespace removed) is one of the normalizer's written forms and gives a value
    its normalizer takes with no flag but WRITTEN_FORM_FLAGS (a real date, an age of 0-130)."""
    t = "".join(text.split())
    if not _COMPILED[normalizer].fullmatch(t):
        return False
    n = NORMALIZERS[normalizer](t)
    return n.value is not None and not set(n.flags) - WRITTEN_FORM_FLAGS


def form_prefix(normalizer: str, text: str) -> bool:
    """Whether `text` can still begin one of the normalizer's written forms (the search grows only such
    beginnings: ocr likeliest_texts' `viable`)."""
    return any(_begins(slots, text) for slots in SLOTS[normalizer])


def needs_form(normalizer: str, text: str) -> bool:
    """Whether a reading is no value of the field at all and is worth decoding under the forms: its
    normalizer gives none, or keeps a certificate number only as printed (`nonstandard_format`). A reading
    the normalizer makes a value of by a rule of its own (95岁 read 959: `age_unit_read_as_digit`; a
    date's year put back) is that rule's, and left alone."""
    t = "".join(text.split())
    if not t:
        return False
    n = NORMALIZERS[normalizer](t)
    if n.value is not None and "nonstandard_format" not in n.flags:
        return False
    if normalizer in YEAR_TAKERS:
        # a value once the ledger's year is known (火字第234号, a serial whose year the ledger gives), which
        # it is not while cells are read: any year tells whether the reading is one
        m = YEAR_TAKERS[normalizer](t, ANY_LEDGER_YEAR)
        if m.value is not None and "nonstandard_format" not in m.flags:
            return False
    return True


def form_value(normalizer: str, text: str) -> object:
    """The value a text of the forms means (several texts mean one: 15-0315 and 201500315)."""
    return NORMALIZERS[normalizer]("".join(text.split())).value


def form_texts(normalizer: str, texts: list[str]) -> list[str]:
    """The texts among `texts` that fit the normalizer's forms (fits_form), in order."""
    return [t for t in texts if fits_form(normalizer, t)]


def row_decoded(
    normalizer: str,
    alternatives: Sequence[tuple[str, float]] | None,
    fits_row: Callable[[object], bool],
) -> object | None:
    """The value the recognizer and the row agree on, for a photographed number cell whose value the row's
    other cells refute or which reads as no value (mapping.record._validate): of the texts of the field's
    written forms the recognizer found likeliest on the cell's own crop (`alternatives`, the reading first,
    each with its CTC log-probability: pipeline.page.extract.number_rivals, or the scores kept where its
    decoding chose none), those whose value `fits_row` (the row's official structure: an age within the
    spec's tolerance of the years between the ID's birth date, GB 11643 digits 7-14, and the death date; a
    date in the register's order, death <= cremation <= scattering), the likeliest where every other value
    that fits lies DECODE_MARGIN or more below it and it no more than ROW_DECODE_MAX_DROP below the reading;
    None otherwise. As mapping.idfix.choose_decoded for an ID: the row only rules texts out, it never
    raises one over a likelier one it allows. Recognizer property (s42-phone-nums, bench/digit_checks.py):
    on a photograph's blurred 13-15 px digits a digit is misread, dropped or added while the written text
    stays among the likeliest texts of the form, and of several the row's check leaves the written one."""
    if not alternatives or len(alternatives) < 2:
        return None
    reading_score = alternatives[0][1]
    best: dict[object, float] = {}
    for text, score in alternatives[1:]:
        if not math.isfinite(score) or score < reading_score - ROW_DECODE_MAX_DROP or not fits_form(normalizer, text):
            continue
        value = form_value(normalizer, text)
        if value is not None and fits_row(value):
            best[value] = max(best.get(value, -math.inf), score)
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and ranked[0][1] - ranked[1][1] < DECODE_MARGIN):
        return None
    return ranked[0][0]
