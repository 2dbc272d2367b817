"""Publishing to and consuming from Redis Streams with consumer groups.

A consumer acknowledges an entry only after its handler has acted. At start it
finishes its own pending entries, and every few seconds (`claim_every_s`; not on every
poll, which would cost each message a round trip) it claims entries that another
consumer left pending too long (XAUTOCLAIM). Entries are read as bytes and decoded
defensively (`bus.wire`). An entry that fails validation, that its handler refuses
(`MessageRefused`), whose handler keeps failing, or that was delivered too often
without an acknowledgement (its consumer died on it), goes to the dead-letter stream
with the reason; the consumer never stops on a bad message.

A handler given as `Prefetching` names the reads it starts with; they go out with the
consumer's duplicate check, in one round trip, and the handler gets their replies. One
that also names keys to `watch` gets them WATCHed first in that same packet, on a
pipeline it is handed for its own MULTI/EXEC (`bus.pinned`): a key changed after the
read fails that EXEC.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import redis
from loguru import logger

from bus import streams
from bus.messages import Body, Envelope, InvalidMessage, decode, encode, new_id
from bus.pinned import watch_and_read
from bus.wire import BadEntry, check_depth, printable, raw_twin, text_fields
from errors import FixData

Handler = Callable[[Envelope], None]
T = TypeVar("T")

STREAM_MAXLEN = 200_000  # approximate trim; batches and audit are also archived to disk
PROCESSED_TTL_S = 8 * 24 * 3600
MAX_CLAIM_EVERY_S = 5.0
RawFields = dict[bytes, bytes]


class MessageRefused(FixData):
    """Raised by a handler for a well-formed message it must not act on (forged, out of
    range): the entry is dead-lettered at once with this reason, never retried."""


@dataclass(frozen=True)
class Prefetching:
    """A handler whose first reads go out with the duplicate check (one round trip).

    `reads(envelope)`: the commands (name and arguments; no I/O here, and a message
    they do not fit raises MessageRefused); `handle(envelope, replies)` acts, with the
    replies read as bytes, as every entry is (an error reply is passed as the exception).

    `watch(envelope)`, when given: keys WATCHed before those reads, in the same packet;
    then `handle(envelope, replies, pipe)` gets the watching transaction pipeline (None
    when `watch` named no key), unwatched and released when the handler returns."""

    reads: Callable[[Envelope], Sequence[tuple[Any, ...]]]
    handle: Callable[..., None]
    watch: Callable[[Envelope], Sequence[str]] | None = None


def publish(
    client: redis.Redis | Any,
    stream: str,
    msg_type: str,
    body: Body,
    *,
    source: str,
    ts: datetime,
    msg_id: str | None = None,
) -> str:
    """Append one message; `client` may be a pipeline (then the id is not known yet)."""
    fields = encode(msg_type, body, source=source, ts=ts, msg_id=msg_id or new_id())
    result = client.xadd(stream, fields, maxlen=STREAM_MAXLEN, approximate=True)  # type: ignore[arg-type]
    return str(result)


@dataclass
class StreamConsumer:
    """One consumer in one group on one stream."""

    client: redis.Redis
    stream: str
    group: str
    name: str
    handlers: dict[str, Handler | Prefetching]
    block_ms: int = 500
    claim_idle_ms: int = 30_000
    # How often to look for stale entries; by default half the idle time, at most 5 s
    # (an entry is not stale before claim_idle_ms, so looking more often buys nothing).
    claim_every_s: float | None = None
    max_attempts: int = 5
    batch: int = 100
    monotonic: Callable[[], float] = time.monotonic  # tests move it on
    _started: bool = field(default=False, init=False)
    _claimed_at: float | None = field(default=None, init=False)
    _raw: redis.Redis = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Replies as bytes: a non-UTF-8 byte must fail one entry, not XREADGROUP itself.
        self._raw = raw_twin(self.client)

    def ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def poll(self, block: bool = True) -> int:
        """Handle what is waiting; returns how many entries were handled."""
        if not self._started:
            self.ensure_group()
            self._started = True
            handled = self._drain_own_pending()
        else:
            handled = 0
        handled += self._claim_stale_when_due()
        response = self._raw.xreadgroup(
            self.group,
            self.name,
            {self.stream: ">"},
            count=self.batch,
            block=self.block_ms if block and self.block_ms > 0 else None,
        )
        for _stream, entries in response or []:
            for entry_id, fields in entries:
                self._handle(_text_id(entry_id), fields)
                handled += 1
        return handled

    def _drain_own_pending(self) -> int:
        """Entries this consumer read but did not ack before a crash."""
        handled = 0
        while True:
            response = self._raw.xreadgroup(
                self.group, self.name, {self.stream: "0"}, count=self.batch
            )
            entries = response[0][1] if response else []
            if not entries:
                return handled
            self._handle_redelivered(entries)
            handled += len(entries)

    def _claim_stale_when_due(self) -> int:
        now = self.monotonic()
        every = self.claim_every_s
        if every is None:
            every = min(MAX_CLAIM_EVERY_S, self.claim_idle_ms / 2000)
        if self._claimed_at is not None and now - self._claimed_at < every:
            return 0
        self._claimed_at = now
        return self._claim_stale()

    def _claim_stale(self) -> int:
        result = self._raw.xautoclaim(
            self.stream, self.group, self.name, self.claim_idle_ms, "0-0", count=self.batch
        )
        entries = result[1] if result else []
        self._handle_redelivered([(i, f) for i, f in entries if f])  # deleted: None
        return len(entries)

    def _handle_redelivered(self, entries: list[tuple[bytes, RawFields]]) -> None:
        """Pending entries: one delivered too often killed its consumer every time."""
        ids = [_text_id(entry_id) for entry_id, _fields in entries]
        deliveries = self._deliveries(ids)
        for entry_id, (_raw_id, fields) in zip(ids, entries, strict=True):
            times = deliveries.get(entry_id, 0)
            if times > self.max_attempts:
                self._dead_letter(entry_id, fields, f"delivered {times} times and never "
                                  "acknowledged (its consumer died handling it)")
            else:
                self._handle(entry_id, fields)

    def _deliveries(self, ids: list[str]) -> dict[str, int]:
        if not ids:
            return {}
        rows = self.client.xpending_range(self.stream, self.group, min=min(ids, key=_id_key),
                                          max=max(ids, key=_id_key), count=len(ids),
                                          consumername=self.name)
        return {str(r["message_id"]): int(r["times_delivered"]) for r in rows}

    def _decode(self, entry_id: str, raw: RawFields) -> Envelope | None:
        """The envelope, or None once the entry is dead-lettered with the reason."""
        try:
            fields = text_fields(raw)
            check_depth(fields.get("body", ""))
            return decode(fields)
        except (BadEntry, InvalidMessage) as exc:
            reason = f"invalid message: {exc}"
        except Exception as exc:  # any parser failure is the message's fault, not ours
            reason = f"undecodable message: {type(exc).__name__}: {str(exc)[:200]}"
        self._dead_letter(entry_id, raw, reason)
        return None

    def _handle(self, entry_id: str, fields: RawFields) -> None:
        envelope = self._decode(entry_id, fields)
        if envelope is None:
            return
        handler = self.handlers.get(envelope.type)
        if not isinstance(handler, Prefetching):
            self._act(entry_id, fields, envelope, handler, None, None)
            return
        prefetching = handler
        ok, reads = self._guarded(entry_id, fields, envelope,
                                  lambda: list(prefetching.reads(envelope)))
        watch_of = prefetching.watch
        watch: list[str] | None = []
        if ok and watch_of is not None:
            ok, watch = self._guarded(entry_id, fields, envelope,
                                      lambda: list(watch_of(envelope)))
        if not ok:
            return
        if not watch:
            self._act(entry_id, fields, envelope, handler, reads, None)
            return
        with self._raw.pipeline(transaction=True) as pipe:  # left: unwatched, released
            self._act(entry_id, fields, envelope, handler, reads, (pipe, watch))

    def _act(self, entry_id: str, fields: RawFields, envelope: Envelope,
             handler: Handler | Prefetching | None, reads: list[tuple[Any, ...]] | None,
             watching: tuple[Any, list[str]] | None) -> None:
        processed, replies = self._check_duplicate(envelope, reads, watching)
        if processed:
            self._acknowledge(entry_id)
            return
        if handler is None:
            self._dead_letter(entry_id, fields, f"no handler for {envelope.type!r} in {self.group}")
            return
        act = handler
        if isinstance(act, Prefetching):
            extra = () if act.watch is None else (watching[0] if watching else None,)
            call: Callable[[], None] = lambda: act.handle(envelope, replies, *extra)  # noqa: E731
        else:
            call = lambda: act(envelope)  # noqa: E731
        if self._guarded(entry_id, fields, envelope, call)[0]:
            self._acknowledge(entry_id, envelope.id)

    def _guarded(self, entry_id: str, fields: RawFields, envelope: Envelope,
                 call: Callable[[], T]) -> tuple[bool, T | None]:
        """Run a handler's part: (True, its result), or (False, None) when a refusal was
        dead-lettered or a bug left for a retry (a handler bug must not stop the consumer)."""
        try:
            return True, call()
        except MessageRefused as exc:
            self._dead_letter(entry_id, fields, f"refused: {exc}")
        except Exception as exc:
            self._failed(entry_id, fields, envelope, exc)
        return False, None

    def _check_duplicate(self, envelope: Envelope, reads: list[tuple[Any, ...]] | None,
                         watching: tuple[Any, list[str]] | None = None,
                         ) -> tuple[bool, list[Any]]:
        """Whether this message was processed already, and the replies to `reads`
        (`watching`: the pipeline and keys to WATCH first, in the same packet)."""
        if reads is None:
            return bool(self.client.sismember(self._processed_key, envelope.id)), []
        check = ("SISMEMBER", self._processed_key, envelope.id)
        if watching is not None:
            pipe, watch = watching
            processed, *replies = watch_and_read(pipe, watch, [check, *reads])
        else:
            with self._raw.pipeline(transaction=False) as plain:
                plain.execute_command(*check)
                for command in reads:
                    plain.execute_command(*command)
                processed, *replies = plain.execute(raise_on_error=False)
        # A read's error reply (a hostile key of the wrong type) goes to the handler,
        # which fails on it like on its own read; the check's own error is raised.
        if isinstance(processed, Exception):
            raise processed
        return bool(processed), replies

    @property
    def _attempts_key(self) -> str:
        return f"{streams.PREFIX}:attempts:{self.stream}:{self.group}"

    def _failed(self, entry_id: str, fields: RawFields, env: Envelope, exc: Exception) -> None:
        attempts = int(self.client.hincrby(self._attempts_key, entry_id, 1))
        logger.opt(exception=exc).error(
            "{} failed on {} {} (attempt {}/{})",
            self.group,
            env.type,
            env.id,
            attempts,
            self.max_attempts,
        )
        if attempts >= self.max_attempts:
            self._dead_letter(entry_id, fields, f"handler failed {attempts} times: {exc!r}")

    def _dead_letter(self, entry_id: str, fields: RawFields, reason: str) -> None:
        logger.warning(
            "dead-lettering {} {} from {}: {}", self.stream, entry_id, self.group, reason
        )
        record = {
            "stream": self.stream,
            "group": self.group,
            "entry_id": entry_id,
            "reason": reason,
            **{f"orig_{printable(k, 64)}": printable(v) for k, v in list(fields.items())[:16]},
        }
        pipe = self.client.pipeline(transaction=True)
        pipe.xadd(streams.DEAD_LETTER, record, maxlen=STREAM_MAXLEN, approximate=True)  # type: ignore[arg-type]
        pipe.xack(self.stream, self.group, entry_id)
        pipe.hdel(self._attempts_key, entry_id)
        pipe.execute()

    def _acknowledge(self, entry_id: str, processed: str | None = None) -> None:
        """Ack (and mark the message processed) in one transaction: an entry is never
        marked processed while it is still pending, nor acked without the mark."""
        with self.client.pipeline(transaction=True) as pipe:
            if processed is not None:
                pipe.sadd(self._processed_key, processed)
                pipe.expire(self._processed_key, PROCESSED_TTL_S)
            pipe.xack(self.stream, self.group, entry_id)
            pipe.hdel(self._attempts_key, entry_id)
            pipe.execute()

    @property
    def _processed_key(self) -> str:
        return streams.PROCESSED.format(group=f"{self.stream}:{self.group}")


def _text_id(entry_id: bytes | str) -> str:
    return entry_id.decode("ascii") if isinstance(entry_id, bytes) else entry_id


def _id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)
