import logging
import socket

import requests
import responses

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import BASE_URL, TOKEN, HubSpotCase, SandboxMixin

DETAILS = f"{BASE_URL}/account-info/2026-03/details"


@tagged("post_install", "-at_install")
class TestConnectionMocked(HubSpotCase):
    def _test_connection_error(self):
        """Run the test as an admin; return the UserError text and the log lines."""
        with self.assertLogs("odoo.addons.hubspot_connector", level="DEBUG") as logs:
            logging.getLogger("odoo.addons.hubspot_connector").debug("capture start")
            with self.assertRaises(UserError) as caught:
                self.account.with_user(self.hs_admin).action_test_connection()
        message = str(caught.exception)
        log_text = "\n".join(logs.output)
        self.assertNotIn(TOKEN, message)
        self.assertNotIn(TOKEN, log_text)
        self.assertNotIn(TOKEN, repr(caught.exception))
        return message

    @responses.activate
    def test_success_stores_portal(self):
        responses.get(
            DETAILS,
            json={
                "portalId": 4242,
                "uiDomain": "app-eu1.hubspot.com",
                "timeZone": "Europe/Berlin",
                "companyCurrency": "EUR",
            },
        )
        action = self.account.with_user(self.hs_admin).action_test_connection()
        self.assertEqual(action["params"]["message"], "Connection established (portal 4242)")
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.account.portal_id, "4242")
        self.assertEqual(self.account.ui_domain, "app-eu1.hubspot.com")
        self.assertTrue(self.account.connection_checked_at)
        sent = responses.calls[0].request
        self.assertEqual(sent.headers["Authorization"], f"Bearer {TOKEN}")

    @responses.activate
    def test_v3_uses_numbered_path(self):
        self.account.api_version = "v3"
        responses.get(f"{BASE_URL}/account-info/v3/details", json={"portalId": 7, "uiDomain": "app.hubspot.com"})
        self.account.action_test_connection()
        self.assertEqual(self.account.portal_id, "7")

    @responses.activate
    def test_401_bad_token(self):
        responses.get(
            DETAILS,
            status=401,
            json={
                "status": "error",
                "message": "Authentication credentials not found.",
                "category": "INVALID_AUTHENTICATION",
                "correlationId": "c-1",
            },
        )
        message = self._test_connection_error()
        self.assertIn("rejected the access token", message)
        self.assertIn("401", message)
        self.assertFalse(self.account.portal_id, "nothing is stored on failure")

    @responses.activate
    def test_403_lists_missing_scopes(self):
        responses.get(
            DETAILS,
            status=403,
            json={
                "status": "error",
                "message": "This app hasn't been granted all required scopes to make this call.",
                "category": "MISSING_SCOPES",
                "errors": [
                    {
                        "message": "One or more of the following scopes are required.",
                        "context": {"requiredGranularScopes": ["crm.objects.companies.read", "oauth"]},
                    }
                ],
            },
        )
        message = self._test_connection_error()
        self.assertIn("missing required scopes", message)
        self.assertIn("crm.objects.companies.read, oauth", message)

    @responses.activate
    def test_timeout(self):
        responses.get(DETAILS, body=requests.exceptions.ReadTimeout(f"Read timed out; token {TOKEN}"))
        message = self._test_connection_error()
        self.assertIn("did not answer in time", message)

    @responses.activate
    def test_unreachable_host(self):
        responses.get(DETAILS, body=requests.exceptions.ConnectionError(f"Name or service not known {TOKEN}"))
        message = self._test_connection_error()
        self.assertIn("Cannot reach HubSpot at https://api.hubapi.test", message)

    def test_missing_token(self):
        self.account.access_token = False
        with self.assertRaisesRegex(UserError, "Enter the HubSpot access token"):
            self.account.action_test_connection()

    @responses.activate
    def test_user_cannot_run_test(self):
        responses.get(DETAILS, json={"portalId": 1, "uiDomain": "app.hubspot.com"})
        with self.assertRaisesRegex(AccessError, "Only HubSpot Administrators"):
            self.account.with_user(self.hs_user).action_test_connection()
        # Refused before HubSpot is asked (Odoo's assertRaises would roll a stored portal id back:
        # HubSpot's side is what shows it)
        self.assertEqual(len(responses.calls), 0)
        self.assertFalse(self.account.portal_id)


@tagged("post_install", "-at_install")
class TestConnectionSandbox(SandboxMixin, HubSpotCase):
    """The same button against the local HubSpot-compatible server, over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()

    def test_success_against_sandbox(self):
        self.account.write({"api_base_url": self.sandbox.url, "access_token": "sandbox-token"})
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["message"], f"Connection established (portal {self.sandbox.state.portal_id})")
        self.assertEqual(self.account.ui_domain, self.sandbox.state.ui_domain)

    def test_wrong_token_against_sandbox(self):
        self.account.write({"api_base_url": self.sandbox.url})
        with self.assertRaisesRegex(UserError, "rejected the access token"):
            self.account.action_test_connection()

    def test_refused_connection(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.account.write({"api_base_url": f"http://127.0.0.1:{port}"})
        with self.assertRaisesRegex(UserError, "Cannot reach HubSpot"):
            self.account.action_test_connection()
