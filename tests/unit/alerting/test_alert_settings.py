"""Alert settings are hostile input: every problem stops start-up and names its key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from services.settings_loader import ConfigError, load_settings

DING = {"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=x",
        "secret_env": "DING_SECRET"}


def _load(tmp_path: Path, alerts: dict[str, object], env: dict[str, str] | None = None) -> None:
    file = tmp_path / "desk.yaml"
    file.write_text(yaml.safe_dump({"mode": "paper", "alerts": alerts}), encoding="utf-8")
    load_settings(file, env={"DING_SECRET": "s"} if env is None else env)


@pytest.mark.parametrize(("channel", "key", "why"), [
    ({"kind": "wecom", "url": "qyapi.weixin.qq.com/cgi-bin/webhook/send"},
     "alerts.channels.ops.wecom.url", "scheme '(none)'"),
    ({"kind": "wecom", "url": "ftp://qyapi.weixin.qq.com/x"}, "alerts.channels.ops.wecom.url",
     "'ftp' is not http or https"),
    ({"kind": "wecom", "url": "https://host:99999/x"}, "alerts.channels.ops.wecom.url",
     "Port out of range"),
    ({"kind": "wecom", "url": "https:///x"}, "alerts.channels.ops.wecom.url", "no host"),
    ({"kind": "dingtalk", "url": DING["url"]}, "alerts.channels.ops.dingtalk",
     "needs secret_env"),
    ({"kind": "feishu", "url_env": "FS_URL"}, "alerts.channels.ops.feishu", "needs secret_env"),
    ({"kind": "wecom"}, "alerts.channels.ops.wecom", "exactly one of url and url_env"),
    ({"kind": "slack", "url": "https://x"}, "alerts.channels.ops", "'slack'"),
    ({"kind": "wecom", "url": "https://x", "retries": -1}, "alerts.channels.ops.wecom.retries",
     "greater than or equal to 0"),
    ({"kind": "email", "host": "smtp", "sender": "not-an-address", "to": ["a@b"]},
     "alerts.channels.ops.email.sender", "pattern"),
    ({"kind": "email", "host": "smtp", "sender": "d@f", "to": []},
     "alerts.channels.ops.email.to", "at least 1"),
    ({"kind": "email", "host": "smtp", "sender": "d@f", "to": ["a@b"], "username": "u"},
     "alerts.channels.ops.email", "both username and password_env"),
])
def test_a_malformed_channel_names_its_key(tmp_path: Path, channel: dict[str, object],
                                           key: str, why: str) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, {"channels": {"ops": channel}})
    assert f"key '{key}'" in str(err.value) and why in str(err.value)


def test_a_route_to_an_unknown_channel_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"routes\.0\.channels names \['pagr'\]"):
        _load(tmp_path, {"channels": {"pager": DING}, "routes": [{"channels": ["pagr"]}]})


def test_a_channel_name_must_be_a_plain_word(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"key 'alerts.channels'.*\['Ops Team'\]"):
        _load(tmp_path, {"channels": {"Ops Team": DING}})


def test_an_unknown_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"key 'alerts.channels.pager.dingtalk.secret'"):
        _load(tmp_path, {"channels": {"pager": {**DING, "secret": "in the file!"}}})


@pytest.mark.parametrize(("env", "why"), [
    ({}, "key 'alerts.channels.pager.secret_env' names the environment variable "
         "'DING_SECRET', which is not set"),
    ({"DING_SECRET": ""}, "'DING_SECRET', which is not set"),
])
def test_a_missing_secret_stops_start_up_naming_the_key(tmp_path: Path, env: dict[str, str],
                                                        why: str) -> None:
    with pytest.raises(ConfigError, match=why):
        _load(tmp_path, {"channels": {"pager": DING}}, env)


@pytest.mark.parametrize("value", ["", "not a url", "https://", "redis://host/0"])
def test_a_webhook_address_from_the_environment_is_checked_too(tmp_path: Path,
                                                               value: str) -> None:
    channel = {"kind": "wecom", "url_env": "WX_URL"}
    with pytest.raises(ConfigError, match=r"key 'alerts\.channels\.ops\.url_env'"):
        _load(tmp_path, {"channels": {"ops": channel}}, {"WX_URL": value})


def test_a_complete_configuration_loads(tmp_path: Path) -> None:
    env = {"DING_SECRET": "s", "WX_URL": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
           "SMTP_PASSWORD": "p"}
    _load(tmp_path, {
        "channels": {"pager": DING, "ops": {"kind": "wecom", "url_env": "WX_URL"},
                     "mail": {"kind": "email", "host": "smtp.fund.example", "port": 465,
                              "security": "ssl", "username": "desk",
                              "password_env": "SMTP_PASSWORD", "sender": "desk@fund.example",
                              "to": ["ops@fund.example"]}},
        "routes": [{"channels": ["ops"]}, {"severities": ["critical"], "channels": ["pager"]}],
        "quiet_hours": {"start": "22:00", "end": "07:30"},
        "escalation": {"after_s": 600, "channels": ["pager", "mail"]}}, env)
