"""From alerts to messages: route, group, hold in quiet hours, send, escalate.

`on_alert` only counts; `tick` (called by the alerts service after every poll) hands
what is due to the sender (the service's runs in a background thread, `sender.py`).
A channel that fails is logged and the others still get the message: the alert is
already in the log file, and one broken bot must not silence the rest.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

import redis
from loguru import logger

from bus.messages import Alert
from marketdata.clock import Clock
from services.alerting import escalation
from services.alerting.channels import Channel
from services.alerting.config import AlertingConfig
from services.alerting.dedup import Digest, Grouper
from services.alerting.messages import digest_text, escalation_text
from services.alerting.quiet import quiet_until
from services.alerting.routing import channels_for
from services.alerting.sender import Deliver, Direct, Sender
from services.console.alert_groups import kind_and_symbol

SEEN_KEPT = 10_000  # ids of alerts already counted, against redelivery after a failure


class Dispatcher:
    def __init__(self, cfg: AlertingConfig, channels: dict[str, Channel],
                 client: redis.Redis, clock: Clock,
                 sender: Callable[[Deliver], Sender] = Direct) -> None:
        self.cfg, self.channels, self.client, self.clock = cfg, channels, client, clock
        self.sender = sender(self._deliver)
        self.grouper = Grouper(cfg.window_s, cfg.group_wait_s)
        self.targets: dict[str, tuple[str, ...]] = {}
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.sent = 0
        self.failed = 0

    def on_alert(self, alert: Alert, msg_id: str = "") -> None:
        """Count `alert` in; a redelivered message (same id) is counted once."""
        if msg_id:
            if msg_id in self.seen:
                return
            self.seen[msg_id] = None
            if len(self.seen) > SEEN_KEPT:
                self.seen.popitem(last=False)
        kind, _symbol = kind_and_symbol(alert.title)
        targets = channels_for(self.cfg, alert.severity, alert.source, kind)
        if not targets:
            return
        now = self.clock.now()
        key = self.grouper.add(alert, now, quiet_until(self.cfg.quiet_hours, alert.severity,
                                                      now))
        self.targets[key] = targets

    def tick(self) -> None:
        now = self.clock.now()
        for digest in self.grouper.due(now, self._quiet(now)):
            self._send(self.targets.get(digest.key, ()), digest_text(digest))
            self._track(digest, now)
        self._escalate(now)

    def _quiet(self, now: datetime) -> _Hold:
        return _Hold(self.cfg, now)

    def _track(self, digest: Digest, now: datetime) -> None:
        if digest.severity == "critical" and self.cfg.escalation:
            escalation.track(self.client, digest.key, digest.title, now,
                             self.cfg.escalation.after_s)

    def _escalate(self, now: datetime) -> None:
        esc = self.cfg.escalation
        if esc is None:
            return
        for due in escalation.overdue(self.client, now, esc.after_s, esc.repeat):
            minutes = int((now - due.sent).total_seconds() // 60)
            self._send(esc.channels, escalation_text(due.key, due.title, minutes, due.reminder))

    def _send(self, names: tuple[str, ...], text: str) -> None:
        if names:
            self.sender.submit(names, text)

    def _deliver(self, names: tuple[str, ...], text: str) -> None:
        for name in names:
            try:
                self.channels[name].send(text)
                self.sent += 1
            except Exception as exc:  # any failure of one channel is logged, never fatal
                self.failed += 1
                logger.error("alert channel {} failed: {}", name, exc)


class _Hold:
    """When quiet hours end for a severity, as of `now` (None: not quiet)."""

    def __init__(self, cfg: AlertingConfig, now: datetime) -> None:
        self.cfg, self.now = cfg, now

    def __call__(self, severity: str) -> datetime | None:
        return quiet_until(self.cfg.quiet_hours, severity, self.now)
