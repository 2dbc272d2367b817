"""Settings of the execution service: gateways, slicing defaults, the simulated broker.

Everything is frozen and rejects unknown keys, so a typo in the YAML fails at start-up
with the key's name. docs/execution.md explains each setting.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from pydantic import Field

from config.frozen import Frozen
from orders.algo_defaults import MAX_PARTICIPATION


class GatewayConfig(Frozen):
    # "sim" is the simulated A-share gateway; "XtpGateway" / "CtpGateway" are real ones.
    name: str = "sim"
    # Environment variables holding each connect-dict value (secrets stay out of files).
    setting_env: dict[str, str] = Field(default_factory=dict)
    # Non-secret connect-dict values (server addresses, broker id...).
    setting: dict[str, str] = Field(default_factory=dict)


class EndBehaviour(StrEnum):
    LEAVE = "leave"  # what is left at the end of the window stays unfilled
    CROSS = "cross"  # in the last `cross_minutes`, cross the spread to finish


class PriceStyle(StrEnum):
    TOUCH = "touch"  # buy at the best ask, sell at the best bid (marketable limit)
    PASSIVE = "passive"  # join our own side of the book


class AlgoConfig(Frozen):
    """How parents are sliced. The order itself carries algo, window and limit price."""

    min_child: int = Field(default=100, ge=1)  # below this a slice waits to grow
    max_child: int = Field(default=100_000, ge=1)
    # With no limit price on the order: a buy never pays more than reference x (1 + band).
    band: Decimal = Field(default=Decimal("0.03"), gt=0, lt=1)
    pov_rate: Decimal = Field(default=Decimal("0.05"), gt=0, le=Decimal("0.5"))
    # No child larger than this share of the market volume of the last slice interval.
    max_participation: Decimal = Field(default=MAX_PARTICIPATION, gt=0, le=1)
    randomise_size: Decimal = Field(default=Decimal("0.2"), ge=0, lt=1)
    randomise_time_s: int = Field(default=10, ge=0)
    end_behaviour: EndBehaviour = EndBehaviour.CROSS
    cross_minutes: int = Field(default=5, ge=1, le=60)
    cross_ticks: int = Field(default=2, ge=0, le=50)
    price_style: PriceStyle = PriceStyle.TOUCH
    opening_auction: bool = False
    closing_auction: bool = False
    auction_fraction: Decimal = Field(default=Decimal("0.1"), gt=0, le=1)
    # A child not filled after this long is cancelled and its quantity re-sliced.
    child_ttl_s: int = Field(default=60, ge=5)


class SimConfig(Frozen):
    """The simulated broker used for paper trading, the demo and the tests."""

    participation: Decimal = Field(default=Decimal("0.25"), gt=0, le=1)
    commission_rate: Decimal = Field(default=Decimal("0.00025"), ge=0)
    min_commission: Decimal = Field(default=Decimal("5"), ge=0)
    futures_margin_rate: Decimal = Field(default=Decimal("0.14"), gt=0, le=1)
    # Label of a minute bar's datetime: the minute it starts ("start") or ends ("end").
    bar_label: str = Field(default="start", pattern=r"^(start|end)$")
    match_interval_s: float = Field(default=0.05, gt=0)
    # The market the simulated exchange trades on, when kept apart from the desk's own
    # store (a paper run over several days reveals each day to the desk in the evening).
    market_dir: Path | None = None


class ReconnectConfig(Frozen):
    first_delay_s: float = Field(default=1.0, gt=0)
    max_delay_s: float = Field(default=30.0, gt=0)
    check_interval_s: float = Field(default=0.5, gt=0)


class LeaseConfig(Frozen):
    """One execution service per broker account: a fencing lease in Redis (two servers)."""

    # On: a desk sends only while it holds its account's lease; a standby waits for it.
    enabled: bool = False
    # A standby takes over this long after the holder stopped renewing; sends stop at 80 %.
    ttl_ms: int = Field(default=10_000, ge=500, le=600_000)


class ExecutionConfig(Frozen):
    account: str = "paper"
    stock_gateway: GatewayConfig = GatewayConfig()
    futures_gateway: GatewayConfig = GatewayConfig()
    # Paper/simulated account's starting cash (CNY); money is never negative.
    initial_cash: Decimal = Field(default=Decimal("50000000"), ge=0)
    slice_interval_s: int = Field(default=60, ge=1)
    end_of_day: time = time(14, 57)
    algo: AlgoConfig = AlgoConfig()
    sim: SimConfig = SimConfig()
    reconnect: ReconnectConfig = ReconnectConfig()
    # Days of minute bars behind the VWAP volume profile.
    profile_days: int = Field(default=10, ge=1, le=60)
    # Real brokers replay the day's orders asynchronously after login: wait this long.
    replay_settle_s: float = Field(default=5.0, ge=0)
    lease: LeaseConfig = LeaseConfig()
