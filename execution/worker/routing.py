"""Adding the configured gateways to MainEngine: one per distinct gateway name."""

from __future__ import annotations

from collections.abc import Mapping

from execution.config import ExecutionConfig
from execution.engine.bridge import VnpyBridge
from execution.gateway.factory import (
    GatewayConfigError,
    connect_setting,
    gateway_class,
    gateway_spec,
)
from execution.gateway.link import Link
from execution.gateway.sim.gateway import SimDeps
from execution.worker.sender import Routes


def add_gateways(bridge: VnpyBridge, cfg: ExecutionConfig, sim: SimDeps | None,
                 env: Mapping[str, str]) -> tuple[Routes, list[Link]]:
    """Routes for stock and hedge orders, and a watched link per gateway."""
    links: dict[str, Link] = {}
    for gateway_cfg in (cfg.stock_gateway, cfg.futures_gateway):
        spec = gateway_spec(gateway_cfg.name)
        if spec.vnpy_name in links:
            continue
        cls = gateway_class(gateway_cfg.name)
        gateway = bridge.add_gateway(cls, spec.vnpy_name)
        if gateway_cfg.name == "sim":
            if sim is None:
                raise GatewayConfigError("the simulated gateway needs a market tape (SimDeps)")
            gateway.bind(sim)
            setting: dict[str, object] = {"account": cfg.account}
        else:
            setting = connect_setting(gateway_cfg, cls.default_setting, env)
        links[spec.vnpy_name] = Link(spec.vnpy_name, gateway, dict(setting), cfg.reconnect)
    routes = Routes(stock=gateway_spec(cfg.stock_gateway.name).vnpy_name,
                    hedge=gateway_spec(cfg.futures_gateway.name).vnpy_name)
    return routes, list(links.values())
