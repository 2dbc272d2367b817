"""The desk's view of the market from gateway ticks: quotes, volume, last prices.

Ticks are turned into exact `Quote`s; the day's cumulative volume is kept per symbol
with a short history, for POV (volume since a parent started) and the participation
cap (volume over the last slice interval). Last prices go to `LAST_PRICES` in Redis,
with their source (`PRICE_SOURCES`: previous close, auction, last trade) and time, in
one write per step, for the risk daemon, the approval queue and the console. A tick
without a price (a real gateway before the open) stands for the previous close.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Any

import redis

from bus import streams
from exchange import tick_size
from execution.algos.market import Quote, to_price
from execution.worker.price_source import PRICE_SOURCES, PriceSource, source_of

HISTORY = 400  # ticks kept per symbol (a day of minute bars fits)


def quote_of(tick: Any) -> Quote | None:
    symbol = str(tick.vt_symbol)
    step = tick_size(symbol)
    prev_close = to_price(float(tick.pre_close), step)
    last = to_price(float(tick.last_price), step) or prev_close
    if last is None:
        return None
    return Quote(
        symbol=symbol, at=tick.datetime, last=last,
        bid=to_price(float(tick.bid_price_1), step), ask=to_price(float(tick.ask_price_1), step),
        limit_up=to_price(float(tick.limit_up), step),
        limit_down=to_price(float(tick.limit_down), step), volume=int(tick.volume),
        prev_close=prev_close,
    )


def tick_source(tick: Any, quote: Quote) -> PriceSource:
    traded = to_price(float(tick.last_price), tick_size(quote.symbol))
    return source_of(quote.symbol, quote.at, traded, quote.prev_close, quote.volume)


class MarketState:
    def __init__(self) -> None:
        self.quotes: dict[str, Quote] = {}
        self.sources: dict[str, PriceSource] = {}
        self._volumes: dict[str, deque[tuple[datetime, int]]] = {}
        self._dirty: set[str] = set()

    def on_tick(self, tick: Any) -> Quote | None:
        quote = quote_of(tick)
        if quote is None:
            return None
        self.quotes[quote.symbol] = quote
        self.sources[quote.symbol] = tick_source(tick, quote)
        history = self._volumes.setdefault(quote.symbol, deque(maxlen=HISTORY))
        history.append((quote.at, quote.volume))
        self._dirty.add(quote.symbol)
        return quote

    def quote(self, symbol: str) -> Quote | None:
        return self.quotes.get(symbol)

    def volume_since(self, symbol: str, moment: datetime) -> int:
        """Market volume traded after `moment` (0 if nothing seen yet)."""
        history = self._volumes.get(symbol)
        if not history:
            return 0
        # The newest entry at or before `moment`: scanned from the newest end, so a call
        # looks at one slice's ticks, not the whole history (the same entry as before).
        before = next((v for at, v in reversed(history) if at <= moment), 0)
        return history[-1][1] - before

    def recent_volume(self, symbol: str, now: datetime, seconds: int) -> int | None:
        """Volume over the last `seconds`, None when too little history."""
        history = self._volumes.get(symbol)
        if not history or len(history) < 2:
            return None
        return self.volume_since(symbol, now - timedelta(seconds=seconds))

    def publish(self, client: redis.Redis) -> None:
        if not self._dirty:
            return
        prices: dict[str | bytes, str] = {s: str(self.quotes[s].last) for s in self._dirty}
        times: dict[str | bytes, str] = {s: self.quotes[s].at.isoformat() for s in self._dirty}
        sources: dict[str | bytes, str] = {s: self.sources[s].value for s in self._dirty}
        pipe = client.pipeline(transaction=True)  # a price never without its source
        pipe.hset(streams.LAST_PRICES, mapping=prices)
        pipe.hset(streams.PRICE_TIMES, mapping=times)  # staleness = no update, not no change
        pipe.hset(PRICE_SOURCES, mapping=sources)
        pipe.execute()
        self._dirty.clear()
