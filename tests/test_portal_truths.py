"""What a real HubSpot portal does that the connector must follow: permanent (GDPR) deletions
skip the recycle bin, the connector's properties need a property group that exists, OAuth
asks only for scopes HubSpot has, and a new user connects with a service key."""

from datetime import timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import requests

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from ..models import hubspot_sync_engine
from ..models.hubspot_sync_engine import HubspotSyncEngine
from ..models.hubspot_sync_engine_inbound import HubspotSyncEngineInbound
from ..sandbox.catalog import ALL_SCOPES
from .common import InboundCase, SandboxMixin, _Crash, crash_rollback
from .test_sync_outbound import OutboundCase


@tagged("post_install", "-at_install")
class TestPermanentDeletions(InboundCase):
    def checkpoint(self, object_type="companies"):
        return self.account.checkpoint_ids.filtered(lambda c: c.object_type == object_type and c.direction == "in")

    def a_day_later(self, object_type="companies"):
        self.checkpoint(object_type).last_deletion_check_at = fields.Datetime.now() - timedelta(days=1, minutes=1)

    def batch_reads(self, object_type="companies"):
        return self.state.stats()["by_operation"].get(f"{object_type}.batch_read", 0)

    def test_a_gdpr_deletion_is_seen_by_the_daily_check(self):
        companies = [self.hs_company(f"Co {n:03d}") for n in range(250)]
        self.sync()
        gone, kept = companies[7], companies[8]
        self.state.delete_permanently("companies", gone["id"])
        self.checkpoint().last_archive_check_at = fields.Datetime.now() - timedelta(hours=2)
        self.sync()
        self.assertTrue(self.partner(gone).hubspot_linked, "the hourly archived listing never shows it")

        self.state.clear_log()
        self.a_day_later()
        run = self.sync()
        partner = self.partner(gone)
        self.assertTrue(partner.active, "kept in Odoo")
        self.assertEqual((partner.hubspot_linked, partner.hubspot_unlink_reason), (False, "deleted"))
        self.assertTrue(self.partner(kept).hubspot_linked)
        self.assertEqual(self.Partner.search_count([("hubspot_linked", "=", True)]), 249)
        self.assertEqual((run.state, run.unlinked_count), ("done", 1))
        self.assertEqual(self.batch_reads(), 3, "250 linked ids: 100 a call")

        self.state.clear_log()
        self.assertEqual(self.sync().unlinked_count, 0)
        self.assertEqual(self.batch_reads(), 0, "once a day")

    def test_a_merged_record_is_not_taken_for_a_deleted_one(self):
        one, two = self.hs_company("Acme One"), self.hs_company("Acme Two")
        self.sync()
        self.state.merge_records("companies", one["id"], two["id"])
        self.a_day_later()
        with patch.object(
            HubspotSyncEngineInbound, "_process_batch", lambda engine, state, records, newest=None: newest
        ):
            run = self.sync()  # the merge not imported yet: the check reads both old ids
        self.assertEqual(run.unlinked_count, 0)
        self.assertTrue(self.partner(one).hubspot_linked and self.partner(two).hubspot_linked)

    def test_a_check_that_stopped_midway_resumes_where_it_was(self):
        companies = [self.hs_company(f"Co {n:03d}") for n in range(250)]
        self.sync()
        for record in (companies[10], companies[240]):
            self.state.delete_permanently("companies", record["id"])
        self.a_day_later()
        real = HubspotSyncEngine._unlink_deleted
        calls = [0]

        def unlink_deleted(engine, state, records):
            calls[0] += 1
            if calls[0] == 2:
                raise _Crash()  # the worker dies during the second chunk
            return real(engine, state, records)

        crashed = False
        with (
            patch.object(hubspot_sync_engine, "DELETION_CHECK_CHUNK", 100),
            patch.object(HubspotSyncEngine, "_unlink_deleted", unlink_deleted),
        ):
            try:  # not assertRaises: Odoo's rolls the block back, a crash does not
                self.sync()
            except _Crash:
                crashed = True
        self.assertTrue(crashed)
        crash_rollback(self.env)
        self.assertFalse(self.partner(companies[10]).hubspot_linked, "the first chunk's work was committed")
        self.assertTrue(self.partner(companies[240]).hubspot_linked)
        self.state.clear_log()
        with patch.object(hubspot_sync_engine, "DELETION_CHECK_CHUNK", 100):
            run = self.sync()  # the next run: resumes, never waits a day
        self.assertFalse(self.partner(companies[240]).hubspot_linked)
        self.assertEqual(run.unlinked_count, 1)
        self.assertEqual(self.batch_reads(), 2, "the first 100 ids were not read again")
        self.assertEqual(self.checkpoint().deletion_check_cursor, 0, "done: the next check is tomorrow's")

    def test_a_deleted_line_item_leaves_the_opportunity(self):
        self.configure(deal_stage_filter="all")
        company = self.hs_company("Acme")
        deal = self.state.add_record("deals", {"dealname": "Big", "dealstage": "appointmentscheduled", "amount": "30"})
        self.state.associate("deals", deal["id"], "companies", company["id"])
        items = []
        for price in ("10", "20"):
            item = self.state.add_record("line_items", {"name": f"Item {price}", "quantity": "1", "price": price})
            self.state.associate("line_items", item["id"], "deals", deal["id"])
            items.append(item)
        for object_type in ("companies", "deals", "line_items"):
            self.sync(object_type)
        lead = self.env["crm.lead"].with_context(active_test=False).search([("hubspot_id", "=", deal["id"])])
        self.assertEqual(len(lead.hubspot_line_ids), 2)
        self.state.delete_permanently("line_items", items[0]["id"])
        self.a_day_later("line_items")
        self.sync("line_items")
        self.assertEqual(lead.hubspot_line_ids.mapped("name"), ["Item 20"])


@tagged("post_install", "-at_install")
class TestConnectorPropertyGroup(OutboundCase):
    def test_the_connectors_properties_go_to_its_own_group_created_once(self):
        self.configure(companies_direction="out", contacts_direction="out", link_back=True)
        self.push("companies")
        self.push("contacts")
        for object_type in ("companies", "contacts"):
            self.assertEqual(self.state.property_groups[object_type]["odoo"]["label"], "Odoo")
            self.assertEqual(self.state.properties[object_type]["odoo_record_id"]["groupName"], "odoo")
        self.assertEqual(self.state.properties["companies"]["odoo_url"]["groupName"], "odoo")
        self.assertTrue(self.remote(self.customer)["properties"]["odoo_record_id"])
        stats = self.state.stats()["by_operation"]
        self.assertEqual(stats["properties.companies.groups_create"], 1)

        # Another account on the same portal: the group is there, it is used, not created again.
        self.state.archive_property("companies", "odoo_url")
        self.account.checkpoint_ids.filtered(lambda c: c.direction == "out").pushed_properties = False
        self.state.clear_log()
        self.customer.phone = "+49 40 2"
        self.push("companies")
        stats = self.state.stats()["by_operation"]
        self.assertNotIn("properties.companies.groups_create", stats)
        self.assertEqual(self.state.properties["companies"]["odoo_url"]["groupName"], "odoo")

    def test_the_exclude_property_is_created_in_the_connectors_group(self):
        acme = self.hs_company("Acme")
        self.account._mark_excluded_in_hubspot([acme["id"]])
        self.assertEqual(self.state.properties["companies"]["sync_to_odoo"]["groupName"], "odoo")
        self.assertEqual(self.state.get_record("companies", acme["id"])["properties"]["sync_to_odoo"], "no")


@tagged("post_install", "-at_install")
class TestScopesAndNewUserTokens(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.state = cls.sandbox.state
        cls.state.add_oauth_client("odoo-app", "odoo-secret")
        cls.account = cls.env["hubspot.account"].create(
            {
                "name": "Catalogue portal",
                "auth_type": "oauth",
                "api_base_url": cls.sandbox.url,
                "oauth_client_id": "odoo-app",
                "oauth_client_secret": "odoo-secret",
                "oauth_authorize_url": f"{cls.sandbox.url}/oauth/authorize",
                "deal_stage_filter": "all",
                "sync_tickets": True,
                "sync_products": True,
            }
        )

    def test_scopes_are_exactly_what_syncs_each_one_real(self):
        scopes = self.account._oauth_scope_list()
        self.assertEqual(set(scopes) - set(ALL_SCOPES), set(), "every scope is one HubSpot has")
        self.assertEqual(len(scopes), len(set(scopes)))
        for needed in (
            "oauth",
            "crm.objects.owners.read",
            "crm.objects.companies.write",
            "crm.schemas.contacts.write",
            "crm.schemas.deals.write",
            "tickets",
            "crm.schemas.tickets.write",
            "crm.objects.products.write",
            "crm.objects.line_items.write",
            "e-commerce",
        ):
            self.assertIn(needed, scopes)
        minimal = self.account.copy(
            {"name": "Partners only", "deal_stage_filter": "none", "sync_tickets": False, "sync_products": False}
        )
        self.assertEqual(
            set(minimal._oauth_scope_list()),
            {
                "oauth",
                "crm.objects.owners.read",
                *(
                    f"crm.{kind}.{t}.{a}"
                    for kind in ("objects", "schemas")
                    for t in ("companies", "contacts")
                    for a in ("read", "write")
                ),
            },
            "no deal, ticket, product or line item scope while they do not sync",
        )
        self.assertEqual(minimal.oauth_scopes.split(), minimal._oauth_scope_list())

    def test_the_portal_grants_them_and_products_sync_both_ways(self):
        self.state.clear_log()
        admin = self.env.ref("base.user_admin")  # the administrator who clicks and comes back
        action = self.account.with_user(admin).action_oauth_authorize()
        query = parse_qs(urlsplit(action["url"]).query)
        answer = requests.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(answer.status_code, 302, answer.text)  # HubSpot refuses an install asking for a fake scope
        back = urlsplit(answer.headers["Location"])
        self.authenticate("admin", "admin")
        self.url_open(f"{back.path}?{back.query}", allow_redirects=False)
        self.account.invalidate_recordset()
        self.assertEqual(self.account.portal_id, "12345678")
        granted = self.state.tokens[self.account.sudo().access_token]
        self.assertEqual(set(granted), set(query["scope"][0].split()))

        self.state.add_record("products", {"name": "Widget", "hs_sku": "W-1", "price": "9"})
        self.env["product.product"].create({"name": "Gadget", "default_code": "G-1", "list_price": 5})
        self.account.state = "running"
        engine = self.env["hubspot.sync.engine"]
        patcher = patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: float("inf"))
        patcher.start()
        self.addCleanup(patcher.stop)
        self.settle()
        inbound = engine._run_inbound(self.account, "products")
        outbound = engine._run_outbound(self.account, "products")
        self.assertEqual((inbound.state, inbound.created_count), ("done", 1), inbound.message)
        self.assertEqual((outbound.state, outbound.failed_count), ("done", 0), outbound.message)
        self.assertEqual(self.state.properties["products"]["odoo_record_id"]["groupName"], "odoo")
        refused = [(e["method"], e["path"]) for e in self.state.request_log if e["status"] == 403]
        self.assertEqual(refused, [], "no call lacked a scope")

    def test_test_connection_leads_a_new_user_to_a_service_key(self):
        static = self.account.copy({"name": "Static", "auth_type": "private_app", "access_token": "not-a-token"})
        labels = dict(static._fields["auth_type"]._description_selection(self.env))
        self.assertEqual(labels["private_app"], "Static token (service key or app)")
        with self.assertRaises(UserError) as caught:
            static.action_test_connection()
        message = str(caught.exception)
        self.assertIn("service key", message)
        self.assertIn("Development > Keys > Service keys", message)
        self.assertNotIn("private app", message.lower())
        self.assertNotIn("not-a-token", message)
        self.state.tokens["no-oauth-scope"] = [s for s in ALL_SCOPES if s != "oauth"]
        static.access_token = "no-oauth-scope"
        with self.assertRaisesRegex(UserError, r"missing required scopes: oauth\. Add them to the service key"):
            static.action_test_connection()
        static.access_token = "sandbox-token"  # an existing private app's token: unchanged
        static.action_test_connection()
        self.assertEqual(static.portal_id, "12345678")

    def test_oauth_uses_the_date_versioned_token_endpoint(self):
        self.state.clear_log()
        for version, path in (("2026-03", "/oauth/2026-03/token"), ("v3", "/oauth/v1/token")):
            self.account.api_version = version
            code = self.state.authorize("odoo-app", self.account._oauth_redirect_uri(), ["oauth"])
            self.account._oauth_complete(code)
            self.assertEqual([e["path"] for e in self.state.request_log if "oauth" in e["path"]][-1], path)
