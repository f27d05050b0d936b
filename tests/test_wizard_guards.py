"""The wizards that link an Odoo record to HubSpot change that record: a user who may read it but
not change it (here: a rule of the administrator's keeps a key account read-only for
salespeople) is refused with the reason, before HubSpot is asked anything, and nothing changes."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .test_sync_inbound import InboundCase


@tagged("post_install", "-at_install")
class TestReadOnlyRecordsStayUnlinked(InboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env, login="guard_seller", groups="base.group_user,hubspot_connector.group_hubspot_user"
        )
        cls.key_account = cls.env["res.partner"].create(
            {"name": "Key Account AG", "is_company": True, "website": "key-account.example", "phone": "+41 44 1"}
        )
        cls.env["ir.rule"].create(
            {
                "name": "Key accounts: read-only for salespeople",
                "model_id": cls.env.ref("base.model_res_partner").id,
                "groups": [Command.link(cls.env.ref("hubspot_connector.group_hubspot_user").id)],
                "domain_force": f"[('id', '!=', {cls.key_account.id})]",
                "perm_read": False,
                "perm_create": False,
                "perm_unlink": False,
                "perm_write": True,
            }
        )

    def setUp(self):
        super().setUp()
        self.remote = self.hs_company("Key Account AG (HubSpot)", domain="key-account.example", phone="+41 44 999")
        self.settle()
        self.state.clear_log()

    def assert_untouched(self):
        self.assertEqual(self.state.stats()["total"], 0, "HubSpot was asked nothing")
        self.key_account.invalidate_recordset()
        self.assertEqual(
            (
                self.key_account.name,
                self.key_account.phone,
                self.key_account.hubspot_id,
                self.key_account.hubspot_linked,
            ),
            ("Key Account AG", "+41 44 1", False, False),
        )

    def test_the_seller_reads_it_and_may_not_change_it(self):
        partner = self.key_account.with_user(self.seller)
        self.assertEqual(partner.name, "Key Account AG")
        self.assertFalse(partner.has_access("write"))

    def test_import_from_hubspot_refuses_a_record_the_user_may_not_change(self):
        action = self.key_account.with_user(self.seller).action_hubspot_import()
        Wizard = self.env["hubspot.import.record"].with_user(self.seller).with_context(**action["context"])
        with Form(Wizard) as form:
            form.mode = "id"
            form.hubspot_id = self.remote["id"]
        with self.assertRaisesRegex(UserError, "Linking “Key Account AG” to HubSpot changes it, which your access"):
            form.record.action_confirm()
        self.assert_untouched()

    def test_accept_refuses_to_link_a_customer_the_user_may_not_change(self):
        pending = self.env["hubspot.pending.company"].create(
            {
                "account_id": self.account.id,
                "hubspot_id": self.remote["id"],
                "name": "Key Account AG (HubSpot)",
                "website": "https://key-account.example",
                "phone": "+41 44 999",
            }
        )
        action = pending.with_user(self.seller).action_accept()
        Wizard = self.env["hubspot.accept.company"].with_user(self.seller).with_context(**action["context"])
        with Form(Wizard) as form:
            self.assertEqual((form.mode, form.partner_id), ("link", self.key_account), "the look-alike is proposed")
        with self.assertRaisesRegex(UserError, "Accepting a company creates or updates a customer, which your access"):
            form.record.action_confirm()
        self.assert_untouched()
        self.assertEqual(pending.state, "pending", "still waiting for someone who may link it")


@tagged("post_install", "-at_install")
class TestReviewedOnce(InboundCase):
    """Two reviewers work the queue: one opened Accept, the other rejected the company meanwhile."""

    def test_accept_after_someone_rejected_it_is_refused(self):
        reviewer = new_test_user(
            self.env, login="reviewer_a", groups="base.group_user,hubspot_connector.group_hubspot_user"
        )
        colleague = new_test_user(
            self.env, login="reviewer_b", groups="base.group_user,hubspot_connector.group_hubspot_user"
        )
        remote = self.hs_company("Doppel GmbH", domain="doppel.example")
        pending = self.env["hubspot.pending.company"].create(
            {"account_id": self.account.id, "hubspot_id": remote["id"], "name": "Doppel GmbH"}
        )
        action = pending.with_user(reviewer).action_accept()
        Wizard = self.env["hubspot.accept.company"].with_user(reviewer).with_context(**action["context"])
        with Form(Wizard) as form:
            form.mode = "create"
        pending.with_user(colleague).action_reject()
        self.settle()
        self.state.clear_log()
        partners = self.Partner.search_count([])
        with self.assertRaisesRegex(UserError, "“Doppel GmbH” was already reviewed."):
            form.record.action_confirm()
        self.assertEqual(pending.state, "rejected")
        self.assertEqual(self.Partner.search_count([]), partners, "no customer")
        self.assertEqual(self.state.stats()["total"], 0, "HubSpot was asked nothing")
