"""Universe and scores for every day of a panel, and one day's slice of them.

`compute_signals` is vectorised over all days, so the backtest computes it once for
years of data; the nightly run computes it over its 250-day panel and takes the last
day. A day's values depend only on that day's window of data (strategies.rolling,
strategies.cross_section), so both get identical signals for the same date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketdata.schema import Panel
from strategies.adv import average_daily_amount
from strategies.config import FactorConfig, ModelConfig
from strategies.cross_section import neutralise, standardise, winsorise
from strategies.factors import field_is_set, iter_raw_factors, risk_flags
from strategies.rolling import FloatArray
from strategies.universe import Exclusion, compute_universe, field_array


@dataclass(frozen=True)
class DaySignals:
    """Everything the rotation needs about one signal date (arrays over `symbols`)."""

    signal_date: date
    symbols: npt.NDArray[np.str_]  # vt_symbols, in panel order
    column: Mapping[str, int]  # vt_symbol -> position in the arrays
    names: npt.NDArray[np.object_]
    industries: npt.NDArray[np.object_]
    exclusion: npt.NDArray[np.int8]
    score: FloatArray
    factor_z: dict[str, FloatArray]
    close: FloatArray  # the signal day's close (NaN when not trading)
    value_price: FloatArray  # last known close, for valuing holdings
    prev_close: FloatArray
    adv: FloatArray  # average daily amount traded over the ADV window (CNY)
    mcap: FloatArray  # the market cap the universe ranks on
    mcap_cutoff: float
    risk_flag: FloatArray
    # Each symbol's place in sorted order: ties in score broken by an integer, not by
    # comparing strings every day (None: by the strings).
    symbol_order: npt.NDArray[np.int64] | None = None

    def position_of(self, symbol: str) -> int:
        try:
            return self.column[symbol]
        except KeyError:
            raise KeyError(f"symbol {symbol!r} is not in the panel for {self.signal_date}") \
                from None


@dataclass(frozen=True)
class Signals:
    """Per-day arrays (days x symbols) for a whole panel."""

    dates: pd.DatetimeIndex
    symbols: npt.NDArray[np.str_]
    column: Mapping[str, int]
    names: npt.NDArray[np.object_]
    industries: npt.NDArray[np.object_]
    exclusion: npt.NDArray[np.int8]
    mcap_cutoff: FloatArray
    score: FloatArray
    factor_z: dict[str, FloatArray]
    close: FloatArray
    value_price: FloatArray
    prev_close: FloatArray
    adv: FloatArray
    mcap: FloatArray
    risk_flag: FloatArray
    symbol_order: npt.NDArray[np.int64] | None = None

    def day(self, row: int) -> DaySignals:
        return DaySignals(
            signal_date=self.dates[row].date(), symbols=self.symbols, column=self.column,
            names=self.names,
            industries=self.industries, exclusion=self.exclusion[row], score=self.score[row],
            factor_z={k: v[row] for k, v in self.factor_z.items()}, close=self.close[row],
            value_price=self.value_price[row], prev_close=self.prev_close[row],
            adv=self.adv[row], mcap=self.mcap[row], mcap_cutoff=float(self.mcap_cutoff[row]),
            risk_flag=self.risk_flag[row], symbol_order=self.symbol_order,
        )

    def row_of(self, day: date) -> int:
        loc = self.dates.get_indexer(pd.DatetimeIndex([pd.Timestamp(day)]))[0]
        if loc < 0:
            raise KeyError(f"{day} is not a trade date of the panel "
                           f"({self.dates[0].date()} to {self.dates[-1].date()})")
        return int(loc)


def _instrument_column(panel: Panel, column: str, default: str) -> npt.NDArray[np.object_]:
    values = panel.instruments[column].reindex(panel.symbols) if column in \
        panel.instruments.columns else pd.Series(default, index=panel.symbols)
    return np.asarray(values.astype(object).where(values.notna(), default).to_numpy(),
                      dtype=object)


# Signal days treated per block: a block's temporaries (a few MB) stay in cache and
# are reused, instead of each factor's full-size arrays being touched afresh. Every
# step is a trailing window or a cross-section of one day, so blocks change nothing.
DAYS_PER_BLOCK = 128


def factor_scores(panel: Panel, config: FactorConfig, members: npt.NDArray[np.bool_],
                  industries: npt.NDArray[np.object_],
                  first_row: int = 0, days_per_block: int = DAYS_PER_BLOCK,
                  ) -> tuple[dict[str, FloatArray], FloatArray]:
    """Treated z-score of each weighted factor and the weighted score, over the members
    (`members` covers the panel's rows from `first_row` on)."""
    codes = pd.factorize(pd.Series(industries))[0].astype(np.int64) \
        if config.neutralize_industry else None
    total_weight = sum(abs(w) for w in config.weights.values())
    score = np.where(members, 0.0, np.nan)
    treated = {name: np.empty(members.shape) for name, w in config.weights.items() if w != 0.0}
    for top in range(first_row, len(panel.dates), days_per_block):
        stop = min(top + days_per_block, len(panel.dates))
        block = slice(top - first_row, stop - first_row)
        in_block = members[block]
        size_z = _size_z(panel, config, in_block, slice(top, stop))
        for name, values in iter_raw_factors(panel, config, top, stop):
            z = standardise(winsorise(values, in_block, config.winsor_quantile))
            if codes is not None or (size_z is not None and name != "size"):
                z = neutralise(z, codes, size_z if name != "size" else None)
            # A member without a value sits at the cross-sectional average.
            z[in_block & np.isnan(z)] = 0.0
            treated[name][block] = z
            score[block] += (config.weights[name] / total_weight) * z  # NaN off the members
    return treated, score


def _size_z(panel: Panel, config: FactorConfig, members: npt.NDArray[np.bool_],
            rows: slice) -> FloatArray | None:
    """The treated log size the other factors are neutralised against (None: they are not)."""
    if not config.neutralize_size:
        return None
    log_size = np.log(np.where(members, field_array(panel, "float_mcap")[rows], np.nan))
    return standardise(winsorise(log_size, members, config.winsor_quantile))


def _adv(panel: Panel, suspended: npt.NDArray[np.bool_], days: int,
         first_row: int) -> FloatArray:
    """The ADV from `first_row` on, a block of days at a time from the `days - 1` rows
    before each (exact window sums: the same values as from the panel's first row)."""
    amount = field_array(panel, "amount")
    adv = np.empty((len(panel.dates) - first_row, len(panel.symbols)))
    for top in range(first_row, len(panel.dates), DAYS_PER_BLOCK):
        stop = min(top + DAYS_PER_BLOCK, len(panel.dates))
        start = max(0, top - (days - 1))
        traded = np.where(suspended[start:stop], 0.0, amount[start:stop])
        adv[top - first_row:stop - first_row] = average_daily_amount(traded, days)[top - start:]
    return adv


def compute_signals(panel: Panel, config: ModelConfig, first_row: int = 0) -> Signals:
    """Universe, factor z-scores and scores for the panel's days from `first_row` on.

    Earlier rows serve as history only; the nightly run asks for its last day alone.
    """
    if not 0 <= first_row < len(panel.dates):
        raise ValueError(f"compute_signals: first_row {first_row} outside the panel's "
                         f"{len(panel.dates)} trade dates")
    rows = slice(first_row, None)
    universe = compute_universe(panel, config.universe, first_row)
    members = universe.exclusion == Exclusion.NONE
    industries = _instrument_column(panel, "industry", "unknown")
    factor_z, score = factor_scores(panel, config.factors, members, industries, first_row)
    close = field_array(panel, "close")
    suspended = field_is_set(panel, "suspended")
    # copy=False: pandas 3 copies an array handed to a DataFrame (43 MB here) by default.
    carried = pd.DataFrame(close, copy=False).ffill(limit=config.lookback_days - 1) \
        .to_numpy()[rows]
    symbols = np.asarray(panel.symbols, dtype=str)
    return Signals(
        dates=panel.dates[rows], symbols=symbols,
        column={s: i for i, s in enumerate(symbols)},
        names=_instrument_column(panel, "name", ""), industries=industries,
        exclusion=universe.exclusion, mcap_cutoff=universe.mcap_cutoff, score=score,
        factor_z=factor_z, close=np.where(suspended[rows], np.nan, close[rows]),
        value_price=np.asarray(carried, dtype=np.float64),
        prev_close=field_array(panel, "prev_close")[rows],
        adv=_adv(panel, suspended, config.constraints.adv_days, first_row),
        mcap=field_array(panel, config.universe.mcap_field)[rows],
        risk_flag=risk_flags(panel, rows),
        symbol_order=np.argsort(np.argsort(symbols, kind="stable")),
    )
