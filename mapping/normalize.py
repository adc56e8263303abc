"""Normalizers: printed cell text -> spec value. Each returns a `Normalized` and never raises.

`Normalized.value` is None when the text is blank or cannot be turned into a valid spec value
(the reasons are in `flags`); `certainty` (0..1) says how sure the normalizer is, and multiplies
the OCR confidence of the cell. A value that is returned always satisfies the spec (ISO dates that
exist, 18-character ID numbers with a valid check digit, codes from the tables, ...).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from pipeline.kernel.models import chars_fit

from .glyphs import LOOKALIKE, closest_by_shape, lookalike_spellings, shape_distance
from .glyphs import MAX_COST as MAX_SHAPE_COST
from .places import (
    DROPPED,
    UNDER_CORRECTED_COUNTY,
    UNREADABLE,
    VillageHit,
    confusion_doubted,
    county_suffix_proposals,
    deciding_hit,
    district_of,
    doubted_division_names,
    doubted_positions,
    find_village,
    lookalike_town_names,
    lookalike_village,
    names_listed_towns_village,
    road_named_as_place,
    road_near_place,
    scan_places,
    town_suffix_proposals,
    unlisted_county,
    unlisted_village_far_from_list,
    village_chars_off_list,
    village_part_start,
    villages_of,
)
from .spec import CodeTable, Spec, load_spec


@dataclass(frozen=True)
class Normalized:
    value: str | int | None
    raw: str
    flags: tuple[str, ...] = ()
    certainty: float = 1.0  # 1.0 read exactly; lower when guessed; 0.0 when text was there but no value came out


def _ok(value: str | int, raw: str, *flags: str, certainty: float = 1.0) -> Normalized:
    return Normalized(value, raw, tuple(dict.fromkeys(flags)), certainty)


def _fail(raw: str, *flags: str) -> Normalized:
    return Normalized(None, raw, tuple(dict.fromkeys(flags)), 0.0)


def _blank(raw: str) -> Normalized:
    return Normalized(None, raw, (), 1.0)


def _spec(spec: Spec | None) -> Spec:
    return spec if spec is not None else load_spec()


_WS = re.compile(r"\s+")
_PUNCT_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


DASHES = str.maketrans({c: "-" for c in "\u2212\u2013\u2014\u2015\u2010\u2011\u2012~\uff5e\uff0d=\uff1d"})
"""Dash-like characters folded to '-' where a field's format expects one (dates, certificate numbers,
phone numbers, serials): PP-OCRv6 writes a printed '-' as '−' (U+2212) or '~' on some lines (a
property of the recognizer, issue 27), hand-written ledgers use – and —. On a photograph a hyphen
blurred over more rows than its stroke is read '=' (a property of the recognizer on blurred captures:
HZ2013=017, 0535=…, 8 readings on the design photo and scan stores camera_capture seeds 4470-4472 and
county_editions / typed_sheets 3313, every one under a printed '-'); no number format of the spec
writes '='."""


VOYAGE_WORD = re.compile(r"第([0-9]{1,3})([\u3400-\u9fff])次")
"""The frame of a voyage number in the spec's worded form (SPEC.md: 第4航次): 第, a number, one glyph, 次, the glyph
航 or another read for it (第1杭次, 第1税次: a small blurred 航 on a photograph, its frame read right). The spec
puts 航 and nothing else there, and prints no other field so."""
VOYAGE_WORD_WORN = re.compile(r"第([0-9]{1,3})(?!次$)(?:[\u3400-\u9fff]航|航|[\u3400-\u9fff]{2}(?<!次))")
"""A voyage number of the spec's worded form (SPEC.md: 第4航次) whose word the recognizer wore down on a carbon or
faded copy: 第 and the number read right, then two glyphs neither of them 次 read for 航次 (第7版文, 第8瓶文,
第7收放: 次's 欠 spread into 文 or 放), or 航 with its 次 lost (第7航, 第7X航). The spec prints no other worded
voyage number and no other field in that frame, so the frame names the form; put back as VOYAGE_WORD is
(put_back_voyage_word: held, the reading kept raw). A reading that is itself a way of writing a voyage (第7次,
第7, 第7船次 is VOYAGE_WORD's) is left as read: SPEC.md keeps the printed text in voyage_no, and a register may
print 第7次. Rule source: the spec's form and the recognizer's readings of a spread or faded 航次 (harsh carbon
copies of design d3316, s_fc and a_fc: 8 / 13 / 13 voyage numbers so read, all 第N航次)."""


def fold_dashes(s: str) -> str:
    return s.translate(DASHES)


TRADITIONAL_FOLDED = "traditional_form_folded"


@lru_cache(maxsize=1)
def _traditional_table() -> dict[int, str]:
    import json
    from importlib import resources

    data = json.loads(resources.files("mapping").joinpath("data", "traditional_forms.json").read_text(encoding="utf-8"))
    return str.maketrans(data["pairs"])


def fold_traditional(text: str) -> str:
    """Traditional character forms written as their simplified form, one character for one.

    Source: the State Council's 通用规范汉字表 (2013), 附表1 规范字与繁体字、异体字对照表, through OpenCC's
    TSCharacters table (`mapping/data/traditional_forms.json`, `scripts/extract_traditional_forms.py`):
    only pairs with exactly one simplified counterpart, whose traditional form is itself no simplified
    character (乾, 著, 余 … are never touched). Why: a register of 2010 onward is written in the
    standard simplified characters, which the platform requires, while PP-OCR's dictionary holds both
    forms and its recognizer, whose two forms of a character share most strokes, writes the
    traditional one for a simplified glyph now and then (鎮 for 镇, 領 for 领, 黃 for 黄: a recognizer
    property). The number of characters never changes."""
    return text.translate(_traditional_table()) if text and not text.isascii() else text


STRAY_MARKS = "stray_marks_removed"
STRAY_MARKS_CERTAINTY = 0.45
"""A value read from inside marks its format cannot hold is right far more often than not, but which ink
was the value is a guess: 0.45 keeps it below every fitted threshold (none is below 0.5), so it is shown
to a reviewer, right, instead of blank."""
STRAY_MAX = 2


_DIGIT_LIKE_LETTERS = "OoDQlIiLSsBZzbGgqTA"
"""Latin letters the recognizer may write for a digit (O/D/Q for 0, l/I/i/L for 1, S for 5, B for 8, Z for 2,
b/G for 6, g/q for 9, T for 7, A for 4): never taken for a stray mark, as they may be the number's own digit."""


def _stray_letter(c: str) -> bool:
    return c.isascii() and c.isalpha() and c not in _DIGIT_LIKE_LETTERS


def without_stray_ends(text: str, allowed: str, letters: bool = True) -> str | None:
    """`text` (NFKC, no whitespace) without at most two characters in all at its ends that the field's
    format cannot hold (not a digit and not in `allowed`); None where nothing was left out, or where more
    would have to go (then it is no stray mark but another text).

    Why (recognizer property): the recognizer reads all the ink in a cell's crop as one line, so a seal's
    edge, a ruling line (|), a neighbour's stroke or a stamp's own words (用章) come out as a character or
    two glued to the value; they are never part of a date, a phone or a certificate number. Han
    characters, punctuation, symbols and Latin letters that are no digit's look-alike count (a seal's ring
    read as m or F: 11 digits then m / ma on the carbon copies c51 and x93 of d3316, 火字第590号F on
    s45-faded's carbon copy of typed 4501, every one under a seal); a digit or a letter the recognizer
    writes for a digit (_DIGIT_LIKE_LETTERS: O/0, l/1, S/5, B/8, A/4 ...) may be a misread digit of the
    value itself, so it is never left out. `letters=False`: no Latin letter is left out (an age, whose unit
    岁 read V or り the row's dates weigh: mapping.record.age_read_by_dates)."""
    s = _WS.sub("", unicodedata.normalize("NFKC", text or ""))

    def stray(c: str) -> bool:
        return c not in allowed and (_is_han(c) or unicodedata.category(c)[0] in "PS" or (letters and _stray_letter(c)))

    lead = 0
    while lead < len(s) and stray(s[lead]):
        lead += 1
    trail = 0
    while trail < len(s) - lead and stray(s[len(s) - 1 - trail]):
        trail += 1
    if not (lead or trail) or lead + trail > STRAY_MAX:
        return None
    core = s[lead : len(s) - trail]
    return core if any(c.isdigit() for c in core) else None


def _with_stray_flag(n: Normalized, raw: str) -> Normalized:
    return Normalized(n.value, raw, (*n.flags, STRAY_MARKS), min(n.certainty, STRAY_MARKS_CERTAINTY))


def clean_text(raw: str) -> str:
    """NFKC (full-width -> ASCII), all whitespace removed."""
    try:
        s = unicodedata.normalize("NFKC", str(raw))
    except Exception:  # pragma: no cover - lone surrogates etc.
        s = str(raw).encode("utf-8", "replace").decode("utf-8")
    return _WS.sub("", s)


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


# --------------------------------------------------------------------------- Chinese numerals

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "O": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CN_CHARS = "〇零○一壹二两贰三叁四肆五伍六陆七柒八捌九玖十拾百佰"


def cn_to_int(s: str) -> int | None:
    """七十八 -> 78, 一百零二 -> 102, 十二 -> 12, 二〇一三 -> 2013 (digit by digit), 78 -> 78."""
    if not s:
        return None
    if s.isdigit() and s.isascii():
        return int(s)
    if all(c in _CN_DIGITS or c.isdigit() and c.isascii() for c in s):
        return int("".join(str(_CN_DIGITS.get(c, c)) for c in s))
    total, cur = 0, None
    for c in s:
        if c in _CN_DIGITS:
            cur = _CN_DIGITS[c]
        elif c.isascii() and c.isdigit():
            cur = int(c)
        elif c in "十拾":
            total += (1 if cur is None else cur) * 10
            cur = None
        elif c in "百佰":
            if cur is None:
                return None
            total += cur * 100
            cur = None
        else:
            return None
    return total + (cur or 0)


# --------------------------------------------------------------------------- dates

_LUNAR = re.compile(r"农历|阴历|旧历|夏历|正月|腊月|冬月|初[一二三四五六七八九十]|廿")
_TIME_TAIL = re.compile(
    r"(?:(?<=[日号])|\s+)(?:上午|下午|凌晨|晚上|早上|中午|晚|早)?\s*[0-9]{1,2}\s*(?:[:：时点])\s*(?:[0-9]{1,2}\s*分?)?(?:\s*:\s*[0-9]{1,2})?\s*$"
)
_CN_RUN = re.compile(f"[{_CN_CHARS}]+")
_DATE = re.compile(r"([0-9]{4}|[0-9]{2})[.\-/年,、·]+([0-9]{1,2})[.\-/月,、·]+([0-9]{1,2})[日号]?")
_DATE8 = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_PARTIAL = re.compile(r"([0-9]{2}|[0-9]{4})[.\-/年]([0-9]{1,2})月?")
_MONTH_DAY = re.compile(r"([0-9]{1,2})月([0-9]{1,2})[日号]")
"""A date written without its year (4月7日, 十二月三十日): registers whose title gives the year leave it out."""
YEAR_FROM_LEDGER_CERTAINTY = 0.9
"""How sure a date written without its year is once given the ledger's year (the register's title):
the year is not read but taken, and an entry of late December in a register of the next year (a death
on 12月30日 cremated on 1月2日) is then a year off, which the record's checks find (death after
cremation) and put right where the previous year makes the order true (mapping.record)."""
OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1", "i": "1", "丨": "1"})
"""The recognizer's readings of a digit as a letter or a stroke (O/o/D/Q for 0; l/I/|/i/丨 for 1): one
table for every number it misreads so (dates, ID numbers, serials: mapping.headers.serial_share). A
property of the recognizer (its confusions), not of any register. Each user decides where it applies
(a date only where a digit is read beside them, an ID only in ASCII)."""
_DATE_OCR = OCR_DIGITS

MIN_YEAR, MAX_YEAR = 1880, 2035


def _cn_date_digits(s: str) -> str:
    def rep(m: re.Match[str]) -> str:
        run = m.group(0)
        after = s[m.end() : m.end() + 1]
        if after == "年":  # years: digit by digit (二〇一三)
            if any(c in "十拾百佰" for c in run):
                v = cn_to_int(run)
            else:
                v = int("".join(str(_CN_DIGITS[c]) for c in run)) if all(c in _CN_DIGITS for c in run) else None
        else:
            v = cn_to_int(run)
        return run if v is None else str(v)

    return _CN_RUN.sub(rep, s)


_LOST_MD = re.compile(r"([0-9]{4})[.\-/年,、·]+([0-9]{2,4})[日号]?")  # 2010.313: the dot between month and day lost
_LOST_YM = re.compile(r"([0-9]{4})([0-9]{1,2})[.\-/月,、·]+([0-9]{1,2})[日号]?")  # 20178.18: the one after the year lost


def _lost_separator(s: str) -> str | None:
    """The date a reading means when OCR dropped one separator (a thin pen's dot), where exactly one
    split gives a real date: 2010.38 is 3.8 (38 is no month), 2010.313 is 3.13 (31.3 is no date),
    20178.18 is 2017.8.18. 2010.112 (1.12 or 11.2) and 2010.12 (maybe December, day not written)
    are left alone."""
    found: set[str] = set()
    m = _LOST_MD.fullmatch(s)
    if m is not None and not (len(m.group(2)) == 2 and int(m.group(2)) <= 12):
        found |= _month_day_splits(int(m.group(1)), m.group(2))
    m = _LOST_YM.fullmatch(s)
    if m is not None:
        found.add(_iso(int(m.group(1)), int(m.group(2)), int(m.group(3))) or "")
    found.discard("")
    return found.pop() if len(found) == 1 else None


def _month_day_splits(y: int, md: str) -> set[str]:
    """The real dates of year `y` that the digits `md` (month and day run together, their separator lost)
    give, split as 1 + 1-2 or 2 + 1-2 digits (_lost_separator, _both_separators_lost)."""
    found = {_iso(y, int(md[:i]), int(md[i:])) for i in (1, 2) if len(md) - i in (1, 2)}
    return {d for d in found if d is not None}


def _iso(y: int, mo: int, d: int) -> str | None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return _dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


_DATE_ALLOWED = "年月日号.-/_,、·" + "\u2212\u2013\u2014\u2015\u2010\u2011\u2012~\uff5e\uff0d" + _CN_CHARS


def normalize_date(raw: str, ledger_year: int | None = None) -> Normalized:
    """2013.4.7 / 2013-04-07 / 2013/4/7 / 2013年4月7日 / 13.4.7 / 二〇一三年四月七日 -> '2013-04-07'.

    A reading that is no date only because of a mark or two glued to its ends (永2011-12-11,
    2011年12月13日口, 2012-07-24用章: a seal's or a neighbour's ink, `without_stray_ends`) gives the date
    inside them, doubted (`stray_marks_removed`, certainty 0.45)."""
    n = _normalize_date(raw, ledger_year)
    if n.value is not None:
        return n
    if "unparseable" in n.flags:
        core = without_stray_ends(str(raw or ""), _DATE_ALLOWED)
        if core is None:
            found = _date_inside_edge_stroke(n, ledger_year)
        else:
            inner = _normalize_date(core, ledger_year)
            found = _with_stray_flag(inner, n.raw) if inner.value is not None else n
        if found.value is not None:
            return found
    units = _date_units_read_as_digits(n)
    if units.value is not None or "unparseable" not in n.flags:
        return units
    both = _both_separators_lost(n)
    return both if both.value is not None else _year_digit_lost(both, ledger_year)


YEAR_DIGIT_LOST = "year_digit_lost"
_THREE_DIGIT_YEAR = re.compile(r"([0-9]{3})([.\-/年,、·]+[0-9]{1,2}[.\-/月,、·]+[0-9]{1,2}[日号]?)")


def _year_digit_lost(n: Normalized, ledger_year: int | None) -> Normalized:
    """A date whose year was read with three digits, which are the ledger's year with one digit lost
    (201年4月23日 in a 2014 register: 2014 less its 4), given the ledger's year, flagged YEAR_DIGIT_LOST and
    held (YEAR_FROM_LEDGER_CERTAINTY at most STRAY_MARKS_CERTAINTY: under every threshold), the reading kept
    raw. Sources: a register's entries are written in the year its title names (record._validate's
    ledger_year_window, as `year_from_ledger` and put_back_years use it), and the recognizer loses a
    digit of a carbon copy's spread or sealed number (the fresh carbon copy of design 3334: 4 of 4 dates read
    so were of the ledger's year; a year of three digits is no year of a register: MIN_YEAR). Only one
    digit dropped from the ledger's own year, never another year, and only the year: month and day as read."""
    if ledger_year is None or not MIN_YEAR <= ledger_year <= MAX_YEAR:
        return n
    s = fold_dashes(_WS.sub("", unicodedata.normalize("NFKC", n.raw or "")))
    m = _THREE_DIGIT_YEAR.fullmatch(s)
    ys = str(ledger_year)
    if m is None or m.group(1) not in {ys[:i] + ys[i + 1 :] for i in range(len(ys))}:
        return n
    d = _normalize_date(ys + m.group(2), ledger_year)
    if d.value is None:
        return n
    return Normalized(d.value, n.raw, (*d.flags, YEAR_DIGIT_LOST), min(d.certainty, STRAY_MARKS_CERTAINTY))


DATE_SEPARATORS_LOST = "date_separators_lost"
_SEVEN_DIGITS = re.compile(r"((?:19|20)[0-9]{2})([0-9]{3})")


def _both_separators_lost(n: Normalized) -> Normalized:
    """The date a reading of seven digits means where both separators of a date written with them were lost
    (2015.4.25 read 2015425): the year, then the month and the day as 1 + 2 or 2 + 1 digits, where exactly one
    split gives a real date (2015425 is 4.25, 42.5 is none; 2015128, 1.28 or 12.8, is left alone); flagged
    `date_separators_lost`, certainty STRAY_MARKS_CERTAINTY (below every threshold: reviewed with the date
    filled in). Why (the field's written form and a property of the recognizer on faint ink, as for one
    separator lost: _lost_separator): a dot is the smallest stroke of a date, and on a faded or carbon-copied
    page it falls under the ink the cleanup keeps, so the recognizer reads the digits run together; on the
    faded carbon design copy fc of county 3316, 3 of the 13 death and cremation dates left blank were read
    so. Doubted more than one dot lost (0.8): with both gone, a lost digit is likelier too (2015130 for
    2015.4.30, the 4 lost, gives 1.30). `n` as it is where no or several splits give a date."""
    s = _WS.sub("", unicodedata.normalize("NFKC", n.raw or ""))
    m = _SEVEN_DIGITS.fullmatch(s)
    if m is None:
        return n
    found = _month_day_splits(int(m.group(1)), m.group(2))
    if len(found) != 1:
        return n
    return Normalized(str(found.pop()), n.raw, (DATE_SEPARATORS_LOST,), STRAY_MARKS_CERTAINTY)


DATE_UNIT_AS_DIGIT = "date_unit_read_as_digit"
_UNITS_AFTER_YEAR = re.compile(r"((?:19|20)[0-9]{2})年([0-9月日号]{3,7})")


def _date_units_read_as_digits(n: Normalized) -> Normalized:
    """The date a reading written with its units (2012年12月4日) means where the unit 月 or 日 (or both)
    was read as a digit: 2012年12月48 (日 read 8), 2012年12678 (月 read 6, 日 read 8), 2012年12822日:
    the month, a unit, the day and maybe a unit, each unit as written or as one digit, where exactly one
    such split gives a real date; flagged `date_unit_read_as_digit`, certainty STRAY_MARKS_CERTAINTY
    (below every threshold: reviewed with the date filled in). `n` as it is where none or several do.
    Why (the field's written form and a property of the recognizer on degraded ink, as for an age's
    岁: normalize_age): a small handwritten 月 or 日 blurred or thickened loses its inner strokes into a
    closed loop, and the recognizer, reading the cell as one line among digits, outputs the digit it most
    resembles (8, 6, 0, 9). Only after a year written with 年 read as such, so the reading is of this
    form; a reading that is a date as it stands never comes here."""
    m = _UNITS_AFTER_YEAR.fullmatch(clean_text(n.raw or ""))
    if m is None:
        return n
    year, rest = int(m.group(1)), m.group(2)
    found: set[str] = set()
    for i in (1, 2):  # the month's digits
        month, after = rest[:i], rest[i:]
        if not month.isdigit() or not after or not (after[0] == "月" or after[0].isdigit()):
            continue
        for j in (1, 2):  # the day's digits
            day, tail = after[1 : 1 + j], after[1 + j :]
            unit_after = tail in ("", "日", "号") or (len(tail) == 1 and tail.isdigit())
            if len(day) != j or not day.isdigit() or not unit_after:
                continue
            if after[0] == "月" and not tail[:1].isdigit():
                continue  # no unit read as a digit: the plain parse's business
            found.add(_iso(year, int(month), int(day)) or "")
    found.discard("")
    if len(found) != 1:
        return n
    return Normalized(found.pop(), n.raw, (DATE_UNIT_AS_DIGIT,), STRAY_MARKS_CERTAINTY)


_YEAR_AFTER_STROKE = re.compile(r"1(?:19|20)[0-9]{2}(?![0-9])")
"""A 1 before a four-digit year of 19xx or 20xx: five digits that no year of a register has."""


def _date_inside_edge_stroke(n: Normalized, ledger_year: int | None) -> Normalized:
    """A reading that is no date only because a 1 stands before its four-digit year (12016-12-25) or
    after its last digit (2016-12-251): the date without it, doubted (`edge_stroke_removed`,
    STRAY_MARKS_CERTAINTY). Why (recognizer property, as for phone numbers): the recognizer reads all
    the ink of a cell's crop as one line, and a ruling line caught at the crop's edge comes out as 1.
    Only where exactly one end gives a date."""
    s = _WS.sub("", unicodedata.normalize("NFKC", n.raw or "")).translate(_DATE_OCR)
    found = []
    if _YEAR_AFTER_STROKE.match(s):
        found.append(_normalize_date(s[1:], ledger_year))
    if len(s) > 1 and s.endswith("1") and s[-2].isdigit():
        found.append(_normalize_date(s[:-1], ledger_year))
    dates = [d for d in found if d.value is not None]
    if len(dates) != 1:
        return n
    d = dates[0]
    return Normalized(d.value, n.raw, (*d.flags, "edge_stroke_removed"), min(d.certainty, STRAY_MARKS_CERTAINTY))


def _normalize_date(raw: str, ledger_year: int | None = None) -> Normalized:
    raw = "" if raw is None else str(raw)
    s0 = unicodedata.normalize("NFKC", raw).strip()
    if not s0:
        return _blank(raw)
    if _LUNAR.search(s0):
        return _fail(raw, "lunar_date")
    s0 = _TIME_TAIL.sub("", s0)
    s = _WS.sub("", s0)
    s = fold_dashes(s).replace("_", "-").rstrip(".,。，、")
    s = _cn_date_digits(s)
    flags: list[str] = []
    certainty = 1.0
    if any(c in s for c in "OoDQlIi|") and re.search(r"[0-9]", s):
        fixed = s.translate(_DATE_OCR)
        if fixed != s:
            s = fixed
            flags.append("ocr_char_fixed")
            certainty *= 0.85
    m = _DATE.fullmatch(s) or _DATE8.fullmatch(s)
    md = _MONTH_DAY.fullmatch(s) if m is None else None
    if md is not None:
        if not 1 <= int(md.group(1)) <= 12:  # 13月5日 is no date whatever the year
            return _fail(raw, "impossible_month", *flags)
        if ledger_year is None or not MIN_YEAR <= ledger_year <= MAX_YEAR:
            return _fail(raw, "incomplete_date", *flags)
        value = _iso(ledger_year, int(md.group(1)), int(md.group(2)))
        if value is None:
            return _fail(raw, "impossible_day", *flags)
        return _ok(value, raw, *flags, "year_from_ledger", certainty=certainty * YEAR_FROM_LEDGER_CERTAINTY)
    if m is None:
        lost = _lost_separator(s)
        if lost is not None:
            return _ok(lost, raw, *flags, "date_separator_inferred", certainty=certainty * 0.8)
        partial = _PARTIAL.fullmatch(s)
        if partial:  # 二〇一一年十三月 has no month 13 before it lacks a day
            return _fail(raw, "incomplete_date" if 1 <= int(partial.group(2)) <= 12 else "impossible_month", *flags)
        return _fail(raw, "unparseable", *flags)
    ys, ms, ds = m.groups()
    y, mo, d = int(ys), int(ms), int(ds)
    if len(ys) == 2:
        y = 2000 + y
        plausible = abs(y - ledger_year) <= 1 if ledger_year is not None else y <= MAX_YEAR
        if not plausible:
            return _fail(raw, "two_digit_year_implausible", *flags)
        flags.append("two_digit_year")
        certainty *= 0.95
    if not MIN_YEAR <= y <= MAX_YEAR:
        return _fail(raw, "implausible_date", *flags)
    try:
        value = _dt.date(y, mo, d).isoformat()
    except ValueError:
        return _fail(raw, "impossible_month" if not 1 <= mo <= 12 else "impossible_day", *flags)
    return _ok(value, raw, *flags, certainty=certainty)


_YEAR_MONTH = re.compile(r"([0-9]{4})(?:[.\-/年]([0-9]{1,2})月?|([0-9]{2}))")


def normalize_year_month(raw: str) -> Normalized:
    """A month without its day, as payment rolls write their months (发放年月): 2015-06, 2015/6,
    2015.06, 2015年6月, 201506 -> '2015-06'. Anything else (a whole date included) gives no value."""
    raw = "" if raw is None else str(raw)
    s = _WS.sub("", unicodedata.normalize("NFKC", raw))
    if not s:
        return _blank(raw)
    m = _YEAR_MONTH.fullmatch(s)
    if m is None:
        return _fail(raw, "unparseable")
    y, mo = int(m.group(1)), int(m.group(2) or m.group(3))
    if not 1 <= mo <= 12:
        return _fail(raw, "impossible_month")
    if not MIN_YEAR <= y <= MAX_YEAR:
        return _fail(raw, "implausible_date")
    return _ok(f"{y:04d}-{mo:02d}", raw)


# --------------------------------------------------------------------------- ID numbers

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_OCR = OCR_DIGITS


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


GB2260_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
"""The first two digits an ID number's address code (GB 11643: a GB/T 2260 code) may have: GB/T 2260's
province-level codes (11 北京 ... 65 新疆, 71 台湾, 81 香港, 82 澳门) and 83, the code the residence permits
of Taiwan residents carry (港澳台居民居住证, numbered as GB 11643 numbers since 2018)."""


def id_address_possible(code: str) -> bool:
    """Whether six digits can be an ID number's address code (GB 11643-1999 4.2: the county-level
    GB/T 2260 code of the holder's residence at issue): its province part is a GB/T 2260 province
    (GB2260_PROVINCES), and a prefecture part 00 stands only in a province's own code (xx0000):
    GB/T 2260 gives every county-level unit a prefecture part of 01-99 (those a province governs
    directly 90), so a code xx00yy (yy not 00) names no place at all. A property of the code
    table, not of any register: such a code is a misread digit (a felt-pen 6 read as 0 turns
    370687 into 370087), however its check digit comes out."""
    return len(code) == 6 and code.isdigit() and code[:2] in GB2260_PROVINCES and not (code[2:4] == "00" and code[4:6] != "00")


def is_valid_id(value: str) -> bool:
    """An 18-character GB 11643-1999 number: 17 digits and a check character that holds, a real birth
    date (MIN_YEAR-MAX_YEAR) and an address code that can be one (id_address_possible)."""
    return (
        isinstance(value, str)
        and len(value) == 18
        and value[:17].isdigit()
        and value.isascii()
        and value[17] == id_check_digit(value[:17])
        and _birth_ok(value[6:14])
        and id_address_possible(value[:6])
    )


def _birth_ok(yyyymmdd: str) -> bool:
    try:
        y = int(yyyymmdd[:4])
        _dt.date(y, int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return MIN_YEAR <= y <= MAX_YEAR


def convert_15_to_18(old: str) -> str:
    """Legacy 15-digit number -> 18: '19' inserted after digit 6, check digit appended."""
    first17 = old[:6] + "19" + old[6:]
    return first17 + id_check_digit(first17)


def normalize_id_number(raw: str) -> Normalized:
    raw = "" if raw is None else str(raw)
    s = clean_text(raw).replace("-", "")
    if not s:
        return _blank(raw)
    flags: list[str] = []
    certainty = 1.0
    trimmed = re.sub(r"^[^0-9A-Za-z]+|[^0-9A-Za-z×✕Ｘ]+$", "", s)  # stray marks at the ends (stamp edges, brackets)
    if trimmed != s:
        s = trimmed
        flags.append("punctuation_removed")
        if not s:
            return _fail(raw, "bad_characters")
    if s and s[-1] in "x×✕XＸ":
        s = s[:-1] + "X"
    if not re.fullmatch(r"[0-9]*X?", s) and s.isascii():
        body, last = (s[:-1], "X") if s.endswith("X") else (s, "")
        fixed = body.translate(_ID_OCR) + last
        if re.fullmatch(r"[0-9]*X?", fixed):
            s = fixed
            flags.append("ocr_char_fixed")
            certainty *= 0.85
    if not re.fullmatch(r"[0-9]*X?", s) or not s.isascii():
        return _fail(raw, "bad_characters", *flags)
    if len(s) == 15 and s.isdigit():
        if not _birth_ok("19" + s[6:12]):
            return _fail(raw, "bad_birth_date", *flags)
        return _ok(convert_15_to_18(s), raw, *flags, "converted_15_to_18", certainty=certainty)
    if len(s) != 18 or "X" in s[:17]:
        return _fail(raw, "bad_length", *flags)
    check = () if s[17] == id_check_digit(s[:17]) else ("check_digit_failed",)
    if not _birth_ok(s[6:14]):
        return _fail(raw, "bad_birth_date", *flags, *check)
    if not id_address_possible(s[:6]):
        return _fail(raw, "impossible_id_region", *flags, *check)
    if check:
        return _fail(raw, *check, *flags)
    return _ok(s, raw, *flags, certainty=certainty)


def sex_from_id(id_number: str) -> str | None:
    """'1' (男) when digit 17 is odd, '2' (女) when even; None when not a valid 18-digit ID."""
    if not is_valid_id(id_number):
        return None
    return "1" if int(id_number[16]) % 2 else "2"


def birth_date_from_id(id_number: str) -> str | None:
    if not is_valid_id(id_number):
        return None
    return f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"


# --------------------------------------------------------------------------- code tables


def _strip_punct(s: str) -> str:
    return re.sub(r"[^\w()（）]", "", s).replace("_", "")


@lru_cache(maxsize=64)
def _table_keys(table: CodeTable) -> tuple[tuple[str, ...], tuple[str, ...]]:
    keys = tuple(k for k in table.lookup if not k.isdigit())
    by_len = tuple(sorted(keys, key=len, reverse=True))
    return keys, by_len


AGREED_WORDING_CERTAINTY = 0.95
"""How sure a code is whose two readings agree on a table wording no wording of another code is one
character away from (wording_isolated): a misreading would have to land exactly on a valid wording
of the same code, twice. Measured on the fitting sets 40101-40103: 41 of 41 such codes read at a
combined confidence of 0.5-0.9 were right (病故, 家属领回, 配偶, 车祸 in hand-written registers);
their reading confidence, the least sure character's, held them all for review."""


@lru_cache(maxsize=4096)
def wording_isolated(raw: str, table: CodeTable) -> bool:
    """Whether `raw` is exactly a wording of `table` (two characters or more, not a bare code) that
    no wording of another code is one character away from (病故 is; 侄子 is not where 侄女 means
    another code)."""
    s = _strip_punct(clean_text(raw or ""))
    code = table.lookup.get(s)
    if code is None or len(s) < 2 or s.isdigit():
        return False
    return not _one_glyph_from_another_code(s, code, table)


def normalize_code(raw: str, table: CodeTable, *, fuzzy: bool = True, min_score: float = 0.6) -> Normalized:
    """Printed wording -> code of `table`: exact, code itself, contained wording, then fuzzy (rapidfuzz)."""
    raw = "" if raw is None else str(raw)
    return _normalize_code(raw, table, fuzzy, min_score)


@lru_cache(maxsize=8192)
def _normalize_code(raw: str, table: CodeTable, fuzzy: bool, min_score: float) -> Normalized:
    s = _strip_punct(clean_text(raw))
    if not s:
        return _blank(raw)
    lookup = table.lookup
    if s in lookup:
        return _ok(lookup[s], raw)
    if s.isdigit():
        width = max((len(c) for c in table.codes), default=1)
        padded = s.zfill(width)
        if padded in table.codes:
            return _ok(padded, raw)
        return _fail(raw, "unrecognized")
    if s.endswith("族") and s[:-1] in lookup:
        return _ok(lookup[s[:-1]], raw)
    keys, by_len = _table_keys(table)
    contained = [k for k in by_len if k in s]
    if contained:
        longest = len(contained[0])
        codes = {lookup[k] for k in contained if len(k) == longest}
        if len(codes) == 1:
            # the longest wording found wins, unless another code's wording occurs outside it
            code = codes.pop()
            conflicting = [
                k
                for k in contained
                if lookup[k] != code and not any(k in t for t in contained if lookup[t] == code and len(t) > len(k))
            ]
            if not conflicting and not _one_glyph_from_another_code(s, code, table):
                return _ok(code, raw, "partial_match", certainty=0.9)
    if fuzzy and len(s) >= 3:
        res = process.extract(s, keys, scorer=Levenshtein.normalized_similarity, limit=5)
        if res and res[0][1] >= min_score:
            best_code = lookup[res[0][0]]
            rivals = [r for r in res[1:] if lookup[r[0]] != best_code and r[1] > res[0][1] - 0.1]
            if not rivals:
                return _ok(best_code, raw, "fuzzy_match", certainty=round(0.9 * res[0][1], 4))
    if fuzzy and CODE_CONFUSIONS.get(s) in lookup:
        return _ok(lookup[CODE_CONFUSIONS[s]], raw, "code_matched_by_shape", certainty=SHAPE_MATCH_CERTAINTY)
    if fuzzy and not any(ch.isascii() for ch in s):
        # a wording misread by look-alike characters (要 for 妻, 滋水 for 溺水, 车福 for 车祸): taken
        # where all the wordings so spelled mean one code
        spelled = lookalike_spellings(s, keys)
        alike = LOOKALIKE if len(s) == 1 else CODE_LOOKALIKE
        near = [(cost, k) for cost, least, k in spelled if least >= alike]
        if near:
            best_cost, best = near[0]
            # rivals: any spelling as long, look-alike or not
            rival = next((cost for cost, _least, k in spelled if lookup[k] != lookup[best]), None)
            if rival is None or rival - best_cost >= CODE_SHAPE_MARGIN:  # 福故: 事故 0.67, 病故 0.73: left
                return _ok(lookup[best], raw, "code_matched_by_shape", certainty=SHAPE_MATCH_CERTAINTY)
    return _fail(raw, "unrecognized")


def _one_glyph_from_another_code(s: str, code: str, table: CodeTable) -> bool:
    """Whether a reading that holds a wording of `code` (位子 holds 子) is one edit away from a
    wording of another code of the table: one misread glyph (位子 for 侄子, the recognizer's commonest
    error, mapping.glyphs), one glyph dropped (非户籍地公益公墓 for 非户籍地公益性公墓, 交事故 for
    交通事故: mapping.places.DROPPED) or one stray glyph read in makes the whole reading that other
    wording, so the wording found inside it vouches for nothing and the partial match is refused.
    Source: the code table's own wordings and the recognizer's one-glyph confusions; no value of a
    report set is named."""
    keys, _by_len = _table_keys(table)
    return any(table.lookup[k] != code and Levenshtein.distance(s, k) <= 1 for k in keys)


SHAPE_MATCH_CERTAINTY = 0.9
"""Certainty of a code wording or a sea area matched by glyph shape (`code_matched_by_shape`,
`sea_area_matched_by_shape`; a sea area within 0.5 of its entry: 0.95). Measured on the fitting
sets 40101-40103 (with 7717): 96 of 96 code matches right (58 of them single characters, 妻 read
要/安/委/妄), 172 of 172 sea area matches (83 beyond 0.5); first set by hand at 0.75 for single
characters and far sea areas, which kept every one of them from being auto-accepted."""

CODE_CONFUSIONS = {"安": "妻"}
"""Whole readings the recognizer makes of a one-character wording whose shapes the glyph measure
does not tell apart (安 for a hand-written 妻: similarity 0.66, as near 女 at 0.62), seen on the
fitting sets (a dozen relation cells, never another reading of 妻 there). 安 is no wording of any
code table, so it is matched where the table has the wording, flagged like a shape match."""

CODE_SHAPE_MARGIN = 0.3
"""A look-alike spelling of one code is taken only this much nearer (summed substitution costs)
than any spelling of another code."""

CODE_LOOKALIKE = 0.7
"""Look-alike enough inside a code wording of two characters or more, one of them read right
(滋水 for 溺水: 0.73, 崭故 for 事故: 0.72); a one-character wording needs mapping.glyphs.LOOKALIKE."""


def normalize_sex(raw: str, id_number: str | None = None, spec: Spec | None = None) -> Normalized:
    """男/女 -> '1'/'2'; blank or unreadable -> from ID digit 17 (flag derived_from_id)."""
    raw = "" if raw is None else str(raw)
    n = normalize_code(raw, _spec(spec).table("sex"), fuzzy=False)
    if n.value is not None and "partial_match" in n.flags:
        s = _strip_punct(clean_text(raw))
        if ("男" in s) == ("女" in s):
            n = _fail(raw, "unrecognized")
    if n.value is not None:
        return n
    derived = sex_from_id(id_number) if id_number else None
    if derived is not None:
        return _ok(derived, raw, *n.flags, "derived_from_id", certainty=SEX_FROM_ID_CERTAINTY)
    return n


SEX_FROM_ID_CERTAINTY = 0.95
"""How sure a sex taken from the ID's digit 17 (GB 11643) is, as a share of the ID's own confidence, for a
cell that reads as nothing or as a wording the recognizer decoded to the same sex (mapping.record)."""


def ashes_destination(raw: str, spec: Spec | None = None) -> Normalized:
    """骨灰去向 wording -> code (SPEC table), fuzzy for OCR noise; a commercial cemetery -> 3/4."""
    sp = _spec(spec)
    n = normalize_code(raw, sp.table("ashes_destination"))
    if n.value is not None and sp.rules.commercial_cemetery_words:
        s = clean_text(raw)
        if any(w in s for w in sp.rules.commercial_cemetery_words) and n.value in sp.rules.commercial_cemetery_code_map:
            return _ok(
                sp.rules.commercial_cemetery_code_map[str(n.value)], n.raw, *n.flags, "commercial_cemetery", certainty=n.certainty
            )
    return n


def death_cause(raw: str, spec: Spec | None = None) -> Normalized:
    return normalize_code(raw, _spec(spec).table("death_cause"))


def relation(raw: str, spec: Spec | None = None) -> Normalized:
    """Relation wording -> GB/T 4761 code (妻 -> 10, 儿子 -> 20, 侄女 -> 97, 朋友 -> 99 ...). The wordings are
    GB/T 4761-2008's own item names (独生子, 四女, 曾孙女, 公公, 岳母, 曾祖父, 婶母, 姑父, 堂兄弟, 表姐妹 ...),
    each coded to the spec's group of its item (its first digit; the items of its group 8 "其他" to 97), and
    the everyday words for them (老伴, 儿, 爷爷, 姥姥 ...). Rule source: GB/T 4761-2008 家庭关系代码.

    A kinship term the table does not hold is no wording of its neighbour (_kinship_outside_table): a
    reading holding a wording beside another kinship character (小叔子 holds 子, 孙子媳妇 holds 孙子) names
    another relative and gives no code (flag KINSHIP_OUTSIDE_TABLE, kept as read, held for review); a
    look-alike or near match that replaces a kinship character (姑夫 matched to 姑父 by 夫/父, 妻弟 to 表弟)
    keeps the neighbour's code as a proposal, doubted (KINSHIP_OUTSIDE_CERTAINTY)."""
    sp = _spec(spec)
    table = sp.table("relation")
    n = normalize_code(raw, table)
    if n.value is None or not {"partial_match", "fuzzy_match", "code_matched_by_shape"} & set(n.flags):
        return n
    outside = _kinship_outside_table(_strip_punct(clean_text(raw)), str(n.value), n.flags, table)
    if outside == "other":
        return _fail(raw, "unrecognized", KINSHIP_OUTSIDE_TABLE)
    if outside == "doubted":
        return _ok(n.value, raw, *n.flags, KINSHIP_OUTSIDE_TABLE, certainty=min(n.certainty, KINSHIP_OUTSIDE_CERTAINTY))
    return n


KINSHIP_OUTSIDE_TABLE = "kinship_term_outside_table"
"""Flag of a relation reading that may be a kinship term GB/T 4761 (the spec's relation table) does not
hold: not coded by a neighbouring wording without review (normalize.relation)."""

KINSHIP_OUTSIDE_CERTAINTY = 0.45
"""How sure a relation code is that a look-alike or near match gave by replacing a kinship character of the
reading (姑夫 -> 姑父): below the least threshold any field is accepted at (pipeline.quality.calibration.FLOOR
0.5, as NONSTANDARD_CERT_CERTAINTY): a proposal for the reviewer, never accepted unseen. The reading may be
a misread wording (the recognizer's confusions, mapping.glyphs) or another relative written right; nothing
in the reading tells which."""


@lru_cache(maxsize=8)
def _kinship_heads(table: CodeTable) -> frozenset[str]:
    """The Han characters that end a wording of a relative in the relation table (every code but the
    non-relatives' 99, GB/T 4761's 非亲属; bare codes left out): a Chinese kinship term ends with the
    relative it names (儿媳 a 媳, 姑父 a 父; 子 of 儿子, 叔 of 叔叔, 妻, 夫 of 丈夫). Characters that the
    non-relatives' wordings hold as well (属 of 非亲属) are left out: they tell no relative. A modifier
    (外, 堂, 表, 爱 of 爱人) is no head. Source: the spec's GB/T 4761 table alone."""
    keys, _by_len = _table_keys(table)
    non = {ch for k in keys if table.lookup[k] == "99" for ch in k}
    rel = [k for k in keys if table.lookup[k] != "99" and all(_is_han(ch) for ch in k)]
    return frozenset(k[-1] for k in rel) - non


def _kinship_outside_table(s: str, code: str, flags: tuple[str, ...], table: CodeTable) -> str | None:
    """Whether a relation reading matched not exactly (`flags`) to `code` may be a kinship term outside the
    table: "other" where it holds, beside the longest wording of `code` found inside it, a character
    that ends a relative's wording and is no character of the wording found (_kinship_heads: 小叔子
    is 子 beside 叔, 孙子媳妇 孙子 beside 媳 妇, while 嫂嫂 repeats its 嫂 and 儿子。 or a name written against
    儿子 hold none); "doubted" where a look-alike or near match replaced a character of the reading that
    ends a relative's wording (姑夫 -> 姑父: 夫 of 丈夫; 妻弟 -> 表弟: 妻): the reading may be another
    relative written right; None otherwise (要, 安, 爱 -> 妻, 儿了 -> 儿子: the recognizer's confusions)."""
    heads = _kinship_heads(table)
    keys, by_len = _table_keys(table)
    if "partial_match" in flags:
        inside = next((k for k in by_len if k in s and table.lookup[k] == code), "")
        rest = s.replace(inside, "", 1) if inside else s
        return "other" if any(ch in heads and ch not in inside for ch in rest) else None
    near = [k for k in keys if table.lookup[k] == code and all(_is_han(ch) for ch in k)]
    if not near:
        return None
    best = min(near, key=lambda k: Levenshtein.distance(s, k))
    ops = Levenshtein.editops(s, best)
    replaced = {s[op.src_pos] for op in ops if op.tag in ("replace", "delete")}
    return "doubted" if replaced & heads else None


def code_wording_alternatives(read: str, table: CodeTable, *, fuzzy: bool = True) -> list[str]:
    """The wordings of a code table (the spec's, mapping/data) to choose among for a reading that
    gives no code (`normalize_code` finds none, fuzzy and look-alike matches included: 安孙, 码故), for
    the recognizer to score on its own output (pipeline.page.extract.decode_valid): a code cell can
    only hold one of the table's wordings or codes, so the text kept is the wording the recognizer
    itself finds likeliest in the crop, never a guess of ours. Empty for a reading that gives a code,
    and for a blank one. Only wordings written in characters (a bare code is digits: no misreading of
    a word), each once. `fuzzy`: as the field's own normalizer matches; the sex column's
    (normalize_sex) takes no near match, so a one-glyph misreading (另, 外 for 男) gives no code there and
    is offered the table's wordings too."""
    s = _strip_punct(clean_text(read or ""))
    if not s or normalize_code(read, table, fuzzy=fuzzy).value is not None:
        return []
    return list(_table_wordings(table))


def table_wordings(table: CodeTable) -> tuple[str, ...]:
    """Every wording of a code table written in characters, each once (what code_wording_alternatives offers)."""
    return _table_wordings(table)


@lru_cache(maxsize=64)
def _table_wordings(table: CodeTable) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(w for w in list(table.lookup) + list(table.codes.values()) if re.search(r"[\u4e00-\u9fff]", str(w)))
    )


def is_code_wording(read: str, table: CodeTable) -> bool:
    """Whether a reading is a wording or a code of the table as written (no near match, no wording
    found inside other text): what a code column takes as it stands (pipeline.page.extract.Decoding)."""
    n = normalize_code(read, table)
    return n.value is not None and not n.flags


def code_of_wording(wording: str, table: CodeTable) -> str | None:
    """The code a table wording means (None for a text that is none): two wordings of one code are
    one value (pipeline.page.extract.decode_valid weighs rivals by value)."""
    return table.lookup.get(_strip_punct(clean_text(wording or "")))


# --------------------------------------------------------------------------- numbers


_AGE_UNIT = re.compile(r"(周岁|虚岁|岁半|岁)$")
_AGE_PREFIX = re.compile(r"^(享年|终年|年龄)")


_AGE_ALLOWED = "岁周虚半享终年龄个月天日人名位" + _CN_CHARS


def normalize_age(raw: str) -> Normalized:
    """78 / 78岁 / 七十八 / 七十八岁 / 享年78 -> 78; months or days -> 0 (flag age_under_one).
    A number inside a mark or two of other ink (子37: `without_stray_ends`) is read, doubted."""
    return _unless_stray(_normalize_age, raw, "unparseable")


def normalize_count(raw: str, maximum: int = 50) -> Normalized:
    """随船人数: 3 / 3人 / 三人 -> 3. A number inside a mark or two of other ink is read, doubted."""
    return _unless_stray(lambda r: _normalize_count(r, maximum), raw, "unparseable")


def _unless_stray(norm: Callable[[str], Normalized], raw: str, failure: str) -> Normalized:
    n = norm(raw)
    if n.value is not None or failure not in n.flags:
        return n
    core = without_stray_ends(str(raw or ""), _AGE_ALLOWED, letters=False)
    if core is None:
        core = _number_before_marks(str(raw or ""))
    inner = norm(core) if core is not None else n
    return _with_stray_flag(inner, n.raw) if inner.value is not None else n


_UNIT_THEN_MARKS = re.compile(r"(.+?(?:周岁|虚岁|岁|人|名|位))(.{1,%d})" % STRAY_MAX)


def _number_before_marks(text: str) -> str | None:
    """An age's or a count's reading up to its unit (岁, 人 ...), where at most STRAY_MAX characters follow
    the unit (4人1, 79岁|): None where none follow or more do. Why (the field's written form and a
    recognizer property): the unit ends the number as written (SPEC: 78岁, 3人), so what the recognizer
    reads after it is other ink on the cell's crop, a ruling line read as 1 or | most often (s46-faded's
    carbon copy of design 4521: 4人1 for 4); whether it was, is held for a reviewer (stray_marks_removed)."""
    m = _UNIT_THEN_MARKS.fullmatch(clean_text(text))
    return m.group(1) if m else None


def _normalize_age(raw: str) -> Normalized:
    raw = "" if raw is None else str(raw)
    s = clean_text(raw).rstrip(".。,，")
    if not s:
        return _blank(raw)
    s = _AGE_PREFIX.sub("", s)
    m = re.fullmatch(r"([0-9" + _CN_CHARS + r"]+)(个月|月|天|日)", s)
    if m:
        v = cn_to_int(m.group(1))
        return _fail(raw, "unparseable") if v is None else _ok(0, raw, "age_under_one", certainty=0.9)
    s = _AGE_UNIT.sub("", s)
    v = cn_to_int(s)
    if v is None:
        return _fail(raw, "unparseable")
    if not 0 <= v <= 130:
        unit = _unit_read_as_digit(s)
        if unit is not None:
            return _ok(unit, raw, AGE_UNIT_AS_DIGIT, certainty=AGE_UNIT_AS_DIGIT_CERTAINTY)
        return _fail(raw, "implausible_age")
    return _ok(v, raw)


AGE_UNIT_AS_DIGIT = "age_unit_read_as_digit"
AGE_UNIT_AS_DIGIT_CERTAINTY = 0.45
"""How sure an age is whose written unit was read as a digit (_unit_read_as_digit) before the row's
own dates confirm it (mapping.record: death date less birth date gives the same age): below every
fitted threshold (none is below 0.5), so it is shown to a reviewer with the number filled in."""


def _unit_read_as_digit(digits: str) -> int | None:
    """The age an implausible reading of three or four digits means where its last digit is the unit
    岁 read as a digit: the digits before it, where they are a plausible age written as ages are
    (no leading zero). Why (the field's format and a property of the recognizer on degraded ink):
    ages are written as a number and the unit (SPEC: 78岁); a small handwritten 岁 blurred or thickened
    loses its strokes into one closed loop and a tail, and the recognizer, which reads the whole cell as
    one line, outputs the digit it most resembles (9, sometimes 5 or 8): 67岁 read 679, 85岁 read 859
    (design family county_editions at severity 1.8, seed 3313: 27 ages so read, every one of them
    left blank before). Only a reading that is no plausible age as it stands: 99 stays 99, never 9."""
    if not re.fullmatch(r"[1-9][0-9]{1,3}", digits):
        return None
    head = int(digits[:-1])
    return head if 1 <= head <= 130 else None


def _normalize_count(raw: str, maximum: int = 50) -> Normalized:
    raw = "" if raw is None else str(raw)
    s = clean_text(raw).rstrip(".。,，")
    if not s:
        return _blank(raw)
    s = re.sub(r"(人|名|位)$", "", s)
    v = cn_to_int(s)
    if v is None:
        return _fail(raw, "unparseable")
    if not 0 <= v <= maximum:
        return _fail(raw, "implausible_count")
    return _ok(v, raw)


_PHONE_SPLIT = re.compile(r"[/,，;；、]|或|及")
_PHONE_SEP = re.compile(r"[\-—–()（）.·]")
_PHONE_OCR = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1"})


_EDGE_STROKES = "|lI"


_PHONE_FULL = re.compile(r"1[3-9][0-9]{9}|0535[2-9][0-9]{6,7}")
"""A number of China's numbering plan (MIIT 电信网编号计划) that SPEC takes: a mobile number, 11 digits
beginning 13-19 (the plan's mobile networks; 10, 11 and 12 begin the service and special numbers:
10000, 110, 12345, none of them 11 digits), or a Yantai landline, its area code 0535 and a local number
of 7 or 8 digits beginning 2-9 (0 is the plan's trunk prefix, 1 its special services: no local number
begins with either)."""
_PHONE_LOCAL = re.compile(r"[2-9][0-9]{6,7}")
"""A bare 7/8-digit local number (0535 is added)."""
_PHONE_OFF_PLAN = re.compile(r"1[0-2][0-9]{9}|0535[01][0-9]{6,7}")
"""A number of a phone number's length and start that the plan rules out (_PHONE_FULL): 11 digits
beginning 10, 11 or 12, or 0535 and a local number beginning 0 or 1. Most often a digit misread (3 read
as 2, 8 read as 0: the recognizer's confusions, mapping.idfix.CONFUSABLE), never a phone as read."""


def phone_in_plan(digits: str) -> bool:
    """A mobile number, a landline with the 0535 area code, or a bare 7/8-digit local number (_PHONE_FULL)."""
    return bool(_PHONE_FULL.fullmatch(digits) or _PHONE_LOCAL.fullmatch(digits))


_PHONE_ALLOWED = "-—–()（）.·+=" + "\u2212\u2010\u2011\u2012~\uff5e\uff0d"


def normalize_phone(raw: str) -> Normalized:
    """Digits only; a mobile 1xxxxxxxxxx or a Yantai landline 0535xxxxxxx(x); a bare 7/8-digit local number gets 0535.

    A vertical stroke read at either end of the number (|, l or I) is read as the digit 1 like any such
    stroke, but where the number without it is a phone number too (0535 + 7 digits and a stroke: 7 or 8
    digits after the area code are both landlines) it is doubted (`edge_stroke_ambiguous`, certainty
    0.45). Why (recognizer property): the recognizer reads the ink of a whole cell crop as one line, and
    a ruling line caught at the crop's edge comes out as |, l, I or 1, which is no digit of the number.

    A reading that is no number only because of marks glued to its ends (a ruling line read |, a seal's
    edge: `without_stray_ends`) or a dash read as = between the area code and the number (the
    recognizer's reading of a thick or doubled hyphen; = has no place in a phone number) gives the
    number inside, doubted (`stray_marks_removed`, certainty 0.45), where it is a full mobile number or
    a landline with its 0535 area code (no area code is added to a guess)."""
    n = _normalize_phone(raw)
    if n.value is not None or "bad_phone" not in n.flags:
        return n
    text = str(raw or "")
    whole = _WS.sub("", unicodedata.normalize("NFKC", text))
    core = without_stray_ends(text, _PHONE_ALLOWED)
    core = (core if core is not None else whole).replace("=", "-")
    if core == whole:
        core = _phone_inside_edge_stroke(whole)
        if core is None:
            return n
    inner = _normalize_phone(core)
    if inner.value is None or "area_code_added" in inner.flags or "ocr_char_fixed" in inner.flags:
        return n
    return _with_stray_flag(inner, n.raw)


_EDGE_STROKE_READS = "1lIi"
"""What the recognizer writes for a ruling line caught at a crop's edge besides | (normalize_phone):
the digit 1 and the letters of its shape (mapping.normalize._DIGIT_LIKE_LETTERS' l, I, i)."""


def _phone_inside_edge_stroke(whole: str) -> str | None:
    """The reading without one ruling line read 1, l, I or i at one end, where that leaves a whole number
    of the plan (a mobile, or a landline with its 0535 area code: _PHONE_FULL) and the reading with it is
    none (13043528965I, 152106022331: 12 digits, 11 of a mobile and a stroke); None where neither end's
    stroke does, or both would. Why (recognizer property): a ruling line at the crop's edge is read as the
    digit 1 or a letter of its shape (s46-faded's carbon copies of design 4521: 2 of 62 phones, both at
    the number's end); a 1 inside the number is its digit. The plan (MIIT 电信网编号计划) says which
    reading is a phone; which ink was the number is still a guess: held (`stray_marks_removed`)."""
    found = set()
    for core, stroke in ((whole[1:], whole[:1]), (whole[:-1], whole[-1:])):
        if stroke and stroke in _EDGE_STROKE_READS:
            digits = _phone_number_part(fold_dashes(core))
            if digits.isascii() and digits.isdigit() and _PHONE_FULL.fullmatch(digits):
                found.add(core)
    return found.pop() if len(found) == 1 else None


def _phone_number_part(s: str) -> str:
    """One number's text without its separators, a 电话/手机/Tel label and the +86/0086 country code."""
    s = _WS.sub("", _PHONE_SEP.sub("", s))
    s = re.sub(r"^(电话|手机|Tel|TEL|tel)[:：]?", "", s)
    if s.startswith("+86"):
        return s[3:]
    if s.startswith("0086"):
        return s[4:]
    return s


def phone_digits(raw: str) -> str | None:
    """The digits of a phone reading's (first) number as normalize_phone reads them (separators,
    label and country code dropped; O, l, I and | as 0 and 1); None where it holds anything else."""
    s = fold_dashes(unicodedata.normalize("NFKC", str(raw or "")).strip())
    parts = [p for p in _PHONE_SPLIT.split(s) if p.strip()]
    s = _phone_number_part(parts[0] if parts else s)
    if s.isascii():
        s = s.translate(_PHONE_OCR)
    return s if s and s.isdigit() and s.isascii() else None


def _normalize_phone(raw: str) -> Normalized:
    raw = "" if raw is None else str(raw)
    s = fold_dashes(unicodedata.normalize("NFKC", raw).strip())
    if not s:
        return _blank(raw)
    flags: list[str] = []
    certainty = 1.0
    parts = [p for p in _PHONE_SPLIT.split(s) if p.strip()]
    if len(parts) > 1:
        flags.append("multiple_values")
        certainty *= 0.9
    s = _phone_number_part(parts[0] if parts else s)
    if not s.isdigit() and s.isascii():
        fixed = s.translate(_PHONE_OCR)
        if fixed.isdigit():
            bare = s.strip(_EDGE_STROKES).translate(_PHONE_OCR)
            if bare != fixed and bare.isdigit() and phone_in_plan(bare) and phone_in_plan(fixed):
                flags.append("edge_stroke_ambiguous")
                certainty = min(certainty, STRAY_MARKS_CERTAINTY)
            s = fixed
            flags.append("ocr_char_fixed")
            certainty *= 0.85
    if not (s.isdigit() and s.isascii()):
        return _fail(raw, "bad_phone", *flags)
    if _PHONE_FULL.fullmatch(s):
        return _ok(s, raw, *flags, certainty=certainty)
    if _PHONE_LOCAL.fullmatch(s):
        return _ok("0535" + s, raw, *flags, "area_code_added", certainty=certainty * 0.9)
    if _PHONE_OFF_PLAN.fullmatch(s):
        return _fail(raw, "bad_phone", *flags, "phone_off_plan")
    return _fail(raw, "bad_phone", *flags)


# --------------------------------------------------------------------------- certificate numbers, text


_CERT_PREFIX = re.compile(r"^(?:No|NO|no|nO|N0|NQ|N°|Nº|№|编号|证号|火化证号|火化证明编号|第)[.:：、,，]?")
"""Prefixes of a certificate number: No./NO./N0. (0 read for o), № (NFKC makes it No), N°/Nº, 编号, 证号."""

_CERT_SERIAL_ONLY = re.compile(r"^火?(?:化|证)?字?第?([0-9]{1,5})号?$")
"""A serial without its year: 火字第540号, 火化字第540号, 第12号."""

_CERT_YEAR_WORD = re.compile(
    r"^[(（〔\[]?(20[0-9]{2})[)）〕\]]?火?(?:化|证)?字?第?([0-9]{1,5})号?$|"
    r"^火?(?:化|证)?字?[(（〔\[]?(20[0-9]{2})[)）〕\]]?第?([0-9]{1,5})号?$"
)
"""A year and a serial in the wording of a document number (GB/T 9704, the format of official
documents' numbers: 机关代字〔年份〕序号): 火字〔2012〕第540号, 火字(2012)540号, 2012火字第540号,
(2012)火字第540号."""

_CERT_FUSED = re.compile(r"^([0-9]{1,3})[-_./]?(20[0-9]{2})[-_./]([0-9]{1,5})$")
"""A serial number fused in front of a certificate number (7822014-00692: 78 | 2014-00692), as a
missing ruling line between the serial column and the certificate column leaves it."""


def normalize_cert_no(raw: str, ledger_year: int | None = None) -> Normalized:
    """A cremation certificate number as a family of printed patterns, each normalized to the 4-digit
    year and 5-digit serial of SPEC ("201000514"), the printed text kept as raw:

    - 201000514 / 2010-00514 / 2010-514 / 2010.00514 (year, separator, serial);
    - a prefix: No.201000514, NO:2010-00514, N0.201000514, №201000514, 编号201000514;
    - 10-0514 (a two-digit year: `two_digit_year`);
    - a document-number wording with its year: 火字〔2010〕第514号, 2010火字第514号;
    - a serial without its year (火字第514号, 第12号): the ledger's year when it is known
      (`year_from_ledger`), otherwise nothing is invented;
    - a serial fused in front (7822014-00692, where a ruling line between the serial column and this
      one is missing): the number after it, when its year is the ledger's (within the ledger year
      window), doubted (`serial_fused_in_front`);
    - anything else of letters, digits and dashes is kept as printed (`nonstandard_format`), never
      certain (NONSTANDARD_CERT_CERTAINTY: shown to a reviewer);
    - a document-number wording with a character misread as one of like shape (火学第261号: 学 for 字)
      is read as that wording (`cert_wording_by_shape`, at most SHAPE_MATCH_CERTAINTY);
    - a reading that is none of these only because of a mark or two glued to its ends (典201200255,
      No.201200552花, AANo.201200556, 2No.201200559: a seal's edge, a neighbour's ink, a stray
      stroke read as a character, `without_stray_ends`; before a No. prefix any two characters) gives
      the number inside, doubted (`stray_marks_removed`, certainty 0.45), where that is a year and serial.
    """
    n = _normalize_cert_no(raw, ledger_year)
    if n.value is not None:
        return n
    text = _WS.sub("", unicodedata.normalize("NFKC", str(raw or "")))
    worded = _cert_wording_by_shape(text)
    if worded is not None:
        w = _normalize_cert_no(worded, ledger_year)
        if w.value is not None and not {"nonstandard_format", "serial_fused_in_front"} & set(w.flags):
            return Normalized(w.value, n.raw, (*w.flags, "cert_wording_by_shape"), min(w.certainty, SHAPE_MATCH_CERTAINTY))
    m = re.match(r"^.{1,2}(?=(?:No|NO|N0)[.:：]?[0-9])", text)
    core = without_stray_ends(text[m.end() :] if m else text, _CERT_ALLOWED)
    if m and core is None:
        core = text[m.end() :]
    if core is None:
        return n
    inner = _normalize_cert_no(core, ledger_year)
    if inner.value is None or {"nonstandard_format", "serial_fused_in_front"} & set(inner.flags):
        return n
    return _with_stray_flag(inner, n.raw)


_CERT_WORDING = "火化证字第号"
"""The characters of a certificate number's document-number wording (火字第540号, 火化证字〔2012〕第540号:
GB/T 9704's 机关代字〔年份〕序号)."""


def _cert_wording_by_shape(text: str) -> str | None:
    """`text` with each Han character that is none of the wording's (_CERT_WORDING) but looks like
    exactly one of them (mapping.glyphs.read_as: 学 for 字, 弟 for 第 by shape; 大 for 火, a misreading
    measured on photographs, glyphs.PHOTO_MISREADS) written as that one; None where no character was
    changed or one looks like none of them (another word: no wording misread).
    Why (recognizer property): the recognizer misreads a printed character as one of like shape; the
    wording's characters are a closed set, as a code table's wordings are."""
    from .glyphs import read_as

    out, changed = [], False
    for ch in text:
        if not _is_han(ch) or ch in _CERT_WORDING:
            out.append(ch)
            continue
        like = [w for w in _CERT_WORDING if read_as(ch, w)]
        if len(like) != 1:
            return None
        out.append(like[0])
        changed = True
    return "".join(out) if changed else None


NONSTANDARD_CERT_CERTAINTY = 0.45
"""A certificate number in none of the printed forms SPEC gives (a 4-digit year and a 5-digit serial:
201000514, No.201000514, 2010-00514, 10-0514; see normalize_cert_no) is kept as printed but is not
certain: the spec's format is the source, and a reading outside it is most often a misreading (a
digit lost, two numbers fused, a neighbour's ink). On the design sets (seeds 3301, 3303, 4401) all 5
such readings were wrong, one read surely enough for the 0.8 certainty given before to pass. Like
STRAY_MARKS_CERTAINTY, 0.45 keeps it below the least threshold (pipeline.quality.calibration.FLOOR
0.5): never auto-accepted, shown to a reviewer with its reason (flag `nonstandard_format`)."""


_CERT_ALLOWED = "-_./:：号第字火化证()（）〔〕[]NnOo°º№"


def _normalize_cert_no(raw: str, ledger_year: int | None = None) -> Normalized:
    raw = "" if raw is None else str(raw)
    s = clean_text(raw).rstrip(".。,，")
    if not s:
        return _blank(raw)
    m = _CERT_SERIAL_ONLY.match(s)
    if m and s[0] in "火第" and ledger_year is not None and 2000 <= ledger_year <= MAX_YEAR:
        return _ok(f"{ledger_year}{int(m.group(1)):05d}", raw, "year_from_ledger", certainty=0.9)
    m = _CERT_YEAR_WORD.match(s)
    if m and any(ch in s for ch in "火字第号(（〔["):
        year, serial = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if 2000 <= int(year) <= MAX_YEAR:
            return _ok(f"{year}{int(serial):05d}", raw)
    s = _CERT_PREFIX.sub("", s)
    s = fold_dashes(re.sub(r"号$", "", s))
    m = re.fullmatch(r"([0-9]{4})([0-9]{5})", s)
    if m and 2000 <= int(m.group(1)) <= MAX_YEAR:
        return _ok(s, raw)
    m = re.fullmatch(r"([0-9]{4})[-_./]([0-9]{1,5})", s)
    if m and 2000 <= int(m.group(1)) <= MAX_YEAR:
        return _ok(m.group(1) + m.group(2).zfill(5), raw)
    m = re.fullmatch(r"([0-9]{2})[-_./]([0-9]{1,5})", s)
    if m:
        return _ok(f"20{m.group(1)}" + m.group(2).zfill(5), raw, "two_digit_year", certainty=0.95)
    m = _CERT_FUSED.fullmatch(s)
    if m and ledger_year is not None and abs(int(m.group(2)) - ledger_year) <= 1:
        return _ok(m.group(2) + m.group(3).zfill(5), raw, "serial_fused_in_front", certainty=0.5)
    if re.fullmatch(r"[0-9A-Za-z\-]{1,20}", s):
        return _ok(s, raw, "nonstandard_format", certainty=NONSTANDARD_CERT_CERTAINTY)
    if len(s) > 20:
        return _fail(raw, "too_long")
    return _fail(raw, "bad_characters")


def normalize_text(raw: str, max_length: int | None = None) -> Normalized:
    """Free text: NFKC, whitespace collapsed (voyage_no, remarks, registration_no ...)."""
    raw = "" if raw is None else str(raw)
    try:
        s = unicodedata.normalize("NFKC", raw)
    except Exception:  # pragma: no cover
        s = raw
    s = _WS.sub(" ", s).strip()
    if not s:
        return _blank(raw)
    if max_length is not None and len(s) > max_length:
        return _fail(raw, "too_long")
    if re.fullmatch(r"[A-Za-z0-9\- ]+", fold_dashes(s)):  # a serial (HZ2016−010): its dashes are '-'
        s = fold_dashes(s)
    if " " in s and re.fullmatch(r"[A-Za-z0-9\- ]+", s):
        # a serial like HZ2016-010 read with a gap: a hyphen or a digit may have been lost
        return _ok(s, raw, "gap_in_serial", certainty=0.5)
    return _ok(s, raw)


_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", "∙": "·", "⋅": "·", "･": "·", "．": "·"})


def normalize_name(raw: str, max_length: int = 50) -> Normalized:
    """Han characters and · only; spaces stripped; stray edge punctuation removed (flagged)."""
    raw = "" if raw is None else str(raw)
    s = _WS.sub("", raw.translate(_DOTS))
    if not s:
        return _blank(raw)
    s = unicodedata.normalize("NFKC", s).translate(_DOTS)
    s = re.sub(r"(?<=[\u3400-\u9fff])\.(?=[\u3400-\u9fff])", "·", s)
    flags: list[str] = []
    certainty = 1.0
    stripped = _PUNCT_EDGE.sub("", s)
    stripped = stripped.strip("·")
    if stripped != s:
        s = stripped
        flags.append("punctuation_removed")
        certainty *= 0.9
    if not s:
        return _fail(raw, "bad_characters")
    if not all(_is_han(c) or c == "·" for c in s) or "··" in s:
        core = _name_inside_stray_ends(s)
        if core is None:
            return _fail(raw, "bad_characters", *flags)
        s = core
        flags.append(STRAY_MARKS)
        certainty = min(certainty, STRAY_MARKS_CERTAINTY)
    if len(s) > max_length:
        return _fail(raw, "too_long", *flags)
    if s[0] in _DOUBTFUL_SURNAMES or any(c in _DOUBTFUL_NAME_GLYPHS for c in s[1:]):
        flags.append("name_glyph_doubtful")
        certainty *= 0.5
    if len(s) >= 2 and "·" not in s and s[0] not in _surnames():
        flags.append("surname_unusual")  # 参爱五 for 李爱玉: doubted, never changed
        certainty *= SURNAME_UNUSUAL_CERTAINTY
    if len(s) >= 2 and "·" not in s and given_name_char_rare(s[1:]):
        flags.append("given_name_char_rare")  # 曲玲蓄 for 曲玲蕾, 柳鑫肿 for 柳鑫翀: doubted, never changed
        certainty *= 0.5
    return _ok(s, raw, *flags, certainty=certainty)


def _name_inside_stray_ends(s: str) -> str | None:
    """The name inside a reading that is no name only because of at most STRAY_MAX characters in all at its
    ends that no name is written with (Latin letters, digits, symbols: a name is Han characters and ·), where
    what is left is two Han characters or more (and ·); None otherwise. Nothing inside the name is touched.

    Why (recognizer property, as without_stray_ends): the recognizer reads all the ink in a cell's crop as
    one line, so a seal's ring or star, a ruling line or a neighbour's stroke comes out as a letter or a
    digit glued to the name (汉汉9, U汉汉汉, 汉汉d: s45-faded's carbon copies of design 4501, every one in a cell
    under a seal, the name inside right in each). The value is held (stray_marks_removed,
    STRAY_MARKS_CERTAINTY) with the reading kept as raw: which ink was the name is a guess."""
    lead = 0
    while lead < len(s) and not (_is_han(s[lead]) or s[lead] == "·"):
        lead += 1
    trail = 0
    while trail < len(s) - lead and not (_is_han(s[-1 - trail]) or s[-1 - trail] == "·"):
        trail += 1
    if not (lead or trail) or lead + trail > STRAY_MAX:
        return None
    core = s[lead : len(s) - trail].strip("·")
    if sum(_is_han(c) for c in core) < 2 or not all(_is_han(c) or c == "·" for c in core) or "··" in core:
        return None
    return core


SURNAME_UNUSUAL_CERTAINTY = 0.3
"""A name whose first character is on no surname list (mapping/data/surnames.txt) was misread in all 47
such names on the six sets 40101-40104, 9436 and 9437 (first characters read 狗 9×, 年 8× (牟), 翰 7×,
勒, 娇, 阁, 威, 膝 …), 19 of them read so surely that 0.6, the certainty given before, let them
through. Real rare surnames exist: doubted below the least threshold (pipeline.quality.calibration.FLOOR),
never changed."""


RARE_GIVEN_SHARE = 1e-5
"""A character found less often than once in 100 000 characters of real given names
(mapping/data/given_name_chars.txt: 32 million characters, the ngender package's table) is almost
never one: a name read with it was most likely misread (蓄 for 蕾, 踪 for 琮, 箱 for 菊, 剪 for 勇,
肿 for 翀). On the fitting sets 40101-40103, 22 of 2 175 names held such a character, none of them
right, 4 of them read at 0.94-0.97. Real names with a character that rare exist: doubted, never
changed. 燊 (440 of 32 million, 1.4 in 100 000) is not."""


def given_name_char_rare(given: str) -> bool:
    """Whether a given name holds a character rarer than RARE_GIVEN_SHARE in real given names."""
    counts, total = _given_name_counts()
    return any(counts.get(ch, 0) < RARE_GIVEN_SHARE * total for ch in given if _is_han(ch))


NAME_PRIOR_WEIGHT = 0.7
"""How much a doubted name's reading is weighed by how often real names use its characters
(rescore_name): the recognizer's log-probability of each text it may have seen, plus this times the
text's log-frequency as a name (name_log_prior). Fitted on the fitting sets 40101-40103 (2 172
one-line names; surnames as SURNAME_RANK_EXPONENT 1): 0.3 put right 23 names and made 9 wrong, 0.5
put right 34 and made 10 wrong (each of those 10 read below 0.9, held either way), 0.7 38 and 18,
1.0 50 and 33. Refitted with the design stores (scanned, severity 1.8: d3313, d3316, f3336; 871 weighed
name cells, whose readings the recognizer doubts more than the fitting sets'): exact names 575 with no
weighing, 657 at 0.3, 672 at 0.5, 684 at 0.7, 681 at 1.0; over both, 0.7 puts right 8 names more than 0.5."""

SURNAME_RANK_OFFSET = 5
SURNAME_RANK_EXPONENT = 2.0
"""A listed surname's prior falls as 1 / (its place in mapping/data/surnames.txt + SURNAME_RANK_OFFSET)
to this power: the list is in order of national frequency (王 first, Jiaodong's own surnames after
the national head), and a surname's share falls faster than its place grows. Fitted with
NAME_PRIOR_WEIGHT: the power 1 put right 34 names and made 10 wrong, 1.5 42 and 9, 2 47 and 10."""

UNLISTED_SURNAME_RANK = 2000
"""The place a first character that is no listed surname is given (年 for 牟, 干 is listed)."""


SEXES = ("1", "2")
"""GB/T 2261.1's codes of a known sex: 1 male, 2 female (0 unknown and 9 not stated say nothing)."""


def name_log_prior(name: str, sex: str | None = None) -> float:
    """The log-frequency of a name as a Chinese name: its surname by its place in the surname list
    (SURNAME_RANK_OFFSET), each given-name character by its share of 32 million characters of real
    given names (mapping/data/given_name_chars.txt, one added to every count): of men's given names
    where `sex` is "1", of women's where it is "2" (GB/T 2261.1), of both where it is neither.
    Comparable between names of the same length and the same `sex` only."""
    if not name:
        return 0.0
    ranks = _surname_ranks()
    counts, total = _given_name_counts() if sex not in SEXES else _given_name_counts_of(str(sex))
    prior = -SURNAME_RANK_EXPONENT * math.log(ranks.get(name[0], UNLISTED_SURNAME_RANK) + SURNAME_RANK_OFFSET)
    return prior + sum(math.log((counts.get(ch, 0) + 1) / total) for ch in name[1:])


@dataclass(frozen=True)
class NameWeighing:
    """The name rescore_name chose, its share of the weighed texts, and the share of the
    recognizer's probability the texts it listed hold."""

    text: str
    share: float
    held: float

    @property
    def sure(self) -> float:
        return self.share * self.held


def rescore_name(value: str, alternatives: Sequence[tuple[str, float]], sex: str | None = None) -> NameWeighing | None:
    """A doubted name weighed by the frequency of its characters in real names: of the texts of its
    length the recognizer may have seen (`alternatives`: text, log-probability on the cell's crop;
    pipeline.page.extract.name_alternatives), the one with the best log-probability plus
    NAME_PRIOR_WEIGHT x name_log_prior, and how sure that choice is: its share of the weighed texts
    times the share of the recognizer's probability the texts hold (texts it did not list are not
    vouched for). 徐五华 → 徐玉华 (五 is 74 times rarer than 玉 in given names), 王明字 → 王明宇, 干丹丹
    → 于丹丹. `sex` (GB/T 2261.1, the bearer's: mapping.record.name_bearer_sex) weighs the given
    name by the given names of that sex (name_log_prior). None where `value` is not among the texts
    (nothing to weigh it against)."""
    same = {t: x for t, x in alternatives if len(t) == len(value)}
    if value not in same or "·" in value:
        return None
    texts = list(same)
    heard = np.array([same[t] for t in texts], dtype=np.float64)
    weighed = heard + NAME_PRIOR_WEIGHT * np.array([name_log_prior(t, sex) for t in texts])
    best = int(weighed.argmax())
    share = 1.0 / float(np.exp(weighed - weighed[best]).sum())
    held = min(1.0, float(np.exp(heard).sum()))
    return NameWeighing(texts[best], share, held)


def listed_surname_reading(value: str, alternatives: Sequence[tuple[str, float]], sex: str | None = None) -> str | None:
    """For a name whose first character is on no surname list (a misread: SURNAME_UNUSUAL_CERTAINTY), the
    text of its length beginning with a listed surname (mapping/data/surnames.txt, the national frequency
    list) that the recognizer listed for its crop (`alternatives`: pipeline.page.extract.name_alternatives)
    and that weighs best as rescore_name weighs (its log-probability plus NAME_PRIOR_WEIGHT x
    name_log_prior); None where the value's surname is listed, or the recognizer listed no such text.

    Why: the recognizer finds the unlisted glyph likelier (a carbon copy's soft, uneven strokes make 年 of
    牟, 狗 of 苟), so weighing all its texts keeps it; but the official list says the name is misread, and
    of the texts the recognizer itself saw, one that is a listed name is the likeliest true one. Never
    sure: the caller keeps it doubted (a real rare surname exists; the reviewer sees the reading)."""
    if len(value) < 2 or "·" in value or value[0] in _surnames():
        return None
    listed = [(t, x) for t, x in alternatives if len(t) == len(value) and t[0] in _surnames() and "·" not in t]
    if not listed:
        return None
    chosen = rescore_name(listed[0][0], listed, sex)
    return None if chosen is None else chosen.text


def doubted_name_glyphs(text: str) -> tuple[int, ...]:
    """The places of a name's characters the official tables say were most likely misread: a first
    character on no surname list (mapping/data/surnames.txt, as SURNAME_UNUSUAL_CERTAINTY doubts it) and a
    given-name character rarer than RARE_GIVEN_SHARE (given_name_char_rare). () for a one-character text
    or a transcribed foreign name (·)."""
    if len(text) < 2 or "·" in text:
        return ()
    first = () if text[0] in _surnames() else (0,)
    return first + tuple(i for i in range(1, len(text)) if _is_han(text[i]) and given_name_char_rare(text[i]))


def name_form_probability(text: str, alternatives: Sequence[tuple[str, float]] | None) -> float | None:
    """The recognizer's probability that a one-line name cell holds the name `text` gives, in either
    of its character forms: the summed probability of the texts it listed for the crop (`alternatives`:
    text, log-probability; pipeline.page.extract.name_alternatives) that are `text` once traditional
    forms are folded (fold_traditional). None where `text` itself is not among them (the two would
    not be on one scale) or nothing was listed.

    Why: PP-OCR's dictionary holds both forms of a character and its recognizer, whose two forms share
    most strokes, splits its probability between them (强 / 強 0.58 / 0.42, 颖 / 穎, 静 / 靜): a
    recognizer property. Both give the same name (the platform takes the simplified form, and the
    traditional one is folded to it), so the text's own probability understates how sure the reading
    is of the name, as the one zero of a date does of the year (pipeline.page.extract.count_same_glyphs).
    Only texts the recognizer listed count: its other texts are not vouched for, so this is never more
    than the probability it gave. The pairs: the State Council's 通用规范汉字表 (2013) 附表1 through
    OpenCC (mapping/data/traditional_forms.json)."""
    if not alternatives or not text:
        return None
    own = "".join(text.split())
    if own not in {t for t, _x in alternatives}:
        return None
    name = fold_traditional(own)
    held = sum(math.exp(x) for t, x in dict(alternatives).items() if fold_traditional(t) == name)
    return min(1.0, held)


@lru_cache(maxsize=1)
def name_alphabet() -> str:
    """The characters a name cell is searched in (pipeline.page.extract): the listed surnames and every
    character of the given-name table."""
    return "".join(dict.fromkeys(list(_surname_ranks()) + list(_given_name_counts()[0])))


@lru_cache(maxsize=1)
def _surname_ranks() -> dict[str, int]:
    ranks: dict[str, int] = {}
    for line in _data_lines("surnames.txt"):
        for ch in line:
            ranks.setdefault(ch, len(ranks))
    return ranks


@lru_cache(maxsize=1)
def _given_name_table() -> dict[str, tuple[int, int]]:
    """Each character's (men's, women's) count in real given names (mapping/data/given_name_chars.txt: the
    ngender table's two columns), read once for _given_name_counts and _given_name_counts_of."""
    return {ch: (int(m), int(w)) for ch, m, w in (line.split() for line in _data_lines("given_name_chars.txt"))}


@lru_cache(maxsize=1)
def _given_name_counts() -> tuple[dict[str, int], int]:
    """Each character's count in real given names, men's and women's together, and their sum."""
    counts = {ch: m + w for ch, (m, w) in _given_name_table().items()}
    return counts, sum(counts.values())


@lru_cache(maxsize=2)
def _given_name_counts_of(sex: str) -> tuple[dict[str, int], int]:
    """Each character's count in the given names of men (`sex` "1") or of women ("2"), and their sum."""
    column = 0 if sex == "1" else 1
    counts = {ch: pair[column] for ch, pair in _given_name_table().items()}
    return counts, sum(counts.values())


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    return frozenset(_surname_ranks())


def _data_lines(name: str) -> list[str]:
    """The lines of a text file in mapping/data, stripped, without comments (#) and blank lines."""
    from importlib import resources

    text = resources.files("mapping").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


_DOUBTFUL_SURNAMES = "逢干"
"""逄 (Páng, a common surname in Jiaodong) is read as 逢 (Féng, a rare one): the two differ by one
short stroke; 于 (Yú, among Jiaodong's commonest) is read as 干 (Gān, rare) when its hook is faint
(the fitting sets' most frequent name misreading). A name starting with either is never changed,
only doubted (`name_glyph_doubtful`)."""
_DOUBTFUL_NAME_GLYPHS = "风字肠"
"""Characters almost never in given names, read for look-alikes that are: 风 (wind) for 凤 (phoenix,
one of the commonest in women's names) when the inner stroke is faint, 字 for 宇, 肠 (intestine)
for 旸. In a count of real given names (the ngender package's table, 32 million characters) 字
is 150 times rarer than 宇. Doubted, never changed."""

_MISREAD_FOR = {"逢": "逄", "干": "于", "风": "凤", "字": "宇", "肠": "旸"}
"""The glyph each of _DOUBTFUL_SURNAMES / _DOUBTFUL_NAME_GLYPHS is misread for (their docstrings)."""


def confused_name_glyphs_put_back(text: str) -> str | None:
    """`text` with a first character of _DOUBTFUL_SURNAMES and every later one of _DOUBTFUL_NAME_GLYPHS put back
    to the glyph it is misread for (_MISREAD_FOR: 逢 -> 逄, 肠 -> 旸); None where it holds none. Only a proposal:
    mapping.record._confused_glyph_put_back takes it where the recognizer listed it for the crop."""
    if len(text) < 2 or "·" in text:
        return None
    out = [
        _MISREAD_FOR[c] if (i == 0 and c in _DOUBTFUL_SURNAMES) or (i > 0 and c in _DOUBTFUL_NAME_GLYPHS) else c
        for i, c in enumerate(text)
    ]
    put = "".join(out)
    return None if put == text else put


# --------------------------------------------------------------------------- places


LEXICON_CERTAINTY = 0.95
"""How sure a place name corrected against the lexicon is (flag lexicon_corrected: 芝果区 / 芝区 →
芝罘区, 集阳市 → 莱阳市, 华安镇 → 辛安镇 by its village), measured on the fitting sets 40101-40103:
94 of 94 divisions named by a corrected place were right, and 50 of 50 corrected addresses whose
other characters were read at 0.965 or more (the address's own doubt, address_reading_confidence)
were right; every wrong corrected address was wrong outside the corrected name (a road, a
village). It was 0.85, set by hand, which held all of them for review. A correction the places read
exactly below it confirm from the official lists (flag lexicon_confirmed_below: a town of the corrected
district, a village of the corrected town's list; mapping.places._confirmed_below) is as sure as they
are: 1.0, the address's other characters keeping their own doubt (address_reading_confidence). On the
design stores 3301, 3305, 4405 and 4406 every such corrected name was right (30 of 30); the 5 wrong
addresses among them were wrong in a road, a house number or a village, and held by that doubt."""


PLACE_DOUBT_FLAGS = frozenset({"lexicon_ambiguous", "lexicon_context_mismatch", UNDER_CORRECTED_COUNTY})
"""The lexicon's flags of a place name it could not make sure of (mapping.places._scan): several
candidates, a context that does not fit, or a correction resting on another correction. Such a name is
a known doubt (_place_certainty), and names no division code (mapping.record.build_record)."""


def _place_certainty(flags: tuple[str, ...]) -> float:
    """A corrected place name is as sure as the lexicon's corrections are (LEXICON_CERTAINTY); a
    misread one left uncorrected (several candidates, or a context that does not fit) is a known
    doubt: a person should be able to tell."""
    if PLACE_DOUBT_FLAGS & set(flags):
        return 0.6  # a town corrected under a county itself corrected: as doubted as when it was left as read
    if "lexicon_confirmed_below" in flags:  # the places read exactly below it name it (places._confirmed_below)
        return 1.0
    return LEXICON_CERTAINTY if "lexicon_corrected" in flags else 1.0


def normalize_address(
    raw: str,
    spec: Spec | None = None,
    max_length: int = 200,
    chars: Sequence[float] | None = None,
    own_chars: Sequence[float] | None = None,
) -> Normalized:
    """Household address: cleaned, place names corrected against the Yantai lexicon (flag
    lexicon_corrected), the village against its town's list (village_corrected), a county or town
    misread in a character the reader doubted against the official list (division_doubt_corrected).
    `chars`: the reader's per-character probabilities of `raw`, where known (its doubts allow
    look-alikes); `own_chars`: the same where two readings of the cell disagreed (ocr.agreement.resolve
    keeps them apart from `chars`, which it drops), used only for the county or town."""
    raw = "" if raw is None else str(raw)
    s = clean_text(raw)
    if not s:
        return _blank(raw)
    sp = _spec(spec)
    scan = scan_places(s, sp)
    certainty = _place_certainty(scan.flags)
    text, flags = scan.text, list(scan.flags)
    unsure: frozenset[int] = frozenset()
    read_by_char = chars is not None and chars_fit(raw, chars) and len(s) == len(chars) == len(text)
    if read_by_char:
        assert chars is not None
        unsure = doubted_positions(chars)
    division_unsure = unsure
    if chars is None and own_chars is not None and chars_fit(raw, own_chars) and len(s) == len(own_chars) == len(text):
        division_unsure = doubted_positions(own_chars)
    doubted = doubted_division_names(text, sp, division_unsure)
    if doubted:  # a county or town misread in a character the reader doubted: put right, no surer
        for start, end, name in reversed(doubted):
            text = text[:start] + name + text[end:]
        flags.append("division_doubt_corrected")
        certainty *= DIVISION_DOUBT_CERTAINTY
    alike_towns = lookalike_town_names(text, sp)
    if alike_towns:  # a town or street misread in two look-alike characters under its county (风域街道): put right, held
        for start, end, name in reversed(alike_towns):
            text = text[:start] + name + text[end:]
        flags.append("town_lookalikes_corrected")
        certainty *= DIVISION_DOUBT_CERTAINTY
    county = county_suffix_proposals(text, sp)
    if county:  # a county's suffix misread (龙口审), the town below naming it: put right, held
        for start, end, name in reversed(county):
            text = text[:start] + name + text[end:]
        flags.append("county_suffix_corrected")
        certainty *= DIVISION_DOUBT_CERTAINTY
    province = _PROVINCE_SUFFIX_MISREAD.sub("山东省", text, count=1)
    if province != text:  # 山东书烟台市: the province's 省 misread before its city
        text = province
        flags.append("province_suffix_fixed")
        certainty *= DIVISION_DOUBT_CERTAINTY
    proposed = town_suffix_proposals(text, sp, division_unsure)
    if proposed:  # a town's suffix alone misread, no village confirming it: put right, held
        for start, end, name in reversed(proposed):
            text = text[:start] + name + text[end:]
        flags.append("town_suffix_corrected")
        certainty *= DIVISION_DOUBT_CERTAINTY
    village = find_village(text, sp, unsure)
    if village is not None and village.cost > 0:
        text = text[: village.start] + village.name + text[village.end :]
        flags.append("village_corrected")
        if not (village.cost <= VILLAGE_CONFUSION_COST and village.isolated):
            certainty *= VILLAGE_CERTAINTY - village.cost * VILLAGE_COST_WEIGHT
    elif village is None and names_listed_towns_village(text, sp):  # a village its town's list lacks
        alike = lookalike_village(text, sp, unsure or division_unsure)
        if alike is not None:  # ... or a misreading of the one listed village it looks like: put right, as doubted
            text = text[: alike.start] + alike.name + text[alike.end :]
            flags.append("village_shape_corrected")
            certainty *= VILLAGE_UNLISTED_CERTAINTY
        else:
            flags.append("village_not_in_list")
            far = unlisted_village_far_from_list(text, sp) if read_by_char else None
            if far is not None and not unsure.intersection(range(*far)) and not village_chars_off_list(text, sp):
                # read surely and far from every listed village of its town: a village the list lacks, as
                # sure as the recognizer read it (address_reading_confidence counts its characters)
                flags.append("village_off_list_read_surely")
            else:
                certainty *= VILLAGE_UNLISTED_CERTAINTY
    unit = _HOUSE_NUMBER_UNIT_MISREAD.sub("号", text)
    if unit != text:  # 哥 after a house number: the recognizer's 号
        text = unit
        flags.append("house_number_unit_fixed")
        certainty *= 0.5
    building = _BUILDING_UNIT_MISREAD.sub("楼", text)
    if building != text:  # 17号接5单元: the recognizer's 楼 between a house number and its 单元
        text = building
        flags.append("building_unit_fixed")
        certainty *= 0.5
    generic = _VILLAGE_GENERIC_MISREAD.sub("村", text)
    if generic != text:  # 材 where a village's generic ends the address or precedes its house number: 村, held
        text = generic
        flags.append("village_generic_fixed")
        certainty *= VILLAGE_GENERIC_FIXED_CERTAINTY
        if "village_not_in_list" not in flags and village is None and names_listed_towns_village(text, sp):
            flags.append("village_not_in_list")  # now a village (…村) its town's list lacks: said, already held
    at = village_part_start(text, sp) if "village_not_in_list" in flags else None
    if at is not None:
        kuang = text[:at] + _KUANG_LOOKALIKE_BEFORE_VILLAGE.sub(STAND_IN_FOR, text[at:], count=1)
        if kuang != text:  # 孙家奋村: a village off its town's list read with a look-alike of 夼 before its 村, held
            text = kuang
            flags.append("village_kuang_put_back")
            certainty *= VILLAGE_KUANG_CERTAINTY
    fixed = text.translate(_PLACE_GLYPHS)
    if fixed != text:
        text = fixed
        flags.append("place_glyph_fixed")
        certainty *= 0.85
    if doubtful_glyph_spots(text, sp, village):
        flags.append("glyph_outside_ocr_dictionary")
        certainty *= 0.5
    if any(ch in text for ch in _LOOKALIKE_GLYPHS) or _LOOKALIKE_BEFORE_COUNTY.search(text):
        flags.append("place_glyph_doubtful")
        certainty *= 0.5
    if unlisted_county(text, sp) is not None:  # 莲基市: a county-level name no list has, read however surely
        flags.append("county_not_listed")
        certainty *= DIVISION_DOUBT_CERTAINTY
    roads = road_near_place(text, sp)
    if roads:  # a road named after a place, a character of the name misread in look-alike strokes (东兼街 for 东莱街)
        spans = {(start, end) for start, end, _n in roads}
        if len({name for _s, _e, name in roads}) == 1 and len(spans) == 1:  # one place it can be: put right
            ((start, end),) = spans
            text = text[:start] + roads[0][2] + text[end:]
            flags.append("road_place_name_corrected")
        else:
            flags.append("road_place_name_doubtful")
        certainty *= ROAD_NEAR_PLACE_CERTAINTY
    if confusion_doubted(text, sp):  # a confusion reviewers keep correcting (pipeline.page.lexicon)
        flags.append("reviewer_confusion")
        certainty *= 0.5
    if sp.places.local and any(n in text for n in sp.places.local):
        flags.append("local_lexicon")
    if len(text) > max_length:
        return _fail(raw, "too_long", *flags)
    return _ok(text, raw, *flags, certainty=certainty)


DIVISION_DOUBT_CERTAINTY = 0.5
"""A county or town name put right from a character the reader doubted (mapping.places.
doubted_division_names: 基州市 -> 莱州市) is as sure as a village off its town's list
(VILLAGE_UNLISTED_CERTAINTY): the one official name near is likely what was printed, but the
character put right was not seen, so the value is held for a reviewer, who sees the reading as raw."""


ROAD_NEAR_PLACE_CERTAINTY = 0.5
"""How sure an address is whose road's proper name is one look-alike character from a listed place's name of
its county (mapping.places.road_near_place: 东兼街, 东基街, 东案街 in Longkou, where 东莱街道 is a street):
put right where that place is the only one near (flag `road_place_name_corrected`, the reading kept as raw),
else left as read (`road_place_name_doubtful`), and held either way, as sure as a village off its town's list
(VILLAGE_UNLISTED_CERTAINTY): roads are an open vocabulary, a road may bear a name of its own one character
from a place's. Design stores d3313, d3316 and f3336 (561 addresses): none of the addresses as written has
such a road; 10 readings had, all 10 misread (2 of them read at 0.99, above the address threshold)."""


VILLAGE_CERTAINTY = 0.95
VILLAGE_COST_WEIGHT = 0.1
"""A village corrected to the one village of its town the reading is near (mapping.places.find_village)
is as sure as VILLAGE_CERTAINTY less VILLAGE_COST_WEIGHT x the correction's cost: 0.93 where it
stands for a character the recognizer cannot output (乔 for 夼), 0.90 where a dropped 疃 is put back.
On the six sets 40101-40104, 9436 and 9437 all 38 corrected villages were right (they were given
0.75-0.84, and the corrected characters' own doubt on top: 0.08-0.83); the list lacks natural
villages and names changed since, so the flag stays for a reviewer to see."""


VILLAGE_CONFUSION_COST = 0.3
"""...except where the village was put right from known recognizer confusions only (mapping.places.village_cost
at most this: a character the recognizer cannot output read as its stand-in, 0.2, or one of the listed
look-alike pairs, 0.3: 奇/奋 for 夼, 风 for 凤, 材 for 村) and no other village of the town is one character
from it (VillageHit.isolated): the town's list then vouches for the village as it does for one read exactly
(as lexicon_confirmed_below does for a corrected town), the address's other characters keeping their own
doubt (address_reading_confidence). Design stores d3313, d3316 and f3336: 13 of 13 corrected villages right
(fitting sets: 38 of 38), all held before (0.91-0.92 at best); 6 of them now pass, the others held by another
doubt or put right by a drop or a village with a neighbour one character away (邹家村 / 单家村)."""


VILLAGE_UNLISTED_CERTAINTY = 0.5
"""An address naming a village its town's list (NBS 2023) neither holds nor is near: the list lacks
natural villages and names changed since 2010, but a misread village is one too (宋家疃村 read 宋家村
and 呼栾村 read 呼村 at 1.0, their 疃 and 栾 dropped; 汪格庄村 read 江格庄村). Fitting sets 40101-40103:
29 of 59 such addresses were right, against 177 of 179 naming a listed village; of those read at
0.928 or more, 6 of 30 were wrong. Doubted (`village_not_in_list`) as sure as that. Changed only to
the list's one village a single look-alike character away (`mapping.places.lookalike_village`, flag
`village_shape_corrected`), and then no surer: a reviewer sees the listed name, the reading kept as raw
(a village typed back by a reviewer joins the local list and is then read exactly).

Not halved where the recognizer read every character of the village surely (none under UNSURE_CHAR) and
the reading is no recognizer confusion of a listed village: no village of the town's list is one character
substituted, dropped or added from it, and it holds no character the recognizer writes for a place's
character (mapping.places.unlisted_village_far_from_list; flag `village_off_list_read_surely`). The village
characters are then not covered by the list (address_reading_confidence), so the address is as sure as its
least sure character. Design stores d3313, d3316 (county_editions, typed_sheets) and f3336 (county), severity
1.8: of 85 addresses doubted as off the list, 49 such readings were right and 1 wrong (曲家营村 read 曲家管村
at 1.0, the truth being off the list too), against 20 right and 15 wrong among the other 35 (a listed
village one character away: 乌沟逢家村 for 乌沟逄家村, 庵脊村 for 庵夼村; a doubted character: 下吨子村).
Nor where the village holds a character no village of the official list is written with
(mapping.places.village_chars_off_list: 注, 晴; s45-faded's design carbon copy of 4501 county read 下孙家注村 for
下孙家洼村 at 0.92 and 北晴家营村 for 北隋家营村 at 0.98, both villages the list lacks): such a character is a
misreading whatever the village (s39-faded), so the village is held as one off the list."""


_PROVINCE_CITY = re.compile(r"(?:山东省?)?(?:烟台市?)?")


def address_reading_confidence(raw: str, chars: Sequence[float] | None, spec: Spec | None = None) -> float | None:
    """How sure the reading of an address is, from its characters' probabilities: the least sure
    character outside the lexicon place names found in it. A long line's least sure character is
    most often inside a district, town or street name (莱州市, 土山镇), and such a name read exactly
    as the lexicon has it, or corrected to it (whose certainty the normalizer already counts), is
    not in doubt by that character; the house number is, and so is the village unless it is read
    exactly as one of its town's list with no other village of that town one character away
    (a misread character could not make another real village of it), or corrected to the one village
    it is near (normalize_address counts that correction's certainty); and so is a road's proper name
    written exactly as a listed place of its county, no other one character away (mapping.places.
    road_named_as_place: 东莱街 in 龙口市; design stores d3313, d3316, f3336: 5 right addresses held by such
    a character, none wrong). 1.0 when place names
    cover the whole text. None where the probabilities do not line up with the text."""
    s = clean_text(raw)
    if chars is None or not chars_fit(str(raw), chars) or len(s) != len(chars):  # NFKC changed the length: positions lost
        return None
    sp = _spec(spec)
    head = _PROVINCE_CITY.match(s)
    assert head is not None  # the pattern is all optional: it matches every text
    covered: set[int] = set(range(head.end()))  # 山东省烟台市: the one province and city
    for h in scan_places(s, sp).hits:
        covered.update(range(h.start, h.end))
    village = find_village(s, sp, doubted_positions(chars))
    if village is not None and (village.cost > 0 or village.isolated):
        # a village of the town read exactly, no other village of it one character away; or the one
        # village the reading is near, corrected by normalize_address, whose certainty counts it (the
        # reader's doubt in the character it put right says nothing of the correction)
        covered.update(range(village.start, village.end))
    for start, end in road_named_as_place(s, sp):  # a road named exactly as a listed place of its county
        covered.update(range(start, end))
    rest = [float(c) for i, c in enumerate(chars) if i not in covered]
    return min(rest) if rest else 1.0


_HOUSE_NUMBER_UNIT_MISREAD = re.compile(r"(?<=\d)哥")
"""哥 right after a house number's digits: the recognizer's reading of 号 (口 over strokes much like 丂; on
the design stores of session 30, d3316, f3321, carbon c5/c6/brc6b, faded d3316fd and 1-bit b3316, 哥 for 号
is among the commonest address substitutions), while a numeral in an address is followed by a unit word
(号, 号楼, 单元, 室: GB 17733 地名 标志, 门牌), never by 哥. Put right, flagged `house_number_unit_fixed`,
held (certainty x 0.5): the house number itself was read by the same unsure hand. Design stores (1336
addresses): 9 read so, none right; 4 right once put right, none made wrong."""

_BUILDING_UNIT_MISREAD = re.compile(r"(?<=\d号)[接後后](?=\d+单元)")
"""接 or 後 (folded 后) between a house number's 号 and a 单元 number: the recognizer's readings of a faint 楼
(PP-OCRv6 on carbon and faded copies: design copies c51, fr39 (seed 3939, carbon) and f50 (faded) of d3316
county read 号楼 so in 3 of 3 addresses with 号楼…单元), where an address's building-unit-room form is
号 楼 单元 室 (GB/T 23705 address coding; a building's number is followed by 楼, never by 接 or 后). Put right,
flagged `building_unit_fixed`, held (certainty x 0.5): the unit word itself was not seen. Source: a measured
recognizer confusion within the address form."""

_PROVINCE_SUFFIX_MISREAD = re.compile(r"^山东[^\W\d省市区县镇乡村路街号](?=烟台)")
"""山东 followed by one other Han character and then 烟台: the province's name is 山东省 (GB/T 2260 37), the
only word that stands between it and its city. The recognizer read that 省 as 书 on carbon copies (design
c51, fr39 seed 3939, x93 seed 3893: 3 of 3 such misreadings were 书). Put right, flagged
`province_suffix_fixed`, held (DIVISION_DOUBT_CERTAINTY). Source: the official division list."""

_PLACE_GLYPHS = str.maketrans({"瞳": "疃"})
"""Glyphs that never name a place, read for one that does: 瞳 (pupil) for 疃 (a Jiaodong word for
a village, 王家疃村). Fixed and flagged `place_glyph_fixed`."""
_DOUBTFUL_GLYPHS = "乔"
"""夼 (a Jiaodong word for a valley village, 上夼村) is not in the PP-OCRv4 dictionary: it is read
as 乔. 乔 is a real surname and place word too, so it is never replaced, only doubted
(`glyph_outside_ocr_dictionary`): a reviewer looks at the crop."""
_KUANG_LOOKALIKES = "奋奇脊"
"""The look-alikes a handwritten 夼 is read as, right before 村 (mapping.places.LOOKALIKES). 脊 (s45-faded): PP-OCRv6
read a faint 夼 as 脊 in 4 addresses of the design carbon and faded copies of 4501 county (宋家夼村, 王家夼村, each
on both copies; s40/s42 saw it on d3316's copies), and no other 脊 before 村 there; the official list (NBS 2023)
writes 夼 right before 村 in 264 of its 5 913 villages and 脊 there in none (脊 in one village at all, 犍脊山村)."""
_DOUBTFUL_BEFORE_VILLAGE = re.compile(f"[{_KUANG_LOOKALIKES}]村")
"""夼 is also read as 奋 or 奇 in a handwritten hand; right before 村 (李家奋村) either is doubted, or, in a village
off its town's list, put back to 夼 (_KUANG_LOOKALIKE_BEFORE_VILLAGE, session 42)."""
STAND_IN_FOR = "夼"
"""The character _DOUBTFUL_GLYPHS and _DOUBTFUL_BEFORE_VILLAGE stand for: one PP-OCRv4 could not output (not in its
dictionary); PP-OCRv6 has it and still reads its faint or handwritten strokes as these look-alikes."""
_KUANG_LOOKALIKE_BEFORE_VILLAGE = re.compile(f"[{_KUANG_LOOKALIKES}](?=村)")
"""A 奋 or 奇 right before a village's generic 村, in a village its town's list lacks (village_not_in_list), is 夼.
Sources: the official village list (NBS 2023, mapping/data/yantai_villages.json: of its 4 971 Yantai village
names, 239 write 夼 right before 村 (窑夼村, 艾子夼村) and none 奋 or 奇 there; 奋 and 奇 are in no listed village
at all) and a property of the recognizer: it reads 夼 (大 over 川) as these look-alikes (mapping.places.LOOKALIKES;
PP-OCRv4 had no 夼 at all, PP-OCRv6 has it and still writes 奋 for it on faint carbon strokes: one village off
the list read X家奋村 on four design carbon/faded copies of d3316 county, session 42). A village of the list read
so is already put right by the list (find_village counts the look-alike); this is the village the list lacks,
which the list cannot name but whose generic's form it does. Only after the last town read
(mapping.places.village_part_start), only the first such glyph and only before 村 (奋斗村 is a village's real
name). Held (VILLAGE_KUANG_CERTAINTY), the reading kept as raw."""
VILLAGE_KUANG_CERTAINTY = 0.5
"""As doubted as the glyph was when it was only doubted (glyph_outside_ocr_dictionary): held for review."""


def doubtful_glyph_spots(text: str, sp: Spec, village: VillageHit | None = None) -> list[int]:
    """Positions in an address of a glyph the recognizer writes for 夼, which its dictionary lacks
    (_DOUBTFUL_GLYPHS anywhere, _DOUBTFUL_BEFORE_VILLAGE right before 村): each is doubted
    (`glyph_outside_ocr_dictionary`), except inside `village` (mapping.places.find_village) where that
    village was read exactly as its town's list writes it (cost 0: 乔家村 of 北马镇) and the list has no
    village of the same town written with 夼 in that glyph's place (乔家村 beside a 夼家村). The town's
    list (NBS 2023 village list, spec.places.villages) then vouches for the glyph as it does for every
    character of a village read exactly (address_reading_confidence): a 夼 read as 乔 there would make a
    village the town does not have. Rule source: the official village list and a property of the
    recognizer (夼 outside the PP-OCRv4 dictionary, written 乔, 奋 or 奇). The list's 10 乔 villages (all
    乔家..., 乔 a surname) have no 夼 sibling in their town; a 乔 off the list (上乔村 of 郭城镇), in a
    road's or a town's name, or in a village only near a listed one stays doubted. Measured (remap, as-shipped
    thresholds): design d3316 typed_sheets 1 address lifted, its record accepted (170 -> 171 of 195), every
    field right; carbon copy c5 typed 1 (84 -> 85, right), c6 1 (right, held for another field); f3321,
    s4482 none; fresh f3330 typed 1 (right, held for another field), f3320, f3331, f3328, c4486 none.
    Every wrong address so flagged (6: d3316, f3321, s4482, f3331 x3) is off the list and stays doubted."""
    spots = [i for i, ch in enumerate(text) if ch in _DOUBTFUL_GLYPHS]
    spots += [m.start() for m in _DOUBTFUL_BEFORE_VILLAGE.finditer(text)]
    if village is None or village.cost != 0 or text[village.start : village.end] != village.name:
        return spots
    inside = [i for i in spots if village.start <= i < village.end]
    if not inside:
        return spots
    offsets = {i - village.start for i in inside}
    name = village.name
    for n in villages_of(village.town, sp):  # a village of the town written with 夼 where the reading has its stand-in
        if len(n) == len(name) and any(n[k] == STAND_IN_FOR for k in offsets):
            if all(x == y for k, (x, y) in enumerate(zip(n, name)) if k not in offsets):
                return spots
    return [i for i in spots if i not in inside]


_LOOKALIKE_GLYPHS = "菜"
"""莱 (东莱街, 莱州, 莱阳: the old name of the region) is read as 菜 (vegetable), which almost never
names a place: doubted (`place_glyph_doubtful`), never replaced."""
_VILLAGE_GENERIC_MISREAD = re.compile(r"材(?=$|[0-9])")
"""村 (a village's generic, mapping.places.VILLAGE_GENERIC_READS) is read as its look-alike 材 (timber; 木 with
才 for 木 with 寸, glyph similarity 0.91, mapping.glyphs), which ends no place's name: none of the 5941
villages of the official list (NBS 2023, mapping/data/yantai_villages.json) holds 材, and the address
grammar puts a unit's generic (村, 号) there, never a common noun. Where the town's list did not put the
village right (find_village: the village is off the list, or the town was misread), the generic alone is
put back, 村 for 材 at the end of the address or right before its house number, and the address held
(`village_generic_fixed`, VILLAGE_GENERIC_FIXED_CERTAINTY): one look-alike character of the generic, the
village's proper name kept as read (nothing added or deleted). On the carbon copies of design d3316
(s31-fadedids w_c5/a_fc/s_fc, s33 c7) 材 so placed was 村 in all 15 cases (village_not_in_list); 材 inside a
name (建材路) is left alone. Was: doubted, never replaced (s22)."""
VILLAGE_GENERIC_FIXED_CERTAINTY = 0.5
"""An address whose village generic was put back from 材 (_VILLAGE_GENERIC_MISREAD) stays a proposal for the
reviewer, as sure as the doubt it had before (`place_glyph_doubtful`: halved): under every calibrated
threshold, so no wrong value is accepted unseen that was held before."""
_LOOKALIKE_BEFORE_COUNTY = re.compile(r"[披技被校液]县")
"""掖 (掖县, Laizhou's old name, kept in 掖县路) is read as 披 技 被 校 or 液, with both readings
agreeing; none of those makes a county's name. On the fitting sets and seed 9440 all 47 addresses
read so were wrong (20 of them above the address threshold): doubted (`place_glyph_doubtful`),
never replaced."""


SEA_AREA_CONFUSIONS = {"屺": "北屹", "坶": "海", "崆": "硅", "峒": "明制"}
"""What the default recognizer (PP-OCRv6, which can output 屺: mapping.places.UNREADABLE) writes for a character
of a listed sea area whose printed shape is unlike it (mapping.glyphs: 北/屺 measure a whole edit apart), so
that the shape match (closest_by_shape) weighs it as the confusion it is (glyphs.CONFUSION_COST): 屺 read 北 in
3 of the design county 3316 sea-area cells as scanned and 7 of its carbon copy c5's (屺坶岛海域 read 北姆岛海域,
北海岛海域). Only v6's own confusions: 此/妃 (PP-OCRv4, which could not output 屺) stay readings of
other characters. Measured again on v6's readings of faint and carbon copies (s39-faded: design carbon c51, x93,
ac, faded f50 and d3316 county; 59 cells of 屺坶岛): 屺 read 北 30 times, 屹 9 (0.74 alike: a cost of half an
edit without the confusion), 屺 4, 记/此/地 8; 坶 read 海 26 times (0.71 alike), 姆 19 (0.85, a look-alike
already), 坶 3, others 3. 屹 for 屺 and 海 for 坶 are so v6's own confusions of faint strokes, the commonest of
坶: with 屹海岛海域 two characters off, each a half edit or more by shape, no entry was near enough.
崆 read 硅 and 峒 read 明 or 制 (s47-faded, PP-OCRv6's readings of the carbon and faded copies of design county
4701, 29 cells of 崆峒岛海域, both characters in v6's dictionary): 崆 read right 20 times, 硅 3, 姓 / 在 / 唯 / 空
once each; 峒 right 19, 明 6, 制 2, 响 once. Only the confusions seen twice or more are listed (硅 0.69 and 明 0.71
alike by print: each near a whole edit, so 硅明岛海域 matched no entry); a glyph seen once stays a shape match
(姓 0.74 with 明 listed makes 姓明岛海域 0.82 from 崆峒岛海域, matched; 在明 / 唯明 / 空响 stay off the list)."""


SEA_AREA_BEYOND_CERTAINTY = 0.5
"""How sure a sea area is that names a listed one plus words of its own (养马岛东侧海域, 烟台山东北海域,
崆峒岛以东海域, 养马岛海域东侧): another place near the listed one, kept as read (a list confirms or
corrects a reading, it never deletes words), doubted as much as a sea area off the list
(sea_area_not_in_list), since nothing on the list vouches for it."""


_LOCALITY = re.compile(r"[以之]?(?:[东南西北]{1,2}|[上下前后左右里外内中旁])(?:边|面|侧|部|方|头)?")
"""Words of locality (方位词, a closed class of Chinese grammar): a simple one (the compass directions,
alone or paired as 东北; 上 下 前 后 左 右 里 外 内 中 旁), after 以/之 (以东, 之北) or with 边/面/侧/部/方/头
(东侧, 西北面, 外侧). A listed sea area with one of these alone (养马岛以东海域, 崆峒岛外侧海域) names
the water in that direction of an area the list vouches for: no other place. Other words (附近, 一带,
约2海里, a place's name) may name another place and stay doubted (sea_area_beyond_list)."""


def sea_area_beyond_list(value: str, spec: Spec | None = None) -> str | None:
    """The words a sea area holds beyond a listed entry it names (东侧 in 养马岛东侧海域, 以东 in
    崆峒岛以东海域, 东侧 in 养马岛海域东侧); "" where it is a listed entry as written, with at most the
    province, the city and a district before it (烟台芝罘岛海域, 芝罘区卧佛岛海域); None where it names
    no listed entry whole. An entry is found by its name less the generic 海域 (养马岛), so that words
    written between the name and 海域 are found too."""
    sp = _spec(spec)
    s = clean_text(value)
    best: str | None = None
    for name in sorted(_sea_area_names(sp), key=len, reverse=True):
        core = name[:-2] if name.endswith("海域") and len(name) > 3 else name
        if core not in s:
            continue
        head, _, tail = s.partition(core)
        if name != core:
            if tail.endswith("海域"):
                tail = tail[:-2]
            elif len(tail) >= 2 and shape_distance(tail[-2:], "海域") <= MAX_SHAPE_COST:
                if tail == tail[-2:]:
                    continue  # the entry with its 海域 misread (养马岛海城): matched by shape, not words beyond it
                tail = tail[:-2]
        head = _PROVINCE_CITY.sub("", head, count=1)
        if head in _district_names(sp):
            head = ""
        rest = head + tail
        if not rest:
            return ""
        if best is None or len(rest) < len(best):
            best = rest
    return best


@lru_cache(maxsize=4)
def _district_names(sp: Spec) -> tuple[str, ...]:
    """Districts and counties as printed, with and without their suffix (芝罘区, 芝罘)."""
    out: list[str] = []
    for p in sp.places.places:
        if p.kind == "district":
            for n in (p.name, *p.aliases):
                out += [n, n[:-1]] if len(n) > 2 and n[-1] in "区县市" else [n]
    return tuple(dict.fromkeys(out))


def normalize_sea_area(raw: str, spec: Spec | None = None, max_length: int = 50) -> Normalized:
    """A scattering sea area: cleaned like an address, then checked against the province's list of
    designated sea areas (the place lexicon's kind "sea_area"). The list is open, not closed: real
    registers name places near a listed area (养马岛东侧海域). So:

    - a listed entry as written (a province, city or district before it allowed) is taken;
    - a listed entry plus only a word of locality (方位词: 以东, 西侧, 东北; _LOCALITY) is kept as
      read, as sure as it was read (`sea_area_toward_listed`): the water in that direction of a
      listed area, which the list vouches for;
    - a listed entry plus other words of its own (附近, 海域东侧) is kept as read and doubted
      (`sea_area_beyond_list`, SEA_AREA_BEYOND_CERTAINTY): the list never deletes words;
    - a reading that is no entry is matched by glyph shape (mapping.glyphs: 腔桐岛海域 is a few
      look-alike strokes from 崆峒岛海域 and far from 芝罘岛海域, though two characters off either way by
      spelling; 屺 is not even in the OCR dictionary) when exactly one entry is that near
      (`sea_area_matched_by_shape`), counting only recognizer confusions: look-alike substitutions,
      and characters the recognizer drops or cannot output (mapping.places.DROPPED) missing from the
      reading, never a character of the reading left over;
    - otherwise kept as read and doubted (`sea_area_not_in_list`, certainty halved)."""
    n = normalize_address(raw, spec, max_length)
    if not isinstance(n.value, str):
        return n
    sp = _spec(spec)
    names = _sea_area_names(sp)
    if not names:
        return n
    core = _sea_area_before_marks(n.value)
    if core is not None:
        inner = normalize_sea_area(core, spec, max_length)
        return Normalized(
            inner.value,
            n.raw,
            tuple(dict.fromkeys((*inner.flags, STRAY_MARKS))),
            min(inner.certainty, STRAY_MARKS_CERTAINTY),
        )
    beyond = sea_area_beyond_list(n.value, sp)
    if beyond == "":
        return n
    if beyond is not None:
        value, flags, certainty = n.value, n.flags, n.certainty
        put_back = _haiyu_put_back(value)
        if put_back is not None:
            # a listed entry and words of its own, its generic 海域 read in look-alike strokes (太平湾西侧海城,
            # 城 for 域): 海域 put back and every other character kept, no surer than a shape match
            value, flags = put_back, (*flags, "sea_area_suffix_by_shape")
            certainty *= SHAPE_MATCH_CERTAINTY
        if _LOCALITY.fullmatch(beyond):
            # the direction of a listed area (方位词): as sure as it was read, the list vouching for the place;
            # one whose 海域 was put back by shape is an entry plus words the list corrected, doubted like
            # sea_area_toward_listed_by_shape and sea_area_beyond_list (open vocabulary: never auto-accepted)
            if "sea_area_suffix_by_shape" in flags:
                certainty *= SEA_AREA_BEYOND_CERTAINTY
            return Normalized(value, n.raw, tuple(dict.fromkeys((*flags, "sea_area_toward_listed"))), certainty)
        return Normalized(
            value, n.raw, tuple(dict.fromkeys((*flags, "sea_area_beyond_list"))), certainty * SEA_AREA_BEYOND_CERTAINTY
        )
    near = closest_by_shape(n.value, names, UNREADABLE, DROPPED, SEA_AREA_CONFUSIONS)
    if near is not None:
        name, cost = near
        flags = tuple(f for f in n.flags if f not in ("lexicon_ambiguous", "lexicon_context_mismatch"))
        return Normalized(
            name,
            n.raw,
            tuple(dict.fromkeys((*flags, "sea_area_matched_by_shape"))),
            0.95 if cost <= 0.5 else SHAPE_MATCH_CERTAINTY,
        )
    doubted = n.certainty * 0.5
    toward = _toward_listed_by_shape(n.value, names, sp)
    if toward is not None:
        # a listed entry misread in look-alike strokes, with a word of locality of its own: the entry
        # put right, the word kept; as sure as the entry's shape match (sea_area_matched_by_shape) and
        # the word's reading (sea_area_toward_listed): not a SHAPE_MATCHES flag, the reading's
        # confidence still counts (toward_by_shape_certainty)
        value, cost = toward
        return Normalized(
            value,
            n.raw,
            tuple(dict.fromkeys((*n.flags, "sea_area_toward_listed_by_shape"))),
            toward_by_shape_certainty(n.certainty, cost),
        )
    flags = (*n.flags, "sea_area_not_in_list")
    value = n.value
    put_back = _haiyu_put_back(value)
    if put_back is not None:
        value, flags = put_back, (*flags, "sea_area_suffix_by_shape")
        listed = _listed_after_suffix(put_back, names, sp)
        if listed is not None:
            # its 海域 and its place both misread in look-alike strokes: the entry, held as before
            flags = (*n.flags, "sea_area_suffix_by_shape", SEA_AREA_LISTED_AFTER_SUFFIX)
            return Normalized(listed, n.raw, tuple(dict.fromkeys(flags)), doubted * SHAPE_MATCH_CERTAINTY)
    return Normalized(value, n.raw, tuple(dict.fromkeys(flags)), doubted)


_SEA_AREA_MARKS = re.compile(r"(.*[\u4e00-\u9fff]{2})([^\u4e00-\u9fff]{1,%d})" % STRAY_MAX)


def _sea_area_before_marks(value: str) -> str | None:
    """A sea area reading that ends with its generic 海域 (or 海域 read in look-alike strokes: 海城, _haiyu_put_back)
    and then at most STRAY_MAX marks no place name holds (a digit, a Latin letter, a punctuation mark or a
    symbol): the reading before the marks; None otherwise. Why (recognizer property): the recognizer reads all
    the ink of a cell's crop as one line, so the column's ruling line at the cell's end comes out as 1, l or |
    (崆峒岛海城1, 崆明岛海城1 on s47-faded's faded and carbon copies of design county 4701; s46-faded's phones
    13043528965I). A sea area names a place (the province's list, GB/T 2260 for the division before it):
    nothing is written after its 海域 but another word of place (养马岛海域东侧), never a lone digit or letter."""
    m = _SEA_AREA_MARKS.fullmatch(value)
    if m is None:
        return None
    core = m.group(1)
    if core.endswith("海域") or _haiyu_put_back(core) is not None:
        return core
    return None


SEA_AREA_LISTED_AFTER_SUFFIX = "sea_area_listed_after_suffix"
"""A sea area whose generic 海域 was read in look-alike strokes (_haiyu_put_back) and whose place, with 海域 put
back, is a listed entry misread in look-alike strokes (closest_by_shape, or _toward_listed_by_shape with a word of
locality kept): 记姆島亭城 -> 屺坶岛海域. The same two shape rules the normalizer applies each alone, applied one
after the other (before, the entry was sought only on the reading as read, so a reading with both misread kept its
misread place). Sources: the province's list of designated sea areas and the glyph shapes the recognizer
confuses (mapping.glyphs). Held as before: as sure as a reading off the list (halved) times SHAPE_MATCH_CERTAINTY,
the reading's confidence counting (no SHAPE_MATCHES flag): two inferences, so a reviewer sees it."""


def _listed_after_suffix(value: str, names: Sequence[str], sp: Spec) -> str | None:
    """The listed sea area (or a listed one with its word of locality) a reading with 海域 put back is a
    look-alike misreading of, as normalize_sea_area finds one on a reading; None where none or several."""
    near = closest_by_shape(value, names, UNREADABLE, DROPPED, SEA_AREA_CONFUSIONS)
    if near is not None:
        return near[0]
    toward = _toward_listed_by_shape(value, names, sp)
    return toward[0] if toward is not None else None


def _haiyu_put_back(value: str) -> str | None:
    """A sea area whose generic 海域 ending was read in look-alike strokes (莱州湾海城: 城 for 域, mapping.glyphs)
    with 海域 put back, every other character kept; None where it ends in 海域 or in nothing like it, or is
    no more than those two characters."""
    if len(value) > 2 and not value.endswith("海域") and shape_distance(value[-2:], "海域") <= MAX_SHAPE_COST:
        return value[:-2] + "海域"
    return None


def toward_by_shape_certainty(read_certainty: float, cost: float) -> float:
    """How sure a listed sea area misread in look-alike strokes with a word of locality inside is
    (sea_area_toward_listed_by_shape, 屺姆岛以南海域 -> 屺坶岛以南海域): the product of what vouches for each
    part. The place is the province's list entry (the designated sea areas, the place lexicon's kind
    "sea_area") matched by glyph shape, as sure as that match is alone (sea_area_matched_by_shape: 0.95
    within a shape cost of 0.5, else SHAPE_MATCH_CERTAINTY; measured 172 of 172 right); the word of
    locality is a closed class of grammar (_LOCALITY) the recognizer read, as sure as its reading
    (sea_area_toward_listed keeps a listed entry plus such a word at the reading's confidence). Before,
    the value was halved like a reading off the list (sea_area_not_in_list), though every character of it
    is vouched for by the list or by grammar: design typed_sheets seed 3313, 29 records held by that doubt
    alone, 31 of 31 such fields right. A sea area with words of its own that are no word of locality stays
    doubted (sea_area_beyond_list), as does one whose 海域 was put back by shape (sea_area_suffix_by_shape).
    `read_certainty`: the cleaned reading's certainty; `cost`: the entry's shape cost (closest_by_shape)."""
    return read_certainty * (0.95 if cost <= 0.5 else SHAPE_MATCH_CERTAINTY)


def _toward_listed_by_shape(value: str, names: Sequence[str], sp: Spec) -> tuple[str, float] | None:
    """A reading that is a listed sea area misread in look-alike strokes with a word of locality
    (_LOCALITY) inside it (屺姆岛南侧海域: 屺坶岛海域, 坶 read 姆, and 南侧): the entry matched by shape
    (closest_by_shape, substitutions only: as long as the reading less the word) and the word put back
    where it was written (屺坶岛南侧海域), with the shape cost of the match; None where no such reading,
    or more than one, is found. The list undoes a recognizer confusion (mapping.glyphs) and deletes no
    word of the reading."""
    found: dict[str, float] = {}
    for i in range(1, len(value)):
        for j in range(i + 1, min(len(value), i + 4) + 1):
            if not _LOCALITY.fullmatch(value[i:j]):
                continue
            rest = value[:i] + value[j:]
            near = closest_by_shape(rest, names, UNREADABLE, DROPPED, SEA_AREA_CONFUSIONS)
            if near is None or len(near[0]) != len(rest) or near[0] == rest:
                continue
            rebuilt = near[0][:i] + value[i:j] + near[0][i:]
            beyond = sea_area_beyond_list(rebuilt, sp)
            if beyond and _LOCALITY.fullmatch(beyond):
                found[rebuilt] = max(found.get(rebuilt, 0.0), near[1])
    return next(iter(found.items())) if len(found) == 1 else None


def sea_area_alternatives(read: str, spec: Spec | None = None) -> list[str]:
    """The designated sea areas (names and aliases) to choose among for a reading that is not one
    of them as written: put right by the lexicon (芝果卧佛岛海域, 腔峒岛海域), matched to an entry by
    shape (腔桐岛海城, `sea_area_matched_by_shape`) or to none (`sea_area_not_in_list`): for the
    recognizer to score on its own output (pipeline.page.extract), so that the text kept is the one it
    finds likeliest of the list, not a look-alike. Only entries the reading can be a misreading of:
    as long as it, or longer by characters the recognizer drops or cannot output (DROPPED); none
    for a reading that names a listed entry whole, as written or with words of its own (养马岛东侧海域
    is kept as read: the recognizer's likeliest entry would drop 东侧). Empty for a reading that is
    a listed name."""
    sp = _spec(spec)
    names = list(dict.fromkeys(_sea_area_names(sp)))
    s = clean_text(read)
    n = normalize_sea_area(read, sp)
    if s in names or not isinstance(n.value, str) or {"sea_area_beyond_list", "sea_area_toward_listed"} & set(n.flags):
        return []
    return [n for n in names if 0 <= len(n) - len(s) <= sum(ch in DROPPED for ch in n)]


@lru_cache(maxsize=4)
def _sea_area_names(sp: Spec) -> tuple[str, ...]:
    return tuple(n for p in sp.places.places if p.kind == "sea_area" for n in (p.name, *p.aliases))


def normalize_division(raw: str, year: int | None = None, spec: Spec | None = None) -> Normalized:
    """A 6-digit code, a district name or a whole address -> GB/T 2260 code valid in `year`.

    A code abolished by `year` is replaced by its successor (长岛县 370634 -> 蓬莱区 370614 after 2020).
    """
    raw = "" if raw is None else str(raw)
    sp = _spec(spec)
    s = clean_text(raw)
    if not s:
        return _blank(raw)
    flags: list[str] = []
    certainty = 1.0
    code: str | None
    if re.fullmatch(r"[0-9]{6}", s):
        if s not in sp.divisions:
            return _fail(raw, "division_not_found")
        code = s
    else:
        scan = scan_places(s, sp)
        code, dflags = district_of(scan, sp)
        deciding = deciding_hit(scan)
        # a correction elsewhere in the address (a town after an exact district, a village) is the
        # address's; the division is as sure as the place that names it
        if deciding is None or deciding.corrected:
            flags.extend(scan.flags)
        flags.extend(dflags)
        if code is None:
            return _fail(raw, *flags, "division_not_found")
        if "lexicon_corrected" in flags:
            certainty *= LEXICON_CERTAINTY
        if dflags:
            certainty *= 0.7
    return _with_validity(code, raw, year, sp, flags, certainty)


def _with_validity(code: str, raw: str, year: int | None, sp: Spec, flags: list[str], certainty: float) -> Normalized:
    div = sp.divisions[code]
    if year is not None and not div.valid_in(year):
        if div.valid_to is not None and year > div.valid_to and div.successor:
            succ = sp.divisions[div.successor]
            return _ok(succ.code, raw, *flags, "division_successor_used", certainty=certainty * 0.9)
        return _ok(code, raw, *flags, "division_outside_validity", certainty=certainty * 0.8)
    return _ok(code, raw, *flags, certainty=certainty)


def division_from_id(id_number: str, year: int | None = None, spec: Spec | None = None) -> Normalized:
    """Fallback: the ID number's first 6 digits when they are a listed division (flag division_from_id)."""
    sp = _spec(spec)
    if not id_number or id_number[:6] not in sp.divisions:
        return _fail("", "division_not_found")
    return _with_validity(id_number[:6], "", year, sp, ["division_from_id"], 0.5)
