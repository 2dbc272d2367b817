"""The nightly job: data gate, model, orders, one batch on the bus.

Used by the scheduler service's cron, by `desk model run` and by the demo, so all
three publish exactly the same batch for the same data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from loguru import logger

from bus import streams
from bus.alerts import send_alert
from bus.bus import publish
from bus.messages import BatchPublished
from errors import FixData
from orders.factory import new_order
from orders.order import Order
from services.accounts import account_names
from services.runtime import ServiceContext
from services.scheduler.book import current_book
from services.scheduler.book_record import record_book
from services.scheduler.gate import data_gate
from strategies.sell_guard import OVERRIDE_WARNING, LargeSellRefused

if TYPE_CHECKING:
    from marketdata.schema import Panel
    from marketdata.store import MarketStore

SOURCE = "scheduler"
RUNS_KEPT = 50
# The stock fields the model reads: the backtest's `FIELDS_READ` (a test keeps the two
# equal; the backtest's package is not imported for it). A field the model asks for and
# the panel lacks raises, so a shorter list cannot change a batch silently.
MODEL_FIELDS: tuple[str, ...] = (
    "open", "high", "low", "close", "prev_close", "volume", "amount", "adj_factor",
    "total_mcap", "float_mcap", "risk_flag", "suspended", "listed", "net_profit_ttm", "equity",
)


class BatchRefused(FixData):
    """The batch may not be published; the message says why."""


@dataclass
class RunOutcome:
    signal_date: date
    trade_date: date
    started: datetime
    outcome: str  # published | dry-run | refused | gated | failed
    detail: str = ""
    batch_id: str | None = None
    batch: BatchPublished | None = None
    model_batch: Any = None
    finished: datetime | None = None
    problems: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return {
            "signal_date": self.signal_date.isoformat(),
            "trade_date": self.trade_date.isoformat(),
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
            "outcome": self.outcome,
            "detail": self.detail,
            "batch_id": self.batch_id,
        }


def run_nightly(ctx: ServiceContext, signal_date: date, trade_date: date, *,
                dry_run: bool = False, trigger: str = "manual",
                allow_large_turnover: bool = False) -> RunOutcome:
    """Run the model for `signal_date` and publish the batch for `trade_date`."""
    outcome = RunOutcome(signal_date, trade_date, ctx.clock.now(), "failed")
    try:
        _run(ctx, outcome, dry_run, allow_large_turnover)
    except (BatchRefused, LargeSellRefused) as exc:
        outcome.outcome, outcome.detail = "refused", str(exc)
        alert(ctx, "warning", f"batch for {trade_date} not published", str(exc))
    except Exception as exc:
        logger.exception("nightly run for {} failed", signal_date)
        outcome.outcome, outcome.detail = "failed", repr(exc)
        alert(ctx, "critical", f"nightly run for {signal_date} failed", repr(exc))
    outcome.finished = ctx.clock.now()
    if not dry_run:
        _record(ctx, outcome, trigger)
    logger.info("nightly run {} -> {}: {} {}", signal_date, trade_date, outcome.outcome,
                outcome.detail)
    return outcome


def _run(ctx: ServiceContext, outcome: RunOutcome, dry_run: bool,
         allow_large_turnover: bool = False) -> None:
    from strategies.nightly import build_batches

    cfg = ctx.settings.model
    panel = _preload_panel(ctx.store, outcome.signal_date, cfg.lookback_days)
    problems = data_gate(ctx.store, ctx.calendar, ctx.settings.data, outcome.signal_date,
                         panel=panel)
    if problems:
        outcome.problems = problems
        raise BatchRefused(f"data gate: {len(problems)} problem(s): " + "; ".join(problems[:5]))
    if not dry_run:
        why = ctx.queue.batch_locked(outcome.trade_date)
        if why:
            raise BatchRefused(why)
    if panel is None:  # the gate passed, so this load raises what it has to say
        panel = ctx.store.load_panel(outcome.signal_date, cfg.lookback_days, list(MODEL_FIELDS))
    books = {name: current_book(ctx, outcome.signal_date, name)
             for name in account_names(ctx.settings)}
    lead_book = next(iter(books.values()))
    if not dry_run:  # the parity check re-runs the model on this very book (the lead's)
        record_book(ctx.client, outcome.signal_date, outcome.trade_date, lead_book)
    batches = build_batches(panel, books, outcome.trade_date, cfg, allow_large_turnover)
    model_batch = next(iter(batches.values()))
    for warning in (w for b in batches.values() for w in b.warnings):
        if warning.startswith(OVERRIDE_WARNING):  # a human chose this: say so to everyone
            alert(ctx, "warning", f"batch for {outcome.trade_date}: {OVERRIDE_WARNING}", warning)
    batch = to_bus_batch(model_batch, ctx.clock.now(), followers=dict(list(batches.items())[1:]),
                         lead=next(iter(batches)))
    outcome.model_batch, outcome.batch, outcome.batch_id = model_batch, batch, batch.batch_id
    if dry_run:
        outcome.outcome = "dry-run"
        return
    publish(ctx.client, streams.BATCHES, "batch.published", batch, source=SOURCE,
            ts=ctx.clock.now(), msg_id=batch.batch_id)
    outcome.outcome = "published"
    outcome.detail = f"{len(batch.orders)} orders"


def _preload_panel(store: MarketStore, signal_date: date, lookback: int) -> Panel | None:
    """The model's panel, loaded once and checked by the data gate too; None if it cannot be
    loaded yet: then the gate reads for itself and says what is wrong, as it always has."""
    try:
        return store.load_panel(signal_date, lookback, list(MODEL_FIELDS))
    except Exception:  # reported below, by the gate or by the load again
        return None


def to_bus_batch(model_batch: Any, now: datetime, *, followers: dict[str, Any] | None = None,
                 lead: str = "") -> BatchPublished:
    """Turn the model's proposals into approvable orders with stable ids: the lead
    account's (`lead`, empty with one account) and each follower's, grouped by account."""
    followers = followers or {}
    content = {"lead": model_batch.to_dict(),
               **{name: b.to_dict() for name, b in followers.items()}} if followers \
        else model_batch.to_dict()
    payload = json.dumps(content, sort_keys=True, default=str)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:8]
    batch_id = f"B{model_batch.trade_date:%Y%m%d}-{digest}"
    desk = _desk_quantities([model_batch, *followers.values()]) if followers else {}
    orders = _bus_orders(model_batch, batch_id, f"{batch_id}-", lead, now, desk)
    for name, follower in followers.items():
        orders += _bus_orders(follower, batch_id, f"{batch_id}-{name}-", name, now, desk)
    totals = {k: v for k, v in model_batch.to_dict().items() if k not in ("orders",)}
    if followers:  # each account's own figures; the top level stays the lead's
        totals["accounts"] = {name: {k: v for k, v in b.to_dict().items() if k != "orders"}
                              for name, b in {lead: model_batch, **followers}.items()}
    return BatchPublished(batch_id=batch_id, trade_date=model_batch.trade_date,
                          signal_date=model_batch.signal_date, orders=orders,
                          totals=json.loads(json.dumps(totals, default=str)))


def _desk_quantities(batches: list[Any]) -> dict[tuple[str, str], int]:
    """Every account's quantity of a stock and side, summed: what the accounts share."""
    total: dict[tuple[str, str], int] = {}
    for batch in batches:
        for p in batch.orders:
            key = (p.symbol, p.side.value)
            total[key] = total.get(key, 0) + p.quantity
    return total


def _bus_orders(model_batch: Any, batch_id: str, prefix: str, account: str,
                now: datetime, desk: dict[tuple[str, str], int]) -> list[Order]:
    return [
        new_order(
            order_id=f"{prefix}{i:04d}",
            batch_id=batch_id,
            trade_date=model_batch.trade_date,
            symbol=p.symbol,
            name=p.name,
            side=p.side,
            quantity=p.quantity,
            reference_price=Decimal(p.reference_price).quantize(Decimal("0.01")),
            reason=p.reason,
            target_weight=float(p.target_weight),
            ranks={k: float(v) for k, v in p.ranks.items()},
            created_by="model",
            created_at=now,
            account=account,
            desk_quantity=desk.get((p.symbol, p.side.value), 0),
        )
        for i, p in enumerate(model_batch.orders, start=1)
    ]


def _record(ctx: ServiceContext, outcome: RunOutcome, trigger: str) -> None:
    entry = {**outcome.record(), "trigger": trigger}
    pipe = ctx.client.pipeline(transaction=True)
    pipe.lpush(streams.SCHEDULER_RUNS, json.dumps(entry))
    pipe.ltrim(streams.SCHEDULER_RUNS, 0, RUNS_KEPT - 1)
    pipe.execute()


def recent_runs(ctx: ServiceContext, limit: int = 10) -> list[dict[str, Any]]:
    return [json.loads(r) for r in ctx.client.lrange(streams.SCHEDULER_RUNS, 0, limit - 1)]


def alert(ctx: ServiceContext, severity: str, title: str, detail: str) -> None:
    send_alert(ctx.client, source=SOURCE, severity=severity, title=title, detail=detail,
               ts=ctx.clock.now())
