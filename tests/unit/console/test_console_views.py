"""Row filtering and sorting, the schedule, the NAV chart, and live events."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from bus.messages import FillEvent, OrderEvent, encode
from exchange import Side
from execution.approval.policy_config import ApprovalConfig
from execution.eod.nav_points import NavPoint
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ
from orders.order import OrderRecord, OrderState
from risk.config import RiskConfig
from services.console.charts import closed_days, nav_chart
from services.console.filters import filter_from
from services.console.live import live_event
from services.console.views import RowFilter, make_rows, schedule_fraction, totals
from tests.unit.console.chart_kit import svg_of, texts
from tests.unit.queue.queue_kit import make_hedge, make_order

AT = datetime(2026, 11, 23, 10, 0, tzinfo=EXCHANGE_TZ)


def _rows() -> list:  # type: ignore[type-arg]
    records = [
        OrderRecord(order=make_order("A", symbol="600000.SSE", side=Side.BUY, quantity=1000)),
        OrderRecord(order=make_order("B", symbol="300750.SZSE", side=Side.SELL, quantity=300,
                                     reason="ST sell")),
        OrderRecord(order=make_order("C", symbol="688981.SSE", side=Side.BUY, quantity=5000),
                    state=OrderState.APPROVED),
    ]
    prices = {"600000.SSE": Decimal("10.80")}
    return make_rows(records, prices, ApprovalConfig())


def test_rows_carry_board_value_and_price_move() -> None:
    rows = {r.record.order_id: r for r in _rows()}
    assert [rows[k].board for k in "ABC"] == ["main", "chinext", "star"]
    assert rows["A"].value == Decimal("10000.00")
    assert rows["A"].move == Decimal("0.08") and rows["B"].move is None


def test_filter_by_side_board_state_text_and_value() -> None:
    rows = _rows()
    ids = lambda f: [r.record.order_id for r in f.apply(rows)]  # noqa: E731
    assert ids(RowFilter()) == ["A", "B"]  # pending only by default
    assert ids(RowFilter(state="")) == ["A", "B", "C"]
    assert ids(RowFilter(state="", side="buy")) == ["A", "C"]
    assert ids(RowFilter(state="", board="star")) == ["C"]
    assert ids(RowFilter(state="", text="st sell")) == ["B"]
    assert ids(RowFilter(state="", min_value=Decimal("5000"), max_value=Decimal("20000"))) == ["A"]


def test_sort_by_value_both_ways() -> None:
    rows = _rows()
    ascending = RowFilter(state="", sort="value").apply(rows)
    assert [r.record.order_id for r in ascending] == ["B", "A", "C"]
    descending = RowFilter(state="", sort="value", desc=True).apply(rows)
    assert [r.record.order_id for r in descending] == ["C", "A", "B"]


def test_untrusted_filter_parameters_are_tamed() -> None:
    f = filter_from({"side": "<script>", "state": "bogus", "min_value": "NaN", "sort": "x"})
    assert (f.side, f.state, f.min_value) == ("", "pending_approval", None)
    assert RowFilter(state="", sort="x").apply(_rows())  # an unknown sort key is ignored


def test_totals_split_buys_and_sells() -> None:
    t = totals(_rows())
    assert t == {"count": 3, "buy_value": Decimal("60000.00"), "sell_value": Decimal("3000.00")}


def test_schedule_skips_the_lunch_break() -> None:
    start, end = time(9, 30), time(15, 0)
    at = lambda h, m: datetime(2026, 11, 23, h, m, tzinfo=EXCHANGE_TZ)  # noqa: E731
    assert schedule_fraction(start, end, at(9, 0)) == 0.0
    assert schedule_fraction(start, end, at(11, 30)) == 0.5
    assert schedule_fraction(start, end, at(12, 30)) == 0.5
    assert schedule_fraction(start, end, at(14, 0)) == 0.75
    assert schedule_fraction(start, end, at(15, 30)) == 1.0


def _points(drawdowns: list[float]) -> list[NavPoint]:
    peak = Decimal("50000000")
    return [NavPoint(AT.replace(hour=9 + i // 2, minute=30 * (i % 2)), peak * Decimal(str(1 - d)),
                     peak, d) for i, d in enumerate(drawdowns)]


def test_chart_fits_a_small_drawdown_and_names_the_rung_off_scale() -> None:
    html = str(nav_chart(_points([0.0, 0.0004, 0.0013, 0.0008]), RiskConfig().ladder))
    assert html.startswith('<img class="chart nav-chart" src="data:image/svg+xml;base64,')
    shown = texts(svg_of(html))
    assert "-0.16%" in shown or "-0.15%" in shown  # the axis reaches just below -0.13%
    assert not any(t.startswith("-20.00% → hedge") for t in shown)  # no rung drawn
    assert ("drawdown from the intraday high-water mark; next rung -20.00% → hedge 30.00% "
            "is off this scale") in shown
    hours = [t for t in shown if t[:2].isdigit() and ":" in t]
    assert hours == ["09:30", "10:30", "11:30/13:00", "14:00", "15:00"]


def test_chart_draws_the_rungs_in_range_and_marks_hedges() -> None:
    points = _points([0.0, 0.1, 0.21, 0.18])
    hedge = OrderRecord(order=make_hedge(created_at=points[2].at))
    shown = texts(svg_of(str(nav_chart(points, RiskConfig().ladder, [hedge]))))
    assert "-20.00% → hedge 30.00%" in shown and "-25.00% → hedge 60.00%" in shown
    assert "-30.00% → hedge 100.00%" not in shown
    assert "sell 2 IM2612.CFFEX (pending_approval)" in shown
    assert "No NAV yet" in str(nav_chart([], RiskConfig().ladder))


def test_a_holiday_takes_no_room_on_the_chart(repo_root: Path) -> None:
    calendar = load_calendar(repo_root / "config" / "holidays.yaml")
    peak = Decimal("50000000")
    moments = [datetime(2026, 9, 30, 15, 0, tzinfo=EXCHANGE_TZ),
               datetime(2026, 10, 1, 11, 0, tzinfo=EXCHANGE_TZ),  # National Day: the daemon
               datetime(2026, 10, 9, 9, 45, tzinfo=EXCHANGE_TZ)]  # still publishes
    points = [NavPoint(at, peak, peak, 0.0) for at in moments]
    assert closed_days(points, calendar) == frozenset({date(2026, 10, 1)})
    shown = texts(svg_of(str(nav_chart(points, RiskConfig().ladder, calendar=calendar))))
    assert [t for t in shown if t.startswith(("2026-", "09-", "10-"))] == ["2026-09-30", "10-09"]


def _fields(msg_type: str, body: object) -> dict[str, str]:
    return encode(msg_type, body, source="t", ts=AT, msg_id="m1")  # type: ignore[arg-type]


def test_live_events_for_orders_and_fills() -> None:
    record = OrderRecord(order=make_order("A"), state=OrderState.PARTIALLY_FILLED,
                         filled_quantity=300, filled_value=Decimal("3000"))
    event = live_event(_fields("order.event", OrderEvent(record=record, event="fill")))
    assert event is not None and event["event"] == "order"
    data = json.loads(event["data"])
    assert (data["id"], data["state"], data["filled"], data["name"]) == (
        "A", "partially_filled", 300, "浦发银行")
    fill = FillEvent(trade_id="t1", order_id="A", reference="r1", symbol="600000.SSE",
                     side="buy", quantity=300, price=Decimal("10.00"), at=AT, account="paper")
    event = live_event(_fields("fill", fill))
    assert event is not None and json.loads(event["data"])["quantity"] == 300
    assert live_event({"type": "garbage"}) is None
