"""A proposed year of exchange closures, from the statutory holiday rules (never used alone).

The statutory days are those of 国务院《全国年节及纪念日放假办法》as amended by State
Council Order No. 795 (in force 2025-01-01). The lunar dates and the Qingming solar
term come from `lunar_python`; nothing lunar is hand-coded here. The blocks follow the
principles the State Council's annual notices state (国办发明电〔2024〕12号 for 2025):
Spring Festival 8 days from New Year's Eve, Labour Day 5 days, National Day 7 days from
1 October (8 with Mid-Autumn when they meet), the other festivals 3 days with the
weekend, a Wednesday alone. The exchanges close on every weekday inside a block
(bridging days included); weekend make-up workdays are not trading days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lunar_python import Lunar

AMENDED_FROM = 2025  # the year Order No. 795 took effect
_MON, _TUE, _WED, _THU, _FRI, _SAT, _SUN = range(7)


@dataclass(frozen=True)
class HolidayBlock:
    """One announced-style holiday block: the statutory days and the days off around them."""

    name: str
    statutory: str  # the rule that fixes the festival's date
    start: date
    end: date
    block_rule: str  # why the block spans start..end

    @property
    def closures(self) -> list[date]:
        days = (self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1))
        return [d for d in days if d.weekday() < 5]


@dataclass(frozen=True)
class DraftClosure:
    day: date
    holiday: str
    rule: str


def draft_closures(year: int) -> list[DraftClosure]:
    """Every weekday of `year` the rules say the exchanges close, with the rule behind it."""
    found: dict[date, DraftClosure] = {}
    for block in holiday_blocks(year) + holiday_blocks(year + 1):
        for day in block.closures:
            if day.year == year and day not in found:
                found[day] = DraftClosure(day, block.name, f"{block.statutory}; {block.block_rule}")
    return [found[d] for d in sorted(found)]


def holiday_blocks(year: int) -> list[HolidayBlock]:
    """The festivals of `year` (New Year's Day of `year`, not of the next one)."""
    blocks = [_new_year(year), _spring_festival(year), _qingming(year), _labour_day(year),
              _dragon_boat(year)]
    return blocks + _autumn(year)


def _lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _solar_term(year: int, name: str) -> date:
    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()[name]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _weekday_name(day: date) -> str:
    return day.strftime("%a")


def _three_days(name: str, statutory: str, day: date) -> HolidayBlock:
    """A 1-day festival joined to the weekend for 3 days; on a Wednesday it stands alone."""
    offsets = {_MON: (-2, 0), _TUE: (-2, 0), _WED: (0, 0), _THU: (0, 2), _FRI: (0, 2),
               _SAT: (0, 2), _SUN: (-1, 1)}
    before, after = offsets[day.weekday()]
    why = {
        _MON: "a Monday: off with the weekend before (3 days)",
        _TUE: "a Tuesday: off from Sunday, Monday bridged (3 days; a Saturday is worked)",
        _WED: "a Wednesday: that day alone",
        _THU: "a Thursday: off to Saturday, Friday bridged (3 days; a Sunday is worked)",
        _FRI: "a Friday: off with the weekend after (3 days)",
        _SAT: "a Saturday: off to Monday, Monday in lieu (3 days)",
        _SUN: "a Sunday: off Saturday to Monday, Monday in lieu (3 days)",
    }[day.weekday()]
    return HolidayBlock(name, f"{statutory} = {day} ({_weekday_name(day)})",
                        day + timedelta(days=before), day + timedelta(days=after), why)


def _new_year(year: int) -> HolidayBlock:
    return _three_days("元旦 New Year's Day", "1 January", date(year, 1, 1))


def _spring_festival(year: int) -> HolidayBlock:
    eve = _lunar(year, 1, 1) - timedelta(days=1)  # 除夕 is the day before 正月初一
    return HolidayBlock("春节 Spring Festival",
                        f"除夕 + 初一–初三 (4 statutory days), 除夕 = {eve}",
                        eve, eve + timedelta(days=7), "8 days from 除夕 (bridging weekdays off)")


def _qingming(year: int) -> HolidayBlock:
    return _three_days("清明节 Qingming", "the 清明 solar term", _solar_term(year, "清明"))


def _labour_day(year: int) -> HolidayBlock:
    may_day = date(year, 5, 1)
    # Sunday or Monday: the 5 days start on the Saturday before (2022, 2023); else on 1 May.
    start = may_day - timedelta(days={_SUN: 1, _MON: 2}.get(may_day.weekday(), 0))
    return HolidayBlock("劳动节 Labour Day", f"1–2 May (2 statutory days), 1 May a "
                        f"{_weekday_name(may_day)}", start, start + timedelta(days=4),
                        "5 days with a weekend (bridging weekdays off)")


def _dragon_boat(year: int) -> HolidayBlock:
    return _three_days("端午节 Dragon Boat", "五月初五", _lunar(year, 5, 5))


def _autumn(year: int) -> list[HolidayBlock]:
    """Mid-Autumn and National Day; merged into 8 days when Mid-Autumn meets the week."""
    mid = _lunar(year, 8, 15)
    national = date(year, 10, 1)
    statutory = f"1–3 October (3 statutory days) and 八月十五 = {mid}"
    if national <= mid <= national + timedelta(days=7):
        return [HolidayBlock("国庆节+中秋节 National Day and Mid-Autumn", statutory, national,
                             national + timedelta(days=7), "merged: 8 days from 1 October")]
    if national - timedelta(days=2) <= mid < national:
        return [HolidayBlock("中秋节+国庆节 Mid-Autumn and National Day", statutory, mid,
                             mid + timedelta(days=7), "merged: 8 days from Mid-Autumn")]
    return [_three_days("中秋节 Mid-Autumn", "八月十五", mid),
            HolidayBlock("国庆节 National Day", "1–3 October (3 statutory days)", national,
                         national + timedelta(days=6), "7 days from 1 October")]
