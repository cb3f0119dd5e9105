"""A worker supplies handlers keyed by contract; SUBSCRIPTIONS alone says which it must have, and binding them
fails at start-up when the two differ."""

from __future__ import annotations

import pytest

from habitat_common.contracts import ContributionApprovedV1, MemberRegisteredV1, MemberUpdatedV1, PeriodOpenedV1
from habitat_common.messaging import topology
from habitat_common.messaging.topology import Subscription, TopologyMismatch, bind, subscription_of, subscriptions_of

DECLARED = (
    Subscription("ledger", ContributionApprovedV1),
    Subscription("ledger", MemberRegisteredV1),
    Subscription("contributions", MemberRegisteredV1),
    Subscription("ledger", MemberUpdatedV1),
)


@pytest.fixture(autouse=True)
def declared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topology, "SUBSCRIPTIONS", DECLARED)


def handler(name: str):
    async def handle(envelope) -> bool:
        return True

    handle.__name__ = name
    return handle


class TestSubscriptionsOf:
    def test_lists_the_consumers_subscriptions_in_declared_order(self) -> None:
        assert subscriptions_of("ledger") == (DECLARED[0], DECLARED[1], DECLARED[3])

    def test_a_consumer_without_subscriptions_has_none(self) -> None:
        assert subscriptions_of("identity") == ()

    def test_finds_one_declared_subscription(self) -> None:
        assert subscription_of("contributions", MemberRegisteredV1) is DECLARED[2]

    def test_an_undeclared_subscription_is_a_mismatch(self) -> None:
        with pytest.raises(TopologyMismatch, match=r"contributions has no subscription to identity.member_updated"):
            subscription_of("contributions", MemberUpdatedV1)


class TestBind:
    def test_pairs_each_declared_subscription_with_its_handler_in_declared_order(self) -> None:
        updated, registered, approved = handler("updated"), handler("registered"), handler("approved")

        unordered = {MemberUpdatedV1: updated, ContributionApprovedV1: approved, MemberRegisteredV1: registered}

        bound = bind("ledger", unordered)

        assert bound.handlers == ((DECLARED[0], approved), (DECLARED[1], registered), (DECLARED[3], updated))
        assert bound.batch_handlers == ()

    def test_batch_handlers_are_paired_apart_and_count_towards_the_declared_ones(self) -> None:
        updated, registered, approved = handler("updated"), handler("registered"), handler("approved")

        bound = bind(
            "ledger", {MemberUpdatedV1: updated, MemberRegisteredV1: registered}, {ContributionApprovedV1: approved}
        )

        assert bound.handlers == ((DECLARED[1], registered), (DECLARED[3], updated))
        assert bound.batch_handlers == ((DECLARED[0], approved),)

    def test_a_declared_subscription_without_handler_is_a_mismatch(self) -> None:
        with pytest.raises(TopologyMismatch, match=r"no handler for ledger\.identity\.member_updated\.v1"):
            bind("ledger", {ContributionApprovedV1: handler("approved"), MemberRegisteredV1: handler("registered")})

    def test_a_handler_for_an_undeclared_subscription_is_a_mismatch(self) -> None:
        with pytest.raises(
            TopologyMismatch, match=r"handler for contributions\.contributions\.contribution_approved\.v1, which"
        ):
            bind("contributions", {MemberRegisteredV1: handler("registered"), ContributionApprovedV1: handler("x")})

    def test_an_undeclared_batch_handler_is_a_mismatch(self) -> None:
        with pytest.raises(TopologyMismatch, match=r"SUBSCRIPTIONS does not declare"):
            bind("contributions", {MemberRegisteredV1: handler("registered")}, {PeriodOpenedV1: handler("opened")})

    def test_a_subscription_with_both_kinds_of_handler_is_a_mismatch(self) -> None:
        handlers = {c: handler(c.__name__) for c in (ContributionApprovedV1, MemberRegisteredV1, MemberUpdatedV1)}

        with pytest.raises(TopologyMismatch, match=r"both a handler and a batch handler for ledger\.identity"):
            bind("ledger", handlers, {MemberRegisteredV1: handler("batched")})

    def test_every_difference_is_named_at_once(self) -> None:
        with pytest.raises(TopologyMismatch) as raised:
            bind("ledger", {PeriodOpenedV1: handler("opened")})

        message = str(raised.value)
        assert message.count("no handler for") == 3
        assert "ledger.ledger.period_opened.v1, which SUBSCRIPTIONS does not declare" in message
