"""The review app: reviewers correct OCR beside the scanned cell, approve, reject, merge duplicates.

Run with `backfill review` (review_app/server.py serves this script). Settings come from the
environment (BACKFILL_DATA_DIR, BACKFILL_DB_URL) or ./backfill.toml. Every read and write goes
through pipeline.review.queue / pipeline.review.corrections / pipeline.review.users; this file only lays out the screens,
in the user's language (review_app.i18n: Simplified Chinese first, English per user). Nothing is
shown before login. ID and phone numbers are masked everywhere until revealed (a logged action).
Approve saves the open form through the same validation as Save and holds only when the record
keeps the review contract (pipeline.review.corrections.approval_gaps). Logs carry record ids only.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
import time
from datetime import datetime
from typing import Any

import cv2
import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import pipeline.platform  # noqa: F401 - corrections re-make the record's platform row (records.load_text)
from pipeline.archive.inventory import home_names
from pipeline.kernel.clock import local_time
from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError, error_line
from pipeline.kernel.reasons import split_zh_en
from pipeline.kernel.store import Quarantine, Record, Run, SourceFile, Store
from pipeline.page.routing import REJECTED
from pipeline.review import drafts as D
from pipeline.review import queue as R
from pipeline.review.columns import PageColumns, assignment_doubts, page_columns, set_column_field
from pipeline.review.corrections import (
    ApprovalRefused,
    CorrectionError,
    FieldEntry,
    decide,
    decide_link,
    history,
    reopen,
    review_form,
)
from pipeline.review.users import (
    ROLES,
    Account,
    UserError,
    add_user,
    end_session,
    get_account,
    get_language,
    list_users,
    login,
    session_account,
    set_active,
    set_language,
    start_session,
    touch_session,
    unlock,
)
from review_app.i18n import (
    LANGUAGES,
    box_text,
    clauses,
    code_label,
    code_text_in,
    colon,
    column_doubt_text,
    confidence_level,
    error_text,
    field_label,
    flag_text,
    gap_text,
    joined,
    language,
    note_texts,
    record_reason_text,
    refusal_text,
    t,
    worded,
)

log = logging.getLogger("review_app")

SESSION_COOKIE = "backfill_session"
SHORTCUTS = {"approve": "Alt+A", "skip": "Alt+→", "prev": "Alt+←"}
CROP_HEIGHT = 64  # px: a field's cell crop on screen; the row strip is never shown smaller


# ---------------------------------------------------------------------------------------------
@st.cache_resource
def _open_store(url: str, data_dir: str) -> Store:
    return Store(url, Settings(data_dir=data_dir).data_path / "images")


def settings() -> Settings:
    return Settings.load()


def store() -> Store:
    s = settings()
    return _open_store(s.store_url, s.data_dir)


@st.cache_resource(max_entries=6)
def _page_image(data_dir: str, sha: str) -> np.ndarray:
    img = store().images.get(sha)
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    return img


def page_image(sha: str | None) -> np.ndarray | None:
    if not sha:
        return None
    try:
        return _page_image(settings().data_dir, sha)
    except FileNotFoundError:
        return None


def me() -> Account:
    return st.session_state["account"]


#: messages of the record form's own buttons (refused, saved, nothing changed, reject without a reason):
#: said under the buttons, where the reviewer clicked. At the top of the record they were out of sight on a
#: record taller than the window: Approve refused an empty mandatory field with no word where the reviewer
#: looked. (Comments, not docstrings: Streamlit's magic shows a bare string of the app's script on screen.)
FORM_FLASH = "flash_form"

#: a reveal refused (no reason given, the record no longer held): said under the reveal button, likewise
REVEAL_FLASH = "flash_reveal"


def flash(kind: str, text: str, where: str = "flash") -> None:
    """Keep a message for the next run: at the top of the page, or (FORM_FLASH, REVEAL_FLASH) where the
    reviewer clicked."""
    st.session_state.setdefault(where, []).append((kind, text))


def show_flash(key: str = "flash") -> None:
    for kind, text in st.session_state.pop(key, []):
        getattr(st, kind)(text)


def _or(text: str, fallback: str) -> str:
    """A translated code, or the code itself where the table has no wording for it."""
    return fallback if text.startswith(("quarantine.", "run.", "file_status.")) else text


def _error_text(e: BackfillError) -> str:
    """A pipeline error in the reviewer's language where it is one a reviewer meets."""
    msg = str(e)
    if "is being reviewed by" in msg:
        return t("err.claimed_by", who=msg.rsplit("by", 1)[1].strip())
    if "is not claimed by" in msg:
        return t("err.claim_lost")
    if "needs a reason" in msg:
        return t("err.needs_reason")
    if "read only" in msg or "was rejected" in msg:
        return t("err.read_only")
    if "only an administrator" in msg:
        return t("err.admin_only")
    return error_text(e)


# ---- sessions: login, a cookie that survives a reload, idle timeout, logout --------------------
def _login() -> None:
    ss = st.session_state
    name = (ss.get("login_user") or "").strip()
    res = login(store(), name, ss.get("login_password") or "", settings())
    ss["login_password"] = ""
    if res.delay:
        time.sleep(res.delay)  # each refused attempt answered more slowly
    if res.account is None:
        ss["login_failed"] = ("locked", res.locked_until) if res.locked_until else ("wrong", None)
        ss["login_refused_now"] = True  # the login page's script forgets the time the login was sent
        return
    ss.pop("login_failed", None)
    _enter(res.account)
    token = start_session(store(), res.account.username)
    ss["session_token"] = ss["bind_token"] = token


def _enter(acc: Account) -> None:
    ss = st.session_state
    ss["account"] = acc
    if ss.pop("lang_picked_at_login", False) and ss.get("lang") in LANGUAGES:
        set_language(store(), acc.username, ss["lang"])  # picked on the login page: the latest choice, kept
    else:
        ss["lang"] = get_language(store(), acc.username)
    ss["nav"] = "queue" if acc.can("review") else ("intake" if acc.can("intake") else "users")
    ss["last_active"] = ss["last_touch"] = time.time()


def _restore_from_cookie() -> None:
    """A reload (a new browser connection) finds its session through the HttpOnly cookie."""
    ss = st.session_state
    if "account" in ss or ss.get("logged_out"):
        return
    try:
        token = st.context.cookies.get(SESSION_COOKIE)
    except Exception:  # noqa: BLE001 - no browser connection (AppTest): no cookie
        return
    if not isinstance(token, str) or not token:
        return
    acc = session_account(store(), token, settings())
    if acc is not None:
        _enter(acc)
        ss["session_token"] = token
        log.info("session of %s restored", acc.username)


#: sessionStorage keys of the browser tab (never sent anywhere): a login's token until its cookie is set, the
#: time a login was sent, and a token the server would no longer take after a reload (see _login_page_script)
_PENDING, _SENT, _LOST = "backfill_bind", "backfill_login_at", "backfill_session_lost"


def _bind_cookie() -> None:
    """Right after a login: the browser asks the server (POST api/session, XSRF-checked) to set the
    HttpOnly session cookie for the new session's token. Until the answer comes the token is kept in the
    tab's sessionStorage: a reload (F5) before it (session 45: within about a second of the login) came back
    without the cookie and showed the login page without a word; the login page now sends it again
    (_login_page_script) and reloads, logged in."""
    token = st.session_state.pop("bind_token", None)
    if not token:
        return
    st.html(
        f"""<script>
(function() {{
  const token = {json.dumps(token)};
  try {{ sessionStorage.setItem("{_PENDING}", token); sessionStorage.removeItem("{_SENT}"); }} catch (e) {{}}
  const xsrf = (document.cookie.match(/(?:^|; )_streamlit_xsrf=([^;]*)/) || [])[1] || "";
  fetch(new URL("api/session", window.location.href), {{method: "POST", credentials: "same-origin",
        headers: {{"Content-Type": "application/json", "X-Xsrftoken": decodeURIComponent(xsrf)}},
        body: JSON.stringify({{token: token}})}}).then(function(r) {{
    if (r.ok) {{ try {{ sessionStorage.removeItem("{_PENDING}"); }} catch (e) {{}} }}
  }});
}})();
</script>""",
        unsafe_allow_javascript=True,
    )


def _login_page_script(logged_out: bool, failed: int) -> None:
    """The login page's part of the session cookie (see _bind_cookie). A login's token still waiting in the
    tab (the page was reloaded before its cookie was set) is sent for the cookie again and the page reloaded:
    the reviewer is back, logged in. Where that cannot be (the token came too late, or the reload came before
    the login was even answered: the time a login was sent is kept as it is sent), the page says so in words
    (login.reloaded_early) instead of showing the login form as if nothing had happened. After a logout the
    cookie is cleared and nothing is said; after a refused login the time it was sent is forgotten.
    `failed`: refused logins so far (the script runs again after each, its text changing)."""
    note = t("login.reloaded_early")
    st.html(
        f"""<div id="backfill-session-lost" data-testid="session-lost" role="alert" hidden
  style="padding:10px 14px;border-radius:6px;background:#fff4e5;color:#8a4b00;margin-bottom:8px">{_E(note)}</div>
<script>
(function() {{
  const loggedOut = {json.dumps(logged_out)}, failed = {int(failed)};
  const xsrf = (document.cookie.match(/(?:^|; )_streamlit_xsrf=([^;]*)/) || [])[1] || "";
  const store = window.sessionStorage;
  const take = function(k) {{ try {{ const v = store.getItem(k); store.removeItem(k); return v; }} catch (e) {{ return null; }} }};
  const say = function() {{ const el = document.getElementById("backfill-session-lost"); if (el) el.hidden = false; }};
  const pending = take("{_PENDING}"), sent = Number(take("{_SENT}") || 0), lost = take("{_LOST}");
  if (loggedOut) {{
    fetch(new URL("api/logout", window.location.href), {{method: "POST", credentials: "same-origin",
          headers: {{"X-Xsrftoken": decodeURIComponent(xsrf)}}}});
  }} else if (failed) {{
    // a refused login: nothing waits; its time is forgotten (a reload now is no login cut short)
  }} else if (pending) {{
    fetch(new URL("api/session", window.location.href), {{method: "POST", credentials: "same-origin",
          headers: {{"Content-Type": "application/json", "X-Xsrftoken": decodeURIComponent(xsrf)}},
          body: JSON.stringify({{token: pending}})}}).then(function(r) {{
      if (!r.ok) {{ try {{ store.setItem("{_LOST}", "1"); }} catch (e) {{}} }}  // said if the reload is not logged in
      window.location.reload();
    }}, say);
  }} else if (lost || (sent && Date.now() - sent < 120000)) {{
    say();
  }}
  if (!window.__backfillLoginSent) {{  // the time a login is sent, kept until it is answered
    window.__backfillLoginSent = true;
    const mark = function(e) {{
      const form = e.target && e.target.closest && e.target.closest('[data-testid="stForm"]');
      if (form && form.querySelector('input[type="password"]')) {{ try {{ store.setItem("{_SENT}", String(Date.now())); }} catch (x) {{}} }}
    }};
    document.addEventListener("keydown", function(e) {{ if (e.key === "Enter") mark(e); }}, true);
    document.addEventListener("click", function(e) {{
      if (e.target && e.target.closest && e.target.closest('[data-testid="stFormSubmitButton"]')) mark(e);
    }}, true);
  }}
}})();
</script>""",
        unsafe_allow_javascript=True,
    )


def _logout(message: str | None = None) -> None:
    ss = st.session_state
    acc = ss.get("account")
    if acc is not None:
        R.release_all(store(), acc.username)
    token = ss.get("session_token")
    if token:
        end_session(store(), token)
    lang = ss.get("lang")
    for k in list(ss.keys()):
        del ss[k]
    ss["logged_out"] = True  # the cookie of this connection names an ended session: never restore it
    ss["clear_cookie"] = True
    if lang:
        ss["lang"] = lang
    if message:
        ss["login_notice"] = message


def _keep_alive() -> bool:
    """Idle timeout inside a live connection (and the stored session kept alive); False: logged out."""
    ss = st.session_state
    now = time.time()
    idle = float(settings().review_idle_minutes) * 60
    if now - ss.get("last_active", now) > idle:
        _logout(t("login.idle"))
        return False
    ss["last_active"] = now
    token = ss.get("session_token")
    if token and now - ss.get("last_touch", 0) > 60:
        touch_session(store(), token)
        ss["last_touch"] = now
    return True


#: choice boxes whose chosen option is worded in the user's language: a keyed box keeps the words of its
#: choice in the browser when only the wording changes, so a language switch sets each choice again. They
#: have no default of their own (index 0 or None, no default=; a first value set in st.session_state
#: before the box is drawn), so setting them again gives no warning. WORDED_BOXES: the boxes keyed by a
#: record, a page or a ledger (the record form's fields to correct, a ledger's fields declared absent, an
#: arbitrated field's choice, a page's column and the field it holds). The page chosen in the sidebar is
#: one too: kept in the other language's words, it fell back to the first page on the next switch; so are
#: the keyed expanders (an expander's identity is its label: one open closed on a switch)
WORDED_CHOICES = (
    *("nav", "f_reason", "f_order", "nu_role", "link_pick", "lx_pick", "xc_check", "xc_tier", "completion_level"),
    *("launch_box", "inventory_box"),
)
WORDED_BOXES = re.compile(r"^(pick|absent|pc_col|pc_field)_\d+$|^arb_\d+_\w+$")
_EDIT_BOX = re.compile(r"^(?:edit|nos)_(?P<rid>\d+)_(?P<name>[a-z]\w*)$")


def _reword_code_boxes(user: str, before: str) -> None:
    """After a language switch: a code field's form box still showing its stored code's label in the language
    before (女 / Female) is filled again in the new one; any other box, and a box holding the reviewer's typing
    (a draft, or text not sent yet), keeps what it holds."""
    ss = st.session_state
    typed = {(rid, n) for rid, d in D.of_user(store(), user).items() for n in d}
    for k in list(ss.keys()):
        m = _EDIT_BOX.match(str(k))
        if not m or not k.startswith("edit_") or (int(m["rid"]), m["name"]) in typed:
            continue
        rid, name = int(m["rid"]), m["name"]
        table = _code_tables(rid).get(name)
        if not table:
            continue
        with store().session() as s:
            rec = s.get(Record, rid)
            value = (rec.fields or {}).get(name, {}).get("value") if rec is not None else None
        if ss.get(k) == code_label(table, value, before):
            del ss[k]


def _language_picker(key: str) -> None:
    def changed() -> None:
        lang = st.session_state[key]
        before = st.session_state.get("lang", "zh")
        st.session_state["lang"] = lang
        for k in list(st.session_state.keys()):
            if (k in WORDED_CHOICES or WORDED_BOXES.match(str(k))) and st.session_state.get(k) is not None:
                st.session_state[k] = st.session_state[k]
        acc = st.session_state.get("account")
        if acc is not None:
            set_language(store(), acc.username, lang)
            _reword_code_boxes(acc.username, before)
        else:  # the login page: the choice is kept once the user is known (_enter)
            st.session_state["lang_picked_at_login"] = True

    st.session_state.setdefault(key, st.session_state.get("lang", "zh"))
    st.radio(t("nav.language"), list(LANGUAGES), key=key, format_func=LANGUAGES.get, horizontal=True, on_change=changed)


def login_page() -> None:
    ss = st.session_state
    # after a logout the browser drops the session cookie; a login cut short by a reload is taken up or said
    ss["login_refusals"] = ss.get("login_refusals", 0) + (1 if ss.pop("login_refused_now", False) else 0)
    _login_page_script(bool(ss.pop("clear_cookie", False)), ss["login_refusals"])
    st.title(t("app.title"))
    _language_picker("lang_login")
    notice = st.session_state.pop("login_notice", None)
    if notice:
        st.info(notice)
    failed = st.session_state.get("login_failed")
    if failed:
        kind, until = failed
        if kind == "locked":
            st.error(t("login.locked", until=_when(until)))
        else:
            st.error(t("login.wrong"))
    with st.form("login"):
        st.text_input(t("login.user"), key="login_user")
        st.text_input(t("login.password"), type="password", key="login_password")
        st.form_submit_button(t("login.submit"), type="primary", on_click=_login)


def go(page: str, **state) -> None:
    """Callback: switch screen (set before the navigation widget exists in the next run)."""
    st.session_state["nav"] = page
    st.session_state.update(state)


# ---------------------------------------------------------------------------------------------
def queue_filters() -> R.QueueFilter:
    return R.QueueFilter(
        funeral_home=st.session_state.get("f_home") or None,
        ledger_id=st.session_state.get("f_ledger") or None,
        year=st.session_state.get("f_year") or None,
        reason=st.session_state.get("f_reason") or None,
    )


def _why(reasons: list[str], kind: str) -> str:
    """A queue row's reasons in the reviewer's words: an unfitted capture first, the fields to look at, then
    the other record-level ones."""
    fields = R.kind_fields(kind)
    named, other = R.reason_fields(reasons, fields)
    # a page captured as the thresholds were not fitted on holds every record of it: said first, so the
    # column's visible start tells a reviewer why a record with every field read surely waits
    parts = [record_reason_text(code, params, short=True) for code, params in other if code == "unfitted_capture"]
    if named:
        parts.append(
            t("queue.check_fields", fields=joined(field_label(n, kind) for n in named[:6]) + ("…" if len(named) > 6 else ""))
        )
    parts += [
        record_reason_text(code, params, short=True)
        for code, params in other
        if code not in ("unknown_columns", "unfitted_capture")
    ]
    return clauses(parts)


def queue_page() -> None:
    st.header(t("queue.title"))
    facets = R.queue_facets(store())
    ledger_names = dict(facets.ledgers)
    c = st.columns(5)
    # "all" is the empty selection (None), shown as the placeholder in the reviewer's language: an option
    # None would be taken by Streamlit for "nothing chosen" and show its own English "Choose an option"
    # (after a language switch, for one); a choice is cleared with the box's ×
    every = t("filter.all")
    homes = home_names()  # a reviewer reads the home's name, not its 12-digit code
    c[0].selectbox(
        t("filter.home"),
        facets.funeral_homes,
        index=None,
        key="f_home",
        placeholder=every,
        format_func=lambda code: homes.get(code, code),
    )
    c[1].selectbox(
        t("filter.ledger"),
        list(ledger_names),
        index=None,
        key="f_ledger",
        format_func=lambda v: ledger_names.get(v, str(v)),
        placeholder=every,
    )
    c[2].selectbox(t("filter.year"), facets.years, index=None, key="f_year", format_func=str, placeholder=every)
    c[3].selectbox(
        t("filter.reason"),
        list(R.REASONS),
        index=None,
        key="f_reason",
        format_func=lambda v: t(f"reason.{v}"),
        placeholder=every,
    )
    c[4].selectbox(t("filter.order"), list(R.ORDERS), key="f_order", format_func=lambda v: t(f"order.{v}"))
    ss = st.session_state
    page_no = max(1, int(ss.get("q_page") or 1))  # pages numbered from 1, as the reviewer counts them
    qp = R.queue(store(), queue_filters(), order=ss.get("f_order", "priority"), limit=50, offset=(page_no - 1) * 50)
    n_pages = max(1, -(-qp.total // 50))
    if page_no > n_pages:  # the queue shrank (a filter, records decided): its last page
        page_no = ss["q_page"] = n_pages
        qp = R.queue(store(), queue_filters(), order=ss.get("f_order", "priority"), limit=50, offset=(page_no - 1) * 50)
    st.metric(t("queue.waiting"), qp.total)
    st.button(
        t("queue.start"),
        type="primary",
        key="start",
        on_click=go,
        args=("record",),
        kwargs={"current": None},
        disabled=not qp.total,  # nothing to claim under these filters
    )
    if not qp.items:  # said in words, not an empty table reading Streamlit's English "empty"
        st.info(t("rec.queue_empty"))
    cols = ("record", "ledger", "page", "row", "year", "home", "sureness", "duplicate", "why", "claimed")
    rows = [
        dict(
            zip(
                (t(f"queue.col.{c}") for c in cols),
                (
                    it.record_id,
                    it.ledger,
                    it.page_no,
                    it.row_no,
                    it.year if it.year is not None else "—",
                    homes.get(it.funeral_home, it.funeral_home) if it.funeral_home else "—",
                    t(f"conf.{confidence_level(it.min_confidence, 0.9)}"),
                    t("yes") if it.duplicate else "",
                    _why(it.reasons, it.kind),
                    it.claimed_by or "",
                ),
            )
        )
        for it in qp.items
    ]
    if rows:
        st.dataframe(rows, hide_index=True, key="queue_table", width="stretch")
    if n_pages > 1:
        st.number_input(t("queue.page_of", n=n_pages), 1, n_pages, key="q_page", step=1)
    # the box offers the first record of the queue as shown, until the reviewer types another number
    first = qp.items[0].record_id if qp.items else None
    if "open_id" not in ss or ss.get("open_id") == ss.get("open_id_offered"):
        ss["open_id"] = first
    ss["open_id_offered"] = first
    cc = st.columns([1, 3])
    # no min/max on the box: a number that is no record is said in words (_open_specific), not clamped
    cc[0].number_input(t("queue.open_id"), step=1, key="open_id", placeholder=t("queue.open_placeholder"))
    cc[1].button(t("queue.open"), key="open_btn", on_click=_open_specific)
    show_flash()


def no_such_record(rid: int | None) -> str | None:
    """Why a typed record number opens nothing (None: it names a record)."""
    if rid is None:
        return t("record.none_typed")
    if R.record_status(store(), int(rid)) is not None:
        return None
    numbers = R.record_numbers(store())
    return t("record.none_yet") if numbers is None else t("record.no_such", rid=int(rid), first=numbers[0], last=numbers[1])


def _open_specific() -> None:
    rid = st.session_state.get("open_id")
    why = no_such_record(rid)
    if why is not None:
        flash("error", why)
        return
    go("record", current=int(rid))


# ---------------------------------------------------------------------------------------------
def _claim_current() -> int | None:
    """The record on screen: the one asked for (claimed now when it waits for review) or the next one of the queue."""
    acc, s = me(), store()
    rid = st.session_state.get("current")
    if rid is None:
        rid = R.claim_next(
            s,
            acc.username,
            queue_filters(),
            order=st.session_state.get("f_order", "priority"),
            exclude=st.session_state.get("skipped", set()),
        )
        st.session_state["current"] = rid
        st.session_state.pop("read_only", None)
        if rid is not None:
            st.session_state.setdefault("visited", []).append(rid)
        return rid
    if R.record_status(s, rid) != R.NEEDS_REVIEW:
        st.session_state.pop("read_only", None)  # decided: read only, nothing to claim
        return rid
    try:
        R.claim(s, rid, acc.username)
    except CorrectionError as e:
        st.session_state["read_only"] = _error_text(e)
        return rid
    st.session_state.pop("read_only", None)
    return rid


def _forget(rid: int | None) -> None:
    """Drop the widgets' state of a record left behind."""
    if rid is None:
        return
    for k in [k for k in st.session_state.keys() if isinstance(k, str) and (k.endswith(f"_{rid}") or f"_{rid}_" in k)]:
        del st.session_state[k]
    st.session_state.get("revealed", {}).pop(rid, None)
    st.session_state.get("field_errors", {}).pop(rid, None)
    # unsaved typing stays on the server (pipeline.review.drafts): said on the next page, put back on return


def _next(skip: bool = False) -> None:
    rid = st.session_state.get("current")
    if rid is not None:
        R.release(store(), rid, me().username)
        if skip:
            st.session_state.setdefault("skipped", set()).add(rid)
    _forget(rid)
    st.session_state["current"] = None


def _previous() -> None:
    visited = st.session_state.get("visited", [])
    cur = st.session_state.get("current")
    before = [r for r in visited if r != cur]
    if not before:
        flash("info", t("rec.no_previous"))
        return
    if cur is not None:
        R.release(store(), cur, me().username)
    _forget(cur)
    st.session_state["current"] = before[-1]
    st.session_state["visited"] = before


def _code_tables(rid: int) -> dict[str, str]:
    """field -> its code table, for the record's kind."""
    from mapping.spec import load_spec

    kind = load_spec().kinds.get(R.record_kind(store(), rid) or "")
    if kind is None:
        return {}
    return {n: fs.code_table for n in kind.field_names if (fs := kind.field(n)) is not None and fs.code_table}


def _form_entries(rid: int, names: list[str]) -> dict[str, FieldEntry]:
    """The form's boxes as entries; an English code label typed (or left) in a box is the code's Chinese
    label for the store (i18n.code_text_in), so "Female" left unchanged is unchanged."""
    ss = st.session_state
    tables = _code_tables(rid)
    return {
        n: FieldEntry(code_text_in(tables.get(n), ss.get(f"edit_{rid}_{n}", "") or ""), bool(ss.get(f"nos_{rid}_{n}")))
        for n in names
        if f"edit_{rid}_{n}" in ss
    }


def _my_drafts(rid: int, form: str = D.EDIT) -> dict[str, D.Draft]:
    return D.of_user(store(), me().username, form=form, record_id=rid).get(rid, {})


def _submit_form(rid: int, names: list[str], approve: bool, leave: str | None = None) -> None:
    """Save (and with `approve`, approve) the record's form: one call, the same validation for both.
    `leave` ("skip" / "prev"): the reviewer moves on; what they typed or marked is saved first (nothing
    typed is lost), and a refused text keeps them here. Only Approve counts a value left unchanged as
    checked (核对无误): Save, Skip and Previous save what was typed or marked (session 45: Save confirmed
    every picked box left as it was, a refused Save too, one identical history row each time)."""
    ss = st.session_state
    reason = (ss.get(f"edit_reason_{rid}") or "").strip()
    entries = _form_entries(rid, names)
    draft = _my_drafts(rid)
    if draft:  # typing over values someone else saved since: never saved over them without the reviewer's word
        now = R.record_view(store(), rid, settings())
        stale = D.stale(draft, {f.name: f.form_text for f in now.fields})
        if stale:
            flash("error", t("draft.conflict_save", fields=joined(field_label(n, now.kind) for n in stale)), where=FORM_FLASH)
            return
    try:
        out = review_form(
            store(),
            rid,
            entries,
            user=me().username,
            settings=settings(),
            reason=reason,
            approve=approve,
            require_claim=True,
            confirm_unchanged=approve,  # Approve vouches for the values left as shown; Save keeps what changed
        )
    except BackfillError as e:
        flash("error", _error_text(e), where=FORM_FLASH)
        return
    errors = {r.field: r for r in out.refused}  # worded when shown: in the language of that moment
    ss.setdefault("field_errors", {})[rid] = errors
    # saved (or left as stored): no longer unsaved; a refused text stays a draft
    D.drop(store(), me().username, rid, [n for n in draft if n not in errors])
    view = None
    if out.changes or out.marked:
        view = R.record_view(store(), rid, settings())
        shown = {f.name: box_text(f) for f in view.fields}
        for n in entries:  # saved fields show their value as stored; refused ones keep the reviewer's text
            if n not in errors:
                ss[f"edit_{rid}_{n}"] = "" if ss.get(f"nos_{rid}_{n}") else shown.get(n, "")
    if out.changes:
        log.info("record %s: %d field(s) corrected", rid, len(out.changes))
    kind = R.record_kind(store(), rid)
    if out.approved:
        log.info("record %s approved", rid)
        flash("success", t("rec.approved", rid=rid))
        _next()
        return
    if errors:
        flash("error", t("rec.refused_fields", fields=joined(field_label(n, kind) for n in errors)), where=FORM_FLASH)
    if leave is not None:
        if errors:
            return  # the reviewer's text stays in the box, in red: fix it or clear it before moving on
        if out.changes or out.marked:
            flash(
                "success",
                t("rec.saved", fields=joined(field_label(n, kind) for n in [c.field for c in out.changes] + out.marked)),
            )
        if leave == "skip":
            _next(skip=True)
        else:
            _previous()
        return
    if approve and (out.gaps or out.refused):
        columns = {f.name: f.column for f in R.record_view(store(), rid, settings()).fields} if out.gaps else {}
        listed = clauses(
            f"{field_label(g.field, kind)}{colon()}"
            + gap_text("mandatory_no_column" if g.code == "mandatory_empty" and columns.get(g.field) == "no_column" else g.code)
            for g in out.gaps
        )  # a field the register has no column for: not "type it from the scan" (queue.field_reasons)
        flash("error", t("rec.not_approved", why=listed or t("rec.fix_red")), where=FORM_FLASH)
    elif not approve and not errors:
        saved = [c.field for c in out.changes] + out.marked + out.confirmed
        flash(
            "success" if saved else "info",
            t("rec.saved", fields=joined(field_label(n, kind) for n in saved)) if saved else t("rec.nothing_changed"),
            where=FORM_FLASH,
        )


def _reject(rid: int) -> None:
    reason = (st.session_state.get(f"reject_reason_{rid}") or "").strip()
    if not reason:  # said with the box's own name, under the buttons (not "this needs a reason")
        flash("error", t("err.reject_needs_reason"), where=FORM_FLASH)
        return
    try:
        decide(store(), rid, REJECTED, user=me().username, reason=reason, require_claim=True)
    except BackfillError as e:
        flash("error", _error_text(e), where=FORM_FLASH)
        return
    D.drop(store(), me().username, rid, form=None)  # decided: nothing left to save
    flash("success", t("rec.rejected", rid=rid))
    _next()


def _reopen(rid: int) -> None:
    reason = (st.session_state.get(f"reopen_reason_{rid}") or "").strip()
    if not reason:
        flash("error", t("err.reopen_needs_reason"))
        return
    try:
        reopen(store(), rid, user=me().username, reason=reason)
    except BackfillError as e:
        flash("error", _error_text(e))
        return
    log.info("record %s reopened by %s", rid, me().username)
    flash("success", t("rec.reopened", rid=rid))


def _reveal(rid: int, name: str) -> None:
    reason = (st.session_state.get(f"reveal_why_{rid}") or "").strip()
    if not reason:
        flash("error", t("err.reveal_needs_reason"), where=REVEAL_FLASH)
        return
    try:
        R.reveal(store(), rid, name, user=me().username, reason=reason, require_claim=not me().can("admin"))
    except BackfillError as e:
        flash("error", _error_text(e), where=REVEAL_FLASH)
        return
    st.session_state.setdefault("revealed", {}).setdefault(rid, set()).add(name)


def _reveal_buttons(rid: int, view: R.RecordView, names: list[str], revealed: set[str], label: str) -> list[str]:
    """A logged reveal button (R.reveal) for each of `names` masked on screen (R.masked_on_screen), in the
    record form ("form.reveal": its box) and the blind form ("blind.reveal": its scan only), under one box
    asking why (kept with who and when; nothing is shown without it); the names masked."""
    by_name = {f.name: f for f in view.fields}
    locked = [n for n in names if R.masked_on_screen(by_name[n], revealed)]
    if locked:
        st.text_input(t("form.reveal_why"), key=f"reveal_why_{rid}", help=t("form.reveal_help"))
    for n in locked:
        st.button(
            t(label, field=field_label(n, view.kind)),
            key=f"reveal_{rid}_{n}",
            on_click=_reveal,
            args=(rid, n),
            help=t("form.reveal_help"),
        )
    show_flash(REVEAL_FLASH)  # a reveal refused: said under its button
    return locked


def _submit_blind(rid: int, names: list[str]) -> None:
    tables = _code_tables(rid)  # an English label keyed ("Female") is the code's Chinese label (女)
    typed = {n: code_text_in(tables.get(n), st.session_state.get(f"blind_{rid}_{n}", "") or "") for n in names}
    try:
        out = R.submit_blind(store(), rid, typed, user=me().username, settings=settings())
    except BackfillError as e:
        flash("error", _error_text(e))
        return
    D.drop(store(), me().username, rid, form=D.BLIND)
    kind = R.record_kind(store(), rid)
    if out.disputed:
        flash("warning", t("blind.disputed", rid=rid, fields=joined(field_label(n, kind) for n in out.disputed)))
    elif out.approved:
        flash("success", t("blind.agreed", rid=rid))
    else:
        flash("info", t("blind.agreed_more", rid=rid, fields=joined(field_label(n, kind) for n in out.gaps)))
    _forget(rid)
    st.session_state["current"] = None


def _png(img: np.ndarray) -> bytes:
    """PNG bytes of an RGB (or grey) image."""
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise BackfillError("could not encode an image crop as PNG")
    return buf.tobytes()


def _uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@st.cache_data(max_entries=2000, show_spinner=False)
def _crop_uri(data_dir: str, sha: str, box: tuple[int, int, int, int]) -> str | None:
    """A field's cell crop as a small inline PNG (data URI), cached per (image, box)."""
    img = page_image(sha)
    crop = R.cell_crop(img, box) if img is not None else None
    return None if crop is None else _uri(_png(crop))


def _cell_uri(view: R.RecordView, box) -> str | None:
    """A cell's crop of the record's page (None: no scan, no box, or the image gone)."""
    if not view.clean_image or not box:
        return None
    try:
        return _crop_uri(settings().data_dir, view.clean_image, tuple(int(v) for v in box))
    except FileNotFoundError:
        return None


@st.cache_data(max_entries=200, show_spinner=False)
def _strip(data_dir: str, sha: str, boxes: tuple, hide: tuple) -> tuple[str, int, int] | None:
    """The scanned row (personal numbers greyed out): (data URI, width, height), cached."""
    img = page_image(sha)
    strip = R.row_strip(img, list(boxes), hide=list(hide)) if img is not None else None
    return None if strip is None else (_uri(_png(strip)), int(strip.shape[1]), int(strip.shape[0]))


def _strip_html(view: R.RecordView, hidden: set[str], zoom: float, caption: str) -> str | None:
    """The row of the scan at a legible size: scaled like the field crops (a cell as tall as a crop),
    times the reviewer's zoom, never smaller than a crop; wider than the screen, it scrolls sideways."""
    if not view.clean_image or not view.row_boxes:
        return None
    hide = tuple(f.box for f in view.fields if f.box and f.name in hidden)
    try:
        got = _strip(settings().data_dir, view.clean_image, tuple(view.row_boxes), hide)
    except FileNotFoundError:
        got = None
    if got is None:
        return None
    uri, w, h = got
    cell_h = float(np.median([b[3] - b[1] for b in view.row_boxes])) or float(h)
    scale = max(CROP_HEIGHT / max(cell_h, 1.0), CROP_HEIGHT / max(h, 1.0)) * zoom
    return (
        f"<div data-testid='row-strip' style='overflow-x:auto;border:1px solid #ddd;padding:2px'>"
        f"<img src='{uri}' alt='{html.escape(caption)}' style='height:{round(h * scale)}px;width:{round(w * scale)}px;"
        f"max-width:none'></div><div style='color:#777;font-size:0.85em;overflow-wrap:anywhere'>{html.escape(caption)}</div>"
    )


def _scan_row(view: R.RecordView, hidden: set[str], key: str = "zoom") -> None:
    zooms = [1.0, 1.5, 2.0, 3.0]
    st.session_state.setdefault(key, 1.0)
    caption = t("rec.strip_caption", ledger=view.ledger, page=view.page_no, row=view.row_no)
    got = _strip_html(view, hidden, float(st.session_state.get(key) or 1.0), caption)
    if got is None:
        st.info(t("rec.no_scan"))
        return
    st.html(got)
    st.radio(t("rec.zoom"), zooms, key=key, horizontal=True, format_func=lambda z: f"{z:g}×")


_E = html.escape
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:=])")


def _md(text: object) -> str:
    """Text put into Markdown (a caption) that shows as it is: a file name such as "..\\..\\a_b*.jpg" or
    a title read by OCR lost its backslashes, turned italic or math; each Markdown sign is escaped."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


_CELL = "padding:4px 8px;border-bottom:1px solid #e6e6e6;vertical-align:middle"
_LOOK_BG, _DONE_BG = "#ffe9cc", "#dcebff"
_LEVEL_COLOUR = {"high": "#2e7d32", "ok": "#689f38", "low": "#ef6c00", "very_low": "#c62828"}


def _bar(f: R.FieldView) -> str:
    """A field's confidence as words and a bar (nothing where there is no reading to be sure of)."""
    if f.column in ("no_column", "absent", "context") or f.corrected or f.value in (None, ""):
        return ""  # nothing read to be sure of
    level = confidence_level(f.confidence, f.threshold)
    colour = _LEVEL_COLOUR[level]
    pct = max(3, round(100 * f.confidence))
    return (
        f"<div style='font-size:0.8em;color:{colour}'>{_E(t('conf.' + level))}</div>"
        f"<div title='{f.confidence:.2f}' style='height:5px;width:90px;background:#eee;border-radius:3px'>"
        f"<div style='height:5px;width:{pct}%;background:{colour};border-radius:3px'></div></div>"
    )


def _when(at: datetime | str | None) -> str:
    """A time said to a reviewer (a word on a field, a decision, a lock's end), in the archive's zone, to the minute."""
    return local_time(at, settings().zone, seconds=False)


def _state_text(f: R.FieldView, kind: str) -> str:
    """What a reviewer's word on the field is, if any: who said it and when (every correction, confirmation
    and mark keeps both; a corrected field said only 已更正, session 45)."""
    if f.review and f.review["action"] == "not_on_scan" and f.value in (None, ""):
        why = f"{colon()}{f.review['reason']}" if f.review.get("reason") else ""
        return t("rec.marked_by", user=f.review["user"], at=_when(f.review["at"])) + why
    if f.corrected and f.value not in (None, ""):
        if f.corrected_by:
            return t("rec.corrected_by", user=f.corrected_by["user"], at=_when(f.corrected_by["at"]))
        return t("rec.corrected")  # typed before the audit trail named the field (no "edit" row of it)
    if f.review and f.review["action"] == "confirmed" and f.reviewed:
        return t("rec.confirmed_by", user=f.review["user"], at=_when(f.review["at"]))
    return ""


def _reason_text(f: R.FieldView, code: str, masked: bool, blind: bool) -> str:
    """One reason of a field's 说明 (R.field_reasons' code): two readings that disagree say the other reading,
    masked as the value is until revealed (the flag's own words send the reviewer to a cell never shown);
    never to a keyer keying the field blind (two-keyer mode: no reading of it is shown)."""
    if code.startswith("gap."):
        return gap_text(code[4:])
    if code == "engines_disagree" and f.second_reading and not blind:
        other = R.mask_for_screen(f.name, f.second_reading) if masked else f.second_reading
        return t("issue.engines_disagree_other", other=other)
    return flag_text(code)


def _field_cells(view: R.RecordView, f: R.FieldView, revealed: set[str], blind: bool) -> str:
    masked = R.masked_on_screen(f, revealed)
    mand = f"<span style='color:#c62828' title='{_E(t('rec.mandatory'))}'>*</span>" if f.mandatory else ""
    name = f"<b>{_E(field_label(f.name, view.kind))}</b>{mand}<br><span style='color:#777;font-size:0.8em'>{_E(f.name)}</span>"
    state = _state_text(f, view.kind)
    if f.gap:
        name += f"<br><span style='color:#b35c00;font-size:0.8em;font-weight:600'>{_E(t('rec.to_check'))}</span>"
    elif state:
        name += f"<br><span style='color:#1f5fbf;font-size:0.8em;font-weight:600'>{_E(state)}</span>"
    if masked:
        crop = f"<span style='color:#777;font-size:0.85em'>{_E(t('rec.scan_hidden'))}</span>"
    else:
        uri = _cell_uri(view, f.box)
        missing = t(f"column.{R.column_shown(f)}") if f.column != "cell" or view.clean_image else t("rec.no_scan_short")
        crop = (
            f"<img src='{uri}' alt='{_E(t('rec.scan_of', field=field_label(f.name, view.kind)))}' "
            f"style='height:{CROP_HEIGHT}px;max-width:100%;object-fit:contain'>"
            if uri
            else f"<span style='color:#777;font-size:0.85em'>{_E(missing)}</span>"
        )
    if blind:
        value = f"<i>{_E(t('blind.hidden'))}</i>"
    else:
        shown = R.screen_value(f, unmasked=not masked, label_of=code_label)
        value = f"<code style='font-size:1.05em'>{_E(shown)}</code>" if shown else "—"
        read = f.raw if not f.corrected else (f.ocr_text or "")
        if read and read.strip() not in (f.form_text.strip(), str(f.value or "")) and not masked:
            value += f"<br><span style='color:#777;font-size:0.8em'>{_E(t('rec.read_as', text=read))}</span>"
        value += _bar(f)
    why = [_reason_text(f, code, masked, blind) for code in R.field_reasons(f)]
    if state and f.review and f.review["action"] == "not_on_scan":
        why.append(state)
    why_html = "<br>".join(
        [f"<span style='color:#b35c00'>{_E(w)}</span>" for w in why]
        + [
            f"<span style='color:#777;font-size:0.85em'>{_E(n)}</span>"
            # a value derived from the ID says so in its scan cell (R.FROM_ID): not twice
            for n in note_texts([x for x in f.flags if not (x == "derived_from_id" and f.column == R.FROM_ID)])
        ]
    )
    bg = f"background:{_LOOK_BG};" if f.gap else (f"background:{_DONE_BG};" if state else "")
    return (
        f"<tr data-field='{_E(f.name)}'><td style='{bg}{_CELL};width:16%'>{name}</td><td style='{_CELL};width:26%'>{crop}</td>"
        f"<td style='{_CELL};width:26%'>{value}</td><td style='{_CELL}'>{why_html}</td></tr>"
    )


def _field_table(view: R.RecordView, revealed: set[str], blind_names: set[str]) -> None:
    """Every field in ONE element (a table): label, cell crop, value, reasons. One element instead of
    five per field keeps approve → next record fast in the browser."""
    rows = "".join(_field_cells(view, f, revealed, f.name in blind_names) for f in view.fields)
    head = "".join(
        f"<th style='{_CELL};text-align:left;color:#555'>{_E(t('rec.col.' + h))}</th>" for h in ("field", "scan", "value", "why")
    )
    st.html(
        f"<table style='width:100%;border-collapse:collapse;font-size:0.95em'><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _other_cells(view: R.RecordView) -> None:
    """Cells of columns whose header was not recognized: a missing field may be one of them."""
    if not view.other_cells or not any(f.column == "unknown_column" for f in view.fields):
        return
    rows = []
    for c in view.other_cells:
        uri = _cell_uri(view, c.box)
        img = f"<img src='{uri}' style='height:{CROP_HEIGHT}px;max-width:100%;object-fit:contain'>" if uri else "—"
        rows.append(
            f"<tr><td style='{_CELL}'>{_E(t('rec.column_no', n=c.column + 1))}<br>"
            f"<span style='color:#777;font-size:0.8em'>{_E(t('rec.header_read', text=c.header or '—'))}</span></td>"
            f"<td style='{_CELL}'>{img}</td><td style='{_CELL}'><code>{_E(c.text)}</code></td></tr>"
        )
    st.caption(t("rec.other_columns"))
    st.html(f"<table data-testid='other-columns' style='border-collapse:collapse;font-size:0.95em'>{''.join(rows)}</table>")


#: the column picker's choice for a column that holds no field of ours (pipeline.review.columns: None);
#: a comment, not a docstring: Streamlit's magic would show a bare string of the app's script on screen
NO_FIELD = "__none__"


def _set_column(rid: int, page_id: int, cols: PageColumns) -> None:
    """The reviewer's word on one column of the record's page (set_column_field); a wrong input is said."""
    ss = st.session_state
    column = ss.get(f"pc_col_{page_id}")
    picked = ss.get(f"pc_field_{page_id}")
    why = (ss.get(f"pc_why_{page_id}") or "").strip()
    if column is None or picked is None:
        return
    field = None if picked == NO_FIELD else picked
    if not why:
        flash("error", t("cols.need_why"))
        return
    held = next((c for c in cols.columns if field is not None and c.field == field and c.index != column), None)
    if held is not None and held.field is not None:
        flash("error", t("cols.held", n=held.index + 1, field=field_label(held.field, cols.kind)))
        return
    try:
        pages = set_column_field(
            store(),
            page_id,
            int(column),
            field,
            me().username,
            why,
            bool(ss.get(f"pc_volume_{page_id}", True)),
            settings=settings(),
        )
    except BackfillError as e:
        flash("error", _error_text(e))
        return
    ss[f"pc_why_{page_id}"] = ""
    ss.pop(f"pc_field_{page_id}", None)  # shown again as the field the column now holds
    flash("success", t("cols.saved", n=int(column) + 1, pages=len(pages)))


def _page_columns(rid: int, view: R.RecordView) -> None:
    """On a record whose page has a column in doubt or not recognized: the page's columns (header as read,
    field, doubt in words) and, for a reviewer or an administrator, the control that says once which field
    a column holds (pipeline.review.columns.set_column_field): the page is mapped again, and the record
    view with it."""
    column_reason = any(code in ("column_unsure", "unknown_columns") for code, _p in view.record_reasons)
    cols = page_columns(store(), view.page_id, settings())
    if not (column_reason or cols.in_doubt) or not cols.columns:
        return

    def field_words(c) -> str:
        if c.field is None:
            return t("cols.none") if c.decided_by else t("cols.unassigned")
        return field_label(c.field, view.kind) if c.field != "row_no" else t("cols.serial")

    def doubt_words(c) -> str:
        if c.decided_by:
            return t(
                "cols.set_by",
                user=c.decided_by,
                at=_when(c.decided_at),
                why=c.decided_why or "",
            )
        return clauses(dict.fromkeys(column_doubt_text(r) for r in c.doubts)) if c.doubts else ""

    with st.expander(t("cols.title"), expanded=True):
        st.caption(t("cols.help"))
        st.dataframe(
            [
                {
                    t("cols.col.column"): c.index + 1,
                    t("cols.col.header"): c.header or "—",
                    t("cols.col.field"): field_words(c),
                    t("cols.col.doubt"): doubt_words(c),
                }
                for c in cols.columns
            ],
            hide_index=True,
            width="stretch",
            height=36 * (len(cols.columns) + 1) + 3,  # every column in sight, no scrolling inside the table
            key=f"pc_table_{view.page_id}",
        )
        if not me().can("review"):
            return
        pid = view.page_id
        ss = st.session_state
        by_index = {c.index: c for c in cols.columns}
        if ss.get(f"pc_col_{pid}") not in by_index:  # the first column in doubt or without a field comes first
            doubted = [c.index for c in cols.columns if assignment_doubts(c) or c.field is None]
            ss[f"pc_col_{pid}"] = doubted[0] if doubted else 0
            ss.pop(f"pc_field_{pid}", None)
        if ss.get(f"pc_field_{pid}") is None:  # the field it is mapped as now, to confirm or change
            ss[f"pc_field_{pid}"] = by_index[ss[f"pc_col_{pid}"]].field or NO_FIELD
        st.selectbox(
            t("cols.pick_column"),
            list(by_index),
            key=f"pc_col_{pid}",
            format_func=lambda i: f"{t('rec.column_no', n=i + 1)} · {by_index[i].header or '—'}",
            on_change=lambda: ss.pop(f"pc_field_{pid}", None),
        )
        with st.form(f"pc_form_{pid}"):
            st.selectbox(
                t("cols.pick_field"),
                [NO_FIELD, *cols.fields],
                key=f"pc_field_{pid}",
                format_func=lambda f: (
                    t("cols.none") if f == NO_FIELD else field_label(f, view.kind) if f != "row_no" else t("cols.serial")
                ),
            )
            st.checkbox(t("cols.volume"), value=True, key=f"pc_volume_{pid}")
            st.text_input(t("cols.why"), key=f"pc_why_{pid}")
            st.form_submit_button(t("cols.confirm"), on_click=_set_column, args=(rid, pid, cols))


def _reject_button(where: DeltaGenerator, rid: int) -> None:
    """Reject, asking why in a popover that opens under its button. Placed with the record's other actions:
    alone at the top of the form it stood mid-page, one column in, over the scanned row, far from
    Approve / Save."""
    with where.popover(t("rec.reject") + "…"):
        st.text_input(t("rec.reject_reason"), key=f"reject_reason_{rid}")
        st.button(t("rec.reject"), key="reject", type="primary", on_click=_reject, args=(rid,))


def _nav_buttons(rid: int, view: R.RecordView, read_only: bool, in_form: bool) -> None:
    """Skip / previous (here unless the record's form holds them: then they save what was typed first),
    reject, or an administrator's reopen."""
    b = st.columns([1, 1, 1, 3])
    if not in_form:
        b[0].button(t("rec.skip") + f" ({SHORTCUTS['skip']})", key="skip", on_click=_next, kwargs={"skip": True})
        b[1].button(t("rec.previous") + f" ({SHORTCUTS['prev']})", key="prev", on_click=_previous)
    if not read_only:
        if not in_form:  # else the form's row of buttons holds it, beside Approve / Save (_reject_button)
            _reject_button(b[2], rid)
    elif me().can("admin") and view.status != R.NEEDS_REVIEW:
        # the reason and its button in one st.form: leaving the reason box (Tab, a click beside it) reran the
        # page and closed the popover before its button could be pressed (session 46, in Chromium)
        with b[2].popover(t("rec.reopen") + "…"), st.form(f"reopen_form_{rid}", border=False):
            st.text_input(t("rec.reopen_reason"), key=f"reopen_reason_{rid}")
            st.form_submit_button(t("rec.reopen"), key="reopen", on_click=_reopen, args=(rid,))


@st.fragment
def record_panel() -> None:
    try:  # a fragment's run does not pass through main's: its errors are said here
        _record_panel()
    except BackfillError as e:
        st.session_state.pop(FORM_ON_SCREEN, None)
        st.error(page_error(e))
    for where in (FORM_FLASH, REVEAL_FLASH):  # not shown where they belong (read-only now ...): said here, not lost
        show_flash(where)


def _record_panel() -> None:
    if not _keep_alive():
        st.rerun()
    rid = _claim_current()
    if rid is not None and rid in st.session_state.get("notice_listed", ()):
        # the page's 有未保存的修改 notice (drawn by the page's run, not this fragment's) names the record now on
        # screen (approve / reject / skip / previous moved on to it): the whole page is drawn again
        st.rerun(scope="app")
    show_flash()
    _to_url()  # a fragment's run: the record moved on (approve, skip) without the page's run
    if rid is None:
        st.session_state.pop(FORM_ON_SCREEN, None)
        st.success(t("rec.queue_empty"))
        if st.button(t("rec.back_to_queue"), key="back_to_queue"):
            go("queue")
            st.rerun()
        return
    try:
        view = R.record_view(store(), rid, settings())
    except CorrectionError as e:
        st.session_state.pop(FORM_ON_SCREEN, None)
        st.error(_error_text(e))
        return
    held_by_other = st.session_state.get("read_only")
    read_only = bool(held_by_other) or view.read_only
    st.subheader(t("rec.heading", rid=rid, kind=t(f"kind.{view.kind}"), status=t(f"status.{view.status}")))
    st.caption(t("rec.where", title=_md(view.title), ledger=_md(view.ledger), page=view.page_no, row=view.row_no))
    if held_by_other:
        st.warning(held_by_other + " — " + t("rec.read_only"))
    elif view.read_only:
        st.info(t(f"rec.read_only_{view.status}"))
    blind = view.two_keyer and not read_only and not view.blind
    _nav_buttons(rid, view, read_only, in_form=not read_only and not blind)
    for code, params in view.record_reasons:
        if code != "unknown_columns":
            st.warning(record_reason_text(code, params))
    for lk in view.links:
        st.warning(t("rec.duplicate", other=lk["other"]))
    revealed = st.session_state.get("revealed", {}).get(rid, set())
    blind_names = R.blind_fields(view) if blind else []
    hidden = {f.name for f in view.fields if R.masked_on_screen(f, revealed)}
    _scan_row(view, hidden)
    _field_table(view, revealed, set(blind_names))
    _other_cells(view)
    _page_columns(rid, view)
    if read_only:
        st.session_state.pop(FORM_ON_SCREEN, None)
        left = {**_my_drafts(rid), **_my_drafts(rid, D.BLIND)}
        if left:  # typed before someone else took or decided the record: said, never saved over it
            c = st.columns([6, 1])
            c[0].warning(t("draft.blocked", fields=joined(field_label(n, view.kind) for n in left)))
            c[1].button(t("draft.discard"), key=f"draft_discard_{rid}", on_click=_discard_draft, args=(rid,))
        return
    if blind:
        _blind_form(rid, view, blind_names, revealed)
        return
    _record_form(rid, view, revealed)


def _blind_form(rid: int, view: R.RecordView, names: list[str], revealed: set[str]) -> None:
    """Two-keyer blind keying. Not an st.form (its boxes were sent only when submitted: typing left for
    another page was lost): each box sends its value as it is left and unsaved typing is kept on the server
    like the record form's (pipeline.review.drafts, form "blind"), put back with a notice on return.
    An ID or phone to key is masked on the scan like everywhere (R.masked_on_screen): the keyer reveals
    its scan (a logged reveal, as in the record form) to read it; the OCR value stays hidden (blind)."""
    ss = st.session_state
    _reveal_buttons(rid, view, names, revealed, "blind.reveal")
    st.info(t("blind.explain"))
    fresh = _form_entered(D.BLIND, rid)
    draft = _my_drafts(rid, D.BLIND)
    restored = ss.setdefault(f"brestored_{rid}", set())
    restored |= {n for n in names if n in draft and (fresh or f"blind_{rid}_{n}" not in ss)}
    restored &= set(draft)
    if restored:
        c = st.columns([6, 1])
        c[0].warning(t("draft.restored_blind", fields=joined(field_label(n, view.kind) for n in names if n in restored)))
        c[1].button(t("draft.discard"), key=f"draft_discard_{rid}", on_click=_discard_draft, args=(rid,))
    with st.container(key=f"blind_{rid}", border=True):
        for n in names:
            if fresh or f"blind_{rid}_{n}" not in ss:
                ss[f"blind_{rid}_{n}"] = draft[n].text if n in draft else ""
            st.text_input(
                field_label(n, view.kind), key=f"blind_{rid}_{n}", on_change=_keep_draft, args=(rid, n, "", "", D.BLIND)
            )
        st.button(t("blind.submit"), type="primary", key="blind_submit", on_click=_submit_blind, args=(rid, names))


#: the record form the last run drew: (form, record id), none on any other screen. A box's change is the
#: reviewer's typing only while its form is on screen. A click sent before the run that left the form had
#: finished (a quick reviewer, a loaded server) comes with that form's boxes again, as the browser still held
#: them, and Streamlit calls their on_change: seen under load, a sex box the reviewer never touched came back
#: empty, was kept as a draft and refused at the next save ("a mandatory field cannot be emptied").
FORM_ON_SCREEN = "form_on_screen"


def _form_entered(form: str, rid: int) -> bool:
    """Say which form this run draws; True when it was not on screen in the run before (a new visit: its
    boxes are set from the drafts and the stored values, never from what the browser last held)."""
    ss = st.session_state
    fresh = ss.get(FORM_ON_SCREEN) != (form, rid)
    ss[FORM_ON_SCREEN] = (form, rid)
    return fresh


def _keep_draft(rid: int, name: str, shown: str, base: str, form: str = D.EDIT) -> None:
    """on_change of a form box: what the reviewer typed or marked and did not save yet, kept on the server
    per reviewer and record (pipeline.review.drafts) so that it survives leaving the record (another page,
    another record), a reload (F5) or a dropped connection, and is put back, with a notice, on return.
    `shown`: the box's untouched text (typing it back is no draft); `base`: the stored form text typed over.
    A change arriving when the form is no longer on screen is no typing (FORM_ON_SCREEN): ignored."""
    ss = st.session_state
    if ss.get(FORM_ON_SCREEN) != (form, rid):
        log.debug("record %s: change of %s ignored, its form is not on screen", rid, name)
        return
    box = "edit" if form == D.EDIT else "blind"
    text = ss.get(f"{box}_{rid}_{name}", "") or ""
    nos = bool(ss.get(f"nos_{rid}_{name}")) if form == D.EDIT else False
    D.leave(store(), me().username, rid, name, text, nos, shown, base, form=form)


def _drop_boxes(rid: int, names) -> None:
    ss = st.session_state
    for name in names:
        for box in ("edit", "nos", "blind"):
            ss.pop(f"{box}_{rid}_{name}", None)


def _discard_draft(rid: int) -> None:
    """Callback: drop a record's unsaved typing (both forms); its boxes show the stored values again."""
    user = me().username
    names = {n for form in D.FORMS for n in D.of_user(store(), user, form=form, record_id=rid).get(rid, {})}
    D.drop(store(), user, rid, form=None)
    _drop_boxes(rid, names)
    flash("info", t("draft.discarded", rid=rid))


def _keep_mine(rid: int, stored: dict[str, str]) -> None:
    """Callback: the reviewer keeps their typing over values saved since by someone else; it is put back."""
    D.rebase(store(), me().username, rid, stored)
    _drop_boxes(rid, stored)


def _take_stored(rid: int, names: list[str]) -> None:
    """Callback: the reviewer takes the values saved since; their typing of those fields is dropped."""
    D.drop(store(), me().username, rid, names)
    _drop_boxes(rid, names)


def unsaved_notice() -> None:
    """On any page but the record's own: the records left with unsaved typing (kept on the server, so after
    a reload too), each with 返回 / 放弃; a record decided since says its typing cannot be saved."""
    ss = st.session_state
    here = ss.get("current") if ss.get("nav") == "record" else None
    user = me().username
    left: dict[int, list[str]] = {}
    for form in D.FORMS:
        for rid, draft in D.of_user(store(), user, form=form).items():
            left.setdefault(rid, []).extend(n for n in draft if n not in left.get(rid, []))
    # the records it names: the record fragment moving on to one of them reruns the page (_record_panel)
    ss["notice_listed"] = {rid for rid, names in left.items() if rid != here and names}
    for rid, names in left.items():
        if rid == here or not names:
            continue
        kind = R.record_kind(store(), rid)
        fields = joined(field_label(n, kind) for n in names)
        status = R.record_status(store(), rid)
        c = st.columns([6, 1, 1])
        if status is not None and status != R.NEEDS_REVIEW:
            c[0].warning(t("draft.decided", rid=rid, fields=fields, status=t(f"status.{status}")))
        else:
            c[0].warning(t("draft.elsewhere", rid=rid, fields=fields))
        decided = status is not None and status != R.NEEDS_REVIEW  # its typing cannot be saved: look, not go back to save
        c[1].button(
            t("draft.view" if decided else "draft.back"),
            key=f"draft_back_{rid}",
            on_click=go,
            args=("record",),
            kwargs={"current": rid},
        )
        c[2].button(t("draft.discard"), key=f"draft_discard_{rid}", on_click=_discard_draft, args=(rid,))


def _confirm_field(rid: int, name: str, shown: str, stored: str) -> None:
    """Callback of a field's 核对无误: the reviewer says this one value, as stored and shown, is right - kept
    at once with who and when (a FieldReview and its record_changes row), without approving the record
    (since session 45 only Approve confirmed the values left unchanged; Save, Skip and Previous confirm
    nothing). Unsaved typing in its box is not what is confirmed: said, nothing stored."""
    ss = st.session_state
    kind = R.record_kind(store(), rid)
    if (ss.get(f"edit_{rid}_{name}") or "") != shown or ss.get(f"nos_{rid}_{name}"):
        flash("warning", t("form.confirm_typed", field=field_label(name, kind)), where=FORM_FLASH)
        return
    try:
        out = review_form(
            store(),
            rid,
            {name: FieldEntry(stored, confirmed=True)},
            user=me().username,
            settings=settings(),
            reason=(ss.get(f"edit_reason_{rid}") or "").strip(),
            require_claim=True,
            confirm_unchanged=False,
        )
    except BackfillError as e:
        flash("error", _error_text(e), where=FORM_FLASH)
        return
    errors = ss.setdefault("field_errors", {}).setdefault(rid, {})
    errors.pop(name, None)
    if out.refused:
        errors[name] = out.refused[0]
        ss.pop(f"edit_{rid}_{name}", None)  # the box shows the value stored now
        return
    log.info("record %s: %s confirmed", rid, name)
    flash("success", t("form.confirmed", field=field_label(name, kind)), where=FORM_FLASH)


def _confirm_control(where: Any, rid: int, f: R.FieldView, stale: bool) -> None:
    """Beside a field's box: 核对无误 for a value nobody has vouched for yet; who and when once one has."""
    if f.reviewed:
        where.caption(_state_text(f, ""))
        return
    if f.value in (None, ""):
        return  # nothing to confirm: "not on the scan" says the paper holds none
    where.button(
        t("form.confirm"),
        key=f"ok_{rid}_{f.name}",
        help=t("form.confirm_help"),
        disabled=stale,
        on_click=_confirm_field,
        args=(rid, f.name, box_text(f), f.form_text),
    )


def _record_form(rid: int, view: R.RecordView, revealed: set[str]) -> None:
    """The correction form. Its boxes are not inside an st.form: a form sends its boxes only when submitted,
    so text typed and left by another page or record was lost without a word. Outside a form each box
    sends its value as it is left (blur, Enter); Approve / Save / Skip / Previous read them the same way."""
    ss = st.session_state
    fresh = _form_entered(D.EDIT, rid)
    by_name = {f.name: f for f in view.fields}
    draft = _my_drafts(rid)
    stale = set(D.stale(draft, {f.name: f.form_text for f in view.fields}))  # saved by someone else since
    default = [f.name for f in view.fields if f.gap or (f.needs_look and not f.reviewed)]
    default += [n for n in draft if n not in default]
    if fresh:  # not what the browser last held for this record's boxes (FORM_ON_SCREEN)
        ss[f"pick_{rid}"] = default
    ss.setdefault(f"pick_{rid}", default)  # not default=: the box is set again on a language switch (WORDED_BOXES)
    for n in draft:  # typed before leaving the record: back in its box (the pick keeps it shown)
        if n not in ss[f"pick_{rid}"]:
            ss[f"pick_{rid}"] = [*ss[f"pick_{rid}"], n]
    names = st.multiselect(
        t("form.pick"),
        [f.name for f in view.fields],
        key=f"pick_{rid}",
        format_func=lambda n: field_label(n, view.kind),
        help=t("form.pick_help"),
        placeholder=t("form.pick_placeholder"),  # not Streamlit's English "Choose options"
    )
    locked = _reveal_buttons(rid, view, names, revealed, "form.reveal")
    open_names = [n for n in names if n not in locked]
    errors = ss.get("field_errors", {}).get(rid, {})
    # typed before leaving the record and put back: said until saved or discarded, at once for a field
    # masked again (a reload ends the reveal; its box comes back once revealed), its text masked as it is
    restored = ss.setdefault(f"restored_{rid}", set())
    restored |= {n for n in names if n in draft and n not in stale and (fresh or f"edit_{rid}_{n}" not in ss)}
    restored &= set(draft) - stale
    if stale:  # not put back silently, never saved over the new value: the reviewer chooses
        c = st.columns([4, 1, 1])
        c[0].warning(t("draft.conflict", fields=joined(field_label(n, view.kind) for n in sorted(stale))))
        c[1].button(
            t("draft.keep_mine"),
            key=f"draft_mine_{rid}",
            on_click=_keep_mine,
            args=(rid, {n: by_name[n].form_text for n in stale}),
        )
        c[2].button(t("draft.take_stored"), key=f"draft_theirs_{rid}", on_click=_take_stored, args=(rid, sorted(stale)))
    if restored:
        c = st.columns([6, 1])
        shown = [n for n in names if n in restored]
        hidden = [n for n in shown if n in locked]
        said = t("draft.restored", fields=joined(field_label(n, view.kind) for n in shown))
        if hidden:
            items = (
                t(
                    "draft.masked_item",
                    field=field_label(n, view.kind),
                    masked=R.mask_for_screen(n, draft[n].text) or t("draft.emptied"),
                )
                for n in hidden
            )
            said += t("draft.restored_masked", fields=joined(items))
        c[0].warning(said)
        c[1].button(t("draft.discard"), key=f"draft_discard_{rid}", on_click=_discard_draft, args=(rid,))
    with st.container(key=f"edit_{rid}", border=True):
        for n in open_names:
            f = by_name[n]
            if n in stale:  # the stored value, locked until the reviewer chooses (whatever the box held before)
                ss[f"edit_{rid}_{n}"], ss[f"nos_{rid}_{n}"] = box_text(f), False
            elif fresh or f"edit_{rid}_{n}" not in ss:
                d = draft.get(n)
                ss[f"edit_{rid}_{n}"] = d.text if d is not None else box_text(f)
                ss[f"nos_{rid}_{n}"] = d.not_on_scan if d is not None else False
            read = f.raw if not f.corrected else (f.ocr_text or "")
            label = field_label(n, view.kind) + (" *" if f.mandatory else "")
            keep = {"on_change": _keep_draft, "args": (rid, n, box_text(f), f.form_text), "disabled": n in stale}
            c = st.columns([5, 2, 2], vertical_alignment="bottom")
            c[0].text_input(
                label, key=f"edit_{rid}_{n}", help=t("form.read_as", text=read) if read else t("form.nothing_read"), **keep
            )
            c[1].checkbox(t("form.not_on_scan"), key=f"nos_{rid}_{n}", help=t("form.not_on_scan_help"), **keep)
            _confirm_control(c[2], rid, f, n in stale)
            if n in errors:  # in red, under the box that keeps the reviewer's text
                st.html(
                    f"<div role='alert' data-testid='field-error' data-field='{_E(n)}' style='color:#c62828;"
                    f"border-left:3px solid #c62828;padding:2px 8px;font-weight:600'>{_E(refusal_text(errors[n]))}</div>"
                )
        st.text_input(t("form.why"), key=f"edit_reason_{rid}", help=t("form.why_help"))
        c = st.columns([1, 1, 1, 1, 2])
        c[0].button(
            t("rec.approve") + f" ({SHORTCUTS['approve']})",
            type="primary",
            key="approve",
            on_click=_submit_form,
            args=(rid, open_names, True),
        )
        c[1].button(t("form.save"), key="save", on_click=_submit_form, args=(rid, open_names, False))
        c[2].button(
            t("rec.skip") + f" ({SHORTCUTS['skip']})", key="skip", on_click=_submit_form, args=(rid, open_names, False, "skip")
        )
        c[3].button(
            t("rec.previous") + f" ({SHORTCUTS['prev']})",
            key="prev",
            on_click=_submit_form,
            args=(rid, open_names, False, "prev"),
        )
        _reject_button(c[4], rid)
        show_flash(FORM_FLASH)  # what its buttons answered: under them, where the reviewer looks
    st.caption(t("rec.shortcuts", approve=SHORTCUTS["approve"], skip=SHORTCUTS["skip"], prev=SHORTCUTS["prev"]))


_SHORTCUT_JS = """<script>
(function() {
  if (window.__backfillShortcuts) return;
  window.__backfillShortcuts = true;
  const keys = {KeyA: "approve", ArrowRight: "skip", ArrowLeft: "prev"};
  document.addEventListener("keydown", function(e) {
    if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const t = e.target || {};
    const tag = (t.tagName || "").toUpperCase();
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || t.isContentEditable) return;  // typing: never a shortcut
    const key = keys[e.code];
    if (!key) return;
    const button = document.querySelector(".st-key-" + key + " button");
    if (!button || button.disabled) return;
    e.preventDefault();
    button.click();
  }, true);
})();
</script>"""


#: as the page is left (F5, the tab closed, another site), the record form's boxes typed in since it loaded
#: are sent to api/drafts (review_app.web), which keeps them as the reviewer's unsaved typing: a box the app
#: had not been told of (never left), or told of just before F5 (the rerun that keeps it ended by the
#: reload before it began), was lost. A disabled box (a value saved since, locked until the reviewer
#: chooses) is never sent: its text is not the reviewer's.
_DRAFT_JS = """<script>
(function() {
  if (window.__backfillDrafts) return;
  window.__backfillDrafts = true;
  const typed = new Set();
  const BOX = /(?:^|\\s)st-key-(edit|nos|blind)_(\\d+)_([a-z][a-z0-9_]*)(?:\\s|$)/;
  function note(e) {
    const holder = e.target && e.target.closest && e.target.closest("[class*='st-key-']");
    const m = holder && holder.className.match(BOX);
    if (m) typed.add((m[1] === "blind" ? "blind" : "edit") + "|" + m[2] + "|" + m[3]);
  }
  document.addEventListener("input", note, true);
  document.addEventListener("change", note, true);
  window.addEventListener("pagehide", function() {
    const drafts = [];
    typed.forEach(function(k) {
      const [form, rid, field] = k.split("|");
      const box = document.querySelector(".st-key-" + (form === "blind" ? "blind" : "edit") + "_" + rid + "_" + field + " input");
      if (!box || box.disabled) return;
      const nos = form === "edit" ? document.querySelector(".st-key-nos_" + rid + "_" + field + " input") : null;
      drafts.push({record: Number(rid), field: field, form: form, text: box.value, not_on_scan: !!(nos && nos.checked)});
    });
    if (!drafts.length) return;
    const xsrf = (document.cookie.match(/(?:^|; )_streamlit_xsrf=([^;]*)/) || [])[1] || "";
    fetch(new URL("api/drafts", window.location.href), {method: "POST", credentials: "same-origin", keepalive: true,
          headers: {"Content-Type": "application/json", "X-Xsrftoken": decodeURIComponent(xsrf)},
          body: JSON.stringify({drafts: drafts})});
  });
})();
</script>"""


def record_page() -> None:
    st.header(t("rec.title"))
    st.html(_SHORTCUT_JS, unsafe_allow_javascript=True)
    st.html(_DRAFT_JS, unsafe_allow_javascript=True)
    record_panel()


# ---------------------------------------------------------------------------------------------
def _record_side(view: R.RecordView, evidence: dict, key: str) -> None:
    st.markdown(f"**{t('rec.heading_short', rid=view.record_id)}** · {t('status.' + view.status)}")
    st.caption(t("rec.where_short", ledger=_md(view.ledger), page=view.page_no, row=view.row_no))
    _scan_row(view, set(R.MASKED_FIELDS), key=key)
    rows = [
        {
            t("dup.col.field"): field_label(f.name, view.kind),
            t("dup.col.value"): R.screen_value(f, label_of=code_label),
            t("dup.col.match"): "" if f.name not in evidence else str(evidence[f.name]),
        }
        for f in view.fields
        if f.value not in (None, "")
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def _decide_link(link: R.LinkItem, decision: str) -> None:
    reason = st.session_state.get(f"link_reason_{link.link_id}", "")
    user = me().username
    try:
        decide_link(store(), link.link_id, decision, user=user, reason=reason, require_claim=True)
        flash("success", t("dup.merged" if decision == "merged" else "dup.kept_apart", a=link.a_id, b=link.b_id))
    except BackfillError as e:
        flash("error", _error_text(e))
    finally:
        R.release(store(), link.a_id, user)
        R.release(store(), link.b_id, user)


def duplicates_page() -> None:
    st.header(t("dup.title"))
    show_flash()
    links = R.uncertain_links(store())
    if not links:
        st.success(t("dup.none"))
        return
    labels = {lk.link_id: t("dup.pair", a=lk.a_id, b=lk.b_id, score=f"{lk.score:.2f}") for lk in links}
    lid = st.selectbox(t("dup.pick"), list(labels), format_func=labels.get, key="link_pick")
    link = next(lk for lk in links if lk.link_id == lid)
    try:
        R.claim_link(store(), link, me().username)
    except CorrectionError as e:
        st.warning(_error_text(e))
        return
    left, right = st.columns(2)
    with left:
        _record_side(R.record_view(store(), link.a_id, settings()), link.evidence, "zoom_a")
    with right:
        _record_side(R.record_view(store(), link.b_id, settings()), link.evidence, "zoom_b")
    st.text_input(t("form.why"), key=f"link_reason_{link.link_id}")
    c = st.columns(2)
    c[0].button(t("dup.merge"), type="primary", key="merge", on_click=_decide_link, args=(link, "merged"))
    c[1].button(t("dup.keep_apart"), key="keep_apart", on_click=_decide_link, args=(link, "kept_apart"))


# ---------------------------------------------------------------------------------------------
def _arbitrate(rid: int, fields: list[str], decision: str) -> None:
    chosen: dict[str, str | None] = {}
    for n in fields:
        pick = st.session_state.get(f"arb_{rid}_{n}")
        chosen[n] = None if pick == "ocr" else (st.session_state.get(f"arb_text_{rid}_{n}") or "")
    try:
        R.arbitrate(
            store(),
            rid,
            chosen,
            user=me().username,
            settings=settings(),
            decision=decision,
            reason=st.session_state.get(f"arb_reason_{rid}", ""),
        )
        flash("success", t("arb.done", rid=rid))
    except ApprovalRefused as e:
        kind = R.record_kind(store(), rid)
        flash(
            "warning",
            t(
                "arb.back_to_queue",
                rid=rid,
                fields=joined(field_label(g.field, kind) for g in e.gaps)
                or joined(field_label(r.field, kind) for r in e.refused),
            ),
        )
    except BackfillError as e:
        flash("error", _error_text(e))


def arbitration_page() -> None:
    st.header(t("arb.title"))
    show_flash()
    waiting = R.arbitration_queue(store(), exclude_keyer=me().username)
    if not waiting:
        st.success(t("arb.none"))
        return
    rid, fields = waiting[0]
    try:
        R.claim(store(), rid, me().username)
    except CorrectionError as e:
        st.warning(_error_text(e))
        return
    view = R.record_view(store(), rid, settings())
    st.caption(t("arb.where", n=len(waiting), rid=rid, ledger=_md(view.ledger), page=view.page_no, row=view.row_no))
    img = page_image(view.clean_image)
    keyed = {b["field"]: b for b in view.blind if b["status"] == "disputed"}
    by_name = {f.name: f for f in view.fields}
    options = {"ocr": t("arb.ocr"), "keyed": t("arb.keyed"), "other": t("arb.other")}
    for n in fields:
        b = keyed.get(n, {})
        c = st.columns([2, 3, 5])
        c[0].markdown(f"**{field_label(n, view.kind)}**")
        with c[1]:
            crop = R.cell_crop(img, by_name[n].box) if img is not None else None
            if crop is None:
                st.caption(t("rec.no_scan_short"))
            else:
                st.image(crop)
        with c[2]:
            st.radio(
                t("arb.keep"),
                list(options),
                key=f"arb_{rid}_{n}",
                horizontal=True,
                format_func=options.get,
                captions=[str(b.get("ocr_value")), t("arb.by", text=b.get("typed"), user=b.get("user")), t("arb.type_below")],
            )
            pick = st.session_state.get(f"arb_{rid}_{n}", "ocr")
            st.text_input(
                t("arb.value"),
                value=str(b.get("typed") or "") if pick != "other" else "",
                key=f"arb_text_{rid}_{n}",
                disabled=pick == "ocr",
            )
    st.text_input(t("form.why"), key=f"arb_reason_{rid}")
    c = st.columns(2)
    c[0].button(t("arb.approve"), type="primary", key="arb_approve", on_click=_arbitrate, args=(rid, fields, "approved"))
    c[1].button(t("arb.reject"), key="arb_reject", on_click=_arbitrate, args=(rid, fields, REJECTED))


# ---------------------------------------------------------------------------------------------
def intake_page() -> None:
    st.header(t("intake.title"))
    zone = settings().zone  # times in the archive's zone (setting time_zone)
    s = store()
    with s.session() as db:
        files = [
            {
                t("intake.col.file"): f.rel_path,
                t("intake.col.type"): f.media_type,
                t("intake.col.pages"): f.page_count,
                t("intake.col.status"): _or(t(f"file_status.{f.status}"), f.status),
                t("intake.col.added"): local_time(f.created_at, zone),
            }
            for f in db.query(SourceFile).order_by(SourceFile.created_at.desc()).limit(500)
        ]
        quarantined = [
            {
                t("intake.col.file"): q.rel_path,
                t("intake.col.reason"): _or(t(f"quarantine.{q.reason}"), q.reason),
                t("intake.col.message"): split_zh_en(q.message)[0 if language() == "zh" else 1],
                t("intake.col.when"): local_time(q.created_at, zone),
            }
            for q in db.query(Quarantine).order_by(Quarantine.created_at.desc()).limit(500)
        ]
    st.subheader(t("intake.quarantine", n=len(quarantined)))
    if quarantined:
        st.dataframe(quarantined, hide_index=True, width="stretch")
    else:
        st.caption(t("intake.none_rejected"))
    st.subheader(t("intake.received", n=len(files)))
    st.dataframe(files, hide_index=True, width="stretch")


def _add_user() -> None:
    try:
        add_user(
            store(),
            st.session_state.get("nu_name", "").strip(),
            st.session_state.get("nu_role", "reviewer"),
            st.session_state.get("nu_pw", ""),
        )
        flash("success", t("users.added", name=st.session_state.get("nu_name")))
    except UserError as e:
        flash("error", error_text(e))
    st.session_state["nu_pw"] = ""


def _unlock(who: str) -> None:
    unlock(store(), who)
    flash("success", t("users.unlocked", name=who))


def users_page() -> None:
    st.header(t("users.title"))
    zone = settings().zone  # times in the archive's zone (setting time_zone)
    show_flash()
    accounts = list_users(store())
    st.dataframe(
        [
            {
                t("users.col.user"): a.username,
                t("users.col.role"): t(f"role.{a.role}"),
                t("users.col.active"): t("yes") if a.active else t("no"),
            }
            for a in accounts
        ],
        hide_index=True,
    )
    with st.form("new_user"):
        st.text_input(t("login.user"), key="nu_name")
        st.session_state.setdefault("nu_role", "reviewer")  # not index=: set again on a language switch (WORDED_CHOICES)
        st.selectbox(t("users.role"), ROLES, key="nu_role", format_func=lambda r: t(f"role.{r}"))
        st.text_input(t("users.password"), type="password", key="nu_pw")
        st.form_submit_button(t("users.add"), on_click=_add_user)
    others = [a.username for a in accounts if a.username != me().username]
    if others:
        c = st.columns(3)
        who = c[0].selectbox(t("users.user"), others, key="toggle_user")
        active = next(a.active for a in accounts if a.username == who)
        c[1].button(
            t("users.disable") if active else t("users.enable"),
            key="toggle_btn",
            on_click=lambda: set_active(store(), who, not active),
        )
        c[2].button(t("users.unlock"), key="unlock_btn", on_click=_unlock, args=(who,), help=t("users.unlock_help"))
    st.subheader(t("users.runs"))
    with store().session() as db:
        runs = [
            {
                t("runs.col.run"): r.id,
                t("runs.col.folder"): r.scans_dir,
                t("runs.col.started"): local_time(r.started_at, zone),
                t("runs.col.finished"): local_time(r.finished_at, zone),
                t("runs.col.status"): _or(t(f"run.{r.status}"), r.status),
                t("runs.col.auto_share", target=settings().auto_accept_target): _run_share(r.summary),
            }
            for r in db.query(Run).order_by(Run.id.desc()).limit(100)
        ]
    st.dataframe(runs, hide_index=True, width="stretch")


def _run_share(summary: dict | None) -> str:
    """A run's share of records auto-accepted by routing (audit samples and records sent back included), said
    against auto_accept_target; "—" for a run still going or one summarized before session 47."""
    if not summary or not summary.get("records") or "auto_routed" not in summary:
        return "—"
    share, target = summary["auto_routed"] / summary["records"], settings().auto_accept_target
    said = f"{100 * share:.1f} %"
    return t("quality.share_met" if share >= target else "quality.share_short", share=said, target=target)


def _declare_absent(fid: int, kind: str) -> None:
    ss = st.session_state
    try:
        n = R.declare_absent(
            store(),
            fid,
            ss.get(f"absent_{fid}") or [],
            user=me().username,
            reason=(ss.get(f"absent_reason_{fid}") or "").strip(),
            settings=settings(),
        )
        flash("success", t("ledgers.absent_saved", n=n))
    except BackfillError as e:
        flash("error", _error_text(e))


def ledgers_page() -> None:
    st.header(t("ledgers.title"))
    show_flash()
    infos = R.ledgers(store())
    if not infos:
        st.caption(t("ledgers.none"))
        return
    st.dataframe(
        [
            {
                t("ledgers.col.ledger"): i.path,
                t("ledgers.col.waiting"): i.waiting,
                t("ledgers.col.two_keyer"): t("yes") if i.two_keyer else t("no"),
                t("ledgers.col.priority"): i.priority,
                t("ledgers.col.absent"): joined(field_label(n) for n in i.absent) or "—",
            }
            for i in infos
        ],
        hide_index=True,
        width="stretch",
    )
    names = {i.file_id: i.path for i in infos}
    fid = st.selectbox(t("ledgers.col.ledger"), list(names), format_func=names.get, key="ls_ledger")
    cur = next(i for i in infos if i.file_id == fid)
    with st.form(f"ledger_{fid}"):
        two = st.checkbox(t("ledgers.two_keyer"), value=cur.two_keyer)
        prio = st.number_input(t("ledgers.priority"), value=cur.priority, step=1)
        if st.form_submit_button(t("ledgers.save")):
            R.set_ledger(store(), fid, user=me().username, two_keyer=two, priority=int(prio))
            st.rerun()
    candidates = R.absent_candidates(store(), fid, settings())
    kind = R.ledger_kind(store(), fid)
    st.subheader(t("ledgers.absent_title"))
    st.caption(t("ledgers.absent_help"))
    with st.form(f"absent_form_{fid}"):
        st.session_state.setdefault(f"absent_{fid}", [f for f in cur.absent if f in candidates])
        st.multiselect(
            t("ledgers.absent_pick"),
            candidates,
            key=f"absent_{fid}",
            format_func=lambda n: field_label(n, kind),
            placeholder=t("form.pick_placeholder"),
        )
        st.text_input(t("ledgers.absent_why"), key=f"absent_reason_{fid}")
        st.form_submit_button(t("ledgers.absent_save"), on_click=_declare_absent, args=(fid, kind))


def _said(value: object) -> str:
    """A record change's value with no field, in words: a record status (corrections._set_status) or a
    duplicate link's {"link", "with", "status"} (corrections.decide_link); anything else as stored."""

    if isinstance(value, dict) and {"with", "status"} <= set(value):
        return t("hist.link", other=value["with"], status=worded("link.status", value["status"]))
    if isinstance(value, str):
        return worded("status", value)
    return str(value)


def history_page() -> None:
    st.header(t("hist.title"))
    zone = settings().zone  # times in the archive's zone (setting time_zone)
    ss = st.session_state
    if "hist_id" not in ss:  # the record last on screen, if any: its history is the one likely wanted
        ss["hist_id"] = ss.get("current")
    rid = st.number_input(t("hist.record"), step=1, key="hist_id", placeholder=t("queue.open_placeholder"))
    if rid is None:
        return
    why = no_such_record(rid)
    if why is not None:
        st.error(why)
        return
    rows = history(store(), int(rid))
    kind = R.record_kind(store(), int(rid))
    tables = _code_tables(int(rid))

    def shown(field: str | None, text: str | None) -> str:
        """A value as the record page shows it: masked, a code with its label (1 男, not a bare 1); a
        decision's record status (approve, reject, reopen) or duplicate link (merge, keep apart) in words."""
        if text is None:
            return ""
        value = json.loads(text)
        if not field:
            return _said(value)
        label = code_label(tables.get(field), value)
        masked = R.mask_for_screen(field, value)
        return f"{masked} {label}" if label else str(masked)

    if not rows:
        st.caption(t("hist.none"))
    else:
        st.dataframe(
            [
                {
                    t("hist.col.when"): local_time(h.at, zone),
                    t("hist.col.who"): h.user,
                    t("hist.col.action"): t(f"action.{h.action}"),
                    t("hist.col.field"): field_label(h.field, kind) if h.field else "",
                    t("hist.col.old"): shown(h.field, h.old_value),
                    t("hist.col.new"): shown(h.field, h.new_value),
                    t("hist.col.why"): h.reason,
                }
                for h in rows
            ],
            hide_index=True,
            width="stretch",
            key="history_table",
        )
    st.subheader(t("hist.reveals"))
    shown_ = R.reveals(store(), int(rid))
    if not shown_:
        st.caption(t("hist.no_reveals"))
    else:
        st.dataframe(
            [
                {
                    t("hist.col.when"): local_time(r.at, zone),
                    t("hist.col.who"): r.user,
                    t("hist.col.field"): field_label(r.field, kind),
                    t("hist.col.why"): r.reason or "—",
                }
                for r in shown_
            ],
            hide_index=True,
            width="stretch",
            key="reveals_table",
        )


def completion_page() -> None:
    from review_app.admin import completion_page as page  # issue 6: completion, charts, inventory, launching runs

    page(store(), settings(), me().username)


def trust_page(name: str):
    """The audit, thresholds and lexicon pages (review_app/trust.py, issue 23)."""

    def page() -> None:
        from review_app import trust

        getattr(trust, name)(store(), settings(), me().username)

    return page


def crosscheck_page() -> None:
    from review_app.crosscheck import crosscheck_page as page  # issue 24: rolls of other departments

    page(store(), settings(), me().username)


# ---------------------------------------------------------------------------------------------
PAGES = {
    "queue": ("review", queue_page),
    "record": ("review", record_page),
    "duplicates": ("review", duplicates_page),
    "arbitration": ("review", arbitration_page),
    "intake": ("intake", intake_page),
    "users": ("admin", users_page),
    "ledgers": ("admin", ledgers_page),
    "history": ("admin", history_page),
    "completion": ("admin", completion_page),
    "quality": ("admin", trust_page("quality_page")),
    "thresholds": ("admin", trust_page("thresholds_page")),
    "lexicon": ("admin", trust_page("lexicon_page")),
    "crosscheck": ("review", crosscheck_page),
}


#: the URL names the page and the record on screen (`?page=record&record=123`), so a reload (F5, a browser
#: restoring its tabs), a bookmark or a link sent to a colleague opens the same record. Streamlit keeps the
#: query string across a reload and exposes it as `st.query_params`; it is read once per browser
#: connection, after login, through the same checks as a click (the role's pages; a record that exists; a
#: record waiting for review is claimed, one held by someone else is shown read only).
URL_PAGE, URL_RECORD = "page", "record"


def _record_id(raw: str) -> int | None:
    """A record id as written in a URL: digits only (no sign, no spaces), at most 12 of them."""
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 12 and int(raw) > 0 else None


def _from_url(acc: Account, allowed: list[str]) -> None:
    """Once per browser connection: open the page and the record the URL names. What cannot be opened
    is said (`url.*`, in the user's language when shown) and the user lands on their first page."""
    ss = st.session_state
    if ss.get("url_read"):
        return
    ss["url_read"] = True
    page, raw = st.query_params.get(URL_PAGE), st.query_params.get(URL_RECORD)
    if raw is not None and page == "history":
        # a record's history (an administrator's link `?page=history&record=N`): that record's history page,
        # not the record itself (session 46 opened the record); an unknown id is said there, a malformed one
        # here, the history page open either way
        rid = _record_id(raw)
        if "history" not in allowed:
            ss["url_error"] = ("url.page_refused", {"page": page})
        elif rid is None:
            ss["nav"], ss["url_error"] = "history", ("url.bad_record_here", {})
        else:
            ss["nav"], ss["hist_id"] = "history", rid
        return
    if raw is not None:
        rid = _record_id(raw)
        if rid is None:
            ss["url_error"] = ("url.bad_record", {})
        elif "record" not in allowed:
            ss["url_error"] = ("url.record_refused", {"rid": rid})
        elif R.record_status(store(), rid) is None:
            ss["url_error"] = ("url.no_record", {"rid": rid})
        else:
            ss["nav"], ss["current"], ss["visited"] = "record", rid, [rid]
        return
    if page is None:
        return
    if page not in PAGES:
        ss["url_error"] = ("url.bad_page", {})
    elif page not in allowed:
        ss["url_error"] = ("url.page_refused", {"page": page})  # worded when shown
    else:
        ss["nav"] = page


def _to_url() -> None:
    """Write the page (and the record on screen) into the URL, only when it changed."""
    ss = st.session_state
    want = {URL_PAGE: str(ss.get("nav"))}
    if ss.get("nav") == "record" and ss.get("current") is not None:
        want[URL_RECORD] = str(ss["current"])
    elif ss.get("nav") == "history" and _record_id(str(ss.get("hist_id"))) is not None:
        want[URL_RECORD] = str(ss["hist_id"])  # the history on screen: a reload or a link shows the same one
    if st.query_params.to_dict() != want:
        st.query_params.from_dict(want)


def _page_label(page: str) -> str:
    """A page's name in the sidebar: its nav.<key> words, else the key itself (a page not worded yet)."""
    label = t(f"nav.{page}")
    return page if label == f"nav.{page}" else label


def main() -> None:
    st.set_page_config(page_title=t("app.title"), layout="wide")
    ss = st.session_state
    ss.setdefault("lang", "zh")
    _restore_from_cookie()
    acc = ss.get("account")
    if acc is not None:
        fresh = get_account(store(), acc.username)
        if fresh is None or not fresh.active:
            _logout()
            acc = None
        elif not _keep_alive():
            acc = None
        else:
            ss["account"] = acc = fresh
    if acc is None:
        login_page()
        return
    _bind_cookie()
    allowed = [name for name, (need, _f) in PAGES.items() if acc.can(need)]
    _from_url(acc, allowed)
    if ss.get("nav") not in allowed:
        ss["nav"] = allowed[0]
    if ss.get("nav") != "record":
        ss.pop(FORM_ON_SCREEN, None)
    with st.sidebar:
        st.markdown(f"**{acc.username}** · {t('role.' + acc.role)}")
        st.radio(t("nav.go_to"), allowed, key="nav", format_func=_page_label)
        _language_picker("lang_pick")
        st.button(t("nav.logout"), key="logout", on_click=_logout)
    _to_url()
    unsaved_notice()
    if "url_error" in ss:
        key, params = ss.pop("url_error")
        st.error(t(key, **{k: _page_label(v) if k == "page" else v for k, v in params.items()}))
    try:
        PAGES[ss["nav"]][1]()
    except BackfillError as e:  # e.g. a thresholds file written wrongly: what is at fault, never a traceback
        st.error(page_error(e))


def page_error(e: BackfillError) -> str:
    """A pipeline error that stopped a page, as the CLI says it: its kind in Chinese first
    (pipeline.kernel.errors.ERROR_LABELS), then the message and its hint."""
    return error_line(e.exit_code, error_text(e, hint=True)).removeprefix("error: ")


main()
