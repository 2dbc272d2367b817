"""The book the model starts from: the execution ledger's positions and cash."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from bus import streams
from services.runtime import ServiceContext
from strategies.portfolio_state import Book, Holding


def current_book(ctx: ServiceContext, signal_date: date, account: str | None = None) -> Book:
    """Positions of `account` (the desk's default one) as of the evening of
    `signal_date`; everything held is sellable tomorrow."""
    own = ctx.settings.for_account(account) if account else ctx.settings
    raw = ctx.client.get(streams.LEDGER.format(account=own.execution.account))
    if not raw:
        return Book(cash=Decimal(own.execution.initial_cash), holdings={})
    ledger = json.loads(raw)
    holdings = {}
    for symbol, pos in ledger.get("positions", {}).items():
        quantity = int(pos["quantity"])
        if quantity <= 0:
            continue
        holdings[symbol] = Holding(
            symbol=symbol,
            quantity=quantity,
            sellable=quantity,  # T+1: all of it can be sold on the next trading day
            holding_days=_holding_days(ctx, pos.get("opened"), signal_date),
        )
    return Book(cash=Decimal(str(ledger["cash"])), holdings=holdings)


def _holding_days(ctx: ServiceContext, opened: str | None, signal_date: date) -> int:
    if not opened:
        return 0
    start = date.fromisoformat(opened)
    if start > signal_date:
        return 0
    return len(ctx.calendar.trading_days(start, signal_date))
