"""A hedged desk in Redis, as the risk daemon and the execution service leave it: the risk
state document (rung 1 in force), the ledger with an IM short, last prices, the intraday
high-water mark, NAV snapshots and closing NAV records over several days."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import redis

from bus import streams
from bus.bus import publish
from bus.messages import NavSnapshot
from execution.eod.nav_series import NAV_SERIES, NavRecord
from execution.ledger import FutureHolding, Ledger
from marketdata.clock import EXCHANGE_TZ
from risk.config import RiskConfig
from risk.drawdown import HighWaterMark
from risk.monitor import MonitorState, close_day, observe_nav
from risk.nav import NavBreakdown
from risk.state_doc import Snapshot, public_state, state_json

PEAK = Decimal("100000000.00")
NAV = Decimal("79000000.00")  # 21% below the peak: rung 1 (20% -> hedge 30%)
INDEX = "6268.8"
PRICES = {"IM2612.CFFEX": "6201.8", "IM2701.CFFEX": "6150.2", "IM2703.CFFEX": "6050.0",
          "IM2706.CFFEX": "5900.4", "000852.SSE": INDEX}
SHORT = FutureHolding(7, Decimal("6250.0"))


def seed_risk_state(client: redis.Redis, cfg: RiskConfig, at: datetime) -> None:
    peak = HighWaterMark(PEAK, at - timedelta(days=20))
    obs = observe_nav(MonitorState(), peak, cfg, NAV, at - timedelta(days=2), 0.05)
    # One close since the rung (the ladder counts only the last of the closes given).
    monitor = close_day(obs.state, peak, cfg, (at - timedelta(days=1)).date(), [6000.0, 6100.0])
    nav = NavBreakdown(nav=NAV, stock_value=Decimal("60000000.00"),
                       cash=Decimal("19000000.00"), futures_pnl=Decimal("33880.00"),
                       futures_notional=Decimal("8682520.00"),
                       futures_margin=Decimal("1302378.00"))
    snap = Snapshot(at=at, nav=nav, drawdown=obs.drawdown, hedged_share=0.2894, beta=1.0,
                    blocked=[])
    client.set(streams.RISK_STATE.format(account=cfg.account),
               state_json(public_state(cfg, snap, monitor, peak), monitor, {}))
    client.set(streams.HWM.format(account=cfg.account), peak.to_json())


def seed_book(client: redis.Redis, account: str, at: datetime) -> None:
    ledger = Ledger(account=account, cash=Decimal("19000000.00"), at=at,
                    futures={"IM2612.CFFEX": SHORT})
    client.set(streams.LEDGER.format(account=account), ledger.to_json())
    client.hset(streams.LAST_PRICES, mapping=PRICES)


def seed_closes(client: redis.Redis, account: str, days: list[date],
                navs: list[Decimal]) -> None:
    """Closing NAV records as the end of day writes them (mark: the running peak)."""
    peak = Decimal(0)
    for day, nav in zip(days, navs, strict=True):
        peak = max(peak, nav)
        record = NavRecord(day, account, nav, nav, Decimal(0), Decimal(0), peak,
                           float(1 - nav / peak), datetime.combine(day, time(15, 30),
                                                                   EXCHANGE_TZ))
        client.hset(NAV_SERIES.format(account=account), day.isoformat(),
                    json.dumps(record.to_row()))


def seed_snapshots(client: redis.Redis, account: str, start: datetime, count: int,
                   hwm: Decimal, first: Decimal, step: Decimal) -> None:
    """NAV snapshots every 3 s from `start`, falling by `step` each; the hedge ratio
    goes to 30% half way (a ladder move the chart marks)."""
    for i in range(count):
        at = start + timedelta(seconds=3 * i)
        nav = first - step * i
        publish(client, streams.NAV, "nav", NavSnapshot(
            account=account, nav=nav, hwm=hwm, drawdown=float(1 - nav / hwm),
            stock_value=nav, cash=Decimal(0), hedge_ratio=0.3 if i >= count // 2 else 0.0,
            at=at), source="risk", ts=at)
