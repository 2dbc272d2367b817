"""`desk run` in paper mode over several days at a fixed speed (`data.demo.paper_days`).

The supervisor as `desk run` has it (its own loop driven here, a trader's approvals
through the queue in between): day 1's batch is approved and trades; after the end of
day the day's data reaches the desk's store, the nightly model publishes day 2's batch
from the held book, the clock moves to day 2's pre-open, and day 2 trades and
reconciles. Fast: 1,500x real time, and the nights are skipped.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from execution.approval.queue import OrderQueue
from execution.eod.run import EOD_RUNS
from marketdata.store import MarketStore
from services.clock_setup import shared_clock
from services.paper_days import approve_pending
from services.scheduler.nightly import recent_runs
from services.settings import DeskSettings
from services.settings_loader import DEFAULT_CONFIG, load_settings
from services.supervisor import Supervisor

pytestmark = pytest.mark.slow

DAYS = 2
SPEED = 1500.0
TIMEOUT_S = 300


def _settings(data_dir: Path) -> DeskSettings:
    base = load_settings(DEFAULT_CONFIG)
    demo = base.data.demo.model_copy(update={"stocks": 200, "paper_days": DAYS})
    return base.model_copy(update={
        "data_dir": data_dir, "data": base.data.model_copy(update={"demo": demo}),
        "clock": base.clock.model_copy(update={"speed": SPEED}),
        "redis": base.redis.model_copy(update={"url": None})})


def _eod_runs(client: Any) -> dict[str, dict[str, Any]]:
    return {k: json.loads(v) for k, v in client.hgetall(EOD_RUNS.format(account="paper")).items()}


def test_paper_mode_trades_day_after_day(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    config = tmp_path / "desk.yaml"
    config.write_text(yaml.safe_dump(settings.model_dump(mode="json", exclude_none=True)))
    supervisor = Supervisor(settings, str(config), ["scheduler", "execution", "risk"])
    try:
        client = supervisor.start()
        assert supervisor.rolling is not None
        days = supervisor.rolling.plan.days
        queue = OrderQueue(client, shared_clock(client, settings), settings.approval,
                           account="paper")
        deadline = time.monotonic() + TIMEOUT_S
        while len(_eod_runs(client)) < DAYS:
            assert time.monotonic() < deadline, f"end of days so far: {_eod_runs(client)}"
            supervisor.tick(client)
            for day in days:
                approve_pending(queue, day)  # the trader
            time.sleep(0.2)
        runs, nightly = _eod_runs(client), recent_runs_of(client, settings)
        desk_latest = MarketStore(tmp_path / settings.data.store_dir).latest_date()
        day1 = queue.list_orders(days[0])
    finally:
        supervisor.stop()
    assert sorted(runs) == [d.isoformat() for d in days]
    assert all(r["outcome"] == "done" and r["breaks"] == 0 for r in runs.values()), runs
    assert days[0].isoformat() in nightly  # day 2's batch from day 1's evening
    assert desk_latest is not None and desk_latest >= days[0]  # day 1's data arrived
    assert sum(r.filled_quantity for r in day1) > 0  # the trader's approvals traded
    navs = [float(runs[d.isoformat()]["nav"]) for d in days]
    assert all(nav > 0 for nav in navs) and navs[0] != navs[1]  # the book carried, repriced


def recent_runs_of(client: Any, settings: DeskSettings) -> list[str]:
    from services.runtime import ServiceContext

    ctx = ServiceContext(settings=settings, client=client, clock=shared_clock(client, settings),
                         data_dir=Path(settings.data_dir))
    return [r["signal_date"] for r in recent_runs(ctx, limit=10) if r["outcome"] == "published"]
