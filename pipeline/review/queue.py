"""The review workflow, without Streamlit: the queue, claims, the record view, two-keyer mode.

- The queue: records needing review, by priority (duplicates, lowest confidence, oldest, or a
  ledger an administrator raised), filterable by funeral home, ledger, year and reason.
- Claims: a reviewer holds a record for CLAIM_MINUTES; taking a claim is one conditional write,
  so two reviewers never hold the same record, and every write checks the claim
  (pipeline.review.corrections.check_claim).
- Two-keyer mode (per ledger): the flagged fields are keyed blind; where the keyed value differs
  from OCR, the record waits for an arbitrator.
Corrections and decisions go through pipeline.review.corrections (the audit trail lives there).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Collection, Iterable, Mapping

import numpy as np
from sqlalchemy import Text, and_, cast, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from mapping.flags import severity
from mapping.spec import load_spec
from pipeline.kernel.config import Settings
from pipeline.kernel.privacy import mask_id, mask_phone
from pipeline.kernel.store import (
    BlindKey,
    Claim,
    FieldReview,
    LedgerAbsentField,
    LedgerSetting,
    Page,
    Record,
    RecordChange,
    RecordLink,
    Reveal,
    SourceFile,
    Store,
    rowcount,
    utcnow,
)
from pipeline.kernel.thresholds import CAPTURE_LABELS
from pipeline.page.extract import agree_volumes, decided_none, declared_absent, ledger_year, remap_page
from pipeline.page.routing import APPROVED, NEEDS_REVIEW, REJECTED, UNFITTED_CAPTURE_MARK, capture_kind, threshold_of
from pipeline.page.structure import Structure
from pipeline.review.corrections import (
    ApprovalRefused,
    ClaimError,
    CorrectionError,
    FieldEntry,
    _field_of,
    approval_gaps,
    check_claim,
    decide,
    form_text,
    mapped_with,
    named_fields,
    needs_look,
    require_admin,
    review_form,
    reviewed,
)

log = logging.getLogger(__name__)

CLAIM_MINUTES = 15
ORDERS = {
    "priority": "duplicates first, then lowest confidence, then oldest",
    "confidence": "lowest confidence first",
    "oldest": "oldest first",
    "duplicates": "possible duplicates first, then oldest",
}
# reasons a reviewer can filter on, besides any flag code
REASONS = {
    "low_confidence": "a field read with low confidence",
    "cross_check": "fields disagree with each other (dates, ID number, sex…)",
    "duplicate": "possible duplicate of another record",
    "corrected": "already corrected by a reviewer",
    "unfitted_capture": "a photographed or low-resolution page, a capture the thresholds were not fitted on",
}
UNREAD_COLUMNS = ("unknown_column", "hidden_column")
"""FieldView.column where a field without a column may still be on the page: under a header not
recognized, or in a printed column read together with its neighbour (Structure.columns_hidden). The
same codes are the field's issue, each worded for the reviewer in review_app.i18n (issue.<code>)."""
FROM_ID = "from_id"
"""FieldView.column of a field with no cell of its own whose value was derived from the ID number (GB
11643: birth date and, with it, the ID type; flag derived_from_id): it is not read from a crop, so the view
says where it came from rather than "column not recognized" or "two columns read as one"."""
# ID and phone numbers are masked on screen except in the field being edited
MASKED_FIELDS = {"id_number": mask_id, "id_number_raw": mask_id, "agent_phone": mask_phone, "registrant_phone": mask_phone}


_CONFIDENCE_REASON = re.compile(r"^(\w+): confidence \d\.\d\d(?: below \d\.\d\d)?$")


def screen_reason(line: str) -> str:
    """A routing reason as reviewers read it: a field held for its confidence says "check the
    reading", not the number or the threshold it missed (the field's confidence is on the screen
    beside its value; thresholds are the administrator's). A blind audit record's reasons
    (pipeline.quality.audit) read the same way."""
    return _CONFIDENCE_REASON.sub(r"\1: check the reading", line)


def masked_on_screen(f: FieldView, revealed: Collection[str] = ()) -> bool:
    """THE rule of what a screen hides: an ID or phone field (MASKED_FIELDS) is masked (its value, its
    raw reading, its form box, its cell crop) until a reviewer reveals it (`reveal`, logged), whenever it
    holds anything of the person's number: its stored value, or -- the value empty because the reading
    failed validation -- the raw reading kept, its cell's other reading, or a crop of the cell. Names are not masked on screen (the
    reviewer reads them to check the record; logs mask them: pipeline.kernel.privacy)."""
    if f.name not in MASKED_FIELDS or f.name in revealed:
        return False
    return any(str(x or "").strip() for x in (f.value, f.raw, f.ocr_text, f.form_text, f.second_reading)) or f.box is not None


def mask_for_screen(name: str, value: object) -> str:
    text = "" if value is None else str(value)
    masker = MASKED_FIELDS.get(name)
    return masker(text) if masker else text


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueFilter:
    funeral_home: str | None = None  # funeral_home_code
    ledger_id: int | None = None  # SourceFile id
    year: int | None = None  # ledger year (from the page title)
    reason: str | None = None  # a key of REASONS, or a flag code


@dataclass(frozen=True)
class QueueItem:
    record_id: int
    ledger: str  # the scanned file's path
    ledger_id: int
    page_no: int
    row_no: int
    kind: str
    funeral_home: str | None
    year: int | None
    min_confidence: float
    reasons: list[str]
    duplicate: bool
    created_at: datetime
    claimed_by: str | None


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int


def _uncertain_link_exists():
    return exists().where(RecordLink.status == "uncertain", or_(RecordLink.a_id == Record.id, RecordLink.b_id == Record.id))


def _disputed_exists():
    return exists().where(BlindKey.record_id == Record.id, BlindKey.status == "disputed")


def _home_expr():
    return Record.fields["funeral_home_code"]["value"].as_string()


def _queue_select(filters: QueueFilter, now: datetime):
    dup = _uncertain_link_exists()
    q = (
        select(
            Record.id,
            SourceFile.rel_path,
            SourceFile.id,
            Page.page_no,
            Record.row_no,
            Record.ledger_kind,
            _home_expr(),
            Page.title,
            Record.min_confidence,
            Record.route_reasons,
            dup.label("dup"),
            Record.created_at,
            Claim.user,
        )
        .join(Page, Record.page_id == Page.id)
        .join(SourceFile, Page.file_id == SourceFile.id)
        .outerjoin(Claim, and_(Claim.record_id == Record.id, Claim.expires_at > now))
        .outerjoin(LedgerSetting, LedgerSetting.file_id == SourceFile.id)
        .where(Record.status == NEEDS_REVIEW, ~_disputed_exists())
    )
    if filters.funeral_home:
        q = q.where(_home_expr() == filters.funeral_home)
    if filters.ledger_id is not None:
        q = q.where(SourceFile.id == filters.ledger_id)
    if filters.year is not None:
        q = q.where(Page.title.contains(str(int(filters.year))))
    r = filters.reason
    if r == "duplicate":
        q = q.where(dup)
    elif r == "low_confidence":
        q = q.where(cast(Record.route_reasons, Text).contains("confidence"))
    elif r == "cross_check":
        q = q.where(cast(Record.problems, Text) != "[]")
    elif r == "corrected":
        q = q.where(cast(Record.overrides, Text) != "{}")
    elif r == "unfitted_capture":  # pipeline.page.routing.unfitted_capture_reason (its English part, plain ASCII)
        q = q.where(cast(Record.route_reasons, Text).contains(UNFITTED_CAPTURE_MARK))
    elif r:
        q = q.where(cast(Record.fields, Text).contains(json.dumps(r)))
    return q, dup


def _ordered(q, dup, order: str):
    prio = func.coalesce(LedgerSetting.priority, 0).desc()
    if order == "confidence":
        return q.order_by(prio, Record.min_confidence, Record.created_at, Record.id)
    if order == "oldest":
        return q.order_by(prio, Record.created_at, Record.id)
    if order == "duplicates":
        return q.order_by(prio, dup.desc(), Record.created_at, Record.id)
    if order == "priority":
        return q.order_by(prio, dup.desc(), Record.min_confidence, Record.created_at, Record.id)
    raise CorrectionError(f"unknown queue order {order!r}; one of {', '.join(ORDERS)}")


def queue(
    store: Store,
    filters: QueueFilter = QueueFilter(),
    *,
    order: str = "priority",
    limit: int = 50,
    offset: int = 0,
    count: bool = True,
) -> QueuePage:
    """One page of the review queue and the number of records waiting under these filters
    (total is -1 when `count` is False: claim_next needs only the page)."""
    now = utcnow()
    q, dup = _queue_select(filters, now)
    with store.session() as s:
        total = int(s.scalar(select(func.count()).select_from(q.subquery())) or 0) if count else -1
        rows = s.execute(_ordered(q, dup, order).limit(limit).offset(offset)).all()
    items = [
        QueueItem(
            rid,
            rel,
            fid,
            page_no,
            row_no,
            kind,
            home,
            ledger_year(title or ""),
            float(conf or 0.0),
            [screen_reason(r) for r in reasons or []],
            bool(d),
            created,
            holder,
        )
        for rid, rel, fid, page_no, row_no, kind, home, title, conf, reasons, d, created, holder in rows
    ]
    return QueuePage(items, total)


@dataclass(frozen=True)
class QueueFacets:
    funeral_homes: list[str]
    ledgers: list[tuple[int, str]]  # (SourceFile id, path)
    years: list[int]


def queue_facets(store: Store) -> QueueFacets:
    """The values the queue's filters can take (over the records waiting for review)."""
    with store.session() as s:
        base = (
            select(SourceFile.id, SourceFile.rel_path, Page.title, _home_expr())
            .join(Page, Page.file_id == SourceFile.id)
            .join(Record, Record.page_id == Page.id)
            .where(Record.status == NEEDS_REVIEW)
            .distinct()
        )
        rows = s.execute(base).all()
    homes = sorted({h for *_x, h in rows if h})
    ledgers = sorted({(fid, rel) for fid, rel, _t, _h in rows}, key=lambda x: x[1])
    years = sorted({y for _f, _r, t, _h in rows if (y := ledger_year(t or "")) is not None})
    return QueueFacets(homes, ledgers, years)


# ---------------------------------------------------------------------------------------------
def claim(store: Store, record_id: int, user: str, *, minutes: float = CLAIM_MINUTES) -> datetime:
    """Take (or renew) the claim on a record for `minutes`; returns when it expires.

    One conditional UPDATE (the row is free, expired, or already ours) or one INSERT guarded by the
    primary key: whoever loses the race gets ClaimError naming the holder."""
    now = utcnow()
    expires = now + timedelta(minutes=minutes)
    with store.session() as s, s.begin():
        if s.get(Record, record_id) is None:
            raise CorrectionError(f"record {record_id} does not exist")
        res = s.execute(
            update(Claim)
            .where(Claim.record_id == record_id, or_(Claim.user == user, Claim.expires_at <= now))
            .values(user=user, claimed_at=now, expires_at=expires)
        )
        if rowcount(res) == 1:
            return expires
    try:
        with store.session() as s, s.begin():
            s.add(Claim(record_id=record_id, user=user, claimed_at=now, expires_at=expires))
        return expires
    except IntegrityError:
        holder = claim_holder(store, record_id)
        raise ClaimError(f"record {record_id} is being reviewed by {holder or 'someone else'}") from None


def claim_holder(store: Store, record_id: int) -> str | None:
    """Who holds a live claim on the record (None when free)."""
    with store.session() as s:
        return s.scalar(select(Claim.user).where(Claim.record_id == record_id, Claim.expires_at > utcnow()))


def release(store: Store, record_id: int, user: str) -> None:
    """Give a claim back (only its holder can)."""
    with store.session() as s, s.begin():
        s.execute(delete(Claim).where(Claim.record_id == record_id, Claim.user == user))


def release_all(store: Store, user: str) -> None:
    with store.session() as s, s.begin():
        s.execute(delete(Claim).where(Claim.user == user))


def claim_next(
    store: Store,
    user: str,
    filters: QueueFilter = QueueFilter(),
    *,
    order: str = "priority",
    exclude: Iterable[int] = (),
    minutes: float = CLAIM_MINUTES,
) -> int | None:
    """Claim the first record of the queue that nobody else holds (not in `exclude`: skipped ones).
    A record this user already holds in the queue comes first. None when the queue is empty."""
    skip = set(exclude)
    now = utcnow()
    with store.session() as s:
        held = s.scalars(
            select(Claim.record_id)
            .join(Record, Record.id == Claim.record_id)
            .where(Claim.user == user, Claim.expires_at > now, Record.status == NEEDS_REVIEW)
            .order_by(Claim.claimed_at)
        ).all()
    for rid in held:
        if rid not in skip:
            claim(store, rid, user, minutes=minutes)  # renew
            return rid
    offset = 0
    while True:
        page = queue(store, filters, order=order, limit=20, offset=offset, count=False)
        if not page.items:
            return None
        for item in page.items:
            if item.record_id in skip or (item.claimed_by and item.claimed_by != user):
                continue
            try:
                claim(store, item.record_id, user, minutes=minutes)
                return item.record_id
            except ClaimError:
                continue
        offset += len(page.items)


# ---------------------------------------------------------------------------------------------
@dataclass
class FieldView:
    name: str
    value: Any
    raw: str
    confidence: float
    box: tuple[int, int, int, int] | None
    flags: list[str]
    issues: list[str]  # why it is highlighted, as codes: warn/error flags, "low_confidence", "unknown_column"
    needs_look: bool  # highlighted: low confidence, a warn/error flag, or a problem
    corrected: bool
    label: str = ""  # the spec's label of the field (e.g. 逝者姓名)
    code_label: str | None = None  # code fields: the code table's label of the value (e.g. 女 for sex_code 2)
    ocr_text: str | None = None  # the OCR text of the field's printed cell (None: no printed column)
    column: str = "cell"  # cell / no_column (the register has none) / unknown_column (a header was not
    #                          recognized: it may be that one) / hidden_column (two printed columns read as one:
    #                          it may be inside the neighbour's text) / absent (declared by an administrator) /
    #                          context / derived / from_id (no cell of its own: the value was derived
    #                          from the ID number, mapping.flags derived_from_id)
    mandatory: bool = False
    review: dict[str, Any] | None = None  # a reviewer's word: action (confirmed / not_on_scan), user, reason, at
    reviewed: bool = False  # corrected, confirmed at this value, or marked "not on the scan"
    gap: str | None = None  # what keeps the record from approval on this field (corrections.Gap.code)
    form_text: str = ""  # what the correction form shows (corrections.form_text)
    threshold: float = 0.0
    code_table: str | None = None  # code fields: the spec's code table (its labels in English: review_app.i18n)
    said_above: frozenset[str] = frozenset()  # its flags the record's banner says once (SAID_ABOVE): not in its note
    second_reading: str = ""  # its printed cell's other reading, not the one its value was taken from (engines_disagree)
    corrected_by: dict[str, Any] | None = None  # the latest correction typed into it: user, at (record_changes "edit")

    @property
    def pending(self) -> bool:
        """Still waiting for a reviewer's word."""
        return self.gap is not None


@dataclass(frozen=True)
class OtherCell:
    """A cell of the row whose column's header was not recognized (no field): where a missing field may be."""

    column: int
    header: str
    text: str
    box: tuple[int, int, int, int] | None


@dataclass
class RecordView:
    record_id: int
    status: str
    kind: str
    ledger: str
    ledger_id: int
    page_id: int
    page_no: int
    row_no: int
    title: str
    clean_image: str | None
    fields: list[FieldView]
    record_reasons: list[tuple[str, dict[str, Any]]]  # reasons not tied to one field: (code, parameters)
    links: list[dict[str, Any]]  # uncertain duplicate links of this record
    updated_at: datetime | None
    two_keyer: bool
    blind: list[dict[str, Any]] = field(default_factory=list)  # blind keyings of this record
    other_cells: list[OtherCell] = field(default_factory=list)
    row_boxes: list[tuple[int, int, int, int]] = field(default_factory=list)  # every cell of the row

    @property
    def read_only(self) -> bool:
        return self.status != NEEDS_REVIEW

    @property
    def gaps(self) -> list[str]:
        return [f.name for f in self.fields if f.gap]


def screen_value(f: FieldView, *, unmasked: bool = False, label_of: Callable[[str, Any], str | None] | None = None) -> str:
    """The value as a reviewer reads it: masked ID/phone numbers (unless `unmasked`: revealed), code
    fields with the code table's label ("2 女"; `label_of(table, code)` words it in the reader's language,
    e.g. review_app.i18n.code_label), "" for no value."""
    if f.value in (None, ""):
        return ""
    text = str(f.value) if unmasked else mask_for_screen(f.name, f.value)
    label = label_of(f.code_table, f.value) if label_of is not None and f.code_table else f.code_label
    return f"{text} {label}" if label else text


_RECORD_LINES = (
    (re.compile(r"^row: only (\d+) of (\d+) cells written"), "sparse_row", ("written", "total")),
    (re.compile(r"^page: (\d+)% of its text read unsure \(calibrated limit (\d+)%\)"), "page_unsure", ("share", "limit")),
    (re.compile(r"^(.+): no column of this page was recognized as it"), "unknown_columns", ("fields",)),
    # the page's structure in doubt (pipeline.page.extract: PAGE_ASSIGNMENT_DOUBT, GRID_DOUBTS; structure.STRUCK)
    (
        re.compile(r"^page: the column of (\S+) could not be identified with confidence \((.*)\)$"),
        "column_unsure",
        ("field", "why"),
    ),
    (re.compile(r"^page: no ruling lines were found"), "grid_text", ()),
    (re.compile(r"^page: some of its ruling lines are missing"), "grid_partial", ()),
    (re.compile(r"^page: its row lines do not run level across the table"), "grid_by_column", ()),
    (re.compile(r"^page: its ruling lines are very faint"), "grid_faint", ()),
    (re.compile(r"^page: some of its columns lie beyond the table's outline the cleanup found"), "grid_beyond_box", ()),
    (
        re.compile(r"^page: its header was misread as no register's: the register kind is the one its volume's"),
        "kind_from_volume",
        (),
    ),
    (re.compile(r"^row: a line is drawn across its text"), "struck", ()),
    (re.compile(r"^row: a row line beside it bows across the table"), "bowed_line", ()),
    (re.compile(r"^row: its only writing lies under a seal"), "seal_only", ()),
    (re.compile(r"^row: written only in columns whose field was not identified"), "unidentified_row", ()),
    # the serial column out of order (pipeline.page.structure.check_serials, SERIAL_MISREAD)
    (
        re.compile(r"^row: serial (-?\d+) read between (-?\d+) and (-?\d+), which follow"),
        "serial_misread",
        ("serial", "before", "after"),
    ),
    (re.compile(r"^row: serial (-?\d+) follows (-?\d+): a row may be lost"), "serial_gap", ("serial", "before")),
    (re.compile(r"^row: serial (-?\d+) follows (-?\d+): a row may be split"), "serial_repeat", ("serial", "before")),
    (re.compile(r"^page: 本页表头和各栏都未认出"), "columns_unread", ()),  # pipeline.page.extract.COLUMNS_UNREAD_DOUBT
    # a page of a capture kind the thresholds were not fitted on (pipeline.page.routing.unfitted_capture_reason)
    (re.compile(r"^.*\((.+?): " + re.escape(UNFITTED_CAPTURE_MARK) + r" "), "unfitted_capture", ("capture",)),
)


#: the flags a row's or a page's doubt puts on every written field of the row (pipeline.page.structure.apply_structure,
#: apply_serial_checks), and the record-level reasons (_RECORD_LINES) any of which says it in the record's banner:
#: a field's note does not say it again (said_above, field_reasons)
SAID_ABOVE = {
    "row_struck_through": frozenset({"struck"}),
    "row_line_bowed": frozenset({"bowed_line"}),
    "cell_under_seal": frozenset({"seal_only"}),  # every written cell of the row under a seal (SEAL_ONLY)
    "serial_misread": frozenset({"serial_misread"}),
    "row_order_broken": frozenset({"serial_gap", "serial_repeat"}),
    "page_structure_doubted": frozenset(
        {"column_unsure", "grid_text", "grid_partial", "grid_by_column", "grid_faint", "columns_unread"}
    ),
}


def said_above(record_reasons: Iterable[tuple[str, dict[str, Any]]]) -> frozenset[str]:
    """The row- and page-wide flags (SAID_ABOVE) that the record's banner says, given its record-level reasons."""
    codes = {code for code, _params in record_reasons}
    return frozenset(flag for flag, said in SAID_ABOVE.items() if codes & said)


_CAPTURE_BY_LABEL = {en: kind for kind, (_zh, en) in CAPTURE_LABELS.items()}


#: an ID number that fails GB 11643 (length, characters, the birth date of digits 7-14, an address code GB/T 2260
#: has no place for, the check digit 18;
#: a check digit failed with several corrections possible), most basic first: ONE of them is said
ID_INVALID = {
    "bad_length": "id_invalid_length",
    "bad_characters": "id_invalid_characters",
    "bad_birth_date": "id_invalid_birth",
    "impossible_id_region": "id_invalid_region",
    "check_digit_failed": "id_invalid_check",
    "id_correction_ambiguous": "id_invalid_ambiguous",
}
#: a field that disagrees with the ID number (GB 11643: digits 7-14 the birth date, digit 17 odd for a man),
#: flagged on both fields (mapping.record._validate)
ID_DISAGREE = {"sex_id_mismatch": "sex", "birth_date_id_mismatch": "birth"}


def _id_reason(f: FieldView) -> tuple[str | None, set[str]]:
    """ONE reason for what is wrong between the ID number, the sex and the birth date of a field, and
    the flag codes it says (said no more one by one): on the ID number, its first GB 11643 failure, else
    which fields disagree with it; on the sex or the birth date, that it disagrees with the ID; on a field
    derived from the ID and left empty, that the ID is not valid (correcting it derives the field again)."""
    codes = set(f.issues)
    if f.name == "id_number":
        bad = [c for c in ID_INVALID if c in codes]
        if bad:
            return ID_INVALID[bad[0]], set(ID_INVALID) | set(ID_DISAGREE)
        parts = [w for c, w in ID_DISAGREE.items() if c in codes]
        if parts:
            return "id_disagrees_" + "_".join(parts), set(ID_DISAGREE)
    elif f.name == "sex_code" and "sex_id_mismatch" in codes:
        return "sex_disagrees_id", {"sex_id_mismatch"}
    elif f.name == "birth_date" and "birth_date_id_mismatch" in codes:
        return "birth_disagrees_id", {"birth_date_id_mismatch"}
    if "id_unreadable" in codes and f.value in (None, ""):  # derived from an ID number that is not valid
        return "from_invalid_id", {"id_unreadable"}
    return None, set()


def column_shown(f: FieldView) -> str:
    """Where a field stands on the scan, as the record page words it (review_app.i18n column.<code>): a field
    with no column on a page whose structure the record's banner says is in doubt (page_structure_doubted,
    SAID_ABOVE) is "no_column_doubted", not "this register has no such column" (too sure: its column may be
    one whose field was not identified; the field is held for it)."""
    if f.column == "no_column" and "page_structure_doubted" in set(f.flags) & f.said_above:
        return "no_column_doubted"
    return f.column


def field_reasons(f: FieldView) -> list[str]:
    """What the record view says about a field, one code per thing to say, in order (worded in
    review_app.i18n: a flag or issue code by flag_text, "gap.<code>" by gap_text).

    A field that may be under a column not read (UNREAD_COLUMNS, in its issues) gets ONE message for
    it: what is known (the column's header was not recognized, or two printed columns were read as one)
    and what to do. Where the field is mandatory and empty (gap mandatory_empty) its "<code>_mandatory"
    wording says that too, so the approval gap's reminder (type it or tick "not on the scan" and say
    why) is not repeated under it; missing_mandatory is never said beside its gap. A mandatory field the
    register has no column for (column no_column: every printed column is another field's) gets ONE
    message too (no_column_mandatory): "type it from the scan" cannot be done there, so it says what can
    (type it from other records of the archive, or tick "not on the scan" with the reason) and that the
    platform will refuse the row while it is empty (pipeline.platform.load.empty_mandatory: an unconditional
    M field is never excused), instead of the flag's "no column (or a header not recognized)" and the gap.

    The ID number, the sex and the birth date get ONE message each for what is wrong between them
    (_id_reason: an ID failing GB 11643, or a field disagreeing with the ID's digits), saying which digits
    to check against the scan and what to do where the paper itself says so: not the flags one
    by one, nor the "not checked yet" reminder under it. A field read unsure and not checked yet says so
    in one line too (low_confidence_unreviewed), not "check it against the scan" and the reminder.

    A doubt of the whole row or page (a bowed row line, a serial out of order, the page's structure:
    SAID_ABOVE) that the record's banner says is not said again in each field's note (f.said_above): the
    field is still asked to be checked (its gap) where it is not yet."""
    unread = f.column in UNREAD_COLUMNS and f.column in f.issues
    merged, said = _id_reason(f)
    out = []
    for code in f.issues:
        if code == "missing_mandatory" and f.gap:
            continue
        if code in f.said_above:
            continue
        if code in said:
            code = merged or code
            if code in out:
                continue
        if code == f.column and unread and f.gap == "mandatory_empty":
            code += "_mandatory"
        if code == "no_column" and f.column == "no_column" and f.gap == "mandatory_empty":
            code = "no_column_mandatory"  # "type it from the scan" cannot be done: said once, with what can
        out.append(code)
    said_gap = (
        (unread and f.gap in ("empty_flagged", "mandatory_empty"))
        or "no_column_mandatory" in out
        or (merged is not None and f.gap == "unreviewed")  # "check it; as on the scan: leave it" said
        or (  # type it, or "not on the scan"
            merged in (*ID_INVALID.values(), "from_invalid_id") and f.gap in ("empty_flagged", "mandatory_empty")
        )
    )
    if f.gap == "unreviewed" and "low_confidence" in out and not said_gap:
        # read unsure and not checked yet: one line, "check it against the scan; unchanged if right"
        # a field named by a routing reason though read surer than its threshold (the blind audit's least
        # sure field, pipeline.page.holds.blind_reasons) is not said to be read unsure: its bar says 把握大
        out[out.index("low_confidence")] = "low_confidence_unreviewed" if f.confidence < f.threshold else "check_unreviewed"
        said_gap = True
    if f.gap and not said_gap:
        out.append(f"gap.{f.gap}")
    return out


def _one_column_unsure(reasons: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The page's columns in doubt (column_unsure, one line a field) said in ONE line naming them all, where
    the first of them stood: each would say that the page's every value is to be checked."""
    unsure = [p for c, p in reasons if c == "column_unsure"]
    if len(unsure) < 2:
        return reasons
    merged = {
        "field": ", ".join(str(p.get("field", "")) for p in unsure),
        "why": "; ".join(str(p.get("why", "")) for p in unsure),
    }
    out: list[tuple[str, dict[str, Any]]] = []
    for code, params in reasons:
        if code != "column_unsure":
            out.append((code, params))
        elif merged:
            out.append((code, merged))
            merged = {}
    return out


def record_reason(line: str) -> tuple[str, dict[str, Any]]:
    """A record-level problem line (pipeline.page.extract) as (code, parameters), for wording in the
    reviewer's language; ("text", {"text": line}) for a line of no known kind."""
    for rx, code, names in _RECORD_LINES:
        m = rx.match(line)
        if m:
            params = dict(zip(names, m.groups()))
            if code == "unfitted_capture":  # the capture kind, not its label: worded in the reviewer's language
                params["capture"] = _CAPTURE_BY_LABEL.get(params["capture"], params["capture"])
            return code, params
    return "text", {"text": line}


def reason_fields(lines: Iterable[str], fields: Iterable[str]) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """Routing reasons of a record split into the fields they name and record-level reasons (the queue's "why")."""
    known = set(fields)
    named: list[str] = []
    other: list[tuple[str, dict[str, Any]]] = []
    for line in lines:
        f = _field_of(line)
        if f in known:
            if f not in named:
                named.append(f)
            continue
        code, params = record_reason(line)
        if code == "unknown_columns":
            named += [x.strip() for x in params["fields"].split(",") if x.strip() in known and x.strip() not in named]
        if (code, params) not in other:
            other.append((code, params))
    return named, other


def kind_fields(kind: str | None, spec_version: str | None = None) -> tuple[str, ...]:
    """The spec's field names of a ledger kind (none for an unknown kind)."""
    ks = load_spec(spec_version).kinds.get(kind or "")
    return ks.field_names if ks is not None else ()


def record_status(store: Store, record_id: int) -> str | None:
    with store.session() as s:
        return s.scalar(select(Record.status).where(Record.id == record_id))


def record_numbers(store: Store) -> tuple[int, int] | None:
    """The first and the last record number of the store (None: no record yet): what a reviewer who
    typed a number that is none is told to type."""
    with store.session() as s:
        lo, hi = s.execute(select(func.min(Record.id), func.max(Record.id))).one()
    return None if lo is None else (int(lo), int(hi))


def record_kind(store: Store, record_id: int) -> str | None:
    with store.session() as s:
        return s.scalar(select(Record.ledger_kind).where(Record.id == record_id))


def ledger_kind(store: Store, file_id: int) -> str | None:
    """The ledger kind of a scanned file (of its first page read)."""
    with store.session() as s:
        return s.scalar(
            select(Page.ledger_kind).where(Page.file_id == file_id, Page.ledger_kind.is_not(None)).order_by(Page.page_no).limit(1)
        )


def record_view(store: Store, record_id: int, settings: Settings) -> RecordView:
    """Everything the record page shows, in one read."""
    with store.session() as s:
        row = s.execute(
            select(Record, Page, SourceFile)
            .join(Page, Record.page_id == Page.id)
            .join(SourceFile, Page.file_id == SourceFile.id)
            .where(Record.id == record_id)
        ).one_or_none()
        if row is None:
            raise CorrectionError(f"record {record_id} does not exist")
        rec, page, sf = row
        links = [
            dict(id=lk.id, other=lk.b_id if lk.a_id == rec.id else lk.a_id, score=lk.score, evidence=lk.evidence)
            for lk in s.scalars(
                select(RecordLink).where(
                    RecordLink.status == "uncertain", or_(RecordLink.a_id == rec.id, RecordLink.b_id == rec.id)
                )
            )
        ]
        two = bool(s.scalar(select(LedgerSetting.two_keyer).where(LedgerSetting.file_id == sf.id)))
        blind = [
            dict(
                field=b.field,
                user=b.user,
                typed=b.typed,
                typed_value=json.loads(b.typed_value or "null"),
                ocr_value=json.loads(b.ocr_value or "null"),
                status=b.status,
            )
            for b in s.scalars(select(BlindKey).where(BlindKey.record_id == rec.id).order_by(BlindKey.id))
        ]
        reviews = {r.field: r for r in s.scalars(select(FieldReview).where(FieldReview.record_id == rec.id))}
        # who typed each field's value and when (the latest correction of it): said where its state is shown
        typed_by = {
            c.field: dict(user=c.user, at=c.at)
            for c in s.scalars(
                select(RecordChange)
                .where(RecordChange.record_id == rec.id, RecordChange.action == "edit", RecordChange.field.is_not(None))
                .order_by(RecordChange.id)
            )
        }
        absent = declared_absent(s, sf.id)
    named = named_fields(rec)
    record_reasons: list[tuple[str, dict[str, Any]]] = []
    for line in list(rec.problems or []) + [screen_reason(r) for r in (rec.route_reasons or []) if r not in (rec.problems or [])]:
        if _field_of(line) in rec.fields:
            continue
        code, params = record_reason(line)
        if (code, params) not in record_reasons:
            record_reasons.append((code, params))
    record_reasons = _one_column_unsure(record_reasons)
    above = said_above(record_reasons)
    capture = capture_kind(page.steps or [])  # the thresholds routing used for this page's kind
    gaps = {g.field: g.code for g in approval_gaps(rec, reviews, settings, capture)} if rec.status == NEEDS_REVIEW else {}
    spec = load_spec(settings.spec_version)
    kind = spec.kinds.get(rec.ledger_kind)
    layout = page.layout or {}
    columns = list(layout.get("columns") or [])
    header = list(layout.get("header") or [])
    # a field without a column may be under a header not recognized (unknown_column: the row's other cells
    # are shown), or in a printed column no column read stands for (hidden_column: two read as one, a
    # ruling line missing, so its value may sit inside the neighbouring column's text) - never "this
    # register has no such column"
    unread = (
        "unknown_column"
        if None in columns
        else "hidden_column"
        if Structure.from_dict(layout.get("structure")).columns_hidden
        else None
    )
    cells = list(rec.cells or [])
    values = {n: fv.get("value") for n, fv in rec.fields.items()}
    fields = []
    for name, fv in rec.fields.items():
        fspec = kind.field(name) if kind is not None else None
        code_label = None
        if fspec is not None and fspec.code_table and fv.get("value") not in (None, ""):
            table = spec.code_tables.get(fspec.code_table)
            code_label = table.codes.get(str(fv.get("value"))) if table is not None else None
        ocr_text, second = None, ""
        if name in columns and columns.index(name) < len(cells):
            ocr_text = str((cells[columns.index(name)] or {}).get("text") or "")
            cell = cells[columns.index(name)] or {}
            if cell.get("second"):  # the reading the value was not taken from (either may have been chosen)
                raw = "".join(str(fv.get("raw") or "").split())
                second = next((str(x) for x in (cell.get("second"), ocr_text) if "".join(str(x).split()) != raw), "")
        flags = list(fv.get("flags") or [])
        conf = float(fv.get("confidence") or 0.0)
        threshold = threshold_of(rec.ledger_kind, name, values, settings, capture)
        source = fspec.source if fspec is not None else "cell"
        column = (
            source
            if source in ("context", "derived")
            else "cell"
            if name in columns
            else "absent"
            if name in absent
            else unread or "no_column"
        )  # some printed column of the page without a field of its own: its column may be that one
        issues = [f for f in flags if f != "corrected_by_reviewer" and severity(f) in ("warn", "error")]
        if column in UNREAD_COLUMNS and (fv.get("value") in (None, "") or conf < threshold) and "no_column" in flags:
            # still missing (pipeline.page.structure.mark_missing); a blank the column's cells or its blank
            # cell made sure (open_columns, missing_in_row) is not said to be "perhaps in it". The unread
            # column's wording says why there is no column and what to do: the flag's "no column (or a
            # header not recognized)" is not said beside it
            issues = [i for i in issues if i != "no_column"]
            issues.append(column)
        elif (conf < threshold or named.get(name)) and not issues:
            # read less sure than its threshold, or named by a routing reason (a blind audit record's too:
            # pipeline.quality.audit.blind_reasons) - worded alike, so an audit record looks like any other
            issues.append("low_confidence")
        if (
            column not in ("cell", "context", "derived", "absent")
            and "derived_from_id" in flags
            and fv.get("value") not in (None, "")
        ):
            column = FROM_ID  # shown as what it is; its issues (above) stay those of its missing column
        corrected = "corrected_by_reviewer" in flags
        review = reviews.get(name)
        box = fv.get("box")
        fields.append(
            FieldView(
                name,
                fv.get("value"),
                fv.get("raw") or "",
                conf,
                tuple(box) if box else None,
                flags,
                issues,
                needs_look(fv, threshold, bool(named.get(name))),
                corrected,
                fspec.label if fspec is not None else "",
                code_label,
                ocr_text,
                column,
                bool(fspec is not None and fspec.is_mandatory(values)),
                None if review is None else dict(action=review.action, user=review.user, reason=review.reason, at=review.at),
                reviewed(name, fv, review),
                gaps.get(name),
                form_text(fv, fspec, spec),
                threshold,
                fspec.code_table if fspec is not None else None,
                above,
                second,
                typed_by.get(name) if corrected else None,
            )
        )
    closed = decided_none(layout)  # the columns a reviewer said hold none of ours
    other = [
        OtherCell(
            i,
            header[i] if i < len(header) else "",
            str((cells[i] or {}).get("text") or ""),
            tuple(cell_box) if (cell_box := (cells[i] or {}).get("box")) else None,
        )
        for i, f in enumerate(columns)
        if f is None and i < len(cells) and i not in closed
    ]
    boxes = [tuple(c["box"]) for c in cells if c and c.get("box")] or [f.box for f in fields if f.box]
    return RecordView(
        rec.id,
        rec.status,
        rec.ledger_kind,
        sf.rel_path,
        sf.id,
        page.id,
        page.page_no,
        rec.row_no,
        page.title or "",
        page.clean_image,
        fields,
        record_reasons,
        links,
        rec.updated_at,
        two,
        blind,
        other,
        boxes,
    )


def neighbours(store: Store, record_id: int) -> tuple[int | None, int | None]:
    """The previous and next record on the same page (for browsing with ← / →)."""
    with store.session() as s:
        rec = s.get(Record, record_id)
        if rec is None:
            return None, None
        prev = s.scalar(
            select(Record.id)
            .where(Record.page_id == rec.page_id, Record.row_no < rec.row_no)
            .order_by(Record.row_no.desc())
            .limit(1)
        )
        nxt = s.scalar(
            select(Record.id).where(Record.page_id == rec.page_id, Record.row_no > rec.row_no).order_by(Record.row_no).limit(1)
        )
    return prev, nxt


# ---------------------------------------------------------------------------------------------
def row_strip(
    image: np.ndarray,
    boxes: Iterable[tuple[int, int, int, int] | None],
    *,
    margin: int = 6,
    hide: Iterable[tuple[int, int, int, int]] = (),
) -> np.ndarray | None:
    """The row of the scan that holds these boxes (full page width), with the `hide` boxes greyed out."""
    bs = [b for b in boxes if b]
    if not bs:
        return None
    h = image.shape[0]
    y0 = max(0, min(b[1] for b in bs) - margin)
    y1 = min(h, max(b[3] for b in bs) + margin)
    strip = image[y0:y1].copy()
    for x0, by0, x1, by1 in hide:
        strip[max(0, by0 - y0) : max(0, by1 - y0), max(0, x0) : max(0, x1)] = 200
    return strip


def cell_crop(image: np.ndarray, box: tuple[int, int, int, int] | None, *, margin: int = 4) -> np.ndarray | None:
    """The cell's crop on the cleaned page (None when the record has no box: no scan)."""
    if not box:
        return None
    x0, y0, x1, y1 = (int(v) for v in box)
    h, w = image.shape[:2]
    crop = image[max(0, y0 - margin) : min(h, y1 + margin), max(0, x0 - margin) : min(w, x1 + margin)]
    return crop if crop.size else None


# ---------------------------------------------------------------------------------------------
def set_ledger(store: Store, file_id: int, *, user: str, two_keyer: bool | None = None, priority: int | None = None) -> None:
    """An administrator's settings for one ledger: two-keyer mode, and a queue priority (higher first)."""
    with store.session() as s, s.begin():
        if s.get(SourceFile, file_id) is None:
            raise CorrectionError(f"ledger {file_id} does not exist")
        ls = s.get(LedgerSetting, file_id)
        if ls is None:
            ls = LedgerSetting(file_id=file_id, two_keyer=False, priority=0, set_by=user)
            s.add(ls)
        if two_keyer is not None:
            ls.two_keyer = two_keyer
        if priority is not None:
            ls.priority = int(priority)
        ls.set_by, ls.set_at = user, utcnow()


def absent_candidates(store: Store, file_id: int, settings: Settings) -> list[str]:
    """Fields a ledger may be declared never to record: the printed-column fields of its kind(s)
    (not those filled from context or derived)."""
    spec = load_spec(settings.spec_version)
    with store.session() as s:
        kinds = [k for k in s.scalars(select(Page.ledger_kind).where(Page.file_id == file_id).distinct()) if k]
    out: list[str] = []
    for k in kinds:
        ks = spec.kinds.get(k)
        for f in ks.fields if ks is not None else ():
            if f.source == "cell" and f.name not in out:
                out.append(f.name)
    return out


def declare_absent(store: Store, file_id: int, fields: Iterable[str], *, user: str, reason: str, settings: Settings) -> int:
    """An administrator declares, once for a ledger, the fields it never records (no such column),
    with why; they replace the ledger's earlier declaration. Its pages are mapped again (reviewers'
    corrections kept, decided records untouched) so those fields are no longer asked record by
    record. Returns the number of records mapped again."""
    wanted = sorted(set(fields))
    allowed = set(absent_candidates(store, file_id, settings))
    bad = [f for f in wanted if f not in allowed]
    if bad:
        raise CorrectionError(f"ledger {file_id}: {', '.join(bad)} cannot be declared absent (not a printed column of it)")
    if wanted and not reason.strip():
        raise CorrectionError("declaring fields a ledger never records needs a reason")
    with store.session() as s, s.begin():
        require_admin(s, user, "declares what a ledger records")
        if s.get(SourceFile, file_id) is None:
            raise CorrectionError(f"ledger {file_id} does not exist")
        before = set(declared_absent(s, file_id))
        s.execute(delete(LedgerAbsentField).where(LedgerAbsentField.file_id == file_id, LedgerAbsentField.field.not_in(wanted)))
        for f in wanted:
            if f not in before:
                s.add(LedgerAbsentField(file_id=file_id, field=f, declared_by=user, reason=reason))
        page_ids = list(s.scalars(select(Page.id).where(Page.file_id == file_id, Page.status == "done")))
    if before == set(wanted):
        return 0
    log.info("ledger %s: %d field(s) declared never recorded by %s", file_id, len(wanted), user)
    n = sum(remap_page(store, pid, settings) for pid in page_ids)
    agree_volumes(store, settings, [file_id])  # its volume's pages tell each other's columns again
    return n


@dataclass(frozen=True)
class LedgerInfo:
    file_id: int
    path: str
    waiting: int
    two_keyer: bool
    priority: int
    absent: tuple[str, ...] = ()


def ledgers(store: Store) -> list[LedgerInfo]:
    with store.session() as s:
        waiting = (
            select(Page.file_id, func.count(Record.id).label("n"))
            .join(Record, Record.page_id == Page.id)
            .where(Record.status == NEEDS_REVIEW)
            .group_by(Page.file_id)
            .subquery()
        )
        rows = s.execute(
            select(
                SourceFile.id, SourceFile.rel_path, func.coalesce(waiting.c.n, 0), LedgerSetting.two_keyer, LedgerSetting.priority
            )
            .outerjoin(waiting, waiting.c.file_id == SourceFile.id)
            .outerjoin(LedgerSetting, LedgerSetting.file_id == SourceFile.id)
            .order_by(SourceFile.rel_path)
        ).all()
        absent: dict[int, list[str]] = {}
        for fid, f in s.execute(select(LedgerAbsentField.file_id, LedgerAbsentField.field).order_by(LedgerAbsentField.field)):
            absent.setdefault(fid, []).append(f)
    return [
        LedgerInfo(fid, rel, int(n), bool(two), int(prio or 0), tuple(absent.get(fid, ()))) for fid, rel, n, two, prio in rows
    ]


# ---------------------------------------------------------------------------------------------
def reveal(store: Store, record_id: int, field_name: str, *, user: str, reason: str, require_claim: bool = True) -> str:
    """Show a full ID or phone number: logged (who, when, why, record, field) in `reveals` and the log
    (the reason kept in the store only: it may quote personal data), then returned. Nothing is shown
    without a reason (as a cross-registry check's reveal, pipeline.crosscheck.check.reveal). A reviewer
    reveals only on the record they hold (`require_claim`)."""
    if field_name not in MASKED_FIELDS:
        raise CorrectionError(f"{field_name} is not a masked field")
    if not reason.strip():
        raise CorrectionError("showing a full number needs a reason")
    with store.session() as s, s.begin():
        rec = s.get(Record, record_id)
        if rec is None or field_name not in rec.fields:
            raise CorrectionError(f"record {record_id} has no field {field_name}")
        if require_claim:
            check_claim(s, record_id, user, required=True)
        s.add(Reveal(record_id=record_id, field=field_name, user=user, reason=reason.strip()))
        value = rec.fields[field_name].get("value")
    log.info("record %s: %s revealed by %s", record_id, field_name, user)
    return "" if value is None else str(value)


def reveals(store: Store, record_id: int | None = None, *, limit: int = 500) -> list[Reveal]:
    """Reveals (of one record, or of all): the newest `limit`, oldest first as a record's history reads
    (`corrections.history`), so the two lists on the history page read in one order."""
    with store.session() as s:
        q = select(Reveal).order_by(Reveal.id.desc()).limit(limit)
        if record_id is not None:
            q = q.where(Reveal.record_id == record_id)
        return list(s.scalars(q))[::-1]


def blind_fields(view: RecordView) -> list[str]:
    """The fields a blind keyer types: those highlighted for a look (never the context ones)."""
    return [f.name for f in view.fields if f.needs_look and (f.raw or f.box) and not f.name.endswith("_raw")]


@dataclass(frozen=True)
class BlindOutcome:
    agreed: list[str]
    disputed: list[str]
    approved: bool = False
    gaps: tuple[str, ...] = ()  # fields still keeping the record from approval (it stays in the queue)


def submit_blind(store: Store, record_id: int, typed: Mapping[str, str], *, user: str, settings: Settings) -> BlindOutcome:
    """Two-keyer mode: compare what a reviewer keyed blind with the OCR value, field by field (both
    normalized by the same mapping). All agree: those fields count as confirmed, and the record is
    approved if nothing else keeps it from approval (else it stays in the queue, its keying done). Any
    disagree: it goes to the arbitration queue (and leaves this reviewer)."""
    with store.session() as s, s.begin():
        check_claim(s, record_id, user, required=True)
        rec = s.get(Record, record_id)
        if rec is None:
            raise CorrectionError(f"record {record_id} does not exist")
        unknown = [f for f in typed if f not in rec.fields]
        if unknown:
            raise CorrectionError(f"record {record_id} has no field(s) {', '.join(sorted(unknown))}")
        values = mapped_with(rec, {**(rec.overrides or {}), **typed}, settings)["fields"]
        agreed: list[str] = []
        disputed: list[str] = []
        for name, text in typed.items():
            ocr, mine = rec.fields[name].get("value"), values[name].get("value")
            status = "agreed" if ocr == mine else "disputed"
            (agreed if status == "agreed" else disputed).append(name)
            s.execute(delete(BlindKey).where(BlindKey.record_id == record_id, BlindKey.field == name))
            s.add(
                BlindKey(
                    record_id=record_id,
                    field=name,
                    user=user,
                    typed=str(text),
                    typed_value=json.dumps(mine, ensure_ascii=False),
                    ocr_value=json.dumps(ocr, ensure_ascii=False),
                    status=status,
                )
            )
    approved = False
    gaps: tuple[str, ...] = ()
    if not disputed:
        from pipeline.review.corrections import confirm

        out = confirm(
            store,
            record_id,
            [n for n in agreed if rec.fields[n].get("value") not in (None, "")],
            user=user,
            settings=settings,
            approve=True,
            require_claim=True,
            reason="two-keyer: keyed blind, agrees with OCR on " + (", ".join(agreed) or "no flagged field"),
        )
        approved, gaps = out.approved, tuple(g.field for g in out.gaps)
    release(store, record_id, user)
    return BlindOutcome(agreed, disputed, approved, gaps)


def arbitration_queue(store: Store, *, exclude_keyer: str | None = None) -> list[tuple[int, list[str]]]:
    """(record id, disputed fields) waiting for an arbitrator; a keyer does not arbitrate their own keying."""
    with store.session() as s:
        rows = s.execute(
            select(BlindKey.record_id, BlindKey.field, BlindKey.user)
            .where(BlindKey.status == "disputed")
            .order_by(BlindKey.record_id, BlindKey.id)
        ).all()
    out: dict[int, list[str]] = {}
    keyers: dict[int, set[str]] = {}
    for rid, f, u in rows:
        out.setdefault(rid, []).append(f)
        keyers.setdefault(rid, set()).add(u)
    return [(rid, fs) for rid, fs in out.items() if exclude_keyer is None or exclude_keyer not in keyers[rid]]


def arbitrate(
    store: Store,
    record_id: int,
    chosen: Mapping[str, str | None],
    *,
    user: str,
    settings: Settings,
    decision: str = APPROVED,
    reason: str = "",
) -> None:
    """An arbitrator's word on a disputed record: per field the text to keep (None, or a disputed field
    not named: keep OCR's value, which counts as confirmed), saved through the review form (validated, audited), then the record
    decided (approved by default). The disagreement is resolved either way; when approval is refused
    (ApprovalRefused: another field still needs a look) the record goes back to the review queue."""
    with store.session() as s:
        keyers = set(s.scalars(select(BlindKey.user).where(BlindKey.record_id == record_id, BlindKey.status == "disputed")))
        disputed = list(s.scalars(select(BlindKey.field).where(BlindKey.record_id == record_id, BlindKey.status == "disputed")))
        rec = s.get(Record, record_id)
    chosen = {**{f: None for f in disputed}, **chosen}  # a disputed field not named keeps OCR's value
    if not keyers:
        raise CorrectionError(f"record {record_id} has no disputed blind keying")
    if user in keyers:
        raise ClaimError(f"{user} keyed record {record_id} blind and cannot arbitrate it")
    if rec is None:
        raise CorrectionError(f"record {record_id} does not exist")
    spec = load_spec(settings.spec_version)
    kind = spec.kinds.get(rec.ledger_kind)
    entries = {
        f: FieldEntry(t if t is not None else form_text(rec.fields[f], kind.field(f) if kind else None, spec))
        for f, t in chosen.items()
    }
    why = reason or "arbitration of a two-keyer disagreement"
    out = review_form(
        store, record_id, entries, user=user, settings=settings, reason=why, require_claim=True, approve=decision == APPROVED
    )
    if out.refused:
        raise ApprovalRefused(record_id, out.gaps, out.refused)
    with store.session() as s, s.begin():
        s.execute(
            update(BlindKey)
            .where(BlindKey.record_id == record_id, BlindKey.status == "disputed")
            .values(status="resolved", resolved_by=user)
        )
    if decision == REJECTED:
        decide(store, record_id, REJECTED, user=user, reason=why, require_claim=True)
    release(store, record_id, user)
    if decision == APPROVED and not out.approved:
        raise ApprovalRefused(record_id, out.gaps)


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkItem:
    link_id: int
    a_id: int
    b_id: int
    score: float
    evidence: dict[str, Any]


def uncertain_links(store: Store, *, limit: int = 50) -> list[LinkItem]:
    with store.session() as s:
        rows = s.scalars(
            select(RecordLink)
            .where(RecordLink.status == "uncertain")
            .order_by(RecordLink.score.desc(), RecordLink.id)
            .limit(limit)
        ).all()
    return [LinkItem(lk.id, lk.a_id, lk.b_id, float(lk.score), dict(lk.evidence or {})) for lk in rows]


def claim_link(store: Store, link: LinkItem, user: str) -> None:
    """Claim both records of a pair (all or nothing)."""
    claim(store, link.a_id, user)
    try:
        claim(store, link.b_id, user)
    except ClaimError:
        release(store, link.a_id, user)
        raise
