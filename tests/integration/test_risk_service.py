"""The risk daemon against a real Redis and a synthetic market store."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from bus import streams
from bus.messages import decode
from exchange import Side
from marketdata.calendar import TradingCalendar, load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from marketdata.store import MarketStore
from marketdata.synthetic import write_demo_store
from orders.order import OrderKind
from risk.config import RiskConfig
from risk.drawdown import HighWaterMark
from services.risk_service import RiskService
from services.runtime import ServiceContext
from services.settings import DeskSettings

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
STORE_END = date(2024, 3, 15)
MONDAY_10AM = datetime(2024, 3, 18, 10, 0, tzinfo=EXCHANGE_TZ)


@pytest.fixture(scope="module")
def calendar() -> TradingCalendar:
    return load_calendar(REPO / "config" / "holidays.yaml")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, calendar: TradingCalendar) -> MarketStore:
    return write_demo_store(tmp_path_factory.mktemp("store"), 60, 90, 3, end=STORE_END,
                            calendar=calendar)


def closes(store: MarketStore, count: int = 30) -> dict[str, Decimal]:
    row = store.load_panel(STORE_END, 1, ["close"])["close"].iloc[-1].dropna()
    return {str(s): Decimal(str(v)).quantize(Decimal("0.01")) for s, v in row.head(count).items()}


def seed_book(client: redis.Redis, store: MarketStore, cash: str = "20000000") -> Decimal:
    """30 stocks of about CNY 1 m each, prices at the last close; returns the NAV."""
    prices = closes(store)
    positions = {s: int(1_000_000 / p / 100) * 100 for s, p in prices.items()}
    ledger = {"account": "paper", "cash": cash, "at": MONDAY_10AM.isoformat(), "futures": {},
              "positions": {s: {"quantity": str(q), "sellable": str(q), "avg_cost": str(prices[s])}
                            for s, q in positions.items()}}
    client.set(streams.LEDGER.format(account="paper"), json.dumps(ledger))
    client.hset(streams.LAST_PRICES, mapping={s: str(p) for s, p in prices.items()})
    return Decimal(cash) + sum((prices[s] * q for s, q in positions.items()), Decimal(0))


def service(client: redis.Redis, store: MarketStore, calendar: TradingCalendar,
            clock: FixedClock, cfg: RiskConfig | None = None) -> RiskService:
    ctx = ServiceContext(settings=DeskSettings(mode="paper", risk=cfg or RiskConfig()),
                         client=client, clock=clock, data_dir=Path("."), _store=store,
                         _calendar=calendar)
    svc = RiskService(ctx)
    svc.setup()
    return svc


def messages(client: redis.Redis, stream: str) -> list:  # type: ignore[type-arg]
    return [decode(fields) for _, fields in client.xrange(stream)]


def test_publishes_nav_and_persists_the_high_water_mark(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    nav = seed_book(redis_client, store)
    svc = service(redis_client, store, calendar, FixedClock(MONDAY_10AM))
    obs = svc.check()
    assert obs is not None and obs.accepted and obs.drawdown == 0.0
    [snap] = [m.body for m in messages(redis_client, streams.NAV)]
    assert snap.nav == nav and snap.hwm == nav and snap.drawdown == 0.0
    hwm = HighWaterMark.from_json(str(redis_client.get(streams.HWM.format(account="paper"))), "hwm")
    assert hwm.value == nav
    state = json.loads(str(redis_client.get(streams.RISK_STATE.format(account="paper"))))
    assert state["nav"] == str(nav) and state["hedge_ratio"] == 0.0 and not state["reducing"]
    assert messages(redis_client, streams.PROPOSALS) == []


def test_breach_proposes_urgent_hedges_and_a_restart_does_not_repeat_them(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    nav = seed_book(redis_client, store)
    peak = (nav / Decimal("0.78")).quantize(Decimal("0.01"))  # the desk was 22% higher
    redis_client.set(streams.HWM.format(account="paper"),
                     HighWaterMark(peak, MONDAY_10AM - timedelta(days=30)).to_json())
    clock = FixedClock(MONDAY_10AM)
    svc = service(redis_client, store, calendar, clock)
    started = time.perf_counter()
    svc.check()
    elapsed = time.perf_counter() - started
    proposals = [m.body.order for m in messages(redis_client, streams.PROPOSALS)]
    assert proposals, "a 22% drawdown must propose a hedge"
    assert elapsed < 1.0
    assert all(o.kind is OrderKind.HEDGE and o.urgent and o.side is Side.SELL for o in proposals)
    assert all(o.symbol.startswith("IM24") and o.quantity <= 20 for o in proposals)
    assert all(o.reference_price % Decimal("0.2") == 0 for o in proposals)
    assert "reached the 20% rung" in proposals[0].reason
    assert "basis" in proposals[0].cost_note and "margin" in proposals[0].cost_note
    alerts = [m.body.title for m in messages(redis_client, streams.ALERTS)]
    assert any("hedge ladder up" in title for title in alerts)
    # A restart: the high-water mark, the ladder and the proposals in flight survive.
    clock.advance(timedelta(seconds=5))
    again = service(redis_client, store, calendar, clock)
    assert again.hwm is not None and again.hwm.value == peak
    assert again.monitor.ladder.level == 0
    again.check()
    assert len(messages(redis_client, streams.PROPOSALS)) == len(proposals)


def test_a_price_beyond_its_limit_is_not_used(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    nav = seed_book(redis_client, store)
    symbol, price = next(iter(closes(store).items()))
    redis_client.hset(streams.LAST_PRICES, symbol, str(price * 3))
    svc = service(redis_client, store, calendar, FixedClock(MONDAY_10AM))
    obs = svc.check()
    assert obs is not None and obs.state.last_accepted == nav  # valued at the close
    titles = [m.body.title for m in messages(redis_client, streams.ALERTS)]
    assert f"bad print ignored: {symbol}" in titles


def test_a_nav_spike_is_held_until_confirmed(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    seed_book(redis_client, store)
    clock = FixedClock(MONDAY_10AM)
    svc = service(redis_client, store, calendar, clock)
    svc.check()
    ledger = json.loads(str(redis_client.get(streams.LEDGER.format(account="paper"))))
    ledger["cash"] = "5000000"  # cash read wrong for one update: NAV -30%
    redis_client.set(streams.LEDGER.format(account="paper"), json.dumps(ledger))
    clock.advance(timedelta(seconds=1))
    obs = svc.check()
    assert obs is not None and not obs.accepted
    assert svc.monitor.ladder.level == -1
    assert messages(redis_client, streams.PROPOSALS) == []
    assert any("bad print" in m.body.title for m in messages(redis_client, streams.ALERTS))


def test_an_unreadable_ledger_alerts_and_values_nothing(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    redis_client.set(streams.LEDGER.format(account="paper"), '{"cash": "abc"}')
    svc = service(redis_client, store, calendar, FixedClock(MONDAY_10AM))
    assert svc.check() is None
    [alert] = [m.body for m in messages(redis_client, streams.ALERTS)]
    assert alert.severity == "critical" and "'cash' missing or not a number" in alert.detail
    assert messages(redis_client, streams.NAV) == []


def test_a_failing_check_alerts_and_the_daemon_keeps_going(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    seed_book(redis_client, store)
    svc = service(redis_client, store, calendar, FixedClock(MONDAY_10AM))
    svc.ctx._store = MarketStore(Path("/nonexistent/store"))  # the store vanished
    svc.step()
    alerts = [m.body for m in messages(redis_client, streams.ALERTS)]
    assert [a.title for a in alerts] == ["risk check failed"]
    svc.ctx._store, svc._last_check = store, float("-inf")
    svc.step()
    assert len(messages(redis_client, streams.NAV)) == 1


def test_desk_risk_status_shows_the_published_state(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar,
        tmp_path: Path) -> None:
    from click.testing import CliRunner

    from services.cli.context import DeskContext
    from services.cli.risk_cmd import risk_group

    desk = DeskContext(None, str(tmp_path))
    desk._client = redis_client
    missing = CliRunner().invoke(risk_group, ["status"], obj=desk)
    assert missing.exit_code == 1 and "is the risk service running" in missing.output
    nav = seed_book(redis_client, store)
    service(redis_client, store, calendar, FixedClock(MONDAY_10AM)).check()
    shown = CliRunner().invoke(risk_group, ["status", "--json"], obj=desk)
    assert json.loads(shown.output)["nav"] == str(nav)
    text = CliRunner().invoke(risk_group, ["status"], obj=desk)
    assert "Reducing" in text.output and f"CNY {nav:,.2f}" in text.output  # as a trader reads


def test_a_failing_hedge_step_still_publishes_nav(
        redis_client: redis.Redis, store: MarketStore, calendar: TradingCalendar) -> None:
    nav = seed_book(redis_client, store)
    redis_client.set(streams.HWM.format(account="paper"),
                     HighWaterMark((nav / Decimal("0.78")).quantize(Decimal("0.01")),
                                   MONDAY_10AM - timedelta(days=30)).to_json())
    clock = FixedClock(MONDAY_10AM)
    svc = service(redis_client, store, calendar, clock,
                  RiskConfig(publish_interval_s=1e-9))
    svc.check()
    [order_id, *_] = svc.in_flight
    redis_client.set(streams.ORDER.format(order_id=order_id), "{not an order record")
    clock.advance(timedelta(days=1))  # the next day's check looks at the proposals in flight
    obs = svc.check()
    assert obs is not None and obs.accepted
    alerts = [m.body for m in messages(redis_client, streams.ALERTS)]
    assert [a.severity for a in alerts if a.title == "hedge check failed"] == ["critical"]
    assert "risk check failed" not in [a.title for a in alerts]
    assert len(messages(redis_client, streams.NAV)) == 2  # the NAV went out regardless
