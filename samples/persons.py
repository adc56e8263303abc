"""Generated persons with known duplicates, record level (no images), for dedupe tests and benches.

Every person has a cremation-register row; some also have a sea-burial row (the same person
across ledgers), some a second row in the cremation register (recorded twice), and a few a
*namesake*: a different person with the same name and birth date (the trap for precision).
The second rows carry the variations real ledgers show: ID blank, one ID digit misread (check
digit broken), name written with an OCR-confusable shape (王/玉, 己/已, 末/未), a variant or
traditional form, a homophone, dates in another style, the certificate number written
differently (2013-0540 / 201300540 / No.201300540 / 13-0540 / 火字第540号), a low-confidence name.

Printed text goes through `mapping.normalize` as the pipeline would map it, so the dedupe sees
what the pipeline really produces. Seeded: the same arguments give the same records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from mapping.dedupe import DedupeRecord, DedupeTable
from mapping.hanzi import CONFUSABLE_GROUPS, VARIANTS
from mapping.normalize import normalize_cert_no, normalize_date, normalize_id_number, normalize_name
from samples.generator import (
    DIVISIONS,
    GIVEN_OLD_F,
    GIVEN_OLD_M,
    GIVEN_YOUNG_F,
    GIVEN_YOUNG_M,
    HOMES,
    SURNAMES,
    format_date,
    id_check_digit,
)

VARIATIONS = (
    "id_blank",
    "id_one_digit",
    "name_confusable",
    "name_variant",
    "name_homophone",
    "date_style",
    "cert_style",
    "cert_yearless",
    "low_confidence",
)

HOMOPHONES: dict[str, str] = {
    "英": "瑛",
    "华": "桦",
    "明": "鸣",
    "兰": "岚",
    "梅": "玫",
    "珍": "真",
    "芳": "方",
    "秀": "绣",
    "桂": "贵",
    "霞": "侠",
    "云": "芸",
    "红": "鸿",
    "娟": "鹃",
    "军": "君",
    "伟": "玮",
    "涛": "韬",
    "刚": "钢",
    "斌": "彬",
    "辉": "晖",
    "峰": "锋",
    "东": "冬",
    "志": "智",
    "新": "欣",
    "宇": "雨",
    "晓": "小",
    "德": "得",
    "福": "富",
    "顺": "舜",
    "忠": "中",
    "生": "升",
    "振": "震",
    "胜": "圣",
    "喜": "玺",
    "宝": "保",
    "成": "诚",
    "文": "雯",
    "有": "友",
    "正": "政",
    "义": "毅",
    "祥": "翔",
    "淑": "抒",
    "凤": "奉",
    "荣": "蓉",
    "萍": "苹",
    "莲": "涟",
    "张": "章",
    "刘": "留",
    "孙": "荪",
    "杨": "扬",
    "陈": "辰",
    "徐": "许",
}
_TRADITIONAL = {simp: trad for trad, simp in VARIANTS.items() if trad != simp and len(trad) == 1}
_CONFUSE = {ch: [o for o in g if o != ch] for g in CONFUSABLE_GROUPS for ch in g}
_CONFUSE_PREFERRED = {"王": "玉", "玉": "王", "己": "已", "已": "己", "末": "未", "未": "末", "土": "士", "日": "曰"}
DATE_STYLES = ("dot", "dash", "slash", "cjk", "hanzi")
_SURNAME_CHARS = [s for s, _ in SURNAMES]
_SURNAME_P = np.array([w for _, w in SURNAMES], dtype=float) / sum(w for _, w in SURNAMES)
_HOME_DISTRICTS = [[DIVISIONS[d] for d, _ in h.served] for h in HOMES]


@dataclass
class PersonSet:
    """Records as DedupeTable columns, with the true person of each row and its variations."""

    columns: dict[str, list[Any]]
    person_id: np.ndarray  # int64 per record: the true identity
    variations: list[tuple[str, ...]]

    def __len__(self) -> int:
        return len(self.person_id)

    def table(self) -> DedupeTable:
        return DedupeTable.from_columns(**self.columns)

    def records(self) -> list[DedupeRecord]:
        c = self.columns
        return [
            DedupeRecord(
                key=c["key"][i],
                kind=c["kind"][i],
                funeral_home_code=c["home"][i],
                deceased_name=c["name"][i],
                id_number=c["id_number"][i],
                cremation_cert_no=c["cert_no"][i],
                birth_date=c["birth_date"][i],
                event_date=c["event_date"][i],
                sex_code=c["sex_code"][i],
                death_date=c["death_date"][i],
                id_raw=c["id_raw"][i],
                cert_raw=c["cert_raw"][i],
                name_confidence=c["name_conf"][i],
            )
            for i in range(len(self))
        ]


@lru_cache(maxsize=1 << 18)
def _norm_date(text: str) -> str | None:
    return normalize_date(text).value  # type: ignore[return-value]


@lru_cache(maxsize=1 << 16)
def _norm_name(text: str) -> str | None:
    return normalize_name(text).value  # type: ignore[return-value]


def _date(d: dt.date, style: str) -> str | None:
    return _norm_date(format_date(d, style))


def _cert_text(year: int, serial: int, style: str) -> str:
    return {
        "plain": f"{year}{serial:05d}",
        "no": f"No.{year}{serial:05d}",
        "dash": f"{year}-{serial:04d}",
        "short": f"{year % 100:02d}-{serial:04d}",
        "yearless": f"火字第{serial}号",
    }[style]


def _id_number(region: str, birth: dt.date, seq: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_digit(body)


def make_persons(
    n_records: int,
    seed: int = 1,
    *,
    sea_share: float = 0.3,
    dup_share: float = 0.06,
    namesake_share: float = 0.01,
    variation_rate: float = 0.35,
    key_start: int = 1,
) -> PersonSet:
    """About `n_records` records (exactly that many) of persons with known duplicates."""
    rng = np.random.default_rng(seed)
    per_person = 1 + sea_share + dup_share + namesake_share
    n_persons = int(n_records / per_person * 1.03) + 10  # a margin: the loop stops at exactly n_records
    home_i = rng.integers(0, len(HOMES), n_persons)
    sex = rng.integers(1, 3, n_persons)
    birth_ord = rng.integers(dt.date(1915, 1, 1).toordinal(), dt.date(1985, 12, 31).toordinal(), n_persons)
    death_ord = rng.integers(dt.date(2010, 1, 1).toordinal(), dt.date(2017, 12, 20).toordinal(), n_persons)
    crem_gap = rng.integers(1, 8, n_persons)
    surname_i = rng.choice(len(_SURNAME_CHARS), n_persons, p=_SURNAME_P)
    u = rng.random((n_persons, 8))
    given_pick = rng.integers(0, 1 << 30, (n_persons, 2))
    seq = rng.integers(0, 1000, n_persons)
    # certificate serials: unique within (home, cremation year)
    crem_year = np.array([dt.date.fromordinal(int(o)).year for o in (death_ord + crem_gap)])
    order = np.lexsort((rng.random(n_persons), crem_year, home_i))
    serial = np.empty(n_persons, dtype=np.int64)
    grp = home_i[order] * 10000 + crem_year[order]
    starts = np.r_[True, grp[1:] != grp[:-1]]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(n_persons), 0))
    serial[order] = np.arange(n_persons) - run_start + 1

    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "key",
            "kind",
            "home",
            "name",
            "id_number",
            "id_raw",
            "cert_no",
            "cert_raw",
            "birth_date",
            "death_date",
            "event_date",
            "sex_code",
            "name_conf",
            "id_conf",
            "origin",
        )
    }
    pids: list[int] = []
    variations: list[tuple[str, ...]] = []
    vr = np.random.default_rng(seed + 7919)

    def emit(
        pid: int,
        kind: str,
        home: str,
        name: str,
        idn: str | None,
        cert: tuple[int, int] | None,
        birth: dt.date | None,
        death: dt.date | None,
        event: dt.date,
        sexc: str,
        varied: tuple[str, ...],
    ) -> None:
        style = DATE_STYLES[int(vr.integers(0, len(DATE_STYLES)))] if "date_style" in varied else "dash"
        name_out = _norm_name(name)
        nid = normalize_id_number(idn) if idn else None
        cert_style = "plain"
        if cert is not None:
            if "cert_yearless" in varied:
                cert_style = "yearless"
            elif "cert_style" in varied:
                cert_style = ("no", "dash", "short")[int(vr.integers(0, 3))]
        ncert = normalize_cert_no(_cert_text(cert[0], cert[1], cert_style)) if cert is not None else None
        cols["key"].append(key_start + len(pids))
        cols["kind"].append(kind)
        cols["home"].append(home)
        cols["name"].append(name_out)
        cols["id_number"].append(nid.value if nid else None)
        cols["id_raw"].append(idn if nid is not None and nid.value is None else None)
        cols["cert_no"].append(ncert.value if ncert else None)
        cols["cert_raw"].append(ncert.raw if ncert is not None and ncert.value is None else None)
        cols["birth_date"].append(_date(birth, style) if birth else None)
        cols["death_date"].append(_date(death, style) if death else None)
        cols["event_date"].append(_date(event, style))
        cols["sex_code"].append(sexc)
        cols["name_conf"].append(0.45 if "low_confidence" in varied else 0.97)
        cols["id_conf"].append(0.97)
        cols["origin"].append("store")
        pids.append(pid)
        variations.append(varied)

    for p in range(n_persons):
        hi = int(home_i[p])
        home = HOMES[hi]
        sx = int(sex[p])
        birth = dt.date.fromordinal(int(birth_ord[p]))
        death = dt.date.fromordinal(int(death_ord[p]))
        crem = dt.date.fromordinal(int(death_ord[p] + crem_gap[p]))
        old = birth.year < 1950
        pool = (GIVEN_OLD_M if sx == 1 else GIVEN_OLD_F) if old else (GIVEN_YOUNG_M if sx == 1 else GIVEN_YOUNG_F)
        g = given_pick[p]
        given = pool[g[0] % len(pool)] + ("" if u[p, 0] < 0.25 else pool[g[1] % len(pool)])
        name = _SURNAME_CHARS[surname_i[p]] + given
        dists = _HOME_DISTRICTS[hi]
        region = dists[int(g[1] % len(dists))]
        idn = None if u[p, 1] < 0.03 else _id_number(region, birth, int(seq[p]) // 2 * 2 + (1 if sx == 1 else 0))
        cert = (crem.year, int(serial[p]))
        emit(p, "cremation", home.code, name, idn, cert, birth, death, crem, str(sx), ())
        if u[p, 2] < sea_share:
            varied = _pick_variations(vr, variation_rate, sea=True)
            scatter = crem + dt.timedelta(days=int(vr.integers(10, 400)))
            emit(
                p,
                "sea_burial",
                home.code,
                _vary_name(vr, name, varied),
                _vary_id(vr, idn, varied),
                cert,
                None,
                None,
                scatter,
                str(sx),
                varied,
            )
        if u[p, 3] < dup_share:
            varied = _pick_variations(vr, variation_rate, sea=False)
            emit(
                p,
                "cremation",
                home.code,
                _vary_name(vr, name, varied),
                _vary_id(vr, idn, varied),
                cert,
                birth,
                death,
                crem,
                str(sx),
                varied,
            )
        if u[p, 4] < namesake_share:  # a different person: same name and birth date, other ID and certificate
            other_death = dt.date.fromordinal(int(death_ord[p]) + int(vr.integers(30, 900)))
            other_crem = other_death + dt.timedelta(days=2)
            oid = (
                None
                if u[p, 5] < 0.3
                else _id_number(dists[0], birth, (int(seq[p]) + 500) % 1000 // 2 * 2 + (1 if sx == 1 else 0))
            )
            emit(
                n_persons + p,
                "cremation",
                home.code,
                name,
                oid,
                (other_crem.year, 90000 + p % 9999),
                birth,
                other_death,
                other_crem,
                str(sx),
                ("namesake",),
            )
        if len(pids) >= n_records:
            break
    for k in cols:
        cols[k] = cols[k][:n_records]
    return PersonSet(cols, np.asarray(pids[:n_records], dtype=np.int64), variations[:n_records])


def _pick_variations(rng: np.random.Generator, rate: float, *, sea: bool) -> tuple[str, ...]:
    out = []
    if sea and rng.random() < 0.5:
        out.append("id_blank")  # sea-burial registers often lack the ID
    for v in VARIATIONS[1:]:
        if rng.random() < rate / 3:
            out.append(v)
    if "name_confusable" in out and "name_homophone" in out:
        out.remove("name_homophone")
    if "cert_yearless" in out and "cert_style" in out:
        out.remove("cert_style")
    if "id_blank" in out and "id_one_digit" in out:
        out.remove("id_one_digit")
    return tuple(out)


def _vary_name(rng: np.random.Generator, name: str, varied: tuple[str, ...]) -> str:
    chars = list(name)
    if "name_confusable" in varied:
        spots = [i for i, c in enumerate(chars) if c in _CONFUSE]
        if spots:
            i = spots[int(rng.integers(0, len(spots)))]
            c = chars[i]
            chars[i] = _CONFUSE_PREFERRED.get(c) or _CONFUSE[c][int(rng.integers(0, len(_CONFUSE[c])))]
    if "name_variant" in varied:
        spots = [i for i, c in enumerate(chars) if c in _TRADITIONAL]
        if spots:
            i = spots[int(rng.integers(0, len(spots)))]
            chars[i] = _TRADITIONAL[chars[i]]
    if "name_homophone" in varied:
        spots = [i for i, c in enumerate(chars) if c in HOMOPHONES]
        if spots:
            i = spots[int(rng.integers(0, len(spots)))]
            chars[i] = HOMOPHONES[chars[i]]
    return "".join(chars)


def _vary_id(rng: np.random.Generator, idn: str | None, varied: tuple[str, ...]) -> str | None:
    if idn is None or "id_blank" in varied:
        return None
    if "id_one_digit" in varied:
        i = int(rng.integers(0, 17))
        d = (int(idn[i]) + int(rng.integers(1, 10))) % 10
        return idn[:i] + str(d) + idn[i + 1 :]
    return idn


def pairwise_quality(person_id: np.ndarray, cluster: np.ndarray) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the true persons."""
    import pandas as pd

    def pairs(counts: np.ndarray) -> int:
        return int((counts * (counts - 1) // 2).sum())

    df = pd.DataFrame({"p": person_id, "c": cluster})
    true_pairs = pairs(df.groupby("p").size().to_numpy())
    pred_pairs = pairs(df.groupby("c").size().to_numpy())
    tp = pairs(df.groupby(["p", "c"]).size().to_numpy())
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
        "true_positives": tp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }
