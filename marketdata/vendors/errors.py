"""What a vendor fetch can fail with; each says which vendor, function and day."""

from __future__ import annotations

from errors import RetryLater
from marketdata.errors import MarketDataError


class VendorError(MarketDataError):
    """The vendor's answer is missing or unusable for the day (partial, late, malformed)."""


class VendorUnavailable(ConnectionError, RetryLater):
    """The vendor could not be reached or refused, after the retries: try again later
    (not a data fault, so not a MarketDataError)."""


class FetchFailed(MarketDataError):
    """Every configured source failed for the day; the store is unchanged."""

    def __init__(self, day: str, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        lines = "\n  ".join(f"{name}: {why}" for name, why in failures)
        super().__init__(f"no source delivered {day}; store unchanged:\n  {lines}")
