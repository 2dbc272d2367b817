"""Live vendor tests: real calls to the vendors' servers, marked `vendor_live`.

They are skipped unless DESK_VENDOR_LIVE=1 is set, because CI and development machines
have no network to the vendors and no vendor token; run them by hand on a machine that
has both (docs/data.md, "Vendors").
"""

from __future__ import annotations

import os

import pytest

REASON = ("live vendor call: needs the network to the vendor (and Tushare's token); CI has "
          "neither (set DESK_VENDOR_LIVE=1, and TUSHARE_TOKEN for Tushare, to run)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "vendor_live: calls a vendor's servers (skipped "
                                       "unless DESK_VENDOR_LIVE=1)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("DESK_VENDOR_LIVE") == "1":
        return
    for item in items:
        if "vendor_live" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=REASON))
