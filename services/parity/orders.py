"""Order parity: the model re-run offline on the recorded book and the data as of the
signal date must give, order by order, the batch the scheduler published.

Any difference there is a defect: the same inputs gave different orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bus.messages import BatchPublished
from marketdata.clock import EXCHANGE_TZ
from marketdata.store import MarketStore
from orders.order import Order
from services.scheduler.book_record import RecordedBook
from services.scheduler.nightly import to_bus_batch
from strategies.config import ModelConfig
from strategies.sell_guard import OVERRIDE_WARNING

# Fields compared order by order; the ids, times and names carry no model decision.
COMPARED = ("quantity", "reference_price", "ranks", "target_weight")
EPOCH = datetime(2000, 1, 1, tzinfo=EXCHANGE_TZ)  # the re-run's timestamp is never compared


@dataclass(frozen=True)
class DayOrders:
    """One trade date's check: `status` is equal | defect | not published | no book |
    rerun failed."""

    trade_date: date
    signal_date: date | None
    status: str
    orders: int = 0  # in the published batch
    defects: list[str] = field(default_factory=list)
    detail: str = ""
    batch_id: str | None = None
    rerun_batch_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"trade_date": self.trade_date.isoformat(),
                "signal_date": self.signal_date.isoformat() if self.signal_date else None,
                "status": self.status, "orders": self.orders, "defects": list(self.defects),
                "detail": self.detail, "batch_id": self.batch_id,
                "rerun_batch_id": self.rerun_batch_id}


def rerun(store: MarketStore, recorded: RecordedBook, config: ModelConfig,
          override: bool) -> BatchPublished:
    """The batch the nightly run makes from the store's data as of the signal date and
    the recorded book (`override`: the run was published with --allow-large-turnover)."""
    from strategies.nightly import build_batch

    panel = store.load_panel(recorded.signal_date, config.lookback_days)
    model_batch = build_batch(panel, recorded.book, recorded.trade_date, config, override)
    return to_bus_batch(model_batch, EPOCH)


def overridden(batch: BatchPublished) -> bool:
    warnings = batch.totals.get("warnings") or []
    return any(isinstance(w, str) and w.startswith(OVERRIDE_WARNING) for w in warnings)


def lead_orders(batch: BatchPublished) -> list[Order]:
    """The first account's orders, the ones the model itself made (the other accounts'
    follow its target weights, `strategies.follow`); all of them with one account."""
    accounts = batch.totals.get("accounts")
    if not isinstance(accounts, dict) or not accounts:
        return list(batch.orders)
    lead = next(iter(accounts))
    return [o for o in batch.orders if o.account in ("", lead)]


def check_day(store: MarketStore, config: ModelConfig, trade_date: date,
              recorded: RecordedBook | None, published: BatchPublished | None) -> DayOrders:
    signal = recorded.signal_date if recorded else published.signal_date if published else None
    if published is None:
        return DayOrders(trade_date, signal, "not published",
                         detail="the scheduler published no batch for this trade date")
    if recorded is None:
        return DayOrders(trade_date, signal, "no book", orders=len(published.orders),
                         detail="no recorded book for its signal date", batch_id=published.batch_id)
    if recorded.signal_date != published.signal_date:
        return DayOrders(trade_date, signal, "defect", len(published.orders),
                         [f"{trade_date}: the batch was made on {published.signal_date}, the "
                          f"recorded book on {recorded.signal_date}"], batch_id=published.batch_id)
    try:
        offline = rerun(store, recorded, config, overridden(published))
    except Exception as exc:  # named in the report: the check could not be made
        return DayOrders(trade_date, signal, "rerun failed", len(published.orders),
                         detail=f"{type(exc).__name__}: {exc}", batch_id=published.batch_id)
    ours = lead_orders(published)
    defects = compare_orders(trade_date, ours, offline.orders)
    return DayOrders(trade_date, signal, "defect" if defects else "equal",
                     len(ours), defects, batch_id=published.batch_id,
                     rerun_batch_id=offline.batch_id)


def compare_orders(trade_date: date, live: list[Order], offline: list[Order]) -> list[str]:
    """One line per difference: an order only one side has, or a field that differs."""
    ours = {(o.symbol, o.side.value): o for o in live}
    theirs = {(o.symbol, o.side.value): o for o in offline}
    out: list[str] = []
    for key in sorted(ours.keys() | theirs.keys()):
        symbol, side = key
        if key not in theirs:
            out.append(f"{trade_date} {symbol} {side}: published, not in the offline re-run")
        elif key not in ours:
            out.append(f"{trade_date} {symbol} {side}: in the offline re-run, not published")
        else:
            out += [f"{trade_date} {symbol} {side}: {name} published {getattr(ours[key], name)}"
                    f" vs re-run {getattr(theirs[key], name)}"
                    for name in COMPARED if getattr(ours[key], name) != getattr(theirs[key], name)]
    if not out and [(o.symbol, o.side) for o in live] != [(o.symbol, o.side) for o in offline]:
        out.append(f"{trade_date}: the same orders in another sequence")
    return out
