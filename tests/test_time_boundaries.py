"""Time crosses the real boundaries: HubSpot's search index lag, the schedules, the deletion
checks, the owners' refresh and the webhook's 5-minute window, each tested on both sides of
its boundary with freezegun (Odoo's clock) and the sandbox's clock (HubSpot's) moving together."""

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import InboundCase, SandboxMixin

START = datetime(2026, 11, 22, 10, 0)  # naive UTC, as Odoo's clock


class ClockCase(InboundCase):
    def setUp(self):
        super().setUp()
        self.state.freeze(START - timedelta(minutes=1))  # what the test writes in HubSpot first, a minute before

    def at(self, delta, object_type="companies"):
        """Odoo and HubSpot at ``START + delta``; the sync job's tick there (``_cron_sync``)."""
        moment = START + delta
        self.state.freeze(moment)
        with freeze_time(moment):
            self.engine._cron_sync(object_type)

    def run_at(self, delta, object_type="companies"):
        """An inbound run at ``START + delta`` whatever the schedule (a 5-minute account's
        ticks are not where a check's interval ends)."""
        moment = START + delta
        self.state.freeze(moment)
        with freeze_time(moment):
            return self.sync(object_type, at_once=True)

    def linked(self, record, object_type="companies"):
        partner = self.partner(record, object_type)
        return partner.exists() and (partner.hubspot_linked, partner.hubspot_unlink_reason)


@tagged("post_install", "-at_install")
class TestIndexLag(ClockCase):
    def test_a_change_the_index_does_not_show_yet_arrives_with_the_next_run(self):
        """HubSpot's index showed a later change first: the run that saw only the later one
        must not move its checkpoint past the earlier one (kept below "run start minus the lag")."""
        self.state.freeze(START - timedelta(seconds=6))
        early = self.hs_company("Early GmbH")
        self.state.delay_indexing("companies", early["id"], 10)  # shows 4 s after the run starts
        self.state.advance(seconds=1)
        late = self.hs_company("Late Oy")  # shows before the run starts
        self.state.freeze(START)
        with freeze_time(START):
            run = self.sync(at_once=True)
        self.assertEqual(run.created_count, 1)
        self.assertEqual(self.partner(late).name, "Late Oy")
        self.assertFalse(self.partner(early), "not in HubSpot's search yet")

        self.state.freeze(START + timedelta(minutes=5))
        with freeze_time(START + timedelta(minutes=5)):
            run = self.sync(at_once=True)  # the next tick
        self.assertEqual(self.partner(early).name, "Early GmbH", "found by the next run")
        self.assertEqual((run.created_count, run.updated_count), (1, 0), "the later one is not written again")


@tagged("post_install", "-at_install")
class TestScheduleBoundaries(ClockCase):
    def assert_schedule(self, interval, before, after):
        """A company made in HubSpot after a run arrives at the first tick the account is due."""
        self.configure(sync_interval=interval)
        self.at(timedelta(0))
        nordlicht = self.hs_company("Nordlicht Oy")
        self.at(before)
        self.assertFalse(self.partner(nordlicht), f"not due after {before}")
        self.at(after)
        self.assertEqual(self.partner(nordlicht).name, "Nordlicht Oy", f"due after {after}")

    def test_hourly_account_runs_after_an_hour_not_before(self):
        self.assert_schedule("60", timedelta(minutes=59), timedelta(minutes=61))

    def test_daily_account_runs_after_a_day_not_before(self):
        self.assert_schedule("1440", timedelta(hours=23, minutes=59), timedelta(days=1, minutes=1))


@tagged("post_install", "-at_install")
class TestDeletionCheckBoundaries(ClockCase):
    """Deletions find no change to search for: the recycle bin is read hourly; permanent
    (GDPR) deletions, which skip it, are found by the daily batch read of the linked ids."""

    def setUp(self):
        super().setUp()
        self.acme = self.hs_company("Acme GmbH")
        self.other = self.hs_company("Other AG")
        self.run_at(timedelta(0))  # the first import
        self.assertEqual(self.linked(self.acme), (True, False))

    def test_archived_in_hubspot_unlinks_after_an_hour_not_before(self):
        self.state.freeze(START + timedelta(minutes=1))
        self.state.archive_record("companies", self.acme["id"])
        self.run_at(timedelta(minutes=59))
        self.assertEqual(self.linked(self.acme), (True, False), "the recycle bin was read less than an hour ago")
        self.run_at(timedelta(minutes=61))
        self.assertEqual(self.linked(self.acme), (False, "deleted"))
        self.assertEqual(self.linked(self.other), (True, False))

    def test_deleted_for_good_in_hubspot_unlinks_after_a_day_not_before(self):
        self.state.freeze(START + timedelta(minutes=1))
        self.state.delete_permanently("companies", self.acme["id"])
        self.run_at(timedelta(hours=23, minutes=59))
        self.assertEqual(self.linked(self.acme), (True, False), "the recycle bin never shows it; checked daily")
        self.run_at(timedelta(days=1, minutes=1))
        self.assertEqual(self.linked(self.acme), (False, "deleted"))
        self.assertEqual(self.linked(self.other), (True, False))


@tagged("post_install", "-at_install")
class TestOwnerRefreshBoundary(ClockCase):
    def test_a_new_owner_is_known_after_an_hour_not_before(self):
        owners = self.env["hubspot.owner"].with_context(active_test=False)
        self.run_at(timedelta(0))
        self.state.freeze(START + timedelta(minutes=1))
        self.state.add_owner("new.seller@example.com", "New", "Seller")
        self.run_at(timedelta(minutes=59))
        self.assertFalse(owners.search([("email", "=", "new.seller@example.com")]), "owners were read < 1 hour ago")
        self.run_at(timedelta(minutes=61))
        new = owners.search([("account_id", "=", self.account.id), ("email", "=", "new.seller@example.com")])
        self.assertEqual(new.name, "New Seller")


@tagged("post_install", "-at_install")
class TestWebhookWindow(SandboxMixin, HttpCase):
    """HubSpot's advice: refuse a request whose signature's timestamp is more than 5 minutes
    away from the clock (either way: clocks drift)."""

    SECRET = "app-client-secret"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.account = cls.env["hubspot.account"].create(
            {
                "name": "Webhook portal",
                "api_base_url": cls.sandbox.url,
                "access_token": "sandbox-token",
                "portal_id": "12345678",
                "webhook_secret": cls.SECRET,
            }
        )
        cls.account.state = "running"

    def post(self, signed_at, arrives_at, object_id):
        """A company creation HubSpot signed at ``signed_at`` (epoch seconds), received at
        ``arrives_at``; signed here as HubSpot documents its v3 signature."""
        timestamp = str(int(signed_at * 1000))
        event = {
            "eventId": object_id,
            "subscriptionId": 7,
            "portalId": 12345678,
            "occurredAt": int(signed_at * 1000),
            "subscriptionType": "company.creation",
            "objectId": object_id,
            "attemptNumber": 0,
        }
        body = json.dumps([event]).encode()
        message = b"POST" + f"{self.base_url()}/hubspot/webhook".encode() + body + timestamp.encode()
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Request-Timestamp": timestamp,
            "X-HubSpot-Signature-v3": base64.b64encode(
                hmac.new(self.SECRET.encode(), message, hashlib.sha256).digest()
            ).decode(),
        }
        with freeze_time(datetime.fromtimestamp(arrives_at, timezone.utc), tick=True):
            return self.url_open("/hubspot/webhook", data=body, headers=headers)

    def woken(self):
        """The notices the webhook left for the sync (what makes it run now)."""
        return self.env["hubspot.webhook.notice"].search_count([("account_id", "=", self.account.id)])

    def test_signed_up_to_5_minutes_ago_is_taken_later_is_refused(self):
        now = time.time()
        self.assertEqual(self.post(now, now + 290, 101).status_code, 204, "4 min 50 s on the way")
        self.assertEqual(self.woken(), 1)
        self.assertEqual(self.post(now, now + 310, 102).status_code, 401, "5 min 10 s: refused")
        self.assertEqual(self.woken(), 1, "nothing recorded")

    def test_signed_up_to_5_minutes_ahead_is_taken_further_is_refused(self):
        now = time.time()
        self.assertEqual(self.post(now + 290, now, 103).status_code, 204, "HubSpot's clock 4 min 50 s ahead")
        self.assertEqual(self.woken(), 1)
        self.assertEqual(self.post(now + 310, now, 104).status_code, 401, "5 min 10 s ahead: refused")
        self.assertEqual(self.woken(), 1, "nothing recorded")
