"""Defects `make soak` found, each reproduced here without the soak (issue 15)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import tagged
from odoo.tests.common import BaseCase, get_db_name

from ..hubspot import HubSpotClient
from ..models.hubspot_sync_checkpoint import HubspotSyncCheckpoint
from ..models.hubspot_sync_engine import HubspotSyncEngine
from .common import InboundCase, MockedHubSpotMixin, SandboxMixin

# What the soak's hostile records hold: 100 kB of text (compressed, still over an index entry's 2704 bytes).
HUGE_NAME = "Hostile company " + ("Ä€字🙂 " * 20000)[:100_000]


@tagged("post_install", "-at_install")
class TestSoakFindings(InboundCase):
    def setUp(self):
        super().setUp()
        self.state.freeze(fields.Datetime.now() - timedelta(hours=1))

    def test_a_record_changed_while_the_run_pages_is_not_skipped(self):
        """Search's cursor is an offset: a record changed in HubSpot while a run reads page after
        page moves to the end of the order, and the next page used to start one record too far,
        so the record that took its place was never imported (the soak lost a contact so)."""
        companies = []
        for n in range(450):
            companies.append(self.hs_company(f"Firma {n:03d}", domain=f"firma{n:03d}.example"))
            self.state.advance(seconds=1)
        self.settle()
        search = HubSpotClient.search
        pages = []

        def search_while_a_user_edits(client, object_type, *args, **kwargs):
            body = search(client, object_type, *args, **kwargs)
            pages.append(object_type)
            if len(pages) == 1:  # a user edits the first company in HubSpot while the run goes on
                self.state.advance(seconds=1)
                self.state.update_record("companies", companies[0]["id"], {"city": "Oulu"})
            return body

        with patch.object(HubSpotClient, "search", search_while_a_user_edits):
            run = self.engine._run_inbound(self.account, "companies")
        self.assertEqual(run.failed_count, 0, run.message)
        missing = [c["properties"]["name"] for c in companies if not self.partner(c)]
        self.assertEqual(missing, [], "every company is in Odoo")
        self.assertEqual(run.created_count, 450)
        self.assertGreaterEqual(len(pages), 3, "the run read page after page")
        # The edited one comes with its change at the next run (HubSpot's index showed it late).
        self.sync()
        self.assertEqual(self.partner(companies[0]).city, "Oulu")

    def test_a_name_too_long_for_odoos_index_fails_that_record(self):
        """PostgreSQL refuses an index entry over 2704 bytes (a partner's name is indexed): such a
        name used to log the database's ERROR. It fails its record, with the reason, quietly."""
        good = self.hs_company("Good GmbH", domain="good.example")
        huge = self.hs_company(HUGE_NAME, domain="huge.example")
        contact = self.hs_contact("long@good.example", good, firstname="Long", lastname=HUGE_NAME)
        with self.assertNoLogs(level="WARNING"):
            run = self.sync("companies")
            contacts = self.sync("contacts")
        self.assertEqual((run.created_count, run.failed_count), (1, 1), run.message)
        self.assertTrue(self.partner(good))
        self.assertFalse(self.partner(huge))
        self.assertEqual(run.error_ids.hubspot_id, huge["id"])
        self.assertIn("HubSpot property name: ", run.error_ids.reason)
        self.assertIn("longer than Odoo's field name can hold", run.error_ids.reason)
        self.assertEqual((contacts.created_count, contacts.failed_count), (0, 1))
        self.assertIn("firstname,lastname", contacts.error_ids.reason)
        self.assertFalse(self.partner(contact, "contacts"))
        # Shortened in HubSpot, it arrives.
        self.state.advance(seconds=2)
        self.state.update_record("companies", huge["id"], {"name": "Huge AG"})
        self.sync("companies")
        self.assertEqual(self.partner(huge).name, "Huge AG")


@tagged("post_install", "-at_install")
class TestSoakFindingsTwoJobs(SandboxMixin, MockedHubSpotMixin, BaseCase):
    """The same sync job in two cron workers (two servers on one database), one right after the
    other: two threads, two database connections, real commits (removed again after the test)."""

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
        self.patch(Registry, "_lock", DummyRLock())  # the workers' threads open environments
        self.state.reset()
        self.addCleanup(self.remove_data)
        with self.registry.cursor() as cr:
            account = self.env(cr)["hubspot.account"].create(
                {
                    "name": "Two workers portal",
                    "api_base_url": self.sandbox.url,
                    "access_token": "sandbox-token",
                    "portal_id": "12345678",
                    "sync_contacts": False,
                    "state": "running",
                }
            )
            self.account_id = account.id

    def remove_data(self):
        """What the test committed goes again (the other tests share this database)."""
        with self.registry.cursor() as cr:
            env = self.env(cr)
            domain = [("hubspot_account_id", "=", self.account_id)]
            env["res.partner"].with_context(active_test=False).search(domain).unlink()
            env["hubspot.account"].browse(self.account_id).unlink()

    def job(self, role, name):
        """What a cron worker does: a new transaction, the companies job's inbound run."""
        role.name = name
        with self.registry.cursor() as cr:
            env = self.env(cr)
            run = env["hubspot.sync.engine"]._run_inbound(env["hubspot.account"].browse(self.account_id), "companies")
            return "skipped" if run is None else run.id  # False: a run that changed nothing keeps no row

    def test_the_next_worker_starts_its_run_quietly_after_the_first_finished(self):
        """The second worker's transaction began while the first worker's run was running; it took
        the lock once the first had finished and committed. It took the first's run for one its
        worker left running and marked it interrupted: with the snapshot of its transaction
        start, an update of a row the first had changed since, which PostgreSQL refused
        (serialization failure, logged as an ERROR by Odoo's database layer) and the second run
        died before it synced anything. It syncs, and nothing is logged."""
        acme = self.state.add_record("companies", {"name": "Acme Oy", "domain": "acme.example"})
        self.settle()
        role = threading.local()
        first_started, second_read, first_done, go = (threading.Event() for _n in range(4))
        start_run, try_lock, unlock = (
            HubspotSyncEngine._start_run,
            HubspotSyncCheckpoint._try_lock,
            HubspotSyncCheckpoint._unlock,
        )

        def started(engine, *args):
            run = start_run(engine, *args)
            if role.name == "first":
                first_started.set()  # its run is committed, "running"
                self.assertTrue(second_read.wait(30))
            return run

        def locking(checkpoint):
            if role.name == "second":
                second_read.set()  # its transaction has read (the checkpoint): its snapshot is taken
                self.assertTrue(go.wait(30))
            return try_lock(checkpoint)

        def unlocking(checkpoint):
            unlock(checkpoint)
            if role.name == "first":
                first_done.set()

        with (
            patch.object(HubspotSyncEngine, "_start_run", started),
            patch.object(HubspotSyncCheckpoint, "_try_lock", locking),
            patch.object(HubspotSyncCheckpoint, "_unlock", unlocking),
            ThreadPoolExecutor(max_workers=2) as workers,
            self.assertNoLogs(level="WARNING"),
        ):
            first = workers.submit(self.job, role, "first")
            self.assertTrue(first_started.wait(30))
            second = workers.submit(self.job, role, "second")
            self.assertTrue(first_done.wait(60))
            # Changed in HubSpot after the first run read: the second brings it.
            self.state.update_record("companies", acme["id"], {"city": "Oulu"})
            self.settle()
            go.set()
            run_ids = [first.result(timeout=60), second.result(timeout=60)]

        with self.registry.cursor() as cr:
            env = self.env(cr)
            runs = env["hubspot.sync.run"].browse(run_ids)
            self.assertEqual(runs.mapped("state"), ["done", "done"], runs.mapped("message"))
            self.assertEqual(runs.mapped("created_count"), [1, 0])
            self.assertEqual(runs.mapped("updated_count"), [0, 1])
            partner = env["res.partner"].search([("hubspot_account_id", "=", self.account_id)])
            self.assertEqual((partner.hubspot_id, partner.city), (acme["id"], "Oulu"))
            self.assertFalse(
                env["hubspot.sync.run"].search([("account_id", "=", self.account_id), ("state", "=", "running")])
            )

    def test_two_first_runs_at_once_make_one_checkpoint_quietly(self):
        """The first run of a type in two workers at once (two servers, Start integration): both
        found no checkpoint and created one; the unique key refused the second, whose job died
        with the database's ERROR and a traceback. The second takes the first's checkpoint."""
        acme = self.state.add_record("companies", {"name": "Acme Oy", "domain": "acme.example"})
        self.settle()
        role = threading.local()
        together = threading.Barrier(2, timeout=30)
        create = HubspotSyncCheckpoint.create  # the ORM's

        def creating(checkpoints, vals):
            together.wait()  # both looked for the checkpoint and found none
            return create(checkpoints, vals)

        with (
            patch.object(HubspotSyncCheckpoint, "create", creating),
            ThreadPoolExecutor(max_workers=2) as workers,
            self.assertNoLogs(level="WARNING"),
        ):
            futures = [workers.submit(self.job, role, name) for name in ("first", "second")]
            results = [future.result(timeout=60) for future in futures]

        with self.registry.cursor() as cr:
            env = self.env(cr)
            checkpoints = env["hubspot.sync.checkpoint"].search([("account_id", "=", self.account_id)])
            self.assertEqual(checkpoints.mapped(lambda c: (c.object_type, c.direction)), [("companies", "in")])
            runs = env["hubspot.sync.run"].browse([r for r in results if r not in ("skipped", False)])
            self.assertEqual(runs.mapped("state"), ["done"], results)
            self.assertEqual(runs.created_count, 1)
            partner = env["res.partner"].search([("hubspot_account_id", "=", self.account_id)])
            self.assertEqual(partner.hubspot_id, acme["id"], "Acme is in Odoo, once")
            self.assertTrue(checkpoints.full_import_done)
