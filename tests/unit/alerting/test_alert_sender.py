"""Delivery in the background: submitting never waits for a slow channel."""

from __future__ import annotations

import threading
import time

from services.alerting.sender import Background


def test_a_slow_channel_does_not_hold_up_the_caller_and_everything_goes_out() -> None:
    gate = threading.Event()
    got: list[str] = []

    def deliver(_names: tuple[str, ...], text: str) -> None:
        gate.wait(5)
        got.append(text)

    sender = Background(deliver, limit=10)
    started = time.monotonic()
    for i in range(5):
        sender.submit(("ops",), f"m{i}")
    assert time.monotonic() - started < 0.5 and got == []
    assert not sender.flush(0.2)  # still held by the slow channel
    gate.set()
    assert sender.flush(5) and got == [f"m{i}" for i in range(5)]
    sender.close()
    assert not sender.thread.is_alive()


def test_a_full_backlog_refuses_the_newest_instead_of_blocking() -> None:
    gate = threading.Event()
    got: list[str] = []

    def deliver(_names: tuple[str, ...], text: str) -> None:
        gate.wait(5)
        got.append(text)

    sender = Background(deliver, limit=2)
    for i in range(6):  # one in the worker's hands, two waiting, three refused
        sender.submit(("ops",), f"m{i}")
        time.sleep(0.05)
    gate.set()
    sender.close()
    assert got == ["m0", "m1", "m2"]
