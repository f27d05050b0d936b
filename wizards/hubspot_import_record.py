import logging
import re

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..hubspot import HubSpotError, HubSpotNotFoundError, record_modified_at
from ..hubspot.values import clean_record, finite_number
from ..models.hubspot_sync_spec import IMPORT_TYPES, SPECS
from ..models.res_partner import domain_of

_logger = logging.getLogger(__name__)

SEARCH_LIMIT = 20
# The HubSpot object types each synced model links to, of those the wizard offers.
MODEL_TYPES = {
    model: tuple(t for t, _label in IMPORT_TYPES if SPECS[t].model == model)
    for model in dict.fromkeys(SPECS[t].model for t, _label in IMPORT_TYPES)
}
# What the search asks HubSpot for, per object type.
SEARCH_PROPERTIES = {t: list(SPECS[t].search_properties) for t, _label in IMPORT_TYPES}
# The name property of the types searched by the words of their name, and where their stage is.
NAME_PROPERTY = {t: SPECS[t].search_name for t, _label in IMPORT_TYPES if SPECS[t].search_name}
STAGE_PROPERTIES = {t: SPECS[t].pipeline_properties for t, _label in IMPORT_TYPES if SPECS[t].pipeline_properties}
MAX_FILTERS = 6  # HubSpot's limit of filters per filter group
MAX_CONTACT_WORDS = 4  # four groups of up to four filters: within HubSpot's 18 filters in all
WORD = re.compile(r"\w+")  # the words HubSpot's search matches one by one


class HubspotImportRecord(models.TransientModel):
    """*Import from HubSpot*: link a synced record (partner, opportunity, task) to a
    HubSpot record (again) and sync it."""

    _name = "hubspot.import.record"
    _description = "Import a Record from HubSpot"

    record_ref = fields.Reference(
        [("res.partner", "Partner"), ("crm.lead", "Opportunity"), ("project.task", "Task")],
        string="Record",
        required=True,
        readonly=True,
    )
    res_model = fields.Char(compute="_compute_res_model")
    record_company_id = fields.Many2one("res.company", compute="_compute_res_model")
    # Offered: the accounts of the record's company this user may use (record rules apply).
    account_id = fields.Many2one(
        "hubspot.account",
        string="HubSpot Account",
        compute="_compute_account_id",
        store=True,
        readonly=False,
        required=True,
        domain="[('company_id', '=?', record_company_id)]",
    )
    object_type = fields.Selection(
        IMPORT_TYPES,
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

    @api.depends("record_ref")
    def _compute_res_model(self):
        for wizard in self:
            record = wizard.record_ref
            wizard.res_model = record._name if record else False
            wizard.record_company_id = record.company_id if record and "company_id" in record._fields else False

    @api.depends("record_ref")
    def _compute_account_id(self):
        for wizard in self:
            allowed = wizard._allowed_accounts()
            record = wizard.record_ref
            account = record.hubspot_account_id if record and record.hubspot_account_id in allowed else allowed.browse()
            if not account:
                accounts = allowed.filtered(lambda a: a.company_id == self.env.company) or allowed
                running = accounts.filtered(lambda a: a.state == "running")
                account = (running if len(running) == 1 else accounts)[:1]
            wizard.account_id = account

    @api.depends("record_ref")
    def _compute_object_type(self):
        for wizard in self:
            record = wizard.record_ref
            types = MODEL_TYPES.get(record._name, ()) if record else ()
            if record and record.hubspot_object_type in types:
                wizard.object_type = record.hubspot_object_type
            elif record and record._name == "res.partner":
                wizard.object_type = "companies" if record.is_company else "contacts"
            else:
                wizard.object_type = types[0] if types else False

    @api.depends("record_ref")
    def _compute_mode(self):
        for wizard in self:
            hubspot_id = wizard.record_ref.hubspot_id if wizard.record_ref else False
            wizard.hubspot_id = hubspot_id
            wizard.mode = "id" if hubspot_id else "search"

    @api.depends("record_ref", "object_type")
    def _compute_search_term(self):
        for wizard in self:
            record = wizard.record_ref
            term = False
            if record and wizard.object_type == "companies":
                term = record.hubspot_domain
            elif record and wizard.object_type == "contacts":
                term = record.email_normalized or record.email
            wizard.search_term = term or (record.name if record else False)

    # ------------------------------------------------------------- actions
    def action_search(self):
        """Ask HubSpot for records matching the search term and list them."""
        self.ensure_one()
        self._check_rights()
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
        results = body.get("results") or []
        stages = self._stage_labels()
        self.line_ids.unlink()
        self.write(
            {
                "searched": True,
                "line_ids": [(0, 0, self._line_values(record, stages)) for record in results],
            }
        )
        return self._reopen()

    def action_confirm(self):
        """Link by the HubSpot ID typed in."""
        self.ensure_one()
        self._check_rights()
        hubspot_id = (self.hubspot_id or "").strip()
        if not hubspot_id:
            raise UserError(self.env._("Enter the HubSpot ID of the record."))
        return self._link(hubspot_id)

    # ------------------------------------------------------------- helpers
    def _allowed_accounts(self):
        """The HubSpot accounts this user may use for the record: those of its company (of the
        user's companies for a record all companies share), as the user's record rules allow."""
        self.ensure_one()
        return self.env["hubspot.account"].search(
            [("company_id", "=", self.record_company_id.id)] if self.record_company_id else []
        )

    def _check_rights(self):
        """Before any HubSpot call or sudo(): a HubSpot User, a record they may read, and an
        account they may use for it (the form offers no other; an RPC call may send any id)."""
        if not self.env.user.has_group("hubspot_connector.group_hubspot_user"):
            raise AccessError(self.env._("Only HubSpot Users may import records from HubSpot."))
        record = self.record_ref
        if not record or not record.exists():
            raise UserError(self.env._("The record to link no longer exists."))
        record.check_access("read")
        if self.account_id not in self._allowed_accounts():
            raise AccessError(
                self.env._(
                    "You may not use this HubSpot account for “%s”: choose an account of its company.",
                    record.display_name,
                )
            )

    def _filter_groups(self, term):
        """HubSpot search filters: the exact domain or email when the term is one, else the
        words of the name, each as the start of a word (``varas*`` finds "Varasto Oy")."""
        if self.object_type == "companies" and "." in term and " " not in term and "@" not in term:
            return [
                {"filters": [{"propertyName": "domain", "operator": "EQ", "value": domain_of(term) or term.lower()}]}
            ]
        if self.object_type == "contacts" and "@" in term:
            return [{"filters": [{"propertyName": "email", "operator": "EQ", "value": term.lower()}]}]
        words = [f"{word.lower()}*" for word in WORD.findall(term)]
        if not words:
            raise UserError(self.env._("Enter a domain, an email or a name to search for."))

        def group(*pairs):
            return {"filters": [{"propertyName": p, "operator": "CONTAINS_TOKEN", "value": w} for p, w in pairs]}

        if self.object_type != "contacts":
            prop = NAME_PROPERTY.get(self.object_type, "name")
            return [group(*((prop, word) for word in words[:MAX_FILTERS]))]
        # Contacts have no name property: first and last name, either way round (groups are ORed).
        words = words[:MAX_CONTACT_WORDS]
        if len(words) == 1:
            return [group(("firstname", words[0])), group(("lastname", words[0]))]
        first, rest = words[0], words[1:]
        return [
            group(("firstname", first), *(("lastname", word) for word in rest)),
            group(("lastname", first), *(("firstname", word) for word in rest)),
            group(*(("firstname", word) for word in words)),
            group(*(("lastname", word) for word in words)),
        ]

    def _stage_labels(self):
        """``{(pipeline id, stage id): label}`` of the cached stages of the wizard's type."""
        if self.object_type not in STAGE_PROPERTIES:
            return {}
        stages = (
            self.env["hubspot.pipeline.stage"]
            .sudo()
            .search([("account_id", "=", self.account_id.id), ("object_type", "=", self.object_type)])
        )
        return {(s.pipeline_id.hubspot_id, s.hubspot_id): s.name for s in stages}

    def _line_values(self, record, stages=None):
        """A search result as shown: HubSpot's text made safe to store (no NUL byte); an amount
        that is no finite number, or a garbled date, shows as none."""
        record = clean_record(record)
        props = record.get("properties") or {}
        stage = amount = False
        if self.object_type in NAME_PROPERTY:
            name = props.get(NAME_PROPERTY[self.object_type])
            pipeline_prop, stage_prop = STAGE_PROPERTIES[self.object_type]
            stage_id = props.get(stage_prop)
            stage = (stages or {}).get((str(props.get(pipeline_prop) or ""), str(stage_id or ""))) or stage_id
            amount = finite_number(props.get("amount")) or 0.0
        elif self.object_type == "companies":
            name = props.get("name") or props.get("domain")
        else:
            name = " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p) or props.get("email")
        return {
            "hubspot_id": str(record["id"]),
            "name": name or str(record["id"]),
            "domain": props.get("domain"),
            "email": props.get("email"),
            "city": props.get("city") or props.get("company"),
            "amount": amount,
            "stage": stage,
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
        """Bind the record to HubSpot record ``hubspot_id`` and sync it once."""
        self.ensure_one()
        self._check_rights()
        record, account, object_type = self.record_ref, self.account_id, self.object_type
        if not record.has_access("write"):
            raise UserError(
                self.env._(
                    "Linking “%s” to HubSpot changes it, which your access rights do not allow.",
                    record.display_name,
                )
            )
        self._check_record(record)
        self._check_not_linked_elsewhere(record, hubspot_id)
        remote = self._fetch_remote(hubspot_id)
        before = record._hubspot_link_snapshot()
        record._hubspot_bind(account, object_type, str(remote["id"]), record_modified_at(object_type, remote))
        self._sync_linked(record, remote)
        # The field rules decided what changed; the chatter says what, and who linked it.
        record._hubspot_log_link(
            before,
            self.env._(
                "Linked to HubSpot %(type)s %(id)s by %(user)s.",
                type=self._object_label(),
                id=remote["id"],
                user=self.env.user.name,
            ),
        )
        _logger.info(
            "HubSpot account %s: %s %s linked to %s %s", account.id, record._name, record.id, object_type, remote["id"]
        )
        return {"type": "ir.actions.act_window_close"}

    def _check_not_linked_elsewhere(self, record, hubspot_id):
        """No other Odoo record of the account holds this HubSpot record."""
        account, object_type = self.account_id, self.object_type
        # The other record may be one the user cannot see (e.g. another salesperson's opportunity).
        other = (
            self.env[record._name]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("hubspot_account_id", "=", account.id),
                    ("hubspot_object_type", "=", object_type),
                    ("hubspot_id", "=", hubspot_id),
                    ("id", "!=", record.id),
                ],
                limit=1,
            )
        )
        if other:
            other = other.with_env(self.env)
            raise UserError(
                self.env._(
                    "HubSpot record %(id)s is already linked to “%(record)s”. Remove that link first "
                    "(HubSpot tab of that record) if this one is the right one.",
                    id=hubspot_id,
                    record=other.display_name,
                )
                if other.has_access("read")
                else self.env._(
                    "HubSpot record %s is already linked to another record, which you cannot see. Ask your "
                    "HubSpot administrator to remove that link first if this one is the right one.",
                    hubspot_id,
                )
            )

    def _fetch_remote(self, hubspot_id):
        """The HubSpot record, once it is known to sync under the account's settings."""
        account, object_type = self.account_id, self.object_type
        client = account._get_client(max_retries=1, timeout=20)
        try:
            remote = client.get_object(object_type, hubspot_id, properties=account._properties_to_read(object_type))
            remote = clean_record(remote)  # no NUL byte reaches a query
            self._check_remote(remote, client)
        except HubSpotNotFoundError:
            raise UserError(
                self.env._("HubSpot has no %(type)s with ID %(id)s.", type=self._object_label(), id=hubspot_id)
            ) from None
        except HubSpotError as error:
            raise UserError(account._error_message(error)) from None
        return remote

    def _sync_linked(self, record, remote):
        """Sync the record just linked, as the sync would; undo everything (an error) when it
        fails or the sync settings keep it out."""
        account, object_type = self.account_id, self.object_type
        try:
            _linked, failures = self.env["hubspot.sync.engine"]._import_records_now(account, object_type, [remote])
        except HubSpotError as error:
            raise UserError(account._error_message(error)) from None
        failure = failures.get((object_type, str(remote["id"])))
        if failure:  # nothing is linked (the error undoes the transaction): the user fixes it in HubSpot first
            raise UserError(
                self.env._(
                    "HubSpot %(type)s %(id)s cannot be imported: %(reason)s",
                    type=self._object_label(),
                    id=remote["id"],
                    reason=failure,
                )
            )
        if not record.hubspot_linked:
            # The sync settings keep it out (e.g. its company is excluded): the link is undone.
            reason = dict(record._fields["hubspot_unlink_reason"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "HubSpot %(type)s %(id)s does not sync with this account's settings (%(reason)s).",
                    type=self._object_label(),
                    id=remote["id"],
                    reason=reason.get(record.hubspot_unlink_reason, ""),
                )
            )

    def _check_record(self, record):
        """The Odoo record can be this HubSpot object type."""
        object_type = self.object_type
        if object_type not in MODEL_TYPES.get(record._name, ()):
            raise UserError(
                self.env._(
                    "“%(record)s” cannot be linked to a HubSpot %(type)s.",
                    record=record.display_name,
                    type=self._object_label(),
                )
            )
        if record._name == "res.partner" and (object_type == "companies") != bool(record.is_company):
            raise UserError(
                self.env._("A company links to a HubSpot company, a person to a HubSpot contact.")
                if record.is_company
                else self.env._("A person links to a HubSpot contact, a company to a HubSpot company.")
            )
        if record._name == "crm.lead" and record.type != "opportunity":
            raise UserError(self.env._("Only opportunities link to HubSpot deals: convert the lead first."))

    def _check_remote(self, remote, client):
        """The HubSpot record syncs under the account's settings: refuse now, with the reason,
        rather than link a record the sync would unlink at once."""
        account, object_type, hubspot_id = self.account_id, self.object_type, remote["id"]
        props = remote.get("properties") or {}
        if object_type == "companies" and account._is_excluded_record(remote):
            raise UserError(
                self.env._(
                    "HubSpot company %(id)s is excluded from the sync (property %(prop)s); change it in HubSpot first.",
                    id=hubspot_id,
                    prop=account.exclude_property,
                )
            )
        if object_type not in STAGE_PROPERTIES:
            return
        pipeline_id, stage_id = (str(props.get(p) or "") for p in STAGE_PROPERTIES[object_type])
        stage = self._cached_stage(pipeline_id, stage_id)
        if not stage:  # a pipeline or stage HubSpot added since the last refresh
            self.env["hubspot.pipeline"].sudo()._refresh(account, client)
            stage = self._cached_stage(pipeline_id, stage_id)
        if object_type == "deals" and not account._deal_stage_allowed(stage_id, pipeline_id):
            raise UserError(
                self.env._(
                    "HubSpot deal %(id)s is in stage “%(stage)s”, which the account's deal-stage filter does not "
                    "sync. Select that stage in the account's settings first.",
                    id=hubspot_id,
                    stage=stage.name or stage_id,
                )
            )
        if object_type == "tickets" and not stage.pipeline_id.project_id:
            raise UserError(
                self.env._(
                    "Tickets of pipeline “%s” do not sync: choose its project under HubSpot > Configuration > "
                    "Pipelines first.",
                    stage.pipeline_id.name or pipeline_id,
                )
            )

    def _cached_stage(self, pipeline_id, stage_id):
        return (
            self.env["hubspot.pipeline.stage"]
            .sudo()
            .search(
                [
                    ("account_id", "=", self.account_id.id),
                    ("object_type", "=", self.object_type),
                    ("pipeline_id.hubspot_id", "=", pipeline_id),
                    ("hubspot_id", "=", stage_id),
                ],
                limit=1,
            )
        )

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
    amount = fields.Float(readonly=True)
    stage = fields.Char(string="Stage / Status", readonly=True)
    modified_at = fields.Datetime(string="Last Modified", readonly=True)

    def action_link(self):
        self.ensure_one()
        return self.wizard_id._link(self.hubspot_id)
