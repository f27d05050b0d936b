import requests

from odoo.tests import tagged

from ..hubspot import HubSpotClient, HubSpotScopeError
from ..sandbox import SandboxServer, SandboxState
from .common import ClientCase


@tagged("post_install", "-at_install")
class TestSandboxCore(ClientCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        state = SandboxState(tokens={"full": None, "no-companies": ["oauth", "crm.objects.contacts.read"]})
        state.seed_companies(5)
        cls.sandbox = SandboxServer(state).start()
        cls.addClassCleanup(cls.sandbox.stop)

    def get(self, path, token="full", **params):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(self.sandbox.url + path, params=params, headers=headers, timeout=5)

    def test_lists_companies_in_pages_both_versions(self):
        for prefix in ("/crm/objects/2026-03/companies", "/crm/v3/objects/companies"):
            first = self.get(prefix, limit=2, properties="name").json()
            self.assertEqual(
                [r["properties"]["name"] for r in first["results"]], ["Sandbox Company 00001", "Sandbox Company 00002"]
            )
            after = first["paging"]["next"]["after"]
            rest = self.get(prefix, limit=100, after=after).json()
            self.assertEqual(len(rest["results"]), 3)
            self.assertNotIn("paging", rest, "the last page has no cursor")

    def test_get_company_and_404(self):
        record = self.get("/crm/v3/objects/companies/1003").json()
        self.assertEqual(record["properties"]["domain"], "company00003.example.com")
        self.assertEqual(self.get("/crm/v3/objects/companies/999999").status_code, 404)

    def test_auth_and_scopes(self):
        self.assertEqual(self.get("/crm/v3/objects/companies", token=None).status_code, 401)
        self.assertEqual(self.get("/crm/v3/objects/companies", token="nope").status_code, 401)
        denied = self.get("/crm/v3/objects/companies", token="no-companies")
        self.assertEqual(denied.status_code, 403)
        self.assertEqual(denied.json()["category"], "MISSING_SCOPES")

    def test_client_reads_details_and_scope_errors(self):
        client = HubSpotClient(self.sandbox.url, token="no-companies")
        self.assertEqual(client.get_account_details()["portalId"], 12345678)
        with self.assertRaises(HubSpotScopeError) as caught:
            client.request("GET", client.paths.objects("companies"), "list")
        self.assertEqual(caught.exception.required_scopes, ["crm.objects.companies.read"])

    def test_binds_loopback_only(self):
        with self.assertRaises(ValueError):
            SandboxServer(host="0.0.0.0")
