"""Log in and out. The login form has its own CSRF token (a double-submit cookie).

Every refusal of a login looks the same whether the name has an account or not:
one status, one message, the same headers, and the same password-hash work (a
name without an account, and a throttled pair, are checked against a dummy hash).
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from loguru import logger

from services.console.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Session, tokens_match
from services.console.users import LoginRefused, Role, User
from services.console.web import Desk, desk, require

router = APIRouter()
REFUSED = "invalid user name or password"  # the one reply to every refused login


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request, "", 200)


@router.post("/login")
def login(request: Request, username: str = Form(max_length=64),
          password: str = Form(max_length=256), csrf: str = Form("")) -> Response:
    d = desk(request)
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), csrf):
        return _login_page(request, "The login form expired: try again.", 403)
    # The TCP peer, or the client a configured proxy names (services/console/forwarded.py).
    address = request.client.host if request.client else "unknown"
    wait_s = d.throttle.address_wait_s(address)
    if wait_s:  # one address flooding: refused before any hash work, whatever the name
        logger.warning("console: login throttled for address {}", address)
        return _throttled(request, wait_s)
    wait_s = d.throttle.pair_wait_s(username, address)
    if wait_s:
        d.users.check_dummy(password)  # as slow as a check, and never says if it was right
        logger.warning("console: login for {!r} from {} waits {} s", username, address, wait_s)
        return _throttled(request, wait_s)
    user = _check_password(d, username, password, address)
    if user is None:
        return _login_page(request, REFUSED, 401)
    return _logged_in(request, d, user, address)


def _check_password(d: Desk, username: str, password: str, address: str) -> User | None:
    try:
        user = d.users.verify(username, password)
    except LoginRefused as exc:
        wait_s = d.throttle.failed(username, address)
        logger.warning("console: login refused for {!r} from {}: {}{}", username, address, exc,
                       f" (now waits {wait_s} s)" if wait_s else "")
        return None
    d.throttle.succeeded(username, address)
    return user


def _logged_in(request: Request, d: Desk, user: User, address: str) -> Response:
    cookie, _session = d.sessions.create(user)
    logger.info("console: {} ({}) logged in from {}", user.name, user.role.value, address)
    response = RedirectResponse("/", status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, cookie, max_age=d.sessions.max_age_s)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, session: Session = Depends(require(Role.VIEWER))) -> Response:
    desk(request).sessions.revoke(session.sid)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _throttled(request: Request, wait_s: int) -> Response:
    response = _login_page(request, f"Too many login attempts: try again in {wait_s} s.", 429)
    response.headers["Retry-After"] = str(wait_s)
    return response


def _login_page(request: Request, message: str, status: int) -> Response:
    token = secrets.token_urlsafe(24)
    response = desk(request).templates.TemplateResponse(
        request, "login.html", {"csrf": token, "error": message}, status_code=status
    )
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=1800)
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str,
                *, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                        samesite="strict", secure=desk(request).console.cookie_secure)
