"""The `accounts:` list: each product's own view of the settings, and bad lists refused."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from services.accounts import (
    account_names,
    default_account,
    four_eyes_by_account,
    service_specs,
    split_service,
)
from services.registry import service_class
from services.settings_loader import ConfigError, load_settings

TWO = """mode: paper
approval: {four_eyes_above: "5000000"}
accounts:
  - {name: alpha, initial_cash: "50000000"}
  - name: beta
    initial_cash: "20000000"
    four_eyes_above: "1000000"
    hard_drawdown: 0.25
    ladder: [{drawdown: 0.10, hedge_ratio: 0.5}]
"""


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None):
    path = tmp_path / "desk.yaml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, env=env or {})


def test_no_list_is_the_one_account_desk(tmp_path: Path) -> None:
    settings = _load(tmp_path, "mode: paper\n")
    assert account_names(settings) == ("paper",)
    assert service_specs(settings, ("scheduler", "execution", "risk")) == \
        ["scheduler", "execution", "risk"]
    assert settings.for_account("paper") == settings


def test_each_account_sees_its_own_capital_ladder_and_four_eyes(tmp_path: Path) -> None:
    settings = _load(tmp_path, TWO)
    assert account_names(settings) == ("alpha", "beta") and default_account(settings) == "alpha"
    assert settings.execution.account == "alpha" and settings.risk.account == "alpha"
    beta = settings.for_account("beta")
    assert beta.execution.account == "beta" and beta.risk.account == "beta"
    assert beta.execution.initial_cash == Decimal("20000000")
    assert [r.drawdown for r in beta.risk.ladder] == [0.10] and beta.risk.hard_drawdown == 0.25
    alpha = settings.for_account("alpha")
    assert alpha.risk.ladder == settings.risk.ladder  # the desk's ladder by default
    assert four_eyes_by_account(settings) == {"alpha": Decimal("5000000"),
                                              "beta": Decimal("1000000")}
    assert beta.accounts == settings.accounts  # a view still knows the whole desk


def test_services_per_account(tmp_path: Path) -> None:
    settings = _load(tmp_path, TWO)
    assert service_specs(settings, ("scheduler", "execution", "risk", "console")) == \
        ["scheduler", "execution", "execution@beta", "risk", "risk@beta", "console"]
    assert split_service("execution@beta") == ("execution", "beta")
    assert service_class("risk@beta").__name__ == "RiskService"
    with pytest.raises(KeyError, match="console@beta"):
        service_class("console@beta")


@pytest.mark.parametrize(("text", "expected"), [
    ("accounts: [{name: a}, {name: a}]", "each name once; repeated: ['a']"),
    ("accounts: [{name: 'a b'}]", "accounts.0.name"),
    ("accounts: [{name: a, initial_cash: '-1'}]", "accounts.0.initial_cash"),
    ("accounts: [{name: a, ladder: [{drawdown: 0.3, hedge_ratio: 0.5}, "
     "{drawdown: 0.2, hedge_ratio: 0.6}]}]", "rungs must rise"),
    ("accounts: [{name: a, stock_gateway: {name: XptGateway}}]",
     "key 'accounts.0.stock_gateway.name': unknown gateway 'XptGateway'"),
    ("accounts: [{name: a, stock_gateway: {name: XtpGateway, setting_env: {x: DESK_NOPE}}}]",
     "key 'accounts.0.stock_gateway.setting_env.x' names the environment variable 'DESK_NOPE'"),
    ("accounts: [{name: a, capital: 5}]", "accounts.0.capital"),
])
def test_a_bad_accounts_list_stops_start_up_naming_it(tmp_path: Path, text: str,
                                                      expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, f"mode: paper\n{text}\n")
    assert expected in str(err.value)


def test_an_unknown_account_is_named(tmp_path: Path) -> None:
    settings = _load(tmp_path, TWO)
    with pytest.raises(KeyError, match="unknown account 'gamma'"):
        settings.for_account("gamma")


def test_the_first_accounts_services_run_with_its_own_view(tmp_path: Path) -> None:
    from services.registry import service_settings

    settings = _load(tmp_path, TWO.replace('{name: alpha, initial_cash: "50000000"}',
                                           '{name: alpha, initial_cash: "50000000", '
                                           'ladder: [{drawdown: 0.12, hedge_ratio: 0.4}]}'))
    risk = service_settings("risk", settings)
    assert [r.drawdown for r in risk.risk.ladder] == [0.12]
    assert service_settings("execution", settings).execution.initial_cash == Decimal("50000000")
    assert service_settings("execution@beta", settings).execution.initial_cash == \
        Decimal("20000000")
    assert service_settings("console", settings) is settings
    with pytest.raises(KeyError, match="unknown account 'gamma'"):
        service_settings("risk@gamma", settings)


def test_every_accounts_view_knows_every_accounts_four_eyes(tmp_path: Path) -> None:
    """beta's execution service files alpha's orders too (the intake is shared): its
    queue must give alpha alpha's threshold, not beta's."""
    settings = _load(tmp_path, TWO)
    expected = {"alpha": Decimal("5000000"), "beta": Decimal("1000000")}
    for name in ("alpha", "beta"):
        assert four_eyes_by_account(settings.for_account(name)) == expected


def test_the_demo_makes_accounts_halving_the_capital(tmp_path: Path) -> None:
    from services.accounts import demo_accounts

    desk = _load(tmp_path, "mode: paper\nexecution: {initial_cash: '40000000'}\n")
    settings = demo_accounts(desk, 3)
    assert account_names(settings) == ("paper", "paper-2", "paper-3")
    assert [settings.for_account(n).execution.initial_cash for n in account_names(settings)] == \
        [Decimal("40000000"), Decimal("20000000"), Decimal("10000000")]


def test_demo_accounts_needs_days() -> None:
    from tests.integration.cli_kit import run

    result = run("demo", "--accounts", "2")
    assert result.exit_code == 2 and "--accounts needs --days" in result.output
    result = run("demo", "--days", "2", "--accounts", "9")
    assert result.exit_code == 2 and "--accounts" in result.output
