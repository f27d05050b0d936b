import math

from odoo import api, fields, models

from ..hubspot.values import finite_number
from .hubspot_field_mapping import _number, _number_text
from .hubspot_sync_spec import SPECS


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

    # ------------------------------------------------------- line item sync
    @api.model
    def _hubspot_syncs(self, account, object_type):
        """Line items belong to deals: they sync while deals do."""
        return account._syncs("deals")

    @api.model
    def _hubspot_inbound_values(self, state, record, existing, values):
        """Quantity and discount of a line item.

        HubSpot's ``discount`` is an amount off the unit price; Odoo's a percentage
        (kept unrounded, so the line's subtotal is HubSpot's ``amount``). HubSpot
        counts a line item without quantity as one."""
        props = record.get("properties") or {}
        extra = {}
        if "quantity" in values and not props.get("quantity"):
            extra["quantity"] = 1.0
        if existing and state.engine._local_newer(state.spec, record, existing):
            return extra  # Odoo changed the line last: its discount is pushed
        price, unit_discount = _number(props.get("price") or 0, float), finite_number(props.get("discount") or 0)
        discount = unit_discount / price * 100 if price and unit_discount else 0.0
        if unit_discount is None or not math.isfinite(discount):
            raise ValueError(
                self.env._(
                    "HubSpot property %(prop)s: “%(value)s” is not a number Odoo can store",
                    prop="discount",
                    value=props.get("discount"),
                )
            )
        extra["discount"] = discount
        return extra

    @api.model
    def _hubspot_outbound_properties(self, state, record):
        """The unit discount of a line; its product created in HubSpot first when needed."""
        self._push_line_products(state, record)
        last = (record.hubspot_last_values or {}).get("discount") or ""
        unit_discount = round(record.price_unit * record.discount / 100, 6)
        if abs(unit_discount - (_number(last or 0, float) or 0.0)) < 1e-6:
            return {"discount": last}  # the same amount (the percentage is not rounded to it)
        return {"discount": _number_text(unit_discount) if unit_discount else ""}

    @api.model
    def _push_line_products(self, state, record):
        """Create in HubSpot the products of the lines being pushed that it lacks (those
        without SKU are not pushed on their own), when the account pushes products.

        Done once for the push batch ``record`` belongs to (its prefetch set), in one call."""
        account = state.account
        if not record.product_id or record.product_id.hubspot_id:
            return
        if not (account.sync_products and account._push_allowed("products")):
            return  # the line item goes without product: it carries its own name and price
        lines = record.browse(record._prefetch_ids)
        products = lines.product_id.filtered(lambda p: not p.hubspot_id)
        products_state = state.nested(SPECS["products"])
        state.engine._ensure_push_properties(
            products_state, self.env["hubspot.sync.checkpoint"]._get(account, "products", "out")
        )
        state.engine._push_batch(products_state, products)
