"""Fixtures shared by the market-data tests (small sizes keep the suite fast)."""

from __future__ import annotations

from pathlib import Path

import pytest
from md_kit import HOLIDAYS, store_through

from marketdata.calendar import TradingCalendar, load_calendar
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket, generate_market


@pytest.fixture(scope="session")
def calendar() -> TradingCalendar:
    return load_calendar(HOLIDAYS)


@pytest.fixture(scope="session")
def market(calendar: TradingCalendar) -> SyntheticMarket:
    return generate_market(300, 120, seed=11, calendar=calendar)


@pytest.fixture(scope="session")
def full_store(tmp_path_factory: pytest.TempPathFactory, market: SyntheticMarket) -> MarketStore:
    """The whole small market, read-only for the tests."""
    return store_through(tmp_path_factory.mktemp("full"), market)


@pytest.fixture
def partial_store(tmp_path: Path, market: SyntheticMarket) -> MarketStore:
    """The same market without its last trade date (a fresh copy per test)."""
    return store_through(tmp_path / "store", market, market.days[-2])
