"""HTTP to the gateway's /api/v1: bearer token, one refresh on 401, errors as one human sentence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Self

import httpx

from habitat_cli.credentials import Credentials, CredentialStore

API = "/api/v1"
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
UPLOAD_TIMEOUT = httpx.Timeout(600.0, connect=10.0)  # the server answers once the whole file is checked
CHUNK = 256 * 1024


class CliError(Exception):
    """Something to tell the user in one line; `body` keeps the API's error document, if any."""

    def __init__(self, message: str, *, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body

    @property
    def code(self) -> str | None:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return error.get("code") if isinstance(error, dict) else None


def error_from(response: httpx.Response) -> CliError:
    """The API's `{"error": {"message": ...}}` sentence, or the status line when the body is not ours."""
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        message = error["message"]
        if error.get("code") == "password_change_required":
            message += " Run `habitat password`."
    else:
        message = f"HTTP {response.status_code} {response.reason_phrase} from {response.request.url}"
    return CliError(message, status=response.status_code, body=body)


class Client:
    """A signed-in (or anonymous) session with one gateway; refreshed tokens are written back to the cache."""

    def __init__(
        self, url: str, *, store: CredentialStore | None = None, credentials: Credentials | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.store = store
        self.credentials = credentials
        self._http = httpx.Client(base_url=self.url + API, timeout=TIMEOUT, transport=transport)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self._http.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.credentials:
            headers["Authorization"] = f"Bearer {self.credentials.access_token}"
        try:
            return self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as error:
            raise CliError(f"{self.url} did not answer in time") from error
        except httpx.TransportError as error:
            raise CliError(f"cannot reach {self.url}") from error

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send; on 401 with a cached session refresh once and retry; raise CliError on any 4xx/5xx."""
        response = self._send(method, path, **kwargs)
        if response.status_code == 401 and self.credentials:
            self.refresh()
            response = self._send(method, path, **kwargs)
        if response.is_error:
            raise error_from(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        return response.json() if response.content else None

    def upload(
        self, path: str, file: Path, *, params: dict[str, str], progress: Callable[[int], None] | None = None
    ) -> Any:
        """POST a file as text/csv, streamed in chunks (never read whole); progress(bytes sent so far).

        A 401 refreshes once and sends the file again from its start.
        """

        def attempt() -> httpx.Response:
            return self._send(
                "POST", path, content=_chunks(file, progress), params=params,
                headers={"Content-Type": "text/csv"}, timeout=UPLOAD_TIMEOUT,
            )

        response = attempt()
        if response.status_code == 401 and self.credentials:
            self.refresh()
            response = attempt()
        if response.is_error:
            raise error_from(response)
        return response.json()

    def refresh(self) -> None:
        """Exchange the refresh token for a new pair and rewrite the cache (the old refresh token dies)."""
        assert self.credentials is not None
        response = self._post_anonymous("/auth/refresh", {"refresh_token": self.credentials.refresh_token})
        if response.is_error:
            raise CliError("your session has expired; run `habitat login` again", status=response.status_code)
        self.remember(response.json())

    def _post_anonymous(self, path: str, body: dict) -> httpx.Response:
        try:
            return self._http.post(path, json=body)
        except httpx.TransportError as error:
            raise CliError(f"cannot reach {self.url}") from error

    def remember(self, pair: dict) -> Credentials:
        """Keep a token pair from login, refresh or password change, in memory and in the cache."""
        self.credentials = Credentials(self.url, pair["access_token"], pair["refresh_token"])
        if self.store:
            self.store.save(self.credentials)
        return self.credentials


def _chunks(file: Path, progress: Callable[[int], None] | None) -> Iterator[bytes]:
    sent = 0
    with file.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            sent += len(chunk)
            if progress:
                progress(sent)
            yield chunk


def signed_in(store: CredentialStore | None = None, transport: httpx.BaseTransport | None = None) -> Client:
    """A client for the cached session, or a CliError telling the user to sign in."""
    store = store or CredentialStore()
    credentials = store.load()
    if credentials is None:
        raise CliError("not signed in; run `habitat login --url URL --email EMAIL` first")
    return Client(credentials.url, store=store, credentials=credentials, transport=transport)
