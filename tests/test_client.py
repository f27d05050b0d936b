"""The HubSpot client against HTTP mocked with `responses` (and a few real sockets)."""

import json
import logging
import socket
import threading
import time
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import requests
import responses
from freezegun import freeze_time

from odoo.tests import tagged

from ..hubspot import (
    HubSpotClient,
    HubSpotConnectionError,
    HubSpotDailyLimitError,
    HubSpotNotFoundError,
    HubSpotRateLimitError,
    HubSpotServerError,
    HubSpotTimeoutError,
    HubSpotValidationError,
    OAuthToken,
    RateLimiter,
    authorize_url,
    record_modified_at,
    timestamps,
)
from .common import BASE_URL, ClientCase

TOKEN = "pat-na1-99999999-8888-7777-6666-555555555555"
OBJECTS = f"{BASE_URL}/crm/objects/2026-03"


def _json_body(request):
    return json.loads(request.body) if request.body else {}


class FakeSearch:
    """HubSpot's search for one object type, as a `responses` callback.

    Honours GTE/GT on the modified property, the ascending sort (ties by id),
    numeric `after` offsets, limit <= 200, and answers 400 past 10,000 results.
    """

    def __init__(self, records, prop="hs_lastmodifieddate", cap=10_000):
        self.records = records
        self.prop = prop
        self.cap = cap
        self.calls = 0

    def __call__(self, request):
        self.calls += 1
        body = _json_body(request)
        (flt,) = body["filterGroups"][0]["filters"]
        value = int(flt["value"])
        after, limit = int(body.get("after") or 0), body["limit"]
        if after + limit > self.cap:
            return 400, {}, json.dumps({"status": "error", "category": "VALIDATION_ERROR", "message": "past 10000"})
        keep = (lambda m: m >= value) if flt["operator"] == "GTE" else (lambda m: m > value)
        rows = sorted((r for r in self.records if keep(r["millis"])), key=lambda r: (r["millis"], int(r["id"])))
        page = rows[after : after + limit]
        out = {
            "total": len(rows),
            "results": [{"id": r["id"], "properties": {self.prop: str(r["millis"])}} for r in page],
        }
        if after + limit < len(rows):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return 200, {}, json.dumps(out)

    def list_callback(self, request):
        query = parse_qs(urlsplit(request.url).query)
        after = int(query.get("after", ["0"])[0])
        rows = sorted(self.records, key=lambda r: int(r["id"]))
        rows = [r for r in rows if int(r["id"]) > after][:100]
        out = {"results": [{"id": r["id"], "properties": {self.prop: str(r["millis"])}} for r in rows]}
        if rows and rows[-1] is not sorted(self.records, key=lambda r: int(r["id"]))[-1]:
            out["paging"] = {"next": {"after": rows[-1]["id"]}}
        return 200, {}, json.dumps(out)


@tagged("post_install", "-at_install")
class TestClientRequests(ClientCase):
    def setUp(self):
        super().setUp()
        self.waits = []
        self.client = HubSpotClient(BASE_URL, token=TOKEN, backoff_factor=0, sleep=self.waits.append)

    # ------------------------------------------------------------- paths
    @responses.activate
    def test_same_operation_in_both_api_versions(self):
        responses.get(f"{OBJECTS}/companies", json={"results": [{"id": "1"}]})
        responses.get(f"{BASE_URL}/crm/v3/objects/companies", json={"results": [{"id": "2"}]})
        self.assertEqual(self.client.list_page("companies")[0], [{"id": "1"}])
        v3 = HubSpotClient(BASE_URL, token=TOKEN, api_version="v3")
        self.assertEqual(v3.list_page("companies")[0], [{"id": "2"}])

    # ---------------------------------------------------------- chunking
    @responses.activate
    def test_batch_of_250_is_three_calls(self):
        sizes = []

        def create(request):
            inputs = _json_body(request)["inputs"]
            sizes.append(len(inputs))
            results = [{"id": str(len(sizes) * 1000 + n), "properties": i["properties"]} for n, i in enumerate(inputs)]
            return 201, {}, json.dumps({"status": "COMPLETE", "results": results})

        responses.add_callback(responses.POST, f"{OBJECTS}/companies/batch/create", callback=create)
        inputs = [{"properties": {"name": f"Co {n}"}} for n in range(250)]
        result = self.client.batch_create("companies", inputs)
        self.assertEqual(sizes, [100, 100, 50])
        self.assertEqual(len(result.results), 250)
        self.assertTrue(result.ok)
        self.assertEqual(self.client.calls["batch_create"], 3)

    @responses.activate
    def test_207_partial_is_returned_per_input(self):
        responses.post(
            f"{OBJECTS}/contacts/batch/read",
            status=207,
            json={
                "status": "COMPLETE",
                "results": [{"id": "1", "properties": {}}],
                "numErrors": 1,
                "errors": [
                    {
                        "status": "error",
                        "category": "OBJECT_NOT_FOUND",
                        "message": "Could not get some CONTACT objects",
                        "context": {"ids": ["2"]},
                    }
                ],
            },
        )
        result = self.client.batch_read("contacts", ["1", "2"], properties=["email"])
        self.assertEqual([r["id"] for r in result.results], ["1"])
        self.assertEqual(len(result.errors), 1)
        self.assertEqual(result.errors[0].ids, ["2"])
        self.assertEqual(result.errors[0].category, "OBJECT_NOT_FOUND")
        sent = _json_body(responses.calls[0].request)
        self.assertEqual(sent, {"properties": ["email"], "inputs": [{"id": "1"}, {"id": "2"}]})

    @responses.activate
    def test_chunk_refused_as_a_whole_names_its_inputs(self):
        responses.post(
            f"{OBJECTS}/contacts/batch/create",
            status=400,
            json={"status": "error", "category": "VALIDATION_ERROR", "message": "Property values were not valid"},
        )
        inputs = [{"properties": {"email": "not-an-email"}}]
        result = self.client.batch_create("contacts", inputs)
        self.assertFalse(result.ok)
        self.assertEqual(result.errors[0].inputs, inputs)
        self.assertEqual(result.errors[0].status, 400)

    @responses.activate
    def test_upsert_sends_id_property(self):
        responses.post(
            f"{OBJECTS}/contacts/batch/upsert",
            json={"results": [{"id": "5", "new": False}, {"id": "6", "new": True}]},
        )
        result = self.client.batch_upsert(
            "contacts", [{"id": "a@x.test", "properties": {}}, {"id": "b@x.test", "properties": {}}], "email"
        )
        self.assertEqual([r["new"] for r in result.results], [False, True])
        inputs = _json_body(responses.calls[0].request)["inputs"]
        self.assertEqual({i["idProperty"] for i in inputs}, {"email"})

    # ----------------------------------------------------------- retries
    @responses.activate
    def test_transient_statuses_are_retried(self):
        for status in (423, 477, 502, 503, 504, 521, 524):
            responses.reset()
            responses.get(f"{OBJECTS}/companies/1", status=status, json={"message": "later"})
            responses.get(f"{OBJECTS}/companies/1", json={"id": "1"})
            client = HubSpotClient(BASE_URL, token=TOKEN, backoff_factor=0)
            self.assertEqual(client.get_object("companies", "1"), {"id": "1"}, status)
            self.assertEqual(client.retries["get"], 1, status)
            self.assertEqual(client.calls["get"], 2, f"{status}: both HTTP requests count as API calls")

    @responses.activate
    def test_server_error_gives_up_after_bound(self):
        responses.get(f"{OBJECTS}/companies/1", status=502, json={"message": "bad gateway"})
        client = HubSpotClient(BASE_URL, token=TOKEN, backoff_factor=0, max_retries=2)
        with self.assertRaises(HubSpotServerError):
            client.get_object("companies", "1")
        self.assertEqual(len(responses.calls), 3)

    @responses.activate
    def test_client_errors_are_not_retried(self):
        responses.get(f"{OBJECTS}/companies/1", status=404, json={"message": "Object not found"})
        responses.post(f"{OBJECTS}/companies", status=400, json={"message": "invalid"})
        with self.assertRaises(HubSpotNotFoundError):
            self.client.get_object("companies", "1")
        with self.assertRaises(HubSpotValidationError):
            self.client.request("POST", "/crm/objects/2026-03/companies", "create", json={})
        self.assertEqual(len(responses.calls), 2)
        self.assertEqual(self.client.retry_count, 0)

    @responses.activate
    def test_ten_secondly_429_waits_and_retries(self):
        limited = {"status": "error", "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"}
        responses.get(f"{OBJECTS}/companies/1", status=429, json=limited, headers={"Retry-After": "3"})
        responses.get(
            f"{OBJECTS}/companies/1",
            status=429,
            json=limited,
            headers={"X-HubSpot-RateLimit-Interval-Milliseconds": "10000"},
        )
        responses.get(f"{OBJECTS}/companies/1", status=429, json=limited)
        responses.get(f"{OBJECTS}/companies/1", json={"id": "1"})
        self.assertEqual(self.client.get_object("companies", "1"), {"id": "1"})
        # Retry-After, then the interval header, then HubSpot's SDK backoff (10 s x attempt).
        self.assertEqual(self.waits, [3.0, 10.0, 30.0])
        self.assertEqual(self.client.retries["get"], 3)

    @responses.activate
    def test_search_secondly_429_waits_a_second(self):
        responses.post(f"{OBJECTS}/deals/search", status=429, json={"policyName": "SECONDLY"})
        responses.post(f"{OBJECTS}/deals/search", json={"total": 0, "results": []})
        self.assertEqual(self.client.search("deals")["total"], 0)
        self.assertEqual(self.waits, [1.0])

    @responses.activate
    def test_daily_429_raises_at_once(self):
        responses.get(
            f"{OBJECTS}/companies/1",
            status=429,
            json={"status": "error", "message": "daily limit", "errorType": "RATE_LIMIT", "policyName": "DAILY"},
        )
        with self.assertRaises(HubSpotDailyLimitError):
            self.client.get_object("companies", "1")
        self.assertEqual(len(responses.calls), 1)
        self.assertEqual(self.waits, [])

    @responses.activate
    def test_429_gives_up_after_bound(self):
        responses.get(f"{OBJECTS}/companies/1", status=429, json={"policyName": "TEN_SECONDLY_ROLLING"})
        client = HubSpotClient(BASE_URL, token=TOKEN, max_rate_limit_retries=2, sleep=self.waits.append)
        with self.assertRaises(HubSpotRateLimitError) as caught:
            client.get_object("companies", "1")
        self.assertNotIsInstance(caught.exception, HubSpotDailyLimitError)
        self.assertEqual(len(responses.calls), 3)

    @responses.activate
    def test_malformed_json_is_retried_then_raised(self):
        responses.get(f"{OBJECTS}/companies/1", body='{"id": "1", "prop')
        responses.get(f"{OBJECTS}/companies/1", json={"id": "1"})
        self.assertEqual(self.client.get_object("companies", "1"), {"id": "1"})
        responses.reset()
        responses.get(f"{OBJECTS}/companies/2", body="<html>oops</html>")
        with self.assertRaisesRegex(HubSpotServerError, "not JSON"):
            self.client.get_object("companies", "2")
        self.assertEqual(len(responses.calls), 1 + self.client.max_retries)

    # ------------------------------------------------ real sockets: faults
    def _silent_server(self):
        """A loopback server that accepts connections and never answers."""
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        accepted = []
        stop = threading.Event()

        def accept():
            server.settimeout(0.1)
            while not stop.is_set():
                try:
                    accepted.append(server.accept()[0])
                except OSError:
                    continue

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()

        def close():
            stop.set()
            thread.join()
            for conn in accepted:
                conn.close()
            server.close()

        self.addCleanup(close)
        return f"http://127.0.0.1:{server.getsockname()[1]}", accepted

    def test_timeout_is_retried_then_raised(self):
        url, accepted = self._silent_server()
        client = HubSpotClient(url, token=TOKEN, timeout=0.2, max_retries=2, backoff_factor=0)
        started = time.monotonic()
        with self.assertRaises(HubSpotTimeoutError) as caught:
            client.get_account_details()
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(len(accepted), 3, "one request and two retries")
        self.assertEqual(client.retries["account_details"], 2)
        self.assertNotIn(TOKEN, str(caught.exception))

    def test_refused_connection_is_retried_then_raised(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        client = HubSpotClient(f"http://127.0.0.1:{port}", token=TOKEN, max_retries=2, backoff_factor=0)
        with self.assertRaises(HubSpotConnectionError):
            client.get_account_details()
        self.assertEqual(client.retries["account_details"], 2)

    # --------------------------------------------------------- redaction
    @responses.activate
    def test_token_in_no_error_or_log(self):
        responses.get(f"{BASE_URL}/account-info/2026-03/details", body=requests.exceptions.ConnectionError(TOKEN))
        responses.get(f"{OBJECTS}/companies/1", status=401, json={"message": f"token {TOKEN[:8]}... rejected"})
        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger("urllib3").debug("capture")
            for call in (self.client.get_account_details, lambda: self.client.get_object("companies", "1")):
                with self.assertRaises(Exception) as caught:
                    call()
                self.assertNotIn(TOKEN, str(caught.exception))
                self.assertNotIn(TOKEN, repr(caught.exception))
                self.assertNotIn("Authorization", str(caught.exception))
        self.assertNotIn(TOKEN, "\n".join(logs.output))
        self.assertEqual(responses.calls[-1].request.headers["Authorization"], f"Bearer {TOKEN}")

    # ----------------------------------------------------- other endpoints
    @responses.activate
    def test_portal_endpoints(self):
        responses.get(
            f"{BASE_URL}/crm/owners/2026-03",
            json={"results": [{"id": "1", "email": "a@x.test"}], "paging": {"next": {"after": "1"}}},
        )
        responses.get(f"{BASE_URL}/crm/owners/2026-03", json={"results": [{"id": "2", "email": "b@x.test"}]})
        responses.get(f"{BASE_URL}/crm/pipelines/2026-03/deals", json={"results": [{"id": "default", "stages": []}]})
        responses.get(f"{BASE_URL}/crm/properties/2026-03/companies", json={"results": [{"name": "domain"}]})
        responses.post(f"{BASE_URL}/crm/properties/2026-03/companies", json={"name": "odoo_url"})
        responses.get(
            f"{BASE_URL}/account-info/2026-03/api-usage/daily/private-apps",
            json=[{"name": "private-apps-api-calls-daily", "usageLimit": 250000, "currentUsage": 12}],
        )
        self.assertEqual([o["id"] for o in self.client.iter_owners()], ["1", "2"])
        self.assertEqual(parse_qs(urlsplit(responses.calls[1].request.url).query)["after"], ["1"])
        self.assertEqual(self.client.get_pipelines("deals")[0]["id"], "default")
        self.assertEqual(self.client.get_properties("companies"), [{"name": "domain"}])
        self.assertEqual(self.client.create_property("companies", {"name": "odoo_url"})["name"], "odoo_url")
        self.assertEqual(self.client.get_daily_usage()[0]["currentUsage"], 12)
        self.assertEqual(self.client.calls["owners"], 2)

    @responses.activate
    def test_get_by_id_property_and_merge(self):
        responses.get(f"{OBJECTS}/contacts/a@x.test", json={"id": "7"})
        responses.post(f"{OBJECTS}/contacts/merge", json={"id": "9"})
        self.assertEqual(self.client.get_object("contacts", "a@x.test", id_property="email")["id"], "7")
        self.assertIn("idProperty=email", responses.calls[0].request.url)
        self.assertEqual(self.client.merge("contacts", 7, 8)["id"], "9")
        self.assertEqual(_json_body(responses.calls[1].request), {"primaryObjectId": "7", "objectIdToMerge": "8"})

    @responses.activate
    def test_iter_objects_streams_pages_and_archived(self):
        responses.get(f"{OBJECTS}/companies", json={"results": [{"id": "1"}], "paging": {"next": {"after": "1"}}})
        responses.get(f"{OBJECTS}/companies", json={"results": [{"id": "2"}]})
        ids = [r["id"] for r in self.client.iter_objects("companies", properties=["name"], archived=True)]
        self.assertEqual(ids, ["1", "2"])
        query = parse_qs(urlsplit(responses.calls[0].request.url).query)
        self.assertEqual(query["archived"], ["true"])
        self.assertEqual(query["properties"], ["name"])

    @responses.activate
    def test_associations(self):
        read_sizes = []

        def read(request):
            inputs = _json_body(request)["inputs"]
            read_sizes.append(len(inputs))
            results = [{"from": {"id": i["id"]}, "to": [{"toObjectId": 1, "associationTypes": []}]} for i in inputs]
            return 200, {}, json.dumps({"results": results})

        assoc = f"{BASE_URL}/crm/associations/2026-03/contacts/companies/batch"
        responses.add_callback(responses.POST, f"{assoc}/read", callback=read)
        responses.post(f"{assoc}/associate/default", json={"results": []})
        responses.post(f"{assoc}/create", json={"results": []})
        responses.post(f"{assoc}/archive", body="", status=204)
        found = self.client.read_associations("contacts", "companies", [str(n) for n in range(2500)])
        self.assertEqual(read_sizes, [1000, 1000, 500])
        self.assertEqual(found["42"], ["1"])
        self.client.create_associations("contacts", "companies", [(1, 2)])
        self.assertEqual(_json_body(responses.calls[-1].request)["inputs"], [{"from": {"id": "1"}, "to": {"id": "2"}}])
        self.client.create_associations("contacts", "companies", [(1, 2)], type_id=1)
        typed = _json_body(responses.calls[-1].request)["inputs"][0]["types"]
        self.assertEqual(typed, [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}])
        self.client.archive_associations("contacts", "companies", [(1, 2), (1, 3)])
        self.assertEqual(
            _json_body(responses.calls[-1].request)["inputs"], [{"from": {"id": "1"}, "to": [{"id": "2"}, {"id": "3"}]}]
        )

    @responses.activate
    def test_association_paging_ends_on_a_repeated_cursor(self):
        """A cursor HubSpot hands out again (a server bug) ends that record's paging: no endless loop."""
        asked = []

        def read(request):
            inputs = _json_body(request)["inputs"]
            asked.append(inputs)
            to = [{"toObjectId": len(asked), "associationTypes": []}]
            results = [{"from": {"id": i["id"]}, "to": to, "paging": {"next": {"after": "c2FtZQ"}}} for i in inputs]
            return 200, {}, json.dumps({"results": results})

        responses.add_callback(
            responses.POST, f"{BASE_URL}/crm/associations/2026-03/deals/contacts/batch/read", callback=read
        )
        self.assertEqual(self.client.read_associations("deals", "contacts", ["7"]), {"7": ["1", "2"]})
        self.assertEqual(asked, [[{"id": "7"}], [{"id": "7", "after": "c2FtZQ"}]])

    def test_one_sort_only(self):
        with self.assertRaises(ValueError):
            self.client.search("deals", sorts=[{"propertyName": "a"}, {"propertyName": "b"}])


@tagged("post_install", "-at_install")
class TestIncremental(ClientCase):
    """iter_modified_since: the 10,000-result cap, ties, and the list fallback."""

    def _run(self, records, since=0, cap=10_000, object_type="companies"):
        prop = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        fake = FakeSearch(records, prop=prop, cap=cap)
        client = HubSpotClient(BASE_URL, token=TOKEN)
        client.search_cap = cap
        with responses.RequestsMock() as mock:
            mock.add_callback(responses.POST, f"{OBJECTS}/{object_type}/search", callback=fake)
            mock.add_callback(responses.GET, f"{OBJECTS}/{object_type}", callback=fake.list_callback)
            out = list(client.iter_modified_since(object_type, since))
            mock.assert_all_requests_are_fired = False
        return out, fake, client

    def test_more_than_10000_changes_with_ties(self):
        # 10,450 records; groups of 7 share a timestamp, so window ends fall inside ties.
        records = [{"id": str(n), "millis": 1_700_000_000_000 + n // 7} for n in range(1, 10_451)]
        out, fake, client = self._run(records)
        ids = [r["id"] for r in out]
        self.assertEqual(len(ids), 10_450)
        self.assertEqual(len(set(ids)), 10_450, "no record twice")
        millis = [timestamps.to_millis(r["properties"]["hs_lastmodifieddate"]) for r in out]
        self.assertEqual(millis, sorted(millis), "oldest first, so a checkpoint never skips")
        self.assertGreater(fake.calls, 50)
        self.assertEqual(client.calls["list"], 0, "no fallback needed")

    def test_since_filters_and_contacts_use_their_own_property(self):
        records = [{"id": str(n), "millis": 1000 * n} for n in range(1, 11)]
        out, fake, _client = self._run(records, since=datetime(1970, 1, 1, 0, 0, 5), object_type="contacts")
        self.assertEqual([r["id"] for r in out], ["5", "6", "7", "8", "9", "10"])

    def test_one_timestamp_holding_more_than_the_cap_uses_the_list_endpoint(self):
        # Small cap for speed: the same logic as HubSpot's 10,000.
        bulk = [{"id": str(n), "millis": 5000} for n in range(1, 1_301)]
        before = [{"id": str(n), "millis": 4000 + n} for n in range(2001, 2101)]
        after = [{"id": str(n), "millis": 6000 + n} for n in range(3001, 3051)]
        out, _fake, client = self._run(before + bulk + after, cap=1000)
        ids = [r["id"] for r in out]
        self.assertEqual(len(ids), 1450)
        self.assertEqual(len(set(ids)), 1450)
        self.assertEqual(ids[-50:], [str(n) for n in range(3001, 3051)], "the run goes on after the bulk timestamp")
        self.assertGreater(client.calls["list"], 0)

    def test_record_modified_at(self):
        record = {"properties": {"hs_lastmodifieddate": "2026-11-22T06:19:10.540Z"}}
        self.assertEqual(record_modified_at("companies", record), datetime(2026, 11, 22, 6, 19, 10, 540000))
        self.assertIsNone(record_modified_at("contacts", record), "contacts use lastmodifieddate")


@tagged("post_install", "-at_install")
class TestRateLimiter(ClientCase):
    def test_window_blocks_the_call_over_budget(self):
        now = [100.0]
        waits = []

        def sleep(seconds):
            waits.append(seconds)
            now[0] += seconds

        limiter = RateLimiter(3, 10.0, clock=lambda: now[0], sleep=sleep)
        for _ in range(3):
            limiter.acquire()
            now[0] += 1
        limiter.acquire()  # 3 calls in the last 10 s: waits until the first leaves the window
        self.assertEqual(waits, [7.0])
        limiter.observe(remaining=0, interval_ms=2000)
        limiter.acquire()
        self.assertEqual(waits[-1], 2.0, "HubSpot's own count says wait")

    def test_shared_per_account(self):
        first = RateLimiter.shared(("test-account", "all"), 100, 10.0)
        self.assertIs(RateLimiter.shared(("test-account", "all"), 100, 10.0), first)
        self.assertIsNot(RateLimiter.shared(("test-account", "all"), 190, 10.0), first, "a new budget")

    @responses.activate
    def test_client_spends_the_budget(self):
        responses.get(f"{OBJECTS}/companies/1", json={"id": "1"})
        client = HubSpotClient(BASE_URL, token=TOKEN, rate_limit=2)
        now = [0.0]
        waits = []
        client.limiter.clock = lambda: now[0]
        client.limiter.sleep = lambda s: (waits.append(s), now.__setitem__(0, now[0] + s))
        for _ in range(5):
            client.get_object("companies", "1")
        self.assertEqual(waits, [10.0, 10.0], "2 per 10 s: calls 3 and 5 wait")


@tagged("post_install", "-at_install")
class TestOAuth(ClientCase):
    def test_authorize_url_carries_state_and_scopes(self):
        url = authorize_url("cid", "https://odoo.test/cb", ["crm.objects.contacts.read", "oauth"], "s3cr3t-state")
        query = parse_qs(urlsplit(url).query)
        self.assertEqual(query["state"], ["s3cr3t-state"])
        self.assertEqual(query["scope"], ["crm.objects.contacts.read oauth"])
        self.assertEqual(query["redirect_uri"], ["https://odoo.test/cb"])
        with self.assertRaises(ValueError):
            authorize_url("cid", "https://odoo.test/cb", [], "")

    @responses.activate
    def test_code_exchange_is_form_encoded(self):
        responses.post(
            f"{BASE_URL}/oauth/2026-03/token",
            json={"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 1800, "token_type": "bearer"},
        )
        client = HubSpotClient(BASE_URL, token=None)
        answer = client.oauth_exchange_code("cid", "csecret", "https://odoo.test/cb", "code-1")
        self.assertEqual(answer["refresh_token"], "rt-1")
        sent = responses.calls[0].request
        self.assertNotIn("Authorization", sent.headers)
        self.assertEqual(parse_qs(sent.body)["grant_type"], ["authorization_code"])
        self.assertEqual(parse_qs(sent.body)["code"], ["code-1"])

    @responses.activate
    def test_token_refreshes_before_expiry(self):
        tokens = iter(["at-1", "at-2"])

        def token_endpoint(request):
            form = parse_qs(request.body)
            self.assertEqual(form["grant_type"], ["refresh_token"])
            answer = {"access_token": next(tokens), "refresh_token": "rt-2", "expires_in": 1800}
            return 200, {}, json.dumps(answer)

        responses.add_callback(responses.POST, f"{BASE_URL}/oauth/2026-03/token", callback=token_endpoint)
        responses.get(f"{BASE_URL}/account-info/2026-03/details", json={"portalId": 1})
        stored = []
        with freeze_time("2026-11-22 10:00:00") as frozen:
            provider = OAuthToken("cid", "csecret", "rt-1", on_refresh=stored.append)
            client = HubSpotClient(BASE_URL, token=provider)
            client.get_account_details()
            client.get_account_details()
            frozen.tick(24 * 60)  # 24 minutes: still more than 5 left
            client.get_account_details()
            frozen.tick(2 * 60)  # 26 minutes: renewed before it expires
            client.get_account_details()
        bearer = [c.request.headers.get("Authorization") for c in responses.calls if "details" in c.request.url]
        self.assertEqual(bearer, ["Bearer at-1"] * 3 + ["Bearer at-2"])
        self.assertEqual([s["access_token"] for s in stored], ["at-1", "at-2"])
        self.assertNotIn("rt-", repr(provider))
        self.assertEqual(client.calls["oauth_token"], 2)
