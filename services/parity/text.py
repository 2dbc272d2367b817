"""The parity summary in a few lines for the terminal."""

from __future__ import annotations

from typing import Any

SHOWN = 5  # defects and differences listed in full in the report and --json


def summary_lines(summary: dict[str, Any]) -> list[str]:
    lines = [f"parity {summary['start']} to {summary['end']}",
             f"  orders vs the model re-run offline: {summary['rerun_equal_days']} of "
             f"{summary['rerun_days']} days equal, {len(summary['order_defects'])} defect(s)"]
    lines += [f"    DEFECT {d}" for d in summary["order_defects"][:SHOWN]]
    lines += [f"    not checked {d['trade_date']}: {d['status']} ({d['detail']})"
              for d in summary["orders_unchecked"][:SHOWN]]
    if summary["backtest_error"]:
        lines.append(f"  backtest not run: {summary['backtest_error']}")
    else:
        lines += _versus(summary) + _tracking(summary)
    lines += [f"  note: {n}" for n in summary["notes"]]
    lines += [f"  unreadable: {e}" for e in summary["errors"][:SHOWN]]
    return lines


def _versus(summary: dict[str, Any]) -> list[str]:
    explained, unexplained = summary["explained_differences"], summary["unexplained_differences"]
    lines = [f"  orders vs the backtest: {summary['orders_equal_days']} of "
             f"{summary['backtest_days']} days equal, {len(explained)} explained, "
             f"{len(unexplained)} unexplained, {len(summary['not_compared_days'])} not compared"]
    for day in unexplained[:SHOWN]:
        lines.append(f"    UNEXPLAINED {day['trade_date']}: " + "; ".join(day["explanation"][:2]))
    for day in explained[:SHOWN]:
        fills = [e for e in day["explanation"] if "filled" in e]
        why = "; ".join(fills[:2]) or "; ".join(day["explanation"][:2])
        lines.append(f"    explained {day['trade_date']}: {why}")
    return lines


def _tracking(summary: dict[str, Any]) -> list[str]:
    t = summary["nav_tracking_difference"]
    if t["difference"] is None:
        return ["  NAV: no live NAV recorded in the range"]
    causes = ", ".join(f"{k.replace('_', ' ')} {v:+,.0f}" for k, v in summary["causes"].items())
    return [f"  NAV {t['day']}: live {t['live_nav']:,.2f}, backtest {t['backtest_nav']:,.2f}, "
            f"difference {t['difference']:+,.2f} ({t['relative']:+.3%} of the start)"
            if t["relative"] is not None else
            f"  NAV {t['day']}: difference {t['difference']:+,.2f}",
            f"  causes: {causes}",
            *[f"    residual {d['day']}: {d['residual']:+,.0f}"
              + (f" (ex-date of {', '.join(d['ex_dates'][:5])})" if d["ex_dates"] else "")
              for d in summary["residual_days"][:SHOWN]]]
