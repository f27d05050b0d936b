"""A HubSpot webhook starts the run of the object type it announces, for every object type: a
signed POST to /hubspot/webhook, then the sync jobs' next tick (their own ir.cron code), whatever
the account's schedule."""

import base64
import hashlib
import hmac
import json
import time
from contextlib import contextmanager

from odoo.tests import HttpCase, tagged

from .test_entry_points import INBOUND, EntryCase

SECRET = "app-client-secret"
# HubSpot's subscription types name the object in the singular: ``line_item.propertyChange``.
SUBSCRIPTION = {
    "companies": "company",
    "contacts": "contact",
    "deals": "deal",
    "tickets": "ticket",
    "products": "product",
    "line_items": "line_item",
}


@tagged("post_install", "-at_install")
class TestWebhookStarts(EntryCase, HttpCase):
    """A change made in HubSpot right after a run, with a daily schedule: the jobs' next tick
    leaves it there, unless HubSpot announced it by webhook."""

    def setUp(self):
        super().setUp()
        self.account.webhook_secret = SECRET  # the app's client secret (Limits page)

    @contextmanager
    def enter_registry_test_mode(self):
        """HttpCase keeps the registry in test mode for the whole class: the jobs' cursors and the
        webhook's request see this test's data already."""
        self.env.flush_all()
        try:
            yield
        finally:
            self.env.invalidate_all()

    def post(self, object_type, object_id):
        """HubSpot's call for a property change of ``object_id``, signed as HubSpot documents its
        v3 signature: base64 of the HMAC-SHA256, keyed by the app's secret, of the method, the
        URI, the body and the timestamp (computed here, not with the connector's code)."""
        now_ms = int(time.time() * 1000)
        event = {
            "eventId": 1,
            "subscriptionId": 7,
            "portalId": int(self.account.portal_id),
            "occurredAt": now_ms,
            "subscriptionType": f"{SUBSCRIPTION[object_type]}.propertyChange",
            "propertyName": "hs_lastmodifieddate",
            "objectId": int(object_id),
            "attemptNumber": 0,
        }
        body = json.dumps([event]).encode()
        timestamp = str(now_ms)
        message = b"POST" + f"{self.base_url()}/hubspot/webhook".encode() + body + timestamp.encode()
        signature = base64.b64encode(hmac.new(SECRET.encode(), message, hashlib.sha256).digest()).decode()
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Request-Timestamp": timestamp,
            "X-HubSpot-Signature-v3": signature,
        }
        return self.url_open("/hubspot/webhook", data=body, headers=headers)

    def webhook_brings(self, object_type):
        attr, change, field, expected = INBOUND[object_type]
        record = getattr(self, attr)
        target = self.odoo_record(object_type, record)
        self.assertTrue(target, f"the first run imported the {object_type} record")
        before = target[field]
        self.assertNotEqual(before, expected)
        self.state.advance(seconds=1)
        self.state.update_record(object_type, record["id"], change)
        self.state.clear_log()
        self.run_crons()  # the daily schedule alone: not due before tomorrow
        self.assertEqual(self.state.stats()["total"], 0, "no job asked HubSpot anything")
        self.assertEqual(target[field], before)

        self.assertEqual(self.post(object_type, record["id"]).status_code, 204)
        self.run_crons()
        self.assertEqual(target[field], expected, f"the {object_type} change arrived with the webhook")
        searched = {op.split(".")[0] for op in self.state.stats()["by_operation"] if op.endswith(".search")}
        self.assertEqual(searched, {object_type}, "the job of the type HubSpot announced ran, and no other")
        run = self.runs(object_type).filtered(lambda r: r.direction == "in")[:1]
        self.assertEqual((run.state, run.updated_count), ("done", 1), run.message)

    def test_company(self):
        self.webhook_brings("companies")

    def test_contact(self):
        self.webhook_brings("contacts")

    def test_deal(self):
        self.webhook_brings("deals")

    def test_ticket(self):
        self.webhook_brings("tickets")

    def test_product(self):
        self.webhook_brings("products")

    def test_line_item(self):
        self.webhook_brings("line_items")
