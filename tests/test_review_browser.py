"""One real-browser test: `backfill review` served on loopback, driven by Playwright in Debian's Chromium.

The store holds one real scanned page run through the pipeline (OCR included), so the record view
shows the scanned row and each field's cell. The test logs in, corrects a field, approves, and
checks the store and the audit trail; it saves a screenshot of the record view under bench/out/.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import review as R
from pipeline.config import Settings
from pipeline.corrections import history
from pipeline.localhttp import free_port, wait_until_healthy
from pipeline.store import Record, Store
from pipeline.users import add_user

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SHOT = ROOT / "bench" / "out" / "review_record_view.png"

pytestmark = [pytest.mark.browser, pytest.mark.ocr, pytest.mark.slow]


def _need_browser():
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install playwright)")
    if missing:
        msg = "browser test needs " + " and ".join(missing)
        if os.environ.get("BACKFILL_REQUIRE_BROWSER"):
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="session")
def scanned_store(tmp_path_factory, samples_dir):
    """One real sample page through the whole pipeline (about 20-40 s of OCR), once per session."""
    _need_browser()
    from pipeline.run import run_folder

    base = tmp_path_factory.mktemp("review-browser")
    scans = base / "scans"
    scans.mkdir()
    shutil.copy(samples_dir / "ledgers" / "jpeg_volume" / "page_001.jpg", scans / "page_001.jpg")
    settings = Settings(data_dir=str(base / "data"))
    summary = run_folder(scans, settings)
    assert summary.records > 0
    with Store.open(settings) as store:
        add_user(store, "rev", "reviewer", "password-rev")
    return settings


@pytest.fixture()
def served(scanned_store):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "pipeline.cli", "review", "--data-dir", scanned_store.data_dir, "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_healthy(url + "/_stcore/health", proc, timeout=60, every=0.3, name="`backfill review`")
        except (RuntimeError, TimeoutError):
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(f"`backfill review` did not start: {out[-2000:]}")
        yield url
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


def test_log_in_correct_a_field_approve_in_chromium(scanned_store, served):
    from playwright.sync_api import expect, sync_playwright

    settings = scanned_store
    with Store.open(settings) as store:
        first = R.queue(store).items[0].record_id
        with store.session() as s:
            rec = s.get(Record, first)
            boxes = [fv["box"] for fv in rec.fields.values() if fv.get("box")]
            old_name = rec.fields["deceased_name"]["value"]
    assert boxes, "a record read from a scan has cell boxes"
    new_name = "王小明" if old_name != "王小明" else "李小红"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                                                     "--no-first-run", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.set_default_timeout(30_000)
        page.goto(served)
        page.get_by_label("User name", exact=True).fill("rev")
        page.get_by_label("Password", exact=True).fill("password-rev")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_text("Records waiting")).to_be_visible()
        page.get_by_role("button", name=re.compile("Start reviewing")).click()
        expect(page.get_by_role("heading", name=re.compile(f"Record {first} "))).to_be_visible()
        # the scanned row and the cell crops are images on the page
        expect(page.locator('[data-testid="stImage"]').first).to_be_visible()
        expect(page.locator("tr[data-field='deceased_name'] img")).to_be_visible()
        expect(page.locator("tr[data-field='deceased_name']")).to_contain_text("逝者姓名")
        # pick deceased_name to correct (unless it is already picked because it was flagged)
        label = page.get_by_label(re.compile(r"^deceased_name · 逝者姓名 \(as read"))
        if label.count() == 0:
            box = page.locator('[data-testid="stMultiSelect"]').first
            box.click()
            page.keyboard.type("deceased_name")
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
        label = page.get_by_label(re.compile(r"^deceased_name · 逝者姓名 \(as read"))
        label.fill(new_name)
        page.get_by_label("Why (optional)").fill("name misread")
        page.get_by_role("button", name="Save corrections").click()
        expect(page.get_by_text(re.compile("Saved: .*deceased_name"))).to_be_visible()
        SHOT.parent.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1500, "height": 2900})  # the app scrolls inside; show the whole record
        page.get_by_role("heading", name=re.compile(f"Record {first} ")).scroll_into_view_if_needed()
        page.screenshot(path=str(SHOT))
        page.get_by_role("button", name=re.compile("^Approve")).click()
        expect(page.get_by_text(f"Record {first} approved.")).to_be_visible()
        expect(page.get_by_role("heading", name=re.compile(f"Record {first} "))).to_have_count(0)
        browser.close()

    with Store.open(settings) as store:
        with store.session() as s:
            rec = s.get(Record, first)
            assert rec.status == "approved"
            assert rec.fields["deceased_name"]["value"] == new_name
        trail = [(h.user, h.action, h.field, h.reason) for h in history(store, first)]
        assert trail[0] == ("rev", "edit", "deceased_name", "name misread")
        assert trail[-1][:2] == ("rev", "approve")
    assert SHOT.stat().st_size > 10_000
