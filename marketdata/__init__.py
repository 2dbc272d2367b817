"""Market data: the one schema and home of the desk's data (see docs/data.md, docs/calendar.md).

`schema` (Panel, STOCK_FIELDS, RiskFlag), `store` (MarketStore), `importers`, `checks`,
`synthetic` (the demo market), `calendar` (TradingCalendar), `sessions`, `clock`.
"""
