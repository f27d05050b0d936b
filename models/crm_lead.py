from datetime import datetime

from odoo import api, fields, models

from ..hubspot import HubSpotError, timestamps
from .hubspot_field_mapping import SkipRecord, _number, _number_text
from .hubspot_sync_run_state import SYNC_CONTEXT, _same


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

    def _hubspot_push_targets(self, assoc):
        if assoc.field == "hubspot_contact_ids":
            return self._hubspot_deal_contacts()
        return super()._hubspot_push_targets(assoc)

    def _hubspot_deal_contacts(self):
        """The contacts a pushed deal is associated with: its contacts and its customer when a person."""
        self.ensure_one()
        person = self.partner_id if self.partner_id and not self.partner_id.is_company else self.partner_id.browse()
        return self.hubspot_contact_ids | person

    # ------------------------------------------------------------ deal sync
    @api.model
    def _hubspot_syncs(self, account, object_type):
        """Deals sync unless the deal-stage filter is "none"."""
        return account.deal_stage_filter != "none"

    @api.model
    def _hubspot_selection(self, account, object_type):
        """The deal-stage filter as it decides which deals sync (the stages count when selected)."""
        stages = frozenset(account.deal_stage_ids.ids) if account.deal_stage_filter == "selected" else frozenset()
        return {"setting:deal_stage_filter": (account.deal_stage_filter, stages)}

    @api.model
    def _hubspot_inbound_values(self, state, record, existing, values):
        """Stage, team, probability and outcome of a deal; its primary contact; the
        account's deal-stage filter.

        A deal outside the filter is skipped; one that was synced and moved out is
        unlinked (kept in Odoo) and counted. A lost deal is a lost opportunity in Odoo
        (archived, probability 0, with HubSpot's lost reason); a won one sits in the
        mapped (won) stage at 100 %; a deal reopened in HubSpot is restored."""
        props = record.get("properties") or {}
        stage_id, pipeline_id = props.get("dealstage"), props.get("pipeline")
        if not state.account._deal_stage_allowed(stage_id, pipeline_id):
            raise SkipRecord(self.env._("deal stage %s is not selected", stage_id))
        extra = self.env["res.partner"]._hubspot_primary_contact(values)
        extra.update(self._deal_amount_values(state, record, existing, values))
        stage = state.cache.deal_stage(pipeline_id, stage_id)
        if not stage or state.engine._local_newer(state.spec, record, existing):
            return extra  # a stage HubSpot added since the last refresh, or Odoo moved it last: keep Odoo's
        extra.update(hubspot_stage_id=stage.id, probability=stage.probability, active=stage.outcome != "lost")
        if stage.crm_stage_id:
            extra["stage_id"] = stage.crm_stage_id.id
        if stage.pipeline_id.team_id:
            extra["team_id"] = stage.pipeline_id.team_id.id
        elif not existing and state.account.team_id:
            extra["team_id"] = state.account.team_id.id
        if stage.outcome == "lost":
            extra["lost_reason_id"] = state.cache.lost_reason(props.get("closed_lost_reason"))
        else:
            extra["lost_reason_id"] = False
        return extra

    @api.model
    def _hubspot_outbound_properties(self, state, record):
        """Pipeline, stage and lost reason of an opportunity, through the stage mapping."""
        pipeline, stage = self._deal_target_stage(state, record)
        if not stage:
            raise SkipRecord(self.env._("no HubSpot deal stage for %s", record.stage_id.display_name))
        if not state.account._deal_stage_allowed(stage.hubspot_id, pipeline.hubspot_id):
            raise SkipRecord(self.env._("deal stage %s is not selected", stage.name))
        props = {"pipeline": pipeline.hubspot_id, "dealstage": stage.hubspot_id}
        props.update(self._deal_outbound_amount(state, record))
        if record.won_status == "lost":
            props["closed_lost_reason"] = record.lost_reason_id.name or ""
        return props

    @api.model
    def _deal_target_stage(self, state, record):
        """``(pipeline, stage)`` an opportunity belongs in on HubSpot's side.

        The pipeline: the deal's current one, else the one mapped to the opportunity's
        sales team, else HubSpot's default pipeline. The stage: won and lost go to the
        pipeline's won and lost stage; an open opportunity to the HubSpot stage mapped to
        its Odoo stage (the current one when several are); unmapped, the deal stays
        where it is (a new deal starts in the pipeline's first stage)."""
        current = record.hubspot_stage_id if record.hubspot_stage_id.account_id == state.account else None
        pipelines = state.cache.pipelines("deals").filtered(lambda p: not p.archived)
        pipeline = (
            (current.pipeline_id if current and not current.pipeline_id.archived else pipelines.browse())
            or pipelines.filtered(lambda p: record.team_id and p.team_id == record.team_id)[:1]
            or pipelines.filtered(lambda p: p.hubspot_id == "default")[:1]
            or pipelines[:1]
        )
        stages = pipeline.stage_ids.filtered(lambda s: not s.archived)
        outcome = {"won": "won", "lost": "lost"}.get(record.won_status, "open")
        wanted = stages.filtered(lambda s: s.outcome == outcome)
        if outcome == "open":
            wanted = wanted.filtered(lambda s: s.crm_stage_id == record.stage_id)
        if current and current in wanted:
            return pipeline, current
        if wanted:
            return pipeline, wanted[0]
        if current and current.pipeline_id == pipeline:
            return pipeline, current
        return pipeline, stages.filtered(lambda s: s.outcome == "open")[:1]

    # A deal's ``amount`` is in the deal's currency (``deal_currency_code``; none: the portal's
    # company currency), an opportunity's expected revenue in its company's. Odoo's rates convert
    # between them at the close date (the day of the sync without one); the opportunity keeps the
    # deal's amount and currency. The deal amount stands for an expected revenue
    # (``hubspot_amount_base``): while the expected revenue is that one, the amount is neither
    # converted again nor pushed, so rates moving or rounding never change a deal nobody changed.
    @staticmethod
    def _deal_amount_mapping(state):
        """The mapping of HubSpot's ``amount`` to the expected revenue, when it syncs at all."""
        mappings = state.mappings_for("deals")
        return next(
            (
                m
                for m in mappings
                if m.field_name == "expected_revenue" and m.properties == ["amount"] and m.rule != "none"
            ),
            None,
        )

    @api.model
    def _deal_currency(self, state, props):
        """The Odoo currency a deal's amount is in. Raises ``ValueError`` (the record fails, saying
        what to do; the next run retries it) when Odoo cannot convert from it."""
        code = str(props.get("deal_currency_code") or "").strip().upper()
        if not code:
            try:
                code = state.cache.portal_currency(state.client)
            except HubSpotError as error:
                raise ValueError(
                    self.env._("the deal has no currency and HubSpot did not give the portal's (%s)", error)
                ) from None
            if not code:
                raise ValueError(self.env._("HubSpot gives no currency for the deal nor for the portal"))
        currency = state.cache.currency(code)
        if not currency:
            raise ValueError(
                self.env._(
                    "the deal is in %s, a currency Odoo does not know: add it with its exchange rate "
                    "(HubSpot > Configuration > Currencies); the deal syncs with the next run",
                    code,
                )
            )
        if not currency.active:
            raise ValueError(
                self.env._(
                    "the deal is in %s, which is not active in Odoo: activate it and enter its exchange rate "
                    "(HubSpot > Configuration > Currencies); the deal syncs with the next run",
                    code,
                )
            )
        if currency != state.account.company_id.currency_id and not state.cache.has_rate(currency):
            raise ValueError(
                self.env._(
                    "the deal is in %s, which has no exchange rate in Odoo: enter one "
                    "(HubSpot > Configuration > Currencies); the deal syncs with the next run",
                    code,
                )
            )
        return currency

    @api.model
    def _deal_amount_values(self, state, record, existing, values):
        """The deal's currency and amount on the opportunity; its expected revenue converted
        into the company's currency when the field rules take HubSpot's amount."""
        if not self._deal_amount_mapping(state):
            return {}
        props = record.get("properties") or {}
        currency = self._deal_currency(state, props)
        company = state.account.company_id
        extra = {"hubspot_currency_id": currency.id}
        if "expected_revenue" in values:  # HubSpot's amount is taken
            amount = values["expected_revenue"] or 0.0
            if currency == company.currency_id:
                revenue = amount
            elif (
                existing
                and existing.hubspot_currency_id == currency
                and not currency.compare_amounts(existing.hubspot_amount, amount)
                and not company.currency_id.compare_amounts(existing.expected_revenue, existing.hubspot_amount_base)
            ):
                revenue = existing.expected_revenue  # the amount it already stands for
            else:
                closing = timestamps.parse(props.get("closedate"))
                revenue = currency._convert(amount, company.currency_id, company, _rate_date(closing))
            extra.update(expected_revenue=revenue, hubspot_amount=amount, hubspot_amount_base=revenue)
        elif existing and existing.hubspot_currency_id != currency:
            # Odoo's expected revenue stands: in the deal's new currency, the next push sends it.
            revenue = existing.expected_revenue
            amount = revenue  # synced before the currency was: Odoo's number was the deal's own
            if existing.hubspot_currency_id:
                amount = company.currency_id._convert(revenue, currency, company, _rate_date(existing.date_deadline))
            extra.update(hubspot_amount=amount, hubspot_amount_base=revenue)
        return extra

    @api.model
    def _deal_outbound_amount(self, state, record):
        """The amount of an opportunity's deal in the deal's currency; a new deal is created
        in the company's. ``None`` leaves HubSpot's amount alone."""
        company = state.account.company_id
        props = {} if record.hubspot_id else {"deal_currency_code": company.currency_id.name}
        if record.hubspot_line_ids:
            # HubSpot totals a deal with line items: its amount is never sent (the lines are).
            for mapping in state.mappings_for("deals"):
                if mapping.field_name == "expected_revenue":
                    props.update(dict.fromkeys(mapping.properties))
            return props
        mapping = self._deal_amount_mapping(state)
        last = (record.hubspot_last_values or {}).get("amount") or ""
        if (
            not mapping
            or mapping.rule == "hubspot"
            or (mapping.rule == "prefer_hubspot" and record.hubspot_id and last)
        ):
            return props  # not Odoo's to send (the mapping sends nothing either)
        currency = record.hubspot_currency_id if record.hubspot_id else company.currency_id
        if not currency:
            return props  # linked before the deal's currency was known: the number goes as it is
        revenue = record.expected_revenue
        if currency == company.currency_id:
            amount = revenue
        elif not company.currency_id.compare_amounts(revenue, record.hubspot_amount_base):
            amount = record.hubspot_amount
        else:
            amount = company.currency_id._convert(revenue, currency, company, _rate_date(record.date_deadline))
        memo = {"hubspot_currency_id": currency.id, "hubspot_amount": amount, "hubspot_amount_base": revenue}
        if any(not _same(record, name, value) for name, value in memo.items()):
            # Remembered at once: the same expected revenue gives the same amount until it changes.
            record.with_context(**SYNC_CONTEXT).write(memo)
        if record.hubspot_id and not currency.compare_amounts(amount, _number(last or 0, float) or 0.0):
            props["amount"] = None  # HubSpot has it
        else:
            props["amount"] = _number_text(amount) if amount else ""
        return props


def _rate_date(moment):
    """The day whose exchange rate converts a deal's amount: its close date, else today."""
    if not moment:
        return fields.Date.today()
    return moment.date() if isinstance(moment, datetime) else moment
