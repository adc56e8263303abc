"""Routing: auto-accept a record only when every field passed validation with enough confidence."""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping, Sequence

from mapping.spec import load_spec
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ConfigError
from pipeline.kernel.models import MappedRecord
from pipeline.kernel.thresholds import CAPTURE_LABELS, LOW_RESOLUTION, MIN_FITTED_PAGES, PHOTOGRAPH, SCAN
from pipeline.page.cleanup import RULINGS_CONVERGE_DEG

AUTO_ACCEPTED = "auto_accepted"
NEEDS_REVIEW = "needs_review"
APPROVED = "approved"
REJECTED = "rejected"
LOADABLE = (AUTO_ACCEPTED, APPROVED)


UNFITTED_CAPTURE_MARK = "the thresholds in use were not fitted on"


def unfitted_capture_reason(kind: str) -> str:
    """The reason a record of a page of capture `kind` waits in review while the thresholds in use
    were not fitted on that kind (Settings.fitted_on_capture), Chinese first, e.g. "拍照页面：当前阈值
    未在拍照页面上拟合，需人工核对 (photographed page: the thresholds in use were not fitted on
    photographed pages)". A calibration says something only about pages captured the way its fitting
    pages were. The administrator's remedy (UNFITTED_CAPTURE_ADVICE): review them and calibrate with
    such pages (`backfill calibrate`)."""
    zh, en = CAPTURE_LABELS.get(kind, (kind, kind))
    return f"{zh}：当前阈值未在{zh}上拟合，需人工核对 ({en}: {UNFITTED_CAPTURE_MARK} {en}s)"


UNFITTED_CAPTURE_ADVICE = (
    "{n} 条记录因拍照或低分辨率页面待核对：当前阈值未在这类页面上拟合。"
    f"请审核这些记录；这类页面已审核满 {MIN_FITTED_PAGES} 页后重新校准，只用这类页面拟合它们的阈值"
    "（backfill calibrate --from-reviews，再 backfill remap --thresholds）"
    " / {n} records of photographed or low-resolution pages held in review: the thresholds in use were not "
    f"fitted on such pages; review them, and once at least {MIN_FITTED_PAGES} such pages are reviewed, calibrate: "
    "their thresholds are fitted on those pages alone (`backfill calibrate --from-reviews`, then "
    "`backfill remap --thresholds vN`)"
)
"""What the run summary and `backfill status` tell the administrator ({n}: how many records)."""


def capture_kind(steps: Sequence[Mapping[str, Any]]) -> str:
    """A page's capture kind from its stored steps (Page.steps; the "capture" step of
    pipeline.page.cleanup.correct_capture): PHOTOGRAPH where the page's outline was found on a desk and
    corrected (warped to a rectangle, or its light flattened), unless it is a flatbed scan of a sheet lying
    askew (sheet_on_scanner_glass); LOW_RESOLUTION where no outline was
    found but the frame was enlarged to the working resolution (a 150 dpi capture: a photograph whose
    page runs out of the frame or lies on a desk as light as the paper, or a 150 dpi scan; its text
    reaches the recognizer enlarged, as on no page at scan resolution); else SCAN (no outline found at
    scan resolution, a page lying square on a scanner's lid, or a page processed before the capture
    step was recorded). A property of how the page was captured as the cleanup measured it, not of
    any page's content.

    A PDF page whose frame the renderer enlarged (its "render" step, pipeline.page.extract.render_step:
    the file holds it at fewer pixels per inch than `pdf_dpi`, by more than the cleanup's own bound)
    reaches the cleanup already enlarged: unless its outline was found and corrected (PHOTOGRAPH; no
    sheet at scan resolution on a scanner's glass then) it is LOW_RESOLUTION, as the same frame given
    as an image file is. Design camera_capture s4482: 6 PDF pages of 150-170 ppi photographs whose outline
    was not found were routed as scans and auto-accepted 24 records, 3 of their fields wrong.

    A page whose outline was not found, at scan resolution, whose rulings converge as a camera at a
    slant draws them (rulings_converge) is a PHOTOGRAPH: its records are routed by the photograph's
    thresholds and holds, though it was cut and read as it came (processed_as_photograph: False).

    A dithered 1-bit scan made grey again (descreened) is LOW_RESOLUTION."""
    rendered = _rendered_enlarged(steps)
    for res in _capture_results(steps):
        if _corrected(res) and (rendered or not sheet_on_scanner_glass(res)):
            return PHOTOGRAPH
        if _enlarged(res) or rendered:
            return LOW_RESOLUTION
        if rulings_converge(res):
            return PHOTOGRAPH
    if descreened(steps):
        return LOW_RESOLUTION
    return SCAN


def descreened(steps: Sequence[Mapping[str, Any]] | None) -> bool:
    """Whether the page was a dithered 1-bit scan made grey again (its "descreen" step,
    pipeline.page.cleanup.descreen). A halftone holds one grey level to a cell of dots (a Bayer matrix's
    period, error diffusion's dot spacing), not to a pixel: the strokes reach the recognizer averaged over
    that cell, as an enlarged low-resolution capture's do, so capture_kind tells it LOW_RESOLUTION and its
    records wait in review unless the thresholds were fitted on such pages. A property of how the page was
    captured (the cleanup's measure of its dots), not of its content."""
    return any(st.get("name") == "descreen" for st in steps or ())


def rulings_converge(result: Mapping[str, Any]) -> bool:
    """Whether a capture step's result (pipeline.page.cleanup.correct_capture) whose page outline was not
    found shows the page's rulings converging as a camera at a slant draws them: its
    `rulings_converge_deg` (cleanup.ruling_convergence_deg) at least cleanup.RULINGS_CONVERGE_DEG. A
    flatbed scanner's orthographic projection keeps a flat sheet's rulings parallel and square up to one
    rotation; a camera's central projection makes them converge unless the photograph is rectified (it
    is not here: no outline, no warp). A property of the capture (its projection), measured on the
    frame before any correction, not of any page's content. A result without the measure (a step
    recorded before it was, a page without a table) is no such photograph.

    Why: a photographed page whose outline is not found (the page running out of the frame, its edge
    lost against a desk as light as it) was routed as a scan, so that the photograph's thresholds and
    holds did not apply to it and its misreads could be auto-accepted. Design phone copies (ph3316,
    ph3380, ph3316/ph3321 with phone seed 3381): 6 of 90 pages so, converging 4.4-11.0 degrees; every
    page of the design scans d3316 and f3321 (64) 0.16-2.34 and stays a scan."""
    try:
        deg = float(result["rulings_converge_deg"])
    except (KeyError, TypeError, ValueError):
        return False
    return not result.get("page_found") and deg >= RULINGS_CONVERGE_DEG


def _rendered_enlarged(steps: Sequence[Mapping[str, Any]] | None) -> bool:
    """Whether a PDF page's "render" step enlarged its frame (extract.render_step's `enlarged`)."""
    return any(st.get("name") == "render" and bool((st.get("result") or {}).get("enlarged")) for st in steps or ())


def _capture_results(steps: Sequence[Mapping[str, Any]] | None) -> Iterator[Mapping[str, Any]]:
    """The result of each "capture" step among a page's stored steps (pipeline.page.cleanup.correct_capture)."""
    for st in steps or ():
        if st.get("name") == "capture":
            yield st.get("result") or {}


def _corrected(res: Mapping[str, Any]) -> bool:
    """The page's outline was found and the page corrected as a photograph's (warped, or its light flattened)."""
    return bool(res.get("page_found")) and bool(res.get("warped") or "kernel_px" in res)


def _enlarged(res: Mapping[str, Any]) -> bool:
    """No outline was found and the frame was enlarged to the working resolution (a low-resolution capture)."""
    return not res.get("page_found") and float(res.get("upsample") or 1.0) > 1.0


GLASS_FILL = 0.85
"""A page outline found in the frame covers at least this share of it on a flatbed scan: the
scanner's frame is its glass, cut to the sheet size it takes (A4 glass about 216 x 297 mm: an A4
sheet covers about 97 % of it, turned a few degrees or a few millimetres short about 85-95 %). A
photograph must show the desk around all four edges of the page for its outline to be found
(pipeline.page.cleanup.find_page_quad), and a phone's 4:3 frame holds an A4 page's 1.41:1 with room
to spare: design family camera_capture, 20 photographed pages, 0.53-0.75 of the frame; scans whose
paper edge shows on a grey lid (typed_sheets, county_editions, seeds 3313/3316) 0.90-0.92. A
property of how each capture is made."""
GLASS_EVEN_LIGHT = 0.75
"""...and its paper is evenly lit: the flattened background's 2nd percentile at least this share of
its 98th (pipeline.page.cleanup.flatten_light's background_low / background_high). A flatbed's lamp
travels with its sensor at a fixed distance under the glass; a room's light falls off across a page
on a desk, and a hand or a phone shades it. Design: camera_capture photographs 0.15-0.73, the
scans above 0.78-0.93."""


def sheet_on_scanner_glass(result: Mapping[str, Any]) -> bool:
    """Whether a capture step's result (pipeline.page.cleanup.correct_capture) whose page outline was
    found and corrected is in fact a flatbed scan of a sheet lying askew (its paper edge showing on a
    lid darker than the paper, the sheet turned or not quite flat): the page at scan resolution (not
    enlarged: upsample 1.0), covering the frame as a sheet covers the scanner's glass (GLASS_FILL), its
    paper evenly lit (GLASS_EVEN_LIGHT). All three are needed; a result that lacks any of them (a step
    recorded before they were) is no such scan. Properties of how the capture was made, measured by
    the cleanup, not of any page's content."""
    try:
        up = float(result["upsample"])
        fill = float(result["area_share"])
        low, high = float(result["background_low"]), float(result["background_high"])
    except (KeyError, TypeError, ValueError):
        return False
    return up <= 1.0 and fill >= GLASS_FILL and high > 0 and low >= GLASS_EVEN_LIGHT * high


def photograph_enlarged(steps: Sequence[Mapping[str, Any]]) -> float:
    """How much the cleanup enlarged a page it treated as a photograph (processed_as_photograph): its
    capture step's `upsample` (pipeline.page.cleanup.correct_capture, the frame brought to the working
    resolution by interpolation and sharpened); 1.0 for a page not so treated or not enlarged."""
    res = _photograph_capture(steps)
    if res is None:
        return 1.0
    try:
        return max(1.0, float(res.get("upsample") or 1.0))
    except (TypeError, ValueError):
        return 1.0


def processed_as_photograph(steps: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the cleanup treated the page as a photograph or an enlarged capture (its light flattened,
    or the frame enlarged): how its cells were cut and read (pipeline.page.extract), whatever
    capture_kind then routes it as."""
    return _photograph_capture(steps) is not None


def _photograph_capture(steps: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The capture step's result of a page the cleanup treated as a photograph or an enlarged capture
    (_corrected or _enlarged); None for any other page."""
    res = next(_capture_results(steps), None)
    return res if res is not None and (_corrected(res) or _enlarged(res)) else None


def field_threshold(record: MappedRecord, name: str, settings: Settings, capture: str = SCAN) -> float:
    """The auto-accept threshold of field `name` of `record` (threshold_of on its kind and values)."""
    return threshold_of(record.kind, name, {n: fv.value for n, fv in record.fields.items()}, settings, capture)


def threshold_of(kind: str, name: str, values: Mapping[str, Any], settings: Settings, capture: str = SCAN) -> float:
    """The auto-accept threshold of field `name` of a record of ledger kind `kind` whose field values
    are `values`: settings.threshold_for(name), except for a derived field (the spec's `derived_from`,
    e.g. id_number_raw, the ID number as read) that has no threshold of its own (neither in
    settings.field_thresholds nor in the thresholds file) and whose value is its source field's value:
    that field is then routed by its source's threshold. Routing and the review screens both ask
    here, so a field the router accepts is not highlighted as below its threshold in review.

    Why: such a field is the source's very reading (build_record gives it the source cell's
    confidence) and holds nothing the source does not; its source was validated by its normalizer
    (for the ID number: 18 characters whose check digit holds, GB 11643) and its threshold fitted on
    readings like it. A derived field is not scored (pipeline.quality.evaluate.NOT_SCORED), so no
    fit gives it a threshold: it fell to auto_accept_threshold (0.90), a cautious default nothing
    measured, and held records whose ID number the fit accepts (design set seed3301-p20: 4 records
    held by that default alone, every field right). Where the values differ (an ID corrected by a
    check digit, a 15-digit number converted, an unreadable one), the reading is not the value the
    source vouches for: the default stays.

    `capture`: the capture kind of the record's page (capture_kind): a thresholds file with a section
    fitted on pages of that kind gives that section's thresholds (pipeline.kernel.thresholds.load_thresholds)."""
    own = settings.own_threshold(name, capture)
    if own is not None:
        return own
    try:
        f = load_spec(settings.spec_version).kind(kind).field(name)
    except ConfigError:  # a kind the spec does not know: no field of it is derived
        f = None
    source = f.derived_from if f is not None and f.source == "derived" else None
    if source and values.get(source) is not None and values.get(source) == values.get(name):
        return settings.threshold_for(source, capture)
    return settings.auto_accept_threshold


LOW_CONFIDENCE = re.compile(r"^(\w+): confidence ([0-9.]+) below ([0-9.]+)$")
"""A route reason holding one field below its threshold (route writes it): the field, its confidence, the threshold."""


def route(record: MappedRecord, settings: Settings, capture: str = SCAN) -> tuple[str, list[str]]:
    """(status, reasons). Thresholds come from settings (per field, else the default; a derived field
    that is its source's reading: its source's, field_threshold). A record of a
    page of a capture kind the thresholds were not fitted on (`capture`, capture_kind of its page) is
    never auto-accepted: it waits in review with unfitted_capture_reason. Where the thresholds file
    holds a section fitted on that kind alone ("by_capture"), its thresholds route such a record."""
    reasons = list(record.problems)
    if not settings.fitted_on_capture(capture):
        reasons.append(unfitted_capture_reason(capture))
    for name, fv in record.fields.items():
        threshold = field_threshold(record, name, settings, capture)
        if fv.confidence < threshold:
            reasons.append(f"{name}: confidence {fv.confidence:.2f} below {threshold:.2f}")
    return (NEEDS_REVIEW if reasons else AUTO_ACCEPTED), reasons
