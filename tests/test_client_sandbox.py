"""Smoke suite: the HubSpot client end to end against the sandbox, over real HTTP."""

from odoo.tests import tagged

from ..hubspot import (
    HubSpotClient,
    HubSpotConflictError,
    HubSpotDailyLimitError,
    HubSpotNotFoundError,
    HubSpotRateLimitError,
    HubSpotTimeoutError,
    HubSpotValidationError,
    OAuthToken,
    RateLimiter,
)
from ..sandbox import SandboxServer, SandboxState
from .common import ClientCase, SandboxMixin


@tagged("post_install", "-at_install")
class TestClientAgainstSandbox(SandboxMixin, ClientCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.state = SandboxState()
        cls.sandbox = SandboxServer(cls.state).start()
        cls.addClassCleanup(cls.sandbox.stop)

    def setUp(self):
        super().setUp()
        self.state.reset()
        self.state.set_faults()
        self.state.set_rate_limits(enabled=False)
        self.state.unfreeze()
        self.client = self.make_client()

    def make_client(self, api_version="2026-03", **kw):
        kw.setdefault("backoff_factor", 0)
        kw.setdefault("sleep", lambda seconds: None)
        return HubSpotClient(self.sandbox.url, token="sandbox-token", api_version=api_version, **kw)

    def test_records_round_trip_in_both_versions(self):
        for version in ("2026-03", "v3"):
            client = self.make_client(version)
            created = client.batch_create(
                "companies", [{"properties": {"name": f"Co {n}", "domain": f"c{n}.example"}} for n in range(150)]
            )
            self.assertTrue(created.ok)
            self.assertEqual(client.calls["batch_create"], 2, "150 inputs: two calls of at most 100")
            ids = [r["id"] for r in created.results]
            listed = [r["id"] for r in client.iter_objects("companies", properties=["name"])]
            self.assertTrue(set(ids) <= set(listed))
            record = client.get_object("companies", ids[0], properties=["domain"])
            self.assertEqual(record["properties"]["domain"], "c0.example")
            updated = client.batch_update("companies", [{"id": ids[0], "properties": {"phone": "+49 1"}}])
            self.assertEqual(updated.results[0]["properties"]["phone"], "+49 1")
            archived = client.batch_archive("companies", ids[:2])
            self.assertTrue(archived.ok)
            with self.assertRaises(HubSpotNotFoundError):
                client.get_object("companies", ids[0])
            gone = {r["id"] for r in client.iter_objects("companies", archived=True)}
            self.assertTrue({ids[0], ids[1]} <= gone)
            self.state.reset()

    def test_contacts_email_rules_and_partials(self):
        first = self.client.request(
            "POST", self.client.paths.objects("contacts"), "create", json={"properties": {"email": "a@x.example"}}
        )
        with self.assertRaises(HubSpotConflictError) as caught:
            self.client.request(
                "POST", self.client.paths.objects("contacts"), "create", json={"properties": {"email": "A@x.example"}}
            )
        self.assertEqual(caught.exception.existing_id, first["id"])
        by_email = self.client.get_object("contacts", "a@x.example", id_property="email")
        self.assertEqual(by_email["id"], first["id"])
        upserted = self.client.batch_upsert(
            "contacts",
            [
                {"id": "a@x.example", "properties": {"firstname": "A"}},
                {"id": "b@x.example", "properties": {"firstname": "B"}},
            ],
            "email",
        )
        self.assertEqual(sorted(r["new"] for r in upserted.results), [False, True])
        partial = self.client.batch_read("contacts", [first["id"], "999999"], properties=["email"])
        self.assertEqual([r["id"] for r in partial.results], [first["id"]])
        self.assertEqual(partial.errors[0].ids, ["999999"])
        with self.assertRaises(HubSpotValidationError) as caught:
            self.client.request(
                "POST", self.client.paths.objects("contacts"), "create", json={"properties": {"email": "not an email"}}
            )
        self.assertIn("email", caught.exception.property_errors)

    def test_incremental_beyond_the_cap_with_one_timestamp(self):
        self.state.freeze()
        for n in range(450):
            self.state.add_record("companies", {"name": f"Bulk {n}"})
        self.state.advance(seconds=1)
        for n in range(30):
            self.state.add_record("companies", {"name": f"Later {n}"})
        self.settle()
        self.client.search_cap = 200  # the logic of HubSpot's 10,000, on small data
        seen = [r["id"] for r in self.client.iter_modified_since("companies")]
        self.assertEqual(len(seen), 480)
        self.assertEqual(len(set(seen)), 480)
        self.assertGreater(self.client.calls["list"], 0, "the bulk timestamp came from the list endpoint")

    def test_merge_associations_and_portal(self):
        one = self.state.create_record("companies", {"name": "One"})
        two = self.state.create_record("companies", {"name": "Two"})
        contact = self.state.create_record("contacts", {"email": "c@x.example"})
        self.client.create_associations("contacts", "companies", [(contact["id"], one["id"])])
        self.assertEqual(
            self.client.read_associations("contacts", "companies", [contact["id"]]), {contact["id"]: [one["id"]]}
        )
        self.assertEqual(
            self.client.read_associations("companies", "contacts", [one["id"]]), {one["id"]: [contact["id"]]}
        )
        merged = self.client.merge("companies", one["id"], two["id"])
        self.assertNotIn(merged["id"], (one["id"], two["id"]))
        self.assertEqual(self.client.get_object("companies", two["id"])["id"], merged["id"], "old ids resolve")
        self.client.archive_associations("contacts", "companies", [(contact["id"], merged["id"])])
        self.assertEqual(self.client.read_associations("contacts", "companies", [contact["id"]]), {})

        self.state.add_owner("owner@x.example", "Olga", "Owner")
        self.assertIn("owner@x.example", [o["email"] for o in self.client.iter_owners()])
        stages = self.client.get_pipelines("deals")[0]["stages"]
        self.assertIn("closedwon", [s["id"] for s in stages])
        self.client.create_property(
            "companies",
            {
                "name": "odoo_url",
                "label": "Odoo",
                "type": "string",
                "fieldType": "text",
                "groupName": "companyinformation",
            },
        )
        self.assertIn("odoo_url", [p["name"] for p in self.client.get_properties("companies")])
        self.assertEqual(self.client.get_account_details()["portalId"], self.state.portal_id)
        self.assertTrue(self.client.get_daily_usage())

    def linked_contact(self, email, companies, primary=None):
        contact = self.state.create_record("contacts", {"email": email})["id"]
        for company in companies:
            self.state.associate("contacts", contact, "companies", company)
        if primary:
            self.state.associate("contacts", contact, "companies", primary, [1])
        return contact

    def test_association_pages_are_all_read_still_batched(self):
        self.state.configure(association_page_size=2)
        self.addCleanup(self.state.configure, association_page_size=500)
        companies = [self.state.create_record("companies", {"name": f"C{n}"})["id"] for n in range(5)]
        many = self.linked_contact("many@x.example", companies)
        some = self.linked_contact("some@x.example", companies[:3])
        one = self.linked_contact("one@x.example", companies[:1])
        none = self.linked_contact("none@x.example", [])
        found = self.client.read_associations("contacts", "companies", [many, some, one, none])
        self.assertEqual(
            {k: sorted(v) for k, v in found.items()}, {many: companies, some: companies[:3], one: companies[:1]}
        )
        # Page 1 of all four, then pages 2 of "many" and "some" together, then page 3 of "many".
        self.assertEqual(self.client.calls["associations_read"], 3)
        self.assertEqual(self.state.call_count("associations.contacts.companies.batch_read"), 3)
        # The other way round: a company's contacts (read when a pending company is accepted).
        self.assertEqual(
            sorted(self.client.read_associations("companies", "contacts", [companies[0]])[companies[0]]),
            sorted([many, some, one]),
        )
        # Paging costs nothing when no record has a second page.
        self.state.configure(association_page_size=500)
        client = self.make_client()
        self.assertEqual(len(client.read_associations("contacts", "companies", [many, some, one, none])[many]), 5)
        self.assertEqual(client.calls["associations_read"], 1)

    def test_the_primary_company_comes_first(self):
        low, high = (self.state.create_record("companies", {"name": n})["id"] for n in ("Low", "High"))
        primary_low = self.linked_contact("a@x.example", [low, high], primary=low)
        primary_high = self.linked_contact("b@x.example", [low, high], primary=high)
        unlabelled = self.linked_contact("c@x.example", [high, low])
        found = self.client.read_associations("contacts", "companies", [primary_low, primary_high, unlabelled])
        self.assertEqual(found, {primary_low: [low, high], primary_high: [high, low], unlabelled: [low, high]})
        # The same for a deal's and a ticket's primary company (type ids 5 and 26).
        deal = self.state.create_record("deals", {"dealname": "D", "dealstage": "qualifiedtobuy"})["id"]
        ticket = self.state.create_record("tickets", {"subject": "T", "hs_pipeline_stage": "1"})["id"]
        for object_type, record, primary_type in (("deals", deal, 5), ("tickets", ticket, 26)):
            self.state.associate(object_type, record, "companies", high)
            self.state.associate(object_type, record, "companies", low, [primary_type])
            self.assertEqual(self.client.read_associations(object_type, "companies", [record])[record], [low, high])

    def test_opaque_search_cursors(self):
        self.state.configure(opaque_search_cursors=True)
        self.addCleanup(self.state.configure, opaque_search_cursors=False)
        self.state.freeze()
        for n in range(450):
            self.state.add_record("companies", {"name": f"Bulk {n}"})
        self.state.advance(seconds=1)
        for n in range(30):
            self.state.add_record("companies", {"name": f"Later {n}"})
        self.settle()
        names = [r["properties"]["name"] for r in self.client.iter_search("companies", properties=["name"])]
        self.assertEqual(len(set(names)), 480)
        self.client.search_cap = 200  # the logic of HubSpot's 10,000, on small data
        seen = [r["id"] for r in self.client.iter_modified_since("companies")]
        self.assertEqual((len(seen), len(set(seen))), (480, 480))
        self.assertNotIn("400", self.state.stats()["by_status"], "never a page past the cap")

    def test_search_and_association_batches_spend_no_ten_second_budget(self):
        company = self.state.create_record("companies", {"name": "Acme"})["id"]
        contact = self.state.create_record("contacts", {"email": "a@acme.example"})["id"]
        self.state.set_rate_limits(enabled=True, per_ten_seconds=3, search_per_second=100, daily=1000)
        client = self.make_client(rate_limit=3)
        now = [0.0]
        client.limiter = RateLimiter(3, 10.0, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
        for _ in range(3):
            client.get_account_details()  # the ten-second budget is spent
        client.create_associations("contacts", "companies", [(contact, company)])
        client.create_associations("contacts", "companies", [(contact, company)], type_id=1)
        self.assertEqual(client.read_associations("contacts", "companies", [contact]), {contact: [company]})
        client.archive_associations("contacts", "companies", [(contact, company)])
        self.settle()
        self.assertEqual(len(list(client.iter_search("companies"))), 1)
        self.assertEqual(client.limiter.waited, 0, "nothing waited for the ten-second budget")
        self.assertNotIn("429", self.state.stats()["by_status"])
        self.state.rate_limits.clear()  # the sandbox's window is real time; the client's clock is not
        client.get_account_details()
        self.assertEqual(client.limiter.waited, 10.0, "a counted call still waits")

    def test_retries_against_faults(self):
        self.state.add_record("companies", {"name": "Acme"})
        self.state.fail_next(2, status=503)
        self.state.fail_next(1, status=429)
        self.state.fail_next(1, kind="malformed")
        self.assertEqual(len(list(self.client.iter_objects("companies"))), 1)
        self.assertEqual(self.client.retry_count, 4)
        self.assertEqual(self.client.call_count, 5)

    def test_timeout_fault(self):
        self.state.fail_next(3, kind="timeout")
        client = self.make_client(timeout=0.3, max_retries=2)
        with self.assertRaises(HubSpotTimeoutError):
            client.get_account_details()
        self.assertEqual(client.retries["account_details"], 2)

    def test_rate_limits(self):
        self.state.set_rate_limits(enabled=True, per_ten_seconds=2, daily=1000)
        waits = []
        client = self.make_client(sleep=waits.append, max_rate_limit_retries=2)
        client.get_account_details()
        client.get_account_details()
        with self.assertRaises(HubSpotRateLimitError) as caught:
            client.get_account_details()
        self.assertEqual(caught.exception.policy, "TEN_SECONDLY_ROLLING")
        self.assertEqual(waits, [10.0, 10.0], "waits what the rate-limit headers say, then gives up")
        self.state.reset()
        self.state.set_rate_limits(enabled=True, per_ten_seconds=1000, daily=2)
        client = self.make_client(sleep=waits.append)
        client.get_account_details()
        client.get_account_details()
        with self.assertRaises(HubSpotDailyLimitError):
            client.get_account_details()
        self.assertEqual(client.calls["account_details"], 3, "the daily limit is not retried")

    def test_oauth_flow(self):
        self.state.add_oauth_client("cid", "csecret")
        code = self.state.authorize("cid", "https://odoo.example/cb", ["oauth", "crm.objects.contacts.read"])
        bare = HubSpotClient(self.sandbox.url, token=None)
        tokens = bare.oauth_exchange_code("cid", "csecret", "https://odoo.example/cb", code)
        self.assertEqual(tokens["expires_in"], 1800)
        provider = OAuthToken("cid", "csecret", tokens["refresh_token"])
        client = HubSpotClient(self.sandbox.url, token=provider)
        self.assertEqual(client.get_account_details()["portalId"], self.state.portal_id)
        self.assertEqual(client.calls["oauth_token"], 1, "refreshed once, then reused")
