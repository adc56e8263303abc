"""Cross-registry checks: the platform's deceased found on a roll another department hands over
(低保, pensions, the household or marriage register), issue 24.

`run_check` reads the roll chunk by chunk (pipeline.crosscheck.rolls), blocks every chunk against the
deceased with the linkage engine's own keys (mapping.dedupe.CrossIndex: the valid ID, the ID with
a third masked where a check digit is broken, folded name + birth date, name reading + birth date;
all integer keys) and scores the candidate pairs with its own comparisons (mapping.dedupe.score_pairs:
Chinese-aware names, ID digit by digit, dates, sex). A hit falls in one of four tiers:

- `id_exact`: the same valid ID and names that agree (exactly, or as a variant, an OCR-confusable
  shape or a homophone), sex not contradicting: confirmed automatically;
- `id_name_conflict`: the same valid ID, names that do not agree (or sex contradicting): review;
- `id_near`: one ID digit differs where a check digit is broken (a typing error), names agree: review;
- `name_birth_place`: no ID to compare on one side, the names agree, the same birth date, and the
  place (county) the same or not known on one side: review. A namesake is never confirmed
  automatically; with a different valid ID it is no hit at all.

Each roll entry keeps the hits of its best tier only. On payment rolls the last payment (or status)
date is compared with the death date: the months paid after the month of death are the finding
(pensions and 低保 stop from the month after death, 次月停发, so the month of death is not counted).

Hits are written at once to the working store (CrosscheckHit) and to `--out` (auto-confirmed and to
review apart); reviewers confirm or reject them in the review app, every decision audited
(CrosscheckChange). `export_check` writes the confirmed hits for the department that sent the roll;
`close_check` then removes what the check kept of persons who are not confirmed hits.

Personal data of the roll (living people's, until a hit is confirmed) is never logged and never
written outside the hits: entries that are no hit are counted, not kept; bad rows are kept as
line numbers and reasons only.
"""

from __future__ import annotations

import csv
import gc
import getpass
import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np
import orjson
from sqlalchemy import String, Table, cast, func, insert, inspect, select, update

from mapping.dedupe import (
    HOW_WORDS,
    NAME_HOW,
    CrossIndex,
    DedupeTable,
    W,
    date_ints,
    id_key,
    score_pairs,
    text_hash,
    weight_to_score,
)
from mapping.places import district_of, scan_places
from mapping.spec import Spec, load_spec
from pipeline.crosscheck.rolls import (
    CHUNK_ROWS,
    KINDS,
    PAYMENT_KINDS,
    BackgroundEntries,
    BadRow,
    Entries,
    RollKeys,
    RollLayout,
    RollOptions,
    open_roll,
    read_entries,
    text_of,
)
from pipeline.kernel.config import Settings, mask_url
from pipeline.kernel.errors import BackfillError, DatabaseError
from pipeline.kernel.processes import pid_alive
from pipeline.kernel.safety import private_dir, private_file
from pipeline.kernel.store import (
    CrosscheckChange,
    CrosscheckHit,
    CrosscheckRun,
    Page,
    Record,
    SourceFile,
    Store,
    get_row,
    make_engine,
    rowcount,
    utcnow,
)
from pipeline.page.intake import sha256_file
from pipeline.platform.schema import ENTITY_TABLES, institutions, platform_metadata

log = logging.getLogger(__name__)

TIERS = ("id_exact", "id_name_conflict", "id_near", "name_birth_place")
AUTO_TIERS = frozenset({"id_exact"})
AUTO_CONFIRMED, TO_REVIEW, CONFIRMED, NOT_SAME = "auto_confirmed", "to_review", "confirmed", "not_same"
HIT_STATUSES = (AUTO_CONFIRMED, TO_REVIEW, CONFIRMED, NOT_SAME)
IS_HIT = (AUTO_CONFIRMED, CONFIRMED)
PLACE_WEIGHT = {"same": 2.0, "unknown": 0.0, "different": -3.0}
_NAME_AGREES = (0, 1, 2, 3)  # exact, variant, confusable shape, homophone (mapping.dedupe.NAME_HOW)
_TABLE_NO = {name: i for i, name in enumerate(ENTITY_TABLES.values())}


class CrosscheckError(BackfillError):
    """A check that cannot run or a decision that cannot be taken (unknown check, decided by another)."""


# ---------------------------------------------------------------------------------------------
# the deceased


@dataclass
class Deceased:
    """The platform's deceased as columns, blocked once (CrossIndex)."""

    table: DedupeTable
    ref_table: np.ndarray  # int8: index into ENTITY_TABLES' tables
    ref_id: np.ndarray  # int64 platform row id
    death: np.ndarray  # int32 yyyymmdd, 0 unknown
    death_bound: np.ndarray  # bool: no death date; `death` is the sea burial date, death was no later
    division: np.ndarray  # int32 county code (successors applied), 0 unknown
    index: CrossIndex

    def __len__(self) -> int:
        return len(self.ref_id)


@lru_cache(maxsize=4)
def _successor(spec_version: str) -> dict[str, str]:
    """GB/T 2260 division -> the division it is part of today (370684 蓬莱市 and 370634 长岛县 ->
    370614 蓬莱区, 2020), from the spec's division list."""
    divs = load_spec(spec_version).divisions
    out = {}
    for code in divs:
        cur, seen = code, set()
        while (div := divs.get(cur)) is not None and div.successor and cur not in seen:
            seen.add(cur)
            cur = div.successor
        out[code] = cur
    return out


def county(code: str | None, spec_version: str) -> int:
    """A 6-digit division code as an int after successors; 0 when there is none."""
    if not code or len(code) != 6 or not code.isdigit():
        return 0
    return int(_successor(spec_version).get(code, code))


def counties(codes: Sequence[str | None], spec_version: str) -> np.ndarray:
    """`county` of every code (each distinct code looked up once)."""
    import pandas as pd

    idx, uniq = pd.factorize(pd.Series(list(codes), dtype="object"), use_na_sentinel=True)
    looked = np.array([county(u, spec_version) for u in uniq] + [0], dtype=np.int32)
    return looked[idx]


def _stream(conn, q, chunk: int) -> Iterator[list[tuple]]:
    """The rows of a select, `chunk` at a time, straight from the driver's cursor (a server-side
    cursor on PostgreSQL): no per-row objects beyond the driver's tuples."""
    sql = str(q.compile(dialect=conn.dialect))
    raw = conn.connection.dbapi_connection
    cur = raw.cursor(name="deceased") if conn.dialect.name == "postgresql" else raw.cursor()
    try:
        cur.execute(sql)
        while True:
            rows = cur.fetchmany(chunk)
            if not rows:
                return
            yield rows
    finally:
        cur.close()


def load_deceased(url: str, spec_version: str, *, chunk: int = 200_000) -> Deceased:
    """Every person on the platform (dead_information, and sea burial registrations of persons with
    no cremation row there), read in chunks, blocked once. Only the columns matching needs are held
    in memory; what a hit shows is read again for the hits alone (`_platform_rows`)."""
    engine = make_engine(url)
    try:
        names = set(inspect(engine).get_table_names())
        if "dead_information" not in names:
            raise CrosscheckError(
                f"the platform at {mask_url(url)} holds no deceased (no dead_information table)",
                hint="请先把已通过的记录装入平台（backfill load），或用 --platform 指定平台 / load the approved records first "
                "(`backfill load`), or give --platform",
            )
        md = platform_metadata(spec_version)
        parts: list[DedupeTable] = []
        ref_table, ref_id, death, bound, division = [], [], [], [], []
        crem_ids: list[np.ndarray] = []
        crem_certs: list[np.ndarray] = []
        with engine.connect() as conn:
            sea = "sea_burial_registration"
            has_sea = sea in names and bool(conn.scalar(select(func.count()).select_from(md.tables[sea])))
            for kind, tname in ENTITY_TABLES.items():
                if tname not in names or (kind != "cremation" and not has_sea):
                    continue
                t = md.tables[tname]
                cols = {c["name"] for c in inspect(engine).get_columns(tname)}
                date_col = "death_date" if kind == "cremation" else "scattering_date"
                wanted = [
                    "id",
                    "deceased_name",
                    "id_number",
                    "id_number_raw",
                    "sex_code",
                    "birth_date",
                    "household_division_code",
                    date_col,
                ]
                if has_sea:  # the certificate tells a sea burial of a cremated person: read only then
                    wanted += ["funeral_home_code", "cremation_cert_no"]
                sel = [(cast(t.c[c], String) if c in ("birth_date", date_col) else t.c[c]).label(c) for c in wanted if c in cols]
                q = select(*sel).order_by(t.c.id)
                seen_ids = np.unique(np.concatenate(crem_ids)) if crem_ids else np.empty(0, np.int64)
                seen_certs = np.unique(np.concatenate(crem_certs)) if crem_certs else np.empty(0, np.int64)
                for rows in _stream(conn, q, chunk):
                    c = {k: list(v) for k, v in zip([x.name for x in sel], zip(*rows))}
                    n = len(rows)
                    none = [None] * n
                    ids = c.get("id_number", none)
                    raw = [r if not v else None for v, r in zip(ids, c.get("id_number_raw", none))]
                    part = DedupeTable.from_columns(
                        key=c["id"],
                        kind=[kind] * n,
                        home=none,
                        name=c["deceased_name"],
                        id_number=ids,
                        id_raw=raw,
                        cert_no=none,
                        birth_date=c.get("birth_date", none),
                        event_date=none,
                        sex_code=[None if v is None else str(v) for v in c.get("sex_code", none)],
                        origin=["platform"] * n,
                    )
                    keep = np.ones(n, dtype=bool)
                    if has_sea:  # a sea burial of a person whose cremation row is on the platform: one person, one row
                        pairs = [
                            f"{h}|{x}" if h and x else ""
                            for h, x in zip(c.get("funeral_home_code", none), c.get("cremation_cert_no", none))
                        ]
                        certs = np.where(np.array([bool(p) for p in pairs], dtype=bool), text_hash(pairs), -1)
                    if has_sea and kind == "cremation":
                        crem_ids.append(id_key(part)[part.id_valid])
                        crem_certs.append(certs)
                    elif has_sea:
                        keep = ~(np.isin(id_key(part), seen_ids) & part.id_valid) & ~(np.isin(certs, seen_certs) & (certs >= 0))
                    rows_kept = np.flatnonzero(keep)
                    if len(rows_kept) < n:
                        part = part.take(rows_kept)
                    parts.append(part)
                    ref_table.append(np.full(len(rows_kept), _TABLE_NO[tname], np.int8))
                    ref_id.append(np.asarray(c["id"], dtype=np.int64)[rows_kept])
                    death.append(date_ints(c[date_col])[rows_kept])
                    bound.append(np.full(len(rows_kept), kind != "cremation"))
                    division.append(counties(c.get("household_division_code", none), spec_version)[rows_kept])
    except BackfillError:
        raise
    except Exception as e:  # a database that does not answer, a table of another shape
        raise DatabaseError(
            f"cannot read the deceased from the platform at {mask_url(url)}: {type(e).__name__}",
            hint="请检查平台数据库地址（--platform 或 BACKFILL_PLATFORM_URL）/ check --platform / BACKFILL_PLATFORM_URL",
        ) from e
    finally:
        engine.dispose()
    table = (
        DedupeTable.concat(parts)
        if parts
        else DedupeTable.from_columns(key=[], kind=[], home=[], name=[], id_number=[], cert_no=[], birth_date=[], event_date=[])
    )
    cat = lambda xs, dt: np.concatenate(xs) if xs else np.empty(0, dt)  # noqa: E731
    return Deceased(
        table,
        cat(ref_table, np.int8),
        cat(ref_id, np.int64),
        cat(death, np.int32),
        cat(bound, bool),
        cat(division, np.int32),
        CrossIndex.build(table),
    )


# ---------------------------------------------------------------------------------------------
# matching one chunk


@dataclass
class Match:
    """One candidate pair that is a hit: roll entry `q` (position in its chunk), deceased `r`."""

    q: int
    r: int
    tier: str
    score: float
    evidence: dict[str, Any]
    finding: dict[str, Any]


def roll_table(e: Entries, rows: np.ndarray | None = None) -> DedupeTable:
    """The linkage engine's table of these entries (positions in the chunk; all of them by
    default), keyed by position."""
    if rows is None:
        rows = np.arange(len(e))
    pick = rows.tolist()
    n = len(pick)
    none = [None] * n
    return DedupeTable.from_columns(
        key=rows,
        kind=["roll"] * n,
        home=none,
        name=[e.name[i] for i in pick],
        id_number=[e.id_number[i] for i in pick],
        id_raw=[e.id_raw[i] for i in pick],
        cert_no=none,
        birth_date=[e.birth_date[i] for i in pick],
        event_date=none,
        sex_code=[e.sex[i] for i in pick],
    )


@lru_cache(maxsize=4)
def _spec(spec_version: str) -> Spec:
    """The spec of this version, loaded once (load_spec looks at the file's time on
    every call, which cost as much as scanning an address for its places)."""
    return load_spec(spec_version)


@lru_cache(maxsize=200_000)
def _place_code(text: str, spec_version: str) -> int:
    """The county a roll's division or address names (a 6-digit code, or a place name the province's
    lexicon knows), after successors; 0 when it names none."""
    s = text.strip()
    if len(s) == 6 and s.isdigit():
        return county(s, spec_version)
    spec = _spec(spec_version)
    code, flags = district_of(scan_places(s, spec), spec)
    return county(code, spec_version) if code and not flags else 0


def roll_place(e: Entries, i: int, spec_version: str) -> int:
    for raw in (e.division[i], e.address[i]):
        text = text_of(raw)
        if text:
            code = _place_code(text, spec_version)
            if code:
                return code
    return 0


def match_chunk(e: Entries, dec: Deceased, kind: str, spec_version: str) -> tuple[list[Match], dict[str, int]]:
    """The hits of one chunk of roll entries against the deceased, best tier per entry."""
    keys: Any = e.keys if e.keys is not None else RollKeys.of(e)  # every column CrossIndex.pairs reads of a DedupeTable
    qi, ri, counts = dec.index.pairs(keys)
    if not len(qi):
        return [], counts
    uq, q_inv = np.unique(qi, return_inverse=True)
    ur, r_inv = np.unique(ri, return_inverse=True)
    both = DedupeTable.concat([roll_table(e, uq), dec.table.take(ur)])
    p = score_pairs(both, q_inv.astype(np.int64), (len(uq) + r_inv).astype(np.int64))
    _unverified_15(p, both, e.id_from_15[uq][q_inv])
    idh, nh = p.how["id_number"], p.how["deceased_name"]
    bh, sh = p.how["birth_date"], p.how["sex_code"]
    name_ok = np.isin(nh, _NAME_AGREES)
    tier = np.full(len(p), -1, np.int8)
    tier[(idh == 1) & name_ok & (bh != 2) & (sh != 1)] = 2
    tier[(idh == -1) & name_ok & (bh == 0) & (sh != 1)] = 3
    tier[(idh == 0) & ~(name_ok & (sh != 1))] = 1
    tier[(idh == 0) & name_ok & (sh != 1)] = 0
    cand = np.flatnonzero(tier >= 0)
    counts["scored"] = len(p)
    matches: list[Match] = []
    for k in cand.tolist():
        q, r = int(uq[q_inv[k]]), int(ur[r_inv[k]])
        rp, dp = roll_place(e, q, spec_version), int(dec.division[r])
        place = "unknown" if not rp or not dp else ("same" if rp == dp else "different")
        if tier[k] == 3 and place == "different":
            continue  # a namesake born the same day elsewhere: no hit without an ID
        ev = _evidence(p, k, both, int(q_inv[k]), len(uq) + int(r_inv[k]))
        ev["place"] = {"how": place, "strength": {"same": 1.0, "unknown": None, "different": 0.0}[place]}
        weight = float(p.weight[k]) + PLACE_WEIGHT[place]
        ev["_weight"] = round(weight, 2)
        matches.append(
            Match(
                q,
                r,
                TIERS[int(tier[k])],
                round(weight_to_score(weight), 4),
                ev,
                finding(
                    kind,
                    e.last_date[q] or e.status_date[q],
                    int(dec.death[r]),
                    bool(dec.death_bound[r]),
                    "last_date" if e.last_date[q] else "status_date",
                ),
            )
        )
    best: dict[int, int] = {}
    for m in matches:
        best[m.q] = min(best.get(m.q, 9), TIERS.index(m.tier))
    kept = [m for m in matches if TIERS.index(m.tier) == best[m.q]]
    kept.sort(key=lambda m: (m.q, -m.score))
    return kept, counts


def _unverified_15(p, t: DedupeTable, from15: np.ndarray) -> None:
    """A roll ID converted from 15 digits has a check digit we computed: it proves nothing (GB
    11643-1989's numbers carry none), so a typing error in it cannot show. Where such an ID differs
    from the deceased's in one of the first 17 digits only, it is the engine's "one digit differs
    (check digit broken)", not "different"."""
    k = np.flatnonzero(from15 & (p.how["id_number"] == 2))
    if not len(k):
        return
    ham17 = (t.ids[p.a[k], :17] != t.ids[p.b[k], :17]).sum(axis=1)
    k = k[ham17 == 1]
    p.how["id_number"][k] = 1
    p.strength["id_number"][k] = 0.94
    p.weight[k] += W["id_one_digit"] - W["id_diff"]


def _evidence(p, k: int, t: DedupeTable, a: int, b: int) -> dict[str, Any]:
    """Per field: how it compared (mapping.dedupe.HOW_WORDS) and how strongly; the ID's differing
    positions (1-based) where they differ."""
    ev: dict[str, Any] = {}
    for f, name in (("id_number", "id_number"), ("deceased_name", "name"), ("birth_date", "birth_date"), ("sex_code", "sex")):
        h = int(p.how[f][k])
        if h < 0:
            ev[name] = {"how": "missing", "strength": None}
            continue
        s = float(p.strength[f][k])
        ev[name] = {"how": (NAME_HOW[h] if f == "deceased_name" else HOW_WORDS[f][h]), "strength": round(s, 3)}
    if int(p.how["id_number"][k]) >= 1:
        ev["id_number"]["positions"] = (np.flatnonzero(t.ids[a] != t.ids[b]) + 1).tolist()
    return ev


def months_between(death: int, last: int) -> int:
    """Calendar months from the month of death to the month of `last` (yyyymmdd ints, day 0 allowed)."""
    return (last // 10000 - death // 10000) * 12 + (last // 100 % 100 - death // 100 % 100)


def finding(kind: str, last: str | None, death: int, death_bound: bool, which: str) -> dict[str, Any]:
    """What a hit means for the roll: for payment rolls, the months paid after the month of death."""
    out: dict[str, Any] = {"death_date": _iso(death) if death else None, "death_date_is_bound": death_bound}
    if not last or not death:
        out["after_death"] = None
        return out
    month_only = len(last) == 7
    li = int(last.replace("-", "")) * (100 if month_only else 1)
    months = months_between(death, li)
    after = months >= 1 if month_only else li > death
    out.update({which: last, "after_death": bool(after), "months_after_death": max(months, 0) if after else 0})
    return out


def _iso(yyyymmdd: int) -> str:
    return f"{yyyymmdd // 10000:04d}-{yyyymmdd // 100 % 100:02d}-{yyyymmdd % 100:02d}"


# ---------------------------------------------------------------------------------------------
# the check


@dataclass
class CheckSummary:
    check_id: int
    roll_file: str
    kind: str
    rows: int = 0  # data rows read
    entries: int = 0  # persons in them (a marriage record holds two)
    blank_rows: int = 0
    bad_rows: int = 0
    bad_unchecked: int = 0  # bad rows not checked at all (no name and no usable ID, unreadable)
    bad_reasons: dict[str, int] = field(default_factory=dict)
    bad_first: list[dict[str, Any]] = field(default_factory=list)
    candidates: int = 0
    hits: dict[str, int] = field(default_factory=dict)  # tier -> hits
    auto_confirmed: int = 0
    to_review: int = 0
    paid_after_death: int = 0  # confirmed hits paid a month or more after the month of death
    months_after_death: int = 0  # their months together
    paid_after_death_to_review: int = 0  # hits to review that would be
    deceased: int = 0
    seconds: float = 0.0
    resumed_from: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unrecognized: list[str] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    out_dir: str | None = None
    kept: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


BAD_FIRST = 200  # bad rows kept in the summary (all of them are in bad_rows.csv)


def _csv_cell(v: Any) -> str:
    """A value as a CSV cell that no spreadsheet runs as a formula (OWASP's CSV injection advice:
    a cell starting with = + - @ tab or CR is prefixed with '). The project's CSV writing gains one
    such helper (branch i22-review); at merge this function becomes a call to it."""
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def write_csv_row(w: Any, row: Iterable[Any]) -> None:
    w.writerow([_csv_cell(v) for v in row])


HIT_COLUMNS = (
    ("roll_where", "名册位置"),
    ("roll_key", "名册编号"),
    ("name", "姓名"),
    ("id_number", "公民身份号码"),
    ("birth_date", "出生日期"),
    ("sex", "性别"),
    ("address", "地址"),
    ("last_date", "最后发放日期"),
    ("status_date", "状态日期"),
    ("status", "状态"),
    ("deceased_name", "逝者姓名（平台）"),
    ("deceased_id", "公民身份号码（平台）"),
    ("death_date", "死亡日期"),
    ("cremation_date", "火化日期"),
    ("funeral_home", "殡仪馆"),
    ("cremation_cert_no", "火化证明编号"),
    ("tier", "比对等级"),
    ("evidence", "比对依据"),
    ("months_after_death", "死亡后仍发放月数"),
    ("conclusion", "核查结论"),
    ("confirmed_how", "确认方式"),
    ("confirmed_by", "确认人"),
    ("confirmed_at", "确认时间"),
)
TIER_SHORT = {
    "id_exact": "身份证号一致",
    "id_name_conflict": "身份证号一致但姓名不符",
    "id_near": "身份证号差一位",
    "name_birth_place": "无身份证号：姓名、出生日期、地点",
}
TIER_WORDS = {
    "id_exact": "身份证号一致，姓名相符",
    "id_name_conflict": "身份证号一致，姓名不符",
    "id_near": "身份证号差一位（名册号码校验位错误），姓名相符",
    "name_birth_place": "无身份证号可比：姓名、出生日期相同，地点相符或不详",
}
SEX_WORDS = {"1": "男", "2": "女"}


def conclusion(kind: str, f: dict[str, Any]) -> str:
    """The finding in words for the department that sent the roll."""
    death = f.get("death_date")
    died = (f"已于 {death} 前死亡（海葬日期）" if f.get("death_date_is_bound") else f"已于 {death} 死亡") if death else "已死亡"
    if kind in PAYMENT_KINDS:
        if f.get("after_death"):
            n = int(f.get("months_after_death") or 0)
            when = f.get("last_date") or f.get("status_date")
            return f"{died}，死亡后仍发放 {n} 个月（最后发放 {when}）" if n else f"{died}，死亡当月死亡日之后仍有发放（{when}）"
        if f.get("after_death") is False:
            return f"{died}，死亡后未再发放，请从名册中移除"
        return f"{died}，仍在名册中（名册无发放日期，无法计算死亡后发放月数）"
    return {"hukou": f"{died}，户籍仍未注销", "marriage": f"{died}，婚姻登记中仍为在婚"}.get(kind, f"{died}，仍在名册中")


def _hit_row(h: CrosscheckHit, kind: str, homes: dict[str, str]) -> dict[str, Any]:
    rv, d, f = h.roll_values or {}, h.deceased or {}, h.finding or {}
    ev = h.evidence or {}
    words = "；".join(
        f"{EVIDENCE_FIELDS[k]}{EVIDENCE_WORDS.get(v.get('how', ''), v.get('how', ''))}"
        for k, v in ev.items()
        if k in EVIDENCE_FIELDS and isinstance(v, dict)
    )
    how = {AUTO_CONFIRMED: "自动确认（身份证号一致）", CONFIRMED: "人工复核确认"}.get(h.status, "待复核")
    return {
        "roll_where": h.roll_where,
        "roll_key": rv.get("roll_key"),
        "name": rv.get("name"),
        "id_number": rv.get("id_written") or rv.get("id_number"),
        "birth_date": rv.get("birth_date"),
        "sex": SEX_WORDS.get(rv.get("sex") or "", ""),
        "address": rv.get("address"),
        "last_date": rv.get("last_date"),
        "status_date": rv.get("status_date"),
        "status": rv.get("status"),
        "deceased_name": d.get("deceased_name"),
        "deceased_id": d.get("id_number"),
        "death_date": d.get("death_date"),
        "cremation_date": d.get("cremation_date"),
        "funeral_home": homes.get(d.get("funeral_home_code") or "", d.get("funeral_home_code")),
        "cremation_cert_no": d.get("cremation_cert_no"),
        "tier": TIER_WORDS.get(h.tier, h.tier),
        "evidence": words,
        "months_after_death": f.get("months_after_death")
        if f.get("after_death")
        else (0 if f.get("after_death") is False else None),
        "conclusion": conclusion(kind, f),
        "confirmed_how": how,
        "confirmed_by": h.decided_by if h.status == CONFIRMED else ("系统" if h.status == AUTO_CONFIRMED else ""),
        "confirmed_at": h.decided_at.isoformat(timespec="seconds") if h.decided_at else "",
    }


EVIDENCE_FIELDS = {"id_number": "身份证号", "name": "姓名", "birth_date": "出生日期", "sex": "性别", "place": "地点"}
EVIDENCE_WORDS = {
    "same": "一致",
    "exact": "一致",
    "variant": "异体字/繁体字",
    "confusable": "形近字",
    "homophone": "同音字",
    "similar": "相近",
    "different": "不同",
    "missing": "缺",
    "one digit differs (check digit broken)": "差一位",
    "one part differs": "年月日有一项不同",
    "unknown": "不详",
}


class _OutFiles:
    """The check's files in --out, written as hits are found: auto_confirmed.* and to_review.*
    (CSV and JSON Lines), bad_rows.csv. Every file 0600, the folder 0700."""

    def __init__(self, out: Path, kind: str):
        self.out, self.kind = private_dir(out), kind
        self.homes = institutions()
        self._open: dict[str, tuple[Any, Any, Any]] = {}
        bad = private_file(out / "bad_rows.csv", "w", encoding="utf-8-sig", newline="")
        self.bad_file, self.bad = bad, csv.writer(bad)
        write_csv_row(self.bad, ["名册位置", "行号", "原因", "是否仍参与比对"])

    def _files(self, group: str):
        if group not in self._open:
            cf = private_file(self.out / f"{group}.csv", "w", encoding="utf-8-sig", newline="")
            jf = private_file(self.out / f"{group}.jsonl", "wb")
            w = csv.writer(cf)
            write_csv_row(w, [label for _, label in HIT_COLUMNS])
            self._open[group] = (cf, jf, w)
        return self._open[group]

    def hits(self, hits: Sequence[Any]) -> None:
        for h in hits:
            cf, jf, w = self._files("auto_confirmed" if h.status == AUTO_CONFIRMED else "to_review")
            row = _hit_row(h, self.kind, self.homes)
            write_csv_row(w, [row[k] for k, _ in HIT_COLUMNS])
            jf.write(orjson.dumps({**row, "hit_id": h.id, "tier_code": h.tier, "score": h.score}) + b"\n")
        for cf, jf, _ in self._open.values():
            cf.flush()
            jf.flush()

    def bad_rows(self, rows: Sequence[BadRow]) -> None:
        for b in rows:
            write_csv_row(self.bad, [b.where, b.line, b.reason, "是" if b.checked else "否"])
        self.bad_file.flush()

    def close(self) -> None:
        for cf, jf, _ in self._open.values():
            cf.close()
            jf.close()
        self.bad_file.close()
        for group in ("auto_confirmed", "to_review"):  # an empty group still gets its (header-only) files
            if group not in self._open:
                self._files(group)
        for cf, jf, _ in self._open.values():
            if not cf.closed:
                cf.close()
                jf.close()


def _digest_key(settings: Settings) -> bytes:
    """The store's secret for digests of purged roll entries (data folder, 0600): an ID number's
    plain sha256 could be found again by trying every number; a keyed digest cannot."""
    p = settings.data_path / "crosscheck.key"
    if not p.exists():
        private_dir(settings.data_path)
        with private_file(p, "wb") as f:
            f.write(secrets.token_bytes(32))
    return p.read_bytes()


def roll_digest(key: bytes, roll_sha256: str, values: dict[str, Any]) -> str:
    """HMAC-SHA256 of an entry's identity (ID, name, birth date) bound to its roll."""
    ident = "|".join(str(values.get(k) or "") for k in ("id_number", "name", "birth_date"))
    return hmac.new(key, f"{roll_sha256}|{ident}".encode("utf-8"), hashlib.sha256).hexdigest()


PLATFORM_SHOWN = (
    "natural_key",
    "deceased_name",
    "id_number",
    "birth_date",
    "sex_code",
    "household_division_code",
    "household_address",
    "death_date",
    "cremation_date",
    "scattering_date",
    "funeral_home_code",
    "cremation_cert_no",
    "source_file",
    "source_page",
    "source_row",
    "source_file_sha256",
)


def _platform_rows(engine, spec_version: str, refs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], dict[str, Any]]:
    """The shown columns of these platform rows ((table no, row id) -> values), read for hits only."""
    md = platform_metadata(spec_version)
    tables = list(ENTITY_TABLES.values())
    by_table: dict[int, list[int]] = {}
    for tno, rid in refs:
        by_table.setdefault(tno, []).append(rid)
    out: dict[tuple[int, int], dict[str, Any]] = {}
    with engine.connect() as conn:
        for tno, ids in by_table.items():
            t = md.tables[tables[tno]]
            cols = [t.c.id] + [t.c[c] for c in PLATFORM_SHOWN if c in t.c]
            for i in range(0, len(ids), 500):
                for row in conn.execute(select(*cols).where(t.c.id.in_(ids[i : i + 500]))).mappings():
                    out[(tno, int(row["id"]))] = {
                        k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items() if k != "id" and v is not None
                    }
    return out


def _kept_words(s: CheckSummary, out_dir: str | None) -> list[str]:
    where = f"，以及 {out_dir} 中的命中文件" if out_dir else ""
    return [
        "名册文件本身没有复制；工作库只记下它的文件名、大小和 sha256。",
        f"没有命中的 {max(s.entries - sum(s.hits.values()), 0)} 条名册记录没有写入工作库或任何文件，只计入条数；日志只记条数，从不记名册内容。",
        f"命中的 {sum(s.hits.values())} 条记录（自动确认 {s.auto_confirmed}，待复核 {s.to_review}）的名册数据"
        f"（姓名、身份证号、出生日期、性别、地址、名册编号、日期、状态）保存在工作库的 crosscheck_hits 表中{where}，"
        "文件只有本人可读（0600）。核查关闭（backfill crosscheck-close）时，未确认为同一人的记录只留一个带密钥的摘要（HMAC-SHA256），"
        "待复核文件随之删除。",
        f"问题行 {s.bad_rows} 条：只记行号和原因，不记内容（bad_rows.csv）。",
    ]


def run_check(
    store: Store,
    settings: Settings,
    roll_path: str | Path,
    kind: str,
    options: RollOptions = RollOptions(),
    out_dir: str | Path | None = None,
    *,
    user: str | None = None,
    again: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int], None] | None = None,
    background: bool | None = None,
) -> CheckSummary:
    """Check a roll against the platform's deceased (see the module's docstring). A check of the
    same file and kind that was killed is resumed; one that finished is refused unless `again`.
    `background`: read and normalize the roll in a second process while this one matches (the
    default where there are two cores or more)."""
    if kind not in KINDS:
        raise CrosscheckError(f"unknown roll kind {kind!r}", hint="名册种类应为其中之一 one of：" + ", ".join(KINDS))
    t0 = time.perf_counter()
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived rows and strings, no cycles: the collector would rescan them all
    try:
        if background is None:
            background = (os.cpu_count() or 1) >= 2
        return _run_check(
            store, settings, Path(roll_path), kind, options, out_dir, user, again, chunk_rows, progress, t0, background
        )
    finally:
        if collecting:
            gc.enable()


def _run_check(
    store: Store,
    settings: Settings,
    path: Path,
    kind: str,
    options: RollOptions,
    out_dir,
    user,
    again: bool,
    chunk_rows: int,
    progress,
    t0: float,
    background: bool,
) -> CheckSummary:
    layout, batches = open_roll(path, options, chunk_rows=chunk_rows)
    sha = sha256_file(path)
    user = user or getpass.getuser()
    check_id, done_rows = _begin(store, settings, path, sha, kind, layout, out_dir, user, again)
    summary = CheckSummary(
        check_id,
        path.name,
        kind,
        resumed_from=done_rows,
        out_dir=str(out_dir) if out_dir else None,
        columns={(f"{s.sheet}:" if s.sheet else "") + k: v for s in layout.sections for k, v in s.mapping().items()},
        missing=layout.missing(kind),
        unrecognized=list(dict.fromkeys(h for s in layout.sections for h in s.unrecognized)),
        skipped_sheets=layout.skipped_sheets,
    )
    files = engine = None
    reader = BackgroundEntries(layout, batches) if background else nullcontext(read_entries(layout, batches))
    try:
        log.info("crosscheck %s: roll of kind %s, %d section(s), reading the deceased", check_id, kind, len(layout.sections))
        dec = load_deceased(settings.platform_db_url, settings.spec_version)
        summary.deceased = len(dec)
        log.info("crosscheck %s: %d deceased on the platform", check_id, len(dec))
        files = _OutFiles(Path(out_dir), kind) if out_dir else None
        engine = make_engine(settings.platform_db_url)
        key = _digest_key(settings)
        read = 0
        with reader as entries:
            for e, bad, n_rows, blank in entries:
                summary.blank_rows += blank
                _count_bad(summary, bad)
                if files:
                    files.bad_rows(bad)
                first = read
                read += n_rows
                summary.rows = read
                summary.entries += len(e)
                if read <= done_rows:
                    continue  # checked before the check was killed: its hits are in the store
                matches, counts = match_chunk(e, dec, kind, settings.spec_version)
                summary.candidates += counts.get("scored", 0)
                hits = _store_hits(store, engine, settings, check_id, sha, e, dec, matches, key, read)
                if files:
                    files.hits(hits)
                log.info("crosscheck %s: rows %d-%d checked, %d hit(s)", check_id, first + 1, read, len(hits))
                if progress:
                    progress(read, len(hits))
        _finish(store, check_id, summary, files)
    except BaseException:
        with store.session() as s, s.begin():
            run = s.get(CrosscheckRun, check_id)
            if run is not None and run.status == "running":  # never hide the error on its way out
                run.status = "interrupted"
        raise
    finally:
        if isinstance(reader, BackgroundEntries):
            reader.__exit__(None, None, None)
        if engine is not None:
            engine.dispose()
        if files:
            files.close()
    summary.seconds = round(time.perf_counter() - t0, 2)
    with store.session() as s, s.begin():
        get_row(s, CrosscheckRun, check_id).summary = summary.to_dict()
    if out_dir:
        write_report(Path(out_dir), summary)
    return summary


def _count_bad(summary: CheckSummary, bad: Sequence[BadRow]) -> None:
    for b in bad:
        summary.bad_rows += 1
        summary.bad_unchecked += not b.checked
        for r in b.reason.split("；"):
            summary.bad_reasons[r] = summary.bad_reasons.get(r, 0) + 1
        if len(summary.bad_first) < BAD_FIRST:
            summary.bad_first.append({"where": b.where, "reason": b.reason, "checked": b.checked})


def _begin(
    store: Store, settings: Settings, path: Path, sha: str, kind: str, layout: RollLayout, out_dir, user: str, again: bool
) -> tuple[int, int]:
    """The check's row: a new one, or the one of the same roll and kind that was killed (resumed)."""
    host = socket.gethostname()
    with store.session() as s, s.begin():
        for old in s.scalars(
            select(CrosscheckRun)
            .where(CrosscheckRun.roll_sha256 == sha, CrosscheckRun.kind == kind)
            .order_by(CrosscheckRun.id.desc())
        ):
            proc = old.process or {}
            if old.status == "running" and proc.get("host") == host and proc.get("pid") and pid_alive(int(proc["pid"])):
                raise CrosscheckError(f"this roll is being checked now (check {old.id}, process {proc['pid']})")
            if old.status in ("running", "interrupted", "failed") and not again:
                old.status, old.process = "running", {"pid": os.getpid(), "host": host}
                log.info("crosscheck %s: resumed after row %d", old.id, old.lines_done)
                return old.id, old.lines_done
            if old.status in ("done", "closed") and not again:
                raise CrosscheckError(
                    f"{path.name} was already checked as a {kind} roll (check {old.id}, {old.status})",
                    hint="见 backfill crosscheck-list；平台新增逝者后要再核查，请加 --again / see `backfill crosscheck-list`; add "
                    "--again to check it again (after the platform received more deceased)",
                )
        run = CrosscheckRun(
            roll_file=path.name,
            roll_sha256=sha,
            roll_bytes=path.stat().st_size,
            kind=kind,
            platform=mask_url(settings.platform_db_url),
            out_dir=str(out_dir) if out_dir else None,
            columns={(f"{sec.sheet}:" if sec.sheet else "") + k: v for sec in layout.sections for k, v in sec.mapping().items()},
            started_by=user,
            process={"pid": os.getpid(), "host": host},
        )
        s.add(run)
        s.flush()
        return run.id, 0


def _store_hits(
    store: Store,
    engine,
    settings: Settings,
    check_id: int,
    sha: str,
    e: Entries,
    dec: Deceased,
    matches: Sequence[Match],
    key: bytes,
    rows_done: int,
) -> list[SimpleNamespace]:
    """The chunk's hits and the check's progress, in one transaction (a killed check resumes after
    the last chunk whose hits are all stored)."""
    shown = _platform_rows(engine, settings.spec_version, {(int(dec.ref_table[m.r]), int(dec.ref_id[m.r])) for m in matches})
    tables = list(ENTITY_TABLES.values())
    now = utcnow()
    rows = []
    for m in matches:
        ref = (int(dec.ref_table[m.r]), int(dec.ref_id[m.r]))
        values = e.values(m.q)
        d = shown.get(ref, {})
        auto = m.tier in AUTO_TIERS
        rows.append(
            {
                "check_id": check_id,
                "roll_line": int(e.line[m.q]),
                "roll_side": int(e.side[m.q]),
                "roll_where": e.where(m.q),
                "tier": m.tier,
                "score": m.score,
                "evidence": m.evidence,
                "status": AUTO_CONFIRMED if auto else TO_REVIEW,
                "roll_values": values,
                "roll_digest": roll_digest(key, sha, values),
                "platform_table": tables[ref[0]],
                "platform_row_id": ref[1],
                "natural_key": d.get("natural_key"),
                "deceased": d,
                "finding": m.finding,
                "decided_at": now if auto else None,
                "decided_by": "auto" if auto else None,
                "created_at": now,
            }
        )
    t = CrosscheckHit.__table__
    assert isinstance(t, Table)  # a mapped class's own table (typed as any FromClause)
    with store.session() as s, s.begin():
        ids = s.execute(insert(t).returning(t.c.id, sort_by_parameter_order=True), rows).scalars().all() if rows else []
        s.execute(update(CrosscheckRun).where(CrosscheckRun.id == check_id).values(lines_done=rows_done))
    return [SimpleNamespace(id=i, **r) for i, r in zip(ids, rows)]


def _finish(store: Store, check_id: int, summary: CheckSummary, files: _OutFiles | None) -> None:
    with store.session() as s, s.begin():
        counts = s.execute(
            select(CrosscheckHit.tier, CrosscheckHit.status, func.count())
            .where(CrosscheckHit.check_id == check_id)
            .group_by(CrosscheckHit.tier, CrosscheckHit.status)
        ).all()
        summary.hits = {t: 0 for t in TIERS}
        for tier, status, n in counts:
            summary.hits[tier] += n
            summary.auto_confirmed += n if status == AUTO_CONFIRMED else 0
            summary.to_review += n if status == TO_REVIEW else 0
        for status, f in s.execute(select(CrosscheckHit.status, CrosscheckHit.finding).where(CrosscheckHit.check_id == check_id)):
            months = int((f or {}).get("months_after_death") or 0) if (f or {}).get("after_death") else 0
            if months and status in IS_HIT:
                summary.paid_after_death += 1
                summary.months_after_death += months
            elif months and status == TO_REVIEW:
                summary.paid_after_death_to_review += 1
        summary.kept = _kept_words(summary, summary.out_dir)
        run = get_row(s, CrosscheckRun, check_id)
        run.status, run.finished_at, run.kept = "done", utcnow(), summary.kept
        run.process = {}
    if files is not None and summary.resumed_from:  # a resumed check wrote only its new hits: the files again, whole
        files.close()
        _rewrite_hit_files(store, check_id, files.out, summary.kind)


def _rewrite_hit_files(
    store: Store, check_id: int, out: Path, kind: str, groups: Sequence[str] = ("auto_confirmed", "to_review")
) -> None:
    homes = institutions()
    with store.session() as s:
        for group in groups:
            statuses = (AUTO_CONFIRMED,) if group == "auto_confirmed" else (TO_REVIEW,)
            q = (
                select(CrosscheckHit)
                .where(CrosscheckHit.check_id == check_id, CrosscheckHit.status.in_(statuses))
                .order_by(CrosscheckHit.roll_line, CrosscheckHit.roll_side, CrosscheckHit.id)
            )
            tmp_c, tmp_j = out / f".{group}.csv.part", out / f".{group}.jsonl.part"
            with private_file(tmp_c, "w", encoding="utf-8-sig", newline="") as cf, private_file(tmp_j, "wb") as jf:
                w = csv.writer(cf)
                write_csv_row(w, [label for _, label in HIT_COLUMNS])
                for h in s.execute(q.execution_options(yield_per=2000)).scalars():
                    row = _hit_row(h, kind, homes)
                    write_csv_row(w, [row[k] for k, _ in HIT_COLUMNS])
                    jf.write(orjson.dumps({**row, "hit_id": h.id, "tier_code": h.tier, "score": h.score}) + b"\n")
            tmp_c.replace(out / f"{group}.csv")
            tmp_j.replace(out / f"{group}.jsonl")


def write_report(out: Path, s: CheckSummary) -> None:
    """report.json (the summary) and report.md (the same in words) in the check's folder."""
    with private_file(out / "report.json", "wb") as f:
        f.write(orjson.dumps(s.to_dict(), option=orjson.OPT_INDENT_2))
    with private_file(out / "report.md", "w", encoding="utf-8") as f:
        f.write("\n".join(report_lines(s)) + "\n")


def report_lines(s: CheckSummary) -> list[str]:
    tiers = "；".join(f"{TIER_SHORT[t]} {s.hits.get(t, 0)}" for t in TIERS)
    lines = [
        f"# 核查 {s.check_id}：{s.roll_file}（{KINDS[s.kind]}）",
        "",
        f"- 名册数据行 {s.rows}，人员 {s.entries}（空行 {s.blank_rows}），平台逝者 {s.deceased}",
        f"- 命中 {sum(s.hits.values())}：自动确认 {s.auto_confirmed}，待复核 {s.to_review}（{tiers}）",
        f"- 问题行 {s.bad_rows}（其中未参与比对 {s.bad_unchecked}），详见 bad_rows.csv",
        f"- 用时 {s.seconds} 秒" + (f"（从第 {s.resumed_from} 行之后续查）" if s.resumed_from else ""),
    ]
    dated = any(k.rsplit(":", 1)[-1].rsplit(".", 1)[-1] in ("last_date", "status_date") for k in s.columns)
    if s.kind in PAYMENT_KINDS and dated:
        lines.append(
            f"- 死亡后仍发放：已确认 {s.paid_after_death} 人，共 {s.months_after_death} 个月；"
            f"待复核的命中中另有 {s.paid_after_death_to_review} 人"
        )
    lines += ["", "## 识别的列", ""] + [f"- {k} ← {v}" for k, v in s.columns.items()]
    if s.unrecognized:
        lines.append(f"- 未识别、未使用的列：{'、'.join(s.unrecognized)}")
    if s.skipped_sheets:
        lines.append(f"- 未找到表头、已跳过的工作表：{'、'.join(s.skipped_sheets)}")
    if s.missing:
        lines += ["", "## 缺少的列", ""] + [f"- {m}" for m in s.missing]
    if s.bad_reasons:
        lines += ["", "## 问题行原因", ""] + [f"- {r}：{n}" for r, n in sorted(s.bad_reasons.items(), key=lambda kv: -kv[1])]
    lines += ["", "## 保留了什么", ""] + [f"- {k}" for k in s.kept]
    return lines


# ---------------------------------------------------------------------------------------------
# review, export, close


@dataclass(frozen=True)
class CheckInfo:
    check_id: int
    roll_file: str
    kind: str
    status: str
    started_at: Any
    counts: dict[str, int]


def checks(store: Store) -> list[CheckInfo]:
    with store.session() as s:
        runs = s.scalars(select(CrosscheckRun).order_by(CrosscheckRun.id.desc())).all()
        counts: dict[int, dict[str, int]] = {}
        for cid, status, n in s.execute(
            select(CrosscheckHit.check_id, CrosscheckHit.status, func.count()).group_by(
                CrosscheckHit.check_id, CrosscheckHit.status
            )
        ):
            counts.setdefault(cid, {})[status] = n
    return [
        CheckInfo(r.id, r.roll_file, r.kind, r.status, r.started_at, {st: counts.get(r.id, {}).get(st, 0) for st in HIT_STATUSES})
        for r in runs
    ]


def hits_of(
    store: Store,
    check_id: int,
    *,
    statuses: Sequence[str] = (TO_REVIEW,),
    tier: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[CrosscheckHit]:
    with store.session() as s:
        q = select(CrosscheckHit).where(CrosscheckHit.check_id == check_id, CrosscheckHit.status.in_(statuses))
        if tier:
            q = q.where(CrosscheckHit.tier == tier)
        return list(
            s.scalars(q.order_by(CrosscheckHit.roll_line, CrosscheckHit.roll_side, CrosscheckHit.id).limit(limit).offset(offset))
        )


def get_hit(store: Store, hit_id: int) -> CrosscheckHit:
    with store.session() as s:
        h = s.get(CrosscheckHit, hit_id)
    if h is None:
        raise CrosscheckError(f"cross-check hit {hit_id} does not exist")
    return h


DECISIONS = {CONFIRMED: "confirm", NOT_SAME: "not_same"}


def decide_hit(
    store: Store, hit_id: int, decision: str, *, user: str, reason: str = "", expected: str | None = None
) -> CrosscheckHit:
    """A reviewer's decision on a hit: CONFIRMED (the same person) or NOT_SAME; audited. `expected`
    is the status the reviewer saw: when another reviewer decided in between, nothing is written
    and the error names who. A closed check takes no decision."""
    if decision not in DECISIONS:
        raise CrosscheckError(f"unknown decision {decision!r}")
    if decision == NOT_SAME and expected == AUTO_CONFIRMED and not reason.strip():
        raise CrosscheckError("overturning an automatic confirmation needs a reason")
    with store.session() as s, s.begin():
        h = s.get(CrosscheckHit, hit_id)
        if h is None:
            raise CrosscheckError(f"cross-check hit {hit_id} does not exist")
        run = get_row(s, CrosscheckRun, h.check_id)
        if run.status == "closed":
            raise CrosscheckError(f"check {run.id} is closed; its hits can no longer be decided")
        old = h.status
        if expected is not None and old != expected:
            raise CrosscheckError(f"hit {hit_id} was decided meanwhile by {h.decided_by or 'someone'} ({old})")
        if old == decision:
            return h
        now = utcnow()
        done = rowcount(
            s.execute(
                update(CrosscheckHit)
                .where(CrosscheckHit.id == hit_id, CrosscheckHit.status == old)
                .values(status=decision, decided_by=user, decided_at=now)
            )
        )
        if not done:
            raise CrosscheckError(f"hit {hit_id} was decided meanwhile by someone else")
        s.add(
            CrosscheckChange(
                check_id=h.check_id,
                hit_id=hit_id,
                user=user,
                action=DECISIONS[decision],
                old_status=old,
                new_status=decision,
                reason=reason,
            )
        )
    log.info("crosscheck hit %s: %s -> %s", hit_id, old, decision)
    return get_hit(store, hit_id)


def reveal(store: Store, hit_id: int, *, user: str, reason: str) -> dict[str, Any]:
    """The full numbers of a hit (both sides), for a reviewer who gives a reason; audited."""
    if not reason.strip():
        raise CrosscheckError("showing a full ID number needs a reason")
    h = get_hit(store, hit_id)
    with store.session() as s, s.begin():
        s.add(
            CrosscheckChange(
                check_id=h.check_id,
                hit_id=hit_id,
                user=user,
                action="reveal",
                old_status=h.status,
                new_status=h.status,
                reason=reason,
            )
        )
    return {
        "roll": (h.roll_values or {}).get("id_written") or (h.roll_values or {}).get("id_number"),
        "platform": (h.deceased or {}).get("id_number"),
    }


def hit_history(
    store: Store, *, check_id: int | None = None, hit_id: int | None = None, limit: int = 200
) -> list[CrosscheckChange]:
    with store.session() as s:
        q = select(CrosscheckChange)
        if check_id is not None:
            q = q.where(CrosscheckChange.check_id == check_id)
        if hit_id is not None:
            q = q.where(CrosscheckChange.hit_id == hit_id)
        return list(s.scalars(q.order_by(CrosscheckChange.id.desc()).limit(limit)))


@dataclass
class ExportSummary:
    directory: Path
    confirmed: int
    auto_confirmed: int
    by_review: int
    not_same: int
    waiting: int
    files: dict[str, dict[str, Any]]


EXPORT_NOTE = """核查结果说明

本目录是殡葬管理服务信息系统（逝者火化、海葬记录）与贵单位提供的名册的比对结果，只包含经确认为
已死亡的人员（身份证号一致而自动确认的，以及经人工复核确认为同一人的），不包含任何其他人员的信息。

- hits.csv：确认的命中人员，一人一行（可用 Excel / WPS 打开，UTF-8 编码）；
- hits.jsonl：同样内容，每行一个 JSON 对象，供系统导入；
- manifest.json：名册文件的 sha256、各类条数、本目录各文件的大小和 sha256（可用以核对文件未被改动）。

“核查结论”一栏说明死亡日期，发放类名册还说明死亡后仍发放的月数（死亡当月不计，按次月停发计算）。
“比对依据”一栏列出各项比对的结果。请据此核实并办理停发、注销等手续；如发现比对有误，请告知我方。
本目录含个人信息，请妥善保管，用毕按规定销毁。
"""


def export_check(store: Store, check_id: int, out_dir: str | Path, *, user: str) -> ExportSummary:
    """The confirmed hits of one check, for the department that sent the roll: hits.csv,
    hits.jsonl, manifest.json (counts, sha256 of every file) and 说明.txt, in a 0700 folder of
    0600 files. Only confirmed hits are in it: nothing of any other roll entry, not even a count
    of persons by name."""
    with store.session() as s:
        run = s.get(CrosscheckRun, check_id)
        if run is None:
            raise CrosscheckError(
                f"check {check_id} does not exist", hint="现有核查见 backfill crosscheck-list / see `backfill crosscheck-list`"
            )
        hits = list(
            s.scalars(
                select(CrosscheckHit)
                .where(CrosscheckHit.check_id == check_id, CrosscheckHit.status.in_(IS_HIT))
                .order_by(CrosscheckHit.roll_line, CrosscheckHit.roll_side, CrosscheckHit.score.desc())
            )
        )
        counts = dict(
            s.execute(
                select(CrosscheckHit.status, func.count())
                .where(CrosscheckHit.check_id == check_id)
                .group_by(CrosscheckHit.status)
            ).all()
        )
        kind, roll_file, roll_sha, roll_bytes = run.kind, run.roll_file, run.roll_sha256, run.roll_bytes
    if any(h.roll_values is None for h in hits):
        raise CrosscheckError(f"check {check_id}: a confirmed hit has no roll values")
    out = private_dir(Path(out_dir))
    homes = institutions()
    seen: set[tuple[int, int]] = set()
    rows = []
    for h in hits:  # one row per roll entry: its best confirmed hit
        if (h.roll_line, h.roll_side) in seen:
            continue
        seen.add((h.roll_line, h.roll_side))
        rows.append(_hit_row(h, kind, homes))
    (out / "manifest.json").unlink(missing_ok=True)  # no manifest until every file is complete
    with (
        private_file(out / "hits.csv", "w", encoding="utf-8-sig", newline="") as cf,
        private_file(out / "hits.jsonl", "wb") as jf,
    ):
        w = csv.writer(cf)
        write_csv_row(w, ["序号"] + [label for _, label in HIT_COLUMNS])
        for i, row in enumerate(rows, start=1):
            write_csv_row(w, [i] + [row[k] for k, _ in HIT_COLUMNS])
            jf.write(orjson.dumps({"序号": i, **{label: row[k] for k, label in HIT_COLUMNS}}) + b"\n")
    with private_file(out / "说明.txt", "w", encoding="utf-8") as f:
        f.write(EXPORT_NOTE)
    files = {
        name: {"sha256": sha256_file(out / name), "bytes": (out / name).stat().st_size}
        for name in ("hits.csv", "hits.jsonl", "说明.txt")
    }
    files["hits.csv"]["rows"] = files["hits.jsonl"]["rows"] = len(rows)
    auto = sum(1 for h in hits if h.status == AUTO_CONFIRMED and (h.roll_line, h.roll_side) in seen)
    manifest = {
        "format": "funeral-backfill/crosscheck-hits",
        "format_version": 1,
        "说明": "殡葬管理服务信息系统逝者与名册的比对结果：只含确认为同一人的命中人员",
        "核查编号": check_id,
        "名册类型": KINDS[kind],
        "名册文件": roll_file,
        "名册文件sha256": roll_sha,
        "名册文件字节数": roll_bytes,
        "导出时间": utcnow().isoformat(timespec="seconds"),
        "导出人": user,
        "条数": {
            "确认命中人员": len(rows),
            "其中自动确认": auto,
            "其中人工复核确认": len(rows) - auto,
            "复核为非同一人（未导出）": counts.get(NOT_SAME, 0),
            "尚待复核（未导出）": counts.get(TO_REVIEW, 0),
        },
        "文件": files,
    }
    tmp = out / "manifest.json.part"
    with private_file(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, ensure_ascii=False, indent=2))
    tmp.replace(out / "manifest.json")
    with store.session() as s, s.begin():
        s.add(CrosscheckChange(check_id=check_id, user=user, action="export", reason=f"导出 {len(rows)} 条确认的命中到 {out}"))
    log.info("crosscheck %s: %d confirmed hit(s) exported", check_id, len(rows))
    return ExportSummary(out, len(rows), auto, len(rows) - auto, counts.get(NOT_SAME, 0), counts.get(TO_REVIEW, 0), files)


def close_check(store: Store, settings: Settings, check_id: int, *, user: str, discard_unreviewed: bool = False) -> int:
    """End a check: the roll values of every hit not confirmed (not the same person, or never
    reviewed when `discard_unreviewed`) are replaced by their keyed digest, the check's to_review
    files are removed from its folder, and it takes no more decisions. Returns the hits purged."""
    with store.session() as s, s.begin():
        run = s.get(CrosscheckRun, check_id)
        if run is None:
            raise CrosscheckError(f"check {check_id} does not exist")
        if run.status == "running":
            raise CrosscheckError(f"check {check_id} is still running")
        waiting = s.scalar(select(func.count()).where(CrosscheckHit.check_id == check_id, CrosscheckHit.status == TO_REVIEW)) or 0
        if waiting and not discard_unreviewed:
            raise CrosscheckError(
                f"check {check_id}: {waiting} hit(s) still wait for review",
                hint="请先复核这些命中，或加 --discard-unreviewed 放弃它们 / review them first, or add --discard-unreviewed to drop "
                "what was kept of them",
            )
        purged = rowcount(
            s.execute(
                update(CrosscheckHit)
                .where(
                    CrosscheckHit.check_id == check_id,
                    CrosscheckHit.status.in_((NOT_SAME, TO_REVIEW)),
                    CrosscheckHit.roll_values.is_not(None),
                )
                .values(roll_values=None)
            )
        )
        run.status = "closed"
        out = run.out_dir
        s.add(CrosscheckChange(check_id=check_id, user=user, action="close", reason=f"未确认为同一人的 {purged} 条命中只留摘要"))
    if out and Path(out).is_dir():
        for name in ("to_review.csv", "to_review.jsonl"):
            (Path(out) / name).unlink(missing_ok=True)
    log.info("crosscheck %s closed: %d hit(s) purged", check_id, purged)
    return purged


def source_record(store: Store, hit: Any) -> int | None:
    """The working store's record the hit's deceased was loaded from (its scanned row can be shown),
    or None when the platform row came from elsewhere."""
    d = hit.deceased or {}
    sha, page, row = d.get("source_file_sha256"), d.get("source_page"), d.get("source_row")
    if not (sha and page and row):
        return None
    with store.session() as s:
        return s.scalar(
            select(Record.id)
            .join(Page, Record.page_id == Page.id)
            .join(SourceFile, Page.file_id == SourceFile.id)
            .where(SourceFile.sha256 == sha, Page.page_no == int(page), Record.row_no == int(row))
            .limit(1)
        )
