"""Accounts, argon2 hashes, sessions and the secret (the throttle: test_login_throttle.py)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import redis
from itsdangerous import URLSafeTimedSerializer

from bus import streams
from marketdata.clock import FixedClock
from services.console.auth import SessionStore, load_secret
from services.console.users import LoginRefused, Role, UserError, UserStore, bootstrap_admin

PASSWORD = "correct horse battery staple"


def test_passwords_are_argon2_hashes(redis_client: redis.Redis, clock: FixedClock) -> None:
    UserStore(redis_client).add("alice", Role.TRADER, PASSWORD, by="t", at=clock.now())
    raw = str(redis_client.hget(streams.USERS, "alice"))
    assert PASSWORD not in raw and "$argon2id$" in raw


def test_bad_names_short_passwords_and_duplicates_are_refused(redis_client: redis.Redis,
                                                              clock: FixedClock) -> None:
    store = UserStore(redis_client)
    with pytest.raises(UserError, match="user name"):
        store.add("Bad Name", Role.VIEWER, PASSWORD, by="t", at=clock.now())
    with pytest.raises(UserError, match="at least 12"):
        store.add("bob", Role.VIEWER, "short", by="t", at=clock.now())
    store.add("bob", Role.VIEWER, PASSWORD, by="t", at=clock.now())
    with pytest.raises(UserError, match="already exists"):
        store.add("bob", Role.ADMIN, PASSWORD, by="t", at=clock.now())


def test_accounts_from_before_the_throttle_still_load(redis_client: redis.Redis,
                                                      clock: FixedClock) -> None:
    store = UserStore(redis_client)
    store.add("alice", Role.TRADER, PASSWORD, by="t", at=clock.now())
    legacy = json.loads(str(redis_client.hget(streams.USERS, "alice")))
    legacy.update(failures=2, locked_until=clock.now().isoformat())  # the old lockout
    redis_client.hset(streams.USERS, "alice", json.dumps(legacy))
    assert store.verify("alice", PASSWORD).name == "alice"


def test_disabled_and_unknown_users_cannot_log_in(redis_client: redis.Redis,
                                                  clock: FixedClock) -> None:
    store = UserStore(redis_client)
    store.add("alice", Role.TRADER, PASSWORD, by="t", at=clock.now())
    store.set_disabled("alice")
    with pytest.raises(LoginRefused, match="disabled"):
        store.verify("alice", PASSWORD)
    with pytest.raises(LoginRefused, match="unknown"):
        store.verify("nobody", PASSWORD)


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.allows(Role.TRADER) and Role.TRADER.allows(Role.VIEWER)
    assert not Role.VIEWER.allows(Role.TRADER) and not Role.TRADER.allows(Role.ADMIN)


def test_paper_first_start_creates_admin_once(redis_client: redis.Redis,
                                              clock: FixedClock) -> None:
    store, said = UserStore(redis_client), []
    assert bootstrap_admin(store, paper=False, at=clock.now(), announce=said.append) is None
    password = bootstrap_admin(store, paper=True, at=clock.now(), announce=said.append)
    assert password and password in said[0] and len(said) == 1
    assert store.verify("admin", password).role is Role.ADMIN
    assert bootstrap_admin(store, paper=True, at=clock.now(), announce=said.append) is None


def test_sessions_are_signed_expiring_and_revocable(redis_client: redis.Redis,
                                                    clock: FixedClock) -> None:
    store = UserStore(redis_client)
    user = store.add("alice", Role.TRADER, PASSWORD, by="t", at=clock.now())
    sessions = SessionStore(redis_client, b"s" * 40, minutes=60)
    cookie, session = sessions.create(user)
    assert sessions.load(cookie) == session
    assert sessions.load(cookie[:-2] + "xx") is None  # tampered signature
    assert SessionStore(redis_client, b"t" * 40, minutes=60).load(cookie) is None  # other key
    forged = URLSafeTimedSerializer(b"s" * 40, salt="desk-console-session").dumps("made-up")
    assert sessions.load(forged) is None  # signed, but no such session
    sessions.revoke(session.sid)
    assert sessions.load(cookie) is None


def test_secret_file_is_private_and_stable(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESK_TEST_SECRET", raising=False)
    first = load_secret("DESK_TEST_SECRET", tmp_path)
    assert first == load_secret("DESK_TEST_SECRET", tmp_path) and len(first) >= 48
    mode = stat.S_IMODE(os.stat(tmp_path / "console" / "secret").st_mode)
    assert mode == 0o600
    monkeypatch.setenv("DESK_TEST_SECRET", "short")
    with pytest.raises(ValueError, match="32"):
        load_secret("DESK_TEST_SECRET", tmp_path)
