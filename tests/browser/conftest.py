"""A live server of the test app and a headless Chromium driven by Playwright."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine has no outside network: no background calls home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over HTTP on a free loopback port, for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; the test skips where it is not installed."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("no chromium on the PATH (Debian package chromium): page tests skipped")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield _ScreenshotBrowser(launched)  # type: ignore[misc]
        launched.close()


#: Where every browser test leaves a screenshot of each page as it was closed.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
_current_test = ["browser"]


def _keep_screenshot(page: Page) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = len(list(SCREENSHOTS.glob(f"{_current_test[0]}-*.png")))
    page.screenshot(path=SCREENSHOTS / f"{_current_test[0]}-{taken + 1}.png", full_page=True)


def _screenshot_on_close(page: Page) -> Page:
    close = page.close

    def closing(**kwargs: Any) -> None:
        if not page.is_closed():
            _keep_screenshot(page)
        close(**kwargs)

    page.close = closing  # type: ignore[method-assign]
    return page


class _ScreenshotContext:
    """A browser context whose pages leave a screenshot when closed, or when it is."""

    def __init__(self, context: BrowserContext) -> None:
        self._context = context

    def new_page(self) -> Page:
        return _screenshot_on_close(self._context.new_page())

    def close(self) -> None:
        for page in self._context.pages:
            if not page.is_closed():
                _keep_screenshot(page)
        self._context.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class _ScreenshotBrowser:
    """The browser, handing out pages and contexts that keep their last screenshot."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def new_page(self, **kwargs: Any) -> Page:
        return _screenshot_on_close(self._browser.new_page(**kwargs))

    def new_context(self, **kwargs: Any) -> _ScreenshotContext:
        return _ScreenshotContext(self._browser.new_context(**kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def _name_screenshots(request: pytest.FixtureRequest) -> None:
    """Screenshots are named after the test that took them."""
    _current_test[0] = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])


#: axe-core's impact levels a page must not have.
_BLOCKING_IMPACTS = ("serious", "critical")


def assert_accessible(page: Page) -> None:
    """Run axe-core (bundled with axe-playwright-python, no network) on the page; fail on a
    serious or critical violation, naming the rule and the elements concerned."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v.get("impact") in _BLOCKING_IMPACTS]
    assert not blocking, f"{page.url}:\n" + "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in blocking
    )
