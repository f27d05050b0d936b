"""What a run promises: Sync now and Start run at once, jobs of one account never break each
other, a run that dies says so at once, and an idle cycle costs one API call per object type."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..sandbox.catalog import deal_stage
from .common import SandboxMixin
from .test_sync_inbound import InboundCase

CRONS = (  # the sync jobs of data/ir_cron_data.xml, in their priority order
    ("companies", "hubspot_connector.ir_cron_sync_companies"),
    ("contacts", "hubspot_connector.ir_cron_sync_contacts"),
    ("deals", "hubspot_connector.ir_cron_sync_deals"),
    ("tickets", "hubspot_connector.ir_cron_sync_tickets"),
    ("products", "hubspot_connector.ir_cron_sync_products"),
    ("line_items", "hubspot_connector.ir_cron_sync_line_items"),
)


class EveryTypeCase(InboundCase):
    """An account that syncs every object type on a daily schedule, with one record of each
    type in HubSpot, imported by a first run of the sync jobs."""

    def setUp(self):
        super().setUp()
        self.project = self.env["project.project"].create({"name": "Support", "company_id": self.company.id})
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        self.account.pipeline_ids.filtered(lambda p: p.object_type == "tickets").project_id = self.project
        self.configure(
            deal_stage_filter="all",
            sync_tickets=True,
            sync_products=True,
            sync_interval="1440",
            **{f"{object_type}_direction": "both" for object_type, _xmlid in CRONS},
        )
        self.seller = new_test_user(self.env, login="seller", email="seller@example.com")
        self.owner = self.state.add_owner("seller@example.com", "Sam", "Seller")
        self.acme = self.hs_company("Acme GmbH", domain="acme.example", phone="+49 30 1")
        self.anna = self.hs_contact("anna@acme.example", self.acme, firstname="Anna", jobtitle="Buyer")
        self.widget = self.state.add_record("products", {"name": "Widget", "hs_sku": "W-1", "price": "10"})
        self.deal = self.state.add_record(
            "deals", {"dealname": "Rollout", "dealstage": "contractsent", "pipeline": "default", "amount": "20"}
        )
        self.state.associate("deals", self.deal["id"], "companies", self.acme["id"])
        self.item = self.state.add_record(
            "line_items", {"name": "Widget", "quantity": "2", "price": "10", "hs_product_id": self.widget["id"]}
        )
        self.state.associate("line_items", self.item["id"], "deals", self.deal["id"])
        self.ticket = self.state.add_record(
            "tickets", {"subject": "Printer jams", "hs_pipeline": "0", "hs_pipeline_stage": "1"}
        )
        self.state.associate("tickets", self.ticket["id"], "companies", self.acme["id"])
        self.run_crons()
        self.assertEqual(set(self.account.run_ids.mapped("state")), {"done"}, self.account.run_ids.mapped("message"))

    def run_crons(self):
        """What the cron workers do at the next tick: each sync job's own code (data/ir_cron_data.xml)."""
        with self.enter_registry_test_mode():  # the jobs' own cursors see this test's data
            for object_type, xmlid in CRONS:
                cron = self.env.ref(xmlid)
                self.assertIn(f'model._cron_sync("{object_type}")', cron.code)
                self.assertIs(cron.method_direct_trigger(), True, f"the {object_type} job ran without error")

    def odoo_record(self, object_type, record):
        model = self.engine._spec(object_type).model
        return (
            self.env[model]
            .with_context(active_test=False)
            .search([("hubspot_id", "=", str(record["id"])), ("hubspot_object_type", "=", object_type)])
        )

    def runs(self, object_type):
        return self.account.run_ids.filtered(lambda r: r.object_type == object_type)


@tagged("post_install", "-at_install")
class TestSyncNow(EveryTypeCase):
    """A change made in HubSpot right after a run, with a daily schedule: the next tick of the
    jobs leaves it there, unless an administrator pressed Sync now (or Start)."""

    def sync_now_brings(self, object_type, record, change, field, expected):
        target = self.odoo_record(object_type, record)
        self.assertTrue(target, f"the first run imported the {object_type} record")
        before = target[field]
        self.state.advance(seconds=1)
        self.state.update_record(object_type, record["id"], change)
        runs = len(self.runs(object_type))
        self.state.clear_log()
        self.run_crons()  # the schedule alone: not due before tomorrow
        self.assertEqual(self.state.stats()["total"], 0, "no job asked HubSpot anything")
        self.assertEqual(len(self.runs(object_type)), runs, "no run")
        self.assertEqual(target[field], before)

        action = self.account.with_user(self.hs_admin).action_sync_now()
        self.assertEqual(action["params"]["message"], "The HubSpot sync will run in a moment.")
        self.run_crons()
        self.assertEqual(target[field], expected, f"the {object_type} change arrived with Sync now")
        run = self.runs(object_type).filtered(lambda r: r.direction == "in")[:1]
        self.assertEqual((run.state, run.updated_count), ("done", 1), run.message)
        self.assertFalse(self.env["hubspot.sync.request"].search([]), "the requests were used up")
        self.state.clear_log()
        self.run_crons()
        self.assertEqual(self.state.stats()["total"], 0, "one Sync now is one run, then the schedule again")

    def test_company(self):
        self.sync_now_brings("companies", self.acme, {"phone": "+49 30 999"}, "phone", "+49 30 999")

    def test_contact(self):
        self.sync_now_brings(
            "contacts", self.anna, {"jobtitle": "Head of Purchasing"}, "function", "Head of Purchasing"
        )

    def test_deal(self):
        self.sync_now_brings("deals", self.deal, {"amount": "4500"}, "expected_revenue", 4500)

    def test_line_item(self):
        self.sync_now_brings("line_items", self.item, {"quantity": "7"}, "quantity", 7)

    def test_ticket(self):
        self.sync_now_brings("tickets", self.ticket, {"subject": "Printer on fire"}, "name", "Printer on fire")

    def test_product(self):
        self.sync_now_brings("products", self.widget, {"price": "12.5"}, "list_price", 12.5)

    def test_start_runs_everything_at_once(self):
        self.account.with_user(self.hs_admin).action_stop()
        self.state.advance(seconds=1)
        self.state.update_record("companies", self.acme["id"], {"phone": "+49 30 777"})
        self.state.update_record("tickets", self.ticket["id"], {"subject": "Toner empty"})
        self.account.with_user(self.hs_admin).action_start()
        self.run_crons()
        self.assertEqual(self.odoo_record("companies", self.acme).phone, "+49 30 777")
        self.assertEqual(self.odoo_record("tickets", self.ticket).name, "Toner empty")
        self.assertEqual(
            {t: len(self.runs(t).filtered(lambda r: r.direction == "in")) for t, _xmlid in CRONS},
            dict.fromkeys(self.account._synced_types(), 2),
            "every type ran once more",
        )

    def test_the_daily_schedule_alone_waits(self):
        self.state.advance(seconds=1)
        self.state.update_record("companies", self.acme["id"], {"phone": "+49 30 555"})
        runs = len(self.account.run_ids)
        self.state.clear_log()
        for _tick in range(3):
            self.run_crons()
        self.assertEqual(self.state.stats()["total"], 0)
        self.assertEqual(len(self.account.run_ids), runs)
        self.assertEqual(self.odoo_record("companies", self.acme).phone, "+49 30 1")

    def test_a_hubspot_user_cannot_sync_now_and_a_stopped_account_says_so(self):
        self.state.advance(seconds=1)
        self.state.update_record("companies", self.acme["id"], {"phone": "+49 30 555"})
        with self.assertRaises(AccessError):
            self.account.with_user(self.hs_user).action_sync_now()
        with self.assertRaises(AccessError):
            self.account.with_context(hubspot_sync=True).with_user(self.hs_user).action_sync_now()
        self.assertFalse(self.env["hubspot.sync.request"].search([]))
        self.state.clear_log()
        self.run_crons()
        self.assertEqual(self.state.stats()["total"], 0, "nothing ran")
        self.assertEqual(self.odoo_record("companies", self.acme).phone, "+49 30 1")

        self.account.action_stop()
        with self.assertRaisesRegex(UserError, "Start the integration of “Test portal” first"):
            self.account.with_user(self.hs_admin).action_sync_now()
        self.assertFalse(self.env["hubspot.sync.request"].search([]))


@tagged("post_install", "-at_install")
class TestIdleCost(EveryTypeCase):
    """With nothing changed in HubSpot, a cycle of the sync jobs asks HubSpot once per object type
    (its search for changes); owners and pipelines are read hourly, or when a record needs them."""

    def setUp(self):
        super().setUp()
        self.account.sync_interval = "5"
        self.start = fields.Datetime.now()

    def cycle(self, minutes):
        """The jobs' tick ``minutes`` after the first import; HubSpot's calls, by operation."""
        self.state.clear_log()
        with freeze_time(self.start + timedelta(minutes=minutes)):
            self.run_crons()
        return self.state.stats()["by_operation"]

    def test_an_idle_cycle_costs_one_search_per_type(self):
        # A ticket of a pipeline nobody mapped to a project is skipped, so never linked: it is the
        # newest record and must not be read again by every run.
        pipeline = self.state.add_pipeline("tickets", "Partners", [("p1", "New", "OPEN")])
        self.state.advance(seconds=1)
        self.state.add_record("tickets", {"subject": "Nobody maps me", "hs_pipeline": pipeline["id"]})
        self.assertIn("tickets.search", self.cycle(6))
        one_search_each = {f"{object_type}.search": 1 for object_type in self.account._synced_types()}
        self.assertEqual(len(one_search_each), 6)
        for minutes in (12, 18):
            self.assertEqual(self.cycle(minutes), one_search_each)
        runs = self.account.run_ids.filtered(lambda r: r.started_at >= self.start + timedelta(minutes=12))
        self.assertEqual(set(runs.mapped("state")), {"done"})

    def test_owners_and_pipelines_are_read_hourly_by_one_job(self):
        calls = self.cycle(61)
        self.assertEqual(
            {op: n for op, n in calls.items() if op.startswith(("owners", "pipelines"))},
            {"owners.list": 1, "pipelines.deals.list": 1, "pipelines.tickets.list": 1},
            calls,
        )
        calls = self.cycle(67)
        self.assertFalse([op for op in calls if op.startswith(("owners", "pipelines"))], calls)

    def test_a_deal_in_a_new_stage_refreshes_the_pipelines_once_and_arrives_mapped(self):
        negotiation = self.env["crm.stage"].create({"name": "Negotiation", "sequence": 30})
        stages = self.state.find_pipeline("deals", "default")["stages"]
        stages.append(deal_stage("negotiation", "Negotiation", "0.7", len(stages), self.state.stamp()))
        self.state.advance(seconds=1)
        self.state.update_record("deals", self.deal["id"], {"dealstage": "negotiation"})
        calls = self.cycle(6)
        self.assertEqual(calls.get("pipelines.deals.list"), 1, calls)
        lead = self.odoo_record("deals", self.deal)
        self.assertEqual(lead.hubspot_stage_id.name, "Negotiation")
        self.assertEqual((lead.stage_id, lead.probability), (negotiation, 70))
        self.assertNotIn("pipelines.deals.list", self.cycle(12))

    def test_an_owner_hubspot_added_is_read_at_once(self):
        buyer = new_test_user(self.env, login="buyer", email="buyer@example.com")
        owner = self.state.add_owner("buyer@example.com", "Bea", "Buyer")
        self.state.advance(seconds=1)
        self.state.update_record("companies", self.acme["id"], {"hubspot_owner_id": owner["id"]})
        self.state.update_record("deals", self.deal["id"], {"hubspot_owner_id": owner["id"]})
        calls = self.cycle(6)
        self.assertEqual(calls.get("owners.list"), 1, "read once, by the first job that needed it")
        self.assertEqual(self.odoo_record("companies", self.acme).user_id, buyer)
        self.assertEqual(self.odoo_record("deals", self.deal).user_id, buyer)
        self.assertNotIn("owners.list", self.cycle(12))

    def test_line_items_of_a_deal_that_arrives_later_come_once(self):
        self.state.advance(seconds=1)
        late = self.state.add_record("deals", {"dealname": "Late", "dealstage": "closedlost", "pipeline": "default"})
        item = self.state.add_record("line_items", {"name": "Gadget", "quantity": "1", "price": "5"})
        self.state.associate("line_items", item["id"], "deals", late["id"])
        self.account.action_stop()
        self.account.write({"deal_stage_filter": "selected", "deal_stage_ids": [(6, 0, self.stages("contractsent"))]})
        self.account.state = "running"
        self.cycle(6)  # the line item is read, but its deal is not in Odoo
        self.assertFalse(self.odoo_record("line_items", item))
        self.account.action_stop()
        self.account.deal_stage_ids = [(6, 0, self.stages("contractsent", "closedlost"))]
        self.account.state = "running"
        self.state.advance(seconds=1)
        self.state.update_record("deals", late["id"], {"dealname": "Late, but here"})
        self.cycle(12)
        self.assertTrue(self.odoo_record("deals", late))
        self.assertEqual(self.odoo_record("line_items", item).lead_id, self.odoo_record("deals", late))
        self.assertEqual(self.cycle(18).get("associations.deals.line_items.batch_read"), None, "asked once")

    def stages(self, *hubspot_ids):
        stages = self.account.pipeline_ids.stage_ids
        return stages.filtered(lambda s: s.object_type == "deals" and s.hubspot_id in hubspot_ids).ids


@tagged("post_install", "-at_install")
class TestSyncNowTour(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()

    def triggered_jobs(self):
        """Run the sync jobs asked to run soon since the last call (what a cron worker does next)."""
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "in", self.crons.ids), ("id", ">", self.seen)])
        crons = triggers.cron_id
        self.seen = max(triggers.ids, default=self.seen)
        for cron in crons.sorted("priority"):
            self.assertIs(cron.method_direct_trigger(), True)
        return crons

    def test_admin_presses_sync_now_and_sees_the_change(self):
        self.crons = self.env["ir.cron"].browse([self.env.ref(xmlid).id for _type, xmlid in CRONS])
        self.seen = max(self.env["ir.cron.trigger"].search([]).ids, default=0)
        account = self.env["hubspot.account"].create(
            {
                "name": "Sandbox portal",
                "api_base_url": self.sandbox.url,
                "access_token": "sandbox-token",
                "portal_id": "12345678",
                "sync_contacts": False,
                "sync_interval": "1440",
            }
        )
        remote = self.sandbox.state.add_record("companies", {"name": "Nordlicht Oy", "phone": "+358 9 1"})
        account.action_start()
        self.assertEqual(self.triggered_jobs(), self.env.ref("hubspot_connector.ir_cron_sync_companies"))
        partner = self.env["res.partner"].search([("hubspot_id", "=", remote["id"])])
        self.assertEqual(partner.phone, "+358 9 1")
        # Changed in HubSpot right after that run: the daily schedule would bring it tomorrow.
        self.sandbox.state.update_record("companies", remote["id"], {"phone": "+358 9 999 0100", "city": "Espoo"})
        for cron in self.crons:
            cron.method_direct_trigger()
        self.assertEqual(partner.phone, "+358 9 1", "not due")

        self.start_tour(
            f"/odoo/action-hubspot_connector.hubspot_account_action/{account.id}",
            "hubspot_sync_now_tour",
            login="admin",
        )
        self.assertEqual(self.triggered_jobs(), self.env.ref("hubspot_connector.ir_cron_sync_companies"))
        self.assertEqual(partner.phone, "+358 9 999 0100")
        self.start_tour(f"/odoo/contacts/{partner.id}", "hubspot_sync_now_partner_tour", login="admin")
