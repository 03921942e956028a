"""Shared test helpers: free ports, waiting for HTTP, and the site server in a real subprocess.

Why a subprocess: the server is tested the way it runs (uvicorn, its own process, real sockets), so
the tests also cover start-up, the CLI and shutdown, and nothing is shared with the test process.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def fake_page(**attrs: object) -> SimpleNamespace:
    """What the shell touches of a Flet page, for tests that build screens without a browser."""

    async def scroll_to(**_kw: object) -> None:
        return None

    return SimpleNamespace(**{"update": lambda: None, "controls": [], "appbar": None, "scroll_to": scroll_to, **attrs})


def bounded(limit: int, doing: str | Callable[[], str]) -> Iterator[int]:
    """`range(limit)` for a loop that breaks when its work is done: using every step fails the test, saying what
    the loop was still doing (a callable is asked at that moment, e.g. for the question it was stuck on)."""
    yield from range(limit)
    pytest.fail(f"gave up after {limit} steps {doing() if callable(doing) else doing}", pytrace=False)


def free_port() -> int:
    """A loopback TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30.0, alive: subprocess.Popen[bytes] | None = None) -> None:
    """Poll `url` until it answers 200; fail early if the process that should serve it has exited."""
    deadline = time.monotonic() + timeout
    last: str = "no answer"
    while time.monotonic() < deadline:
        if alive is not None and alive.poll() is not None:
            raise RuntimeError(f"the server exited with code {alive.returncode} before {url} answered")
        try:
            response = httpx.get(url, timeout=2.0)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s (last: {last})")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def running_server(db_url: str, data_dir: Path, site_paths: list[Path] | None = None,
                   extra_args: Sequence[str] = ("--device-rate", "1000", "--address-rate", "1000")) -> Iterator[str]:
    """Start `python -m sync.server` on a free port, yield its base URL, and stop it afterwards.

    Tests make many requests from one address and device, so the rate limits are raised unless a
    test passes its own `extra_args` (the rate-limit tests do).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    cmd = [sys.executable, "-m", "sync.server", "--host", "127.0.0.1", "--port", str(port),
           "--db", db_url, "--data-dir", str(data_dir), *extra_args]
    for path in site_paths or []:
        cmd += ["--site", str(path)]
    log_path = data_dir / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_http(f"{base_url}/healthz", alive=process)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}\n--- server log ---\n{_tail(log_path)}") from None
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

