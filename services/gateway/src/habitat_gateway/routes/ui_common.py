"""Shared pieces of the server-rendered UI: templates, rendering with cookies, redirects, sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from habitat_common.web.errors import ApiError

from habitat_gateway.routes.ui_session import BrowserSession, browser_session, csrf_token, set_cookies

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
SessionDep = Annotated[BrowserSession, Depends(browser_session)]


def money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return "—"


def when(value: Any) -> str:
    """An ISO instant as people read it, to the second, in UTC ("2026-12-06 09:29:20 UTC"); else as given."""
    try:
        instant = datetime.fromisoformat(str(value))  # Python 3.11 reads a trailing Z
    except ValueError:
        return str(value)
    if instant.tzinfo is not None:
        instant = instant.astimezone(UTC)
    return instant.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if instant.tzinfo else "")


def waited(hours: Any) -> str:
    """A wait as people say it: "12 min", "5 h", "3 days"."""
    try:
        hours = float(hours)
    except (TypeError, ValueError):
        return "—"
    if hours < 1:
        return f"{max(int(hours * 60), 0)} min"
    if hours < 48:
        return f"{int(hours)} h"
    return f"{int(hours // 24)} days"


templates.env.filters["money"] = money
templates.env.filters["waited"] = waited
templates.env.filters["when"] = when


# What a page says after the action that led to it (?done=...): the sentence is the server's, never the address's,
# and busy.js moves focus to it (then drops ?done from the address, so a reload does not say it again).
OUTCOMES = {
    "submitted": "Submitted: your contribution awaits review.",
    "edited": "Saved: your contribution is changed and awaits review.",
    "answered": "Sent: your answer and changes are with the reviewer.",
    "approved": "Approved.",
    "rejected": "Rejected: the member sees your reason.",
    "asked": "Asked: the member sees your question and may answer or edit.",
    "member_changed": "Saved: the member's record is changed.",
    "period_opened": "Period opened.",
    "close_started": "Closing started: intake and edits are stopped for this period.",
    "proposed": "Proposed: the allocation awaits a second admin's approval.",
    "allocation_approve": "Approved: the allocation may now be posted.",
    "allocation_reject": "Rejected: the proposal is withdrawn.",
    "allocation_post": "Posted: each member's capital account is credited.",
    "distribution_scheduled": "Scheduled: the distribution awaits payment.",
    "distribution_complete": "Recorded as paid.",
    "distribution_cancel": "Cancelled: the distribution will not be paid.",
    "money_move_approve": "Approved: the money move is carried out.",
    "money_move_reject": "Rejected: the money move will not happen.",
}


def render(request: Request, name: str, status: int = 200, session: BrowserSession | None = None, **context: Any):
    context |= {"csrf": csrf_token(request), "me": session.principal if session else None}
    context.setdefault("done_notice", OUTCOMES.get(request.query_params.get("done", "")) if status < 400 else None)
    response = templates.TemplateResponse(request, name, context, status_code=status)
    set_cookies(request, response, session.new_tokens if session else None)
    return response


UTF8_BOM = "\ufeff".encode()


def for_spreadsheets(content: bytes, media_type: str | None) -> bytes:
    """A CSV the web UI hands a person, marked as UTF-8 with a byte order mark: Excel reads an unmarked file in the
    computer's legacy code page, and "José" or "Łucja" would come out garbled. The API's CSVs stay unmarked, as
    scripts expect; anything else passes as is."""
    if media_type and media_type.split(";")[0].strip() == "text/csv" and not content.startswith(UTF8_BOM):
        return UTF8_BOM + content
    return content


def redirect(
    request: Request, to: str, session: BrowserSession | None = None, tokens: dict | None = None, done: str = ""
):
    """303 to `to`; done names the OUTCOMES sentence the next page says (kept before any #fragment)."""
    if done:
        path, hash_, fragment = to.partition("#")
        to = f"{path}{'&' if '?' in path else '?'}done={done}{hash_}{fragment}"
    response = RedirectResponse(to, status_code=303)
    set_cookies(request, response, tokens or (session.new_tokens if session else None))
    return response


def forbidden(request: Request, session: BrowserSession, role: str):
    message = f"This page is for {role}s."
    return render(request, "error.html", status=403, session=session, error=message)


async def form_fields(request: Request, names: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """The posted form (CSRF-checked by the caller) and the non-empty subset of `names`."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    return form, {k: form[k].strip() for k in names if form.get(k, "").strip()}


async def uploaded_file(form: Any, max_bytes: int) -> bytes | None:
    """The CSV a form carries (an uploaded file, or the preview's content sent back to confirm);
    None when there is none or it is over max_bytes."""
    upload = form.get("file")
    if upload is not None and hasattr(upload, "read"):
        content = await upload.read(max_bytes + 1)
    else:
        content = str(form.get("content", "")).encode("utf-8")
    return content if content and len(content) <= max_bytes else None


__all__ = ["ApiError", "SessionDep", "forbidden", "form_fields", "redirect", "render", "templates",
           "uploaded_file"]
