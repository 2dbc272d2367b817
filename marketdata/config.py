"""Settings of the market-data part (gathered into the desk settings under `data`)."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class DemoConfig(BaseModel):
    """The synthetic market written by `desk data demo` and by paper mode on first start."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stocks: int = Field(default=5400, ge=50, le=13000)
    days: int = Field(default=250, ge=10)
    seed: int = 7
    end: date | None = None  # None: the last trading day on or before 2026-11-20


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
