"""OAuth 2.0: *Request permissions*, the callback and its state check, tokens renewed before expiry."""

import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import requests
from freezegun import freeze_time

from odoo.tests import HttpCase, new_test_user, tagged

from .common import SandboxMixin


@tagged("post_install", "-at_install")
class TestOAuthConnection(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.state = cls.sandbox.state
        cls.state.add_oauth_client("odoo-app", "odoo-secret")
        cls.account = cls.env["hubspot.account"].create(
            {
                "name": "OAuth portal",
                "auth_type": "oauth",
                "api_base_url": cls.sandbox.url,
                "oauth_client_id": "odoo-app",
                "oauth_client_secret": "odoo-secret",
                "oauth_authorize_url": f"{cls.sandbox.url}/oauth/authorize",
                "sync_tickets": True,
            }
        )

    def consent(self, login="admin"):
        """``login`` clicks *Request permissions*, then HubSpot's consent page: where HubSpot
        sends the browser back."""
        user = self.env["res.users"].search([("login", "=", login)])
        action = self.account.with_user(user).action_oauth_authorize()
        self.assertEqual(action["type"], "ir.actions.act_url")
        query = parse_qs(urlsplit(action["url"]).query)
        self.assertEqual(query["client_id"], ["odoo-app"])
        self.assertTrue(query["redirect_uri"][0].endswith("/hubspot/oauth/callback"))
        self.assertIn("crm.objects.companies.write", query["scope"][0].split())
        self.assertIn("tickets", query["scope"][0].split(), "tickets sync: the scope is asked for")
        answer = requests.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(answer.status_code, 302)
        back = urlsplit(answer.headers["Location"])
        self.assertEqual(parse_qs(back.query)["state"], query["state"], "HubSpot hands our state back")
        return f"{back.path}?{back.query}"

    def test_request_permissions_connects_the_portal(self):
        callback = self.consent()
        self.authenticate("admin", "admin")
        response = self.url_open(callback, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn(
            f"/odoo/action-hubspot_connector.hubspot_account_action/{self.account.id}", response.headers["Location"]
        )
        account = self.account.sudo()
        account.invalidate_recordset()
        self.assertTrue(account.access_token and account.oauth_refresh_token)
        self.assertEqual(account.portal_id, "12345678", "the connection was tested")
        bodies = " ".join(str(m.body) for m in account.message_ids)
        self.assertIn("Connected to HubSpot through OAuth (portal 12345678)", bodies)
        self.assertNotIn(account.access_token, bodies)
        self.assertNotIn(account.oauth_refresh_token, bodies)
        self.assertEqual(account._get_client().get_account_details()["portalId"], 12345678)

    def test_forged_expired_or_reused_state_is_refused(self):
        callback = self.consent()
        code = parse_qs(urlsplit(callback).query)["code"][0]
        self.authenticate("admin", "admin")
        expired = self.account._oauth_state(issued_at=time.time() - 1200)
        admin = self.env.ref("base.user_admin")
        other_db = f"{self.account.id}.{admin.id}.{int(time.time())}.nonce.{'0' * 64}"
        tokens = self.state.call_count("oauth.token")
        for state in (expired, other_db, "garbage", "1.2.3.4.%C3%A9", ""):
            response = self.url_open(f"/hubspot/oauth/callback?code={code}&state={state}", allow_redirects=False)
            self.assertEqual(response.status_code, 403, state)
            self.assertIn("invalid or has expired", response.text)
        self.assertEqual(self.state.call_count("oauth.token"), tokens, "the code was never used")
        self.account.invalidate_recordset()
        self.assertFalse(self.account.sudo().oauth_refresh_token)

    def come_back_after(self, minutes):
        """The administrator clicks *Request permissions* now and comes back from HubSpot's
        consent page ``minutes`` later: Odoo's answer to the callback."""
        action = self.account.with_user(self.env.ref("base.user_admin")).action_oauth_authorize()
        with freeze_time(datetime.now() + timedelta(minutes=minutes), tick=True):
            answer = requests.get(action["url"], allow_redirects=False, timeout=10)
            back = urlsplit(answer.headers["Location"])
            return self.url_open(f"{back.path}?{back.query}", allow_redirects=False)

    def test_the_authorization_link_expires_after_15_minutes(self):
        self.authenticate("admin", "admin")
        tokens = self.state.call_count("oauth.token")
        late = self.come_back_after(16)
        self.assertEqual(late.status_code, 403)
        self.assertIn("invalid or has expired", late.text)
        self.assertEqual(self.state.call_count("oauth.token"), tokens, "the code was never used")
        self.account.invalidate_recordset()
        self.assertFalse(self.account.sudo().oauth_refresh_token)
        self.assertEqual(self.come_back_after(14).status_code, 303)
        self.account.invalidate_recordset()
        self.assertTrue(self.account.sudo().oauth_refresh_token, "connected when back within 15 minutes")

    def test_only_hubspot_administrators_complete_it(self):
        new_test_user(self.env, login="oauth_seller", password="oauth_seller", groups="base.group_user")
        callback = self.consent()
        self.authenticate("oauth_seller", "oauth_seller")
        tokens = self.state.call_count("oauth.token")
        self.assertEqual(self.url_open(callback, allow_redirects=False).status_code, 403)
        self.assertEqual(self.state.call_count("oauth.token"), tokens, "the code was never used")
        self.account.invalidate_recordset()
        self.assertFalse(self.account.sudo().oauth_refresh_token)

    def connect(self):
        """Connected through OAuth now: the access token HubSpot issued (it lives 30 minutes)."""
        self.authenticate("admin", "admin")
        self.url_open(self.consent(), allow_redirects=False)
        self.account.invalidate_recordset()
        self.account._get_client().get_account_details()
        return self.account.sudo().access_token, self.state.call_count("oauth.token")

    def test_access_token_renews_itself_before_expiry(self):
        first, refreshes = self.connect()
        start = datetime.now()
        with freeze_time(start + timedelta(minutes=24), tick=True):
            self.assertEqual(self.account._get_client().get_account_details()["portalId"], 12345678)
        self.assertEqual(self.state.call_count("oauth.token"), refreshes, "24 minutes: the token is still used")
        with freeze_time(start + timedelta(minutes=26), tick=True):
            self.assertEqual(self.account._get_client().get_account_details()["portalId"], 12345678)
        self.assertEqual(self.state.call_count("oauth.token"), refreshes + 1, "renewed 5 minutes before expiry")
        renewed = [t for t in self.state.access_tokens if t != first]
        self.assertEqual(len(renewed), 1, "HubSpot issued a new access token")

    def test_expired_access_token_is_renewed_before_the_call(self):
        first, refreshes = self.connect()
        refused = self.state.stats()["by_status"].get("401", 0)
        with freeze_time(datetime.now() + timedelta(minutes=31), tick=True):  # nothing synced for half an hour
            self.assertGreater(self.state.token_expired_ms(first), 0, "HubSpot refuses the first token by now")
            self.assertEqual(self.account._get_client().get_account_details()["portalId"], 12345678)
        self.assertEqual(self.state.call_count("oauth.token"), refreshes + 1)
        self.assertEqual(self.state.stats()["by_status"].get("401", 0), refused, "no call with the expired token")

    def test_browser_round_trip(self):
        self.start_tour(
            f"/odoo/action-hubspot_connector.hubspot_account_action/{self.account.id}",
            "hubspot_oauth_tour",
            login="admin",
        )
        self.account.invalidate_recordset()
        self.assertTrue(self.account.sudo().oauth_refresh_token)
