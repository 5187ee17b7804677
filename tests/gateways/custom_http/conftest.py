"""Custom HTTP gateway tests: the reference server (examples/custom_gateway_server) on loopback, the adapter
pointed at it, a connection of the test workspace, and the example plug-in installed through an entry point.

The signing vectors are written here as literals (checked with `openssl dgst -sha256 -hmac`), not computed
by the code under test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SECRET = "cs_shared_secret_example_0123456789"
REPO = Path(__file__).resolve().parents[3]
EXAMPLE_PACKAGE = REPO / "examples" / "chargeside-example-gateway"
# The contract suite's module (tests/gateways/contract.py), imported by name as its own tests do.
if str(REPO / "tests" / "gateways") not in sys.path:
    sys.path.insert(0, str(REPO / "tests" / "gateways"))


@pytest.fixture
def reference():
    """The reference server's module (a standalone script in examples/, imported by path)."""
    from chargeside.sandbox.custom_http import reference_server

    return reference_server()


@pytest.fixture
def billing_server(reference):
    """A fresh, seeded reference server on a free loopback port (webhooks kept in memory, not delivered)."""
    server = reference.ReferenceServer(secrets=[SECRET]).start()
    yield server
    server.stop()


@pytest.fixture
def custom_adapter(billing_server):
    from chargeside.gateways.custom_http.adapter import CustomHttpAdapter

    return CustomHttpAdapter(settings={"base_url": billing_server.base_url}, credentials={"secret": SECRET})


@pytest.fixture
def custom_connection(workspace, billing_server):
    from chargeside.connections.models import Connection

    connection = Connection(workspace=workspace, provider="custom_http", name="Own billing", settings={"base_url": billing_server.base_url})
    connection.set_credentials({"secret": SECRET})
    connection.save()
    return connection


@pytest.fixture
def example_plugin(tmp_path):
    """The example package made importable and its `chargeside.gateways` entry point installed, as `pip install`
    would (a dist-info folder with entry_points.txt on sys.path), for the test's duration."""
    from chargeside.gateways import registry

    dist = tmp_path / "site" / "chargeside_example_gateway-1.0.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: chargeside-example-gateway\nVersion: 1.0.0\n")
    # The same line as the package's pyproject.toml, read from it so the two cannot drift apart.
    pyproject = (EXAMPLE_PACKAGE / "pyproject.toml").read_text()
    line = next(text for text in pyproject.splitlines() if text.startswith("example = "))
    (dist / "entry_points.txt").write_text(f"[chargeside.gateways]\n{line.replace(chr(34), '')}\n")
    added = [str(tmp_path / "site"), str(EXAMPLE_PACKAGE)]
    sys.path[:0] = added
    registry.adapters.cache_clear()
    yield
    for entry in added:
        sys.path.remove(entry)
    registry.adapters.cache_clear()
