"""Changes people make to records, each kept in the audit trail (`record_changes`), and the review
contract that decides when a record may be approved.

A correction is the text a reviewer types for a field. It replaces that field's OCR text and the
row is mapped again, so the typed value is normalized and cross-checked like any other (a typed
"2013年5月3日" becomes 2013-05-03). A typed text that is no valid value (an ID failing its check
digit) is refused and the stored value stays. The typed text is kept in `Record.overrides`, so a
later re-map keeps it. A reviewer also confirms a flagged value as right, or marks a field "not on
the scan" (FieldReview). Approve (`review_form(..., approve=True)`, `decide`) holds only when every
mandatory field has a value or that mark and every flagged field was corrected, confirmed or
marked (`approval_gaps`). Approved, auto-accepted and rejected records are read only until an
administrator reopens them with a reason. The review app and the loader's tests use these
functions; nothing here knows about Streamlit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import object_session

from mapping.flags import severity
from mapping.spec import FieldSpec, Spec, load_spec
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.models import RawCell
from pipeline.kernel.store import Claim, FieldReview, Page, Record, RecordChange, RecordLink, Store, User, get_row, utcnow
from pipeline.kernel.thresholds import SCAN
from pipeline.page.extract import decided_none, declared_absent, map_rows, record_values
from pipeline.page.routing import APPROVED, NEEDS_REVIEW, REJECTED, capture_kind, threshold_of
from pipeline.page.structure import Structure


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


def mapped_with(rec: Record, overrides: Mapping[str, str], settings: Settings) -> dict[str, Any]:
    """The record's row mapped again with these typed texts over its OCR cells (nothing saved)."""
    page = rec.page
    if page.layout is None:  # its records are saved just before the layout: processing stopped in between
        raise CorrectionError(
            f"record {rec.id}: its page was not processed to the end; the next run processes it again, correct it then"
        )
    cells = [RawCell.from_dict(c) for c in rec.cells]
    absent = declared_absent(object_session(rec), page.file_id)
    rows = map_rows(
        rec.ledger_kind,
        page.title or "",
        page.layout["columns"],
        [(rec.row_no, cells)],
        settings,
        {rec.row_no: dict(overrides)},
        Structure.from_dict(page.layout.get("structure")),
        absent=absent,
        header=page.layout.get("header"),
        page_rows=[(r.row_no, [RawCell.from_dict(c) for c in r.cells]) for r in page.records],
        no_field=decided_none(page.layout),
    )
    return record_values(rows[0], settings, capture_kind(page.steps or []))


# ---- the review contract ------------------------------------------------------------------------
EDITABLE = NEEDS_REVIEW
#: flags a validation adds to a field because of ANOTHER field (the ID says 男, the paper says 女): a
#: reviewer's value carrying one is saved (the paper may say so), the reviewer confirms it before approving
CROSS_FIELD_FLAGS = frozenset(
    {
        "sex_id_mismatch",
        "birth_date_id_mismatch",
        "birth_after_death",
        "death_after_cremation",
        "scattering_before_cremation",
        "missing_mandatory",
    }
)
#: a typed ID that fails its check digit is not "repaired" to a neighbour: the reviewer types it again
REFUSED_WHEN_TYPED = frozenset({"id_corrected"})
#: the recognizer's repairs of a reading (mapping.normalize: a stamp's or a ruling's mark at an end left out,
#: the age's unit 岁 read as a final digit) are no repair of what a reviewer typed: typed -5 was saved as age 5,
#: 250 as 25 (session 45, in Chromium). Refused, said as what the typed text is (mapping.flags wording).
REPAIRS_REFUSED_WHEN_TYPED = {"stray_marks_removed": "bad_characters", "age_unit_read_as_digit": "implausible_age"}


@dataclass(frozen=True)
class FieldEntry:
    """What a reviewer left in the form for one field: the text in its box, whether they ticked
    "not on the scan" (the paper holds no value for it), and whether they said of this field alone that
    the value shown (`text`, unchanged) is right: `confirmed` (the app's per-field 核对无误) confirms it
    whatever the form's button (Save too), and is refused when the value stored is no longer `text`."""

    text: str
    not_on_scan: bool = False
    confirmed: bool = False


@dataclass(frozen=True)
class Refusal:
    """A field of a form that was not saved (the stored value stays): `code` says why -
    invalid (the text is not a valid value; `flags` name the checks it failed), mandatory_cleared
    (a mandatory field emptied without "not on the scan"), needs_reason ("not on the scan" without
    a why), text_and_not_on_scan (a value typed and "not on the scan" ticked)."""

    field: str
    code: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gap:
    """A field that keeps a record from being approved: mandatory_empty (a mandatory field without a
    value and not marked "not on the scan"), empty_flagged (a field flagged for a look, empty: type the
    value or mark it "not on the scan"), unreviewed (a flagged value nobody confirmed or corrected)."""

    field: str
    code: str


@dataclass
class FormOutcome:
    changes: list[Change] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    marked: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    approved: bool = False


class ApprovalRefused(CorrectionError):
    """Approve refused: the record breaks the review contract (pipeline.review.corrections.approval_gaps)."""

    def __init__(self, record_id: int, gaps: list[Gap], refused: Sequence[Refusal] = ()):
        self.record_id, self.gaps, self.refused = record_id, list(gaps), list(refused)
        parts = [f"{g.field} ({g.code})" for g in self.gaps] + [f"{r.field} ({r.code})" for r in self.refused]
        super().__init__(
            f"record {record_id} was not approved: " + ", ".join(parts),
            hint="请逐一更正、确认或标注所列字段后再通过 / correct, confirm or mark each field named, then approve again",
        )


class CorrectionRefused(CorrectionError):
    """Typed values that fail validation; nothing of the correction was saved."""

    def __init__(self, record_id: int, refused: list[Refusal]):
        self.record_id, self.refused = record_id, list(refused)
        super().__init__(
            f"record {record_id}: not saved, "
            + ", ".join(f"{r.field} ({r.code}{': ' + ', '.join(r.flags) if r.flags else ''})" for r in self.refused)
        )


def _field_of(line: str) -> str | None:
    head, sep, _rest = line.partition(":")
    return head.strip() if sep else None


def named_fields(rec: Record) -> dict[str, list[str]]:
    """Field -> the record's problem and routing lines about it ("death_date: is after ...")."""
    out: dict[str, list[str]] = {}
    for line in list(rec.problems or []) + [r for r in (rec.route_reasons or []) if r not in (rec.problems or [])]:
        f = _field_of(line)
        if f in rec.fields:
            out.setdefault(f, []).append(line.split(":", 1)[1].strip())
    return out


def needs_look(fv: Mapping[str, Any], threshold: float, named: bool = False) -> bool:
    """A field highlighted for a reviewer: read less sure than its threshold, a warn/error flag, or
    named by a problem of the record (the one rule the record view and the contract share)."""
    flags = [f for f in fv.get("flags") or [] if f != "corrected_by_reviewer"]
    return float(fv.get("confidence") or 0.0) < threshold or named or any(severity(f) in ("warn", "error") for f in flags)


def _empty(value: Any) -> bool:
    return value is None or value == ""


def form_text(fv: Mapping[str, Any], fspec: FieldSpec | None, spec: Spec) -> str:
    """The text a form shows for a field: its value as a reviewer would type it (a code field's label,
    e.g. 女 for sex_code 2), or the text read when there is no value. Typing it back changes nothing;
    the same text is what "unchanged" means when a form is saved."""
    value = fv.get("value")
    if _empty(value):
        return str(fv.get("raw") or "")
    if fspec is not None and fspec.code_table:
        table = spec.code_tables.get(fspec.code_table)
        label = table.codes.get(str(value)) if table is not None else None
        if label:
            return label
    return str(value)


def _reviews(s, record_id: int) -> dict[str, FieldReview]:
    return {r.field: r for r in s.scalars(select(FieldReview).where(FieldReview.record_id == record_id))}


def reviewed(name: str, fv: Mapping[str, Any], review: FieldReview | None) -> bool:
    """A reviewer's word covers this field's current value: they typed it, confirmed this very value,
    or marked the (empty) field "not on the scan"."""
    if "corrected_by_reviewer" in (fv.get("flags") or []) and not _empty(fv.get("value")):
        return True
    if review is None:
        return False
    if review.action == "not_on_scan":
        return _empty(fv.get("value"))
    return review.value == _json(fv.get("value"))


def approval_gaps(rec: Record, reviews: Mapping[str, FieldReview], settings: Settings, capture: str | None = None) -> list[Gap]:
    """What keeps this record from being approved (empty: it may be approved). A record is approved
    only when every mandatory field of its entity set has a value or was marked "not on the scan" by a
    reviewer, and every field flagged for a look was corrected, confirmed at its value, or marked."""
    spec = load_spec(settings.spec_version)
    kind = spec.kinds.get(rec.ledger_kind)
    values = {n: fv.get("value") for n, fv in rec.fields.items()}
    named = named_fields(rec)
    if capture is None:  # the capture kind of its page: the thresholds routing used (threshold_of)
        sess = object_session(rec)
        page = sess.get(Page, rec.page_id) if sess is not None else None
        capture = capture_kind(page.steps or []) if page is not None else SCAN
    gaps: list[Gap] = []
    for name, fv in rec.fields.items():
        fspec = kind.field(name) if kind is not None else None
        review = reviews.get(name)
        empty = _empty(fv.get("value"))
        marked = review is not None and review.action == "not_on_scan" and empty
        if empty and fspec is not None and fspec.is_mandatory(values):
            if not marked:
                gaps.append(Gap(name, "mandatory_empty"))
            continue
        if needs_look(fv, threshold_of(rec.ledger_kind, name, values, settings, capture), bool(named.get(name))) and not reviewed(
            name, fv, review
        ):
            gaps.append(Gap(name, "empty_flagged" if empty else "unreviewed"))
    return gaps


def _typed_refusal(
    name: str, text: str, new: Mapping[str, Any], fspec: FieldSpec | None, values: Mapping[str, Any]
) -> Refusal | None:
    """Why a typed text cannot be saved for this field (None: it can)."""
    if not text.strip():
        if fspec is not None and fspec.is_mandatory(values):
            return Refusal(name, "mandatory_cleared")
        return None
    own = tuple(
        REPAIRS_REFUSED_WHEN_TYPED.get(f, f)
        for f in new.get("flags") or []
        if (severity(f) == "error" and f not in CROSS_FIELD_FLAGS) or f in REFUSED_WHEN_TYPED or f in REPAIRS_REFUSED_WHEN_TYPED
    )
    if _empty(new.get("value")) or own:
        return Refusal(name, "invalid", own)
    return None


def _apply_typed(
    s, rec: Record, typed: Mapping[str, str], settings: Settings, *, user: str, reason: str, partial: bool
) -> tuple[list[Change], list[Refusal]]:
    """Validate and save typed texts over the record's cells (inside the caller's transaction).
    A text that is not a valid value is refused (with `partial`, the others are saved; without, none is)."""
    spec = load_spec(settings.spec_version)
    kind = spec.kinds.get(rec.ledger_kind)
    typed = {k: str(v) for k, v in typed.items()}
    refused: list[Refusal] = []
    while typed:
        values = mapped_with(rec, {**(rec.overrides or {}), **typed}, settings)
        plain = {n: fv.get("value") for n, fv in values["fields"].items()}
        bad = [
            r
            for r in (_typed_refusal(n, t, values["fields"][n], kind.field(n) if kind else None, plain) for n, t in typed.items())
            if r is not None
        ]
        if not bad:
            break
        refused += bad
        if not partial:
            return [], refused
        typed = {n: t for n, t in typed.items() if n not in {r.field for r in bad}}
    if not typed:
        return [], refused
    old_fields = rec.fields
    changes = [Change(n, old_fields[n].get("value"), values["fields"][n].get("value")) for n in typed]
    changes = [c for c in changes if c.old_value != c.new_value]
    if not changes:
        return [], refused
    if len(changes) < len(typed):  # a typed value equal to what was read is not a correction
        overrides = {**(rec.overrides or {}), **{c.field: typed[c.field] for c in changes}}
        values = mapped_with(rec, overrides, settings)
    else:
        overrides = {**(rec.overrides or {}), **typed}
    for c in changes:
        s.add(
            RecordChange(
                record_id=rec.id,
                user=user,
                action="edit",
                field=c.field,
                old_value=_json(c.old_value),
                new_value=_json(c.new_value),
                reason=reason,
            )
        )
    s.execute(delete(FieldReview).where(FieldReview.record_id == rec.id, FieldReview.field.in_([c.field for c in changes])))
    _store_values(rec, overrides, values)
    return changes, refused


def _store_values(rec: Record, overrides: Mapping[str, str], values: Mapping[str, Any]) -> None:
    rec.overrides = dict(overrides)
    rec.fields, rec.problems, rec.cells = values["fields"], values["problems"], values["cells"]
    rec.min_confidence = values["min_confidence"]
    rec.route_reasons = values["route_reasons"]
    rec.updated_at = utcnow()


def _editable(rec: Record) -> None:
    if rec.status == REJECTED:
        raise CorrectionError(f"record {rec.id} was rejected; an administrator reopens it (with a reason) before it is edited")
    if rec.status != EDITABLE:
        raise CorrectionError(
            f"record {rec.id} is {rec.status} and read only; an administrator reopens it (with a reason) before it is edited"
        )


def _open_for_edit(s, record_id: int, user: str, names: Iterable[str], require_claim: bool) -> Record:
    """Inside a write: the record locked, its claim checked, waiting for review, having these fields."""
    rec = _locked(s, record_id)
    check_claim(s, record_id, user, required=require_claim)
    _editable(rec)
    unknown = [f for f in names if f not in rec.fields]
    if unknown:
        raise CorrectionError(f"record {record_id} has no field(s) {', '.join(sorted(unknown))}")
    return rec


def _put_review(s, rec: Record, name: str, action: str, *, user: str, reason: str, old: Any = None) -> None:
    """Keep a reviewer's word on one field (the latest one counts) and audit it. `old`: the value
    before a "not on the scan" mark emptied the field."""
    value = rec.fields[name].get("value")
    s.execute(delete(FieldReview).where(FieldReview.record_id == rec.id, FieldReview.field == name))
    s.add(
        FieldReview(
            record_id=rec.id,
            field=name,
            action=action,
            value=None if action == "not_on_scan" else _json(value),
            user=user,
            reason=reason,
        )
    )
    s.add(
        RecordChange(
            record_id=rec.id,
            user=user,
            action="confirm" if action == "confirmed" else "not_on_scan",
            field=name,
            old_value=_json(old if action == "not_on_scan" else value),
            new_value=_json(value),
            reason=reason,
        )
    )


def correct_record(
    store: Store,
    record_id: int,
    typed: Mapping[str, str],
    *,
    user: str,
    settings: Settings,
    reason: str = "",
    require_claim: bool = False,
) -> list[Change]:
    """Apply a reviewer's typed values to a record (one transaction) and return what changed.

    Every typed text is normalized and validated like OCR text; one that is not a valid value (an
    ID failing its check digit, a date that does not exist, letters in a name) refuses the whole
    correction (CorrectionRefused; the stored values stay). A field whose value ends up the same is
    not recorded as a change. Only a record waiting for review can be edited: an approved,
    auto-accepted or rejected one is reopened first by an administrator (`reopen`). Another
    reviewer's live claim refuses the edit; `require_claim` (the review app) refuses it also when
    `user` holds no live claim."""
    with store.session() as s, s.begin():
        rec = _open_for_edit(s, record_id, user, typed, require_claim)
        changes, refused = _apply_typed(s, rec, typed, settings, user=user, reason=reason, partial=False)
        if refused:
            raise CorrectionRefused(record_id, refused)
        return changes


def review_form(
    store: Store,
    record_id: int,
    entries: Mapping[str, FieldEntry],
    *,
    user: str,
    settings: Settings,
    reason: str = "",
    approve: bool = False,
    require_claim: bool = False,
    confirm_unchanged: bool = True,
) -> FormOutcome:
    """Save what a reviewer left in the record's form, then (with `approve`) approve it if it keeps
    the contract - one transaction, so nothing typed is lost and nothing half-checked is approved.

    Per field: a text changed from `form_text` is a correction (validated: an invalid one is refused,
    the stored value stays, the other fields are saved); an unchanged, non-empty one confirms the value
    shown; "not on the scan" (needs `reason`) empties the field and says the paper holds nothing for it.
    Confirmations and marks are kept with who, when and why (FieldReview, record_changes). Nothing left
    unchanged is confirmed when a field of the form was refused, nor a value already confirmed at that
    value (or typed by a reviewer): a refused or repeated save adds no 核对无误 row. The record is
    approved only when nothing was refused and approval_gaps finds nothing. Without `confirm_unchanged`
    (the review app's Save, Skip, Previous: only its Approve vouches for the values shown) only what was
    typed or marked is saved; nothing left as it was counts as checked but a field whose entry says
    `confirmed` (the reviewer's 核对无误 of that field alone: an empty field or one stored differently
    since is refused)."""
    spec = load_spec(settings.spec_version)
    out = FormOutcome()
    with store.session() as s, s.begin():
        rec = _open_for_edit(s, record_id, user, entries, require_claim)
        kind = spec.kinds.get(rec.ledger_kind)
        typed: dict[str, str] = {}
        confirm: list[str] = []
        marks: list[str] = []
        for name, e in entries.items():
            shown = form_text(rec.fields[name], kind.field(name) if kind else None, spec)
            changed = e.text.strip() != shown.strip()
            if e.not_on_scan:
                if changed and e.text.strip():
                    out.refused.append(Refusal(name, "text_and_not_on_scan"))
                elif not reason.strip():
                    out.refused.append(Refusal(name, "needs_reason"))
                else:
                    marks.append(name)
            elif e.confirmed:  # the reviewer's word on this field as shown: never a correction
                if changed:  # saved since by someone else: what was checked is not what is stored
                    out.refused.append(Refusal(name, "changed_since_shown"))
                elif _empty(rec.fields[name].get("value")):
                    out.refused.append(Refusal(name, "confirm_empty"))
                else:
                    confirm.append(name)
            elif changed:
                typed[name] = e.text
            elif confirm_unchanged and not _empty(rec.fields[name].get("value")):
                confirm.append(name)
        changes, refused = _apply_typed(s, rec, typed, settings, user=user, reason=reason, partial=True)
        out.changes, out.refused = changes, out.refused + refused
        changed_fields = {c.field for c in changes}
        # a text typed equal to the value (2013年1月2日 for 2013-01-02) confirms it
        confirm += [
            n
            for n in typed
            if confirm_unchanged
            and n not in changed_fields
            and n not in {r.field for r in refused}
            and not _empty(rec.fields[n].get("value"))
        ]
        if marks:  # the paper holds nothing: the field's text becomes "" (kept over any re-map)
            old = {n: rec.fields[n].get("value") for n in marks}
            overrides = {**(rec.overrides or {}), **{n: "" for n in marks}}
            if overrides != (rec.overrides or {}):
                _store_values(rec, overrides, mapped_with(rec, overrides, settings))
            for n in marks:
                _put_review(s, rec, n, "not_on_scan", user=user, reason=reason, old=old[n])
            out.marked = marks
        # a form with a refused field is no word on what was left as shown: nothing of it counts as checked
        # (three refused saves left three identical 核对无误 rows, session 45); a value a reviewer's word
        # already covers (confirmed at this value, or typed) is not confirmed again: no repeated row
        known = _reviews(s, record_id)
        confirm = [] if out.refused else [n for n in confirm if not reviewed(n, rec.fields[n], known.get(n))]
        for n in confirm:
            _put_review(s, rec, n, "confirmed", user=user, reason=reason)
        out.confirmed = confirm
        if approve:
            out.gaps = approval_gaps(rec, _reviews(s, record_id), settings)
            if not out.refused and not out.gaps:
                _set_status(s, rec, APPROVED, user=user, reason=reason)
                out.approved = True
    return out


def _set_status(s, rec: Record, decision: str, *, user: str, reason: str) -> None:
    if rec.status == decision:
        return
    s.add(
        RecordChange(
            record_id=rec.id,
            user=user,
            action={APPROVED: "approve", REJECTED: "reject"}.get(decision, "reopen"),
            field=None,
            old_value=_json(rec.status),
            new_value=_json(decision),
            reason=reason,
        )
    )
    rec.status = decision
    rec.updated_at = utcnow()


def decide(
    store: Store,
    record_id: int,
    decision: str,
    *,
    user: str,
    reason: str = "",
    require_claim: bool = False,
    settings: Settings | None = None,
) -> None:
    """Approve or reject a record waiting for review (reject needs a reason); audited. Approving keeps
    the review contract: ApprovalRefused names the fields that break it (approval_gaps). Claims are
    checked as in `correct_record`. Reopening is `reopen` (administrators, with a reason)."""
    if decision not in (APPROVED, REJECTED):
        raise CorrectionError(f"unknown decision {decision!r}")
    if decision == REJECTED and not reason.strip():
        raise CorrectionError("a rejection needs a reason")
    with store.session() as s, s.begin():
        rec = _locked(s, record_id)
        check_claim(s, record_id, user, required=require_claim)
        if rec.status == decision:
            return
        _editable(rec)
        if decision == APPROVED:
            gaps = approval_gaps(rec, _reviews(s, record_id), settings or Settings.load())
            if gaps:
                raise ApprovalRefused(record_id, gaps)
        _set_status(s, rec, decision, user=user, reason=reason)


def require_admin(s, user: str, what: str) -> None:
    """Inside a session: refuse unless `user` is an active administrator of the user store."""
    who = s.scalars(select(User).where(User.username == user)).one_or_none()
    if who is None or not who.active or who.role != "administrator":
        raise CorrectionError(f"only an administrator {what} ({user} is not one)")


def confirm(
    store: Store,
    record_id: int,
    names: Iterable[str],
    *,
    user: str,
    settings: Settings,
    reason: str = "",
    approve: bool = False,
    require_claim: bool = False,
) -> FormOutcome:
    """A reviewer confirms these fields as they stand (review_form with each field's form text unchanged)."""
    spec = load_spec(settings.spec_version)
    with store.session() as s:
        rec = s.get(Record, record_id)
        if rec is None:
            raise CorrectionError(f"record {record_id} does not exist")
        kind = spec.kinds.get(rec.ledger_kind)
        entries = {
            n: FieldEntry(form_text(rec.fields[n], kind.field(n) if kind else None, spec)) for n in names if n in rec.fields
        }
    return review_form(
        store, record_id, entries, user=user, settings=settings, reason=reason, approve=approve, require_claim=require_claim
    )


def reopen(store: Store, record_id: int, *, user: str, reason: str) -> None:
    """An administrator puts an approved, auto-accepted or rejected record back into review, saying
    why (audited). Nobody else can change a decided record."""
    if not reason.strip():
        raise CorrectionError("reopening a record needs a reason")
    with store.session() as s, s.begin():
        require_admin(s, user, "reopens a decided record")
        rec = _locked(s, record_id)
        if rec.status == NEEDS_REVIEW:
            return
        _set_status(s, rec, NEEDS_REVIEW, user=user, reason=reason)


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
        a, b = get_row(s, Record, link.a_id), get_row(s, Record, link.b_id)
        if decision == "merged":
            ca, cb = a.cluster_id or f"C{a.id:07d}", b.cluster_id or f"C{b.id:07d}"
            keep, drop = min(ca, cb), max(ca, cb)
            s.execute(update(Record).where(Record.cluster_id == drop).values(cluster_id=keep))
            a.cluster_id = b.cluster_id = keep
        for rec, other in ((a, b), (b, a)):
            s.add(
                RecordChange(
                    record_id=rec.id,
                    user=user,
                    action=LINK_DECISIONS[decision],
                    field=None,
                    old_value=_json({"link": link.id, "with": other.id, "status": old}),
                    new_value=_json({"link": link.id, "with": other.id, "status": decision}),
                    reason=reason,
                )
            )
