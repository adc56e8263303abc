"""The review app's own HTTP routes, served beside Streamlit's (review_app/server.py):

- POST api/session: right after a login, the page sends the new session's token (JSON {"token": ...})
  and gets it back as the `backfill_session` cookie - HttpOnly (scripts cannot read it), SameSite=Strict,
  Secure when the page came over HTTPS (directly or through the TLS proxy, X-Forwarded-Proto). The
  request must carry Streamlit's XSRF token (header X-Xsrftoken matching the _streamlit_xsrf cookie)
  and come from the same origin; a token is accepted once, within pipeline.review.users.BIND_SECONDS.
- POST api/logout: the cookie is cleared (the session itself ends on the server at logout).

A reload of the page opens a new Streamlit connection whose cookies (st.context.cookies) name the
session; the app finds the user through pipeline.review.users.session_account.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipeline.kernel.config import Settings
from pipeline.kernel.store import Store
from pipeline.review.users import bind_session

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


ROUTES = [Route("/api/session", session, methods=["POST"]), Route("/api/logout", logout, methods=["POST"])]
