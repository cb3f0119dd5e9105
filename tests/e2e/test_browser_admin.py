"""Admins in Chromium: profile, members (search, create, role, deactivate), CSV onboarding with preview."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from .browser import sign_in
from .conftest import Habitat

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin_page(habitat: Habitat, browser):
    page = browser.new_context().new_page()
    sign_in(page, habitat.url, habitat.admin_email, habitat.admin_password)
    page.wait_for_url("**/dashboard")
    yield page
    page.context.close()


def members_of(habitat: Habitat, q: str) -> list[dict]:
    response = habitat.call("GET", "/members", habitat.admin_token(), params={"q": q})
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestProfileAndMembers:
    def test_profile_shows_who_i_am(self, habitat: Habitat, admin_page) -> None:
        from playwright.sync_api import expect

        admin_page.click("text=Profile")
        expect(admin_page.locator("#profile")).to_contain_text(habitat.admin_email)
        expect(admin_page.locator("#profile")).to_contain_text("admin")

    def test_create_search_change_role_deactivate_reactivate(self, habitat: Habitat, admin_page) -> None:
        from playwright.sync_api import expect

        email = f"ui-{uuid.uuid4().hex[:8]}@e2e.coop"
        admin_page.click("header >> text=Members")
        admin_page.click("text=Add a member")
        admin_page.fill("#create-member input[name=email]", email)
        admin_page.fill("#create-member input[name=display_name]", "Grace Hopper")
        admin_page.click("#create-member button[type=submit]")
        expect(admin_page.locator("#created")).to_contain_text(email)
        assert len(admin_page.locator("#temporary-password").inner_text()) >= 12

        admin_page.fill("input[name=q]", email)
        admin_page.click(".filters button[type=submit]")
        row = admin_page.locator(f"tr[data-member-email='{email}']")
        expect(row).to_have_count(1)
        expect(admin_page.locator("#members tbody tr")).to_have_count(1)

        row.locator("select[name=role]").select_option("steward")
        row.locator("button", has_text="Set role").click()
        assert members_of(habitat, email)[0]["role"] == "steward"

        admin_page.locator(f"tr[data-member-email='{email}'] button", has_text="Deactivate").click()
        expect(admin_page.locator(f"tr[data-member-email='{email}'] .status")).to_have_text("inactive")
        admin_page.locator(f"tr[data-member-email='{email}'] button", has_text="Reactivate").click()
        expect(admin_page.locator(f"tr[data-member-email='{email}'] .status")).not_to_have_text("inactive")
        assert members_of(habitat, email)[0]["status"] != "inactive"


class TestCsvOnboarding:
    def test_preview_then_import_then_rerun_changes_nothing(self, habitat: Habitat, admin_page, tmp_path: Path) -> None:
        from playwright.sync_api import expect

        tag = uuid.uuid4().hex[:6]
        csv_file = tmp_path / "members.csv"
        csv_file.write_text(
            "email,display_name,role,joined_at\n"
            f"ann-{tag}@e2e.coop,Ann Arbor,member,2026-01-05\n"
            f"bo-{tag}@e2e.coop,Bo Diddley,steward,2026-01-06\n"
        )
        admin_page.goto(habitat.url + "/admin/members/import")
        admin_page.set_input_files("input[name=file]", str(csv_file))
        admin_page.click("#upload-form button[type=submit]")
        expect(admin_page.locator("#import-summary")).to_contain_text("2 to create")
        assert members_of(habitat, tag) == []  # a preview writes nothing

        admin_page.click("#confirm-import button[type=submit]")
        expect(admin_page.locator("#credentials tbody tr")).to_have_count(2)
        expect(admin_page.locator(".welcome")).to_have_count(2)
        assert sorted(m["email"] for m in members_of(habitat, tag)) == [f"ann-{tag}@e2e.coop", f"bo-{tag}@e2e.coop"]

        admin_page.goto(habitat.url + "/admin/members/import")
        admin_page.set_input_files("input[name=file]", str(csv_file))
        admin_page.click("#upload-form button[type=submit]")
        expect(admin_page.locator("#import-summary")).to_contain_text("0 to create, 0 to update, 2 unchanged")

    def test_malformed_file_shows_line_and_column_and_writes_nothing(
        self, habitat: Habitat, admin_page, tmp_path: Path
    ) -> None:
        from playwright.sync_api import expect

        tag = uuid.uuid4().hex[:6]
        csv_file = tmp_path / "bad.csv"
        csv_file.write_text(
            "email,display_name,role\n"
            f"ok-{tag}@e2e.coop,Fine Person,member\n"
            f"not-an-email-{tag},Broken Row,member\n"
            f"other-{tag}@e2e.coop,Wrong Role,treasurer\n"
        )
        admin_page.goto(habitat.url + "/admin/members/import")
        admin_page.set_input_files("input[name=file]", str(csv_file))
        admin_page.click("#upload-form button[type=submit]")
        errors = admin_page.locator("#import-errors tbody tr")
        expect(errors).to_have_count(2)
        expect(errors.nth(0)).to_contain_text("3")
        expect(errors.nth(1)).to_contain_text("4")
        assert members_of(habitat, tag) == []
