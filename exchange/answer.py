"""One JSON-ready answer of what the desk believes about a security on a day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from exchange.bands import price_band
from exchange.data import (
    HANDLING_FEE,
    PRICE_CAGES,
    STAMP_DUTY_SELL,
    TRANSFER_FEE,
    in_force,
)
from exchange.days import TradingDays
from exchange.futures import future_spec, last_trading_day
from exchange.futures_limits import future_limit_prices
from exchange.options import (
    check_strike,
    is_quarterly_slot,
    listed_option_months,
    option_last_trading_day,
    option_limit_prices,
    option_spec,
    option_terms,
    parse_option_symbol,
    strike_interval,
)
from exchange.prices import limit_prices, tick_size
from exchange.quantity import quantity_rule
from exchange.securities import SecurityInfo, classify, require_stock

Json = dict[str, object]


def describe(
    symbol: str,
    on: date,
    prev_close: Decimal,
    *,
    st: bool = False,
    listed: date | None = None,
    delisting_day: int | None = None,
    calendar: TradingDays | None = None,
    last_day: date | None = None,
    index_prev_close: Decimal | None = None,
) -> Json:
    """Exchange, board, band, limit prices, quantity rules (and fees or contract terms).

    Decimals are strings, "no limit" is None. For futures `prev_close` is the previous
    settlement price (shown as `prev_settlement`), or on the contract's first day
    (`listed`) its listing benchmark price (`benchmark_price`); `last_day` is the
    contract's listed last trading day (computed from `calendar` when None). For an
    option `prev_close` is its previous settlement (or listing benchmark price) and
    `index_prev_close` the CSI 1000's previous close, which sets the limits' width.
    """
    info = classify(symbol, on)
    if info.is_option:
        if index_prev_close is None:
            raise ValueError(f"{info.symbol}: an option's limits are its previous settlement "
                             "+/- 10% of the CSI 1000's previous close: give that close")
        return _option_answer(info, on, prev_close, index_prev_close, listed=listed,
                              calendar=calendar, last_day=last_day)
    if not info.is_future:
        require_stock(info, "rules answer")
    band = price_band(
        symbol,
        on,
        st=st,
        listed=listed,
        delisting_day=delisting_day,
        calendar=calendar,
        last_day=last_day,
    )
    rule = quantity_rule(symbol)
    answer: Json = {
        "symbol": info.symbol,
        "code": info.code,
        "exchange": info.exchange.value,
        "board": info.board.value,
        "date": on.isoformat(),
        "st": st,
        "listed": listed.isoformat() if listed else None,
        "delisting_day": delisting_day,
        "day_count": _day_count(info, listed, calendar),
        _reference_key(info, on, listed): str(prev_close),
        "band": _text(band),
        **_limits(info, prev_close, band),
        "tick": str(tick_size(symbol)),
        "lot": rule.lot,
        "buy_min_qty": rule.buy_min,
        "buy_step_qty": rule.buy_step,
        "max_order_qty": rule.max_limit_order,
        "max_market_order_qty": rule.max_market_order,
        "market_orders_allowed": band is not None,
        "t_plus": 0 if info.is_future else 1,
    }
    extra = _future_terms(symbol, calendar, last_day) if info.is_future else _stock_terms(info, on)
    return answer | extra


def _limits(info: SecurityInfo, prev_close: Decimal, band: Decimal | None) -> Json:
    if info.is_future and band is not None:
        up, down = future_limit_prices(info.symbol, prev_close, band)
        return {"limit_up": str(up), "limit_down": str(down)}
    up_or_none, down_or_none = limit_prices(prev_close, band)
    return {"limit_up": _text(up_or_none), "limit_down": _text(down_or_none)}


def _stock_terms(info: SecurityInfo, on: date) -> Json:
    cage = in_force(PRICE_CAGES[info.board], on, f"price cage of {info.board.value}")
    return {
        "price_cage": None if cage is None else {"pct": str(cage.pct), "ticks": cage.ticks},
        "fee_rates": {
            "stamp_duty_sell": str(in_force(STAMP_DUTY_SELL, on, "stamp duty")),
            "transfer_fee": str(in_force(TRANSFER_FEE, on, "transfer fee")),
            "handling_fee": str(in_force(HANDLING_FEE, on, "handling fee")),
        },
    }


def _reference_key(info: SecurityInfo, on: date, listed: date | None) -> str:
    """What the limits are computed from: the previous close, or for a contract the
    previous settlement (its listing benchmark price on its first day)."""
    if not info.is_future:
        return "prev_close"
    return "benchmark_price" if on == listed else "prev_settlement"


def _future_terms(symbol: str, calendar: TradingDays | None, last_day: date | None) -> Json:
    spec = future_spec(symbol)
    expiry = last_day if last_day is not None else last_trading_day(symbol, calendar)
    return {
        "multiplier": spec.multiplier,
        "last_trading_day": expiry.isoformat(),
        "price_cage": None,
    }


def _option_answer(
    info: SecurityInfo,
    on: date,
    reference: Decimal,
    index_prev_close: Decimal,
    *,
    listed: date | None,
    calendar: TradingDays | None,
    last_day: date | None,
) -> Json:
    """The answer for an MO option: the stock/future keys where they mean the same, plus
    the contract's terms."""
    contract = parse_option_symbol(info.symbol)
    check_strike(contract, on)
    spec, terms = option_spec(contract.underlying), option_terms(on, contract.underlying)
    expiry = last_day if last_day is not None else option_last_trading_day(contract, calendar)
    band = terms.band
    price_band(info.symbol, on, listed=listed, calendar=calendar, last_day=expiry)  # expired?
    up, down = option_limit_prices(contract, reference, index_prev_close, on)
    month = (contract.year, contract.month)
    listed_now = month in listed_option_months(on, calendar, contract.underlying)
    quarterly = is_quarterly_slot(*month, on, calendar) if listed_now else None
    return {
        "symbol": info.symbol,
        "code": info.code,
        "exchange": info.exchange.value,
        "board": info.board.value,
        "date": on.isoformat(),
        "listed": listed.isoformat() if listed else None,
        "day_count": "calendar" if calendar is not None else "weekdays",
        "benchmark_price" if on == listed else "prev_settlement": str(reference),
        "underlying_index": spec.underlying_index,
        "index_prev_close": str(index_prev_close),
        "band": str(band),
        "band_of": "index_prev_close",
        "band_points": str(band * index_prev_close),
        "limit_up": str(up),
        "limit_down": str(down),
        "tick": str(spec.tick),
        "lot": 1,
        "buy_min_qty": 1,
        "buy_step_qty": 1,
        "max_order_qty": terms.max_limit_order,
        "max_market_order_qty": terms.max_market_order,
        "market_orders_allowed": terms.max_market_order > 0,
        "t_plus": 0,
        "price_cage": None,
        "multiplier": spec.multiplier,
        "last_trading_day": expiry.isoformat(),
        "right": contract.right.value,
        "strike": str(contract.strike),
        "contract_month": f"{contract.year}-{contract.month:02d}",
        "month_listed": listed_now,
        "month_slot": None if quarterly is None else ("quarterly" if quarterly else "near"),
        "strike_interval": None if quarterly is None
        else str(strike_interval(contract.strike, quarterly, on, contract.underlying)),
        "exercise": "european, cash settled",
        "fee_per_lot": str(terms.fee_per_lot),
        "exercise_fee_per_lot": str(terms.exercise_fee_per_lot),
        "margin_adjustment": str(terms.margin_adjustment),
        "minimum_safety": str(terms.minimum_safety),
        "position_limit": terms.position_limit,
    }


def _day_count(info: SecurityInfo, listed: date | None, calendar: TradingDays | None) -> str | None:
    """How trading days were counted, when the answer depended on counting them."""
    if listed is None and not info.is_future:
        return None
    return "calendar" if calendar is not None else "weekdays"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
