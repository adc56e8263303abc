"""Local HTTP services started as child processes (the Prefect server, the review app in tests and
benches): a free loopback port, and waiting until the service answers its health URL."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(
    url: str, proc: subprocess.Popen | None = None, timeout: float = 60.0, every: float = 0.5, name: str = "the service"
) -> None:
    """Poll `url` until it answers 200. Raises RuntimeError when `proc` exits first, TimeoutError
    after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} not healthy after {timeout:.0f} s")
        time.sleep(every)
