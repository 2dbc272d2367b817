"""Watching a gateway's connection and reconnecting with capped backoff.

While a link is down the desk sends nothing through it. Reconnect attempts follow
first_delay x 2^n, capped at max_delay, in wall time (a broken line does not heal
faster because the paper clock runs at 60x). When it is back the desk reconciles
(the broker replays the day's orders and trades), resumes and raises an alert.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from execution.config import ReconnectConfig


def link_up(gateway: Any) -> bool:
    """Whether the gateway can trade now: the simulator's flag, or the trading API's login."""
    if hasattr(gateway, "connected"):
        return bool(gateway.connected)
    api = getattr(gateway, "td_api", None)
    return bool(getattr(api, "login_status", False))


class LinkChange(StrEnum):
    DOWN = "down"
    RETRY = "retry"
    UP = "up"


@dataclass
class Link:
    name: str  # the gateway's name in MainEngine
    gateway: Any
    setting: dict[str, Any]
    cfg: ReconnectConfig
    now: Callable[[], float] = time.monotonic
    up: bool = True
    attempts: int = 0
    down_since: float = 0.0
    next_try: float = 0.0
    history: list[LinkChange] = field(default_factory=list)

    def delay(self) -> float:
        return float(min(self.cfg.first_delay_s * 2 ** self.attempts, self.cfg.max_delay_s))

    def poll(self) -> LinkChange | None:
        """What changed since the last poll: went down, time to retry, or came back."""
        alive = link_up(self.gateway)
        now = self.now()
        if self.up and not alive:
            self.up, self.down_since, self.attempts = False, now, 0
            self.next_try = now + self.delay()
            return self._note(LinkChange.DOWN)
        if not self.up and alive:
            self.up = True
            return self._note(LinkChange.UP)
        if not self.up and now >= self.next_try:
            self.attempts += 1
            self.next_try = now + self.delay()
            return self._note(LinkChange.RETRY)
        return None

    def outage_s(self) -> float:
        return self.now() - self.down_since

    def _note(self, change: LinkChange) -> LinkChange:
        self.history.append(change)
        return change
