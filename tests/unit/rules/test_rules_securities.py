"""Section 5 of the reference: codes and exchanges."""

from __future__ import annotations

from datetime import date

import pytest
from vnpy.trader.constant import Exchange as VnpyExchange

from exchange import Board, UnknownSecurity, UnsupportedSecurity, classify, price_band


@pytest.mark.parametrize(
    ("symbol", "exchange", "board"),
    [
        ("600000", "SSE", Board.MAIN),
        ("601318", "SSE", Board.MAIN),
        ("603288", "SSE", Board.MAIN),
        ("605499", "SSE", Board.MAIN),
        ("688981", "SSE", Board.STAR),
        ("689009", "SSE", Board.STAR),
        ("900901", "SSE", Board.B_SHARE),
        ("000001", "SZSE", Board.MAIN),
        ("001979", "SZSE", Board.MAIN),
        ("002594", "SZSE", Board.MAIN),
        ("003816", "SZSE", Board.MAIN),
        ("300750", "SZSE", Board.CHINEXT),
        ("301269", "SZSE", Board.CHINEXT),
        ("302132", "SZSE", Board.CHINEXT),
        ("200002", "SZSE", Board.B_SHARE),
        ("920001", "BSE", Board.BSE),
        ("IM2612", "CFFEX", Board.INDEX_FUTURE),
    ],
)
def test_every_prefix_maps_to_its_exchange_and_board(
    symbol: str, exchange: str, board: Board
) -> None:
    info = classify(symbol)
    assert (info.exchange.value, info.board) == (exchange, board)
    assert classify(info.symbol) == info
    assert info.symbol == f"{symbol}.{exchange}"


def test_exchange_names_are_vnpy_exchanges() -> None:
    for symbol in ("600000", "000001", "920001", "IM2612"):
        info = classify(symbol)
        assert VnpyExchange(info.exchange.value).name == info.exchange.value


def test_lower_case_and_spaces_are_normalised() -> None:
    assert classify(" im2612.cffex ").symbol == "IM2612.CFFEX"


@pytest.mark.parametrize("code", ["302133", "302000", "800001", "999999", "100001", "680001"])
def test_unknown_prefixes_are_refused_with_the_code(code: str) -> None:
    with pytest.raises(UnknownSecurity, match=code):
        classify(code)


def test_a_bare_leading_nine_is_not_bse() -> None:
    assert classify("900957").exchange.value == "SSE"
    with pytest.raises(UnknownSecurity):
        classify("910001")


def test_suffix_must_match_the_code() -> None:
    with pytest.raises(UnknownSecurity, match="trades on SSE, not SZSE"):
        classify("600000.SZSE")


@pytest.mark.parametrize("bad", ["60000", "6000001", "ABCDEF", "600000.SH.X", ""])
def test_malformed_codes_are_refused(bad: str) -> None:
    with pytest.raises(UnknownSecurity):
        classify(bad)


@pytest.mark.parametrize("code", ["430047", "830799", "871981", "889999"])
def test_legacy_bse_codes_only_before_the_switch(code: str) -> None:
    info = classify(f"{code}.BSE", date(2025, 10, 8))
    assert (info.exchange.value, info.board) == ("BSE", Board.BSE)
    with pytest.raises(UnknownSecurity, match="before 2025-10-09"):
        classify(code, date(2025, 10, 9))
    with pytest.raises(UnknownSecurity, match="no date was given"):
        classify(code)


def test_legacy_bse_band_is_dated_too() -> None:
    assert str(price_band("430047", date(2024, 5, 6))) == "0.30"


def test_futures_other_than_im_and_bad_months_are_refused() -> None:
    with pytest.raises(UnknownSecurity, match="no contract spec for IF"):
        classify("IF2612.CFFEX")
    with pytest.raises(UnknownSecurity, match="month 13"):
        classify("IM2613")


def test_b_shares_are_recognised_but_not_traded() -> None:
    with pytest.raises(UnsupportedSecurity, match="B-shares"):
        price_band("900901.SSE", date(2026, 11, 20))
