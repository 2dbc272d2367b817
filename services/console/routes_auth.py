"""Log in and out. The login form has its own CSRF token (a double-submit cookie)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from loguru import logger

from services.console.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, Session, tokens_match
from services.console.users import LoginRefused, Role
from services.console.web import desk, require

router = APIRouter()


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request, "", 200)


@router.post("/login")
def login(request: Request, username: str = Form(max_length=64),
          password: str = Form(max_length=256), csrf: str = Form("")) -> Response:
    d = desk(request)
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE), csrf):
        return _login_page(request, "The login form expired: try again.", 403)
    address = request.client.host if request.client else "unknown"
    if not d.throttle.allow(address):
        logger.warning("console: login throttled for {}", address)
        return _login_page(request, "Too many login attempts: wait a few minutes.", 429)
    try:
        user = d.users.verify(username, password, d.clock.now())
    except LoginRefused as exc:
        logger.warning("console: login refused for {!r} from {}: {}", username, address, exc)
        return _login_page(request, str(exc), 429 if exc.locked else 401)
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
