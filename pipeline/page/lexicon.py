"""Lexicons that learn from reviewers.

The official lists (districts, towns and streets, the NBS village list, the designated sea areas:
mapping/data) are not closed in the real world: natural villages, renamed ones, sea areas named with
directions. What reviewers type is the evidence:

- **Suggestions.** A village, town, street or sea area in a value a reviewer typed (a correction of
  `household_address` or `sea_area` in the audit trail) that no list holds becomes a suggestion,
  with how many records it was typed for and the scans they came from. An administrator accepts it
  (into the local lexicon) or refuses it (`backfill lexicon accept|refuse`, or the review app's
  lexicon page).
- **The local lexicon** is a versioned file in data_dir/lexicon (pipeline.kernel.versions: who, when, which
  decisions), used by mapping beside the official lists (`spec_for`; mapping.spec.with_local_lexicon);
  `backfill remap` re-reads the stored cells with it. A name from it carries the flag `local_lexicon`.
- **Confusions.** Where a reviewer's correction of a place name replaced one character by another
  (read 果, typed 罘), the pair is counted, with its records. An accepted pair feeds the doubt of such
  readings (a reading where the typed character would make a listed name is doubted,
  `reviewer_confusion`); nothing is ever rewritten by it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from sqlalchemy import select

from mapping.spec import Spec, load_spec, with_local_lexicon
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError, ConfigError
from pipeline.kernel.versions import VersionedFiles

PLACE_FIELDS = ("household_address", "sea_area")
KINDS = ("village", "town", "street", "sea_area", "confusion")
SIMILAR = 0.75
"""A correction counts its replaced characters as confusions only where the value typed is this
similar to the one read (difflib's ratio) and a run of at most two characters was replaced: a
reviewer typing another address altogether says nothing of how characters are misread."""


def lexicon_versions(settings: Settings) -> VersionedFiles:
    return VersionedFiles(settings.data_path / "lexicon", "lexicon")


# --- the spec mapping uses ------------------------------------------------------------------------
_MERGED: dict[tuple[int, str, int], Spec] = {}


def spec_for(settings: Settings) -> Spec:
    """The spec of `settings` with the local lexicon in use beside its official lists (the same
    object for the same files, so mapping's caches keep working)."""
    base = load_spec(settings.spec_version)
    path = settings.active_lexicon_file
    if not path:
        return base
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError:
        raise ConfigError(
            f"local lexicon file not found: {p}",
            hint='找不到本地地名词库文件：请检查路径，或设 local_lexicon_file = "" 只用官方名录 / '
            'set local_lexicon_file = "" to map with the official lists only',
        ) from None
    key = (id(base), str(p.resolve()), mtime)
    spec = _MERGED.get(key)
    if spec is None:
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ConfigError(f"local lexicon file {p} cannot be read as JSON: {e}") from None
        spec = with_local_lexicon(base, doc, source=p.name)
        if len(_MERGED) > 16:
            _MERGED.clear()
        _MERGED[key] = spec
    return spec


# --- what reviewers typed ----------------------------------------------------------------------------
def _han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def place_candidates(field_name: str, value: str, spec: Spec) -> list[tuple[str, str, str]]:
    """(kind, name, parent) of the names in a typed value that no list holds: a village after a town
    whose list lacks it (parent: the town), a town or street after a district that no list holds
    (parent: the district code), a sea area off the list (parent: the district of a place it names,
    "" when none)."""
    from mapping.normalize import clean_text
    from mapping.places import scan_places, unlisted_village

    text = clean_text(value or "")
    if not text:
        return []
    out: list[tuple[str, str, str]] = []
    names = {n for p in spec.places.places for n in (p.name, *p.aliases)}
    scan = scan_places(text, spec)
    if field_name == "sea_area":
        if text.endswith("海域") and text not in names:
            districts = [h.place.district for h in scan.hits]
            out.append(("sea_area", text, districts[0] if districts else ""))
        return out
    v = unlisted_village(text, spec)
    if v is not None:
        out.append(("village", v[1], v[0]))
    for h in scan.hits:
        if h.place.kind != "district":
            continue
        rest = text[h.end :]
        for suffix, kind in (("街道", "street"), ("镇", "town"), ("乡", "town")):
            k = rest.find(suffix)
            if 1 <= k <= 6 and all(_han(c) for c in rest[:k]):
                name = rest[: k + len(suffix)]
                if name not in names and not any(x.start == h.end for x in scan.hits):
                    out.append((kind, name, h.place.district))
                break
    return out


def place_confusions(field_name: str, old: str, new: str, spec: Spec) -> list[tuple[str, str]]:
    """(read, written) character pairs where a reviewer's correction replaced one character by another
    inside a place name of the corrected value (a listed name, the village typed, or a sea area)."""
    from mapping.places import names_in, unlisted_village

    if not old or not new or old == new:
        return []
    spans = [(s, e) for s, e, _n in names_in(new, spec)]
    v = unlisted_village(new, spec)
    if v is not None:
        spans.append((v[2], v[3]))
    if field_name == "sea_area":
        spans.append((0, len(new)))
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    if matcher.ratio() < SIMILAR:  # another address typed altogether: no character was misread for another
        return []
    pairs = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1 <= 2:
            for k in range(i2 - i1):
                r, w, j = old[i1 + k], new[j1 + k], j1 + k
                if _han(r) and _han(w) and any(s <= j < e for s, e in spans):
                    pairs.append((r, w))
    return pairs


@dataclass
class Suggestion:
    key: str
    kind: str  # village / town / street / sea_area / confusion
    name: str  # the name typed (a confusion: the character read)
    parent: str  # a village's town; a place's district code; a confusion: the character written
    count: int = 0  # records it was typed for
    records: list[int] = field(default_factory=list)
    scans: list[tuple[str, int, int]] = field(default_factory=list)  # (scan file, page, row) it was typed for
    status: str = "open"  # open / accepted / refused
    decided_by: str = ""
    decided_at: datetime | None = None
    reason: str = ""

    @property
    def id(self) -> str:
        """A short id for the command line."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:8]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "kind": self.kind,
            "name": self.name,
            "parent": self.parent,
            "count": self.count,
            "records": self.records,
            "scans": [list(x) for x in self.scans],
            "status": self.status,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "reason": self.reason,
        }


def _key(kind: str, name: str, parent: str) -> str:
    # a village is one of its town; a place or sea area is one whatever district it is put in
    return f"{kind}|{name}|{parent}" if kind in ("village", "confusion") else f"{kind}|{name}|"


def suggestions(store, settings: Settings) -> list[Suggestion]:
    """Every suggestion from the audit trail's corrections of place fields, with the decisions taken
    on them: open ones first, most typed first."""
    from pipeline.kernel.store import LexiconDecision, Page, Record, RecordChange, SourceFile

    spec = spec_for(settings)
    base = load_spec(settings.spec_version)
    with store.session() as s:
        edits = s.execute(
            select(
                RecordChange.record_id,
                RecordChange.field,
                RecordChange.old_value,
                RecordChange.new_value,
                SourceFile.rel_path,
                Page.page_no,
                Record.row_no,
            )
            .join(Record, Record.id == RecordChange.record_id)
            .join(Page, Record.page_id == Page.id)
            .join(SourceFile, Page.file_id == SourceFile.id)
            .where(RecordChange.action == "edit", RecordChange.field.in_(PLACE_FIELDS))
            .order_by(RecordChange.id)
        ).all()
        decisions = {d.key: d for d in s.scalars(select(LexiconDecision))}
    out: dict[str, Suggestion] = {}

    def add(kind: str, name: str, parent: str, rid: int, scan: tuple[str, int, int]) -> None:
        key = _key(kind, name, parent)
        sug = out.get(key)
        if sug is None:
            sug = out[key] = Suggestion(key, kind, name, parent)
        if rid not in sug.records:
            sug.records.append(rid)
            sug.scans.append(scan)
            sug.count += 1

    for rid, fname, old_j, new_j, rel, page_no, row_no in edits:
        old = json.loads(old_j) if old_j else None
        new = json.loads(new_j) if new_j else None
        if not isinstance(new, str):
            continue
        scan = (rel, int(page_no), int(row_no))
        # against the official lists: a name the local lexicon holds shows as accepted, not as gone
        for kind, name, parent in place_candidates(fname, new, base):
            add(kind, name, parent, rid, scan)
        if isinstance(old, str):
            for read, written in place_confusions(fname, old, new, spec):
                add("confusion", read, written, rid, scan)
    for key, d in decisions.items():
        sug = out.get(key)
        if sug is None:  # decided once; its corrections since re-mapped away
            sug = out[key] = Suggestion(key, d.kind, d.name, d.parent)
        sug.status, sug.decided_by, sug.decided_at, sug.reason = d.status, d.decided_by, d.decided_at, d.reason
        if d.kind != "village" and d.kind != "confusion" and d.parent:
            sug.parent = d.parent
    return sorted(out.values(), key=lambda x: (x.status != "open", -x.count, x.kind, x.name))


def find(store, settings: Settings, ref: str) -> Suggestion:
    """A suggestion by its id (or key)."""
    hits = [s for s in suggestions(store, settings) if s.id == ref or s.key == ref]
    if not hits:
        raise BackfillError(
            f"no lexicon suggestion {ref!r}",
            hint="建议编号见 backfill lexicon list / `backfill lexicon list` shows them with their ids",
        )
    return hits[0]


# --- an administrator decides ------------------------------------------------------------------------------
def decide(store, settings: Settings, ref: str, status: str, *, user: str, district: str | None = None, reason: str = "") -> Path:
    """Accept or refuse a suggestion. Accepting a place needs its district (a sea area's may be guessed
    from a place it names; `district` overrides). Every decision writes a new local lexicon version
    holding all accepted entries and puts it in use; returns its path."""
    from pipeline.kernel.store import LexiconDecision, utcnow

    if status not in ("accepted", "refused"):
        raise BackfillError(f"a lexicon decision is 'accepted' or 'refused', not {status!r}")
    sug = find(store, settings, ref)
    parent = sug.parent
    if sug.kind in ("town", "street", "sea_area"):
        parent = (district or sug.parent or "").strip()
        if status == "accepted":
            spec = load_spec(settings.spec_version)
            if parent not in spec.divisions:
                raise BackfillError(
                    f"{sug.name}: give the 6-digit code of the district it lies in (not {parent!r})",
                    hint="请给出所在区县的 6 位代码，如 --district 370612（牟平区）/ e.g. --district 370612",
                )
    with store.session() as s, s.begin():
        d = s.get(LexiconDecision, sug.key)
        if d is None:
            d = LexiconDecision(key=sug.key, kind=sug.kind, name=sug.name)
            s.add(d)
        d.parent, d.status, d.decided_by, d.decided_at, d.reason, d.count_then = parent, status, user, utcnow(), reason, sug.count
    return publish(store, settings, user=user, note=f"{status} {sug.kind} {sug.name}")


def lexicon_doc(store) -> dict[str, Any]:
    """The local lexicon's document from the accepted decisions."""
    from pipeline.kernel.store import LexiconDecision

    with store.session() as s:
        accepted = list(
            s.scalars(
                select(LexiconDecision)
                .where(LexiconDecision.status == "accepted")
                .order_by(LexiconDecision.kind, LexiconDecision.name)
            )
        )
    entries, confusions = [], []
    for d in accepted:
        if d.kind == "confusion":
            confusions.append([d.name, d.parent])
        elif d.kind == "village":
            entries.append({"kind": "village", "name": d.name, "town": d.parent})
        else:
            entries.append({"kind": d.kind, "name": d.name, "district": d.parent})
    return {
        "entries": entries,
        "confusions": confusions,
        "decisions": [
            {
                "key": d.key,
                "by": d.decided_by,
                "at": d.decided_at.isoformat() if d.decided_at else None,
                "count": d.count_then,
                "reason": d.reason,
            }
            for d in accepted
        ],
    }


def publish(store, settings: Settings, *, user: str, note: str = "") -> Path:
    """Write the accepted decisions as a new local lexicon version (checked first) and put it in use."""
    doc = lexicon_doc(store)
    with_local_lexicon(load_spec(settings.spec_version), doc)  # every problem reported before anything is written
    versions = lexicon_versions(settings)
    path = versions.write(doc, user=user, note=note)
    versions.apply(path.name, user=user)
    return path


def confusion_counts(store, settings: Settings) -> list[Suggestion]:
    return [s for s in suggestions(store, settings) if s.kind == "confusion"]


def format_suggestions(items: list[Suggestion]) -> str:
    lines = [f"{'id':8} {'kind':9} {'name':16} {'in':14} {'count':>5}  status     scans"]
    for s in items:
        where = f"{s.name}→{s.parent}" if s.kind == "confusion" else s.name
        parent = "" if s.kind == "confusion" else s.parent
        more = f" (+{len(s.scans) - 2} more)" if len(s.scans) > 2 else ""
        scans = "; ".join(f"{f} p{p} r{r}" for f, p, r in s.scans[:2])
        lines.append(f"{s.id:8} {s.kind:9} {where:16} {parent:14} {s.count:>5}  {s.status:9}  {scans}{more}")
    return "\n".join(lines)
