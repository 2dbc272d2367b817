"""Local stand-ins for the three group bots and a mail server, on loopback, random ports.

Each bot checks what its documentation says it checks: WeCom the key and the text
shape; DingTalk the `timestamp`/`sign` query parameters (HMAC-SHA256 of
"timestamp\\nsecret" keyed with the secret, base64, URL-encoded, within an hour);
Feishu `timestamp`/`sign` in the body (HMAC-SHA256 keyed with "timestamp\\nsecret" over
nothing, base64, within an hour). They answer as the real ones: HTTP 200 with a code.
The checks are written from the documentation, not from the desk's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "tok123"
DING_SECRET = "SEC0123456789abcdef+/="  # '+', '/' and '=' must survive URL-encoding
FEISHU_SECRET = "fs-secret-42"
HOUR_S = 3600


@dataclass
class BotLog:
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    fail_next: int = 0  # answer this many requests with HTTP 500 first

    def texts(self, bot: str) -> list[str]:
        out = []
        for name, body in self.received:
            if name == bot:
                out.append(body["content"]["text"] if bot == "feishu"
                           else body["text"]["content"])
        return out


def _ding_ok(query: str) -> str | None:
    params = parse_qs(query)
    raw = dict(p.split("=", 1) for p in query.split("&") if "=" in p)  # still encoded
    if params.get("access_token") != [DING_TOKEN]:
        return "310000 bad access_token"
    ts, sign = params.get("timestamp", [""])[0], params.get("sign", [""])[0]
    if any(c in raw.get("sign", "") for c in "+/="):
        return "310000 sign not URL-encoded"
    if not ts.isdigit() or abs(int(ts) - time.time() * 1000) > HOUR_S * 1000:
        return "310000 timestamp not within an hour"
    want = base64.b64encode(hmac.new(DING_SECRET.encode("utf-8"),
                                     f"{ts}\n{DING_SECRET}".encode(),
                                     digestmod=hashlib.sha256).digest()).decode()
    return None if hmac.compare_digest(sign, want) else "310000 sign not match"


def _feishu_ok(body: dict[str, Any]) -> str | None:
    ts, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
    if not ts.isdigit() or abs(int(ts) - time.time()) > HOUR_S:
        return "19021 timestamp is not within one hour"
    key = f"{ts}\n{FEISHU_SECRET}".encode()
    want = base64.b64encode(hmac.new(key, b"", digestmod=hashlib.sha256).digest()).decode()
    return None if hmac.compare_digest(sign, want) else "19021 sign match fail"


def _shape(bot: str, body: dict[str, Any]) -> str | None:
    if bot == "feishu":
        ok = body.get("msg_type") == "text" and isinstance(body.get("content", {}).get("text"),
                                                            str)
        return None if ok else "9499 Bad Request"
    text = body.get("text", {}).get("content") if body.get("msgtype") == "text" else None
    if not isinstance(text, str) or not text:
        return "40008 invalid message type"
    if bot == "wecom" and len(text.encode("utf-8")) > 2048:
        return "40058 content exceeds 2048 bytes"
    return None


class _Handler(BaseHTTPRequestHandler):
    log: BotLog

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.log.fail_next > 0:
            self.log.fail_next -= 1
            self._answer(500, {})
            return
        bot = url.path.strip("/").split("/")[0]
        problem = self._check(bot, url.query, body)
        if problem:
            self.log.refused.append((bot, problem))
            code, msg = problem.split(" ", 1)
            key = "code" if bot == "feishu" else "errcode"
            self._answer(200, {key: int(code), "msg" if bot == "feishu" else "errmsg": msg})
            return
        self.log.received.append((bot, body))
        self._answer(200, {"code": 0, "msg": "success"} if bot == "feishu"
                     else {"errcode": 0, "errmsg": "ok"})

    def _check(self, bot: str, query: str, body: dict[str, Any]) -> str | None:
        if bot == "wecom" and parse_qs(query).get("key") != [WECOM_KEY]:
            return "93000 invalid webhook url"
        if bot == "dingtalk" and (why := _ding_ok(query)):
            return why
        if bot == "feishu" and (why := _feishu_ok(body)):
            return why
        return _shape(bot, body)

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: Any) -> None:
        pass


@contextmanager
def bot_server() -> Iterator[tuple[str, BotLog]]:
    """A server for all three bots; yields its base URL and what it received."""
    log = BotLog()
    handler = type("Handler", (_Handler,), {"log": log})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()


def bot_urls(base: str) -> dict[str, str]:
    return {"wecom": f"{base}/wecom/cgi-bin/webhook/send?key={WECOM_KEY}",
            "dingtalk": f"{base}/dingtalk/robot/send?access_token={DING_TOKEN}",
            "feishu": f"{base}/feishu/open-apis/bot/v2/hook/abc-123"}


# --- a minimal SMTP server (RFC 5321 subset smtplib speaks), for the e-mail channel ---

@dataclass
class MailLog:
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    log: MailLog

    def handle(self) -> None:
        self._say("220 localhost test SMTP")
        sender, rcpts = "", []
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ", 1)
            cmd, arg = verb[0].upper(), verb[1] if len(verb) > 1 else ""
            if cmd == "EHLO":
                self._say("250-localhost", "250-AUTH PLAIN", "250 8BITMIME")
            elif cmd == "AUTH":
                self.log.logins.append(base64.b64decode(arg.split()[1]).decode())
                self._say("235 2.7.0 Authentication successful")
            elif cmd == "MAIL":
                sender, rcpts = arg.split(":", 1)[1].strip("<> "), []
                self._say("250 OK")
            elif cmd == "RCPT":
                rcpts.append(arg.split(":", 1)[1].strip("<> "))
                self._say("250 OK")
            elif cmd == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                self._data(sender, rcpts)
            elif cmd == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("250 OK")

    def _data(self, sender: str, rcpts: list[str]) -> None:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        self.log.messages.append(message_from_bytes(b"".join(lines)))
        self.log.envelopes.append((sender, rcpts))
        self._say("250 OK queued")

    def _say(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())


@contextmanager
def smtp_server() -> Iterator[tuple[int, MailLog]]:
    log = MailLog()
    handler = type("SmtpHandler", (_SmtpHandler,), {"log": log})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], log
    finally:
        server.shutdown()
        server.server_close()
