"""Spec-guided repair of an ID number that fails its check digit (GB 11643): never invented.

A reading is corrected only when exactly ONE valid number lies one OCR confusion away from it
(one character swapped for a look-alike: CONFUSABLE, the recognizer's own misreadings, and X/Y/K; or one digit
the CTC decoder merged with its twin, …1611 read …161; or one digit blotted into a mark, …22*772,
which the check digit restores) AND that number agrees with the row: its
region code is a listed ID region (spec.id_regions: the divisions and 370601), its birth date fits the row's age at death,
its sex digit fits the row's sex. Otherwise the ID is not corrected: the valid number the recognizer
scored likeliest among those the row allows is only proposed for review (propose, `id_proposed`, below
every threshold), and where there is none it stays unread and flagged: several candidates
(`id_correction_ambiguous`) or none.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Collection, Iterable, Sequence

from .normalize import MAX_YEAR, MIN_YEAR, convert_15_to_18, id_check_digit, is_valid_id, normalize_id_number

CONFUSABLE: dict[str, str] = {
    "0": "8693",
    "1": "74",
    "3": "82",
    "4": "6",
    "5": "6",
    "6": "508",
    "7": "1",
    "8": "036",
    "9": "0",
}
"""Digit read -> the digits it may have been written as: the recognizer's (PP-OCR's) confusions of
printed, Kaiti and photographed digits. The first pairs (1/7, 0/8/6, 3/8, 5/6/8) came from printed
pages; 9, 3 read as 0 (a loop closed or a stroke lost in blur), 4 read as 1 (its crossing blurred
away), 6 read as 4, 0 read as 9 and 2 read as 3 are the single-digit misreadings of the design
stores' ID cells that occur more than once (the recognizer's first and second readings of seeds
3301, 3305, 4405, 4406, counted against their truth: 9->0 25, 6->0 22, 4->1 16, 6->5 7, 3->0 4,
5->6 4, 6->8 3, 6->4 3, 8->0 2, 0->9 2, 2->3 2). A misreading left out of the table makes the true
number no candidate, and a lone other candidate then a wrong correction (9 read as 0 was
corrected elsewhere); a pair put in only adds candidates, so a correction is made less often
(`id_correction_ambiguous`), never one more wrong."""
CHECK_CONFUSABLE = {"Y": "X", "K": "X"}  # the check character: X read as a letter

DECODE_MARGIN = 3.0
"""A spec-valid reading the recognizer scores (ocr score_readings) is taken as a cell's second
reading only when it is at least e^3 (20x) likelier than every other valid one considered
(pipeline.page.extract.decode_valid; choose_decoded: every other one the row does not rule out)..."""
DECODE_MAX_DROP = 7.0
"""...and no more than e^7 less likely than the reading itself: a valid text the recognizer hardly
sees in the crop is no reading of it."""


@dataclass(frozen=True)
class RowFacts:
    """What the rest of the row says about the person (None: unknown, not used)."""

    sex: str | None = None  # "1" / "2"
    age: int | None = None  # age at death, years
    death: _dt.date | None = None
    age_tolerance: int = 1
    no_age_column: bool = False  # the register records no age at death (a sea burial register)
    year: int | None = None  # the register's year: nobody in it was born after it
    age_look_alikes: tuple[int, ...] = ()
    """Other ages the age cell's reading may stand for, one digit read as a look-alike (CONFUSABLE): a number
    fitting any of them fits the row's age. Empty but where a proposal is weighed against an age that may be
    misread (mapping.record._age_misread_proposal)."""


def disagreements(cand: str, facts: RowFacts, regions: Collection[str]) -> tuple[str, ...]:
    """What a valid number (GB 11643: check character, a real birth date in digits 7-14) says that the row
    rules out, each check once, for every caller (_consistent, mapping.record's legacy checks):

    - `region`: its address code is no listed ID region (GB/T 2260, spec.id_regions);
    - `sex`: its sex digit (17, odd for a man) is not the row's sex;
    - `birth_date`: digits 7-14 are no real date;
    - `after_death`: born after the row's death date;
    - `after_register`: born after the register's year (GB 11643's birth date: a person is born before
      he is registered);
    - `age`: the age at death it gives (whole years from birth to death) is beyond the tolerance of the
      row's age (SPEC: age_years within +-1 of death_date - birth_date, the register's rounding), and of
      each of the age's look-alike readings where the row gives them (RowFacts.age_look_alikes).

    A check whose fact the row lacks (no sex, no age or no death date, no year) is not made. A number
    that is not valid at all gives `invalid` (after `region` where its address code is unlisted too) and
    nothing else."""
    out: list[str] = ["region"] if cand[:6] not in regions else []
    if not is_valid_id(cand):
        return (*out, "invalid")
    if facts.sex in ("1", "2") and ("1" if int(cand[16]) % 2 else "2") != facts.sex:
        out.append("sex")
    try:
        birth = _dt.date(int(cand[6:10]), int(cand[10:12]), int(cand[12:14]))
    except ValueError:
        return (*out, "birth_date")
    if facts.death is not None and birth > facts.death:
        out.append("after_death")
    if facts.year is not None and birth.year > facts.year:
        out.append("after_register")
    if facts.age is not None and facts.death is not None:
        d = facts.death
        exact = d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day))
        if all(abs(exact - a) > facts.age_tolerance for a in (facts.age, *facts.age_look_alikes)):
            out.append("age")
    return tuple(out)


def _consistent(cand: str, read_region: str, facts: RowFacts, regions: Collection[str]) -> bool:
    """Whether a valid number can be the row's person: nothing in it the row rules out (disagreements)."""
    return not disagreements(cand, facts, regions)


def candidates(read: str, facts: RowFacts, regions: Collection[str]) -> list[str]:
    """Every valid number one confusion away from `read` (17 or 18 characters, digits and a last
    X/Y/K) that agrees with the row; or, for 18 characters one of which (not the last) is no digit,
    every digit in its place that makes a valid number agreeing with the row (GB 11643's check
    digit leaves at most one). Sorted, no duplicates."""
    s = read.upper()
    out: set[str] = set()
    blot = [i for i, ch in enumerate(s[:17]) if not ch.isdigit()]
    if len(s) == 18 and len(blot) == 1 and (s[17].isdigit() or s[17] in "XYK"):
        # one character blotted out (a smudge read as *, ., :): the check digit fixes it
        i, last = blot[0], CHECK_CONFUSABLE.get(s[17], s[17])
        for d in "0123456789":
            cand = s[:i] + d + s[i + 1 : 17] + last
            if _consistent(cand, cand[:6], facts, regions):
                out.add(cand)
        return sorted(out)
    if not re.fullmatch(r"[0-9]{17}[0-9XYK]?|[0-9]{16}[0-9XYK]", s) or len(s) not in (17, 18):
        return []
    region = s[:6]
    if len(s) == 18:
        for i, ch in enumerate(s):
            alts = CHECK_CONFUSABLE.get(ch, "") if ch in CHECK_CONFUSABLE else CONFUSABLE.get(ch, "")
            for a in alts:
                cand = s[:i] + a + s[i + 1 :]
                if _consistent(cand, region, facts, regions):
                    out.add(cand)
    else:  # 17: a digit merged with its twin by the CTC decoder (…1611 read …161)
        for i in range(17):
            cand = s[: i + 1] + s[i] + s[i + 1 :]
            if _consistent(cand, region, facts, regions):
                out.add(cand)
    return sorted(out)


def legacy_sex_candidates(legacy: str, facts: RowFacts, regions: Collection[str]) -> list[str]:
    """The legacy 15-digit numbers (GB 11643-1989: no check digit, the 15th digit odd for a man) that differ
    from `legacy` only in that sex digit, by a digit the recognizer reads it for (CONFUSABLE), and fit the
    row (_consistent on the 18-character form: its sex digit the row's sex, a listed region, the birth
    date against the age at death and the death date). Sorted. Empty where the row's sex is unknown."""
    if facts.sex not in ("1", "2") or len(legacy) != 15 or not legacy.isdigit():
        return []
    out = {legacy[:14] + a for a in CONFUSABLE.get(legacy[14], "")}
    return sorted(c for c in out if _consistent(convert_15_to_18(c), c[:6], facts, regions))


def legacy_region_candidates(legacy: str, facts: RowFacts, regions: Collection[str]) -> list[str]:
    """The legacy 15-digit numbers (GB 11643-1989: a GB/T 2260 address code, no check digit) that differ from
    `legacy`, whose address code is no listed ID region (spec.id_regions), only in one digit of that code, by
    which it becomes a listed region, and that fit the row (_consistent on the 18-character form: sex digit,
    birth date against the age at death, the death date and the register's year). Any digit, not only the
    recognizer's confusions (CONFUSABLE): the listed regions are few, so one of them a single digit from an
    unlisted code is rare by chance, and an address code that is no division has a digit misread (on the
    1-bit design copies b3316/b3376 three such readings, 1 read for 4 twice, 1 for 3 once, each one digit
    from exactly one listed region, the true one). Sorted; empty for a listed code or a number that is no
    legacy one."""
    if len(legacy) != 15 or not legacy.isdigit() or legacy[:6] in regions:
        return []
    out = {r + legacy[6:] for r in regions if len(r) == 6 and sum(a != b for a, b in zip(r, legacy[:6])) == 1}
    return sorted(c for c in out if _consistent(convert_15_to_18(c), c[:6], facts, regions))


def correct_id(read: str, facts: RowFacts, regions: Collection[str]) -> tuple[str | None, list[str]]:
    """(the corrected number or None, candidates). A number only when there is exactly one and the
    row gives all it must agree with (sex, age, death date; on a register that records no age at
    death, sex alone): with less, nothing is corrected."""
    return correct_readings((read,), facts, regions)


def correct_readings(reads: Iterable[str], facts: RowFacts, regions: Collection[str]) -> tuple[str | None, list[str]]:
    """correct_id over every reading of one cell (its two crops' readings): the candidates of all of
    them pooled, a number only when the pool holds exactly one. A number one confusion from either
    reading is as possible as one from the other; the readings are the recognizer's, not ours."""
    c = sorted({x for read in dict.fromkeys(reads) if read for x in candidates(read, facts, regions)})
    if facts.sex not in ("1", "2") or ((facts.age is None or facts.death is None) and not facts.no_age_column):
        return None, c
    return (c[0] if len(c) == 1 else None), c


ROW_DECODED_CERTAINTY = 0.45
"""The most an ID chosen by choose_decoded is sure of: below every threshold (their floor is 0.5), so
such a number is always reviewed. The row's sex, age and death date rule rivals out only as far as they
were read right (a misread age rules out the true number as well as a false one), and the recognizer
alone found the rival close: the design stores hold too few such cells (1 of 452 camera IDs) to show
it as sure as a reading that needed no choice."""


ROW_DECODE_MAX_DROP = DECODE_MAX_DROP + DECODE_MARGIN
"""How far below the reading a number the row singles out may lie (choose_decoded): as far as the
texts a cell keeps reach (pipeline.page.extract.scored_alternatives keeps those within DECODE_MAX_DROP +
DECODE_MARGIN), not DECODE_MAX_DROP, the bound of the recognizer's choice alone. The row is evidence of
its own the recognizer does not have: a listed region, the birth date against the age at death and the
sex digit (GB 11643), and it must leave no rival within DECODE_MARGIN; such a number is never sure
(ROW_DECODED_CERTAINTY: always reviewed). On photographs the reading a number is chosen over is itself
invalid, two or three digits misread, each costing the true number 2 to 4 nats: on the design stores
(camera 4470/4480/4441, county and typed 3313/3316/3336, 1390 IDs) six cells whose only candidate the
row allowed was the true number lay 6.9-9.7 nats below their reading and were left blank; with this
bound the numbers the row chose were right 7 of 7 (2 of 2 before), none wrong (bench/number_fields.py)."""


def choose_decoded(
    alternatives: Sequence[tuple[str, float]] | None, facts: RowFacts, regions: Collection[str]
) -> tuple[str, float] | None:
    """The ID number the recognizer and the row agree on, for a cell whose decoding chose none
    (pipeline.page.extract: its readings invalid, the valid numbers near them scored on the crop and kept
    in `alternatives`, the reading first, each with its log-probability): the likeliest candidate
    that fits the row (_consistent: a listed region, the sex digit, the birth date against the age
    at death; GB 11643: digit 17 states the sex, digits 7-14 the birth date), where every other
    candidate that fits it lies DECODE_MARGIN or more below, and it no more than ROW_DECODE_MAX_DROP below
    the reading. The row only rules candidates out: a likelier one it rules out is no rival (a
    county design store's ID read a digit short: the likeliest valid number one edit from it bore
    the other sex's digit, the true number 0.25 nats behind was the only one the row allowed), and
    it never raises a candidate over a likelier one it allows (a design store's felt-pen ID
    …200387 read for …209387: 209387 likeliest, 1920 for 1929 0.2 nats behind, the row's age 81 at
    death rules 1920 out). A legacy 15-digit candidate is weighed as its 18-digit form and never
    chosen. With its share of the probability of all the texts scored: None where the row leaves a
    rival within DECODE_MARGIN (or allows none), or no text was scored."""
    if not alternatives or len(alternatives) < 2:
        return None
    reading_score = alternatives[0][1]
    fitting = _allowed(alternatives, facts, regions)
    if not fitting:
        return None
    best, text, _full = fitting[0]
    if len(text) != 18 or best < reading_score - ROW_DECODE_MAX_DROP:
        return None
    for x, _t, full in fitting[1:]:
        if best - x >= DECODE_MARGIN:
            break
        if full != text:
            return None
    share = 1.0 / sum(math.exp(x - best) for _t, x in alternatives if math.isfinite(x))
    return text, share


def _allowed(
    alternatives: Sequence[tuple[str, float]], facts: RowFacts, regions: Collection[str]
) -> list[tuple[float, str, str]]:
    """(score, text, its 18-character form) of each scored candidate (`alternatives` after the reading)
    the row allows (_consistent), likeliest first; a legacy 15-digit one weighed as its 18-digit form."""
    out: list[tuple[float, str, str]] = []
    for t, x in sorted(alternatives[1:], key=lambda a: -a[1]):
        if not math.isfinite(x) or len(t) not in (15, 18):
            continue
        full = convert_15_to_18(t) if len(t) == 15 else t
        if _consistent(full, full[:6], facts, regions):
            out.append((x, t, full))
    return out


ID_PROPOSED_CERTAINTY = 0.3
"""The most an ID proposed for review (propose) is sure of: below every threshold (their floor is 0.5) and
below a number the row singled out (ROW_DECODED_CERTAINTY), so the record is always reviewed. On the
design stores (county and typed 3316, camera 4482 and 4485, stress copies of 3316 typed bilevel and
county faded; bench/id_misses.py) the proposal was the true number in 7 of the 9 cells it filled, all
left blank before."""


REGISTER_YEAR_MIN_AGE = 2
"""The youngest age at death for which a number is weighed against the register's year (by_register_year):
a child dead at 0 or 1 may have been born in the register's year itself, which that weighing rules out."""


def by_register_year(facts: RowFacts) -> RowFacts:
    """The row's facts for weighing the numbers the recognizer scored on an ID's crop (choose_decoded, propose:
    both always reviewed) where the row's age at death was read and its death date was not: the death lies in
    the register's year or the year before (a cremation register's year is its cremations'; SPEC: death_date <=
    cremation_date, usually 1-7 days after), so the whole years from birth to death are those to the last day
    of the year before, or one more, or one less; with the spec's +-1 on the age (age_years within +-1 of
    death_date - birth_date) the number's birth year is checked against the age with one more year of
    tolerance, and no birth after that day (REGISTER_YEAR_MIN_AGE: not for infants). Never for a correction
    (correct_readings): the "usually" is no rule. On the scanned design copies (carbon c5/c6, 1-bit
    b3316/b3376/b3377) most IDs left to a proposal had their death date unread (faded or misplaced) and their
    age read (41 of the 87 IDs missed there in a row and column found, bench/id_misses.py); weighed so, 4 proposals
    that were wrong became the true number (c5 2, c6 2), none right was lost. The true number's birth year lay
    outside the window only where the age was misread, so the caller only chooses by it: where it rules out
    every candidate, the proposal is made on the row's facts alone as before (withdrawing the 7 it ruled out
    lost the sex, birth date and division a reviewer saw derived from them, right in 9 fields).
    `facts` itself where the death date is known, the age or the register's year is not, or the age is below
    REGISTER_YEAR_MIN_AGE."""
    if facts.death is not None or facts.age is None or facts.year is None or facts.age < REGISTER_YEAR_MIN_AGE:
        return facts
    return replace(facts, death=_dt.date(facts.year - 1, 12, 31), age_tolerance=facts.age_tolerance + 1)


def propose(
    alternatives: Sequence[tuple[str, float]] | None, facts: RowFacts, regions: Collection[str]
) -> tuple[str, float] | None:
    """The ID number to put before a reviewer where no repair settles the cell (correct_readings found none
    or several, choose_decoded none): the valid number the recognizer scored likeliest on the crop
    (`alternatives`, the reading first: pipeline.page.extract.scored_alternatives) among those the row
    allows (_consistent: GB 11643's check character, birth date and sex digit, a GB/T 2260 listed
    region), no more than DECODE_MAX_DROP below the reading (the recognizer's own bound: a number the row
    does not single out is proposed on the recognizer's word alone, and a text it hardly sees in the crop
    is no reading of it; on the design stores the two proposals 7.4 and 8.7 nats below their reading were
    wrong, of the nine within 5.7 nats seven were right), with its share of the probability of the texts
    scored. A legacy 15-digit number is given as written (the normalizer converts it). Only a proposal:
    the caller keeps it below ID_PROPOSED_CERTAINTY, whatever rivals lie near it. None where the row
    allows no scored number near enough, or nothing was scored."""
    if not alternatives or len(alternatives) < 2:
        return None
    fitting = _allowed(alternatives, facts, regions)
    if not fitting:
        return None
    best, text, _full = fitting[0]
    if best < alternatives[0][1] - DECODE_MAX_DROP:
        return None
    share = 1.0 / sum(math.exp(x - best) for _t, x in alternatives if math.isfinite(x))
    return text, share


def scored_far_below(
    number: str, alternatives: Sequence[tuple[str, float]] | None, facts: RowFacts, regions: Collection[str]
) -> bool:
    """Whether the recognizer scored `number` (a correction of a reading: correct_readings) on the cell's
    crop and found another valid number the row allows (_consistent) DECODE_MARGIN or more likelier
    (`alternatives`: the reading first, then the scored candidates; choose_decoded). A confusion table
    proposes a digit; the recognizer's own probability of the whole text says whether that digit is what
    it saw: a camera design store's ID read with two digits wrong (seed 4441) was "corrected" at a third,
    sure digit into a number 6 nats (400x) less likely than the true one. False where the number was not
    scored (the confusion is then all the evidence there is)."""
    if not alternatives or len(alternatives) < 2:
        return False
    scored = {t: x for t, x in alternatives[1:] if math.isfinite(x)}
    if number not in scored:
        return False
    return any(
        x - scored[number] >= DECODE_MARGIN and t != number and len(t) == 18
        for x, t, _full in _allowed(alternatives, facts, regions)
    )


_ID_MARKS = re.compile(r"[\s.,:;'`*·、，。：-]")


def near_valid_ids(read: str, regions: Collection[str]) -> list[str]:
    """Every valid ID number (check digit, real birth date, listed region code; or a legacy
    15-digit number of a listed region with a real birth date) one edit from a reading: one
    character inserted, dropped or replaced by any digit (X last). For the recognizer
    to choose among by its own probabilities (pipeline.page.extract, ocr score_readings): which digit
    is no guess of ours. Empty when the reading is valid already, or is no near-ID (14 to 19
    characters of digits and X once marks and spaces are dropped). Sorted."""
    s = _ID_MARKS.sub("", read or "").upper()
    if not 14 <= len(s) <= 19 or not re.fullmatch(r"[0-9X]+", s) or is_valid_id(s):
        return []
    if len(s) == 15 and normalize_id_number(s).value is not None:
        return []  # a legacy number read whole
    out: set[str] = set()
    for i in range(len(s) + 1):
        if i < len(s):
            out.add(s[:i] + s[i + 1 :])
        for ch in "0123456789X":
            out.add(s[:i] + ch + s[i:])
            if i < len(s):
                out.add(s[:i] + ch + s[i + 1 :])
    return sorted(listed_valid_ids(out, regions))


MARKS_DROPPED_CERTAINTY = 0.75
"""How sure an ID is whose reading held marks inside it (marks_dropped): below the sureness of a reading
that needed no repair, as sure as a correction agreeing with sex alone (mapping.record._repair_id). A
legacy 15-digit one is held lower (mapping.record._repair_id: no check character)."""


def marks_dropped(read: str, facts: RowFacts, regions: Collection[str]) -> str | None:
    """The ID a reading holds once the marks inside it are dropped (_ID_MARKS: a speck of dust or of a
    stamp's ink between two digits is read as . : , ' or *, a property of the recognizer and of
    imaging), where what is left is a whole number, 18 characters with the check character GB 11643
    gives them or a legacy 15-digit number (GB 11643-1989), of a listed region, whose birth date and
    sex fit the row (_consistent, the legacy number as its 18-character form); the number as it is
    written (15 or 18 characters). None where no mark is inside, or what is left is no such number.
    A mark that took a digit's place leaves a number a digit short: that is candidates' blotted digit."""
    s = (read or "").upper()  # its ends already bare (mapping.record._repair_id: stray marks there are trimmed)
    bare = _ID_MARKS.sub("", s)
    if bare == s:
        return None
    return whole_number(bare, facts, regions)


def whole_number(bare: str, facts: RowFacts, regions: Collection[str]) -> str | None:
    """`bare` (digits and a last X, no marks) where it is a whole number fitting the row: 18 characters with
    the check character GB 11643-1999 gives them, or a legacy 15-digit number (GB 11643-1989) with a real
    birth date; of a listed region, its birth date and sex fitting the row (_consistent, the legacy number as
    its 18-character form). None otherwise."""
    if re.fullmatch(r"[0-9]{17}[0-9X]", bare):
        full = bare
    elif re.fullmatch(r"[0-9]{15}", bare) and normalize_id_number(bare).value is not None:
        full = convert_15_to_18(bare)
    else:
        return None
    return bare if _consistent(full, full[:6], facts, regions) else None


_MARK_BEFORE_ONE = re.compile(r"(?<=[0-9])[.,:;'`*·、，。：-](?=1)")
"""A mark between a digit and a 1 inside an ID reading (spaces already dropped)."""

BROKEN_FOUR_MAX = 3
"""The most marks before a 1 one reading is read both ways for (2^3 readings)."""


def marks_before_one(read: str) -> int:
    """How many marks stand between a digit and a 1 in a reading (spaces dropped): see broken_four_readings."""
    return len(_MARK_BEFORE_ONE.findall("".join((read or "").split())))


def broken_four_readings(read: str) -> list[str]:
    """The readings a reading gives where a mark directly between a digit and a 1 (. : , - ' and the like)
    is the crossbar of a 4 and the 1 its upright: every choice of such marks read, with their 1, as one 4
    (at least one; the marks not chosen stay, for marks_dropped). A property of the recognizer on 1-bit
    (bilevel) scans: thresholding breaks a printed 4 where its diagonal meets the crossbar, and PP-OCR reads
    the pieces as a mark and a 1. Measured on the 1-bit copies of design sets (the reading against the truth,
    bench/results/s31-bilevelids-2026-12-06.md): every mark directly before a 1 on the 1-bit copy of fresh seed 3334's
    county store was a 4 so broken (6 of 6: . 1 for 4), none a speck before a written 1 on any of the
    seven stores looked at. Spaces dropped; empty where no mark stands before a 1 (or more than
    BROKEN_FOUR_MAX do)."""
    s = "".join((read or "").split())
    spots = [m.start() for m in _MARK_BEFORE_ONE.finditer(s)]
    if not spots or len(spots) > BROKEN_FOUR_MAX:
        return []
    out: list[str] = []
    for mask in range(1, 1 << len(spots)):
        chars = list(s)
        for k, i in enumerate(spots):
            if mask >> k & 1:
                chars[i], chars[i + 1] = "", "4"
        out.append("".join(chars))
    return out


def broken_four(read: str, facts: RowFacts, regions: Collection[str]) -> set[str]:
    """The whole numbers fitting the row (whole_number) that the broken_four_readings of `read` give once
    their other marks are dropped; as written (15 or 18 characters). Empty where there are none."""
    out: set[str] = set()
    for v in broken_four_readings(read):
        got = whole_number(_ID_MARKS.sub("", v).upper(), facts, regions)
        if got is not None:
            out.add(got)
    return out


DATE_DROPPED_CERTAINTY = 0.45
"""The most an ID read from a cell that also held a date (number_before_date) is sure of: below every
threshold (their floor is 0.5), so the record is always reviewed. The cell held another column's writing:
the boundary between the ID column and its neighbour was not found, so the page's structure is in doubt
and so is every field on it, the number too, whatever its check digit says."""

_DATE_TAIL = re.compile(r"(\S{4})\s*[-~=/.]\s*([0-9]{1,2})\s*[-~=/.\s]\s*([0-9]{1,2})\s*$")


def number_before_date(read: str) -> str | None:
    """The ID number a reading holds before a date written after it on the same line: the ID column
    and the date column beside it read as one cell, their boundary lost (a photographed page: its ruling
    blurred or bent). GB 11643 gives the number a fixed length, 18 characters of digits with the check
    character last, and no separator; a date (SPEC: YYYY-MM-DD) is four characters of year, a
    separator, the month and the day (the separators as the recognizer reads a hyphen: - ~ = / . or a
    space). The text before such a tail is the number's reading, returned as read, where it holds 17 to 19
    characters of digits and X (an 18-character number with a digit lost or doubled at most, for the
    ordinary checks and repairs: mapping.record); None where the reading ends in no date, the tail's
    month or day is none (1-12, 1-31; the year's characters are the recognizer's, a letter may stand for
    a digit), or what is before it is no such reading. A legacy 15-digit head is not taken: a number of
    18 read three characters short is as likely, and nothing checks a legacy number's digits."""
    s = unicodedata.normalize("NFKC", read or "")
    m = _DATE_TAIL.search(s)
    if m is None or not 1 <= int(m.group(2)) <= 12 or not 1 <= int(m.group(3)) <= 31:
        return None
    head = s[: m.start()].strip()
    bare = _ID_MARKS.sub("", head).upper()
    if not 17 <= len(bare) <= 19 or re.fullmatch(r"[0-9]+X?", bare) is None:
        return None
    return head


ID_LINE_OTHER_MIN = 14
"""The fewest digits a second line beside a whole number must hold to be a number of its own (a
legacy number, 15, read one short): then the cell holds two numbers and neither line is taken."""


def id_line_alone(line: str, shortest: int = 17) -> bool:
    """Whether one text line of a cell is a whole ID number by itself: `shortest` to 19 digits (X
    last), marks and spaces dropped. An 18-character number (GB 11643-1999) read with a digit lost
    or doubled is 17 or 19 long; beside it another line can hold no digit of the same number."""
    s = _ID_MARKS.sub("", line or "").upper()
    return shortest <= len(s) <= 19 and re.fullmatch(r"[0-9]+X?", s) is not None


ID_ALPHABET = "0123456789X"
"""What an ID cell holds: the texts a recognizer is searched for (ocr likeliest_texts)."""


_DAYS_MAX = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _date_prefix_ok(digits: str, century: bool) -> bool:
    """Whether `digits` can begin a birth date of an ID number: YYYYMMDD (`century`, GB 11643-1999,
    MIN_YEAR-MAX_YEAR) or YYMMDD (GB 11643-1989's legacy number); the month 01-12, the day 01 to the
    month's most (29 for February: whether the year is a leap year is checked on the whole number)."""
    if not digits.isdigit():
        return False
    y = 4 if century else 2
    year, rest = digits[:y], digits[y:]
    if century and year:
        lo, hi = str(MIN_YEAR), str(MAX_YEAR)
        if not lo[: len(year)] <= year <= hi[: len(year)]:
            return False
    month, day = rest[:2], rest[2:4]
    if len(month) == 1 and month not in ("0", "1"):
        return False
    if len(month) == 2 and not 1 <= int(month) <= 12:
        return False
    if day:
        top = _DAYS_MAX[int(month) - 1]
        if len(day) == 1:
            return int(day) <= top // 10
        return 1 <= int(day) <= top
    return True


class IdPrefixes:
    """Whether a text can still begin an ID number of a listed region (GB 11643): six digits of an
    address code a listed division or `spec.id_address_codes` begins with, a birth date (YYYYMMDD; a
    legacy 15-digit number's YYMMDD), three digits of order, and for 18 characters the check character
    the first 17 give. The recognizer's search of an ID cell (pipeline.page.extract: ocr
    likeliest_texts' `viable`) extends only such beginnings: a number read with two or three digits
    wrong (6 read as 0 twice in one blurred cell) lies far down the recognizer's list of digit texts,
    behind hundreds of numbers no ID can be, and is found when those are never grown. The structure is
    the standard's, the regions the official division list's; nothing is learnt from a register."""

    def __init__(self, regions: Collection[str]) -> None:
        self._starts = frozenset(r[:k] for r in regions if len(r) == 6 and r.isdigit() for k in range(7))

    def __call__(self, text: str) -> bool:
        n = len(text)
        if n == 0:
            return True
        if n > 18 or text[: min(n, 6)] not in self._starts:
            return False
        if n <= 6:
            return True
        if "X" in text[:17]:
            return False
        body = text[6:]
        if n == 18:
            return text[17] == id_check_digit(text[:17]) and _date_prefix_ok(body[:8], True)
        century = _date_prefix_ok(body[:8], True)
        legacy = n <= 15 and _date_prefix_ok(body[:6], False)
        return century or legacy


def id_needs_decoding(read: str) -> bool:
    """Whether an ID reading is worth decoding: it holds at least 12 characters once marks and
    spaces are dropped (an attempt at a number, not a stray mark) and normalizes to no ID (neither
    a valid 18-digit number nor a legacy 15-digit one)."""
    s = _ID_MARKS.sub("", read or "")
    return len(s) >= 12 and normalize_id_number(s).value is None


def listed_valid_ids(texts: Iterable[str], regions: Collection[str]) -> list[str]:
    """The IDs of a listed region among `texts` (a recognizer's likeliest texts), in their order,
    once each: valid 18-digit numbers, and legacy 15-digit ones with a real birth date (a legacy
    number has no check digit: only its region and date tell)."""

    def ok(t: str) -> bool:
        if t[:6] not in regions:
            return False
        if len(t) == 15:
            return t.isdigit() and normalize_id_number(t).value is not None
        return len(t) == 18 and is_valid_id(t)

    return list(dict.fromkeys(t for t in texts if ok(t)))


def joined_across_row(head: str, below: str) -> tuple[str, str] | None:
    """The number a row's ID cell begins and the ID cell of the row below ends, where the number was
    written too long for its cell and wrapped onto a second line that lies across the ruled line: the
    cell is cut at the line, so the row reads only the number's head and the row below reads its tail
    before (or instead of) its own number. `head`: the row's ID cell as read (too short for an ID);
    `below`: the ID cell of the row below. Returns (the whole number, what the row below holds without
    its tail: its own whole number, or "" where it held only the tail), or None where no join is sure.

    Sources: GB 11643-1999 (an ID is 18 characters, 17 digits and a check character computed from them,
    the birth date in characters 7-14, the address code of GB/T 2260 in 1-6: `is_valid_id`) and the
    register's form (one entry per ruled row; writing crossing a row line continues the entry it starts
    in). The join is taken only where the head is digits alone and not a number of its own (a legacy
    15-digit one), the head and the first characters of the row below make an 18-character number that
    holds every GB 11643 check, and what the row below holds after them is nothing or a whole valid
    number of its own: then the split point is told by the length and confirmed by the check character,
    the region and the date. Found on design 1-bit copies of typed_sheets seed 3334 (bench/stress_scans.py
    --wrap, s34 B and D): IDs read as 8-14 digits whose rest was read at the top of the next row's cell."""
    h = "".join(head.split()).upper()
    b = "".join(below.split()).upper()
    if not h.isdigit() or not 1 <= len(h) <= 17 or len(h) == 15 or not b:
        return None
    if re.fullmatch(r"[0-9X]+", b) is None:
        return None
    k = 18 - len(h)
    whole, rest = h + b[:k], b[k:]
    if len(b) < k or not is_valid_id(whole):
        return None
    if rest and not is_valid_id(rest):
        return None
    return whole, rest
