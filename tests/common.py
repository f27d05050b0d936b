from urllib.parse import urlsplit

from odoo.tests import new_test_user
from odoo.tests.common import BaseCase, TransactionCase, _super_send

from ..sandbox import SandboxServer

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
BASE_URL = "https://api.hubapi.test"


class MockedHubSpotMixin:
    """Let requests to the mocked HubSpot host reach `responses`.

    Odoo's test harness blocks every HTTP request that is not for localhost
    before it reaches the transport; `responses` mocks the transport. Requests for
    ``BASE_URL`` pass through to it (and fail with ConnectionError when a test did
    not mock them), and so do requests to 127.0.0.1 (the sandbox); everything else
    keeps Odoo's guard.
    """

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # The loopback case also keeps the client's own timeout (Odoo raises short
        # timeouts to 10 s), which the timeout tests need.
        if urlsplit(r.url).hostname in (urlsplit(BASE_URL).hostname, "127.0.0.1"):
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)


class ClientCase(MockedHubSpotMixin, BaseCase):
    """Tests of the pure-Python client and sandbox: no database needed."""


class HubSpotCase(MockedHubSpotMixin, TransactionCase):
    """An account, a HubSpot User and a HubSpot Administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.hs_user = new_test_user(
            cls.env, login="hs_user", groups="base.group_user,hubspot_connector.group_hubspot_user"
        )
        cls.hs_admin = new_test_user(
            cls.env, login="hs_admin", groups="base.group_user,hubspot_connector.group_hubspot_manager"
        )
        cls.account = cls.env["hubspot.account"].create(
            {"name": "Test portal", "access_token": TOKEN, "api_base_url": BASE_URL}
        )
        cls.env.cr.flush()  # run the creation's precommit hooks (chatter) as a commit would


class SandboxMixin:
    """Start the local HubSpot-compatible server for the class."""

    @classmethod
    def start_sandbox(cls, **kw):
        cls.sandbox = SandboxServer(**kw).start()
        cls.addClassCleanup(cls.sandbox.stop)
        return cls.sandbox
