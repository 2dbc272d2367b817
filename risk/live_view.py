"""Pieces of the live picture the daemon assembles each check: quotes, hedged share,
stock values and when each price last changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from risk.basis import Quote
from risk.contracts import ExpiryCalendar, parse_contract
from risk.market_inputs import FuturesBar
from risk.sizing import hedged_ratio, on_tick


@dataclass
class QuoteSet:
    quotes: list[Quote] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # symbol -> why


def build_quotes(prices: Mapping[str, Decimal], bars: Mapping[str, FuturesBar],
                 held: Mapping[str, int], calendar: ExpiryCalendar, tick: Decimal,
                 today: date) -> QuoteSet:
    """Quotes of the contracts with a price: the store's last bars plus those held."""
    out = QuoteSet()
    for symbol in sorted(set(bars) | set(held)):
        price = prices.get(symbol)
        if price is None:
            out.skipped[symbol] = "no price"
            continue
        try:
            contract = parse_contract(symbol, calendar)
        except Exception as exc:  # an expiry the calendar does not cover: say so, skip
            out.skipped[symbol] = str(exc)
            continue
        if contract.expiry < today:
            continue
        bar = bars.get(symbol)
        out.quotes.append(Quote(contract, on_tick(price, tick), bar.volume if bar else 0.0,
                                bar.open_interest if bar else 0.0))
    return out


def hedged_share(held: Mapping[str, int], quotes: list[Quote], exposure: Decimal, beta: float,
                 multiplier: int) -> float:
    """Share of the beta-weighted stock exposure the shorts held cover now."""
    prices = {q.contract.symbol: q.price for q in quotes}
    priced = {s: n for s, n in held.items() if n > 0 and s in prices}
    lots = sum(priced.values())
    if not lots or exposure <= 0:
        return 0.0
    mean_price = sum((prices[s] * n for s, n in priced.items()), Decimal(0)) / lots
    return hedged_ratio(lots, exposure, beta, mean_price, multiplier)


def stock_values(positions: Mapping[str, int], prices: Mapping[str, Decimal]) -> dict[str, Decimal]:
    return {s: prices[s] * q for s, q in positions.items() if q and s in prices}


class PriceClock:
    """When each symbol's last price was last updated.

    The execution service stamps every update (`desk:prices:at`); a quiet stock whose
    price did not change is not stale. Without stamps (another writer), fall back to
    the time the price was last seen to change.
    """

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, datetime]] = {}

    def times(self, symbols: list[str], raw: Mapping[str, str], now: datetime,
              stamps: Mapping[str, str] | None = None) -> dict[str, datetime | None]:
        out: dict[str, datetime | None] = {}
        for symbol in symbols:
            price = raw.get(symbol)
            if price is None:
                out[symbol] = None
                continue
            stamp = (stamps or {}).get(symbol)
            if stamp:
                out[symbol] = datetime.fromisoformat(stamp)
                continue
            seen = self._seen.get(symbol)
            if seen is None or seen[0] != price:
                seen = self._seen[symbol] = (price, now)
            out[symbol] = seen[1]
        return out
