"""Way 1: the example plug-in package (examples/chargeside-example-gateway) is found through its
`chargeside.gateways` entry point, without installing anything, and passes the gateway contract suite
pointed at its own harness by CHARGESIDE_CONTRACT_PROVIDER / CHARGESIDE_CONTRACT_HARNESS."""

from __future__ import annotations

import pytest
from contract import SCENARIOS, ContractTarget, load_harness, run_scenario, targets, world

from chargeside.gateways import registry

HARNESS_PATH = "chargeside_example_gateway.harness:ExampleHarness"


def test_the_registry_sees_the_entry_point(example_plugin):
    from chargeside_example_gateway.adapter import ExampleAdapter

    found = registry.adapters()
    assert found["example"] is ExampleAdapter
    assert registry.adapter_class("example").display_name == "Example Pay"
    assert {"stripe", "custom_http"} <= found.keys()


def test_without_the_entry_point_it_is_unknown():
    registry.adapters.cache_clear()
    try:
        with pytest.raises(LookupError, match="No gateway adapter is registered as 'example'"):
            registry.adapter_class("example")
    finally:
        registry.adapters.cache_clear()


@pytest.fixture
def pointed(example_plugin, monkeypatch):
    monkeypatch.setenv("CHARGESIDE_CONTRACT_PROVIDER", "example")
    monkeypatch.setenv("CHARGESIDE_CONTRACT_HARNESS", HARNESS_PATH)


def test_the_suite_finds_the_plugin_harness(pointed):
    found = {target.provider: target for target in targets()}
    assert found["example"] == ContractTarget("example", HARNESS_PATH)
    assert load_harness(found["example"]).__name__ == "ExampleHarness"


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_contract_over_the_example_plugin(pointed, scenario, workspace, owner, client, tmp_path):
    (target,) = [target for target in targets() if target.provider == "example"]
    with world(target, workspace=workspace, member=owner, state_dir=str(tmp_path)) as w:
        run_scenario(scenario, w, client)
