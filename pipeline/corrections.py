"""Changes people make to records, each kept in the audit trail (`record_changes`).

A correction is the text a reviewer types for a field. It replaces that field's OCR text and the
row is mapped again, so the typed value is normalized and cross-checked like any other (a typed
"2013年5月3日" becomes 2013-05-03; a typed ID that fails its check digit is still flagged). The
typed text is kept in `Record.overrides`, so a later re-map keeps it. The review app and the
loader's tests use these functions; nothing here knows about Streamlit.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import select, update

from pipeline.config import Settings
from pipeline.errors import BackfillError
from pipeline.extract import map_rows, record_values
from pipeline.models import RawCell
from pipeline.routing import APPROVED, NEEDS_REVIEW, REJECTED
from pipeline.store import Claim, Record, RecordChange, RecordLink, Store, utcnow
from pipeline.structure import Structure


class CorrectionError(BackfillError):
    """A correction that cannot be applied (unknown record or field, record already decided)."""


class ClaimError(CorrectionError):
    """A record held by another reviewer, or a write by someone who does not hold its claim."""


def check_claim(s, record_id: int, user: str, *, required: bool) -> None:
    """Inside a write: refuse when another person holds a live claim on the record; when `required`
    (the review app), refuse also when `user` holds none (it expired or was never taken)."""
    holder = s.scalars(select(Claim.user).where(Claim.record_id == record_id, Claim.expires_at > utcnow())).one_or_none()
    if holder is not None and holder != user:
        raise ClaimError(f"record {record_id} is being reviewed by {holder}")
    if required and holder is None:
        raise ClaimError(f"record {record_id} is not claimed by {user} (the claim expired or was never taken); open it again")


@dataclass(frozen=True)
class Change:
    field: str
    old_value: Any
    new_value: Any


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _locked(s, record_id: int) -> Record:
    rec = s.scalars(select(Record).where(Record.id == record_id).with_for_update()).one_or_none()
    if rec is None:
        raise CorrectionError(f"record {record_id} does not exist")
    return rec


def mapped_with(rec: Record, overrides: Mapping[str, str], settings: Settings) -> dict[str, object]:
    """The record's row mapped again with these typed texts over its OCR cells (nothing saved)."""
    page = rec.page
    cells = [RawCell.from_dict(c) for c in rec.cells]
    rows = map_rows(rec.ledger_kind, page.title or "", page.layout["columns"], [(rec.row_no, cells)], settings,
                    {rec.row_no: dict(overrides)}, Structure.from_dict(page.layout.get("structure")))
    return record_values(rows[0], settings)


def correct_record(store: Store, record_id: int, typed: Mapping[str, str], *, user: str, settings: Settings,
                   reason: str = "", require_claim: bool = False) -> list[Change]:
    """Apply a reviewer's typed values to a record (one transaction) and return what changed.

    A field whose value ends up the same is not recorded as a change. A rejected record cannot be
    edited (reopen it first); an approved one can: that is a correction after approval, and the
    loader sends it to the platform as an update. Another reviewer's live claim refuses the edit;
    `require_claim` (the review app) refuses it also when `user` holds no live claim."""
    with store.session() as s, s.begin():
        rec = _locked(s, record_id)
        check_claim(s, record_id, user, required=require_claim)
        if rec.status == REJECTED:
            raise CorrectionError(f"record {record_id} was rejected; reopen it before editing")
        unknown = [f for f in typed if f not in rec.fields]
        if unknown:
            raise CorrectionError(f"record {record_id} has no field(s) {', '.join(sorted(unknown))}")
        overrides = {**(rec.overrides or {}), **{k: str(v) for k, v in typed.items()}}
        values = mapped_with(rec, overrides, settings)
        old_fields = rec.fields
        changes = [Change(name, old_fields[name].get("value"), values["fields"][name].get("value")) for name in typed]
        changes = [c for c in changes if c.old_value != c.new_value]
        if not changes:
            return []
        if len(changes) < len(typed):  # a typed value equal to what was read is not a correction
            overrides = {**(rec.overrides or {}), **{c.field: str(typed[c.field]) for c in changes}}
            values = mapped_with(rec, overrides, settings)
        for c in changes:
            s.add(RecordChange(record_id=rec.id, user=user, action="edit", field=c.field,
                               old_value=_json(c.old_value), new_value=_json(c.new_value), reason=reason))
        rec.overrides = overrides
        rec.fields, rec.problems, rec.cells = values["fields"], values["problems"], values["cells"]
        rec.min_confidence = values["min_confidence"]
        rec.route_reasons = values["route_reasons"]
        rec.updated_at = utcnow()
        return changes


def decide(store: Store, record_id: int, decision: str, *, user: str, reason: str = "", require_claim: bool = False) -> None:
    """Approve or reject a record (reject needs a reason), or reopen it for review; audited.
    Claims are checked as in `correct_record`."""
    if decision not in (APPROVED, REJECTED, NEEDS_REVIEW):
        raise CorrectionError(f"unknown decision {decision!r}")
    if decision == REJECTED and not reason.strip():
        raise CorrectionError("a rejection needs a reason")
    with store.session() as s, s.begin():
        rec = _locked(s, record_id)
        check_claim(s, record_id, user, required=require_claim)
        if rec.status == decision:
            return
        s.add(RecordChange(record_id=rec.id, user=user, action={APPROVED: "approve", REJECTED: "reject"}.get(decision, "reopen"),
                           field=None, old_value=_json(rec.status), new_value=_json(decision), reason=reason))
        rec.status = decision
        rec.updated_at = utcnow()


def history(store: Store, record_id: int) -> list[RecordChange]:
    """Every change to a record, oldest first."""
    with store.session() as s:
        return list(s.scalars(select(RecordChange).where(RecordChange.record_id == record_id).order_by(RecordChange.id)))


LINK_DECISIONS = {"merged": "merge", "kept_apart": "keep_apart"}


def decide_link(store: Store, link_id: int, decision: str, *, user: str, reason: str = "", require_claim: bool = False) -> None:
    """A person's decision on an uncertain duplicate pair: "merged" (one person) or "kept_apart".

    Merging puts both records' clusters under one cluster id (the smaller); both records get an
    audit row. Deciding again the same way changes nothing. Claims on both records are checked as
    in `correct_record`."""
    if decision not in LINK_DECISIONS:
        raise CorrectionError(f"unknown link decision {decision!r}")
    with store.session() as s, s.begin():
        link = s.scalars(select(RecordLink).where(RecordLink.id == link_id).with_for_update()).one_or_none()
        if link is None:
            raise CorrectionError(f"duplicate link {link_id} does not exist")
        for rid in (link.a_id, link.b_id):
            check_claim(s, rid, user, required=require_claim)
        if link.status == decision:
            return
        old = link.status
        link.status, link.decided_by, link.decided_at = decision, user, utcnow()
        a, b = s.get(Record, link.a_id), s.get(Record, link.b_id)
        if decision == "merged":
            ca, cb = a.cluster_id or f"C{a.id:07d}", b.cluster_id or f"C{b.id:07d}"
            keep, drop = min(ca, cb), max(ca, cb)
            s.execute(update(Record).where(Record.cluster_id == drop).values(cluster_id=keep))
            a.cluster_id = b.cluster_id = keep
        for rec, other in ((a, b), (b, a)):
            s.add(RecordChange(record_id=rec.id, user=user, action=LINK_DECISIONS[decision], field=None,
                               old_value=_json({"link": link.id, "with": other.id, "status": old}),
                               new_value=_json({"link": link.id, "with": other.id, "status": decision}), reason=reason))
