"""Console user accounts in Redis: argon2 password hashes and roles.

Failed logins are not counted here but by the login throttle (`throttle.py`), per
name typed and client address, so no one can lock an account from elsewhere.
There is no default password. In paper mode the first start creates `admin` with a
generated password and prints it once (`bootstrap_admin`); otherwise accounts are
made with `desk users add`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any

import redis
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, model_validator

from bus import streams
from errors import Refused

USER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
MIN_PASSWORD = 12
_HASHER = PasswordHasher()
# Accounts written before the login throttle carried their own lockout; it is ignored.
_LEGACY_FIELDS = ("failures", "locked_until")


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
    created_at: datetime
    created_by: str

    @model_validator(mode="before")
    @classmethod
    def _drop_legacy_lockout(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in _LEGACY_FIELDS}
        return data


class UserError(ValueError, Refused):
    """A user operation refused; the message says why."""


class LoginRefused(Refused):
    """Wrong name or password, or disabled; the message is for the log, not the reply."""


class UserStore:
    def __init__(self, client: redis.Redis, *, hasher: PasswordHasher | None = None) -> None:
        self.client = client
        # Verification reads the cost from each stored hash; `hasher` sets it for new
        # ones and for the dummy hash that unknown names are checked against.
        self.hasher = hasher or _HASHER
        # Made now, not at the first unknown name, which would then take twice as long.
        self._dummy_hash = _dummy_hash(_cost(self.hasher))

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
        return self._save(user.model_copy(update={"disabled": disabled}))

    def verify(self, name: str, password: str) -> User:
        """The user if the password is right; LoginRefused otherwise.

        A name without an account is checked against a dummy hash of the same cost, so
        both take as long and do the same work.
        """
        user = self.get(name)
        if user is None:
            self.check_dummy(password)
            raise LoginRefused("unknown user name")
        if not self._matches(user.password_hash, password):
            raise LoginRefused("wrong password")
        if user.disabled:
            raise LoginRefused("account disabled")
        return user

    def check_dummy(self, password: str) -> None:
        """Spend one password check on nobody: a refusal costs what a check costs."""
        self._matches(self._dummy_hash, password)

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _require(self, name: str) -> User:
        user = self.get(name)
        if user is None:
            raise UserError(f"no user {name!r}")
        return user

    def _save(self, user: User) -> User:
        self.client.hset(streams.USERS, user.name, user.model_dump_json())
        return user


_Cost = tuple[int, int, int, int, int, Type]


def _cost(hasher: PasswordHasher) -> _Cost:
    return (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len,
            hasher.salt_len, hasher.type)


@cache
def _dummy_hash(cost: _Cost) -> str:
    """A hash of a random password at this cost, made once per cost and process."""
    time_cost, memory_cost, parallelism, hash_len, salt_len, kind = cost
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                            parallelism=parallelism, hash_len=hash_len, salt_len=salt_len,
                            type=kind)
    return hasher.hash(secrets.token_urlsafe(16))


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
