"""The thresholds file routing reads: per-field auto-accept thresholds and the page limit.

None names the packaged file (mapping/data/thresholds.json, written by bench/bench_calibration.py),
"" none, else a path. Fitting the file is pipeline.quality.calibration's; this module only reads it,
so that the settings (kernel) can resolve a field's threshold without the fitting code.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pipeline.kernel.errors import ConfigError

PACKAGED = "data/thresholds.json"


@lru_cache(maxsize=8)
def _read(path: str | None) -> dict[str, float]:
    return _read_doc(path)[0]


def load_page_limit(path: str | None = None, kind: str | None = None) -> float | None:
    """The calibrated page limit ("page_unsure_max") of a thresholds file for a ledger kind; None if
    it has none. The file holds one number for every kind, or one per kind ({"cremation": 0.3, ...})."""
    return limit_for_kind(_read_doc(path)[1], kind)


def limit_for_kind(limit: float | dict[str, float] | None, kind: str | None) -> float | None:
    """A page limit (one number for every kind, or one per kind) for one ledger kind; None: no limit."""
    if isinstance(limit, dict):
        return limit.get(kind) if kind is not None else None
    return limit


@lru_cache(maxsize=8)
def _read_doc(path: str | None) -> tuple[dict[str, float], float | dict[str, float] | None]:
    if path == "":
        return {}, None
    if path is None:
        res = resources.files("mapping").joinpath(PACKAGED)
        if not res.is_file():
            return {}, None
        text = res.read_text(encoding="utf-8")
        where = f"mapping/{PACKAGED}"
    else:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(
                f"thresholds file not found: {p}",
                hint='找不到阈值文件：请检查路径，或设 thresholds_file = "" / '
                'run bench/bench_calibration.py or set thresholds_file = ""',
            )
        text, where = p.read_text(encoding="utf-8"), str(p)
    try:
        doc = json.loads(text)
        out = {str(k): float(v) for k, v in doc["thresholds"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConfigError(f"thresholds file {where} is not valid: {e}") from e
    bad = [k for k, v in out.items() if not 0.0 <= v <= 1.01]
    if bad:
        raise ConfigError(f"thresholds file {where}: thresholds out of 0..1.01 for {', '.join(bad)}")
    limit = doc.get("page_unsure_max")
    try:
        if isinstance(limit, dict):
            return out, {str(k): float(v) for k, v in limit.items() if v is not None}
        return out, (None if limit is None else float(limit))
    except (ValueError, TypeError) as e:
        raise ConfigError(f"thresholds file {where}: page_unsure_max is not a number or a mapping of numbers: {e}") from e


def load_thresholds(path: str | None = None, capture: str | None = None) -> dict[str, float]:
    """Field name -> auto-accept threshold. None: the packaged file; "": none; else a JSON file
    {"thresholds": {field: threshold}, ...}. A threshold above 1 means: never auto-accept.

    `capture` (a capture kind, pipeline.page.routing.capture_kind of the record's page): where the file
    holds a section fitted on pages of that kind alone ("by_capture": {kind: {"thresholds": ...,
    "pages": n}}, see by_capture_pages) with at least MIN_FITTED_PAGES pages, that section's thresholds;
    a field the file names but the section does not (a type no fitted page of that kind held) gets
    NEVER (not fitted on that capture: never auto-accepted there). Else the file's own thresholds."""
    top = _read(path)
    section = _read_sections(path).get(capture or "") if capture else None
    if section is None or section[1] < MIN_FITTED_PAGES:
        return dict(top)
    return {**{k: NEVER for k in top}, **section[0]}


def check_thresholds(path: str | None) -> None:
    """Read every part routing uses of the thresholds file `path` (None: the packaged file, "": none):
    ConfigError naming the file and the key where one is not valid. A run calls it before it reads a
    page, so that a file written wrongly stops it at once, not at the first record it maps."""
    _read_doc(path)
    _read_sections(path)


# --- the captures a thresholds file was fitted on --------------------------------------------------
SCAN = "scan"
PHOTOGRAPH = "photograph"
LOW_RESOLUTION = "low_resolution"
CAPTURE_KINDS = (SCAN, PHOTOGRAPH, LOW_RESOLUTION)
CAPTURE_LABELS = {
    SCAN: ("扫描页面", "scanned page"),
    PHOTOGRAPH: ("拍照页面", "photographed page"),
    LOW_RESOLUTION: ("低分辨率页面", "low-resolution page"),
}
"""How each capture kind (pipeline.page.routing.capture_kind) is named to reviewers and administrators."""

NEVER = 1.01
"""A threshold no confidence reaches: the field is never auto-accepted."""

MIN_FITTED_PAGES = 20
"""The fewest pages of a capture kind a fit must have seen for its thresholds to hold on that kind.
A capture's failures (blur, a shadow, a slant the correction misses) strike whole pages, so the pages,
not the fields, are the draws: a failure that shows on none of n fitted pages may still strike up to
3/n of such pages (the rule of three, 95 %), 15 % at 20 pages; with fewer, a fit may have missed a
failure that strikes one page in four. A statistical property of the sample, not of any page."""


def capture_pages(path: str | None = None) -> dict[str, int] | None:
    """Capture kind -> pages of that kind the fit saw ("fitted_on": {"capture_pages": {...}}), as
    pipeline.quality.calibration.write_thresholds records it. A file without that record (the packaged
    file before it was written, older versions in a store) counts as fitted on scans only:
    {"scan": MIN_FITTED_PAGES}. None where no thresholds file is in use ("": the fixed
    auto_accept_threshold an administrator chose, fitted on no capture at all, so nothing to
    extrapolate)."""
    return _read_captures(path)


@lru_cache(maxsize=8)
def _read_captures(path: str | None) -> dict[str, int] | None:
    if path == "":
        return None
    legacy = {SCAN: MIN_FITTED_PAGES}
    text = _text(path)
    if text is None:  # no packaged file: none in use; a missing file of the settings: load_thresholds names it
        return None if path is None else legacy
    try:
        pages = (json.loads(text).get("fitted_on") or {}).get("capture_pages")
        if not isinstance(pages, dict):
            return legacy
        return {str(k): int(v) for k, v in pages.items()}
    except (ValueError, TypeError, AttributeError):
        return legacy


def fitted_on_capture(path: str | None, kind: str) -> bool:
    """Whether the thresholds file `path` was fitted on at least MIN_FITTED_PAGES pages of capture
    `kind` (always where no thresholds file is in use): its joint fit (capture_pages), or a section
    fitted on that kind alone (by_capture_pages), whose thresholds routing then uses for such pages
    (load_thresholds with `capture`)."""
    pages = capture_pages(path)
    if pages is None or pages.get(kind, 0) >= MIN_FITTED_PAGES:
        return True
    return by_capture_pages(path).get(kind, 0) >= MIN_FITTED_PAGES


def by_capture_pages(path: str | None = None) -> dict[str, int]:
    """Capture kind -> pages of that kind its own section of the file was fitted on ("by_capture":
    {kind: {"thresholds": {field: threshold}, "pages": n, ...}}, written by
    pipeline.quality.calibration.thresholds_doc with `by_capture`, fitted by bench/fit_capture.py on
    a design store's pages of that kind only). A capture's failures (blur, shadow, a slant the
    correction misses) are not a scan's: a fit on scans says nothing of them, and a joint fit over
    scans and photographs lets the many scanned fields hide the photographs' wrong ones under one
    target; a section fitted on that kind's fields alone holds the target on them. {} where none."""
    return {k: v[1] for k, v in _read_sections(path).items()}


def by_capture_doc(path: str | None = None) -> dict[str, dict]:
    """The file's "by_capture" sections as written ({} where none): what a refit carries forward."""
    text = _text(path)
    if text is None:
        return {}
    try:
        doc = json.loads(text)
    except ValueError:  # load_thresholds names the file as not valid
        return {}
    sec = doc.get("by_capture") if isinstance(doc, dict) else None
    if sec is None:
        return {}
    if not isinstance(sec, dict):  # a list, a string, a number: refused like an invalid section, never ignored
        raise ConfigError(
            f"thresholds file {_where(path)}: by_capture is not valid: a mapping of capture kind to its section "
            f"is expected, not {type(sec).__name__}"
        )
    return dict(sec)


def _where(path: str | None) -> str:
    """The thresholds file as messages name it."""
    return path or "mapping/" + PACKAGED


def _text(path: str | None) -> str | None:
    """The thresholds file's text (None: the packaged file, "": none); None where there is none."""
    if path == "":
        return None
    if path is None:
        res = resources.files("mapping").joinpath(PACKAGED)
        return res.read_text(encoding="utf-8") if res.is_file() else None
    p = Path(path)
    return p.read_text(encoding="utf-8") if p.is_file() else None


@lru_cache(maxsize=8)
def _read_sections(path: str | None) -> dict[str, tuple[dict[str, float], int]]:
    out: dict[str, tuple[dict[str, float], int]] = {}
    for kind, sec in by_capture_doc(path).items():
        try:
            th = {str(k): float(v) for k, v in sec["thresholds"].items()}
            pages = int(sec.get("pages", 0))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise ConfigError(f"thresholds file {_where(path)}: by_capture.{kind} is not valid: {e}") from e
        bad = [k for k, v in th.items() if not 0.0 <= v <= NEVER]
        if bad:
            raise ConfigError(f"thresholds file {_where(path)}: by_capture.{kind} thresholds out of 0..1.01 for {', '.join(bad)}")
        out[str(kind)] = (th, pages)
    return out
