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

    @api.model
    def _hubspot_create_values(self, state, record):
        """A partner from HubSpot: its reference is the HubSpot id; it carries the "HubSpot" tag."""
        vals = {"ref": str(record["id"])}
        tag = state.account._partner_tag()
        if tag:
            vals["category_id"] = [(4, tag.id)]
        return vals

    def _hubspot_link_values(self, state):
        """A partner the sync links carries the "HubSpot" tag."""
        tag = state.account._partner_tag()
        if tag and tag not in self.category_id:
            return {"category_id": [(4, tag.id)]}
        return {}

    @api.model
    def _hubspot_primary_contact(self, values):
        """The customer of an opportunity or a task from ``values``: the first of its HubSpot
        contacts who works for its company (Odoo's "person at a company"), else the company,
        else the first contact."""
        contacts = values.get("hubspot_contact_ids")
        if not contacts:
            return {}
        people = self.browse(contacts[0][2])
        company = values.get("partner_id")
        primary = people.filtered(lambda p: p.parent_id.id == company)[:1] if company else people[:1]
        return {"partner_id": primary.id} if primary else {}
