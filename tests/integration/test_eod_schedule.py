"""The scheduler runs the end of day once per trading day after eod_time."""

import json
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest
import redis

from bus import streams
from marketdata.clock import EXCHANGE_TZ, FixedClock
from services.eod.schedule import default_day, eod_due
from services.runtime import ServiceContext
from services.scheduler.service import SchedulerService
from services.settings_loader import DEFAULT_CONFIG, load_settings

pytestmark = pytest.mark.integration

MONDAY = date(2026, 11, 23)


def moment(day: date, clock_time: time) -> datetime:
    return datetime.combine(day, clock_time, tzinfo=EXCHANGE_TZ)


@pytest.fixture
def ctx(redis_client: redis.Redis, tmp_path: Path) -> Iterator[ServiceContext]:
    settings = load_settings(DEFAULT_CONFIG, env={})
    settings = settings.model_copy(update={
        "data_dir": tmp_path,
        "scheduler": settings.scheduler.model_copy(update={"publish_on_start": False})})
    assert settings.clock.mode == "simulated" and settings.scheduler.eod_time == time(15, 30)
    clock = FixedClock(moment(MONDAY, time(15, 29)))
    yield ServiceContext(settings=settings, client=redis_client, clock=clock, data_dir=tmp_path)


def eod_alerts(client: redis.Redis) -> list[str]:
    titles = [json.loads(f["body"])["title"] for _, f in client.xrange(streams.ALERTS)]
    return [t for t in titles if t.startswith("end of day")]


def test_simulated_mode_runs_once_the_clock_passes_eod_time(ctx: ServiceContext) -> None:
    assert isinstance(ctx.clock, FixedClock)
    service = SchedulerService(ctx)
    service.setup()
    service.step()
    assert eod_alerts(ctx.client) == []
    ctx.clock.set(moment(MONDAY, time(15, 31)))
    service.step()
    service.step()
    service.teardown()
    assert eod_alerts(ctx.client) == ["end of day 2026-11-23 done: clean"]
    assert service.info["last_eod"]["outcome"] == "done"
    assert (ctx.data_dir / "reports" / "2026-11-23.html").exists()


def test_not_on_a_holiday_and_the_default_day_of_desk_eod(ctx: ServiceContext) -> None:
    assert isinstance(ctx.clock, FixedClock)
    ctx.clock.set(moment(date(2026, 10, 1), time(16, 0)))  # National Day
    assert eod_due(ctx) is None
    cal = ctx.calendar
    assert default_day(moment(MONDAY, time(15, 0)), cal, time(15, 30)) == date(2026, 11, 20)
    assert default_day(moment(MONDAY, time(15, 30)), cal, time(15, 30)) == MONDAY


def test_wall_clock_mode_schedules_an_eod_job(ctx: ServiceContext) -> None:
    settings = ctx.settings.model_copy(update={
        "clock": ctx.settings.clock.model_copy(update={"mode": "wall"})})
    wall = ServiceContext(settings=settings, client=ctx.client, clock=ctx.clock,
                          data_dir=ctx.data_dir)
    service = SchedulerService(wall)
    service.setup()
    try:
        job = service._scheduler.get_job("eod")  # type: ignore[union-attr]
        assert job is not None
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["hour"], fields["minute"], fields["day_of_week"]) == ("15", "30", "mon-fri")
        assert job.next_run_time.astimezone(EXCHANGE_TZ).time() == time(15, 30)
    finally:
        service.teardown()
