"""*Import from HubSpot* on opportunities and tasks: re-link to a deal or a ticket, by id or
by searching HubSpot, and sync it at once (against the sandbox)."""

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import InboundCase
from .test_sync_tickets import TicketCase


def open_wizard(env, record, user, **values):
    """Open *Import from HubSpot* from ``record``'s form as ``user`` and fill it in."""
    action = record.with_user(user).action_hubspot_import()
    Wizard = env[action["res_model"]].with_user(user).with_context(**action["context"])
    with Form(Wizard) as form:
        for name, value in values.items():
            setattr(form, name, value)
    return form.record


@tagged("post_install", "-at_install")
class TestRelinkOpportunity(InboundCase):
    def setUp(self):
        super().setUp()
        self.seller = new_test_user(
            self.env,
            login="hs_relink_seller",
            groups="base.group_user,sales_team.group_sale_salesman,hubspot_connector.group_hubspot_user",
        )
        self.configure(deal_stage_filter="all")
        self.proposal = self.env["crm.stage"].create({"name": "Proposal"})
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        self.stages = {
            s.hubspot_id: s for s in self.account.pipeline_ids.stage_ids.filtered(lambda s: s.object_type == "deals")
        }
        self.stages["contractsent"].crm_stage_id = self.proposal
        self.acme = self.hs_company("Acme GmbH", domain="acme.example")
        self.lead = self.env["crm.lead"].create(
            {"name": "Acme renewal", "type": "opportunity", "expected_revenue": 100, "user_id": self.seller.id}
        )

    def deal(self, name, stage="contractsent", **props):
        record = self.state.add_record(
            "deals", dict({"dealname": name, "dealstage": stage, "pipeline": "default"}, **props)
        )
        self.state.associate("deals", record["id"], "companies", self.acme["id"])
        return record

    def test_defaults(self):
        wizard = open_wizard(self.env, self.lead, self.seller)
        self.assertEqual(
            (wizard.record_ref, wizard.account_id, wizard.object_type, wizard.mode, wizard.search_term),
            (self.lead, self.account, "deals", "search", "Acme renewal"),
        )

    def test_link_by_id_syncs_the_deal_at_once(self):
        record = self.deal("Acme renewal 2026", amount="5000", closedate="2026-12-24T00:00:00.000Z")
        wizard = open_wizard(self.env, self.lead, self.seller, mode="id", hubspot_id=record["id"])
        wizard.action_confirm()
        lead = self.lead
        self.assertEqual(
            (lead.hubspot_id, lead.hubspot_account_id, lead.hubspot_object_type, lead.hubspot_linked),
            (record["id"], self.account, "deals", True),
        )
        self.assertEqual((lead.name, lead.expected_revenue), ("Acme renewal 2026", 5000))
        self.assertEqual(str(lead.date_deadline), "2026-12-24")
        self.assertEqual((lead.stage_id, lead.hubspot_stage_id), (self.proposal, self.stages["contractsent"]))
        self.assertEqual(lead.partner_id, self.partner(self.acme), "the deal's company was imported on the way")
        self.assertIn(f"Linked to HubSpot Deal {record['id']}", lead.message_ids[0].body)
        # It now syncs like any deal: the next change in HubSpot arrives.
        self.state.advance(seconds=5)
        self.state.update_record("deals", record["id"], {"amount": "7000"})
        self.sync("deals")
        self.assertEqual(lead.expected_revenue, 7000)

    def test_field_rules_apply_when_linking(self):
        self.account.mapping_ids.filtered(lambda m: m.object_type == "deals" and m.field_name == "name").rule = "odoo"
        record = self.deal("Acme renewal 2026", amount="5000")
        open_wizard(self.env, self.lead, self.seller, mode="id", hubspot_id=record["id"]).action_confirm()
        self.assertEqual(
            (self.lead.name, self.lead.expected_revenue), ("Acme renewal", 5000), "Odoo keeps the name it owns"
        )

    def test_search_by_name_and_link(self):
        wanted = self.deal("Acme renewal 2026", amount="5000")
        self.deal("Beta renewal", amount="10")
        self.deal("Acme hardware", amount="20")
        self.settle()
        wizard = open_wizard(self.env, self.lead, self.seller)
        action = wizard.action_search()
        self.assertEqual((action["res_model"], action["res_id"]), ("hubspot.import.record", wizard.id))
        # Every word of the name must match: neither the other renewal nor the other Acme deal.
        line = wizard.line_ids
        self.assertEqual(
            (line.hubspot_id, line.name, line.amount, line.stage),
            (wanted["id"], "Acme renewal 2026", 5000, "Contract Sent"),
        )
        line.action_link()
        self.assertEqual((self.lead.hubspot_id, self.lead.hubspot_linked), (wanted["id"], True))
        self.assertEqual((self.lead.expected_revenue, self.lead.stage_id), (5000, self.proposal))

    def test_refuses_a_deal_linked_to_another_opportunity(self):
        record = self.deal("Acme renewal 2026", amount="5000")
        other = self.env["crm.lead"].create(
            {"name": "Acme renewal (old)", "type": "opportunity", "user_id": self.seller.id}
        )
        other._hubspot_bind(self.account, "deals", record["id"])
        other._hubspot_unlink("manual")  # even an opportunity taken out of the sync keeps its deal
        wizard = open_wizard(self.env, self.lead, self.seller, mode="id", hubspot_id=record["id"])
        self.state.clear_log()
        with self.assertRaisesRegex(UserError, r"already linked to “Acme renewal \(old\)”"):
            wizard.action_confirm()
        # Another salesperson's opportunity: refused too, without showing it.
        other.user_id = new_test_user(self.env, login="hs_relink_other", groups="sales_team.group_sale_salesman")
        with self.assertRaisesRegex(UserError, "already linked to another record, which you cannot see"):
            wizard.action_confirm()
        self.assertFalse(self.lead.hubspot_id)
        self.assertEqual(self.lead.expected_revenue, 100)
        self.assertEqual(self.state.stats()["total"], 0, "refused before HubSpot is asked")

    def test_refuses_a_deal_the_stage_filter_keeps_out(self):
        self.configure(deal_stage_filter="selected", deal_stage_ids=[(6, 0, self.stages["closedwon"].ids)])
        record = self.deal("Acme renewal 2026", amount="5000")
        wizard = open_wizard(self.env, self.lead, self.seller, mode="id", hubspot_id=record["id"])
        self.state.clear_log()
        with self.assertRaisesRegex(UserError, "stage “Contract Sent”, which the account's deal-stage filter"):
            wizard.action_confirm()
        self.assertFalse(self.lead.hubspot_id)
        self.assertEqual({entry["method"] for entry in self.state.request_log}, {"GET"}, "read, nothing written")

    def test_refuses_a_deal_of_an_excluded_company(self):
        self.state.create_property(
            "companies",
            {
                "name": "sync_to_odoo",
                "label": "Sync",
                "type": "string",
                "fieldType": "text",
                "groupName": "companyinformation",
            },
        )
        self.state.update_record("companies", self.acme["id"], {"sync_to_odoo": "no"})
        record = self.deal("Acme renewal 2026", amount="5000")
        wizard = open_wizard(self.env, self.lead, self.seller, mode="id", hubspot_id=record["id"])
        with self.assertRaisesRegex(UserError, "does not sync with this account's settings"):
            wizard.action_confirm()
        self.assertFalse(self.lead.hubspot_linked)
        self.assertEqual(self.lead.expected_revenue, 100, "nothing came from HubSpot")

    def test_a_lead_is_no_deal(self):
        self.lead.type = "lead"
        record = self.deal("Acme renewal 2026")
        wizard = open_wizard(self.env, self.lead, self.seller, mode="id", hubspot_id=record["id"])
        self.state.clear_log()
        with self.assertRaisesRegex(UserError, "Only opportunities link to HubSpot deals"):
            wizard.action_confirm()
        self.assertEqual(self.state.stats()["total"], 0, "refused before HubSpot is asked")
        self.assertFalse(self.lead.hubspot_id)


@tagged("post_install", "-at_install")
class TestRelinkTask(TicketCase):
    def setUp(self):
        super().setUp()
        self.agent = new_test_user(
            self.env,
            login="hs_relink_agent",
            groups="base.group_user,project.group_project_user,hubspot_connector.group_hubspot_user",
        )
        self.task_record = self.Task.create({"name": "Printer broken", "project_id": self.project.id})

    def test_link_by_id_syncs_the_ticket_at_once(self):
        record = self.ticket(
            "Printer on fire", status="2", company=self.acme, contact=self.anna, hs_ticket_priority="HIGH"
        )
        wizard = open_wizard(self.env, self.task_record, self.agent, mode="id", hubspot_id=record["id"])
        self.assertEqual((wizard.object_type, wizard.record_ref), ("tickets", self.task_record))
        wizard.action_confirm()
        task = self.task_record
        self.assertEqual(
            (task.hubspot_id, task.hubspot_object_type, task.hubspot_linked), (record["id"], "tickets", True)
        )
        self.assertEqual((task.name, task.priority), ("Printer on fire", "2"))
        self.assertEqual((task.stage_id, task.hubspot_stage_id), (self.waiting, self.status["2"]))
        self.assertEqual(task.partner_id, self.partner(self.anna, "contacts"))
        self.assertIn(f"Linked to HubSpot Ticket {record['id']}", task.message_ids[0].body)

    def test_refuses_a_ticket_of_a_pipeline_without_project(self):
        self.pipeline.project_id = False
        record = self.ticket("Printer on fire")
        wizard = open_wizard(self.env, self.task_record, self.agent, mode="id", hubspot_id=record["id"])
        self.state.clear_log()
        with self.assertRaisesRegex(UserError, "choose its project"):
            wizard.action_confirm()
        self.assertFalse(self.task_record.hubspot_id)
        self.assertEqual({entry["method"] for entry in self.state.request_log}, {"GET"}, "read, nothing written")
