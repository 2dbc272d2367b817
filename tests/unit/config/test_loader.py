"""Settings load once, and a bad file says which file, which key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.settings_loader import DEFAULT_CONFIG, ConfigError, load_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "desk.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_paper_config_loads() -> None:
    settings = load_settings(DEFAULT_CONFIG, env={})
    assert settings.mode == "paper"
    assert settings.redis.url is None
    assert settings.clock.mode == "simulated"


def test_production_example_loads_with_its_secrets(repo_root: Path) -> None:
    env = {"DESK_REDIS_PASSWORD": "x", "DESK_XTP_USER": "u", "DESK_XTP_PASSWORD": "p",
           "DESK_XTP_AUTH_CODE": "a", "DESK_CTP_USER": "u", "DESK_CTP_PASSWORD": "p",
           "DESK_CTP_AUTH_CODE": "a"}
    settings = load_settings(repo_root / "config" / "production.example.yaml", env=env)
    assert settings.mode == "production"
    assert settings.execution.stock_gateway.name == "XtpGateway"


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "mode: paper\nrisk:\n  ladr: []\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path, env={})
    assert str(path) in str(err.value) and "'risk.ladr': unknown key" in str(err.value)


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    path = _write(tmp_path, "mode: paper\nconsole:\n  port: lots\n")
    with pytest.raises(ConfigError, match=r"'console.port': expected a valid integer.*'lots'"):
        load_settings(path, env={})


def test_missing_required_value(tmp_path: Path) -> None:
    path = _write(tmp_path, "data_dir: /tmp/x\n")
    with pytest.raises(ConfigError, match="'mode': required"):
        load_settings(path, env={})


def test_missing_secret_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "mode: production\nredis:\n  url: redis://h:6380/0\n"
                            "  password_env: DESK_REDIS_PASSWORD\n")
    with pytest.raises(ConfigError, match="DESK_REDIS_PASSWORD"):
        load_settings(path, env={})


def test_not_a_mapping_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_settings(_write(tmp_path, "- a\n- b\n"), env={})
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(_write(tmp_path, "mode: [paper\n"), env={})


def test_environment_overrides_data_dir_and_redis(tmp_path: Path) -> None:
    settings = load_settings(DEFAULT_CONFIG, env={"DESK_DATA_DIR": str(tmp_path),
                                                  "DESK_REDIS_URL": "redis://127.0.0.1:7777/0"})
    assert settings.data_dir == tmp_path
    assert settings.redis.url == "redis://127.0.0.1:7777/0"


def test_production_example_matches_the_real_gateways_connect_keys(repo_root: Path) -> None:
    from execution.gateway.factory import connect_setting, gateway_class

    env = {name: "x" for name in ("DESK_REDIS_PASSWORD", "DESK_XTP_USER", "DESK_XTP_PASSWORD",
                                  "DESK_XTP_AUTH_CODE", "DESK_CTP_USER", "DESK_CTP_PASSWORD",
                                  "DESK_CTP_AUTH_CODE")}
    settings = load_settings(repo_root / "config" / "production.example.yaml", env=env)
    xtp = settings.execution.stock_gateway
    ctp = settings.execution.futures_gateway
    xtp_setting = connect_setting(xtp, gateway_class(xtp.name).default_setting, env)
    ctp_setting = connect_setting(ctp, gateway_class(ctp.name).default_setting, env)
    assert xtp_setting["客户号"] == 1 and xtp_setting["行情协议"] == "TCP"
    assert ctp_setting["柜台环境"] == "实盘" and ctp_setting["密码"] == "x"
