"""Deals from HubSpot to opportunities: the deal-stage filter and the stage mapping."""

from odoo.tests import tagged

from .test_sync_inbound import InboundCase


@tagged("post_install", "-at_install")
class TestDealsInbound(InboundCase):
    def setUp(self):
        super().setUp()
        self.Lead = self.env["crm.lead"].with_context(active_test=False)
        self.acme = self.hs_company("Acme GmbH", domain="acme.example")
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        self.stages = {
            s.hubspot_id: s for s in self.account.pipeline_ids.stage_ids.filtered(lambda s: s.object_type == "deals")
        }

    def deal(self, name, stage, **props):
        record = self.state.add_record(
            "deals", dict({"dealname": name, "dealstage": stage, "pipeline": "default"}, **props)
        )
        self.state.associate("deals", record["id"], "companies", self.acme["id"])
        return record

    def lead(self, record):
        return self.Lead.search([("hubspot_id", "=", record["id"]), ("hubspot_object_type", "=", "deals")])

    def test_filter_none_means_no_deals(self):
        self.deal("Big deal", "contractsent", amount="5000")
        self.engine._cron_sync("deals")
        self.assertFalse(self.account.run_ids.filtered(lambda r: r.object_type == "deals"), "not even a run")

    def test_all_stages_become_opportunities(self):
        proposal = self.env["crm.stage"].create({"name": "Proposal"})
        self.stages["contractsent"].crm_stage_id = proposal
        team = self.env["crm.team"].create({"name": "HubSpot team"})
        self.account.pipeline_ids.filtered(lambda p: p.hubspot_id == "default").team_id = team
        self.configure(deal_stage_filter="all")
        record = self.deal("Big deal", "contractsent", amount="5000.50", closedate="2026-12-24T00:00:00.000Z")
        run = self.sync("deals")
        self.assertEqual(run.created_count, 1)
        lead = self.lead(record)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual((lead.name, lead.expected_revenue), ("Big deal", 5000.5))
        self.assertEqual(str(lead.date_deadline), "2026-12-24")
        self.assertEqual((lead.stage_id, lead.team_id), (proposal, team))
        self.assertEqual(lead.probability, 90)
        self.assertEqual(lead.partner_id, self.partner(self.acme), "the associated company is the customer")
        self.assertEqual(lead.hubspot_stage_id, self.stages["contractsent"])

    def test_selected_stages_and_a_deal_leaving_them(self):
        self.configure(
            deal_stage_filter="selected",
            deal_stage_ids=[(6, 0, (self.stages["contractsent"] | self.stages["closedwon"]).ids)],
        )
        kept = self.deal("In contract", "contractsent")
        early = self.deal("Too early", "appointmentscheduled")
        run = self.sync("deals")
        self.assertEqual((run.created_count, run.skipped_count), (1, 1))
        self.assertTrue(self.lead(kept))
        self.assertFalse(self.lead(early))
        # The deal moves to a stage that is not selected: kept in Odoo, unlinked, counted.
        self.state.advance(seconds=5)
        self.state.update_record("deals", kept["id"], {"dealstage": "qualifiedtobuy"})
        run = self.sync("deals")
        lead = self.lead(kept)
        self.assertTrue(lead.exists())
        self.assertEqual((lead.hubspot_linked, lead.hubspot_unlink_reason), (False, "filtered"))
        self.assertEqual(run.unlinked_count, 1)
        # Back in a selected stage: it syncs again, into the same opportunity.
        self.state.advance(seconds=5)
        self.state.update_record("deals", kept["id"], {"dealstage": "closedwon"})
        run = self.sync("deals")
        self.assertEqual((run.created_count, run.linked_count), (0, 1))
        self.assertTrue(lead.hubspot_linked)
        self.assertEqual(lead.hubspot_stage_id, self.stages["closedwon"])
