"""The target data specification, loaded from one versioned JSON file.

`load_spec()` gives the default version (`mzt141-draft-0`), `load_spec("mzt141-draft-0")` a
version shipped in `mapping/data/`, `load_spec("/path/to/official.json")` any file with the same
layout, and `load_spec(dict)` an in-memory document (tests). Validation collects every error
before raising one `ConfigError`, so a replacement file can be fixed in one go.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from pipeline.kernel.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_VERSION = "mzt141-draft-0"

#: normalizer names a field may ask for; mapping.normalize implements each one.
NORMALIZERS = frozenset(
    {"text", "cert_no", "name", "sex", "code", "id_number", "date", "age", "division", "address", "phone", "sea_area", "count"}
)
FIELD_TYPES = frozenset({"str", "code", "date", "int", "id_number"})
SOURCES = frozenset({"cell", "context", "derived"})
MANDATORY = frozenset({"M", "O", "C"})  # C: mandatory when `condition` ("field=value") holds


@dataclass(frozen=True, eq=False)
class FieldSpec:
    name: str
    label: str
    type: str
    max_length: int | None
    mandatory: str  # "M", "O" or "C" (conditional, see condition)
    normalizer: str
    code_table: str | None = None
    condition: str | None = None
    source: str = "cell"  # "cell" (a printed column), "context" (run config), "derived"
    derived_from: str | None = None
    synonyms: tuple[str, ...] = ()
    note: str = ""

    def is_mandatory(self, values: Mapping[str, Any]) -> bool:
        """Whether the field is mandatory given the other values of the record."""
        if self.mandatory == "M":
            return True
        if self.mandatory == "C" and self.condition and "=" in self.condition:
            other, expected = self.condition.split("=", 1)
            return str(values.get(other.strip())) == expected.strip()
        return False


@dataclass(frozen=True, eq=False)
class KindSpec:
    name: str
    label: str
    entity: str
    title_words: tuple[str, ...]
    key_fields: tuple[str, ...]
    pseudo_fields: Mapping[str, tuple[str, ...]]
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def require(self, name: str) -> FieldSpec:
        """The field `name`, where the caller knows the kind has it (a column mapped to it, a value of it):
        ConfigError where it has not, as `Spec.kind` for a kind."""
        f = self.field(name)
        if f is None:
            raise ConfigError(
                f"ledger kind {self.name!r} has no field {name!r}",
                hint=f"该登记簿的字段 its fields：{', '.join(self.field_names)}",
            )
        return f

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True, eq=False)
class CodeTable:
    name: str
    standard: str
    codes: Mapping[str, str]  # code -> label
    wording: Mapping[str, str]  # printed wording -> code
    lookup: Mapping[str, str] = field(default_factory=dict)  # wording, labels and codes -> code


@dataclass(frozen=True, eq=False)
class Division:
    code: str
    name: str
    valid_from: int | None = None
    valid_to: int | None = None  # inclusive year; None = still valid
    successor: str | None = None

    def valid_in(self, year: int | None) -> bool:
        if year is None:
            return True
        if self.valid_from is not None and year < self.valid_from:
            return False
        if self.valid_to is not None and year > self.valid_to:
            return False
        return True


@dataclass(frozen=True, eq=False)
class Place:
    name: str
    kind: str  # district, street, town, island, sea_area
    district: str  # 6-digit code of the district/county it lies in
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class PlaceLexicon:
    version: str
    suffixes: tuple[str, ...]
    boundary_before: tuple[str, ...]
    places: tuple[Place, ...]
    disambiguate_by_district: bool = True
    villages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Town or street name -> its villages (the lexicon's "villages" file: the NBS list)."""
    confusions: tuple[tuple[str, str], ...] = ()
    """(read, written) character pairs reviewers corrected in place names, accepted into the local
    lexicon (pipeline.page.lexicon): a reading where the written character would make a listed name is
    doubted (mapping.places.confusion_doubted), never rewritten."""
    local: tuple[str, ...] = ()
    """The names the local lexicon added (pipeline.page.lexicon), for the reviewer's note."""


@dataclass(frozen=True, eq=False)
class Rules:
    onboard_count_max: int = 4
    cremation_gap_warn_days: int = 30
    ledger_year_window: int = 1
    age_tolerance_years: int = 1
    min_header_score: float = 0.65
    keep_wording_in_remarks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    remarks_wording_prefix: Mapping[str, str] = field(default_factory=dict)
    commercial_cemetery_words: tuple[str, ...] = ()
    commercial_cemetery_code_map: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Spec:
    """One validated version of the field catalogue. Hash/eq by identity (usable as a cache key)."""

    version: str
    title: str
    kinds: Mapping[str, KindSpec]
    unsupported_kinds: Mapping[str, tuple[str, ...]]  # kind -> title words (ledgers we know but do not map)
    code_tables: Mapping[str, CodeTable]
    divisions: Mapping[str, Division]
    rules: Rules
    places: PlaceLexicon
    source: str = ""
    id_address_codes: frozenset[str] = frozenset()
    """GB/T 2260 codes an ID number may begin with that are no household division (370601, 烟台市市辖区:
    GB 11643's address code of numbers issued for the city's districts as one); `id_regions` holds both."""

    @property
    def id_regions(self) -> frozenset[str]:
        """Every code an ID number's first six digits may be (GB 11643 address code): the listed
        divisions and `id_address_codes`. What a corrected or decoded ID must begin with
        (mapping.idfix, pipeline.page.extract); a household division code is still one of `divisions`."""
        return frozenset(self.divisions) | self.id_address_codes

    def kind(self, name: str) -> KindSpec:
        try:
            return self.kinds[name]
        except KeyError:
            raise ConfigError(
                f"spec {self.version}: unknown ledger kind {name!r}",
                hint=f"已知的登记簿种类 known kinds：{', '.join(self.kinds)}",
            ) from None

    def table(self, name: str) -> CodeTable:
        return self.code_tables[name]


_CACHE: dict[tuple[str, int], Spec] = {}


def load_spec(path_or_version: "Spec | Mapping[str, Any] | str | os.PathLike[str] | None" = None) -> Spec:
    """Load and validate a spec: None (default version), a version name, a JSON path, a dict or a Spec."""
    if isinstance(path_or_version, Spec):
        return path_or_version
    if isinstance(path_or_version, Mapping):
        return _build(dict(path_or_version), base_dir=DATA_DIR, source="<dict>")
    path = _resolve(path_or_version)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise ConfigError(
            f"spec file not found: {path}",
            hint="请给出 mapping/data 中的规范版本，或规范 JSON 文件的路径 / give a version shipped in mapping/data "
            "or a path to a spec JSON file",
        ) from None
    key = (str(path), mtime)
    spec = _CACHE.get(key)
    if spec is None:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"spec file {path} cannot be read as JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise ConfigError(f"spec file {path}: top level must be an object")
        spec = _build(doc, base_dir=path.parent, source=str(path))
        _CACHE[key] = spec
    return spec


def _resolve(path_or_version: "str | os.PathLike[str] | None") -> Path:
    if path_or_version is None:
        return DATA_DIR / f"{DEFAULT_VERSION}.json"
    text = os.fspath(path_or_version)
    if isinstance(path_or_version, str) and re.fullmatch(r"[\w.\-]+", text) and not text.endswith(".json"):
        return DATA_DIR / f"{text}.json"
    return Path(text).expanduser().resolve()


# --------------------------------------------------------------------------- building + validation


def _build(doc: dict[str, Any], *, base_dir: Path, source: str) -> Spec:
    errors: list[str] = []

    def need(obj: Any, key: str, typ: type | tuple[type, ...], where: str, default: Any = ...) -> Any:
        if not isinstance(obj, dict) or key not in obj:
            if default is not ...:
                return default
            errors.append(f"{where}: missing {key!r}")
            return None
        val = obj[key]
        if not isinstance(val, typ) or (typ is int and isinstance(val, bool)):
            errors.append(f"{where}.{key}: expected {getattr(typ, '__name__', typ)}, got {type(val).__name__}")
            return None if default is ... else default
        return val

    version = need(doc, "version", str, "spec") or ""
    if version == "" and "version" in doc:
        errors.append("spec.version: must not be empty")
    title = need(doc, "title", str, "spec", "")

    # code tables
    tables: dict[str, CodeTable] = {}
    for tname, tdoc in (need(doc, "code_tables", dict, "spec") or {}).items():
        where = f"code_tables.{tname}"
        codes = need(tdoc, "codes", dict, where) or {}
        wording = need(tdoc, "wording", dict, where, {}) or {}
        for c, lab in codes.items():
            if not isinstance(lab, str) or not str(c):
                errors.append(f"{where}.codes: bad entry for {c!r}")
        for w, c in wording.items():
            if c not in codes:
                errors.append(f"{where}.wording: {w!r} maps to {c!r}, which is not a code of the table")
        lookup: dict[str, str] = {}
        for c, lab in codes.items():
            lookup[str(c)] = str(c)
            if isinstance(lab, str):
                lookup.setdefault(lab, str(c))
        for w, c in wording.items():
            if c in codes:
                lookup[w] = c
        tables[tname] = CodeTable(
            tname,
            str(tdoc.get("standard", "")) if isinstance(tdoc, dict) else "",
            MappingProxyType({str(k): str(v) for k, v in codes.items()}),
            MappingProxyType({str(k): str(v) for k, v in wording.items()}),
            MappingProxyType(lookup),
        )

    # divisions
    divisions: dict[str, Division] = {}
    ddoc = need(doc, "divisions", dict, "spec") or {}
    for i, e in enumerate(need(ddoc, "entries", list, "divisions") or []):
        where = f"divisions.entries[{i}]"
        code = need(e, "code", str, where)
        name = need(e, "name", str, where)
        vf = e.get("valid_from") if isinstance(e, dict) else None
        vt = e.get("valid_to") if isinstance(e, dict) else None
        succ = e.get("successor") if isinstance(e, dict) else None
        if code is not None and not re.fullmatch(r"\d{6}", code):
            errors.append(f"{where}.code: must be 6 digits")
        for k, v in (("valid_from", vf), ("valid_to", vt)):
            if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
                errors.append(f"{where}.{k}: must be a year or null")
        if isinstance(vf, int) and isinstance(vt, int) and vf > vt:
            errors.append(f"{where}: valid_from after valid_to")
        if code and name:
            if code in divisions:
                errors.append(f"{where}: duplicate code {code}")
            divisions[code] = Division(code, name, vf if isinstance(vf, int) else None, vt if isinstance(vt, int) else None, succ)
    id_address: set[str] = set()
    id_codes = ddoc.get("id_address_codes") or []
    if not isinstance(id_codes, list):
        errors.append("divisions.id_address_codes: must be a list of {code, name}")
        id_codes = []
    for i, e in enumerate(id_codes):
        code = e.get("code") if isinstance(e, dict) else None
        if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
            errors.append(f"divisions.id_address_codes[{i}].code: must be 6 digits")
        elif code in divisions:
            errors.append(f"divisions.id_address_codes[{i}]: {code} is a listed division already")
        else:
            id_address.add(code)
    for d in divisions.values():
        if d.successor is not None and d.successor not in divisions:
            errors.append(f"divisions: successor {d.successor!r} of {d.code} is not a listed code")
    div_lookup = {d.name: d.code for d in divisions.values()}
    div_lookup.update({d.code: d.code for d in divisions.values()})
    tables["division"] = CodeTable(
        "division",
        str(ddoc.get("standard", "GB/T 2260")),
        MappingProxyType({d.code: d.name for d in divisions.values()}),
        MappingProxyType({}),
        MappingProxyType(div_lookup),
    )

    # rules
    rdoc = need(doc, "rules", dict, "spec", {}) or {}
    try:
        rules = Rules(
            onboard_count_max=int(rdoc.get("onboard_count_max", 4)),
            cremation_gap_warn_days=int(rdoc.get("cremation_gap_warn_days", 30)),
            ledger_year_window=int(rdoc.get("ledger_year_window", 1)),
            age_tolerance_years=int(rdoc.get("age_tolerance_years", 1)),
            min_header_score=float(rdoc.get("min_header_score", 0.65)),
            keep_wording_in_remarks=MappingProxyType(
                {k: tuple(v) for k, v in dict(rdoc.get("keep_wording_in_remarks", {})).items()}
            ),
            remarks_wording_prefix=MappingProxyType(dict(rdoc.get("remarks_wording_prefix", {}))),
            commercial_cemetery_words=tuple(rdoc.get("commercial_cemetery_words", ())),
            commercial_cemetery_code_map=MappingProxyType(dict(rdoc.get("commercial_cemetery_code_map", {}))),
        )
    except (TypeError, ValueError) as exc:
        errors.append(f"rules: {exc}")
        rules = Rules()

    # kinds
    kinds: dict[str, KindSpec] = {}
    for kname, kdoc in (need(doc, "kinds", dict, "spec") or {}).items():
        where = f"kinds.{kname}"
        fields: list[FieldSpec] = []
        seen: set[str] = set()
        syn_owner: dict[str, str] = {}
        for i, fdoc in enumerate(need(kdoc, "fields", list, where) or []):
            fw = f"{where}.fields[{i}]"
            name = need(fdoc, "name", str, fw)
            if name is None:
                continue
            fw = f"{where}.{name}"
            if name in seen:
                errors.append(f"{fw}: duplicate field name")
            seen.add(name)
            ftype = need(fdoc, "type", str, fw)
            if ftype is not None and ftype not in FIELD_TYPES:
                errors.append(f"{fw}.type: {ftype!r} not one of {sorted(FIELD_TYPES)}")
            mand = need(fdoc, "mandatory", str, fw)
            if mand is not None and mand not in MANDATORY:
                errors.append(f"{fw}.mandatory: {mand!r} not one of M, O, C")
            cond = fdoc.get("condition")
            if mand == "C" and not (isinstance(cond, str) and "=" in cond):
                errors.append(f"{fw}.condition: a conditional field needs 'other_field=value'")
            norm = need(fdoc, "normalizer", str, fw)
            if norm is not None and norm not in NORMALIZERS:
                errors.append(f"{fw}.normalizer: unknown normalizer {norm!r}")
            ml = fdoc.get("max_length")
            if ml is not None and (not isinstance(ml, int) or isinstance(ml, bool) or ml <= 0):
                errors.append(f"{fw}.max_length: must be a positive integer or absent")
                ml = None
            table = fdoc.get("code_table")
            if table is not None and table not in tables:
                errors.append(f"{fw}.code_table: unknown table {table!r}")
            if norm == "code" and table is None:
                errors.append(f"{fw}: normalizer 'code' needs a code_table")
            src = fdoc.get("source", "cell")
            if src not in SOURCES:
                errors.append(f"{fw}.source: {src!r} not one of {sorted(SOURCES)}")
            syns = fdoc.get("synonyms", [])
            if not isinstance(syns, list) or not all(isinstance(s, str) and s for s in syns):
                errors.append(f"{fw}.synonyms: must be a list of non-empty strings")
                syns = []
            if src == "cell" and not syns:
                errors.append(f"{fw}.synonyms: a printed field needs at least one header wording")
            for s in syns:
                if s in syn_owner and syn_owner[s] != name:
                    errors.append(f"{where}: header wording {s!r} given to both {syn_owner[s]} and {name}")
                syn_owner[s] = name
            label = fdoc.get("label", "")
            fields.append(
                FieldSpec(
                    name=name,
                    label=str(label),
                    type=str(ftype),
                    max_length=ml,
                    mandatory=str(mand),
                    normalizer=str(norm),
                    code_table=table,
                    condition=cond if isinstance(cond, str) else None,
                    source=str(src),
                    derived_from=fdoc.get("derived_from"),
                    synonyms=tuple(syns),
                    note=str(fdoc.get("note", "")),
                )
            )
        for f in fields:
            if f.derived_from is not None and f.derived_from not in seen:
                errors.append(f"{where}.{f.name}.derived_from: unknown field {f.derived_from!r}")
            if f.mandatory == "C" and f.condition and f.condition.split("=", 1)[0].strip() not in seen:
                errors.append(f"{where}.{f.name}.condition: unknown field in {f.condition!r}")
        pseudo = need(kdoc, "pseudo_fields", dict, where, {}) or {}
        for pname, psyns in pseudo.items():
            if pname in seen:
                errors.append(f"{where}.pseudo_fields: {pname!r} is also a spec field")
            for s in psyns if isinstance(psyns, list) else []:
                if s in syn_owner:
                    errors.append(f"{where}: header wording {s!r} given to both {syn_owner[s]} and {pname}")
                syn_owner[s] = pname
        key_fields = need(kdoc, "key_fields", list, where, []) or []
        for k in key_fields:
            if k not in seen:
                errors.append(f"{where}.key_fields: unknown field {k!r}")
        title_words = need(kdoc, "title_words", list, where) or []
        if not title_words:
            errors.append(f"{where}.title_words: needs at least one")
        kinds[kname] = KindSpec(
            name=kname,
            label=str(kdoc.get("label", "")) if isinstance(kdoc, dict) else "",
            entity=str(kdoc.get("entity", "")) if isinstance(kdoc, dict) else "",
            title_words=tuple(title_words),
            key_fields=tuple(key_fields),
            pseudo_fields=MappingProxyType({k: tuple(v) for k, v in pseudo.items() if isinstance(v, list)}),
            fields=tuple(fields),
        )
    if not kinds and "kinds" in doc:
        errors.append("spec.kinds: no ledger kind defined")
    unsupported = {
        k: tuple(v.get("title_words", [])) for k, v in (doc.get("unsupported_kinds") or {}).items() if isinstance(v, dict)
    }
    for k in unsupported:
        if k in kinds:
            errors.append(f"unsupported_kinds.{k}: also a mapped kind")

    for k, codes in rules.keep_wording_in_remarks.items():
        for kd in kinds.values():
            kf = kd.field(k)
            if kf is not None and kf.code_table:
                for c in codes:
                    if c not in tables[kf.code_table].codes:
                        errors.append(f"rules.keep_wording_in_remarks: {c!r} is not a code of {kf.code_table}")

    places = _load_places(doc, base_dir, divisions, errors)

    if errors:
        shown = "\n  - ".join(errors[:50])
        more = f"\n  (and {len(errors) - 50} more)" if len(errors) > 50 else ""
        raise ConfigError(
            f"spec {source} has {len(errors)} error(s):\n  - {shown}{more}",
            hint="请改正规范文件；以上是一次查出的全部错误 / fix the spec file; every error above was collected in one pass",
        )
    return Spec(
        version=version,
        title=str(title),
        kinds=MappingProxyType(kinds),
        unsupported_kinds=MappingProxyType(unsupported),
        code_tables=MappingProxyType(tables),
        divisions=MappingProxyType(divisions),
        rules=rules,
        places=places,
        source=source,
        id_address_codes=frozenset(id_address),
    )


def _load_places(doc: dict[str, Any], base_dir: Path, divisions: Mapping[str, Division], errors: list[str]) -> PlaceLexicon:
    ref = doc.get("places_lexicon")
    if ref is None:
        pdoc: Any = {}
    elif isinstance(ref, dict):
        pdoc = ref
    elif isinstance(ref, str):
        p = _data_path(ref, base_dir)
        pdoc = _read_json(p, "places_lexicon", errors)
        base_dir = p.parent
    else:
        errors.append("places_lexicon: must be a file name or an object")
        pdoc = {}
    places: list[Place] = []
    names: dict[str, str] = {}

    def add(p: Place, where: str) -> None:
        if p.district not in divisions:
            errors.append(f"places_lexicon.{where}: {p.name!r} lies in unknown division {p.district!r}")
        for n in (p.name, *p.aliases):
            if n in names and names[n] != p.district:
                errors.append(f"places_lexicon.{where}: {n!r} listed under two divisions")
            names[n] = p.district
        places.append(p)

    for i, d in enumerate(pdoc.get("districts", [])):
        code, name = d.get("code"), d.get("name")
        div = divisions.get(code)
        if div is None:
            errors.append(f"places_lexicon.districts[{i}]: code {code!r} is not in the spec's division table")
            continue
        if div.name != name or div.valid_from != d.get("valid_from") or div.valid_to != d.get("valid_to"):
            errors.append(f"places_lexicon.districts[{i}]: {code} disagrees with the spec's division table")
        add(Place(name, "district", code, tuple(d.get("aliases", []))), f"districts[{i}]")
    for code, kinds in (pdoc.get("places") or {}).items():
        for kind, lst in (kinds or {}).items():
            for name in lst:
                add(Place(name, kind, code), f"places.{code}.{kind}")
    for i, s in enumerate(pdoc.get("sea_areas", [])):
        add(Place(s.get("name", ""), "sea_area", s.get("district", ""), tuple(s.get("aliases", []))), f"sea_areas[{i}]")
    suffixes = tuple(sorted(pdoc.get("suffixes", ["海域", "街道", "区", "县", "市", "镇", "乡"]), key=len, reverse=True))
    for place in places:
        if not any(place.name.endswith(s) for s in suffixes):
            errors.append(f"places_lexicon: {place.name!r} ends with none of the suffixes {list(suffixes)}")
    villages: dict[str, tuple[str, ...]] = {}
    vref = pdoc.get("villages")
    if isinstance(vref, str):
        vdoc = _read_json(_data_path(vref, base_dir), "places_lexicon.villages", errors)
        for towns in (vdoc.get("towns") or {}).values():
            for town, names in (towns or {}).items():
                bad = [n for n in names if not str(n).endswith("村")]
                if bad:
                    errors.append(f"places_lexicon.villages: {town}: {len(bad)} names do not end with 村")
                villages[town] = tuple(dict.fromkeys((*villages.get(town, ()), *names)))
    elif vref is not None:
        errors.append("places_lexicon.villages: must be a file name")
    return PlaceLexicon(
        str(pdoc.get("version", "")),
        suffixes,
        tuple(pdoc.get("boundary_before", ())),
        tuple(places),
        bool(pdoc.get("disambiguate_by_district", True)),
        MappingProxyType(villages),
    )


def _data_path(ref: str, base_dir: Path) -> Path:
    p = Path(ref) if os.path.isabs(ref) else base_dir / ref
    if not p.exists() and (DATA_DIR / ref).exists():
        p = DATA_DIR / ref
    return p


def _read_json(p: Path, what: str, errors: list[str]) -> dict[str, Any]:
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        errors.append(f"{what}: cannot read {p}: {exc}")
        return {}
    if not isinstance(doc, dict):
        errors.append(f"{what}: {p} is not a JSON object")
        return {}
    return doc


# --------------------------------------------------------------------------- the local lexicon
LOCAL_KINDS = ("village", "town", "street", "sea_area")


def with_local_lexicon(spec: Spec, doc: Mapping[str, Any], source: str = "local lexicon") -> Spec:
    """`spec` with the entries of a local lexicon (pipeline.page.lexicon: places, villages and sea areas
    reviewers typed and an administrator accepted, and accepted confusion pairs) beside its official
    lists. Entries are validated like the official ones (a known division, the right suffix, a
    village of a listed town); every problem is reported at once. The official lists are never
    changed: a name they hold already is left as they have it."""
    errors: list[str] = []
    lex = spec.places
    known = {n: p for p in lex.places for n in (p.name, *p.aliases)}
    places = list(lex.places)
    villages = {k: tuple(v) for k, v in lex.villages.items()}
    added: list[str] = []
    for i, e in enumerate(doc.get("entries") or []):
        where = f"{source}: entries[{i}]"
        kind, name = str(e.get("kind", "")), str(e.get("name", "")).strip()
        if kind not in LOCAL_KINDS:
            errors.append(f"{where}: kind must be one of {', '.join(LOCAL_KINDS)}")
            continue
        if kind == "village":
            town = str(e.get("town", ""))
            if not name.endswith("村"):
                errors.append(f"{where}: a village's name ends with 村")
            elif town not in villages:
                errors.append(f"{where}: {town!r} is no town or street with a village list")
            elif name not in villages[town]:
                villages[town] = villages[town] + (name,)
                added.append(name)
            continue
        district = str(e.get("district", ""))
        if district not in spec.divisions:
            errors.append(f"{where}: {name!r} lies in unknown division {district!r}")
            continue
        suffixes = ("海域",) if kind == "sea_area" else ("镇", "乡") if kind == "town" else ("街道",)
        if not name.endswith(suffixes):
            errors.append(f"{where}: a {kind}'s name ends with {' or '.join(suffixes)}")
            continue
        if name in known:
            continue
        place = Place(name, kind, district)
        places.append(place)
        known[name] = place
        added.append(name)
    pairs: list[tuple[str, str]] = []
    for i, c in enumerate(doc.get("confusions") or []):
        if not (
            isinstance(c, (list, tuple)) and len(c) == 2 and all(isinstance(x, str) and len(x) == 1 for x in c) and c[0] != c[1]
        ):
            errors.append(f"{source}: confusions[{i}] must be a pair of two different characters [read, written]")
            continue
        pairs.append((c[0], c[1]))
    if errors:
        raise ConfigError(
            "the local lexicon is not valid: " + "; ".join(errors),
            hint="请改正或删去所列条目；backfill lexicon use default 只用官方名录 / fix or remove the entries named; "
            "`backfill lexicon use default` maps with the official lists only",
        )
    new_lex = PlaceLexicon(
        f"{lex.version}+{source}",
        lex.suffixes,
        lex.boundary_before,
        tuple(places),
        lex.disambiguate_by_district,
        MappingProxyType(villages),
        tuple(dict.fromkeys(pairs)),
        tuple(added),
    )
    return Spec(
        spec.version,
        spec.title,
        spec.kinds,
        spec.unsupported_kinds,
        spec.code_tables,
        spec.divisions,
        spec.rules,
        new_lex,
        spec.source,
        spec.id_address_codes,
    )


CERTAIN_TYPES = ("context", "derived")  # field types not read by OCR (no confidence floor)


def field_types() -> dict[str, str]:
    """Field name -> field type (the spec's normalizer kind; context fields "context")."""
    out: dict[str, str] = {}
    sp = load_spec()
    for kind in ("cremation", "sea_burial"):
        for f in sp.kind(kind).fields:
            out[f.name] = (
                "context" if f.source == "context" else ("derived" if f.source == "derived" else (f.normalizer or "text"))
            )
    return out
