from odoo.tests import new_test_user, tagged

from .common import HubSpotCase


@tagged("post_install", "-at_install")
class TestInstall(HubSpotCase):
    def test_app_is_listed_with_icon(self):
        module = self.env["ir.module.module"].search([("name", "=", "hubspot_connector")])
        self.assertEqual(module.state, "installed")
        self.assertTrue(module.application, "the Apps menu lists it as an application")
        self.assertEqual(module.icon, "/hubspot_connector/static/description/icon.png")
        self.assertIn("HubSpot", module.description_html or "", "the Apps menu shows the index.html page")

    def test_administrator_implies_user(self):
        manager = self.env.ref("hubspot_connector.group_hubspot_manager")
        user_group = self.env.ref("hubspot_connector.group_hubspot_user")
        self.assertIn(user_group, manager.all_implied_ids)
        self.assertTrue(self.hs_admin.has_group("hubspot_connector.group_hubspot_user"))
        self.assertFalse(self.hs_user.has_group("hubspot_connector.group_hubspot_manager"))
        self.assertTrue(self.env.ref("base.user_admin").has_group("hubspot_connector.group_hubspot_manager"))

    def test_menus_per_group(self):
        Menu = self.env["ir.ui.menu"]
        root = self.env.ref("hubspot_connector.hubspot_menu_root")
        accounts = self.env.ref("hubspot_connector.hubspot_account_menu")
        admin_menus = Menu.with_user(self.hs_admin)._visible_menu_ids()
        user_menus = Menu.with_user(self.hs_user)._visible_menu_ids()
        self.assertIn(root.id, admin_menus)
        self.assertIn(accounts.id, admin_menus)
        self.assertNotIn(accounts.id, user_menus, "only administrators configure accounts")
        plain = new_test_user(self.env, login="plain", groups="base.group_user")
        self.assertNotIn(root.id, Menu.with_user(plain)._visible_menu_ids())

    def test_settings_block_links_to_accounts(self):
        settings = self.env["res.config.settings"].with_user(self.env.ref("base.user_admin")).create({})
        self.assertEqual(settings.hubspot_account_count, 1)
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        self.assertIn('name="hubspot_connector"', arch)
        action = self.env.ref("hubspot_connector.hubspot_account_action")
        self.assertIn(f'name="{action.id}"', arch)

    def test_defaults_of_new_account(self):
        account = self.env["hubspot.account"].create({"name": "Defaults"})
        self.assertEqual(account.api_base_url, "https://api.hubapi.com")
        self.assertEqual(account.api_version, "2026-03")
        self.assertEqual(account.state, "draft")
        self.assertEqual(account.rate_limit_per_10s, 100)
        self.assertEqual(account.auth_type, "private_app")
        self.assertEqual(account.company_id, self.env.company)
