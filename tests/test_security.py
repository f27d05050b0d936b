"""Rights checked on the server (issue 10): who may call which action over RPC, the OAuth
state, and what the webhook does before a request is authenticated.

Real users call over JSON-RPC as the web client would: a salesperson without HubSpot
rights, a portal user, a HubSpot User and a HubSpot Administrator of the first company
only; each company has its own account on the sandbox. Every refusal is asserted with the
sandbox's request log: HubSpot got no call."""

import base64
import hashlib
import hmac
import json
import logging
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import Mock, patch
from urllib.parse import parse_qs, urlsplit

import requests
from freezegun import freeze_time

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..controllers import hubspot_webhook
from .common import SandboxMixin

ADMIN_ONLY = "Only HubSpot Administrators can do this"
USERS_ONLY = "Only HubSpot users can do this"
OTHER_COMPANY = "a company you do not work in"
CRONS = ["companies", "contacts", "deals", "tickets", "products", "line_items"]


class RightsCase(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.state = cls.sandbox.state
        cls.state.add_oauth_client("odoo-app", "odoo-secret")
        cls.company1 = cls.env.company
        cls.company2 = cls.env["res.company"].create({"name": "Second Company"})
        common = {
            "api_base_url": cls.sandbox.url,
            "access_token": "sandbox-token",
            "oauth_client_id": "odoo-app",
            "oauth_client_secret": "odoo-secret",
            "oauth_authorize_url": f"{cls.sandbox.url}/oauth/authorize",
        }
        Account = cls.env["hubspot.account"]
        cls.account1 = Account.create(dict(common, name="First portal", company_id=cls.company1.id))
        cls.account2 = Account.create(dict(common, name="Second portal", company_id=cls.company2.id))
        one_company = {"company_id": cls.company1.id, "company_ids": [(6, 0, cls.company1.ids)]}
        cls.seller = new_test_user(cls.env, login="seller_one", groups="sales_team.group_sale_salesman", **one_company)
        cls.portal = new_test_user(cls.env, login="portal_one", groups="base.group_portal", **one_company)
        cls.hs_user = new_test_user(
            cls.env, login="hs_user_one", groups="hubspot_connector.group_hubspot_user", **one_company
        )
        cls.hs_admin = new_test_user(
            cls.env, login="hs_admin_one", groups="hubspot_connector.group_hubspot_manager", **one_company
        )
        cls.crons = cls.env["ir.cron"].browse(
            [cls.env.ref(f"hubspot_connector.ir_cron_sync_{name}").id for name in CRONS]
        )

    def setUp(self):
        super().setUp()
        self.state.clear_log()

    def call(self, login, records, method, context=None):
        """``login`` calls ``method`` of ``records`` over JSON-RPC: the decoded answer."""
        self.authenticate(login, login)
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "model": records._name,
                "method": method,
                "args": [records.ids],
                "kwargs": {"context": context or {}},
            },
        }
        response = self.url_open(
            "/web/dataset/call_kw", data=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def assertRefused(self, login, records, method, message=None, context=None):
        """The call is refused with an AccessError (saying ``message``) and HubSpot got no call."""
        calls = self.state.call_count()
        with mute_logger("odoo.http"):  # Odoo logs every refused call as a warning
            answer = self.call(login, records, method, context)
        self.assertEqual(self.state.call_count(), calls, f"{login} {method}: HubSpot got a call {self.state.stats()}")
        error = answer.get("error", {}).get("data", {})
        self.assertEqual(error.get("name"), "odoo.exceptions.AccessError", f"{login} {method}: {answer}")
        if message:
            self.assertIn(message, error.get("message"), f"{login} {method}")
        return answer

    def triggers(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "in", self.crons.ids)])


@tagged("post_install", "-at_install")
class TestActionRights(RightsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls.state.add_record("companies", {"name": "Acme GmbH", "domain": "acme.example"})
        cls.errors = cls.env["hubspot.sync.error"]
        cls.pendings = cls.env["hubspot.pending.company"]
        for account in (cls.account1, cls.account2):
            run = cls.env["hubspot.sync.run"].create({"account_id": account.id, "object_type": "companies"})
            cls.errors |= run._log_error(cls.acme["id"], "HubSpot was down")
            cls.pendings |= cls.pendings.create(
                {"account_id": account.id, "hubspot_id": cls.acme["id"], "name": "Acme GmbH"}
            )
        cls.error1, cls.error2 = cls.errors
        cls.pending1, cls.pending2 = cls.pendings

    def test_no_hubspot_rights_no_hubspot_call(self):
        """A portal user or a salesperson without HubSpot rights gets an AccessError for every
        HubSpot button, before the account's token reaches HubSpot."""
        triggers = self.triggers()
        for login in ("portal_one", "seller_one"):
            for method in ("action_test_connection", "action_refresh_catalogue", "action_sync_now", "action_start"):
                self.assertRefused(login, self.account1, method, ADMIN_ONLY)
            self.assertRefused(login, self.account1, "action_view_runs", USERS_ONLY)
            self.assertRefused(login, self.error1, "action_retry", ADMIN_ONLY)
            for method in ("action_reject_and_exclude", "action_accept", "action_open_in_hubspot"):
                self.assertRefused(login, self.pending1, method, USERS_ONLY)
        self.assertEqual(self.triggers(), triggers, "no sync job was woken")
        self.assertEqual(self.state.stats()["total"], 0)
        self.assertEqual((self.pending1.state, self.error1.state), ("pending", "open"))
        self.assertFalse(self.account1.connection_checked_at)

    def test_hubspot_user_is_refused_what_the_screens_keep_for_administrators(self):
        triggers = self.triggers()
        for method in (
            "action_sync_now",
            "action_test_connection",
            "action_refresh_catalogue",
            "action_start",
            "action_stop",
            "action_reset",
        ):
            self.assertRefused("hs_user_one", self.account1, method, ADMIN_ONLY)
        self.assertRefused("hs_user_one", self.error1, "action_retry", ADMIN_ONLY)
        self.assertEqual(self.triggers(), triggers, "no sync job was woken")
        self.assertEqual(self.state.stats()["total"], 0)
        self.assertEqual(self.error1.state, "open")
        # What the screens show them still works: the stat buttons, the review queue.
        answer = self.call("hs_user_one", self.account1, "action_view_errors")
        self.assertEqual(answer["result"]["res_model"], "hubspot.sync.error")
        answer = self.call("hs_user_one", self.pending1, "action_reject_and_exclude")
        self.assertEqual(answer["result"]["res_model"], "hubspot.reject.company", answer)
        self.assertEqual(self.state.stats()["total"], 0, "the confirmation comes first")
        wizard = self.env["hubspot.reject.company"].with_user(self.hs_user).create({"pending_ids": self.pending1.ids})
        answer = self.call("hs_user_one", wizard, "action_confirm")
        self.assertEqual(answer["result"]["params"]["type"], "success", answer)
        self.assertEqual(self.pending1.state, "rejected")
        self.assertTrue(self.state.call_count("companies.batch_update"), "the exclusion reached HubSpot")

    def test_administrator_of_one_company_cannot_use_another_company_account(self):
        triggers = self.triggers()
        for method in ("action_test_connection", "action_refresh_catalogue", "action_sync_now", "action_reset"):
            self.assertRefused("hs_admin_one", self.account2, method, OTHER_COMPANY)
            # The context is the caller's: naming the other company grants nothing.
            for companies in ([self.company2.id], [self.company1.id, self.company2.id]):
                self.assertRefused("hs_admin_one", self.account2, method, context={"allowed_company_ids": companies})
        self.assertRefused("hs_admin_one", self.error2, "action_retry", OTHER_COMPANY)
        self.assertRefused("hs_admin_one", self.pending2, "action_reject_and_exclude", OTHER_COMPANY)
        # The wizard opened on that entry (created as theirs, as the form would).
        wizard = (
            self.env["hubspot.accept.company"]
            .with_user(self.hs_admin)
            .sudo()
            .create({"pending_id": self.pending2.id, "mode": "create"})
        )
        self.assertRefused("hs_admin_one", wizard, "action_confirm", OTHER_COMPANY)
        reject = (
            self.env["hubspot.reject.company"]
            .with_user(self.hs_admin)
            .sudo()
            .create({"pending_ids": self.pending2.ids})
        )
        self.assertRefused("hs_admin_one", reject, "action_confirm", OTHER_COMPANY)
        self.assertEqual(self.triggers(), triggers)
        self.assertEqual(self.state.stats()["total"], 0)
        self.assertEqual((self.pending2.state, self.error2.state), ("pending", "open"))
        self.assertFalse(self.account2.connection_checked_at)
        # Their own company's account: the same buttons work and reach HubSpot.
        answer = self.call("hs_admin_one", self.account1, "action_test_connection")
        self.assertEqual(answer["result"]["params"]["type"], "success", answer)
        self.assertEqual(self.state.call_count(), 1)
        self.call("hs_admin_one", self.error1, "action_retry")
        self.assertEqual(self.error1.state, "resolved")


@tagged("post_install", "-at_install")
class TestOAuthRights(RightsCase):
    def consent(self, login):
        """``login`` clicks *Request permissions*; HubSpot's consent page sends the browser back
        to Odoo's callback: that address."""
        answer = self.call(login, self.account1, "action_oauth_authorize")
        url = answer["result"]["url"]
        response = requests.get(url, allow_redirects=False, timeout=10)
        self.assertEqual(response.status_code, 302)
        back = urlsplit(response.headers["Location"])
        return f"{back.path}?{back.query}"

    def open_callback(self, login, callback):
        self.authenticate(login, login)
        return self.url_open(callback, allow_redirects=False)

    def assertRefusedPage(self, response, message):
        self.assertEqual(response.status_code, 403)
        self.assertTrue(response.headers["Content-Type"].startswith("text/html"))
        self.assertIn(message, response.text)
        self.assertNotIn("Traceback", response.text)

    def connected(self):
        self.account1.invalidate_recordset()
        return self.account1.sudo().oauth_refresh_token

    def test_only_an_administrator_of_the_company_starts_it(self):
        for login in ("portal_one", "seller_one", "hs_user_one"):
            answer = self.assertRefused(login, self.account1, "action_oauth_authorize", ADMIN_ONLY)
            self.assertNotIn("odoo-app", json.dumps(answer), "the client id never reaches them")
        self.assertRefused("hs_admin_one", self.account2, "action_oauth_authorize", OTHER_COMPANY)
        self.assertRefused(
            "hs_admin_one",
            self.account2,
            "action_oauth_authorize",
            context={"allowed_company_ids": [self.company2.id]},
        )
        self.assertFalse(self.account1.sudo().oauth_state_digest or self.account2.sudo().oauth_state_digest)
        answer = self.call("hs_admin_one", self.account1, "action_oauth_authorize")
        query = parse_qs(urlsplit(answer["result"]["url"]).query)
        self.assertEqual(query["client_id"], ["odoo-app"])

    def test_a_state_started_by_another_user_is_refused(self):
        """An administrator opening a link someone else started (the CSRF of issue 10)
        connects nothing, and says why."""
        callback = self.consent("hs_admin_one")
        response = self.open_callback("admin", callback)
        self.assertRefusedPage(response, "started by another user")
        self.assertEqual(self.state.call_count("oauth.token"), 0, "the code was never used")
        self.assertFalse(self.connected())
        # The one who started it completes it.
        response = self.open_callback("hs_admin_one", callback)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.connected())
        self.assertEqual(self.state.call_count("oauth.token"), 1)

    def test_a_state_works_once_and_only_the_latest(self):
        superseded = self.consent("hs_admin_one")
        latest = self.consent("hs_admin_one")
        self.assertRefusedPage(self.open_callback("hs_admin_one", superseded), "a newer one was requested")
        self.assertEqual(self.state.call_count("oauth.token"), 0)
        self.assertEqual(self.open_callback("hs_admin_one", latest).status_code, 303)
        self.assertTrue(self.connected())
        self.assertRefusedPage(self.open_callback("hs_admin_one", latest), "already used")
        self.assertEqual(self.state.call_count("oauth.token"), 1, "one code exchange, not two")


SECRET = "app-client-secret"
PORTAL = 12345678


@tagged("post_install", "-at_install")
class TestWebhookSecurity(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.account = cls.env["hubspot.account"].create(
            {
                "name": "Webhook portal",
                "api_base_url": cls.sandbox.url,
                "access_token": "sandbox-token",
                "portal_id": str(PORTAL),
                "webhook_secret": SECRET,
            }
        )
        cls.account.state = "running"
        cls.cron = cls.env.ref("hubspot_connector.ir_cron_sync_companies")

    def sign(self, body, timestamp, uri=None, secret=SECRET):
        """HubSpot's v3 signature, computed here from its documentation."""
        uri = uri or f"{self.base_url()}/hubspot/webhook"
        message = b"POST" + uri.encode() + body + timestamp.encode()
        return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()

    def headers(self, body, uri=None, age_seconds=0, **override):
        timestamp = str(int((time.time() - age_seconds) * 1000))
        headers = {
            "Content-Type": "application/json",
            "X-HubSpot-Request-Timestamp": timestamp,
            "X-HubSpot-Signature-v3": self.sign(body, timestamp, uri),
        }
        headers.update(override)
        return headers

    def post(self, body, headers=None, path="/hubspot/webhook"):
        return self.url_open(path, data=body, headers=self.headers(body) if headers is None else headers)

    def event(self, portal=PORTAL, **extra):
        return dict(
            {
                "eventId": 1,
                "subscriptionId": 7,
                "portalId": portal,
                "occurredAt": int(time.time() * 1000),
                "subscriptionType": "company.propertyChange",
                "objectId": 101,
                "propertyName": "name",
                "propertyValue": "Acme GmbH",
                "attemptNumber": 0,
            },
            **extra,
        )

    def notices(self):
        return self.env["hubspot.webhook.notice"].search([("account_id", "=", self.account.id)])

    def triggers(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])

    @contextmanager
    def account_lookups(self):
        """The searches of HubSpot accounts by portal made meanwhile (the webhook's work per portal)."""
        Account = type(self.env["hubspot.account"])
        search = Account._search
        domains = []

        def spy(model, domain, *args, **kwargs):
            if "portal_id" in str(domain):
                domains.append(domain)
            return search(model, domain, *args, **kwargs)

        with patch.object(Account, "_search", spy):
            yield domains

    @contextmanager
    def refusal_logged(self):
        """One INFO line of the webhook, and nothing at WARNING or above."""
        # Levels as numbers: Odoo names its level 25 "INFO" too.
        with (
            self.assertNoLogs("odoo", logging.WARNING),
            self.assertLogs("odoo.addons.hubspot_connector", logging.INFO) as logs,
        ):
            yield
        self.assertEqual(len(logs.records), 1, logs.output)

    def test_oversized_body_is_refused_unread(self):
        events = [self.event(objectId=n, propertyValue="x" * 150) for n in range(6000)]
        body = json.dumps(events).encode()
        self.assertGreater(len(body), 1024 * 1024)
        parser = Mock(wraps=json)
        with self.account_lookups() as lookups, patch.object(hubspot_webhook, "json", parser):
            response = self.post(body)  # properly signed, with its Content-Length
            self.assertEqual(response.status_code, 413)
            with self.refusal_logged():  # streamed (chunked): read up to the cap only
                response = self.post(
                    iter([body[i : i + 65536] for i in range(0, len(body), 65536)]), self.headers(body)
                )
                self.assertEqual(response.status_code, 413)
        parser.loads.assert_not_called()
        self.assertEqual(lookups, [])
        self.assertFalse(self.notices())

    def test_bad_or_missing_headers_cost_no_lookup(self):
        """Headers are checked first: no portal of the body is looked up, and a malformed one
        gets a 401, never a 500."""
        body = json.dumps([self.event(portal=PORTAL + n, objectId=n) for n in range(50)]).encode()
        good = self.headers(body)
        stamp = "X-HubSpot-Request-Timestamp"
        sig = "X-HubSpot-Signature-v3"
        bad = [
            {"Content-Type": "application/json"},  # no signature at all
            dict(good, **{sig: None}),
            dict(good, **{stamp: None}),
            dict(good, **{stamp: "yesterday"}),
            dict(good, **{stamp: "1" * 40}),
            dict(good, **{stamp: "1.7e12"}),
            self.headers(body, age_seconds=600),  # signed, but 10 minutes ago
            dict(good, **{sig: "not a signature"}),
            dict(good, **{sig: "é" * 43 + "="}),  # not ASCII
        ]
        with self.account_lookups() as lookups:
            for headers in bad:
                with self.refusal_logged():
                    response = self.post(body, {k: v for k, v in headers.items() if v is not None})
                    self.assertEqual(response.status_code, 401, headers)
            self.assertEqual(lookups, [], "no account was looked up")
            # Well-formed headers: all the body's portals in one query.
            with self.refusal_logged():
                response = self.post(body, self.headers(body, **{sig: self.sign(body, good[stamp], secret="wrong")}))
                self.assertEqual(response.status_code, 401)
            self.assertEqual(len(lookups), 1, "one query for all the portals")
            lookups.clear()
            # More distinct portals than HubSpot ever sends in a request: refused unlooked-up.
            many = json.dumps([self.event(portal=PORTAL + n) for n in range(101)]).encode()
            with self.refusal_logged():
                self.assertEqual(self.post(many).status_code, 400)
            self.assertEqual(lookups, [])
        self.assertFalse(self.notices())

    def test_malformed_bodies_get_a_400(self):
        triggers = self.triggers()
        for body in (
            b"{not json",
            b"\xff\xfe[]",  # not UTF-8
            b"[" * 100_000,  # deeper than the parser goes
            json.dumps(self.event()).encode(),  # an object, not an array
            json.dumps([self.event(), 1]).encode(),  # signed, but one element is not an object
            json.dumps([self.event(), [self.event()]]).encode(),
        ):
            with self.refusal_logged():
                response = self.post(body)
                self.assertEqual(response.status_code, 400, body[:40])
        self.assertFalse(self.notices())
        self.assertEqual(self.triggers(), triggers)

    def test_replayed_request_does_nothing_twice(self):
        body = json.dumps([self.event()]).encode()
        headers = self.headers(body)
        triggers = self.triggers()
        self.assertEqual(self.post(body, headers).status_code, 204)
        self.assertEqual(len(self.notices()), 1)
        self.assertEqual(self.triggers(), triggers + 1)
        self.assertEqual(self.post(body, headers).status_code, 204, "HubSpot sees it done")
        self.assertEqual(len(self.notices()), 1, "no second notice")
        self.assertEqual(self.notices().event_count, 1)
        self.assertEqual(self.triggers(), triggers + 1, "no second wake-up")
        # Once the window has passed, the memory of it goes; the window itself refuses it then.
        Receipt = self.env["hubspot.webhook.receipt"]
        self.assertEqual(Receipt.search_count([]), 1)
        with freeze_time(datetime.now() + timedelta(minutes=5)):
            Receipt._gc_outside_window()
        self.assertEqual(Receipt.search_count([]), 1, "still replayable: kept")
        with freeze_time(datetime.now() + timedelta(minutes=16)):
            Receipt._gc_outside_window()
            self.assertFalse(Receipt.search_count([]))
            self.assertEqual(self.post(body, headers).status_code, 401)
        self.assertEqual(len(self.notices()), 1)

    def test_signed_uri_is_decoded_as_hubspot_does(self):
        """HubSpot signs the URI with ``%2C``, ``%3A``... decoded and every other escape kept."""
        path = "/hubspot/webhook?source=hub%2Cspot%3Av3&name=%C3%A9t%C3%A9"
        signed = f"{self.base_url()}/hubspot/webhook?source=hub,spot:v3&name=%C3%A9t%C3%A9"
        body = json.dumps([self.event()]).encode()
        iri = f"{self.base_url()}/hubspot/webhook?source=hub,spot:v3&name=été"
        self.assertEqual(self.post(body, self.headers(body, uri=iri), path=path).status_code, 401)
        self.assertEqual(self.post(body, self.headers(body, uri=signed), path=path).status_code, 204)
        self.assertEqual(len(self.notices()), 1)
