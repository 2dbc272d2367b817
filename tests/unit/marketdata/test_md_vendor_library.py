"""The adapter calls what the installed Tushare library has (no network: nothing is sent)."""

from __future__ import annotations

import inspect

import tushare
from tushare.pro.client import DataApi

from marketdata.vendors.config import VendorSource
from marketdata.vendors.sources import make_adapter
from marketdata.vendors.tushare_calls import FIELDS


def test_pro_api_and_query_have_the_signatures_the_adapter_uses() -> None:
    assert list(inspect.signature(tushare.pro_api).parameters) == ["token", "timeout"]
    assert list(inspect.signature(DataApi.query).parameters)[:3] == ["self", "api_name",
                                                                      "fields"]


def test_every_function_name_is_the_documented_pro_form_of_query() -> None:
    api = tushare.pro_api("not-a-real-token", timeout=1)
    for name in FIELDS:  # pro.daily(...) is pro.query("daily", ...), as Tushare documents
        bound = getattr(api, name)
        assert bound.func == api.query and bound.args == (name,), name


def test_the_adapter_is_built_on_the_library_s_client() -> None:
    source = VendorSource(kind="tushare", token_env="TUSHARE_TOKEN", timeout_s=7)
    adapter = make_adapter(source, {"TUSHARE_TOKEN": "not-a-real-token"})
    assert isinstance(adapter.api, DataApi)
