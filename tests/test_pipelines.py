"""Deal and ticket pipelines cached from HubSpot, their stage mapping, the deal-stage filter."""

from odoo.tests import tagged

from ..sandbox.catalog import ALL_SCOPES
from .common import InboundCase


@tagged("post_install", "-at_install")
class TestPipelines(InboundCase):
    def refresh(self):
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        return self.env["hubspot.pipeline"].search([("account_id", "=", self.account.id)])

    def test_refresh_caches_pipelines_and_suggests_stages_by_label(self):
        won = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        qualified = self.env["crm.stage"].create({"name": "Qualified To Buy"})
        pipelines = self.refresh()
        deals = pipelines.filtered(lambda p: p.object_type == "deals" and p.hubspot_id == "default")
        self.assertTrue(deals)
        stages = {s.hubspot_id: s for s in deals.stage_ids}
        self.assertEqual(stages["qualifiedtobuy"].name, "Qualified To Buy")
        self.assertEqual(stages["qualifiedtobuy"].probability, 40)
        self.assertEqual(stages["qualifiedtobuy"].crm_stage_id, qualified, "exact label, any case")
        self.assertEqual((stages["closedwon"].outcome, stages["closedwon"].crm_stage_id), ("won", won))
        self.assertEqual(stages["closedlost"].outcome, "lost")
        self.assertFalse(stages["contractsent"].crm_stage_id, "no Odoo stage of that name: left for the admin")
        self.assertEqual(self.env["crm.stage"].search_count([("name", "=", "Contract Sent")]), 0, "never created")
        self.assertEqual(stages["closedwon"].display_name, f"{deals.name} / Closed Won")
        tickets = pipelines.filtered(lambda p: p.object_type == "tickets")
        self.assertIn("CLOSED", tickets.stage_ids.mapped("ticket_state"))

    def test_refresh_keeps_the_admins_mapping_and_marks_what_hubspot_dropped(self):
        pipelines = self.refresh()
        stage = pipelines.stage_ids.filtered(lambda s: s.hubspot_id == "contractsent")
        chosen = self.env["crm.stage"].create({"name": "Negotiation"})
        stage.crm_stage_id = chosen
        extra = self.state.add_pipeline("deals", "Partner deals", [("intro", "Intro", "0.1")])
        pipelines = self.refresh()
        self.assertEqual(stage.crm_stage_id, chosen)
        partner_pipeline = pipelines.filtered(lambda p: p.hubspot_id == str(extra["id"]))
        self.assertEqual(partner_pipeline.stage_ids.mapped("name"), ["Intro"])
        self.state.reset()  # the extra pipeline is gone from HubSpot
        self.refresh()
        self.assertTrue(partner_pipeline.archived)
        self.assertTrue(partner_pipeline.stage_ids.archived)

    def test_deal_stage_filter(self):
        pipelines = self.refresh()
        stages = pipelines.stage_ids.filtered(lambda s: s.object_type == "deals")
        won = stages.filtered(lambda s: s.hubspot_id == "closedwon")
        sent = stages.filtered(lambda s: s.hubspot_id == "contractsent")
        self.assertFalse(self.account._deal_stage_allowed("closedwon"), "default: deals do not sync")
        self.configure(deal_stage_filter="all")
        self.assertTrue(self.account._deal_stage_allowed("appointmentscheduled"))
        self.configure(deal_stage_filter="selected", deal_stage_ids=[(6, 0, (won | sent).ids)])
        self.assertTrue(self.account._deal_stage_allowed("contractsent", "default"))
        self.assertFalse(self.account._deal_stage_allowed("appointmentscheduled"))
        self.assertFalse(self.account._deal_stage_allowed("contractsent", "another-pipeline"))

    def test_an_app_without_the_tickets_scope_still_refreshes_deal_pipelines(self):
        self.state.tokens["no-tickets-token"] = [s for s in ALL_SCOPES if s != "tickets"]
        self.account.access_token = "no-tickets-token"
        pipelines = self.refresh()
        self.assertTrue(pipelines.filtered(lambda p: p.object_type == "deals"))
        self.assertFalse(pipelines.filtered(lambda p: p.object_type == "tickets"), "not readable: skipped")
        self.account.action_refresh_catalogue()  # properties, owners and pipelines: no error either
        self.assertTrue(self.env["hubspot.property"].search_count([("account_id", "=", self.account.id)]))

    def test_catalogue_button_refreshes_pipelines(self):
        self.account.action_refresh_catalogue()
        self.assertTrue(self.account.pipeline_ids.filtered(lambda p: p.object_type == "deals"))
        self.assertTrue(self.account.pipeline_ids.filtered(lambda p: p.object_type == "tickets"))
