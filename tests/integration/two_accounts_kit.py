"""A desk of two fund products, alpha and beta, in a real Redis: settings with an
`accounts` list, each account's ledger, NAV snapshot and last close, and orders of both
written through the desk's queue (`services.accounts.desk_queue`).

Figures (last prices 600000.SSE 10.50, 000002.SZSE 8.00):

  alpha: cash 1,000,000.00, 20,000 600000.SSE (all sellable) = 210,000.00,
         NAV 1,210,000.00, closed 1,200,000.00 the day before: day P&L +10,000.00
  beta:  cash 500,000.00, 5,000 600000.SSE (3,000 sellable) = 52,500.00
         + 1,000 000002.SZSE = 8,000.00, NAV 560,500.00, closed 565,000.00: -4,500.00
  desk:  NAV 1,770,500.00, cash 1,500,000.00, stocks 270,500.00, day P&L +5,500.00
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import redis
from fastapi import FastAPI

from bus import streams
from bus.bus import publish
from bus.messages import NavSnapshot
from exchange import Side
from execution.approval.queue import OrderQueue
from execution.ledger import Holding, Ledger
from marketdata.clock import EXCHANGE_TZ, FixedClock
from services.accounts import desk_queue
from services.console.account_pick import account_specs
from services.console.app import create_app
from services.console.config import ConsoleConfig
from services.settings import DeskSettings
from services.settings_loader import DEFAULT_CONFIG, load_settings
from tests.unit.console.hedge_kit import seed_closes
from tests.unit.queue.queue_kit import make_order, set_batch

AT = datetime(2026, 11, 23, 10, 30, tzinfo=EXCHANGE_TZ)
YESTERDAY = date(2026, 11, 20)  # the Friday before
ACCOUNTS = ("alpha", "beta")
PRICES = {"600000.SSE": "10.50", "000002.SZSE": "8.00"}
NAVS = {"alpha": (Decimal("1210000.00"), Decimal("1200000.00")),
        "beta": (Decimal("560500.00"), Decimal("565000.00"))}
# Orders of each account; one of alpha's leaves the account empty (the default one's).
ALPHA_ORDERS = ("A-0001", "A-0002", "A-0003")
BETA_ORDERS = ("B-0001", "B-0002")


def two_account_settings(data_dir: Path, **extra: Any) -> DeskSettings:
    base = load_settings(DEFAULT_CONFIG)
    return type(base).model_validate({
        **base.model_dump(), "data_dir": data_dir, **extra,
        "accounts": [{"name": "alpha", "initial_cash": "1200000"},
                     {"name": "beta", "initial_cash": "565000"}],
    })


def build_two_account_app(client: redis.Redis, clock: FixedClock, settings: DeskSettings,
                          data_dir: Path) -> FastAPI:
    """The console exactly as the console service builds it for these settings."""
    return create_app(client, desk_queue(client, clock, settings), clock,
                      console=ConsoleConfig(), approval=settings.approval, risk=settings.risk,
                      account=settings.execution.account, data_dir=data_dir,
                      accounts=account_specs(settings))


def seed_books(client: redis.Redis) -> None:
    client.hset(streams.LAST_PRICES, mapping=PRICES)
    books = {
        "alpha": Ledger(account="alpha", cash=Decimal("1000000.00"), at=AT, positions={
            "600000.SSE": Holding(20_000, 20_000, Decimal("10.00"))}),
        "beta": Ledger(account="beta", cash=Decimal("500000.00"), at=AT, positions={
            "600000.SSE": Holding(5_000, 3_000, Decimal("10.20")),
            "000002.SZSE": Holding(1_000, 1_000, Decimal("8.10"))}),
    }
    for name, book in books.items():
        client.set(streams.LEDGER.format(account=name), book.to_json())
        nav, close = NAVS[name]
        seed_closes(client, name, [YESTERDAY], [close])
        publish(client, streams.NAV, "nav", NavSnapshot(
            account=name, nav=nav, hwm=max(nav, close), drawdown=float(1 - nav / max(nav, close)),
            stock_value=nav - book.cash, cash=book.cash, hedge_ratio=0.0, at=AT),
            source="risk", ts=AT)


def seed_orders(queue: OrderQueue) -> None:
    """Five pending orders: three of alpha (one with no account: the default's), two of beta."""
    set_batch(queue.client)
    rows = [("A-0001", "", "600000.SSE", Side.SELL, 1_000), ("A-0002", "alpha", "000002.SZSE",
            Side.BUY, 2_000), ("A-0003", "alpha", "600000.SSE", Side.BUY, 500),
            ("B-0001", "beta", "600000.SSE", Side.SELL, 1_000),
            ("B-0002", "beta", "000002.SZSE", Side.BUY, 800)]
    for order_id, account, symbol, side, quantity in rows:
        queue.ingest(make_order(order_id, account=account, symbol=symbol, side=side,
                                quantity=quantity, reference_price=Decimal(PRICES[symbol]),
                                name="浦发银行" if symbol[0] == "6" else "万科Ａ",
                                reason=f"reversal {order_id}"), actor="model")


def seed_desk(client: redis.Redis, queue: OrderQueue) -> None:
    seed_books(client)
    seed_orders(queue)
