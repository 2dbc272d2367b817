"""`desk calendar show / draft / add` end to end through the real `desk` command, on a copy
of the holiday file; and `desk status`'s calendar banner."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import redis

from marketdata.calendar import load_calendar
from marketdata.holidays import read_holiday_file
from services.clock_setup import start_simulated_day
from services.settings_loader import DEFAULT_CONFIG, load_settings
from services.status import collect_status, render_status
from tests.integration.cli_kit import run

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def holidays(tmp_path: Path) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_bytes((REPO / "config" / "holidays.yaml").read_bytes())
    return path


def desk(holidays: Path, *args: str):  # type: ignore[no-untyped-def]
    return run("--data-dir", str(holidays.parent / "desk"), "calendar", "--file", str(holidays),
               *args)


def test_draft_2027_prints_every_closure_with_its_rule() -> None:
    result = run("calendar", "draft", "2027")
    assert result.exit_code == 0, result.output
    lines = [x for x in result.output.splitlines() if not x.startswith("#")]
    assert len(lines) == 18
    assert lines[0].startswith("2027-01-01 Fri  元旦 New Year's Day  # 1 January")
    assert "NOT the exchange's notice" in result.output


def test_accept_the_draft_for_january_then_the_official_list(holidays: Path,
                                                             tmp_path: Path) -> None:
    saved = tmp_path / "draft-2027.txt"
    saved.write_text(run("calendar", "draft", "2027").output, encoding="utf-8")
    accepted = desk(holidays, "add", "2027", "--closures", str(saved), "--through", "2027-01-31",
                    "--source", "desk draft: only New Year's Day can close January", "--by", "ops")
    assert accepted.exit_code == 0, accepted.output
    assert "PROVISIONAL through 2027-01-31" in accepted.output
    assert "not used (after --through 2027-01-31): 2027-02-05" in accepted.output
    cal = load_calendar(holidays)
    assert cal.provisional_window == (date(2027, 1, 1), date(2027, 1, 31))
    assert cal.next_trading_day(date(2026, 12, 31)) == date(2027, 1, 4)

    shown = desk(holidays, "show", "2027")
    assert "2027-01-01 Fri  operator file: desk draft" in shown.output
    assert "PROVISIONAL" in shown.output and "not covered from 2027-02-01" in shown.output

    official = desk(holidays, "add", "2027", "--closures", str(saved),
                    "--source", "SSE notice on the 2027 holidays", "--by", "ops")
    assert official.exit_code == 0, official.output
    assert "2027 official, 18 closure(s)" in official.output
    assert "replaced the list added by ops" in official.output
    cal = load_calendar(holidays)
    assert cal.provisional_window is None and cal.covered_through == date(2027, 12, 31)
    assert read_holiday_file(holidays).years[2027].source == "SSE notice on the 2027 holidays"


@pytest.mark.parametrize(("closures", "message"), [
    ("2027-01-02", "2027-01-02 is a Saturday"),
    ("2027-01-01,2027-01-01", "listed twice"),
    ("2028-01-03", "2028-01-03 is not in 2027"),
    ("2027-01-01,tomorrow", "'tomorrow' is not a date"),
])
def test_hostile_input_is_refused_and_the_file_untouched(holidays: Path, closures: str,
                                                         message: str) -> None:
    before = holidays.read_bytes()
    result = desk(holidays, "add", "2027", "--closures", closures, "--source", "x")
    assert result.exit_code == 1 and message in result.output
    assert holidays.read_bytes() == before


def test_a_malformed_holiday_file_is_named(holidays: Path) -> None:
    holidays.write_text("covered_through: [\n", encoding="utf-8")
    result = desk(holidays, "add", "2027", "--closures", "2027-01-01", "--source", "x")
    assert result.exit_code == 1 and f"holiday file {holidays}: not valid YAML" in result.output
    assert desk(holidays, "show").exit_code == 1


def test_show_the_shipped_year_says_where_it_comes_from(holidays: Path) -> None:
    result = desk(holidays, "show", "2026")
    assert result.exit_code == 0, result.output
    assert "2026: exchange_calendars XSHG (through 2026-12-31)" in result.output
    assert "2026-02-16 Mon  exchange_calendars XSHG" in result.output
    assert "trading days: 242" in result.output


def test_desk_status_shows_the_calendar_banner(redis_client: redis.Redis, holidays: Path) -> None:
    settings = load_settings(DEFAULT_CONFIG, env={})
    simulated = settings.model_copy(update={
        "clock": settings.clock.model_copy(update={"mode": "simulated"}),
        "data": settings.data.model_copy(update={"holidays_file": holidays})})
    start_simulated_day(redis_client, simulated, date(2026, 12, 1), speed=1)  # the desk's clock
    report = collect_status(redis_client, simulated)
    assert report["calendar"]["covered_through"] == date(2026, 12, 31)
    text = render_status(report)
    assert "CALENDAR (warning): Trading calendar runs out 2026-12-31 (30 days)" in text

    desk(holidays, "add", "2027", "--closures", "2027-01-01", "--through", "2027-01-31",
         "--source", "draft")
    text = render_status(collect_status(redis_client, simulated))
    assert "runs out 2027-01-31" in text and "PROVISIONAL 2027-01-01 to 2027-01-31" in text
