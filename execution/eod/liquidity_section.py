"""The daily report's "Liquidity and crowding" section, from the published profile.

The end of day (services.eod.trigger) publishes the profile just before the report, so
the section shows that day's exit curve and crowded names; a profile of an earlier day
is shown with its date, a missing or unreadable one is said in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bus import streams
from execution.eod.liquidity_chart import data_url
from risk.liquidity_doc import LiquidityDoc, LiquidityDocUnreadable, read_liquidity_doc

TOP = 10


@dataclass(frozen=True)
class LiquiditySection:
    doc: LiquidityDoc | None
    note: str = ""  # what the reader must know: nothing published, unreadable, stale
    chart: str = ""  # PNG data URL of the exit curve


def liquidity_section(client: Any, account: str, day: date) -> LiquiditySection:
    key = streams.LIQUIDITY.format(account=account)
    try:
        doc = read_liquidity_doc(client.get(key), key)
    except LiquidityDocUnreadable as exc:
        return LiquiditySection(None, str(exc))
    if doc is None:
        return LiquiditySection(None, f"no liquidity profile published at {key}")
    stale = "" if doc.crowding.day == day.isoformat() else \
        f"profile of {doc.crowding.day}, not of {day.isoformat()}"
    return LiquiditySection(doc, stale, data_url(doc, "png"))


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def liquidity_lines(section: LiquiditySection | None) -> list[str]:
    """The text report's lines: the curve per scenario and the most crowded names."""
    if section is None:
        return []
    doc = section.doc
    if doc is None:
        return [f"Liquidity: {section.note}"]
    lines = [f"Liquidity (NAV in cash within {', '.join(map(str, doc.scenarios[0].curve))} "
             f"days){': ' + section.note if section.note else ''}"]
    lines += [f"  {s.name}: " + " / ".join(pct(v) for v in s.curve.values())
              for s in doc.scenarios]
    lines += [f"  crowded {c.symbol}: {pct(c.volume_share)} of the day's volume, "
              f"{pct(c.float_share)} of its free float" for c in doc.crowding.top[:3]]
    lines += [f"  LIMIT {b.kind}: {b.detail}" for b in doc.breaches]
    return lines
