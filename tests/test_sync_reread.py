"""Changing what syncs takes effect at the next run, without a Reset: the object type whose
records qualify differently is read again (records arrive, or are unlinked and kept)."""

from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import Form, tagged

from ..models.hubspot_sync_engine_inbound import HubspotSyncEngineInbound
from .common import InboundCase, _Crash, crash_rollback
from .test_sync_tickets import TicketCase


class ReReadMixin:
    """Settings change as an administrator changes them (Stop, the form, Start); the sync
    runs as the cron runs it, each tick ten minutes after the last (the account is due)."""

    def setUp(self):
        super().setUp()
        self.clock = fields.Datetime.now()
        self.admin_account = self.account.with_user(self.hs_admin)
        # HubSpot's clock: each record a second after the previous, so that a record the
        # checkpoint passed is older than it (never read again by the last minute's overlap).
        self.state.freeze(self.clock - timedelta(hours=1))
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

    def hs_company(self, name, **props):
        record = super().hs_company(name, **props)
        self.state.advance(seconds=1)
        return record

    def hs_contact(self, email, company=None, **props):
        record = super().hs_contact(email, company, **props)
        self.state.advance(seconds=1)
        return record

    @contextmanager
    def settings(self):
        self.admin_account.action_stop()
        with Form(self.admin_account) as form:
            yield form
        self.admin_account.action_start()

    @contextmanager
    def mapping_form(self, object_type, field_name):
        mapping = self.account.mapping_ids.filtered(
            lambda m: m.object_type == object_type and m.field_name == field_name
        )
        with Form(mapping.with_user(self.hs_admin)) as form:
            yield form

    def cron(self, object_type):
        """The job's next tick; returns the inbound run it made (empty when none)."""
        Run = self.env["hubspot.sync.run"]
        last = Run.search([], order="id desc", limit=1).id or 0
        self.clock += timedelta(minutes=10)
        self.state.advance(minutes=10)  # HubSpot's clock too: its search index shows the writes made since
        with freeze_time(self.clock, tick=True):
            self.engine._cron_sync(object_type)
        return Run.search(
            [("id", ">", last), ("account_id", "=", self.account.id), ("object_type", "=", object_type)]
        ).filtered(lambda r: r.direction == "in")

    def notice(self):
        self.account.invalidate_recordset(["reread_notice"])
        return self.admin_account.reread_notice or ""

    def calls(self, fragment):
        """API calls the sandbox answered whose operation contains ``fragment``."""
        return sum(n for op, n in self.state.stats()["by_operation"].items() if fragment in op)

    def assert_unlinked(self, record, reason="filtered"):
        self.assertTrue(record.exists(), "kept in Odoo")
        self.assertEqual((record.hubspot_linked, record.hubspot_unlink_reason), (False, reason))


@tagged("post_install", "-at_install")
class TestDealStageFilterReRead(ReReadMixin, InboundCase):
    def setUp(self):
        super().setUp()
        self.Lead = self.env["crm.lead"].with_context(active_test=False)
        self.acme = self.hs_company("Acme GmbH", domain="acme.example")
        self.env["hubspot.pipeline"]._refresh(self.account, self.account._get_client())
        self.stages = {
            s.hubspot_id: s for s in self.account.pipeline_ids.stage_ids.filtered(lambda s: s.object_type == "deals")
        }

    def deal(self, name, stage):
        record = self.state.add_record("deals", {"dealname": name, "dealstage": stage, "pipeline": "default"})
        self.state.associate("deals", record["id"], "companies", self.acme["id"])
        self.state.advance(seconds=1)
        return record

    def lead(self, record):
        return self.Lead.search([("hubspot_id", "=", record["id"]), ("hubspot_object_type", "=", "deals")])

    def test_widening_the_filter_brings_the_deals_it_left_out(self):
        with self.settings() as form:
            form.deal_stage_filter = "selected"
            form.deal_stage_ids.add(self.stages["contractsent"])
        early = self.deal("Too early", "appointmentscheduled")
        kept = self.deal("In contract", "contractsent")
        run = self.cron("deals")
        self.assertEqual((run.created_count, run.skipped_count), (1, 1))
        self.assertFalse(self.lead(early))
        self.env.flush_all()
        written = self.lead(kept).write_date

        with self.settings() as form:
            form.deal_stage_filter = "all"
        self.assertIn("deals (“Deal Stage Filter” changed)", self.notice(), "the form says what the next run does")
        run = self.cron("deals")
        self.assertEqual(self.lead(early).name, "Too early", "the deal the checkpoint had passed arrives")
        self.assertEqual((run.created_count, run.updated_count), (1, 0))
        self.assertIn("Re-read all deals: “Deal Stage Filter” changed.", run.message)
        self.assertEqual(self.lead(kept).write_date, written, "a deal Odoo holds as HubSpot has it costs no write")
        self.assertFalse(self.notice())
        # Done: the next run reads only what changed again.
        self.state.clear_log()
        self.cron("deals")
        self.assertEqual(self.calls("associations.deals."), 0, self.state.stats())

    def test_narrowing_the_filter_unlinks_the_deals_left_outside(self):
        with self.settings() as form:
            form.deal_stage_filter = "all"
        kept = self.deal("In contract", "contractsent")
        early = self.deal("Too early", "appointmentscheduled")
        self.cron("deals")
        self.assertTrue(self.lead(early).hubspot_linked)

        with self.settings() as form:
            form.deal_stage_filter = "selected"
            form.deal_stage_ids.add(self.stages["contractsent"])
        run = self.cron("deals")
        lead = self.lead(early)
        self.assert_unlinked(lead)
        self.assertTrue(self.lead(kept).hubspot_linked)
        self.assertEqual(run.unlinked_count, 1)
        self.assertIn("Unlinked, kept in Odoo (no longer match what syncs): “Too early”.", run.message)
        # Widened again, the same opportunity comes back.
        with self.settings() as form:
            form.deal_stage_filter = "all"
        run = self.cron("deals")
        self.assertEqual((run.created_count, run.linked_count), (0, 1))
        self.assertTrue(lead.hubspot_linked)

    def test_a_setting_that_changes_no_selection_reads_nothing_again(self):
        with self.settings() as form:
            form.deal_stage_filter = "all"
        self.deal("In contract", "contractsent")
        self.deal("Too early", "appointmentscheduled")
        self.cron("deals")
        group = self.env["res.groups"].create({"name": "HubSpot watchers"})
        with self.settings() as form:
            form.notify_group_id = group
            form.team_id = self.env["crm.team"].create({"name": "Inbound"})
        self.assertFalse(self.notice())
        self.state.clear_log()
        self.cron("deals")
        self.assertEqual(self.calls("associations.deals."), 0, self.state.stats())
        self.assertEqual(self.calls("deals.search"), 1)
        # Its twin, the filter, does read every deal again.
        with self.settings() as form:
            form.deal_stage_filter = "selected"
            form.deal_stage_ids.add(self.stages["contractsent"])
        self.state.clear_log()
        run = self.cron("deals")
        self.assertEqual(self.calls("associations.deals.companies"), 1, self.state.stats())
        self.assertEqual(run.unlinked_count, 1)


@tagged("post_install", "-at_install")
class TestContactSettingsReRead(ReReadMixin, InboundCase):
    def contact(self, record):
        return self.partner(record, "contacts")

    def test_only_known_companies_switched_off_brings_their_contacts(self):
        with self.settings() as form:
            form.contacts_only_existing_companies = True
        acme = self.hs_company("Acme")
        anna = self.hs_contact("anna@acme.example", acme, firstname="Anna")
        self.hs_contact("solo@example.com", firstname="Solo")  # no company: it syncs
        run = self.cron("contacts")
        self.assertEqual((run.created_count, run.skipped_count), (1, 1))

        with self.settings() as form:
            form.contacts_only_existing_companies = False
        self.assertIn("contacts (“Only contacts of known companies” changed)", self.notice())
        run = self.cron("contacts")
        contact = self.contact(anna)
        self.assertTrue(contact.hubspot_linked, "the contact arrives")
        self.assertEqual(contact.parent_id, self.partner(acme), "with its company, imported on the way")
        self.assertEqual(contact.parent_id.name, "Acme")
        self.assertIn("Re-read all contacts", run.message)

    def test_only_known_companies_switched_on_unlinks_contacts_of_unknown_companies(self):
        acme = self.hs_company("Acme")
        anna = self.hs_contact("anna@acme.example", acme, firstname="Anna")
        self.cron("companies")
        self.cron("contacts")
        self.partner(acme).with_user(self.hs_user).action_hubspot_unlink()  # Acme leaves the sync

        with self.settings() as form:
            form.contacts_only_existing_companies = True
        run = self.cron("contacts")
        self.assert_unlinked(self.contact(anna))
        self.assertEqual(run.unlinked_count, 1)
        self.assertIn("Unlinked, kept in Odoo (no longer match what syncs): “Acme, Anna”.", run.message)

    def test_companies_switched_on_bring_the_contacts_that_waited_for_them(self):
        with self.settings() as form:
            form.sync_companies = False
            form.contacts_only_existing_companies = True
        acme = self.hs_company("Acme")
        anna = self.hs_contact("anna@acme.example", acme, firstname="Anna")
        self.hs_contact("solo@example.com", firstname="Solo")  # no company: it syncs
        self.assertFalse(self.cron("companies"), "companies do not sync")
        run = self.cron("contacts")
        self.assertEqual(run.skipped_count, 1)

        with self.settings() as form:
            form.sync_companies = True
        self.assertIn("contacts (companies switched on)", self.notice())
        self.cron("contacts")  # the contacts job may come first: it waits for the companies
        self.assertFalse(self.contact(anna))
        self.assertIn("contacts (companies switched on)", self.notice())
        self.cron("companies")
        run = self.cron("contacts")
        self.assertEqual(self.contact(anna).parent_id.name, "Acme")
        self.assertTrue(self.contact(anna).hubspot_linked)
        self.assertIn("Re-read all contacts: companies switched on.", run.message)
        self.assertFalse(self.notice())


@tagged("post_install", "-at_install")
class TestExclusionReRead(ReReadMixin, InboundCase):
    def test_clearing_the_exclude_values_brings_companies_and_their_contacts(self):
        gone = self.hs_company("Gone", sync_to_odoo="Nein")
        xavier = self.hs_contact("x@gone.example", gone, firstname="Xavier")
        stays = self.hs_company("Stays")
        self.hs_contact("s@stays.example", stays, firstname="Sue")
        self.assertEqual(self.cron("companies").excluded_count, 1)
        self.assertEqual(self.cron("contacts").excluded_count, 1)

        with self.settings() as form:
            form.exclude_values = False
        self.assertIn("companies (“Exclude Values” changed)", self.notice())
        self.assertIn("contacts (“Exclude Values” changed)", self.notice())
        for object_type in ("contacts", "companies", "contacts"):  # the jobs run in any order
            self.cron(object_type)
        company = self.partner(gone)
        self.assertTrue(company.hubspot_linked)
        self.assertEqual(self.partner(xavier, "contacts").parent_id, company)
        self.assertTrue(self.partner(xavier, "contacts").hubspot_linked)
        self.assertFalse(self.notice())

    def test_a_new_exclude_value_unlinks_companies_and_their_contacts(self):
        kept = self.hs_company("Kept", sync_to_odoo="later")
        other = self.hs_company("Other")
        karl = self.hs_contact("karl@kept.example", kept, firstname="Karl")
        self.cron("companies")
        self.cron("contacts")

        with self.settings() as form:
            form.exclude_values = "no,nein,false,later"
        run = self.cron("companies")
        self.assert_unlinked(self.partner(kept), "excluded")
        self.assertTrue(self.partner(other).hubspot_linked)
        self.assertEqual((run.unlinked_count, run.excluded_count), (1, 1))
        self.assertIn("Unlinked, kept in Odoo (excluded in HubSpot): “Kept”.", run.message)
        run = self.cron("contacts")
        self.assert_unlinked(self.partner(karl, "contacts"), "excluded")
        self.assertIn("Unlinked, kept in Odoo (excluded in HubSpot): “Kept, Karl”.", run.message)

    def test_another_exclude_property(self):
        was_out = self.hs_company("Was out", sync_to_odoo="no")
        goes_out = self.hs_company("Goes out", odoo_sync="no")
        self.cron("companies")
        self.assertFalse(self.partner(was_out))

        with self.settings() as form:
            form.exclude_property = "odoo_sync"
        run = self.cron("companies")
        self.assertTrue(self.partner(was_out).hubspot_linked)
        self.assert_unlinked(self.partner(goes_out), "excluded")
        self.assertEqual((run.created_count, run.unlinked_count), (1, 1))

    def test_a_reread_that_crashes_resumes_where_it_got(self):
        self.state.freeze(fields.Datetime.now() - timedelta(hours=1))
        for n in range(250):
            self.hs_company(f"Co {n:03d}", sync_to_odoo="no")
            self.state.advance(seconds=1)
        self.cron("companies")  # all excluded: no news, so no run row (the dashboard's rule)
        self.assertFalse(self.Partner.search_count([("hubspot_account_id", "=", self.account.id)]), "all excluded")
        with self.settings() as form:
            form.exclude_values = False
        real, calls = HubspotSyncEngineInbound._process_batch, [0]

        def process(engine, state, records, newest=None):
            calls[0] += 1
            result = real(engine, state, records, newest)
            if calls[0] == 2:
                raise _Crash()  # the worker dies after the second batch's work, before its commit
            return result

        crashed = False
        with patch.object(HubspotSyncEngineInbound, "_process_batch", process):
            try:  # not assertRaises: Odoo's rolls the block back, a crash does not
                self.cron("companies")
            except _Crash:
                crashed = True
        self.assertTrue(crashed)
        crash_rollback(self.env)
        linked = [("hubspot_account_id", "=", self.account.id), ("hubspot_linked", "=", True)]
        self.assertEqual(self.Partner.search_count(linked), 200, "the first batch was committed")
        self.assertIn("companies (“Exclude Values” changed)", self.notice(), "the re-read is not lost")
        self.state.clear_log()
        run = self.cron("companies")
        self.assertEqual(run.created_count, 50)
        self.assertEqual(self.calls("companies.search"), 1, "resumed where it got, not from the start")
        self.assertEqual(self.Partner.search_count(linked), 250)
        self.assertEqual(len(set(self.Partner.search(linked).mapped("name"))), 250, "no duplicate")
        self.assertFalse(self.notice())


@tagged("post_install", "-at_install")
class TestMappingReRead(ReReadMixin, InboundCase):
    def test_a_required_mapping_removed_brings_the_skipped_records(self):
        with self.mapping_form("companies", "city") as form:
            form.required = True
        self.hs_company("No City")
        wien = self.hs_company("Has City", city="Wien")
        run = self.cron("companies")
        self.assertEqual((run.created_count, run.skipped_count), (1, 1))
        self.env.flush_all()
        written = self.partner(wien).write_date

        with self.mapping_form("companies", "city") as form:
            form.required = False
        self.assertIn("companies (a mapping of companies that decides which records sync changed", self.notice())
        run = self.cron("companies")
        self.assertEqual(run.created_count, 1)
        self.assertTrue(self.Partner.search([("name", "=", "No City"), ("hubspot_linked", "=", True)]))
        self.assertEqual(self.partner(wien).write_date, written, "no write where nothing changed")

    def test_a_new_required_mapping_unlinks_the_records_without_a_value(self):
        nowhere = self.hs_company("No City")
        self.hs_company("Has City", city="Wien")
        self.cron("companies")
        with self.mapping_form("companies", "city") as form:
            form.required = True
        run = self.cron("companies")
        self.assert_unlinked(self.partner(nowhere))
        self.assertEqual(run.unlinked_count, 1)
        self.assertIn("Unlinked, kept in Odoo (no longer match what syncs): “No City”.", run.message)
        # HubSpot gets the value: it qualifies again and comes back.
        self.state.advance(seconds=5)
        self.state.update_record("companies", nowhere["id"], {"city": "Graz"})
        run = self.cron("companies")
        self.assertEqual((run.linked_count, self.partner(nowhere).city), (1, "Graz"))

    def test_mapped_values_decide_which_records_import(self):
        with self.mapping_form("companies", "city") as form:
            with form.value_mapping_ids.new() as line:
                line.hubspot_value, line.odoo_value = "Wien", "Vienna"
            form.import_only_mapped = True
        graz = self.hs_company("Graz Co", city="Graz")
        wien = self.hs_company("Wien Co", city="Wien")
        self.assertEqual(self.cron("companies").skipped_count, 1)
        # A value mapped now: its records arrive.
        with self.mapping_form("companies", "city") as form, form.value_mapping_ids.new() as line:
            line.hubspot_value, line.odoo_value = "Graz", "Graz"
        run = self.cron("companies")
        self.assertEqual(self.partner(graz).city, "Graz")
        self.assertIn("Re-read all companies", run.message)
        # A value mapping removed: its records leave the sync (kept).
        with self.mapping_form("companies", "city") as form:
            form.value_mapping_ids.remove(index=0)
        run = self.cron("companies")
        self.assert_unlinked(self.partner(wien))
        self.assertTrue(self.partner(graz).hubspot_linked)
        self.assertEqual(run.unlinked_count, 1)

    def test_a_mapping_change_that_selects_nothing_else_reads_nothing_again(self):
        acme = self.hs_company("Acme", city="Wien")
        self.hs_contact("anna@acme.example", acme, firstname="Anna", phone="+43 1")
        bob = self.hs_contact("bob@acme.example", acme, firstname="Bob")
        self.cron("companies")
        self.cron("contacts")
        with self.mapping_form("contacts", "phone") as form:
            form.rule = "hubspot"
            form.duplicate_key = True
        self.assertFalse(self.notice())
        self.state.clear_log()
        self.cron("contacts")
        self.assertEqual(self.calls("associations.contacts."), 0, self.state.stats())
        # Its twin, a required property, reads every contact again.
        with self.mapping_form("contacts", "phone") as form:
            form.required = True
        self.state.clear_log()
        run = self.cron("contacts")
        self.assertEqual(self.calls("associations.contacts.companies"), 1, self.state.stats())
        self.assertIn("Re-read all contacts", run.message)
        self.assert_unlinked(self.partner(bob, "contacts"))


@tagged("post_install", "-at_install")
class TestTicketProjectReRead(ReReadMixin, TicketCase):
    def test_a_pipeline_that_loses_its_project_unlinks_its_tickets(self):
        record = self.ticket("Laptop broken")
        self.cron("tickets")
        task = self.task(record)
        self.assertTrue(task.hubspot_linked)

        with Form(self.pipeline.with_user(self.hs_admin)) as form:
            form.project_id = self.env["project.project"]
        self.assertIn("tickets (a ticket pipeline's project changed)", self.notice())
        run = self.cron("tickets")
        self.assert_unlinked(task)
        self.assertIn("Unlinked, kept in Odoo (no longer match what syncs): “Laptop broken”.", run.message)
        # Mapped again: the same task comes back.
        with Form(self.pipeline.with_user(self.hs_admin)) as form:
            form.project_id = self.project
        run = self.cron("tickets")
        self.assertEqual((run.linked_count, run.created_count), (1, 0))
        self.assertTrue(task.hubspot_linked)

    def test_a_project_mapped_during_a_reread_is_not_lost(self):
        it = self.state.add_pipeline("tickets", "IT Support", [("2001", "Open", "OPEN")])
        laptop = self.ticket("Laptop broken", hs_pipeline=it["id"], hs_pipeline_stage="2001")
        self.state.advance(seconds=1)
        mapped = self.ticket("Mapped one")
        self.cron("tickets")
        it_pipeline = self.account.pipeline_ids.filtered(lambda p: p.hubspot_id == it["id"])
        with Form(self.pipeline.with_user(self.hs_admin)) as form:
            form.project_id = self.env["project.project"]
        real = HubspotSyncEngineInbound._process_batch
        it_project = self.env["project.project"].create({"name": "IT"})

        def process(engine, state, records, newest=None):
            result = real(engine, state, records, newest)
            it_pipeline.with_user(self.hs_admin).project_id = it_project  # the admin maps it meanwhile
            return result

        with patch.object(HubspotSyncEngineInbound, "_process_batch", process):
            self.cron("tickets")
        self.assertFalse(self.task(laptop), "read before its pipeline was mapped")
        self.assert_unlinked(self.task(mapped), "filtered")
        self.assertIn("tickets (a ticket pipeline's project changed)", self.notice(), "the new mark stays")
        self.cron("tickets")
        self.assertEqual(self.task(laptop).project_id, it_project)
        self.assertFalse(self.notice())
