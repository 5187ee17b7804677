"""`python -m chargeside.sandbox.zendesk --port 8765 --app-url http://127.0.0.1:8000/desk/zendesk/<token>/`:
a Zendesk simulator with one agent and one ticket; it prints the public key to paste into the connection."""

from __future__ import annotations

import argparse

from .simulator import ZendeskSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--app-url", default="")
    args = parser.parse_args()
    sim = ZendeskSimulator(app_url=args.app_url)
    agent = sim.add_user(name="Sam Agent", email="sam@acme.test", role="agent", user_id=42)
    jane = sim.add_user(name="Ayşe Yılmaz", email="ayse.yilmaz@example.com")
    ticket = sim.add_ticket(requester=jane, subject="Charged twice for order #1001", message="Please refund one.")
    sim.start(args.port)
    print(sim.public_key_pem)
    print(f"Ticket page: {sim.ticket_url(ticket, agent['id'])}")
    sim.wait()


if __name__ == "__main__":
    main()
