from odoo import api, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "hubspot.binding.mixin"]

    hubspot_stage_id = fields.Many2one(
        "hubspot.pipeline.stage", string="HubSpot Stage", readonly=True, copy=False, index="btree_not_null"
    )
    hubspot_line_ids = fields.One2many("hubspot.deal.line", "lead_id", string="Products", copy=True)
    hubspot_lines_total = fields.Monetary(
        string="Products Total",
        currency_field="company_currency",
        compute="_compute_hubspot_lines_total",
        store=True,
        help="The total of the product lines; HubSpot totals a deal with line items the same way.",
    )

    @api.depends("hubspot_line_ids.price_subtotal", "hubspot_line_ids.active")
    def _compute_hubspot_lines_total(self):
        for lead in self:
            lead.hubspot_lines_total = sum(lead.hubspot_line_ids.filtered("active").mapped("price_subtotal"))
