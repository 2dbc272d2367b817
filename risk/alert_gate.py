"""Alert once, not every half second: a breach is re-sent only when it changes or a day passes."""

from __future__ import annotations

from datetime import date


class AlertGate:
    def __init__(self) -> None:
        self._sent: dict[str, tuple[date, str]] = {}

    def should_send(self, key: str, signature: str, day: date) -> bool:
        """True the first time `key` is seen on `day` or when its `signature` changed."""
        if self._sent.get(key) == (day, signature):
            return False
        self._sent[key] = (day, signature)
        return True

    def clear(self, key: str) -> None:
        """The condition is gone: the next occurrence alerts again."""
        self._sent.pop(key, None)
