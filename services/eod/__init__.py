"""Triggers of the end of day (the scheduler, `desk eod`); the end of day is `execution/eod/`."""
