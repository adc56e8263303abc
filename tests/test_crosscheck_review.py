"""The review app's 名册核查 page (issue 24): hits of a check side by side, decided and audited.

In-process with Streamlit's AppTest over a real working store and a real check; one test drives
the served app in Debian's Chromium and saves a screenshot under bench/out/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_crosscheck import B, _typo, platform, write_roll  # noqa: F401 - the platform fixture

from pipeline.crosscheck.check import CONFIRMED, NOT_SAME, TO_REVIEW, hit_history, hits_of, run_check
from pipeline.kernel.config import Settings
from pipeline.kernel.localhttp import free_port, wait_until_healthy
from pipeline.kernel.store import Store
from pipeline.review.users import add_user
from review_app.i18n import t

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "review_app" / "app.py")
CHROMIUM = "/usr/bin/chromium"
SHOT = ROOT / "bench" / "out" / "crosscheck_review.png"


@pytest.fixture()
def checked(tmp_path, monkeypatch, platform):  # noqa: F811
    data = tmp_path / "data"
    monkeypatch.setenv("BACKFILL_DATA_DIR", str(data))
    monkeypatch.delenv("BACKFILL_DB_URL", raising=False)
    settings = Settings(data_dir=str(data), platform_url=platform)
    data.mkdir()
    store = Store.open(settings)
    s = run_check(store, settings, write_roll(tmp_path / "roll.csv"), "dibao", out_dir=tmp_path / "out")
    add_user(store, "rev", "reviewer", "password-rev")
    yield store, settings, s.check_id
    store.dispose()


def _page(at: AppTest) -> AppTest:
    at.run()
    at.text_input(key="login_user").input("rev")
    at.text_input(key="login_password").input("password-rev")
    at.button[0].click().run()
    at.sidebar.radio(key="nav").set_value("crosscheck").run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> str:
    frames = "\n".join(str(d.value) for d in at.dataframe)
    return "\n".join(
        [m.value for m in at.markdown]
        + [s.value for s in at.subheader]
        + [w.value for w in at.warning]
        + [i.value for i in at.info]
        + [c.value for c in at.caption]
        + [frames]
    )


def test_a_reviewer_decides_hits_side_by_side_and_every_decision_is_audited(checked):
    store, _settings, cid = checked
    at = _page(AppTest.from_file(APP, default_timeout=60))
    assert at.header[0].value == "名册核查"
    assert [m.value for m in at.metric] == ["2", "3", "0", "0"]  # auto, to review, confirmed, not the same
    assert "roll.csv:4" in at.subheader[0].value and "身份证号差一位" in at.subheader[0].value
    shown = _texts(at)
    assert "名册记录" in shown and "平台逝者记录" in shown and "第 10 位" in shown  # the digit that differs
    assert _typo(B) not in shown and B not in shown and mask_of(B) in shown  # numbers masked
    at.text_input(key=f"xc_reason_{first(store, cid).id}").input("号码第10位不同，出生地不同，另一人")
    at.button(key="xc_not_same").click().run()
    assert at.success and "不是同一人" in at.success[0].value
    assert "roll.csv:5" in at.subheader[0].value  # the next hit
    hit5 = first(store, cid)
    at.button(key="xc_confirm").click().run()
    assert "已确认为同一人" in at.success[0].value
    decided = {h.roll_line: (h.status, h.decided_by) for h in hits_of(store, cid, statuses=(CONFIRMED, NOT_SAME))}
    assert decided == {4: (NOT_SAME, "rev"), 5: (CONFIRMED, "rev")}
    trail = [(c.user, c.action, c.hit_id, c.reason) for c in hit_history(store, check_id=cid)]
    assert trail[0][:3] == ("rev", "confirm", hit5.id)
    assert trail[1][1:] == ("not_same", trail[1][2], "号码第10位不同，出生地不同，另一人")
    # the history table on the page says the same
    assert "确认同一人" in _texts(at) and "不是同一人" in _texts(at)


def test_a_full_number_shows_only_with_a_reason_and_is_audited(checked):
    store, _settings, cid = checked
    at = _page(AppTest.from_file(APP, default_timeout=60))
    hit = first(store, cid)
    at.button(key=f"xc_reveal_{hit.id}").click().run()
    assert at.error and at.error[0].value == t("err.needs_reason", "zh")  # in the reviewer's language
    at.text_input(key=f"xc_reveal_reason_{hit.id}").input("与户籍系统核对")
    at.button(key=f"xc_reveal_{hit.id}").click().run()
    assert any(_typo(B) in i.value and B in i.value for i in at.info)
    assert [(c.action, c.reason) for c in hit_history(store, check_id=cid)][0] == ("reveal", "与户籍系统核对")


def test_a_decision_taken_meanwhile_by_someone_else_is_not_overwritten(checked):
    from pipeline.crosscheck.check import decide_hit

    store, _settings, cid = checked
    at = _page(AppTest.from_file(APP, default_timeout=60))
    hit = first(store, cid)
    decide_hit(store, hit.id, CONFIRMED, user="other")  # another reviewer, in another browser
    at.button(key="xc_not_same").click().run()
    assert at.error and at.error[0].value == t("xc.err.decided", "zh", who="other")
    assert hits_of(store, cid, statuses=(CONFIRMED,))[0].decided_by == "other"


def test_a_closed_check_takes_no_more_decisions_on_the_page(checked):
    from pipeline.crosscheck.check import close_check

    store, settings, cid = checked
    close_check(store, settings, cid, user="admin", discard_unreviewed=True)
    at = _page(AppTest.from_file(APP, default_timeout=60))
    assert any("已关闭" in i.value for i in at.info)
    assert not [b for b in at.button if b.key in ("xc_confirm", "xc_not_same")]
    trail = at.dataframe[-1].value
    assert list(trail["操作"]) == ["关闭核查"] and list(trail["人员"]) == ["admin"]  # who closed it, in the history


CJK = re.compile(r"[\u4e00-\u9fff]")


def _words(at: AppTest) -> list[str]:
    """What the page itself says (not the roll's or the platform's values): headings, labels, buttons,
    messages, the tables' column names, the evidence's results, the history's actions."""
    out = [at.header[0].value, *(s.value for s in at.subheader), *(c.value for c in at.caption)]
    out += [m.label for m in at.metric] + [b.label for b in at.button] + [w.label for w in at.text_input]
    out += [b.label for b in at.selectbox] + [b.placeholder or "" for b in at.selectbox]
    out += [e.label for e in at.expander] + [w.value for w in at.warning] + [i.value for i in at.info]
    for d in at.dataframe:
        out += [str(c) for c in d.value.columns]
    lang = "en" if at.session_state["lang"] == "en" else "zh"
    evidence = next(d.value for d in at.dataframe if t("xc.result", lang) in d.value.columns)
    out += [str(v) for v in evidence[t("xc.result", lang)]]
    for d in at.dataframe:
        if t("xc.action", lang) in d.value.columns:  # the history, once a hit is decided
            out += [str(v) for v in d.value[t("xc.action", lang)]]
    return [w for w in out if w]


def test_the_page_speaks_the_reviewers_language(checked):
    """名册核查 in Chinese for a reviewer who reads Chinese, in English for one who chose English: the
    title, the counts, the hit's heading and finding, the evidence (which digit differs), the buttons and
    the history, and a refused decision (no reason given) - no word of the other language. The roll's
    own values (names, its file name) are shown as they are."""
    store, _settings, cid = checked
    at = _page(AppTest.from_file(APP, default_timeout=60))

    def said(lang: str) -> str:
        words = "\n".join(_words(at)).replace("roll.csv", "")
        if lang == "zh":
            assert not re.search(r"[A-Za-z]{2,}", words), re.findall(r"[A-Za-z]{2,}", words)
        else:
            assert not CJK.search(words), CJK.findall(words)
        return words

    assert at.header[0].value == t("xc.title", "zh") and "第 10 位" in said("zh")  # the digit that differs
    at.radio(key="lang_pick").set_value("en").run()
    assert at.header[0].value == "Roll cross-check" and [m.label for m in at.metric][1] == t("xc.waiting", "en")
    assert t("xc.positions", "en", positions="10") in said("en")
    hit = first(store, cid)
    at.button(key=f"xc_reveal_{hit.id}").click().run()
    assert at.error[0].value == t("err.needs_reason", "en")
    at.text_input(key=f"xc_reason_{hit.id}").input("another person")
    at.button(key="xc_not_same").click().run()
    assert at.success[0].value == t("xc.not_same_msg", "en", where=hit.roll_where)
    assert t("xc.action.not_same", "en") in said("en")  # the decision in the history
    at.radio(key="lang_pick").set_value("zh").run()
    assert t("xc.action.not_same", "zh") in said("zh")


def first(store, cid):
    return hits_of(store, cid, statuses=(TO_REVIEW,))[0]


def mask_of(number: str) -> str:
    from pipeline.kernel.privacy import mask_id

    return mask_id(number)


@pytest.mark.browser
def test_the_page_in_chromium(checked):
    store, settings, cid = checked
    missing = [] if Path(CHROMIUM).exists() else [CHROMIUM]
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        missing.append("playwright")
    if missing:
        if os.environ.get("BACKFILL_REQUIRE_BROWSER"):
            pytest.fail(f"browser test needs {missing}")
        pytest.skip(f"browser test needs {missing}")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "review", "--data-dir", settings.data_dir, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url + "/_stcore/health", proc, timeout=60, every=0.3, name="`backfill review`")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            page = browser.new_page(viewport={"width": 1500, "height": 1400})
            page.set_default_timeout(30_000)
            page.goto(url)
            page.locator(".st-key-login_user input").fill("rev")
            page.locator(".st-key-login_password input").fill("password-rev")
            page.locator(".st-key-login_password input").press("Enter")
            page.get_by_text("名册核查", exact=True).click()
            expect(page.get_by_role("heading", name="名册核查")).to_be_visible()
            expect(page.get_by_role("heading", name=re.compile("roll.csv:4"))).to_be_visible()
            page.get_by_label(re.compile("^理由")).fill("号码第10位不同，另一人")
            page.get_by_role("button", name="不是同一人").click()
            expect(page.get_by_text("roll.csv:4：已记为不是同一人。")).to_be_visible()
            expect(page.get_by_role("heading", name=re.compile("roll.csv:5"))).to_be_visible()
            SHOT.parent.mkdir(parents=True, exist_ok=True)
            expect(page.locator('[data-testid="stDataFrame"]').nth(2)).to_be_visible()
            page.wait_for_timeout(1500)  # the tables draw on a canvas after they appear
            page.screenshot(path=str(SHOT), full_page=True)
            page.get_by_role("button", name="确认：同一人").click()
            expect(page.get_by_text("roll.csv:5：已确认为同一人。")).to_be_visible()
            browser.close()
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
    done = {h.roll_line: h.status for h in hits_of(store, cid, statuses=(CONFIRMED, NOT_SAME))}
    assert done == {4: NOT_SAME, 5: CONFIRMED}
    assert SHOT.stat().st_size > 10_000
