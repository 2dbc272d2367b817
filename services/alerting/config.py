"""Settings of the alert channels (`alerts.channels`, `alerts.routes` ...).

Secrets never live in the file: a bot's webhook address carries its token, so it may be
given through an environment variable (`url_env`), and signing secrets and the mail
password always are (`secret_env`, `password_env`). `env_problems` checks at start-up
that every named variable is set and every address is usable, naming the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from typing_extensions import TypeAliasType

from config.frozen import Frozen

Severity = Literal["info", "warning", "critical"]
NAME = r"^[a-z][a-z0-9_]{0,31}$"


def url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) address a bot can be posted to (None: it is one)."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # raises on a bad port
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme or '(none)'!r} is not http or https"
    if not parts.hostname:
        return "no host"
    if any(c.isspace() for c in url.strip()):
        return "contains spaces"
    return None


class BotChannel(Frozen):
    """A group bot: the address from the file (`url`) or from a variable (`url_env`)."""

    kind: Literal["wecom", "dingtalk", "feishu"]
    url: str | None = None
    url_env: str | None = None
    # DingTalk and Feishu bots are configured with signing ("加签" / "签名校验"): required.
    secret_env: str | None = None
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=3, ge=0, le=10)

    @field_validator("url")
    @classmethod
    def _url(cls, url: str | None) -> str | None:
        problem = None if url is None else url_problem(url)
        if problem:
            raise ValueError(f"an http(s) webhook address: {problem}")
        return url

    @model_validator(mode="after")
    def _complete(self) -> BotChannel:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of url and url_env")
        if self.kind in ("dingtalk", "feishu") and not self.secret_env:
            raise ValueError(f"a {self.kind} bot needs secret_env (the bot's signing secret)")
        return self


class EmailChannel(Frozen):
    kind: Literal["email"]
    host: str = Field(min_length=1)
    port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    sender: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    to: tuple[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")], ...] = Field(min_length=1)
    timeout_s: float = Field(default=10.0, gt=0, le=120)
    retries: int = Field(default=2, ge=0, le=10)

    @model_validator(mode="after")
    def _login(self) -> EmailChannel:
        if (self.username is None) != (self.password_env is None):
            raise ValueError("give both username and password_env, or neither")
        return self


# An alias, so the generated docs/config.md shows `dict[str, Channel]`.
Channel = TypeAliasType("Channel", Annotated[BotChannel | EmailChannel,
                                             Field(discriminator="kind")])


class Route(Frozen):
    """Alerts of these severities whose kind or source matches go to these channels."""

    severities: tuple[Severity, ...] = ("warning", "critical")
    kinds: tuple[str, ...] = ("*",)  # fnmatch patterns on the kind ("limit: stale_price")
    sources: tuple[str, ...] = ("*",)  # fnmatch patterns on the source ("risk")
    channels: tuple[str, ...] = Field(min_length=1)


class QuietHours(Frozen):
    """Exchange time (Asia/Shanghai); may wrap midnight. Held alerts go out at the end."""

    start: time = time(22, 0)
    end: time = time(7, 30)
    severities: tuple[Severity, ...] = ("info", "warning")


class Escalation(Frozen):
    """A critical alert not acknowledged in the console within `after_s` goes to these."""

    after_s: int = Field(default=600, ge=10)
    repeat: int = Field(default=2, ge=1, le=10)  # reminders at most, `after_s` apart
    channels: tuple[str, ...] = Field(min_length=1)


class AlertingConfig(Frozen):
    """The channels' part of `alerts:` (the desk's AlertsConfig extends it)."""

    channels: dict[str, Channel] = Field(
        default_factory=dict,
        description="name -> channel: kind wecom / dingtalk / feishu (url or url_env, "
                    "secret_env) or email (host, port, security, username, password_env, "
                    "sender, to); docs/alerts.md")
    routes: tuple[Route, ...] = Field(
        default=(), description="severities, kinds, sources (fnmatch) -> channels; "
                                "none: every channel gets warnings and criticals")
    window_s: int = Field(default=600, ge=1, le=86_400,
                          description="alerts of one kind within this window are one "
                                      "message with a count")
    group_wait_s: float = Field(default=30.0, ge=0, le=3600,
                                description="a group's first warning waits this long, so a "
                                            "burst is one message (criticals do not wait)")
    quiet_hours: QuietHours | None = Field(
        default=None, description="start, end (exchange time), severities held till the end")
    escalation: Escalation | None = Field(
        default=None, description="after_s, repeat, channels: criticals not acknowledged "
                                  "in the console")

    @field_validator("channels")
    @classmethod
    def _names(cls, channels: dict[str, BotChannel | EmailChannel]
               ) -> dict[str, BotChannel | EmailChannel]:
        bad = [n for n in channels if not re.match(NAME, n)]
        if bad:
            raise ValueError(f"channel names {bad} are not lower-case words ({NAME})")
        return channels

    @model_validator(mode="after")
    def _known_channels(self) -> AlertingConfig:
        named = [(f"routes.{i}", r.channels) for i, r in enumerate(self.routes)]
        if self.escalation:
            named.append(("escalation", self.escalation.channels))
        for where, names in named:
            unknown = [n for n in names if n not in self.channels]
            if unknown:
                raise ValueError(f"{where}.channels names {unknown} not among the channels "
                                 f"{sorted(self.channels)}")
        return self


def env_problems(cfg: AlertingConfig, env: Mapping[str, str], prefix: str) -> list[str]:
    """One sentence per environment variable that is named but unset or unusable."""
    problems = []
    for name, ch in cfg.channels.items():
        key = f"{prefix}.{name}"
        for field, var in _named_vars(ch):
            if not env.get(var):
                problems.append(f"key '{key}.{field}' names the environment variable "
                                f"{var!r}, which is not set")
            elif field == "url_env" and (why := url_problem(env[var])):
                problems.append(f"key '{key}.url_env': the environment variable {var!r} "
                                f"is not an http(s) webhook address: {why}")
    return problems


def _named_vars(ch: BotChannel | EmailChannel) -> list[tuple[str, str]]:
    if isinstance(ch, EmailChannel):
        return [("password_env", ch.password_env)] if ch.password_env else []
    return [(f, v) for f, v in (("url_env", ch.url_env), ("secret_env", ch.secret_env)) if v]
