"""The simulated broker: what it accepts, refuses, fills, charges and remembers."""

from datetime import time, timedelta
from decimal import Decimal

import redis

from execution.gateway.sim.models import FuturePosition, StockPosition
from tests.unit.execution.simkit import DAY, at, exchange, flat_bars, order, source

STOCK = "600000.SSE"
STAR = "688001.SSE"
IM = "IM2612.CFFEX"


def stock_source() -> object:
    return source(flat_bars(STOCK, 10.0, 10_000), flat_bars(STAR, 20.0, 10_000),
                  prev={STOCK: 10.0, STAR: 20.0})


def test_buy_fills_in_parts_at_the_participation_limit(redis_client: redis.Redis) -> None:
    sim = exchange(redis_client, stock_source())
    placed = sim.submit(order(sim, STOCK, "buy", 2_500, "10.10", at(time(9, 30))), at(time(9, 30)))
    assert placed.status == "NOTTRADED" and placed.frozen_cash > Decimal("25250")
    update = sim.advance(at(time(9, 33)))  # three complete bars, 10% of 10,000 each
    assert [t.volume for t in update.trades] == [1_000, 1_000, 500]
    assert update.orders[-1].status == "ALLTRADED"
    position = sim.book.position(STOCK)
    assert isinstance(position, StockPosition)
    assert (position.quantity, position.sellable) == (2_500, 0)  # T+1
    fees = sum(t.fees for t in update.trades)
    assert sim.book.cash() == Decimal("1000000") - Decimal("10.00") * 2_500 - fees


def test_refusals_name_the_rule(redis_client: redis.Redis) -> None:
    sim = exchange(redis_client, stock_source(), cash="5000")
    now = at(time(10, 0))
    cases = {
        ("buy", 150, "10.00", STOCK): "whole lots",
        ("buy", 100, "11.01", STOCK): "limit-up",
        ("buy", 100, "10.005", STOCK): "tick",
        ("buy", 150, "20.00", STAR): "at least 200",
        ("sell", 100, "10.00", STOCK): "sellable",
        ("buy", 1_000, "10.00", STOCK): "not enough cash",
    }
    for (side, volume, price, symbol), words in cases.items():
        refused = sim.submit(order(sim, symbol, side, volume, price, now), now)
        assert refused.status == "REJECTED" and words in refused.reason, refused.reason
    lunch = sim.submit(order(sim, STOCK, "buy", 100, "10.00", at(time(12, 0))), at(time(12, 0)))
    assert lunch.status == "REJECTED" and "lunch" in lunch.reason


def test_cancel_releases_cash_and_is_refused_in_the_closing_auction(
    redis_client: redis.Redis,
) -> None:
    sim = exchange(redis_client, stock_source())
    resting = sim.submit(order(sim, STOCK, "buy", 100, "9.00", at(time(10, 0))), at(time(10, 0)))
    before = sim.available_cash()
    ended, _ = sim.cancel(resting.orderid, at(time(10, 1)))
    assert ended is not None and ended.status == "CANCELLED"
    assert sim.available_cash() == before + resting.frozen_cash
    late = sim.submit(order(sim, STOCK, "buy", 100, "9.00", at(time(14, 50))), at(time(14, 50)))
    refused, why = sim.cancel(late.orderid, at(time(14, 58)))
    assert refused is None and "closing_auction" in why


def test_next_day_shares_are_sellable_and_stamp_duty_is_charged(
    redis_client: redis.Redis,
) -> None:
    sim = exchange(redis_client, stock_source())
    sim.submit(order(sim, STOCK, "buy", 1_000, "10.10", at(time(9, 30))), at(time(9, 30)))
    sim.advance(at(time(9, 32)))
    same_day = sim.submit(order(sim, STOCK, "sell", 100, "9.90", at(time(9, 40))), at(time(9, 40)))
    assert same_day.status == "REJECTED"
    next_day = DAY + timedelta(days=1)
    src = source(flat_bars(STOCK, 10.0, 10_000, day=next_day), prev={STOCK: 10.0}, day=next_day)
    tomorrow = exchange(redis_client, src, day=next_day)
    sell = order(tomorrow, STOCK, "sell", 1_000, "9.90", at(time(9, 30), next_day))
    assert tomorrow.submit(sell, sell.created_at).status == "NOTTRADED"
    trades = tomorrow.advance(at(time(9, 31), next_day)).trades
    assert trades[0].fees >= Decimal("5.00") + Decimal("5.00")  # min commission + 0.05% stamp


def test_limit_locked_bar_gives_buyers_nothing(redis_client: redis.Redis) -> None:
    locked = flat_bars(STOCK, 11.0, 50_000, spread=0.0)
    sim = exchange(redis_client, source(locked, prev={STOCK: 10.0}))
    sim.submit(order(sim, STOCK, "buy", 100, "11.00", at(time(9, 30))), at(time(9, 30)))
    assert sim.advance(at(time(10, 0))).trades == []


def test_closing_auction_then_everything_expires(redis_client: redis.Redis) -> None:
    sim = exchange(redis_client, stock_source())
    auction = sim.submit(order(sim, STOCK, "buy", 300, "10.05", at(time(14, 58))), at(time(14, 58)))
    resting = sim.submit(order(sim, STOCK, "buy", 300, "9.00", at(time(14, 0))), at(time(14, 0)))
    update = sim.advance(at(time(15, 0)))
    assert [(t.orderid, t.price) for t in update.trades] == [(auction.orderid, Decimal("10.00"))]
    final = {o.orderid: o.status for o in update.orders}
    assert final[resting.orderid] == "CANCELLED" and not sim.active


def test_restart_resumes_from_the_last_matched_bar(redis_client: redis.Redis) -> None:
    src = stock_source()
    sim = exchange(redis_client, src)
    sim.submit(order(sim, STOCK, "buy", 5_000, "10.10", at(time(9, 30))), at(time(9, 30)))
    first = sim.advance(at(time(9, 32)))
    again = exchange(redis_client, src)  # a new process: state comes from Redis
    assert list(again.active) == [first.orders[-1].orderid]
    later = again.advance(at(time(9, 34)))
    assert [t.at.time() for t in later.trades] == [time(9, 33), time(9, 34)]
    assert sum(t.volume for t in again.book.trades(DAY)) == 4_000


def test_futures_margin_offsets_and_close_today_fee(redis_client: redis.Redis) -> None:
    src = source(flat_bars(IM, 6000.0, 2_000, spread=2.0), prev={IM: 6000.0})
    sim = exchange(redis_client, src, cash="5000000")
    now = at(time(9, 31))
    no_offset = sim.submit(order(sim, IM, "sell", 2, "6000.0", now), now)
    assert no_offset.status == "REJECTED" and "offset" in no_offset.reason
    too_big = sim.submit(order(sim, IM, "sell", 21, "6000.0", now, offset="open"), now)
    assert too_big.status == "REJECTED" and "maximum" in too_big.reason
    sim.submit(order(sim, IM, "sell", 5, "5999.0", now, offset="open"), now)
    sim.advance(at(time(9, 33)))
    short = sim.book.position(IM)
    assert isinstance(short, FuturePosition) and (short.short, short.short_today) == (5, 5)
    assert short.margin == Decimal("6000.0") * 200 * 5 * Decimal("0.14")
    over = sim.submit(order(sim, IM, "buy", 6, "6002.0", now, offset="close"), at(time(9, 40)))
    assert over.status == "REJECTED" and "only 5 short" in over.reason
    sim.submit(order(sim, IM, "buy", 5, "6002.0", at(time(9, 40)), offset="close"),
               at(time(9, 40)))
    trade = sim.advance(at(time(9, 42))).trades[0]
    # close-today rate 0.023% since 2023-03-20
    assert trade.fees == (Decimal("6000.0") * 200 * 5 * Decimal("0.00023")).quantize(
        Decimal("0.01"))
    assert sim.book.position(IM).short == 0  # type: ignore[union-attr]
