"""The guarded event engine, vnpy's home folder, the gateway factory, reconnect backoff."""

import itertools
import threading
from pathlib import Path
from typing import Any

import pytest
from vnpy.event import Event

from execution.config import GatewayConfig, ReconnectConfig
from execution.engine.guarded import GuardedEventEngine
from execution.gateway.factory import GatewayConfigError, connect_setting, gateway_class
from execution.gateway.link import Link, LinkChange


def test_a_failing_handler_does_not_stop_dispatch() -> None:
    engine = GuardedEventEngine(interval=1)
    seen: list[str] = []
    done = threading.Event()

    def broken(event: Event) -> None:
        raise RuntimeError("bug in a handler")

    def fine(event: Event) -> None:
        seen.append(event.data)
        if event.data == "second":
            done.set()

    engine.register("t", broken)
    engine.register("t", fine)
    engine.start()
    try:
        engine.put(Event("t", "first"))
        engine.put(Event("t", "second"))
        assert done.wait(5)
    finally:
        engine.stop()
    assert seen == ["first", "second"] and engine.handler_errors == 2


def test_main_engine_runs_in_the_desk_folder(tmp_path: Path) -> None:
    import os

    from execution.engine.bridge import VnpyBridge

    before = os.getcwd()
    bridge = VnpyBridge(tmp_path)
    try:
        assert os.getcwd() == before  # MainEngine's chdir is undone
        assert (tmp_path / "vnpy" / ".vntrader" / "vt_setting.json").exists()
        import vnpy.trader.engine as engine_module

        assert (tmp_path / "vnpy").resolve() == engine_module.TRADER_DIR
    finally:
        bridge.close()
        bridge.close()  # safe twice


def test_real_gateways_take_secrets_from_the_environment() -> None:
    cfg = GatewayConfig(name="CtpGateway", setting={"经纪商代码": "9999"},
                        setting_env={"密码": "CTP_PASSWORD", "用户名": "CTP_USER"})
    defaults = gateway_class("CtpGateway").default_setting
    setting = connect_setting(cfg, defaults, {"CTP_PASSWORD": "s3cret", "CTP_USER": "u"})
    assert setting["密码"] == "s3cret" and setting["经纪商代码"] == "9999"
    assert setting["柜台环境"] == "实盘"  # first choice of a list option
    with pytest.raises(GatewayConfigError, match="CTP_PASSWORD"):
        connect_setting(cfg, defaults, {"CTP_USER": "u"})
    typo = GatewayConfig(name="CtpGateway", setting={"broker": "1"})
    with pytest.raises(GatewayConfigError, match="unknown connect key"):
        connect_setting(typo, defaults, {})
    with pytest.raises(GatewayConfigError, match="not known"):
        gateway_class("IbGateway")


class FakeGateway:
    def __init__(self) -> None:
        self.connected = True


def test_reconnect_backoff_doubles_and_is_capped() -> None:
    clock = [0.0]
    gateway: Any = FakeGateway()
    link = Link("SIM", gateway, {}, ReconnectConfig(first_delay_s=1, max_delay_s=4),
                now=lambda: clock[0])
    assert link.poll() is None
    gateway.connected = False
    assert link.poll() is LinkChange.DOWN
    tries = []
    for _ in range(200):
        clock[0] += 0.25
        if link.poll() is LinkChange.RETRY:
            tries.append(clock[0])
    gaps = [b - a for a, b in itertools.pairwise(tries)]
    assert gaps[:3] == [2.0, 4.0, 4.0] and max(gaps) == 4.0
    gateway.connected = True
    assert link.poll() is LinkChange.UP


def test_an_order_goes_straight_to_the_gateway_without_a_vnpy_log_event(
        tmp_path: Path) -> None:
    """`VnpyBridge.send_order` does what `MainEngine.send_order` does less its log event
    (formatting the request and waking vnpy's event thread inside every send)."""
    from vnpy.trader.constant import Direction, Exchange, Offset, OrderType
    from vnpy.trader.event import EVENT_LOG, EVENT_ORDER
    from vnpy.trader.object import OrderRequest

    from bench.bench_execution import echo_gateway
    from execution.engine.bridge import VnpyBridge

    bridge = VnpyBridge(tmp_path)
    logs: list[str] = []
    bridge.event_engine.register(EVENT_LOG, lambda event: logs.append(str(event.data.msg)))
    try:
        bridge.add_gateway(echo_gateway(acknowledge_only=True), "ECHO")
        request = OrderRequest(symbol="600000", exchange=Exchange.SSE, direction=Direction.LONG,
                               type=OrderType.LIMIT, volume=100.0, price=10.01,
                               offset=Offset.NONE, reference="B1-0001#1")
        vt_orderid = bridge.send_order(request, "ECHO")
        orders = [e.data for e in bridge.barrier() if e.type == EVENT_ORDER]
        assert [(o.vt_orderid, o.reference) for o in orders] == [(vt_orderid, "B1-0001#1")]
        assert not [m for m in logs if "B1-0001#1" in m], logs
        with pytest.raises(KeyError, match="no gateway named 'NONE'"):
            bridge.send_order(request, "NONE")
    finally:
        bridge.close()
