"""Delivery off the service's loop: a slow or dead bot must not hold up the alert log.

A channel may take seconds per attempt and retry with backoff; the alerts service logs
every alert as it is read, so delivery runs in one background thread fed by a bounded
queue. `Direct` sends in the caller's thread (tests, one-shot tools).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Protocol

from loguru import logger

Deliver = Callable[[tuple[str, ...], str], None]


class Sender(Protocol):
    def submit(self, names: tuple[str, ...], text: str) -> None: ...

    def close(self, timeout_s: float = 10.0) -> None: ...


class Direct:
    def __init__(self, deliver: Deliver) -> None:
        self.deliver = deliver

    def submit(self, names: tuple[str, ...], text: str) -> None:
        self.deliver(names, text)

    def close(self, timeout_s: float = 10.0) -> None:
        """Nothing is pending: every message went out in submit."""


class Background:
    """One worker thread; at most `limit` messages wait, the newest are refused (logged)."""

    def __init__(self, deliver: Deliver, limit: int = 1000) -> None:
        self.deliver = deliver
        self.pending: queue.Queue[tuple[tuple[str, ...], str] | None] = queue.Queue(limit)
        self.thread = threading.Thread(target=self._run, name="alert-channels", daemon=True)
        self.thread.start()

    def submit(self, names: tuple[str, ...], text: str) -> None:
        try:
            self.pending.put_nowait((names, text))
        except queue.Full:  # grouping keeps this rare: the log has the alert regardless
            logger.error("alert channels backlogged: message to {} not queued: {}", names,
                         text.split("\n", 1)[0])

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything queued so far went out (True) or `timeout_s` passed."""
        done = threading.Event()

        def wait() -> None:
            self.pending.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        return done.wait(timeout_s)

    def close(self, timeout_s: float = 10.0) -> None:
        self.flush(timeout_s)
        self.pending.put(None)
        self.thread.join(timeout_s)

    def _run(self) -> None:
        while (item := self.pending.get()) is not None:
            try:
                self.deliver(*item)
            finally:
                self.pending.task_done()
        self.pending.task_done()
