"""The desk's settings: one frozen object gathered from each component's own config.

Each part owns its settings next to its code (`risk/config.py`, `strategies/config.py`
...); this module only gathers them. Loading and error messages live in
`services/settings_loader.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config import PROJECT_ROOT
from execution.approval.policy_config import ApprovalConfig
from execution.config import ExecutionConfig
from marketdata.config import DataConfig
from risk.config import RiskConfig
from services.accounts import AccountConfig, account_problem, for_account
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
    # Several products on one desk (docs/accounts.md); empty: one, `execution.account`.
    accounts: tuple[AccountConfig, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _first_account_is_the_default(cls, data: Any) -> Any:
        """With an `accounts:` list the desk-wide `execution.account` and `risk.account`
        are its first account: what the shared services and old orders mean by "the" one
        (one account's view, `for_account`, is made without coming back here)."""
        if not isinstance(data, dict) or not data.get("accounts"):
            return data
        names = [a.get("name") if isinstance(a, dict) else getattr(a, "name", None)
                 for a in data["accounts"]]
        if not all(isinstance(n, str) for n in names):
            return data  # the account's own validation says what is wrong
        data = dict(data)
        for part in ("execution", "risk"):
            value = data.get(part) or {}
            data[part] = (value.model_copy(update={"account": names[0]})
                          if isinstance(value, BaseModel) else {**value, "account": names[0]})
        return data

    @model_validator(mode="after")
    def _accounts_are_distinct(self) -> DeskSettings:
        names = [a.name for a in self.accounts]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"accounts: each name once; repeated: {twice}")
        for name in names:  # an account's ladder must be a ladder as the desk's must
            problem = account_problem(self, name)
            if problem:
                raise ValueError(f"accounts: {problem}")
        return self

    def for_account(self, name: str) -> DeskSettings:
        """The settings of one account's services (`services.accounts.for_account`)."""
        return for_account(self, name)

    @property
    def holidays_path(self) -> Path:
        path = Path(self.data.holidays_file)
        return path if path.is_absolute() else PROJECT_ROOT / path
