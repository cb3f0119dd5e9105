"""The sign-in cache: {url, access_token, refresh_token} in an owner-only credentials.json."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Credentials:
    url: str
    access_token: str
    refresh_token: str


def config_dir() -> Path:
    """$HABITAT_CONFIG_DIR, else $XDG_CONFIG_HOME/habitat, else ~/.config/habitat."""
    if explicit := os.environ.get("HABITAT_CONFIG_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "habitat"


def write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only (0600), even if it already existed with a wider mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # O_CREAT keeps the old mode of an existing file
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)


class CredentialStore:
    """Loads, saves and deletes the cached tokens of one config directory."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / "credentials.json"

    def load(self) -> Credentials | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Credentials(data["url"], data["access_token"], data["refresh_token"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, credentials: Credentials) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private(self.path, json.dumps(asdict(credentials), indent=2) + "\n")

    def delete(self) -> bool:
        try:
            self.path.unlink()
            return True
        except FileNotFoundError:
            return False
