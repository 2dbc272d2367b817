"""Whose `X-Forwarded-For` the console believes: the configured proxies', nobody else's.

uvicorn trusts the header from 127.0.0.1 by default, and every client of a console on
loopback connects from 127.0.0.1, so anyone could name a new address at each login
try and never be throttled. The service therefore runs uvicorn with proxy headers off
and the app applies uvicorn's own middleware with `console.trusted_proxies` (empty by
default: the TCP peer is the client). `Forwarded` and `X-Real-IP` are never read.
"""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.console.config import ConsoleConfig


def trust_proxies(app: FastAPI, console: ConsoleConfig) -> None:
    """From a configured proxy, the client is the last address it did not add itself."""
    app.add_middleware(ProxyHeadersMiddleware,  # type: ignore[arg-type]
                       trusted_hosts=list(console.trusted_proxies))


def server_config(app: FastAPI, console: ConsoleConfig) -> uvicorn.Config:
    """How the console service runs uvicorn: the app, not uvicorn, decides whom to trust."""
    return uvicorn.Config(app, host=console.host, port=console.port, log_level="warning",
                          access_log=False, timeout_graceful_shutdown=3,
                          proxy_headers=False)
