"""A name read unsure in one register, confirmed by the same name read surely in another register's
entry for the same person.

A funeral home keeps its registers apart: the person cremated is written again, by the hand that keeps
the sea-burial register, in the sea-burial entry that scatters the ashes (both registers carry the
deceased's ID number, MZ/T 141 and the spec: cremation and sea_burial both hold id_number). Two entries
of two registers holding the same valid ID (GB 11643: 18 characters whose check digit holds; read surely
on both pages) are the same person, and their names are two independent readings of two separately
written entries: other ink, another crop, another page.

`confirm_names` lets the sure one vouch for the unsure one, where they read the same text: a name the
recognizer read below its threshold (its only doubt: no structure doubt on it, STRUCTURE_DOUBT_FLAGS,
and no other reason naming it; not a text its bearer's sex chose, mapping.record.NAME_WEIGHED_BY_SEX,
nor a text taken for a glyph the official tables doubt, NAME_DOUBTED_GLYPH_REPLACED: inferences that stay
proposals) whose text equals a name field of the other register's entry that was read at or above that
threshold takes that sure reading's confidence (flag NAME_CONFIRMED), and its record is routed again. An
unsure reading landing, by chance, on exactly the text the other register reads surely is what a
misreading rarely does; what is left is the risk that the sure reading itself is wrong, the risk every
auto-accepted name of that confidence carries. Not across two entries of one register (a row read twice,
one volume scanned twice: the same ink, whose misreading would repeat), and never for a reviewed record
or one an audit or send-back holds (pipeline.page.holds).

Measured (docs/accuracy.md, session 38; re-maps of stored cells): design county_editions seed 3316, 6
names confirmed, all right (4 records auto-accepted more, 138 -> 142 of 203, none wrong); its carbon
copy 1, right; a fresh carbon copy (seed 3893, not designed on) 3 right and 1 wrong whose voucher was
wrong too, read at 0.995 in the other register (the recognizer's confusion repeating on both entries;
both records stayed held for other reasons).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from mapping.normalize import normalize_id_number
from mapping.record import NAME_DOUBTED_GLYPH_REPLACED, NAME_WEIGHED_BY_SEX
from mapping.spec import field_types
from pipeline.kernel.config import Settings
from pipeline.kernel.store import Page, Record, Store
from pipeline.page.holds import holds_of
from pipeline.page.routing import AUTO_ACCEPTED, LOW_CONFIDENCE, NEEDS_REVIEW, capture_kind, threshold_of
from pipeline.page.structure import STRUCTURE_DOUBT_FLAGS

NAME_CONFIRMED = "name_confirmed_by_other_register"
"""Flag of a name whose unsure reading another register's entry for the same ID reads surely alike."""


def _sure(fields: dict[str, Any], name: str, reasons: list[str]) -> bool:
    """Whether a record's field was read surely: a value, no structure doubt on it, no reason naming it."""
    fv = fields.get(name)
    if not isinstance(fv, dict) or fv.get("value") in (None, ""):
        return False
    if set(fv.get("flags") or ()) & STRUCTURE_DOUBT_FLAGS:
        return False
    return not any(r.startswith(f"{name}:") for r in reasons)


def sure_id(fields: dict[str, Any], reasons: list[str]) -> str | None:
    """The record's ID number where it is a valid GB 11643 number read surely (_sure), else None."""
    if not _sure(fields, "id_number", reasons):
        return None
    value = str(fields["id_number"]["value"])
    return value if len(value) == 18 and normalize_id_number(value).value == value else None


Entry = tuple[int, str, str, list[str], dict[str, Any]]
"""A record of a register: (id, ledger kind, status, route reasons, fields)."""


def _groups(s: Any) -> tuple[list[list[Entry]], dict[int, int]]:
    """The entries (reviewable records: needs_review or auto_accepted) of each valid ID read surely
    (sure_id) in at least two ledger kinds, and each entry's page id."""
    kinds_of: dict[str, set[str]] = defaultdict(set)  # the narrow values first: only IDs in two registers are looked at
    narrow = s.execute(
        select(Record.id, Record.ledger_kind, Record.field_values).where(Record.status.in_((NEEDS_REVIEW, AUTO_ACCEPTED)))
    ).all()
    for _rid, kind, values in narrow:
        if isinstance((values or {}).get("id_number"), str):
            kinds_of[values["id_number"]].add(kind)
    wanted = [rid for rid, _k, values in narrow if len(kinds_of.get(str((values or {}).get("id_number")), ())) >= 2]
    rows = (
        s.execute(
            select(Record.id, Record.ledger_kind, Record.status, Record.route_reasons, Record.fields, Record.page_id).where(
                Record.id.in_(wanted)
            )
        ).all()
        if wanted
        else []
    )
    by_id: dict[str, list[Entry]] = defaultdict(list)
    page_of = {rid: pid for rid, _k, _s, _x, _f, pid in rows}
    for rid, kind, status, reasons, fields, _pid in rows:
        idv = sure_id(fields or {}, list(reasons or []))
        if idv is not None:
            by_id[idv].append((rid, kind, status, list(reasons or []), dict(fields or {})))
    return [g for g in by_id.values() if len({k for _r, k, _s, _x, _f in g}) >= 2], page_of


def _threshold(s: Any, page_id: int, kind: str, name: str, fields: dict[str, Any], settings: Settings) -> float:
    """The threshold of field `name` of a record of `kind` on page `page_id`, as routing gave it (its
    values, the page's capture kind)."""
    page = s.get(Page, page_id)
    values = {n: (v or {}).get("value") for n, v in fields.items() if isinstance(v, dict)}
    return threshold_of(kind, name, values, settings, capture_kind(page.steps if page is not None else ()))


def _write_back(s: Any, rid: int, fields: dict[str, Any], reasons: list[str], status: str) -> None:
    """Record `rid`'s fields, route reasons and status as settled here, its least confidence with them."""
    rec = s.get(Record, rid)
    assert rec is not None
    rec.fields = fields
    rec.route_reasons = reasons
    rec.status = status
    rec.min_confidence = min(
        (float((v or {}).get("confidence") or 0.0) for v in fields.values() if isinstance(v, dict)), default=0.0
    )


def confirm_names(store: Store, settings: Settings) -> int:
    """Confirm held names by the other register's sure reading (module docstring); returns the names so
    confirmed. Records of one ID in two ledger kinds only; approved, rejected and held records untouched."""
    with store.session() as s, s.begin():
        groups, page_of = _groups(s)
        return _confirm(s, groups, page_of, holds_of(s, [r for g in groups for r, *_ in g]), settings)


def _confirm(
    s: Any, groups: list[list[Entry]], page_of: dict[int, int], held: dict[int, tuple[str, str]], settings: Settings
) -> int:
    """confirm_names on the groups of `_groups`, `held` the records a hold keeps (pipeline.page.holds).
    Each confirmed entry is written back and replaced in its group by its new status and reasons, so that
    settle_names can go on from the same groups."""
    types = field_types()
    names = [f for f, t in types.items() if t == "name"]
    done = 0
    for group in groups:
        settled: dict[int, Entry] = {}
        for rid, kind, status, reasons, fields in group:
            if status != NEEDS_REVIEW or rid in held:
                continue
            others = [(k, x, f) for _r, k, _s, x, f in group if k != kind]
            changed = False
            for name in names:
                line = next((r for r in reasons if (m := LOW_CONFIDENCE.match(r)) and m.group(1) == name), None)
                fv = fields.get(name)
                if line is None or not isinstance(fv, dict) or fv.get("value") in (None, ""):
                    continue
                if set(fv.get("flags") or ()) & STRUCTURE_DOUBT_FLAGS or sum(r.startswith(f"{name}:") for r in reasons) > 1:
                    continue
                if {NAME_WEIGHED_BY_SEX, NAME_DOUBTED_GLYPH_REPLACED} & set(
                    fv.get("flags") or ()
                ):  # chosen by inference: a proposal
                    continue
                threshold = _threshold(s, page_of[rid], kind, name, fields, settings)
                vouch = [
                    float(f[n].get("confidence") or 0.0)
                    for _k, x, f in others
                    for n in names
                    if _sure(f, n, x)
                    and f[n].get("value") == fv.get("value")
                    and float(f[n].get("confidence") or 0.0) >= threshold
                ]
                if not vouch:
                    continue
                fields[name] = {
                    **fv,
                    "confidence": max(float(fv.get("confidence") or 0.0), max(vouch)),
                    "flags": [*(fv.get("flags") or []), NAME_CONFIRMED],
                }
                reasons = [r for r in reasons if r != line]
                changed = True
                done += 1
            if changed:
                status = NEEDS_REVIEW if reasons else AUTO_ACCEPTED
                _write_back(s, rid, fields, reasons, status)
                settled[rid] = (rid, kind, status, reasons, fields)
        group[:] = [settled.get(entry[0], entry) for entry in group]
    return done


NAME_FROM_OTHER_REGISTER = "name_from_other_register"
"""Flag of a deceased's name the other register's entry for the same ID read differently and more surely,
whose text it took (settle_names): a proposal, held for review."""

NAME_FROM_OTHER_REGISTER_CERTAINTY = 0.45
"""How sure a name taken from the other register's entry (settle_names) is at most: a proposal for the
reviewer, never accepted unseen, under every type's threshold (as mapping.record.VILLAGE_DECODED_CERTAINTY)."""

SETTLED_FIELD = "deceased_name"
"""The one name both registers write of the same person: the deceased's (the spec: cremation and sea_burial
both hold deceased_name beside id_number). The agent and the registrant may be different relatives."""


def _one_character_apart(a: str, b: str) -> bool:
    """Whether b is a with one character replaced, dropped or added (one misread glyph)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def settle_names(store: Store, settings: Settings) -> int:
    """Where the two registers' entries for the same person (one valid ID read surely in both, as
    confirm_names ties them) read the deceased's name one character apart, the entry read less surely
    takes the text of the one read more surely, flagged NAME_FROM_OTHER_REGISTER and held for review
    (its confidence at most NAME_FROM_OTHER_REGISTER_CERTAINTY, the reading kept as raw); the surer entry
    keeps its value and confidence. Returns the names so taken.

    Why: the two entries are two separately written and separately read copies of one name (module
    docstring); where they differ by one glyph, one of them was misread, and the recognizer's own
    confidence tells which more often than not (a faint carbon's lost strokes lower the confidence of the
    entry that lost them). A property of the recognizer, measured on re-maps of stored cells (design
    carbon copies c51, fr39, x93, faded f50 and typed carbon c91 of d3316, session 41): of 19 such pairs
    (exactly one of the two right in each), the surer reading was the right one in 18. Never from the
    same register (a row read twice: the same ink), never where either name's column is in doubt
    (STRUCTURE_DOUBT_FLAGS), never onto an approved, rejected or otherwise held record."""
    with store.session() as s, s.begin():
        groups, page_of = _groups(s)
        return _settle(s, groups, page_of, holds_of(s, [r for g in groups for r, *_ in g]), settings)


def _settle(
    s: Any, groups: list[list[Entry]], page_of: dict[int, int], held: dict[int, tuple[str, str]], settings: Settings
) -> int:
    """settle_names on the groups of `_groups` (after `_confirm`, on the groups it left)."""
    done = 0
    for group in groups:
        named = [
            (rid, kind, status, reasons, fields)
            for rid, kind, status, reasons, fields in group
            if isinstance(fields.get(SETTLED_FIELD), dict)
            and isinstance(fields[SETTLED_FIELD].get("value"), str)
            and fields[SETTLED_FIELD]["value"]
            and not set(fields[SETTLED_FIELD].get("flags") or ()) & STRUCTURE_DOUBT_FLAGS
        ]
        if len(named) != 2 or named[0][1] == named[1][1]:  # one entry in each register, no more
            continue
        a, b = (fields[SETTLED_FIELD] for _r, _k, _s, _x, fields in named)
        ca, cb = float(a.get("confidence") or 0.0), float(b.get("confidence") or 0.0)
        if ca == cb or not _one_character_apart(str(a["value"]), str(b["value"])):
            continue
        sure, unsure = (named[0], named[1]) if ca > cb else (named[1], named[0])
        rid, kind, _status, reasons, fields = unsure
        if rid in held:
            continue
        fv = fields[SETTLED_FIELD]
        threshold = _threshold(s, page_of[rid], kind, SETTLED_FIELD, fields, settings)
        confidence = round(min(float(fv.get("confidence") or 0.0), NAME_FROM_OTHER_REGISTER_CERTAINTY), 4)
        fields[SETTLED_FIELD] = {
            **fv,
            "value": sure[4][SETTLED_FIELD]["value"],
            "confidence": confidence,
            "flags": [*(fv.get("flags") or []), NAME_FROM_OTHER_REGISTER],
        }
        line = f"{SETTLED_FIELD}: confidence {confidence:.2f} below {threshold:.2f}"
        kept = [r for r in reasons if not ((m := LOW_CONFIDENCE.match(r)) and m.group(1) == SETTLED_FIELD)]
        _write_back(s, rid, fields, [*kept, line], NEEDS_REVIEW)
        done += 1
    return done


def agree_names(store: Store, settings: Settings) -> tuple[int, int]:
    """confirm_names, then settle_names, in one transaction on one reading of the registers' shared IDs
    (`_groups` scans every reviewable record's values: once, not twice). Returns (names confirmed, names
    taken from the other register)."""
    with store.session() as s, s.begin():
        groups, page_of = _groups(s)
        held = holds_of(s, [r for g in groups for r, *_ in g])
        confirmed = _confirm(s, groups, page_of, held, settings)
        return confirmed, _settle(s, groups, page_of, held, settings)
