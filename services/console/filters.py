"""The pending page's filter, read from query parameters or a form, and its rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from marketdata.clock import exchange_date
from orders.order import OrderState
from services.console.reads import last_prices
from services.console.views import Row, RowFilter, make_rows
from services.console.web import Desk

STATES = {s.value for s in OrderState}


def filter_from(params: Mapping[str, Any]) -> RowFilter:
    """A RowFilter from untrusted parameters; anything unknown is ignored."""
    side = str(params.get("side", ""))
    state = str(params.get("state", "pending_approval"))
    return RowFilter(
        side=side if side in ("buy", "sell") else "",
        board=str(params.get("board", ""))[:20],
        state=state if state in STATES or state == "" else "pending_approval",
        text=str(params.get("q", ""))[:100],
        min_value=_decimal(params.get("min_value")),
        max_value=_decimal(params.get("max_value")),
        sort=str(params.get("sort", "")),
        desc=str(params.get("desc", "")) == "1",
    )


def _decimal(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw)) if raw not in (None, "") else None
    except InvalidOperation:
        return None
    return value if value is not None and value.is_finite() else None


def trade_date_of(desk: Desk) -> date:
    return desk.queue.current_trade_date() or exchange_date(desk.clock)


def all_rows(desk: Desk, day: date | None = None) -> list[Row]:
    records = desk.queue.list_orders(day or trade_date_of(desk))
    prices = last_prices(desk.client, (r.order.symbol for r in records))
    return make_rows(records, prices, desk.queue.policy)


def in_accounts(desk: Desk, rows: list[Row], names: list[str]) -> list[Row]:
    """The rows of orders of the accounts named (an order without one is the default's)."""
    if set(names) >= set(desk.account_names):
        return rows
    return [r for r in rows if desk.queue.account_of(r.record.order) in names]


def pending_rows(desk: Desk, row_filter: RowFilter) -> list[Row]:
    return row_filter.apply(all_rows(desk))
