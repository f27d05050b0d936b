from odoo import api, fields, models


class HubspotDealLine(models.Model):
    """A product line of an opportunity: a HubSpot deal's line item.

    HubSpot totals a deal from its line items (quantity × (unit price − unit
    discount)); the opportunity shows the same total from these lines.
    """

    _name = "hubspot.deal.line"
    _inherit = ["hubspot.binding.mixin"]
    _description = "Opportunity Product Line"
    _order = "lead_id, sequence, id"
    _check_company_auto = True

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="lead_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="lead_id.company_currency")
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        index="btree_not_null",
        check_company=True,
        domain="[('sale_ok', '=', True)]",
    )
    name = fields.Char(
        string="Description", compute="_compute_name", store=True, readonly=False, precompute=True, required=True
    )
    quantity = fields.Float(default=1.0, required=True)
    price_unit = fields.Float(
        string="Unit Price", compute="_compute_price_unit", store=True, readonly=False, precompute=True
    )
    discount = fields.Float(string="Discount (%)")
    price_subtotal = fields.Monetary(string="Subtotal", compute="_compute_price_subtotal", store=True)

    # A product chosen in Odoo proposes its name and price; one set by the sync keeps
    # the line item's own (HubSpot lines carry their own name and price).
    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id and not self.env.context.get("hubspot_sync"):
                line.name = line.product_id.display_name

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            if line.product_id and not self.env.context.get("hubspot_sync"):
                line.price_unit = line.product_id.lst_price

    @api.depends("quantity", "price_unit", "discount")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.quantity * line.price_unit * (1 - (line.discount or 0.0) / 100)

    @api.model
    def _hubspot_push_domain(self, account):
        """Lines of the opportunities linked to this account's deals."""
        return [
            *super()._hubspot_push_domain(account),
            ("lead_id.hubspot_linked", "=", True),
            ("lead_id.hubspot_account_id", "=", account.id),
            ("lead_id.hubspot_object_type", "=", "deals"),
        ]

    def _hubspot_unlink(self, reason):
        """A line item deleted in HubSpot is deleted from the opportunity too: an unlinked
        line kept there would make the opportunity's total differ from the deal's."""
        if reason == "deleted":
            self.with_context(hubspot_sync=True).unlink()
            return
        super()._hubspot_unlink(reason)
