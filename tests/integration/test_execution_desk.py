"""The execution desk with a real MainEngine, the simulated broker and a real Redis."""

import tempfile
import time
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from exchange import OrderFacts, Side, check_order  # noqa: E402
from execution.config import AlgoConfig, EndBehaviour, ExecutionConfig  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from execution.worker.children import ChildOrder, ChildState, reference_for  # noqa: E402
from orders.order import Algo, OrderState  # noqa: E402
from tests.unit.execution.deskkit import (  # noqa: E402
    DAY,
    STOCK,
    approve,
    at,
    make_order,
    sim_day,
)

pytestmark = pytest.mark.integration


def events_of(client: redis.Redis, kind: str) -> list[dict[str, str]]:
    return [f for _, f in client.xrange(streams.EVENTS) if f["type"] == kind]


def assert_never_over(orders: list, quantity: int) -> None:
    """Each child, when sent, fitted in what the earlier children had not taken."""
    taken = 0
    for order in sorted(orders, key=lambda o: int(o.orderid)):
        assert taken + order.volume <= quantity
        taken += order.traded
    assert taken <= quantity


def test_twap_parent_is_worked_to_the_lot_and_matches_the_broker(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    with sim_day(redis_client, tmp_path) as day:
        day.run(dtime(9, 31))
        record = approve(day.queue, make_order("p1", 75_050))
        day.desk.parents.work(record)
        day.run(dtime(10, 35))
        final = day.queue.get("p1")
        assert final is not None and final.filled_quantity == 75_000  # the 50 is an odd lot
        orders = day.broker_orders()
        assert len({o.reference for o in orders}) == len(orders)
        assert_never_over(orders, 75_050)
        trades = day.broker_trades()
        assert sum(t.volume for t in trades) == final.filled_quantity
        assert final.filled_value == sum(t.price * t.volume for t in trades)
        for o in orders:
            assert check_order(STOCK, "buy", o.volume, o.price, o.created_at,
                               OrderFacts(prev_close=Decimal("10.00"))) == []
        ledger = day.desk.fills.ledger()
        assert ledger.positions[STOCK].quantity == 75_000
        assert ledger.cash == day.gateway.exchange.book.cash()  # type: ignore[union-attr]
        assert len(events_of(redis_client, "fill")) == len(trades)
        assert redis_client.hget(streams.LAST_PRICES, STOCK) is not None


def test_pause_resume_and_cancel(redis_client: redis.Redis, tmp_path: Path) -> None:
    with sim_day(redis_client, tmp_path) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order("p2", 200_000, end=dtime(11, 0))))
        day.run(dtime(9, 40))
        day.desk.parents.control("p2", "pause", "trader", "news")
        day.run(dtime(9, 42))
        paused_at = day.queue.get("p2").filled_quantity  # type: ignore[union-attr]
        day.run(dtime(9, 50))
        assert day.queue.get("p2").state is OrderState.PAUSED  # type: ignore[union-attr]
        assert day.queue.get("p2").filled_quantity == paused_at  # type: ignore[union-attr]
        day.desk.parents.control("p2", "resume", "trader", "")
        day.run(dtime(9, 55))
        assert day.queue.get("p2").filled_quantity > paused_at  # type: ignore[union-attr]
        day.desk.parents.control("p2", "cancel", "trader", "enough")
        day.run(dtime(9, 57))
        final = day.queue.get("p2")
        assert final is not None and final.state is OrderState.CANCELLED
        assert "left" in final.note
        assert not any(o.active for o in day.broker_orders())


def test_halt_cancels_every_working_child_within_a_second(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    with sim_day(redis_client, tmp_path) as day:
        day.run(dtime(9, 31))
        for i in range(5):  # limits far below the market: the children rest at the broker
            order = make_order(f"h{i}", 10_000, limit="9.50")
            day.desk.parents.work(approve(day.queue, order))
        day.settle()
        assert sum(o.active for o in day.broker_orders()) == 5
        started = time.perf_counter()
        day.queue.halt(actor="ops", reason="drill")
        day.desk.parents.halt(True, "ops: drill")
        elapsed = time.perf_counter() - started
        assert not any(o.active for o in day.broker_orders())
        assert elapsed < 1.0
        day.run(dtime(9, 40))
        assert not any(o.active for o in day.broker_orders())  # nothing new while halted


def test_at_the_end_of_day_parents_are_done_and_say_what_is_left(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    cfg = ExecutionConfig(algo=AlgoConfig(end_behaviour=EndBehaviour.LEAVE))
    with sim_day(redis_client, tmp_path, cfg=cfg, start=dtime(14, 40)) as day:
        day.run(dtime(14, 41))
        order = make_order("late", 3_000_000, start=dtime(14, 40), end=dtime(15, 0))
        day.desk.parents.work(approve(day.queue, order))
        day.run(dtime(14, 58))
        final = day.queue.get("late")
        assert final is not None and final.state is OrderState.DONE_FOR_DAY
        left = 3_000_000 - final.filled_quantity
        assert left > 0 and f"{left} of 3000000 left" in final.note
        assert not any(o.active for o in day.broker_orders())


def test_a_limit_locked_stock_waits_and_says_so(redis_client: redis.Redis, tmp_path: Path) -> None:
    locked = scenario(DAY, {STOCK: DayBar(10.0, 11.0, 11.0, 11.0, 11.0, 5e6)})
    with sim_day(redis_client, tmp_path, source=locked) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order("lock", 10_000)))
        day.run(dtime(9, 50))
        assert day.broker_orders() == []
        waits = [f for f in events_of(redis_client, "order.event") if "waiting" in f["body"]]
        assert len(waits) == 1 and "locked limit-up" in waits[0]["body"]


def test_a_recorded_child_that_never_reached_the_broker_is_not_resent(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    with sim_day(redis_client, tmp_path) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order("r1", 20_000)))
        day.run(dtime(9, 35))
        # A crash between recording a child and sending it: the record exists, no order.
        slice_no = day.desk.book.store.next_slice("r1")
        ghost = ChildOrder(
            reference=reference_for("r1", slice_no), order_id="r1", slice_no=slice_no,
            trade_date=DAY, symbol=STOCK, side="buy", offset="none", quantity=5_000,
            price=Decimal("10.00"), phase="continuous", gateway="SIM",
            created_at=day.clock.now(), updated_at=day.clock.now(),
        )
        day.desk.book.store.record(ghost)
        day.desk.stop()
        day.desk = day.new_desk()  # a new process: memory empty, Redis and broker remain
        day.desk.start()
        lost = day.desk.book.store.get(ghost.reference)
        assert lost is not None and lost.state is ChildState.LOST
        day.run(dtime(10, 35))
        references = [o.reference for o in day.broker_orders()]
        assert ghost.reference not in references
        assert len(set(references)) == len(references)
        final = day.queue.get("r1")
        assert final is not None and final.state is OrderState.FILLED
        assert sum(t.volume for t in day.broker_trades()) == 20_000


def test_vwap_and_pov_parents_and_a_sell(redis_client: redis.Redis, tmp_path: Path) -> None:
    with sim_day(redis_client, tmp_path) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order("v", 30_000, algo=Algo.VWAP)))
        day.desk.parents.work(approve(day.queue, make_order("pov", 1_000_000, algo=Algo.POV)))
        day.run(dtime(10, 35))
        vwap, pov = day.queue.get("v"), day.queue.get("pov")
        assert vwap is not None and vwap.state is OrderState.FILLED
        assert pov is not None and 0 < pov.filled_quantity < 1_000_000
        market = sum(b.volume for m in day.gateway.exchange.tape.minutes()  # type: ignore[union-attr]
                     for b in day.gateway.exchange.tape.bars_at(m)  # type: ignore[union-attr]
                     if at(dtime(9, 30)) <= m < at(dtime(10, 30)))
        assert pov.filled_quantity <= market * 0.05 * 1.2  # about 5% of the market
        sell = make_order("s", 30_000, side=Side.SELL, start=dtime(9, 31))
        day.desk.parents.work(approve(day.queue, sell))
        day.run(dtime(10, 40))
        assert day.queue.get("s").filled_quantity == 0  # type: ignore[union-attr]  # T+1


def test_opening_and_closing_auctions(redis_client: redis.Redis, tmp_path: Path) -> None:
    cfg = ExecutionConfig(algo=AlgoConfig(opening_auction=True, closing_auction=True,
                                          end_behaviour=EndBehaviour.LEAVE))
    with sim_day(redis_client, tmp_path, cfg=cfg, start=dtime(9, 16)) as day:
        day.desk.parents.work(approve(day.queue, make_order("auc", 1_000_000, end=dtime(9, 40))))
        day.settle()
        first = day.broker_orders()
        assert [(o.volume, o.created_at.time()) for o in first] == [(100_000, dtime(9, 16))]
        day.run(dtime(9, 31))
        opening = [t for t in day.broker_trades() if t.orderid == first[0].orderid]
        assert opening and opening[0].at.time() == dtime(9, 31)  # the 09:30 bar's auction
        assert opening[0].price == day.gateway.exchange.tape.bars_at(  # type: ignore[union-attr]
            at(dtime(9, 30)))[0].open
        day.clock.set(at(dtime(14, 56)))
        day.run(dtime(14, 58))
        closing = [o for o in day.broker_orders() if o.created_at.time() >= dtime(14, 57)]
        assert len(closing) == 1
        day.run(dtime(15, 1))
        final = day.queue.get("auc")
        assert final is not None and final.state in (OrderState.DONE_FOR_DAY, OrderState.FILLED)
        assert not any(o.active for o in day.broker_orders())


def test_amend_stops_the_children_and_the_reapproved_parent_carries_on(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    from execution.approval.lifecycle import Action

    with sim_day(redis_client, tmp_path) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order("am", 60_000)))
        day.run(dtime(9, 40))
        day.desk.parents.control("am", "amend", "trader", "smaller")
        day.run(dtime(9, 42))
        assert day.queue.get("am").state is OrderState.PAUSED  # type: ignore[union-attr]
        assert not any(o.active for o in day.broker_orders())
        done = day.queue.get("am").filled_quantity  # type: ignore[union-attr]
        day.queue.apply("am", Action.EDIT, actor="trader", edit={"quantity": done + 5_000})
        time.sleep(1.1)  # the desk re-reads records every second
        # the editor may not release her own edit (maker-checker): a colleague approves
        day.run(dtime(9, 43))
        assert "am" not in day.desk.parents.workers  # back for approval
        day.desk.parents.work(day.queue.apply("am", Action.APPROVE, actor="checker"))
        day.run(dtime(10, 35))
        final = day.queue.get("am")
        assert final is not None and final.state is OrderState.FILLED
        assert final.filled_quantity == done + 5_000
        assert sum(t.volume for t in day.broker_trades()) == done + 5_000


def test_a_child_decided_before_the_lunch_break_is_not_sent_once_it_has_begun(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    """The service's step reads the clock once; at 60x-300x a decision taken at 11:29:59
    reaches the gateway in the break. The sender reads the clock itself and refuses."""
    with sim_day(redis_client, tmp_path, start=dtime(11, 28)) as day:
        day.run(dtime(11, 28, 50))
        day.desk.parents.work(approve(day.queue, make_order("l1", 5_000, start=dtime(11, 29),
                                                             end=dtime(11, 30))))
        assert day.broker_orders() == []  # its window has not opened yet
        day.clock.set(at(dtime(11, 30)))  # the step's clock reading is now stale
        day.desk.parents.advance_all(at(dtime(11, 29, 59)))
        assert day.broker_orders() == []
        waiting = [f["body"] for f in events_of(redis_client, "order.event")]
        assert any("continuous session ended at 11:30:00" in body for body in waiting)
        day.run(dtime(13, 5))
        assert day.broker_orders() == []  # the window ended at 11:30: nothing after lunch
