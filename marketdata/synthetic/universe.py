"""The synthetic universe: codes per board, Chinese-style names, industries, sizes.

Board shares follow the real A-share market (2025: SSE main ~31%, STAR ~11%, SZSE main
~27%, ChiNext ~25%, BSE ~5%). Target market caps follow the real distribution at the end
of 2023 (of ~5,300 stocks, 2,233 below 5 bn CNY, 1,337 at 5-10 bn, 489 at 10-15 bn).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from exchange import classify
from marketdata.boards import Board, board_of

# (code prefix, weight, first listing date possible under that prefix); the exchange and
# the board of a code are `exchange.classify`'s.
CODE_PREFIXES: tuple[tuple[str, float, date], ...] = (
    ("600", 0.165, date(1990, 12, 19)), ("601", 0.035, date(2001, 1, 1)),
    ("603", 0.095, date(2011, 1, 1)), ("605", 0.018, date(2020, 1, 1)),
    ("688", 0.107, date(2019, 7, 22)), ("689", 0.002, date(2020, 1, 1)),
    ("000", 0.085, date(1991, 1, 1)), ("001", 0.018, date(2021, 1, 1)),
    ("002", 0.165, date(2004, 6, 25)), ("003", 0.007, date(2020, 9, 1)),
    ("300", 0.185, date(2009, 10, 30)), ("301", 0.068, date(2020, 8, 24)),
    ("920", 0.050, date(2021, 11, 15)),
)
NEW_LISTING_PREFIXES = ("603", "605", "688", "001", "301", "920")
_CODES_PER_PREFIX = 1000

# Shenwan level-1 industries with rough shares of the number of listed stocks.
INDUSTRIES: tuple[tuple[str, float], ...] = (
    ("机械设备", 0.10), ("电子", 0.09), ("医药生物", 0.09), ("基础化工", 0.075),
    ("计算机", 0.065), ("电力设备", 0.065), ("汽车", 0.05), ("有色金属", 0.025),
    ("轻工制造", 0.03), ("建筑装饰", 0.03), ("公用事业", 0.025), ("交通运输", 0.025),
    ("食品饮料", 0.025), ("传媒", 0.025), ("环保", 0.025), ("国防军工", 0.025),
    ("通信", 0.025), ("纺织服饰", 0.02), ("家用电器", 0.02), ("商贸零售", 0.02),
    ("农林牧渔", 0.02), ("建筑材料", 0.015), ("房地产", 0.02), ("非银金融", 0.015),
    ("社会服务", 0.015), ("石油石化", 0.01), ("钢铁", 0.01), ("煤炭", 0.008),
    ("银行", 0.008), ("美容护理", 0.006), ("综合", 0.004),
)

_NAME_HEADS = tuple("华东新中金海天宏恒盛远达信安鑫通科瑞德利"
                    "嘉泰隆昌源丰富光明辉永长广汇联创誉鼎凯力晶")
_NAME_TAILS = (
    "股份", "科技", "电子", "药业", "材料", "机械", "电气", "食品", "环保", "能源",
    "化工", "智能", "控股", "实业", "新材", "精工", "传媒", "软件", "装备", "生物",
)

# Inverse CDF of total market cap (CNY bn) as (cumulative share, cap) knots, log-linear between.
CAP_QUANTILES: tuple[tuple[float, float], ...] = (
    (0.0, 0.6), (0.05, 1.8), (0.20, 3.0), (0.421, 5.0), (0.673, 10.0), (0.765, 15.0),
    (0.88, 30.0), (0.96, 80.0), (0.99, 300.0), (1.0, 2500.0),
)


@dataclass(frozen=True)
class Universe:
    symbols: list[str]  # sorted vt_symbols
    names: list[str]
    boards: npt.NDArray[np.str_]
    industries: npt.NDArray[np.str_]
    target_cap: npt.NDArray[np.float64]  # CNY, total market cap on the last listed day
    size_exposure: npt.NDArray[np.float64]  # 0 (largest) .. 2 (smallest)


def _allocate(n: int) -> list[int]:
    """Stocks per prefix, proportional to the weights, never above 1,000 codes per prefix."""
    weights = np.array([w for _, w, _ in CODE_PREFIXES])
    counts = np.zeros(len(weights), dtype=int)
    remaining = n
    while remaining > 0:
        room = counts < _CODES_PER_PREFIX
        share = np.where(room, weights, 0.0) / np.where(room, weights, 0.0).sum()
        add = np.maximum(np.floor(share * remaining).astype(int), 0)
        add[np.argmax(share)] += remaining - add.sum()
        counts = np.minimum(counts + add, _CODES_PER_PREFIX)
        remaining = n - int(counts.sum())
    return [int(c) for c in counts]


def _codes(rng: np.random.Generator, n: int) -> list[str]:
    if n > _CODES_PER_PREFIX * len(CODE_PREFIXES):
        most = _CODES_PER_PREFIX * len(CODE_PREFIXES)
        raise ValueError(f"synthetic market: at most {most} stocks (asked for {n})")
    symbols: list[str] = []
    for (prefix, _, _), count in zip(CODE_PREFIXES, _allocate(n), strict=True):
        suffixes = rng.choice(_CODES_PER_PREFIX, size=count, replace=False)
        symbols.extend(classify(f"{prefix}{s:03d}").symbol for s in suffixes)
    return sorted(symbols)


def _names(rng: np.random.Generator, n: int) -> list[str]:
    seen: set[str] = set()
    names: list[str] = []
    while len(names) < n:
        heads = rng.choice(len(_NAME_HEADS), size=(n, 2))
        tails = rng.choice(len(_NAME_TAILS), size=n)
        for (a, b), t in zip(heads, tails, strict=True):
            name = _NAME_HEADS[a] + _NAME_HEADS[b] + _NAME_TAILS[t]
            if a != b and name not in seen and len(names) < n:
                seen.add(name)
                names.append(name)
    return names


def sample_caps(rng: np.random.Generator, n: int) -> npt.NDArray[np.float64]:
    """Total market caps in CNY drawn from CAP_QUANTILES."""
    shares, caps = zip(*CAP_QUANTILES, strict=True)
    u = rng.random(n)
    return np.exp(np.interp(u, shares, np.log(caps))) * 1e9


def build_universe(rng: np.random.Generator, n: int) -> Universe:
    symbols = _codes(rng, n)
    industry_names = [name for name, _ in INDUSTRIES]
    industry_weights = np.array([w for _, w in INDUSTRIES])
    industries = rng.choice(industry_names, size=n, p=industry_weights / industry_weights.sum())
    caps = sample_caps(rng, n)
    # Exposure to the small-minus-big factor: 0 for the largest stock, 2 for the smallest,
    # convex so that a crash of the size factor hits the very smallest hardest.
    smallness = 1.0 - (np.argsort(np.argsort(caps)) + 0.5) / n
    exposure = 2.0 * smallness**2
    return Universe(
        symbols=symbols,
        names=_names(rng, n),
        boards=np.array([board_of(s).value for s in symbols]),
        industries=np.asarray(industries, dtype=str),
        target_cap=caps,
        size_exposure=exposure,
    )


def earliest_listing(symbol: str) -> date:
    prefix = symbol[:3]
    return next(first for p, _, first in CODE_PREFIXES if p == prefix)


def is_board(boards: npt.NDArray[np.str_], board: Board) -> npt.NDArray[np.bool_]:
    return np.asarray(boards == board.value)
