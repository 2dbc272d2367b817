"""The simulated A-share and IM futures broker (paper trading, the demo, the tests).

Its exchange-side state lives in Redis under `desk:sim:` so that it outlives the
execution service, as a real broker's does.
"""
