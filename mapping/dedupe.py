"""Fuzzy de-duplication: the same deceased twice in one ledger, across ledgers (cremation <->
sea burial), or already on the platform from an earlier load.

Columnar from end to end, so that a million records fit in minutes and a few GiB:

1. **Blocking** (integer-coded keys, numpy): ID number with one third masked (three keys, so a
   one-digit misread still meets its match), home + certificate year + serial (a serial written
   without its year, 火字第540号, meets its full form through the event year), folded name +
   birth date, folded name + death date, name pinyin + birth year (refined to the whole birth
   date when such a block is too big). Only pairs sharing a key are ever compared.
2. **Scoring** (Fellegi-Sunter style weights, vectorized): agreement adds, disagreement subtracts;
   names compare through `mapping.hanzi` (variant / confusable shapes / homophones, rapidfuzz
   for the rest) once per distinct name pair; a disagreement on a low-confidence field counts
   less. Every pair keeps per-field match strengths: the explanation a reviewer sees.
3. **Clustering**: union-find over clear matches, strongest first; a pair a person kept apart
   is never joined, a pair a person merged always is. Pairs between the clear-match and
   no-match weights are *uncertain*: merge decisions for the review queue.

`merge_values` builds a person's golden values from its records, with provenance.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from mapping.hanzi import canonical, how_names_differ, pinyin_key

MAX_BLOCK = 40  # a block bigger than this is a common value, not evidence
ACCEPT_WEIGHT = 9.0  # total weight at or above which two rows are merged automatically
REVIEW_WEIGHT = 4.0  # between this and ACCEPT_WEIGHT: uncertain, a person decides
FIELDS = ("id_number", "cremation_cert_no", "deceased_name", "birth_date", "death_date", "sex_code", "event_date")

# weights: (agree, disagree) in log-odds units; partial agreements in between
W = {
    "id_same": 9.0,
    "id_one_digit": 6.0,
    "id_diff": -8.0,
    "cert_same": 7.0,
    "cert_serial": 5.0,
    "cert_diff": -6.0,
    "name_exact": 5.0,
    "name_variant": 4.5,
    "name_confusable": 4.0,
    "name_homophone": 3.0,
    "name_similar": -1.0,
    "name_diff": -5.0,
    "birth_same": 4.0,
    "birth_near": -1.0,
    "birth_diff": -5.0,
    "death_same": 3.0,
    "death_near": -1.0,
    "death_diff": -5.0,
    "sex_same": 0.5,
    "sex_diff": -4.0,
    "event_same": 2.0,
    "event_fits": 0.5,
    "event_diff": -4.0,
}
NAME_HOW = ("exact", "variant", "confusable", "homophone", "similar", "different")


@dataclass(frozen=True)
class DedupeRecord:
    """One ledger row (or platform row) as de-duplication sees it."""

    key: int  # record id in the store (platform rows: see `origin`)
    kind: str  # cremation / sea_burial
    funeral_home_code: str | None
    deceased_name: str | None
    id_number: str | None  # normalized 18-digit with a valid check digit, else None
    cremation_cert_no: str | None  # normalized (201300540) when it could be
    birth_date: str | None  # ISO
    event_date: str | None  # cremation / scattering date, ISO
    sex_code: str | None = None
    death_date: str | None = None
    id_raw: str | None = None  # the printed ID when it did not validate (one digit misread ...)
    cert_raw: str | None = None  # the printed certificate number when it did not normalize (火字第540号)
    name_confidence: float = 1.0
    id_confidence: float = 1.0
    origin: str = "store"  # "store" (this working store) or "platform" (loaded earlier)


@dataclass(frozen=True)
class Link:
    a: int  # record key, a < b within one origin; store keys before platform keys
    b: int
    score: float  # 0..1 (logistic of the total weight)
    status: str  # auto_merged / uncertain
    evidence: dict[str, Any]  # field -> match strength 0..1; "_how": field -> words; "_weight": total
    a_origin: str = "store"
    b_origin: str = "store"


# --------------------------------------------------------------------------------------------
# the columnar table


def date_ints(values: Sequence[str | None]) -> np.ndarray:
    """ISO dates -> yyyymmdd int32 (0 = missing); each distinct date parsed once."""
    codes, uniq = pd.factorize(pd.Series(values, dtype="object"), use_na_sentinel=True)
    parsed = np.array(
        [int(u.replace("-", "")) if isinstance(u, str) and u.replace("-", "").isdigit() else 0 for u in uniq] + [0],
        dtype=np.int32,
    )
    return parsed[codes]  # code -1 (missing) picks the trailing 0


def _ordinal(d: np.ndarray) -> np.ndarray:
    """yyyymmdd -> days (approximate calendar arithmetic is enough for 'within n days')."""
    y, m, dd = d // 10000, d // 100 % 100, d % 100
    return (y * 372 + m * 31 + dd).astype(np.int64)


_ID_DIGITS = np.frombuffer(b"0123456789X", dtype=np.uint8)


def _id_matrix(ids: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """18-char IDs -> (N, 18) uint8 digit matrix (X = 10) and a mask of rows that have one."""
    n = len(ids)
    arr = np.array([i if i and len(i) == 18 else "" for i in ids], dtype="S18")
    has = np.char.str_len(arr) == 18
    mat = np.frombuffer(arr.tobytes(), dtype=np.uint8).reshape(n, 18).copy() if n else np.zeros((0, 18), np.uint8)
    mat = np.where(mat == ord("X"), 58, mat) - 48
    mat[~has] = 0
    return mat.astype(np.uint8), has


_CERT9 = re.compile(r"^(\d{4})(\d{5})$")
_CERT_DIGITS = re.compile(r"(\d+)")


def cert_parts(cert_no: str | None, cert_raw: str | None) -> tuple[int, int]:
    """(year, serial) of a certificate number; year 0 when it was written without one
    (火字第540号, 第540号), serial -1 when there is no number."""
    if cert_no:
        m = _CERT9.match(cert_no)
        if m:
            return int(m.group(1)), int(m.group(2))
    text = cert_no or cert_raw
    if not text:
        return 0, -1
    runs = _CERT_DIGITS.findall(text)
    if not runs:
        return 0, -1
    last = runs[-1]
    if len(runs) >= 2 and len(runs[-2]) in (2, 4):
        y = int(runs[-2])
        return (2000 + y if y < 100 else y), int(last)
    if len(last) == 9:
        return int(last[:4]), int(last[4:])
    return 0, int(last[-6:])


@dataclass
class DedupeTable:
    """Records as columns (one entry per record); build with `from_records` or `from_columns`."""

    key: np.ndarray  # int64
    origin: np.ndarray  # int8: 0 store, 1 platform
    kind: np.ndarray  # int8: 0 cremation, 1 sea burial, 2 other
    home: np.ndarray  # int32 code, -1 missing
    name: list[str | None]
    name_code: np.ndarray  # int32 code of the exact name, -1 missing
    canon_code: np.ndarray  # int32 code of the folded name (variants, confusable shapes)
    pinyin_code: np.ndarray  # int32 code of the toneless reading
    name_conf: np.ndarray  # float32
    ids: np.ndarray  # (N, 18) uint8 digits
    has_id: np.ndarray  # bool
    id_valid: np.ndarray  # bool: check digit holds
    id_conf: np.ndarray  # float32
    cert_year: np.ndarray  # int32, 0 unknown
    cert_serial: np.ndarray  # int64, -1 missing
    birth: np.ndarray  # int32 yyyymmdd, 0 missing
    death: np.ndarray
    event: np.ndarray
    sex: np.ndarray  # int8: 0 unknown
    # the folded name and its reading as 63-bit hashes of their text: unlike the codes above they
    # mean the same in every table, so two tables can be blocked against each other (CrossIndex)
    canon_hash: np.ndarray  # int64, -1 missing
    pinyin_hash: np.ndarray  # int64, -1 missing

    def __len__(self) -> int:
        return len(self.key)

    def take(self, rows: np.ndarray) -> "DedupeTable":
        """The table of these rows (positions), in this order; codes keep their meaning."""
        rows = np.asarray(rows, dtype=np.int64)
        out = {f.name: getattr(self, f.name)[rows] for f in fields(self) if f.name != "name"}
        return DedupeTable(name=[self.name[i] for i in rows.tolist()], **out)

    @classmethod
    def concat(cls, tables: Sequence["DedupeTable"]) -> "DedupeTable":
        """One table of several (rows in order). Name codes are made anew over all of them (the
        hashes say which folded names and readings are the same); each table's funeral-home codes
        are kept apart, so certificate numbers only ever compare within one table's homes."""
        tables = list(tables)
        names = [n for t in tables for n in t.name]
        name_code, _ = pd.factorize(pd.Series(names, dtype="object"), use_na_sentinel=True)
        canon_hash = np.concatenate([t.canon_hash for t in tables])
        pinyin_hash = np.concatenate([t.pinyin_hash for t in tables])
        homes, offset = [], 0
        for t in tables:
            homes.append(np.where(t.home >= 0, t.home + offset, -1).astype(np.int32))
            offset += int(t.home.max()) + 1 if len(t) else 0
        cat = {
            f.name: np.concatenate([getattr(t, f.name) for t in tables])
            for f in fields(cls)
            if f.name not in ("name", "name_code", "canon_code", "pinyin_code", "home")
        }
        return cls(
            name=names,
            name_code=name_code.astype(np.int32),
            home=np.concatenate(homes) if homes else np.empty(0, np.int32),
            canon_code=_hash_codes(canon_hash),
            pinyin_code=_hash_codes(pinyin_hash),
            **cat,
        )

    @classmethod
    def from_records(cls, records: Sequence[DedupeRecord]) -> "DedupeTable":
        return cls.from_columns(
            key=[r.key for r in records],
            origin=[r.origin for r in records],
            kind=[r.kind for r in records],
            home=[r.funeral_home_code for r in records],
            name=[r.deceased_name for r in records],
            name_conf=[r.name_confidence for r in records],
            id_number=[r.id_number for r in records],
            id_raw=[r.id_raw for r in records],
            id_conf=[r.id_confidence for r in records],
            cert_no=[r.cremation_cert_no for r in records],
            cert_raw=[r.cert_raw for r in records],
            birth_date=[r.birth_date for r in records],
            death_date=[r.death_date for r in records],
            event_date=[r.event_date for r in records],
            sex_code=[r.sex_code for r in records],
        )

    @classmethod
    def from_columns(
        cls,
        *,
        key,
        kind,
        home,
        name,
        id_number,
        cert_no,
        birth_date,
        event_date,
        death_date=None,
        sex_code=None,
        id_raw=None,
        cert_raw=None,
        name_conf=None,
        id_conf=None,
        origin=None,
    ) -> "DedupeTable":
        n = len(key)
        none = [None] * n
        id_raw = id_raw if id_raw is not None else none
        cert_raw = cert_raw if cert_raw is not None else none
        ids_text = [v if v else _raw_id18(r) for v, r in zip(id_number, id_raw)] if any(id_raw) else list(id_number)
        ids, has = _id_matrix(ids_text)
        valid = np.asarray(list(id_number), dtype=object).astype(bool) & has if n else np.zeros(0, bool)
        names = pd.Series(name, dtype="object")
        name_code, uniq = pd.factorize(names, use_na_sentinel=True)
        uniq_names = list(uniq)
        canon_u = pd.Series([canonical(u) for u in uniq_names], dtype="object")
        pin_u = pd.Series([pinyin_key(u) for u in uniq_names], dtype="object")
        canon_of_u, _ = pd.factorize(canon_u)
        pin_of_u, _ = pd.factorize(pin_u)
        canon_code = np.where(name_code >= 0, canon_of_u[name_code] if len(uniq_names) else -1, -1)
        pinyin_code = np.where(name_code >= 0, pin_of_u[name_code] if len(uniq_names) else -1, -1)
        canon_hash = np.where(name_code >= 0, text_hash(canon_u)[name_code] if len(uniq_names) else -1, -1)
        pinyin_hash = np.where(name_code >= 0, text_hash(pin_u)[name_code] if len(uniq_names) else -1, -1)
        if any(cert_no) or any(cert_raw):
            certs = [cert_parts(c, r) if (c or r) else (0, -1) for c, r in zip(cert_no, cert_raw)]
            cert_year = np.fromiter((c[0] for c in certs), dtype=np.int32, count=n)
            cert_serial = np.fromiter((c[1] for c in certs), dtype=np.int64, count=n)
        else:  # no certificate at all (a roll of another department)
            cert_year, cert_serial = np.zeros(n, np.int32), np.full(n, -1, np.int64)
        kinds = pd.Series(kind, dtype="object").map({"cremation": 0, "sea_burial": 1}).fillna(2).to_numpy(np.int8)
        origins = np.zeros(n, np.int8) if origin is None else (pd.Series(origin, dtype="object") == "platform").to_numpy(np.int8)
        sex = pd.to_numeric(pd.Series(sex_code if sex_code is not None else none, dtype="object"), errors="coerce")
        return cls(
            key=np.asarray(key, dtype=np.int64),
            origin=origins,
            kind=kinds,
            home=pd.factorize(pd.Series(home, dtype="object"), use_na_sentinel=True)[0].astype(np.int32),
            name=list(name),
            name_code=name_code.astype(np.int32),
            canon_code=canon_code.astype(np.int32),
            pinyin_code=pinyin_code.astype(np.int32),
            name_conf=np.asarray(name_conf if name_conf is not None else np.ones(n), dtype=np.float32),
            ids=ids,
            has_id=has,
            id_valid=valid,
            id_conf=np.asarray(id_conf if id_conf is not None else np.ones(n), dtype=np.float32),
            cert_year=cert_year,
            cert_serial=cert_serial,
            birth=date_ints(birth_date),
            death=date_ints(death_date if death_date is not None else none),
            event=date_ints(event_date),
            sex=sex.fillna(0).to_numpy(np.int8),
            canon_hash=canon_hash.astype(np.int64),
            pinyin_hash=pinyin_hash.astype(np.int64),
        )


def text_hash(texts: Sequence[str] | pd.Series) -> np.ndarray:
    """63-bit hashes (int64, non-negative) of texts (pandas' SipHash of each string)."""
    arr = np.asarray(list(texts) if not isinstance(texts, pd.Series) else texts.to_numpy(), dtype=object)
    if not len(arr):
        return np.empty(0, np.int64)
    return (pd.util.hash_array(arr, categorize=False) >> np.uint64(1)).astype(np.int64)


def _hash_codes(h: np.ndarray) -> np.ndarray:
    codes, _ = pd.factorize(pd.Series(np.where(h >= 0, h, -1)), use_na_sentinel=True)
    return np.where(h >= 0, codes, -1).astype(np.int32)


def _raw_id18(raw: str | None) -> str | None:
    """The printed ID reduced to its 18 characters when it has exactly that many (a misread digit
    breaks the check digit, so the normalizer gives no value; the digits still point to the person)."""
    if not raw:
        return None
    s = re.sub(r"[^0-9Xx]", "", raw).upper()
    if len(s) == 18 and s[:17].isdigit():
        return s
    return None


# --------------------------------------------------------------------------------------------
# blocking


def _group_pairs(keys: np.ndarray, max_block: int = MAX_BLOCK) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j) of rows sharing a key (>= 0); also the rows of blocks bigger than max_block."""
    idx = np.flatnonzero(keys >= 0)
    if len(idx) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.argsort(keys[idx], kind="stable")
    idx = idx[order]
    k = keys[idx]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    out_a, out_b, big = [], [], []
    for s in np.unique(sizes):
        if s < 2:
            continue
        st = starts[sizes == s]
        members = idx[st[:, None] + np.arange(s)]
        if s > max_block:
            big.append(members.ravel())
            continue
        iu, ju = np.triu_indices(int(s), 1)
        out_a.append(members[:, iu].ravel())
        out_b.append(members[:, ju].ravel())
    cat = lambda xs: np.concatenate(xs).astype(np.int64) if xs else np.empty(0, np.int64)  # noqa: E731
    return cat(out_a), cat(out_b), cat(big)


def _combine(*codes: np.ndarray) -> np.ndarray:
    """Several non-negative int codes -> one int64 key; -1 when any part is missing."""
    out = np.zeros(len(codes[0]), dtype=np.int64)
    missing = np.zeros(len(codes[0]), dtype=bool)
    for c in codes:
        c = c.astype(np.int64)
        missing |= c < 0
        span = int(c.max()) + 2 if len(c) else 1
        out = out * span + (c + 1)
    out[missing] = -1
    return out


def id_key(t: DedupeTable) -> np.ndarray:
    """The whole ID as one int64 (digits in base 11, X = 10) where its check digit holds, else -1."""
    d = t.ids.astype(np.int64)
    full = np.zeros(len(t), dtype=np.int64)
    for c in range(18):
        full = full * 11 + d[:, c]
    return np.where(t.id_valid, full, -1)


def masked_id_key(t: DedupeTable, third: int) -> np.ndarray:
    """The ID with one interleaved third of its digits (positions c % 3 == third) left out, -1
    without an ID: a one-digit misread keeps two of the three keys of the true number."""
    d = t.ids.astype(np.int64)
    k = np.zeros(len(t), dtype=np.int64)
    for c in range(18):
        if c % 3 != third:
            k = k * 11 + d[:, c]
    k[~t.has_id] = -1
    return k


def candidate_pairs(t: DedupeTable, max_block: int = MAX_BLOCK) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Candidate pairs (i < j, row positions) and how many each blocking rule produced."""
    parts_a, parts_b, counts = [], [], {}

    def add(name: str, keys: np.ndarray) -> np.ndarray:
        a, b, big = _group_pairs(keys, max_block)
        parts_a.append(a)
        parts_b.append(b)
        counts[name] = len(a)
        return big

    # ID number: the same valid number; and, for numbers whose check digit is broken, the number
    # with one interleaved third masked at a time, so that a one-digit misread keeps two of three keys
    if t.has_id.any():
        add("id", id_key(t))
        broken = t.has_id & ~t.id_valid
        if broken.any():
            for third in range(3):
                k = masked_id_key(t, third)
                s = pd.Series(broken)
                with_broken = s.groupby(k).transform("any").to_numpy() & (k >= 0)
                k = np.where(with_broken, k, -1)
                a, b, _ = _group_pairs(k, max_block)
                one_broken = broken[a] | broken[b]
                parts_a.append(a[one_broken])
                parts_b.append(b[one_broken])
                counts[f"id_masked_{third + 1}"] = int(one_broken.sum())
    # certificate: home + year + serial; a serial without a year meets through the event year
    has_cert = t.cert_serial >= 0
    year = np.where(t.cert_year > 0, t.cert_year, t.event // 10000)
    k = _combine(t.home, np.where(has_cert & (year > 0), year, -1), np.where(has_cert, t.cert_serial, -1))
    add("cert", k)
    yearless = has_cert & (t.cert_year == 0) & (t.kind == 1)  # a sea burial is often the year after
    if yearless.any():
        prev = np.where(yearless, year - 1, year)
        add("cert_prev_year", _combine(t.home, np.where(has_cert & (prev > 0), prev, -1), np.where(has_cert, t.cert_serial, -1)))
    # folded name + dates
    add("name_birth", _combine(t.canon_code, np.where(t.birth > 0, t.birth, -1)))
    add("name_death", _combine(t.canon_code, np.where(t.death > 0, t.death, -1)))
    # pinyin + birth year; too-big blocks refined by the whole birth date
    by = np.where(t.birth > 0, t.birth // 10000, -1)
    big = add("pinyin_birth_year", _combine(t.pinyin_code, by))
    if len(big):
        k = np.full(len(t), -1, dtype=np.int64)
        k[big] = _combine(t.pinyin_code, np.where(t.birth > 0, t.birth, -1))[big]
        add("pinyin_birth_date", k)

    a = np.concatenate(parts_a) if parts_a else np.empty(0, np.int64)
    b = np.concatenate(parts_b) if parts_b else np.empty(0, np.int64)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    code = np.unique(lo * len(t) + hi)
    lo, hi = code // max(len(t), 1), code % max(len(t), 1)
    both_platform = (t.origin[lo] == 1) & (t.origin[hi] == 1)  # already on the platform: deduped when loaded
    return lo[~both_platform], hi[~both_platform], counts


# --------------------------------------------------------------------------------------------
# blocking one table against another (a roll of living and dead people against the deceased)


def mix_keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two non-negative int64 keys -> one non-negative int64 (a 64-bit mixing hash); -1 where
    either is missing. For keys whose parts are hashes (no span to multiply by, as `_combine` does)."""
    ok = (a >= 0) & (b >= 0)
    with np.errstate(over="ignore"):
        x = a.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ b.astype(np.uint64)
        x ^= x >> np.uint64(31)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(29)
    out = (x >> np.uint64(1)).astype(np.int64)
    out[~ok] = -1
    return out


CROSS_RULES = ("id", "id_masked_1", "id_masked_2", "id_masked_3", "name_birth", "pinyin_birth_date")
"""The blocking rules of `candidate_pairs` that hold between two tables whose second side has no
certificate or death date (a roll): the valid ID; the ID with a third masked where one side's check
digit is broken; the folded name + birth date; the name's reading + birth date. The reading + birth
*year* key is the one `candidate_pairs` refines to the whole birth date when its block grows past
MAX_BLOCK; against millions of roll entries nearly every such block does, so it is the refined key
here from the start."""


def cross_keys(t: DedupeTable) -> dict[str, np.ndarray]:
    """The CROSS_RULES keys of every row (-1 where a rule gives none); comparable across tables."""
    birth = np.where(t.birth > 0, t.birth, -1).astype(np.int64)
    keys = {"id": id_key(t)}
    for third in range(3):
        keys[f"id_masked_{third + 1}"] = masked_id_key(t, third)
    keys["name_birth"] = mix_keys(t.canon_hash, birth)
    keys["pinyin_birth_date"] = mix_keys(t.pinyin_hash, birth)
    return keys


@dataclass
class _SortedKeys:
    keys: np.ndarray  # sorted int64
    rows: np.ndarray  # int64 row of each key

    @classmethod
    def of(cls, keys: np.ndarray, mask: np.ndarray, max_block: int) -> "_SortedKeys":
        rows = np.flatnonzero(mask & (keys >= 0))
        k = keys[rows]
        order = np.argsort(k, kind="stable")
        k, rows = k[order], rows[order]
        if len(k):  # a block bigger than max_block is a common value, not evidence (as in candidate_pairs)
            starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
            sizes = np.diff(np.r_[starts, len(k)])
            keep = np.repeat(sizes <= max_block, sizes)
            k, rows = k[keep], rows[keep]
        return cls(k, rows)

    def lookup(self, q: np.ndarray, q_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(query row, indexed row) for every indexed row sharing the query's key."""
        qi = np.flatnonzero(q_mask & (q >= 0))
        if not len(qi) or not len(self.keys):
            return np.empty(0, np.int64), np.empty(0, np.int64)
        lo = np.searchsorted(self.keys, q[qi], "left")
        hi = np.searchsorted(self.keys, q[qi], "right")
        n = hi - lo
        hit = n > 0
        qi, lo, n = qi[hit], lo[hit], n[hit]
        rep_q = np.repeat(qi, n)
        offs = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        return rep_q.astype(np.int64), self.rows[np.repeat(lo, n) + offs].astype(np.int64)


@dataclass
class CrossIndex:
    """The CROSS_RULES keys of one fixed table (the platform's deceased), sorted once, so that any
    number of other tables (a roll read chunk by chunk) can be blocked against it: `pairs(q)` gives
    the candidate pairs of a chunk without ever holding the roll whole. Blocks bigger than
    MAX_BLOCK on the indexed side are left out, as `candidate_pairs` leaves them out."""

    size: int
    index: dict[str, _SortedKeys]
    broken_index: dict[str, _SortedKeys]  # masked-ID keys of the indexed rows whose check digit fails

    @classmethod
    def build(cls, t: DedupeTable, max_block: int = MAX_BLOCK) -> "CrossIndex":
        keys = cross_keys(t)
        everything = np.ones(len(t), dtype=bool)
        broken = t.has_id & ~t.id_valid
        index = {r: _SortedKeys.of(k, everything, max_block) for r, k in keys.items()}
        broken_index = {r: _SortedKeys.of(keys[r], broken, max_block) for r in keys if r.startswith("id_masked")}
        return cls(len(t), index, broken_index)

    def pairs(self, q: DedupeTable) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
        """Candidate pairs (row of `q`, row of the indexed table), each pair once, and how many
        pairs each rule found. A masked-ID key pairs two rows only when one of them has a broken
        check digit (as in candidate_pairs)."""
        keys = cross_keys(q)
        q_all = np.ones(len(q), dtype=bool)
        q_broken = q.has_id & ~q.id_valid
        parts_q, parts_r, counts = [], [], {}
        for rule, k in keys.items():
            if rule.startswith("id_masked"):
                a1, b1 = self.index[rule].lookup(k, q_broken)  # broken roll ID, any ID indexed
                a2, b2 = self.broken_index[rule].lookup(k, q.id_valid)  # valid roll ID, broken ID indexed
                a, b = np.r_[a1, a2], np.r_[b1, b2]
            else:
                a, b = self.index[rule].lookup(k, q_all)
            parts_q.append(a)
            parts_r.append(b)
            counts[rule] = len(a)
        a = np.concatenate(parts_q) if parts_q else np.empty(0, np.int64)
        b = np.concatenate(parts_r) if parts_r else np.empty(0, np.int64)
        code = np.unique(a * max(self.size, 1) + b)
        return code // max(self.size, 1), code % max(self.size, 1), counts


# --------------------------------------------------------------------------------------------
# scoring


@dataclass
class Pairs:
    """Scored candidate pairs as columns (row positions into the table)."""

    a: np.ndarray
    b: np.ndarray
    weight: np.ndarray  # total log-odds weight
    strength: dict[str, np.ndarray]  # field -> 0..1, NaN where not compared
    how: dict[str, np.ndarray]  # field -> int8 code into HOW_WORDS[field], -1 not compared

    @property
    def score(self) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.weight - 6.5) / 1.5))

    def __len__(self) -> int:
        return len(self.a)


HOW_WORDS: dict[str, tuple[str, ...]] = {
    "id_number": ("same", "one digit differs (check digit broken)", "different"),
    "cremation_cert_no": ("same", "same serial, year not written", "different"),
    "deceased_name": NAME_HOW,
    "birth_date": ("same", "one part differs", "different"),
    "death_date": ("same", "one part differs", "different"),
    "sex_code": ("same", "different"),
    "event_date": ("same day", "fits (scattering after cremation)", "does not fit"),
}


def _name_compare(t: DedupeTable, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(how code, strength, weight) for the names of the pairs; one comparison per distinct name pair."""
    na, nb = t.name_code[a], t.name_code[b]
    n = len(a)
    how = np.full(n, -1, np.int8)
    strength = np.full(n, np.nan, np.float32)
    both = (na >= 0) & (nb >= 0)
    same = both & (na == nb)
    how[same], strength[same] = 0, 1.0
    diff = np.flatnonzero(both & ~same)
    if len(diff):
        lo, hi = np.minimum(na[diff], nb[diff]), np.maximum(na[diff], nb[diff])
        width = int(t.name_code.max()) + 1
        pair_code = lo.astype(np.int64) * width + hi
        uniq, inv = np.unique(pair_code, return_inverse=True)
        names_by_code = _names_by_code(t)
        hows = np.empty(len(uniq), np.int8)
        sims = np.empty(len(uniq), np.float32)
        for u_i, code in enumerate(uniq.tolist()):
            x, y = names_by_code[code // width], names_by_code[code % width]
            h, s = how_names_differ(x, y)
            hows[u_i], sims[u_i] = NAME_HOW.index(h), s
        how[diff], strength[diff] = hows[inv], sims[inv]
    w_of = np.array(
        [W["name_exact"], W["name_variant"], W["name_confusable"], W["name_homophone"], W["name_similar"], W["name_diff"], 0.0],
        dtype=np.float32,
    )
    weight = w_of[np.where(how < 0, 6, how)]
    conf = np.minimum(t.name_conf[a], t.name_conf[b])
    weight = np.where(weight < 0, weight * np.clip(conf, 0.2, 1.0), weight)
    return how, strength, weight


def _names_by_code(t: DedupeTable) -> dict[int, str]:
    codes = t.name_code
    first = np.unique(codes[codes >= 0], return_index=True)
    rows = np.flatnonzero(codes >= 0)[first[1]]
    # a name with a code (>= 0) is never None: the filter only tells the type checker so
    return {int(c): name for c, r in zip(first[0], rows) if (name := t.name[int(r)]) is not None}


def _date_compare(x: np.ndarray, y: np.ndarray, w_same: float, w_near: float, w_diff: float):
    both = (x > 0) & (y > 0)
    same = both & (x == y)
    parts_diff = ((x // 10000) != (y // 10000)).astype(int) + ((x // 100 % 100) != (y // 100 % 100)) + ((x % 100) != (y % 100))
    near = both & ~same & (parts_diff == 1)
    how = np.where(same, 0, np.where(near, 1, np.where(both, 2, -1))).astype(np.int8)
    strength = np.where(same, 1.0, np.where(near, 0.5, np.where(both, 0.0, np.nan))).astype(np.float32)
    weight = np.where(same, w_same, np.where(near, w_near, np.where(both, w_diff, 0.0))).astype(np.float32)
    return how, strength, weight


def score_pairs(t: DedupeTable, a: np.ndarray, b: np.ndarray) -> Pairs:
    n = len(a)
    strength: dict[str, np.ndarray] = {}
    how: dict[str, np.ndarray] = {}
    total = np.zeros(n, dtype=np.float32)

    # ID number: same / one digit misread (the check digit breaks) / different
    both = t.has_id[a] & t.has_id[b]
    ham = np.full(n, 99, dtype=np.int16)
    if both.any():
        ib = np.flatnonzero(both)
        ham[ib] = (t.ids[a[ib]] != t.ids[b[ib]]).sum(axis=1)
    one_bad = ~(t.id_valid[a] & t.id_valid[b])
    h = np.where(~both, -1, np.where(ham == 0, 0, np.where((ham == 1) & one_bad, 1, 2))).astype(np.int8)
    conf = np.clip(np.minimum(t.id_conf[a], t.id_conf[b]), 0.2, 1.0)
    w = np.select([h == 0, h == 1, h == 2], [W["id_same"], W["id_one_digit"], W["id_diff"] * conf], 0.0)
    how["id_number"], strength["id_number"] = h, np.select([h == 0, h == 1, h == 2], [1.0, 0.94, 0.0], np.nan).astype(np.float32)
    total += w

    # certificate: only within one funeral home
    both = (t.cert_serial[a] >= 0) & (t.cert_serial[b] >= 0) & (t.home[a] == t.home[b])
    ya, yb = t.cert_year[a], t.cert_year[b]
    serial_same = t.cert_serial[a] == t.cert_serial[b]
    full_same = serial_same & (ya == yb) & (ya > 0)
    yearless_same = serial_same & ((ya == 0) | (yb == 0))
    h = np.where(~both, -1, np.where(full_same, 0, np.where(yearless_same, 1, 2))).astype(np.int8)
    w = np.select([h == 0, h == 1, h == 2], [W["cert_same"], W["cert_serial"], W["cert_diff"]], 0.0)
    how["cremation_cert_no"] = h
    strength["cremation_cert_no"] = np.select([h == 0, h == 1, h == 2], [1.0, 0.9, 0.0], np.nan).astype(np.float32)
    total += w

    h, s, w = _name_compare(t, a, b)
    how["deceased_name"], strength["deceased_name"] = h, s
    total += w

    for fname, col, key in (("birth_date", t.birth, "birth"), ("death_date", t.death, "death")):
        h, s, w = _date_compare(col[a], col[b], W[f"{key}_same"], W[f"{key}_near"], W[f"{key}_diff"])
        how[fname], strength[fname] = h, s
        total += w

    sa, sb = t.sex[a], t.sex[b]
    both = (sa > 0) & (sb > 0) & (sa < 9) & (sb < 9)
    h = np.where(~both, -1, np.where(sa == sb, 0, 1)).astype(np.int8)
    how["sex_code"], strength["sex_code"] = h, np.select([h == 0, h == 1], [1.0, 0.0], np.nan).astype(np.float32)
    total += np.select([h == 0, h == 1], [W["sex_same"], W["sex_diff"]], 0.0)

    # event dates: one person is cremated once and scattered once, after the cremation
    ea, eb = t.event[a], t.event[b]
    ka, kb = t.kind[a], t.kind[b]
    both = (ea > 0) & (eb > 0)
    same_kind = ka == kb
    oa, ob = _ordinal(ea), _ordinal(eb)
    crem_first = np.where(ka == 0, ob - oa, oa - ob)  # scattering day - cremation day
    fits = ~same_kind & (crem_first >= 0) & (crem_first <= 3 * 372)
    h = np.where(~both, -1, np.where(same_kind & (ea == eb), 0, np.where(fits, 1, 2))).astype(np.int8)
    how["event_date"] = h
    strength["event_date"] = np.select([h == 0, h == 1, h == 2], [1.0, 0.8, 0.0], np.nan).astype(np.float32)
    total += np.select([h == 0, h == 1, h == 2], [W["event_same"], W["event_fits"], W["event_diff"]], 0.0)
    return Pairs(a, b, total.astype(np.float32), strength, how)


# --------------------------------------------------------------------------------------------
# clustering


@dataclass
class DedupeResult:
    table: DedupeTable
    pairs: Pairs  # every candidate pair at or above REVIEW_WEIGHT
    merged: np.ndarray  # bool per pair: joined into one person (automatically or by a person)
    uncertain_mask: np.ndarray  # bool per pair: a person decides
    root: np.ndarray  # per row: the row position of its person's representative
    candidates: int = 0  # candidate pairs compared
    decided_mask: np.ndarray | None = None  # bool per pair: a person decided it (not proposed again)
    block_counts: dict[str, int] = field(default_factory=dict)

    def cluster_keys(self) -> np.ndarray:
        """Per row: the smallest store key among its person's rows (stable across runs)."""
        t = self.table
        big = np.iinfo(np.int64).max
        k = np.where(t.origin == 0, t.key, big)
        smallest = pd.Series(k).groupby(self.root).transform("min").to_numpy()
        return np.where(smallest == big, -1, smallest)

    @property
    def cluster_of(self) -> dict[int, str]:
        """store record key -> cluster id "C%07d" (smallest store key of the person)."""
        t = self.table
        ck = self.cluster_keys()
        return {int(k): "C%07d" % c for k, c, o in zip(t.key.tolist(), ck.tolist(), t.origin.tolist()) if o == 0}

    def _links(self, mask: np.ndarray, status: str) -> list[Link]:
        return [self.link(int(i), status) for i in np.flatnonzero(mask)]

    @property
    def links(self) -> list[Link]:
        auto = self.merged & ~self.uncertain_mask
        if self.decided_mask is not None:
            auto &= ~self.decided_mask
        return self._links(auto, "auto_merged")

    @property
    def uncertain(self) -> list[Link]:
        return self._links(self.uncertain_mask, "uncertain")

    def link(self, i: int, status: str) -> Link:
        p, t = self.pairs, self.table
        ra, rb = int(p.a[i]), int(p.b[i])
        ev: dict[str, Any] = {}
        hows: dict[str, str] = {}
        for f in FIELDS:
            h = int(p.how[f][i])
            if h >= 0:
                ev[f] = round(float(p.strength[f][i]), 3)
                hows[f] = HOW_WORDS[f][h]
        ev["_how"] = hows
        ev["_weight"] = round(float(p.weight[i]), 2)
        oa, ob = ("platform" if t.origin[ra] else "store"), ("platform" if t.origin[rb] else "store")
        (_, ka, oa), (_, kb, ob) = sorted([(oa != "store", int(t.key[ra]), oa), (ob != "store", int(t.key[rb]), ob)])
        return Link(ka, kb, round(float(p.score[i]), 4), status, ev, oa, ob)


def _union_find(
    n: int, pairs: Pairs, auto: np.ndarray, must: np.ndarray, never: set[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    parent = np.arange(n)
    par = parent.tolist()

    def find(i: int) -> int:
        while par[i] != i:
            par[i] = par[par[i]]
            i = par[i]
        return i

    apart: dict[int, set[int]] = {}
    for x, y in never:
        apart.setdefault(x, set()).add(y)
        apart.setdefault(y, set()).add(x)
    members: dict[int, list[int]] = {}

    def blocked(ra: int, rb: int) -> bool:
        if not apart:
            return False
        ma, mb = members.get(ra, [ra]), members.get(rb, [rb])
        if len(ma) > len(mb):
            ma, mb = mb, ma
        mbs = set(mb)
        return any(apart.get(m, set()) & mbs for m in ma)

    merged = np.zeros(len(pairs), dtype=bool)
    order = np.r_[np.flatnonzero(must), np.flatnonzero(auto & ~must)[np.argsort(-pairs.weight[auto & ~must], kind="stable")]]
    a_l, b_l = pairs.a.tolist(), pairs.b.tolist()
    for i in order.tolist():
        ra, rb = find(a_l[i]), find(b_l[i])
        if ra == rb:
            merged[i] = True
            continue
        if not must[i] and blocked(ra, rb):
            continue
        par[ra] = rb
        merged[i] = True
        if apart:
            members[rb] = members.pop(rb, [rb]) + members.pop(ra, [ra])
    root = np.fromiter((find(i) for i in range(n)), dtype=np.int64, count=n)
    return root, merged


def dedupe(
    records: Sequence[DedupeRecord] | DedupeTable,
    *,
    accept_weight: float = ACCEPT_WEIGHT,
    review_weight: float = REVIEW_WEIGHT,
    decided: Mapping[tuple[int, int], str] | None = None,
    max_block: int = MAX_BLOCK,
) -> DedupeResult:
    """Cluster records into persons.

    `decided`: a person's decisions on store pairs, (smaller key, larger key) -> "merged" or
    "kept_apart"; they win over any score. Pairs at or above `accept_weight` merge (unless that
    would join two rows kept apart: then they are uncertain); between `review_weight` and
    `accept_weight` they are uncertain; below, different persons.

    Clear matches are joined strongest first; where a kept-apart pair makes the order matter (B
    matches A and C equally well, A and C kept apart), equal weights go in the order of the rows
    given. Give them in a stable order (pipeline.platform.linkage: file, page, row), never as a
    database happens to return them."""
    t = records if isinstance(records, DedupeTable) else DedupeTable.from_records(list(records))
    a, b, counts = candidate_pairs(t, max_block)
    n_candidates = len(a)
    p = score_pairs(t, a, b)
    decided = dict(decided or {})
    must = np.zeros(len(p), dtype=bool)
    never_pos: set[tuple[int, int]] = set()
    if decided:
        store_pos = {int(k): i for i, (k, o) in enumerate(zip(t.key.tolist(), t.origin.tolist())) if o == 0}
        pair_index = {(int(x), int(y)): i for i, (x, y) in enumerate(zip(p.a.tolist(), p.b.tolist()))}
        extra_a, extra_b = [], []
        for (ka, kb), status in decided.items():
            if ka not in store_pos or kb not in store_pos:
                continue
            x, y = sorted((store_pos[ka], store_pos[kb]))
            if status == "kept_apart":
                never_pos.add((x, y))
            elif status == "merged" and (x, y) not in pair_index:
                extra_a.append(x)
                extra_b.append(y)
        if extra_a:  # a merge a person decided on a pair the blocking no longer finds: keep it
            p2 = score_pairs(t, np.array(extra_a, np.int64), np.array(extra_b, np.int64))
            p = Pairs(
                np.r_[p.a, p2.a],
                np.r_[p.b, p2.b],
                np.r_[p.weight, p2.weight],
                {f: np.r_[p.strength[f], p2.strength[f]] for f in p.strength},
                {f: np.r_[p.how[f], p2.how[f]] for f in p.how},
            )
            pair_index = {(int(x), int(y)): i for i, (x, y) in enumerate(zip(p.a.tolist(), p.b.tolist()))}
        must = np.zeros(len(p), dtype=bool)
        for (ka, kb), status in decided.items():
            if status == "merged" and ka in store_pos and kb in store_pos:
                pa, pb = store_pos[ka], store_pos[kb]
                must[pair_index[(min(pa, pb), max(pa, pb))]] = True
    keep = (p.weight >= review_weight) | must
    if never_pos:
        keep |= np.fromiter(((x, y) in never_pos for x, y in zip(p.a.tolist(), p.b.tolist())), dtype=bool, count=len(p))
    idx = np.flatnonzero(keep)
    p = Pairs(
        p.a[idx], p.b[idx], p.weight[idx], {f: v[idx] for f, v in p.strength.items()}, {f: v[idx] for f, v in p.how.items()}
    )
    must = must[idx]
    auto = (p.weight >= accept_weight) & ~np.fromiter(
        ((x, y) in never_pos for x, y in zip(p.a.tolist(), p.b.tolist())), dtype=bool, count=len(p)
    )
    root, merged = _union_find(len(t), p, auto, must, never_pos)
    undecided = np.ones(len(p), dtype=bool)
    if decided:
        undecided = ~must & ~np.fromiter(
            ((x, y) in never_pos for x, y in zip(p.a.tolist(), p.b.tolist())), dtype=bool, count=len(p)
        )
    # uncertain: neither clearly the same nor clearly different, and not already one person through
    # clear links; a clear match that would join rows a person kept apart goes back to a person too
    uncertain = undecided & ~merged & (p.weight >= review_weight) & (root[p.a] != root[p.b])
    return DedupeResult(t, p, merged, uncertain, root, candidates=n_candidates, block_counts=counts, decided_mask=~undecided)


# --------------------------------------------------------------------------------------------
# what is kept on merge


@dataclass(frozen=True)
class SourceValues:
    """One record of a person, as merge_values reads it."""

    record_id: int
    fields: Mapping[str, Mapping[str, Any]]  # field -> FieldValue.to_dict()
    reviewed: bool = False  # approved by a person: its values were checked
    provenance: Mapping[str, Any] = field(default_factory=dict)  # file, page, row, ledger kind ...


@dataclass(frozen=True)
class GoldenValue:
    value: Any
    record_id: int  # the record the value was taken from
    confidence: float
    why: str  # "reviewed" / "only value" / "agreed by n records" / "highest confidence"
    agreeing: tuple[int, ...]  # every record with this value
    others: tuple[tuple[Any, int], ...] = ()  # other values seen, with the record that had each


@dataclass(frozen=True)
class Golden:
    cluster_id: str
    values: dict[str, GoldenValue]
    sources: tuple[Mapping[str, Any], ...]  # every record's provenance

    def plain(self) -> dict[str, Any]:
        return {f: g.value for f, g in self.values.items()}


_DOUBT_FLAGS = {
    "check_digit_failed",
    "ocr_char_fixed",
    "fuzzy_match",
    "two_digit_year",
    "lexicon_ambiguous",
    "lexicon_context_mismatch",
    "lexicon_under_corrected_county",
    "nonstandard_format",
    "derived_from_id",
    "division_from_id",
}


def _source_order(r: SourceValues) -> tuple[str, int, int, int]:
    """A record's place in its ledger: file sha256, page, row (from its provenance), then its id."""
    p = r.provenance
    return (str(p.get("source_file_sha256") or ""), int(p.get("page") or 0), int(p.get("row") or 0), r.record_id)


def merge_values(cluster_id: str, records: Iterable[SourceValues]) -> Golden:
    """The most reliable value per field: a reviewed record's value first, then the value most
    records agree on (weighted by confidence; a value with doubt flags counts less), then the
    highest confidence, then the record first in the ledger (file sha256, page, row: not the
    smallest record id, which follows the order page workers happened to finish pages in).
    Every choice names its record."""
    recs = sorted(records, key=lambda r: r.record_id)
    at = {r.record_id: i for i, r in enumerate(sorted(recs, key=_source_order))}
    by_field: dict[str, dict[Any, list[tuple[SourceValues, float]]]] = {}
    for r in recs:
        for f, fv in r.fields.items():
            if not fv or fv.get("value") in (None, ""):
                continue
            conf = float(fv.get("confidence", 0.0))
            if set(fv.get("flags") or ()) & _DOUBT_FLAGS:
                conf *= 0.8
            by_field.setdefault(f, {}).setdefault(fv["value"], []).append((r, conf))
    values: dict[str, GoldenValue] = {}
    for f, options in by_field.items():

        def rank(item):
            val, holders = item
            return (
                any(h.reviewed for h, _ in holders),
                round(sum(c for _, c in holders), 6),
                max(c for _, c in holders),
                -min(at[h.record_id] for h, _ in holders),
            )

        ranked = sorted(options.items(), key=rank, reverse=True)
        val, holders = ranked[0]
        best_rec, best_conf = max(holders, key=lambda hc: (hc[0].reviewed, hc[1], -at[hc[0].record_id]))
        if any(h.reviewed for h, _ in holders) and not all(any(h.reviewed for h, _ in o) for _, o in ranked[1:]):
            why = "reviewed"
        elif len(ranked) == 1:
            why = "only value" if len(holders) == 1 else f"agreed by {len(holders)} records"
        elif len(holders) > max(len(o) for _, o in ranked[1:]):
            why = f"agreed by {len(holders)} records"
        else:
            why = "highest confidence"
        values[f] = GoldenValue(
            val,
            best_rec.record_id,
            round(best_conf, 4),
            why,
            tuple(sorted(h.record_id for h, _ in holders)),
            tuple((v, min(h.record_id for h, _ in o)) for v, o in ranked[1:]),
        )
    sources = tuple({"record_id": r.record_id, **r.provenance} for r in recs)
    return Golden(cluster_id, values, sources)


def weight_to_score(weight: float) -> float:
    return 1.0 / (1.0 + math.exp(-(weight - 6.5) / 1.5))
