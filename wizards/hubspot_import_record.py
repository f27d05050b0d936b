import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..hubspot import HubSpotError, HubSpotNotFoundError, record_modified_at

_logger = logging.getLogger(__name__)

SEARCH_LIMIT = 20
# What the search asks HubSpot for, per object type.
SEARCH_PROPERTIES = {
    "companies": ["name", "domain", "city", "hs_lastmodifieddate"],
    "contacts": ["firstname", "lastname", "email", "company", "lastmodifieddate"],
}


class HubspotImportRecord(models.TransientModel):
    """*Import from HubSpot*: link a partner to a HubSpot record (again) and sync it."""

    _name = "hubspot.import.record"
    _description = "Import a Partner from HubSpot"

    partner_id = fields.Many2one("res.partner", required=True, readonly=True)
    account_id = fields.Many2one(
        "hubspot.account",
        string="HubSpot Account",
        compute="_compute_account_id",
        store=True,
        readonly=False,
        required=True,
    )
    object_type = fields.Selection(
        [("companies", "Company"), ("contacts", "Contact")],
        string="HubSpot Object",
        compute="_compute_object_type",
        store=True,
        readonly=False,
        required=True,
    )
    mode = fields.Selection(
        [("id", "I know its HubSpot ID"), ("search", "Search HubSpot")],
        compute="_compute_mode",
        store=True,
        readonly=False,
        required=True,
    )
    hubspot_id = fields.Char(string="HubSpot ID", compute="_compute_mode", store=True, readonly=False)
    search_term = fields.Char(compute="_compute_search_term", store=True, readonly=False)
    searched = fields.Boolean(readonly=True)
    line_ids = fields.One2many("hubspot.import.record.line", "wizard_id", string="Results", readonly=True)

    @api.depends("partner_id")
    def _compute_account_id(self):
        Account = self.env["hubspot.account"]
        for wizard in self:
            account = wizard.partner_id.hubspot_account_id
            if not account:
                company = wizard.partner_id.company_id or self.env.company
                accounts = Account.search([("company_id", "=", company.id)]) or Account.search([])
                running = accounts.filtered(lambda a: a.state == "running")
                account = (running if len(running) == 1 else accounts)[:1]
            wizard.account_id = account

    @api.depends("partner_id")
    def _compute_object_type(self):
        for wizard in self:
            partner = wizard.partner_id
            if partner.hubspot_object_type in ("companies", "contacts"):
                wizard.object_type = partner.hubspot_object_type
            else:
                wizard.object_type = "companies" if partner.is_company else "contacts"

    @api.depends("partner_id")
    def _compute_mode(self):
        for wizard in self:
            wizard.hubspot_id = wizard.partner_id.hubspot_id
            wizard.mode = "id" if wizard.partner_id.hubspot_id else "search"

    @api.depends("partner_id", "object_type")
    def _compute_search_term(self):
        for wizard in self:
            partner = wizard.partner_id
            if wizard.object_type == "companies":
                term = partner.hubspot_domain
            else:
                term = partner.email_normalized or partner.email
            wizard.search_term = term or partner.name

    # ------------------------------------------------------------- actions
    def action_search(self):
        """Ask HubSpot for records matching the search term and list them."""
        self.ensure_one()
        term = (self.search_term or "").strip()
        if not term:
            raise UserError(self.env._("Enter a domain, an email or a name to search for."))
        client = self.account_id._get_client(max_retries=1, timeout=20)
        try:
            body = client.search(
                self.object_type,
                filter_groups=self._filter_groups(term),
                properties=SEARCH_PROPERTIES[self.object_type],
                limit=SEARCH_LIMIT,
            )
        except HubSpotError as error:
            raise UserError(self.account_id._error_message(error)) from None
        self.line_ids.unlink()
        self.write(
            {
                "searched": True,
                "line_ids": [(0, 0, self._line_values(record)) for record in body.get("results") or []],
            }
        )
        return self._reopen()

    def action_confirm(self):
        """Link by the HubSpot ID typed in."""
        self.ensure_one()
        hubspot_id = (self.hubspot_id or "").strip()
        if not hubspot_id:
            raise UserError(self.env._("Enter the HubSpot ID of the record."))
        return self._link(hubspot_id)

    # ------------------------------------------------------------- helpers
    def _filter_groups(self, term):
        """HubSpot search filters: exact domain/email when the term is one, else by name."""
        if self.object_type == "companies":
            if "." in term and " " not in term and "@" not in term:
                return [{"filters": [{"propertyName": "domain", "operator": "EQ", "value": term.lower()}]}]
            return [{"filters": [{"propertyName": "name", "operator": "CONTAINS_TOKEN", "value": term}]}]
        if "@" in term:
            return [{"filters": [{"propertyName": "email", "operator": "EQ", "value": term.lower()}]}]
        # Contacts have no "name" property: first or last name (filter groups are ORed).
        return [
            {"filters": [{"propertyName": prop, "operator": "CONTAINS_TOKEN", "value": term}]}
            for prop in ("firstname", "lastname")
        ]

    def _line_values(self, record):
        props = record.get("properties") or {}
        if self.object_type == "companies":
            name = props.get("name") or props.get("domain")
        else:
            name = " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p) or props.get("email")
        return {
            "hubspot_id": str(record["id"]),
            "name": name or str(record["id"]),
            "domain": props.get("domain"),
            "email": props.get("email"),
            "city": props.get("city") or props.get("company"),
            "modified_at": record_modified_at(self.object_type, record),
        }

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import from HubSpot"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _link(self, hubspot_id):
        """Bind the partner to HubSpot record ``hubspot_id`` and sync it once."""
        self.ensure_one()
        partner, account, object_type = self.partner_id, self.account_id, self.object_type
        if not partner.has_access("write"):
            raise UserError(
                self.env._(
                    "Linking “%s” to HubSpot changes the partner, which your access rights do not allow.",
                    partner.display_name,
                )
            )
        if (object_type == "companies") != bool(partner.is_company):
            raise UserError(
                self.env._("A company links to a HubSpot company, a person to a HubSpot contact.")
                if partner.is_company
                else self.env._("A person links to a HubSpot contact, a company to a HubSpot company.")
            )
        other = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search(
                [
                    ("hubspot_account_id", "=", account.id),
                    ("hubspot_object_type", "=", object_type),
                    ("hubspot_id", "=", hubspot_id),
                    ("id", "!=", partner.id),
                ],
                limit=1,
            )
        )
        if other:
            raise UserError(
                self.env._(
                    "HubSpot record %(id)s is already linked to “%(partner)s”. Remove that link first "
                    "(HubSpot tab of that partner) if this partner is the right one.",
                    id=hubspot_id,
                    partner=other.display_name,
                )
            )
        client = account._get_client(max_retries=1, timeout=20)
        try:
            record = client.get_object(object_type, hubspot_id, properties=account._properties_to_read(object_type))
        except HubSpotNotFoundError:
            raise UserError(
                self.env._("HubSpot has no %(type)s with ID %(id)s.", type=self._object_label(), id=hubspot_id)
            ) from None
        except HubSpotError as error:
            raise UserError(account._error_message(error)) from None
        if account._is_excluded_record(record) and object_type == "companies":
            raise UserError(
                self.env._(
                    "HubSpot company %(id)s is excluded from the sync (property %(prop)s); change it in HubSpot first.",
                    id=hubspot_id,
                    prop=account.exclude_property,
                )
            )
        partner._hubspot_bind(account, object_type, str(record["id"]), record_modified_at(object_type, record))
        try:
            self.env["hubspot.sync.engine"]._import_records_now(account, object_type, [record])
        except HubSpotError as error:
            raise UserError(account._error_message(error)) from None
        partner.message_post(
            body=self.env._(
                "Linked to HubSpot %(type)s %(id)s by %(user)s.",
                type=self._object_label(),
                id=record["id"],
                user=self.env.user.name,
            )
        )
        _logger.info(
            "HubSpot account %s: partner %s linked to %s %s", account.id, partner.id, object_type, record["id"]
        )
        return {"type": "ir.actions.act_window_close"}

    def _object_label(self):
        return dict(self._fields["object_type"]._description_selection(self.env)).get(self.object_type, "")


class HubspotImportRecordLine(models.TransientModel):
    _name = "hubspot.import.record.line"
    _description = "HubSpot Search Result"
    _order = "id"

    wizard_id = fields.Many2one("hubspot.import.record", required=True, ondelete="cascade")
    hubspot_id = fields.Char(string="HubSpot ID", readonly=True)
    name = fields.Char(readonly=True)
    domain = fields.Char(readonly=True)
    email = fields.Char(readonly=True)
    city = fields.Char(string="City / Company", readonly=True)
    modified_at = fields.Datetime(string="Last Modified", readonly=True)

    def action_link(self):
        self.ensure_one()
        return self.wizard_id._link(self.hubspot_id)
