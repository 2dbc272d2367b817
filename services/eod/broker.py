"""Where the broker's view of the day comes from: the simulator's books, or a real gateway.

Simulated gateways (paper mode, the demo) keep their books in Redis, which outlive the
execution service as a real broker's do. Real gateways are asked the way the execution
service asks them: a headless vnpy `MainEngine` logs in, the gateway replays the day's
orders, trades, positions and account, and the OMS is read after `replay_settle_s`.
"""

from __future__ import annotations

import os
import time
from datetime import date

from errors import RetryLater
from execution.eod.sim_view import sim_broker_day
from execution.eod.views import BrokerDay
from services.runtime import ServiceContext

SIM = "sim"


class BrokerUnavailable(RuntimeError, RetryLater):
    """The broker's view could not be read; the message says why."""


def broker_day(ctx: ServiceContext, day: date) -> BrokerDay:
    cfg = ctx.settings.execution
    names = {cfg.stock_gateway.name, cfg.futures_gateway.name}
    if names == {SIM}:
        return sim_broker_day(ctx.client, cfg.account, day, cfg.initial_cash)
    if SIM in names:
        raise BrokerUnavailable(
            f"execution.stock_gateway is {cfg.stock_gateway.name} and execution.futures_gateway "
            f"is {cfg.futures_gateway.name}: reconciliation reads either the simulator or "
            "real gateways, not one of each")
    return _from_real_gateways(ctx, day)


def _from_real_gateways(ctx: ServiceContext, day: date) -> BrokerDay:
    from execution.engine.bridge import VnpyBridge
    from execution.eod.vnpy_view import vnpy_broker_day
    from execution.gateway.factory import connect_setting, gateway_class, gateway_spec

    cfg = ctx.settings.execution
    bridge = VnpyBridge(ctx.data_dir)
    try:
        names = []
        for gateway_cfg in {g.name: g for g in (cfg.stock_gateway, cfg.futures_gateway)}.values():
            cls = gateway_class(gateway_cfg.name)
            name = gateway_spec(gateway_cfg.name).vnpy_name
            bridge.add_gateway(cls, name)
            bridge.connect(name, connect_setting(gateway_cfg, cls.default_setting, os.environ))
            names.append(name)
        time.sleep(cfg.replay_settle_s)  # real gateways replay asynchronously after login
        return vnpy_broker_day(bridge.main_engine, day, names)
    except Exception as exc:
        raise BrokerUnavailable(f"reading the broker through {sorted(names)} failed: {exc!r}") \
            from exc
    finally:
        bridge.close()
