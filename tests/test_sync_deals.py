"""Deals from HubSpot to opportunities: the deal-stage filter and the stage mapping."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..hubspot import HubSpotConnectionError
from ..hubspot.client import HubSpotClient
from .common import InboundCase
from .test_sync_outbound import OutboundCase


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
        record = self.deal("Big deal", "contractsent", amount="5000")
        self.settle()
        self.state.clear_log()
        self.engine._cron_sync("deals")
        self.assertFalse(self.account.run_ids.filtered(lambda r: r.object_type == "deals"), "not even a run")
        self.assertFalse(self.lead(record))
        self.assertEqual(self.state.stats()["total"], 0, "HubSpot was asked nothing")
        # All stages: the job brings it.
        self.configure(deal_stage_filter="all")
        self.engine._cron_sync("deals")
        self.assertEqual(self.lead(record).expected_revenue, 5000)

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

    def test_won_and_lost_deals(self):
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        self.configure(deal_stage_filter="all")
        won = self.deal("Signed", "closedwon", amount="900")
        lost = self.deal("Gone", "closedlost", closed_lost_reason="Too expensive")
        self.sync("deals")
        self.assertEqual((self.lead(won).stage_id, self.lead(won).won_status), (won_stage, "won"))
        self.assertEqual(self.lead(won).probability, 100)
        lead = self.lead(lost)
        self.assertEqual((lead.active, lead.won_status), (False, "lost"), "a lost deal is a lost opportunity")
        self.assertEqual(lead.lost_reason_id.name, "Too expensive")
        # The same reason again is the same Odoo reason, not a second one.
        again = self.deal("Gone too", "closedlost", closed_lost_reason="too expensive")
        self.state.advance(seconds=5)
        self.sync("deals")
        self.assertEqual(self.lead(again).lost_reason_id, lead.lost_reason_id)
        # Reopened in HubSpot: back among the open opportunities, without a lost reason.
        self.state.advance(seconds=5)
        self.state.update_record("deals", lost["id"], {"dealstage": "qualifiedtobuy"})
        self.sync("deals")
        self.assertEqual((lead.active, lead.won_status, lead.probability), (True, "pending", 40))
        self.assertFalse(lead.lost_reason_id)

    def test_deal_contacts_and_the_primary_one(self):
        self.configure(deal_stage_filter="all")
        outsider = self.hs_contact("berater@extern.example", firstname="Ext", lastname="Berater")
        buyer = self.hs_contact("einkauf@acme.example", self.acme, firstname="Eva", lastname="Einkauf")
        record = self.deal("Big deal", "contractsent")
        self.state.associate("deals", record["id"], "contacts", outsider["id"])
        self.state.associate("deals", record["id"], "contacts", buyer["id"])
        self.sync("deals")
        lead = self.lead(record)
        contacts = self.partner(outsider, "contacts") | self.partner(buyer, "contacts")
        self.assertEqual(len(contacts), 2, "the deal's contacts were imported on the way")
        self.assertEqual(lead.hubspot_contact_ids, contacts, "every deal contact is visible on the opportunity")
        self.assertEqual(lead.partner_id, self.partner(buyer, "contacts"), "the customer: the person at Acme")
        self.assertEqual(lead.partner_id.commercial_partner_id, self.partner(self.acme))
        self.assertEqual(lead.email_from, "einkauf@acme.example")

    def test_external_reference_matches_existing_opportunity(self):
        self.configure(deal_stage_filter="all")
        self.state.create_property(
            "deals",
            {
                "name": "order_number",
                "label": "Order",
                "type": "string",
                "fieldType": "text",
                "groupName": "dealinformation",
            },
        )
        self.env["hubspot.field.mapping"].create(
            {
                "account_id": self.account.id,
                "object_type": "deals",
                "field_id": self.env["ir.model.fields"]._get("crm.lead", "hubspot_external_ref").id,
                "hubspot_property": "order_number",
                "duplicate_key": True,
            }
        )
        existing = self.Lead.create({"name": "Order SO-1001", "type": "opportunity", "hubspot_external_ref": "SO-1001"})
        record = self.deal("Deal for SO-1001", "contractsent", order_number="so-1001 ")
        run = self.sync("deals")
        self.assertEqual((run.created_count, run.linked_count), (0, 1))
        self.assertEqual(self.lead(record), existing, "matched by the order number, not created twice")

    def test_deal_waits_for_its_company_to_be_accepted(self):
        self.configure(deal_stage_filter="all", review_new_companies=True)
        buyer = self.hs_contact("einkauf@acme.example", self.acme)
        record = self.deal("Waiting", "contractsent")
        self.state.associate("deals", record["id"], "contacts", buyer["id"])
        self.sync("companies")
        run = self.sync("deals")
        self.assertFalse(self.lead(record), "its company waits for a salesperson")
        self.assertEqual(run.skipped_count, 1)
        pending = self.env["hubspot.pending.company"].search([("hubspot_id", "=", self.acme["id"])])
        wizard = self.env["hubspot.accept.company"].create({"pending_id": pending.id, "mode": "create"})
        # HubSpot is down at that moment: the acceptance stands, the deal comes with the next run.
        with patch.object(HubSpotClient, "read_associations", side_effect=HubSpotConnectionError("down")):
            wizard.action_confirm()
        self.assertTrue(pending.followers_pending)
        self.assertFalse(self.lead(record))
        self.sync("companies")  # nothing changed in HubSpot, yet the deal and the contact arrive
        lead = self.lead(record)
        self.assertEqual(lead.partner_id, self.partner(buyer, "contacts"))
        self.assertEqual(lead.partner_id.parent_id, self.partner(self.acme))
        self.assertFalse(pending.followers_pending)

    def test_fields_hubspot_owns_are_read_only_on_linked_opportunities(self):
        self.configure(deal_stage_filter="all")
        self.account.mapping_ids.filtered(
            lambda m: m.object_type == "deals" and m.field_name == "name"
        ).rule = "hubspot"
        record = self.deal("Owned by HubSpot", "contractsent", amount="10")
        self.sync("deals")
        lead = self.lead(record)
        self.assertEqual(lead.hubspot_master_fields, "name")
        with self.assertRaisesRegex(UserError, "synced from HubSpot, which owns: Opportunity"):
            lead.name = "Edited in Odoo"
        lead.expected_revenue = 20  # a two-way field stays editable
        self.state.advance(seconds=5)
        self.state.update_record("deals", record["id"], {"dealname": "Renamed in HubSpot"})
        self.sync("deals")
        self.assertEqual(lead.name, "Renamed in HubSpot", "the sync itself may write it")
        lead.action_hubspot_unlink()
        lead.name = "Now Odoo's"
        self.assertEqual(lead.name, "Now Odoo's")

    def test_account_defaults_for_team_and_salesperson(self):
        team = self.env["crm.team"].create({"name": "HubSpot inbound"})
        seller = self.env["res.users"].create({"name": "Default Seller", "login": "default_seller"})
        self.configure(deal_stage_filter="all", team_id=team.id, default_user_id=seller.id)
        record = self.deal("Unowned", "contractsent", hubspot_owner_id="987654")  # an owner with no Odoo user
        self.sync("deals")
        lead = self.lead(record)
        self.assertEqual((lead.team_id, lead.user_id), (team, seller))
        self.assertEqual(lead.partner_id.user_id, seller, "the company imported on the way too")

    def test_a_deal_that_loses_its_owner_stays_in_the_accounts_company(self):
        """Odoo voids an opportunity's company when it has neither salesperson nor team: a deal whose
        owner is removed in HubSpot must not leave the account's company (nor vanish from its lists)."""
        seller = self.env["res.users"].create(
            {"name": "Sales Owner", "login": "sales_owner", "email": "owner@acme.example"}
        )
        owner = self.state.add_owner("owner@acme.example", "Sales", "Owner")
        self.configure(deal_stage_filter="all")
        record = self.deal("Owned", "contractsent", hubspot_owner_id=owner["id"])
        self.sync("deals")
        lead = self.lead(record)
        self.assertEqual((lead.user_id, lead.company_id), (seller, self.account.company_id))
        lead.partner_id.company_id = False  # a customer shared by all companies, as Odoo creates them
        self.state.advance(seconds=5)
        self.state.update_record("deals", record["id"], {"hubspot_owner_id": ""})
        run = self.sync("deals")
        self.assertEqual(run.updated_count, 1)
        self.assertFalse(lead.user_id, "HubSpot's deal has no owner any more")
        self.assertEqual(lead.company_id, self.account.company_id, "still the account's company's opportunity")

    # ---------------------------------------------------------- hostile payloads
    def test_unknown_stage_keeps_odoo_stage_and_syncs_the_rest(self):
        proposal = self.env["crm.stage"].create({"name": "Proposal"})
        self.stages["contractsent"].crm_stage_id = proposal
        self.configure(deal_stage_filter="all")
        record = self.deal("Moving", "contractsent", amount="100")
        self.sync("deals")
        # HubSpot answers with a stage no pipeline lists (added and removed since, or garbage).
        self.state.advance(seconds=5)
        self.state.objects["deals"][str(record["id"])]["properties"].update(dealstage="no-such-stage", amount="250")
        self.state.update_record("deals", record["id"], {"dealname": "Moving on"})
        run = self.sync("deals")
        lead = self.lead(record)
        self.assertEqual((lead.name, lead.expected_revenue), ("Moving on", 250))
        self.assertEqual(lead.stage_id, proposal, "an unknown stage changes nothing")
        self.assertFalse(run.error_ids)

    def test_deleted_pipeline(self):
        extra = self.state.add_pipeline("deals", "Partner deals", [("intro", "Intro", "0.1")])
        self.configure(deal_stage_filter="all")
        record = self.deal("Via partner", "intro")
        self.state.objects["deals"][str(record["id"])]["properties"]["pipeline"] = str(extra["id"])
        self.sync("deals")
        lead = self.lead(record)
        self.assertEqual(lead.hubspot_stage_id.name, "Intro")
        # The pipeline is deleted in HubSpot while the deal still points at it; an hour later the
        # sync reads the pipelines again.
        self.state.pipelines["deals"].remove(extra)
        self.state.advance(seconds=5)
        self.state.update_record("deals", record["id"], {"dealname": "Via partner (renamed)"})
        self.account.pipelines_refreshed_at = fields.Datetime.now() - timedelta(hours=1, seconds=1)
        run = self.sync("deals")
        self.assertEqual(lead.name, "Via partner (renamed)", "the deal still syncs")
        self.assertTrue(lead.hubspot_stage_id.archived, "its HubSpot stage shows as archived")
        self.assertFalse(run.error_ids)

    def test_dangling_association(self):
        self.configure(deal_stage_filter="all")
        record = self.deal("Orphan", "contractsent")
        # The association read names records deleted in the meantime: their read finds nothing.
        original = HubSpotClient.read_associations

        def dangling(client, from_type, to_type, ids):
            found = original(client, from_type, to_type, ids)
            if from_type == "deals":
                return {from_id: ["999999999", *to_ids] for from_id, to_ids in found.items()} | {
                    str(i): ["999999999"] for i in ids if str(i) not in found
                }
            return found

        with patch.object(HubSpotClient, "read_associations", dangling):
            run = self.sync("deals")
        lead = self.lead(record)
        self.assertTrue(lead, "the deal is imported all the same")
        self.assertFalse(lead.partner_id, "the first company named does not exist: no customer rather than a wrong one")
        self.assertFalse(lead.hubspot_contact_ids)
        self.assertEqual((run.created_count, run.failed_count), (1, 0))


@tagged("post_install", "-at_install")
class TestDealsOutbound(OutboundCase):
    def setUp(self):
        super().setUp()
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        self.stages = {
            s.hubspot_id: s for s in self.account.pipeline_ids.stage_ids.filtered(lambda s: s.object_type == "deals")
        }
        self.proposal = self.env["crm.stage"].create({"name": "Proposal", "sequence": 50})
        self.stages["contractsent"].crm_stage_id = self.proposal
        self.configure(deal_stage_filter="all", deals_direction="both")
        self.two_way("companies")
        self.two_way("contacts")

    def opportunity(self, **values):
        return (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .create(
                dict(
                    {
                        "name": "Odoo opportunity",
                        "type": "opportunity",
                        "partner_id": self.person.id,
                        "expected_revenue": 1200,
                        "stage_id": self.proposal.id,
                        "company_id": self.account.company_id.id,
                    },
                    **values,
                )
            )
        )

    def test_new_opportunity_creates_a_deal_with_stage_and_associations(self):
        lead = self.opportunity(date_deadline="2026-12-31")
        run = self.two_way("deals")[1]
        self.assertEqual(run.created_count, 1)
        deal = self.remote(lead)
        props = deal["properties"]
        self.assertEqual((props["dealname"], float(props["amount"])), ("Odoo opportunity", 1200))
        self.assertEqual((props["pipeline"], props["dealstage"]), ("default", "contractsent"), "through the mapping")
        self.assertTrue(props["closedate"].startswith("2026-12-31"))
        companies = [i for i, _types in self.state.associated("deals", lead.hubspot_id, "companies")]
        contacts = [i for i, _types in self.state.associated("deals", lead.hubspot_id, "contacts")]
        self.assertEqual((companies, contacts), ([self.customer.hubspot_id], [self.person.hubspot_id]))
        # Nothing changed: the next rounds send nothing.
        self.state.clear_log()
        inbound, outbound = self.two_way("deals")
        self.assertEqual((inbound.updated_count, outbound.updated_count, outbound.created_count), (0, 0, 0))
        self.assertEqual(self.writes(), {})

    def test_won_and_lost_go_back_to_hubspot(self):
        won, lost = self.opportunity(name="Will win"), self.opportunity(name="Will lose")
        self.two_way("deals")
        reason = self.env["crm.lost.reason"].create({"name": "Chose a competitor"})
        won.action_set_won()
        lost.action_set_lost(lost_reason_id=reason.id)
        run = self.push("deals")
        self.assertEqual(run.updated_count, 2)
        self.assertEqual(self.remote(won)["properties"]["dealstage"], "closedwon")
        lost_props = self.remote(lost)["properties"]
        self.assertEqual(
            (lost_props["dealstage"], lost_props["closed_lost_reason"]), ("closedlost", "Chose a competitor")
        )
        self.assertTrue(self.remote(lost), "lost is a stage in HubSpot, never an archived deal")
        # The import that follows brings no change back (no echo), and the lost one stays lost.
        self.state.advance(seconds=5)
        inbound, outbound = self.two_way("deals")
        self.assertEqual((lost.active, lost.won_status, lost.lost_reason_id), (False, "lost", reason))
        self.assertEqual(outbound.updated_count, 0)

    def test_stage_moved_in_odoo_moves_the_deal(self):
        lead = self.opportunity(stage_id=self.env["crm.stage"].search([("is_won", "=", False)], limit=1).id)
        self.two_way("deals")
        self.assertEqual(self.remote(lead)["properties"]["dealstage"], "appointmentscheduled", "unmapped: first stage")
        lead.stage_id = self.proposal
        self.push("deals")
        self.assertEqual(self.remote(lead)["properties"]["dealstage"], "contractsent")

    def test_opportunity_outside_the_selected_stages_is_not_pushed(self):
        self.configure(deal_stage_filter="selected", deal_stage_ids=[(6, 0, self.stages["closedwon"].ids)])
        lead = self.opportunity()
        won = self.opportunity(name="Signed in Odoo")
        won.action_set_won()
        run = self.push("deals")
        self.assertFalse(lead.hubspot_id)
        self.assertEqual((run.created_count, run.skipped_count), (1, 1))
        self.assertEqual(self.remote(won)["properties"]["dealstage"], "closedwon", "in a selected stage: pushed")

    def test_values_as_hubspot_spells_them_are_not_sent_back(self):
        """HubSpot gives a date property as midnight UTC and keeps a number's trailing zero: the
        opportunity holds the same values, so a push after the import sends nothing."""
        record = self.state.add_record(
            "deals",
            {
                "dealname": "Spelled by HubSpot",
                "pipeline": "default",
                "dealstage": "contractsent",
                "amount": "5000.50",
                "closedate": "2026-12-24T00:00:00.000Z",
            },
        )
        self.sync("deals")
        lead = self.env["crm.lead"].search([("hubspot_id", "=", record["id"])])
        self.assertEqual((lead.expected_revenue, str(lead.date_deadline)), (5000.5, "2026-12-24"))
        self.state.clear_log()
        run = self.push("deals")
        self.assertEqual((run.updated_count, run.failed_count), (0, 0))
        record_writes = [op for op in self.writes() if not op.startswith("properties.")]  # the connector's own
        self.assertEqual(record_writes, [], "nothing changed: nothing is sent")
        # A real change still goes, in HubSpot's terms.
        lead.date_deadline = "2026-12-31"
        run = self.push("deals")
        self.assertEqual(run.updated_count, 1)
        props = self.state.get_record("deals", record["id"])["properties"]
        self.assertTrue(props["closedate"].startswith("2026-12-31"))
        self.assertEqual(float(props["amount"]), 5000.5)

    def test_imported_deal_edited_in_odoo_sends_only_the_change(self):
        record = self.state.add_record("deals", {"dealname": "From HubSpot", "dealstage": "contractsent"})
        self.state.associate("deals", record["id"], "companies", self.customer.hubspot_id)
        self.state.associate("deals", record["id"], "contacts", self.person.hubspot_id)
        self.sync("deals")
        lead = self.env["crm.lead"].search([("hubspot_id", "=", record["id"])])
        self.assertEqual(lead.partner_id, self.person)
        self.state.clear_log()
        lead.name = "Renamed in Odoo"
        run = self.push("deals")
        self.assertEqual(run.updated_count, 1)
        self.assertEqual(self.state.get_record("deals", record["id"])["properties"]["dealname"], "Renamed in Odoo")
        self.assertFalse(
            [op for op in self.writes() if "associat" in op], "the associations HubSpot has are not sent back"
        )
