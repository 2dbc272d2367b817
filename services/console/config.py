"""Settings of the trader console (web).

Everything here comes from a file an operator edits, so each value is checked at
start-up with the key's name in the error: proxy addresses are parsed with the
`ipaddress` module, and the login throttle's numbers have bounds.
"""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

MAX_TRUSTED_PROXIES = 64


class ConsoleConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Loopback only by default: put TLS in front with a reverse proxy (docs/console.md).
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    session_minutes: int = Field(default=480, ge=1)
    # Name of the environment variable holding the cookie-signing secret; when unset
    # the console keeps a generated secret in the data directory.
    secret_env: str = "DESK_CONSOLE_SECRET"  # noqa: S105 (a variable name, not a secret)
    # Behind a TLS proxy set this, so the session cookie is only sent over HTTPS.
    cookie_secure: bool = False
    # Reverse proxies (addresses or networks, e.g. 127.0.0.1 or 10.0.0.0/24) whose
    # X-Forwarded-For is believed; from any other peer it is ignored. Empty: nobody's.
    trusted_proxies: tuple[str, ...] = Field(default=(), max_length=MAX_TRUSTED_PROXIES)
    # Login attempts one client address may make per window, whatever the user names.
    login_attempts_per_window: int = Field(default=10, ge=1, le=10_000)
    login_window_s: int = Field(default=300, ge=1, le=86_400)
    # After this many wrong passwords for one user name from one address, that pair
    # waits login_backoff_base_s, doubled at each further failure, at most
    # login_backoff_max_s.
    login_backoff_after: int = Field(default=5, ge=1, le=100)
    login_backoff_base_s: int = Field(default=30, ge=1, le=3_600)
    login_backoff_max_s: int = Field(default=900, ge=1, le=86_400)
    # A name's failures are forgotten this long after its last one; a right password
    # forgets its pair's at once.
    login_failures_kept_s: int = Field(default=86_400, ge=60, le=30 * 86_400)
    # How often the console runs the approval policies (expiry, auto-approval).
    policy_interval_s: float = Field(default=5.0, gt=0)
    # Rows on the audit and alert pages.
    feed_rows: int = Field(default=300, ge=10, le=5000)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_proxy_network(i, text) for i, text in enumerate(value))

    @field_validator("login_backoff_max_s")
    @classmethod
    def _max_not_below_base(cls, value: int, info: ValidationInfo) -> int:
        base = info.data.get("login_backoff_base_s")
        if base is not None and value < base:
            raise ValueError(f"login_backoff_max_s at least login_backoff_base_s ({base})")
        return value

    @field_validator("login_failures_kept_s")
    @classmethod
    def _kept_longer_than_a_wait(cls, value: int, info: ValidationInfo) -> int:
        longest = info.data.get("login_backoff_max_s")
        if longest is not None and value < longest:
            raise ValueError(f"login_failures_kept_s at least login_backoff_max_s ({longest})")
        return value

    def proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(text) for text in self.trusted_proxies]


def _proxy_network(index: int, text: str) -> str:
    """One trusted proxy in canonical form; anything ambiguous or too wide is refused."""
    where = f"trusted_proxies[{index}] {text!r}"
    try:
        network = ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as exc:
        hint = _host_bits_hint(text)
        raise ValueError(f"an IP address or network such as 127.0.0.1 or 10.0.0.0/24: "
                         f"{where} is not one ({exc}){hint}") from None
    if network.prefixlen == 0:
        # Trusting every address is the forged-header bypass this setting exists to stop.
        raise ValueError(f"a proxy's address or network: {where} would trust every client")
    return str(network)


def _host_bits_hint(text: str) -> str:
    try:
        return f"; did you mean {ipaddress.ip_network(text.strip(), strict=False)}?"
    except ValueError:
        return ""
