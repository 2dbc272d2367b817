"""Prometheus metrics for operations, read from the desk's Redis at scrape time.

One collector gives the whole desk's health (services, streams, orders, NAV, halt),
so every service process stays free of metrics plumbing. The alerts service serves
it on 127.0.0.1 (`alerts.metrics_port`; 0 turns it off).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence

import redis
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bus import streams
from services.nav_read import latest_snapshots
from services.registry import SERVICES
from services.status import order_states


class DeskCollector(Collector):
    """`accounts`: the desk's accounts (one name, or several: NAV figures per account);
    `services`: the processes to watch (`execution@B` ...), by default the one-account set."""

    def __init__(self, client: redis.Redis, accounts: str | Sequence[str],
                 services: Sequence[str] | None = None) -> None:
        self.client = client
        self.accounts = (accounts,) if isinstance(accounts, str) else tuple(accounts)
        self.services = tuple(services) if services is not None else tuple(SERVICES)

    def collect(self) -> Iterator[Metric]:
        yield from self._services()
        yield from self._streams()
        yield from self._orders()
        yield from self._risk()

    def _services(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("desk_service_up", "1 if the service's heartbeat is live",
                               labels=["service"])
        age = GaugeMetricFamily("desk_service_heartbeat_age_seconds",
                                "seconds since the service's last heartbeat", labels=["service"])
        for name in self.services:
            raw = self.client.get(streams.HEARTBEAT.format(service=name))
            up.add_metric([name], 1.0 if raw else 0.0)
            if raw:
                age.add_metric([name], time.time() - float(json.loads(raw).get("wall", 0)))
        yield up
        yield age

    def _streams(self) -> Iterator[Metric]:
        length = GaugeMetricFamily("desk_stream_length", "entries in the stream", labels=["stream"])
        pending = GaugeMetricFamily("desk_stream_pending", "entries read but not acknowledged",
                                    labels=["stream", "group"])
        for stream in streams.ALL_STREAMS:
            if not self.client.exists(stream):
                length.add_metric([stream], 0.0)
                continue
            length.add_metric([stream], float(self.client.xlen(stream)))
            for group in self.client.xinfo_groups(stream):
                pending.add_metric([stream, group["name"]], float(group["pending"]))
        yield length
        yield pending

    def _orders(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily("desk_orders", "orders of the current trade date by state",
                                  labels=["state"])
        day = self.client.get(streams.CURRENT_BATCH)
        states = order_states(self.client, day) if day else {}
        for state, count in sorted(states.items()):
            gauge.add_metric([state], float(count))
        yield gauge
        yield GaugeMetricFamily("desk_halted", "1 while the kill switch is on",
                                value=1.0 if self.client.exists(streams.HALT) else 0.0)

    def _risk(self) -> Iterator[Metric]:
        """Each account's latest NAV snapshot (one product's never shown as another's)."""
        latest = latest_snapshots(self.client, self.accounts)
        if not latest:
            return
        nav = GaugeMetricFamily("desk_nav_cny", "latest NAV", labels=["account"])
        drawdown = GaugeMetricFamily("desk_drawdown_ratio", "drawdown from the high-water mark",
                                     labels=["account"])
        hedge = GaugeMetricFamily("desk_hedge_ratio", "share of the book hedged",
                                  labels=["account"])
        for account, snap in sorted(latest.items()):
            nav.add_metric([account], float(snap.nav))
            drawdown.add_metric([account], float(snap.drawdown))
            hedge.add_metric([account], float(snap.hedge_ratio))
        yield nav
        yield drawdown
        yield hedge

