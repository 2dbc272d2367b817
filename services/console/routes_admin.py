"""The kill switch, manual orders and user management."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from execution.approval.manual import ManualOrderRefused, ManualOrderRequest, add_manual_order
from services.console.account_pick import FIELD, UnknownAccount, checked
from services.console.admin_audit import audit_unlock
from services.console.auth import Session
from services.console.users import Role, UserError
from services.console.web import account_choice, desk, render, reply, require

router = APIRouter()
HALT_WORD = "HALT"


@router.get("/halt")
def halt_page(request: Request, session: Session = Depends(require(Role.VIEWER))) -> Response:
    return render(request, session, "halt.html", word=HALT_WORD)


@router.post("/halt")
async def halt(request: Request, session: Session = Depends(require(Role.TRADER))) -> Response:
    """Halt all trading; the trader must type the confirmation word."""
    form = await request.form()
    if str(form.get("confirm", "")).strip() != HALT_WORD:
        return reply(request, session, {"halted": False},
                     f"Not halted: type {HALT_WORD} to confirm.", status=400, back="/halt")
    reason = str(form.get("reason", "")).strip() or "kill switch"
    desk(request).queue.halt(actor=session.user, reason=reason)
    return reply(request, session, {"halted": True}, f"ALL TRADING HALTED by {session.user}",
                 level="error", back="/halt")


@router.post("/halt/lift")
async def lift(request: Request, session: Session = Depends(require(Role.ADMIN))) -> Response:
    form = await request.form()
    reason = str(form.get("reason", "")).strip() or "halt lifted"
    desk(request).queue.halt(actor=session.user, reason=reason, halted=False)
    return reply(request, session, {"halted": False}, f"Halt lifted by {session.user}",
                 back="/halt")


@router.get("/orders/new")
def new_order_form(request: Request,
                   session: Session = Depends(require(Role.TRADER))) -> Response:
    d = desk(request)
    choice = account_choice(request)  # the account chosen on the pages, else the first
    values = {FIELD: choice if choice in d.account_names else d.account_names[0]}
    return render(request, session, "new_order.html", values=values, errors=[])


@router.post("/orders/new")
async def new_order(request: Request,
                    session: Session = Depends(require(Role.TRADER))) -> Response:
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf" and str(v).strip()}
    d = desk(request)
    try:
        account = checked(values.get(FIELD, d.account_names[0]), d.account_names)
    except UnknownAccount as exc:
        return _form_again(request, session, values, [str(exc)], status=400)
    try:
        req = ManualOrderRequest.model_validate({k: v for k, v in values.items()
                                                 if k not in ("prev_close", FIELD)})
        facts = d.reference.facts(req.symbol) if d.reference else None
        typed = Decimal(values["prev_close"]) if "prev_close" in values else None
        record = add_manual_order(d.queue, req, author=session.user, account=account,
                                   prev_close=typed or (facts.prev_close if facts else None),
                                   st=bool(facts and facts.st))
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        return _form_again(request, session, values, errors)
    except (ManualOrderRefused, ArithmeticError) as exc:
        return _form_again(request, session, values, [str(exc)])
    return reply(request, session, {"order_id": record.order_id, "account": account},
                 f"Manual order {record.order_id} added"
                 + (f" for account {account}" if len(d.account_names) > 1 else "")
                 + ": it needs approval",
                 back=f"/orders/{record.order_id}")


def _form_again(request: Request, session: Session, values: dict[str, str],
                errors: list[str], status: int = 422) -> Response:
    response = render(request, session, "new_order.html", values=values, errors=errors)
    response.status_code = status
    return response


@router.get("/users")
def users(request: Request, session: Session = Depends(require(Role.ADMIN))) -> Response:
    d = desk(request)
    accounts = d.users.list()
    throttled = {u.name: d.throttle.failures(u.name) for u in accounts}
    return render(request, session, "users.html", users=accounts, throttled=throttled,
                  roles=[r.value for r in Role])


@router.post("/users/add")
async def add_user(request: Request,
                   session: Session = Depends(require(Role.ADMIN))) -> Response:
    form = await request.form()
    d = desk(request)
    name, role = str(form.get("name", "")), str(form.get("role", ""))
    try:
        d.users.add(name, Role(role), str(form.get("password", "")), by=session.user,
                    at=d.clock.now())
    except (UserError, ValueError) as exc:
        return reply(request, session, {"user": name}, str(exc), status=400, back="/users")
    return reply(request, session, {"user": name}, f"user {name} ({role}) added", back="/users")


@router.post("/users/{name}/disable")
async def disable_user(name: str, request: Request,
                       session: Session = Depends(require(Role.ADMIN))) -> Response:
    if name == session.user:
        return reply(request, session, {"user": name}, "You cannot disable yourself.",
                     status=400, back="/users")
    try:
        desk(request).users.set_disabled(name, True)
    except UserError as exc:
        return reply(request, session, {"user": name}, str(exc), status=404, back="/users")
    return reply(request, session, {"user": name}, f"user {name} disabled", back="/users")


@router.post("/users/{name}/unlock")
async def unlock_user(name: str, request: Request,
                      session: Session = Depends(require(Role.ADMIN))) -> Response:
    """Clear the login throttle of one account, from every address; audited."""
    d = desk(request)
    if d.users.get(name) is None:
        return reply(request, session, {"user": name}, f"no user {name!r}", status=404,
                     back="/users")
    cleared = d.throttle.clear(name)
    audit_unlock(d.client, name=name, actor=session.user, cleared=cleared, at=d.clock.now())
    return reply(request, session, {"user": name, "cleared": len(cleared)},
                 f"login throttle of {name} cleared ({len(cleared)} address(es))",
                 back="/users")
