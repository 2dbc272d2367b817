"""The console's login settings are hostile input: each bad value stops start-up by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.console.config import ConsoleConfig
from services.settings_loader import ConfigError, load_settings


def _load(tmp_path: Path, console: str) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(f"mode: paper\nconsole:\n{console}", encoding="utf-8")
    load_settings(path, env={})


@pytest.mark.parametrize(("yaml", "said"), [
    ("  trusted_proxies: [10.0.0.1/8]\n",
     "key 'console.trusted_proxies': expected an IP address or network"),
    ("  trusted_proxies: [10.0.0.1/8]\n", "did you mean 10.0.0.0/8?"),
    ("  trusted_proxies: [proxy.internal]\n", "'proxy.internal' is not one"),
    ("  trusted_proxies: ['::/0']\n", "would trust every client"),
    ("  trusted_proxies: 127.0.0.1\n", "key 'console.trusted_proxies'"),
    ("  trusted_proxies: [7]\n", "key 'console.trusted_proxies.0'"),
    ("  login_backoff_after: 0\n", "key 'console.login_backoff_after'"),
    ("  login_backoff_base_s: 100000\n", "key 'console.login_backoff_base_s'"),
    ("  login_backoff_base_s: 600\n  login_backoff_max_s: 60\n",
     "key 'console.login_backoff_max_s': expected login_backoff_max_s at least "
     "login_backoff_base_s (600)"),
    ("  login_failures_kept_s: 120\n", "key 'console.login_failures_kept_s'"),
    ("  lockout_minutes: 15\n", "key 'console.lockout_minutes': unknown key"),
])
def test_bad_login_settings_name_their_key(tmp_path: Path, yaml: str, said: str) -> None:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, yaml)
    assert said in str(refused.value)


def test_too_many_proxies_are_refused() -> None:
    with pytest.raises(ValueError, match="at most 64"):
        ConsoleConfig(trusted_proxies=tuple(f"10.0.{i}.0/24" for i in range(65)))


def test_good_proxies_are_kept_in_canonical_form() -> None:
    config = ConsoleConfig(trusted_proxies=("127.0.0.1", " ::1 ", "10.0.0.0/24"))
    assert config.trusted_proxies == ("127.0.0.1/32", "::1/128", "10.0.0.0/24")
    assert ConsoleConfig().trusted_proxies == ()  # by default nobody's header is believed
