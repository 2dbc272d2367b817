"""The ex-date's morning in the risk daemon: before today's close is in the store and
before the first trade, a holding is valued at the day's reference (the ex-rights
price), not at yesterday's close, which with the new shares would raise the NAV and its
high-water mark by the ex-rights drop."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from marketdata.calendar import TradingCalendar
from marketdata.corporate import ex_rights_price, parse_actions
from marketdata.store import MarketStore
from marketdata.synthetic.market import demo_market, write_market
from risk.config import RiskConfig
from risk.market_inputs import DailyInputs, live_prices, load_daily
from risk.nav import Book, compute_nav

D = Decimal
RECORD, EX = date(2026, 6, 12), date(2026, 6, 15)
STOCK, OTHER = "600000.SSE", "600001.SSE"


def daily(day: date) -> DailyInputs:
    # (13.15 - 0.15) / (1 + 0.3) = 10.00: the reference the exchange sets on the ex-date
    return DailyInputs(day=day, closes={STOCK: D("13.15"), OTHER: D("5.00")},
                       prev_closes={STOCK: D("10.00"), OTHER: D("5.00")}, st=frozenset(),
                       mean_amount={}, industries={}, index_closes=[], futures={},
                       cum_closes={STOCK: D("13.15")})


def test_no_trade_yet_is_valued_at_the_reference() -> None:
    prices = live_prices({}, [STOCK], [], daily(RECORD), EX)
    assert prices.prices == {STOCK: D("10.00")} and prices.from_close == [STOCK]


def test_yesterdays_close_as_last_price_is_a_bad_print_and_the_reference_stands() -> None:
    prices = live_prices({STOCK: "13.15"}, [STOCK], [], daily(RECORD), EX)
    assert prices.prices == {STOCK: D("10.00")}
    assert "above its limit-up" in prices.bad_prints[0]


def test_a_trade_today_is_the_price() -> None:
    assert live_prices({STOCK: "10.20"}, [STOCK], [], daily(RECORD), EX).prices == {
        STOCK: D("10.20")}


def test_until_the_desk_takes_the_statement_the_book_is_valued_cum_rights() -> None:
    """The ledger still holds 1000 shares and no dividend: at 10.00 that would be a drop
    of 3150 (a drawdown); at the cum-rights close it is yesterday's value."""
    taken = Book("a", D("1000.00"), {STOCK: 1000, OTHER: 100}, corporate_day=RECORD)
    assert taken.awaits_corporate(EX) and not taken.awaits_corporate(RECORD)
    assert not Book("a", D(0), {}).awaits_corporate(EX)  # an older ledger: as before
    raw = {STOCK: "10.05", OTHER: "5.10"}
    prices = live_prices(raw, [STOCK, OTHER], [], daily(RECORD), EX, cum_rights=True).prices
    assert prices == {STOCK: D("13.15"), OTHER: D("5.10")}
    nav = compute_nav(taken, prices, multiplier=200, margin_rate=D("0.15")).nav
    assert nav == D("1000.00") + 1000 * D("13.15") + 100 * D("5.10")
    booked = Book("a", D("1150.00"), {STOCK: 1300, OTHER: 100}, corporate_day=EX)
    live = live_prices(raw, [STOCK, OTHER], [], daily(RECORD), EX,
                       cum_rights=booked.awaits_corporate(EX)).prices
    assert live == {STOCK: D("10.05"), OTHER: D("5.10")}


def test_once_the_days_close_is_stored_it_is_the_fallback() -> None:
    stored = DailyInputs(day=EX, closes={STOCK: D("10.05")}, prev_closes={STOCK: D("10.00")},
                         st=frozenset(), mean_amount={}, industries={}, index_closes=[],
                         futures={})
    assert live_prices({}, [STOCK], [], stored, EX).prices == {STOCK: D("10.05")}


def test_the_evenings_store_knows_tomorrows_ex_date(tmp_path: Path,
                                                    calendar: TradingCalendar) -> None:
    """Paper mode hands the desk's store each day in the evening: an action announced for
    tomorrow is in it, so the daemon's reference on the ex-date morning is ex-rights."""
    market = demo_market(300, 120, 11, calendar=calendar)
    actions = [a for a in parse_actions(market.actions) if a.ex_date >= market.days[80]]
    action = max(actions, key=lambda a: a.new_shares)
    store = MarketStore(tmp_path)
    write_market(store, market, through=action.record_date)
    assert store.latest_date() == action.record_date
    held = pd.Series({action.symbol: 1000})
    morning = load_daily(store, action.ex_date, held, RiskConfig())
    close = morning.closes[action.symbol]
    assert morning.prev_closes[action.symbol] == ex_rights_price(close, action.cash,
                                                                 action.new_shares) < close
    assert morning.cum_closes == {a.symbol: morning.closes[a.symbol] for a in actions
                                  if a.ex_date == action.ex_date}
    prices = live_prices({}, [action.symbol], [], morning, action.ex_date).prices
    assert prices[action.symbol] == morning.prev_closes[action.symbol]
