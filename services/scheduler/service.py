"""The scheduler service: the nightly model and the end of day on trading days.

Misfires are coalesced into one run; after downtime the service runs once for the
latest trading day whose run time has passed (never for stale days), unless that day
already has a published batch. Holidays are skipped by the trading calendar, not by
the cron expression. The end of day (reconciliation, NAV, report) runs at
`eod_time`: by cron on the wall clock, and in simulated mode once the shared clock
has passed it. A day the calendar does not cover is refused with one alert a day
(`services.scheduler.coverage`); the service keeps running.
"""

from __future__ import annotations

from datetime import date

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from loguru import logger

from marketdata.clock import EXCHANGE_TZ, exchange_date
from services.eod.schedule import eod_due, run_eod_recorded
from services.runtime import Service, ServiceContext
from services.scheduler.coverage import daily_notice, guarded
from services.scheduler.dates import paper_dates, production_dates
from services.scheduler.fetch_job import add_fetch_job, run_fetch
from services.scheduler.nightly import recent_runs, run_nightly


class SchedulerService(Service):
    name = "scheduler"
    paced = True

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self._scheduler: BackgroundScheduler | None = None
        self._noted_day: date | None = None

    def setup(self) -> None:
        cfg = self.ctx.settings.scheduler
        if self.ctx.settings.clock.mode == "wall":
            self._scheduler = BackgroundScheduler(
                timezone=EXCHANGE_TZ,
                job_defaults={"coalesce": True, "max_instances": 1,
                              "misfire_grace_time": cfg.misfire_grace_s},
            )
            trigger = CronTrigger(day_of_week="mon-fri", hour=cfg.run_time.hour,
                                  minute=cfg.run_time.minute, timezone=EXCHANGE_TZ)
            self._scheduler.add_job(self.on_cron, trigger, id="nightly", name="nightly model")
            eod = CronTrigger(day_of_week="mon-fri", hour=cfg.eod_time.hour,
                              minute=cfg.eod_time.minute, timezone=EXCHANGE_TZ)
            self._scheduler.add_job(self.on_eod, eod, id="eod", name="end of day")
            add_fetch_job(self._scheduler, self.ctx, self.on_fetch)  # data.fetch.time
            self._scheduler.start()
            job = self._scheduler.get_job("nightly")
            self.info["next_run"] = str(job.next_run_time) if job else None
            self.catch_up()
        if cfg.publish_on_start:
            self.publish_paper_batch()
        self._note_calendar()

    def step(self) -> None:
        if self.ctx.settings.clock.mode != "wall":  # no cron on simulated time
            self.on_eod()
            self.on_nightly_due()
        self.idle(0.5)

    def on_nightly_due(self) -> None:
        """Simulated time: the nightly model once the clock passes `run_time` on a
        trading day (the cron's job in production), once per signal date."""
        guarded(self.ctx, "nightly model", self._nightly_due)

    def _nightly_due(self) -> None:
        now = self.ctx.clock.now().astimezone(EXCHANGE_TZ)
        today = now.date()
        run_time = self.ctx.settings.scheduler.run_time
        if now.time() < run_time or not self.ctx.calendar.is_trading_day(today):
            return
        if any(r["signal_date"] == today.isoformat() for r in recent_runs(self.ctx, limit=5)):
            return  # ran (or was refused) already: the alert told the operator
        self._run_once(today, self.ctx.calendar.next_trading_day(today), "schedule")

    def _note_calendar(self) -> None:
        """The calendar's end and provisional days in the heartbeat (`desk status`), daily."""
        today = self.ctx.clock.now().astimezone(EXCHANGE_TZ).date()
        if today == self._noted_day:
            return
        self._noted_day = today
        notice = daily_notice(self.ctx)
        self.info["calendar"] = notice.as_dict() if notice else None

    def teardown(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def on_cron(self) -> None:
        """The cron fired (on a weekday): run if the calendar says it traded today."""
        self._note_calendar()
        guarded(self.ctx, "nightly model", self._cron)

    def _cron(self) -> None:
        now = self.ctx.clock.now()
        if not self.ctx.calendar.is_trading_day(now.date()):
            logger.info("{} is not a trading day: no nightly run", now.date())
            return
        signal, trade = production_dates(now, self.ctx.calendar,
                                         self.ctx.settings.scheduler.run_time)
        self._run_once(signal, trade, "cron")

    def on_fetch(self) -> None:
        """The evening data fetch, before the nightly model (fetch_job.py)."""
        guarded(self.ctx, "data fetch", self._fetch)

    def _fetch(self) -> None:
        self.info["last_fetch"] = run_fetch(self.ctx, exchange_date(self.ctx.clock))

    def on_eod(self) -> None:
        """End of day, once per trading day after `eod_time` (the calendar decides)."""
        self._note_calendar()
        guarded(self.ctx, "end of day", self._eod)

    def _eod(self) -> None:
        day = eod_due(self.ctx)
        if day is not None:
            self.info["last_eod"] = run_eod_recorded(self.ctx, day, "schedule")

    def catch_up(self) -> None:
        """After downtime: the latest due day only, if it has no batch yet."""
        guarded(self.ctx, "catch-up run", self._catch_up)

    def _catch_up(self) -> None:
        signal, trade = production_dates(self.ctx.clock.now(), self.ctx.calendar,
                                         self.ctx.settings.scheduler.run_time)
        self._run_once(signal, trade, "catch-up")

    def publish_paper_batch(self) -> None:
        guarded(self.ctx, "paper batch", self._paper_batch)

    def _paper_batch(self) -> None:
        if self.ctx.store.latest_date() is None:
            logger.error("no market data in the store: run 'desk data demo' first")
            return
        # The day the simulated session trades (paper replays the latest stored day;
        # a run over several days starts on the first of them).
        signal, trade = paper_dates(exchange_date(self.ctx.clock), self.ctx.calendar)
        self._run_once(signal, trade, "start")

    def _run_once(self, signal: date, trade: date, trigger: str) -> None:
        if already_published(self.ctx, signal):
            logger.info("batch for signal date {} already published: {} skipped", signal, trigger)
            return
        outcome = run_nightly(self.ctx, signal, trade, trigger=trigger)
        self.info["last_run"] = outcome.record()


def already_published(ctx: ServiceContext, signal: date) -> bool:
    return any(r["signal_date"] == signal.isoformat() and r["outcome"] == "published"
               for r in recent_runs(ctx, limit=50))
