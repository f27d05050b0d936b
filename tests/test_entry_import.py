"""*Import from HubSpot* on a partner, against the sandbox (nothing mocked): the partner is linked
and takes HubSpot's values at once, under the field rules; the company's contacts follow with
the contacts job, under that partner. What waited for a record linked by hand (a contact for its
company, a line item for its deal) comes with its job's next tick."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import Form, new_test_user, tagged

from .common import InboundCase
from .test_entry_points import DAY, EntryCase


@tagged("post_install", "-at_install")
class TestImportPartner(InboundCase):
    def setUp(self):
        super().setUp()
        self.seller = new_test_user(
            self.env,
            login="hs_import_seller",
            groups="base.group_user,sales_team.group_sale_salesman,hubspot_connector.group_hubspot_user",
        )
        company = self.account.company_id.id
        # Made in Odoo before the account synced anything; no key matches HubSpot's record.
        self.customer = self.Partner.create(
            {"name": "Acme Corp", "is_company": True, "phone": "+49 30 0", "city": "Potsdam", "company_id": company}
        )
        self.person = self.Partner.create(
            {"name": "A. Schmidt", "email": "a.schmidt@private.example", "company_id": company}
        )
        self.acme = self.hs_company(
            "Acme GmbH",
            domain="acme.example",
            phone="+49 30 1",
            address="Hauptstraße 1",
            city="Berlin",
            zip="10115",
            country="Germany",
        )
        self.anna = self.hs_contact(
            "anna@acme.example", self.acme, firstname="Anna", lastname="Schmidt", jobtitle="Buyer", phone="+49 30 11"
        )
        self.bert = self.hs_contact("bert@acme.example", self.acme, firstname="Bert", lastname="Berg")

    def wizard(self, record, **values):
        """*Import from HubSpot* opened from ``record``'s form by the salesperson, filled in."""
        action = record.with_user(self.seller).action_hubspot_import()
        Wizard = self.env[action["res_model"]].with_user(self.seller).with_context(**action["context"])
        with Form(Wizard) as form:
            for name, value in values.items():
                setattr(form, name, value)
        return form.record

    def contacts_job(self):
        """The contacts job's next tick, its own code (data/ir_cron_data.xml)."""
        self.settle()
        with self.enter_registry_test_mode():
            self.assertIs(self.env.ref("hubspot_connector.ir_cron_sync_contacts").method_direct_trigger(), True)

    def test_a_company_found_by_search_takes_hubspots_values_and_its_contacts_follow(self):
        self.settle()
        wizard = self.wizard(self.customer, search_term="Acme")
        wizard.action_search()
        self.assertEqual(wizard.line_ids.mapped("name"), ["Acme GmbH"])
        wizard.line_ids.action_link()

        customer = self.customer
        self.assertEqual((customer.hubspot_id, customer.hubspot_linked), (self.acme["id"], True))
        self.assertEqual(
            (customer.name, customer.phone, customer.website, customer.street, customer.city, customer.zip),
            ("Acme GmbH", "+49 30 1", "https://acme.example", "Hauptstraße 1", "Berlin", "10115"),
            "HubSpot's values, at once",
        )
        self.assertEqual(customer.country_id, self.env.ref("base.de"))
        self.assertIn("Linked to HubSpot Company", customer.message_ids[0].body)

        self.contacts_job()
        people = customer.child_ids.sorted("email")
        self.assertEqual(people.mapped("email"), ["anna@acme.example", "bert@acme.example"])
        self.assertEqual(people.mapped("name"), ["Anna Schmidt", "Bert Berg"])
        self.assertEqual(people[0].function, "Buyer")
        self.assertEqual(
            self.Partner.search_count([("is_company", "=", True), ("hubspot_id", "=", self.acme["id"])]),
            1,
            "the contacts' company is the linked partner, never a second Acme",
        )

    def test_a_contact_linked_by_id_takes_hubspots_values_and_its_company(self):
        wizard = self.wizard(self.person, mode="id", hubspot_id=self.anna["id"])
        self.assertEqual(wizard.object_type, "contacts")
        wizard.action_confirm()

        person = self.person
        self.assertEqual((person.hubspot_id, person.hubspot_linked), (self.anna["id"], True))
        self.assertEqual(
            (person.name, person.email, person.function, person.phone),
            ("Anna Schmidt", "anna@acme.example", "Buyer", "+49 30 11"),
            "HubSpot's values, at once",
        )
        self.assertEqual(person.parent_id, self.partner(self.acme), "its company was imported on the way")
        self.assertEqual(person.parent_id.name, "Acme GmbH")

    def test_contacts_skipped_for_want_of_their_company_follow_its_link(self):
        """With *Only contacts of known companies*, the contacts job skips the contacts of a company
        Odoo lacks; linked by hand later, the company's contacts arrive with the job's next tick,
        though nothing changed in HubSpot since."""
        self.configure(sync_companies=False, contacts_only_existing_companies=True)
        later = fields.Datetime.now() + timedelta(hours=1)  # the contacts changed long before
        with freeze_time(later):
            self.contacts_job()
        self.assertFalse(self.customer.child_ids, "their company is not in Odoo: skipped")
        self.assertFalse(self.Partner.search([("email", "in", ["anna@acme.example", "bert@acme.example"])]))

        self.wizard(self.customer, mode="id", hubspot_id=self.acme["id"]).action_confirm()
        self.assertEqual(self.customer.name, "Acme GmbH")
        with freeze_time(later + timedelta(minutes=5)):
            self.contacts_job()
        self.assertEqual(self.customer.child_ids.sorted("email").mapped("name"), ["Anna Schmidt", "Bert Berg"])


@tagged("post_install", "-at_install")
class TestImportOpportunity(EntryCase):
    def test_line_items_added_while_unlinked_follow_the_deals_link(self):
        """A line item added in HubSpot while its opportunity's link was removed waits (a line item
        never comes without its deal); linked again by hand, its line items follow at once."""
        seller = new_test_user(
            self.env,
            login="hs_import_lines",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads,hubspot_connector.group_hubspot_user",
        )
        lead = self.odoo_record("deals", self.deal)
        self.assertEqual(lead.hubspot_line_ids.mapped("quantity"), [2])
        lead.with_user(seller).action_hubspot_unlink()
        self.state.advance(seconds=1)
        extra = self.state.add_record("line_items", {"name": "Setup", "quantity": "1", "price": "99"})
        self.state.associate("line_items", extra["id"], "deals", self.deal["id"])
        self.tick(DAY)  # the daily schedule is due: the line item is read and skipped
        self.assertFalse(self.odoo_record("line_items", extra), "its deal is not linked: it waits")

        action = lead.with_user(seller).action_hubspot_import()
        Wizard = self.env[action["res_model"]].with_user(seller).with_context(**action["context"])
        with Form(Wizard) as form:
            self.assertEqual((form.mode, form.hubspot_id), ("id", self.deal["id"]), "its deal is proposed")
        form.record.action_confirm()
        self.assertTrue(lead.hubspot_linked)
        self.tick(DAY + 5)  # not due again before tomorrow: the job comes for them
        self.assertEqual(self.odoo_record("line_items", extra).lead_id, lead)
        self.assertEqual(sorted(lead.hubspot_line_ids.mapped("name")), ["Setup", "Widget"])
