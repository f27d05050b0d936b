"""The sandbox's faults and seeds that `make soak` relies on, over real HTTP."""

import math
import re
from collections import Counter

from odoo.tests import tagged

from ..hubspot import HubSpotClient
from ..sandbox import soak
from .test_sandbox import TOKEN, SandboxCase


@tagged("post_install", "-at_install")
class TestSandboxSoakFaults(SandboxCase):
    def companies(self, count):
        return [self.make("companies", name=f"Firma {n}", domain=f"firma{n}.example")["id"] for n in range(count)]

    def test_partial_batch_refuses_some_inputs_and_does_the_others(self):
        ids = self.companies(6)
        self.state.set_faults(partial_rate=1.0, partial_max=2, seed=3)
        inputs = [{"id": i, "properties": {"city": "Oulu"}} for i in ids]
        answer = self.call("POST", self.paths.objects("companies", "batch", "update"), {"inputs": inputs})
        self.assertEqual(answer.status_code, 207, answer.text)
        body = answer.json()
        refused = [i for error in body["errors"] for i in error["context"]["ids"]]
        self.assertTrue(1 <= len(refused) <= 2, refused)
        self.assertEqual(body["numErrors"], len(refused))
        self.assertEqual(sorted(r["id"] for r in body["results"]), sorted(set(ids) - set(refused)))
        cities = {i: self.state.get_record("companies", i)["properties"].get("city") for i in ids}
        self.assertEqual({i for i, city in cities.items() if city == "Oulu"}, set(ids) - set(refused))
        # Sent again without the fault, the refused inputs pass: the refusal was transient.
        self.state.set_faults()
        again = [{"id": i, "properties": {"city": "Oulu"}} for i in refused]
        self.assertEqual(
            self.call("POST", self.paths.objects("companies", "batch", "update"), {"inputs": again}).status_code, 200
        )
        self.assertTrue(all(self.state.get_record("companies", i)["properties"]["city"] == "Oulu" for i in ids))

    def test_partial_batch_spares_reads_and_single_writes(self):
        ids = self.companies(3)
        self.state.set_faults(partial_rate=1.0)
        read = self.call("POST", self.paths.objects("companies", "batch", "read"), {"inputs": [{"id": i} for i in ids]})
        self.assertEqual((read.status_code, len(read.json()["results"])), (200, 3), "a read never loses records")
        single = self.call("PATCH", self.paths.objects("companies", ids[0]), {"properties": {"city": "Turku"}})
        self.assertEqual(single.status_code, 200)

    def test_client_reports_each_refused_input(self):
        ids = self.companies(5)
        self.state.set_faults(partial_rate=1.0, partial_max=1, seed=1)
        client = HubSpotClient(self.sandbox.url, TOKEN, api_version="2026-03", max_retries=0)
        result = client.batch_update("companies", [{"id": i, "properties": {"phone": "+358 1"}} for i in ids])
        self.assertEqual(len(result.errors), 1)
        self.assertEqual(len(result.results), 4)
        refused = result.errors[0].ids
        self.assertEqual(len(refused), 1)
        self.assertNotEqual(self.state.get_record("companies", refused[0])["properties"].get("phone"), "+358 1")

    def test_429_with_and_without_retry_after_and_search_secondly(self):
        self.state.set_faults(rate_limit_rate=1.0, retry_after_rate=1.0)
        limited = self.call("GET", self.paths.objects("companies"))
        self.assertEqual((limited.status_code, limited.headers.get("Retry-After")), (429, "1"))
        self.state.set_faults(retry_after_rate=0.0)
        limited = self.call("GET", self.paths.objects("companies"))
        self.assertEqual(limited.status_code, 429)
        self.assertNotIn("Retry-After", limited.headers)
        searched = self.search("companies")
        self.assertEqual((searched.status_code, searched.json()["policyName"]), (429, "SECONDLY"))
        self.assertEqual(self.state.stats()["by_fault"], {"status": 3})

    def test_latency_range_and_peak_usage(self):
        self.state.set_faults(latency=0.01, latency_max=0.05, seed=2)
        delays = [self.state.faults.delay() for _n in range(50)]
        self.assertTrue(all(0.01 <= d <= 0.05 for d in delays) and len(set(delays)) > 10, delays[:5])
        self.state.set_faults()
        self.state.set_rate_limits(enabled=True, per_ten_seconds=190)
        for _n in range(4):
            self.call("GET", self.paths.objects("companies"))
        limits = self.ok("GET", "/_sandbox/rate-limits", token=None)
        self.assertEqual(limits["peak_ten_seconds"], 4)

    def test_admin_edit_create_merge(self):
        company = self.ok("POST", "/_sandbox/create", {"type": "companies", "properties": {"name": "Kone"}}, token=None)
        contact = self.ok(
            "POST",
            "/_sandbox/create",
            {
                "type": "contacts",
                "properties": {"email": "a@kone.example"},
                "associations": [["companies", company["id"], 1]],
            },
            token=None,
        )
        self.assertEqual(self.state.primary_company("contacts", contact["id"]), company["id"])
        self.ok(
            "POST",
            "/_sandbox/edit",
            {"type": "companies", "id": company["id"], "properties": {"city": "Espoo"}},
            token=None,
        )
        self.assertEqual(self.state.get_record("companies", company["id"])["properties"]["city"], "Espoo")
        other = self.make("companies", name="Kone Oy")
        merged = self.ok(
            "POST",
            "/_sandbox/merge",
            {"type": "companies", "primary": company["id"], "merged": other["id"]},
            token=None,
        )
        self.assertEqual(self.state.resolve("companies", other["id"]), merged["id"])


@tagged("post_install", "-at_install")
class TestSandboxSoakSeed(SandboxCase):
    SIZES = {"companies": 30, "contacts_per_company": 2, "deals": 12, "tickets": 6, "hostile": 60}

    def test_same_seed_same_portal(self):
        first = soak.seed_soak(self.state, seed=5, **self.SIZES)
        self.state.reset()
        again = soak.seed_soak(self.state, seed=5, **self.SIZES)
        self.assertEqual(first["hostile"], again["hostile"])
        self.assertEqual(first["counts"], again["counts"])

    def test_bulk_edit_trap_and_hostile_records(self):
        seeded = self.ok("POST", "/_sandbox/seed", {"kind": "soak", "seed": 9, **self.SIZES}, token=None)["created"]
        contacts = [r for r in self.state.objects["contacts"].values() if not r["archived"]]
        stamps = Counter(r["properties"]["lastmodifieddate"] for r in contacts)
        hostile = seeded["hostile"]
        self.assertEqual(seeded["bulk_edit_trap"], 20, "a third of the 60 generated contacts")
        merged = sum(1 for h in hostile if h["type"] == "contacts" and h["kind"] == "merged")
        # One timestamp for all of them, but those a hostile record absorbed later (a merge: a new record).
        self.assertGreaterEqual(stamps.most_common(1)[0][1], seeded["bulk_edit_trap"] - merged)
        self.assertGreater(stamps.most_common(1)[0][1], 10)
        self.assertEqual(len(hostile), 60)
        kinds = {h["kind"] for h in hostile}
        self.assertTrue({"huge_text", "nul_bytes", "garbled_modified", "unknown_stage", "merged"} <= kinds, kinds)
        records = {(h["type"], h["id"]): self.state.find(h["type"], h["id"]) for h in hostile}
        scores = [
            records[(h["type"], h["id"])]["properties"]["hubspotscore"]
            for h in hostile
            if h["type"] == "contacts" and h["kind"] == "non_finite_number"
        ]
        self.assertTrue(scores, "contacts with a non-finite number")
        self.assertTrue(all(not math.isfinite(float(score)) for score in scores), scores)
        self.assertTrue(all(records.values()), "every listed hostile record is live (merged ones by their new id)")
        values = [v for r in records.values() for v in r["properties"].values()]
        self.assertTrue(any(len(v) >= 100_000 for v in values), "100 kB strings")
        self.assertTrue(any("\x00" in v for v in values), "NUL bytes")
        garbled = [
            r
            for (t, _i), r in records.items()
            if t == "companies" and not re.match(r"^\d{4}-\d\d-\d\dT", r["properties"]["hs_lastmodifieddate"])
        ]
        self.assertTrue(garbled, "a garbled modified date")
        # Search still finds a record whose modified date is garbled (the index keeps the real time).
        found = self.search(
            "companies", [{"propertyName": "hs_object_id", "operator": "EQ", "value": garbled[0]["id"]}]
        )
        self.assertEqual(self.found_ids(found), [garbled[0]["id"]])
