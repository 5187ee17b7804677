"""`python -m chargeside.sandbox.intercom --app URL --secret S [--token T] [--port 12410]`: an Intercom Inbox
with one teammate and one conversation per --email, for clicking through by hand."""

from __future__ import annotations

import argparse

from .simulator import IntercomSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", required=True, help="the connection's Initialize URL (/desk/intercom/<token>/)")
    parser.add_argument("--secret", required=True, help="the connection's client secret")
    parser.add_argument("--token", default="ic-sim-token", help="the access token the connection sends for notes")
    parser.add_argument("--port", type=int, default=12410)
    parser.add_argument("--admin-email", default="agent@example.com", help="the teammate's email (map it to a member)")
    parser.add_argument("--locale", default="en")
    parser.add_argument("--email", action="append", default=[], help="a customer to open a conversation for")
    args = parser.parse_args()
    initialize = args.app.rstrip("/") + "/"
    sim = IntercomSimulator(initialize_url=initialize, submit_url=initialize + "submit/", client_secret=args.secret,
                            access_token=args.token, locale=args.locale)
    admin = sim.add_admin(name="Sam Agent", email=args.admin_email)
    for email in args.email or ["ayse.yilmaz@example.com"]:
        sim.add_conversation(email=email, title="Charged twice?", message="Hello, I think I was charged twice this month.")
    base = sim.start(args.port)
    for conversation in sim.state.conversations.values():
        print(f"Intercom conversation: {sim.conversation_url(conversation, admin['id'])}")
    print(f"REST API at {base} (access token {args.token}, admin id {admin['id']}); Ctrl-C to stop.")
    try:
        sim.wait()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
