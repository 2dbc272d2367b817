"""Bad prints: prices and NAV moves too large to be real, which the desk must not act on.

A stock price outside its daily limit band cannot have traded: it is a feed error.
A NAV that moves more than the configured bound in one update is held as suspect and
neither moves the high-water mark nor the ladder; if the next update confirms the new
level (within the bound of it), the move was real and is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache

from exchange import RulesError, limit_prices, price_band
from marketdata.corporate import BadCorporateAction, CorporateAction, ex_rights_price

CENT = Decimal("0.01")


def price_outside_limits(
    symbol: str, price: Decimal, prev_close: Decimal, day: date, *, st: bool = False
) -> str | None:
    """Why `price` cannot be a real trade of `symbol` on `day`, or None if it can."""
    if price <= 0:
        return f"{symbol}: price {price} is not positive"
    up, down = _limits(symbol, prev_close, day, st)
    if up is not None and price > up:
        return f"{symbol}: {price} above its limit-up {up} (previous close {prev_close})"
    if down is not None and price < down:
        return f"{symbol}: {price} below its limit-down {down} (previous close {prev_close})"
    return None


@lru_cache(maxsize=32_768)
def _limits(symbol: str, prev_close: Decimal, day: date, st: bool) -> tuple[Decimal | None,
                                                                            Decimal | None]:
    """(limit-up, limit-down), cached: the same for every check of the day."""
    try:
        band = price_band(symbol, day, st=st)
        return limit_prices(prev_close.quantize(CENT), band)
    except (RulesError, InvalidOperation, ValueError):
        return None, None  # rules do not cover it: the NAV-jump guard still applies


def ex_date_references(prev_closes: Mapping[str, Decimal], actions: Iterable[CorporateAction],
                       today: date) -> dict[str, Decimal]:
    """The previous closes, with the exchange's ex-rights reference price for the stocks
    going ex `today`: their drop to it is a dividend or new shares, not a bad print."""
    out = dict(prev_closes)
    for action in actions:
        prev = out.get(action.symbol)
        if action.ex_date == today and prev is not None and prev > 0:
            try:
                out[action.symbol] = ex_rights_price(prev, action.cash, action.new_shares)
            except BadCorporateAction:
                continue  # an impossible action: the plain close is the safer bound
    return out


class NavJudgement(StrEnum):
    ACCEPTED = "accepted"
    CONFIRMED = "confirmed"  # a large move seen twice in a row: real
    SUSPECT = "suspect"  # a large move seen once: not acted on


@dataclass(frozen=True)
class NavCheck:
    judgement: NavJudgement
    move: float  # relative to the last accepted NAV
    suspect: Decimal | None  # what to compare the next update with

    @property
    def accepted(self) -> bool:
        return self.judgement is not NavJudgement.SUSPECT


def judge_nav(
    nav: Decimal, last_accepted: Decimal | None, suspect: Decimal | None, bound: float
) -> NavCheck:
    """Accept `nav`, or hold it as suspect when it jumps more than `bound`."""
    if last_accepted is None or last_accepted <= 0:
        return NavCheck(NavJudgement.ACCEPTED, 0.0, None)
    move = float(nav / last_accepted - 1)
    if abs(move) <= bound:
        return NavCheck(NavJudgement.ACCEPTED, move, None)
    if suspect is not None and suspect > 0 and abs(float(nav / suspect - 1)) <= bound:
        return NavCheck(NavJudgement.CONFIRMED, move, None)
    return NavCheck(NavJudgement.SUSPECT, move, nav)
