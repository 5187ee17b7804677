"""``python -m chargeside.sandbox.stripe --state PATH --port 12111 [--seed-customers N]``

Seeds the state file if asked, then serves the fake in the foreground on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import sys

from .fake import StripeFake
from .seed import seed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chargeside.sandbox.stripe", description=__doc__)
    parser.add_argument("--state", help="SQLite state file (default: temporary, discarded on exit)")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--host", default="127.0.0.1", help="loopback only: 127.0.0.1, localhost or ::1")
    parser.add_argument("--seed-customers", type=int, default=None, metavar="N",
                        help="seed N generated customers (plus catalogue and demo data) before serving")
    parser.add_argument("--rng-seed", type=int, default=42)
    parser.add_argument("--api-key", action="append", dest="api_keys",
                        help="accept only this key (repeatable); default: any sk_test_/rk_test_ key")
    parser.add_argument("--no-serve", action="store_true", help="seed and exit")
    args = parser.parse_args(argv)

    fake = StripeFake(args.state, set(args.api_keys) if args.api_keys else None)
    try:
        if args.seed_customers is not None:
            def progress(done: int, total: int) -> None:
                print(f"\rseeding {done}/{total} customers", end="", file=sys.stderr, flush=True)

            summary = seed(fake, args.seed_customers, rng_seed=args.rng_seed, progress=progress)
            print(file=sys.stderr)
            print("seeded: " + ", ".join(f"{k}={v}" for k, v in summary.items()), file=sys.stderr)
        if args.no_serve:
            return 0
        print(f"Stripe sandbox on http://{'127.0.0.1' if args.host == 'localhost' else args.host}:{args.port} "
              f"(state: {args.state or 'temporary'})", file=sys.stderr, flush=True)
        fake.serve_forever(args.port, args.host)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
