"""The same path replayed with each hedge instrument: futures only, puts only, and the
cost-chosen one (`cheapest`), plus the configured `mix` when that is what is configured."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from risk.config import HedgeInstrument, RiskConfig
from risk.contracts import ExpiryCalendar
from risk.replay import ReplayResult, run_replay
from risk.replay_options_io import ChainRow

COMPARED = (HedgeInstrument.FUTURES, HedgeInstrument.OPTIONS, HedgeInstrument.CHEAPEST)


def with_instrument(cfg: RiskConfig, instrument: HedgeInstrument) -> RiskConfig:
    return cfg.model_copy(update={"hedge": cfg.hedge.model_copy(update={"instrument": instrument})})


def run_instruments(nav: pd.DataFrame, index: pd.Series, futures: pd.DataFrame | None,
                    cfg: RiskConfig, calendar: ExpiryCalendar,
                    chain: Sequence[ChainRow]) -> dict[str, ReplayResult]:
    """Instrument name -> its replay, in the order futures, options, cheapest[, mix]."""
    kinds = list(COMPARED)
    if cfg.hedge.instrument not in kinds:
        kinds.append(cfg.hedge.instrument)
    return {kind.value: run_replay(nav, index, futures, with_instrument(cfg, kind), calendar,
                                   chain) for kind in kinds}
