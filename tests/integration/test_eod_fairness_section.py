"""The daily report's "Shared with other accounts": two accounts' fills of one stock against
the market VWAP over the union of their parents' windows, from a store's minute bars."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import redis

from exchange import Side
from execution.approval.queue import OrderQueue
from execution.eod.facts import totals
from execution.eod.fairness import fairness_rows, shared_lines
from execution.eod.prices import ClosingPrices
from execution.eod.reconcile import Reconciliation
from execution.eod.report import DailyReport, render_html, render_text, shared_text
from execution.worker.keys import FILL_JOURNAL
from marketdata.clock import EXCHANGE_TZ, FixedClock
from marketdata.store import MarketStore
from marketdata.writer import stage_minute_bars
from orders.order import Order

pytestmark = pytest.mark.integration
DAY = date(2026, 11, 23)
SHARED, SOLD, ALONE, UNFILLED = "600000.SSE", "000001.SZSE", "600036.SSE", "601318.SSE"


def at(clock: time) -> datetime:
    return datetime.combine(DAY, clock, EXCHANGE_TZ)


def minutes(symbol: str, first: time, count: int, volume: int, price_cents: int,
            step_cents: int = 0) -> list[dict[str, Any]]:
    """`count` bars from `first`, each `volume` shares at a price rising by `step_cents`."""
    out = []
    for i in range(count):
        price = (price_cents + step_cents * (i % 7)) / 100
        out.append({"symbol": symbol, "datetime": at(first) + timedelta(minutes=i),
                    "open": price, "high": price + 0.02, "low": price - 0.02, "close": price,
                    "volume": float(volume + 100 * i), "amount": price * (volume + 100 * i)})
    return out


def exact_vwap(rows: list[dict[str, Any]], symbol: str, lo: time, hi: time) -> Decimal:
    """Σ amount / Σ volume of the minutes starting in [lo, hi), from integer cents."""
    inside = [r for r in rows if r["symbol"] == symbol
              and lo <= r["datetime"].time() < hi]
    cents = sum(round(float(r["close"]) * 100) * int(r["volume"]) for r in inside)
    volume = sum(int(r["volume"]) for r in inside)
    return Decimal(cents) / 100 / volume


def bps(price: Decimal, vwap: Decimal, side: Side) -> float:
    sign = 1 if side is Side.BUY else -1
    return round(float(sign * (price - vwap) / vwap * 10_000), 1)


def order(order_id: str, account: str, symbol: str, quantity: int, start: time, end: time,
          side: Side = Side.BUY) -> Order:
    return Order(order_id=order_id, trade_date=DAY, symbol=symbol, side=side,
                 quantity=quantity, reference_price=Decimal("10.00"), start_time=start,
                 end_time=end, account=account)


def fill(client: redis.Redis, order_id: str, *trades: tuple[int, str]) -> None:
    for number, (quantity, price) in enumerate(trades):
        entry = {"trade_id": f"{order_id}-t{number}", "quantity": quantity, "fees": "1.50",
                 "value": str(Decimal(price) * quantity)}
        client.rpush(FILL_JOURNAL.format(order_id=order_id), json.dumps(entry))


@pytest.fixture
def bars() -> list[dict[str, Any]]:
    # Whole day for the shared stock: the morning's prices around 10.0x, the afternoon's
    # at 11.00, so a VWAP over the wrong minutes is visibly off.
    rows = minutes(SHARED, time(9, 30), 120, 20_000, 1000, 1)
    rows += minutes(SHARED, time(13, 0), 120, 50_000, 1100)
    rows += minutes(SOLD, time(9, 30), 120, 8_000, 1250, 2)
    rows += minutes(SOLD, time(13, 0), 120, 8_000, 1300, 3)
    return rows


@pytest.fixture
def store(tmp_path: Path, bars: list[dict[str, Any]]) -> MarketStore:
    market = MarketStore(tmp_path / "market")
    with market.transaction() as tx:
        stage_minute_bars(tx, DAY.isoformat(), pd.DataFrame(bars))
    return market


@pytest.fixture
def queue(redis_client: redis.Redis) -> OrderQueue:
    """Accounts A (the default), B and C; A and B traded, C did not."""
    q = OrderQueue(redis_client, FixedClock(at(time(9, 0))), account="A")
    orders = [
        order("a-buy", "", SHARED, 30_000, time(9, 30), time(10, 30)),  # "" is A
        order("b-buy", "B", SHARED, 10_000, time(10, 0), time(11, 0)),
        order("a-sell", "A", SOLD, 6_000, time(13, 0), time(14, 0), Side.SELL),
        order("b-sell", "B", SOLD, 2_000, time(13, 30), time(14, 30), Side.SELL),
        order("a-alone", "A", ALONE, 5_000, time(9, 30), time(14, 55)),
        order("a-unfilled", "A", UNFILLED, 5_000, time(9, 30), time(14, 55)),
        order("b-unfilled", "B", UNFILLED, 5_000, time(9, 30), time(14, 55)),
    ]
    for o in orders:
        q.ingest(o, actor="model")
    fill(redis_client, "a-buy", (20_000, "10.03"), (10_000, "10.05"))
    fill(redis_client, "b-buy", (4_000, "10.02"), (6_000, "10.04"))
    fill(redis_client, "a-sell", (6_000, "13.05"))
    fill(redis_client, "b-sell", (1_000, "13.04"), (1_000, "13.07"))
    fill(redis_client, "a-alone", (5_000, "10.00"))
    fill(redis_client, "a-unfilled")  # no journal: B alone filled nothing either
    return q


def test_each_accounts_price_against_the_vwap_of_the_windows(
        redis_client: redis.Redis, queue: OrderQueue, store: MarketStore,
        bars: list[dict[str, Any]]) -> None:
    lines = shared_lines(redis_client, queue, store, "A", DAY)
    assert [(line.symbol, line.side) for line in lines] == [(SOLD, "sell"), (SHARED, "buy")]
    sold, bought = lines

    # Buys: the union of 09:30-10:30 and 10:00-11:00 is 09:30-11:00.
    assert bought.window_label == "09:30-11:00"
    vwap = exact_vwap(bars, SHARED, time(9, 30), time(11, 0))
    assert bought.market_vwap == vwap.quantize(Decimal("0.0001"))
    assert bought.market_volume == sum(20_000 + 100 * i for i in range(90))
    a, b = bought.accounts
    assert (a.account, a.filled, a.average_price) == ("A", 30_000, Decimal("10.0367"))
    assert (b.account, b.filled, b.average_price) == ("B", 10_000, Decimal("10.0320"))
    assert a.value == Decimal("301100.00")
    assert a.vs_vwap_bps == bps(Decimal("301100") / 30_000, vwap, Side.BUY)
    assert b.vs_vwap_bps == bps(Decimal("10.032"), vwap, Side.BUY)
    assert a.vs_vwap_bps is not None and b.vs_vwap_bps is not None
    assert a.vs_vwap_bps > b.vs_vwap_bps  # A paid more: worse for A, a larger figure
    # By hand: VWAP 10.02977..., A 10.03667 is +6.88 bps, B 10.032 is +2.22 bps.
    assert (bought.market_vwap, a.vs_vwap_bps, b.vs_vwap_bps) == (Decimal("10.0298"), 6.9, 2.2)

    # Sells: below the VWAP is worse, so a higher price reads negative.
    assert sold.window_label == "13:00-14:30"
    vwap = exact_vwap(bars, SOLD, time(13, 0), time(14, 30))
    assert sold.market_vwap == vwap.quantize(Decimal("0.0001"))
    a, b = sold.accounts
    assert a.vs_vwap_bps == bps(Decimal("13.05"), vwap, Side.SELL)
    assert b.vs_vwap_bps == bps(Decimal("13.055"), vwap, Side.SELL)
    assert b.vs_vwap_bps is not None and a.vs_vwap_bps is not None
    assert b.vs_vwap_bps < a.vs_vwap_bps

    rows = fairness_rows(lines)
    assert rows[2] == {"symbol": SHARED, "side": "buy", "account": "A", "filled": 30_000,
                       "average_price": "10.0367", "market_vwap": str(bought.market_vwap),
                       "vs_vwap_bps": bought.accounts[0].vs_vwap_bps,
                       "windows": "09:30-11:00", "market_volume": bought.market_volume,
                       "note": ""}
    json.dumps(rows)  # the EOD summary's `fairness`

    # B's report shows the same stocks, and an account that traded nothing shows none.
    assert [(x.symbol, x.accounts) for x in shared_lines(redis_client, queue, store, "B", DAY)] \
        == [(x.symbol, x.accounts) for x in lines]
    assert shared_lines(redis_client, queue, store, "C", DAY) == []


def test_the_report_shows_the_section_in_html_and_text(
        redis_client: redis.Redis, queue: OrderQueue, store: MarketStore) -> None:
    lines = shared_lines(redis_client, queue, store, "A", DAY)
    report = DailyReport(day=DAY, account="A", generated_at=at(time(15, 30)), orders=[],
                         totals=totals([]), fills=0, broker_fees=None, hedges=[], nav=None,
                         history=[], prices=ClosingPrices(), alerts=[],
                         reconciliation=Reconciliation(DAY.isoformat(), "sim"), shared=lines)
    html = render_html(report)
    table = html.split('id="shared"')[1].split("</table>")[0]
    a_buy = lines[1].accounts[0]
    assert "<h2>Shared with other accounts</h2>" in html
    assert f"<td>A</td><td class=\"num\">30,000</td><td class=\"num\">10.0367</td>" \
           f"<td class=\"num\">{a_buy.vs_vwap_bps:+.1f} bps</td>" in table
    assert table.count('class="own"') == 2 and ALONE not in table and UNFILLED not in table
    text = render_text(report)
    assert "Shared with other accounts" in text
    assert (f"  buy {SHARED} 09:30-11:00: VWAP {lines[1].market_vwap} ("
            f"{lines[1].market_volume:,} shares); A 30,000 at 10.0367 "
            f"({a_buy.vs_vwap_bps:+.1f} bps); B 10,000 at 10.0320") in text


def test_without_the_days_bars_the_section_says_why(
        redis_client: redis.Redis, queue: OrderQueue, tmp_path: Path) -> None:
    lines = shared_lines(redis_client, queue, MarketStore(tmp_path / "empty"), "A", DAY)
    assert [line.symbol for line in lines] == [SOLD, SHARED]
    assert all(line.market_vwap is None and "market VWAP not available" in line.note
               for line in lines)
    assert all(a.vs_vwap_bps is None for line in lines for a in line.accounts)
    assert lines[1].accounts[0].average_price == Decimal("10.0367")
    text = "\n".join(shared_text(lines))
    assert text.count("market VWAP not available") == 1, text
    assert f"buy {SHARED} 09:30-11:00: VWAP n/a; A 30,000 at 10.0367 (n/a)" in text
