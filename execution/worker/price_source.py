"""Where a published price comes from: the previous close, the opening auction, a trade.

Before the open a gateway knows only yesterday's close (a real one often sends
`last_price` 0 and `pre_close`); from 09:15 some give the call auction's indicative
price; then the last trade. The console and the CLI show the source next to the
price, so a trader never mistakes yesterday's close for today's market.
`PRICE_SOURCES` (hash symbol -> source) is written with `LAST_PRICES`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from bus import streams
from exchange import Phase, session_phase
from marketdata.clock import EXCHANGE_TZ

PRICE_SOURCES = f"{streams.PREFIX}:prices:source"  # hash symbol -> PriceSource value
AUCTION_PHASES = frozenset({Phase.OPENING_AUCTION, Phase.OPENING_AUCTION_NO_CANCEL})


class PriceSource(StrEnum):
    PREV_CLOSE = "prev_close"  # nothing traded today yet: yesterday's close (settlement)
    AUCTION = "auction"  # the opening call auction's indicative price, nothing matched
    LAST = "last"  # a trade today


def source_of(symbol: str, at: datetime, last: Decimal | None, prev_close: Decimal | None,
              volume: int) -> PriceSource:
    """The source of a tick's price; `last` None means the gateway sent no price."""
    if last is None or (volume == 0 and last == prev_close):
        return PriceSource.PREV_CLOSE
    if volume == 0 and _phase(symbol, at) in AUCTION_PHASES:
        return PriceSource.AUCTION
    return PriceSource.LAST


def _phase(symbol: str, at: datetime) -> Phase:
    moment = at if at.tzinfo is not None else at.replace(tzinfo=EXCHANGE_TZ)  # vnpy: China time
    try:
        return session_phase(moment, symbol).name
    except ValueError:  # a symbol the timetable does not know: not an auction
        return Phase.CONTINUOUS
