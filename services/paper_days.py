"""`desk demo --days N`: the whole desk trading day after day on the stepped clock.

The real services run as processes (scheduler, execution, risk, alerts) on the embedded
Redis, exactly as in `desk run`; only the clock is driven from here: it stops at each
step of the day (`paper_plan.day_steps`) until every paced service has finished it.
Between the end of day and the nightly run the day's market data reaches the desk's
store. With `--auto-approve` the demo approves each morning's batch and any hedge the
risk daemon proposes through the same queue and audit as a trader would.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import redis
import yaml

from execution.approval.lifecycle import Action, IllegalTransition
from execution.approval.queue import OrderQueue
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ
from marketdata.store import MarketStore
from marketdata.synthetic import demo_market, write_market
from orders.order import OrderState
from services.accounts import account_names, desk_queue, service_specs
from services.paper_plan import (
    MARKET_DIR,
    RunDays,
    check_covered,
    day_steps,
    run_days,
    run_settings,
)
from services.paper_report import DayLine, day_line, parity_brief, parity_line, run_summary
from services.settings import DeskSettings
from services.stepped_clock import Conductor
from services.supervisor import Supervisor

PACED = ["scheduler", "execution", "risk"]
SERVICES = [*PACED, "alerts"]
TRADERS = ("demo-trader", "demo-trader-2")
WAITING = (OrderState.PROPOSED, OrderState.PENDING_APPROVAL)
ALIVE_EVERY_S = 0.5
SETTINGS_FILE = "run-settings.yaml"
FIRST_STEP = dtime(9, 0)  # services start, the first batch is published

Echo = Callable[[str], None]
StepHook = Callable[["PaperRun", datetime], None]


@dataclass
class PaperRun:
    """One run's moving parts; `restart()` stops the whole desk and starts it again."""

    settings: DeskSettings
    plan: RunDays
    auto_approve: bool
    echo: Echo
    supervisor: Supervisor | None = None
    client: redis.Redis | None = None
    conductor: Conductor | None = None
    lines: list[DayLine] = field(default_factory=list)
    on_step: StepHook | None = None  # called after each step (tests, drills)
    _alive_at: float = 0.0

    def start(self, first: datetime) -> None:
        self.supervisor = Supervisor(self.settings, str(self._settings_file()), SERVICES)
        self.client = self.supervisor.start_redis()
        paced = service_specs(self.settings, tuple(PACED))  # each account's execution, risk
        self.conductor = Conductor(self.client, paced, self.settings.clock.step_timeout_s,
                                   self._check_alive)
        if self.conductor.resume() is None:
            self.conductor.start(first)
        self.supervisor.start_services()

    def _settings_file(self) -> Path:
        """The run's settings as one file: the service processes read them from it."""
        path = Path(self.settings.data_dir) / SETTINGS_FILE
        path.write_text(yaml.safe_dump(self.settings.model_dump(mode="json", exclude_none=True)))
        return path

    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop()
        self.supervisor = self.client = self.conductor = None

    def restart(self) -> None:
        """A full desk restart between two days: services and Redis (from its AOF)."""
        self.echo("demo: restarting the whole desk (services and Redis)")
        assert self.conductor is not None and self.conductor.at is not None
        at = self.conductor.at
        self.stop()
        self.start(at)

    def parity(self, desk_store: MarketStore) -> dict[str, Any]:
        """The run against the model's re-run and the backtest (`desk parity`), brief."""
        from services.parity.run import parity_summary

        assert self.client is not None
        try:
            full = parity_summary(self.client, desk_store, self.settings, self.plan.days[0],
                                  self.plan.days[-1])
        except Exception as exc:  # the run's figures stand without it; say why
            self.echo(f"demo: parity not computed: {exc!r}")
            return {"status": "failed", "error": repr(exc)[:500]}
        brief = parity_brief(full)
        self.echo(parity_line(brief))
        return brief

    def waited_for(self) -> dict[str, float]:
        """Wall seconds the clock waited for each service as the last one to finish."""
        waited = self.conductor.last_to_finish if self.conductor else {}
        return {k: round(v, 1) for k, v in waited.items()}

    def _check_alive(self) -> None:
        if time.monotonic() - self._alive_at >= ALIVE_EVERY_S and self.supervisor and self.client:
            self.supervisor.check_children(self.client)  # a dead service is restarted
            self._alive_at = time.monotonic()

    def queue(self) -> OrderQueue:
        assert self.client is not None and self.conductor is not None
        from services.clock_setup import shared_clock

        queue: OrderQueue = desk_queue(self.client, shared_clock(self.client, self.settings),
                                       self.settings)
        return queue

    def trade_day(self, day: date, desk_store: MarketStore) -> DayLine:
        conductor = self.conductor
        assert conductor is not None
        started = time.monotonic()
        for at in day_steps(day, self.settings):
            if conductor.at is not None and at <= conductor.at:
                continue  # resumed after a restart inside this day
            if at.time() == self.settings.scheduler.run_time:
                # The evening's data arrives after the end of day, before the model.
                write_market(desk_store, self.plan.market, through=day)
            conductor.step_to(at)
            if self.on_step is not None:
                self.on_step(self, at)
            if self.auto_approve and at.time() < self.settings.scheduler.eod_time:
                approve_pending(self.queue(), day)
        assert self.client is not None
        first, *others = account_names(self.settings)
        line = day_line(self.client, self.queue(), first, day, time.monotonic() - started,
                        tuple(others))
        self.lines.append(line)
        self.echo(line.text())
        return line


def approve_pending(queue: OrderQueue, day: date) -> int:
    """Approve every order of `day` waiting for a trader, as the traders would (two
    different ones where the four-eyes rule asks for two)."""
    approved = 0
    for record in queue.list_orders(day, WAITING):
        done = {a.user for a in record.approvals if a.version == record.order.version}
        for trader in [t for t in TRADERS if t not in done][: record.approvals_needed]:
            try:
                result = queue.apply(record.order_id, Action.APPROVE, actor=trader)
            except IllegalTransition:
                break  # e.g. it expired or was cancelled meanwhile
            if result.state is OrderState.APPROVED:
                approved += 1
                break
    return approved


def run_paper_days(settings: DeskSettings, *, days: int, auto_approve: bool,
                   scenario: str | None, stocks: int | None, keep: bool, echo: Echo,
                   restart_after: Collection[int] = (),
                   on_step: StepHook | None = None) -> dict[str, Any]:
    """Run `days` trading days through the desk; returns the run's summary (the JSON).

    `settings`: the shipped paper settings; the run has its own directory and Redis.
    `restart_after`: 1-based day numbers after which the whole desk is restarted;
    `on_step(run, at)`: called after every step of the clock.
    """
    data_dir = Path(settings.data_dir) / "demo-days"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    cfg = run_settings(settings, data_dir)
    plan = _plan(cfg, days, scenario, stocks, echo)
    desk_store = _stores(cfg, plan)
    run = PaperRun(cfg, plan, auto_approve, echo, on_step=on_step)
    summary: dict[str, Any]
    started = time.monotonic()
    try:
        run.start(datetime.combine(plan.days[0], FIRST_STEP, tzinfo=EXCHANGE_TZ))
        for number, day in enumerate(plan.days, start=1):
            run.trade_day(day, desk_store)
            if number in restart_after:
                run.restart()
        summary = run_summary(run.lines, time.monotonic() - started)
        summary["waited_for"] = run.waited_for()
        summary["parity"] = run.parity(desk_store)
    except Exception as exc:
        summary = run_summary(run.lines, time.monotonic() - started)
        summary["error"] = f"{type(exc).__name__}: {exc}"
        echo(f"demo: FAILED: {summary['error']} (logs in {data_dir}/logs)")
    finally:
        run.stop()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return summary


def _plan(cfg: DeskSettings, days: int, scenario: str | None, stocks: int | None,
          echo: Echo) -> RunDays:
    demo = cfg.data.demo
    calendar = load_calendar(cfg.holidays_path)
    n = stocks or demo.stocks
    echo(f"demo: generating the synthetic market ({n} stocks, {demo.days} + {days} days"
         f"{', scenario ' + scenario if scenario else ''})")
    market = demo_market(n, demo.days + days, demo.seed, demo.end, calendar, scenario, days)
    plan = run_days(market, days)
    check_covered(plan.days, calendar)
    echo(f"demo: trading {len(plan.days)} days, {plan.days[0]} to {plan.days[-1]}, "
         f"on the stepped clock")
    return plan


def _stores(cfg: DeskSettings, plan: RunDays) -> MarketStore:
    """The exchange's whole market, and the desk's store up to the day before the run."""
    root = Path(cfg.data_dir)
    write_market(MarketStore(root / MARKET_DIR), plan.market)
    desk_store = MarketStore(root / cfg.data.store_dir)
    write_market(desk_store, plan.market, through=plan.history_end)
    return desk_store
