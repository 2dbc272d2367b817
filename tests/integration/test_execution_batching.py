"""One step's children, one batch of gateway events, one minute of the simulated broker:
each written in a few round trips however many orders or trades it holds, and never
weaker than one at a time (records before sends, trades once, all or nothing)."""

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.connection import AbstractConnection

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="batching-vnpy-")))

from bus import streams  # noqa: E402
from execution.approval.lifecycle import Action  # noqa: E402
from execution.approval.queue import OrderQueue  # noqa: E402
from execution.gateway.sim import accounts  # noqa: E402
from execution.gateway.sim.gateway import SimGateway  # noqa: E402
from execution.gateway.sim.models import StockPosition  # noqa: E402
from execution.ledger import Ledger  # noqa: E402
from execution.worker.children import ChildOrder, ChildState  # noqa: E402
from execution.worker.fills import FillBook, Trade  # noqa: E402
from execution.worker.keys import FILL_JOURNAL, VT_ORDERS  # noqa: E402
from marketdata.clock import FixedClock  # noqa: E402
from orders.order import OrderState  # noqa: E402
from tests.unit.execution import simkit  # noqa: E402
from tests.unit.execution.deskkit import (  # noqa: E402
    DAY,
    STOCK,
    SimDay,
    approve,
    at,
    make_order,
    sim_day,
)

pytestmark = pytest.mark.integration


class Crash(BaseException):
    """The process dies here (not an error the desk could handle)."""


def waiting_parents(day: SimDay, count: int) -> list[str]:
    """`count` approved buys taken on before the open: the first step after 9:30 decides
    a child for each, all in that one step."""
    day.run(dtime(9, 29, 40))
    ids = [f"b{i}" for i in range(count)]
    for order_id in ids:
        day.desk.parents.work(approve(day.queue, make_order(order_id, 20_000)))
    assert not day.broker_orders()
    day.clock.set(at(dtime(9, 30, 5)))
    day.desk.catch_up()  # the events in flight, without letting the parents decide yet
    assert not day.broker_orders()
    return ids


@contextmanager
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Packets sent to Redis inside the block (a pipeline is one)."""
    count = [0]
    original = AbstractConnection.send_packed_command

    def send(conn: AbstractConnection, command: Any, check_health: bool = True) -> None:
        count[0] += 1
        original(conn, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", send)
    yield count
    monkeypatch.setattr(AbstractConnection, "send_packed_command", original)


def test_a_steps_children_are_all_recorded_before_the_first_is_sent(
    redis_client: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorded_at_first_send: list[list[str]] = []
    sent = SimGateway.send_order

    def arrive(gateway: SimGateway, req: Any) -> str:
        if not recorded_at_first_send:
            refs = [f"b{i}#1" for i in range(4)]
            raws = redis_client.mget([streams.CHILD.format(reference=r) for r in refs])
            recorded_at_first_send.append([ChildOrder.model_validate_json(r).state.value
                                           for r in raws if r])
        return sent(gateway, req)

    monkeypatch.setattr(SimGateway, "send_order", arrive)
    with sim_day(redis_client, tmp_path) as day:
        ids = waiting_parents(day, 4)
        day.desk.parents.advance_all(day.clock.now())
        assert recorded_at_first_send == [["recorded"] * 4]
        assert sorted(o.reference for o in day.broker_orders()) == [f"{i}#1" for i in ids]
        day.settle()
        assert all(c.state is ChildState.WORKING and c.vt_orderid
                   for c in day.desk.book.by_ref.values())
        linked = redis_client.hgetall(VT_ORDERS.format(trade_date=DAY.isoformat()))
        assert sorted(linked.values()) == [f"{i}#1" for i in ids]


def test_a_crash_between_a_steps_records_and_its_sends_leaves_them_lost(
    redis_client: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with sim_day(redis_client, tmp_path) as day:
        ids = waiting_parents(day, 3)

        def crash(request: Any, gateway: str) -> str:
            raise Crash

        monkeypatch.setattr(day.desk.bridge, "send_order", crash)
        with pytest.raises(Crash):
            day.desk.parents.advance_all(day.clock.now())
        day.desk.stop()
        assert not day.broker_orders()
        day.desk = day.new_desk()  # a new process: memory empty, Redis and broker remain
        day.desk.start()
        for order_id in ids:
            first = day.desk.book.store.get(f"{order_id}#1")
            assert first is not None and first.state is ChildState.LOST
        day.run(dtime(10, 35))
        references = [o.reference for o in day.broker_orders()]
        assert not {f"{i}#1" for i in ids} & set(references)  # never re-sent
        assert len(set(references)) == len(references)
        for order_id in ids:
            final = day.queue.get(order_id)
            assert final is not None and final.state is OrderState.FILLED
        assert sum(t.volume for t in day.broker_trades()) == 3 * 20_000


def step_round_trips(client: redis.Redis, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                     parents: int) -> tuple[int, int]:
    """Round trips of one step's sends, and of applying their acknowledgements."""
    client.flushall()
    with sim_day(client, data_dir) as day:
        waiting_parents(day, parents)
        with counting(monkeypatch) as sends:
            day.desk.parents.advance_all(day.clock.now())
        events = day.desk.bridge.barrier()
        assert len(day.broker_orders()) == parents
        day.desk._refreshed = time.monotonic()  # no periodic re-read inside the count
        with counting(monkeypatch) as acknowledged:
            day.desk.step(events)
        assert all(c.state is ChildState.WORKING for c in day.desk.book.by_ref.values())
        return sends[0], acknowledged[0]


def test_a_steps_children_cost_four_round_trips_however_many(
    redis_client: redis.Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    few = step_round_trips(redis_client, tmp_path / "few", monkeypatch, 2)
    many = step_round_trips(redis_client, tmp_path / "many", monkeypatch, 6)
    # Sending: the records (1), the simulated broker's write of the orders it accepted
    # (1, `orders_together`), the links (1), the broker's first read of its cash (1);
    # before, 1 more per child at the broker, and before that 3 more per child.
    assert few[0] == 4 and many[0] == 4, (few, many)
    # Applying six acknowledgements costs what two do.
    assert many[1] == few[1], (few, many)


# ---- the fill book: a batch of trades -----------------------------------------------------
T = at(dtime(10, 0))


def working_child(order_id: str, quantity: int) -> ChildOrder:
    return ChildOrder(reference=f"{order_id}#1", order_id=order_id, slice_no=1, trade_date=DAY,
                      symbol=STOCK, side="buy", offset="none", quantity=quantity,
                      price=Decimal("10.00"), phase="continuous", gateway="SIM",
                      state=ChildState.WORKING, created_at=T, updated_at=T)


def started(client: redis.Redis, clock: FixedClock, *ids: str) -> OrderQueue:
    queue = OrderQueue(client, clock)
    for order_id in ids:
        queue.ingest(make_order(order_id, 1_000), actor="model")
        queue.apply(order_id, Action.APPROVE, actor="trader")
        queue.apply(order_id, Action.START, actor="execution")
    return queue


def trade(trade_id: str, reference: str, quantity: int) -> Trade:
    return Trade(trade_id, reference, quantity, Decimal("10.00"), Decimal("5"), "none", T)


def test_a_batch_of_trades_is_applied_once_each_in_one_transaction(
    redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FixedClock(T)
    queue = started(redis_client, clock, "p1", "p2")
    book = FillBook(redis_client, queue, clock, "paper", Decimal("100000"))
    children = {c.reference: c for c in (working_child("p1", 1_000), working_child("p2", 500))}
    batch = [trade("t1", "p1#1", 400), trade("t1", "p1#1", 400),  # a replay inside the batch
             trade("t2", "p1#1", 600), trade("t3", "p2#1", 200)]
    with counting(monkeypatch) as trips:
        done = book.apply_all(batch, children.__getitem__, sync=False)
    assert trips[0] == 2  # WATCH with the reads; MULTI/EXEC
    assert [(t.trade_id, c.filled, c.state) for t, c in done] == [
        ("t1", 400, ChildState.WORKING), ("t2", 1_000, ChildState.FILLED),
        ("t3", 200, ChildState.WORKING)]
    assert book.apply_all(batch, children.__getitem__) == []  # replayed: nothing twice
    assert book.ledger().positions[STOCK].quantity == 1_200
    assert book.ledger().cash == Decimal("100000") - Decimal("12000") - 3 * Decimal("5")
    assert redis_client.scard(streams.FILLS_APPLIED) == 3
    stored = ChildOrder.model_validate_json(redis_client.get(streams.CHILD.format(
        reference="p1#1")) or "")
    assert stored.filled == 1_000 and stored.state is ChildState.FILLED
    records = book.sync_parents(["p1", "p2"])
    assert records["p1"].filled_quantity == 1_000 and records["p1"].state is OrderState.FILLED
    assert records["p2"].filled_quantity == 200
    again = book.sync_parents(["p1", "p2"])  # a second sync counts nothing twice
    assert (again["p1"].filled_quantity, again["p2"].filled_quantity) == (1_000, 200)


def test_a_ledger_written_meanwhile_is_read_again_not_overwritten(
    redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FixedClock(T)
    queue = started(redis_client, clock, "p1")
    book = FillBook(redis_client, queue, clock, "paper", Decimal("100000"))
    book.ensure_ledger()
    pool = redis_client.connection_pool
    other = redis.Redis(connection_pool=redis.ConnectionPool(
        connection_class=pool.connection_class, **pool.connection_kwargs))
    staged = FillBook._stage
    calls = [0]

    def meanwhile(self: FillBook, *args: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1:  # another writer (a corporate booking, say) between read and EXEC
            moved = Ledger(book.account, Decimal("250000"), T)
            other.set(book.key, moved.to_json())
        return staged(self, *args)

    monkeypatch.setattr(FillBook, "_stage", meanwhile)
    child = working_child("p1", 1_000)
    done = book.apply_all([trade("t1", "p1#1", 400)], {child.reference: child}.__getitem__)
    assert calls[0] == 2 and len(done) == 1
    assert book.ledger().cash == Decimal("250000") - Decimal("4000") - Decimal("5")
    assert redis_client.scard(streams.FILLS_APPLIED) == 1
    assert redis_client.llen(FILL_JOURNAL.format(order_id="p1")) == 1
    record = queue.get("p1")
    assert record is not None and record.filled_quantity == 400
    other.close()


# ---- the simulated broker: one minute-advance --------------------------------------------
def test_a_minute_advance_is_written_all_or_nothing(
    redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch,
) -> None:
    src = simkit.source(simkit.flat_bars(STOCK, 10.0, 10_000), prev={STOCK: 10.0})
    sim = simkit.exchange(redis_client, src)
    opened = simkit.at(dtime(9, 30))
    for _ in range(3):
        sim.submit(simkit.order(sim, STOCK, "buy", 300, "10.10", opened), opened)
    cash = sim.book.cash()
    fills = accounts.apply_fill
    calls = [0]

    def dies_on_the_third(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 3:
            raise Crash
        return fills(*args, **kwargs)

    monkeypatch.setattr(accounts, "apply_fill", dies_on_the_third)
    with pytest.raises(Crash):
        sim.advance(simkit.at(dtime(9, 32)))
    assert sim.book.trades(DAY) == [] and sim.book.cursor(DAY) is None
    assert sim.book.cash() == cash and sim.book.position(STOCK) == StockPosition()
    assert redis_client.hgetall(sim.book.key(f"used:{DAY.isoformat()}")) == {}
    monkeypatch.setattr(accounts, "apply_fill", fills)
    restarted = simkit.exchange(redis_client, src)  # a new process finds the day as it was
    with counting(monkeypatch) as trips:
        update = restarted.advance(simkit.at(dtime(9, 32)))
    # 10% of 10,000 a minute: 1,000 shares taken from the first bar, the rest next minute.
    assert [t.volume for t in update.trades] == [300, 300, 300]
    # The cursor, what the minute's bars gave, the order number and the cash (read once
    # by a new process), one MULTI for the three fills and the cursor; before, 11.
    assert trips[0] == 5, trips[0]
    assert sim.book.client.hget(sim.book.key(f"used:{DAY.isoformat()}"),
                                f"{STOCK}|{simkit.at(dtime(9, 30)).isoformat()}") == "900"
    assert restarted.book.cursor(DAY) == datetime.combine(DAY, dtime(9, 32),
                                                          tzinfo=simkit.EXCHANGE_TZ)
