"""The parity report: one self-contained HTML file, plots as inline PNG (no CDN).

Figures are built without pyplot (no global state, no display) and rendered by Agg.
"""

from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from services.parity.tracking import CAUSES

STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
         "text-align:right}th{background:#f2f2f2}.defect{color:#b00020}"
         "li{margin:.2em 0}img{max-width:100%}")


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _axes(title: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(7.2, 3.2))
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    return figure, axes


def nav_plot(days: list[dict[str, Any]]) -> str:
    figure, axes = _axes("NAV: live desk and backtest (CNY)")
    labels = [d["day"] for d in days]
    axes.plot(labels, [d["backtest_nav"] for d in days], label="backtest", marker=".")
    live = [(d["day"], d["live_nav"]) for d in days if d["live_nav"] is not None]
    axes.plot([x for x, _ in live], [y for _, y in live], label="live", marker=".")
    axes.legend(fontsize=8)
    axes.tick_params(axis="x", labelrotation=45, labelsize=7)
    return _png(figure)


def causes_plot(days: list[dict[str, Any]]) -> str:
    figure, axes = _axes("Tracking difference (live - backtest), cumulative by cause (CNY)")
    labels = [d["day"] for d in days]
    for cause in CAUSES:
        total, line = 0.0, []
        for d in days:
            total += d["parts"].get(cause, 0.0)
            line.append(total)
        axes.plot(labels, line, label=cause.replace("_", " "))
    axes.plot(labels, [d["difference"] if d["difference"] is not None else float("nan")
                       for d in days], label="difference", color="black", linewidth=2)
    axes.legend(fontsize=7, ncol=4)
    axes.tick_params(axis="x", labelrotation=45, labelsize=7)
    return _png(figure)


def orders_plot(versus: list[dict[str, Any]]) -> str:
    figure, axes = _axes("Orders per day: live batch and backtest batch")
    labels = [v["trade_date"] for v in versus]
    at = list(range(len(labels)))
    axes.bar([x - 0.2 for x in at], [v["live_orders"] for v in versus], 0.4, label="live")
    axes.bar([x + 0.2 for x in at], [v["backtest_orders"] for v in versus], 0.4,
             label="backtest")
    axes.set_xticks(at, labels, rotation=45, fontsize=7)
    axes.legend(fontsize=8)
    return _png(figure)


def _list(items: list[str], css: str = "") -> str:
    if not items:
        return "<p>none</p>"
    cls = f' class="{css}"' if css else ""
    return "<ul>" + "".join(f"<li{cls}>{escape(i)}</li>" for i in items) + "</ul>"


def _causes_table(summary: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{escape(c.replace('_', ' '))}</th><td>{v:,.2f}</td></tr>"
                   for c, v in summary["causes"].items() if v is not None)
    tracking = summary["nav_tracking_difference"]
    if tracking["difference"] is not None:
        rows += f"<tr><th>difference</th><td>{tracking['difference']:,.2f}</td></tr>"
    return f"<table>{rows}</table>"


def _day_sections(items: list[dict[str, Any]]) -> str:
    parts = []
    for item in items:
        parts.append(f"<h3>{escape(item['trade_date'])}: {escape(item['status'])}</h3>"
                     f"{_list(item['differences'][:20])}<p>because</p>"
                     f"{_list(item['explanation'][:40])}")
    return "".join(parts) or "<p>none</p>"


def render(summary: dict[str, Any]) -> str:
    days, versus = summary["per_day"], summary["versus"]
    plots = []
    if days:
        plots += [nav_plot(days), causes_plot(days)]
    if versus:
        plots.append(orders_plot(versus))
    images = "".join(f'<p><img alt="plot" src="{p}"></p>' for p in plots)
    unchecked = [f"{d['trade_date']}: {d['status']} ({d['detail']})"
                 for d in summary["orders_unchecked"]]
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Parity "
        f"{escape(summary['start'])} to {escape(summary['end'])}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Parity with the live desk, {escape(summary['start'])} to "
        f"{escape(summary['end'])}</h1>"
        f"<h2>Orders: the live batch against the model re-run offline</h2>"
        f"<p>{summary['rerun_equal_days']} of {summary['rerun_days']} days equal; "
        f"{len(summary['order_defects'])} defect(s).</p>"
        f"{_list(summary['order_defects'], 'defect')}"
        f"<p>not checked:</p>{_list(unchecked)}"
        f"<h2>Orders: the live batch against the backtest</h2>"
        f"<p>{summary['orders_equal_days']} of {summary['backtest_days']} days equal, "
        f"{len(summary['explained_differences'])} explained, "
        f"{len(summary['unexplained_differences'])} unexplained.</p>"
        f"<h3>Unexplained</h3>{_day_sections(summary['unexplained_differences'])}"
        f"<h3>Explained</h3>{_day_sections(summary['explained_differences'])}"
        f"<h2>NAV tracking difference</h2>{_causes_table(summary)}"
        f"<p>days with a residual:</p>{_list(_residuals(summary))}{images}"
        f"<h2>Method</h2><p>{escape(summary['method'])}</p>"
        f"<h2>Notes and unreadable entries</h2>"
        f"{_list([*summary['notes'], *summary['errors']])}"
        f"{_backtest_error(summary)}</body></html>")


def _residuals(summary: dict[str, Any]) -> list[str]:
    return [f"{d['day']}: {d['residual']:+,.2f}"
            + (f" (ex-date of {', '.join(d['ex_dates'])})" if d["ex_dates"] else "")
            for d in summary["residual_days"]]


def _backtest_error(summary: dict[str, Any]) -> str:
    error = summary.get("backtest_error")
    return f"<p class='defect'>backtest not run: {escape(error)}</p>" if error else ""


def write_report(summary: dict[str, Any], path: Path) -> Path:
    """The report of `parity_summary`'s object, written to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(summary), encoding="utf-8")
    return path
