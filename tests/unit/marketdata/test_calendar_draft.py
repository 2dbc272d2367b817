"""`desk calendar draft`: the statutory rules and the lunar calendar reproduce the exchange's
closures of the years the library knows, and propose the next year with a rule per day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketdata.calendar import library_sessions
from marketdata.calendar_draft import draft_closures, holiday_blocks


def library_closures(year: int) -> list[date]:
    sessions = set(library_sessions()[0])
    days = (date(year, 1, 1) + timedelta(days=i) for i in range(366))
    return [d for d in days if d.year == year and d.weekday() < 5 and d not in sessions]


@pytest.mark.parametrize("year", [2025, 2026])
def test_draft_reproduces_the_exchange_closures_under_the_amended_rules(year: int) -> None:
    assert [c.day for c in draft_closures(year)] == library_closures(year)


@pytest.mark.parametrize("year", [2023, 2024])
def test_the_block_pattern_also_matches_the_years_before_the_amendment(year: int) -> None:
    # Before 2025 the Spring Festival and Labour Day had one statutory day less, but the
    # announced blocks (8 days from 除夕, 5 days at May Day) were already the same.
    assert [c.day for c in draft_closures(year)] == library_closures(year)


def test_draft_2027_proposes_the_full_year_with_a_rule_per_day() -> None:
    draft = draft_closures(2027)
    assert [c.day.isoformat() for c in draft] == [
        "2027-01-01",                                                      # Friday
        "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12",
        "2027-04-05",                                                      # 清明 on a Monday
        "2027-05-03", "2027-05-04", "2027-05-05",                          # 1 May a Saturday
        "2027-06-09",                                                      # 端午 a Wednesday
        "2027-09-15",                                                      # 中秋 a Wednesday
        "2027-10-01", "2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07",
    ]
    assert all(c.day.weekday() < 5 for c in draft)
    spring = next(c for c in draft if c.day == date(2027, 2, 5))
    assert "除夕 = 2027-02-05" in spring.rule and "8 days" in spring.rule
    assert "a Wednesday: that day alone" in next(c.rule for c in draft if c.day.month == 6)


def test_lunar_dates_come_from_the_library() -> None:
    # 除夕 is the day before 正月初一, which moves by weeks from year to year.
    eves = {y: next(b.start for b in holiday_blocks(y) if "Spring" in b.name)
            for y in (2025, 2026, 2027, 2028)}
    assert eves == {2025: date(2025, 1, 28), 2026: date(2026, 2, 16),
                    2027: date(2027, 2, 5), 2028: date(2028, 1, 25)}


def test_next_new_year_on_a_tuesday_closes_31_december() -> None:
    # 2030-01-01 is a Tuesday: off from Sunday 30 December, Monday 31 December bridged. The
    # draft for 2029 lists that Monday; the one for 2030 starts on 1 January.
    assert date(2030, 1, 1).weekday() == 1
    assert date(2029, 12, 31) in [c.day for c in draft_closures(2029)]
    assert min(c.day for c in draft_closures(2030)) == date(2030, 1, 1)


def test_mid_autumn_meeting_national_day_merges_into_eight_days() -> None:
    blocks = holiday_blocks(2025)  # 中秋 = 2025-10-06
    merged = [b for b in blocks if "National" in b.name]
    assert len(merged) == 1 and (merged[0].start, merged[0].end) == (date(2025, 10, 1),
                                                                     date(2025, 10, 8))
