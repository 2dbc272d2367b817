"""`run_eod` and `desk eod` after a real simulated day: report content, NAV, breaks, alerts."""

import json
import re
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from bus import streams  # noqa: E402
from bus.bus import publish  # noqa: E402
from bus.messages import Alert  # noqa: E402
from exchange import Side  # noqa: E402
from execution.gateway.sim.book import SimBook  # noqa: E402
from execution.gateway.sim.models import FuturePosition  # noqa: E402
from execution.gateway.sim.scenario import DayBar, scenario  # noqa: E402
from orders.order import Offset, OrderKind  # noqa: E402
from services.cli.main import cli  # noqa: E402
from services.eod.trigger import run_eod  # noqa: E402
from services.runtime import ServiceContext  # noqa: E402
from services.settings_loader import DEFAULT_CONFIG, load_settings  # noqa: E402
from tests.unit.execution.deskkit import (  # noqa: E402
    DAY,
    STOCK,
    SimDay,
    approve,
    at,
    make_order,
    sim_day,
)

pytestmark = pytest.mark.integration

HEDGE = "IM2612.CFFEX"
INDEX = "000852.SSE"
TAPE = {STOCK: DayBar(10.0, 10.0, 10.3, 9.8, 10.1, 5e6),
        HEDGE: DayBar(5800.0, 5790.0, 5850.0, 5750.0, 5810.0, 2e5)}


@pytest.fixture
def closed(redis_client: redis.Redis, tmp_path: Path) -> Iterator[SimDay]:
    """A day traded to the close: a filled buy, an IM short, a buy limited below the market."""
    with sim_day(redis_client, tmp_path / "vnpy", source=scenario(DAY, TAPE)) as day:
        day.run(dtime(9, 31))
        day.desk.parents.work(approve(day.queue, make_order("buy", 20_000)))
        hedge = make_order("hedge", 4, symbol=HEDGE, side=Side.SELL, kind=OrderKind.HEDGE,
                           offset=Offset.OPEN, reference="5800.00")
        day.desk.parents.work(approve(day.queue, hedge))
        day.desk.parents.work(approve(day.queue, make_order("low", 5_000, limit="9.00")))
        day.run(dtime(10, 35))
        day.clock.set(at(dtime(15, 31)))
        day.gateway.advance()
        day.settle()
        day.settle()
        yield day


def context(day: SimDay, data_dir: Path) -> ServiceContext:
    settings = load_settings(DEFAULT_CONFIG, env={}).model_copy(update={"data_dir": data_dir})
    return ServiceContext(settings=settings, client=day.client, clock=day.clock,
                          data_dir=data_dir)


def say(client: redis.Redis, title: str, at_: datetime, severity: str = "warning") -> None:
    publish(client, streams.ALERTS, "alert",
            Alert(severity=severity, source="test", title=title), source="test", ts=at_)


def broker_nav(day: SimDay) -> Decimal:
    """NAV from the broker's books at the last prices, without the desk's ledger."""
    book = SimBook(day.client, "paper", day.cfg.initial_cash)
    last = {s: Decimal(p) for s, p in day.client.hgetall(streams.LAST_PRICES).items()}
    future = book.position(HEDGE)
    assert isinstance(future, FuturePosition) and future.short == 4
    stock = book.position(STOCK).quantity  # type: ignore[union-attr]
    return (book.cash() + stock * last[STOCK]
            + (future.short_avg - last[HEDGE]) * future.short * 200)


def test_the_report_tells_the_day(closed: SimDay, tmp_path: Path) -> None:
    closed.client.hset(streams.LAST_PRICES, INDEX, "6000")
    say(closed.client, "line flapped", at(dtime(10, 0)))
    say(closed.client, "yesterday's news", datetime(2026, 11, 20, 14, 0, tzinfo=at(
        dtime(0)).tzinfo))
    result = run_eod(context(closed, tmp_path / "desk"), DAY)

    assert result.reconciliation.clean, [b.line() for b in result.reconciliation.breaks]
    assert result.nav is not None and result.nav.nav == broker_nav(closed)
    assert result.nav.hwm == result.nav.nav and result.nav.drawdown == 0.0
    html = result.html.read_text()
    assert result.html == tmp_path / "desk" / "reports" / f"{DAY}.html"
    assert "<script" not in html and not re.search(r"(src|href)=\"https?:", html)
    assert "data:image/png;base64," in html
    assert 'id="recon-status">Clean' in html
    # Slippage of the buy against its reference, from the broker's own trades.
    orders = {o.orderid: o.reference for o in closed.broker_orders()}
    mine = [t for t in closed.broker_trades() if orders[t.orderid].startswith("buy#")]
    value = sum(t.price * t.volume for t in mine)
    shares = sum(t.volume for t in mine)
    expected = float((value - Decimal("10.00") * shares) / (Decimal("10.00") * shares) * 10_000)
    assert shares == 20_000 and f"{expected:+.1f} bps" in html
    undone = html.split('id="undone"')[1].split("</table>")[0]
    assert "<tr><td>low</td>" in undone and "5,000" in undone and "<tr><td>buy</td>" not in undone
    # The hedge: basis against CSI 1000 to the contract's expiry (2026-12-18).
    close = Decimal(closed.client.hget(streams.LAST_PRICES, HEDGE))
    basis = (float(close) / 6000 - 1) * 365 / (date(2026, 12, 18) - DAY).days
    assert f"{basis:.2%}" in html.split('id="hedges"')[1]
    assert "line flapped" in html and "yesterday&#39;s news" not in html
    text = result.text.read_text()
    assert "Reconciliation with sim:paper: clean" in text and "Left undone: low" in text
    done = [json.loads(f["body"]) for _, f in closed.client.xrange(streams.ALERTS)]
    assert any(a["severity"] == "info" and "end of day 2026-11-23 done" in a["title"]
               for a in done)


def test_a_break_raises_a_critical_alert_and_desk_eod_exits_1(closed: SimDay,
                                                               tmp_path: Path) -> None:
    key = streams.LEDGER.format(account="paper")
    ledger = json.loads(closed.client.get(key))
    ledger["positions"][STOCK]["quantity"] = "19900"
    closed.client.set(key, json.dumps(ledger))
    closed.client.set(streams.CLOCK, "")  # `desk eod` must not need the simulated clock
    data_dir = tmp_path / "desk"
    url = closed.client.connection_pool.connection_kwargs["path"]
    runner = CliRunner()
    out = runner.invoke(cli, ["--data-dir", str(data_dir), "eod", "--date", DAY.isoformat(),
                              "--json"], env={"DESK_REDIS_URL": f"unix://{url}"})
    assert out.exit_code == 1, out.output
    summary = json.loads(out.output.strip().splitlines()[-1])
    assert summary["clean"] is False and summary["breaks"] == 1
    critical = [json.loads(f["body"]) for _, f in closed.client.xrange(streams.ALERTS)
                if json.loads(f["body"])["severity"] == "critical"]
    assert len(critical) == 1 and "1 break(s)" in critical[0]["title"]
    assert f"position {STOCK}: desk 19900 shares, broker 20000 shares" in critical[0]["detail"]
    html = (data_dir / "reports" / f"{DAY}.html").read_text()
    assert "1 break(s)" in html and "19900 shares" in html
