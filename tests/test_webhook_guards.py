"""A webhook wakes the import of what HubSpot announces. An object type the account only pushes
(Odoo → HubSpot) has nothing to import: HubSpot's events about it change nothing, and its
pushes keep the account's schedule."""

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import SandboxMixin

SECRET = "push-only-app-secret"


@tagged("post_install", "-at_install")
class TestPushOnlyTypesIgnoreWebhooks(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.state = cls.sandbox.state
        cls.account = cls.env["hubspot.account"].create(
            {
                "name": "Push-only contacts",
                "api_base_url": cls.sandbox.url,
                "access_token": "sandbox-token",
                "portal_id": str(cls.state.portal_id),
                "sync_companies": False,
                "contacts_direction": "out",
                "sync_interval": "1440",  # daily
                "webhook_secret": SECRET,
            }
        )
        cls.account.state = "running"
        cls.engine = cls.env["hubspot.sync.engine"]

    def setUp(self):
        super().setUp()
        patcher = patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: float("inf"))
        patcher.start()
        self.addCleanup(patcher.stop)
        company = self.env["res.partner"].create({"name": "Acme GmbH", "is_company": True})
        self.ada = self.env["res.partner"].create(
            {"name": "Ada Lovelace", "email": "ada@acme.example", "phone": "+49 1", "parent_id": company.id}
        )
        self.start = datetime.now().replace(microsecond=0)
        self.tick(timedelta(0))  # the first push
        self.assertTrue(self.ada.hubspot_linked, "pushed to HubSpot")

    def tick(self, delta):
        with freeze_time(self.start + delta):
            self.engine._cron_sync("contacts")

    def hubspot_phone(self):
        return self.state.get_record("contacts", self.ada.hubspot_id)["properties"].get("phone")

    def post(self, events):
        """A webhook call signed as HubSpot signs it (v3: method, URL, body, timestamp)."""
        body = json.dumps(events).encode()
        url = f"{self.base_url()}/hubspot/webhook"
        timestamp = str(int(time.time() * 1000))
        digest = hmac.new(SECRET.encode(), b"POST" + url.encode() + body + timestamp.encode(), hashlib.sha256)
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Request-Timestamp": timestamp,
            "X-HubSpot-Signature-v3": base64.b64encode(digest.digest()).decode(),
        }
        return self.url_open("/hubspot/webhook", data=body, headers=headers)

    def test_a_contact_event_does_not_bring_the_daily_push_forward(self):
        self.ada.phone = "+49 2"
        event = {
            "eventId": 1,
            "subscriptionId": 7,
            "portalId": int(self.state.portal_id),
            "occurredAt": int(time.time() * 1000),
            "subscriptionType": "contact.propertyChange",
            "propertyName": "phone",
            "objectId": int(self.ada.hubspot_id),
            "attemptNumber": 0,
        }
        self.assertEqual(self.post([event]).status_code, 204)
        for minutes in (5, 10, 60):
            self.tick(timedelta(minutes=minutes))
            self.assertEqual(self.hubspot_phone(), "+49 1", f"daily: not pushed after {minutes} minutes")
        self.assertFalse(self.account._sync_due("contacts"))
        self.tick(timedelta(days=1, minutes=1))
        self.assertEqual(self.hubspot_phone(), "+49 2", "pushed with the schedule")
