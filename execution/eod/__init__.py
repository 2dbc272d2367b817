"""End-of-day views of the trading day: the desk's books and the broker's, as plain data."""
