"""Two page workers' recognizers side by side (issue 27): do they use two cores?

    /work/bin/quiet python bench/bench_two_workers.py

Each page worker has its own one-thread engine (ocr.registry.worker_engine). The same recognizer calls
(8 crops x 320 px) are made one after the other on one worker, then split over two threads, one per
worker: on two free cores the second is about half the first. It was not (1.10 x) while OpenVINO
pinned both one-thread networks to the same core; 2.13 x unpinned (docs/ocr.md, "Both cores"). The
first inference of each engine is made alone first (see ocr.ppocr._OV_FIRST). Never a test.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from ocr.registry import worker_engine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=40, help="recognizer calls in all")
    args = ap.parse_args()
    engines = [worker_engine("ppocr", k) for k in range(2)]
    x = np.random.default_rng(0).random((8, 3, 48, 320)).astype(np.float32)
    for e in engines:
        e._rec(x)  # compiled, first inference made alone

    def loop(e, n: int) -> None:
        for _ in range(n):
            e._rec(x)

    t = time.perf_counter()
    loop(engines[0], args.calls)
    serial = time.perf_counter() - t
    threads = [threading.Thread(target=loop, args=(e, args.calls // 2)) for e in engines]
    t, cpu = time.perf_counter(), time.process_time()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    both, cpu = time.perf_counter() - t, time.process_time() - cpu
    print(
        f"{engines[0].describe()}\n{args.calls} calls: one worker {serial:.2f} s, two workers {both:.2f} s "
        f"({serial / both:.2f} x; {cpu / both:.2f} cores busy)"
    )


if __name__ == "__main__":
    main()
