"""`python -m chargeside.sandbox.helpscout --callback URL --secret S [--port 12400] [--freescout]`: a simulator
with one agent and one conversation per --email, for clicking through by hand."""

from __future__ import annotations

import argparse

from .simulator import HelpScoutSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--callback", required=True, help="the helpdesk connection's callback URL (/desk/helpscout/<token>/)")
    parser.add_argument("--secret", required=True, help="the connection's secret key")
    parser.add_argument("--port", type=int, default=12400)
    parser.add_argument("--freescout", action="store_true")
    parser.add_argument("--agent-email", default="", help="sent as user.email (Help Scout itself sends none)")
    parser.add_argument("--email", action="append", default=[], help="a customer to open a conversation for")
    args = parser.parse_args()
    sim = HelpScoutSimulator(callback_url=args.callback, secret_key=args.secret, flavour="freescout" if args.freescout else "helpscout")
    user = sim.add_user(fname="Sam", lname="Agent", email=args.agent_email)
    for email in args.email or ["ayse.yilmaz@example.com"]:
        sim.add_conversation(email=email, subject="Charged twice?", message="Hello, I think I was charged twice this month.")
    base = sim.start(args.port)
    for conversation in sim.state.conversations.values():
        print(f"{sim.product} conversation: {sim.conversation_url(conversation, user['id'])}")
    print(f"Note API at {base} (client id {sim.client_id}, secret {sim.client_secret}); Ctrl-C to stop.")
    try:
        sim.wait()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
