"""The end of the trading day: reconciliation with the broker, NAV record, daily report."""
