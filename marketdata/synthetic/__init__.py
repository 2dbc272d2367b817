"""A realistic, seeded synthetic A-share market for the demo, the tests and the benchmarks."""

from marketdata.synthetic.market import (
    DEMO_END_CAP,
    SyntheticMarket,
    generate_market,
    write_demo_store,
)
from marketdata.synthetic.regimes import CRASH, ROTATION, Regime, RegimePlan

__all__ = [
    "CRASH",
    "DEMO_END_CAP",
    "ROTATION",
    "Regime",
    "RegimePlan",
    "SyntheticMarket",
    "generate_market",
    "write_demo_store",
]
