"""Property tests: no sequence of commands executes an order without approval, and
no sequence reaches a state the transition table does not allow.

The queue runs on a real Redis. The simulated execution service starts orders only
from approve decisions whose stored record passes the work check, as the real one
does; an "attacker" rule also tries to start orders directly. Afterwards the audit
stream is checked: every start was of an order approved (enough times) in its current
version, and every change was one the table allows from the state before it.
"""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from typing import Any

import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from bus import streams
from bus.messages import Decision, decode
from execution.approval.lifecycle import ALLOWED, Action, Fill, IllegalTransition, transition
from execution.approval.policies import run_policies
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import OrderQueue, UnknownOrder
from execution.approval.work_check import StaleWork, WorkCheck
from marketdata.clock import FixedClock
from orders.order import LIVE_STATES, OrderRecord, OrderState
from tests.unit.queue.queue_kit import make_order, set_batch, set_last

IDS = st.sampled_from(["P-0", "P-1", "P-2"])
USERS = st.sampled_from(["alice", "bob", "carol"])
CONTROLS = st.sampled_from([Action.PAUSE, Action.RESUME, Action.CANCEL, Action.END_OF_DAY,
                            Action.EXPIRE, Action.REJECT])
POLICY = ApprovalConfig(four_eyes_above=Decimal("20000"), auto_approve_below_value=Decimal("5000"),
                        reconfirm_price_move=Decimal("0.05"))


def approved_enough(record: dict[str, Any]) -> bool:
    version = record["order"]["version"]
    users = {a["user"] for a in record["approvals"] if a["version"] == version}
    return len(users) >= record["approvals_needed"]


def check_audit(client: redis.Redis) -> None:
    for _id, fields in client.xrange(streams.AUDIT):
        entry = decode(fields).body
        before, after = entry.before, entry.after  # type: ignore[attr-defined]
        if before is None:
            assert entry.action == "submit"  # type: ignore[attr-defined]
            continue
        action = Action(entry.action)  # type: ignore[attr-defined]
        assert action in ALLOWED[OrderState(before["state"])], (before["state"], action)
        if action is Action.START:
            assert before["state"] == "approved" and approved_enough(before)
        if after["state"] == "approved" and before["state"] != "approved":
            policy_override = any(a["user"].startswith("policy:") for a in after["approvals"])
            assert approved_enough(after) or policy_override


class QueueMachine(RuleBasedStateMachine):
    client: redis.Redis
    clock: FixedClock

    def __init__(self) -> None:
        super().__init__()
        self.client.flushall()
        set_batch(self.client)
        self.queue = OrderQueue(self.client, self.clock, POLICY)
        self.decision_cursor = "0-0"
        self.work_check = WorkCheck(self.queue)

    def _try(self, order_id: str, action: Action, **kwargs: Any) -> None:
        # A refusal with a reason is exactly what must happen to illegal commands.
        with contextlib.suppress(IllegalTransition, UnknownOrder):
            self.queue.apply(order_id, action, **kwargs)

    @rule(order_id=IDS, lots=st.integers(1, 40))
    def propose(self, order_id: str, lots: int) -> None:
        self.queue.ingest(make_order(order_id, quantity=lots * 100), actor="model")

    @rule(order_id=IDS, user=USERS, confirm=st.booleans())
    def approve(self, order_id: str, user: str, confirm: bool) -> None:
        self._try(order_id, Action.APPROVE, actor=user, confirmed_move=confirm)

    @rule(ids=st.lists(IDS, max_size=3), user=USERS)
    def approve_many(self, ids: list[str], user: str) -> None:
        self.queue.apply_many(ids, Action.APPROVE, actor=user)

    @rule(order_id=IDS, user=USERS, lots=st.integers(0, 40))
    def edit(self, order_id: str, user: str, lots: int) -> None:
        self._try(order_id, Action.EDIT, actor=user, edit={"quantity": lots * 100})

    @rule(order_id=IDS, action=CONTROLS, reason=st.sampled_from(["", "news"]))
    def control(self, order_id: str, action: Action, reason: str) -> None:
        self._try(order_id, action, actor="alice", reason=reason)

    @rule(order_id=IDS, lots=st.integers(1, 20))
    def fill(self, order_id: str, lots: int) -> None:
        value = Decimal("10.00") * lots * 100
        self._try(order_id, Action.FILL, actor="execution", fill=Fill(lots * 100, value))

    @rule()
    def execution_service_starts_what_the_work_check_passes(self) -> None:
        after = f"({self.decision_cursor}"
        for entry_id, fields in self.client.xrange(streams.DECISIONS, min=after):
            self.decision_cursor = entry_id
            body = decode(fields).body
            assert isinstance(body, Decision)
            if body.action != "approve":
                continue
            with contextlib.suppress(StaleWork):
                record = self.work_check.verified(body)
                assert record.state is OrderState.APPROVED or record.state in LIVE_STATES
                self._try(record.order_id, Action.START, actor="execution")

    @rule(order_id=IDS)
    def attacker_starts_directly(self, order_id: str) -> None:
        self._try(order_id, Action.START, actor="mallory")

    @rule(price=st.sampled_from(["10.00", "10.40", "10.80", "9.20"]))
    def price_moves(self, price: str) -> None:
        set_last(self.client, "600000.SSE", price)

    @rule()
    def policies_run(self) -> None:
        run_policies(self.queue, self.clock, POLICY)

    @invariant()
    def records_are_consistent(self) -> None:
        for record in self.queue.list_orders():
            assert 0 <= record.filled_quantity <= record.order.quantity
            if record.state is OrderState.FILLED:
                assert record.filled_quantity == record.order.quantity

    def teardown(self) -> None:
        check_audit(self.client)


def test_no_command_sequence_executes_without_approval(redis_client: redis.Redis,
                                                       clock: FixedClock) -> None:
    machine = type("BoundQueueMachine", (QueueMachine,), {"client": redis_client, "clock": clock})
    run_state_machine_as_test(machine, settings=settings(  # type: ignore[arg-type]
        max_examples=40, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))


ACTIONS = st.sampled_from(list(Action))


@settings(max_examples=400, deadline=None)
@given(steps=st.lists(st.tuples(ACTIONS, USERS, st.integers(0, 12)), max_size=40),
       needed=st.integers(1, 2))
def test_lifecycle_never_leaves_its_table(steps: list[tuple[Action, str, int]],
                                          needed: int) -> None:
    from datetime import datetime

    from marketdata.clock import EXCHANGE_TZ

    at = datetime(2026, 11, 23, 9, 30, tzinfo=EXCHANGE_TZ)
    record = OrderRecord(order=make_order(quantity=1200), approvals_needed=needed)
    for action, user, n in steps:
        before = record
        try:
            record = transition(record, action, actor=user, at=at, reason="r" if n else "",
                                fill=Fill(n * 100, Decimal(n * 1000)),
                                edit={"quantity": max(n, 1) * 100})
        except IllegalTransition:
            assert action not in ALLOWED.get(before.state, frozenset()) or action in (
                Action.APPROVE, Action.REJECT, Action.FILL, Action.EDIT)
            continue
        assert action in ALLOWED[before.state]
        if record.state is OrderState.APPROVED and before.state is not OrderState.APPROVED:
            assert approved_enough(json.loads(record.to_json()))
        if action is Action.START:
            assert approved_enough(json.loads(before.to_json()))
