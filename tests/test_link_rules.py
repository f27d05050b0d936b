"""Linking an existing Odoo record to a HubSpot record, by *Import from HubSpot* or by
*Accept → Link*: one rule for both (the field rules decide, as for a duplicate the sync
matches), and the record's chatter lists each changed value, old → new, by the user who
linked it (against the sandbox)."""

from odoo.tests import Form, new_test_user, tagged

from .common import InboundCase
from .test_relink import open_wizard
from .test_sync_tickets import TicketCase


def chatter_changes(message):
    """``{field label: (old, new)}`` as the chatter shows the message's tracked values."""
    return {
        line["fieldInfo"]["changedField"]: (line["oldValue"] or "", line["newValue"] or "")
        for line in message.tracking_value_ids._tracking_value_format()
    }


class LinkCase(InboundCase):
    def setUp(self):
        super().setUp()
        self.seller = new_test_user(
            self.env,
            login="hs_linker",
            name="Lea Linker",
            groups="base.group_user,sales_team.group_sale_salesman,hubspot_connector.group_hubspot_user",
        )

    def customer(self, **values):
        """A customer the sales team keeps in Odoo (never synced)."""
        return self.env["res.partner"].create(
            dict(
                {"name": "Varasto", "is_company": True, "website": "https://varasto.fi", "phone": "+358 40 555"},
                ref="K-7",
                **values,
            )
        )

    def hubspot_varasto(self, **props):
        return self.hs_company(
            "Varasto Oy", **dict({"domain": "varasto.example", "phone": "+358 9 123", "city": "Helsinki"}, **props)
        )

    def import_link(self, partner, record):
        open_wizard(self.env, partner, self.seller, mode="id", hubspot_id=record["id"]).action_confirm()

    def accept_link(self, partner, record):
        """The salesperson accepts HubSpot company ``record`` (waiting for review) and links it to
        ``partner``; returns the change preview the wizard showed before confirming."""
        pending = self.env["hubspot.pending.company"].search([("hubspot_id", "=", record["id"])])
        self.assertEqual(pending.state, "pending")
        action = pending.with_user(self.seller).action_accept()
        Wizard = self.env["hubspot.accept.company"].with_user(self.seller).with_context(**action["context"])
        with Form(Wizard) as form:
            form.mode = "link"
            form.partner_id = partner
            preview = form.link_changes
        form.record.action_confirm()
        return preview

    def link_message(self, record):
        message = record.message_ids[0]
        self.assertEqual(message.author_id, self.seller.partner_id, "posted by the user who linked it")
        return message


@tagged("post_install", "-at_install")
class TestTwoWaysOfLinkingOneRule(LinkCase):
    def test_import_and_accept_link_apply_the_field_rules_and_list_the_changes(self):
        self.configure(review_new_companies=True)
        waiting = self.hubspot_varasto()
        self.sync("companies")  # the company waits in Pending Companies
        accepted_into = self.customer()
        imported_into = self.customer()
        direct = self.hubspot_varasto()  # added after the run: not in the queue

        preview = self.accept_link(accepted_into, waiting)
        self.import_link(imported_into, direct)

        expected = ("Varasto Oy", "https://varasto.example", "+358 9 123", "Helsinki", "K-7")
        for partner in (accepted_into, imported_into):
            self.assertTrue(partner.hubspot_linked)
            # Two-way fields take HubSpot's values, as for a duplicate the sync matches; the
            # customer reference (no field rule) stays.
            self.assertEqual((partner.name, partner.website, partner.phone, partner.city, partner.ref), expected)
            changes = chatter_changes(self.link_message(partner))
            self.assertEqual(changes["Name"], ("Varasto", "Varasto Oy"))
            self.assertEqual(changes["Website Link"], ("https://varasto.fi", "https://varasto.example"))
            self.assertEqual(changes["Phone"], ("+358 40 555", "+358 9 123"))
            self.assertEqual(changes["City"], ("", "Helsinki"))
        self.assertIn("Linked to HubSpot company", accepted_into.message_ids[0].body)
        self.assertIn(f"Linked to HubSpot Company {direct['id']} by Lea Linker", imported_into.message_ids[0].body)
        # Accept said so before the salesperson confirmed.
        for line in ("Varasto → Varasto Oy", "https://varasto.fi → https://varasto.example", "— → Helsinki"):
            self.assertIn(line, str(preview))

    def test_always_odoo_and_prefer_hubspot_keep_odoos_values_on_both_paths(self):
        rules = {"name": "odoo", "phone": "prefer_hubspot"}
        for mapping in self.account.mapping_ids.filtered(lambda m: m.object_type == "companies"):
            mapping.rule = rules.get(mapping.field_name, mapping.rule)
        self.configure(review_new_companies=True)
        waiting = self.hubspot_varasto(phone="")
        self.sync("companies")
        accepted_into, imported_into = self.customer(), self.customer()
        direct = self.hubspot_varasto(phone="")

        preview = self.accept_link(accepted_into, waiting)
        self.import_link(imported_into, direct)

        for partner in (accepted_into, imported_into):
            self.assertEqual(
                (partner.name, partner.phone, partner.website),
                ("Varasto", "+358 40 555", "https://varasto.example"),
                "always Odoo keeps the name, HubSpot's blank phone changes nothing; two-way takes the website",
            )
            changes = chatter_changes(self.link_message(partner))
            self.assertNotIn("Name", changes)
            self.assertNotIn("Phone", changes)
            self.assertEqual(changes["Website Link"], ("https://varasto.fi", "https://varasto.example"))
        self.assertNotIn("Varasto Oy", str(preview))

    def test_a_link_changing_nothing_says_so(self):
        self.configure(review_new_companies=True)
        waiting = self.hubspot_varasto()
        self.sync("companies")
        twin = self.customer(name="Varasto Oy", website="https://varasto.example", phone="+358 9 123", city="Helsinki")
        twin.category_id = self.env.ref("hubspot_connector.res_partner_category_hubspot")
        twin.user_id = self.seller
        preview = self.accept_link(twin, waiting)
        self.assertFalse(preview)
        message = self.link_message(twin)
        self.assertFalse(message.tracking_value_ids, chatter_changes(message))
        self.assertIn("Linked to HubSpot company", message.body)


@tagged("post_install", "-at_install")
class TestImportListsChangesOfDealsAndTickets(TicketCase):
    def test_opportunity_and_task_changes_are_listed(self):
        self.configure(deal_stage_filter="all")
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        agent = new_test_user(
            self.env,
            login="hs_link_agent",
            name="Aki Agent",
            groups="base.group_user,project.group_project_user,sales_team.group_sale_salesman,"
            "hubspot_connector.group_hubspot_user",
        )
        lead = self.env["crm.lead"].create(
            {"name": "Acme renewal", "type": "opportunity", "expected_revenue": 100, "user_id": agent.id}
        )
        deal = self.state.add_record(
            "deals",
            {"dealname": "Acme renewal 2026", "amount": "5000", "dealstage": "contractsent", "pipeline": "default"},
        )
        open_wizard(self.env, lead, agent, mode="id", hubspot_id=deal["id"]).action_confirm()
        message = lead.message_ids[0]
        self.assertEqual(message.author_id, agent.partner_id)
        changes = chatter_changes(message)
        self.assertEqual(changes["Opportunity"], ("Acme renewal", "Acme renewal 2026"))
        self.assertEqual(changes["Expected Revenue"], (100, 5000))
        self.assertEqual(lead.company_id, self.account.company_id, "a deal without owner keeps it in the company")
        self.assertNotIn("Company", changes)

        task = self.Task.create(
            {"name": "Printer broken", "project_id": self.project.id, "description": "<p>It smokes</p>"}
        )
        ticket = self.ticket("Printer on fire", content="It burns", hs_ticket_priority="HIGH")
        open_wizard(self.env, task, agent, mode="id", hubspot_id=ticket["id"]).action_confirm()
        changes = chatter_changes(task.message_ids[0])
        self.assertEqual(changes["Title"], ("Printer broken", "Printer on fire"))
        self.assertEqual(changes["Description"], ("It smokes", "It burns"), "html fields show as their text")
        self.assertEqual(changes["Priority"], ("Low priority", "High priority"))
