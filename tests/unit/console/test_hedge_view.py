"""The hedge view: ladder and rung in force, step-down evidence, legs, basis, margin."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ
from risk.config import RiskConfig
from services.console.hedge_read import read_hedge_view
from tests.unit.console.hedge_kit import seed_book, seed_risk_state

AT = datetime(2026, 12, 2, 10, 30, tzinfo=EXCHANGE_TZ)


@pytest.fixture
def cfg() -> RiskConfig:
    return RiskConfig()


def test_a_hedged_desk(redis_client: redis.Redis, cfg: RiskConfig, repo_root: Path) -> None:
    seed_risk_state(redis_client, cfg, AT)
    seed_book(redis_client, "paper", AT)
    calendar = load_calendar(repo_root / "config" / "holidays.yaml")
    view = read_hedge_view(redis_client, "paper", cfg, calendar, AT.date())
    assert [r.current for r in view.rungs] == [True, False, False]
    assert view.level == 0 and "Rung 1 in force: hedge 30.00%" in view.step_down[0]
    assert any("Next rung up at -25.00% → hedge 60.00%; drawdown now -21.00%" in line
               for line in view.step_down)
    # The default rules: CSI 1000 above its 20-day mean and 5% off its low; or 20 closes
    # without a new low. One close counted since the rung: 6100.0, the low so far.
    first, second = view.rules
    assert [c.met for c in first] == [None, False]
    assert first[1].text == "CSI 1000 up 2.77% from its low 6,100.0 (needs 5.00%)"
    assert second[0].text == "0 of 20 CSI 1000 closes without a new low"
    leg, = view.legs
    assert (leg.symbol, leg.lots, leg.price) == ("IM2612.CFFEX", 7, Decimal("6201.8"))
    assert leg.pnl == Decimal("67480.0")  # 7 x (6250.0 - 6201.8) x 200
    assert leg.margin == Decimal("1302378.00")  # 7 x 6201.8 x 200 x 15%
    assert view.margin_used == leg.margin
    assert view.free_cash == Decimal("19000000.00") + leg.pnl - leg.margin
    by_symbol = {b.symbol: b for b in view.basis}
    assert set(by_symbol) >= {"IM2612.CFFEX", "IM2701.CFFEX"}
    held = by_symbol["IM2612.CFFEX"]
    assert held.days_to_expiry == (date(2026, 12, 18) - AT.date()).days
    assert held.annual == pytest.approx((6201.8 / 6268.8 - 1) * 365 / 16)
    assert held.per_lot_month == Decimal(round(6201.8 * 200 * -held.annual / 12))
    assert held.held_month is not None and abs(held.held_month - 7 * held.per_lot_month) <= 4
    assert by_symbol["IM2701.CFFEX"].held_month is None


def test_no_state_and_no_book(redis_client: redis.Redis, cfg: RiskConfig) -> None:
    view = read_hedge_view(redis_client, "paper", cfg, None, AT.date())
    assert view.state is None and view.legs == [] and view.basis == []
    assert view.step_down == ["The risk daemon has not published its ladder yet."]
    assert view.free_cash is None


def test_an_unreadable_state_says_why(redis_client: redis.Redis, cfg: RiskConfig) -> None:
    redis_client.set("desk:risk:state:paper", '{"reducing": "false"}')
    view = read_hedge_view(redis_client, "paper", cfg, None, AT.date())
    assert view.state is None and "reducing: Input should be a valid boolean" in view.unreadable
