"""The API docs page loads Swagger UI from the gateway itself: no CDN, no inline script (the site's CSP is
script-src 'self'), and the vendored files are the ones VENDORED.md names."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import habitat_gateway

STATIC = Path(habitat_gateway.__file__).resolve().parent / "static"


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.script_text: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


async def test_the_docs_page_references_only_same_origin_files_that_the_gateway_serves(gateway_over) -> None:
    async with gateway_over() as gw:
        response = await gw.get("/api/v1/docs")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        page = Page(response.text)
        scripts = [attrs.get("src", "") for tag, attrs in page.tags if tag == "script"]
        styles = [attrs["href"] for tag, attrs in page.tags if tag == "link" and attrs.get("rel") == "stylesheet"]
        assert page.script_text == [] and "" not in scripts  # no inline script
        assert not any(tag == "style" or "style" in attrs for tag, attrs in page.tags)
        assert len(scripts) == 2 and len(styles) == 1
        for reference in scripts + styles:
            parts = urlsplit(reference)
            assert (parts.scheme, parts.netloc) == ("", ""), reference  # relative to the page's own origin
            assert parts.path.startswith("/static/"), reference
            asset = await gw.get(reference)
            assert asset.status_code == 200, reference
            assert "no-store" not in asset.headers.get("cache-control", ""), reference  # static files may be cached
        assert "cdn" not in response.text.lower() and "http" not in response.text.split("<body>")[1]
        openapi_url = re.search(r'data-openapi-url="([^"]+)"', response.text).group(1)
        assert (await gw.get(openapi_url)).json()["info"]["title"] == "Habitat API"


async def test_fastapis_cdn_docs_page_is_gone(gateway_over) -> None:
    async with gateway_over() as gw:
        response = await gw.get("/api/v1/docs")
        assert "jsdelivr" not in response.text and "SwaggerUIBundle(" not in response.text
        assert (await gw.get("/docs")).status_code == 404


def test_the_start_up_script_reads_the_document_address_from_the_page_and_calls_no_validator() -> None:
    script = (STATIC / "swagger-init.js").read_text()
    assert "root.dataset.openapiUrl" in script
    assert "validatorUrl: null" in script
    assert "://" not in script  # nothing from another origin


def test_the_vendored_swagger_ui_files_match_the_hashes_and_license_recorded() -> None:
    vendored = STATIC / "swagger-ui"
    table = dict(re.findall(r"^\| (\S+) \| ([0-9a-f]{64}) \|$", (vendored / "VENDORED.md").read_text(), re.MULTILINE))
    assert set(table) == {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"}
    for name, digest in table.items():
        assert hashlib.sha256((vendored / name).read_bytes()).hexdigest() == digest, name
    assert "Apache License" in (vendored / "LICENSE").read_text()
