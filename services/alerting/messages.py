"""The text of an alert message, in Chinese with the desk's own words, short for a phone.

The desk's kinds and symbols stay as the desk writes them (ops search for
"stale_price" and for a code); the frame around them is Chinese:

    【警告】行情停更 limit: stale_price ×37（10分钟内，12个代码）
    600000.SSE、000002.SZSE、000004.SZSE 等
    最新：no update for 102 min
    来源 risk · 11-23 10:25
"""

from __future__ import annotations

import math
from fnmatch import fnmatchcase

from marketdata.clock import EXCHANGE_TZ
from services.alerting.dedup import Digest

LABELS = {"critical": "严重", "warning": "警告", "info": "提示"}
# A Chinese gloss in front of the desk's own kind for the alerts ops see most; the
# kind itself stays, so a search for it still finds the message (fnmatch patterns).
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("limit: stale_price*", "行情停更"), ("limit: stock_weight*", "个股超限"),
    ("limit: industry_weight*", "行业超限"), ("limit: turnover_days*", "流动性超限"),
    ("gateway * disconnected", "柜台断线"), ("gateway * reconnected", "柜台恢复"),
    ("NAV not computed", "净值未算出"), ("risk check failed", "风控检查失败"),
    ("hedge not proposed", "对冲未提出"), ("ledger unreadable", "账本不可读"),
    ("bad print ignored*", "异常价格已忽略"), ("trading calendar ends*", "交易日历将尽"),
    ("data fetch failed*", "行情数据未到"), ("data fetch fell back*", "行情数据改用备用源"),
    ("forged or stale approval refused*", "伪造或过期审批已拒"),
)
MAX_CHARS = 400  # a phone's notification preview shows a few lines; the console has the rest
DETAIL_CHARS = 160
SYMBOLS_SHOWN = 3


def digest_text(d: Digest) -> str:
    lines = [f"【{LABELS.get(d.severity, d.severity)}】{_headline(d)}"]
    if d.count > 1 and d.symbols:
        more = " 等" if len(d.symbols) > SYMBOLS_SHOWN else ""
        lines.append("、".join(d.symbols[:SYMBOLS_SHOWN]) + more)
    if d.detail:
        lines.append(f"最新：{_cut(d.detail, DETAIL_CHARS)}")
    lines.append(f"来源 {d.source} · {d.last.astimezone(EXCHANGE_TZ):%m-%d %H:%M}")
    if d.severity == "critical":
        lines.append(f"请在控制台确认 {d.key}")
    return _cut("\n".join(lines), MAX_CHARS)


def escalation_text(key: str, title: str, minutes: int, reminder: int) -> str:
    return _cut(f"【升级·第{reminder}次】严重告警{minutes}分钟未确认\n{title}\n"
                f"请在控制台确认 {key}", MAX_CHARS)


def subject(text: str) -> str:
    """An e-mail subject: the first line."""
    return text.split("\n", 1)[0]


def gloss(kind: str) -> str:
    """The Chinese gloss of a kind ("" when the glossary has none)."""
    return next((word for pattern, word in GLOSSARY if fnmatchcase(kind, pattern)), "")


def _headline(d: Digest) -> str:
    word = gloss(d.kind)
    prefix = f"{word} " if word else ""
    if d.count == 1:
        return prefix + d.title
    minutes = max(1, math.ceil((d.last - d.first).total_seconds() / 60))
    where = f"，{len(d.symbols)}个代码" if d.symbols else ""
    return f"{prefix}{d.kind} ×{d.count}（{minutes}分钟内{where}）"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
