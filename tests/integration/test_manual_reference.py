"""Manual orders take the previous close, ST status and name from the store."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import redis

from exchange import limit_prices, price_band
from execution.approval.manual import ManualOrderRefused, ManualOrderRequest, add_manual_order
from execution.approval.queue import OrderQueue
from execution.approval.reference_data import ReferenceData
from marketdata.calendar import load_calendar
from marketdata.clock import FixedClock
from marketdata.store import MarketStore
from marketdata.synthetic import write_demo_store
from services.settings_loader import DEFAULT_CONFIG, load_settings


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> MarketStore:
    root = tmp_path_factory.mktemp("store")
    calendar = load_calendar(load_settings(DEFAULT_CONFIG, env={}).holidays_path)
    write_demo_store(root, stocks=200, days=30, seed=3, calendar=calendar)
    return MarketStore(root)


def test_facts_match_the_latest_stored_day(store: MarketStore) -> None:
    latest = store.latest_date()
    assert latest is not None
    day = store.load_panel(latest, 1, ["close"]).on(latest)
    symbol = str(day["close"].dropna().index[0])
    facts = ReferenceData(store).facts(symbol)
    assert facts.as_of == latest
    assert facts.prev_close == Decimal(str(round(float(day["close"][symbol]), 2)))
    assert facts.name == store.instruments()["name"][symbol]


def test_manual_order_above_limit_up_is_refused_with_stored_close(
        store: MarketStore, redis_client: redis.Redis, clock: FixedClock) -> None:
    latest = store.latest_date()
    assert latest is not None
    day = store.load_panel(latest, 1, ["close", "risk_flag"]).on(latest)
    symbol = next(str(s) for s in day.index if s.endswith(".SSE") and s.startswith("60")
                  and day["risk_flag"][s] == 0 and day["close"][s] > 0)
    facts = ReferenceData(store).facts(symbol)
    assert facts.prev_close is not None
    up, _down = limit_prices(facts.prev_close, price_band(symbol, latest))
    assert up is not None
    queue = OrderQueue(redis_client, clock)
    too_high = ManualOrderRequest(symbol=symbol, side="buy", quantity=100,
                                  limit_price=up + Decimal("0.01"), reason="test above limit")
    with pytest.raises(ManualOrderRefused, match="limit"):
        add_manual_order(queue, too_high, author="alice", account="paper",
                         prev_close=facts.prev_close, st=facts.st)
    fine = too_high.model_copy(update={"limit_price": up})
    record = add_manual_order(queue, fine, author="alice", account="paper",
                              prev_close=facts.prev_close, st=facts.st)
    assert record.order.created_by == "alice"


def test_empty_store_gives_no_facts(tmp_path: Path) -> None:
    facts = ReferenceData(MarketStore(tmp_path / "none")).facts("600000.SSE")
    assert facts.prev_close is None and facts.as_of is None
