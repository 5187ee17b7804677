"""Example Pay: a worked example of a Chargeside gateway plug-in (docs/custom-gateways.md, "Way 1").

- adapter.py  ExampleAdapter, registered through the `chargeside.gateways` entry point as "example"
- fake.py     a stateful, in-memory Example Pay API on 127.0.0.1 (standard library only)
- harness.py  ExampleHarness: the fake as Chargeside's gateway contract suite sees it
"""
