"""Which channels an alert goes to: the union of the channels of every route it matches."""

from __future__ import annotations

from fnmatch import fnmatchcase

from services.alerting.config import AlertingConfig, Route


def channels_for(cfg: AlertingConfig, severity: str, source: str, kind: str) -> tuple[str, ...]:
    if not cfg.routes:  # no routes: every channel, warnings and criticals
        return tuple(cfg.channels) if severity in ("warning", "critical") else ()
    chosen: dict[str, None] = {}  # ordered, no duplicates
    for route in cfg.routes:
        if _matches(route, severity, source, kind):
            chosen.update(dict.fromkeys(route.channels))
    return tuple(chosen)


def _matches(route: Route, severity: str, source: str, kind: str) -> bool:
    return (severity in route.severities
            and any(fnmatchcase(kind, p) for p in route.kinds)
            and any(fnmatchcase(source, p) for p in route.sources))
