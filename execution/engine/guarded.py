"""An EventEngine whose dispatch survives a failing handler.

vnpy's `EventEngine._process` calls handlers with no try/except, so one exception in
any handler (ours or vnpy's own engines') ends its dispatch thread and every later
event is silently dropped. Here each handler call is guarded: the error is logged with
its traceback and counted, and dispatch goes on.
"""

from __future__ import annotations

from collections.abc import Callable

from loguru import logger
from vnpy.event import Event, EventEngine

Handler = Callable[[Event], None]


class GuardedEventEngine(EventEngine):
    def __init__(self, interval: int = 1) -> None:
        super().__init__(interval)
        self.handler_errors = 0

    def _process(self, event: Event) -> None:
        for handler in list(self._handlers.get(event.type, ())):
            self._call(handler, event)
        for handler in list(self._general_handlers):
            self._call(handler, event)

    def _call(self, handler: Handler, event: Event) -> None:
        try:
            handler(event)
        except Exception:  # a handler bug must not stop event dispatch
            self.handler_errors += 1
            name = getattr(handler, "__qualname__", repr(handler))
            logger.opt(exception=True).error("vnpy event handler {} failed on {}", name,
                                             event.type)
