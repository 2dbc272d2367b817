"""The alerts service: every alert to its log, and to a webhook if one is configured.

A webhook that fails is retried with backoff; an alert whose webhook keeps failing
stays pending and is retried on later polls, then dead-lettered with the reason.
It is always in the log file first. The configured channels (WeCom, DingTalk, Feishu,
e-mail) get them routed, grouped and escalated by `services.alerting` (docs/alerts.md).
"""

from __future__ import annotations

import os

import httpx
from loguru import logger
from prometheus_client import CollectorRegistry, start_http_server
from tenacity import retry, stop_after_attempt, wait_exponential

from bus import streams
from bus.bus import StreamConsumer
from bus.messages import Alert, Envelope
from services.accounts import account_names, service_specs
from services.alerting.channels import build_channels
from services.alerting.dispatcher import Dispatcher
from services.alerting.sender import Background
from services.metrics import DeskCollector
from services.runtime import Service

LEVELS = {"info": "INFO", "warning": "WARNING", "critical": "CRITICAL"}


class AlertsService(Service):
    name = "alerts"

    def setup(self) -> None:
        self.consumer = StreamConsumer(
            self.ctx.client, streams.ALERTS, streams.GROUP_ALERTS, self.name,
            {"alert": self.on_alert}, block_ms=500,
        )
        cfg = self.ctx.settings.alerts
        self.webhook = str(cfg.webhook_url) if cfg.webhook_url else None
        self.http = httpx.Client(timeout=cfg.webhook_timeout_s)
        self.post = retry(
            stop=stop_after_attempt(cfg.webhook_retries + 1),
            wait=wait_exponential(multiplier=0.2, max=5),
            reraise=True,
        )(self._post)
        self.info["sent"] = 0
        self.dispatcher = Dispatcher(cfg, build_channels(cfg, os.environ, self.http),
                                     self.ctx.client, self.ctx.clock, sender=Background)
        self._serve_metrics(cfg.metrics_port)

    def _serve_metrics(self, port: int) -> None:
        if port == 0:
            return
        registry = CollectorRegistry()
        settings = self.ctx.settings
        registry.register(DeskCollector(
            self.ctx.reader, account_names(settings),
            service_specs(settings, tuple(settings.supervisor.services))))
        try:
            self.metrics_server, _thread = start_http_server(port, addr="127.0.0.1",
                                                             registry=registry)
        except OSError as exc:  # a busy port must not stop the alerts
            logger.error("metrics not served on 127.0.0.1:{}: {}", port, exc)
            return
        self.info["metrics"] = f"http://127.0.0.1:{port}/metrics"

    def step(self) -> None:
        self.consumer.poll(block=True)
        self.dispatcher.tick()  # grouped messages and escalations that fell due
        self.info["channel_messages"] = self.dispatcher.sent
        self.info["channel_failures"] = self.dispatcher.failed

    def teardown(self) -> None:
        if hasattr(self, "dispatcher"):
            self.dispatcher.sender.close()  # what was due still goes out, briefly
        if hasattr(self, "http"):
            self.http.close()
        if hasattr(self, "metrics_server"):
            self.metrics_server.shutdown()

    def on_alert(self, env: Envelope) -> None:
        alert = env.body
        assert isinstance(alert, Alert)
        logger.log(LEVELS[alert.severity], "ALERT [{}] {}: {} {}", alert.severity, alert.source,
                   alert.title, alert.detail)
        self.dispatcher.on_alert(alert, env.id)  # before the webhook, which may raise
        if self.webhook:
            self.post(env, alert)
        self.info["sent"] += 1

    def _post(self, env: Envelope, alert: Alert) -> None:
        payload = {
            "id": env.id,  # receivers can drop duplicates by id
            "at": env.ts.isoformat(),
            "severity": alert.severity,
            "source": alert.source,
            "title": alert.title,
            "detail": alert.detail,
            "text": f"[{alert.severity.upper()}] {alert.title}\n{alert.detail}".strip(),
        }
        response = self.http.post(str(self.webhook), json=payload)
        response.raise_for_status()
