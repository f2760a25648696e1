"""Logging in to the console in a real browser: each role lands on its first page; a wrong password does not."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_a_page_without_a_login_leads_to_the_login(page):
    page.goto("/")
    assert "/login" in page.url
    assert page.locator("h1").inner_text() == "Log in"


def test_a_wrong_password_is_refused(page, tmp_path):
    log_in(page, "marta", "not-her-password")
    assert "/login" in page.url
    assert "Wrong username or password" in page.locator(".flash").inner_text()
    page.screenshot(path=tmp_path / "refused.png")


def test_log_out_ends_the_session(page):
    log_in(page, "paula")
    page.click("text=Log out")
    page.goto("/")
    assert "/login" in page.url
