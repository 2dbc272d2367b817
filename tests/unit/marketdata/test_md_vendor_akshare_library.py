"""The AKShare adapter calls what the installed akshare has (no network: nothing is sent):
its function names, the parameters it passes, and the column names it reads."""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from types import SimpleNamespace

import akshare
import pytest
from tenacity import wait_none

from marketdata.calendar import TradingCalendar
from marketdata.synthetic import generate_market
from marketdata.vendors.akshare import AkshareAdapter, LibraryApi
from marketdata.vendors.akshare_calls import COLUMNS, NULL_RESULT_IS_EMPTY
from marketdata.vendors.akshare_replay import RecordedAkshare
from marketdata.vendors.config import VendorSource
from marketdata.vendors.prior import prior_day
from marketdata.vendors.sources import make_adapter
from tests.unit.marketdata.akshare_kit import record_day, write_statements
from tests.unit.marketdata.md_kit import store_through


def test_the_installed_akshare_is_the_pinned_one() -> None:
    pin = next(line for line in (Path(__file__).resolve().parents[3] / "pyproject.toml")
               .read_text(encoding="utf-8").splitlines() if line.startswith("vendors ="))
    assert f'"akshare=={akshare.__version__}"' in pin


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_every_function_the_adapter_uses_exists(name: str) -> None:
    assert hasattr(akshare, name) and callable(getattr(akshare, name)), name


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_every_column_the_adapter_reads_is_named_in_the_function_s_module(name: str) -> None:
    fn = getattr(akshare, name)
    source = inspect.getsource(inspect.getmodule(fn))  # type: ignore[arg-type]
    for column in COLUMNS[name]:
        assert f'"{column}"' in source, f"{name}: {column}"


def test_the_recordings_have_only_columns_the_library_builds(
        tmp_path: Path, calendar: TradingCalendar) -> None:
    market = generate_market(50, 10, seed=4, calendar=calendar)
    truth = store_through(tmp_path / "truth", market)
    rec = record_day(truth, truth.trade_dates()[-1], tmp_path / "rec")
    assert {p.stem for p in rec.glob("*.csv")} == set(COLUMNS)
    for path in rec.glob("*.csv"):
        fn = getattr(akshare, path.stem)
        source = inspect.getsource(inspect.getmodule(fn))  # type: ignore[arg-type]
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        for column in (c for c in header if not c.startswith("@")):
            assert f'"{column}"' in source, f"{path.stem}: {column}"
        for param in (c[1:] for c in header if c.startswith("@")):
            assert param in inspect.signature(fn).parameters, f"{path.stem}: {param}"


def test_every_call_of_a_fetch_binds_to_the_library_s_signature(
        tmp_path: Path, calendar: TradingCalendar) -> None:
    market = generate_market(60, 10, seed=3, calendar=calendar)
    truth = store_through(tmp_path / "truth", market)
    day = truth.trade_dates()[-1]
    store = store_through(tmp_path / "desk", market, calendar.previous_trading_day(day))
    rec = record_day(truth, day, tmp_path / "rec")
    code, period, ann = truth.instruments().index[0][:6], "20260930", day.isoformat()
    write_statements(rec, [{"@date": period, "股票代码": code, "净利润": 1e6,
                            "营业总收入": 1e7, "公告日期": ann}],
                     [{"@date": period, "股票代码": code, "股东权益合计": 1e8,
                       "公告日期": ann}])  # a report, so the balance sheet is asked for
    adapter = make_adapter(VendorSource(kind="akshare", replay_dir=rec), {},
                           wait=wait_none())
    assert isinstance(adapter, AkshareAdapter) and isinstance(adapter.api, RecordedAkshare)
    adapter.fetch_day(day, prior_day(store, calendar, day), day)
    calls = adapter.api.calls
    assert {name for name, _ in calls} == set(COLUMNS)  # every function, and only those
    for name, params in calls:
        inspect.signature(getattr(akshare, name)).bind(**params)  # TypeError if not


def test_without_a_recording_the_adapter_is_built_on_the_library_without_credentials(
        ) -> None:
    adapter = make_adapter(VendorSource(kind="akshare", timeout_s=7), {})
    assert isinstance(adapter, AkshareAdapter) and isinstance(adapter.api, LibraryApi)
    assert adapter.api.module is akshare and adapter.api.timeout_s == 7


def test_the_timeout_goes_only_to_functions_that_take_one() -> None:
    seen: dict[str, dict[str, object]] = {}

    class Module:  # the library's signatures, recording instead of calling
        @staticmethod
        def stock_zh_a_hist(symbol: str, timeout: float | None = None) -> object:
            seen["hist"] = {"symbol": symbol, "timeout": timeout}
            return None

        @staticmethod
        def stock_tfp_em(date: str) -> object:
            seen["tfp"] = {"date": date}
            return None

    api = LibraryApi(Module, 7.0)  # type: ignore[arg-type]
    api.query("stock_zh_a_hist", symbol="600000")
    api.query("stock_tfp_em", date="20261120")
    assert seen == {"hist": {"symbol": "600000", "timeout": 7.0},
                    "tfp": {"date": "20261120"}}
    assert "timeout" in inspect.signature(akshare.stock_zh_a_hist).parameters
    assert "timeout" not in inspect.signature(akshare.stock_tfp_em).parameters


def test_memoised_lists_are_read_afresh_on_every_call() -> None:
    assert hasattr(akshare.stock_info_sh_name_code, "cache_clear")  # @lru_cache in 1.19.5
    answers = iter(["first evening", "second evening"])

    class Module:
        @staticmethod
        @functools.lru_cache
        def stock_info_sh_name_code(symbol: str) -> object:
            return next(answers)

    api = LibraryApi(Module, 7.0)  # type: ignore[arg-type]
    assert api.query("stock_info_sh_name_code", symbol="主板A股") == "first evening"
    assert api.query("stock_info_sh_name_code", symbol="主板A股") == "second evening"


@pytest.mark.parametrize("name", sorted(NULL_RESULT_IS_EMPTY))
def test_an_eastmoney_null_result_is_no_rows_and_any_other_failure_is_not(name: str) -> None:
    source = inspect.getsource(getattr(akshare, name))
    assert 'data_json["result"]["' in source  # where the library fails on a null result

    def answer_null(**_params: object) -> object:
        data_json: dict[str, dict[str, int] | None] = {"result": None}
        return data_json["result"]["pages"]  # type: ignore[index]

    def fail(**_params: object) -> object:
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    empty = LibraryApi(SimpleNamespace(**{name: answer_null}), 7.0)  # type: ignore[arg-type]
    assert empty.query(name).empty
    broken = LibraryApi(SimpleNamespace(**{name: fail}), 7.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unsupported operand"):
        broken.query(name)
    other = LibraryApi(SimpleNamespace(stock_zh_a_daily=answer_null), 7.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="NoneType"):  # Sina's factor: not this rule
        other.query("stock_zh_a_daily")


def test_an_akshare_source_takes_no_token() -> None:
    with pytest.raises(ValueError, match="takes no token_env"):
        VendorSource(kind="akshare", token_env="AKSHARE_TOKEN")
