from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

from .hubspot_sync_spec import HUBSPOT_OBJECT_TYPES

# The field types the chatter lists as "field: old → new" (html as its text).
TRACKED_TYPES = {
    "char",
    "text",
    "html",
    "integer",
    "float",
    "monetary",
    "date",
    "datetime",
    "boolean",
    "selection",
    "many2one",
    "many2many",
}


class HubspotBindingMixin(models.AbstractModel):
    """The link between an Odoo record and a HubSpot object.

    HubSpot ids are unique within one object type only (company 1001 and contact
    1001 may both exist and both live in ``res.partner``), so one Odoo record per
    (account, object type, HubSpot id). An unlinked record keeps its id (history,
    re-linking) but no longer syncs.
    """

    _name = "hubspot.binding.mixin"
    _description = "HubSpot Binding"

    hubspot_id = fields.Char(string="HubSpot ID", index=True, copy=False, readonly=True)
    hubspot_account_id = fields.Many2one(
        "hubspot.account", string="HubSpot Account", index="btree_not_null", copy=False, readonly=True
    )
    hubspot_object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, string="HubSpot Object", copy=False, readonly=True)
    hubspot_linked = fields.Boolean(string="Linked to HubSpot", copy=False, readonly=True)
    hubspot_unlink_reason = fields.Selection(
        [
            ("manual", "Link removed by a user"),
            ("excluded", "Excluded in HubSpot"),
            ("deleted", "Deleted in HubSpot"),
            ("filtered", "No longer matches the sync filter"),
        ],
        copy=False,
        readonly=True,
    )
    hubspot_remote_modified_at = fields.Datetime(string="HubSpot Last Modified", copy=False, readonly=True)
    hubspot_remote_modified_ms = fields.Float(
        string="HubSpot Version",
        digits=(16, 0),
        copy=False,
        readonly=True,
        help="HubSpot's last-modified time, epoch ms.",
    )
    hubspot_last_values = fields.Json(
        copy=False, readonly=True, help="The mapped HubSpot property values as last seen or sent (no echo)."
    )
    hubspot_synced_at = fields.Datetime(string="Last Synced", copy=False, readonly=True)
    hubspot_url = fields.Char(string="HubSpot URL", compute="_compute_hubspot_url")
    hubspot_master_fields = fields.Char(
        compute="_compute_hubspot_master_fields",
        help="Fields HubSpot owns on this linked record (read-only in Odoo).",
    )

    _hubspot_binding_unique = models.Constraint(
        "UNIQUE(hubspot_account_id, hubspot_object_type, hubspot_id)",
        "This HubSpot record is already linked to another Odoo record.",
    )

    @api.depends("hubspot_id", "hubspot_object_type", "hubspot_account_id.portal_id", "hubspot_account_id.ui_domain")
    def _compute_hubspot_url(self):
        for record in self:
            account = record.hubspot_account_id
            record.hubspot_url = (
                account._record_url(record.hubspot_object_type, record.hubspot_id)
                if account and record.hubspot_id
                else False
            )

    @api.depends("hubspot_linked", "hubspot_account_id", "hubspot_object_type")
    def _compute_hubspot_master_fields(self):
        masters = self._hubspot_master_field_map()
        for record in self:
            key = (record.hubspot_account_id.id, record.hubspot_object_type)
            names = masters.get(key, ()) if record.hubspot_linked else ()
            record.hubspot_master_fields = ",".join(sorted(names))

    def _hubspot_master_field_map(self):
        """``{(account id, object type): {field names HubSpot owns}}`` for these records
        (the fields mapped with the rule "always HubSpot")."""
        linked = self.filtered("hubspot_linked")
        if not linked:
            return {}
        mappings = (
            self.env["hubspot.field.mapping"]
            .sudo()
            .search(
                [
                    ("account_id", "in", linked.hubspot_account_id.ids),
                    ("object_type", "in", list(set(linked.mapped("hubspot_object_type")))),
                    ("rule", "=", "hubspot"),
                ]
            )
        )
        found = {}
        for mapping in mappings:
            found.setdefault((mapping.account_id.id, mapping.object_type), set()).update(mapping._odoo_field_names())
        return found

    @api.model
    def _hubspot_sync_only_fields(self):
        """The fields only the sync, the wizards and the Remove/Import actions write (read-only
        on screen). Models add the other fields their sync alone fills."""
        return {
            "hubspot_id",
            "hubspot_account_id",
            "hubspot_object_type",
            "hubspot_linked",
            "hubspot_unlink_reason",
            "hubspot_remote_modified_at",
            "hubspot_remote_modified_ms",
            "hubspot_last_values",
            "hubspot_synced_at",
        }

    def _hubspot_syncing(self):
        """Is this the sync writing? The context key alone proves nothing (an RPC caller sets
        any key): only together with the superuser, which no RPC call is."""
        return self.env.su and self.env.context.get("hubspot_sync")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            protected = self._hubspot_sync_only_fields()
            given = {name for vals in vals_list for name in protected & set(vals) if _given(vals[name])}
            given |= {name for name in protected if _given(self.env.context.get(f"default_{name}"))}
            self._hubspot_refuse_link_fields(given)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            protected = self._hubspot_sync_only_fields() & set(vals)
            self._hubspot_refuse_link_fields(
                {name for name in protected for record in self if not _same_value(record, name, vals[name])}
            )
        if not self._hubspot_syncing() and any(self._ids):
            self._hubspot_check_master_fields(vals)
        return super().write(vals)

    def _hubspot_refuse_link_fields(self, names):
        """A user's create or write may not set the HubSpot link: a forged link would sync the
        record into a portal (maybe another company's), a removed one take it out silently."""
        if not names:
            return
        labels = ", ".join(sorted(self._fields[name].get_description(self.env)["string"] for name in names))
        raise AccessError(
            self.env._(
                "Only the HubSpot sync sets these fields: %(fields)s. Use “Import from HubSpot” to link a record "
                "and “Remove HubSpot link” to unlink it.",
                fields=labels,
            )
        )

    def _hubspot_check_master_fields(self, vals):
        """HubSpot is the master of some fields of linked records: refuse edits."""
        masters = self._hubspot_master_field_map()
        if not masters:
            return
        for record in self.filtered("hubspot_linked"):
            owned = masters.get((record.hubspot_account_id.id, record.hubspot_object_type), set())
            changed = [
                name
                for name in owned & set(vals) - {"ref"}
                if record._fields[name].convert_to_write(record[name], record) != vals[name]
            ]
            if changed:
                labels = ", ".join(record._fields[name].get_description(self.env)["string"] for name in sorted(changed))
                raise UserError(
                    self.env._(
                        "“%(record)s” is synced from HubSpot, which owns: %(fields)s. Change it in HubSpot, "
                        "or use “Remove HubSpot link” to edit it in Odoo.",
                        record=record.display_name,
                        fields=labels,
                    )
                )

    @api.model
    def _hubspot_push_domain(self, account):
        """Which records of this model ``account`` may push: its company's, and those shared
        by all companies (no company), except records only the account's own company uses."""
        return [("company_id", "in", [account.company_id.id, False])]

    # ------------------------------------------------------- the sync's hooks
    # What an object type does beyond its spec (``models/hubspot_sync_spec.py``): the synced
    # model overrides these (``crm.lead`` for deals, ``project.task`` for tickets...). The hooks
    # get the run's state (``state.spec`` is the object type, ``state.engine`` the engine).
    @api.model
    def _hubspot_syncs(self, account, object_type):
        """Does ``account`` sync ``object_type`` once it is switched on (e.g. a filter lets records through)?"""
        return True

    @api.model
    def _hubspot_selection(self, account, object_type):
        """``{reason: value}``: the account's settings of this type's own that decide which records
        qualify (a change re-reads the type)."""
        return {}

    @api.model
    def _hubspot_before_inbound(self, state, checkpoint):
        """Run at the start of each inbound run of the type, after the retries."""
        return None

    @api.model
    def _hubspot_inbound_values(self, state, record, existing, values):
        """Values of the type's own for HubSpot ``record`` (a dict of properties), beyond the
        mappings' ``values``; ``existing``: the linked Odoo record, or None. May raise
        ``SkipRecord`` (the record does not sync) or ``ValueError`` (it fails)."""
        return {}

    @api.model
    def _hubspot_create_values(self, state, record):
        """Values of an Odoo record created from HubSpot ``record``, beyond the spec's."""
        return {}

    def _hubspot_link_values(self, state):
        """Values the sync writes when it links this existing record (again)."""
        return {}

    def _hubspot_push_targets(self, assoc):
        """The Odoo records the push associates this record with through ``assoc`` (an
        :class:`~.hubspot_sync_spec.Association` of its type)."""
        self.ensure_one()
        return self.mapped(assoc.push_path or assoc.field)

    @api.model
    def _hubspot_outbound_properties(self, state, record):
        """HubSpot properties of the type's own for Odoo ``record`` (None: HubSpot's to compute).
        May raise ``SkipRecord`` (not pushed)."""
        return {}

    def action_open_in_hubspot(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.hubspot_url, "target": "new"}

    def action_hubspot_import(self):
        """*Import from HubSpot*: (re-)link this record to a HubSpot record and sync it (wizard)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import from HubSpot"),
            "res_model": "hubspot.import.record",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_record_ref": f"{self._name},{self.id}"},
        }

    def action_hubspot_unlink(self):
        """*Remove HubSpot link*: the record stays, stops syncing, becomes editable. For HubSpot
        Users who may change the record."""
        if not self.env.user.has_group("hubspot_connector.group_hubspot_user"):
            raise AccessError(self.env._("Only HubSpot Users may remove a record's HubSpot link."))
        self.check_access("write")
        self._hubspot_unlink("manual")
        return True

    def _hubspot_unlink(self, reason):
        """Take these records out of the sync (callers checked the user's rights)."""
        self.sudo().with_context(hubspot_sync=True).write({"hubspot_linked": False, "hubspot_unlink_reason": reason})

    def unlink(self):
        """A linked record deleted in Odoo is archived (deleted) in HubSpot at the next push,
        unless the sync itself deletes it (HubSpot already did)."""
        if not self._hubspot_syncing():
            self._hubspot_leave_tombstones()
        return super().unlink()

    def _hubspot_leave_tombstones(self):
        """Before deleting linked records: the next push archives them in HubSpot."""
        linked = self.filtered(lambda r: r.hubspot_linked and r.hubspot_id)
        if linked:
            self.env["hubspot.tombstone"].sudo().create(
                [
                    {
                        "account_id": r.hubspot_account_id.id,
                        "object_type": r.hubspot_object_type,
                        "hubspot_id": r.hubspot_id,
                        "name": r.display_name,
                    }
                    for r in linked
                ]
            )

    # ------------------------------------------------------- link tracking
    def _hubspot_link_snapshot(self):
        """The record's values as a user sees them, before a user links it to HubSpot: given
        back to :meth:`_hubspot_log_link` afterwards, which lists what the link changed."""
        self.ensure_one()
        record = self.sudo()
        return {name: record[name] for name in self._hubspot_tracked_link_fields()}

    @api.model
    def _hubspot_tracked_link_fields(self):
        """The stored fields a user edits (and the chatter can show): not the HubSpot link
        itself, nor what Odoo computes, logs or keeps for the chatter."""
        skip = self._hubspot_sync_only_fields() | set(models.MAGIC_COLUMNS)
        names = []
        for name, field in self._fields.items():
            if name in skip or not field.store or field.type not in TRACKED_TYPES:
                continue
            if (field.compute and field.readonly) or name.startswith(("message_", "activity_")):
                continue
            names.append(name)
        return names

    def _hubspot_log_link(self, before, body):
        """Post ``body`` in the chatter as the current user, with every value that changed since
        ``before`` (a :meth:`_hubspot_link_snapshot`) as "field: old → new"."""
        self.ensure_one()
        record = self.sudo()  # display names of related records the user may not read
        described = record.fields_get(list(before), attributes=("string", "type", "selection", "currency_field"))
        Tracking = self.env["mail.tracking.value"].sudo()
        trackings = []
        for name, old in before.items():
            new = record[name]
            if name not in described or new == old or (not new and not old):
                continue
            info = described[name]
            if info["type"] == "html":  # shown as text
                info = dict(info, type="char")
                old, new = html2plaintext(old or ""), html2plaintext(new or "")
            trackings.append(Command.create(Tracking._create_tracking_values(old, new, name, info, record)))
        return self._message_log(body=body, author_id=self.env.user.partner_id.id, tracking_value_ids=trackings)

    def _hubspot_bind(self, account, object_type, hubspot_id, modified_at=None):
        """Link this record to HubSpot record ``hubspot_id`` (callers checked the user's rights)."""
        self.ensure_one()
        self.sudo().with_context(hubspot_sync=True).write(
            {
                "hubspot_id": str(hubspot_id),
                "hubspot_account_id": account.id,
                "hubspot_object_type": object_type,
                "hubspot_linked": True,
                "hubspot_unlink_reason": False,
                "hubspot_remote_modified_at": modified_at,
                "hubspot_synced_at": fields.Datetime.now(),
            }
        )


def _given(value):
    return value is not False and value is not None


def _same_value(record, name, value):
    """Would writing ``value`` leave field ``name`` of ``record`` as it is? (Saving a form or
    merging partners may send a link field unchanged: no attempt to change it.) Strict: a
    value in any other form than the field's own counts as a change."""
    field, current = record._fields[name], record[name]
    if not _given(value):
        return not current
    if field.type == "many2one":
        return type(value) is int and value == current.id
    if field.type in ("many2many", "one2many"):
        return False
    if field.type in ("date", "datetime"):
        try:
            return field.to_datetime(value) == current if field.type == "datetime" else field.to_date(value) == current
        except (TypeError, ValueError):
            return False
    return type(value) is type(current) and value == current
