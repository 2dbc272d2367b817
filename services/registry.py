"""The desk's services by name, and how to build the context one runs in."""

from __future__ import annotations

import importlib
from pathlib import Path

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
    if name not in SERVICES:
        raise KeyError(f"unknown service {name!r}; one of {sorted(SERVICES)}")
    module_name, attr = SERVICES[name].split(":")
    cls: type[Service] = getattr(importlib.import_module(module_name), attr)
    return cls


def service_context(settings: DeskSettings) -> ServiceContext:
    client = connect(settings)
    return ServiceContext(settings=settings, client=client, clock=shared_clock(client, settings),
                          data_dir=Path(settings.data_dir))
