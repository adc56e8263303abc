"""Intake: registration by sha256, page counts per format, quarantine with reasons, idempotency."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from pipeline.kernel.config import Settings
from pipeline.kernel.store import Page, Quarantine, SourceFile, Store
from pipeline.page.intake import load_page, register_folder


def _img(w=400, h=300, value=200) -> Image.Image:
    return Image.fromarray(np.full((h, w, 3), value, np.uint8))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=str(tmp_path / "data"))


@pytest.fixture
def store(settings):
    s = Store.open(settings)
    yield s
    s.dispose()


def _scans(tmp_path: Path) -> Path:
    d = tmp_path / "scans"
    (d / "sub dir").mkdir(parents=True)
    _img().save(d / "one.jpg")
    _img(value=100).save(d / "sub dir" / "two.png")
    _img().save(d / "vol.tif", save_all=True, append_images=[_img(value=50), _img(value=80)])
    _img().save(d / "book.pdf", save_all=True, append_images=[_img(value=30)])
    (d / "empty.pdf").write_bytes(b"")
    good = (d / "book.pdf").read_bytes()
    (d / "truncated.pdf").write_bytes(good[: len(good) // 2])
    (d / "notes.jpg").write_text("this is not an image")
    (d / "one.gt.json").write_text("{}")
    return d


def test_registers_each_format_with_its_pages_and_quarantines_bad_files(tmp_path, settings, store):
    scans = _scans(tmp_path)
    res = register_folder(store, scans, None, settings)
    with store.session() as s:
        files = {f.rel_path: f for f in s.scalars(select(SourceFile))}
        # the truncated PDF gives up the page it still holds (and is listed under quarantine too)
        assert {k: v.page_count for k, v in files.items()} == {
            "one.jpg": 1,
            "sub dir/two.png": 1,
            "vol.tif": 3,
            "book.pdf": 2,
            "truncated.pdf": 1,
        }
        assert s.scalar(select(func.count(Page.id))) == 8
        q = {r.rel_path: r for r in s.scalars(select(Quarantine))}
    assert set(q) == {"empty.pdf", "truncated.pdf", "notes.jpg"}
    assert q["empty.pdf"].reason == "empty_file" and "0 bytes" in q["empty.pdf"].message
    assert q["truncated.pdf"].reason == "partly_recovered" and "truncated" in q["truncated.pdf"].message
    assert "1 page(s) were recovered" in q["truncated.pdf"].message
    assert q["notes.jpg"].reason == "corrupt" and "not an image" in q["notes.jpg"].message
    for item in q.values():  # a copy kept for the archivist, the original left in place
        assert Path(item.copy_path).exists()
    assert (scans / "empty.pdf").exists()
    assert res.skipped == ["one.gt.json"]


def test_ingesting_twice_adds_nothing(tmp_path, settings, store):
    scans = _scans(tmp_path)
    first = register_folder(store, scans, None, settings)
    (scans / "copy of one.jpg").write_bytes((scans / "one.jpg").read_bytes())  # same bytes, new name
    second = register_folder(store, scans, None, settings)
    assert second.new_files == []
    with store.session() as s:
        one_id = s.scalar(select(SourceFile.id).where(SourceFile.rel_path == "one.jpg"))
    assert sorted(second.known_files) == sorted(first.new_files + [one_id])
    with store.session() as s:
        assert s.scalar(select(func.count(SourceFile.id))) == 5
        assert s.scalar(select(func.count(Page.id))) == 8
        assert s.scalar(select(func.count(Quarantine.id))) == 3


def test_pages_load_as_bgr_arrays(tmp_path, settings):
    scans = _scans(tmp_path)
    frame = load_page(scans / "vol.tif", "tiff", 2, settings)
    assert frame.shape == (300, 400, 3) and frame.dtype == np.uint8 and int(frame[0, 0, 0]) == 50
    page = load_page(scans / "book.pdf", "pdf", 2, settings)
    assert page.ndim == 3 and page.shape[2] == 3 and page.mean() < 60


def _thin_strokes_1bit(w: int = 900, h: int = 600) -> np.ndarray:
    """A 1-bit page: ruling and strokes one and two pixels thin, as a black-and-white scan holds them."""
    a = np.full((h, w), 255, np.uint8)
    a[50::60, 20:-20] = 0  # row lines, one pixel
    a[30:-30, 40::150] = 0  # column lines
    for y in range(70, h - 60, 60):
        for x in range(60, w - 60, 37):
            a[y : y + 30, x] = 0  # a one-pixel upright stroke
            a[y + 10, x - 6 : x + 8] = 0
            a[y + 20 : y + 22, x - 4 : x + 5] = 0
    return a


def test_a_1bit_pdf_page_loads_as_the_scan_it_holds_like_its_tiff(tmp_path, settings):
    """A 1-bit scan written into a PDF (CCITT G4, as a scanner's black-and-white mode writes it) reaches the
    cleanup as the same black-and-white pixels its TIFF gives, at its own resolution: rendered at `pdf_dpi`
    by poppler its strokes' edges came out grey and the page was read as a grey scan (cleanup.is_bilevel
    false). A grey scan's PDF is still rendered at `pdf_dpi`."""
    from pipeline.page.cleanup import is_bilevel

    page = _thin_strokes_1bit()
    scan = Image.fromarray(page).convert("1")
    scan.save(tmp_path / "bw.pdf", resolution=300.0)
    scan.save(tmp_path / "bw.tif", compression="group4", dpi=(300, 300))
    assert settings.pdf_dpi != 300
    from_pdf = load_page(tmp_path / "bw.pdf", "pdf", 1, settings)
    from_tif = load_page(tmp_path / "bw.tif", "tiff", 1, settings)
    assert from_pdf.shape == from_tif.shape == (600, 900, 3)
    assert np.array_equal(from_pdf, from_tif) and is_bilevel(from_pdf)

    Image.fromarray(np.where(page > 0, 230, 40).astype(np.uint8)).save(tmp_path / "grey.pdf", resolution=300.0)
    grey = load_page(tmp_path / "grey.pdf", "pdf", 1, settings)
    assert grey.shape[:2] == (round(600 * settings.pdf_dpi / 300), round(900 * settings.pdf_dpi / 300))


def test_a_1bit_pdf_page_too_large_at_its_own_resolution_is_rendered_smaller_and_stays_1bit(tmp_path, settings):
    """A 1-bit scan held at a resolution that would pass the pixel limit is rendered at the largest whole
    dpi within it and thresholded: the page reaches the cleanup black and white, within the limit and
    larger than at `pdf_dpi` (before, it came at `pdf_dpi` in grey and was read as a grey scan); one held
    finer than BILEVEL_MAX_DPI comes at that. The render step the page records says so."""
    from pipeline.page.cleanup import is_bilevel
    from pipeline.page.extract import render_step
    from pipeline.page.intake import BILEVEL_MAX_DPI, pdf_render_plan

    page = _thin_strokes_1bit()  # 900 x 600 px
    big = np.kron(page, np.ones((4, 4), dtype=np.uint8))  # the same scan at 1200 ppi: 3600 x 2400 px, 3 x 2 inches
    Image.fromarray(big).convert("1").save(tmp_path / "bw1200.pdf", resolution=1200.0)
    limit = 1_500_000  # 500 dpi over 6 square inches
    small = Settings(data_dir=settings.data_dir, max_image_pixels=limit)
    plan = pdf_render_plan(tmp_path / "bw1200.pdf", 1, small)
    assert plan.bilevel and plan.image_ppi == 1200 and plan.dpi == 500 > small.pdf_dpi
    img = load_page(tmp_path / "bw1200.pdf", "pdf", 1, small, plan)
    assert img.shape[:2] == (1000, 1500) and img.shape[0] * img.shape[1] <= limit
    assert is_bilevel(img) and set(np.unique(img)) <= {0, 255}
    step = render_step(plan, small)
    assert step is not None and step["settings"]["dpi"] == 500 and step["settings"]["bilevel"]
    assert step["result"]["image_ppi"] == 1200 and not step["result"]["enlarged"]
    capped = load_page(tmp_path / "bw1200.pdf", "pdf", 1, settings)  # within the default limit: at the cap
    assert BILEVEL_MAX_DPI < 1200 and capped.shape[:2] == (2 * BILEVEL_MAX_DPI, 3 * BILEVEL_MAX_DPI) and is_bilevel(capped)


def test_a_fax_page_held_at_two_resolutions_loads_with_square_pixels_from_tiff_and_pdf(tmp_path, settings):
    """A fax (ITU-T T.4 standard resolution, ~204 pels per inch across by ~98 lines down, TIFF Class F's
    XResolution / YResolution) holds a page in half as many lines as pels: read as pixels, its characters
    came squashed to half their height (the TIFF) or its pels across merged 2:1 (the PDF, rendered at the
    lesser resolution). Both now reach the cleanup as the fax machine prints the page, each line twice,
    still black and white; a frame recording an aspect no scanner or fax has is read as it is."""
    from pipeline.page.cleanup import is_bilevel

    page = _thin_strokes_1bit()  # 900 x 600 px
    fax = Image.fromarray(page[::2]).convert("1")  # 900 x 300: every other line, as a 98-line/inch fax holds it
    fax.save(tmp_path / "fax.tif", compression="group4", dpi=(200, 100))
    fax.save(tmp_path / "fax.pdf", dpi=(200, 100))
    from_tif = load_page(tmp_path / "fax.tif", "tiff", 1, settings)
    from_pdf = load_page(tmp_path / "fax.pdf", "pdf", 1, settings)
    assert from_tif.shape == from_pdf.shape == (600, 900, 3)
    assert np.array_equal(from_tif[:, :, 0], np.repeat(page[::2], 2, axis=0))
    assert np.array_equal(from_pdf, from_tif) and is_bilevel(from_tif)

    fax.save(tmp_path / "odd.tif", compression="group4", dpi=(600, 100))  # 6:1, no fax's or scanner's
    assert load_page(tmp_path / "odd.tif", "tiff", 1, settings).shape == (300, 900, 3)


def test_a_fax_page_records_its_enlarged_lines_and_is_routed_as_low_resolution(tmp_path, settings):
    """Half a standard-resolution fax's lines down were never captured: its page (TIFF or PDF) records a
    render step enlarged 2x, so that routing tells it as LOW_RESOLUTION (held unless the thresholds were
    fitted on such pages), not as a scan; a square 1-bit page records nothing new and stays a scan."""
    from pipeline.kernel.thresholds import LOW_RESOLUTION, SCAN
    from pipeline.page.extract import aspect_step, render_step
    from pipeline.page.intake import pdf_render_plan
    from pipeline.page.routing import capture_kind

    fax = Image.fromarray(_thin_strokes_1bit()[::2]).convert("1")
    fax.save(tmp_path / "fax.tif", compression="group4", dpi=(200, 100))
    fax.save(tmp_path / "fax.pdf", dpi=(200, 100))
    scanned = {"name": "capture", "result": {"page_found": False, "upsample": 1.0}}  # correct_capture: a scan, as it came
    tif = aspect_step(tmp_path / "fax.tif", "tiff", 1, settings)
    pdf = render_step(pdf_render_plan(tmp_path / "fax.pdf", 1, settings), settings)
    for step in (tif, pdf):
        assert step is not None and step["result"]["enlarged"] and step["result"]["upsample"] == 2.0
        assert capture_kind([step, scanned]) == LOW_RESOLUTION

    square = Image.fromarray(_thin_strokes_1bit()).convert("1")
    square.save(tmp_path / "sq.tif", compression="group4", dpi=(200, 200))
    square.save(tmp_path / "sq.pdf", dpi=(200, 200))
    assert aspect_step(tmp_path / "sq.tif", "tiff", 1, settings) is None
    sq = render_step(pdf_render_plan(tmp_path / "sq.pdf", 1, settings), settings)
    assert sq is not None and not sq["result"]["enlarged"] and capture_kind([sq, scanned]) == SCAN


def test_a_thumbnail_is_quarantined_as_too_small_not_called_a_blank_page(tmp_path, store):
    settings = Settings(data_dir=str(tmp_path / "data"))
    d = tmp_path / "thumbs"
    d.mkdir()
    _img(w=60, h=80).save(d / "thumb.png")
    _img(w=400, h=300).save(d / "page.png")
    res = register_folder(store, d, None, settings)
    assert [(q.rel_path, q.reason) for q in res.quarantined] == [("thumb.png", "too_small")]
    assert "60x80" in res.quarantined[0].message and "200 dpi" in res.quarantined[0].message
    assert len(res.file_ids) == 1  # the page beside it is registered


def test_too_many_pixels_is_quarantined_before_decoding(tmp_path, store):
    settings = Settings(data_dir=str(tmp_path / "data"), max_image_pixels=1_000_000)
    d = tmp_path / "big"
    d.mkdir()
    _img(w=1500, h=1000).save(d / "huge.png")
    res = register_folder(store, d, None, settings)
    assert [(q.rel_path, q.reason) for q in res.quarantined] == [("huge.png", "too_large")]
    assert "1500x1000" in res.quarantined[0].message
