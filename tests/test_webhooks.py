"""Webhooks: HubSpot's signed calls wake the sync of the object types they announce.

Requests are signed here as HubSpot's developer documentation says (*Validating requests*),
with ``hashlib``/``hmac`` directly, never with the addon's own function: the signers below
reproduce HubSpot's published worked examples first."""

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from ..models.hubspot_webhook_notice import signature_v3, signed_uri
from .common import SandboxMixin

SECRET = "app-client-secret"

# HubSpot's worked examples: the client secret, URI and bodies its documentation uses, with the
# signatures it gives (v1, v2 for a GET) and those of HubSpot's own SDK's tests (v2 for a POST,
# v3 with its timestamp).
DOC_SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
DOC_URI = "https://www.example.com/webhook_uri"
DOC_BODY = (
    '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
    '"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM",'
    '"changeFlag":"NEW","appId":54321}]'
)
DOC_V1 = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
DOC_V2_GET = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"
SDK_BODY = "{'example_field':'example_value'}"
SDK_V2_POST = "4fe4e3a7d3cf09db53be39d0a58130e2aaba074ec123a9e355b876a689a1c383"
SDK_TIMESTAMP = "15000000"
SDK_V3 = "HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw="
# v3: the escapes HubSpot decodes in the URI before signing (its documentation's table); every
# other escape stays as sent.
DECODED_BY_HUBSPOT = "%3A :  %2F /  %3F ?  %40 @  %21 !  %24 $  %27 '  %28 (  %29 )  %2A *  %2C ,  %3B ;"


def hubspot_v1(secret, body):
    """``X-HubSpot-Signature`` v1: the SHA-256 (hex) of the client secret and the body."""
    return hashlib.sha256(secret.encode() + body).hexdigest()


def hubspot_v2(secret, method, uri, body):
    """``X-HubSpot-Signature`` v2: the SHA-256 (hex) of secret, method, URI and body."""
    return hashlib.sha256(f"{secret}{method}{uri}".encode() + body).hexdigest()


def hubspot_v3(secret, method, uri, body, timestamp):
    """``X-HubSpot-Signature-v3``: the base64 HMAC-SHA256, keyed with the client secret, of
    method, URI (as HubSpot signs it: the caller passes it so), raw body and timestamp."""
    message = f"{method}{uri}".encode() + body + str(timestamp).encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


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
            "X-HubSpot-Signature-v3": hubspot_v3(secret, "POST", url, body, timestamp),
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


@tagged("post_install", "-at_install")
class TestWebhookSignatures(HttpCase):
    """The webhook checks HubSpot's v3 signature as HubSpot's documentation computes it: requests
    signed here independently, fed to the controller over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The portal and the secret of HubSpot's worked example.
        cls.account = cls.env["hubspot.account"].create(
            {
                "name": "Documented portal",
                "access_token": "unused-token",
                "portal_id": "62515",
                "sync_interval": "1440",
                "webhook_secret": DOC_SECRET,
            }
        )
        cls.account.state = "running"

    def setUp(self):
        super().setUp()
        self.woken = self.wake_ups()

    def wake_ups(self):
        cron = self.env.ref("hubspot_connector.ir_cron_sync_contacts")
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    def send(self, path, body, headers):
        return self.url_open(path, data=body, headers=dict({"Content-Type": "application/json"}, **headers))

    def v3_headers(self, uri, body, method="POST", timestamp=None, secret=DOC_SECRET):
        timestamp = timestamp or str(int(time.time() * 1000))
        return {
            "X-HubSpot-Request-Timestamp": timestamp,
            "X-HubSpot-Signature-v3": hubspot_v3(secret, method, uri, body, timestamp),
        }

    def notices(self):
        return self.env["hubspot.webhook.notice"].search([("account_id", "=", self.account.id)])

    def assertRefused(self, response):
        self.assertEqual(response.status_code, 401, response.text)
        self.assertFalse(self.notices(), "nothing recorded")
        self.assertFalse(self.env["hubspot.webhook.receipt"].search([]), "not even a receipt")
        self.assertEqual(self.wake_ups(), self.woken, "the contacts job was not woken")

    def assertTaken(self, response, events=1):
        self.assertEqual(response.status_code, 204, response.text)
        notice = self.notices()
        self.assertEqual((notice.object_type, notice.event_count), ("contacts", events))
        self.assertGreater(self.wake_ups(), self.woken, "the contacts job syncs now, whatever its schedule")

    def test_the_signers_reproduce_hubspots_worked_examples(self):
        body = DOC_BODY.encode()
        self.assertEqual(hubspot_v1(DOC_SECRET, body), DOC_V1)
        self.assertEqual(hubspot_v2(DOC_SECRET, "GET", DOC_URI, b""), DOC_V2_GET)
        self.assertEqual(hubspot_v2(DOC_SECRET, "POST", DOC_URI, SDK_BODY.encode()), SDK_V2_POST)
        self.assertEqual(hubspot_v3(DOC_SECRET, "POST", DOC_URI, SDK_BODY.encode(), SDK_TIMESTAMP), SDK_V3)
        # The addon's own signer and URI rule agree with HubSpot's example and table.
        self.assertEqual(signature_v3(DOC_SECRET, "POST", DOC_URI, SDK_BODY.encode(), SDK_TIMESTAMP), SDK_V3)
        pairs = DECODED_BY_HUBSPOT.split()
        encoded, decoded = "".join(pairs[0::2]), "".join(pairs[1::2])
        self.assertEqual(signed_uri(f"{DOC_URI}?x={encoded}%20%26%25%7E"), f"{DOC_URI}?x={decoded}%20%26%25%7E")

    def test_hubspots_documented_request_is_taken(self):
        """HubSpot's example body, with every signature HubSpot sends (v1 for webhooks, v3)."""
        body = DOC_BODY.encode()
        uri = f"{self.base_url()}/hubspot/webhook"
        headers = dict(
            self.v3_headers(uri, body), **{"X-HubSpot-Signature": DOC_V1, "X-HubSpot-Signature-Version": "v1"}
        )
        self.assertTaken(self.send("/hubspot/webhook", body, headers))

    def test_only_a_v3_signature_is_taken(self):
        """v1 and v2 carry no timestamp: a request signed so could be replayed for ever."""
        body = DOC_BODY.encode()
        uri = f"{self.base_url()}/hubspot/webhook"
        timestamp = str(int(time.time() * 1000))
        for headers in (
            {"X-HubSpot-Signature": DOC_V1, "X-HubSpot-Signature-Version": "v1"},
            {
                "X-HubSpot-Signature": hubspot_v2(DOC_SECRET, "POST", uri, body),
                "X-HubSpot-Signature-Version": "v2",
                "X-HubSpot-Request-Timestamp": timestamp,
            },
            # The v2 hash where the v3 one belongs; the v3 HMAC in hex instead of base64.
            {
                "X-HubSpot-Signature-v3": hubspot_v2(DOC_SECRET, "POST", uri, body),
                "X-HubSpot-Request-Timestamp": timestamp,
            },
            {
                "X-HubSpot-Signature-v3": hmac.new(
                    DOC_SECRET.encode(), f"POST{uri}".encode() + body + timestamp.encode(), hashlib.sha256
                ).hexdigest(),
                "X-HubSpot-Request-Timestamp": timestamp,
            },
        ):
            self.assertRefused(self.send("/hubspot/webhook", body, headers))

    def test_the_uri_is_signed_with_the_escapes_hubspot_decodes(self):
        """A target URL with a query string: HubSpot decodes ``%3A %2F %3F %40 %21 %24 %27 %28 %29
        %2A %2C %3B`` before signing and keeps every other escape (``%20``, ``%26``)."""
        body = DOC_BODY.encode()
        sent = "/hubspot/webhook?portal=a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm%20n%26o"
        as_hubspot_signs = f"{self.base_url()}/hubspot/webhook?portal=a:b/c?d@e!f$g'h(i)j*k,l;m%20n%26o"
        as_sent = f"{self.base_url()}{sent}"
        all_decoded = f"{self.base_url()}/hubspot/webhook?portal=a:b/c?d@e!f$g'h(i)j*k,l;m n&o"
        for wrong in (as_sent, all_decoded):
            self.assertRefused(self.send(sent, body, self.v3_headers(wrong, body)))
        self.assertTaken(self.send(sent, body, self.v3_headers(as_hubspot_signs, body)))

    def test_a_request_changed_after_signing_is_refused(self):
        body = DOC_BODY.encode()
        uri = f"{self.base_url()}/hubspot/webhook"
        headers = self.v3_headers(uri, body)
        for response in (
            self.send("/hubspot/webhook", body.replace(b'"objectId":123', b'"objectId":124'), headers),
            self.send("/hubspot/webhook", body, self.v3_headers(uri, body, method="GET")),
            self.send("/hubspot/webhook", body, self.v3_headers(uri.replace("http://", "https://"), body)),
            self.send("/hubspot/webhook", body, self.v3_headers(uri, body, secret="another-apps-secret")),
            self.send(
                "/hubspot/webhook",
                body,
                dict(headers, **{"X-HubSpot-Request-Timestamp": str(int(headers["X-HubSpot-Request-Timestamp"]) + 1)}),
            ),
        ):
            self.assertRefused(response)
        self.assertTaken(self.send("/hubspot/webhook", body, headers))  # the request as signed

    def test_the_raw_body_is_signed_byte_for_byte(self):
        """HubSpot signs the UTF-8 body as sent: non-ASCII text, no spaces, its own key order."""
        events = [
            {
                "portalId": 62515,
                "subscriptionType": "contact.propertyChange",
                "objectId": 123,
                "propertyName": "lastname",
                "propertyValue": "Müller-Lüdenscheidt 東京",
                "occurredAt": int(time.time() * 1000),
            },
            {"portalId": 62515, "subscriptionType": "contact.creation", "objectId": 124},
        ]
        body = json.dumps(events, ensure_ascii=False, separators=(",", ":")).encode()
        uri = f"{self.base_url()}/hubspot/webhook"
        reencoded = json.dumps(events).encode()  # the same JSON, as Python would write it again
        self.assertRefused(self.send("/hubspot/webhook", body, self.v3_headers(uri, reencoded)))
        self.assertTaken(self.send("/hubspot/webhook", body, self.v3_headers(uri, body)), events=2)
