"""The end of the trading day, in one place.

The desk's books and the broker's as plain data (`views`, `desk_view`, `sim_view`,
`vnpy_view`), their comparison (`reconcile`), the closing prices, NAV series and the
daily report's figures (`prices`, `nav_series`, `facts`, `hedges`, `alert_log`), the
report (`report`, `report.html`) and one run of it all (`run`). The services only
trigger it: `services/eod/` reads the settings, logs into the broker and schedules.
"""
