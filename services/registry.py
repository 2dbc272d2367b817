"""The desk's services by name, and how to build the context one runs in."""

from __future__ import annotations

import importlib
from pathlib import Path

from services.accounts import PER_ACCOUNT, account_names, default_account, split_service
from services.clock_setup import shared_clock
from services.connect import connect
from services.runtime import Service, ServiceContext
from services.settings import DeskSettings

SERVICES: dict[str, str] = {
    "scheduler": "services.scheduler.service:SchedulerService",
    "execution": "services.execution_service:ExecutionService",
    "risk": "services.risk_service:RiskService",
    "console": "services.console_service:ConsoleService",
    "alerts": "services.alerts_service:AlertsService",
}


def service_class(name: str) -> type[Service]:
    """The class of a service; `execution@B` (one account's service) is an `execution`."""
    kind, account = split_service(name)
    if kind not in SERVICES or (account is not None and kind not in PER_ACCOUNT):
        raise KeyError(f"unknown service {name!r}; one of {sorted(SERVICES)}, or "
                       f"{' / '.join(PER_ACCOUNT)} followed by @<account>")
    module_name, attr = SERVICES[kind].split(":")
    cls: type[Service] = getattr(importlib.import_module(module_name), attr)
    return cls


def build_service(name: str, settings: DeskSettings) -> Service:
    """The service `name` (`execution`, `risk@B` ...) with its own context: one account's
    service runs with that account's settings and is called by its own name."""
    service = service_class(name)(service_context(service_settings(name, settings)))
    service.name = name
    return service


def service_settings(name: str, settings: DeskSettings) -> DeskSettings:
    """The settings service `name` runs with: a per-account service (the first account's
    too) its account's view, with its own ladder and capital; the others the desk's."""
    kind, account = split_service(name)
    if account is not None and account not in account_names(settings):
        raise KeyError(f"service {name!r}: unknown account {account!r}; the desk has "
                       f"{list(account_names(settings))}")
    if kind not in PER_ACCOUNT:
        return settings
    return settings.for_account(account or default_account(settings))


def service_context(settings: DeskSettings) -> ServiceContext:
    client = connect(settings)
    return ServiceContext(settings=settings, client=client, clock=shared_clock(client, settings),
                          data_dir=Path(settings.data_dir))
