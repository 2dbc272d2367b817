"""The alerts service on a real Redis: alerts on the stream reach the configured bots."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import redis

from bus.alerts import send_alert
from marketdata.clock import FixedClock
from services.alerting import escalation
from services.alerting.sender import Background
from services.alerts_service import AlertsService
from services.runtime import ServiceContext
from services.settings import DeskSettings
from tests.unit.alerting.bot_kit import DING_SECRET, bot_server, bot_urls

pytestmark = pytest.mark.integration


def test_a_burst_on_the_stream_is_one_message_per_channel_and_criticals_wait_for_ack(
        redis_client: redis.Redis, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DING_SECRET", DING_SECRET)
    with bot_server() as (base, log):
        urls = bot_urls(base)
        settings = DeskSettings.model_validate({"mode": "paper", "alerts": {
            "metrics_port": 0, "group_wait_s": 5,
            "channels": {"ops": {"kind": "wecom", "url": urls["wecom"]},
                         "pager": {"kind": "dingtalk", "url": urls["dingtalk"],
                                   "secret_env": "DING_SECRET"}},
            "routes": [{"channels": ["ops"]},
                       {"severities": ["critical"], "channels": ["pager"]}],
            "escalation": {"after_s": 60, "channels": ["ops"]}}})
        svc = AlertsService(ServiceContext(settings=settings, client=redis_client, clock=clock,
                                           data_dir=Path(".")))
        svc.setup()
        try:
            for i in range(300):
                send_alert(redis_client, source="risk", severity="warning",
                           title=f"limit: stale_price {600000 + i % 7:06d}.SSE",
                           detail="no update", ts=clock.now())
            send_alert(redis_client, source="risk", severity="critical",
                       title="NAV not computed", detail="ledger unreadable", ts=clock.now())
            for _ in range(5):
                svc.step()
            clock.advance(timedelta(seconds=6))
            svc.step()
            assert isinstance(svc.dispatcher.sender, Background)
            assert svc.dispatcher.sender.flush(10)  # delivery runs off the service's loop
            svc.step()
        finally:
            svc.teardown()
    wecom = log.texts("wecom")
    assert len(wecom) == 2 and log.refused == []
    burst = "【警告】行情停更 limit: stale_price ×300（1分钟内，7个代码）"
    assert any(t.startswith(burst) for t in wecom)
    pager = [t.split("\n")[0] for t in log.texts("dingtalk")]
    assert pager == ["【严重】净值未算出 NAV not computed"]
    assert svc.info["channel_messages"] == 3
    assert [e["title"] for e in escalation.unacked(redis_client).values()] == [
        "NAV not computed"]
