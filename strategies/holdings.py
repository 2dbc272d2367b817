"""The book valued at the signal day's close, ranked, and sorted into keep or sell."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from strategies.config import ModelConfig
from strategies.costs import to_price
from strategies.portfolio_state import Book, Holding
from strategies.signals import DaySignals
from strategies.universe import ENTRY_ONLY, Exclusion


@dataclass(frozen=True)
class Position:
    """A holding as the model sees it on the signal day."""

    holding: Holding
    index: int  # column in the day's arrays
    price: Decimal  # last known close
    value: Decimal
    weight: float  # value / NAV
    rank: int  # 1 = best score; 0 = not ranked (outside the universe)

    @property
    def symbol(self) -> str:
        return self.holding.symbol


@dataclass(frozen=True)
class SellIntent:
    """Sell `position` down to `keep_weight` of NAV (0 = the whole holding)."""

    position: Position
    keep_weight: float
    reason: str


def rank_members(day: DaySignals) -> npt.NDArray[np.int64]:
    """Rank of every universe member by score (1 = best; ties by symbol); 0 otherwise."""
    members = np.flatnonzero((day.exclusion == Exclusion.NONE) & np.isfinite(day.score))
    by_symbol = day.symbols if day.symbol_order is None else day.symbol_order
    order = np.lexsort((by_symbol[members], -day.score[members]))
    ranks = np.zeros(len(day.symbols), dtype=np.int64)
    ranks[members[order]] = np.arange(1, len(members) + 1)
    return ranks


def value_book(day: DaySignals, book: Book,
               ranks: npt.NDArray[np.int64]) -> tuple[list[Position], Decimal]:
    """Each non-empty holding at its last close, and NAV = cash + holdings."""
    column, closes = day.column, day.value_price
    priced: list[tuple[Holding, int, Decimal, Decimal]] = []
    for symbol in sorted(book.holdings):
        holding = book.holdings[symbol]
        if holding.quantity == 0:
            continue
        index = column[symbol] if symbol in column else day.position_of(symbol)
        last = float(closes[index])
        if not math.isfinite(last):
            raise ValueError(f"holding {symbol}: no close within the lookback up to "
                             f"{day.signal_date}, cannot value it")
        price = to_price(last, f"last close of {symbol}")
        priced.append((holding, index, price, price * holding.quantity))
    nav = book.cash + sum((value for *_, value in priced), Decimal(0))
    if nav <= 0:
        raise ValueError(f"book NAV {nav} on {day.signal_date} is not positive")
    return [Position(h, i, p, value, float(value / nav), int(ranks[i]))
            for h, i, p, value in priced], nav


# Codes that keep a holding (an int set: no enum member made per holding).
_STAYS: frozenset[int] = frozenset({Exclusion.NONE, *ENTRY_ONLY})


def exit_reason(day: DaySignals, index: int, config: ModelConfig) -> str | None:
    """Why a holding must leave (in words), or None when it may stay."""
    number = int(day.exclusion[index])
    if number in _STAYS:
        return None
    code = Exclusion(number)
    if code is Exclusion.TOO_LARGE:
        return (f"left universe: grew out of the small-cap range (market cap "
                f"{day.mcap[index] / 1e9:.1f} bn > cutoff {day.mcap_cutoff / 1e9:.1f} bn)")
    if code is Exclusion.LOW_PRICE:
        days = config.universe.min_price_days
        span = f" for {days} days" if days > 1 else ""
        return (f"left universe: price {day.close[index]:.2f} below "
                f"{config.universe.min_price:.2f}{span}")
    return f"left universe: {_EXIT_WORDS[code]}"


_EXIT_WORDS: dict[Exclusion, str] = {
    Exclusion.NO_DATA: "no market data (not trading or delisted)",
    Exclusion.SUSPENDED: "suspended",
    Exclusion.DELISTING: "entered the delisting period",
    Exclusion.STAR_ST: "became *ST",
    Exclusion.ST: "became ST",
    Exclusion.NEGATIVE_EQUITY: "negative equity in the latest report",
    Exclusion.LOSS: "loss-making (TTM net profit below zero)",
}


@dataclass(frozen=True)
class Classified:
    forced: list[SellIntent]  # must go: left the universe
    rank_sells: list[SellIntent]  # may go: rank fell past the buffer (worst first)
    kept: list[Position]


def classify_holdings(day: DaySignals, positions: list[Position],
                      config: ModelConfig) -> Classified:
    rotation = config.rotation
    forced: list[SellIntent] = []
    rank_sells: list[SellIntent] = []
    kept: list[Position] = []
    for position in positions:
        reason = exit_reason(day, position.index, config)
        if reason is not None:
            forced.append(SellIntent(position, 0.0, reason))
        elif (position.rank > rotation.buffer_rank
              and position.holding.holding_days >= rotation.min_holding_days):
            rank_sells.append(SellIntent(
                position, 0.0,
                f"rank fell to {position.rank} > buffer {rotation.buffer_rank}"))
        else:
            kept.append(position)
    rank_sells.sort(key=lambda s: (-s.position.rank, s.position.symbol))
    return Classified(forced, rank_sells, kept)
