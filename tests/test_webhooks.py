"""Webhooks: HubSpot's signed calls wake the sync of the object types they announce."""

import json
import time
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from ..models.hubspot_webhook_notice import signature_v3
from .common import SandboxMixin

SECRET = "app-client-secret"


@tagged("post_install", "-at_install")
class TestWebhooks(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.state = cls.sandbox.state
        cls.account = cls.env["hubspot.account"].create(
            {
                "name": "Webhook portal",
                "api_base_url": cls.sandbox.url,
                "access_token": "sandbox-token",
                "portal_id": "12345678",
                "sync_interval": "1440",  # daily: only a webhook makes it sync sooner
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
        self.acme = self.state.add_record("companies", {"name": "Acme GmbH", "domain": "acme.example"})
        self.settle()
        self.engine._cron_sync("companies")  # the first import, done
        self.partner = self.env["res.partner"].search([("hubspot_id", "=", self.acme["id"])])

    def post(self, events, secret=SECRET, age_seconds=0):
        body = json.dumps(events).encode()
        url = f"{self.base_url()}/hubspot/webhook"
        timestamp = str(int((time.time() - age_seconds) * 1000))
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Request-Timestamp": timestamp,
            "X-HubSpot-Signature-v3": signature_v3(secret, "POST", url, body, timestamp),
        }
        return self.url_open("/hubspot/webhook", data=body, headers=headers)

    def event(self, subscription_type, object_id, **extra):
        return dict(
            {
                "eventId": 1,
                "subscriptionId": 7,
                "portalId": 12345678,
                "occurredAt": int(time.time() * 1000),
                "subscriptionType": subscription_type,
                "objectId": int(object_id),
                "attemptNumber": 0,
            },
            **extra,
        )

    def test_a_change_in_hubspot_syncs_now_whatever_the_schedule(self):
        new = self.state.add_record("companies", {"name": "Nordlicht Oy", "domain": "nordlicht.example"})
        self.engine._cron_sync("companies")
        self.assertFalse(self.env["res.partner"].search([("hubspot_id", "=", new["id"])]), "daily: not yet")
        cron = self.env.ref("hubspot_connector.ir_cron_sync_companies")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        response = self.post([self.event("company.creation", new["id"])])
        self.assertEqual(response.status_code, 204)
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers)
        self.settle()  # HubSpot's search index shows the change by then (see the test below when it does not)
        self.engine._cron_sync("companies")  # what the woken job does
        self.assertTrue(self.env["res.partner"].search([("hubspot_id", "=", new["id"])]))
        self.assertTrue(self.account._sync_due("companies"), "a change this recent: the next tick looks again")
        with freeze_time(datetime.now() + timedelta(minutes=5)):
            self.engine._cron_sync("companies")
        self.assertFalse(self.env["hubspot.webhook.notice"].search([("account_id", "=", self.account.id)]))
        self.assertFalse(self.account._sync_due("companies"), "back to the schedule")

    def test_a_change_the_index_does_not_show_yet_arrives_at_the_next_tick(self):
        """HubSpot may call before its search index shows the change ("a few moments")."""
        new = self.state.add_record("companies", {"name": "Nordlicht Oy", "domain": "nordlicht.example"})
        self.assertEqual(self.post([self.event("company.creation", new["id"])]).status_code, 204)
        self.engine._cron_sync("companies")  # the woken job, at once
        partner = self.env["res.partner"].with_context(active_test=False)
        self.assertFalse(partner.search([("hubspot_id", "=", new["id"])]), "not in HubSpot's search yet")
        with freeze_time(datetime.now() + timedelta(minutes=5)):  # the job's next tick; the account is daily
            self.engine._cron_sync("companies")
        self.assertEqual(partner.search([("hubspot_id", "=", new["id"])]).name, "Nordlicht Oy")
        self.assertFalse(self.env["hubspot.webhook.notice"].search([("account_id", "=", self.account.id)]))
        self.assertFalse(self.account._sync_due("companies"), "back to the schedule")

    def test_an_event_time_that_makes_no_sense_counts_as_now(self):
        times = ["soon", None, 10**30, -1]  # HubSpot's clock is not trusted beyond the signature
        events = [self.event("company.propertyChange", self.acme["id"], occurredAt=t) for t in times]
        with self.assertNoLogs("odoo.addons.hubspot_connector", level="WARNING"):
            self.assertEqual(self.post(events).status_code, 204)
        self.assertTrue(self.account._sync_due("companies"))
        with freeze_time(datetime.now() + timedelta(minutes=5)):
            self.engine._cron_sync("companies")
        self.assertFalse(self.account._sync_due("companies"), "done at the next tick, not left for ever")

    def test_a_deletion_in_hubspot_unlinks_at_once(self):
        self.state.archive_record("companies", self.acme["id"])
        self.assertEqual(self.post([self.event("company.deletion", self.acme["id"])]).status_code, 204)
        self.engine._cron_sync("companies")
        self.assertEqual((self.partner.hubspot_linked, self.partner.hubspot_unlink_reason), (False, "deleted"))
        self.assertTrue(self.partner.exists(), "unlinked, never deleted")

    def test_a_gdpr_deletion_unlinks_at_once(self):
        anna = self.state.add_record("contacts", {"email": "anna@acme.example", "firstname": "Anna"})
        bert = self.state.add_record("contacts", {"email": "bert@acme.example", "firstname": "Bert"})
        self.settle()
        self.engine._cron_sync("contacts")
        Partner = self.env["res.partner"]
        person, other = (
            Partner.search([("hubspot_id", "=", r["id"]), ("hubspot_object_type", "=", "contacts")])
            for r in (anna, bert)
        )
        self.state.delete_permanently("contacts", anna["id"])  # no recycle bin: no archived listing shows it
        self.state.clear_log()
        events = [self.event("contact.privacyDeletion", anna["id"]), self.event("contact.deletion", anna["id"])]
        self.assertEqual(self.post(events).status_code, 204)
        self.engine._cron_sync("contacts")
        self.assertEqual((person.hubspot_linked, person.hubspot_unlink_reason), (False, "deleted"))
        self.assertTrue(person.exists() and other.hubspot_linked)
        self.assertEqual(self.state.stats()["by_operation"]["contacts.batch_read"], 1, "only the announced id")

    def test_unsigned_forged_or_stale_calls_are_refused(self):
        events = [self.event("company.propertyChange", self.acme["id"], propertyName="name")]
        for response in (
            self.post(events, secret="not-the-secret"),
            self.post(events, age_seconds=600),
            self.url_open("/hubspot/webhook", data=json.dumps(events), headers={"Content-Type": "application/json"}),
            self.post([dict(events[0], portalId=999)]),  # a portal no account syncs
        ):
            self.assertEqual(response.status_code, 401)
        self.assertFalse(self.env["hubspot.webhook.notice"].search([]))
        self.assertFalse(self.account._sync_due("companies"))
        self.assertEqual(self.url_open("/hubspot/webhook", data=b"{not json").status_code, 401, "headers first")
