"""The desk's settings: one frozen object gathered from each component's own config.

Each part owns its settings next to its code (`risk/config.py`, `strategies/config.py`
...); this module only gathers them. Loading and error messages live in
`services/settings_loader.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from config import PROJECT_ROOT
from execution.approval.policy_config import ApprovalConfig
from execution.config import ExecutionConfig
from marketdata.config import DataConfig
from risk.config import RiskConfig
from services.config import (
    AlertsConfig,
    ClockConfig,
    LoggingConfig,
    RedisConfig,
    SchedulerConfig,
    SupervisorConfig,
)
from services.console.config import ConsoleConfig
from strategies.config import ModelConfig


class DeskSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Literal["paper", "production"]
    data_dir: Path = Path(".desk")
    redis: RedisConfig = RedisConfig()
    logging: LoggingConfig = LoggingConfig()
    clock: ClockConfig = ClockConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    alerts: AlertsConfig = AlertsConfig()
    supervisor: SupervisorConfig = SupervisorConfig()
    data: DataConfig = Field(default_factory=DataConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    execution: ExecutionConfig = ExecutionConfig()
    approval: ApprovalConfig = ApprovalConfig()
    risk: RiskConfig = RiskConfig()
    console: ConsoleConfig = ConsoleConfig()

    @property
    def holidays_path(self) -> Path:
        path = Path(self.data.holidays_file)
        return path if path.is_absolute() else PROJECT_ROOT / path
