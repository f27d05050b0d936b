# Run by tools/screenshots.sh inside `odoo shell` (which provides `env`), after tools/demo_account.py:
# a few syncs of the demo portal, as a day of the sync jobs would leave them. Prints the account's id.
import json
import os
import urllib.request
from datetime import datetime, timedelta

from freezegun import freeze_time

env = env  # noqa: F821 - provided by odoo shell
sandbox = os.environ["SANDBOX_URL"]
account = env["hubspot.account"].search([("name", "=", "HubSpot sandbox")], limit=1)
engine = env["hubspot.sync.engine"]


def cycle():
    """Every job of the account once, as the crons would when due."""
    for object_type, direction in account._synced_pairs():
        if direction == "in":
            engine._run_inbound(account, object_type)
        elif account._push_allowed(object_type):
            engine._run_outbound(account, object_type)


def hubspot(method, path, body):
    """A change made in HubSpot (the sandbox's API, as HubSpot's UI would)."""
    request = urllib.request.Request(
        f"{sandbox}{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": "Bearer sandbox-token", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


start = datetime.utcnow().replace(microsecond=0)


def at(minutes):
    """The jobs' clock, ``minutes`` after the first run (ahead of HubSpot's: no change is missed)."""
    return freeze_time(start + timedelta(minutes=minutes), tick=True)


hubspot("POST", "/_sandbox/clock", {"advance": 6})  # the portal was filled a while ago: its search shows it
with at(0):
    cycle()  # the first import: companies wait for review, deals and tickets of known companies come
with at(3):
    pending = env["hubspot.pending.company"].search([("account_id", "=", account.id), ("state", "=", "pending")])
    for company in pending[:4]:  # a salesperson accepts a few: their contacts, deals and tickets follow
        env["hubspot.accept.company"].create({"pending_id": company.id, "mode": "create"}).action_confirm()
    env.cr.commit()
with at(5):
    cycle()
with at(10):
    cycle()  # nothing changed: no row
# Then a company's phone and a deal's stage change in HubSpot; the next cycle brings them.
linked = env["res.partner"].search([("hubspot_account_id", "=", account.id), ("is_company", "=", True)], limit=1)
if linked:
    hubspot("PATCH", f"/crm/objects/2026-03/companies/{linked.hubspot_id}", {"properties": {"phone": "+49 30 5550"}})
deal = env["crm.lead"].search([("hubspot_account_id", "=", account.id)], limit=1)
if deal:
    hubspot("PATCH", f"/crm/objects/2026-03/deals/{deal.hubspot_id}", {"properties": {"dealstage": "closedwon"}})
hubspot("POST", "/_sandbox/clock", {"advance": 6})  # minutes pass: HubSpot's search index shows the changes
with at(15):
    cycle()
with at(20):
    cycle()  # nothing changed: no row
env.cr.commit()
os.write(1, f"{account.id}\n".encode())
