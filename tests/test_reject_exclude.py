"""*Reject & exclude in HubSpot* says what it will write in HubSpot (property, value, portal)
before it writes, and the pending company's chatter says what was written, or why HubSpot
refused (against the sandbox)."""

from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import InboundCase, SandboxMixin


@tagged("post_install", "-at_install")
class TestRejectAndExclude(InboundCase):
    def setUp(self):
        super().setUp()
        self.reviewer = new_test_user(
            self.env,
            login="hs_reviewer",
            name="Rita Reviewer",
            groups="base.group_user,hubspot_connector.group_hubspot_user",
        )
        self.configure(review_new_companies=True)
        self.acme = self.hs_company("Acme Spam Ltd", domain="spam.example")
        self.sync("companies")
        self.pending = self.env["hubspot.pending.company"].search([("hubspot_id", "=", self.acme["id"])])
        self.assertEqual(self.pending.state, "pending")
        self.state.clear_log()

    def confirmation(self):
        """The reviewer clicks *Reject & exclude in HubSpot*: the confirmation dialog."""
        action = self.pending.with_user(self.reviewer).action_reject_and_exclude()
        Wizard = self.env[action["res_model"]].with_user(self.reviewer).with_context(**action["context"])
        return Form(Wizard)

    def remote_value(self):
        return self.state.get_record("companies", self.acme["id"])["properties"].get("sync_to_odoo")

    def test_the_confirmation_says_what_will_be_written_where(self):
        form = self.confirmation()
        text = str(form.summary)
        for part in ("“sync_to_odoo”", "“no”", "portal 12345678", "“Test portal”", "“Acme Spam Ltd”", self.acme["id"]):
            self.assertIn(part, text)
        self.assertEqual(self.state.stats()["total"], 0, "nothing reached HubSpot before the reviewer confirms")
        self.assertEqual(self.pending.state, "pending")
        self.assertIsNone(self.remote_value())

    def test_confirmed_the_property_is_written_and_the_chatter_says_so(self):
        answer = self.confirmation().save().action_confirm()
        self.assertEqual(self.remote_value(), "no", "HubSpot holds the exclude value")
        self.assertEqual(self.pending.state, "rejected")
        message = self.pending.message_ids[0]
        self.assertEqual(message.author_id, self.reviewer.partner_id)
        self.assertEqual(
            message.body,
            f"<p>Excluded in HubSpot: the property “sync_to_odoo” of company {self.acme['id']} is now “no” in "
            "portal 12345678 (account “Test portal”), so the sync keeps it out of Odoo.</p>",
        )
        self.assertEqual(
            (answer["params"]["type"], answer["params"]["title"]), ("success", "Rejected and excluded in HubSpot")
        )
        # As promised: the sync keeps it out, even without review and reading every company again.
        self.account.action_stop()
        self.account.action_reset()
        self.configure(review_new_companies=False)
        self.sync("companies")
        self.assertFalse(self.partner(self.acme))

    def test_when_hubspot_refuses_the_chatter_says_why(self):
        # The portal's property is a dropdown without the value "no".
        self.state.create_property(
            "companies",
            {
                "name": "sync_to_odoo",
                "label": "Sync to Odoo",
                "type": "enumeration",
                "fieldType": "select",
                "groupName": "companyinformation",
                "options": [{"label": "Ja", "value": "ja"}, {"label": "Nein", "value": "nein"}],
            },
        )
        answer = self.confirmation().save().action_confirm()
        self.assertIsNone(self.remote_value())
        self.assertEqual(self.pending.state, "rejected", "rejected in Odoo all the same")
        body = self.pending.message_ids[0].body
        self.assertIn(
            f"Rejected in Odoo only: HubSpot refused to set the property “sync_to_odoo” of company {self.acme['id']} "
            "to “no” in portal 12345678 (account “Test portal”): HubSpot refused the exclusion:",
            body,
        )
        self.assertIn("no was not one of the allowed options", body)
        self.assertEqual(answer["params"]["type"], "warning")
        self.assertIn("no was not one of the allowed options", answer["params"]["message"])

    def test_no_exclude_property_no_confirmation(self):
        self.configure(exclude_property=False)
        with self.assertRaisesRegex(UserError, "names no exclude property"):
            self.pending.with_user(self.reviewer).action_reject_and_exclude()
        self.assertEqual(self.pending.state, "pending")
        self.assertEqual(self.state.stats()["total"], 0)


@tagged("post_install", "-at_install")
class TestRejectAndExcludeTour(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_sandbox()
        cls.account = cls.env["hubspot.account"].create(
            {
                "name": "Tour portal",
                "api_base_url": cls.sandbox.url,
                "access_token": "sandbox-token",
                "portal_id": "12345678",
                "review_new_companies": True,
            }
        )
        cls.reviewer = new_test_user(
            cls.env, login="hs_tour_reviewer", groups="base.group_user,hubspot_connector.group_hubspot_user"
        )
        cls.remote = cls.sandbox.state.add_record("companies", {"name": "Spam Inc", "domain": "spam.example"})
        cls.pending = cls.env["hubspot.pending.company"].create(
            {"account_id": cls.account.id, "hubspot_id": cls.remote["id"], "name": "Spam Inc"}
        )

    def test_reviewer_reads_what_will_be_written_then_confirms(self):
        self.start_tour(
            f"/odoo/action-hubspot_connector.hubspot_pending_company_action/{self.pending.id}",
            "hubspot_reject_exclude_tour",
            login="hs_tour_reviewer",
        )
        self.assertEqual(self.pending.state, "rejected")
        remote = self.sandbox.state.get_record("companies", self.remote["id"])
        self.assertEqual(remote["properties"]["sync_to_odoo"], "no")
