"""Routing: auto-accept a record only when every field passed validation with enough confidence."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from pipeline.kernel.config import Settings
from pipeline.kernel.models import MappedRecord
from pipeline.kernel.thresholds import PHOTOGRAPH, SCAN

AUTO_ACCEPTED = "auto_accepted"
NEEDS_REVIEW = "needs_review"
APPROVED = "approved"
REJECTED = "rejected"
LOADABLE = (AUTO_ACCEPTED, APPROVED)


UNFITTED_CAPTURE_MARK = "photographed page: the thresholds in use were not fitted on photographs"
UNFITTED_CAPTURE_REASON = f"拍照页面：当前阈值未在拍照页面上拟合，需人工核对 ({UNFITTED_CAPTURE_MARK})"
"""The reason a record of a photographed page waits in review while the thresholds in use were fitted
on scans only (Settings.fitted_on_capture): a calibration says something only about pages captured the
way its fitting pages were. The administrator's remedy (UNFITTED_CAPTURE_ADVICE): audit and calibrate
with photographed pages (`backfill calibrate`)."""
UNFITTED_CAPTURE_ADVICE = (
    "{n} 条记录因拍照页面待核对：当前阈值只在扫描页面上拟合。请审核这些记录，再用已审核的拍照页面重新校准"
    "（backfill calibrate）/ {n} records of photographed pages held in review: the thresholds in use were "
    "fitted on scans only; review them, then calibrate with the reviewed photographed pages (`backfill calibrate`)"
)
"""What the run summary and `backfill status` tell the administrator ({n}: how many records)."""


def capture_kind(steps: Sequence[Mapping[str, Any]]) -> str:
    """A page's capture kind from its stored steps (Page.steps; the "capture" step of
    pipeline.page.cleanup.correct_capture): PHOTOGRAPH where the page's outline was found on a desk and
    corrected (warped to a rectangle, or its light flattened), else SCAN (no outline found, or a page
    lying square on a scanner's lid at scan resolution, left as it came). A property of how the page
    was captured as the cleanup measured it, not of any page's content."""
    for st in steps or ():
        if st.get("name") != "capture":
            continue
        res = st.get("result") or {}
        if res.get("page_found") and (res.get("warped") or "kernel_px" in res):
            return PHOTOGRAPH
    return SCAN


def route(record: MappedRecord, settings: Settings, capture: str = SCAN) -> tuple[str, list[str]]:
    """(status, reasons). Thresholds come from settings (per field, else the default). A record of a
    page of a capture kind the thresholds were not fitted on (`capture`, capture_kind of its page) is
    never auto-accepted: it waits in review with UNFITTED_CAPTURE_REASON."""
    reasons = list(record.problems)
    if not settings.fitted_on_capture(capture):
        reasons.append(UNFITTED_CAPTURE_REASON)
    for name, fv in record.fields.items():
        threshold = settings.threshold_for(name)
        if fv.confidence < threshold:
            reasons.append(f"{name}: confidence {fv.confidence:.2f} below {threshold:.2f}")
    return (NEEDS_REVIEW if reasons else AUTO_ACCEPTED), reasons
