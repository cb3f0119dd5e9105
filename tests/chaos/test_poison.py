"""Recipe 7: poison messages among good ones; the poison is dead-lettered with its reason at once, every good
approval is credited once."""

from __future__ import annotations

import time

from tests.e2e.broker import APPROVED, publish_raw
from tests.e2e.conftest import Habitat, eventually

from .harness import Workload
from .recipes import approve_in_background, settle_and_count, until_credited

POISON = (b"{not json", b'{"event_id": "nope"}', b'{"payload": {"contribution_id": 7}}')


def test_poison_among_good_messages(shared_habitat: Habitat) -> None:
    habitat = shared_habitat
    admin = habitat.admin_token()
    before = habitat.call("GET", "/dead-letters", admin).json()["total"]
    workload = Workload(habitat).prepare()
    thread = approve_in_background(workload)
    until_credited(habitat, workload, 0.1)
    for body in POISON:
        publish_raw(habitat.config.amqp_url, APPROVED, body)
    result = settle_and_count(habitat, "7. poison among good messages", workload, thread, time.time())
    assert result.ok, result
    # the keeper moves dead letters from the broker's queue into its store: wait for all of them there
    eventually(
        lambda: habitat.call("GET", "/dead-letters", admin).json()["total"] - before == len(POISON), timeout=120
    )
