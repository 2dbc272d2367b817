"""A micro-cap index level when the vendor has none (Tushare does not carry Wind's 8841431).

Computed the way that index is described (docs/data.md, index series): the 400 smallest
stocks by the previous day's total market cap, without ST, *ST and delisting-period
names, equal weight, rebalanced daily; the day's return is the mean of close / prev_close
- 1 over those that traded, chained on the store's previous level. With no previous
level (an empty store) it starts at BASE.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MEMBERS = 400
BASE = 1000.0


@dataclass(frozen=True)
class MicrocapInputs:
    rows: pd.DataFrame  # the day file rows: symbol close prev_close risk_flag suspended ...
    prior_mcap: pd.Series | None  # total_mcap on the day before, by symbol
    prior_level: float | None


def microcap_level(inputs: MicrocapInputs) -> float:
    if inputs.prior_level is None or inputs.prior_mcap is None:
        return BASE
    rows = inputs.rows.set_index("symbol")
    eligible = rows[(rows["risk_flag"] == 0) & (rows["suspended"] == 0)]
    caps = inputs.prior_mcap.reindex(eligible.index).dropna()
    members = caps.nsmallest(MEMBERS).index
    if members.empty:
        return inputs.prior_level
    ret = (eligible.loc[members, "close"] / eligible.loc[members, "prev_close"] - 1).mean()
    return round(inputs.prior_level * (1 + float(ret)), 4)
