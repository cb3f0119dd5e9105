"""JSON in and out of the gateway with orjson: every answer from a service is decoded here, and the member
dashboard is encoded here on every poll (json's pure-Python paths were ~14% of the gateway's CPU there).

orjson refuses what the standard library reads and writes (integers beyond 64 bits, NaN): a service's error
echoing such an input must still come through, so those fall back to the standard library."""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(content: bytes) -> Any:
    """The JSON document in content."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)  # raises ValueError itself when it is not JSON at all


def dumps(value: Any) -> bytes:
    """value as compact UTF-8 JSON (non-ASCII characters as they are, like json.dumps(ensure_ascii=False))."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
