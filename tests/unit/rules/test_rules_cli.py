"""`desk rules`: the answer for one security, as text or JSON."""

from __future__ import annotations

from datetime import date

from rules_kit import GOLDEN_WEEK_2026, FakeDesk, HolidayCalendar, answer, run


def test_json_answer_for_a_main_board_st_stock() -> None:
    got = answer("600001.SSE", "--date", "2026-07-03", "--prev-close", "1.15", "--st")
    assert {k: got[k] for k in ("exchange", "board", "band", "limit_up", "limit_down")} == {
        "exchange": "SSE",
        "board": "main",
        "band": "0.05",
        "limit_up": "1.21",
        "limit_down": "1.09",
    }
    assert (got["buy_min_qty"], got["buy_step_qty"], got["max_order_qty"]) == (100, 100, 1_000_000)


def test_half_up_limit_in_the_answer() -> None:
    got = answer("600000", "--date", "2026-11-20", "--prev-close", "1.15")
    assert (got["symbol"], got["limit_up"], got["limit_down"]) == ("600000.SSE", "1.27", "1.04")


def test_new_listing_has_null_band_and_limits() -> None:
    got = answer(
        "688777.SSE", "--date", "2026-11-20", "--prev-close", "30.00", "--listed", "2026-11-18"
    )
    assert (got["band"], got["limit_up"], got["limit_down"]) == (None, None, None)
    assert got["day_count"] == "weekdays"
    assert (got["buy_min_qty"], got["buy_step_qty"], got["max_order_qty"]) == (200, 1, 100_000)


def test_listing_days_use_the_desk_calendar_when_there_is_one() -> None:
    args = ("688777.SSE", "--date", "2026-10-09", "--prev-close", "30.00", "--listed", "2026-09-28")
    assert answer(*args)["band"] == "0.20"
    with_calendar = answer(*args, obj=FakeDesk(GOLDEN_WEEK_2026))
    assert (with_calendar["band"], with_calendar["day_count"]) == (None, "calendar")


def test_futures_answer_uses_the_last_trading_day() -> None:
    got = answer("IM2612.CFFEX", "--date", "2026-12-18", "--prev-settlement", "6000.0")
    assert (got["exchange"], got["board"], got["band"]) == ("CFFEX", "index_future", "0.20")
    assert (got["limit_up"], got["limit_down"], got["max_order_qty"]) == ("7200.0", "4800.0", 20)
    assert got["prev_settlement"] == "6000.0" and "prev_close" not in got
    moved = answer(
        "IM2612.CFFEX",
        "--date",
        "2026-12-18",
        "--prev-settlement",
        "6000.0",
        obj=FakeDesk(HolidayCalendar(date(2026, 12, 18))),
    )
    assert (moved["band"], moved["last_trading_day"]) == ("0.10", "2026-12-21")


def test_futures_take_a_settlement_off_the_tick() -> None:
    got = answer("IM2612.CFFEX", "--date", "2026-12-01", "--prev-settlement", "6123.5")
    assert (got["band"], got["limit_up"], got["limit_down"]) == ("0.10", "6735.8", "5511.2")


def test_futures_refuse_a_previous_close() -> None:
    result = run("IM2612.CFFEX", "--date", "2026-12-01", "--prev-close", "6000.0")
    assert result.exit_code == 2
    assert "previous settlement" in result.output and "--prev-settlement" in result.output
    stock = run("600000", "--date", "2026-11-20", "--prev-settlement", "10.00")
    assert stock.exit_code == 2 and "--prev-close" in stock.output


def test_text_output_is_readable() -> None:
    result = run("920001.BSE", "--date", "2026-11-20", "--prev-close", "12.34")
    assert result.exit_code == 0
    lines = dict(line.split(None, 1) for line in result.output.splitlines())
    assert (lines["band"], lines["limit_up"], lines["limit_down"]) == ("0.30", "16.04", "8.64")


def test_errors_are_one_clear_line() -> None:
    result = run("999999", "--date", "2026-11-20", "--prev-close", "10")
    assert result.exit_code == 1
    assert "999999 matches no known exchange prefix" in result.output
    bad_price = run("600000", "--date", "2026-11-20", "--prev-close", "ten")
    assert bad_price.exit_code == 2 and "not a decimal number" in bad_price.output
    off_tick = run("600000", "--date", "2026-11-20", "--prev-close", "10.005")
    assert off_tick.exit_code == 1 and "multiple of 0.01" in off_tick.output


def test_a_contract_past_the_calendars_end_takes_the_listed_last_trading_day() -> None:
    """With the shipped calendar (ends 2026-12-31) the third-Friday rule cannot place
    IM2703's expiry: the answer needs the exchange's listed date, and says so."""
    from pathlib import Path

    from marketdata.calendar import load_calendar

    shipped = FakeDesk(load_calendar(Path(__file__).resolve().parents[3] / "config/holidays.yaml"))
    args = ("IM2703.CFFEX", "--date", "2027-01-05", "--prev-settlement", "6100.2")
    refused = run(*args, obj=shipped)
    assert refused.exit_code == 1 and "--last-trading-day" in refused.output
    got = answer(*args, "--last-trading-day", "2027-03-19", obj=shipped)
    assert (got["band"], got["last_trading_day"]) == ("0.10", "2027-03-19")
    assert (got["limit_up"], got["limit_down"]) == ("6710.2", "5490.2")
    last = answer("IM2703.CFFEX", "--date", "2027-03-19", "--prev-settlement", "6100.2",
                  "--last-trading-day", "2027-03-19", obj=shipped)
    assert last["band"] == "0.20"
    stock = run("600000", "--date", "2026-11-20", "--prev-close", "10.00",
                "--last-trading-day", "2026-12-18")
    assert stock.exit_code == 2 and "index futures" in stock.output
