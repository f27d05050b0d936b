from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import TOKEN, HubSpotCase

SECRETS = ["access_token", "oauth_client_secret", "oauth_refresh_token", "webhook_secret"]


@tagged("post_install", "-at_install")
class TestAccess(HubSpotCase):
    def test_user_cannot_read_or_write_token(self):
        account = self.account.with_user(self.hs_user)
        self.assertEqual(account.name, "Test portal", "users may see the account itself")
        with self.assertRaises(AccessError):
            account.read(["access_token"])
        with self.assertRaises(AccessError):
            account.write({"access_token": "pat-na1-stolen"})
        with self.assertRaises(AccessError):
            account.write({"name": "Renamed"})
        self.assertNotIn("access_token", account.fields_get())
        self.assertTrue(account.has_access_token, "a user may know that a token is set")

    def test_user_does_not_get_token_through_the_form(self):
        view = self.env["hubspot.account"].with_user(self.hs_user).get_views([(False, "form")])
        arch = view["views"]["form"]["arch"]
        for secret in SECRETS:
            self.assertNotIn(f'name="{secret}"', arch)

    def test_every_secret_is_for_administrators_only(self):
        self.account.write({name: f"{name}-value" for name in SECRETS})
        account = self.account.with_user(self.hs_user)
        for secret in SECRETS:
            with self.assertRaises(AccessError, msg=secret):
                account.read([secret])
            self.assertNotIn(secret, account.fields_get())
        admin = self.account.with_user(self.hs_admin)
        self.assertEqual(admin.read(SECRETS)[0]["webhook_secret"], "webhook_secret-value")

    def test_admin_reads_and_writes_token(self):
        account = self.account.with_user(self.hs_admin)
        self.assertEqual(account.read(["access_token"])[0]["access_token"], TOKEN)
        account.write({"access_token": "pat-na1-new"})
        self.assertEqual(account.access_token, "pat-na1-new")
        form = self.env["hubspot.account"].with_user(self.hs_admin).get_views([(False, "form")])["views"]["form"]
        self.assertRegex(form["arch"], r'name="access_token"[^>]*password="True"')

    def test_token_never_in_chatter(self):
        self.account.with_user(self.hs_admin).write({"access_token": "pat-na1-secret-in-chatter", "name": "Renamed"})
        self.env.cr.precommit.run()  # tracking is written at commit time
        self.account.invalidate_recordset(["message_ids"])
        bodies = " ".join(
            str(m.body)
            + str(m.tracking_value_ids.mapped("old_value_char") + m.tracking_value_ids.mapped("new_value_char"))
            for m in self.account.message_ids
        )
        self.assertIn("Renamed", bodies, "tracked fields are logged")
        self.assertNotIn("secret-in-chatter", bodies)
        self.assertNotIn(TOKEN, bodies)

    def test_internal_user_without_group_sees_nothing(self):
        plain = new_test_user(self.env, login="plain_user", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["hubspot.account"].with_user(plain).search([])

    def test_accounts_of_other_company_invisible(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        other_account = self.env["hubspot.account"].create(
            {"name": "Other portal", "company_id": other.id, "access_token": "pat-na1-other"}
        )
        Account = self.env["hubspot.account"].with_user(self.hs_admin)
        self.assertEqual(Account.search([]), self.account)
        with self.assertRaises(AccessError):
            other_account.with_user(self.hs_admin).read(["name"])
        # Once the user may work in both companies and has both selected, both show.
        self.hs_admin.write({"company_ids": [(4, other.id)]})
        both = Account.with_context(allowed_company_ids=[self.company.id, other.id])
        self.assertEqual(both.search([]), self.account | other_account)

    def test_base_url_must_be_http(self):
        with self.assertRaises(ValidationError):
            self.account.api_base_url = "ftp://example.com"
