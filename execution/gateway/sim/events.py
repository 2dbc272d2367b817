"""The simulated broker's records as the vnpy objects a gateway pushes (fresh copies)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from vnpy.trader.constant import Direction, OptionType, Product, Status
from vnpy.trader.object import (
    AccountData,
    ContractData,
    OrderData,
    PositionData,
    TickData,
    TradeData,
)

from exchange import classify, quantity_rule, tick_size
from exchange.instruments import contract_multiplier
from exchange.options import option_last_trading_day, parse_option_symbol
from execution.gateway.convert import OFFSET_TO_VNPY, SIDE_TO_DIRECTION, split_symbol
from execution.gateway.sim.models import FuturePosition, Position, SimOrder, SimTrade
from execution.gateway.sim.tape import Bar, SymbolRef, touch
from marketdata.clock import EXCHANGE_TZ

__all__ = ["Status", "account", "contract", "order", "positions", "preopen_tick", "tick",
           "trade"]


def contract(symbol: str, gateway: str) -> ContractData:
    code, exchange = split_symbol(symbol)
    info = classify(symbol)
    if info.is_option:
        return _option_contract(symbol, gateway)
    future = info.is_future
    return ContractData(
        gateway_name=gateway, symbol=code, exchange=exchange, name=code,
        product=Product.FUTURES if future else Product.EQUITY,
        size=contract_multiplier(symbol),
        pricetick=float(tick_size(symbol)),
        min_volume=1 if future else quantity_rule(symbol).buy_min,
        max_volume=quantity_rule(symbol).max_limit_order, net_position=not future,
    )


def _option_contract(symbol: str, gateway: str) -> ContractData:
    """An MO contract as CTP describes one: an option on the CSI 1000 index."""
    code, exchange = split_symbol(symbol)
    option = parse_option_symbol(symbol)
    expiry = datetime.combine(option_last_trading_day(option), time(15, 0), tzinfo=EXCHANGE_TZ)
    return ContractData(
        gateway_name=gateway, symbol=code, exchange=exchange, name=code,
        product=Product.OPTION, size=contract_multiplier(symbol),
        pricetick=float(tick_size(symbol)), min_volume=1,
        max_volume=quantity_rule(symbol).max_limit_order, net_position=False,
        # vnpy_optionmaster's convention for CFFEX index options: the same month's future.
        option_strike=float(option.strike),
        option_underlying=f"IM{option.year % 100:02d}{option.month:02d}.CFFEX",
        option_type=OptionType.CALL if option.is_call else OptionType.PUT,
        option_expiry=expiry, option_portfolio=option.underlying,
        option_index=str(option.strike),
    )


def order(item: SimOrder, gateway: str) -> OrderData:
    code, exchange = split_symbol(item.symbol)
    return OrderData(
        gateway_name=gateway, symbol=code, exchange=exchange, orderid=item.orderid,
        direction=SIDE_TO_DIRECTION[item.side], offset=OFFSET_TO_VNPY[item.offset],
        price=float(item.price), volume=float(item.volume), traded=float(item.traded),
        status=Status[item.status], datetime=item.created_at, reference=item.reference,
    )


def trade(item: SimTrade, gateway: str) -> TradeData:
    code, exchange = split_symbol(item.symbol)
    return TradeData(
        gateway_name=gateway, symbol=code, exchange=exchange, orderid=item.orderid,
        tradeid=item.tradeid, direction=SIDE_TO_DIRECTION[item.side],
        offset=OFFSET_TO_VNPY[item.offset], price=float(item.price), volume=float(item.volume),
        datetime=item.at,
    )


def positions(symbol: str, item: Position, gateway: str) -> list[PositionData]:
    code, exchange = split_symbol(symbol)
    if isinstance(item, FuturePosition):
        return [
            PositionData(gateway_name=gateway, symbol=code, exchange=exchange,
                         direction=Direction.LONG, volume=item.long,
                         yd_volume=item.long - item.long_today, price=float(item.long_avg)),
            PositionData(gateway_name=gateway, symbol=code, exchange=exchange,
                         direction=Direction.SHORT, volume=item.short,
                         yd_volume=item.short - item.short_today, price=float(item.short_avg)),
        ]
    return [PositionData(gateway_name=gateway, symbol=code, exchange=exchange,
                         direction=Direction.NET, volume=item.quantity, frozen=item.frozen,
                         yd_volume=item.sellable, price=float(item.avg_cost))]


def account(cash: Decimal, available: Decimal, gateway: str) -> AccountData:
    return AccountData(gateway_name=gateway, accountid="SIM", balance=float(cash),
                       frozen=float(cash - available))


def preopen_tick(symbol: str, ref: SymbolRef, at: datetime, gateway: str) -> TickData:
    """Before the first bar: the previous close and the day's limits, no book yet."""
    code, exchange = split_symbol(symbol)
    return TickData(
        gateway_name=gateway, symbol=code, exchange=exchange, datetime=at,
        last_price=float(ref.prev_close), pre_close=float(ref.prev_close),
        limit_up=float(ref.limit_up or 0), limit_down=float(ref.limit_down or 0),
    )


def tick(bar: Bar, ref: SymbolRef, day_volume: int, gateway: str) -> TickData:
    """A tick at the end of `bar`: last = close, one tick either side unless locked."""
    code, exchange = split_symbol(bar.symbol)
    best_bid, best_ask = touch(bar, ref)
    bid, ask = best_bid or Decimal(0), best_ask or Decimal(0)
    return TickData(
        gateway_name=gateway, symbol=code, exchange=exchange, datetime=bar.end,
        last_price=float(bar.close), volume=float(day_volume), last_volume=float(bar.volume),
        open_price=float(bar.open),
        high_price=float(bar.high), low_price=float(bar.low), pre_close=float(ref.prev_close),
        limit_up=float(ref.limit_up or 0), limit_down=float(ref.limit_down or 0),
        bid_price_1=float(bid), ask_price_1=float(ask), bid_volume_1=100, ask_volume_1=100,
    )
