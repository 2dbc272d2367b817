"""Building an adapter from its settings: the vendor's library, or a recording."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from tenacity.wait import wait_base

from marketdata.vendors.akshare import AkshareAdapter, AkshareApi, LibraryApi
from marketdata.vendors.akshare_replay import RecordedAkshare
from marketdata.vendors.calls import caller
from marketdata.vendors.config import VendorSource
from marketdata.vendors.errors import VendorError
from marketdata.vendors.replay import RecordedApi
from marketdata.vendors.tushare import IndexCodes, Prior, ProApi, TushareAdapter, VendorDay


class VendorNotInstalled(VendorError):
    """The vendor's library is not installed (pip install -e ".[vendors]")."""


class DayAdapter(Protocol):
    vendor: str

    def fetch_day(self, day: date, prior: Prior | None, since: date | None = None
                  ) -> VendorDay: ...


def tushare_api(source: VendorSource, env: Mapping[str, str]) -> ProApi:
    if source.replay_dir is not None:
        return RecordedApi(source.replay_dir)
    token = env.get(source.token_env or "", "")
    if not token:
        raise VendorError(f"key 'token_env' names the environment variable "
                          f"{source.token_env!r} (the Tushare Pro token), which is not set")
    try:
        import tushare
    except ImportError as exc:
        raise VendorNotInstalled(f"tushare is not installed ({exc}): "
                                 'pip install -e ".[vendors]"') from None
    return tushare.pro_api(token, timeout=source.timeout_s)  # type: ignore[no-any-return]


def akshare_api(source: VendorSource) -> AkshareApi:
    """No credentials: AKShare reads public pages."""
    if source.replay_dir is not None:
        return RecordedAkshare(source.replay_dir)
    try:
        import akshare
    except ImportError as exc:
        raise VendorNotInstalled(f"akshare is not installed ({exc}): "
                                 'pip install -e ".[vendors]"') from None
    return LibraryApi(akshare, source.timeout_s)


def make_adapter(source: VendorSource, env: Mapping[str, str],
                 wait: wait_base | None = None) -> DayAdapter:
    call = caller(source.kind, source.retries, source.backoff_max_s, wait)
    indexes = IndexCodes(source.csi1000, source.csi2000, source.microcap)
    if source.kind == "akshare":
        return AkshareAdapter(akshare_api(source), call, indexes, source.financials)
    return TushareAdapter(tushare_api(source, env), call, indexes, source.financials)
