"""Each service's Redis user is refused, by the real Redis, the writes it must never make
(docs/bus.md "Redis users"); and the production ACL file holds the same rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from services import redis_acl
from services.redis_server import EmbeddedRedis

ROOT = Path(__file__).resolve().parents[2]
Write = Callable[[redis.Redis], object]

# The stream that once carried orders to work: no service may write it any more.
FORGE_WORK: Write = lambda c: c.xadd("desk:exec", {"type": "exec.work", "body": "{}"})  # noqa: E731
FORGE_CONTROL: Write = lambda c: c.xadd("desk:controls", {"type": "exec.halt"})  # noqa: E731
FORGE_DECISION: Write = lambda c: c.xadd("desk:decisions", {"type": "decision"})  # noqa: E731
FORGE_ORDER: Write = lambda c: c.set("desk:order:x", "{}")  # noqa: E731
FORGE_BATCH: Write = lambda c: c.xadd("desk:batches", {"type": "batch.published"})  # noqa: E731
FORGE_PROPOSAL: Write = lambda c: c.xadd("desk:proposals", {"type": "order.proposed"})  # noqa: E731
FORGE_FILL: Write = lambda c: c.sadd("desk:fills:applied", "t1")  # noqa: E731
SIM_BROKER: Write = lambda c: c.hset("desk:sim:paper:cash", "cash", "1e12")  # noqa: E731
HALT: Write = lambda c: c.set("desk:halt", "x")  # noqa: E731
USERS: Write = lambda c: c.hset("desk:users", "mallory", "{}")  # noqa: E731
LEDGER: Write = lambda c: c.set("desk:ledger:paper", "{}")  # noqa: E731
FLUSH: Write = lambda c: c.flushall()  # noqa: E731
CONFIG: Write = lambda c: c.config_set("dir", "/tmp")  # noqa: E731
ACL: Write = lambda c: c.acl_setuser("x", enabled=True)  # noqa: E731

FORBIDDEN: dict[str, list[Write]] = {
    "alerts": [FORGE_WORK, FORGE_CONTROL, FORGE_DECISION, FORGE_ORDER, FORGE_BATCH,
               FORGE_PROPOSAL, FORGE_FILL, LEDGER, USERS],
    "risk": [FORGE_WORK, FORGE_CONTROL, FORGE_DECISION, FORGE_BATCH, FORGE_FILL, SIM_BROKER,
             USERS],
    "scheduler": [FORGE_WORK, FORGE_CONTROL, FORGE_DECISION, FORGE_PROPOSAL, FORGE_FILL, USERS],
    "console": [FORGE_WORK, FORGE_FILL, SIM_BROKER],
    "execution": [FORGE_WORK, USERS],
    "reader": [FORGE_WORK, FORGE_CONTROL, FORGE_DECISION, FORGE_ORDER, HALT, LEDGER],
}
ALLOWED: dict[str, Write] = {  # the same user's own work, so a refusal above means something
    "alerts": lambda c: c.xadd("desk:dlq", {"reason": "test"}),
    "risk": lambda c: c.xadd("desk:proposals", {"type": "order.proposed"}),
    "scheduler": lambda c: c.xadd("desk:batches", {"type": "batch.published"}),
    "console": lambda c: c.xadd("desk:controls", {"type": "exec.halt"}),
    "execution": lambda c: c.xadd("desk:events", {"type": "fill"}),
    "reader": lambda c: c.xlen("desk:controls"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    embedded = EmbeddedRedis(tmp_path_factory.mktemp("acl"), acl=True)
    embedded.start()
    yield embedded
    embedded.stop()


@pytest.mark.parametrize("user", sorted(FORBIDDEN))
def test_a_service_is_refused_what_it_must_never_write(server: EmbeddedRedis, user: str) -> None:
    client = server.client(user)
    ALLOWED[user](client)
    for write in FORBIDDEN[user]:
        with pytest.raises(redis.exceptions.NoPermissionError):
            write(client)
    if user != "reader":
        for admin_only in (FLUSH, CONFIG, ACL):
            with pytest.raises(redis.exceptions.NoPermissionError):
                admin_only(client)


def test_nobody_gets_in_without_a_password(server: EmbeddedRedis) -> None:
    anonymous = redis.Redis(unix_socket_path=str(server.socket))
    with pytest.raises(redis.exceptions.AuthenticationError):
        anonymous.set("desk:halt", "x")
    wrong = redis.Redis(unix_socket_path=str(server.socket), username="console", password="x")
    with pytest.raises(redis.exceptions.AuthenticationError):
        wrong.ping()


def test_passwords_are_kept_and_never_in_the_acl_file(server: EmbeddedRedis) -> None:
    passwords = redis_acl.load_or_create_passwords(server.secrets)
    acl_text = server.aclfile.read_text(encoding="utf-8")
    assert set(passwords) == set(redis_acl.all_users())
    assert not any(p in acl_text for p in passwords.values())
    assert redis_acl.load_or_create_passwords(server.secrets) == passwords  # stable


def test_the_production_acl_file_has_the_same_rules() -> None:
    shipped = (ROOT / "deploy" / "users.acl").read_text(encoding="utf-8")
    rules = {line.split()[1]: line.split()[4:] for line in shipped.splitlines()
             if line.startswith("user ") and line.split()[1] != "default"}
    assert set(rules) == set(redis_acl.all_users())
    for name, words in rules.items():
        assert tuple(w for w in words if w != "resetchannels") == redis_acl.user_rules(name)
