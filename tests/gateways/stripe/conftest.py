"""Stripe adapter tests: captured payloads in fixtures/ (one JSON file per object or event), strict mapping.

No Django here: run with `pytest tests/gateways/stripe -p no:django`.
"""

from __future__ import annotations

import json
import pathlib

import pytest

from chargeside.gateways.stripe import mapping

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(autouse=True)
def strict_mapping(monkeypatch):
    # In tests an unknown Stripe status must fail loudly instead of falling back.
    monkeypatch.setattr(mapping, "STRICT", True)


@pytest.fixture
def payload():
    """`payload("charge_refunded")` → the captured JSON object from fixtures/charge_refunded.json."""
    return load
