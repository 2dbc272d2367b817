"""Settings of `desk data fetch` (`data.fetch`): the vendors, in the order they are tried.

A vendor's token is never in the file: `token_env` names the variable holding it.
`replay_dir` makes an adapter read recorded frames (one CSV per vendor function) instead
of calling the library: drills and tests, never the network.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class VendorSource(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["tushare", "akshare"]
    token_env: str | None = None  # Tushare Pro's token (AKShare needs none)
    replay_dir: Path | None = None
    retries: int = Field(default=4, ge=0, le=10)
    backoff_max_s: float = Field(default=60.0, gt=0, le=600)  # capped exponential backoff
    timeout_s: float = Field(default=30.0, gt=0, le=300)
    # Index codes in Tushare's spelling (AKShare asks by the six digits: 000852); the
    # micro-cap index is computed by the desk
    # (the 400 smallest non-ST stocks, equal weight) unless a code is given.
    csi1000: str = "000852.SH"
    csi2000: str = "932000.CSI"
    microcap: str | None = None
    # Point-in-time financials from income_vip / balancesheet_vip (5,000 Tushare points)
    # or AKShare's stock_lrb_em / stock_zcfz_em; off: the day imports without reports and
    # the panel keeps the last ones it has.
    financials: bool = True

    @model_validator(mode="after")
    def _credentials(self) -> VendorSource:
        if self.kind == "tushare" and self.replay_dir is None and not self.token_env:
            raise ValueError("a tushare source needs token_env (or replay_dir)")
        if self.kind == "akshare" and self.token_env:
            raise ValueError("an akshare source takes no token_env: AKShare needs no "
                             "account")
        return self


class FetchConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sources: dict[str, VendorSource] = Field(
        default_factory=dict,
        description="name -> kind (tushare, akshare), token_env (tushare only), replay_dir, "
                    "retries, backoff_max_s, timeout_s, csi1000 / csi2000 / microcap index "
                    "codes, financials; docs/data.md")
    # Tried in this order: the first is the primary, the others are fallbacks.
    order: tuple[str, ...] = ()
    staging_dir: Path = Path("fetch")  # under the data directory: what was fetched, per day
    # The scheduler fetches the day at this exchange time on trading days (None: only by
    # hand). Before scheduler.run_time, so the nightly model runs on the fetched day.
    time: dt.time | None = None

    @model_validator(mode="after")
    def _order_names_sources(self) -> FetchConfig:
        unknown = [n for n in self.order if n not in self.sources]
        if unknown:
            raise ValueError(f"order names {unknown}, not among the sources "
                             f"{sorted(self.sources)}")
        return self

    def chosen(self, name: str | None) -> list[str]:
        """The sources to try: `name` alone, or the configured order (all, if none)."""
        if name is not None:
            return [name]
        return list(self.order or self.sources)
