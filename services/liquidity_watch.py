"""The liquidity check of the risk daemon and the end of day: compute, publish, alert.

Once a day, and again when the set of holdings changes, the profile is computed
(`services.liquidity_report.build_liquidity`), published as JSON at
`desk:risk:liquidity:<account>` (the daily report and anyone else read it there), each
breach is alerted once a day, and the stocks whose buys are blocked (`limits.block`) go
into the risk state document's `blocked_symbols`, which the approval gate honours.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import redis
from loguru import logger

from bus import streams
from marketdata.clock import Clock
from marketdata.store import MarketStore
from risk.liquidity_doc import LiquidityDoc
from services.liquidity_report import Liquidity, build_liquidity, liquidity_json
from services.settings import DeskSettings

Alert = Callable[..., None]  # (severity, title, detail, now, *, key=..., signature=...)


def publish_liquidity(client: Any, store: MarketStore, settings: DeskSettings, clock: Clock,
                      day: date) -> Liquidity:
    liq = build_liquidity(client, store, settings, clock, day)
    doc = liquidity_json(liq, None, settings.risk.liquidity.top_crowded)
    doc["at"] = clock.now().isoformat()
    LiquidityDoc.model_validate(doc)  # what the readers will parse: refuse a bad one here
    client.set(streams.LIQUIDITY.format(account=settings.risk.account), json.dumps(doc))
    return liq


class LiquidityWatch:
    def __init__(self, client: Any, store: Callable[[], MarketStore], settings: DeskSettings,
                 clock: Clock, alert: Alert) -> None:
        self.client, self.store, self.settings, self.clock = client, store, settings, clock
        self.alert = alert
        self._key: tuple[date, frozenset[str]] | None = None
        self._blocked: list[str] = []

    def blocked(self, now: datetime, held: frozenset[str]) -> list[str]:
        """Stocks whose new buys the liquidity limits block (recomputed when due)."""
        if self._key == (now.date(), held):
            return self._blocked
        self._key = (now.date(), held)  # a failure too waits for the next day or holdings
        try:
            liq = publish_liquidity(self.client, self.store(), self.settings, self.clock,
                                    now.date())
        except redis.RedisError:
            raise  # the daemon retries on its next check
        except Exception as exc:  # the NAV watch must go on; the alert says why
            logger.exception("risk: liquidity check failed")
            self.alert("critical", "liquidity check failed", repr(exc)[:500], now)
            self._blocked = []
            return self._blocked
        for b in liq.breaches:
            self.alert("warning", f"liquidity: {b.kind.value} {b.subject}", b.detail, now,
                       key=f"liquidity-{b.kind.value}-{b.subject}", signature=b.kind.value)
        self._blocked = list(liq.blocked)
        return self._blocked
