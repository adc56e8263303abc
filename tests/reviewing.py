"""A reviewer's work in tests: look at every field the review contract asks about, then approve."""

from __future__ import annotations

from mapping.spec import load_spec
from pipeline.kernel.config import Settings
from pipeline.kernel.store import FieldReview, Record, Store
from pipeline.review.corrections import FieldEntry, approval_gaps, form_text, review_form


def approve_as_reviewer(store: Store, rid: int, user: str, settings: Settings, *, require_claim: bool = False) -> None:
    """Confirm every flagged value as read and mark every empty one "not on the scan", then approve:
    what a reviewer does who finds the scan agrees with what was read."""
    spec = load_spec(settings.spec_version)
    with store.session() as s:
        rec = s.get(Record, rid)
        reviews = {r.field: r for r in s.query(FieldReview).filter(FieldReview.record_id == rid)}
        kind = spec.kinds.get(rec.ledger_kind)
        gaps = approval_gaps(rec, reviews, settings)
        entries = {
            g.field: FieldEntry(
                form_text(rec.fields[g.field], kind.field(g.field) if kind else None, spec),
                not_on_scan=g.code in ("mandatory_empty", "empty_flagged"),
            )
            for g in gaps
        }
    out = review_form(
        store,
        rid,
        entries,
        user=user,
        settings=settings,
        reason="checked against the scan",
        approve=True,
        require_claim=require_claim,
    )
    assert out.approved, (out.gaps, out.refused)
