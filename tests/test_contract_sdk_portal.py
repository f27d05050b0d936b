"""Contract tests: HubSpot's official Python SDK (``hubspot-api-client``), an independent
client, drives the sandbox for property groups and the OAuth token exchange. Every answer
must deserialize into the SDK's models (which check their required fields)."""

import importlib
import json
import warnings
from contextlib import contextmanager
from types import SimpleNamespace
from urllib.parse import urlencode

from odoo.tests import tagged

from ..sandbox import SandboxServer, SandboxState
from .common import ClientCase, load_hubspot_sdk

# The SDK's package, whatever sys.path says (its name is this addon's client folder's too).
HubSpot = load_hubspot_sdk().HubSpot
_properties = importlib.import_module("hubspot.crm.properties")
_oauth = importlib.import_module("hubspot.oauth")
PropertiesApiException = _properties.ApiException
PropertiesError = _properties.Error
CollectionResponsePropertyGroupNoPaging = _properties.CollectionResponsePropertyGroupNoPaging
PropertyCreate = _properties.PropertyCreate
PropertyGroup = _properties.PropertyGroup
PropertyGroupCreate = _properties.PropertyGroupCreate
PropertyGroupUpdate = _properties.PropertyGroupUpdate
OAuthApiClient = _oauth.ApiClient
OAuthApiException = _oauth.ApiException
TokenResponseIF = _oauth.TokenResponseIF

TOKEN = "sandbox-token"
REDIRECT = "http://localhost:8069/hubspot/oauth/callback"
CLIENT = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}


@contextmanager
def sdk_deprecations_silenced():
    """SDK 12.0 itself calls urllib3's deprecated ``HTTPResponse.getheader(s)``: not ours to fix."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"HTTPResponse\.getheaders?\(\) is deprecated", DeprecationWarning)
        yield


class SdkCase(ClientCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.state = SandboxState(tokens={TOKEN: None})
        cls.sandbox = SandboxServer(cls.state).start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.sdk = HubSpot(access_token=TOKEN, host=cls.sandbox.url, base_url=cls.sandbox.url)

    def setUp(self):
        super().setUp()
        self.state.reset()
        self.enterContext(sdk_deprecations_silenced())

    def error_of(self, caught, model_client):
        """The error body as the SDK's ``Error`` model (HubSpot's required fields checked)."""
        return model_client.deserialize(SimpleNamespace(data=caught.exception.body), PropertiesError.__name__)


@tagged("post_install", "-at_install")
class TestSdkPropertyGroups(SdkCase):
    def test_groups_through_the_sdk(self):
        groups = self.sdk.crm.properties.groups_api
        listed = groups.get_all(object_type="companies")
        self.assertIsInstance(listed, CollectionResponsePropertyGroupNoPaging)
        self.assertIn("companyinformation", [g.name for g in listed.results])
        self.assertTrue(all(isinstance(g, PropertyGroup) and g.archived is False for g in listed.results))

        created = groups.create("companies", PropertyGroupCreate(name="odoo", label="Odoo", display_order=-1))
        self.assertIsInstance(created, PropertyGroup)
        self.assertEqual((created.name, created.label, created.display_order), ("odoo", "Odoo", -1))
        self.assertEqual(groups.get_by_name("companies", "odoo").label, "Odoo")
        self.assertEqual(groups.update("companies", "odoo", PropertyGroupUpdate(label="Odoo ERP")).label, "Odoo ERP")

        with self.assertRaises(PropertiesApiException) as caught:
            groups.create("companies", PropertyGroupCreate(name="odoo", label="Again"))
        self.assertEqual(caught.exception.status, 409)
        error = self.error_of(caught, groups.api_client)
        self.assertTrue(error.correlation_id and error.category and error.message)
        with self.assertRaises(PropertiesApiException) as caught:
            groups.get_by_name("companies", "nope")
        self.assertEqual(caught.exception.status, 404)
        self.assertEqual(self.error_of(caught, groups.api_client).category, "OBJECT_NOT_FOUND")

        core = self.sdk.crm.properties.core_api
        definition = {"name": "odoo_record_id", "label": "Odoo record", "type": "string", "field_type": "text"}
        with self.assertRaises(PropertiesApiException) as caught:
            core.create("companies", PropertyCreate(group_name="odoo_missing", **definition))
        self.assertEqual(caught.exception.status, 400, "no such group")
        made = core.create("companies", PropertyCreate(group_name="odoo", **definition))
        self.assertEqual((made.name, made.group_name), ("odoo_record_id", "odoo"))
        core.archive("companies", "odoo_record_id")
        groups.archive("companies", "odoo")
        self.assertNotIn("odoo", [g.name for g in groups.get_all("companies").results])


@tagged("post_install", "-at_install")
class TestSdkOAuth(SdkCase):
    def code(self, scopes=("oauth", "crm.objects.contacts.read")):
        return self.state.authorize(redirect_uri=REDIRECT, scopes=list(scopes))

    def test_token_exchange_and_refresh_through_the_sdk(self):
        tokens = self.sdk.oauth.tokens_api
        raw = tokens.create(
            grant_type="authorization_code", code=self.code(), redirect_uri=REDIRECT, _preload_content=False, **CLIENT
        )
        self.assertEqual(raw.status, 200)
        self.assertEqual(json.loads(raw.data)["token_use"], "access_token", "HubSpot's AccessTokenResponse")
        answer = tokens.api_client.deserialize(SimpleNamespace(data=raw.data), "TokenResponseIF")
        self.assertIsInstance(answer, TokenResponseIF)
        self.assertEqual((answer.token_type, answer.expires_in), ("bearer", 1800))
        self.assertIn(answer.access_token, self.state.tokens)
        renewed = tokens.create(grant_type="refresh_token", refresh_token=answer.refresh_token, **CLIENT)
        self.assertIsInstance(renewed, TokenResponseIF)
        self.assertNotEqual(renewed.access_token, answer.access_token)
        with self.assertRaises(OAuthApiException) as caught:
            tokens.create(grant_type="refresh_token", refresh_token="revoked-or-never-issued", **CLIENT)
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual(self.state.stats()["by_route"]["POST oauth/token"], 3)
        self.assertEqual({e["path"] for e in self.state.request_log}, {"/oauth/v1/token"}, "the SDK's own path")

    def test_date_versioned_token_endpoint_through_the_sdks_raw_request(self):
        form = {"grant_type": "authorization_code", "code": self.code(), "redirect_uri": REDIRECT, **CLIENT}
        response = self.sdk.api_request(
            {
                "method": "POST",
                "path": "/oauth/2026-03/token",
                "body": urlencode(form),
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
                "default_json": False,
            }
        )
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["token_use"], "access_token", "HubSpot's AccessTokenResponse")
        self.assertEqual(body["hub_id"], self.state.portal_id)
        parsed = OAuthApiClient().deserialize(SimpleNamespace(data=response.text), "TokenResponseIF")
        self.assertIsInstance(parsed, TokenResponseIF)
        self.assertEqual(parsed.access_token, body["access_token"])
        self.assertEqual(
            [e["path"] for e in self.state.request_log], ["/oauth/2026-03/token"], "the SDK called the dated path"
        )
