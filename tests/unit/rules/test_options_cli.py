"""`desk rules MO2703-P-6000.CFFEX ...`: an option answered as any instrument is."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rules_kit import FakeDesk, HolidayCalendar, answer, run

from marketdata.calendar import load_calendar

PUT = "MO2703-P-6000.CFFEX"
BASE = ("--date", "2026-12-02", "--prev-settlement", "123.4", "--index-prev-close", "6123.45")


def test_an_option_answer() -> None:
    got = answer(PUT, *BASE)
    assert {k: got[k] for k in ("symbol", "exchange", "board", "multiplier", "tick", "lot",
                                "max_order_qty", "max_market_order_qty", "t_plus")} == {
        "symbol": PUT, "exchange": "CFFEX", "board": "index_option", "multiplier": 100,
        "tick": "0.2", "lot": 1, "max_order_qty": 20, "max_market_order_qty": 0, "t_plus": 0,
    }
    # limits: 123.4 +/- 10% of 6123.45 (612.345 points), inward to the tick, floor one tick
    assert (got["prev_settlement"], got["band"], got["band_of"]) == (
        "123.4", "0.10", "index_prev_close")
    assert (got["limit_up"], got["limit_down"]) == ("735.6", "0.2")
    assert (got["right"], got["strike"], got["contract_month"]) == ("P", "6000", "2027-03")
    assert got["last_trading_day"] == "2027-03-19" and got["day_count"] == "weekdays"
    assert (got["month_listed"], got["month_slot"], got["strike_interval"]) == (
        True, "quarterly", "200")
    assert (got["fee_per_lot"], got["exercise_fee_per_lot"]) == ("15", "2")
    assert (got["margin_adjustment"], got["minimum_safety"]) == ("0.15", "0.5")
    assert got["market_orders_allowed"] is False and "prev_close" not in got


def test_the_expiry_follows_the_desk_calendar() -> None:
    calendar = HolidayCalendar(date(2026, 12, 18), covered_through=date(2026, 12, 31))
    got = answer("MO2612-C-6000.CFFEX", "--date", "2026-12-02", "--prev-settlement", "85",
                 "--index-prev-close", "6000", obj=FakeDesk(calendar))
    assert (got["last_trading_day"], got["day_count"]) == ("2026-12-21", "calendar")
    assert (got["limit_up"], got["limit_down"], got["month_slot"]) == ("685.0", "0.2", "near")


def test_past_the_calendar_the_listed_last_trading_day_is_needed() -> None:
    """The shipped calendar ends 2026-12-31: MO2703's expiry needs the exchange's date."""
    ends = FakeDesk(load_calendar(Path(__file__).resolve().parents[3] / "config/holidays.yaml"))
    refused = run(PUT, *BASE, obj=ends)
    assert refused.exit_code == 1 and "--last-trading-day" in refused.output
    got = answer(PUT, *BASE, "--last-trading-day", "2027-03-19", obj=ends)
    assert got["last_trading_day"] == "2027-03-19"


def test_an_option_needs_its_settlement_and_the_index_close() -> None:
    no_index = run(PUT, "--date", "2026-12-02", "--prev-settlement", "123.4")
    assert no_index.exit_code == 2 and "--index-prev-close" in no_index.output
    close = run(PUT, "--date", "2026-12-02", "--prev-close", "123.4", "--index-prev-close", "6000")
    assert close.exit_code == 2 and "--prev-settlement" in close.output
    both = run(PUT, *BASE, "--prev-close", "120")
    assert both.exit_code == 2 and "never come from its previous close" in both.output
    stock = run("600000", "--date", "2026-11-20", "--prev-close", "10", "--index-prev-close", "1")
    assert stock.exit_code == 2 and "index options only" in stock.output


def test_an_expired_option_is_refused() -> None:
    result = run("MO2611-P-6000.CFFEX", *BASE)
    assert result.exit_code == 1 and "expired on 2026-11-20" in result.output


def test_malformed_option_symbols_are_one_line_naming_the_input() -> None:
    for text in ("MO2713-P-6000.CFFEX", "MO2703-P-6000.5", "MO2703-Q-6000", "IO2703-P-6000",
                 "MO2703-P-6050.CFFEX"):
        result = run(text, *BASE)
        assert result.exit_code == 1, (text, result.output)
        assert text in result.output and len(result.output.strip().splitlines()) == 1
