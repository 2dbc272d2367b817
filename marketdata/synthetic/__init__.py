"""A realistic, seeded synthetic A-share market for the demo, the tests and the benchmarks."""

from marketdata.synthetic.market import (
    DEMO_END_CAP,
    SyntheticMarket,
    demo_market,
    generate_market,
    write_demo_store,
    write_market,
)
from marketdata.synthetic.regimes import (
    CRASH,
    CRASH_2024,
    ROTATION,
    SCENARIOS,
    Regime,
    RegimePlan,
    UnknownScenario,
    scenario_regimes,
)

__all__ = [
    "CRASH",
    "CRASH_2024",
    "DEMO_END_CAP",
    "ROTATION",
    "SCENARIOS",
    "Regime",
    "RegimePlan",
    "SyntheticMarket",
    "UnknownScenario",
    "demo_market",
    "generate_market",
    "scenario_regimes",
    "write_demo_store",
    "write_market",
]
