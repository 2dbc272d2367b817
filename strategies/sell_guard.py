"""The last check on a live batch: it may not sell most of the book unless told to.

A batch that sells more than `model.guard.max_sell_share` of the book's value (the
holdings at the signal day's close, cash excluded) is refused: such a batch is far more
often bad data (a day of NaN market caps empties the universe) than a real decision.
An operator who means it passes `desk model run --allow-large-turnover` or sets
`model.guard.allow_large_turnover`; the batch then carries a warning saying so. The
backtest does not call this guard.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from errors import Refused
from exchange import Side
from strategies.batch import ModelBatch
from strategies.config import ModelConfig
from strategies.portfolio_state import Book

OVERRIDE_WARNING = "large sale allowed by override"


class LargeSellRefused(ValueError, Refused):
    """The batch would sell more of the book than the guard allows; nothing is published."""


def sold_share(batch: ModelBatch, book: Book) -> Decimal:
    """Value sold / value held (0 with nothing held)."""
    held = batch.nav - book.cash
    if held <= 0:
        return Decimal(0)
    sold = sum((o.est_value for o in batch.orders if o.side is Side.SELL), Decimal(0))
    return sold / held


def guard_sells(batch: ModelBatch, book: Book, config: ModelConfig,
                allow_large_turnover: bool = False) -> ModelBatch:
    """`batch` unchanged, or with an override warning; raise LargeSellRefused otherwise."""
    share = sold_share(batch, book)
    limit = Decimal(repr(config.guard.max_sell_share))
    if share <= limit:
        return batch
    what = (f"sells {share:.1%} of the book's value, limit {limit:.1%} "
            "(model.guard.max_sell_share)")
    if not (allow_large_turnover or config.guard.allow_large_turnover):
        raise LargeSellRefused(
            f"the batch for {batch.trade_date} {what}; check the data of {batch.signal_date}, "
            "then, if the sale is meant, run: desk model run --allow-large-turnover")
    return replace(batch, warnings=[*batch.warnings, f"{OVERRIDE_WARNING}: {what}"])
