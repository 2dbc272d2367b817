"""What every console route shares: the desk handles, the logged-in user, CSRF, replies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import redis
from fastapi import Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bus import streams
from bus.messages import NavSnapshot
from errors import Refused
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import OrderQueue
from execution.approval.reference_data import ReferenceData
from marketdata.calendar import TradingCalendar
from marketdata.calendar_notice import CalendarNotice, calendar_notice
from marketdata.clock import EXCHANGE_TZ, Clock
from risk.config import RiskConfig
from services.console.account_pick import ALL, COOKIE, FIELD, AccountSpec, pick, shown
from services.console.auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    LoginThrottle,
    Session,
    SessionStore,
    tokens_match,
)
from services.console.config import ConsoleConfig
from services.console.users import Role, UserStore
from services.nav_read import latest_snapshots
from services.replicated_ack import AckPolicy

# A bulk decision posts one field per row on screen (bulk.MAX_PICKS); Starlette allows 1,000.
MAX_FORM_FIELDS = 5_020

FLASH_KEY = f"{streams.PREFIX}:console:flash:{{sid}}"


@dataclass
class Desk:
    """Handles the routes use; one per app, on `app.state.desk`."""

    client: redis.Redis
    queue: OrderQueue
    clock: Clock
    console: ConsoleConfig
    approval: ApprovalConfig
    risk: RiskConfig
    account: str
    users: UserStore
    sessions: SessionStore
    throttle: LoginThrottle
    templates: Jinja2Templates
    # Previous close, ST status and names from the store, for manual orders.
    reference: ReferenceData | None = None
    # For the banner on every page: when the calendar runs out, provisional days.
    calendar: TradingCalendar | None = None
    calendar_warning_days: int = 30
    # Replicas that must hold a decision before the trader is told it is done (WAIT).
    ack: AckPolicy = field(default_factory=AckPolicy)
    # Every account of the desk, the default (`account`) first, each with its risk settings.
    accounts: tuple[AccountSpec, ...] = ()

    @property
    def account_names(self) -> list[str]:
        return [a.name for a in self.accounts] or [self.account]

    def risk_of(self, name: str) -> RiskConfig:
        return next((a.risk for a in self.accounts if a.name == name), self.risk)


class NotLoggedIn(Refused):
    """No valid session: pages redirect to the login form, API calls get 401."""


class Forbidden(Refused):
    """Logged in, but the role or the CSRF token does not allow this request."""


def desk(request: Request) -> Desk:
    return request.app.state.desk  # type: ignore[no-any-return]


def current_session(request: Request) -> Session:
    d = desk(request)
    session = d.sessions.load(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotLoggedIn
    user = d.users.get(session.user)
    if user is None or user.disabled:  # disabling a user ends their sessions at once
        d.sessions.revoke(session.sid)
        raise NotLoggedIn
    # Live updates resume from here, so nothing between this read and the page's
    # event connection is missed.
    request.state.since = _stream_position(d.client)
    # The role is read fresh so a change applies to open sessions too.
    return Session(session.sid, user.name, user.role, session.csrf)


def require(role: Role) -> Any:
    """Dependency: a session whose role allows `role`; changing requests also need CSRF."""

    async def dependency(request: Request,
                         session: Session = Depends(current_session)) -> Session:
        if not session.role.allows(role):
            raise Forbidden(f"{session.user} is a {session.role.value}: needs {role.value}")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            await check_csrf(request, session.csrf)
        return session

    return dependency


async def check_csrf(request: Request, expected: str) -> None:
    """The session's token in the header or the form, and a same-site Origin if sent."""
    origin = request.headers.get("origin")
    if origin and urlparse(origin).netloc != request.headers.get("host"):
        raise Forbidden(f"cross-site request from {origin} refused")
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form(max_fields=MAX_FORM_FIELDS)  # parsed once, then cached
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not tokens_match(expected, given):
        raise Forbidden("missing or wrong CSRF token")


def _stream_position(client: redis.Redis) -> str:
    seconds, micros = client.time()  # Redis server time: the clock of stream ids
    return f"{int(seconds) * 1000 + int(micros) // 1000}-0"


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def flash(request: Request, session: Session, text: str, level: str = "info") -> None:
    key = FLASH_KEY.format(sid=session.sid)
    pipe = desk(request).client.pipeline()
    pipe.rpush(key, json.dumps({"level": level, "text": text[:2000]}))
    pipe.expire(key, 600)
    pipe.execute()


def pop_flashes(request: Request, session: Session) -> list[dict[str, str]]:
    key = FLASH_KEY.format(sid=session.sid)
    pipe = desk(request).client.pipeline(transaction=True)
    pipe.lrange(key, 0, -1)
    pipe.delete(key)
    raws, _ = pipe.execute()
    return [json.loads(r) for r in raws]


def reply(request: Request, session: Session, payload: dict[str, Any], message: str,
          *, level: str = "info", back: str = "/", status: int = 200) -> Response:
    """JSON for API clients; otherwise a flash message and a redirect back (303)."""
    if wants_json(request):
        return JSONResponse({**payload, "message": message}, status_code=status)
    flash(request, session, message, level if status < 400 else "error")
    return RedirectResponse(safe_back(request, back), status_code=303)


def safe_back(request: Request, default: str) -> str:
    """Where to go after an action: a local path from the form, never another site."""
    target = request.query_params.get("back") or default
    return target if target.startswith("/") and not target.startswith("//") else default


def account_choice(request: Request) -> str:
    """The account this request shows (a name, or ALL); an unknown one in the query
    raises UnknownAccount (a 400)."""
    d = desk(request)
    given = request.query_params.get(FIELD)
    return pick(given, request.cookies.get(COOKIE), d.account_names)


def chosen_accounts(request: Request) -> list[str]:
    """The accounts this request shows, in the settings' order."""
    return shown(account_choice(request), desk(request).account_names)


def _latest_navs(d: Desk, names: list[str]) -> list[NavSnapshot]:
    """The newest NAV snapshot of each account named (as many as have one)."""
    # One account's desk has only its snapshots: the newest is the one (as before).
    scan = 1 if len(d.account_names) == 1 else 50 * len(d.account_names)
    found = latest_snapshots(d.client, names, scan)
    return [found[n] for n in names if n in found]


def _calendar_notice(d: Desk) -> CalendarNotice | None:
    if d.calendar is None:
        return None
    today = d.clock.now().astimezone(EXCHANGE_TZ).date()
    return calendar_notice(d.calendar, today, d.calendar_warning_days)


def render(request: Request, session: Session, template: str, **context: Any) -> Response:
    d = desk(request)
    choice = account_choice(request)
    navs = _latest_navs(d, shown(choice, d.account_names))
    base = {
        "session": session,
        "flashes": pop_flashes(request, session),
        "halted": d.queue.halted(),
        "now": d.clock.now(),
        "since": getattr(request.state, "since", ""),
        "latest_nav": navs[0] if navs and (choice != ALL or len(d.account_names) == 1)
        else None,
        "desk_navs": {n.account: str(n.nav) for n in navs},
        "desk_nav_total": sum((n.nav for n in navs), Decimal(0)) if navs else None,
        "account": d.account if choice == ALL else choice,
        "account_choice": choice,
        "account_names": d.account_names,
        "several": len(d.account_names) > 1,
        "account_of": d.queue.account_of,
        "can_trade": session.role.allows(Role.TRADER),
        "is_admin": session.role.allows(Role.ADMIN),
        "calendar_notice": _calendar_notice(d),
    }
    response = d.templates.TemplateResponse(request, template, {**base, **context})
    if request.query_params.get(FIELD):  # remembered while the trader moves between pages
        response.set_cookie(COOKIE, choice, max_age=30 * 86400, path="/", httponly=True,
                            samesite="strict", secure=d.console.cookie_secure)
    return response
