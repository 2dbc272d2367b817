"""Faults found on a paper desk: each is a start-up error naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.settings_loader import ConfigError, load_settings


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "desk.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _error(path: Path, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as err:
        load_settings(path, env=env or {})
    return str(err.value)


def test_a_duplicated_key_does_not_silently_win(tmp_path: Path) -> None:
    path = _write(tmp_path, "mode: paper\ndata_dir: x\nmode: production\n")
    assert _error(path) == (f"{path}: not valid YAML: duplicate key 'mode' at line 3 "
                            "(first at line 1)")


def test_negative_initial_cash_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, 'mode: paper\nexecution:\n  initial_cash: "-1"\n')
    message = _error(path)
    assert str(path) in message and "key 'execution.initial_cash'" in message
    assert "greater than or equal to 0" in message


@pytest.mark.parametrize("url", [
    "localhost:6379", "http://127.0.0.1:6379/0", "redis://", "redis://h:port/0",
    "redis://h:6379/x", "redis://h:99999/0", "redis://h:6379/0/extra",
])
def test_a_malformed_redis_url_is_refused(tmp_path: Path, url: str) -> None:
    path = _write(tmp_path, f"mode: paper\nredis:\n  url: '{url}'\n")
    message = _error(path)
    assert str(path) in message and "key 'redis.url'" in message and "redis://" in message


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6390/0", "rediss://h.example:6380",
                                 "redis://h", "unix:///var/run/redis.sock?db=1"])
def test_well_formed_redis_urls_load(tmp_path: Path, url: str) -> None:
    path = _write(tmp_path, f"mode: paper\nredis:\n  url: '{url}'\n")
    assert load_settings(path, env={}).redis.url == url


def test_a_malformed_redis_url_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    path = _write(tmp_path, "mode: paper\n")
    message = _error(path, env={"DESK_REDIS_URL": "nonsense"})
    assert "key 'redis.url'" in message and "DESK_REDIS_URL" in message


def test_an_unknown_gateway_name_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "mode: paper\nexecution:\n  futures_gateway: {name: CptGateway}\n")
    message = _error(path)
    assert message == (f"{path}: key 'execution.futures_gateway.name': unknown gateway "
                       "'CptGateway'; the desk knows 'CtpGateway', 'XtpGateway', 'sim'")


def test_non_utf8_settings_are_one_sentence(tmp_path: Path) -> None:
    path = _write(tmp_path, b"mode: paper\n# \xff\n")
    assert _error(path) == f"{path}: not valid YAML: not UTF-8 text (byte 0xff at offset 14)"


def test_a_directory_or_unreadable_file_is_one_sentence(tmp_path: Path) -> None:
    message = _error(tmp_path)
    assert message.startswith(f"{tmp_path}: cannot be read") and "\n" not in message
