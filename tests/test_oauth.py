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
        for state in (expired, other_db, "garbage", "1.2.3.4.%C3%A9", ""):
            response = self.url_open(f"/hubspot/oauth/callback?code={code}&state={state}", allow_redirects=False)
            self.assertEqual(response.status_code, 403, state)
            self.assertIn("invalid or has expired", response.text)
        self.account.invalidate_recordset()
        self.assertFalse(self.account.sudo().oauth_refresh_token, "the code was never used")

    def test_only_hubspot_administrators_complete_it(self):
        new_test_user(self.env, login="oauth_seller", password="oauth_seller", groups="base.group_user")
        callback = self.consent()
        self.authenticate("oauth_seller", "oauth_seller")
        self.assertEqual(self.url_open(callback, allow_redirects=False).status_code, 403)
        self.account.invalidate_recordset()
        self.assertFalse(self.account.sudo().oauth_refresh_token)

    def test_access_token_renews_itself_before_expiry(self):
        self.authenticate("admin", "admin")
        self.url_open(self.consent(), allow_redirects=False)
        self.account.invalidate_recordset()
        first = self.account.sudo().access_token
        self.account._get_client().get_account_details()
        refreshes = self.state.call_count("oauth.token")
        with freeze_time(datetime.now() + timedelta(minutes=29), tick=True):  # HubSpot's tokens live 30 minutes
            self.assertEqual(self.account._get_client().get_account_details()["portalId"], 12345678)
        self.assertEqual(self.state.call_count("oauth.token"), refreshes + 1, "renewed 5 minutes before expiry")
        renewed = [t for t, issued in self.state.access_tokens.items() if t != first]
        self.assertTrue(renewed, "HubSpot issued a new access token")

    def test_browser_round_trip(self):
        self.start_tour(
            f"/odoo/action-hubspot_connector.hubspot_account_action/{self.account.id}",
            "hubspot_oauth_tour",
            login="admin",
        )
        self.account.invalidate_recordset()
        self.assertTrue(self.account.sudo().oauth_refresh_token)
