"""Calling a vendor function with retries and capped exponential backoff (tenacity)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from tenacity import Retrying, stop_after_attempt, wait_exponential
from tenacity.wait import wait_base

from marketdata.vendors.errors import VendorUnavailable


def caller(vendor: str, retries: int, backoff_max_s: float,
           wait: wait_base | None = None) -> Callable[..., pd.DataFrame]:
    """`call(fn, name, **params)`: fn(**params), retried; VendorUnavailable at the end."""
    wait = wait or wait_exponential(multiplier=1, min=1, max=backoff_max_s)

    def call(fn: Callable[..., Any], name: str, **params: Any) -> pd.DataFrame:
        try:
            for attempt in Retrying(stop=stop_after_attempt(retries + 1), wait=wait,
                                    reraise=True):
                with attempt:
                    frame = fn(**params)
        except Exception as exc:  # the libraries raise plain Exception for API refusals
            raise VendorUnavailable(f"{vendor} {name}({_shown(params)}) failed after "
                                    f"{retries + 1} attempt(s): {exc}") from exc
        if not isinstance(frame, pd.DataFrame):
            raise VendorUnavailable(f"{vendor} {name} returned {type(frame).__name__}, "
                                    "not a DataFrame")
        return frame

    return call


def _shown(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items() if k not in ("fields", "function"))
