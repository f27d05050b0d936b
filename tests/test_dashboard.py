"""The account's health dashboard and the runs list (issue 12, items 4 and 5), against the sandbox.

What a user sees: a run that found nothing to do adds no line to the runs list (the dashboard
says when each object type was last checked instead); a run that did something shows its
direction and counters; the dashboard's lines after real runs; today's API calls against the
daily limit; a type that failed stays failed until a later run of that type succeeds; and what
Start, Stop and Refresh properties & owners say."""

from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from ..models import hubspot_account_connection
from ..sandbox.catalog import ALL_SCOPES
from .common import InboundCase, SandboxMixin


class DashboardCase(InboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["hubspot.sync.run"]
        cls.Status = cls.env["hubspot.sync.status"]
        cls.state.tokens["no-usage-token"] = [s for s in ALL_SCOPES if s != "oauth"]
        cls.state.tokens["no-deals-token"] = [s for s in ALL_SCOPES if not s.startswith("crm.objects.deals")]
        cls.base = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=1)

    def setUp(self):
        super().setUp()
        hubspot_account_connection._DAILY_USAGE.clear()
        self.addCleanup(hubspot_account_connection._DAILY_USAGE.clear)
        self.addCleanup(self.state.rate_limits.configure, daily=250000)

    def at(self, minutes):
        """Frozen time, ``minutes`` after the start of the test (runs a minute apart are told apart)."""
        return freeze_time(self.base + timedelta(minutes=minutes))

    def when(self, minutes):
        return self.base + timedelta(minutes=minutes)

    def runs(self, object_type=None):
        domain = [("account_id", "=", self.account.id)]
        return self.Run.search(domain + ([("object_type", "=", object_type)] if object_type else []))

    def line(self, object_type, direction="in"):
        """The account's dashboard line of ``object_type`` and ``direction`` (as the form shows it)."""
        self.account.invalidate_recordset()
        self.env["hubspot.sync.status"].invalidate_model()
        lines = self.account.dashboard_ids.filtered(lambda s: (s.object_type, s.direction) == (object_type, direction))
        self.assertEqual(len(lines), 1, self.account.dashboard_ids.mapped(lambda s: (s.object_type, s.direction)))
        return lines


@tagged("post_install", "-at_install")
class TestQuietRuns(DashboardCase):
    def test_a_run_that_changes_nothing_adds_no_row_but_last_checked_moves(self):
        self.hs_company("Acme GmbH")
        with self.at(0):
            first = self.sync("companies")
        self.assertEqual(first.created_count, 1)
        self.assertEqual(len(self.runs("companies")), 1)
        with self.at(10):
            idle = self.sync("companies")
        self.assertEqual((idle.state, idle.created_count, idle.api_calls), ("done", 0, 1))
        self.assertEqual(self.runs("companies"), first, "nothing changed: no new row in the runs list")
        line = self.line("companies")
        self.assertEqual(line.last_checked_at, self.when(10), "the dashboard says when it was last checked")
        self.assertEqual(line.last_success_at, self.when(10))
        self.assertEqual(line.last_change_at, self.when(0), "the last change stays the first run's")
        self.assertEqual(line.health, "ok")

    def test_pending_companies_met_again_are_no_news(self):
        self.configure(review_new_companies=True)
        acme = self.hs_company("Acme GmbH")
        self.hs_company("Beta Oy")
        self.assertEqual(self.sync("companies").pending_count, 2)
        again = self.sync("companies")  # HubSpot lists the last minute's companies again: nothing new
        self.assertEqual((again.pending_count, again.skipped_count), (0, 2))
        self.assertEqual(len(self.runs("companies")), 1)
        self.state.update_record("companies", acme["id"], {"name": "Acme AG"})
        self.assertEqual(self.sync("companies").pending_count, 1)
        self.assertEqual(len(self.runs("companies")), 2)
        pending = self.env["hubspot.pending.company"].search([("account_id", "=", self.account.id)])
        self.assertEqual(sorted(pending.mapped("name")), ["Acme AG", "Beta Oy"])

    def test_the_cron_leaves_no_row_for_idle_types(self):
        """Six object types synced every five minutes with nothing to do: no row at all."""
        self.configure(deal_stage_filter="all", sync_tickets=True, sync_products=True)
        with self.at(0):
            for object_type in ("companies", "contacts", "deals", "tickets", "products", "line_items"):
                self.engine._cron_sync(object_type)
        self.assertFalse(self.runs(), "an empty portal: nothing changed, nothing failed")
        checked = {
            (line.object_type, line.direction): line.last_checked_at
            for line in self.Status.search([("account_id", "=", self.account.id)])
        }
        self.assertEqual(
            set(checked),
            {("companies", "in"), ("contacts", "in"), ("deals", "in"), ("tickets", "in")}
            | {("products", "in"), ("products", "out"), ("line_items", "in"), ("line_items", "out")},
        )
        self.assertEqual(set(checked.values()), {self.when(0)})

    def test_a_run_with_changes_shows_its_direction_and_counters(self):
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
        acme = self.hs_company("Acme GmbH", phone="+49 30 1")
        self.hs_company("Beta Oy", sync_to_odoo="no")
        self.sync("companies")
        self.configure(companies_direction="both")
        self.partner(acme).phone = "+49 30 999"
        pushed = self.engine._run_outbound(self.account, "companies")
        self.assertEqual(pushed.updated_count, 1)
        self.engine._run_outbound(self.account, "companies")  # nothing changed since
        self.sync("companies")  # Odoo holds HubSpot's version; the excluded company alone is no news
        rows = self.runs("companies")
        self.assertEqual(
            [(r.direction, r.created_count, r.updated_count, r.excluded_count) for r in rows],
            [("out", 0, 1, 0), ("in", 1, 0, 1)],
            "one row per run that did something, newest first, with its direction",
        )
        arch = self.Run.get_views([(False, "list")])["views"]["list"]["arch"]
        for name in ("direction", *(f"{n}_count" for n in ("unlinked", "skipped", "excluded", "failed"))):
            self.assertRegex(arch, rf'<field name="{name}"(?![^>]*optional="hide")', f"{name} is a visible column")


@tagged("post_install", "-at_install")
class TestDashboard(DashboardCase):
    def test_dashboard_after_real_runs(self):
        self.configure(review_new_companies=True)
        self.hs_company("Acme GmbH")
        self.hs_company("Beta Oy")
        broken = self.hs_company("Broken AG", hubspotscore="NaN")
        with self.at(0):
            self.sync("companies")
            self.sync("contacts")
        companies, contacts = self.line("companies"), self.line("contacts")
        self.assertEqual((companies.health, companies.open_error_count, companies.pending_count), ("warning", 1, 2))
        self.assertEqual((companies.last_success_at, companies.last_change_at), (self.when(0), self.when(0)))
        self.assertEqual(
            (contacts.health, contacts.last_checked_at, contacts.last_change_at), ("ok", self.when(0), False)
        )
        self.assertEqual(self.account.health, "warning", "the worst of the types")
        self.assertEqual(self.account.dashboard_ids.mapped("object_type"), ["companies", "contacts"])

        # Fixed in HubSpot: the next run retries and imports it; nothing is left to retry.
        with self.at(5):
            self.state.update_record("companies", broken["id"], {"hubspotscore": "7"})
        with self.at(10):
            self.sync("companies")
        companies = self.line("companies")
        self.assertEqual((companies.health, companies.open_error_count, companies.pending_count), ("ok", 0, 3))
        self.assertEqual(companies.last_change_at, self.when(10))
        self.assertEqual(self.account.health, "ok")

    def test_a_failed_type_stays_failed_until_its_next_success(self):
        self.configure(deal_stage_filter="all", access_token="no-deals-token")
        self.hs_company("Acme GmbH")
        with self.at(0):
            self.sync("companies")
            failed = self.sync("deals")
        self.assertEqual(failed.state, "failed")
        deals = self.line("deals")
        self.assertEqual(deals.health, "error")
        self.assertIn("crm.objects.deals.read", deals.failure)
        self.assertEqual(self.line("companies").health, "ok", "per type: companies did not fail")
        self.assertEqual(self.account.health, "error")
        self.assertIn("Deal (HubSpot → Odoo) failed: HubSpot refused", self.account.health_summary)

        with self.at(10):
            self.sync("companies")  # another type succeeding changes nothing for deals
        self.assertEqual((self.line("deals").health, self.account.health), ("error", "error"))

        self.configure(access_token="sandbox-token")  # the admin gave the token its deal scopes
        with self.at(20):
            ok = self.sync("deals")
        self.assertEqual((ok.state, ok.created_count), ("done", 0))
        self.assertEqual(self.runs("deals"), failed, "the success changed nothing: only the failure has a row")
        deals = self.line("deals")
        self.assertEqual((deals.health, deals.last_success_at, deals.failure), ("ok", self.when(20), False))
        self.assertEqual(self.account.health, "ok")

    def test_a_run_marked_failed_after_its_worker_died_counts(self):
        """A job's run that another process marks failed (its worker died) fails its type too."""
        with self.at(0):
            self.sync("companies")
        dead = self.Run.create(
            {"account_id": self.account.id, "object_type": "companies", "direction": "in", "from_job": True}
        )
        dead.write({"state": "failed", "message": "The worker was killed (out of memory)."})
        line = self.line("companies")
        self.assertEqual((line.health, line.failure), ("error", "The worker was killed (out of memory)."))
        with self.at(10):
            self.sync("companies")
        self.assertEqual(self.line("companies").health, "ok")

    def test_api_usage_from_hubspot_where_the_token_may_read_it(self):
        self.state.rate_limits.configure(daily=500000)
        self.state.rate_limits.day = self.state.today()
        self.state.rate_limits.daily_used = 41000
        self.account.invalidate_recordset()
        self.assertEqual((self.account.api_calls_today, self.account.api_calls_limit), (41001, 500000))
        self.assertIn("HubSpot", self.account.api_usage_source)
        self.assertEqual(self.state.call_count("account.daily_usage"), 1)
        self.account.invalidate_recordset()
        self.assertEqual(self.account.api_calls_today, 41001, "asked at most every five minutes")
        self.assertEqual(self.state.call_count("account.daily_usage"), 1)

    def test_api_usage_counted_by_the_connector_without_the_oauth_scope(self):
        self.configure(access_token="no-usage-token", daily_api_limit=625000)
        self.hs_company("Acme GmbH")
        self.sync("companies")
        self.sync("companies")  # nothing changed: no row, its call still counts
        self.sync("contacts")
        calls = self.state.stats()["total"]
        self.assertEqual(len(self.runs()), 1)
        self.account.invalidate_recordset()
        self.assertEqual((self.account.api_calls_today, self.account.api_calls_limit), (calls, 625000))
        self.assertIn("this connector", self.account.api_usage_source)
        self.assertEqual(self.state.status_calls["403"], 1, "HubSpot refused the daily usage: asked once")

        action = self.account.action_view_api_usage()
        usage = self.env["hubspot.api.usage"].search(action["domain"])
        self.assertEqual(sum(usage.mapped("calls")), calls)
        self.assertIn("graph", action["view_mode"])

    def test_past_days_merge_into_one_row_per_type(self):
        Usage = self.env["hubspot.api.usage"]
        with self.at(-24 * 60):
            for calls in (3, 4, 5):
                Usage._count(self.account, calls, "companies")
            Usage._count(self.account, 2, "contacts")
        Usage._count(self.account, 1, "companies")
        Usage._count(self.account, 6, "companies")
        Usage._gc_merge_days()
        rows = Usage.search([("account_id", "=", self.account.id)])
        self.assertEqual(
            sorted((str(r.date), r.object_type, r.calls) for r in rows),
            sorted(
                [
                    (str(self.when(-24 * 60).date()), "companies", 12),
                    (str(self.when(-24 * 60).date()), "contacts", 2),
                    (str(fields.Date.today()), "companies", 1),
                    (str(fields.Date.today()), "companies", 6),
                ]
            ),
        )

    def test_status_buttons_are_for_hubspot_users_of_the_company(self):
        self.hs_company("Acme GmbH")
        broken = self.hs_company("Broken AG", hubspotscore="NaN")
        run = self.sync("companies")
        self.sync("contacts")
        line = self.line("companies")
        runs = line.with_user(self.hs_user).action_view_runs()
        self.assertEqual(self.Run.with_user(self.hs_user).search(runs["domain"]), run, "the company runs")
        errors = line.with_user(self.hs_user).action_view_errors()
        found = self.env["hubspot.sync.error"].with_user(self.hs_user).search(errors["domain"])
        self.assertEqual(found.mapped("hubspot_id"), [broken["id"]], "the company left to retry")
        salesperson = self.env["res.users"].create(
            {"name": "Seller", "login": "dash_seller", "group_ids": [(6, 0, [self.env.ref("base.group_user").id])]}
        )
        for method in ("action_view_runs", "action_view_errors"):
            with self.assertRaises(AccessError):  # no HubSpot rights: not even the line is readable
                getattr(line.with_user(salesperson), method)()


@tagged("post_install", "-at_install")
class TestActionFeedback(DashboardCase):
    def setUp(self):
        super().setUp()
        self.account.state = "draft"

    def message(self, action):
        self.assertEqual((action["type"], action["tag"]), ("ir.actions.client", "display_notification"))
        return action["params"]["message"]

    def test_start_says_which_types_will_run(self):
        self.account.write({"deal_stage_filter": "all", "sync_interval": "60"})
        triggers = self.env["ir.cron.trigger"].search_count([])
        message = self.message(self.account.with_user(self.hs_admin).action_start())
        self.assertEqual(
            message,
            "“Test portal” started: Company (HubSpot → Odoo), Contact (HubSpot → Odoo), Deal (HubSpot → Odoo), "
            "Line Item (Both directions) sync in a moment, then hourly.",
        )
        self.assertEqual(self.account.state, "running")
        self.assertGreater(self.env["ir.cron.trigger"].search_count([]), triggers)
        self.assertEqual(self.state.stats()["total"], 0, "starting calls nobody: the jobs do")

    def test_start_says_why_it_cannot(self):
        self.account.write({"sync_companies": False, "sync_contacts": False})
        triggers = self.env["ir.cron.trigger"].search_count([])
        with self.assertRaisesRegex(UserError, "“Test portal” syncs nothing: choose at least one object type"):
            self.account.with_user(self.hs_admin).action_start()
        self.account.write({"sync_companies": True, "access_token": False})
        with self.assertRaisesRegex(UserError, "Enter the HubSpot access token"):
            self.account.with_user(self.hs_admin).action_start()
        self.assertEqual(self.account.state, "draft")
        self.assertEqual(self.env["ir.cron.trigger"].search_count([]), triggers, "no job woken")
        self.assertEqual(self.state.stats()["total"], 0)

    def test_stop_says_what_it_did(self):
        self.account.state = "running"
        message = self.message(self.account.with_user(self.hs_admin).action_stop())
        self.assertEqual(
            message,
            "“Test portal” stopped: no sync job runs until you start it again (a run already under way "
            "finishes). What syncs can now be changed.",
        )
        self.assertEqual(self.account.state, "stopped")
        action = self.account.with_user(self.hs_admin).action_stop()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(self.message(action), "“Test portal” was not running: nothing to stop.")

    def test_refresh_says_how_many_it_fetched(self):
        self.account.write({"deal_stage_filter": "all", "sync_tickets": True})
        self.state.add_owner("anna@example.com", "Anna", "Admin")
        self.state.add_owner(self.hs_admin.email or "h.h@example.com", "Hilda", "Hubspot")
        self.state.add_pipeline("deals", "Partners", [("p-new", "New", 0.2)])
        properties = {t: sum(not d["archived"] for d in self.state.properties[t].values()) for t in ("companies",)}
        action = self.account.with_user(self.hs_admin).action_refresh_catalogue()
        self.assertEqual(action["params"]["type"], "success")
        message = self.message(action)
        total = sum(
            sum(not d["archived"] for d in self.state.properties[t].values())
            for t in ("companies", "contacts", "deals", "tickets", "line_items")
        )
        self.assertIn(f"Fetched from HubSpot: {total} properties (Company {properties['companies']}, ", message)
        self.assertIn("2 owners (1 matched to Odoo users by email)", message)
        self.assertIn("3 pipelines (Deal 2, Ticket 1)", message)
        self.assertEqual(len(self.account.owner_ids), 2)

    def test_refresh_names_what_the_token_may_not_read(self):
        self.state.tokens["no-tickets-token"] = [
            s for s in ALL_SCOPES if s not in ("tickets", "crm.schemas.tickets.read")
        ]
        self.account.write({"sync_tickets": True, "access_token": "no-tickets-token"})
        action = self.account.with_user(self.hs_admin).action_refresh_catalogue()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("Not allowed to read the properties of: Ticket", self.message(action))

    def test_refresh_says_why_it_could_not(self):
        self.account.write({"access_token": "revoked-token"})
        with self.assertRaisesRegex(UserError, "HubSpot rejected the access token"):
            self.account.with_user(self.hs_admin).action_refresh_catalogue()
        self.assertFalse(self.account.owner_ids)


@tagged("post_install", "-at_install")
class TestDashboardTour(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.sandbox.state.tokens["no-deals-token"] = [s for s in ALL_SCOPES if not s.startswith("crm.objects.deals")]

    def test_admin_reads_the_dashboard_and_the_runs(self):
        hubspot_account_connection._DAILY_USAGE.clear()
        state = self.sandbox.state
        account = self.env["hubspot.account"].create(
            {
                "name": "Tour portal",
                "api_base_url": self.sandbox.url,
                "access_token": "no-deals-token",
                "portal_id": "12345678",
                "review_new_companies": True,
                "deal_stage_filter": "all",
            }
        )
        account.state = "running"
        state.add_record("companies", {"name": "Acme GmbH"})
        state.add_record("companies", {"name": "Beta Oy"})
        self.settle()
        engine = self.env["hubspot.sync.engine"]
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: float("inf")):
            engine._run_inbound(account, "companies")
            engine._run_inbound(account, "contacts")
            self.assertEqual(engine._run_inbound(account, "deals").state, "failed")
        self.assertEqual(account.run_ids.mapped("object_type"), ["deals", "companies"])
        account.sudo().access_token = "sandbox-token"  # HubSpot's own count of the day's calls
        self.start_tour(
            f"/odoo/action-hubspot_connector.hubspot_account_action/{account.id}",
            "hubspot_dashboard_tour",
            login="admin",
        )
        self.assertEqual(account.state, "stopped")
