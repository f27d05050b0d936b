from odoo import api, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "hubspot.binding.mixin"]

    hubspot_stage_id = fields.Many2one(
        "hubspot.pipeline.stage", string="HubSpot Stage", readonly=True, copy=False, index="btree_not_null"
    )
    hubspot_contact_ids = fields.Many2many(
        "res.partner",
        "crm_lead_hubspot_contact_rel",
        "lead_id",
        "partner_id",
        string="Deal Contacts",
        copy=False,
        help="Every contact associated with the HubSpot deal. The customer is the primary one.",
    )
    hubspot_external_ref = fields.Char(
        string="External Reference",
        copy=False,
        index="btree_not_null",
        help="A reference both systems know (e.g. an order number). Map it to a HubSpot deal property with "
        "“duplicate key” set, and deals without a HubSpot link are matched by it instead of created twice.",
    )
    # A deal's amount is in its own currency; the expected revenue in the company's. The deal
    # amount stands for ``hubspot_amount_base``: while the expected revenue is that, the deal
    # amount goes back as it is (no rounding drift, no echo as rates move).
    hubspot_currency_id = fields.Many2one(
        "res.currency",
        string="Deal Currency",
        readonly=True,
        copy=False,
        help="The HubSpot deal's currency. Its amount is converted into the company's currency with Odoo's "
        "rates (at the close date, else the day of the sync) and goes back in the deal's currency.",
    )
    hubspot_amount = fields.Monetary(
        string="Deal Amount",
        currency_field="hubspot_currency_id",
        readonly=True,
        copy=False,
        help="The expected revenue in the deal's currency: HubSpot's amount, or what the next push sends.",
    )
    hubspot_amount_base = fields.Monetary(
        string="Deal Amount in Company Currency",
        currency_field="company_currency",
        readonly=True,
        copy=False,
        help="The expected revenue the deal amount was converted from or into.",
    )
    hubspot_line_ids = fields.One2many("hubspot.deal.line", "lead_id", string="Products", copy=True)
    # Not stored: a line synced from HubSpot must not make the opportunity look changed in
    # Odoo (the deal's newer amount would lose against it).
    hubspot_lines_total = fields.Monetary(
        string="Products Total",
        currency_field="company_currency",
        compute="_compute_hubspot_lines_total",
        help="The total of the product lines; HubSpot totals a deal with line items the same way.",
    )

    @api.depends("hubspot_line_ids.price_subtotal")
    def _compute_hubspot_lines_total(self):
        for lead in self:
            lead.hubspot_lines_total = sum(lead.hubspot_line_ids.mapped("price_subtotal"))

    def _compute_company_id(self):
        """Odoo voids the company of an opportunity left without salesperson and team (a deal
        whose owner was removed in HubSpot): a linked one stays its HubSpot account's."""
        res = super()._compute_company_id()
        for lead in self:
            if not lead.company_id and lead.hubspot_linked and lead.hubspot_account_id:
                lead.company_id = lead.hubspot_account_id.company_id
        return res

    @api.model_create_multi
    def create(self, vals_list):
        if self._hubspot_syncing() and "iap_enrich_done" in self._fields:
            # Lead Enrichment (crm_iap_enrich) sends new leads with an email to Odoo's IAP service,
            # spending credits, and writes what it finds on them (which the next push would send
            # to HubSpot): the deals the sync brings in count as enriched. Leads users create
            # are enriched as before.
            vals_list = [dict(vals, iap_enrich_done=True) for vals in vals_list]
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        if vals.get("hubspot_linked"):
            # Lines added before the opportunity was linked to a deal: the next push takes them.
            self.hubspot_line_ids.filtered(lambda line: not line.hubspot_id).write({})
        return res

    def unlink(self):
        # The lines go first, through the ORM, so that their line items leave HubSpot too.
        self.hubspot_line_ids.unlink()
        return super().unlink()

    @api.model
    def _hubspot_sync_only_fields(self):
        return super()._hubspot_sync_only_fields() | {"hubspot_stage_id"}

    def _hubspot_deal_contacts(self):
        """The contacts a pushed deal is associated with: its contacts and its customer when a person."""
        self.ensure_one()
        person = self.partner_id if self.partner_id and not self.partner_id.is_company else self.partner_id.browse()
        return self.hubspot_contact_ids | person
