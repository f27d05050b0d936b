"""*Import from HubSpot* on a partner, against the sandbox (nothing mocked): the partner is linked
and takes HubSpot's values at once, under the field rules; the company's contacts follow with
the contacts job, under that partner."""

from odoo.tests import Form, new_test_user, tagged

from .test_sync_inbound import InboundCase


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
