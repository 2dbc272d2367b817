"""Console user accounts in Redis: argon2 password hashes, roles, lockout.

There is no default password. In paper mode the first start creates `admin` with a
generated password and prints it once (`bootstrap_admin`); otherwise accounts are
made with `desk users add`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

import redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict

from bus import streams
from errors import Refused

USER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
MIN_PASSWORD = 12
_HASHER = PasswordHasher()
# Verifying against this keeps a login for an unknown user as slow as a real one.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    VIEWER = "viewer"
    TRADER = "trader"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        order = [Role.VIEWER, Role.TRADER, Role.ADMIN]
        return order.index(self) >= order.index(needed)


class User(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    role: Role
    password_hash: str
    disabled: bool = False
    failures: int = 0
    locked_until: datetime | None = None
    created_at: datetime
    created_by: str


class UserError(ValueError, Refused):
    """A user operation refused; the message says why."""


class LoginRefused(Refused):
    """Wrong name or password, disabled, or locked. `locked` tells the throttle apart."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


class UserStore:
    def __init__(self, client: redis.Redis, *, lockout_after: int = 5,
                 lockout: timedelta = timedelta(minutes=15),
                 hasher: PasswordHasher | None = None) -> None:
        self.client = client
        # Verification reads the cost from each stored hash; `hasher` sets it for new ones.
        self.hasher = hasher or _HASHER
        self.lockout_after = lockout_after
        self.lockout = lockout

    def get(self, name: str) -> User | None:
        raw = self.client.hget(streams.USERS, name)
        return User.model_validate_json(str(raw)) if raw else None

    def list(self) -> list[User]:
        raws: dict[str, str] = self.client.hgetall(streams.USERS)  # type: ignore[assignment]
        return sorted((User.model_validate_json(r) for r in raws.values()), key=lambda u: u.name)

    def add(self, name: str, role: Role, password: str, *, by: str, at: datetime) -> User:
        if not USER_NAME.match(name):
            raise UserError(f"user name {name!r}: 2-32 of a-z 0-9 _ . -, starting with a letter")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"password for {name}: at least {MIN_PASSWORD} characters")
        user = User(name=name, role=role, password_hash=self.hasher.hash(password),
                    created_at=at, created_by=by)
        if not self.client.hsetnx(streams.USERS, name, user.model_dump_json()):
            raise UserError(f"user {name!r} already exists")
        return user

    def set_disabled(self, name: str, disabled: bool = True) -> User:
        user = self._require(name)
        return self._save(user.model_copy(update={"disabled": disabled, "failures": 0,
                                                  "locked_until": None}))

    def verify(self, name: str, password: str, now: datetime) -> User:
        """The user if the password is right; LoginRefused (saying little) otherwise."""
        user = self.get(name)
        if user is None:
            _safe_verify(_DUMMY_HASH, password)
            raise LoginRefused("invalid user name or password")
        if user.locked_until is not None and now < user.locked_until:
            raise LoginRefused("too many failed attempts: try again later", locked=True)
        if not _safe_verify(user.password_hash, password):
            self._failed(user, now)
            raise LoginRefused("invalid user name or password")
        if user.disabled:
            raise LoginRefused("account disabled")
        if user.failures or user.locked_until:
            user = self._save(user.model_copy(update={"failures": 0, "locked_until": None}))
        return user

    def _failed(self, user: User, now: datetime) -> None:
        failures = user.failures + 1
        locked = now + self.lockout if failures >= self.lockout_after else None
        self._save(user.model_copy(update={"failures": 0 if locked else failures,
                                           "locked_until": locked}))

    def _require(self, name: str) -> User:
        user = self.get(name)
        if user is None:
            raise UserError(f"no user {name!r}")
        return user

    def _save(self, user: User) -> User:
        self.client.hset(streams.USERS, user.name, user.model_dump_json())
        return user


def _safe_verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def bootstrap_admin(store: UserStore, *, paper: bool, at: datetime,
                    announce: Callable[[str], None]) -> str | None:
    """In paper mode with no accounts, create `admin` and announce its password once."""
    if not paper or store.client.hlen(streams.USERS):
        return None
    password = secrets.token_urlsafe(15)
    try:
        store.add("admin", Role.ADMIN, password, by="first-start", at=at)
    except UserError:  # another process made it first
        return None
    announce(f"console: created user 'admin' with password {password} "
             "(shown once; add named accounts with 'desk users add', then disable this one)")
    return password
