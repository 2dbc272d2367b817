"""The bots' signatures, exactly as their documentation gives them.

DingTalk (自定义机器人 加签): HMAC-SHA256 keyed with the secret over "timestamp\\nsecret",
timestamp in milliseconds, base64, then URL-encoded, sent as the `timestamp` and
`sign` query parameters; the timestamp must be within an hour of DingTalk's clock.
Feishu (自定义机器人 签名校验): HMAC-SHA256 keyed with "timestamp\\nsecret" over an empty
message, timestamp in seconds, base64, sent as `timestamp` and `sign` in the JSON body.
Sources are listed in docs/alerts.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The base64 signature (not yet URL-encoded)."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The webhook address with `timestamp` and the URL-encoded `sign` appended."""
    joiner = "&" if "?" in url else "?"
    sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")
