"""What the market data says about one stock, for orders typed by hand.

A manual order has no model behind it, so its daily-limit check needs the previous
close, its ST status and its name from the store: the latest stored day is the
previous trading day of the next session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from marketdata.errors import MarketDataError
from marketdata.schema import RiskFlag
from marketdata.store import MarketStore


@dataclass(frozen=True)
class StockFacts:
    prev_close: Decimal | None
    st: bool
    name: str
    as_of: date | None


class ReferenceData:
    """Reads the store's latest day once per day and answers per symbol."""

    def __init__(self, store: MarketStore) -> None:
        self.store = store
        self._day: date | None = None
        self._close: dict[str, float] = {}
        self._flag: dict[str, int] = {}
        self._names: dict[str, str] = {}

    def facts(self, symbol: str) -> StockFacts:
        self._refresh()
        close = self._close.get(symbol)
        usable = close is not None and np.isfinite(close) and close > 0
        prev_close = Decimal(str(round(close, 2))) if usable else None  # type: ignore[arg-type]
        flag = self._flag.get(symbol, int(RiskFlag.NORMAL))
        return StockFacts(prev_close=prev_close, st=flag in (RiskFlag.ST, RiskFlag.STAR_ST),
                          name=self._names.get(symbol, ""), as_of=self._day)

    def _refresh(self) -> None:
        latest = self.store.latest_date()
        if latest is None or latest == self._day:
            return
        try:
            day = self.store.load_panel(latest, 1, ["close", "risk_flag"]).on(latest)
            names = self.store.instruments()["name"]
        except MarketDataError:
            return  # no facts: the checks that need them say so
        self._close = {str(s): float(v) for s, v in day["close"].items()}
        self._flag = {str(s): int(v) for s, v in day["risk_flag"].items()}
        self._names = {str(s): str(v) for s, v in names.items()}
        self._day = latest
