"""The daily universe: who the model may hold, and why everyone else may not.

Every rule reads the status *as of each day* from the panel (risk flag, suspension,
point-in-time financials), never today's name. The result is one exclusion code per
day and stock (0 = in the universe), computed for all days of the panel at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketdata.schema import Panel, RiskFlag
from strategies.config import UniverseConfig
from strategies.rolling import FloatArray, trailing_sum_count


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


def listing_age(panel: Panel) -> npt.NDArray[np.int64]:
    """Trading days since listing, counting the listing day as 1 (within the panel).

    A stock listed before the panel starts counts from the panel's first day, which is
    enough: the config guarantees the lookback covers `min_listing_days`.
    """
    listed = pd.to_datetime(panel.instruments["list_date"].reindex(panel.symbols))
    first_row = panel.dates.searchsorted(listed.fillna(panel.dates[0]).to_numpy())
    rows = np.arange(len(panel.dates))[:, None]
    return np.asarray(rows - first_row[None, :] + 1, dtype=np.int64)


def size_cutoff(mcap: FloatArray, share: float, cap: float | None) -> FloatArray:
    """Per day, the market cap of the largest stock among the smallest `share`."""
    ordered = np.sort(mcap, axis=1)  # NaN sort last
    counts = np.isfinite(mcap).sum(axis=1)
    keep = np.floor(counts * share).astype(np.int64)
    cutoff = np.full(mcap.shape[0], np.nan)
    has = keep > 0
    cutoff[has] = ordered[np.flatnonzero(has), keep[has] - 1]
    if cap is not None:
        cutoff = np.minimum(cutoff, cap)
    return cutoff


def compute_universe(panel: Panel, config: UniverseConfig, first_row: int = 0) -> Universe:
    """Exclusion code for every stock on the panel's days from `first_row` on."""
    rows = slice(first_row, None)
    full_close = field_array(panel, "close")
    below, _ = trailing_sum_count((full_close < config.min_price).astype(np.float64),
                                  config.min_price_days, "close below min_price")
    close = full_close[rows]
    mcap = field_array(panel, config.mcap_field)[rows]
    no_data = ~np.isfinite(close) | (close <= 0) | ~np.isfinite(mcap) | (mcap <= 0)
    if "listed" in panel.fields:
        no_data |= ~(field_array(panel, "listed")[rows] > 0)
    mcap = np.where(no_data, np.nan, mcap)
    cutoff = size_cutoff(mcap, config.smallest_share, config.max_mcap_cny)
    risk = np.nan_to_num(field_array(panel, "risk_flag")[rows], nan=0.0)
    none = np.zeros(close.shape, dtype=bool)
    # Written from the weakest reason to the strongest: the strongest one is kept.
    rules: list[tuple[Exclusion, npt.NDArray[np.bool_]]] = [
        (Exclusion.TOO_YOUNG, listing_age(panel)[rows] < config.min_listing_days),
        (Exclusion.TOO_LARGE, ~(mcap <= cutoff[:, None])),
        (Exclusion.LOSS,
         field_array(panel, "net_profit_ttm")[rows] < 0 if config.exclude_losses else none),
        (Exclusion.NEGATIVE_EQUITY,
         field_array(panel, "equity")[rows] < 0 if config.exclude_negative_equity else none),
        (Exclusion.LOW_PRICE, below[rows] >= config.min_price_days),
        (Exclusion.ST, risk == RiskFlag.ST),
        (Exclusion.STAR_ST, risk == RiskFlag.STAR_ST),
        (Exclusion.DELISTING, risk == RiskFlag.DELISTING),
        (Exclusion.SUSPENDED, field_array(panel, "suspended")[rows] > 0),
        (Exclusion.NO_DATA, no_data),
    ]
    exclusion = np.zeros(close.shape, dtype=np.int8)
    for code, mask in rules:
        np.putmask(exclusion, mask, code)  # faster than a boolean assignment, same result
    return Universe(exclusion=exclusion, mcap_cutoff=cutoff)
