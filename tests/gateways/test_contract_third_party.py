"""The contract suite pointed at a third-party adapter (installed through its entry point) by environment
variables, and its failure when a registered provider has no harness."""

from __future__ import annotations

import pytest
from contract import SCENARIOS, ContractTarget, HarnessMissing, load_harness, run_scenario, targets, unsupported_candidates, world
from contract_limited_gateway import KEY, LimitedStripeAdapter, LimitedStripeHarness, installed_plugin

HARNESS_PATH = "contract_limited_gateway:LimitedStripeHarness"


@pytest.fixture
def plugin(tmp_path):
    with installed_plugin(tmp_path / "site"):
        yield


@pytest.fixture
def pointed(plugin, monkeypatch):
    monkeypatch.setenv("CHARGESIDE_CONTRACT_PROVIDER", KEY)
    monkeypatch.setenv("CHARGESIDE_CONTRACT_HARNESS", HARNESS_PATH)


def test_the_environment_adds_the_third_party_target(pointed):
    found = {target.provider: target for target in targets()}
    assert found[KEY] == ContractTarget(KEY, HARNESS_PATH)
    assert "stripe" in found and found["stripe"].harness_path == ""
    assert load_harness(found[KEY]) is LimitedStripeHarness


def test_half_a_configuration_is_an_error(plugin, monkeypatch):
    monkeypatch.setenv("CHARGESIDE_CONTRACT_PROVIDER", KEY)
    with pytest.raises(HarnessMissing, match="CHARGESIDE_CONTRACT_HARNESS"):
        targets()


def test_a_registered_provider_without_a_harness_fails_clearly(plugin):
    target = next(target for target in targets() if target.provider == KEY)  # registered, no env: the built-in convention
    with pytest.raises(HarnessMissing) as missing:
        load_harness(target)
    assert f"'{KEY}' is registered but has no contract harness at chargeside.sandbox.{KEY}.harness" in str(missing.value)


def test_a_harness_for_another_provider_is_refused(plugin):
    with pytest.raises(HarnessMissing, match="serves 'stripe'"):
        load_harness(ContractTarget(KEY, "chargeside.sandbox.stripe.harness:StripeHarness"))


def test_the_unsupported_scenario_picks_an_undeclared_action():
    assert unsupported_candidates(LimitedStripeAdapter)[0] == "capture"


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_contract_over_the_third_party_adapter(pointed, scenario, workspace, owner, client, tmp_path):
    (target,) = [target for target in targets() if target.provider == KEY]
    _run, needs = SCENARIOS[scenario]
    assert all(c in LimitedStripeAdapter.capabilities for c in needs)  # every scenario applies: none is skipped
    with world(target, workspace=workspace, member=owner, state_dir=str(tmp_path)) as w:
        run_scenario(scenario, w, client)
