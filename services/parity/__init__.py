"""Parity of the live desk with its model (exact) and with the backtest (explained)."""
