"""Odoo -> HubSpot and two-way sync of companies and contacts, against the sandbox."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import new_test_user, tagged

from ..models.hubspot_sync_engine_outbound import HubspotSyncEngineOutbound
from .common import InboundCase, _Crash, crash_rollback


class OutboundCase(InboundCase):
    def setUp(self):
        super().setUp()
        self.configure(companies_direction="both", contacts_direction="both")
        self.customer = self.Partner.create(
            {
                "name": "Odoo Kunde AG",
                "is_company": True,
                "website": "https://kunde.example",
                "phone": "+49 40 1",
                "city": "Hamburg",
                "company_id": self.account.company_id.id,
            }
        )
        self.person = self.Partner.create(
            {
                "name": "Klara Kunde",
                "email": "klara@kunde.example",
                "parent_id": self.customer.id,
                "company_id": self.account.company_id.id,
            }
        )

    def push(self, object_type="companies"):
        """A push as the schedule makes it: it looks HubSpot's records up once its index caught up."""
        self.settle()
        return self.engine._run_outbound(self.account, object_type)

    def two_way(self, object_type="companies"):
        """What the cron does for a "both directions" object: import, then push."""
        inbound = self.sync(object_type)
        return inbound, self.push(object_type)

    def remote(self, partner):
        return self.state.get_record(partner.hubspot_object_type, partner.hubspot_id)

    def writes(self):
        """Write calls the sandbox received (creates, updates, upserts, archives, associations)."""
        stats = self.state.stats()["by_operation"]
        return {
            op: n
            for op, n in stats.items()
            if any(w in op for w in ("create", "update", "upsert", "archive", "associat", "merge"))
        }


@tagged("post_install", "-at_install")
class TestPush(OutboundCase):
    def test_first_push_creates_and_associates(self):
        self.two_way("companies")
        run = self.two_way("contacts")[1]
        self.assertEqual(run.created_count, 1)
        company = self.remote(self.customer)
        self.assertEqual(company["properties"]["name"], "Odoo Kunde AG")
        self.assertEqual(company["properties"]["domain"], "kunde.example")
        self.assertTrue(company["properties"]["odoo_record_id"].endswith(f"res.partner-{self.customer.id}"))
        contact = self.remote(self.person)
        self.assertEqual(
            (contact["properties"]["firstname"], contact["properties"]["lastname"], contact["properties"]["email"]),
            ("Klara", "Kunde", "klara@kunde.example"),
        )
        linked = [to_id for to_id, _types in self.state.associated("contacts", self.person.hubspot_id, "companies")]
        self.assertEqual(linked, [self.customer.hubspot_id])
        self.assertTrue(self.customer.hubspot_linked)

    def test_partner_shared_by_all_companies_is_pushed_but_not_our_own_company(self):
        # A partner created from the Contacts app has no company: it is pushed too.
        shared = self.Partner.create({"name": "Geteilt GmbH", "is_company": True, "website": "geteilt.example"})
        self.assertFalse(shared.company_id)
        self.two_way("companies")
        self.assertTrue(shared.hubspot_linked)
        self.assertEqual(self.remote(shared)["properties"]["name"], "Geteilt GmbH")
        names = {r["properties"].get("name") for r in self.state.live_records("companies")}
        self.assertNotIn(self.env.company.partner_id.name, names, "the Odoo company itself is no customer")

    def test_no_echo_over_three_runs(self):
        self.two_way("companies")
        self.two_way("contacts")
        self.state.clear_log()
        for _ in range(3):
            for object_type in ("companies", "contacts"):
                inbound, outbound = self.two_way(object_type)
                self.assertEqual((inbound.updated_count, inbound.created_count), (0, 0))
                self.assertEqual((outbound.updated_count, outbound.created_count), (0, 0))
        self.assertEqual(self.writes(), {}, "nothing changed: no write request at all")

    def test_changed_since_last_push_only(self):
        self.two_way("companies")
        other = self.Partner.create({"name": "Second", "is_company": True, "company_id": self.account.company_id.id})
        self.push()
        self.state.clear_log()
        self.customer.phone = "+49 40 2"
        run = self.push()
        self.assertEqual(run.updated_count, 1)
        self.assertEqual(self.remote(self.customer)["properties"]["phone"], "+49 40 2")
        update_inputs = [e for e in self.state.request_log if "batch/update" in e["path"]]
        self.assertEqual(len(update_inputs), 1)
        self.assertTrue(other.hubspot_id)

    def edited_in_odoo(self, partner, values, minutes):
        """Edit in Odoo at now + ``minutes`` (a test's transaction keeps one write date)."""
        partner.write(values)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = %s WHERE id = %s",
            (fields.Datetime.now() + timedelta(minutes=minutes), partner.id),
        )
        partner.invalidate_recordset()

    def test_conflict_odoo_edited_last_wins(self):
        self.two_way("companies")
        self.state.update_record("companies", self.customer.hubspot_id, {"city": "Bremen", "zip": "28195"})  # now
        self.edited_in_odoo(self.customer, {"phone": "+49 40 777", "city": "Kiel"}, minutes=1)  # later
        self.two_way("companies")
        remote = self.remote(self.customer)["properties"]
        # Field by field: the city changed on both sides goes to the later change (Odoo's); the zip only
        # HubSpot changed and the phone only Odoo changed keep their changes: nobody's edit is lost.
        self.assertEqual((self.customer.phone, self.customer.city, self.customer.zip), ("+49 40 777", "Kiel", "28195"))
        self.assertEqual((remote["phone"], remote["city"], remote["zip"]), ("+49 40 777", "Kiel", "28195"))

    def test_conflict_hubspot_edited_last_wins(self):
        self.two_way("companies")
        self.edited_in_odoo(self.customer, {"phone": "+49 40 777"}, minutes=1)
        self.state.freeze(fields.Datetime.now() + timedelta(minutes=2))
        self.state.update_record("companies", self.customer.hubspot_id, {"city": "Bremen"})  # later
        self.two_way("companies")
        remote = self.remote(self.customer)["properties"]
        self.assertEqual((self.customer.phone, self.customer.city), ("+49 40 1", "Bremen"))
        self.assertEqual((remote["phone"], remote["city"]), ("+49 40 1", "Bremen"))

    def test_always_odoo_and_dont_sync_rules(self):
        mappings = self.account.mapping_ids.filtered(lambda m: m.object_type == "companies")
        mappings.filtered(lambda m: m.field_name == "phone").rule = "odoo"
        mappings.filtered(lambda m: m.field_name == "city").rule = "none"
        self.two_way("companies")
        self.assertNotIn("city", self.remote(self.customer)["properties"])
        self.state.update_record("companies", self.customer.hubspot_id, {"phone": "+1 hubspot"})
        self.two_way("companies")
        self.assertEqual(self.customer.phone, "+49 40 1")
        self.assertEqual(self.remote(self.customer)["properties"]["phone"], "+49 40 1", "Odoo's value is pushed back")

    def test_excluded_partner_is_never_pushed(self):
        self.customer.hubspot_exclude = True
        run = self.two_way("companies")[1]
        self.assertEqual(run.created_count, 0)
        self.assertFalse(self.customer.hubspot_id)
        self.two_way("contacts")
        self.assertFalse(self.person.hubspot_id, "its contacts stay out too")

    def test_deletions(self):
        self.two_way("companies")
        hubspot_id = self.customer.hubspot_id
        self.person.unlink()
        self.customer.unlink()
        self.assertTrue(self.env["hubspot.tombstone"].search([("hubspot_id", "=", hubspot_id)]))
        run = self.push()
        self.assertEqual(run.archived_count, 1)
        self.assertIsNone(self.state.find("companies", hubspot_id))
        self.assertFalse(self.env["hubspot.tombstone"].search([("hubspot_id", "=", hubspot_id)]))
        # A record deleted in HubSpot is never recreated by a push.
        other = self.Partner.create({"name": "Gone Soon", "is_company": True, "company_id": self.account.company_id.id})
        self.push()
        self.state.archive_record("companies", other.hubspot_id)
        self.account.checkpoint_ids.filtered(lambda c: c.direction == "in").last_archive_check_at = False
        self.sync()
        other.phone = "+1 123"
        self.push()
        self.assertFalse(other.hubspot_linked)
        self.assertEqual(
            len([r for r in self.state.live_records("companies") if r["properties"].get("name") == "Gone Soon"]), 0
        )

    def test_archiving_archives_only_when_asked(self):
        self.two_way("companies")
        self.customer.active = False
        self.push()
        self.assertTrue(self.state.find("companies", self.customer.hubspot_id), "not asked: stays in HubSpot")
        self.configure(archive_in_hubspot=True)
        self.customer.write({"phone": "+49 0"})
        run = self.push()
        self.assertEqual(run.archived_count, 1)
        self.assertIsNone(self.state.find("companies", self.customer.hubspot_id))


@tagged("post_install", "-at_install")
class TestTwoWayStart(OutboundCase):
    def test_first_two_way_sync_creates_no_duplicates(self):
        # The same company and person exist on both sides before the first sync.
        remote_co = self.hs_company("Kunde AG (HubSpot)", domain="kunde.example")
        remote_person = self.hs_contact("klara@kunde.example", remote_co, firstname="Klara", lastname="K.")
        self.assertIn("Step 1 of 2", self.account.sync_step)
        self.assertFalse(self.account._push_allowed("companies"), "import and match first")
        for object_type in ("companies", "contacts"):
            self.two_way(object_type)
        self.assertEqual(self.customer.hubspot_id, remote_co["id"])
        self.assertEqual(self.person.hubspot_id, remote_person["id"])
        self.assertEqual(len(self.state.live_records("companies")), 1)
        self.assertEqual(len(self.state.live_records("contacts")), 1)
        self.assertIn("Step 2 of 2", self.account.sync_step)

    def test_name_lookup_when_no_domain_matches(self):
        self.configure(companies_direction="out", contacts_direction="out")
        remote_co = self.hs_company("odoo kunde ag")  # same name, other case, no domain
        run = self.push()
        self.assertEqual((run.created_count, run.linked_count), (0, 1))
        self.assertEqual(self.customer.hubspot_id, remote_co["id"])

    def test_domain_lookup_links_before_creating(self):
        self.configure(companies_direction="out", contacts_direction="out")
        remote_co = self.hs_company("Kunde in HubSpot", domain="kunde.example")
        run = self.push()
        self.assertEqual((run.created_count, run.linked_count), (0, 1))
        self.assertEqual(self.customer.hubspot_id, remote_co["id"])
        self.assertEqual(self.remote(self.customer)["properties"]["name"], "Odoo Kunde AG")


@tagged("post_install", "-at_install")
class TestPushFailures(OutboundCase):
    def test_crash_between_batch_answer_and_commit(self):
        self.configure(companies_direction="out")
        for n in range(3):
            self.Partner.create({"name": f"New {n}", "is_company": True, "company_id": self.account.company_id.id})
        real = HubspotSyncEngineOutbound._store_push

        def crash(engine, *args, **kw):
            raise _Crash()  # HubSpot created them; Odoo dies before storing the ids

        crashed = False
        with patch.object(HubspotSyncEngineOutbound, "_store_push", crash):
            try:
                self.push()
            except _Crash:
                crashed = True
        self.assertTrue(crashed)
        crash_rollback(self.env)
        self.assertEqual(len(self.state.live_records("companies")), 4)
        with patch.object(HubspotSyncEngineOutbound, "_store_push", real):
            self.push()
        self.assertEqual(len(self.state.live_records("companies")), 4, "the rerun upserts: no duplicate")
        # Each partner linked to the company HubSpot made for it in the crashed run (an empty
        # search would have passed "all linked").
        remote = {r["properties"]["name"]: r["id"] for r in self.state.live_records("companies")}
        linked = {p.name: p.hubspot_id for p in self.Partner.search([("name", "like", "New ")])}
        self.assertEqual(linked, {f"New {n}": remote[f"New {n}"] for n in range(3)})

    def test_409_on_contact_email_links_existing(self):
        self.configure(companies_direction="out", contacts_direction="out")
        self.push("companies")
        existing = self.state.create_record("contacts", {"email": "taken@kunde.example", "firstname": "Taken"})
        newcomer = self.Partner.create(
            {
                "name": "New Person",
                "email": "TAKEN@kunde.example",
                "parent_id": self.customer.id,
                "company_id": self.account.company_id.id,
            }
        )
        self.push("contacts")
        self.assertEqual(newcomer.hubspot_id, existing["id"], "upsert by email: the existing contact is used")
        self.assertEqual(len(self.state.live_records("contacts")), 2)

    def test_refused_record_is_logged_and_retried(self):
        self.configure(companies_direction="out", contacts_direction="out")
        self.push("companies")
        self.person.email = "klara at kunde"  # HubSpot refuses this email
        run = self.push("contacts")
        self.assertEqual((run.failed_count, run.created_count), (1, 0))
        error = run.error_ids
        self.assertEqual(error.res_id, self.person.id)
        self.assertIn("email", error.reason)
        self.assertIn("klara at kunde", error.payload)
        self.person.email = "klara@kunde.example"
        run = self.push("contacts")
        self.assertEqual((run.failed_count, run.created_count), (0, 1))
        self.assertEqual(error.state, "resolved")

    def test_owner_mapping(self):
        self.configure(companies_direction="out")
        seller = new_test_user(self.env, login="seller2", email="seller2@example.com", groups="base.group_user")
        stranger = new_test_user(self.env, login="stranger", email="stranger@example.com", groups="base.group_user")
        owner = self.state.add_owner("seller2@example.com", "Sam", "Seller")
        self.account.owners_refreshed_at = False
        self.env["hubspot.owner"]._refresh(self.account, self.account._get_client())
        self.customer.user_id = seller
        other = self.Partner.create(
            {"name": "Other", "is_company": True, "user_id": stranger.id, "company_id": self.account.company_id.id}
        )
        run = self.push()
        self.assertEqual(self.remote(self.customer)["properties"]["hubspot_owner_id"], str(owner["id"]))
        self.assertNotIn("hubspot_owner_id", self.remote(other)["properties"], "unmapped: HubSpot's owner untouched")
        self.assertIn("stranger", run.message, "reported once, on the run")

    def test_link_back_property(self):
        self.configure(companies_direction="out", link_back=True)
        self.assertNotIn("odoo_url", self.state.properties["companies"])
        self.push()
        self.assertIn("odoo_url", self.state.properties["companies"], "the connector created the property")
        url = self.remote(self.customer)["properties"]["odoo_url"]
        self.assertTrue(url.endswith(f"/odoo/res.partner/{self.customer.id}"))
        self.assertTrue(self.customer.hubspot_url.startswith("https://app.hubspot.com/contacts/12345678/record/0-2/"))


@tagged("post_install", "-at_install")
class TestPushSchedule(OutboundCase):
    def test_cron_pushes_by_direction(self):
        self.configure(companies_direction="out")
        self.engine._cron_sync("companies")
        runs = self.account.run_ids.filtered(lambda r: r.object_type == "companies")
        self.assertEqual(runs.mapped("direction"), ["out"], "Odoo → HubSpot only: no import")
        self.assertTrue(self.customer.hubspot_id)
        self.configure(companies_direction="both")
        self.account.checkpoint_ids.write({"last_run_at": False})
        self.engine._cron_sync("companies")
        checked = self.env["hubspot.sync.status"].search(
            [("account_id", "=", self.account.id), ("object_type", "=", "companies"), ("last_checked_at", "!=", False)]
        )
        self.assertEqual(sorted(checked.mapped("direction")), ["in", "out"], "both: the import, then the push")
        runs = self.account.run_ids.filtered(lambda r: r.object_type == "companies")
        self.assertEqual(runs.mapped("direction"), ["out"], "nothing new either way: no row")
