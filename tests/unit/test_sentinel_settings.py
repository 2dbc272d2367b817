"""Standby-server settings: Sentinel addresses, the WAIT count, the lease; defaults unchanged."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from execution.config import ExecutionConfig
from services.config import RedisConfig, sentinel_address
from services.connect import embedded_for
from services.settings import DeskSettings


def test_defaults_keep_one_embedded_redis_and_no_lease() -> None:
    settings = DeskSettings(mode="paper")
    assert not settings.redis.sentinel.enabled
    assert settings.redis.replicas_to_ack == 0
    assert not settings.execution.lease.enabled
    assert embedded_for(settings) is not None


@pytest.mark.parametrize("text", ["10.0.0.1", "10.0.0.1:", ":26379", "h:0", "h:65536",
                                  "h:26379x", "h: 26379"])
def test_a_sentinel_that_is_not_host_port_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not HOST:PORT"):
        sentinel_address(text)
    with pytest.raises(ValidationError, match="is not HOST:PORT"):
        RedisConfig.model_validate({"sentinel": {"enabled": True, "hosts": [text]}})


def test_sentinel_addresses_and_ipv6() -> None:
    assert sentinel_address("10.0.0.2:26379") == ("10.0.0.2", 26379)
    assert sentinel_address("::1:26380") == ("::1", 26380)


def test_enabled_sentinel_needs_hosts_and_excludes_a_url() -> None:
    with pytest.raises(ValidationError, match="needs at least one HOST:PORT"):
        RedisConfig.model_validate({"sentinel": {"enabled": True}})
    with pytest.raises(ValidationError, match="exclude each other"):
        RedisConfig.model_validate({"url": "redis://10.0.0.1:6390",
                                    "sentinel": {"enabled": True, "hosts": ["10.0.0.1:26379"]}})


def test_sentinel_settings_turn_the_embedded_server_off() -> None:
    settings = DeskSettings.model_validate({
        "mode": "production",
        "redis": {"sentinel": {"enabled": True, "hosts": ["10.0.0.1:26379"]},
                  "replicas_to_ack": 1}})
    assert embedded_for(settings) is None


@pytest.mark.parametrize("bad", [{"replicas_to_ack": -1}, {"ack_timeout_ms": 0},
                                 {"sentinel": {"unknown": 1}}])
def test_hostile_redis_values_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RedisConfig.model_validate(bad)


def test_the_lease_is_at_least_half_a_second() -> None:
    with pytest.raises(ValidationError):
        ExecutionConfig.model_validate({"lease": {"enabled": True, "ttl_ms": 10}})
    assert ExecutionConfig.model_validate({"lease": {"enabled": True}}).lease.ttl_ms == 10_000
