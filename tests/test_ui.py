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
        with patch.object(engine, "_import_company_records", return_value=None) as contacts:
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


@tagged("post_install", "-at_install")
class TestAdminScreensTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.env["hubspot.account"].create(
            {"name": "Tour portal", "access_token": TOKEN, "api_base_url": BASE_URL}
        )
        cls.env["hubspot.pending.company"].create(
            {
                "account_id": cls.account.id,
                "hubspot_id": "4711",
                "name": "Müller Maschinenbau GmbH",
                "website": "https://www.mueller-maschinenbau.example",
                "hubspot_lead_score": 80,
            }
        )
        run = cls.env["hubspot.sync.run"].create(
            {"account_id": cls.account.id, "object_type": "companies", "created_count": 7, "updated_count": 3}
        )
        run._log_error("9001", "Invalid email", {"id": "9001"})
        run._finish(12)

    def test_admin_screens(self):
        self.start_tour("/odoo", "hubspot_admin_tour", login="admin")
        self.assertEqual(self.account.state, "stopped")

    def test_linked_partner_fields_hubspot_owns(self):
        self.account.mapping_ids.filtered(
            lambda m: m.object_type == "companies" and m.field_name == "phone"
        ).rule = "hubspot"
        partner = self.env["res.partner"].create({"name": "Acme GmbH", "is_company": True, "phone": "+49 30 111"})
        partner._hubspot_bind(self.account, "companies", "555")
        self.assertEqual(partner.hubspot_master_fields, "hubspot_lead_score,phone")
        self.start_tour(f"/odoo/contacts/{partner.id}", "hubspot_partner_tour", login="admin")
        self.assertFalse(partner.hubspot_linked)
        self.assertEqual(partner.hubspot_unlink_reason, "manual")
        self.assertEqual(partner.phone, "+49 30 999")


@tagged("post_install", "-at_install")
class TestPushTour(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()

    def test_phone_changed_in_odoo_reaches_hubspot(self):
        account = self.env["hubspot.account"].create(
            {
                "name": "Sandbox portal",
                "api_base_url": self.sandbox.url,
                "access_token": "sandbox-token",
                "portal_id": "12345678",
                "companies_direction": "both",
            }
        )
        remote = self.sandbox.state.add_record("companies", {"name": "Nordlicht Oy", "phone": "+358 9 1"})
        account.state = "running"
        self.settle()
        engine = self.env["hubspot.sync.engine"]
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: float("inf")):
            engine._run_inbound(account, "companies")
            partner = self.env["res.partner"].search([("hubspot_id", "=", remote["id"])])
            self.start_tour(f"/odoo/contacts/{partner.id}", "hubspot_push_edit_tour", login="admin")
            run = engine._run_outbound(account, "companies")
        self.assertEqual(run.updated_count, 1)
        self.start_tour(
            "/odoo/action-hubspot_connector.hubspot_sync_run_action", "hubspot_push_run_tour", login="admin"
        )
        # The Open in HubSpot link points at the record the sandbox now holds with the new phone.
        hubspot_id = partner.hubspot_url.rsplit("/", 1)[1]
        self.assertEqual(
            self.sandbox.state.get_record("companies", hubspot_id)["properties"]["phone"], "+49 40 555 0199"
        )


@tagged("post_install", "-at_install")
class TestDealFilterTour(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()

    def test_admin_filters_deals_by_two_stages(self):
        state = self.sandbox.state
        state.currency = self.env.company.currency_id.name  # the portal's: its deals need no conversion
        account = self.env["hubspot.account"].create(
            {
                "name": "Sandbox portal",
                "api_base_url": self.sandbox.url,
                "access_token": "sandbox-token",
                "portal_id": "12345678",
                "sync_companies": False,
                "sync_contacts": False,
                "deal_stage_filter": "all",
            }
        )
        self.env["hubspot.pipeline"]._refresh(account, account._get_client())
        self.env["crm.stage"].create({"name": "Proposal", "sequence": 40})
        for name, stage in (
            ("Deal in contract", "contractsent"),
            ("Deal signed", "closedwon"),
            ("Deal too early", "appointmentscheduled"),
        ):
            state.add_record("deals", {"dealname": name, "dealstage": stage, "pipeline": "default"})
        cron = self.env.ref("hubspot_connector.ir_cron_sync_deals")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.start_tour(
            f"/odoo/action-hubspot_connector.hubspot_account_action/{account.id}",
            "hubspot_deal_filter_tour",
            login="admin",
        )
        self.assertEqual(account.state, "running")
        self.assertEqual(
            sorted(account.deal_stage_ids.mapped("hubspot_id")), ["closedwon", "contractsent"], "the two stages"
        )
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers)
        # What the triggered job does (no cron worker runs in tests):
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: float("inf")):
            self.env["hubspot.sync.engine"]._cron_sync("deals")
        leads = self.env["crm.lead"].search([("hubspot_account_id", "=", account.id)])
        self.assertEqual(sorted(leads.mapped("name")), ["Deal in contract", "Deal signed"])
        self.start_tour(
            "/odoo/action-crm.crm_lead_action_pipeline?view_type=list", "hubspot_deal_list_tour", login="admin"
        )
