"""Load the desk's settings once, at start-up, from a YAML file and the environment.

A bad file stops start-up with a message naming the file, the key and what was
expected. Secrets never live in the files: the YAML names environment variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config import CONFIG_DIR
from config.yaml_file import YamlFileError, read_yaml_file
from errors import FixConfig
from execution.config import GatewayConfig
from execution.gateway.factory import GATEWAYS
from services.alerting.config import env_problems
from services.settings import DeskSettings

DEFAULT_CONFIG = CONFIG_DIR / "paper.yaml"
ENV_CONFIG = "DESK_CONFIG"
ENV_DATA_DIR = "DESK_DATA_DIR"
ENV_REDIS_URL = "DESK_REDIS_URL"


class ConfigError(FixConfig):
    """The configuration cannot be used; the message says where and why."""


def config_path(explicit: str | Path | None = None) -> Path:
    chosen = explicit or os.environ.get(ENV_CONFIG) or DEFAULT_CONFIG
    return Path(chosen)


def load_settings(
    path: str | Path | None = None, env: Mapping[str, str] | None = None
) -> DeskSettings:
    """Read, validate and freeze the settings; raise ConfigError on any problem."""
    env = os.environ if env is None else env
    file = config_path(path)
    raw = _read_yaml(file)
    raw = _apply_env(raw, env)
    try:
        settings = DeskSettings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_errors(file, exc, _env_sources(env))) from None
    _check_gateways(file, settings)
    _check_secrets(file, settings, env)
    return settings


def _read_yaml(file: Path) -> dict[str, Any]:
    if not file.exists():
        raise ConfigError(f"{file}: no such configuration file")
    try:
        data = read_yaml_file(file)
    except YamlFileError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot be read ({exc.strerror or exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{file}: expected a mapping of keys at the top, got {type(data).__name__}"
        )
    return data


def _apply_env(raw: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    merged = dict(raw)
    if env.get(ENV_DATA_DIR):
        merged["data_dir"] = env[ENV_DATA_DIR]
    if env.get(ENV_REDIS_URL):
        merged["redis"] = {**(merged.get("redis") or {}), "url": env[ENV_REDIS_URL]}
    return merged


def _env_sources(env: Mapping[str, str]) -> dict[str, str]:
    """Keys whose value came from the environment, and the variable it came from."""
    sources = {"data_dir": ENV_DATA_DIR, "redis.url": ENV_REDIS_URL}
    return {key: var for key, var in sources.items() if env.get(var)}


def _gateways(settings: DeskSettings) -> list[tuple[str, GatewayConfig]]:
    """Every configured gateway with its key: the desk's and each account's own."""
    out = [(f"execution.{key}", getattr(settings.execution, key))
           for key in ("stock_gateway", "futures_gateway")]
    for number, account in enumerate(settings.accounts):
        out += [(f"accounts.{number}.{key}", getattr(account, key))
                for key in ("stock_gateway", "futures_gateway")
                if getattr(account, key) is not None]
    return out


def _check_gateways(file: Path, settings: DeskSettings) -> None:
    """Only names the gateway factory knows: a typo must stop start-up, not the first order."""
    for key, gateway in _gateways(settings):
        if gateway.name not in GATEWAYS:
            known = ", ".join(repr(n) for n in sorted(GATEWAYS))
            raise ConfigError(f"{file}: key '{key}.name': unknown gateway {gateway.name!r}; "
                              f"the desk knows {known}")


def _check_secrets(file: Path, settings: DeskSettings, env: Mapping[str, str]) -> None:
    name = settings.redis.password_env
    if name and not env.get(name):
        raise ConfigError(
            f"{file}: key 'redis.password_env' names the environment variable {name!r}, "
            "which is not set (expected the Redis password there)"
        )
    for key, gateway in _gateways(settings):
        for field_name, var in gateway.setting_env.items():
            if not env.get(var):
                raise ConfigError(
                    f"{file}: key '{key}.setting_env.{field_name}' names the "
                    f"environment variable {var!r}, which is not set"
                )
    problems = env_problems(settings.alerts, env, "alerts.channels")
    if problems:
        raise ConfigError(f"{file}: {len(problems)} problem(s) with the alert channels' "
                          "environment\n  " + "\n  ".join(problems))


def format_errors(file: Path, exc: ValidationError,
                  from_env: Mapping[str, str] | None = None) -> str:
    """One line per problem; `from_env` maps a key to the variable that overrode the file."""
    lines = [f"{file}: {exc.error_count()} problem(s) in the configuration"]
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(top level)"
        where = f"key '{key}'"
        if from_env and key in from_env:
            where += f" (from the environment variable {from_env[key]})"
        lines.append(f"  {where}: {_problem(err)}")
    return "\n".join(lines)


def _problem(err: Any) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see docs/config.md)"
    if kind == "missing":
        return "required, but missing"
    expected = err["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
    return f"expected {expected}; got {err.get('input')!r}"


def resolve_secret(env_name: str | None, env: Mapping[str, str] | None = None) -> str | None:
    if env_name is None:
        return None
    return (os.environ if env is None else env).get(env_name)
