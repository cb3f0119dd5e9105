"""The gateway's JSON: orjson where it can, the standard library for what orjson refuses."""

from __future__ import annotations

import json

import pytest

from habitat_gateway import fast_json


def test_reads_and_writes_like_the_standard_library_compact_form():
    value = {"name": "Zoë 𝄞", "amount": "12.50", "n": 3, "ok": True, "none": None, "list": [1.5, {"a": []}]}
    assert fast_json.dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    assert fast_json.loads(fast_json.dumps(value)) == value


def test_what_orjson_refuses_still_reads_and_writes():
    huge = b'{"detail": [{"input": 100000000000000000000000000000}], "x": NaN}'  # a 422 echoing a huge number
    value = fast_json.loads(huge)
    assert value["detail"][0]["input"] == 10**29
    assert fast_json.dumps({"input": 10**29}) == b'{"input":100000000000000000000000000000}'


@pytest.mark.parametrize("content", [b"<html>502 Bad Gateway</html>", b"\xff\xfe", b"{"])
def test_what_is_not_json_raises_value_error(content):
    with pytest.raises(ValueError):
        fast_json.loads(content)
