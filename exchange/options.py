"""CSI 1000 index options (MO, CFFEX): listed months, strikes, limits, sizes, fees, margin.

European, cash settled, the same last trading day as the IM future of the month (the
third Friday, rolled forward over holidays). Every number is in `exchange.data`
(`OPTION_SPECS`, `OPTION_STRIKE_INTERVALS`, `OPTION_TERMS`); sources in docs/rules.md,
"CSI 1000 index options (MO)".
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from exchange.data import (
    OPTION_SPECS,
    OPTION_STRIKE_INTERVALS,
    OPTION_TERMS,
    OptionSpec,
    OptionTerms,
    StrikeStep,
    in_force,
)
from exchange.days import TradingDays, first_trading_day_from
from exchange.errors import RulesError
from exchange.futures import third_friday
from exchange.option_symbols import (
    InvalidOptionSymbol,
    OptionContract,
    OptionRight,
    option_symbol,
    parse_option_symbol,
    parse_right,
)

__all__ = [
    "MO_MULTIPLIER",
    "MO_TICK",
    "InvalidOptionSymbol",
    "OptionContract",
    "OptionRight",
    "check_strike",
    "is_quarterly_slot",
    "listed_option_months",
    "max_option_order_lots",
    "option_fee",
    "option_intrinsic",
    "option_last_trading_day",
    "option_limit_prices",
    "option_spec",
    "option_symbol",
    "option_terms",
    "parse_option_symbol",
    "parse_right",
    "short_option_margin",
    "strike_grid",
    "strike_interval",
]

MO_MULTIPLIER: int = OPTION_SPECS["MO"].multiplier  # 100 CNY per index point
MO_TICK: Decimal = OPTION_SPECS["MO"].tick  # 0.2 index points
_CENT = Decimal("0.01")


def option_spec(product: str = "MO") -> OptionSpec:
    try:
        return OPTION_SPECS[product]
    except KeyError:
        raise InvalidOptionSymbol(f"option product {product!r}: not known") from None


def option_terms(on: date, product: str = "MO") -> OptionTerms:
    """The exchange-set numbers (limits, sizes, margin factors, fees) in force on `on`."""
    option_spec(product)
    return in_force(OPTION_TERMS[product], on, f"{product} option terms")


def _contract(contract: OptionContract | str) -> OptionContract:
    return contract if isinstance(contract, OptionContract) else parse_option_symbol(contract)


def option_last_trading_day(
    contract: OptionContract | str, calendar: TradingDays | None = None
) -> date:
    """Third Friday of the contract month, or the next trading day if the exchange is
    closed then (合约到期月份的第三个星期五，遇国家法定假日顺延); the expiry is that day.

    As for IM: without a calendar the plain weekday rule; a calendar that does not cover
    the month raises; simulations past its end pass `WeekdaysBeyondCalendar(calendar)`.
    """
    c = _contract(contract)
    return first_trading_day_from(third_friday(c.year, c.month), calendar)


def listed_option_months(
    on: date, calendar: TradingDays | None = None, product: str = "MO"
) -> list[tuple[int, int]]:
    """(year, month) of the contract months listed on `on`: the current month, the next
    two months and the three quarterly months (Mar/Jun/Sep/Dec) after them.

    "Current" rolls to the next month the day after its last trading day. Days before
    the product was listed get the months the rule gives (for replays and simulations).
    """
    spec = option_spec(product)
    year, month = on.year, on.month
    if on > first_trading_day_from(third_friday(year, month), calendar):
        year, month = _next_month(year, month)
    months = [(year, month)]
    while len(months) < spec.near_months:
        months.append(_next_month(*months[-1]))
    quarterly: list[tuple[int, int]] = []
    year, month = months[-1]
    while len(quarterly) < spec.quarterly_count:
        year, month = _next_month(year, month)
        if month in spec.quarter_months:
            quarterly.append((year, month))
    return months + quarterly


def is_quarterly_slot(
    year: int, month: int, on: date, calendar: TradingDays | None = None, product: str = "MO"
) -> bool:
    """Whether the month is one of the three quarterly months on `on` (wider strike
    intervals) rather than the current or next two; a month not listed raises."""
    months = listed_option_months(on, calendar, product)
    if (year, month) not in months:
        shown = ", ".join(f"{y}-{m:02d}" for y, m in months)
        raise RulesError(f"{product} {year}-{month:02d} is not listed on {on} (listed: {shown})")
    return months.index((year, month)) >= option_spec(product).near_months


def strike_interval(strike: Decimal, quarterly: bool, on: date, product: str = "MO") -> Decimal:
    """The strike interval at the level of `strike` (index points)."""
    return _step_at(_steps(quarterly, on, product), strike, above=False)


def check_strike(contract: OptionContract | str, on: date) -> None:
    """Raise unless the strike is a multiple of the near-month interval at its level: no
    month, near or quarterly, ever lists another strike (quarterly intervals are twice the
    near ones), e.g. MO2703-P-6050 (100-point steps above 5,000)."""
    c = _contract(contract)
    step = strike_interval(c.strike, False, on, c.underlying)
    if c.strike % step != 0:
        raise InvalidOptionSymbol(
            f"{c.vt_symbol}: strike {c.strike} is not a multiple of the {step}-point "
            "interval at that level; CFFEX lists no such contract"
        )


def strike_grid(
    underlying_level: Decimal,
    year: int,
    month: int,
    on: date,
    calendar: TradingDays | None = None,
    product: str = "MO",
) -> list[Decimal]:
    """Strikes of the month that cover the index's previous close +/- 10%, ascending.

    `underlying_level` is the CSI 1000 close of the day before `on`. Each strike is a
    multiple of the interval at its own level (near months 25/50/100/200 points below
    2500/5000/10000/above, quarterly months twice that). The grid runs from the highest
    strike at or below level x 0.9 to the lowest at or above level x 1.1, so the range is
    covered. Strikes listed on earlier days and still open stay listed; they are not here.
    """
    _check_level(underlying_level)
    steps = _steps(is_quarterly_slot(year, month, on, calendar, product), on, product)
    cover = option_spec(product).strike_cover
    low, high = underlying_level * (1 - cover), underlying_level * (1 + cover)
    strike = _floor_to_grid(steps, low)
    grid = [strike]
    while strike < high:
        strike = _next_on_grid(steps, strike)
        grid.append(strike)
    return grid


def option_limit_prices(
    contract: OptionContract | str,
    reference: Decimal,
    index_prev_close: Decimal,
    on: date,
) -> tuple[Decimal, Decimal]:
    """(limit-up, limit-down) of an option on `on`.

    The band is 10% of the CSI 1000 index's previous close, in index points, around the
    option's `reference`: its previous settlement price (on its first day, its listing
    benchmark price). Limit-down is at least one tick. A limit off the tick is rounded
    inward (the desk's reading, as for IM).
    """
    c = _contract(contract)
    tick = option_spec(c.underlying).tick
    _check_positive(reference, f"{c.vt_symbol} reference (previous settlement) price")
    _check_level(index_prev_close)
    band = option_terms(on, c.underlying).band * index_prev_close
    up = ((reference + band) / tick).to_integral_value(ROUND_FLOOR) * tick
    down = ((reference - band) / tick).to_integral_value(ROUND_CEILING) * tick
    return up.quantize(tick), max(down, tick).quantize(tick)


def max_option_order_lots(on: date, *, market: bool = False, product: str = "MO") -> int:
    """Largest order, in lots: 20 per limit order; 0 for market orders (the desk sends
    options as limit orders only)."""
    terms = option_terms(on, product)
    return terms.max_market_order if market else terms.max_limit_order


def option_fee(lots: int, on: date, *, exercise: bool = False, product: str = "MO") -> Decimal:
    """Exchange fee in CNY of a fill (open or close) of `lots`, or of exercising them."""
    if isinstance(lots, bool) or not isinstance(lots, int) or lots <= 0:
        raise ValueError(f"option fee: lots {lots!r}, expected a whole number > 0")
    terms = option_terms(on, product)
    per_lot = terms.exercise_fee_per_lot if exercise else terms.fee_per_lot
    return (per_lot * lots).quantize(_CENT)


def short_option_margin(
    contract: OptionContract | str, settlement: Decimal, index_close: Decimal, on: date
) -> Decimal:
    """Exchange margin in CNY for one short lot (buyers pay the premium, no margin).

    settlement x multiplier + max(index x multiplier x adjustment - out-of-the-money
    amount, safety x base x multiplier x adjustment), where the base is the index close
    for a call and the strike for a put; out of the money = max(K - S, 0) x multiplier
    for a call, max(S - K, 0) x multiplier for a put.
    """
    c = _contract(contract)
    spec, terms = option_spec(c.underlying), option_terms(on, c.underlying)
    _check_positive(settlement, f"{c.vt_symbol} settlement price")
    _check_level(index_close)
    m, adj = Decimal(spec.multiplier), terms.margin_adjustment
    out_of_money = max(c.strike - index_close if c.is_call else index_close - c.strike, Decimal(0))
    base = index_close if c.is_call else c.strike
    floor = terms.minimum_safety * base * m * adj
    margin = settlement * m + max(index_close * m * adj - out_of_money * m, floor)
    return margin.quantize(_CENT, rounding=ROUND_HALF_UP)


def option_intrinsic(contract: OptionContract | str, index_level: Decimal) -> Decimal:
    """What one lot is worth at expiry in index points: max(S - K, 0) for a call,
    max(K - S, 0) for a put (times the multiplier for CNY)."""
    c = _contract(contract)
    _check_level(index_level)
    value = index_level - c.strike if c.is_call else c.strike - index_level
    return max(value, Decimal(0))


def _steps(quarterly: bool, on: date, product: str) -> tuple[StrikeStep, ...]:
    option_spec(product)
    intervals = in_force(OPTION_STRIKE_INTERVALS[product], on, f"{product} strike intervals")
    return intervals.quarterly if quarterly else intervals.near


def _step_at(steps: tuple[StrikeStep, ...], level: Decimal, *, above: bool) -> Decimal:
    """The interval of strikes at `level` (above=False) or just above it (above=True)."""
    for row in steps:
        if row.up_to is None or (level < row.up_to if above else level <= row.up_to):
            return row.step
    raise AssertionError("the last strike step has no upper end")


def _floor_to_grid(steps: tuple[StrikeStep, ...], level: Decimal) -> Decimal:
    step = _step_at(steps, level, above=False)
    return (level / step).to_integral_value(ROUND_FLOOR) * step


def _next_on_grid(steps: tuple[StrikeStep, ...], strike: Decimal) -> Decimal:
    step = _step_at(steps, strike, above=True)
    return ((strike / step).to_integral_value(ROUND_FLOOR) + 1) * step


def _check_positive(price: Decimal, what: str) -> None:
    if not isinstance(price, Decimal):
        raise TypeError(f"{what} {price!r}: expected a Decimal")
    if not price.is_finite() or price <= 0:
        raise ValueError(f"{what} {price}: expected a positive price")


def _check_level(level: Decimal) -> None:
    _check_positive(level, "CSI 1000 index level")


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)
