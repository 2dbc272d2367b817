"""The four channels: WeCom, DingTalk and Feishu group bots (JSON over HTTPS) and e-mail.

Each posts one short text (`messages.py`). A bot answers HTTP 200 even when it refuses a
message, with a code in the body (WeCom and DingTalk `errcode`, Feishu `code`), so the
body is checked too; a failure is retried with capped exponential backoff (tenacity).
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from typing import Any, Protocol

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential
from tenacity.wait import wait_base

from errors import RetryLater
from services.alerting import signing
from services.alerting.config import AlertingConfig, BotChannel, EmailChannel
from services.alerting.messages import subject

WECOM_TEXT_BYTES = 2048  # WeCom's limit on a text message's content


class ChannelError(RetryLater):
    """A channel refused or could not take a message; the alert is in the log regardless."""


class Channel(Protocol):
    name: str

    def send(self, text: str) -> None: ...


def backoff() -> wait_base:
    return wait_exponential(multiplier=0.5, max=8)


class BotSender:
    """One group bot; `clock_ms` is the real wall clock (the bots check it), injectable."""

    def __init__(self, name: str, cfg: BotChannel, url: str, secret: str | None,
                 http: httpx.Client, wait: wait_base,
                 clock_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        self.name, self.cfg, self.url, self.secret = name, cfg, url, secret
        self.http, self.wait, self.clock_ms = http, wait, clock_ms

    def send(self, text: str) -> None:
        for attempt in Retrying(stop=stop_after_attempt(self.cfg.retries + 1), wait=self.wait,
                                retry=retry_if_exception_type((httpx.HTTPError, ChannelError)),
                                reraise=True):
            with attempt:
                self._post_once(text)

    def _post_once(self, text: str) -> None:
        url, body = self._request(text)
        response = self.http.post(url, json=body, timeout=self.cfg.timeout_s)
        response.raise_for_status()
        code, message = _answer(self.cfg.kind, response)
        if code != 0:
            raise ChannelError(f"{self.cfg.kind} bot {self.name} refused the message: "
                               f"{code} {message}")

    def _request(self, text: str) -> tuple[str, dict[str, Any]]:
        kind, now_ms = self.cfg.kind, self.clock_ms()
        if kind == "wecom":
            return self.url, {"msgtype": "text", "text": {"content": _bytes_cut(text)}}
        assert self.secret is not None  # the settings require it for signed bots
        if kind == "dingtalk":
            return (signing.dingtalk_url(self.url, self.secret, now_ms),
                    {"msgtype": "text", "text": {"content": text}})
        ts = now_ms // 1000  # Feishu's timestamp is in seconds
        return self.url, {"timestamp": str(ts), "sign": signing.feishu_sign(self.secret, ts),
                          "msg_type": "text", "content": {"text": text}}


def _answer(kind: str, response: httpx.Response) -> tuple[object, str]:
    try:
        body = response.json()
    except ValueError:
        return "not JSON", response.text[:200]
    if not isinstance(body, dict):
        return "not an object", response.text[:200]
    if kind == "feishu":
        return body.get("code", body.get("StatusCode")), str(body.get("msg", ""))
    return body.get("errcode"), str(body.get("errmsg", ""))


def _bytes_cut(text: str, limit: int = WECOM_TEXT_BYTES) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit - 3].decode("utf-8", "ignore") + "…"


class EmailSender:
    def __init__(self, name: str, cfg: EmailChannel, password: str | None,
                 wait: wait_base) -> None:
        self.name, self.cfg, self.password, self.wait = name, cfg, password, wait

    def send(self, text: str) -> None:
        for attempt in Retrying(stop=stop_after_attempt(self.cfg.retries + 1), wait=self.wait,
                                retry=retry_if_exception_type((OSError, smtplib.SMTPException)),
                                reraise=True):
            with attempt:
                self._send_once(text)

    def _send_once(self, text: str) -> None:
        cfg = self.cfg
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = cfg.sender, ", ".join(cfg.to), subject(text)
        msg.set_content(text, charset="utf-8")
        context = ssl.create_default_context()
        if cfg.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_s,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
        with smtp:
            if cfg.security == "starttls":
                smtp.starttls(context=context)
            if cfg.username and self.password is not None:
                smtp.login(cfg.username, self.password)
            smtp.send_message(msg)


def build_channels(cfg: AlertingConfig, env: Mapping[str, str], http: httpx.Client,
                   wait: wait_base | None = None) -> dict[str, Channel]:
    """The configured channels, secrets read from `env` (checked at start-up)."""
    wait = wait or backoff()
    out: dict[str, Channel] = {}
    for name, ch in cfg.channels.items():
        if isinstance(ch, EmailChannel):
            password = env.get(ch.password_env) if ch.password_env else None
            out[name] = EmailSender(name, ch, password, wait)
        else:
            url = ch.url or env.get(ch.url_env or "", "")
            secret = env.get(ch.secret_env) if ch.secret_env else None
            out[name] = BotSender(name, ch, url.strip(), secret, http, wait)
    return out
