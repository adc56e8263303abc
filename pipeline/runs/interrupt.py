"""Ctrl-C (SIGINT) and SIGTERM during `backfill run`: stop within seconds, with or without Prefect.

What a run writes is saved as it goes, in transactions (a page's records at once, then its status),
so nothing needs finishing: on the signal this process marks its runs `interrupted` and gives back
their claims (pipeline.runs.manage), stops its own child processes (Prefect's temporary server), prints one
line saying what is saved and how to resume, and exits 130 (143 for SIGTERM) at once, without
waiting for the page being read (it is read again by the next run) and without a traceback. A
killed Prefect server (Ctrl-C reaches the whole terminal process group) is never waited for.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Iterator, cast

from sqlalchemy import Table, delete, func, select

from pipeline.kernel.config import Settings
from pipeline.kernel.errors import ExitCode

BOOKKEEPING_SECONDS = 3.0
"""At most this long is spent marking the run interrupted; the next run on this host does it anyway
(its process is gone), so a store that does not answer never delays the stop."""


def _bookkeeping(settings: Settings, out: list[str]) -> None:
    """Mark this process's runs interrupted, release their claims, and say what the store holds."""
    from pipeline.kernel.store import Page, PageRead, Record, Run, WorkClaim, make_engine, utcnow
    from pipeline.runs.manage import ACTIVE_RUNS

    engine = make_engine(settings.store_url, what="working store", busy_seconds=BOOKKEEPING_SECONDS)
    try:
        with engine.begin() as conn:
            runs = sorted(ACTIVE_RUNS)
            if runs:
                conn.execute(
                    cast(Table, Run.__table__)
                    .update()
                    .where(Run.id.in_(runs), Run.status == "running")
                    .values(status="interrupted", finished_at=utcnow())
                )
                conn.execute(delete(WorkClaim).where(WorkClaim.run_id.in_(runs)))
            read = conn.scalar(select(func.count(PageRead.id)).where(PageRead.run_id.in_(runs))) if runs else 0
            pending = conn.scalar(select(func.count(Page.id)).where(Page.status == "pending")) or 0
            records = conn.scalar(select(func.count(Record.id))) or 0
        ids = ", ".join(map(str, runs))
        if runs:
            out.append(
                f"运行 {ids} 已停止；已保存：本次完整读取的 {read} 页，工作库中共 {records} 条记录；尚有 {pending} 页未读",
            )
            out.append(
                f"run {ids} stopped; saved: {read} page(s) read by it, each whole, "
                f"{records} record(s) in the store; {pending} page(s) not read yet"
            )
        else:
            out.append(f"运行开始前已停止；工作库中尚有 {pending} 页未读")
            out.append(f"stopped before the run began; {pending} page(s) in the store not read yet")
    finally:
        engine.dispose()


def _stop_children() -> None:
    """Stop this process's own children (Prefect's temporary API server): TERM, then KILL."""
    try:
        import psutil

        children = psutil.Process().children(recursive=True)
    except Exception:  # noqa: BLE001 - never let cleanup delay the stop
        return
    for c in children:
        try:
            c.terminate()
        except psutil.Error:
            pass
    _gone, alive = psutil.wait_procs(children, timeout=2.0)
    for c in alive:
        try:
            c.kill()
        except psutil.Error:
            pass


def stop_now(signum: int, settings: Settings, resume: str) -> None:
    """Never returns: the one line, then exit 130 (SIGINT) or 143 (SIGTERM)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C does not cut the bookkeeping short
        except ValueError:
            pass
    said: list[str] = []
    t = threading.Thread(target=_safe_bookkeeping, args=(settings, said), daemon=True)
    t.start()
    t.join(BOOKKEEPING_SECONDS + 1)
    _stop_children()
    zh, what = (
        said[:2]
        if len(said) >= 2
        else ("已停止；此前读取的每一页都已保存", "stopped; every page read before this moment is saved")
    )
    try:
        print(
            f"已中断：{zh}。要继续，请再次运行同一命令（{resume}）：已读的页面会跳过，不会重复读取 / "
            f"interrupted: {what}. To resume, run the same command again ({resume}): "
            "pages already read are skipped, nothing is read twice",
            file=sys.stderr,
            flush=True,
        )
        sys.stdout.flush()
    except Exception:  # noqa: BLE001 - a closed terminal
        pass
    os._exit(int(ExitCode.interrupted) if signum == signal.SIGINT else 128 + signum)


def _safe_bookkeeping(settings: Settings, out: list[str]) -> None:
    try:
        _bookkeeping(settings, out)
    except Exception:  # noqa: BLE001 - the next run marks a dead run interrupted anyway
        pass


@contextmanager
def stop_cleanly(settings: Settings, resume: str) -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM stop the process at once the clean way (`stop_now`).
    Only in the main thread (signals are delivered there); elsewhere it does nothing. Prefect replaces
    the SIGTERM handler while its flow runs (its own cancellation); Ctrl-C stays ours."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, _frame) -> None:
        stop_now(signum, settings, resume)

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)
