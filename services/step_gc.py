"""Garbage collection between steps, not inside an approval.

CPython collects when the count of new container objects passes a threshold (700 by
default), wherever that happens: in the execution service about one approval in 15
had a collection inside it, a young one 0.1-0.3 ms, a middle one 1.5-2 ms (measured
2026-12-06 with other work running), enough to set the tail of approval -> first
child. So, for a service with a latency to keep:

- after start-up, `gc.freeze()`: what start-up built (vnpy, the desk, the calendar)
  is never scanned again;
- the automatic thresholds raised, so they rarely fire (they stay as a safety net: a
  long step still collects);
- at the end of each step, with no message in hand, `idle()` collects the young
  generation once enough objects were made, the middle one every tenth time and
  everything every hundredth.

Frozen objects are still freed by reference counting; only a cycle among them waits
for `stop()` (which unfreezes them and restores the thresholds).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

SAFETY_THRESHOLDS = (50_000, 20, 20)  # automatic collections: rare, but never none
YOUNG_AT_IDLE = 700  # new objects worth a collection at the end of a step (CPython's 700)
MIDDLE_EVERY = 10  # young collections per middle one (CPython's threshold1)
FULL_EVERY = 100  # young collections per full one


@dataclass
class StepCollector:
    """Collects at the end of steps; `start()` once the service is set up."""

    young_at_idle: int = YOUNG_AT_IDLE
    collections: int = field(default=0, init=False)
    _saved: tuple[int, int, int] | None = field(default=None, init=False)

    def start(self) -> None:
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        gc.collect()  # start-up's garbage goes before the rest is frozen
        gc.freeze()
        gc.set_threshold(*SAFETY_THRESHOLDS)

    def idle(self) -> int | None:
        """Collect if enough was made since the last time; the generation collected."""
        if self._saved is None or gc.get_count()[0] < self.young_at_idle:
            return None
        self.collections += 1
        generation = (2 if self.collections % FULL_EVERY == 0
                      else 1 if self.collections % MIDDLE_EVERY == 0 else 0)
        gc.collect(generation)
        return generation

    def stop(self) -> None:
        if self._saved is None:
            return
        gc.unfreeze()
        gc.set_threshold(*self._saved)
        self._saved = None
