"""Running Alembic (and other code that starts its own event loop) from tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config

ALEMBIC_INI = Path(__file__).parents[1] / "alembic.ini"
T = TypeVar("T")


def in_thread(work: Callable[[], T]) -> T:
    """Run work in a fresh thread: asyncio.run() refuses to nest in the tests' running loop."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return results[0]


def alembic(url: str, *steps: tuple[str, ...]) -> None:
    """Run Alembic commands, e.g. ("upgrade", "head"), against the database at url."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = url

    def run() -> None:
        for name, *args in steps:
            getattr(command, name)(config, *args)

    in_thread(run)
