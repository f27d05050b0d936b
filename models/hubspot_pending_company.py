import json

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from .hubspot_account import USER_GROUP
from .res_partner import domain_of


class HubspotPendingCompany(models.Model):
    """A company that arrived from HubSpot and waits for a salesperson's review."""

    _name = "hubspot.pending.company"
    _description = "HubSpot Pending Company"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, hubspot_lead_score desc, id desc"

    name = fields.Char(required=True, tracking=True)
    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    hubspot_id = fields.Char(string="HubSpot ID", required=True, index=True, readonly=True)
    state = fields.Selection(
        [("pending", "To review"), ("accepted", "Accepted"), ("rejected", "Rejected")],
        string="Status",
        default="pending",
        required=True,
        tracking=True,
        readonly=True,
    )
    street = fields.Char()
    city = fields.Char()
    zip = fields.Char()
    country_id = fields.Many2one("res.country")
    state_id = fields.Many2one("res.country.state", domain="[('country_id', '=?', country_id)]")
    phone = fields.Char()
    website = fields.Char()
    domain = fields.Char(compute="_compute_domain", store=True, index=True)
    vat = fields.Char(string="Tax ID")
    hubspot_lead_score = fields.Float(string="HubSpot Score", readonly=True)
    contact_name = fields.Char(string="First Contact", readonly=True)
    owner_id = fields.Many2one("hubspot.owner", string="HubSpot Owner", readonly=True)
    user_id = fields.Many2one("res.users", string="Account Manager", tracking=True, domain="[('share', '=', False)]")
    suggested_partner_ids = fields.Many2many(
        "res.partner", compute="_compute_suggested_partner_ids", string="Possible Duplicates"
    )
    suggested_count = fields.Integer(compute="_compute_suggested_partner_ids")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, tracking=True)
    followers_pending = fields.Boolean(
        readonly=True,
        copy=False,
        help="Accepted, but its contacts and deals could not be imported yet: the next companies run does it.",
    )
    values_json = fields.Text(readonly=True, help="The mapped values of the last HubSpot version.")
    hubspot_url = fields.Char(compute="_compute_hubspot_url", string="HubSpot URL")
    exclude_property = fields.Char(related="account_id.exclude_property")

    _account_hubspot_unique = models.Constraint(
        "UNIQUE(account_id, hubspot_id)", "This HubSpot company is already in the review queue."
    )

    @api.depends("website")
    def _compute_domain(self):
        for pending in self:
            pending.domain = domain_of(pending.website)

    @api.depends("domain", "vat", "name")
    def _compute_suggested_partner_ids(self):
        Partner = self.env["res.partner"]
        for pending in self:
            domains = []
            if pending.domain:
                domains.append([("hubspot_domain", "=", pending.domain)])
            if pending.vat:
                domains.append([("vat", "=ilike", pending.vat.strip())])
            if pending.name and len(pending.name.strip()) >= 3:
                domains.append([("name", "ilike", pending.name.strip())])
            found = Partner
            if domains:
                scope = [("is_company", "=", True), ("company_id", "in", [pending.company_id.id, False])]
                for domain in domains:
                    found |= Partner.search(scope + domain, limit=5)
            pending.suggested_partner_ids = found[:10]
            pending.suggested_count = len(found[:10])

    @api.depends("hubspot_id", "account_id")
    def _compute_hubspot_url(self):
        for pending in self:
            pending.hubspot_url = pending.account_id._record_url("companies", pending.hubspot_id)

    # ------------------------------------------------------------- the queue
    @api.model
    def _queue(self, account, record, values):
        """Add or refresh the pending entry of a HubSpot company.

        Returns False when the company was already decided (accepted or rejected):
        later changes in HubSpot never bring it back or duplicate it; False too when its
        entry already holds these values (a run looking again at the last minute of changes
        finds nothing new).
        """
        hubspot_id = str(record["id"])
        pending = self.with_context(active_test=False).search(
            [("account_id", "=", account.id), ("hubspot_id", "=", hubspot_id)]
        )
        if pending and pending.state != "pending":
            return False
        props = record.get("properties") or {}
        vals = {name: values[name] for name in self._fields if name in values and name not in ("state", "user_id")}
        vals["name"] = values.get("name") or props.get("name") or props.get("domain") or hubspot_id
        vals["values_json"] = json.dumps(
            {k: v for k, v in values.items() if k != "hubspot_remote_modified_at"}, default=str
        )
        owner_id = props.get("hubspot_owner_id")
        if owner_id:
            owner = self.env["hubspot.owner"].search(
                [("account_id", "=", account.id), ("hubspot_id", "=", str(owner_id))], limit=1
            )
            vals["owner_id"] = owner.id
        if pending and all(
            pending._fields[name].convert_to_write(pending[name], pending) == value for name, value in vals.items()
        ):
            return False
        if pending:
            pending.with_context(mail_notrack=True).write(vals)
        else:
            if vals.get("owner_id"):
                vals["user_id"] = self.env["hubspot.owner"].browse(vals["owner_id"]).user_id.id
            pending = self.create(dict(vals, account_id=account.id, hubspot_id=hubspot_id))
        return pending

    @api.model
    def _waiting_ids(self, account, hubspot_ids):
        """The ids among ``hubspot_ids`` that wait in (or were rejected from) the queue."""
        if not hubspot_ids:
            return set()
        found = self.search(
            [("account_id", "=", account.id), ("hubspot_id", "in", list(hubspot_ids)), ("state", "!=", "accepted")]
        )
        return set(found.mapped("hubspot_id"))

    def _stored_values(self):
        self.ensure_one()
        values = json.loads(self.values_json or "{}")
        for name in ("street", "city", "zip", "phone", "website", "vat", "name"):
            values[name] = self[name] or False
        values["country_id"] = self.country_id.id
        values["state_id"] = self.state_id.id
        return values

    # -------------------------------------------------------------- actions
    def _check_hubspot_rights(self, operation="write"):
        """HubSpot users work the queue of the companies they work in (before anything is read)."""
        self.env["hubspot.account"]._check_hubspot_rights(USER_GROUP, self, operation)

    def action_accept(self):
        self.ensure_one()
        self._check_hubspot_rights()
        if self.state != "pending":
            raise UserError(self.env._("Only companies waiting for review can be accepted."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Accept %s", self.name),
            "res_model": "hubspot.accept.company",
            "view_mode": "form",
            "target": "new",
            "context": {"default_pending_id": self.id},
        }

    def action_reject(self):
        self._check_hubspot_rights()
        for pending in self:
            if pending.state != "pending":
                raise UserError(self.env._("Only companies waiting for review can be rejected."))
        self.write({"state": "rejected"})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def action_reject_and_exclude(self):
        """*Reject & exclude in HubSpot*: first say what will be written in HubSpot (wizard)."""
        self._check_hubspot_rights()
        if any(pending.state != "pending" for pending in self):
            raise UserError(self.env._("Only companies waiting for review can be rejected."))
        for account in self.account_id:
            if not account._exclude_mark()[0]:
                raise UserError(
                    self.env._(
                        "HubSpot account “%s” names no exclude property (Sync page): use Reject, or ask your "
                        "HubSpot administrator to choose one.",
                        account.name,
                    )
                )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject & exclude in HubSpot"),
            "res_model": "hubspot.reject.company",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_pending_ids": [Command.set(self.ids)]},
        }

    def _reject_and_exclude(self):
        """Reject, set the account's exclude property on the companies in HubSpot, and say in each
        company's chatter what was written, or why HubSpot refused (the rejection stands: the
        company never comes back from HubSpot by itself). Callers checked the user's rights.
        Returns ``{pending: HubSpot's reason}`` of the refused ones."""
        self.action_reject()
        refused = {}
        for account, pendings in self.grouped("account_id").items():
            prop, value = account._exclude_mark()
            try:
                account._mark_excluded_in_hubspot(pendings.mapped("hubspot_id"))
            except UserError as error:
                reason = error.args[0]
                for pending in pendings:
                    refused[pending] = reason
                    pending.message_post(
                        body=self.env._(
                            "Rejected in Odoo only: HubSpot refused to set the property “%(property)s” of company "
                            "%(id)s to “%(value)s” in %(portal)s: %(reason)s",
                            property=prop,
                            id=pending.hubspot_id,
                            value=value,
                            portal=account._portal_label(),
                            reason=reason,
                        )
                    )
                continue
            for pending in pendings:
                pending.message_post(
                    body=self.env._(
                        "Excluded in HubSpot: the property “%(property)s” of company %(id)s is now “%(value)s” in "
                        "%(portal)s, so the sync keeps it out of Odoo.",
                        property=prop,
                        id=pending.hubspot_id,
                        value=value,
                        portal=account._portal_label(),
                    )
                )
        return refused

    def action_reset(self):
        self._check_hubspot_rights()
        self.filtered(lambda p: p.state == "rejected").write({"state": "pending"})

    def action_open_partner(self):
        self.ensure_one()
        self._check_hubspot_rights("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }

    def action_open_in_hubspot(self):
        self.ensure_one()
        self._check_hubspot_rights("read")
        return {"type": "ir.actions.act_url", "url": self.hubspot_url, "target": "new"}
