from odoo import api, fields, models

from ..hubspot.values import domain_of


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "hubspot.binding.mixin"]

    # Odoo 18 dropped the partner's mobile number; HubSpot contacts have one.
    mobile = fields.Char()
    hubspot_lead_score = fields.Float(string="HubSpot Score", readonly=True, copy=False)
    hubspot_domain = fields.Char(
        string="Web Domain",
        compute="_compute_hubspot_domain",
        store=True,
        index=True,
        help="The website's domain, used to find the partner of a HubSpot company.",
    )
    hubspot_exclude = fields.Boolean(
        string="Keep out of HubSpot",
        copy=False,
        help="Never export this partner (and its contacts) to HubSpot.",
    )

    @api.model
    def _hubspot_sync_only_fields(self):
        return super()._hubspot_sync_only_fields() | {"hubspot_lead_score"}

    @api.model
    def _hubspot_push_domain(self, account):
        # Shared partners are pushed too (a partner created in Odoo has no company by
        # default), but never the partners that stand for the Odoo companies themselves.
        own = self.env["res.company"].sudo().with_context(active_test=False).search([]).partner_id
        return [*super()._hubspot_push_domain(account), ("id", "not in", own.ids)]

    @api.depends("website")
    def _compute_hubspot_domain(self):
        for partner in self:
            partner.hubspot_domain = domain_of(partner.website)
