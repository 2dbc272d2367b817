"""No child goes out at or after the end of the phase it was sized for (lunch, 14:57, 15:00)."""

from datetime import datetime
from datetime import time as dtime

import pytest

from exchange.sessions import phase_end
from execution.worker.sender import session_problem
from marketdata.clock import EXCHANGE_TZ
from tests.unit.execution.deskkit import DAY

STOCK = "600000.SSE"
IM = "IM2612.CFFEX"


def at(h: int, m: int, s: int = 0, us: int = 0) -> datetime:
    return datetime.combine(DAY, dtime(h, m, s, us), tzinfo=EXCHANGE_TZ)


@pytest.mark.parametrize(("moment", "symbol", "phase", "allowed"), [
    (at(11, 29, 59), STOCK, "continuous", True),
    (at(11, 29, 59, 500_000), STOCK, "continuous", False),  # inside the last second
    (at(11, 30), STOCK, "continuous", False),
    (at(11, 30, 14), STOCK, "continuous", False),
    (at(13, 0), STOCK, "continuous", True),
    (at(14, 56, 59), STOCK, "continuous", True),
    (at(14, 57), STOCK, "continuous", False),
    (at(14, 57), STOCK, "closing_auction", True),
    (at(14, 59, 59), STOCK, "closing_auction", True),
    (at(15, 0), STOCK, "closing_auction", False),
    (at(11, 29, 59), IM, "continuous", True),
    (at(11, 30), IM, "continuous", False),
    (at(14, 57), IM, "continuous", True),
    (at(14, 59, 59), IM, "continuous", True),
    (at(15, 0), IM, "continuous", False),
    (at(9, 19, 59), STOCK, "opening_auction", True),
    (at(9, 20), STOCK, "opening_auction", False),
])
def test_a_child_is_sent_only_before_its_phase_ends(
    moment: datetime, symbol: str, phase: str, allowed: bool,
) -> None:
    problem = session_problem(moment, symbol, phase)
    assert (problem == "") is allowed, problem


def test_the_refusal_names_the_phase_and_its_end() -> None:
    assert session_problem(at(11, 30, 3), STOCK, "continuous") == \
        "the continuous session ended at 11:30:00 (now lunch_break 11:30:03): not sent"


def test_phase_end_is_the_end_of_the_window_holding_the_moment() -> None:
    assert phase_end(at(11, 29, 59), STOCK) == at(11, 30)
    assert phase_end(at(14, 56, 59), STOCK) == at(14, 57)
    assert phase_end(at(14, 56, 59), IM) == at(15, 0)
    assert phase_end(at(11, 30), STOCK) == at(13, 0)  # the lunch break's own end
    assert phase_end(at(16, 0), STOCK) is None  # after the close on the main board
