"""An ex-date's drop is a dividend or new shares, not a bad print and not a drawdown:
the reference is the exchange's ex-rights price, and the NAV counts the new shares and
the cash the broker's statement books."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from execution.gateway.sim.corporate import entitlement
from execution.gateway.sim.models import Lot, StockPosition
from execution.ledger import Holding, Ledger
from marketdata.calendar import TradingCalendar
from marketdata.clock import EXCHANGE_TZ
from marketdata.corporate import CorporateAction
from marketdata.synthetic import write_demo_store
from risk.badprint import ex_date_references, judge_nav, price_outside_limits
from risk.config import RiskConfig
from risk.drawdown import HighWaterMark
from risk.market_inputs import load_daily
from risk.nav import Book, compute_nav

D = Decimal
EX = date(2026, 6, 15)
ACTION = CorporateAction(symbol="600000.SSE", record_date=date(2026, 6, 12), ex_date=EX,
                         pay_date=EX, list_date=EX, cash=D("0.15"), bonus=D("0.2"),
                         transfer=D("0.1"))


def test_the_ex_rights_drop_is_inside_the_limits_of_the_ex_rights_reference() -> None:
    prev = {"600000.SSE": D("12.30"), "600001.SSE": D("5.00")}
    price = D("9.30")  # (12.30 - 0.15) / 1.3 = 9.35, less half a percent
    assert "below its limit-down" in str(price_outside_limits("600000.SSE", price,
                                                               prev["600000.SSE"], EX))
    refs = ex_date_references(prev, [ACTION], EX)
    assert refs == {"600000.SSE": D("9.35"), "600001.SSE": D("5.00")}
    assert price_outside_limits("600000.SSE", price, refs["600000.SSE"], EX) is None
    # the day after, the plain close is the reference again
    assert ex_date_references(prev, [ACTION], date(2026, 6, 16)) == prev


def test_nav_over_the_ex_date_is_not_a_drawdown_nor_a_suspect_jump() -> None:
    when = datetime(2026, 6, 12, 15, 0, tzinfo=EXCHANGE_TZ)
    ledger = Ledger("a", D("100000.00"), when, {"600000.SSE": Holding(10000, 10000, D("12"))})
    before = compute_nav(Book("a", ledger.cash, {"600000.SSE": 10000}),
                         {"600000.SSE": D("12.30")}, multiplier=200, margin_rate=D("0.12"))
    held = StockPosition(quantity=10000, sellable=10000,
                         lots=(Lot(acquired=date(2025, 1, 2), quantity=10000),))
    due = entitlement(ACTION, held)  # held > 1 year: no tax
    ledger = ledger.book_corporate("600000.SSE", due.net_cash, due.new_shares,
                                   when.replace(day=15, hour=9))
    after = compute_nav(Book("a", ledger.cash, {"600000.SSE": ledger.positions[
        "600000.SSE"].quantity}), {"600000.SSE": D("9.35")}, multiplier=200,
        margin_rate=D("0.12"))
    mark = HighWaterMark(before.nav, when)
    # 13000 x 9.35 + 1500.00 cash: off by the reference's rounding only
    assert mark.drawdown(after.nav) < 0.001
    cfg = RiskConfig().bad_print
    assert judge_nav(after.nav, before.nav, None, cfg.nav_jump_daily).accepted
    assert judge_nav(after.nav, before.nav, None, cfg.nav_jump_intraday).move > -0.001


def test_the_daemon_takes_the_ex_rights_reference_from_the_store(
        tmp_path: Path, calendar: TradingCalendar) -> None:
    store = write_demo_store(tmp_path, 300, 120, 11, calendar=calendar)
    days = store.trade_dates()
    cfg = RiskConfig()
    actions = [a for a in store.corporate_actions(days[80], days[-1]) if a.ex_date >= days[80]]
    action = max(actions, key=lambda a: a.new_shares)
    assert action.new_shares >= D("0.2")  # a drop beyond the 10% band
    day = action.ex_date
    panel = store.load_panel(day, 1, ["prev_close", "close"])
    reference = D(str(panel["prev_close"].iloc[-1][action.symbol])).quantize(D("0.01"))
    daily = load_daily(store, day, pd.Series({action.symbol: 1000}), cfg)
    assert daily.prev_closes[action.symbol] == reference
    close = D(str(panel["close"].iloc[-1][action.symbol])).quantize(D("0.01"))
    assert price_outside_limits(action.symbol, close, reference, day) is None
