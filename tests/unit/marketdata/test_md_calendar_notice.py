"""The calendar banner (when it runs out, what it blocks, provisional days) and the data check."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from md_kit import HOLIDAYS

from marketdata.calendar import TradingCalendar, load_calendar
from marketdata.calendar_notice import calendar_notice
from marketdata.checks import check_store
from marketdata.config import DataConfig
from marketdata.errors import Severity
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket

PROVISIONAL = """\
covered_through: 2027-01-31
years:
  2027:
    closures: [2027-01-01]
    source: draft accepted for January
    by: alice
    at: 2026-12-01T10:15:00+08:00
    through: 2027-01-31
"""


def provisional_calendar(tmp_path: Path) -> TradingCalendar:
    path = tmp_path / "holidays.yaml"
    path.write_text(PROVISIONAL, encoding="utf-8")
    return load_calendar(path)


def test_notice_starts_30_days_before_the_end(calendar: TradingCalendar) -> None:
    assert calendar_notice(calendar, date(2026, 11, 30), 30) is None
    notice = calendar_notice(calendar, date(2026, 12, 1), 30)
    assert notice is not None and notice.days_left == 30 and notice.level == "warning"
    assert "runs out 2026-12-31" in notice.text and "desk calendar add" in notice.text
    assert "no model run, batch or end of day" in notice.text


def test_notice_past_the_end_and_across_the_year_end(calendar: TradingCalendar) -> None:
    last = calendar_notice(calendar, date(2026, 12, 31), 30)
    assert last is not None and last.level == "critical" and last.days_left == 0
    after = calendar_notice(calendar, date(2027, 1, 4), 30)
    assert after is not None and after.days_left == -4 and "ran out on 2026-12-31" in after.text


def test_provisional_days_are_named(tmp_path: Path) -> None:
    cal = provisional_calendar(tmp_path)
    # Far from the end, the provisional window alone is reason for the banner.
    notice = calendar_notice(cal, date(2026, 11, 2), 30)
    assert notice is not None and notice.provisional == (date(2027, 1, 1), date(2027, 1, 31))
    assert "PROVISIONAL 2027-01-01 to 2027-01-31" in notice.text
    past = calendar_notice(cal, date(2027, 2, 1), 30)  # ended: the days are behind us
    assert past is not None and past.level == "critical" and past.provisional is None


def test_data_check_names_the_commands_and_marks_provisional_days(
        tmp_path: Path, full_store: MarketStore, market: SyntheticMarket) -> None:
    soon = DataConfig(calendar_warning_days=90)
    shipped = check_store(full_store, load_calendar(HOLIDAYS), soon, day=market.days[-1])
    ending = [p for p in shipped.problems if p.kind == "calendar_ending"]
    assert ending and "desk calendar draft YEAR" in ending[0].message
    assert "desk calendar add YEAR" in ending[0].message
    report = check_store(full_store, provisional_calendar(tmp_path), soon, day=market.days[-1])
    marked = [p for p in report.problems if p.kind == "calendar_provisional"]
    assert marked and "2027-01-01 to 2027-01-31 are PROVISIONAL" in marked[0].message
    assert all(p.severity is Severity.WARNING for p in marked)  # a warning, not a refusal
