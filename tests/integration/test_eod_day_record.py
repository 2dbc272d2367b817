"""`run_eod` after a real simulated day writes the day's record: the stock value bought
(the broker's own trades), fees as booked, the IM short held at the close; the report's
history table shows the day, hedged."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from execution.eod.day_record import DayRecords
from services.eod.trigger import run_eod
from tests.integration.test_eod_run import closed, context  # noqa: F401 (fixture)
from tests.unit.execution.deskkit import DAY, SimDay

pytestmark = pytest.mark.integration


def test_the_end_of_day_records_what_the_day_traded_and_held(closed: SimDay,  # noqa: F811
                                                            tmp_path: Path) -> None:
    result = run_eod(context(closed, tmp_path / "desk"), DAY)
    [day], errors = DayRecords(closed.client, "paper").read()
    assert errors == [] and day.day == DAY
    orders = {o.orderid: o.reference for o in closed.broker_orders()}
    bought = sum((t.price * t.volume for t in closed.broker_trades()
                  if orders[t.orderid].startswith(("buy#", "low#"))), Decimal(0))
    assert day.bought == bought > 0 and day.sold == 0
    assert day.stamp_duty == 0  # stamp duty is on sells only
    assert day.futures_lots == 4 and day.option_lots == 0 and day.hedged
    assert day.fees > 0 and day.hedge_traded > 0
    html = result.html.read_text()
    assert html.count('<tr class="history-day hedged">') == 1
    assert f"hedged {DAY} to {DAY}: 4 IM short" in html
