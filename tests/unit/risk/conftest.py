"""Fixtures of the risk tests: the real trading calendar and the default settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketdata.calendar import TradingCalendar, load_calendar
from risk.config import RiskConfig

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def calendar() -> TradingCalendar:
    return load_calendar(REPO / "config" / "holidays.yaml")


@pytest.fixture
def cfg() -> RiskConfig:
    return RiskConfig()
