"""Are the fields that define the universe there? A day without market caps must not trade.

A NaN market cap does not fail any bar check (prices can be fine), yet it empties the
universe and the model then proposes selling every holding. So each universe-defining
field is counted on the day: missing (NaN; a risk flag outside its codes) for more than
`data.max_missing_share` of the listed symbols makes the day unfit, field by field.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from marketdata.config import DataConfig
from marketdata.errors import DataProblem, Severity
from marketdata.schema import RiskFlag

Matrix = npt.NDArray[np.generic]
_FLAG_CODES = np.array([int(flag) for flag in RiskFlag], dtype=np.int64)


def missing_mask(name: str, values: Matrix) -> npt.NDArray[np.bool_]:
    """Where `values` carries no usable value (a bool flag is never missing)."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if name == "risk_flag":
        return ~np.isin(values.astype(np.int64), _FLAG_CODES)
    return np.zeros(values.shape, dtype=bool)


def missing_field_problems(day: date, values: dict[str, Matrix], listed: npt.NDArray[np.bool_],
                           config: DataConfig) -> list[DataProblem]:
    """One error per universe field missing for too many of the day's listed symbols.

    `values` and `listed` are one day's row per symbol.
    """
    count = int(listed.sum())
    if count == 0:
        return []
    out = []
    for name in config.universe_fields:
        missing = int((missing_mask(name, values[name]) & listed).sum())
        share = missing / count
        if share > config.max_missing_share:
            out.append(DataProblem(
                Severity.ERROR, "universe_field_missing",
                f"missing for {share:.1%} of listed symbols ({missing} of {count}); at most "
                f"{config.max_missing_share:.1%} may be missing (data.max_missing_share)",
                field=name, day=day))
    return out
