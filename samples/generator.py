"""Seeded generator of synthetic scanned Yantai funeral registers, with ground truth.

Two ledger kinds are drawn: 火化登记簿 (``cremation``) and 海葬登记簿 (``sea_burial``).
The generator is the project's independent source of truth: it must never import
``mapping`` or ``ocr``.

Model of the world
------------------
For one ``seed``, every (funeral home, year) has one cremation register: a year of
cremations, day by day, with increasing certificate serials.  Persons whose ashes
went to sea (骨灰去向 海葬/撒海 → code 7) reappear in that home's sea burial register
of the same year, on the first voyage at least three days after their cremation.
A *volume* is a run of consecutive pages of one register, written as a PDF, a
multi-frame TIFF or a folder of JPEG pages, each with a ``*.gt.json`` beside it.

Everything is drawn from ``numpy`` generators seeded from (seed, keys) with CRC32 of
the keys (never Python's salted ``hash``), so one seed always gives the same pixels
and the same ground truth.

Public API: :func:`generate_set`, :func:`render_page`, :func:`get_register`,
:func:`write_committed`, :func:`id_check_digit`, :func:`id15_to_18`, :func:`age_at`.
CLI: ``python -m samples.generator --out DIR --pages N --seed S`` or
``python -m samples.generator --preset committed``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import time
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from samples.families import (
    ALL_FAMILIES,
    CERT_ISSUERS,
    ETHNIC_GROUPS,
    EXTRA_HEADERS,
    MISPRINTS,
    NEW_SEA_AREAS,
    RULING_RGB,
    SEA_DIRECTIONS,
    STRIKE_NOTES,
    VILLAGE_CLAN,
    VILLAGE_PREFIX,
    VILLAGE_SUFFIX,
    Family,
    get_family,
)

GENERATOR_VERSION = 3  # 2: ballpoint strokes drawn as one narrow line (version 1 lost the hairlines)
# 3: most villages are real ones of the town written (NBS 2023 list), the rest made up as before
KINDS = ("cremation", "sea_burial")
FORMATS = ("pdf", "tiff", "jpeg")
SAMPLES_DIR = Path(__file__).resolve().parent
COMMITTED_SEED = 7

# --------------------------------------------------------------------------- fonts
FONT_FILES: dict[str, tuple[str, int]] = {
    "Noto Sans CJK SC": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "Noto Serif CJK SC": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    "Noto Sans CJK SC Bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    "Noto Serif CJK SC Bold": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    "AR PL UKai CN": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    "AR PL UMing CN": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "Noto Sans Mono CJK SC": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 7),  # register programs' printouts
}
HAND_FONTS = ("AR PL UKai CN",)
PRINT_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "AR PL UMing CN")


@lru_cache(maxsize=256)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = FONT_FILES[name]
    return ImageFont.truetype(path, max(6, int(size)), index=index, layout_engine=ImageFont.Layout.BASIC)


# --------------------------------------------------------------------------- code standards
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def id15_to_18(id15: str) -> str:
    """Legacy 15-digit number → 18 digits: insert ``19`` after digit 6, append the check digit."""
    if len(id15) != 15 or not id15.isdigit():
        raise ValueError(f"need 15 digits, got {id15!r}")
    body = id15[:6] + "19" + id15[6:]
    return body + id_check_digit(body)


def age_at(birth: dt.date, on: dt.date) -> int:
    """Whole years completed between birth and ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --------------------------------------------------------------------------- Yantai lexicon
DIVISIONS: dict[str, str] = {
    "芝罘区": "370602",
    "福山区": "370611",
    "牟平区": "370612",
    "莱山区": "370613",
    "龙口市": "370681",
    "莱阳市": "370682",
    "莱州市": "370683",
    "蓬莱市": "370684",
    "招远市": "370685",
    "栖霞市": "370686",
    "海阳市": "370687",
    "长岛县": "370634",
}
STREETS: dict[str, list[str]] = {
    "芝罘区": [
        "向阳街道",
        "东山街道",
        "毓璜顶街道",
        "通伸街道",
        "凤凰台街道",
        "奇山街道",
        "白石街道",
        "芝罘岛街道",
        "黄务街道",
        "只楚街道",
        "世回尧街道",
        "幸福街道",
    ],
    "福山区": ["清洋街道", "福新街道", "奇泉街道", "东厅街道"],
    "牟平区": ["宁海街道", "文化街道", "武宁街道", "大窑街道", "姜格庄街道", "养马岛街道"],
    "莱山区": ["黄海路街道", "初家街道", "滨海路街道", "解甲庄街道", "院格庄街道"],
    "龙口市": ["东莱街道", "龙港街道", "新嘉街道", "徐福街道", "东江街道"],
    "莱阳市": ["城厢街道", "古柳街道", "龙旺庄街道", "冯格庄街道", "柏林庄街道"],
    "莱州市": ["文昌路街道", "永安路街道", "三山岛街道", "城港路街道", "文峰路街道"],
    "蓬莱市": ["登州街道", "紫荆山街道", "新港街道", "蓬莱阁街道", "南王街道"],
    "招远市": ["罗峰街道", "泉山街道", "梦芝街道", "温泉街道", "大秦家街道"],
    "栖霞市": ["翠屏街道", "庄园街道", "松山街道"],
    "海阳市": ["方圆街道", "东村街道", "凤城街道", "龙山街道"],
    "长岛县": ["南长山街道"],
}
TOWNS: dict[str, list[str]] = {
    "芝罘区": [],
    "福山区": ["门楼镇", "高疃镇", "张格庄镇", "回里镇"],
    "牟平区": ["龙泉镇", "观水镇", "莒格庄镇", "高陵镇", "水道镇", "王格庄镇", "玉林店镇"],
    "莱山区": [],
    "龙口市": ["黄山馆镇", "北马镇", "芦头镇", "下丁家镇", "七甲镇", "石良镇", "兰高镇", "诸由观镇"],
    "莱阳市": [
        "河洛镇",
        "吕格庄镇",
        "高格庄镇",
        "大夼镇",
        "山前店镇",
        "谭格庄镇",
        "穴坊镇",
        "羊郡镇",
        "姜疃镇",
        "万第镇",
        "照旺庄镇",
        "团旺镇",
    ],
    "莱州市": [
        "沙河镇",
        "朱桥镇",
        "郭家店镇",
        "金城镇",
        "平里店镇",
        "驿道镇",
        "程郭镇",
        "虎头崖镇",
        "柞村镇",
        "夏邱镇",
        "土山镇",
    ],
    "蓬莱市": ["刘家沟镇", "潮水镇", "大柳行镇", "小门家镇", "大辛店镇", "村里集镇", "北沟镇"],
    "招远市": ["辛庄镇", "蚕庄镇", "金岭镇", "毕郭镇", "玲珑镇", "张星镇", "夏甸镇", "阜山镇", "齐山镇"],
    "栖霞市": [
        "观里镇",
        "蛇窝泊镇",
        "唐家泊镇",
        "桃村镇",
        "亭口镇",
        "臧家庄镇",
        "寺口镇",
        "苏家店镇",
        "杨础镇",
        "西城镇",
        "官道镇",
        "庙后镇",
    ],
    "海阳市": ["留格庄镇", "盘石店镇", "郭城镇", "徐家店镇", "发城镇", "小纪镇", "行村镇", "辛安镇", "朱吴镇"],
    "长岛县": ["北长山乡", "砣矶镇", "大钦岛乡", "小钦岛乡", "南隍城乡", "北隍城乡"],
}
ROADS: dict[str, list[str]] = {
    "芝罘区": [
        "北马路",
        "南大街",
        "胜利路",
        "解放路",
        "环山路",
        "青年路",
        "西南河路",
        "大海阳路",
        "毓璜顶东路",
        "芝罘屯路",
        "幸福中路",
        "通世路",
        "上夼西路",
        "文化路",
        "只楚路",
        "黄务路",
        "奇山北路",
        "二马路",
    ],
    "福山区": ["河滨路", "永达街", "福海路", "福新路", "清洋大街"],
    "牟平区": ["正阳路", "宁海大街", "通海路", "北关大街", "文化街"],
    "莱山区": ["港城东大街", "观海路", "迎春大街", "山海路", "清泉路", "盛泉路", "桐林路"],
    "龙口市": ["港城大道", "东莱街", "振华路", "南山路"],
    "莱阳市": ["富水路", "鹤山路", "旌旗路", "五龙路"],
    "莱州市": ["文化东街", "府前路", "光州街", "掖县路"],
    "蓬莱市": ["钟楼路", "登州路", "海市路", "北关路"],
    "招远市": ["温泉路", "金晖路", "府前路", "罗峰路"],
    "栖霞市": ["跃进路", "霞光路", "迎宾路"],
    "海阳市": ["海政路", "方圆路", "海滨路"],
    "长岛县": ["海滨路", "乐园大街"],
}
SPECIAL_ADDRESSES: dict[str, list[str]] = {
    "芝罘区": ["芝罘区芝罘岛街道崆峒岛村", "芝罘区只楚街道西沙旺村", "芝罘区黄务街道黄务村"],
    "牟平区": ["牟平区养马岛街道驼峰村"],
}
VILLAGE_STEMS_1 = list("东西南北前后上下大小中")
VILLAGE_SUFFIX_1 = ["疃", "夼", "泊子", "沟", "庄", "崖", "河", "寨", "店", "疃子"]
VILLAGE_STEMS_2 = [
    "王家",
    "李家",
    "张家",
    "刘家",
    "孙家",
    "于家",
    "曲家",
    "姜家",
    "林家",
    "宋家",
    "初家",
    "衣家",
    "鞠家",
    "栾家",
    "隋家",
    "迟家",
    "慕家",
    "邹家",
]
VILLAGE_SUFFIX_2 = ["疃", "庄", "夼", "泊", "沟", ""]
REAL_VILLAGE_SHARE = 0.85
"""A rural address names a real village of its town (mapping/data/yantai_villages.json, the NBS
2023 list) this often; the rest are made up from the stems above, as a 2010 ledger also holds
natural villages and names that have changed since and are in no list."""


@lru_cache(maxsize=None)
def _villages_of(town: str) -> list[str]:
    """A town's real villages (mapping.places.villages_of: a town since made a street keeps its own)
    that the hand fonts can draw: GB 2312 characters."""
    from mapping.places import villages_of
    from mapping.spec import load_spec

    def drawable(v: str) -> bool:
        try:
            v.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True

    return [v for v in villages_of(town, load_spec()) if drawable(v)]


SURNAMES: list[tuple[str, float]] = [
    ("王", 10),
    ("李", 7),
    ("张", 7),
    ("刘", 6),
    ("孙", 5),
    ("于", 5),
    ("曲", 3),
    ("姜", 4),
    ("林", 3),
    ("杨", 3),
    ("赵", 3),
    ("陈", 3),
    ("徐", 2),
    ("宋", 2),
    ("高", 2),
    ("郭", 2),
    ("吕", 2),
    ("战", 1),
    ("初", 1.5),
    ("隋", 1),
    ("衣", 1),
    ("鞠", 1),
    ("宫", 1),
    ("邹", 1),
    ("栾", 1),
    ("丛", 1),
    ("迟", 1),
    ("辛", 0.8),
    ("慕", 0.8),
    ("矫", 0.6),
    ("臧", 0.6),
    ("牟", 0.8),
    ("柳", 0.7),
    ("孔", 0.7),
    ("董", 1),
    ("周", 1.5),
    ("吴", 1.2),
    ("马", 1.5),
    ("胡", 1),
    ("朱", 1),
    ("邵", 0.7),
    ("滕", 0.5),
    ("车", 0.5),
    ("毕", 0.7),
    ("修", 0.5),
    ("仲", 0.3),
    ("逄", 0.4),
    ("阎", 0.5),
    ("谭", 0.5),
    ("蔺", 0.3),
    ("欧阳", 0.12),
    ("司马", 0.05),
]
GIVEN_OLD_M = list("德福顺明国华玉忠林春生学长连桂永广兴振洪殿树胜喜宝山海庆发成文和金有正礼义仁传克吉祥")
GIVEN_OLD_F = list("秀英兰芳玉珍凤桂梅淑翠芬琴霞荣华云花萍香莲爱素贞娥菊环美月清秋")
GIVEN_YOUNG_M = list("建国军伟强涛勇刚斌磊鹏辉宁峰波杰东亮明海鑫浩志新宇晓林平昶琮")
GIVEN_YOUNG_F = list("红丽娟燕萍静敏艳霞梅玲芳洁婷晶莉雪琳淼蕾丹慧颖岩")
RARE_GIVEN = list("喆堃燊翀旸玥珺")


@dataclass(frozen=True)
class Home:
    name: str
    code: str
    slug: str
    district: str
    served: tuple[tuple[str, float], ...]
    sea_areas: tuple[str, ...]
    daily: tuple[int, int]
    voyages_per_month: int


HOMES: tuple[Home, ...] = (
    Home(
        "烟台市殡仪馆",
        "370600100001",
        "yantai",
        "芝罘区",
        (("芝罘区", 5), ("莱山区", 3), ("福山区", 2), ("牟平区", 2), ("长岛县", 0.6), ("蓬莱市", 0.4)),
        ("芝罘卧佛岛海域", "崆峒岛海域", "养马岛海域"),
        (4, 7),
        2,
    ),
    Home(
        "龙口市殡仪馆",
        "370681100001",
        "longkou",
        "龙口市",
        (("龙口市", 8), ("招远市", 1), ("蓬莱市", 1)),
        ("桑岛海域", "屺坶岛海域"),
        (2, 4),
        1,
    ),
    Home(
        "莱州市殡仪馆",
        "370683100001",
        "laizhou",
        "莱州市",
        (("莱州市", 9), ("招远市", 1)),
        ("三山岛海域", "太平湾海域"),
        (2, 4),
        1,
    ),
    Home(
        "海阳市殡仪馆",
        "370687100001",
        "haiyang",
        "海阳市",
        (("海阳市", 8), ("莱阳市", 2), ("栖霞市", 1)),
        ("千里岩海域", "海阳港外海域"),
        (1, 3),
        1,
    ),
)
HOME_BY_SLUG = {h.slug: h for h in HOMES}
HOME_BY_NAME = {h.name: h for h in HOMES}
YEARS = tuple(range(2010, 2018))

CAUSES: list[tuple[str, str | None, float]] = [
    ("病故", "02", 0.55),
    ("自然死亡", "01", 0.30),
    ("车祸", "04", 0.03),
    ("事故", "03", 0.03),
    ("溺水", "07", 0.01),
    ("其他", "10", 0.02),
    ("", None, 0.06),
]
ASHES: list[tuple[str, str, float]] = [
    ("家属领回", "9", 0.22),
    ("领回", "9", 0.05),
    ("家属带回", "9", 0.03),
    ("骨灰寄存", "6", 0.08),
    ("寄存", "6", 0.12),
    ("寄存骨灰堂", "6", 0.03),
    ("公墓安葬", "1", 0.08),
    ("公墓", "1", 0.06),
    ("安葬", "1", 0.05),
    ("入葬", "1", 0.02),
    ("树葬", "1", 0.02),
    ("花葬", "1", 0.01),
    ("草坪葬", "1", 0.01),
    ("海葬", "7", 0.10),
    ("撒海", "7", 0.06),
    ("骨灰撒海", "7", 0.03),
    ("骨灰撒散", "7", 0.01),
    ("不要骨灰", "8", 0.02),
    ("不留骨灰", "8", 0.01),
]
RELATION_CODES: dict[str, str] = {
    "配偶": "10",
    "妻": "10",
    "夫": "10",
    "子": "20",
    "儿子": "20",
    "女": "30",
    "女儿": "30",
    "孙子": "40",
    "孙女": "40",
    "外孙": "40",
    "父亲": "50",
    "母亲": "50",
    "兄弟": "70",
    "姐妹": "70",
    "兄": "70",
    "弟": "70",
    "姐": "70",
    "妹": "70",
    "侄子": "97",
    "侄女": "97",
    "外甥": "97",
    "朋友": "99",
}
CREM_REMARKS = ["惠民殡葬", "补登", "外地户籍", "代办", "已结算", "免费火化", "家属领回", "骨灰盒自备"]
SEA_REMARKS = ["补登", "家属未随船", "惠民海葬", "代办", "雨天改期"]
MOBILE_PREFIXES = [
    "139",
    "138",
    "137",
    "136",
    "135",
    "134",
    "150",
    "151",
    "152",
    "158",
    "159",
    "182",
    "183",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "133",
    "153",
    "180",
    "189",
]

# --------------------------------------------------------------------------- columns
CREMATION_COLUMNS = [
    "row_no",
    "cremation_cert_no",
    "deceased_name",
    "sex_code",
    "age_years",
    "id_number",
    "household_address",
    "death_date",
    "death_cause_code",
    "cremation_date",
    "ashes_destination_code",
    "agent_name",
    "agent_relation_code",
    "agent_phone",
    "remarks",
]
SEA_COLUMNS = [
    "row_no",
    "registration_no",
    "deceased_name",
    "sex_code",
    "id_number",
    "cremation_cert_no",
    "scattering_date",
    "voyage_no",
    "sea_area",
    "registrant_name",
    "registrant_relation_code",
    "registrant_phone",
    "onboard_count",
    "remarks",
]
HEADER_CHOICES: dict[str, list[str]] = {
    "row_no": ["序号"],
    "cremation_cert_no": ["火化证号", "火化证明编号"],
    "deceased_name": ["逝者姓名", "死者姓名", "亡者姓名", "姓名"],
    "sex_code": ["性别"],
    "age_years": ["年龄"],
    "id_number": ["身份证号", "公民身份号码", "证件号码"],
    "household_address": ["户籍地址"],
    "death_date": ["死亡日期", "死亡时间", "去世日期"],
    "death_cause_code": ["死亡原因"],
    "cremation_date": ["火化日期"],
    "ashes_destination_code": ["骨灰去向"],
    "agent_name": ["经办人", "经办人姓名"],
    "agent_relation_code": ["与逝者关系"],
    "agent_phone": ["联系电话", "电话"],
    "remarks": ["备注"],
    "registration_no": ["登记号"],
    "scattering_date": ["海葬日期", "撒海日期"],
    "voyage_no": ["航次", "船次"],
    "sea_area": ["海域"],
    "registrant_name": ["家属姓名", "登记人"],
    "registrant_relation_code": ["与逝者关系"],
    "registrant_phone": ["联系电话", "电话"],
    "onboard_count": ["随船人数"],
}
HEADER_SPLITS = {"火化证明编号": 4, "公民身份号码": 4, "与逝者关系": 3, "经办人姓名": 3}
TITLES = {"cremation": "火化登记簿", "sea_burial": "海葬登记簿"}
CN_DIGITS = "〇一二三四五六七八九"


# --------------------------------------------------------------------------- randomness helpers
def _rng(seed: int, *keys: Any) -> np.random.Generator:
    words = [int(seed) & 0xFFFFFFFF] + [zlib.crc32(str(k).encode("utf-8")) for k in keys]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))


def _pick(rng: np.random.Generator, seq: Sequence[Any]) -> Any:
    return seq[int(rng.integers(len(seq)))]


def _wpick(rng: np.random.Generator, items: Sequence[Any], weights: Sequence[float]) -> Any:
    w = np.asarray(weights, dtype=float)
    return items[int(rng.choice(len(items), p=w / w.sum()))]


# --------------------------------------------------------------------------- printed forms
def _cn_number(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n] if n else "〇"
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def format_date(d: dt.date, style: str) -> str:
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "dash":
        return f"{d.year}-{d.month:02d}-{d.day:02d}"
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "cjk":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "short":
        return f"{d.year % 100:02d}.{d.month}.{d.day}"
    if style == "hanzi":
        return "".join(CN_DIGITS[int(c)] for c in str(d.year)) + f"年{_cn_number(d.month)}月{_cn_number(d.day)}日"
    # the writings of the variation families (samples/families.py)
    if style == "dot2":
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if style == "compact":
        return f"{d.year}{d.month:02d}{d.day:02d}"
    if style == "md":  # month and day only: the year is the register's (in its title)
        return f"{d.month}月{d.day}日"
    if style == "cn_short":
        return f"{d.year % 100:02d}年{d.month}月{d.day}日"
    raise ValueError(style)


DATE_STYLES = ("dot", "dash", "slash", "cjk", "short", "hanzi")
FAMILY_DATE_STYLES = DATE_STYLES + ("dot2", "compact", "md", "cn_short")


def format_cert(year: int, serial: int, style: str, lead: int | None = None) -> str:
    """A cremation certificate number as printed; its normalized form is always f"{year}{serial:05d}".
    The family styles: "NO" (NO.201300514), "numero" (№201300514), "huo" (火字第514号: the serial of the
    register's year) and "fused" (the row's serial `lead` written in front: 782013-00514)."""
    if style == "NO":
        return f"NO.{year}{serial:05d}"
    if style == "numero":
        return f"№{year}{serial:05d}"
    if style == "huo":
        return f"火字第{serial}号"
    if style == "fused":
        return f"{999 if lead is None else lead}{year}-{serial:05d}"
    if style == "plain":
        return f"{year}{serial:05d}"
    if style == "no":
        return f"No.{year}{serial:05d}"
    if style == "dash":
        return f"{year}-{serial:05d}"
    if style == "short":
        return f"{year % 100:02d}-{serial:04d}"
    raise ValueError(style)


CERT_STYLES = ("plain", "no", "dash", "short")
FAMILY_CERT_STYLES = CERT_STYLES + ("NO", "numero", "huo", "fused")


def format_phone(digits: str, style: str) -> str:
    if digits.startswith("0535"):
        return f"0535-{digits[4:]}"
    if style == "spaced":
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return digits


# --------------------------------------------------------------------------- register data
@dataclass
class Row:
    person_id: str
    cells: list[str]
    record: dict[str, Any]
    wrap_cols: tuple[int, ...] = ()
    duplicate: bool = False
    facts: dict[str, Any] = field(default_factory=dict, repr=False)
    # variation families only: a wrong entry struck through (its `record` holds what was written, not a
    # person's record), how it was struck, and which of the register's clerks wrote the row
    struck: bool = False
    strike: dict[str, Any] | None = None
    hand: int = 0


@dataclass
class Style:
    """The printed form and the hand of one register (the same on all of its pages)."""

    rows_per_page: int
    font: str
    hand: bool
    header_font: str
    headers: list[str]
    date_style: str
    cert_style: str
    phone_style: str
    voyage_style: str
    age_suffix: bool
    count_suffix: bool
    ink_rgb: tuple[int, int, int]
    label_pos: str
    font_px_200: float
    # pen-like strokes on a handwritten register: "" (none), "ballpoint" (thin, uneven pressure
    # per character) or "felt" (thick, blotted); drawn from its own random stream, so the rest of
    # a register does not change with it; the committed samples keep ""
    pen: str = ""


@dataclass
class Register:
    seed: int
    home: Home
    year: int
    kind: str
    style: Style
    rows: list[Row]
    fam: "FamilyStyle | None" = None  # what a variation family drew for this register (None: the default generator)

    @property
    def columns(self) -> list[str]:
        if self.fam is not None:
            return self.fam.columns
        return CREMATION_COLUMNS if self.kind == "cremation" else SEA_COLUMNS

    @property
    def n_pages(self) -> int:
        return max(1, math.ceil(len(self.rows) / self.style.rows_per_page))

    def page_rows(self, page: int) -> list[Row]:
        rpp = self.style.rows_per_page
        return self.rows[(page - 1) * rpp : page * rpp]

    def page_of_person(self, person_id: str) -> int | None:
        for i, r in enumerate(self.rows):
            if r.person_id == person_id:
                return i // self.style.rows_per_page + 1
        return None

    @property
    def title(self) -> str:
        if self.fam is not None:
            return self.fam.title
        return f"{self.home.name}{TITLES[self.kind]}（{self.year}年）"


def _make_style(rng: np.random.Generator, kind: str, overrides: dict[str, Any] | None = None) -> Style:
    hand = bool(rng.random() < 0.55)
    font = HAND_FONTS[0] if hand else _wpick(rng, PRINT_FONTS, [0.45, 0.4, 0.15])
    cols = CREMATION_COLUMNS if kind == "cremation" else SEA_COLUMNS
    headers = [_pick(rng, HEADER_CHOICES[c]) for c in cols]
    ink = _pick(rng, [(28, 30, 40), (30, 45, 120), (35, 40, 85)]) if hand else (22, 22, 26)
    st = Style(
        rows_per_page=int(rng.integers(10, 17)),
        font=font,
        hand=hand,
        header_font=_pick(rng, ["Noto Sans CJK SC Bold", "Noto Serif CJK SC Bold"]),
        headers=headers,
        date_style=_wpick(rng, ["dot", "dash", "slash", "cjk", "short"], [0.35, 0.2, 0.15, 0.2, 0.1]),
        cert_style=_wpick(rng, CERT_STYLES, [0.4, 0.2, 0.25, 0.15]),
        phone_style=_wpick(rng, ["plain", "spaced"], [0.75, 0.25]),
        voyage_style=_pick(rng, ["yy-nn", "第n航次"]),
        age_suffix=bool(rng.random() < 0.15),
        count_suffix=bool(rng.random() < 0.3),
        ink_rgb=ink,
        label_pos=_pick(rng, ["top-right", "bottom-centre"]),
        font_px_200=float(rng.uniform(27.0, 31.0)),
    )
    if st.hand:
        st.pen = _pick(_rng(0, "pen", round(st.font_px_200 * 1e6)), ["", "ballpoint", "felt"])
    for k, v in (overrides or {}).items():
        if k == "hand":
            st.hand = bool(v)
            st.font = HAND_FONTS[0] if v else PRINT_FONTS[0]
            st.ink_rgb = (30, 45, 120) if v else (22, 22, 26)
        else:
            setattr(st, k, v)
    return st


class _People:
    """Names, IDs, addresses and families for one (home, year)."""

    def __init__(self, rng: np.random.Generator, home: Home, year: int):
        self.rng, self.home, self.year = rng, home, year

    def surname(self) -> str:
        return _wpick(self.rng, [s for s, _ in SURNAMES], [w for _, w in SURNAMES])

    def given(self, sex: str, born: int) -> str:
        r = self.rng
        old = born < 1950
        pool = (GIVEN_OLD_M if sex == "1" else GIVEN_OLD_F) if old else (GIVEN_YOUNG_M if sex == "1" else GIVEN_YOUNG_F)
        n = 1 if r.random() < (0.2 if old else 0.35) else 2
        chars = [_pick(r, pool) for _ in range(n)]
        if not old and r.random() < 0.04:
            chars[-1] = _pick(r, RARE_GIVEN)
        return "".join(chars)

    def name(self, sex: str, born: int, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(sex, born)

    def phone(self) -> str | None:
        r = self.rng.random()
        if r < 0.05:
            return None
        if r < 0.25:
            return "0535" + str(int(self.rng.integers(2, 9))) + f"{int(self.rng.integers(0, 10**6)):06d}"
        return _pick(self.rng, MOBILE_PREFIXES) + f"{int(self.rng.integers(0, 10**8)):08d}"

    def village(self, town: str) -> str:
        r = self.rng
        real = _villages_of(town)
        if real and r.random() < REAL_VILLAGE_SHARE:
            return _pick(r, real)
        if r.random() < 0.5:
            return _pick(r, VILLAGE_STEMS_1) + _pick(r, VILLAGE_SUFFIX_1) + "村"
        return _pick(r, VILLAGE_STEMS_2) + _pick(r, VILLAGE_SUFFIX_2) + "村"

    def address(self) -> tuple[str, str, bool]:
        """(printed address, district code, long-enough-to-wrap)."""
        r = self.rng
        district = _wpick(r, [d for d, _ in self.home.served], [w for _, w in self.home.served])
        code = DIVISIONS[district]
        long = bool(r.random() < 0.05)
        if district in SPECIAL_ADDRESSES and r.random() < 0.12:
            addr = _pick(r, SPECIAL_ADDRESSES[district])
        elif TOWNS[district] and r.random() < 0.6:
            town = _pick(r, TOWNS[district])
            addr = district + town + self.village(town)
            if long:
                addr += f"{int(r.integers(1, 300))}号"
        else:
            street = _pick(r, STREETS[district]) if r.random() < 0.6 else ""
            addr = district + street + _pick(r, ROADS[district]) + f"{int(r.integers(1, 220))}号"
            if len(addr) > 14:
                addr = district + _pick(r, ROADS[district]) + f"{int(r.integers(1, 220))}号"
            if long:
                addr += (
                    f"{int(r.integers(1, 30))}号楼{int(r.integers(1, 7))}单元{int(r.integers(1, 7))}0{int(r.integers(1, 4))}室"
                )
        if long:
            addr = _pick(r, ["山东省烟台市", "烟台市", ""]) + addr
            if len(addr) < 17:
                addr = "山东省烟台市" + addr.removeprefix("烟台市")
        return addr, code, long

    def id_number(self, district_code: str, birth: dt.date, sex: str) -> tuple[str | None, str | None]:
        """(printed ID or None, normalized 18-digit ID or None)."""
        r = self.rng
        u = r.random()
        if u < 0.03:
            return None, None
        region = district_code if r.random() < 0.93 else "370601"
        serial = int(r.integers(0, 100)) * 10 + int(_pick(r, [1, 3, 5, 7, 9] if sex == "1" else [0, 2, 4, 6, 8]))
        if u < 0.13 and 1900 <= birth.year <= 1999:
            id15 = f"{region}{birth:%y%m%d}{serial:03d}"
            return id15, id15_to_18(id15)
        body = f"{region}{birth:%Y%m%d}{serial:03d}"
        full = body + id_check_digit(body)
        return full, full

    def relative(self, deceased_sex: str, deceased_surname: str, age: int, born: int) -> dict[str, Any]:
        """A family member who handled the registration."""
        r = self.rng
        if age >= 55:
            kinds = ["spouse", "son", "daughter", "grand", "sibling", "nephew"]
            w = [0.22 if age < 88 else 0.03, 0.36, 0.25, 0.08, 0.05, 0.04]
        else:
            kinds = ["spouse", "parent", "sibling", "son", "daughter"]
            w = [0.4, 0.2 if age < 45 else 0.02, 0.2, 0.12 if age > 35 else 0.0, 0.08 if age > 35 else 0.0]
        k = _wpick(r, kinds, w)
        male_dec = deceased_sex == "1"
        if k == "spouse":
            sex = "2" if male_dec else "1"
            word = "配偶" if r.random() < 0.4 else ("妻" if male_dec else "夫")
            surname, rb = self.surname(), born + int(r.integers(-4, 5))
        elif k in ("son", "daughter"):
            sex = "1" if k == "son" else "2"
            word = _pick(r, ["子", "儿子"]) if k == "son" else _pick(r, ["女", "女儿"])
            surname = deceased_surname if male_dec else self.surname()
            rb = born + int(r.integers(22, 36))
        elif k == "grand":
            sex = _pick(r, ["1", "2"])
            word = "孙子" if sex == "1" else "孙女"
            if not male_dec or r.random() < 0.2:
                word, surname = ("外孙", self.surname()) if sex == "1" else ("孙女", self.surname())
            else:
                surname = deceased_surname
            rb = born + int(r.integers(48, 62))
        elif k == "sibling":
            sex = _pick(r, ["1", "2"])
            word = _pick(r, ["兄弟", "兄", "弟"]) if sex == "1" else _pick(r, ["姐妹", "姐", "妹"])
            surname, rb = deceased_surname, born + int(r.integers(-8, 9))
        elif k == "nephew":
            sex = _pick(r, ["1", "2"])
            word = ("侄子" if sex == "1" else "侄女") if male_dec else "外甥"
            surname = deceased_surname if male_dec else self.surname()
            rb = born + int(r.integers(25, 40))
        else:  # parent
            sex = _pick(r, ["1", "2"])
            word = "父亲" if sex == "1" else "母亲"
            surname = deceased_surname if sex == "1" else self.surname()
            rb = born - int(r.integers(22, 35))
        rb = min(rb, self.year - 18)
        return {
            "name": self.name(sex, rb, surname),
            "word": word,
            "code": RELATION_CODES[word],
            "phone": self.phone(),
            "sex": sex,
        }


def _voyages(rng: np.random.Generator, home: Home, year: int) -> list[tuple[dt.date, int, str]]:
    out: list[dt.date] = []
    for month in range(3, 12):
        days = sorted({int(d) for d in rng.integers(5, 27, size=home.voyages_per_month)})
        out += [dt.date(year, month, d) for d in days]
    return [(d, i + 1, _pick(rng, home.sea_areas)) for i, d in enumerate(sorted(out))]


def _cremation_register(seed: int, home: Home, year: int, overrides: dict | None) -> tuple[Register, list]:
    rng = _rng(seed, "register", home.slug, year, "cremation")
    style = _make_style(_rng(seed, "style", home.slug, year, "cremation"), "cremation", overrides)
    vrng = _rng(seed, "voyages", home.slug, year)
    voyages = _voyages(vrng, home, year)
    people = _People(rng, home, year)
    rows: list[Row] = []
    serial = int(rng.integers(1, 30))
    day = dt.date(year, 1, 2)
    pidx = 0
    home_idx = HOMES.index(home) + 1
    while day.year == year:
        for _ in range(int(rng.integers(home.daily[0], home.daily[1] + 1))):
            pidx += 1
            pid = f"P{home_idx}{year % 100:02d}{pidx:05d}"
            rows.append(_cremation_row(rng, people, style, home, year, pid, serial, day, voyages))
            serial += 1 + (1 if rng.random() < 0.01 else 0)
            if rng.random() < 0.01 and rows:
                rows.append(_restyle_duplicate(rng, style, rows[-1 - int(rng.integers(0, min(4, len(rows))))], "cremation"))
        day += dt.timedelta(days=1)
    for i, row in enumerate(rows):
        row.cells[0] = str(i + 1)
    return Register(seed, home, year, "cremation", style, rows), voyages


def _date_style(rng: np.random.Generator, style: Style) -> str:
    u = rng.random()
    if u < 0.82:
        return style.date_style
    if u < 0.98:
        return _pick(rng, ["dot", "dash", "slash", "cjk", "short"])
    return "hanzi"


def _cremation_row(
    rng, people: _People, style: Style, home: Home, year: int, pid: str, serial: int, crem: dt.date, voyages
) -> Row:
    r = rng
    sex = "1" if r.random() < 0.54 else "2"
    u = r.random()
    if u < 0.85:
        age = int(np.clip(r.normal(79, 9), 55, 104))
    elif u < 0.97:
        age = int(r.integers(30, 55))
    else:
        age = int(r.integers(6, 30))
    death = crem - dt.timedelta(days=int(_wpick(r, [1, 2, 3, 4, 5, 6, 7], [3, 4, 3, 2, 1, 0.6, 0.4])))
    birth_hi = dt.date(death.year - age, death.month, min(death.day, 28))
    birth = birth_hi - dt.timedelta(days=int(r.integers(0, 360)))
    age = age_at(birth, death)
    surname = people.surname()
    name = surname + people.given(sex, birth.year)
    addr, div, long = people.address()
    id_printed, id18 = people.id_number(div, birth, sex)
    cause_word, cause_code = _wpick(r, [(c[0], c[1]) for c in CAUSES], [c[2] for c in CAUSES])
    if age < 50 and r.random() < 0.3:
        cause_word, cause_code = _pick(r, [("车祸", "04"), ("事故", "03"), ("溺水", "07"), ("其他", "10")])
    ashes_word, ashes_code = _wpick(r, [(a[0], a[1]) for a in ASHES], [a[2] for a in ASHES])
    voyage = None
    if ashes_code == "7":
        voyage = next((v for v in voyages if v[0] >= crem + dt.timedelta(days=3)), None)
        if voyage is None:
            ashes_word, ashes_code = "寄存", "6"
    agent = people.relative(sex, surname, age, birth.year)
    remarks = _pick(r, CREM_REMARKS) if r.random() < 0.08 else ""
    sex_printed = {"1": "男", "2": "女"}[sex] if (id18 is None or r.random() >= 0.03) else ""
    age_printed = f"{age}岁" if style.age_suffix and r.random() < 0.7 else str(age)
    cert_style = style.cert_style if r.random() < 0.93 else _pick(r, CERT_STYLES)
    cells = [
        "",
        format_cert(year, serial, cert_style),
        name,
        sex_printed,
        age_printed,
        id_printed or "",
        addr,
        format_date(death, _date_style(r, style)),
        cause_word,
        format_date(crem, _date_style(r, style)),
        ashes_word,
        agent["name"],
        agent["word"],
        format_phone(agent["phone"], style.phone_style) if agent["phone"] else "",
        remarks,
    ]
    record = {
        "funeral_home_code": home.code,
        "cremation_cert_no": f"{year}{serial:05d}",
        "deceased_name": name,
        "sex_code": sex,
        "age_years": age,
        "id_type": "0" if id18 else None,
        "id_number": id18,
        "id_number_raw": id_printed,
        "birth_date": f"{id18[6:10]}-{id18[10:12]}-{id18[12:14]}" if id18 else None,
        "household_division_code": div,
        "household_address": addr,
        "death_date": death.isoformat(),
        "death_cause_code": cause_code,
        "cremation_date": crem.isoformat(),
        "ashes_destination_code": ashes_code,
        "agent_name": agent["name"],
        "agent_relation_code": agent["code"],
        "agent_phone": agent["phone"],
        # SPEC.md: wording mapped to 9 (其他) is kept in remarks, after any printed remark
        "remarks": "；".join(
            x for x in (remarks, f"骨灰去向：{ashes_word}" if ashes_code == "9" and ashes_word not in remarks else "") if x
        )
        or None,
    }
    facts = {
        "surname": surname,
        "sex": sex,
        "birth": birth,
        "id18": id18,
        "id_printed": id_printed,
        "serial": serial,
        "cremation": crem,
        "agent": agent,
        "voyage": voyage,
        "age": age,
    }
    return Row(pid, cells, record, (6,) if long else (), False, facts)


def _restyle_duplicate(rng, style: Style, row: Row, kind: str) -> Row:
    cells = list(row.cells)
    rec = row.record
    if kind == "cremation":
        cells[1] = format_cert(int(rec["cremation_cert_no"][:4]), int(rec["cremation_cert_no"][4:]), _pick(rng, CERT_STYLES))
        cells[7] = format_date(dt.date.fromisoformat(rec["death_date"]), _date_style(rng, style))
        cells[9] = format_date(dt.date.fromisoformat(rec["cremation_date"]), _date_style(rng, style))
    else:
        cells[6] = format_date(dt.date.fromisoformat(rec["scattering_date"]), _date_style(rng, style))
    return Row(row.person_id, cells, dict(rec), row.wrap_cols, True, row.facts)


def _sea_register(seed: int, home: Home, year: int, crem: Register, overrides: dict | None) -> Register:
    rng = _rng(seed, "register", home.slug, year, "sea_burial")
    style = _make_style(_rng(seed, "style", home.slug, year, "sea_burial"), "sea_burial", overrides)
    people = _People(rng, home, year)
    seen: set[str] = set()
    src = []
    for row in crem.rows:
        if row.facts.get("voyage") and row.person_id not in seen:
            seen.add(row.person_id)
            src.append(row)
    src.sort(key=lambda rw: (rw.facts["voyage"][1], rw.facts["cremation"], rw.person_id))
    rows: list[Row] = []
    for k, crow in enumerate(src, start=1):
        f = crow.facts
        vdate, vno, area = f["voyage"]
        reg_no = f"HZ{year}-{k:03d}"
        if rng.random() < 0.7:
            reg = dict(f["agent"])
            if reg["word"] in ("子", "儿子"):
                reg["word"] = _pick(rng, ["子", "儿子"])
            elif reg["word"] in ("女", "女儿"):
                reg["word"] = _pick(rng, ["女", "女儿"])
            if rng.random() < 0.15:
                reg["phone"] = people.phone()
        else:
            reg = people.relative(f["sex"], f["surname"], f["age"], f["birth"].year)
        id_printed = f["id_printed"] if rng.random() > 0.18 else None
        if id_printed and len(id_printed) == 15 and rng.random() < 0.4:
            id_printed = f["id18"]  # the family brought the new card this time
        id18 = f["id18"] if id_printed else None
        cert = (
            None
            if rng.random() < 0.05
            else format_cert(year, f["serial"], _pick(rng, CERT_STYLES) if rng.random() < 0.3 else style.cert_style)
        )
        voyage = f"{year % 100:02d}-{vno:02d}" if style.voyage_style == "yy-nn" else f"第{vno}航次"
        onboard = int(_wpick(rng, [1, 2, 3, 4, 5], [0.2, 0.35, 0.25, 0.18, 0.02]))
        remarks = _pick(rng, SEA_REMARKS) if rng.random() < 0.06 else ""
        sex_printed = {"1": "男", "2": "女"}[f["sex"]] if (id18 is None or rng.random() >= 0.03) else ""
        cells = [
            "",
            reg_no,
            crow.record["deceased_name"],
            sex_printed,
            id_printed or "",
            cert or "",
            format_date(vdate, _date_style(rng, style)),
            voyage,
            area,
            reg["name"],
            reg["word"],
            format_phone(reg["phone"], style.phone_style) if reg["phone"] else "",
            f"{onboard}人" if style.count_suffix else str(onboard),
            remarks,
        ]
        record = {
            "funeral_home_code": home.code,
            "registration_no": reg_no,
            "deceased_name": crow.record["deceased_name"],
            "sex_code": f["sex"],
            "id_number": id18,
            "id_number_raw": id_printed,
            "cremation_cert_no": f"{year}{f['serial']:05d}" if cert else None,
            "scattering_date": vdate.isoformat(),
            "voyage_no": voyage,
            "sea_area": area,
            "registrant_name": reg["name"],
            "registrant_relation_code": RELATION_CODES[reg["word"]],
            "registrant_phone": reg["phone"],
            "onboard_count": onboard,
            "remarks": remarks or None,
        }
        facts = {"cremation_date": f["cremation"].isoformat()}
        rows.append(Row(crow.person_id, cells, record, (), False, facts))
        if rng.random() < 0.01:
            rows.append(_restyle_duplicate(rng, style, rows[-1], "sea_burial"))
    for i, row in enumerate(rows):
        row.cells[0] = str(i + 1)
    return Register(seed, home, year, "sea_burial", style, rows)


@lru_cache(maxsize=32)
def _registers(seed: int, slug: str, year: int, overrides_key: str) -> tuple[Register, Register]:
    home = HOME_BY_SLUG[slug]
    ov = json.loads(overrides_key) if overrides_key else {}
    crem, _ = _cremation_register(seed, home, year, ov.get("cremation"))
    sea = _sea_register(seed, home, year, crem, ov.get("sea_burial"))
    return crem, sea


def get_register(
    seed: int, home: str, year: int, kind: str, overrides: dict | None = None, family: "str | Family | None" = None
) -> Register:
    """The register of one (home slug or name, year, kind) for ``seed`` (data only, nothing drawn).
    ``family`` (a name of samples.families.FAMILIES): the same persons, written in that family's form."""
    slug = HOME_BY_NAME[home].slug if home in HOME_BY_NAME else home
    if family is not None:
        return _family_register(
            int(seed), slug, int(year), kind, get_family(family).name, json.dumps(overrides or {}, sort_keys=True)
        )
    crem, sea = _registers(int(seed), slug, int(year), json.dumps(overrides or {}, sort_keys=True))
    return crem if kind == "cremation" else sea


# --------------------------------------------------------------------------- variation families
SPEC_EXTRA_COLUMNS = {"cremation": ("ethnicity_code", "birth_date", "cremation_no", "death_cert_issuer_type"), "sea_burial": ()}
"""Columns of the families beyond the default generator's that are fields of the spec for the kind:
their values are in the truth record; other extra columns ("extra:...") are not."""

RULING_WIDTHS = {"thin": (3, 1), "normal": (4, 2), "thick": (6, 3)}  # (outer, inner) px at 200 dpi


@dataclass
class FamilyStyle:
    """What a variation family (samples.families) drew for one register: the same on all its pages."""

    family: str
    title: str
    columns: list[str]  # spec field, or "extra:..." for a column that is none
    misprints: list[int]  # columns whose header is misprinted or miswritten
    ruling: str  # colour name (samples.families.RULING_RGB)
    ruling_alpha: float
    ruling_width: str
    hand_ruled: bool
    broken: float
    missing_line: int | None  # the vertical line between columns j-1 and j (0-based j) is not printed
    typed: bool  # values printed by a register program, not written
    hands: list[dict[str, Any]]  # the clerks: {"pen", "ink_rgb", "mess"}
    header_hand: bool  # the header and title written by hand (black), not printed with the ruling
    registration_style: str = "hz"


def _cell_map(reg: Register, row: Row) -> dict[str, str]:
    return dict(zip(CREMATION_COLUMNS if reg.kind == "cremation" else SEA_COLUMNS, row.cells))


@lru_cache(maxsize=None)
def _village_set(town: str) -> frozenset[str]:
    return frozenset(_villages_of(town))


def _unlisted_village(addr: str, rng: np.random.Generator) -> str | None:
    """The address with its village replaced by one in no official list (None: not a rural address)."""
    for towns in TOWNS.values():
        for town in towns:
            at = addr.find(town)
            if at < 0:
                continue
            rest = addr[at + len(town) :]
            end = rest.find("村")
            if end < 0:
                return None
            real = _village_set(town)
            for _ in range(30):
                name = (
                    (_pick(rng, VILLAGE_PREFIX) if rng.random() < 0.5 else "")
                    + _pick(rng, VILLAGE_CLAN)
                    + _pick(rng, VILLAGE_SUFFIX)
                    + "村"
                )
                if name not in real and name != rest[: end + 1]:
                    return addr[: at + len(town)] + name + rest[end + 1 :]
            return None
    return None


def _mutate(cells: dict[str, str], rec: dict[str, Any], rng: np.random.Generator, year: int) -> str:
    """A struck-through row's mistake: one value written wrong (the row below it is the right one).
    Changes `cells` and `rec` in place (a certificate's cell is written from `rec` later); returns the
    column changed."""
    options = [c for c in ("deceased_name", "id_number", "cremation_cert_no") if cells.get(c)]
    col = _pick(rng, options)
    text = cells[col]
    if col == "deceased_name":
        new = text[:-1] + _pick(rng, [c for c in GIVEN_OLD_M + GIVEN_OLD_F if c != text[-1]])
        cells[col] = rec["deceased_name"] = new
    elif col == "id_number":
        i = int(rng.integers(6, len(text) - 1))
        new = text[:i] + str((int(text[i]) + 1 + int(rng.integers(0, 8))) % 10) + text[i + 1 :]
        cells[col] = rec["id_number_raw"] = new
        rec["id_number"] = None
    else:
        serial = int(str(rec["cremation_cert_no"])[4:]) + int(_pick(rng, [-1, 1, 10]))
        rec["cremation_cert_no"] = f"{year}{max(1, serial):05d}"
    return col


def _reordered(cols: list[str], r: np.random.Generator) -> list[str]:
    """Another edition's order of the same columns: one to three blocks of one to three neighbouring
    columns moved elsewhere (the serial column, where first, stays first)."""
    head = cols[:1] if cols and cols[0] == "row_no" else []
    rest = cols[len(head) :]
    for _ in range(int(r.integers(1, 4))):
        if len(rest) < 3:
            break
        n = int(r.integers(1, 4))
        i = int(r.integers(0, len(rest) - n + 1))
        block, rest = rest[i : i + n], rest[:i] + rest[i + n :]
        j = int(r.integers(0, len(rest) + 1))
        rest = rest[:j] + block + rest[j:]
    return head + rest


@lru_cache(maxsize=64)
def _family_register(seed: int, slug: str, year: int, kind: str, family: str, overrides_key: str) -> Register:
    """The (seed, home, year) register of `kind` written in `family`'s form: the default generator's
    persons and dates, with the family's columns, header wording, number and date writings, values
    outside every list and struck-through rows. Drawn from streams of its own: the default registers
    are untouched."""
    fam = get_family(family)
    base = get_register(seed, slug, year, kind, json.loads(overrides_key) or None)
    r = _rng(seed, "family", fam.name, slug, year, kind)
    layout = fam.layout[kind]
    cols = [c for c, share in layout if share >= 1 or r.random() < share]
    optional = [c for c, share in layout if share < 1]
    while len(cols) > fam.max_columns:
        cols.remove(_pick(r, [c for c in cols if c in optional]))
    if fam.reorder > 0 and r.random() < fam.reorder:  # drawn only for families with editions (streams kept)
        cols = _reordered(cols, r)
    headers, misprints = [], []
    for j, c in enumerate(cols):
        head = _pick(r, fam.headers.get(c) or EXTRA_HEADERS.get(c) or HEADER_CHOICES[c])
        if r.random() < fam.misprint:
            subs = [(a, b) for a, b in MISPRINTS if a in head]
            if subs:
                a, b = _pick(r, subs)
                head = head.replace(a, b, 1)
                misprints.append(j)
        headers.append(head)
    title = _pick(r, fam.titles.get(kind) or ("{home}" + TITLES[kind] + "（{year}年）",)).format(home=base.home.name, year=year)
    colour = _wpick(r, [c for c, _w in fam.ruling], [w for _c, w in fam.ruling])
    alpha = float(r.uniform(*fam.ruling_alpha))
    width = _wpick(r, [c for c, _w in fam.ruling_width], [w for _c, w in fam.ruling_width])
    hand_ruled = bool(r.random() < fam.hand_ruled)
    broken = round(float(r.uniform(*fam.broken)), 3)
    missing = None
    if r.random() < fam.missing_column_line and len(cols) > 2:
        missing = 1 if cols[0] == "row_no" and r.random() < 0.5 else int(r.integers(1, len(cols)))
    typed = bool(r.random() < fam.typed)
    n_hands = int(r.integers(fam.hands_per_register[0], fam.hands_per_register[1] + 1))
    hands = []
    for _ in range(n_hands):
        ink = _wpick(r, [i for i, _w in fam.inks], [w for _i, w in fam.inks])
        hands.append(
            {
                "pen": _wpick(r, [p for p, _w in fam.pens], [w for _p, w in fam.pens]),
                "ink_rgb": list(ink),
                "mess": round(float(r.uniform(*fam.mess)), 3),
            }
        )
    font = _pick(r, fam.typed_fonts) if typed else HAND_FONTS[0]
    date_style = _wpick(r, [d for d, _w in fam.date_styles], [w for _d, w in fam.date_styles])
    cert_style = _wpick(r, [c for c, _w in fam.cert_styles], [w for _c, w in fam.cert_styles])
    reg_style = _wpick(r, [c for c, _w in fam.registration_styles], [w for _c, w in fam.registration_styles])
    header_hand = not fam.header_in_ruling_colour and not typed
    st = Style(**{**base.style.__dict__})
    st.headers, st.font, st.hand, st.date_style, st.cert_style = headers, font, not typed, date_style, cert_style
    st.font_px_200 = float(r.uniform(*fam.font_px))
    st.header_font = HAND_FONTS[0] if header_hand else _pick(r, ["Noto Sans CJK SC Bold", "Noto Serif CJK SC Bold"])
    st.pen, st.ink_rgb = ("", (22, 22, 26)) if typed else (hands[0]["pen"], tuple(hands[0]["ink_rgb"]))
    furnace_style = _pick(r, ["{n}号炉", "{n}#", "{n}"])
    staff = [_People(r, base.home, year).name(_pick(r, ["1", "2"]), int(r.integers(1960, 1990))) for _ in range(3)]
    fs = FamilyStyle(
        fam.name,
        title,
        cols,
        misprints,
        colour,
        round(alpha, 3),
        width,
        hand_ruled,
        broken,
        missing,
        typed,
        hands,
        header_hand,
        reg_style,
    )

    other_dates = [d for d, _w in fam.date_styles if d != date_style] or [date_style]
    other_certs = [c for c, _w in fam.cert_styles if c != cert_style] or [cert_style]
    per_day: dict[str, int] = {}
    rows: list[tuple[Row, dict[str, str], dict[str, Any], dict[str, Any]]] = []
    hand = 0
    rr = _rng(seed, "family-rows", fam.name, slug, year, kind)
    for i, row in enumerate(base.rows):
        cells = _cell_map(base, row)
        rec = dict(row.record)
        meta: dict[str, Any] = {"cert_style": cert_style if rr.random() < 0.9 else _pick(rr, other_certs)}
        for c in ("death_date", "cremation_date", "scattering_date"):
            if c in cells:
                ds = date_style if rr.random() < 0.85 else _pick(rr, other_dates)
                cells[c] = format_date(dt.date.fromisoformat(rec[c]), ds)
        if kind == "cremation" and "household_address" in cols and rr.random() < fam.unlisted_village:
            new = _unlisted_village(cells["household_address"], rr)
            if new:
                cells["household_address"] = rec["household_address"] = new
        if kind == "sea_burial":
            vr = _rng(seed, "family-sea", fam.name, slug, year, rec["voyage_no"])  # one place per voyage
            u1, u2 = vr.random(), vr.random()
            area = rec["sea_area"]
            if u1 < fam.new_sea_area:
                area = _pick(vr, NEW_SEA_AREAS[slug])
            elif u2 < fam.sea_direction and area.endswith("海域"):
                area = area[:-2] + _pick(vr, SEA_DIRECTIONS) + "海域"
            cells["sea_area"] = rec["sea_area"] = area
            k_reg = int(rec["registration_no"].rsplit("-", 1)[1])
            cells["registration_no"] = rec["registration_no"] = {
                "hz": rec["registration_no"],
                "hz_compact": f"HZ{year}{k_reg:03d}",
                "serial": str(k_reg),
            }[reg_style]
        for name in cells:  # a column this form does not have: nothing written there, nothing to expect
            if name not in cols and name in rec and name not in ("remarks", "cremation_cert_no"):
                rec[name] = None
        if "remarks" not in cols:
            word = cells.get("ashes_destination_code", "")
            rec["remarks"] = f"骨灰去向：{word}" if rec.get("ashes_destination_code") == "9" else None
        facts = row.facts
        if "ethnicity_code" in cols:
            word, code = _wpick(rr, [(e[0], e[1]) for e in ETHNIC_GROUPS], [e[2] for e in ETHNIC_GROUPS])
            cells["ethnicity_code"] = word
            if "ethnicity_code" in SPEC_EXTRA_COLUMNS[kind]:
                rec["ethnicity_code"] = code
        if "birth_date" in cols and facts.get("birth"):
            cells["birth_date"] = format_date(facts["birth"], date_style if date_style != "md" else "dot")
            rec["birth_date"] = facts["birth"].isoformat()
        if "cremation_no" in cols:
            day = rec["cremation_date"]
            per_day[day] = per_day.get(day, 0) + (0 if row.duplicate else 1)
            d = dt.date.fromisoformat(day)
            cells["cremation_no"] = rec["cremation_no"] = f"{d:%m%d}-{max(1, per_day[day]):02d}"
        if "death_cert_issuer_type" in cols:
            word, code = _wpick(rr, [(e[0], e[1]) for e in CERT_ISSUERS], [e[2] for e in CERT_ISSUERS])
            cells["death_cert_issuer_type"], rec["death_cert_issuer_type"] = word, code
        if "extra:furnace_no" in cols:
            cells["extra:furnace_no"] = furnace_style.format(n=int(rr.integers(1, 5)))
        if "extra:fee" in cols:
            cells["extra:fee"] = _pick(rr, ["860.00", "1260.00", "1580", "免"])
        if "extra:clerk" in cols:
            cells["extra:clerk"] = staff[min(2, i // max(1, len(base.rows) // 3))]
        if "extra:workplace" in cols:
            cells["extra:workplace"] = _pick(rr, ["务农", "退休", "无", "个体", "工人", "教师"])
        if "extra:signature" in cols:
            who = rec.get("agent_name") or rec.get("registrant_name") or ""
            cells["extra:signature"] = who if rr.random() < 0.8 else ""
        if n_hands > 1 and r.random() < 0.15:
            hand = (hand + 1 + int(r.integers(0, n_hands - 1))) % n_hands
        if rr.random() < fam.struck:  # a wrong entry, struck through; the right one follows
            wcells, wrec = dict(cells), {k_: v for k_, v in rec.items()}
            changed = _mutate(wcells, wrec, rr, year)
            style = _wpick(rr, ["line", "double", "cross"], [0.6, 0.25, 0.15])
            note = _pick(rr, STRIKE_NOTES) if rr.random() < 0.5 else None
            rows.append(
                (
                    Row(
                        row.person_id,
                        [],
                        wrec,
                        row.wrap_cols,
                        row.duplicate,
                        facts,
                        True,
                        {"style": style, "note": note, "changed": changed},
                        hand,
                    ),
                    wcells,
                    wrec,
                    dict(meta),
                )
            )
        rows.append((Row(row.person_id, [], rec, row.wrap_cols, row.duplicate, facts, False, None, hand), cells, rec, meta))
    out: list[Row] = []
    for n, (row, cells, rec, meta) in enumerate(rows, start=1):
        cells["row_no"] = str(n)
        if cells.get("cremation_cert_no") and rec.get("cremation_cert_no"):
            cert = str(rec["cremation_cert_no"])
            cells["cremation_cert_no"] = format_cert(int(cert[:4]), int(cert[4:]), meta["cert_style"], lead=n)
        wrap = tuple(
            cols.index(CREMATION_COLUMNS[j]) for j in row.wrap_cols if kind == "cremation" and CREMATION_COLUMNS[j] in cols
        )
        row.cells = [cells.get(c, "") for c in cols]
        row.wrap_cols = wrap
        out.append(row)
    return Register(seed, base.home, year, kind, st, out, fs)


# --------------------------------------------------------------------------- drawing
def _skeleton(mask: np.ndarray) -> np.ndarray:
    """Morphological skeleton (Lantuejoul) of a boolean mask, as uint8 0/1: the middle line of every
    stroke, whatever its width."""
    k = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    er = mask.astype(np.uint8)
    skel = np.zeros_like(er)
    while er.any():
        skel |= er & (1 - cv2.morphologyEx(er, cv2.MORPH_OPEN, k))
        er = cv2.erode(er, k)
    return skel


def _text_mask(
    text: str,
    font_name: str,
    size: float,
    hand: bool,
    rng: np.random.Generator,
    squeeze: float = 1.0,
    pen: str = "",
    mess: float = 1.0,
) -> np.ndarray:
    """Tight ink mask (float32 0..1) of one line of text. `mess` scales a hand's jitter (1: the
    default generator's hand; the variation families draw messier ones)."""
    font = _font(font_name, round(size))
    asc, desc = font.getmetrics()
    pad = int(size * 0.3 * mess) + 2
    xs, x = [], float(pad)
    for ch in text:
        dy = float(rng.normal(0, size * 0.025 * mess)) if hand else 0.0
        xs.append((x, dy))
        adv = font.getlength(ch)
        x += adv * (1 + (float(rng.normal(0, 0.04 * mess)) if hand else 0.0)) + (float(rng.uniform(-0.5, 1.5)) if hand else 0.0)
    im = Image.new("L", (int(x) + pad, asc + desc + 2 * pad), 0)
    d = ImageDraw.Draw(im)
    prng = _rng(0, "pen-strokes", text, round(size * 100)) if pen else None
    for ch, (cx, dy) in zip(text, xs):
        # ballpoint: the pressure changes from character to character
        fill = int(255 * prng.uniform(0.7, 1.0)) if pen in ("ballpoint", "pencil") else 255
        d.text((cx, pad + dy), ch, font=font, fill=fill)
    if pen:
        a = np.asarray(im, dtype=np.float32)
        if pen == "felt":  # a thick, blotted stroke
            a = cv2.dilate(a, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
            a = cv2.GaussianBlur(a, (3, 3), 0.8)
        elif pen == "pencil":  # graphite: one narrow grey line, grainy (variation families only)
            pressure = cv2.dilate(a, np.ones((5, 5), np.uint8))
            thin = np.maximum(cv2.erode(a, cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))), _skeleton(a > 100) * pressure)
            a = np.clip(cv2.GaussianBlur(thin, (3, 3), 0.7) * 0.8, 0, 255)
            a *= (0.45 + 0.55 * prng.random(a.shape)).astype(np.float32)
        else:  # ballpoint: a ball draws one narrow line whatever the font's thick and thin strokes
            # (thick strokes thinned, thin ones kept at their middle line, the character's pressure
            # kept), ink skipping where the pen runs dry. Version 1 thinned the font instead (blur,
            # cut 60 grey levels): the hairlines vanished with it, 4 drawn as 1, which no reader could
            # recover.
            pressure = cv2.dilate(a, np.ones((5, 5), np.uint8))
            thin = np.maximum(cv2.erode(a, cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))), _skeleton(a > 100) * pressure)
            a = np.clip(cv2.GaussianBlur(thin, (3, 3), 0.6) * 1.4, 0, 255)
            skips = prng.random(a.shape) < 0.04
            a[skips] *= 0.35
        im = Image.fromarray(a.astype(np.uint8), "L")
    if hand:
        im = im.rotate(float(rng.uniform(-1.6, 1.6)) * mess, resample=Image.Resampling.BICUBIC, expand=True)
    bbox = im.getbbox()
    if bbox:
        im = im.crop(bbox)
    if squeeze < 0.999:
        im = im.resize((max(1, round(im.width * squeeze)), im.height), Image.Resampling.LANCZOS)
    return np.asarray(im, dtype=np.float32) / 255.0


def _text_width(text: str, font_name: str, size: float) -> float:
    return _font(font_name, round(size)).getlength(text)


def _paste_max(layer: np.ndarray, mask: np.ndarray, x: int, y: int, alpha: float = 1.0) -> tuple[int, int, int, int]:
    h, w = mask.shape
    H, W = layer.shape
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return (x0, y0, x0, y0)
    sub = mask[y0 - y : y1 - y, x0 - x : x1 - x] * alpha
    np.maximum(layer[y0:y1, x0:x1], sub, out=layer[y0:y1, x0:x1])
    return (x0, y0, x1, y1)


def _split_two(text: str, font_name: str, size: float, width: float) -> list[str]:
    """Split text into two lines, the first as long as fits (but at least half)."""
    best = max(1, len(text) // 2)
    for i in range(len(text) - 1, 0, -1):
        if _text_width(text[:i], font_name, size) <= width:
            best = max(i, (len(text) + 1) // 2)
            break
    return [text[:best], text[best:]]


def _draw_cell_text(
    layer: np.ndarray,
    text: str,
    box: tuple[int, int, int, int],
    font_name: str,
    size: float,
    hand: bool,
    rng: np.random.Generator,
    align: str,
    force_wrap: bool,
    k: float,
    alpha: float = 1.0,
    pen: str = "",
    mess: float = 1.0,
) -> list[int] | None:
    """Draw ``text`` inside ``box``; returns the ink box or None."""
    if not text:
        return None
    x0, y0, x1, y1 = box
    m = max(3, round(6 * k))
    aw, ah = (x1 - x0) - 2 * m, (y1 - y0) - 2 * m
    if hand:
        size *= float(rng.uniform(0.94, 1.06))
    lines = text.split("\n")
    width = _text_width(text, font_name, size)
    if len(lines) == 1 and (force_wrap or width > aw / 0.66):
        lines = _split_two(text, font_name, size, aw)
        size *= 0.9
    masks = []
    for line in lines:
        lw = _text_width(line, font_name, size) + (len(line) * 0.8 if hand else 0) + 4
        sq = min(1.0, aw / lw) if lw > aw else 1.0
        masks.append(_text_mask(line, font_name, size, hand, rng, squeeze=sq, pen=pen, mess=mess))
    gap = round(size * 0.18)
    th = sum(mm.shape[0] for mm in masks) + gap * (len(masks) - 1)
    tw = max(mm.shape[1] for mm in masks)
    if th > ah or tw > aw:
        f = min(ah / th, aw / tw)
        masks = [
            cv2.resize(mm, (max(1, int(mm.shape[1] * f)), max(1, int(mm.shape[0] * f))), interpolation=cv2.INTER_AREA)
            for mm in masks
        ]
        th = sum(mm.shape[0] for mm in masks) + gap * (len(masks) - 1)
        tw = max(mm.shape[1] for mm in masks)
    slack_y = ah - th
    ty = y0 + m + slack_y // 2 + (int(rng.integers(-slack_y // 4, slack_y // 4 + 1)) if hand and slack_y > 4 else 0)
    ink = [10**9, 10**9, -1, -1]
    for mm in masks:
        slack_x = aw - mm.shape[1]
        if align == "left":
            tx = x0 + m + (int(rng.integers(0, max(1, min(slack_x, round(14 * k))) + 1)) if hand else round(4 * k))
        else:
            tx = x0 + m + slack_x // 2 + (int(rng.integers(-slack_x // 4, slack_x // 4 + 1)) if hand and slack_x > 4 else 0)
        tx = min(max(tx, x0 + m), x0 + m + max(0, slack_x))
        bx = _paste_max(layer, mm, tx, ty, alpha)
        ink = [min(ink[0], bx[0]), min(ink[1], bx[1]), max(ink[2], bx[2]), max(ink[3], bx[3])]
        ty += mm.shape[0] + gap
    return ink


FAMILY_NOMINAL = {
    "ethnicity_code": "朝鲜族",
    "cremation_no": "1227-07",
    "death_cert_issuer_type": "居委会",
    "extra:furnace_no": "3号炉",
    "extra:fee": "1260.00",
    "extra:clerk": "王建国",
    "extra:signature": "王建国",
    "extra:workplace": "退休",
}


def _nominal(col: str, st: Style, year: int) -> str:
    d = dt.date(year, 12, 27)
    if col in FAMILY_NOMINAL:
        return FAMILY_NOMINAL[col]
    if col == "birth_date":
        return format_date(dt.date(1935, 12, 27), st.date_style if st.date_style != "md" else "dot")
    return {
        "row_no": "9999",
        "cremation_cert_no": format_cert(year, 514, st.cert_style, lead=999),
        "deceased_name": "王秀英",
        "sex_code": "男",
        "age_years": "100岁" if st.age_suffix else "100",
        "id_number": "370602193504071228",
        "household_address": "芝罘区幸福街道北马路12",
        "death_date": format_date(d, st.date_style if st.date_style != "hanzi" else "cjk"),
        "cremation_date": format_date(d, st.date_style),
        "scattering_date": format_date(d, st.date_style),
        "death_cause_code": "自然死亡",
        "ashes_destination_code": "骨灰寄存",
        "agent_name": "王建国",
        "agent_relation_code": "女儿",
        "registrant_relation_code": "女儿",
        "registrant_name": "王建国",
        "agent_phone": "139 1234 5678" if st.phone_style == "spaced" else "0535-6123456",
        "registrant_phone": "139 1234 5678" if st.phone_style == "spaced" else "0535-6123456",
        "remarks": "惠民殡葬",
        "registration_no": "HZ2013-015",
        "voyage_no": "第12航次" if st.voyage_style != "yy-nn" else "13-04",
        "sea_area": "芝罘卧佛岛海域",
        "onboard_count": "4人",
    }[col]


def _layout(st: Style, reg: Register, w: int, h: int, k: float) -> dict[str, Any]:
    """Column x boundaries, row y boundaries and font sizes for the register's printed form."""
    cols = reg.columns
    fs = st.font_px_200 * k
    avail = w - 2 * round(0.04 * w)
    hfs = fs * 0.9
    min_fs = 24 if reg.fam is None else 17  # a family's form may hold more columns in smaller print
    for _ in range(30 if reg.fam is None else 60):
        pad = fs * 0.38
        widths = []
        for c, head in zip(cols, st.headers):
            cw = _text_width(_nominal(c, st, reg.year), st.font, fs) * (1.06 if st.hand else 1.0)
            hw = _text_width(head, st.header_font, hfs)
            if len(head) >= 4 and hw > cw:
                hw = _text_width(head[: (len(head) + 1) // 2], st.header_font, hfs)
            widths.append(max(cw, hw, 1.6 * fs) + 2 * pad)
        if sum(widths) <= avail or fs <= min_fs * k:
            break
        fs *= 0.97
        hfs = fs * 0.9
    extra = avail - sum(widths)
    if extra > 0:
        share = {"household_address": 0.35, "remarks": 0.2, "sea_area": 0.3}
        rest = 1 - sum(share.get(c, 0) for c in cols)
        others = [c for c in cols if c not in share]
        for i, c in enumerate(cols):
            widths[i] += extra * (share[c] if c in share else rest / len(others))
    table_w = sum(widths)
    x_left = round((w - table_w) / 2)
    xs = [x_left]
    for cw in widths:
        xs.append(xs[-1] + cw)
    xs = [round(x) for x in xs]
    top = round(0.135 * h)
    bottom = h - round(0.075 * h)
    header_h = round(2.7 * hfs)
    row_h = min(round(4.2 * fs), (bottom - top - header_h) // st.rows_per_page)
    ys = [top, top + header_h] + [top + header_h + (i + 1) * row_h for i in range(st.rows_per_page)]
    return {"xs": xs, "ys": ys, "fs": fs, "hfs": hfs}


def _draw_line(draw: ImageDraw.ImageDraw, p0, p1, width: int, fill: int, broken: float, rng) -> None:
    if broken <= 0:
        draw.line([p0, p1], fill=fill, width=width)
        return
    (xa, ya), (xb, yb) = p0, p1
    length = math.hypot(xb - xa, yb - ya)
    t = 0.0
    while t < length:
        seg = float(rng.uniform(40, 400))
        gap = float(rng.uniform(3, 25)) if rng.random() < broken else 0.0
        t1 = min(length, t + seg)
        f = int(fill * float(rng.uniform(0.55, 1.0))) if rng.random() < broken else fill
        draw.line(
            [
                (xa + (xb - xa) * t / length, ya + (yb - ya) * t / length),
                (xa + (xb - xa) * t1 / length, ya + (yb - ya) * t1 / length),
            ],
            fill=f,
            width=width,
        )
        t = t1 + gap


def _stamp_mask(home: Home, radius: int, rng: np.random.Generator, k: float) -> np.ndarray:
    size = 2 * radius + 8
    im = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(im)
    c = size / 2
    ring = max(3, round(radius * 0.055))
    d.ellipse([c - radius, c - radius, c + radius, c + radius], outline=255, width=ring)
    # five-pointed star
    rs, ri = radius * 0.27, radius * 0.27 * 0.382
    pts = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = rs if i % 2 == 0 else ri
        pts.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(pts, fill=255)
    text = home.name
    cs = round(radius * 0.30)
    font = _font("Noto Serif CJK SC Bold", cs)
    span = math.radians(230)
    r_txt = radius - ring - cs * 0.62
    for i, ch in enumerate(text):
        a = -span / 2 + span * (i + 0.5) / len(text)
        gm = Image.new("L", (cs * 2, cs * 2), 0)
        ImageDraw.Draw(gm).text((cs, cs), ch, font=font, fill=255, anchor="mm")
        gm = gm.rotate(-math.degrees(a), resample=Image.Resampling.BICUBIC)
        px, py = c + r_txt * math.sin(a), c - r_txt * math.cos(a)
        im.paste(255, (round(px - cs), round(py - cs)), gm)
    sub = "业务专用章"
    sf = _font("Noto Serif CJK SC Bold", round(radius * 0.17))
    d.text((c, c + radius * 0.55), sub, font=sf, fill=255, anchor="mm")
    im = im.rotate(float(rng.uniform(-30, 30)), resample=Image.Resampling.BICUBIC)
    a = np.asarray(im, dtype=np.float32) / 255.0
    speck = cv2.GaussianBlur(rng.random(a.shape).astype(np.float32), (0, 0), 2.5 * k)
    speck = np.clip((speck - 0.35) * 4.0, 0.15, 1.0)
    return a * speck * float(rng.uniform(0.65, 0.9))


def _degradation_params(rng: np.random.Generator, severity: float, w: int, h: int) -> dict[str, Any]:
    s = float(severity)
    if s <= 0:
        return {
            "severity": 0.0,
            "rotation_deg": 0.0,
            "perspective_px": [[0, 0]] * 4,
            "shift_px": [0, 0],
            "scale": 1.0,
            "black_border": False,
            "fade": 1.0,
            "broken_lines": 0.0,
            "illumination": {"gradient": 0.0, "angle_deg": 0.0, "vignette": 0.0},
            "blur_sigma": 0.0,
            "noise_sigma": 0.0,
            "paper_rgb": [253, 253, 251],
            "stamp": None,
            "jpeg_quality": 92,
        }
    rot_max = min(5.0, 3.0 * s)
    pj = 0.006 * s * min(w, h)
    black = bool(rng.random() < 0.3 * min(1.5, s))
    tint = float(rng.uniform(0, 14)) * min(1.5, s)
    return {
        "severity": round(s, 3),
        "rotation_deg": round(float(rng.uniform(-rot_max, rot_max)), 3),
        "perspective_px": [[round(float(rng.uniform(-pj, pj)), 1), round(float(rng.uniform(-pj, pj)), 1)] for _ in range(4)],
        "shift_px": [round(float(rng.uniform(-0.01, 0.01) * w * s), 1), round(float(rng.uniform(-0.01, 0.01) * h * s), 1)],
        "scale": round(float(rng.uniform(0.95, 0.985)), 4) if black else 1.0,
        "black_border": black,
        "fade": round(float(max(0.45, 1 - rng.uniform(0, 0.35) * s)), 3),
        "broken_lines": round(float(min(0.6, rng.uniform(0, 0.3) * s)) if rng.random() < 0.6 else 0.0, 3),
        "illumination": {
            "gradient": round(float(rng.uniform(0, 0.16) * s), 3),
            "angle_deg": round(float(rng.uniform(0, 360)), 1),
            "vignette": round(float(rng.uniform(0, 0.14) * s), 3),
        },
        "blur_sigma": round(float(rng.uniform(0.2, 0.9) * s), 3),
        "noise_sigma": round(float(rng.uniform(2.0, 6.0) * s), 3),
        "paper_rgb": [round(252 - tint * 0.3), round(250 - tint * 0.6), round(245 - tint)],
        "stamp": "pending" if rng.random() < min(0.9, 0.45 * s) else None,
        "jpeg_quality": int(np.clip(round(90 - rng.uniform(8, 22) * s), 40, 95)),
    }


def _homography(p: dict[str, Any], w: int, h: int) -> np.ndarray:
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    c = np.array([w / 2, h / 2], dtype=np.float64)
    a = math.radians(p["rotation_deg"])
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    dst = []
    for (x, y), (jx, jy) in zip(src.astype(np.float64), p["perspective_px"]):
        v = rot @ ((np.array([x, y]) - c) * p["scale"]) + c + np.array(p["shift_px"]) + np.array([jx, jy])
        dst.append(v)
    return cv2.getPerspectiveTransform(src, np.float32(dst))


def _degrade(rgb: np.ndarray, p: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    h, w = rgb.shape[:2]
    img = rgb
    if p["fade"] < 1.0:
        img = 255.0 - (255.0 - img) * p["fade"]
    il = p["illumination"]
    if il["gradient"] > 0 or il["vignette"] > 0:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        a = math.radians(il["angle_deg"])
        ramp = ((xx - w / 2) * math.cos(a) + (yy - h / 2) * math.sin(a)) / (0.5 * math.hypot(w, h))
        r2 = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2
        field_ = 1.0 - il["gradient"] * (ramp + 1) / 2 - il["vignette"] * r2 / 2
        img = img * field_[..., None]
    H = _homography(p, w, h)
    border = (18.0, 18.0, 20.0) if p["black_border"] else tuple(float(v) for v in p["paper_rgb"])
    if p.get("background_rgb"):  # a photographed page: the desk around it
        border = tuple(float(v) for v in p["background_rgb"])
    img = cv2.warpPerspective(
        img.astype(np.float32), H, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )
    if p.get("shadow"):  # the shadow of a hand or a phone over part of a photographed page
        img = img * _shadow_field(p["shadow"], w, h)[..., None]
    if p["black_border"]:
        side = int(rng.integers(0, 4))
        bw = int(rng.integers(8, 40))
        if side == 0:
            img[:, :bw] = 18.0
        elif side == 1:
            img[:, w - bw :] = 18.0
        elif side == 2:
            img[:bw, :] = 18.0
        else:
            img[h - bw :, :] = 18.0
    if p["blur_sigma"] > 0:
        img = cv2.GaussianBlur(img, (0, 0), p["blur_sigma"])
    if p["noise_sigma"] > 0:
        luma = rng.normal(0, p["noise_sigma"], size=(h, w)).astype(np.float32)
        img = img + luma[..., None]
        chroma = rng.normal(0, p["noise_sigma"] * 0.25, size=(h // 4 + 1, w // 4 + 1, 3)).astype(np.float32)
        img = img + cv2.resize(chroma, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(img, 0, 255).round().astype(np.uint8), H


def _header_text(head: str, font: str, hfs: float, cw: float) -> str:
    """A header wording as drawn in a cell `cw` px wide: on two lines when it does not fit on one."""
    if _text_width(head, font, hfs) > cw and len(head) >= 3:
        cut = HEADER_SPLITS.get(head, (len(head) + 1) // 2)
        return head[:cut] + "\n" + head[cut:]
    return head


def _draw_page(
    reg: Register, page: int, severity: float, dpi: int, orientation: int | None = None
) -> tuple[Image.Image, dict[str, Any]]:
    if not 150 <= dpi <= 300:
        raise ValueError("dpi must be within 150..300")
    if reg.fam is not None:
        return _draw_family_page(reg, page, severity, dpi, orientation)
    k = dpi / 200.0
    w, h = round(297 / 25.4 * dpi), round(210 / 25.4 * dpi)
    st = reg.style
    prng = _rng(reg.seed, "page", reg.home.slug, reg.year, reg.kind, page, dpi, round(severity * 1000))
    deg = _degradation_params(
        _rng(reg.seed, "degrade", reg.home.slug, reg.year, reg.kind, page, round(severity * 1000)), severity, w, h
    )
    lay = _layout(st, reg, w, h, k)
    xs, ys, fs, hfs = lay["xs"], lay["ys"], lay["fs"], lay["hfs"]
    form = Image.new("L", (w, h), 0)
    fd = ImageDraw.Draw(form)
    # title and page label
    title = reg.title
    tfont = _font(st.header_font.replace(" Bold", "") + " Bold", round(fs * 1.75))
    ty = round(0.045 * h)
    fd.text((w / 2, ty), title, font=tfont, fill=255, anchor="mt")
    label = f"第 {page} 页"
    lfont = _font("Noto Sans CJK SC", round(fs * 0.95))
    if st.label_pos == "top-right":
        fd.text((xs[-1], round(0.085 * h)), label, font=lfont, fill=235, anchor="rt")
    else:
        fd.text((w / 2, h - round(0.045 * h)), label, font=lfont, fill=235, anchor="mm")
    # ruling
    outer, inner = max(3, round(4 * k)), max(1, round(2 * k))
    broken = deg["broken_lines"]
    for x in xs[1:-1]:
        _draw_line(fd, (x, ys[0]), (x, ys[-1]), inner, 225, broken, prng)
    for i, y in enumerate(ys[1:-1], start=1):
        _draw_line(fd, (xs[0], y), (xs[-1], y), outer - 1 if i == 1 else inner, 225, broken if i > 1 else 0, prng)
    fd.rectangle([xs[0], ys[0], xs[-1], ys[-1]], outline=255, width=outer)
    form_a = np.asarray(form, dtype=np.float32) / 255.0
    form_a = form_a.copy()
    # header
    header_boxes = []
    for j, head in enumerate(st.headers):
        box = (xs[j], ys[0], xs[j + 1], ys[1])
        header_boxes.append(list(box))
        text = _header_text(head, st.header_font, hfs, box[2] - box[0] - 2 * max(3, round(6 * k)))
        _draw_cell_text(form_a, text, box, st.header_font, hfs, False, prng, "center", False, k)
    # cells
    hand_a = np.zeros((h, w), np.float32)
    rows_gt = []
    rows = reg.page_rows(page)
    cols = reg.columns
    left_cols = {"household_address", "remarks", "sea_area"}
    for i, row in enumerate(rows):
        boxes, inks = [], []
        pressure = float(prng.uniform(0.8, 1.0)) if st.hand else 1.0
        for j, text in enumerate(row.cells):
            box = (xs[j], ys[i + 1], xs[j + 1], ys[i + 2])
            boxes.append(list(box))
            ink = _draw_cell_text(
                hand_a,
                text,
                box,
                st.font,
                fs,
                st.hand,
                prng,
                "left" if cols[j] in left_cols else "center",
                j in row.wrap_cols,
                k,
                pressure,
                st.pen if st.hand else "",
            )
            inks.append(ink)
        gt = {
            "row": i + 1,
            "person_id": row.person_id,
            "cells": list(row.cells),
            "record": dict(row.record),
            "cell_boxes": boxes,
            "ink_boxes": inks,
        }
        if row.duplicate:
            gt["duplicate"] = True
        if row.wrap_cols:
            gt["wrapped_columns"] = [cols[j] for j in row.wrap_cols]
        rows_gt.append(gt)
    # stamp
    stamp_a = None
    if deg["stamp"]:
        radius = round(165 * k * float(prng.uniform(0.9, 1.05)))
        sm = _stamp_mask(reg.home, radius, prng, k)
        cx = round(float(prng.uniform(xs[0] + radius * 0.5, xs[-1] - radius * 0.5)))
        cy = round(float(prng.uniform(ys[1] + radius * 0.3, ys[-1] - radius * 0.3)))
        stamp_a = np.zeros((h, w), np.float32)
        _paste_max(stamp_a, sm, cx - sm.shape[1] // 2, cy - sm.shape[0] // 2)
        deg["stamp"] = {"text": reg.home.name, "center": [cx, cy], "radius": radius}
    # composite
    paper = np.empty((h, w, 3), np.float32)
    paper[:] = np.array(deg["paper_rgb"], np.float32)
    if severity > 0:
        tex = cv2.resize(
            prng.normal(0, 1, size=(h // 64 + 2, w // 64 + 2)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC
        )
        paper += (tex * 2.5 * min(severity, 1.5))[..., None]
    form_rgb = np.array([22, 22, 26], np.float32)
    img = paper * (1 - form_a[..., None]) + form_rgb * form_a[..., None]
    ha = hand_a[..., None] * (0.95 if st.hand else 1.0)
    img = img * (1 - ha) + np.array(st.ink_rgb, np.float32) * ha
    if stamp_a is not None:
        red = np.array([205, 35, 45], np.float32) / 255.0
        sa = stamp_a[..., None]
        img = img * (1 - sa) + img * red * sa
    out, H = _degrade(img, deg, prng)
    deg["homography"] = [[round(float(v), 6) for v in r_] for r_ in H]
    image = Image.fromarray(out, "RGB")
    gt = {
        "page": 1,
        "ledger_kind": reg.kind,
        "title": title,
        "funeral_home": reg.home.name,
        "funeral_home_code": reg.home.code,
        "year": reg.year,
        "page_label": label,
        "register_page": page,
        "dpi": dpi,
        "width": w,
        "height": h,
        "font": st.font,
        "handwritten": st.hand,
        **({"pen": st.pen} if st.hand and st.pen else {}),
        "header_font": st.header_font,
        "font_px": round(fs, 1),
        "degradation": deg,
        "header": list(st.headers),
        "columns": list(cols),
        "rows_per_page": st.rows_per_page,
        "table_box": [xs[0], ys[0], xs[-1], ys[-1]],
        "grid": {"x": xs, "y": ys},
        "header_boxes": header_boxes,
        "rows": rows_gt,
    }
    return image, gt


# --------------------------------------------------------------------------- drawing the variation families
COVER_RGB = ((178, 150, 110), (58, 70, 112), (118, 42, 40), (42, 72, 60))


def _shadow_field(sh: dict[str, Any], w: int, h: int) -> np.ndarray:
    """Multiplicative light field (float32 h x w) of a soft shadow polygon (scan pixel coordinates)."""
    q = 4
    mask = np.zeros((h // q + 1, w // q + 1), np.float32)
    pts = np.round(np.asarray(sh["polygon"], np.float64) / q).astype(np.int32)
    cv2.fillPoly(mask, [pts], 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, sh["soft_px"] / q))
    mask = cv2.resize(mask, (w, h), interpolation=cv2.INTER_LINEAR)
    return (1.0 - sh["strength"] * mask).astype(np.float32)


def _family_degradation(p: dict[str, Any], fam: Family, rng: np.random.Generator, w: int, h: int) -> dict[str, Any]:
    """The default degradations (`_degradation_params`) adapted to the family's kind of scan."""
    p = dict(p)
    if fam.scan == "photo":  # a phone held at a slant over a book lying on a desk
        ph = fam.photo
        m = min(w, h)
        a, b = float(rng.uniform(*ph.inset_far)) * m, float(rng.uniform(*ph.inset_near)) * m
        e, f = float(rng.uniform(*ph.drop_far)) * m, float(rng.uniform(*ph.drop_near)) * m
        far = int(rng.integers(0, 4))  # which edge of the page is farthest from the lens
        corners = {
            0: [[a, e], [-a, e], [-b, -f], [b, -f]],
            1: [[f, b], [-e, a], [-e, -a], [f, -b]],
            2: [[b, f], [-b, f], [-a, -e], [a, -e]],
            3: [[e, a], [-f, b], [-f, -b], [e, -a]],
        }[far]
        p["perspective_px"] = [
            [round(x + float(rng.normal(0, ph.jitter * m)), 1), round(y + float(rng.normal(0, ph.jitter * m)), 1)]
            for x, y in corners
        ]
        p["rotation_deg"] = round(float(rng.uniform(*ph.rotation_deg)), 3)
        p["scale"] = round(float(rng.uniform(*ph.scale)), 4)
        p["shift_px"] = [round(float(rng.uniform(*ph.shift)) * w, 1), round(float(rng.uniform(*ph.shift)) * h, 1)]
        p["black_border"] = False
        p["background_rgb"] = list(_pick(rng, ph.desk_rgb))
        side = int(rng.integers(0, 4))
        depth = float(rng.uniform(*ph.shadow_depth))
        pts = {
            0: [[0, 0], [w * depth, 0], [w * depth * float(rng.uniform(0.5, 1.3)), h], [0, h]],
            1: [[w, 0], [w * (1 - depth), 0], [w * (1 - depth * float(rng.uniform(0.5, 1.3))), h], [w, h]],
            2: [[0, 0], [w, 0], [w, h * depth], [0, h * depth * float(rng.uniform(0.5, 1.3))]],
            3: [[0, h], [w, h], [w, h * (1 - depth)], [0, h * (1 - depth * float(rng.uniform(0.5, 1.3)))]],
        }[side]
        p["shadow"] = {
            "polygon": [[round(x, 1), round(y, 1)] for x, y in pts],
            "strength": round(float(rng.uniform(*ph.shadow_strength)), 3),
            "soft_px": round(float(rng.uniform(*ph.shadow_soft_px)), 1),
        }
        p["illumination"] = {
            "gradient": round(float(rng.uniform(*ph.gradient)), 3),
            "angle_deg": round(float(rng.uniform(0, 360)), 1),
            "vignette": round(float(rng.uniform(*ph.vignette)), 3),
        }
        p["blur_sigma"] = round(float(rng.uniform(*ph.blur_sigma)), 3)
        p["noise_sigma"] = round(float(rng.uniform(*ph.noise_sigma)), 3)
        p["jpeg_quality"] = int(rng.integers(*ph.jpeg_quality))
    elif fam.scan == "bilevel":  # a sheet-fed office scanner set to black and white
        p["rotation_deg"] = round(float(rng.uniform(-1.5, 1.5)), 3)
        p["perspective_px"] = [[0.0, 0.0]] * 4
        p["black_border"], p["scale"] = False, 1.0
        p["paper_rgb"] = [250, 250, 248]
        p["bilevel"] = {"threshold": int(rng.integers(150, 186)), "speckle": round(float(rng.uniform(0.0, 3e-4)), 6)}
    if fam.grey and rng.random() < fam.grey:
        p["grey"] = True
    return p


def _turn_matrix(o: int, w: int, h: int) -> np.ndarray:
    """Scan pixel coordinates of an upright w x h image -> of the same image turned `o` degrees clockwise."""
    return np.array(
        {0: [[1, 0, 0], [0, 1, 0]], 90: [[0, -1, h], [1, 0, 0]], 180: [[-1, 0, w], [0, -1, h]], 270: [[0, 1, 0], [-1, 0, w]]}[o]
        + [[0, 0, 1]],
        dtype=np.float64,
    )


def _scan_out(
    out: np.ndarray, H: np.ndarray, deg: dict[str, Any], turn: int, rng: np.random.Generator
) -> tuple[Image.Image, np.ndarray]:
    """The degraded page as the scanner or phone saved it: grey or 1-bit where the family's scan is,
    turned `turn` degrees clockwise; H (page -> scan pixels) turned with it."""
    h, w = out.shape[:2]
    if deg.get("bilevel"):
        gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.float32) + rng.normal(0, 6, size=(h, w)).astype(np.float32)
        ink = gray < deg["bilevel"]["threshold"]
        ink |= rng.random((h, w)) < deg["bilevel"]["speckle"]
        arr, mode = np.where(ink, 0, 255).astype(np.uint8), "1"
    elif deg.get("grey"):
        arr, mode = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY), "L"
    else:
        arr, mode = out, "RGB"
    if turn:
        arr = np.ascontiguousarray(np.rot90(arr, {90: -1, 180: 2, 270: 1}[turn]))
        H = _turn_matrix(turn, w, h) @ H
    image = Image.fromarray(arr, "L" if mode != "RGB" else "RGB")
    return (image.convert("1", dither=Image.Dither.NONE) if mode == "1" else image), H


def _draw_family_line(
    draw: ImageDraw.ImageDraw,
    p0,
    p1,
    width: int,
    fill: int,
    broken: float,
    rng: np.random.Generator,
    stretch: tuple[float, float] | None,
    wobble: float,
) -> None:
    """A ruling line as a family prints or draws it: broken into gaps, a stretch not printed at all
    (fractions of its length), wobbling `wobble` px a step where it was drawn by hand."""
    (xa, ya), (xb, yb) = p0, p1
    length = math.hypot(xb - xa, yb - ya)
    ux, uy = (xb - xa) / length, (yb - ya) / length
    t, off = 0.0, 0.0
    while t < length:
        t1 = min(length, t + float(rng.uniform(20, 70)))
        off1 = float(np.clip(off + rng.normal(0, wobble), -5 * wobble, 5 * wobble)) if wobble else 0.0
        t0 = t + (float(rng.uniform(3, 18)) if rng.random() < broken else 0.0)
        f = int(fill * float(rng.uniform(0.5, 1.0))) if rng.random() < broken else fill
        if t0 < t1 and not (stretch and stretch[0] * length <= t1 and t0 <= stretch[1] * length):
            draw.line(
                [(xa + ux * t0 - uy * off, ya + uy * t0 + ux * off), (xa + ux * t1 - uy * off1, ya + uy * t1 + ux * off1)],
                fill=f,
                width=width,
            )
        t, off = t1, off1


def _draw_strike(
    layer: np.ndarray, row: Row, boxes: list, inks: list, rng: np.random.Generator, k: float, fs: float, pen: str
) -> dict[str, Any]:
    """Strike a wrong entry through (one line, two, or a cross over the row), and write the note
    (作废, 错 ...) in the row's last empty cell; returns what the truth says of it."""
    written = [b for b in inks if b]
    x0, x1 = min(b[0] for b in written) - round(6 * k), max(b[2] for b in written) + round(6 * k)
    y_top, y_bot = boxes[0][1], boxes[0][3]
    rh = y_bot - y_top
    ym = (y_top + y_bot) / 2 + float(rng.normal(0, rh * 0.05))
    tilt = float(rng.normal(0, rh * 0.08))
    style = row.strike["style"]
    if style == "line":
        lines = [(x0, ym - tilt, x1, ym + tilt)]
    elif style == "double":
        lines = [(x0, ym - 0.13 * rh - tilt, x1, ym - 0.13 * rh + tilt), (x0, ym + 0.13 * rh - tilt, x1, ym + 0.13 * rh + tilt)]
    else:
        lines = [(x0, y_top + 0.2 * rh, x1, y_bot - 0.2 * rh), (x0, y_bot - 0.2 * rh, x1, y_top + 0.2 * rh)]
    th = max(2, round(2.2 * k))
    for xa, ya, xb, yb in lines:
        cv2.line(layer, (round(xa), round(ya)), (round(xb), round(yb)), 0.92, thickness=th, lineType=cv2.LINE_AA)
    out: dict[str, Any] = {
        "style": style,
        "lines": [[round(v) for v in ln] for ln in lines],
        "changed": row.strike["changed"],
        "note": None,
    }
    empty = [j for j, text in enumerate(row.cells) if not text]
    if row.strike.get("note") and empty:
        j = empty[-1]
        out["note"], out["note_cell"] = row.strike["note"], j
        out["note_box"] = _draw_cell_text(
            layer, row.strike["note"], tuple(boxes[j]), HAND_FONTS[0], fs, True, rng, "center", False, k, 1.0, pen, mess=1.3
        )
    return out


def _draw_family_page(
    reg: Register, page: int, severity: float, dpi: int, orientation: int | None
) -> tuple[Image.Image, dict[str, Any]]:
    """One page of a register drawn in a variation family's form (samples.families)."""
    fst = reg.fam
    fam = get_family(fst.family)
    k = dpi / 200.0
    w, h = round(297 / 25.4 * dpi), round(210 / 25.4 * dpi)
    st = reg.style
    keys = (fam.name, reg.home.slug, reg.year, reg.kind, page, dpi)
    frng = _rng(reg.seed, "family-page", *keys)
    prng = _rng(reg.seed, "family-ink", *keys, round(severity * 1000))
    sev = severity * float(frng.uniform(*fam.severity))
    deg = _family_degradation(_degradation_params(_rng(reg.seed, "family-degrade", *keys), sev, w, h), fam, frng, w, h)
    turn = (
        orientation
        if orientation is not None
        else int(_wpick(frng, [o for o, _w in fam.orientation], [x for _o, x in fam.orientation]))
    )
    if turn not in (0, 90, 180, 270):
        raise ValueError("orientation must be 0, 90, 180 or 270")
    lay = _layout(st, reg, w, h, k)
    xs, ys, fs, hfs = lay["xs"], lay["ys"], lay["fs"], lay["hfs"]
    rule, form = Image.new("L", (w, h), 0), Image.new("L", (w, h), 0)
    rd, fd = ImageDraw.Draw(rule), ImageDraw.Draw(form)
    title = reg.title
    fd.text(
        (w / 2, round(0.045 * h)),
        title,
        font=_font(HAND_FONTS[0] if fst.header_hand else st.header_font, round(fs * 1.75)),
        fill=255,
        anchor="mt",
    )
    label = f"第 {page} 页"
    lfont = _font("Noto Sans CJK SC", round(fs * 0.95))
    if st.label_pos == "top-right":
        fd.text((xs[-1], round(0.085 * h)), label, font=lfont, fill=235, anchor="rt")
    else:
        fd.text((w / 2, h - round(0.045 * h)), label, font=lfont, fill=235, anchor="mm")
    # ruling
    o200, i200 = RULING_WIDTHS[fst.ruling_width]
    outer, inner = max(2, round(o200 * k)), max(1, round(i200 * k))
    wobble = 0.8 * k if fst.hand_ruled else 0.0
    stretches: list[list[int]] = []

    def line(p0, p1, width: int, broken: float) -> None:
        stretch = None
        if frng.random() < fam.missing_stretch:
            a = float(frng.uniform(0, 0.75))
            stretch = (a, a + float(frng.uniform(0.12, 0.35)))
            (xa, ya), (xb, yb) = p0, p1
            stretches.append(
                [
                    round(xa + (xb - xa) * stretch[0]),
                    round(ya + (yb - ya) * stretch[0]),
                    round(xa + (xb - xa) * min(1.0, stretch[1])),
                    round(ya + (yb - ya) * min(1.0, stretch[1])),
                ]
            )
        _draw_family_line(rd, p0, p1, width, 255, broken, frng, stretch, wobble)

    for j, x in enumerate(xs):
        if j != fst.missing_line:
            line((x, ys[0]), (x, ys[-1]), outer if j in (0, len(xs) - 1) else inner, fst.broken)
    for i, y in enumerate(ys):
        edge = i in (0, len(ys) - 1)
        line(
            (xs[0], y),
            (xs[-1], y),
            outer if edge else (max(inner, outer - 1) if i == 1 else inner),
            fst.broken * (0.3 if edge else 1.0),
        )
    rule_a = np.asarray(rule, dtype=np.float32) / 255.0
    form_a = np.asarray(form, dtype=np.float32).copy() / 255.0
    # the clerks' ink (one layer each), the register program's print, a red pen for strikes on print
    layers = [np.zeros((h, w), np.float32) for _ in fst.hands]
    typed_a = np.zeros((h, w), np.float32) if fst.typed else None
    # header
    header_boxes = []
    for j, head in enumerate(st.headers):
        box = (xs[j], ys[0], xs[j + 1], ys[1])
        header_boxes.append(list(box))
        text = _header_text(head, st.header_font, hfs, box[2] - box[0] - 2 * max(3, round(6 * k)))
        if fst.header_hand:
            _draw_cell_text(
                layers[0],
                text,
                box,
                st.header_font,
                hfs,
                True,
                prng,
                "center",
                False,
                k,
                1.0,
                fst.hands[0]["pen"],
                mess=fst.hands[0]["mess"],
            )
        else:
            _draw_cell_text(form_a, text, box, st.header_font, hfs, False, prng, "center", False, k)
    # cells
    rows_gt = []
    cols = reg.columns
    left_cols = {"household_address", "remarks", "sea_area"}
    for i, row in enumerate(reg.page_rows(page)):
        hand = fst.hands[row.hand]
        layer = typed_a if typed_a is not None else layers[row.hand]
        boxes, inks = [], []
        pressure = float(prng.uniform(0.8, 1.0)) if st.hand else 1.0
        for j, text in enumerate(row.cells):
            box = (xs[j], ys[i + 1], xs[j + 1], ys[i + 2])
            boxes.append(list(box))
            signature = cols[j] == "extra:signature"  # signed by the family member, in a hand of their own
            written = st.hand or signature
            inks.append(
                _draw_cell_text(
                    layer if not signature else layers[row.hand],
                    text,
                    box,
                    st.font if not signature else HAND_FONTS[0],
                    fs,
                    written,
                    prng,
                    "left" if cols[j] in left_cols else "center",
                    j in row.wrap_cols,
                    k,
                    pressure,
                    hand["pen"] if written else "",
                    mess=(hand["mess"] * (1.6 if signature else 1.0)) if written else 1.0,
                )
            )
        gt = {
            "row": i + 1,
            "person_id": row.person_id,
            "cells": list(row.cells),
            "record": dict(row.record),
            "cell_boxes": boxes,
            "ink_boxes": inks,
            "hand": row.hand,
        }
        if row.duplicate:
            gt["duplicate"] = True
        if row.wrap_cols:
            gt["wrapped_columns"] = [cols[j] for j in row.wrap_cols]
        if row.struck:
            gt["struck"] = True
            gt["expected_status"] = "needs_review"
            gt["strike"] = _draw_strike(layers[row.hand], row, boxes, inks, frng, k, fs, hand["pen"])
        rows_gt.append(gt)
    # stamp
    stamp_a = None
    deg["stamp"] = None
    if frng.random() < fam.stamp:
        radius = round(165 * k * float(frng.uniform(0.85, 1.05)))
        sm = _stamp_mask(reg.home, radius, frng, k)
        on_line = bool(frng.random() < fam.stamp_on_line) and len(xs) > 2 and len(ys) > 3
        if on_line:
            cx = round(xs[int(frng.integers(1, len(xs) - 1))] + float(frng.normal(0, 4 * k)))
            cy = round(ys[int(frng.integers(2, len(ys) - 1))] + float(frng.normal(0, 4 * k)))
        else:
            cx = round(float(frng.uniform(xs[0] + radius * 0.5, xs[-1] - radius * 0.5)))
            cy = round(float(frng.uniform(ys[1] + radius * 0.3, ys[-1] - radius * 0.3)))
        stamp_a = np.zeros((h, w), np.float32)
        _paste_max(stamp_a, sm, cx - sm.shape[1] // 2, cy - sm.shape[0] // 2)
        deg["stamp"] = {"text": reg.home.name, "center": [cx, cy], "radius": radius, "on_line": on_line}
    # composite: paper, ruling, printed words, the hands, the stamp
    paper = np.empty((h, w, 3), np.float32)
    paper[:] = np.array(deg["paper_rgb"], np.float32)
    if sev > 0:
        tex = cv2.resize(
            prng.normal(0, 1, size=(h // 64 + 2, w // 64 + 2)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC
        )
        paper += (tex * 2.5 * min(sev, 1.5))[..., None]
    ruling_rgb = np.array(RULING_RGB[fst.ruling], np.float32)
    ra = (rule_a * fst.ruling_alpha)[..., None]
    img = paper * (1 - ra) + ruling_rgb * ra
    printed = fam.header_in_ruling_colour
    fa = (form_a * (fst.ruling_alpha if printed else 1.0))[..., None]
    img = img * (1 - fa) + (ruling_rgb if printed else np.array([22, 22, 26], np.float32)) * fa
    if typed_a is not None:
        ta = typed_a[..., None]
        img = img * (1 - ta) + np.array([22, 22, 26], np.float32) * ta
    for layer, hand in zip(layers, fst.hands):
        ha = layer[..., None] * 0.95
        img = img * (1 - ha) + np.array(hand["ink_rgb"], np.float32) * ha
    if stamp_a is not None:
        sa = stamp_a[..., None]
        img = img * (1 - sa) + img * (np.array([205, 35, 45], np.float32) / 255.0) * sa
    out, H = _degrade(img, deg, prng)
    image, H = _scan_out(out, H, deg, turn, frng)
    deg["homography"] = [[float(f"{float(v):.12g}") for v in r_] for r_ in H]  # 12 digits: the perspective terms are ~1e-5
    gt = {
        "page": 1,
        "ledger_kind": reg.kind,
        "title": title,
        "funeral_home": reg.home.name,
        "funeral_home_code": reg.home.code,
        "year": reg.year,
        "page_label": label,
        "register_page": page,
        "dpi": dpi,
        "width": w,
        "height": h,
        "font": st.font,
        "handwritten": st.hand,
        **({"pen": fst.hands[0]["pen"]} if st.hand and fst.hands[0]["pen"] else {}),
        "header_font": st.header_font,
        "font_px": round(fs, 1),
        "degradation": deg,
        "header": list(st.headers),
        "columns": [None if c.startswith("extra:") else c for c in cols],
        "rows_per_page": st.rows_per_page,
        "table_box": [xs[0], ys[0], xs[-1], ys[-1]],
        "grid": {"x": xs, "y": ys},
        "header_boxes": header_boxes,
        "rows": rows_gt,
        # what the variation family drew (docs/evaluation.md)
        "family": fam.name,
        "has_table": True,
        "orientation": turn,
        "scan": {"mode": fam.scan, "size": [image.width, image.height], "bilevel": image.mode == "1", "grey": image.mode == "L"},
        "column_names": list(cols),
        "header_misprints": list(fst.misprints),
        "ruling": {
            "colour": fst.ruling,
            "rgb": list(RULING_RGB[fst.ruling]),
            "alpha": fst.ruling_alpha,
            "width": fst.ruling_width,
            "hand_ruled": fst.hand_ruled,
            "broken": fst.broken,
            "missing_line": fst.missing_line,
            "missing_stretches": stretches,
            "header_printed_with_ruling": printed,
        },
        "hands": [dict(x) for x in fst.hands] if st.hand else [{"typed": True, "font": st.font}],
    }
    return image, gt


def _draw_cover(
    reg: Register, volume_page: int, severity: float, dpi: int, orientation: int | None = None
) -> tuple[Image.Image, dict[str, Any]]:
    """The cover of a register book, photographed or scanned before its pages (no table)."""
    fam = get_family(reg.fam.family)
    k = dpi / 200.0
    w, h = round(297 / 25.4 * dpi), round(210 / 25.4 * dpi)
    keys = (fam.name, reg.home.slug, reg.year, reg.kind, "cover", volume_page, dpi)
    frng = _rng(reg.seed, "family-cover", *keys)
    sev = severity * float(frng.uniform(*fam.severity))
    deg = _family_degradation(_degradation_params(_rng(reg.seed, "family-degrade", *keys), sev, w, h), fam, frng, w, h)
    deg["stamp"] = None
    turn = (
        orientation
        if orientation is not None
        else int(_wpick(frng, [o for o, _w in fam.orientation], [x for _o, x in fam.orientation]))
    )
    board = np.array(_pick(frng, COVER_RGB), np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = board
    tex = cv2.resize(frng.normal(0, 1, size=(h // 32 + 2, w // 32 + 2)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    img += (tex * 6.0)[..., None]
    x0, y0, x1, y1 = round(0.3 * w), round(0.18 * h), round(0.7 * w), round(0.78 * h)
    img[y0:y1, x0:x1] = np.array([236, 230, 214], np.float32)
    lab = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(lab)
    d.rectangle(
        [x0 + round(8 * k), y0 + round(8 * k), x1 - round(8 * k), y1 - round(8 * k)], outline=255, width=max(2, round(3 * k))
    )
    font = HAND_FONTS[0] if reg.fam.header_hand or reg.style.hand else "Noto Serif CJK SC Bold"
    lines = [
        (reg.home.name, 62),
        (TITLES[reg.kind], 96),
        (f"{reg.year}年", 70),
        (f"第{_cn_number(int(frng.integers(1, 4)))}册", 56),
    ]
    y = y0 + round(0.1 * (y1 - y0))
    for text, size in lines:
        f_ = _font(font, round(size * k))
        d.text((w / 2, y), text, font=f_, fill=255, anchor="mt")
        y += round(size * k * 1.5)
    la = (np.asarray(lab, dtype=np.float32) / 255.0)[..., None]
    img = img * (1 - la) + np.array([22, 22, 26], np.float32) * la
    out, H = _degrade(img, deg, frng)
    image, H = _scan_out(out, H, deg, turn, frng)
    deg["homography"] = [[float(f"{float(v):.12g}") for v in r_] for r_ in H]  # 12 digits: the perspective terms are ~1e-5
    title = f"{reg.home.name}{TITLES[reg.kind]}（{reg.year}年）"
    return image, {
        "page": 1,
        "ledger_kind": reg.kind,
        "title": title,
        "funeral_home": reg.home.name,
        "funeral_home_code": reg.home.code,
        "year": reg.year,
        "register_page": 0,
        "dpi": dpi,
        "width": w,
        "height": h,
        "degradation": deg,
        "header": [],
        "columns": [],
        "rows": [],
        "family": fam.name,
        "has_table": False,
        "cover": True,
        "orientation": turn,
        "scan": {"mode": fam.scan, "size": [image.width, image.height], "bilevel": image.mode == "1", "grey": image.mode == "L"},
    }


def render_page(
    kind: str = "cremation",
    *,
    seed: int = 0,
    home: str = "yantai",
    year: int = 2013,
    register_page: int = 1,
    severity: float = 1.0,
    dpi: int = 200,
    overrides: dict | None = None,
    family: "str | Family | None" = None,
    orientation: int | None = None,
) -> tuple[Image.Image, dict[str, Any]]:
    """Draw one page of a register: (degraded image before JPEG encoding, page ground truth).

    ``register_page`` is the page number within the year's register (printed as 第 N 页);
    ``overrides`` maps a kind to Style fields to force (e.g. ``{"cremation": {"hand": True}}``).
    ``family`` draws the page in a variation family's form (samples.families; the image is then RGB,
    grey ("L") or 1-bit ("1") as the family scans); ``orientation`` (0, 90, 180, 270 degrees clockwise)
    forces how such a page is turned, which the family draws otherwise. ``register_page`` 0 of a family
    register is the book's cover.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    reg = get_register(seed, home, year, kind, overrides, family)
    if family is not None and register_page == 0:
        return _draw_cover(reg, 1, severity, dpi, orientation)
    if not 1 <= register_page <= reg.n_pages:
        raise ValueError(f"register has pages 1..{reg.n_pages}")
    return _draw_page(reg, register_page, severity, dpi, orientation)


# --------------------------------------------------------------------------- volumes and files
@dataclass
class Volume:
    name: str
    fmt: str
    pages: list[tuple[str, str, int, int]]  # (kind, home slug, year, register page; 0: a family register's cover)
    severity: float = 1.0
    overrides: dict | None = None
    family: str | None = None  # a variation family (samples.families)
    dpi: int | None = None  # this volume's resolution (None: the writer's)


def _encode_jpeg(img: Image.Image, quality: int, dpi: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=False, subsampling=2)
    return buf.getvalue()


FIXED_DATE = time.gmtime(1577836800)  # 2020-01-01: PDF bytes must not depend on the clock


def _write_volume(vol: Volume, out_dir: Path, seed: int, dpi: int) -> list[Path]:
    imgs, gts = [], []
    dpi = vol.dpi or dpi
    for n, (kind, slug, year, rp) in enumerate(vol.pages, start=1):
        if vol.family is None:
            reg = get_register(seed, slug, year, kind, vol.overrides)
            img, gt = _draw_page(reg, rp, vol.severity, dpi)
        else:
            reg = get_register(seed, slug, year, kind, vol.overrides, vol.family)
            img, gt = _draw_cover(reg, n, vol.severity, dpi) if rp == 0 else _draw_page(reg, rp, vol.severity, dpi)
        gt["page"] = n
        imgs.append(img)
        gts.append(gt)
    if vol.fmt in ("pdf", "tiff"):
        # one JPEG quality per file (the writer encodes every page once with it)
        for gt in gts[1:]:
            gt["degradation"]["jpeg_quality"] = gts[0]["degradation"]["jpeg_quality"]
    quality = gts[0]["degradation"]["jpeg_quality"]
    meta = {
        "version": GENERATOR_VERSION,
        "seed": seed,
        "severity": vol.severity,
        **({"family": vol.family} if vol.family else {}),
    }
    written: list[Path] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    if vol.fmt == "pdf":
        path = out_dir / f"{vol.name}.pdf"
        lossy = {} if any(im.mode == "1" for im in imgs) else {"quality": quality}  # 1-bit pages: CCITT, no quality
        imgs[0].save(
            path,
            "PDF",
            save_all=True,
            append_images=imgs[1:],
            resolution=float(dpi),
            **lossy,
            title=vol.name,
            author="samples.generator",
            creationDate=FIXED_DATE,
            modDate=FIXED_DATE,
        )
        _write_gt(path, meta, gts)
        written.append(path)
    elif vol.fmt == "tiff":
        path = out_dir / f"{vol.name}.tiff"
        if any(im.mode == "1" for im in imgs):  # a bilevel scan: CCITT group 4, as office scanners write it
            imgs = [im if im.mode == "1" else im.convert("1") for im in imgs]
            imgs[0].save(path, "TIFF", save_all=True, append_images=imgs[1:], compression="group4", dpi=(dpi, dpi))
        else:
            imgs[0].save(path, "TIFF", save_all=True, append_images=imgs[1:], compression="jpeg", quality=quality, dpi=(dpi, dpi))
        _write_gt(path, meta, gts)
        written.append(path)
    elif vol.fmt == "jpeg":
        folder = out_dir / vol.name
        folder.mkdir(parents=True, exist_ok=True)
        for n, (img, gt) in enumerate(zip(imgs, gts), start=1):
            if img.mode == "1":  # JPEG holds no 1-bit page: a bilevel page goes in as PNG
                path = folder / f"page_{n:03d}.png"
                img.save(path, "PNG", dpi=(dpi, dpi))
                _write_gt(path, meta, [dict(gt, page=1, volume_page=n)])
                written.append(path)
                continue
            path = folder / f"page_{n:03d}.jpg"
            path.write_bytes(_encode_jpeg(img, gt["degradation"]["jpeg_quality"], dpi))
            _write_gt(path, meta, [dict(gt, page=1, volume_page=n)])
            written.append(path)
    else:
        raise ValueError(f"unknown format {vol.fmt!r}")
    return written


def _write_gt(path: Path, meta: dict, pages: list[dict]) -> None:
    doc = {"file": path.name, "generator": meta, "pages": pages}
    gt_path = path.with_name(path.stem + ".gt.json")
    gt_path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _plan(
    pages: int,
    seed: int,
    rng: np.random.Generator,
    formats: Sequence[str],
    homes: Sequence[str],
    years: Sequence[int],
    family: str | None = None,
) -> list[tuple[str, str, str, int, list[int]]]:
    """(kind, format, home slug, year, register pages) of each volume: ``pages`` pages over volumes
    alternating cremation and sea burial; a sea burial volume follows the cremation volume before it
    (same home and year, from the page of its first person sent to sea)."""
    n_vols = min(pages, max(len(formats), 2 if pages > 1 else 1, math.ceil(pages / 4)))
    sizes = [1] * n_vols
    for _ in range(pages - n_vols):
        sizes[int(rng.integers(n_vols))] += 1
    out: list[tuple[str, str, str, int, list[int]]] = []
    last_crem: tuple[str, int, list[int]] | None = None
    for i, n in enumerate(sizes):
        kind = "cremation" if i % 2 == 0 else "sea_burial"
        fmt = formats[i % len(formats)]
        if kind == "sea_burial" and last_crem is not None:
            slug, year, cpages = last_crem
        else:
            slug, year = str(_pick(rng, homes)), int(_pick(rng, years))
        reg = get_register(seed, slug, year, kind, family=family)
        if kind == "sea_burial" and last_crem is not None:
            crem = get_register(seed, slug, year, "cremation", family=family)
            pids = [r.person_id for p in cpages for r in crem.page_rows(p) if r.record["ashes_destination_code"] == "7"]
            start = (reg.page_of_person(pids[0]) if pids else None) or int(rng.integers(1, reg.n_pages + 1))
        elif rng.random() < 0.3:
            start = reg.n_pages - n + 1  # the end of the register: the last page is partly filled
        else:
            start = int(rng.integers(1, max(2, reg.n_pages - n + 2)))
        start = max(1, min(start, reg.n_pages - n + 1))
        n = min(n, reg.n_pages)
        rps = list(range(start, start + n))
        if kind == "cremation":
            last_crem = (slug, year, rps)
        out.append((kind, fmt, slug, year, rps))
    return out


def plan_volumes(pages: int, seed: int, severity: float = 1.0, formats: Sequence[str] = FORMATS) -> list[Volume]:
    """Spread ``pages`` over volumes of both kinds and all ``formats`` (deterministic for a seed)."""
    if pages < 1:
        raise ValueError("pages must be >= 1")
    formats = [f for f in FORMATS if f in formats] or list(FORMATS)
    plan = _plan(pages, seed, _rng(seed, "plan"), formats, [h.slug for h in HOMES], YEARS)
    return [
        Volume(f"{i + 1:02d}_{kind}_{slug}_{year}", fmt, [(kind, slug, year, p) for p in rps], severity)
        for i, (kind, fmt, slug, year, rps) in enumerate(plan)
    ]


def plan_family_volumes(pages: int, seed: int, family: "str | Family", severity: float = 1.0) -> list[Volume]:
    """Spread at least ``pages`` ruled pages of a variation family over volumes of both kinds in the
    family's formats, homes, years and resolutions (deterministic for a seed); a volume may begin with
    the book's cover (the family's ``cover_share``), a page more that holds no table."""
    if pages < 1:
        raise ValueError("pages must be >= 1")
    fam = get_family(family)
    for extra in range(pages):  # a register shorter than the volume planned gives fewer pages: plan more
        rng = _rng(seed, "family-plan", fam.name)
        plan = _plan(pages + extra, seed, rng, fam.formats, fam.homes, fam.years, fam.name)
        if sum(len(rps) for *_x, rps in plan) >= pages:
            break
    vols = []
    for i, (kind, fmt, slug, year, rps) in enumerate(plan):
        cover = [0] if rng.random() < fam.cover_share else []
        vols.append(
            Volume(
                f"{i + 1:02d}_{kind}_{slug}_{year}",
                fmt,
                [(kind, slug, year, p) for p in cover + rps],
                severity,
                None,
                fam.name,
                int(_pick(rng, fam.dpi)),
            )
        )
    return vols


def generate_set(
    out_dir: Path,
    pages: int,
    seed: int,
    severity: float = 1.0,
    formats: Sequence[str] = FORMATS,
    dpi: int = 200,
    family: "str | Family | None" = None,
) -> list[Path]:
    """Write ``pages`` pages as volumes (PDF / TIFF / JPEG folder) with ``*.gt.json``; return the scan files.
    With ``family`` (samples.families), ``pages`` ruled pages drawn in that family's form, in its own
    formats and resolutions (``formats`` and ``dpi`` are then not used), plus any covers it scans."""
    out_dir = Path(out_dir)
    written: list[Path] = []
    vols = plan_volumes(pages, seed, severity, formats) if family is None else plan_family_volumes(pages, seed, family, severity)
    for vol in vols:
        written += _write_volume(vol, out_dir, seed, dpi)
    return written


# --------------------------------------------------------------------------- the committed set
def committed_volumes(seed: int = COMMITTED_SEED) -> list[Volume]:
    crem = get_register(seed, "yantai", 2013, "cremation", {"cremation": {"hand": False}})
    no_pen = {"cremation": {"pen": ""}, "sea_burial": {"pen": ""}}  # the committed samples predate pen strokes
    start = next(i // crem.style.rows_per_page + 1 for i, r in enumerate(crem.rows) if r.record["cremation_date"] >= "2013-04-02")
    cpages = [start, start + 1, start + 2]
    pids = [r.person_id for p in cpages for r in crem.page_rows(p) if r.record["ashes_destination_code"] == "7"]
    sea = get_register(seed, "yantai", 2013, "sea_burial")
    spage = sea.page_of_person(pids[0]) if pids else 1
    spage = min(spage, sea.n_pages - 1)
    tif = get_register(seed, "longkou", 2016, "cremation", {"cremation": {"hand": True}})
    tstart = tif.n_pages // 3
    hy_c = get_register(seed, "haiyang", 2011, "cremation")
    hy_s = get_register(seed, "haiyang", 2011, "sea_burial")
    return [
        Volume(
            "cremation_yantai_2013",
            "pdf",
            [("cremation", "yantai", 2013, p) for p in cpages],
            1.0,
            {"cremation": {"hand": False}},
        ),
        Volume("sea_burial_yantai_2013", "pdf", [("sea_burial", "yantai", 2013, p) for p in (spage, spage + 1)], 1.0, no_pen),
        Volume(
            "cremation_longkou_2016",
            "tiff",
            [("cremation", "longkou", 2016, p) for p in (tstart, tstart + 1)],
            1.3,
            {"cremation": {"hand": True, "pen": ""}},
        ),
        Volume(
            "jpeg_volume",
            "jpeg",
            [
                ("cremation", "haiyang", 2011, hy_c.n_pages - 1),
                ("cremation", "haiyang", 2011, hy_c.n_pages),
                ("sea_burial", "haiyang", 2011, hy_s.n_pages),
            ],
            0.8,
            no_pen,
        ),
    ]


def write_committed(root: Path = SAMPLES_DIR, seed: int = COMMITTED_SEED, dpi: int = 200) -> list[Path]:
    """Regenerate ``ledgers/`` and ``invalid/`` under ``root`` exactly."""
    root = Path(root)
    ledgers, invalid = root / "ledgers", root / "invalid"
    written: list[Path] = []
    for vol in committed_volumes(seed):
        written += _write_volume(vol, ledgers, seed, dpi)
    invalid.mkdir(parents=True, exist_ok=True)
    tmp = invalid / "_whole.pdf"
    _write_volume(
        Volume("_whole", "pdf", [("cremation", "laizhou", 2015, 5), ("cremation", "laizhou", 2015, 6)], 1.0), invalid, seed, dpi
    )
    data = tmp.read_bytes()
    (invalid / "corrupt.pdf").write_bytes(data[: len(data) // 2])
    tmp.unlink()
    (invalid / "_whole.gt.json").unlink()
    (invalid / "empty.pdf").write_bytes(b"")
    return written + [invalid / "corrupt.pdf", invalid / "empty.pdf"]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samples.generator", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, help="output folder (default for --preset committed: the samples folder)")
    ap.add_argument("--pages", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--severity", type=float, default=1.0)
    ap.add_argument("--formats", default="pdf,tiff,jpeg")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--preset", choices=["committed"])
    ap.add_argument(
        "--family",
        choices=sorted(ALL_FAMILIES),
        help="draw a variation family (samples/families.py): its own formats and resolutions, --formats and --dpi unused",
    )
    ap.add_argument("--list-families", action="store_true", help="print each family's name and what it draws, then stop")
    a = ap.parse_args(argv)
    if a.list_families:
        for fam in ALL_FAMILIES.values():
            print(f"{fam.name}: {fam.doc}\n")
        return 0
    if not 0 <= a.severity <= 2:
        ap.error("--severity must be within 0..2")
    if a.preset == "committed":
        files = write_committed(a.out or SAMPLES_DIR, COMMITTED_SEED, a.dpi)
    else:
        if a.out is None:
            ap.error("--out is required")
        fmts = [f.strip() for f in a.formats.split(",") if f.strip()]
        bad = [f for f in fmts if f not in FORMATS]
        if bad:
            ap.error(f"unknown formats {bad}; choose from {FORMATS}")
        files = generate_set(a.out, a.pages, a.seed, a.severity, fmts, a.dpi, family=a.family)
    for f in files:
        print(f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
