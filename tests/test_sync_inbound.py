"""Inbound sync of companies and contacts against the local HubSpot sandbox."""

from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.hubspot_account_connection import HubspotAccountConnection
from ..models.hubspot_sync_engine_inbound import HubspotSyncEngineInbound
from .common import InboundCase, _Crash, crash_rollback


@tagged("post_install", "-at_install")
class TestInboundBasics(InboundCase):
    def test_first_import_then_nothing_changed(self):
        acme = self.hs_company("Acme GmbH", domain="acme.example", phone="+49 30 1", city="Berlin", country="Germany")
        self.hs_company("Beta Oy", domain="beta.example", country="FI")
        self.hs_contact("anna@acme.example", acme, firstname="Anna", lastname="Schmidt", jobtitle="CEO")

        run = self.sync("companies")
        self.assertEqual((run.state, run.created_count), ("done", 2))
        partner = self.partner(acme)
        self.assertEqual(partner.name, "Acme GmbH")
        self.assertEqual(partner.website, "https://acme.example")
        self.assertEqual(partner.country_id, self.env.ref("base.de"))
        self.assertEqual(partner.ref, acme["id"], "the customer reference is the HubSpot id")
        self.assertIn(self.env.ref("hubspot_connector.res_partner_category_hubspot"), partner.category_id)
        self.assertTrue(partner.hubspot_linked)
        self.assertTrue(partner.is_company)
        self.assertEqual(partner.company_id, self.account.company_id)
        self.assertEqual(partner.hubspot_url, f"https://app.hubspot.com/contacts/12345678/record/0-2/{acme['id']}")

        run = self.sync("contacts")
        self.assertEqual(run.created_count, 1)
        anna = self.Partner.search([("email", "=", "anna@acme.example")])
        self.assertEqual((anna.name, anna.function, anna.parent_id), ("Anna Schmidt", "CEO", partner))

        # A second run with nothing changed writes nothing and costs one search call.
        before = partner.write_date
        self.env.flush_all()
        self.state.clear_log()
        run = self.sync("companies")
        self.assertEqual((run.created_count, run.updated_count, run.failed_count), (0, 0, 0))
        self.assertEqual(run.api_calls, 1, self.state.stats())
        self.assertEqual(partner.write_date, before)
        self.assertEqual(self.Partner.search_count([("hubspot_account_id", "=", self.account.id)]), 3)
        run = self.sync("contacts")
        self.assertEqual((run.api_calls, run.updated_count), (1, 0), "unchanged contacts need no association read")

    def test_changes_in_hubspot_update_odoo(self):
        acme = self.hs_company("Acme GmbH", phone="+49 30 1")
        self.sync()
        self.state.advance(seconds=5)
        self.state.update_record("companies", acme["id"], {"phone": "+49 30 999", "city": "München"})
        run = self.sync()
        self.assertEqual(run.updated_count, 1)
        partner = self.partner(acme)
        self.assertEqual((partner.phone, partner.city), ("+49 30 999", "München"))

    def test_duplicates_link_instead_of_creating(self):
        existing_co = self.Partner.create(
            {"name": "ACME old name", "is_company": True, "website": "http://www.acme.example/"}
        )
        existing_vat = self.Partner.create({"name": "Gamma", "is_company": True, "vat": "DE123456789"})
        existing_person = self.Partner.create({"name": "Anna", "email": "Anna@Acme.example"})
        acme = self.hs_company("Acme GmbH", domain="acme.example")
        gamma = self.hs_company("Gamma AG", vat_number="de123456789")
        self.hs_contact("anna@acme.example", acme, firstname="Anna", lastname="Schmidt")
        run = self.sync("companies")
        self.assertEqual((run.linked_count, run.created_count), (2, 0))
        self.assertEqual(self.partner(acme), existing_co)
        self.assertEqual(self.partner(gamma), existing_vat)
        self.assertEqual(existing_co.name, "Acme GmbH", "two-way field: HubSpot's newer value")
        self.assertIn(self.env.ref("hubspot_connector.res_partner_category_hubspot"), existing_co.category_id)
        run = self.sync("contacts")
        self.assertEqual((run.linked_count, run.created_count), (1, 0))
        self.assertEqual(
            existing_person.hubspot_id, self.Partner.search([("email", "=ilike", "anna@acme.example")]).hubspot_id
        )
        self.assertEqual(existing_person.parent_id, existing_co)

    def test_owner_becomes_salesperson(self):
        seller = new_test_user(self.env, login="seller", email="seller@example.com", groups="base.group_user")
        owner = self.state.add_owner("Seller@Example.com", "Sam", "Seller")
        stranger = self.state.add_owner("stranger@example.com", "Nobody", "Known")
        acme = self.hs_company("Acme", hubspot_owner_id=owner["id"])
        beta = self.hs_company("Beta", hubspot_owner_id=stranger["id"])
        self.sync()
        self.assertEqual(self.partner(acme).user_id, seller)
        self.assertFalse(self.partner(beta).user_id, "an owner with no Odoo user sets nobody")
        owner_rec = self.env["hubspot.owner"].search([("hubspot_id", "=", str(owner["id"]))])
        self.assertEqual(owner_rec.user_id, seller)


@tagged("post_install", "-at_install")
class TestInboundRules(InboundCase):
    def test_exclude_flag(self):
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
        # Ten minutes ago, so the next runs only look at what changes afterwards.
        self.state.freeze(fields.Datetime.now() - timedelta(minutes=10))
        gone = self.hs_company("Gone", sync_to_odoo="Nein")
        self.state.advance(seconds=1)
        kept = self.hs_company("Kept")
        self.hs_contact("x@gone.example", gone, firstname="X")
        run = self.sync()
        self.assertEqual((run.created_count, run.excluded_count), (1, 1))
        self.assertFalse(self.partner(gone))
        run = self.sync("contacts")
        self.assertEqual((run.created_count, run.excluded_count), (0, 1))
        # Excluding a company that was synced before unlinks it, never deletes it.
        self.state.advance(seconds=5)
        self.state.update_record("companies", kept["id"], {"sync_to_odoo": "FALSE"})
        run = self.sync()
        partner = self.Partner.search([("name", "=", "Kept")])
        self.assertTrue(partner.exists())
        self.assertEqual((partner.hubspot_linked, partner.hubspot_unlink_reason), (False, "excluded"))
        self.assertEqual((run.excluded_count, run.unlinked_count), (1, 1))

    def test_hubspot_master_fields(self):
        acme = self.hs_company("Acme", phone="+1 555")
        self.sync()
        partner = self.partner(acme)
        mapping = self.account.mapping_ids.filtered(lambda m: m.object_type == "companies" and m.field_name == "phone")
        mapping.rule = "hubspot"
        self.assertIn("phone", partner.hubspot_master_fields)
        with self.assertRaisesRegex(UserError, "owns: Phone"):
            partner.with_user(self.env.ref("base.user_admin")).write({"phone": "+1 000"})
        partner.write({"ref": "CUST-1", "comment": "<p>Note</p>"})  # not owned by HubSpot
        self.assertEqual(partner.ref, "CUST-1")
        # The sync itself may write it, and a later HubSpot change still comes in.
        self.state.advance(seconds=5)
        self.state.update_record("companies", acme["id"], {"phone": "+1 777"})
        self.sync()
        self.assertEqual(partner.phone, "+1 777")
        partner.action_hubspot_unlink()
        partner.write({"phone": "+1 000"})
        self.assertEqual(partner.phone, "+1 000")
        self.state.advance(seconds=5)
        self.state.update_record("companies", acme["id"], {"phone": "+1 888"})
        run = self.sync()
        self.assertEqual((partner.phone, run.skipped_count), ("+1 000", 1), "an unlinked partner stops syncing")

    def test_local_edit_newer_than_hubspot_is_kept(self):
        acme = self.hs_company("Acme", phone="+1 555", city="Berlin")
        self.sync()
        partner = self.partner(acme)
        partner.write({"phone": "+1 local"})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = %s WHERE id = %s",
            (fields.Datetime.now() + timedelta(hours=1), partner.id),
        )
        partner.invalidate_recordset()
        self.state.update_record("companies", acme["id"], {"city": "Hamburg"})
        run = self.sync()
        self.assertEqual((run.state, run.updated_count, run.failed_count), ("done", 1, 0))
        self.assertEqual(partner.phone, "+1 local", "two-way: the newer Odoo edit wins")
        self.assertEqual(partner.city, "Hamburg", "newest wins field by field: Odoo did not change the city")

    def test_a_company_write_does_not_hide_its_contacts_changes(self):
        """Odoo writes a company's contacts when the company's address changes (it propagates it),
        which moves their write date: the contact fields Odoo did not change still take HubSpot's
        newer values, and nothing old goes back to HubSpot."""
        self.state.freeze(fields.Datetime.now() - timedelta(hours=2))
        acme = self.hs_company("Acme", city="Berlin")
        anna = self.hs_contact("anna@acme.example", acme, firstname="Anna", lastname="Schmidt", jobtitle="CTO")
        self.sync("companies")
        self.sync("contacts")
        person = self.partner(anna, "contacts")
        self.state.advance(seconds=5)
        self.state.update_record("contacts", anna["id"], {"jobtitle": "CEO"})
        self.state.update_record("companies", acme["id"], {"city": "Hamburg"})
        self.sync("companies")
        self.assertEqual(person.city, "Hamburg", "Odoo propagated the company's address: it wrote the contact")
        # A test keeps one transaction, hence one write date: date that write as a real run would.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = %s WHERE id = %s",
            (fields.Datetime.now() + timedelta(minutes=2), person.id),
        )
        person.invalidate_recordset()
        run = self.sync("contacts")
        self.assertEqual((run.state, person.function), ("done", "CEO"))

    def test_the_syncs_own_write_is_no_odoo_edit(self):
        # Odoo keeps hubspot_synced_at in whole seconds but write_date to the microsecond: the
        # sync's own write, later in that same second, must not count as a newer Odoo edit.
        self.state.freeze("2026-11-20T10:00:00Z")
        acme = self.hs_company("Acme", phone="+1 555")
        self.sync()
        partner = self.partner(acme)
        partner.hubspot_synced_at = "2026-11-20 10:00:05"
        self.env.flush_all()
        self.env.cr.execute("UPDATE res_partner SET write_date = '2026-11-20 10:00:05.700' WHERE id = %s", [partner.id])
        partner.invalidate_recordset()
        self.state.advance(seconds=5)  # HubSpot's change in that same second: a tie goes to HubSpot
        self.state.update_record("companies", acme["id"], {"phone": "+1 666"})
        self.sync()
        self.assertEqual(partner.phone, "+1 666")

    def test_deleted_in_hubspot_unlinks(self):
        acme = self.hs_company("Acme")
        self.sync()
        self.state.archive_record("companies", acme["id"])
        checkpoint = self.account.checkpoint_ids.filtered(lambda c: c.object_type == "companies")
        checkpoint.last_archive_check_at = fields.Datetime.now() - timedelta(hours=2)
        run = self.sync()
        partner = self.Partner.search([("name", "=", "Acme")])
        self.assertTrue(partner.active)
        self.assertEqual((partner.hubspot_linked, partner.hubspot_unlink_reason), (False, "deleted"))
        self.assertEqual(run.unlinked_count, 1)

    def test_merge_repoints_instead_of_duplicating(self):
        first = self.hs_company("Acme One", domain="one.example")
        second = self.hs_company("Acme Two", domain="two.example")
        self.sync()
        partner_one, partner_two = self.partner(first), self.partner(second)
        self.state.advance(seconds=5)
        merged = self.state.merge_records("companies", first["id"], second["id"])
        self.assertNotIn(merged["id"], (first["id"], second["id"]))
        run = self.sync()
        self.assertEqual(run.created_count, 0)
        self.assertEqual(partner_one.hubspot_id, merged["id"])
        self.assertFalse(partner_two.hubspot_linked)
        self.assertEqual(self.Partner.search_count([("hubspot_id", "=", merged["id"])]), 1)

    def test_contacts_of_unknown_companies(self):
        acme = self.hs_company("Acme")
        self.hs_contact("a@acme.example", acme, firstname="A")
        self.configure(contacts_only_existing_companies=True)
        run = self.sync("contacts")
        self.assertEqual((run.created_count, run.skipped_count), (0, 1))
        self.configure(contacts_only_existing_companies=False)
        self.account.checkpoint_ids.unlink()
        run = self.sync("contacts")
        self.assertEqual(run.created_count, 1)
        self.assertEqual(self.Partner.search([("email", "=", "a@acme.example")]).parent_id, self.partner(acme))

    def test_required_and_mapped_values(self):
        mapping = self.account.mapping_ids.filtered(lambda m: m.object_type == "companies" and m.field_name == "city")
        mapping.required = True
        self.hs_company("No City")
        self.hs_company("Has City", city="Wien")
        run = self.sync()
        self.assertEqual((run.created_count, run.skipped_count), (1, 1))
        mapping.write(
            {
                "required": False,
                "import_only_mapped": True,
                "value_mapping_ids": [(0, 0, {"hubspot_value": "Wien", "odoo_value": "Vienna"})],
            }
        )
        self.account.checkpoint_ids.unlink()
        self.hs_company("Other City", city="Graz")
        self.sync()
        self.assertEqual(self.Partner.search([("name", "=", "Has City")]).city, "Vienna")
        self.assertFalse(self.Partner.search([("name", "=", "Other City")]))


@tagged("post_install", "-at_install")
class TestInboundRobustness(InboundCase):
    def test_hostile_payloads(self):
        records = [
            self.hs_company("", domain="nameless.example"),
            self.hs_company("Ünïcødé ✓ 株式会社 บริษัท"),
            self.hs_company("Long", description="x" * 100_000),
            self.hs_company("Nowhere", country="Atlantis", state="Nowhere State"),
        ]
        bad_contact = self.hs_contact("not-an-email", None, firstname="Bad")
        run = self.sync()
        self.assertEqual(run.created_count, 4, run.error_ids.mapped("reason"))
        self.assertEqual(self.partner(records[0]).name, "nameless.example")
        self.assertFalse(self.partner(records[3]).country_id)
        self.assertEqual(len(self.partner(records[2]).comment), len("<p></p>") + 100_000)
        run = self.sync("contacts")
        self.assertEqual(run.created_count, 1)
        self.assertEqual(self.partner(bad_contact, "contacts").email, "not-an-email")

    def test_one_bad_record_is_logged_and_retried(self):
        self.hs_company("Good One")
        boom = self.hs_company("Boom")
        self.hs_company("Good Two")
        Partner = type(self.env["res.partner"])
        original = Partner.create
        fail = [True]

        def create(self, vals_list):
            names = [v.get("name") for v in (vals_list if isinstance(vals_list, list) else [vals_list])]
            if fail[0] and "Boom" in names:
                raise ValueError("simulated failure")
            return original(self, vals_list)

        with patch.object(Partner, "create", create):
            run = self.sync()
            self.assertEqual((run.created_count, run.failed_count, run.state), (2, 1, "partial"))
            error = run.error_ids
            self.assertEqual(error.hubspot_id, boom["id"])
            self.assertIn("simulated failure", error.reason)
            self.assertIn('"Boom"', error.payload)
            fail[0] = False
            run = self.sync()  # the next run retries it
        self.assertEqual(run.created_count, 1)
        self.assertEqual(error.state, "resolved")
        self.assertTrue(self.partner(boom))

    def test_crash_midway_then_resume(self):
        for n in range(450):
            self.hs_company(f"Co {n:03d}")
        real = HubspotSyncEngineInbound._process_batch
        calls = [0]

        def process(engine, state, records, newest=None):
            calls[0] += 1
            result = real(engine, state, records, newest)
            if calls[0] == 2:
                raise _Crash()  # after the 2nd batch's work, before its commit
            return result

        crashed = False
        with patch.object(HubspotSyncEngineInbound, "_process_batch", process):
            try:  # not assertRaises: Odoo's rolls the block back, a crash does not
                self.sync()
            except _Crash:
                crashed = True
        self.assertTrue(crashed)
        self.assertEqual(self.commits[-1], 200, "the first batch was committed before the crash")
        crash_rollback(self.env)
        checkpoint = self.account.checkpoint_ids
        self.assertEqual(
            self.Partner.search_count([("hubspot_account_id", "=", self.account.id)]),
            200,
            (checkpoint.last_modified_ms, self.account.run_ids.mapped("created_count")),
        )
        run = self.sync()
        self.assertEqual(run.created_count, 250)
        names = self.Partner.search([("hubspot_account_id", "=", self.account.id)]).mapped("name")
        self.assertEqual(len(names), 450)
        self.assertEqual(len(set(names)), 450, "no duplicate")

    def test_rate_limit_storm_and_server_errors(self):
        for n in range(5):
            self.hs_company(f"Co {n}")
        self.state.fail_next(3, status=429)
        self.state.fail_next(2, status=502)
        run = self.sync()
        self.assertEqual((run.state, run.created_count), ("done", 5))
        self.assertGreaterEqual(run.api_calls, 6, "retries count as API calls")

    def test_outage_fails_the_run_and_next_run_catches_up(self):
        self.hs_company("Before")
        self.state.fail_next(4, status=503)  # one request and its three retries
        run = self.sync()
        self.assertEqual(run.state, "failed")
        self.assertIn("HubSpot", run.message)
        run = self.sync()
        self.assertEqual((run.state, run.created_count), ("done", 1))

    def test_more_changes_than_the_search_cap(self):
        self.state.freeze()  # 700 changes in one millisecond: more than the cap on one timestamp
        for n in range(700):
            self.hs_company(f"Co {n:03d}")
        original = HubspotAccountConnection._get_client

        def small_cap(account, **options):
            client = original(account, **options)
            client.search_cap = 400
            return client

        with patch.object(HubspotAccountConnection, "_get_client", small_cap):
            run = self.sync()
        self.assertEqual(run.created_count, 700)

    def test_two_workers_never_sync_the_same_account(self):
        checkpoint = self.env["hubspot.sync.checkpoint"]._get(self.account, "companies")
        self.env.flush_all()
        with self.registry.cursor() as other_cr:
            other_cr.execute("SELECT pg_try_advisory_lock(%s, %s)", checkpoint._lock_key())
            self.assertTrue(other_cr.fetchone()[0])
            self.assertIsNone(self.sync(), "the second worker skips")
            other_cr.execute("SELECT pg_advisory_unlock(%s, %s)", checkpoint._lock_key())
        self.assertTrue(self.sync())


@tagged("post_install", "-at_install")
class TestPendingCompanies(InboundCase):
    def test_review_queue(self):
        self.configure(review_new_companies=True)
        acme = self.hs_company("Acme Pending", domain="acme.example", hubspotscore="42")
        self.hs_contact("c@acme.example", acme, firstname="C")
        run = self.sync()
        self.assertEqual((run.created_count, run.pending_count), (0, 1))
        pending = self.env["hubspot.pending.company"].search([("hubspot_id", "=", acme["id"])])
        self.assertEqual((pending.name, pending.state, pending.domain), ("Acme Pending", "pending", "acme.example"))
        run = self.sync("contacts")
        self.assertEqual((run.created_count, run.skipped_count), (0, 1), "contacts wait for their company")
        # A change in HubSpot refreshes the entry, never duplicates it.
        self.state.advance(seconds=5)
        self.state.update_record("companies", acme["id"], {"city": "Graz"})
        self.sync()
        self.assertEqual(self.env["hubspot.pending.company"].search_count([("hubspot_id", "=", acme["id"])]), 1)
        self.assertEqual(pending.city, "Graz")
        pending.action_reject()
        self.state.advance(seconds=5)
        self.state.update_record("companies", acme["id"], {"city": "Linz"})
        run = self.sync()
        self.assertEqual((pending.state, pending.city, run.created_count), ("rejected", "Graz", 0))

    def test_import_company_records_after_accept(self):
        acme = self.hs_company("Acme")
        self.hs_contact("c1@acme.example", acme, firstname="C1")
        self.hs_contact("c2@acme.example", acme, firstname="C2")
        self.sync()
        linked = self.engine._import_company_records(self.account, acme["id"])
        self.assertEqual(len(linked), 2)
        self.assertEqual(self.partner(acme).child_ids.mapped("email"), ["c1@acme.example", "c2@acme.example"])


@tagged("post_install", "-at_install")
class TestAccountLifecycle(InboundCase):
    def test_cron_walks_running_accounts_when_due(self):
        cron = self.env.ref("hubspot_connector.ir_cron_sync_companies")
        self.assertEqual(cron.code.strip(), 'model._cron_sync("companies")')
        acme = self.hs_company("Acme")
        self.settle()
        self.engine._cron_sync("companies")
        run = self.account.run_ids.filtered(lambda r: r.object_type == "companies")
        self.assertEqual(run.created_count, 1, (run.state, run.message, run.error_ids.mapped("reason")))
        self.engine._cron_sync("companies")
        self.assertEqual(len(self.account.run_ids.filtered(lambda r: r.object_type == "companies")), 1, "not due yet")
        # Stopped, a due tick leaves HubSpot alone; started again, the change arrives.
        self.state.advance(seconds=5)
        self.state.update_record("companies", acme["id"], {"phone": "+49 30 2"})
        self.account.action_stop()
        self.settle()
        self.state.clear_log()
        later = fields.Datetime.now() + timedelta(minutes=10)
        with freeze_time(later):
            self.engine._cron_sync("companies")
        self.assertEqual(self.state.stats()["total"], 0, "a stopped account: HubSpot was asked nothing")
        self.assertFalse(self.partner(acme).phone)
        self.account.action_start()
        with freeze_time(later):
            self.engine._cron_sync("companies")
        self.assertEqual(self.partner(acme).phone, "+49 30 2")

    def test_schedule_with_freezegun(self):
        self.configure(sync_interval="15")

        def checked():  # a run that found nothing to do leaves no row: the dashboard says when it ran
            return (
                self.env["hubspot.sync.status"]
                .search([("account_id", "=", self.account.id), ("object_type", "=", "companies")])
                .last_checked_at
            )

        with freeze_time("2026-11-22 10:00:00"):
            self.engine._cron_sync("companies")
        self.assertEqual(checked(), datetime(2026, 11, 22, 10, 0))
        with freeze_time("2026-11-22 10:10:00"):
            self.engine._cron_sync("companies")
        self.assertEqual(checked(), datetime(2026, 11, 22, 10, 0), "a 15-minute account is not due after 10 minutes")
        with freeze_time("2026-11-22 10:15:00"):
            self.engine._cron_sync("companies")
        self.assertEqual(checked(), datetime(2026, 11, 22, 10, 15))

    def test_sync_now_triggers_crons_and_settings_lock(self):
        triggers = self.env["ir.cron.trigger"].search_count([])
        self.account.action_sync_now()
        self.assertEqual(self.env["ir.cron.trigger"].search_count([]), triggers + 2)
        with self.assertRaisesRegex(UserError, "Stop the integration"):
            self.account.review_new_companies = True
        self.account.action_stop()
        self.account.review_new_companies = True
        self.account.action_reset()
        self.assertFalse(self.account.checkpoint_ids)
        self.assertEqual(self.account.state, "draft")

    def test_notification_once_per_run(self):
        group = self.env["res.groups"].create({"name": "HubSpot watchers", "user_ids": [(4, self.hs_user.id)]})
        self.configure(notify_group_id=group.id)
        for n in range(3):
            self.hs_company(f"Co {n}")
        run = self.sync()
        notes = self.env["mail.message"].search(
            [
                ("model", "=", "hubspot.account"),
                ("res_id", "=", self.account.id),
                ("message_type", "=", "user_notification"),
            ]
        )
        self.assertEqual(len(notes), 1, "one notification per run, not one per record")
        self.assertIn(self.hs_user.partner_id, notes.partner_ids)
        self.assertIn("3 created", str(notes.body))
        self.assertIn(f"/odoo/hubspot.sync.run/{run.id}", str(notes.body))
        self.sync()  # nothing new: no notification
        self.assertEqual(
            self.env["mail.message"].search_count(
                [
                    ("model", "=", "hubspot.account"),
                    ("res_id", "=", self.account.id),
                    ("message_type", "=", "user_notification"),
                ]
            ),
            1,
        )

    def test_a_run_left_running_by_a_dead_worker_is_closed(self):
        dead = self.env["hubspot.sync.run"].create({"account_id": self.account.id, "object_type": "companies"})
        self.sync()
        self.assertEqual(dead.state, "failed")
        self.assertIn("Interrupted", dead.message)

    def test_health_summary(self):
        self.hs_company("Acme")
        self.sync()
        self.account.invalidate_recordset()
        self.assertEqual(self.account.health, "ok")
        self.assertEqual(self.account.health_summary, "Waiting for the first run: Contact (HubSpot → Odoo)")


@tagged("post_install", "-at_install")
class TestMappingConfiguration(InboundCase):
    def test_default_mappings_of_a_new_account(self):
        account = self.env["hubspot.account"].create({"name": "Fresh"})
        companies = account.mapping_ids.filtered(lambda m: m.object_type == "companies")
        contacts = account.mapping_ids.filtered(lambda m: m.object_type == "contacts")
        self.assertEqual(
            set(companies.mapped("hubspot_property")),
            {
                "name",
                "domain",
                "phone",
                "address",
                "city",
                "zip",
                "state",
                "country",
                "description",
                "vat_number",
                "hubspot_owner_id",
                "hubspotscore",
            },
        )
        self.assertEqual(companies.filtered("duplicate_key").mapped("field_name"), ["website", "vat"])
        name = contacts.filtered(lambda m: m.field_name == "name")
        self.assertEqual((name.hubspot_property, name.converter), ("firstname,lastname", "full_name"))
        self.assertEqual(contacts.filtered("duplicate_key").mapped("field_name"), ["email"])

    def test_account_without_mappings_gets_the_defaults(self):
        # An account created before a module update knew mappings: the first sync creates them.
        self.account.mapping_ids.filtered(lambda m: m.object_type == "companies").unlink()
        acme = self.hs_company("Acme Late", domain="late.example")
        self.sync()
        self.assertEqual(self.partner(acme).name, "Acme Late")
        self.assertTrue(self.account.mapping_ids.filtered(lambda m: m.object_type == "companies"))

    def test_catalogue_refresh_and_type_check(self):
        self.state.add_owner("seller@example.com", "Sam", "Seller")
        self.account.action_refresh_catalogue()
        props = self.env["hubspot.property"].search([("account_id", "=", self.account.id)])
        self.assertIn("domain", props.filtered(lambda p: p.object_type == "companies").mapped("name"))
        self.assertIn("email", props.filtered(lambda p: p.object_type == "contacts").mapped("name"))
        self.assertEqual(self.account.owner_ids.mapped("email"), ["seller@example.com"])
        score = props.filtered(lambda p: p.object_type == "companies" and p.name == "hubspotscore")
        mapping = self.account.mapping_ids.filtered(lambda m: m.object_type == "companies" and m.field_name == "city")
        boolean_field = self.env["ir.model.fields"]._get("res.partner", "is_company")
        with self.assertRaisesRegex(ValidationError, "cannot fill Odoo field is_company"):
            mapping.write({"property_id": score.id, "field_id": boolean_field.id})

    def test_retry_button_on_an_error_line(self):
        boom = self.hs_company("Boom")
        Partner = type(self.env["res.partner"])
        original = Partner.create

        def create(self, vals_list):
            if any(v.get("name") == "Boom" for v in (vals_list if isinstance(vals_list, list) else [vals_list])):
                raise ValueError("simulated")
            return original(self, vals_list)

        with patch.object(Partner, "create", create):
            run = self.sync()
        error = run.error_ids
        self.assertEqual(error.state, "open")
        error.action_retry()
        self.assertEqual(error.state, "resolved")
        self.assertTrue(self.partner(boom))
