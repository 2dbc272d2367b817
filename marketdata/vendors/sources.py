"""Building an adapter from its settings: the vendor's library, or a recording."""

from __future__ import annotations

from collections.abc import Mapping

from tenacity.wait import wait_base

from marketdata.vendors.calls import caller
from marketdata.vendors.config import VendorSource
from marketdata.vendors.errors import VendorError
from marketdata.vendors.replay import RecordedApi
from marketdata.vendors.tushare import IndexCodes, ProApi, TushareAdapter


class VendorNotInstalled(VendorError):
    """The vendor's library is not installed (pip install -e ".[vendors]")."""


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


def make_adapter(source: VendorSource, env: Mapping[str, str],
                 wait: wait_base | None = None) -> TushareAdapter:
    call = caller(source.kind, source.retries, source.backoff_max_s, wait)
    indexes = IndexCodes(source.csi1000, source.csi2000, source.microcap)
    return TushareAdapter(tushare_api(source, env), call, indexes, source.financials)
