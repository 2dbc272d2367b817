"""VWAP volume profiles from the market store's minute bars of the previous days."""

from __future__ import annotations

from datetime import date

import pandas as pd
from loguru import logger

from execution.algos.profile import VolumeProfile, estimate_profile
from marketdata.errors import MarketDataError
from marketdata.store import MarketStore


class StoreProfiles:
    def __init__(self, store: MarketStore, days: int) -> None:
        self.store, self.days = store, days
        self._cache: dict[tuple[str, date], VolumeProfile] = {}

    def __call__(self, symbol: str, day: date) -> VolumeProfile:
        key = (symbol, day)
        if key not in self._cache:
            self._cache[key] = self._estimate(symbol, day)
        return self._cache[key]

    def _estimate(self, symbol: str, day: date) -> VolumeProfile:
        try:
            history = [d for d in self.store.trade_dates() if d < day][-self.days:]
            frames = [self.store.minute_bars(d, [symbol]) for d in history]
        except MarketDataError as exc:
            logger.warning("no minute history for {}'s VWAP profile ({}): flat profile", symbol,
                           exc)
            return VolumeProfile()
        if not frames:
            return VolumeProfile()
        return estimate_profile(pd.concat(frames, ignore_index=True))
