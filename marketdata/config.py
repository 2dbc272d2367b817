"""Settings of the market-data part (gathered into the desk settings under `data`)."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from marketdata.schema import DAILY_FIELDS
from marketdata.vendors.config import FetchConfig

# The fields that decide who is in the universe: a day missing them must not trade.
UNIVERSE_FIELDS: tuple[str, ...] = (
    "total_mcap", "float_mcap", "open", "high", "low", "close", "prev_close", "adj_factor",
    "volume", "risk_flag",
)


class DemoConfig(BaseModel):
    """The synthetic market written by `desk data demo` and by paper mode on first start."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stocks: int = Field(default=5400, ge=50, le=13000)
    days: int = Field(default=250, ge=10)
    seed: int = 7
    end: date | None = None  # None: the last trading day on or before 2026-11-20
    # Paper mode (`desk run`): 0 replays the latest stored day; N > 0 trades N days in a
    # row after the history, each day's data reaching the desk in the evening.
    paper_days: int = Field(default=0, ge=0, le=250)


class DataConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    store_dir: Path = Path("marketdata")  # relative to the desk's data directory
    holidays_file: Path = Path("config/holidays.yaml")  # relative to the project root
    demo: DemoConfig = DemoConfig()
    # Data for trade date T counts as due from this time on T (Asia/Shanghai); before it,
    # the store only needs T's previous trading day.
    data_ready_time: time = time(17, 30)
    check_days: int = Field(default=5, ge=1)  # trading days re-validated by `desk data check`
    calendar_warning_days: int = Field(default=30, ge=0)  # warn when the calendar ends this soon
    max_suspended_share: float = Field(default=0.05, gt=0, le=1)  # warn above this share suspended
    # The data gate and `desk data check` refuse a day on which any of `universe_fields`
    # is missing (NaN; a risk flag outside its codes) for more than this share of the
    # listed symbols. The error names the field, the share and this threshold.
    max_missing_share: float = Field(default=0.02, ge=0, lt=1)
    universe_fields: tuple[str, ...] = UNIVERSE_FIELDS  # daily fields counted by that check
    # `desk data fetch`: the vendors and their order (marketdata/vendors/config.py).
    fetch: FetchConfig = FetchConfig()

    @field_validator("universe_fields")
    @classmethod
    def _daily_fields_only(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [n for n in names if n not in DAILY_FIELDS]
        if unknown:
            raise ValueError(f"daily stock fields; unknown {unknown} (known: {list(DAILY_FIELDS)})")
        return names
