"""The custom HTTP gateway's sandbox: the reference server in examples/custom_gateway_server/, run in a thread.

`reference_server()` imports that file by path (it is a standalone script, not part of the package) and
returns its module; `harness.py` is what the contract suite uses.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

SERVER_PATH = Path(__file__).resolve().parents[3] / "examples" / "custom_gateway_server" / "server.py"
MODULE_NAME = "chargeside_custom_gateway_reference_server"


@cache
def reference_server():
    """The reference server module (from a source checkout: examples/ is not installed with the package)."""
    if not SERVER_PATH.is_file():
        raise ImportError(f"The custom gateway reference server is not at {SERVER_PATH} (it ships in the source tree's examples/).")
    spec = importlib.util.spec_from_file_location(MODULE_NAME, SERVER_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module  # before running it, as an import would
    spec.loader.exec_module(module)
    return module
