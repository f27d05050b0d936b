"""How a sync run starts, for every object type, through the sync jobs' own code (the ir.cron
records of data/ir_cron_data.xml, run as a cron worker runs them): the schedule falling due, a
type switched on, and an edit in Odoo that the jobs push. Sync now: test_sync_runs.TestSyncNow;
a webhook: test_entry_webhooks; running accounts only: test_entry_accounts. Each "does not sync"
has its "does" in the same test."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .test_sync_runs import EveryTypeCase

DAY = 24 * 60  # minutes: EveryTypeCase's account runs daily
# A change made in HubSpot per object type: (EveryTypeCase's record, HubSpot's change, the Odoo
# field that shows it, its value there).
INBOUND = {
    "companies": ("acme", {"phone": "+49 30 999"}, "phone", "+49 30 999"),
    "contacts": ("anna", {"jobtitle": "Head of Purchasing"}, "function", "Head of Purchasing"),
    "deals": ("deal", {"amount": "4500"}, "expected_revenue", 4500),
    "tickets": ("ticket", {"subject": "Printer on fire"}, "name", "Printer on fire"),
    "products": ("widget", {"price": "12.5"}, "list_price", 12.5),
    "line_items": ("item", {"quantity": "7"}, "quantity", 7),
}
# An edit made in Odoo per object type: (the record, Odoo's values, the HubSpot property, its value there).
OUTBOUND = {
    "companies": ("acme", {"phone": "+49 30 2"}, "phone", "+49 30 2"),
    "contacts": ("anna", {"function": "Head of Purchasing"}, "jobtitle", "Head of Purchasing"),
    "deals": ("deal", {"name": "Rollout, phase 2"}, "dealname", "Rollout, phase 2"),  # its lines make its amount
    "tickets": ("ticket", {"name": "Printer on fire"}, "subject", "Printer on fire"),
    "products": ("widget", {"list_price": 12.5}, "price", 12.5),
    "line_items": ("item", {"quantity": 7}, "quantity", 7),
}
WRITES = ("create", "update", "upsert", "archive")
SWITCHES = {  # the account's switch of each object type (Sync page)
    "companies": "sync_companies",
    "contacts": "sync_contacts",
    "deals": "sync_deals",
    "tickets": "sync_tickets",
    "products": "sync_products",
    "line_items": "sync_line_items",
}


class EntryCase(EveryTypeCase):
    """EveryTypeCase's account and records, with the jobs' ticks placed in time."""

    def setUp(self):
        super().setUp()
        self.start = fields.Datetime.now()  # the first import ran just before: the jobs' last run

    def tick(self, minutes, at_once=False):
        """The sync jobs' tick ``minutes`` after the first import (Odoo's clock and HubSpot's)."""
        with freeze_time(self.start + timedelta(minutes=minutes)):
            self.run_crons(at_once=at_once)

    def edit(self, record, values):
        """A user's edit in Odoo, saved now. A test's transaction stamps every write with its own
        start (the class's first statement), a user's save with the moment it happens."""
        record.write(values)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET write_date = %s WHERE id = %s",
                SQL.identifier(record._table),
                fields.Datetime.now(),
                record.id,
            )
        )
        record.invalidate_recordset()

    def remote(self, object_type, record):
        return self.state.get_record(object_type, record["id"])["properties"]

    def writes_of(self, object_type):
        """The write calls HubSpot received for ``object_type`` since the log was cleared."""
        return {
            op: n
            for op, n in self.state.stats()["by_operation"].items()
            if op.startswith(f"{object_type}.") and any(w in op for w in WRITES)
        }


@tagged("post_install", "-at_install")
class TestScheduledRuns(EntryCase):
    """A change in HubSpot arrives with the first tick of the jobs at which the account's schedule
    is due (daily here), and not with the tick before."""

    def due_brings(self, object_type):
        attr, change, field, expected = INBOUND[object_type]
        record = getattr(self, attr)
        target = self.odoo_record(object_type, record)
        self.assertTrue(target, f"the first run imported the {object_type} record")
        before = target[field]
        self.assertNotEqual(before, expected)
        self.state.advance(seconds=1)
        self.state.update_record(object_type, record["id"], change)
        self.state.clear_log()
        self.tick(DAY - 5)  # the jobs' last tick before the daily schedule is due
        self.assertEqual(self.state.stats()["total"], 0, "not due: no job asked HubSpot anything")
        self.assertEqual(target[field], before)

        self.tick(DAY)
        self.assertEqual(target[field], expected, f"the {object_type} change arrived when the schedule was due")
        run = self.runs(object_type).filtered(lambda r: r.direction == "in")[:1]
        self.assertEqual((run.state, run.updated_count), ("done", 1), run.message)
        self.assertTrue(run.from_job)

    def test_company(self):
        self.due_brings("companies")

    def test_contact(self):
        self.due_brings("contacts")

    def test_deal(self):
        self.due_brings("deals")

    def test_ticket(self):
        self.due_brings("tickets")

    def test_product(self):
        self.due_brings("products")

    def test_line_item(self):
        self.due_brings("line_items")

    def test_a_change_the_index_showed_late_arrives_at_the_next_tick(self):
        """HubSpot's search index promises no order: a tick that saw a later change, but not yet an
        earlier one, must leave that one for the next tick, never skip it for good."""
        self.account.sync_interval = "5"
        due = self.start + timedelta(minutes=5)
        self.state.freeze(due - timedelta(seconds=6))
        self.state.update_record("companies", self.acme["id"], {"phone": "+49 30 999"})
        self.state.delay_indexing("companies", self.acme["id"], 10)  # in HubSpot's search 4 s after the tick
        self.state.advance(seconds=1)
        late = self.hs_company("Late Oy", phone="+358 9 1")  # in HubSpot's search by the tick
        self.state.freeze(due)
        self.tick(5, at_once=True)
        self.assertEqual(self.odoo_record("companies", late).phone, "+358 9 1")
        self.assertEqual(self.odoo_record("companies", self.acme).phone, "+49 30 1", "not in HubSpot's search yet")

        self.state.freeze(due + timedelta(minutes=5))
        self.tick(10)
        self.assertEqual(self.odoo_record("companies", self.acme).phone, "+49 30 999", "found by the next tick")


@tagged("post_install", "-at_install")
class TestSwitchedOffAndOn(EntryCase):
    """An object type switched off on the account: its job asks HubSpot nothing at the due tick and
    its change stays in HubSpot; switched on again, the next due tick brings it."""

    def switched_on_brings(self, object_type):
        attr, change, field, expected = INBOUND[object_type]
        record = getattr(self, attr)
        target = self.odoo_record(object_type, record)
        self.assertTrue(target, f"the first run imported the {object_type} record")
        before = target[field]
        self.configure(**{SWITCHES[object_type]: False})
        self.state.advance(seconds=1)
        self.state.update_record(object_type, record["id"], change)
        self.state.clear_log()
        self.tick(DAY)
        searched = {op.split(".")[0] for op in self.state.stats()["by_operation"] if op.endswith(".search")}
        self.assertNotIn(object_type, searched, "switched off: its job asked HubSpot nothing")
        self.assertIn("products" if object_type != "products" else "companies", searched, "the others ran: due")
        self.assertEqual(target[field], before)

        self.configure(**{SWITCHES[object_type]: True})
        self.tick(2 * DAY)
        self.assertEqual(target[field], expected, f"switched on, the {object_type} change arrived")

    def test_company(self):
        self.switched_on_brings("companies")

    def test_contact(self):
        self.switched_on_brings("contacts")

    def test_deal(self):
        self.switched_on_brings("deals")

    def test_ticket(self):
        self.switched_on_brings("tickets")

    def test_product(self):
        self.switched_on_brings("products")

    def test_line_item(self):
        self.switched_on_brings("line_items")


@tagged("post_install", "-at_install")
class TestPushedByTheJobs(EntryCase):
    """An edit in Odoo reaches HubSpot with the next due tick of the jobs where the object type goes
    Odoo → HubSpot (both directions here); with "HubSpot → Odoo" it stays in Odoo."""

    def pushes(self, object_type):
        attr, values, prop, expected = OUTBOUND[object_type]
        record = getattr(self, attr)
        target = self.odoo_record(object_type, record)
        self.assertTrue(target, f"the first run imported the {object_type} record")
        before = self.remote(object_type, record).get(prop)
        self.configure(**{f"{object_type}_direction": "in"})
        self.edit(target, values)
        self.state.clear_log()
        self.tick(DAY)
        self.assertIn(f"{object_type}.search", self.state.stats()["by_operation"], "the job ran: it imports")
        self.assertEqual(self.writes_of(object_type), {}, "HubSpot → Odoo only: nothing is pushed")
        self.assertEqual(self.remote(object_type, record).get(prop), before)
        self.assertEqual(target[next(iter(values))], values[next(iter(values))], "the edit stays in Odoo")

        self.configure(**{f"{object_type}_direction": "both"})
        self.tick(2 * DAY)
        pushed = self.remote(object_type, record).get(prop)
        if isinstance(expected, str):
            self.assertEqual(pushed, expected, f"the {object_type} edit reached HubSpot")
        else:
            self.assertEqual(float(pushed), expected, f"the {object_type} edit reached HubSpot")
        run = self.runs(object_type).filtered(lambda r: r.direction == "out")[:1]
        self.assertEqual((run.state, run.updated_count), ("done", 1), run.message)

    def test_company(self):
        self.pushes("companies")

    def test_contact(self):
        self.pushes("contacts")

    def test_deal(self):
        self.pushes("deals")

    def test_ticket(self):
        self.pushes("tickets")

    def test_product(self):
        self.pushes("products")

    def test_line_item(self):
        self.pushes("line_items")
