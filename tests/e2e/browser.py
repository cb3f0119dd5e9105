"""Playwright driving Debian's Chromium (its own browser download cannot work here)."""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


def signed_in_member(habitat, browser, role: str = "member", **context_options):
    """A fresh member of `role` on a new browser context, signed in past the forced password change: the page,
    their id, and an API access token of theirs (to act through the API beside the page)."""
    member_id, email, temporary = habitat.create_member(role)
    password = f"{role}-signs-in-for-a-browser-test-42"
    page = browser.new_context(**context_options).new_page()
    sign_in(page, habitat.url, email, temporary)
    page.fill("input[name=current_password]", temporary)
    page.fill("input[name=new_password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dashboard")
    return page, member_id, habitat.login(email, password)["access_token"]


def signed_in_page(habitat, browser, role: str, **context_options):
    """A fresh member of `role` on a new browser context, signed in past the forced password change."""
    return signed_in_member(habitat, browser, role, **context_options)[0]
