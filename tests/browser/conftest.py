"""Browser fixtures: Debian's Chromium driven by Playwright for Python, a fresh context
per user, and every page's console watched so a script error or a CSP refusal fails the
test. Screenshots go to docs/screenshots/ when UPDATE_SCREENSHOTS=1 (the README shows
them), otherwise to the test's temporary directory, so a test run never dirties the tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run deploy/install-browser.sh (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Browsers:
    """Opens one context per user; collects what the pages said on their consoles."""

    def __init__(self, chromium, base_url: str, shots: Path):
        self.chromium = chromium
        self.base_url = base_url
        self.shots = shots
        self.contexts = []
        self.problems: list[str] = []

    def page(self, viewport: dict = DESKTOP, *, mobile: bool = False):
        context = self.chromium.new_context(
            base_url=self.base_url,
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            is_mobile=mobile,
            has_touch=mobile,
            device_scale_factor=2 if mobile else 1,
        )
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=self.base_url)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        self.watch(page)
        context.on("page", self.watch)
        return page

    def watch(self, page) -> None:
        def on_console(message):
            # 4xx answers the page handles itself are logged by Chromium as failed loads
            if message.type == "error" and "Failed to load resource" not in message.text:
                self.problems.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"{page.url}: {exc}"))

    def shot(self, page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        page.evaluate("window.scrollTo(0, 0)")  # a full-page shot of a scrolled page repeats the fixed header mid-way
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsers(chromium, stack, tmp_path):
    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    handle = Browsers(chromium, stack.base_url, shots)
    yield handle
    handle.close()
    assert not handle.problems, "the pages reported errors:\n" + "\n".join(handle.problems)


def pytest_collection_modifyitems(items):
    """The pages are the same whatever database the services use, and the PostgreSQL pass
    runs every API path they call in tests/e2e: the browser tests run in the SQLite pass."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.once)
