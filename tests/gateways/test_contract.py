"""Runs the gateway contract (contract.py) over every registered adapter's sandbox harness.

A scenario needing a capability the adapter does not declare is skipped, saying which; a registered
provider without a harness fails. Point it at a third-party adapter with CHARGESIDE_CONTRACT_PROVIDER and
CHARGESIDE_CONTRACT_HARNESS (README, "Gateways and capabilities").
"""

from __future__ import annotations

import pytest
from contract import SCENARIOS, HarnessMissing, load_harness, run_scenario, targets, unsupported_candidates, world

from chargeside.gateways.registry import adapter_class

TARGETS = targets()


@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
def test_every_registered_provider_has_a_harness(target):
    try:
        load_harness(target)
    except HarnessMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
def test_contract(target, scenario, workspace, owner, client, tmp_path):
    _run, needs = SCENARIOS[scenario]
    adapter_cls = adapter_class(target.provider)
    missing = [str(c) for c in needs if c not in adapter_cls.capabilities]
    if missing:
        pytest.skip(f"{target.provider} does not declare {', '.join(missing)}")
    if scenario == "unsupported_action" and not unsupported_candidates(adapter_cls):
        pytest.skip(f"{target.provider} declares every capability an action on a charge or a customer needs")
    try:
        load_harness(target)
    except HarnessMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    with world(target, workspace=workspace, member=owner, state_dir=str(tmp_path)) as w:
        run_scenario(scenario, w, client)
