"""The review app served to the office through the documented TLS proxy (docs/review-nginx.conf), run
once against Debian's real nginx: HTTPS in Chromium, the session and XSRF cookies marked Secure, the
session surviving a reload, requests without the XSRF token refused, plain HTTP sent to HTTPS."""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_review_browser import CHROME_ARGS, CHROMIUM, ROOT, need_browser, serve, stop

from pipeline.kernel.config import Settings
from pipeline.kernel.localhttp import free_port
from pipeline.kernel.store import Store
from pipeline.review.users import add_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CONF = ROOT / "docs" / "review-nginx.conf"


def _nginx() -> str:
    exe = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if exe is None or shutil.which("openssl") is None:
        msg = "the TLS proxy test needs nginx and openssl (apt-get install nginx openssl)"
        if os.environ.get("BACKFILL_REQUIRE_BROWSER"):
            pytest.fail(msg)
        pytest.skip(msg)
    return exe


def _unverified() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return ctx


def _status(url: str, method: str = "GET", data: bytes | None = None) -> tuple[int, dict]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=_unverified()))
    try:
        with opener.open(urllib.request.Request(url, data=data, method=method), timeout=10) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)


@pytest.fixture()
def proxied(tmp_path):
    need_browser()
    nginx = _nginx()
    settings = Settings(data_dir=str(tmp_path / "data"))
    with Store.open(settings) as store:
        add_user(store, "rev", "reviewer", "password-rev")
    app_port, https_port, http_port = free_port(), free_port(), free_port()
    crt, key = tmp_path / "review.crt", tmp_path / "review.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(crt),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    site = CONF.read_text(encoding="utf-8")  # the documented configuration, only ports and paths replaced
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("/etc/ssl/backfill/review.crt", str(crt)),
        ("/etc/ssl/backfill/review.key", str(key)),
        ("127.0.0.1:8501", f"127.0.0.1:{app_port}"),
    ):
        assert old in site, old
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    temps = "\n".join(f"  {k}_temp_path {tmp_path / k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\ndaemon off;\npid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        f"events {{ worker_connections 64; }}\nhttp {{\n  access_log {tmp_path / 'access.log'};\n{temps}\n"
        f"  include {tmp_path / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    check = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr  # the documented file is valid nginx configuration
    app = serve(settings.data_dir, tmp_path, app_port)
    proxy = subprocess.Popen(
        [nginx, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"https://127.0.0.1:{https_port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                if _status(url + "/_stcore/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or proxy.poll() is not None:
                pytest.fail("nginx did not come up: " + (tmp_path / "error.log").read_text(errors="replace")[-2000:])
            time.sleep(0.3)
        yield url, f"http://127.0.0.1:{http_port}"
    finally:
        stop(proxy)
        stop(app)


def test_the_app_behind_the_documented_nginx_over_tls(proxied):
    from playwright.sync_api import expect, sync_playwright

    url, plain = proxied
    status, headers = _status(plain + "/")
    assert status == 301 and headers["Location"].startswith("https://")  # plain HTTP goes to HTTPS
    assert _status(url + "/api/session", "POST", b'{"token": "x"}')[0] == 403  # no XSRF token: refused
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        ctx = b.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        page.set_default_timeout(30_000)
        expect.set_options(timeout=20_000)
        page.goto(url)
        page.locator(".st-key-login_user input").fill("rev")
        page.locator(".st-key-login_password input").fill("password-rev")
        page.locator(".st-key-login_password input").press("Enter")
        expect(page.locator(".st-key-start button:visible")).to_be_visible()
        page.wait_for_function("() => document.cookie !== undefined", timeout=5000)
        deadline = time.monotonic() + 30  # the page asks for it after the login shows: a loaded runner takes seconds
        while not any(c["name"] == "backfill_session" for c in ctx.cookies()) and time.monotonic() < deadline:
            time.sleep(0.2)
        cookies = {c["name"]: c for c in ctx.cookies()}
        assert cookies["backfill_session"]["secure"] and cookies["backfill_session"]["httpOnly"]
        assert cookies["_streamlit_xsrf"]["secure"]  # Streamlit's own cookie too (the proxy marks it)
        page.reload()
        expect(page.locator(".st-key-start button:visible")).to_be_visible()  # the session survived the reload
        assert re.match(r"https://", page.url)
        b.close()
