"""`python -m chargeside.sandbox.hubspot --card URL --secret S [--port 12420]`: a simulator with one user and one
contact per --email, for clicking through by hand. Point the HubSpot connection's api_base_url at it."""

from __future__ import annotations

import argparse
import threading

from .simulator import HubSpotSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--card", required=True, help="the helpdesk connection's card URL (/desk/hubspot/<token>/)")
    parser.add_argument("--secret", required=True, help="the connection's app client secret")
    parser.add_argument("--token", default="hs-sim-access-token", help="the access token the notes API accepts")
    parser.add_argument("--portal", type=int, default=62515)
    parser.add_argument("--port", type=int, default=12420)
    parser.add_argument("--agent-email", default="agent@example.com")
    parser.add_argument("--email", action="append", default=[], help="a contact to create")
    args = parser.parse_args()
    sim = HubSpotSimulator(card_url=args.card, client_secret=args.secret, portal_id=args.portal, access_token=args.token)
    user = sim.add_user(email=args.agent_email, first="Sam", last="Agent")
    records = [sim.add_contact(email=email, firstname="Ayşe", lastname="Yılmaz") for email in args.email or ["ayse.yilmaz@example.com"]]
    base = sim.start(args.port)
    for record in records:
        print(f"HubSpot contact: {sim.record_url(record, user['id'])}")
    print(f"Notes API at {base} (Bearer {args.token}); Ctrl-C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
