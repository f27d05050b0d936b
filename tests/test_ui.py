import json
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from .common import BASE_URL, TOKEN, SandboxMixin


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


@tagged("post_install", "-at_install")
class TestPendingCompanyTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["hubspot.account"].create(
            {"name": "Tour portal", "access_token": TOKEN, "api_base_url": BASE_URL, "review_new_companies": True}
        )
        cls.seller = new_test_user(
            cls.env,
            login="hs_tour_seller",
            name="Tina Tour",
            groups="base.group_user,sales_team.group_sale_salesman,hubspot_connector.group_hubspot_user",
        )
        cls.pending = cls.env["hubspot.pending.company"].create(
            {
                "account_id": cls.account.id,
                "hubspot_id": "4711",
                "name": "Müller Maschinenbau GmbH",
                "website": "https://www.mueller-maschinenbau.example",
                "city": "Stuttgart",
                "user_id": cls.seller.id,
            }
        )

    def test_salesperson_accepts_a_pending_company(self):
        engine = type(self.env["hubspot.sync.engine"])
        with patch.object(engine, "_import_company_contacts", return_value=None) as contacts:
            self.start_tour("/odoo", "hubspot_pending_company_tour", login="hs_tour_seller")
        partner = self.env["res.partner"].search([("hubspot_id", "=", "4711")])
        self.assertEqual(len(partner), 1)
        self.assertEqual(
            (partner.name, partner.ref, partner.city, partner.is_company),
            ("Müller Maschinenbau GmbH", "4711", "Stuttgart", True),
        )
        self.assertEqual((partner.hubspot_account_id, partner.hubspot_linked), (self.account, True))
        self.assertEqual(partner.user_id, self.seller)
        self.assertEqual((self.pending.state, self.pending.partner_id), ("accepted", partner))
        contacts.assert_called_once_with(self.account, "4711")
