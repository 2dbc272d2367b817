"""`VnpyBridge`: MainEngine + a guarded EventEngine, headless, with a clean stop.

Gateway events (orders, trades, ticks, positions, accounts) arrive on vnpy's dispatch
thread; the bridge only queues them, and the service's own thread drains the queue.
So desk state (Redis, the workers) is touched by one thread, and nothing slow ever
runs on vnpy's thread. `close()` is safe to call twice; call it in a `finally`.
"""

from __future__ import annotations

import os
import queue
import time
import uuid
from pathlib import Path
from typing import Any

from loguru import logger

from execution.engine.home import prepare_vnpy_home

EVENT_BARRIER = "eDeskBarrier"


class VnpyBridge:
    def __init__(self, data_dir: Path, timer_interval_s: int = 1) -> None:
        self.home = prepare_vnpy_home(data_dir)
        from vnpy.trader.engine import MainEngine
        from vnpy.trader.event import (
            EVENT_ACCOUNT,
            EVENT_LOG,
            EVENT_ORDER,
            EVENT_POSITION,
            EVENT_TICK,
            EVENT_TRADE,
        )

        from execution.engine.guarded import GuardedEventEngine

        self.event_engine = GuardedEventEngine(timer_interval_s)
        previous = os.getcwd()
        try:
            self.main_engine = MainEngine(self.event_engine)  # chdirs into its TRADER_DIR
        finally:
            os.chdir(previous)
        self.inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for kind in (EVENT_ORDER, EVENT_TRADE, EVENT_TICK, EVENT_ACCOUNT, EVENT_POSITION):
            self.event_engine.register(kind, self.inbox.put)
        self.event_engine.register(EVENT_LOG, _log_vnpy)
        self.event_engine.register(EVENT_BARRIER, self.inbox.put)
        self._closed = False

    @property
    def handler_errors(self) -> int:
        return self.event_engine.handler_errors

    def add_gateway(self, gateway_class: type[Any], name: str) -> Any:
        return self.main_engine.add_gateway(gateway_class, name)

    def gateway(self, name: str) -> Any:
        found = self.main_engine.gateways.get(name)
        if found is None:
            raise KeyError(f"no gateway named {name!r}; added: {sorted(self.main_engine.gateways)}")
        return found

    def connect(self, name: str, setting: dict[str, Any]) -> None:
        self.gateway(name)
        self.main_engine.connect(setting, name)

    def send_order(self, request: Any, gateway_name: str) -> str:
        """To the gateway, as `MainEngine.send_order` does, less its log event: formatting
        the request and waking vnpy's event thread cost every child, inside the approval
        -> first child window. The child is recorded in Redis before it is sent."""
        vt_orderid = str(self.gateway(gateway_name).send_order(request))
        logger.debug("child {} sent to {}: {}", request.reference, gateway_name, vt_orderid)
        return vt_orderid

    def cancel_order(self, request: Any, gateway_name: str) -> None:
        self.gateway(gateway_name)
        self.main_engine.cancel_order(request, gateway_name)

    def subscribe(self, request: Any, gateway_name: str) -> None:
        self.gateway(gateway_name)
        self.main_engine.subscribe(request, gateway_name)

    def drain(self, limit: int = 10_000) -> list[Any]:
        """Events waiting in the inbox (vnpy `Event`s), oldest first."""
        out: list[Any] = []
        while len(out) < limit:
            try:
                out.append(self.inbox.get_nowait())
            except queue.Empty:
                break
        return out

    def wait(self, timeout_s: float) -> Any | None:
        """The next event, waiting up to `timeout_s`; None if none came."""
        try:
            return self.inbox.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def barrier(self, timeout_s: float = 10.0) -> list[Any]:
        """Every event queued before this call (e.g. a gateway's replay), in order.

        A marker goes through vnpy's event queue behind them; events are collected
        until it comes out the other side.
        """
        from vnpy.event import Event

        token = uuid.uuid4().hex
        self.event_engine.put(Event(EVENT_BARRIER, token))
        deadline = time.monotonic() + timeout_s
        out: list[Any] = []
        while (left := deadline - time.monotonic()) > 0:
            event = self.wait(left)
            if event is None:
                break
            if event.type == EVENT_BARRIER:
                if event.data == token:
                    return out
                continue
            out.append(event)
        raise TimeoutError(f"vnpy event queue did not drain within {timeout_s}s")

    def close(self) -> None:
        """Stop the engines and every gateway; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.main_engine.close()
        logger.info("vnpy engines stopped")


def _log_vnpy(event: Any) -> None:
    log = event.data
    logger.debug("vnpy {}: {}", getattr(log, "gateway_name", "?"), getattr(log, "msg", log))
