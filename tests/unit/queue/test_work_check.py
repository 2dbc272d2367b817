"""The work check on a real Redis: a decision on the bus only names an order, and only a
record approved by enough people, the decision's user among them, and audited, is
worked. Each forgery an attacker with a service's credentials could write is tried."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
import redis

from bus import streams
from bus.bus import MessageRefused, Prefetching, StreamConsumer, publish
from bus.messages import Decision, Envelope
from execution.approval.lifecycle import Action
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import OrderQueue
from execution.approval.work_check import AwaitingApprovals, StaleWork, WorkCheck
from marketdata.clock import FixedClock
from orders.order import Approval, OrderState
from tests.unit.queue.queue_kit import make_order, set_batch

FOUR_EYES = ApprovalConfig(four_eyes_above=Decimal("5000"))


def _queue(client: redis.Redis, clock: FixedClock, policy: ApprovalConfig | None = None
           ) -> OrderQueue:
    set_batch(client)
    queue = OrderQueue(client, clock, policy or ApprovalConfig())
    queue.ingest(make_order("B1-0001"), actor="model")
    return queue


def _bell(user: str = "alice", version: int = 1, order_id: str = "B1-0001") -> Decision:
    return Decision(order_id=order_id, action="approve", user=user, version=version)


def test_an_approved_and_audited_record_is_worked(redis_client: redis.Redis,
                                                  clock: FixedClock) -> None:
    queue = _queue(redis_client, clock)
    queue.apply("B1-0001", Action.APPROVE, actor="alice")
    assert WorkCheck(queue).verified(_bell()).state is OrderState.APPROVED


def test_one_of_two_approvals_waits_quietly(redis_client: redis.Redis,
                                            clock: FixedClock) -> None:
    queue = _queue(redis_client, clock, FOUR_EYES)
    queue.apply("B1-0001", Action.APPROVE, actor="alice")
    with pytest.raises(AwaitingApprovals, match="1 of 2"):
        WorkCheck(queue).verified(_bell())
    queue.apply("B1-0001", Action.APPROVE, actor="bob")
    assert WorkCheck(queue).verified(_bell()).state is OrderState.APPROVED  # the late bell


def test_a_bell_for_an_edited_version_is_stale(redis_client: redis.Redis,
                                               clock: FixedClock) -> None:
    queue = _queue(redis_client, clock)
    queue.apply("B1-0001", Action.APPROVE, actor="alice")
    queue.apply("B1-0001", Action.CANCEL, actor="alice", reason="news")
    with pytest.raises(StaleWork, match="already cancelled"):
        WorkCheck(queue).verified(_bell())


def test_a_bell_for_a_version_never_approved_is_stale_not_worked(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    queue = _queue(redis_client, clock)
    queue.apply("B1-0001", Action.EDIT, actor="alice", edit={"quantity": 500})
    with pytest.raises(StaleWork, match="version 2 now"):
        WorkCheck(queue).verified(_bell(version=1))


@pytest.mark.parametrize("bell, reason", [
    (_bell(order_id="B9-0009"), "no such order"),  # never proposed
    (_bell(user="mallory"), "holds no such approval"),  # pending, nobody approved
])
def test_a_forged_bell_is_refused(redis_client: redis.Redis, clock: FixedClock,
                                  bell: Decision, reason: str) -> None:
    queue = _queue(redis_client, clock)
    with pytest.raises(MessageRefused, match=reason) as caught:
        WorkCheck(queue).verified(bell)
    assert not isinstance(caught.value, StaleWork)  # critical, not quietly dropped


def test_a_forged_approved_record_without_audit_is_refused(redis_client: redis.Redis,
                                                           clock: FixedClock) -> None:
    """With the console's credentials one can write a record saying "approved": the
    audit stream, appended in the same transaction by the honest queue, must agree."""
    queue = _queue(redis_client, clock)
    record = queue.require("B1-0001")
    forged = record.model_copy(update={
        "state": OrderState.APPROVED,
        "approvals": (Approval(user="mallory", version=1, at=clock.now()),),
    })
    redis_client.set(streams.ORDER.format(order_id="B1-0001"), forged.to_json())
    with pytest.raises(MessageRefused, match=r"approval by \['mallory'\] not in the audit"):
        WorkCheck(queue).verified(_bell(user="mallory"))


def test_a_forged_approved_record_with_too_few_approvals_is_refused(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    queue = _queue(redis_client, clock, FOUR_EYES)
    queue.apply("B1-0001", Action.APPROVE, actor="alice")
    record = queue.require("B1-0001")
    forged = json.loads(record.to_json())
    forged["state"] = "approved"
    redis_client.set(streams.ORDER.format(order_id="B1-0001"), json.dumps(forged))
    with pytest.raises(MessageRefused, match="1 approval"):
        WorkCheck(queue).verified(_bell())


def test_an_approval_behind_a_busy_audit_trail_is_still_found(redis_client: redis.Redis,
                                                              clock: FixedClock) -> None:
    """The first page read with the record holds the newest audit entries only: an
    approval behind many later ones is found on the following pages."""
    queue = _queue(redis_client, clock)
    queue.apply("B1-0001", Action.APPROVE, actor="alice")
    for i in range(2, 60):  # later audit entries of other orders
        queue.ingest(make_order(f"B1-{i:04d}"), actor="model")
    assert WorkCheck(queue).verified(_bell()).state is OrderState.APPROVED


def test_a_forged_audit_entry_behind_the_first_page_does_not_count(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    queue = _queue(redis_client, clock)
    record = queue.require("B1-0001")
    forged = record.model_copy(update={
        "state": OrderState.APPROVED,
        "approvals": (Approval(user="mallory", version=1, at=clock.now()),),
    })
    redis_client.xadd(streams.AUDIT, {"type": "audit", "body": "{not json"})
    for i in range(2, 60):
        queue.ingest(make_order(f"B1-{i:04d}"), actor="model")
    redis_client.set(streams.ORDER.format(order_id="B1-0001"), forged.to_json())
    with pytest.raises(MessageRefused, match=r"approval by \['mallory'\] not in the audit"):
        WorkCheck(queue).verified(_bell(user="mallory"))


def _prefetching_consumer(queue: OrderQueue, worked: list[str]) -> StreamConsumer:
    check = WorkCheck(queue)

    def reads(env: Envelope) -> list[Any]:
        if not isinstance(env.body, Decision):
            raise MessageRefused("not a decision")
        return check.reads(env.body)

    def work(env: Envelope, replies: list[Any]) -> None:
        assert isinstance(env.body, Decision)
        worked.append(check.verified_from(env.body, replies).order_id)

    return StreamConsumer(queue.client, streams.DECISIONS, streams.GROUP_EXECUTION, "t",
                          {"decision": Prefetching(reads, work)}, block_ms=0)


def test_the_check_read_with_the_duplicate_check_works_the_approved_record(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    queue = _queue(redis_client, clock)
    queue.apply("B1-0001", Action.APPROVE, actor="alice")
    worked: list[str] = []
    _prefetching_consumer(queue, worked).poll(block=False)
    assert worked == ["B1-0001"]


def test_a_forged_bell_read_with_the_duplicate_check_is_dead_lettered(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    queue = _queue(redis_client, clock)  # pending: nobody approved it
    publish(redis_client, streams.DECISIONS, "decision", _bell(user="mallory"), source="x",
            ts=clock.now())
    worked: list[str] = []
    _prefetching_consumer(queue, worked).poll(block=False)
    dead = redis_client.xrange(streams.DEAD_LETTER)
    assert worked == [] and len(dead) == 1 and "holds no such approval" in dead[0][1]["reason"]


def test_a_forged_audit_entry_with_an_escaped_order_id_does_not_count(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    """JSON may spell the id with escapes; the honest queue never does, so such an entry
    is not read as an approval of this order."""
    queue = _queue(redis_client, clock)
    record = queue.require("B1-0001")
    forged = record.model_copy(update={
        "state": OrderState.APPROVED,
        "approvals": (Approval(user="mallory", version=1, at=clock.now()),),
    })
    escaped = "\\u0042" + "1-0001"  # "B1-0001" with its B escaped
    body = json.dumps({"order_id": "B1-0001", "action": "approve", "actor": "mallory",
                       "after": json.loads(forged.to_json())}).replace('"B1-0001"',
                                                                        f'"{escaped}"')
    redis_client.xadd(streams.AUDIT, {"type": "audit", "body": body})
    redis_client.set(streams.ORDER.format(order_id="B1-0001"), forged.to_json())
    with pytest.raises(MessageRefused, match=r"approval by \['mallory'\] not in the audit"):
        WorkCheck(queue).verified(_bell(user="mallory"))
