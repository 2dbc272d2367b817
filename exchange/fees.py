"""What a fill costs: stamp duty, transfer fee, handling fee, commission; IM fees.

Rates come from the dated tables in `data`; each item is rounded half-up to 0.01 CNY.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from exchange.config import CommissionConfig
from exchange.data import FUTURE_FEES, HANDLING_FEE, STAMP_DUTY_SELL, TRANSFER_FEE, in_force
from exchange.enums import Board, Side, parse_side
from exchange.errors import UnsupportedSecurity
from exchange.futures import future_spec
from exchange.prices import check_price, is_valid_price
from exchange.securities import classify, require_stock

CENT = Decimal("0.01")
_NO_STAMP = CENT * 0  # a buy's stamp duty
_NOT_STOCK = (Board.B_SHARE, Board.INDEX_FUTURE, Board.INDEX_OPTION)
_PLAIN_SIDES = ("buy", "sell")
_BUY, _SELL = Side.BUY, Side.SELL  # an enum member read from its class is slow on 3.11
FUTURE_OFFSETS = ("open", "close", "close_today")


@dataclass(frozen=True)
class FeeBreakdown:
    stamp_duty: Decimal
    transfer_fee: Decimal
    handling_fee: Decimal
    commission: Decimal
    total: Decimal


def fees(
    symbol: str,
    side: str,
    quantity: int,
    price: Decimal,
    on: date,
    commission: CommissionConfig,
) -> FeeBreakdown:
    """Fees of one stock fill of `quantity` shares at `price` on day `on`."""
    stamp, transfer, handling, broker = _stock_items(symbol, side, quantity, price, on,
                                                     commission)
    return FeeBreakdown(stamp, transfer, handling, broker, stamp + transfer + handling + broker)


def fee_total(
    symbol: str,
    side: str,
    quantity: int,
    price: Decimal,
    on: date,
    commission: CommissionConfig,
) -> Decimal:
    """`fees(...).total` without building the breakdown (a backtest asks it per fill)."""
    stamp, transfer, handling, broker = _stock_items(symbol, side, quantity, price, on,
                                                     commission)
    return stamp + transfer + handling + broker


@lru_cache(maxsize=8192)  # a few days live, one per trade day in a backtest
def stock_fee_rates(on: date, selling: bool) -> tuple[Decimal | None, Decimal, Decimal]:
    """(stamp duty or None for a buy, transfer fee, handling fee) in force on day `on`,
    read in that order (a day before a table raises for the first table it misses)."""
    stamp = in_force(STAMP_DUTY_SELL, on, "stamp duty") if selling else None
    return stamp, in_force(TRANSFER_FEE, on, "transfer fee"), \
        in_force(HANDLING_FEE, on, "handling fee")


def _stock_items(symbol: str, side: str, quantity: int, price: Decimal, on: date,
                 commission: CommissionConfig) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(stamp duty, transfer fee, handling fee, commission) of one stock fill."""
    info = classify(symbol, on)
    if info.board in _NOT_STOCK:  # the ordinary checks below give the refusal's reason
        if info.is_future:
            raise UnsupportedSecurity(f"{symbol}: use future_fee() for futures (offset matters)")
        require_stock(info, "fees")
    if not is_valid_price(price):
        check_price(price, f"fill price of {symbol}")
    if quantity <= 0:
        raise ValueError(f"fill quantity {quantity} of {symbol}: expected > 0")
    value = price * quantity
    stamp_rate, transfer_rate, handling_rate = stock_fee_rates(on, _is_sell(side))
    stamp = _NO_STAMP if stamp_rate is None else _cents(value * stamp_rate)
    return stamp, _cents(value * transfer_rate), _cents(value * handling_rate), \
        _commission(value, commission)


def _is_sell(side: str) -> bool:
    """`parse_side(side) is Side.SELL`, without building an enum for the usual sides."""
    if side is _SELL or side is _BUY:
        return side is _SELL
    if type(side) is str and side in _PLAIN_SIDES:
        return side == "sell"
    return parse_side(side) is Side.SELL


def future_fee(symbol: str, offset: str, lots: int, price: Decimal, on: date) -> Decimal:
    """Exchange fee of an index-future fill; `offset` is open, close or close_today."""
    spec = future_spec(symbol)
    check_price(price, f"fill price of {symbol}", spec.tick)
    if lots <= 0:
        raise ValueError(f"fill of {symbol}: lots {lots}, expected > 0")
    if offset not in FUTURE_OFFSETS:
        raise ValueError(f"offset {offset!r}: expected one of {', '.join(FUTURE_OFFSETS)}")
    rates = in_force(FUTURE_FEES[spec.product], on, f"{spec.product} fees")
    rate: Decimal = getattr(rates, offset)
    return _cents(price * spec.multiplier * lots * rate)


def _commission(value: Decimal, config: CommissionConfig) -> Decimal:
    amount = value * config.rate
    if not config.minimum_waived:
        amount = max(amount, config.minimum)
    return _cents(amount)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
