"""The model: pure functions from a `marketdata.schema.Panel` and a `Book` to the
nightly batch of orders (strategies.nightly), and the backtest (strategies.backtest).
No Redis, no network; the backtest report writer is the one place that writes a file.
"""
