from odoo import fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "hubspot.binding.mixin"]

    hubspot_stage_id = fields.Many2one(
        "hubspot.pipeline.stage", string="HubSpot Stage", readonly=True, copy=False, index="btree_not_null"
    )
