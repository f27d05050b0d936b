"""Associations end to end: HubSpot's paged association lists read whole, and the primary
company (never listed first by the sandbox, as HubSpot promises no order) as the
single-valued link: a contact's parent company, a deal's and a ticket's customer."""

from odoo.tests import Form, tagged

from .common import InboundCase
from .test_sync_tickets import TicketCase


class AssociationCase(InboundCase):
    def setUp(self):
        super().setUp()
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        self.configure(deal_stage_filter="all")
        # Two companies; "Zweit" has the higher id, so it is never first in id order either.
        self.erst = self.hs_company("Erst GmbH", domain="erst.example")
        self.zweit = self.hs_company("Zweit AG", domain="zweit.example")

    def pages_of(self, size):
        self.state.configure(association_page_size=size)
        self.addCleanup(self.state.configure, association_page_size=500)

    def both_companies(self, object_type, record, primary_type):
        self.state.associate(object_type, record["id"], "companies", self.erst["id"])
        self.state.associate(object_type, record["id"], "companies", self.zweit["id"])
        if primary_type:
            self.state.associate(object_type, record["id"], "companies", self.zweit["id"], [primary_type])

    def deal(self, name, primary_type=5):
        record = self.state.add_record("deals", {"dealname": name, "dealstage": "contractsent", "pipeline": "default"})
        self.both_companies("deals", record, primary_type)
        return record

    def lead(self, record):
        return self.env["crm.lead"].with_context(active_test=False).search([("hubspot_id", "=", record["id"])])


@tagged("post_install", "-at_install")
class TestPrimaryCompany(AssociationCase):
    def test_contact_parent_is_the_primary_company(self):
        labelled = self.state.add_record("contacts", {"email": "lena@zweit.example"})
        self.both_companies("contacts", labelled, 1)
        unlabelled = self.state.add_record("contacts", {"email": "otto@erst.example"})
        self.both_companies("contacts", unlabelled, None)
        listed = [to_id for to_id, _types in self.state.associated("contacts", labelled["id"], "companies")]
        self.assertEqual(listed, [self.erst["id"], self.zweit["id"]], "the sandbox lists the primary one second")
        run = self.sync("contacts")
        self.assertEqual((run.created_count, run.failed_count), (2, 0), "two contacts (their companies on the way)")
        self.assertEqual(self.partner(labelled, "contacts").parent_id, self.partner(self.zweit))
        self.assertEqual(
            self.partner(unlabelled, "contacts").parent_id, self.partner(self.erst), "none labelled: the first listed"
        )

    def test_deal_customer_is_the_primary_company(self):
        record = self.deal("Zweit rollout")
        self.sync("deals")
        self.assertEqual(self.lead(record).partner_id, self.partner(self.zweit))


@tagged("post_install", "-at_install")
class TestTicketPrimaryCompany(TicketCase):
    def test_ticket_customer_is_the_primary_company(self):
        zweit = self.hs_company("Zweit AG", domain="zweit.example")
        record = self.ticket("Wrong invoice", company=self.acme)
        self.state.associate("tickets", record["id"], "companies", zweit["id"], [26])
        self.assertEqual(
            [to_id for to_id, _types in self.state.associated("tickets", record["id"], "companies")][-1], zweit["id"]
        )
        run = self.sync("tickets")
        self.assertEqual((run.created_count, run.failed_count), (1, 0), run.error_ids.mapped("reason"))
        self.assertEqual(self.task(record).partner_id, self.partner(zweit))


@tagged("post_install", "-at_install")
class TestAssociationPages(AssociationCase):
    def test_every_contact_of_a_deal_arrives(self):
        self.pages_of(2)
        record = self.deal("Many people")
        people = [self.hs_contact(f"p{n}@zweit.example", self.zweit) for n in range(5)]
        for person in people:
            self.state.associate("deals", record["id"], "contacts", person["id"])
        alone = self.deal("Few people")
        self.state.associate("deals", alone["id"], "contacts", people[0]["id"])
        self.state.clear_log()
        run = self.sync("deals")
        self.assertEqual(run.failed_count, 0, run.error_ids.mapped("reason"))
        lead = self.lead(record)
        self.assertEqual(len(lead.hubspot_contact_ids), 5, "all five, over three pages")
        self.assertEqual(
            sorted(lead.hubspot_contact_ids.mapped("email")), sorted(p["properties"]["email"] for p in people)
        )
        self.assertEqual(lead.partner_id.commercial_partner_id, self.partner(self.zweit))
        self.assertEqual(self.lead(alone).hubspot_contact_ids.mapped("email"), ["p0@zweit.example"])
        reads = self.state.stats()["by_operation"]
        self.assertEqual(reads["associations.deals.contacts.batch_read"], 3, "the two deals share each round")
        self.assertEqual(reads["associations.deals.companies.batch_read"], 1, "one page each: no extra call")

    def test_every_contact_of_an_accepted_company_arrives(self):
        self.configure(review_new_companies=True)
        self.pages_of(2)
        big = self.hs_company("Gross KG", domain="gross.example")
        people = [self.hs_contact(f"m{n}@gross.example", big, firstname=f"M{n}") for n in range(5)]
        self.sync("companies")
        pending = self.env["hubspot.pending.company"].search([("hubspot_id", "=", big["id"])])
        self.assertEqual(pending.state, "pending")
        action = pending.with_user(self.hs_admin).action_accept()
        wizard = Form(self.env["hubspot.accept.company"].with_user(self.hs_admin).with_context(**action["context"]))
        wizard.mode = "create"
        wizard.save().action_confirm()
        partner = self.partner(big)
        self.assertEqual((pending.state, pending.partner_id), ("accepted", partner))
        self.assertEqual(sorted(partner.child_ids.mapped("email")), sorted(p["properties"]["email"] for p in people))
