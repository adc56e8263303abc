"""The review app's own HTTP routes, served beside Streamlit's (review_app/server.py):

- POST api/session: right after a login, the page sends the new session's token (JSON {"token": ...})
  and gets it back as the `backfill_session` cookie - HttpOnly (scripts cannot read it), SameSite=Strict,
  Secure when the page came over HTTPS (directly or through the TLS proxy, X-Forwarded-Proto). The
  request must carry Streamlit's XSRF token (header X-Xsrftoken matching the _streamlit_xsrf cookie)
  and come from the same origin; a token is accepted once, within pipeline.review.users.BIND_SECONDS.
- POST api/logout: the cookie is cleared (the session itself ends on the server at logout).
- POST api/drafts: as the page is left (a reload, F5, the tab closed, another site), the record form's boxes
  typed in since the page loaded are sent (JSON {"drafts": [{"record", "field", "form", "text",
  "not_on_scan"}]}, XSRF-checked, the session cookie naming the reviewer) and kept as their unsaved typing
  (pipeline.review.drafts.leave), as the app keeps a box left. The app keeps it only on its next run,
  which a reload can end before it starts: text typed and left just before F5, or never left, was lost.

A reload of the page opens a new Streamlit connection whose cookies (st.context.cookies) name the
session; the app finds the user through pipeline.review.users.session_account.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import BackfillError
from pipeline.kernel.store import Store
from pipeline.review import drafts as D
from pipeline.review import queue as R
from pipeline.review.users import bind_session, get_language, session_account
from review_app.i18n import box_text

log = logging.getLogger("review_app")

SESSION_COOKIE = "backfill_session"
_stores: dict[str, Store] = {}


def _store() -> Store:
    s = Settings.load()
    key = s.store_url
    if key not in _stores:
        _stores[key] = Store(s.store_url, s.data_path / "images")
    return _stores[key]


def _secure(request: Request) -> bool:
    """The page came over HTTPS: directly, or through a TLS proxy that says so."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin:
        return True  # same-origin fetches of some browsers send none; the XSRF token still has to match
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or ""
    return urlsplit(origin).netloc == host


def _xsrf_ok(request: Request) -> bool:
    from streamlit.web.server.server_util import is_xsrf_enabled
    from streamlit.web.server.starlette.starlette_app_utils import validate_xsrf_token

    if not is_xsrf_enabled():
        return True
    return validate_xsrf_token(request.headers.get("x-xsrftoken"), request.cookies.get("_streamlit_xsrf"))


def _cookie(value: str, *, secure: bool, clear: bool = False) -> str:
    parts = [f"{SESSION_COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    if clear:
        parts.append("Max-Age=0")
    return "; ".join(parts)


async def session(request: Request) -> JSONResponse:
    if not _same_origin(request) or not _xsrf_ok(request):
        log.warning("session cookie refused: cross-site request or XSRF token missing")
        return JSONResponse({"ok": False}, status_code=403)
    try:
        token = str((json.loads(await request.body() or b"{}")).get("token") or "")
    except (ValueError, AttributeError):
        return JSONResponse({"ok": False}, status_code=400)
    if not await run_in_threadpool(bind_session, _store(), token):
        return JSONResponse({"ok": False}, status_code=403)
    response = JSONResponse({"ok": True})
    response.headers.append("Set-Cookie", _cookie(token, secure=_secure(request)))
    response.headers["Cache-Control"] = "no-store"
    return response


async def logout(request: Request) -> JSONResponse:
    if not _same_origin(request) or not _xsrf_ok(request):
        return JSONResponse({"ok": False}, status_code=403)
    response = JSONResponse({"ok": True})
    response.headers.append("Set-Cookie", _cookie("", secure=_secure(request), clear=True))
    return response


MAX_DRAFTS = 200  # boxes of one page
MAX_TEXT = 2000  # characters of one box
_FIELD = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def keep_left(store: Store, token: str | None, items: Any, settings: Settings) -> int | None:
    """Keep the boxes a page sent as it was left (api/drafts) as the reviewer's unsaved typing, each as the
    app keeps a box left (pipeline.review.drafts.leave; its untouched text and the stored text it was typed
    over read from the record now). None when the session names no reviewer; else how many were taken
    (an item that is not a box of a record is skipped)."""
    account = session_account(store, token or "", settings)
    if account is None or not account.can("review") or not isinstance(items, list):
        return None
    lang = get_language(store, account.username)
    views: dict[int, R.RecordView | None] = {}
    taken = 0
    for item in items[:MAX_DRAFTS]:
        if not isinstance(item, dict):
            continue
        rid, field, form = item.get("record"), item.get("field"), item.get("form", D.EDIT)
        text, nos = item.get("text"), item.get("not_on_scan", False)
        if not (isinstance(rid, int) and rid > 0 and isinstance(field, str) and _FIELD.match(field)):
            continue
        if form not in D.FORMS or not isinstance(text, str) or len(text) > MAX_TEXT or not isinstance(nos, bool):
            continue
        shown = base = ""  # blind keying: an empty box is no typing
        if form == D.EDIT:
            if rid not in views:
                try:
                    views[rid] = R.record_view(store, rid, settings)
                except BackfillError:
                    views[rid] = None
            view = views[rid]
            f = next((f for f in view.fields if f.name == field), None) if view is not None else None
            if f is None:
                continue
            shown, base = box_text(f, lang), f.form_text
        D.leave(store, account.username, rid, field, text, nos, shown, base, form=form)
        taken += 1
    if taken:
        log.debug("kept %d box(es) of a page left by %s", taken, account.username)
    return taken


async def drafts(request: Request) -> JSONResponse:
    if not _same_origin(request) or not _xsrf_ok(request):
        log.warning("drafts refused: cross-site request or XSRF token missing")
        return JSONResponse({"ok": False}, status_code=403)
    try:
        items = (json.loads(await request.body() or b"{}")).get("drafts")
    except (ValueError, AttributeError):
        return JSONResponse({"ok": False}, status_code=400)
    taken = await run_in_threadpool(keep_left, _store(), request.cookies.get(SESSION_COOKIE), items, Settings.load())
    if taken is None:
        return JSONResponse({"ok": False}, status_code=403)
    return JSONResponse({"ok": True, "kept": taken})


ROUTES = [
    Route("/api/session", session, methods=["POST"]),
    Route("/api/logout", logout, methods=["POST"]),
    Route("/api/drafts", drafts, methods=["POST"]),
]
