"""The sandbox is as strict as HubSpot: published versions only, opaque cursors, paged
association reads with the primary company never first, HubSpot's rate-limit exemptions."""

import base64
from urllib.parse import urlsplit

from odoo.tests import tagged

from .test_sandbox import DATED, NUMBERED, SandboxCase


@tagged("post_install", "-at_install")
class TestSandboxVersions(SandboxCase):
    def test_unpublished_versions_and_paths_are_404_and_reach_nothing(self):
        self.state.add_owner("owner@example.com", "Olli", "Owner")
        refused = [
            ("GET", "/crm/v4/owners", None),  # owners: v3 or dated
            ("GET", "/crm/objects/2099-01/companies", None),  # no such version
            ("POST", "/crm/objects/2099-01/companies", {"properties": {"name": "Lost"}}),
            ("GET", "/crm/v4/objects/companies", None),  # objects: v3 or dated; v4 only for associations
            ("POST", "/crm/v3/associations/contacts/companies/batch/read", {"inputs": []}),  # v4 only here
            ("GET", "/crm/v3/objects/companies/1/associations/contacts", None),  # per record: v4 or dated
            ("GET", "/crm/objects/companies", None),  # no version at all
            ("GET", "/crm/objects/v3/companies", None),  # a numbered version right after "crm" only
            ("GET", "/crm/2026-03/objects/companies", None),  # a dated one after the area only
            ("GET", "/crm/properties/2026-09-beta/companies", None),
            ("POST", "/oauth/v1/token/introspect", {}),  # introspect: v3 or dated
            ("POST", "/oauth/2025-09/token", {}),  # OAuth has no 2025-09
            ("GET", "/oauth/2026-03/access-tokens/x", None),  # v1 only
        ]
        for method, path, body in refused:
            response = self.call(method, path, body)
            self.assertEqual(response.status_code, 404, f"{method} {path}: {response.text}")
            error = response.json()
            self.assertEqual((error["status"], error["category"]), ("error", "OBJECT_NOT_FOUND"), path)
            self.assertTrue(error["correlationId"], path)
            self.assertIn(path, error["message"])
        self.assertEqual(self.state.live_records("companies"), [], "the refused create stored nothing")
        self.assertEqual(set(self.state.stats()["by_status"]), {"404"})
        published = [
            "/crm/v3/owners",
            "/crm/owners/2026-03",
            "/crm/owners/2025-09",
            "/crm/objects/2026-09/companies",
            "/crm/v3/objects/0-2",
            "/crm/pipelines/2026-03/deals",
            "/crm/v3/properties/companies",
            "/account-info/2026-03/details",
            "/account-info/v3/details",
        ]
        for path in published:
            self.assertEqual(self.call("GET", path).status_code, 200, path)
        for paths in (DATED, NUMBERED):
            read = self.call("POST", paths.associations("contacts", "companies", "batch", "read"), {"inputs": []})
            self.assertEqual(read.status_code, 200, read.text)

    def test_every_error_body_carries_a_correlation_id(self):
        answers = [
            self.call("GET", self.paths.objects("companies"), token=None),  # 401
            self.call("GET", self.paths.objects("companies", "999")),  # 404
            self.call("GET", self.paths.objects("companies"), params={"limit": 101}),  # 400
            self.call("PUT", self.paths.objects("companies")),  # 405
            self.call("POST", self.paths.oauth_token(), form={"grant_type": "refresh_token", "refresh_token": "x"}),
            self.call("POST", "/_sandbox/seed", {"kind": "nonsense"}, token=None),  # the admin API too
        ]
        for response in answers:
            self.assertGreaterEqual(response.status_code, 400, response.text)
            self.assertTrue(response.json().get("correlationId"), response.text)
        self.assertTrue(answers[4].json()["error_description"], "OAuth keeps its RFC 6749 fields")


@tagged("post_install", "-at_install")
class TestSandboxCursors(SandboxCase):
    def follow(self, path, params=None):
        """Every page of a GET listing by its cursors; also checks each ``link``."""
        seen, after, cursors = [], None, []
        while True:
            page = self.ok("GET", path, params={**(params or {}), **({"after": after} if after else {})})
            seen += [str(r.get("id") or r.get("toObjectId")) for r in page["results"]]
            after = page.get("paging", {}).get("next", {}).get("after")
            if not after:
                return seen, cursors
            cursors.append(after)
            link = page["paging"]["next"]["link"]
            self.assertTrue(link.startswith(self.sandbox.url + path + "?"), link)
            by_link = self.ok("GET", urlsplit(link).path + "?" + urlsplit(link).query)
            self.assertEqual(by_link, self.ok("GET", path, params={**(params or {}), "after": after}))

    def test_list_cursors_are_opaque_and_links_full_urls(self):
        companies = [self.make("companies", name=f"C{n}")["id"] for n in range(5)]
        contact = self.make("contacts", email="x@example.com")["id"]
        for company in companies:
            self.state.associate("companies", company, "contacts", contact)
        for n in range(4):
            self.state.add_owner(f"owner{n}@example.com", "O", str(n))
        listings = [
            (self.paths.objects("companies"), {"limit": 2, "properties": "name"}, companies),
            (self.paths.owners(), {"limit": 3}, sorted(self.state.owners)),
            (self.paths.record_associations("contacts", contact, "companies"), {"limit": 2}, companies),
        ]
        for path, params, expected in listings:
            seen, cursors = self.follow(path, params)
            self.assertEqual(seen, expected, path)
            self.assertTrue(cursors, path)
            for cursor in cursors:
                self.assertFalse(cursor.isdigit(), f"{path}: {cursor!r} is not opaque")
            # A cursor the client made up (an id, an offset) is refused, as HubSpot refuses it.
            made_up = self.call("GET", path, params={**params, "after": companies[1]})
            self.assertEqual(made_up.status_code, 400, path)
            self.assertEqual(made_up.json()["category"], "VALIDATION_ERROR")
            forged = base64.urlsafe_b64encode(b"nonsense:2").decode().rstrip("=")
            self.assertEqual(self.call("GET", path, params={**params, "after": forged}).status_code, 400, path)

    def test_search_cursor_is_an_offset_unless_asked_to_be_opaque(self):
        for n in range(5):
            self.make("companies", name=f"C{n}")
        query = {"limit": 2, "sorts": [{"propertyName": "name", "direction": "ASCENDING"}]}
        first = self.search("companies", **query).json()
        self.assertEqual(first["paging"]["next"]["after"], "2", "HubSpot's search cursor is an offset today")
        self.state.configure(opaque_search_cursors=True)
        names, after = [], None
        while True:
            page = self.search("companies", **query, **({"after": after} if after else {})).json()
            names += [r["properties"]["name"] for r in page["results"]]
            after = page.get("paging", {}).get("next", {}).get("after")
            if not after:
                break
            self.assertFalse(after.isdigit())
        self.assertEqual(names, [f"C{n}" for n in range(5)])
        self.assertEqual(self.search("companies", **query, after="2").status_code, 400, "offsets are refused now")


@tagged("post_install", "-at_install")
class TestSandboxAssociationPages(SandboxCase):
    def setUp(self):
        super().setUp()
        self.state.configure(association_page_size=2)
        self.companies = [self.make("companies", name=f"C{n}")["id"] for n in range(5)]
        self.contact = self.make("contacts", email="many@example.com")["id"]
        self.single = self.make("contacts", email="one@example.com")["id"]
        for company in self.companies:
            self.state.associate("contacts", self.contact, "companies", company)
        self.state.associate("contacts", self.single, "companies", self.companies[0])
        # The primary company: the lowest id, so that id order alone would list it first.
        self.state.associate("contacts", self.contact, "companies", self.companies[0], [1])

    def batch_read(self, inputs):
        return self.ok("POST", self.paths.associations("contacts", "companies", "batch", "read"), {"inputs": inputs})

    def test_batch_read_pages_each_record_and_labels_the_primary(self):
        body = self.batch_read([{"id": self.contact}, {"id": self.single}])
        by_id = {r["from"]["id"]: r for r in body["results"]}
        self.assertEqual(len(by_id[self.contact]["to"]), 2)
        self.assertNotIn("paging", by_id[self.single], "one page: no paging at all")
        listed, page = [], by_id[self.contact]
        while True:
            listed += page["to"]
            after = page.get("paging", {}).get("next", {}).get("after")
            if not after:
                break
            self.assertFalse(after.isdigit())
            (page,) = self.batch_read([{"id": self.contact, "after": after}])["results"]
        self.assertEqual(sorted(str(t["toObjectId"]) for t in listed), sorted(self.companies))
        primary = [t for t in listed if any(k["label"] == "Primary" for k in t["associationTypes"])]
        self.assertEqual([str(t["toObjectId"]) for t in primary], [self.companies[0]])
        self.assertEqual(
            sorted(primary[0]["associationTypes"], key=lambda k: k["typeId"]),
            [
                {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
                {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
            ],
        )
        self.assertNotEqual(str(listed[0]["toObjectId"]), self.companies[0], "the primary one is not listed first")
        made_up = self.call(
            "POST",
            self.paths.associations("contacts", "companies", "batch", "read"),
            {"inputs": [{"id": self.contact, "after": "2"}]},
        )
        self.assertEqual(made_up.status_code, 400)

    def test_primary_is_not_first_for_deals_and_tickets_either(self):
        self.state.configure(association_page_size=500)
        for object_type, primary_type in (("deals", 5), ("tickets", 26)):
            deal = object_type == "deals"
            values = (
                {"dealname": "D", "dealstage": "qualifiedtobuy"} if deal else {"subject": "T", "hs_pipeline_stage": "1"}
            )
            record = self.make(object_type, **values)
            for company in self.companies[:3]:
                self.state.associate(object_type, record["id"], "companies", company)
            self.state.associate(object_type, record["id"], "companies", self.companies[0], [primary_type])
            (result,) = self.ok(
                "POST",
                self.paths.associations(object_type, "companies", "batch", "read"),
                {"inputs": [{"id": record["id"]}]},
            )["results"]
            self.assertEqual([str(t["toObjectId"]) for t in result["to"]][-1], self.companies[0], object_type)
            self.assertIn(
                {"category": "HUBSPOT_DEFINED", "typeId": primary_type, "label": "Primary"},
                result["to"][-1]["associationTypes"],
            )

    def test_page_size_is_a_setting(self):
        self.assertEqual(self.ok("GET", "/_sandbox/settings", token=None)["association_page_size"], 2)
        self.ok("POST", "/_sandbox/settings", {"association_page_size": 500}, token=None)
        (result,) = self.batch_read([{"id": self.contact}])["results"]
        self.assertEqual((len(result["to"]), "paging" in result), (5, False))
        refused = self.call("POST", "/_sandbox/settings", {"association_page_size": 0}, token=None)
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(self.call("POST", "/_sandbox/settings", {"nonsense": 1}, token=None).status_code, 400)
        self.assertEqual(self.state.association_page_size, 500)


@tagged("post_install", "-at_install")
class TestSandboxRateLimitExemptions(SandboxCase):
    def test_search_and_association_batches_do_not_spend_the_ten_second_budget(self):
        company = self.make("companies", name="Acme")["id"]
        contact = self.make("contacts", email="a@acme.example")["id"]
        self.state.set_rate_limits(enabled=True, per_ten_seconds=1, search_per_second=100, daily=1000)
        self.state.rate_limits.clear()  # the two creates above are forgotten
        self.assertEqual(self.call("GET", self.paths.objects("companies")).status_code, 200)
        assoc = self.paths.associations
        pair = {"from": {"id": contact}, "to": {"id": company}}
        exempt = [
            (assoc("contacts", "companies", "batch", "associate", "default"), {"inputs": [pair]}),
            (assoc("contacts", "companies", "batch", "read"), {"inputs": [{"id": contact}]}),
            (
                assoc("contacts", "companies", "batch", "create"),
                {"inputs": [{**pair, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]}]},
            ),
            (
                assoc("contacts", "companies", "batch", "labels", "archive"),
                {"inputs": [{**pair, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]}]},
            ),
            (assoc("contacts", "companies", "batch", "archive"), {"inputs": [{**pair, "to": [{"id": company}]}]}),
            (self.paths.objects("companies", "search"), {"filterGroups": []}),
        ]
        for path, body in exempt * 3:
            response = self.call("POST", path, body)
            self.assertLess(response.status_code, 300, f"{path}: {response.text}")
        self.assertEqual(self.call("GET", self.paths.objects("companies")).status_code, 429, "the budget is spent")
        self.assertEqual(self.state.rate_limits.daily_used, 1 + len(exempt) * 3, "the daily limit counts them all")
