"""Thresholds fitted on one kind of capture are not applied to another (issue 21): a record of a
photographed page is held in review while the thresholds in use were fitted on scans only, and routed
as before once they were fitted on enough photographed pages. No OCR: the page's cells are a
generated register's text, its capture step what pipeline.page.cleanup.correct_capture records."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.kernel.config import Settings
from pipeline.kernel.models import RawCell
from pipeline.kernel.store import Page, Record, SourceFile, Store
from pipeline.kernel.thresholds import LOW_RESOLUTION, MIN_FITTED_PAGES, PHOTOGRAPH, SCAN, capture_pages
from pipeline.page.extract import map_rows, save_records
from pipeline.page.routing import AUTO_ACCEPTED, NEEDS_REVIEW, capture_kind, unfitted_capture_reason
from pipeline.quality.calibration import field_types, thresholds_doc, write_thresholds
from pipeline.runs.completion import held_for_capture
from samples import generator as g

PHOTO_STEP = {
    "name": "capture",
    "settings": {},
    "result": {"page_found": True, "warped": True, "upsample": 1.0, "kernel_px": 120},
}
SCAN_STEP = {"name": "capture", "settings": {}, "result": {"page_found": False}}
PHOTO_REASON = "拍照页面：当前阈值未在拍照页面上拟合，需人工核对 (photographed page: the thresholds in use were not fitted on photographed pages)"


def _thresholds(path, capture: dict[str, int] | None) -> str:
    """Every field type at 0.5: a record read at confidence 1.0 passes every threshold."""
    per_type = {t: {"threshold": 0.5, "n": 1, "accepted": 1, "wrong_accepted": 0} for t in set(field_types().values())}
    write_thresholds(path, per_type, 0.0015, {"source": "test"}, None, capture)
    return str(path)


def _routed(tmp_path, steps: list[dict], thresholds_file: str) -> tuple[Store, list[tuple[str, list[str]]]]:
    """A page with these capture steps, its records saved; (store, [(status, reasons)] by row)."""
    reg = g.get_register(1, "haiyang", 2013, "cremation")
    rows = reg.page_rows(1)
    cells = [(i, [RawCell(text, 1.0, None) for text in r.cells]) for i, r in enumerate(rows, start=1)]
    settings = Settings(data_dir=str(tmp_path / "data"), thresholds_file=thresholds_file)
    store = Store.open(settings)
    with store.session() as s, s.begin():
        sf = SourceFile(
            sha256="0" * 64, rel_path="book.pdf", abs_path="/nowhere/book.pdf", size_bytes=9, media_type="pdf", page_count=1
        )
        s.add(sf)
        s.flush()
        page = Page(file_id=sf.id, page_no=1, status="done", ledger_kind="cremation", title=reg.title, steps=steps)
        s.add(page)
        s.flush()
        page_id = page.id
    columns = list(reg.columns)
    save_records(store, page_id, "cremation", map_rows("cremation", reg.title, columns, cells, settings), settings)
    with store.session() as s:
        out = [(r.status, list(r.route_reasons)) for r in s.query(Record).order_by(Record.row_no)]
    return store, out


def test_capture_kind_from_the_stored_steps():
    assert capture_kind([PHOTO_STEP, {"name": "deskew", "result": {}}]) == PHOTOGRAPH
    # a page found square on a scanner's lid at scan resolution is returned as it came: a scan
    assert capture_kind([{"name": "capture", "result": {"page_found": True, "warped": False, "upsample": 1.0}}]) == SCAN
    # found, not warped but enlarged and its light flattened: a photograph
    flattened = {"page_found": True, "warped": False, "upsample": 1.3, "kernel_px": 96}
    assert capture_kind([{"name": "capture", "result": flattened}]) == PHOTOGRAPH
    assert capture_kind([SCAN_STEP]) == SCAN
    # no outline found, the frame enlarged to the working resolution: a 150 dpi capture
    assert capture_kind([{"name": "capture", "result": {"page_found": False, "upsample": 1.33}}]) == LOW_RESOLUTION
    assert capture_kind([]) == SCAN  # pages processed before the capture step was recorded
    # no outline found at scan resolution, the rulings converging as a camera at a slant draws them
    # (cleanup.ruling_convergence_deg): a photograph; parallel up to a degree or two: a scan
    assert capture_kind([{"name": "capture", "result": {"page_found": False, "rulings_converge_deg": 6.4}}]) == PHOTOGRAPH
    assert capture_kind([{"name": "capture", "result": {"page_found": False, "rulings_converge_deg": 2.3}}]) == SCAN
    enlarged = {"page_found": False, "upsample": 1.33, "rulings_converge_deg": 9.0}
    assert capture_kind([{"name": "capture", "result": enlarged}]) == LOW_RESOLUTION  # its own kind stays
    # a dithered 1-bit scan made grey again (cleanup.descreen): its tones one to a halftone cell
    descreened = {"name": "descreen", "settings": {"method": "box", "period_px": 8}, "result": {"dither": "ordered"}}
    assert capture_kind([descreened, {"name": "capture", "result": {"page_found": False, "upsample": 1.0}}]) == LOW_RESOLUTION


def _pdf(path: Path, ppi: int) -> Path:
    """A one-page PDF holding a 600 x 400 px frame with a line of ink, drawn at `ppi` pixels per inch."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 400), "white")
    ImageDraw.Draw(img).line([(50, 200), (550, 200)], fill="black", width=3)
    img.save(path, "PDF", resolution=float(ppi))
    return path


def test_a_pdf_page_the_renderer_enlarged_is_a_low_resolution_capture(tmp_path):
    """A 150 ppi photograph put into a PDF reaches the cleanup as large as a 200 dpi scan (rendered at
    pdf_dpi): where its outline is not found it is held as the 150 dpi image file is, not auto-accepted
    as a scan (design camera_capture s4482: 24 records auto-accepted so, 3 fields wrong)."""
    from pipeline.page.extract import render_step
    from pipeline.page.intake import pdf_render_plan

    settings = Settings(data_dir=str(tmp_path / "data"))
    low, full = _pdf(tmp_path / "photo.pdf", 150), _pdf(tmp_path / "scan.pdf", 200)
    low_plan, full_plan = pdf_render_plan(low, 1, settings), pdf_render_plan(full, 1, settings)
    assert low_plan.image_ppi == 150 and full_plan.image_ppi == 200
    enlarged, as_is = render_step(low_plan, settings), render_step(full_plan, settings)
    assert enlarged is not None and enlarged["result"]["enlarged"] and enlarged["result"]["upsample"] == 1.333
    assert as_is is not None and not as_is["result"]["enlarged"]
    assert render_step(None, settings) is None  # an image file comes as captured
    assert capture_kind([enlarged, SCAN_STEP]) == LOW_RESOLUTION
    assert capture_kind([as_is, SCAN_STEP]) == SCAN  # a 200 dpi scan in a PDF stays a scan
    # an outline found over the frame's glass-like share, evenly lit: a scan at 200 dpi, not at 150
    glass = {"page_found": True, "warped": True, "upsample": 1.0, "kernel_px": 60, "area_share": 0.92}
    glass |= {"background_low": 220.0, "background_high": 245.0}
    assert capture_kind([as_is, {"name": "capture", "result": glass}]) == SCAN
    assert capture_kind([enlarged, {"name": "capture", "result": glass}]) == PHOTOGRAPH
    scans_only = _thresholds(tmp_path / "scans.json", {"scan": 32})
    store, routed = _routed(tmp_path / "a", [enlarged, SCAN_STEP], scans_only)
    assert routed and all(st == NEEDS_REVIEW and any(w.startswith("低分辨率页面") for w in why) for st, why in routed)
    store.dispose()


def test_thresholds_record_the_captures_they_were_fitted_on(tmp_path):
    path = _thresholds(tmp_path / "th.json", {"scan": 32})
    assert json.loads(Path(path).read_text(encoding="utf-8"))["fitted_on"]["capture_pages"] == {
        "low_resolution": 0,
        "photograph": 0,
        "scan": 32,
    }
    assert capture_pages(path) == {"low_resolution": 0, "photograph": 0, "scan": 32}
    # a file without the record (the packaged one, older versions) counts as fitted on scans only
    old = tmp_path / "old.json"
    old.write_text(json.dumps(thresholds_doc({}, 0.0015, {"source": "old"})), encoding="utf-8")
    assert capture_pages(str(old)) == {"scan": MIN_FITTED_PAGES}
    assert not Settings(thresholds_file=str(old)).fitted_on_capture(PHOTOGRAPH)
    assert Settings(thresholds_file=str(old)).fitted_on_capture(SCAN)
    assert not Settings(thresholds_file=None).fitted_on_capture(PHOTOGRAPH)  # the packaged file as shipped
    assert capture_pages("") is None and Settings(thresholds_file="").fitted_on_capture(PHOTOGRAPH)  # no calibration in use


def test_the_reason_names_the_capture_kind():
    assert unfitted_capture_reason(PHOTOGRAPH) == PHOTO_REASON
    assert unfitted_capture_reason(LOW_RESOLUTION).startswith("低分辨率页面：当前阈值未在低分辨率页面上拟合")


def test_a_photographed_page_is_held_when_the_thresholds_were_fitted_on_scans_only(tmp_path):
    scans_only = _thresholds(tmp_path / "scans.json", {"scan": 32, "photograph": 0})
    store, photo = _routed(tmp_path / "a", [PHOTO_STEP], scans_only)
    assert photo and all(st == NEEDS_REVIEW and PHOTO_REASON in why for st, why in photo)
    assert held_for_capture(store) == len(photo)  # what the run summary and `backfill status` count
    store.dispose()
    # the same page scanned: routed by its fields alone, most of it auto-accepted, no capture reason
    store, scanned = _routed(tmp_path / "b", [SCAN_STEP], scans_only)
    assert sum(st == AUTO_ACCEPTED for st, _ in scanned) > len(scanned) // 2
    assert not any(PHOTO_REASON in why for _st, why in scanned)
    assert held_for_capture(store) == 0
    store.dispose()
    # fitted on too few photographed pages: still held
    few = _thresholds(tmp_path / "few.json", {"scan": 32, "photograph": MIN_FITTED_PAGES - 1})
    store, photo = _routed(tmp_path / "c", [PHOTO_STEP], few)
    assert all(st == NEEDS_REVIEW for st, _ in photo)
    store.dispose()
    # fitted on enough photographed pages: the photographed page is routed as the scanned one
    both = _thresholds(tmp_path / "both.json", {"scan": 32, "photograph": MIN_FITTED_PAGES})
    store, photo = _routed(tmp_path / "d", [PHOTO_STEP], both)
    assert photo == scanned
    store.dispose()


def test_the_run_summary_tells_the_administrator_what_to_do(tmp_path):
    from pipeline.cli.main import format_summary
    from pipeline.runs.stages import RunSummary

    settings = Settings(data_dir=str(tmp_path))
    sm = RunSummary(run_id=1, scans_dir="scans", records=5, needs_review=5, held_unfitted_capture=3).to_dict()
    text = format_summary(sm, settings)
    line = next(x for x in text.splitlines() if x.strip().startswith("拍照页记录"))
    assert "3 条记录因拍照或低分辨率页面待核对" in line and "backfill calibrate --from-reviews" in line
    sm["held_unfitted_capture"] = 0
    assert "photographed" not in format_summary(sm, settings)


def test_a_refit_from_reviews_counts_the_reviewed_pages_on_top_of_the_thresholds_in_use(tmp_path):
    from types import SimpleNamespace

    from pipeline.quality.refit import fitted_captures

    old = tmp_path / "old.json"  # thresholds in use without the record: fitted on scans only
    old.write_text(json.dumps(thresholds_doc({}, 0.0015, {"source": "old"})), encoding="utf-8")
    reviewed = SimpleNamespace(current_file=str(old), evidence={"capture_pages": {"scan": 3, "photograph": 25}})
    got = fitted_captures(reviewed)  # type: ignore[arg-type]
    assert got == {"scan": MIN_FITTED_PAGES + 3, "photograph": 25}
    few = SimpleNamespace(current_file=str(old), evidence={"capture_pages": {"photograph": 4}})
    assert fitted_captures(few)["photograph"] == 4  # type: ignore[arg-type]  # still below the minimum


def _sectioned(path, pages: int, kind: str = PHOTOGRAPH, raised: str | None = None, drop: str | None = None) -> str:
    """A file fitted on scans only (every type at 0.5) with a section fitted on `pages` pages of capture
    `kind` alone: every type at 0.5 there too, except the type of field `raised` at 1.01 (never) and the
    type of field `drop`, which the section lacks (no fitted page of that kind held it)."""
    from pipeline.quality.calibration import capture_section

    types = field_types()
    per_type = {t: {"threshold": 0.5, "n": 1, "accepted": 1, "wrong_accepted": 0} for t in set(types.values())}
    own = {t: {**v, "threshold": 1.01 if raised and t == types[raised] else 0.5} for t, v in per_type.items()}
    if drop:
        own.pop(types[drop])
    doc = thresholds_doc(per_type, 0.0015, {"source": "test"}, None, {"scan": 32}, {kind: capture_section(own, pages, {})})
    Path(path).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_a_photographed_page_is_routed_by_the_thresholds_fitted_on_photographs(tmp_path):
    from pipeline.kernel.thresholds import by_capture_pages, load_thresholds

    _store, scanned = _routed(tmp_path / "s", [SCAN_STEP], _thresholds(tmp_path / "scans.json", {"scan": 32}))
    _store.dispose()
    assert sum(st == AUTO_ACCEPTED for st, _ in scanned) > len(scanned) // 2
    # a section fitted on enough photographed pages, at the scans' thresholds: routed as the scanned page
    same = _sectioned(tmp_path / "same.json", MIN_FITTED_PAGES)
    assert by_capture_pages(same) == {PHOTOGRAPH: MIN_FITTED_PAGES} and Settings(thresholds_file=same).fitted_on_capture(
        PHOTOGRAPH
    )
    store, photo = _routed(tmp_path / "a", [PHOTO_STEP], same)
    assert photo == scanned
    store.dispose()
    # the section's own thresholds route the photographed page, and only it: names never pass there
    strict = _sectioned(tmp_path / "strict.json", MIN_FITTED_PAGES, raised="deceased_name")
    store, photo = _routed(tmp_path / "b", [PHOTO_STEP], strict)
    assert photo and all(st == NEEDS_REVIEW for st, _ in photo)
    assert all(any(w.startswith("deceased_name: confidence 1.00 below 1.01") for w in why) for _st, why in photo)
    assert not any(PHOTO_REASON in why for _st, why in photo)
    store.dispose()
    store, again = _routed(tmp_path / "c", [SCAN_STEP], strict)
    assert again == scanned  # a scanned page keeps the file's own thresholds
    store.dispose()
    # a field type no fitted photographed page held is never auto-accepted on such a page
    dropped = _sectioned(tmp_path / "drop.json", MIN_FITTED_PAGES, drop="deceased_name")
    assert load_thresholds(dropped, PHOTOGRAPH)["deceased_name"] == 1.01
    assert load_thresholds(dropped, SCAN)["deceased_name"] == 0.5 == load_thresholds(dropped)["deceased_name"]
    # a section on too few pages: the page is held as before, the section unused
    few = _sectioned(tmp_path / "few.json", MIN_FITTED_PAGES - 1)
    assert not Settings(thresholds_file=few).fitted_on_capture(PHOTOGRAPH)
    assert load_thresholds(few, PHOTOGRAPH) == load_thresholds(few)
    store, photo = _routed(tmp_path / "d", [PHOTO_STEP], few)
    assert all(st == NEEDS_REVIEW and PHOTO_REASON in why for st, why in photo)
    store.dispose()
    # a section fitted on photographs says nothing of low-resolution captures: still held
    low = [{"name": "capture", "result": {"page_found": False, "upsample": 1.33}}]
    store, small = _routed(tmp_path / "e", low, same)
    assert small and all(st == NEEDS_REVIEW and any(w.startswith("低分辨率页面") for w in why) for st, why in small)
    store.dispose()


def test_the_review_screens_show_the_threshold_that_routed_the_record(tmp_path):
    from pipeline.page.routing import threshold_of

    strict = _sectioned(tmp_path / "strict.json", MIN_FITTED_PAGES, raised="deceased_name")
    settings = Settings(thresholds_file=strict)
    assert threshold_of("cremation", "deceased_name", {}, settings, PHOTOGRAPH) == 1.01
    assert threshold_of("cremation", "deceased_name", {}, settings) == 0.5
    # an administrator's own threshold for the field still wins on every capture
    own = Settings(thresholds_file=strict, field_thresholds={"deceased_name": 0.9})
    assert threshold_of("cremation", "deceased_name", {}, own, PHOTOGRAPH) == 0.9


def test_a_refit_from_reviews_keeps_the_sections_of_the_captures_it_does_not_cover(tmp_path):
    from types import SimpleNamespace

    from pipeline.kernel.thresholds import capture_pages
    from pipeline.quality.refit import carried_sections, fitted_captures

    shipped = _sectioned(tmp_path / "shipped.json", 30)
    assert capture_pages(shipped) == {"low_resolution": 0, "photograph": 0, "scan": 32}  # the joint fit's own
    few = SimpleNamespace(current_file=shipped, evidence={"capture_pages": {"scan": 5, "photograph": 4}}, sections={})
    # the refit is not fitted on photographs: it does not count the section's pages as its own ...
    assert fitted_captures(few)["photograph"] == 4  # type: ignore[arg-type]
    # ... and keeps the section, so photographed pages stay routed by it
    assert set(carried_sections(few)) == {PHOTOGRAPH}  # type: ignore[arg-type]
    many = SimpleNamespace(current_file=shipped, evidence={"capture_pages": {"photograph": MIN_FITTED_PAGES}}, sections={})
    assert carried_sections(many) == {}  # type: ignore[arg-type]  # the refit itself covers them now


def test_a_thresholds_file_whose_by_capture_is_not_a_mapping_is_refused_clearly(tmp_path):
    """A "by_capture" that is a list, a string or a number is refused like an invalid section inside it
    (named file and key, exit code 5, `error: 设置有误 / …`), never silently ignored: an administrator who
    wrote a section wrongly would else see photographed pages routed as if none were written."""
    import pytest
    from clirun import backfill, one_clear_error

    from pipeline.kernel.errors import ConfigError
    from pipeline.kernel.thresholds import by_capture_pages, load_thresholds
    from samples.seed import seed_store

    base = json.loads(Path(_thresholds(tmp_path / "base.json", {"scan": 32})).read_text(encoding="utf-8"))
    for i, wrong in enumerate(([{"photograph": {"thresholds": {}}}], "photograph", 3)):
        path = tmp_path / f"wrong{i}.json"
        path.write_text(json.dumps({**base, "by_capture": wrong}), encoding="utf-8")
        with pytest.raises(ConfigError, match=r"wrong\d\.json: by_capture is not valid"):
            load_thresholds(str(path), PHOTOGRAPH)
        with pytest.raises(ConfigError, match="by_capture is not valid"):
            by_capture_pages(str(path))
    # through the CLI, as an invalid section inside the mapping is refused
    data = tmp_path / "data"
    config = tmp_path / "backfill.toml"
    config.write_text(f'data_dir = "{data}"\nthresholds_file = "{tmp_path / "wrong0.json"}"\n', encoding="utf-8")
    settings = Settings(data_dir=str(data), thresholds_file="")
    store = Store.open(settings)
    seed_store(store, settings, kinds=("cremation",), pages=1)
    store.dispose()
    res = backfill("remap", "--config", str(config), cwd=tmp_path)
    one_clear_error(res, 5, "wrong0.json", "by_capture is not valid")
    # a run refuses it before it reads a page (and before Prefect starts: no log of a failed flow)
    (tmp_path / "scans").mkdir()
    one_clear_error(backfill("run", str(tmp_path / "scans"), "--config", str(config), cwd=tmp_path), 5, "wrong0.json")
