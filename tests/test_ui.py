import json

from odoo.tests import HttpCase, tagged

from .common import SandboxMixin


@tagged("post_install", "-at_install")
class TestAccountTour(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()

    def test_admin_connects_a_portal(self):
        url = json.dumps(self.sandbox.url)
        self.start_tour(
            "/odoo",
            "hubspot_account_tour",
            login="admin",
            code=f"sessionStorage.setItem('hubspot_sandbox_url', {url}); odoo.startTour('hubspot_account_tour')",
        )
        account = self.env["hubspot.account"].search([("name", "=", "Sandbox portal")])
        self.assertEqual(account.portal_id, "12345678")
        self.assertEqual(account.sudo().access_token, "sandbox-token")
