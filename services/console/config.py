"""Settings of the trader console (web)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


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
    # Login throttling: attempts per client address per window, and account lockout
    # after consecutive failures.
    login_attempts_per_window: int = Field(default=10, ge=1)
    login_window_s: int = Field(default=300, ge=1)
    lockout_after_failures: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    # How often the console runs the approval policies (expiry, auto-approval).
    policy_interval_s: float = Field(default=5.0, gt=0)
    # Rows on the audit and alert pages.
    feed_rows: int = Field(default=300, ge=10, le=5000)
