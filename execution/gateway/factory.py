"""Gateways by name from the YAML: the simulator, or a real broker gateway.

`sim` is the simulated broker; `XtpGateway` (vnpy_xtp, SSE/SZSE stocks) and
`CtpGateway` (vnpy_ctp, CFFEX futures) are real ones. A real gateway's connect dict
is built from `setting` (non-secret values) and `setting_env` (key -> name of the
environment variable holding the secret), checked against the gateway's own
`default_setting` keys so a typo fails at start-up with the key's name.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from errors import FixConfig
from execution.config import GatewayConfig


class GatewayConfigError(ValueError, FixConfig):
    """A gateway name, connect key or environment variable is missing or wrong."""


@dataclass(frozen=True)
class GatewaySpec:
    module: str
    cls: str
    vnpy_name: str  # the name the gateway is added under in MainEngine


GATEWAYS: dict[str, GatewaySpec] = {
    "sim": GatewaySpec("execution.gateway.sim.gateway", "SimGateway", "SIM"),
    "XtpGateway": GatewaySpec("vnpy_xtp", "XtpGateway", "XTP"),
    "CtpGateway": GatewaySpec("vnpy_ctp", "CtpGateway", "CTP"),
}


def gateway_spec(name: str) -> GatewaySpec:
    if name not in GATEWAYS:
        raise GatewayConfigError(f"gateway {name!r} is not known; choose one of {sorted(GATEWAYS)}")
    return GATEWAYS[name]


def gateway_class(name: str) -> type[Any]:
    spec = gateway_spec(name)
    try:
        module = importlib.import_module(spec.module)
    except ImportError as exc:
        raise GatewayConfigError(
            f"gateway {name!r} needs the {spec.module} package (pip install {spec.module})"
        ) from exc
    return getattr(module, spec.cls)  # type: ignore[no-any-return]


def connect_setting(cfg: GatewayConfig, defaults: Mapping[str, Any],
                    env: Mapping[str, str]) -> dict[str, Any]:
    """The connect dict: defaults (first choice of list options), then YAML, then secrets."""
    known = set(defaults)
    unknown = (set(cfg.setting) | set(cfg.setting_env)) - known
    if unknown and cfg.name != "sim":
        raise GatewayConfigError(
            f"gateway {cfg.name}: unknown connect key(s) {sorted(unknown)}; "
            f"its keys are {sorted(known)}"
        )
    setting = {k: (v[0] if isinstance(v, list) and v else v) for k, v in defaults.items()}
    for key, value in cfg.setting.items():
        setting[key] = _typed(cfg.name, key, value, defaults.get(key))
    for key, variable in cfg.setting_env.items():
        if variable not in env or not env[variable]:
            raise GatewayConfigError(
                f"gateway {cfg.name}: connect key {key!r} is read from the environment "
                f"variable {variable}, which is not set"
            )
        setting[key] = _typed(cfg.name, key, env[variable], defaults.get(key))
    return setting


def _typed(gateway: str, key: str, value: str, default: Any) -> Any:
    """YAML and the environment give text; vnpy wants the default's type (ints, choices)."""
    if isinstance(default, bool) or not isinstance(default, int | list):
        return value
    if isinstance(default, list):
        if value not in default:
            raise GatewayConfigError(f"gateway {gateway}: {key!r} must be one of {default}, "
                                     f"got {value!r}")
        return value
    try:
        return int(value)
    except ValueError:
        raise GatewayConfigError(f"gateway {gateway}: {key!r} must be a whole number, "
                                 f"got {value!r}") from None
