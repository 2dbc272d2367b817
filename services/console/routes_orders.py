"""Decisions on orders: approve, reject, edit, pause / resume / cancel, manual orders.

Every decision goes through `OrderQueue`, under the logged-in user's name, so it is
an audited transition; nothing here touches the execution service directly.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from execution.approval.lifecycle import Action, IllegalTransition
from execution.approval.queue import ChangedSinceShown, UnknownOrder
from orders.order import Order
from services.console.auth import Session
from services.console.bulk import NOT_ACKNOWLEDGED, bulk_reply, not_acknowledged, seen_versions
from services.console.users import Role
from services.console.web import MAX_FORM_FIELDS, Forbidden, desk, reply, require
from services.replicated_ack import decide

router = APIRouter(prefix="/orders")
TRADER = Depends(require(Role.TRADER))
SHOWN_IDS = 5  # orders named in a "not acknowledged" message
EDIT_FIELDS = ("quantity", "limit_price", "algo", "start_time", "end_time")


@router.post("/approve")
async def approve(request: Request, session: Session = TRADER) -> Response:
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    confirmed = form.get("confirm_move") == "1"
    return await _bulk(request, session, form, Action.APPROVE, reason="",
                       confirmed_move=confirmed)


@router.post("/reject")
async def reject(request: Request, session: Session = TRADER) -> Response:
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    reason = str(form.get("reason", "")).strip()
    if not reason:
        return reply(request, session, {"changed": [], "refused": {}},
                     "A rejection needs a reason.", status=400)
    return await _bulk(request, session, form, Action.REJECT, reason=reason)


async def _bulk(request: Request, session: Session, form: FormData, action: Action, *,
                reason: str, confirmed_move: bool = False) -> Response:
    """Approve or reject exactly the rows the trader saw, at the versions they saw."""
    try:
        seen = seen_versions(form)
    except ValueError as exc:
        return reply(request, session, {"changed": [], "refused": {}}, str(exc), status=400)
    d = desk(request)
    what = f"{action.value} of {', '.join(list(seen)[:SHOWN_IDS])}" + (
        f" (+{len(seen) - SHOWN_IDS} more)" if len(seen) > SHOWN_IDS else "")
    try:
        outcome = await run_in_threadpool(
            decide, d.queue, d.ack, what,
            lambda queue: queue.apply_many(list(seen), action, actor=session.user,
                                           reason=reason, confirmed_move=confirmed_move,
                                           seen_versions=seen))
    except ChangedSinceShown as exc:
        return reply(request, session, {"changed": [], "refused": {}, "stale": exc.changed},
                     f"{exc} — reload the page and decide again.", level="warning",
                     status=409)
    if outcome.problem and outcome.result.changed:
        return not_acknowledged(request, session, outcome.result, outcome.problem)
    return bulk_reply(request, session, action, outcome.result)


@router.post("/{order_id}/edit")
async def edit(order_id: str, request: Request, session: Session = TRADER) -> Response:
    form = await request.form()
    record = desk(request).queue.get(order_id)
    if record is None:
        return reply(request, session, {"order_id": order_id}, f"no order {order_id!r}",
                     status=404)
    changes = _edit_changes(form, record.order)
    if not changes:
        return reply(request, session, {"order_id": order_id}, "Nothing changed.",
                     back=f"/orders/{order_id}")
    return _single(request, session, order_id, Action.EDIT, reason=str(form.get("reason", "")),
                   edit=changes)


@router.post("/{order_id}/control")
async def control(order_id: str, request: Request, session: Session = TRADER) -> Response:
    form = await request.form()
    command = str(form.get("command", ""))
    if command not in ("pause", "resume", "cancel"):
        raise Forbidden(f"unknown command {command!r}")
    try:
        message = desk(request).queue.request_control(
            order_id, command, actor=session.user, reason=str(form.get("reason", ""))
        )
    except UnknownOrder as exc:
        return reply(request, session, {"order_id": order_id}, str(exc.args[0]), status=404)
    except IllegalTransition as exc:
        return reply(request, session, {"order_id": order_id}, str(exc), status=409,
                     back="/working")
    return reply(request, session, {"order_id": order_id, "command": command}, message,
                 back="/working")


def _single(request: Request, session: Session, order_id: str, action: Action, *,
            reason: str, edit: dict[str, Any]) -> Response:
    back = f"/orders/{order_id}"
    d = desk(request)
    try:
        outcome = decide(d.queue, d.ack, f"{action.value} of {order_id}",
                         lambda queue: queue.apply(order_id, action, actor=session.user,
                                                   reason=reason, edit=edit))
    except UnknownOrder as exc:
        return reply(request, session, {"order_id": order_id}, str(exc.args[0]), status=404)
    except IllegalTransition as exc:
        return reply(request, session, {"order_id": order_id}, str(exc), status=409, back=back)
    record = outcome.result
    message = f"{order_id} is now version {record.order.version}, {record.state.value}"
    payload = {"order_id": order_id, "state": record.state.value,
               "version": record.order.version, "acknowledged": outcome.problem is None}
    if outcome.problem:
        return reply(request, session, payload, f"{message} — NOT acknowledged: "
                     f"{outcome.problem}", back=back, status=NOT_ACKNOWLEDGED)
    return reply(request, session, payload, message, back=back)


def _edit_changes(form: FormData, order: Order) -> dict[str, Any]:
    """The fields the form changes; an emptied limit price removes the limit."""
    changes: dict[str, Any] = {}
    for field in EDIT_FIELDS:
        if field not in form:
            continue
        text = str(form[field]).strip()
        if not text and field != "limit_price":
            continue
        value = text or None
        if _differs(order, field, value):
            changes[field] = value
    return changes


def _differs(order: Order, field: str, value: str | None) -> bool:
    try:
        candidate = Order.model_validate({**order.model_dump(), field: value})
    except ValueError:
        return True  # the transition refuses it and says why
    return bool(getattr(candidate, field) != getattr(order, field))
