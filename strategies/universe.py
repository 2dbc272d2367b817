"""The daily universe: who the model may hold, and why everyone else may not.

Every rule reads the status *as of each day* from the panel (risk flag, suspension,
point-in-time financials), never today's name. The result is one exclusion code per
day and stock (0 = in the universe), computed for all days of the panel at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketdata.schema import Panel, RiskFlag
from strategies.config import UniverseConfig
from strategies.exact import IntArray
from strategies.rolling import FloatArray, trailing_true_count


class Exclusion(IntEnum):
    """Why a stock is outside the universe on a day; the lowest non-zero code wins."""

    NONE = 0
    NO_DATA = 1
    SUSPENDED = 2
    DELISTING = 3
    STAR_ST = 4
    ST = 5
    LOW_PRICE = 6
    NEGATIVE_EQUITY = 7
    LOSS = 8
    TOO_LARGE = 9
    TOO_YOUNG = 10


# Codes that stop a buy but are no reason to sell a holding.
ENTRY_ONLY: frozenset[Exclusion] = frozenset({Exclusion.TOO_YOUNG})


@dataclass(frozen=True)
class Universe:
    exclusion: npt.NDArray[np.int8]  # days x stocks, an Exclusion code
    mcap_cutoff: FloatArray  # per day: the largest market cap still in range (CNY)


def field_array(panel: Panel, name: str) -> FloatArray:
    """A panel field as a float64 (days x stocks) array, aligned to panel.symbols."""
    frame = panel[name]
    if frame.shape != (len(panel.dates), len(panel.symbols)):
        raise ValueError(f"panel field {name!r} has shape {frame.shape}, expected "
                         f"{(len(panel.dates), len(panel.symbols))} (dates x symbols)")
    return np.asarray(frame.to_numpy(dtype=np.float64, na_value=np.nan))


def field_rows(panel: Panel, name: str, rows: slice) -> npt.NDArray[Any]:
    """A field's `rows` as stored (bool, int8 or float64), not a float64 copy of all of
    it: the comparisons the rules make (`> 0`, `< 0`, `== code`) answer the same."""
    values = panel[name].to_numpy()
    if values.dtype.kind in "biuf" and values.shape == (len(panel.dates), len(panel.symbols)):
        return values[rows]
    return field_array(panel, name)[rows]


def listing_age(panel: Panel, first_row: int = 0) -> npt.NDArray[np.int64]:
    """Trading days since listing, counting the listing day as 1 (within the panel),
    on the panel's rows from `first_row` on.

    A stock listed before the panel starts counts from the panel's first day, which is
    enough: the config guarantees the lookback covers `min_listing_days`.
    """
    listed = pd.to_datetime(panel.instruments["list_date"].reindex(panel.symbols))
    listing_row = panel.dates.searchsorted(listed.fillna(panel.dates[0]).to_numpy())
    rows = np.arange(first_row, len(panel.dates))[:, None]
    return np.asarray(rows - listing_row[None, :] + 1, dtype=np.int64)


def size_cutoff(mcap: FloatArray, share: float, cap: float | None) -> FloatArray:
    """Per day, the market cap of the largest stock among the smallest `share`."""
    counts = np.isfinite(mcap).sum(axis=1)
    keep = np.floor(counts * share).astype(np.int64)
    cutoff = np.full(mcap.shape[0], np.nan)
    for row in np.flatnonzero(keep > 0):
        # The keep-th smallest (NaN sort last): a partition finds it, no need to sort.
        kth = int(keep[row]) - 1
        cutoff[row] = np.partition(mcap[row], kth)[kth]
    if cap is not None:
        cutoff = np.minimum(cutoff, cap)
    return cutoff


def compute_universe(panel: Panel, config: UniverseConfig, first_row: int = 0) -> Universe:
    """Exclusion code for every stock on the panel's days from `first_row` on."""
    rows = slice(first_row, None)
    close = field_array(panel, "close")[rows]
    mcap = field_array(panel, config.mcap_field)[rows]
    no_data = ~np.isfinite(close) | (close <= 0) | ~np.isfinite(mcap) | (mcap <= 0)
    if "listed" in panel.fields:
        no_data |= ~(field_rows(panel, "listed", rows) > 0)
    mcap = np.where(no_data, np.nan, mcap)
    cutoff = size_cutoff(mcap, config.smallest_share, config.max_mcap_cny)
    risk = field_rows(panel, "risk_flag", rows)  # NaN, like 0, is none of the codes
    none = np.zeros(close.shape, dtype=bool)
    # Written from the weakest reason to the strongest: the strongest one is kept.
    rules: list[tuple[Exclusion, npt.NDArray[np.bool_]]] = [
        (Exclusion.TOO_YOUNG, listing_age(panel, first_row) < config.min_listing_days),
        (Exclusion.TOO_LARGE, ~(mcap <= cutoff[:, None])),
        (Exclusion.LOSS,
         field_array(panel, "net_profit_ttm")[rows] < 0 if config.exclude_losses else none),
        (Exclusion.NEGATIVE_EQUITY,
         field_array(panel, "equity")[rows] < 0 if config.exclude_negative_equity else none),
        (Exclusion.LOW_PRICE, _days_below(panel, config, first_row) >= config.min_price_days),
        (Exclusion.ST, risk == RiskFlag.ST),
        (Exclusion.STAR_ST, risk == RiskFlag.STAR_ST),
        (Exclusion.DELISTING, risk == RiskFlag.DELISTING),
        (Exclusion.SUSPENDED, field_rows(panel, "suspended", rows) > 0),
        (Exclusion.NO_DATA, no_data),
    ]
    exclusion = np.zeros(close.shape, dtype=np.int8)
    for code, mask in rules:
        np.putmask(exclusion, mask, code)  # faster than a boolean assignment, same result
    return Universe(exclusion=exclusion, mcap_cutoff=cutoff)


def _days_below(panel: Panel, config: UniverseConfig, first_row: int) -> IntArray:
    """Days of each trailing `min_price_days` window with the close below `min_price`,
    from `first_row` on (counted from the window's reach before it: the same counts)."""
    start = max(0, first_row - (config.min_price_days - 1))
    below = field_array(panel, "close")[start:] < config.min_price
    return trailing_true_count(below, config.min_price_days, first_row - start)
