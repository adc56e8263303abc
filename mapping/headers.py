"""Printed column headers -> spec fields, and the ledger kind of a page.

Headers are compared after cleaning (NFKC, bracketed notes, spaces and punctuation removed) with
rapidfuzz's normalized Levenshtein similarity against every wording of every field; a header that
contains a whole wording of 3+ characters (火化日期时间) scores at least 0.8. Columns and fields are then paired
one to one, best score first: no field is given twice.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Mapping, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .spec import Spec, load_spec


@dataclass(frozen=True)
class ColumnMatch:
    index: int            # position of the printed column
    header: str           # printed (OCR) header text
    field: str | None     # spec field name, a pseudo-field such as "row_no", or None
    score: float          # 0..1
    synonym: str | None = None  # the wording that matched best


_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]?")
_NOT_WORD = re.compile(r"[\W_]+")


# traditional / variant forms seen on older printed forms -> the simplified form of the wordings
_VARIANTS = str.maketrans({"註": "注", "號": "号", "證": "证", "別": "别", "齡": "龄", "話": "话", "電": "电", "關": "关", "係": "系",
                           "屬": "属", "與": "与", "養": "养", "親": "亲", "歲": "岁", "時": "时", "間": "间", "辦": "办", "經": "经",
                           "聯": "联", "處": "处", "記": "记", "錄": "录", "戶": "户", "碼": "码", "類": "类", "稱": "称", "種": "种",
                           "備": "备", "數": "数", "隨": "随", "員": "员", "區": "区", "鄉": "乡", "鎮": "镇", "縣": "县", "齣": "出"})


def clean_header(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "").translate(_VARIANTS)
    outside = _NOT_WORD.sub("", _BRACKETS.sub("", s))  # 死亡日期(年月日) -> 死亡日期; 【备注】 keeps 备注
    return (outside or _NOT_WORD.sub("", s)).lower()


def _score(h: str, syn: str) -> float:
    if not h:
        return 0.0
    if h == syn:
        return 1.0
    sim = Levenshtein.normalized_similarity(h, syn)
    if len(syn) >= 3 and syn in h:  # a 2-character wording (日期, 电话) inside a longer header proves little
        sim = max(sim, 0.8 + 0.2 * len(syn) / len(h))
    return sim


@lru_cache(maxsize=16)
def _wordings(spec: Spec, kind: str) -> tuple[tuple[str, str], ...]:
    ks = spec.kind(kind)
    out: list[tuple[str, str]] = []
    for f in ks.fields:
        if f.source == "cell":
            out.extend((f.name, clean_header(s)) for s in f.synonyms)
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


def map_columns(kind: str, header_texts: list[str], spec: Spec | None = None, *, min_score: float | None = None) -> list[ColumnMatch]:
    """One ColumnMatch per printed column, in order; each field at most once (best score wins)."""
    sp = spec if spec is not None else load_spec()
    threshold = sp.rules.min_header_score if min_score is None else min_score
    order = {n: i for i, n in enumerate(f.name for f in sp.kind(kind).fields)}
    return pair_columns(header_texts, lambda h: _field_scores(sp, kind, h), threshold, order)


def pair_columns(header_texts: list[str], scores_of: Callable[[str], Sequence[tuple[str, float, str]]],
                 threshold: float, order: Mapping[str, int] | None = None, *,
                 ignored: Callable[[str], float] | None = None) -> list[ColumnMatch]:
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
