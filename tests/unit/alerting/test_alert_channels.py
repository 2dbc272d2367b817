"""Each channel against a local stand-in that checks its documented signature and shape."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.header import decode_header, make_header

import httpx
import pytest
from tenacity import wait_none

from services.alerting.channels import BotSender, ChannelError, build_channels
from services.alerting.config import AlertingConfig, BotChannel
from tests.unit.alerting.bot_kit import (
    DING_SECRET,
    FEISHU_SECRET,
    BotLog,
    bot_server,
    bot_urls,
    smtp_server,
)

ENV = {"DING_SECRET": DING_SECRET, "FEISHU_SECRET": FEISHU_SECRET, "SMTP_PASSWORD": "pw"}
TEXT = "【警告】limit: stale_price ×37（10分钟内，12个代码）\n来源 risk · 11-23 10:25"


@pytest.fixture
def server() -> Iterator[tuple[str, BotLog]]:
    with bot_server() as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def _bots(base: str, **secrets: str) -> AlertingConfig:
    urls = bot_urls(base)
    return AlertingConfig.model_validate({"channels": {
        "wx": {"kind": "wecom", "url": urls["wecom"]},
        "ding": {"kind": "dingtalk", "url": urls["dingtalk"],
                 "secret_env": secrets.get("ding", "DING_SECRET")},
        "fs": {"kind": "feishu", "url": urls["feishu"],
               "secret_env": secrets.get("fs", "FEISHU_SECRET")},
    }})


@pytest.mark.parametrize(("name", "bot"), [("wx", "wecom"), ("ding", "dingtalk"),
                                           ("fs", "feishu")])
def test_each_bot_takes_the_signed_message(server: tuple[str, BotLog], http: httpx.Client,
                                           name: str, bot: str) -> None:
    base, log = server
    channels = build_channels(_bots(base), ENV, http, wait=wait_none())
    channels[name].send(TEXT)
    assert log.refused == []
    assert log.texts(bot) == [TEXT]


@pytest.mark.parametrize(("name", "bot", "code"), [("ding", "dingtalk", "310000"),
                                                   ("fs", "feishu", "19021")])
def test_a_wrong_secret_is_refused_by_the_bot_and_raised(
        server: tuple[str, BotLog], http: httpx.Client, name: str, bot: str,
        code: str) -> None:
    base, log = server
    env = {**ENV, "WRONG": "not the secret"}
    channels = build_channels(_bots(base, ding="WRONG", fs="WRONG"), env, http,
                              wait=wait_none())
    with pytest.raises(ChannelError, match=code):
        channels[name].send(TEXT)
    assert log.texts(bot) == []
    assert {b for b, _why in log.refused} == {bot}


def test_a_failing_bot_is_retried_then_delivers(server: tuple[str, BotLog],
                                                http: httpx.Client) -> None:
    base, log = server
    log.fail_next = 2  # two HTTP 500s, then it answers; retries default to 3
    build_channels(_bots(base), ENV, http, wait=wait_none())["wx"].send(TEXT)
    assert log.texts("wecom") == [TEXT]


def test_a_long_text_is_cut_to_wecom_s_2048_bytes(server: tuple[str, BotLog],
                                                  http: httpx.Client) -> None:
    base, log = server
    build_channels(_bots(base), ENV, http, wait=wait_none())["wx"].send("价" * 1000)
    (text,) = log.texts("wecom")
    assert len(text.encode("utf-8")) <= 2048 and text.endswith("…")


def test_email_goes_through_smtp_with_login_and_a_chinese_subject(http: httpx.Client) -> None:
    with smtp_server() as (port, mail):
        cfg = AlertingConfig.model_validate({"channels": {"mail": {
            "kind": "email", "host": "127.0.0.1", "port": port, "security": "none",
            "username": "desk", "password_env": "SMTP_PASSWORD",
            "sender": "desk@fund.example", "to": ["ops@fund.example", "pm@fund.example"]}}})
        build_channels(cfg, ENV, http, wait=wait_none())["mail"].send(TEXT)
    (msg,) = mail.messages
    assert mail.envelopes == [("desk@fund.example", ["ops@fund.example", "pm@fund.example"])]
    assert mail.logins == ["\0desk\0pw"]
    assert msg.get_content_charset() == "utf-8"
    assert str(make_header(decode_header(msg["Subject"]))) == TEXT.split("\n")[0]
    assert msg.get_payload(decode=True).decode("utf-8").splitlines() == TEXT.splitlines()


@pytest.mark.parametrize(("name", "code"), [("ding", "310000"), ("fs", "19021")])
def test_a_timestamp_two_hours_off_is_refused(server: tuple[str, BotLog], http: httpx.Client,
                                              name: str, code: str) -> None:
    base, log = server
    cfg = _bots(base).channels[name]
    assert isinstance(cfg, BotChannel)
    stale = BotSender(name, cfg, str(cfg.url), ENV["DING_SECRET" if name == "ding"
                                                   else "FEISHU_SECRET"], http, wait_none(),
                      clock_ms=lambda: int((time.time() - 7200) * 1000))
    with pytest.raises(ChannelError, match=code):
        stale.send(TEXT)
    assert "within" in log.refused[-1][1]
