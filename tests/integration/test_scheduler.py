"""The nightly job: data gate, one batch per trade date, refusal, catch-up policy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest
import redis

from bus import streams
from execution.approval.intake import intake_consumers
from execution.approval.lifecycle import Action
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from marketdata.synthetic import write_demo_store
from services.runtime import ServiceContext
from services.scheduler.dates import paper_dates, production_dates
from services.scheduler.nightly import run_nightly
from services.scheduler.service import SchedulerService
from services.settings import DeskSettings
from services.settings_loader import DEFAULT_CONFIG, load_settings


@pytest.fixture(scope="module")
def market_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("desk")
    settings = load_settings(DEFAULT_CONFIG, env={})
    write_demo_store(root / "marketdata", stocks=400, days=300, seed=11,
                     calendar=load_calendar(settings.holidays_path))
    return root


@pytest.fixture
def ctx(market_dir: Path, redis_client: redis.Redis) -> Iterator[ServiceContext]:
    settings: DeskSettings = load_settings(DEFAULT_CONFIG, env={}).model_copy(
        update={"data_dir": market_dir})
    clock = FixedClock(datetime(2026, 11, 20, 20, 0, tzinfo=EXCHANGE_TZ))
    yield ServiceContext(settings=settings, client=redis_client, clock=clock, data_dir=market_dir)


def _dates(ctx: ServiceContext) -> tuple[date, date]:
    latest = ctx.store.latest_date()
    assert latest is not None
    return paper_dates(latest, ctx.calendar)


def _intake(ctx: ServiceContext) -> None:
    for consumer in intake_consumers(ctx.client, ctx.queue, "t"):
        consumer.poll(block=False)


def test_publishes_one_batch_with_explainable_orders(ctx: ServiceContext) -> None:
    signal, trade = _dates(ctx)
    outcome = run_nightly(ctx, signal, trade)
    assert outcome.outcome == "published", outcome.detail
    assert ctx.client.xlen(streams.BATCHES) == 1
    _intake(ctx)
    records = ctx.queue.list_orders(trade)
    assert records and all(r.order.reason and r.order.name for r in records)
    runs = [json.loads(r) for r in ctx.client.lrange(streams.SCHEDULER_RUNS, 0, -1)]
    assert runs[0]["outcome"] == "published" and runs[0]["batch_id"] == outcome.batch_id


def test_data_gate_refuses_a_day_without_data(ctx: ServiceContext) -> None:
    latest = ctx.store.latest_date()
    assert latest is not None
    future = ctx.calendar.next_trading_day(latest)
    outcome = run_nightly(ctx, future, ctx.calendar.next_trading_day(future))
    assert outcome.outcome == "refused"
    assert "no stock bars for the signal date" in outcome.detail
    assert ctx.client.xlen(streams.BATCHES) == 0
    alerts = [f["body"] for _i, f in ctx.client.xrange(streams.ALERTS)]
    assert any("not published" in a for a in alerts)


def test_refuses_to_replace_a_batch_with_approvals(ctx: ServiceContext) -> None:
    signal, trade = _dates(ctx)
    run_nightly(ctx, signal, trade)
    _intake(ctx)
    first = ctx.queue.list_orders(trade)[0]
    ctx.queue.apply(first.order_id, Action.APPROVE, actor="alice")
    again = run_nightly(ctx, signal, trade)
    assert again.outcome == "refused" and "already has approved order" in again.detail
    assert ctx.client.xlen(streams.BATCHES) == 1


def test_dry_run_publishes_nothing(ctx: ServiceContext) -> None:
    signal, trade = _dates(ctx)
    outcome = run_nightly(ctx, signal, trade, dry_run=True)
    assert outcome.outcome == "dry-run" and outcome.batch is not None
    assert ctx.client.xlen(streams.BATCHES) == 0
    assert ctx.client.llen(streams.SCHEDULER_RUNS) == 0


def test_catch_up_runs_the_latest_due_day_only(ctx: ServiceContext) -> None:
    cal = ctx.calendar
    # Down since Tuesday evening, back on Friday morning: only Thursday is due.
    now = datetime(2026, 11, 20, 8, 0, tzinfo=EXCHANGE_TZ)
    assert production_dates(now, cal, time(20, 0)) == (date(2026, 11, 19), date(2026, 11, 20))
    evening = datetime(2026, 11, 20, 20, 5, tzinfo=EXCHANGE_TZ)
    assert production_dates(evening, cal, time(20, 0))[0] == date(2026, 11, 20)
    weekend = datetime(2026, 11, 22, 12, 0, tzinfo=EXCHANGE_TZ)
    assert production_dates(weekend, cal, time(20, 0)) == (date(2026, 11, 20), date(2026, 11, 23))


def test_service_catch_up_publishes_once(ctx: ServiceContext) -> None:
    assert isinstance(ctx.clock, FixedClock)
    latest = ctx.store.latest_date()
    assert latest is not None
    ctx.clock.set(datetime.combine(latest, time(21, 0), tzinfo=EXCHANGE_TZ))
    settings = ctx.settings.model_copy(update={
        "clock": ctx.settings.clock.model_copy(update={"mode": "wall"}),
        "scheduler": ctx.settings.scheduler.model_copy(update={"publish_on_start": False})})
    ctx = ServiceContext(settings=settings, client=ctx.client, clock=ctx.clock,
                         data_dir=ctx.data_dir)
    for _ in range(2):  # a restart must not publish the same day again
        service = SchedulerService(ctx)
        service.setup()
        service.teardown()
    runs = [json.loads(r) for r in ctx.client.lrange(streams.SCHEDULER_RUNS, 0, -1)]
    assert [r["outcome"] for r in runs] == ["published"]
    assert runs[0]["signal_date"] == latest.isoformat() and runs[0]["trigger"] == "catch-up"


def _alerts(ctx: ServiceContext) -> list[dict[str, str]]:
    return [json.loads(f["body"]) for _i, f in ctx.client.xrange(streams.ALERTS)]


def _simulated(ctx: ServiceContext) -> ServiceContext:
    settings = ctx.settings.model_copy(update={
        "clock": ctx.settings.clock.model_copy(update={"mode": "simulated"}),
        "scheduler": ctx.settings.scheduler.model_copy(update={"publish_on_start": False})})
    return ServiceContext(settings=settings, client=ctx.client, clock=ctx.clock,
                          data_dir=ctx.data_dir)


def test_a_day_beyond_the_calendar_is_refused_with_one_alert_a_day(ctx: ServiceContext) -> None:
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(datetime(2027, 1, 4, 15, 0, tzinfo=EXCHANGE_TZ))  # Monday, not covered
    ctx = _simulated(ctx)
    service = SchedulerService(ctx)
    service.setup()
    for _ in range(3):
        service.step()  # the simulated end-of-day check, every tick
    ctx.clock.set(datetime(2027, 1, 4, 20, 0, tzinfo=EXCHANGE_TZ))
    service.on_eod()
    service.on_cron()
    service.catch_up()
    refused = [a for a in _alerts(ctx) if "not scheduled on 2027-01-04" in a["title"]]
    assert len(refused) == 1 and refused[0]["severity"] == "critical"
    assert "2026-12-31" in refused[0]["title"] and "desk calendar add" in refused[0]["detail"]
    assert ctx.client.llen(streams.SCHEDULER_RUNS) == 0
    assert service.info["calendar"]["covered_through"] == date(2026, 12, 31)

    ctx.clock.set(datetime(2027, 1, 5, 16, 0, tzinfo=EXCHANGE_TZ))  # the next day: one more
    service.step()
    service.step()
    titles = [a["title"] for a in _alerts(ctx)]
    assert sum("not scheduled on 2027-01-05" in t for t in titles) == 1
    assert sum("runs out 2026-12-31" in t for t in titles) == 2  # the notice, once a day
    service.teardown()


def test_the_last_covered_evening_refuses_a_trade_date_it_cannot_know(
        ctx: ServiceContext) -> None:
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(datetime(2026, 12, 31, 21, 0, tzinfo=EXCHANGE_TZ))
    service = SchedulerService(_simulated(ctx))
    service.catch_up()
    service.catch_up()  # after a restart, the same day: no second alert
    refused = [a for a in _alerts(ctx) if "catch-up run not scheduled on 2026-12-31" in a["title"]]
    assert len(refused) == 1
    assert ctx.client.llen(streams.SCHEDULER_RUNS) == 0 and ctx.client.xlen(streams.BATCHES) == 0


def _caps_missing_on_the_last_day(market_dir: Path, target: Path) -> None:
    """A copy of the store whose last day carries no market caps (a vendor's bad file)."""
    import shutil

    import numpy as np

    from marketdata.partitions import DayBlock, read_block
    from marketdata.store import MarketStore
    from marketdata.writer import stage_stock_days

    shutil.copytree(market_dir / "marketdata", target / "marketdata")
    store = MarketStore(target / "marketdata")
    manifest = store.manifest()
    month = max(manifest.stocks)
    block = read_block(store.root / manifest.partition_file(month))
    last = block.rows(np.arange(len(block.dates)) == len(block.dates) - 1)
    values = {k: v.copy() for k, v in last.values.items()}
    values["total_mcap"][:] = np.nan
    values["float_mcap"][:] = np.nan
    with store.transaction() as tx:
        stage_stock_days(tx, DayBlock(last.dates, last.symbols, values))


def test_the_data_gate_refuses_a_day_whose_market_caps_are_missing(
        ctx: ServiceContext, market_dir: Path, tmp_path: Path) -> None:
    _caps_missing_on_the_last_day(market_dir, tmp_path)
    bad = ServiceContext(settings=ctx.settings.model_copy(update={"data_dir": tmp_path}),
                         client=ctx.client, clock=ctx.clock, data_dir=tmp_path)
    latest = bad.store.latest_date()
    assert latest is not None
    outcome = run_nightly(bad, latest, bad.calendar.next_trading_day(latest))
    assert outcome.outcome == "refused"
    assert "field 'total_mcap'" in outcome.detail and "100.0% of listed symbols" in outcome.detail
    assert "at most 2.0% may be missing" in outcome.detail
    assert ctx.client.xlen(streams.BATCHES) == 0
    assert any("not published" in a["title"] and "total_mcap" in a["detail"]
               for a in _alerts(ctx))


def _seed_book_of_the_largest_caps(ctx: ServiceContext, signal: date) -> list[str]:
    """A ledger holding the market's five largest caps: none is in the small-cap universe."""
    caps = ctx.store.load_panel(signal, 1, ["total_mcap"])["total_mcap"].iloc[-1]
    largest = list(caps.sort_values(ascending=False).index[:5])
    ledger = {"cash": "1000000", "positions": {s: {"quantity": 1000, "opened": "2026-10-01"}
                                               for s in largest}}
    ctx.client.set(streams.LEDGER.format(account=ctx.settings.execution.account),
                   json.dumps(ledger))
    return largest


def test_the_model_refuses_to_sell_the_whole_book_and_says_so(ctx: ServiceContext) -> None:
    signal, trade = _dates(ctx)
    _seed_book_of_the_largest_caps(ctx, signal)
    outcome = run_nightly(ctx, signal, trade)
    assert outcome.outcome == "refused", outcome.detail
    assert "sells 100.0% of the book's value, limit 50.0%" in outcome.detail
    assert ctx.client.xlen(streams.BATCHES) == 0
    assert any("not published" in a["title"] and "--allow-large-turnover" in a["detail"]
               for a in _alerts(ctx))


def test_the_override_publishes_the_large_sale_with_an_alert(ctx: ServiceContext) -> None:
    signal, trade = _dates(ctx)
    largest = _seed_book_of_the_largest_caps(ctx, signal)
    outcome = run_nightly(ctx, signal, trade, allow_large_turnover=True)
    assert outcome.outcome == "published", outcome.detail
    assert outcome.batch is not None
    assert {o.symbol for o in outcome.batch.orders if o.side.value == "sell"} == set(largest)
    assert any("large sale allowed by override" in a["title"] for a in _alerts(ctx))
