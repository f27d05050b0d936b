"""A portal syncs with one Odoo company: another company's customers are never matched to its
HubSpot records, nor pushed into it, even when they look the same (same web domain); the
company's own customers (and those shared by every company) are."""

from odoo.tests import tagged

from .test_sync_inbound import InboundCase


@tagged("post_install", "-at_install")
class TestOtherCompaniesCustomers(InboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Schwester GmbH"})

    def customer(self, name, company):
        return self.Partner.create(
            {"name": name, "is_company": True, "website": "https://acme.example", "company_id": company.id}
        )

    def test_a_hubspot_company_is_not_matched_to_another_companys_customer(self):
        theirs = self.customer("Acme (Schwester)", self.other_company)
        acme = self.hs_company("Acme GmbH", domain="acme.example")
        run = self.sync()
        self.assertEqual((run.created_count, run.linked_count), (1, 0))
        ours = self.partner(acme)
        self.assertEqual((ours.name, ours.company_id), ("Acme GmbH", self.account.company_id))
        self.assertNotEqual(ours, theirs)
        self.assertEqual((theirs.name, theirs.hubspot_id, theirs.hubspot_linked), ("Acme (Schwester)", False, False))

    def test_the_companys_own_look_alike_is_linked(self):
        mine = self.customer("Acme (ours)", self.account.company_id)
        acme = self.hs_company("Acme GmbH", domain="acme.example")
        run = self.sync()
        self.assertEqual((run.created_count, run.linked_count), (0, 1))
        self.assertEqual(self.partner(acme), mine)

    def test_another_companys_customers_are_not_pushed(self):
        theirs = self.customer("Acme (Schwester)", self.other_company)
        mine = self.Partner.create({"name": "Nordlicht Oy", "is_company": True, "company_id": self.company.id})
        shared = self.Partner.create({"name": "Shared Supplier AB", "is_company": True, "company_id": False})
        self.configure(companies_direction="out")
        self.settle()
        run = self.engine._run_outbound(self.account, "companies")
        names = {r["properties"].get("name") for r in self.state.live_records("companies")}
        self.assertIn("Nordlicht Oy", names)
        self.assertIn("Shared Supplier AB", names)
        self.assertNotIn("Acme (Schwester)", names, "another company's customer stays out of this portal")
        self.assertTrue(mine.hubspot_linked and shared.hubspot_linked)
        self.assertFalse(theirs.hubspot_id)
        self.assertEqual(run.failed_count, 0)
