"""Real-browser tests: Playwright drives Debian's Chromium against a live daphne process.

The server runs the real ASGI application (HTTP and WebSockets) in a child process that
uses the test database, so the database must be a file (SQLite) or a server (PostgreSQL).
Without /usr/bin/chromium the tests skip on a developer's machine and fail under CI.
"""

import os
from pathlib import Path

import pytest

from tests.live_server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing at /usr/bin/chromium (apt-get install chromium); CI never skips browser tests.")
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the tests' own ORM
    # calls (building data, checking results) are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            # A phone in the room speaks Romanian unless a test says otherwise: the live screens
            # follow the browser's Accept-Language, and Playwright's own default is en-US.
            new_context = browser.new_context
            browser.new_context = lambda **options: new_context(**{"locale": "ro-MD", **options})
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def live_server_url(transactional_db, request):
    """A daphne process serving the real ASGI app (with static files) on a free port.

    A test that does not build on the shared tree starts from a bare site (most load the demo).
    """
    if "tree" not in request.fixturenames:
        request.getfixturevalue("bare_site")
    server = LiveServer()
    yield server.url
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ro-MD", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
