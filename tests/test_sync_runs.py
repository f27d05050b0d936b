"""What a run promises: Sync now and Start run at once, jobs of one account never break each
other, a run that dies says so at once, and an idle cycle costs one API call per object type."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import BaseCase, get_db_name

from odoo.addons.base.models.ir_cron import IrCron

from ..models.hubspot_sync_engine import HubspotSyncEngine
from ..models.hubspot_sync_engine_inbound import HubspotSyncEngineInbound
from ..sandbox.catalog import deal_stage
from .common import InboundCase, MockedHubSpotMixin, SandboxMixin

ENGINE_LOGGER = "odoo.addons.hubspot_connector.models.hubspot_sync_engine"
REAL_COMMIT = IrCron._commit_progress  # InboundCase turns the jobs' commits into savepoints

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

    def run_crons(self, at_once=False):
        """What the cron workers do at the next tick: each sync job's own code (data/ir_cron_data.xml).
        A tick comes minutes after a change: HubSpot's search index shows it by then (``at_once``:
        a tick right after the change, while the index may still lag)."""
        if not at_once:
            self.settle()
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
        self.state.clear_log()
        self.run_crons()
        self.assertEqual(self.odoo_record("companies", self.acme).phone, "+49 30 777")
        self.assertEqual(self.odoo_record("tickets", self.ticket).name, "Toner empty")
        searched = {op.split(".")[0] for op in self.state.stats()["by_operation"] if op.endswith(".search")}
        self.assertEqual(searched, set(self.account._synced_types()), "every type ran once more")

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
        self.state.clear_log()
        # assertRaisesRegex: Odoo's assertRaises rolls back, and "no request" would hold whatever happened.
        with self.assertRaisesRegex(AccessError, "Only HubSpot Administrators"):
            self.account.with_user(self.hs_user).action_sync_now()
        with self.assertRaisesRegex(AccessError, "Only HubSpot Administrators"):
            self.account.with_context(hubspot_sync=True).with_user(self.hs_user).action_sync_now()
        self.assertFalse(self.env["hubspot.sync.request"].search([]))
        self.assertEqual(self.state.stats()["total"], 0, "HubSpot was not asked")
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
        self.assertFalse(runs.filtered(lambda r: r.state != "done"))

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
class TestRunThatDies(EveryTypeCase):
    """A run stopped by an error it could not handle says so at once, with the reason; what it
    committed stays and the next run goes on from there."""

    def test_a_run_dying_midway_is_failed_at_once_with_its_reason(self):
        for n in range(250):
            self.hs_company(f"Co {n:03d}")
        real = HubspotSyncEngineInbound._process_batch
        calls = []

        def process(engine, state, records, newest=None):
            calls.append(len(records))
            if len(calls) == 2:  # the second batch: the transaction is aborted under the run
                engine.env.cr.execute("SELECT 1 / 0", log_exceptions=False)
            return real(engine, state, records, newest)

        self.account.with_user(self.hs_admin).action_sync_now()
        self.state.clear_log()
        with (
            patch.object(type(self.env["ir.cron"]), "_commit_progress", REAL_COMMIT),  # the jobs' real commits
            patch.object(HubspotSyncEngineInbound, "_process_batch", process),
            self.assertLogs(ENGINE_LOGGER, "ERROR") as logged,
        ):
            self.run_crons()
        self.assertIn("DivisionByZero", logged.output[0])
        run = self.runs("companies").filtered(lambda r: r.direction == "in")[:1]
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.message, "The run stopped: DivisionByZero: division by zero")
        self.assertTrue(run.ended_at)
        self.assertFalse(self.account.run_ids.filtered(lambda r: r.state == "running"))
        imported = self.Partner.search_count([("name", "=like", "Co %")])
        self.assertTrue(0 < imported < 250, "the first batch was committed, the second not")
        self.assertEqual(run.created_count, imported, "and counted on the run")
        self.assertIn("contacts.search", self.state.stats()["by_operation"], "the other jobs ran")

        self.account.with_user(self.hs_admin).action_sync_now()
        self.run_crons()
        self.assertEqual(self.Partner.search_count([("name", "=like", "Co %")]), 250, "the next run went on")
        self.assertEqual(run.message, "The run stopped: DivisionByZero: division by zero", "not “Interrupted”")

    def test_an_account_without_token_fails_its_runs_with_the_reason(self):
        self.env.cr.execute("UPDATE hubspot_account SET access_token = NULL WHERE id = %s", [self.account.id])
        self.account.invalidate_recordset()
        before = self.account.run_ids
        self.account.with_user(self.hs_admin).action_sync_now()
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", REAL_COMMIT):
            self.run_crons()
        runs = self.account.run_ids - before
        self.assertEqual(len(runs), 12, "each type's import and push")
        self.assertEqual(set(runs.mapped("state")), {"failed"})
        self.assertEqual(
            set(runs.mapped("message")),
            {"The run stopped: Enter the HubSpot access token of account “Test portal” first."},
        )


@tagged("post_install", "-at_install")
class TestConcurrentJobs(SandboxMixin, MockedHubSpotMixin, BaseCase):
    """The deals and the tickets jobs of one account at the same moment, as two cron workers run
    them: two threads, two database connections, real commits (removed again after the test).
    Both refresh the owners, both name the same company waiting for review, the same new
    company and the same new contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.start_sandbox()
        cls.state = cls.sandbox.state

    def env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        # The test runner holds the registries' lock: let the workers' threads open environments
        # (what Odoo's own threaded tests do, see auth_ldap).
        self.patch(Registry, "_lock", DummyRLock())
        self.state.reset()
        self.addCleanup(self.remove_data)
        state = self.state
        with self.registry.cursor() as cr:
            env = self.env(cr)
            state.currency = env.company.currency_id.name
            self.project_id = env["project.project"].create({"name": "Concurrency support"}).id
            account = env["hubspot.account"].create(
                {
                    "name": "Concurrent portal",
                    "api_base_url": self.sandbox.url,
                    "access_token": "sandbox-token",
                    "portal_id": "12345678",
                    "deal_stage_filter": "all",
                    "sync_tickets": True,
                    "sync_line_items": False,
                    "state": "running",
                }
            )
            self.account_id = account.id
            env["hubspot.pipeline"]._refresh(account, account._get_client())
            account.pipeline_ids.filtered(lambda p: p.object_type == "tickets").project_id = self.project_id
        # E is a customer already; P waits for review; N is new; X is a new contact of E.
        self.known = state.add_record("companies", {"name": "Known AG", "domain": "known.example"})
        self.job("companies")
        with self.registry.cursor() as cr:
            account = self.env(cr)["hubspot.account"].browse(self.account_id)
            account.action_stop()
            account.write({"review_new_companies": True, "state": "running"})
        self.waiting = state.add_record("companies", {"name": "Waiting Oy", "domain": "waiting.example"})
        self.job("companies")
        self.new = state.add_record("companies", {"name": "New Ltd", "domain": "new.example"})
        self.person = state.add_record("contacts", {"email": "x@known.example", "firstname": "Xenia"})
        state.associate("contacts", self.person["id"], "companies", self.known["id"])
        owner = state.add_owner("nobody@example.com", "No", "Body")  # Odoo has not read the owners yet
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE hubspot_account SET owners_refreshed_at = NULL, pipelines_refreshed_at = NULL WHERE id = %s",
                [self.account_id],
            )
        self.records = {}
        for object_type, props in (
            ("deals", {"dealstage": "contractsent", "pipeline": "default"}),
            ("tickets", {"hs_pipeline": "0", "hs_pipeline_stage": "1"}),
        ):
            for company, contact in ((self.waiting, None), (self.known, self.person), (self.new, None)):
                name = f"{object_type} of {company['properties']['name']}"
                props = dict(
                    props, hubspot_owner_id=owner["id"], **{"dealname" if object_type == "deals" else "subject": name}
                )
                record = state.add_record(object_type, props)
                state.associate(object_type, record["id"], "companies", company["id"])
                if contact:
                    state.associate(object_type, record["id"], "contacts", contact["id"])
                self.records[(object_type, company["id"])] = record

    def job(self, object_type):
        self.settle()  # a job runs a while after the changes: HubSpot's search index shows them
        with self.registry.cursor() as cr:
            env = self.env(cr)
            run = env["hubspot.sync.engine"]._run_inbound(env["hubspot.account"].browse(self.account_id), object_type)
            return run.id

    def remove_data(self):
        """What the test committed goes again (the other tests share this database)."""
        account_id = getattr(self, "account_id", None)
        with self.registry.cursor() as cr:
            env = self.env(cr)
            domain = [("hubspot_account_id", "=", account_id)]
            env["project.task"].with_context(active_test=False).search(domain).unlink()
            env["crm.lead"].with_context(active_test=False).search(domain).unlink()
            partners = env["res.partner"].with_context(active_test=False).search(domain)
            partners.filtered(lambda p: not p.is_company).unlink()
            partners.exists().unlink()
            env["project.project"].browse(getattr(self, "project_id", [])).unlink()
            env["hubspot.account"].browse(account_id or []).unlink()

    def test_two_jobs_at_once_both_finish_and_everything_arrives(self):
        together = threading.Barrier(2, timeout=30)
        passed = threading.local()
        start_run, resolve = HubspotSyncEngine._start_run, HubspotSyncEngineInbound._resolve_associations

        def started(engine, *args):
            run = start_run(engine, *args)
            together.wait()  # both runs start together: both want the owners
            return run

        def resolving(engine, state, spec, records):
            if not getattr(passed, "done", False):
                passed.done = True
                together.wait()  # both have read Odoo's state before either wrote
            return resolve(engine, state, spec, records)

        with (
            patch.object(HubspotSyncEngine, "_start_run", started),
            patch.object(HubspotSyncEngineInbound, "_resolve_associations", resolving),
            ThreadPoolExecutor(max_workers=2) as workers,
        ):
            futures = [workers.submit(self.job, object_type) for object_type in ("deals", "tickets")]
            run_ids = [future.result(timeout=120) for future in futures]

        with self.registry.cursor() as cr:
            env = self.env(cr)
            runs = env["hubspot.sync.run"].browse(run_ids)
            self.assertEqual(runs.mapped("state"), ["done", "done"], runs.mapped("message"))
            self.assertEqual(runs.mapped("failed_count"), [0, 0])
            self.assertEqual(runs.mapped("created_count"), [1, 1])
            account = env["hubspot.account"].browse(self.account_id)
            self.assertFalse(account.run_ids.filtered(lambda r: r.state == "running"))
            self.assertFalse(env["hubspot.sync.error"].search([("account_id", "=", account.id)]))
            xenia = env["res.partner"].search(
                [
                    ("hubspot_account_id", "=", account.id),
                    ("hubspot_object_type", "=", "contacts"),
                    ("hubspot_id", "=", self.person["id"]),
                ]
            )
            self.assertEqual(len(xenia), 1, "one partner for the contact both jobs imported")
            self.assertEqual(xenia.parent_id.hubspot_id, self.known["id"])
            deal = env["crm.lead"].search([("hubspot_id", "=", self.records[("deals", self.known["id"])]["id"])])
            task = env["project.task"].search([("hubspot_id", "=", self.records[("tickets", self.known["id"])]["id"])])
            self.assertEqual((deal.partner_id, task.partner_id), (xenia, xenia))
            self.assertEqual(len(account.owner_ids), 1, "the owners were read once")
            pending = env["hubspot.pending.company"].search([("account_id", "=", account.id)])
            self.assertEqual(sorted(pending.mapped("name")), ["New Ltd", "Waiting Oy"], "each queued once")
            self.assertEqual(set(pending.mapped("state")), {"pending"})
            waiting = [self.records[(t, c["id"])]["id"] for t in ("deals", "tickets") for c in (self.waiting, self.new)]
            self.assertFalse(
                env["crm.lead"].search_count([("hubspot_id", "in", waiting)])
                + env["project.task"].search_count([("hubspot_id", "in", waiting)]),
                "the deals and tickets of companies under review wait for them",
            )


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
        self.settle()
        account.action_start()
        self.assertEqual(self.triggered_jobs(), self.env.ref("hubspot_connector.ir_cron_sync_companies"))
        partner = self.env["res.partner"].search([("hubspot_id", "=", remote["id"])])
        self.assertEqual(partner.phone, "+358 9 1")
        # Changed in HubSpot right after that run: the daily schedule would bring it tomorrow.
        self.sandbox.state.update_record("companies", remote["id"], {"phone": "+358 9 999 0100", "city": "Espoo"})
        self.settle()
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
