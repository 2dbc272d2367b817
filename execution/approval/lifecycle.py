"""The order lifecycle as a transition table (drawn in docs/orders.md).

`transition` is the only way an `OrderRecord` changes state. It is pure: it takes a
record and an action and returns the new record, or raises `IllegalTransition`
with the reason. Nothing here touches Redis; `execution.approval.queue` stores the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from errors import Refused
from orders.order import Approval, Order, OrderRecord, OrderState

S = OrderState


class Action(StrEnum):
    SUBMIT = "submit"  # proposed -> pending approval
    APPROVE = "approve"
    REJECT = "reject"
    EXPIRE = "expire"
    EDIT = "edit"  # new version, back to pending approval
    START = "start"  # the execution service took it
    FILL = "fill"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    END_OF_DAY = "end_of_day"


# state -> actions allowed from it. Fill and approve have their own target logic.
ALLOWED: dict[OrderState, frozenset[Action]] = {
    S.PROPOSED: frozenset({Action.SUBMIT, Action.REJECT, Action.EXPIRE}),
    S.PENDING_APPROVAL: frozenset(
        {Action.APPROVE, Action.REJECT, Action.EXPIRE, Action.EDIT, Action.CANCEL}
    ),
    S.APPROVED: frozenset({Action.START, Action.CANCEL, Action.EXPIRE, Action.EDIT}),
    # A working order is edited only once paused: no child may be live at the broker.
    S.WORKING: frozenset({Action.FILL, Action.PAUSE, Action.CANCEL, Action.END_OF_DAY}),
    S.PARTIALLY_FILLED: frozenset({Action.FILL, Action.PAUSE, Action.CANCEL, Action.END_OF_DAY}),
    S.PAUSED: frozenset(
        {Action.RESUME, Action.FILL, Action.CANCEL, Action.END_OF_DAY, Action.EDIT}
    ),
    # A fill can race a cancel at the broker; it is real and is never dropped.
    S.CANCELLED: frozenset({Action.FILL}),
    S.DONE_FOR_DAY: frozenset({Action.FILL}),
}

SIMPLE_TARGET: dict[Action, OrderState] = {
    Action.SUBMIT: S.PENDING_APPROVAL,
    Action.REJECT: S.REJECTED,
    Action.EXPIRE: S.EXPIRED,
    Action.START: S.WORKING,
    Action.PAUSE: S.PAUSED,
    Action.CANCEL: S.CANCELLED,
    Action.END_OF_DAY: S.DONE_FOR_DAY,
}


class IllegalTransition(Refused):
    """An action that the order's current state does not allow."""


@dataclass(frozen=True)
class Fill:
    quantity: int
    value: Decimal  # price x quantity x multiplier, exact
    fees: Decimal = Decimal(0)


def transition(
    record: OrderRecord,
    action: Action,
    *,
    actor: str,
    at: datetime,
    reason: str = "",
    fill: Fill | None = None,
    edit: dict[str, Any] | None = None,
    completes_approval: bool = False,
) -> OrderRecord:
    """Apply `action` to `record`, or raise IllegalTransition saying why.

    `completes_approval`: this approval alone satisfies the approvals needed (a
    configured policy override, e.g. an urgent hedge nobody decided on in time).
    """
    if at.tzinfo is None:
        raise ValueError("transition time must be timezone-aware")
    if action not in ALLOWED.get(record.state, frozenset()):
        raise IllegalTransition(
            f"order {record.order_id} is {record.state.value}: cannot {action.value}"
        )
    if action is Action.APPROVE:
        return _approve(record, actor, at, completes_approval)
    if action is Action.REJECT and not reason.strip():
        raise IllegalTransition(f"order {record.order_id}: a rejection needs a reason")
    if action is Action.FILL:
        return _fill(record, fill, at)
    if action is Action.EDIT:
        return _edit(record, edit or {}, actor, at)
    if action is Action.RESUME:
        state = S.PARTIALLY_FILLED if record.filled_quantity else S.WORKING
        return _with(record, state, at, reason)
    return _with(record, SIMPLE_TARGET[action], at, reason)


def _with(record: OrderRecord, state: OrderState, at: datetime, note: str = "") -> OrderRecord:
    return record.model_copy(
        update={
            "state": state,
            "updated_at": at,
            "note": note or record.note,
            "revision": record.revision + 1,
        }
    )


def _approve(record: OrderRecord, actor: str, at: datetime, completes: bool) -> OrderRecord:
    version = record.order.version
    if any(a.user == actor and a.version == version for a in record.approvals):
        raise IllegalTransition(
            f"order {record.order_id}: {actor} has already approved version {version}"
        )
    approvals = (*record.approvals, Approval(user=actor, at=at, version=version))
    current = [a for a in approvals if a.version == version]
    enough = completes or len(current) >= record.approvals_needed
    state = S.APPROVED if enough else S.PENDING_APPROVAL
    updated = _with(record, state, at)
    return updated.model_copy(update={"approvals": approvals})


def _fill(record: OrderRecord, fill: Fill | None, at: datetime) -> OrderRecord:
    if fill is None or fill.quantity <= 0:
        raise IllegalTransition(f"order {record.order_id}: a fill needs a positive quantity")
    if fill.quantity > record.remaining:
        raise IllegalTransition(
            f"order {record.order_id}: fill of {fill.quantity} exceeds remaining {record.remaining}"
        )
    filled = record.filled_quantity + fill.quantity
    if filled == record.order.quantity:
        state = S.FILLED
    elif record.state in (S.PAUSED, S.CANCELLED, S.DONE_FOR_DAY):
        state = record.state
    else:
        state = S.PARTIALLY_FILLED
    updated = _with(record, state, at)
    return updated.model_copy(
        update={
            "filled_quantity": filled,
            "filled_value": record.filled_value + fill.value,
            "fees": record.fees + fill.fees,
        }
    )


EDITABLE = frozenset({"quantity", "limit_price", "algo", "start_time", "end_time"})


def _edit(record: OrderRecord, changes: dict[str, Any], actor: str, at: datetime) -> OrderRecord:
    unknown = set(changes) - EDITABLE
    if unknown:
        raise IllegalTransition(
            f"order {record.order_id}: cannot edit {sorted(unknown)}; editable: {sorted(EDITABLE)}"
        )
    if "quantity" in changes and int(changes["quantity"]) < max(record.filled_quantity, 1):
        raise IllegalTransition(
            f"order {record.order_id}: quantity {changes['quantity']} is below "
            f"what has already filled ({record.filled_quantity})"
        )
    try:
        order: Order = record.order.edited(**changes)
    except ValueError as exc:
        raise IllegalTransition(f"order {record.order_id}: edit refused: {exc}") from exc
    # An edited order must be approved again, even while working: the execution
    # service pauses it until then.
    updated = _with(record, S.PENDING_APPROVAL, at, f"edited by {actor}")
    return updated.model_copy(update={"order": order})
