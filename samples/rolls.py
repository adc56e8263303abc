"""Generated rolls of other departments with known truth, for the cross-registry check's tests and
bench (issue 24): the platform's deceased, and a roll (低保 / pension …) of living people with some
of the deceased still on it.

Vectorized (numpy) so that 3 million deceased and a 10 million-entry roll take minutes, not hours;
names, places and the variations come from the samples' persons (samples.persons, samples.generator):
the same surnames and given-name characters, Yantai's divisions, OCR-confusable shapes, variant
forms and homophones. Variations of a dead person's roll entry:

- `id_typo`: one of the first 17 ID digits typed wrong (the check digit then fails);
- `id_15`: the legacy 15-digit number (born before 2000);
- `id_missing`: no ID on the roll;
- `name_variant`: the name with a confusable shape, a variant form or a homophone;
- `birth_blank`: no birth date on the roll;
- `moved`: the roll's address in another county than the platform's household division.

Living people on the roll include traps: `namesake` (a living person with a deceased's name, birth
date and county, another ID; some without ID on the roll) and `wrong_id` (a living person whose roll
entry carries a deceased's ID). IDs are unique over everyone, as real ones are.

Seeded: the same arguments give the same data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from samples.generator import DIVISIONS, GIVEN_OLD_F, GIVEN_OLD_M, GIVEN_YOUNG_F, GIVEN_YOUNG_M, HOMES, ROADS, SURNAMES
from samples.persons import _vary_name

VARIATIONS = ("id_typo", "id_15", "id_missing", "name_variant", "birth_blank", "moved")
TRAPS = ("namesake", "wrong_id")
_BIT = {v: 1 << i for i, v in enumerate(VARIATIONS + TRAPS)}
_CHECK = np.array(list("10X98765432"))
_W = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)
_DISTRICTS = list(DIVISIONS)  # names, 芝罘区 …
_CODES = np.array([int(DIVISIONS[d]) for d in _DISTRICTS], dtype=np.int64)
_SURNAMES = np.array([s for s, _ in SURNAMES])
_SURNAME_P = np.array([w for _, w in SURNAMES], dtype=float) / sum(w for _, w in SURNAMES)
_POOLS = [np.array(p) for p in (GIVEN_OLD_M, GIVEN_OLD_F, GIVEN_YOUNG_M, GIVEN_YOUNG_F)]
SNAPSHOT = dt.date(2024, 6, 1)  # the roll's date: living people are paid this month
HEADERS = ("序号", "姓名", "性别", "公民身份号码", "出生日期", "家庭住址", "救助证编号", "最后发放年月")


def _ord(d: dt.date) -> int:
    return d.toordinal()


def _ymd(ordinals: np.ndarray) -> np.ndarray:
    """Ordinals -> yyyymmdd int64 (vectorized through numpy datetimes)."""
    days = (ordinals - _ord(dt.date(1970, 1, 1))).astype("datetime64[D]")
    y = days.astype("datetime64[Y]").astype(np.int64) + 1970
    m = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    return y * 10000 + m * 100 + d


def _names(rng: np.random.Generator, n: int, sex: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    sur = _SURNAMES[rng.choice(len(_SURNAMES), n, p=_SURNAME_P)]
    pool = np.where(birth_year < 1950, 0, 2) + (sex == 2)
    out = sur.astype(object)
    two = rng.random(n) >= np.where(birth_year < 1950, 0.2, 0.35)
    for k, p in enumerate(_POOLS):
        rows = np.flatnonzero(pool == k)
        g1 = p[rng.integers(0, len(p), len(rows))]
        g2 = np.where(two[rows], p[rng.integers(0, len(p), len(rows))], "")
        out[rows] = np.char.add(np.char.add(sur[rows], g1), g2).astype(object)
    return out


def _id_body(region: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """The first 17 digits as an int64: region (6) + birth yyyymmdd (8) + sequence (3)."""
    return region * 10**11 + birth * 1000 + seq


def _id_text(body: np.ndarray) -> np.ndarray:
    digits = (body[:, None] // (10 ** np.arange(16, -1, -1, dtype=np.int64))) % 10
    check = _CHECK[(digits @ _W) % 11]
    return np.char.add(np.char.zfill(body.astype(str), 17), check)


def _unique_bodies(
    rng: np.random.Generator, region: np.ndarray, birth: np.ndarray, male: np.ndarray, taken: np.ndarray | None = None
) -> np.ndarray:
    """ID bodies unique among themselves and not in `taken` (sequence parity = sex, GB 11643)."""
    seq = rng.integers(0, 500, len(region)) * 2 + male
    body = _id_body(region, birth, seq)
    for _ in range(50):
        both = body if taken is None else np.r_[taken, body]
        _, first, counts = np.unique(both, return_index=True, return_counts=True)
        dup = np.ones(len(both), dtype=bool)
        dup[first] = False  # the first of each value keeps it
        if taken is not None:
            dup = dup[len(taken) :]
        if not dup.any():
            return body
        k = np.flatnonzero(dup)
        body[k] = _id_body(region[k], birth[k], rng.integers(0, 500, len(k)) * 2 + male[k])
    raise RuntimeError("could not draw unique ID numbers")


def _addresses(rng: np.random.Generator, district: np.ndarray) -> np.ndarray:
    out = np.empty(len(district), dtype=object)
    num = rng.integers(1, 220, len(district)).astype(str)
    for k, name in enumerate(_DISTRICTS):
        rows = np.flatnonzero(district == k)
        roads = np.array(ROADS[name])
        out[rows] = np.char.add(
            np.char.add(np.char.add(name, roads[rng.integers(0, len(roads), len(rows))]), num[rows]), "号"
        ).astype(object)
    return out


@dataclass
class Deceased:
    """The platform's deceased as columns (row i is platform row id i + 1)."""

    name: np.ndarray
    sex: np.ndarray  # 1 / 2
    birth: np.ndarray  # yyyymmdd
    death: np.ndarray
    cremation: np.ndarray
    district: np.ndarray  # index into _DISTRICTS
    id_body: np.ndarray
    has_id: np.ndarray  # the ledger gave an ID
    address: np.ndarray
    home: np.ndarray  # index into HOMES

    def __len__(self) -> int:
        return len(self.name)


@dataclass
class Roll:
    """A roll's entries with the truth: `dead` is the deceased row of an entry (-1: living)."""

    columns: dict[str, np.ndarray]  # header -> values (text, "" for blank)
    dead: np.ndarray  # int64
    flags: np.ndarray  # int32 bit set of VARIATIONS + TRAPS
    months_after: np.ndarray  # int32: the true months paid after the month of death (dead entries)
    header_lines: int = 1  # lines before the first entry (the header)
    live_bodies: np.ndarray | None = None  # the living people's ID bodies (to keep IDs unique over blocks)

    def __len__(self) -> int:
        return len(self.dead)

    def has(self, flag: str) -> np.ndarray:
        return (self.flags & _BIT[flag]) != 0


def make_deceased(n: int, seed: int = 24) -> Deceased:
    rng = np.random.default_rng(seed)
    sex = rng.integers(1, 3, n)
    birth_o = rng.integers(_ord(dt.date(1915, 1, 1)), _ord(dt.date(1990, 12, 31)), n)
    death_o = rng.integers(_ord(dt.date(2010, 1, 1)), _ord(dt.date(2023, 12, 31)), n)
    birth = _ymd(birth_o)
    district = rng.integers(0, len(_DISTRICTS), n)
    body = _unique_bodies(rng, _CODES[district], birth, (sex == 1).astype(np.int64))
    return Deceased(
        name=_names(rng, n, sex, birth // 10000),
        sex=sex,
        birth=birth,
        death=_ymd(death_o),
        cremation=_ymd(death_o + rng.integers(1, 8, n)),
        district=district,
        id_body=body,
        has_id=rng.random(n) >= 0.03,
        address=_addresses(rng, district),
        home=rng.integers(0, len(HOMES), n),
    )


def make_roll(
    dec: Deceased,
    n: int,
    seed: int = 25,
    *,
    dead_share: float = 0.02,
    namesake_share: float = 0.005,
    wrong_id_share: float = 0.0002,
    rates: dict[str, float] | None = None,
    dead_rows: np.ndarray | None = None,
    taken: np.ndarray | None = None,
    first: int = 0,
) -> Roll:
    """A roll of `n` entries: `dead_share` of them deceased (each deceased at most once), the rest
    living people (`namesake_share` of them namesakes of a deceased, `wrong_id_share` carrying a
    deceased's ID), in random order. A dead entry's last payment: the month of death or before for
    60 %, 1 to 36 months after it for the rest (never after the roll's date)."""
    rng = np.random.default_rng(seed)
    r = {"id_typo": 0.04, "id_15": 0.06, "id_missing": 0.04, "name_variant": 0.08, "birth_blank": 0.02, "moved": 0.05}
    r.update(rates or {})
    if dead_rows is None:
        dead_rows = rng.choice(len(dec), min(int(n * dead_share), len(dec)), replace=False)
    n_dead = len(dead_rows)
    n_live = n - n_dead
    # living people
    sex = rng.integers(1, 3, n_live)
    birth = _ymd(rng.integers(_ord(dt.date(1925, 1, 1)), _ord(dt.date(2005, 12, 31)), n_live))
    district = rng.integers(0, len(_DISTRICTS), n_live)
    name = _names(rng, n_live, sex, birth // 10000)
    flags_live = np.zeros(n_live, np.int32)
    ns = np.flatnonzero(rng.random(n_live) < namesake_share)
    src = rng.integers(0, len(dec), len(ns))
    name[ns], birth[ns], district[ns], sex[ns] = dec.name[src], dec.birth[src], dec.district[src], dec.sex[src]
    flags_live[ns] |= _BIT["namesake"]
    body = _unique_bodies(
        rng, _CODES[district], birth, (sex == 1).astype(np.int64), taken=dec.id_body if taken is None else taken
    )
    wrong = np.flatnonzero((rng.random(n_live) < wrong_id_share) & ((flags_live & _BIT["namesake"]) == 0))
    body[wrong] = dec.id_body[rng.integers(0, len(dec), len(wrong))]
    flags_live[wrong] |= _BIT["wrong_id"]
    live_id_missing = rng.random(n_live) < 0.03
    live_id_missing[ns] = rng.random(len(ns)) < 0.3  # a third of the namesakes have no ID on the roll
    live_id_missing[wrong] = False
    live_15 = (rng.random(n_live) < 0.01) & (birth < 20000101)
    # dead people as the roll holds them
    d = dead_rows
    flags_dead = np.zeros(n_dead, np.int32)
    for v in VARIATIONS:
        flags_dead |= np.where(rng.random(n_dead) < r[v], _BIT[v], 0).astype(np.int32)
    too_young = dec.birth[d] >= 20000101
    flags_dead &= ~np.where(too_young, _BIT["id_15"], 0).astype(np.int32)
    both = (flags_dead & _BIT["id_missing"]) != 0
    flags_dead &= ~np.where(both, _BIT["id_typo"] | _BIT["id_15"], 0).astype(np.int32)
    vr = np.random.default_rng(seed + 1)
    dname = dec.name[d].copy()
    for i in np.flatnonzero(flags_dead & _BIT["name_variant"]).tolist():
        which = ("name_confusable", "name_variant", "name_homophone")[int(vr.integers(0, 3))]
        dname[i] = _vary_name(vr, dname[i], (which,))
    ddistrict = dec.district[d].copy()
    moved = np.flatnonzero(flags_dead & _BIT["moved"])
    ddistrict[moved] = (ddistrict[moved] + rng.integers(1, len(_DISTRICTS), len(moved))) % len(_DISTRICTS)
    # payments: living people this month; the dead up to their death month, or on after it
    snap = SNAPSHOT.year * 12 + SNAPSHOT.month - 1
    death_m = dec.death[d] // 10000 * 12 + dec.death[d] // 100 % 100 - 1
    paid_on = rng.random(n_dead) < 0.4
    last_m = np.where(paid_on, np.minimum(death_m + rng.integers(1, 37, n_dead), snap), death_m - rng.integers(0, 3, n_dead))
    months = np.where(last_m > death_m, last_m - death_m, 0).astype(np.int32)
    # one table, shuffled
    total = n_live + n_dead
    order = rng.permutation(total)
    cat = lambda a, b: np.concatenate([a, b])[order]  # noqa: E731
    sex_all = cat(sex, dec.sex[d])
    birth_all = cat(birth, dec.birth[d])
    body_all = cat(body, dec.id_body[d])
    flags = cat(flags_live, flags_dead)
    dead = cat(np.full(n_live, -1, np.int64), d.astype(np.int64))
    ids = _id_text(body_all).astype(object)
    typo = np.flatnonzero(flags & _BIT["id_typo"])
    if len(typo):
        pos = rng.integers(0, 17, len(typo))
        chars = np.array([list(s) for s in ids[typo]])
        old = chars[np.arange(len(typo)), pos].astype(np.int64)
        chars[np.arange(len(typo)), pos] = ((old + rng.integers(1, 10, len(typo))) % 10).astype(str)
        ids[typo] = np.array(["".join(c) for c in chars], dtype=object)
    fifteen = np.flatnonzero((flags & _BIT["id_15"]) != 0) if n_dead else np.empty(0, np.int64)
    fifteen = np.r_[fifteen, np.flatnonzero(cat(live_15, np.zeros(n_dead, bool)))]
    ids[fifteen] = np.array([s[:6] + s[8:17] for s in ids[fifteen]], dtype=object)
    missing = cat(live_id_missing, np.zeros(n_dead, bool)) | ((flags & _BIT["id_missing"]) != 0)
    ids[missing] = ""
    births = pd.Series(birth_all.astype(str)).str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True).to_numpy(object)
    styled = rng.random(total)
    dot = np.flatnonzero(styled < 0.15)
    births[dot] = [f"{b // 10000}.{b // 100 % 100}.{b % 100}" for b in birth_all[dot].tolist()]
    births[(flags & _BIT["birth_blank"]) != 0] = ""
    districts = cat(district, ddistrict)
    last = cat(np.full(n_live, snap), last_m)
    last_text = np.char.add(np.char.add((last // 12).astype(str), "-"), np.char.zfill((last % 12 + 1).astype(str), 2)).astype(
        object
    )
    compact = np.flatnonzero(rng.random(total) < 0.2)
    last_text[compact] = [s.replace("-", "") for s in last_text[compact]]
    names_all = cat(name, dname)
    columns = {
        "序号": np.arange(first + 1, first + total + 1).astype(str).astype(object),
        "姓名": names_all,
        "性别": np.where(sex_all == 1, "男", "女").astype(object),
        "公民身份号码": ids,
        "出生日期": births,
        "家庭住址": _addresses(rng, districts),
        "救助证编号": np.char.add("DB", np.char.zfill((first + rng.permutation(total)).astype(str), 9)).astype(object),
        "最后发放年月": last_text,
    }
    return Roll(columns, dead, flags, cat(np.zeros(n_live, np.int32), months), live_bodies=body)


def write_roll_csv(roll: Roll, path: Path, *, encoding: str = "utf-8", chunk: int = 1_000_000, append: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(roll), chunk):
        df = pd.DataFrame({h: v[start : start + chunk] for h, v in roll.columns.items()})
        first = start == 0 and not append
        df.to_csv(path, mode="w" if first else "a", header=first, index=False, encoding=encoding)


def write_big_roll(
    dec: Deceased, n: int, path: Path, seed: int = 25, *, block: int = 1_000_000, dead_share: float = 0.02
) -> dict[str, np.ndarray]:
    """A roll of `n` entries written block by block (bounded memory), IDs unique over all of them;
    returns the truth of every entry in file order (dead, flags, months)."""
    rng = np.random.default_rng(seed)
    dead_all = rng.choice(len(dec), min(int(n * dead_share), len(dec)), replace=False)
    parts = np.array_split(dead_all, max(1, -(-n // block)))
    taken = [dec.id_body]
    truth: dict[str, list[np.ndarray]] = {"dead": [], "flags": [], "months": []}
    done = 0
    for k, dead_rows in enumerate(parts):
        size = min(block, n - done)
        roll = make_roll(dec, size, seed + 100 + k, dead_rows=dead_rows, taken=np.concatenate(taken), first=done)
        write_roll_csv(roll, path, append=done > 0)
        taken.append(roll.live_bodies)
        truth["dead"].append(roll.dead)
        truth["flags"].append(roll.flags)
        truth["months"].append(roll.months_after)
        done += size
    return {k: np.concatenate(v) for k, v in truth.items()}


def write_roll_xlsx(roll: Roll, path: Path, *, title: str | None = None) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("名册")
    if title:
        ws.append([title])
    ws.append(list(roll.columns))
    for i in range(len(roll)):
        ws.append([roll.columns[h][i] for h in roll.columns])
    wb.save(path)


def platform_rows(dec: Deceased, start: int = 0, stop: int | None = None) -> list[tuple[Any, ...]]:
    """dead_information rows (column order: PLATFORM_COLUMNS) of deceased start..stop."""
    stop = len(dec) if stop is None else stop
    sl = slice(start, stop)
    ids = _id_text(dec.id_body[sl])
    has = dec.has_id[sl]
    homes = np.array([h.code for h in HOMES])[dec.home[sl]]
    iso = lambda a: pd.Series(a.astype(str)).str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True).tolist()  # noqa: E731
    birth, death, crem = iso(dec.birth[sl]), iso(dec.death[sl]), iso(dec.cremation[sl])
    codes = _CODES[dec.district[sl]].astype(str)
    out = []
    for k, i in enumerate(range(start, stop)):
        out.append(
            (
                i + 1,
                f"gen|{i + 1:08d}",
                homes[k],
                f"{crem[k][:4]}{i % 100000:05d}",
                str(dec.name[i]),
                str(dec.sex[i]),
                "0" if has[k] else None,
                str(ids[k]) if has[k] else None,
                birth[k],
                codes[k],
                str(dec.address[i]),
                death[k],
                crem[k],
                "gen",
                "mzt141-draft-0",
            )
        )
    return out


PLATFORM_COLUMNS = (
    "id",
    "natural_key",
    "funeral_home_code",
    "cremation_cert_no",
    "deceased_name",
    "sex_code",
    "id_type",
    "id_number",
    "birth_date",
    "household_division_code",
    "household_address",
    "death_date",
    "cremation_date",
    "row_hash",
    "spec_version",
)


def write_platform(dec: Deceased, path: Path, *, batch: int = 200_000) -> str:
    """A SQLite platform database (schema by its migrations) holding the deceased in
    dead_information; returns its URL."""
    import sqlite3

    from sqlalchemy import bindparam, insert
    from sqlalchemy.dialects import sqlite

    from pipeline.platform.schema import migrate_platform, platform_metadata

    url = f"sqlite:///{Path(path).as_posix()}"
    migrate_platform(url)
    t = platform_metadata("mzt141-draft-0").tables["dead_information"]
    stmt = insert(t).values({c: bindparam(c) for c in PLATFORM_COLUMNS})
    sql = str(stmt.compile(dialect=sqlite.dialect(paramstyle="named")))
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA synchronous=OFF")
        with con:
            for s in range(0, len(dec), batch):
                con.executemany(sql, (dict(zip(PLATFORM_COLUMNS, r)) for r in platform_rows(dec, s, min(s + batch, len(dec)))))
    finally:
        con.close()
    return url


def truth_of(roll: Roll) -> dict[int, int]:
    """roll line (header on line 1) -> platform row id (deceased index + 1), dead entries only."""
    rows = np.flatnonzero(roll.dead >= 0)
    return {int(i) + 1 + roll.header_lines: int(roll.dead[i]) + 1 for i in rows}
