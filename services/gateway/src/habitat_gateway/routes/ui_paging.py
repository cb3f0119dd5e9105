"""Keyset paging on the UI's lists: the page size and cursor a page asks for, and its "Next page →" and
"← First page" links, which keep the page's filters and search."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from habitat_common.web.errors import ApiError
from habitat_common.web.inputs import MAX_LIMIT
from habitat_common.web.paging import MAX_CURSOR_LENGTH

FILTERS_ONLY = ("after", "offset")  # dropped from the links: the first page starts over, the next page sets after


def page_size(request: Request, default: int) -> int:
    """The ``limit`` in the address if it is a whole number 1..MAX_LIMIT, else the page's default."""
    text = request.query_params.get("limit", "")
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_LIMIT else default


def page_query(request: Request, default: int) -> dict[str, str | int]:
    """The paging part of the request to send upstream: limit, and the cursor if the address carries one."""
    after = request.query_params.get("after", "")[: MAX_CURSOR_LENGTH + 1]
    return {"limit": page_size(request, default)} | ({"after": after} if after else {})


def page_links(request: Request, next_cursor: str | None) -> dict[str, str | None]:
    """next_url (None on the last page) and first_url (None on the first page), both keeping the filters."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in FILTERS_ONLY and v]
    path = request.url.path
    first = f"{path}?{urlencode(kept)}" if kept else path
    return {
        "next_url": f"{path}?{urlencode([*kept, ('after', next_cursor)])}" if next_cursor else None,
        "first_url": first if request.query_params.get("after") else None,
    }


async def fetch_page(client: Any, path: str, token: str, params: dict) -> tuple[dict, str | None]:
    """A page of a list from upstream, and None; for a cursor or search the list refuses (422), an empty
    page and the sentence why, for the page to show above its "← First page" link."""
    try:
        return await client.request("GET", path, token=token, params=params), None
    except ApiError as error:
        if error.status != 422:
            raise
        return {"items": [], "total": 0, "next_cursor": None}, error.message
