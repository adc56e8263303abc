"""The ledger inventory: which ledger volumes should exist, and which scan belongs to which volume.

An administrator imports the inventory from a CSV file (one line per volume):

    funeral_home,ledger_kind,year,volume,expected_pages,path_pattern,notes
    370600100001,cremation,2013,1,120,yantai/2013/cremation_*,
    龙口市殡仪馆,sea_burial,2016,1,30,,

`funeral_home` is a code of the institution register or a name printed on the ledgers (turned into
its code); `ledger_kind` a kind of the spec; `year` 2000..2100; `expected_pages` a whole number > 0;
`path_pattern` (optional) a glob on the scan's path relative to the scans folder; `notes` optional.
Every bad line is reported at once (file and line number) and nothing is imported then. Importing
again updates the volumes it names (key: funeral home, kind, year, volume) and keeps the others.

Matching a scanned file to a volume (one rule, used by `backfill status`, the admin page and runs):
1. path pattern: the volumes whose `path_pattern` matches the file's relative path (fnmatch, or the
   pattern names a folder the file lies in); the longest matching pattern wins;
2. else the ledger title read from the file's processed pages (majority over its pages): funeral
   home (named in the title, else the configured default), ledger kind and year; the one inventory
   volume with that home, kind and year, preferring volumes without a path pattern. Where several
   volumes share them, or none is in the inventory, the file counts for that home, kind and year
   without a volume (shown as volume "—", not in inventory when none exists);
3. a file whose pages are not processed yet and that no pattern names is "unidentified" until read.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select

from mapping.spec import load_spec
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError, ExitCode
from pipeline.kernel.reasons import zh_en
from pipeline.kernel.store import LedgerVolume, Page, SourceFile, Store, utcnow
from pipeline.page.extract import ledger_year, resolve_funeral_home

COLUMNS = ("funeral_home", "ledger_kind", "year", "volume", "expected_pages", "path_pattern", "notes")
REQUIRED = ("funeral_home", "ledger_kind", "year", "volume", "expected_pages")
UNIDENTIFIED = "?"
KIND_LABELS: dict[str, tuple[str, str]] = {
    "cremation": ("火化登记", "cremation register"),
    "sea_burial": ("海葬登记", "sea burial register"),
}
"""A ledger kind's name, Chinese first (the spec's register titles): the completion table, volume labels."""


class InventoryError(BackfillError):
    """An inventory file with bad lines; `problems` lists them all (line number and reason), `details` the
    first 50 of them as shown, one per line."""

    exit_code = ExitCode.input_file

    def __init__(self, path: str, problems: list[str], *, unreadable: bool = False):
        """`problems`: one per bad line, Chinese first ("第 3 行：… / line 3: …", `_line_problem`); with
        `unreadable`, the one reason the file could not be read at all (then no line is counted as bad)."""
        if unreadable:
            super().__init__(
                f"{path}：{problems[0]}，未导入任何卷册 / nothing imported",
                hint="请检查文件路径、权限和编码（须为 UTF-8 编码的 CSV）后重新导入 / "
                "check the file's path, permissions and encoding (a UTF-8 CSV) and import it again",
            )
            self.problems = problems
            return
        n = len(problems)
        listed = problems[:50] + ([zh_en(f"…… 另有 {n - 50} 行", f"... and {n - 50} more")] if n > 50 else [])
        super().__init__(
            f"{path}：{n} 行有误，未导入任何卷册，逐行列于下方 / {n} bad line(s), nothing imported, listed below",
            hint="请改正所列的行后重新导入该文件 / fix the lines named and import the file again",
            details=listed,
        )
        self.problems = problems


def _line_problem(line: int, bad: list[tuple[str, str]]) -> str:
    """One bad line of an inventory file, Chinese first: "第 3 行：年份 '20x4' 不是 2000 到 2100 之间的年份 /
    line 3: year '20x4' is not a year within 2000..2100" (each of `bad` a (Chinese, English) pair)."""
    return zh_en(f"第 {line} 行：" + "；".join(zh for zh, _ in bad), f"line {line}: " + "; ".join(en for _, en in bad))


@lru_cache(maxsize=1)
def institutions() -> dict[str, str]:
    """Funeral home name -> code (the institution register shipped with mapping/)."""
    doc = json.loads(resources.files("mapping").joinpath("data/institutions.json").read_text(encoding="utf-8"))
    return dict(doc["institutions"])


def home_names() -> dict[str, str]:
    """code -> name."""
    return {code: name for name, code in institutions().items()}


@dataclass(frozen=True)
class VolumeRow:
    funeral_home_code: str
    ledger_kind: str
    year: int
    volume: str
    expected_pages: int
    path_pattern: str | None = None
    notes: str = ""


def parse_inventory(text: str, source: str, spec_version: str | None = None) -> list[VolumeRow]:
    """Validate an inventory CSV; raise InventoryError naming every bad line."""
    kinds = set(load_spec(spec_version).kinds)
    names = institutions()
    codes = set(names.values())
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS]
    if missing or unknown:
        parts = ([(f"缺少列 {', '.join(missing)}", f"missing column(s) {', '.join(missing)}")] if missing else []) + (
            [(f"未知的列 {', '.join(unknown)}", f"unknown column(s) {', '.join(unknown)}")] if unknown else []
        )
        cols = ", ".join(COLUMNS)
        parts[-1] = (f"{parts[-1][0]}（可用的列：{cols}）", f"{parts[-1][1]} (columns: {cols})")
        raise InventoryError(source, [_line_problem(1, parts)])
    rows: list[VolumeRow] = []
    problems: list[str] = []
    seen: dict[tuple, int] = {}
    for raw in reader:
        line = reader.line_num
        d = {(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in raw.items()}
        if not any(d.values()):
            continue
        bad: list[tuple[str, str]] = []
        home = d.get("funeral_home", "")
        code = names.get(home, home)
        if not home:
            bad.append(("殡仪馆（funeral_home）为空", "funeral_home is empty"))
        elif code not in codes and not (code.isdigit() and 6 <= len(code) <= 20):
            bad.append(
                (
                    f"殡仪馆（funeral_home）{home!r} 既不是已知的殡仪馆名称，也不是数字代码",
                    f"funeral_home {home!r} is neither a known funeral home name nor a numeric code",
                )
            )
        kind = d.get("ledger_kind", "")
        if kind not in kinds:
            known = ", ".join(sorted(kinds))
            bad.append((f"登记簿种类（ledger_kind）{kind!r} 不是 {known} 之一", f"ledger_kind {kind!r} is not one of {known}"))
        year = _int(d.get("year", ""))
        if year is None or not 2000 <= year <= 2100:
            y = d.get("year", "")
            bad.append((f"年份（year）{y!r} 不是 2000 到 2100 之间的年份", f"year {y!r} is not a year within 2000..2100"))
        volume = d.get("volume", "")
        if not volume:
            bad.append(("册号（volume）为空", "volume is empty"))
        elif len(volume) > 40:
            bad.append(("册号（volume）超过 40 个字符", "volume is longer than 40 characters"))
        pages = _int(d.get("expected_pages", ""))
        if pages is None or pages < 1:
            e = d.get("expected_pages", "")
            bad.append(
                (f"应有页数（expected_pages）{e!r} 不是大于 0 的整数", f"expected_pages {e!r} is not a whole number above 0")
            )
        if not bad:
            key = (code, kind, year, volume)
            if key in seen:
                bad.append((f"与第 {seen[key]} 行是同一册", f"the same volume as line {seen[key]}"))
            seen.setdefault(key, line)
        if bad:
            problems.append(_line_problem(line, bad))
            continue
        assert year is not None and pages is not None  # a line without them is bad above
        rows.append(VolumeRow(code, kind, int(year), volume, int(pages), d.get("path_pattern") or None, d.get("notes", "")))
    if problems:
        raise InventoryError(source, problems)
    return rows


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def import_inventory(store: Store, path: Path, settings: Settings | None = None) -> ImportResult:
    """Import (upsert) the volumes of an inventory CSV, all or nothing."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InventoryError(
            str(path), [zh_en("文件无法读取（不存在或权限不足？）", f"cannot read the file: {e}")], unreadable=True
        ) from e
    return import_inventory_text(store, inventory_text(data, str(path)), str(path), settings)


def inventory_text(data: bytes, source: str) -> str:
    """An inventory file's bytes as text (UTF-8, a byte-order mark allowed); bytes that are not UTF-8 (a CSV
    saved as GBK, say) raise InventoryError saying so, the same for the CLI and the review app's upload."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        at = f"第 {e.start + 1} 个字节 0x{data[e.start]:02x}"
        raise InventoryError(
            source,
            [zh_en(f"文件不是 UTF-8 编码（{at}）", f"the file is not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})")],
            unreadable=True,
        ) from e


def import_inventory_text(store: Store, text: str, source: str, settings: Settings | None = None) -> ImportResult:
    rows = parse_inventory(text, source, settings.spec_version if settings else None)
    out = ImportResult()
    with store.session() as s, s.begin():
        existing = {(v.funeral_home_code, v.ledger_kind, v.year, v.volume): v for v in s.scalars(select(LedgerVolume))}
        for r in rows:
            v = existing.get((r.funeral_home_code, r.ledger_kind, r.year, r.volume))
            if v is None:
                s.add(
                    LedgerVolume(
                        funeral_home_code=r.funeral_home_code,
                        ledger_kind=r.ledger_kind,
                        year=r.year,
                        volume=r.volume,
                        expected_pages=r.expected_pages,
                        path_pattern=r.path_pattern,
                        notes=r.notes,
                    )
                )
                out.added += 1
            elif (v.expected_pages, v.path_pattern, v.notes) != (r.expected_pages, r.path_pattern, r.notes):
                v.expected_pages, v.path_pattern, v.notes, v.imported_at = r.expected_pages, r.path_pattern, r.notes, utcnow()
                out.updated += 1
            else:
                out.unchanged += 1
    return out


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Volume:
    """An inventory volume as plain data."""

    id: int
    funeral_home_code: str
    ledger_kind: str
    year: int
    volume: str
    expected_pages: int
    path_pattern: str | None


@dataclass(frozen=True)
class FileMatch:
    file_id: int
    funeral_home_code: str  # UNIDENTIFIED when not known yet
    ledger_kind: str
    year: int | None
    volume_id: int | None  # None: not matched to one inventory volume
    how: str  # pattern / title / unidentified


def volumes(store: Store) -> list[Volume]:
    with store.session() as s:
        return [
            Volume(v.id, v.funeral_home_code, v.ledger_kind, v.year, v.volume, v.expected_pages, v.path_pattern)
            for v in s.scalars(
                select(LedgerVolume).order_by(
                    LedgerVolume.funeral_home_code, LedgerVolume.year, LedgerVolume.ledger_kind, LedgerVolume.volume
                )
            )
        ]


def pattern_matches(pattern: str, rel_path: str) -> bool:
    pat = pattern.replace("\\", "/").strip()
    rel = rel_path.replace("\\", "/")
    return fnmatchcase(rel, pat) or rel.startswith(pat.rstrip("/") + "/") or fnmatchcase(rel, pat.rstrip("/") + "/*")


def match_path(vols: list[Volume], rel_path: str) -> Volume | None:
    hits = [v for v in vols if v.path_pattern and pattern_matches(v.path_pattern, rel_path)]
    return max(hits, key=lambda v: (len(v.path_pattern or ""), -v.id)) if hits else None


def identify_files(store: Store, settings: Settings, vols: list[Volume] | None = None) -> dict[int, FileMatch]:
    """Every source file of the store matched to the inventory (see the module's rule)."""
    vols = volumes(store) if vols is None else vols
    by_triple: dict[tuple[str, str, int], list[Volume]] = defaultdict(list)
    for v in vols:
        by_triple[(v.funeral_home_code, v.ledger_kind, v.year)].append(v)
    with store.session() as s:
        files = s.execute(select(SourceFile.id, SourceFile.rel_path)).all()
        titles = s.execute(
            select(Page.file_id, Page.title, Page.ledger_kind, func.count(Page.id))
            .where(Page.status == "done", Page.ledger_kind.is_not(None))
            .group_by(Page.file_id, Page.title, Page.ledger_kind)
        ).all()
    votes: dict[int, Counter] = defaultdict(Counter)
    for fid, title, kind, n in titles:
        home = resolve_funeral_home(title or "", settings.funeral_home_code) or UNIDENTIFIED
        votes[fid][(home, kind, ledger_year(title or ""))] += n
    out: dict[int, FileMatch] = {}
    for fid, rel in files:
        vol = match_path(vols, rel)
        if vol is not None:
            out[fid] = FileMatch(fid, vol.funeral_home_code, vol.ledger_kind, vol.year, vol.id, "pattern")
            continue
        if votes.get(fid):
            (home, kind, year), _n = votes[fid].most_common(1)[0]
            cands = by_triple.get((home, kind, year), []) if year is not None else []
            plain = [c for c in cands if not c.path_pattern]
            pick = plain if plain else cands
            vid = pick[0].id if len(pick) == 1 else None
            out[fid] = FileMatch(fid, home, kind, year, vid, "title")
            continue
        out[fid] = FileMatch(fid, UNIDENTIFIED, UNIDENTIFIED, None, None, "unidentified")
    return out


@dataclass(frozen=True)
class Selection:
    """Which volumes a run covers: funeral home codes (or names), years, volume labels; empty = all."""

    homes: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    volumes: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not (self.homes or self.years or self.volumes)

    def codes(self) -> set[str]:
        names = institutions()
        return {names.get(h, h) for h in self.homes}

    def accepts(self, home: str, year: int | None, volume: str | None) -> bool:
        if self.homes and home not in self.codes():
            return False
        if self.years and year not in self.years:
            return False
        if self.volumes and volume not in self.volumes:
            return False
        return True


def parse_years(specs: list[str] | None) -> tuple[int, ...]:
    """'2013', '2010-2012', '2014,2016' -> (2010, 2011, 2012, 2013, 2014, 2016)."""
    years: set[int] = set()
    for spec in specs or []:
        for part in str(spec).split(","):
            part = part.strip()
            if not part:
                continue
            a, _, b = part.partition("-")
            lo, hi = _int(a), _int(b) if b else _int(a)
            if lo is None or hi is None or lo > hi or not 2000 <= lo <= 2100 or not 2000 <= hi <= 2100:
                raise BackfillError(f"--year {part!r} is not a year or a range like 2010-2017")
            years.update(range(lo, hi + 1))
    return tuple(sorted(years))
