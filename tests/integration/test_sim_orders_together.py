"""The simulated broker's batch of orders (`SimGateway.orders_together`): one write for a
step's orders, acknowledgements only once it is written, and nothing kept that the desk
never heard was accepted (a crash inside), as a real broker's unconfirmed requests."""

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.connection import AbstractConnection

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="together-vnpy-")))

from vnpy.trader.constant import Direction, Exchange, Offset, OrderType, Status  # noqa: E402
from vnpy.trader.event import EVENT_ORDER  # noqa: E402
from vnpy.trader.object import OrderRequest  # noqa: E402

from execution.config import ExecutionConfig  # noqa: E402
from execution.engine.bridge import VnpyBridge  # noqa: E402
from execution.gateway.sim import changes  # noqa: E402
from execution.gateway.sim.gateway import SimDeps, SimGateway  # noqa: E402
from execution.gateway.sim.scenario import scenario  # noqa: E402
from marketdata.clock import FixedClock  # noqa: E402
from tests.unit.execution.deskkit import DAY, DEFAULT_TAPE, at  # noqa: E402

pytestmark = pytest.mark.integration


class Crash(BaseException):
    """The process dies here."""


@contextmanager
def broker(client: redis.Redis, tmp_path: Path, name: str = "a") -> Iterator[tuple[Any, Any]]:
    """A MainEngine with the simulated broker connected at 10:00 (a new process each)."""
    cfg = ExecutionConfig()
    clock = FixedClock(at(dtime(10, 0)))
    bridge = VnpyBridge(tmp_path / name)
    try:
        gateway = bridge.add_gateway(SimGateway, "SIM")
        gateway.bind(SimDeps(client, clock, scenario(DAY, DEFAULT_TAPE), cfg.sim,
                             cfg.initial_cash, auto_match=False))
        bridge.connect("SIM", {"account": "together"})
        gateway.advance()
        bridge.barrier()
        yield bridge, gateway
    finally:
        bridge.close()


def send(bridge: Any, reference: str, price: str = "9.90") -> str:
    return bridge.send_order(OrderRequest(
        symbol="600000", exchange=Exchange.SSE, direction=Direction.LONG, type=OrderType.LIMIT,
        volume=200, price=float(price), offset=Offset.NONE, reference=reference), "SIM")


def acknowledged(bridge: Any) -> list[str]:
    return [e.data.reference for e in bridge.barrier()
            if e.type == EVENT_ORDER and e.data.status is Status.NOTTRADED]


def stored(gateway: Any) -> list[str]:
    return [o.reference for o in gateway.exchange.book.orders(DAY)]


def test_a_batch_is_one_write_and_acknowledged_only_once_written(
    redis_client: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with broker(redis_client, tmp_path) as (bridge, gateway):
        send(bridge, "warm")  # the broker's first reads (cash, order number)
        bridge.barrier()
        writes = [0]
        original = AbstractConnection.send_packed_command

        def counted(conn: AbstractConnection, command: Any, check_health: bool = True) -> None:
            writes[0] += 1
            original(conn, command, check_health)

        monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
        with gateway.orders_together():
            ids = [send(bridge, f"r{i}") for i in range(5)]
            assert writes[0] == 0 and acknowledged(bridge) == []  # nothing yet, not a word
        assert writes[0] == 1  # the five orders, their number, in one transaction
        monkeypatch.setattr(AbstractConnection, "send_packed_command", original)
        assert acknowledged(bridge) == [f"r{i}" for i in range(5)]
        assert stored(gateway) == ["warm", *(f"r{i}" for i in range(5))]
        assert len(set(ids)) == 5
    with broker(redis_client, tmp_path, "b") as (_, again):  # a restart finds them all
        assert stored(again) == ["warm", *(f"r{i}" for i in range(5))]
        assert len(again.exchange.active) == 6


def test_a_crash_inside_keeps_nothing_and_numbers_are_not_reused(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    with broker(redis_client, tmp_path) as (bridge, gateway):
        send(bridge, "kept")
        bridge.barrier()
        free = gateway.exchange.available_cash()
        with pytest.raises(Crash), gateway.orders_together():
            send(bridge, "lost1")
            send(bridge, "lost2")
            raise Crash
        assert acknowledged(bridge) == [] and stored(gateway) == ["kept"]
        # What memory had taken for the lost orders is read again from Redis.
        assert gateway.exchange.available_cash() == free
        assert len(gateway.exchange.active) == 1
    with broker(redis_client, tmp_path, "b") as (bridge, again):
        vt_orderid = send(bridge, "after")
        assert acknowledged(bridge) == ["after"]
        assert stored(again) == ["kept", "after"]
        orderids = [o.orderid for o in again.exchange.book.orders(DAY)]
        assert len(set(orderids)) == 2 and vt_orderid == f"SIM.{orderids[-1]}"


def test_an_error_inside_keeps_and_acknowledges_what_was_accepted_before_it(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    with broker(redis_client, tmp_path) as (bridge, gateway):
        with pytest.raises(ValueError, match="upstream"), gateway.orders_together():
            send(bridge, "one")
            send(bridge, "two")
            raise ValueError("upstream bug")
        assert acknowledged(bridge) == ["one", "two"]
        assert stored(gateway) == ["one", "two"]


def test_a_failed_write_acknowledges_nothing_and_memory_follows_redis(
    redis_client: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with broker(redis_client, tmp_path) as (bridge, gateway):
        send(bridge, "kept")
        bridge.barrier()
        free = gateway.exchange.available_cash()

        def refused(self: changes.Changes, pipe: Any) -> None:
            raise redis.ConnectionError("Redis went away")

        monkeypatch.setattr(changes.Changes, "write", refused)
        with pytest.raises(redis.ConnectionError), gateway.orders_together():
            send(bridge, "lost")
        monkeypatch.undo()
        assert acknowledged(bridge) == [] and stored(gateway) == ["kept"]
        assert gateway.exchange.available_cash() == free
        send(bridge, "next")  # the broker goes on from what Redis holds
        assert acknowledged(bridge) == ["next"]
        assert stored(gateway) == ["kept", "next"]


def test_the_matcher_waits_for_a_batch_to_be_written(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    with broker(redis_client, tmp_path) as (bridge, gateway):
        matched = threading.Event()

        def match() -> None:
            gateway.advance()
            matched.set()

        with gateway.orders_together():
            send(bridge, "r1")
            matcher = threading.Thread(target=match)
            matcher.start()
            assert not matched.wait(0.2)  # it would push events of an unwritten batch
        matcher.join(5)
        assert matched.is_set() and stored(gateway) == ["r1"]


def test_a_submit_reads_no_position_from_redis_and_margin_stays_summed(
    redis_client: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with broker(redis_client, tmp_path) as (bridge, gateway):
        send(bridge, "warm")
        bridge.barrier()
        reads: list[Any] = []
        original = redis.Redis.hgetall

        def hgetall(self: redis.Redis, name: Any) -> Any:
            reads.append(name)
            return original(self, name)

        monkeypatch.setattr(redis.Redis, "hgetall", hgetall)
        with gateway.orders_together():
            for i in range(3):
                send(bridge, f"r{i}")
        assert reads == []
        book = gateway.exchange.book
        assert book.margin() == Decimal(0)
        assert gateway.exchange.available_cash() == book.cash() - gateway.exchange.active.frozen
