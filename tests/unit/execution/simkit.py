"""Small builders for simulator tests: a tape from explicit minute bars."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pandas as pd

from execution.config import SimConfig
from execution.gateway.sim.book import SimBook
from execution.gateway.sim.exchange import SimExchange
from execution.gateway.sim.models import SimOrder
from execution.gateway.sim.source import FrameSource, future_ref, stock_ref
from execution.gateway.sim.tape import SimTape
from marketdata.clock import EXCHANGE_TZ

DAY = date(2026, 11, 23)


def at(clock_time: time, day: date = DAY) -> datetime:
    return datetime.combine(day, clock_time, tzinfo=EXCHANGE_TZ)


def flat_bars(symbol: str, price: float, volume: float, day: date = DAY,
              start: time = time(9, 30), minutes: int = 240, spread: float = 0.05) -> pd.DataFrame:
    """Bars at one price level (low/high `spread` either side), for both sessions."""
    stamps = []
    cursor = at(start, day)
    while len(stamps) < minutes:
        clock = cursor.time()
        if time(9, 30) <= clock < time(11, 30) or time(13, 0) <= clock < time(15, 0):
            stamps.append(cursor)
        cursor += timedelta(minutes=1)
    n = len(stamps)
    return pd.DataFrame({
        "symbol": [symbol] * n, "datetime": stamps, "open": [price] * n,
        "high": [price + spread] * n, "low": [price - spread] * n, "close": [price] * n,
        "volume": [volume] * n, "amount": [volume * price] * n,
    })


def source(*frames: pd.DataFrame, prev: dict[str, float], day: date = DAY) -> FrameSource:
    refs = {s: (future_ref(s, day, p) if s.endswith("CFFEX") else stock_ref(s, day, p, False, None))
            for s, p in prev.items()}
    return FrameSource(pd.concat(frames, ignore_index=True), {k: v for k, v in refs.items() if v})


def exchange(client: object, src: FrameSource, day: date = DAY,
             cash: str = "1000000", cfg: SimConfig | None = None) -> SimExchange:
    book = SimBook(client, "test", Decimal(cash))  # type: ignore[arg-type]
    sim = SimExchange(book, SimTape(day, src), cfg or SimConfig(participation=Decimal("0.1")))
    sim.open()
    return sim


_ids = iter(range(1, 10**9))


def order(sim: SimExchange, symbol: str, side: str, volume: int, price: str,
          created: datetime, offset: str = "none") -> SimOrder:
    return SimOrder(orderid=str(sim.book.next_id()), symbol=symbol, side=side, offset=offset,
                    price=Decimal(price), volume=volume, created_at=created,
                    reference=f"ref-{next(_ids)}")
