"""Across the 2024-style crash (issue 13): the real services hedge live and unwind, and
`desk risk replay`'s engine on the same NAV path agrees within the stated tolerance.

30 trading days, `--scenario crash2024`: the desk's small-cap book falls past the 20%
rung, the risk daemon proposes the IM hedge, the demo approves it as a trader would,
execution works it on the simulated CFFEX gateway, and it is bought back once the
market has stabilised. The live unhedged path (NAV less the hedge's P&L and fees) is
then replayed: the replay must open on the day the live desk did (±1 trading day, the
live desk acts intraday, the replay at the close), close within 3 trading days of it,
and its hedged maximum drawdown must be within 1.5 percentage points of the live one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from exchange import Side, future_spec
from execution.eod.nav_series import stored_records
from marketdata.calendar import load_calendar
from marketdata.store import MarketStore
from orders.order import Offset, OrderKind
from risk.replay import run_replay
from services.paper_days import PaperRun, run_paper_days
from services.settings_loader import DEFAULT_CONFIG, load_settings

pytestmark = pytest.mark.slow

DAYS = 30
ACCOUNT = "paper"
DRAWDOWN_TOLERANCE = 0.015  # hedged max drawdown, live vs replay
OPEN_DAYS, CLOSE_DAYS = 1, 3  # trading days between the live and the replayed actions


class Collect:
    """At the run's last step, while its Redis is up: NAV records, hedges, the store."""

    def __init__(self) -> None:
        self.navs: pd.DataFrame | None = None
        self.hedges: list[dict[str, Any]] = []
        self.index: pd.Series | None = None
        self.futures: pd.DataFrame | None = None

    def __call__(self, run: PaperRun, at: datetime) -> None:
        last = run.plan.days[-1]
        if at.date() != last or at.time() != run.settings.scheduler.run_time:
            return
        assert run.client is not None
        rows = [{"day": pd.Timestamp(r.day), "nav": float(r.nav),
                 "stock_value": float(r.stock_value), "futures_pnl": float(r.futures_pnl)}
                for r in stored_records(run.client, ACCOUNT)]
        self.navs = pd.DataFrame(rows).set_index("day").sort_index()
        queue = run.queue()
        for day in run.plan.days:
            for record in queue.list_orders(day):
                if record.order.kind is OrderKind.HEDGE and record.filled_quantity:
                    self.hedges.append({"day": day, "side": record.order.side,
                                        "offset": record.order.offset,
                                        "lots": record.filled_quantity,
                                        "price": record.average_price, "fees": record.fees,
                                        "symbol": record.order.symbol})
        store = MarketStore(Path(run.settings.data_dir) / run.settings.data.store_dir)
        first = run.plan.days[0]
        self.index = store.load_index(first, last)["csi1000"].astype(float)
        self.futures = store.load_futures(first, last)


def unhedged(navs: pd.DataFrame, hedges: list[dict[str, Any]]) -> pd.DataFrame:
    """The live NAV without the hedge: less its open P&L, its realised P&L and fees."""
    realised = pd.Series(0.0, index=navs.index)
    short_lots, avg = 0, Decimal(0)
    for h in sorted(hedges, key=lambda h: h["day"]):
        mult = future_spec(h["symbol"]).multiplier
        at = realised.index >= pd.Timestamp(h["day"])
        if h["side"] is Side.SELL:
            avg = (avg * short_lots + h["price"] * h["lots"]) / (short_lots + h["lots"])
            short_lots += h["lots"]
        else:
            realised[at] += float((avg - h["price"]) * h["lots"] * mult)
            short_lots -= h["lots"]
        realised[at] -= float(h["fees"])
    nav = navs["nav"] - navs["futures_pnl"] - realised
    return pd.DataFrame({"nav": nav, "stock_value": navs["stock_value"]})


@pytest.fixture(scope="module")
def crash_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Collect]:
    base = load_settings(DEFAULT_CONFIG)
    settings = base.model_copy(update={
        "data_dir": tmp_path_factory.mktemp("paper-crash"),
        "clock": base.clock.model_copy(update={"step_minutes": 10}),
    })
    collect = Collect()
    summary = run_paper_days(settings, days=DAYS, auto_approve=True, scenario="crash2024",
                             stocks=200, keep=False, echo=print, on_step=collect)
    return summary, collect


def _trading_days_between(a: date, b: date, days: list[date]) -> int:
    return abs(days.index(a) - days.index(b))


def test_the_ladder_hedges_live_unwinds_and_matches_the_replay(
        crash_run: tuple[dict[str, Any], Collect]) -> None:
    summary, got = crash_run
    assert "error" not in summary, summary.get("error")
    assert summary["reconciliation_breaks"] == 0 and summary["days_not_reconciled"] == []
    assert summary["max_drawdown"] > 0.20  # the crash crossed the first rung
    opens = [h for h in got.hedges if h["offset"] is Offset.OPEN]
    closes = [h for h in got.hedges if h["offset"] is not Offset.OPEN]
    assert opens and closes, got.hedges
    assert sum(h["lots"] for h in closes) == sum(h["lots"] for h in opens)  # all off again
    assert got.navs is not None and got.index is not None
    book = unhedged(got.navs, got.hedges)
    result = run_replay(book, got.index, got.futures, load_settings(DEFAULT_CONFIG).risk,
                        load_calendar(load_settings(DEFAULT_CONFIG).holidays_path))
    days = [d.date() for d in got.navs.index]
    live_dd = float(got.navs["nav"].div(got.navs["nav"].cummax()).rsub(1).max())
    print(f"\nFIGURES crash: unhedged max drawdown {result.max_drawdown:.2%}; hedged: live "
          f"{live_dd:.2%}, replay {result.hedged_max_drawdown:.2%}; live hedge opened "
          f"{opens[0]['day']} ({sum(h['lots'] for h in opens)} lots), closed "
          f"{closes[-1]['day']}; replay actions "
          + "; ".join(f"{a.day} {a.offset.value} {a.lots}" for a in result.actions))
    replay_opens = [a for a in result.actions if a.offset is Offset.OPEN]
    replay_closes = [a for a in result.actions if a.offset is not Offset.OPEN]
    assert replay_opens and replay_closes
    assert _trading_days_between(replay_opens[0].day, opens[0]["day"], days) <= OPEN_DAYS
    assert _trading_days_between(replay_closes[-1].day, closes[-1]["day"], days) <= CLOSE_DAYS
    assert abs(live_dd - result.hedged_max_drawdown) <= DRAWDOWN_TOLERANCE
