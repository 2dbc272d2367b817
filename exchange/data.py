"""Every rule that has a number or a start date, as dated data.

A table is a tuple of `Dated` rows in `since` order; the row in force on a day is the
last one whose `since` is on or before that day. A day before a table's first row is
not modelled and raises. Sources and confidence of each row: docs/rules.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Generic, TypeVar

from exchange.enums import Board
from exchange.errors import RuleNotModelled

T = TypeVar("T")


@dataclass(frozen=True)
class Dated(Generic[T]):
    since: date
    value: T


def in_force(table: Sequence[Dated[T]], on: date, what: str) -> T:
    """The value of `table` on day `on`; `what` names the table in the error."""
    current: Dated[T] | None = None
    for row in table:
        if row.since <= on:
            current = row
    if current is None:
        raise RuleNotModelled(f"{what}: the table starts on {table[0].since}, asked for {on}")
    return current.value


# --- Codes -------------------------------------------------------------------------
# BSE moved every stock to 920xxx on this day; 43x/83x/87x/88x codes are older data.
BSE_CODE_SWITCH = date(2025, 10, 9)

# --- Daily price bands (fraction of the previous close), by (board, risk warning) ---
PRICE_BANDS: dict[tuple[Board, bool], tuple[Dated[Decimal], ...]] = {
    (Board.MAIN, False): (Dated(date(1996, 12, 16), Decimal("0.10")),),
    (Board.MAIN, True): (
        Dated(date(1998, 4, 22), Decimal("0.05")),
        Dated(date(2026, 7, 6), Decimal("0.10")),
    ),
    (Board.CHINEXT, False): (
        Dated(date(2009, 10, 30), Decimal("0.10")),
        Dated(date(2020, 8, 24), Decimal("0.20")),
    ),
    (Board.CHINEXT, True): (
        Dated(date(2009, 10, 30), Decimal("0.05")),
        Dated(date(2020, 8, 24), Decimal("0.20")),
    ),
    (Board.STAR, False): (Dated(date(2019, 7, 22), Decimal("0.20")),),
    (Board.STAR, True): (Dated(date(2019, 7, 22), Decimal("0.20")),),
    (Board.BSE, False): (Dated(date(2021, 11, 15), Decimal("0.30")),),
    (Board.BSE, True): (Dated(date(2021, 11, 15), Decimal("0.30")),),
}

# Trading days without a limit after listing, by the regime in force on the listing
# day. None: an approval-system IPO, whose first day is capped at +44%/-36% of the
# issue price (not a band on the previous close), which the desk does not model.
NEW_LISTING_FREE_DAYS: dict[Board, tuple[Dated[int | None], ...]] = {
    Board.MAIN: (Dated(date(1990, 12, 19), None), Dated(date(2023, 4, 10), 5)),
    Board.CHINEXT: (Dated(date(2009, 10, 30), None), Dated(date(2020, 8, 24), 5)),
    Board.STAR: (Dated(date(2019, 7, 22), 5),),
    Board.BSE: (Dated(date(2021, 11, 15), 1),),
}


@dataclass(frozen=True)
class FirstDayCap:
    """An approval-system IPO's first-day range, as fractions of the issue price."""

    up: Decimal
    down: Decimal


# The first-day range of an approval-system IPO (a None row above), by listing day. It is
# not a band on the previous close, so `price_band` refuses that day; the synthetic market
# uses it as the first day's band. Before 2014 no such cap is modelled. *(added, M)*
APPROVAL_IPO_FIRST_DAY_CAP: tuple[Dated[FirstDayCap | None], ...] = (
    Dated(date(1990, 12, 19), None),
    Dated(date(2014, 1, 1), FirstDayCap(Decimal("0.44"), Decimal("0.36"))),
)

# Days without a limit at the start of a delisting period (退市整理期), by board: none
# before the December-2020 delisting reform (SSE and SZSE, 2020-12-31), the first day
# after it; BSE's first day from its opening. Later days use the board's normal band
# (SSE: 退市整理股票价格的涨跌幅限制为10%; SZSE from day 2: main 10%, ChiNext 20%).
DELISTING_FREE_DAYS: dict[Board, tuple[Dated[int], ...]] = {
    Board.MAIN: (Dated(date(2013, 1, 1), 0), Dated(date(2020, 12, 31), 1)),
    Board.CHINEXT: (Dated(date(2013, 1, 1), 0), Dated(date(2020, 12, 31), 1)),
    Board.STAR: (Dated(date(2019, 7, 22), 0), Dated(date(2020, 12, 31), 1)),
    Board.BSE: (Dated(date(2021, 11, 15), 1),),
}

# --- Prices ------------------------------------------------------------------------
STOCK_TICK = Decimal("0.01")


@dataclass(frozen=True)
class CageRule:
    """Continuous-trading price cage: a buy limit must be <= max(ref*(1+pct),
    ref + ticks*tick); a sell limit >= min(ref*(1-pct), ref - ticks*tick).
    `ticks` None means the percentage alone."""

    pct: Decimal
    ticks: int | None


PRICE_CAGES: dict[Board, tuple[Dated[CageRule | None], ...]] = {
    Board.MAIN: (
        Dated(date(1990, 12, 19), None),
        Dated(date(2023, 4, 10), CageRule(Decimal("0.02"), 10)),
    ),
    Board.CHINEXT: (
        Dated(date(2009, 10, 30), None),
        Dated(date(2020, 8, 24), CageRule(Decimal("0.02"), None)),
        Dated(date(2023, 4, 10), CageRule(Decimal("0.02"), 10)),
    ),
    Board.STAR: (Dated(date(2019, 7, 22), CageRule(Decimal("0.02"), None)),),
    # BSE trading rules 3.3.x: 105% of the reference or reference + 10 ticks, the higher.
    Board.BSE: (Dated(date(2021, 11, 15), CageRule(Decimal("0.05"), 10)),),
}


# --- Quantities --------------------------------------------------------------------
@dataclass(frozen=True)
class QuantityRule:
    """Order-size rules of one board, in shares (lots for futures).

    `lot`: the round lot; a remainder below it is an odd lot that must be sold in one
    order. Boards with `buy_step == lot` buy in whole lots; boards with `buy_step == 1`
    buy at least `buy_min` then any number.
    """

    lot: int
    buy_min: int
    buy_step: int
    max_limit_order: int
    max_market_order: int


QUANTITY_RULES: dict[Board, QuantityRule] = {
    Board.MAIN: QuantityRule(100, 100, 100, 1_000_000, 1_000_000),
    Board.CHINEXT: QuantityRule(100, 100, 100, 300_000, 150_000),
    Board.STAR: QuantityRule(200, 200, 1, 100_000, 50_000),
    Board.BSE: QuantityRule(100, 100, 1, 1_000_000, 1_000_000),
}

# Buying a risk-warning (ST, *ST) stock: at most this many shares per account per day.
RISK_WARNING_DAILY_BUY_CAP = 500_000

# --- Stock fees (fractions of the traded value) --------------------------------------
STAMP_DUTY_SELL: tuple[Dated[Decimal], ...] = (
    Dated(date(2008, 9, 19), Decimal("0.001")),
    Dated(date(2023, 8, 28), Decimal("0.0005")),
)
TRANSFER_FEE: tuple[Dated[Decimal], ...] = (
    Dated(date(2015, 8, 1), Decimal("0.00002")),
    Dated(date(2022, 4, 29), Decimal("0.00001")),
)
HANDLING_FEE: tuple[Dated[Decimal], ...] = (
    Dated(date(2015, 8, 1), Decimal("0.0000487")),
    Dated(date(2023, 8, 28), Decimal("0.0000341")),
)

# --- Sessions ----------------------------------------------------------------------
# After-hours fixed-price trading at the close (15:05-15:30), by board.
AFTER_HOURS_TRADING: dict[Board, tuple[Dated[bool], ...]] = {
    Board.MAIN: (Dated(date(1990, 12, 19), False), Dated(date(2026, 7, 6), True)),
    Board.CHINEXT: (Dated(date(2009, 10, 30), False), Dated(date(2020, 8, 24), True)),
    Board.STAR: (Dated(date(2019, 7, 22), True),),
    Board.BSE: (Dated(date(2021, 11, 15), False),),
}
AFTER_HOURS_WINDOW = (time(15, 5), time(15, 30))
# The session table below holds from SSE's closing call auction (2018-08-20) on.
STOCK_SESSIONS_SINCE = date(2018, 8, 20)


# --- CSI 1000 index futures (IM, CFFEX) ---------------------------------------------
@dataclass(frozen=True)
class FutureSpec:
    """Contract terms of one index-future product (CFFEX rules)."""

    product: str
    multiplier: int  # CNY per index point
    tick: Decimal  # index points
    max_limit_order: int  # lots per order
    max_market_order: int
    band: Decimal  # daily limit, fraction of the previous settlement price
    last_day_band: Decimal  # on the contract's last trading day
    first_day_band: Decimal  # on a new contract's first day, around its benchmark price
    settlement_step: Decimal  # the daily settlement is a volume-weighted price to this
    listed: date  # first trading day of the product
    quarter_months: tuple[int, ...]  # listed: this month, next month, next two of these
    exchange_margin: Decimal  # fraction of notional; brokers add more (M)
    daily_open_limit: int  # lots opened per contract per day, speculation (hedging exempt)
    position_limit: int  # lots per contract per side without a hedging quota (M)
    settlement_window: tuple[time, time]  # final price: index average over this window


FUTURE_SPECS: dict[str, FutureSpec] = {
    "IM": FutureSpec(
        product="IM",
        multiplier=200,
        tick=Decimal("0.2"),
        max_limit_order=20,
        max_market_order=10,
        band=Decimal("0.10"),
        last_day_band=Decimal("0.20"),
        first_day_band=Decimal("0.20"),
        settlement_step=Decimal("0.1"),
        listed=date(2022, 7, 22),
        quarter_months=(3, 6, 9, 12),
        exchange_margin=Decimal("0.12"),
        daily_open_limit=500,
        position_limit=1_200,
        settlement_window=(time(13, 0), time(15, 0)),
    ),
}


@dataclass(frozen=True)
class FutureFeeRates:
    """Exchange fees as fractions of the notional (price x multiplier x lots)."""

    open: Decimal
    close: Decimal
    close_today: Decimal


# Closing a position opened the same day cost ten times the open fee until CFFEX cut
# it on 2023-03-20.
FUTURE_FEES: dict[str, tuple[Dated[FutureFeeRates], ...]] = {
    "IM": (
        Dated(
            date(2022, 7, 22),
            FutureFeeRates(Decimal("0.000023"), Decimal("0.000023"), Decimal("0.000345")),
        ),
        Dated(
            date(2023, 3, 20),
            FutureFeeRates(Decimal("0.000023"), Decimal("0.000023"), Decimal("0.00023")),
        ),
    ),
}


# --- CSI 1000 index options (MO, CFFEX) ---------------------------------------------
# Sources: docs/rules.md, "CSI 1000 index options (MO)". The contract terms are those of
# CFFEX's 中证1000股指期权合约; the numbers CFFEX sets by notice (order size, margin
# factors, position limit, fees) are dated rows from its listing notice of 2022-07-18.
@dataclass(frozen=True)
class OptionSpec:
    """Fixed contract terms of one index-option product (中证1000股指期权合约)."""

    product: str  # "MO"
    underlying_index: str  # "000852", the CSI 1000 index
    future_product: str  # the index future on the same index, same last trading day: "IM"
    multiplier: int  # CNY per index point
    tick: Decimal  # index points
    listed: date  # first trading day of the product
    quarter_months: tuple[int, ...]  # after the current and next two months, three of these
    near_months: int  # the current month and the next two: 3
    quarterly_count: int  # then this many quarterly months
    strike_cover: Decimal  # strikes cover the index's previous close +/- this fraction


OPTION_SPECS: dict[str, OptionSpec] = {
    "MO": OptionSpec(
        product="MO",
        underlying_index="000852",
        future_product="IM",
        multiplier=100,
        tick=Decimal("0.2"),
        listed=date(2022, 7, 22),
        quarter_months=(3, 6, 9, 12),
        near_months=3,
        quarterly_count=3,
        strike_cover=Decimal("0.10"),
    ),
}


@dataclass(frozen=True)
class StrikeStep:
    """Strikes up to `up_to` (None: no upper end) are multiples of `step` index points."""

    up_to: Decimal | None
    step: Decimal


@dataclass(frozen=True)
class StrikeIntervals:
    """Strike intervals by strike level: `near` for the current and next two months,
    `quarterly` for the three quarterly months after them."""

    near: tuple[StrikeStep, ...]
    quarterly: tuple[StrikeStep, ...]


def _steps(*rows: tuple[str | None, str]) -> tuple[StrikeStep, ...]:
    return tuple(StrikeStep(None if up is None else Decimal(up), Decimal(s)) for up, s in rows)


OPTION_STRIKE_INTERVALS: dict[str, tuple[Dated[StrikeIntervals], ...]] = {
    "MO": (
        Dated(
            date(2022, 7, 22),
            StrikeIntervals(
                near=_steps(("2500", "25"), ("5000", "50"), ("10000", "100"), (None, "200")),
                quarterly=_steps(("2500", "50"), ("5000", "100"), ("10000", "200"), (None, "400")),
            ),
        ),
    ),
}


@dataclass(frozen=True)
class OptionTerms:
    """The numbers of an option product that the exchange sets and changes by notice."""

    band: Decimal  # daily limit: the option's reference price +/- this x the index's prev close
    max_limit_order: int  # lots per limit order
    max_market_order: int  # lots per market order; 0 = the desk sends none (see docs)
    margin_adjustment: Decimal  # 合约保证金调整系数
    minimum_safety: Decimal  # 最低保障系数
    position_limit: int  # lots per client per contract month per side (speculation)
    fee_per_lot: Decimal  # exchange transaction fee, CNY per lot
    exercise_fee_per_lot: Decimal  # exercise (履约) fee, CNY per lot


OPTION_TERMS: dict[str, tuple[Dated[OptionTerms], ...]] = {
    "MO": (
        Dated(
            date(2022, 7, 22),
            OptionTerms(
                band=Decimal("0.10"),
                max_limit_order=20,
                max_market_order=0,
                margin_adjustment=Decimal("0.15"),
                minimum_safety=Decimal("0.5"),
                position_limit=1_200,
                fee_per_lot=Decimal("15"),
                exercise_fee_per_lot=Decimal("2"),
            ),
        ),
    ),
}
