"""Review app benchmark: approve → next record with 1 000+ records waiting, the queue page, and the
completion page with 1 000 inventory volumes. Goals (issues 5 and 22): < 300 ms, < 1 s, < 1 s.

    python bench/bench_review.py [--rows 1000] [--approvals 30] [--volumes 1000] [--no-browser] [--no-scan]
                                 [--label NAME] [--out FILE]

Runs against the code it is imported with: to measure another commit (the baseline), check it out
into a folder and run this script with PYTHONPATH=that-folder (the script only uses APIs both have;
the app is the folder's review_app/app.py, served by its own `backfill review`).

Measured two ways, on a working store seeded with >= --rows records needing review:
- AppTest (in-process): the server-side script run after the click until the next record (or the
  page) is rendered.
- Chromium (Playwright, /usr/bin/chromium, `backfill review` on loopback): from the reviewer's Alt+A
  (the shortcut reviewers use; a click waits for Playwright's scrolling) until the next record's
  heading is shown; from a click in the sidebar until the page's table is shown and the run is over.
Every waiting record is reviewed as a reviewer would (flagged values confirmed, empty ones marked
"not on the scan") only where the review contract exists, so each Alt+A approves. `--scan` (default
on) also runs one real sample page through OCR so records show their scan and cell crops.
Appends a dated section to bench/results/review.md (or --out). Never part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
CODE = Path(importlib.util.find_spec("pipeline").origin).resolve().parent.parent  # the tree under test
sys.path.insert(0, str(CODE))

from pipeline.kernel.config import Settings  # noqa: E402
from pipeline.kernel.localhttp import free_port, wait_until_healthy  # noqa: E402
from pipeline.kernel.store import Record, Store  # noqa: E402
from pipeline.review import queue as R  # noqa: E402
from pipeline.review.users import add_user  # noqa: E402
from samples.seed import seed_store  # noqa: E402

APP = str(CODE / "review_app" / "app.py")
GOAL_NEXT_MS, GOAL_PAGE_MS = 300.0, 1000.0
HEADING = re.compile(r"^(?:记录|Record) (\d+) ")
NAV = {"queue": 0, "duplicates": 2, "completion": 8}  # sidebar positions, the same in every version
SETTLED = "() => !document.querySelector('[data-testid=stStatusWidget]') && !document.querySelector('[data-stale=true]')"
#: the completion page's progress charts drawn: every Vega-Lite chart holds its canvas (or SVG), and
#: there are at least 4 charts (Vega-Lite ones, or the server-drawn SVG ones of review_app.charts)
CHARTS_DRAWN = (
    "() => { const v = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')];"
    " return v.every(e => e.querySelector('canvas, svg'))"
    " && v.length + document.querySelectorAll('svg[role=img]').length >= 4; }"
)


def stats(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)
    return {"n": len(s), "median": statistics.median(s), "p90": s[min(len(s) - 1, int(0.9 * len(s)))], "max": s[-1]}


def fmt(st: dict[str, float], goal: float) -> str:
    return (
        f"{st['median']:.0f} ms median, p90 {st['p90']:.0f} ms, max {st['max']:.0f} ms (n={st['n']}); "
        f"median = {st['median'] / goal:.2f} × goal ({goal:.0f} ms)"
    )


def inventory_csv(n: int) -> str:
    """n volumes: 10 homes × 2 kinds × 8 years (2010-2017) × volumes, some with a path pattern."""
    from pipeline.archive.inventory import home_names

    homes = sorted(home_names())[:10]
    lines = ["funeral_home,ledger_kind,year,volume,expected_pages,path_pattern,notes"]
    i = 0
    while len(lines) <= n:
        home, kind = homes[i % len(homes)], ("cremation", "sea_burial")[(i // len(homes)) % 2]
        year, vol = 2010 + (i // (2 * len(homes))) % 8, 1 + i // (16 * len(homes))
        pattern = f"scans/{home}/{kind}/{year}/vol{vol}/*" if i % 3 == 0 else ""
        lines.append(f"{home},{kind},{year},{vol},{40 + i % 60},{pattern},")
        i += 1
    return "\n".join(lines) + "\n"


def review_like_a_reviewer(store: Store, settings: Settings) -> int:
    """Where the review contract exists, do ahead what Approve alone does not: mark empty flagged
    fields "not on the scan", and confirm flagged ID/phone numbers (a reviewer reveals and checks
    those; the form does not hold them unrevealed). Other flagged values are left for the form,
    which Approve confirms. Returns how many records were touched."""
    try:
        from pipeline.review.corrections import FieldEntry, approval_gaps, form_text, review_form
    except ImportError:
        return 0  # a version without the contract: Approve approves anything
    from mapping.spec import load_spec

    spec = load_spec(settings.spec_version)
    todo = []
    with store.session() as s:
        for rec in s.query(Record).filter(Record.status == "needs_review"):
            kind = spec.kinds.get(rec.ledger_kind)
            entries = {}
            for g in approval_gaps(rec, {}, settings):
                if g.code != "unreviewed":
                    entries[g.field] = FieldEntry("", not_on_scan=True)
                elif g.field in R.MASKED_FIELDS:
                    entries[g.field] = FieldEntry(form_text(rec.fields[g.field], kind.field(g.field) if kind else None, spec))
            if entries:
                todo.append((rec.id, entries))
    for rid, entries in todo:
        review_form(store, rid, entries, user="bench", settings=settings, reason="empty on the paper / number checked")
    return len(todo)


def prepare(base: Path, rows: int, scan: bool, volumes: int) -> tuple[Settings, int]:
    if base.exists():
        shutil.rmtree(base)
    settings = Settings(data_dir=str(base / "data"))
    if scan:
        from pipeline.runs.stages import run_folder

        scans = base / "scans"
        scans.mkdir(parents=True)
        shutil.copy(HERE / "samples" / "ledgers" / "jpeg_volume" / "page_001.jpg", scans / "page_001.jpg")
        run_folder(scans, settings)
    with Store.open(settings) as store:
        pages = max(1, -(-rows // 16)) + 2  # a few rows per page are auto-accepted or empty
        seed_store(store, settings, kinds=("cremation",), pages=pages, unsure_share=1.0)
        add_user(store, "rev", "reviewer", "password-rev")
        add_user(store, "boss", "administrator", "password-boss")
        if scan:  # the scanned ledger first, so the approvals below show crops
            scanned = next(i for i in R.ledgers(store) if i.path.endswith("page_001.jpg"))
            R.set_ledger(store, scanned.file_id, user="bench", priority=10)
        from pipeline.archive.inventory import import_inventory_text

        import_inventory_text(store, inventory_csv(volumes), "bench-inventory.csv", settings)
        marked = review_like_a_reviewer(store, settings)
    return settings, marked


def _login(at, user: str) -> None:
    at.text_input(key="login_user").input(user)
    at.text_input(key="login_password").input(f"password-{user}")
    at.button[0].click().run()


def bench_apptest(settings: Settings, approvals: int) -> dict[str, object]:
    from streamlit.testing.v1 import AppTest

    from pipeline.runs import completion as C

    os.environ["BACKFILL_DATA_DIR"] = settings.data_dir
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    _login(at, "rev")
    with Store.open(settings) as store:
        waiting = R.queue(store).total
        t = []
        for _ in range(10):
            t0 = time.perf_counter()
            C.completion(store, settings, "volume")
            t.append((time.perf_counter() - t0) * 1000)
        completion_fn = stats(t)
    queue_ms = []
    for _ in range(10):
        t0 = time.perf_counter()
        at.run()
        queue_ms.append((time.perf_counter() - t0) * 1000)
    assert not at.exception and at.metric[0].value == str(waiting)
    at.button(key="start").click().run()
    next_ms, with_scan = [], 0
    for _ in range(approvals):
        before = at.session_state["current"]
        with_scan += any("<img" in h.value for h in at.html) or bool(at.image)
        t0 = time.perf_counter()
        at.button(key="approve").click().run()
        next_ms.append((time.perf_counter() - t0) * 1000)
        assert not at.exception and at.session_state["current"] not in (None, before), "Approve did not approve"
    admin = AppTest.from_file(APP, default_timeout=120)
    admin.run()
    _login(admin, "boss")
    nav = admin.sidebar.radio(key="nav")
    try:
        nav.set_value("completion").run()
    except Exception:  # noqa: BLE001 - an older version names its pages by their English label
        nav.set_value("Completion").run()
    done_ms = []
    for _ in range(5):
        t0 = time.perf_counter()
        admin.run()
        done_ms.append((time.perf_counter() - t0) * 1000)
    assert not admin.exception and admin.dataframe
    return {
        "waiting": waiting,
        "queue_page": stats(queue_ms),
        "next": stats(next_ms),
        "with_scan": with_scan,
        "completion_page": stats(done_ms),
        "completion_fn": completion_fn,
    }


def _browser_login(b, url: str, user: str):
    from playwright.sync_api import expect

    ctx = b.new_context(viewport={"width": 1500, "height": 1100})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.locator(".st-key-login_user input").fill(user)
    page.locator(".st-key-login_password input").fill(f"password-{user}")
    page.locator(".st-key-login_password input").press("Enter")
    expect(page.locator(".st-key-start button:visible, .st-key-completion_level").first).to_be_visible()
    page.wait_for_function(SETTLED)
    return ctx, page


def _nav(page, name: str) -> None:
    page.locator(".st-key-nav [role=radiogroup] label").nth(NAV[name]).click()


def bench_browser(settings: Settings, approvals: int) -> dict[str, object]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(CODE)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "review", "--data-dir", settings.data_dir, "--port", str(port)],
        cwd=CODE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url + "/_stcore/health", proc, timeout=60, every=0.3, name="`backfill review`")
        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path="/usr/bin/chromium",
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
            ctx, page = _browser_login(b, url, "rev")
            queue_ms = []
            table = page.locator('[data-testid="stDataFrame"]').first
            for _ in range(5):
                _nav(page, "duplicates")
                page.wait_for_function(SETTLED)
                t0 = time.perf_counter()
                _nav(page, "queue")
                expect(table).to_be_visible()
                page.wait_for_function(SETTLED, polling="raf")
                queue_ms.append((time.perf_counter() - t0) * 1000)
            page.locator(".st-key-start button:visible").click()
            heading = page.locator("h3").filter(has_text=HEADING).first
            expect(heading).to_be_visible()
            page.wait_for_function(SETTLED)
            next_ms = []
            for _ in range(approvals):
                rid = HEADING.match(heading.inner_text()).group(1)
                page.locator("h2").first.click()  # the cursor out of any text box: Alt+A is the reviewer's shortcut
                t0 = time.perf_counter()
                page.keyboard.press("Alt+KeyA")
                # polled on every animation frame (expect() polls at 100-1000 ms steps, too coarse here)
                page.wait_for_function(
                    "rid => [...document.querySelectorAll('h3')].some(h => {"
                    " const m = h.innerText.match(/^(?:记录|Record) (\\d+) /); return m && m[1] !== rid; })",
                    arg=rid,
                    polling="raf",
                )
                next_ms.append((time.perf_counter() - t0) * 1000)
                page.wait_for_function(SETTLED)
                print(f"  browser: record {rid} approved, next shown after {next_ms[-1]:.0f} ms", flush=True)
            ctx.close()
            ctx, page = _browser_login(b, url, "boss")
            done_ms = []
            table = page.locator('[data-testid="stDataFrame"]').first
            level = page.locator(".st-key-completion_level")  # only on the completion page, in every version
            for _ in range(5):
                _nav(page, "queue")
                page.wait_for_function(SETTLED)
                expect(level).to_have_count(0)
                t0 = time.perf_counter()
                _nav(page, "completion")
                expect(level).to_be_visible()
                expect(table).to_be_visible()
                page.wait_for_function(SETTLED, polling="raf")
                page.wait_for_function(CHARTS_DRAWN, polling="raf")
                done_ms.append((time.perf_counter() - t0) * 1000)
                print(f"  browser: completion page shown after {done_ms[-1]:.0f} ms", flush=True)
            b.close()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=10)
    return {"queue_page": stats(queue_ms), "next": stats(next_ms), "completion_page": stats(done_ms)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--approvals", type=int, default=30)
    ap.add_argument("--volumes", type=int, default=1000)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-scan", action="store_true")
    ap.add_argument("--label", default="", help="what is measured (a commit), for the results")
    ap.add_argument("--out", default=str(HERE / "bench" / "results" / "review.md"))
    args = ap.parse_args()
    base = HERE / "bench" / "out" / "review"
    t0 = time.perf_counter()
    settings, marked = prepare(base, args.rows, not args.no_scan, args.volumes)
    print(f"prepared in {time.perf_counter() - t0:.1f} s ({marked} records marked ahead)", flush=True)
    a = bench_apptest(settings, args.approvals)
    label = args.label or str(CODE)
    lines = [
        f"## {date.today().isoformat()} · {label}",
        "",
        f"`python bench/bench_review.py --rows {args.rows} --approvals {args.approvals} --volumes {args.volumes}` "
        f"(code: {label}) — SQLite working store, {a['waiting']} records waiting for review, {args.volumes} inventory "
        f"volumes; {os.cpu_count()} cores.",
        "",
        "| measure | how | result | goal |",
        "|---|---|---|---|",
        f"| approve → next record | AppTest: server-side script run after Approve until the next record is rendered "
        f"({a['with_scan']} of {args.approvals} records with scan and cell crops) | {fmt(a['next'], GOAL_NEXT_MS)} | < 300 ms |",
        f"| queue page | AppTest: full script run of the queue page | {fmt(a['queue_page'], GOAL_PAGE_MS)} | < 1 s |",
        f"| completion page | AppTest: full script run of the completion page ({args.volumes} volumes) "
        f"| {fmt(a['completion_page'], GOAL_PAGE_MS)} | < 1 s |",
        f"| completion count alone | `pipeline.runs.completion.completion(level='volume')` | {a['completion_fn']['median']:.0f} ms median | |",
    ]
    if not args.no_browser:
        b = bench_browser(settings, args.approvals)
        lines += [
            f"| approve → next record | Chromium: Alt+A until the next record's heading is shown | {fmt(b['next'], GOAL_NEXT_MS)} | < 300 ms |",
            f"| queue page | Chromium: sidebar click until the table is shown and the run is over | {fmt(b['queue_page'], GOAL_PAGE_MS)} | < 1 s |",
            f"| completion page | Chromium: sidebar click until the table is shown, the run is over and the charts are drawn "
            f"| {fmt(b['completion_page'], GOAL_PAGE_MS)} | < 1 s |",
        ]
    text = "\n".join(lines) + "\n"
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as f:
        f.write("\n" + text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
