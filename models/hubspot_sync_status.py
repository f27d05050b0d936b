from odoo import api, fields, models

from .hubspot_sync_run import DIRECTIONS
from .hubspot_sync_spec import HUBSPOT_OBJECT_TYPES, OBJECT_TYPES

HEALTH = [("none", "Not checked yet"), ("ok", "Healthy"), ("warning", "Records to retry"), ("error", "Failed")]
HEALTH_RANK = {"none": 0, "ok": 1, "warning": 2, "error": 3}


class HubspotSyncStatus(models.Model):
    """Where the sync of one (account, object type, direction) stands, for the account's
    dashboard: a run that changed nothing leaves no row in the runs list, so when the type
    was last checked and last succeeded is kept here.

    Written only by the sync job's runs of that type and direction, which hold the
    checkpoint's lock: two jobs never write the same line.
    """

    _name = "hubspot.sync.status"
    _description = "HubSpot Sync Status"
    _order = "account_id, sequence, direction"

    account_id = fields.Many2one("hubspot.account", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    object_type = fields.Selection(HUBSPOT_OBJECT_TYPES, required=True, readonly=True)
    direction = fields.Selection(DIRECTIONS, required=True, readonly=True)
    sequence = fields.Integer(readonly=True, help="The object type's place in the list of object types.")
    last_checked_at = fields.Datetime(
        string="Last Checked", readonly=True, help="When the sync job last finished a run of it, changes or not."
    )
    last_success_at = fields.Datetime(
        string="Last Success", readonly=True, help="When a run of the sync job last finished without failing."
    )
    last_result = fields.Selection(
        [("done", "Done"), ("partial", "Done with errors"), ("failed", "Failed")], readonly=True
    )
    last_run_ref = fields.Integer(
        string="Last Run Number",
        readonly=True,
        help="The number the sync job's last finished run had (a run that changed nothing keeps no row).",
    )
    health = fields.Selection(HEALTH, compute="_compute_dashboard")
    failure = fields.Text(string="Why it failed", compute="_compute_dashboard")
    last_change_at = fields.Datetime(string="Last Change", compute="_compute_dashboard")
    open_error_count = fields.Integer(string="Records to Retry", compute="_compute_dashboard")
    pending_count = fields.Integer(string="Pending Companies", compute="_compute_dashboard")

    _account_object_direction_unique = models.Constraint(
        "UNIQUE(account_id, object_type, direction)", "One status per account, object and direction."
    )

    def _key(self):
        self.ensure_one()
        return [
            ("account_id", "=", self.account_id.id),
            ("object_type", "=", self.object_type),
            ("direction", "=", self.direction),
        ]

    def _compute_dashboard(self):
        Run = self.env["hubspot.sync.run"].sudo()
        Error = self.env["hubspot.sync.error"].sudo()
        Pending = self.env["hubspot.pending.company"].sudo()
        for status in self:
            key = status._key()
            # The job's last finished run, if it failed, and any later one marked failed outside
            # it (a worker that died): failed until a later run of this type succeeds.
            failed = Run.search(
                key + [("from_job", "=", True), ("state", "=", "failed"), ("id", ">=", status.last_run_ref)],
                limit=1,
            )
            changed = Run.search(key + Run._changed_domain(), limit=1)
            status.last_change_at = changed.ended_at or changed.started_at
            status.open_error_count = Error.search_count(key + [("state", "=", "open")])
            status.pending_count = (
                Pending.search_count([("account_id", "=", status.account_id.id), ("state", "=", "pending")])
                if (status.object_type, status.direction) == ("companies", "in")
                else 0
            )
            status.failure = failed.message or False
            if failed or status.last_result == "failed":
                status.health = "error"
            elif status.open_error_count:
                status.health = "warning"
            elif status.last_checked_at:
                status.health = "ok"
            else:
                status.health = "none"

    def _label(self):
        self.ensure_one()
        return self.account_id._type_label(self.object_type, self.direction)

    @api.model
    def _for_run(self, run):
        """The line of ``run``'s account, object type and direction (created with its first job run)."""
        key = [("account_id", "=", run.account_id.id), ("object_type", "=", run.object_type)]
        key.append(("direction", "=", run.direction))
        status = self.sudo().search(key)
        if not status:
            order = OBJECT_TYPES
            status = self.sudo().create(
                {
                    "account_id": run.account_id.id,
                    "object_type": run.object_type,
                    "direction": run.direction,
                    "sequence": order.index(run.object_type) if run.object_type in order else 99,
                }
            )
        return status

    def _record(self, run):
        """A job's run finished: it was checked, and succeeded unless it failed."""
        self.ensure_one()
        values = {"last_checked_at": run.ended_at, "last_result": run.state, "last_run_ref": run.id}
        if run.state != "failed":
            values["last_success_at"] = run.ended_at
        self.write(values)

    # ------------------------------------------------------------- actions
    def action_view_runs(self):
        self.ensure_one()
        self.account_id._check_hubspot_rights("hubspot_connector.group_hubspot_user", operation="read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Sync Runs"),
            "res_model": "hubspot.sync.run",
            "view_mode": "list,form",
            "domain": self._key(),
        }

    def action_view_errors(self):
        self.ensure_one()
        self.account_id._check_hubspot_rights("hubspot_connector.group_hubspot_user", operation="read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Records to Retry"),
            "res_model": "hubspot.sync.error",
            "view_mode": "list,form",
            "domain": self._key() + [("state", "=", "open")],
        }
