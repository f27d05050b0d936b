from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hubspot_account_count = fields.Integer(
        compute="_compute_hubspot_account_count",
        groups="hubspot_connector.group_hubspot_manager",
    )

    def _compute_hubspot_account_count(self):
        count = self.env["hubspot.account"].search_count([])
        for settings in self:
            settings.hubspot_account_count = count
