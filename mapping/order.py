"""The order a register's page is written in, and the values that break it.

Source: a property of a register written in the order of its events. A cremation register's
cremation dates (a sea-burial register's scattering dates) do not go backwards down a page, and the
numbers a home issues in turn (a certificate number, a registration number, a voyage number) rise row
by row, keeping the page's prefix (a year, No., 10-). A value read out of that order where its two
neighbours keep it is most likely misread; the recognizer's digit confusions (mapping.idfix.CONFUSABLE)
say which other reading it may have been written as.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Sequence

from pipeline.kernel.models import MappedRecord
from pipeline.kernel.reasons import zh_en

from .idfix import CONFUSABLE

DATE_FIELDS = ("cremation_date", "scattering_date")
NUMBER_FIELDS = ("cremation_cert_no", "registration_no", "voyage_no", "cremation_no")
ORDER_FIELDS = DATE_FIELDS + NUMBER_FIELDS
ONE_A_ROW = ("cremation_cert_no", "registration_no")
"""Numbers no two rows share: a certificate number is unique per funeral home (SPEC.md), a register number is
issued one a registration (pipeline.page.structure.REGISTER_RUN_FIELDS). A reading proposed for one must differ
from its neighbours' (a row written twice repeats its number, but a misreading is not put back onto another row's)."""

_LAST_DIGITS = re.compile(r"^(.*?)([0-9]+)([^0-9]*)$")

Key = tuple[object, ...]


def order_key(field: str, value: str | None) -> Key | None:
    """What a value is ordered by: a date field's date (("d", date)), a number field's (prefix, serial,
    suffix) where the serial is its last run of digits; None where it has none."""
    if not value:
        return None
    if field in DATE_FIELDS:
        try:
            return ("d", _dt.date.fromisoformat(value))
        except ValueError:
            return None
    m = _LAST_DIGITS.match(value)
    if m is None:
        return None
    return (m.group(1), int(m.group(2)), m.group(3))


def in_order(a: Key, b: Key) -> bool:
    """Whether b may follow a down a page: a date not earlier; a number with the same prefix and suffix
    and a serial not smaller (the rows of one voyage share its number; a row written twice repeats its
    certificate number)."""
    if a[0] == "d" and b[0] == "d":
        return b[1] >= a[1]  # type: ignore[operator]
    if len(a) != 3 or len(b) != 3:
        return False
    return a[0] == b[0] and a[2] == b[2] and b[1] >= a[1]  # type: ignore[operator]


def _neighbours(field: str, values: Sequence[str | None], i: int) -> tuple[Key | None, Key | None, Key | None, Key | None]:
    """The keys of the nearest two values before row i and the nearest two after it (None: none)."""
    before = [k for k in (order_key(field, v) for v in values[:i]) if k is not None]
    after = [k for k in (order_key(field, v) for v in values[i + 1 :]) if k is not None]
    p2 = before[-2] if len(before) > 1 else None
    p = before[-1] if before else None
    n = after[0] if after else None
    n2 = after[1] if len(after) > 1 else None
    return p2, p, n, n2


def out_of_order(field: str, values: Sequence[str | None], i: int) -> bool:
    """Whether the value of row i breaks its page's order while the rows around it keep it: out of
    order with the value before it or after it, and those two in order with each other (at a page's
    first or last value: its one neighbour in order with the next one beyond)."""
    k = order_key(field, values[i])
    if k is None:
        return False
    p2, p, n, n2 = _neighbours(field, values, i)
    if p is not None and n is not None:
        return in_order(p, n) and not (in_order(p, k) and in_order(k, n))
    if p is not None:  # the last value: its neighbour must keep order with the one before it
        return not in_order(p, k) and (p2 is None or in_order(p2, p))
    if n is not None:
        return not in_order(k, n) and (n2 is None or in_order(n, n2))
    return False


def _lookalikes(value: str) -> list[str]:
    """Every reading one recognizer confusion away (one digit replaced by one it may have been written as)."""
    out = []
    for j, ch in enumerate(value):
        for alt in CONFUSABLE.get(ch, ""):
            out.append(value[:j] + alt + value[j + 1 :])
    return out


def restoring_readings(field: str, values: Sequence[str | None], i: int) -> list[str]:
    """The readings one recognizer confusion from row i's value that keep its page's order with both
    neighbours (a date: a real date; a number of ONE_A_ROW: none of theirs)."""
    p2, p, n, n2 = _neighbours(field, values, i)
    out = []
    for c in _lookalikes(values[i] or ""):
        k = order_key(field, c)
        if k is None:
            continue
        if (p is None or in_order(p, k)) and (n is None or in_order(k, n)):
            if field in ONE_A_ROW and k in (p, n):
                continue
            out.append(c)
    return sorted(set(out))


ORDER_DOUBTED = "page_order_doubted"
ORDER_PROPOSED = "page_order_proposed"
ORDER_CERTAINTY = 0.45
"""The most a value that breaks its page's order is sure of, or one put back in order by a look-alike
reading: below every calibrated threshold (their floor is 0.5), so the record is always reviewed."""
ORDER_SKIP_FLAGS = frozenset({"row_struck_through", "corrected_by_reviewer", "cert_no_out_of_run", "cert_no_decoded_by_run"})
"""A struck-through row's value (its entry rewritten below it) is no part of the page's order; a reviewer's value
stands; a certificate number its run already doubted or decoded (pipeline.page.structure.apply_cert_run) is left
to that check."""


def check_page_order(records: Sequence[MappedRecord], fields: Sequence[str] = ORDER_FIELDS) -> None:
    """Doubt each value of ORDER_FIELDS that breaks its page's order (out_of_order) while its neighbours
    keep it, in `records` (one page's, in printed order; `fields`: those read from a column of the page).
    Where exactly one reading one recognizer confusion away (mapping.idfix.CONFUSABLE) puts it back in
    order (restoring_readings), that reading is proposed (`page_order_proposed`: the value, the reading
    kept in raw), unless the value next to it is doubted too (the order breaks between the two: 2014-12-26
    above 2014-12-25, each one look-alike 6/5 from keeping it, both right as read on s45-faded's design
    carbon and faded copies of 4501 county: the page cannot say which was misread, if either); otherwise the
    value is kept, doubted (`page_order_doubted`). Both at most ORDER_CERTAINTY, never auto-accepted, with a problem line.
    Rule source: a register is written in the order of its events (dates do not go backwards down a
    page, the numbers a home issues rise), and the recognizer's digit confusions."""
    for name in [f for f in fields if f in ORDER_FIELDS]:
        rows = [(r, r.fields[name]) for r in records if name in r.fields]
        rows = [(r, fv) for r, fv in rows if not ORDER_SKIP_FLAGS & set(fv.flags)]
        values = [fv.value if isinstance(fv.value, str) else None for _r, fv in rows]
        doubted = [i for i in range(len(values)) if out_of_order(name, values, i)]
        keyed = [i for i in range(len(values)) if order_key(name, values[i]) is not None]
        for i in doubted:  # judged on the page as read: a proposal does not feed the next row's judgement
            rec, fv = rows[i]
            readings = restoring_readings(name, values, i)
            k = keyed.index(i)
            # the order breaks between two rows each doubted (12-26 above 12-25): either reading may be the
            # misread one, or neither (a register written out of turn): the page singles out no proposal
            paired = any(0 <= j < len(keyed) and keyed[j] in doubted for j in (k - 1, k + 1))
            if len(readings) == 1 and not paired:
                fv.value = readings[0]
                flag, line = ORDER_PROPOSED, ORDER_PROPOSED_PROBLEM
            else:
                flag, line = ORDER_DOUBTED, ORDER_DOUBTED_PROBLEM
            if flag not in fv.flags:
                fv.flags.append(flag)
            fv.confidence = min(fv.confidence, ORDER_CERTAINTY)
            problem = f"{name}: {line}"
            if problem not in rec.problems:
                rec.problems.append(problem)


ORDER_DOUBTED_PROBLEM = zh_en(
    "与本页上下行的先后顺序不符（日期倒退或编号不递增），可能识别有误，请核对",
    "out of its page's order (a date going back, a number not rising) while the rows around it keep it: misread? check it",
)
ORDER_PROPOSED_PROBLEM = zh_en(
    "与本页上下行的先后顺序不符，改一个易混数字即合顺序，已按此改写，须人工核对（识别原文已保留）",
    "out of its page's order; one look-alike digit read otherwise puts it in order: proposed, to be checked (the reading in raw)",
)
