"""The broker's view of the day as a vnpy `MainEngine` holds it after a gateway's replay.

Any vnpy gateway (XTP, CTP, the simulator) pushes the day's orders, trades, positions
and account on login; `MainEngine`'s OMS keeps the latest of each. vnpy trades carry
no fees, so per-trade fees are not compared (the cash is). The cash is compared only
when the gateways report exactly one account: a stock and a futures account side by
side hold margin and floating P&L that the desk's single ledger cash does not.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from exchange import classify
from execution.eod.views import BrokerDay, BrokerOrder, BrokerTrade
from execution.gateway.convert import exact, side_of, whole


def vnpy_broker_day(main_engine: Any, day: date, gateways: Collection[str]) -> BrokerDay:
    """`main_engine`: a connected vnpy MainEngine; `gateways`: the names to read."""
    mine = set(gateways)
    orders = [_order(o) for o in main_engine.get_all_orders()
              if o.gateway_name in mine and _on(o.datetime, day)]
    trades = [_trade(t) for t in main_engine.get_all_trades()
              if t.gateway_name in mine and _on(t.datetime, day)]
    stocks, futures, options = _positions([p for p in main_engine.get_all_positions()
                                           if p.gateway_name in mine])
    accounts = [a for a in main_engine.get_all_accounts() if a.gateway_name in mine]
    cash, note = _cash(accounts)
    return BrokerDay(day=day, source=f"vnpy:{','.join(sorted(mine))}", orders=orders,
                     trades=trades, stocks=stocks, futures=futures, options=options, cash=cash,
                     cash_note=note)


def _on(moment: Any, day: date) -> bool:
    return moment is None or moment.date() == day


def _order(data: Any) -> BrokerOrder:
    return BrokerOrder(vt_orderid=data.vt_orderid, symbol=data.vt_symbol,
                       side=side_of(data.direction),
                       volume=whole(data.volume, f"order {data.vt_orderid} volume"),
                       traded=whole(data.traded, f"order {data.vt_orderid} traded"),
                       status=data.status.name, reference=data.reference or "")


def _trade(data: Any) -> BrokerTrade:
    return BrokerTrade(vt_tradeid=data.vt_tradeid, vt_orderid=data.vt_orderid,
                       symbol=data.vt_symbol, side=side_of(data.direction),
                       quantity=whole(data.volume, f"trade {data.vt_tradeid} volume"),
                       price=exact(data.price))


def _positions(items: list[Any]) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Shares; futures as net short lots; options (MO) as net long lots."""
    stocks: dict[str, int] = {}
    futures: dict[str, int] = {}
    options: dict[str, int] = {}
    for item in items:
        symbol, kind = item.vt_symbol, classify(item.vt_symbol)
        volume = whole(item.volume, f"position {item.vt_positionid} volume")
        short = volume if item.direction.name == "SHORT" else -volume  # + short, - long
        if kind.is_option:
            options[symbol] = options.get(symbol, 0) - short
        elif kind.is_future:
            futures[symbol] = futures.get(symbol, 0) + short
        else:
            stocks[symbol] = stocks.get(symbol, 0) + volume
    return _nonzero(stocks), _nonzero(futures), _nonzero(options)


def _nonzero(lots: dict[str, int]) -> dict[str, int]:
    return {s: n for s, n in lots.items() if n}


def _cash(accounts: list[Any]) -> tuple[Decimal | None, str]:
    if len(accounts) == 1:
        return exact(accounts[0].balance), ""
    names = ", ".join(sorted(a.vt_accountid for a in accounts)) or "none"
    return None, f"cash not compared: the gateways report {len(accounts)} accounts ({names})"
