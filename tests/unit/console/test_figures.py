"""Figures on the hedge and risk screens: two-decimal percentages, CNY with separators."""

from datetime import datetime
from decimal import Decimal

from marketdata.clock import EXCHANGE_TZ
from risk.state_doc import HedgeCosts
from services.console.figures import cny, drawdown, level, percent, signed_cny
from services.console.hedge_decision import decision_lines


def test_percentages_have_two_decimals() -> None:
    assert percent(0.000431) == "0.04%"
    assert percent(0.3) == "30.00%"
    assert percent(-0.1219) == "-12.19%"
    assert percent(None) == "—"


def test_a_drawdown_is_shown_as_a_fall() -> None:
    assert drawdown(0.0013) == "-0.13%"
    assert drawdown(0.0) == "0.00%"
    assert drawdown(0.00001) == "0.00%"  # no "-0.00%"
    assert drawdown(0.2) == "-20.00%"


def test_money_has_thousands_separators_and_cents() -> None:
    assert cny(Decimal("8682520")) == "CNY 8,682,520.00"
    assert cny(Decimal("1302378.455")) == "CNY 1,302,378.46"  # half up, not banker's
    assert signed_cny(Decimal("-88264")) == "CNY -88,264.00"
    assert signed_cny(Decimal("1500.5")) == "CNY +1,500.50"
    assert cny(None) == "—"


def test_levels_have_one_decimal() -> None:
    assert level(Decimal("6201.8")) == "6,201.8"
    assert level(6268.84) == "6,268.8"


def test_the_last_hedge_decision_in_words() -> None:
    costs = HedgeCosts(at=datetime(2026, 12, 2, 10, 0, tzinfo=EXCHANGE_TZ),
                       instrument="cheapest", put_share=0.0, why="futures cheaper",
                       futures_symbol="IM2612.CFFEX", futures_lots=7,
                       futures_cost_to_expiry=Decimal("93863"),
                       futures_cost_30d=Decimal("88264"), futures_margin=Decimal("1302378"))
    assert decision_lines(costs) == [
        "Decided 2026-12-02 10:00: configured cheapest, 0.00% of the protection as puts "
        "(futures cheaper).",
        "Futures: 7 lots IM2612.CFFEX, cost to expiry CNY 93,863.00, per 30 days "
        "CNY 88,264.00, margin CNY 1,302,378.00."]
    assert decision_lines(None) == []
