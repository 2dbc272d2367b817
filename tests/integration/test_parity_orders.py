"""`desk parity`'s order check on a real nightly run: the recorded book round-trips, the
published batch equals the offline re-run (0 defects), a tampered batch gives exactly
one named defect, and malformed entries are named and skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from bus import streams
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from marketdata.synthetic import write_demo_store
from services.parity.run import compute_parity, parity_summary
from services.redis_server import EmbeddedRedis
from services.runtime import ServiceContext
from services.scheduler import book_record
from services.scheduler.book_record import BOOKS, RecordedBook, read_books, record_book
from services.scheduler.dates import paper_dates
from services.scheduler.nightly import run_nightly
from services.settings_loader import DEFAULT_CONFIG, load_settings
from strategies.portfolio_state import Book, Holding
from tests.integration.cli_kit import run

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def market_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parity")
    settings = load_settings(DEFAULT_CONFIG, env={})
    write_demo_store(root / "marketdata", stocks=100, days=270, seed=7,
                     calendar=load_calendar(settings.holidays_path))
    return root


@pytest.fixture
def ctx(market_dir: Path, redis_client: redis.Redis) -> Iterator[ServiceContext]:
    settings = load_settings(DEFAULT_CONFIG, env={}).model_copy(update={"data_dir": market_dir})
    clock = FixedClock(datetime(2026, 11, 20, 20, 0, tzinfo=EXCHANGE_TZ))
    yield ServiceContext(settings=settings, client=redis_client, clock=clock, data_dir=market_dir)


def _published(ctx: ServiceContext) -> tuple[date, date]:
    latest = ctx.store.latest_date()
    assert latest is not None
    signal, trade = paper_dates(latest, ctx.calendar)
    outcome = run_nightly(ctx, signal, trade)
    assert outcome.outcome == "published", outcome.detail
    assert outcome.batch is not None and outcome.batch.orders
    return signal, trade


def test_a_recorded_book_round_trips(redis_client: redis.Redis) -> None:
    book = Book(cash=Decimal("1234567.89"), holdings={
        "600000.SSE": Holding("600000.SSE", 1200, 800, 3),
        "688001.SSE": Holding("688001.SSE", 233, 233, 1)})
    record_book(redis_client, date(2026, 11, 19), date(2026, 11, 20), book)
    found, errors = read_books(redis_client)
    assert errors == []
    assert found == {date(2026, 11, 19): RecordedBook(date(2026, 11, 19), date(2026, 11, 20),
                                                      book)}


def test_the_recorded_books_are_bounded(redis_client: redis.Redis,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(book_record, "RETAIN_DAYS", 3)
    for day in range(2, 8):
        record_book(redis_client, date(2026, 11, day), date(2026, 11, day + 1),
                    Book(cash=Decimal(day)))
    assert sorted(redis_client.hkeys(BOOKS)) == ["2026-11-05", "2026-11-06", "2026-11-07"]


def test_the_nightly_run_records_its_book_and_parity_is_exact(ctx: ServiceContext) -> None:
    signal, trade = _published(ctx)
    found, errors = read_books(ctx.client)
    assert errors == [] and found[signal].trade_date == trade
    assert found[signal].book == Book(cash=Decimal(ctx.settings.execution.initial_cash))
    summary = parity_summary(ctx.client, ctx.store, ctx.settings, trade, trade)
    assert summary["rerun_days"] == 1 and summary["rerun_equal_days"] == 1
    assert summary["order_defects"] == [] and summary["errors"] == []
    # Both start from the same cash on the same data: the backtest's batch is the same.
    assert summary["backtest_error"] is None
    assert summary["orders_equal_days"] == 1 and summary["backtest_days"] == 1


def test_a_dry_run_records_no_book(ctx: ServiceContext) -> None:
    latest = ctx.store.latest_date()
    assert latest is not None
    signal, trade = paper_dates(latest, ctx.calendar)
    assert run_nightly(ctx, signal, trade, dry_run=True).outcome == "dry-run"
    assert ctx.client.exists(BOOKS) == 0


def test_a_tampered_batch_is_one_named_defect(ctx: ServiceContext) -> None:
    _, trade = _published(ctx)
    [(_entry, fields)] = ctx.client.xrange(streams.BATCHES)
    body = json.loads(fields["body"])
    order = body["orders"][0]
    order["quantity"] += 100
    ctx.client.xadd(streams.BATCHES, {**fields, "id": fields["id"] + "-x",
                                      "body": json.dumps(body)})
    result = compute_parity(ctx.client, ctx.store, ctx.settings, trade, trade)
    [defect] = result.order_defects
    assert f"{order['symbol']} {order['side']}: quantity published {order['quantity']} vs " \
           f"re-run {order['quantity'] - 100}" in defect
    assert [d.status for d in result.orders] == ["defect"]


def test_malformed_entries_are_named_and_skipped(ctx: ServiceContext) -> None:
    signal, trade = _published(ctx)
    hostile: dict[str | bytes, bytes | float | int | str] = {
        "2026-01-05": "not json {",
        "2026-01-06": json.dumps({"signal_date": "2026-01-06", "trade_date": "2026-01-07",
                                  "cash": "NaN", "holdings": {}}),
        "2026-01-07": json.dumps({"signal_date": "2026-01-07", "trade_date": "2026-01-08",
                                  "cash": "1", "holdings": {"X.SSE": {
                                      "quantity": 100, "sellable": 200, "holding_days": 1}}}),
        "2026-01-08": json.dumps({"signal_date": "2026-01-08", "trade_date": "2026-01-09",
                                  "cash": "1", "holdings": {"X.SSE": {
                                      "quantity": True, "sellable": 0, "holding_days": 1}}}),
        "2026-01-09": json.dumps(["a", "list"]),
    }
    ctx.client.hset(BOOKS, mapping=hostile)
    ctx.client.xadd(streams.BATCHES, {"type": "batch.published", "v": "1", "body": "{"})
    summary = parity_summary(ctx.client, ctx.store, ctx.settings, trade, trade)
    assert summary["order_defects"] == [] and summary["rerun_equal_days"] == 1
    for field in hostile:
        assert sum(f"{BOOKS} {field!s}" in e for e in summary["errors"]) == 1, field
    assert any(e.startswith(f"{streams.BATCHES} ") for e in summary["errors"])
    # The day's own book unreadable: that day is named as not checked, nothing crashes.
    ctx.client.hset(BOOKS, signal.isoformat(), "{}")
    summary = parity_summary(ctx.client, ctx.store, ctx.settings, trade, trade)
    assert summary["rerun_days"] == 1 and summary["rerun_equal_days"] == 0
    assert [d["status"] for d in summary["orders_unchecked"]] == ["no book"]
    assert any(f"{BOOKS} {signal}" in e for e in summary["errors"])


def test_desk_parity_prints_writes_json_and_the_report(ctx: ServiceContext, tmp_path: Path,
                                                       redis_server: EmbeddedRedis,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _, trade = _published(ctx)
    config = tmp_path / "desk.yaml"
    config.write_text(f"mode: paper\ndata_dir: {ctx.data_dir}\n", encoding="utf-8")
    monkeypatch.setenv("DESK_REDIS_URL", redis_server.url)
    html = tmp_path / "parity.html"
    day = trade.isoformat()
    result = run("--config", str(config), "parity", "--start", day, "--end", day, "--json",
                 "--html", str(html))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["order_defects"] == [] and summary["rerun_equal_days"] == 1
    assert summary["report"] == str(html)
    text = html.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 3 and "http" not in text.split("<body>")[0]
    result = run("--config", str(config), "parity", "--start", day, "--end", day,
                 "--html", str(html))
    assert result.exit_code == 0, result.output
    assert "orders vs the model re-run offline: 1 of 1 days equal, 0 defect(s)" in result.output
    assert f"report: {html}" in result.output


def test_desk_parity_refuses_a_start_after_the_end(tmp_path: Path) -> None:
    result = run("--data-dir", str(tmp_path), "parity", "--start", "2026-11-20", "--end",
                 "2026-11-19")
    assert result.exit_code == 2 and "--start 2026-11-20 is after --end 2026-11-19" in \
        result.output
