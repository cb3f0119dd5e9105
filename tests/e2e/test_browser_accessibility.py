"""Every page, for every role and signed out, checked in Chromium with axe-core (WCAG 2.1 A and AA rules): no
serious or critical violation. Moderate and minor findings are printed, not failed."""

from __future__ import annotations

import pytest

from .axe import blocking, violations
from .browser import signed_in_page
from .conftest import Habitat

pytestmark = pytest.mark.e2e

SIGNED_OUT = ["/login", "/forgot-password", "/reset-password?token=not-a-real-token", "/guides",
              "/guides/getting-started"]
MEMBER = ["/dashboard", "/contributions", "/contributions/new", "/profile", "/profile/mail", "/password",
          "/guides", "/guides/allocations"]
STEWARD = [*MEMBER, "/review", "/intake"]
ADMIN = [*STEWARD, "/admin/members", "/admin/members/import", "/admin/audit", "/admin/imports", "/admin/validate",
         "/admin/exports", "/admin/mail", "/periods", "/distributions"]


def audit(page, base_url: str, paths: list[str]) -> dict[str, list[dict]]:
    """Each path's blocking violations (printing every finding)."""
    found = {}
    for path in paths:
        response = page.goto(base_url + path)
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        page.wait_for_load_state("networkidle")
        every = violations(page)
        for v in every:
            print(f"{path}: {v['impact']} {v['id']}: {v['help']} {v['targets']}")
        found[path] = blocking(every)
    return {path: v for path, v in found.items() if v}


def test_signed_out_pages_have_no_serious_violation(habitat: Habitat, browser) -> None:
    page = browser.new_context(bypass_csp=True).new_page()  # axe is injected inline
    assert audit(page, habitat.url, SIGNED_OUT) == {}
    page.context.close()


@pytest.mark.parametrize(("role", "paths"), [("member", MEMBER), ("steward", STEWARD), ("admin", ADMIN)])
def test_every_page_of_the_role_has_no_serious_violation(habitat: Habitat, browser, role, paths) -> None:
    page = signed_in_page(habitat, browser, role, bypass_csp=True)  # axe is injected inline
    assert audit(page, habitat.url, paths) == {}
    page.context.close()


def test_a_contribution_and_a_period_page_have_no_serious_violation(habitat: Habitat, browser) -> None:
    _, token = habitat.active_member()
    created = habitat.submit(token, {
        "type": "capital", "contributed_on": "2026-02-02", "amount": "25.00",
        "description": "Paid for the <b>greenhouse</b> door & hinges",
    })
    page = signed_in_page(habitat, browser, "admin", bypass_csp=True)
    assert audit(page, habitat.url, [f"/contributions/{created['id']}", f"/periods/{habitat.period_id}"]) == {}
    page.context.close()


def test_the_check_finds_what_it_should(habitat: Habitat, browser) -> None:
    """The audit is not vacuous: a nameless button and an image without alternative text on a real page fail it."""
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(habitat.url + "/login")
    page.evaluate(
        """() => { const main = document.querySelector('main');
                   main.insertAdjacentHTML('beforeend', '<button id="nameless"></button><img id="bare" src="/x.png">'); }"""
    )
    found = {v["id"]: v for v in blocking(violations(page))}
    assert {"button-name", "image-alt"} <= set(found)
    assert found["button-name"]["targets"] == ["#nameless"]
    page.context.close()


PHONE = {"width": 375, "height": 812}


def overflowing(page, base_url: str, paths: list[str], shots) -> dict[str, int]:
    """Paths whose page is wider than a 375 px phone (the page scrolls sideways), with their width; a screenshot
    of each page is kept in shots."""
    wide = {}
    for path in paths:
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / (path.strip("/").replace("/", "_").split("?")[0] + ".png")), full_page=True)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[path] = width
    return wide


@pytest.mark.parametrize(("role", "paths"), [("signed out", SIGNED_OUT), ("admin", ADMIN)])
def test_every_page_fits_a_375_px_phone(habitat: Habitat, browser, role, paths, tmp_path) -> None:
    if role == "signed out":
        page = browser.new_context(viewport=PHONE).new_page()
    else:
        page = signed_in_page(habitat, browser, role, viewport=PHONE)
    assert overflowing(page, habitat.url, paths, tmp_path) == {}
    page.context.close()


def test_a_refused_form_keeps_its_input_and_takes_focus_to_the_reason(habitat: Habitat, browser) -> None:
    """Adding a member whose email is taken: the page comes back with the reason focused and the input kept."""
    _, taken, _ = habitat.create_member()
    page = signed_in_page(habitat, browser, "admin")
    page.goto(habitat.url + "/admin/members")
    page.click("summary:has-text('Add a member')")
    page.fill("#create-member input[name=email]", taken)
    page.fill("#create-member input[name=display_name]", "Twice Added")
    page.select_option("#create-member select[name=role]", "steward")
    page.click("#create-member button[type=submit]")
    page.wait_for_selector("main .error[role=alert]")
    assert page.evaluate("() => document.activeElement.matches('main .error[role=alert]')")
    assert page.input_value("#create-member input[name=email]") == taken
    assert page.input_value("#create-member input[name=display_name]") == "Twice Added"
    assert page.input_value("#create-member select[name=role]") == "steward"
    page.context.close()
