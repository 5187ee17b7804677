"""`python -m chargeside.sandbox.crisp --widget URL --website-id ID --token T [--port 12500]`: a Crisp simulator
with one operator and one conversation per --email, for clicking through by hand."""

from __future__ import annotations

import argparse

from .simulator import CrispSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--widget", required=True, help="the helpdesk connection's widget URL (/desk/crisp/<token>/)")
    parser.add_argument("--website-id", required=True)
    parser.add_argument("--token", required=True, help="the website's plugin token (the connection's widget token)")
    parser.add_argument("--port", type=int, default=12500)
    parser.add_argument("--operator-email", default="", help="filled into the {operator.email} binding")
    parser.add_argument("--locale", default="en")
    parser.add_argument("--email", action="append", default=[], help="a visitor to open a conversation for")
    args = parser.parse_args()
    sim = CrispSimulator(widget_url=args.widget, website_id=args.website_id, widget_token=args.token, locale=args.locale)
    operator = sim.add_operator(first_name="Sam", last_name="Agent", email=args.operator_email)
    for email in args.email or ["ayse.yilmaz@example.com"]:
        sim.add_conversation(email=email, nickname=email.split("@")[0], message="Hello, I think I was charged twice this month.")
    base = sim.start(args.port)
    for conversation in sim.conversations.values():
        print(f"Crisp conversation: {sim.inbox_url(conversation, operator)}")
    print(f"REST API at {base} (plugin token {sim.identifier}:{sim.key}); Ctrl-C to stop.")
    try:
        sim.wait()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
