"""`python -m chargeside.sandbox.freshdesk --host 127.0.0.1:8000 --token T --secret S [--port 12410]`: a
Freshdesk simulator with one agent and one ticket per --email, for clicking through by hand. The app's
iparams are what you would enter installing it: our host, the connection token and its secret."""

from __future__ import annotations

import argparse

from .simulator import FreshdeskSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True, help="Chargeside's host[:port] (the chargeside_host iparam)")
    parser.add_argument("--token", required=True, help="the Freshdesk connection's token (/desk/freshdesk/<token>/)")
    parser.add_argument("--secret", required=True, help="the connection's installation secret")
    parser.add_argument("--api-key", default="fd_api_key", help="the API key Chargeside posts notes with")
    parser.add_argument("--port", type=int, default=12410)
    parser.add_argument("--agent-email", default="sam@example.com")
    parser.add_argument("--email", action="append", default=[], help="a requester to open a ticket for")
    args = parser.parse_args()
    sim = FreshdeskSimulator(api_key=args.api_key, iparams={
        "chargeside_host": args.host, "connection_token": args.token, "chargeside_secret": args.secret})
    agent = sim.add_agent(name="Sam Agent", email=args.agent_email)
    for email in args.email or ["ayse.yilmaz@example.com"]:
        sim.add_ticket(email=email, subject="Charged twice?", description="Hello, I think I was charged twice this month.")
    base = sim.start(args.port)
    for ticket in sim.state.tickets.values():
        print(f"Freshdesk ticket: {sim.ticket_url(ticket, agent['id'])}")
    print(f"Notes API at {base} (API key {sim.api_key}); Ctrl-C to stop.")
    try:
        sim.wait()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
