"""The batches the scheduler published, read back from the batch stream."""

from __future__ import annotations

from datetime import date
from typing import Any

import redis

from bus import streams
from bus.messages import BatchPublished, InvalidMessage, decode
from bus.wire import BadEntry, text_fields

PAGE = 500


def published_batches(client: redis.Redis, start: date,
                      end: date) -> tuple[dict[date, BatchPublished], list[str]]:
    """The last batch published for each trade date in [start, end], and one line per
    unreadable entry (named and left out)."""
    found: dict[date, BatchPublished] = {}
    errors: list[str] = []
    lower = "-"
    while True:
        page = client.xrange(streams.BATCHES, min=lower, max="+", count=PAGE)
        for entry_id, raw in page:
            batch = _batch(entry_id, raw, errors)
            if batch is not None and start <= batch.trade_date <= end:
                found[batch.trade_date] = batch  # a re-run replaces the earlier batch
        if len(page) < PAGE:
            return found, errors
        lower = "(" + _text(page[-1][0])


def _batch(entry_id: Any, raw: Any, errors: list[str]) -> BatchPublished | None:
    try:
        envelope = decode(text_fields(_as_bytes(raw)))
    except (BadEntry, InvalidMessage) as exc:
        errors.append(f"{streams.BATCHES} {_text(entry_id)}: unreadable ({exc})")
        return None
    if not isinstance(envelope.body, BatchPublished):
        return None
    return envelope.body


def _as_bytes(raw: dict[Any, Any]) -> dict[bytes, bytes]:
    return {(k if isinstance(k, bytes) else str(k).encode()):
            (v if isinstance(v, bytes) else str(v).encode()) for k, v in raw.items()}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
