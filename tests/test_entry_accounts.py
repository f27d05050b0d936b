"""The sync jobs sync the running accounts, and only those: a stopped account and a draft one
(never started) cost their portals no call, until they are started."""

from odoo.tests import tagged

from ..sandbox import SandboxServer, SandboxState
from .test_entry_points import EntryCase


@tagged("post_install", "-at_install")
class TestOnlyRunningAccountsSync(EntryCase):
    """Three accounts of three portals, each portal with its own HubSpot (a sandbox that logs
    every call it gets, with the token that account holds)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portals = {}
        for name, portal_id in (("stopped", 22222222), ("draft", 33333333)):
            server = SandboxServer(SandboxState(portal_id=portal_id, tokens={f"{name}-token": None})).start()
            cls.addClassCleanup(server.stop)
            cls.portals[name] = server

    def setUp(self):
        super().setUp()
        for server in self.portals.values():
            server.state.reset()
            server.state.unfreeze()
        self.account.sync_interval = "5"

    def other_account(self, name):
        server = self.portals[name]
        return self.env["hubspot.account"].create(
            {
                "name": f"{name.title()} portal",
                "api_base_url": server.url,
                "access_token": f"{name}-token",
                "portal_id": str(server.state.portal_id),
                "sync_contacts": False,
                "sync_interval": "5",
            }
        )

    def partner_of(self, account, record):
        """The partner of ``account``'s HubSpot company ``record`` (the portals' ids overlap)."""
        return self.Partner.search(
            [
                ("hubspot_account_id", "=", account.id),
                ("hubspot_object_type", "=", "companies"),
                ("hubspot_id", "=", record["id"]),
            ]
        )

    def test_stopped_and_draft_accounts_get_no_run_until_started(self):
        stopped_hubspot, draft_hubspot = self.portals["stopped"].state, self.portals["draft"].state
        stopped = self.other_account("stopped")
        nordlicht = stopped_hubspot.add_record("companies", {"name": "Nordlicht Oy", "phone": "+358 9 1"})
        stopped.with_user(self.hs_admin).action_start()
        self.tick(1)
        nordlicht_partner = self.partner_of(stopped, nordlicht)
        self.assertEqual(nordlicht_partner.phone, "+358 9 1", "it ran while it was running")
        stopped.with_user(self.hs_admin).action_stop()
        stopped_runs = len(stopped.run_ids)
        draft = self.other_account("draft")
        sisu = draft_hubspot.add_record("companies", {"name": "Sisu Oy", "phone": "+358 2 1"})

        # Changes in each portal; the jobs tick when every account's schedule is due.
        self.state.update_record("companies", self.acme["id"], {"phone": "+49 30 999"})
        stopped_hubspot.update_record("companies", nordlicht["id"], {"phone": "+358 9 2"})
        stopped_hubspot.clear_log()
        draft_hubspot.clear_log()
        self.tick(10)
        self.assertEqual(self.partner_of(self.account, self.acme).phone, "+49 30 999", "the running one synced")
        self.assertEqual(stopped_hubspot.stats()["total"], 0, "no call with the stopped account's token")
        self.assertEqual(draft_hubspot.stats()["total"], 0, "no call with the draft account's token")
        self.assertEqual(len(stopped.run_ids), stopped_runs, "no run of the stopped account")
        self.assertFalse(draft.run_ids, "no run of the draft account")
        self.assertEqual(nordlicht_partner.phone, "+358 9 1")
        self.assertFalse(self.partner_of(draft, sisu))

        # Started, both sync at the next tick.
        (stopped | draft).with_user(self.hs_admin).action_start()
        self.tick(11)
        self.assertEqual(nordlicht_partner.phone, "+358 9 2")
        self.assertEqual(self.partner_of(draft, sisu).phone, "+358 2 1")
        self.assertEqual(draft_hubspot.stats()["by_operation"].get("companies.search"), 1)
