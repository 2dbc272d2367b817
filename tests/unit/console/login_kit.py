"""Helpers for the login tests: one try at the form, a hasher that counts, comparable replies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import httpx
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

WRONG = "not the password at all"
TOKEN = re.compile(r'name="csrf" value="[^"]+"|desk_login_csrf=[^;]+')
# Headers that differ between any two replies: the date, and the cookie's fresh token.
VARYING = {"date", "set-cookie"}


def try_login(client: TestClient | httpx.Client, name: str, password: str = WRONG,
              headers: dict[str, str] | None = None) -> httpx.Response:
    """One login through the form, as a browser would: fetch it, post it."""
    form = client.get("/login", headers=headers)
    token = form.cookies.get("desk_login_csrf") or client.cookies.get("desk_login_csrf", "")
    return client.post("/login", data={"username": name, "password": password, "csrf": token},
                       headers=headers, follow_redirects=False)


@dataclass(frozen=True)
class Reply:
    """What an observer of a login reply can compare, minus the fresh CSRF token."""

    status: int
    body: str
    headers: tuple[tuple[str, str], ...]
    cookie: str


def observed(response: httpx.Response) -> Reply:
    headers = tuple(sorted((k, v) for k, v in response.headers.items() if k not in VARYING))
    cookie = TOKEN.sub("TOKEN", response.headers.get("set-cookie", ""))
    return Reply(response.status_code, TOKEN.sub("TOKEN", response.text), headers, cookie)


class CountingHasher(PasswordHasher):
    """A real argon2 hasher that counts verifications (so a test sees the hash ran)."""

    def __init__(self, **params: int) -> None:
        super().__init__(**params)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)
