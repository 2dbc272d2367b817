"""The console as a FastAPI application: `create_app(...)` wires routes, templates, security.

Pages are rendered on the server (Jinja2); the only script is static/console.js,
served from this package, and a strict content-security policy forbids anything
else (no CDN, no inline script or style).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from html import escape
from pathlib import Path

import redis
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import OrderQueue
from execution.approval.reference_data import ReferenceData
from marketdata.calendar import TradingCalendar
from marketdata.clock import Clock
from risk.config import RiskConfig
from services.console import (
    live,
    routes_ack,
    routes_admin,
    routes_auth,
    routes_liquidity,
    routes_orders,
    routes_pages,
)
from services.console.account_pick import ALL, AccountSpec, UnknownAccount
from services.console.auth import LoginThrottle, SessionStore, load_secret
from services.console.config import ConsoleConfig
from services.console.display import install as install_figures
from services.console.forwarded import trust_proxies
from services.console.users import UserStore
from services.console.web import Desk, Forbidden, NotLoggedIn, wants_json
from services.replicated_ack import AckPolicy

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def create_app(client: redis.Redis, queue: OrderQueue, clock: Clock, *,
               console: ConsoleConfig, approval: ApprovalConfig, risk: RiskConfig,
               account: str, data_dir: Path,
               reference: ReferenceData | None = None,
               calendar: TradingCalendar | None = None,
               calendar_warning_days: int = 30,
               ack: AckPolicy | None = None,
               accounts: Sequence[AccountSpec] | None = None) -> FastAPI:
    """The console app; no docs pages (nothing is served that a trader does not need).

    `accounts`: every account of the desk, the default first (`account_specs(settings)`);
    without it the desk has the one account `account`, with `risk`."""
    app = FastAPI(title="smallcap-desk console", docs_url=None, redoc_url=None,
                  openapi_url=None)
    specs = tuple(accounts or (AccountSpec(account, risk),))
    app.state.desk = Desk(
        client=client, queue=queue, clock=clock, console=console, approval=approval,
        risk=specs[0].risk, account=specs[0].name,
        users=UserStore(client),
        sessions=SessionStore(client, load_secret(console.secret_env, data_dir),
                              console.session_minutes),
        throttle=LoginThrottle(client, console),
        templates=_templates(),
        reference=reference,
        calendar=calendar,
        calendar_warning_days=calendar_warning_days,
        ack=ack or AckPolicy(),
        accounts=specs,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (routes_auth, routes_admin, routes_orders, routes_pages, live, routes_ack,
                   routes_liquidity):
        app.include_router(module.router)
    app.add_exception_handler(NotLoggedIn, _not_logged_in)  # type: ignore[arg-type]
    app.add_exception_handler(Forbidden, _forbidden)  # type: ignore[arg-type]
    app.add_exception_handler(UnknownAccount, _unknown_account)  # type: ignore[arg-type]
    app.middleware("http")(_security_headers)
    trust_proxies(app, console)
    return app


async def _security_headers(request: Request,
                            call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _not_logged_in(request: Request, _exc: NotLoggedIn) -> Response:
    if request.method == "GET" and not wants_json(request) and request.url.path != "/events":
        return RedirectResponse("/login", status_code=303)
    return JSONResponse({"error": "not logged in"}, status_code=401)


async def _forbidden(request: Request, exc: Forbidden) -> Response:
    return JSONResponse({"error": str(exc)}, status_code=403)


async def _unknown_account(request: Request, exc: UnknownAccount) -> Response:
    """A mistyped account is the trader's to fix: 400, naming it and the desk's accounts."""
    if wants_json(request):
        return JSONResponse({"error": str(exc)}, status_code=400)
    text = escape(str(exc))
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unknown account'
        f'</title><link rel="stylesheet" href="/static/console.css"></head><body><main>'
        f'<p class="flash error" id="account-error">{text}</p><p><a href="'
        f'{escape(request.url.path)}?account={ALL}">Show every account</a></p></main></body>'
        f'</html>', status_code=400)


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["money"] = _money
    templates.env.filters["pct"] = _pct
    templates.env.filters["fields"] = _fields
    install_figures(templates.env)  # px, qty, last_px: every number cell reads the same
    return templates


def _fields(value: object) -> str:
    """A dict from the ledger or the risk state as "key value · key value"."""
    if isinstance(value, dict):
        return " · ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def _money(value: Decimal | float | int | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{Decimal(str(value)):,.{places}f}"


def _pct(value: Decimal | float | None, places: int = 1) -> str:
    return "—" if value is None else f"{float(value):+.{places}%}"
