"""`python -m chargeside.sandbox.front --plugin URL --auth-secret S [--api-token T] [--port 12500]`: a Front
simulator with one teammate and one conversation per --email, for clicking through by hand. Point the Front
connection's api_base_url at the printed address for comments."""

from __future__ import annotations

import argparse

from .simulator import FrontSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plugin", required=True, help="the connection's plugin URL (/desk/front/<token>/plugin/)")
    parser.add_argument("--auth-secret", required=True, help="the connection's plugin auth secret")
    parser.add_argument("--api-token", default="front-api-token")
    parser.add_argument("--port", type=int, default=12500)
    parser.add_argument("--teammate-email", default="sam@acme.test")
    parser.add_argument("--email", action="append", default=[], help="a customer to open a conversation for")
    args = parser.parse_args()
    sim = FrontSimulator(plugin_url=args.plugin, auth_secret=args.auth_secret, api_token=args.api_token)
    teammate = sim.add_teammate(name="Sam Agent", email=args.teammate_email)
    for email in args.email or ["ayse.yilmaz@example.com"]:
        sim.add_conversation(email=email, subject="Charged twice?", message="Hello, I think I was charged twice this month.")
    base = sim.start(args.port)
    for conversation in sim.conversations.values():
        print(f"Front conversation: {sim.conversation_url(conversation, teammate['id'])}")
    print(f"Core API at {base} (token {sim.api_token}); Ctrl-C to stop.")
    try:
        sim.wait()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
