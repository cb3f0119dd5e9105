"""Recipe 7: poison messages among good ones; the poison is dead-lettered with its reason at once, every good
approval is credited once."""

from __future__ import annotations

import time

from habitat_common.messaging.topology import SUBSCRIPTIONS

from tests.e2e.broker import APPROVED, publish_raw
from tests.e2e.conftest import Habitat, eventually

from .harness import Workload
from .recipes import approve_in_background, settle_and_count, until_credited

POISON = (b"{not json", b'{"event_id": "nope"}', b'{"payload": {"contribution_id": 7}}')
# every consumer of the approval has its own queue and files its own copy of each poison message
APPROVAL_QUEUES = [s.queue_name for s in SUBSCRIPTIONS if s.contract.routing_key() == APPROVED]


def test_poison_among_good_messages(shared_habitat: Habitat) -> None:
    habitat = shared_habitat
    admin = habitat.admin_token()
    before = {queue: dead_in(habitat, admin, queue) for queue in APPROVAL_QUEUES}
    workload = Workload(habitat).prepare()
    thread = approve_in_background(workload)
    until_credited(habitat, workload, 0.1)
    for body in POISON:
        publish_raw(habitat.config.amqp_url, APPROVED, body)
    result = settle_and_count(habitat, "7. poison among good messages", workload, thread, time.time())
    assert result.ok, result
    # each consumer's keeper moves its dead letters from the broker's queue into its store: wait for all of them
    assert len(APPROVAL_QUEUES) >= 2  # the ledger and the notifications both consume approvals
    eventually(
        lambda: all(dead_in(habitat, admin, q) - before[q] == len(POISON) for q in APPROVAL_QUEUES), timeout=120
    )


def dead_in(habitat: Habitat, admin: str, queue: str) -> int:
    return habitat.call("GET", "/dead-letters", admin, params={"queue": queue}).json()["total"]
