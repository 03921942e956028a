"""End-to-end fixtures: `courtside demo` in its own process, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.support import REPO_ROOT, free_port, wait_for_http

CHROMIUM = os.environ.get("COURTSIDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]


@dataclass
class Demo:
    app_url: str
    server_url: str
    home: Path
    pin: str
    officer: str
    log: Path


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    with running_demo(tmp_path) as running:
        yield running


@contextlib.contextmanager
def running_demo(tmp_path: Path) -> Iterator[Demo]:
    """`courtside demo` with its home in `tmp_path`, and what its banner says (the officer and PIN to use)."""
    home = tmp_path / "demo"
    port, server_port = free_port(), free_port()
    log = tmp_path / "demo.log"
    with courtside_demo(tmp_path, log, port, "--home", str(home), "--server-port", str(server_port)):
        banner = log.read_text()
        pin = re.search(r"PIN: (\d+)", banner)
        officer = re.search(r"demo officer: (.+?)\s{2,}", banner)
        assert pin and officer, banner
        yield Demo(f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{server_port}", home, pin.group(1),
                   officer.group(1), log)


@contextlib.contextmanager
def courtside_demo(tmp_path: Path, log: Path, port: int, *args: str) -> Iterator[str]:
    """`courtside demo ARGS` in its own process, serving the tablet app on `port` until the block ends
    (with `--join NAME`, a second tablet of an already running demo)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO_ROOT), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "courtside", "demo", "--port", str(port), *args],
                                cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", timeout=60, alive=proc)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser per test module: Playwright's sync API keeps an event loop running while it is open, which
    would stop later (non-browser) tests from running their own."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does this)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


_open_pages: list[Page] = []
FAILURES_DIR = REPO_ROOT / "build" / "e2e-failures"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed browser test leaves a screenshot of every page it opened, and the demo's log, to look at."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and _open_pages:
        FAILURES_DIR.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(_open_pages):
            try:
                page.screenshot(path=str(FAILURES_DIR / f"{item.name}-{i}.png"))
            except Exception:  # noqa: BLE001 - a closed page has nothing to show
                pass
        demo = item.funcargs.get("demo")
        if isinstance(demo, Demo) and demo.log.exists():
            (FAILURES_DIR / f"{item.name}.log").write_text(demo.log.read_text(errors="replace"))
    if report.when == "teardown":
        _open_pages.clear()


@dataclass
class App:
    page: Page
    failures: list[str]  # every HTTP error answer, and every request for a host other than this machine


LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def open_app(browser: Browser, url: str, width: int = 1280, height: int = 800) -> App:
    """The app in a new browser context, opened as a person would: nothing pressed to turn accessibility on (the
    semantics tree must come by itself), and any request that would leave the machine refused and recorded."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _open_pages.append(page)
    failures: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def offline(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            failures.append(f"asked another host: {route.request.url}")
            route.abort()

    page.route(re.compile(r"^https?://"), offline)
    page.goto(url)
    page.wait_for_selector("flt-semantics", state="attached", timeout=30_000)
    return App(page, failures)
