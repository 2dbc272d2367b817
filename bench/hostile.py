"""Hostile stream entries for the fault drill: text garbage, deep nesting, raw bytes and
schema-valid values out of the desk's domain, for every stream a service consumes.

Each generator returns raw field maps (bytes allowed), ready for a pipelined XADD.
Seeded, so a failing drill can be replayed.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

Fields = dict[str | bytes, str | bytes]
KINDS = ("garbage", "nesting", "bytes", "out_of_range")
TYPES = {"desk:batches": "batch.published", "desk:proposals": "order.proposed",
         "desk:decisions": "decision", "desk:controls": "exec.control", "desk:alerts": "alert"}


def envelope(msg_type: str, body: str | bytes, n: int, ts: str) -> Fields:
    return {"type": msg_type, "v": "1", "id": f"hostile-{n}", "source": "attacker", "ts": ts,
            "body": body}


def garbage(rng: random.Random, stream: str, n: int, ts: str) -> Fields:
    text = lambda k: "".join(rng.choices(string.printable, k=k))  # noqa: E731
    choice = rng.randrange(4)
    if choice == 0:  # no envelope at all
        return {text(rng.randint(1, 12)): text(rng.randint(0, 200))}
    if choice == 1:  # an envelope whose body is not JSON
        return envelope(TYPES[stream], text(rng.randint(1, 500)), n, ts)
    if choice == 2:  # unknown type or version
        fields = envelope(TYPES[stream], "{}", n, ts)
        fields[rng.choice(["type", "v"])] = text(rng.randint(1, 20))
        return fields
    return envelope(TYPES[stream], json.dumps(text(50)), n, ts)  # JSON, not an object


def nesting(rng: random.Random, stream: str, n: int, ts: str) -> Fields:
    depth = rng.choice([40, 1_000, 5_000, 50_000])
    body = ('{"a":' * depth + "1" + "}" * depth) if rng.random() < 0.5 else \
        ("[" * depth + "]" * depth)
    return envelope(TYPES[stream], body, n, ts)


def raw_bytes(rng: random.Random, stream: str, n: int, ts: str) -> Fields:
    junk = bytes([0xFF, 0xFE]) + rng.randbytes(rng.randint(1, 300))
    fields = envelope(TYPES[stream], '{"x": 1}', n, ts)
    fields[rng.choice(["type", "id", "source", "ts", "body"])] = junk
    if rng.random() < 0.2:
        fields[junk[:8]] = junk
    return fields


def order(day: date, n: int, **bad: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"order_id": f"X{n}", "batch_id": "BX", "trade_date":
                            day.isoformat(), "symbol": "600000.SSE", "side": "buy",
                            "quantity": 1_000, "reference_price": "10.00"}
    return {**base, **bad}


def bad_order(rng: random.Random, day: date, n: int) -> dict[str, Any]:
    """One order with one value out of the domain (the static or the day's bounds)."""
    cases: list[dict[str, Any]] = [
        {"quantity": 10**12}, {"quantity": -5}, {"quantity": 0},
        {"reference_price": "999999999.99"}, {"reference_price": "-1"},
        {"reference_price": "10.001"}, {"limit_price": "NaN"}, {"limit_price": "0"},
        {"trade_date": "1999-01-04"}, {"trade_date": "2099-01-05"},
        {"trade_date": (day + timedelta(days=30)).isoformat()},
        {"start_time": "14:00:00", "end_time": "10:00:00"},
        {"start_time": "08:00:00", "end_time": "16:00:00"},
        {"symbol": "IM2612.CFFEX", "kind": "hedge", "offset": "none", "quantity": 2,
         "reference_price": "6000.2"},
        {"symbol": "IM2612.CFFEX", "kind": "hedge", "offset": "open", "quantity": 2,
         "reference_price": "6000.1"},
        {"offset": "open"}, {"reason": "r" * 5_000}, {"order_id": "../../etc"},
    ]
    return order(day, n, **rng.choice(cases))


def out_of_range(day: date) -> Callable[[random.Random, str, int, str], Fields]:
    def make(rng: random.Random, stream: str, n: int, ts: str) -> Fields:
        msg_type, body = _out_of_range_body(rng, stream, day, n)
        return envelope(msg_type, json.dumps(body), n, ts)
    return make


def _out_of_range_body(rng: random.Random, stream: str, day: date,
                       n: int) -> tuple[str, dict[str, Any]]:
    if stream == "desk:batches":
        far = rng.choice(["2099-01-05", "1999-01-04", (day + timedelta(days=7)).isoformat()])
        if rng.random() < 0.5:  # a valid batch for a far date: must not take over current
            return "batch.published", {"batch_id": "BX", "trade_date": far, "signal_date":
                                       "1998-12-31", "orders": [order(date.fromisoformat(far),
                                                                      n)]}
        return "batch.published", {"batch_id": "BX", "trade_date": day.isoformat(),
                                   "signal_date": "2026-01-01", "orders": [bad_order(rng, day, n)]}
    if stream == "desk:proposals":
        return "order.proposed", {"order": bad_order(rng, day, n), "author": "attacker"}
    if stream == "desk:decisions":
        return "decision", rng.choice([
            {"order_id": f"ghost-{n}", "action": "approve", "user": "attacker", "version": 1},
            {"order_id": f"ghost-{n}", "action": "reject", "user": "attacker", "version": 1},
            {"order_id": f"X{n}", "action": "approve", "user": "attacker", "version": 0},
            {"order_id": f"X{n}", "action": "approve", "user": "attacker", "version": 10**12},
            {"order_id": f"X{n}", "action": "work", "user": "attacker", "version": 1},
            {"order_id": "../../etc", "action": "approve", "user": "attacker", "version": 1},
            {"order_id": f"X{n}", "action": "approve", "user": "", "version": 1},
        ])
    if stream == "desk:controls":
        if rng.random() < 0.5:  # a well-formed command for an order that does not exist
            return "exec.control", {"order_id": f"ghost-{n}", "command": "resume",
                                    "user": "attacker"}
        return "exec.halt", {"user": "attacker", "reason": "no key set", "halted": True}
    return "alert", rng.choice([{"severity": "loud", "source": "a", "title": "t"},
                                {"severity": "info", "source": "a", "title": "t" * 10_000},
                                {"severity": "info", "source": "", "title": "t"},
                                {"severity": "info", "source": "a", "title": "t", "x": 1}])


def generators(day: date) -> dict[str, Callable[[random.Random, str, int, str], Fields]]:
    return {"garbage": garbage, "nesting": nesting, "bytes": raw_bytes,
            "out_of_range": out_of_range(day)}
