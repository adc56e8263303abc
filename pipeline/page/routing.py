"""Routing: auto-accept a record only when every field passed validation with enough confidence."""

from __future__ import annotations

from pipeline.kernel.config import Settings
from pipeline.kernel.models import MappedRecord

AUTO_ACCEPTED = "auto_accepted"
NEEDS_REVIEW = "needs_review"
APPROVED = "approved"
REJECTED = "rejected"
LOADABLE = (AUTO_ACCEPTED, APPROVED)


def route(record: MappedRecord, settings: Settings) -> tuple[str, list[str]]:
    """(status, reasons). Thresholds come from settings (per field, else the default)."""
    reasons = list(record.problems)
    for name, fv in record.fields.items():
        threshold = settings.threshold_for(name)
        if fv.confidence < threshold:
            reasons.append(f"{name}: confidence {fv.confidence:.2f} below {threshold:.2f}")
    return (NEEDS_REVIEW if reasons else AUTO_ACCEPTED), reasons
