"""Review holds: records the blind audit (pipeline.quality.audit) or a volume's send-back keeps in review.

A re-map of a page (pipeline.page.extract.save_records) keeps a held record in review and forgets
the holds of a record no longer read; the audit draws, sends back and releases them.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from sqlalchemy import delete, select

from mapping.spec import CERTAIN_TYPES, field_types
from pipeline.kernel.store import AuditSample, ReviewHold
from pipeline.page.routing import NEEDS_REVIEW

NOT_SCORED = frozenset({"id_number_raw"})  # provenance, not a platform value (as in pipeline.quality.evaluate)
BLIND_MORE_BELOW = 0.95


def blind_reasons(fields: Mapping[str, Any]) -> list[str]:
    """An audit record's reasons in review: its least sure field read from the page, and up to two
    more read below BLIND_MORE_BELOW, worded as a confidence reason is shown to reviewers."""
    types = field_types()
    read = sorted(
        (float((fv or {}).get("confidence") or 0.0), name)
        for name, fv in fields.items()
        if types.get(name, "text") not in CERTAIN_TYPES and name not in NOT_SCORED and (fv or {}).get("value") not in (None, "")
    )
    pick = read[:1] + [x for x in read[1:3] if x[0] < BLIND_MORE_BELOW]
    return [f"{name}: confidence {c:.2f}" for c, name in pick]


# --- holds: what a re-map must keep in review --------------------------------------------------------------
def holds_of(session, record_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Record id -> (kind, reason) of the records among `record_ids` that are held in review."""
    ids = list(record_ids)
    if not ids:
        return {}
    return {
        rid: (kind, reason)
        for rid, kind, reason in session.execute(
            select(ReviewHold.record_id, ReviewHold.kind, ReviewHold.reason).where(ReviewHold.record_id.in_(ids))
        )
    }


def apply_hold(values: dict[str, Any], hold: tuple[str, str] | None) -> dict[str, Any]:
    """A record's routed values (pipeline.page.extract.record_values) kept in review by its hold."""
    if hold is None:
        return values
    kind, reason = hold
    out = dict(values)
    out["status"] = NEEDS_REVIEW
    if kind == "audit":
        out["route_reasons"] = blind_reasons(values["fields"])
    elif reason and reason not in (values.get("route_reasons") or []):
        out["route_reasons"] = list(values.get("route_reasons") or []) + [reason]
    return out


def forget(session, record_id: int) -> None:
    """A record that is no longer read as a record (pipeline.page.extract.save_records): its holds and
    pending sample go with it."""
    session.execute(delete(ReviewHold).where(ReviewHold.record_id == record_id))
    session.execute(delete(AuditSample).where(AuditSample.record_id == record_id))
