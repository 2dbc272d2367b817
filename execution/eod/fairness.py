"""The daily report's "Shared with other accounts": each account's price against the VWAP.

When several accounts trade the same stock and side on one day, their parents share one
schedule and split the participation cap pro rata (execution/algos/planner.py,
docs/accounts.md). This section shows whether that held: per stock and side that this
account and at least one other traded, each account's filled quantity and average price
(from the parents' fill journals) against the market VWAP over the union of the windows
of the parents that filled (minute bars of the market store: amount / volume of the
minutes starting inside a window). The difference is in basis points, positive when
worse for the account: a buy above the VWAP, a sell below it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any, Protocol

import pandas as pd
import redis

from exchange import Side
from execution.approval.queue import OrderQueue
from execution.eod.desk_view import journal_fills
from execution.worker.keys import FILL_JOURNAL
from marketdata.clock import EXCHANGE_TZ
from marketdata.errors import MarketDataError
from orders.order import Order, OrderKind

PRICE = Decimal("0.0001")
Key = tuple[str, str]  # symbol, side


class MinuteBars(Protocol):
    """What the section reads of a market store (`marketdata.store.MarketStore`)."""

    def minute_bars(self, day: date, symbols: list[str] | None = None) -> pd.DataFrame: ...


@dataclass(frozen=True)
class AccountPrice:
    account: str
    filled: int
    value: Decimal  # CNY, the fills' price x quantity
    average_price: Decimal  # to 0.0001
    vs_vwap_bps: float | None  # + = worse than the VWAP for the account; None: no VWAP


@dataclass(frozen=True)
class SharedLine:
    symbol: str
    side: str
    windows: tuple[tuple[time, time], ...]  # union of the filled parents' windows
    market_vwap: Decimal | None  # to 0.0001; None: see `note`
    market_volume: int  # shares over those minutes
    accounts: tuple[AccountPrice, ...]  # by account name
    note: str = ""  # why there is no VWAP

    @property
    def window_label(self) -> str:
        return _label(self.windows)

    def rows(self) -> list[dict[str, Any]]:
        """The EOD summary's `fairness` rows: one per account, money as strings."""
        return [{"symbol": self.symbol, "side": self.side, "account": a.account,
                 "filled": a.filled, "average_price": str(a.average_price),
                 "market_vwap": None if self.market_vwap is None else str(self.market_vwap),
                 "vs_vwap_bps": a.vs_vwap_bps, "windows": self.window_label,
                 "market_volume": self.market_volume, "note": self.note}
                for a in self.accounts]


@dataclass(frozen=True)
class _Group:
    """One stock and side of the day: each account's filled parents and fills."""

    orders: list[Order]
    filled: dict[str, int]
    value: dict[str, Decimal]


def shared_lines(client: redis.Redis, queue: OrderQueue, market: MinuteBars, account: str,
                 day: date) -> list[SharedLine]:
    """The section for `account` on `day`; [] when it shared no stock with another."""
    groups = _shared_groups(client, queue, account, day)
    bars = _bars(market, day, sorted({symbol for symbol, _ in groups}))
    return [_line(key, group, bars) for key, group in sorted(groups.items())]


def fairness_rows(lines: Iterable[SharedLine]) -> list[dict[str, Any]]:
    return [row for line in lines for row in line.rows()]


def _shared_groups(client: redis.Redis, queue: OrderQueue, account: str,
                   day: date) -> dict[Key, _Group]:
    """Stocks and sides this account and another filled (their journals say so; the
    journals of a stock and side only one account ordered are not read)."""
    by_key: dict[Key, list[Order]] = defaultdict(list)
    for record in queue.list_orders(day):
        order = record.order
        if order.kind is OrderKind.STOCK:
            by_key[(order.symbol, order.side.value)].append(order)
    candidates = {k: v for k, v in by_key.items() if _several(queue, v, account)}
    orders = [o for v in candidates.values() for o in v]
    pipe = client.pipeline(transaction=False)
    for order in orders:
        pipe.lrange(FILL_JOURNAL.format(order_id=order.order_id), 0, -1)
    journals = dict(zip((o.order_id for o in orders), pipe.execute(), strict=True))
    out = {}
    for key, members in candidates.items():
        group = _group(queue, members, journals)
        if account in group.filled and len(group.filled) > 1:
            out[key] = group
    return out


def _several(queue: OrderQueue, orders: list[Order], account: str) -> bool:
    accounts = {queue.account_of(o) for o in orders}
    return account in accounts and len(accounts) > 1


def _group(queue: OrderQueue, orders: list[Order], journals: dict[str, list[str]]) -> _Group:
    filled: dict[str, int] = defaultdict(int)
    value: dict[str, Decimal] = defaultdict(Decimal)
    traded = []
    for order in orders:
        fills = journal_fills(order.order_id, journals[order.order_id])
        if not fills:
            continue
        traded.append(order)
        name = queue.account_of(order)
        filled[name] += sum(f.quantity for f in fills)
        value[name] += sum((f.value for f in fills), Decimal(0))
    return _Group(traded, dict(filled), dict(value))


def _line(key: Key, group: _Group, bars: dict[str, pd.DataFrame] | str) -> SharedLine:
    symbol, side = key
    windows = _union((o.start_time, o.end_time) for o in group.orders)
    note, volume, amount = (bars, 0, Decimal(0)) if isinstance(bars, str) else \
        ("", *_over(bars, symbol, windows))
    if not note and volume <= 0:
        note = f"no market volume of {symbol} in {_label(windows)}"
    vwap = amount / volume if not note else None
    sign = 1 if side == Side.BUY.value else -1
    accounts = []
    for name in sorted(group.filled):
        exact = group.value[name] / group.filled[name]
        bps = None if vwap is None else round(float(sign * (exact - vwap) / vwap * 10_000), 1)
        accounts.append(AccountPrice(name, group.filled[name], group.value[name],
                                     exact.quantize(PRICE), bps))
    return SharedLine(symbol, side, windows, None if vwap is None else vwap.quantize(PRICE),
                      volume, tuple(accounts), note)


def _union(windows: Iterable[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """Overlapping or touching windows merged, in time order."""
    merged: list[tuple[time, time]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _label(windows: tuple[tuple[time, time], ...]) -> str:
    return ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in windows)


def _bars(market: MinuteBars, day: date, symbols: list[str]) -> dict[str, pd.DataFrame] | str:
    """The day's minute bars of `symbols` by symbol, or why they cannot be read."""
    if not symbols:
        return {}
    try:
        bars = market.minute_bars(day, symbols)
    except (MarketDataError, OSError) as exc:
        return f"market VWAP not available: {exc}"
    return {str(symbol): frame for symbol, frame in bars.groupby("symbol", sort=False)}


def _over(bars: dict[str, pd.DataFrame], symbol: str, windows: tuple[tuple[time, time], ...]
          ) -> tuple[int, Decimal]:
    """Volume and amount (exact sums of the stored figures) of the minutes of `symbol`
    starting inside a window."""
    mine = bars.get(symbol)
    if mine is None:
        return 0, Decimal(0)
    stamps = pd.DatetimeIndex(mine["datetime"])
    stamps = stamps.tz_localize(EXCHANGE_TZ) if stamps.tz is None else \
        stamps.tz_convert(EXCHANGE_TZ)
    inside = [any(a <= t < b for a, b in windows) for t in stamps.time]
    chosen = mine[inside]
    volume = sum((Decimal(repr(float(v))) for v in chosen["volume"]), Decimal(0))
    amount = sum((Decimal(repr(float(v))) for v in chosen["amount"]), Decimal(0))
    return int(volume), amount
