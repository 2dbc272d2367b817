"""Slicing algorithms: TWAP, VWAP and POV as pure target curves, sizing and pricing."""
