"""Place names in addresses: find lexicon entries, correct one-edit OCR errors, find the district.

A misread name is corrected only when exactly one lexicon entry is within one edit (one character
substituted, dropped or added, never in the suffix 区/县/市/镇/乡/街道/海域...), the window starts at
a plausible boundary (start of text, after 省/市/区/县/镇/乡/街道, after 烟台/山东, or after a
non-Han character), nothing else in the text contradicts it (another district, a town of another
district, another city or province), and it does not overlap a name that was read exactly.
Where several towns/streets are one edit away, the one lying in a district printed exactly in the
same text is taken if it is the only one (lexicon setting `disambiguate_by_district`, default on).
A name followed by a road's generic (路, 街, 巷: 海市路) is a road's proper name: neither corrected nor
doubted (names_road). A correction the places read exactly below it confirm (a town of the district, a
village of the town's list) is flagged lexicon_confirmed_below (_confirmed_below).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Sequence

from rapidfuzz.distance import Levenshtein

from .glyphs import LOOKALIKE, looks_alike, similarity
from .spec import Place, Spec

_HOLE = "\x00"

# A substitution in a name of two characters or fewer (长岛, 芝罘) changes half of it: taken only
# where the character read is a known look-alike of the lexicon's (OCR confusions seen on our
# ledgers) or near it in shape (mapping.glyphs.looks_alike: 茶/蔡/某/英 for 莱), so that a correctly
# read name missing from the lexicon (桑岛) is never rewritten.
LOOKALIKES: dict[str, str] = {
    "罘": "果棵罡呆杲聚翠界巢梁",
    "疃": "瞳幢童噇",
    "夼": "奋奇乔介夺夸齐脊",  # 脊: PP-OCRv6 on faint carbon and faded 夼 before 村 (s45-faded; normalize._KUANG_LOOKALIKES)
    "崆": "腔控",
    "峒": "桐洞铜",
    "屺": "屹圮妃",
    "坶": "姆母",
    "莱": "菜来集基",  # 基: PP-OCRv6 on carbon copies (东基街道, 莲基市, 福基新村, 基州市; s40-faded)
    "菜": "莱",
    "凤": "风",
    "崮": "窗",
    "楼": "搂喽缕",
    "山": "川凵",
    "牟": "车单年",
    "芝": "之芒",
    "砣": "砘陀",
    "矶": "机叽",
    "村": "材",
}


def _lookalike(read: str, name: str) -> bool:
    return read in LOOKALIKES.get(name, "") or looks_alike(read, name)


@dataclass(frozen=True)
class PlaceHit:
    start: int  # span in the original text
    end: int
    printed: str  # the text as printed (OCR)
    name: str  # the lexicon name (or alias) it is
    place: Place
    corrected: bool


@dataclass(frozen=True)
class PlaceScan:
    text: str  # corrected text
    hits: tuple[PlaceHit, ...]
    flags: tuple[str, ...]  # lexicon_corrected / lexicon_ambiguous / lexicon_context_mismatch / UNDER_CORRECTED_COUNTY


UNDER_CORRECTED_COUNTY = "lexicon_under_corrected_county"
"""Flag of a place name corrected after a county-level name ending in 市 that was itself misread and put
right in the same address (蓬美市大事店镇 -> 蓬莱市大辛店镇). Until session 42 `_scan` took that misread 市 for a
city outside Yantai (`_foreign_context` counted only the names read exactly) and left the town as read
(lexicon_context_mismatch), though the county had been corrected to a Yantai one. Sources: GB/T 2260 (the
county, corrected as any county is) and the NBS 2023 town list of that county, complete at that level (the
town one character away, as any town is corrected). The town then rests on a correction, not on a name
read exactly: the caller keeps the address as doubted as it was when the town was left as read
(mapping.normalize._place_certainty), so the record is still held for review. Measured on re-maps of design
carbon copies of d3316 county (session 42, s42-faded): 4 addresses put right, none made wrong."""


class _Index:
    def __init__(self, spec: Spec):
        lex = spec.places
        self.spec = spec
        self.suffixes = lex.suffixes  # longest first
        self.boundary = lex.boundary_before
        self.disambiguate_by_district = lex.disambiguate_by_district
        self.by_name: dict[str, Place] = {}
        self.suffix_of: dict[str, str] = {}
        self.lengths: dict[str, tuple[int, int]] = {}
        self.sub: dict[str, set[str]] = {}
        self.dele: dict[str, set[str]] = {}
        for p in lex.places:
            for n in (p.name, *p.aliases):
                self.by_name[n] = p
        for n in self.by_name:
            suf = next((s for s in self.suffixes if n.endswith(s)), "")
            self.suffix_of[n] = suf
            lo, hi = self.lengths.get(suf, (len(n), len(n)))
            self.lengths[suf] = (min(lo, len(n)), max(hi, len(n)))
            body = len(n) - len(suf)
            for i in range(body):
                self.sub.setdefault(n[:i] + _HOLE + n[i + 1 :], set()).add(n)
                if body > 1:
                    self.dele.setdefault(n[:i] + n[i + 1 :], set()).add(n)

    def compatible(self, a: str, b: str) -> bool:
        if a == b:
            return True
        da, db = self.spec.divisions.get(a), self.spec.divisions.get(b)
        return (da is not None and da.successor == b) or (db is not None and db.successor == a)


@lru_cache(maxsize=8)
def _index(spec: Spec) -> _Index:
    return _Index(spec)


@lru_cache(maxsize=1)
def national_division_names() -> frozenset[str]:
    """Every province-, prefecture- and county-level division name of China in any revision of GB/T 2260
    from 2002 to 2013 (the National Bureau of Statistics' code lists, as shipped in the GB2260 package's
    data; BSD licence), less the placeholders that name no place (市辖区, 县, 省直辖县级行政区划 ...).

    A reading that is one of these names is a real place (苏州市, 泉州市, 莱西市): it is no misreading of a
    Yantai name one character away unless a place read below it backs the correction. Source: the
    official division list (a property of the world, not of our generator)."""
    from gb2260.data import data  # 2 MB of names: loaded on the first address, not at import

    placeholders = ("市辖区", "县", "郊区", "矿区")
    names: set[str] = set()
    for revision in data.values():
        for name in revision.values():
            if name and name not in placeholders and "直辖" not in name and "行政区划" not in name:
                names.add(str(name))
    return frozenset(names)


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


def _suffix_ends(text: str, idx: _Index) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for suf in idx.suffixes:
        if suf not in idx.lengths:
            continue
        start = text.find(suf)
        while start != -1:
            out.append((start + len(suf), suf))
            start = text.find(suf, start + 1)
    return out


def _at_boundary(text: str, start: int, idx: _Index) -> bool:
    if start == 0 or not _is_han(text[start - 1]):
        return True
    prefix = text[:start]
    return any(prefix.endswith(b) for b in idx.boundary)


def _foreign_context(text: str, start: int, exact: list[PlaceHit]) -> bool:
    """True when the text before `start` names another province or a city that is not Yantai's."""
    prefix = text[:start]
    j = prefix.find("省")
    while j != -1:
        if prefix[max(0, j - 2) : j] != "山东":
            return True
        j = prefix.find("省", j + 1)
    j = prefix.find("市")
    while j != -1:
        if prefix[max(0, j - 2) : j + 1] != "烟台市" and not any(h.end == j + 1 for h in exact):
            return True
        j = prefix.find("市", j + 1)
    return False


def scan_places(text: str, spec: Spec) -> PlaceScan:
    """Find lexicon place names in `text` and correct one-edit OCR errors (see module doc)."""
    return _scan(text, spec)


@lru_cache(maxsize=4096)
def _scan(text: str, spec: Spec) -> PlaceScan:
    idx = _index(spec)
    ends = _suffix_ends(text, idx)
    # 1. exact hits, longest first; drop those inside a longer one
    exact: list[PlaceHit] = []
    for end, suf in ends:
        lo, hi = idx.lengths[suf]
        for length in range(hi, lo - 1, -1):
            start = end - length
            if start < 0:
                continue
            w = text[start:end]
            p = idx.by_name.get(w)
            if p is not None:
                exact.append(PlaceHit(start, end, w, w, p, False))
    exact.sort(key=lambda h: (-(h.end - h.start), h.start))
    kept: list[PlaceHit] = []
    for h in exact:
        if not any(k.start <= h.start and h.end <= k.end for k in kept):
            kept.append(h)
    exact = sorted(kept, key=lambda h: h.start)

    def overlaps(s: int, e: int, hits: list[PlaceHit]) -> bool:
        return any(s < h.end and e > h.start for h in hits)

    # 2. fuzzy candidates at suffix ends not explained by an exact hit; districts first
    flags: list[str] = []
    accepted: list[PlaceHit] = []
    chosen_below: list[PlaceHit] = []
    district_suffixes = {"区", "县", "市"}
    order = sorted(ends, key=lambda es: (es[1] not in district_suffixes, es[0]))
    for end, suf in order:
        # an exact hit at a boundary explains this end; one glued to a preceding Han character
        # (卧佛岛海域 in 芝果卧佛岛海域) may be the tail of a longer misread name: look further
        weak = [h for h in exact if h.end == end and not _at_boundary(text, h.start, idx)]
        if any(h.start < end <= h.end and h not in weak for h in exact + accepted):
            continue
        if names_road(text, end):
            continue  # the proper name of a road (海市路), no place of the division hierarchy: left as read
        others = [h for h in exact if h not in weak]
        lo, hi = idx.lengths[suf]
        found: set[tuple[int, int, str]] = set()  # (priority, start, name)
        unlike: set[tuple[int, int, str]] = set()  # substitutions by a character that does not look alike
        for length in range(max(len(suf) + 1, lo - 1), hi + 2):
            start = end - length
            if start < 0:
                break
            w = text[start:end]
            body = length - len(suf)
            # a window that is a division's own name elsewhere in China (苏州市, 泉州市: GB/T 2260) reads a
            # real place: taken for a Yantai name only where a place read below it backs that (as an unlike one)
            elsewhere = w in national_division_names()
            for i in range(body):
                for n in idx.sub.get(w[:i] + _HOLE + w[i + 1 :], ()):
                    (found if (body > 2 or _lookalike(w[i], n[i])) and not elsewhere else unlike).add((0, start, n))
            for n in idx.dele.get(w, ()):
                (unlike if elsewhere else found).add((1, start, n))
            for i in range(body):
                shorter = w[:i] + w[i + 1 :]
                # a character of the reading left over: never for a sea area, whose list is open
                # (养马岛东海域 names a place east of 养马岛, it is no misreading of 养马岛海域)
                if shorter in idx.by_name and idx.suffix_of.get(shorter) == suf and idx.by_name[shorter].kind != "sea_area":
                    (unlike if elsewhere else found).add((2, start, shorter))

        def usable(c: tuple[int, int, str]) -> bool:  # called in this iteration only (the loop's values are meant)
            return (
                _at_boundary(text, c[1], idx)
                and not overlaps(c[1], end, others + accepted)  # noqa: B023
                and all(c[1] < h.start for h in weak)  # noqa: B023
            )

        cands = sorted(c for c in found | unlike if usable(c))
        if not cands:
            continue
        by_below = False  # the places written below it chose the name: they are no second witness of it
        ambiguous = len({idx.by_name[c[2]].name for c in cands}) > 1
        printed = {h.place.district for h in others if h.place.kind == "district"}
        if ambiguous and idx.disambiguate_by_district:
            # several towns/streets one edit away (高瞳镇: 高疃镇 of 福山区, 高陵镇 of 牟平区): keep those lying in
            # a district printed exactly in the same text, if that leaves exactly one
            narrowed = [
                c
                for c in cands
                if idx.by_name[c[2]].kind not in ("district", "sea_area")
                and any(idx.compatible(idx.by_name[c[2]].district, d) for d in printed)
            ]
            if printed and len({idx.by_name[c[2]].name for c in narrowed}) == 1:
                cands, ambiguous = narrowed, False
        if ambiguous:
            # of several districts one substitution away, the only one whose character looks like the
            # one read (菜山区: 莱山区, not 福山区); districts, or towns/streets of a district printed
            # exactly (龙口市东菜街道: 东莱街道, not 东江街道): those lists are complete (NBS 2023 plus
            # the names since abolished); without the district a town or street list may lack the
            # name written (烟台市东川街道 stays ambiguous)
            alike = [
                c
                for c in cands
                if c not in unlike
                and c[0] == 0
                and (
                    idx.by_name[c[2]].kind == "district"
                    or (
                        idx.by_name[c[2]].kind != "sea_area"
                        and any(idx.compatible(idx.by_name[c[2]].district, d) for d in printed)
                    )
                )
            ]
            if len({idx.by_name[c[2]].name for c in alike}) == 1:
                cands, ambiguous = alike, False
        if ambiguous:
            # of several districts one substitution away, the only one a town or street read exactly in
            # the same text lies in (筑阳市羊郡镇: 莱阳市 and 海阳市 are one character from 筑阳市, 羊郡镇 is
            # a town of 莱阳市 only): the division hierarchy (GB/T 2260, NBS towns) names the county
            below = [h.place.district for h in others if h.place.kind in ("town", "street")]
            backed_by_town = [
                c
                for c in cands
                if idx.by_name[c[2]].kind == "district" and any(idx.compatible(idx.by_name[c[2]].district, d) for d in below)
            ]
            if len({idx.by_name[c[2]].name for c in backed_by_town}) == 1:
                cands, ambiguous, unlike, by_below = backed_by_town, False, set(), True
        if len(cands) == 1 and cands[0] in unlike:
            # the only name one edit away, a district whose character was read as an unrelated one
            # (苏州市 for 莱州市), is still taken where a town or street read exactly lies in it
            place = idx.by_name[cands[0][2]]
            if place.kind == "district" and any(
                h.place.kind not in ("district", "sea_area") and idx.compatible(h.place.district, place.district) for h in others
            ):
                unlike, by_below = set(), True
        if ambiguous or cands[0] in unlike:
            # the village written right after names its town: of the towns/streets one edit away, the
            # only one with a village of its list read exactly there (华安镇北茂梓村: 辛安镇, whose village
            # 北茂梓村 is; 郸城镇郭城二村: 郭城镇, not 发城镇)
            backed = [
                c
                for c in cands
                if idx.by_name[c[2]].kind in ("town", "street")
                and any(text.startswith(v, end) for v in villages_of(idx.by_name[c[2]].name, spec))
            ]
            if len({idx.by_name[c[2]].name for c in backed}) == 1:
                cands, ambiguous, unlike, by_below = backed, False, set(), True
        if ambiguous or cands[0] in unlike:
            # several names near, or only a name whose character does not look like the one read
            # (a place the lexicon may lack): a person decides
            flags.append("lexicon_ambiguous")
            continue
        _, start, name = cands[0]
        place = idx.by_name[name]
        context = others + accepted
        # the 市 of a county-level name misread and put right just before (蓬美市 -> 蓬莱市) is no city
        # outside Yantai: the names corrected before count as the names read exactly do
        fits = not _foreign_context(text, start, context)
        under_corrected = fits and _foreign_context(text, start, others)
        if fits:
            if place.kind == "district":
                fits = all(idx.compatible(h.place.district, place.district) for h in context if h.place.kind != "sea_area")
            else:
                fits = all(idx.compatible(h.place.district, place.district) for h in context if h.place.kind == "district")
        if not fits:
            flags.append("lexicon_context_mismatch")
            continue
        accepted.append(PlaceHit(start, end, text[start:end], name, place, True))
        if under_corrected:
            flags.append(UNDER_CORRECTED_COUNTY)
        if by_below:
            chosen_below.append(accepted[-1])
        exact = others

    confirmed = bool(accepted) and all(h not in chosen_below and _confirmed_below(text, h, exact, spec) for h in accepted)
    by_suffix, suffix_doubted = _suffix_misread(text, spec, exact + accepted)
    accepted += by_suffix
    if suffix_doubted:
        flags.append("lexicon_ambiguous")
    hits = sorted(exact + accepted, key=lambda h: h.start)
    out = text
    for h in sorted(accepted, key=lambda h: h.start, reverse=True):
        out = out[: h.start] + h.name + out[h.end :]
    if accepted:
        flags.insert(0, "lexicon_corrected")
        if confirmed and not by_suffix:
            flags.insert(1, "lexicon_confirmed_below")
    return PlaceScan(out, tuple(hits), tuple(dict.fromkeys(flags)))


ROAD_GENERICS = ("路", "大街", "大道", "巷", "胡同")
"""Generic names (通名) of roads and streets (GB 17733-2008 地名 标志; 《地名管理条例》: a road's name is a
proper name plus one of these). 街 is one too, unless it begins 街道 (a township-level street office)."""


def names_road(text: str, end: int) -> bool:
    """The name ending at `end` is the proper name (专名) of a road: a road's generic follows it (海市路 in
    蓬莱市海市路: Penglai's 海市 road, no misreading of 海阳市). Roads are named after places of other
    counties and after words that look like a place name, so a name there neither corrects to a place
    nor contradicts the district written before it."""
    rest = text[end:]
    return rest.startswith(ROAD_GENERICS) or (rest.startswith("街") and not rest.startswith("街道"))


ROAD_PLACE_ALIKE = 0.7
"""How near in shape (mapping.glyphs.similarity) the one character of a road's proper name must be to a place's
for `road_near_place`: above every unrelated pair mapping.glyphs measured (0.38-0.65), at the bottom of its
confusable pairs (0.71-0.88), since blurred print is misread beyond the font's look-alikes (莱 read 兼 0.72,
基 0.72)."""


def road_near_place(text: str, spec: Spec) -> tuple[tuple[int, int, str], ...]:
    """(start, end, proper name) of each listed place's proper name a road's proper name in `text` may be a
    misreading of: the road (a proper name before a road's generic, names_road) is one substituted character
    from the proper name of a listed town, street or county of a county read in the text (东兼街 in
    龙口市...东兼街15号: 东莱街道 is a street of 龙口市, 东莱 its proper name) without being one, the character
    read near in shape to the place's (ROAD_PLACE_ALIKE). Roads are named after the places around them
    (东莱街, 海市路), and the recognizer misreads a character of such a name in look-alike strokes (莱 read 兼,
    基, 案; mapping.glyphs). Empty where no road is so near a place. Sources: the official division lists
    (GB/T 2260, NBS 2023 towns and streets) and the recognizer's confusions (glyph shape)."""
    stems = _county_stems(text, spec)[0]
    return tuple(
        (start, end, stem)
        for start, end, stem in _road_names(text, spec)
        if (w := text[start:end]) not in stems and all(_is_han(ch) for ch in w) and _one_alike(w, stem)
    )


def _road_names(text: str, spec: Spec) -> Iterator[tuple[int, int, str]]:
    """(start, end, stem) for each road's proper name in `text` (a name before a road's generic: names_road)
    as long as `stem`, one of the proper names of its county's listed places (_county_stems), that no place
    found in the text covers: where road_near_place and road_named_as_place compare a road with a place."""
    stems, covered = _county_stems(text, spec)
    for end in range(2, len(text)):
        if not names_road(text, end) or end - 1 in covered:
            continue
        for stem in sorted(stems):
            start = end - len(stem)
            if start >= 0 and not any(i in covered for i in range(start, end)):
                yield start, end, stem


@lru_cache(maxsize=4096)
def _county_stems(text: str, spec: Spec) -> tuple[frozenset[str], frozenset[int]]:
    """The proper names (less their suffix, two characters or more) of the listed counties, towns and streets
    of the counties read in `text`, and the positions the places found in `text` cover."""
    idx = _index(spec)
    hits = _scan(text, spec).hits
    counties = {h.place.district for h in hits if h.place.kind == "district"}
    stems: set[str] = set()
    for n, p in idx.by_name.items():
        if counties and p.kind in ("district", "town", "street") and any(idx.compatible(d, p.district) for d in counties):
            body = n[: len(n) - len(idx.suffix_of[n])]
            if len(body) >= 2:
                stems.add(body)
    return frozenset(stems), frozenset(i for h in hits for i in range(h.start, h.end))


def _one_alike(a: str, b: str) -> bool:
    """`a` and `b` differ in one character, near in shape (ROAD_PLACE_ALIKE): one may be read for the other."""
    diff = [(x, y) for x, y in zip(a, b) if x != y] if len(a) == len(b) else []
    return len(diff) == 1 and similarity(*diff[0]) >= ROAD_PLACE_ALIKE


def road_named_as_place(text: str, spec: Spec) -> tuple[tuple[int, int], ...]:
    """(start, end) of each road's proper name in `text` (before a road's generic, names_road) that is exactly
    the proper name of a listed county, town or street of a county read in the text (东莱街 in 龙口市, 东莱街道
    being one of its streets; 方圆路 in 海阳市), no other such name one look-alike character from it (_one_alike):
    the official list confirms the reading of those characters (a misread character would not make another
    listed name of it), as `find_village` confirms a village read exactly. Sources: the official division lists."""
    stems = _county_stems(text, spec)[0]
    return tuple(
        (start, end)
        for start, end, stem in _road_names(text, spec)
        if text[start:end] == stem and not any(_one_alike(o, stem) for o in stems)
    )


def _confirmed_below(text: str, h: PlaceHit, exact: list[PlaceHit], spec: Spec) -> bool:
    """A place name corrected by one character substituted, which the places written below it confirm
    from the official lists, read exactly: a district (GB/T 2260) in which a town or street read exactly
    lies (NBS 2023 towns: 藁州市金城镇 -> 莱州市, 金城镇 being a town of 莱州市 only), or a town or street
    lying in a district read exactly, with a village of its own list (NBS 2023 villages) written exactly
    right after it (招远市夏句镇西河北村 -> 夏甸镇, whose village 西河北村 is). The name written is then
    redundant: the places below it name it whatever its misread character was. A character dropped or
    added by the correction is never confirmed so (its length is not the name's)."""
    idx = _index(spec)
    if h.end - h.start != len(h.name):
        return False
    if h.place.kind == "district":
        return any(e.place.kind in ("town", "street") and idx.compatible(e.place.district, h.place.district) for e in exact)
    if h.place.kind in ("town", "street"):
        return any(e.place.kind == "district" and idx.compatible(h.place.district, e.place.district) for e in exact) and any(
            text.startswith(v, h.end) for v in villages_of(h.place.name, spec)
        )
    return False


def _one_suffix_char_off(
    text: str, spec: Spec, districts: Sequence[PlaceHit]
) -> Iterator[tuple[PlaceHit, Place, str, int, str, str]]:
    """(district hit, town or street, its name or alias, position, character read, suffix character) for
    every town or street of a district read in `text` (NBS 2023 towns and streets under their GB/T 2260
    county) whose name less its suffix (two characters or more) is written right after the district and
    whose suffix is read with exactly one character otherwise, nothing added or deleted: what
    _suffix_misread and town_suffix_proposals each judge further."""
    idx = _index(spec)
    for d in districts:
        for p in spec.places.places:
            if p.kind not in ("town", "street") or not idx.compatible(p.district, d.place.district):
                continue
            for n in (p.name, *p.aliases):
                suf = idx.suffix_of.get(n, "")
                body = n[: len(n) - len(suf)]
                end = d.end + len(n)
                if not suf or len(body) < 2 or end > len(text) or not text.startswith(body, d.end):
                    continue
                read = text[d.end + len(body) : end]
                diff = [(d.end + len(body) + i, a, b) for i, (a, b) in enumerate(zip(read, suf)) if a != b]
                if len(diff) == 1:
                    yield (d, p, n, *diff[0])


def _suffix_misread(text: str, spec: Spec, found: list[PlaceHit]) -> tuple[list[PlaceHit], bool]:
    """A town or street whose suffix alone was misread (海阳市徐家店集西芦头村: 镇 read as 集; 盘石店候:
    镇 read as 候), which the suffix-led search cannot find: taken only where the whole path is
    confirmed by the official lists, character for character: its name less the suffix is written
    right after a district it lies in (NBS 2023 towns under their GB/T 2260 county), at most one
    character of the suffix differs (the same number of characters: nothing added or deleted), that
    character is no place suffix itself, and a village of its list (NBS 2023) is written exactly right
    after it. Only then is one name of all those one edit away the one meant; anything less is left as
    read. Flagged lexicon_corrected, so that it is as sure as the lexicon's corrections (0.95), held
    for review under every fitted address threshold.

    The second value: such a name with its suffix misread is there, but no village confirms it while a
    village (…村) is written after it (海阳市留格庄候少码村: 镇 and the village both misread): the town is
    a misreading of a listed one, not corrected, doubted (lexicon_ambiguous). Without a 村 after it, the
    name and a word may be a road named after the town (羊郡路): never doubted for that."""
    suffix_chars = set("".join(_index(spec).suffixes))
    out: dict[str, PlaceHit] = {}
    near = False
    for d, p, n, _at, a, _b in _one_suffix_char_off(text, spec, [h for h in found if h.place.kind == "district"]):
        end = d.end + len(n)
        if not _is_han(a) or a in suffix_chars:
            continue
        if any(d.end < h.end and end > h.start for h in found):
            continue
        if any(text.startswith(v, end) for v in villages_of(p.name, spec)):
            out[p.name] = PlaceHit(d.end, end, text[d.end : end], n, p, True)
        elif "村" in text[end:]:
            near = True
    if len(out) == 1:
        return list(out.values()), False
    return [], near or len(out) > 1


def town_suffix_proposals(text: str, spec: Spec, unsure: frozenset[int] = frozenset()) -> tuple[tuple[int, int, str], ...]:
    """(start, end, official name) of each town or street whose suffix alone was misread (七甲银 for 七甲镇,
    诸由观慎 for 诸由观镇, 新嘉街进 for 新嘉街道) where `_suffix_misread` finds no village of its list written
    right after it to confirm it (the village misread too, or one the list lacks, or a road after a
    street), so that it was left as read and doubted. Put right only where
    - its name less the suffix (two characters or more) is written right after a county read in the text
      that it lies in (GB/T 2260 counties, NBS 2023 towns and streets: the county's list is complete), and
      that is so for one town or street only;
    - exactly one character of the suffix differs, a Han character that is no place suffix, and either
      looks like the suffix's (mapping.glyphs.LOOKALIKE: 银, 铁, 慎 for 镇; 进, 通 for 道) or the reader
      doubted it (`unsure`: 报 for 镇); nothing added or deleted;
    - no road follows the name less the suffix (names_road: 羊郡路 is a road named after 羊郡镇; a street's
      街 then misread 道 is taken: 街 followed by a look-alike of 道 is no road's generic), no listed name
      read in the text overlaps it.
    Sources: the official division lists and the recognizer's confusions (glyph shape, its own doubt).
    The caller holds what it gives (DIVISION_DOUBT_CERTAINTY): the town is the one the lists allow, but
    its suffix was not seen."""
    idx = _index(spec)
    scan = _scan(text, spec)
    suffix_chars = set("".join(idx.suffixes))
    found: dict[tuple[int, int], set[str]] = {}
    for d, p, n, at, a, b in _one_suffix_char_off(text, spec, [h for h in scan.hits if h.place.kind == "district"]):
        suf = idx.suffix_of[n]
        start, end, body_end = d.end, d.end + len(n), d.end + len(n) - len(suf)
        if not _is_han(a) or a in suffix_chars or not (similarity(a, b) >= LOOKALIKE or at in unsure):
            continue
        if names_road(text, body_end) and not (suf == "街道" and text[body_end] == "街"):
            continue
        if any(start < h.end and end > h.start for h in scan.hits if h is not d):
            continue
        found.setdefault((start, end), set()).add(p.name)
    out = [(s, e, next(iter(names))) for (s, e), names in sorted(found.items()) if len(names) == 1]
    return tuple(out) if len(out) == len(found) else ()


def deciding_hit(scan: PlaceScan) -> PlaceHit | None:
    """The place that names the district of a scanned text (district_of): the first district
    named, else the first town or street."""
    districts = [h for h in scan.hits if h.place.kind == "district"]
    below = [h for h in scan.hits if h.place.kind not in ("district", "sea_area")]
    found = districts or below
    return found[0] if found else None


def district_of(scan: PlaceScan, spec: Spec) -> tuple[str | None, tuple[str, ...]]:
    """The district code named (or implied by a town/street) in a scanned text, with flags."""
    idx = _index(spec)
    districts = [h.place.district for h in scan.hits if h.place.kind == "district"]
    below = [h.place.district for h in scan.hits if h.place.kind not in ("district", "sea_area")]
    if districts:
        code = districts[0]
        conflict = any(not idx.compatible(code, c) for c in districts[1:] + below)
        return code, ("division_conflict",) if conflict else ()
    if below:
        code = below[0]
        conflict = any(not idx.compatible(code, c) for c in below[1:])
        return code, ("division_conflict",) if conflict else ()
    return None, ()


# --------------------------------------------------------------------------- villages
UNREADABLE = "塂嵠"
"""Characters of the village list the default recognizer (PP-OCRv6 small, 18 708 characters) cannot
output (tests/test_ocr_engines.py checks this against the installed model): whatever it reads in their
place is necessarily wrong, so any character may stand for them. PP-OCRv4 (6 623 characters) lacked 26
(仉唵喦囫囵堠塂夼屺峱嵎嵠廒桲樗浞甑畎疋碃笤耩茔轸辇镡: 夼 read as 乔/奋/奇/齐); v6 reads 夼 and 屺."""
DROPPED = "疃" + UNREADABLE
"""Characters a reading may lack altogether: 疃 is dropped by the recognizer in hand-written
addresses (fitting sets: most 疃 misreadings are drops, not substitutions); an unreadable one may be
dropped too."""
VILLAGE_MAX_COST = 1.0
UNSURE_CHAR = 0.95
"""A character read with a probability under this is doubted by the reader itself. Fitting sets
(characters after the town, 859 aligned): 80 % of the misread ones fall under it, 1.5 % of the
right ones."""


def doubted_positions(chars: Sequence[float]) -> frozenset[int]:
    """The positions of a reading whose characters the reader itself doubted (under UNSURE_CHAR)."""
    return frozenset(i for i, p in enumerate(chars) if p < UNSURE_CHAR)


UNSURE_ALIKE = 0.85
"""...and then only for a character nearly the same in shape (润/涧 0.89, 愉/榆 0.95): a village
missing from the list, read right but with doubt, is otherwise rewritten to a listed one (fitting
sets: 姜家庄村 -> 鲁家庄村, 姜/鲁 0.80; 慕/鲁 0.83)."""
_NO = float("inf")


@dataclass(frozen=True)
class VillageHit:
    start: int  # span in the text given
    end: int
    printed: str
    name: str  # the village as the list writes it
    town: str
    cost: float  # 0 when read exactly
    isolated: bool  # no other village of the town is one substitution from it


def villages_of(town: str, spec: Spec) -> tuple[str, ...]:
    """A town's or street's villages; a town since made a street (门楼镇 -> 门楼街道) keeps its list."""
    v = spec.places.villages
    stem = town.removesuffix("镇").removesuffix("乡").removesuffix("街道")
    return v.get(town) or v.get(stem + "街道") or v.get(stem + "镇") or v.get(stem + "乡") or ()


def _stands_in(read: str, true: str) -> bool:
    """`read` is what the recognizer writes for `true`, a character it cannot output."""
    return true in UNREADABLE and _lookalike(read, true)


def _pair_cost(read: str, true: str, unsure: bool = False) -> float:
    """Reading `true` as `read` in a village name: only what the recognizer is known to do. A
    village list is long and full of near names (邹家村 and 邵家村 in one town), so a character read
    surely as a look-alike is never enough: a correct reading of a village missing from the list
    would be rewritten. What counts: a character the recognizer cannot output (夼 read as 乔/奋/奇:
    a listed or a close look-alike), a listed confusion (瞳 for 疃), and a look-alike the reader
    itself was unsure of and nearly the same (`unsure`: under UNSURE_CHAR; UNSURE_ALIKE)."""
    if read == true:
        return 0.0
    if _stands_in(read, true):
        return 0.2
    if read in LOOKALIKES.get(true, ""):
        return 0.3
    if unsure and similarity(read, true) >= UNSURE_ALIKE:
        return 0.4
    return _NO


def village_cost(read: str, name: str, unsure: frozenset[int] = frozenset()) -> float:
    """Cost of reading `name` as `read` allowing only what the recognizer does (`_pair_cost`; the
    positions of `read` in `unsure` were read with doubt), or one character among DROPPED dropped
    (0.5) with the others read as written. Anything else is infinite."""
    if len(read) == len(name):
        return sum(_pair_cost(a, b, i in unsure) for i, (a, b) in enumerate(zip(read, name)))
    if len(read) != len(name) - 1:
        return _NO
    best = _NO
    for i, ch in enumerate(name):
        if ch in DROPPED:
            rest = name[:i] + name[i + 1 :]
            # a character put back, and the rest read as written (but for characters it cannot write):
            # a drop and a look-alike together make too many near villages (慕家村 -> 蔡家夼村)
            best = min(best, 0.5 + sum(0.0 if a == b else 0.2 if _stands_in(a, b) else _NO for a, b in zip(read, rest)))
    return best


@lru_cache(maxsize=256)
def _isolated(town: str, name: str, spec: Spec) -> bool:
    return not any(
        len(o) == len(name) and o != name and sum(a != b for a, b in zip(o, name)) == 1 for o in villages_of(town, spec)
    )


def _last_town(text: str, spec: Spec) -> PlaceHit | None:
    """The last town or street read exactly in `text` (the one a village after it belongs to)."""
    towns = [h for h in _scan(text, spec).hits if h.place.kind in ("town", "street") and not h.corrected]
    return towns[-1] if towns else None


def village_part_start(text: str, spec: Spec) -> int | None:
    """Where the village part of `text` begins: right after the last town or street read exactly (the
    one a village after it belongs to); None where no town or street is read."""
    town = _last_town(text, spec)
    return None if town is None else town.end


def names_listed_towns_village(text: str, spec: Spec) -> bool:
    """Whether `text` writes a village (…村) after a town or street whose villages are listed: one
    find_village can check (where it then finds none, the village is not in the list)."""
    town = _last_town(text, spec)
    return town is not None and bool(villages_of(town.name, spec)) and "村" in text[town.end :]


VILLAGE_GENERIC_READS = "村" + LOOKALIKES["村"]
"""What may end a village's name as read: its generic 村 or what the recognizer writes for it (材, 木 with
才 for 木 with 寸: glyph similarity 0.91, mapping.glyphs; on the design stores d3313, d3316 and f3336, 12
addresses read 材 for a village's 村 and none of the 561 written holds 材). A village of the town's list is then found by `village_cost`, which
counts 材 for 村 as the look-alike it is: the list corrects the recognizer's confusion, nothing added or
deleted."""


@lru_cache(maxsize=4096)
def find_village(text: str, spec: Spec, unsure: frozenset[int] = frozenset()) -> VillageHit | None:
    """The village named right after the last town or street read exactly in `text`, if the list has
    it: read exactly (cost 0), or the one village of that town the reading is near by `village_cost`
    (丁家乔村 -> 丁家夼村: 夼 cannot be read; 王家村 -> 王家疃村 where 王家村 is not a village of the
    town and 王家疃村 is). `unsure`: positions in `text` the reader doubted (see `_pair_cost`).
    None where the town has no list, no village is near, or two are."""
    town = _last_town(text, spec)
    if town is None:
        return None
    names = villages_of(town.name, spec)
    if not names:
        return None
    rest = text[town.end :]
    exact = [n for n in names if rest.startswith(n)]
    if exact:
        n = max(exact, key=len)
        return VillageHit(town.end, town.end + len(n), n, n, town.name, 0.0, _isolated(town.name, n, spec))
    doubted = frozenset(i - town.end for i in unsure if i >= town.end)  # positions in `rest`
    near: dict[str, tuple[float, int]] = {}
    for k, ch in enumerate(rest, 1):
        if ch not in VILLAGE_GENERIC_READS:
            continue
        w = rest[:k]
        for n in names:
            c = village_cost(w, n, doubted)
            if c <= VILLAGE_MAX_COST and c < near.get(n, (_NO, 0))[0]:
                near[n] = (c, k)
    if len(near) != 1:
        return None
    ((n, (c, k)),) = near.items()
    return VillageHit(town.end, town.end + k, rest[:k], n, town.name, c, _isolated(town.name, n, spec))


# --------------------------------------------------------------------------- learnt confusions
def names_in(text: str, spec: Spec) -> set[tuple[int, int, str]]:
    """(start, end, name) of every listed name written exactly in `text`: places, the village after
    its town, sea areas."""
    out = {(h.start, h.end, h.name) for h in _scan(text, spec).hits if not h.corrected}
    v = find_village(text, spec)
    if v is not None and v.cost == 0:
        out.add((v.start, v.end, v.name))
    for p in spec.places.places:
        if p.kind == "sea_area":
            for n in (p.name, *p.aliases):
                i = text.find(n)
                if i != -1:
                    out.add((i, i + len(n), n))
    return out


def confusion_doubted(text: str, spec: Spec) -> bool:
    """Whether `text` holds a character reviewers have corrected to another in place names (an accepted
    confusion pair of the local lexicon, pipeline.page.lexicon: read 果, written 罘) where the other would
    make a listed name that is not written: such a reading is doubted, never rewritten."""
    pairs = spec.places.confusions
    if not pairs or not any(read in text for read, _w in pairs):
        return False
    have = names_in(text, spec)
    for read, written in pairs:
        i = text.find(read)
        while i != -1:
            alt = text[:i] + written + text[i + 1 :]
            if any(s <= i < e for s, e, _n in names_in(alt, spec) - have):
                return True
            i = text.find(read, i + 1)
    return False


def unlisted_village(text: str, spec: Spec) -> tuple[str, str, int, int] | None:
    """(town, village, start, end) where `text` names a village after a town or street whose list
    neither holds it nor is near it (the case `village_not_in_list` doubts); None otherwise."""
    town = _last_town(text, spec)
    if town is None or not villages_of(town.name, spec) or find_village(text, spec) is not None:
        return None
    k = text.find("村", town.end)
    if k <= town.end:
        return None
    return town.name, text[town.end : k + 1], town.end, k + 1


@lru_cache(maxsize=4)
def village_characters(spec: Spec) -> frozenset[str]:
    """Every character any village of the official list (NBS 2023, spec.places.villages) is written with."""
    return frozenset(ch for names in spec.places.villages.values() for n in names for ch in n)


def village_chars_off_list(text: str, spec: Spec) -> tuple[int, ...]:
    """The positions in `text` of the characters of the village it names (after the last town or street read
    exactly whose villages are listed, before the village's generic 村 or what the recognizer writes for it,
    VILLAGE_GENERIC_READS) that no village of the official list is written with (village_characters: 注,
    电, 婚 in no village of the 5 913; 洼, 屯, 矫 in 55, 31, 5). Such a character is a misreading whatever
    the village: on the design carbon and faded copies of d3316 (s39-faded, 5 stores), no address read right
    held one and 29 characters of wrongly read villages were such. Empty where no village is named after a
    listed town, or none of its characters is off the list."""
    town = _last_town(text, spec)
    if town is None or not villages_of(town.name, spec):
        return ()
    end = next((k for k in range(town.end, len(text)) if text[k] in VILLAGE_GENERIC_READS), None)
    if end is None or end == town.end:
        return ()
    chars = village_characters(spec)
    return tuple(k for k in range(town.end, end) if text[k] not in chars and not text[k].isspace())


STAND_INS = frozenset("".join(LOOKALIKES.values()) + UNREADABLE)
"""Characters the recognizer is known to write for a character of a place name (LOOKALIKES: 奇/奋/乔 for
夼, 菜 for 莱, 瞳 for 疃, ...) or that the recognizer cannot output (UNREADABLE): a village read with one of
them may be a misreading of a village whatever the list says (接夼卢家村 read 接奇户家村)."""


def unlisted_village_far_from_list(text: str, spec: Spec) -> tuple[int, int] | None:
    """(start, end) of the village `text` names after a town or street whose list neither holds it nor is
    near it (`unlisted_village`), where no village of that list is one character edit from the reading
    (one substituted, dropped or added: 呼村 is 呼栾村 with 栾 dropped, 江格庄村 is 汪格庄村 misread) and no
    character of it is one the recognizer writes for a place's character (STAND_INS). Such a reading is no
    recognizer confusion of a listed village (a confusion changes one character: mapping.glyphs, DROPPED)
    but a village the list lacks (natural villages, names changed since 2010), to be trusted as far as the
    recognizer read its characters. None otherwise. Sources: the official village list (NBS 2023) and the
    recognizer's confusions; the reading is kept as read, nothing added or deleted."""
    found = unlisted_village(text, spec)
    if found is None:
        return None
    town, village, start, end = found
    if any(ch in STAND_INS for ch in village):
        return None
    for name in villages_of(town, spec):
        if Levenshtein.distance(village, name, score_cutoff=1) <= 1:
            return None
    return start, end


VILLAGE_SHAPE_ALIKE = 0.75
"""How near in shape (mapping.glyphs.similarity, a property of the glyphs the recognizer confuses) the
one character of a village read otherwise exactly must be to the list's for `lookalike_village`. On
the design stores (seeds 3301 and 3305, the villages read off their town's list) the misread ones were
丰/半 0.79, 唾/疃 0.84, 洞/涧 0.87, 施/拖 0.75, 中/申 0.82 (象/栾 0.66 and 脊/夼 0.66 are left as
read); of the villages read right and missing from the list, none has a single listed village one
character away above 0.73 (后泊子村/西泊子村). A character the reader itself doubted (DOUBTED_ALIKE_ANY) needs no
shape."""

DOUBTED_ALIKE_ANY = True
"""`lookalike_village` also takes the one listed village a single character away where the reader doubted that
character (its probability under UNSURE_CHAR: `doubted_positions`), however unlike in shape the two glyphs are.
Sources: the official village list (NBS 2023: the only village of the town one substitution away) and a property
of the recognizer (its own doubt of that one character: it did not see it, so its shape says little). Measured
on the design stores d3316 (county + typed), f3321, carbon c5/c6/brc6b, faded d3316fd and 1-bit b3316 (1336
addresses, session 30): 22 readings off their town's list have exactly one listed village one substitution
away, 11 of them misread; 7 addresses put right, none made wrong (the 11 read right, villages the list lacks,
were read surely at that character: 0.98-1.0). The doubt is the kept reading's (`chars`, or its own
probabilities where two readings disagreed: normalize_address's `own_chars`). The result stays a doubted proposal
(the caller keeps VILLAGE_UNLISTED_CERTAINTY): a village the list lacks, its character blurred, may be one
character from a listed one."""


def lookalike_village(text: str, spec: Spec, unsure: frozenset[int] = frozenset()) -> VillageHit | None:
    """The village of its town's list a reading off that list is most likely a misreading of: the only
    village of the list one substituted character away from the reading (no other village of the town
    is, whatever the character), the character read being near in shape to the list's
    (VILLAGE_SHAPE_ALIKE: 丰城沟村 -> 半城沟村, 蜜蜂洞村 -> 蜜蜂涧村). Only the same number of
    characters: nothing added or deleted. None where `find_village` finds one, or the town has no
    list. `unsure`: positions in `text` the reader doubted; there the shape need not be near
    (DOUBTED_ALIKE_ANY). What it gives is no surer than a village off the list (the caller keeps its
    doubt): a village missing from the list, read right, may be one character from a listed one."""
    town = _last_town(text, spec)
    if town is None or find_village(text, spec) is not None:
        return None
    names = villages_of(town.name, spec)
    rest = text[town.end :]
    near: dict[str, tuple[int, float, int]] = {}
    for k, ch in enumerate(rest, 1):
        if ch != "村":
            continue
        w = rest[:k]
        for n in names:
            if len(n) != len(w):
                continue
            diff = [(i, a, b) for i, (a, b) in enumerate(zip(w, n)) if a != b]
            if len(diff) == 1:
                i, a, b = diff[0]
                near[n] = (k, similarity(a, b), town.end + i)
    if len(near) != 1:
        return None
    ((n, (k, sim, at)),) = near.items()
    kuang = text[at] in LOOKALIKES["夼"] and text[at + 1 : at + 2] == "村"
    if sim < VILLAGE_SHAPE_ALIKE and not (DOUBTED_ALIKE_ANY and at in unsure and _is_han(text[at]) and not kuang):
        return None  # (a doubted 脊 before 村 is the recognizer's 夼, no unlike listed glyph: 王家脊村 is no 王家沟村)
    return VillageHit(town.end, town.end + k, rest[:k], n, town.name, _NO, _isolated(town.name, n, spec))


# --------------------------------------------------------------------------- doubted division names
DOUBTED_DIVISION_KINDS = ("district", "town", "street")


def _windows_off_list(text: str, name: str, idx: _Index) -> Iterator[tuple[int, int, list[int]]]:
    """(start, end, positions) of each window of `text` as long as the listed `name`, ending with its suffix as
    read, that is no listed name nor a division's name elsewhere in China (泉州市, GB/T 2260: read as written),
    with the positions of its proper name's characters that differ from `name`'s."""
    suf, size = idx.suffix_of[name], len(name)
    if not suf:
        return
    for start in range(0, len(text) - size + 1):
        w = text[start : start + size]
        if not w.endswith(suf) or w in idx.by_name or w in national_division_names():
            continue
        yield start, start + size, [i for i in range(size - len(suf)) if w[i] != name[i]]


def doubted_division_names(text: str, spec: Spec, unsure: frozenset[int]) -> tuple[tuple[int, int, str], ...]:
    """(start, end, official name) of each division name in `text` misread in one character the reader
    itself doubted: a county-level name (GB/T 2260: 基州市 for 莱州市, 老口市 for 龙口市) or a town or
    street (NBS 2023 division codes) of a county read in the same text, that `scan_places` left as read
    because the character read does not look like the list's by shape (the recognizer confuses blurred
    print beyond the font's look-alikes). Sources: the official division list (complete at these levels:
    a name off it is no county or town of Yantai) and a property of the recognizer (`unsure`: the
    positions it read with a probability under UNSURE_CHAR; on a surely read character, 泉州市 stays
    泉州市). Taken only where
    - the window is no listed name, starts at a boundary (_at_boundary), overlaps no name found by
      `scan_places` and names no road (names_road);
    - it is exactly one official name of its level (county-level; towns and streets) away by one
      substituted character, outside the suffix, nowhere else (two names one character away: 莱阳市
      and 海阳市 for 筑阳市: nothing is taken; for a town, the towns and streets of the county read:
      福山区寺泉街道 is 奇泉街道, 温泉街道 lying in another county), and that character is doubted;
    - the text fits it: no other province or city before it, every county and town read names the same
      county (a town only under a county read or corrected in the text: a county's town list is complete).
    Nothing is added or deleted: the same number of characters, one replaced."""
    if not unsure:
        return ()
    idx = _index(spec)
    scan = _scan(text, spec)
    hits = list(scan.hits)
    exact = [h for h in hits if not h.corrected]
    counties = [h.place.district for h in hits if h.place.kind == "district"]
    level = {
        k: [n for n, p in idx.by_name.items() if p.kind in kinds]
        for k, kinds in (("district", ("district",)), ("town", ("town", "street")))
    }
    out: list[tuple[int, int, str]] = []
    for kind, names in level.items():
        if kind == "town":  # the towns and streets of the county read: that list is complete, the others are elsewhere
            names = [n for n in names if counties and all(idx.compatible(d, idx.by_name[n].district) for d in counties)]
        spans: dict[tuple[int, int], set[str]] = {}
        for n in names:
            for s, e, diff in _windows_off_list(text, n, idx):
                if len(diff) == 1 and _is_han(text[s + diff[0]]):
                    spans.setdefault((s, e), set()).add(n)
        for (s, e), near in sorted(spans.items()):
            if len({idx.by_name[n].name for n in near}) != 1:
                continue  # two official names as near: a person decides
            (n,) = sorted(near)[:1]
            i = s + next(k for k in range(e - s) if text[s + k] != n[k])
            place = idx.by_name[n]
            if (
                i not in unsure
                or not _at_boundary(text, s, idx)
                or any(s < h.end and e > h.start for h in hits)
                or any(s < o[1] and e > o[0] for o in out)
                or names_road(text, e)
                or _foreign_context(text, s, exact)
            ):
                continue
            if kind == "district":
                fits = all(idx.compatible(h.place.district, place.district) for h in hits if h.place.kind != "sea_area")
            else:
                fits = bool(counties) and all(idx.compatible(d, place.district) for d in counties)
            if fits:
                out.append((s, e, place.name if n == place.name else n))
                if kind == "district":
                    counties.append(place.district)
    return tuple(sorted(out))


def lookalike_town_names(text: str, spec: Spec) -> tuple[tuple[int, int, str], ...]:
    """(start, end, official name) of each town or street name in `text` misread in two characters of its
    proper name, each read as a look-alike of the list's (`_lookalike`: the recognizer's confusions, LOOKALIKES,
    or glyphs near in shape, mapping.glyphs.LOOKALIKE: 海阳市风域街道 for 凤城街道, 风/凤 0.87 and 域/城 0.94),
    where the county it lies in is read exactly in the same text. `scan_places` and `doubted_division_names`
    take one substituted character only. Sources: the official division list (GB/T 2260 and the NBS 2023
    town list, complete at this level: a town or street name off it under a county read exactly is no town of
    that county as written) and the recognizer's look-alike glyphs. Taken only where
    - a county-level name is read exactly and no other county or town of another county is read;
    - the window ends with the name's suffix (镇, 乡, 街道) as read, is no listed or national division name,
      starts at a boundary, overlaps no name found, names no road and follows no other province or city;
    - exactly one town or street of that county is two substituted characters of its proper name from the
      window, each a look-alike of the list's, and none is one character from it (whatever the character);
      nothing added or deleted.
    The result is no surer than a doubted division name (the caller keeps DIVISION_DOUBT_CERTAINTY)."""
    idx = _index(spec)
    hits = list(_scan(text, spec).hits)
    exact = [h for h in hits if not h.corrected]
    counties = {h.place.district for h in exact if h.place.kind == "district"}
    if len(counties) != 1 or any(h.corrected for h in hits):
        return ()
    (county,) = counties
    if any(h.place.kind in ("town", "street") and not idx.compatible(h.place.district, county) for h in hits):
        return ()
    names = [n for n, p in idx.by_name.items() if p.kind in ("town", "street") and idx.compatible(p.district, county)]
    near: dict[tuple[int, int], set[str]] = {}
    alike: dict[tuple[int, int], set[str]] = {}
    for n in names:
        for start, end, diff in _windows_off_list(text, n, idx):
            w = text[start:end]
            if len(diff) <= 1:
                near.setdefault((start, end), set()).add(idx.by_name[n].name)
            elif len(diff) == 2 and all(_is_han(w[i]) and _lookalike(w[i], n[i]) for i in diff):
                alike.setdefault((start, end), set()).add(n)
    out: list[tuple[int, int, str]] = []
    for (start, end), found in sorted(alike.items()):
        if (start, end) in near or len({idx.by_name[n].name for n in found}) != 1:
            continue  # a town of the county one character away, or two as near: a person decides
        if (
            not _at_boundary(text, start, idx)
            or any(start < h.end and end > h.start for h in hits)
            or any(start < o[1] and end > o[0] for o in out)
            or names_road(text, end)
            or _foreign_context(text, start, exact)
        ):
            continue
        out.append((start, end, next(iter(found))))
    return tuple(out)


COUNTY_SUFFIXES = "市区县"
"""The suffixes of a county-level division's name (GB/T 2260: 县级市, 市辖区, 县)."""

_NOT_A_NAME_PART = "省市区县镇乡街道路村岛号"
_HEAD = ("山东省", "山东", "烟台市", "烟台")


def _after_head(text: str) -> int:
    """Where an address's county-level part may start: after the province and city the lexicon's addresses
    open with (_HEAD: 山东省, 烟台市, each optional)."""
    s = 0
    for h in _HEAD:
        if text.startswith(h, s):
            s += len(h)
    return s


def _county_window(text: str) -> tuple[int, int] | None:
    """(start, end) of the county-level part of an address: after the province and city the lexicon's
    addresses open with (山东省, 烟台市, each optional), a name of two or three Han characters ending in a
    county-level suffix (COUNTY_SUFFIXES), none of them another division's or a road's word; None where
    the address opens otherwise (a town, a road, another province: nothing to check)."""
    s = _after_head(text)
    for e in range(s + 3, min(s + 4, len(text)) + 1):
        body, suf = text[s : e - 1], text[e - 1]
        if suf in COUNTY_SUFFIXES and all(_is_han(c) and c not in _NOT_A_NAME_PART for c in body):
            return s, e
    return None


def unlisted_county(text: str, spec: Spec) -> tuple[int, int] | None:
    """(start, end) of the county-level part of an address (_county_window: 莲基市 in 莲基市大柳行镇…) that is
    no division of China: neither a county of the lexicon's city nor any province-, prefecture- or
    county-level name of GB/T 2260 (2002-2013 revisions, national_division_names), nor a road's proper name
    (names_road: 海市路). Such a part is a misreading of a listed one (the list is complete at county level:
    a name off it is no county), in two characters or more, which no single-character correction reached
    (莲基市 for 蓬莱市: 蓬 and 莱 both blurred on a carbon copy, each character read surely). The caller
    doubts the address (flag `county_not_listed`): nothing is changed, as no list says which county it is.
    Sources: the official division list (GB/T 2260) and the lexicon of Yantai's counties (GB/T 2260)."""
    w = _county_window(text)
    if w is None:
        return None
    s, e = w
    name = text[s:e]
    if name in _index(spec).by_name or name in national_division_names() or names_road(text, e):
        return None
    return w


def county_suffix_proposals(text: str, spec: Spec) -> tuple[tuple[int, int, str], ...]:
    """(start, end, official name) of the county an address opens with (after 山东省 / 烟台市, each optional)
    whose suffix was misread (龙口审 and 龙口事 for 龙口市: the recognizer's readings of a faint 市 on carbon
    copies), which the lexicon's search cannot find (it never corrects a suffix). Put right only where the
    places below confirm it from the official lists, as _confirmed_below does for a body character:
    - a town or street of that county (NBS 2023 towns and streets under their GB/T 2260 county) is written
      exactly right after it (龙口审黄山馆镇: 黄山馆镇 lies in 龙口市), and one county only is so confirmed;
    - the suffix read is one Han character that is no place suffix or other division word, the name's
      other characters are read as listed or one of them as a look-alike (_lookalike: 莲莱审 for 蓬莱市),
      the same number of characters (nothing added or deleted), and the window is no listed name of China.
    Sources: the official division lists (GB/T 2260 counties, NBS 2023 towns). The caller holds what it
    gives (DIVISION_DOUBT_CERTAINTY): the county is the one the town names, but its suffix was not seen."""
    idx = _index(spec)
    s = _after_head(text)
    found: dict[tuple[int, int], set[tuple[str, str]]] = {}
    for n, p in idx.by_name.items():
        if p.kind != "district" or not n or n[-1] not in COUNTY_SUFFIXES:
            continue
        e = s + len(n)
        w = text[s:e]
        if len(w) != len(n) or w == n or w in idx.by_name or w in national_division_names():
            continue
        a = w[-1]
        if not _is_han(a) or a in _NOT_A_NAME_PART:
            continue
        diff = [i for i in range(len(n) - 1) if w[i] != n[i]]
        if len(diff) > 1 or any(not _lookalike(w[i], n[i]) for i in diff):
            continue
        below = [
            t
            for t, q in idx.by_name.items()
            if q.kind in ("town", "street") and idx.compatible(q.district, p.district) and text.startswith(t, e)
        ]
        if below:
            found.setdefault((s, e), set()).add((p.name, p.district))
    out: list[tuple[int, int, str]] = []
    for (st, en), named in sorted(found.items()):
        names = sorted(named)
        if len(names) == 2 and idx.compatible(names[0][1], names[1][1]):
            # 蓬莱市 and its successor 蓬莱区 both confirmed by 北沟镇: the one whose suffix the reading is nearer in shape
            a = text[en - 1]
            near = sorted(names, key=lambda nd: -similarity(a, nd[0][-1]))
            if similarity(a, near[0][0][-1]) > similarity(a, near[1][0][-1]):
                names = near[:1]
        if len(names) == 1:
            out.append((st, en, names[0][0]))
    return tuple(out)
