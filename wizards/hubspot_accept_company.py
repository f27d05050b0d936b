import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..hubspot import HubSpotError

_logger = logging.getLogger(__name__)

# Values of the pending company that describe the HubSpot company itself; the
# binding fields are written by ``_hubspot_bind``.
SKIPPED_VALUES = {"id", "hubspot_id", "hubspot_account_id", "hubspot_object_type", "hubspot_linked"}


class HubspotAcceptCompany(models.TransientModel):
    """*Accept*: turn a pending HubSpot company into a customer, or link it to one."""

    _name = "hubspot.accept.company"
    _description = "Accept a HubSpot Company"

    pending_id = fields.Many2one("hubspot.pending.company", string="HubSpot Company", required=True, readonly=True)
    account_id = fields.Many2one(related="pending_id.account_id")
    company_id = fields.Many2one(related="pending_id.company_id")
    suggested_partner_ids = fields.Many2many(related="pending_id.suggested_partner_ids")
    suggested_count = fields.Integer(related="pending_id.suggested_count")
    mode = fields.Selection(
        [("create", "Create a new customer"), ("link", "Link to an existing customer")],
        compute="_compute_mode",
        store=True,
        readonly=False,
        required=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Existing Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        domain="[('is_company', '=', True), ('hubspot_linked', '=', False), ('company_id', 'in', [company_id, False])]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        domain="[('share', '=', False)]",
    )
    create_lead = fields.Boolean(string="Create a lead to follow up")
    lead_name = fields.Char(string="Lead", compute="_compute_lead_name", store=True, readonly=False)
    team_id = fields.Many2one("crm.team", string="Sales Team")
    link_changes = fields.Html(string="Changes", compute="_compute_link_changes", sanitize=False)

    @api.depends("pending_id")
    def _compute_mode(self):
        for wizard in self:
            wizard.mode = "link" if wizard.pending_id.suggested_count == 1 else "create"

    @api.depends("pending_id")
    def _compute_partner_id(self):
        for wizard in self:
            free = wizard.pending_id.suggested_partner_ids.filtered(lambda p: not p.hubspot_linked)
            wizard.partner_id = free[:1]

    @api.depends("pending_id", "partner_id", "mode")
    def _compute_user_id(self):
        for wizard in self:
            existing = wizard.partner_id.user_id if wizard.mode == "link" else self.env["res.users"]
            wizard.user_id = wizard.pending_id.user_id or existing or self.env.user

    @api.depends("pending_id")
    def _compute_lead_name(self):
        for wizard in self:
            wizard.lead_name = self.env._("Follow-up: %s", wizard.pending_id.name) if wizard.pending_id else False

    @api.depends("mode", "partner_id", "pending_id", "user_id")
    def _compute_link_changes(self):
        """What linking will change on the customer, as the chatter will list it afterwards."""
        for wizard in self:
            partner = wizard.partner_id
            if wizard.mode != "link" or not partner or not wizard.pending_id:
                wizard.link_changes = False
                continue
            lines = []
            tracked = set(partner._hubspot_tracked_link_fields())
            for name, value in wizard._link_values().items():
                field = partner._fields[name]
                if name not in tracked or field.type in ("one2many", "many2many"):
                    continue
                old = partner[name]
                new = partner[name].browse(value) if field.type == "many2one" else value
                if old == new or (not old and not new):
                    continue
                lines.append(
                    Markup("<li>%s: %s → %s</li>")
                    % (field._description_string(self.env), _shown(field, old, partner), _shown(field, new, partner))
                )
            wizard.link_changes = Markup("<ul>%s</ul>") % Markup("").join(lines) if lines else False

    # ------------------------------------------------------------- actions
    def action_confirm(self):
        self.ensure_one()
        pending = self.pending_id
        pending._check_hubspot_rights()
        if pending.state != "pending":
            raise UserError(self.env._("“%s” was already reviewed.", pending.name))
        account = pending.account_id
        self._check_partner_rights()
        self._check_not_bound_elsewhere()
        if self.mode == "link":
            if not self.partner_id:
                raise UserError(self.env._("Choose the customer to link this HubSpot company to."))
            partner, before = self.partner_id, self._link_partner()
        else:
            partner, before = self._create_partner(), None
        partner._hubspot_bind(account, "companies", pending.hubspot_id)
        lead = self._create_lead(partner) if self.create_lead else self.env["crm.lead"]
        pending.write({"state": "accepted", "partner_id": partner.id})
        self._post_messages(partner, lead, before)
        self._import_company_records(partner)
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": partner.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------- helpers
    def _check_partner_rights(self):
        """Accepting creates (or completes) a customer: say so before anything is written."""
        allowed = (
            self.partner_id.has_access("write") if self.mode == "link" else self.env["res.partner"].has_access("create")
        )
        if not allowed:
            raise UserError(
                self.env._(
                    "Accepting a company creates or updates a customer, which your access rights do not allow. "
                    "Ask your administrator for the Sales rights (or Contacts creation)."
                )
            )

    def _check_not_bound_elsewhere(self):
        """The HubSpot company may have reached Odoo meanwhile (e.g. matched by domain)."""
        pending = self.pending_id
        bound = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search(
                [
                    ("hubspot_account_id", "=", pending.account_id.id),
                    ("hubspot_object_type", "=", "companies"),
                    ("hubspot_id", "=", pending.hubspot_id),
                ],
                limit=1,
            )
        )
        if bound and not (self.mode == "link" and bound == self.partner_id):
            raise UserError(
                self.env._(
                    "HubSpot company %(id)s is already linked to “%(partner)s”.",
                    id=pending.hubspot_id,
                    partner=bound.display_name,
                )
            )
        if self.mode == "link" and self.partner_id.hubspot_linked and self.partner_id != bound:
            raise UserError(
                self.env._(
                    "“%(partner)s” is already linked to HubSpot %(type)s %(id)s.",
                    partner=self.partner_id.display_name,
                    type=self.partner_id.hubspot_object_type,
                    id=self.partner_id.hubspot_id,
                )
            )

    def _partner_values(self):
        """The Odoo partner values of the HubSpot company (as last received, as edited in review)."""
        Partner = self.env["res.partner"]
        values = {
            name: value
            for name, value in self.pending_id._stored_values().items()
            if name in Partner._fields and name not in SKIPPED_VALUES and not Partner._fields[name].compute
        }
        # Mapped one2many/many2many values never come from HubSpot; keep plain values only.
        return {name: value for name, value in values.items() if not isinstance(value, list | dict)}

    def _create_partner(self):
        account = self.pending_id.account_id
        values = self._partner_values()
        tag = account._partner_tag()
        values.update(
            is_company=True,
            company_id=account.company_id.id,
            ref=self.pending_id.hubspot_id,
            user_id=self.user_id.id,
        )
        if tag:
            values["category_id"] = [(4, tag.id)]
        sync_values = self._pop_sync_values(values)
        partner = self.env["res.partner"].create(values)
        if sync_values:
            partner.sudo().write(sync_values)
        return partner

    def _link_values(self):
        """What linking writes on the existing customer: the field rules decide each value, as for
        a duplicate the sync matches (*two-way* and *always HubSpot*: HubSpot's value, as received
        and as edited in review; *prefer HubSpot unless blank*: HubSpot's unless it has none;
        *always Odoo*: Odoo's). The salesperson is the one chosen here; the customer reference
        stays (the HubSpot id when it has none)."""
        partner, account = self.partner_id, self.pending_id.account_id
        rules = {}
        for mapping in account._mappings("companies"):
            rules.update(dict.fromkeys(mapping._odoo_field_names(), mapping.rule))
        sync_only = partner._hubspot_sync_only_fields()
        vals = {}
        for name, value in self._partner_values().items():
            rule = rules.get(name)
            if name == "user_id" or value is None or (name not in sync_only and rule in (None, "odoo", "none")):
                continue
            if rule == "prefer_hubspot" and value in (False, ""):
                continue
            vals[name] = value
        if not partner.ref:
            vals["ref"] = self.pending_id.hubspot_id
        if self.user_id and self.user_id != partner.user_id:
            vals["user_id"] = self.user_id.id
        tag = account._partner_tag()
        if tag and tag not in partner.category_id:
            vals["category_id"] = [(4, tag.id)]
        return vals

    def _link_partner(self):
        """Write the link's values on the existing customer; returns its values before, for the chatter."""
        partner = self.partner_id
        before = partner._hubspot_link_snapshot()
        vals = self._link_values()
        sync_values = self._pop_sync_values(vals)
        if vals:  # one chatter message lists every change (see _post_messages), not Odoo's tracking too
            partner.with_context(mail_notrack=True).write(vals)
        if sync_values:
            partner.sudo().write(sync_values)
        return before

    def _pop_sync_values(self, values):
        """Take out of ``values`` those only the sync writes (e.g. the HubSpot score): the user's
        create or write may not carry them; they are written as the sync would, afterwards."""
        only = self.env["res.partner"]._hubspot_sync_only_fields()
        return {name: values.pop(name) for name in list(values) if name in only}

    def _create_lead(self, partner):
        lead_type = "lead" if self.env.user.has_group("crm.group_use_lead") else "opportunity"
        values = {
            "name": self.lead_name or self.env._("Follow-up: %s", partner.name),
            "type": lead_type,
            "partner_id": partner.id,
            "user_id": self.user_id.id,
        }
        if self.team_id:
            values["team_id"] = self.team_id.id
        return self.env["crm.lead"].create(values)

    def _post_messages(self, partner, lead, before=None):
        """The review's outcome on the pending company; on the customer, who linked or created
        it, with each value the link changed (``before``: the customer's values before)."""
        pending = self.pending_id
        if self.mode == "link":
            pending_body = (
                Markup(self.env._("Accepted: linked to the existing customer %s.")) % partner._get_html_link()
            )
            partner_body = Markup(self.env._("Linked to HubSpot company %(name)s (ID %(id)s) by %(user)s.")) % {
                "name": pending._get_html_link(),
                "id": pending.hubspot_id,
                "user": self.env.user.name,
            }
        else:
            pending_body = Markup(self.env._("Accepted as the new customer %s.")) % partner._get_html_link()
            partner_body = Markup(self.env._("Created from HubSpot company %(name)s (ID %(id)s) by %(user)s.")) % {
                "name": pending._get_html_link(),
                "id": pending.hubspot_id,
                "user": self.env.user.name,
            }
        if lead:
            pending_body += Markup("<br/>") + Markup(self.env._("Follow-up: %s")) % lead._get_html_link()
        pending.message_post(body=pending_body)
        if before is None:
            partner.message_post(body=partner_body)
        else:
            partner._hubspot_log_link(before, partner_body)

    def _import_company_records(self, partner):
        """Bring in the company's contacts, deals and tickets now; HubSpot being down must not
        undo the acceptance (the next companies run imports them then)."""
        pending = self.pending_id
        try:
            self.env["hubspot.sync.engine"]._import_company_records(pending.account_id, pending.hubspot_id)
        except HubSpotError as error:
            pending.followers_pending = True
            _logger.info(
                "HubSpot account %s: records of company %s not imported now: %s",
                pending.account_id.id,
                pending.hubspot_id,
                error,
            )
            partner.message_post(
                body=self.env._(
                    "HubSpot could not be reached to import this company's contacts and deals; "
                    "they will arrive with the next sync."
                )
            )


def _shown(field, value, record):
    """A value as a user reads it (the preview of a link's changes)."""
    if not value:
        return "—"
    if field.type == "many2one":
        return value.sudo().display_name
    if field.type == "selection":
        return dict(field._description_selection(record.env)).get(value, value)
    if field.type == "html":
        return html2plaintext(value)
    return str(value)
