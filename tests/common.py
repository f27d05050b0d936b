import importlib.metadata
import importlib.util
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo.tests import new_test_user
from odoo.tests.common import BaseCase, TransactionCase, _super_send

from ..models.hubspot_account_connection import HubspotAccountConnection
from ..sandbox import SandboxServer
from ..sandbox.state import SEARCH_LAG

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
BASE_URL = "https://api.hubapi.test"


def load_hubspot_sdk():
    """HubSpot's official SDK (``hubspot-api-client``, the contract tests' independent client).

    Its top-level package is ``hubspot``, like this addon's client folder, which wins when
    Python starts in the repository root (``python -m`` puts the working directory first on
    ``sys.path``). Load the SDK from its installed distribution, whatever ``sys.path`` says;
    ``hubspot.*`` imports that follow find its submodules."""
    loaded = sys.modules.get("hubspot")
    if loaded is not None and hasattr(loaded, "HubSpot"):
        return loaded
    init = Path(importlib.metadata.distribution("hubspot-api-client").locate_file("hubspot/__init__.py"))
    spec = importlib.util.spec_from_file_location("hubspot", init, submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["hubspot"] = module
    spec.loader.exec_module(module)
    return module


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
    """Start the local HubSpot-compatible server for the class.

    Its search index lags writes as HubSpot's does (``SandboxState.search_lag``, a few
    seconds on the sandbox's clock): a test that writes in the sandbox and then searches or
    syncs calls :meth:`settle` between the two, as the time a scheduled run comes after."""

    @classmethod
    def start_sandbox(cls, **kw):
        cls.sandbox = SandboxServer(**kw).start()
        cls.addClassCleanup(cls.sandbox.stop)
        return cls.sandbox

    def settle(self):
        """Let HubSpot's search index catch up with the writes so far: the sandbox's clock
        moves past its lag (a scheduled run, a user's search come a while after a change)."""
        state = self.sandbox.state
        state.advance(seconds=state.search_lag)


class _Crash(BaseException):
    """Stands for a worker killed mid-run (not an Exception: nothing may catch it)."""


@contextmanager
def commits_as_savepoints(env):
    """Make ``ir.cron._commit_progress`` mark a savepoint instead of committing, so a
    test can roll back to the last "commit" the way a crash would."""
    env.cr.execute("SAVEPOINT hubspot_commit")
    commits = []

    def commit(self, processed=0, **kw):
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT hubspot_commit")
        commits.append(processed)
        return float("inf")

    with patch.object(type(env["ir.cron"]), "_commit_progress", commit):
        yield commits


def crash_rollback(env):
    env.cr.execute("ROLLBACK TO SAVEPOINT hubspot_commit")
    env.invalidate_all()


class InboundCase(SandboxMixin, HubSpotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.state = cls.sandbox.state
        cls.account.write({"api_base_url": cls.sandbox.url, "access_token": "sandbox-token", "portal_id": "12345678"})
        cls.account.state = "running"
        cls.Partner = cls.env["res.partner"].with_context(active_test=False)
        cls.engine = cls.env["hubspot.sync.engine"]

    def setUp(self):
        super().setUp()
        self.state.reset()
        self.state.currency = self.account.company_id.currency_id.name  # the portal's: deals need no conversion
        self.state.unfreeze()
        self.state.configure(search_lag=SEARCH_LAG)  # HubSpot's search index lags writes: see settle()
        self.state.set_faults()
        self.addCleanup(self.state.set_faults)
        manager = commits_as_savepoints(self.env)
        self.commits = manager.__enter__()
        self.addCleanup(manager.__exit__, None, None, None)
        # No real waiting on retries in tests.
        original = HubspotAccountConnection._get_client

        def fast_client(account, **options):
            client = original(account, **options)
            client.sleep = lambda seconds: None
            client.backoff_factor = 0
            client.session.adapters["http://"].max_retries.backoff_factor = 0
            return client

        patcher = patch.object(HubspotAccountConnection, "_get_client", fast_client)
        patcher.start()
        self.addCleanup(patcher.stop)

    # helpers: records are added the way HubSpot's own UI would (no API validation)
    def hs_company(self, name, **props):
        return self.state.add_record("companies", dict({"name": name}, **props))

    def hs_contact(self, email, company=None, **props):
        record = self.state.add_record("contacts", dict({"email": email}, **props))
        if company:
            self.state.associate("contacts", record["id"], "companies", company["id"])
        return record

    def configure(self, **values):
        """Change sync settings the way an admin must: stop, edit, start."""
        self.account.action_stop()
        self.account.write(values)
        self.account.state = "running"

    def sync(self, object_type="companies", at_once=False, **kw):
        """An inbound run as the schedule makes it: after HubSpot's index caught up with the
        changes (``at_once``: while it still lags)."""
        if not at_once:
            self.settle()
        return self.engine._run_inbound(self.account, object_type, **kw)

    def partner(self, record, object_type="companies"):
        return self.Partner.search([("hubspot_id", "=", str(record["id"])), ("hubspot_object_type", "=", object_type)])
