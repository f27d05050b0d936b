"""Records the sync brings in never go to Odoo's IAP services (partner autocomplete, lead
enrichment: paid per request); records users create still do. Both apps install with CRM
(auto-install), so the test database has them."""

from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.iap.tools import iap_tools

from .common import InboundCase


@tagged("post_install", "-at_install")
class TestNoEnrichmentOfSyncedRecords(InboundCase):
    def test_synced_companies_contacts_and_deals_reach_no_iap_service(self):
        self.assertIn("iap_enrich_done", self.env["crm.lead"]._fields, "Lead Enrichment is installed")
        self.configure(deal_stage_filter="all")
        acme = self.hs_company("Acme GmbH", domain="acme.example", vat_number="DE123456789")
        anna = self.hs_contact("anna@acme.example", acme, firstname="Anna", lastname="Schmidt")
        deal = self.state.add_record(
            "deals", {"dealname": "Acme renewal", "dealstage": "contractsent", "pipeline": "default", "amount": "500"}
        )
        self.state.associate("deals", deal["id"], "companies", acme["id"])
        self.state.associate("deals", deal["id"], "contacts", anna["id"])
        typed = self.env["crm.lead"].create(
            {"name": "Beta upgrade", "type": "opportunity", "email_from": "bob@beta-industries.example"}
        )

        requests = []

        def iap_request(url, method="call", params=None, timeout=15):
            requests.append((url, params))
            return {}

        with patch.object(iap_tools, "iap_jsonrpc", iap_request):
            for object_type in ("companies", "contacts", "deals"):
                self.assertEqual(self.sync(object_type).failed_count, 0)
            self.assertFalse(requests, "creating the synced records asked no IAP service")
            synced = self.env["crm.lead"].search([("hubspot_id", "=", deal["id"])])
            self.assertEqual(synced.email_from, "anna@acme.example", "an email Lead Enrichment would send")
            # Each new lead wakes Lead Enrichment's job; it runs:
            self.env["crm.lead"]._iap_enrich_leads_cron()

        sent = {int(lead_id) for _url, params in requests for lead_id in params["domains"]}
        self.assertEqual(sent, {typed.id}, "only the lead a user created is enriched")
        self.assertTrue(synced.iap_enrich_done)
