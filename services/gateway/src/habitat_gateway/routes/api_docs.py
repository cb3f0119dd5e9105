"""The API docs page (/api/v1/docs): Swagger UI served from our own static files, not from a CDN.

FastAPI's built-in page loads swagger-ui from a CDN and starts it with an inline script; both are refused by
the site's Content-Security-Policy (script-src 'self'). This page references only same-origin files.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

SWAGGER_UI_VERSION = "5.35.0"
ASSETS = "/static/swagger-ui"

router = APIRouter(include_in_schema=False)


def docs_html(title: str, openapi_url: str) -> str:
    """The page: Swagger UI's stylesheet and bundle, then our start-up script; no inline script or style."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — docs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css?v={SWAGGER_UI_VERSION}">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{ASSETS}/swagger-ui-bundle.js?v={SWAGGER_UI_VERSION}"></script>
<script src="/static/swagger-init.js?v={SWAGGER_UI_VERSION}"></script>
</body>
</html>
"""


@router.get("/api/v1/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> HTMLResponse:
    return HTMLResponse(docs_html(request.app.title, request.app.openapi_url or "/api/v1/openapi.json"))
