"""Completion page rerun time (session 44): the administrator's completion page run again and again on an
unchanged store (a level radio clicked), timed in Streamlit's AppTest (the server's script run; no browser).

Seeds a store of `--pages` generated pages per register (cremation + sea burial, one home, one year: about
20 rows a page), draws the blind audit sample and has a share of it reviewed, so that the audit quality report
(A.quality) has samples and volumes to read. Prints the median and p90 of `--runs` reruns, and how many times
A.quality was built. Run it on two checkouts back to back (same machine, same arguments) to compare:

  PYTHONPATH=. .venv/bin/python bench/completion_rerun.py --pages 12 --runs 12 --out /work/data/s44-ux/bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pipeline.kernel.config import Settings
from pipeline.kernel.store import Record, Store
from pipeline.quality import audit as A
from pipeline.review.users import add_user
from samples.seed import seed_store

APP = str(Path(__file__).resolve().parent.parent / "review_app" / "app.py")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--runs", type=int, default=12)
    ap.add_argument("--out", default=None, help="folder for the store (default: a temporary one)")
    args = ap.parse_args()
    root = Path(args.out or tempfile.mkdtemp(prefix="completion-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    data = root / f"data-{os.getpid()}"
    settings = Settings(data_dir=str(data))
    store = Store.open(settings)
    seed_store(store, settings, pages=args.pages, unsure_share=0.3)
    add_user(store, "boss", "administrator", "password-boss")
    A.draw(store, settings)
    with store.session() as s:
        n = s.query(Record).count()
    os.environ["BACKFILL_DATA_DIR"] = str(data)
    real, built = A.quality, []

    def counted(*a, **k):
        built.append(1)
        return real(*a, **k)

    A.quality = counted  # counts the builds; the real report is built
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_input(key="login_user").input("boss")
    at.text_input(key="login_password").input("password-boss")
    at.button[0].click().run()
    at.sidebar.radio(key="nav").set_value("completion").run()
    at.run()
    built_before = len(built)
    times = []
    levels = ("home", "ledger", "volume", "year")
    for i in range(args.runs):
        t0 = time.perf_counter()
        at.radio(key="completion_level").set_value(levels[i % len(levels)]).run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    times.sort()
    print(
        f"records {n}; reruns {args.runs}: median {1000 * statistics.median(times):.0f} ms, "
        f"p90 {1000 * times[int(0.9 * (len(times) - 1))]:.0f} ms; A.quality built {len(built) - built_before} times in the reruns"
    )
    store.dispose()


if __name__ == "__main__":
    main()
