from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from risk_kit import quote

from exchange import Side
from marketdata.calendar import TradingCalendar
from marketdata.clock import EXCHANGE_TZ
from orders.order import OrderKind
from risk.alert_gate import AlertGate
from risk.config import RiskConfig
from risk.drawdown import HighWaterMark
from risk.hedge_orders import hedge_orders
from risk.hedge_plan import HedgeInputs, plan_hedge
from risk.ledger_view import LedgerUnreadable, book_from_ledger
from risk.live_view import PriceClock, build_quotes, hedged_share
from risk.market_inputs import FuturesBar
from risk.monitor import MonitorState, close_day, hedge_trigger, mark_planned, observe_nav
from risk.state_doc import parse_state, pending_proposals, state_json

T0 = datetime(2024, 2, 5, 10, 0, tzinfo=EXCHANGE_TZ)
PEAK = HighWaterMark(Decimal("100000000"), T0 - timedelta(days=20))


def test_breach_climbs_the_ladder_and_says_so(cfg: RiskConfig) -> None:
    state = MonitorState(last_accepted=Decimal("81000000"))
    obs = observe_nav(state, PEAK, cfg, Decimal("79000000"), T0, 0.05)
    assert obs.accepted and obs.ladder_moved and obs.drawdown == pytest.approx(0.21)
    assert obs.state.ladder.level == 0 and obs.state.last_accepted == Decimal("79000000")
    assert [a.severity for a in obs.alerts] == ["critical"]
    assert hedge_trigger(obs.state, T0.date()) is True
    planned = mark_planned(obs.state, T0.date())
    assert hedge_trigger(planned, T0.date()) is None
    assert hedge_trigger(planned, T0.date() + timedelta(days=1)) is False  # daily check


def test_bad_print_leaves_mark_and_ladder_alone(cfg: RiskConfig) -> None:
    state = MonitorState(last_accepted=Decimal("95000000"))
    obs = observe_nav(state, PEAK, cfg, Decimal("70000000"), T0, 0.05)
    assert not obs.accepted and not obs.ladder_moved
    assert obs.drawdown == pytest.approx(0.05) and obs.hwm == PEAK
    assert obs.state.suspect == Decimal("70000000") and obs.state.ladder.level == -1
    confirmed = observe_nav(obs.state, PEAK, cfg, Decimal("69900000"), T0, 0.05)
    assert confirmed.accepted and confirmed.state.ladder.level == 2
    assert "confirmed" in confirmed.alerts[0].title


def test_hard_limit_enters_and_leaves_the_reducing_state(cfg: RiskConfig) -> None:
    state = MonitorState(last_accepted=Decimal("66000000"))
    down = observe_nav(state, PEAK, cfg, Decimal("64000000"), T0, 0.05)
    assert down.state.reducing
    assert any("hard drawdown limit" in a.title for a in down.alerts)
    back = observe_nav(down.state, PEAK, cfg, Decimal("66500000"), T0, 0.05)
    assert back.state.reducing  # 33.5% is inside the hysteresis band
    lifted = observe_nav(back.state, PEAK, cfg, Decimal("68500000"), T0, 0.05)
    assert not lifted.state.reducing and "lifted" in lifted.alerts[0].title


def test_close_day_runs_once_per_day(cfg: RiskConfig) -> None:
    state = MonitorState(last_accepted=Decimal("78000000"))
    day = T0.date()
    once = close_day(state, PEAK, cfg, day, [1000.0])
    assert once.closed_day == day and once.ladder.evidence.last_close == day
    assert close_day(once, PEAK, cfg, day, [1000.0]) is once
    assert close_day(MonitorState(), None, cfg, day, [1000.0]).closed_day == day


def test_state_document_round_trips(cfg: RiskConfig) -> None:
    obs = observe_nav(MonitorState(), PEAK, cfg, Decimal("75000000"), T0, 0.05)
    raw = state_json({"nav": "75000000"}, obs.state, {"hedge-1": T0.isoformat()})
    assert json.loads(raw)["nav"] == "75000000"
    assert parse_state(raw, "k") == (obs.state, {"hedge-1": T0.isoformat()})
    assert parse_state(None, "k") == (MonitorState(), {})
    with pytest.raises(ValueError, match="desk:risk:state:paper: unreadable"):
        parse_state('{"nav": 1}', "desk:risk:state:paper")


def test_pending_proposals() -> None:
    in_flight = {"a": T0.isoformat(), "b": T0.isoformat(), "c": T0.isoformat(),
                 "d": (T0 - timedelta(minutes=5)).isoformat()}
    finished = {"a": True, "b": False, "c": None, "d": None}
    still, lost = pending_proposals(in_flight, finished, T0 + timedelta(seconds=10), 120)
    assert set(still) == {"b", "c"} and lost == ["d"]


def test_ledger_is_read_defensively() -> None:
    raw = json.dumps({"account": "paper", "cash": "1000.50", "at": T0.isoformat(),
                      "positions": {"600000.SSE": {"quantity": "300", "sellable": "300",
                                                   "avg_cost": "10"}},
                      "futures": {"IM2403.CFFEX": {"short": "4", "avg_price": "5000.2"}}})
    book = book_from_ledger(raw, "desk:ledger:paper", "paper")
    assert book.cash == Decimal("1000.50") and book.positions == {"600000.SSE": 300}
    assert book.short_lots == 4 and book.futures["IM2403.CFFEX"].avg_price == Decimal("5000.2")
    for bad, why in [
        (None, "no ledger"), ("[1]", "expected a JSON object"), ("{", "not JSON"),
        ('{"cash": "1", "positions": {"600000.SSE": {"quantity": "1.5"}}}',
         "positions.600000.SSE: 'quantity' 1.5 is not a whole number"),
        ('{"cash": "1", "futures": {"IM2403.CFFEX": {"short": "-2", "avg_price": "1"}}}',
         "long futures position"),
    ]:
        with pytest.raises(LedgerUnreadable, match=why):
            book_from_ledger(bad, "desk:ledger:paper", "paper")


def test_hedge_orders_are_urgent_hedges_for_the_queue(calendar: TradingCalendar,
                                                      cfg: RiskConfig) -> None:
    quotes = [quote("IM2403.CFFEX", "4324.8", calendar), quote("IM2406.CFFEX", "4194.2", calendar)]
    plan = plan_hedge(HedgeInputs(T0.date(), 0.6, 1.1, Decimal("50000000"), {}, quotes, 4600.0,
                                  Decimal("20000000"), force=True), cfg, calendar, 200)
    orders = hedge_orders(plan, reason="drawdown 21%", trade_date=T0.date(), now=T0,
                          account="paper")
    assert [o.quantity for o in orders] == [20, 19]
    assert len({o.batch_id for o in orders}) == 1 and len({o.order_id for o in orders}) == 2
    first = orders[0]
    assert first.kind is OrderKind.HEDGE and first.urgent and first.side is Side.SELL
    assert first.created_by == "risk" and first.reference_price == Decimal("4194.2")
    assert first.estimated_value == Decimal("4194.2") * 20 * 200
    assert first.cost_note == plan.cost_note and first.reason == "drawdown 21%"


def test_quotes_skip_what_cannot_be_priced_or_dated(calendar: TradingCalendar) -> None:
    bars = {"IM2403.CFFEX": FuturesBar(Decimal("4324.8"), 90_000, 80_000),
            "IM2701.CFFEX": FuturesBar(Decimal("4000.0"), 1_000, 1_000)}
    prices = {"IM2403.CFFEX": Decimal("4324.9"), "IM2701.CFFEX": Decimal("4000.0")}
    quoted = build_quotes(prices, bars, {"IM2406.CFFEX": 3}, calendar, Decimal("0.2"),
                          date(2024, 2, 5))
    assert [q.contract.symbol for q in quoted.quotes] == ["IM2403.CFFEX"]
    assert quoted.quotes[0].price == Decimal("4325.0") and quoted.quotes[0].volume == 90_000
    assert quoted.skipped["IM2406.CFFEX"] == "no price"
    assert "IM2701.CFFEX: last trading day unknown" in quoted.skipped["IM2701.CFFEX"]
    share = hedged_share({"IM2403.CFFEX": 10}, quoted.quotes, Decimal("8650000"), 1.0, 200)
    assert share == pytest.approx(1.0)


def test_alert_gate_and_price_clock() -> None:
    gate, day = AlertGate(), T0.date()
    assert gate.should_send("k", "a", day) and not gate.should_send("k", "a", day)
    assert gate.should_send("k", "b", day) and gate.should_send("k", "b", day + timedelta(1))
    gate.clear("k")
    assert gate.should_send("k", "b", day + timedelta(1))
    clock = PriceClock()
    first = clock.times(["X", "Y"], {"X": "10.00"}, T0)
    assert first == {"X": T0, "Y": None}
    later = T0 + timedelta(minutes=3)
    assert clock.times(["X"], {"X": "10.00"}, later) == {"X": T0}  # unchanged since T0
    assert clock.times(["X"], {"X": "10.01"}, later) == {"X": later}
