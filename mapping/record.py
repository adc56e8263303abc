"""One ledger row -> MappedRecord: normalize every field, derive what the spec derives, validate across fields.

Confidence of a field = OCR confidence of its cell x the normalizer's certainty x a factor per
validation flag (info 1.0, warn 0.7, error 0.3; see mapping.flags). A derived value takes the
confidence of its source. A mandatory field with no value has confidence 0.
`MappedRecord.problems` lists every cross-field failure as "field: what is wrong" (never a value).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Sequence

from pipeline.kernel.models import FieldValue, MappedRecord, RawCell
from pipeline.kernel.reasons import zh_en

from . import normalize as N
from .flags import CONFIDENCE_FACTOR, severity
from .idfix import (
    CONFUSABLE,
    DATE_DROPPED_CERTAINTY,
    ID_PROPOSED_CERTAINTY,
    MARKS_DROPPED_CERTAINTY,
    ROW_DECODED_CERTAINTY,
    RowFacts,
    broken_four,
    by_register_year,
    choose_decoded,
    correct_readings,
    disagreements,
    legacy_region_candidates,
    legacy_sex_candidates,
    marks_before_one,
    marks_dropped,
    number_before_date,
    propose,
    scored_far_below,
)
from .numberforms import FORMS as NUMBER_FORMS
from .numberforms import row_decoded
from .phonefix import PHONE_DECODED_CERTAINTY, PHONE_RIVAL_CERTAINTY, decode_phone, rival_number
from .spec import FieldSpec, KindSpec, Spec, load_spec


@dataclass(frozen=True)
class RecordContext:
    """What build_record knows beyond the row: run config, the ledger's year, the spec."""

    funeral_home_code: str | None = None
    ledger_year: int | None = None
    spec: Spec | str | None = None  # a Spec, a version name or a spec file path; None: the default version
    # cremation_cert_no -> cremation_date (ISO) of already mapped cremation records, to check sea burials
    linked_cremation_dates: Mapping[str, str] | None = None
    # the fields whose values on the page mostly lie within the ledger year's window (put_back_years)
    ledger_year_fields: frozenset[str] = frozenset()


INK_PER_CHAR, INK_SLACK = 1.1, 0.35
"""A name whose ink is wider than len x 1.1 + 0.35 glyph heights has lost a character in reading
(2-character names measure at most 2.3, 3-character ones at least 2.8 on the generated ledgers)."""
ADDRESS_INK_PER_CHAR = 1.08
"""An address (Han characters 1 glyph height wide, digits and Latin letters 0.55) whose ink is wider
than its text x 1.08 + 0.35 has probably lost a character (疃, 夼 dropped from a village name):
correct readings of the fitting sets measure 0.97 x their text (99th percentile 1.16), readings
that lost a character 1.05-1.2 x; the check doubts about 3 % of correct addresses."""


def text_width(text: str) -> float:
    """Expected ink width of a text in glyph heights: Han characters 1, digits and Latin letters 0.55."""
    return sum(0.55 if ch.isascii() and ch.isalnum() else 1.0 for ch in text)


def ink_wider_than_text(normalizer: str | None, text: str, ink: float | None) -> bool:
    """The cell's ink is wider than the text read from it: a character was probably dropped."""
    if ink is None or not text:
        return False
    if normalizer == "name":
        return ink > INK_PER_CHAR * len(text) + INK_SLACK
    if normalizer == "address":
        return ink > ADDRESS_INK_PER_CHAR * text_width(text) + INK_SLACK
    return False


CHINESE_FREE_TEXT = ("remarks",)
"""Fields of free text a Chinese register writes in Chinese (the spec's 备注: normalizer "text", no code
table, no number form): its alphabet is Han characters, digits and a few marks. Latin letters and kana,
which the recognizer's dictionary holds (PP-OCR's character list: engine.dictionary()), are no part of
such a note; the register numbers (登记号, 船次), also "text", may hold Latin letters and are left out."""

NOISE_TEXT_CERTAINTY = 0.5
"""A reading of a free-text cell less sure than this is no sure writing: the least threshold any field
read by OCR is accepted at (pipeline.quality.calibration.FLOOR; pipeline.page.extract.NOISE_CERTAINTY)."""

NOISE_BLANK_CERTAINTY = 0.45
"""How sure the blank left for a free-text cell read only as noise (noise_text) is: a proposal for the
reviewer, never accepted unseen (under the least calibrated threshold, NOISE_TEXT_CERTAINTY), and never a
sure blank: the cell holds some mark (pipeline.page.extract.PREFIX_FROM_COLUMN_CERTAINTY likewise)."""


def noise_text(text: str, confidence: float) -> bool:
    """Whether a reading of a Chinese free-text cell (CHINESE_FREE_TEXT) is only noise, no writing: paper
    grain, a shadow's edge or a neighbour's ink read by a recognizer whose dictionary holds Latin letters,
    kana and symbols (NORO2RONCMSAXVRE, グた). Noise where it holds no character of the field's alphabet
    (no Han character, no digit: only letters, kana or marks), or where the recognizer read it less sure
    than NOISE_TEXT_CERTAINTY and it holds no Han character (digits alone read unsurely off a blank cell)
    or holds a Latin letter or kana (outside the field's alphabet). A property of the recognizer (it reads
    any blob as its likeliest glyphs, from its whole dictionary) and of the field's alphabet; no
    vocabulary of any register."""
    s = N.clean_text(text)
    if not s:
        return False
    han = any(N._is_han(ch) for ch in s)
    digit = any(ch.isdigit() for ch in s)
    foreign = any((ch.isascii() and ch.isalpha()) or 0x3040 <= ord(ch) <= 0x30FF for ch in s)
    if not han and not digit:
        return True
    return confidence < NOISE_TEXT_CERTAINTY and (not han or foreign)


NOISE_BLANKED = "noise_reading_blanked"

NOISE_PROBLEM = zh_en(
    "格内只读出杂点或非中文字符（纸纹、阴影或邻格墨迹），按空白待核对，识别原文保留",
    "only noise read in the cell (paper grain, a shadow, a neighbour's ink): left blank for review, the reading kept",
)


def _blank_noise(fv: FieldValue, ocr_conf: float) -> None:
    """A free-text field read only as noise (noise_text): blank, doubted (NOISE_BLANK_CERTAINTY at
    most, never a sure blank), flagged NOISE_BLANKED; the reading stays in raw."""
    fv.value = None
    fv.flags.append(NOISE_BLANKED)
    fv.confidence = min(ocr_conf, NOISE_BLANK_CERTAINTY)


def _flag(fv: FieldValue, code: str) -> None:
    if code not in fv.flags:
        fv.flags.append(code)
        fv.confidence *= CONFIDENCE_FACTOR.get(severity(code), 0.7)


def _iso(value: object) -> _dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        return None


FREE_TEXT = ("address", "text")
"""Normalizers any text passes: they cannot choose between two readings. (A name can: one starting
with a known surname, with no doubtful glyph, against one that does not.)"""


def reads_cleanly(kind: str, field: str, text: str, context: RecordContext) -> bool:
    """Whether `text` is a valid value of `field` as it stands: normalized with no flag but
    CLEAN_FLAGS (a code-table wording, a list entry, an ID whose check digit holds or a legacy
    15-digit one, a well-formed date, a name starting with a known surname). Used to choose between two readings that disagree
    (ocr.agreement.resolve); free text never is, but for an address naming a listed village
    (names_listed_village)."""
    sp = load_spec(context.spec)
    f = sp.kind(kind).require(field)
    if f.source == "cell" and f.normalizer == "address" and (text or "").strip():
        return names_listed_village(text, sp)
    if f.source != "cell" or f.normalizer in FREE_TEXT or not (text or "").strip():
        return False
    n = _normalizer(f, sp, context.ledger_year, None)(text)
    return n.value is not None and not set(n.flags) - CLEAN_FLAGS


def names_listed_village(text: str, sp: Spec) -> bool:
    """Whether an address reading names, right after a town or street read exactly, a village of that
    town's list read exactly (traditional forms folded; mapping.places.find_village at cost 0): the one
    part of a free-text address an official list vouches for (NBS 2023 villages under their town). Two
    readings of one cell that disagree, exactly one of them naming such a village, are arbitrated by it
    (reads_cleanly, ocr.agreement.resolve: SPEC_CHOSE_FACTOR, under every fitted address threshold, so held).
    Design stores (session 30: d3316, f3321, carbon c5/c6/brc6b, faded d3316fd, 1-bit b3316; 1336
    addresses): of 9 disagreeing readings where one named a listed village and the other a village off the
    list, the listed one was the village written in all 9 (3 of them not kept before)."""
    from .places import find_village

    t = N.fold_traditional(N.clean_text(text))
    v = find_village(t, sp) if t else None
    return v is not None and v.cost == 0


DECODED_NUMBER_CERTAINTY = 0.45
"""The most a number cell decoded under its field's written forms is sure of (pipeline.page.extract
number_decoders: a certificate number, date, age or count whose reading was no value): below every
threshold (their floor is 0.5), so it is always reviewed, as an ID chosen by its row (ROW_DECODED_CERTAINTY)
or a phone decoded by the numbering plan (mapping.phonefix.PHONE_DECODED_CERTAINTY): only the form, no
check digit, stands behind it."""

CLEAN_FLAGS = frozenset({"converted_15_to_18"})
"""Flags that leave a value clean (reads_cleanly): a legacy 15-digit ID of a real birth date is a
valid number as written."""


def _value_confidence(n: N.Normalized, reading_confidence: float) -> float:
    """How sure a normalized value is, from the confidence of the reading it came from. A value
    chosen from a closed list by glyph shape: the reader's confidence in the characters it got
    wrong says nothing of the match; the match's own certainty stands (calibrated like any)."""
    if any(fl in SHAPE_MATCHES for fl in n.flags):
        return n.certainty
    return min(1.0, max(0.0, reading_confidence)) * n.certainty


LIST_CORRECTIONS = frozenset(
    {
        "lexicon_corrected",
        "village_corrected",
        "village_shape_corrected",
        "road_place_name_corrected",
        "division_doubt_corrected",
        "county_suffix_corrected",
        "province_suffix_fixed",
        "building_unit_fixed",
        "sea_area_toward_listed_by_shape",
        "sea_area_suffix_by_shape",
        "sea_area_matched_by_shape",
        "code_matched_by_shape",
        "fuzzy_match",
        "id_corrected",
    }
)
"""Flags of a value that is not the text read but what a list or a rule put it right to (the place-name
lexicon, the village list, the sea-area list, a code table by shape or near wording, GB 11643's check
digit). Two readings BOTH put right to the same value are no agreement (_second_gives_same_value): the
recognizer read the value in neither, and the same list and the same rule made both corrections, so
they are one witness, not two. Where one reading gives the value as read, the two still agree."""


def _second_gives_same_value(
    f: FieldSpec, n: N.Normalized, cell: Any, normalize: Callable[[str], N.Normalized], sp: Spec
) -> float | None:
    """Two readings of a cell that differ as text (养马岛海域 / 养马岛海城, 儿子 / 儿了, 2017.10.11 /
    2017,10.11, 海阳市发城镇 / 海阳市发域镇 where the lexicon puts the town right) but give the same
    value agree on what matters: the value confidence the other reading gives (_value_confidence),
    to be combined with the kept one's as independent agreement; None where they do not (or the
    field is free text, where the value is the text as read)."""
    if (
        cell is None
        or getattr(cell, "agreed", None) is not False
        or not getattr(cell, "second", None)
        or n.value is None
        or f.normalizer == "text"
        or getattr(cell, "own_confidence", None) is None
    ):
        return None
    other = normalize(cell.second)
    if other.value != n.value:
        return None
    if LIST_CORRECTIONS & set(n.flags) and LIST_CORRECTIONS & set(other.flags):
        return None  # neither reading gave the value: a list put both right, and one list is one witness
    if getattr(cell, "decoded", False) and LIST_CORRECTIONS & (set(n.flags) | set(other.flags)):
        # one reading the recognizer's decoding of the crop under the field's list, the other put right to the
        # same entry by that list (喧明岛海域 by shape to 崆峒岛海域): the decoding was run because the greedy
        # reading was off the list, and the list made both: one witness (DECODED_SEA_AREA_CERTAINTY stands)
        return None
    if "converted_15_to_18" in n.flags and "converted_15_to_18" in other.flags:
        return None  # one legacy number read twice from one ink: no check digit, one witness (_agreement_unweighed)
    return _value_confidence(
        other, _reading_confidence(f, sp, cell.second, float(cell.second_confidence or 0.0), getattr(cell, "second_chars", None))
    )


def _reading_confidence(f: FieldSpec, sp: Spec, text: str, confidence: float, chars: Sequence[float] | None) -> float:
    """How sure one reading of a cell is: the recognizer's confidence in it, or for an address the
    least sure of its characters outside the place names found in it (N.address_reading_confidence),
    where its per-character probabilities are known."""
    if f.normalizer == "address" and chars is not None:
        by_char = N.address_reading_confidence(text, chars, sp)
        if by_char is not None:
            return by_char
    return confidence


def _normalizer(
    f: FieldSpec, sp: Spec, year: int | None, id_value: str | None, chars: Sequence[float] | None = None
) -> Callable[[str], N.Normalized]:
    """The field's normalizer, given the reading with traditional character forms folded to their
    simplified form (`normalize.fold_traditional`); the reading itself stays the raw text. Where the
    reading as written gives a surer value, that one is kept: a traditional glyph read may be a
    look-alike of another character (華 for 葬, 徹 for 撒), which shape matching finds in the glyph as
    read and loses in its simplified form (华, 彻)."""
    plain = _plain_normalizer(f, sp, year, id_value, chars)
    return lambda raw: _normalize_folded(plain, raw, f.normalizer == "address")[0]


def _keeps_traditional(n: N.Normalized) -> bool:
    """Whether an address's value still holds a traditional form that folds
    (`normalize.fold_traditional`): no such value is what a register of 2010 onward wrote (the State
    Council's 通用规范汉字表, 2013: the standard simplified forms, which the platform requires), only what
    the recognizer wrote for a simplified glyph (鎮 for 镇, 黃 for 黄, 馬 for 马). The reading as written
    is kept over the folded one only where shape matching put right the glyph as read (華 for 葬), which
    leaves no traditional form behind. Design stores (session 30: d3316, f3321, carbon c5/c6/brc6b,
    faded d3316fd, 1-bit b3316; 1336 addresses): 29 addresses kept a traditional form as read, none right;
    folded, 11 are right (each with a lexicon, division or village correction on the folded text), none made
    wrong."""
    v = n.value
    return isinstance(v, str) and N.fold_traditional(v) != v


def _normalize_folded(
    plain: Callable[[str], N.Normalized], raw: str, simplified_only: bool = False
) -> tuple[N.Normalized, N.Normalized | None]:
    """The value `_normalizer` gives (the reading normalized with its traditional forms folded, or as
    written where that is surer) and, where the folded value was kept (flag TRADITIONAL_FOLDED), the
    reading as written normalized (None otherwise): one normalizing of each, for the callers that weigh
    a folded value against the reading as written (a name, `_weigh_name`). `simplified_only` (an
    address): the reading as written is never kept where its value holds a traditional form
    (`_keeps_traditional`)."""
    folded = N.fold_traditional(raw) if isinstance(raw, str) else raw
    if folded == raw:
        return plain(raw), None
    n = plain(folded)
    as_read = plain(raw)
    if (
        as_read.value is not None
        and (n.value is None or as_read.certainty > n.certainty)
        and not (simplified_only and _keeps_traditional(as_read))
    ):
        return as_read, None
    return N.Normalized(n.value, raw, (*n.flags, N.TRADITIONAL_FOLDED), n.certainty), as_read


def _plain_normalizer(
    f: FieldSpec,
    sp: Spec,
    year: int | None,
    id_value: str | None,
    chars: Sequence[float] | None = None,
    own_chars: Sequence[float] | None = None,
) -> Callable[[str], N.Normalized]:
    """`own_chars`: the kept reading's own character probabilities where two readings disagreed
    (ocr.agreement.resolve drops `chars` then): an address's county or town is put right only at a
    character the reader doubted (N.normalize_address)."""
    kind = f.normalizer
    if kind == "date":
        return lambda raw: N.normalize_date(raw, year)
    if kind == "id_number":
        return N.normalize_id_number
    if kind == "sex":
        return lambda raw: N.normalize_sex(raw, id_value, sp)
    if kind == "code":
        table = sp.table(f.code_table or "")
        if f.code_table == "ashes_destination":
            return lambda raw: N.ashes_destination(raw, sp)
        if f.code_table == "relation":
            return lambda raw: N.relation(raw, sp)
        return lambda raw: N.normalize_code(raw, table)
    if kind == "name":
        return lambda raw: N.normalize_name(raw, f.max_length or 50)
    if kind == "age":
        return N.normalize_age
    if kind == "count":
        return N.normalize_count
    if kind == "phone":
        return N.normalize_phone
    if kind == "cert_no":
        return lambda raw: N.normalize_cert_no(raw, year)
    if kind == "division":
        return lambda raw: N.normalize_division(raw, year, sp)
    if kind == "address":
        return lambda raw: N.normalize_address(raw, sp, f.max_length or 200, chars, own_chars)
    if kind == "sea_area":
        return lambda raw: N.normalize_sea_area(raw, sp, f.max_length or 50)
    return lambda raw: N.normalize_text(raw, f.max_length)


def _field_order(ks: KindSpec) -> list[FieldSpec]:
    # the ID first (sex and birth date lean on it); names after the sex and relations (their bearer's
    # sex weighs them: name_bearer_sex); the division after the address
    first = [f for f in ks.fields if f.normalizer == "id_number"]
    last = [f for f in ks.fields if f.source == "derived" or f.normalizer == "division"]
    names = [f for f in ks.fields if f.normalizer == "name" and f not in first and f not in last]
    middle = [f for f in ks.fields if f not in first and f not in last and f not in names]
    return first + middle + names + last


AGREED_WORDING_FROM = 0.5
"""The least combined confidence of two agreeing readings of a code wording that
AGREED_WORDING_CERTAINTY stands for (below it the fitting sets hold too few to tell)."""


DECODED_SEA_AREA_CERTAINTY = 0.9
"""How sure a sea area not read as a listed one and decoded to one (pipeline.page.extract.decode_valid)
is: the recognizer found that entry e^3 likelier in the cell than any other entry. Its share of the
probability, the reading's included, says little here (a felt-pen 崆峒 is read 喧明 e^5-e^8 likelier
than the truth, so the share is 0.0002-0.5): on the six sets 40101-40104, 9436 and 9437, 70 of 71
such sea areas read off the list were right; with those matched by shape decoded too, on the eight
sets 40101-40104 and 9436-9439 read again, 923 of 924 (shares 0.00001-0.5)."""


CHOSEN_WORDING_CERTAINTY = 0.9
"""How sure a code is whose two readings disagree where only one is a table wording (the spec chose
it, ocr.agreement.resolve) and no wording of another code is one character away from it
(normalize.wording_isolated): a misreading landing exactly on a valid wording of the same code is
rare. On the seven sets 40101-40104, 9436-9438, 39 of 40 such chosen wordings were right, 24 of
them held below the codes' threshold by the chosen reading's own doubt."""


SHAPE_MATCHES = ("sea_area_matched_by_shape", "code_matched_by_shape")
"""Flags of a value chosen from a closed list by glyph shape (mapping.glyphs)."""


RELATION_SEX = {"20": "1", "30": "2"}
"""The relation codes (GB/T 4761, the spec's relation table) that name their person's sex (GB/T 2261.1): 子 (20) a
son, 女 (30) a daughter. 配偶 (10) is the deceased's spouse: of the other sex (the Civil Code, art. 1046-1049: a
marriage is made by a man and a woman). The others (孙辈, 父母, 兄弟姐妹, 其他亲属 ...) name either."""
SPOUSE = "10"

_MEN = (
    "子 儿子 长子 次子 三子 四子 五子 独生子 之子 儿 养子 继子 夫 丈夫 孙子 外孙 外孙子 曾孙子 外曾孙子 孙女婿 父 父亲"
    " 继父 养父 公公 岳父 祖父 外祖父 曾祖父 爷爷 姥爷 兄 弟 哥 兄弟 哥哥 弟弟 姐夫 妹夫 侄子 外甥 女婿 叔叔 叔父 伯父"
    " 舅舅 舅父 姨父 姑父 表哥 表弟 堂兄 堂弟 堂兄弟 表兄弟"
)
_WOMEN = (
    "女 女儿 长女 次女 三女 四女 五女 独生女 之女 养女 继女 妻 妻子 孙女 外孙女 曾孙女 外曾孙女 孙媳 母 母亲 继母 养母"
    " 婆婆 岳母 祖母 外祖母 曾祖母 奶奶 姥姥 姐 妹 姐妹 姐姐 妹妹 嫂 嫂子 弟媳 侄女 外甥女 儿媳 儿媳妇 伯母 婶母 舅母"
    " 姨 姨母 姑姑 姑母 表姐 表妹 堂姐妹 表姐妹"
)
RELATION_WORDING_SEX = {**{w: "1" for w in _MEN.split()}, **{w: "2" for w in _WOMEN.split()}}
"""Kinship words that name their person's sex, as the relation cell may write them: GB/T 4761's detailed codes
list each relative by sex (夫 and 妻, 孙子 and 孙女, 父亲 and 母亲, 兄 弟 姐 妹 apart), where the spec's coarse
table folds them (孙辈, 父母, 兄弟姐妹, 其他亲属); a word is the person's sex only where it is the whole cell."""


def deceased_sex(out: Mapping[str, FieldValue], id_value: str | None) -> str | None:
    """The deceased's sex (GB/T 2261.1 "1" / "2"): the sex column's reading, the ID's 17th digit (GB 11643:
    odd for a man) where the number is valid; None where neither says it, or where they disagree."""
    fv = out.get("sex_code")
    read = str(fv.value) if fv is not None and fv.value in N.SEXES and "derived_from_id" not in fv.flags else None
    by_id = N.sex_from_id(id_value) if id_value else None
    if read is not None and by_id is not None and read != by_id:
        return None
    return read or by_id


def name_bearer_sex(name_field: str, out: Mapping[str, FieldValue], id_value: str | None) -> str | None:
    """The sex of the person a name field names, where the row says it: the deceased's (deceased_sex);
    an agent's or registrant's by the relation mapped beside it (`<person>_relation_code`): its wording
    where that names a sex (RELATION_WORDING_SEX: 孙女, 父亲, 妹), else its code (RELATION_SEX; a spouse of
    the other sex than the deceased's). None where the row does not say."""
    dead = deceased_sex(out, id_value)
    if name_field == "deceased_name":
        return dead
    if not name_field.endswith("_name"):
        return None
    rel = out.get(name_field.removesuffix("_name") + "_relation_code")
    code = str(rel.value) if rel is not None and rel.value is not None else None
    worded = RELATION_WORDING_SEX.get("".join(rel.raw.split())) if rel is not None and code is not None else None
    if worded is not None:
        return worded
    if code in RELATION_SEX:
        return RELATION_SEX[code]
    if code == SPOUSE and dead is not None:
        return "2" if dead == "1" else "1"
    return None


NAME_WEIGHED_BY_SEX = "name_weighed_by_sex"
NAME_WEIGHED_BY_SEX_CERTAINTY = 0.45
"""How sure a name is at most whose weighing by its bearer's sex chose another text than the weighing by all
given names (_weigh_name): an inference on the row's sex column or relation (which may be misread) and on the
share of men's and women's names a character has (names of either sex exist): a proposal for the reviewer,
under every type's threshold (as VILLAGE_DECODED_CERTAINTY), the reading kept as raw."""


def _weigh_name(
    fv: FieldValue,
    n: N.Normalized,
    alternatives: Sequence[tuple[str, float]],
    normalize: Callable[[str], N.Normalized],
    as_read: str | None = None,
    sex: str | None = None,
) -> None:
    """A doubted name weighed by how often real names use its characters (N.rescore_name, over the
    texts the recognizer may have seen in the cell): another text chosen replaces the value, as sure
    as that choice is (flag name_reread_by_frequency, the reading kept as raw); the same text chosen
    keeps its confidence. (Capping that by the weighing's share held 13 more records on the fitting
    sets, most of them right names with a real but rare character, 林琮 rivalled by 林琼, for 5 fewer
    wrong names above 0.9: not kept.)

    A name whose traditional forms were folded (`normalize.fold_traditional`) is weighed as read
    (`as_read`): the recognizer's alternatives are texts as it reads them, and a traditional glyph rare
    in names (義 read for 姜 or 美) is the doubt the weighing is for; where the reading as read wins, the
    folded value stays.

    `sex` (the bearer's, name_bearer_sex): the texts are weighed again by the given names of that sex
    (N.rescore_name); where that weighing chooses another text than the one by all given names, its text
    is taken, flagged NAME_WEIGHED_BY_SEX, at most NAME_WEIGHED_BY_SEX_CERTAINTY sure. Why: a given name's
    characters depend on its bearer's sex (the ngender table counts men's and women's apart: 丽 is 20
    times likelier in a woman's given name than in a man's, 刚 21 times likelier in a man's), so a text the recognizer finds nearly as likely
    as another, of a man's name where the row says a woman, is the less likely name.

    A reading with a given-name glyph the official tables doubt takes the best listed text without one, held
    (_doubted_glyph_replaced); other names are weighed as before."""
    read = as_read if as_read is not None else str(n.value)
    if _confused_glyph_put_back(fv, n, alternatives, normalize):
        return
    if _doubted_glyph_replaced(fv, n, read, alternatives, normalize, sex):
        return
    chosen = N.rescore_name(read, alternatives)
    if chosen is None:
        _listed_surname(fv, n, alternatives, normalize)
        return
    by_sex = N.rescore_name(read, alternatives, sex) if sex in N.SEXES else None
    if by_sex is not None and by_sex.text != chosen.text:
        other = normalize(by_sex.text)
        if other.value is not None:
            kept = [fl for fl in fv.flags if fl not in n.flags]  # how the cell was read, not what the old text was
            confidence = weighed_name_confidence(by_sex.sure * other.certainty, by_sex.share)
            fv.value, fv.confidence = other.value, min(confidence, NAME_WEIGHED_BY_SEX_CERTAINTY)
            reread = ["name_reread_by_frequency"] if by_sex.text not in (n.value, read) else []
            fv.flags = list(other.flags) + kept + reread + [NAME_WEIGHED_BY_SEX]
            _listed_surname(fv, other, alternatives, normalize)
            return
    if chosen.text in (n.value, read):
        fv.confidence = weighed_name_confidence(fv.confidence, chosen.share)
        _listed_surname(fv, n, alternatives, normalize)
        return
    other = normalize(chosen.text)
    if other.value is None:
        return
    kept = [fl for fl in fv.flags if fl not in n.flags]  # how the cell was read, not what the old text was
    fv.value, fv.confidence = other.value, weighed_name_confidence(chosen.sure * other.certainty, chosen.share)
    fv.flags = list(other.flags) + kept + ["name_reread_by_frequency"]
    _listed_surname(fv, other, alternatives, normalize)


NAME_DOUBTED_GLYPH_REPLACED = "name_doubted_glyph_replaced"
NAME_DOUBTED_GLYPH_CERTAINTY = 0.45
"""A name read with a glyph the official tables doubt (a first character on no surname list, a given-name
character rarer than N.RARE_GIVEN_SHARE: N.doubted_name_glyphs) replaced by the text without such a glyph that
the recognizer listed for its crop (RawCell.alternatives: its search's texts and its readings, scored there) and
that weighs best: an inference on the tables, a proposal for the reviewer, under every type's threshold (as NAME_WEIGHED_BY_SEX_CERTAINTY), the
reading kept as raw."""


def _confused_glyph_put_back(
    fv: FieldValue,
    n: N.Normalized,
    alternatives: Sequence[tuple[str, float]],
    normalize: Callable[[str], N.Normalized],
) -> bool:
    """A name read with one of the glyphs the name tables doubt as a known misreading (N.confused_name_glyphs_put_back:
    a surname 逢 or 干 read for 逄 or 于, a given-name 风 / 字 / 肠 read for 凤 / 宇 / 旸, each doubted since
    `name_glyph_doubtful` and never changed) takes the text with each such glyph put back to the one it is
    misread for, where the recognizer itself listed that text for the crop (RawCell.alternatives: its search's
    texts and its readings); flagged NAME_DOUBTED_GLYPH_REPLACED, at most NAME_DOUBTED_GLYPH_CERTAINTY sure, the
    reading kept as raw. Whether it did. Not where the usual weighing of the listed texts (N.rescore_name) already
    chooses a text without such a glyph: that name is weighed as before (a first version that took the put-back
    text first turned a right name, weighed from a reading 干+X to a listed 于+Y, into 于+X on a fresh carbon copy).

    Why: the two glyphs of each pair differ by a stroke a faint or carbon copy loses (逄's 丰 for 逢's 夆, 于's
    hook), the tables say which of the two names use (N._DOUBTFUL_SURNAMES, N._DOUBTFUL_NAME_GLYPHS: the
    ngender table's counts of real given names, the surname list), and the recognizer, listing the other text,
    saw the crop as that text too: nothing is taken it did not read. s47-faded's design carbon / faded copies
    of county + typed 4701: 7 names read with such a glyph had the partner text listed, all 7 wrong and the
    partner right; no right name with such a glyph had it listed. The rule only proposes (held): a real 逢 or
    干 (both surnames) would be put to 逄 / 于 where the recognizer found that text possible."""
    if not isinstance(n.value, str):
        return False
    swapped = N.confused_name_glyphs_put_back(n.value)
    if swapped is None:
        return False
    listed = {N.fold_traditional("".join(t.split())) for t, _x in alternatives}
    if swapped not in listed:
        return False
    weighed = N.rescore_name(str(n.value), alternatives)
    if (
        weighed is not None
        and weighed.text != n.value
        and N.confused_name_glyphs_put_back(N.fold_traditional(weighed.text)) is None
    ):
        return False  # the weighing already leaves the glyph out (干+X weighed to a listed 于+Y): weighed as before
    return _doubted_name_put(fv, n, swapped, normalize)


def _doubted_glyph_replaced(
    fv: FieldValue,
    n: N.Normalized,
    read: str,
    alternatives: Sequence[tuple[str, float]],
    normalize: Callable[[str], N.Normalized],
    sex: str | None,
) -> bool:
    """A name read with a given-name glyph the official tables doubt (N.doubted_name_glyphs) takes, of the texts of its
    length the recognizer listed for its crop (`alternatives`: its search's texts and its readings) that hold no
    such glyph, the one that weighs best (N.rescore_name among
    them, by the bearer's sex where the row gives it), flagged NAME_DOUBTED_GLYPH_REPLACED, at most
    NAME_DOUBTED_GLYPH_CERTAINTY sure, the reading kept as raw. Whether it did (not where no such text exists).

    Why: the tables say such a reading is almost always a misread (RARE_GIVEN_SHARE: 22 of 2 175 names on the
    fitting sets held a character that rare, none right; SURNAME_UNUSUAL_CERTAINTY: 47 of 47 first characters
    on no list misread), as _listed_surname does for the surname alone; the recognizer's texts without the
    doubted glyph are the likeliest true ones. Texts outside its search were tried (session 44: the doubted
    glyph's look-alikes scored on the crop) and dropped: of 3 taken, 2 were wrong (docs/evaluation.md)."""
    if not isinstance(n.value, str) or not any(i > 0 for i in N.doubted_name_glyphs(n.value)):
        return False  # a surname alone on no list: _listed_surname
    texts = [x for x in alternatives if len(x[0]) == len(read)]
    clean = [(t, x) for t, x in texts if not N.doubted_name_glyphs(N.fold_traditional(t)) and "·" not in t]
    if not clean:
        return False
    chosen = N.rescore_name(clean[0][0], clean, sex if sex in N.SEXES else None)
    if chosen is None:
        return False
    return _doubted_name_put(fv, n, chosen.text, normalize)


def _doubted_name_put(fv: FieldValue, n: N.Normalized, text: str, normalize: Callable[[str], N.Normalized]) -> bool:
    """`text` put in place of a name read with a glyph the official tables doubt (n: its normalized reading), held
    at most NAME_DOUBTED_GLYPH_CERTAINTY, flagged NAME_DOUBTED_GLYPH_REPLACED, the flags of how the cell was read
    kept; whether it was (not where `text` normalizes to nothing or to the same name)."""
    other = normalize(text)
    if other.value is None or other.value == n.value:
        return False
    kept = [fl for fl in fv.flags if fl not in n.flags]  # how the cell was read, not what the old text was
    fv.value, fv.confidence = other.value, min(fv.confidence, NAME_DOUBTED_GLYPH_CERTAINTY)
    fv.flags = list(other.flags) + kept + ["name_reread_by_frequency", NAME_DOUBTED_GLYPH_REPLACED]
    return True


VILLAGE_CHAR_DECODED = "village_char_decoded"
VILLAGE_DECODED_CERTAINTY = 0.45
"""An address whose village was read with a character no village of the official list is written with, proposed
with the list character the recognizer found likeliest in its place (pipeline.page.extract.village_alternative),
is a proposal for the reviewer, never accepted unseen: under every type's threshold (as a register prefix written
back, pipeline.page.extract.PREFIX_FROM_COLUMN_CERTAINTY); the reading stays as raw."""


def _village_decoded(
    fv: FieldValue, raw: str, alternatives: Sequence[tuple[str, float]], normalize: Callable[[str], N.Normalized]
) -> None:
    """The address the recognizer's decoding of its village's off-list characters gives (the cell's alternatives:
    (decoded text, score), (the reading it was decoded from, score)) replaces the value where the reading kept is
    that one (the other reading, where two disagreed and the second was kept, was not decoded) and its village is
    off its town's list as read (village_not_in_list: where the list found the village, exactly or by the
    recognizer's known confusions, 奋 for 夼, it stands), flagged VILLAGE_CHAR_DECODED, as sure as
    VILLAGE_DECODED_CERTAINTY at most."""
    if len(alternatives) != 2 or "".join(raw.split()) != "".join(alternatives[1][0].split()):
        return
    if "village_not_in_list" not in fv.flags:  # the list itself put the village right (脉落奋村 -> 脉落夼村), or none
        return
    other = normalize(alternatives[0][0])
    if not isinstance(other.value, str) or other.value == fv.value:
        return
    # how the cell was read stays; "read surely" was said of the village as read, which is replaced
    kept = [fl for fl in fv.flags if fl not in other.flags and fl != "village_off_list_read_surely"]
    fv.value = other.value
    fv.flags = list(other.flags) + kept + [VILLAGE_CHAR_DECODED]
    fv.confidence = round(min(fv.confidence, VILLAGE_DECODED_CERTAINTY), 4)


def _listed_surname(
    fv: FieldValue, n: N.Normalized, alternatives: Sequence[tuple[str, float]], normalize: Callable[[str], N.Normalized]
) -> None:
    """A name kept (`n`, the value fv holds) with a first character on no surname list (flag surname_unusual: a misread) takes the
    likeliest listed name the recognizer saw in its crop (N.listed_surname_reading), still doubted: its
    confidence at most N.SURNAME_UNUSUAL_CERTAINTY (below every threshold), flag surname_from_list, the
    reading kept as raw. Nothing where the recognizer listed no such text."""
    if "surname_unusual" not in n.flags or not isinstance(n.value, str):
        return
    text = N.listed_surname_reading(n.value, alternatives)
    other = normalize(text) if text else None
    if other is None or other.value is None:
        return
    kept = [fl for fl in fv.flags if fl not in n.flags and fl != "name_reread_by_frequency"]  # how the cell was read
    fv.value, fv.confidence = other.value, min(fv.confidence, N.SURNAME_UNUSUAL_CERTAINTY)
    fv.flags = list(other.flags) + kept + ["surname_from_list"]


NAME_WEIGHED_POWER = 0.15
"""A weighed name's confidence (weighed_name_confidence) is (reading confidence x weighing share) to
this power. The two are two views of one doubt: the reading's (the recognizer's confidence in its
text, its two readings weighed, ocr.agreement.resolve) and the weighing's (N.rescore_name: the chosen
text's share of the texts the recognizer finds likeliest in the crop with its beam restricted to name
characters, as an ID's is to digits, weighed by how often real names use their characters). A
recognizer property, measured on the scanned design stores d3313, d3316 (county_editions +
typed_sheets) and f3336 (county_editions), severity 1.8, 871 weighed name cells (session 22,
docs/accuracy.md): ranked by the reading's confidence, 57 names come before the first wrong
one and 141 before the fourth; ranked by the product, 149 and 268. The power puts the product on the
scale of the fitted name threshold (0.985, fitted for the reading's confidence): at it, the reading's
confidence accepted 367 of these names with 13 wrong, the product to the power 0.15 414 with 11
(0.1: 429 with 15, 0.2: 373 with 11, 0.5: 309 with 4)."""


def weighed_name_confidence(reading: float, share: float) -> float:
    """How sure a name weighed against the recognizer's name-alphabet texts is (NAME_WEIGHED_POWER):
    a sure reading that the weighing doubts (another text of its crop nearly as likely as a name) is
    held; a reading the recognizer was unsure of, whose crop gives no other likely name, is not."""
    return float(max(0.0, reading) * max(0.0, share)) ** NAME_WEIGHED_POWER


def build_record(kind: str, cells: Mapping[str, RawCell], context: RecordContext) -> MappedRecord:
    """Map one row (spec field name -> RawCell, as given by map_columns) to a MappedRecord."""
    sp = load_spec(context.spec)
    ks = sp.kind(kind)
    year = context.ledger_year
    out: dict[str, FieldValue] = {}
    problems: list[str] = []

    def problem(field: str, text: str) -> None:
        line = f"{field}: {text}"
        if line not in problems:
            problems.append(line)

    id_value: str | None = None
    id_fv: FieldValue | None = None
    for f in _field_order(ks):
        if f.source == "context":
            v = getattr(context, f.name, None)
            out[f.name] = FieldValue(v if v not in ("",) else None, "", 1.0, None, [])
            continue
        if f.source == "derived":
            continue
        cell = cells.get(f.name)
        cell_typed = bool(getattr(cell, "typed", False))  # a reviewer's text is no recognizer's reading
        raw = cell.text if cell is not None and cell.text is not None else ""
        ocr_conf = 1.0 if cell is None else _reading_confidence(f, sp, raw, float(cell.confidence), getattr(cell, "chars", None))
        ocr_conf = min(1.0, max(0.0, ocr_conf))
        n, as_written = _normalize_folded(
            _plain_normalizer(f, sp, year, id_value, getattr(cell, "chars", None), getattr(cell, "own_chars", None)),
            raw,
            f.normalizer == "address",
        )
        if f.normalizer == "id_number":
            facts = None if cell_typed else _row_facts(cells, ks, sp, year)  # a typed number is never "repaired"
            head = number_before_date(raw) if facts is not None and n.value is None else None
            if head is not None:  # the ID column read together with the date column beside it
                m = N.normalize_id_number(head)
                n = N.Normalized(m.value, raw, m.flags, m.certainty)
            if (
                facts is not None
                and n.value is None
                and {"check_digit_failed", "bad_length", "bad_characters", "bad_birth_date", "impossible_id_region"}
                & set(n.flags)
            ):
                n = _repair_id(n, cells, ks, sp, facts)
            if head is not None:
                n = _date_dropped(n)
            if facts is not None:
                n = _legacy_mark_before_one(n, facts, sp)
            n = _legacy_checked(n, facts, sp)
            if facts is not None:
                n = _legacy_sex_digit(n, facts, sp)
                n = _legacy_region_digit(n, facts, sp)
        if f.normalizer == "phone" and n.value is None and "bad_phone" in n.flags and not cell_typed:
            n = _decode_phone(n, cell)  # never decoded
        conf = _value_confidence(n, ocr_conf)
        same_value = _second_gives_same_value(
            f, n, cell, _normalizer(f, sp, year, id_value, getattr(cell, "second_chars", None)), sp
        )
        if same_value is not None and cell is not None and cell.own_confidence is not None:  # all set where it is
            own = _reading_confidence(f, sp, raw, float(cell.own_confidence), getattr(cell, "own_chars", None))
            conf = 1 - (1 - _value_confidence(n, own)) * (1 - same_value)
        fv = FieldValue(n.value, raw, conf, cell.box if cell is not None else None, list(n.flags))
        _agreement_unweighed(fv, n, cell, f, sp)
        if f.normalizer == "id_number":
            _legacy_other_reading_longer(fv, cell)
            if "id_proposed" in fv.flags:  # a proposal is reviewed, whatever agreement raised it
                fv.confidence = min(fv.confidence, ID_PROPOSED_CERTAINTY)
        if cell is not None and getattr(cell, "agreed", None) is not None:  # already in the cell's confidence
            fv.flags.append(
                "readings_same_value" if same_value is not None else "engines_agree" if cell.agreed else "engines_disagree"
            )
            if getattr(cell, "arbitrated", False):
                fv.flags.append("spec_chose_reading")
                if getattr(cell, "decoded", False):
                    fv.flags.append("decoded_valid")
                    if f.normalizer == "sea_area" and n.value is not None and not n.flags:  # a listed entry
                        fv.confidence = max(fv.confidence, DECODED_SEA_AREA_CERTAINTY)
        if f.normalizer in NUMBER_FORMS and getattr(cell, "decoded", False):
            # a number cell read as no value and decoded under its field's forms: whichever reading was
            # kept, the recognizer's greedy reading was wrong somewhere, and no check digit confirms it
            fv.confidence = min(fv.confidence, DECODED_NUMBER_CERTAINTY)
        if f.normalizer == "address" and isinstance(n.value, str) and cell is not None and cell.alternatives:
            _village_decoded(fv, raw, cell.alternatives, _normalizer(f, sp, year, id_value))
        if f.normalizer == "phone" and isinstance(n.value, str) and cell is not None and cell.alternatives and not cell_typed:
            if rival_number(n.value, cell.alternatives) is not None:  # the written number may be that one
                fv.flags.append("phone_digit_rival")
        if f.normalizer == "name" and isinstance(n.value, str) and cell is not None and cell.alternatives:
            as_read = as_written.value if as_written is not None else None  # the folded value's reading as written
            sex = name_bearer_sex(f.name, out, id_value)
            _weigh_name(fv, n, cell.alternatives, _normalizer(f, sp, year, id_value), str(as_read) if as_read else None, sex)
        if f.normalizer == "code" and cell is not None and not n.flags:  # an exact table wording, read twice
            agreed = getattr(cell, "agreed", None) is True and AGREED_WORDING_FROM <= fv.confidence < N.AGREED_WORDING_CERTAINTY
            # the one valid reading of two; not a decoded one (pipeline.page.extract.decode_valid): it
            # is valid because it was chosen among the wordings, no second reading that landed on one
            chosen = (
                getattr(cell, "arbitrated", False)
                and not getattr(cell, "decoded", False)
                and fv.confidence < CHOSEN_WORDING_CERTAINTY
            )
            if (agreed or chosen) and N.wording_isolated(raw, sp.table(f.code_table or "")):
                fv.confidence = N.AGREED_WORDING_CERTAINTY if agreed else CHOSEN_WORDING_CERTAINTY
                if agreed:
                    fv.flags.append("agreed_table_wording")
        ink = getattr(cell, "ink", None) if cell is not None else None
        # an address is measured as read (a lexicon correction may shorten a name), unless a dropped
        # character of its village was put back: then the ink is rightly wider than the reading
        measured = fv.raw if f.normalizer == "address" and "village_corrected" not in fv.flags else fv.value
        if isinstance(fv.value, str) and isinstance(measured, str) and ink_wider_than_text(f.normalizer, measured, ink):
            fv.flags.append("ink_wider_than_text")  # a character was probably dropped
            fv.confidence *= 0.5
        if f.name in CHINESE_FREE_TEXT and isinstance(fv.value, str) and not cell_typed and noise_text(raw, ocr_conf):
            _blank_noise(fv, ocr_conf)
            problem(f.name, NOISE_PROBLEM)
        if f.normalizer == "id_number":
            id_value = n.value if isinstance(n.value, str) else None
            id_fv = fv
        if "derived_from_id" in n.flags and id_fv is not None:
            fv.confidence = id_fv.confidence * n.certainty
        out[f.name] = fv

    id_raw = id_fv.raw if id_fv is not None else ""
    id_conf = id_fv.confidence if id_fv is not None else 0.0

    # ---- derived fields
    for f in ks.fields:
        if f.source != "derived":
            continue
        if f.derived_from == "id_number":
            text = N.clean_text(id_raw)
            src = cells.get("id_number")
            out[f.name] = FieldValue(
                text or None, id_raw, float(src.confidence) if src is not None and text else 1.0, id_fv.box if id_fv else None, []
            )
        else:
            out[f.name] = FieldValue(None, "", 1.0, None, [])

    bd = out.get("birth_date")
    if bd is not None and bd.value is None and id_value:
        derived = N.birth_date_from_id(id_value)
        if derived:
            unreadable = bool(bd.raw.strip())
            bd.value = derived
            bd.confidence = id_conf * (0.6 if unreadable else 1.0)
            bd.flags.append("derived_from_id")
    elif bd is not None and bd.value is None and id_raw.strip() and "birth_date" not in cells:
        bd.confidence = 0.0  # no column for it and the ID it comes from could not be read: not a sure blank
        bd.flags.append("id_unreadable")

    it = out.get("id_type")
    if it is not None and it.value is None and not it.raw.strip() and id_raw.strip():
        it.value = "0"
        it.confidence = id_conf if id_value else 0.5 * max(id_conf, 0.5)
        it.flags.append("derived_from_id")

    div = out.get("household_division_code")
    if div is not None and div.value is None and not div.raw.strip():
        addr = out.get("household_address")
        derived_n: N.Normalized | None = None
        source_conf = 0.0
        if addr is not None and addr.raw.strip():
            derived_n = N.normalize_division(addr.raw, year, sp)
            source_conf = float(cells["household_address"].confidence) if "household_address" in cells else 1.0
            if derived_n.value is not None and not N.PLACE_DOUBT_FLAGS & set(derived_n.flags):
                # named by place names read exactly as the lexicon has them, or corrected to one (whose
                # certainty the normalizer counts): an unsure character elsewhere in the address
                # (village, house number), or the misread character the correction put right, does
                # not make the division unsure
                source_conf = max(source_conf, 0.99)
            if derived_n.value is not None:
                derived_n = N.Normalized(
                    derived_n.value, derived_n.raw, derived_n.flags + ("derived_from_address",), derived_n.certainty
                )
        if (derived_n is None or derived_n.value is None) and id_value:
            by_id = N.division_from_id(id_value, year, sp)
            if by_id.value is not None:
                derived_n, source_conf = by_id, id_conf
        if derived_n is not None:
            div.value = derived_n.value
            div.confidence = source_conf * derived_n.certainty
            div.flags.extend(fl for fl in derived_n.flags if fl not in div.flags)
            if derived_n.value is None and "division_not_found" not in div.flags:
                div.flags.append("division_not_found")

    _keep_wording_in_remarks(sp, ks, out, cells)

    # ---- cross-field validation
    typed = frozenset(name for name, cell in cells.items() if getattr(cell, "typed", False))
    scored = {name: cell.alternatives for name, cell in cells.items() if cell.alternatives and name not in typed}
    _validate(sp, ks, out, context, problem, typed, scored)

    # ---- mandatory fields, lengths
    values = {k: v.value for k, v in out.items()}
    for f in ks.fields:
        fv = out[f.name]
        if fv.value is None and f.is_mandatory(values):
            _flag(fv, "missing_mandatory")
            fv.confidence = 0.0
            problem(f.name, "mandatory value missing or invalid")
        if isinstance(fv.value, str) and f.max_length is not None and len(fv.value) > f.max_length:
            _flag(fv, "too_long")  # kept in `raw` for the reviewer; never loaded into a column too narrow for it
            fv.value, fv.confidence = None, 0.0
            problem(f.name, f"longer than {f.max_length} characters")
    for fv in out.values():
        if any(fl in fv.flags for fl in LEGACY_DOUBTS):  # a second reading of the same digits confirms nothing more
            fv.confidence = min(fv.confidence, LEGACY_UNLISTED_CERTAINTY)
        if "phone_decoded" in fv.flags:  # nothing but the plan confirms it, however surely it was read
            fv.confidence = min(fv.confidence, PHONE_DECODED_CERTAINTY)
        if "phone_digit_rival" in fv.flags:  # another number of the plan is nearly as likely on the crop
            fv.confidence = min(fv.confidence, PHONE_RIVAL_CERTAINTY)
        fv.confidence = round(min(1.0, max(0.0, fv.confidence)), 4)
    return MappedRecord(kind, {f.name: out[f.name] for f in ks.fields}, problems)


def _row_facts(cells: Mapping[str, RawCell], ks: KindSpec, sp: Spec, year: int | None) -> RowFacts:
    """What the rest of a row says about its person, for weighing an ID number (mapping.idfix.RowFacts):
    the sex, the age at death and the death date as their cells read, the register's year. A death date read
    with both its dots lost (mapping.normalize: DATE_SEPARATORS_LOST) is a proposal, not a fact: a digit lost
    with the dots gives another real date (2015130 for 2015.4.30), and weighed against the age it would rule
    the true number out (faded carbon copy fc of design county 3316: one ID so lost)."""

    def text(name: str) -> str:
        c = cells.get(name)
        return c.text if c is not None and c.text else ""

    by_norm = {f.normalizer: f.name for f in ks.fields if f.source not in ("context", "derived")}
    sex = N.normalize_sex(text(by_norm["sex"])).value if "sex" in by_norm else None
    age = N.normalize_age(text(by_norm["age"])).value if "age" in by_norm else None
    read_death = N.normalize_date(text("death_date"), year) if "death_date" in cells else None
    death = _iso(read_death.value) if read_death is not None and N.DATE_SEPARATORS_LOST not in read_death.flags else None
    return RowFacts(
        sex if sex in ("1", "2") else None,
        age if isinstance(age, int) else None,
        death,
        sp.rules.age_tolerance_years,
        no_age_column="age" not in by_norm,
        year=year,
    )


def _legacy_sex_digit(n: N.Normalized, facts: RowFacts, sp: Spec) -> N.Normalized:
    """A legacy 15-digit ID (GB 11643-1989: no check digit; its 15th digit odd for a man) whose sex digit
    disagrees with the row's sex column: where exactly one digit the recognizer reads that digit for
    (mapping.idfix.CONFUSABLE) gives the row's sex and a number that fits the row (mapping.idfix
    legacy_sex_candidates), that number is proposed, flagged `id_proposed` and `legacy_id_sex_digit`,
    never above ID_PROPOSED_CERTAINTY: with no check digit nothing but the sex column says which of the
    two was misread, so a reviewer compares both with the scan. Else the value stays as read. Never for a
    number a reviewer typed (RawCell.typed: build_record does not call it)."""
    if n.value is None or "converted_15_to_18" not in n.flags:
        return n
    full = str(n.value)
    if facts.sex not in ("1", "2") or ("1" if int(full[16]) % 2 else "2") == facts.sex:
        return n
    cands = legacy_sex_candidates(full[:6] + full[8:17], facts, sp.id_regions)
    if len(cands) != 1:
        return n
    return N.Normalized(
        N.convert_15_to_18(cands[0]),
        n.raw,
        n.flags + ("legacy_id_sex_digit", "id_proposed"),
        min(n.certainty, ID_PROPOSED_CERTAINTY),
    )


def _legacy_region_digit(n: N.Normalized, facts: RowFacts, sp: Spec) -> N.Normalized:
    """A legacy 15-digit ID whose address code is no listed division (`legacy_id_region_unlisted`: GB/T 2260,
    spec.id_regions) where exactly one listed region lies one digit from it and gives a number that fits the
    row (mapping.idfix.legacy_region_candidates): that number is proposed, flagged `id_proposed` and
    `legacy_id_region_digit`, never above ID_PROPOSED_CERTAINTY: a legacy number has no check digit, so only
    the division list says which digit was misread, and a person registered outside the listed divisions
    would have been right as read; a reviewer compares the two with the scan (the reading stays in raw). Else
    the value stays as read. Never for a number a reviewer typed (build_record does not call it)."""
    if n.value is None or "legacy_id_region_unlisted" not in n.flags or "id_proposed" in n.flags:
        return n
    full = str(n.value)
    cands = legacy_region_candidates(full[:6] + full[8:17], facts, sp.id_regions)
    if len(cands) != 1:
        return n
    return N.Normalized(
        N.convert_15_to_18(cands[0]),
        n.raw,
        tuple(fl for fl in n.flags if fl != "legacy_id_region_unlisted") + ("legacy_id_region_digit", "id_proposed"),
        min(n.certainty, ID_PROPOSED_CERTAINTY),
    )


def _repair_id(n: N.Normalized, cells: Mapping[str, RawCell], ks: KindSpec, sp: Spec, facts: RowFacts) -> N.Normalized:
    """An ID failing its check digit (or its length, characters, region or birth date: GB 11643 makes a reading
    whose digits 7-14 are no real date no number, whatever its check character): corrected when exactly one
    valid number one OCR confusion
    away agrees with the row's sex, age at death and the region list (mapping.idfix), flagged
    `id_corrected`; with several such numbers, flagged `id_correction_ambiguous` and left unread.
    Where the cell was read twice and the readings differ, the candidates of both are pooled: a
    number one confusion from the second reading is as possible as one from the first, so the
    correction is made only where the two together leave one number.

    Where the recognizer scored the valid numbers near the reading on the crop and could not choose
    (RawCell.alternatives of an ID cell, pipeline.page.extract.Decoding.keep_scores), the likeliest one
    whose near rivals the row rules out is taken (mapping.idfix.choose_decoded), flagged
    `id_decoded_by_row`, below every threshold (ROW_DECODED_CERTAINTY); where it differs from the
    number the confusions give, or the recognizer scored that number DECODE_MARGIN below another the row
    allows (mapping.idfix.scored_far_below), neither is taken. Where nothing is taken, the likeliest scored
    number the row allows is proposed (_proposed: `id_proposed`, below every threshold, always reviewed).

    Before any of that: a reading whose digits are a whole number once the marks inside it are dropped
    (specks read as . or :, mapping.idfix.marks_dropped), fitting the row, is that number, flagged
    `id_marks_dropped`, no surer than MARKS_DROPPED_CERTAINTY; a legacy 15-digit one no surer than
    LEGACY_UNLISTED_CERTAINTY (always reviewed): GB 11643-1989 gives it no check character, and the 18-digit
    form's check character is computed by the conversion, so nothing tells a speck from a piece of a digit
    (on a 1-bit copy of fresh seed 3334's county store both legacy numbers so taken were wrong, 0.68 and
    0.73, over the ID threshold 0.5: a 4 broken into a mark and a 1). Before that: where a mark directly
    before a 1 read with it as a 4 gives the one whole number fitting the row (mapping.idfix.broken_four,
    a property of the recognizer on 1-bit scans), that number (_broken_four_value)."""

    by_norm = {f.normalizer: f.name for f in ks.fields if f.source not in ("context", "derived")}

    def plain(read: str) -> str:
        read = number_before_date(read) or read  # a date read with the number in one cell is no part of it
        return re.sub(r"^[^0-9A-Za-z]+|[^0-9A-Za-z]+$", "", N.clean_text(read).replace("-", ""))  # clean_text drops spaces

    texts = [n.raw]
    own = cells.get(by_norm.get("id_number", ""))
    if own is not None and own.second and N.normalize_id_number(own.second).value is None:
        texts.append(own.second)  # a second reading that is a number itself was weighed already
    reads = [plain(t) for t in texts]
    knows = facts.sex in ("1", "2") and ((facts.age is not None and facts.death is not None) or facts.no_age_column)
    fours = set().union(*(broken_four(t, facts, sp.id_regions) for t in texts)) if knows else set()
    if len(fours) == 1:  # a mark before a 1 was a 4 broken on a 1-bit scan (mapping.idfix.broken_four_readings)
        return _broken_four_value(n, fours.pop())
    bare = next((b for b in (marks_dropped(r, facts, sp.id_regions) for r in reads) if b), None) if knows else None
    if bare is not None:  # the number is whole once specks read as marks are dropped: no digit is changed
        m = N.normalize_id_number(bare)
        kept = tuple(fl for fl in n.flags if fl not in _ID_FAILURES)
        flags, cap = kept + m.flags + ("id_marks_dropped",), MARKS_DROPPED_CERTAINTY
        if len(bare) == 15:  # no check character to say the mark was a speck and not part of a digit
            cap = LEGACY_UNLISTED_CERTAINTY
            if any(marks_before_one(t) for t in texts):
                flags += ("id_mark_before_one",)  # the 1 may be a broken 4
        return N.Normalized(m.value, n.raw, flags, min(m.certainty, cap))
    fixed, cands = correct_readings(reads, facts, sp.id_regions)
    scored = own.alternatives if own is not None else None
    # the register's year only chooses among the recognizer's own candidates, never corrects nor withdraws one
    weigh = by_register_year(facts)
    chosen = choose_decoded(scored, weigh, sp.id_regions) or choose_decoded(scored, facts, sp.id_regions)
    if fixed is not None and (
        (chosen is not None and chosen[0] != fixed) or scored_far_below(fixed, scored, facts, sp.id_regions)
    ):
        return (
            _proposed(n, scored, weigh, sp)
            or _proposed(n, scored, facts, sp)
            or N.Normalized(None, n.raw, n.flags + ("id_correction_ambiguous",), n.certainty)
        )
    if fixed is not None:
        # agreeing with sex alone (no age on the register) is weaker evidence than sex and age
        return N.Normalized(
            fixed,
            n.raw,
            tuple(fl for fl in n.flags if fl not in ("check_digit_failed", "bad_length", "impossible_id_region"))
            + ("id_corrected",),
            0.75 if facts.no_age_column else 0.9,
        )
    if chosen is not None:
        # never above ROW_DECODED_CERTAINTY, whatever the reading's confidence it is multiplied by
        return N.Normalized(
            chosen[0],
            n.raw,
            tuple(fl for fl in n.flags if fl not in _ID_FAILURES) + ("id_decoded_by_row",),
            min(chosen[1], ROW_DECODED_CERTAINTY),
        )
    # a reading that holds its check character yet gives no birth date has two characters or more misread
    # (GB 11643's MOD 11-2 check catches every single substitution): the likeliest number near it is a guess
    proposed = (
        None
        if "check_digit_failed" not in n.flags and "bad_birth_date" in n.flags
        else (
            _proposed(n, scored, weigh, sp)
            or _proposed(n, scored, facts, sp)
            or _age_misread_proposal(n, scored, facts, cells.get(by_norm.get("age", "")), sp)
        )
    )
    if proposed is not None:
        return proposed
    if len(cands) > 1:
        return N.Normalized(None, n.raw, n.flags + ("id_correction_ambiguous",), n.certainty)
    return n


def _broken_four_value(n: N.Normalized, number: str) -> N.Normalized:
    """The number a reading gives where its marks before a 1 are read, with the 1, as a 4 broken on a
    1-bit scan (mapping.idfix.broken_four), flagged `id_broken_four`: an 18-character one is as sure as a
    number whose specks were dropped (MARKS_DROPPED_CERTAINTY: GB 11643-1999's MOD 11-2 check character
    catches every single substitution, 4 for 1 included); a legacy 15-digit one (GB 11643-1989) has no
    check character, the reading with the mark dropped may fit the row as well, so it is only proposed
    (`id_proposed`, never above ID_PROPOSED_CERTAINTY: always reviewed). The reading stays in raw."""
    m = N.normalize_id_number(number)
    kept = tuple(fl for fl in n.flags if fl not in _ID_FAILURES and fl not in m.flags)
    if len(number) == 15:
        return N.Normalized(m.value, n.raw, kept + m.flags + ("id_broken_four", "id_proposed"), ID_PROPOSED_CERTAINTY)
    return N.Normalized(m.value, n.raw, kept + m.flags + ("id_broken_four",), min(m.certainty, MARKS_DROPPED_CERTAINTY))


def _legacy_mark_before_one(n: N.Normalized, facts: RowFacts, sp: Spec) -> N.Normalized:
    """A legacy 15-digit ID read whole (a hyphen dropped by normalize_id_number) from a reading with a mark
    between a digit and a 1 (mapping.idfix.marks_before_one): the 1 may be the upright of a 4 broken on a
    1-bit scan and the mark its crossbar (mapping.idfix.broken_four_readings), and a legacy number has no
    check character to tell (GB 11643-1989). Where exactly one legacy number read with such a 4 fits the
    row it is proposed (_broken_four_value: always reviewed); else the value stays as read, flagged
    `id_mark_before_one`, never above LEGACY_UNLISTED_CERTAINTY (reviewed). An 18-character number read
    valid is left alone: its check character would catch a 4 read as 1."""
    if n.value is None or "converted_15_to_18" not in n.flags or not marks_before_one(n.raw):
        return n
    if {"id_marks_dropped", "id_broken_four", "id_mark_before_one", "id_proposed"} & set(n.flags):
        return n
    fours = {w for w in broken_four(n.raw, facts, sp.id_regions) if len(w) == 15}
    if len(fours) == 1:
        return _broken_four_value(n, fours.pop())
    return N.Normalized(n.value, n.raw, n.flags + ("id_mark_before_one",), min(n.certainty, LEGACY_UNLISTED_CERTAINTY))


def _date_dropped(n: N.Normalized) -> N.Normalized:
    """An ID read from a cell that also held a date after it (mapping.idfix.number_before_date: the ID
    column's boundary with the date column beside it was not found): whatever the number's reading and
    repairs gave, flagged `id_date_dropped` and never above DATE_DROPPED_CERTAINTY, so the record is
    reviewed (the page's structure is in doubt); the whole reading stays in raw. No value: unchanged."""
    if n.value is None:
        return n
    return N.Normalized(n.value, n.raw, n.flags + ("id_date_dropped",), min(n.certainty, DATE_DROPPED_CERTAINTY))


def _proposed(n: N.Normalized, scored: Any, facts: RowFacts, sp: Spec) -> N.Normalized | None:
    """The number put before a reviewer for an ID no repair settles (mapping.idfix.propose: the valid number
    the recognizer scored likeliest on the crop among those the row allows), flagged `id_proposed`, never
    above ID_PROPOSED_CERTAINTY (record: the field's confidence is capped there too): so a record holding
    one is always reviewed. None where there is none to propose."""
    got = propose(scored, facts, sp.id_regions)
    if got is None:
        return None
    m = N.normalize_id_number(got[0])
    if m.value is None:
        return None
    kept = tuple(fl for fl in n.flags if fl not in _ID_FAILURES)
    return N.Normalized(m.value, n.raw, kept + m.flags + ("id_proposed",), min(got[1], m.certainty, ID_PROPOSED_CERTAINTY))


ID_PROPOSED_AGE_MISREAD = "id_proposed_age_misread"
"""Flag of an ID proposed against the age as read (_age_misread_proposal)."""

AGE_READ_DOUBTED = 0.5
"""An age cell read with less confidence than this is no fact to rule an ID number out by
(_age_misread_proposal): the floor of every calibrated threshold (pipeline.quality.calibration.FLOOR), below
which no field is ever accepted as read."""


def _age_misread_proposal(
    n: N.Normalized, scored: Any, facts: RowFacts, age_cell: RawCell | None, sp: Spec
) -> N.Normalized | None:
    """The number put before a reviewer where the row's age as read rules out every number the recognizer
    scored on the ID's crop (_proposed found none), the age being a cell the same recognizer read: the
    likeliest scored number that fits the row with the age read as one of its look-alike readings instead
    (_age_candidates: one digit as a digit the recognizer confuses it with, mapping.idfix.CONFUSABLE;
    RowFacts.age_look_alikes), or, where the age's own reading is less sure than AGE_READ_DOUBTED (a reading
    no threshold accepts), the likeliest that fits the row without its age. Every other check is kept (GB
    11643's check character, birth date and sex digit, a listed region, born before the death date and the
    register's year) and the recognizer's bound (mapping.idfix.propose: DECODE_MAX_DROP). On 1-bit copies of
    design county 3316 (lead38 b1tif/b2tif, Otsu at 200 and 300 dpi) five IDs were left blank whose true
    number the recognizer had scored (2nd to 4th, 4-6 nats below the reading) while the age beside it,
    misread (a digit lost or confused on the 1-bit strokes, read with confidence 0.18-0.43), ruled it out
    (bench/id_misses.py: truth_vs_row=age). Only a proposal (`id_proposed`, never above
    ID_PROPOSED_CERTAINTY: always reviewed), flagged ID_PROPOSED_AGE_MISREAD so the reviewer checks the age
    too (record._validate then reads the age by the row's dates, doubted, or flags age_mismatch). None where
    the age or the death date was not read, or no scored number fits so."""
    if facts.age is None or facts.death is None or age_cell is None or not age_cell.text:
        return None
    ways: list[RowFacts] = []
    ages = _age_candidates(age_cell.text, True) - {facts.age}
    if ages:
        ways.append(replace(facts, age_look_alikes=tuple(sorted(ages))))
    if age_cell.confidence < AGE_READ_DOUBTED:
        ways.append(replace(facts, age=None))
    for way in ways:
        got = _proposed(n, scored, way, sp)
        if got is not None:
            return N.Normalized(got.value, got.raw, got.flags + (ID_PROPOSED_AGE_MISREAD,), got.certainty)
    return None


def _decode_phone(n: N.Normalized, cell: RawCell | None) -> N.Normalized:
    """A phone reading that is no number of the plan: the one number of the plan one recognizer
    confusion from its readings (mapping.phonefix.decode_phone, both readings of the cell pooled),
    flagged `phone_decoded`, never above PHONE_DECODED_CERTAINTY; the reading stays in raw. With
    none or several, the reading is left unread as it was."""
    fixed, _cands = decode_phone((n.raw, getattr(cell, "second", None) if cell is not None else None))
    if fixed is None:
        return n
    kept = tuple(fl for fl in n.flags if fl not in ("bad_phone", "phone_off_plan"))
    return N.Normalized(fixed, n.raw, kept + ("phone_decoded",), PHONE_DECODED_CERTAINTY)


_ID_FAILURES = ("check_digit_failed", "bad_length", "bad_characters", "bad_birth_date", "impossible_id_region")
"""What a reading's failure to be an ID was flagged with: a number put in its place drops them."""


LEGACY_UNLISTED_CERTAINTY = 0.45
"""A legacy number whose region is unlisted is below every threshold (their floor is 0.5)."""


def _legacy_checked(n: N.Normalized, facts: RowFacts | None, sp: Spec) -> N.Normalized:
    """A 15-digit legacy ID (GB 11643-1989: no check digit; 6-digit GB/T 2260 address code, birth date
    yymmdd, 3-digit sequence whose last digit is odd for a man) is auto-acceptable only where what the
    standard lets us check agrees (mapping.idfix.disagreements, the one place of each check, on its
    18-digit form):

    - its address code is a listed ID region (spec.id_regions, GB/T 2260): else flagged
      `legacy_id_region_unlisted`, as an 18-digit number read short (its 19 and check digit lost) or
      misread is then as likely;
    - its birth date is a real date (normalize_id_number: else no value, `bad_birth_date`), not after the
      row's death date nor the register's year, and gives the row's age at death within the spec's +-1
      (SPEC: age_years): else flagged `legacy_id_birth_disagrees`. `facts` None (a number a reviewer
      typed: the scan was seen) skips these row checks;
    - its sex digit agrees with the sex column: where it does not, _legacy_sex_digit proposes the one
      confusable digit that fits, or _validate flags `sex_id_mismatch` (an error: the confidence falls
      to a third), so that rule is not repeated here.

    A failed check keeps the value as read (a reviewer compares it with the scan) and puts it under
    every threshold (LEGACY_UNLISTED_CERTAINTY; build_record caps it again after agreement).

    Where a check cannot be made the number keeps its reading's confidence, as every value nothing
    checks does (_nothing_checks, _agreement_unweighed): no sex column leaves the sex digit unchecked, a
    register with no age at death (a sea burial register) or a blank age or death date leaves the birth
    date checked only against the calendar and the register's year. Holding those would hold every
    legacy number of every sea burial register without making the rest much surer: the age check
    (+-1 year) checks the two year digits of the birth date only, a misread month or day shifts the
    age by a year at most and passes it, and the three sequence digits but the last are never
    checked; so the age check covers 2 of the 15 digits, and its absence is no cause to doubt a number
    that checks as far as the standard lets. Measured (bench/legacy_ids.py, bench/results/
    legacy-ids-2026-12-05-s26.md): holding them would hold 15 right records of the six unstressed stores
    d3316, d3316fd, b3316, s4482, c4485 and fresh f3320 (none of their auto-accepted legacy numbers is
    wrong) to catch misreads seen only where every second ID is misread on purpose at the confidence of
    its right reading (bench/header_stress.py --misread-every 2: 2 on d3316, 1 on f3320)."""
    if n.value is None or "converted_15_to_18" not in n.flags:
        return n
    found = disagreements(str(n.value), facts or RowFacts(), sp.id_regions)
    flags, cap = n.flags, n.certainty
    if "region" in found:
        flags, cap = flags + ("legacy_id_region_unlisted",), min(cap, LEGACY_UNLISTED_CERTAINTY)
    if facts is not None and {"after_death", "after_register", "age"} & set(found):
        flags, cap = flags + ("legacy_id_birth_disagrees",), min(cap, LEGACY_UNLISTED_CERTAINTY)
    return N.Normalized(n.value, n.raw, flags, cap)


LEGACY_DOUBTS = ("legacy_id_region_unlisted", "legacy_id_birth_disagrees")
"""Flags of a legacy ID a check of GB 11643 caught (_legacy_checked): never above LEGACY_UNLISTED_CERTAINTY."""


def _nothing_checks(f: FieldSpec, n: N.Normalized) -> bool:
    """Whether nothing but the reading itself vouches for a value: a legacy 15-digit ID (GB 11643-1989:
    no check digit), or a field the spec leaves free text (normalizer "text": registration_no,
    voyage_no, cremation_no, remarks; SPEC gives them a length, no format, code table or check digit).
    Any other field has something that catches a misreading: a check digit (GB 11643-1999), a real
    date, a code table's wordings, a place-name list, the frequency of a name's characters."""
    return f.normalizer == "text" or (f.normalizer == "id_number" and "converted_15_to_18" in n.flags)


def _agreement_unweighed(fv: FieldValue, n: N.Normalized, cell: RawCell | None, f: FieldSpec, sp: Spec) -> None:
    """A value nothing checks (_nothing_checks) read alike from both crops is as sure as its kept
    reading alone (`own_confidence`), not as two independent witnesses (ocr.agreement.resolve's
    1 - (1 - c1)(1 - c2)). A property of the recognizer: both crops are the same ink, so its confusions
    repeat in both; a check digit, a date's calendar or a table's wordings catch one in the other fields,
    nothing does here. Seen on a camera design store (seed 4406): three legacy numbers each misread
    alike in both readings, one of them at 0.996 from a first reading of 0.91. The same for the Latin
    letters of a serial, PP-OCR's weakest glyphs (its dictionary is Chinese first: H read B, 8 or 1, Z
    read 2 or 7): on the camera design store seed 4405, 13 of 26 registration numbers lifted over
    their threshold by two alike readings were wrong; on a county_editions draw (seed 3308) a letter
    read B at 0.60 and again at 0.79 was auto-accepted at 0.915. The value is kept; its confidence
    only falls."""
    alone = getattr(cell, "own_confidence", None)
    if cell is None or alone is None or n.value is None or not _nothing_checks(f, n) or cell.agreed is not True:
        return
    own = _value_confidence(n, _reading_confidence(f, sp, fv.raw, float(alone), None))
    fv.confidence = min(fv.confidence, own)


LONGER_READING_DIGITS = 17
"""Digits in a legacy ID's other reading that say its cell holds more than 15 (two more at least)."""

LEGACY_SHORT_CERTAINTY = LEGACY_UNLISTED_CERTAINTY
"""A legacy number the other reading of its cell finds more digits in is below every threshold."""


def _legacy_other_reading_longer(fv: FieldValue, cell: RawCell | None) -> None:
    """A legacy 15-digit ID whose cell's other reading (`second`, where the two disagree) holds at
    least LONGER_READING_DIGITS digits is doubted, flagged `legacy_id_other_reading_longer`: the
    other crop saw digits the kept reading lacks, so the cell may hold an 18-digit number read short
    (its 19 and check digit lost, GB 11643-1999), and a legacy number has no check digit to tell.
    One digit more is not enough: a speck or a ruling's stub before the number reads as one more
    digit (a property of the recognizer; seen on a camera design store, seed 4406: a legacy number
    whose first reading had a 16th digit at 0.69 ahead of it). The value is kept as read; only its
    certainty falls."""
    if cell is None or fv.value is None or "converted_15_to_18" not in fv.flags:
        return
    other = getattr(cell, "second", None) if getattr(cell, "agreed", None) is False else None
    if not other or sum(ch.isdigit() for ch in unicodedata.normalize("NFKC", other)) < LONGER_READING_DIGITS:
        return
    fv.flags.append("legacy_id_other_reading_longer")
    fv.confidence = min(fv.confidence, LEGACY_SHORT_CERTAINTY)


def _table_wording(sp: Spec, ks: KindSpec, field: str, code: str, read: str) -> tuple[str, bool]:
    """The code table's wording of `code` that a reading matched to it (fuzzily, partly or by shape)
    misreads by one character (家居领回 -> 家属领回): what was written, not the misreading, is kept in
    the remarks, and whether it was chosen by shape among several (WORDING_BY_SHAPE). Any other
    reading is kept as read (由家属领回安葬 holds more than a wording).

    Where several wordings of the code are one character from the reading (家属希回: 家属带回 and
    家属领回, both code 9), the one whose character the read one looks like is taken, by the rule
    normalize_code chooses a code's wording by (mapping.glyphs.lookalike_spellings: at least
    N.CODE_LOOKALIKE alike, N.CODE_SHAPE_MARGIN nearer than the other wordings): a faint 带 is read
    希 (0.76), 市 (0.78) or 帝 (0.91), never like 领 (0.41-0.63); a faint 领 read 倾 (0.83). Sources: the
    code table's wordings and the shapes the recognizer confuses; design carbon copies c51, x93, ac
    (s39-faded): 7 remarks so misread, none of them put right before."""
    from rapidfuzz.distance import Hamming

    from .glyphs import lookalike_spellings

    table = sp.table(ks.require(field).code_table or "")
    keys = [k for k, c in table.lookup.items() if c == code and len(k) == len(read) >= 2 and Hamming.distance(k, read) == 1]
    if len(keys) == 1 and len(read) >= 3:
        return keys[0], False
    spelled = lookalike_spellings(read, keys) if len(keys) > 1 else []
    if spelled and spelled[0][1] >= N.CODE_LOOKALIKE and spelled[1][0] - spelled[0][0] >= N.CODE_SHAPE_MARGIN:
        return spelled[0][2], True
    return read, False


WORDING_BY_SHAPE = "wording_chosen_by_shape"
WORDING_BY_SHAPE_CERTAINTY = 0.45
"""A wording kept in the remarks that was chosen among several of its code by the shape of one misread
character (_table_wording) is a proposal for the reviewer, never accepted unseen: as sure as a register
prefix written back from its column (pipeline.page.extract.PREFIX_FROM_COLUMN_CERTAINTY), under every
type's threshold; the reading stays in the code field's raw."""


WORDING_MISREAD = "wording_misread_in_remarks"
"""A wording kept in the remarks whose code was matched only approximately (fuzzy_match,
code_matched_by_shape) and that no wording of the code table is (nor one character from, _table_wording),
or matched as a part (partial_match) beside characters no printed wording holds (a digit, a Latin letter,
a mark: a ruling line or a neighbour's stroke read as text), is the recognizer's misreading of the table's
wording, not what was written: kept as read, held for a reviewer (WORDING_BY_SHAPE_CERTAINTY). Source: the
code table's wordings (all Chinese characters) and the recognizer's misreads the code's match already
allowed for. Seen on 1-bit copies (s44-bilevel): fresh dark copy seed 4305 家属带回 read 家義帝回 (two
characters, 0.90, auto-accepted as 家义帝回), design coA 领回 read 领回1 (0.69, auto-accepted)."""


def _wording_misread(sp: Spec, ks: KindSpec, field: str, wording: str, partial: bool) -> bool:
    """Whether a wording kept in the remarks after an approximate code match is a misreading
    (WORDING_MISREAD): matched as a part, a character no Chinese one beside it; else, no wording of the
    code table."""
    if partial:
        return any(not ("\u4e00" <= ch <= "\u9fff") for ch in wording)
    return wording not in sp.table(ks.require(field).code_table or "").wording


def _keep_wording_in_remarks(sp: Spec, ks: KindSpec, out: dict[str, FieldValue], cells: Mapping[str, RawCell]) -> None:
    remarks = out.get("remarks")
    if remarks is None:
        return
    for field, codes in sp.rules.keep_wording_in_remarks.items():
        fv = out.get(field)
        if fv is None or fv.value is None or str(fv.value) not in codes:
            continue
        wording = N.normalize_text(N.fold_traditional(fv.raw)).value
        if not isinstance(wording, str) or not wording:
            continue
        by_shape = False
        approximate = {"fuzzy_match", "partial_match", "code_matched_by_shape"} & set(fv.flags)
        if approximate:
            wording, by_shape = _table_wording(sp, ks, field, str(fv.value), wording)
        misread = bool(approximate) and _wording_misread(sp, ks, field, wording, partial=approximate == {"partial_match"})
        prefix = sp.rules.remarks_wording_prefix.get(field, "")
        current = remarks.value if isinstance(remarks.value, str) else ""
        if wording in current:
            continue
        note = f"{prefix}{wording}"
        remarks.value = f"{current}；{note}" if current else note
        if not remarks.raw.strip():
            remarks.confidence = fv.confidence
        else:
            remarks.confidence = min(remarks.confidence, fv.confidence)
        remarks.flags.append("wording_kept_in_remarks")
        if by_shape:
            remarks.flags.append(WORDING_BY_SHAPE)
            remarks.confidence = min(remarks.confidence, WORDING_BY_SHAPE_CERTAINTY)
        elif misread:
            remarks.flags.append(WORDING_MISREAD)
            remarks.confidence = min(remarks.confidence, WORDING_BY_SHAPE_CERTAINTY)
        if "wording_kept_in_remarks" not in fv.flags:
            fv.flags.append("wording_kept_in_remarks")


def _year_before(fv: FieldValue | None, date: _dt.date | None, after: _dt.date | None, within_days: int) -> _dt.date | None:
    """A date written without its year, given the ledger's (`year_from_ledger`), that falls after the
    event it precedes (a death on 12月30日 in the register of the cremations of the next year, cremated
    on 1月2日) is of the year before, where that puts it within `within_days` before the event: taken,
    flagged `year_before_ledger`. Any other date is returned as it is."""
    if fv is None or date is None or after is None or date <= after or "year_from_ledger" not in fv.flags:
        return date
    try:
        earlier = date.replace(year=date.year - 1)
    except ValueError:  # 29 February
        return date
    if not 0 <= (after - earlier).days <= within_days:
        return date
    fv.value = earlier.isoformat()
    fv.flags.append("year_before_ledger")
    return earlier


UNSTATED_SEX = ("0", "9")
"""GB/T 2261.1's codes for a sex unknown (0) or not stated (9)."""
UNSTATED_SEX_CERTAINTY = 0.45
"""A sex taken from the ID where the cell read 0 or 9 is below every threshold (their floor is 0.5)."""


YEAR_PUT_BACK = "year_put_back_by_ledger"
YEAR_PUT_BACK_CERTAINTY = 0.45
"""How sure a value whose year was put back to the ledger's (put_back_years) is: below every threshold (their
floor is 0.5), so a reviewer confirms it against the scan; the reading is kept as the raw text."""
_VOYAGE_YEAR = re.compile(r"([0-9]{2})(-[0-9]{1,2})")


def ledger_lookalike_year(read: int, ledger: int, window: int) -> int | None:
    """The year of the ledger's window (its year, `window` either side) that a year read outside it is, read
    one digit wrong: of the years whose digits differ from the reading's at exactly one place, the one
    where the digit read is a look-alike of that year's (mapping.glyphs.looks_alike: 0 for 6, 8 for 3);
    where none or several are, the ledger's own year if it is one of them; None where no year of the
    window is one digit off. A property of the recognizer on a blurred or photographed page (the loop of a
    6 closed into a 0, a 3 read 8: it keeps a glyph's shape when it misreads it, as mapping.glyphs
    measures on printed glyphs; a handwritten 4 read 1, which printed shapes do not show) and of a
    register (its entries are written in the year its title names: the date check of _validate,
    ledger_year_window): 2010 in a 2016 register is 2016 (0 looks like 6, not like 5 or 7), 2018 in a 2013
    one 2013, 2011 in a 2014 one 2014 (2013, 2014 and 2015 are each one digit off; none looks like 1), 2003
    in a 2016 one nothing (two digits off every year of the window)."""
    from .glyphs import looks_alike

    rs = str(read)
    near: list[int] = []
    alike: list[int] = []
    for y in range(ledger - window, ledger + window + 1):
        ys = str(y)
        if len(ys) != len(rs) or ys == rs:
            continue
        diff = [(a, b) for a, b in zip(rs, ys) if a != b]
        if len(diff) == 1:
            near.append(y)
            if looks_alike(diff[0][0], diff[0][1]):
                alike.append(y)
    if len(alike) == 1:
        return alike[0]
    if len(near) == 1:
        return near[0]
    return ledger if ledger in near else None


VOYAGE_WORD_PUT_BACK = "voyage_word_put_back"


def put_back_voyage_word(out: dict[str, FieldValue], typed: frozenset[str] = frozenset()) -> bool:
    """A voyage number read in the frame of the spec's worded form (mapping.normalize.VOYAGE_WORD, 第4航次) with another glyph
    for its 航 is given the form's glyph (第1杭次 -> 第1航次), and one whose 航次 was worn down to other glyphs or
    lost its 次 (VOYAGE_WORD_WORN: 第7版文, 第7航) the form's word, flagged VOYAGE_WORD_PUT_BACK,
    at most YEAR_PUT_BACK_CERTAINTY sure, the reading kept as raw. A property of the recognizer on a
    photographed page (a small, blurred 航 read 杭 税 批 硫 ...: one glyph of its size, the frame's digits
    and 第 次 read right) and of the spec's form, which puts no other glyph between the number and 次. Never a
    text a person typed (`typed`: a reviewer's correction is no recognizer's reading)."""
    fv = out.get("voyage_no")
    if fv is None or not isinstance(fv.value, str) or "voyage_no" in typed:
        return False
    m = N.VOYAGE_WORD.fullmatch(fv.value) or N.VOYAGE_WORD_WORN.fullmatch(fv.value)
    if m is None or fv.value == f"第{m.group(1)}航次":
        return False
    fv.value = f"第{m.group(1)}航次"
    fv.confidence = min(fv.confidence, YEAR_PUT_BACK_CERTAINTY)
    _flag(fv, VOYAGE_WORD_PUT_BACK)
    return True


def year_field(ks: KindSpec, f: FieldSpec) -> bool:
    """Whether the spec ties the year of field `f` of the kind to the ledger's year (put_back_years): the
    dates of the register's own events (every date field but the birth date: a death, a cremation, a
    scattering are entered in the year the register is kept), the cremation certificate number of a register
    that records the cremation itself (SPEC.md: a 4-digit year and a serial, issued at the cremation; a sea
    burial's may be years older) and the voyage number (SPEC.md: printed year-serial, 10-04)."""
    if f.source != "cell":
        return False
    if f.type == "date":
        return f.name != "birth_date"
    if f.normalizer == "cert_no":
        return ks.field("cremation_date") is not None
    return f.name == "voyage_no"


def year_of(f: FieldSpec, value: object) -> int | None:
    """The year a value of a year_field states: a date's (ISO or as written), a 9-digit certificate
    number's first four digits, a voyage's two-digit year (10-04: 2010). None where it states none."""
    if not isinstance(value, str) or not value:
        return None
    if f.type == "date":
        d = _iso(value) or _iso(N.normalize_date(value).value)
        return d.year if d is not None else None
    if f.normalizer == "cert_no":
        v = value if value.isdigit() else N.normalize_cert_no(value).value
        return int(v[:4]) if isinstance(v, str) and len(v) == 9 and v.isdigit() else None
    m = _VOYAGE_YEAR.fullmatch(N.fold_dashes(value))
    return 2000 + int(m.group(1)) if m else None


def put_back_years(
    ks: KindSpec, out: dict[str, FieldValue], ctx: RecordContext, window: int, typed: frozenset[str] = frozenset()
) -> list[str]:
    """The years of a record's values that the spec ties to the ledger's year (year_field), read outside its
    window and one digit from a year of it (ledger_lookalike_year), put back to that year. Only for the
    fields whose values on the page mostly bear the ledger's year out (ctx.ledger_year_fields: a title's year
    misread, or a page of certificates all issued in another year, would otherwise move every value). Each
    such value is flagged YEAR_PUT_BACK, at most YEAR_PUT_BACK_CERTAINTY sure, its reading kept as raw:
    never auto-accepted. Never a value a person typed (`typed`, RawCell.typed: a reviewer's or an
    administrator's correction states its year; the look-alike digits are the recognizer's). Returns the
    fields put back."""
    year = ctx.ledger_year
    if year is None:
        return []
    done: list[str] = []
    for f in ks.fields:
        fv = out.get(f.name)
        if fv is None or f.name in typed or f.name not in ctx.ledger_year_fields or not year_field(ks, f):
            continue
        read = year_of(f, fv.value)
        if read is None or abs(read - year) <= window:
            continue
        y = ledger_lookalike_year(read, year, window)
        if y is None or not isinstance(fv.value, str):
            continue
        if f.type == "date":
            d = _iso(fv.value)
            if d is None:
                continue
            try:
                fv.value = d.replace(year=y).isoformat()
            except ValueError:  # 29 February in a year without one
                continue
        elif f.normalizer == "cert_no":
            fv.value = f"{y}{fv.value[4:]}"
        else:  # the voyage's serial and its separator as printed
            fv.value = f"{y % 100:02d}{fv.value[2:]}"
        fv.confidence = min(fv.confidence, YEAR_PUT_BACK_CERTAINTY)
        _flag(fv, YEAR_PUT_BACK)
        done.append(f.name)
    return done


AGE_READ_BY_DATES = "age_read_by_dates"
AGE_READ_BY_DATES_CERTAINTY = 0.45
"""How sure an age is that `age_read_by_dates` gave: below every fitted threshold (none is below 0.5),
so a reviewer sees it with the number filled in and the flag saying why."""

ROUND_DIGITS = "0" + CONFUSABLE["0"]
"""What a round letter read in an age may be: 0 and the digits the recognizer reads as 0
(mapping.idfix.CONFUSABLE["0"]: 8, 6, 9, 3, whose loop closed or whose distinguishing stroke was lost).
Why (recognizer property and 1-bit scan property): a 1-bit scan breaks thin strokes and fills small
counters, so the waist of an 8 or the hook of a 6 is lost and the digit is read as the round letter o
(design 1-bit copies: 85 read o5, 86 read 8o). Which of them the ink was is left to the row's dates
(`age_read_by_dates`: one age within the spec's tolerance, else none)."""

AGE_LETTER_DIGITS = {
    "O": ROUND_DIGITS,
    "o": ROUND_DIGITS,
    "D": ROUND_DIGITS,
    "Q": ROUND_DIGITS,
    "l": "1",
    "I": "1",
    "i": "1",
    "|": "1",
    "丨": "1",
    "S": "58",
    "B": "8",
}
"""Letters the recognizer reads for a digit, and the digits each may be: OCR_DIGITS (O/o/D/Q for 0, and
for the digits read as 0: ROUND_DIGITS; l/I/i/|/丨 for 1) and S for 5 or 8, B for 8 (the confusions
mapping.normalize.without_stray_ends names; on the design 1-bit copy b3316 every S read in an age cell was
an 8: 81 read S1, 87 read S7V)."""


def _age_candidates(text: str, look_alike_digits: bool) -> set[int]:
    """The ages an age cell's reading can stand for (`age_read_by_dates`): the reading without its
    prefix and unit (享年, 岁), and without at most one character at its end that is no digit and no
    letter read for one (the unit 岁 read as V or り, a stray mark); a character before its digits that is
    no digit, left out too (A79 under a seal: a seal's ring or a stroke read as a letter; the row's dates
    choose, as between the readings of a letter); each letter read for a digit
    (AGE_LETTER_DIGITS) as each digit it may be; with no letter, the digits as read, and (with
    `look_alike_digits`, for a number the dates refute) with one digit as one it is confused with
    (mapping.idfix.CONFUSABLE, the recognizer's digit confusions); at most one character so changed.
    Empty where anything else is left."""
    s = N._AGE_UNIT.sub("", N._AGE_PREFIX.sub("", N.clean_text(text).rstrip(".。,，")))
    if s and not s[-1].isdigit() and s[-1] not in AGE_LETTER_DIGITS:
        s = s[:-1]
    if len(s) > 1 and not s[0].isdigit() and s[1:].isdigit():
        # a mark before the digits (a seal's ring read A79): the digits alone, or it read as a digit where
        # it is a letter read for one
        return _ages_of(s[1:], look_alike_digits) | _ages_of(s, look_alike_digits)
    return _ages_of(s, look_alike_digits)


def _ages_of(s: str, look_alike_digits: bool) -> set[int]:
    """_age_candidates of a reading without its prefix, unit and marks."""
    if not 1 <= len(s) <= 3 or not all(c.isdigit() or c in AGE_LETTER_DIGITS for c in s):
        return set()
    letters = [i for i, c in enumerate(s) if not c.isdigit()]
    if len(letters) > 1:
        return set()
    if letters:
        i = letters[0]
        outs = {s[:i] + d + s[i + 1 :] for d in AGE_LETTER_DIGITS[s[i]]}
    else:
        outs = {s} | {s[:i] + d + s[i + 1 :] for i, c in enumerate(s) for d in CONFUSABLE.get(c, "") if look_alike_digits}
    return {int(o) for o in outs if not (len(o) > 1 and o[0] == "0") and 0 <= int(o) <= 130}


def age_read_by_dates(agef: FieldValue, exact: int, tolerance: int) -> int | None:
    """The age an age cell's reading stands for, where its own reading is none (unparseable: 81 read S1,
    92岁 read 92V) or one the row's dates refute (66 read 68 beside a birth and a death date 66 years
    apart): the one of its look-alike readings (`_age_candidates`) within the spec's tolerance
    (rules.age_tolerance_years) of the age the row's birth date (GB 11643 digits 7-14, or its cell) and
    death date give; None where none or several are. Why (the recognizer's confusions and the row's own
    cells): two other cells read independently pick which digit the ink was; the value is the reading's,
    never the dates' alone (an age written unlike either is left as read). Doubted
    (AGE_READ_BY_DATES_CERTAINTY): a reviewer confirms."""
    misread = isinstance(agef.value, int)  # a number the dates refute: one of its digits may be a look-alike
    fits = {a for a in _age_candidates(str(agef.raw or ""), misread) if abs(a - exact) <= tolerance}
    return fits.pop() if len(fits) == 1 else None


AGE_DECODED_BY_DATES = "age_decoded_by_dates"
DATE_DECODED_BY_ORDER = "date_decoded_by_order"
ORDERED_DATES = ("death_date", "cremation_date", "scattering_date")
"""The register's dates in the order the events come: a body is cremated after death, its ashes scattered
after cremation (SPEC rules: death_after_cremation, scattering_before_cremation)."""


def _age_decoded(agef: FieldValue, scored: Mapping[str, Sequence[tuple[str, float]]], exact: int, tolerance: int) -> bool:
    """Whether an age cell refuted by the row's dates (or read as no age) takes the one age of the
    recognizer's texts of the cell (its scored alternatives, pipeline.page.extract.number_rivals) within
    `tolerance` of the `exact` years between the birth date (GB 11643 digits 7-14, or its cell) and the
    death date (mapping.numberforms.row_decoded); set, doubted (ROW_DECODED_CERTAINTY) and flagged
    AGE_DECODED_BY_DATES where it does."""
    got = row_decoded("age", scored.get("age_years"), lambda a: isinstance(a, int) and abs(a - exact) <= tolerance)
    if not isinstance(got, int):
        return False
    agef.value, agef.confidence = got, min(agef.confidence, ROW_DECODED_CERTAINTY)
    agef.flags[:] = [f for f in agef.flags if f != "age_mismatch"]
    _flag(agef, AGE_DECODED_BY_DATES)
    return True


def _in_order(name: str, day: _dt.date, out: Mapping[str, FieldValue], gap_days: int) -> bool | None:
    """Whether a date for field `name` keeps the register's order with the row's other dates (ORDERED_DATES;
    a cremation at most `gap_days` after the death: SPEC rules cremation_gap_warn_days); None where the row has
    no other date to hold it to."""
    days = {f: _iso(out[f].value) if f in out else None for f in ORDERED_DATES}
    days[name] = day
    death, cremation, scattering = days["death_date"], days["cremation_date"], days["scattering_date"]
    checked = False
    if death is not None and cremation is not None:
        checked = True
        if death > cremation or (cremation - death).days > gap_days:
            return False
    if cremation is not None and scattering is not None:
        checked = True
        if scattering < cremation:
            return False
    return True if checked else None


def dates_decoded_by_order(
    out: dict[str, FieldValue], scored: Mapping[str, Sequence[tuple[str, float]]], gap_days: int
) -> list[str]:
    """The dates read as no date (a reading of none of SPEC's written forms whose decoding chose no text,
    pipeline.page.extract read_cells keeping the texts it scored) that take the one date among the
    recognizer's texts of the cell the row's other dates hold in the register's order (_in_order:
    death <= cremation <= scattering; mapping.numberforms.row_decoded), doubted (ROW_DECODED_CERTAINTY) and
    flagged DATE_DECODED_BY_ORDER. A date the row cannot hold to another (none beside it) is left as none.
    Returns the fields so taken."""
    taken = []
    for name in ORDERED_DATES:
        fv = out.get(name)
        if fv is None or fv.value is not None or not str(fv.raw or "").strip() or name not in scored:
            continue

        def fits(value: object, name: str = name) -> bool:
            day = _iso(value)
            return day is not None and _in_order(name, day, out, gap_days) is True

        got = row_decoded("date", scored[name], fits)
        if isinstance(got, str):
            fv.value, fv.confidence = got, min(fv.confidence, ROW_DECODED_CERTAINTY)
            fv.flags[:] = [f for f in fv.flags if f != "unparseable"]
            _flag(fv, DATE_DECODED_BY_ORDER)
            taken.append(name)
    return taken


def _validate(
    sp: Spec,
    ks: KindSpec,
    out: dict[str, FieldValue],
    ctx: RecordContext,
    problem: Callable[[str, str], None],
    typed: frozenset[str] = frozenset(),
    scored: Mapping[str, Sequence[tuple[str, float]]] | None = None,
) -> None:
    rules = sp.rules
    year = ctx.ledger_year
    scored = scored or {}
    for name in put_back_years(ks, out, ctx, rules.ledger_year_window, typed):
        problem(name, "its year was read one look-alike digit off the ledger's year and put back to it")
    for name in dates_decoded_by_order(out, scored, rules.cremation_gap_warn_days):
        problem(name, "read as no date: the one date among the recognizer's texts of the cell the row's dates allow was taken")
    if put_back_voyage_word(out, typed):
        problem("voyage_no", "read with another glyph for the 航 of the form 第N航次: put back")
    idf, sexf, bdf, agef = out.get("id_number"), out.get("sex_code"), out.get("birth_date"), out.get("age_years")
    id_value = idf.value if idf is not None and isinstance(idf.value, str) else None

    stated_sex = N.sex_from_id(id_value) if id_value else None
    if idf is not None and sexf is not None and "decoded_valid" in sexf.flags and sexf.value in ("1", "2") and stated_sex:
        # a sex cell misread (男 read 另) and decoded to the table's wording the recognizer finds likeliest
        # (pipeline.page.extract.column_decoders) beside an ID that states the sex (GB 11643 digit 17): the
        # ID's sex, as a cell that reads as nothing is given (normalize_sex, derived_from_id); as sure as
        # that where the decoding agrees, never surer than UNSTATED_SEX_CERTAINTY where it does not (a
        # reviewer confirms: the glyph's likeliest wording against the ID's digit)
        if stated_sex == sexf.value:
            sexf.confidence = max(sexf.confidence, idf.confidence * N.SEX_FROM_ID_CERTAINTY)
            _flag(sexf, "sex_decoded_agrees_with_id")
        else:
            sexf.value, sexf.confidence = stated_sex, min(sexf.confidence, UNSTATED_SEX_CERTAINTY)
            _flag(sexf, "sex_decoded_against_id")
            problem("sex_code", "misread, and decoded to the other sex than id_number digit 17 states: the ID's was taken")

    if id_value and idf is not None and sexf is not None and sexf.value in ("1", "2") and "derived_from_id" not in sexf.flags:
        if stated_sex != sexf.value:
            _flag(sexf, "sex_id_mismatch")
            _flag(idf, "sex_id_mismatch")
            problem("sex_code", "does not match id_number digit 17")

    if id_value and sexf is not None and sexf.value in UNSTATED_SEX and "derived_from_id" not in sexf.flags:
        if stated_sex is not None:
            # GB/T 2261.1 0 (unknown) / 9 (not stated) beside a valid ID that states the sex (GB 11643
            # digit 17): the cell's reading is in doubt (男 read 9, 8 or 另 on a smudged cell), the ID's
            # sex is taken for a reviewer to confirm, never surer than UNSTATED_SEX_CERTAINTY
            sexf.value, sexf.confidence = stated_sex, min(sexf.confidence, UNSTATED_SEX_CERTAINTY)
            _flag(sexf, "sex_unstated_id_states")
            problem("sex_code", "read as unknown or not stated while id_number digit 17 states it")

    birth = _iso(bdf.value) if bdf is not None else None
    if id_value and idf is not None and bdf is not None and birth is not None and "derived_from_id" not in bdf.flags:
        if N.birth_date_from_id(id_value) != bdf.value:
            _flag(bdf, "birth_date_id_mismatch")
            _flag(idf, "birth_date_id_mismatch")
            problem("birth_date", "does not match id_number digits 7-14")

    death = _iso(out["death_date"].value) if "death_date" in out else None
    cremation = _iso(out["cremation_date"].value) if "cremation_date" in out else None
    death = _year_before(out.get("death_date"), death, cremation, rules.cremation_gap_warn_days)
    if bdf is not None and birth is not None and death is not None:
        if birth > death:
            _flag(bdf, "birth_after_death")
            _flag(out["death_date"], "birth_after_death")
            problem("birth_date", "is after death_date")
        elif agef is not None and isinstance(agef.value, int):
            exact = death.year - birth.year - ((death.month, death.day) < (birth.month, birth.day))
            read = age_read_by_dates(agef, exact, rules.age_tolerance_years) if "age_years" not in typed else None
            if abs(agef.value - exact) > rules.age_tolerance_years and read is not None:
                agef.value, agef.confidence = read, min(agef.confidence, AGE_READ_BY_DATES_CERTAINTY)
                _flag(agef, AGE_READ_BY_DATES)
                problem("age_years", "read one look-alike digit off the age the row's dates give: read as that digit")
            elif abs(agef.value - exact) > rules.age_tolerance_years and _age_decoded(
                agef, scored, exact, rules.age_tolerance_years
            ):
                problem(
                    "age_years",
                    "the row's dates refute it: the one age among the recognizer's texts of the cell they allow was taken",
                )
            elif abs(agef.value - exact) > rules.age_tolerance_years:
                _flag(agef, "age_mismatch")
                problem("age_years", f"differs from death_date - birth_date by more than {rules.age_tolerance_years} year(s)")
            elif N.AGE_UNIT_AS_DIGIT in agef.flags:
                # an age whose unit was read as a digit (679 for 67岁) is as sure as the row's own dates
                # that give it (GB 11643 digits 7-14 or the birth date cell, and the death date): two
                # other cells read independently agree with the digits kept, not with the one left out
                agef.confidence = max(agef.confidence, min(bdf.confidence, out["death_date"].confidence))
                _flag(agef, "age_confirmed_by_dates")

    # an age read as none (letters or marks for its digits): the one reading of it the row's birth date and
    # death date allow; without a death date the cremation date, days after it (one year more of slack: a
    # birthday may fall between)
    end, slack, end_field = (death, 0, "death_date") if death is not None else (cremation, 1, "cremation_date")
    if (
        agef is not None
        and agef.value is None
        and agef.raw
        and "age_years" not in typed
        and bdf is not None
        and birth is not None
        and end is not None
        and birth <= end
    ):
        exact = end.year - birth.year - ((end.month, end.day) < (birth.month, birth.day))
        read = age_read_by_dates(agef, exact, rules.age_tolerance_years + slack)
        if read is None and _age_decoded(agef, scored, exact, rules.age_tolerance_years + slack):
            agef.flags[:] = [f for f in agef.flags if f != "unparseable"]
            problem(
                "age_years",
                f"read as no age: the one age among the recognizer's texts of the cell birth_date and {end_field} allow",
            )
        elif read is not None:
            agef.value = read
            agef.confidence = min(bdf.confidence, out[end_field].confidence, AGE_READ_BY_DATES_CERTAINTY)
            agef.flags[:] = [f for f in agef.flags if f != "unparseable"]
            _flag(agef, AGE_READ_BY_DATES)
            problem("age_years", f"read with letters or marks for digits: the one age of them birth_date and {end_field} allow")

    if death is not None and cremation is not None:
        if death > cremation:
            _flag(out["death_date"], "death_after_cremation")
            _flag(out["cremation_date"], "death_after_cremation")
            problem("death_date", "is after cremation_date")
        elif (cremation - death).days > rules.cremation_gap_warn_days:
            _flag(out["cremation_date"], "cremation_gap_over_30_days")
            problem("cremation_date", f"more than {rules.cremation_gap_warn_days} days after death_date")

    cert = out.get("cremation_cert_no")
    cert_value = cert.value if cert is not None and isinstance(cert.value, str) else None
    scattering = _iso(out["scattering_date"].value) if "scattering_date" in out else None
    if scattering is not None:
        linked = _iso((ctx.linked_cremation_dates or {}).get(cert_value or "", None)) if cert_value else None
        if cremation is not None and linked is None:
            linked = cremation
        before = linked is not None and scattering < linked
        if linked is None and cert_value and len(cert_value) == 9 and cert_value.isdigit():
            before = scattering.year < int(cert_value[:4])
        if before:
            _flag(out["scattering_date"], "scattering_before_cremation")
            problem("scattering_date", "is before the cremation date")

    if year is not None:
        for f in ks.fields:
            if f.type != "date" or f.name == "birth_date":
                continue
            d = _iso(out[f.name].value)
            if d is not None and abs(d.year - year) > rules.ledger_year_window:
                _flag(out[f.name], "date_outside_ledger_year")
                problem(f.name, f"not within {rules.ledger_year_window} year(s) of the ledger year")
        if (
            cert is not None
            and cert_value
            and len(cert_value) == 9
            and cert_value.isdigit()
            and abs(int(cert_value[:4]) - year) > rules.ledger_year_window
        ):
            _flag(cert, "cert_year_mismatch")
            problem("cremation_cert_no", "year differs from the ledger year")

    onboard = out.get("onboard_count")
    if onboard is not None and isinstance(onboard.value, int) and onboard.value > rules.onboard_count_max:
        _flag(onboard, "onboard_over_limit")
        problem("onboard_count", f"more than {rules.onboard_count_max} people on board")
