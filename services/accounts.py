"""Several fund products on one desk: the accounts in the settings, and each one's view.

An account is a broker account with its own capital, NAV, high-water mark, ladder and
limits. The desk runs one execution service and one risk daemon per account; the
scheduler, the console and the alerts are shared. With no `accounts:` list the desk has
one account, `execution.account`, exactly as before (docs/accounts.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol, TypeVar

from pydantic import Field

from config.frozen import Frozen
from execution.approval.policy_config import ApprovalConfig
from execution.config import ExecutionConfig, GatewayConfig
from risk.config import LimitsConfig, RiskConfig, Rung

ACCOUNT_NAME = r"^[A-Za-z0-9_-]{1,24}$"
# The services that run once per account; the others serve the whole desk.
PER_ACCOUNT = ("execution", "risk")


class AccountConfig(Frozen):
    """One product. Unset fields take the desk-wide value of `execution`, `risk`, `approval`."""

    name: str = Field(pattern=ACCOUNT_NAME)
    # Starting cash of a paper/simulated account (CNY).
    initial_cash: Decimal | None = Field(default=None, ge=0)
    stock_gateway: GatewayConfig | None = None
    futures_gateway: GatewayConfig | None = None
    ladder: tuple[Rung, ...] | None = None
    hard_drawdown: float | None = Field(default=None, gt=0, lt=1)
    limits: LimitsConfig | None = None
    four_eyes_above: Decimal | None = Field(default=None, gt=0)


class DeskSettings(Protocol):
    """What this module reads of `services.settings.DeskSettings` (which imports this
    module: a protocol, not an import, keeps the two out of a circle)."""

    @property
    def accounts(self) -> tuple[AccountConfig, ...]: ...
    @property
    def execution(self) -> ExecutionConfig: ...
    @property
    def risk(self) -> RiskConfig: ...
    @property
    def approval(self) -> ApprovalConfig: ...
    def model_dump(self) -> dict[str, Any]: ...
    def model_copy(self, *, update: dict[str, Any] | None = None) -> Any: ...


Settings = TypeVar("Settings", bound=DeskSettings)


def account_names(settings: DeskSettings) -> tuple[str, ...]:
    """Every account, the first being the default one (orders without an account)."""
    if not settings.accounts:
        return (settings.execution.account,)
    return tuple(a.name for a in settings.accounts)


def default_account(settings: DeskSettings) -> str:
    return account_names(settings)[0]


def order_account(order_account_field: str, settings: DeskSettings) -> str:
    """The account an order belongs to: its own, or the default for an order written
    before the desk had accounts (an empty field)."""
    return order_account_field or default_account(settings)


def for_account(settings: Settings, name: str) -> Settings:
    """The settings one account's services run with: that account in `execution.account`
    and `risk.account`, its capital, gateways, ladder and limits. Each part is validated
    on its own (as at load, `account_problem`); the desk's settings are not read again."""
    if name not in account_names(settings):
        raise KeyError(f"unknown account {name!r}; the desk has {list(account_names(settings))}")
    view: Settings = settings.model_copy(update=_account_parts(settings, name))
    return view


def account_overrides(settings: DeskSettings, name: str) -> dict[str, dict[str, Any]]:
    """What differs for account `name`, per part of the settings (as plain values)."""
    chosen = next((a for a in settings.accounts if a.name == name), None)
    execution: dict[str, Any] = {"account": name}
    risk: dict[str, Any] = {"account": name}
    if chosen is not None:
        _set(execution, "initial_cash", chosen.initial_cash)
        _set(execution, "stock_gateway", chosen.stock_gateway)
        _set(execution, "futures_gateway", chosen.futures_gateway)
        _set(risk, "ladder", chosen.ladder)
        _set(risk, "hard_drawdown", chosen.hard_drawdown)
        _set(risk, "limits", chosen.limits)
    # The four-eyes threshold is not overridden here: the desk's queue holds every
    # account's own (`four_eyes_by_account`), whichever account's service files an order.
    return {"execution": _dumped(execution), "risk": _dumped(risk)}


def account_problem(settings: DeskSettings, name: str) -> str | None:
    """Why account `name`'s settings are not valid (its ladder, say), checked at load;
    None when they are."""
    from pydantic import ValidationError

    try:
        _account_parts(settings, name)
    except ValidationError as exc:
        return f"account {name!r}: {exc.title}: {exc.errors()[0]['msg']}"
    return None


def _account_parts(settings: DeskSettings, name: str) -> dict[str, Any]:
    """Each part of the settings account `name` changes, validated (ValidationError)."""
    parts: dict[str, Any] = {}
    for part, values in account_overrides(settings, name).items():
        current = getattr(settings, part)
        parts[part] = type(current).model_validate({**current.model_dump(), **values})
    return parts


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


def _dumped(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.model_dump() if isinstance(v, Frozen) else
                tuple(x.model_dump() for x in v) if isinstance(v, tuple) else v)
            for k, v in values.items()}


def service_name(kind: str, account: str, settings: DeskSettings) -> str:
    """`execution` for the default account, `execution@B` for account B."""
    if kind not in PER_ACCOUNT or account == default_account(settings):
        return kind
    return f"{kind}@{account}"


def split_service(spec: str) -> tuple[str, str | None]:
    """`execution@B` -> ("execution", "B"); `console` -> ("console", None)."""
    kind, _, account = spec.partition("@")
    return kind, (account or None)


def service_specs(settings: DeskSettings, services: tuple[str, ...]) -> list[str]:
    """The processes of the desk: per-account services once per account."""
    specs: list[str] = []
    for kind in services:
        if kind in PER_ACCOUNT:
            specs += [service_name(kind, a, settings) for a in account_names(settings)]
        else:
            specs.append(kind)
    return specs


def four_eyes_by_account(settings: DeskSettings) -> dict[str, Decimal | None]:
    """Each account's four-eyes threshold: its own, or the desk's `approval` one."""
    desk_wide = settings.approval.four_eyes_above
    own = {a.name: a.four_eyes_above for a in settings.accounts}
    return {name: own.get(name) or desk_wide for name in account_names(settings)}


def desk_queue(client: Any, clock: Any, settings: DeskSettings) -> Any:
    """The approval queue of the whole desk: every account's orders, each with its own
    four-eyes threshold and risk stance."""
    from execution.approval.queue import OrderQueue

    return OrderQueue(client, clock, settings.approval, account=default_account(settings),
                      four_eyes=four_eyes_by_account(settings))


def demo_accounts(settings: Settings, count: int) -> Settings:
    """`settings` with `count` paper accounts: `paper` with `execution.initial_cash`, then
    `paper-2` ... each with half the capital of the one before (`desk demo --accounts`)."""
    cash = settings.execution.initial_cash
    accounts = [{"name": "paper" if n == 1 else f"paper-{n}", "initial_cash": cash / 2 ** (n - 1)}
                for n in range(1, count + 1)]
    rebuilt: Settings = type(settings).model_validate(  # type: ignore[attr-defined]
        {**settings.model_dump(), "accounts": accounts})
    return rebuilt
