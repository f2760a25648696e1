"""Browser tests: the console served over HTTP, driven in Debian's headless Chromium by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium (scripts/setup-venv installs
it). Screenshots go to the test's folder and are checked for what they show.
"""

from __future__ import annotations

import shutil

import pytest

from router.runtime import runtime
from tests.web.console import PASSWORD, add_accounts

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup-venv test installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def console(served_app):
    """The console's base URL, with an account of each role (tests/web/console.py)."""
    add_accounts(served_app)
    return runtime(served_app).services.public_url


@pytest.fixture
def page(browser, console):
    """A fresh browser page (its own cookies); requests leaving localhost fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=console)
    outside: list[str] = []
    context.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(("http://127.0.0.1",
                                                                                              "data:", "blob:"))
                                         else (outside.append(route.request.url), route.abort())))
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
    assert not outside, f"the console asked for something off this host: {outside}"


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the form, as a person would."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
