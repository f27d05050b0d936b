from odoo import api, fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # The HubSpot link of a product without variants (HubSpot products have none).
    hubspot_id = fields.Char(string="HubSpot ID", compute="_compute_hubspot_link")
    hubspot_linked = fields.Boolean(string="Linked to HubSpot", compute="_compute_hubspot_link")
    hubspot_url = fields.Char(string="HubSpot URL", compute="_compute_hubspot_link")

    @api.depends("product_variant_ids.hubspot_id", "product_variant_ids.hubspot_linked")
    def _compute_hubspot_link(self):
        for template in self:
            variant = template.product_variant_ids
            variant = variant if len(variant) == 1 else variant.browse()
            template.hubspot_id = variant.hubspot_id
            template.hubspot_linked = variant.hubspot_linked
            template.hubspot_url = variant.hubspot_url

    def action_open_in_hubspot(self):
        self.ensure_one()
        return self.product_variant_ids.action_open_in_hubspot()
