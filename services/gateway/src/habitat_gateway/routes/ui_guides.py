"""The guides (docs/guides/*.md) as pages: an index and one page per guide, with live parts from the services.

Guides are public: they explain the co-op's rules and hold nobody's data, and a new member reads "getting
started" before their first sign-in. A signed-in browser sees them inside its usual navigation. Markdown is
rendered with raw HTML off, so a guide's text can never inject markup or script into the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from habitat_common.web.errors import ApiError
from markdown_it import MarkdownIt

from habitat_gateway.clients.upstream import Services
from habitat_gateway.routes.deps import ServicesDep
from habitat_gateway.routes.ui_common import render
from habitat_gateway.routes.ui_session import BrowserSession, NotSignedIn, browser_session

router = APIRouter(include_in_schema=False)
# the order people read them in; a guide file not named here is listed after these
ORDER = ("getting-started", "submitting", "allocations", "capital-and-taxes", "stewards", "admins")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
UNAVAILABLE = "The live part of this guide could not be fetched just now (the {service} service did not answer); " \
    "reload the page in a moment."


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    summary: str
    path: Path


def _guide(path: Path) -> Guide:
    """A guide's title is its first `# ` heading, its summary the first paragraph after it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), path.stem.replace("-", " "))
    paragraphs = [line.strip() for line in lines if line.strip() and not line.startswith(("#", "|", "-", ">"))]
    return Guide(path.stem, title, paragraphs[0] if paragraphs else "", path)


def guides(directory: Path) -> list[Guide]:
    """Every guide in the directory, in reading order."""
    found = {path.stem: path for path in directory.glob("*.md") if SLUG.fullmatch(path.stem)}
    slugs = [slug for slug in ORDER if slug in found] + sorted(set(found) - set(ORDER))
    return [_guide(found[slug]) for slug in slugs]


async def _optional_session(request: Request) -> BrowserSession | None:
    try:
        return await browser_session(request)
    except NotSignedIn:
        return None


async def _rate_card(services: Services) -> dict[str, Any]:
    return {"rate_card": await services.contributions.request("GET", "/rate-card")}


async def _worked_example(services: Services) -> dict[str, Any]:
    example = await services.ledger.request("GET", "/allocations/example")
    total = sum((Decimal(row["allocation"]) for row in example["rows"]), Decimal("0.00"))
    for row in example["rows"]:  # a score as people read it: 0.3773584906 -> 37.74
        row["share_percent"] = (Decimal(row["share"]) * 100).quantize(Decimal("0.01"))
    return {"example": example, "example_total": total}


# a guide's live part: which service computes it (named when it is down) and how to fetch it
LIVE = {"submitting": ("contributions", _rate_card), "allocations": ("ledger", _worked_example)}


@router.get("/guides", response_class=HTMLResponse)
async def guide_index(request: Request) -> Response:
    session = await _optional_session(request)
    listed = guides(request.app.state.settings.guides_dir)
    return render(request, "guides.html", session=session, guides=listed)


@router.get("/guides/{slug}", response_class=HTMLResponse)
async def guide_page(request: Request, slug: str, services: ServicesDep) -> Response:
    session = await _optional_session(request)
    found = {guide.slug: guide for guide in guides(request.app.state.settings.guides_dir)}
    guide = found.get(slug)
    if guide is None:
        return render(request, "error.html", status=404, session=session, error="There is no such guide.")
    context: dict[str, Any] = {}
    if live := LIVE.get(slug):
        service, fetch = live
        try:
            context = await fetch(services)
        except ApiError:
            context = {"live_unavailable": UNAVAILABLE.format(service=service)}
    body = MARKDOWN.render(guide.path.read_text(encoding="utf-8"))
    return render(request, "guide.html", session=session, guide=guide, body=body, others=list(found.values()),
                  **context)
