"""The desk's market data store and trading calendar, opened from its settings.

Kept apart from `services.runtime` (which imports redis and the bus): a command that
only reads data (`desk backtest`) opens them without either. Both imports are lazy:
commands without data stay fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from marketdata.calendar import TradingCalendar
    from marketdata.store import MarketStore
    from services.settings import DeskSettings


def open_store(settings: DeskSettings, data_dir: Path) -> MarketStore:
    from marketdata.store import MarketStore

    return MarketStore(data_dir / settings.data.store_dir)


def open_calendar(settings: DeskSettings) -> TradingCalendar:
    from marketdata.calendar import load_calendar

    return load_calendar(settings.holidays_path)
