"""Who may release an order, and when: maker-checker and the halt.

Maker-checker: whoever created an order or edited it last can never approve it;
`author_and_every_editor` also bars every earlier editor. Orders from the model and
the risk daemon have no human maker until a trader edits one. The halt (the kill
switch, `desk:halt`) refuses approvals and starts, so nothing becomes working while
it is on; both rules are checked inside the queue's transaction.
"""

from __future__ import annotations

from enum import StrEnum

from execution.approval.lifecycle import Action
from orders.order import OrderRecord

HALT_BLOCKED = frozenset({Action.APPROVE, Action.START})
SYSTEM_MAKERS = frozenset({"model", "risk", ""})  # not people: the approval policy applies


class MakerChecker(StrEnum):
    AUTHOR_AND_LAST_EDITOR = "author_and_last_editor"
    AUTHOR_AND_EVERY_EDITOR = "author_and_every_editor"  # stricter


def halt_refusal(order_id: str, action: Action, halted: str | None) -> str | None:
    """Why `action` must wait for the halt to be lifted, or None."""
    if not halted or action not in HALT_BLOCKED:
        return None
    verb = "approved" if action is Action.APPROVE else "started"
    return (f"order {order_id}: trading is halted ({halted}); nothing can be {verb} "
            "until an admin lifts the halt")


def makers(record: OrderRecord, rule: MakerChecker) -> set[str]:
    """The people who may not approve this order."""
    editors = record.editors if rule is MakerChecker.AUTHOR_AND_EVERY_EDITOR \
        else record.editors[-1:]
    return {record.order.created_by, *editors} - SYSTEM_MAKERS


def maker_refusal(record: OrderRecord, actor: str, rule: MakerChecker) -> str | None:
    if actor not in makers(record, rule):
        return None
    role = "edited" if actor in record.editors else "created"
    return (f"order {record.order_id}: {actor} {role} it and cannot also approve it "
            "(maker-checker): another trader must")


def with_editor(record: OrderRecord, actor: str) -> OrderRecord:
    """The edited record, remembering who edited it."""
    return record.model_copy(update={"editors": (*record.editors, actor)})
