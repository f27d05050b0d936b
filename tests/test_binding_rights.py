"""Who may link a record to HubSpot: the link fields are the sync's, and the *Import from
HubSpot* wizard works only with an account of the record's company the user may use.

Two companies, each with its own portal (a sandbox over HTTP each); real users: a
salesperson without HubSpot rights, a HubSpot User of company 1, a contacts manager."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..sandbox import SandboxServer
from .common import InboundCase

LINK = ("hubspot_id", "hubspot_account_id", "hubspot_object_type", "hubspot_linked")


class TwoCompaniesCase(InboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company2 = cls.env["res.company"].create({"name": "Company Two"})
        cls.sandbox2 = SandboxServer().start()
        cls.addClassCleanup(cls.sandbox2.stop)
        cls.state2 = cls.sandbox2.state
        cls.account2 = cls.env["hubspot.account"].create(
            {
                "name": "Portal of company two",
                "company_id": cls.company2.id,
                "api_base_url": cls.sandbox2.url,
                "access_token": "sandbox-token",
                "portal_id": "87654321",
                "companies_direction": "out",
            }
        )
        cls.account2.state = "running"
        company1 = cls.env.company
        cls.seller = new_test_user(
            cls.env,
            login="plain_seller",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=company1.id,
            company_ids=[(6, 0, company1.ids)],
        )
        cls.hs_user1 = new_test_user(
            cls.env,
            login="hs_user_company1",
            groups="base.group_user,sales_team.group_sale_salesman,hubspot_connector.group_hubspot_user",
            company_id=company1.id,
            company_ids=[(6, 0, company1.ids)],
        )
        cls.hs_user_both = new_test_user(
            cls.env,
            login="hs_user_both",
            groups="base.group_user,sales_team.group_sale_salesman,hubspot_connector.group_hubspot_user",
            company_id=company1.id,
            company_ids=[(6, 0, (company1 | cls.company2).ids)],
        )
        cls.contacts_manager = new_test_user(
            cls.env, login="contacts_manager", groups="base.group_user,base.group_partner_manager"
        )
        cls.portal = new_test_user(cls.env, login="portal_user", groups="base.group_portal")

    def setUp(self):
        super().setUp()
        self.state2.reset()
        self.partner1 = self.env["res.partner"].create(
            {"name": "Acme One", "is_company": True, "company_id": self.env.company.id, "website": "acme.example"}
        )
        self.other = self.state2.add_record("companies", {"name": "Other Corp", "domain": "other.example"})

    def no_hubspot_call(self):
        self.assertEqual(
            (self.state.call_count(), self.state2.call_count()), (0, 0), (self.state.stats(), self.state2.stats())
        )

    def link_of(self, record):
        record.invalidate_recordset()
        return tuple(record[name] for name in LINK)


@tagged("post_install", "-at_install")
class TestImportWizardAccounts(TwoCompaniesCase):
    def as_user(self, records, user):
        """``records`` as ``user`` would see them, in all their companies at once."""
        return records.with_user(user).with_context(allowed_company_ids=user.company_ids.ids)

    def wizard(self, user, record, **values):
        """The wizard as an RPC call may create it: with any account id."""
        return self.as_user(self.env["hubspot.import.record"], user).create(
            dict({"record_ref": f"{record._name},{record.id}", "object_type": "companies"}, **values)
        )

    def test_offers_the_accounts_of_the_records_company_only(self):
        # A HubSpot User working in both companies, on a company-1 partner.
        user = self.hs_user_both
        action = self.as_user(self.partner1, user).action_hubspot_import()
        Wizard = self.as_user(self.env["hubspot.import.record"], user).with_context(**action["context"])
        wizard = Form(Wizard).save()
        self.assertEqual(wizard.account_id, self.account)
        # What the form's account field offers (the web client evaluates the field's domain).
        domain = safe_eval(
            Wizard.fields_get(["account_id"])["account_id"]["domain"],
            {"record_company_id": wizard.record_company_id.id},
        )
        Account = self.as_user(self.env["hubspot.account"], user)
        self.assertEqual(Account.search([]), self.account | self.account2, "the user may see both")
        offered = Account.name_search("", domain)
        self.assertEqual([account_id for account_id, _name in offered], [self.account.id])

    def test_another_companys_portal_is_refused_before_any_call(self):
        for user in (self.hs_user1, self.hs_user_both):
            wizard = self.wizard(user, self.partner1, account_id=self.account2.id, mode="search", search_term="Other")
            with self.assertRaisesRegex(AccessError, "You may not use this HubSpot account for “Acme One”"):
                wizard.action_search()
            wizard.write({"mode": "id", "hubspot_id": self.other["id"]})
            with self.assertRaisesRegex(AccessError, "You may not use this HubSpot account"):
                wizard.action_confirm()
            line = (
                self.env["hubspot.import.record.line"]
                .with_user(user)
                .create({"wizard_id": wizard.id, "hubspot_id": self.other["id"]})
            )
            with self.assertRaisesRegex(AccessError, "You may not use this HubSpot account"):
                line.action_link()
        self.no_hubspot_call()
        self.assertEqual(self.link_of(self.partner1), (False, self.account.browse(), False, False))
        self.assertEqual(self.partner1.name, "Acme One")
        self.assertEqual(self.state2.get_record("companies", self.other["id"])["properties"]["name"], "Other Corp")
        # Their own company's account works as before.
        acme = self.hs_company("Acme One HubSpot", domain="acme.example")
        self.settle()
        wizard = self.wizard(self.hs_user1, self.partner1, account_id=self.account.id, mode="search")
        wizard.action_search()
        wizard.line_ids.action_link()
        self.assertEqual(self.link_of(self.partner1), (acme["id"], self.account, "companies", True))
        self.assertEqual(self.partner1.name, "Acme One HubSpot")
        self.assertEqual(self.state2.call_count(), 0, "the other portal is never asked")

    def test_only_hubspot_users(self):
        for user in (self.seller, self.portal):
            with self.assertRaises(AccessError):
                self.wizard(user, self.partner1, account_id=self.account.id, mode="id", hubspot_id="1")
        # A wizard a HubSpot User started, called by someone who lost the group since.
        wizard = self.wizard(self.hs_user1, self.partner1, account_id=self.account.id, mode="id", hubspot_id="1")
        self.hs_user1.group_ids -= self.env.ref("hubspot_connector.group_hubspot_user")
        with self.assertRaisesRegex(AccessError, "Only HubSpot Users may import records from HubSpot"):
            wizard.action_confirm()
        self.no_hubspot_call()


@tagged("post_install", "-at_install")
class TestLinkFieldsAreTheSyncs(TwoCompaniesCase):
    def setUp(self):
        super().setUp()
        self.acme = self.hs_company("Acme Synced", domain="synced.example", phone="+1 555")
        self.sync()
        self.synced = self.partner(self.acme)
        self.shared = self.env["res.partner"].create({"name": "Shared Ltd", "is_company": True})
        self.state.clear_log()

    def forged_link(self):
        return {
            "hubspot_account_id": self.account2.id,
            "hubspot_id": self.other["id"],
            "hubspot_object_type": "companies",
            "hubspot_linked": True,
        }

    def test_a_user_cannot_forge_a_link(self):
        for user in (self.seller, self.hs_user1):
            for context in ({}, {"hubspot_sync": True}):
                partner = self.shared.with_user(user).with_context(**context)
                with self.assertRaisesRegex(AccessError, "Only the HubSpot sync sets these fields: .*HubSpot ID"):
                    partner.write(self.forged_link())
                with self.assertRaisesRegex(AccessError, "Only the HubSpot sync sets these fields"):
                    partner.write({"hubspot_remote_modified_ms": 1e15})  # "HubSpot has a newer version"
        self.assertEqual(self.link_of(self.shared), (False, self.account.browse(), False, False))
        # The other company's push does not overwrite its record with this partner's data.
        run = self.engine._run_outbound(self.account2, "companies")
        self.assertEqual(run.state, "done")
        self.assertEqual(self.state2.get_record("companies", self.other["id"])["properties"]["name"], "Other Corp")
        self.assertEqual(self.state.call_count(), 0)

    def test_a_user_cannot_create_a_linked_record(self):
        Partner = self.env["res.partner"].with_user(self.seller)
        with self.assertRaisesRegex(AccessError, "Only the HubSpot sync sets these fields"):
            Partner.create(dict(self.forged_link(), name="Forged", is_company=True))
        with self.assertRaisesRegex(AccessError, "Only the HubSpot sync sets these fields"):
            Partner.with_context(hubspot_sync=True).create(dict(self.forged_link(), name="Forged", is_company=True))
        defaults = {f"default_{name}": value for name, value in self.forged_link().items()}
        with self.assertRaisesRegex(AccessError, "Only the HubSpot sync sets these fields"):
            Partner.with_context(**defaults).create({"name": "Forged", "is_company": True})
        with self.assertRaisesRegex(AccessError, "HubSpot Score"):
            Partner.create({"name": "Forged", "is_company": True, "hubspot_lead_score": 99})
        lead_vals = {"name": "Forged deal", "type": "opportunity", "hubspot_id": "1", "hubspot_linked": True}
        with self.assertRaisesRegex(AccessError, "Only the HubSpot sync sets these fields"):
            self.env["crm.lead"].with_user(self.seller).create(lead_vals)
        lead = self.env["crm.lead"].with_user(self.seller).create({"name": "Real deal", "type": "opportunity"})
        with self.assertRaisesRegex(AccessError, "Only the HubSpot sync sets these fields"):
            lead.write({"hubspot_line_ids": [(0, 0, {"name": "Line", "hubspot_id": "9", "hubspot_linked": True})]})
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Forged")]))
        self.assertFalse(lead.hubspot_line_ids)

    def test_a_user_cannot_take_a_record_out_of_the_sync_silently(self):
        for user in (self.seller, self.hs_user1):
            partner = self.synced.with_user(user).with_context(hubspot_sync=True)
            for vals in ({"hubspot_linked": False}, {"hubspot_id": False}, {"hubspot_unlink_reason": "manual"}):
                with self.assertRaisesRegex(AccessError, "Only the HubSpot sync sets these fields"):
                    partner.write(vals)
        self.assertEqual(self.link_of(self.synced), (self.acme["id"], self.account, "companies", True))
        # HubSpot's next change still arrives.
        self.state.advance(seconds=5)
        self.state.update_record("companies", self.acme["id"], {"phone": "+1 777"})
        self.sync()
        self.assertEqual(self.synced.phone, "+1 777")

    def test_the_context_key_grants_nothing(self):
        mapping = self.account.mapping_ids.filtered(lambda m: m.object_type == "companies" and m.field_name == "phone")
        mapping.rule = "hubspot"
        partner = self.synced.with_user(self.hs_user1).with_context(hubspot_sync=True)
        with self.assertRaisesRegex(UserError, "owns: Phone"):
            partner.write({"phone": "+1 000"})
        # Deleting it as the sync would (no trace left) is still a deletion HubSpot hears of.
        self.synced.with_user(self.contacts_manager).with_context(hubspot_sync=True).unlink()
        self.configure(companies_direction="out")
        run = self.engine._run_outbound(self.account, "companies")
        self.assertEqual(run.archived_count, 1)
        self.assertTrue(self.state.get_record("companies", self.acme["id"], archived=True)["archived"])

    def test_remove_link_for_hubspot_users_who_may_edit(self):
        with self.assertRaisesRegex(AccessError, "Only HubSpot Users may remove"):
            self.synced.with_user(self.seller).action_hubspot_unlink()
        # (assertRaisesRegex, not Odoo's assertRaises: that one rolls its savepoint back, and the
        # check below would pass whatever the refused call had written)
        with self.assertRaisesRegex(AccessError, "Only HubSpot Users may remove"):
            self.synced.with_user(self.portal).action_hubspot_unlink()
        self.assertEqual(self.link_of(self.synced), (self.acme["id"], self.account, "companies", True))
        self.synced.with_user(self.hs_user1).action_hubspot_unlink()
        self.assertEqual(
            (self.synced.hubspot_linked, self.synced.hubspot_unlink_reason, self.synced.hubspot_id),
            (False, "manual", self.acme["id"]),
        )
        self.assertEqual(self.state.call_count(), 0)

    def test_normal_work_goes_on(self):
        partner = self.synced.with_user(self.seller)
        partner.write({"comment": "<p>Met at the fair</p>", "hubspot_exclude": False})
        # A form saved with the link fields unchanged is no attempt to change them.
        partner.write({"hubspot_linked": True, "hubspot_id": self.acme["id"], "hubspot_account_id": self.account.id})
        copy = partner.copy()
        self.assertEqual(self.link_of(copy), (False, self.account.browse(), False, False))
        result = self.env["res.partner"].with_user(self.seller).load(["name", "is_company"], [["Imported Co", "1"]])
        self.assertEqual(len(result["ids"]), 1, result["messages"])
        result = self.env["res.partner"].with_user(self.seller).load(["name", "hubspot_id"], [["Sneaky Co", "42"]])
        self.assertFalse(result["ids"])
        self.assertIn("Only the HubSpot sync sets these fields", str(result["messages"]))
        lead = self.env["crm.lead"].with_user(self.seller).create({"name": "Deal", "type": "opportunity"})
        lead.write({"hubspot_line_ids": [(0, 0, {"name": "Consulting", "quantity": 2, "price_unit": 50})]})
        self.assertEqual(lead.copy().hubspot_line_ids.mapped("name"), ["Consulting"])
