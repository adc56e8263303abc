"""Printed column headers -> spec fields, and the ledger kind of a page.

Headers are compared after cleaning (NFKC, bracketed notes, spaces and punctuation removed) with
rapidfuzz's normalized Levenshtein similarity against every wording of every field; a header that
contains a whole wording of 3+ characters (火化日期时间) scores at least 0.8. Columns and fields are then paired
one to one, best score first: no field is given twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Callable, Collection, Mapping, NamedTuple, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .normalize import VOYAGE_WORD, VOYAGE_WORD_WORN, fold_dashes
from .spec import Spec, load_spec


@dataclass(frozen=True)
class ColumnMatch:
    index: int  # position of the printed column
    header: str  # printed (OCR) header text
    field: str | None  # spec field name, a pseudo-field such as "row_no", or None
    score: float  # 0..1
    synonym: str | None = None  # the wording that matched best


_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]?")
_NOT_WORD = re.compile(r"[\W_]+")


# traditional / variant forms seen on older printed forms -> the simplified form of the wordings
_VARIANTS = str.maketrans(
    {
        "註": "注",
        "號": "号",
        "證": "证",
        "別": "别",
        "齡": "龄",
        "話": "话",
        "電": "电",
        "關": "关",
        "係": "系",
        "屬": "属",
        "與": "与",
        "養": "养",
        "親": "亲",
        "歲": "岁",
        "時": "时",
        "間": "间",
        "辦": "办",
        "經": "经",
        "聯": "联",
        "處": "处",
        "記": "记",
        "錄": "录",
        "戶": "户",
        "碼": "码",
        "類": "类",
        "稱": "称",
        "種": "种",
        "備": "备",
        "數": "数",
        "隨": "随",
        "員": "员",
        "區": "区",
        "鄉": "乡",
        "鎮": "镇",
        "縣": "县",
        "齣": "出",
    }
)


def clean_header(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "").translate(_VARIANTS)
    outside = _NOT_WORD.sub("", _BRACKETS.sub("", s))  # 死亡日期(年月日) -> 死亡日期; 【备注】 keeps 备注
    return (outside or _NOT_WORD.sub("", s)).lower()


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LOST_GLYPH_COST = 0.5
"""What a character outside the Han script costs against a wording's character (0名 for 姓名, 公民9份号码):
the wordings are Han characters only, so a digit or letter in a header is the recognizer's stand-in
for a glyph it could not read (half, not nothing: a free character would bring every wording near)."""

MIN_CONFUSION_COST = 0.25
"""The least a look-alike substitution costs: a header read with a character confused is never as sure
as one read exactly (死亡时问 below 死亡日期 read exactly, where both are wordings of death_date)."""


def _confusion_similarity(h: str, syn: str) -> float:
    """1 - an edit distance / the longer length, where substituting a character that looks alike
    (mapping.glyphs.read_as: by shape, or a misreading measured on photographs, 大化日期 for 火化日期)
    costs only its shape cost (mapping.glyphs.substitution_cost, at least MIN_CONFUSION_COST: 经办入 for
    经办人, 公慕 for 公墓) and a non-Han stand-in LOST_GLYPH_COST; any other substitution,
    an insertion or a drop costs 1 (an unrelated 员 for 人, 问 for 明). A property of the recognizer
    (it keeps a glyph's shape when it misreads it), not of any vocabulary.
    Stand-ins count only beside a glyph read: a header none of whose Han characters is one of the
    wording's characters or a look-alike of one (mapping.glyphs.looks_alike, the recognizer's confusion
    table) scores 0, for its stand-ins alone say nothing of which wording it was (before, any two
    stand-ins, AG, scored 0.5 against every two-character wording: 序号, 姓名, 性别 alike)."""
    from .glyphs import read_as, substitution_cost

    if not any(rc == nc or (_HAN.match(rc) and read_as(rc, nc)) for rc in set(h) for nc in set(syn)):
        return 0.0

    def sub_cost(rc: str, nc: str) -> float:
        return max(MIN_CONFUSION_COST, substitution_cost(rc, nc)) if read_as(rc, nc) else 1.0

    prev = [float(j) for j in range(len(syn) + 1)]
    for i, rc in enumerate(h, 1):
        cur = [float(i)]
        lost = not _HAN.match(rc)
        for j, nc in enumerate(syn, 1):
            sub = 0.0 if rc == nc else LOST_GLYPH_COST if lost else sub_cost(rc, nc)
            cur.append(min(prev[j] + 1.0, cur[j - 1] + 1.0, prev[j - 1] + sub))
        prev = cur
    return max(0.0, 1.0 - prev[-1] / max(len(h), len(syn)))


def _whole_score(h: str, syn: str) -> float:
    """How well a cleaned header reads, as a whole, as one wording: edit and look-alike similarity only."""
    if not h:
        return 0.0
    if h == syn:
        return 1.0
    return max(Levenshtein.normalized_similarity(h, syn), _confusion_similarity(h, syn))


def _score(h: str, syn: str) -> float:
    """How well a cleaned header names one wording: read as a whole (_whole_score), or holding it."""
    sim = _whole_score(h, syn)
    if sim >= 1.0:
        return sim
    if len(syn) >= 3 and syn in h:  # a 2-character wording (日期, 电话) inside a longer header proves little
        sim = max(sim, 0.8 + 0.2 * len(syn) / len(h))
    return sim


@lru_cache(maxsize=16)
def _wordings(spec: Spec, kind: str) -> tuple[tuple[str, str], ...]:
    """Every (field, cleaned wording) a header of `kind` may name. A field printed in two ledger kinds under
    one name is one data element of the spec (the cremation certificate a sea-burial register records is
    the certificate the cremation register issued), so its wordings in either kind name it in both: a
    sea-burial register that heads the column 火化证明书号, as cremation registers do, still names it.
    Rule source: the spec's field catalogue (one data element, one name)."""
    ks = spec.kind(kind)
    out: list[tuple[str, str]] = []
    for f in ks.fields:
        if f.source == "cell":
            own = list(dict.fromkeys(clean_header(s) for s in f.synonyms))
            for other in spec.kinds.values():
                if other is ks:
                    continue
                for g in other.fields:
                    if g.name == f.name and g.source == "cell":
                        own.extend(w for w in (clean_header(s) for s in g.synonyms) if w not in own)
            out.extend((f.name, s) for s in own)
    for name, syns in ks.pseudo_fields.items():
        out.extend((name, clean_header(s)) for s in syns)
    return tuple(out)


@lru_cache(maxsize=4096)
def _field_scores(spec: Spec, kind: str, header: str) -> tuple[tuple[str, float, str], ...]:
    """Best score per field for one cleaned header: (field, score, synonym), best first."""
    return wording_scores(_wordings(spec, kind), header)


@lru_cache(maxsize=8192)
def wording_scores(wordings: tuple[tuple[str, str], ...], header: str) -> tuple[tuple[str, float, str], ...]:
    best: dict[str, tuple[float, str]] = {}
    for name, syn in wordings:
        sc = _score(header, syn)
        if sc > best.get(name, (-1.0, ""))[0]:
            best[name] = (sc, syn)
    return tuple(sorted(((n, s, w) for n, (s, w) in best.items()), key=lambda t: -t[1]))


def map_columns(
    kind: str, header_texts: list[str], spec: Spec | None = None, *, min_score: float | None = None
) -> list[ColumnMatch]:
    """One ColumnMatch per printed column, in order; each field at most once (best score wins)."""
    sp = spec if spec is not None else load_spec()
    threshold = sp.rules.min_header_score if min_score is None else min_score
    order = {n: i for i, n in enumerate(f.name for f in sp.kind(kind).fields)}
    return pair_columns(header_texts, lambda h: _field_scores(sp, kind, h), threshold, order)


def pair_columns(
    header_texts: list[str],
    scores_of: Callable[[str], Sequence[tuple[str, float, str]]],
    threshold: float,
    order: Mapping[str, int] | None = None,
    *,
    ignored: Callable[[str], float] | None = None,
) -> list[ColumnMatch]:
    """Columns and fields paired one to one, best score first (ties: leftmost column, then the
    field's place in `order`). `scores_of(cleaned header)` gives (field, score, wording) per field;
    `ignored(cleaned header)` how well a header names a column known to hold no field (序号,
    社会保障卡号): such a column takes no field unless a field's wording fits it better."""
    order = order or {}
    pairs: list[tuple[float, int, int, str, str]] = []
    for col, text in enumerate(header_texts):
        h = clean_header(text)
        skip = ignored(h) if ignored is not None else -1.0
        for name, sc, syn in scores_of(h):
            if sc >= threshold and sc > skip:
                pairs.append((sc, col, order.get(name, len(order)), name, syn))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    taken_cols: dict[int, tuple[str, float, str]] = {}
    taken_fields: set[str] = set()
    for sc, col, _, name, syn in pairs:
        if col in taken_cols or name in taken_fields:
            continue
        taken_cols[col] = (name, sc, syn)
        taken_fields.add(name)
    out: list[ColumnMatch] = []
    for col, text in enumerate(header_texts):
        if col in taken_cols:
            name, sc, syn = taken_cols[col]
            out.append(ColumnMatch(col, text, name, round(sc, 4), syn))
        else:
            out.append(ColumnMatch(col, text, None, 0.0, None))
    return out


def best_score(wordings: tuple[tuple[str, str], ...], header: str) -> float:
    """How well a cleaned header matches the best of these wordings (0 when there are none)."""
    scores = wording_scores(wordings, header)
    return max((s for _n, s, _w in scores), default=0.0)


def header_naming(header: str, spec: Spec | None = None) -> float:
    """How well a header cell's text names a column of any mapped ledger kind: the best score
    (map_columns' own) any field's or pseudo-field's wording of any kind gets. Read before the page's
    kind is known (pipeline.page.extract.read_header), so every kind's wordings count. The wordings
    are the spec's (mapping/data/spec), none of the generator's."""
    sp = spec if spec is not None else load_spec()
    h = clean_header(header)
    return max((best_score(_wordings(sp, k), h) for k in sp.kinds), default=0.0)


def wordings_of(fields: Mapping[str, Sequence[str]]) -> tuple[tuple[str, str], ...]:
    """(field, cleaned wording) pairs of a field -> wordings table, for `pair_columns`."""
    return tuple((name, clean_header(w)) for name, ws in fields.items() for w in ws)


def _title_score(title: str, words: tuple[str, ...]) -> float:
    t = clean_header(title)
    if not t:
        return 0.0
    best = 0.0
    for w in words:
        cw = clean_header(w)
        if cw in t:
            return 1.0
        if len(t) >= len(cw) - 1:
            best = max(best, fuzz.partial_ratio(cw, t) / 100.0)
    return best if best >= 0.8 else 0.0


def detect_kind(title: str, header_texts: list[str], spec: Spec | None = None) -> tuple[str | None, float]:
    """The ledger kind from the title words and/or the headers, with a confidence in 0..1.

    (None, c) when the page is none of the mapped kinds: c is then how sure we are of that (a title
    naming an ashes-storage or burial register gives a high c; no evidence at all gives c = 0).
    """
    sp = spec if spec is not None else load_spec()
    title_scores = {k: _title_score(title, ks.title_words) for k, ks in sp.kinds.items()}
    other = max((_title_score(title, w) for w in sp.unsupported_kinds.values()), default=0.0)
    header_scores: dict[str, float] = {}
    if header_texts:
        for k, ks in sp.kinds.items():
            matches = {m.field: m.score for m in map_columns(k, header_texts, sp) if m.field}
            keys = ks.key_fields or tuple(f.name for f in ks.fields if f.mandatory == "M" and f.source == "cell")
            header_scores[k] = sum(matches.get(f, 0.0) for f in keys) / max(1, len(keys))
    combined = {}
    for k in sp.kinds:
        t, h = title_scores.get(k, 0.0), header_scores.get(k, 0.0)
        combined[k] = min(1.0, max(t, h) + 0.2 * min(t, h))
    ranked = sorted(combined.items(), key=lambda kv: -kv[1])
    best_kind, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if other > title_scores.get(best_kind, 0.0) and other >= 0.75:
        return None, round(other, 4)
    if best < 0.4 or best - second < 0.1:
        return None, 0.0
    return best_kind, round(best * min(1.0, (best - second) / 0.3), 4)


# ---------------------------------------------------------------------------------------------------
# Columns identified by header AND content
#
# A header may be misread (户籍地址 read 登记户籍地球), worded unlike every synonym, or missing; columns
# come in other orders, extra columns appear. Most fields can be told from what their cells hold: an
# 18-digit number with a GB 11643 check digit, a date, 男/女, an age, a certificate number, a phone
# number, a code-table wording, a place of the lexicon. Each column is scored against each field by
# its header and its cells together, and the assignment of columns to fields that fits both best is
# taken (assign_columns); where it is not clearly better than another, the column is doubted.

CONTENT_MIN_CELLS = 3
"""A column's content says something of its field only with at least this many written cells; below
that (an empty remarks column, a page with two rows) the header alone decides."""
ID_MIN_CELLS = 2
"""...except a column tested for the citizen ID number's form (content_share; column_scores): there two
written cells say enough to back or refute a header, never to name the column alone (decisive_share keeps
CONTENT_MIN_CELLS). GB 11643-1999 fixes the number's form (18 characters, the last a check character
computed from the other 17, digits 7-14 a real birth date): a cell not of 15-18 digits is no ID, and an
18-digit string of another field passes the check character alone by chance at most once in 11 (and must
be a real date besides), two of them at most once in 121. On a page of two rows a header read as the
other 证号 (身份证号 / 火化证号 share their last two characters, and a header read one glyph wrong names
either) otherwise decides alone, and gave a column of
valid ID numbers to cremation_cert_no and the certificate numbers beside it to id_number (a design store with
the two headers exchanged: bench/header_stress.py)."""


def _min_cells(normalizer: str) -> int:
    """The written cells a column's content test for this normalizer needs (ID_MIN_CELLS, CONTENT_MIN_CELLS)."""
    return ID_MIN_CELLS if normalizer == "id_number" else CONTENT_MIN_CELLS


HEADER_WEIGHT = 0.5
"""Weight of the header's score in a column's score for a field (the content's share the rest)."""
CONTENT_UNKNOWN = 0.5
"""The content share counted where it cannot be told (free text, serial numbers of any form, a column
with fewer than CONTENT_MIN_CELLS written cells): no evidence either way. (Counting the header alone
there made a text field whose wording is near another's, 火化编号 beside 火化证号, rival a typed column as
strongly as its own field.)"""
ASSIGN_MIN = 0.6
"""A column is assigned a field only with a score at least this high: a header read exactly with
content that fits (1.0) or that cannot be told (0.75), a header read with a few characters wrong and
content that fits (0.8-0.9), content that fits with a header at least a fifth like a wording, or
content that only this field of the kind can hold (CONTENT_ALONE). Content that several fields may
hold (numbers, dates, names) never assigns a field by itself: an extra column of numbers is no age
column."""
CONTENT_DECISIVE = 0.6
"""Content alone identifies a column where at least this share of its written cells (at least
CONTENT_MIN_CELLS) pass the field's strict test (_decisive) and no other field of the kind read from a
cell can hold such values (its normalizer and code table are the kind's only ones). A share, not all:
a misread digit breaks an ID's check digit, a misread character a code-table wording. By chance an
18-digit string passes GB 11643's check in 1 of 11 cases, so 60 % valid IDs is no accident."""
DECISIVE_MARGIN = 0.2
"""...and where that share exceeds by at least this much the share of its cells that some other field
of the kind could hold by its own strict test."""
CONTENT_ALONE = 0.7
"""The score of a column identified by its content alone: above ASSIGN_MIN, below a header read
exactly with content that fits (1.0) or a header with a few characters wrong and content that fits
(0.8-0.9), so a column that its header names too wins; within ASSIGN_MARGIN of a header-named column
with untold content (0.75), so two such rivals doubt each other."""
ASSIGN_MARGIN = 0.15
"""A column's field is sure only when every whole assignment that gives the column another field, or
its field to another column, sums to at least this much less than the best one (_near_rival):
otherwise the assignment is a guess between near equals (two columns both under 姓名, two date
columns whose headers were not read) and the column is doubted."""
CONTENT_FAILS = 0.5
"""A column whose written cells fit its field's type in less than this share is doubted: its values
mostly fail (a column shifted by a missing ruling line, a header mapped to the wrong field)."""
CELLS_DOUBT = "its cells are doubted one by one"
"""How the doubt begins of a column whose field both its header and its cells name, though fewer than
CONTENT_FAILS of its cells read exactly as that field's values (one of ASSIGNMENT_DOUBTS; _named_twice):
the column is sure, the cells not read exactly are not. pipeline.page.structure.apply_structure doubts
each cell that fails the field's strict test (cell_reads_as), not the column, and its page is not doubted
for it (pipeline.page.extract.doubt_assignment). "A value is certain only where the page, the column and
the cell all are": here the page and the column are, so the cell decides."""

_DIGITS = re.compile(r"[0-9]")
VOYAGE_FORM = re.compile(r"第?[0-9]{1,3}航次|[0-9]{2}[-－—_.][0-9]{1,2}|" + VOYAGE_WORD.pattern)
"""The printed forms of a sea burial's voyage number the spec states ("Voyage numbers are printed like
10-04 (year-serial) or 第4航次"): a two-digit year and a serial of one or two digits, or a voyage count
with 航次, that glyph read as another in the frame 第…次 (mapping.normalize.VOYAGE_WORD: a photographed 第1航次
read 第1杭次, 第1税次; no other field is printed 第, a number, one glyph, 次). A certificate number's short form
keeps four digits of its serial (the spec's 10-0514), so 10-04 is a voyage's, never a certificate's (_looks)."""
SPEC_FORMS = {"voyage_no": VOYAGE_FORM}
"""Text fields (normalizer "text") whose printed form the spec states: their cells can be told by it
(form_share), though the normalizer keeps whatever is printed."""
_SERIAL_TEXT = re.compile(r"[A-Za-z]{0,3}[0-9]{2,4}[-－—]?[0-9]{1,4}|第?[0-9]{1,3}航?次?|[0-9]{2}-[0-9]{1,3}")


def _clean_cell(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _id_text(text: str) -> str:
    """A cell as an ID number is tested (_decisive, ids_in_part): cleaned, upper case, the multiplication
    sign the check character X is often written or read as made X (GB 11643's check character)."""
    return _clean_cell(text).upper().replace("×", "X")


def _looks(normalizer: str, code_table: str | None, text: str, sp: Spec, *, shapes: bool = True) -> bool | None:
    """Whether one written cell looks like a value of a field with this normalizer: a strict test of
    the text's form (the normalizers themselves accept far more, to read what is doubtful). None for a
    field whose content cannot be told (free text, serial numbers of any form).

    A code wording counts where it is read exactly, or (`shapes`) where every character that differs
    is a look-alike of the wording's (normalize_code's `code_matched_by_shape`: 安苏 for 安葬, 海集 for
    海葬, 配锅 for 配偶), one code alone so spelled: a property of the recognizer, which keeps a glyph's
    shape when it misreads it (mapping.glyphs, measured on the glyphs' drawn shapes), so that a
    column of a code read from a blurred photograph still looks like its code. Never a wording with
    characters dropped or added, or a fuzzy spelling. Such readings help give the column its field;
    they never make it sure alone (ColumnScore.fits, CONTENT_FAILS: a column whose cells are mostly
    look-alike readings stays doubted; where its header read exactly names the field too, _named_twice,
    its cells not read exactly are doubted one by one instead, CELLS_DOUBT) and never identify it alone
    (_decisive). So for a sea area whose
    海域 was read with a look-alike glyph (海城: _ends_like)."""
    from . import normalize as N

    s = _clean_cell(text)
    if normalizer == "id_number":
        digits = re.sub(r"[^0-9Xx]", "", s)
        return 15 <= len(digits) <= 18 and len(digits) >= len(s) - 2
    if normalizer == "date":
        n = N.normalize_date(s)
        if n.value is not None and "date_separator_inferred" in n.flags:
            return _separator_read_as_gap(text, str(n.value))
        return n.value is not None
    if normalizer == "sex":
        return s in ("男", "女", "男性", "女性")
    if normalizer in ("age", "count"):
        n = (N.normalize_age if normalizer == "age" else N.normalize_count)(s)
        return n.value is not None and len(s) <= 5
    if normalizer == "phone":
        n = N.normalize_phone(s)
        return n.value is not None and "area_code_added" not in n.flags
    if normalizer == "cert_no":
        if VOYAGE_FORM.fullmatch(s):
            return False  # the spec's voyage form (10-04), not its certificate short form (10-0514)
        n = N.normalize_cert_no(s)
        worded = N._cert_wording_by_shape(s) or s  # 火学第261号, 大字第261号: the wording misread (read_as)
        return (
            n.value is not None
            and not (set(n.flags) & {"nonstandard_format", "year_from_ledger"})
            or bool(re.fullmatch(r"火?字?第?[0-9]{1,5}号", worded))
        )
    if normalizer == "name":
        n = N.normalize_name(s)
        return n.value is not None and 2 <= len(str(n.value)) <= 4 and "surname_unusual" not in n.flags and not _DIGITS.search(s)
    if normalizer == "code":
        if not s or s.isdigit() or code_table is None:
            return False
        n = N.normalize_code(s, sp.table(code_table), fuzzy=False)
        if n.value is not None and "partial_match" not in n.flags:
            return True
        if not shapes:
            return False
        n = N.normalize_code(s, sp.table(code_table))
        return n.value is not None and "code_matched_by_shape" in n.flags
    if normalizer in ("address", "division", "sea_area"):
        from .places import scan_places

        scan = scan_places(s, sp)
        kinds = {h.place.kind for h in scan.hits}
        if normalizer == "sea_area":
            return "sea_area" in kinds or s.endswith("海域") or (shapes and _ends_like(s, "海域"))
        if normalizer == "division":
            return bool(re.fullmatch(r"[0-9]{6}", s)) and s in sp.divisions or (bool(kinds & {"district"}) and len(s) <= 7)
        return len(s) >= 5 and bool(kinds - {"sea_area"}) and "海域" not in s
    return None


_GAP = re.compile(r"(?<=[0-9])\s+(?=[0-9])")


def _separator_read_as_gap(text: str, value: str) -> bool:
    """Whether a date whose separator the normalizer had to infer (2012.215: one split alone gives a real
    date) was read with a gap where that separator stands (2012.2 15, 2012 2.18): the recognizer lost the
    small dot of a pen or a print but kept its space, so the reading says where the separator was, and the
    cell is a date as its column's content (the field's value keeps its inferred flag and certainty). A
    property of the recognizer (it reads a gap between glyphs as a space); a reading with no gap there,
    digits run together, stays no date to a column's content test (2010.112 may be anything)."""
    from . import normalize as N

    spaced = N.normalize_date(_GAP.sub(".", unicodedata.normalize("NFKC", text or "").strip()))
    return spaced.value == value and "date_separator_inferred" not in spaced.flags


def _ends_like(s: str, word: str) -> bool:
    """Whether a cell ends with `word` read with look-alike glyphs (mapping.glyphs.looks_alike: 海城 for
    海域, whose 城 and 域 differ by one component), every other character of the word read exactly. The
    recognizer's confusion, as for code wordings (`shapes` in _looks): it helps give a column its field,
    never makes it sure (ColumnScore.strict)."""
    from .glyphs import looks_alike

    tail = s[-len(word) :]
    return (
        len(s) > len(word)
        and tail != word
        and all(a == b or looks_alike(a, b) for a, b in zip(tail, word))
        and sum(a != b for a, b in zip(tail, word)) == 1
    )


_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}[0-9]{7,8}")


def _decisive(normalizer: str, code_table: str | None, text: str, sp: Spec) -> bool | None:
    """Whether one written cell holds a value that only a field with this normalizer can hold, by a
    rule of an official source: an 18-character citizen ID number whose check character and birth
    date are valid (GB 11643-1999), or a 15-digit first-generation number with a valid birth date
    (GB 11643-1989); 男/女 (the spec's sex table, GB/T 2261.1); a wording of the field's code table
    read exactly (the spec's code tables: GB/T 4761 relations, GB/T 3304 ethnic groups, causes of
    death, ashes destinations, certificate issuers); an 11-digit mobile number 1[3-9]... or a landline
    number with its 0 area code (the national numbering plan); a sea area of the list or a place name
    ending in 海域; an address of 5+ characters naming a place of the lexicon (the official village
    list and GB/T 2260 divisions). None for a field whose content several fields share (dates,
    names, ages, counts, certificate and serial numbers, free text)."""
    from . import normalize as N

    s = _clean_cell(text)
    if normalizer == "id_number":
        t = _id_text(s)
        if len(t) == 15 and t.isdigit():
            return N._birth_ok("19" + t[6:12])
        return N.is_valid_id(t)
    if normalizer == "sex":
        return s in ("男", "女")
    if normalizer == "phone":
        digits = re.sub(r"[-－—\s()（）]", "", s)
        return bool(_MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits))
    if normalizer in ("code", "sea_area", "address"):
        return bool(_looks(normalizer, code_table, text, sp, shapes=False))
    return None


@lru_cache(maxsize=16)
def _content_classes(spec: Spec, kind: str) -> dict[tuple[str, str | None], int]:
    """How many fields of the kind read from a cell share each (normalizer, code table)."""
    out: dict[tuple[str, str | None], int] = {}
    for f in spec.kind(kind).fields:
        if f.source == "cell":
            out[(f.normalizer, f.code_table)] = out.get((f.normalizer, f.code_table), 0) + 1
    return out


def decisive_share(kind: str, normalizer: str, code_table: str | None, texts: list[str], sp: Spec) -> float | None:
    """The share of a column's written cells whose values only this field of the kind can hold
    (_decisive); 0 where the cells fit another field of the kind nearly as well (DECISIVE_MARGIN: 女 is
    a sex and, in GB/T 4761, a daughter; a column of 男 and 女 is the sex's, one of 女 alone is not
    told); None where the column has fewer than CONTENT_MIN_CELLS written cells, the field's
    content is shared with other fields, or another field of the kind has the same normalizer and
    code table (two relation columns, two phone columns: the content cannot tell them apart)."""
    if _content_classes(sp, kind).get((normalizer, code_table), 0) != 1:
        return None
    written = [t for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return None
    looks = [_decisive(normalizer, code_table, t, sp) for t in written]
    if looks[0] is None:
        return None
    share = sum(bool(x) for x in looks) / len(looks)
    for n, t_ in _content_classes(sp, kind):
        if (n, t_) == (normalizer, code_table):
            continue
        other = [_decisive(n, t_, w, sp) for w in written]
        if other[0] is not None and sum(bool(x) for x in other) / len(other) > share - DECISIVE_MARGIN:
            return 0.0
    return share


_SCRIPT_CHANGE = re.compile(r"(?<=[\u3400-\u9fff])(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])(?=[\u3400-\u9fff])")
MERGED_CELLS = 0.6
"""A column holds two printed columns' values (merged_cell_share) where at least this share of its
written cells (at least CONTENT_MIN_CELLS) split so: the share that makes content decisive
(CONTENT_DECISIVE)."""


def _decisive_classes(kind: str, text: str, sp: Spec) -> set[tuple[str, str | None]]:
    """The (normalizer, code table) classes of the kind whose decisive test (_decisive) a text passes."""
    return {(n, t) for n, t in _content_classes(sp, kind) if _decisive(n, t, text, sp)}


END_VALUE_CHARS = 4
"""The longest value looked for at either end of a cell run together with another column's value
without a change of script (宋建儿子): a sex, a code-table wording (家属带回), a short place."""


LONE_VALUES = frozenset({"男", "女"})
"""The one-character values a cell's end may hold alone (merged_cell_share): a sex, which the spec prints
as one character (男 / 女, GB/T 2261.1). Any other lone character matches too much (村 ends a village and
is a wording); 男/女 after a name is rare enough (胜男, a given name) that MERGED_CELLS of a column's cells
so ending is two printed columns, not names."""


NUMBER_SHAPES = frozenset({"age", "count", "date", "phone", "cert_no", "id_number"})
"""OWN_CODE_BESIDE: the fields whose strict test (_looks) is a number's form (an age, a count, a date, a
phone, a certificate or ID number), which a part of a cell with a digit must pass to be another column's
value beside a code wording."""
LONE_WORDINGS = "a one-character wording of a code table after a name"
"""merged_cell_share: in a column given a name or a code field, a cell's last character alone counts as a
part where it is a one-character wording of a code table read exactly (子, 女, 妻, 夫, 弟: GB/T 4761) and
the rest passes the name test (_looks name: 2-4 characters, a surname of the list): a name and a relation
written side by side, the ruling line between 经手人 and 亲属关系 lost (design d3316 with --line
before:agent_relation_code: 15 of 16 printed columns read, the relation on 32 rows without a column).
LONE_VALUES keeps other lone characters out (村 ends a village); a column of names of which MERGED_CELLS
end in such a character (王玉子, a given name) is no register's."""
OWN_CODE_BESIDE = "a wording of the column's own code table beside a number or a name of another field"
"""merged_cell_share: a column given a code field (a relation, GB/T 4761) whose cells are a wording of its
code table read exactly with a number of another field's form beside it (配偶2人, 1人孙女: the relation and
the count of those aboard, the ruling line between 亲属关系 and 随船人数 missing, header read 亲属系毅; design
d3316 county_editions 02_sea_burial_longkou_2013 with that line painted out: bench/stress_scans.py --mode
unruled --line after:registrant_relation_code). Rule source: a code table's wordings hold no digit (GB/T 4761,
the spec's other tables: SPEC.md), so a digit beside one exact wording is another column's writing; the
count's own test (_looks: normalize_count) names the number. The existing test needs the number itself to
be decisive (a count never is: several fields share a number's form), or the column's own field to be the
number's. Likewise a wording beside a name (宋建儿子 in a column given the relation: _looks name, where the
kind has a name field), as the existing test counts it in a column given the name."""


def id_in_form(text: str) -> bool:
    """Whether a text has the form of an 18-character citizen ID number, whatever its check character and
    the date and address code it states (GB 11643-1999 4: 17 digits and a digit or X). The recognizer's
    confusions break the check, the date or the address code of a number read with a digit wrong (a
    felt-pen 6 read as 0, 8 as 3: the pages of ID_IN_PART) and keep its form; of the fields whose format
    the spec states none is an 18-character number (SPEC.md: a phone has 11 digits, a certificate number
    a year and a 5-digit serial, a date 8 digits at most). A home's own number (cremation_no, of no stated
    format) may be built as an ID is, so the form never gives a column its field (ids_in_part keeps the
    check character): it is used only for a part of a cell that meets Han writing at a change of script
    (merged_cell_share, pipeline.page.extract._split_values), an ID run together with the next column's
    address, the ruling line between them missing, where the column is doubted and both parts are shown to
    a reviewer. Such a part is then checked and repaired as any ID read is."""
    t = _id_text(text)
    return len(t) == 18 and t[:17].isdigit() and t[17] in "0123456789X"


def merged_cell_share(kind: str, texts: list[str], sp: Spec, own: tuple[str, str | None] | None = None) -> float | None:
    """The share of a column's written cells that read as two values of different fields side by side:
    split where the script changes (Han characters beside digits or Latin letters: 儿子13905351234,
    女370602193608241141), or within END_VALUE_CHARS of either end leaving two characters at least on
    each side (a lone character matches too much: 村 ends a village and is a wording), each part passes the decisive test
    of a field of the kind (_decisive: a valid GB 11643 number, 男/女, a code-table wording read
    exactly, a phone number of the numbering plan, a sea area, an address naming a place of the
    lexicon) and the two parts' fields differ in kind (a lone 男/女 at either end counts as a part:
    LONE_VALUES); or one part passes such a test and the other
    the strict test of the column's own field `own` (normalizer, code table; _looks: 宋建儿子, a name
    and a relation wording), of another kind. A ruling line missing between two columns whose header
    was read as one field's: the cells show what the header does not. None with fewer than
    CONTENT_MIN_CELLS written cells. Rule source: the official formats behind _decisive and _looks and
    the one-value-per-cell form of a register. A part that has an ID's form (id_in_form: 18 characters,
    17 digits and a digit or X) where it meets Han writing counts as the ID's value though its check
    character fails: the recognizer's confusions break the check of an ID read with one digit wrong and
    keep its form, and an ID run together with the next column's address (居民身份证号码户籍地址 over
    cells of an ID then an address, design f3321) is told by its form and the change of script. And
    (OWN_CODE_BESIDE) a part that is a wording of the column's own code table read exactly, the other a
    number of another field's form (NUMBER_SHAPES: 配偶2人, 1人孙女)."""
    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return None

    id_class = next(((n, t) for n, t in _content_classes(sp, kind) if n == "id_number"), None)

    def classes(part: str, touching: str) -> set[tuple[str, str | None]]:
        found = _decisive_classes(kind, part, sp)
        if id_class is not None and not found and _HAN.fullmatch(touching) and id_in_form(part):
            found = {id_class}  # an ID read with a digit wrong, against Han writing (id_in_form)
        return found

    def two_values(left: str, right: str, whole: bool = False) -> bool:
        lc, rc = classes(left, right[:1]), classes(right, left[-1:])
        if lc and rc and not (lc & rc):
            return True
        if own is None or own[0] in ("text", "row_no"):
            return False
        for part, other in ((left, rc), (right, lc)):
            if other and own not in other and _looks(own[0], own[1], part, sp):
                return True
            if own in other and own[0] == "code" and not whole and _other_value(part):
                return True  # a code wording read exactly beside another field's value (配偶2人, 宋建子: OWN_CODE_BESIDE)
        return False

    def _other_value(part: str) -> bool:
        if _DIGITS.search(part):
            return any(_looks(n, t, part, sp) for n, t in shaped)
        return named and bool(_looks("name", None, part, sp))

    def lone_wording(ch: str) -> bool:  # a one-character wording of a code table, beside a name (LONE_WORDINGS)
        return named and any(n == "code" and _decisive(n, t, ch, sp) for n, t in _content_classes(sp, kind))

    named = own is not None and (own[0] == "name" or own[0] == "code") and ("name", None) in _content_classes(sp, kind)

    shaped = [(n, t) for n, t in _content_classes(sp, kind) if (n, t) != own and n in NUMBER_SHAPES]

    merged = 0
    for cell in written:
        cuts = {m.start() for m in _SCRIPT_CHANGE.finditer(cell)}
        cuts |= {i for i in range(2, len(cell) - 1) if i <= END_VALUE_CHARS or len(cell) - i <= END_VALUE_CHARS}
        cuts |= {i for i in (1, len(cell) - 1) if len(cell) >= 3 and (cell[:i] in LONE_VALUES or cell[i:] in LONE_VALUES)}
        # a cell that reads whole as one wording of the column's own code table (公墓安葬, 曾孙子) is one value
        whole = own is not None and own[0] == "code" and bool(_decisive(own[0], own[1], cell, sp))
        if len(cell) >= 3 and not whole and lone_wording(cell[-1]):
            cuts.add(len(cell) - 1)
        if any(two_values(cell[:i], cell[i:], whole) for i in sorted(cuts)):
            merged += 1
    return merged / len(written)


def _id_facts(text: str) -> tuple[str, str] | None:
    """(birth date YYYY-MM-DD, sex 1 male / 2 female) that a valid citizen ID number states
    (GB 11643-1999: digits 7-14 the birth date, the 17th odd for a man; 15-digit numbers of
    GB 11643-1989: digits 7-12 the birth date after 19, the 15th odd for a man); None otherwise."""
    from . import normalize as N

    t = _clean_cell(text).upper()
    if len(t) == 15 and t.isdigit() and N._birth_ok("19" + t[6:12]):
        b, sex_digit = "19" + t[6:12], int(t[14])
    elif N.is_valid_id(t):
        b, sex_digit = t[6:14], int(t[16])
    else:
        return None
    return f"{b[:4]}-{b[4:6]}-{b[6:8]}", "1" if sex_digit % 2 else "2"


def id_agreement(normalizer: str, texts: list[str], ids: list[str], row_dates: list[list[str]]) -> float | None:
    """The share of a column's rows whose value agrees with the row's citizen ID number, where both are
    read (at least CONTENT_MIN_CELLS such rows): a sex that the ID's sex digit states, a date that is
    the ID's birth date, an age that is the full years (or one more, the nominal age 虚岁) from the
    ID's birth date to a date written in the same row (GB 11643: the number states birth date and
    sex). None for other fields or too few rows."""
    from . import normalize as N

    if normalizer not in ("sex", "age", "date"):
        return None
    both = agree = 0
    for i, text in enumerate(texts):
        facts = _id_facts(ids[i]) if i < len(ids) else None
        s = _clean_cell(text)
        if facts is None or not s:
            continue
        birth, sex = facts
        if normalizer == "sex":
            if s not in ("男", "女"):
                both += 1
                continue
            ok = (s == "男") == (sex == "1")
        elif normalizer == "date":
            n = N.normalize_date(s)
            ok = n.value == birth
        else:
            if i >= len(row_dates) or not row_dates[i]:
                continue  # no date of the row to count the years to
            age = N.normalize_age(s).value
            y, m, d = (int(x) for x in birth.split("-"))
            ok = False
            for other in row_dates[i]:
                oy, om, od = (int(x) for x in other.split("-"))
                full = oy - y - ((om, od) < (m, d))
                ok = ok or (isinstance(age, int) and age in (full, full + 1))
        both += 1
        agree += bool(ok)
    if both < CONTENT_MIN_CELLS:
        return None
    return agree / both


def content_share(normalizer: str, code_table: str | None, texts: list[str], sp: Spec, *, shapes: bool = True) -> float | None:
    """The share of a column's written cells that look like values of a field (_looks; `shapes`: code
    wordings read with look-alike characters count); None where the column has fewer than
    CONTENT_MIN_CELLS written cells (ID_MIN_CELLS for the ID number) or the field's content cannot be told."""
    written = [t for t in texts if _clean_cell(t)]
    if len(written) < _min_cells(normalizer):
        return None
    looks = [_looks(normalizer, code_table, t, sp, shapes=shapes) for t in written]
    if looks[0] is None:
        return None
    return sum(bool(x) for x in looks) / len(looks)


def form_share(name: str, texts: list[str]) -> float | None:
    """The share of a column's written cells in the printed form the spec states for a text field
    (SPEC_FORMS), where that share is at least ELIMINATION_SHARE; None for another field, with fewer
    than CONTENT_MIN_CELLS written cells, or where fewer cells are in that form: the spec names the
    form the values are usually printed in, not every form a home used (a voyage printed 4 or A-4 is
    still a voyage), so cells in the form count for the field and cells in no form do not count against
    it (the content stays untold, CONTENT_UNKNOWN, as for any free text). Dashes are folded first
    (mapping.normalize.DASHES: the recognizer writes a printed '-' as '~', or '=' on a blurred photograph,
    so 14~06 is 14-06 read)."""
    form = SPEC_FORMS.get(name)
    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if form is None or len(written) < CONTENT_MIN_CELLS:
        return None
    share = sum(bool(form.fullmatch(fold_dashes(t))) for t in written) / len(written)
    return share if share >= ELIMINATION_SHARE else None


def _serial_value(text: str) -> int | None:
    """A cell's number as a serial (at most 5 digits), the recognizer's readings of a digit as a letter
    or a stroke (mapping.normalize.OCR_DIGITS: i/l/I/|/丨 for 1, O/o for 0) folded where at least one
    digit is read as a digit in the cell: a lone 'l' or '|' is as likely a mark or a ruling line's
    remains as a 1, and never counts. None for any other text. Rule source: the recognizer's
    confusions (the same table the dates and ID numbers are read with)."""
    from .normalize import OCR_DIGITS

    s = _clean_cell(text)
    if not s.isdigit() and any(c.isascii() and c.isdigit() for c in s):
        s = s.translate(OCR_DIGITS)
    return int(s) if s.isascii() and s.isdigit() and len(s) <= 5 else None


def serial_share(texts: list[str]) -> float | None:
    """The share of a column's written cells that follow the cell above by one (1, 2, 3 ... or 41, 42,
    43 ...): the serial column (序号). None with fewer than CONTENT_MIN_CELLS written cells.

    Or, where more, the share of its written cells that stand where the page's run puts them (the value
    of the row's place plus the offset most cells share: 41 in the first row, 42 in the second ...): a
    digit misread (910 for 940) breaks two links to the cells above and below but moves one cell off
    the run, so a serial column read with a few digits wrong stays the serial's. The definition of a
    serial (one number a row, up by one), not of any generator; numbers of another field stand at their
    row's place by chance in few cells. A number read with the recognizer's digit confusions (i5, l17,
    I2 for 15, 117, 12: mapping.normalize.OCR_DIGITS) counts as the number, where a digit is read
    beside them (_serial_value)."""
    values = [_serial_value(t) for t in texts]
    written = [v for v in values if v is not None]
    n_written = len([t for t in texts if _clean_cell(t)])
    if len(written) < CONTENT_MIN_CELLS or n_written < CONTENT_MIN_CELLS:
        return None
    follows = sum(1 for a, b in zip(values, values[1:]) if a is not None and b is not None and b == a + 1)
    return max(follows / max(1, n_written - 1), _on_run(values) / n_written)


def _on_run(values: Sequence[int | None]) -> int:
    """How many of a column's numbers (None: a cell of no number) stand where the page's run puts them
    (_run_places); 0 where there is no number."""
    return sum(_run_places(values))


def _run_places(values: Sequence[int | None]) -> list[bool]:
    """For each of a column's cells (None: a cell of no number), whether its number stands where the page's
    run puts it: the value of the row's place plus the offset most of them share (41 in the first row, 42 in
    the second ...); all False where there is no number."""
    offsets = Counter(v - i for i, v in enumerate(values) if v is not None)
    if not offsets:
        return [False] * len(values)
    off = offsets.most_common(1)[0][0]
    return [v is not None and v - i == off for i, v in enumerate(values)]


@dataclass(frozen=True)
class ColumnScore:
    """How a printed column scores for one field: by its header, by its content, and together."""

    header: float
    content: float | None
    total: float
    alone: bool = False  # the content alone identifies the column (CONTENT_ALONE, decisive_share)
    strict: float | None = None  # the content's share read exactly (a code or sea-area column); None: as `content`

    @property
    def fits(self) -> float | None:
        """The share of the column's cells that fit the field as read, no look-alike taken for a
        wording: what a column is doubted by (CONTENT_FAILS) and given a field by elimination by."""
        return self.content if self.strict is None else self.strict


SCORE_DECIMALS = 4
"""The decimals a ColumnScore's shares are kept to (column_scores); a threshold that is a fraction of the
cells (CELLS_IN_PART, a third) is compared at that precision, so that exactly that share passes."""

_AGREES_WITH_ID = {"sex": "sex_code", "age": "age_years", "date": "birth_date"}
"""The fields whose values a citizen ID number states (GB 11643): a column of such values that agree
with the row's ID is that field's, though other fields share its content (an age is a number, a
birth date a date)."""


ID_IN_PART = 1 / 3
"""A column where at least this share of its written cells (at least CONTENT_MIN_CELLS written, at least
ID_MIN_CELLS of them so) are 18-character citizen ID numbers that hold by GB 11643-1999 (the check character
computed from the other 17 digits, digits 7-14 a real birth date, an address code of a GB/T 2260 province:
mapping.normalize.is_valid_id) is the ID number's column (ids_in_part), whatever its header reads, and no
other field's; and where a page has such a column, a column of numbers of which fewer pass is not the ID's,
whatever its header reads (content share 0 for the ID: column_scores). Lower than CONTENT_DECISIVE because
these cells are no accident: an 18-digit string of another field passes the check character alone in 1 case of
11 and must besides begin with one of the 35 province codes of GB/T 2260 and carry a real date at digits 7-14.
(A home's own numbers built as an ID is, a GB/T 2260 code and a real date, would pass the check in 1 cell of
11: two of three such cells in 2 % of columns, two of six in 10 %; of the 1512 columns other than the ID's of
the design stores d3316, s4482, c4485 and their bilevel, faded and phone copies, none holds one valid ID.) A
page whose ID digits are read poorly (red ink, a faint carbon: one misread digit breaks the check) keeps only
some of them valid, and the header alone then gave the column of IDs to another field (a header read as 火化证号
or a name's wording) or to none (bench/header_stress.py --fields id_number --misread-every 2: half the IDs of
each page misread by a digit's look-alike, the header worded as another field's), or the two 证号 headers
misread into each other gave the IDs to cremation_cert_no and a home's 18-digit certificate numbers to the ID.
Below a third the column still goes without a field (fresh camera c4486 so stressed: 3 pages of 16, their IDs
already misread by the photograph)."""


def ids_in_part(texts: Sequence[str]) -> bool:
    """Whether a column's written cells hold citizen ID numbers valid by GB 11643-1999 in at least
    ID_IN_PART of them and ID_MIN_CELLS at least, of CONTENT_MIN_CELLS written cells or more."""
    from . import normalize as N

    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return False
    valid = sum(N.is_valid_id(_id_text(t)) for t in written)
    return valid >= ID_MIN_CELLS and valid / len(written) >= ID_IN_PART - 1e-9


def _id_column(kind: str, column_texts: list[list[str]], sp: Spec) -> tuple[list[str] | None, list[list[str]]]:
    """The texts of the column of valid ID numbers (the best decisive_share, at least CONTENT_DECISIVE),
    and per row the dates written in its other columns; (None, []) where no column holds valid ID
    numbers so. The IDs against which a sex, birth date or age column's cells are checked (id_agreement,
    whose share then stands for the column's content share): a column valid only in part (ID_IN_PART,
    ids_in_part) names the ID's column but is no such witness, as its page's digits were read poorly and
    its other cells, as poorly, would be counted as disagreeing (a sex cell not read 男/女 counts so)
    where the content test alone would have told their field by their look-alike readings."""
    from . import normalize as N

    id_fields = [f for f in sp.kind(kind).fields if f.source == "cell" and f.normalizer == "id_number"]
    if not id_fields:
        return None, []
    best, best_share = None, 0.0
    for texts in column_texts:
        q = decisive_share(kind, "id_number", id_fields[0].code_table, texts, sp)
        if q is not None and q >= CONTENT_DECISIVE and q > best_share:
            best, best_share = texts, q
    if best is None:
        return None, []
    n_rows = max((len(t) for t in column_texts), default=0)
    row_dates: list[list[str]] = [[] for _ in range(n_rows)]
    for texts in column_texts:
        if texts is best:
            continue
        for i, t in enumerate(texts):
            s = _clean_cell(t)
            if len(s) >= 6 and _DIGITS.search(s):
                n = N.normalize_date(s)
                if n.value and len(str(n.value)) == 10 and not (set(n.flags) & {"date_separator_inferred"}):
                    row_dates[i].append(str(n.value))
    return best, row_dates


def column_scores(
    kind: str, header_texts: list[str], column_texts: list[list[str]], spec: Spec | None = None
) -> dict[tuple[int, str], ColumnScore]:
    """(column, field) -> ColumnScore for every printed column and every field of the kind read from
    a cell (and the serial pseudo-field row_no). total = HEADER_WEIGHT x header + (1 - HEADER_WEIGHT)
    x content share (CONTENT_UNKNOWN where the content cannot be told; for a sex, an age or a birth
    date, the share agreeing with the row's valid ID number where there is one: id_agreement, so
    that dates that are not the IDs' birth dates are no birth dates); at least CONTENT_ALONE where
    the content is such that only this field can hold it (decisive_share >= CONTENT_DECISIVE). A column of
    fewer than CONTENT_MIN_CELLS written cells (at least ID_MIN_CELLS), each a valid ID number, has content
    share 0 for every other field whose content was not told: GB 11643's numbers are no other field's values."""
    sp = spec if spec is not None else load_spec()
    ks = sp.kind(kind)
    fields = [(f.name, f.normalizer, f.code_table) for f in ks.fields if f.source == "cell"]
    fields += [(name, "row_no", None) for name in ks.pseudo_fields]
    out: dict[tuple[int, str], ColumnScore] = {}
    ids, row_dates = _id_column(kind, column_texts, sp)
    id_fields = [(f.name, f.code_table) for f in ks.fields if f.source == "cell" and f.normalizer == "id_number"]
    # the columns holding valid ID numbers in part (ID_IN_PART): where there is one, a column of none is no ID's
    id_cols = {c for c, t in enumerate(column_texts) if len(id_fields) == 1 and ids_in_part(t)}
    for col, text in enumerate(header_texts):
        by_field = {n: sc for n, sc, _syn in _field_scores(sp, kind, clean_header(text))}
        texts = column_texts[col] if col < len(column_texts) else []
        written = [t for t in texts if _clean_cell(t)]
        # a few cells, each a valid ID number (GB 11643): values no other field holds (ID_MIN_CELLS)
        id_held = (
            len(id_fields) == 1
            and ID_MIN_CELLS <= len(written) < CONTENT_MIN_CELLS
            and all(_decisive("id_number", id_fields[0][1], t, sp) for t in written)
        )
        # a third of its cells valid GB 11643 numbers: the ID's column, no other field's (ID_IN_PART)
        id_part = col in id_cols
        for name, normalizer, table in fields:
            h = by_field.get(name, 0.0)
            if normalizer == "row_no":
                q = serial_share(texts)
            elif normalizer == "text" and name in SPEC_FORMS:
                q = form_share(name, texts)
            else:
                q = content_share(normalizer, table, texts, sp)
            agree = None  # the share of rows whose value the row's ID states (id_agreement)
            if ids is not None and ids is not texts and _AGREES_WITH_ID.get(normalizer) == name:
                agree = id_agreement(normalizer, texts, ids, row_dates)
            if q is not None and agree is not None:
                q = agree  # the row's ID says what it must be
            if q is None and id_held and normalizer not in ("id_number", "row_no"):
                q = 0.0  # too few cells to test for this field, but they are valid ID numbers: no other field's values
            if id_part and normalizer not in ("id_number", "row_no"):
                q = 0.0  # valid ID numbers in part (ID_IN_PART): no other field's values
            if normalizer == "id_number" and id_cols and not id_part:
                q = 0.0  # another column holds the page's valid ID numbers: these numbers, not valid, are not IDs
            strict = None  # a code column's cells read exactly (the look-alike readings left out)
            if normalizer in ("code", "sea_area") and q is not None and agree is None:
                strict = content_share(normalizer, table, texts, sp, shapes=False)
            total = HEADER_WEIGHT * h + (1 - HEADER_WEIGHT) * (CONTENT_UNKNOWN if q is None else q)
            alone = False
            if total < CONTENT_ALONE and normalizer != "row_no":
                d = decisive_share(kind, normalizer, table, texts, sp)
                if (d is None or d < CONTENT_DECISIVE) and agree is not None:
                    d = agree
                if (d is not None and d >= CONTENT_DECISIVE) or (normalizer == "id_number" and id_part):
                    total, alone = CONTENT_ALONE, True
            out[(col, name)] = ColumnScore(
                round(h, SCORE_DECIMALS),
                None if q is None else round(q, SCORE_DECIMALS),
                round(total, SCORE_DECIMALS),
                alone,
                None if strict is None or strict == q else round(strict, SCORE_DECIMALS),
            )
    return out


def best_assignment(weights: list[list[float]]) -> list[int]:
    """For each row of a (rows x cols) weight matrix, the column it is matched to (-1: none), the
    matching maximizing the summed weight, each column used at most once; only positive weights count.
    The Hungarian method (Kuhn-Munkres, O(n^3)) on the square matrix padded with zeros."""
    n_r = len(weights)
    n_c = max((len(r) for r in weights), default=0)
    n = max(n_r, n_c)
    if n == 0:
        return []
    big = max((w for r in weights for w in r), default=0.0)
    cost = [[(big - max(0.0, weights[i][j])) if i < n_r and j < len(weights[i]) else big for j in range(n)] for i in range(n)]
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (n + 1)
    p, way = [0] * (n + 1), [0] * (n + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (n + 1)
        used = [False] * (n + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], inf, 0
            for j in range(1, n + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(n + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    match = [-1] * n_r
    for j in range(1, n + 1):
        i = p[j] - 1
        if 0 <= i < n_r and j - 1 < len(weights[i]) and weights[i][j - 1] > 0:
            match[i] = j - 1
    return match


@dataclass(frozen=True)
class ColumnAssignment:
    """A printed column's field, chosen by header and content together, and why it is in doubt
    (None: sure)."""

    index: int
    header: str
    field: str | None
    score: ColumnScore | None
    by_content: bool = False  # the header alone would have given another field, or none
    doubt: str | None = None


def _near_rival(weights: list[list[float]], best: float, pairs: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first (column, field) pair among `pairs` whose best whole assignment that holds it sums to
    within ASSIGN_MARGIN of the best one (`best`); None where every such assignment is clearly worse.
    Only pairs the column could be given (weight above 0) are tried."""
    for c, j in pairs:
        w = weights[c][j]
        if w <= 0 or w + ASSIGN_MARGIN <= 0:
            continue
        rest = [[0.0 if (r == c or k == j) else v for k, v in enumerate(row)] for r, row in enumerate(weights)]
        match = best_assignment(rest)
        alt = w + sum(rest[r][k] for r, k in enumerate(match) if k >= 0)
        if alt > best - ASSIGN_MARGIN:
            return c, j
    return None


def _named_twice(
    kind: str, c: int, header: str, texts: Sequence[str], field: str, scores: Mapping[tuple[int, str], ColumnScore], sp: Spec
) -> bool:
    """Whether column `c`, given a code or sea-area field whose cells mostly fail the field's strict test
    (CONTENT_FAILS), is still that field's beyond doubt by its header and its cells together:

    - its header reads, as a whole, as a wording of the field (HEADER_READ: one printed header per column);
    - its cells say the same: at least ELIMINATION_SHARE of its written cells read as the field's values
      once the recognizer's look-alike glyphs are allowed (ColumnScore.content with `shapes`: 海城 for
      海域, 海养 for 海葬; mapping.glyphs, measured on the glyphs' drawn shapes), or at least CELLS_IN_PART
      read exactly as a wording of the field's code table (a column of other values passes a code table's
      exact wording by chance in far fewer cells);
    - and they say nothing else: fewer than CELLS_IN_PART of its written cells read as a value of a field
      of another content class (another normalizer or code table, _looks) and not as this field's, even
      through look-alike glyphs (a column shifted under the header, or a header mapped to the wrong field,
      shows the other field's values; misread cells show no field's; 桑岛海城 passes the name test, a
      surname and three characters, but reads as a sea area too, so it says nothing against the field).

    Such a column is the field's printed column read through blurred or faint glyphs: its cells are
    doubted one by one (CELLS_DOUBT), not the column. Code and sea-area fields only: their strict test
    is an official list's wording read exactly (the spec's code tables, the sea-area list), which no
    misplaced column's cells spell by chance; a name or a date column's cells can."""
    sc = scores.get((c, field))
    own = content_class(sp, kind, field)
    if sc is None or sc.content is None or sc.fits is None or own is None or own[0] not in ("code", "sea_area"):
        return False
    if _whole_header_scores(sp, kind, clean_header(header)).get(field, 0.0) < HEADER_READ:
        return False
    others = {(f.normalizer, f.code_table) for f in sp.kind(kind).fields if f.source == "cell"} - {own}
    written = [t for t in texts if _clean_cell(t)]
    elsewhere = sum(
        1
        for t in written
        if not _looks(own[0], own[1], t, sp) and any(_looks(n, table, t, sp, shapes=False) for n, table in others)
    )
    if written and elsewhere / len(written) >= CELLS_IN_PART:
        return False
    return sc.content >= ELIMINATION_SHARE or sc.fits >= CELLS_IN_PART


def cell_reads_as(kind: str, field: str, text: str, spec: Spec | None = None) -> bool:
    """Whether one cell's reading passes `field`'s strict content test (_looks without look-alike
    glyphs: a code wording or a sea area read exactly), or the field's content cannot be told: the test a
    cell of a column doubted one by one (CELLS_DOUBT) must pass not to be doubted."""
    sp = spec if spec is not None else load_spec()
    fs = sp.kind(kind).field(field)
    if fs is None:
        return False
    return _looks(fs.normalizer, fs.code_table, text, sp, shapes=False) is not False


def _serial_no_rival(kind: str, header: str, field: str, rival: str, sc: ColumnScore, sp: Spec) -> bool:
    """Whether the serial pseudo-field (序号) is no rival for a column given `field`: where the field's
    content cannot be told (`sc.content` None: a register's own numbers, free text), numbers running up
    by one row per row fit it as well as they fit the serial (a register number, 登记号, is issued in the
    order of registration, so a page's numbers follow one another just as a serial's do): the cells
    cannot tell the two apart, and the header decides. It does where it reads, as a whole, as a wording of
    the field (HEADER_READ) and like no wording of the serial (below ELIMINATION_HEADER). A header
    misread or lost (登记 or nothing) still leaves the two near, and the column doubted. Rule source: the
    spec gives 登记号 no form (str ≤20), so a serial run is one of its values; one printed header per
    column; no value of any generator."""
    if content_class(sp, kind, rival) != ("row_no", None) or sc.content is not None:
        return False
    whole = _whole_header_scores(sp, kind, clean_header(header))
    return whole.get(field, 0.0) >= HEADER_READ and whole.get(rival, 0.0) < ELIMINATION_HEADER


EVENT_ORDER = {"cremation": ("birth_date", "death_date", "cremation_date")}
"""The date fields of a kind in the order of the events they record, by the spec's definitions: a
person is born before dying (年龄 is death_date - birth_date), and cremated on or after the day of death
(火化日期 >= death_date)."""


def _date_anchors(
    kind: str,
    header_texts: list[str],
    column_texts: list[list[str]],
    fields: list[str | None],
    scores: dict[tuple[int, str], ColumnScore],
    sp: Spec,
) -> dict[str, int]:
    """The columns given a date field of EVENT_ORDER that are sure of it by themselves: the header reads,
    as a whole, as one of the field's wordings (HEADER_READ) and at least ELIMINATION_SHARE of the cells
    are dates. {field: column}."""
    chain = EVENT_ORDER.get(kind, ())
    out: dict[str, int] = {}
    for d, h in enumerate(fields):
        if h is None or h not in chain or d >= len(column_texts) or d >= len(header_texts):
            continue
        fits = scores[(d, h)].fits
        if fits is None or fits < ELIMINATION_SHARE:
            continue
        if _whole_header_scores(sp, kind, clean_header(header_texts[d])).get(h, 0.0) >= HEADER_READ:
            out[h] = d
    return out


def _out_of_order(kind: str, c: int, field: str, anchors: Mapping[str, int], column_texts: list[list[str]]) -> bool:
    """Whether column c's dates rule out `field` for it: against a column sure of another date field of
    the kind (_date_anchors), c's dates run the other way than the order of the two events
    (EVENT_ORDER, judged by _date_order: DATE_ORDER_SHARE of the rows where both are read). A column
    of dates on or after the days of death holds no birth dates, whatever its header was read as.
    Rule source: the spec's field definitions (the order of birth, death and cremation)."""
    chain = EVENT_ORDER.get(kind, ())
    if field not in chain or c >= len(column_texts):
        return False
    for h, d in anchors.items():
        if d == c or h == field:
            continue
        o = _date_order(column_texts[c], column_texts[d])
        if o != 0 and (o < 0) != (chain.index(field) < chain.index(h)):
            return True
    return False


def assign_columns(
    kind: str,
    header_texts: list[str],
    column_texts: list[list[str]],
    spec: Spec | None = None,
    decoded: Mapping[int, Mapping[str, Decoded]] | None = None,
) -> list[ColumnAssignment]:
    """Each printed column's field: the one-to-one assignment of columns to fields (and the serial
    pseudo-field) maximizing the summed scores above ASSIGN_MIN (column_scores, best_assignment).

    A column is doubted (`doubt`, a reason in words) where its assignment is not clearly the best
    (ASSIGN_MARGIN: the best whole assignment that gives it another field, or its field to another
    column, sums to nearly as much) or where its written cells mostly do not look like its field
    (CONTENT_FAILS). The whole assignment is compared, not the column alone: a column under 经手人
    whose cells are names is not doubted for the deceased's name field when the column under 逝者姓名
    holds that field far better.

    `decoded`: column -> code-table field -> the share of its cells the recognizer decodes to a wording of
    the field's table (measured by the caller on the cells' crops: pipeline.page.extract.decoded_code_shares);
    a column left without a field is given the one field its cells so decode to (_told_by_decoding)."""
    sp = spec if spec is not None else load_spec()
    scores = column_scores(kind, header_texts, column_texts, sp)
    names = list(dict.fromkeys(name for (_c, name) in scores))
    n = len(header_texts)
    weights = [
        [scores[(c, f)].total - ASSIGN_MIN + 1e-6 if scores[(c, f)].total >= ASSIGN_MIN else 0.0 for f in names] for c in range(n)
    ]
    match = best_assignment(weights)
    best = sum(weights[c][j] for c, j in enumerate(match) if j >= 0)
    header_only = {m.index: m.field for m in map_columns(kind, header_texts, sp)}
    anchors = _date_anchors(kind, header_texts, column_texts, [names[j] if j >= 0 else None for j in match], scores, sp)
    matched = {names[j] for j in match if j >= 0}
    out: list[ColumnAssignment] = []
    for c in range(n):
        j = match[c] if c < len(match) else -1
        if j < 0:
            named = header_only.get(c)
            doubt = None
            if named is not None:
                q = scores[(c, named)].content
                doubt = (
                    f"its header reads as {named} but its cells do not fit it ({1 - q:.0%} do not)"
                    if q is not None
                    else f"its header reads as {named}, which another column fits better"
                    if named in matched
                    else f"its header reads as {named} only in part, and its cells cannot tell it"
                )
            out.append(ColumnAssignment(c, header_texts[c], None, None, named is not None, doubt))
            continue
        f = names[j]
        sc = scores[(c, f)]
        doubt = None
        rival_field = _near_rival(
            weights,
            best,
            [
                (c, k)
                for k, g in enumerate(names)
                if k != j
                and not _serial_no_rival(kind, header_texts[c], f, g, sc, sp)
                and not _out_of_order(kind, c, g, anchors, column_texts)
            ],
        )
        rival_col = _near_rival(
            weights, best, [(d, j) for d in range(n) if d != c and not _out_of_order(kind, d, f, anchors, column_texts)]
        )
        if sc.fits is not None and sc.fits < CONTENT_FAILS:
            doubt = f"most of its cells ({1 - sc.fits:.0%}) do not look like {f}"
            if (
                rival_field is None
                and rival_col is None
                and _named_twice(kind, c, header_texts[c], column_texts[c], f, scores, sp)
            ):
                doubt = f"{CELLS_DOUBT}: its header and its cells name {f}, but only {sc.fits:.0%} of its cells read exactly as {f}'s values"
        elif rival_field is not None:
            doubt = f"its header and cells fit {f} hardly better than {names[rival_field[1]]}"
        elif rival_col is not None:
            doubt = NEAR_COLUMN_DOUBT.format(field=f)
        out.append(ColumnAssignment(c, header_texts[c], f, sc, header_only.get(c) != f, doubt))
    held = {a.field for a in out if a.field is not None}
    for i, a in enumerate(out):
        named = header_only.get(a.index)
        own = scores.get((a.index, named)) if named is not None else None
        if (
            a.field is None
            and named is not None
            and named not in held
            and own is not None
            and own.header >= HEADER_NAMES_IN_DOUBT
            and merged_header(kind, header_texts[a.index], sp) is None
            and not any(
                (v.content or 0.0) >= max(ELIMINATION_SHARE, own.content or 0.0)
                for (c, g), v in scores.items()
                if c == a.index and g != named
            )
        ):
            # its header names the field, no other column holds it, its cells mostly do not fit: the
            # field's, in doubt (a column of misread values is still that field's column)
            out[i] = ColumnAssignment(a.index, a.header, named, own, False, a.doubt)
            held.add(named)
    out = _relation_by_header_and_wordings(kind, header_texts, column_texts, out, scores, held, sp)
    out = _header_read_whole(kind, header_texts, out, scores, held, sp)
    out = _header_and_cells(kind, header_texts, column_texts, out, scores, sp)
    out = _register_run_headed(kind, header_texts, column_texts, out, scores, sp)
    out = _told_by_decoding(kind, header_texts, out, scores, decoded or {}, sp)
    out = _by_elimination(kind, header_texts, column_texts, scores, out, sp)
    out = _told_by_pattern(kind, header_texts, column_texts, out, scores, sp)
    out = _doubt_weak_headers(kind, column_texts, out, scores, sp)
    return _doubt_disagreement(kind, header_texts, column_texts, out, scores, sp)


class Decoded(NamedTuple):
    """How a column's cells decode to one code table's wordings (pipeline.page.extract.decoded_code_shares):
    the share of its cells whose likeliest wording is the table's (`share`, a wording two tables share, 女,
    counting for both), and the share decoded to this table's wordings only (`alone`)."""

    share: float
    alone: float


DECODED_SHARE = 0.6
"""A column left without a field is a code-table field's where at least this share of its written cells
decode to a wording of the field's table (pipeline.page.extract.decoded_code_shares: the recognizer's own
CTC probability of the wording on the cell's crop within CODE_MAX_DROP of its reading, and DECODE_MARGIN above
every wording of another code), as a column's cells must mostly fit its field (CONTENT_DECISIVE).
Recognizer property: a lone glyph on a blurred photograph is misread (男 read 营, 第, 會; 汉 read 江, 议),
so its reading fails the value test, but the written wording stays among the texts the recognizer finds
about as likely."""

DECODED_RIVAL = 1 / 3
"""... and fewer than this share decode to another code table's wordings alone (Decoded.alone: a wording two
tables share, 女 of sex and of relation, tells neither from the other): a column whose cells decode to two
tables alike stays without a field."""

DECODED_APART = 0.2
"""Where the cells of a column fit two tables so (a sex column of 女 and 男 fits the relation table by its 女,
a relation column of 女 and 子 fits the sex table by its 女), it is the table whose own wordings alone explain
at least this share of its cells more than the other's do (男 for sex, 子 for relation: Decoded.alone); else
neither (a one-glyph cell's crop may decode to either)."""

DECODED_DOUBT = (
    "its header is not read as {field}, and its cells are told only by the recognizer's probabilities:"
    " {share:.0%} of them decode to {field}'s code-table wordings"
)
"""The doubt of a column given its field by decoding (_told_by_decoding): its records are held for a person
(a column told by no reading of header or cells)."""


PATTERN_DOUBT = (
    "its cells are told only by their form as misread: {share:.0%} of them fit {field}'s form"
    " with digits read as letters or separators as other marks"
)
"""The doubt of a column given its field by the loose form of its cells (_told_by_pattern): its records are
held for a person (a column whose header was not read and whose cells failed the field's strict test)."""


def _told_by_decoding(
    kind: str,
    header_texts: list[str],
    out: list[ColumnAssignment],
    scores: Mapping[tuple[int, str], ColumnScore],
    decoded: Mapping[int, Mapping[str, Decoded]],
    sp: Spec,
) -> list[ColumnAssignment]:
    """Columns left without a field whose cells decode to one code table's wordings (`decoded`:
    DECODED_SHARE, every other table's alone below DECODED_RIVAL; of two tables so, the one DECODED_APART ahead
    by its own wordings) given that table's field where no column holds it,
    no other such column decodes to it, and the column's header does not read whole as another field's
    (HEADER_READ: a header read names its field, decoding only tells a column whose header was unread, read in
    part or misread). Doubted (DECODED_DOUBT). Rule source: the code tables (GB/T 2261.1 sex, GB 3304 ethnic
    group, the spec's relation tables) are closed lists, and a CTC recognizer's probabilities of each wording
    on the crop (ocr.ctc) measure how far the cell is from it."""
    if not decoded:
        return out
    held = {a.field for a in out if a.field is not None}
    told: dict[str, list[tuple[int, float]]] = {}
    for a in out:
        shares = decoded.get(a.index)
        if a.field is not None or not shares:
            continue
        fits = [
            f
            for f, d in shares.items()
            if f not in held
            and (a.index, f) in scores
            and d.share >= DECODED_SHARE
            and all(e.alone < DECODED_RIVAL for g, e in shares.items() if g != f)
        ]
        fits.sort(key=lambda f: -shares[f].alone)
        if not fits or (len(fits) > 1 and shares[fits[0]].alone - shares[fits[1]].alone < DECODED_APART):
            continue  # none, or two tables alike
        best = fits[0]
        head = _whole_header_scores(sp, kind, clean_header(header_texts[a.index])) if a.index < len(header_texts) else {}
        if any(v >= HEADER_READ for f, v in head.items() if f != best):
            continue
        told.setdefault(best, []).append((a.index, shares[best].share))
    result = list(out)
    for name, cols in told.items():
        if len(cols) != 1:
            continue  # two columns decode to one table: neither is told
        c, share = cols[0]
        result[c] = ColumnAssignment(
            c, result[c].header, name, scores[(c, name)], True, DECODED_DOUBT.format(field=name, share=share)
        )
    return result


RELATION_NAMED_DOUBT = "its header reads as {field} ({how}) and its cells as relation wordings misread"
"""Why a column is given a relation field by _relation_by_header_and_wordings: doubted (one of
ASSIGNMENT_DOUBTS, by its opening words), never auto-accepted on this evidence."""


def _relation_by_header_and_wordings(
    kind: str,
    header_texts: list[str],
    column_texts: list[list[str]],
    out: list[ColumnAssignment],
    scores: dict[tuple[int, str], ColumnScore],
    held: set[str],
    sp: Spec,
) -> list[ColumnAssignment]:
    """A column left without a field whose cells are relation wordings as the recognizer reads them
    (relation_share at least RELATION_DECODED: 父来 for 父亲, 外绍 for 外甥, 大 for 夫 on a faded or
    photographed page, which the strict content test refuses) and whose header names a relation field no
    column holds, in part (HEADER_IN_PART: 关系人, a wording of 关系 with a word beside it) or as that
    field's person and 关系 (家属关系, 经办人与死者关系, 登记人关系: merged_header reads the person's name
    field and the relation field side by side, as over two columns whose ruling line is missing), while
    another column holds that person's name (one printed column per field: this column holds no name, so
    it is the person's relation alone). Given that relation field, doubted (RELATION_NAMED_DOUBT), where
    one column alone qualifies for it. A header
    naming the relation in part is evidence the header gives; the wordings are GB/T 4761's (the spec's
    relation table) as the recognizer misreads them: the same test that gives a column under a lost
    header its relation by elimination (_relation_beside_its_person), here with the header's own word.
    Rule source: the spec's field tables (与逝者关系, the relation of the person who signs, listed with
    that person's name) and GB/T 4761; no wording of any generator."""
    open_rel = _relation_fields(kind, held, sp)
    if not open_rel:
        return out
    found: dict[str, list[tuple[int, str]]] = {}
    for a in out:
        c = a.index
        if a.field is not None or c >= len(column_texts):
            continue
        if (relation_share(column_texts[c], sp) or 0.0) < RELATION_DECODED:
            continue
        merged = merged_header(kind, header_texts[c], sp)
        named = [
            (name, "as its person's relation")
            for name, person in open_rel.items()
            if merged is not None and merged[1] == person and merged[2] == name and person in held
        ]
        if not named and merged is None:
            named = [
                (name, "in part")
                for name, person in open_rel.items()
                if person in held and (sc := scores.get((c, name))) is not None and sc.header >= HEADER_IN_PART
            ]
        if len(named) == 1:
            found.setdefault(named[0][0], []).append((c, named[0][1]))
    res = list(out)
    for name, cols in found.items():
        if len(cols) != 1:
            continue
        c, how = cols[0]
        res[c] = ColumnAssignment(
            c, header_texts[c], name, scores.get((c, name)), True, RELATION_NAMED_DOUBT.format(field=name, how=how)
        )
        held.add(name)
    return res


def _header_read_whole(
    kind: str,
    header_texts: list[str],
    out: list[ColumnAssignment],
    scores: dict[tuple[int, str], ColumnScore],
    held: set[str],
    sp: Spec,
) -> list[ColumnAssignment]:
    """A column given a field whose content cannot be told (free text, a home's own numbers: its score
    rests on its header and CONTENT_UNKNOWN) by a header that reads that field only in part, while the
    header reads, as a whole, as a wording of another field no column holds (HEADER_READ): the header
    read whole names the column, and the cells, which fail that field's test (else the assignment would
    have given it), are its values misread. The column is given the field its header reads, doubted as
    a column whose cells do not fit its header (and its page where the field is mandatory), instead of
    a field its header does not name. (火化证号 read exactly over certificate numbers read with letters
    among their digits was given 火化编号, whose wording 火化号 it holds in part: camera_capture 4406.)
    Rule source: one printed header per column (the spec's wordings), and the recognizer reading a
    header's few large glyphs better than a column of small handwritten ones; no generator's wording."""
    held = set(held)
    res = list(out)
    for i, a in enumerate(out):
        f, sc = a.field, a.score
        if f is None or sc is None or sc.content is not None or content_class(sp, kind, f) == ("row_no", None):
            continue
        if merged_header(kind, header_texts[a.index], sp) is not None:
            continue
        whole = _whole_header_scores(sp, kind, clean_header(header_texts[a.index]))
        if whole.get(f, 0.0) >= HEADER_READ:
            continue
        named = [n for n, s in whole.items() if n != f and n not in held and s >= HEADER_READ]
        if len(named) != 1:
            continue
        x = named[0]
        own = scores.get((a.index, x))
        if own is None or own.content is None or content_class(sp, kind, x) == ("row_no", None):
            continue
        res[i] = ColumnAssignment(
            a.index,
            a.header,
            x,
            own,
            False,
            f"its header reads as {x} but its cells do not fit it ({1 - own.content:.0%} do not)",
        )
        held.discard(f)
        held.add(x)
    return res


HEADER_IN_PART = 0.5
"""A header that scores at least this much for a field (half a short wording read: 性割 for 性别, 与关系 for
与死者关系, 死仁原因 for 死亡原因) does not name the field by itself (HEADER_NAMES_IN_DOUBT: at half, two
short wordings score alike), but with cells that only that field holds (CELLS_IN_PART) it does,
doubted (_header_and_cells)."""
CELLS_IN_PART = 1 / 3
"""...where at least this share of the column's written cells read as the field's values (a code-table
wording read exactly or by look-alike glyphs, 男/女, a valid ID), and the field's content class is the
kind's only one (_content_classes: no other field of the kind holds such values). A column of other
values passes a code table's or 男/女's test by chance in far fewer cells: a cell read as a wording of
the spec's table is evidence of that table, as a third of a column is of the column."""
IN_PART_DOUBT = "its header reads as {field} only in part, and {share:.0%} of its cells fit it"
OWN_FORM_TESTS = ("register_no",)
"""The tests of CONTENT_TOLD that pass the values of their one field alone, whatever the kind's other
fields of the same normalizer (free text): a register number with a Latin prefix (_register_no: no
certificate number, voyage, ID, phone or date of the spec's forms). With the printed forms the spec
states for a text field (SPEC_FORMS: a voyage 第4航次 or 10-04, which no other field is printed as), a
cell passing one is evidence of that field as a code-table wording is of its table (_own_share)."""


WORN_FORMS = {"voyage_no": VOYAGE_WORD_WORN}
"""The spec's stated form of a text field as the recognizer wears it down on a photograph or a carbon copy
(mapping.normalize.VOYAGE_WORD_WORN: 第7版文, 第1机质, 第3航: 第 and the number read right, 航次 misread or
cut), counted with the form itself where a header read in part names the field (_header_and_cells: a
cell so read is evidence of the voyage, no other field of the spec being written 第N and two glyphs); not
for elimination (_own_share's ELIMINATION_SHARE test keeps the form read whole). Source: the spec's form
(SPEC.md 第4航次) and the recognizer's readings of a small, blurred 航次 (phone copy q1 of design d3316:
a voyage column under 前次 with 4 of 11 cells so read and none whole)."""


def _with_worn_form(own: float | None, name: str, texts: list[str]) -> float | None:
    """`own` (the column's _own_share for field `name`), counting a cell in either form where the field has
    a worn form (WORN_FORMS)."""
    worn = WORN_FORMS.get(name)
    if own is None or worn is None:
        return own
    form = SPEC_FORMS[name]
    written = [fold_dashes(_clean_cell(t)) for t in texts if _clean_cell(t)]
    return sum(bool(form.fullmatch(t) or worn.fullmatch(t)) for t in written) / len(written)


def _own_share(kind: str, name: str, texts: list[str], sp: Spec, held: set[str]) -> float | None:
    """The share of a column's written cells in a form only field `name` of the kind is printed in: the
    spec's stated form of a text field (SPEC_FORMS, every share, not only ELIMINATION_SHARE and more as
    form_share gives) or a CONTENT_TOLD test of OWN_FORM_TESTS; None for any other field or with fewer
    than CONTENT_MIN_CELLS written cells. Rule source: the spec's forms (voyage numbers) and the kind's
    field list (the one number field of no stated form left once the others are told: _register_no)."""
    form = SPEC_FORMS.get(name)
    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return None
    if form is not None:
        return sum(bool(form.fullmatch(fold_dashes(t))) for t in written) / len(written)
    if CONTENT_TOLD.get(name) in OWN_FORM_TESTS:
        return _told_by_content(kind, name, texts, sp, held)
    return None


NAME_FORM = re.compile(r"[\u3400-\u9fff·]{2,4}")
"""A person's name in form: Han characters and · only (SPEC.md, every name field), two to four of them
(_looks' name test), whatever its surname: a name whose surname the recognizer misread (a glyph read as a
look-alike is still a Han glyph) keeps this form, a value of any other field (digits, dates, Latin
letters, long addresses) does not."""


DATE_DIGITS = (4, 10)
"""A date in form, whatever glyphs the recognizer misread: at least 4 and at most 10 digits in the cell.
The spec's dates (SPEC.md date normalizer: year, month and day, GB/T 7408 order) are 4-digit years with
1-2 digit months and days (5 to 8 digits, or 4 with a month or day unread); a photographed date keeps its
digits' count within a glyph or two (年 or 月 read as a digit: 2013年9月 read 201380; a separator lost:
2013.9.10 read 2084082), while no other value of a cremation or sea-burial register has so few or so many
(an ID 15-18, a phone 11-12, names and code wordings none). Property of the recognizer (a misread glyph is
replaced, rarely dropped) and of the spec's date form."""


def _date_in_form(text: str) -> bool:
    """A cell holding a date's count of digits (DATE_DIGITS), read rightly or not."""
    n = len(_DIGITS.findall(text))
    return DATE_DIGITS[0] <= n <= DATE_DIGITS[1]


KIN_FORMS: dict[str, Callable[[str], bool]] = {"name": lambda t: bool(NAME_FORM.fullmatch(t)), "date": _date_in_form}
"""The content classes several fields of a kind share whose header may tell one from the others
(_header_tells_kin), with the form their values keep when glyphs are misread: names (NAME_FORM: the
cremation kind's deceased and agent, the sea-burial kind's deceased and registrant) and dates (the
cremation kind's birth, death and cremation dates: DATE_DIGITS). Source: the spec's field list (the
fields of one normalizer) and its value forms."""


def _header_tells_kin(sp: Spec, kind: str, name: str, header: str, held: set[str], texts: Sequence[str] = ()) -> frozenset[str]:
    """The other name fields of the kind (the deceased's, the agent's and the registrant's names: the
    same normalizer, the same test) where the column's header tells field `name` from each of them and
    its cells are names in form: none of those no column holds scores HEADER_IN_PART or more for the
    header (its wording reads in part as `name`'s only: 通名n名 for 逝者姓名), and at least
    ELIMINATION_SHARE of the written cells are in a name's form (NAME_FORM). Their cells cannot tell
    such fields apart (a cell that reads as a name reads as every name field's value, so one passing as
    many cells is no rival), the header can; empty where the header cannot tell, where the cells are
    not mostly names in form (Latin letters, numbers: another field's values) or for a field not a name.
    Dates alike (KIN_FORMS): a column of dates in form (DATE_DIGITS) under 火化自题 (火化日期 with 日期
    misread) is the cremation date's, its header reading in part as no other date field's wording; one
    under 自日期 (only 日期 read, every date field's ending) tells none.

    Rule source: the spec's field list (SPEC.md: every name field is "Han characters and · only", one
    format for all) and a property of the recognizer (a header with a glyph or two misread still reads in
    part as its own wording and not as the others': _confusion_similarity; a misread surname is still a
    Han glyph)."""
    own = content_class(sp, kind, name)
    in_form = KIN_FORMS.get(own[0]) if own is not None else None
    if own is None or in_form is None:
        return frozenset()
    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS or sum(in_form(t) for t in written) < ELIMINATION_SHARE * len(written):
        return frozenset()
    kin = frozenset(
        f.name for f in sp.kind(kind).fields if f.source == "cell" and f.name != name and (f.normalizer, f.code_table) == own
    )
    if not kin:
        return kin
    by_header = {n: s for n, s, _w in _field_scores(sp, kind, clean_header(header))}
    if any(by_header.get(g, 0.0) >= HEADER_IN_PART for g in kin if g not in held):
        return frozenset()
    return kin


def _tie_told_by_cells(c: int, best: list[str], scores: Mapping[tuple[int, str], ColumnScore]) -> list[str]:
    """Of the fields a header read in part names alike (火化自题 for 火化日期: 火化 begins 火化日期, 火化证号
    and 火化编号 alike), the one whose value test at least CELLS_IN_PART of the column's cells pass where
    every other's either fails (a test its cells pass in fewer than CELLS_IN_PART) or has no test (free
    text: no value is evidence of it); `best` unchanged where none or several pass. The cells then say
    which of the fields the legible part of the header names (dates, not certificate numbers): the
    CELLS_IN_PART evidence _header_and_cells already takes for a field the header names alone. Source:
    the spec's value tests (its code tables, date and number forms) and its wordings (the shared first
    word); the column so named is still doubted (IN_PART_DOUBT)."""
    passing = [
        n for n in best if (v := scores.get((c, n))) is not None and (v.content or 0.0) >= round(CELLS_IN_PART, SCORE_DECIMALS)
    ]
    return passing if len(passing) == 1 else best


def _header_and_cells(
    kind: str,
    header_texts: list[str],
    column_texts: list[list[str]],
    out: list[ColumnAssignment],
    scores: dict[tuple[int, str], ColumnScore],
    sp: Spec,
) -> list[ColumnAssignment]:
    """Columns left without a field whose header reads in part as one field's wording (HEADER_IN_PART,
    the best of the fields no column holds) and whose cells in part hold values that only that field
    of the kind holds (CELLS_IN_PART): header and cells, each too weak alone, agree. Such a column is
    given the field, always doubted (IN_PART_DOUBT; its page too where the field is mandatory), so its
    values are shown for review under their field instead of being lost as a column of no field. Not
    where another field's test passes as many of its cells or most of them (ELIMINATION_SHARE): those
    are another field's values; not where two such columns would take the same field.

    A property of the recognizer on photographs (a short header with one glyph misread or lost, and
    cells with glyphs misread: 病政 for 病故, 药 for 男) and of the spec (its code tables, GB 11643):
    nothing of any generator's vocabulary.

    A field whose value test other fields of the kind share (names: _header_tells_kin) is given so too
    where its header tells it from each of them: the cells say "a name", the header which name (a
    carbon copy's column of names with surnames misread under 通名n名, bench/stress_scans.py --mode
    carbon); the other name fields' passing as many cells is then no evidence against it."""
    held = {a.field for a in out if a.field is not None}
    classes = _content_classes(sp, kind)
    cands: dict[int, tuple[str, float]] = {}
    for a in out:
        if a.field is not None or merged_header(kind, header_texts[a.index], sp) is not None:
            continue
        by_header = {n: s for n, s, _w in _field_scores(sp, kind, clean_header(header_texts[a.index])) if n not in held}
        if not by_header:
            continue
        top = max(by_header.values())
        best = [n for n, s in by_header.items() if s == top]
        texts = column_texts[a.index] if a.index < len(column_texts) else []
        if len(best) > 1:
            best = _tie_told_by_cells(a.index, best, scores)
        if top < HEADER_IN_PART or len(best) != 1:
            continue
        name = best[0]
        cls = content_class(sp, kind, name)
        sc = scores.get((a.index, name))
        if (strict := _own_share(kind, name, texts, sp, held)) is not None and strict >= ELIMINATION_SHARE and a.doubt is None:
            continue  # its cells alone tell the field: given it by elimination (_by_elimination), if by any
        own = _with_worn_form(strict, name, texts)
        kin = _header_tells_kin(sp, kind, name, header_texts[a.index], held, texts)
        share = (
            own
            if own is not None
            else None
            if cls is None or sc is None or (classes.get(cls, 0) != 1 and not kin)
            else sc.content
        )
        if sc is None or share is None or share < round(CELLS_IN_PART, SCORE_DECIMALS):
            continue  # compared at the precision column_scores keeps: a third of the cells is 0.3333 there
        if any(
            (v.content or 0.0) >= min(ELIMINATION_SHARE, share)
            for (c, g), v in scores.items()
            if c == a.index and g != name and g not in kin
        ):
            continue
        cands[a.index] = (name, share)
    taken = [name for name, _share in cands.values()]
    for c, (name, share) in cands.items():
        if taken.count(name) != 1:
            continue
        sc = scores[(c, name)]
        out[c] = ColumnAssignment(c, header_texts[c], name, sc, True, IN_PART_DOUBT.format(field=name, share=share))
    return out


NEAR_COLUMN_DOUBT = "another column fits {field} about as well"
"""The doubt of a column whose field another column would take in an assignment that sums nearly as
much (assign_columns, _near_rival with the field held fixed)."""

WEAK_RIVAL_MARGIN = 0.1
"""How much less of its cells may fit a field for a column left without one to rival a weakly headed
column given that field (_doubt_weak_headers): about one cell in ten, what one misread cell moves."""


def _variety(texts: list[str]) -> float | None:
    """The share of a column's written cells that differ from every cell above them; None with fewer
    than CONTENT_MIN_CELLS written cells."""
    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return None
    return len(set(written)) / len(written)


def _doubt_weak_headers(
    kind: str,
    column_texts: list[list[str]],
    out: list[ColumnAssignment],
    scores: dict[tuple[int, str], ColumnScore],
    sp: Spec,
) -> list[ColumnAssignment]:
    """A column given a field whose header is not one of the field's wordings read (its header score
    below HEADER_READ: 登记员, one character from 登记人) is doubted where a column left without any field
    holds cells that fit that field's content test about as well (WEAK_RIVAL_MARGIN): the page has two
    columns of such values and only a near header chose between them; the other may be the field's,
    headed in a wording the spec does not list (申请人). Not where the field's content cannot be told
    (free text: nothing to compare) or the column was doubted already.

    A person's name field (normalizer "name": the deceased, the family's agent or registrant, whom the
    spec gives a relation to the deceased and a phone) names another person on each record, so a
    column of names only rivals it where its names vary down the page about as much (_variety): the
    same two or three names on every row are a clerk's column (登记员), no record's own person.

    Rule source: the one-to-one correspondence of printed columns and a kind's fields (a field has at
    most one column, so two columns of its values cannot both be it), the fields' content tests
    (_looks) and the spec's definitions of the name fields; no wording of any generator.

    A column doubted only because another column fits its field about as well (NEAR_COLUMN_DOUBT) is
    tried for the clerk's column too: that doubt is the very choice between two columns of names that
    the clerk's test settles. A faded or 1-bit copy makes it: the recognizer misreads some of the
    clerk's faint names (a stroke lost, ink specks read as Latin letters or digits beside the name), so
    fewer of its cells pass the name test and its near header no longer outweighs the row-by-row names
    of the wording-less column (design typed_sheets seed 3316 faded, sea burial page 6: 登记员 0.73 of
    its cells names against 1.00 unfaded). Its names still repeat (_variety 0.36), the rival's still
    differ row by row; without the clerk's test the near doubt stands as before.

    Where the column a near header chose repeats a few names (_variety below NAME_VARIETY), the share
    of its cells that pass the name test is no measure against a rival's: it counts two or three names,
    each written many times, where the rival's counts a different name on every row, so one misread
    person's name lowers the rival's share by a row while the clerk's few names, once read well, pass on
    every row. A free column then rivals it where most of its cells (CONTENT_FAILS, the share below
    which a column is doubted as not its field) fit the field, whatever the clerk's share; where no such
    column takes the field from it, the clerk's column is doubted anyway (CLERKS_NAMES_DOUBT): by the
    spec a person's name field names each record's own person, which a clerk's few names do not. A
    carbon copy makes it (bench/stress_scans.py --mode carbon, design typed_sheets seed 3316, sea
    burial page 6: 申请人's names pass the name test in 82 % of its cells, the clerk's in 100 %, so the
    clerk's column kept the registrant's field, sure, and 3 auto-accepted records took a clerk's name).
    Rule source: the spec's definitions of the name fields (each record's own person), as for
    NAME_VARIETY; no wording or value of any generator."""
    free = [a.index for a in out if a.field is None and a.doubt is None and a.index < len(column_texts)]
    normalizers = {f.name: f.normalizer for f in sp.kind(kind).fields}
    res = list(out)
    for i, a in enumerate(out):
        near = a.doubt is not None and a.field is not None and a.doubt == NEAR_COLUMN_DOUBT.format(field=a.field)
        if a.field is None or (a.doubt is not None and not near) or a.score is None or a.score.header >= HEADER_READ:
            continue
        own = a.score.content
        if own is None:
            continue
        rivals = []
        few_names = normalizers.get(a.field) == "name" and (_variety(column_texts[a.index]) or 1.0) < NAME_VARIETY
        for c in free:
            sc = scores.get((c, a.field))
            if sc is None or sc.content is None:
                continue
            if sc.content + WEAK_RIVAL_MARGIN < own and not (few_names and sc.content >= CONTENT_FAILS):
                continue
            if normalizers.get(a.field) == "name":
                mine, theirs = _variety(column_texts[a.index]), _variety(column_texts[c])
                if mine is not None and theirs is not None and theirs + WEAK_RIVAL_MARGIN < mine:
                    continue
            rivals.append(c)
        clerk = _clerks_column(column_texts, a, rivals) if normalizers.get(a.field) == "name" else None
        if clerk is not None:
            # the column chosen by its near header repeats a few names: a clerk's, no record's own
            # person; the one rival whose names differ row by row is the field's, by elimination - and
            # sure where it stands beside that person's own particulars (_person_name_told)
            j = next(k for k, b in enumerate(res) if b.index == clerk)
            told = _person_name_told(kind, clerk, a.field, res, scores, sp)
            res[j] = ColumnAssignment(
                clerk,
                res[j].header,
                a.field,
                scores.get((clerk, a.field)),
                True,
                None
                if told
                else f"{ELIMINATION_DOUBT} (its names differ row by row, where column {a.index + 1}, "
                f"headed like {a.field}, repeats a few names: a clerk's column)",
            )
            res[i] = replace(a, field=None, score=None, by_content=False, doubt=None)
            continue
        if rivals and not near:
            res[i] = replace(
                a,
                doubt=(
                    f"another column fits {a.field} about as well: column {rivals[0] + 1} holds such values too, "
                    f"and this column's header is not one of {a.field}'s wordings"
                ),
            )
        elif few_names and not near:
            res[i] = replace(a, doubt=f"{DISAGREEMENT_DOUBT}: {CLERKS_NAMES_DOUBT.format(field=a.field)}")
    return res


CLERKS_NAMES_DOUBT = (
    "its header is not one of {field}'s wordings and its names repeat a few down the page (a clerk's column), "
    "where {field} names each record's own person"
)
"""Why a column given a person's name field by a near header is doubted where its names repeat
(_doubt_weak_headers: _variety below NAME_VARIETY) and no open column of names differing row by row
takes the field from it: the spec's name fields are each record's own person, so the header's near
reading and the cells disagree (after DISAGREEMENT_DOUBT, one of ASSIGNMENT_DOUBTS)."""


def _clerks_column(column_texts: list[list[str]], a: ColumnAssignment, rivals: list[int]) -> int | None:
    """The rival column (of `rivals`, free columns whose cells fit `a`'s name field about as well) that
    is the name field's where `a`'s column, given it by a near header, repeats a few names down the page
    (_variety below NAME_VARIETY: a clerk's column, 登记员, whose two or three staff take turns) and that
    one rival's names differ row by row (NAME_DISTINCT: each record is one death and its own family);
    None otherwise (two such rivals, or names that vary in both: the doubt stands). Rule source: the
    spec's definitions of the name fields (each record's own person), as for NAME_VARIETY."""
    mine = _variety(column_texts[a.index])
    if mine is None or mine >= NAME_VARIETY or len(rivals) != 1:
        return None
    theirs = _variety(column_texts[rivals[0]])
    return rivals[0] if theirs is not None and theirs >= NAME_DISTINCT else None


def _person_name_told(
    kind: str,
    c: int,
    name: str,
    out: Sequence[ColumnAssignment],
    scores: Mapping[tuple[int, str], ColumnScore],
    sp: Spec,
) -> bool:
    """Whether column `c`, given person name field `name` by elimination as the one open column of
    names that differ row by row (NAME_DISTINCT) - because the column a near header chose repeats a few
    names (_clerks_column: a clerk's column, no record's own person), or because its own header was
    misread whole and it stands beside that person's fields (_name_beside_its_person) - is that field's
    column for sure, not only by elimination. Three witnesses beyond the elimination must agree: (1) its
    cells are names by the strict test (_looks: the official surname list mapping/data/surnames.txt, two
    to four Han characters) in at least ELIMINATION_SHARE of its written cells; (2) it stands beside a
    column given, with no doubt, a field of that person only (PERSONS: the registrant's relation or
    phone, the deceased's sex or ID), and beside no field of another person: a register writes one
    person's particulars side by side, so the varying names beside the relation of the person who signs
    are that person's; (3) its header reads like no wording of another field of the kind that no column
    holds (ELIMINATION_HEADER). The field's column is then told by the page's own row (the person's
    other particulars), which the elimination alone (a column of no field whose cells look alike may
    remain) is not; where one witness fails the column stays doubted as before (a name printed apart
    from its person's fields, names misread by the photograph, _photographed_names). Rule source: the
    spec's field tables (each person's fields listed together, the relation being the signer's to the
    deceased), the definitions of the name fields (each record's own person) and the official surname
    list; no wording of any register. Measured (clerk swap) on design typed_sheets seed 3316 (seven sea
    burial pages whose 77 records it and its page's doubt held, every registrant's name right): records
    auto-accepted 51.8 -> 87.2 %, and on its faded and 1-bit copies (bench/stress_scans.py) 47.2 -> 79.5 %
    and 41.4 -> 64.8 %, wrong among auto-accepted fields one field in each, before and after. Fresh sets
    seeds 3320 and 3321 hold no such page: unchanged. Measured (header misread whole) on copies of design
    d3316 and sets 3320, 3321 whose name columns' headers read like no wording (bench/header_stress.py
    --wording pairs --fields registrant_name,agent_name, or deceased_name): 123 of the 161 columns
    _name_beside_its_person gives made sure, every one the truth's; records auto-accepted 0-35 % -> 16-87 %
    per family, wrong among auto-accepted fields no more than on the unstressed sets (misread names, no
    wrong column). Natural pages so held (3320, 3321, 3330 county_editions, four, all right) read names
    by the surname list in 64-75 % of their cells: they stay doubted."""
    persons = PERSONS.get(kind)
    if persons is None or name not in {n for n, _own in persons}:
        return False
    sc = scores.get((c, name))
    if sc is None or sc.fits is None or sc.fits < ELIMINATION_SHARE:
        return False
    sure = {b.index: b.field for b in out if b.field not in (None, name) and b.doubt is None}
    beside = {sure.get(d) for d in (c - 1, c + 1)} - {None}
    whose = [n for n, own in persons if beside & ({n} | set(own))]
    if whose != [name]:
        return False
    head = next((b.header for b in out if b.index == c), "")
    held = {b.field for b in out if b.field is not None} | {name}
    return not any(
        v >= ELIMINATION_HEADER for n, v, _w in _field_scores(sp, kind, clean_header(head)) if n != name and n not in held
    )


CLEARLY_BETTER = 0.3
"""How much larger a share of a column's written cells must pass another field's content test than its
own field's for the cells to fit that other field clearly better (_doubt_disagreement): three cells in
ten, far more than one misread cell moves on a page of 10-20 rows."""
DISAGREEMENT_DOUBT = "its header and its cells disagree"
"""How the doubt of a column whose header and content disagree begins (one of ASSIGNMENT_DOUBTS)."""


def content_class(sp: Spec, kind: str, name: str) -> tuple[str, str | None] | None:
    """(normalizer, code table) of a field of the kind read from a cell; ("row_no", None) for the serial."""
    if name in sp.kind(kind).pseudo_fields:
        return ("row_no", None)
    f = sp.kind(kind).field(name)
    return None if f is None else (f.normalizer, f.code_table)


@lru_cache(maxsize=4096)
def _whole_header_scores(sp: Spec, kind: str, header: str) -> Mapping[str, float]:
    """How well a cleaned header reads, as a whole, as each field's best wording (_whole_score, the
    score `wording_scores` gives without containment): a header that merely contains a short wording
    (登记户籍地球 holds 户籍地) does not name that field as a header read whole does. Fields in the
    order of their wordings; empty for an empty header. Cached, so read-only."""
    out: dict[str, float] = {}
    if not header:
        return MappingProxyType(out)
    for name, syn in _wordings(sp, kind):
        out[name] = max(out.get(name, 0.0), _whole_score(header, syn))
    return MappingProxyType(out)


def _doubt_disagreement(
    kind: str,
    header_texts: list[str],
    column_texts: list[list[str]],
    out: list[ColumnAssignment],
    scores: dict[tuple[int, str], ColumnScore],
    sp: Spec,
) -> list[ColumnAssignment]:
    """A column given a field is doubted as a column where its header and its content disagree:

    - its header reads, as a whole, as a wording of another field (_whole_header_scores at least
      HEADER_READ: read exactly, or one character off in a long wording) while the assignment gave it a field its header does not name (two headers
      swapped, a header misread into another field's word): the page says one thing and the cells
      another, so neither is sure;
    - its written cells fit another field clearly better than its own (CLEARLY_BETTER, the other
      field's content test passing at least ELIMINATION_SHARE of them), where the two fields' values
      differ in kind (another normalizer or code table: an ID is no phone; two name fields cannot be
      told by content); for a field whose content cannot be told (free text, a home's own numbers),
      where a share CONTENT_DECISIVE of its cells hold values only another field can hold
      (decisive_share: valid GB 11643 numbers, 男/女, code-table wordings, phone numbers);
    - two date columns whose events have an order by the spec's definitions (_DATE_ORDER: the day of
      death before the day of cremation) whose dates run the other way in DATE_ORDER_SHARE of the rows
      (_date_order): their headers were swapped or misread.

    A column already doubted keeps its reason. Rule sources: the fields' content tests (_looks,
    _decisive: GB 11643, the spec's code tables, date and phone formats), the spec's field definitions
    (the order of events), and the one-to-one correspondence of a printed header and its column; no
    wording or value of any generator."""
    res = list(out)
    pos = {a.index: i for i, a in enumerate(res)}

    def doubt(c: int, why: str) -> None:
        i = pos[c]
        if res[i].doubt is None:
            res[i] = replace(res[i], doubt=f"{DISAGREEMENT_DOUBT}: {why}")

    for a in out:
        f = a.field
        if f is None or a.doubt is not None or a.index >= len(column_texts):
            continue
        own_class = content_class(sp, kind, f)
        by_header = _whole_header_scores(sp, kind, clean_header(header_texts[a.index]))
        own_header = by_header.get(f, 0.0)
        named = [n for n, s in by_header.items() if n != f and s >= HEADER_READ and s > own_header]
        if named:
            doubt(a.index, f"its header reads as {named[0]}, its cells were taken for {f}")
            continue
        if own_class is None or own_class[0] == "row_no":
            continue
        q_own = a.score.content if a.score is not None else None
        for (c, g), sc in scores.items():
            if c != a.index or g == f:
                continue
            g_class = content_class(sp, kind, g)
            if g_class is None or g_class == own_class or g_class[0] == "row_no":
                continue
            if q_own is not None:
                if sc.content is not None and sc.content >= ELIMINATION_SHARE and sc.content >= q_own + CLEARLY_BETTER:
                    doubt(a.index, f"{sc.content:.0%} of its cells look like {g}, {q_own:.0%} like {f}")
                    break
            else:
                d = decisive_share(kind, g_class[0], g_class[1], column_texts[a.index], sp)
                if d is not None and d >= CONTENT_DECISIVE:
                    doubt(a.index, f"{d:.0%} of its cells hold values only {g} holds, not {f}'s")
                    break
    order = _DATE_ORDER.get(kind)
    if order:
        cols = {a.field: a.index for a in res if a.field in order and a.index < len(column_texts)}
        if len(cols) == 2:
            first, then = cols[order[0]], cols[order[1]]
            if _date_order(column_texts[first], column_texts[then]) > 0:
                why = f"the dates of {order[0]} come after those of {order[1]}: the two columns may be swapped"
                doubt(first, why)
                doubt(then, why)
    return res


HEADER_READ = 0.9
"""A header that scores at least this for a field's wording (read exactly, or one character off in a
long wording) reads, as a whole, as that wording: it anchors a date column (_date_anchors), rules out
the serial (_serial_no_rival) and names a field against the assignment (_doubt_disagreement)."""


HEADER_NAMES_IN_DOUBT = 0.75
"""A header that scores at least this for a field's wording names the column's field though its cells
mostly fail the field's test (values misread, a value style of its own): where no other column holds
that field, the column is given it, doubted (its reason stays "its header reads as ... but its cells
do not fit it"), instead of leaving the field without a column. Not where another field's test passes
most of its cells (ELIMINATION_SHARE): those are that field's values shifted under the header (a
missing ruling line), not this field's values misread.

Why 0.75 and not HEADER_READ: a wording of four or more characters with one character misread (any
character: 首灰处理 for 骨灰处理 0.75), a glyph lost (a digit or letter standing for it: 死C原因 0.875) or
two look-alikes (_confusion_similarity) still names its field, as does a short wording with a glyph
lost (8号 for 序号: 0.75), while a wording of two or three characters with one character read as
another (0.5, 0.67: 性列, 经办员) does not: it is as near other short wordings. A
property of the recognizer (one glyph of a header misread, its shape kept), measured on the design set
camera_capture (seed 4401, where the photographed headers are misread so; every column it gives a
field there holds that field's printed column, none on county_editions or typed_sheets changes). The
field is never made sure by it: the column stays doubted (CONTENT_FAILS), its page too where the
field is mandatory (pipeline.page.extract.PAGE_ASSIGNMENT_DOUBT)."""

ELIMINATION_SHARE = 0.8
"""A column none of whose header wordings was read is given a field by elimination only where at least
this share of its written cells look like that field's values (_looks): the content must fit, not just
be possible."""
ELIMINATION_HEADER = 0.5
"""...and only where its header reads like no wording of another field that no column holds (each scores
below this)... A field another column holds is not this column's (one printed column per field), so a
header like its wording is no evidence against the field the cells tell: 编号 ("number") shares 号 with
序号 (0.5) as much as 编号 with 登记编号 (0.5), and where the serial is the column read 序号 the column of
register numbers under 编号 is the registration number's (camera_capture seed 4403, design set: six
pages of 登记号 lost so). Where that field is held by no column, the header may still name it - unless the
column's cells refute it (_refuted_by_cells: HZ2017-043 is no serial, no certificate number).
"""
ELIMINATION_LOST = 0.25
"""...and where the header was lost (at most one character read: an empty cell, a stroke; or stand-ins only:
_header_lost) or reads at
least this much like one of the field's own wordings (a character or two of it read). A header of
several characters like no wording at all was read as something else: an extra column (工作单位,
登记员), evidence that the column is no field's. Not for the fields of CONTENT_TOLD, whose cells pass a
stricter test of their own (code-table wordings, one-digit counts, Latin-prefixed register numbers):
there the cells, not the header, are the evidence, and the column stays doubted all the same."""


REFUTED_SHARE = 1 - ELIMINATION_SHARE
"""A field whose wording a column's header reads like (ELIMINATION_HEADER) is refuted by the column's cells
where at most this share of its written cells could be that field's values (_refuted_by_cells): the share
of cells that elimination lets fail for the field the cells tell (ELIMINATION_SHARE)."""


def _refuted_by_cells(kind: str, name: str, texts: list[str], sc: ColumnScore | None, sp: Spec) -> bool:
    """Whether a column's cells refute field `name`, whose wording its header reads like in part (编号 reads
    as 序号, 证明编号 and 登记编号 alike, 0.5 each): at most REFUTED_SHARE of its written cells pass the
    field's content test (`sc.content`, _looks: a certificate number of the spec's forms), or, for the serial
    (序号), at most that share of them are numbers at all (_serial_value: a serial is one number a row, digits
    alone; HZ2017-043 is no serial). Such a header is then no evidence against the field the cells tell
    (CONTENT_TOLD: register numbers with their Latin prefix). A field whose content cannot be told (names,
    free text: `sc.content` None) is never refuted. Rule source: the spec's number forms (GB 11643, the
    certificate number's year and serial) and the definition of a serial; one printed header per column."""
    written = [t for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return False
    if content_class(sp, kind, name) == ("row_no", None):
        return sum(_serial_value(t) is not None for t in written) <= REFUTED_SHARE * len(written)
    return sc is not None and sc.content is not None and sc.content <= REFUTED_SHARE


def _header_lost(head: str) -> bool:
    """Whether a cleaned header was lost (ELIMINATION_LOST): at most one character read, or no Han character
    at all, only the stand-ins (digits, Latin letters) the recognizer gives for glyphs it could not read
    (LOST_GLYPH_COST: every wording is Han characters), as a stamp or a speck over the header leaves it."""
    return len(head) <= 1 or not _HAN.search(head)


ELIMINATION_DOUBT = "identified only by elimination"
"""How the doubt of a column given its field by elimination begins (one of ASSIGNMENT_DOUBTS)."""
DATE_ORDER_SHARE = 0.9
"""Two date columns left whose headers were not read are told apart by the order of the events they
record (the spec's definitions: a body is cremated on or after the day of death) where the one is on
or before the other in at least this share of the rows where both are read."""
_DATE_ORDER = {"cremation": ("death_date", "cremation_date")}
"""(earlier, later) date fields of a kind: the spec's field definitions (死亡日期 the day of death,
火化日期 the day of cremation, which follows it)."""


SMALL_COUNT = 9
"""The largest value of a cell counted as a small count by content alone (_small_count): the spec's
随船人数 ("Yantai allowed at most 4 per set of ashes: flag more") is a handful of relatives on one boat,
so a written count of one digit; an age (0-120), a serial or a register number runs past it on most rows."""
_REGISTER_NO = re.compile(r"[A-Za-z]{1,4}[-－—_./·]?[0-9]{2,4}(?:[-－—_./· ]?[0-9]{1,6})?")
"""A number with a Latin prefix (letters, then digits: a year or a serial, a separator or two between):
the form of a home's own register number (_register_no_share); a row serial (序号) is digits alone, a
certificate number, an ID or a phone has no letters before its digits (the spec's forms of those)."""
_FUSED_SERIAL = re.compile(r"^[0-9]{1,4}(?=[A-Za-z]{1,4}[-－—_./·]?[0-9]{2,4})")
"""A row serial fused in front of a register number (166HZ2014-158), as a missing ruling line between the
serial column and the register's leaves it (docs: a missing line merges two columns; the same as
mapping.normalize's serial fused in front of a certificate number): the register number is the rest.
A property of imaging (a ruling line lost), not of any wording."""
SEX_WORDS = frozenset({"男", "女", "男性", "女性"})
"""A sex as printed (the spec: 男 / 女, GB/T 2261.1): a column of these alone is the sex's, though 女 is
also a GB/T 4761 wording (daughter)."""


def _small_count(text: str) -> bool:
    """Whether one written cell is a small count (1 to SMALL_COUNT, digits or Chinese numerals, an 人 after
    it or not: the forms normalize_count reads)."""
    from . import normalize as N

    s = _clean_cell(text)
    n = N.normalize_count(s)
    return isinstance(n.value, int) and 1 <= n.value <= SMALL_COUNT and len(s) <= 3


RISES_WITH_ROWS = 0.7
"""A column of numbers whose later rows hold the larger number in at least this share of its pairs of
written cells (rises_with_rows) runs with the rows, as a serial does (序号: one number a row, up by one),
and is no count, however few of its cells follow the cell above by one (serial_share: a digit misread,
a struck or skipped row breaks those links, not the order). A count is the same whatever the row's
place: for values independent of the row order a later row holds the larger value in at most half of
the pairs (ties count against), so a count column stays below this but by chance on a handful of rows.
Rule source: the definition of a serial (monotone row by row) against a count's (乘船/随船人数: a number
of people, no order); on the design stores (county_editions and typed_sheets seeds 3313 and 3316,
camera_capture 4441, 4470, 4480: 85 serial columns, 42 count columns) the counts rise in 11-61 % of
their pairs; the serials whose serial_share is below ELIMINATION_SHARE rise in 47-100 % (all but two in
71 % or more)."""
COUNT_LIKE = ("count", "age")
"""Normalizers whose values are small integers (the spec's 随船人数 and 年龄, both int: a count of people,
an age in years): a column of small integers may be any open field of these (_count_rivals)."""


def rises_with_rows(texts: list[str]) -> float | None:
    """The share of the pairs of a column's numbers (_serial_value: digits, the recognizer's digit
    confusions folded) where the lower row holds the larger number: 1.0 for a serial, about half or less
    for values that do not depend on the row's place. None with fewer than CONTENT_MIN_CELLS numbers."""
    values = [v for v in (_serial_value(t) for t in texts) if v is not None]
    if len(values) < CONTENT_MIN_CELLS:
        return None
    pairs = [(a, b) for i, a in enumerate(values) for b in values[i + 1 :]]
    return sum(b > a for a, b in pairs) / len(pairs)


def _count_rivals(kind: str, name: str, held: set[str], sp: Spec) -> list[str]:
    """The other fields of the kind, held by no column, whose values are small integers too (COUNT_LIKE:
    an age beside a count of people): where one is open, a column of small integers is not told by its
    content which field's it is."""
    return [
        f.name
        for f in sp.kind(kind).fields
        if f.source == "cell" and f.name != name and f.name not in held and f.normalizer in COUNT_LIKE
    ]


def _register_no(text: str, sp: Spec) -> bool:
    """Whether one written cell is a register number of a home's own form (_REGISTER_NO, a serial fused in
    front or not: _FUSED_SERIAL) and no value of
    another number field by the spec's forms: no certificate number (_looks cert_no: a 4-digit year and
    a serial, No.201000514, 10-0514), no voyage number (VOYAGE_FORM), no ID (15-18 digits), no phone of
    the numbering plan, no date. Dashes are folded first (mapping.normalize.DASHES: the recognizer writes
    a printed '-' as '~' or '−' on some lines, so HZ2012~319 is HZ2012-319 read)."""
    from . import normalize as N

    s = _FUSED_SERIAL.sub("", N.fold_dashes(_clean_cell(text)), count=1)
    return bool(_REGISTER_NO.fullmatch(s)) and not _another_numbers_form(s, sp)


def _another_numbers_form(s: str, sp: Spec) -> bool:
    """Whether a cleaned cell, dashes folded, is a value of another number field by the spec's forms: a
    voyage number (VOYAGE_FORM), a certificate number (_looks cert_no), an ID, a phone of the numbering
    plan, a date. What a register number (_register_no, _blurred_register_no) is not."""
    from . import normalize as N

    if VOYAGE_FORM.fullmatch(s) or _looks("cert_no", None, s, sp) or _looks("id_number", None, s, sp):
        return True
    return bool(_decisive("phone", None, s, sp)) or N.normalize_date(s).value is not None


CERT_SERIAL_DIGITS = 4
"""The least digits of a certificate number's serial as printed for a cell to be told a certificate
number by its content alone (_cert_form): the spec's forms keep a 5-digit serial after a 4-digit year
(201000514, No.201000514, 2010-00514) and four digits in the short form (10-0514); a number of two
digits after a year-like pair (12.50, a fee; 2013.1, a month) is no certificate number so printed."""
_CERT_FORM_FLAGS = frozenset({"two_digit_year"})
"""normalize_cert_no's flags that leave a reading in a form the spec states (the short form 10-0514);
any other flag (nonstandard_format, year_from_ledger, stray_marks_removed, serial_fused_in_front) is a
reading the spec's forms do not give whole."""


_CERT_DOCUMENT_NO = re.compile(r"(.)(.)[(（〔\[]?(?:20[0-9]{2})?[)）〕\]]?第?[0-9]{1,5}号")
"""A certificate's document number as an issuing office writes it (GB/T 9704 公文格式's 发文字号: the
office's word 火字, the year in 〔〕 or not, the serial, 号): 火字第540号, 火字〔2010〕第514号. The word 火字
names the cremation certificate; a bare 第12号 names no document. 字 may be read as a look-alike
(mapping.glyphs.looks_alike: 火学第261号), a property of the recognizer, which keeps a glyph's shape
when it misreads it; 火 as one too, or as 大, the recognizer's misreading of it on photographs
(mapping.glyphs.read_as, PHOTO_MISREADS: 大字第261号)."""


def _cert_form(text: str) -> bool:
    """Whether one written cell is a cremation certificate number in a form the spec states (a 4-digit
    year and a 5-digit serial, a No. prefix or a separator or not: normalize_cert_no; or the short form
    10-0514), its serial printed with at least CERT_SERIAL_DIGITS digits, and no date; or a document
    number 火字第540号 (_CERT_DOCUMENT_NO). Stricter than _looks cert_no (which also takes 第540号 and
    10-05): a test that names the field alone."""
    from . import normalize as N

    s = N.fold_dashes(_clean_cell(text))
    doc = _CERT_DOCUMENT_NO.fullmatch(s)
    if doc is not None:
        from .glyphs import looks_alike, read_as

        if read_as(doc.group(1), "火"):
            return looks_alike(doc.group(2), "字")
    if VOYAGE_FORM.fullmatch(s) or not re.search(r"[0-9]{%d}$" % CERT_SERIAL_DIGITS, s):
        return False
    n = N.normalize_cert_no(s)
    return n.value is not None and set(n.flags) <= _CERT_FORM_FLAGS and N.normalize_date(s).value is None


_PREFIX = re.compile(r"[A-Za-z]{1,4}")


def register_form(text: str) -> tuple[int, str]:
    """The form of a cell's register number: the length of its letter prefix (none: 0) and the shape of the
    rest, each digit 9, every separator '-' (HZ2013-017: (2, '9999-999')). Dashes folded and a fused serial
    cut as _register_no does."""
    from . import normalize as N

    s = _FUSED_SERIAL.sub("", N.fold_dashes(_clean_cell(text)), count=1)
    m = _PREFIX.match(s)
    n = len(m.group(0)) if m else 0
    return n, re.sub(r"[-－—_./·]", "-", re.sub(r"[0-9]", "9", s[n:]))


def prefix_misread(text: str, form: tuple[int, str]) -> bool:
    """Whether a cell is a register number of a column's `form` (register_form: a letter prefix of
    form[0] letters, then form[1]'s shape) with letters of its prefix read as digits or other letters
    (HZ2013-017 read 122013-017, 1Z2013-017, 8Z2013-017): its first characters, as many as the form's
    prefix, are Latin letters or digits and the rest has the form's shape exactly. A property of the
    recognizer (a blurred capital of a photograph read as the digit of its shape: H as 1 or 8, Z as 2, B as
    8) and of a register (its numbers are issued by one office in one format down the column, as its
    certificate numbers are: pipeline.page.structure.check_cert_run), so the column's other cells say
    which letters belong there; no list of pairs. The one test of a misread prefix: the column's content
    (_prefix_misread) and the prefix written back (pipeline.page.extract._prefix_put_back) both ask it."""
    n, _shape = form
    if n == 0:
        return False
    from . import normalize as N

    s = N.fold_dashes(_clean_cell(text))  # as read: a misread prefix may look like a fused serial (1Z2013-017)
    head = s[:n]
    return len(head) == n and head.isascii() and head.isalnum() and register_form("A" * n + s[n:]) == form


def _prefix_misread(text: str, forms: Counter[tuple[int, str]]) -> bool:
    """Whether a cell that is no register number as read (_register_no) is one of its column's commonest
    form with its prefix misread (prefix_misread), the form told by the column's other cells, which must
    be REGISTER_FORM_CELLS at least in that form."""
    if not forms:
        return False
    form, k = forms.most_common(1)[0]
    return k >= REGISTER_FORM_CELLS and prefix_misread(text, form)


REGISTER_FORM_CELLS = CONTENT_MIN_CELLS
"""The cells of a column that must read as register numbers of one form (register_form) for its other
cells of that form with a prefix misread (_prefix_misread) to count as register numbers too: as many as
a column's content is judged on at all (CONTENT_MIN_CELLS)."""


_SEPARATORS = re.compile(r"[-－—_./·]")


def _bare_register(text: str) -> str:
    """A cell's characters with the separators of a register number dropped (dashes folded, spaces gone as
    _clean_cell drops them, a fused serial cut as _register_no does): HZ2013-017, HZ2013~017 and
    HZ2013 017 are all HZ2013017."""
    from . import normalize as N

    return _SEPARATORS.sub("", _FUSED_SERIAL.sub("", N.fold_dashes(_clean_cell(text)), count=1))


def _blurred_form(written: list[str]) -> tuple[int, int] | None:
    """The form of a column's register numbers as a blurred photograph leaves them: (characters with the
    separators dropped, _bare_register; characters before the digits that end it). The length is the
    commonest among its cells that are Latin letters or digits, a letter among those before the final
    digits (HZ2013017, 1Z2013018, H22013019 read for HZ2013-0xx: a prefix read whole or in part), kept
    where at least REGISTER_FORM_CELLS cells have it, so three numbers with a letter of their prefix read
    make the form; the head is the commonest among those cells (the longer on a tie: a capital read as a
    digit shortens the head a cell shows, never lengthens it). None otherwise."""
    heads: dict[int, Counter[int]] = {}
    for t in written:
        b = _bare_register(t)
        if not b.isascii() or not b.isalnum():
            continue
        n = len(b.rstrip("0123456789"))
        if 0 < n <= _PREFIX_MAX and len(b) - n >= 3 and any(c.isalpha() for c in b[:n]):
            heads.setdefault(len(b), Counter())[n] += 1
    if not heads:
        return None
    length = max(heads, key=lambda k: (sum(heads[k].values()), k))
    if sum(heads[length].values()) < REGISTER_FORM_CELLS:
        return None
    return length, max(heads[length].items(), key=lambda kv: (kv[1], kv[0]))[0]


_PREFIX_MAX = 4
"""The most letters of a register number's prefix (_REGISTER_NO: one to four Latin letters)."""


def _blurred_register_no(text: str, form: tuple[int, int] | None, sp: Spec) -> bool:
    """Whether a cell that is no register number as read is one of its column's register numbers read from
    a blurred photograph: the hyphen between year and serial lost or read as a gap, and letters of the
    prefix read as the digits of their shape (H as 1 or 8, Z as 2). Its characters with separators
    dropped (_bare_register) are Latin letters or digits as many as the column's numbers' (`form`,
    _blurred_form), digits after the form's head. A property of the recognizer on a photograph's blur (a
    thin stroke such as a hyphen fades into the paper or into a gap; a blurred capital is read as a digit
    of its shape: prefix_misread) and of a register (its numbers are issued in one format down the column:
    every number as long as the others); no list of pairs. The shape test (prefix_misread) keeps the
    separators and needs the prefix read whole in REGISTER_FORM_CELLS cells, so misses these readings. A
    cell that is a value of another number field by the spec's forms as read (a certificate number
    2013-00018, an ID, a phone, a date, a voyage: the exclusions of _register_no) is none."""
    from . import normalize as N

    if form is None:
        return False
    s = N.fold_dashes(_clean_cell(text))
    b = _bare_register(text)
    if len(b) != form[0] or not b.isascii() or not b.isalnum() or not b[form[1] :].isdigit():
        return False
    return not _another_numbers_form(s, sp)


def _register_no_share(texts: list[str], sp: Spec, serial_held: bool) -> float | None:
    """The share of a column's written cells that are register numbers (_register_no), or of its
    commonest form with the prefix misread (_prefix_misread), or its numbers read from a blurred
    photograph with the hyphen lost as well (_blurred_register_no); where another
    column holds the row serial (`serial_held`), a column whose numbers follow one another down the page
    (serial_share) counts whole: a register number is issued in the order of registration, so a page's
    run up by one as a serial's do, and the page's serial is the other column. Where the page's run holds
    REGISTER_RUN_SHARE of the cells, a cell counts that passes either test, its form or its place on the
    run (_register_run_cells): each is a test of the same field, and a phone photograph breaks each in
    other cells (the prefix's letters read as digits in one, a digit of the serial part misread in another).
    None with fewer than CONTENT_MIN_CELLS written cells."""
    written = [t for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return None
    told = [_register_no(t, sp) for t in written]
    forms = Counter(register_form(t) for t, ok in zip(written, told) if ok)
    blurred = _blurred_form(written)
    in_form = [ok or _prefix_misread(t, forms) or _blurred_register_no(t, blurred, sp) for t, ok in zip(written, told)]
    share = sum(in_form) / len(written)
    if serial_held:
        run = serial_share(texts)
        if run is not None and all(_clean_cell(t).isdigit() for t in written):
            share = max(share, run)
        on_run = _register_run_cells(texts, sp)
        if on_run is not None and sum(on_run) / len(written) >= REGISTER_RUN_SHARE:
            share = max(share, sum(a or b for a, b in zip(in_form, on_run)) / len(written))
    return share


REGISTER_RUN_SHARE = 0.5
"""Where another column holds the serial, a column at least this share of whose written cells end in the
number the page's run puts in their row (register_run_share) counts that share as register numbers: a
register issues its numbers one a row (SPEC.md's sea-burial register; pipeline.page.structure
.confirm_register_run), so a page of them ends in a run whatever the recognizer made of their prefix
(HZ2013-145 read 822013-145 or E203-141 from a photograph: a capital read as the digit of its shape).
On the design stores (county_editions and typed_sheets seed 3316, its phone copy ph3316, camera_capture
4482) no column of another field reaches 0.37 (ages, counts, remarks), the register columns 0.54-1.0."""
_DIGIT_GROUPS = re.compile(r"[0-9]+")


def register_run_share(texts: list[str], sp: Spec) -> float | None:
    """The share of a column's written cells whose last group of digits (at most five: a register's serial
    part) is the value of the row's place plus the offset most such cells share (41 in the first row, 42
    in the second ...), as serial_share's run; a cell in another number field's form (_another_numbers_form:
    a certificate number, an ID, a phone, a date, a voyage) is never on it. None with fewer than
    CONTENT_MIN_CELLS written cells."""
    on_run = _register_run_cells(texts, sp)
    return None if on_run is None else sum(on_run) / len(on_run)


def _register_run_cells(texts: list[str], sp: Spec) -> list[bool] | None:
    """For each of a column's written cells, in order, whether it stands on the page's run
    (register_run_share's test); None with fewer than CONTENT_MIN_CELLS written cells."""
    from . import normalize as N

    values: list[int | None] = []
    for t in texts:
        s = _clean_cell(t)
        groups = _DIGIT_GROUPS.findall(N.fold_dashes(t or ""))
        ok = s and groups and len(groups[-1]) <= 5 and not _another_numbers_form(N.fold_dashes(s), sp)
        values.append(int(groups[-1]) if ok else None)
    written = [i for i, t in enumerate(texts) if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return None
    places = _run_places(values)
    return [places[i] for i in written]


CONTENT_TOLD = {
    "agent_relation_code": "relation",
    "registrant_relation_code": "relation",
    "ashes_destination_code": "code",
    "onboard_count": "small_count",
    "registration_no": "register_no",
    "cremation_cert_no": "cert_form",
    "sea_area": "sea_area",
}
"""Fields whose column content alone may name, though its header reads like none of the field's wordings
(a ledger's own wording, a header misread whole: _told_by_content), each by a test of an official
source: a relation to the deceased by the wordings of the spec's GB/T 4761 table and their look-alike
readings (the recognizer keeps a glyph's shape when it misreads it: _looks), a column of 男/女 alone
being the sex's; an ashes destination by the wordings of the spec's code table so read; the number on
board (随船人数, int, "at most 4 per set of ashes") by small counts (_small_count) in a column that is no
serial (fewer than ELIMINATION_SHARE of its cells follow the cell above by one, the share that makes a
column the serial's: counts of 1 to 4 follow one another by chance on half the rows); the
registration number (登记号, str ≤20: the spec gives it no form, so the basis is the kind's field list,
where it is the one number field left once the serial, the ID, the certificate number, the voyage
and the phone are told) by register numbers (_register_no_share); the cremation certificate number
(火化证号) by the forms the spec states for it (_cert_form: a year and a serial, No.201000514,
2010-00514, 10-0514, or the office's document number 火字第540号), which no other field of either kind is given (火化编号 and 登记号 have no stated
form: where their column holds numbers so printed as well, two columns fit and neither is given it);
the sea area (海域) by the places of the list's sea areas or a name ending in 海域, that word read with a
look-alike glyph counted (_ends_like: the recognizer reads 海域 as 海城 throughout some photographed columns,
at 0.99 too, camera_capture 4405), as a code wording so read counts for its table.
Never sure: such a column
is given its field by elimination (ELIMINATION_DOUBT), so its records are held for review."""


def _told_by_content(kind: str, name: str, texts: list[str], sp: Spec, held: set[str]) -> float | None:
    """The share of a column's written cells that CONTENT_TOLD's test for field `name` passes; None for a
    field not in it, a field not of the kind, or fewer than CONTENT_MIN_CELLS written cells."""
    test = CONTENT_TOLD.get(name)
    cls = content_class(sp, kind, name) if test is not None else None
    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if cls is None or len(written) < CONTENT_MIN_CELLS:
        return None
    if test in ("relation", "code", "sea_area"):
        if test == "relation" and all(w in SEX_WORDS for w in written):
            return 0.0
        return content_share(cls[0], cls[1], texts, sp)
    if test == "cert_form":
        return sum(_cert_form(w) for w in written) / len(written)
    if test == "small_count":
        run = serial_share(texts)
        if run is not None and run >= ELIMINATION_SHARE:
            return 0.0
        rises = rises_with_rows(texts)
        if rises is not None and rises >= RISES_WITH_ROWS:
            return 0.0  # a serial read with digits wrong or rows skipped: its numbers still rise down the page
        if _count_rivals(kind, name, held, sp):
            return None  # another count-like field is open too: small integers cannot tell which
        return sum(_small_count(w) for w in written) / len(written)
    serial_held = any(content_class(sp, kind, h) == ("row_no", None) for h in held)
    return _register_no_share(texts, sp, serial_held)


def _runs_too(kind: str, texts: list[str], others: list[list[str]], held: set[str], sp: Spec) -> set[str]:
    """The fields no column holds, other than the serial, whose column a run of numbers up by one a row
    may be as well (RUN_TOO): those of the kind whose CONTENT_TOLD test is the register number's, where
    every written cell of the column is digits alone (a register number with no prefix; one with letters
    is no serial) and no other open column (`others`) passes that test by its own cells (register numbers
    with their letters: that column is the field's, and this one the serial's). A column that is the
    serial's or the registration number's cannot be told by its numbers: both are given in the order of
    the rows."""
    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if not written or not all(w.isdigit() for w in written):
        return set()
    return {
        n
        for n in RUN_TOO
        if n not in held
        and content_class(sp, kind, n) is not None
        and not any((_told_by_content(kind, n, o, sp, held) or 0.0) >= ELIMINATION_SHARE for o in others)
    }


RUN_TOO = frozenset(n for n, test in CONTENT_TOLD.items() if test == "register_no")
"""Fields whose column runs up by one a row as a serial's does: the registration number (登记号), issued
by the home in the order of registration (the spec's sea-burial register: one registration a row, in
the order registered; _register_no_share counts such a run as register numbers where another column is
the serial). A column of plain numbers up by one whose header was not read is then the serial's or the
registration number's, and elimination gives it neither: it is left without a field, so the records'
registration number stays in doubt (pipeline.page.structure.open_columns) instead of a sure blank under
a column taken for the serial (design set county_editions seed 3301 with the 登记号 header lost: 38
fields wrong among the auto-accepted so)."""


REGISTER_RUN_DOUBT = "its header reads as {field} as much as the serial's, and its numbers run down the page as both do"
"""Why a column of a run of plain numbers is given the registration number, in doubt (_register_run_headed)."""
REGISTER_PART_DOUBT = (
    "its header, read in part, reads as {field} and not as the serial's, and its numbers run down the page as both do"
)
"""Why a column of a run of plain numbers that no other evidence gave a field is given the registration number,
in doubt, on a header read in part (_register_run_headed)."""


def _plain_numbers(written: list[str]) -> bool:
    """Whether a column's written cells hold plain numbers: every cell with a Latin letter or a digit in it is
    digits alone (a register number with a letter prefix is no serial), at least one is; a cell read as Han
    glyphs or marks alone (東 for a blurred 115) holds no number and says nothing of letters. A property of
    the recognizer, which reads a blurred digit string of a photograph as a Han glyph at times."""
    numbers = [w for w in written if any(c.isascii() and c.isalnum() for c in w)]
    return bool(numbers) and all(w.isdigit() for w in numbers)


def _register_run_headed(
    kind: str,
    header_texts: list[str],
    column_texts: list[list[str]],
    out: list[ColumnAssignment],
    scores: dict[tuple[int, str], ColumnScore],
    sp: Spec,
) -> list[ColumnAssignment]:
    """A column given the serial (序号) whose header reads, as a whole, no less like a wording of a field of
    RUN_TOO (登记号) that no column holds than like the serial's, and not as the serial's read
    (below HEADER_READ: 编号 is 登记编号 and 序号 alike at 0.5, 档案号 or 受理号, a ledger's own wording of a
    document's number, at 0.33 each), holding digits alone that run down the page: the column is given
    that field instead, doubted (REGISTER_RUN_DOUBT, one of ELIMINATION_DOUBT's: its records are held for
    review, never auto-accepted). A register number is issued in the order of registration, so a page of
    them runs as a serial does (RUN_TOO), and the header does not tell the two apart; the serial is no
    field of the upload (a pseudo-field), the registration number is: left on the serial, the field would
    be auto-accepted blank under a column that holds it (the floor: no field auto-accepted whose column
    was not identified). Nothing where another column's cells are register numbers of their own form
    (_told_by_content: that column is the field's, this one the serial's), or where the header reads like
    neither (a lost header: RUN_TOO leaves the column without a field).

    Likewise a column of such a run that the page left without a field, where no column holds the serial,
    whose header read in part names a RUN_TOO field more than the serial's and no less than any other field
    no column holds (记 or 登 alone: a character of 登记号 / 登记编号 / 海葬登记号, the spec's field
    catalogue wordings, and of no wording of 序号): a phone photograph cuts or bends the page's top, where
    the header row is, and the recognizer reads one character of it. Given that field, doubted
    (REGISTER_PART_DOUBT), its records held. A header that names nothing (a lost header, 甲) still leaves
    the column to neither. Rule source: the spec's sea-burial register (登记号 issued in order, no form given)
    and its field catalogue's header wordings; one printed header per column."""
    held = {a.field for a in out if a.field is not None}
    out = list(out)
    serials = [n for n in sp.kind(kind).pseudo_fields if content_class(sp, kind, n) == ("row_no", None)]
    for i, a in enumerate(out):
        left = a.field is None and a.doubt is None and not any(n in held for n in serials)
        if not left and (a.field is None or content_class(sp, kind, a.field) != ("row_no", None)):
            continue
        if a.index >= len(column_texts):
            continue
        texts = column_texts[a.index]
        written = [_clean_cell(t) for t in texts if _clean_cell(t)]
        run = serial_share(texts)
        if not written or not _plain_numbers(written) or run is None or run < ELIMINATION_SHARE:
            continue
        whole = _whole_header_scores(sp, kind, clean_header(header_texts[a.index]))
        serial = whole.get(a.field, 0.0) if a.field is not None else max((whole.get(n, 0.0) for n in serials), default=0.0)
        if serial >= HEADER_READ:
            continue
        if left:
            # a column left without a field (RUN_TOO): its header read in part names a RUN_TOO field
            # more than the serial's and no less than any field no column holds (HEADER_PART_RUN)
            rivals = [v for g, v in whole.items() if g not in held and g not in RUN_TOO and g not in serials]
            best = max((whole.get(n, 0.0) for n in RUN_TOO if n not in held), default=0.0)
            if not best > serial or any(v > best for v in rivals):
                continue
        others = [column_texts[d] for d in range(len(column_texts)) if d != a.index]
        for name in sorted(RUN_TOO):
            if (
                name in held
                or content_class(sp, kind, name) is None
                or not (serial < whole.get(name, 0.0) if left else 0.0 < serial <= whole.get(name, 0.0))
                or any((_told_by_content(kind, name, o, sp, held) or 0.0) >= ELIMINATION_SHARE for o in others)
            ):
                continue
            why = (REGISTER_PART_DOUBT if left else REGISTER_RUN_DOUBT).format(field=name)
            out[i] = ColumnAssignment(a.index, a.header, name, scores.get((a.index, name)), True, f"{ELIMINATION_DOUBT} ({why})")
            held.add(name)
            break
    return out


def _row_dates(texts: list[str]) -> list[str | None]:
    from . import normalize as N

    out: list[str | None] = []
    for t in texts:
        n = N.normalize_date(_clean_cell(t)) if _clean_cell(t) else None
        out.append(str(n.value) if n is not None and n.value and len(str(n.value)) == 10 else None)
    return out


def _date_order(a: list[str], b: list[str], read: Callable[[list[str]], Sequence[str | None]] = _row_dates) -> int:
    """-1 where column a's dates are on or before b's in DATE_ORDER_SHARE of the rows where both are
    read (at least CONTENT_MIN_CELLS rows, at least one strictly before), 1 the other way round, 0
    where the order does not tell. `read`: each cell's ISO date or None (strict: _row_dates; loose, a
    misread separator or 年/月 allowed: _loose_dates)."""
    da, db = read(a), read(b)
    both = [(x, y) for x, y in zip(da, db) if x and y]
    if len(both) < CONTENT_MIN_CELLS:
        return 0
    before = sum(x <= y for x, y in both) / len(both)
    after = sum(y <= x for x, y in both) / len(both)
    if before >= DATE_ORDER_SHARE and any(x < y for x, y in both):
        return -1
    if after >= DATE_ORDER_SHARE and any(y < x for x, y in both):
        return 1
    return 0


def _by_elimination(
    kind: str,
    header_texts: list[str],
    column_texts: list[list[str]],
    scores: dict[tuple[int, str], ColumnScore],
    out: list[ColumnAssignment],
    sp: Spec,
) -> list[ColumnAssignment]:
    """Columns left without a field whose header was not read, given one jointly with the others:
    where such a column's cells fit exactly one field that no column holds (ELIMINATION_SHARE, by the
    field's strict content test), and no other such column fits that field, the column is that
    field's; a column of serial numbers (serial_share) is the serial column's and no other field's;
    two date columns left for the day of death and the day of cremation are told apart by the order
    of those events (_DATE_ORDER, _date_order). The fields of CONTENT_TOLD are fitted by their own
    tests (_told_by_content) whatever the header reads, unless it reads like the wording of another
    field that no column holds (ELIMINATION_HEADER: a field held elsewhere is not this column's).
    A column of misread relation wordings (RELATION_DECODED) is given the relation of the person whose
    columns stand beside it (_relation_beside_its_person), or left without a field, saying why
    (RELATION_UNTOLD); a column whose numbers rise down the page is no count's or age's (RISES_WITH_ROWS).
    Repeated until nothing changes, since each column given a field leaves fewer for the rest.

    Such a column is doubted (ELIMINATION_DOUBT): the page may hold a column of no field whose
    cells look alike (a clerk's name, a fee), so its values are read and shown but never
    auto-accepted - save a person's name column that the page's row tells (_person_name_told). Rule
    source: the one-to-one correspondence of printed columns and the kind's fields (each field has at
    most one column), and the fields' content tests (_looks: GB 11643, the spec's code tables, date and
    number forms); nothing of any generator's vocabulary."""
    out = list(out)
    held = {a.field for a in out if a.field is not None}
    open_cols = [a.index for a in out if a.field is None and a.doubt is None and a.index < len(column_texts)]
    heads = {c: clean_header(header_texts[c]) for c in open_cols}
    by_header = {c: {n: s for n, s, _w in _field_scores(sp, kind, heads[c])} for c in open_cols}
    fields = [(f.name, f.normalizer) for f in sp.kind(kind).fields if f.source == "cell"]
    fields += [(name, "row_no") for name in sp.kind(kind).pseudo_fields]

    def fits(c: int) -> set[str]:
        got = set()
        for name, normalizer in fields:
            if name in held:
                continue
            if normalizer == "row_no":
                q = serial_share(column_texts[c])
                if q is not None and q >= ELIMINATION_SHARE:
                    # numbers going up by one a row: the serial column, or a register number's (RUN_TOO)
                    others = [column_texts[d] for d in open_cols if d != c]
                    return {name} | _runs_too(kind, column_texts[c], others, held, sp)
                continue
            if any(
                s >= ELIMINATION_HEADER and not _refuted_by_cells(kind, n, column_texts[c], scores.get((c, n)), sp)
                for n, s in by_header[c].items()
                if n != name and n not in held
            ):
                continue  # its header reads like the wording of another field no column holds
            if normalizer in COUNT_LIKE and (rises_with_rows(column_texts[c]) or 0.0) >= RISES_WITH_ROWS:
                continue  # its numbers rise down the page: a serial's, no count's or age's (RISES_WITH_ROWS)
            q = scores[(c, name)].fits
            if (
                q is not None
                and q >= ELIMINATION_SHARE
                and (_header_lost(heads[c]) or by_header[c].get(name, 0.0) >= ELIMINATION_LOST)
            ):
                got.add(name)
                continue
            told = _told_by_content(kind, name, column_texts[c], sp, held)
            if told is not None and told >= ELIMINATION_SHARE:
                got.add(name)  # its cells name the field though its header names none (CONTENT_TOLD)
        return got

    def give(c: int, name: str, why: str, sure: bool = False) -> None:
        doubt = None if sure else f"{ELIMINATION_DOUBT} ({why})"
        out[c] = ColumnAssignment(c, header_texts[c], name, scores.get((c, name)), True, doubt)
        held.add(name)
        open_cols.remove(c)

    changed = True
    while changed and open_cols:
        changed = False
        cands = {c: fits(c) for c in open_cols}
        for c in list(open_cols):
            if len(cands[c]) == 1:
                (name,) = cands[c]
                if sum(name in cands[d] for d in open_cols) == 1:
                    give(c, name, f"its cells fit {name} alone of the fields no column holds")
                    changed = True
                    break
        if changed:
            continue
        told = _names_by_neighbours(kind, column_texts, out, cands, open_cols, held, sp)
        beside = [] if told else _name_beside_its_person(kind, column_texts, out, scores, by_header, open_cols, held, sp)
        told = told or beside or _relation_beside_its_person(kind, column_texts, out, cands, by_header, open_cols, held, sp)
        if told:
            for c, name, why in told:
                # the one column of names beside its person's sure particulars: sure (_person_name_told)
                give(c, name, why, sure=bool(beside) and _person_name_told(kind, c, name, out, scores, sp))
            changed = True
            continue
        order = _DATE_ORDER.get(kind)
        if order and not (set(order) & held):
            dated = [c for c in open_cols if cands[c] and cands[c] <= set(order) | {"birth_date"} and set(order) <= cands[c]]
            if len(dated) == 2:
                a, b = dated
                o = _date_order(column_texts[a], column_texts[b])
                if o:
                    first, then = (a, b) if o < 0 else (b, a)
                    give(first, order[0], f"its dates come before those of column {then + 1}")
                    give(then, order[1], f"its dates come after those of column {first + 1}")
                    changed = True
    for c in open_cols:
        untold = _relation_untold(kind, c, column_texts[c], out, held, sp)
        if untold is not None:
            out[c] = ColumnAssignment(c, header_texts[c], None, None, False, untold)
    return out


PERSONS = {
    "cremation": (
        ("deceased_name", ("sex_code", "id_type", "id_number", "birth_date", "age_years", "ethnicity_code")),
        ("agent_name", ("agent_phone", "agent_relation_code")),
    ),
    "sea_burial": (
        ("deceased_name", ("sex_code", "id_number")),
        ("registrant_name", ("registrant_relation_code", "registrant_phone")),
    ),
}
"""The two persons a record names, each by its name field and the fields the spec states of that person
alone: the deceased's sex (which must match the ID's 17th digit), ID and birth date, age, ethnic group;
the agent's (registrant's) phone and relation to the deceased (与逝者关系: the relation of the person who
signs, GB/T 4761). The spec's field tables list each person's fields together (经办人姓名, 经办人电话,
与逝者关系; 家属姓名, 与逝者关系, 联系电话)."""
NAME_VARIETY = 0.5
"""A column of names is some record's own person only where at least this share of its written names
differ from every name above them (_variety): the same two or three names down the page are a clerk's
column (登记员), no record's deceased or agent."""


NAME_WRITTEN_SHARE = 0.5
"""The least share of a page's entries (its rows with writing in two cells or more: _written_enough) whose
cell a column of names must hold to be a person's name column (_names_by_neighbours,
_name_beside_its_person): the spec makes both names of a record mandatory (M: the deceased's, the agent's
or registrant's), so their columns are written on every entry but where a cell is lost; a remarks column
whose few notes read as 2-4 glyphs (外地户籍) is written on a few rows only (camera_capture 4482 and
county/typed 3316 with their headers blanked: 3 of 12 rows, the name columns 12 of 12)."""


def _reads_as_codes(kind: str, texts: list[str], sp: Spec) -> bool:
    """Whether at least CELLS_IN_PART of a column's written cells read as wordings of one code table of the
    kind (_looks: exactly or by look-alike glyphs): a photographed code column (病故, 家属领回 read 病政, 家区领回)
    is 2-4 glyphs a cell as a name is, so _photographed_names takes it; a third of its cells read as one
    table's wordings is evidence of that table (CELLS_IN_PART), and a column of names holds none. Rule
    source: the spec's code tables; no generator wording."""
    for f in sp.kind(kind).fields:
        if f.source == "cell" and f.normalizer == "code" and f.code_table:
            q = content_share("code", f.code_table, texts, sp)
            if q is not None and q >= CELLS_IN_PART:
                return True
    return False


def _written_enough(column_texts: list[list[str]], c: int) -> bool:
    """Whether column `c` holds writing on at least NAME_WRITTEN_SHARE of the page's entries: its rows with
    writing in two cells or more (a serial printed down an empty row, or a lone speck, is no entry)."""
    rows = max((len(t) for t in column_texts), default=0)
    entries = [r for r in range(rows) if sum(1 for texts in column_texts if r < len(texts) and _clean_cell(texts[r])) >= 2]
    own = sum(1 for r in entries if r < len(column_texts[c]) and _clean_cell(column_texts[c][r]))
    return bool(entries) and own >= NAME_WRITTEN_SHARE * len(entries)


def _a_persons_names(kind: str, column_texts: list[list[str]], c: int, sp: Spec) -> bool:
    """Whether open column `c` can be a person's name column as _names_by_neighbours and
    _name_beside_its_person weigh one: its names vary down the page (NAME_VARIETY: no clerk's few names),
    it is written on most entries (_written_enough: both names are mandatory) and it does not read as one
    code table's wordings (_reads_as_codes)."""
    texts = column_texts[c]
    return (_variety(texts) or 0.0) >= NAME_VARIETY and _written_enough(column_texts, c) and not _reads_as_codes(kind, texts, sp)


def _names_by_neighbours(
    kind: str,
    column_texts: list[list[str]],
    out: list[ColumnAssignment],
    cands: Mapping[int, set[str]],
    open_cols: list[int],
    held: set[str],
    sp: Spec,
) -> list[tuple[int, str, str]]:
    """Two columns of names, neither header read, told apart by their neighbours (PERSONS): where both
    name fields of the kind are held by no column and exactly two open columns fit both with names
    varying down the page (NAME_VARIETY: a clerk's column of the same few names is no person's and does
    not count), a column beside a column given a field of one person only (the deceased's sex or ID;
    the agent's phone or relation) is that person's name, and the other column the other person's.
    Nothing where neither column is told, both are told the same person, or a third column of varying
    names fits a name. [(column, field, why)], each given by elimination (always doubted:
    ELIMINATION_DOUBT; a register may print a person's columns apart). Rule source: the spec's field
    tables (each person's fields listed together, the relation being the agent's to the deceased) and a
    register's row, one person's particulars written side by side; no wording of any generator."""
    persons = PERSONS.get(kind)
    if persons is None or any(name in held for name, _own in persons):
        return []
    names = {name for name, _own in persons}

    def of_names(c: int) -> bool:
        """Both names fit the column's cells (ELIMINATION_SHARE), or its cells read as photographed names
        (_photographed_names, as many) and fit no other field."""
        got = cands.get(c, set())
        if names <= got:
            return True
        return not (got - names) and (_photographed_names(column_texts[c]) or 0.0) >= ELIMINATION_SHARE

    cols = [c for c in open_cols if (names & cands.get(c, set()) or of_names(c)) and _a_persons_names(kind, column_texts, c, sp)]
    if len(cols) != 2 or any(not of_names(c) for c in cols):
        return []
    fields = {a.index: a.field for a in out if a.field is not None}
    sides: dict[int, str] = {}
    for c in cols:
        beside = {fields.get(d) for d in (c - 1, c + 1)} - {None}
        whose = [name for name, own in persons if beside & set(own)]
        if len(whose) == 1:
            sides[c] = whose[0]
    told = set(sides.values())
    if not sides or len(told) != len(sides):
        return []
    first = next(iter(sides))
    other = next(c for c in cols if c != first)
    rest = next(name for name in names if name != sides[first])
    if sides.get(other, rest) != rest:
        return []
    return [
        (first, sides[first], f"its names stand beside the fields of {sides[first]}'s person"),
        (other, rest, f"the other column of names, beside column {first + 1} of {sides[first]}"),
    ]


NAME_BESIDE_SHARE = 0.6
"""The least share of a column's written cells that read as a name (_looks: two to four characters, a
usual surname, no digit) for _name_beside_its_person: lower than ELIMINATION_SHARE because the column is
told by three things together (names, each row's a different one: NAME_DISTINCT, beside that person's
own fields), and a photographed column of names misreads a glyph of one name in four (a property of
the recognizer on camera captures: camera_capture seed 4405, design set, names read as names in 73-75%
of the cells of the four pages whose deceased's column is lost). Any other open column of names at this
share leaves the column without a field."""
NAME_DISTINCT = 0.9
"""A column of names under a header misread whole is a person's (_name_beside_its_person) only where at
least this share of its written names differ from every name above them: each record is one death, so
the deceased's (and mostly the agent's) names differ row by row; a clerk's column (登记员: two or three
names taking turns) falls far below it, which a header read clearly as no wording would otherwise tell."""


def _photographed_names(texts: list[str]) -> float | None:
    """The share of a column's written cells that read as a name whose surname may be misread: two to four
    characters that mapping.normalize.normalize_name takes (Han and the middle dot only), no digit, the
    surname in the list or not. A property of the recognizer on camera captures: a blurred surname is
    read as a glyph of its shape that no surname list holds (逄 read 建), so on the design photos
    (camera_capture seeds 4470 and 4471 at severity 1.8 and 2.0) a fifth of the deceased's names read
    with an unusual surname and the columns whose header was lost fit the strict name test (_looks) in
    10-58 % of their cells. Used only where the rest of _name_beside_its_person's evidence holds (names
    differing row by row, beside that person's own fields, the one such open column): a code column's
    wordings repeat down the page, an address is longer. None with fewer than CONTENT_MIN_CELLS written."""
    from . import normalize as N

    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return None

    def name_like(s: str) -> bool:
        n = N.normalize_name(s)
        return n.value is not None and 2 <= len(str(n.value)) <= 4 and not _DIGITS.search(s)

    return sum(name_like(s) for s in written) / len(written)


def _name_beside_its_person(
    kind: str,
    column_texts: list[list[str]],
    out: list[ColumnAssignment],
    scores: Mapping[tuple[int, str], ColumnScore],
    by_header: Mapping[int, Mapping[str, float]],
    open_cols: list[int],
    held: set[str],
    sp: Spec,
) -> list[tuple[int, str, str]]:
    """One column of names whose header was misread whole (several characters like no wording, which
    elimination alone does not trust: ELIMINATION_LOST), given the name of the one person (PERSONS) whose
    name no column holds, where it stands beside a column given a field of that person only (the
    deceased's sex or ID; the agent's phone or relation) and of no other person, its cells fit a name
    (NAME_BESIDE_SHARE), differ down the page (NAME_DISTINCT) and it is the only open column of varying
    names (NAME_VARIETY), the other person's name being held by a column read by its header: a second
    column of varying names, or a header like another open field's wording (ELIMINATION_HEADER), leaves
    it without a field. Where it stands beside no person's fields (a register printing the name apart,
    at the row's end), the name is still given where it is mandatory (the spec's M: every register
    prints the deceased's name, so the one column of distinct names left is it), never where it stands
    beside the other person's fields. [(column, field, why)],
    given by elimination (doubted: ELIMINATION_DOUBT; the name being mandatory, the page too), unless the
    page's row tells it for sure (_person_name_told: names by the surname list, beside that person's
    particulars given with no doubt; on header-stressed copies of the design sets, 123 such columns of
    161 given here, every one right).
    Rule source: the spec's field tables (each person's fields listed together) and a register's row,
    one person's particulars written side by side, as for _names_by_neighbours; no generator wording."""
    persons = PERSONS.get(kind)
    if persons is None:
        return []
    names = {name for name, _own in persons}

    def fits(c: int, name: str) -> bool:
        sc = scores.get((c, name))
        if sc is not None and (sc.fits or 0.0) >= NAME_BESIDE_SHARE:
            return True
        return (_photographed_names(column_texts[c]) or 0.0) >= NAME_BESIDE_SHARE

    if len(names - held) != 1:
        return []  # both names open: only _names_by_neighbours tells them apart
    open_names = [c for c in open_cols if any(fits(c, n) for n in names) and _a_persons_names(kind, column_texts, c, sp)]
    if len(open_names) != 1 or (_variety(column_texts[open_names[0]]) or 0.0) < NAME_DISTINCT:
        return []
    (c,) = open_names
    fields = {a.index: a.field for a in out if a.field is not None}
    beside = {fields.get(d) for d in (c - 1, c + 1)} - {None}
    whose = [name for name, own in persons if beside & set(own)]
    (left,) = names - held
    why = f"its names stand beside the fields of {left}'s person"
    spec = sp.kind(kind).field(left)
    if not whose and spec is not None and spec.mandatory == "M":
        whose, why = [left], f"the one column of names left for {left}, which every register prints"
    if whose != [left] or not fits(c, left):
        return []
    if any(v >= ELIMINATION_HEADER for n, v in by_header[c].items() if n != left and n not in held):
        return []
    return [(c, left, why)]


RELATION_DECODED = ELIMINATION_SHARE
"""A column whose header was not read is a relation column (与逝者关系, GB/T 4761) where at least this
share of its written cells decode as a wording of the spec's relation table as the recognizer reads it
(relation_share: _may_be_code, a wording with at most half its characters misread, look-alikes counting
less), though fewer pass the strict test (_looks: 几子 for 儿子, 父来 for 父亲, 安 for 妻, a photographed or
faded column) - and only where it stands beside a column of the person whose relation it is
(_relation_beside_its_person). On the design stores (county_editions and typed_sheets seeds 3313 and
3316, camera_capture 4441, 4470, 4480) 110 of the 111 relation columns decode so in 80-100 % of their
cells, no column of names, dates, numbers, addresses or other codes in more than 67 %; a sex column
(男/女, 女 being a relation wording too) is told apart by its 男 (SEX_ONLY_SHARE)."""
SEX_ONLY_WORDS = frozenset({"男", "男性"})
"""Sex wordings (GB/T 2261.1) that are no wording of the relation table (GB/T 4761 names a son 子, never
男), unlike 女 (a daughter)."""
SEX_ONLY_SHARE = 0.1
"""A column with at least this share of its written cells reading 男 (SEX_ONLY_WORDS: one cell of a page of
ten rows) is the sex's, not a relation column, however many of its other cells (女, misread glyphs)
decode as relation wordings: a relation column holds no 男 (no wording of GB/T 4761), a sex column
holds it wherever a man died on the page (one person a row). On the design stores (county_editions and
typed_sheets seeds 3313 and 3316, camera_capture 4441, 4470, 4480) the sex columns whose cells decode
as relation wordings in RELATION_DECODED or more, not all read 男/女, hold 男 in 10-20 % of their cells
(pages of mostly women, the rest misread), the relation columns in none."""
RELATION_UNTOLD = "its cells read as relation wordings, but it stands beside no column of the person whose relation it is"
"""Why a column whose cells decode as relation wordings (RELATION_DECODED) is left without a field: no
column beside it is told to be the agent's (registrant's) or it stands beside both persons' columns
(one of ASSIGNMENT_DOUBTS). Its records' relation stays in doubt (pipeline.page.structure.open_columns),
never a guess."""


def relation_share(texts: list[str], sp: Spec) -> float | None:
    """The share of a column's written cells that may be a relation wording of the spec's GB/T 4761 table
    read by the recognizer (_may_be_code); 0.0 for a column that reads as the sex's (SEX_ONLY_SHARE, or
    only 男/女); None with fewer than CONTENT_MIN_CELLS written cells."""
    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return None
    if all(w in SEX_WORDS for w in written) or sum(w in SEX_ONLY_WORDS for w in written) >= SEX_ONLY_SHARE * len(written):
        return 0.0
    return sum(_may_be_code(sp, "relation", w) for w in written) / len(written)


def _relation_fields(kind: str, held: set[str], sp: Spec) -> dict[str, str]:
    """Relation field (CONTENT_TOLD "relation") of the kind held by no column -> the name field of its
    person (PERSONS)."""
    out: dict[str, str] = {}
    for person, own in PERSONS.get(kind, ()):
        for name in own:
            if CONTENT_TOLD.get(name) == "relation" and name not in held and content_class(sp, kind, name) is not None:
                out[name] = person
    return out


def _persons_beside(kind: str, c: int, out: list[ColumnAssignment]) -> set[str]:
    """The persons (PERSONS, by their name field) one of whose fields - the name or one of the person's own
    fields - a column beside column c is given, of those who have a relation to the deceased among their
    fields (CONTENT_TOLD "relation"): the deceased has none (与逝者关系 is the relation *to* the deceased,
    listed in the spec with the agent's and the registrant's particulars), so the deceased's columns beside
    a relation column (性别 after 家属姓名 与逝者关系) say nothing about whose relation it is."""
    fields = {a.index: a.field for a in out if a.field is not None}
    beside = {fields.get(d) for d in (c - 1, c + 1)} - {None}
    return {
        person
        for person, own in PERSONS.get(kind, ())
        if beside & ({person} | set(own)) and any(CONTENT_TOLD.get(n) == "relation" for n in own)
    }


def _relation_beside_its_person(
    kind: str,
    column_texts: list[list[str]],
    out: list[ColumnAssignment],
    cands: Mapping[int, set[str]],
    by_header: Mapping[int, Mapping[str, float]],
    open_cols: list[int],
    held: set[str],
    sp: Spec,
) -> list[tuple[int, str, str]]:
    """A column whose header was not read (lost, misread, worded like no wording) whose cells decode as
    relation wordings (RELATION_DECODED), fitting no other open field by its cells, given the relation
    field of the person a column beside it belongs to (PERSONS: the agent's name or phone for
    agent_relation_code, the registrant's for registrant_relation_code), where it stands beside that
    person's columns alone and it is the only such column for that field. Nothing where its header reads
    like another open field's wording (ELIMINATION_HEADER). [(column, field, why)], given by elimination
    (always doubted: ELIMINATION_DOUBT, never auto-accepted on this evidence). Rule source: the spec's
    GB/T 4761 relation table (the wordings) and its field tables (与逝者关系 listed with the person who
    signs: 经办人姓名, 经办人电话; 家属姓名, 联系电话), a register's row writing one person's particulars
    side by side (as _names_by_neighbours); no wording of any generator."""
    open_rel = _relation_fields(kind, held, sp)
    if not open_rel:
        return []
    found: dict[str, list[int]] = {}
    for c in open_cols:
        if cands.get(c, set()) - set(open_rel) or (relation_share(column_texts[c], sp) or 0.0) < RELATION_DECODED:
            continue
        if any(v >= ELIMINATION_HEADER for n, v in by_header[c].items() if n not in open_rel and n not in held):
            continue
        persons = _persons_beside(kind, c, out)
        rel = [n for n, person in open_rel.items() if persons == {person}]
        if len(rel) == 1:
            found.setdefault(rel[0], []).append(c)
    return [
        (cols[0], name, f"its cells read as relation wordings and it stands beside the columns of {open_rel[name]}")
        for name, cols in found.items()
        if len(cols) == 1
    ]


def _relation_untold(kind: str, c: int, texts: list[str], out: list[ColumnAssignment], held: set[str], sp: Spec) -> str | None:
    """RELATION_UNTOLD for a column c left without a field whose cells decode as relation wordings while a
    relation field of the kind is held by no column, and which stands beside no column of that field's
    person alone (_persons_beside); None otherwise (another reason left it without a field: a rival)."""
    open_rel = _relation_fields(kind, held, sp)
    if not open_rel or (relation_share(texts, sp) or 0.0) < RELATION_DECODED:
        return None
    persons = _persons_beside(kind, c, out)
    if any(persons == {person} for person in open_rel.values()):
        return None
    return RELATION_UNTOLD


ASSIGNMENT_DOUBTS = (
    "its header reads as ",
    "most of its cells (",
    CELLS_DOUBT,
    "its header and cells fit ",
    "another column fits ",
    ELIMINATION_DOUBT,
    DISAGREEMENT_DOUBT,
    "its field is told by its volume",  # VOLUME_DOUBT (agree_in_volume)
    RELATION_UNTOLD,
    DECODED_DOUBT.split("{", 1)[0],
    PATTERN_DOUBT.split("{", 1)[0],
)
"""How every reason assign_columns gives for doubting a column begins: a re-map that assigns the
columns again (pipeline.page.extract.reassign_columns) drops the old ones by these."""


def is_assignment_doubt(reason: str) -> bool:
    """Whether a column's doubt was given by assign_columns (ASSIGNMENT_DOUBTS)."""
    return reason.startswith(ASSIGNMENT_DOUBTS)


MERGED_PART_SCORE = 0.9
"""Each part of a header read as two (a missing ruling line: 序号火化证号) must be a wording of its
field read (almost) exactly."""


def merged_header(kind: str, text: str, spec: Spec | None = None) -> tuple[int, str, str] | None:
    """Where a header cell reads as the headers of two columns side by side (序号火化证号: the ruling
    line between 序号 and 火化证号 is missing), (characters of the first part, its field, the second
    part's field); None for a header that is one wording (经办人姓名 is a wording of agent_name, though
    经办人 and 姓名 are wordings of two fields) or whose parts are not wordings of two different fields."""
    sp = spec if spec is not None else load_spec()
    h = clean_header(text)
    if len(h) < 3:
        return None
    whole = _field_scores(sp, kind, h)
    if whole and whole[0][1] >= 1.0:
        return None
    return _best_cut(sp, kind, h, MERGED_PART_SCORE)


def _best_cut(sp: Spec, kind: str, h: str, part: float) -> tuple[int, str, str] | None:
    """The cut of header `h` where both parts read at least `part` like wordings of two different fields,
    the best sum of the two taken: (characters of the first part, its field, the second part's field)."""
    best: tuple[float, int, str, str] | None = None
    for cut in range(1, len(h)):
        left, right = _field_scores(sp, kind, h[:cut]), _field_scores(sp, kind, h[cut:])
        if not left or not right:
            continue
        (lf, ls, _lw), (rf, rs, _rw) = left[0], right[0]
        if lf == rf or min(ls, rs) < part:
            continue
        if best is None or ls + rs > best[0]:
            best = (ls + rs, cut, lf, rf)
    return None if best is None else best[1:]


MISREAD_PART_SCORE = 0.75
"""Each part of a header read as two misread headers (misread_merged_header) must read at least this much
like a wording of its field (a quarter of its characters misread, a look-alike counting less: 大化证编号 for
火化证编号 scores 0.8, 家麻住址 for 家庭住址 0.75). Measured on the design phone copy ph3316 (photographs at
150 dpi, header glyphs of 8-10 px): of 84 header cells of one printed column each, 55 read a wording of their
field at MERGED_PART_SCORE or more, 69 at this score or more; a header of two columns needs both parts so
read (about 43 % of them at MERGED_PART_SCORE, 67 % here)."""


def misread_merged_header(kind: str, text: str, spec: Spec | None = None) -> tuple[int, str, str] | None:
    """Where a header cell reads as the headers of two columns side by side, each misread in part
    (火化证编亏航次: 火化证编号 with 号 read 亏, and 航次; 家麻住址道世日期: 家庭住址 and 逝世日期, 庭 and 逝
    misread; 大化证编号航次 is merged_header's: 大 for 火 is a measured misreading, glyphs.PHOTO_MISREADS),
    (characters of the first part, its field, the second part's field) as merged_header gives them: the
    cut where both parts read at least MISREAD_PART_SCORE like wordings of two different fields,
    the best sum of the two taken, while the header as a whole reads less than MISREAD_PART_SCORE like any
    one wording (经办人娃名 reads 0.9 as 经办人姓名: one header, whatever its parts). None where merged_header
    reads the header already (both parts nearly exact) or no cut does. Weaker evidence than merged_header's:
    a column so read is doubted and its values split only for review (pipeline.page.extract.
    TWO_HEADERS_MISREAD_DOUBT). Rule source: one printed header per column; the spec's wordings; the
    recognizer's misreadings of small header glyphs on photographs (MISREAD_PART_SCORE, measured) and its
    look-alike confusions (_confusion_similarity)."""
    sp = spec if spec is not None else load_spec()
    h = clean_header(text)
    if len(h) < 3 or merged_header(kind, text, sp) is not None:
        return None
    whole = _field_scores(sp, kind, h)
    if whole and whole[0][1] >= MISREAD_PART_SCORE:
        return None
    return _best_cut(sp, kind, h, MISREAD_PART_SCORE)


JOINED_PART_SCORE = 0.5
"""The second part of a header read as two (joined_header) need only read this much like a wording of
its field as a whole (half its characters, a look-alike counting less): a header misread in part."""


def joined_header(kind: str, text: str, spec: Spec | None = None) -> tuple[str, str] | None:
    """Where a header cell holds one field's wording read exactly and, beside it, two or more Han
    characters (Han only: a digit or letter beside a header is a stamp's or a speck's stand-in) that read
    at least JOINED_PART_SCORE like a wording of another field as a whole
    (经办人关糸: 经办人 and 关系 misread), (the wording's field, the other part's field): two printed
    columns under one header cell whose second header was misread, so merged_header (both parts read
    nearly exactly) does not see them. None for a header that is one wording, or whose rest reads like
    no wording (居民身份证号码: 居民 names no field). Rule source: one printed header per column; the
    recognizer's look-alike confusions (_confusion_similarity)."""
    sp = spec if spec is not None else load_spec()
    h = clean_header(text)
    whole = _field_scores(sp, kind, h)
    if len(h) < 4 or not whole or whole[0][1] >= 1.0 or merged_header(kind, text, sp) is not None:
        return None
    for name, syn in _wordings(sp, kind):
        at = h.find(syn) if len(syn) >= 3 else -1  # a 2-character wording (姓名, 日期) inside a longer header proves little
        if at < 0:
            continue
        for rest in (h[:at], h[at + len(syn) :]):
            if len(rest) < 2 or len(_HAN.findall(rest)) < len(rest):
                continue  # a stamp's or a speck's stand-ins (M, 0) beside a header: no second header
            scores = _whole_header_scores(sp, kind, rest)
            other = max(((s, n) for n, s in scores.items() if n != name), default=(0.0, ""))
            if other[0] >= JOINED_PART_SCORE and other[0] > scores.get(name, 0.0):
                return name, other[1]
    return None


WORDING_AT_END_CHARS = 3
"""wording_beside reads a header as a field's wording beside another column's header only where the wording
it finds at one end is at least this long: a 2-character wording (姓名, 日期, 人数) ends many one-column
headers (家属姓名, 海葬日期: a modifier before its head noun), a longer one (火化证号, 撒海日期) is a header whole."""


def _misread_in_place(header: str, syn: str, name: str, at_start: bool, kind: str, spec: Spec) -> bool:
    """Whether field `name` has a wording as long as the cleaned `header` that starts (`at_start`) or ends
    with `syn` as the header does (wording_beside: the other characters are that wording's own, misread)."""
    return any(
        n == name and w != syn and len(w) == len(header) and (w.startswith(syn) if at_start else w.endswith(syn))
        for n, w in _wordings(spec, kind)
    )


def wording_beside(kind: str, text: str, spec: Spec | None = None) -> tuple[int, str | None, str | None] | None:
    """Where a header cell reads as one field's wording exactly (WORDING_AT_END_CHARS or more) at its start
    or its end and, beside it, one or more Han characters that are no part of that wording (数火化证号: the
    end of 随船人数 and 火化证号; 申请人撒海日期: a ledger's own word and 撒海日期), (characters of the first
    part, the first part's field or None, the second part's field or None) as merged_header gives them: a
    ruling line may be missing between two columns whose second header is a ledger's own wording or was
    read in part. None for a header that is itself a wording, or that merged_header or serial_beside read.
    Weaker evidence than merged_header's: pipeline.page.extract.split_merged_columns splits such a column
    only where its rows' text leaves a gap at the cut (layout.column_gap), and leaves it as it is otherwise.
    Not so where the characters beside the wording name no field and stand where a longer wording of the
    same field, as long as the whole header, has its own (_misread_in_place): 医我身份证号码 is 公民身份证号码
    (or 居民身份证号码) with its first two glyphs misread, not 身份证号码 with a second header beside it
    (design phone copy of d3316 with phone seed 3382, county 02_sea_burial_longkou_2013 p1: its ID column
    was split in two at a gap between the digits, every ID of the page lost). A misread glyph takes the
    place of the one printed; a neighbour's header merged in brings a length of its own.
    Rule source: one printed header per column; the spec's wordings; the recognizer's errors (glyphs
    substituted in place)."""
    sp = spec if spec is not None else load_spec()
    h = clean_header(text)
    whole = _field_scores(sp, kind, h)
    if len(h) < WORDING_AT_END_CHARS + 1 or (whole and whole[0][1] >= 1.0):
        return None
    if merged_header(kind, text, sp) is not None or serial_beside(kind, text, sp) is not None:
        return None
    best: tuple[int, int, str | None, str | None] | None = None
    for name, syn in _wordings(sp, kind):
        if len(syn) < WORDING_AT_END_CHARS or len(syn) >= len(h):
            continue
        for cut, rest, at_start in ((len(syn), h[len(syn) :], True), (len(h) - len(syn), h[: len(h) - len(syn)], False)):
            if not (h.startswith(syn) if at_start else h.endswith(syn)):
                continue
            if len(_HAN.findall(rest)) < len(rest) or syn in rest:
                continue
            other = _field_scores(sp, kind, rest)
            named = other[0][0] if other and other[0][1] >= MERGED_PART_SCORE and other[0][0] != name else None
            if named is None and _misread_in_place(h, syn, name, at_start, kind, sp):
                continue
            pair = (name, named) if at_start else (named, name)
            if best is None or len(syn) > best[0]:
                best = (len(syn), cut, pair[0], pair[1])
    return None if best is None else best[1:]


def joined_in_order(kind: str, text: str, spec: Spec | None = None) -> tuple[str, str] | None:
    """joined_header's two fields in the order their headers are printed (经办人 亲属系: agent_name, then
    agent_relation_code; 关糸经办人: the other way), the first part being where the wording read exactly
    stands at the start; None where joined_header reads none."""
    sp = spec if spec is not None else load_spec()
    joined = joined_header(kind, text, sp)
    if joined is None:
        return None
    h = clean_header(text)
    first = any(h.startswith(syn) for name, syn in _wordings(sp, kind) if name == joined[0] and len(syn) >= 3)
    return joined if first else (joined[1], joined[0])


def halves_of_cells(
    kind: str, field: str, texts: Sequence[str], held: Collection[str], spec: Spec | None = None
) -> tuple[str, str] | None:
    """The two fields whose values a column's cells hold side by side, in the order written, where its
    cells read so as a code wording beside a number (merged_cell_share's OWN_CODE_BESIDE, 配偶2人) and the
    header names only one of them (亲属系毅): the code field is the one whose table holds the wordings read
    exactly, the other the one field of the kind whose number form (NUMBER_SHAPES, _looks) the numbers
    pass; `field` (the column's) must be one of the two, the other held by no column (`held`) and alone of
    its form among the fields no column holds (a count 2人 names onboard_count, the kind's one count).
    MERGED_CELLS of the written cells must so read, with the wording on the same side in most of them
    (the order printed). None otherwise. Rule source: the code tables' wordings hold no digit (GB/T 4761,
    SPEC.md); one value per printed cell; the spec's field formats."""
    sp = spec if spec is not None else load_spec()
    ks = sp.kind(kind)
    fields = [f for f in ks.fields if f.source == "cell"]
    written = [_clean_cell(t) for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return None
    found: Counter[tuple[str, str, bool]] = Counter()  # (code field, number field, wording first)
    for cell in written:
        hit: set[tuple[str, str, bool]] = set()
        for i in range(1, len(cell)):
            for lead, word, number in ((True, cell[:i], cell[i:]), (False, cell[i:], cell[:i])):
                if _DIGITS.search(word) or not _DIGITS.search(number):
                    continue
                for cf in fields:
                    if cf.normalizer != "code" or cf.code_table is None or not _decisive("code", cf.code_table, word, sp):
                        continue
                    hit |= {
                        (cf.name, nf.name, lead)
                        for nf in fields
                        if nf.normalizer in NUMBER_SHAPES and _looks(nf.normalizer, nf.code_table, number, sp)
                    }
        if len(hit) == 1:
            found[hit.pop()] += 1
    if not found:
        return None
    (code, number, lead), n = found.most_common(1)[0]
    if n < MERGED_CELLS * len(written) or field not in (code, number):
        return None
    other = number if field == code else code
    kind_of = {f.name: (f.normalizer, f.code_table) for f in fields}
    if other in held or sum(1 for f in fields if kind_of[f.name] == kind_of[other] and f.name not in held) != 1:
        return None
    return (code, number) if lead else (number, code)


def halves_of_header(kind: str, text: str, field: str, spec: Spec | None = None) -> tuple[str, str] | None:
    """The two fields whose headers a header cell reads as, in the order printed, where one of them is
    `field` (the column's assigned field), for a column whose CELLS already read as two columns' values
    side by side (merged_cell_share, MERGED_CELLS: pipeline.page.extract.MERGED_CELLS_DOUBT): the cut of
    the header where each part's best field (_field_scores) differs from the other's, `field` is one of
    them and both read at least JOINED_PART_SCORE like a wording of theirs, the best sum of the two taken
    (逝老名性别: 逝者姓名 misread, 性别 read exactly: deceased_name, sex_code). merged_header asks both
    parts to read nearly exactly (MERGED_PART_SCORE) and joined_header one wording of three characters or
    more, since a header alone proves little; here the cells prove the two columns and the header only
    names which. None where no cut does. Rule source: one printed header per column; the spec's
    wordings; the recognizer's look-alike confusions (_confusion_similarity)."""
    sp = spec if spec is not None else load_spec()
    h = clean_header(text)
    best: tuple[float, str, str] | None = None
    for cut in range(1, len(h)):
        left, right = _field_scores(sp, kind, h[:cut]), _field_scores(sp, kind, h[cut:])
        if not left or not right:
            continue
        (lf, ls, _lw), (rf, rs, _rw) = left[0], right[0]
        if lf == rf or field not in (lf, rf) or min(ls, rs) < JOINED_PART_SCORE:
            continue
        if best is None or ls + rs > best[0]:
            best = (ls + rs, lf, rf)
    return None if best is None else best[1:]


def unheld_halves(kind: str, text: str, held: Collection[str], spec: Spec | None = None) -> tuple[str, str] | None:
    """For a column given no field: the two fields its header reads as, in the order printed
    (halves_of_header, tried for each field of the kind), where neither is held by another column (`held`)
    and one cut alone names such a pair (亲属姓名亲关属系: registrant_name, registrant_relation_code; the
    second header misread, so merged_header does not read it). None otherwise. Its cells must then prove
    the two columns (merged_cell_share with either field's class, MERGED_CELLS): a header alone proves
    little. Rule source: one printed header per column; the spec's wordings; the recognizer's look-alikes."""
    sp = spec if spec is not None else load_spec()
    pairs = {
        pair
        for f in sp.kind(kind).fields
        if f.source == "cell" and f.name not in held
        for pair in [halves_of_header(kind, text, f.name, sp)]
        if pair is not None and not set(pair) & set(held)
    }
    return next(iter(pairs)) if len(pairs) == 1 else None


READ_TWICE_SHARE = 0.6
"""Two columns whose cells are the same text in at least this share of the rows where both hold two or
more characters (at least CONTENT_MIN_CELLS such rows) are one printed column read twice (read_twice)."""


def read_twice(column_texts: list[list[str]]) -> list[tuple[int, int, float]]:
    """Pairs of columns (a, b, share) whose cells repeat each other row by row (READ_TWICE_SHARE): each
    printed column holds its own entries, so the same text in two columns of most rows is one column's
    writing read in two (a vertical line misplaced, a cell straddling a line), and the page's other
    printed column there may have no column read. Rule source: the form of a register (one value per
    printed column and row); no value of any vocabulary."""
    cols = [[_clean_cell(t) for t in texts] for texts in column_texts]
    out = []
    for a in range(len(cols)):
        for b in range(a + 1, len(cols)):
            both = [(x, y) for x, y in zip(cols[a], cols[b]) if len(x) >= 2 and len(y) >= 2]
            if len(both) < CONTENT_MIN_CELLS:
                continue
            share = sum(x == y for x, y in both) / len(both)
            if share >= READ_TWICE_SHARE:
                out.append((a, b, share))
    return out


def parted_by_own_column(column_texts: list[list[str]], first: int, second: int) -> bool:
    """Whether two columns whose cells repeat each other (read_twice, first < second) have a column
    between them that holds writing of its own in the rows where they repeat: in at least
    CONTENT_MIN_CELLS of those rows, and in more than half, that column holds text other than theirs.
    One printed column's writing read in two grid columns (a line misplaced, a cell straddling a line)
    lies in neighbouring grid columns, or else also in every column between; a column of its own
    writing between them parts two printed columns, each of which holds its own entry (their values
    are equal: a home may give an entry the same number in two columns). Rule source: the form of a
    ruled register (one value per printed cell); no value of any vocabulary."""
    cols = [[_clean_cell(t) for t in texts] for texts in column_texts]
    same = [i for i, (x, y) in enumerate(zip(cols[first], cols[second])) if len(x) >= 2 and x == y]
    for c in range(first + 1, second):
        own = sum(1 for i in same if i < len(cols[c]) and cols[c][i] and cols[c][i] != cols[first][i])
        if own >= CONTENT_MIN_CELLS and 2 * own > len(same):
            return True
    return False


# What a column left without a field may hold
#
# A printed column no field was given to (its header read as no wording, or an extra column of the
# register's own: a work unit, a fee, a signature) may be the column of a field its header was meant to
# name. Where its cells cannot be that field's values, read however badly, it is not: an optional field
# of the spec that no such column may hold is not on this register (pipeline.page.structure).

MAY_HOLD_SHARE = 0.25
"""A column left without a field may be a field's where at least this share of its written cells could
be the field's values read by the recognizer (_may_be, a lenient test). A column that is the field's
has at least CONTENT_FAILS (half) of its cells fit the field's strict test, or it is doubted as a
column; half of that is the margin for cells read wrong."""
SURELY_READ = 0.9
"""A cell is evidence that a column is not a field's only where it was read at least this sure (and no
second reading disagreed): a cell read unsure may be anything. With fewer than CONTENT_MIN_CELLS such
cells the column may be any field's, unless its header names another column and its readings, however
unsure, are no such values either (may_hold: two witnesses against, for a field whose values a test tells).
"""
HEADER_HINT = 0.6
"""A column whose header scores at least this much for a field (a wording of it read with a third of its
characters lost or wrong) may be that field's column whatever its cells. At half (0.5) two different
wordings that share a word score alike (工作单位 or 生前单位 beside 出具单位, a wording of the
certificate issuer): there the cells decide."""

_DIGIT_LIKE = frozenset("0123456789〇零一二三四五六七八九十") | frozenset("OoDQlI|i")
"""Characters a digit may be written or read as: Arabic digits (after NFKC), Chinese numerals, and the
Latin letters and strokes the recognizer reads digits as (mapping.normalize's OCR folds for IDs, dates
and phones: O o D Q for 0, l I | i for 1)."""
_NUMBERED = re.compile(r"(编号|号|号码)$")
"""A free-text field whose spec label names a number given by the home (火化编号, 登记号): its values
hold digits (编号: an assigned number). Other free text (备注) may be anything."""


HEADER_SHARES = 0.5
"""A header scoring at least this much for a field shares a word with one of its wordings (其他说明 with
说明, 附记 with 附注): it may be that field's header worded otherwise (open vocabularies, issue 21)."""


def _content_tested(normalizer: str, code_table: str | None, label: str) -> bool:
    """Whether _may_be can tell a field's values from other writing: digits (phone, ID, certificate
    number, date, age, count, a numbered free-text field) or a code table's wordings. Names,
    addresses and other free text (备注) may be anything: their cells are no evidence either way."""
    if normalizer in ("phone", "id_number", "cert_no", "date", "age", "count"):
        return True
    if normalizer == "code":
        return code_table is not None
    return normalizer == "text" and bool(_NUMBERED.search(label))


def header_may_name(sp: Spec, kind: str, name: str, header: str) -> bool:
    """Whether a header read as `header` may be one of field `name`'s wordings as the recognizer reads
    it: sharing a word with one (HEADER_SHARES), or a wording at most half of whose characters were
    misread (a look-alike costing less, mapping.glyphs.shape_distance: the recognizer keeps a glyph's
    shape when it misreads it), lost or added - the test _may_be_code makes of a code table's wordings.
    A header of fewer than two Han characters (lost, or read as Latin letters and digits) may be any
    field's."""
    from .glyphs import shape_distance

    h = clean_header(header)
    if len(_HAN.findall(h)) < 2:
        return True
    if dict((n, s) for n, s, _w in _field_scores(sp, kind, h)).get(name, 0.0) >= HEADER_SHARES:
        return True
    return any(shape_distance(h, w) <= len(w) / 2 for n, w in _wordings(sp, kind) if n == name)


def _may_be(sp: Spec, normalizer: str, code_table: str | None, label: str, text: str) -> bool:
    """Whether one written cell could be a value of a field of this normalizer as the recognizer reads
    it: lenient, where _looks is strict. Digits counted with the characters they are misread as
    (_DIGIT_LIKE): a phone has 7 to 12 digits (the numbering plan: a local number of 7-8, a mobile of
    11; 5 allows digits lost), an ID 15 or 18 (GB 11643; 8 allows half lost), a certificate number, a
    date, an age or a count at least one or two. A code-table field (GB/T 3304 ethnic groups, GB/T
    4761 relations, causes of death, certificate issuers, ID types): a wording or a code of the table
    read with at most half its characters wrong, look-alikes counting less (_may_be_code; mapping.glyphs:
    the recognizer keeps a glyph's shape when it misreads it). A numbered free-text field (_NUMBERED) holds
    a digit; any other field (names, addresses, remarks) may hold anything."""
    s = _clean_cell(text)
    digits = sum(1 for c in s if c in _DIGIT_LIKE)
    if normalizer == "phone":
        return digits >= 5
    if normalizer == "id_number":
        return digits >= 8
    if normalizer in ("cert_no", "date"):
        return digits >= 2 or (normalizer == "date" and any(c in "年月日" for c in s))
    if normalizer in ("age", "count"):
        return digits >= 1 or "岁" in s
    if normalizer == "code":
        return code_table is None or _may_be_code(sp, code_table, s)
    if normalizer == "text":
        return digits >= 1 if _NUMBERED.search(label) else True
    return True


@lru_cache(maxsize=4096)
def _may_be_code(sp: Spec, code_table: str, s: str) -> bool:
    """Whether a cleaned cell could be a wording or a code of the table read by the recognizer: what
    normalize_code matches (a wording, a code, a wording contained, a near spelling), or a wording at
    most half of whose characters were misread (a look-alike costs less, mapping.glyphs.shape_distance),
    lost or added. A cell of the wording's length that keeps just half of it, the other half replaced
    by shapes unrelated to it (工厂 beside 工伤, 事业 beside 事故), is no misreading of it (the
    recognizer keeps a glyph's shape when it misreads it: a misread character costs less than a whole
    edit) but another word sharing half of it: less than half then. A one-character wording (子, 汉,
    村) by any character whose shape is not unrelated to it (a substitution costing less than a whole
    edit: similarity above glyphs.UNRELATED, where the recognizer's measured confusions lie, 安 for 妻
    at 0.66)."""
    from . import normalize as N
    from .glyphs import shape_distance

    table = sp.table(code_table)
    if not s or N.normalize_code(s, table).value is not None:
        return bool(s)
    words = {w for w in list(table.lookup) + list(table.codes.values()) if _HAN.search(str(w))}
    for w in words:
        d = shape_distance(s, w)
        half = len(w) / 2
        if d < half or (d <= half and len(s) != len(w)) or (len(w) == 1 and d < 1.0):
            return True
    return False


def may_hold(sp: Spec, kind: str, name: str, header: str | None, cells: Sequence[tuple[str, bool]]) -> bool:
    """Whether a printed column left without a field may be field `name`'s column: its header lost or
    not known (None, or fewer than 2 characters read: the recognizer failed where the column is named,
    and what it read below is no evidence against a field) or a near wording of it (HEADER_HINT), too
    few of its cells written or read surely to tell (CONTENT_MIN_CELLS cells read SURELY_READ), or at
    least MAY_HOLD_SHARE of its written cells such as the field may hold (_may_be; a cell not read
    surely counts as one that may). A field whose values no test can tell from other writing (names,
    addresses, 备注: _content_tested) is judged by the header alone once the cells were read surely:
    a column may be its column only where the header may be one of its wordings as the recognizer
    reads it (header_may_name), so an extra column headed 工作单位 or 金额 is not the remarks
    column. A numbered free-text field (火化编号, 登记号: _NUMBERED) is judged by both: its cells
    (a digit) and its header (one of its wordings, or a header naming a number, 炉号), since any
    column of figures (金额) holds digits; a column of numbers running up by one a row may be 登记号's
    whatever its header (RUN_TOO). `cells`: (text, read surely) per row. Conservative by
    construction: only a named column
    of cells read surely that mostly cannot be the field's values, or whose header cannot be the
    field's where values cannot tell, is not its column.

    Cells read unsure are no evidence alone, but an unsure reading is still what the recognizer made of
    the ink, and a misreading keeps glyph shapes (mapping.glyphs; _may_be already admits half of a
    wording misread, digits read as letters). So for a field whose values a test tells from other
    writing (_content_tested, not free text), a column with too few cells read surely is not its column
    where both witnesses are against it: its header, read as two or more Han characters, is no
    misreading of any of the field's wordings (header_may_name: 登记员 for a cause of death), and fewer
    than MAY_HOLD_SHARE of its written readings, sure or not, could be the field's values (a clerk's
    names read at 0.55-0.97: none is a cause of death, a certificate issuer, a date or an ID type read
    badly). Rule source: the recognizer's confusions (glyph shapes) and the fields' code tables and
    formats; before, such a column held every optional field the form does not print in doubt (design
    typed_sheets seed 3316: 36 records held by 'no column' of a cause of death and a certificate issuer
    under a 登记员 column)."""
    f = sp.kind(kind).field(name)
    if f is None or header is None or len(clean_header(header)) < 2:
        return True
    if dict((n, s) for n, s, _w in _field_scores(sp, kind, clean_header(header))).get(name, 0.0) >= HEADER_HINT:
        return True
    written = [(t, sure) for t, sure in cells if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return True
    # where the header, read as two or more Han characters, is no misreading of any of the field's
    # wordings (header_may_name) and the field's values can be told from other writing
    # (_content_tested, not free text), the readings themselves, however unsure, are the second
    # witness (see the docstring): an unsure cell counts by what it was read as
    header_against = (
        _content_tested(f.normalizer, f.code_table, f.label)
        and f.normalizer != "text"
        and not header_may_name(sp, kind, name, header)
    )
    if not header_against and sum(1 for _t, sure in written if sure) < CONTENT_MIN_CELLS:
        return True
    if not _content_tested(f.normalizer, f.code_table, f.label):
        # the cells say nothing (free text may be anything), but they were read surely: the header
        # row was read on a page read well, and a header of two or more Han characters that is no
        # misreading of any of the field's wordings and shares no word with one names another column
        return header_may_name(sp, kind, name, header)
    could = sum(
        1 for t, sure in written if (not sure and not header_against) or _may_be(sp, f.normalizer, f.code_table, f.label, t)
    )
    if could < MAY_HOLD_SHARE * len(written):
        return False
    if f.normalizer == "text":
        # a numbered free-text field (火化编号, 登记号): SPEC gives it no format (str), so its cells show
        # no more than a digit, which every column of figures holds (an amount, a count, a weight):
        # they are no evidence for it. Judged as other free text by the header, which may also name
        # a number of its own (炉号, 流水号: _NUMBERED, a number the home gave, maybe this one)
        # a column of numbers up by one a row may be the registration number's whatever its header: the
        # home issues 登记号 in the order of registration (RUN_TOO), which no amount, count or weight does
        if name in RUN_TOO:
            run = serial_share([t for t, _sure in cells])
            if run is not None and run >= ELIMINATION_SHARE:
                return True
        return header_may_name(sp, kind, name, header) or bool(_NUMBERED.search(clean_header(header)))
    return True


SERIAL_BESIDE_SCORE = 0.5
"""What the rest of a header beside a field's wording must score as a wording of the serial (序号, 编号:
编号 reads as 序号 and as 登记编号 alike, 0.5) for serial_beside_header to see the serial's header there."""


def serial_beside_header(kind: str, text: str, field: str, spec: Spec | None = None) -> bool:
    """Whether a header cell holds one of `field`'s wordings read exactly at one end and, beside it, a
    wording of the row serial (序号, 编号: SERIAL_BESIDE_SCORE or more): 编号登记号, the headers of the
    serial column and of the register-number column under one cell, a ruling line missing between them.
    merged_header does not see it where the serial's part reads as well as a wording of the field
    (编号 is half 序号 and half 登记编号). Rule source: one printed header per column; the spec's
    wordings of the serial (pseudo-field row_no) and of the field."""
    sp = spec if spec is not None else load_spec()
    h = clean_header(text)
    for name, syn in _wordings(sp, kind):
        if name != field or len(syn) < 2 or len(h) <= len(syn):
            continue
        for rest in (h[: -len(syn)] if h.endswith(syn) else None, h[len(syn) :] if h.startswith(syn) else None):
            if rest and _reads_as_serial(kind, rest, sp):
                return True
    return False


def _reads_as_serial(kind: str, part: str, sp: Spec) -> bool:
    """Whether a part of a header reads as a wording of the row serial (SERIAL_BESIDE_SCORE or more)."""
    return any(n == "row_no" and s >= SERIAL_BESIDE_SCORE for n, s, _w in _field_scores(sp, kind, part))


def serial_beside(kind: str, text: str, spec: Spec | None = None) -> tuple[int, str, str] | None:
    """Where a header cell reads as a wording of the row serial followed by a field's wording
    (serial_beside_header: 编号登记号, a ruling line missing between the serial column and the field's;
    never X编号 or X号, a field's own number: SERIAL_PART_CHARS),
    (characters of the first part, its field, the second part's field) as merged_header gives them; None
    for a header that is itself a wording read exactly (登记编号), or one merged_header reads already.
    The serial's part must be Han characters only, as every wording of the serial is (序号, 顺序号, 行号):
    Latin letters or digits before a field's wording (AG人数) are a stamp's or a speck's stand-ins, as
    joined_header takes them, no serial header (they scored as one only because any two glyphs read as
    half of a two-character wording).
    Rule source: one printed header per column; the spec's wordings of the serial and of the field."""
    sp = spec if spec is not None else load_spec()
    h = clean_header(text)
    whole = _field_scores(sp, kind, h)
    if len(h) < 3 or (whole and whole[0][1] >= 1.0) or merged_header(kind, text, sp) is not None:
        return None
    for name, syn in _wordings(sp, kind):
        if name == "row_no" or len(syn) < 2 or len(h) - len(syn) < SERIAL_PART_CHARS:
            continue
        part = h[: len(h) - len(syn)]
        if h.endswith(syn) and len(_HAN.findall(part)) == len(part) and _reads_as_serial(kind, part, sp):
            return len(h) - len(syn), "row_no", name
    return None


SERIAL_PART_CHARS = 2
"""serial_beside reads a header as the serial's and a field's only where the serial's part, at least this
many characters (序号, 编号), stands BEFORE the field's wording: the serial is a register's first column, and
a number word after a field's wording is that field's own (航次编号, 船次号, 逝者编号: "the voyage's / the
deceased's number", one header of one column, not two). Rule source: Chinese word order (a modifier
before its head noun: X编号 is "X's number") and the register's layout (序号 the leftmost column)."""


# --- the pages of one volume -------------------------------------------------------------------------
# A register book (a volume: one source file, or one folder of photographed pages of one book) is
# printed from one form: every page has the same columns, in the same order, under the same headers,
# ruled at the same places. A page's columns are assigned on that page alone first (assign_columns);
# where a column's header was misread (faint, grainy, photographed) or its cells read poorly, its
# sibling pages of the same form tell which field it is (agree_in_volume).

VOLUME_WIDTHS = 0.01
"""Two pages are of one printed form only where they have as many columns and each column's width, as a
share of the table's width, differs by at most this much. Source: ruling geometry: a form is ruled once
and printed on every page of the book; what varies is where the grid finder puts a line (a few pixels)
and a photograph's perspective. Measured on every design scan store (3301, 3305, 3307, 4403, 4405, 4406:
254 pairs of pages of one volume with as many columns): at most 0.0038 apart. A column the grid lost or
found in excess (a missing or doubled ruling line) shifts the widths by a whole column's (the narrowest
printed column is 0.03 of the table), so pages so read are no siblings."""
VOLUME_AGREE = 2
"""A column takes a field from its sibling pages only where at least this many of them assigned the same
column that field without doubt (one page may have been misread like this one; two agreeing are a form's
evidence)... Where the page has one sibling only (a book of two pages, or one other page ruled alike),
a column its page left without a field takes the field that sibling is sure of, always doubted
(VOLUME_DOUBT): the form is the one evidence left, and the values go to review under their field instead
of under none (camera_capture seed 4423, severity 1.8: a two-page book's first page, its sex, ethnic
group and certificate headers read 09, 民版, 5067, its cells at 0.1-0.3)."""
VOLUME_MAJORITY = 2
"""...and at least this many times as many as gave the column anything else without doubt (another field,
or none: an extra printed column no field is kept from)."""
VOLUME_TYPED = frozenset({"date", "id_number", "cert_no", "code", "sex", "age", "phone", "count", "division", "sea_area"})
"""The normalizers whose content test tells a field's values from other writing (a date, an ID number by
GB 11643, a code-table wording, a phone number, a count): a column the volume tells such a field is not
doubted where ELIMINATION_SHARE of its own cells pass that test. A name's test (a surname and one to three
given-name characters), an address's and free text's pass any short writing in Han characters: the cells
do not confirm the field, and such a column stays doubted (VOLUME_DOUBT)."""
VOLUME_DOUBT = "its field is told by its volume's other pages ({agree} of them), not by its own header and cells"
"""Why a column given its field by its sibling pages stays doubted (one of ASSIGNMENT_DOUBTS): the volume
says which field the column is, not that its cells were read right."""


@dataclass(frozen=True)
class VolumePage:
    """One page of a volume as its columns were assigned on the page alone (assign_columns)."""

    kind: str
    widths: tuple[float, ...]  # each printed column's width, a share of the table's width
    header: tuple[str, ...]  # each column's header as read
    fields: tuple[str | None, ...]  # each column's field (None: unidentified)
    doubted: frozenset[int]  # the columns in doubt, whatever the reason
    texts: tuple[tuple[str, ...], ...]  # each column's cell texts (data rows, top to bottom)
    sure: tuple[tuple[bool, ...], ...] = ()  # each column's cells: read surely (SURELY_READ); () every cell


def _read_surely(page: VolumePage) -> list[list[str]]:
    """The page's column texts with the cells not read surely left out (""): a cell read below SURELY_READ,
    or whose second reading disagreed, may be anything (may_hold's rule), so it is no evidence against a
    field (_unlike_in_volume). Every cell where the page says nothing of how surely its cells were read."""
    if not page.sure:
        return [list(t) for t in page.texts]
    return [
        [t if c < len(page.sure) and i < len(page.sure[c]) and page.sure[c][i] else "" for i, t in enumerate(texts)]
        for c, texts in enumerate(page.texts)
    ]


@dataclass(frozen=True)
class VolumeField:
    """A column's field as its sibling pages tell it (agree_in_volume)."""

    index: int
    field: str
    doubt: str | None  # None: its own cells pass the field's content test (ELIMINATION_SHARE)


def _same_form(a: VolumePage, b: VolumePage) -> bool:
    return same_form(a.kind, a.widths, b.kind, b.widths)


def same_form(kind_a: str, widths_a: Sequence[float], kind_b: str, widths_b: Sequence[float]) -> bool:
    """Whether two pages of one volume are of one printed form (one kind, as many columns, each column's
    width a share of the table's within VOLUME_WIDTHS): the siblings agree_in_volume lets tell a page's
    columns (_same_form), and the pages a reviewer's word on a column of one of them is good for
    (pipeline.page.extract.decided_columns). Source: a property of printed registers (one form per book,
    ruled once)."""
    return (
        kind_a == kind_b
        and len(widths_a) == len(widths_b) >= 2
        and all(abs(x - y) <= VOLUME_WIDTHS for x, y in zip(widths_a, widths_b))
    )


def _volume_vote(votes: Counter[str | None]) -> tuple[str | None, int]:
    """The field most of these votes give a column, and how many, where they are at least VOLUME_AGREE and
    VOLUME_MAJORITY times the votes for anything else; (None, 0) otherwise."""
    f, agree = max(((g, n) for g, n in votes.items() if g is not None), key=lambda x: x[1], default=(None, 0))
    if f is None or agree < VOLUME_AGREE or agree < VOLUME_MAJORITY * (sum(votes.values()) - agree):
        return None, 0
    return f, agree


def agree_in_volume(pages: Sequence[VolumePage], spec: Spec | None = None) -> list[list[VolumeField]]:
    """For each page of one volume, the columns that take the field their sibling pages agree on.

    A column unidentified or in doubt on its page takes field f where (a) its siblings are of the same
    printed form (_same_form: as many columns, widths within VOLUME_WIDTHS), (b) at least VOLUME_AGREE of
    them gave that column f without doubt and at least VOLUME_MAJORITY times as many as gave it anything
    else without doubt (a sibling that gave it no field having read none of its cells surely abstains:
    _legible), and (c) its own evidence does not say otherwise: its header does not read as a
    whole (HEADER_READ) as another field's wording (unless another column of the page is sure of that field:
    one printed column per field, so the header was misread; the column then stays doubted), its cells read surely are not mostly unlike f (content
    share below CONTENT_FAILS, look-alike readings of a code wording counted: _unlike_in_volume; a cell
    read below SURELY_READ may be anything and counts neither way: _read_surely) and no other
    column of the page keeps f (_one_column_each). The column stays doubted (VOLUME_DOUBT)
    unless f's content test is one that tells its values from other writing (VOLUME_TYPED: dates, ID
    numbers, code-table wordings, phones, counts) and at least ELIMINATION_SHARE of its own cells pass it
    (column_scores' fits) and its page did not give it another field; a name, an address or free text
    stays doubted. A column already given f in doubt is listed only where its cells so pass. Where no VOLUME_AGREE siblings are sure of the column's
    field but as many give it one field in doubt (identified by elimination on each: 编号 beside 序号) by the
    same majority, a column its own page left unidentified takes that field, always doubted: the volume
    then says only that no page found anything else there. A page with no sibling of its form that has one
    once an edge column that is no printed column is left out (_without_edge: no field, no header, nothing
    read surely) is told so, every told column doubted.
    Source: a property of printed registers (one form per book), not of any vocabulary."""
    sp = spec if spec is not None else load_spec()
    out: list[list[VolumeField]] = []
    for p, page in enumerate(pages):
        others = [q for i, q in enumerate(pages) if i != p]
        siblings = [q for q in others if _same_form(page, q)]
        if not siblings and not (all(page.fields) and not page.doubted):
            for shift, core in _without_edge(page):
                # a column at the table's edge that is no printed column: the page is of its siblings' form without it
                siblings = [q for q in others if _same_form(core, q)]
                if siblings:
                    told = _told_in_volume(core, siblings, sp, grid_doubted=True)
                    out.append([replace(t, index=t.index + shift) for t in told])
                    break
            else:
                joined = [j for q in others for _k, j in _joined_as(q, page)]
                # a ruling line lost on this page: its siblings with those two columns read as one tell the rest
                out.append(_told_in_volume(page, joined, sp, grid_doubted=True) if joined else [])
            continue
        out.append(_told_in_volume(page, siblings, sp) if siblings else [])
    return out


RegisterPrefix = tuple[str, tuple[int, str]]
"""A register column's letter prefix and its numbers' form (register_form): ("HZ", (2, "9999-999"))."""


def prefix_in_volume(pages: Sequence[tuple[str, Mapping[str, RegisterPrefix]]]) -> list[dict[str, RegisterPrefix]]:
    """For each page of one volume, given as its ledger kind and the register prefixes its own numbers
    establish (field -> prefix and form: pipeline.page.extract's page rule, PREFIX_SHARE of the page's
    numbers read with one prefix, or with each of its letters: _prefix_by_letters), the prefix of each field
    it establishes none for that its sibling pages of the same kind establish: at least one sibling does,
    and every sibling that establishes one for the field establishes the same letters in the same form
    (register_form). A page that reads its own prefix
    keeps it. Source: office practice (one register, one numbering format through a volume: its numbers
    are issued by one office down the book, as its certificate numbers are) and the one-volume evidence
    agree_in_volume gathers; the value is put back only where its reading is a number of that form with
    the prefix misread (prefix_misread), and stays doubted (pipeline.page.extract.PREFIX_FROM_VOLUME)."""
    out: list[dict[str, RegisterPrefix]] = []
    for p, (kind, own) in enumerate(pages):
        seen: dict[str, set[RegisterPrefix]] = {}
        for i, (other_kind, theirs) in enumerate(pages):
            if i == p or other_kind != kind:
                continue
            for name, pf in theirs.items():
                seen.setdefault(name, set()).add(pf)
        out.append({name: next(iter(pfs)) for name, pfs in seen.items() if name not in own and len(pfs) == 1})
    return out


def _without_edge(page: VolumePage) -> list[tuple[int, VolumePage]]:
    """The page read without its first or its last column where that column is no printed column of the
    form: no field, a header of at most one character read (nothing printed: the grid took the edge of the
    photograph or of the page's shadow for a ruling line) and no cell read surely (SURELY_READ: the grain
    of the margin read as marks). [(how many columns before the form's first, the page so read)], widths
    as shares of the rest of the table. Rule source: a property of the grid finder on photographs (a
    straight edge of the frame found as a line: camera_capture seed 4423, a line 11 px from the image's
    right edge) and the one form per book (the siblings' widths say which columns are printed). The
    columns so told stay doubted: the page's grid is in doubt."""
    n = len(page.widths)
    out: list[tuple[int, VolumePage]] = []
    for c in (0, n - 1) if n >= 3 else ():
        texts = page.texts[c] if c < len(page.texts) else ()
        flags = page.sure[c] if page.sure and c < len(page.sure) else ()
        surely = any(_clean_cell(t) and (not page.sure or (i < len(flags) and flags[i])) for i, t in enumerate(texts))
        if page.fields[c] is not None or len(clean_header(page.header[c] if c < len(page.header) else "")) > 1 or surely:
            continue
        keep = [i for i in range(n) if i != c]
        total = sum(page.widths[i] for i in keep)
        if total <= 0:
            continue

        def kept(xs: Sequence[Any], keep: list[int] = keep) -> tuple[Any, ...]:
            return tuple(xs[i] for i in keep if i < len(xs))

        out.append(
            (
                1 if c == 0 else 0,
                VolumePage(
                    page.kind,
                    tuple(page.widths[i] / total for i in keep),
                    kept(page.header),
                    kept(page.fields),
                    frozenset(keep.index(d) for d in page.doubted if d in keep),
                    kept(page.texts),
                    kept(page.sure) if page.sure else (),
                ),
            )
        )
    return out


def joined_in_volume(pages: Sequence[VolumePage]) -> list[dict[int, tuple[str, str]]]:
    """For each page of one volume that has no sibling of its form (agree_in_volume), its column that holds
    two printed columns as its siblings print them (_joined_as: the siblings read with two neighbouring
    columns joined are of its form): column -> (the first column's field, the second's), where that column
    was given neither field or one of them on its page, every such sibling gives both columns a field and
    all give the same two (in doubt or not: a column split where a header read as two misread headers is
    doubted, pipeline.page.extract.SPLIT_MISREAD_DOUBT). The page's column is then doubted and its cells
    split for review (pipeline.page.extract.take_joined). Rule source: one form per book, ruled once."""
    out: list[dict[int, tuple[str, str]]] = []
    for p, page in enumerate(pages):
        others = [q for i, q in enumerate(pages) if i != p]
        mine: dict[int, tuple[str, str]] = {}
        if not any(_same_form(page, q) for q in others):
            pairs: dict[int, set[tuple[str | None, str | None]]] = {}
            for q in others:
                for k, _j in _joined_as(q, page):
                    pairs.setdefault(k, set()).add((q.fields[k], q.fields[k + 1]))
            for k, got in pairs.items():
                if len(got) != 1:
                    continue
                first, second = next(iter(got))
                if first and second and first != second and page.fields[k] in (None, first, second):
                    if not ({first, second} - {page.fields[k]}) & {f for i, f in enumerate(page.fields) if i != k}:
                        mine[k] = (first, second)
        out.append(mine)
    return out


def _joined_as(sibling: VolumePage, page: VolumePage) -> list[tuple[int, VolumePage]]:
    """A sibling page of one column more than `page`, read as `page`'s form with two neighbouring columns
    joined into one (their widths summed; no field, no header, nothing read: it tells nothing of the
    joined column), where exactly one such pair of columns gives `page`'s form (_same_form), with the
    index of the joined column (the pair's first); [] otherwise.
    A ruling line between two printed columns lost on `page` (on a photograph at 150 dpi: a faint line,
    or one the perspective correction bent away, design phone copy ph3316 county_editions
    03_cremation_longkou_2015 p2, 家庭住址 and 逝世日期 read as one column while its siblings split them:
    pipeline.page.extract.split_merged_columns) leaves it a column short of its book's form, its other
    columns as printed. The columns so told stay doubted: the page's grid is in doubt (agree_in_volume).
    Rule source: a property of printed registers (one form per book, ruled once), as _without_edge."""
    n = len(page.widths)
    if len(sibling.widths) != n + 1 or n < 2:
        return []
    found = []
    for k in range(n):
        keep = [i for i in range(n + 1) if i != k + 1]

        def kept(xs: Sequence[Any], keep: list[int] = keep) -> tuple[Any, ...]:
            return tuple(xs[i] for i in keep if i < len(xs))

        widths = tuple(sibling.widths[i] + (sibling.widths[k + 1] if i == k else 0.0) for i in keep)
        joined = VolumePage(
            sibling.kind,
            widths,
            tuple("" if i == k else h for i, h in zip(keep, kept(sibling.header))),
            tuple(None if i == k else f for i, f in zip(keep, kept(sibling.fields))),
            frozenset({k} | {keep.index(d) for d in sibling.doubted if d in keep}),
            tuple(() if i == k else t for i, t in zip(keep, kept(sibling.texts))),
            tuple(() if i == k else t for i, t in zip(keep, kept(sibling.sure))) if sibling.sure else (),
        )
        if _same_form(page, joined):
            found.append((k, joined))
    return found if len(found) == 1 else []


def _told_in_volume(page: VolumePage, siblings: Sequence[VolumePage], sp: Spec, grid_doubted: bool = False) -> list[VolumeField]:
    """agree_in_volume for one page and its siblings of the same form; `grid_doubted`: the page is of that
    form only without a column its grid found (_without_edge), so every column told stays doubted."""
    wanted: list[VolumeField] = []
    if all(page.fields) and not page.doubted:
        return wanted
    lone = siblings[0] if len(siblings) < VOLUME_AGREE else None  # the one page ruled alike (VOLUME_AGREE)
    scores: dict[tuple[int, str], ColumnScore] | None = None
    surely: dict[tuple[int, str], ColumnScore] = {}
    for c, own in enumerate(page.fields):
        if own is not None and c not in page.doubted:
            continue
        voters = [q for q in siblings if q.fields[c] is not None or _legible(q, c)]
        f, agree = _volume_vote(Counter(q.fields[c] for q in voters if c not in q.doubted))
        in_doubt = False
        if lone is not None:
            # a book of two pages: what the other page is sure of, for a column this one left without a field
            f, agree, in_doubt = (lone.fields[c], 1, True) if own is None and c not in lone.doubted else (None, 0, True)
        elif f is None and own is None:
            # its siblings agree only in doubt: the column takes their field, doubted whatever its cells
            f, agree = _volume_vote(Counter(q.fields[c] for q in voters))
            in_doubt = True
        if f is None:
            continue
        whole = _whole_header_scores(sp, page.kind, clean_header(page.header[c] if c < len(page.header) else ""))
        elsewhere = {g for d, g in enumerate(page.fields) if d != c and g is not None and d not in page.doubted}
        misread = [g for g, s in whole.items() if g != f and s >= HEADER_READ]  # its header reads as another field's
        if any(g not in elsewhere for g in misread):
            continue  # ... a field no other column of the page is sure of
        if scores is None:
            scores = column_scores(page.kind, list(page.header), [list(t) for t in page.texts], sp)
            surely = column_scores(page.kind, list(page.header), _read_surely(page), sp) if page.sure else scores
        sc = scores.get((c, f))
        fits = sc.fits if sc is not None else None
        if _unlike_in_volume(surely.get((c, f))):
            continue
        typed = (content_class(sp, page.kind, f) or ("", None))[0] in VOLUME_TYPED
        # sure only where the page's own assignment did not give the column another field
        # (and its header does not read as another field's: header and cells would disagree)
        sure = (
            typed
            and fits is not None
            and fits >= ELIMINATION_SHARE
            and not (in_doubt or grid_doubted or misread)
            and own in (None, f)
        )
        if own == f and not sure:
            continue
        wanted.append(VolumeField(c, f, None if sure else VOLUME_DOUBT.format(agree=agree)))
    return _one_column_each(page.fields, wanted)


def _legible(page: VolumePage, c: int) -> bool:
    """Whether a page read column c's cells well enough for its finding no field there to count against the
    field its siblings give it (agree_in_volume): at least CONTENT_MIN_CELLS written cells read surely
    (_read_surely). A page whose cells there were all read unsure (a blurred photograph) and whose header
    named nothing said nothing of what the column holds: it abstains, as a cell read unsure is no evidence
    (may_hold's rule). Every column where the page says nothing of how surely its cells were read."""
    if not page.sure:
        return True
    flags = page.sure[c] if c < len(page.sure) else ()
    texts = page.texts[c] if c < len(page.texts) else ()
    return sum(1 for i, t in enumerate(texts) if _clean_cell(t) and i < len(flags) and flags[i]) >= CONTENT_MIN_CELLS


def _unlike_in_volume(sc: ColumnScore | None) -> bool:
    """Whether a column's own cells read surely (_read_surely: `sc` scored on those alone) are mostly unlike
    the field its volume tells (below CONTENT_FAILS), so that the volume's word is refused. A cell read
    below SURELY_READ is no evidence against the field (may_hold's rule: a cell read unsure may be
    anything); with fewer than CONTENT_MIN_CELLS cells read surely the cells say nothing (content None) and
    the volume's word stands, doubted. A property of the recognizer on photographs too blurred to read: a
    page of one book whose cells were read at 0.1-0.4 (领回 read 超吧, 家属领回 家美福回) refused every field
    its four sibling pages were sure of, the cells' misreadings taken for another column's values
    (camera_capture seed 4422, severity 1.6). The share counted is the content test's with look-alike readings
    of a code wording (ColumnScore.content: 配鴿 for 配偶, 几子 for 儿子, 予 for 子, `shapes` in _looks),
    not only the exact readings (ColumnScore.fits): a property of the recognizer, which keeps a glyph's
    shape when it misreads it on a blurred photograph (mapping.glyphs), so that a GB/T 4761 relation
    column photographed with most wordings one glyph off is still unlike no relation. Such readings only
    keep the volume's word from being refused: whether the column is sure is still judged on its exact
    readings (`fits` >= ELIMINATION_SHARE in agree_in_volume), so a column so kept stays doubted
    (VOLUME_DOUBT)."""
    if sc is None:
        return False
    share = sc.content if sc.content is not None else sc.fits
    return share is not None and share < CONTENT_FAILS


def _one_column_each(fields: Sequence[str | None], wanted: list[VolumeField]) -> list[VolumeField]:
    """The told columns that leave no field to two columns of the page once all are taken (two date
    columns whose misread headers swapped their fields on the page take them back together); a told
    field another column keeps is not taken."""
    while True:
        final = list(fields)
        for t in wanted:
            final[t.index] = t.field
        kept = [t for t in wanted if sum(g == t.field for g in final) == 1]
        if len(kept) == len(wanted):
            return kept
        wanted = kept


# ---- number columns told by the form of their cells as misread ----------------------------------
PATTERN_NORMALIZERS = ("cert_no", "date", "age")
"""The normalizers of number fields whose values the spec writes in closed forms (a certificate number: a
4-digit year and a 5-digit serial, 201000514 / No.201000514 / 2010-00514 / 10-0514; a date: year, month, day,
2013.4.7 / 2013-04-07 / 2013年4月7日 / 13.4.7; an age: an integer 0-130, 78 / 78岁): a column left without a
field may be told by how its readings fit such a form loosely (_pattern_fits)."""

_NUMBER_PREFIX = re.compile(r"^(?:No|NO|N0|№|编号)[.:：,]?")
_SEPARATORS = re.compile(r"[-.·,、:/~_ ]+")
_CERT_LOOSE = re.compile(r"[0-9]{8,10}|[0-9]{3,5}-[0-9]{4,6}|[0-9]{2}-[0-9]{3,5}")
"""A certificate number as the spec writes it (year 4 + serial 5, one separator or none; the short form
2 + 4), each digit run allowed one digit more or fewer: where two blurred digits share the recognizer's
frames, CTC merges or drops one (REREAD_STRETCH's measurement), or reads one twice."""
_DATE_LOOSE = re.compile(r"([0-9]{4}|[0-9]{2})-([0-9]{1,2})-([0-9]{1,2})|([0-9]{4})([0-9]{2})([0-9]{2})")


def _spaced_cell(text: str) -> str:
    """NFKC, its ends stripped, each run of blanks inside one space (kept: a gap may be a separator lost)."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def _loose_number(text: str) -> str:
    """A cell's reading as the number the recognizer may have misread: NFKC, blanks out, a letter or stroke
    read for a digit made that digit (normalize.OCR_DIGITS: O for 0, l for 1, the recognizer's confusions),
    and every run of separators, of marks the recognizer reads for one (· , 、 : / ~ _) or of blanks (a dot
    lost in blur leaves a gap: _separator_read_as_gap), one dash."""
    from .normalize import OCR_DIGITS

    s = fold_dashes(_spaced_cell(text))
    s = _NUMBER_PREFIX.sub("", s)
    return _SEPARATORS.sub("-", s.translate(OCR_DIGITS)).strip("-")


def _pattern_fits(normalizer: str, text: str) -> bool:
    """Whether one written cell fits a number field's form (PATTERN_NORMALIZERS) loosely, as a reading of it
    with the recognizer's misreadings: a digit read as a letter (OCR_DIGITS), a separator read as another
    mark or lost, a digit dropped or doubled (_CERT_LOOSE), a date's 年/月/日 read as any one other glyph,
    an age's 岁 read as another glyph or as a digit
    (normalize.AGE_UNIT_AS_DIGIT). Rule source: the spec's forms (SPEC: certificate numbers, dates, age
    int) and the recognizer's confusions; a value of another number field (an ID's 15-18 digits, a phone's 11,
    a date where a certificate is asked) does not fit."""
    from . import normalize as N

    s = _clean_cell(text)
    if not s:
        return False
    if normalizer == "cert_no":
        return bool(_CERT_LOOSE.fullmatch(_loose_number(text))) and not _pattern_fits("date", text)
    if normalizer == "date":
        return _loose_date(text) is not None
    if normalizer == "age":
        n = _loose_age(text)
        # 78岁 with its 岁 read as a digit (789) is normalize_age's AGE_UNIT_AS_DIGIT: an age too
        return bool(re.fullmatch(r"[0-9]{1,3}", n)) and N.normalize_age(n).value is not None
    return False


def _loose_age(text: str) -> str:
    """An age cell's reading as _pattern_fits reads it: a glyph after the number (岁 read as another) dropped,
    then _loose_number."""
    return _loose_number(re.sub(r"(?<=[0-9OolI|])\s?[^0-9A-Za-z|\s]$", "", _spaced_cell(text)))


def pattern_share(normalizer: str, texts: Sequence[str]) -> float | None:
    """The share of a column's written cells that fit a number field's form loosely (_pattern_fits); None
    with fewer than CONTENT_MIN_CELLS written cells."""
    written = [t for t in texts if _clean_cell(t)]
    if len(written) < CONTENT_MIN_CELLS:
        return None
    return sum(_pattern_fits(normalizer, t) for t in written) / len(written)


def _loose_date(text: str) -> tuple[str, int, int] | None:
    """A cell's date as _pattern_fits reads it loosely: (year as written, month, day), else None. A Han glyph
    between two digits is a 年 or 月 misread (the recognizer reads a glyph for another), a trailing 日 / 号 or
    glyph after the day is dropped; what is left must be digits and separators."""
    from .normalize import MAX_YEAR, MIN_YEAR, OCR_DIGITS

    s = _spaced_cell(text).translate(OCR_DIGITS)
    s = re.sub(r"(?<=[0-9])[\u3400-\u9fff](?=[0-9])", "-", s)
    s = re.sub(r"(?<=[0-9])[\u3400-\u9fff]$", "", s)
    if not s or re.search(r"[^0-9.\-/·,、:~_ ]", fold_dashes(s)):
        return None
    m = _DATE_LOOSE.fullmatch(_loose_number(s))
    if m is None:
        return None
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    if not ((len(y) == 2 or MIN_YEAR <= int(y) <= MAX_YEAR) and 1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    return y, int(mo), int(d)


def _loose_dates(texts: Sequence[str]) -> list[str | None]:
    """Each cell's date as _loose_date reads it, ISO where its year has 4 digits, else None."""
    out: list[str | None] = []
    for t in texts:
        got = _loose_date(t)
        out.append(f"{got[0]}-{got[1]:02d}-{got[2]:02d}" if got and len(got[0]) == 4 else None)
    return out


FUNERAL_DAYS = 365
"""The death and the cremation of one entry lie within this many days of each other (SPEC: cremation_date
>= death_date, usually 1-7 days after; a year bounds a body kept long or a date's digit misread), a birth
further before either (SPEC: age_years within 1 of death_date - birth_date, a person of a year or more):
what tells a column of birth dates from one of death dates beside a held date column (_date_field_by_order)."""


def _days(a: str, b: str) -> int | None:
    import datetime as dt

    try:
        return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days
    except ValueError:
        return None


def _date_field_by_order(
    kind: str, c: int, open_dates: list[str], out: list[ColumnAssignment], column_texts: list[list[str]]
) -> str | None:
    """Which open date field an open column of dates is, told against the date columns the page holds by the
    order of the spec's events (_DATE_ORDER: death before cremation; a birth before both) and their distance
    (FUNERAL_DAYS: a death and its cremation within a year, a birth further): the one open date field whose
    relation to every held date column DATE_ORDER_SHARE of the rows read in both agree with."""
    order = ("birth_date",) + _DATE_ORDER.get(kind, ())
    mine = _loose_dates(column_texts[c])
    held = [(str(a.field), _row_dates(column_texts[a.index])) for a in out if a.field in order]
    if not held:
        return None
    fits = []
    for f in open_dates:
        if f not in order:
            continue
        ok = True
        for g, dates in held:
            gaps = [_days(x, y) for x, y in zip(mine, dates) if x and y]
            known = [d for d in gaps if d is not None]
            if len(known) < CONTENT_MIN_CELLS:
                ok = False
                break
            sign = 1 if order.index(f) < order.index(g) else -1
            far = "birth_date" in (f, g)
            agree = sum(sign * d >= 0 and ((sign * d >= FUNERAL_DAYS) if far else (sign * d < FUNERAL_DAYS)) for d in known)
            if agree / len(known) < DATE_ORDER_SHARE:
                ok = False
                break
        if ok:
            fits.append(f)
    return fits[0] if len(fits) == 1 else None


def _told_by_pattern(
    kind: str,
    header_texts: list[str],
    column_texts: list[list[str]],
    out: list[ColumnAssignment],
    scores: Mapping[tuple[int, str], ColumnScore],
    sp: Spec,
) -> list[ColumnAssignment]:
    """Columns left without a field whose cells fit a number field's form loosely (pattern_share: at least
    DECODED_SHARE of them, every other number form below DECODED_RIVAL) given that field where no column holds
    it, no other such column fits it, its numbers do not rise with the rows (a serial's: RISES_WITH_ROWS) and
    the column's header does not read whole as another field's (HEADER_READ); a date column's field is told by
    the order of the spec's events against the page's other date columns (_date_field_by_order), or, where the
    kind's two ordered date fields (_DATE_ORDER) are both open and two such columns are left, by their order to
    each other (_date_order with _loose_dates), as _by_elimination tells them from strict readings. Doubted
    (PATTERN_DOUBT). Rule source: the spec's forms of certificate numbers, dates and ages, and the recognizer's
    confusions (OCR_DIGITS; CTC dropping a blurred digit), as _told_by_decoding does for code tables."""
    held = {a.field for a in out if a.field is not None}
    fields = [f for f in sp.kind(kind).fields if f.normalizer in PATTERN_NORMALIZERS and f.source == "cell"]
    open_fields = [f for f in fields if f.name not in held]
    if not open_fields:
        return out
    told: dict[str, list[tuple[int, float]]] = {}
    unordered: list[tuple[int, float]] = []  # date columns no held date column orders
    ids: list[str] | None = None
    row_dates: list[list[str]] = []
    for a in out:
        c = a.index
        if a.field is not None or c >= len(column_texts):
            continue
        shares = {n: pattern_share(n, column_texts[c]) for n in PATTERN_NORMALIZERS}
        fit = [n for n, q in shares.items() if q is not None and q >= DECODED_SHARE]
        if len(fit) != 1 or any((q or 0.0) >= DECODED_RIVAL for n, q in shares.items() if n != fit[0]):
            continue
        norm = fit[0]
        if norm == "age":
            ages = [_loose_age(t) if _pattern_fits("age", t) else "" for t in column_texts[c]]
            if (rises_with_rows(ages) or 0.0) >= RISES_WITH_ROWS:
                continue  # a serial's numbers
            if ids is None:
                ids, row_dates = _id_column(kind, column_texts, sp)
            agree = id_agreement("age", ages, ids, row_dates) if ids is not None else None
            if agree is not None and agree < DECODED_SHARE:
                continue  # numbers the rows' ID numbers do not state as ages (GB 11643's birth date)
        cands = [f.name for f in open_fields if f.normalizer == norm and (c, f.name) in scores]
        head = _whole_header_scores(sp, kind, clean_header(header_texts[c])) if c < len(header_texts) else {}
        if norm == "date" and len(cands) > 1:
            got = _date_field_by_order(kind, c, cands, out, column_texts)
            if got is None and not any(v >= HEADER_READ for v in head.values()):
                unordered.append((c, shares[norm] or 0.0))
            cands = [got] if got else []
        if len(cands) != 1:
            continue
        if any(v >= HEADER_READ for f, v in head.items() if f != cands[0]):
            continue
        told.setdefault(cands[0], []).append((c, shares[norm] or 0.0))
    order = _DATE_ORDER.get(kind)
    if order and len(unordered) == 2 and not (set(order) & held) and not (set(order) & set(told)):
        o = _date_order(column_texts[unordered[0][0]], column_texts[unordered[1][0]], _loose_dates)
        if o:
            first, then = unordered if o < 0 else unordered[::-1]
            told[order[0]] = [first]
            told[order[1]] = [then]
    result = list(out)
    for name, cols in told.items():
        if len(cols) != 1:
            continue
        c, share = cols[0]
        result[c] = ColumnAssignment(
            c, result[c].header, name, scores[(c, name)], True, PATTERN_DOUBT.format(field=name, share=share)
        )
    return result
