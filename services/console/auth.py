"""Sessions, CSRF tokens and the cookie-signing secret (the login throttle: throttle.py).

A session is a random id kept in Redis with a TTL; the cookie carries that id signed
with the console's secret (itsdangerous), HttpOnly, SameSite=Strict and with an
expiry. Logging out or disabling the user ends it at once. Each session has its own
CSRF token, required on every request that changes state.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import redis
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bus import streams
from services.console.throttle import LoginThrottle as LoginThrottle  # web.py's import
from services.console.users import Role, User

SESSION_COOKIE = "desk_session"
LOGIN_CSRF_COOKIE = "desk_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"
SESSION_KEY = f"{streams.PREFIX}:console:session:{{sid}}"


@dataclass(frozen=True)
class Session:
    sid: str
    user: str
    role: Role
    csrf: str


class SessionStore:
    def __init__(self, client: redis.Redis, secret: bytes, minutes: int) -> None:
        self.client = client
        self.max_age_s = minutes * 60
        self._signer = URLSafeTimedSerializer(secret, salt="desk-console-session")

    def create(self, user: User) -> tuple[str, Session]:
        """A new session for `user`; returns the cookie value and the session."""
        session = Session(secrets.token_urlsafe(24), user.name, user.role,
                          secrets.token_urlsafe(24))
        body = json.dumps({"user": session.user, "role": session.role.value, "csrf": session.csrf})
        self.client.set(SESSION_KEY.format(sid=session.sid), body, ex=self.max_age_s)
        return self._signer.dumps(session.sid), session

    def load(self, cookie: str | None) -> Session | None:
        """The live session a cookie names, or None (unsigned, forged, expired, revoked)."""
        if not cookie:
            return None
        try:
            sid = str(self._signer.loads(cookie, max_age=self.max_age_s))
        except BadSignature:  # includes SignatureExpired
            return None
        raw = self.client.get(SESSION_KEY.format(sid=sid))
        if not raw:
            return None
        data = json.loads(str(raw))
        return Session(sid, data["user"], Role(data["role"]), data["csrf"])

    def revoke(self, sid: str) -> None:
        self.client.delete(SESSION_KEY.format(sid=sid))


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def load_secret(env_name: str, data_dir: Path) -> bytes:
    """The cookie-signing secret: from the environment, else a file made once (0600)."""
    from_env = os.environ.get(env_name)
    if from_env:
        if len(from_env) < 32:
            raise ValueError(f"environment variable {env_name}: secret needs 32+ characters")
        return from_env.encode()
    path = data_dir / "console" / "secret"
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
    return value
