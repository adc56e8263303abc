"""Chinese characters as de-duplication sees them: OCR-confusable shapes, variant and traditional
forms, and readings (pinyin without tones) for homophones.

`canonical(name)` folds every character of a group to one representative, so that 王秀英 / 玉秀英 /
王秀英 (traditional 王秀英 is the same) compare equal; `how_names_differ` says which kind of
difference two names have, for the explanation a reviewer sees.
"""

from __future__ import annotations

from functools import lru_cache
from typing import cast

from pypinyin import lazy_pinyin

# Shapes the OCR engines (and tired clerks) mix up. Each string is one group.
CONFUSABLE_GROUPS: tuple[str, ...] = (
    "王玉主",
    "己已巳",
    "末未",
    "土士",
    "日曰",
    "人入八",
    "大太犬",
    "天夫",
    "干千于",
    "刀力刁",
    "田由甲申",
    "贝见",
    "免兔",
    "候侯",
    "戊戌戍成",
    "茶荼",
    "明朋",
    "萍苹",
    "洁沽",
    "雪雷",
    "清情",
    "娥峨",
    "环坏",
    "建延",
    "军车",
    "勇甬",
    "鹏朋",
    "辉挥",
    "宁丁",
    "峰蜂锋",
    "波彼",
    "浩告",
    "宇字",
    "晓烧",
    "林材",
    "平手",
    "生牛",
    "连达",
    "永水",
    "广厂",
    "金全",
    "义又",
    "吉古",
    "白自",
    "史吏",
    "毛手",
    "辛幸",
    "慕幕",
    "矫娇",
    "宫官",
    "滕藤",
    "逄逢",
    "凤风",
    "秀季",
    "英荚",
    "淑椒",
    "珍诊",
    "桂佳",
    "晶品",
    "玲铃",
    "斌赋",
    "新亲",
)

# Traditional and variant forms (异体字) of characters found in names, folded to the simplified form.
VARIANTS: dict[str, str] = {
    "國": "国",
    "囯": "国",
    "華": "华",
    "麗": "丽",
    "張": "张",
    "趙": "赵",
    "劉": "刘",
    "陳": "陈",
    "楊": "杨",
    "黃": "黄",
    "吳": "吴",
    "孫": "孙",
    "鄭": "郑",
    "馮": "冯",
    "蘭": "兰",
    "鳳": "凤",
    "貞": "贞",
    "雲": "云",
    "紅": "红",
    "艷": "艳",
    "豔": "艳",
    "榮": "荣",
    "愛": "爱",
    "蓮": "莲",
    "靜": "静",
    "軍": "军",
    "偉": "伟",
    "強": "强",
    "濤": "涛",
    "剛": "刚",
    "鵬": "鹏",
    "輝": "辉",
    "寧": "宁",
    "東": "东",
    "誌": "志",
    "曉": "晓",
    "學": "学",
    "長": "长",
    "連": "连",
    "廣": "广",
    "興": "兴",
    "勝": "胜",
    "寶": "宝",
    "慶": "庆",
    "發": "发",
    "義": "义",
    "傳": "传",
    "禮": "礼",
    "順": "顺",
    "樹": "树",
    "潔": "洁",
    "穎": "颖",
    "鄒": "邹",
    "欒": "栾",
    "叢": "丛",
    "遲": "迟",
    "臧": "臧",
    "譚": "谭",
    "藺": "蔺",
    "車": "车",
    "畢": "毕",
    "閻": "阎",
    "闫": "阎",
    "董": "董",
    "馬": "马",
    "鞏": "巩",
    "戰": "战",
    "呂": "吕",
    "郭": "郭",
    "宮": "宫",
    "鄧": "邓",
    "許": "许",
    "峯": "峰",
    "羣": "群",
    "淸": "清",
    "脩": "修",
    "眞": "真",
    "尙": "尚",
    "戶": "户",
    "涼": "凉",
    "珎": "珍",
    "玊": "玉",
    "崐": "昆",
    "崑": "昆",
    "綫": "线",
    "秋": "秋",
    "菊": "菊",
    "蘇": "苏",
    "鑫": "鑫",
    "賢": "贤",
    "蕓": "芸",
    "瓊": "琼",
    "謝": "谢",
    "葉": "叶",
    "韓": "韩",
    "姜": "姜",
}


def _build_canon() -> dict[str, str]:
    """Groups that share a character are one class (明朋 + 鹏朋 -> 明朋鹏); variants join their simplified form's class."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for group in CONFUSABLE_GROUPS:
        for ch in group[1:]:
            ra, rb = find(group[0]), find(ch)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    canon = {c: find(c) for c in list(parent)}
    for var, simp in VARIANTS.items():
        canon[var] = canon.get(simp, simp)
    return {c: r for c, r in canon.items() if c != r}


CANON: dict[str, str] = _build_canon()
_CANON_TABLE = str.maketrans(CANON)
_FOLD_TABLE = str.maketrans({k: v for k, v in VARIANTS.items() if k != v})


def canonical(name: str) -> str:
    """Every character folded to its class's representative (confusable shapes, variant forms)."""
    return name.translate(_CANON_TABLE)


def fold_variants(name: str) -> str:
    """Traditional and variant forms folded to the simplified form (國 -> 国); nothing else."""
    return name.translate(_FOLD_TABLE)


@lru_cache(maxsize=65536)
def char_pinyin(ch: str) -> str:
    """Toneless reading of one character (its most common one); the character itself when it has none."""
    return lazy_pinyin(ch)[0] if ch else ""


@lru_cache(maxsize=1 << 18)
def pinyin_key(name: str) -> str:
    """Toneless readings of the name's characters (after folding variants), e.g. 王秀瑛 -> 'wang xiu ying'."""
    return " ".join(pinyin_tokens(name))


def pinyin_tokens(name: str) -> tuple[str, ...]:
    return tuple(char_pinyin(c) for c in fold_variants(name))


_KIND_RANK = {"same": 0, "variant": 1, "confusable": 2, "homophone": 3}
_KIND_STRENGTH = {"variant": 0.97, "confusable": 0.93, "homophone": 0.88}


def _char_kind(x: str, y: str) -> str | None:
    if x == y:
        return "same"
    fx, fy = fold_variants(x), fold_variants(y)
    if fx == fy:
        return "variant"
    if canonical(fx) == canonical(fy):
        return "confusable"
    if char_pinyin(fx) == char_pinyin(fy):
        return "homophone"
    return None


def how_names_differ(a: str, b: str) -> tuple[str, float]:
    """("exact" | "variant" | "confusable" | "homophone" | "similar" | "different", strength 0..1).

    exact: the same characters; variant: only traditional / variant forms differ (國/国);
    confusable: only OCR-confusable shapes differ (王/玉); homophone: characters that differ read
    the same (英/瑛); similar / different: rapidfuzz similarity of the folded names."""
    if a == b:
        return "exact", 1.0
    if len(a) == len(b):
        kinds = [_char_kind(x, y) for x, y in zip(a, b)]
        if None not in kinds:
            worst = max(cast("list[str]", kinds), key=_KIND_RANK.__getitem__)  # no None: checked above
            return worst, _KIND_STRENGTH[worst]
    from rapidfuzz.distance import Levenshtein

    ca, cb = canonical(a), canonical(b)
    sim = max(
        Levenshtein.normalized_similarity(ca, cb), 0.9 * Levenshtein.normalized_similarity(pinyin_tokens(a), pinyin_tokens(b))
    )
    return ("similar" if sim >= 0.6 else "different"), round(float(sim), 3)
