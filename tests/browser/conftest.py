"""Fixtures of the dashboard's browser tests: the server, headless Chromium, and pages that watch for problems.

The server is started the way a teacher starts it (``docsec dashboard --no-browser``)
on a free port of 127.0.0.1. Chromium is Debian's (``/usr/bin/chromium``; Playwright's
own browser download is not used) with the flags that keep it from calling out.
Every page records browser console errors, uncaught page errors and any request
to a host other than this machine; a test fails if there is any. Each test leaves a
screenshot in ``test-artifacts/browser/`` (or ``$DOCSEC_TEST_ARTIFACTS/browser/``).
"""

from __future__ import annotations

import base64
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from docsec.analysis.dashboard.headline import PANELS

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("DOCSEC_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
]
ARTIFACTS = Path(os.environ.get("DOCSEC_TEST_ARTIFACTS", REPO / "test-artifacts")) / "browser"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
VIEWPORT = {"width": 1440, "height": 1600}
SERVER_START_SECONDS = 90


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the dashboard in headless Chromium (/usr/bin/chromium)")


def _requirements() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium) to run the browser tests"
    for module in ("playwright", "solara", "solara_assets"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed: install the dashboard extra (pip install -e '.[dev,dashboard]')"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def dashboard_url():
    """The dashboard served by ``docsec dashboard --no-browser`` on a free local port."""
    reason = _requirements()
    if reason:
        if os.environ.get("CI"):  # CI installs Chromium and the extra: a missing one is a failure there
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    log_path = ARTIFACTS / "dashboard-server.log"
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "docsec.analysis.cli", "dashboard", "--no-browser", "--port", str(port)],
                            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + SERVER_START_SECONDS
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"docsec dashboard exited with status {proc.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"docsec dashboard did not answer on {url} within {SERVER_START_SECONDS} s:\n"
                            f"{log_path.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def browser(dashboard_url):
    """One Chromium per test module. Playwright's sync API runs an event loop while it is open, so a
    session-wide one would break every later module that starts Playwright or calls asyncio.run."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # a busy two-core machine: the page may take seconds to catch up
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-error"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


class Dashboard:
    """One browser session on the dashboard, with the problems it saw and helpers to read the page."""

    def __init__(self, context, url: str, name: str):
        self.context = context
        self.url = url
        self.name = name
        self.problems: list[str] = []
        self.page = context.new_page()
        self.page.set_default_timeout(30_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self.page.on("websocket", lambda ws: None if is_local(ws.url) else
                     self.problems.append(f"websocket to another host: {ws.url}"))
        context.route("**/*", self._route)

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _route(self, route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.problems.append(f"request to another host: {url}")
            route.abort()

    # -- actions -------------------------------------------------------------------------------------
    def open(self) -> Dashboard:
        """Load the page and wait until free play has drawn all its charts."""
        self.page.goto(self.url)
        self.page.wait_for_selector(".free-play .day-counter")
        self.page.wait_for_function(
            "(n) => document.querySelectorAll('.free-play .live-chart[data-days]').length === n", arg=len(PANELS))
        return self

    def click(self, selector: str) -> None:
        self.page.locator(selector).click()

    def step(self, scope: str = ".free-play") -> int:
        before = self.day(scope)
        self.click(f"{scope} .step-button")
        self.page.wait_for_function(
            "([scope, before]) => { const m = document.querySelector(scope + ' .day-counter').innerText"
            ".match(/Day (\\d+) of/); return m && Number(m[1]) > before; }", arg=[scope, before])
        return self.day(scope)

    def open_tabletop(self) -> None:
        self.page.get_by_role("tab", name="Tabletop").click()
        self.page.wait_for_selector(".tabletop .start-game")

    # -- reading the page ----------------------------------------------------------------------------
    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def day(self, scope: str = ".free-play") -> int:
        match = re.search(r"Day (\d+) of", self.text(f"{scope} .day-counter"))
        assert match, self.text(f"{scope} .day-counter")
        return int(match.group(1))

    def wait_text(self, selector: str, pattern: str) -> str:
        """Wait until the element's text matches ``pattern`` (a regular expression, ignoring case: buttons
        are shown in capitals); returns the text."""
        self.page.wait_for_function(
            "([selector, pattern]) => { const el = document.querySelector(selector); "
            "return el && new RegExp(pattern, 'i').test(el.innerText); }", arg=[selector, pattern])
        return self.text(selector)

    def wait_points(self, selector: str, points: int) -> list[dict]:
        """Wait until every chart matched by ``selector`` has drawn the current run up to day ``points``
        (the live charts' ``data-days``, set once plotly.js has drawn)."""
        self.page.wait_for_function(
            """([selector, points]) => { const els = Array.from(document.querySelectorAll(selector));
                 return els.length > 0 && els.every(el => el.getAttribute('data-days') === String(points)); }""",
            arg=[selector, points])
        return self.charts(selector)

    def charts(self, selector: str) -> list[dict]:
        """Each drawn chart's title and, per trace, its name, points and last value (from plotly's own state)."""
        return self.page.evaluate(
            """(selector) => Array.from(document.querySelectorAll(selector)).map(el => ({
                 title: (el.layout && el.layout.title && el.layout.title.text) || '',
                 yrange: (el._fullLayout && el._fullLayout.yaxis) ? el._fullLayout.yaxis.range : null,
                 traces: (el._fullData || []).map(t => ({
                   name: t.name, meta: t.meta || null, points: t.y ? t.y.length : 0,
                   last: t.y && t.y.length ? Number(t.y[t.y.length - 1]) : null}))}))""", selector)

    def feed(self, scope: str) -> list[str]:
        return self.page.locator(f"{scope} [data-testid=event-feed] li").all_inner_texts()

    def screenshot(self, label: str = "") -> Path:
        """The page as seen now, saved as a test artefact (Chromium's own capture of the viewport)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / (self.name + (f"-{label}" if label else "") + ".png")
        session = self.context.new_cdp_session(self.page)
        try:
            data = session.send("Page.captureScreenshot", {"format": "png"})["data"]
        finally:
            session.detach()
        path.write_bytes(base64.b64decode(data))
        return path


def _test_name(request) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name)


@pytest.fixture
def dash(browser, dashboard_url, request):
    """A fresh browser session on the dashboard; fails the test on any console error or outside request."""
    context = browser.new_context(viewport=VIEWPORT)
    board = Dashboard(context, dashboard_url, _test_name(request))
    yield board
    try:
        board.screenshot()
    finally:
        context.close()
    assert not board.problems, "\n".join(board.problems)


@pytest.fixture
def phone(browser, dashboard_url, request):
    """A browser session on a phone-sized screen (390 x 844 CSS pixels, touch)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    board = Dashboard(context, dashboard_url, _test_name(request))
    yield board
    try:
        board.screenshot()
    finally:
        context.close()
    assert not board.problems, "\n".join(board.problems)


@pytest.fixture
def other_dash(browser, dashboard_url, request):
    """A second, separate browser session (its own cookies, its own page)."""
    context = browser.new_context(viewport=VIEWPORT)
    board = Dashboard(context, dashboard_url, _test_name(request) + "-second-session")
    yield board
    try:
        board.screenshot()
    finally:
        context.close()
    assert not board.problems, "\n".join(board.problems)
