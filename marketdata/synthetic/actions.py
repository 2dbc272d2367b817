"""The synthetic market's corporate actions as the store's table (CORPORATE_ACTION_COLUMNS).

Record date: the trade date before the ex-date. Cash is paid and new shares are credited
and listed on the ex-date, as SSE and SZSE do for tradable A shares (docs/rules.md).
Which new shares are bonus (送股) and which transfer (转增) is drawn from its own seeded
generator, so the price path does not depend on it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketdata.schema import CORPORATE_ACTION_COLUMNS

Matrix = npt.NDArray[np.float64]


def action_table(seed: int, days: list[date], symbols: list[str], cash: Matrix,
                 ratio: Matrix, listed: npt.NDArray[np.bool_]) -> pd.DataFrame:
    new_shares = np.where(listed, ratio - 1.0, 0.0)
    rows, cols = np.nonzero(((cash > 0) | (new_shares > 0)) & listed)
    keep = rows > 0  # a record date inside the window
    rows, cols = rows[keep], cols[keep]
    as_bonus = np.random.default_rng([seed, 13]).random(len(rows)) < 0.5
    shares = np.round(new_shares[rows, cols], 3)
    ex = pd.to_datetime([days[int(t)] for t in rows])
    frame = pd.DataFrame({
        "symbol": [symbols[int(i)] for i in cols],
        "record_date": pd.to_datetime([days[int(t) - 1] for t in rows]),
        "ex_date": ex, "pay_date": ex, "list_date": ex,
        "cash": np.round(cash[rows, cols], 3),
        "bonus": np.where(as_bonus, shares, 0.0),
        "transfer": np.where(as_bonus, 0.0, shares),
    })
    return frame[list(CORPORATE_ACTION_COLUMNS)].sort_values(["ex_date", "symbol"],
                                                             ignore_index=True)
