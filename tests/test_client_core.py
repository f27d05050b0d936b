import responses

from odoo.tests import tagged

from ..hubspot import ApiPaths, HubSpotClient, HubSpotScopeError, StaticToken
from ..hubspot.errors import (
    HubSpotAuthError,
    HubSpotConflictError,
    HubSpotDailyLimitError,
    HubSpotRateLimitError,
    HubSpotServerError,
    HubSpotValidationError,
    error_from_response,
)
from .common import ClientCase

TOKEN = "pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


@tagged("post_install", "-at_install")
class TestPaths(ClientCase):
    def test_date_versioned_paths(self):
        paths = ApiPaths("2026-03")
        self.assertEqual(paths.objects("companies", "batch", "read"), "/crm/objects/2026-03/companies/batch/read")
        self.assertEqual(
            paths.associations("contacts", "companies", "batch", "read"),
            "/crm/associations/2026-03/contacts/companies/batch/read",
        )
        self.assertEqual(paths.owners(), "/crm/owners/2026-03")
        self.assertEqual(paths.pipelines("deals"), "/crm/pipelines/2026-03/deals")
        self.assertEqual(paths.properties("companies"), "/crm/properties/2026-03/companies")
        self.assertEqual(paths.account_details(), "/account-info/2026-03/details")
        self.assertEqual(paths.oauth_token(), "/oauth/2026-03/token")

    def test_numbered_paths(self):
        paths = ApiPaths("v3")
        self.assertEqual(paths.objects("companies", 5), "/crm/v3/objects/companies/5")
        self.assertEqual(
            paths.associations("contacts", "companies", "batch", "read"),
            "/crm/v4/associations/contacts/companies/batch/read",
        )
        self.assertEqual(
            paths.record_associations("deals", 5, "companies"), "/crm/v4/objects/deals/5/associations/companies"
        )
        self.assertEqual(paths.owners(), "/crm/v3/owners")
        self.assertEqual(paths.account_details(), "/account-info/v3/details")
        self.assertEqual(paths.oauth_token(), "/oauth/v1/token")

    def test_unknown_version_refused(self):
        with self.assertRaises(ValueError):
            ApiPaths("v2")


@tagged("post_install", "-at_install")
class TestErrors(ClientCase):
    def test_error_family(self):
        self.assertIsInstance(error_from_response(401, {"message": "expired"}), HubSpotAuthError)
        scope = error_from_response(
            403, {"category": "MISSING_SCOPES", "errors": [{"context": {"requiredGranularScopes": ["tickets"]}}]}
        )
        self.assertIsInstance(scope, HubSpotScopeError)
        self.assertEqual(scope.required_scopes, ["tickets"])
        conflict = error_from_response(409, {"message": "Contact already exists. Existing ID: 123"})
        self.assertIsInstance(conflict, HubSpotConflictError)
        self.assertEqual(conflict.existing_id, "123")
        self.assertIsInstance(error_from_response(429, {"policyName": "DAILY"}), HubSpotDailyLimitError)
        ten = error_from_response(429, {"policyName": "TEN_SECONDLY_ROLLING"})
        self.assertIsInstance(ten, HubSpotRateLimitError)
        self.assertNotIsInstance(ten, HubSpotDailyLimitError)
        self.assertIsInstance(error_from_response(502, None), HubSpotServerError)
        invalid = error_from_response(
            400,
            {
                "message": "Property values were not valid",
                "errors": [{"message": "bad email", "context": {"propertyName": ["email"]}}],
            },
        )
        self.assertIsInstance(invalid, HubSpotValidationError)
        self.assertEqual(invalid.property_errors, {"email": ["bad email"]})

    def test_token_hidden_from_repr(self):
        client = HubSpotClient("https://api.hubapi.test", token=TOKEN)
        self.assertNotIn(TOKEN, repr(client))
        self.assertNotIn(TOKEN, repr(client.token))
        self.assertNotIn(TOKEN, repr(StaticToken(TOKEN)))

    @responses.activate
    def test_error_text_has_path_not_token(self):
        responses.get("https://api.hubapi.test/account-info/2026-03/details", status=401, json={"message": "bad"})
        client = HubSpotClient("https://api.hubapi.test", token=TOKEN)
        with self.assertRaises(HubSpotAuthError) as caught:
            client.get_account_details()
        self.assertEqual(str(caught.exception), "HTTP 401: bad [GET /account-info/2026-03/details]")
        self.assertNotIn(TOKEN, repr(caught.exception))
        self.assertEqual(client.calls["account_details"], 1)
