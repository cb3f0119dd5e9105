"""Shared pieces of the server-rendered UI: templates, rendering with cookies, redirects, sessions."""

from __future__ import annotations

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


templates.env.filters["money"] = money


def render(request: Request, name: str, status: int = 200, session: BrowserSession | None = None, **context: Any):
    context |= {"csrf": csrf_token(request), "me": session.principal if session else None}
    response = templates.TemplateResponse(request, name, context, status_code=status)
    set_cookies(request, response, session.new_tokens if session else None)
    return response


def redirect(request: Request, to: str, session: BrowserSession | None = None, tokens: dict | None = None):
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
