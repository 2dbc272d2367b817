"""Routing, grouping, quiet hours and escalation, end to end to a local bot server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
import redis
from tenacity import wait_none

from bus.messages import Alert
from marketdata.clock import EXCHANGE_TZ, FixedClock
from services.alerting import escalation
from services.alerting.channels import build_channels
from services.alerting.config import AlertingConfig
from services.alerting.dispatcher import Dispatcher
from tests.unit.alerting.bot_kit import DING_SECRET, FEISHU_SECRET, BotLog, bot_server, bot_urls

ENV = {"DING_SECRET": DING_SECRET, "FEISHU_SECRET": FEISHU_SECRET}
SYMBOLS = [f"{600000 + i:06d}.SSE" for i in range(12)]


@pytest.fixture
def server() -> Iterator[tuple[str, BotLog]]:
    with bot_server() as running:
        yield running


def _dispatcher(base: str, client: redis.Redis, clock: FixedClock,
                **extra: object) -> Dispatcher:
    urls = bot_urls(base)
    cfg = AlertingConfig.model_validate({
        "channels": {"ops": {"kind": "wecom", "url": urls["wecom"]},
                     "pager": {"kind": "dingtalk", "url": urls["dingtalk"],
                               "secret_env": "DING_SECRET"},
                     "fs": {"kind": "feishu", "url": urls["feishu"],
                            "secret_env": "FEISHU_SECRET"}},
        "routes": [{"severities": ["warning", "critical"], "channels": ["ops"]},
                   {"severities": ["critical"], "channels": ["pager"]},
                   {"severities": ["warning"], "kinds": ["*calendar*"], "channels": ["fs"]}],
        "group_wait_s": 30, "window_s": 600, **extra})
    return Dispatcher(cfg, build_channels(cfg, ENV, httpx.Client(), wait=wait_none()),
                      client, clock)


def _stale(i: int) -> Alert:
    return Alert(severity="warning", source="risk",
                 title=f"limit: stale_price {SYMBOLS[i % 12]}", detail=f"no update for {i} min")


def test_a_burst_of_1000_identical_warnings_is_one_grouped_message(
        server: tuple[str, BotLog], redis_client: redis.Redis, clock: FixedClock) -> None:
    base, log = server
    d = _dispatcher(base, redis_client, clock)
    for i in range(1000):
        d.on_alert(_stale(i), f"1-{i}")
        if i % 100 == 0:
            clock.advance(timedelta(seconds=2))
            d.tick()
    assert log.texts("wecom") == []  # still gathering (30 s)
    clock.advance(timedelta(seconds=30))
    d.tick()
    d.tick()
    (text,) = log.texts("wecom")
    assert text.startswith("【警告】行情停更 limit: stale_price ×1000（1分钟内，12个代码）")
    assert "600000.SSE、600001.SSE、600002.SSE 等" in text and "最新：no update for 999" in text
    assert len(text) <= 400
    assert log.texts("dingtalk") == [] and log.texts("feishu") == []  # routes: ops only


def test_more_of_the_same_within_the_window_wait_for_one_summary(
        server: tuple[str, BotLog], redis_client: redis.Redis, clock: FixedClock) -> None:
    base, log = server
    d = _dispatcher(base, redis_client, clock)
    d.on_alert(_stale(0), "1-0")
    clock.advance(timedelta(seconds=31))
    d.tick()
    for i in range(1, 38):
        clock.advance(timedelta(seconds=10))
        d.on_alert(_stale(i), f"1-{i}")
        d.on_alert(_stale(i), f"1-{i}")  # a redelivered message counts once
        d.tick()
    assert len(log.texts("wecom")) == 1  # the first one alone, then nothing for 10 min
    clock.advance(timedelta(minutes=10))
    d.tick()
    first, summary = log.texts("wecom")
    assert first.startswith("【警告】行情停更 limit: stale_price 600000.SSE")
    assert summary.startswith("【警告】行情停更 limit: stale_price ×37（6分钟内，12个代码）")


def test_warnings_wait_out_quiet_hours_criticals_do_not(
        server: tuple[str, BotLog], redis_client: redis.Redis) -> None:
    base, log = server
    clock = FixedClock(datetime(2026, 11, 23, 23, 10, tzinfo=EXCHANGE_TZ))
    d = _dispatcher(base, redis_client, clock,
                    quiet_hours={"start": "22:00", "end": "07:30"})
    d.on_alert(Alert(severity="warning", source="scheduler",
                     title="trading calendar ends 2026-12-31"), "1-1")
    d.on_alert(Alert(severity="critical", source="execution",
                     title="gateway XTP disconnected", detail="link lost"), "1-2")
    clock.advance(timedelta(minutes=5))
    d.tick()
    assert log.texts("feishu") == [] and len(log.texts("wecom")) == 1
    assert log.texts("dingtalk")[0].startswith("【严重】柜台断线 gateway XTP disconnected")
    clock.set(datetime(2026, 11, 24, 7, 29, tzinfo=EXCHANGE_TZ))
    d.tick()
    assert log.texts("feishu") == []
    clock.set(datetime(2026, 11, 24, 7, 30, tzinfo=EXCHANGE_TZ))
    d.tick()
    assert log.texts("feishu") == ["【警告】交易日历将尽 trading calendar ends 2026-12-31\n"
                                   "来源 scheduler · 11-23 23:10"]


def test_an_unacknowledged_critical_escalates_until_acknowledged(
        server: tuple[str, BotLog], redis_client: redis.Redis, clock: FixedClock) -> None:
    base, log = server
    d = _dispatcher(base, redis_client, clock,
                    escalation={"after_s": 300, "repeat": 2, "channels": ["fs"]})
    d.on_alert(Alert(severity="critical", source="risk", title="NAV not computed"), "1-1")
    d.tick()
    (key,) = escalation.unacked(redis_client)
    assert key in log.texts("dingtalk")[0]  # the message names what to acknowledge
    clock.advance(timedelta(seconds=299))
    d.tick()
    assert log.texts("feishu") == []
    clock.advance(timedelta(seconds=1))
    d.tick()
    assert log.texts("feishu") == [f"【升级·第1次】严重告警5分钟未确认\nNAV not computed\n"
                                   f"请在控制台确认 {key}"]
    assert escalation.acknowledge(redis_client, key) is not None
    assert escalation.acknowledge(redis_client, key) is None  # twice: once
    clock.advance(timedelta(hours=1))
    d.tick()
    assert len(log.texts("feishu")) == 1


def test_escalation_stops_after_its_reminders(
        server: tuple[str, BotLog], redis_client: redis.Redis, clock: FixedClock) -> None:
    base, log = server
    d = _dispatcher(base, redis_client, clock,
                    escalation={"after_s": 60, "repeat": 2, "channels": ["fs"]})
    d.on_alert(Alert(severity="critical", source="risk", title="ledger unreadable"), "1-1")
    for _ in range(10):
        d.tick()
        clock.advance(timedelta(seconds=61))
    assert [t.split("\n")[0] for t in log.texts("feishu")] == [
        "【升级·第1次】严重告警1分钟未确认", "【升级·第2次】严重告警2分钟未确认"]


def test_a_broken_channel_does_not_silence_the_others(
        server: tuple[str, BotLog], redis_client: redis.Redis, clock: FixedClock) -> None:
    base, log = server
    d = _dispatcher(base, redis_client, clock)
    log.fail_next = 100  # every attempt of the first channel fails
    d.on_alert(Alert(severity="critical", source="risk", title="risk check failed"), "1-1")
    d.tick()
    assert d.failed >= 1
    log.fail_next = 0
    d.on_alert(Alert(severity="critical", source="risk", title="hedge not proposed"), "1-2")
    d.tick()
    assert any("hedge not proposed" in t for t in log.texts("dingtalk"))
