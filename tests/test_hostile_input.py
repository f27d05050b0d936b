"""Hostile values from HubSpot: a garbled last-modified date, non-finite numbers, NUL bytes.

Records are stored in the sandbox the way HubSpot's own UI or an import might (no API
validation), then read over HTTP by the sync, the pending queue and the import wizard. A
bad value fails its own record only, with the reason and the payload on the run; text
PostgreSQL cannot hold is cleaned; nothing logs a WARNING or an ERROR."""

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..hubspot import timestamps
from ..hubspot.values import clean_record
from .common import ClientCase, InboundCase
from .test_relink import open_wizard
from .test_sync_products import LineItemsCase

GARBLED = "31/12/2026 10:00"


def as_json(rows):
    """What JSON-RPC sends the web client: a bare NaN or Infinity is no JSON."""
    return json.dumps(rows, allow_nan=False, default=str)


@tagged("post_install", "-at_install")
class TestHostileInbound(InboundCase):
    def setUp(self):
        super().setUp()
        # In the past, so each run's checkpoint is the newest record it saw.
        self.state.freeze(fields.Datetime.now() - timedelta(minutes=10))

    def checkpoint_ms(self):
        return int(self.env["hubspot.sync.checkpoint"]._get(self.account, "companies", "in").last_modified_ms)

    def test_a_garbled_modified_date_fails_that_record_only(self):
        alpha = self.hs_company("Alpha")
        self.state.advance(seconds=1)
        garbled = self.hs_company("Garbled")
        self.state.edit_record("companies", garbled["id"], {"hs_lastmodifieddate": GARBLED})
        self.state.advance(seconds=1)
        omega = self.hs_company("Omega")
        with self.assertNoLogs(level="WARNING"):
            run = self.sync()
        self.assertEqual((run.state, run.created_count, run.failed_count), ("partial", 2, 1), run.message)
        error = run.error_ids
        self.assertEqual((error.hubspot_id, error.state), (garbled["id"], "open"))
        self.assertIn(f"hs_lastmodifieddate: “{GARBLED}” is not a date and time", error.reason)
        self.assertIn('"Garbled"', error.payload)
        self.assertTrue(self.partner(alpha) and self.partner(omega))
        self.assertFalse(self.partner(garbled))
        omega_ms = timestamps.to_millis(omega["properties"]["hs_lastmodifieddate"])
        # Past the garbled record, and past Omega (the last one, done: not read again by every run).
        self.assertEqual(self.checkpoint_ms(), omega_ms + 1, "the checkpoint moved past the garbled record")

        # The next run finds the first one finished, and retries the garbled record.
        self.state.advance(seconds=1)
        with self.assertNoLogs(level="WARNING"):
            second = self.sync()
        self.assertNotIn("Interrupted", run.message or "")
        self.assertEqual((second.state, second.created_count, second.failed_count), ("partial", 0, 1))
        self.assertEqual((error.state, second.error_ids.hubspot_id), ("resolved", garbled["id"]))
        self.assertEqual(self.checkpoint_ms(), omega_ms + 1)

        # Fixed in HubSpot: it arrives, once.
        self.state.advance(seconds=5)
        self.state.update_record("companies", garbled["id"], {"name": "Garbled, fixed"})
        third = self.sync()
        self.assertEqual((third.state, third.created_count, third.failed_count), ("done", 1, 0))
        self.assertEqual(self.partner(garbled).name, "Garbled, fixed")
        self.assertEqual(self.Partner.search_count([("hubspot_account_id", "=", self.account.id)]), 3)

    def test_non_finite_numbers_fail_their_record(self):
        scored = self.hs_company("Scored", hubspotscore="12")
        bad = {
            value: self.hs_company(f"Score {value}", hubspotscore=value) for value in ("NaN", "1e400", "inf", "-inf")
        }
        with self.assertNoLogs(level="WARNING"):
            run = self.sync()
        self.assertEqual((run.created_count, run.failed_count), (1, 4))
        reasons = {e.hubspot_id: e.reason for e in run.error_ids}
        for value, record in bad.items():
            self.assertIn(f"hubspotscore: “{value}” is not a number Odoo can store", reasons[record["id"]])
            self.assertFalse(self.partner(record))
        partner = self.partner(scored)
        self.assertEqual(partner.hubspot_lead_score, 12)
        # A synced company whose score turns into NaN keeps its last good version.
        self.state.advance(seconds=5)
        self.state.edit_record("companies", scored["id"], {"hubspotscore": "NaN", "phone": "+1 555"})
        with self.assertNoLogs(level="WARNING"):
            run = self.sync()
        self.assertIn(scored["id"], run.error_ids.mapped("hubspot_id"))
        self.assertEqual((partner.hubspot_lead_score, partner.phone), (12, False))
        rows = self.env["res.partner"].with_user(self.hs_user).search_read([], ["name", "hubspot_lead_score"])
        as_json(rows)

    def test_nul_bytes_are_removed(self):
        owner = self.state.add_owner("sam@example.com", "Sa\x00m", "Seller")
        acme = self.hs_company(
            "Acme\x00 GmbH", city="Ber\x00lin", description="One\x00 line", hubspot_owner_id=owner["id"]
        )
        anna = self.hs_contact("anna@acme.example", acme, firstname="An\x00na", lastname="Schmidt")
        with self.assertNoLogs(level="WARNING"):
            run = self.sync()
            contacts = self.sync("contacts")
        self.assertEqual((run.created_count, run.failed_count), (1, 0), run.error_ids.mapped("reason"))
        self.assertEqual((contacts.created_count, contacts.failed_count), (1, 0))
        partner = self.partner(acme)
        self.assertEqual((partner.name, partner.city, partner.comment), ("Acme GmbH", "Berlin", "<p>One line</p>"))
        self.assertEqual(self.partner(anna, "contacts").name, "Anna Schmidt")
        self.assertEqual(self.account.owner_ids.name, "Sam Seller")
        # The next run sees nothing new (the cleaned values are no change).
        run = self.sync()
        self.assertEqual((run.updated_count, run.failed_count), (0, 0))

    def test_pending_companies_hold_clean_values(self):
        self.configure(review_new_companies=True)
        self.hs_company("Wait\x00ing AG", city="Ham\x00burg", hubspotscore="7")
        not_a_number = self.hs_company("Not a Number AG", hubspotscore="NaN")
        with self.assertNoLogs(level="WARNING"):
            run = self.sync()
        self.assertEqual((run.pending_count, run.failed_count), (1, 1))
        self.assertIn("hubspotscore: “NaN”", run.error_ids.reason)
        self.assertEqual(run.error_ids.hubspot_id, not_a_number["id"])
        rows = (
            self.env["hubspot.pending.company"]
            .with_user(self.hs_user)
            .search_read([], ["name", "city", "hubspot_lead_score", "values_json"])
        )
        as_json(rows)
        self.assertEqual(
            [(r["name"], r["city"], r["hubspot_lead_score"]) for r in rows], [("Waiting AG", "Hamburg", 7)]
        )
        self.assertNotIn("\\u0000", rows[0]["values_json"])


@tagged("post_install", "-at_install")
class TestHostileDeals(LineItemsCase):
    def test_bad_numbers_and_dates_fail_their_deal_or_line_item(self):
        self.state.add_pipeline("deals", "Big\x00 deals", [("bigopen", "Op\x00en", "NaN")], pipeline_id="big")
        good = self.deal("Good deal", amount="100", closedate="2026-12-24")
        big = self.state.add_record("deals", {"dealname": "Big one", "dealstage": "bigopen", "pipeline": "big"})
        nan = self.deal("NaN deal", amount="NaN")
        garbled = self.deal("Garbled date", closedate="24.12.2026")
        with self.assertNoLogs(level="WARNING"):
            run = self.sync("deals")
        self.assertEqual((run.created_count, run.failed_count), (2, 2), run.error_ids.mapped("reason"))
        reasons = {e.hubspot_id: e.reason for e in run.error_ids}
        self.assertIn("amount: “NaN” is not a number Odoo can store", reasons[nan["id"]])
        self.assertIn("closedate: “24.12.2026” is not a date", reasons[garbled["id"]])
        self.assertEqual((self.lead(good).expected_revenue, str(self.lead(good).date_deadline)), (100, "2026-12-24"))
        self.assertEqual(self.lead(big).probability, 0, "a stage's NaN probability counts as none")
        stage = self.account.pipeline_ids.filtered(lambda p: p.hubspot_id == "big").stage_ids
        self.assertEqual((stage.pipeline_id.name, stage.name), ("Big deals", "Open"))

        self.line_item(good, "Fine", quantity="1", price="10")
        infinite = self.line_item(good, "Infinite discount", quantity="1", price="10", discount="inf")
        huge = self.line_item(good, "Huge", quantity="1e400", price="10")
        with self.assertNoLogs(level="WARNING"):
            run = self.sync("line_items")
        self.assertEqual((run.created_count, run.failed_count), (1, 2))
        reasons = {e.hubspot_id: e.reason for e in run.error_ids}
        self.assertIn("discount: “inf” is not a number Odoo can store", reasons[infinite["id"]])
        self.assertIn("quantity: “1e400” is not a number Odoo can store", reasons[huge["id"]])
        self.assertEqual(self.lead(good).hubspot_line_ids.mapped("name"), ["Fine"])
        as_json(self.env["hubspot.deal.line"].search_read([], ["quantity", "price_unit", "discount"]))


@tagged("post_install", "-at_install")
class TestHostileImportWizard(InboundCase):
    def test_search_results_are_safe_to_show(self):
        lead = self.env["crm.lead"].create({"name": "Renewal", "type": "opportunity", "user_id": self.hs_user.id})
        deal = self.state.add_record(
            "deals", {"dealname": "Renewal\x00 2026", "amount": "NaN", "dealstage": "appointmentscheduled"}
        )
        self.state.edit_record("deals", deal["id"], {"hs_lastmodifieddate": GARBLED})
        self.settle()
        wizard = open_wizard(self.env, lead, self.hs_user)
        with self.assertNoLogs(level="WARNING"):
            wizard.action_search()
        line = wizard.line_ids
        self.assertEqual(
            (line.hubspot_id, line.name, line.amount, line.modified_at), (deal["id"], "Renewal 2026", 0, False)
        )
        as_json(line.read(["name", "amount", "modified_at"]))

    def test_linking_a_garbled_record_is_refused_with_its_reason(self):
        partner = self.env["res.partner"].create({"name": "Acme", "is_company": True})
        garbled = self.hs_company("Garbled GmbH")
        self.state.edit_record("companies", garbled["id"], {"hs_lastmodifieddate": GARBLED})
        wizard = open_wizard(self.env, partner, self.hs_user, mode="id", hubspot_id=garbled["id"])
        self.state.clear_log()
        with self.assertNoLogs(level="WARNING"), self.assertRaises(UserError) as refused:
            wizard.action_confirm()  # (assertRaises undoes the transaction, as an RPC call's error does)
        self.assertRegex(
            str(refused.exception), f"Company {garbled['id']} cannot be imported: .*hs_lastmodifieddate: “{GARBLED}”"
        )
        # What the refusal leaves in Odoo is whatever the rollback leaves; HubSpot's side shows it:
        # the record was read, nothing was written back.
        self.assertEqual({entry["method"] for entry in self.state.request_log}, {"GET"})
        self.assertEqual(self.state.get_record("companies", garbled["id"])["properties"]["name"], "Garbled GmbH")
        # A NUL byte is only removed.
        acme = self.hs_company("Acme\x00 GmbH")
        wizard = open_wizard(self.env, partner, self.hs_user, mode="id", hubspot_id=acme["id"])
        with self.assertNoLogs(level="WARNING"):
            wizard.action_confirm()
        self.assertEqual((partner.hubspot_id, partner.hubspot_linked, partner.name), (acme["id"], True, "Acme GmbH"))


@tagged("post_install", "-at_install")
class TestCleanValues(ClientCase):
    def test_text_postgresql_cannot_hold_is_cleaned(self):
        # A lone surrogate is valid JSON ("\\ud800") that no UTF-8 column can store.
        record = {"id": "1", "properties": {"name": "A\x00cme \ud800", "score": 7, "flag": True, "empty": None}}
        self.assertEqual(
            clean_record(record)["properties"],
            {"name": "Acme \ufffd", "score": "7", "flag": "true", "empty": None},
        )
        self.assertEqual(record["properties"]["name"], "A\x00cme \ud800", "the record read stays as it was")
