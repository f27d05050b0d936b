"""Defects `make soak` found, each reproduced here without the soak (issue 15)."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..hubspot import HubSpotClient
from .test_sync_inbound import InboundCase

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
