"""The supervisor's first child: the embedded Redis, restarted from its AOF if it dies.

A restart is retried with capped exponential backoff; once the server answers again a
critical alert says how long the bus was down (it cannot be sent while Redis is down,
so the log has the moment it died).
"""

from __future__ import annotations

import time
from datetime import datetime

from loguru import logger
from redis import Redis

from bus.alerts import send_alert
from marketdata.clock import WallClock
from services.redis_server import EmbeddedRedis, RedisStartError


class RedisKeeper:
    def __init__(self, server: EmbeddedRedis, backoff_cap_s: float) -> None:
        self.server = server
        self.cap = backoff_cap_s
        self.restarts = 0
        self.down_since: float | None = None
        self._attempts = 0
        self._next_try = 0.0
        self.last_downtime_s: float | None = None

    def start(self) -> None:
        self.server.start(owner=True)

    def stop(self) -> None:
        self.server.stop()

    def check(self, client: Redis) -> bool:
        """True while Redis is up; restarts it (with backoff) when its process is gone."""
        if self.server.alive():
            return True
        now = time.monotonic()
        if self.down_since is None:
            self.down_since = now
            logger.critical("the desk's Redis died; restarting it from the AOF in {}",
                            self.server.dir)
        if now < self._next_try:
            return False
        try:
            self.server.start()
        except RedisStartError as exc:
            self._attempts += 1
            delay = min(self.cap, 0.5 * 2 ** self._attempts)
            self._next_try = now + delay
            logger.error("Redis restart failed ({}); next try in {:.1f}s", exc, delay)
            return False
        self._back(client, time.monotonic() - self.down_since)
        return True

    def _back(self, client: Redis, downtime_s: float) -> None:
        self.restarts += 1
        self.last_downtime_s = downtime_s
        self.down_since, self._attempts, self._next_try = None, 0, 0.0
        logger.critical("the desk's Redis is back from its AOF after {:.2f}s (restart #{})",
                        downtime_s, self.restarts)
        try:
            send_alert(client, source="supervisor", severity="critical",
                       title="Redis restarted from the AOF",
                       detail=f"down {downtime_s:.1f}s; restart #{self.restarts}; check "
                              "desk status and the log of each service", ts=_now())
        except Exception as exc:  # the alert must not stop the supervision
            logger.warning("could not publish the Redis alert: {}", exc)


def _now() -> datetime:
    return WallClock().now()
